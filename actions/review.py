"""Coming back: `request_review` reminds the previous plan, asks what changed, shows the changes.

The returning user is the same sender id (same widget browser, same Slack or Teams user). Their
stored profile is restored, except what is by nature temporary (an emergency), so the diagnostic
asks only that and whatever they say has changed. When the new plan is given, ``send_changes``
(called from the plan hook) lists the services that moved and the warnings that came or went,
with the article's reason to review a scope over time.
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.events import REVIEW, REVIEW_BASELINE, record
from actions.slots import ANSWERED, ASKED_FIELDS, DONE, PAIN_POINTS, PROFILE_SLOTS, UNKNOWN

logger = logging.getLogger(__name__)

# Profile fields that describe a moment rather than the company: asked again on review.
TEMPORARY_FIELDS = ("trigger",)
TOP_PRIORITIES = 3
DATE_FORMAT = "%d/%m/%Y"


class ActionStartReview(Action):
    def name(self) -> str:
        return "action_start_review"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        from knowledge.records import latest_plan, records_session

        try:
            with records_session() as session:
                plan = latest_plan(session=session, sender_id=tracker.sender_id)
        except Exception:
            logger.exception("could not read the previous plan")
            plan = None
        if plan is None:
            dispatcher.utter_message(response="utter_review_none")
            return []
        titles = [p["title"] for p in plan.advice["priorities"][:TOP_PRIORITIES]]
        dispatcher.utter_message(
            response="utter_review_previous",
            date=plan.created_at.strftime(DATE_FORMAT),
            priorities=" ; ".join(f"{rank}. {title}" for rank, title in enumerate(titles, 1)),
        )
        dispatcher.utter_message(response="utter_review_ask_changes")
        record(tracker.sender_id, REVIEW)
        events: list[EventType] = [
            SlotSet(field, _restored(field, plan.profile.get(field))) for field in PROFILE_SLOTS
        ]
        events += [
            SlotSet(PAIN_POINTS, list(plan.profile.get(PAIN_POINTS) or [])),
            SlotSet(ANSWERED, []),
            SlotSet(DONE, False),
            SlotSet(REVIEW_BASELINE, plan.id),
        ]
        return events


def _restored(field: str, value: object) -> object:
    """The slot value to restore: a question answered « je ne sais pas » is not asked again.

    Every asked field was answered before a plan was given, so None there means "unknown".
    """
    if field in TEMPORARY_FIELDS:
        return None
    if value is None and field in ASKED_FIELDS:
        return UNKNOWN
    return value


def send_changes(dispatcher: CollectingDispatcher, baseline: object, advice: dict) -> None:
    """What changed since the baseline plan, one line each, then the article's reason."""
    from knowledge.base import get_knowledge_base
    from knowledge.records import StoredPlan
    from knowledge.review import compare_plans

    assert isinstance(baseline, StoredPlan)
    date = baseline.created_at.strftime(DATE_FORMAT)
    changes = compare_plans(baseline.advice, advice)
    if changes.empty:
        dispatcher.utter_message(response="utter_review_no_change", date=date)
    else:
        dispatcher.utter_message(response="utter_review_changes_header", date=date)
        for kind, moves in (
            ("up", changes.up),
            ("down", changes.down),
            ("new", changes.added),
            ("gone", changes.removed),
        ):
            for move in moves:
                dispatcher.utter_message(
                    response=f"utter_review_service_{kind}",
                    title=move.title,
                    old=move.old,
                    new=move.new,
                )
        titles = {warning.id: warning.title for warning in get_knowledge_base().warnings}
        for kind, ids in (("new", changes.warnings_added), ("gone", changes.warnings_removed)):
            for warning_id in ids:
                dispatcher.utter_message(
                    response=f"utter_review_warning_{kind}",
                    title=titles.get(warning_id, warning_id),
                )
    dispatcher.utter_message(response="utter_review_reason")
