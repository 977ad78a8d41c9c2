"""Starts the whole system as `make run` does (the launcher), once for the e2e tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.settings import ROOT

READY_LINE = "Le conseiller est prêt."
START_TIMEOUT_S = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningBot:
    process: subprocess.Popen[str]
    rasa_url: str
    widget_url: str
    ports: list[int]
    startup_seconds: float
    output: list[str] = field(default_factory=list)

    def send(self, sender: str, message: str) -> list[dict]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


@pytest.fixture(scope="session")
def running_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    ports = [free_port() for _ in range(3)]
    data_dir: Path = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "RASA_PORT": str(ports[0]),
        "ACTION_PORT": str(ports[1]),
        "WIDGET_PORT": str(ports[2]),
        "TRACKER_STORE": "memory",
        "KNOWLEDGE_DATABASE_URL": f"sqlite:///{data_dir / 'knowledge.db'}",
    }
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.launcher", "run"],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        # As in a background job of a non-interactive shell: Ctrl-C must still stop everything.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    bot = RunningBot(
        process, f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[2]}/", ports, 0.0
    )
    ready = threading.Event()

    def read_output() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            bot.output.append(line)
            if READY_LINE in line:
                ready.set()

    threading.Thread(target=read_output, daemon=True).start()
    while not ready.wait(1):
        if process.poll() is not None or time.monotonic() - started > START_TIMEOUT_S:
            process.kill()
            pytest.fail("Le lanceur n'a pas démarré :\n" + "".join(bot.output))
    bot.startup_seconds = time.monotonic() - started
    print(f"\nmake run ready in {bot.startup_seconds:.1f} s")
    yield bot
    # Ctrl-C must stop every server: checked here, after the last e2e test.
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("Ctrl-C n'a pas arrêté le lanceur en 60 s")
    assert code == 0, "".join(bot.output)
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} encore ouvert"
