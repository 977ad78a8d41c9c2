"""Shared by the safety e2e tests: a launched bot with helpers to talk to it and find its parts."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import yaml

from bot.launcher import listening_program
from bot.settings import ROOT

OPENING = (
    "Bonjour, nous sommes une PME industrielle de 45 personnes sur deux sites. Nos serveurs "
    "plantent souvent et personne ne vérifie les sauvegardes, tout repose sur notre comptable."
)
RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def response_text(name: str) -> str:
    return RESPONSES[name][0]["text"]


@dataclass
class Bot:
    process: subprocess.Popen[str]
    ports: list[int]
    output: list[str] = field(default_factory=list)

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.ports[0]}/webhooks/rest/webhook"

    def post(self, body: bytes, timeout: float = 60) -> tuple[int, object]:
        """(HTTP status, decoded JSON or the raw text when it is not JSON)."""
        request = urllib.request.Request(
            self.webhook, data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def send(self, sender: str, message: str) -> list[dict]:
        status, replies = self.post(json.dumps({"sender": sender, "message": message}).encode())
        assert status == 200, (status, replies)
        assert isinstance(replies, list)
        return replies

    def action_server_pid(self) -> int | None:
        program = listening_program(self.ports[1])
        match = re.search(r"pid (\d+)", program or "")
        return int(match.group(1)) if match else None


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


def wait_until(predicate, timeout: float, step: float = 0.2) -> float | None:
    """Seconds until predicate() was true, or None after the timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(step)
    return None


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def port_closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0
