"""Stop `make run` after a conversation and start it again at once: it must answer (issue 13)."""

from __future__ import annotations

import json
import urllib.request

import pytest
from launch_helpers import free_port, launcher_env, start_launcher, stop_launcher

pytestmark = pytest.mark.e2e


def talk(rasa_port: int, widget_port: int) -> None:
    """A few requests on each server: their ports keep the closed connections in TIME-WAIT."""
    for text in ("Bonjour", "faut-il externaliser la sécurité ?"):
        request = urllib.request.Request(
            f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
            data=json.dumps({"sender": "e2e-restart", "message": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.loads(response.read()), text
    for _ in range(3):
        with urllib.request.urlopen(f"http://127.0.0.1:{widget_port}/", timeout=10) as response:
            response.read()


def test_stop_then_start_again_at_once(tmp_path) -> None:
    ports = [free_port() for _ in range(3)]
    env = launcher_env(ports, tmp_path)
    first, output = start_launcher(env)
    try:
        talk(ports[0], ports[2])
    finally:
        stop_launcher(first, output)
    # Before the fix: "Le port … est déjà utilisé" for up to a minute.
    second, output = start_launcher(env)
    try:
        talk(ports[0], ports[2])
    finally:
        stop_launcher(second, output)
