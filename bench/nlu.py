"""French NLU benchmark (Wikit nlu-covid): train the project's NLU pipeline on the training
file, score intent accuracy on the test file. Never trains on the test file.

Usage: python -m bench.nlu [--config config.yml] [--out bench/results/nlu.json]

Scoring loads the model once and parses the sentences in this process, with the Rasa server's
patches that concern parsing (model load, spaCy, TensorFlow threads). `rasa test nlu` took about
15 minutes for the 913 sentences (see bench/README.md for why); this takes seconds.

`accuracy` is intent accuracy as `rasa test nlu` computes it (the figure of issue #9 and of the
held-out report): a FallbackClassifier answer is undone to the intent it shadowed.
`accuracy_with_fallback` counts every `nlu_fallback` as a miss: what the bot answers correctly.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import csv
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from bot.settings import ROOT

DATASET = ROOT.parent / "shared" / "benchmarks" / "wikit-nlu-covid-fr"
TRAIN_FILE = DATASET / "training_dataset.csv"
TEST_FILE = DATASET / "test_dataset.csv"
RESULTS = Path(__file__).resolve().parent / "results"


def read_rows(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["utterance"].strip(), row["intent"].strip()) for row in csv.DictReader(handle)]


def to_rasa_nlu(rows: list[tuple[str, str]]) -> str:
    """Rasa NLU training data (YAML) grouping the utterances by intent."""
    by_intent: dict[str, list[str]] = collections.defaultdict(list)
    for text, intent in rows:
        # One example per line: line breaks inside an utterance become spaces.
        by_intent[intent].append(" ".join(text.split()))
    nlu = [
        {"intent": intent, "examples": "".join(f"- {text}\n" for text in texts)}
        for intent, texts in by_intent.items()
    ]
    return yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True, sort_keys=False)


def nlu_config(config: Path) -> str:
    """The language and pipeline of `config` (policies are irrelevant to NLU training)."""
    loaded = yaml.safe_load(config.read_text())
    kept = {key: loaded[key] for key in ("recipe", "language", "pipeline") if key in loaded}
    return yaml.safe_dump(kept, allow_unicode=True, sort_keys=False)


def train(work: Path, config: Path) -> tuple[Path, float]:
    import subprocess

    (work / "nlu.yml").write_text(to_rasa_nlu(read_rows(TRAIN_FILE)), encoding="utf-8")
    (work / "config.yml").write_text(nlu_config(config), encoding="utf-8")
    started = time.monotonic()
    # The pipeline may name the project's own components (nlu_components.*): importable from ROOT.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    with (work / "train.log").open("wb") as log:
        code = subprocess.call(
            [
                sys.executable, "-m", "rasa", "train", "nlu", "--config", "config.yml",
                "--nlu", "nlu.yml", "--out", "models", "--fixed-model-name", "wikit",
            ],
            cwd=work,
            env=env,
            stdout=log,
            stderr=log,
        )  # fmt: skip
    if code != 0:
        raise RuntimeError(f"l'entraînement NLU a échoué (code {code}) : voir {work / 'train.log'}")
    return work / "models" / "wikit.tar.gz", time.monotonic() - started


async def score(model: Path, rows: list[tuple[str, str]]) -> dict[str, Any]:
    """Loads the model once and parses every test sentence in this process."""
    import logging

    from rasa.core.agent import Agent
    from rasa.nlu.classifiers.fallback_classifier import (
        is_fallback_classifier_prediction,
        undo_fallback_prediction,
    )
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no debug line per parsed sentence

    agent = Agent.load(str(model))
    started = time.monotonic()
    correct = correct_answered = 0
    confusions: collections.Counter[tuple[str, str]] = collections.Counter()
    for text, expected in rows:
        parsed = await agent.parse_message(text)
        if (parsed.get("intent") or {}).get("name") == expected:
            correct_answered += 1
        if is_fallback_classifier_prediction(parsed):  # as rasa test nlu does
            parsed = undo_fallback_prediction(parsed)
        predicted = (parsed.get("intent") or {}).get("name")
        if predicted == expected:
            correct += 1
        else:
            confusions[(expected, str(predicted))] += 1
    seconds = time.monotonic() - started
    return {
        "accuracy": round(correct / len(rows), 4),
        "accuracy_with_fallback": round(correct_answered / len(rows), 4),
        "test_sentences": len(rows),
        "scoring_s": round(seconds, 1),
        "ms_per_sentence": round(1000 * seconds / len(rows), 1),
        "top_confusions": [
            {"expected": e, "predicted": p, "count": n} for (e, p), n in confusions.most_common(5)
        ],
    }


def run(config: Path, out: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as tmp:
        work = Path(tmp)
        print(f"[bench-nlu] entraînement sur {TRAIN_FILE.name} ({config.name})…", flush=True)
        model, train_s = train(work, config)
        print(f"[bench-nlu] entraîné en {train_s:.0f} s ; évaluation sur {TEST_FILE.name}…")
        result = asyncio.run(score(model, read_rows(TEST_FILE)))
    result.update(
        {
            "dataset": "wikit-nlu-covid-fr",
            "config": str(config.relative_to(ROOT) if config.is_relative_to(ROOT) else config),
            "train_s": round(train_s, 1),
            "train_sentences": len(read_rows(TRAIN_FILE)),
            "cores": os.cpu_count(),
            "machine": platform.machine(),
        }
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(
        f"[bench-nlu] précision des intentions {result['accuracy']:.3f} "
        f"({result['accuracy_with_fallback']:.3f} replis comptés comme erreurs ; "
        f"{result['test_sentences']} phrases, {result['scoring_s']} s) -> {out}",
        flush=True,
    )
    return result


def main(argv: list[str] | None = None) -> int:
    from bot.patches import perf_model_load, perf_spacy_once, perf_tf_threads

    # As in the Rasa server: one TensorFlow thread per pool, weights built by one eager step,
    # spaCy loaded once without its NER.
    for patch in (perf_tf_threads, perf_model_load, perf_spacy_once):
        patch.apply()
    parser = argparse.ArgumentParser(prog="python -m bench.nlu")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--out", type=Path, default=RESULTS / "nlu.json")
    args = parser.parse_args(argv)
    if not TRAIN_FILE.is_file() or not TEST_FILE.is_file():
        print(f"Jeu de données absent : {DATASET}", file=sys.stderr)
        return 2
    run(args.config.resolve(), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
