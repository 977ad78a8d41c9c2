"""An unreachable PostgreSQL or Redis stops `make run` at once with a French line (stock Rasa
retries the database forever), and the password in the URL is never printed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ROOT


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def launch(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "advisor.tar.gz").write_bytes(b"")
    ports = {name: str(closed_port()) for name in ("RASA_PORT", "ACTION_PORT", "WIDGET_PORT")}
    return subprocess.run(
        [sys.executable, "-m", "bot.launcher", "run"],
        cwd=ROOT,
        env={**os.environ, **ports, "MODEL_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {
                "TRACKER_STORE": "postgresql",
                "TRACKER_STORE_URL": "postgresql://rasa:TopSecret@127.0.0.1:{port}/rasa",
            },
            "Erreur : PostgreSQL injoignable (TRACKER_STORE_URL, 127.0.0.1:{port})",
        ),
        (
            {"KNOWLEDGE_DATABASE_URL": "postgresql+psycopg2://kb:TopSecret@127.0.0.1:{port}/kb"},
            "Erreur : PostgreSQL injoignable (KNOWLEDGE_DATABASE_URL, 127.0.0.1:{port})",
        ),
        (
            {"LOCK_STORE": "redis", "REDIS_URL": "redis://:TopSecret@127.0.0.1:{port}/0"},
            "Erreur : Redis injoignable (REDIS_URL, 127.0.0.1:{port})",
        ),
    ],
)
def test_unreachable_store_fails_the_start(tmp_path: Path, env: dict, expected: str) -> None:
    port = closed_port()
    result = launch(tmp_path, **{k: v.format(port=port) for k, v in env.items()})
    assert result.returncode == 2
    assert result.stderr.startswith(expected.format(port=port)), result.stderr
    assert "Démarrez-le ou corrigez l'adresse dans .env." in result.stderr
    assert "Traceback" not in result.stderr
    assert "TopSecret" not in result.stderr + result.stdout
    assert "Démarrage" not in result.stdout  # no server was started


def test_api_is_refused_without_jwt_secret() -> None:
    from bot.rasa_server import with_api_auth

    assert with_api_auth(["run", "--port", "1"], None) == ["run", "--port", "1"]
    with pytest.raises(SystemExit, match="RASA_API_JWT_SECRET"):
        with_api_auth(["run", "--enable-api"], None)
    with pytest.raises(SystemExit, match="pas en argument"):
        with_api_auth(["run", "--enable-api", "--jwt-secret", "x"], "s" * 40)
    args = with_api_auth(["run", "--enable-api"], "s" * 40)
    assert args[-4:] == ["--jwt-secret", "s" * 40, "--jwt-method", "HS256"]
