"""var/endpoints.yml carries no secret, and Rasa still gets the secrets from its environment."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from rasa.utils.endpoints import read_endpoint_config

from bot.endpoints import secret_environment, write_endpoints
from bot.settings import load_settings

ENV = {
    "TRACKER_STORE": "postgresql",
    "TRACKER_STORE_URL": "postgresql://rasa:S3cr%C3%A9t-pg@db.local:5433/conv",
    "LOCK_STORE": "redis",
    "REDIS_URL": "redis://:r3dis-pw@127.0.0.1:6380/2",
    "ACTION_SERVER_TOKEN": "t" * 40,
}


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    settings = load_settings(environ=ENV, env_file=None)
    path = write_endpoints(settings, tmp_path / "endpoints.yml")
    return path, secret_environment(settings, settings.action_server_token or "")


def test_no_password_or_token_in_the_generated_file(written) -> None:
    path, _ = written
    text = path.read_text()
    for secret in ("S3cr", "crét", "r3dis-pw", "t" * 40):
        assert secret not in text
    assert "${TRACKER_STORE_PASSWORD}" in text and "${REDIS_PASSWORD}" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_rasa_reads_the_secrets_from_its_environment(written, monkeypatch) -> None:
    path, secrets = written
    assert secrets == {
        "ACTION_SERVER_TOKEN": "t" * 40,
        "TRACKER_STORE_PASSWORD": "S3crét-pg",
        "REDIS_PASSWORD": "r3dis-pw",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    tracker = read_endpoint_config(str(path), "tracker_store")
    lock = read_endpoint_config(str(path), "lock_store")
    action = read_endpoint_config(str(path), "action_endpoint")
    assert tracker.kwargs["password"] == "S3crét-pg"
    assert tracker.kwargs["username"] == "rasa"
    assert lock.kwargs["password"] == "r3dis-pw"
    assert action.headers == {"X-Action-Token": "t" * 40}


def test_rasa_refuses_the_file_when_a_secret_is_missing(written, monkeypatch) -> None:
    path, _ = written
    monkeypatch.delenv("TRACKER_STORE_PASSWORD", raising=False)
    with pytest.raises(Exception, match="TRACKER_STORE_PASSWORD"):
        read_endpoint_config(str(path), "tracker_store")
