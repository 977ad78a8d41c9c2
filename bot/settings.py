"""One settings object, read once from the environment and `.env` (python-dotenv).

Values come from the process environment first, then from `.env` at the repository root.
A variable that is present but empty, or malformed, is a configuration error with a French
message naming it: the launcher prints that message on one line instead of a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parent.parent

TRACKER_STORES = ("sqlite", "postgresql", "memory")
LOCK_STORES = ("memory", "redis")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING")


class SettingsError(ValueError):
    """A configuration value is missing or invalid; the message is French and fit for users."""


@dataclass(frozen=True)
class Settings:
    host: str
    rasa_port: int
    action_port: int
    widget_port: int
    knowledge_database_url: str
    tracker_store: str
    tracker_store_url: str | None
    lock_store: str
    redis_url: str | None
    model_dir: Path
    log_level: str
    max_message_length: int
    report_ttl_days: int = 30
    retention_days: int = 365
    public_url: str | None = None
    lead_recipient: str = "l’équipe de consultants qui exploite ce service"
    lead_webhook_url: str | None = None
    lead_smtp_host: str | None = None
    lead_smtp_port: int = 25
    lead_smtp_user: str | None = None
    lead_smtp_password: str | None = None
    lead_smtp_starttls: bool = False
    lead_email_from: str = "conseiller@localhost"
    lead_email_to: str | None = None
    lead_retry_seconds: int = 60

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}/webhook"

    @property
    def widget_url(self) -> str:
        return f"http://{self.host}:{self.widget_port}/"

    @property
    def report_base_url(self) -> str:
        """Where report links point: PUBLIC_URL when set, else the widget page's server."""
        return (self.public_url or self.widget_url).rstrip("/")

    @property
    def handoff_configured(self) -> bool:
        return bool(self.lead_webhook_url or self.lead_smtp_host)


DEFAULTS: dict[str, str] = {
    "HOST": "127.0.0.1",
    "RASA_PORT": "5005",
    "ACTION_PORT": "5055",
    "WIDGET_PORT": "8080",
    "KNOWLEDGE_DATABASE_URL": f"sqlite:///{ROOT / 'var' / 'knowledge.db'}",
    "TRACKER_STORE": "sqlite",
    "LOCK_STORE": "memory",
    "MODEL_DIR": "models",
    "LOG_LEVEL": "INFO",
    "MAX_MESSAGE_LENGTH": "2000",
    "REPORT_TTL_DAYS": "30",
    "RETENTION_DAYS": "365",
    "LEAD_RECIPIENT": "l’équipe de consultants qui exploite ce service",
    "LEAD_SMTP_PORT": "25",
    "LEAD_SMTP_STARTTLS": "false",
    "LEAD_EMAIL_FROM": "conseiller@localhost",
    "LEAD_RETRY_SECONDS": "60",
}


# Variables without a default (URLs, secrets): absent means "not used".
OPTIONAL: tuple[str, ...] = (
    "TRACKER_STORE_URL",
    "REDIS_URL",
    "PUBLIC_URL",
    "LEAD_WEBHOOK_URL",
    "LEAD_SMTP_HOST",
    "LEAD_SMTP_USER",
    "LEAD_SMTP_PASSWORD",
    "LEAD_EMAIL_TO",
)


def _merged(environ: Mapping[str, str], env_file: Path | None) -> dict[str, str]:
    """Defaults, overridden by `.env`, overridden by the real environment."""
    values = dict(DEFAULTS)
    if env_file is not None and env_file.is_file():
        for key, value in dotenv_values(env_file).items():
            values[key] = "" if value is None else value
    for key in set(DEFAULTS) | set(OPTIONAL):
        if key in environ:
            values[key] = environ[key]
    return values


def _required(values: Mapping[str, str], key: str, hint: str) -> str:
    value = values.get(key, "").strip()
    if not value:
        raise SettingsError(f"Configuration : la variable {key} est vide ou absente ; {hint}.")
    return value


def _port(values: Mapping[str, str], key: str) -> int:
    raw = _required(values, key, f"indiquez un port, par exemple {DEFAULTS[key]}")
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise SettingsError(
            f"Configuration : {key}={raw!r} n'est pas un port valide (nombre entre 1 et 65535)."
        )
    return int(raw)


def _positive_int(values: Mapping[str, str], key: str) -> int:
    raw = _required(values, key, f"indiquez un nombre entier, par exemple {DEFAULTS[key]}")
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"Configuration : {key}={raw!r} n'est pas un nombre entier positif.")
    return int(raw)


def _choice(values: Mapping[str, str], key: str, allowed: tuple[str, ...]) -> str:
    raw = _required(values, key, "valeurs possibles : " + ", ".join(allowed))
    raw = raw.upper() if allowed[0].isupper() else raw.lower()
    if raw not in allowed:
        raise SettingsError(
            f"Configuration : {key}={raw!r} est inconnu ; valeurs possibles : {', '.join(allowed)}."
        )
    return raw


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = ROOT / ".env"
) -> Settings:
    """Read and validate the settings; raises SettingsError with a French message."""
    values = _merged(os.environ if environ is None else environ, env_file)
    ports = {key: _port(values, key) for key in ("RASA_PORT", "ACTION_PORT", "WIDGET_PORT")}
    if len(set(ports.values())) != len(ports):
        raise SettingsError(
            "Configuration : RASA_PORT, ACTION_PORT et WIDGET_PORT doivent être différents."
        )
    tracker_store = _choice(values, "TRACKER_STORE", TRACKER_STORES)
    tracker_store_url = None
    if tracker_store == "postgresql":
        tracker_store_url = _required(
            values,
            "TRACKER_STORE_URL",
            "TRACKER_STORE=postgresql demande une URL (ex. postgresql://rasa@127.0.0.1:5432/rasa)",
        )
    lock_store = _choice(values, "LOCK_STORE", LOCK_STORES)
    redis_url = None
    if lock_store == "redis":
        redis_url = _required(
            values, "REDIS_URL", "LOCK_STORE=redis demande une URL (ex. redis://127.0.0.1:6379/0)"
        )
    model_dir = Path(_required(values, "MODEL_DIR", "indiquez le dossier des modèles (models)"))
    return Settings(
        host=_required(values, "HOST", "indiquez l'adresse d'écoute, par exemple 127.0.0.1"),
        rasa_port=ports["RASA_PORT"],
        action_port=ports["ACTION_PORT"],
        widget_port=ports["WIDGET_PORT"],
        knowledge_database_url=_required(
            values, "KNOWLEDGE_DATABASE_URL", "indiquez une URL SQLAlchemy (sqlite:///… )"
        ),
        tracker_store=tracker_store,
        tracker_store_url=tracker_store_url,
        lock_store=lock_store,
        redis_url=redis_url,
        model_dir=model_dir if model_dir.is_absolute() else ROOT / model_dir,
        log_level=_choice(values, "LOG_LEVEL", LOG_LEVELS),
        max_message_length=_positive_int(values, "MAX_MESSAGE_LENGTH"),
        report_ttl_days=_positive_int(values, "REPORT_TTL_DAYS"),
        retention_days=_positive_int(values, "RETENTION_DAYS"),
        public_url=_optional(values, "PUBLIC_URL"),
        **_handoff(values),  # type: ignore[arg-type]
    )


def _optional(values: Mapping[str, str], key: str) -> str | None:
    return values.get(key, "").strip() or None


def _handoff(values: Mapping[str, str]) -> dict[str, object]:
    """Lead destination: a webhook URL and/or an SMTP server (LEAD_EMAIL_TO then required)."""
    webhook = _optional(values, "LEAD_WEBHOOK_URL")
    if webhook and not webhook.startswith(("http://", "https://")):
        raise SettingsError(
            f"Configuration : LEAD_WEBHOOK_URL={webhook!r} doit commencer par http:// ou https://."
        )
    smtp_host = _optional(values, "LEAD_SMTP_HOST")
    email_to = _optional(values, "LEAD_EMAIL_TO")
    if smtp_host and not email_to:
        raise SettingsError(
            "Configuration : LEAD_SMTP_HOST est défini mais LEAD_EMAIL_TO est vide ; indiquez "
            "l'adresse qui reçoit les demandes de contact."
        )
    starttls = _choice(values, "LEAD_SMTP_STARTTLS", ("true", "false")) == "true"
    return {
        "lead_recipient": _required(values, "LEAD_RECIPIENT", "indiquez qui reçoit les demandes"),
        "lead_webhook_url": webhook,
        "lead_smtp_host": smtp_host,
        "lead_smtp_port": _port(values, "LEAD_SMTP_PORT"),
        "lead_smtp_user": _optional(values, "LEAD_SMTP_USER"),
        "lead_smtp_password": _optional(values, "LEAD_SMTP_PASSWORD"),
        "lead_smtp_starttls": starttls,
        "lead_email_from": _required(values, "LEAD_EMAIL_FROM", "indiquez une adresse d'envoi"),
        "lead_email_to": email_to,
        "lead_retry_seconds": _positive_int(values, "LEAD_RETRY_SECONDS"),
    }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read on first use."""
    return load_settings()
