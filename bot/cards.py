"""The advice payload (CONTRACT.md) as Slack Block Kit blocks and as a Teams Adaptive Card.

Short first, as DESIGN.md asks of a chat, in the order of the text answer (knowledge/render.py)
for each ``situation`` of the payload: "plan", the top priorities with one reason each (and the
steering points' titles when a provider already runs part of IT); "nothing_urgent", nothing
requires outsourcing now (the closing question); "steering", the steering points instead of
priorities; then the main warnings and what to keep in-house. The detail (every reason, first
steps, quotes, closing question, steering points, trajectory, field case) comes on demand: on
Slack as replies in the plan's thread, on Teams behind an Action.ShowCard button. Pure functions
of the payload: the channels post what they return.
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
    "no_priority": "Aucune priorité d’externalisation ne ressort de ce que vous m’avez dit.",
    "steering_also": "Pour ce qui est déjà confié à un prestataire : pilotez-le",
    # The situations other than "plan": title, first sentence, heading of the detail.
    "title_nothing_urgent": "Rien d’urgent à externaliser",
    "nothing_urgent": (
        "Rien n’impose d’externaliser maintenant : aucune difficulté ni urgence ne ressort de ce "
        "que vous m’avez dit."
    ),
    "closing_source": "La question à se poser, d’après l’article",
    "detail_intro_nothing_urgent": "Le détail, avec les phrases de l’article :",
    "title_steering": "Piloter votre prestataire",
    "steering_intro": (
        "Votre informatique est déjà confiée à un prestataire : la réponse n’est pas "
        "d’externaliser davantage, mais de mieux piloter ce qui l’est."
    ),
    "detail_intro_steering": "Le détail du pilotage, point par point :",
}
# ``situation`` of the payload (CONTRACT.md).
PLAN, NOTHING_URGENT, STEERING = "plan", "nothing_urgent", "steering"
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


def _situation(payload: dict[str, Any]) -> str:
    """The payload's situation; a payload without one (older version) is read from its content."""
    situation = payload.get("situation")
    if situation in (PLAN, NOTHING_URGENT, STEERING):
        return str(situation)
    if _items(payload, "priorities"):
        return PLAN
    if isinstance(payload.get("closing_question"), dict):
        return NOTHING_URGENT
    return STEERING if _items(payload, "steering") else PLAN


def _title(payload: dict[str, Any]) -> str:
    situation = _situation(payload)
    return LABELS["title"] if situation == PLAN else LABELS[f"title_{situation}"]


def _closing(payload: dict[str, Any]) -> dict[str, Any]:
    """The closing question ({"text", "source"}), or {} when there is none."""
    closing = payload.get("closing_question")
    return closing if isinstance(closing, dict) and _text(closing.get("text")) else {}


def _detail_intro(payload: dict[str, Any]) -> str:
    situation = _situation(payload)
    if situation == PLAN:
        return LABELS["detail_intro"]
    return LABELS[f"detail_intro_{situation}"]


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
    """The short answer: header, then the top priorities with one reason (the steering points'
    titles too if a provider is already there), or nothing urgent and the closing question, or
    the steering points; then the main warnings and what to keep in-house."""
    situation = _situation(payload)
    blocks: list[dict[str, Any]] = [_header(_title(payload))]
    steering = _items(payload, "steering")
    if situation == NOTHING_URGENT:
        closing = _text(_closing(payload).get("text")) or LABELS["nothing_urgent"]
        blocks.append(_section(slack_escape(closing)))
    elif situation == STEERING:
        blocks.append(_section(slack_escape(LABELS["steering_intro"])))
        blocks.extend(_section(_slack_point(item)) for item in steering)
    else:
        priorities = _items(payload, "priorities")[:SHORT_PRIORITIES]
        lines = [
            f"*{p.get('rank', i + 1)}. {slack_escape(_text(p.get('title')))}*\n"
            f"{slack_escape(_first_reason(p))}"
            for i, p in enumerate(priorities)
        ]
        if lines:
            blocks.append(_section(f"*{LABELS['priorities']}*"))
            blocks.extend(_section(line) for line in lines)
        else:
            blocks.append(_section(LABELS["no_priority"]))
        if steering:
            text = "\n".join(f"• {slack_escape(_text(s.get('title')))}" for s in steering)
            blocks.append(_section(f"*{LABELS['steering_also']}*\n{text}"))
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


def _slack_point(item: dict[str, Any]) -> str:
    """A steering point: its title in bold, then its text."""
    return f"*{slack_escape(_text(item.get('title')))}*\n{slack_escape(_text(item.get('text')))}"


def _quote_block(item: dict[str, Any]) -> str:
    quote, section = _quote(item)
    if not quote:
        return ""
    return f"\n> « {slack_escape(quote)} »\n_{LABELS['source']} : {slack_escape(section)}_"


def slack_plan_detail(payload: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The whole answer as messages of blocks (each within Slack's 50-block limit)."""
    blocks: list[dict[str, Any]] = [_section(f"*{_detail_intro(payload)}*")]
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
    closing = _closing(payload)
    if closing:
        blocks.append(
            _section(
                f"{slack_escape(_text(closing.get('text')))}\n*{LABELS['closing_source']}*"
                + _quote_block(closing)
            )
        )
    for item in _items(payload, "steering"):
        blocks.append(_section(_slack_point(item) + _quote_block(item)))
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
    situation = _situation(payload)
    if situation == NOTHING_URGENT:
        return LABELS["title_nothing_urgent"]
    key = "steering" if situation == STEERING else "priorities"
    titles = [_text(p.get("title")) for p in _items(payload, key)[:SHORT_PRIORITIES]]
    return _title(payload) + (" : " + ", ".join(titles) if titles else "")


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
    closing = _closing(payload)
    if closing:
        body.append(
            {
                "type": "Container",
                "items": [
                    _block(_text(closing.get("text"))),
                    _block(LABELS["closing_source"], weight="Bolder", spacing="Small"),
                    *_teams_quote(closing),
                ],
            }
        )
    for item in _items(payload, "steering"):
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    _block(_text(item.get("title")), weight="Bolder"),
                    _block(_text(item.get("text")), spacing="None"),
                    *_teams_quote(item),
                ],
            }
        )
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
    """The short answer in the card body (as ``slack_plan_summary``); the whole answer behind
    an Action.ShowCard button."""
    situation = _situation(payload)
    body: list[dict[str, Any]] = [_block(_title(payload), size="Large", weight="Bolder")]
    steering = _items(payload, "steering")
    priorities = _items(payload, "priorities")[:SHORT_PRIORITIES] if situation == PLAN else []
    if situation == NOTHING_URGENT:
        body.append(_block(_text(_closing(payload).get("text")) or LABELS["nothing_urgent"]))
    elif situation == STEERING:
        body.append(_block(LABELS["steering_intro"]))
        body.extend(
            {
                "type": "Container",
                "items": [
                    _block(_text(item.get("title")), weight="Bolder"),
                    _block(_text(item.get("text")), spacing="None"),
                ],
            }
            for item in steering
        )
    elif not priorities:
        body.append(_block(LABELS["no_priority"]))
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
        if steering:
            body.append(_block(LABELS["steering_also"], weight="Bolder", spacing="Medium"))
            body.extend(
                _block(f"- {_text(item.get('title'))}", spacing="None") for item in steering
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
