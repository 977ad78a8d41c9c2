"""Microsoft Teams through the Bot Framework, built on Rasa 3.6.21's connector, its gaps fixed.

Webhook: POST /webhooks/botframework/webhook (the Azure bot's messaging endpoint).
- Every activity is authenticated before anything runs: the bearer JWT's signature against the
  keys published at the OpenID metadata's jwks_uri (cached, refreshed on an unknown key id),
  algorithm pinned to RS256 (never read from the token), issuer https://api.botframework.com,
  audience = TEAMS_APP_ID, expiry (five minutes of clock skew, as Microsoft allows), the key
  endorsing the activity's channel, and the token's `serviceUrl` claim equal to the activity's:
  else 401 and nothing is sent, so a replayed token cannot send our access token elsewhere.
- Outgoing: a single-tenant token (TEAMS_TOKEN_URL with TEAMS_TENANT_ID), cached until shortly
  before it expires; a time-out on every call; HTTP 429 retried after Retry-After.
- `<at>…</at>` mentions are removed before the NLU; buttons are Adaptive Card Action.Submit
  (messageBack) whose `value` carries the payload; the plan is an Adaptive Card.
- The webhook answers at once; the turn runs in the background. An activity resent by the
  Bot Framework (after a time-out or a 5xx) is handled once: activity ids are remembered for an
  hour, in this process or in Redis when LOCK_STORE=redis (several instances).
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar
from urllib.parse import quote

import aiohttp
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import cards
from bot.platforms import BackgroundTurns, SeenEvents, clean_user_text, handle_turn
from bot.settings import Settings, SettingsError, TeamsSettings, get_settings

logger = logging.getLogger(__name__)

ISSUER = "https://api.botframework.com"
ALGORITHMS = ["RS256"]
CLOCK_SKEW_S = 5 * 60
TOKEN_SCOPE = "https://api.botframework.com/.default"
TOKEN_MARGIN_S = 5 * 60  # fetch a new token this long before the cached one expires
KEYS_MAX_AGE_S = 24 * 60 * 60
KEYS_MIN_REFRESH_S = 60  # an unknown key id refreshes the key set at most once a minute
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=10)
RATE_LIMIT_RETRIES = 3
RETRY_AFTER_MAX_S = 30.0
BUTTONS_PER_ROW = 5
_BEARER = re.compile(r"^Bearer\s+(\S+)$")
_AT_MENTION = re.compile(r"<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)


class UnauthorizedError(Exception):
    """The activity's token does not prove it comes from the Bot Framework for this bot."""


class SigningKeys:
    """The Bot Framework's published signing keys, from the OpenID metadata's jwks_uri."""

    def __init__(self, metadata_url: str) -> None:
        self.metadata_url = metadata_url
        self.keys: dict[str, dict[str, Any]] = {}
        self.fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
            async with session.get(self.metadata_url) as reply:
                reply.raise_for_status()
                metadata = await reply.json(content_type=None)
            async with session.get(metadata["jwks_uri"]) as reply:
                reply.raise_for_status()
                key_set = await reply.json(content_type=None)
        self.keys = {
            key["kid"]: key
            for key in key_set.get("keys", [])
            if isinstance(key, dict) and isinstance(key.get("kid"), str)
        }
        self.fetched_at = time.monotonic()

    async def get(self, kid: str) -> dict[str, Any] | None:
        async with self._lock:
            age = time.monotonic() - self.fetched_at
            if (kid not in self.keys and age > KEYS_MIN_REFRESH_S) or age > KEYS_MAX_AGE_S:
                try:
                    await self.refresh()
                except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, ValueError) as error:
                    logger.warning("could not refresh the Bot Framework signing keys: %s", error)
        return self.keys.get(kid)


async def authenticate(
    authorization: str | None, activity: dict[str, Any], app_id: str, keys: SigningKeys
) -> dict[str, Any]:
    """The claims of a token valid for this bot and this activity, else UnauthorizedError."""
    match = _BEARER.match(authorization or "")
    if not match:
        raise UnauthorizedError("no bearer token")
    token = match.group(1)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise UnauthorizedError(f"malformed token: {error}") from None
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise UnauthorizedError("token without key id")
    jwk = await keys.get(kid)
    if jwk is None:
        raise UnauthorizedError(f"unknown signing key {kid!r}")
    endorsements = jwk.get("endorsements")
    channel_id = activity.get("channelId")
    if isinstance(endorsements, list) and channel_id not in endorsements:
        raise UnauthorizedError(f"key {kid!r} does not endorse channel {channel_id!r}")
    try:
        public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
        if not isinstance(public_key, RSAPublicKey):
            raise UnauthorizedError(f"key {kid!r} is not an RSA public key")
        claims = jwt.decode(
            token,
            key=public_key,
            algorithms=ALGORITHMS,  # pinned: the header's "alg" is never trusted
            audience=app_id,
            issuer=ISSUER,
            leeway=CLOCK_SKEW_S,
            options={"require": ["exp", "iss", "aud"]},
        )
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise UnauthorizedError(f"invalid token: {error}") from None
    claimed = claims.get("serviceUrl")
    given = activity.get("serviceUrl")
    if not isinstance(claimed, str) or not isinstance(given, str):
        raise UnauthorizedError("no serviceUrl to compare")
    if claimed.rstrip("/") != given.rstrip("/"):
        raise UnauthorizedError(f"serviceUrl {given!r} differs from the token's {claimed!r}")
    return claims


class TokenCache:
    """The bot's access token for the Bot Framework connector, per app and token endpoint."""

    _tokens: ClassVar[dict[tuple[str, str], tuple[str, float]]] = {}
    _lock: asyncio.Lock | None = None

    @classmethod
    async def get(cls, teams: TeamsSettings, force: bool = False) -> str:
        if cls._lock is None:
            cls._lock = asyncio.Lock()
        key = (teams.token_url, teams.app_id)
        async with cls._lock:
            cached = cls._tokens.get(key)
            if cached and not force and cached[1] > time.monotonic():
                return cached[0]
            form = {
                "grant_type": "client_credentials",
                "client_id": teams.app_id,
                "client_secret": teams.app_password,
                "scope": TOKEN_SCOPE,
            }
            async with (
                aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session,
                session.post(teams.token_url, data=form) as reply,
            ):
                if reply.status != 200:
                    raise RuntimeError(f"token endpoint answered HTTP {reply.status}")
                data = await reply.json(content_type=None)
            token = data["access_token"]
            lifetime = max(int(data.get("expires_in", 3600)) - TOKEN_MARGIN_S, 0)
            cls._tokens[key] = (token, time.monotonic() + lifetime)
            return token

    @classmethod
    def clear(cls) -> None:
        cls._tokens.clear()
        cls._lock = None


def _retry_after(headers: Any) -> float:
    try:
        return min(max(float(headers.get("Retry-After", "1")), 0.0), RETRY_AFTER_MAX_S)
    except ValueError:
        return 1.0


class BotFrameworkOutput(OutputChannel):
    """Replies in the activity's conversation through its (verified) serviceUrl."""

    @classmethod
    def name(cls) -> str:
        return "botframework"

    def __init__(
        self,
        teams: TeamsSettings,
        service_url: str,
        conversation: dict[str, Any],
        bot: dict[str, Any] | None,
        reply_to_id: str | None,
    ) -> None:
        super().__init__()
        self.teams = teams
        self.conversation = conversation
        self.bot = bot or {"id": teams.app_id}
        self.reply_to_id = reply_to_id
        conversation_id = quote(str(conversation.get("id", "")), safe="")
        self.url = f"{service_url.rstrip('/')}/v3/conversations/{conversation_id}/activities"

    async def send(self, activity: dict[str, Any]) -> bool:
        """POST one activity; a new token once on 401, Retry-After honoured on 429."""
        activity = {
            "type": "message",
            "from": self.bot,
            "conversation": self.conversation,
            **({"replyToId": self.reply_to_id} if self.reply_to_id else {}),
            **activity,
        }
        renewed = False
        attempt = 0
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
            while True:
                token = await TokenCache.get(self.teams, force=renewed)
                headers = {"Authorization": f"Bearer {token}"}
                async with session.post(self.url, json=activity, headers=headers) as reply:
                    if reply.status < 300:
                        return True
                    if reply.status == 401 and not renewed:
                        renewed = True
                        continue
                    if reply.status == 429 and attempt < RATE_LIMIT_RETRIES:
                        attempt += 1
                        await asyncio.sleep(_retry_after(reply.headers))
                        continue
                    logger.error("Bot Framework refused a message: HTTP %s", reply.status)
                    return False

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send({"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        actions = cards.teams_buttons(buttons)
        body: list[dict[str, Any]] = [{"type": "TextBlock", "text": text, "wrap": True}]
        if len(actions) > BUTTONS_PER_ROW:  # Teams shows few card actions: rows of ActionSets
            body += [
                {"type": "ActionSet", "actions": actions[start : start + BUTTONS_PER_ROW]}
                for start in range(0, len(actions), BUTTONS_PER_ROW)
            ]
            actions = []
        card = cards.adaptive_card(body, actions)
        await self.send({"text": "", "attachments": [cards.attachment(card)]})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        card = cards.adaptive_card([{"type": "Image", "url": image}], [])
        await self.send({"attachments": [cards.attachment(card)]})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """The advice payload as an Adaptive Card; a Bot Framework activity body as is."""
        if cards.is_advice(json_message):
            card = cards.teams_plan_card(json_message)
            await self.send(
                {
                    "summary": cards.slack_plan_fallback(json_message),
                    "attachments": [cards.attachment(card)],
                }
            )
            return
        message: dict[str, Any] = {
            key: json_message[key] for key in ("text", "attachments") if key in json_message
        }
        if message:
            await self.send(message)
        else:
            logger.warning("custom payload not shown on Teams: keys %s", sorted(json_message))


def _button_payload(value: Any) -> str | None:
    """The payload of an Action.Submit / messageBack click, if the activity is one."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, dict):
        payload = value.get("payload")
        if isinstance(payload, str) and payload.strip():
            return payload.strip()
    return None


def strip_mentions(text: str) -> str:
    """The text without `<at>Name</at>` mentions, HTML entities decoded."""
    return html.unescape(_AT_MENTION.sub(" ", text))


class BotFrameworkInput(InputChannel):
    """Bot Framework input channel that authenticates every activity before any work."""

    @classmethod
    def name(cls) -> str:
        return "botframework"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(get_settings())

    def __init__(self, settings: Settings) -> None:
        if settings.teams is None:
            raise SettingsError(
                "Configuration : Teams est déclaré dans les canaux mais TEAMS_APP_ID, "
                "TEAMS_APP_PASSWORD et TEAMS_TENANT_ID ne sont pas renseignés."
            )
        self.teams = settings.teams
        self.keys = SigningKeys(settings.teams.openid_metadata_url)
        self.turns = BackgroundTurns()
        self.seen = SeenEvents(
            "teams", settings.redis_url if settings.lock_store == "redis" else None
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        botframework_webhook = Blueprint("botframework_webhook", __name__)

        @botframework_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @botframework_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            try:
                activity = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                activity = None
            if not isinstance(activity, dict):
                # Authenticate even a malformed body's sender before saying more.
                activity = {}
            try:
                await authenticate(
                    request.headers.get("Authorization"), activity, self.teams.app_id, self.keys
                )
            except UnauthorizedError as error:
                logger.warning("Bot Framework activity rejected: %s", error)
                return response.text("unauthorized", status=401)
            await self._accept(activity, on_new_message)
            return response.text("", status=202)

        return botframework_webhook

    async def _accept(
        self, activity: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Starts the turn of an authenticated message activity, once; ignores anything else."""
        raw_sender = activity.get("from")
        sender: dict[str, Any] = raw_sender if isinstance(raw_sender, dict) else {}
        conversation = activity.get("conversation")
        if (
            activity.get("type") != "message"
            or not isinstance(sender.get("id"), str)
            or not isinstance(conversation, dict)
            or not isinstance(conversation.get("id"), str)
        ):
            return
        payload = _button_payload(activity.get("value"))
        if payload is not None:
            text, typed = payload, False
        else:
            raw = activity.get("text")
            text = clean_user_text(strip_mentions(raw) if isinstance(raw, str) else "")
            typed = True
        if not text:
            return
        activity_id = activity.get("id")
        if isinstance(activity_id, str) and not await self.seen.first_time(
            f"activity:{conversation['id']}:{activity_id}"
        ):
            logger.info("Bot Framework activity %s already handled", activity_id)
            return
        if conversation.get("conversationType") in (None, "personal"):
            sender_id = sender["id"]
        else:  # a channel or group chat: one conversation per person and thread
            sender_id = f"{sender['id']}:{conversation['id']}"
        recipient = (
            activity.get("recipient") if isinstance(activity.get("recipient"), dict) else None
        )
        reply_to = activity.get("id") if isinstance(activity.get("id"), str) else None
        output = BotFrameworkOutput(
            self.teams, activity["serviceUrl"], conversation, recipient, reply_to
        )
        metadata = {"conversation_id": conversation["id"]}
        self.turns.start(
            handle_turn(on_new_message, output, text, sender_id, self.name(), metadata, typed),
            f"botframework {sender_id}",
        )
