"""The launcher's supervision and stop, with tiny servers: nothing is ever left behind."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.launcher import RotatingLog
from bot.settings import ROOT

FAKE = Path(__file__).with_name("fake_launcher.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def child_pids(parent: int) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                pids.append(int(proc.name))
    return pids


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class Launcher:
    def __init__(self) -> None:
        self.ports = [free_port() for _ in range(3)]
        env = {
            **os.environ,
            "RASA_PORT": str(self.ports[1]),
            "ACTION_PORT": str(self.ports[0]),
            "WIDGET_PORT": str(self.ports[2]),
            "TRACKER_STORE": "memory",
            "LOCK_STORE": "memory",
        }
        self.process = subprocess.Popen(
            [sys.executable, str(FAKE), *map(str, self.ports)],
            cwd=ROOT,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.output: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 60
        while not self.ready.wait(0.2):
            assert self.process.poll() is None and time.monotonic() < deadline, self.output
        self.children = child_pids(self.process.pid)
        assert len(self.children) == 3

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if "Le conseiller est prêt." in line:
                self.ready.set()

    def assert_nothing_left(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not any(alive(pid) for pid in self.children) and not any(
                listening(port) for port in self.ports
            ):
                return
            time.sleep(0.2)
        left = [pid for pid in self.children if alive(pid)]
        pytest.fail(f"processus restants {left}, ports {self.ports}\n" + "".join(self.output))


@pytest.fixture
def launched() -> Iterator[Launcher]:
    launcher = Launcher()
    yield launcher
    if launcher.process.poll() is None:
        launcher.process.kill()
    for pid in launcher.children + child_pids(launcher.process.pid):
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_stops_every_server(launched: Launcher, signum: int) -> None:
    launched.process.send_signal(signum)
    assert launched.process.wait(30) == 0
    launched.assert_nothing_left()


def test_a_second_sigterm_during_the_stop_leaves_nothing_behind(launched: Launcher) -> None:
    """`make` forwards SIGTERM to the launcher that already got it from the process group."""
    launched.process.send_signal(signal.SIGTERM)
    time.sleep(0.05)
    launched.process.send_signal(signal.SIGTERM)
    launched.process.send_signal(signal.SIGHUP)
    launched.process.wait(30)
    launched.assert_nothing_left()


def test_servers_die_with_a_killed_launcher(launched: Launcher) -> None:
    launched.process.kill()
    launched.process.wait(10)
    launched.assert_nothing_left()


def test_a_crashed_server_is_restarted_and_the_others_keep_serving(launched: Launcher) -> None:
    crashed, *others = launched.children
    os.kill(crashed, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any("redémarré" in line for line in launched.output):
        time.sleep(0.2)
    log = "".join(launched.output)
    assert re.search(r"s'est arrêté \(code -9\) ; redémarrage dans 0\.5 s", log), log
    assert "redémarré (redémarrage n° 1)" in log
    assert all(alive(pid) for pid in others)
    new_children = child_pids(launched.process.pid)
    assert len(new_children) == 3 and crashed not in new_children
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(listening(p) for p in launched.ports):
        time.sleep(0.2)
    assert all(listening(port) for port in launched.ports)
    assert "redémarré" in (ROOT / "var" / "log" / "launcher.log").read_text()
    launched.children = new_children
    launched.process.send_signal(signal.SIGTERM)
    launched.process.wait(30)
    launched.assert_nothing_left()


def test_logs_are_rotated_by_size(tmp_path: Path) -> None:
    log = RotatingLog(tmp_path / "rasa.log", max_bytes=100, backups=2)
    for index in range(30):
        log.write(f"ligne {index:02d} ------------\n".encode())
    log.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["rasa.log", "rasa.log.1", "rasa.log.2"]
    assert all(p.stat().st_size <= 100 for p in tmp_path.iterdir())
    assert "ligne 29" in (tmp_path / "rasa.log").read_text()
