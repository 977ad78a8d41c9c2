"""Two Rasa instances (each with its action server, as two `make run` machines would have) on one
PostgreSQL tracker store, one Redis lock store and one PostgreSQL knowledge base.

A schema of its own in database `test` and a Redis key prefix of its own per run, removed
afterwards. Conversations alternate between the instances turn by turn, and some receive
concurrent messages on both at once; then SQL counts each conversation's events. Printed:
conversations and messages sent, events stored, lost and duplicated (both must be 0).
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import sqlalchemy as sa
from launch_helpers import free_port, launcher_env, start_launcher, stop_launcher
from safety_helpers import OPENING, Bot, port_closed

from bot.settings import ROOT

pytestmark = pytest.mark.e2e

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
ALTERNATING = 4
CONCURRENT = 3
BURST = 6  # messages sent at once for one conversation, half to each instance
TURNS = [OPENING, "je ne sais pas", "je ne sais pas", "je ne sais pas", "merci"]


@pytest.fixture(scope="module")
def shared_stores() -> Iterator[tuple[str, str, sa.engine.Engine]]:
    run = uuid.uuid4().hex[:10]
    schema, prefix = f"scaleout_{run}", f"scaleout_{run}"
    engine = sa.create_engine(
        POSTGRES, connect_args={"options": f"-csearch_path={schema}"}, future=True
    )
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield schema, prefix, engine
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@pytest.fixture(scope="module")
def instances(shared_stores, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Bot]]:
    schema, prefix, _ = shared_stores
    knowledge_url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    bots: list[Bot] = []
    try:
        # One after the other: two Rasa servers loading at once on 2 busy cores can each take
        # longer than the launcher's readiness limit.
        for index in range(2):
            ports = [free_port() for _ in range(3)]
            env = launcher_env(
                ports,
                tmp_path_factory.mktemp(f"instance{index}"),
                TRACKER_STORE="postgresql",
                TRACKER_STORE_URL="postgresql://postgres@127.0.0.1:5432/test",
                POSTGRESQL_SCHEMA=schema,
                LOCK_STORE="redis",
                REDIS_URL=REDIS_URL,
                REDIS_KEY_PREFIX=prefix,
                KNOWLEDGE_DATABASE_URL=knowledge_url,
            )
            process, output = start_launcher(env)
            bots.append(Bot(process, ports, output))
        yield bots
    finally:
        for bot in bots:
            stop_launcher(bot.process, bot.output)
            for port in bot.ports:
                assert port_closed(port)


def user_texts(engine: sa.engine.Engine, sender: str) -> tuple[list[str], list[str], int]:
    """(user texts in stored order, event types in stored order, events) of one conversation."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT type_name, data, timestamp FROM events WHERE sender_id = :s ORDER BY id"
            ),
            {"s": sender},
        ).all()
    timestamps = [row[2] for row in rows]
    assert timestamps == sorted(timestamps), f"events of {sender} stored out of order"
    texts = [json.loads(row[1])["text"] for row in rows if row[0] == "user"]
    return texts, [row[0] for row in rows], len(rows)


def test_two_instances_share_every_conversation(instances, shared_stores) -> None:
    _, prefix, engine = shared_stores
    bots = instances
    run = uuid.uuid4().hex[:6]
    sent: dict[str, list[str]] = {}

    def alternate(index: int) -> None:
        sender = f"alt-{run}-{index}"
        sent[sender] = []
        for turn, text in enumerate(TURNS):
            message = f"{text} [{turn}]" if turn else text
            assert bots[(index + turn) % 2].send(sender, message), (sender, turn)
            sent[sender].append(message)

    def burst(index: int) -> None:
        sender = f"burst-{run}-{index}"
        messages = [f"nos serveurs plantent, message {n}" for n in range(BURST)]
        sent[sender] = messages
        with ThreadPoolExecutor(BURST) as pool:
            replies = list(pool.map(lambda n: bots[n % 2].send(sender, messages[n]), range(BURST)))
        assert all(replies)

    with ThreadPoolExecutor(ALTERNATING + CONCURRENT) as pool:
        futures = [pool.submit(alternate, i) for i in range(ALTERNATING)]
        futures += [pool.submit(burst, i) for i in range(CONCURRENT)]
        for future in futures:
            future.result()

    lost = duplicated = events = 0
    for sender, messages in sent.items():
        stored, types, count = user_texts(engine, sender)
        events += count
        counts = Counter(stored)
        lost += sum(1 for m in messages if counts[m] == 0)
        duplicated += sum(c - 1 for c in counts.values() if c > 1)
        if sender.startswith("alt-"):
            assert stored == messages, sender
        # One turn at a time: never two user messages without the bot's turn between them.
        user_positions = [i for i, t in enumerate(types) if t == "user"]
        assert all(b - a > 1 for a, b in itertools.pairwise(user_positions)), types
    total = sum(len(m) for m in sent.values())
    print(
        f"\nScale-out: 2 instances, {len(sent)} conversations, {total} messages sent, "
        f"{events} events stored, {lost} lost, {duplicated} duplicated"
    )
    assert (lost, duplicated) == (0, 0)
    # Both instances used Redis locks under this run's prefix.
    endpoints = (ROOT / "var" / "endpoints.yml").read_text()
    assert "type: redis" in endpoints and f"key_prefix: {prefix}" in endpoints
