"""The advice payload (CONTRACT.md) as Slack blocks and as a Teams Adaptive Card."""

from __future__ import annotations

import json
from typing import Any

import pytest

import knowledge
from bot import cards

QUOTE_INFRA = (
    "La gestion des serveurs, des sauvegardes et de la disponibilité nécessite une vigilance "
    "constante."
)
QUOTE_GOV = (
    "La gouvernance — même légère — doit rester côté client : priorités, arbitrages, alignement "
    "avec la stratégie métier."
)


def priority(rank: int, service: str, title: str, why: list[str]) -> dict:
    return {
        "rank": rank,
        "service": service,
        "title": title,
        "why": why,
        "because_of": ["server_instability"],
        "first_steps": [f"Étape A de {service}", f"Étape B de {service}"],
        "source": {"section": title, "quote": QUOTE_INFRA},
    }


PAYLOAD: dict[str, Any] = {
    "type": "advice",
    "version": 1,
    "priorities": [
        priority(
            1,
            "infrastructure",
            "Infrastructure, serveurs et continuité d’activité",
            ["Vos serveurs tombent.", "Vos sauvegardes ne sont pas vérifiées."],
        ),
        priority(
            2,
            "monitoring",
            "Supervision, maintenance proactive et prévention",
            ["Des pannes à répétition se préviennent."],
        ),
        priority(
            3,
            "security",
            "Sécurité informatique et gestion des risques",
            ["Des sauvegardes fiables protègent du rançongiciel."],
        ),
        priority(
            4,
            "user_support",
            "Support utilisateur et gestion du poste de travail",
            ["Support à distance pour deux sites."],
        ),
    ],
    "keep_in_house": [
        {
            "service": "governance",
            "why": "Gardez la décision.",
            "source": {
                "section": "Gouvernance, arbitrage et vision stratégique",
                "quote": QUOTE_GOV,
            },
        }
    ],
    "warnings": [
        {
            "id": "keep_governance",
            "text": "Désignez un référent.",
            "because_of": ["it_staff"],
            "source": {
                "section": "Gouvernance, arbitrage et vision stratégique",
                "quote": QUOTE_GOV,
            },
        },
        {
            "id": "provider_dependency",
            "text": "Exigez la documentation.",
            "because_of": [],
            "source": {"section": "Le danger d'une dépendance excessive", "quote": "Q2."},
        },
        {
            "id": "cost_only",
            "text": "Pas seulement les coûts.",
            "because_of": [],
            "source": {"section": "S", "quote": "Q3."},
        },
    ],
    "trajectory": [{"phase": 1, "services": ["infrastructure"], "text": "D’abord les serveurs."}],
    "field_case": {
        "id": "poorly_framed",
        "title": "Cas réel",
        "text": "Un cas.",
        "source": {"section": "Cas réel", "quote": "Q4."},
    },
    "missing": [],
}


def slack_text(blocks: list[dict]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if isinstance(b.get("text"), dict))


def test_slack_summary_is_short_first() -> None:
    blocks = cards.slack_plan_summary(PAYLOAD)
    text = slack_text(blocks)
    assert blocks[0]["type"] == "header"
    assert "Infrastructure, serveurs" in text and "Vos serveurs tombent." in text
    assert "Vos sauvegardes ne sont pas vérifiées." not in text  # one reason each
    assert "Support utilisateur" not in text  # top three only
    assert "Désignez un référent." in text and "Exigez la documentation." in text
    assert "Pas seulement les coûts." not in text  # the main warnings only
    assert "Gouvernance, arbitrage et vision stratégique" in text
    assert QUOTE_INFRA not in text


def test_slack_detail_has_everything_with_quotes() -> None:
    messages = cards.slack_plan_detail(PAYLOAD)
    text = "\n".join(slack_text(blocks) for blocks in messages)
    for p in PAYLOAD["priorities"]:
        assert p["title"] in text
        assert all(reason in text for reason in p["why"])
        assert all(step in text for step in p["first_steps"])
    assert QUOTE_INFRA in text and QUOTE_GOV in text
    assert "Pas seulement les coûts." in text and "D’abord les serveurs." in text
    assert all(len(blocks) <= 50 for blocks in messages)


def test_slack_limits_and_escaping_hold_on_huge_or_hostile_content() -> None:
    payload = json.loads(json.dumps(PAYLOAD))
    payload["priorities"] = [
        priority(n, "security", f"<script>alert({n})</script>", ["x" * 5000]) for n in range(80)
    ]
    summary = cards.slack_plan_summary(payload)
    detail = cards.slack_plan_detail(payload)
    for blocks in [summary, *detail]:
        assert len(blocks) <= 50
        for block in blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000
    assert "<script>" not in slack_text(summary)
    assert "&lt;script&gt;" in slack_text(summary)
    assert sum(len(b) for b in detail) > 80  # nothing dropped: spread over several messages


def test_twelve_slack_buttons_in_rows_of_five() -> None:
    buttons = [{"title": f"B{n}", "payload": f"/p{n}"} for n in range(12)]
    rows = cards.slack_buttons(buttons)
    assert [len(row["elements"]) for row in rows] == [5, 5, 2]
    assert [e["value"] for row in rows for e in row["elements"]] == [b["payload"] for b in buttons]


def walk(element: object) -> list[dict]:
    found = []
    if isinstance(element, dict):
        if "type" in element:
            found.append(element)
        for value in element.values():
            found.extend(walk(value))
    elif isinstance(element, list):
        for value in element:
            found.extend(walk(value))
    return found


def test_teams_card_is_short_with_the_detail_behind_show_card() -> None:
    card = cards.teams_plan_card(PAYLOAD)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    body_text = " ".join(e.get("text", "") for e in walk(card["body"]))
    facts = " ".join(
        f["title"] + f["value"] for e in walk(card["body"]) for f in e.get("facts", [])
    )
    assert "Vos serveurs tombent." in body_text
    assert "Vos sauvegardes ne sont pas vérifiées." not in body_text
    assert "Support utilisateur" not in body_text
    assert "Pas seulement les coûts." not in body_text
    assert "Gouvernance, arbitrage et vision stratégique" in facts
    (show,) = card["actions"]
    assert show["type"] == "Action.ShowCard"
    detail = " ".join(e.get("text", "") for e in walk(show["card"]))
    assert QUOTE_INFRA in detail and "Étape B de user_support" in detail
    assert "Pas seulement les coûts." in detail


def test_payload_of_the_wrong_shape_gives_an_empty_but_valid_plan() -> None:
    broken = {"type": "advice", "priorities": "x", "warnings": [1, None], "keep_in_house": None}
    assert cards.slack_plan_summary(broken)[0]["type"] == "header"
    assert cards.teams_plan_card(broken)["type"] == "AdaptiveCard"
    assert cards.slack_plan_detail(broken)


# Real engine payloads (knowledge.recommend) for the situations other than a plan; the expected
# French comes from the article and CONTRACT.md, not from the engine's output.
NOTHING_URGENT: dict[str, Any] = {"pain_points": []}
STEERING: dict[str, Any] = {"headcount": 40, "current_provider": "full", "pain_points": []}
PARTIAL: dict[str, Any] = {
    "headcount": 40,
    "current_provider": "partial",
    "pain_points": ["cost_pressure", "server_instability"],
}
# The article's closing question and its section.
CLOSING_QUOTE = (
    "La bonne question n’est pas “qu’est-ce qu’on peut externaliser ?” mais “qu’est-ce qui "
    "fragilise aujourd’hui notre activité ?”"
)
CLOSING_SECTION = "Comment prioriser les services à externaliser dans votre entreprise"
QUOTE_SCOPE = (
    "L’efficacité réside dans la capacité à faire évoluer le périmètre, pas à figer un contrat."
)
# Teams refuses a bot message above about 28 KB.
TEAMS_MESSAGE_MAX = 28_000


def slack_views(profile: dict[str, Any]) -> tuple[str, str]:
    """Text of the short message and of the detail thread, after checking Block Kit's limits."""
    payload = knowledge.recommend(profile)
    summary = cards.slack_plan_summary(payload)
    detail = cards.slack_plan_detail(payload)
    for blocks in [summary, *detail]:
        assert 0 < len(blocks) <= cards.SLACK_BLOCKS_MAX
        for block in blocks:
            text = block.get("text", {}).get("text", "")
            limit = cards.SLACK_HEADER_MAX if block["type"] == "header" else cards.SLACK_SECTION_MAX
            assert len(text) <= limit
            assert block["type"] == "divider" or text.strip()  # no empty block
    return slack_text(summary), "\n".join(slack_text(blocks) for blocks in detail)


def test_slack_nothing_urgent_says_so_with_the_closing_question_on_demand() -> None:
    summary, detail = slack_views(NOTHING_URGENT)
    payload = knowledge.recommend(NOTHING_URGENT)
    assert summary.startswith("Rien d’urgent à externaliser")
    assert "rien n’impose d’externaliser maintenant" in summary
    assert "Gouvernance, arbitrage et vision stratégique" in summary  # what to keep in-house
    assert "Par quoi commencer" not in summary  # no empty priorities heading
    assert CLOSING_QUOTE not in summary  # the article's question in the detail
    assert CLOSING_QUOTE in detail and CLOSING_SECTION in detail
    assert "Trajectoire" not in detail and "Un cas proche" not in detail  # empty, null
    assert "priorité par priorité" not in detail
    assert cards.slack_plan_fallback(payload) == "Rien d’urgent à externaliser"


def test_slack_steering_shows_the_points_instead_of_priorities() -> None:
    summary, detail = slack_views(STEERING)
    assert summary.startswith("Piloter votre prestataire")
    assert "pas d’externaliser davantage, mais de mieux piloter" in summary
    assert "Reprenez la documentation et les accès" in summary
    assert "accès administrateur" in summary  # title and text of each point
    assert "Faites évoluer le périmètre" in summary
    assert "Par quoi commencer" not in summary
    assert QUOTE_SCOPE not in summary and QUOTE_SCOPE in detail
    assert "Faire évoluer le périmètre dans le temps" in detail  # the quote's section
    assert "Trajectoire" not in detail


def test_slack_plan_with_a_provider_already_there_names_the_steering_points() -> None:
    summary, detail = slack_views(PARTIAL)
    assert summary.startswith("Votre plan d’externalisation")
    assert "Par quoi commencer" in summary and "1. Infrastructure" in summary
    assert "déjà confié à un prestataire : pilotez-le" in summary
    assert "Reprenez la documentation et les accès" in summary
    assert "accès administrateur" not in summary  # short first: the titles only
    assert "accès administrateur" in detail and QUOTE_SCOPE in detail
    assert "Trajectoire" in detail


def teams_views(profile: dict[str, Any]) -> tuple[str, str]:
    """Text of the card's body and of its detail, after checking the card's shape and size."""
    card = cards.teams_plan_card(knowledge.recommend(profile))
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert len(json.dumps(cards.attachment(card)).encode()) < TEAMS_MESSAGE_MAX
    blocks = [e for e in walk(card) if e["type"] == "TextBlock"]
    assert all(e["text"].strip() for e in blocks)  # no empty text block
    (show,) = card["actions"]
    assert show["type"] == "Action.ShowCard"
    body = " ".join(e.get("text", "") for e in walk(card["body"]))
    body += " ".join(
        f["title"] + f["value"] for e in walk(card["body"]) for f in e.get("facts", [])
    )
    return body, " ".join(e.get("text", "") for e in walk(show["card"]))


@pytest.mark.parametrize("profile", [NOTHING_URGENT, STEERING], ids=["nothing_urgent", "steering"])
def test_teams_cards_of_the_other_situations(profile: dict[str, Any]) -> None:
    body, detail = teams_views(profile)
    assert "Par quoi commencer" not in body and "Votre plan d’externalisation" not in body
    assert "Gouvernance, arbitrage et vision stratégique" in body
    assert "Trajectoire" not in body + detail
    if profile is NOTHING_URGENT:
        assert body.startswith("Rien d’urgent à externaliser")
        assert "rien n’impose d’externaliser maintenant" in body
        assert CLOSING_QUOTE not in body and CLOSING_QUOTE in detail
        assert CLOSING_SECTION in detail
    else:
        assert body.startswith("Piloter votre prestataire")
        assert "Reprenez la documentation et les accès" in body
        assert "accès administrateur" in body
        assert QUOTE_SCOPE not in body and QUOTE_SCOPE in detail


def test_teams_plan_with_a_provider_already_there() -> None:
    body, detail = teams_views(PARTIAL)
    assert body.startswith("Votre plan d’externalisation")
    assert "Par quoi commencer" in body and "pilotez-le" in body
    assert "accès administrateur" not in body and "accès administrateur" in detail
