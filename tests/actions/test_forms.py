"""validate_diagnostic_form against the real knowledge engine (engine mocked only for errors)."""

from __future__ import annotations

from typing import Any

import pytest
from action_helpers import make_tracker, responses, slot_events
from rasa_sdk.executor import CollectingDispatcher

from actions import engine
from actions.advice import ActionGiveAdvice
from actions.forms import ValidateDiagnosticForm
from actions.slots import ASKED_FIELDS, UNKNOWN

PARAGRAPH = (
    "Bonjour, nous sommes une PME industrielle de 45 personnes sur deux sites. Nos serveurs "
    "plantent souvent et personne ne vérifie les sauvegardes, tout repose sur notre comptable."
)
REJECTED = [
    {"event": "action", "name": "diagnostic_form"},
    {"event": "action_execution_rejected", "name": "diagnostic_form"},
    {"event": "action", "name": "action_answer_question"},
    {"event": "bot", "text": "..."},
]


class FormSimulator:
    """Plays Rasa's part: applies the events and requests the first missing field."""

    def __init__(self, domain: dict[str, Any]) -> None:
        self.domain = domain
        self.slots: dict[str, Any] = {"requested_slot": None}
        self.questions = 0
        self.dispatcher = CollectingDispatcher()

    async def say(
        self, intent: str, text: str = "", entities: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        self.dispatcher = CollectingDispatcher()
        tracker = make_tracker(slots=self.slots, intent=intent, text=text, entities=entities)
        events = await ValidateDiagnosticForm().run(self.dispatcher, tracker, self.domain)
        self.slots.update(slot_events(events))
        self.slots["requested_slot"] = next(
            (field for field in ASKED_FIELDS if self.slots.get(field) is None), None
        )
        if self.slots["requested_slot"]:
            self.questions += 1
        return events


async def run_form(
    domain: dict[str, Any], slots: dict[str, Any], intent: str, text: str = "", **kwargs: Any
) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=slots, intent=intent, text=text, **kwargs)
    events = await ValidateDiagnosticForm().run(dispatcher, tracker, domain)
    return events, dispatcher


async def test_acceptance_paragraph_then_dont_know_gives_infrastructure_first(domain):
    form = FormSimulator(domain)
    await form.say("describe_problem", PARAGRAPH)
    assert form.slots["headcount"] == 45
    assert form.slots["multi_site"] is True
    assert {"server_instability", "backup_doubt"} <= set(form.slots["pain_points"])
    while form.slots["requested_slot"]:
        await form.say("dont_know", "je ne sais pas")
        assert form.questions <= 4, "too many questions after a descriptive paragraph"

    dispatcher = CollectingDispatcher()
    events = await ActionGiveAdvice().run(dispatcher, make_tracker(slots=form.slots), domain)
    payloads = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert len(payloads) == 1
    assert payloads[0]["priorities"][0]["service"] == "infrastructure"
    assert slot_events(events) == {"diagnostic_done": True}


async def test_activation_sets_progress_for_the_first_question(domain):
    events, _ = await run_form(domain, {}, "start_diagnostic", "je veux faire le diagnostic")
    slots = slot_events(events)
    assert slots["diagnostic_step"] == 1
    assert slots["diagnostic_total"] == len(ASKED_FIELDS)
    assert slots["diagnostic_answered"] == []


async def test_facts_given_up_front_are_not_asked_again(domain):
    form = FormSimulator(domain)
    await form.say("describe_problem", "on est 80, sans DSI, et personne ne teste les sauvegardes")
    assert form.slots["headcount"] == 80
    assert form.slots["it_staff"] is not None
    assert form.slots["requested_slot"] not in {"headcount", "it_staff"}
    asked = []
    while form.slots["requested_slot"]:
        asked.append(form.slots["requested_slot"])
        await form.say("dont_know", "je ne sais pas")
        assert len(asked) <= len(ASKED_FIELDS), f"a question came back: {asked}"
    assert "headcount" not in asked and "it_staff" not in asked
    assert form.slots["diagnostic_total"] == len(asked)


async def test_progress_counts_answered_and_missing(domain):
    slots = {"requested_slot": "multi_site", "headcount": 30, "diagnostic_answered": ["headcount"]}
    events, _ = await run_form(domain, slots, "affirm", "oui")
    result = slot_events(events)
    assert result["multi_site"] is True
    assert result["diagnostic_answered"] == ["headcount", "multi_site"]
    assert result["diagnostic_step"] == 3
    # seven questions: headcount, sites, who runs IT, a provider already, dependency, urgency,
    # motive (issue 11 added the provider question)
    assert result["diagnostic_total"] == 7


async def test_dont_know_stores_unknown_and_moves_on(domain):
    events, dispatcher = await run_form(
        domain, {"requested_slot": "digital_dependency"}, "dont_know", "je ne sais pas"
    )
    assert slot_events(events)["digital_dependency"] == UNKNOWN
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("field", "entity_value", "expected"),
    [
        ("it_staff", "none", "none"),
        ("multi_site", True, True),
        ("multi_site", "false", False),
        ("digital_dependency", "high", "high"),
        ("trigger", "major_outage", "major_outage"),
        ("motive", "both", "both"),
        ("current_provider", "full", "full"),
    ],
)
async def test_button_payload_entities_fill_the_field(domain, field, entity_value, expected):
    events, _ = await run_form(
        domain, {"requested_slot": field}, "inform", entities={field: entity_value}
    )
    assert slot_events(events)[field] == expected


async def test_short_answers_are_read_with_parse_answer(domain):
    events, _ = await run_form(domain, {"requested_slot": "headcount"}, "inform", "une trentaine")
    assert slot_events(events)["headcount"] == 30  # « une trentaine » : about thirty people


async def test_unclear_answer_is_asked_again_with_a_hint(domain):
    events, dispatcher = await run_form(
        domain, {"requested_slot": "digital_dependency"}, "nlu_fallback", "bof, ça dépend des jours"
    )
    assert responses(dispatcher) == ["utter_hint_digital_dependency"]
    assert slot_events(events)["digital_dependency"] is None  # the form asks again


async def test_question_in_the_middle_rejects_the_form(domain):
    events, dispatcher = await run_form(
        domain, {"requested_slot": "headcount"}, "ask_risks", "quels sont les risques ?"
    )
    assert events == []  # no SlotSet: Rasa rejects the form and the rules answer
    assert dispatcher.messages == []


async def test_resuming_after_an_interruption_only_refreshes_the_progress(domain):
    events, dispatcher = await run_form(
        domain,
        {"requested_slot": "headcount", "diagnostic_answered": []},
        "ask_risks",
        "quels sont les risques ?",
        events=REJECTED,
    )
    assert set(slot_events(events)) == {
        "diagnostic_answered",
        "diagnostic_step",
        "diagnostic_total",
    }
    assert dispatcher.messages == []


async def test_a_later_statement_corrects_an_earlier_one(domain):
    slots = {"requested_slot": "multi_site", "headcount": 45, "diagnostic_answered": ["headcount"]}
    events, dispatcher = await run_form(domain, slots, "inform", "en fait on est 60")
    result = slot_events(events)
    assert result["headcount"] == 60
    assert result["multi_site"] is None  # still to answer: asked again, without a hint
    assert responses(dispatcher) == ["utter_noted"]


async def test_pain_points_are_merged(domain):
    slots = {"requested_slot": "trigger", "pain_points": ["backup_doubt"]}
    events, _ = await run_form(
        domain, slots, "describe_problem", "et en plus nos serveurs plantent tout le temps"
    )
    merged = slot_events(events)["pain_points"]
    assert merged[0] == "backup_doubt"
    assert "server_instability" in merged


async def test_an_engine_error_is_logged_and_told_in_french(domain, monkeypatch, caplog):
    def refuse(text: str, asked: str | None = None, *, describes: bool = True) -> None:
        raise engine.KnowledgeError("contenu illisible")

    monkeypatch.setattr(engine, "read_message", refuse)
    events, dispatcher = await run_form(
        domain, {}, "describe_problem", "nos serveurs plantent tout le temps"
    )
    assert "pain_points" not in slot_events(events)
    assert "utter_reading_error" in responses(dispatcher)
    assert "could not read a user message" in caplog.text


async def test_one_engine_call_per_message(domain, monkeypatch):
    calls = []
    real = engine.read_message

    def counting(text: str, asked: str | None = None, *, describes: bool = True):
        calls.append(text)
        return real(text, asked, describes=describes)

    monkeypatch.setattr(engine, "read_message", counting)
    text = (
        "Nous sommes 12, nos serveurs plantent et un prestataire gère une partie de l'informatique."
    )
    events, _ = await run_form(domain, {"requested_slot": "headcount"}, "describe_problem", text)
    assert calls == [text]
    result = slot_events(events)
    assert result["headcount"] == 12
    assert result["current_provider"] == "partial"
    assert "server_instability" in result["pain_points"]


async def test_an_invalid_button_value_is_not_stored(domain):
    events, dispatcher = await run_form(
        domain, {"requested_slot": "it_staff"}, "inform", entities={"it_staff": "a_robot"}
    )
    assert slot_events(events)["it_staff"] is None
    assert responses(dispatcher) == ["utter_hint_it_staff"]


async def test_a_short_answer_misread_as_a_question_is_still_an_answer(domain):
    events, dispatcher = await run_form(
        domain, {"requested_slot": "motive"}, "ask_cost", "réduire les coûts"
    )
    assert slot_events(events)["motive"] == "cost"
    assert dispatcher.messages == []


async def test_a_real_question_about_the_same_words_interrupts(domain):
    events, _ = await run_form(
        domain, {"requested_slot": "motive"}, "ask_cost", "combien ça coûte, l'externalisation ?"
    )
    assert events == []


async def test_a_long_description_is_not_read_as_a_short_answer(domain):
    slots = {"requested_slot": "headcount", "pain_points": ["server_instability"]}
    text = "les serveurs plantent, il y a deux semaines encore on a tout perdu pendant trois jours"
    events, dispatcher = await run_form(domain, slots, "describe_problem", text)
    assert slot_events(events)["headcount"] is None
    assert responses(dispatcher) == ["utter_noted"]
