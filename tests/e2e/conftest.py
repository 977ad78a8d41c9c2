"""Starts the whole system as `make run` does (the launcher), once for the e2e tests."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from launch_helpers import free_port, launcher_env, start_launcher, stop_launcher


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
    started = time.monotonic()
    process, output = start_launcher(launcher_env(ports, data_dir))
    bot = RunningBot(
        process,
        f"http://127.0.0.1:{ports[0]}",
        f"http://127.0.0.1:{ports[2]}/",
        ports,
        time.monotonic() - started,
        output,
    )
    print(f"\nmake run ready in {bot.startup_seconds:.1f} s")
    yield bot
    # Ctrl-C must stop every server: checked here, after the last e2e test.
    stop_launcher(process, output)
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} encore ouvert"
