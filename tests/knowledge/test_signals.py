"""Signal detection on realistic French texts: precision/recall, negation, typos, elisions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge import InputError, KnowledgeError, detect_pain_points
from knowledge.profile import SIGNAL_IDS

TEXTS = yaml.safe_load((Path(__file__).with_name("signal_texts.yml")).read_text(encoding="utf-8"))


def score(items: list[dict]) -> tuple[float, float, list[str]]:
    true_positive = false_positive = false_negative = 0
    errors = []
    for item in items:
        found, expected = set(detect_pain_points(item["text"])), set(item["expected"])
        true_positive += len(found & expected)
        false_positive += len(found - expected)
        false_negative += len(expected - found)
        if found != expected:
            errors.append(f"{item['text']} +{sorted(found - expected)} -{sorted(expected - found)}")
    precision = true_positive / ((true_positive + false_positive) or 1)
    recall = true_positive / ((true_positive + false_negative) or 1)
    return precision, recall, errors


TUNING = TEXTS["texts"] + TEXTS["holdout"] + TEXTS["fresh"]


def test_the_corpus_is_large_and_valid() -> None:
    items = TUNING + TEXTS["blind"]
    assert len(TEXTS["texts"]) >= 25 and len(TEXTS["blind"]) >= 15
    assert sum(1 for item in items if not item["expected"]) >= 8  # negations / nothing wrong
    assert sum(1 for item in items if len(item["expected"]) >= 2) >= 15  # multi-signal
    for item in items:
        assert set(item["expected"]) <= set(SIGNAL_IDS), item["text"]


def test_precision_and_recall_on_the_tuning_texts() -> None:
    precision, recall, errors = score(TUNING)
    print(f"\nsignaux ({len(TUNING)} textes de réglage) : ", end="")
    print(f"précision {precision:.2f}, rappel {recall:.2f}")
    print("\n".join(errors))
    assert precision >= 0.9
    assert recall >= 0.85


def test_precision_and_recall_on_the_blind_texts() -> None:
    blind = TEXTS["blind"]
    precision, recall, errors = score(blind)
    print(f"\nsignaux ({len(blind)} textes jamais vus) : ", end="")
    print(f"précision {precision:.2f}, rappel {recall:.2f}")
    print("\n".join(errors))
    # Never tuned on: a floor that a broken matcher would miss, not a target.
    assert precision >= 0.8
    assert recall >= 0.5


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("On n’a jamais eu de panne.", "server_instability"),
        ("on n'a jamais eu de panne", "server_instability"),
        ("Pas de souci de sauvegarde.", "backup_doubt"),
        ("Aucune attaque, aucun virus depuis des années.", "security_exposure"),
        ("Les serveurs ne plantent pas.", "server_instability"),
        ("ça plante jamais", "server_instability"),
        ("Si le serveur tombait un jour, on aviserait.", "server_instability"),
    ],
)
def test_negated_or_hypothetical_mentions_are_not_detected(text: str, absent: str) -> None:
    assert absent not in detect_pain_points(text)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("personne ne teste les sauvegardes", "backup_doubt"),
        ("on n'a pas de sauvegarde", "backup_doubt"),
        ("sans documentation ni inventaire", "lack_visibility"),
        ("on n'arrive plus à suivre", "chronic_overload"),
        ("on a pas mal de pannes", "server_instability"),
        ("les serveurs n’arrêtent pas de planter", "server_instability"),
    ],
)
def test_negative_phrasings_that_describe_a_problem_are_detected(text: str, signal: str) -> None:
    assert signal in detect_pain_points(text)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("les sauvgardes ne sont jamais testées", "backup_doubt"),  # typo
        ("nos serveurs plantnt souvent", "server_instability"),  # typo
        ("securite inexistante, peur du piratage", "security_exposure"),  # no accents
        ("TOUT REPOSE SUR UNE SEULE PERSONNE", "key_person_dependency"),  # capitals
        ("l’informaticien nous a quittés", "staff_departure"),  # typographic apostrophe
        ("l'informaticien nous a quittés", "staff_departure"),  # straight apostrophe
        ("on est débordé·es", "chronic_overload"),
    ],
)
def test_typos_accents_case_and_apostrophes_are_tolerated(text: str, signal: str) -> None:
    assert signal in detect_pain_points(text)


def test_real_words_close_to_a_term_are_not_taken_for_typos() -> None:
    # « installer » is one letter away from « instable » but is a real word.
    assert "server_instability" not in detect_pain_points("il faut installer les nouveaux postes")


def test_several_signals_in_one_message_come_in_contract_order() -> None:
    found = detect_pain_points(
        "Nos serveurs plantent, personne ne teste les sauvegardes, "
        "tout repose sur une seule personne."
    )
    assert found == ["server_instability", "backup_doubt", "key_person_dependency"]


def test_departure_alone_is_not_key_person_dependency() -> None:
    assert detect_pain_points("Notre informaticien est parti le mois dernier.") == [
        "staff_departure"
    ]
    assert "key_person_dependency" in detect_pain_points(
        "Notre informaticien est parti, et tout reposait sur lui."
    )


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_text_is_an_input_error_in_french(text: str) -> None:
    with pytest.raises(InputError, match="Le texte est vide"):
        detect_pain_points(text)


def test_input_error_is_a_knowledge_error_and_a_value_error() -> None:
    assert issubclass(InputError, KnowledgeError)
    assert issubclass(KnowledgeError, ValueError)


def test_nothing_to_report_gives_an_empty_list() -> None:
    assert detect_pain_points("Bonjour, je voudrais des conseils.") == []
