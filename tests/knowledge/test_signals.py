"""Signal detection on realistic French texts: precision/recall, negation, typos, elisions."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
import yaml

from knowledge import InputError, KnowledgeError, detect_pain_points, detect_signals, extract_facts
from knowledge.classifier import all_examples, read_examples
from knowledge.profile import SIGNAL_IDS
from knowledge.signals import pattern_signals
from knowledge.text import analyze

SETS = read_examples()  # knowledge/content/signal_examples.yml: the classifier's training data


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
    found_count, expected_count = true_positive + false_positive, true_positive + false_negative
    precision = true_positive / found_count if found_count else 1.0
    recall = true_positive / expected_count if expected_count else 1.0
    return precision, recall, errors


def test_the_corpus_is_large_and_valid() -> None:
    items = all_examples()
    assert set(SETS) >= {"texts", "holdout", "fresh", "blind", "dev", "blind2", "blind3", "calm"}
    assert set(SETS) >= {"calm_more", "written_a", "written_b", "written_c"}
    assert len(items) >= 750
    assert len({item["text"] for item in items}) == len(items)  # no text twice
    assert sum(1 for item in items if not item["expected"]) >= 8  # negations / nothing wrong
    assert sum(1 for item in items if len(item["expected"]) >= 2) >= 15  # multi-signal
    for item in items:
        assert set(item["expected"]) <= set(SIGNAL_IDS), item["text"]


# Every set is now a training set (patterns tuned on texts/holdout/fresh/dev/written_a/written_b,
# classifier trained on all): these figures show the examples are learnt, not how unseen texts fare
# (that is the cross-validation of scripts/signal_classifier_experiment.py). Floors: 0.05 under the
# figures measured with the classifier on 2026-11-27. « calm » and « calm_more » expect nothing:
# their floor is on the classifier adding nothing there.
@pytest.mark.parametrize(
    ("name", "min_precision", "min_recall"),
    [
        ("texts", 0.91, 0.95),
        ("holdout", 0.95, 0.95),
        ("fresh", 0.89, 0.89),
        ("blind", 0.95, 0.78),
        ("dev", 0.89, 0.91),
        ("blind2", 0.80, 0.78),
        ("blind3", 0.88, 0.86),
        ("written_a", 0.87, 0.84),
        ("written_b", 0.75, 0.70),
        ("written_c", 0.79, 0.64),
    ],
)
def test_precision_and_recall_on_the_training_texts(
    name: str, min_precision: float, min_recall: float
) -> None:
    precision, recall, errors = score(SETS[name])
    print(f"\nsignaux ({len(SETS[name])} textes d’apprentissage, {name}) : ", end="")
    print(f"précision {precision:.2f}, rappel {recall:.2f}")
    print("\n".join(errors))
    assert precision >= min_precision
    assert recall >= min_recall


# blind4 (tests/knowledge/signal_texts_blind4.yml, 98 texts): written on 2026-11-27 by a writer who
# saw neither the patterns nor the training texts, before the classifier and the new patterns, and
# never opened by those who tuned them; it is not in the training data. Scored once before and once
# after: précision / rappel 0.84 / 0.50 before (patterns + word vectors), 0.87 / 0.62 after
# (+ classifier, + 460 written training texts, + patterns tuned on written_a/b). The issue's
# target (0.90 / 0.85) is not met. Floors 0.05 under the figure after.
BLIND4 = yaml.safe_load(
    Path(__file__).with_name("signal_texts_blind4.yml").read_text(encoding="utf-8")
)["blind4"]


def test_precision_and_recall_on_the_never_tuned_blind4_texts() -> None:
    assert len(BLIND4) >= 40
    assert not {item["text"] for item in BLIND4} & {item["text"] for item in all_examples()}
    precision, recall, _ = score(BLIND4)  # errors not printed: reading them would tune on them
    print(f"\nsignaux ({len(BLIND4)} textes jamais vus, blind4) : ", end="")
    print(f"précision {precision:.2f}, rappel {recall:.2f}")
    assert precision >= 0.82
    assert recall >= 0.57


def test_the_classifier_adds_nothing_to_the_calm_training_texts() -> None:
    flagged = []
    for item in SETS["calm"] + SETS["calm_more"]:
        found = detect_signals(item["text"])
        assert found == pattern_signals(analyze(item["text"])), item["text"]
        if found:
            flagged.append(f"{item['text']} {found}")
    print("\n".join(flagged))
    assert len(flagged) <= 7  # by the patterns (4 + 3 measured): not written against them


def test_detection_stays_fast() -> None:
    """Median time of detect_pain_points + extract_facts on a 40-word message (printed).

    Quality bar: under 30 ms on the shared 2-core machines; asserted loosely (timing in tests
    is noisy), the figure printed is the measure.
    """
    text = (
        "Bonjour, nous sommes une PME industrielle de 45 salariés sur deux sites. Nos serveurs "
        "plantent souvent, personne ne teste les sauvegardes, on reçoit des mails de phishing et "
        "tout repose sur notre comptable qui gère l'informatique en plus de son travail."
    )
    assert 38 <= len(text.split()) <= 42
    extract_facts(text)  # warm-up: model and content loaded once
    timings = []
    for index in range(40):
        variant = f"{text} ({index})"  # a new text each time: no per-text cache
        start = time.perf_counter()
        detect_pain_points(variant)
        extract_facts(variant)
        timings.append(time.perf_counter() - start)
    median = statistics.median(timings) * 1000
    print(f"\ndetect_pain_points + extract_facts, 40 mots : médiane {median:.1f} ms")
    assert median < 150


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
    "text",
    [
        "Le serveur n'est pas HS, tout roule.",
        "Aucun hacker ne nous a jamais visés.",
        "Pas de spam, pas de phishing.",
        "On n'est pas sous pression en ce moment.",
        "Nos copies de sécurité sont testées chaque mois.",
        "Notre éditeur ne nous impose rien.",
        "On n'est pas du tout en lock-in avec notre ERP.",
        "Personne n'est parti, l'équipe est stable.",
        "Notre technicien ne se barre pas, il est très content.",
        "On n'a jamais eu de poste infecté.",
        "La charge de travail est raisonnable.",
        "Le coût de l'infogérance est raisonnable.",
        "Les sauvegardes tournent bien et sont vérifiées.",
        "On ne bricole pas, tout est planifié.",
        "Rien n'est bloqué, l'ERP est disponible.",
        "On a un plan de continuité testé chaque année.",
        "Le réseau est stable et l'équipe va bien.",
    ],
)
def test_the_broader_vocabulary_keeps_negations_and_calm_texts_silent(text: str) -> None:
    assert detect_pain_points(text) == []


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


# Patterns added from written_a/b read too much into ordinary sentences (found in review): a
# holiday is not a departure, « aucune commande en retard » is not a stopped business.
@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("On a aucune commande en retard, tout va bien.", "continuity_risk"),
        ("Nous n'avons aucun contrat de maintenance.", "continuity_risk"),
        ("Notre comptable part en congé en août.", "staff_departure"),
    ],
)
def test_ordinary_sentences_are_not_read_as_a_stop_or_a_departure(text: str, absent: str) -> None:
    assert absent not in detect_pain_points(text)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Aucune commande ne peut sortir quand le serveur plante.", "continuity_risk"),
        ("Quand la connexion saute, zéro vente pendant des heures.", "continuity_risk"),
        ("Plus aucune commande ne passait pendant deux jours.", "continuity_risk"),
        ("Notre informaticienne part en congé maternité en mars.", "staff_departure"),
    ],
)
def test_a_stopped_business_or_a_long_absence_is_still_detected(text: str, signal: str) -> None:
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
