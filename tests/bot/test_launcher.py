import os
import re
import socket
import subprocess
import sys
import threading
import urllib.request
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path

import pytest

from bot.launcher import LaunchError, ensure_port_free, listening_program
from bot.settings import ROOT


def test_busy_port_is_reported_in_french() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(LaunchError, match=f"Le port {port} \\(RASA_PORT\\) est déjà utilisé"):
            ensure_port_free("127.0.0.1", port, "RASA_PORT")


def run_launcher(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.launcher", "run"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_launcher_refuses_a_busy_port_without_traceback() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = run_launcher({"RASA_PORT": str(port)})
    assert result.returncode == 2
    assert re.fullmatch(
        f"Erreur : Le port {port} \\(RASA_PORT\\) est déjà utilisé par « [^»]+ » "
        f"\\(pid {os.getpid()}\\) : arrêtez le programme qui l'occupe ou choisissez un autre "
        "port dans .env.",
        result.stderr.strip(),
    ), result.stderr


def test_listening_program_names_the_listener() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert listening_program(port) == (
            f"« {Path('/proc/self/comm').read_text().strip()} » (pid {os.getpid()})"
        )
    assert listening_program(port) is None


def test_connections_closing_after_a_stop_do_not_block_a_restart(tmp_path: Path) -> None:
    """A server that answered and stopped leaves TIME-WAIT connections: not a reason to refuse."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    def handler(*args: object) -> Quiet:
        return Quiet(*args, directory=str(tmp_path))  # type: ignore[arg-type]

    server = HTTPServer(("127.0.0.1", 0), handler)  # HTTP/1.0: the server closes first
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for _ in range(3):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            response.read()
    server.shutdown()
    server.server_close()
    thread.join()
    # The situation of the issue: a plain bind is refused.
    with socket.socket() as probe, pytest.raises(OSError):
        probe.bind(("127.0.0.1", port))
    ensure_port_free("127.0.0.1", port, "RASA_PORT")


def test_launcher_reports_an_empty_value_without_traceback() -> None:
    result = run_launcher({"ACTION_PORT": ""})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("Erreur : Configuration : la variable ACTION_PORT")


def test_launcher_without_model_says_to_train(tmp_path: Path) -> None:
    result = run_launcher({"MODEL_DIR": str(tmp_path), "RASA_PORT": "5999"})
    assert result.returncode == 2
    assert "lancez « make train »" in result.stderr


def test_find_python_explains_a_wrong_interpreter() -> None:
    result = subprocess.run(
        [str(ROOT / "scripts" / "find_python310.sh")],
        env={**os.environ, "PYTHON": "/bin/true"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "n'est pas un interpréteur Python 3.10" in result.stderr


def test_find_python_explains_when_none_exists() -> None:
    env = {"PATH": "/nonexistent", "PYENV_ROOT": "/nonexistent", "HOME": "/nonexistent"}
    result = subprocess.run(
        ["/bin/sh", str(ROOT / "scripts" / "find_python310.sh")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "aucun Python 3.10 trouvé" in result.stderr
