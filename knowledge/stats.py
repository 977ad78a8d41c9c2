"""Statistics for the consultants, from the anonymous events the actions record.

Per ISO week: diagnostics started and finished, where unfinished ones stopped (the last question
asked), the most frequent signals, top priorities and warnings. Only ids and counts: no text, no
names, no sender keys leave this module. Conversations are told apart by their stored key only
to follow one diagnostic from its start to its plan.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .records import Event

STARTED, QUESTION, PLAN = "diagnostic_started", "question", "plan"
BEFORE_FIRST_QUESTION = "before_first_question"
TOP = 5
TEMPLATES_LABELS = Path(__file__).resolve().parent / "templates" / "stats_labels.yml"


@dataclass
class WeekStats:
    week: str  # ISO week, e.g. "2026-W48"
    started: int = 0
    finished: int = 0
    stopped_at: Counter = field(default_factory=Counter)
    signals: Counter = field(default_factory=Counter)
    top_priorities: Counter = field(default_factory=Counter)
    priorities: Counter = field(default_factory=Counter)
    warnings: Counter = field(default_factory=Counter)
    reports: int = 0
    handoffs: int = 0
    reviews: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "started": self.started,
            "finished": self.finished,
            "stopped_at": dict(self.stopped_at.most_common()),
            "signals": dict(self.signals.most_common(TOP)),
            "top_priorities": dict(self.top_priorities.most_common()),
            "priorities": dict(self.priorities.most_common()),
            "warnings": dict(self.warnings.most_common(TOP)),
            "reports": self.reports,
            "handoffs": self.handoffs,
            "reviews": self.reviews,
        }


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def compute_stats(events: Iterable[Event]) -> list[WeekStats]:
    """Weekly statistics, oldest week first. A diagnostic counts in the week it started."""
    weeks: dict[str, WeekStats] = {}

    def week_of(moment: datetime) -> WeekStats:
        key = iso_week(moment)
        return weeks.setdefault(key, WeekStats(key))

    by_sender: dict[str, list[Event]] = {}
    for event in sorted(events, key=lambda e: e.occurred_at):
        by_sender.setdefault(event.sender_key, []).append(event)
        stats = week_of(event.occurred_at)
        if event.kind == PLAN:
            stats.signals.update(event.data.get("signals", []))
            priorities = event.data.get("priorities", [])
            stats.priorities.update(priorities)
            stats.top_priorities.update(priorities[:1])
            stats.warnings.update(event.data.get("warnings", []))
        elif event.kind == "report":
            stats.reports += 1
        elif event.kind == "handoff":
            stats.handoffs += 1
        elif event.kind == "review":
            stats.reviews += 1
    for sender_events in by_sender.values():
        current: WeekStats | None = None
        last_question = BEFORE_FIRST_QUESTION
        for event in sender_events:
            if event.kind == STARTED:
                if current is not None:
                    current.stopped_at[last_question] += 1
                current, last_question = week_of(event.occurred_at), BEFORE_FIRST_QUESTION
                current.started += 1
            elif event.kind == QUESTION and current is not None:
                last_question = event.data.get("field", last_question)
            elif event.kind == PLAN and current is not None:
                current.finished += 1
                current = None
        if current is not None:
            current.stopped_at[last_question] += 1
    return [weeks[key] for key in sorted(weeks)]


def load_stats(*, weeks: int | None = None) -> list[WeekStats]:
    from .records import list_events, now, records_session

    since = now() - timedelta(weeks=weeks) if weeks else None
    with records_session() as session:
        return compute_stats(list_events(session=session, since=since))


def plot_stats(stats: list[WeekStats], path: Path, labels: dict[str, Any]) -> Path:
    """A PNG: diagnostics started/finished per week, and where unfinished ones stopped."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    text = labels["plot"]
    questions = labels["questions"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=100)
    names = [s.week for s in stats]
    positions = range(len(stats))
    left.bar([p - 0.2 for p in positions], [s.started for s in stats], 0.4, label=text["started"])
    left.bar([p + 0.2 for p in positions], [s.finished for s in stats], 0.4, label=text["finished"])
    left.set_xticks(list(positions), names, rotation=30, ha="right")
    left.set_title(text["per_week"])
    left.yaxis.get_major_locator().set_params(integer=True)
    left.legend()
    stops: Counter = Counter()
    for week in stats:
        stops.update(week.stopped_at)
    order = [key for key in questions if stops.get(key)]
    right.barh([questions[key] for key in order], [stops[key] for key in order], color="#c77800")
    right.invert_yaxis()
    right.set_title(text["stops"])
    right.xaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path


def format_stats(stats: list[WeekStats], labels: dict[str, Any]) -> str:
    """The weekly figures as French text, one block per week."""
    text, questions = labels["text"], labels["questions"]
    names = labels["names"]
    if not stats:
        return text["empty"]

    def top(counter: Counter, limit: int = TOP) -> str:
        items = counter.most_common(limit)
        return ", ".join(f"{names.get(key, key)} ({count})" for key, count in items) or "—"

    blocks = []
    for week in stats:
        stops = ", ".join(
            f"{questions.get(key, key)} ({count})" for key, count in week.stopped_at.most_common()
        )
        blocks.append(
            "\n".join(
                [
                    text["week"].format(week=week.week),
                    text["diagnostics"].format(started=week.started, finished=week.finished),
                    text["stops"].format(stops=stops or "—"),
                    text["signals"].format(items=top(week.signals)),
                    text["top_priorities"].format(items=top(week.top_priorities)),
                    text["warnings"].format(items=top(week.warnings)),
                    text["requests"].format(
                        reports=week.reports, handoffs=week.handoffs, reviews=week.reviews
                    ),
                ]
            )
        )
    return "\n\n".join(blocks)
