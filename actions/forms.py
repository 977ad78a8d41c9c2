"""Validation of `diagnostic_form`: ask only what is missing, one question at a time.

Slots are filled here (custom mappings) from three sources, in this order of trust:
button payload entities, facts found in free text by the knowledge engine, and the short answer
to the question being asked (`parse_answer`). "Je ne sais pas" stores `UNKNOWN` and moves on.
A message that is neither an answer nor a statement about the company (a question, help...)
returns no event, so Rasa rejects the form, the rules answer it, and the form resumes.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import engine
from actions.events import observe_diagnostic_turn
from actions.slots import (
    ANSWERED,
    ASKED_FIELDS,
    PAIN_POINTS,
    POSSIBLE_PAIN_POINTS,
    PROFILE_SLOTS,
    STEP,
    TOTAL,
    UNKNOWN,
    latest_intent,
    latest_text,
    normalize_entity_value,
)

logger = logging.getLogger(__name__)

# Messages that say something about the company: facts and pain points are extracted.
FREE_TEXT_INTENTS = {"start_diagnostic", "describe_problem", "inform"}
# Descriptions: never answered with "I did not understand", at most "noted".
DESCRIPTIVE_INTENTS = {"start_diagnostic", "describe_problem"}
# Short answers to the question asked: read with parse_answer, re-asked with a hint if unclear.
ANSWER_INTENTS = {"inform", "affirm", "deny", "nlu_fallback"}
SKIP_INTENTS = {"dont_know"}
# Intents a short answer is sometimes misread as; see _short_answer_despite_intent.
MISREAD_ANSWER_INTENTS = {
    "ask_what_to_outsource", "ask_service", "ask_what_to_keep", "ask_risks", "ask_how_to_start",
    "ask_example", "ask_cost", "out_of_scope",
}  # fmt: skip
MAX_SHORT_ANSWER_WORDS = 5
ENTITY_FIELDS = (
    "multi_site", "it_staff", "current_provider", "digital_dependency", "trigger", "motive",
)  # fmt: skip


class ValidateDiagnosticForm(FormValidationAction):
    def name(self) -> str:
        return "validate_diagnostic_form"

    @observe_diagnostic_turn
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        activating = requested is None
        intent = latest_intent(tracker)
        updates: dict[str, Any] = {}
        answered_now = False

        if _resuming_after_interruption(tracker):
            # Back from a question or help: nothing new to read, only the progress to refresh.
            return _progress_events(tracker, updates, answered_now=False, activating=False)

        if not activating and intent not in FREE_TEXT_INTENTS | ANSWER_INTENTS | SKIP_INTENTS:
            value = _short_answer_despite_intent(requested, intent, latest_text(tracker))
            if value is None:
                return []  # not an answer: let the rules handle it, the form resumes afterwards
            updates[requested] = value
            progress = _progress_events(tracker, updates, answered_now=True, activating=False)
            return [SlotSet(requested, value), *progress]

        updates.update(_entity_values(tracker))
        learned = dict(updates)
        text = latest_text(tracker)
        asked = (
            requested
            if requested in ASKED_FIELDS and _reads_as_short_answer(intent, text)
            else None
        )
        reading = _read(dispatcher, text, asked=asked, describes=intent in FREE_TEXT_INTENTS)
        if reading is not None and intent in FREE_TEXT_INTENTS:
            learned.update(
                {field: value for field, value in reading.facts.items() if field in PROFILE_SLOTS}
            )
            updates.update(_merged(tracker, PAIN_POINTS, reading.pain_points))
            updates.update(_merged(tracker, POSSIBLE_PAIN_POINTS, reading.possible_pain_points))
            updates.update(learned)

        if requested and requested in ASKED_FIELDS:
            if updates.get(requested) is not None:
                answered_now = True
            elif intent in SKIP_INTENTS:
                updates[requested] = UNKNOWN
                answered_now = True
            elif not learned and reading is not None and reading.answer is not None:
                updates[requested] = reading.answer
                answered_now = True
            if not answered_now:
                if learned or PAIN_POINTS in updates or intent in DESCRIPTIVE_INTENTS:
                    dispatcher.utter_message(response="utter_noted")
                else:
                    dispatcher.utter_message(response=f"utter_hint_{requested}")
                updates[requested] = None  # keeps the form going: the question is asked again

        return [SlotSet(slot, value) for slot, value in updates.items()] + _progress_events(
            tracker, updates, answered_now=answered_now, activating=activating
        )


def _resuming_after_interruption(tracker: Tracker) -> bool:
    """True when the form is called again after another action answered the user's message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action_execution_rejected":
            return True
    return False


def _reads_as_short_answer(intent: str | None, text: str) -> bool:
    """Answers are read with parse_answer; a long description only through extract_facts."""
    if intent in ANSWER_INTENTS:
        return True
    return intent in DESCRIPTIVE_INTENTS and len(text.split()) <= MAX_SHORT_ANSWER_WORDS


def _short_answer_despite_intent(requested: str | None, intent: str | None, text: str) -> Any:
    """A short reply read as a question intent ("réduire les coûts" -> ask_cost) is an answer.

    Only for question-like intents, without a question mark, in a few words: a real question
    in the middle of the form still interrupts it.
    """
    if requested not in ASKED_FIELDS or intent not in MISREAD_ANSWER_INTENTS:
        return None
    if "?" in text or len(text.split()) > MAX_SHORT_ANSWER_WORDS:
        return None
    return _parse(requested, text)


def _entity_values(tracker: Tracker) -> dict[str, Any]:
    """Profile values carried by button payloads (/inform{"it_staff": "none"})."""
    values: dict[str, Any] = {}
    for field in ENTITY_FIELDS:
        raw = next(tracker.get_latest_entity_values(field), None)
        value = normalize_entity_value(field, raw)
        allowed = engine.PROFILE_FIELDS.get(field)
        if value is not None and (not isinstance(allowed, tuple) or value in allowed):
            values[field] = value
    return values


def _read(
    dispatcher: CollectingDispatcher, text: str, *, asked: str | None, describes: bool
) -> engine.Reading | None:
    """The one engine call for this message; an engine error is logged and told in French."""
    if not text.strip() or not (asked or describes):
        return None
    try:
        return engine.read_message(text, asked, describes=describes)
    except engine.KnowledgeError:
        logger.exception("the knowledge engine could not read a user message")
        dispatcher.utter_message(response="utter_reading_error")
        return None


def _merged(tracker: Tracker, slot: str, found: tuple[str, ...]) -> dict[str, list[str]]:
    """``{slot: known + new}`` when ``found`` adds something, else ``{}``."""
    known = list(tracker.get_slot(slot) or [])
    merged = known + [item for item in found if item not in known]
    return {slot: merged} if merged != known else {}


def _parse(field: str, text: str) -> Any:
    """A short answer read despite its intent (see _short_answer_despite_intent)."""
    if not text.strip():
        return None
    try:
        return engine.parse_answer(field, text)
    except engine.KnowledgeError:
        logger.exception("parse_answer failed for %s", field)
        return None


def _progress_events(
    tracker: Tracker, updates: dict[str, Any], *, answered_now: bool, activating: bool
) -> list[EventType]:
    """Step and total of the visible progress ("Question 2 sur 4").

    Total = questions already answered in this diagnostic + fields still missing, so a fact
    given in free text shortens the questionnaire.
    """
    answered = [] if activating else list(tracker.get_slot(ANSWERED) or [])
    requested = tracker.get_slot("requested_slot")
    if answered_now and requested not in answered:
        answered.append(requested)
    missing = [
        field
        for field in ASKED_FIELDS
        if (updates[field] if field in updates else tracker.get_slot(field)) is None
    ]
    return [
        SlotSet(ANSWERED, answered),
        SlotSet(STEP, len(answered) + 1),
        SlotSet(TOTAL, len(answered) + len(missing)),
    ]
