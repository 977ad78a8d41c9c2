import queue

import pytest
import socketio

pytestmark = pytest.mark.e2e


def test_widget_socket_receives_bot_messages_with_persistence(running_bot) -> None:
    # The synchronous client (HTTP long-polling through requests): the installed aiohttp is too
    # old for python-engineio's asyncio client, and the server-side room logic is the same.
    client = socketio.Client()
    received: queue.Queue = queue.Queue()
    confirmed: queue.Queue = queue.Queue()
    client.on("bot_uttered", received.put)
    client.on("session_confirm", confirmed.put)
    client.connect(running_bot.rasa_url, socketio_path="/socket.io", transports=["polling"])
    try:
        client.emit("session_request", {"session_id": "e2e-socket-session"})
        assert confirmed.get(timeout=10) == "e2e-socket-session"
        client.emit("user_uttered", {"message": "Bonjour", "session_id": "e2e-socket-session"})
        message = received.get(timeout=30)
        assert message.get("text"), message
    finally:
        client.disconnect()
