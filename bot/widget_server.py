"""Serves the widget page (bot/widget/) and a config script pointing it at the Rasa server."""

from __future__ import annotations

import json
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from bot import report_pages
from bot.settings import ROOT, SettingsError, load_settings

WIDGET_DIR = ROOT / "bot" / "widget"


class WidgetHandler(SimpleHTTPRequestHandler):
    rasa_url = ""

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == "/config.js":
            body = f"window.ADVISOR_CONFIG = {json.dumps({'rasaUrl': self.rasa_url})};\n".encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/javascript; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if report_pages.handles(self.path):
            self._send(report_pages.report_response(self.path))
            return
        super().do_GET()

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
    WidgetHandler.rasa_url = settings.rasa_url
    handler = partial(WidgetHandler, directory=str(WIDGET_DIR))
    server = ThreadingHTTPServer((settings.host, settings.widget_port), handler)
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
