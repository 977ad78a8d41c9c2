"""Custom channel connectors.

`PersistentSocketIOInput` repairs Rasa 3.6.21's socket.io channel under python-socketio 5.x:
there `AsyncServer.enter_room` is a coroutine, but Rasa calls it without `await` when
`session_persistence` is on, so the client never joins its room and gets no bot message.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint


class PersistentSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel whose session request really joins the session's room."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by super().blueprint

        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            data = dict(data or {})
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, data["session_id"], namespace=self.namespace)
            await sio.emit(
                "session_confirm", data["session_id"], room=sid, namespace=self.namespace
            )

        # Replaces the handler Rasa registered for the same event.
        sio.on("session_request", session_request, namespace=self.namespace)
        return blueprint
