"""bot.patches.redis_lock_atomic: two Rasa instances never get the same ticket (real Redis)."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
from rasa.core.lock_store import RedisLockStore

from bot.patches import PATCHES, redis_lock_atomic

REDIS = {"host": "127.0.0.1", "port": 6379, "db": 0}


@pytest.fixture
def stock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rasa's own methods, even if another test applied every patch; restored afterwards."""
    for name in ("issue_ticket", "cleanup"):
        current = getattr(RedisLockStore, name)
        monkeypatch.setattr(RedisLockStore, name, getattr(current, "__wrapped__", current))


def race(slow: RedisLockStore, fast: RedisLockStore, conversation: str) -> list[int]:
    """`slow` reads the lock, pauses before saving it; meanwhile `fast` takes a ticket."""
    original_save = slow.save_lock

    def save_later(lock: Any) -> None:
        time.sleep(0.4)
        original_save(lock)

    slow.save_lock = save_later  # type: ignore[method-assign]
    tickets: list[int] = []
    first = threading.Thread(target=lambda: tickets.append(slow.issue_ticket(conversation)))
    first.start()
    time.sleep(0.1)  # `slow` has read the (empty) lock and not saved it yet
    tickets.append(fast.issue_ticket(conversation))
    first.join()
    return tickets


def test_stock_rasa_gives_two_instances_the_same_ticket(stock: None) -> None:
    conversation = f"race-{uuid.uuid4().hex}"
    tickets = race(RedisLockStore(**REDIS), RedisLockStore(**REDIS), conversation)
    assert tickets[0] == tickets[1]  # both think they are first: two turns at once
    RedisLockStore(**REDIS).delete_lock(conversation)


def test_with_the_patch_tickets_are_distinct_and_the_lock_is_cleaned(stock: None) -> None:
    redis_lock_atomic.apply()
    redis_lock_atomic.apply()  # idempotent
    conversation = f"race-{uuid.uuid4().hex}"
    one, two = RedisLockStore(**REDIS), RedisLockStore(**REDIS)
    tickets = race(one, two, conversation)
    assert sorted(tickets) == [0, 1]
    for ticket in tickets:
        one.cleanup(conversation, ticket)
    assert one.get_lock(conversation) is None  # served and deleted, mutex released
    assert not one.red.exists(f"{one.key_prefix}{conversation}:mutex")


def test_listed_in_the_server_patches() -> None:
    assert "redis_lock_atomic" in PATCHES
