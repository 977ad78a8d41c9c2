import asyncio

import pytest
import socketio

pytestmark = pytest.mark.e2e


async def test_widget_socket_receives_bot_messages_with_persistence(running_bot) -> None:
    client = socketio.AsyncClient()
    received: asyncio.Queue = asyncio.Queue()
    confirmed: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", lambda data: received.put_nowait(data))
    client.on("session_confirm", lambda data: confirmed.put_nowait(data))
    await client.connect(running_bot.rasa_url, socketio_path="/socket.io", transports=["websocket"])
    try:
        await client.emit("session_request", {"session_id": "e2e-socket-session"})
        assert await asyncio.wait_for(confirmed.get(), 10) == "e2e-socket-session"
        await client.emit(
            "user_uttered", {"message": "Bonjour", "session_id": "e2e-socket-session"}
        )
        message = await asyncio.wait_for(received.get(), 30)
        assert message.get("text"), message
    finally:
        await client.disconnect()
