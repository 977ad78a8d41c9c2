"""Slack connector against the fake Slack Web API, through a real HTTP server on loopback.

Expected behaviour comes from issue #8 and Slack's documentation: v0 signatures and the
five-minute window (api.slack.com/authentication/verifying-requests-from-slack), retries with
X-Slack-Retry-Reason (api.slack.com/apis/connections/events-api#retries), Block Kit limits.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlencode

import pytest
from rasa.core.channels.channel import UserMessage

from bot.inbound import cut_notice
from bot.settings import get_settings
from bot.slack import SlackInput
from tests.fakes.env import MAX_LENGTH, SLACK_SECRET, SLACK_TOKEN, use_settings
from tests.fakes.rasa_app import ChannelServer, echo
from tests.fakes.slack_api import (
    FakeSlack,
    block_action,
    message_event,
    signed_headers,
)


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    fake = FakeSlack(SLACK_TOKEN)
    fake.start()
    use_settings(
        monkeypatch,
        SLACK_BOT_TOKEN=SLACK_TOKEN,
        SLACK_SIGNING_SECRET=SLACK_SECRET,
        SLACK_API_URL=fake.api_url,
    )
    yield fake
    fake.stop()
    get_settings.cache_clear()


@pytest.fixture
async def server(slack: FakeSlack) -> AsyncIterator[ChannelServer]:
    async with ChannelServer(SlackInput(get_settings()), echo) as running:
        yield running


def body_of(envelope: object) -> bytes:
    return json.dumps(envelope).encode()


async def send_event(server: ChannelServer, envelope: dict, **headers: str):
    body = body_of(envelope)
    return await server.post(body, {**signed_headers(SLACK_SECRET, body), **headers})


def test_seen_events_are_remembered_in_redis_across_instances() -> None:
    # Two Rasa instances share Redis when LOCK_STORE=redis: one event, one turn.
    import asyncio

    from bot.platforms import SeenEvents

    async def run() -> tuple[bool, bool]:
        key = f"event:test-{time.time_ns()}"
        first = SeenEvents("slack", "redis://127.0.0.1:6379/0", ttl=30)
        second = SeenEvents("slack", "redis://127.0.0.1:6379/0", ttl=30)
        return await first.first_time(key), await second.first_time(key)

    assert asyncio.run(run()) == (True, False)


async def test_signed_direct_message_is_answered_in_its_channel(
    server: ChannelServer, slack: FakeSlack
) -> None:
    status, _, _ = await send_event(server, message_event("Bonjour"))
    await server.settle()
    assert status == 200
    assert [m.text for m in server.messages] == ["Bonjour"]
    assert server.messages[0].input_channel == "slack"
    assert server.messages[0].sender_id == "U0USER01"
    posted = slack.messages("D0DIRECT")
    assert [m["text"] for m in posted] == ["reçu : Bonjour"]
    assert "thread_ts" not in posted[0]


def envelope_with(event_id: str) -> dict:
    envelope = message_event("Nos serveurs plantent")
    envelope["event_id"] = event_id
    return envelope


# (case, what is sent, expected HTTP status, whether the bot runs a turn)
REQUEST_CASES = [
    ("bad signature", "bad_signature", 401, False),
    ("no signature", "no_signature", 401, False),
    ("stale timestamp (6 min old)", "stale", 401, False),
    ("timestamp in the future (+6 min)", "future", 401, False),
    ("body changed after signing", "tampered", 401, False),
    ("timestamp not a number", "timestamp_text", 401, False),
]


async def test_requests_not_from_slack_are_refused(server: ChannelServer) -> None:
    tried = rejected = 0
    for name, kind, status_expected, _ in REQUEST_CASES:
        envelope = message_event(f"cas {name}")
        body = body_of(envelope)
        headers = signed_headers(SLACK_SECRET, body)
        if kind == "bad_signature":
            headers = signed_headers("not-the-secret", body)
        elif kind == "no_signature":
            del headers["X-Slack-Signature"]
        elif kind == "stale":
            headers = signed_headers(SLACK_SECRET, body, int(time.time()) - 360)
        elif kind == "future":
            headers = signed_headers(SLACK_SECRET, body, int(time.time()) + 360)
        elif kind == "tampered":
            body = body.replace(b"cas", b"CAS")
        elif kind == "timestamp_text":
            headers["X-Slack-Request-Timestamp"] = "hier"
        status, _, _ = await server.post(body, headers)
        tried += 1
        rejected += status == status_expected
        assert status == status_expected, name
    await server.settle()
    assert server.messages == []
    print(f"\nSlack authentification : {tried} cas essayés, {rejected} refusés comme attendu")


@pytest.mark.parametrize(
    "reason",
    [
        "http_timeout",
        "http_error",
        "connection_failed",
        "ssl_error",
        "unknown_error",
        "too_many_redirects",
    ],
)
async def test_a_retried_event_is_processed_once_whatever_the_reason(
    server: ChannelServer, slack: FakeSlack, reason: str
) -> None:
    envelope = message_event("Faut-il externaliser la sécurité ?")
    first, _, _ = await send_event(server, envelope)
    retry, _, retry_headers = await send_event(
        server, envelope, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": reason}
    )
    await server.settle()
    assert (first, retry) == (200, 200)
    assert retry_headers.get("X-Slack-No-Retry") == "1"
    assert len(server.messages) == 1
    assert len(slack.messages()) == 1


async def test_replayed_event_without_retry_header_is_not_processed_again(
    server: ChannelServer,
) -> None:
    envelope = message_event("Nos serveurs plantent")
    await send_event(server, envelope)
    status, _, _ = await send_event(server, envelope)
    await server.settle()
    assert status == 200
    assert len(server.messages) == 1


async def test_a_retry_whose_first_delivery_never_arrived_is_processed(
    server: ChannelServer,
) -> None:
    # Rasa's connector drops every http_timeout retry, even when the first attempt was lost.
    status, _, _ = await send_event(
        server,
        message_event("Nos serveurs plantent"),
        **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    await server.settle()
    assert status == 200
    assert [m.text for m in server.messages] == ["Nos serveurs plantent"]


async def test_url_verification_is_answered(server: ChannelServer) -> None:
    envelope = {
        "token": "x",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
    status, text, _ = await send_event(server, envelope)
    assert status == 200
    assert json.loads(text)["challenge"] == envelope["challenge"]


IGNORED_EVENTS = {
    "own bot message": message_event("Bonjour", bot_id="B0BOT001", subtype="bot_message"),
    "message from the bot user": message_event("Bonjour", user="UBOT0001"),
    "edit": message_event("Bonjour", subtype="message_changed"),
    "deletion": message_event("Bonjour", subtype="message_deleted"),
    "channel message without mention": message_event(
        "Bonjour", channel="C0GENERAL", channel_type="channel"
    ),
    "reaction": {**message_event("x"), "event": {"type": "reaction_added", "user": "U0USER01"}},
}


@pytest.mark.parametrize("name", sorted(IGNORED_EVENTS))
async def test_messages_that_are_not_questions_are_ignored(
    server: ChannelServer, slack: FakeSlack, name: str
) -> None:
    status, _, _ = await send_event(server, IGNORED_EVENTS[name])
    await server.settle()
    assert status == 200
    assert server.messages == []
    assert slack.messages() == []


async def test_question_in_a_channel_thread_is_answered_in_that_thread(
    server: ChannelServer, slack: FakeSlack
) -> None:
    envelope = message_event(
        "<@UBOT0001> faut-il externaliser la sécurité ?",
        channel="C0GENERAL",
        channel_type="channel",
        event_type="app_mention",
        ts="1700000100.000200",
        thread_ts="1700000000.000100",
    )
    await send_event(server, envelope)
    await server.settle()
    assert [m.text for m in server.messages] == ["faut-il externaliser la sécurité ?"]
    assert server.messages[0].sender_id == "U0USER01:C0GENERAL:1700000000.000100"
    (reply,) = slack.messages("C0GENERAL")
    assert reply["thread_ts"] == "1700000000.000100"


async def test_mention_outside_a_thread_is_answered_in_a_new_thread(
    server: ChannelServer, slack: FakeSlack
) -> None:
    envelope = message_event(
        "<@UBOT0001> bonjour",
        channel="C0GENERAL",
        channel_type="channel",
        event_type="app_mention",
        ts="1700000200.000300",
    )
    await send_event(server, envelope)
    await server.settle()
    (reply,) = slack.messages("C0GENERAL")
    assert reply["thread_ts"] == "1700000200.000300"


async def test_seven_buttons_all_reach_slack(slack: FakeSlack) -> None:
    buttons = [{"title": f"Choix {n}", "payload": f'/inform{{"n": {n}}}'} for n in range(1, 8)]

    async def seven(message: UserMessage) -> None:
        await message.output_channel.send_text_with_buttons(message.sender_id, "Lequel ?", buttons)

    async with ChannelServer(SlackInput(get_settings()), seven) as server:
        await send_event(server, message_event("aide"))
        await server.settle()
    (posted,) = slack.messages()
    actions = [b for b in posted["blocks"] if b["type"] == "actions"]
    elements = [e for block in actions for e in block["elements"]]
    assert [e["value"] for e in elements] == [b["payload"] for b in buttons]
    assert [e["text"]["text"] for e in elements] == [b["title"] for b in buttons]
    assert all(len(block["elements"]) <= 5 for block in actions)
    assert len({e["action_id"] for e in elements}) == 7


async def test_button_click_comes_back_as_its_payload(
    server: ChannelServer,
) -> None:
    body = urlencode({"payload": json.dumps(block_action('/inform{"it_staff": "none"}'))}).encode()
    headers = signed_headers(SLACK_SECRET, body, content_type="application/x-www-form-urlencoded")
    status, _, _ = await server.post(body, headers)
    await server.settle()
    assert status == 200
    assert [m.text for m in server.messages] == ['/inform{"it_staff": "none"}']
    assert server.messages[0].sender_id == "U0USER01"


async def test_rate_limited_posts_are_retried(slack: FakeSlack) -> None:
    slack.rate_limit_next = 2
    async with ChannelServer(SlackInput(get_settings()), echo) as server:
        await send_event(server, message_event("Bonjour"))
        await server.settle()
    assert slack.rate_limited == 2
    assert [m["text"] for m in slack.messages()] == ["reçu : Bonjour"]


async def test_custom_payload_with_slack_keys_does_not_raise(slack: FakeSlack) -> None:
    async def custom(message: UserMessage) -> None:
        # Rasa's send_custom_json raised TypeError here ("channel" given twice).
        await message.output_channel.send_custom_json(
            message.sender_id, {"channel": "C0OTHER", "text": "Bonjour", "type": "x"}
        )

    async with ChannelServer(SlackInput(get_settings()), custom) as server:
        await send_event(server, message_event("Bonjour"))
        await server.settle()
    (posted,) = slack.messages()
    assert posted["channel"] == "D0DIRECT" and posted["text"] == "Bonjour"


def hostile_cases() -> list[tuple[str, object, str | None]]:
    """(case, text field, text Rasa must receive or None for no turn)."""
    cap = "a" * (MAX_LENGTH + 1)
    return [
        ("empty text", "", None),
        ("whitespace", "   \n\t ", None),
        ("NUL and controls only", "\x00\x01\x02", None),
        ("text not a string", {"a": 1}, None),
        ("cap + 1", cap, "a" * MAX_LENGTH),
        ("NUL inside", "Nos serveurs\x00 plantent", "Nos serveurs  plantent"),
        ("emoji", "Nos serveurs plantent 😱🔥", "Nos serveurs plantent 😱🔥"),
        ("RTL marks", "\u202eNos serveurs\u200f plantent", "\u202eNos serveurs\u200f plantent"),
        ("HTML/script", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
        ("SQL", "'; DROP TABLE events; --", "'; DROP TABLE events; --"),
        ("typed /intent{json}", '/inform{"headcount": 5000}', 'inform{"headcount": 5000}'),
        ("typed /restart", "  /restart", "restart"),
    ]


async def test_hostile_input_never_fails_and_never_injects_intents(
    server: ChannelServer, slack: FakeSlack
) -> None:
    cases = hostile_cases()
    for _, text, _ in cases:
        status, _, _ = await send_event(server, message_event(text))
        assert status == 200
    await server.settle()
    expected = [want for _, _, want in cases if want is not None]
    assert sorted(m.text for m in server.messages) == sorted(expected)
    assert not any(m.text.startswith("/") for m in server.messages)
    # The user whose message was cut is told so (besides the echo of the turn).
    texts = [m["text"] for m in slack.messages()]
    assert cut_notice() in texts
    print(f"\nSlack entrées hostiles : {len(cases)} cas, 0 erreur 5xx")


WRONG_SHAPES = [
    (b"[]", "application/json", 400),
    (b"not json", "application/json", 400),
    (b'"text"', "application/json", 400),
    (b'{"type": "event_callback", "event": "x", "event_id": "Ev1"}', "application/json", 200),
    (b'{"type": "event_callback", "event": {"type": "message"}}', "application/json", 200),
    (b'{"type": "url_verification", "challenge": 12}', "application/json", 400),
    (b"payload=not-json", "application/x-www-form-urlencoded", 400),
    (
        b"payload=%7B%22type%22%3A%22block_actions%22%2C%22actions%22%3A5%7D",
        "application/x-www-form-urlencoded",
        200,
    ),
    (b"\xff\xfe", "application/json", 400),
]


async def test_bodies_of_the_wrong_shape_never_give_a_5xx(server: ChannelServer) -> None:
    for body, content_type, expected in WRONG_SHAPES:
        status, _, _ = await server.post(
            body, signed_headers(SLACK_SECRET, body, content_type=content_type)
        )
        assert status == expected, body
    await server.settle()
    assert server.messages == []


async def test_webhook_answers_before_a_slow_turn_ends(slack: FakeSlack) -> None:
    release = asyncio.Event()

    async def slow(message: UserMessage) -> None:
        await release.wait()  # the turn cannot end before the webhook has answered
        await echo(message)

    async with ChannelServer(SlackInput(get_settings()), slow) as server:
        status, _, _ = await send_event(server, message_event("Bonjour"))
        assert status == 200
        assert slack.messages() == []  # answered while the turn was still running
        release.set()
        await server.settle()
    assert [m["text"] for m in slack.messages()] == ["reçu : Bonjour"]
