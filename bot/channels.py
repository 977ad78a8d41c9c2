"""The socket.io channel of the website widget, repaired and locked down.

`PersistentSocketIOInput` replaces Rasa 3.6.21's `SocketIOInput` (same channel name, `socketio`).
What stock Rasa gets wrong on this stack, and what this class does instead:

- `enter_room` is a coroutine in python-socketio 5.x and Rasa does not await it: the client never
  joins its session's room and receives nothing. Here it is awaited.
- `send_custom_json` calls `emit(**payload)`: the advice payload (`{"type": "advice", ...}`) raises
  TypeError and the turn is not saved. Here a custom payload is one `bot_uttered` event
  `{"custom": payload}`, the shape of the REST channel.
- The client chooses its session id, so anyone who knows or guesses an id reads and writes that
  conversation. Here the server draws a secret resume token (`secrets.token_urlsafe`), and the
  session id is a one-way hash of it: only the holder of the token (the browser that created the
  session, which keeps it in localStorage) can join that session again, and a message is always
  filed under the session bound to the connection that sent it, whatever id the message claims.
  Nothing is stored on the server, so a token survives a restart and works on any Rasa instance.
- Rasa accepts any origin (`--cors "*"` and an empty origin list for engine.io). Here engine.io
  refuses a browser whose Origin is not one of ALLOWED_ORIGINS.
- The user's text is cut to MAX_MESSAGE_LENGTH (bot.inbound) and the user is told so.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic_cors.core import SANIC_CORS_EVALUATED
from socketio import AsyncServer

from bot.inbound import EMPTY_RESPONSE, clean_text, clip_message, cut_notice, response_text
from bot.settings import get_settings

logger = logging.getLogger(__name__)

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
RESUME_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_resume_token() -> str:
    return secrets.token_urlsafe(32)


def session_id_for(resume_token: str) -> str:
    """The conversation id of a resume token; the token cannot be recovered from it."""
    digest = hashlib.sha256(f"socketio-session:{resume_token}".encode()).hexdigest()
    return digest[:32]


class SessionOutput(SocketIOOutput):
    """Sends to the session's room, once per message; custom payloads as one event."""

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class _AppBlueprint(SocketBlueprint):
    """Attaches the socket.io server; keeps the Sanic app to read the domain's responses.

    engine.io checks the Origin of socket.io requests and answers with the CORS headers itself;
    Rasa's Sanic-CORS (`--cors`) would add a second Access-Control-Allow-Origin header to the same
    answers, and browsers refuse an answer with two. So Sanic-CORS is told the socket.io path is
    already handled.
    """

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        self.ctx.app = app
        prefix = self.ctx.socketio_path.rstrip("/")

        async def engineio_owns_cors(request: Request) -> None:
            if request.path == prefix or request.path.startswith(prefix + "/"):
                setattr(request.ctx, SANIC_CORS_EVALUATED, "1")

        app.register_middleware(engineio_owns_cors, "request")
        super().register(app, options)


class PersistentSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with real rooms, server-drawn sessions and exact origins."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        channel = super().from_credentials(credentials)
        assert isinstance(channel, PersistentSocketIOInput)
        origins = (credentials or {}).get("allowed_origins")
        channel.allowed_origins = list(origins) if origins else None
        return channel

    def __init__(self, *args: Any, allowed_origins: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # None: ALLOWED_ORIGINS from the settings, read when the server starts.
        self.allowed_origins = allowed_origins
        # Connection (socket.io sid) -> the session it created or resumed.
        self.sessions: dict[str, str] = {}

    def get_output_channel(self) -> SocketIOOutput | None:
        if self.sio is None:
            return super().get_output_channel()
        return SessionOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        origins = (
            self.allowed_origins
            if self.allowed_origins is not None
            else list(get_settings().allowed_origins)
        )
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=origins)
        self.sio = sio
        blueprint = _AppBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        namespace = self.namespace
        sessions = self.sessions

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict, auth: dict | None) -> bool:
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: str, *_: Any) -> None:
            sessions.pop(sid, None)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            # Any session_id the client proposes is ignored: only a valid resume token
            # (which the server drew for this browser) leads back to an existing session.
            token = data.get("resume_token") if isinstance(data, dict) else None
            if not (isinstance(token, str) and RESUME_TOKEN.match(token)):
                token = new_resume_token()
            session_id = session_id_for(token) if self.session_persistence else sid
            previous = sessions.get(sid)
            if previous is not None and previous != session_id and previous != sid:
                await sio.leave_room(sid, previous, namespace=namespace)
            sessions[sid] = session_id
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=namespace)
            await sio.emit(
                "session_confirm",
                {"session_id": session_id, "resume_token": token},
                to=sid,
                namespace=namespace,
            )

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            session_id = sessions.get(sid)
            if session_id is None:
                logger.warning("socket.io message before session_request from %s: ignored", sid)
                return
            output = SessionOutput(sio, self.bot_message_evt)
            text = data.get("message") if isinstance(data, dict) else None
            text = clean_text(text).strip() if isinstance(text, str) else ""
            if not text:
                # Nothing to read (no text, whitespace or control characters only): say so.
                await output.send_text_message(session_id, response_text(EMPTY_RESPONSE))
                return
            inbound = clip_message(text)
            if inbound.was_cut:
                await output.send_text_message(session_id, cut_notice())
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            await on_new_message(
                UserMessage(
                    inbound.text,
                    output,
                    session_id,
                    input_channel=self.name(),
                    metadata=metadata,
                )
            )

        return blueprint
