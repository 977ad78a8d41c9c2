"""`request_report`: a personal, expiring link to this conversation's report (HTML and PDF)."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import engine
from actions.events import REPORT, record
from actions.slots import DONE, profile_from_slots

logger = logging.getLogger(__name__)


class ActionSendReport(Action):
    """The link to the report of the latest plan; without a diagnostic, an offer to start one."""

    def name(self) -> str:
        return "action_send_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not tracker.get_slot(DONE):
            dispatcher.utter_message(response="utter_report_none")
            return []
        try:
            token = _report_token(tracker)
        except Exception:
            logger.exception("could not prepare the report link")
            dispatcher.utter_message(response="utter_report_error")
            return []
        from bot.report_pages import report_url
        from bot.settings import get_settings

        dispatcher.utter_message(
            response="utter_report_link",
            url=report_url(token),
            pdf_url=report_url(token, pdf=True),
            days=get_settings().report_ttl_days,
        )
        record(tracker.sender_id, REPORT)
        return []


def _report_token(tracker: Tracker) -> str:
    """A new link to the plan matching the current answers (stored now if it was not yet)."""
    from bot.settings import get_settings
    from knowledge.records import create_report_link, latest_plan, records_session, save_plan

    profile = profile_from_slots(tracker)
    advice = engine.recommend(profile)
    with records_session() as session, session.begin():
        plan = latest_plan(session=session, sender_id=tracker.sender_id)
        if plan is None or plan.profile != profile or plan.advice != advice:
            plan = save_plan(
                session=session, sender_id=tracker.sender_id, profile=profile, advice=advice
            )
        link = create_report_link(
            session=session, plan_id=plan.id, ttl_days=get_settings().report_ttl_days
        )
        return link.token
