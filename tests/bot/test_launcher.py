import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.launcher import LaunchError, ensure_port_free
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
    assert result.stderr.strip() == (
        f"Erreur : Le port {port} (RASA_PORT) est déjà utilisé : arrêtez le programme qui "
        "l'occupe ou choisissez un autre port dans .env."
    )


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
