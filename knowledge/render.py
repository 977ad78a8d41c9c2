"""The advice payload as French chat messages, for channels that cannot render the card."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .advisor import join_list
from .base import get_knowledge_base

MAX_MESSAGE_LENGTH = 900


def render_advice(advice: Mapping[str, Any]) -> list[str]:
    """Readable messages (each at most ~900 characters, split between items, never inside one)."""
    kb = get_knowledge_base()
    labels = kb.labels["advice"]
    signal_labels = {signal.id: signal.label for signal in kb.signals}
    services = {service.id: service for service in kb.services}
    blocks: list[str] = []

    def quote(source: Mapping[str, str]) -> str:
        return labels["quote"].format(quote=source["quote"], section=source["section"])

    has_signals = any(
        item in signal_labels
        for priority in advice["priorities"]
        for item in priority["because_of"]
    )
    blocks.append(labels["intro"] if has_signals else labels["intro_without_signals"])
    for priority in advice["priorities"]:
        lines = [labels["priority"].format(rank=priority["rank"], title=priority["title"])]
        said = [signal_labels[item] for item in priority["because_of"] if item in signal_labels]
        if said:
            lines.append(labels["because"].format(signals=join_list(kb, said)))
        lines.extend(priority["why"])
        lines.append(quote(priority["source"]))
        lines.append(labels["first_steps"])
        lines.extend(labels["step"].format(step=step) for step in priority["first_steps"])
        blocks.append("\n".join(lines))
    keep = [labels["keep_header"]]
    for item in advice["keep_in_house"]:
        keep.append(
            labels["keep_item"].format(title=services[item["service"]].title, why=item["why"])
        )
        keep.append(quote(item["source"]))
    blocks.append("\n".join(keep))
    if advice["warnings"]:
        blocks.append(labels["warnings_header"])
        titles = {warning.id: warning.title for warning in kb.warnings}
        for warning in advice["warnings"]:
            blocks.append(
                labels["warning_item"].format(title=titles[warning["id"]], text=warning["text"])
                + "\n"
                + quote(warning["source"])
            )
    trajectory = [labels["trajectory_header"]]
    trajectory.extend(
        labels["phase"].format(phase=phase["phase"], text=phase["text"])
        for phase in advice["trajectory"]
    )
    trajectory.append(quote(kb.documents["trajectory"]["sources"]["progressive"]))
    blocks.append("\n".join(trajectory))
    case = advice["field_case"]
    blocks.append(
        "\n".join(
            [
                labels["field_case_header"].format(title=case["title"]),
                case["text"],
                quote(case["source"]),
            ]
        )
    )
    if advice["missing"]:
        names = [kb.labels["field_labels"][name] for name in advice["missing"]]
        blocks.append(labels["missing"].format(fields=join_list(kb, names)))
    return pack(blocks)


def pack(blocks: list[str], limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Group blocks into messages of at most ``limit`` characters; a longer block is split on
    its lines, never inside a line."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        pieces = [block] if len(block) <= limit else _split_lines(block, limit)
        for piece in pieces:
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _split_lines(block: str, limit: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for line in block.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit or not current:
            current = candidate
        else:
            pieces.append(current)
            current = line
    if current:
        pieces.append(current)
    return pieces
