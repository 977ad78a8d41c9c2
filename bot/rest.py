"""The REST channel (`rest`, POST /webhooks/rest/webhook), strict about what it accepts.

Stock Rasa answers 500 to a body that is a JSON list, files a message without `sender` in one
conversation shared by everyone (`default`), lets the caller pick another channel name, and
passes any text, whatever its length, to NLU. Here:

- the body must be a JSON object (UTF-8) with `sender` (non-empty text of at most
  MAX_SENDER_LENGTH printable characters) and `message` (text); `metadata`, when present, an
  object. Anything else is a 400 with a short JSON error `{"error": "…"}` in French, never a 5xx;
- control characters (NUL…) and lone surrogates of the text are replaced, and an empty or blank
  message is refused;
- the text is cut at MAX_MESSAGE_LENGTH (`bot.inbound.clip_message`) and the reply then starts
  with `utter_message_cut`;
- the user's text never reaches the logs; a turn that fails gets an apology, not `[]`.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.inbound import clean_text, clip_message, cut_notice, response_text

logger = logging.getLogger(__name__)

# Rasa's SQL tracker store keeps sender ids in a VARCHAR(255); keys stay short in Redis too.
MAX_SENDER_LENGTH = 128
FAILED_RESPONSE = "utter_service_unavailable"


class BadRequestError(ValueError):
    """The request is malformed; the message is French and short."""


def parse_body(body: bytes) -> tuple[str, str, dict[str, Any] | None]:
    """(sender, message, metadata) of a webhook body, or BadRequestError."""
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequestError("le corps de la requête n'est pas de l'UTF-8 valide") from None
    except ValueError:
        raise BadRequestError("le corps de la requête n'est pas du JSON valide") from None
    except RecursionError:
        raise BadRequestError("le corps de la requête est imbriqué trop profondément") from None
    if not isinstance(data, dict):
        raise BadRequestError('le corps doit être un objet JSON {"sender": …, "message": …}')
    sender, message, metadata = data.get("sender"), data.get("message"), data.get("metadata")
    if sender is None or (isinstance(sender, str) and not sender.strip()):
        raise BadRequestError("« sender » est obligatoire : l'identifiant de la conversation")
    if not isinstance(sender, str):
        raise BadRequestError("« sender » doit être une chaîne de caractères")
    if len(sender) > MAX_SENDER_LENGTH:
        raise BadRequestError(f"« sender » dépasse {MAX_SENDER_LENGTH} caractères")
    if any(unicodedata.category(char) in ("Cc", "Cs", "Cf", "Zl", "Zp") for char in sender):
        raise BadRequestError("« sender » contient des caractères de contrôle")
    if not isinstance(message, str):
        raise BadRequestError("« message » est obligatoire et doit être une chaîne de caractères")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequestError("« metadata » doit être un objet JSON")
    text = clean_text(message)
    if not text.strip():
        raise BadRequestError("le message est vide")
    return sender, text, metadata


def _bad_request(reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


class StrictRestInput(InputChannel):
    """Rasa's REST channel under the same name and path, with the checks above."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, text, metadata = parse_body(request.body or b"")
            except BadRequestError as exc:
                return _bad_request(str(exc))
            inbound = clip_message(text)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        inbound.text,
                        collector,
                        sender,
                        input_channel=self.name(),
                        metadata=metadata,
                    )
                )
            except CancelledError:
                logger.error("REST turn cancelled (timeout).")
                collector.messages = [
                    {"recipient_id": sender, "text": response_text(FAILED_RESPONSE)}
                ]
            except Exception as exc:
                logger.error("REST turn failed (%s).", type(exc).__name__)
                collector.messages = [
                    {"recipient_id": sender, "text": response_text(FAILED_RESPONSE)}
                ]
            messages = list(collector.messages)
            if inbound.was_cut:
                messages.insert(0, {"recipient_id": sender, "text": cut_notice()})
            return response.json(messages, dumps=_dumps)

        return webhook


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
