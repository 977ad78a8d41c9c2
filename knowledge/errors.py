"""Exceptions of the knowledge engine, with French messages read from the content.

Messages live in ``content/messages.yml`` (read straight from disk, not from the database, so an
error can still be explained when the database is the problem).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

MESSAGES_PATH = Path(__file__).with_name("content") / "messages.yml"


class KnowledgeError(ValueError):
    """Base error of the knowledge engine; ``str(error)`` is a French sentence for the user."""


class InputError(KnowledgeError):
    """A text given to the engine is empty or unusable."""


class ProfileError(KnowledgeError):
    """A profile field or value is unknown or has the wrong type."""


@lru_cache(maxsize=1)
def _messages() -> dict[str, str]:
    with MESSAGES_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["messages"]


def message(key: str, **values: Any) -> str:
    """French message ``key`` from messages.yml, formatted with ``values``."""
    return _messages()[key].format(**values)


def join_values(values: Any) -> str:
    """Allowed values as the messages show them: « a », « b »."""
    return ", ".join(f"« {value} »" for value in values)
