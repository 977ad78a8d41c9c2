"""Starting the launcher as `make run` does, shared by the e2e fixtures and tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.settings import ROOT

READY_LINE = "Le conseiller est prêt."
START_TIMEOUT_S = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launcher_env(ports: list[int], data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a launcher on the given ports (Rasa, actions, widget)."""
    return {
        **os.environ,
        "RASA_PORT": str(ports[0]),
        "ACTION_PORT": str(ports[1]),
        "WIDGET_PORT": str(ports[2]),
        "TRACKER_STORE": "memory",
        "KNOWLEDGE_DATABASE_URL": f"sqlite:///{data_dir / 'knowledge.db'}",
        **extra,
    }


def start_launcher(env: dict[str, str]) -> tuple[subprocess.Popen[str], list[str]]:
    """Starts `python -m bot.launcher run` and returns once it printed the ready line.

    SIGINT is ignored in the child as in a background job of a non-interactive shell: Ctrl-C
    must still stop everything. The output keeps being collected after the return.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.launcher", "run"],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    output: list[str] = []
    ready = threading.Event()

    def read_output() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if READY_LINE in line:
                ready.set()

    threading.Thread(target=read_output, daemon=True).start()
    started = time.monotonic()
    while not ready.wait(1):
        if process.poll() is not None or time.monotonic() - started > START_TIMEOUT_S:
            process.kill()
            pytest.fail("Le lanceur n'a pas démarré :\n" + "".join(output))
    return process, output


def stop_launcher(process: subprocess.Popen[str], output: list[str]) -> None:
    """Ctrl-C; the launcher must exit 0 within a minute."""
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("Ctrl-C n'a pas arrêté le lanceur en 60 s")
    assert code == 0, "".join(output)
