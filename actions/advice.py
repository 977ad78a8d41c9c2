"""The plan: profile from the slots -> engine -> French messages + the contract payload."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import engine, events
from actions.slots import DONE, profile_from_slots

logger = logging.getLogger(__name__)

# Channels whose clients render the advice payload as cards (the widget over socket.io, Slack,
# Teams): they get the payload alone, so the plan is not shown twice. Others get text, then it.
CARD_CHANNELS = frozenset({"socketio", "slack", "botframework"})
# Entity of the detail buttons (/ask_plan_detail{"plan_detail": "why"}).
PLAN_DETAIL = "plan_detail"


def send_advice(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Send the short plan and the detail buttons, then the complete payload; False on error.

    Card channels get the payload alone (it carries everything)."""
    profile = profile_from_slots(tracker)
    try:
        advice = engine.recommend(profile)
        messages = engine.render_advice(advice)
    except engine.KnowledgeError:
        logger.exception("could not build the advice for profile %s", profile)
        dispatcher.utter_message(response="utter_advice_error")
        return False
    if tracker.get_latest_input_channel() not in CARD_CHANNELS:
        for message in messages:
            dispatcher.utter_message(text=message)
        with_case = advice["field_case"] is not None
        dispatcher.utter_message(
            response="utter_plan_details_with_case" if with_case else "utter_plan_details"
        )
    dispatcher.utter_message(json_message=advice)
    events.on_plan_given(dispatcher, tracker, profile, advice)  # stored for report and review
    return True


class ActionGiveAdvice(Action):
    """Ends the diagnostic: the prioritised, cited plan."""

    def name(self) -> str:
        return "action_give_advice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # On the records thread: the plan is stored (a database commit) before the answer.
        if not await events.in_writer(send_advice, dispatcher, tracker):
            return []
        dispatcher.utter_message(response="utter_after_advice")
        return [SlotSet(DONE, True)]


class ActionPlanDetail(Action):
    """`ask_plan_detail` (buttons under the short plan): one part of the plan, from the stored
    profile."""

    def name(self) -> str:
        return "action_plan_detail"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not tracker.get_slot(DONE):
            dispatcher.utter_message(response="utter_plan_detail_none")
            return []
        part = next(tracker.get_latest_entity_values(PLAN_DETAIL), None)
        if part not in engine.DETAIL_PARTS:
            part = engine.DETAIL_PARTS[0]
        profile = profile_from_slots(tracker)
        try:
            messages = engine.render_detail(engine.recommend(profile), part)
        except engine.KnowledgeError:
            logger.exception("could not detail the plan (%s) for profile %s", part, profile)
            dispatcher.utter_message(response="utter_advice_error")
            return []
        for message in messages:
            dispatcher.utter_message(text=message)
        return []
