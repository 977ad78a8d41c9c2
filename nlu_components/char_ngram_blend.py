"""Intent classifier that blends DIET's intent probabilities with a character n-gram model.

A logistic regression on TF-IDF weighted character n-grams (`char_wb`, within word boundaries) of
the lower-cased text, trained on the same intent examples. Its probabilities are averaged with
those DIET left in `intent_ranking` (DIET must keep every intent: `ranking_length: 0`):
`weight * DIET + (1 - weight) * n-grams`. Character n-grams absorb typos and inflections that
few training examples cover; DIET brings the spaCy vectors and the word context. Without a DIET
ranking on a message, the n-gram probabilities alone are used.

Persisted as plain arrays and JSON (no pickle).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CharNgramBlendClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "min_ngram": 2,
            "max_ngram": 5,
            "C": 10.0,  # inverse L2 regularisation of the logistic regression
            "weight": 0.5,  # share of DIET in the blend
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vectorizer: TfidfVectorizer | None = None,
        classifier: LogisticRegression | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.vectorizer = vectorizer
        self.classifier = classifier

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CharNgramBlendClassifier:
        return cls(config, model_storage, resource)

    def _new_vectorizer(self, **fitted: Any) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(self.config["min_ngram"], self.config["max_ngram"]),
            lowercase=True,
            sublinear_tf=True,
            **fitted,
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        labels = {m.get(INTENT) for m in examples}
        if len(labels) < 2:
            return self._resource  # nothing to separate: process() leaves DIET's result as is
        self.vectorizer = self._new_vectorizer()
        features = self.vectorizer.fit_transform([m.get(TEXT) for m in examples])
        self.classifier = LogisticRegression(
            C=self.config["C"], max_iter=3000, class_weight="balanced", random_state=42
        )
        self.classifier.fit(features, [m.get(INTENT) for m in examples])
        self.persist()
        return self._resource

    def persist(self) -> None:
        if self.vectorizer is None or self.classifier is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            vocabulary = {term: int(index) for term, index in self.vectorizer.vocabulary_.items()}
            (directory / "vocabulary.json").write_text(json.dumps(vocabulary), encoding="utf-8")
            np.savez(
                directory / "arrays.npz",
                idf=self.vectorizer.idf_,
                coef=self.classifier.coef_,
                intercept=self.classifier.intercept_,
                classes=np.array(self.classifier.classes_, dtype=str),
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CharNgramBlendClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                vocabulary = json.loads((directory / "vocabulary.json").read_text("utf-8"))
                arrays = np.load(directory / "arrays.npz", allow_pickle=False)
                vectorizer = component._new_vectorizer(vocabulary=vocabulary)
                vectorizer.idf_ = arrays["idf"]
                classifier = LogisticRegression()
                classifier.coef_ = arrays["coef"]
                classifier.intercept_ = arrays["intercept"]
                classifier.classes_ = arrays["classes"]
        except (ValueError, FileNotFoundError):
            return component  # trained on fewer than two intents: nothing was persisted
        component.vectorizer, component.classifier = vectorizer, classifier
        return component

    def _ngram_probabilities(self, texts: list[str]) -> np.ndarray:
        assert self.vectorizer is not None and self.classifier is not None
        probabilities: np.ndarray = self.classifier.predict_proba(self.vectorizer.transform(texts))
        return probabilities

    def process(self, messages: list[Message]) -> list[Message]:
        if self.vectorizer is None or self.classifier is None:
            return messages
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return messages
        classes = [str(name) for name in self.classifier.classes_]
        ngram = self._ngram_probabilities([m.get(TEXT) for m in with_text])
        weight = self.config["weight"]
        for message, row in zip(with_text, ngram, strict=True):
            diet = {r["name"]: r["confidence"] for r in message.get(INTENT_RANKING_KEY) or []}
            if diet:
                blended = [
                    weight * diet.get(c, 0.0) + (1 - weight) * p
                    for c, p in zip(classes, row, strict=True)
                ]
            else:
                blended = [float(p) for p in row]
            order = sorted(range(len(classes)), key=lambda i: -blended[i])
            ranking = [{"name": classes[i], "confidence": float(blended[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            if self.config["ranking_length"] > 0:
                ranking = ranking[: self.config["ranking_length"]]
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
