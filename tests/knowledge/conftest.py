"""Fixtures of the knowledge tests.

- The engine functions run on a fresh in-memory SQLite database for the session (content loaded
  once, spaCy loaded once through the engine's lazy cache).
- ``session_factory`` is parametrised over SQLite (in memory, per test) and PostgreSQL (a schema
  of its own per test, dropped afterwards, so parallel runs do not collide). With CI=true an
  unreachable PostgreSQL fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from knowledge import base, settings
from knowledge.store import create_schema, make_engine

DEFAULT_POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() == "true"


def postgres_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


@pytest.fixture(scope="session", autouse=True)
def engine_on_memory_sqlite() -> Iterator[None]:
    """Point the engine at an in-memory SQLite database for the whole session."""
    saved = {name: os.environ.get(name) for name in ("KNOWLEDGE_DATABASE_URL", "DATABASE_URL")}
    os.environ["KNOWLEDGE_DATABASE_URL"] = "sqlite://"
    os.environ.pop("DATABASE_URL", None)
    base.reset_cache()
    yield
    base.reset_cache()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def article() -> str:
    path = settings.article_path()
    if not path.is_file():
        if IN_CI:
            pytest.fail(f"article introuvable en CI : {path}")
        pytest.skip(f"article absent hors CI ({path}) : vérification des citations sautée")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def article_path(article: str) -> Path:
    return settings.article_path()


def _postgres_engine(schema: str) -> Engine:
    admin = make_engine(postgres_url())
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as error:
        admin.dispose()
        reason = f"PostgreSQL injoignable ({postgres_url()}) : {error.orig}"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    admin.dispose()
    return make_engine(postgres_url()).execution_options(schema_translate_map={None: schema})


@pytest.fixture(params=["sqlite", "postgresql"])
def db_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A fresh empty database with the knowledge tables, on each backend."""
    if request.param == "sqlite":
        engine = make_engine("sqlite://")
        create_schema(engine)
        yield engine
        engine.dispose()
        return
    schema = f"kb_test_{uuid.uuid4().hex[:12]}"
    engine = _postgres_engine(schema)
    try:
        create_schema(engine)
        yield engine
    finally:
        engine.dispose()
        admin = make_engine(postgres_url())
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db_session(db_engine: Engine) -> Iterator[Session]:
    with Session(db_engine, future=True) as session:
        yield session


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema (for the engine's own factory)."""
    schema = f"kb_test_{uuid.uuid4().hex[:12]}"
    _postgres_engine(schema).dispose()
    separator = "&" if "?" in postgres_url() else "?"
    yield f"{postgres_url()}{separator}options=-csearch_path%3D{schema}"
    admin = make_engine(postgres_url())
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()
