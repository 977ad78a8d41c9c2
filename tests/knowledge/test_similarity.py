"""The second detection stage: word-vector similarity with each signal's key terms."""

from __future__ import annotations

from knowledge.base import get_matcher, get_similarity
from knowledge.similarity import SimilarityStage
from knowledge.text import analyze

SETTINGS = {
    "threshold": 0.8,
    "min_length": 3,
    "ignored": ["être", "avoir"],
    "rules": {
        "security_exposure": [[["malware"]]],
        "provider_dependency": [[["prestataire"], ["captif"]]],
    },
}


def detect(text: str, settings: dict = SETTINGS) -> set[str]:
    return SimilarityStage.from_content(settings).detect(get_matcher(), analyze(text))


def test_a_word_close_to_a_key_term_is_enough() -> None:
    # « virus » shares its vector with the key term « malware » in fr_core_news_md.
    assert detect("un virus sur le poste de la comptable") == {"security_exposure"}


def test_negated_words_do_not_count() -> None:
    assert detect("aucun virus sur les postes") == set()
    assert detect("on n'a jamais eu de virus") == set()


def test_every_concept_needs_its_own_word_in_the_same_clause() -> None:
    assert detect("notre prestataire nous tient prisonniers") == {"provider_dependency"}
    assert detect("notre prestataire est sympathique") == set()
    assert detect("notre prestataire est sympa, mais on est prisonniers du contrat") == set()


def test_a_threshold_above_one_turns_the_stage_off() -> None:
    off = {**SETTINGS, "threshold": 1.01}
    assert detect("un malware sur le poste", off) == set()


def test_no_rules_means_no_detection() -> None:
    assert detect("un virus", {"threshold": 0.8, "min_length": 3}) == set()


def test_the_content_settings_are_conservative() -> None:
    stage = get_similarity()
    assert stage.threshold >= 0.75
    assert {rule.signal for rule in stage.rules}
    # A plain, problem-free sentence gives nothing through this stage.
    assert (
        stage.detect(get_matcher(), analyze("Le réseau est stable et l'équipe va bien.")) == set()
    )
