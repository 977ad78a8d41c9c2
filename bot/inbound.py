"""What every channel does to a user's text before Rasa sees it: one length limit, one place.

NLU and the knowledge engine never analyse more than MAX_MESSAGE_LENGTH characters; the channel
tells the user (in French, response `utter_message_cut`) when a message was cut.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import get_settings


@dataclass(frozen=True)
class Inbound:
    text: str
    was_cut: bool


def clip_message(text: str, limit: int | None = None) -> Inbound:
    """The first `limit` characters of `text` (default: the MAX_MESSAGE_LENGTH setting)."""
    limit = get_settings().max_message_length if limit is None else limit
    if len(text) <= limit:
        return Inbound(text, False)
    return Inbound(text[:limit], True)
