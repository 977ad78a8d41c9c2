"""Serves the embeddable widget, its demo host page and its configuration.

Routes: `/` the demo page (a host page embedding the widget with its script tag, as any site
would), `/widget.js` (built by `make install` from bot/widget/src with npm), `/widget.css`,
`/demo-config.js` (the demo's configuration object) and `/config.json` (the Rasa URL the browser
uses, PUBLIC_URL). Every answer carries a Content-Security-Policy without inline script whose
connect-src is that Rasa URL, and `X-Content-Type-Options: nosniff`. Anything else is a French 404.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from bot import report_pages
from bot.settings import ROOT, Settings, SettingsError, load_settings

WIDGET_DIR = ROOT / "bot" / "widget"
BUILT_WIDGET = WIDGET_DIR / "dist" / "widget.js"

JS = "text/javascript; charset=utf-8"
# Path -> (file, content type, may other sites load it).
STATIC: dict[str, tuple[Path, str, bool]] = {
    "/": (WIDGET_DIR / "demo.html", "text/html; charset=utf-8", False),
    "/widget.js": (BUILT_WIDGET, JS, True),
    "/widget.css": (WIDGET_DIR / "widget.css", "text/css; charset=utf-8", True),
    "/demo-config.js": (WIDGET_DIR / "demo-config.js", JS, False),
    "/demo.css": (WIDGET_DIR / "demo.css", "text/css; charset=utf-8", False),
}

NOT_FOUND = (
    '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Page introuvable</title>'
    "<h1>Page introuvable</h1><p>Cette adresse n’existe pas. Le widget du conseiller est sur "
    '<a href="/">la page d’accueil</a>.</p></html>'
)
NOT_BUILT = "Le widget n’est pas construit : lancez « make install » (npm) puis réessayez.\n"


def websocket_origin(url: str) -> str:
    """ws(s):// twin of an http(s) origin: CSP's connect-src does not derive one from the other."""
    parts = urlsplit(url)
    return f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"


def content_security_policy(public_url: str) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {public_url} {websocket_origin(public_url)}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


class WidgetHandler(BaseHTTPRequestHandler):
    settings: Settings
    server_version = "widget"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def respond(
        self,
        status: int,
        body: bytes,
        content_type: str,
        shared: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Sends a page with the security headers; `headers` add to or replace them."""
        self.send_response(status)
        all_headers = {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "Content-Security-Policy": content_security_policy(self.settings.public_url),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-cache",
            **(headers or {}),
        }
        for name, value in all_headers.items():
            self.send_header(name, value)
        if shared:
            # The widget and its configuration are loaded by other sites' pages.
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/config.json":
            body = json.dumps({"serverUrl": self.settings.public_url}).encode()
            self.respond(200, body, "application/json", shared=True)
            return
        if report_pages.handles(path):
            page = report_pages.report_response(self.path)
            self.respond(page.status, page.body, page.content_type, headers=page.headers)
            return
        route = STATIC.get(path)
        if route is None:
            self.respond(404, NOT_FOUND.encode(), "text/html; charset=utf-8")
            return
        file, content_type, shared = route
        if not file.is_file():
            self.respond(503, NOT_BUILT.encode(), "text/plain; charset=utf-8")
            return
        self.respond(200, file.read_bytes(), content_type, shared)

    def do_HEAD(self) -> None:
        self.do_GET()


def make_server(settings: Settings, host: str, port: int) -> ThreadingHTTPServer:
    handler = type("ConfiguredWidgetHandler", (WidgetHandler,), {"settings": settings})
    return ThreadingHTTPServer((host, port), handler)

    def _send(self, response: report_pages.Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    if not BUILT_WIDGET.is_file():
        print(f"Attention : {NOT_BUILT}", file=sys.stderr, end="")
    server = make_server(settings, settings.host, settings.widget_port)
    print(f"Page du widget : {settings.widget_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
