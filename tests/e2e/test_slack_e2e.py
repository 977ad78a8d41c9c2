"""Slack end to end: `make run`'s launcher with SLACK_* pointing at the fake Slack Web API.

The fake plays Slack on both sides: it signs Events API requests to the bot's webhook and
records every chat.postMessage, where the plan card is checked.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from launch_helpers import free_port, launcher_env, start_launcher, stop_launcher

from tests.fakes.env import SLACK_SECRET, SLACK_TOKEN
from tests.fakes.slack_api import FakeSlack, block_action, message_event, signed_headers

pytestmark = pytest.mark.e2e

OPENING = (
    "Bonjour, nous sommes une PME industrielle de 45 personnes sur deux sites. Nos serveurs "
    "plantent souvent et personne ne vérifie les sauvegardes, tout repose sur notre comptable."
)
PLAN_TITLE = "Votre plan d’externalisation"


@dataclass
class SlackBot:
    fake: FakeSlack
    webhook: str
    output: list[str]

    def post(self, body: bytes, content_type: str = "application/json") -> int:
        request = urllib.request.Request(
            self.webhook,
            data=body,
            headers=signed_headers(SLACK_SECRET, body, content_type=content_type),
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status

    def turn(self, channel: str, send: bytes, content_type: str = "application/json") -> list[dict]:
        """Sends one event and returns the bot's messages once it has gone quiet."""
        before = len(self.fake.messages(channel))
        assert self.post(send, content_type) == 200
        self.fake.wait_for(lambda: len(self.fake.messages(channel)) > before, timeout=90)
        while True:  # the turn is over when nothing new came for 3 s
            count = len(self.fake.messages(channel))
            time.sleep(3)
            if len(self.fake.messages(channel)) == count:
                return self.fake.messages(channel)[before:]

    def say(self, text: str, **event: str) -> list[dict]:
        envelope = message_event(text, **event)
        return self.turn(envelope["event"]["channel"], json.dumps(envelope).encode())

    def click(self, value: str, channel: str = "D0DIRECT") -> list[dict]:
        body = urlencode({"payload": json.dumps(block_action(value, channel=channel))}).encode()
        return self.turn(channel, body, "application/x-www-form-urlencoded")


@pytest.fixture(scope="module")
def slack_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackBot]:
    fake = FakeSlack(SLACK_TOKEN)
    fake.start()
    ports = [free_port() for _ in range(3)]
    data_dir: Path = tmp_path_factory.mktemp("e2e-slack")
    env = launcher_env(
        ports,
        data_dir,
        SLACK_BOT_TOKEN=SLACK_TOKEN,
        SLACK_SIGNING_SECRET=SLACK_SECRET,
        SLACK_API_URL=fake.api_url,
    )
    for key in ("TEAMS_APP_ID", "TEAMS_APP_PASSWORD", "TEAMS_TENANT_ID"):
        env.pop(key, None)
    process, output = start_launcher(env)
    try:
        yield SlackBot(fake, f"http://127.0.0.1:{ports[0]}/webhooks/slack/webhook", output)
    finally:
        stop_launcher(process, output)
        fake.stop()


def texts(messages: list[dict]) -> str:
    parts = []
    for message in messages:
        parts.append(message.get("text", ""))
        for block in message.get("blocks") or []:
            if isinstance(block.get("text"), dict):
                parts.append(block["text"]["text"])
    return "\n".join(parts)


def plan_in(messages: list[dict]) -> dict | None:
    for message in messages:
        blocks = message.get("blocks") or []
        if blocks and blocks[0]["type"] == "header" and blocks[0]["text"]["text"] == PLAN_TITLE:
            return message
    return None


def test_ready_message_names_the_slack_webhook(slack_bot: SlackBot) -> None:
    ready = "".join(slack_bot.output)
    assert slack_bot.webhook in ready
    assert "/webhooks/botframework/webhook" not in ready  # Teams is off without its variables


def test_full_diagnostic_in_a_direct_message_ends_with_the_plan_card(slack_bot: SlackBot) -> None:
    transcript = slack_bot.say(OPENING)
    plan = plan_in(transcript)
    turns, clicks = 1, 0
    while plan is None and turns < 8:
        last = transcript[-1]
        values = [
            e["value"]
            for block in last.get("blocks") or []
            if block["type"] == "actions"
            for e in block["elements"]
        ]
        # One answer by button click when the question offers "/dont_know", else typed.
        if "/dont_know" in values:
            replies = slack_bot.click("/dont_know")
            clicks += 1
        else:
            replies = slack_bot.say("je ne sais pas")
        transcript += replies
        plan = plan_in(replies)
        turns += 1
    assert plan is not None, texts(transcript)
    assert "Question 1 sur" in texts(transcript)
    summary = texts([plan])
    assert "Infrastructure, serveurs et continuité d’activité" in summary.split("\n*2.")[0]
    assert "Gouvernance, arbitrage et vision stratégique" in summary
    # The detail: replies in the plan's own thread, with the article's quotes.
    detail = [m for m in slack_bot.fake.messages("D0DIRECT") if m.get("thread_ts") == plan["ts"]]
    assert detail, "le détail du plan doit être dans le fil du plan"
    assert "« " in texts(detail)
    print(
        "\nSlack, carte du plan reçue par le faux Slack : blocs "
        f"{[b['type'] for b in plan['blocks']]}"
        f" ; détail dans le fil : {len(detail)} message(s), "
        f"{sum(len(m['blocks']) for m in detail)} blocs "
        f"{sorted({b['type'] for m in detail for b in m['blocks']})}"
        f" ; {turns} tours dont {clicks} par bouton"
    )
    # One turn after the plan.
    after = slack_bot.say("merci beaucoup")
    assert texts(after).strip()
    assert plan_in(after) is None


def test_question_in_a_channel_thread_is_answered_in_that_thread(slack_bot: SlackBot) -> None:
    replies = slack_bot.say(
        "<@UBOT0001> faut-il externaliser la sécurité ?",
        user="U0STAFF2",
        channel="C0GENERAL",
        channel_type="channel",
        event_type="app_mention",
        ts="1700000100.000200",
        thread_ts="1700000000.000100",
    )
    assert replies
    assert all(m.get("thread_ts") == "1700000000.000100" for m in replies)
    answer = texts(replies)
    assert "sécurité" in answer.lower() and "«" in answer, answer
    assert plan_in(replies) is None
    assert "Question 1 sur" not in answer  # question mode: no diagnostic forced


def test_typed_intent_syntax_is_not_an_intent(slack_bot: SlackBot) -> None:
    replies = slack_bot.say("/restart", user="U0HOSTILE", channel="D0HOSTILE")
    assert replies  # answered as text, the server did not fail
