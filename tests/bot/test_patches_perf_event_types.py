"""bot.patches.perf_event_types: event classes found by name without walking the subclasses."""

from __future__ import annotations

import pytest
import rasa.shared.utils.common
from rasa.shared.core.events import ActiveLoop, Event, SlotSet, UserUttered, deserialise_events

from bot.patches import PATCHES, perf_event_types

EVENTS = [
    {"event": "user", "text": "bonjour", "parse_data": {"intent": {"name": "greet"}}},
    {"event": "slot", "name": "headcount", "value": 45},
    {"event": "active_loop", "name": "diagnostic_form"},
] * 10


@pytest.fixture
def walks(monkeypatch) -> list[object]:
    """Counts the subclass walks Rasa's lookup makes."""
    original = rasa.shared.utils.common.all_subclasses
    calls: list[object] = []

    def counting(cls):
        calls.append(cls)
        return original(cls)

    monkeypatch.setattr(rasa.shared.utils.common, "all_subclasses", counting)
    return calls


def test_listed_in_the_server_patches():
    assert "perf_event_types" in PATCHES


def test_events_read_without_walking_the_subclasses_each_time(walks):
    perf_event_types.apply()
    deserialise_events(EVENTS[:3])  # each name found once
    walks.clear()
    events = deserialise_events(EVENTS)
    assert [type(e) for e in events] == [UserUttered, SlotSet, ActiveLoop] * 10
    assert events[1] == SlotSet("headcount", 45)
    assert walks == []


def test_unknown_names_behave_as_in_rasa():
    perf_event_types.apply()
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")


def test_apply_is_idempotent():
    perf_event_types.apply()
    patched = Event.resolve_by_type
    perf_event_types.apply()
    assert Event.resolve_by_type is patched
