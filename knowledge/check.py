"""Content lint: ids match the contract, quotes are verbatim sentences of the article, sections
exist, patterns parse, every signal leads somewhere. Returns French problem messages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .classifier import read_examples
from .conditions import referenced
from .errors import join_values, message
from .profile import FIELD_CASE_IDS, PROFILE_FIELDS, SERVICE_IDS, SIGNAL_IDS, TOPICS, WARNING_IDS
from .text import parse_pattern

_SENTENCE_END = re.compile(r"[.!?…]$")


def article_sentences(article: str) -> tuple[set[str], set[str]]:
    """``(lines, sentences)`` of the article: headings are lines; sentences end with . ! ? or …"""
    lines = {line.strip() for line in article.splitlines() if line.strip()}
    sentences: set[str] = set()
    for line in lines:
        sentences.update(
            part.strip()
            for part in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Þ“«])", line)
            if part.strip()
        )
    return lines, sentences


def iter_sources(raw: dict[str, Any]) -> Iterator[tuple[str, dict[str, str]]]:
    """Every ``source`` of the content, with where it sits (for messages)."""
    for kind in ("services", "warnings", "field_cases"):
        for item in raw[kind]:
            yield f"{kind}.{item['id']}", item["source"]
            for index, paragraph in enumerate(item.get("answer", [])):
                if paragraph.get("source"):
                    yield f"{kind}.{item['id']}.answer[{index}]", paragraph["source"]
    for answer in raw["answers"]:
        for index, paragraph in enumerate(answer["paragraphs"]):
            if paragraph.get("source"):
                yield f"answers.{answer['topic']}[{index}]", paragraph["source"]
    for name, source in raw["documents"]["trajectory"]["sources"].items():
        yield f"trajectory.{name}", source
    situations = raw["documents"]["situations"]
    yield "situations.nothing_urgent", situations["nothing_urgent"]["source"]
    yield "situations.steering", situations["steering"]["source"]
    for item in situations["steering"]["items"]:
        yield f"situations.steering.{item['id']}", item["source"]


def check_quotes(raw: dict[str, Any], article: str) -> tuple[list[str], int]:
    lines, sentences = article_sentences(article)
    problems: list[str] = []
    count = 0
    for where, source in iter_sources(raw):
        count += 1
        quote, section = source["quote"], source["section"]
        if quote not in article:
            problems.append(message("check_quote", where=where, quote=quote))
        elif quote not in sentences and quote not in lines:
            problems.append(message("check_quote_sentence", where=where, quote=quote))
        if section not in lines:
            problems.append(message("check_section", where=where, section=section))
    return problems, count


def check_ids(raw: dict[str, Any]) -> list[str]:
    problems = []
    expected = {
        "services": (SERVICE_IDS, [item["id"] for item in raw["services"]]),
        "signaux": (SIGNAL_IDS, [item["id"] for item in raw["signals"]]),
        "avertissements": (WARNING_IDS, [item["id"] for item in raw["warnings"]]),
        "cas réels": (FIELD_CASE_IDS, [item["id"] for item in raw["field_cases"]]),
        "sujets": (
            tuple(topic for topic in TOPICS if topic != "service"),
            [item["topic"] for item in raw["answers"]],
        ),
    }
    for kind, (contract, found) in expected.items():
        missing = [item for item in contract if item not in found]
        extra = [item for item in found if item not in contract]
        if missing or extra or len(found) != len(set(found)):
            problems.append(
                message(
                    "check_ids",
                    kind=kind,
                    missing=join_values(missing) or "—",
                    extra=join_values(extra) or "—",
                )
            )
    kept = [item["id"] for item in raw["services"] if not item["outsourceable"]]
    if kept != ["governance"]:
        problems.append(message("check_governance"))
    return problems


def check_references(raw: dict[str, Any]) -> list[str]:
    """Signals reachable; services, fields and signals referenced by the content all exist."""
    problems = []
    services = {item["id"] for item in raw["services"] if item["outsourceable"]}
    known = set(SIGNAL_IDS) | set(PROFILE_FIELDS)
    conditions: list[tuple[str, dict[str, Any]]] = [
        (f"warnings.{item['id']}", item["when"]) for item in raw["warnings"]
    ]
    conditions += [
        (f"field_cases.{item['id']}", entry["when"])
        for item in raw["field_cases"]
        for entry in item.get("affinity", [])
    ]
    conditions += [
        (f"scoring.{rule['id']}", rule["when"]) for rule in raw["documents"]["scoring"]["context"]
    ]
    warned: set[str] = set()
    for where, condition in conditions:
        for ref in referenced(condition):
            if ref not in known:
                problems.append(message("check_unknown_reference", ref=ref, where=where))
        if where.startswith("warnings."):
            warned.update(referenced(condition))
    for rule in raw["documents"]["scoring"]["context"]:
        for service_id in rule["weights"]:
            if service_id not in services:
                problems.append(
                    message(
                        "check_unknown_reference", ref=service_id, where=f"scoring.{rule['id']}"
                    )
                )
    for signal in raw["signals"]:
        supports = signal.get("supports", {})
        for service_id in supports:
            if service_id not in services:
                problems.append(
                    message(
                        "check_unknown_reference", ref=service_id, where=f"signals.{signal['id']}"
                    )
                )
        if not supports and signal["id"] not in warned:
            problems.append(message("check_unreachable", signal=signal["id"]))
        for pattern in signal["patterns"]:
            try:
                parse_pattern(pattern)
            except ValueError:
                problems.append(message("check_pattern", pattern=pattern, where=signal["id"]))
    similarity = raw["documents"]["matching"].get("similarity", {})
    for signal_id in similarity.get("rules", {}):
        if signal_id not in SIGNAL_IDS:
            problems.append(
                message("check_unknown_reference", ref=signal_id, where="matching.similarity")
            )
    return problems


def check_examples(examples: dict[str, Any]) -> list[str]:
    """The classifier's labelled texts (``signal_examples.yml``): well formed, known signal ids."""
    problems = []
    for name, items in examples.items():
        for index, item in enumerate(items or ()):
            where = f"signal_examples.{name}[{index}]"
            text = item.get("text") if isinstance(item, dict) else None
            expected = item.get("expected") if isinstance(item, dict) else None
            if not isinstance(text, str) or not text.strip() or not isinstance(expected, list):
                problems.append(message("check_example", where=where))
                continue
            problems.extend(
                message("check_unknown_reference", ref=ref, where=where)
                for ref in expected
                if ref not in SIGNAL_IDS
            )
    return problems


def check_content(raw: dict[str, Any], article_path: Path) -> tuple[list[str], int]:
    """All problems of the content (French messages) and the number of quotes checked."""
    problems = check_ids(raw) + check_references(raw) + check_examples(read_examples())
    if not article_path.is_file():
        return [*problems, message("check_article_missing", path=article_path)], 0
    quote_problems, count = check_quotes(raw, article_path.read_text(encoding="utf-8"))
    return problems + quote_problems, count
