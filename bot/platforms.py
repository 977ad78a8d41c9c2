"""What the Slack and Teams connectors share: cleaning text, deduplication, background work.

Both platforms want an answer within seconds (Slack retries after 3 s): the webhook answers at
once and the turn runs in a background task kept referenced until it ends.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import unicodedata
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.inbound import clean_text, clip_message, cut_notice

logger = logging.getLogger(__name__)

SEEN_TTL_S = 60 * 60  # Slack's last retry comes about 5 minutes after the event

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


class SeenEvents:
    """Event ids already accepted: in this process, or in Redis shared by every instance.

    Slack retries an event it thinks was not received (after 3 s, then about 1 and 5 minutes
    later) and the Bot Framework resends an activity after a time-out or a 5xx: each platform's
    ids are kept for an hour under their own namespace (`conseil_it:<namespace>:<key>`).
    """

    def __init__(self, namespace: str, redis_url: str | None = None, ttl: int = SEEN_TTL_S) -> None:
        self.namespace = namespace
        self.ttl = ttl
        self._local: dict[str, float] = {}
        self._redis: Any = None
        if redis_url:
            import redis.asyncio as aioredis

            self._redis = aioredis.from_url(redis_url, socket_timeout=2)

    async def first_time(self, key: str) -> bool:
        """True the first time `key` is seen within the TTL (atomic across instances on Redis)."""
        if self._redis is not None:
            try:
                return bool(
                    await self._redis.set(
                        f"conseil_it:{self.namespace}:{key}", 1, nx=True, ex=self.ttl
                    )
                )
            except Exception:  # Redis down: fall back to this process's memory
                logger.warning(
                    "Redis unavailable for %s deduplication; using memory", self.namespace
                )
        now = time.monotonic()
        if len(self._local) > 10_000:
            self._local = {k: t for k, t in self._local.items() if t > now}
        if self._local.get(key, 0) > now:
            return False
        self._local[key] = now + self.ttl
        return True


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
