"""Knowledge base and advice engine of the French IT-outsourcing advisor.

Pure Python (no Rasa import). Nothing is loaded at import time: the database, the content and the
spaCy model are loaded on first use and cached.
"""

from .advisor import recommend
from .errors import InputError, KnowledgeError, ProfileError
from .facts import extract_facts, parse_answer
from .profile import LIST_FIELDS, PROFILE_FIELDS, SERVICE_IDS, Profile, validate_profile
from .questions import answer_question
from .render import render_advice
from .signals import detect_pain_points

__all__ = [
    "LIST_FIELDS",
    "PROFILE_FIELDS",
    "SERVICE_IDS",
    "InputError",
    "KnowledgeError",
    "Profile",
    "ProfileError",
    "answer_question",
    "detect_pain_points",
    "extract_facts",
    "parse_answer",
    "recommend",
    "render_advice",
    "validate_profile",
]
