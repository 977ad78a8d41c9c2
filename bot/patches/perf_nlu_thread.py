"""Analyse a message (spaCy, DIET, the blend) on one worker thread, off the event loop.

Rasa 3.6.21's `MessageProcessor.parse_message` runs the NLU graph synchronously on the server's
single event loop: for about 10 ms per message (more for an opening paragraph) no other
conversation moves, not even to read its request or send its answer. Here the same graph call
runs on one dedicated thread (so the models are still used by one thread at a time, in message
order), and the loop serves the other conversations meanwhile; TensorFlow and spaCy's numeric
code release the GIL, so part of it also runs on the second core. Same result, same errors
(raised in the caller); with an HTTP NLU server (`http_interpreter`) Rasa's code runs unchanged.
"""

from __future__ import annotations

import asyncio
import copy
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any

MARK = "_perf_nlu_thread"
_executor: ThreadPoolExecutor | None = None


def executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")
    return _executor


def apply() -> None:
    from rasa.core.processor import MessageProcessor, structlogger
    from rasa.shared.core.trackers import DialogueStateTracker

    original = MessageProcessor.parse_message
    if getattr(original, MARK, False):
        return

    async def parse_message(
        self: MessageProcessor,
        message: Any,
        tracker: DialogueStateTracker | None = None,
        only_output_properties: bool = True,
    ) -> dict[str, Any]:
        if self.http_interpreter:
            return await original(self, message, tracker, only_output_properties)
        if tracker is None:
            tracker = DialogueStateTracker.from_events(message.sender_id, [])
        parsed = await asyncio.get_running_loop().run_in_executor(
            executor(),
            functools.partial(
                self._parse_message_with_graph, message, tracker, only_output_properties
            ),
        )

        # The rest of Rasa's method (rasa/core/processor.py, 3.6.21), on the loop.
        self._update_full_retrieval_intent(parsed)
        structlogger.debug(
            "processor.message.parse",
            parse_data_text=copy.deepcopy(parsed["text"]),
            parse_data_intent=parsed["intent"],
            parse_data_entities=copy.deepcopy(parsed["entities"]),
        )
        self._check_for_unseen_features(parsed)
        return parsed

    setattr(parse_message, MARK, True)
    parse_message.__wrapped__ = original  # type: ignore[attr-defined]
    MessageProcessor.parse_message = parse_message  # type: ignore[method-assign]
