"""The report link from a REST conversation, opened by a real headless Chromium; the PDF's text.

Also the French pages of a forged and of an expired link. The screenshot of the report as the
browser saw it is saved to var/artifacts/report.png (not committed).
"""

from __future__ import annotations

import io
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.settings import ROOT
from knowledge import records
from knowledge.store import make_engine

pytestmark = pytest.mark.e2e

OPENING = (
    "Bonjour, nous sommes une PME industrielle de 45 personnes sur deux sites. Nos serveurs "
    "plantent souvent et personne ne vérifie les sauvegardes, tout repose sur notre comptable."
)
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/rapport/[A-Za-z0-9_-]{43})(?=\s|$)")
ARTIFACTS = ROOT / "var" / "artifacts"
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--window-size=1280,2400",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def advice_in(messages: list[dict]) -> dict | None:
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") == "advice":
            return custom
    return None


@pytest.fixture(scope="module")
def conversation(running_bot) -> tuple[dict, str, list[dict]]:
    """A REST conversation up to the plan, then the report request (one turn after the plan)."""
    sender = "e2e-report"
    replies = running_bot.send(sender, OPENING)
    advice, turns = advice_in(replies), 1
    while advice is None and turns < 8:
        replies = running_bot.send(sender, "je ne sais pas")
        advice, turns = advice_in(replies), turns + 1
    assert advice is not None, replies
    after = running_bot.send(sender, "je veux le rapport")
    text = "\n".join(m.get("text", "") for m in after)
    found = LINK.search(text)
    assert found, text
    return advice, found.group(1), after


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def words(text: str) -> str:
    return " ".join(text.replace("-\n", "").split())


def test_the_browser_shows_the_top_priority_and_its_quote(browser, conversation) -> None:
    advice, url, after = conversation
    top = advice["priorities"][0]
    assert "PDF" in "\n".join(m.get("text", "") for m in after)
    browser.get(url)
    heading = browser.find_element(By.CSS_SELECTOR, "#priorities article h3")
    assert top["title"] in heading.text
    quotes = [q.text for q in browser.find_elements(By.CSS_SELECTOR, "#priorities .quote p")]
    assert f"« {top['source']['quote']} »" in quotes
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1280, min(max(height + 40, 800), 6000))
    assert browser.save_screenshot(str(ARTIFACTS / "report.png"))
    browser.set_window_size(1280, 2400)


def test_the_pdf_has_the_same_priority_and_quote_with_accents(conversation) -> None:
    advice, url, _ = conversation
    top = advice["priorities"][0]
    started = time.perf_counter()
    status, content_type, pdf = get(url + ".pdf")
    seconds = time.perf_counter() - started
    assert status == 200 and content_type == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf))
    text = words("\n".join(page.extract_text() for page in reader.pages))
    assert words(top["title"]) in text  # "Infrastructure, serveurs et continuité d’activité"
    assert words(top["source"]["quote"]) in text
    assert "é" in text and "à" in text and "’" in text
    print(f"\nPDF : {len(reader.pages)} pages, {len(pdf) / 1024:.0f} Kio, {seconds:.2f} s")
    (ARTIFACTS / "report.pdf").write_bytes(pdf)


def test_a_forged_link_gets_the_french_not_found_page(browser, conversation) -> None:
    _, url, _ = conversation
    token = url.rsplit("/", 1)[1]
    forged = url[: -len(token)] + token[::-1]
    status, content_type, body = get(forged)
    assert status == 404 and content_type.startswith("text/html")
    assert "Traceback" not in body.decode("utf-8")
    browser.get(forged)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Rapport introuvable"
    for path in ("/rapport/", "/rapport/../../etc/passwd", "/rapport/%00.pdf"):
        status, _, body = get(url.split("/rapport/")[0] + path)
        assert status == 404 and "introuvable" in body.decode("utf-8"), path


def test_an_expired_link_gets_the_french_expired_page(
    browser, conversation, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _, url, _ = conversation
    token = url.rsplit("/", 1)[1]
    databases = list(Path(tmp_path_factory.getbasetemp()).glob("e2e*/knowledge.db"))
    assert databases, "base de données du lanceur introuvable"
    expired = False
    for database in databases:
        engine = make_engine(f"sqlite:///{database}")
        with Session(engine, future=True) as session, session.begin():
            changed = session.execute(
                update(records.ReportTokenRow)
                .where(records.ReportTokenRow.token == token)
                .values(expires_at=records.now() - timedelta(minutes=1))
            ).rowcount
        engine.dispose()
        expired = expired or changed == 1
    assert expired
    status, _, body = get(url)
    assert status == 410 and "a expiré" in body.decode("utf-8")
    status, _, _ = get(url + ".pdf")
    assert status == 410
    browser.get(url)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Ce lien de rapport a expiré"


def texts_of(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_coming_back_over_rest_shows_what_changed(running_bot) -> None:
    from knowledge.base import get_knowledge_base

    sender = "e2e-review"
    replies = running_bot.send(sender, OPENING)
    turns = 1
    while advice_in(replies) is None and turns < 8:
        replies = running_bot.send(sender, "je ne sais pas")
        turns += 1
    assert advice_in(replies) is not None, texts_of(replies)

    recall = texts_of(running_bot.send(sender, "je reviens pour faire le point sur mon plan"))
    assert "Votre précédent plan date du" in recall, recall
    assert "1. Infrastructure, serveurs et continuité d’activité" in recall
    assert "Qu’est-ce qui a changé depuis" in recall

    replies = running_bot.send(
        sender, "nous avons eu une panne majeure, tout s'est arrêté deux jours"
    )
    transcript, turns = list(replies), 1
    while advice_in(replies) is None and turns < 8:
        answer = "une panne majeure" if "urgence" in texts_of(replies) else "je ne sais pas"
        replies = running_bot.send(sender, answer)
        transcript += replies
        turns += 1
    text = texts_of(transcript)
    assert advice_in(replies) is not None, text
    asked = [line for line in text.splitlines() if line.startswith("Question ")]
    # Only the emergency (of the moment) may be asked again; the rest of the profile is kept.
    assert all("urgence" in line for line in asked), asked
    emergency = next(
        w.title for w in get_knowledge_base().warnings if w.id == "emergency_outsourcing"
    )
    assert "Ce qui change par rapport à votre plan du" in text, text
    assert f"Nouveau point de vigilance\u00a0: {emergency}" in text, text
    assert "L’efficacité réside dans la capacité à faire évoluer le périmètre" in text
