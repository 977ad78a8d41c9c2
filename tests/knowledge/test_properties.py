"""Property tests (Hypothesis): the engine's text functions never fail on any text a channel lets
through (any Unicode string up to MAX_MESSAGE_LENGTH) and always return bounded, valid output.
No timing is asserted: the machine is shared."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from knowledge import InputError, detect_pain_points, extract_facts, parse_answer, validate_profile
from knowledge.profile import PROFILE_FIELDS, SIGNAL_IDS
from knowledge.text import normalize

MAX_MESSAGE_LENGTH = 2000  # default of the setting; channels never pass more (bot.inbound)
FRENCH = [
    "nos", "serveurs", "plantent", "sauvegardes", "personne", "ne", "vérifie", "pas", "45",
    "salariés", "deux", "sites", "prestataire", "comptable", "départ", "urgence", "panne",
    "coûts", "sécurité", "RGPD", "l’informatique", "d'", "n’", "«", "»", "…", "-", "/", "?",
    "!", "0", "1000000", "99999999999999999999", "½", "Ⅻ", "٣", "ﬁ", "œ", "ß", "İ", "🚀",
    "\u200b", "\u202e", "\u0301", "\n", "\t", " ",
]  # fmt: skip

any_text = st.text(max_size=MAX_MESSAGE_LENGTH)
frenchish = st.lists(st.sampled_from(FRENCH), max_size=400).map(" ".join)
texts = st.one_of(any_text, frenchish, st.builds(str.__add__, frenchish, any_text))
properties = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def analysable(text: str) -> bool:
    return bool(text.strip())


@properties
@given(st.text(max_size=MAX_MESSAGE_LENGTH))
@example("𝑨")  # a capital that only NFKD reveals: normalizing it twice once gave « A » then « a »
def test_normalize_is_total_bounded_and_accent_free(text: str) -> None:
    result = normalize(text)
    assert isinstance(result, str)
    # NFKD expands one character into at most 18 (U+FDFA), casefold into at most 3.
    assert len(result) <= 54 * len(text)
    assert not any(unicodedata.combining(char) for char in result)
    assert normalize(result) == result  # matching twice changes nothing


@properties
@given(texts)
def test_fact_extraction_never_fails_and_returns_valid_fields(text: str) -> None:
    if not analysable(text):
        with pytest.raises(InputError):
            extract_facts(text)
        return
    facts = extract_facts(text)
    assert set(facts) <= set(PROFILE_FIELDS)
    validate_profile(facts)  # only contract values
    if "headcount" in facts:
        assert isinstance(facts["headcount"], int) and facts["headcount"] > 0


@properties
@given(texts)
def test_signal_detection_never_fails_and_returns_known_ids(text: str) -> None:
    if not analysable(text):
        with pytest.raises(InputError):
            detect_pain_points(text)
        return
    signals = detect_pain_points(text)
    assert len(signals) == len(set(signals)) <= len(SIGNAL_IDS)
    assert set(signals) <= set(SIGNAL_IDS)


@properties
@given(st.sampled_from(["headcount", "multi_site", "it_staff", "digital_dependency"]), texts)
def test_short_answers_are_understood_or_none(field: str, text: str) -> None:
    try:
        value = parse_answer(field, text)
    except InputError:
        assert not analysable(text)
        return
    if value is not None:
        validate_profile({field: value})
