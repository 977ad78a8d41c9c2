"""The plan as a report: an HTML page (Jinja2) and the same page as a PDF (WeasyPrint).

The report shows what the chat cannot: the whole profile as understood, then what fits the
situation (``plan``: every priority with its reasons and first steps; ``nothing_urgent``: nothing
requires outsourcing now, the article's closing question; ``steering``: how to steer the provider
already in place), what to keep in-house, the warnings, the trajectory as a timeline, the field
case, what is missing, and every quoted sentence of the article with its section. A part with
nothing in it is not shown. Fixed French text lives in ``templates/report.html.j2``; labels of
services, signals and warnings and the situations' texts come from the knowledge content.
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


def _sources(
    advice: Mapping[str, Any],
    *,
    closing: Mapping[str, Any] | None,
    steering_intro: Mapping[str, Any] | None,
    steering: Sequence[Mapping[str, Any]],
    trajectory_source: Mapping[str, str] | None,
) -> list[dict]:
    """Every quoted source of the report, once each, in the page's reading order."""
    found: list[Mapping[str, str]] = [p["source"] for p in advice["priorities"]]
    if closing:
        found.append(closing["source"])
    if steering_intro:
        found.append(steering_intro["source"])
    found += [item["source"] for item in steering]
    found += [item["source"] for item in advice["keep_in_house"]]
    found += [warning["source"] for warning in advice["warnings"]]
    if trajectory_source:
        found.append(trajectory_source)
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
    # Payloads stored before the situations existed have none of these keys: a plan.
    situation = advice.get("situation") or "plan"
    steering: list[Mapping[str, Any]] = list(advice.get("steering") or [])
    closing = advice.get("closing_question")
    steering_intro = kb.documents["situations"]["steering"] if situation == "steering" else None
    trajectory_source = None
    if advice["trajectory"]:
        trajectory_source = kb.documents.get("trajectory", {}).get("sources", {}).get("progressive")
    clear = list(profile.get("pain_points") or [])
    possible = [
        signal["id"]
        for signal in advice.get("signals") or []
        if signal.get("evidence") == "possible" and signal["id"] not in clear
    ]
    environment = _environment().overlay()
    environment.filters["title_of"] = lambda service: service_titles.get(service, service)
    missing_names = [kb.labels["field_labels"].get(name, name) for name in advice["missing"]]
    template = environment.get_template("report.html.j2")
    return template.render(
        profile=profile,
        advice=advice,
        situation=situation,
        steering=steering,
        steering_intro=steering_intro,
        closing=closing,
        created_at=created_at,
        expires_at=expires_at,
        pdf_url=pdf_url,
        pain_points=[signal_labels.get(item, item) for item in clear],
        possible_pain_points=[signal_labels.get(item, item) for item in possible],
        signal_labels_of=lambda ids: join_list(
            kb, [signal_labels[item] for item in ids if item in signal_labels]
        ),
        join=lambda items, names: join_list(kb, [names.get(item, item) for item in items]),
        service_titles=service_titles,
        warning_titles={warning.id: warning.title for warning in kb.warnings},
        trajectory_source=trajectory_source,
        missing=join_list(kb, missing_names) if missing_names else "",
        sources=_sources(
            advice,
            closing=closing,
            steering_intro=steering_intro,
            steering=steering,
            trajectory_source=trajectory_source,
        ),
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
