"""One call per user message: facts, pain points and the short answer to the asked field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .facts import extract_facts, parse_answer
from .signals import CLEAR, detect_signals


@dataclass(frozen=True)
class Reading:
    """What one message says: profile facts, pain points (clear, possible), and the answer to
    the question asked (None when there was none or it was not understood)."""

    facts: dict[str, Any] = field(default_factory=dict)
    pain_points: tuple[str, ...] = ()
    possible_pain_points: tuple[str, ...] = ()
    answer: Any = None


def read_message(text: str, asked: str | None = None, *, describes: bool = True) -> Reading:
    """Read ``text`` once (spaCy analysis is shared by the three readings).

    ``describes``: the message talks about the company (facts and pain points are read);
    ``asked``: the profile field of the question the user is answering, if any.
    Raises InputError (French) on a blank text, ProfileError on an unknown ``asked`` field.
    """
    facts: dict[str, Any] = {}
    clear: tuple[str, ...] = ()
    possible: tuple[str, ...] = ()
    if describes:
        facts = extract_facts(text)
        signals = detect_signals(text)
        clear = tuple(item for item, evidence in signals.items() if evidence == CLEAR)
        possible = tuple(item for item, evidence in signals.items() if evidence != CLEAR)
    answer = parse_answer(asked, text) if asked else None
    return Reading(facts=facts, pain_points=clear, possible_pain_points=possible, answer=answer)
