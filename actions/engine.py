"""The knowledge engine as the actions see it: one import point, easy to replace in tests."""

from __future__ import annotations

from knowledge import (
    DETAIL_PARTS,
    PROFILE_FIELDS,
    SERVICE_IDS,
    InputError,
    KnowledgeError,
    ProfileError,
    Reading,
    answer_question,
    parse_answer,
    read_message,
    recommend,
    render_advice,
    render_detail,
)

__all__ = [
    "DETAIL_PARTS",
    "PROFILE_FIELDS",
    "SERVICE_IDS",
    "InputError",
    "KnowledgeError",
    "ProfileError",
    "Reading",
    "answer_question",
    "parse_answer",
    "read_message",
    "recommend",
    "render_advice",
    "render_detail",
]
