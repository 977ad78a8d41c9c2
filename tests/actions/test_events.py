"""Anonymous events written by the diagnostic: start, questions asked, plan (for the stats)."""

from __future__ import annotations

import pytest
from action_helpers import make_tracker
from rasa_sdk.executor import CollectingDispatcher
from record_helpers import as_sender, records_db, session  # noqa: F401

from actions.advice import ActionGiveAdvice
from actions.forms import ValidateDiagnosticForm
from actions.slots import UNKNOWN
from knowledge import records

pytestmark = pytest.mark.usefixtures("records_db")


def kinds(sender: str) -> list[tuple[str, dict]]:
    with session() as db:
        return [
            (event.kind, event.data)
            for event in records.list_events(session=db)
            if event.sender_key == records.sender_key(sender)
        ]


async def test_the_form_records_its_start_and_the_next_question(domain) -> None:
    sender = "ev-form"
    opening = "Nous sommes 45 personnes sur deux sites et nos serveurs plantent."
    tracker = as_sender(make_tracker(intent="describe_problem", text=opening), sender)
    await ValidateDiagnosticForm().run(CollectingDispatcher(), tracker, domain)
    recorded = kinds(sender)
    assert recorded[0] == ("diagnostic_started", {})
    # Headcount and sites were in the message: the first question asked is the next field.
    assert recorded[1] == ("question", {"field": "it_staff"})
    # "je ne sais pas" to it_staff: the next question is recorded.
    slots = {"headcount": 45, "multi_site": True, "requested_slot": "it_staff"}
    tracker = as_sender(
        make_tracker(slots=slots, intent="dont_know", text="je ne sais pas"), sender
    )
    await ValidateDiagnosticForm().run(CollectingDispatcher(), tracker, domain)
    assert kinds(sender)[2] == ("question", {"field": "current_provider"})


async def test_the_plan_event_has_ids_only(domain) -> None:
    sender = "ev-plan"
    slots = {
        "headcount": 12, "multi_site": False, "it_staff": "none", "digital_dependency": UNKNOWN,
        "trigger": UNKNOWN, "motive": UNKNOWN, "pain_points": ["user_support_overload"],
    }  # fmt: skip
    await ActionGiveAdvice().run(
        CollectingDispatcher(), as_sender(make_tracker(slots=slots), sender), domain
    )
    ((kind, data),) = kinds(sender)
    assert kind == "plan"
    assert set(data) == {"signals", "priorities", "warnings", "missing"}
    assert data["signals"] == ["user_support_overload"]
    assert all(
        isinstance(item, str) and " " not in item for value in data.values() for item in value
    )


async def test_writes_leave_the_event_loop_free(domain, monkeypatch) -> None:
    """A commit waits for the disk: other conversations' actions must run meanwhile."""
    import asyncio
    import time

    written = records.record_event

    def slow_record_event(**kwargs):
        time.sleep(0.3)  # a slow disk
        return written(**kwargs)

    monkeypatch.setattr(records, "record_event", slow_record_event)
    ticks = 0

    async def other_conversations() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(other_conversations())
    tracker = as_sender(
        make_tracker(intent="describe_problem", text="nos serveurs plantent"), "ev-loop"
    )
    await ValidateDiagnosticForm().run(CollectingDispatcher(), tracker, domain)
    ticker.cancel()
    assert ticks >= 10
    assert [kind for kind, _ in kinds("ev-loop")] == ["diagnostic_started", "question"]


async def test_the_opening_events_take_one_commit(domain, monkeypatch) -> None:
    opened = []
    real_session = records.records_session

    def counting_session():
        opened.append(1)
        return real_session()

    monkeypatch.setattr(records, "records_session", counting_session)
    opening = "Nous sommes 45 personnes sur deux sites et nos serveurs plantent."
    tracker = as_sender(make_tracker(intent="describe_problem", text=opening), "ev-commit")
    await ValidateDiagnosticForm().run(CollectingDispatcher(), tracker, domain)
    assert len(opened) == 1
    assert [kind for kind, _ in kinds("ev-commit")] == ["diagnostic_started", "question"]
