"""Answers to the question intents (``ask_*``), drawn from the content and citing the article."""

from __future__ import annotations

from typing import Any

from .base import get_knowledge_base
from .errors import KnowledgeError, join_values, message
from .model import Paragraph
from .profile import SERVICE_IDS, TOPICS


def answer_question(topic: str, service: str | None = None) -> dict[str, Any]:
    """``{"topic", "service", "text", "sources"}``; paragraphs of ``text`` are separated by a
    blank line. KnowledgeError (French) for an unknown topic or service, or topic "service"
    without a service."""
    if topic not in TOPICS:
        raise KnowledgeError(message("unknown_topic", topic=topic, allowed=join_values(TOPICS)))
    if service is not None and service not in SERVICE_IDS:
        raise KnowledgeError(
            message("unknown_service", service=service, allowed=join_values(SERVICE_IDS))
        )
    kb = get_knowledge_base()
    if topic == "service":
        if service is None:
            raise KnowledgeError(message("service_required", allowed=join_values(SERVICE_IDS)))
        paragraphs = kb.service(service).answer
    else:
        paragraphs = next(answer for answer in kb.answers if answer.topic == topic).paragraphs
    return {
        "topic": topic,
        "service": service,
        "text": "\n\n".join(paragraph.text for paragraph in paragraphs),
        "sources": _sources(paragraphs),
    }


def _sources(paragraphs: tuple[Paragraph, ...]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for paragraph in paragraphs:
        if paragraph.source is not None:
            key = (paragraph.source.section, paragraph.source.quote)
            seen.setdefault(key, paragraph.source.as_dict())
    return list(seen.values())
