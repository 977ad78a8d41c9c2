"""Builds Rasa's endpoints configuration from the settings, so `.env` is the one place to choose
the action server, the tracker store and the lock store.

No secret is written into the generated file: passwords and the action server token appear as
`${VARIABLE}`, which Rasa expands from its environment when it reads the file
(`rasa.shared.utils.io.replace_environment_variables`). `secret_environment` gives the values
the launcher puts in the Rasa process's environment, and nowhere else.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from bot.settings import ROOT, Settings

# Environment variables read by Rasa when it expands var/endpoints.yml.
TRACKER_STORE_PASSWORD = "TRACKER_STORE_PASSWORD"
REDIS_PASSWORD = "REDIS_PASSWORD"
ACTION_SERVER_TOKEN = "ACTION_SERVER_TOKEN"
# HTTP header carrying the shared token from Rasa to the action server.
TOKEN_HEADER = "X-Action-Token"


def _reference(variable: str) -> str:
    return "${" + variable + "}"


def _tracker_store(settings: Settings) -> dict[str, Any] | None:
    if settings.tracker_store == "memory":
        return None
    if settings.tracker_store == "sqlite":
        db = ROOT / "var" / "tracker.db"
        return {"type": "SQL", "dialect": "sqlite", "db": str(db)}
    url = urlsplit(settings.tracker_store_url or "")
    store: dict[str, Any] = {
        "type": "SQL",
        "dialect": "postgresql",
        "url": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "db": url.path.lstrip("/") or "rasa",
    }
    if url.username:
        store["username"] = unquote(url.username)
    if url.password:
        store["password"] = _reference(TRACKER_STORE_PASSWORD)
    return store


def _lock_store(settings: Settings) -> dict[str, Any] | None:
    if settings.lock_store == "memory":
        return None
    url = urlsplit(settings.redis_url or "")
    store: dict[str, Any] = {
        "type": "redis",
        "url": url.hostname or "127.0.0.1",
        "port": url.port or 6379,
        "db": int(url.path.lstrip("/") or 0),
        "key_prefix": settings.redis_key_prefix,
    }
    if url.password:
        store["password"] = _reference(REDIS_PASSWORD)
    return store


def build_endpoints(settings: Settings) -> dict[str, Any]:
    endpoints: dict[str, Any] = {
        "action_endpoint": {
            "url": settings.action_url,
            "headers": {TOKEN_HEADER: _reference(ACTION_SERVER_TOKEN)},
        }
    }
    tracker_store = _tracker_store(settings)
    if tracker_store:
        endpoints["tracker_store"] = tracker_store
    lock_store = _lock_store(settings)
    if lock_store:
        endpoints["lock_store"] = lock_store
    return endpoints


def secret_environment(settings: Settings, token: str) -> dict[str, str]:
    """The variables `${…}` of the generated file refers to, for the Rasa process only."""
    secrets = {ACTION_SERVER_TOKEN: token}
    if settings.tracker_store == "postgresql":
        password = urlsplit(settings.tracker_store_url or "").password
        if password:
            secrets[TRACKER_STORE_PASSWORD] = unquote(password)
    if settings.lock_store == "redis":
        password = urlsplit(settings.redis_url or "").password
        if password:
            secrets[REDIS_PASSWORD] = unquote(password)
    return secrets


def write_endpoints(settings: Settings, path: Path = ROOT / "var" / "endpoints.yml") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Generated from .env by bot/endpoints.py at each start: edit .env, not this file.\n"
        "# ${…} values are read by Rasa from its environment: no secret is written here.\n"
    )
    path.write_text(header + yaml.safe_dump(build_endpoints(settings), sort_keys=False))
    os.chmod(path, 0o600)
    return path
