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
