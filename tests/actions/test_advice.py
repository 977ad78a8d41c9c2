"""action_give_advice: the contract payload, unchanged, after the text."""

from __future__ import annotations

import pytest
from action_helpers import make_tracker, responses, slot_events

from actions import engine
from actions.advice import ActionGiveAdvice
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

    advice = engine.recommend(profile_from_slots(tracker))
    texts = [m["text"] for m in dispatcher.messages if m.get("text") and not m.get("response")]
    assert texts == engine.render_advice(advice)
    payloads = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert payloads == [advice]
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
