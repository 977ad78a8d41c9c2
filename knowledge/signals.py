"""Detect the contract's pain-point signals in free French text."""

from __future__ import annotations

from functools import lru_cache

from .base import get_knowledge_base, get_matcher, get_similarity
from .errors import InputError, message
from .text import Token, analyze, parse_pattern

CLEAR, POSSIBLE = "clear", "possible"


def check_text(text: object) -> str:
    """The text itself, or InputError (French) when it is not a non-blank string."""
    if not isinstance(text, str):
        raise InputError(message("not_text"))
    if not text.strip():
        raise InputError(message("empty_text"))
    return text


def detect_signals(text: str) -> dict[str, str]:
    """Signal id -> evidence, in the content's order; negated mentions do not count.

    ``clear``: a pattern of the content matched (the text says it). ``possible``: only the
    word-vector stage (``similarity`` in ``matching.yml``) saw a paraphrase; such a signal is
    carried in the payload but never named in the plan's sentences.
    """
    tokens = analyze(check_text(text))
    matcher = get_matcher()
    by_similarity = get_similarity().detect(matcher, tokens)
    hedged = _hedged(tokens)
    found: dict[str, str] = {}
    for signal in get_knowledge_base().signals:
        if matcher.best_match(signal.patterns, tokens) or signal.id in hedged:
            found[signal.id] = CLEAR
        elif signal.id in by_similarity:
            found[signal.id] = POSSIBLE
    return found


@lru_cache(maxsize=1)
def _hedge_patterns() -> tuple[list[tuple[str, ...]], dict[str, list[tuple[str, ...]]]]:
    matching = get_knowledge_base().documents["matching"]
    hedges = [parse_pattern(item) for item in matching.get("hedges", ())]
    subjects = {
        signal: [parse_pattern(item) for item in patterns]
        for signal, patterns in matching.get("hedged_signals", {}).items()
    }
    return hedges, subjects


def _hedged(tokens: tuple[Token, ...]) -> set[str]:
    """Signals whose subject is named in a text that also says it is not sure."""
    matcher = get_matcher()
    hedges, subjects = _hedge_patterns()
    if not any(next(iter(matcher.find(hedge, tokens)), None) for hedge in hedges):
        return set()
    return {
        signal
        for signal, patterns in subjects.items()
        if any(next(iter(matcher.find(pattern, tokens)), None) for pattern in patterns)
    }


def detect_pain_points(text: str) -> list[str]:
    """Every signal id detected in ``text`` (clear or possible), in the content's order."""
    return list(detect_signals(text))
