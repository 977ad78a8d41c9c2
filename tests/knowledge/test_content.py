"""Content integrity: contract ids, verbatim quotes, reachable signals, a lint that can fail."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path

import knowledge
from knowledge.check import article_sentences, check_content, iter_sources
from knowledge.content import read_content
from knowledge.profile import SIGNAL_IDS, WARNING_IDS

PACKAGE_DIR = Path(knowledge.__file__).parent
FORBIDDEN_IMPORTS = re.compile(r"^\s*(from|import)\s+(rasa|rasa_sdk|bot|actions)\b", re.MULTILINE)


def test_every_quote_is_a_verbatim_sentence_of_the_article(article: str) -> None:
    _lines, sentences = article_sentences(article)
    lines = {line.strip() for line in article.splitlines()}
    sources = list(iter_sources(read_content()))
    assert len(sources) >= 30
    for where, source in sources:
        assert source["quote"] in sentences, f"{where}: {source['quote']}"
        assert source["section"] in lines, f"{where}: {source['section']}"
        # Typographic apostrophes are kept as the article writes them.
        assert "'" not in source["quote"], where


def test_lint_passes_on_the_shipped_content(article_path: Path) -> None:
    problems, quotes = check_content(read_content(), article_path)
    assert problems == []
    assert quotes >= 30


def test_lint_reports_a_paraphrased_quote_a_wrong_id_and_an_unreachable_signal(
    article_path: Path,
) -> None:
    raw = copy.deepcopy(read_content())
    raw["services"][0]["source"]["quote"] = (
        "C'est souvent le premier levier."  # straight apostrophe
    )
    raw["warnings"][0]["id"] = "keep_the_governance"
    raw["signals"][9]["supports"] = {}  # cost_pressure: only cost_only mentions it...
    raw["warnings"][4]["when"] = {"field": "motive", "in": ["cost"]}  # ...and no longer
    problems, _ = check_content(raw, article_path)
    text = "\n".join(problems)
    assert "Citation absente de l’article (services.user_support)" in text
    assert "keep_the_governance" in text
    assert "Signal « cost_pressure » repris par aucun service ni avertissement." in text


def test_lint_rejects_a_fragment_that_is_not_a_whole_sentence(article_path: Path) -> None:
    raw = copy.deepcopy(read_content())
    raw["warnings"][0]["source"]["quote"] = "perdent rapidement la maîtrise de leur IT"
    problems, _ = check_content(raw, article_path)
    assert any("n’est pas une phrase entière" in problem for problem in problems)


def test_ids_and_warning_sections_match_the_contract() -> None:
    raw = read_content()
    assert [signal["id"] for signal in raw["signals"]] == list(SIGNAL_IDS)
    assert [warning["id"] for warning in raw["warnings"]] == list(WARNING_IDS)
    sections = {warning["id"]: warning["source"]["section"] for warning in raw["warnings"]}
    assert sections["too_broad_too_fast"] == (
        "Cas réel : une externalisation mal cadrée qui complique tout"
    )
    assert sections["undefined_scope"] == "Infrastructure, serveurs et continuité d’activité"
    assert "à condition que le périmètre soit clairement défini" in next(
        w["source"]["quote"] for w in raw["warnings"] if w["id"] == "undefined_scope"
    )
    kept = [service["id"] for service in raw["services"] if not service["outsourceable"]]
    assert kept == ["governance"]


def test_package_imports_nothing_from_rasa_or_the_bot() -> None:
    for path in PACKAGE_DIR.glob("*.py"):
        assert not FORBIDDEN_IMPORTS.search(path.read_text(encoding="utf-8")), path.name


def test_article_is_not_copied_into_the_package(article: str) -> None:
    longest_paragraph = max(article.splitlines(), key=len)
    for path in PACKAGE_DIR.rglob("*"):
        if path.is_file() and path.suffix in {".yml", ".py", ".txt", ".md"}:
            assert longest_paragraph not in path.read_text(encoding="utf-8"), path.name


def test_importing_the_package_does_no_work() -> None:
    code = (
        "import sys, knowledge\n"
        "from knowledge import base, text\n"
        "assert 'spacy' not in sys.modules, 'spaCy loaded at import'\n"
        "assert 'dotenv' not in sys.modules, 'dotenv read at import'\n"
        "assert not base._engines, 'database engine created at import'\n"
        "assert base.get_knowledge_base.cache_info().currsize == 0\n"
        "assert text.nlp.cache_info().currsize == 0\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE_DIR.parent
    )
    assert result.returncode == 0, result.stderr
