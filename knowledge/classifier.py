"""Third detection stage: a small multi-label classifier trained on ``signal_examples.yml``.

TF-IDF of character n-grams (3 to 5, within words) and of words (1 and 2), over the matching form
of the text (``normalize``), then one logistic regression per signal (one-vs-rest). It learns the
everyday phrasings the patterns do not list. Trained at first use from every labelled set of
``content/signal_examples.yml`` (read from disk, like ``messages.yml``), deterministic, then kept
in memory. Its settings (regularisation, thresholds) sit in ``matching.yml`` (``classifier``) and
were chosen by cross-validation: ``scripts/signal_classifier_experiment.py`` prints the table.
scikit-learn is imported on first use only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .profile import SIGNAL_IDS
from .settings import CONTENT_DIR
from .text import normalize

EXAMPLES_PATH = CONTENT_DIR / "signal_examples.yml"


def read_examples(path: Path = EXAMPLES_PATH) -> dict[str, list[dict[str, Any]]]:
    """Labelled sets by name: ``{"dev": [{"text": ..., "expected": [...]}, ...], ...}``."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {name: list(items) for name, items in data.items()}


def all_examples(path: Path = EXAMPLES_PATH) -> list[dict[str, Any]]:
    """Every labelled text of every set, in file order."""
    return [item for items in read_examples(path).values() for item in items]


@dataclass(frozen=True)
class ClassifierSettings:
    regularisation: float  # C of the logistic regressions (higher: fits the examples closer)
    threshold: float  # probability from which a signal is reported (always ``possible``)

    @classmethod
    def from_content(cls, data: Mapping[str, Any]) -> ClassifierSettings:
        return cls(
            regularisation=float(data["regularisation"]),
            threshold=float(data["threshold"]),
        )


class SignalClassifier:
    """Probability of each contract signal for a text."""

    def __init__(self, examples: Sequence[Mapping[str, Any]], regularisation: float) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import make_union
        from sklearn.preprocessing import MultiLabelBinarizer

        labels = MultiLabelBinarizer(classes=SIGNAL_IDS).fit_transform(
            [item["expected"] for item in examples]
        )
        self._features = make_union(
            TfidfVectorizer(
                analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, preprocessor=normalize
            ),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), preprocessor=normalize),
        )
        matrix = self._features.fit_transform([item["text"] for item in examples])
        # A signal with no positive example would make its regression fail: left at zero.
        self._columns = [index for index in range(len(SIGNAL_IDS)) if labels[:, index].any()]
        self._model = OneVsRestClassifier(
            # liblinear: about 0.1 s here where lbfgs takes 1 s, same probabilities within 0.01.
            # No class weighting: « balanced » made a topic word alone (« sauvegarde », « coût »)
            # a signal at 0.8 or more in calm texts.
            LogisticRegression(C=regularisation, solver="liblinear", max_iter=1000)
        ).fit(matrix, labels[:, self._columns])

    def probabilities(self, texts: Iterable[str]) -> list[dict[str, float]]:
        """For each text, signal id -> probability (every contract signal, content order)."""
        texts = list(texts)
        if not texts:
            return []
        scores = self._model.predict_proba(self._features.transform(texts))
        result = []
        for row in scores:
            probabilities = dict.fromkeys(SIGNAL_IDS, 0.0)
            for column, score in zip(self._columns, row, strict=True):
                probabilities[SIGNAL_IDS[column]] = float(score)
            result.append(probabilities)
        return result

    def probability(self, text: str) -> dict[str, float]:
        return self.probabilities([text])[0]


@lru_cache(maxsize=1)
def get_classifier(regularisation: float) -> SignalClassifier:
    """The classifier trained on every example of the content, once per process."""
    return SignalClassifier(all_examples(), regularisation)
