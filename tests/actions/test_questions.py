"""action_answer_question: answers from the knowledge base with the cited sentences."""

from __future__ import annotations

import pytest
from action_helpers import make_tracker, responses

from actions import engine
from actions.questions import TOPIC_OF_INTENT, ActionAnswerQuestion

SERVICES = ["user_support", "infrastructure", "security", "monitoring", "governance"]


@pytest.mark.parametrize("intent", [i for i in TOPIC_OF_INTENT if i != "ask_service"])
async def test_each_question_intent_is_answered_with_citations(domain, dispatcher, intent):
    await ActionAnswerQuestion().run(dispatcher, make_tracker(intent=intent), domain)
    expected = engine.answer_question(TOPIC_OF_INTENT[intent])
    assert dispatcher.messages[0]["text"] == expected["text"]
    citations = [m for m in dispatcher.messages if m.get("response") == "utter_citation"]
    assert len(citations) == len(expected["sources"]) >= 1
    assert citations[0]["quote"] == expected["sources"][0]["quote"]
    assert responses(dispatcher)[-1] == "utter_offer_diagnostic"


async def test_service_question_uses_the_named_service(domain, dispatcher):
    tracker = make_tracker(intent="ask_service", entities={"service": "security"})
    await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    # The security answer rests on the article's security section (« jusqu’à l’incident »).
    assert "sécurité" in dispatcher.messages[0]["text"].lower()
    assert "incident" in dispatcher.messages[0]["text"]


async def test_unmapped_service_value_asks_which_one(domain, dispatcher):
    tracker = make_tracker(intent="ask_service", entities={"service": "cybersecurté"})
    await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_ask_which_service"]


async def test_service_question_without_service_asks_which_one(domain, dispatcher):
    await ActionAnswerQuestion().run(dispatcher, make_tracker(intent="ask_service"), domain)
    assert responses(dispatcher) == ["utter_ask_which_service"]
    buttons = domain["responses"]["utter_ask_which_service"][0]["buttons"]
    # Doubled braces in the domain: Rasa's interpolation renders /ask_service{"service": …}.
    assert [b["payload"] for b in buttons] == [
        f'/ask_service{{{{"service": "{service}"}}}}' for service in SERVICES
    ]


async def test_no_diagnostic_offer_inside_the_form(domain, dispatcher):
    tracker = make_tracker(intent="ask_risks", active_loop="diagnostic_form")
    await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert "utter_offer_diagnostic" not in responses(dispatcher)


async def test_knowledge_error_gets_an_apology(domain, dispatcher, monkeypatch):
    def fail(topic, service=None):
        raise engine.KnowledgeError("inconnu")

    monkeypatch.setattr(engine, "answer_question", fail)
    await ActionAnswerQuestion().run(dispatcher, make_tracker(intent="ask_cost"), domain)
    assert responses(dispatcher) == ["utter_question_error"]
