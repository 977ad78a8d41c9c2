"""Detect the contract's pain-point signals in free French text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from .base import get_classifier_settings, get_knowledge_base, get_matcher, get_similarity
from .classifier import ClassifierSettings, SignalClassifier, get_classifier
from .errors import InputError, message
from .profile import SIGNAL_IDS
from .text import Token, _clauses_with_cues, analyze, parse_pattern

CLEAR, POSSIBLE = "clear", "possible"


def check_text(text: object) -> str:
    """The text itself, or InputError (French) when it is not a non-blank string."""
    if not isinstance(text, str):
        raise InputError(message("not_text"))
    if not text.strip():
        raise InputError(message("empty_text"))
    return text


def detect_signals(text: str) -> dict[str, str]:
    """Signal id -> evidence, in the content's order; negated mentions do not count.

    ``clear``: a pattern of the content matched (the text says it). ``possible``: only the
    word-vector stage (``similarity``) or the classifier (``classifier``, both in
    ``matching.yml``) saw it; such a signal is carried in the payload but never named in the
    plan's sentences. The classifier never brings back a signal whose own patterns occur in the
    text only negated or as a hypothesis.
    """
    tokens = analyze(check_text(text))
    found = pattern_signals(tokens)
    settings = get_classifier_settings()
    if settings.threshold > 1:  # stage switched off in matching.yml
        return found
    probabilities = classifier_probabilities(get_classifier(settings.regularisation), text, tokens)
    candidates = {
        signal
        for signal, probability in probabilities.items()
        if probability >= settings.threshold and found.get(signal) != CLEAR
    }
    if not candidates:
        return found
    return combine(found, probabilities, negated_signals(tokens, candidates), settings)


def affirmed_text(tokens: tuple[Token, ...]) -> str | None:
    """The text without its clauses that hold a negation or hypothesis cue (``pas``, ``si``...),
    as matching forms; ``None`` when no clause holds one."""
    clauses = _clauses_with_cues(get_matcher(), tokens)
    if not any(cues for _, cues in clauses):
        return None
    return " . ".join(
        " ".join(token.form for token in clause) for clause, cues in clauses if not cues
    )


def classifier_probabilities(
    classifier: SignalClassifier, text: str, tokens: tuple[Token, ...]
) -> dict[str, float]:
    """Each signal's probability, the lower of the whole text's and the affirmed clauses' one:
    the classifier must still see the signal once negated and hypothetical clauses are gone."""
    kept = affirmed_text(tokens)
    if kept is None:
        return classifier.probability(text)
    if not kept:
        return dict.fromkeys(SIGNAL_IDS, 0.0)
    whole, affirmed = classifier.probabilities([text, kept])
    return {signal: min(value, affirmed[signal]) for signal, value in whole.items()}


def pattern_signals(tokens: tuple[Token, ...]) -> dict[str, str]:
    """The first two stages: patterns (and hedged subjects) ``clear``, similarity ``possible``."""
    matcher = get_matcher()
    by_similarity = get_similarity().detect(matcher, tokens)
    hedged = _hedged(tokens)
    found: dict[str, str] = {}
    for signal in get_knowledge_base().signals:
        if matcher.best_match(signal.patterns, tokens) or signal.id in hedged:
            found[signal.id] = CLEAR
        elif signal.id in by_similarity:
            found[signal.id] = POSSIBLE
    return found


def negated_signals(tokens: tuple[Token, ...], among: Iterable[str] | None = None) -> set[str]:
    """Signals (of ``among``, default all) with a pattern present in the text only under a
    negation or a hypothesis."""
    matcher = get_matcher()
    clauses = matcher.clauses(tokens)
    wanted = None if among is None else set(among)
    return {
        signal.id
        for signal in get_knowledge_base().signals
        if (wanted is None or signal.id in wanted)
        and not matcher.best_match(signal.patterns, tokens)
        and any(matcher.find(pattern, clause) for pattern in signal.patterns for clause in clauses)
    }


def combine(
    found: Mapping[str, str],
    probabilities: Mapping[str, float],
    vetoed: Iterable[str],
    settings: ClassifierSettings,
) -> dict[str, str]:
    """Add the classifier's signals (``possible``) to the patterns' ones, in the content's order."""
    vetoed = set(vetoed)
    result: dict[str, str] = {}
    for signal in get_knowledge_base().signals:
        evidence = found.get(signal.id)
        probability = probabilities.get(signal.id, 0.0)
        if evidence != CLEAR and signal.id not in vetoed and probability >= settings.threshold:
            evidence = POSSIBLE  # a statistical guess, not words of the text: never ``clear``
        if evidence:
            result[signal.id] = evidence
    return result


@lru_cache(maxsize=1)
def _hedge_patterns() -> tuple[list[tuple[str, ...]], dict[str, list[tuple[str, ...]]]]:
    matching = get_knowledge_base().documents["matching"]
    hedges = [parse_pattern(item) for item in matching.get("hedges", ())]
    subjects = {
        signal: [parse_pattern(item) for item in patterns]
        for signal, patterns in matching.get("hedged_signals", {}).items()
    }
    return hedges, subjects


def _hedged(tokens: tuple[Token, ...]) -> set[str]:
    """Signals whose subject is named in a text that also says it is not sure."""
    matcher = get_matcher()
    hedges, subjects = _hedge_patterns()
    if not any(next(iter(matcher.find(hedge, tokens)), None) for hedge in hedges):
        return set()
    return {
        signal
        for signal, patterns in subjects.items()
        if any(next(iter(matcher.find(pattern, tokens)), None) for pattern in patterns)
    }


def detect_pain_points(text: str) -> list[str]:
    """Every signal id detected in ``text`` (clear or possible), in the content's order."""
    return list(detect_signals(text))
