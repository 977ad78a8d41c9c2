"""Coming back to a plan: what changed between two advice payloads (pure, no database)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Move:
    service: str
    title: str
    old: int | None  # rank before (None: was not a priority)
    new: int | None  # rank now (None: no longer a priority)


@dataclass(frozen=True)
class PlanChanges:
    up: list[Move] = field(default_factory=list)
    down: list[Move] = field(default_factory=list)
    added: list[Move] = field(default_factory=list)
    removed: list[Move] = field(default_factory=list)
    warnings_added: list[str] = field(default_factory=list)
    warnings_removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.up
            or self.down
            or self.added
            or self.removed
            or self.warnings_added
            or self.warnings_removed
        )


def compare_plans(before: Mapping[str, Any], after: Mapping[str, Any]) -> PlanChanges:
    """Services that moved up or down, entered or left the priorities; warnings that came or went.

    Lists follow the new plan's order (then the old one's for what left).
    """
    old_ranks = {p["service"]: p["rank"] for p in before["priorities"]}
    new_ranks = {p["service"]: p["rank"] for p in after["priorities"]}
    titles = {p["service"]: p["title"] for p in [*before["priorities"], *after["priorities"]]}
    changes = PlanChanges()
    for priority in after["priorities"]:
        service, new = priority["service"], priority["rank"]
        old = old_ranks.get(service)
        move = Move(service, titles[service], old, new)
        if old is None:
            changes.added.append(move)
        elif new < old:
            changes.up.append(move)
        elif new > old:
            changes.down.append(move)
    for priority in before["priorities"]:
        if priority["service"] not in new_ranks:
            changes.removed.append(
                Move(priority["service"], titles[priority["service"]], priority["rank"], None)
            )
    old_warnings = [w["id"] for w in before["warnings"]]
    new_warnings = [w["id"] for w in after["warnings"]]
    changes.warnings_added.extend(w for w in new_warnings if w not in old_warnings)
    changes.warnings_removed.extend(w for w in old_warnings if w not in new_warnings)
    return changes
