"""Read the human-editable YAML content (``knowledge/content/*.yml``) and compute its version."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from .settings import CONTENT_DIR

# Files whose items become rows of their own table; the others are stored as documents.
ITEM_FILES = ("services", "signals", "warnings", "field_cases", "answers")
DOCUMENT_FILES = ("matching", "scoring", "trajectory", "situations", "facts", "labels")
# Bumped when the database layout changes, so a stored copy is reloaded.
SCHEMA_REVISION = "1"


def content_files(directory: Path = CONTENT_DIR) -> list[Path]:
    return [directory / f"{name}.yml" for name in (*ITEM_FILES, *DOCUMENT_FILES)]


def content_version(directory: Path = CONTENT_DIR) -> str:
    """Short SHA-256 of every content file (and the schema revision): changes when any edit does."""
    digest = hashlib.sha256(SCHEMA_REVISION.encode())
    for path in content_files(directory):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def read_content(directory: Path = CONTENT_DIR) -> dict[str, Any]:
    """The raw content: ``{"version", "services": [...], ..., "documents": {name: data}}``."""
    raw: dict[str, Any] = {"version": content_version(directory), "documents": {}}
    for name in ITEM_FILES:
        raw[name] = _read(directory / f"{name}.yml")[name]
    for name in DOCUMENT_FILES:
        raw["documents"][name] = _read(directory / f"{name}.yml")
    return raw


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)
