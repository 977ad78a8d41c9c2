"""Builds Rasa's channel configuration (var/credentials.yml) from the settings at each start.

REST and the widget's socket.io channel are always on; Slack and Teams only when their
variables are set. No secret is written: the Slack and Teams connectors read their tokens from
`bot.settings.get_settings()`, i.e. from the environment and `.env`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.settings import ROOT, Settings

SLACK_CHANNEL = "bot.slack.SlackInput"
TEAMS_CHANNEL = "bot.teams.BotFrameworkInput"
SLACK_WEBHOOK = "/webhooks/slack/webhook"
TEAMS_WEBHOOK = "/webhooks/botframework/webhook"


def build_credentials(settings: Settings) -> dict[str, Any]:
    credentials: dict[str, Any] = {
        "rest": None,
        # bot.channels repairs Rasa 3.6.21's socket.io channel (session room never joined).
        "bot.channels.PersistentSocketIOInput": {
            "user_message_evt": "user_uttered",
            "bot_message_evt": "bot_uttered",
            "session_persistence": True,
        },
    }
    if settings.slack is not None:
        credentials[SLACK_CHANNEL] = {"settings": "SLACK_* in .env"}
    if settings.teams is not None:
        credentials[TEAMS_CHANNEL] = {"settings": "TEAMS_* in .env"}
    return credentials


def webhook_urls(settings: Settings) -> dict[str, str]:
    """The URL each enabled platform must be given (behind your public HTTPS address)."""
    urls = {}
    if settings.slack is not None:
        urls["Slack"] = settings.rasa_url + SLACK_WEBHOOK
    if settings.teams is not None:
        urls["Teams"] = settings.rasa_url + TEAMS_WEBHOOK
    return urls


def write_credentials(settings: Settings, path: Path = ROOT / "var" / "credentials.yml") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Generated from .env by bot/credentials.py at each start: edit .env, not this file.\n"
    )
    path.write_text(header + yaml.safe_dump(build_credentials(settings), sort_keys=False))
    return path
