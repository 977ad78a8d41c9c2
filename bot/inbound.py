"""What every channel does to a user's text before Rasa sees it: one length limit, one place.

NLU and the knowledge engine never analyse more than MAX_MESSAGE_LENGTH characters; the channel
tells the user (in French, response `utter_message_cut`) when a message was cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import yaml

from bot.settings import ROOT, get_settings

CUT_RESPONSE = "utter_message_cut"
EMPTY_RESPONSE = "utter_empty_message"
# C0 and C1 control characters except tab and newlines, and lone UTF-16 surrogates.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class Inbound:
    text: str
    was_cut: bool


def clean_text(text: str) -> str:
    """Replaces control characters by spaces and lone surrogates by U+FFFD."""

    def replace(match: re.Match[str]) -> str:
        return "\ufffd" if "\ud800" <= match.group() <= "\udfff" else " "

    return _UNPRINTABLE.sub(replace, text)


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
