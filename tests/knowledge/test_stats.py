"""Statistics for the consultants: weekly counts from anonymous events, no personal data out."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from knowledge.records import Event, sender_key
from knowledge.stats import compute_stats

ROOT = Path(__file__).resolve().parents[2]
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # ISO week 2026-W48


def event(sender: str, minutes: float, kind: str, **data) -> Event:
    return Event(MONDAY + timedelta(minutes=minutes), sender_key(sender), kind, data)


def plan(sender: str, minutes: float, priorities: list[str], warnings: list[str]) -> Event:
    return event(
        sender,
        minutes,
        "plan",
        signals=["server_instability", "backup_doubt"],
        priorities=priorities,
        warnings=warnings,
    )


EVENTS = [
    # a: finished after two questions, then asked for the report.
    event("a", 0, "diagnostic_started"),
    event("a", 1, "question", field="digital_dependency"),
    event("a", 2, "question", field="trigger"),
    plan("a", 3, ["infrastructure", "monitoring"], ["keep_governance"]),
    event("a", 4, "report"),
    # b: stopped at the trigger question.
    event("b", 10, "diagnostic_started"),
    event("b", 11, "question", field="headcount"),
    event("b", 12, "question", field="trigger"),
    # c: stopped before any question; then, next week, a full diagnostic.
    event("c", 20, "diagnostic_started"),
    event("c", 7 * 24 * 60, "diagnostic_started"),
    event("c", 7 * 24 * 60 + 1, "question", field="motive"),
    plan(
        "c", 7 * 24 * 60 + 2, ["user_support", "infrastructure"], ["cost_only", "keep_governance"]
    ),
]


def test_weekly_counts_and_where_people_stop() -> None:
    first, second = compute_stats(reversed(EVENTS))  # order of arrival does not matter
    assert first.week == "2026-W48" and second.week == "2026-W49"
    assert (first.started, first.finished) == (3, 1)
    assert dict(first.stopped_at) == {"trigger": 1, "before_first_question": 1}
    assert dict(first.signals) == {"server_instability": 1, "backup_doubt": 1}
    assert dict(first.top_priorities) == {"infrastructure": 1}
    assert first.reports == 1
    assert (second.started, second.finished) == (1, 1)
    assert dict(second.stopped_at) == {}
    assert dict(second.top_priorities) == {"user_support": 1}
    assert dict(second.warnings) == {"cost_only": 1, "keep_governance": 1}


def test_the_cli_prints_french_figures_and_a_png_without_sender_keys(tmp_path: Path) -> None:
    from sqlalchemy.orm import Session

    from knowledge.records import EventRow, create_records_schema
    from knowledge.store import make_engine

    url = f"sqlite:///{tmp_path / 'kb.db'}"
    engine = make_engine(url)
    create_records_schema(engine)
    with Session(engine, future=True) as session, session.begin():
        for item in EVENTS:
            session.add(
                EventRow(
                    occurred_at=item.occurred_at,
                    sender_key=item.sender_key,
                    kind=item.kind,
                    data=item.data,
                )
            )
    engine.dispose()
    png = tmp_path / "stats.png"
    env = {"KNOWLEDGE_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    text = subprocess.run(
        [sys.executable, "-m", "knowledge", "stats", "--png", str(png)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "Semaine 2026-W48" in text and "Semaine 2026-W49" in text
    assert "Diagnostics commencés : 3 ; terminés (plan remis) : 1" in text
    assert "urgence (1)" in text and "avant la 1re question (1)" in text
    assert "Infrastructure, serveurs et continuité d’activité (1)" in text
    assert png.read_bytes().startswith(b"\x89PNG")
    as_json = subprocess.run(
        [sys.executable, "-m", "knowledge", "stats", "--json", "--png", str(png)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    weeks = json.loads(as_json)
    assert [week["started"] for week in weeks] == [3, 1]
    for sender in "abc":
        assert sender_key(sender) not in text and sender_key(sender) not in as_json
