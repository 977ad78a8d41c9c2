"""Detect the contract's pain-point signals in free French text."""

from __future__ import annotations

from .base import get_knowledge_base, get_matcher, get_similarity
from .errors import InputError, message
from .text import analyze


def check_text(text: object) -> str:
    """The text itself, or InputError (French) when it is not a non-blank string."""
    if not isinstance(text, str):
        raise InputError(message("not_text"))
    if not text.strip():
        raise InputError(message("empty_text"))
    return text


def detect_pain_points(text: str) -> list[str]:
    """Signal ids found in ``text``, in the content's order; negated mentions do not count.

    Patterns first; then word-vector similarity with each signal's key terms for paraphrases
    the patterns do not list (``similarity`` in ``matching.yml``).
    """
    tokens = analyze(check_text(text))
    matcher = get_matcher()
    by_similarity = get_similarity().detect(matcher, tokens)
    return [
        signal.id
        for signal in get_knowledge_base().signals
        if signal.id in by_similarity or matcher.best_match(signal.patterns, tokens)
    ]
