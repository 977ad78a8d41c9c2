"""Detect the contract's pain-point signals in free French text."""

from __future__ import annotations

from .base import get_knowledge_base, get_matcher
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
    """Signal ids found in ``text``, in the content's order; negated mentions do not count."""
    tokens = analyze(check_text(text))
    matcher = get_matcher()
    return [
        signal.id
        for signal in get_knowledge_base().signals
        if matcher.best_match(signal.patterns, tokens)
    ]
