"""Erasing conversations from the tracker store: one conversation on request, old ones by age.

Used in the Rasa server (bot/patches/privacy.py, after the turn that asked for it) and by the
purge command (bot/purge.py). Works on Rasa's SQL tracker store (SQLite, PostgreSQL: table
`events`) and on the in-memory store; the knowledge database holds no conversation data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

EVENTS = sa.table(
    "events",
    sa.column("id"),
    sa.column("sender_id"),
    sa.column("type_name"),
    sa.column("timestamp"),
)


@dataclass(frozen=True)
class Deleted:
    """What was erased for one conversation, by kind of event."""

    storage: str
    user_messages: int
    bot_messages: int
    other_events: int

    @property
    def events(self) -> int:
        return self.user_messages + self.bot_messages + self.other_events


def _count(types: Counter[str], storage: str) -> Deleted:
    user, bot = types.pop("user", 0), types.pop("bot", 0)
    return Deleted(storage, user, bot, sum(types.values()))


def innermost_store(store: Any) -> Any:
    """The store under Rasa's wrappers (FailSafeTrackerStore, AwaitableTrackerStore)."""
    seen = set()
    while id(store) not in seen:
        seen.add(id(store))
        inner = getattr(store, "_tracker_store", None)
        if inner is None:
            break
        store = inner
    return store


def storage_name(store: Any) -> str:
    engine = getattr(store, "engine", None)
    if engine is not None:
        return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
            engine.dialect.name, engine.dialect.name
        )
    return "mémoire"


def delete_sql_conversation(engine: sa.engine.Engine, sender_id: str) -> Counter[str]:
    """Deletes every event of `sender_id`; returns the deleted rows counted by type."""
    with engine.begin() as connection:
        rows = connection.execute(
            sa.select(EVENTS.c.type_name, sa.func.count())
            .where(EVENTS.c.sender_id == sender_id)
            .group_by(EVENTS.c.type_name)
        ).all()
        connection.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id == sender_id))
    return Counter({type_name: count for type_name, count in rows})


def delete_conversation(tracker_store: Any, sender_id: str) -> Deleted:
    """Erases the conversation from Rasa's tracker store (every session of it)."""
    store = innermost_store(tracker_store)
    engine = getattr(store, "engine", None)
    if engine is not None:
        return _count(delete_sql_conversation(engine, sender_id), storage_name(store))
    memory = getattr(store, "store", None)
    if isinstance(memory, dict):
        from rasa.shared.core.events import Event

        serialised = memory.pop(sender_id, None)
        types: Counter[str] = Counter()
        if serialised:
            import json

            for event in json.loads(serialised).get("events", []):
                types[Event.resolve_by_type(event["event"]).type_name] += 1
        return _count(types, "mémoire")
    raise TypeError(f"tracker store {type(store).__name__} is not supported for erasure")


def purge_older_than(engine: sa.engine.Engine, cutoff_timestamp: float) -> tuple[int, int]:
    """Deletes conversations whose latest event is older than the cutoff (Unix time).

    Returns (conversations, events) deleted.
    """
    latest = (
        sa.select(EVENTS.c.sender_id)
        .group_by(EVENTS.c.sender_id)
        .having(sa.func.max(EVENTS.c.timestamp) < cutoff_timestamp)
    )
    with engine.begin() as connection:
        senders = [row[0] for row in connection.execute(latest)]
        events = 0
        for start in range(0, len(senders), 500):
            chunk = senders[start : start + 500]
            result = connection.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id.in_(chunk)))
            events += result.rowcount
    return len(senders), events
