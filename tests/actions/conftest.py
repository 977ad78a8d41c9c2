"""Fixtures of the action tests: the real domain and a fresh dispatcher."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `pytest tests/actions` without `python -m`
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    with (ROOT / "domain.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()
