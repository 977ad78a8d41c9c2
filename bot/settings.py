"""One settings object, read once from the environment and `.env` (python-dotenv).

Values come from the process environment first, then from `.env` at the repository root.
A variable that is present but empty, or malformed, is a configuration error with a French
message naming it: the launcher prints that message on one line instead of a traceback.
"""

from __future__ import annotations

import os
import re
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
class SlackSettings:
    """Slack app: bot token (xoxb-…), signing secret, Web API base URL (overridable for tests)."""

    bot_token: str
    signing_secret: str
    api_url: str

    def __repr__(self) -> str:  # never print a secret
        return f"SlackSettings(api_url={self.api_url!r})"


@dataclass(frozen=True)
class TeamsSettings:
    """Azure bot (single tenant): app id, password, tenant, and the Microsoft endpoints."""

    app_id: str
    app_password: str
    tenant_id: str
    openid_metadata_url: str
    token_url: str

    def __repr__(self) -> str:  # never print a secret
        return f"TeamsSettings(app_id={self.app_id!r}, tenant_id={self.tenant_id!r})"


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
    action_timeout: float
    retention_days: int
    redis_key_prefix: str
    action_server_token: str | None
    rasa_api_jwt_secret: str | None
    public_url: str
    allowed_origins: tuple[str, ...]
    slack: SlackSettings | None = None
    teams: TeamsSettings | None = None
    report_ttl_days: int = 30
    widget_public_url: str | None = None
    lead_recipient: str = "l’équipe de consultants qui exploite ce service"
    lead_webhook_url: str | None = None
    lead_webhook_secret: str | None = None
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
        """Where report links point: WIDGET_PUBLIC_URL when set, else the widget page's server."""
        return (self.widget_public_url or self.widget_url).rstrip("/")

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
    "SLACK_API_URL": "https://slack.com/api",
    "TEAMS_OPENID_METADATA_URL": (
        "https://login.botframework.com/v1/.well-known/openidconfiguration"
    ),
    # {tenant} is replaced by TEAMS_TENANT_ID.
    "TEAMS_TOKEN_URL": "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
    "ACTION_TIMEOUT": "5",
    "RETENTION_DAYS": "180",
    "REDIS_KEY_PREFIX": "conseil_it",
    "REPORT_TTL_DAYS": "30",
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
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "TEAMS_APP_ID",
    "TEAMS_APP_PASSWORD",
    "TEAMS_TENANT_ID",
    # Shared secret between Rasa and the action server; the launcher draws a random one at each
    # start when it is absent (set it when the servers run on different machines).
    "ACTION_SERVER_TOKEN",
    # Enables Rasa's HTTP API (--enable-api), with JWT authentication; absent: the API is off.
    "RASA_API_JWT_SECRET",
    # Derived from HOST and the ports when absent.
    "PUBLIC_URL",
    "ALLOWED_ORIGINS",
    # Public address of the widget page, put in report links (default: http://HOST:WIDGET_PORT).
    "WIDGET_PUBLIC_URL",
    "LEAD_WEBHOOK_URL",
    # Signs each lead POST (HMAC-SHA256, see bot/handoff.py); absent: leads are sent unsigned.
    "LEAD_WEBHOOK_SECRET",
    "LEAD_SMTP_HOST",
    "LEAD_SMTP_USER",
    "LEAD_SMTP_PASSWORD",
    "LEAD_EMAIL_TO",
)
MIN_SECRET_LENGTH = 32

SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
TEAMS_VARIABLES = ("TEAMS_APP_ID", "TEAMS_APP_PASSWORD", "TEAMS_TENANT_ID")

# An origin as browsers send it: scheme, host, optional port; no path, no trailing slash.
_ORIGIN = re.compile(r"^https?://[^/\s:]+(:\d{1,5})?$")


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


def _optional_secret(values: Mapping[str, str], key: str) -> str | None:
    """None when absent; a present secret must be long enough to resist guessing."""
    if key not in values:
        return None
    raw = values[key].strip()
    if len(raw) < MIN_SECRET_LENGTH:
        raise SettingsError(
            f"Configuration : {key} doit compter au moins {MIN_SECRET_LENGTH} caractères "
            "(par exemple la sortie de « openssl rand -hex 32 »)."
        )
    return raw


def _seconds(values: Mapping[str, str], key: str) -> float:
    raw = _required(values, key, f"indiquez un nombre de secondes, par exemple {DEFAULTS[key]}")
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 300:
        raise SettingsError(
            f"Configuration : {key}={raw!r} n'est pas une durée valide (secondes, entre 0 et 300)."
        )
    return seconds


def _public_url(values: Mapping[str, str], rasa_url: str) -> str:
    """The Rasa URL the browser uses (PUBLIC_URL), by default the one the server listens on."""
    if "PUBLIC_URL" not in values:
        return rasa_url
    hint = f"indiquez l'URL publique de Rasa, par exemple {rasa_url}"
    raw = _required(values, "PUBLIC_URL", hint)
    url = raw.rstrip("/")
    if not _ORIGIN.match(url):
        raise SettingsError(
            f"Configuration : PUBLIC_URL={raw!r} n'est pas une adresse http(s) de serveur "
            "(ex. https://conseiller.example.fr, sans chemin)."
        )
    return url


def _allowed_origins(values: Mapping[str, str], host: str, widget_port: int) -> tuple[str, ...]:
    """Exact origins allowed to open the socket.io channel; by default the widget page's own."""
    if "ALLOWED_ORIGINS" not in values:
        hosts = dict.fromkeys(("127.0.0.1", "localhost", host))
        hosts.pop("0.0.0.0", None)
        return tuple(f"http://{name}:{widget_port}" for name in hosts)
    raw = _required(
        values, "ALLOWED_ORIGINS", "indiquez les origines autorisées, séparées par des virgules"
    )
    origins = tuple(dict.fromkeys(item.strip().rstrip("/") for item in raw.split(",")))
    for origin in origins:
        if not _ORIGIN.match(origin):
            raise SettingsError(
                f"Configuration : ALLOWED_ORIGINS contient {origin!r}, qui n'est pas une origine "
                "exacte (ex. https://www.example.fr, sans chemin ni « * »)."
            )
    return origins


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
    host = _required(values, "HOST", "indiquez l'adresse d'écoute, par exemple 127.0.0.1")
    return Settings(
        host=host,
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
        action_timeout=_seconds(values, "ACTION_TIMEOUT"),
        retention_days=_positive_int(values, "RETENTION_DAYS"),
        redis_key_prefix=_required(
            values, "REDIS_KEY_PREFIX", "indiquez un préfixe de clés Redis, par exemple conseil_it"
        ),
        action_server_token=_optional_secret(values, "ACTION_SERVER_TOKEN"),
        rasa_api_jwt_secret=_optional_secret(values, "RASA_API_JWT_SECRET"),
        public_url=_public_url(values, f"http://{host}:{ports['RASA_PORT']}"),
        allowed_origins=_allowed_origins(values, host, ports["WIDGET_PORT"]),
        report_ttl_days=_positive_int(values, "REPORT_TTL_DAYS"),
        widget_public_url=_optional(values, "WIDGET_PUBLIC_URL"),
        **_handoff(values),  # type: ignore[arg-type]
        slack=_slack(values),
        teams=_teams(values),
    )


def _platform(values: Mapping[str, str], platform: str, keys: tuple[str, ...]) -> bool:
    """True when every variable of the platform is set, False when none is; else an error."""
    present = [key for key in keys if values.get(key, "").strip()]
    if not present:
        return False
    missing = [key for key in keys if key not in present]
    if missing:
        raise SettingsError(
            f"Configuration : {platform} est à moitié configuré ; {', '.join(present)} "
            f"renseigné, manque {', '.join(missing)} (renseignez toutes ces variables "
            f"pour activer {platform}, ou aucune pour le désactiver)."
        )
    return True


def _url(values: Mapping[str, str], key: str) -> str:
    raw = _required(values, key, f"par défaut {DEFAULTS[key]}")
    if not raw.startswith(("https://", "http://")):
        raise SettingsError(f"Configuration : {key}={raw!r} n'est pas une URL http(s).")
    return raw.rstrip("/")


def _slack(values: Mapping[str, str]) -> SlackSettings | None:
    if not _platform(values, "Slack", SLACK_VARIABLES):
        return None
    return SlackSettings(
        bot_token=values["SLACK_BOT_TOKEN"].strip(),
        signing_secret=values["SLACK_SIGNING_SECRET"].strip(),
        api_url=_url(values, "SLACK_API_URL"),
    )


def _teams(values: Mapping[str, str]) -> TeamsSettings | None:
    if not _platform(values, "Teams", TEAMS_VARIABLES):
        return None
    tenant_id = values["TEAMS_TENANT_ID"].strip()
    return TeamsSettings(
        app_id=values["TEAMS_APP_ID"].strip(),
        app_password=values["TEAMS_APP_PASSWORD"].strip(),
        tenant_id=tenant_id,
        openid_metadata_url=_url(values, "TEAMS_OPENID_METADATA_URL"),
        token_url=_url(values, "TEAMS_TOKEN_URL").replace("{tenant}", tenant_id),
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
    # Empty (as in .env.example) means absent; a secret that is set must be long enough.
    webhook_secret = (
        _optional_secret(values, "LEAD_WEBHOOK_SECRET")
        if _optional(values, "LEAD_WEBHOOK_SECRET")
        else None
    )
    if webhook_secret and not webhook:
        raise SettingsError(
            "Configuration : LEAD_WEBHOOK_SECRET est défini mais LEAD_WEBHOOK_URL est vide ; "
            "indiquez l'adresse qui reçoit les demandes de contact."
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
        "lead_webhook_secret": webhook_secret,
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
