"""The widget's socket.io channel, driven through a real python-socketio server.

Clients are connected through the server's own manager and every packet the server would put on
the wire is recorded per connection, so "once", "nothing" and "which session" are counted on what
a browser would really receive.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput

from bot import settings
from bot.channels import PersistentSocketIOInput, session_id_for

ADVICE = {
    "type": "advice",
    "version": 1,
    "priorities": [{"rank": 1, "service": "infrastructure", "title": "Infrastructure"}],
}


class Harness:
    def __init__(self, channel: SocketIOInput | None = None) -> None:
        self.channel = channel or PersistentSocketIOInput(
            session_persistence=True, allowed_origins=["http://127.0.0.1:8080"]
        )
        self.user_messages: list[UserMessage] = []

        async def on_new_message(message: UserMessage) -> None:
            self.user_messages.append(message)

        self.channel.blueprint(on_new_message)
        self.sio = self.channel.sio
        self.wire: dict[str, list[tuple[str, Any]]] = defaultdict(list)

        async def send_eio_packet(eio_sid: str, eio_packet: Any) -> None:
            # A socket.io EVENT on the default namespace is '2["event", data]'.
            event, *data = json.loads(eio_packet.data[1:])
            self.wire[eio_sid].append((event, data[0] if data else None))

        self.sio._send_eio_packet = send_eio_packet

    async def connect(self, eio_sid: str) -> str:
        return await self.sio.manager.connect(eio_sid, "/")

    async def call(self, event: str, sid: str, data: Any = None) -> None:
        await self.sio.handlers["/"][event](sid, data)

    async def new_session(self, eio_sid: str, data: Any = None) -> tuple[str, dict]:
        sid = await self.connect(eio_sid)
        await self.call("session_request", sid, data)
        return sid, self.events(eio_sid, "session_confirm")[-1]

    def events(self, eio_sid: str, name: str) -> list[Any]:
        return [data for event, data in self.wire[eio_sid] if event == name]

    def output(self) -> SocketIOOutput:
        output = self.channel.get_output_channel()
        assert output is not None
        return output


async def test_each_bot_message_reaches_the_connection_once() -> None:
    harness = Harness()
    sid, confirm = await harness.new_session("eio-a")
    # A client that repeats its session request (reconnect logic) must not be counted twice.
    await harness.call("session_request", sid, {"resume_token": confirm["resume_token"]})
    session = confirm["session_id"]
    output = harness.output()
    await output.send_text_message(session, "Question 1 sur 3 : votre activité dépend-elle…")
    buttons = [{"title": "Beaucoup", "payload": '/inform{"digital_dependency":"high"}'}]
    await output.send_text_with_buttons(session, "Question 2 sur 3", buttons)
    await output.send_custom_json(session, dict(ADVICE))
    received = harness.events("eio-a", "bot_uttered")
    assert len(received) == 3
    assert received[0] == {"text": "Question 1 sur 3 : votre activité dépend-elle…"}
    assert received[1]["quick_replies"][0]["title"] == "Beaucoup"


async def test_custom_payload_is_one_event_with_the_payload_unchanged() -> None:
    harness = Harness()
    _, confirm = await harness.new_session("eio-a")
    await harness.output().send_custom_json(confirm["session_id"], dict(ADVICE))
    assert harness.events("eio-a", "bot_uttered") == [{"custom": ADVICE}]


async def test_stock_output_cannot_send_the_advice_payload() -> None:
    """Why send_custom_json is replaced: Rasa 3.6.21 passes the payload as keyword arguments."""
    harness = Harness()
    with pytest.raises(TypeError, match="type"):
        await SocketIOOutput(harness.sio, "bot_uttered").send_custom_json("room", dict(ADVICE))


async def test_session_id_is_drawn_by_the_server_not_the_client() -> None:
    harness = Harness()
    _, confirm = await harness.new_session("eio-a", {"session_id": "choisi-par-le-client"})
    token, session = confirm["resume_token"], confirm["session_id"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # secrets.token_urlsafe(32): 256 bits
    assert session != "choisi-par-le-client"
    assert session == session_id_for(token)
    assert token not in session
    _, other = await harness.new_session("eio-b")
    assert other["resume_token"] != token
    assert other["session_id"] != session


async def test_the_resume_token_brings_the_same_browser_back_to_its_session() -> None:
    harness = Harness()
    first_sid, first = await harness.new_session("eio-a")
    await harness.sio.manager.disconnect(first_sid, "/")
    await harness.call("disconnect", first_sid)
    # The page is reloaded: a new connection presents the token kept in localStorage.
    sid, again = await harness.new_session("eio-a2", {"resume_token": first["resume_token"]})
    assert again["session_id"] == first["session_id"]
    await harness.output().send_text_message(first["session_id"], "Bon retour.")
    assert harness.events("eio-a2", "bot_uttered") == [{"text": "Bon retour."}]
    await harness.call("user_uttered", sid, {"message": "merci"})
    assert harness.user_messages[-1].sender_id == first["session_id"]


async def test_a_client_reusing_someone_elses_session_id_reads_and_writes_nothing_of_it() -> None:
    harness = Harness()
    owner_sid, owner = await harness.new_session("eio-owner")
    victim_session = owner["session_id"]
    intruder_sid, intruder = await harness.new_session(
        "eio-intruder", {"session_id": victim_session}
    )
    assert intruder["session_id"] != victim_session

    await harness.output().send_text_message(victim_session, "Votre plan est prêt.")
    assert harness.events("eio-owner", "bot_uttered") == [{"text": "Votre plan est prêt."}]
    assert harness.events("eio-intruder", "bot_uttered") == []

    await harness.call(
        "user_uttered", intruder_sid, {"message": "supprime tout", "session_id": victim_session}
    )
    await harness.call("user_uttered", owner_sid, {"message": "merci"})
    senders = [(m.text, m.sender_id) for m in harness.user_messages]
    assert senders == [
        ("supprime tout", intruder["session_id"]),
        ("merci", victim_session),
    ]


async def test_a_message_without_a_session_is_ignored() -> None:
    harness = Harness()
    sid = await harness.connect("eio-a")
    await harness.call("user_uttered", sid, {"message": "Bonjour", "session_id": "abc"})
    assert harness.user_messages == []


async def test_the_session_is_forgotten_when_the_connection_closes() -> None:
    harness = Harness()
    sid, _ = await harness.new_session("eio-a")
    await harness.call("disconnect", sid)
    await harness.call("user_uttered", sid, {"message": "Bonjour"})
    assert harness.user_messages == []


async def test_a_long_message_is_cut_and_the_user_told_in_french(monkeypatch) -> None:
    settings.get_settings.cache_clear()
    monkeypatch.setenv("MAX_MESSAGE_LENGTH", "20")
    try:
        harness = Harness()
        sid, _ = await harness.new_session("eio-a")
        await harness.call("user_uttered", sid, {"message": "Nos serveurs plantent tous les jours"})
    finally:
        settings.get_settings.cache_clear()
    assert [m.text for m in harness.user_messages] == ["Nos serveurs planten"]
    (notice,) = harness.events("eio-a", "bot_uttered")
    assert notice["text"].startswith("Votre message était trop long : je n’en ai lu que le début.")


async def test_allowed_origins_come_from_the_settings(monkeypatch) -> None:
    settings.get_settings.cache_clear()
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://www.pme.example, http://127.0.0.1:9090")
    try:
        harness = Harness(PersistentSocketIOInput(session_persistence=True))
    finally:
        settings.get_settings.cache_clear()
    eio = harness.sio.eio
    assert eio.cors_allowed_origins == ["https://www.pme.example", "http://127.0.0.1:9090"]
    assert eio._cors_allowed_origins({"HTTP_ORIGIN": "https://evil.example"}) == [
        "https://www.pme.example",
        "http://127.0.0.1:9090",
    ]


def test_default_origins_are_the_widget_pages_own() -> None:
    loaded = settings.load_settings(environ={"WIDGET_PORT": "8181"}, env_file=None)
    assert loaded.allowed_origins == ("http://127.0.0.1:8181", "http://localhost:8181")
    assert loaded.public_url == "http://127.0.0.1:5005"


def test_credentials_may_name_the_origins() -> None:
    channel = PersistentSocketIOInput.from_credentials(
        {"session_persistence": True, "allowed_origins": ["https://www.pme.example"]}
    )
    assert isinstance(channel, PersistentSocketIOInput)
    assert channel.allowed_origins == ["https://www.pme.example"]
    assert channel.session_persistence is True


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
async def test_stock_channel_never_joins_the_room_on_this_stack() -> None:
    """Guards the reason for the subclass: if Rasa or python-socketio change, revisit it."""
    harness = Harness(SocketIOInput(session_persistence=True))
    sid = await harness.connect("eio-a")
    await harness.call("session_request", sid, {"session_id": "abc"})
    await SocketIOOutput(harness.sio, "bot_uttered").send_text_message("abc", "Bonjour")
    assert harness.events("eio-a", "bot_uttered") == []


def test_the_channel_registers_on_a_sanic_app() -> None:
    from rasa.core.channels.channel import register
    from sanic import Sanic

    app = Sanic("test_channels_register")
    channel = PersistentSocketIOInput(session_persistence=True, allowed_origins=[])
    register([channel], app, route="/webhooks/")
    assert any(route.path.startswith("webhooks/socketio") for route in app.router.routes)


@pytest.mark.parametrize(
    "data", [{"message": ""}, {"message": " \n\t "}, {"message": "\x00\x1b"}, {"message": 42}, None]
)
async def test_a_message_with_nothing_to_read_gets_a_french_answer_and_no_turn(data) -> None:
    harness = Harness()
    sid, _ = await harness.new_session("eio-a")
    await harness.call("user_uttered", sid, data)
    assert harness.user_messages == []
    (answer,) = harness.events("eio-a", "bot_uttered")
    assert answer["text"].startswith("Je n’ai reçu aucun texte")


async def test_control_characters_are_cleaned_before_rasa() -> None:
    harness = Harness()
    sid, _ = await harness.new_session("eio-a")
    await harness.call("user_uttered", sid, {"message": "nos\x00serveurs\x1b plantent"})
    assert [m.text for m in harness.user_messages] == ["nos serveurs  plantent"]
