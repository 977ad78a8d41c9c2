"""Validate action server responses with one compiled JSON schema validator.

Rasa 3.6.21 checks each action server response with `jsonschema.validate(result, schema)`
(`RemoteAction._validate_action_result`). That call first validates the schema itself against
the JSON Schema metaschema, on every call: under load, about 30 % of the Rasa server's CPU
(issue #9, py-spy). The schema never changes, so it is checked once and compiled once here;
a valid response passes through the compiled validator, and an invalid one still goes through
Rasa's own method, so the error raised (and its message) is unchanged.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

MARK = "_perf_compiled_validator"


@lru_cache(maxsize=1)
def compiled_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def apply() -> None:
    from rasa.core.actions.action import RemoteAction

    original = RemoteAction._validate_action_result
    if getattr(original, MARK, False):
        return

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if compiled_validator().is_valid(result):
            return True
        return original(self, result)  # raises Rasa's ValidationError with its message

    setattr(_validate_action_result, MARK, True)
    RemoteAction._validate_action_result = _validate_action_result
