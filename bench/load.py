"""Load generator: scripted conversations over Rasa's REST channel, timed turn by turn.

A virtual user holds one conversation at a time (a new sender id each), waits a think time
between turns, and starts a new conversation until the workload's deadline. Every turn is one
POST to `/webhooks/rest/webhook`; its latency, an HTTP or network error, or an empty answer is
recorded. Conversations check their own outcome (the diagnostic must end with the plan).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

TURN_TIMEOUT_S = 30.0

OPENINGS = (
    "Bonjour, nous sommes une PME industrielle de 45 personnes sur deux sites. Nos serveurs "
    "plantent souvent et personne ne vérifie les sauvegardes, tout repose sur notre comptable.",
    "Nous sommes un cabinet de 12 personnes, sans informaticien. Les postes sont lents, les "
    "mises à jour ne sont jamais faites et on a peur d'une attaque par rançongiciel.",
    "Notre PME de 80 salariés vient de perdre son seul informaticien, il est parti sans "
    "prévenir et plus personne ne sait comment marche le réseau.",
)
QUESTIONS = (
    "faut-il externaliser la sécurité ?",
    "que faut-il garder en interne ?",
    "quels sont les risques de l'externalisation ?",
    "par où commencer ?",
    "est-ce que ça coûte moins cher d'externaliser ?",
    "vous avez un exemple concret ?",
)
STOCK_TURNS = (
    ("hello", "hi there", "good morning"),
    ("I am sad", "not good", "I'm unhappy"),
    ("yes", "indeed", "of course"),
    ("bye", "goodbye", "see you later"),
)
MAX_FORM_TURNS = 10


class DeadlineReachedError(Exception):
    """Raised at a think time after the workload's deadline: the user stops there."""


@dataclass
class Turn:
    started: float
    latency_ms: float
    ok: bool
    error: str | None = None


@dataclass
class Recorder:
    """Collects turns and conversation outcomes of one workload."""

    turns: list[Turn] = field(default_factory=list)
    conversations: int = 0
    failed_conversations: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


class Client:
    """One conversation's REST client; `send` records the turn and returns the bot messages."""

    def __init__(self, session: aiohttp.ClientSession, url: str, sender: str, rec: Recorder):
        self.session = session
        self.url = url
        self.sender = sender
        self.rec = rec

    async def send(self, message: str) -> list[dict[str, Any]] | None:
        started = time.perf_counter()
        error = None
        messages: list[dict[str, Any]] | None = None
        try:
            async with self.session.post(
                self.url,
                json={"sender": self.sender, "message": message},
                timeout=aiohttp.ClientTimeout(total=TURN_TIMEOUT_S),
            ) as response:
                if response.status != 200:
                    error = f"http_{response.status}"
                else:
                    messages = await response.json()
                    if not messages:
                        error = "unanswered"
        except asyncio.TimeoutError:
            error = "timeout"
        except aiohttp.ClientError as exc:
            error = type(exc).__name__
        latency = (time.perf_counter() - started) * 1000
        self.rec.turns.append(Turn(started, latency, error is None, error))
        if error:
            self.rec.error(error)
            return None
        return messages


def _has_advice(messages: list[dict[str, Any]]) -> bool:
    return any(
        isinstance(m.get("custom"), dict) and m["custom"].get("type") == "advice" for m in messages
    )


def _buttons(messages: list[dict[str, Any]]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or [] if "payload" in b]


Conversation = Callable[[Client, random.Random, Callable[[], Awaitable[None]]], Awaitable[bool]]


async def diagnostic(client: Client, rng: random.Random, think: Callable) -> bool:
    """Opening paragraph, the form's questions (buttons or "je ne sais pas"), the plan, then
    one or two question-mode questions. True when the plan came and every turn was answered."""
    messages = await client.send(rng.choice(OPENINGS))
    use_buttons = rng.random() < 0.5
    for _ in range(MAX_FORM_TURNS):
        if messages is None:
            return False
        if _has_advice(messages):
            break
        await think()
        choices = [p for p in _buttons(messages) if p.startswith("/inform")]
        answer = rng.choice(choices) if use_buttons and choices else "je ne sais pas"
        messages = await client.send(answer)
    else:
        return False
    for question in rng.sample(QUESTIONS, 2):
        await think()
        if await client.send(question) is None:
            return False
    return True


async def questions(client: Client, rng: random.Random, think: Callable) -> bool:
    """Question mode only, as staff in Slack ask: three questions and thanks."""
    for text in [*rng.sample(QUESTIONS, 3), "merci"]:
        if await client.send(text) is None:
            return False
        await think()
    return True


async def ours(client: Client, rng: random.Random, think: Callable) -> bool:
    """Our mix: three diagnostics for one question-only conversation."""
    if rng.random() < 0.75:
        return await diagnostic(client, rng, think)
    return await questions(client, rng, think)


async def stock(client: Client, rng: random.Random, think: Callable) -> bool:
    """The `rasa init` bot's own greet / mood / affirm / goodbye turns."""
    for variants in STOCK_TURNS:
        if await client.send(rng.choice(variants)) is None:
            return False
        await think()
    return True


async def _user(
    index: int,
    url: str,
    conversation: Conversation,
    rec: Recorder,
    deadline: float,
    think_s: tuple[float, float] | None,
    seed: int,
    prefix: str,
) -> None:
    rng = random.Random(seed * 1000 + index)

    async def think() -> None:
        if time.perf_counter() >= deadline:
            raise DeadlineReachedError
        if think_s:
            await asyncio.sleep(rng.uniform(*think_s))

    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector) as session:
        if think_s:  # spread the first messages over one think time
            await asyncio.sleep(rng.uniform(0, think_s[1]))
        number = 0
        while time.perf_counter() < deadline:
            number += 1
            client = Client(session, url, f"{prefix}-u{index}-c{number}", rec)
            try:
                succeeded = await conversation(client, rng, think)
            except DeadlineReachedError:
                return  # an unfinished conversation is neither a success nor a failure
            rec.conversations += 1
            if not succeeded:
                rec.failed_conversations += 1
                await asyncio.sleep(0.5)  # a failing server is not hammered in a tight loop


async def run_workload(
    url: str,
    conversation: Conversation,
    *,
    users: int,
    duration_s: float,
    think_s: tuple[float, float] | None,
    seed: int = 1,
    prefix: str = "bench",
) -> tuple[Recorder, float]:
    """Runs `users` virtual users for `duration_s`; returns the turns and the elapsed time.

    Conversations running at the deadline stop at their next think time (only finished ones
    are counted); turns in flight finish, each bounded by TURN_TIMEOUT_S.
    """
    rec = Recorder()
    started = time.perf_counter()
    deadline = started + duration_s
    await asyncio.gather(
        *(_user(i, url, conversation, rec, deadline, think_s, seed, prefix) for i in range(users))
    )
    return rec, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolation percentile (as numpy's default); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(rec: Recorder, elapsed_s: float) -> dict[str, Any]:
    latencies = [t.latency_ms for t in rec.turns if t.ok]
    first = min((t.started for t in rec.turns), default=0.0)
    last = max((t.started + t.latency_ms / 1000 for t in rec.turns), default=0.0)
    window = max(last - first, 1e-9) if rec.turns else elapsed_s

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "turns": len(rec.turns),
        "errors": sum(1 for t in rec.turns if not t.ok),
        "unanswered": rec.errors.get("unanswered", 0),
        "error_kinds": dict(rec.errors),
        "conversations": rec.conversations,
        "failed_conversations": rec.failed_conversations,
        "p50_ms": rounded(percentile(latencies, 50)),
        "p95_ms": rounded(percentile(latencies, 95)),
        "p99_ms": rounded(percentile(latencies, 99)),
        "max_ms": rounded(max(latencies, default=None)),
        "throughput_turns_s": round(len(latencies) / window, 2),
        "duration_s": round(elapsed_s, 1),
    }
