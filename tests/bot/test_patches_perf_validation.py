"""bot.patches.perf_action_validation: the action response schema is checked once, not per call."""

from __future__ import annotations

import jsonschema
import pytest
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

from bot.patches import PATCHES, perf_action_validation

VALID = {
    "events": [
        {"event": "slot", "timestamp": None, "name": "headcount", "value": 45},
        {"event": "active_loop", "name": "diagnostic_form"},
    ],
    "responses": [{"response": "utter_noted"}],
}


@pytest.fixture
def schema_checks(monkeypatch) -> list[object]:
    """Counts the metaschema checks of the validator class Rasa's schema uses."""
    cls = validator_for(RemoteAction.action_response_format_spec())
    original = cls.check_schema.__func__
    calls: list[object] = []

    def counting(klass, schema, *args, **kwargs):
        calls.append(schema)
        return original(klass, schema, *args, **kwargs)

    monkeypatch.setattr(cls, "check_schema", classmethod(counting))
    return calls


def test_listed_in_the_server_patches():
    assert "perf_action_validation" in PATCHES


def test_valid_responses_do_not_recheck_the_schema(schema_checks):
    perf_action_validation.apply()
    perf_action_validation.compiled_validator()  # compiled once, ahead of the calls counted
    schema_checks.clear()
    action = RemoteAction("validate_diagnostic_form", None)
    for _ in range(5):
        assert action._validate_action_result(VALID) is True
    assert schema_checks == []


def test_invalid_response_still_raises_rasas_error():
    perf_action_validation.apply()
    action = RemoteAction("validate_diagnostic_form", None)
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server"):
        action._validate_action_result({"events": [{"event": "slot"}]})


def test_apply_is_idempotent():
    perf_action_validation.apply()
    patched = RemoteAction._validate_action_result
    perf_action_validation.apply()
    assert RemoteAction._validate_action_result is patched
