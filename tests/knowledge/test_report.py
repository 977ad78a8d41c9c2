"""The report as HTML and PDF: everything the plan says, the article's sentences, French intact."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest
from pypdf import PdfReader

from knowledge import recommend
from knowledge.report import render_lead_text, render_report_html, render_report_pdf

# The typical opening of COMMON.md, as the engine profile it gives.
PROFILE = {
    "headcount": 45,
    "sector": "industry",
    "multi_site": True,
    "it_staff": "non_specialist",
    "digital_dependency": None,
    "trigger": None,
    "motive": None,
    "scope_wish": None,
    "pain_points": ["server_instability", "backup_doubt", "key_person_dependency"],
}
CREATED = datetime(2026, 11, 27, 10, 30, tzinfo=timezone.utc)
# From the article (section and sentence quoted for servers and backups).
INFRA_SECTION = "Infrastructure, serveurs et continuité d’activité"
INFRA_QUOTE = (
    "La gestion des serveurs, des sauvegardes et de la disponibilité nécessite une vigilance "
    "constante."
)


@pytest.fixture(scope="module")
def advice() -> dict:
    return recommend(PROFILE)


@pytest.fixture(scope="module")
def html(advice: dict) -> str:
    return render_report_html(
        profile=PROFILE,
        advice=advice,
        created_at=CREATED,
        expires_at=CREATED + timedelta(days=30),
        pdf_url="/rapport/abc.pdf",
    )


def visible_text(html: str) -> str:
    body = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_the_report_has_every_part_of_the_plan(html: str, advice: dict) -> None:
    text = visible_text(html)
    assert '<html lang="fr">' in html
    assert "Établi le 27 novembre 2026" in text
    assert "valable jusqu’au 27 décembre 2026" in text
    # The profile as understood, in French, unknowns said as such.
    assert "45 personnes" in text and "Industrie" in text and "Plusieurs sites" in text
    assert "Un salarié non spécialiste" in text and "non précisé" in text
    # Priorities in order, with their reasons; what to keep; warnings; the trajectory.
    positions = [text.index(p["title"]) for p in advice["priorities"]]
    assert positions == sorted(positions)
    assert advice["priorities"][0]["service"] == "infrastructure"
    assert INFRA_SECTION in text and INFRA_QUOTE in text
    for why in advice["priorities"][0]["why"]:
        assert why in text
    assert "À garder en interne" in text and "Gouvernance" in text
    for warning in advice["warnings"]:
        assert warning["text"] in text
    assert html.count('<span class="dot">') == len(advice["trajectory"]) >= 2
    assert 'href="/rapport/abc.pdf"' in html


def test_every_quote_is_shown_with_its_section_and_is_in_the_article(
    html: str, advice: dict, article: str
) -> None:
    text = visible_text(html)
    sources = [p["source"] for p in advice["priorities"]]
    sources += [w["source"] for w in advice["warnings"]]
    sources += [k["source"] for k in advice["keep_in_house"]]
    if advice["field_case"]:
        sources.append(advice["field_case"]["source"])
    for source in sources:
        assert f"« {source['quote']} » — {source['section']}" in text
        assert " ".join(source["quote"].split()) in " ".join(article.split())


def test_user_text_is_escaped(advice: dict) -> None:
    hostile = {**PROFILE, "headcount": "<script>alert(1)</script>"}
    page = render_report_html(profile=hostile, advice=advice, created_at=CREATED)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "Télécharger en PDF" not in page  # no PDF link when none is given


def test_a_plan_without_field_case_or_warnings_still_renders(advice: dict) -> None:
    bare = {**advice, "field_case": None, "warnings": [], "missing": []}
    page = visible_text(render_report_html(profile={}, advice=bare, created_at=CREATED))
    assert "Un cas réel" not in page and "Points de vigilance" not in page
    assert "aucune décrite" in page


def test_the_pdf_keeps_the_accents_and_the_quotes(html: str, advice: dict) -> None:
    pdf = render_report_pdf(html)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    text = text.replace("- ", "")  # hyphenation at line ends
    assert 2 <= len(reader.pages) <= 12
    assert "Plan d’externalisation informatique" in text
    assert "Infrastructure, serveurs et continuité d’activité" in text
    assert "vigilance constante" in text and "«" in text
    assert "Page 1 sur" in text


# Nothing goes wrong: an IT team in-house, no provider, no emergency, no difficulty described.
CALM_PROFILE = {
    "headcount": 30,
    "sector": "services",
    "it_staff": "it_team",
    "current_provider": "none",
    "trigger": "none",
    "pain_points": [],
}
# Everything is already with a provider, and it costs and binds them.
OUTSOURCED_PROFILE = {
    "headcount": 80,
    "current_provider": "full",
    "pain_points": ["cost_pressure", "provider_dependency"],
}
# The article's closing question, and the sentences on steering a provider (with their sections).
CLOSING_SECTION = "Comment prioriser les services à externaliser dans votre entreprise"
CLOSING_QUOTE = (
    "La bonne question n’est pas “qu’est-ce qu’on peut externaliser ?” mais “qu’est-ce qui "
    "fragilise aujourd’hui notre activité ?”"
)
GOVERNANCE_SECTION = "Gouvernance, arbitrage et vision stratégique"
DEPENDENCY_SECTION = "Le danger d’une dépendance excessive"
STEERING_QUOTES = [
    (DEPENDENCY_SECTION, "Ce n’est pas un problème de compétence, mais de pilotage."),
    (
        DEPENDENCY_SECTION,
        "Une externalisation mal cadrée peut créer une dépendance forte à un prestataire unique, "
        "sans documentation ni visibilité.",
    ),
    (
        "Faire évoluer le périmètre dans le temps",
        "L’efficacité réside dans la capacité à faire évoluer le périmètre, pas à figer un "
        "contrat.",
    ),
]
PRIORITIES_HEADING = "Les services à externaliser en priorité"


def page_of(profile: dict) -> tuple[dict, str]:
    advice = recommend(profile)
    return advice, render_report_html(profile=profile, advice=advice, created_at=CREATED)


def payload_sources(advice: dict) -> list[dict]:
    sources = [p["source"] for p in advice["priorities"]]
    sources += [item["source"] for item in advice["steering"]]
    sources += [w["source"] for w in advice["warnings"]]
    sources += [k["source"] for k in advice["keep_in_house"]]
    if advice["closing_question"]:
        sources.append(advice["closing_question"]["source"])
    if advice["field_case"]:
        sources.append(advice["field_case"]["source"])
    return sources


def test_nothing_urgent_says_so_with_the_closing_question_and_no_priorities(
    article: str,
) -> None:
    advice, html = page_of(CALM_PROFILE)
    assert advice["situation"] == "nothing_urgent"
    text = visible_text(html)
    assert "Rien n’impose d’externaliser maintenant" in text
    assert advice["closing_question"]["text"] in text
    # The closing question quoted with its section, in the plan and in the sources.
    assert f"« {CLOSING_QUOTE} » {CLOSING_SECTION}" in text
    assert f"« {CLOSING_QUOTE} » — {CLOSING_SECTION}" in text
    # What to keep in-house is still said; nothing is to be outsourced, so no such part.
    assert "À garder en interne" in text and GOVERNANCE_SECTION in text
    assert PRIORITIES_HEADING not in text and 'id="priorities"' not in html
    assert "Trajectoire proposée" not in text and "Points de vigilance" not in text
    assert "Un cas réel" not in text
    # The profile as understood: no provider, no emergency.
    assert "Prestataire actuel Aucun : tout est géré en interne" in text
    assert "Urgence Pas d’urgence" in text and "30 personnes" in text
    for source in payload_sources(advice):
        assert f"« {source['quote']} » — {source['section']}" in text
        assert " ".join(source["quote"].split()) in " ".join(article.split())


def test_steering_shows_how_to_steer_the_provider_instead_of_priorities(article: str) -> None:
    advice, html = page_of(OUTSOURCED_PROFILE)
    assert advice["situation"] == "steering"
    text = visible_text(html)
    assert "Piloter votre prestataire plutôt qu’externaliser davantage" in text
    assert "la réponse n’est pas d’externaliser davantage, mais de mieux piloter" in text
    assert PRIORITIES_HEADING not in text and "Trajectoire proposée" not in text
    assert "Reprenez la documentation et les accès" in text
    positions = [text.index(item["title"]) for item in advice["steering"]]
    assert positions == sorted(positions) and len(positions) == 3
    for item in advice["steering"]:
        assert item["text"] in text
    # Each steering sentence of the article, with its section, under its point and in the
    # sources.
    for section, quote in STEERING_QUOTES:
        assert f"« {quote} » {section}" in text
        assert f"« {quote} » — {section}" in text
    for source in payload_sources(advice):
        assert f"« {source['quote']} » — {source['section']}" in text
        assert " ".join(source["quote"].split()) in " ".join(article.split())
    assert "Prestataire actuel Tout est confié à un prestataire" in text
    assert "la pression sur vos coûts informatiques" in text
    assert "À garder en interne" in text


def test_the_steering_pdf_keeps_the_accents_and_the_quotes() -> None:
    _, html = page_of(OUTSOURCED_PROFILE)
    reader = PdfReader(io.BytesIO(render_report_pdf(html)))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    text = text.replace("- ", "")  # hyphenation at line ends
    assert 1 <= len(reader.pages) <= 8
    assert "Piloter votre prestataire plutôt qu’externaliser davantage" in text
    assert "Prestataire actuel" in text and "Tout est confié à un prestataire" in text
    assert "« Ce n’est pas un problème de compétence, mais de pilotage. »" in text
    assert "Faire évoluer le périmètre dans le temps" in text
    assert PRIORITIES_HEADING not in text


def test_a_targeted_scope_names_its_services_in_french() -> None:
    profile = {
        "it_staff": "cio",
        "scope_wish": "targeted",
        "scope_services": ["security", "monitoring"],
        "pain_points": [],
        "possible_pain_points": ["backup_doubt"],
    }
    _, html = page_of(profile)
    text = visible_text(html)
    assert "Ampleur souhaitée Un périmètre ciblé : la sécurité et la supervision" in text
    assert "Qui gère l’informatique Un DSI" in text
    # A signal only glimpsed is shown as such, apart from the difficulties described.
    assert "Difficultés évoquées aucune décrite" in text
    assert "Peut-être aussi, à confirmer des doutes sur vos sauvegardes" in text


def test_a_plan_with_a_provider_already_there_adds_the_steering_points() -> None:
    profile = {
        "headcount": 40,
        "current_provider": "partial",
        "pain_points": ["server_instability", "cost_pressure"],
    }
    advice, html = page_of(profile)
    assert advice["situation"] == "plan" and advice["steering"]
    text = visible_text(html)
    assert PRIORITIES_HEADING in text
    assert "Pour ce qui est déjà confié à un prestataire : le piloter" in text
    assert text.index(PRIORITIES_HEADING) < text.index("Reprenez la documentation et les accès")
    assert "Prestataire actuel Une partie est déjà confiée à un prestataire" in text


def test_a_payload_stored_before_the_situations_still_renders_as_a_plan(advice: dict) -> None:
    old = {
        key: value
        for key, value in advice.items()
        if key not in ("situation", "signals", "steering", "closing_question")
    }
    text = visible_text(render_report_html(profile=PROFILE, advice=old, created_at=CREATED))
    assert PRIORITIES_HEADING in text and "Rien n’impose" not in text
    assert "Piloter votre prestataire" not in text


def test_the_lead_text_names_the_person_the_consent_and_the_plan(advice: dict) -> None:
    body = render_lead_text(
        name="Éloïse Dupré",
        email="eloise@exemple.fr",
        consent_text="Acceptez-vous que ces informations soient transmises ?",
        consented_at=CREATED,
        plan=advice,
    )
    assert "Éloïse Dupré" in body and "eloise@exemple.fr" in body
    assert "27/11/2026 à 10:30" in body and "Acceptez-vous" in body
    assert f"1. {advice['priorities'][0]['title']}" in body


def test_the_lead_text_of_a_firm_with_nothing_urgent_says_so() -> None:
    body = render_lead_text(
        name="Jean Martin",
        email="jean@exemple.fr",
        consent_text="Acceptez-vous ?",
        consented_at=CREATED,
        plan=recommend({"pain_points": [], "digital_dependency": "low"}),
    )
    assert "Priorités du plan" not in body
    assert "rien n’impose d’externaliser maintenant" in body
