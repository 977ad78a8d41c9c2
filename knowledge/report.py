"""The plan as a report: an HTML page (Jinja2) and the same page as a PDF (WeasyPrint).

The report shows what the chat cannot: the whole profile as understood, every priority with its
reasons and first steps, what to keep in-house, the warnings, the trajectory as a timeline, the
field case, what is missing, and every quoted sentence of the article with its section. Fixed
French text lives in ``templates/report.html.j2``; labels of services, signals and warnings come
from the knowledge content.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .advisor import join_list
from .base import get_knowledge_base

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=False,
    )


def _sources(advice: Mapping[str, Any], extra: Sequence[Mapping[str, str]]) -> list[dict]:
    """Every quoted source of the plan, once each, in reading order."""
    found: list[Mapping[str, str]] = [p["source"] for p in advice["priorities"]]
    found += [item["source"] for item in advice["keep_in_house"]]
    found += [warning["source"] for warning in advice["warnings"]]
    found += list(extra)
    if advice.get("field_case"):
        found.append(advice["field_case"]["source"])
    unique: dict[tuple[str, str], dict] = {}
    for source in found:
        unique.setdefault((source["quote"], source["section"]), dict(source))
    return list(unique.values())


def render_report_html(
    *,
    profile: Mapping[str, Any],
    advice: Mapping[str, Any],
    created_at: datetime,
    expires_at: datetime | None = None,
    pdf_url: str | None = None,
) -> str:
    kb = get_knowledge_base()
    signal_labels = {signal.id: signal.label for signal in kb.signals}
    service_titles = {service.id: service.title for service in kb.services}
    trajectory_source = kb.documents.get("trajectory", {}).get("sources", {}).get("progressive")
    environment = _environment().overlay()
    environment.filters["title_of"] = lambda service: service_titles.get(service, service)
    missing_names = [kb.labels["field_labels"].get(name, name) for name in advice["missing"]]
    template = environment.get_template("report.html.j2")
    return template.render(
        profile=profile,
        advice=advice,
        created_at=created_at,
        expires_at=expires_at,
        pdf_url=pdf_url,
        pain_points=[signal_labels.get(item, item) for item in profile.get("pain_points") or []],
        signal_labels_of=lambda ids: join_list(
            kb, [signal_labels[item] for item in ids if item in signal_labels]
        ),
        service_titles=service_titles,
        warning_titles={warning.id: warning.title for warning in kb.warnings},
        trajectory_source=trajectory_source,
        missing=join_list(kb, missing_names) if missing_names else "",
        sources=_sources(advice, [trajectory_source] if trajectory_source else []),
    )


def render_report_pdf(html: str) -> bytes:
    """The same page as an A4 PDF (fonts from the system: DejaVu, hyphenation in French)."""
    from weasyprint import HTML  # heavy import (Pango), only when a PDF is asked for

    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def render_lead_text(
    *,
    name: str,
    email: str,
    consent_text: str,
    consented_at: datetime,
    plan: Mapping[str, Any] | None,
) -> str:
    """The plain-text body of a lead sent to the consultants (e-mail)."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=False)
    return environment.get_template("lead.txt.j2").render(
        name=name, email=email, consent_text=consent_text, consented_at=consented_at, plan=plan
    )
