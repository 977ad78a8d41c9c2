"""Storage: idempotent loading with a content version, repositories of frozen dataclasses, on
SQLite and PostgreSQL, and the engine functions reading from a configured database."""

from __future__ import annotations

import copy
import dataclasses
import os

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import knowledge
from knowledge import base
from knowledge.content import read_content
from knowledge.model import KnowledgeBase, Service
from knowledge.profile import SERVICE_IDS, SIGNAL_IDS
from knowledge.store import (
    ContentVersionRow,
    SignalPatternRow,
    list_services,
    list_signals,
    load_content,
    read_knowledge_base,
    stored_version,
)


def test_load_is_idempotent(db_session: Session) -> None:
    first = load_content(session=db_session)
    db_session.commit()
    second = load_content(session=db_session)
    db_session.commit()
    assert first.changed and not second.changed
    assert first.version == second.version == read_content()["version"]
    assert first.counts == second.counts
    assert first.counts["services"] == 5 and first.counts["signals"] == 12
    assert db_session.execute(select(func.count()).select_from(ContentVersionRow)).scalar() == 1


def test_changed_content_is_reloaded(db_session: Session) -> None:
    raw = read_content()
    load_content(session=db_session, raw=raw)
    db_session.commit()
    edited = copy.deepcopy(raw)
    edited["version"] = "edited-version"
    edited["signals"][0]["patterns"] = ["motif unique de test"]
    report = load_content(session=db_session, raw=edited)
    db_session.commit()
    assert report.changed
    assert stored_version(session=db_session) == "edited-version"
    patterns = db_session.execute(
        select(SignalPatternRow.pattern).where(
            SignalPatternRow.signal_id == "user_support_overload"
        )
    ).scalars()
    assert list(patterns) == ["motif unique de test"]


def test_repositories_return_frozen_dataclasses_in_content_order(db_session: Session) -> None:
    load_content(session=db_session)
    db_session.commit()
    services = list_services(session=db_session)
    assert [service.id for service in services] == list(SERVICE_IDS)
    assert isinstance(services[0], Service)
    with pytest.raises(dataclasses.FrozenInstanceError):
        services[0].title = "autre"  # type: ignore[misc]
    signals = list_signals(session=db_session)
    assert [signal.id for signal in signals] == list(SIGNAL_IDS)
    assert all(signal.patterns for signal in signals)
    kb = read_knowledge_base(session=db_session)
    assert isinstance(kb, KnowledgeBase)
    assert kb.version == read_content()["version"]
    assert set(kb.documents) == {
        "matching",
        "scoring",
        "trajectory",
        "situations",
        "facts",
        "labels",
    }
    # Accented text is stored as written.
    assert kb.service("infrastructure").title == "Infrastructure, serveurs et continuité d’activité"


def test_engine_uses_the_configured_postgresql(
    postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = {"pain_points": ["backup_doubt"], "trigger": "major_outage"}
    expected = knowledge.recommend(profile)
    monkeypatch.setenv("KNOWLEDGE_DATABASE_URL", postgres_schema_url)
    base.reset_cache()
    try:
        assert knowledge.recommend(profile) == expected
        engine = base.get_engine()
        with Session(engine, future=True) as session:
            assert stored_version(session=session) == read_content()["version"]
    finally:
        base.reset_cache()
        monkeypatch.setenv("KNOWLEDGE_DATABASE_URL", "sqlite://")


def test_default_database_is_a_sqlite_file_under_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KNOWLEDGE_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = knowledge.settings.database_url()
    assert url.startswith("sqlite:///") and url.endswith(os.path.join("var", "knowledge.db"))


def test_content_is_cached_in_memory_after_first_use() -> None:
    knowledge.recommend({})
    before = base.get_knowledge_base.cache_info().hits
    knowledge.recommend({"pain_points": ["server_instability"]})
    assert base.get_knowledge_base.cache_info().hits > before
