"""Erasure and purge on Rasa's real SQL tracker store, SQLite and PostgreSQL: rows counted."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from store_helpers import count_rows, postgres_schema, postgres_store, sqlite_store

from bot.patches.privacy import deletion_requested
from bot.privacy import delete_conversation, purge_older_than


def conversation(sender: str, timestamp: float | None = None) -> DialogueStateTracker:
    events = [
        ActionExecuted("action_listen"),
        UserUttered("nous sommes 45, nos serveurs plantent", {"name": "describe_problem"}),
        SlotSet("headcount", 45),
        BotUttered("Merci, c’est noté."),
        ActionExecuted("action_listen"),
        UserUttered("supprimez mes données", {"name": "request_data_deletion"}),
        ActionExecuted("action_delete_data"),
    ]
    if timestamp is not None:
        for event in events:
            event.timestamp = timestamp
    return DialogueStateTracker.from_events(sender, events)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path: Path, monkeypatch):
    if request.param == "sqlite":
        yield sqlite_store(tmp_path)
        return
    with postgres_schema() as schema:
        sql_store = postgres_store(schema, monkeypatch)
        yield sql_store
        sql_store.engine.dispose()


async def test_erasure_leaves_no_row_for_the_conversation(store) -> None:
    await store.save(conversation("to-erase"))
    await store.save(conversation("someone-else"))
    before = count_rows(store, "to-erase")
    assert before == 7
    # Rasa wraps the SQL store; the erasure must reach the real one.
    deleted = delete_conversation(FailSafeTrackerStore(store), "to-erase")
    assert count_rows(store, "to-erase") == 0
    assert count_rows(store, "someone-else") == 7
    assert (deleted.user_messages, deleted.bot_messages, deleted.other_events) == (2, 1, 4)
    assert deleted.events == before
    assert deleted.storage in ("SQLite", "PostgreSQL")
    assert await store.retrieve("to-erase") is None


async def test_erasure_covers_every_session_of_the_conversation(store) -> None:
    from rasa.shared.core.events import SessionStarted

    tracker = conversation("two-sessions")
    tracker.update(SessionStarted())
    tracker.update(UserUttered("re-bonjour", {"name": "greet"}))
    await store.save(tracker)
    deleted = delete_conversation(store, "two-sessions")
    assert deleted.events == 9
    assert count_rows(store, "two-sessions") == 0


async def test_purge_deletes_only_conversations_older_than_the_cutoff(store) -> None:
    now = time.time()
    await store.save(conversation("old", now - 40 * 86400))
    await store.save(conversation("recent", now - 2 * 86400))
    conversations, events = purge_older_than(store.engine, now - 30 * 86400)
    assert (conversations, events) == (1, 7)
    assert count_rows(store, "old") == 0
    assert count_rows(store, "recent") == 7


async def test_erasure_in_the_memory_store() -> None:
    store = InMemoryTrackerStore(None)
    await store.save(conversation("memo"))
    deleted = delete_conversation(store, "memo")
    assert deleted.events == 7 and deleted.user_messages == 2
    assert await store.retrieve("memo") is None


def test_deletion_is_detected_only_in_the_turn_that_asked_for_it() -> None:
    tracker = conversation("x")
    assert deletion_requested(tracker)
    tracker.update(ActionExecuted("action_listen"))
    assert deletion_requested(tracker)
    tracker.update(UserUttered("bonjour", {"name": "greet"}))
    assert not deletion_requested(tracker)


async def test_purge_command_on_postgresql(monkeypatch) -> None:
    import subprocess
    import sys

    from bot.settings import ROOT

    with postgres_schema() as schema:
        store = postgres_store(schema, monkeypatch)
        now = time.time()
        await store.save(conversation("very-old", now - 100 * 86400))
        await store.save(conversation("fresh", now - 86400))
        env = {
            **os.environ,
            "TRACKER_STORE": "postgresql",
            "TRACKER_STORE_URL": "postgresql://postgres@127.0.0.1:5432/test"
            f"?options=-csearch_path%3D{schema}",
            "RETENTION_DAYS": "90",
        }
        result = subprocess.run(
            [sys.executable, "-m", "bot.purge"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(
            "Purge (conservation 90 jours) : 1 conversation(s) supprimée(s), 7 événement(s)"
        ), result.stdout
        assert count_rows(store, "very-old") == 0 and count_rows(store, "fresh") == 7
        store.engine.dispose()
