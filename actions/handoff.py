"""`request_contact`: a consented hand-off of the lead and its plan to a consultant.

Order: say what is shared and with whom, ask explicit consent, then a name and a validated
e-mail (a wrong one is asked again; « annuler » or the button ends it and nothing is kept).
Only on consent is the lead stored (with the consent's text and date) and sent; a destination
that is down keeps the lead for a retry and the user is told so. Refusal stores nothing.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.events import HANDOFF, record
from actions.slots import DONE, latest_intent, latest_text, profile_from_slots

logger = logging.getLogger(__name__)

CONSENT = "handoff_consent"
NAME = "lead_name"
EMAIL = "lead_email"
REQUESTED = "requested_slot"
UNAVAILABLE = "unavailable"  # no destination configured: the form ends at once

EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
NAME_PATTERN = re.compile(r"^[^\W\d_][^\d@?!/]{0,78}[^\W\d_.]$")
CANCEL_WORDS = {"annuler", "annule", "stop", "laisse tomber", "non", "non merci", "abandonner"}
YES_INTENTS = {"affirm"}
NO_INTENTS = {"deny"}
# Requests that must interrupt the form (their rules answer; the form is then ended or resumed).
INTERRUPTING_INTENTS = {"request_data_deletion", "restart", "goodbye"}


def _settings() -> Any:
    from bot.settings import get_settings

    return get_settings()


def _cancelled(intent: str | None, text: str) -> bool:
    return intent in NO_INTENTS or text.strip().casefold().rstrip(" .!") in CANCEL_WORDS


class ActionStartHandoff(Action):
    """Explains what would be shared and with whom, before asking anything."""

    def name(self) -> str:
        return "action_start_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        settings = _settings()
        if not settings.handoff_configured:
            dispatcher.utter_message(response="utter_contact")
            return [SlotSet(CONSENT, UNAVAILABLE), SlotSet(NAME, None), SlotSet(EMAIL, None)]
        dispatcher.utter_message(
            response="utter_handoff_explain", recipient=settings.lead_recipient
        )
        return [SlotSet(CONSENT, None), SlotSet(NAME, None), SlotSet(EMAIL, None)]


class ValidateHandoffForm(FormValidationAction):
    """Consent, then name, then e-mail; ends the form early on refusal or cancellation."""

    def name(self) -> str:
        return "validate_handoff_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = tracker.get_slot(REQUESTED)
        consent = tracker.get_slot(CONSENT)
        if consent in (UNAVAILABLE, False):
            return [SlotSet(REQUESTED, None)]
        if requested is None:  # activation: ask the consent question
            return [SlotSet(REQUESTED, CONSENT)]
        intent, text = latest_intent(tracker), latest_text(tracker)
        if intent in INTERRUPTING_INTENTS:
            return []  # rejected: the rule of that request runs
        if requested == CONSENT:
            if intent in YES_INTENTS:
                return [SlotSet(CONSENT, True), SlotSet(REQUESTED, NAME)]
            if _cancelled(intent, text):
                return [SlotSet(CONSENT, False), SlotSet(REQUESTED, None)]
            dispatcher.utter_message(response="utter_handoff_consent_unclear")
            return [SlotSet(CONSENT, None), SlotSet(REQUESTED, CONSENT)]
        if _cancelled(intent, text):
            return [SlotSet(CONSENT, False), SlotSet(NAME, None), SlotSet(REQUESTED, None)]
        value = " ".join(text.split())
        if requested == NAME:
            if NAME_PATTERN.match(value) and len(value.split()) <= 6:
                return [SlotSet(NAME, value), SlotSet(REQUESTED, EMAIL)]
            dispatcher.utter_message(response="utter_handoff_bad_name")
            return [SlotSet(NAME, None), SlotSet(REQUESTED, NAME)]
        if requested == EMAIL:
            if EMAIL_PATTERN.match(value):
                return [SlotSet(EMAIL, value), SlotSet(REQUESTED, None)]
            dispatcher.utter_message(response="utter_handoff_bad_email")
            return [SlotSet(EMAIL, None), SlotSet(REQUESTED, EMAIL)]
        return []


def consent_text(domain: DomainDict, recipient: str) -> str:
    """The exact words the user agreed to (the explanation and the question), for the record."""
    responses = domain.get("responses", {})
    parts = [
        responses[name][0]["text"].format(recipient=recipient)
        for name in ("utter_handoff_explain", "utter_ask_handoff_form_handoff_consent")
        if responses.get(name)
    ]
    return "\n".join(parts)


class ActionSubmitHandoff(Action):
    """After the form: on consent, store and send the lead; otherwise keep nothing."""

    def name(self) -> str:
        return "action_submit_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset = [SlotSet(CONSENT, None), SlotSet(NAME, None), SlotSet(EMAIL, None)]
        consent = tracker.get_slot(CONSENT)
        name, email = tracker.get_slot(NAME), tracker.get_slot(EMAIL)
        if consent == UNAVAILABLE:
            return reset
        if consent is not True or not name or not email:
            dispatcher.utter_message(response="utter_handoff_refused")
            return reset
        settings = _settings()
        try:
            lead_id = _store_lead(tracker, domain, settings.lead_recipient, name, email)
        except Exception:
            logger.exception("could not store the lead")
            dispatcher.utter_message(response="utter_handoff_error")
            return reset
        from bot.handoff import deliver_lead_now, ensure_retry_worker

        try:
            delivered = deliver_lead_now(lead_id, settings)
        except Exception:
            logger.exception("lead delivery failed")
            delivered = False
        if delivered:
            dispatcher.utter_message(
                response="utter_handoff_sent", recipient=settings.lead_recipient, email=email
            )
        else:
            ensure_retry_worker(settings)
            dispatcher.utter_message(
                response="utter_handoff_queued", recipient=settings.lead_recipient
            )
        record(tracker.sender_id, HANDOFF, {"delivered": delivered})
        return reset


def _store_lead(tracker: Tracker, domain: DomainDict, recipient: str, name: str, email: str) -> int:
    from knowledge.records import latest_plan, records_session, save_lead

    with records_session() as session, session.begin():
        plan = latest_plan(session=session, sender_id=tracker.sender_id)
        plan_id: int | None
        payload: dict[str, Any] | None
        if plan is None and tracker.get_slot(DONE):
            from actions import engine

            advice = engine.recommend(profile_from_slots(tracker))
            plan_id, payload = None, advice
        else:
            plan_id, payload = (plan.id, plan.advice) if plan else (None, None)
        lead = save_lead(
            session=session,
            sender_id=tracker.sender_id,
            name=name,
            email=email,
            consent_text=consent_text(domain, recipient),
            plan_id=plan_id,
            plan=payload,
        )
        return lead.id
