"""Shared slot helpers: the profile slots, their "unknown" marker, and the engine profile."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

# Fields the form asks, in the order of the design (headcount, sites, who runs IT, what a
# provider already runs, dependency on IT, an emergency, the motive). Their allowed values come
# from the engine (knowledge.PROFILE_FIELDS); tests/actions/test_domain.py keeps the domain's
# required slots and button payloads in step with both.
ASKED_FIELDS: tuple[str, ...] = (
    "headcount",
    "multi_site",
    "it_staff",
    "current_provider",
    "digital_dependency",
    "trigger",
    "motive",
)
# Profile fields kept in slots; sector, scope_wish and scope_services only come from free text.
PROFILE_SLOTS: tuple[str, ...] = (*ASKED_FIELDS, "sector", "scope_wish", "scope_services")
# Fields that hold a list of ids.
LIST_SLOTS = frozenset({"scope_services"})

# Stored when the user says "je ne sais pas" or skips: the question is not asked again and the
# engine receives None (reported in `missing`).
UNKNOWN = "unknown"

PAIN_POINTS = "pain_points"
POSSIBLE_PAIN_POINTS = "possible_pain_points"
ANSWERED = "diagnostic_answered"
STEP = "diagnostic_step"
TOTAL = "diagnostic_total"
DONE = "diagnostic_done"

_TRUE = {"true", "yes", "oui", "1"}
_FALSE = {"false", "no", "non", "0"}


def normalize_entity_value(field: str, value: Any) -> Any:
    """Turn a button payload entity into the contract value (JSON payloads may carry strings)."""
    if value is None:
        return None
    if field == "multi_site":
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return None
    if field == "headcount":
        try:
            number = int(value)
        except (TypeError, ValueError):
            return None
        return number if number > 0 else None
    text = str(value).strip()
    return text or None


def profile_from_slots(tracker: Tracker) -> dict[str, Any]:
    """Engine profile from the slots: "unknown" and unset both become None."""
    profile: dict[str, Any] = {}
    for field in PROFILE_SLOTS:
        value = tracker.get_slot(field)
        if field in LIST_SLOTS:
            profile[field] = list(value or [])
        else:
            profile[field] = None if value in (None, UNKNOWN) else value
    profile[PAIN_POINTS] = list(tracker.get_slot(PAIN_POINTS) or [])
    possible = tracker.get_slot(POSSIBLE_PAIN_POINTS) or []
    profile[POSSIBLE_PAIN_POINTS] = [item for item in possible if item not in profile[PAIN_POINTS]]
    return profile


def latest_intent(tracker: Tracker) -> str | None:
    """Name of the intent of the latest user message."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> str:
    """Text of the latest user message ("" for button payloads without text)."""
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text
