"""Builders for action tests: a tracker like the one Rasa sends, and readers of the results."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def make_tracker(
    *,
    slots: dict[str, Any] | None = None,
    intent: str | None = None,
    entities: dict[str, Any] | None = None,
    text: str = "",
    ranking: list[tuple[str, float]] | None = None,
    active_loop: str | None = None,
    events: list[dict[str, Any]] | None = None,
    input_channel: str = "rest",
) -> Tracker:
    """A tracker whose latest user message has `intent`, `entities` ({name: value}) and `text`."""
    entity_list = [
        {"entity": name, "value": value, "start": 0, "end": 0}
        for name, value in (entities or {}).items()
    ]
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": entity_list,
        "intent_ranking": [
            {"name": name, "confidence": confidence} for name, confidence in ranking or []
        ],
    }
    history = [
        {"event": "user", "text": text, "parse_data": latest, "input_channel": input_channel},
        *(events or []),
    ]
    return Tracker(
        sender_id="test",
        slots=dict(slots or {}),
        latest_message=latest,
        events=history,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    """Names of the domain responses sent, in order (None for plain text or payloads)."""
    return [message.get("response") for message in dispatcher.messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """`{slot: value}` of the SlotSet events (last one wins)."""
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}
