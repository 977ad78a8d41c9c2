"""bot.patches.perf_nlu_thread: the NLU graph runs on its worker thread, the loop stays free."""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

from bot.patches import PATCHES, perf_nlu_thread

PARSED = {
    "text": "bonjour",
    "intent": {"name": "greet", "confidence": 0.9},
    "entities": [],
    "intent_ranking": [],
}


class SlowGraph:
    """Stands for spaCy + DIET: 0.3 s of work, and notes the thread it ran on."""

    def __init__(self) -> None:
        self.threads: list[str] = []

    def __call__(self, processor: Any, message: Any, tracker: Any, only: bool) -> dict:
        self.threads.append(threading.current_thread().name)
        time.sleep(0.3)
        if message.text == "boum":
            raise ValueError("graph failed")
        return {**PARSED, "text": message.text}


@pytest.fixture
def processor(monkeypatch: pytest.MonkeyPatch) -> tuple[MessageProcessor, SlowGraph]:
    graph = SlowGraph()

    def parse_with_graph(self: Any, message: Any, tracker: Any, only: bool = True) -> dict:
        return graph(self, message, tracker, only)

    monkeypatch.setattr(MessageProcessor, "_parse_message_with_graph", parse_with_graph)
    # Each test starts from Rasa's own method, even if another test applied every patch.
    monkeypatch.setattr(
        MessageProcessor, "parse_message", inspect.unwrap(MessageProcessor.parse_message)
    )
    instance = MessageProcessor.__new__(MessageProcessor)
    instance.http_interpreter = None
    instance.model_metadata = None
    monkeypatch.setattr(MessageProcessor, "_check_for_unseen_features", lambda *_: None)
    return instance, graph


async def ticks_while(coroutine: Any) -> tuple[Any, int]:
    """Runs `coroutine` and counts how often another task got the loop meanwhile."""
    ticks = 0
    done = False

    async def ticker() -> None:
        nonlocal ticks
        while not done:
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    try:
        result = await coroutine
    finally:
        done = True
        await task
    return result, ticks


async def test_stock_rasa_blocks_the_loop_while_parsing(processor) -> None:
    instance, graph = processor
    parsed, ticks = await ticks_while(instance.parse_message(UserMessage("bonjour")))
    assert parsed["text"] == "bonjour"
    assert graph.threads == ["MainThread"] and ticks <= 1  # nobody else ran for 0.3 s


async def test_the_graph_runs_on_the_worker_and_others_move_meanwhile(processor) -> None:
    instance, graph = processor
    perf_nlu_thread.apply()
    perf_nlu_thread.apply()  # idempotent
    parsed, ticks = await ticks_while(instance.parse_message(UserMessage("bonjour")))
    assert parsed == {**PARSED, "text": "bonjour"}
    assert graph.threads[0].startswith("nlu") and ticks >= 10


async def test_messages_are_analysed_one_at_a_time_and_errors_reach_the_caller(processor) -> None:
    instance, graph = processor
    perf_nlu_thread.apply()
    first, second = await asyncio.gather(
        instance.parse_message(UserMessage("un")), instance.parse_message(UserMessage("deux"))
    )
    assert (first["text"], second["text"]) == ("un", "deux")
    assert len(set(graph.threads)) == 1  # one worker: the models are never used concurrently
    with pytest.raises(ValueError, match="graph failed"):
        await instance.parse_message(UserMessage("boum"))


def test_listed_in_the_server_patches() -> None:
    assert "perf_nlu_thread" in PATCHES
