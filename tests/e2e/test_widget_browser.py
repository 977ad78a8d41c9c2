"""The widget in a real headless Chromium (Debian's chromium + chromedriver, via Selenium).

The demo host page embeds the widget with its script tag, as any site would. The test opens the
launcher, types the opening paragraph, answers with the quick-reply buttons, reads the plan
cards, reloads and finds the history, types an HTML injection that must stay text, and checks a
phone-width viewport. Screenshots go to var/artifacts/ (not committed).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait
from test_conversation import OPENING

from bot.settings import ROOT
from knowledge.settings import article_path

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = ROOT / "var" / "artifacts"
REPLY_TIMEOUT_S = 90
INJECTION = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    for program in (CHROMIUM, CHROMEDRIVER):
        assert Path(program).exists(), (
            f"{program} est absent : installez les paquets Debian chromium et chromium-driver "
            "(bash .ci/run le fait)."
        )
    profile = tempfile.mkdtemp(prefix="widget-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=fr-FR",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait(driver: WebDriver, condition, timeout: float = REPLY_TIMEOUT_S, message: str = ""):
    return WebDriverWait(driver, timeout, poll_frequency=0.25).until(condition, message)


def widget(driver: WebDriver, css: str) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, f"#advisor-widget {css}")


def text_content(item: WebElement) -> str:
    text = item.get_attribute("textContent")
    assert text is not None  # an element's textContent is never null
    return text


def bot_texts(driver: WebDriver) -> list[str]:
    return [text_content(item) for item in widget(driver, ".aw-bot")]


def user_texts(driver: WebDriver) -> list[str]:
    return [text_content(item) for item in widget(driver, ".aw-user .aw-text")]


def screenshot(driver: WebDriver, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    return path


def open_launcher(driver: WebDriver) -> None:
    """Opens the panel, unless it reopened by itself after a reload (same tab)."""
    wait(driver, lambda d: widget(d, ".aw-launcher"), 15)
    if widget(driver, ".aw-panel")[0].is_displayed():
        return
    launcher = wait(
        driver, lambda d: next((e for e in widget(d, ".aw-launcher") if e.is_displayed()), None)
    )
    if launcher.get_attribute("aria-expanded") != "true":
        launcher.click()
    wait(driver, lambda d: widget(d, ".aw-panel")[0].is_displayed(), 10)


def type_message(driver: WebDriver, text: str) -> None:
    field = widget(driver, "#aw-input")[0]
    field.send_keys(text)
    field.send_keys(Keys.ENTER)


def wait_for_new_bot_message(driver: WebDriver, before: int) -> list[str]:
    wait(driver, lambda d: len(widget(d, ".aw-bot")) > before, message="aucune réponse du bot")
    return bot_texts(driver)


def no_alert(driver: WebDriver) -> bool:
    try:
        driver.switch_to.alert  # noqa: B018 (raises when there is none)
    except NoAlertPresentException:
        return True
    return False


def test_widget_in_headless_chromium(running_bot, browser: webdriver.Chrome, capsys) -> None:
    steps: list[str] = []
    driver = browser
    driver.get(running_bot.widget_url)
    # The host page embeds the widget with one script tag.
    assert driver.find_elements(By.CSS_SELECTOR, 'script[src="/widget.js"]')
    steps.append("page hôte ouverte (balise <script src=/widget.js>)")

    # Keyboard: the launcher opens the panel with Enter and puts the focus in the text field;
    # Escape closes it and gives the focus back to the launcher.
    launcher = wait(
        driver,
        lambda d: widget(d, ".aw-launcher")[0].is_displayed() and widget(d, ".aw-launcher")[0],
    )
    assert launcher.get_attribute("aria-label")
    launcher.send_keys(Keys.ENTER)
    wait(driver, lambda d: widget(d, ".aw-panel")[0].is_displayed(), 10)
    assert driver.switch_to.active_element.get_attribute("id") == "aw-input"
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(driver, lambda d: not widget(d, ".aw-panel")[0].is_displayed(), 10)
    assert driver.switch_to.active_element.get_attribute("class") == "aw-launcher"
    log = widget(driver, ".aw-log")[0]
    assert log.get_attribute("aria-live") == "polite"
    assert widget(driver, "label[for=aw-input]")[0].get_attribute("textContent") == "Votre message"
    steps.append("clavier : Entrée ouvre le panneau (focus dans le champ), Échap le ferme")

    open_launcher(driver)
    assert "Bonjour" in bot_texts(driver)[0]  # the configured opening message
    steps.append("lanceur ouvert, message d'accueil affiché")

    before = len(widget(driver, ".aw-bot"))
    # Records whether the typing indicator showed, however fast the answer comes.
    driver.execute_script(
        """const typing = document.querySelector('#advisor-widget .aw-typing');
        window.typingSeen = false;
        new MutationObserver(() => { if (!typing.hidden) window.typingSeen = true; })
            .observe(typing, {attributes: true});"""
    )
    type_message(driver, OPENING)
    wait(driver, lambda d: any("Question 1 sur" in t for t in bot_texts(d)), message="Question 1")
    assert driver.execute_script("return window.typingSeen"), "indicateur de saisie attendu"
    assert not widget(driver, ".aw-typing")[0].is_displayed()
    steps.append("paragraphe d'ouverture tapé ; indicateur de saisie ; « Question 1 sur … » reçue")
    screenshot(driver, "widget-question.png")

    clicks = 0
    while not widget(driver, ".aw-plan") and clicks < 8:
        buttons = wait(
            driver,
            lambda d: widget(d, ".aw-replies .aw-reply") or widget(d, ".aw-plan"),
            message="ni boutons ni plan",
        )
        if widget(driver, ".aw-plan"):
            break
        choice = next(b for b in buttons if b.text == "Je ne sais pas")
        before = len(widget(driver, ".aw-bot"))
        choice.click()
        clicks += 1
        wait_for_new_bot_message(driver, before)
        wait(driver, lambda d: widget(d, ".aw-replies .aw-reply") or widget(d, ".aw-plan"))
    steps.append(f"{clicks} réponses données par les boutons « Je ne sais pas »")

    plan = wait(driver, lambda d: widget(d, ".aw-plan"), message="pas de plan")[0]
    # The browser's socket.io-client gets each bot message once.
    received = bot_texts(driver)
    repeated = [a for a, b in pairwise(received) if a == b]
    assert repeated == [], repeated
    assert len(widget(driver, ".aw-plan")) == 1
    titles = [t.text for t in plan.find_elements(By.CSS_SELECTOR, ".aw-priority .aw-card-name")]
    assert titles[0].startswith("Infrastructure"), titles
    first = plan.find_elements(By.CSS_SELECTOR, ".aw-priority")[0]
    assert first.find_element(By.CSS_SELECTOR, ".aw-why").text
    # Detail on demand: the quote is hidden until the card is expanded.
    quote = first.find_element(By.CSS_SELECTOR, ".aw-quote blockquote")
    assert not quote.is_displayed()
    first.find_element(By.CSS_SELECTOR, "summary").click()
    wait(driver, lambda d: quote.is_displayed(), 5)
    quoted = quote.text.strip("«» \u00a0")
    assert quoted, quote.text
    if article_path().is_file():
        assert quoted in article_path().read_text(encoding="utf-8")
    section = first.find_element(By.CSS_SELECTOR, ".aw-quote figcaption").text.lstrip("— ")
    assert "Infrastructure" in section
    warnings = plan.find_elements(By.CSS_SELECTOR, ".aw-warning")
    assert warnings, "points de vigilance attendus"
    warning_bg = warnings[0].value_of_css_property("background-color")
    assert warning_bg != first.value_of_css_property("background-color")
    assert plan.find_elements(By.CSS_SELECTOR, ".aw-keep-card")
    assert len(plan.find_elements(By.CSS_SELECTOR, ".aw-steps .aw-step")) >= 2
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", plan)
    screenshot(driver, "widget-plan.png")
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", warnings[0])
    screenshot(driver, "widget-plan-warnings.png")
    steps.append(
        f"plan en cartes : 1re priorité « {titles[0]} », citation « {quoted[:50]}… » — "
        f"{section} ; {len(warnings)} points de vigilance ; {len(received)} messages du bot, "
        "aucun en double"
    )

    # Reload: the panel, the history and the conversation come back.
    messages_before = len(widget(driver, ".aw-msg"))
    driver.refresh()
    open_launcher(driver)
    wait(driver, lambda d: widget(d, ".aw-plan"), 15, "historique perdu au rechargement")
    assert len(widget(driver, ".aw-msg")) == messages_before
    assert OPENING in user_texts(driver)
    before = len(widget(driver, ".aw-bot"))
    type_message(driver, "merci")
    texts = wait_for_new_bot_message(driver, before)
    assert not any("Question" in t for t in texts[before:]), texts[before:]
    steps.append("rechargement : historique retrouvé, « merci » reçoit une réponse hors formulaire")

    # The report: its link, given in the widget, opens the page with the plan and its quotes.
    before = len(widget(driver, ".aw-bot"))
    type_message(driver, "je voudrais le rapport")
    wait_for_new_bot_message(driver, before)
    links = wait(
        driver,
        lambda d: [
            a for a in widget(d, "a.aw-link") if "/rapport/" in (a.get_attribute("href") or "")
        ],
        message="pas de lien de rapport",
    )
    report_url = links[0].get_attribute("href")
    driver.get(report_url)
    page = wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").text, 30)
    assert titles[0] in page and quoted in page, page[:500]
    screenshot(driver, "widget-report.png")
    driver.back()
    open_launcher(driver)
    steps.append(
        "lien du rapport donné dans le widget : la page contient la 1re priorité et la citation"
    )

    # Typed HTML stays text: no element, no script.
    before = len(widget(driver, ".aw-bot"))
    type_message(driver, INJECTION)
    wait_for_new_bot_message(driver, before)
    assert INJECTION in user_texts(driver)
    assert driver.find_elements(By.CSS_SELECTOR, "#advisor-widget img") == []
    assert no_alert(driver)
    driver.refresh()
    open_launcher(driver)
    wait(driver, lambda d: INJECTION in user_texts(d), 15)
    assert driver.find_elements(By.CSS_SELECTOR, "#advisor-widget img") == []
    assert no_alert(driver)
    steps.append(f"« {INJECTION} » affiché comme texte, aucun élément img, aucune alerte")
    screenshot(driver, "widget-injection.png")

    # Phone width.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 375, "height": 740, "deviceScaleFactor": 2, "mobile": True},
    )
    try:
        driver.refresh()
        open_launcher(driver)
        panel = widget(driver, ".aw-panel")[0]
        wait(driver, lambda d: widget(d, ".aw-plan"), 15)
        width = driver.execute_script("return window.innerWidth")
        assert width == 375
        rect = driver.execute_script("return arguments[0].getBoundingClientRect().toJSON()", panel)
        assert rect["left"] >= 0 and rect["right"] <= width + 0.5, rect
        overflow = driver.execute_script("return document.documentElement.scrollWidth")
        assert overflow <= width, f"défilement horizontal : {overflow} px"
        field = widget(driver, "#aw-input")[0]
        assert field.is_displayed()
        field_rect = driver.execute_script(
            "return arguments[0].getBoundingClientRect().toJSON()", field
        )
        assert field_rect["bottom"] <= 740, field_rect
        screenshot(driver, "widget-phone.png")
        driver.execute_script(
            "arguments[0].scrollIntoView({block: 'start'})", widget(driver, ".aw-plan")[0]
        )
        screenshot(driver, "widget-phone-plan.png")
        steps.append("largeur téléphone (375 px) : panneau plein écran, champ visible")
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # Nothing the page loads is blocked by its Content-Security-Policy.
    console = [entry["message"] for entry in driver.get_log("browser")]
    assert not [m for m in console if "Content Security Policy" in m], console
    with capsys.disabled():
        print("\nÉtapes du test navigateur :")
        for number, step in enumerate(steps, 1):
            print(f"  {number}. {step}")
        print(f"Captures : {ARTIFACTS}/widget-*.png")
