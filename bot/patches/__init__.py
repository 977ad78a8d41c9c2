"""Patches to Rasa 3.6.21 applied in the Rasa server process (see bot/rasa_server.py).

One module per concern, each with an idempotent `apply()` and a test that fails without it.
"""

from __future__ import annotations

import importlib

# Module names under bot.patches, applied in this order.
PATCHES: tuple[str, ...] = (
    "perf_action_validation",
    "perf_model_load",
    "perf_spacy_once",
    "perf_tf_threads",
    "perf_event_types",
    "perf_action_session",
    "perf_sqlite_wal",
    "perf_nlu_thread",
    "redis_lock_atomic",
    "resilience",
    "privacy",
    "payloads",
    "http_limits",
)


def apply_all() -> None:
    for name in PATCHES:
        importlib.import_module(f"bot.patches.{name}").apply()
