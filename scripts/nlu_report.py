"""Summarises `rasa test nlu` results (intent_report.json) as a Markdown table of per-intent F1.

Usage: python scripts/nlu_report.py RESULTS_DIR [RESULTS_DIR ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SUMMARY_KEYS = ("accuracy", "macro avg", "weighted avg", "micro avg")


def load_report(results_dir: Path) -> dict:
    candidates = [results_dir / "intent_report.json", results_dir / "test" / "intent_report.json"]
    for path in candidates:
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise SystemExit(f"Erreur : aucun intent_report.json dans {results_dir}.")


def render(results_dir: Path) -> str:
    report = load_report(results_dir)
    accuracy = report.get("accuracy")
    lines = [f"## {results_dir.name}", ""]
    if accuracy is not None:
        lines += [f"Intent accuracy: **{accuracy:.1%}**", ""]
    lines += ["| intent | precision | recall | F1 | support |", "| --- | --- | --- | --- | --- |"]
    intents = sorted(
        (name for name in report if name not in SUMMARY_KEYS),
        key=lambda name: report[name].get("f1-score", 0.0),
    )
    for name in intents:
        row = report[name]
        lines.append(
            f"| {name} | {row['precision']:.2f} | {row['recall']:.2f} | "
            f"{row['f1-score']:.2f} | {row['support']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    print("# NLU report\n")
    for directory in argv:
        print(render(Path(directory)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
