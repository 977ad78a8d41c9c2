"""The knowledge engine as the actions see it: one import point, easy to replace in tests."""

from __future__ import annotations

from knowledge import (
    PROFILE_FIELDS,
    SERVICE_IDS,
    InputError,
    KnowledgeError,
    ProfileError,
    answer_question,
    detect_pain_points,
    extract_facts,
    parse_answer,
    recommend,
    render_advice,
)

__all__ = [
    "PROFILE_FIELDS",
    "SERVICE_IDS",
    "InputError",
    "KnowledgeError",
    "ProfileError",
    "answer_question",
    "detect_pain_points",
    "extract_facts",
    "parse_answer",
    "recommend",
    "render_advice",
]
