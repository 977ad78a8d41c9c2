"""The widget's socket.io channel against the running system (launcher, Rasa, actions).

python-socketio's synchronous client with HTTP long-polling (the installed aiohttp is too old for
python-engineio's asyncio client; the server side is the same). Each turn collects the bot's
events until the channel has been quiet for a few seconds, and counts duplicates.
"""

from __future__ import annotations

import json
import queue
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
import socketio
from test_conversation import OPENING

from bot.settings import ROOT

pytestmark = pytest.mark.e2e

FIRST_REPLY_TIMEOUT_S = 90
QUIET_S = 5
FOREIGN_ORIGIN = "http://evil.example"
ARTIFACTS = ROOT / "var" / "artifacts"


def widget_origin(running_bot) -> str:
    return running_bot.widget_url.rstrip("/")


class WidgetClient:
    """What the widget does, from Python: connect with the page's Origin, ask for a session."""

    def __init__(self, rasa_url: str, origin: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.bot_events: queue.Queue = queue.Queue()
        self.confirms: queue.Queue = queue.Queue()
        self.client.on("bot_uttered", self.bot_events.put)
        self.client.on("session_confirm", self.confirms.put)
        self.client.connect(
            rasa_url,
            headers={"Origin": origin},
            socketio_path="/socket.io",
            transports=["polling"],
        )
        self.sent = 0

    def request_session(self, data: dict) -> dict:
        self.client.emit("session_request", data)
        return self.confirms.get(timeout=30)

    def emit_message(self, data: dict) -> None:
        self.client.emit("user_uttered", data)
        self.sent += 1

    def say(self, text: str) -> list[dict]:
        self.emit_message({"message": text})
        replies = [self.bot_events.get(timeout=FIRST_REPLY_TIMEOUT_S)]
        return replies + self.drain()

    def drain(self) -> list[dict]:
        """Everything received until nothing came for QUIET_S seconds."""
        events = []
        while True:
            try:
                events.append(self.bot_events.get(timeout=QUIET_S))
            except queue.Empty:
                return events

    def close(self) -> None:
        self.client.disconnect()


def duplicates(replies: list[dict]) -> int:
    counts = Counter(json.dumps(reply, sort_keys=True) for reply in replies)
    return sum(count - 1 for count in counts.values())


def advice_in(replies: list[dict]) -> dict | None:
    for reply in replies:
        custom = reply.get("custom")
        if isinstance(custom, dict) and custom.get("type") == "advice":
            return custom
    return None


def texts(replies: list[dict]) -> list[str]:
    return [reply.get("text", "") for reply in replies if reply.get("text")]


def test_full_diagnostic_over_socketio_each_message_once(running_bot, capsys) -> None:
    origin = widget_origin(running_bot)
    owner = WidgetClient(running_bot.rasa_url, origin)
    clients = [owner]
    try:
        confirm = owner.request_session({"session_id": "e2e-choisi-par-le-client"})
        session_id, token = confirm["session_id"], confirm["resume_token"]
        assert session_id != "e2e-choisi-par-le-client"
        assert len(token) == 43

        turns = [owner.say(OPENING)]
        while advice_in(turns[-1]) is None and len(turns) < 8:
            turns.append(owner.say("je ne sais pas"))
        transcript = [reply for turn in turns for reply in turn]
        advice = advice_in(transcript)
        assert advice is not None, texts(transcript)
        assert any("Question 1 sur" in text for text in texts(transcript)), texts(transcript)
        # The plan arrives as one event carrying the payload of the contract.
        plan_events = [reply for reply in transcript if "custom" in reply]
        assert len(plan_events) == 1
        assert advice["priorities"][0]["service"] == "infrastructure"
        assert "server_instability" in advice["priorities"][0]["because_of"]
        assert advice["priorities"][0]["source"]["quote"]
        # On socket.io the plan is the payload alone, not also a hundred lines of text.
        assert not any(advice["priorities"][0]["source"]["quote"] in t for t in texts(transcript))

        # Someone who learnt the session id cannot get into the conversation.
        intruder = WidgetClient(running_bot.rasa_url, origin)
        clients.append(intruder)
        stolen = intruder.request_session({"session_id": session_id})
        assert stolen["session_id"] != session_id

        # One more turn after the plan: the turn was saved, no form question comes back.
        after = owner.say("merci")
        turns.append(after)
        assert texts(after), after
        assert not any("Question" in text or "sur 3" in text for text in texts(after)), after
        assert intruder.drain() == [], "l'intrus ne doit rien recevoir"

        # Writing under the owner's id lands in the intruder's own conversation.
        intruder.emit_message({"message": "je ne sais pas", "session_id": session_id})
        assert owner.drain() == [], "le propriétaire ne doit rien recevoir de l'intrus"
        intruder.drain()

        # The same browser after a reload: its resume token leads back to its conversation.
        reloaded = WidgetClient(running_bot.rasa_url, origin)
        clients.append(reloaded)
        assert reloaded.request_session({"resume_token": token})["session_id"] == session_id

        received = sum(len(turn) for turn in turns)
        dups = sum(duplicates(turn) for turn in turns)
        counts = {
            "sent": owner.sent,
            "received": received,
            "duplicates": dups,
            "turns": len(turns),
        }
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        Path(ARTIFACTS / "socketio-counts.json").write_text(json.dumps(counts, indent=2))
        with capsys.disabled():
            print(
                f"\nsocket.io : {owner.sent} messages envoyés, {received} reçus, "
                f"{dups} doublons ({len(turns)} tours)"
            )
        assert dups == 0, [turn for turn in turns if duplicates(turn)]
    finally:
        for client in clients:
            client.close()


def test_a_foreign_origin_is_refused(running_bot) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        WidgetClient(running_bot.rasa_url, FOREIGN_ORIGIN)


def test_rest_cors_names_only_the_allowed_origins(running_bot) -> None:
    def allowed_origin_header(origin: str) -> str | None:
        request = urllib.request.Request(running_bot.rasa_url + "/", headers={"Origin": origin})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers.get("Access-Control-Allow-Origin")

    assert allowed_origin_header(widget_origin(running_bot)) == widget_origin(running_bot)
    assert allowed_origin_header(FOREIGN_ORIGIN) is None
