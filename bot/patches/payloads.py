"""A user cannot inject an intent by typing `/intent{json}`.

Rasa reads any message starting with "/" as an intent with entities (RegexMessageHandler), and
logs in full one it cannot parse. Here a "/" message is a payload only when it is exactly the
payload of a button the bot offered in this conversation (our buttons, the clarification's, the
form's); anything else is read as ordinary text: NLU sees it without its leading "/", and the
text stored in the conversation stays what the user typed. Applies to every channel.
"""

from __future__ import annotations

from typing import Any

PAYLOAD_PREFIX = "/"


def offered_payloads(tracker: Any) -> set[str]:
    """Payloads of every button or quick reply the bot sent in this conversation."""
    from rasa.shared.core.events import BotUttered

    payloads = set()
    for event in tracker.events:
        if isinstance(event, BotUttered):
            for key in ("buttons", "quick_replies"):
                for button in event.data.get(key) or []:
                    if isinstance(button, dict) and isinstance(button.get("payload"), str):
                        payloads.add(button["payload"].strip())
    return payloads


def literal_text(text: str) -> str:
    """The text NLU reads for a typed "/…" message: without its leading slashes."""
    return text.strip().lstrip(PAYLOAD_PREFIX).strip() or "?"


def apply() -> None:
    from rasa.core.channels.channel import UserMessage
    from rasa.core.processor import MessageProcessor

    if getattr(MessageProcessor.parse_message, "_payload_guard", False):
        return
    original = MessageProcessor.parse_message

    async def parse_message(
        self: MessageProcessor,
        message: UserMessage,
        tracker: Any = None,
        only_output_properties: bool = True,
    ) -> dict[str, Any]:
        text = (message.text or "").strip()
        if (
            tracker is None
            or not text.startswith(PAYLOAD_PREFIX)
            or text in offered_payloads(tracker)
        ):
            return await original(self, message, tracker, only_output_properties)
        literal = UserMessage(
            literal_text(text),
            message.output_channel,
            message.sender_id,
            input_channel=message.input_channel,
            metadata=message.metadata,
        )
        parse_data = await original(self, literal, tracker, only_output_properties)
        parse_data["text"] = message.text
        return parse_data

    parse_message._payload_guard = True  # type: ignore[attr-defined]
    parse_message.__wrapped__ = original  # type: ignore[attr-defined]
    MessageProcessor.parse_message = parse_message  # type: ignore[method-assign]
