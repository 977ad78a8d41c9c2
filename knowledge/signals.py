"""Detect the contract's pain-point signals in free French text."""

from __future__ import annotations

from .base import get_knowledge_base, get_matcher, get_similarity
from .errors import InputError, message
from .text import analyze

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
    found: dict[str, str] = {}
    for signal in get_knowledge_base().signals:
        if matcher.best_match(signal.patterns, tokens):
            found[signal.id] = CLEAR
        elif signal.id in by_similarity:
            found[signal.id] = POSSIBLE
    return found


def detect_pain_points(text: str) -> list[str]:
    """Every signal id detected in ``text`` (clear or possible), in the content's order."""
    return list(detect_signals(text))
