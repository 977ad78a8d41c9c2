"""bot.patches.perf_spacy_once: one spaCy model for both SpacyNLP graph nodes, without NER."""

from __future__ import annotations

from pathlib import Path

import spacy
import yaml
from rasa.nlu.utils.spacy_utils import SpacyNLP

from bot.patches import PATCHES, perf_spacy_once

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "Bonjour, nous sommes une PME industrielle de 45 personnes sur deux sites à Lyon.",
    "Faut-il externaliser la sécurité ? Notre comptable Jean Dupont gère tout.",
]


class FakeLanguage:
    path = "/fake"  # SpacyNLP.ensure_proper_language_model needs a path
    lang = "fr"
    pipe_names = ()


def test_listed_in_the_server_patches():
    assert "perf_spacy_once" in PATCHES


def test_the_two_graph_nodes_load_the_model_once(monkeypatch):
    loads: list[str] = []

    def fake_load(name, **kwargs):
        loads.append(name)
        return FakeLanguage()

    monkeypatch.setattr(spacy, "load", fake_load)
    monkeypatch.setattr(spacy, "info", lambda name: {"spacy_version": ""})
    monkeypatch.setattr(spacy.util, "is_compatible_version", lambda *args: True)
    perf_spacy_once.apply()
    config = {"model": "fr_test_model"}
    provide = SpacyNLP.create(config, None, None, None)  # provide_SpacyNLP0
    run = SpacyNLP.create(config, None, None, None)  # run_SpacyNLP0
    assert loads == ["fr_test_model"]
    assert provide.provide().model is run.provide().model


def test_apply_is_idempotent():
    perf_spacy_once.apply()
    patched = SpacyNLP.load_model
    perf_spacy_once.apply()
    assert SpacyNLP.load_model is patched


def test_no_pipeline_component_reads_spacy_entities():
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    names = [component["name"] for component in config["pipeline"]]
    assert "SpacyNLP" in names
    assert "SpacyEntityExtractor" not in names, "perf_spacy_once switches spaCy's NER off"


def test_without_ner_the_features_rasa_reads_are_unchanged():
    full = spacy.load("fr_core_news_md", disable=["parser"])
    perf_spacy_once.apply()
    light = SpacyNLP.load_model("fr_core_news_md").model
    assert "ner" not in light.pipe_names
    for text in TEXTS:
        a, b = full(text.lower()), light(text.lower())
        assert [(t.text, t.lemma_, t.pos_, t.tag_) for t in a] == [
            (t.text, t.lemma_, t.pos_, t.tag_) for t in b
        ]
        assert (a.vector == b.vector).all()
