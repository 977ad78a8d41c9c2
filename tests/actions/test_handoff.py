"""The hand-off: consent first, validated e-mail, nothing kept on refusal, delivered once."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from action_helpers import make_tracker, responses, slot_events
from rasa_sdk.executor import CollectingDispatcher
from record_helpers import as_sender, records_db, sent, session  # noqa: F401

from actions import handoff
from actions.advice import ActionGiveAdvice
from actions.handoff import (
    ActionStartHandoff,
    ActionSubmitHandoff,
    ValidateHandoffForm,
)
from actions.slots import UNKNOWN
from bot import handoff as delivery
from bot.settings import SettingsError, load_settings
from knowledge import records

PLAN_SLOTS = {
    "headcount": 45,
    "multi_site": True,
    "it_staff": "non_specialist",
    "digital_dependency": UNKNOWN,
    "trigger": UNKNOWN,
    "motive": UNKNOWN,
    "pain_points": ["server_instability", "backup_doubt"],
    "diagnostic_done": True,
}

pytestmark = pytest.mark.usefixtures("records_db")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Receiver:
    """A fake lead webhook: records every POST body (parsed and raw) and its headers."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.bodies: list[Any] = []
        self.raw: list[tuple[dict[str, str], bytes]] = []
        received, raw = self.bodies, self.raw

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                body = self.rfile.read(length)
                raw.append((dict(self.headers.items()), body))
                received.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeSMTP:
    """A minimal SMTP server (enough for smtplib): keeps each message's bytes."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[bytes] = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            with connection, connection.makefile("rb") as reader:

                def say(line: str, connection: socket.socket = connection) -> None:
                    connection.sendall(line.encode() + b"\r\n")

                say("220 fake ESMTP")
                while line := reader.readline():
                    verb = line.decode().strip().split(" ")[0].upper()
                    if verb == "DATA":
                        say("354 go ahead")
                        data = b""
                        while (chunk := reader.readline()) not in (b".\r\n", b""):
                            data += chunk
                        self.messages.append(data)
                        say("250 queued")
                    elif verb == "QUIT":
                        say("221 bye")
                        break
                    else:
                        say("250 ok")

    def __enter__(self) -> FakeSMTP:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()


def settings_with(**values: str):
    return load_settings({"LEAD_RETRY_SECONDS": "1", **values}, None)


@pytest.fixture(autouse=True)
def no_retry_thread_left() -> Iterator[None]:
    """Each test's retry thread (with that test's settings) ends with the test."""
    yield
    delivery.stop_retry_worker()


@pytest.fixture
def use_settings(monkeypatch):
    def apply(settings):
        monkeypatch.setattr(handoff, "_settings", lambda: settings)
        return settings

    return apply


def tracker_for(sender: str, *, slots=None, intent=None, text="", requested=None):
    all_slots = {**PLAN_SLOTS, **(slots or {}), "requested_slot": requested}
    return as_sender(make_tracker(slots=all_slots, intent=intent, text=text), sender)


async def fill_form(sender: str, domain, turns: list[tuple[str, str]]) -> tuple[dict, list[str]]:
    """Runs the validation like Rasa: slots carried over, requested_slot from each answer."""
    slots: dict = {"handoff_consent": None, "lead_name": None, "lead_email": None}
    said: list[str] = []
    requested = (
        slot_events(
            await ValidateHandoffForm().run(
                CollectingDispatcher(), tracker_for(sender, slots=slots), domain
            )
        )
    )["requested_slot"]
    for intent, text in turns:
        dispatcher = CollectingDispatcher()
        tracker = tracker_for(sender, slots=slots, intent=intent, text=text, requested=requested)
        result = slot_events(await ValidateHandoffForm().run(dispatcher, tracker, domain))
        said += responses(dispatcher)
        requested = result.pop("requested_slot", requested)
        slots.update(result)
        if requested is None:
            break
    return {**slots, "requested_slot": requested}, said


async def test_without_destination_the_bot_says_so_and_asks_nothing(
    domain, dispatcher, use_settings
):
    use_settings(settings_with())
    events = await ActionStartHandoff().run(dispatcher, tracker_for("h-none"), domain)
    assert responses(dispatcher) == ["utter_contact"]
    slots = slot_events(events)
    tracker = tracker_for("h-none", slots=slots)
    assert slot_events(await ValidateHandoffForm().run(dispatcher, tracker, domain)) == {
        "requested_slot": None
    }
    dispatcher.messages.clear()
    await ActionSubmitHandoff().run(dispatcher, tracker, domain)
    assert dispatcher.messages == []


async def test_the_explanation_comes_before_any_question(domain, dispatcher, use_settings):
    use_settings(
        settings_with(LEAD_WEBHOOK_URL="http://127.0.0.1:9/", LEAD_RECIPIENT="Cabinet Exemple")
    )
    await ActionStartHandoff().run(dispatcher, tracker_for("h-explain"), domain)
    message = sent(dispatcher, "utter_handoff_explain")
    assert message["recipient"] == "Cabinet Exemple"
    text = domain["responses"]["utter_handoff_explain"][0]["text"]
    assert "nom" in text and "e-mail" in text and "plan" in text and "{recipient}" in text
    assert "Oui, j’accepte" in json.dumps(
        domain["responses"]["utter_ask_handoff_form_handoff_consent"], ensure_ascii=False
    )


async def test_refusal_stores_nothing(domain, dispatcher, use_settings):
    use_settings(settings_with(LEAD_WEBHOOK_URL="http://127.0.0.1:9/"))
    slots, _ = await fill_form("h-refuse", domain, [("deny", "non merci")])
    assert slots["handoff_consent"] is False and slots["requested_slot"] is None
    await ActionSubmitHandoff().run(dispatcher, tracker_for("h-refuse", slots=slots), domain)
    assert responses(dispatcher) == ["utter_handoff_refused"]
    with session() as db:
        assert [
            lead for lead in records.list_leads(session=db)
            if lead.sender_key == records.sender_key("h-refuse")
        ] == []  # fmt: skip
        events = records.list_events(session=db)
    assert not [e for e in events if e.sender_key == records.sender_key("h-refuse")]


async def test_a_wrong_email_is_asked_again_and_can_be_abandoned(domain, use_settings):
    use_settings(settings_with(LEAD_WEBHOOK_URL="http://127.0.0.1:9/"))
    slots, said = await fill_form(
        "h-wrong",
        domain,
        [
            ("affirm", "oui"),
            ("inform", "Jeanne Dupré"),
            ("inform", "jeanne@"),
            ("inform", "annuler"),
        ],
    )
    assert said == ["utter_handoff_bad_email"]
    assert slots["handoff_consent"] is False and slots["requested_slot"] is None
    slots, said = await fill_form(
        "h-wrong2",
        domain,
        [("affirm", "oui"), ("inform", "Jeanne Dupré"), ("inform", "pas une adresse"),
         ("inform", "jeanne.dupre@exemple.fr")],
    )  # fmt: skip
    assert said == ["utter_handoff_bad_email"]
    assert slots == {
        "handoff_consent": True,
        "lead_name": "Jeanne Dupré",
        "lead_email": "jeanne.dupre@exemple.fr",
        "requested_slot": None,
    }


async def test_an_unclear_consent_is_asked_again_and_a_deletion_request_interrupts(
    domain, use_settings
):
    use_settings(settings_with(LEAD_WEBHOOK_URL="http://127.0.0.1:9/"))
    slots, said = await fill_form("h-unclear", domain, [("inform", "peut-être")])
    assert said == ["utter_handoff_consent_unclear"]
    assert slots["requested_slot"] == "handoff_consent" and slots["handoff_consent"] is None
    tracker = tracker_for(
        "h-unclear", intent="request_data_deletion", text="effacez mes données",
        requested="handoff_consent",
    )  # fmt: skip
    assert await ValidateHandoffForm().run(CollectingDispatcher(), tracker, domain) == []


async def consented_lead(sender: str, domain) -> dict:
    dispatcher = CollectingDispatcher()
    await ActionGiveAdvice().run(dispatcher, tracker_for(sender), domain)
    slots, _ = await fill_form(
        sender,
        domain,
        [("affirm", "oui"), ("inform", "Éloïse Dupré"), ("inform", "eloise@exemple.fr")],
    )
    return slots


async def test_with_consent_the_lead_is_stored_and_received(domain, dispatcher, use_settings):
    port = free_port()
    settings = use_settings(
        settings_with(
            LEAD_WEBHOOK_URL=f"http://127.0.0.1:{port}/leads", LEAD_RECIPIENT="Cabinet Exemple"
        )
    )
    slots = await consented_lead("h-yes", domain)
    with Receiver(port) as receiver:
        await ActionSubmitHandoff().run(dispatcher, tracker_for("h-yes", slots=slots), domain)
    assert responses(dispatcher) == ["utter_handoff_sent"]
    assert sent(dispatcher, "utter_handoff_sent")["email"] == "eloise@exemple.fr"
    (body,) = receiver.bodies
    assert body["lead"]["name"] == "Éloïse Dupré" and body["lead"]["email"] == "eloise@exemple.fr"
    consent = body["lead"]["consent_text"]
    assert "transmettre votre demande à Cabinet Exemple" in consent
    assert "Acceptez-vous que ces informations lui soient transmises" in consent
    assert body["plan"]["priorities"][0]["service"] == "infrastructure"
    with session() as db:
        (lead,) = [
            lead for lead in records.list_leads(session=db)
            if lead.sender_key == records.sender_key("h-yes")
        ]  # fmt: skip
    assert lead.delivered_at is not None and lead.consented_at <= lead.delivered_at
    assert lead.consent_text == body["lead"]["consent_text"]
    assert delivery.deliver_pending(settings).delivered == []  # nothing left to send


async def test_destination_down_then_up_is_delivered_once(domain, dispatcher, use_settings):
    port = free_port()  # nothing listens there yet: the destination is down
    settings = use_settings(settings_with(LEAD_WEBHOOK_URL=f"http://127.0.0.1:{port}/"))
    slots = await consented_lead("h-down", domain)
    await ActionSubmitHandoff().run(dispatcher, tracker_for("h-down", slots=slots), domain)
    assert responses(dispatcher) == ["utter_handoff_queued"]  # the truth: not received yet
    with session() as db:
        (lead,) = [
            lead for lead in records.list_leads(session=db)
            if lead.sender_key == records.sender_key("h-down")
        ]  # fmt: skip
    assert lead.delivered_at is None and lead.attempts == 1 and "injoignable" in lead.last_error
    with Receiver(port) as receiver:
        deadline = time.monotonic() + 20
        # The action started the retry thread (LEAD_RETRY_SECONDS=1): it delivers by itself.
        while not receiver.bodies and time.monotonic() < deadline:
            time.sleep(0.2)
        delivery.deliver_pending(settings)
        delivery.deliver_pending(settings)
        time.sleep(1.5)  # one more retry period: nothing may be sent again
    assert [body["lead"]["id"] for body in receiver.bodies] == [lead.id]


async def test_email_destination_gets_the_lead_with_its_plan(domain, use_settings):
    port = free_port()
    settings = use_settings(
        settings_with(
            LEAD_SMTP_HOST="127.0.0.1", LEAD_SMTP_PORT=str(port), LEAD_EMAIL_TO="leads@cabinet.fr"
        )
    )
    slots = await consented_lead("h-mail", domain)
    dispatcher = CollectingDispatcher()
    with FakeSMTP(port) as smtp:
        await ActionSubmitHandoff().run(dispatcher, tracker_for("h-mail", slots=slots), domain)
    assert responses(dispatcher) == ["utter_handoff_sent"]
    (raw,) = smtp.messages
    mail = message_from_bytes(raw, policy=default_policy)
    assert mail["To"] == "leads@cabinet.fr" and mail["Reply-To"] == "eloise@exemple.fr"
    body = mail.get_body(("plain",)).get_content()
    assert "Éloïse Dupré" in body and "1. Infrastructure, serveurs et continuité d’activité" in body
    assert settings.handoff_configured


def verify_signature(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does, written from the README's description, not from bot.handoff."""
    timestamp = headers.get("X-Conseil-Timestamp", "")
    given = headers.get("X-Conseil-Signature", "")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) < 300
    return fresh and hmac.compare_digest(given, "sha256=" + expected.hexdigest())


async def test_a_webhook_secret_signs_each_lead(domain, dispatcher, use_settings):
    secret = "s" * 40
    port = free_port()
    use_settings(
        settings_with(LEAD_WEBHOOK_URL=f"http://127.0.0.1:{port}/", LEAD_WEBHOOK_SECRET=secret)
    )
    slots = await consented_lead("h-signed", domain)
    with Receiver(port) as receiver:
        await ActionSubmitHandoff().run(dispatcher, tracker_for("h-signed", slots=slots), domain)
    ((headers, body),) = receiver.raw
    assert verify_signature(secret, headers, body)
    assert not verify_signature("t" * 40, headers, body)  # another secret
    assert not verify_signature(secret, headers, body.replace(b"Dupr", b"Dupp"))  # body changed


async def test_without_a_secret_leads_are_sent_unsigned(domain, dispatcher, use_settings):
    port = free_port()
    use_settings(settings_with(LEAD_WEBHOOK_URL=f"http://127.0.0.1:{port}/"))
    slots = await consented_lead("h-unsigned", domain)
    with Receiver(port) as receiver:
        await ActionSubmitHandoff().run(dispatcher, tracker_for("h-unsigned", slots=slots), domain)
    ((headers, _),) = receiver.raw
    assert "X-Conseil-Signature" not in headers


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"LEAD_WEBHOOK_URL": "https://crm.exemple.fr/", "LEAD_WEBHOOK_SECRET": "court"}, "32"),
        ({"LEAD_WEBHOOK_SECRET": "s" * 40}, "LEAD_WEBHOOK_URL est vide"),
    ],
)
def test_a_bad_webhook_secret_is_refused_in_french(values: dict, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        settings_with(**values)


def test_an_empty_webhook_secret_means_unsigned() -> None:
    assert settings_with(LEAD_WEBHOOK_SECRET="").lead_webhook_secret is None
