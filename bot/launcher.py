"""Starts the action server, the Rasa server and the widget page; stops them all on Ctrl-C.

Usage: python -m bot.launcher run | shell
Problems a person can fix (configuration, busy port, no model) end with one French line on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bot.endpoints import write_endpoints
from bot.settings import ROOT, Settings, SettingsError, load_settings

READY_TIMEOUT_S = 240.0
LOG_DIR = ROOT / "var" / "log"


class LaunchError(RuntimeError):
    """A startup problem the user can fix; the message is French."""


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str | None
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self, env: dict[str, str]) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def listening_program(port: int) -> str | None:
    """Name and pid of the local program listening on `port` (Linux /proc), when visible."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                # local address "0100007F:1F90", state 0A = LISTEN, inode in column 10
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    if not inodes:
        return None
    targets = {f"socket:[{inode}]" for inode in inodes}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in targets:
                        name = (proc / "comm").read_text().strip()
                        return f"« {name} » (pid {proc.name})"
    return None


def ensure_port_free(host: str, port: int, variable: str) -> None:
    """Refuses a port some program listens on; connections of a previous run do not count.

    After a server that answered HTTP requests stops, its port keeps connections in TIME-WAIT
    for up to a minute. A plain `bind` fails then, although the servers (which set
    SO_REUSEADDR, as uvicorn, Sanic and http.server do) start fine: test-bind the same way.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                program = listening_program(port)
                held_by = f" par {program}" if program else ""
                raise LaunchError(
                    f"Le port {port} ({variable}) est déjà utilisé{held_by} : arrêtez le "
                    f"programme qui l'occupe ou choisissez un autre port dans .env."
                ) from None
            raise LaunchError(
                f"Impossible d'écouter sur {host}:{port} ({variable}) : {exc}."
            ) from None


def latest_model(settings: Settings) -> Path:
    models = sorted(settings.model_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise LaunchError(
            f"Aucun modèle entraîné dans {settings.model_dir} : lancez « make train » d'abord."
        )
    return models[-1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError):
        return False


def wait_until_ready(services: list[Service], timeout: float = READY_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    pending = [s for s in services if s.health_url]
    while pending:
        for service in list(pending):
            if service.process is not None and service.process.poll() is not None:
                raise LaunchError(
                    f"{service.name} s'est arrêté au démarrage "
                    f"(code {service.process.returncode}) : "
                    f"voir {service.log_path.relative_to(ROOT)}."
                )
            if service.health_url and answers(service.health_url):
                print(f"  ✓ {service.name} répond", flush=True)
                pending.remove(service)
        if time.monotonic() > deadline:
            names = ", ".join(s.name for s in pending)
            raise LaunchError(f"{names} ne répond pas après {int(timeout)} s : voir {LOG_DIR}.")
        time.sleep(0.5)


LOG_FLAGS = {"DEBUG": "--debug", "INFO": "--verbose", "WARNING": "--quiet"}


def build_services(settings: Settings, endpoints: Path, model: Path) -> list[Service]:
    python = sys.executable
    log_flag = LOG_FLAGS[settings.log_level]
    return [
        Service(
            "Serveur d'actions",
            [
                python,
                "-m",
                "bot.action_server",
                "--actions",
                "actions",
                "--port",
                str(settings.action_port),
                log_flag,
            ],
            f"http://{settings.host}:{settings.action_port}/health",
            LOG_DIR / "actions.log",
        ),
        Service(
            "Serveur Rasa",
            [
                python,
                "-m",
                "bot.rasa_server",
                "run",
                "--model",
                str(model),
                "--interface",
                settings.host,
                "--port",
                str(settings.rasa_port),
                "--credentials",
                "credentials.yml",
                "--endpoints",
                str(endpoints),
                # Exact origins (ALLOWED_ORIGINS), never "*": the socket.io channel checks
                # the same list (bot/channels.py).
                "--cors",
                *settings.allowed_origins,
                log_flag,
            ],
            f"{settings.rasa_url}/",
            LOG_DIR / "rasa.log",
        ),
        Service(
            "Page du widget",
            [python, "-m", "bot.widget_server"],
            settings.widget_url,
            LOG_DIR / "widget.log",
        ),
    ]


def run(mode: str) -> int:
    settings = load_settings()
    for variable, port in (
        ("RASA_PORT", settings.rasa_port),
        ("ACTION_PORT", settings.action_port),
        ("WIDGET_PORT", settings.widget_port),
    ):
        if mode == "shell" and variable != "ACTION_PORT":
            continue
        ensure_port_free(settings.host, port, variable)
    model = latest_model(settings)
    endpoints = write_endpoints(settings)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.setdefault("KNOWLEDGE_DATABASE_URL", settings.knowledge_database_url)
    services = build_services(settings, endpoints, model)
    if mode == "shell":
        services = services[:1]
    stopping = False

    def stop_all(*_: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        print("\nArrêt des services…", flush=True)
        for service in reversed(services):
            service.stop()

    # Ctrl-C must work even when SIGINT was ignored by whoever started us (a background job of a
    # non-interactive shell inherits SIG_IGN, and Python then raises no KeyboardInterrupt).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print(f"Démarrage (modèle {model.name}, journaux dans {LOG_DIR.relative_to(ROOT)}/)…")
        for service in services:
            service.start(env)
        wait_until_ready(services)
        if mode == "shell":
            return subprocess.call(
                [
                    sys.executable,
                    "-m",
                    "rasa",
                    "shell",
                    "--model",
                    str(model),
                    "--endpoints",
                    str(endpoints),
                ],
                cwd=ROOT,
                env=env,
            )
        print(
            "\nLe conseiller est prêt.\n"
            f"  Widget      : {settings.widget_url}\n"
            f"  API REST    : POST {settings.rasa_url}/webhooks/rest/webhook\n"
            f"  Actions     : {settings.action_url}\n"
            "Ctrl-C pour tout arrêter.",
            flush=True,
        )
        while True:
            for service in services:
                if service.process is not None and service.process.poll() is not None:
                    raise LaunchError(
                        f"{service.name} s'est arrêté (code {service.process.returncode}) : "
                        f"voir {service.log_path.relative_to(ROOT)}."
                    )
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        stop_all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.launcher")
    parser.add_argument("mode", choices=("run", "shell"))
    args = parser.parse_args(argv)
    try:
        return run(args.mode)
    except (SettingsError, LaunchError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
