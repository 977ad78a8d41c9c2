"""The contract CLI, run as a real process: JSON out, French one-line errors, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    database = tmp_path_factory.mktemp("cli") / "knowledge.db"
    env = {**os.environ, "KNOWLEDGE_DATABASE_URL": f"sqlite:///{database}"}
    env.pop("DATABASE_URL", None)
    return env


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "knowledge", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )


def test_advise_prints_the_payload(cli_env: dict[str, str]) -> None:
    profile = {"pain_points": ["backup_doubt"], "trigger": "major_outage", "it_staff": "none"}
    started = time.perf_counter()
    result = run(cli_env, "advise", stdin=json.dumps(profile))
    elapsed = time.perf_counter() - started
    print(f"\nadvise (processus à froid) : {elapsed:.2f} s")
    assert result.returncode == 0, result.stderr
    advice = json.loads(result.stdout)
    assert advice["type"] == "advice"
    assert advice["priorities"][0]["service"] == "infrastructure"
    assert "continuité d’activité" in result.stdout  # ensure_ascii=False
    assert result.stdout.startswith('{\n  "type"')  # indent 2


def test_advise_rejects_an_unknown_value_in_french(cli_env: dict[str, str]) -> None:
    result = run(cli_env, "advise", stdin='{"sector": "banque"}')
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "Valeur inconnue « banque » pour le champ « sector ». Valeurs possibles : « industry », "
        "« services », « retail », « public », « other »."
    )


@pytest.mark.parametrize("stdin", ["{pas du json", "[]"])
def test_advise_rejects_bad_json_without_traceback(cli_env: dict[str, str], stdin: str) -> None:
    result = run(cli_env, "advise", stdin=stdin)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "profil" in result.stderr


def test_signals_prints_a_json_list(cli_env: dict[str, str]) -> None:
    result = run(cli_env, "signals", "nos serveurs plantent et personne ne teste les sauvegardes")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["server_instability", "backup_doubt"]


def test_signals_on_blank_text_is_a_french_error(cli_env: dict[str, str]) -> None:
    result = run(cli_env, "signals", "   ")
    assert result.returncode == 2
    assert result.stderr.startswith("Le texte est vide")


def test_load_reports_version_and_counts_in_french(cli_env: dict[str, str]) -> None:
    result = run(cli_env, "load")
    assert result.returncode == 0, result.stderr
    assert "Contenu chargé (version " in result.stdout
    assert "5 services, 12 signaux" in result.stdout


def test_check_passes_on_the_shipped_content(cli_env: dict[str, str], article_path: Path) -> None:
    result = run({**cli_env, "ARTICLE_PATH": str(article_path)}, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Contenu valide")


def test_check_fails_when_the_article_is_elsewhere(cli_env: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "article.txt"
    other.write_text("Un autre texte, qui ne contient aucune des citations.\n", encoding="utf-8")
    result = run({**cli_env, "ARTICLE_PATH": str(other)}, "check")
    assert result.returncode == 1
    assert "Citation absente de l’article" in result.stderr


def test_usage_error(cli_env: dict[str, str]) -> None:
    result = run(cli_env, "inconnu")
    assert result.returncode == 2
    assert result.stderr.startswith("Usage : python -m knowledge")


def test_unreachable_database_is_a_french_one_line_error(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "KNOWLEDGE_DATABASE_URL": "postgresql+psycopg2://nobody@127.0.0.1:1/none"}
    result = run(env, "advise", stdin="{}")
    assert result.returncode == 2
    assert result.stderr.startswith("Base de connaissances inaccessible")
    assert "Traceback" not in result.stderr
