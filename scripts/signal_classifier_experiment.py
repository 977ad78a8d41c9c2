"""Cross-validation table that chose the signal classifier's settings (issue 11).

Every labelled text of knowledge/content/signal_examples.yml is split into 5 folds (shuffled,
fixed seeds, repeated with 3 seeds); for each fold the classifier (knowledge/classifier.py) is
trained on the other 4 and its signals are added to the patterns' ones exactly as the engine does
(signals.combine, negation veto included). Precision / recall are summed over the held-out folds,
on every text and on the sets the patterns were never tuned on (blind, blind2, blind3, written_c),
for each regularisation and threshold; then, for the chosen regularisation, the precision of the
signals the classifier alone adds, by probability band (why they stay ``possible``: they would
count as ``clear`` only above a band right 90 % of the time). Last, the three sets written from
the labelling guide on 27/11/2026 (written_a/b/c), scored with a classifier trained on the other
sets only: run at the commit that added them, before any tuning, it gave the « before » figures.

    PYTHONPATH=. .venv/bin/python scripts/signal_classifier_experiment.py

About 3 to 5 minutes. The patterns were tuned on texts/holdout/fresh/dev and written_a/b (and
blind3 was read once while tuning), so the « patterns alone » figure on all texts is optimistic;
the never-tuned subset is the better estimate of unseen texts.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from sklearn.model_selection import KFold

from knowledge.base import get_classifier_settings
from knowledge.classifier import ClassifierSettings, SignalClassifier, read_examples
from knowledge.signals import classifier_probabilities, combine, negated_signals, pattern_signals
from knowledge.text import analyze

SEEDS = (0, 1, 2)
REGULARISATIONS = (1.0, 3.0, 10.0, 30.0)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
UNTUNED = ("blind", "blind2", "blind3", "written_c")
WRITTEN = ("written_a", "written_b", "written_c")
BANDS = ((0.3, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01))


def figures(pairs: Iterable[tuple[set[str], set[str]]]) -> tuple[float, float]:
    """Micro precision and recall over (found, expected) pairs."""
    tp = fp = fn = 0
    for found, expected in pairs:
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
    return tp / ((tp + fp) or 1), tp / ((tp + fn) or 1)


def main() -> int:
    sets = read_examples()
    items = [(name, item) for name, texts in sets.items() for item in texts]
    texts = [item["text"] for _, item in items]
    expected = [set(item["expected"]) for _, item in items]
    untuned = [index for index, (name, _) in enumerate(items) if name in UNTUNED]
    tokens = [analyze(text) for text in texts]
    patterns = [pattern_signals(analysis) for analysis in tokens]
    vetoed = [negated_signals(analysis) for analysis in tokens]
    chosen = get_classifier_settings()
    print(f"{len(items)} textes, dont {len(untuned)} jamais réglés ({', '.join(UNTUNED)})")
    print(f"réglages actuels (matching.yml) : {chosen}\n")

    # Out-of-fold probabilities: seed -> regularisation -> one dict per text.
    oof: dict[int, dict[float, list[dict[str, float]]]] = {}
    for seed in SEEDS:
        oof[seed] = {}
        folds = list(KFold(5, shuffle=True, random_state=seed).split(texts))
        for regularisation in REGULARISATIONS:
            probabilities: list[dict[str, float]] = [{} for _ in texts]
            for train, test in folds:
                model = SignalClassifier([items[i][1] for i in train], regularisation)
                for index in test:
                    probabilities[index] = classifier_probabilities(
                        model, texts[index], tokens[index]
                    )
            oof[seed][regularisation] = probabilities

    def score(indexes: list[int], found: list[set[str]]) -> str:
        precision, recall = figures((found[i], expected[i]) for i in indexes)
        return f"{precision:.2f} / {recall:.2f}"

    everything = list(range(len(items)))
    alone = [set(found) for found in patterns]
    print("motifs seuls (sans classifieur)")
    print(f"  tous : {score(everything, alone)}   jamais réglés : {score(untuned, alone)}\n")
    print("C      seuil  union, tous (P / R)  union, jamais réglés  classifieur seul, tous")
    for regularisation in REGULARISATIONS:
        for threshold in THRESHOLDS:
            settings = ClassifierSettings(regularisation, threshold)
            union_all, union_untuned, only = [], [], []
            for seed in SEEDS:
                probabilities = oof[seed][regularisation]
                union = [
                    set(combine(patterns[i], probabilities[i], vetoed[i], settings))
                    for i in everything
                ]
                union_all.append(figures((union[i], expected[i]) for i in everything))
                union_untuned.append(figures((union[i], expected[i]) for i in untuned))
                classifier = [
                    {key for key, value in probabilities[i].items() if value >= threshold}
                    for i in everything
                ]
                only.append(figures((classifier[i], expected[i]) for i in everything))

            def mean(rows: list[tuple[float, float]]) -> str:
                return " / ".join(
                    f"{sum(column) / len(column):.2f}" for column in zip(*rows, strict=True)
                )

            print(
                f"{regularisation:<6g} {threshold:<6g} {mean(union_all):<20} "
                f"{mean(union_untuned):<21} {mean(only)}"
            )

    print(f"\nsignaux ajoutés par le classifieur seul (C={chosen.regularisation:g}), par bande :")
    for low, high in BANDS:
        right = wrong = 0
        for seed in SEEDS:
            probabilities = oof[seed][chosen.regularisation]
            for i in everything:
                for signal, value in probabilities[i].items():
                    if low <= value < high and signal not in patterns[i]:
                        if signal in vetoed[i]:
                            continue
                        right += signal in expected[i]
                        wrong += signal not in expected[i]
        total = right + wrong
        share = f"{right / total:.2f}" if total else "—"
        print(
            f"  [{low:.1f}, {min(high, 1):.1f}) : {total / len(SEEDS):.1f} par passe, "
            f"précision {share}"
        )

    others = [items[i][1] for i in everything if items[i][0] not in WRITTEN]
    model = SignalClassifier(others, chosen.regularisation)
    print(
        f"\nséries écrites d'après le guide, classifieur appris sur les {len(others)} autres textes"
    )
    for name in (*WRITTEN, "toutes"):
        indexes = [
            i
            for i in everything
            if items[i][0] == name or (name == "toutes" and items[i][0] in WRITTEN)
        ]
        union = [set() for _ in items]
        for i in indexes:
            guess = classifier_probabilities(model, texts[i], tokens[i])
            union[i] = set(combine(patterns[i], guess, vetoed[i], chosen))
        print(f"  {name:<10} motifs {score(indexes, alone)}   union {score(indexes, union)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
