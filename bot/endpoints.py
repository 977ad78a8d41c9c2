"""Builds Rasa's endpoints configuration from the settings, so `.env` is the one place to choose
the action server, the tracker store and the lock store."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.settings import ROOT, Settings


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
        store["username"] = url.username
    if url.password:
        store["password"] = url.password
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
        "key_prefix": "conseil_it",
    }
    if url.password:
        store["password"] = url.password
    return store


def build_endpoints(settings: Settings) -> dict[str, Any]:
    endpoints: dict[str, Any] = {"action_endpoint": {"url": settings.action_url}}
    tracker_store = _tracker_store(settings)
    if tracker_store:
        endpoints["tracker_store"] = tracker_store
    lock_store = _lock_store(settings)
    if lock_store:
        endpoints["lock_store"] = lock_store
    return endpoints


def write_endpoints(settings: Settings, path: Path = ROOT / "var" / "endpoints.yml") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Generated from .env by bot/endpoints.py at each start: edit .env, not this file.\n"
    path.write_text(header + yaml.safe_dump(build_endpoints(settings), sort_keys=False))
    return path
