"""bot.patches.perf_spacy_once: both SpacyNLP graph nodes share one loaded spaCy model."""

from __future__ import annotations

import spacy
from rasa.nlu.utils.spacy_utils import SpacyNLP

from bot.patches import PATCHES, perf_spacy_once


class FakeLanguage:
    path = "/fake"  # SpacyNLP.ensure_proper_language_model needs a path
    lang = "fr"


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
