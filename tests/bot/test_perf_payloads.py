"""Button payloads with entities go through Rasa's response interpolation without an error.

Rasa fills every response with the slots; a payload written '/inform{"multi_site": false}' in
the domain was read as a placeholder named '"multi_site": false', which logged an ERROR with a
traceback each time a form question was asked (issue #9: about 30 % of the Rasa server's CPU in
a profile). Written with doubled braces, as Rasa documents, it renders to the same payload.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rasa.core.nlg import interpolator
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parents[2]
# The payload a button sends: /intent followed by a JSON object of entities.
PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<entities>\{.*\})?$")


class Recorder:
    def __init__(self) -> None:
        self.errors: list[dict] = []

    def exception(self, event: str, **kwargs: object) -> None:
        self.errors.append({"event": event, **kwargs})

    error = exception


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


async def test_every_button_renders_to_a_valid_payload_without_error(domain, monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(interpolator, "structlogger", recorder)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker.from_events("payloads", [], slots=domain.slots)
    tracker._set_slot("diagnostic_step", 2)
    tracker._set_slot("diagnostic_total", 4)
    with_entities = 0
    for name, variants in domain.responses.items():
        for index, variant in enumerate(variants):
            if not variant.get("buttons"):
                continue
            # generate() picks a variation at random: fill each one directly.
            # Values the actions pass with their responses (not slots).
            values = {**tracker.current_slot_values(), "retention_days": 180}
            response = nlg._fill_response(dict(variant), values)
            for button in response["buttons"]:
                match = PAYLOAD.match(button["payload"])
                assert match, (name, index, button["payload"])
                assert match["intent"] in domain.intents, button["payload"]
                if match["entities"]:
                    with_entities += 1
                    entities = json.loads(match["entities"])
                    assert set(entities) <= set(domain.entities), button["payload"]
    assert with_entities >= 16, "the form's and the service question's buttons carry entities"
    assert recorder.errors == []


async def test_form_question_sends_the_button_payload_the_user_clicks(domain):
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker.from_events("payloads", [], slots=domain.slots)
    reply = await nlg.generate("utter_ask_diagnostic_form_multi_site", tracker, "rest")
    assert [b["payload"] for b in reply["buttons"]] == [
        '/inform{"multi_site": false}',
        '/inform{"multi_site": true}',
        "/dont_know",
    ]
