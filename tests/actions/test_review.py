"""Coming back: the previous plan recalled, only what may have changed asked, changes shown."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from action_helpers import make_tracker, responses, slot_events
from rasa_sdk.executor import CollectingDispatcher
from record_helpers import as_sender, records_db, sent  # noqa: F401

from actions.advice import ActionGiveAdvice
from actions.review import ActionStartReview
from knowledge.base import get_knowledge_base
from knowledge.review import compare_plans
from knowledge.settings import article_path

FIRST = {
    "headcount": 45,
    "multi_site": True,
    "it_staff": "non_specialist",
    "digital_dependency": "unknown",  # « je ne sais pas »
    "trigger": "none",
    "motive": "control",
    "sector": "industry",
    "scope_wish": None,
    "pain_points": ["server_instability", "backup_doubt", "key_person_dependency"],
}
# The article's section on reviewing a scope over time (quoted verbatim by the bot).
REASON = (
    "Une externalisation pertinente aujourd’hui ne le sera peut-être plus demain. L’efficacité "
    "réside dans la capacité à faire évoluer le périmètre, pas à figer un contrat."
)

pytestmark = pytest.mark.usefixtures("records_db")


def priority(rank: int, service: str) -> dict:
    return {"rank": rank, "service": service, "title": service.title()}


def test_compare_plans_reports_exactly_what_moved() -> None:
    before = {
        "priorities": [priority(1, "infrastructure"), priority(2, "monitoring"),
                       priority(3, "security")],
        "warnings": [{"id": "keep_governance"}, {"id": "provider_dependency"}],
    }  # fmt: skip
    after = {
        "priorities": [priority(1, "security"), priority(2, "infrastructure"),
                       priority(3, "user_support")],
        "warnings": [{"id": "keep_governance"}, {"id": "emergency_outsourcing"}],
    }  # fmt: skip
    changes = compare_plans(before, after)
    assert [(m.service, m.old, m.new) for m in changes.up] == [("security", 3, 1)]
    assert [(m.service, m.old, m.new) for m in changes.down] == [("infrastructure", 1, 2)]
    assert [(m.service, m.old, m.new) for m in changes.added] == [("user_support", None, 3)]
    assert [(m.service, m.old, m.new) for m in changes.removed] == [("monitoring", 2, None)]
    assert changes.warnings_added == ["emergency_outsourcing"]
    assert changes.warnings_removed == ["provider_dependency"]
    assert compare_plans(after, after).empty


async def test_a_newcomer_asking_for_a_review_is_offered_the_diagnostic(domain):
    dispatcher = CollectingDispatcher()
    tracker = as_sender(make_tracker(intent="request_review"), "r-new")
    assert await ActionStartReview().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_review_none"]


async def test_coming_back_recalls_the_plan_and_asks_only_what_may_have_changed(domain):
    sender = "r-back"
    dispatcher = CollectingDispatcher()
    first = as_sender(make_tracker(slots=FIRST), sender)
    await ActionGiveAdvice().run(dispatcher, first, domain)
    first_plan = next(m["custom"] for m in dispatcher.messages if m.get("custom"))

    # Months later, same sender, the slots of the old conversation are gone.
    dispatcher = CollectingDispatcher()
    tracker = as_sender(make_tracker(intent="request_review", text="je reviens"), sender)
    events = await ActionStartReview().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_review_previous", "utter_review_ask_changes"]
    previous = sent(dispatcher, "utter_review_previous")
    assert previous["date"] == datetime.now(timezone.utc).strftime("%d/%m/%Y")
    titles = [p["title"] for p in first_plan["priorities"][:3]]
    assert previous["priorities"] == f"1. {titles[0]} ; 2. {titles[1]} ; 3. {titles[2]}"
    slots = slot_events(events)
    # Everything known about the company comes back; the emergency is asked again.
    for field in ("headcount", "multi_site", "it_staff", "motive", "sector"):
        assert slots[field] == FIRST[field], field
    assert slots["digital_dependency"] == "unknown"  # not asked again
    assert slots["trigger"] is None  # an emergency is of the moment: asked again
    assert slots["pain_points"] == FIRST["pain_points"]
    assert slots["diagnostic_done"] is False and isinstance(slots["review_baseline"], int)

    # The second diagnostic: a major outage now, and cost has become the motive.
    second = {**FIRST, **slots, "trigger": "major_outage", "motive": "cost"}
    dispatcher = CollectingDispatcher()
    await ActionGiveAdvice().run(dispatcher, as_sender(make_tracker(slots=second), sender), domain)
    said = responses(dispatcher)
    # DESIGN: an emergency adds `emergency_outsourcing` without reordering the services;
    # cost as the only motive adds `cost_only`. Nothing else changed.
    assert said[said.index("utter_review_changes_header") :] == [
        "utter_review_changes_header",
        "utter_review_warning_new",
        "utter_review_warning_new",
        "utter_review_reason",
        "utter_after_advice",
    ]
    titles = {warning.id: warning.title for warning in get_knowledge_base().warnings}
    new_titles = [
        m["title"] for m in dispatcher.messages if m.get("response") == "utter_review_warning_new"
    ]
    assert sorted(new_titles) == sorted([titles["emergency_outsourcing"], titles["cost_only"]])
    assert sent(dispatcher, "utter_review_changes_header")["date"] == previous["date"]


async def test_a_review_with_nothing_changed_says_so(domain):
    sender = "r-same"
    await ActionGiveAdvice().run(
        CollectingDispatcher(), as_sender(make_tracker(slots=FIRST), sender), domain
    )
    dispatcher = CollectingDispatcher()
    events = await ActionStartReview().run(dispatcher, as_sender(make_tracker(), sender), domain)
    again = {**FIRST, **slot_events(events), "trigger": "none"}
    dispatcher = CollectingDispatcher()
    await ActionGiveAdvice().run(dispatcher, as_sender(make_tracker(slots=again), sender), domain)
    said = responses(dispatcher)
    assert "utter_review_no_change" in said and "utter_review_reason" in said
    assert "utter_review_changes_header" not in said


def test_the_reason_is_the_articles_sentence(domain) -> None:
    text = domain["responses"]["utter_review_reason"][0]["text"]
    assert REASON in text and "Faire évoluer le périmètre dans le temps" in text
    if article_path().is_file():
        article = article_path().read_text(encoding="utf-8")
        assert REASON in article and "Faire évoluer le périmètre dans le temps" in article
