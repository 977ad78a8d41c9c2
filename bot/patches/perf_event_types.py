"""Look up event classes by type name in a table instead of walking every subclass each time.

Rasa 3.6.21 turns each stored or received event dict into an object with
`Event.resolve_by_type(type_name)`, which calls `all_subclasses(Event)` (a recursive walk of
about thirty classes, each checked with `inspect.isabstract`) for every single event. The
in-memory and SQL tracker stores rebuild the whole conversation from its dicts at every turn, and
every action server response is read the same way: 1 327 lookups for 29 turns, 3-4 % of the
Rasa server's samples under load (py-spy, issue #9). Here the class Rasa's own method returns for
a name is remembered; a name it does not know still goes through it (same default, same error).
"""

from __future__ import annotations

from typing import Any

MARK = "_perf_event_table"
_table: dict[str, Any] = {}


def apply() -> None:
    from rasa.shared.core.events import Event

    original = Event.__dict__["resolve_by_type"].__func__
    if getattr(original, MARK, False):
        return

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        cls = _table.get(type_name)
        if cls is not None:
            return cls
        found = original(type_name, default)
        if found is not None and found is not default:
            _table[type_name] = found
        return found

    setattr(resolve_by_type, MARK, True)
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]
