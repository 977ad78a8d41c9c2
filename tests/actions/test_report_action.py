"""action_send_report: a personal link to the report of the current plan."""

from __future__ import annotations

import re

import pytest
from action_helpers import make_tracker, responses
from record_helpers import as_sender, records_db, sent, session  # noqa: F401

from actions.advice import ActionGiveAdvice
from actions.report import ActionSendReport
from actions.slots import UNKNOWN
from knowledge import records

SLOTS = {
    "headcount": 45,
    "multi_site": True,
    "it_staff": "non_specialist",
    "digital_dependency": UNKNOWN,
    "trigger": UNKNOWN,
    "motive": UNKNOWN,
    "pain_points": ["server_instability", "backup_doubt", "key_person_dependency"],
}
LINK = re.compile(r"^http://127\.0\.0\.1:\d+/rapport/([A-Za-z0-9_-]{43})$")

pytestmark = pytest.mark.usefixtures("records_db")


async def test_report_without_diagnostic_offers_one(domain, dispatcher):
    tracker = as_sender(make_tracker(slots={}), "report-none")
    events = await ActionSendReport().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_report_none"]
    assert events == []


async def test_report_link_points_at_the_plan_just_given(domain, dispatcher):
    tracker = as_sender(make_tracker(slots={**SLOTS, "diagnostic_done": True}), "report-a")
    await ActionGiveAdvice().run(dispatcher, tracker, domain)
    advice = next(m["custom"] for m in dispatcher.messages if m.get("custom"))
    dispatcher.messages.clear()
    await ActionSendReport().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_report_link"]
    message = sent(dispatcher, "utter_report_link")
    token = LINK.match(message["url"]).group(1)
    assert message["pdf_url"] == message["url"] + ".pdf"
    assert message["days"] == 30  # REPORT_TTL_DAYS default
    with session() as db:
        found = records.find_report(session=db, token=token)
        stored = db.query(records.PlanRow).filter_by(sender_key=records.sender_key("report-a"))
        assert stored.count() == 1  # the plan given was reused, not stored twice
    assert found.plan is not None and found.plan.advice == advice
    assert (found.link.expires_at - found.link.created_at).days == 30


async def test_each_request_gives_a_new_link(domain, dispatcher):
    tracker = as_sender(make_tracker(slots={**SLOTS, "diagnostic_done": True}), "report-b")
    await ActionSendReport().run(dispatcher, tracker, domain)
    await ActionSendReport().run(dispatcher, tracker, domain)
    urls = [m["url"] for m in dispatcher.messages if m.get("response") == "utter_report_link"]
    assert len(urls) == 2 and urls[0] != urls[1]


async def test_a_database_failure_is_an_apology(domain, dispatcher, monkeypatch):
    def broken(**_):
        raise RuntimeError("database down")

    monkeypatch.setattr(records, "create_report_link", broken)
    tracker = as_sender(make_tracker(slots={**SLOTS, "diagnostic_done": True}), "report-c")
    await ActionSendReport().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_report_error"]


async def test_giving_a_plan_applies_the_retention_period(domain, dispatcher, monkeypatch):
    from datetime import timedelta

    from actions import events

    with session() as db, db.begin():
        old = records.save_plan(
            session=db,
            sender_id="report-old",
            profile={},
            advice={"priorities": [], "warnings": []},
            at=records.now() - timedelta(days=181),  # RETENTION_DAYS default: 180
        )
    monkeypatch.setattr(events, "_last_purge", 0.0)
    tracker = as_sender(make_tracker(slots=SLOTS), "report-new")
    await ActionGiveAdvice().run(dispatcher, tracker, domain)
    with session() as db:
        assert records.get_plan(session=db, plan_id=old.id) is None
        assert records.latest_plan(session=db, sender_id="report-new") is not None
