"""Rasa's web server: bounded request bodies and short JSON errors.

Stock Rasa accepts bodies up to Sanic's default of 100 MB and answers errors in HTML or text.
A user message is at most MAX_MESSAGE_LENGTH characters: MAX_REQUEST_BYTES leaves room for it
and for socket.io's framing; a larger body gets 413 and a French JSON error.
"""

from __future__ import annotations

from typing import Any

MAX_REQUEST_BYTES = 256 * 1024


def apply() -> None:
    import rasa.core.run
    from sanic import response
    from sanic.exceptions import PayloadTooLarge

    original = rasa.core.run.configure_app
    if getattr(original, "_limited", False):
        return

    def configure_app(*args: Any, **kwargs: Any) -> Any:
        app = original(*args, **kwargs)
        app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
        app.config.FALLBACK_ERROR_FORMAT = "json"

        @app.exception(PayloadTooLarge)
        async def too_large(request: Any, exception: Exception) -> Any:
            return response.json(
                {"error": f"requête trop volumineuse ({MAX_REQUEST_BYTES // 1024} Kio au plus)"},
                status=413,
            )

        return app

    configure_app._limited = True  # type: ignore[attr-defined]
    rasa.core.run.configure_app = configure_app
