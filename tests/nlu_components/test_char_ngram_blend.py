"""CharNgramBlendClassifier: training, persistence without pickle, and the blend with DIET."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.settings import ROOT
from nlu_components.char_ngram_blend import CharNgramBlendClassifier

EXAMPLES = {
    "greet": ["bonjour", "salut à vous", "bonsoir", "coucou", "hello"],
    "ask_cost": ["combien ça coûte", "quel est le prix", "le coût mensuel ?", "tarif du support"],
    "ask_risks": [
        "quels sont les risques",
        "c'est dangereux ?",
        "les dangers de l'externalisation",
    ],
}


def training_data() -> TrainingData:
    return TrainingData(
        [Message(data={TEXT: t, INTENT: i}) for i, texts in EXAMPLES.items() for t in texts]
    )


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def trained(storage: LocalModelStorage, **config: object) -> CharNgramBlendClassifier:
    resource = Resource("blend")
    component = CharNgramBlendClassifier.create(
        {**CharNgramBlendClassifier.get_default_config(), **config}, storage, resource, context()
    )
    component.train(training_data())
    return component


def parse(component: CharNgramBlendClassifier, text: str, diet: dict[str, float] | None = None):
    message = Message(data={TEXT: text})
    if diet is not None:
        ranking = [{"name": n, "confidence": c} for n, c in diet.items()]
        message.set(INTENT_RANKING_KEY, ranking)
    component.process([message])
    return message


def test_alone_it_recognises_a_misspelt_training_intent(storage: LocalModelStorage) -> None:
    message = parse(trained(storage), "combien ca coute")
    assert message.get(INTENT)["name"] == "ask_cost"
    ranking = message.get(INTENT_RANKING_KEY)
    assert ranking[0]["name"] == "ask_cost"
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)


def test_the_blend_is_the_weighted_mean_of_diet_and_ngrams(storage: LocalModelStorage) -> None:
    component = trained(storage, weight=0.5)
    ngrams = {
        r["name"]: r["confidence"] for r in parse(component, "bonjour").get(INTENT_RANKING_KEY)
    }
    diet = {"greet": 0.1, "ask_cost": 0.1, "ask_risks": 0.8}
    blended = {
        r["name"]: r["confidence"]
        for r in parse(component, "bonjour", diet).get(INTENT_RANKING_KEY)
    }
    for name in EXAMPLES:
        assert blended[name] == pytest.approx(0.5 * diet[name] + 0.5 * ngrams[name])


def test_weight_one_keeps_diets_decision(storage: LocalModelStorage) -> None:
    diet = {"greet": 0.1, "ask_cost": 0.1, "ask_risks": 0.8}
    message = parse(trained(storage, weight=1.0), "bonjour", diet)
    assert message.get(INTENT) == {"name": "ask_risks", "confidence": pytest.approx(0.8)}


def test_persisted_as_arrays_and_loaded_with_the_same_predictions(
    storage: LocalModelStorage,
) -> None:
    component = trained(storage)
    loaded = CharNgramBlendClassifier.load(
        CharNgramBlendClassifier.get_default_config(), storage, Resource("blend"), context()
    )
    with storage.read_from(Resource("blend")) as directory:
        assert sorted(p.name for p in directory.iterdir()) == ["arrays.npz", "vocabulary.json"]
    for text in ("salut", "c'est risqué ?", "prix du helpdesk"):
        before = parse(component, text).get(INTENT_RANKING_KEY)
        after = parse(loaded, text).get(INTENT_RANKING_KEY)
        assert [r["name"] for r in after] == [r["name"] for r in before]
        assert [r["confidence"] for r in after] == pytest.approx([r["confidence"] for r in before])


def test_ranking_length_and_messages_without_text(storage: LocalModelStorage) -> None:
    component = trained(storage, ranking_length=2)
    assert len(parse(component, "bonjour").get(INTENT_RANKING_KEY)) == 2
    empty = Message(data={})
    component.process([empty])
    assert empty.get(INTENT) is None


def test_one_intent_only_leaves_messages_untouched(storage: LocalModelStorage) -> None:
    resource = Resource("single")
    component = CharNgramBlendClassifier.create({}, storage, resource, context())
    component.train(TrainingData([Message(data={TEXT: "bonjour", INTENT: "greet"})]))
    loaded = CharNgramBlendClassifier.load({}, storage, resource, context())
    message = parse(loaded, "bonjour", {"greet": 1.0})
    assert message.get(INTENT) is None


def test_config_gives_the_blend_diets_full_ranking_before_the_fallback() -> None:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    names = [c["name"].rsplit(".", 1)[-1] for c in pipeline]
    diet = pipeline[names.index("DIETClassifier")]
    assert diet.get("ranking_length") == 0, "the blend needs every intent's DIET confidence"
    assert names.index("DIETClassifier") < names.index("CharNgramBlendClassifier")
    assert names.index("CharNgramBlendClassifier") < names.index("FallbackClassifier")
