"""/rapport/<token>: the report by its link, French error pages (404, 410, 500), never a trace."""

from __future__ import annotations

import os
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot import report_pages
from bot.settings import load_settings
from bot.widget_server import make_server
from knowledge import base, recommend, records

PROFILE = {"headcount": 45, "pain_points": ["server_instability", "backup_doubt"]}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    saved = os.environ.get("KNOWLEDGE_DATABASE_URL")
    path = tmp_path_factory.mktemp("pages") / "knowledge.db"
    os.environ["KNOWLEDGE_DATABASE_URL"] = f"sqlite:///{path}"
    base.reset_cache()
    yield
    base.reset_cache()
    if saved is None:
        os.environ.pop("KNOWLEDGE_DATABASE_URL", None)
    else:
        os.environ["KNOWLEDGE_DATABASE_URL"] = saved


@pytest.fixture(scope="module")
def token(database: None) -> str:
    with records.records_session() as session, session.begin():
        plan = records.save_plan(
            session=session, sender_id="pages", profile=PROFILE, advice=recommend(PROFILE)
        )
        return records.create_report_link(session=session, plan_id=plan.id, ttl_days=7).token


def test_the_report_page_and_its_pdf(token: str) -> None:
    page = report_pages.report_response(f"/rapport/{token}")
    assert page.status == 200 and page.content_type == "text/html; charset=utf-8"
    html = page.body.decode("utf-8")
    assert "Plan d’externalisation informatique" in html
    assert f'href="/rapport/{token}.pdf"' in html
    assert page.headers["Cache-Control"] == "no-store"
    assert "noindex" in page.headers["X-Robots-Tag"]
    pdf = report_pages.report_response(f"/rapport/{token}.pdf?download=1")
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF-")
    assert pdf.headers["Content-Disposition"].startswith("inline; filename=")


@pytest.mark.parametrize(
    "path",
    ["/rapport/", "/rapport/abc", "/rapport/" + "A" * 43, "/rapport/../../etc/passwd",
     "/rapport/" + "é" * 43, "/rapport/" + "A" * 43 + ".pdf"],
)  # fmt: skip
def test_a_missing_or_wrong_token_gets_the_french_404(database: None, path: str) -> None:
    page = report_pages.report_response(path)
    assert page.status == 404
    body = page.body.decode("utf-8")
    assert "<h1>Rapport introuvable</h1>" in body and 'lang="fr"' in body


def test_an_expired_token_gets_the_french_410(token: str) -> None:
    with records.records_session() as session, session.begin():
        plan = records.find_report(session=session, token=token).plan
        assert plan is not None
        expired = records.create_report_link(session=session, plan_id=plan.id, ttl_days=1)
        session.execute(
            update(records.ReportTokenRow)
            .where(records.ReportTokenRow.token == expired.token)
            .values(expires_at=records.now() - timedelta(seconds=1))
        )
    for suffix in ("", ".pdf"):
        page = report_pages.report_response(f"/rapport/{expired.token}{suffix}")
        assert page.status == 410
        assert "Ce lien de rapport a expiré" in page.body.decode("utf-8")


def test_an_unexpected_failure_is_a_french_500(token: str, monkeypatch) -> None:
    def broken(**_):
        raise RuntimeError("database down")

    monkeypatch.setattr(records, "find_report", broken)
    page = report_pages.report_response(f"/rapport/{token}")
    assert page.status == 500
    assert "momentanément indisponible" in page.body.decode("utf-8")
    assert "RuntimeError" not in page.body.decode("utf-8")


def test_the_widget_server_serves_the_report_paths(token: str) -> None:
    server = make_server(load_settings(environ={}, env_file=None), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(f"{base_url}/rapport/{token}", timeout=30) as response:
            assert response.status == 200
            # The report's own policy (inline styles, nothing else), not the widget's.
            assert "style-src 'unsafe-inline'" in response.headers["Content-Security-Policy"]
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert "Plan d’externalisation" in response.read().decode("utf-8")
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base_url}/rapport/inconnu", timeout=30)
        assert missing.value.code == 404
        assert "Rapport introuvable" in missing.value.read().decode("utf-8")
    finally:
        server.shutdown()
        server.server_close()
