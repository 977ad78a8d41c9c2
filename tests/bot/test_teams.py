"""Teams (Bot Framework) connector against the fake token service, key set and connector.

Expected behaviour comes from issue #8 and Microsoft's "Authentication with the Bot Connector
API": RS256 only, issuer https://api.botframework.com, audience = the bot's app id, expiry
(five minutes of clock skew), the key endorsing the channel, serviceUrl claim = activity's.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Iterator

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from rasa.core.channels.channel import UserMessage

from bot.settings import get_settings
from bot.teams import BotFrameworkInput, TokenCache, strip_mentions
from tests.fakes.botframework import FakeBotFramework, message_activity, new_key
from tests.fakes.env import MAX_LENGTH, TEAMS_APP_ID, TEAMS_PASSWORD, TEAMS_TENANT, use_settings
from tests.fakes.rasa_app import ChannelServer, echo


@pytest.fixture
def teams(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBotFramework]:
    fake = FakeBotFramework(TEAMS_APP_ID, TEAMS_PASSWORD, TEAMS_TENANT)
    fake.start()
    use_settings(
        monkeypatch,
        TEAMS_APP_ID=TEAMS_APP_ID,
        TEAMS_APP_PASSWORD=TEAMS_PASSWORD,
        TEAMS_TENANT_ID=TEAMS_TENANT,
        TEAMS_OPENID_METADATA_URL=fake.metadata_url,
        TEAMS_TOKEN_URL=fake.token_url,
    )
    TokenCache.clear()
    yield fake
    fake.stop()
    TokenCache.clear()
    get_settings.cache_clear()


@pytest.fixture
async def server(teams: FakeBotFramework) -> AsyncIterator[ChannelServer]:
    async with ChannelServer(BotFrameworkInput(get_settings()), echo) as running:
        yield running


def activity(teams: FakeBotFramework, text: str | None = "Bonjour", **kwargs) -> dict:
    return message_activity(text, teams.service_url, app_id=TEAMS_APP_ID, **kwargs)


async def send(server: ChannelServer, body: dict | bytes, token: str | None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    status, _, _ = await server.post(data, headers)
    return status


async def test_authenticated_message_is_answered_through_the_connector(
    server: ChannelServer, teams: FakeBotFramework
) -> None:
    status = await send(server, activity(teams, "Bonjour"), teams.channel_token())
    await server.settle()
    assert status in (200, 202)
    assert [m.text for m in server.messages] == ["Bonjour"]
    assert server.messages[0].input_channel == "botframework"
    (reply,) = teams.received_activities("a:personal-conv-1")
    assert reply["text"] == "reçu : Bonjour"
    assert reply["type"] == "message"
    token_calls = [r for r in teams.received if "/oauth2/v2.0/token" in r.path]
    assert [r.path for r in token_calls] == [f"/{TEAMS_TENANT}/oauth2/v2.0/token"]


def forged_tokens(teams: FakeBotFramework) -> dict[str, tuple[str | None, dict]]:
    """(token, activity) pairs that must all be refused with 401."""
    good = activity(teams)
    other_key = new_key()
    # An HS256 token (the RS256/HS256 confusion attack, with a key derived from the public key):
    # refused because the algorithm is pinned, whatever the key.
    public_pem = (
        teams.keys["key-1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    hs256_with_public_key = jwt.api_jws.PyJWS().encode(
        json.dumps(
            {
                "iss": "https://api.botframework.com",
                "aud": TEAMS_APP_ID,
                "serviceUrl": teams.service_url,
                "exp": 9999999999,
            }
        ).encode(),
        key=hashlib.sha256(public_pem).hexdigest(),  # PyJWT refuses a PEM as HMAC key itself
        algorithm="HS256",
        headers={"kid": "key-1"},
    )
    return {
        "no Authorization header": (None, good),
        "not a bearer token": ("", good),
        "garbage token": ("abc.def.ghi", good),
        "wrong issuer": (teams.channel_token(issuer="https://sts.windows.net/evil/"), good),
        "wrong audience": (teams.channel_token(audience="another-bot"), good),
        "algorithm none": (teams.channel_token(algorithm="none"), good),
        "algorithm HS256": (hs256_with_public_key, good),
        "expired (1 h ago)": (teams.channel_token(expires_in=-3600), good),
        "signed by an unknown key": (teams.channel_token(kid="key-x", key=other_key), good),
        "known kid, other key": (teams.channel_token(key=other_key), good),
        "serviceUrl of the token differs": (
            teams.channel_token(service_url="http://127.0.0.1:9/evil/"),
            good,
        ),
        "activity sent to another serviceUrl": (
            teams.channel_token(),
            {**good, "serviceUrl": "http://127.0.0.1:9/evil/"},
        ),
        "channel not endorsed by the key": (teams.channel_token(), {**good, "channelId": "skype"}),
    }


async def test_forged_or_misdirected_tokens_are_refused_and_nothing_is_sent(
    server: ChannelServer, teams: FakeBotFramework
) -> None:
    cases = forged_tokens(teams)
    rejected = 0
    for name, (token, body) in cases.items():
        status = await send(server, body, token)
        assert status == 401, name
        rejected += 1
    await server.settle()
    assert server.messages == []
    assert teams.received_activities() == []
    assert not [r for r in teams.received if "/oauth2/" in r.path], "no token was requested"
    print(f"\nTeams authentification : {len(cases)} cas essayés, {rejected} refusés comme attendu")


async def test_rotated_signing_key_is_fetched_on_unknown_kid(
    server: ChannelServer, teams: FakeBotFramework
) -> None:
    await send(server, activity(teams, "Bonjour"), teams.channel_token())
    teams.keys["key-2"] = new_key()
    import bot.teams

    server.channel.keys.fetched_at -= bot.teams.KEYS_MIN_REFRESH_S + 1  # type: ignore[attr-defined]
    status = await send(server, activity(teams, "Encore"), teams.channel_token(kid="key-2"))
    await server.settle()
    assert status in (200, 202)
    assert [m.text for m in server.messages] == ["Bonjour", "Encore"]


async def test_token_is_cached_until_it_expires(
    server: ChannelServer, teams: FakeBotFramework
) -> None:
    for text in ("un", "deux", "trois"):
        await send(server, activity(teams, text), teams.channel_token())
        await server.settle()
    token_calls = [r for r in teams.received if "/oauth2/" in r.path]
    assert len(token_calls) == 1
    assert len(teams.received_activities()) == 3


async def test_mention_is_stripped_before_the_nlu(
    server: ChannelServer, teams: FakeBotFramework
) -> None:
    body = activity(
        teams,
        "<at>Conseiller IT</at> faut-il externaliser la sécurité ?",
        conversation="19:abc@thread.tacv2;messageid=1700000000",
        conversation_type="channel",
    )
    await send(server, body, teams.channel_token())
    await server.settle()
    assert [m.text for m in server.messages] == ["faut-il externaliser la sécurité ?"]
    assert server.messages[0].sender_id == "29:user-aad-1:19:abc@thread.tacv2;messageid=1700000000"
    (reply,) = teams.received_activities("19:abc@thread.tacv2;messageid=1700000000")
    assert reply["replyToId"] == body["id"]


def test_strip_mentions_keeps_the_rest() -> None:
    assert strip_mentions("<at>Bot</at> a &amp; b <AT id='0'>X</AT>").split() == ["a", "&", "b"]


async def test_buttons_are_adaptive_card_submits_that_come_back_as_payloads(
    teams: FakeBotFramework,
) -> None:
    buttons = [{"title": f"Choix {n}", "payload": f'/inform{{"n": {n}}}'} for n in range(1, 8)]

    async def seven(message: UserMessage) -> None:
        if message.text == "aide":
            await message.output_channel.send_text_with_buttons(
                message.sender_id, "Lequel ?", buttons
            )

    async with ChannelServer(BotFrameworkInput(get_settings()), seven) as server:
        await send(server, activity(teams, "aide"), teams.channel_token())
        await server.settle()
        (card_activity,) = teams.received_activities()
        card = card_activity["attachments"][0]
        assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
        submits = [
            action
            for element in [
                *card["content"]["body"],
                {"actions": card["content"].get("actions", [])},
            ]
            for action in element.get("actions", [])
        ]
        assert [a["type"] for a in submits] == ["Action.Submit"] * 7
        assert [a["title"] for a in submits] == [b["title"] for b in buttons]
        # A click: Teams sends the messageBack text and the card's value.
        click = submits[6]["data"]["msteams"]
        body = activity(teams, click["text"], value=click["value"])
        await send(server, body, teams.channel_token())
        await server.settle()
    assert server.messages[-1].text == '/inform{"n": 7}'


async def test_rate_limited_connector_is_retried(teams: FakeBotFramework) -> None:
    teams.rate_limit_next = 2
    async with ChannelServer(BotFrameworkInput(get_settings()), echo) as server:
        await send(server, activity(teams, "Bonjour"), teams.channel_token())
        await server.settle()
    assert [a["text"] for a in teams.received_activities()] == ["reçu : Bonjour"]


async def test_hostile_input_never_fails_and_never_injects_intents(
    server: ChannelServer, teams: FakeBotFramework
) -> None:
    cases = [
        ("empty text", "", None),
        ("no text", None, None),
        ("whitespace", " \n\t ", None),
        ("mention only", "<at>Conseiller IT</at>", None),
        ("NUL only", "\x00", None),
        ("cap + 1", "b" * (MAX_LENGTH + 1), "b" * MAX_LENGTH),
        ("emoji", "Nos serveurs plantent 😱", "Nos serveurs plantent 😱"),
        ("RTL marks", "\u202bNos serveurs\u200f", "\u202bNos serveurs\u200f"),
        ("HTML/script", "<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("SQL", "1; DELETE FROM events", "1; DELETE FROM events"),
        (
            "typed /intent{json}",
            '/inform{"trigger": "major_outage"}',
            'inform{"trigger": "major_outage"}',
        ),
        ("value of the wrong shape", "Bonjour", "Bonjour"),
    ]
    for name, text, _ in cases:
        body = activity(teams, text)
        if name == "value of the wrong shape":
            body["value"] = ["pas", "un", "objet"]
        assert await send(server, body, teams.channel_token()) in (200, 202), name
    wrong_shapes: list[bytes | dict] = [
        b"[]",
        b"null",
        b"not json",
        {"type": "message"},
        {"type": 5},
        {**activity(teams), "from": "x"},
        {**activity(teams), "conversation": []},
        {**activity(teams), "type": "conversationUpdate"},
    ]
    for shape in wrong_shapes:
        status = await send(server, shape, teams.channel_token())
        assert status < 500, shape
    await server.settle()
    expected = [want for _, _, want in cases if want is not None]
    assert sorted(m.text for m in server.messages) == sorted(expected)
    print(f"\nTeams entrées hostiles : {len(cases) + len(wrong_shapes)} cas, 0 erreur 5xx")


async def test_webhook_answers_before_a_slow_turn_ends(teams: FakeBotFramework) -> None:
    release = asyncio.Event()

    async def slow(message: UserMessage) -> None:
        await release.wait()  # the turn cannot end before the webhook has answered
        await echo(message)

    async with ChannelServer(BotFrameworkInput(get_settings()), slow) as server:
        status = await send(server, activity(teams, "Bonjour"), teams.channel_token())
        assert status in (200, 202)
        assert teams.received_activities() == []
        release.set()
        await server.settle()
    assert [a["text"] for a in teams.received_activities()] == ["reçu : Bonjour"]


async def test_an_activity_resent_by_the_bot_framework_is_handled_once(
    server: ChannelServer, teams: FakeBotFramework
) -> None:
    # The Bot Framework resends an activity whose delivery timed out or got a 5xx; the same id
    # must not make a second turn (a second answer, a form question asked twice).
    first = activity(teams, "Bonjour")
    for _ in range(3):
        assert await send(server, first, teams.channel_token()) in (200, 202)
    second = activity(teams, "Bonjour")
    assert second["id"] != first["id"]
    assert await send(server, second, teams.channel_token()) in (200, 202)
    await server.settle()
    assert [m.text for m in server.messages] == ["Bonjour", "Bonjour"]
    assert len(teams.received_activities("a:personal-conv-1")) == 2


def test_teams_and_slack_ids_do_not_collide_in_redis() -> None:
    from bot.platforms import SeenEvents

    async def run() -> tuple[bool, bool, bool]:
        key = f"activity:test-{asyncio.get_running_loop().time()}"
        teams = SeenEvents("teams", "redis://127.0.0.1:6379/0", ttl=30)
        other_instance = SeenEvents("teams", "redis://127.0.0.1:6379/0", ttl=30)
        slack = SeenEvents("slack", "redis://127.0.0.1:6379/0", ttl=30)
        return (
            await teams.first_time(key),
            await other_instance.first_time(key),
            await slack.first_time(key),
        )

    assert asyncio.run(run()) == (True, False, True)
