"""A records database of its own for the action tests that store plans, links and leads."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa_sdk import Tracker

from knowledge import base, records


@pytest.fixture(scope="module")
def records_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Points the engine (knowledge and records) at a fresh SQLite file for the module."""
    path: Path = tmp_path_factory.mktemp("records") / "knowledge.db"
    saved = os.environ.get("KNOWLEDGE_DATABASE_URL")
    os.environ["KNOWLEDGE_DATABASE_URL"] = f"sqlite:///{path}"
    base.reset_cache()
    yield os.environ["KNOWLEDGE_DATABASE_URL"]
    base.reset_cache()
    if saved is None:
        os.environ.pop("KNOWLEDGE_DATABASE_URL", None)
    else:
        os.environ["KNOWLEDGE_DATABASE_URL"] = saved


def as_sender(tracker: Tracker, sender_id: str) -> Tracker:
    """The same tracker for another conversation (each test uses its own sender)."""
    tracker.sender_id = sender_id
    return tracker


def sent(dispatcher, name: str) -> dict:
    """The first message sent with response `name` (its variables included)."""
    return next(m for m in dispatcher.messages if m.get("response") == name)


def session():
    return records.records_session()
