"""Question mode (staff in Slack or Teams): answers from the knowledge base, with citations."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import engine
from actions.slots import DONE, latest_intent

logger = logging.getLogger(__name__)

TOPIC_OF_INTENT = {
    "ask_what_to_outsource": "what_to_outsource",
    "ask_service": "service",
    "ask_what_to_keep": "what_to_keep",
    "ask_risks": "risks",
    "ask_how_to_start": "how_to_start",
    "ask_example": "example",
    "ask_cost": "cost",
}


class ActionAnswerQuestion(Action):
    """Answers any ask_* intent; never starts the diagnostic, only offers it."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        topic = TOPIC_OF_INTENT.get(latest_intent(tracker) or "")
        if topic is None:
            dispatcher.utter_message(response="utter_question_error")
            return []
        service = next(tracker.get_latest_entity_values("service"), None)
        if topic == "service" and service not in engine.SERVICE_IDS:
            # None, or a surface form the NLU did not map to an id (typo): ask which service.
            dispatcher.utter_message(response="utter_ask_which_service")
            return []
        try:
            answer = engine.answer_question(topic, service=service if topic == "service" else None)
        except engine.KnowledgeError:
            logger.exception("no answer for topic %s, service %s", topic, service)
            dispatcher.utter_message(response="utter_question_error")
            return []
        dispatcher.utter_message(text=answer["text"])
        for source in answer.get("sources", []):
            dispatcher.utter_message(
                response="utter_citation", quote=source["quote"], section=source["section"]
            )
        if not tracker.active_loop_name and not tracker.get_slot(DONE):
            dispatcher.utter_message(response="utter_offer_diagnostic")
        return []
