"""Conversation housekeeping: clarification on low NLU confidence, privacy notice, deletion."""

from __future__ import annotations

import json

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.settings import get_settings

LABEL_PREFIX = "utter_intent_label_"
# Entities of the original message kept in the button payload, per intent.
PAYLOAD_ENTITIES = {"ask_service": {"service"}}
MAX_CHOICES = 2


class ActionClarify(Action):
    """`nlu_fallback`: offers the two most likely intents as buttons titled from the domain."""

    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        responses = domain.get("responses", {})
        buttons = []
        for ranked in tracker.latest_message.get("intent_ranking") or []:
            intent = ranked.get("name")
            label = responses.get(f"{LABEL_PREFIX}{intent}")
            if intent == "nlu_fallback" or not label:
                continue
            buttons.append({"title": label[0]["text"], "payload": _payload(intent, tracker)})
            if len(buttons) == MAX_CHOICES:
                break
        if not buttons:
            dispatcher.utter_message(response="utter_default")
            return []
        dispatcher.utter_message(response="utter_clarify", buttons=buttons)
        return []


def _payload(intent: str, tracker: Tracker) -> str:
    """`/intent`, keeping the service the user named so the answer can use it."""
    kept = PAYLOAD_ENTITIES.get(intent, set())
    entities = {
        entity["entity"]: entity["value"]
        for entity in tracker.latest_message.get("entities") or []
        if entity.get("entity") in kept
    }
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


class ActionDeleteData(Action):
    """`request_data_deletion`: ends the diagnostic; the Rasa server then erases the conversation.

    The tracker is saved by Rasa at the end of the turn, after this action: erasing from here
    would be undone. `bot/patches/privacy.py` deletes every stored event of the conversation
    once the turn is saved, and only then sends `utter_data_deleted` with the counts.
    """

    def name(self) -> str:
        return "action_delete_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # Always ends any diagnostic in progress (and keeps the rules complete for Rasa).
        return [AllSlotsReset(), ActiveLoop(None)]


class ActionPrivacyNotice(Action):
    """`ask_privacy`: what is stored, why, for how long (RETENTION_DAYS) and how to erase it."""

    def name(self) -> str:
        return "action_privacy_notice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(
            response="utter_privacy_notice", retention_days=get_settings().retention_days
        )
        return []
