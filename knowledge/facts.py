"""Profile facts stated in free text (``extract_facts``) and short form answers (``parse_answer``).

Every term lives in ``content/facts.yml``; this module only knows how to read numbers and how to
pick the most specific match.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from .base import get_knowledge_base, get_matcher
from .errors import ProfileError, join_values, message
from .profile import PROFILE_FIELDS
from .signals import check_text, detect_pain_points
from .text import Token, analyze, normalize, parse_pattern

_DIGITS = re.compile(r"^\d+$")
_WHOLE_CLEAN = re.compile(r"[^\w%]+")


@lru_cache(maxsize=1)
def _lexicon() -> Mapping[str, Any]:
    """facts.yml with its patterns parsed once."""
    data = get_knowledge_base().documents["facts"]

    def compile_values(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "value": item["value"],
                "patterns": [parse_pattern(p) for p in item.get("patterns", ())],
                "whole": {_whole(w) for w in item.get("whole", ())},
            }
            for item in items
        ]

    numbers = data["numbers"]
    return {
        "fields": {name: compile_values(items) for name, items in data["fields"].items()},
        "answers": {
            name: {**spec, "values": compile_values(spec.get("values", ()))}
            for name, spec in data["answers"]["fields"].items()
        },
        "dont_know": {_whole(w) for w in data["answers"]["dont_know"]["whole"]},
        "dont_know_patterns": [
            parse_pattern(p) for p in data["answers"]["dont_know"]["short_patterns"]
        ],
        "yes": {_whole(w) for w in data["answers"]["affirmative"]},
        "no": {_whole(w) for w in data["answers"]["negative"]},
        "combine": data.get("combine", {}),
        "words": {normalize(k): v for k, v in numbers["words"].items()},
        "multipliers": {normalize(k): v for k, v in numbers["multipliers"].items()},
        "approximations": {normalize(k): v for k, v in numbers["approximations"].items()},
        "connectors": {normalize(k) for k in numbers["connectors"]},
        "headcount_nouns": [parse_pattern(p) for p in data["headcount"]["nouns"]],
        "headcount_openers": [parse_pattern(p) for p in data["headcount"]["openers"]],
        "headcount_range": (data["headcount"]["min"], data["headcount"]["max"]),
        "site_nouns": [parse_pattern(p) for p in data["multi_site"]["site_nouns"]],
        "trigger_not_happened": [parse_pattern(p) for p in data["trigger_not_happened"]],
        "scope_services": compile_values(data["scope_services"]),
    }


def _whole(text: str) -> str:
    return " ".join(_WHOLE_CLEAN.sub(" ", normalize(text)).split())


# -- numbers -------------------------------------------------------------------------------------


def _numbers(tokens: Sequence[Token]) -> list[tuple[int, int, int]]:
    """``(value, start, end)`` for each number written in digits or French words.

    A lone « un »/« une » is an article, not a number (« une personne », « une trentaine »).
    """
    lexicon = _lexicon()
    words, multipliers = lexicon["words"], lexicon["multipliers"]
    found: list[tuple[int, int, int]] = []
    index = 0
    while index < len(tokens):
        form = tokens[index].form
        if _DIGITS.match(form):
            found.append((int(form), index, index))
        elif form in lexicon["approximations"]:
            found.append((lexicon["approximations"][form], index, index))
        elif form in words or form in multipliers:
            total, current, end = 0, 0, index
            for position in range(index, len(tokens)):
                word = tokens[position].form
                previous = tokens[position - 1].form if position > index else None
                if word in ("vingt", "vingts") and previous == "quatre":
                    current += 80 - 4
                elif word in words:
                    current += words[word]
                elif word in multipliers:
                    current = max(current, 1) * multipliers[word]
                    if multipliers[word] >= 1000:
                        total, current = total + current, 0
                elif not (
                    word in lexicon["connectors"]
                    and position + 1 < len(tokens)
                    and tokens[position + 1].form in words
                ):
                    break
                end = position
            if not (end == index and form in ("un", "une")):
                found.append((total + current, index, end))
            index = end
        index += 1
    return found


def _headcount(tokens: Sequence[Token], *, anywhere: bool) -> int | None:
    lexicon = _lexicon()
    matcher = get_matcher()
    low, high = lexicon["headcount_range"]
    for value, start, end in _numbers(tokens):
        if not low <= value <= high:
            continue
        following = tokens[end + 1 : end + 4]
        preceding = tokens[max(0, start - 3) : start]
        approximation_alone = tokens[start].form in lexicon["approximations"] and (
            end + 1 == len(tokens) or tokens[end + 1].is_punct
        )
        if (
            anywhere
            or approximation_alone
            or matcher.best_match(lexicon["headcount_nouns"], following)
            or matcher.best_match(lexicon["headcount_openers"], preceding)
        ):
            if matcher.best_match(lexicon["site_nouns"], tokens[end + 1 : end + 3]):
                continue
            return value
    return None


def _site_count(tokens: Sequence[Token]) -> int | None:
    lexicon = _lexicon()
    matcher = get_matcher()
    for value, _start, end in _numbers(tokens):
        if matcher.best_match(lexicon["site_nouns"], tokens[end + 1 : end + 3]):
            return value
    return None


# -- values --------------------------------------------------------------------------------------


def _best_value(values: Sequence[Mapping[str, Any]], tokens: Sequence[Token]) -> tuple[Any, int]:
    """The value whose pattern matches longest (ties: first listed), and the match length."""
    matcher = get_matcher()
    best: tuple[Any, int] = (None, 0)
    for item in values:
        length = matcher.best_match(item["patterns"], tokens)
        if length > best[1]:
            best = (item["value"], length)
    return best


def _matched_values(values: Sequence[Mapping[str, Any]], tokens: Sequence[Token]) -> list[Any]:
    matcher = get_matcher()
    return [item["value"] for item in values if matcher.best_match(item["patterns"], tokens)]


def _field_from_text(name: str, tokens: Sequence[Token]) -> Any:
    lexicon = _lexicon()
    values = lexicon["fields"][name]
    combine = lexicon["combine"].get(name)
    if combine:
        matched = _matched_values(values, tokens)
        if all(value in matched for value in combine["when_all"]):
            return combine["value"]
    if name == "multi_site":
        count = _site_count(tokens)
        if count is not None:
            return count >= 2
    return _best_value(values, tokens)[0]


def extract_facts(text: str) -> dict[str, Any]:
    """Profile fields stated in ``text`` (only those found), values as in the contract."""
    tokens = analyze(check_text(text))
    facts: dict[str, Any] = {}
    headcount = _headcount(tokens, anywhere=False)
    if headcount is not None:
        facts["headcount"] = headcount
    lexicon = _lexicon()
    for name in lexicon["fields"]:
        value = _field_from_text(name, tokens)
        if value is not None:
            facts[name] = value
    if "trigger" in facts and _not_happened(tokens):
        del facts["trigger"]  # a scare, someone else's incident or a planned departure
    if facts.get("scope_wish") == "targeted":
        services = _named_values(lexicon["scope_services"], tokens)
        if services:
            facts["scope_services"] = services
    return {name: facts[name] for name in PROFILE_FIELDS if name in facts}


def _named_values(values: Sequence[Mapping[str, Any]], tokens: Sequence[Token]) -> list[Any]:
    """Values named anywhere, negated or not (« aucune compétence en sécurité » names it)."""
    matcher = get_matcher()
    return [
        item["value"]
        for item in values
        if any(next(iter(matcher.find(pattern, tokens)), None) for pattern in item["patterns"])
    ]


def _not_happened(tokens: Sequence[Token]) -> bool:
    """The text speaks of a risk, a near miss, someone else's incident or a planned change."""
    return bool(get_matcher().best_match(_lexicon()["trigger_not_happened"], tokens))


def _dont_know(text: str) -> bool:
    """« je ne sais pas », « aucune idée »... : the user skips the question."""
    lexicon = _lexicon()
    whole = _whole(text)
    if whole in lexicon["dont_know"]:
        return True
    if len(whole.split()) > 4:
        return False
    tokens = analyze(text)
    return bool(get_matcher().best_match(lexicon["dont_know_patterns"], tokens))


def parse_answer(field: str, text: str) -> object | None:
    """Interpret a short answer to the question about ``field``; None when not understood.

    For ``trigger``, "none" means the user said nothing urgent pushes them (not "unknown").
    For ``it_staff``, an external provider running IT means "none" (no internal IT staff).
    """
    if field not in PROFILE_FIELDS:
        raise ProfileError(
            message("unknown_field", field=field, allowed=join_values(PROFILE_FIELDS))
        )
    if not isinstance(text, str) or not text.strip() or _dont_know(text):
        return None
    if field == "pain_points":
        return detect_pain_points(text) or None
    tokens = analyze(text)
    if field == "headcount":
        return _headcount(tokens, anywhere=True)
    if field == "trigger" and _not_happened(tokens):
        return "none"
    lexicon = _lexicon()
    spec = lexicon["answers"].get(field, {"values": []})
    whole = _whole(text)
    for item in spec["values"]:
        if whole in item["whole"]:
            return item["value"]
    if field == "multi_site":
        count = _site_count(tokens)
        if count is None and len(_numbers(tokens)) == 1 and len(tokens) <= 3:
            count = _numbers(tokens)[0][0]
        if count is not None:
            return count >= 2
    value = _field_from_text(field, tokens) if field in lexicon["fields"] else None
    answer_value, answer_length = _best_value(spec["values"], tokens)
    if value is None or (answer_value is not None and answer_length > 1):
        value = answer_value if answer_value is not None else value
    if value is not None:
        return value
    first_word = whole.split(" ")[0] if whole else ""
    if "if_yes" in spec and (whole in lexicon["yes"] or first_word in lexicon["yes"]):
        return spec["if_yes"]
    if "if_no" in spec and (whole in lexicon["no"] or first_word in lexicon["no"]):
        return spec["if_no"]
    return None
