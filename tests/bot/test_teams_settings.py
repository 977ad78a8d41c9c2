"""Teams' variables: all three set = on, none = off, half = one French line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.credentials import build_credentials, webhook_urls
from bot.settings import SettingsError, load_settings

ALL = {"TEAMS_APP_ID": "app-1", "TEAMS_APP_PASSWORD": "pw", "TEAMS_TENANT_ID": "contoso-tenant"}


def test_teams_is_off_without_its_variables(tmp_path: Path) -> None:
    settings = load_settings(environ={}, env_file=tmp_path / "absent.env")
    assert settings.teams is None
    assert "bot.teams.BotFrameworkInput" not in build_credentials(settings)


def test_teams_uses_the_single_tenant_token_endpoint_by_default(tmp_path: Path) -> None:
    settings = load_settings(environ=ALL, env_file=tmp_path / "absent.env")
    assert settings.teams is not None
    assert settings.teams.token_url == (
        "https://login.microsoftonline.com/contoso-tenant/oauth2/v2.0/token"
    )
    assert settings.teams.openid_metadata_url == (
        "https://login.botframework.com/v1/.well-known/openidconfiguration"
    )
    assert "pw" not in repr(settings)
    assert webhook_urls(settings) == {
        "Teams": "http://127.0.0.1:5005/webhooks/botframework/webhook"
    }


@pytest.mark.parametrize("absent", sorted(ALL))
def test_half_configured_teams_is_a_clear_error(tmp_path: Path, absent: str) -> None:
    environ = {k: v for k, v in ALL.items() if k != absent}
    with pytest.raises(SettingsError) as error:
        load_settings(environ=environ, env_file=tmp_path / "absent.env")
    message = str(error.value)
    assert "Teams est à moitié configuré" in message and f"manque {absent}" in message
    assert "\n" not in message
