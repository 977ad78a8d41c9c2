"""Settings of the report links, retention and hand-off: defaults, French errors, documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULTS, OPTIONAL, ROOT, SettingsError, load_settings

NEW = (
    "REPORT_TTL_DAYS", "RETENTION_DAYS", "WIDGET_PUBLIC_URL", "LEAD_RECIPIENT", "LEAD_WEBHOOK_URL",
    "LEAD_SMTP_HOST", "LEAD_SMTP_PORT", "LEAD_SMTP_STARTTLS", "LEAD_SMTP_USER",
    "LEAD_SMTP_PASSWORD", "LEAD_EMAIL_FROM", "LEAD_EMAIL_TO", "LEAD_RETRY_SECONDS",
)  # fmt: skip


def test_defaults_work_without_a_destination() -> None:
    settings = load_settings({}, None)
    assert settings.report_ttl_days == 30 and settings.retention_days == 180
    assert not settings.handoff_configured
    assert settings.report_base_url == "http://127.0.0.1:8080"
    public = load_settings({"WIDGET_PUBLIC_URL": "https://conseil.example.fr/"}, None)
    assert public.report_base_url == "https://conseil.example.fr"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LEAD_SMTP_HOST": "smtp.example.fr"}, "LEAD_EMAIL_TO est vide"),
        ({"LEAD_WEBHOOK_URL": "crm.example.fr"}, "doit commencer par http://"),
        ({"REPORT_TTL_DAYS": "0"}, "REPORT_TTL_DAYS='0' n'est pas un nombre entier positif"),
        ({"LEAD_SMTP_STARTTLS": "peut-être"}, "LEAD_SMTP_STARTTLS"),
    ],
)
def test_bad_values_give_one_french_line(environ: dict, expected: str) -> None:
    with pytest.raises(SettingsError, match=expected):
        load_settings(environ, None)


def test_a_destination_enables_the_hand_off() -> None:
    settings = load_settings(
        {"LEAD_SMTP_HOST": "127.0.0.1", "LEAD_EMAIL_TO": "a@b.fr", "LEAD_SMTP_STARTTLS": "true"},
        None,
    )
    assert settings.handoff_configured and settings.lead_smtp_starttls


@pytest.mark.parametrize("name", NEW)
def test_each_new_variable_is_known_and_documented(name: str) -> None:
    assert name in DEFAULTS or name in OPTIONAL
    assert name in Path(ROOT / ".env.example").read_text(encoding="utf-8")
    assert f"`{name}`" in Path(ROOT / "README.md").read_text(encoding="utf-8")
