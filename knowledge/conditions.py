"""Evaluate the ``when`` conditions written in the YAML content against a profile.

A condition answers two things: does it hold, and because of what (profile fields or signal ids),
so every warning and score can name what the user said.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .profile import Profile


@dataclass(frozen=True)
class Context:
    profile: Profile
    top_service: str | None = None
    top_because: tuple[str, ...] = ()


def evaluate(condition: Mapping[str, Any], context: Context) -> tuple[bool, list[str]]:
    """``(holds, because_of)`` for one condition of the content."""
    if "any" in condition:
        results = [evaluate(item, context) for item in condition["any"]]
        return any(ok for ok, _ in results), _merge(because for ok, because in results if ok)
    if "all" in condition:
        results = [evaluate(item, context) for item in condition["all"]]
        return all(ok for ok, _ in results), _merge(because for _, because in results)
    if "not" in condition:
        ok, _ = evaluate(condition["not"], context)
        stated = [ref for ref in referenced(condition["not"]) if _stated(ref, context.profile)]
        return not ok, stated
    if "signals" in condition:
        found = [signal for signal in condition["signals"] if signal in context.profile.pain_points]
        return bool(found), found
    if "top_service" in condition:
        ok = context.top_service == condition["top_service"]
        return ok, list(context.top_because) if ok else []
    if "field" in condition:
        # An unknown field is not a reason: « because_of » names only what the user told us.
        because = [] if condition.get("missing") else [condition["field"]]
        return _field(condition, context.profile), because
    raise ValueError(f"unknown condition: {condition!r}")


def _stated(ref: str, profile: Profile) -> bool:
    if ref in profile.pain_points:
        return True
    return hasattr(profile, ref) and profile.value(ref) not in (None, ())


def _field(condition: Mapping[str, Any], profile: Profile) -> bool:
    value = profile.value(condition["field"])
    if condition.get("missing"):
        return value is None or value == ()
    if value is None:
        return False
    if "in" in condition and value not in condition["in"]:
        return False
    if "min" in condition and value < condition["min"]:
        return False
    return not ("max" in condition and value > condition["max"])


def referenced(condition: Mapping[str, Any]) -> list[str]:
    """Every field and signal a condition looks at (for ``not`` and for the content lint)."""
    if "any" in condition or "all" in condition:
        return _merge(referenced(item) for item in condition.get("any", condition.get("all")))
    if "not" in condition:
        return referenced(condition["not"])
    if "signals" in condition:
        return list(condition["signals"])
    if "field" in condition:
        return [condition["field"]]
    return []


def _merge(groups: Any) -> list[str]:
    merged: dict[str, None] = {}
    for group in groups:
        merged.update(dict.fromkeys(group))
    return list(merged)
