"""Faults and erasure against the system as `make run` starts it (SQLite tracker store).

Measured and printed: the time from killing the action server to the user's apology, and to
its restart by the launcher; the rows left for a conversation after its erasure (must be 0).
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from launch_helpers import free_port, launcher_env, start_launcher, stop_launcher
from safety_helpers import OPENING, Bot, answers, port_closed, texts, wait_until

from bot.inbound import response_text
from bot.settings import ROOT

pytestmark = pytest.mark.e2e

TRACKER_DB = ROOT / "var" / "tracker.db"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("resilience")


@pytest.fixture(scope="module")
def bot(data_dir: Path) -> Iterator[Bot]:
    ports = [free_port() for _ in range(3)]
    env = launcher_env(
        ports,
        data_dir,
        TRACKER_STORE="sqlite",
        ACTION_TIMEOUT="3",
        RETENTION_DAYS="45",
    )
    process, output = start_launcher(env)
    yield Bot(process, ports, output)
    stop_launcher(process, output)
    for port in ports:
        assert port_closed(port), f"port {port} encore ouvert"


def rows(sender: str) -> int:
    with sqlite3.connect(TRACKER_DB) as connection:
        return connection.execute(
            "SELECT count(*) FROM events WHERE sender_id = ?", (sender,)
        ).fetchone()[0]


def test_killed_action_server_apology_then_restart(bot: Bot) -> None:
    sender = f"kill-{uuid.uuid4().hex[:8]}"
    assert "45 jours" in texts(bot.send(sender, "Que faites-vous de mes données ?"))
    pid = bot.action_server_pid()
    assert pid
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    replies = bot.send(sender, "Combien de temps gardez-vous mes informations ?")
    to_apology = time.monotonic() - killed
    assert response_text("utter_action_failed") in texts(replies), replies
    health = f"http://127.0.0.1:{bot.ports[1]}/health"
    waited = wait_until(lambda: answers(health), timeout=180)
    assert waited is not None, "".join(bot.output)
    to_restart = time.monotonic() - killed
    assert re.search(r"Serveur d'actions s'est arrêté \(code -9\)", "".join(bot.output))
    assert "Serveur d'actions redémarré" in "".join(bot.output)
    # The conversation goes on: same question, real answer.
    after = texts(bot.send(sender, "Combien de temps gardez-vous mes informations ?"))
    assert "jours" in after and "supprimez mes données" in after, after
    print(
        f"\nAction server killed: apology after {to_apology:.2f} s, "
        f"restarted (health OK) after {to_restart:.1f} s"
    )


def record_rows(data_dir: Path, sender: str) -> int:
    """Rows about the conversation in the knowledge database (plans, report links, events)."""
    key = hashlib.sha256(sender.encode()).hexdigest()
    with sqlite3.connect(data_dir / "knowledge.db") as connection:
        plans = "SELECT id FROM rec_plan WHERE sender_key = :k"
        return sum(
            connection.execute(query, {"k": key}).fetchone()[0]
            for query in (
                "SELECT count(*) FROM rec_plan WHERE sender_key = :k",
                f"SELECT count(*) FROM rec_report_token WHERE plan_id IN ({plans})",
                "SELECT count(*) FROM rec_lead WHERE sender_key = :k",
                "SELECT count(*) FROM rec_event WHERE sender_key = :k",
            )
        )


def test_erasure_leaves_no_row_in_sqlite(bot: Bot, data_dir: Path) -> None:
    sender = f"erase-{uuid.uuid4().hex[:8]}"
    replies = bot.send(sender, OPENING)
    for _ in range(6):  # to the plan, then its report: every store holds something
        if any(isinstance(m.get("custom"), dict) for m in replies):
            break
        replies = bot.send(sender, "je ne sais pas")
    assert "/rapport/" in texts(bot.send(sender, "je voudrais le rapport"))
    before, records_before = rows(sender), record_rows(data_dir, sender)
    assert before > 0 and records_before >= 3  # plan, report link, events
    reply = texts(bot.send(sender, "Supprimez mes données, s'il vous plaît."))
    left, records_left = rows(sender), record_rows(data_dir, sender)
    print(
        f"\nSQLite: {before} tracker rows and {records_before} knowledge-base rows before the "
        f"erasure turn; {left} and {records_left} left after it"
    )
    assert left == 0 and records_left == 0
    erased_records = re.search(r"ainsi que (\d+) éléments conservés à part", reply)
    assert erased_records and int(erased_records.group(1)) >= records_before, reply
    match = re.search(r"SQLite\), soit (\d+) enregistrements : vos (\d+) messages", reply)
    assert match, reply
    # The erasure turn's own events (the request, the action…) are erased too.
    user_messages = int(match.group(2))
    assert int(match.group(1)) > before and user_messages >= 4
    # A next message is a new conversation, without the old answers.
    bot.send(sender, "bonjour")
    with sqlite3.connect(TRACKER_DB) as connection:
        data = " ".join(
            row[0]
            for row in connection.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))
        )
    assert "comptable" not in data and "sauvegardes" not in data


def test_privacy_notice_answers_the_question(bot: Bot) -> None:
    reply = texts(
        bot.send(f"privacy-{uuid.uuid4().hex[:8]}", "Vous conservez quoi de mes données ?")
    )
    assert "45 jours" in reply and "supprimez mes données" in reply, reply


def test_user_texts_stay_out_of_the_logs(bot: Bot) -> None:
    marker = f"Zorglub{uuid.uuid4().hex[:6]}"
    sender = f"logs-{uuid.uuid4().hex[:8]}"
    bot.send(sender, f"{marker} nos serveurs plantent")
    bot.send(sender, f'/{marker}{{"headcount": 3}}')
    bot.send(sender, f"/inform{{{marker}")
    time.sleep(1)
    for log in (ROOT / "var" / "log").glob("*.log*"):
        assert marker not in log.read_text(errors="replace"), log


def test_a_model_that_does_not_load_fails_the_start(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "advisor.tar.gz").write_bytes(b"not a model")
    env = launcher_env([free_port() for _ in range(3)], tmp_path, MODEL_DIR=str(models))
    result = subprocess.run(
        [sys.executable, "-m", "bot.launcher", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Le conseiller est prêt" not in result.stdout
    assert "le modèle advisor.tar.gz n'a pas pu être chargé" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
