"""The shared list of hostile inputs (tests/hostile_inputs.py) on the widget's socket.io channel.

Cases about the HTTP body or the sender id do not apply here: on socket.io the server draws the
session, and the transport frames the JSON. Every message case must get an answer (a refusal is
the French "nothing to read" answer, without a turn), never silence, a dropped connection or an
injected intent; and the channel keeps serving afterwards.
"""

from __future__ import annotations

import queue

import pytest
from test_socketio import WidgetClient, texts, widget_origin

from bot.inbound import cut_notice, response_text
from tests.hostile_inputs import HOSTILE_INPUTS, Hostile

pytestmark = pytest.mark.e2e

FIRST_REPLY_TIMEOUT_S = 30
EMPTY_ANSWER = response_text("utter_empty_message")
MESSAGE_CASES = [case for case in HOSTILE_INPUTS if case.raw_body is None and case.sender is None]


def first_replies(client: WidgetClient) -> list[dict]:
    replies = [client.bot_events.get(timeout=FIRST_REPLY_TIMEOUT_S)]
    while True:
        try:
            replies.append(client.bot_events.get(timeout=1.5))
        except queue.Empty:
            return replies


class Session:
    """One widget session for all the cases, as one person typing them in turn; a new one
    only when the transport dropped the connection (a frame over its size limit)."""

    def __init__(self, running_bot) -> None:
        self.running_bot = running_bot
        self.client: WidgetClient | None = None

    def get(self) -> WidgetClient:
        if self.client is None or not self.client.client.connected:
            self.client = WidgetClient(self.running_bot.rasa_url, widget_origin(self.running_bot))
            self.client.request_session({})
        return self.client

    def close(self) -> None:
        if self.client is not None and self.client.client.connected:
            self.client.close()


def problem(session: Session, case: Hostile) -> str | None:
    """What was mishandled for this input, or None."""
    try:
        client = session.get()
    except Exception as exc:
        return f"no connection: {type(exc).__name__}"
    try:
        client.emit_message({"message": case.message})
        try:
            replies = first_replies(client)
        except queue.Empty:
            if case.expect == "answer_or_refuse" and not client.client.connected:
                return None  # the transport refused a frame over its size limit
            return "silence"
    except Exception as exc:
        if case.expect == "answer_or_refuse":
            return None
        return f"{type(exc).__name__}: {exc}"[:200]
    said = "\n".join(texts(replies))
    if case.expect == "refuse":
        return None if EMPTY_ANSWER in said else f"not refused: {said[:150]!r}"
    if not said and not any(reply.get("custom") for reply in replies):
        return "no text in the answer"
    if case.cut != (cut_notice() in said):
        return "cut announced wrongly" if not case.cut else "the cut was not announced"
    if case.injected_intent and "j’ai effacé" in said:
        return f"intent {case.injected_intent} injected"
    return None


def test_hostile_inputs_on_socketio(running_bot) -> None:
    assert len(MESSAGE_CASES) >= 25
    session = Session(running_bot)
    problems = {}
    try:
        for case in MESSAGE_CASES:
            problems[case.name] = problem(session, case)
    finally:
        session.close()
    mishandled = {name: why for name, why in problems.items() if why}
    print(f"\nsocket.io: {len(MESSAGE_CASES)} hostile inputs tried, {len(mishandled)} mishandled")
    for name, why in mishandled.items():
        print(f"  - {name}: {why}")
    assert mishandled == {}
    client = session.get()
    try:
        assert texts(client.say("Bonjour")), "the channel no longer answers"
    finally:
        session.close()
