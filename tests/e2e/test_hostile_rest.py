"""Hostile inputs on the REST channel, on a PostgreSQL tracker store (black box).

Prints the number of inputs tried and mishandled (must be 0). Mishandled: a 5xx, a reply that
is not JSON, silence (`200 []`), an answer where a refusal was due or the reverse, a refusal
without a short JSON error, an intent forced by typing `/intent`, or a server that stops
answering. The same run checks that the database password is in no file under var/ nor in the
logs, and that erasure leaves no row on PostgreSQL.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from launch_helpers import free_port, launcher_env, start_launcher, stop_launcher
from safety_helpers import OPENING, Bot, TcpProxy, port_closed, texts

from bot.inbound import response_text
from bot.settings import ROOT
from tests.hostile_inputs import HOSTILE_INPUTS, MAX_MESSAGE_LENGTH, Hostile

pytestmark = pytest.mark.e2e

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
# PostgreSQL trusts local connections here: the password is never checked, only carried.
PASSWORD = f"pw-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def postgres_schema() -> Iterator[tuple[str, sa.engine.Engine]]:
    schema = f"hostile_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(
        POSTGRES, connect_args={"options": f"-csearch_path={schema}"}, future=True
    )
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield schema, engine
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="module")
def database_link() -> Iterator[TcpProxy]:
    """Rasa reaches PostgreSQL through this relay, so a test can cut the database off."""
    proxy = TcpProxy(5432)
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def bot(postgres_schema, database_link, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    schema, _ = postgres_schema
    ports = [free_port() for _ in range(3)]
    env = launcher_env(
        ports,
        tmp_path_factory.mktemp("hostile"),
        TRACKER_STORE="postgresql",
        TRACKER_STORE_URL=(f"postgresql://postgres:{PASSWORD}@127.0.0.1:{database_link.port}/test"),
        POSTGRESQL_SCHEMA=schema,
    )
    process, output = start_launcher(env)
    yield Bot(process, ports, output)
    stop_launcher(process, output)
    for port in ports:
        assert port_closed(port)


def request_body(case: Hostile, sender: str) -> bytes:
    if case.raw_body is not None:
        return case.raw_body
    body: dict[str, object] = {"message": case.message}
    if case.sender is not ...:
        body["sender"] = sender if case.sender is None else case.sender
    return json.dumps(body).encode()


def injected(engine: sa.engine.Engine, sender: str, intent: str) -> bool:
    """True when a stored user message carries `intent` forced by Rasa's "/" syntax.

    A forced intent has confidence exactly 1.0 and its entities come from RegexMessageHandler;
    NLU reading the same text as words may still guess the intent, with its own confidence.
    """
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user'"),
            {"s": sender},
        ).all()
    for (data,) in rows:
        parse_data = json.loads(data).get("parse_data", {})
        forced_entities = any(
            e.get("extractor") == "RegexMessageHandler" for e in parse_data.get("entities", [])
        )
        intent_data = parse_data.get("intent", {})
        if forced_entities or (
            intent_data.get("name") == intent and intent_data.get("confidence") == 1.0
        ):
            return True
    return False


def problem(bot: Bot, engine: sa.engine.Engine, case: Hostile) -> str | None:
    """What was mishandled for this input, or None."""
    sender = f"hostile-{uuid.uuid4().hex[:12]}"
    try:
        status, reply = bot.post(request_body(case, sender))
    except Exception as exc:  # connection reset, timeout…
        return f"no HTTP answer: {type(exc).__name__}"
    if status >= 500:
        return f"HTTP {status}"
    refused = 400 <= status < 500
    if refused:
        if case.expect == "answer":
            return f"refused with {status} where an answer was due: {reply}"
        if not (isinstance(reply, dict) and isinstance(reply.get("error"), str)):
            return f"refusal without a JSON error: {reply!r}"[:200]
        if len(reply["error"]) > 200:
            return "refusal error too long"
        return None
    if status != 200:
        return f"HTTP {status}"
    if case.expect == "refuse":
        return f"answered where a refusal was due: {reply!r}"[:200]
    if not isinstance(reply, list) or not reply:
        return f"silence or not a list: {reply!r}"[:200]
    if case.cut and response_text("utter_message_cut") not in texts(reply):
        return "the cut was not announced"
    if not case.cut and response_text("utter_message_cut") in texts(reply):
        return "a cut was announced for a message within the limit"
    if case.injected_intent and (
        injected(engine, sender, case.injected_intent) or "j’ai effacé" in texts(reply)
    ):
        return f"intent {case.injected_intent} injected"
    if "<script>" in texts(reply) or "onerror=" in texts(reply):
        return "HTML echoed back"
    return None


def test_hostile_inputs_on_rest(bot: Bot, postgres_schema) -> None:
    _, engine = postgres_schema
    assert len(HOSTILE_INPUTS) >= 25
    problems = {case.name: problem(bot, engine, case) for case in HOSTILE_INPUTS}
    mishandled = {name: why for name, why in problems.items() if why}
    print(f"\nREST: {len(HOSTILE_INPUTS)} hostile inputs tried, {len(mishandled)} mishandled")
    for name, why in mishandled.items():
        print(f"  - {name}: {why}")
    assert mishandled == {}
    # Still serving, and the events table survived the SQL fragments.
    assert bot.send("after-hostile", "Bonjour")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM events")).scalar_one() > 0


def test_a_message_over_the_cap_reaches_nlu_cut(bot: Bot, postgres_schema) -> None:
    _, engine = postgres_schema
    sender = f"cut-{uuid.uuid4().hex[:8]}"
    bot.send(sender, "a" * (MAX_MESSAGE_LENGTH + 500))
    with engine.connect() as connection:
        data = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user'"),
            {"s": sender},
        ).scalar_one()
    assert len(json.loads(data)["text"]) == MAX_MESSAGE_LENGTH


def test_own_buttons_still_work_on_rest(bot: Bot, postgres_schema) -> None:
    """The privacy notice offers "/request_data_deletion": clicking it erases the conversation."""
    _, engine = postgres_schema
    sender = f"buttons-{uuid.uuid4().hex[:8]}"
    notice = bot.send(sender, "Quelles données conservez-vous ?")
    payloads = [b["payload"] for m in notice for b in m.get("buttons", [])]
    assert payloads == ["/request_data_deletion"], notice
    reply = texts(bot.send(sender, "/request_data_deletion"))
    assert "j’ai effacé toute cette conversation" in reply, reply
    with engine.connect() as connection:
        count = sa.text("SELECT count(*) FROM events WHERE sender_id = :s")
        assert connection.execute(count, {"s": sender}).scalar_one() == 0


def test_erasure_leaves_no_row_in_postgresql(bot: Bot, postgres_schema) -> None:
    _, engine = postgres_schema
    sender = f"erase-pg-{uuid.uuid4().hex[:8]}"
    bot.send(sender, OPENING)
    bot.send(sender, "je ne sais pas")

    def rows() -> int:
        with engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}
            ).scalar_one()

    before = rows()
    assert before > 0
    reply = texts(bot.send(sender, "effacez toutes mes données personnelles"))
    left = rows()
    print(f"\nPostgreSQL: {before} rows before the erasure turn, {left} left after it")
    assert left == 0
    assert "(PostgreSQL)" in reply, reply


def test_no_secret_under_var_or_in_the_logs(bot: Bot) -> None:
    bot.send("secret-check", "Bonjour")
    endpoints = (ROOT / "var" / "endpoints.yml").read_text()
    assert "${TRACKER_STORE_PASSWORD}" in endpoints
    for path in (ROOT / "var").rglob("*"):
        if path.is_file() and path.stat().st_size < 50_000_000:
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_database_outage_during_a_conversation(bot: Bot, postgres_schema, database_link) -> None:
    """Cut off: the user is told the message was not taken into account. Back: the conversation
    goes on, and what is stored is exactly the turns the user saw answered."""
    _, engine = postgres_schema
    sender = f"outage-{uuid.uuid4().hex[:8]}"
    bot.send(sender, OPENING)
    database_link.stop()
    try:
        during = bot.send(sender, "je ne sais pas (pendant la panne)")
    finally:
        database_link.start()
    assert texts(during) == response_text("utter_service_unavailable"), during
    after = texts(bot.send(sender, "je ne sais pas"))
    assert re.search(r"Question \d sur \d", after), after
    with engine.connect() as connection:
        stored = [
            json.loads(row[0])["text"]
            for row in connection.execute(
                sa.text(
                    "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' "
                    "ORDER BY id"
                ),
                {"s": sender},
            )
        ]
    assert stored == [OPENING, "je ne sais pas"]
