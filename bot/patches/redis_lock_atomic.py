"""Make Rasa's Redis lock store hand out tickets atomically across Rasa instances.

Rasa 3.6.21's `RedisLockStore` keeps each conversation's ticket lock as one Redis value and
changes it by read-modify-write (`issue_ticket`: get the lock, add a ticket, save it back;
`cleanup`: mark the ticket served, delete the lock if nobody waits). Within one process these
calls never interleave (they are synchronous), but two instances receiving messages of the same
conversation at the same moment can both read the lock before either saves it: both get the
same ticket, both process their turn at once, and the later tracker save overwrites the other
turn's user message. The scale-out e2e test lost 1-2 of 38 messages that way once the NLU no
longer blocked the event loop (bot/patches/perf_nlu_thread.py made the overlap more likely).
Here both read-modify-writes run under a short Redis mutex per conversation (redis-py's
`Lock`: SET NX with an expiry, so a crashed holder frees it after MUTEX_TIMEOUT_S).
"""

from __future__ import annotations

from typing import Any

MARK = "_atomic_tickets"
MUTEX_TIMEOUT_S = 5.0  # a holder that died frees the mutex after this long
MUTEX_WAIT_S = 10.0  # redis.exceptions.LockError if the mutex cannot be had in this time


def _mutex(store: Any, conversation_id: str) -> Any:
    return store.red.lock(
        f"{store.key_prefix}{conversation_id}:mutex",
        timeout=MUTEX_TIMEOUT_S,
        blocking_timeout=MUTEX_WAIT_S,
    )


def apply() -> None:
    from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore

    original_issue = RedisLockStore.issue_ticket
    if getattr(original_issue, MARK, False):
        return
    original_cleanup = RedisLockStore.cleanup

    def issue_ticket(
        self: RedisLockStore, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME
    ) -> int:
        with _mutex(self, conversation_id):
            return original_issue(self, conversation_id, lock_lifetime)

    def cleanup(self: RedisLockStore, conversation_id: str, ticket_number: int) -> None:
        with _mutex(self, conversation_id):
            original_cleanup(self, conversation_id, ticket_number)

    setattr(issue_ticket, MARK, True)
    issue_ticket.__wrapped__ = original_issue  # type: ignore[attr-defined]
    cleanup.__wrapped__ = original_cleanup  # type: ignore[attr-defined]
    RedisLockStore.issue_ticket = issue_ticket  # type: ignore[method-assign]
    RedisLockStore.cleanup = cleanup  # type: ignore[method-assign]
