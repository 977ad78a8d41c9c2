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
    scores = rank_services(checked, kb)
    top = scores[0]
    context = Context(checked, top.service.id, tuple(top.because_of + top.context_because))
    return {
        "type": ADVICE_TYPE,
        "version": ADVICE_VERSION,
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
        "warnings": _warnings(kb, context),
        "trajectory": _trajectory(kb, checked, scores),
        "field_case": _field_case(kb, context),
        "missing": checked.missing,
    }


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


def _warnings(kb: KnowledgeBase, context: Context) -> list[dict[str, Any]]:
    result = []
    for warning in kb.warnings:
        holds, because = evaluate(warning.when, context)
        if holds:
            result.append(
                {
                    "id": warning.id,
                    "text": warning.text,
                    "because_of": because,
                    "source": warning.source.as_dict(),
                }
            )
    return result


def _trajectory(kb: KnowledgeBase, profile: Profile, scores: Sequence[_Score]) -> list[dict]:
    settings = kb.documents["trajectory"]
    texts = settings["texts"]
    exposed = [score.service for score in scores if score.pain > 0]
    if profile.emergency:
        first, first_text = [scores[0].service], texts["first_emergency"]
        limit = settings["emergency_phase1_max"]
        first = first[:limit]
    elif exposed:
        first, first_text = exposed[: settings["phase1_max"]], texts["first"]
    else:
        first, first_text = [scores[0].service], texts["first_default"]
    following = [service for service in exposed if service not in first]
    later = [score.service for score in scores if score.service not in first + following]
    phases = [(first, first_text), (following, texts["next"]), (later, texts["later"])]
    trajectory = []
    for services, template in phases:
        if services:
            trajectory.append(
                {
                    "phase": len(trajectory) + 1,
                    "services": [service.id for service in services],
                    "text": template.format(services=join_list(kb, [s.name for s in services])),
                }
            )
    return trajectory


def _field_case(kb: KnowledgeBase, context: Context) -> dict[str, Any]:
    def affinity(case_index: int) -> tuple[int, int]:
        case = kb.field_cases[case_index]
        total = sum(item["weight"] for item in case.affinity if evaluate(item["when"], context)[0])
        return (-total, case.position)

    best = kb.field_cases[min(range(len(kb.field_cases)), key=affinity)]
    return {
        "id": best.id,
        "title": best.title,
        "text": best.text,
        "source": best.source.as_dict(),
    }


def join_list(kb: KnowledgeBase, items: Sequence[str]) -> str:
    """« a, b et c » with the separators of labels.yml."""
    separators = kb.labels["list"]
    if len(items) <= 1:
        return "".join(items)
    return separators["separator"].join(items[:-1]) + separators["last_separator"] + items[-1]
