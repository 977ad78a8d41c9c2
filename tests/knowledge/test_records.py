"""Stored plans, report links, leads and events: on SQLite and PostgreSQL, erasure and retention."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge import records

PLAN = {"type": "advice", "version": 1, "priorities": [], "warnings": []}


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    records.create_records_schema(db_engine)
    with Session(db_engine, future=True) as session:
        yield session


def _lead(session: Session, sender: str = "alice", plan_id: int | None = None) -> records.Lead:
    return records.save_lead(
        session=session,
        sender_id=sender,
        name="Jeanne Müller",
        email="jeanne@example.fr",
        consent_text="Acceptez-vous ?",
        plan_id=plan_id,
        plan=PLAN,
    )


def test_the_latest_plan_is_the_senders_own(session: Session) -> None:
    first = records.save_plan(session=session, sender_id="alice", profile={"a": 1}, advice=PLAN)
    second = records.save_plan(session=session, sender_id="alice", profile={"a": 2}, advice=PLAN)
    records.save_plan(session=session, sender_id="bob", profile={"a": 3}, advice=PLAN)
    latest = records.latest_plan(session=session, sender_id="alice")
    assert latest is not None and latest.id == second.id and latest.profile == {"a": 2}
    before = records.latest_plan(
        session=session, sender_id="alice", before=second.created_at + timedelta(microseconds=0)
    )
    assert before is None or before.id == first.id
    assert records.latest_plan(session=session, sender_id="carol") is None


def test_the_sender_id_itself_is_never_stored(session: Session) -> None:
    sender = "widget-5f1c-browser"
    plan = records.save_plan(session=session, sender_id=sender, profile={}, advice=PLAN)
    _lead(session, sender, plan.id)
    records.record_event(session=session, sender_id=sender, kind="plan", data={})
    session.flush()
    for row_class in (records.PlanRow, records.LeadRow, records.EventRow):
        rows = session.execute(select(row_class.__table__)).all()
        assert rows and all(sender not in str(tuple(row)) for row in rows), row_class
        assert "sender_id" not in row_class.__table__.columns


def test_report_links_are_unguessable_and_expire(session: Session) -> None:
    plan = records.save_plan(session=session, sender_id="alice", profile={}, advice=PLAN)
    links = {
        records.create_report_link(session=session, plan_id=plan.id, ttl_days=30).token
        for _ in range(20)
    }
    assert len(links) == 20 and all(len(token) >= 43 for token in links)
    token = links.pop()
    found = records.find_report(session=session, token=token)
    assert found.plan is not None and found.plan.id == plan.id and not found.expired
    assert found.link is not None
    later = found.link.expires_at + timedelta(seconds=1)
    expired = records.find_report(session=session, token=token, at=later)
    assert expired.expired and expired.plan is None
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert records.find_report(session=session, token=forged) == records.ReportLookup(
        None, False, None
    )
    assert records.find_report(session=session, token="x").plan is None


def test_a_lead_is_claimed_by_one_worker_and_delivered_once(session: Session) -> None:
    lead = _lead(session)
    session.commit()
    claimed = records.claim_pending_lead(session=session)
    assert claimed is not None and claimed.id == lead.id
    assert records.claim_pending_lead(session=session) is None  # leased to the first worker
    records.mark_failed(session=session, lead_id=lead.id, error="down", retry_in_seconds=0)
    session.commit()
    again = records.claim_pending_lead(session=session)
    assert again is not None and again.attempts == 1 and again.last_error == "down"
    records.mark_delivered(session=session, lead_id=lead.id)
    session.commit()
    assert records.claim_pending_lead(session=session) is None
    (stored,) = records.list_leads(session=session)
    assert stored.delivered_at is not None and stored.attempts == 2
    assert stored.name == "Jeanne Müller"  # accents kept as typed


def test_erasure_removes_everything_of_one_sender_only(session: Session) -> None:
    for sender in ("alice", "bob"):
        plan = records.save_plan(session=session, sender_id=sender, profile={}, advice=PLAN)
        records.create_report_link(session=session, plan_id=plan.id, ttl_days=30)
        records.create_report_link(session=session, plan_id=plan.id, ttl_days=30)
        _lead(session, sender, plan.id)
        records.record_event(session=session, sender_id=sender, kind="plan", data={})
    session.flush()
    counts = records.erase_conversation("alice", session=session)
    assert counts == {"report_tokens": 2, "leads": 1, "events": 1, "plans": 1}
    assert records.latest_plan(session=session, sender_id="alice") is None
    assert records.latest_plan(session=session, sender_id="bob") is not None
    assert [lead.sender_key for lead in records.list_leads(session=session)] == [
        records.sender_key("bob")
    ]
    assert records.erase_conversation("alice", session=session) == {
        "report_tokens": 0,
        "leads": 0,
        "events": 0,
        "plans": 0,
    }


def test_retention_purges_old_rows_but_keeps_undelivered_leads(session: Session) -> None:
    old = records.now() - timedelta(days=400)
    old_plan = records.save_plan(session=session, sender_id="a", profile={}, advice=PLAN, at=old)
    records.save_plan(session=session, sender_id="a", profile={}, advice=PLAN)
    records.record_event(session=session, sender_id="a", kind="plan", at=old)
    records.record_event(session=session, sender_id="a", kind="plan")
    pending = _lead(session, "a")
    delivered = _lead(session, "b")
    session.execute(
        records.LeadRow.__table__.update().values(consented_at=old)  # both consented long ago
    )
    records.mark_delivered(session=session, lead_id=delivered.id)
    session.flush()
    counts = records.purge_older_than(365, session=session)
    assert counts["plans"] == 1 and counts["events"] == 1 and counts["leads"] == 1
    assert records.get_plan(session=session, plan_id=old_plan.id) is None
    remaining = session.execute(select(records.LeadRow.id)).scalars().all()
    assert remaining == [pending.id]


def test_records_use_the_knowledge_engine(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from knowledge import base

    monkeypatch.setenv("KNOWLEDGE_DATABASE_URL", f"sqlite:///{tmp_path / 'kb.db'}")
    base.reset_cache()
    try:
        assert records.get_records_engine() is base.get_engine()
        assert records.erase_conversation("nobody") == {
            "report_tokens": 0,
            "leads": 0,
            "events": 0,
            "plans": 0,
        }
    finally:
        base.reset_cache()
