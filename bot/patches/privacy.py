"""Real erasure: after a turn that ran `action_delete_data`, the conversation is deleted.

Rasa saves the tracker at the end of the turn, after every action: an action that erased the
conversation would see it written back. This patch lets the turn finish and be saved, then
deletes every stored event of the conversation from the tracker store (still under the
conversation's lock) and what the knowledge database keeps about it (plans, report links, leads,
anonymous events: `knowledge.records`), and only then sends `utter_data_deleted` with what was
deleted. Nothing
of the conversation is kept; a next message starts a new one.
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from bot.privacy import delete_conversation

logger = logging.getLogger(__name__)

DELETE_ACTION = "action_delete_data"
DELETED_RESPONSE = "utter_data_deleted"

_saved: contextvars.ContextVar[Any] = contextvars.ContextVar("saved_tracker", default=None)


def erase_records(sender_id: str) -> int:
    """Rows of `knowledge.records` (plans, report links, leads, events) deleted for the sender."""
    from knowledge.records import erase_conversation

    return sum(erase_conversation(sender_id).values())


def deletion_requested(tracker: Any) -> bool:
    """True when `action_delete_data` ran since the latest user message."""
    from rasa.shared.core.events import ActionExecuted, UserUttered

    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == DELETE_ACTION:
            return True
    return False


def apply() -> None:
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.trackers import DialogueStateTracker

    if getattr(MessageProcessor.handle_message, "_erasing", False):
        return
    original_save = MessageProcessor.save_tracker
    original_handle = MessageProcessor.handle_message

    async def save_tracker(self: MessageProcessor, tracker: DialogueStateTracker) -> None:
        await original_save(self, tracker)
        _saved.set(tracker)

    async def handle_message(self: MessageProcessor, message: Any) -> Any:
        _saved.set(None)
        result = await original_handle(self, message)
        tracker = _saved.get()
        if tracker is None or not deletion_requested(tracker):
            return result
        deleted = delete_conversation(self.tracker_store, tracker.sender_id)
        records = erase_records(tracker.sender_id)
        logger.info(
            "Conversation erased on request: %d events, %d other records deleted.",
            deleted.events,
            records,
        )
        channel = message.output_channel
        draft = await self.nlg.generate(
            DELETED_RESPONSE,
            DialogueStateTracker.from_events(tracker.sender_id, []),
            channel.name(),
            storage=deleted.storage,
            deleted_events=deleted.events,
            deleted_user_messages=deleted.user_messages,
            deleted_bot_messages=deleted.bot_messages,
            deleted_other_events=deleted.other_events,
            deleted_records=records,
        )
        if draft:
            await channel.send_response(tracker.sender_id, draft)
        return channel.messages if isinstance(channel, CollectingOutputChannel) else result

    save_tracker._erasing = True  # type: ignore[attr-defined]
    handle_message._erasing = True  # type: ignore[attr-defined]
    MessageProcessor.save_tracker = save_tracker  # type: ignore[method-assign]
    MessageProcessor.handle_message = handle_message  # type: ignore[method-assign]
