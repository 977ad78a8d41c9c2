"""A channel connector mounted on a real Sanic server on loopback, with a stand-in for Rasa.

`on_new_message` records each UserMessage and answers through the message's output channel
with what `reply` returns, as Rasa's agent would, so the connector's output reaches the fakes.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic

# Sanic 21.12 rewrites its HTTP methods at each app's start ("touch-up"); outside test mode a
# second app in the same process fails (KeyError). Test mode re-touches from the originals.
Sanic.test_mode = True

Responder = Callable[[UserMessage], Awaitable[None]]


async def echo(message: UserMessage) -> None:
    await message.output_channel.send_text_message(message.sender_id, f"reçu : {message.text}")


class ChannelServer:
    def __init__(self, channel: InputChannel, reply: Responder = echo) -> None:
        self.channel = channel
        self.reply = reply
        self.messages: list[UserMessage] = []
        self.app = Sanic(f"test_{uuid.uuid4().hex}")
        self.app.blueprint(
            channel.blueprint(self.on_new_message), url_prefix=f"/webhooks/{channel.url_prefix()}"
        )
        self.server: Any = None
        self.url = ""

    async def on_new_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        await self.reply(message)

    async def __aenter__(self) -> ChannelServer:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.server = await self.app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await self.server.startup()
        self.url = f"http://127.0.0.1:{port}/webhooks/{self.channel.name()}/webhook"
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.channel.turns.drain()  # type: ignore[attr-defined]
        self.server.close()
        await self.server.wait_closed()

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
            session.post(self.url, data=body, headers=headers) as reply,
        ):
            return reply.status, await reply.text(), dict(reply.headers)

    async def settle(self) -> None:
        """Lets the background turns started by the webhook finish."""
        await asyncio.sleep(0)
        await self.channel.turns.drain()  # type: ignore[attr-defined]
