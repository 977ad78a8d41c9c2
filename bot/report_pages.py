"""`/rapport/<token>` and `/rapport/<token>.pdf`: the report of one conversation, by its link.

The widget page's server calls ``report_response(path)`` for paths under ``/rapport/``. The token
is 256 random bits; a malformed, unknown or expired one gets a French page (404 or 410), and any
unexpected failure a French 500 page: never a traceback. Pages are not cached or indexed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from html import escape

from bot.settings import get_settings

logger = logging.getLogger(__name__)

PREFIX = "/rapport/"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:"DejaVu Sans",Arial,sans-serif;max-width:640px;margin:48px auto;
padding:0 20px;color:#1d2733;line-height:1.5}}h1{{color:#12355b;font-size:1.4em}}</style>
</head><body><h1>{title}</h1><p>{text}</p></body></html>
"""

# Fixed French text of the error pages (status -> title, explanation).
ERRORS = {
    404: (
        "Rapport introuvable",
        "Ce lien de rapport n’existe pas ou a été mal copié. Vérifiez l’adresse complète, ou "
        "demandez un nouveau lien au conseiller en tapant « rapport » dans la conversation.",
    ),
    410: (
        "Ce lien de rapport a expiré",
        "Pour protéger vos informations, les liens de rapport ne sont valables que quelques "
        "jours. Retournez dans la conversation et tapez « rapport » pour en obtenir un nouveau.",
    ),
    500: (
        "Rapport momentanément indisponible",
        "Le rapport n’a pas pu être préparé. Réessayez dans quelques instants ; si le problème "
        "persiste, demandez un nouveau lien au conseiller.",
    ),
}


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def error_page(status: int) -> Response:
    title, text = ERRORS[status]
    body = _PAGE.format(title=escape(title), text=escape(text)).encode("utf-8")
    return Response(status, "text/html; charset=utf-8", body, _private_headers())


def _private_headers() -> dict[str, str]:
    return {
        # The report is one self-contained page: its own styles, no script, nothing fetched.
        "Content-Security-Policy": (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'"
        ),
        "Cache-Control": "no-store",
        "X-Robots-Tag": "noindex, nofollow",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


def handles(path: str) -> bool:
    return path.split("?", 1)[0].startswith(PREFIX)


def report_response(path: str) -> Response:
    """The report page, its PDF, or a French error page; never raises."""
    try:
        return _report_response(path.split("?", 1)[0])
    except Exception:
        logger.exception("report page failed")
        return error_page(500)


def _report_response(path: str) -> Response:
    from knowledge.records import find_report, records_session
    from knowledge.report import render_report_html, render_report_pdf

    name = path[len(PREFIX) :]
    want_pdf = name.endswith(".pdf")
    token = name[: -len(".pdf")] if want_pdf else name
    if not _TOKEN.match(token):
        return error_page(404)
    with records_session() as session:
        found = find_report(session=session, token=token)
    if found.expired:
        return error_page(410)
    if found.plan is None or found.link is None:
        return error_page(404)
    html = render_report_html(
        profile=found.plan.profile,
        advice=found.plan.advice,
        created_at=found.plan.created_at,
        expires_at=found.link.expires_at,
        pdf_url=None if want_pdf else f"{PREFIX}{token}.pdf",
    )
    headers = _private_headers()
    if want_pdf:
        day = found.plan.created_at.strftime("%Y-%m-%d")
        headers["Content-Disposition"] = f'inline; filename="plan-externalisation-{day}.pdf"'
        return Response(200, "application/pdf", render_report_pdf(html), headers)
    return Response(200, "text/html; charset=utf-8", html.encode("utf-8"), headers)


def report_url(token: str, *, pdf: bool = False) -> str:
    """Absolute link of a report, from WIDGET_PUBLIC_URL or the widget page's address."""
    return f"{get_settings().report_base_url}{PREFIX}{token}{'.pdf' if pdf else ''}"
