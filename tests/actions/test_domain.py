"""The domain against CONTRACT.md and against what the actions send."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CONTRACT_INTENTS = {
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "help", "restart",
    "out_of_scope", "dont_know", "start_diagnostic", "describe_problem", "inform",
    "ask_what_to_outsource", "ask_service", "ask_what_to_keep", "ask_risks", "ask_how_to_start",
    "ask_example", "ask_cost", "request_report", "request_contact", "request_data_deletion",
}  # fmt: skip
CHITCHAT = ["utter_greet", "utter_help", "utter_goodbye", "utter_thank", "utter_iamabot"]


def button_entities(payload: str) -> dict:
    """Entities of a button payload as the domain writes it (braces doubled for Rasa's
    response interpolation, which renders them single)."""
    rendered = payload.replace("{{", "{").replace("}}", "}")
    return json.loads("{" + rendered.split("{", 1)[1])


def test_every_contract_intent_is_in_the_domain(domain):
    assert set(domain["intents"]) >= CONTRACT_INTENTS


def test_every_topic_intent_has_a_french_label_for_the_clarification(domain):
    replies = {"affirm", "deny", "dont_know"}  # answers, not topics: never offered
    for intent in CONTRACT_INTENTS - replies:
        assert f"utter_intent_label_{intent}" in domain["responses"], intent
    for intent in replies:
        assert f"utter_intent_label_{intent}" not in domain["responses"], intent


def test_chitchat_responses_have_variations(domain):
    for name in [*CHITCHAT, "utter_out_of_scope"]:
        assert len(domain["responses"][name]) >= 2, name


def test_greeting_and_help_say_what_the_bot_does(domain):
    for name in ("utter_greet", "utter_help"):
        for variant in domain["responses"][name]:
            assert "externalis" in variant["text"], variant["text"]


def test_session_config(domain):
    assert domain["session_config"] == {
        "session_expiration_time": 60,
        "carry_over_slots_to_new_session": True,
    }


def test_each_form_question_shows_the_progress_and_a_way_out(domain):
    for slot in domain["forms"]["diagnostic_form"]["required_slots"]:
        for variant in domain["responses"][f"utter_ask_diagnostic_form_{slot}"]:
            assert (
                "{diagnostic_step}" in variant["text"] and "{diagnostic_total}" in variant["text"]
            )
            assert "/dont_know" in [b["payload"] for b in variant["buttons"]]
        assert f"utter_hint_{slot}" in domain["responses"]


def test_every_response_the_actions_send_exists(domain):
    sent = set()
    for module in (ROOT / "actions").glob("*.py"):
        sent |= set(re.findall(r'response="(utter_\w+)"', module.read_text(encoding="utf-8")))
    assert sent, "the regex found nothing: the test would be meaningless"
    assert sent <= set(domain["responses"])


def test_every_custom_action_is_declared(domain):
    names = set()
    for module in (ROOT / "actions").glob("*.py"):
        names |= set(re.findall(r'return "((?:action|validate)_\w+)"', module.read_text()))
    assert names == set(domain["actions"])


def test_the_form_and_its_buttons_agree_with_the_engine(domain):
    """One place for the fields (actions.slots.ASKED_FIELDS) and their values (the engine)."""

    from actions.slots import ASKED_FIELDS
    from knowledge import DETAIL_PARTS, PROFILE_FIELDS

    assert domain["forms"]["diagnostic_form"]["required_slots"] == list(ASKED_FIELDS)
    for slot in ASKED_FIELDS:
        assert slot in domain["slots"], slot
        for variant in domain["responses"][f"utter_ask_diagnostic_form_{slot}"]:
            for button in variant["buttons"]:
                if button["payload"] == "/dont_know":
                    continue
                entities = button_entities(button["payload"])
                assert set(entities) == {slot}, button
                allowed = PROFILE_FIELDS[slot]
                value = entities[slot]
                if isinstance(allowed, tuple):
                    assert value in allowed, button
                else:
                    assert isinstance(value, allowed), button
    parts = set()
    for name in ("utter_plan_details", "utter_plan_details_with_case"):
        for button in domain["responses"][name][0]["buttons"]:
            parts.add(button_entities(button["payload"])["plan_detail"])
    assert parts == set(DETAIL_PARTS)
