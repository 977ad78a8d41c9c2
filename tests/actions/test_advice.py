"""action_give_advice: the contract payload, unchanged, after the text."""

from __future__ import annotations

import pytest
from action_helpers import make_tracker, responses, slot_events

from actions import engine
from actions.advice import ActionGiveAdvice, ActionPlanDetail
from actions.slots import UNKNOWN, profile_from_slots

SLOTS = {
    "headcount": 45,
    "multi_site": True,
    "it_staff": "non_specialist",
    "digital_dependency": UNKNOWN,
    "trigger": UNKNOWN,
    "motive": UNKNOWN,
    "pain_points": ["server_instability", "backup_doubt", "key_person_dependency"],
}


async def test_plan_is_sent_as_text_then_as_the_contract_payload(domain, dispatcher):
    tracker = make_tracker(slots=SLOTS)
    events = await ActionGiveAdvice().run(dispatcher, tracker, domain)

    texts = [m["text"] for m in dispatcher.messages if m.get("text") and not m.get("response")]
    # The short first answer (issue 11): the top priority with what the user said, what stays
    # in-house, about 8 lines; the detail buttons follow, then the complete payload.
    assert len(texts) == 1 and len(texts[0].splitlines()) <= 9
    assert "Infrastructure, serveurs et continuité d’activité" in texts[0]
    assert "des doutes sur vos sauvegardes" in texts[0]
    assert "À garder en interne : la gouvernance" in texts[0]
    assert "utter_plan_details" in responses(dispatcher)  # no field case resembles them
    payloads = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert len(payloads) == 1 and payloads[0]["priorities"][0]["service"] == "infrastructure"
    assert payloads[0]["type"] == "advice" and payloads[0]["version"] == 1
    for key in ("priorities", "keep_in_house", "warnings", "trajectory", "field_case", "missing"):
        assert key in payloads[0]
    assert "governance" not in [p["service"] for p in payloads[0]["priorities"]]
    assert responses(dispatcher)[-1] == "utter_after_advice"
    assert slot_events(events) == {"diagnostic_done": True}


@pytest.mark.parametrize("channel", ["socketio", "slack", "botframework"])
async def test_card_channels_get_the_payload_alone(domain, dispatcher, channel):
    tracker = make_tracker(slots=SLOTS, input_channel=channel)
    await ActionGiveAdvice().run(dispatcher, tracker, domain)

    plain_texts = [m for m in dispatcher.messages if m.get("text") and not m.get("response")]
    assert plain_texts == []
    assert [m["custom"]["type"] for m in dispatcher.messages if m.get("custom")] == ["advice"]
    assert responses(dispatcher)[-1] == "utter_after_advice"


def test_unknown_answers_reach_the_engine_as_none():
    profile = profile_from_slots(make_tracker(slots=SLOTS))
    assert profile["trigger"] is None and profile["motive"] is None
    assert profile["headcount"] == 45
    missing = engine.recommend(profile)["missing"]
    assert "digital_dependency" in missing and "headcount" not in missing


async def test_profile_error_is_answered_with_an_apology(domain, dispatcher):
    tracker = make_tracker(slots={**SLOTS, "it_staff": "a_robot"})
    events = await ActionGiveAdvice().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_advice_error"]
    assert events == []


async def test_the_why_button_details_the_stored_plan(domain, dispatcher):
    tracker = make_tracker(
        slots={**SLOTS, "diagnostic_done": True},
        intent="ask_plan_detail",
        entities={"plan_detail": "why"},
    )
    await ActionPlanDetail().run(dispatcher, tracker, domain)
    text = "\n".join(m["text"] for m in dispatcher.messages)
    # The article's sentence for infrastructure, and each thing the user said named once.
    assert "« La gestion des serveurs, des sauvegardes et de la disponibilité" in text
    assert text.count("des doutes sur vos sauvegardes") == 1


async def test_the_case_button_says_when_no_case_resembles(domain, dispatcher):
    tracker = make_tracker(
        slots={**SLOTS, "diagnostic_done": True},
        intent="ask_plan_detail",
        entities={"plan_detail": "case"},
    )
    await ActionPlanDetail().run(dispatcher, tracker, domain)
    assert "Aucun des cas réels" in dispatcher.messages[0]["text"]


async def test_no_detail_before_a_plan(domain, dispatcher):
    tracker = make_tracker(slots=SLOTS, intent="ask_plan_detail", entities={"plan_detail": "why"})
    await ActionPlanDetail().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_plan_detail_none"]
