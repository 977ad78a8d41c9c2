"""Teams end to end: `make run`'s launcher with TEAMS_* pointing at the fake Microsoft side.

The fake signs the Bot Framework channel's tokens, publishes the OpenID metadata and keys,
issues the bot's access token (single tenant) and records every activity the bot posts.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from launch_helpers import free_port, launcher_env, start_launcher, stop_launcher

from tests.fakes.botframework import FakeBotFramework, message_activity
from tests.fakes.env import TEAMS_APP_ID, TEAMS_PASSWORD, TEAMS_TENANT

pytestmark = pytest.mark.e2e

OPENING = (
    "Bonjour, nous sommes une PME industrielle de 45 personnes sur deux sites. Nos serveurs "
    "plantent souvent et personne ne vérifie les sauvegardes, tout repose sur notre comptable."
)
PLAN_TITLE = "Votre plan d’externalisation"
CARD = "application/vnd.microsoft.card.adaptive"


@dataclass
class TeamsBot:
    fake: FakeBotFramework
    webhook: str
    output: list[str]

    def post(self, activity: dict, token: str | None = None) -> int:
        request = urllib.request.Request(
            self.webhook,
            data=json.dumps(activity).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token or self.fake.channel_token()}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return reply.status
        except urllib.error.HTTPError as error:
            return error.code

    def turn(self, activity: dict) -> list[dict]:
        conversation = activity["conversation"]["id"]
        before = len(self.fake.received_activities(conversation))
        assert self.post(activity) in (200, 202)
        self.fake.wait_for(
            lambda: len(self.fake.received_activities(conversation)) > before, timeout=90
        )
        while True:
            count = len(self.fake.received_activities(conversation))
            time.sleep(3)
            if len(self.fake.received_activities(conversation)) == count:
                return self.fake.received_activities(conversation)[before:]

    def say(self, text: str, **kwargs: str) -> list[dict]:
        return self.turn(
            message_activity(text, self.fake.service_url, app_id=TEAMS_APP_ID, **kwargs)
        )

    def click(self, data: dict) -> list[dict]:
        """What Teams sends for an Action.Submit with msteams.messageBack."""
        back = data["msteams"]
        return self.turn(
            message_activity(
                back["text"], self.fake.service_url, app_id=TEAMS_APP_ID, value=back["value"]
            )
        )


@pytest.fixture(scope="module")
def teams_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TeamsBot]:
    fake = FakeBotFramework(TEAMS_APP_ID, TEAMS_PASSWORD, TEAMS_TENANT)
    fake.start()
    ports = [free_port() for _ in range(3)]
    data_dir: Path = tmp_path_factory.mktemp("e2e-teams")
    env = launcher_env(
        ports,
        data_dir,
        TEAMS_APP_ID=TEAMS_APP_ID,
        TEAMS_APP_PASSWORD=TEAMS_PASSWORD,
        TEAMS_TENANT_ID=TEAMS_TENANT,
        TEAMS_OPENID_METADATA_URL=fake.metadata_url,
        TEAMS_TOKEN_URL=fake.token_url,
    )
    for key in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        env.pop(key, None)
    process, output = start_launcher(env)
    try:
        yield TeamsBot(fake, f"http://127.0.0.1:{ports[0]}/webhooks/botframework/webhook", output)
    finally:
        stop_launcher(process, output)
        fake.stop()


def cards_of(activities: list[dict]) -> list[dict]:
    return [
        a["content"]
        for activity in activities
        for a in activity.get("attachments") or []
        if a.get("contentType") == CARD
    ]


def all_text(element: object) -> str:
    if isinstance(element, dict):
        return " ".join(
            [
                str(element.get("text", "")),
                str(element.get("title", "")),
                str(element.get("value", "")) if isinstance(element.get("value"), str) else "",
            ]
            + [all_text(v) for v in element.values() if isinstance(v, (dict, list))]
        )
    if isinstance(element, list):
        return " ".join(all_text(v) for v in element)
    return ""


def plan_in(activities: list[dict]) -> dict | None:
    for card in cards_of(activities):
        if card["body"] and card["body"][0].get("text") == PLAN_TITLE:
            return card
    return None


def element_types(element: object) -> list[str]:
    found = []
    if isinstance(element, dict):
        if isinstance(element.get("type"), str):
            found.append(element["type"])
        for value in element.values():
            found.extend(element_types(value))
    elif isinstance(element, list):
        for value in element:
            found.extend(element_types(value))
    return found


def submits(activity: dict) -> list[dict]:
    return [e for e in _walk(cards_of([activity])) if e.get("type") == "Action.Submit"]


def _walk(element: object) -> list[dict]:
    found = []
    if isinstance(element, dict):
        found.append(element)
        for value in element.values():
            found.extend(_walk(value))
    elif isinstance(element, list):
        for value in element:
            found.extend(_walk(value))
    return found


def test_ready_message_names_the_teams_webhook(teams_bot: TeamsBot) -> None:
    ready = "".join(teams_bot.output)
    assert teams_bot.webhook in ready
    assert "/webhooks/slack/webhook" not in ready


def test_full_diagnostic_ends_with_the_plan_adaptive_card(teams_bot: TeamsBot) -> None:
    transcript = teams_bot.say(OPENING)
    plan = plan_in(transcript)
    turns, clicks = 1, 0
    while plan is None and turns < 8:
        buttons = [s for s in submits(transcript[-1]) if s["data"]["payload"] == "/dont_know"]
        if buttons:
            replies = teams_bot.click(buttons[0]["data"])
            clicks += 1
        else:
            replies = teams_bot.say("je ne sais pas")
        transcript += replies
        plan = plan_in(replies)
        turns += 1
    assert plan is not None, all_text(transcript)
    assert "Question 1 sur" in all_text(transcript)
    body = all_text(plan["body"])
    assert "Infrastructure, serveurs et continuité d’activité" in body
    assert "Gouvernance, arbitrage et vision stratégique" in body
    (show,) = plan["actions"]
    assert show["type"] == "Action.ShowCard"
    assert "«" in all_text(show["card"])
    token_calls = [r.path for r in teams_bot.fake.received if "/oauth2/" in r.path]
    assert token_calls == [f"/{TEAMS_TENANT}/oauth2/v2.0/token"]  # one token, cached
    print(
        f"\nTeams, carte du plan reçue par le faux connecteur : corps {element_types(plan['body'])}"
        f" ; actions {[a['type'] for a in plan['actions']]} ; détail (ShowCard) "
        f"{sorted(set(element_types(show['card']['body'])))}"
        f" ; {turns} tours dont {clicks} par bouton"
    )
    after = teams_bot.say("merci beaucoup")
    assert all_text(after).strip()
    assert plan_in(after) is None


def test_question_in_a_channel_is_answered_in_its_thread(teams_bot: TeamsBot) -> None:
    conversation = "19:general@thread.tacv2;messageid=1700000000000"
    replies = teams_bot.say(
        "<at>Conseiller IT</at> faut-il externaliser la sécurité ?",
        user="29:staff-2",
        conversation=conversation,
        conversation_type="channel",
    )
    answer = all_text(replies)
    assert "sécurité" in answer.lower() and "«" in answer, answer
    assert "Question 1 sur" not in answer
    assert all(a["_conversation"] == conversation for a in replies)


def test_forged_token_is_refused_by_the_running_server(teams_bot: TeamsBot) -> None:
    sent_before = len(teams_bot.fake.received_activities())
    activity = message_activity("Bonjour", "http://127.0.0.1:9/evil/", app_id=TEAMS_APP_ID)
    token = teams_bot.fake.channel_token()  # valid, but for the real serviceUrl
    assert teams_bot.post(activity, token) == 401
    time.sleep(2)
    assert len(teams_bot.fake.received_activities()) == sent_before
