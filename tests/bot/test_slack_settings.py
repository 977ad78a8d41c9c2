"""Slack's variables: all set = on, none = off, half = one French line naming what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.credentials import build_credentials, webhook_urls, write_credentials
from bot.settings import ROOT, SettingsError, load_settings


def test_slack_is_off_without_its_variables(tmp_path: Path) -> None:
    settings = load_settings(environ={}, env_file=tmp_path / "absent.env")
    assert settings.slack is None
    assert "bot.slack.SlackInput" not in build_credentials(settings)
    assert webhook_urls(settings) == {}


def test_slack_is_on_with_both_variables_and_points_at_the_real_api(tmp_path: Path) -> None:
    settings = load_settings(
        environ={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cr3t"},
        env_file=tmp_path / "absent.env",
    )
    assert settings.slack is not None
    assert settings.slack.api_url == "https://slack.com/api"
    assert webhook_urls(settings) == {"Slack": "http://127.0.0.1:5005/webhooks/slack/webhook"}


@pytest.mark.parametrize(
    ("environ", "missing"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": "s3cr3t"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "  "}, "SLACK_SIGNING_SECRET"),
    ],
)
def test_half_configured_slack_is_a_clear_error(
    tmp_path: Path, environ: dict[str, str], missing: str
) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(environ=environ, env_file=tmp_path / "absent.env")
    message = str(error.value)
    assert "Slack est à moitié configuré" in message and f"manque {missing}" in message
    assert "\n" not in message


def test_bad_api_url_is_refused(tmp_path: Path) -> None:
    environ = {"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "y", "SLACK_API_URL": "slack.com"}
    with pytest.raises(SettingsError, match=r"SLACK_API_URL='slack\.com' n'est pas une URL"):
        load_settings(environ=environ, env_file=tmp_path / "absent.env")


def test_credentials_file_has_every_channel_and_no_secret(tmp_path: Path) -> None:
    secrets = {
        "SLACK_BOT_TOKEN": "xoxb-very-secret",
        "SLACK_SIGNING_SECRET": "signing-very-secret",
        "TEAMS_APP_ID": "app-id-1",
        "TEAMS_APP_PASSWORD": "password-very-secret",
        "TEAMS_TENANT_ID": "tenant-1",
    }
    settings = load_settings(environ=secrets, env_file=tmp_path / "absent.env")
    path = write_credentials(settings, tmp_path / "credentials.yml")
    text = path.read_text()
    assert "very-secret" not in text
    import yaml

    credentials = yaml.safe_load(text)
    assert list(credentials) == [
        "bot.rest.StrictRestInput",
        "bot.channels.PersistentSocketIOInput",
        "bot.slack.SlackInput",
        "bot.teams.BotFrameworkInput",
    ]
    # The REST and socket.io entries exactly as in the repository's credentials.yml.
    committed = yaml.safe_load((ROOT / "credentials.yml").read_text())
    assert {name: credentials[name] for name in committed} == committed
