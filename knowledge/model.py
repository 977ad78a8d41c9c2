"""Plain frozen dataclasses the repositories return and the engine reasons on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    section: str
    quote: str

    def as_dict(self) -> dict[str, str]:
        return {"section": self.section, "quote": self.quote}


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of advice text (ours, not a quote) and the article sentence it rests on."""

    text: str
    source: Source | None = None


@dataclass(frozen=True)
class Service:
    id: str
    position: int
    title: str
    name: str
    source: Source
    outsourceable: bool
    default_why: str
    first_steps: tuple[str, ...]
    answer: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Support:
    """How much a signal argues for outsourcing a service, and the reason given to the user."""

    service: str
    weight: int
    why: str


@dataclass(frozen=True)
class Signal:
    id: str
    position: int
    label: str
    patterns: tuple[tuple[str, ...], ...]
    supports: tuple[Support, ...]


@dataclass(frozen=True)
class Warning:
    id: str
    position: int
    title: str
    text: str
    source: Source
    when: Mapping[str, Any]


@dataclass(frozen=True)
class FieldCase:
    id: str
    position: int
    title: str
    text: str
    source: Source
    affinity: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class Answer:
    topic: str
    position: int
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the engine needs, read once from the database and kept in memory."""

    version: str
    services: tuple[Service, ...]
    signals: tuple[Signal, ...]
    warnings: tuple[Warning, ...]
    field_cases: tuple[FieldCase, ...]
    answers: tuple[Answer, ...]
    documents: Mapping[str, Any] = field(default_factory=dict)

    def service(self, service_id: str) -> Service:
        return next(service for service in self.services if service.id == service_id)

    def signal(self, signal_id: str) -> Signal:
        return next(signal for signal in self.signals if signal.id == signal_id)

    @property
    def labels(self) -> Mapping[str, Any]:
        return self.documents["labels"]
