"""The action server, started after warming the knowledge engine, closed to strangers.

The first text analysis loads spaCy's French model (about 5 s); doing it here, before the server
accepts requests, keeps it out of the first user turn. Arguments are rasa_sdk's own.

Doors: it listens on HOST (rasa-sdk reads `SANIC_HOST`, default 0.0.0.0), answers `/webhook`
and `/actions` only to callers presenting the shared token (header `X-Action-Token`, the
ACTION_SERVER_TOKEN setting, drawn at random by the launcher when unset), and refuses bodies
larger than MAX_BODY_BYTES, compressed or once decompressed. `/health` stays open.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys
import time
import zlib
from typing import Any

from rasa_sdk.endpoint import create_argument_parser
from sanic import response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.endpoints import TOKEN_HEADER
from bot.settings import get_settings

logger = logging.getLogger(__name__)

# A whole tracker (every event of the session) and the domain travel in each call: a long
# conversation stays far below this.
MAX_BODY_BYTES = 8 * 1024 * 1024
OPEN_PATHS = frozenset({"/health"})


def warm_up() -> float:
    """Loads the content, the database and the spaCy model, and trains the signal classifier
    (knowledge/classifier.py, about 0.2 s); returns the seconds it took."""
    import knowledge

    started = time.perf_counter()
    knowledge.recommend({})
    knowledge.detect_pain_points("nos serveurs plantent")
    knowledge.extract_facts("nous sommes 45 personnes")
    return time.perf_counter() - started


def _error(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def decompressed_size_exceeds(body: bytes, encoding: str, limit: int) -> bool:
    """True when `body` inflates beyond `limit` bytes (or is not valid compressed data)."""
    wbits = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}[encoding]
    inflater = zlib.decompressobj(wbits)
    try:
        inflated = inflater.decompress(body, limit + 1)
    except zlib.error:
        return True
    return len(inflated) > limit


def guard(app: Any, token: str, max_body: int = MAX_BODY_BYTES) -> None:
    """Adds the token check and the body limits to rasa-sdk's Sanic app."""
    app.config.REQUEST_MAX_SIZE = max_body
    expected = token.encode()

    # rasa-sdk turns every exception into a 500 that echoes the body; HTTP errors keep their code.
    @app.exception(SanicException)
    async def http_error(request: Request, exception: SanicException) -> HTTPResponse:
        return _error(str(exception) or "requête refusée", exception.status_code)

    @app.middleware("request")
    async def check_request(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        presented = (request.headers.get(TOKEN_HEADER) or "").encode()
        if not hmac.compare_digest(presented, expected):
            return _error("jeton du serveur d'actions absent ou invalide", 401)
        encoding = (request.headers.get("Content-Encoding") or "").strip().lower()
        if encoding and request.body:
            if encoding not in ("gzip", "deflate"):
                return _error("encodage de contenu non pris en charge", 415)
            if decompressed_size_exceeds(request.body, encoding, max_body):
                return _error("corps de requête trop volumineux ou mal compressé", 413)
        return None


def create_guarded_app(actions: str, token: str, cors: Any = None) -> Any:
    from rasa_sdk.endpoint import create_app

    app = create_app(actions, cors_origins=cors or "")
    guard(app, token)
    return app


def main(argv: list[str] | None = None) -> None:
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME

    args = create_argument_parser().parse_args(argv)
    settings = get_settings()
    token = settings.action_server_token
    if not token:
        print(
            "Erreur : ACTION_SERVER_TOKEN est absent : le serveur d'actions refuse de démarrer "
            "sans jeton partagé (make run en tire un au hasard à chaque démarrage).",
            file=sys.stderr,
        )
        sys.exit(2)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()
    seconds = warm_up()
    print(f"Moteur de connaissances prêt en {seconds:.1f} s", flush=True)
    app = create_guarded_app(args.actions, token, args.cors)
    host = os.environ.get("SANIC_HOST", settings.host)
    logger.info("Action server listening on http://%s:%s", host, args.port)
    app.run(host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main(sys.argv[1:])
