"""The hand-off through the whole system over REST, with a lead webhook that is down, then up.

A launcher of its own (the shared one has no lead destination): the plan, then « parler à un
consultant », consent, name, a wrong then a right e-mail; the user is told the destination is
unreachable; once the receiver is up, the lead arrives exactly once. A refusal stores nothing.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from launch_helpers import free_port, launcher_env, start_launcher, stop_launcher
from sqlalchemy.orm import Session

from knowledge import records
from knowledge.store import make_engine

pytestmark = pytest.mark.e2e

OPENING = (
    "Bonjour, nous sommes une PME industrielle de 45 personnes sur deux sites. Nos serveurs "
    "plantent souvent et personne ne vérifie les sauvegardes, tout repose sur notre comptable."
)


class Bot:
    def __init__(self, rasa_url: str, data_dir: Path, receiver_port: int) -> None:
        self.rasa_url, self.data_dir, self.receiver_port = rasa_url, data_dir, receiver_port

    def send(self, sender: str, message: str) -> str:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            replies = json.loads(response.read())
        self.last = replies
        return "\n".join(m.get("text", "") for m in replies)


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    ports = [free_port() for _ in range(3)]
    receiver_port = free_port()  # nothing listens there yet: the destination is down
    data_dir = tmp_path_factory.mktemp("handoff")
    env = launcher_env(
        ports,
        data_dir,
        LEAD_WEBHOOK_URL=f"http://127.0.0.1:{receiver_port}/leads",
        LEAD_RETRY_SECONDS="2",
        LEAD_RECIPIENT="Cabinet Exemple",
    )
    process, output = start_launcher(env)
    try:
        yield Bot(f"http://127.0.0.1:{ports[0]}", data_dir, receiver_port)
    finally:
        stop_launcher(process, output)


def reach_the_plan(bot: Bot, sender: str) -> None:
    bot.send(sender, OPENING)
    for _ in range(7):
        if any(isinstance(m.get("custom"), dict) for m in bot.last):
            return
        bot.send(sender, "je ne sais pas")
    assert any(isinstance(m.get("custom"), dict) for m in bot.last), bot.last


def stored_leads(bot: Bot) -> list[records.Lead]:
    engine = make_engine(f"sqlite:///{bot.data_dir / 'knowledge.db'}")
    try:
        with Session(engine, future=True) as session:
            return records.list_leads(session=session)
    finally:
        engine.dispose()


def test_refusal_stores_nothing(bot: Bot) -> None:
    reach_the_plan(bot, "e2e-refuse")
    explained = bot.send("e2e-refuse", "je veux parler à un consultant")
    assert "Cabinet Exemple" in explained and "Acceptez-vous" in explained, explained
    refused = bot.send("e2e-refuse", "non merci")
    assert "je ne transmets rien" in refused, refused
    assert stored_leads(bot) == []


def test_consented_lead_down_then_up_is_delivered_once(bot: Bot) -> None:
    sender = "e2e-lead"
    reach_the_plan(bot, sender)
    explained = bot.send(sender, "je veux parler à un consultant")
    assert "votre nom, votre adresse e-mail et votre plan" in explained, explained
    assert "{" not in explained, "a placeholder reached the user"
    assert "Quel nom" in bot.send(sender, "oui"), bot.last
    assert "adresse e-mail" in bot.send(sender, "Éloïse Dupré"), bot.last
    assert "ne semble pas valide" in bot.send(sender, "eloise@"), bot.last
    queued = bot.send(sender, "eloise.dupre@exemple.fr")
    assert "injoignable" in queued and "Cabinet Exemple" in queued, queued
    (lead,) = stored_leads(bot)
    assert lead.delivered_at is None and lead.name == "Éloïse Dupré"
    assert "Acceptez-vous que ces informations lui soient transmises" in (lead.consent_text)

    bodies: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", bot.receiver_port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        deadline = time.monotonic() + 60
        while not bodies and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(6)  # three more retry periods: nothing may arrive twice
    finally:
        server.shutdown()
        server.server_close()
    assert len(bodies) == 1, bodies
    assert bodies[0]["lead"]["email"] == "eloise.dupre@exemple.fr"
    assert bodies[0]["plan"]["priorities"][0]["service"] == "infrastructure"
    (lead,) = stored_leads(bot)
    assert lead.delivered_at is not None
