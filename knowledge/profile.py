"""The company profile the advice engine reasons on (fields and values from CONTRACT.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any

from .errors import ProfileError, join_values, message

SERVICE_IDS = ("user_support", "infrastructure", "security", "monitoring", "governance")
OUTSOURCEABLE_IDS = SERVICE_IDS[:4]
SIGNAL_IDS = (
    "user_support_overload",
    "server_instability",
    "backup_doubt",
    "continuity_risk",
    "security_exposure",
    "reactive_it",
    "key_person_dependency",
    "staff_departure",
    "chronic_overload",
    "cost_pressure",
    "lack_visibility",
    "provider_dependency",
)
WARNING_IDS = (
    "keep_governance",
    "provider_dependency",
    "emergency_outsourcing",
    "too_broad_too_fast",
    "cost_only",
    "frozen_scope",
    "undefined_scope",
)
FIELD_CASE_IDS = ("noise_outsourcing", "poorly_framed")
TOPICS = (
    "what_to_outsource",
    "service",
    "what_to_keep",
    "risks",
    "how_to_start",
    "example",
    "cost",
)
# trigger "none" means the user said explicitly that nothing urgent pushes them; null (or an
# absent key) means we do not know.
NO_EMERGENCY = "none"
EMERGENCY_TRIGGERS = ("major_outage", "staff_departure", "chronic_overload")

#: Field name -> allowed values (tuple) or type. ``pain_points`` is a *list* of values from its
#: tuple; every other tuple field takes one value. ``trigger``, ``motive`` and ``scope_wish``
#: also accept ``None`` (unknown).
PROFILE_FIELDS: Mapping[str, tuple[Any, ...] | type] = MappingProxyType(
    {
        "headcount": int,
        "sector": ("industry", "services", "retail", "public", "other"),
        "multi_site": bool,
        "it_staff": ("none", "non_specialist", "it_team", "cio"),
        "digital_dependency": ("low", "medium", "high"),
        "trigger": (*EMERGENCY_TRIGGERS, NO_EMERGENCY),
        "motive": ("cost", "control", "both"),
        "scope_wish": ("targeted", "everything"),
        "current_provider": ("none", "partial", "full"),
        "scope_services": OUTSOURCEABLE_IDS,
        "pain_points": SIGNAL_IDS,
        "possible_pain_points": SIGNAL_IDS,
    }
)
#: Fields that take a list of values. ``possible_pain_points`` are signals seen without clear
#: evidence (word-vector stage only): carried in the payload, never said in the plan's sentences.
LIST_FIELDS = frozenset({"pain_points", "possible_pain_points", "scope_services"})
#: Fields that only qualify others: never reported as missing.
UNREPORTED_FIELDS = frozenset({"possible_pain_points", "scope_services"})
HEADCOUNT_RANGE = (1, 100_000)


@dataclass(frozen=True)
class Profile:
    """A validated profile; ``None`` means the field was not provided."""

    headcount: int | None = None
    sector: str | None = None
    multi_site: bool | None = None
    it_staff: str | None = None
    digital_dependency: str | None = None
    trigger: str | None = None
    motive: str | None = None
    scope_wish: str | None = None
    current_provider: str | None = None
    scope_services: tuple[str, ...] = ()
    pain_points: tuple[str, ...] = ()
    possible_pain_points: tuple[str, ...] = ()

    def value(self, field_name: str) -> Any:
        return getattr(self, field_name)

    @property
    def missing(self) -> list[str]:
        """Fields not provided, in PROFILE_FIELDS order (no pain point counts as missing)."""
        return [
            name
            for name in PROFILE_FIELDS
            if name not in UNREPORTED_FIELDS
            and (not self.pain_points if name == "pain_points" else self.value(name) is None)
        ]

    @property
    def emergency(self) -> bool:
        return self.trigger in EMERGENCY_TRIGGERS

    @property
    def narrow_scope(self) -> tuple[str, ...]:
        """The services the user asked for alone (a stated targeted scope), else ()."""
        return self.scope_services if self.scope_wish == "targeted" else ()

    def as_dict(self) -> dict[str, Any]:
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        for name in LIST_FIELDS:
            data[name] = list(data[name])
        return data


def validate_profile(profile: Mapping[str, Any] | Profile) -> Profile:
    """Check every field and value; raise ProfileError (French) on anything unknown."""
    if isinstance(profile, Profile):
        return profile
    if not isinstance(profile, Mapping):
        raise ProfileError(message("profile_not_mapping"))
    values: dict[str, Any] = {}
    for name, value in profile.items():
        if name not in PROFILE_FIELDS:
            raise ProfileError(
                message("unknown_field", field=name, allowed=join_values(PROFILE_FIELDS))
            )
        values[name] = _validate_value(name, value)
    return Profile(**values)


def _validate_value(name: str, value: Any) -> Any:
    allowed = PROFILE_FIELDS[name]
    if name == "headcount":
        low, high = HEADCOUNT_RANGE
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ProfileError(message("bad_headcount", value=value, min=low, max=high))
        return value
    if allowed is bool:
        if value is None or isinstance(value, bool):
            return value
        raise ProfileError(message("bad_boolean", field=name, value=value))
    if not isinstance(allowed, tuple):  # headcount and booleans are handled above
        raise ProfileError(
            message("unknown_field", field=name, allowed=join_values(PROFILE_FIELDS))
        )
    if name in LIST_FIELDS:
        if value is None:
            return ()
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ProfileError(message("bad_list", field=name, allowed=join_values(allowed)))
        for item in value:
            if item not in allowed:
                raise ProfileError(
                    message("unknown_value", field=name, value=item, allowed=join_values(allowed))
                )
        return tuple(dict.fromkeys(value))
    if value is None or (isinstance(value, str) and value in allowed):
        return value
    raise ProfileError(
        message("unknown_value", field=name, value=value, allowed=join_values(allowed))
    )
