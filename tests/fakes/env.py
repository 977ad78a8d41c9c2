"""Settings for connector tests: the platform variables pointing at the fakes."""

from __future__ import annotations

import pytest

from bot.settings import Settings, get_settings

SLACK_TOKEN = "xoxb-test-token"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAMS_APP_ID = "0b6d2f4e-1111-4a2b-9c3d-5e6f7a8b9c0d"
TEAMS_PASSWORD = "fake-client-secret"
TEAMS_TENANT = "tenant-1234"
MAX_LENGTH = 200


def use_settings(monkeypatch: pytest.MonkeyPatch, **values: str) -> Settings:
    """Sets the variables for this test and returns the settings every module will read."""
    monkeypatch.setenv("MAX_MESSAGE_LENGTH", str(MAX_LENGTH))
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return get_settings()
