"""action_clarify and action_delete_data."""

from __future__ import annotations

from action_helpers import make_tracker, responses

from actions.session import ActionClarify, ActionDeleteData, ActionPrivacyNotice

RANKING = [("nlu_fallback", 0.6), ("ask_risks", 0.3), ("ask_cost", 0.25), ("greet", 0.1)]


async def test_clarify_offers_the_two_most_likely_intents(domain, dispatcher):
    tracker = make_tracker(
        intent="nlu_fallback", text="et les dangers, ça coûte ?", ranking=RANKING
    )
    events = await ActionClarify().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_clarify"]
    buttons = dispatcher.messages[0]["buttons"]
    assert [b["payload"] for b in buttons] == ["/ask_risks", "/ask_cost"]
    labels = domain["responses"]
    assert buttons[0]["title"] == labels["utter_intent_label_ask_risks"][0]["text"]
    assert events == []


async def test_clarify_keeps_the_named_service(domain, dispatcher):
    tracker = make_tracker(
        intent="nlu_fallback",
        entities={"service": "security"},
        ranking=[("nlu_fallback", 0.5), ("ask_service", 0.4), ("ask_risks", 0.1)],
    )
    await ActionClarify().run(dispatcher, tracker, domain)
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads == ['/ask_service{"service": "security"}', "/ask_risks"]


async def test_clarify_skips_replies_that_are_not_topics(domain, dispatcher):
    ranking = [("nlu_fallback", 0.5), ("affirm", 0.3), ("ask_what_to_keep", 0.1), ("deny", 0.1)]
    await ActionClarify().run(
        dispatcher, make_tracker(intent="nlu_fallback", ranking=ranking), domain
    )
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/ask_what_to_keep"]


async def test_clarify_without_candidates_says_what_the_bot_can_do(domain, dispatcher):
    tracker = make_tracker(intent="nlu_fallback", ranking=[("nlu_fallback", 1.0), ("deny", 0.1)])
    await ActionClarify().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_default"]


async def test_data_deletion_wipes_the_slots_and_stops_the_form(domain, dispatcher):
    tracker = make_tracker(slots={"headcount": 45}, active_loop="diagnostic_form")
    events = await ActionDeleteData().run(dispatcher, tracker, domain)
    # The confirmation comes from the Rasa server once the rows are deleted (bot/patches/privacy).
    assert responses(dispatcher) == []
    assert [e["event"] for e in events] == ["reset_slots", "active_loop"]
    assert events[1]["name"] is None


async def test_data_deletion_outside_the_form(domain, dispatcher):
    events = await ActionDeleteData().run(dispatcher, make_tracker(), domain)
    assert [e["event"] for e in events] == ["reset_slots", "active_loop"]


async def test_privacy_notice_says_how_long_from_the_setting(domain, dispatcher, monkeypatch):
    from bot.settings import get_settings

    monkeypatch.setenv("RETENTION_DAYS", "45")
    get_settings.cache_clear()
    try:
        await ActionPrivacyNotice().run(dispatcher, make_tracker(), domain)
    finally:
        get_settings.cache_clear()
    assert responses(dispatcher) == ["utter_privacy_notice"]
    assert dispatcher.messages[0]["retention_days"] == 45
    text = domain["responses"]["utter_privacy_notice"][0]["text"]
    for topic in ("{retention_days} jours", "supprimez mes données", "journaux"):
        assert topic in text
