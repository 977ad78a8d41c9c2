"""bot.patches.perf_sqlite_wal and knowledge.store: SQLite files in write-ahead-log mode."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.patches import PATCHES, perf_sqlite_wal
from knowledge.store import make_engine, sqlite_pragmas


def journal_mode(path: Path) -> str:
    engine = sa.create_engine(f"sqlite:///{path}", future=True)  # no listener of its own
    with engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar_one()
    engine.dispose()
    return str(mode)


@pytest.fixture
def without_patch():
    yield
    sa.event.remove(sa.engine.Engine, "connect", sqlite_pragmas)


def tracker_store(path: Path) -> SQLTrackerStore:
    return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))


async def save_one_turn(store: SQLTrackerStore) -> None:
    tracker = DialogueStateTracker("wal-user", [])
    tracker.update(UserUttered("bonjour"))
    await store.save(tracker)


async def test_stock_rasa_keeps_the_rollback_journal(tmp_path: Path) -> None:
    # What the patch changes: without it the tracker file stays in the default journal mode.
    if sa.event.contains(sa.engine.Engine, "connect", sqlite_pragmas):
        sa.event.remove(sa.engine.Engine, "connect", sqlite_pragmas)
    await save_one_turn(tracker_store(tmp_path / "rasa.db"))
    assert journal_mode(tmp_path / "rasa.db") == "delete"


async def test_the_tracker_store_file_is_in_wal_mode_and_keeps_the_turn(
    tmp_path: Path, without_patch: None
) -> None:
    perf_sqlite_wal.apply()
    perf_sqlite_wal.apply()  # idempotent: one listener
    store = tracker_store(tmp_path / "rasa.db")
    await save_one_turn(store)
    assert journal_mode(tmp_path / "rasa.db") == "wal"  # WAL is a property of the file
    tracker = await tracker_store(tmp_path / "rasa.db").retrieve("wal-user")
    assert tracker is not None and tracker.latest_message.text == "bonjour"


def test_the_knowledge_base_file_is_in_wal_mode_and_memory_is_untouched(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'knowledge.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
    engine.dispose()
    assert journal_mode(tmp_path / "knowledge.db") == "wal"
    memory = make_engine("sqlite://")
    with memory.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "memory"


def test_the_patch_is_registered() -> None:
    assert "perf_sqlite_wal" in PATCHES
