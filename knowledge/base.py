"""The cached knowledge base the engine functions use.

On first use: connect to the configured database, load the YAML content into it when missing or
outdated, read it back as dataclasses, and keep that in memory for every later call.
"""

from __future__ import annotations

import contextlib
from functools import lru_cache

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import settings
from .classifier import ClassifierSettings
from .model import KnowledgeBase
from .similarity import SimilarityStage
from .store import ensure_loaded, make_engine, read_knowledge_base
from .text import Matcher

_engines: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """One engine per database URL, created on first use."""
    url = url or settings.database_url()
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


@lru_cache(maxsize=1)
def get_knowledge_base() -> KnowledgeBase:
    engine = get_engine(settings.database_url())
    # IntegrityError: another process loaded the same content at the same moment; use its copy.
    with contextlib.suppress(IntegrityError):
        ensure_loaded(engine)
    with Session(engine, future=True) as session:
        return read_knowledge_base(session=session)


@lru_cache(maxsize=1)
def get_matcher() -> Matcher:
    return Matcher.from_content(get_knowledge_base().documents["matching"])


@lru_cache(maxsize=1)
def get_similarity() -> SimilarityStage:
    return SimilarityStage.from_content(get_knowledge_base().documents["matching"]["similarity"])


@lru_cache(maxsize=1)
def get_classifier_settings() -> ClassifierSettings:
    return ClassifierSettings.from_content(get_knowledge_base().documents["matching"]["classifier"])


def reset_cache() -> None:
    """Forget the cached engines and content (tests, or after ``python -m knowledge load``)."""
    get_matcher.cache_clear()
    get_similarity.cache_clear()
    get_classifier_settings.cache_clear()
    get_knowledge_base.cache_clear()
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
