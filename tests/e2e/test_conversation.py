"""The diagnostic and question mode over the REST channel, actions included."""

import pytest

from knowledge.settings import article_path

pytestmark = pytest.mark.e2e

OPENING = (
    "Bonjour, nous sommes une PME industrielle de 45 personnes sur deux sites. Nos serveurs "
    "plantent souvent et personne ne vérifie les sauvegardes, tout repose sur notre comptable."
)


def advice_in(messages: list[dict]) -> dict | None:
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") == "advice":
            return custom
    return None


def test_newcomer_who_knows_nothing_more_gets_the_plan(running_bot) -> None:
    sender = "e2e-newcomer"
    transcript = running_bot.send(sender, OPENING)
    advice = advice_in(transcript)
    turns = 1
    while advice is None and turns < 8:
        replies = running_bot.send(sender, "je ne sais pas")
        transcript += replies
        advice = advice_in(replies)
        turns += 1
    texts = [m.get("text", "") for m in transcript]
    assert advice is not None, texts
    assert turns <= 6, f"{turns} tours avant le plan : {texts}"
    assert any("Question 1 sur" in text for text in texts), texts
    assert advice["priorities"][0]["service"] == "infrastructure"
    assert "server_instability" in advice["priorities"][0]["because_of"]
    assert {"keep_governance", "provider_dependency"} <= {w["id"] for w in advice["warnings"]}
    # Facts given in the opening paragraph are not reported as missing.
    assert "headcount" not in advice["missing"]
    assert "multi_site" not in advice["missing"]
    # The short plan went out as text too, with the detail buttons; « Pourquoi ? » gives the
    # reasons with the article's sentences (one turn after the plan).
    plan_text = "\n".join(texts)
    assert advice["priorities"][0]["title"] in plan_text
    assert "À garder en interne" in plan_text
    buttons = [b["title"] for m in transcript for b in m.get("buttons", [])]
    assert {"Pourquoi ?", "Les mises en garde", "Par où commencer"} <= set(buttons)
    why = running_bot.send(sender, '/ask_plan_detail{"plan_detail": "why"}')
    why_text = "\n".join(m.get("text", "") for m in why)
    assert advice["priorities"][0]["source"]["quote"] in why_text
    assert why_text.count("des doutes sur vos sauvegardes") == 1
    if article_path().is_file():
        article = article_path().read_text(encoding="utf-8")
        quotes = [p["source"]["quote"] for p in advice["priorities"]]
        quotes += [w["source"]["quote"] for w in advice["warnings"]]
        assert all(quote in article for quote in quotes)


def test_staff_question_is_answered_with_a_citation(running_bot) -> None:
    replies = running_bot.send("e2e-staff", "faut-il externaliser la sécurité ?")
    text = "\n".join(m.get("text", "") for m in replies)
    assert "sécurité" in text.lower(), text
    assert "«" in text, "la réponse doit citer l'article"
    assert advice_in(replies) is None
