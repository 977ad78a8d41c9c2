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
    public_url: str
    allowed_origins: tuple[str, ...]

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}/webhook"

    @property
    def widget_url(self) -> str:
        return f"http://{self.host}:{self.widget_port}/"


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
}


# Variables without a fixed default (URLs, secrets): absent means "not used", or for
# PUBLIC_URL and ALLOWED_ORIGINS, "derived from HOST and the ports".
OPTIONAL: tuple[str, ...] = ("TRACKER_STORE_URL", "REDIS_URL", "PUBLIC_URL", "ALLOWED_ORIGINS")

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
        public_url=_public_url(values, f"http://{host}:{ports['RASA_PORT']}"),
        allowed_origins=_allowed_origins(values, host, ports["WIDGET_PORT"]),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read on first use."""
    return load_settings()
