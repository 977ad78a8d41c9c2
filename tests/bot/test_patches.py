"""The Rasa-process patches, each against a case that fails without it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.patches import PATCHES, apply_all
from bot.patches.payloads import literal_text, offered_payloads
from bot.patches.resilience import ACTION_FAILED, StoreUnavailableError
from bot.settings import ROOT

TIMEOUT_S = 1.0


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(autouse=True)
def patched(monkeypatch) -> Iterator[None]:
    monkeypatch.setenv("ACTION_TIMEOUT", str(TIMEOUT_S))
    from bot.settings import get_settings

    get_settings.cache_clear()
    apply_all()
    yield
    get_settings.cache_clear()


def test_every_patch_module_is_listed() -> None:
    modules = {p.stem for p in (ROOT / "bot" / "patches").glob("*.py")} - {"__init__"}
    assert set(PATCHES) == modules


async def start_action_server(handler) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/webhook"


async def run_action(url: str, domain: Domain) -> tuple[list, list, float]:
    """(events, messages sent, seconds) of one custom action call."""
    tracker = DialogueStateTracker.from_events("s", [UserUttered("bonjour")])
    action = RemoteAction("action_give_advice", EndpointConfig(url))
    channel = CollectingOutputChannel()
    started = time.monotonic()
    events = await action.run(
        channel, TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain
    )
    return events, channel.messages, time.monotonic() - started


def assert_apology(result: tuple, domain: Domain) -> None:
    events, messages, _ = result
    assert events == []
    assert [m["text"] for m in messages] == [domain.responses[ACTION_FAILED][0]["text"]]
    assert messages[0]["text"].startswith("Désolé")


async def test_action_server_down_gives_an_apology(domain) -> None:
    runner, url = await start_action_server(lambda request: web.json_response({}))
    await runner.cleanup()  # nothing listens any more
    assert_apology(await run_action(url, domain), domain)


async def test_failing_action_server_gives_an_apology(domain) -> None:
    async def fail(request: web.Request) -> web.Response:
        return web.json_response({"error": "boom"}, status=500)

    runner, url = await start_action_server(fail)
    try:
        result = await run_action(url, domain)
    finally:
        await runner.cleanup()
    assert_apology(result, domain)


async def test_slow_action_server_gives_an_apology_after_the_timeout(domain) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.json_response({"events": [], "responses": []})

    runner, url = await start_action_server(slow)
    try:
        result = await run_action(url, domain)
    finally:
        await runner.cleanup()
    assert_apology(result, domain)
    assert result[2] < 30  # stock Rasa waits for the action server up to 5 minutes


async def test_a_working_action_server_is_untouched(domain) -> None:
    async def ok(request: web.Request) -> web.Response:
        return web.json_response({"events": [], "responses": [{"text": "Voici votre plan."}]})

    runner, url = await start_action_server(ok)
    try:
        events, messages, _ = await run_action(url, domain)
    finally:
        await runner.cleanup()
    assert [e.text for e in events] == ["Voici votre plan."] and messages == []


async def test_one_apology_per_turn(domain) -> None:
    tracker = DialogueStateTracker.from_events("turn", [UserUttered("bonjour")])
    action = RemoteAction("action_give_advice", EndpointConfig("http://127.0.0.1:9/webhook"))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    channel = CollectingOutputChannel()
    for _ in range(3):  # slot mapping, form validation, next action: same turn
        await action.run(channel, nlg, tracker, domain)
    assert len(channel.messages) == 1
    tracker.update(UserUttered("encore"))
    await action.run(channel, nlg, tracker, domain)
    assert len(channel.messages) == 2


class BrokenStore(InMemoryTrackerStore):
    async def retrieve(self, sender_id: str):
        raise ConnectionError("database down")

    async def save(self, tracker) -> None:
        raise ConnectionError("database down")


async def test_tracker_store_errors_are_not_swallowed() -> None:
    """Stock Rasa reads a blank conversation and keeps the turn in memory: lost once back."""
    store = FailSafeTrackerStore(BrokenStore(None))
    with pytest.raises(StoreUnavailableError):
        await store.retrieve("s")
    with pytest.raises(StoreUnavailableError):
        await store.save(DialogueStateTracker.from_events("s", []))


def test_offered_payloads_are_the_bot_buttons() -> None:
    tracker = DialogueStateTracker.from_events(
        "s",
        [
            BotUttered("Question", data={"buttons": [{"title": "Oui", "payload": "/affirm"}]}),
            BotUttered(
                "Q2", data={"buttons": [{"title": "1", "payload": '/inform{"multi_site": true}'}]}
            ),
            UserUttered("/affirm"),
        ],
    )
    assert offered_payloads(tracker) == {"/affirm", '/inform{"multi_site": true}'}


def test_a_typed_payload_is_read_as_text() -> None:
    assert literal_text('/request_data_deletion{"x": 1}') == 'request_data_deletion{"x": 1}'
    assert literal_text("  //  ") == "?"


def test_rasa_server_bodies_are_capped_with_json_errors() -> None:
    import rasa.core.run

    from bot.patches.http_limits import MAX_REQUEST_BYTES

    app = rasa.core.run.configure_app(input_channels=[], enable_api=False, port=0)
    assert app.config.REQUEST_MAX_SIZE == MAX_REQUEST_BYTES  # Sanic's default: 100 MB
    assert app.config.FALLBACK_ERROR_FORMAT == "json"


class DownLockStore:
    """Redis unreachable: taking the conversation's lock fails."""

    def lock(self, sender_id: str):
        import redis

        raise redis.exceptions.ConnectionError("Connection refused")


async def test_a_turn_that_cannot_run_gets_an_apology(domain) -> None:
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage

    agent = Agent.__new__(Agent)
    agent.lock_store = DownLockStore()
    agent.processor = object()  # "ready"
    agent.domain = domain
    channel = CollectingOutputChannel()
    channel.messages.append({"text": "réponse d'un tour non enregistré"})
    await agent.handle_message(UserMessage("bonjour", channel, "s"))
    assert [m["text"] for m in channel.messages] == [
        domain.responses["utter_service_unavailable"][0]["text"]
    ]
