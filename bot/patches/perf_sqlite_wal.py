"""Open the SQLite tracker store in write-ahead-log mode.

`make run` keeps conversations in a SQLite file (TRACKER_STORE=sqlite, the default). Rasa
3.6.21's SQLTrackerStore commits with a synchronous session on the server's single event loop,
and SQLite's default rollback journal costs several fsyncs per commit: 34 ms per commit on this
project's machines, during which no other conversation moves (issue #9). In WAL mode a commit
is one fsync of the log (8 ms), still durable (`synchronous=FULL`), and a reader (purge,
another process) no longer blocks the writer. Other databases and in-memory SQLite are left as
they are (`knowledge.store.sqlite_pragmas`).
"""

from __future__ import annotations


def apply() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from knowledge.store import sqlite_pragmas

    if not event.contains(Engine, "connect", sqlite_pragmas):
        event.listen(Engine, "connect", sqlite_pragmas)
