"""The advice payload (CONTRACT.md) as Slack Block Kit blocks and as a Teams Adaptive Card.

Short first, as DESIGN.md asks of a chat: the top priorities with one reason each, the main
warnings, what to keep in-house. The detail (every reason, first steps, quotes, trajectory, field
case, what is missing) comes on demand: on Slack as replies in the plan's thread, on Teams behind
an Action.ShowCard button. Pure functions of the payload: the channels post what they return.
"""

from __future__ import annotations

from typing import Any

# Fixed labels of the cards (headings, button titles). The advice sentences themselves come
# from the payload, i.e. from the knowledge content.
LABELS = {
    "title": "Votre plan d’externalisation",
    "priorities": "Par quoi commencer",
    "warnings": "Points de vigilance",
    "keep": "À garder en interne",
    "detail": "Voir le détail",
    "detail_intro": "Le détail du plan, priorité par priorité :",
    "reasons": "Pourquoi",
    "first_steps": "Premiers pas",
    "source": "Source",
    "trajectory": "Trajectoire",
    "phase": "Phase",
    "field_case": "Un cas proche du vôtre",
}
# How much the short view shows.
SHORT_PRIORITIES = 3
SHORT_WARNINGS = 2
# Block Kit limits (api.slack.com/reference/block-kit): text of a section, blocks per message,
# elements per actions block shown on one row, button text and value.
SLACK_SECTION_MAX = 3000
SLACK_HEADER_MAX = 150
SLACK_BLOCKS_MAX = 50
SLACK_BUTTONS_PER_ROW = 5
SLACK_BUTTON_TEXT_MAX = 75
SLACK_BUTTON_VALUE_MAX = 2000
ADAPTIVE_CARD_VERSION = "1.4"
ADAPTIVE_CARD_TYPE = "application/vnd.microsoft.card.adaptive"


def is_advice(payload: Any) -> bool:
    return isinstance(payload, dict) and payload.get("type") == "advice"


def _items(payload: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = payload.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _first_reason(priority: dict[str, Any]) -> str:
    why = priority.get("why")
    if isinstance(why, list) and why:
        return _text(why[0])
    return _text(why)


def _keep_title(item: dict[str, Any]) -> str:
    raw = item.get("source")
    source: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return _text(source.get("section")) or _text(item.get("service"))


def _quote(item: dict[str, Any]) -> tuple[str, str]:
    raw = item.get("source")
    source: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return _text(source.get("quote")), _text(source.get("section"))


# ---------------------------------------------------------------- Slack


def slack_escape(text: str) -> str:
    """Slack's three control characters (api.slack.com/reference/surfaces/formatting#escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(markdown: str) -> dict[str, Any]:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": _cut(markdown, SLACK_SECTION_MAX)},
    }


def _header(text: str) -> dict[str, Any]:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": _cut(text, SLACK_HEADER_MAX), "emoji": True},
    }


def slack_plan_summary(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The short plan: header, top priorities with one reason, main warnings, keep in-house."""
    blocks: list[dict[str, Any]] = [_header(LABELS["title"])]
    priorities = _items(payload, "priorities")[:SHORT_PRIORITIES]
    if priorities:
        lines = [
            f"*{p.get('rank', i + 1)}. {slack_escape(_text(p.get('title')))}*\n"
            f"{slack_escape(_first_reason(p))}"
            for i, p in enumerate(priorities)
        ]
        blocks.append(_section(f"*{LABELS['priorities']}*"))
        blocks.extend(_section(line) for line in lines)
    warnings = _items(payload, "warnings")[:SHORT_WARNINGS]
    if warnings:
        blocks.append({"type": "divider"})
        text = "\n".join(f"⚠️ {slack_escape(_text(w.get('text')))}" for w in warnings)
        blocks.append(_section(f"*{LABELS['warnings']}*\n{text}"))
    keep = _items(payload, "keep_in_house")
    if keep:
        text = "\n".join(
            f"• *{slack_escape(_keep_title(k))}* : {slack_escape(_text(k.get('why')))}"
            for k in keep
        )
        blocks.append(_section(f"*{LABELS['keep']}*\n{text}"))
    return blocks[:SLACK_BLOCKS_MAX]


def _quote_block(item: dict[str, Any]) -> str:
    quote, section = _quote(item)
    if not quote:
        return ""
    return f"\n> « {slack_escape(quote)} »\n_{LABELS['source']} : {slack_escape(section)}_"


def slack_plan_detail(payload: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The whole plan as messages of blocks (each within Slack's 50-block limit)."""
    blocks: list[dict[str, Any]] = [_section(f"*{LABELS['detail_intro']}*")]
    for i, priority in enumerate(_items(payload, "priorities")):
        why = priority.get("why") if isinstance(priority.get("why"), list) else []
        steps = priority.get("first_steps")
        steps = steps if isinstance(steps, list) else []
        text = f"*{priority.get('rank', i + 1)}. {slack_escape(_text(priority.get('title')))}*"
        if why:
            text += f"\n_{LABELS['reasons']}_\n" + "\n".join(
                f"• {slack_escape(_text(reason))}" for reason in why
            )
        if steps:
            text += f"\n_{LABELS['first_steps']}_\n" + "\n".join(
                f"{n}. {slack_escape(_text(step))}" for n, step in enumerate(steps, 1)
            )
        blocks.append(_section(text + _quote_block(priority)))
    for warning in _items(payload, "warnings"):
        blocks.append(
            _section(f"⚠️ {slack_escape(_text(warning.get('text')))}" + _quote_block(warning))
        )
    for keep in _items(payload, "keep_in_house"):
        blocks.append(
            _section(
                f"*{LABELS['keep']} : {slack_escape(_keep_title(keep))}*\n"
                f"{slack_escape(_text(keep.get('why')))}" + _quote_block(keep)
            )
        )
    phases = _items(payload, "trajectory")
    if phases:
        text = "\n".join(
            f"*{LABELS['phase']} {p.get('phase', n)}* : {slack_escape(_text(p.get('text')))}"
            for n, p in enumerate(phases, 1)
        )
        blocks.append(_section(f"*{LABELS['trajectory']}*\n{text}"))
    case = payload.get("field_case")
    if isinstance(case, dict) and _text(case.get("text")):
        blocks.append(
            _section(
                f"*{LABELS['field_case']} : {slack_escape(_text(case.get('title')))}*\n"
                f"{slack_escape(_text(case.get('text')))}" + _quote_block(case)
            )
        )
    return [
        blocks[start : start + SLACK_BLOCKS_MAX]
        for start in range(0, len(blocks), SLACK_BLOCKS_MAX)
    ]


def slack_plan_fallback(payload: dict[str, Any]) -> str:
    """Notification text of the plan message (what Slack shows where blocks are not rendered)."""
    titles = [_text(p.get("title")) for p in _items(payload, "priorities")[:SHORT_PRIORITIES]]
    return LABELS["title"] + (" : " + ", ".join(titles) if titles else "")


def slack_buttons(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every button kept: rows of at most five in successive actions blocks."""
    elements = []
    for index, button in enumerate(buttons):
        title = _text(button.get("title")) or _text(button.get("payload")) or "…"
        elements.append(
            {
                "type": "button",
                "action_id": f"button_{index}",
                "text": {"type": "plain_text", "text": _cut(title, SLACK_BUTTON_TEXT_MAX)},
                "value": str(button.get("payload", ""))[:SLACK_BUTTON_VALUE_MAX],
            }
        )
    return [
        {"type": "actions", "elements": elements[start : start + SLACK_BUTTONS_PER_ROW]}
        for start in range(0, len(elements), SLACK_BUTTONS_PER_ROW)
    ]


# ---------------------------------------------------------------- Teams


def _block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def teams_buttons(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Action.Submit buttons; a click comes back as a message whose `value` holds the payload.

    `msteams.messageBack` makes Teams show the title in the conversation as the user's message.
    """
    actions = []
    for button in buttons:
        title = _text(button.get("title")) or _text(button.get("payload")) or "…"
        payload = str(button.get("payload", ""))
        actions.append(
            {
                "type": "Action.Submit",
                "title": title,
                "data": {
                    "payload": payload,
                    "msteams": {
                        "type": "messageBack",
                        "displayText": title,
                        "text": title,
                        "value": {"payload": payload},
                    },
                },
            }
        )
    return actions


def adaptive_card(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": ADAPTIVE_CARD_VERSION,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def attachment(card: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": ADAPTIVE_CARD_TYPE, "content": card}


def _teams_quote(item: dict[str, Any]) -> list[dict[str, Any]]:
    quote, section = _quote(item)
    if not quote:
        return []
    return [
        _block(f"« {quote} »", isSubtle=True, spacing="Small"),
        _block(f"{LABELS['source']} : {section}", isSubtle=True, size="Small", spacing="None"),
    ]


def _teams_detail(payload: dict[str, Any]) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = []
    for i, priority in enumerate(_items(payload, "priorities")):
        why = priority.get("why") if isinstance(priority.get("why"), list) else []
        steps = priority.get("first_steps")
        steps = steps if isinstance(steps, list) else []
        items = [
            _block(
                f"{priority.get('rank', i + 1)}. {_text(priority.get('title'))}", weight="Bolder"
            )
        ]
        if why:
            items.append(_block(f"{LABELS['reasons']} :", isSubtle=True, spacing="Small"))
            items.extend(_block(f"- {_text(reason)}", spacing="None") for reason in why)
        if steps:
            items.append(_block(f"{LABELS['first_steps']} :", isSubtle=True, spacing="Small"))
            items.extend(
                _block(f"{n}. {_text(step)}", spacing="None") for n, step in enumerate(steps, 1)
            )
        items.extend(_teams_quote(priority))
        body.append({"type": "Container", "items": items, "separator": True})
    for warning in _items(payload, "warnings"):
        body.append(
            {
                "type": "Container",
                "style": "warning",
                "items": [_block(_text(warning.get("text"))), *_teams_quote(warning)],
            }
        )
    for keep in _items(payload, "keep_in_house"):
        body.append(
            {
                "type": "Container",
                "items": [
                    _block(f"{LABELS['keep']} : {_keep_title(keep)}", weight="Bolder"),
                    _block(_text(keep.get("why"))),
                    *_teams_quote(keep),
                ],
            }
        )
    phases = _items(payload, "trajectory")
    if phases:
        body.append(_block(LABELS["trajectory"], weight="Bolder", separator=True))
        body.append(
            {
                "type": "FactSet",
                "facts": [
                    {
                        "title": f"{LABELS['phase']} {p.get('phase', n)}",
                        "value": _text(p.get("text")),
                    }
                    for n, p in enumerate(phases, 1)
                ],
            }
        )
    case = payload.get("field_case")
    if isinstance(case, dict) and _text(case.get("text")):
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    _block(f"{LABELS['field_case']} : {_text(case.get('title'))}", weight="Bolder"),
                    _block(_text(case.get("text"))),
                    *_teams_quote(case),
                ],
            }
        )
    return body


def teams_plan_card(payload: dict[str, Any]) -> dict[str, Any]:
    """The short plan in the card body; the whole plan behind an Action.ShowCard button."""
    body: list[dict[str, Any]] = [_block(LABELS["title"], size="Large", weight="Bolder")]
    priorities = _items(payload, "priorities")[:SHORT_PRIORITIES]
    if priorities:
        body.append(_block(LABELS["priorities"], weight="Bolder", spacing="Medium"))
        for i, priority in enumerate(priorities):
            body.append(
                {
                    "type": "Container",
                    "items": [
                        _block(
                            f"{priority.get('rank', i + 1)}. {_text(priority.get('title'))}",
                            weight="Bolder",
                        ),
                        _block(_first_reason(priority), spacing="None"),
                    ],
                }
            )
    warnings = _items(payload, "warnings")[:SHORT_WARNINGS]
    if warnings:
        body.append(_block(LABELS["warnings"], weight="Bolder", separator=True))
        body.extend(
            {"type": "Container", "style": "warning", "items": [_block(_text(w.get("text")))]}
            for w in warnings
        )
    keep = _items(payload, "keep_in_house")
    if keep:
        body.append(_block(LABELS["keep"], weight="Bolder", separator=True))
        body.append(
            {
                "type": "FactSet",
                "facts": [{"title": _keep_title(k), "value": _text(k.get("why"))} for k in keep],
            }
        )
    detail = _teams_detail(payload)
    actions = []
    if detail:
        actions.append(
            {
                "type": "Action.ShowCard",
                "title": LABELS["detail"],
                "card": {"type": "AdaptiveCard", "body": detail},
            }
        )
    return adaptive_card(body, actions)
