"""The advice engine: profile -> prioritised, explained, cited plan (payload of CONTRACT.md).

Rules (DESIGN.md): the pain points decide the order (signal weights); profile context only breaks
ties between services with the same pain score; the article's order breaks what remains. An
emergency adds a warning and narrows phase 1 without reordering. Governance stays in-house.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .base import get_knowledge_base
from .conditions import Context, evaluate
from .model import KnowledgeBase, Service
from .profile import Profile, validate_profile

ADVICE_TYPE = "advice"
ADVICE_VERSION = 1
# ``situation`` of the payload: a prioritised plan; nothing urgent (nothing weakens the business);
# steering (IT already run by a provider: pilot it, do not outsource more).
PLAN, NOTHING_URGENT, STEERING = "plan", "nothing_urgent", "steering"


@dataclass
class _Score:
    service: Service
    pain: int = 0
    context: int = 0
    why: list[str] = field(default_factory=list)
    because_of: list[str] = field(default_factory=list)
    context_why: list[str] = field(default_factory=list)
    context_because: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, int, int]:
        return (-self.pain, -self.context, self.service.position)


def recommend(profile: Mapping[str, Any] | Profile) -> dict[str, Any]:
    """The advice payload for ``profile``; raises ProfileError on unknown fields or values."""
    checked = validate_profile(profile)
    kb = get_knowledge_base()
    situation = _situation(checked)
    scores = rank_services(checked, kb)
    if checked.narrow_scope:
        scores = [score for score in scores if score.service.id in checked.narrow_scope]
    if situation != PLAN:
        scores = []
    top = scores[0] if scores else None
    context = Context(
        checked,
        top.service.id if top else None,
        tuple(top.because_of + top.context_because) if top else (),
    )
    steering = _steering(kb, checked)
    return {
        "type": ADVICE_TYPE,
        "version": ADVICE_VERSION,
        "situation": situation,
        "signals": _signals(checked),
        "priorities": [_priority(rank, score) for rank, score in enumerate(scores, start=1)],
        "keep_in_house": [
            {
                "service": service.id,
                "why": service.default_why,
                "source": service.source.as_dict(),
            }
            for service in kb.services
            if not service.outsourceable
        ],
        "warnings": _warnings(kb, context, replaced=_replaced(kb) if steering else ()),
        "steering": steering,
        "closing_question": _closing_question(kb) if situation == NOTHING_URGENT else None,
        "trajectory": _trajectory(kb, checked, scores) if scores else [],
        "field_case": _field_case(kb, context),
        "missing": checked.missing,
    }


def _situation(profile: Profile) -> str:
    """What kind of answer fits: more outsourcing is not the answer to everything."""
    if profile.current_provider == "full":
        return STEERING
    if not profile.pain_points and not profile.emergency and not profile.narrow_scope:
        return NOTHING_URGENT
    return PLAN


def _signals(profile: Profile) -> list[dict[str, str]]:
    """How sure each signal is: only ``clear`` ones are named in the plan's sentences."""
    return [{"id": item, "evidence": "clear"} for item in profile.pain_points] + [
        {"id": item, "evidence": "possible"}
        for item in profile.possible_pain_points
        if item not in profile.pain_points
    ]


def _steering(kb: KnowledgeBase, profile: Profile) -> list[dict[str, Any]]:
    settings = kb.documents["situations"]["steering"]
    unhappy = set(settings["unhappy_signals"]) & set(profile.pain_points)
    if profile.current_provider == "full" or (profile.current_provider == "partial" and unhappy):
        return [
            {
                "id": item["id"],
                "title": item["title"],
                "text": item["text"],
                "source": dict(item["source"]),
            }
            for item in settings["items"]
        ]
    return []


def _replaced(kb: KnowledgeBase) -> tuple[str, ...]:
    return tuple(kb.documents["situations"]["steering"]["replaces"])


def _closing_question(kb: KnowledgeBase) -> dict[str, Any]:
    data = kb.documents["situations"]["nothing_urgent"]
    return {"text": data["text"], "source": dict(data["source"])}


def rank_services(profile: Profile, kb: KnowledgeBase) -> list[_Score]:
    """Outsourceable services, best first, with the reasons that put them there."""
    scores = {service.id: _Score(service) for service in kb.services if service.outsourceable}
    for signal in kb.signals:
        if signal.id not in profile.pain_points:
            continue
        for support in signal.supports:
            score = scores[support.service]
            score.pain += support.weight
            score.why.append(support.why)
            score.because_of.append(signal.id)
    for rule in kb.documents["scoring"]["context"]:
        holds, because = evaluate(rule["when"], Context(profile))
        if not holds:
            continue
        for service_id, weight in rule["weights"].items():
            score = scores[service_id]
            score.context += weight
            score.context_why.append(rule["why"])
            score.context_because.extend(
                item for item in because if item not in score.context_because
            )
    return sorted(scores.values(), key=lambda score: score.key)


def _priority(rank: int, score: _Score) -> dict[str, Any]:
    service = score.service
    why = score.why + score.context_why
    return {
        "rank": rank,
        "service": service.id,
        "title": service.title,
        "why": why or [service.default_why],
        "because_of": score.because_of + score.context_because,
        "first_steps": list(service.first_steps),
        "source": service.source.as_dict(),
    }


def _warnings(
    kb: KnowledgeBase, context: Context, *, replaced: Sequence[str] = ()
) -> list[dict[str, Any]]:
    emergency_texts = kb.documents["situations"]["emergency_texts"]
    result = []
    for warning in kb.warnings:
        if warning.id in replaced:
            continue
        holds, because = evaluate(warning.when, context)
        if holds:
            text = warning.text
            if warning.id == "emergency_outsourcing":
                text = emergency_texts.get(context.profile.trigger, text)
            result.append(
                {
                    "id": warning.id,
                    "text": text,
                    "because_of": because,
                    "source": warning.source.as_dict(),
                }
            )
    return result


def _trajectory(kb: KnowledgeBase, profile: Profile, scores: Sequence[_Score]) -> list[dict]:
    settings = kb.documents["trajectory"]
    texts = settings["texts"]
    exposed = [score.service for score in scores if score.pain > 0]
    if profile.narrow_scope:
        first, first_key = [score.service for score in scores], "first_scope"
    elif profile.emergency:
        first = [scores[0].service][: settings["emergency_phase1_max"]]
        first_key = "first_emergency"
    elif exposed:
        most = [score.service for score in scores if score.pain >= settings["phase1_min_pain"]]
        first, first_key = (most or exposed)[: settings["phase1_max"]], "first"
    else:
        first, first_key = [scores[0].service], "first_default"
    following = [service for service in exposed if service not in first]
    later = [score.service for score in scores if score.service not in first + following]
    phases: list[tuple[list[Service], str | None]]
    phases = [(first, first_key), (following, "next"), (later, "later")]
    if profile.narrow_scope:
        options = [s for s in kb.services if s.outsourceable and s.id not in profile.narrow_scope]
        later_texts = kb.documents["situations"]["narrow_scope"]
        phases = [(first, first_key), (options, None)]
    trajectory: list[dict[str, Any]] = []
    for services, key in phases:
        if not services:
            continue
        names = join_list(kb, [service.name for service in services])
        if key is None:
            template = later_texts["later_one" if len(services) == 1 else "later_many"]
            text = template.format(services=names[:1].upper() + names[1:])
        else:
            text = _number(texts[key], len(services)).format(services=names)
        trajectory.append(
            {
                "phase": len(trajectory) + 1,
                "services": [service.id for service in services],
                "text": text,
            }
        )
    return trajectory


def _number(template: Any, count: int) -> str:
    """A text written once, or in singular and plural forms (``{one: ..., many: ...}``)."""
    if isinstance(template, str):
        return template
    return str(template["one" if count == 1 else "many"])


def _field_case(kb: KnowledgeBase, context: Context) -> dict[str, Any] | None:
    """The field case that resembles the company, or None when none does (never a fallback)."""
    best: tuple[int, int] | None = None
    chosen = None
    for case in kb.field_cases:
        total = sum(item["weight"] for item in case.affinity if evaluate(item["when"], context)[0])
        key = (-total, case.position)
        if total >= kb.documents["scoring"]["field_case_min_affinity"] and (
            best is None or key < best
        ):
            best, chosen = key, case
    if chosen is None:
        return None
    return {
        "id": chosen.id,
        "title": chosen.title,
        "text": chosen.text,
        "source": chosen.source.as_dict(),
    }


def join_list(kb: KnowledgeBase, items: Sequence[str]) -> str:
    """« a, b et c » with the separators of labels.yml."""
    separators = kb.labels["list"]
    if len(items) <= 1:
        return "".join(items)
    return separators["separator"].join(items[:-1]) + separators["last_separator"] + items[-1]
