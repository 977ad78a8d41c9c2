"""Fake Slack Web API (chat.postMessage) and a signed Events API client.

The fake answers as Slack does: `{"ok": true, "channel", "ts", "message"}`, `invalid_auth` for
another token, `channel_not_found` without a channel, and HTTP 429 with Retry-After for the
next `rate_limit_next` calls (https://api.slack.com/docs/rate-limits).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from bot.slack import signature
from tests.fakes.server import FakeServer, Received, Reply


class FakeSlack(FakeServer):
    def __init__(self, bot_token: str) -> None:
        super().__init__()
        self.bot_token = bot_token
        self.rate_limit_next = 0
        self.rate_limited = 0
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.posted: list[dict[str, Any]] = []
        self.route("POST", "/api/chat.postMessage", self.post_message)

    @property
    def api_url(self) -> str:
        return self.url + "/api"

    def post_message(self, request: Received) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.bot_token}":
            return Reply(200, {"ok": False, "error": "invalid_auth"})
        with self._lock:
            if self.rate_limit_next > 0:
                self.rate_limit_next -= 1
                self.rate_limited += 1
                return Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
        content_type = request.headers.get("content-type", "")
        message = request.json() if content_type.startswith("application/json") else request.form()
        if not message.get("channel"):
            return Reply(200, {"ok": False, "error": "channel_not_found"})
        if isinstance(message.get("blocks"), str):
            message["blocks"] = json.loads(message["blocks"])
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        message["ts"] = ts
        with self._lock:
            self.posted.append(message)
        return Reply(200, {"ok": True, "channel": message["channel"], "ts": ts, "message": message})

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.posted if channel is None or m["channel"] == channel]


def signed_headers(
    secret: str, body: bytes, timestamp: int | None = None, content_type: str = "application/json"
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(secret, stamp, body),
    }


_event_ids = itertools.count(1)
BOT_USER = "UBOT0001"


def message_event(
    text: Any,
    user: str = "U0USER01",
    channel: str = "D0DIRECT",
    channel_type: str = "im",
    ts: str | None = None,
    thread_ts: str | None = None,
    event_type: str = "message",
    **extra: Any,
) -> dict[str, Any]:
    """An Events API envelope as Slack sends it (api.slack.com/apis/connections/events-api)."""
    event: dict[str, Any] = {
        "type": event_type,
        "user": user,
        "text": text,
        "ts": ts or f"{time.time():.6f}",
        "channel": channel,
        "channel_type": channel_type,
        **extra,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {
        "token": "deprecated-verification-token",
        "team_id": "T0TEAM01",
        "api_app_id": "A0APP001",
        "type": "event_callback",
        "event_id": f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T0TEAM01", "user_id": BOT_USER, "is_bot": True}],
        "event": event,
    }


def block_action(
    value: str,
    user: str = "U0USER01",
    channel: str = "D0DIRECT",
    message_ts: str = "1.000001",
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """A button click's interactivity payload (api.slack.com/reference/interaction-payloads)."""
    message: dict[str, Any] = {"type": "message", "ts": message_ts}
    if thread_ts:
        message["thread_ts"] = thread_ts
    return {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": channel},
        "message": message,
        "trigger_id": f"trig{next(_event_ids)}",
        "actions": [
            {
                "type": "button",
                "action_id": "button_0",
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
