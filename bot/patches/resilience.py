"""No silent failures in the Rasa server: the user always hears back, the history stays whole.

- A custom action that fails, is unreachable or takes longer than ACTION_TIMEOUT seconds sends
  the apology `utter_action_failed` (once per turn) instead of nothing: stock Rasa logs the error
  and answers `200 []`. The next message goes through normally once the action server is back.
- A tracker store error is raised instead of being swallowed: stock Rasa's FailSafeTrackerStore
  starts a blank conversation when it cannot read and keeps the turn in memory when it cannot
  write, so the events are lost when the database is back.
- Any error of a turn (tracker store, Redis lock store…) ends it with `utter_service_unavailable`:
  the message was not taken into account and the stored conversation is unchanged. Only the
  error's class is logged: SQL errors quote the statement's parameters, i.e. the user's text.
- A model that cannot be loaded stops the server with a French error instead of serving nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any

from bot.settings import get_settings

logger = logging.getLogger(__name__)

ACTION_FAILED = "utter_action_failed"
SERVICE_UNAVAILABLE = "utter_service_unavailable"
MODEL_LOAD_FAILED_EXIT = 3


class StoreUnavailableError(RuntimeError):
    """The tracker store failed; the turn must not go on as if the conversation were new."""


# (conversation, timestamp of its latest user message) already apologised for: one per turn.
_apologised: OrderedDict[tuple[str, float | None], None] = OrderedDict()
_APOLOGISED_KEPT = 10000


def _first_apology_of_turn(tracker: Any) -> bool:
    latest = tracker.latest_message
    key = (tracker.sender_id, getattr(latest, "timestamp", None) if latest else None)
    if key in _apologised:
        return False
    _apologised[key] = None
    while len(_apologised) > _APOLOGISED_KEPT:
        _apologised.popitem(last=False)
    return True


def _patch_remote_action() -> None:
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction

    if getattr(RemoteAction.run, "_resilient", False):
        return
    original = RemoteAction.run

    async def run(
        self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
    ) -> list[Any]:
        try:
            return await asyncio.wait_for(
                original(self, output_channel, nlg, tracker, domain),
                timeout=get_settings().action_timeout,
            )
        except ActionExecutionRejection:
            raise
        except Exception as exc:
            reason = "timeout" if isinstance(exc, asyncio.TimeoutError) else type(exc).__name__
            logger.error("Custom action '%s' failed (%s): apology sent.", self.name(), reason)
            # Sent now rather than returned as an event: Rasa keeps only the SlotSet events of
            # the actions it calls for slot mappings and form validation.
            if _first_apology_of_turn(tracker):
                draft = await nlg.generate(ACTION_FAILED, tracker, output_channel.name())
                if draft:
                    await output_channel.send_response(tracker.sender_id, draft)
            return []

    run._resilient = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[method-assign]


def _patch_fail_safe_store() -> None:
    from rasa.core.tracker_store import FailSafeTrackerStore

    if getattr(FailSafeTrackerStore.on_tracker_store_error, "_resilient", False):
        return

    def raise_error(self: FailSafeTrackerStore, error: Exception) -> None:
        store = type(self._tracker_store).__name__
        raise StoreUnavailableError(f"{store}: {type(error).__name__}") from None

    raise_error._resilient = True  # type: ignore[attr-defined]
    FailSafeTrackerStore.on_tracker_store_error = raise_error  # type: ignore[method-assign]
    FailSafeTrackerStore.on_tracker_store_retrieve_error = raise_error  # type: ignore[method-assign]


def _response_text(agent: Any, name: str) -> str:
    responses = agent.domain.responses if agent.domain else {}
    variants = responses.get(name) or [{"text": "Désolé, une erreur est survenue."}]
    return str(variants[0].get("text"))


def _patch_agent() -> None:
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import CollectingOutputChannel

    if getattr(Agent.handle_message, "_resilient", False):
        return
    original = Agent.handle_message

    async def handle_message(self: Agent, message: Any) -> Any:
        try:
            return await original(self, message)
        except Exception as exc:
            cause = exc.__cause__ or exc.__context__
            logger.error(
                "Turn not recorded (%s%s): apology sent.",
                type(exc).__name__,
                f" from {type(cause).__name__}" if cause else "",
            )
            channel = message.output_channel
            if isinstance(channel, CollectingOutputChannel):
                channel.messages.clear()  # replies of a turn that was not saved
            await channel.send_text_message(
                message.sender_id, _response_text(self, SERVICE_UNAVAILABLE)
            )
            return channel.messages if isinstance(channel, CollectingOutputChannel) else None

    handle_message._resilient = True  # type: ignore[attr-defined]
    Agent.handle_message = handle_message  # type: ignore[method-assign]


def _patch_model_loading() -> None:
    import rasa.core.run

    original = rasa.core.run.load_agent_on_start
    if getattr(original, "_resilient", False):
        return

    async def load_agent_on_start(model_path: str, *args: Any) -> Any:
        agent = await original(model_path, *args)
        if agent is None or not agent.is_ready():
            print(
                f"Erreur : le modèle {Path(model_path).name} n'a pas pu être chargé (fichier "
                "absent, incomplet ou d'une autre version) ; réentraînez-le avec « make train »",
                file=sys.stderr,
                flush=True,
            )
            os._exit(MODEL_LOAD_FAILED_EXIT)
        return agent

    load_agent_on_start._resilient = True  # type: ignore[attr-defined]
    rasa.core.run.load_agent_on_start = load_agent_on_start


def apply() -> None:
    _patch_remote_action()
    _patch_fail_safe_store()
    _patch_agent()
    _patch_model_loading()
