"""Load the spaCy model once in the Rasa server, not once per graph node, without its NER.

Rasa 3.6.21's prediction graph has two nodes of class `SpacyNLP` (`provide_SpacyNLP0`, which
hands the model to the pipeline, and `run_SpacyNLP0`, which uses that handed model) and builds
each with `SpacyNLP.create`, so `fr_core_news_md` was loaded twice at startup: about 340 MB of
resident memory and 10 to 20 s of startup for a copy never used (issue #9). Loading is keyed
by the model name; the shared `Language` object is only used to analyse texts.

Its named-entity recogniser is also switched off, as Rasa already does for the parser: no
component of `config.yml` reads spaCy's entities (only `SpacyEntityExtractor` would; a test keeps
it out of the pipeline), the tokens, lemmas, tags and vectors the featurizers read do not depend
on it, and it was more than half of spaCy's time per message (2.5 of 4.3 ms of CPU).
"""

from __future__ import annotations

from typing import Any

MARK = "_perf_loaded_once"


def apply() -> None:
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    original = SpacyNLP.load_model
    if getattr(original, MARK, False):
        return
    loaded: dict[str, Any] = {}

    def load_model(spacy_model_name: str) -> Any:
        if spacy_model_name not in loaded:
            model = original(spacy_model_name)
            if "ner" in model.model.pipe_names:
                model.model.disable_pipe("ner")
            loaded[spacy_model_name] = model
        return loaded[spacy_model_name]

    setattr(load_model, MARK, True)
    SpacyNLP.load_model = staticmethod(load_model)
