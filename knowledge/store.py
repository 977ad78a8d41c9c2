"""Database side of the knowledge base: SQLAlchemy models, idempotent loader, repositories.

The YAML content is the source of truth; it is loaded into the configured database (SQLite file
by default, PostgreSQL by URL) with a content version, so several action servers can share one
knowledge database. Repositories return frozen dataclasses, never ORM rows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base
from sqlalchemy.pool import StaticPool

from .content import read_content
from .model import (
    Answer,
    FieldCase,
    KnowledgeBase,
    Paragraph,
    Service,
    Signal,
    Source,
    Support,
    Warning,
)
from .text import parse_pattern

Base: Any = declarative_base()  # dynamic class: mypy cannot type it


class ContentVersionRow(Base):
    __tablename__ = "kb_content_version"
    id = Column(Integer, primary_key=True)
    version = Column(String(64), nullable=False)
    loaded_at = Column(DateTime(timezone=True), nullable=False)


class ServiceRow(Base):
    __tablename__ = "kb_service"
    id = Column(String(40), primary_key=True)
    position = Column(Integer, nullable=False)
    title = Column(Text, nullable=False)
    section = Column(Text, nullable=False)
    quote = Column(Text, nullable=False)
    outsourceable = Column(Boolean, nullable=False)
    body = Column(JSON, nullable=False)


class SignalRow(Base):
    __tablename__ = "kb_signal"
    id = Column(String(40), primary_key=True)
    position = Column(Integer, nullable=False)
    label = Column(Text, nullable=False)


class SignalPatternRow(Base):
    __tablename__ = "kb_signal_pattern"
    id = Column(Integer, primary_key=True, autoincrement=True)
    signal_id = Column(String(40), ForeignKey("kb_signal.id", ondelete="CASCADE"), nullable=False)
    position = Column(Integer, nullable=False)
    pattern = Column(Text, nullable=False)


class SignalWeightRow(Base):
    __tablename__ = "kb_signal_weight"
    signal_id = Column(String(40), ForeignKey("kb_signal.id", ondelete="CASCADE"), primary_key=True)
    service_id = Column(
        String(40), ForeignKey("kb_service.id", ondelete="CASCADE"), primary_key=True
    )
    weight = Column(Integer, nullable=False)
    why = Column(Text, nullable=False)


class WarningRow(Base):
    __tablename__ = "kb_warning"
    id = Column(String(40), primary_key=True)
    position = Column(Integer, nullable=False)
    title = Column(Text, nullable=False)
    text = Column(Text, nullable=False)
    section = Column(Text, nullable=False)
    quote = Column(Text, nullable=False)
    condition = Column(JSON, nullable=False)


class FieldCaseRow(Base):
    __tablename__ = "kb_field_case"
    id = Column(String(40), primary_key=True)
    position = Column(Integer, nullable=False)
    title = Column(Text, nullable=False)
    text = Column(Text, nullable=False)
    section = Column(Text, nullable=False)
    quote = Column(Text, nullable=False)
    affinity = Column(JSON, nullable=False)


class AnswerRow(Base):
    __tablename__ = "kb_answer"
    topic = Column(String(40), primary_key=True)
    position = Column(Integer, nullable=False)
    paragraphs = Column(JSON, nullable=False)


class DocumentRow(Base):
    """Structured content used as a whole: labels, matching settings, facts lexicon, scoring..."""

    __tablename__ = "kb_document"
    name = Column(String(40), primary_key=True)
    body = Column(JSON, nullable=False)


# Children first, so deletes respect foreign keys.
_TABLES = (
    SignalWeightRow,
    SignalPatternRow,
    SignalRow,
    ServiceRow,
    WarningRow,
    FieldCaseRow,
    AnswerRow,
    DocumentRow,
    ContentVersionRow,
)


def sqlite_pragmas(dbapi_connection: Any, _record: Any = None) -> None:
    """Write-ahead log for a SQLite file: one fsync per commit instead of the rollback journal's
    several (34 -> 8 ms per commit on this project's machines), still durable
    (``synchronous=FULL``), and readers (report pages, purge, stats) never block the writer.
    A no-op on in-memory databases and on other databases' connections."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; in-memory SQLite keeps one shared connection, a SQLite file is
    opened in WAL mode (``sqlite_pragmas``)."""
    if url in {"sqlite://", "sqlite:///:memory:"}:
        return create_engine(
            url,
            future=True,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
        )
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", sqlite_pragmas)
    return engine


def create_schema(engine: Engine) -> None:
    Base.metadata.create_all(engine)


@dataclass(frozen=True)
class LoadReport:
    version: str
    changed: bool
    counts: dict[str, int]


def stored_version(*, session: Session) -> str | None:
    return session.execute(
        select(ContentVersionRow.version).order_by(ContentVersionRow.id.desc()).limit(1)
    ).scalar_one_or_none()


def load_content(
    *, session: Session, raw: dict[str, Any] | None = None, force: bool = False
) -> LoadReport:
    """Load the YAML content into the database unless the same version is already there.

    Idempotent: a second call with unchanged content writes nothing. The caller commits.
    """
    raw = raw if raw is not None else read_content()
    version = raw["version"]
    if not force and stored_version(session=session) == version:
        return LoadReport(version, False, count_rows(session=session))
    for table in _TABLES:
        session.execute(delete(table))
    session.flush()
    for position, item in enumerate(raw["services"]):
        body = {key: value for key, value in item.items() if key not in {"id", "title", "source"}}
        session.add(
            ServiceRow(
                id=item["id"],
                position=position,
                title=item["title"],
                section=item["source"]["section"],
                quote=item["source"]["quote"],
                outsourceable=bool(item["outsourceable"]),
                body=body,
            )
        )
    session.flush()
    for position, item in enumerate(raw["signals"]):
        session.add(SignalRow(id=item["id"], position=position, label=item["label"]))
        session.flush()
        for index, pattern in enumerate(item["patterns"]):
            session.add(SignalPatternRow(signal_id=item["id"], position=index, pattern=pattern))
        for service_id, support in item.get("supports", {}).items():
            session.add(
                SignalWeightRow(
                    signal_id=item["id"],
                    service_id=service_id,
                    weight=int(support["weight"]),
                    why=support["why"],
                )
            )
    for position, item in enumerate(raw["warnings"]):
        session.add(
            WarningRow(
                id=item["id"],
                position=position,
                title=item["title"],
                text=item["text"],
                section=item["source"]["section"],
                quote=item["source"]["quote"],
                condition=item["when"],
            )
        )
    for position, item in enumerate(raw["field_cases"]):
        session.add(
            FieldCaseRow(
                id=item["id"],
                position=position,
                title=item["title"],
                text=item["text"],
                section=item["source"]["section"],
                quote=item["source"]["quote"],
                affinity=item.get("affinity", []),
            )
        )
    for position, item in enumerate(raw["answers"]):
        session.add(
            AnswerRow(topic=item["topic"], position=position, paragraphs=item["paragraphs"])
        )
    for name, body in raw["documents"].items():
        session.add(DocumentRow(name=name, body=body))
    session.add(ContentVersionRow(version=version, loaded_at=datetime.now(timezone.utc)))
    session.flush()
    return LoadReport(version, True, count_rows(session=session))


def count_rows(*, session: Session) -> dict[str, int]:
    names = {
        "services": ServiceRow,
        "signals": SignalRow,
        "patterns": SignalPatternRow,
        "weights": SignalWeightRow,
        "warnings": WarningRow,
        "field_cases": FieldCaseRow,
        "answers": AnswerRow,
        "documents": DocumentRow,
    }
    return {
        name: session.execute(select(func.count()).select_from(row)).scalar_one()
        for name, row in names.items()
    }


# -- repositories ------------------------------------------------------------------------------


def _source(section: str, quote: str) -> Source:
    return Source(section=section, quote=quote)


def _paragraph(data: dict[str, Any] | None) -> Paragraph | None:
    if not data:
        return None
    source = data.get("source")
    return Paragraph(
        text=data["text"],
        source=_source(source["section"], source["quote"]) if source else None,
    )


def _paragraphs(items: list[dict[str, Any]]) -> tuple[Paragraph, ...]:
    return tuple(paragraph for paragraph in map(_paragraph, items) if paragraph is not None)


def list_services(*, session: Session) -> tuple[Service, ...]:
    rows = session.execute(select(ServiceRow).order_by(ServiceRow.position)).scalars()
    return tuple(
        Service(
            id=row.id,
            position=row.position,
            title=row.title,
            name=row.body["name"],
            source=_source(row.section, row.quote),
            outsourceable=row.outsourceable,
            default_why=row.body["default_why"],
            first_steps=tuple(row.body.get("first_steps", ())),
            answer=_paragraphs(row.body.get("answer", [])),
        )
        for row in rows
    )


def list_signals(*, session: Session) -> tuple[Signal, ...]:
    patterns: dict[str, list[tuple[str, ...]]] = {}
    for row in session.execute(
        select(SignalPatternRow).order_by(SignalPatternRow.signal_id, SignalPatternRow.position)
    ).scalars():
        patterns.setdefault(row.signal_id, []).append(parse_pattern(row.pattern))
    service_order = {row.id: row.position for row in session.execute(select(ServiceRow)).scalars()}
    supports: dict[str, list[Support]] = {}
    for row in session.execute(select(SignalWeightRow)).scalars():
        supports.setdefault(row.signal_id, []).append(Support(row.service_id, row.weight, row.why))
    rows = session.execute(select(SignalRow).order_by(SignalRow.position)).scalars()
    return tuple(
        Signal(
            id=row.id,
            position=row.position,
            label=row.label,
            patterns=tuple(patterns.get(row.id, ())),
            supports=tuple(
                sorted(supports.get(row.id, ()), key=lambda item: service_order[item.service])
            ),
        )
        for row in rows
    )


def list_warnings(*, session: Session) -> tuple[Warning, ...]:
    rows = session.execute(select(WarningRow).order_by(WarningRow.position)).scalars()
    return tuple(
        Warning(
            id=row.id,
            position=row.position,
            title=row.title,
            text=row.text,
            source=_source(row.section, row.quote),
            when=row.condition,
        )
        for row in rows
    )


def list_field_cases(*, session: Session) -> tuple[FieldCase, ...]:
    rows = session.execute(select(FieldCaseRow).order_by(FieldCaseRow.position)).scalars()
    return tuple(
        FieldCase(
            id=row.id,
            position=row.position,
            title=row.title,
            text=row.text,
            source=_source(row.section, row.quote),
            affinity=tuple(row.affinity),
        )
        for row in rows
    )


def list_answers(*, session: Session) -> tuple[Answer, ...]:
    rows = session.execute(select(AnswerRow).order_by(AnswerRow.position)).scalars()
    return tuple(
        Answer(topic=row.topic, position=row.position, paragraphs=_paragraphs(row.paragraphs))
        for row in rows
    )


def list_documents(*, session: Session) -> dict[str, Any]:
    rows = session.execute(select(DocumentRow).order_by(DocumentRow.name)).scalars()
    return {row.name: row.body for row in rows}


def read_knowledge_base(*, session: Session) -> KnowledgeBase:
    """The whole content as dataclasses, for the in-memory cache of the engine."""
    version = stored_version(session=session)
    if version is None:
        raise LookupError("knowledge content not loaded")
    return KnowledgeBase(
        version=version,
        services=list_services(session=session),
        signals=list_signals(session=session),
        warnings=list_warnings(session=session),
        field_cases=list_field_cases(session=session),
        answers=list_answers(session=session),
        documents=list_documents(session=session),
    )


def ensure_loaded(engine: Engine, *, force: bool = False) -> LoadReport:
    """Create the tables if needed and (re)load the content when missing or outdated."""
    create_schema(engine)
    with Session(engine, future=True) as session, session.begin():
        return load_content(session=session, force=force)
