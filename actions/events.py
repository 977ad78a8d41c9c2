"""What the conversation leaves in the records: stored plans and anonymous usage events.

Two hooks, called from the diagnostic's own actions: ``on_plan_given`` (in ``send_advice``: the
plan is stored for the report and a later review, and a review shows what changed) and
``observe_diagnostic_turn`` (decorates the form's validation: diagnostic started, next question
asked). Events carry ids only (question names, signal, service and warning ids) for
``python -m knowledge stats``. A database problem is logged and never breaks the conversation.

Writes run on one worker thread (``in_writer``), awaited by the action: a SQLite commit waits for
the disk (36 ms measured here, for 2 ms of CPU), and on the action server's event loop it held
every other conversation's action call for that long, once per form question (issue #9).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.slots import ASKED_FIELDS

logger = logging.getLogger(__name__)

REVIEW_BASELINE = "review_baseline"

STARTED = "diagnostic_started"
QUESTION = "question"
PLAN = "plan"
REPORT = "report"
HANDOFF = "handoff"
REVIEW = "review"


# One thread: writes keep their order and never contend with each other for SQLite's lock.
_WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="records")


async def in_writer(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` on the records thread, the event loop staying free meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(
        _WRITER, functools.partial(function, *args)
    )


def record(sender_id: str, kind: str, data: dict[str, Any] | None = None) -> None:
    """One anonymous event; failures are logged, never raised."""
    record_all(sender_id, [(kind, data)])


def record_all(sender_id: str, items: list[tuple[str, dict[str, Any] | None]]) -> None:
    """Anonymous events in one transaction (one commit); failures are logged, never raised."""
    from knowledge.records import record_event, records_session

    try:
        with records_session() as session, session.begin():
            for kind, data in items:
                record_event(session=session, sender_id=sender_id, kind=kind, data=data)
    except Exception:
        logger.exception("could not record the %s event", "/".join(kind for kind, _ in items))


def plan_summary(profile: dict[str, Any], advice: dict[str, Any]) -> dict[str, Any]:
    """The anonymous part of a plan for the statistics: ids only."""
    return {
        "signals": list(profile.get("pain_points") or []),
        "priorities": [p["service"] for p in advice["priorities"]],
        "warnings": [w["id"] for w in advice["warnings"]],
        "missing": list(advice.get("missing") or []),
    }


def on_plan_given(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    profile: dict[str, Any],
    advice: dict[str, Any],
) -> None:
    """Store the plan just given; after a review, tell what changed since the previous one."""
    from knowledge.records import get_plan, record_event, records_session, save_plan

    baseline = None
    try:
        with records_session() as session, session.begin():
            save_plan(session=session, sender_id=tracker.sender_id, profile=profile, advice=advice)
            record_event(
                session=session,
                sender_id=tracker.sender_id,
                kind=PLAN,
                data=plan_summary(profile, advice),
            )
            baseline_id = tracker.get_slot(REVIEW_BASELINE)
            if isinstance(baseline_id, int):
                baseline = get_plan(session=session, plan_id=baseline_id)
    except Exception:
        logger.exception("could not store the plan")
        return
    purge_if_due()
    if baseline is not None:
        from actions.review import send_changes

        send_changes(dispatcher, baseline, advice)


PURGE_EVERY_S = 24 * 3600
_last_purge = 0.0


def purge_if_due() -> None:
    """Apply the retention period (RETENTION_DAYS) at most once a day per process."""
    global _last_purge
    if time.monotonic() - _last_purge < PURGE_EVERY_S and _last_purge:
        return
    _last_purge = time.monotonic()
    from bot.settings import get_settings
    from knowledge.records import purge_older_than

    try:
        counts = purge_older_than(get_settings().retention_days)
        logger.info("retention purge: %s", counts)
    except Exception:
        logger.exception("retention purge failed")


RunMethod = Callable[[Any, CollectingDispatcher, Tracker, DomainDict], Awaitable[list[EventType]]]


def observe_diagnostic_turn(run: RunMethod) -> RunMethod:
    """Decorates the diagnostic form's validation: records the start and each question asked."""

    @functools.wraps(run)
    async def observed(
        self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await run(self, dispatcher, tracker, domain)
        try:
            await in_writer(_record_turn, tracker, events)
        except Exception:
            logger.exception("could not observe the diagnostic turn")
        return events

    return observed


def _record_turn(tracker: Tracker, events: list[EventType]) -> None:
    items: list[tuple[str, dict[str, Any] | None]] = []
    requested = tracker.get_slot("requested_slot")
    if requested is None:
        items.append((STARTED, None))
    elif not events:
        return  # rejected: another action answers, the same question comes back
    values = {field: tracker.get_slot(field) for field in ASKED_FIELDS}
    values.update(
        {e["name"]: e["value"] for e in events if e.get("event") == "slot" and e["name"] in values}
    )
    # The form asks the first required slot still empty (domain order = ASKED_FIELDS).
    following = next((field for field in ASKED_FIELDS if values[field] is None), None)
    if following is not None and following != requested:
        items.append((QUESTION, {"field": following}))
    if items:
        record_all(tracker.sender_id, items)  # the opening's two events: one commit
