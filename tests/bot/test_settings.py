from pathlib import Path

import pytest

from bot.endpoints import build_endpoints
from bot.settings import SettingsError, load_settings


def settings_from(env_text: str, tmp_path: Path, environ: dict[str, str] | None = None):
    env_file = tmp_path / ".env"
    env_file.write_text(env_text, encoding="utf-8")
    return load_settings(environ=environ or {}, env_file=env_file)


def test_defaults_without_env_file(tmp_path: Path) -> None:
    settings = load_settings(environ={}, env_file=tmp_path / "absent.env")
    assert (settings.rasa_port, settings.action_port, settings.widget_port) == (5005, 5055, 8080)
    assert settings.tracker_store == "sqlite"
    assert settings.knowledge_database_url.startswith("sqlite:///")


def test_env_file_then_environment_override(tmp_path: Path) -> None:
    settings = settings_from(
        "RASA_PORT=6005\nACTION_PORT=6055\n", tmp_path, {"ACTION_PORT": "7055"}
    )
    assert settings.rasa_port == 6005
    assert settings.action_port == 7055


@pytest.mark.parametrize(
    ("env_text", "expected"),
    [
        ("RASA_PORT=\n", "RASA_PORT est vide ou absente"),
        ("WIDGET_PORT=http\n", "WIDGET_PORT='http' n'est pas un port valide"),
        ("ACTION_PORT=5005\n", "doivent être différents"),
        ("TRACKER_STORE=mongo\n", "TRACKER_STORE='mongo' est inconnu"),
        ("TRACKER_STORE=postgresql\n", "TRACKER_STORE_URL est vide ou absente"),
        ("LOCK_STORE=redis\nREDIS_URL=\n", "REDIS_URL est vide ou absente"),
        ("MAX_MESSAGE_LENGTH=0\n", "MAX_MESSAGE_LENGTH='0' n'est pas un nombre entier positif"),
        ("MAX_MESSAGE_LENGTH=beaucoup\n", "MAX_MESSAGE_LENGTH='beaucoup' n'est pas un nombre"),
        ("ACTION_TIMEOUT=0\n", "ACTION_TIMEOUT='0' n'est pas une durée valide"),
        ("ACTION_TIMEOUT=vite\n", "ACTION_TIMEOUT='vite' n'est pas une durée valide"),
        ("RETENTION_DAYS=-1\n", "RETENTION_DAYS='-1' n'est pas un nombre entier positif"),
        ("ACTION_SERVER_TOKEN=court\n", "ACTION_SERVER_TOKEN doit compter au moins 32"),
        ("RASA_API_JWT_SECRET=\n", "RASA_API_JWT_SECRET doit compter au moins 32"),
    ],
)
def test_bad_values_give_one_french_line(tmp_path: Path, env_text: str, expected: str) -> None:
    with pytest.raises(SettingsError) as error:
        settings_from(env_text, tmp_path)
    message = str(error.value)
    assert expected in message
    assert "\n" not in message


def test_endpoints_follow_the_settings(tmp_path: Path) -> None:
    settings = settings_from(
        "ACTION_PORT=6055\nTRACKER_STORE=postgresql\n"
        "TRACKER_STORE_URL=postgresql://rasa:secret@db.local:5433/conv\n"
        "LOCK_STORE=redis\nREDIS_URL=redis://127.0.0.1:6380/2\n",
        tmp_path,
    )
    endpoints = build_endpoints(settings)
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:6055/webhook"
    assert endpoints["tracker_store"] == {
        "type": "SQL",
        "dialect": "postgresql",
        "url": "db.local",
        "port": 5433,
        "db": "conv",
        "username": "rasa",
        "password": "${TRACKER_STORE_PASSWORD}",
    }
    assert endpoints["lock_store"]["port"] == 6380
    assert endpoints["lock_store"]["db"] == 2


def test_sqlite_tracker_store_by_default(tmp_path: Path) -> None:
    endpoints = build_endpoints(load_settings(environ={}, env_file=None))
    assert endpoints["tracker_store"]["dialect"] == "sqlite"
    assert "lock_store" not in endpoints


def test_safety_defaults(tmp_path: Path) -> None:
    settings = load_settings(environ={}, env_file=tmp_path / "absent.env")
    assert settings.action_timeout == 5
    assert settings.retention_days == 180
    assert settings.action_server_token is None  # the launcher draws one per start
    assert settings.rasa_api_jwt_secret is None  # Rasa's HTTP API stays off
