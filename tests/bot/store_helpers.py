"""Real Rasa SQL tracker stores for tests: SQLite in a temporary folder, PostgreSQL in a schema of
its own (database `test` on 127.0.0.1:5432, as on the development and CI machines)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)


@contextmanager
def postgres_schema(prefix: str = "safety") -> Iterator[str]:
    """A fresh schema, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(POSTGRES_URL, future=True)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def sqlite_store(tmp_path: Path):
    from rasa.core.tracker_store import SQLTrackerStore

    return SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))


def postgres_store(schema: str, monkeypatch):
    """Rasa's own SQLTrackerStore on PostgreSQL, in `schema` (Rasa reads POSTGRESQL_SCHEMA)."""
    from rasa.core.tracker_store import SQLTrackerStore

    url = sa.engine.make_url(POSTGRES_URL)
    monkeypatch.setenv("POSTGRESQL_SCHEMA", schema)
    return SQLTrackerStore(
        dialect="postgresql",
        host=url.host,
        port=url.port,
        db=url.database,
        username=url.username,
    )


def count_rows(store, sender_id: str | None = None) -> int:
    query = "SELECT count(*) FROM events"
    params = {}
    if sender_id is not None:
        query += " WHERE sender_id = :sender"
        params = {"sender": sender_id}
    with store.engine.connect() as connection:
        return connection.execute(sa.text(query), params).scalar_one()
