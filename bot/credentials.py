"""Builds Rasa's channel configuration (var/credentials.yml) from the settings at each start.

REST and the widget's socket.io channel (as in the repository's credentials.yml) are always on;
Slack and Teams only when their variables are set. No secret is written: the Slack and Teams
connectors read their tokens from `bot.settings.get_settings()`, i.e. the environment and `.env`.
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
# Channels always on (REST and the widget's socket.io), also used by `rasa shell` and `rasa test`.
BASE_CREDENTIALS = ROOT / "credentials.yml"


def build_credentials(settings: Settings) -> dict[str, Any]:
    """The repository's credentials.yml (REST, socket.io), plus the platforms configured."""
    credentials: dict[str, Any] = yaml.safe_load(BASE_CREDENTIALS.read_text(encoding="utf-8"))
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
