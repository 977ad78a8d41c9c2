"""Starts the action server, the Rasa server and the widget page, keeps them running, and stops
them all on Ctrl-C, SIGTERM or when the terminal closes (SIGHUP).

Usage: python -m bot.launcher run | shell
Problems a person can fix (configuration, busy port, no model, a model that does not load, an
unreachable PostgreSQL or Redis) end with one French line on stderr and exit code 2, never a
traceback. Once everything answered, a server that stops is restarted with a growing delay
(`RESTART_DELAYS_S`) while the others keep serving; each restart is printed and written to
`var/log/launcher.log`. The servers die with the launcher even when it is killed (SIGKILL):
the kernel sends them SIGTERM (PR_SET_PDEATHSIG).
Logs go to `var/log/<server>.log`, rotated by size (`LOG_MAX_BYTES`, `LOG_BACKUPS` kept).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import errno
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bot.credentials import webhook_urls, write_credentials
from bot.endpoints import ACTION_SERVER_TOKEN, secret_environment, write_endpoints
from bot.settings import ROOT, Settings, SettingsError, load_settings

READY_TIMEOUT_S = 240.0
LOG_DIR = ROOT / "var" / "log"
LOG_MAX_BYTES = 10 * 1024 * 1024
LOG_BACKUPS = 3
# Delay before each successive restart of a server; back to the first after STABLE_AFTER_S up.
RESTART_DELAYS_S = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
STABLE_AFTER_S = 60.0
STORE_CHECK_TIMEOUT_S = 5

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the launcher dies, whatever killed it."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class RotatingLog:
    """A log file rotated by size: name.log, name.log.1 … name.log.<backups>."""

    def __init__(self, path: Path, max_bytes: int = LOG_MAX_BYTES, backups: int = LOG_BACKUPS):
        self.path, self.max_bytes, self.backups = path, max_bytes, backups
        self.lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file: IO[bytes] = path.open("ab")

    def write(self, data: bytes) -> None:
        with self.lock:
            if self.file.tell() + len(data) > self.max_bytes and self.file.tell() > 0:
                self._rotate()
            self.file.write(data)
            self.file.flush()

    def _rotate(self) -> None:
        self.file.close()
        for index in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{index}")
            if older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{index + 1}"))
        self.path.replace(self.path.with_name(f"{self.path.name}.1"))
        self.file = self.path.open("ab")

    def close(self) -> None:
        with self.lock:
            self.file.close()


class LaunchError(RuntimeError):
    """A startup problem the user can fix; the message is French."""


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str | None
    log_path: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    log: RotatingLog | None = None

    def start(self, env: dict[str, str]) -> None:
        if self.log is None:
            self.log = RotatingLog(self.log_path)
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env={**env, **self.env_extra},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.started_at = time.monotonic()
        threading.Thread(target=self._copy_output, args=(self.process,), daemon=True).start()

    def _copy_output(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None and self.log is not None
        for line in process.stdout:
            self.log.write(line)

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def french_error(self) -> str | None:
        """The last "Erreur : …" line the server wrote, if any (a reason the user can act on)."""
        with contextlib.suppress(OSError):
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
            for line in reversed(lines[-200:]):
                if line.startswith("Erreur : "):
                    return line.removeprefix("Erreur : ")
        return None

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
            if service.exited():
                assert service.process is not None
                reason = service.french_error() or (
                    f"{service.name} s'est arrêté au démarrage (code {service.process.returncode})"
                )
                raise LaunchError(f"{reason} : voir {service.log_path.relative_to(ROOT)}.")
            if service.health_url and answers(service.health_url):
                print(f"  ✓ {service.name} répond", flush=True)
                pending.remove(service)
        if time.monotonic() > deadline:
            names = ", ".join(s.name for s in pending)
            raise LaunchError(f"{names} ne répond pas après {int(timeout)} s : voir {LOG_DIR}.")
        time.sleep(0.5)


def check_stores(settings: Settings) -> None:
    """PostgreSQL and Redis must answer now: Rasa would otherwise retry forever, silently."""
    import sqlalchemy as sa

    databases = []
    if settings.tracker_store == "postgresql":
        databases.append(("TRACKER_STORE_URL", settings.tracker_store_url or ""))
    if settings.knowledge_database_url.startswith("postgresql"):
        databases.append(("KNOWLEDGE_DATABASE_URL", settings.knowledge_database_url))
    for variable, url in databases:
        engine = sa.create_engine(
            url, connect_args={"connect_timeout": STORE_CHECK_TIMEOUT_S}, future=True
        )
        try:
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except Exception as exc:
            raise LaunchError(
                f"PostgreSQL injoignable ({variable}, {_where(url)}) : "
                f"{_first_line(exc)}. Démarrez-le ou corrigez l'adresse dans .env."
            ) from None
        finally:
            engine.dispose()
    if settings.lock_store == "redis":
        import redis

        client = redis.Redis.from_url(
            settings.redis_url or "",
            socket_timeout=STORE_CHECK_TIMEOUT_S,
            socket_connect_timeout=STORE_CHECK_TIMEOUT_S,
        )
        try:
            client.ping()
        except Exception as exc:
            raise LaunchError(
                f"Redis injoignable (REDIS_URL, {_where(settings.redis_url or '')}) : "
                f"{_first_line(exc)}. Démarrez-le ou corrigez l'adresse dans .env."
            ) from None
        finally:
            client.close()


def _where(url: str) -> str:
    """host:port of a URL, without user or password."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


LOG_FLAGS = {"DEBUG": "--debug", "INFO": "--verbose", "WARNING": "--quiet"}


def build_services(
    settings: Settings,
    endpoints: Path,
    model: Path,
    credentials: Path,
    rasa_secrets: dict[str, str],
) -> list[Service]:
    python = sys.executable
    log_flag = LOG_FLAGS[settings.log_level]
    api = ["--enable-api"] if settings.rasa_api_jwt_secret else []
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
            {"SANIC_HOST": settings.host, ACTION_SERVER_TOKEN: rasa_secrets[ACTION_SERVER_TOKEN]},
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
                str(credentials),
                "--endpoints",
                str(endpoints),
                # Exact origins (ALLOWED_ORIGINS), never "*": the socket.io channel checks
                # the same list (bot/channels.py).
                "--cors",
                *settings.allowed_origins,
                *api,
                log_flag,
            ],
            f"{settings.rasa_url}/",
            LOG_DIR / "rasa.log",
            rasa_secrets,
        ),
        Service(
            "Page du widget",
            [python, "-m", "bot.widget_server"],
            settings.widget_url,
            LOG_DIR / "widget.log",
        ),
    ]


class Supervisor:
    """Restarts a server that stopped, with a growing delay; logs each restart."""

    def __init__(self, services: list[Service], env: dict[str, str]) -> None:
        self.services, self.env = services, env
        self.due: dict[str, float] = {}
        self.log = RotatingLog(LOG_DIR / "launcher.log")

    def note(self, message: str) -> None:
        line = f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}"
        print(line, flush=True)
        self.log.write((line + "\n").encode())

    def check(self) -> None:
        now = time.monotonic()
        for service in self.services:
            if not service.exited():
                if service.restarts and now - service.started_at > STABLE_AFTER_S:
                    service.restarts = 0
                continue
            assert service.process is not None
            if service.name not in self.due:
                delay = RESTART_DELAYS_S[min(service.restarts, len(RESTART_DELAYS_S) - 1)]
                self.due[service.name] = now + delay
                self.note(
                    f"{service.name} s'est arrêté (code {service.process.returncode}) ; "
                    f"redémarrage dans {delay:g} s (voir {service.log_path.relative_to(ROOT)})."
                )
            elif now >= self.due[service.name]:
                del self.due[service.name]
                service.restarts += 1
                service.start(self.env)
                self.note(f"{service.name} redémarré (redémarrage n° {service.restarts}).")


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
    check_stores(settings)
    endpoints = write_endpoints(settings)
    credentials = write_credentials(settings)
    # A token drawn for this start lives only in the servers' environments.
    token = settings.action_server_token or secrets.token_urlsafe(32)
    rasa_secrets = secret_environment(settings, token)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for variable in rasa_secrets:
        env.pop(variable, None)
    env.setdefault("KNOWLEDGE_DATABASE_URL", settings.knowledge_database_url)
    services = build_services(settings, endpoints, model, credentials, rasa_secrets)
    if mode == "shell":
        services = services[:1]
    stopping = False

    def stop_all() -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        # A second signal (make forwards SIGTERM, the terminal sends SIGHUP to the whole group)
        # must not interrupt the stop half-way and leave servers behind.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        with contextlib.suppress(OSError):
            print("\nArrêt des services…", flush=True)
        for service in reversed(services):
            with contextlib.suppress(Exception):
                service.stop()

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # Ctrl-C must work even when SIGINT was ignored by whoever started us (a background job of a
    # non-interactive shell inherits SIG_IGN, and Python then raises no KeyboardInterrupt).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
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
                env={**env, **rasa_secrets},
            )
        platforms = "".join(
            f"  {name:<12}: POST {url}\n" for name, url in webhook_urls(settings).items()
        )
        print(
            "\nLe conseiller est prêt.\n"
            f"  Widget      : {settings.widget_url}\n"
            f"  API REST    : POST {settings.rasa_url}/webhooks/rest/webhook\n"
            f"{platforms}"
            f"  Actions     : {settings.action_url}\n"
            "Ctrl-C pour tout arrêter.",
            flush=True,
        )
        supervisor = Supervisor(services, env)
        while True:
            supervisor.check()
            time.sleep(0.5)
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
