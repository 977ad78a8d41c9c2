"""The advice payload as French chat messages, for channels that cannot render the card."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .advisor import join_list
from .base import get_knowledge_base
from .errors import KnowledgeError, join_values, message

MAX_MESSAGE_LENGTH = 900


DETAIL_PARTS = ("why", "warnings", "start", "case")


def render_advice(advice: Mapping[str, Any]) -> list[str]:
    """The short first answer in chat (about 8 lines): top priorities with one reason each, the
    warnings that matter most, what to keep in-house. The rest comes with ``render_detail``."""
    kb = get_knowledge_base()
    short = kb.labels["short"]
    titles = _warning_titles(kb)
    lines: list[str] = []
    if advice["situation"] == "nothing_urgent":
        lines.append(advice["closing_question"]["text"])
        lines.append(
            short["closing_question"].format(quote=advice["closing_question"]["source"]["quote"])
        )
    elif advice["situation"] == "steering":
        lines.append(kb.documents["situations"]["steering"]["intro"])
        lines.extend(
            short["steering_item"].format(title=item["title"]) for item in advice["steering"]
        )
    else:
        lines.append(short["intro"])
        first_phase = advice["trajectory"][0]["services"] if advice["trajectory"] else []
        named: set[str] = set()
        for priority in advice["priorities"]:
            if priority["service"] not in first_phase[: short["max_priorities"]]:
                continue
            lines.append(
                short["priority"].format(
                    rank=priority["rank"],
                    title=priority["title"],
                    reason=_reason(kb, priority, named),
                )
            )
        if advice["steering"]:
            lines.append(short["steering_also"])
    order = {item: index for index, item in enumerate(short["warnings_order"])}
    warnings = sorted(advice["warnings"], key=lambda warning: order.get(warning["id"], len(order)))
    lines.extend(
        short["warning"].format(title=titles[warning["id"]])
        for warning in warnings[: short["max_warnings"]]
    )
    lines.append(short["keep"])
    missing = advice["missing"]
    if missing:
        template = short["missing"]["one" if len(missing) == 1 else "many"]
        names = [kb.labels["field_labels"][name] for name in missing]
        lines.append(template.format(count=len(missing), fields=join_list(kb, names)))
    return ["\n".join(lines)]


def _newly_said(kb: Any, priority: Mapping[str, Any], named: set[str]) -> list[str]:
    """Labels of what the user said behind this priority and not yet named in the plan; marks
    them named, so each thing said is named once."""
    signal_labels = {signal.id: signal.label for signal in kb.signals}
    said = [
        signal_labels[item]
        for item in priority["because_of"]
        if item in signal_labels and item not in named
    ]
    named.update(priority["because_of"])
    return said


def _reason(kb: Any, priority: Mapping[str, Any], named: set[str]) -> str:
    """One reason: what the user said (each signal named once in the plan), else the rule."""
    short = kb.labels["short"]
    said = _newly_said(kb, priority, named)
    if said:
        return short["because"].format(signals=join_list(kb, said))
    return str(priority["why"][0])


def _warning_titles(kb: Any) -> dict[str, str]:
    return {warning.id: warning.title for warning in kb.warnings}


def render_detail(advice: Mapping[str, Any], part: str) -> list[str]:
    """One part of the plan on demand: ``why``, ``warnings``, ``start`` or ``case``."""
    kb = get_knowledge_base()
    labels = kb.labels["advice"]

    def quote(source: Mapping[str, str]) -> str:
        return labels["quote"].format(quote=source["quote"], section=source["section"])

    blocks: list[str] = []
    if part == "why":
        named: set[str] = set()
        for priority in advice["priorities"]:
            lines = [labels["priority"].format(rank=priority["rank"], title=priority["title"])]
            said = _newly_said(kb, priority, named)
            if said:
                lines.append(labels["because"].format(signals=join_list(kb, said)))
            lines.extend(priority["why"])
            lines.append(quote(priority["source"]))
            blocks.append("\n".join(lines))
        if advice["closing_question"]:
            closing = advice["closing_question"]
            blocks.append(closing["text"] + "\n" + quote(closing["source"]))
        for item in advice["keep_in_house"]:
            title = kb.service(item["service"]).title
            blocks.append(
                labels["keep_header"]
                + "\n"
                + labels["keep_item"].format(title=title, why=item["why"])
                + "\n"
                + quote(item["source"])
            )
        if advice["missing"]:
            names = [kb.labels["field_labels"][name] for name in advice["missing"]]
            blocks.append(labels["missing"].format(fields=join_list(kb, names)))
    elif part == "warnings":
        titles = _warning_titles(kb)
        for item in advice["steering"]:
            blocks.append(
                labels["warning_item"].format(title=item["title"], text=item["text"])
                + "\n"
                + quote(item["source"])
            )
        for warning in advice["warnings"]:
            blocks.append(
                labels["warning_item"].format(title=titles[warning["id"]], text=warning["text"])
                + "\n"
                + quote(warning["source"])
            )
        if not blocks:
            blocks.append(labels["no_warnings"])
    elif part == "start":
        lines = [labels["trajectory_header"]]
        lines.extend(
            labels["phase"].format(phase=phase["phase"], text=phase["text"])
            for phase in advice["trajectory"]
        )
        if advice["priorities"]:
            lines.append(labels["first_steps"])
            steps = advice["priorities"][0]["first_steps"]
            lines.extend(labels["step"].format(step=step) for step in steps)
            lines.append(quote(kb.documents["trajectory"]["sources"]["progressive"]))
        elif advice["steering"]:
            lines.extend(labels["step"].format(step=item["text"]) for item in advice["steering"])
        else:
            lines.append(advice["closing_question"]["text"])
            lines.append(quote(advice["closing_question"]["source"]))
        blocks.append("\n".join(lines))
    elif part == "case":
        case = advice["field_case"]
        if case is None:
            blocks.append(labels["no_field_case"])
        else:
            blocks.append(
                "\n".join(
                    [
                        labels["field_case_header"].format(title=case["title"]),
                        case["text"],
                        quote(case["source"]),
                    ]
                )
            )
    else:
        raise KnowledgeError(
            message("unknown_detail", part=part, allowed=join_values(DETAIL_PARTS))
        )
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
