"""What the conversations leave behind: stored plans, report links, leads, anonymous events.

Same database and engine as the knowledge base (``base.get_engine``), separate tables (``rec_``
prefix) on their own metadata, so reloading the content never touches them. Conversations are
known by a SHA-256 of the channel's sender id (``sender_key``), never by the id itself; leads hold
the name and e-mail the user typed after consenting. ``erase_conversation`` removes everything
tied to one sender; ``purge_older_than`` applies the retention period. Repositories take the
session keyword-only and return frozen dataclasses, never ORM rows.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base

RecordsBase: Any = declarative_base()  # dynamic class: mypy cannot type it

TOKEN_BYTES = 32  # 256 random bits, URL-safe base64: 43 characters


class PlanRow(RecordsBase):
    __tablename__ = "rec_plan"
    id = Column(Integer, primary_key=True, autoincrement=True)
    sender_key = Column(String(64), nullable=False, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, index=True)
    profile = Column(JSON, nullable=False)
    advice = Column(JSON, nullable=False)


class ReportTokenRow(RecordsBase):
    __tablename__ = "rec_report_token"
    token = Column(String(64), primary_key=True)
    plan_id = Column(Integer, ForeignKey("rec_plan.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class LeadRow(RecordsBase):
    __tablename__ = "rec_lead"
    id = Column(Integer, primary_key=True, autoincrement=True)
    sender_key = Column(String(64), nullable=False, index=True)
    plan_id = Column(Integer, ForeignKey("rec_plan.id", ondelete="SET NULL"), nullable=True)
    name = Column(Text, nullable=False)
    email = Column(Text, nullable=False)
    consent_text = Column(Text, nullable=False)
    consented_at = Column(DateTime(timezone=True), nullable=False)
    plan = Column(JSON, nullable=True)  # the advice payload as it was shared
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text, nullable=True)
    claimed_until = Column(DateTime(timezone=True), nullable=True)
    delivered_at = Column(DateTime(timezone=True), nullable=True)


class EventRow(RecordsBase):
    """Anonymous usage events for the consultants' statistics: ids only, no text, no names."""

    __tablename__ = "rec_event"
    id = Column(Integer, primary_key=True, autoincrement=True)
    occurred_at = Column(DateTime(timezone=True), nullable=False, index=True)
    sender_key = Column(String(64), nullable=False, index=True)
    kind = Column(String(32), nullable=False)
    data = Column(JSON, nullable=False)


def sender_key(sender_id: str) -> str:
    """The key a conversation is stored under (the raw sender id is never stored)."""
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()


def now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; everything here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def create_records_schema(engine: Engine) -> None:
    RecordsBase.metadata.create_all(engine)


_ready: set[int] = set()


def get_records_engine() -> Engine:
    """The knowledge base's engine, with the records tables created on first use."""
    from .base import get_engine

    engine = get_engine()
    if id(engine) not in _ready:
        create_records_schema(engine)
        _ready.add(id(engine))
    return engine


def records_session() -> Session:
    return Session(get_records_engine(), future=True)


# -- dataclasses -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPlan:
    id: int
    sender_key: str
    created_at: datetime
    profile: dict[str, Any]
    advice: dict[str, Any]


@dataclass(frozen=True)
class ReportLink:
    token: str
    plan_id: int
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Lead:
    id: int
    sender_key: str
    plan_id: int | None
    name: str
    email: str
    consent_text: str
    consented_at: datetime
    plan: dict[str, Any] | None
    attempts: int
    last_error: str | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class Event:
    occurred_at: datetime
    sender_key: str
    kind: str
    data: dict[str, Any]


def _plan(row: PlanRow) -> StoredPlan:
    return StoredPlan(
        row.id, row.sender_key, _aware(row.created_at), dict(row.profile), dict(row.advice)
    )


def _lead(row: LeadRow) -> Lead:
    return Lead(
        id=row.id,
        sender_key=row.sender_key,
        plan_id=row.plan_id,
        name=row.name,
        email=row.email,
        consent_text=row.consent_text,
        consented_at=_aware(row.consented_at),
        plan=row.plan,
        attempts=row.attempts,
        last_error=row.last_error,
        delivered_at=_aware(row.delivered_at) if row.delivered_at else None,
    )


# -- plans -------------------------------------------------------------------------------------


def save_plan(
    *,
    session: Session,
    sender_id: str,
    profile: dict[str, Any],
    advice: dict[str, Any],
    at: datetime | None = None,
) -> StoredPlan:
    row = PlanRow(
        sender_key=sender_key(sender_id), created_at=at or now(), profile=profile, advice=advice
    )
    session.add(row)
    session.flush()
    return _plan(row)


def get_plan(*, session: Session, plan_id: int) -> StoredPlan | None:
    row = session.get(PlanRow, plan_id)
    return _plan(row) if row else None


def latest_plan(
    *, session: Session, sender_id: str, before: datetime | None = None
) -> StoredPlan | None:
    """The newest plan of this sender (strictly before ``before`` when given)."""
    query = select(PlanRow).where(PlanRow.sender_key == sender_key(sender_id))
    if before is not None:
        query = query.where(PlanRow.created_at < before)
    row = session.execute(
        query.order_by(PlanRow.created_at.desc(), PlanRow.id.desc()).limit(1)
    ).scalar_one_or_none()
    return _plan(row) if row else None


# -- report links ------------------------------------------------------------------------------


def create_report_link(*, session: Session, plan_id: int, ttl_days: int) -> ReportLink:
    created = now()
    row = ReportTokenRow(
        token=secrets.token_urlsafe(TOKEN_BYTES),
        plan_id=plan_id,
        created_at=created,
        expires_at=created + timedelta(days=ttl_days),
    )
    session.add(row)
    session.flush()
    return ReportLink(row.token, row.plan_id, created, row.expires_at)


@dataclass(frozen=True)
class ReportLookup:
    """``plan`` is set only for a known, unexpired token; ``expired`` tells 410 from 404."""

    plan: StoredPlan | None
    expired: bool
    link: ReportLink | None


def find_report(*, session: Session, token: str, at: datetime | None = None) -> ReportLookup:
    row = session.get(ReportTokenRow, token) if 20 <= len(token) <= 64 else None
    if row is None:
        return ReportLookup(None, False, None)
    link = ReportLink(row.token, row.plan_id, _aware(row.created_at), _aware(row.expires_at))
    if link.expires_at <= (at or now()):
        return ReportLookup(None, True, link)
    return ReportLookup(get_plan(session=session, plan_id=row.plan_id), False, link)


# -- leads -------------------------------------------------------------------------------------


def save_lead(
    *,
    session: Session,
    sender_id: str,
    name: str,
    email: str,
    consent_text: str,
    plan_id: int | None,
    plan: dict[str, Any] | None,
) -> Lead:
    row = LeadRow(
        sender_key=sender_key(sender_id),
        plan_id=plan_id,
        name=name,
        email=email,
        consent_text=consent_text,
        consented_at=now(),
        plan=plan,
        attempts=0,
    )
    session.add(row)
    session.flush()
    return _lead(row)


def list_leads(*, session: Session) -> list[Lead]:
    return [_lead(row) for row in session.execute(select(LeadRow).order_by(LeadRow.id)).scalars()]


def claim_pending_lead(*, session: Session, lease_seconds: int = 60) -> Lead | None:
    """Take one undelivered lead for delivery, so two workers never send the same one.

    The claim is a conditional UPDATE (one winner even across processes); it lapses after
    ``lease_seconds`` if the worker dies. The caller commits right after.
    """
    moment = now()
    candidates = session.execute(
        select(LeadRow.id)
        .where(LeadRow.delivered_at.is_(None))
        .where((LeadRow.claimed_until.is_(None)) | (LeadRow.claimed_until < moment))
        .order_by(LeadRow.id)
    ).scalars()
    for lead_id in list(candidates):
        claimed = session.execute(
            update(LeadRow)
            .where(LeadRow.id == lead_id, LeadRow.delivered_at.is_(None))
            .where((LeadRow.claimed_until.is_(None)) | (LeadRow.claimed_until < moment))
            .values(claimed_until=moment + timedelta(seconds=lease_seconds))
        )
        if claimed.rowcount == 1:
            return _lead(session.get(LeadRow, lead_id))
    return None


def mark_delivered(*, session: Session, lead_id: int) -> None:
    session.execute(
        update(LeadRow)
        .where(LeadRow.id == lead_id)
        .values(delivered_at=now(), claimed_until=None, attempts=LeadRow.attempts + 1)
    )


def mark_failed(*, session: Session, lead_id: int, error: str, retry_in_seconds: int) -> None:
    """Keep the lead; it may be tried again after ``retry_in_seconds``."""
    session.execute(
        update(LeadRow)
        .where(LeadRow.id == lead_id)
        .values(
            last_error=error[:500],
            claimed_until=now() + timedelta(seconds=retry_in_seconds),
            attempts=LeadRow.attempts + 1,
        )
    )


# -- anonymous events --------------------------------------------------------------------------


def record_event(
    *,
    session: Session,
    sender_id: str,
    kind: str,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    session.add(
        EventRow(
            occurred_at=at or now(), sender_key=sender_key(sender_id), kind=kind, data=data or {}
        )
    )


def list_events(*, session: Session, since: datetime | None = None) -> list[Event]:
    query = select(EventRow)
    if since is not None:
        query = query.where(EventRow.occurred_at >= since)
    rows = session.execute(query.order_by(EventRow.occurred_at, EventRow.id)).scalars()
    return [Event(_aware(r.occurred_at), r.sender_key, r.kind, dict(r.data)) for r in rows]


# -- erasure and retention ---------------------------------------------------------------------


def _erase(session: Session, plan_filter: Any, lead_filter: Any, event_filter: Any) -> dict:
    plan_ids = list(session.execute(select(PlanRow.id).where(plan_filter)).scalars())

    def run(statement: Any) -> int:
        return session.execute(statement.execution_options(synchronize_session=False)).rowcount

    counts = {
        "report_tokens": run(delete(ReportTokenRow).where(ReportTokenRow.plan_id.in_(plan_ids))),
        "leads": run(delete(LeadRow).where(lead_filter)),
        "events": run(delete(EventRow).where(event_filter)),
    }
    # A lead kept (not yet delivered) may point at a plan being purged: keep the lead.
    run(update(LeadRow).where(LeadRow.plan_id.in_(plan_ids)).values(plan_id=None))
    counts["plans"] = run(delete(PlanRow).where(PlanRow.id.in_(plan_ids)))
    session.expire_all()
    return counts


def erase_conversation(sender_id: str, *, session: Session | None = None) -> dict[str, int]:
    """Delete every plan, report link, lead and event of this sender; rows deleted per table.

    Called by the data-deletion request. Commits when it opened the session itself.
    """
    key = sender_key(sender_id)
    if session is not None:
        return _erase(
            session,
            PlanRow.sender_key == key,
            LeadRow.sender_key == key,
            EventRow.sender_key == key,
        )
    with records_session() as own, own.begin():
        return _erase(
            own, PlanRow.sender_key == key, LeadRow.sender_key == key, EventRow.sender_key == key
        )


def purge_older_than(days: int, *, session: Session | None = None) -> dict[str, int]:
    """Retention: delete plans (with their links), leads and events older than ``days`` days.

    A lead not yet delivered is kept whatever its age; its consent still stands until erasure.
    """
    limit = now() - timedelta(days=days)
    filters = (
        PlanRow.created_at < limit,
        (LeadRow.consented_at < limit) & LeadRow.delivered_at.is_not(None),
        EventRow.occurred_at < limit,
    )
    if session is not None:
        counts = _erase(session, *filters)
        counts["report_tokens"] += _purge_expired_tokens(session, limit)
        return counts
    with records_session() as own, own.begin():
        counts = _erase(own, *filters)
        counts["report_tokens"] += _purge_expired_tokens(own, limit)
        return counts


def _purge_expired_tokens(session: Session, limit: datetime) -> int:
    statement = delete(ReportTokenRow).where(ReportTokenRow.expires_at < limit)
    return session.execute(statement.execution_options(synchronize_session=False)).rowcount
