"""Starting and measuring the servers under test: our stack (the launcher, as `make run`) and
a stock Rasa server. Loopback only, free ports, every process stopped on exit."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot.settings import ROOT

HOST = "127.0.0.1"
START_TIMEOUT_S = 300.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(c) for c in (task / "children").read_text().split()]
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (its threads included)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory in MB."""
    values = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return round(values.get("VmRSS", 0.0), 1), round(values.get("VmHWM", 0.0), 1)


def post(url: str, sender: str, message: str, timeout: float = 30) -> list[dict]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def wait_first_answer(
    process: subprocess.Popen, url: str, message: str, started: float, log: Path
) -> float:
    """Seconds from `started` to the first non-empty REST answer."""
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"le serveur s'est arrêté (code {process.returncode}) : voir {log}")
        if time.monotonic() - started > START_TIMEOUT_S:
            raise RuntimeError(f"pas de réponse après {START_TIMEOUT_S:.0f} s : voir {log}")
        with contextlib.suppress(urllib.error.URLError, OSError, ValueError):
            if post(url, "bench-startup", message, timeout=10):
                return time.monotonic() - started
        time.sleep(0.25)


@dataclass
class Server:
    """A started system: the REST URL, the pids to measure, how to stop it."""

    name: str
    process: subprocess.Popen
    url: str
    pids: dict[str, int] = field(default_factory=dict)
    startup_s: float = 0.0
    log: Path | None = None

    def cpu(self) -> dict[str, float]:
        return {role: cpu_seconds(pid) for role, pid in self.pids.items()}

    def rss(self) -> dict[str, tuple[float, float]]:
        return {role: rss_mb(pid) for role, pid in self.pids.items()}

    def stop(self) -> None:
        """Ctrl-C to the launcher (or SIGTERM to a lone server); killed after a grace period."""
        pids = [self.process.pid, *self.pids.values()]
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in pids:  # only the processes this bench started
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def start_ours(model_dir: Path, data_dir: Path, first_message: str) -> Server:
    """`python -m bot.launcher run` on free ports with the model of `model_dir`."""
    ports = [free_port() for _ in range(3)]
    env = {
        **os.environ,
        "HOST": HOST,
        "RASA_PORT": str(ports[0]),
        "ACTION_PORT": str(ports[1]),
        "WIDGET_PORT": str(ports[2]),
        "TRACKER_STORE": "memory",
        "LOCK_STORE": "memory",
        "MODEL_DIR": str(model_dir),
        "KNOWLEDGE_DATABASE_URL": f"sqlite:///{data_dir / 'knowledge.db'}",
        "PYTHONUNBUFFERED": "1",
    }
    log = data_dir / "launcher.log"
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.launcher", "run"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://{HOST}:{ports[0]}/webhooks/rest/webhook"
    server = Server("ours", process, url, log=log)
    try:
        server.startup_s = wait_first_answer(process, url, first_message, started, log)
        for pid in children(process.pid):
            line = cmdline(pid)
            if "bot.rasa_server" in line:
                server.pids["rasa"] = pid
            elif "bot.action_server" in line:
                server.pids["actions"] = pid
    except BaseException:
        server.stop()
        raise
    return server


def start_stock(project: Path, model: Path, first_message: str) -> Server:
    """`rasa run` of the stock project (REST channel, no action server)."""
    port = free_port()
    log = project / "server.log"
    started = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rasa",
            "run",
            "--model",
            str(model),
            "--interface",
            HOST,
            "--port",
            str(port),
            "--credentials",
            "credentials.yml",
        ],
        cwd=project,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://{HOST}:{port}/webhooks/rest/webhook"
    server = Server("stock", process, url, {"rasa": process.pid}, log=log)
    try:
        server.startup_s = wait_first_answer(process, url, first_message, started, log)
    except BaseException:
        server.stop()
        raise
    return server
