"""Slack channel (Events API + interactivity), built on Rasa 3.6.21's, with its gaps fixed.

Webhook: POST /webhooks/slack/webhook (events and interactivity both go there).
- Every request is authenticated: v0 HMAC-SHA256 of `v0:timestamp:body` with the signing
  secret, timestamp within five minutes; anything else is 401 and nothing runs.
- The webhook answers at once and the turn runs in the background (Slack retries after 3 s).
- An event is handled once, whatever `X-Slack-Retry-Reason` says: event ids are remembered for
  an hour, in this process (one Rasa instance) or in Redis when LOCK_STORE=redis (several).
- Own messages, other bots' messages and edits/deletions are ignored. In direct messages the
  conversation is the user's; in a channel the bot answers a mention in the mention's thread and
  the conversation is that thread's, so a question there never lands in a diagnostic under way.
- Output: buttons in rows of five (none dropped), the advice payload as Block Kit (short plan,
  detail in its thread), HTTP 429 retried after Retry-After, a time-out on every call.
Tokens come from the settings (.env), never from credentials.yml.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot import cards
from bot.platforms import BackgroundTurns, SeenEvents, clean_user_text, handle_turn
from bot.settings import Settings, SettingsError, SlackSettings, get_settings

logger = logging.getLogger(__name__)

MAX_CLOCK_SKEW_S = 5 * 60
API_TIMEOUT_S = 10
RATE_LIMIT_RETRIES = 3
# Message subtypes that still carry a user's own words; every other subtype (bot_message,
# message_changed, message_deleted, channel_join...) is not a question to answer.
USER_SUBTYPES = frozenset({"thread_broadcast", "file_share"})
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]*)(?:\|([^>]*))?>")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature (api.slack.com/authentication/verifying-requests-from-slack)."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def is_authentic(secret: str, headers: Any, body: bytes, now: float | None = None) -> bool:
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    given = headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or not given:
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_CLOCK_SKEW_S:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), given)


class SlackOutput(OutputChannel):
    """Posts to one Slack channel, in one thread when `thread_ts` is set."""

    @classmethod
    def name(cls) -> str:
        return "slack"

    def __init__(self, settings: SlackSettings, channel: str, thread_ts: str | None = None) -> None:
        super().__init__()
        self.channel = channel
        self.thread_ts = thread_ts
        self.client = AsyncWebClient(
            token=settings.bot_token,
            base_url=settings.api_url + "/",
            timeout=API_TIMEOUT_S,
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(max_retry_count=1),
                AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            ],
        )

    async def post(self, thread_ts: str | None = None, **message: Any) -> str | None:
        """chat.postMessage; returns the new message's ts (None when Slack refused it)."""
        thread_ts = thread_ts or self.thread_ts
        if thread_ts:
            message["thread_ts"] = thread_ts
        try:
            result = await self.client.chat_postMessage(channel=self.channel, **message)
        except SlackApiError as error:
            logger.error("Slack refused a message: %s", error.response.get("error"))
            return None
        return result.get("ts")

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.post(text=cards.slack_escape(text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        escaped = cards.slack_escape(text)
        blocks = [
            {"type": "section", "text": {"type": "mrkdwn", "text": escaped[:3000]}},
            *cards.slack_buttons(buttons),
        ]
        await self.post(text=escaped, blocks=blocks[: cards.SLACK_BLOCKS_MAX])

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.post(
            text=image, blocks=[{"type": "image", "image_url": image, "alt_text": image}]
        )

    async def send_attachment(  # type: ignore[override]
        self, recipient_id: str, attachment: Any, **kwargs: Any
    ) -> None:
        if isinstance(attachment, dict):
            await self.post(text="", attachments=[attachment])
        else:
            await self.send_text_message(recipient_id, str(attachment))

    async def send_plan(self, payload: dict[str, Any]) -> None:
        """The short plan, then the detail as replies in the plan's own thread."""
        ts = await self.post(
            text=cards.slack_plan_fallback(payload), blocks=cards.slack_plan_summary(payload)
        )
        thread = self.thread_ts or ts
        for blocks in cards.slack_plan_detail(payload):
            await self.post(thread_ts=thread, text=cards.LABELS["detail"], blocks=blocks)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """The advice payload as cards; a Slack message (text/blocks) as is; nothing else.

        Rasa's version passes the payload as keyword arguments: a `channel` or unknown key
        raised TypeError and the turn was lost.
        """
        if cards.is_advice(json_message):
            await self.send_plan(json_message)
            return
        message = {
            key: json_message[key]
            for key in ("text", "blocks", "attachments")
            if key in json_message
        }
        if message:
            await self.post(**message)
        else:
            logger.warning("custom payload not shown on Slack: keys %s", sorted(json_message))


class SlackInput(InputChannel):
    """Rasa's Slack input channel, authenticated, deduplicated and answered at once."""

    @classmethod
    def name(cls) -> str:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(get_settings())

    def __init__(self, settings: Settings) -> None:
        if settings.slack is None:
            raise SettingsError(
                "Configuration : Slack est déclaré dans les canaux mais SLACK_BOT_TOKEN et "
                "SLACK_SIGNING_SECRET ne sont pas renseignés."
            )
        self.slack = settings.slack
        self.seen = SeenEvents(
            "slack", settings.redis_url if settings.lock_store == "redis" else None
        )
        self.turns = BackgroundTurns()

    def output(self, channel: str, thread_ts: str | None) -> SlackOutput:
        return SlackOutput(self.slack, channel, thread_ts)

    def get_output_channel(self) -> OutputChannel | None:  # type: ignore[override]
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            body = request.body or b""
            if not is_authentic(self.slack.signing_secret, request.headers, body):
                return response.text("invalid signature", status=401)
            retry = request.headers.get("X-Slack-Retry-Reason")
            if retry:
                logger.info("Slack retry #%s (%s)", request.headers.get("X-Slack-Retry-Num"), retry)
            content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
            try:
                if content_type == "application/x-www-form-urlencoded":
                    form = parse_qs(body.decode("utf-8"), strict_parsing=False)
                    data = json.loads((form.get("payload") or ["{}"])[0])
                    handler = self._interaction
                else:
                    data = json.loads(body)
                    handler = self._event
            except (ValueError, UnicodeDecodeError):
                return response.text("malformed body", status=400)
            if not isinstance(data, dict):
                return response.text("malformed body", status=400)
            return await handler(data, on_new_message)

        return slack_webhook

    async def _event(
        self, data: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        if data.get("type") == "url_verification":
            challenge = data.get("challenge")
            if not isinstance(challenge, str):
                return response.text("malformed challenge", status=400)
            return response.json({"challenge": challenge})
        event = data.get("event")
        event_id = data.get("event_id")
        if data.get("type") != "event_callback" or not isinstance(event, dict):
            return response.text("ignored")
        if not isinstance(event_id, str) or not event_id:
            return response.text("ignored: no event id")
        if not await self.seen.first_time(f"event:{event_id}"):
            logger.info("Slack event %s already handled: not processed again", event_id)
            return response.text("already handled", headers={"X-Slack-No-Retry": "1"})
        bot_users = self._bot_users(data)
        user = event.get("user")
        channel = event.get("channel")
        ts = event.get("ts")
        if (
            event.get("type") not in ("message", "app_mention")
            or (event.get("subtype") and event.get("subtype") not in USER_SUBTYPES)
            or event.get("bot_id")
            or not isinstance(user, str)
            or not user
            or user in bot_users
            or not isinstance(channel, str)
            or not channel
            or not isinstance(ts, str)
        ):
            return response.text("ignored")
        direct = event.get("channel_type") == "im"
        # In a channel, only mentions are for the bot (and Slack also sends them as `message`).
        if event.get("type") == "message" and not direct:
            return response.text("ignored")
        thread_ts = event.get("thread_ts") if isinstance(event.get("thread_ts"), str) else None
        text = clean_user_text(self._plain(event.get("text"), bot_users, event))
        if not text:
            return response.text("ignored: empty")
        if direct:
            sender, reply_thread = user, thread_ts
        else:
            reply_thread = thread_ts or ts
            sender = f"{user}:{channel}:{reply_thread}"
        self._start(on_new_message, text, sender, channel, reply_thread, typed=True)
        return response.text("")

    async def _interaction(
        self, data: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        actions = data.get("actions")
        user = (data.get("user") or {}).get("id") if isinstance(data.get("user"), dict) else None
        raw_channel = data.get("channel")
        channel: dict[str, Any] = raw_channel if isinstance(raw_channel, dict) else {}
        raw_message = data.get("message")
        message: dict[str, Any] = raw_message if isinstance(raw_message, dict) else {}
        if (
            data.get("type") != "block_actions"
            or not isinstance(actions, list)
            or not actions
            or not isinstance(actions[0], dict)
            or not isinstance(user, str)
            or not isinstance(channel.get("id"), str)
        ):
            return response.text("ignored")
        action = actions[0]
        value = None
        if action.get("type") == "button":
            value = action.get("value")
        elif action.get("type") == "static_select":
            selected = action.get("selected_option")
            value = selected.get("value") if isinstance(selected, dict) else None
        if not isinstance(value, str) or not value.strip():
            return response.text("ignored")  # link buttons carry no value
        key = f"action:{user}:{action.get('action_ts') or data.get('trigger_id')}"
        if not await self.seen.first_time(key):
            return response.text("already handled")
        channel_id = channel["id"]
        thread_ts = message.get("thread_ts") if isinstance(message.get("thread_ts"), str) else None
        if channel_id.startswith("D"):
            sender = user
        else:
            thread_ts = thread_ts or message.get("ts")
            sender = f"{user}:{channel_id}:{thread_ts}"
        # A button's value is the bot's own payload (signed by Slack): it may be /intent{...}.
        self._start(on_new_message, value.strip(), sender, channel_id, thread_ts, typed=False)
        return response.text("")

    def _start(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender: str,
        channel: str,
        thread_ts: str | None,
        typed: bool,
    ) -> None:
        output = self.output(channel, thread_ts)
        metadata = {"out_channel": channel, "thread_id": thread_ts}
        self.turns.start(
            handle_turn(on_new_message, output, text, sender, self.name(), metadata, typed),
            f"slack {sender}",
        )

    @staticmethod
    def _bot_users(data: dict[str, Any]) -> set[str]:
        users = set()
        for authorization in data.get("authorizations") or []:
            if (
                isinstance(authorization, dict)
                and authorization.get("is_bot")
                and isinstance(authorization.get("user_id"), str)
            ):
                users.add(authorization["user_id"])
        return users

    @staticmethod
    def _plain(text: Any, bot_users: set[str], event: dict[str, Any]) -> str:
        """Slack's markup back to what the user typed: no mention of the bot, links as text."""
        if not isinstance(text, str):
            return ""
        leading = event.get("type") == "app_mention"

        def mention(match: re.Match[str]) -> str:
            nonlocal leading
            if match.group(1) in bot_users or (leading and match.start() == 0):
                leading = False
                return " "
            return match.group(0)

        text = _MENTION.sub(mention, text.lstrip())
        text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
