"""The widget server: demo host page, widget files, config endpoint, security headers."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from bot.settings import load_settings
from bot.widget_server import make_server

PUBLIC_URL = "https://conseiller.pme.example"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    settings = load_settings(environ={"PUBLIC_URL": PUBLIC_URL}, env_file=None)
    server = make_server(settings, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_demo_page_embeds_the_widget_with_its_script_tag(base_url: str) -> None:
    status, headers, page = get(base_url + "/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert '<html lang="fr">' in page
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.DOTALL)
    assert all(body.strip() == "" for body in scripts), "no inline script"
    assert re.search(r'<script src="/widget\.js" defer></script>', page)


def test_config_endpoint_gives_the_public_url(base_url: str) -> None:
    status, headers, body = get(base_url + "/config.json")
    assert status == 200
    assert json.loads(body) == {"serverUrl": PUBLIC_URL}
    # Read by widget.js from other sites' pages.
    assert headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/", "/config.json", "/widget.css", "/inexistant"])
def test_every_answer_has_the_security_headers(base_url: str, path: str) -> None:
    _, headers, _ = get(base_url + path)
    assert headers["X-Content-Type-Options"] == "nosniff"
    csp = headers["Content-Security-Policy"]
    policy = dict(directive.strip().split(" ", 1) for directive in csp.split(";"))
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert policy["connect-src"].split() == [
        "'self'",
        PUBLIC_URL,
        "wss://conseiller.pme.example",
    ]


def test_unknown_path_is_a_french_404(base_url: str) -> None:
    for path in ("/inexistant", "/../bot/settings.py", "/widget.js.map"):
        status, _, body = get(base_url + path)
        assert status == 404, path
        assert "Page introuvable" in body
        assert "n’existe pas" in body


def test_widget_files_are_served_with_their_types(base_url: str) -> None:
    status, headers, css = get(base_url + "/widget.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "#advisor-widget" in css
    status, headers, _ = get(base_url + "/demo-config.js")
    assert status == 200
    assert headers["Content-Type"].startswith("text/javascript")
    status, headers, body = get(base_url + "/widget.js")
    # Built by `make install`; before the build the server says so in French.
    assert (status, headers["Content-Type"].split(";")[0]) in {
        (200, "text/javascript"),
        (503, "text/plain"),
    }
    if status == 503:
        assert "make install" in body
