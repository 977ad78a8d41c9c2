"""What the Slack and Teams connectors share: cleaning a user's text, and background work.

Both platforms want an answer within seconds (Slack retries after 3 s): the webhook answers at
once and the turn runs in a background task kept referenced until it ends.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.inbound import clean_text, clip_message, cut_notice

logger = logging.getLogger(__name__)

# Rasa reads a text starting with "/" (after stripping spaces) as "/intent{entities}".
_INTENT_PREFIX = re.compile(r"^\s*/+")


def clean_user_text(text: Any) -> str:
    """A typed message as plain text for the NLU: no control characters, no intent syntax.

    A user typing `/restart` or `/inform{"headcount": 5}` must not inject an intent: the leading
    slashes are dropped so Rasa's NLU reads the rest as words. Buttons do not go through here.
    """
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", clean_text(text))
    return _INTENT_PREFIX.sub("", text).strip()


class BackgroundTurns:
    """Runs turns after the webhook has answered; keeps the tasks referenced until done."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self, coroutine: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[Any]:
        async def guarded() -> None:
            try:
                await coroutine
            except Exception:  # a failed turn is logged, never raised into the event loop
                logger.exception("turn failed: %s", what)

        task = asyncio.create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self) -> None:
        """Waits for the running turns (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


async def handle_turn(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    output: OutputChannel,
    text: str,
    sender_id: str,
    input_channel: str,
    metadata: dict[str, Any] | None,
    typed: bool,
) -> None:
    """One turn: the user's text clipped to MAX_MESSAGE_LENGTH (told when cut), then Rasa."""
    inbound = clip_message(text)
    if inbound.was_cut:
        await output.send_text_message(sender_id, cut_notice())
    await on_new_message(
        UserMessage(
            inbound.text,
            output,
            sender_id,
            input_channel=input_channel,
            metadata={**(metadata or {}), "typed": typed},
        )
    )
