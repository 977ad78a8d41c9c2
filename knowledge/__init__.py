"""Knowledge base and advice engine of the French IT-outsourcing advisor.

Pure Python (no Rasa import). Nothing is loaded at import time: the database, the content and the
spaCy model are loaded on first use and cached.
"""

from .advisor import recommend
from .errors import InputError, KnowledgeError, ProfileError
from .facts import extract_facts, parse_answer
from .profile import LIST_FIELDS, PROFILE_FIELDS, SERVICE_IDS, Profile, validate_profile
from .questions import answer_question
from .reading import Reading, read_message
from .render import DETAIL_PARTS, render_advice, render_detail
from .signals import detect_pain_points, detect_signals

__all__ = [
    "DETAIL_PARTS",
    "LIST_FIELDS",
    "PROFILE_FIELDS",
    "SERVICE_IDS",
    "InputError",
    "KnowledgeError",
    "Profile",
    "ProfileError",
    "Reading",
    "answer_question",
    "detect_pain_points",
    "detect_signals",
    "extract_facts",
    "parse_answer",
    "read_message",
    "recommend",
    "render_advice",
    "render_detail",
    "validate_profile",
]
