"""What every channel does to a user's text before Rasa sees it: one length limit, one place.

NLU and the knowledge engine never analyse more than MAX_MESSAGE_LENGTH characters; the channel
tells the user (in French, response `utter_message_cut`) when a message was cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from bot.settings import ROOT, get_settings

CUT_RESPONSE = "utter_message_cut"


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


@cache
def response_text(name: str) -> str:
    """First variant of a fixed response of domain.yml, for channels that answer by themselves
    (before or without a Rasa turn): their words stay with the bot's other words."""
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    return str(responses[name][0]["text"])


def cut_notice() -> str:
    """What a channel tells the user whose message `clip_message` cut."""
    return response_text(CUT_RESPONSE)
