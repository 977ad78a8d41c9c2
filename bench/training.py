"""Training for the bench: our model (timed, as `make train` runs it) and the stock baseline
(the `rasa init` project with the project's French language settings)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from bot.settings import ROOT

BENCH_DIR = Path(__file__).resolve().parent
STOCK_PIPELINE = BENCH_DIR / "stock_pipeline.yml"


def rasa_train(cwd: Path, args: list[str], log: Path) -> float:
    """Runs `rasa train …` in `cwd` with an empty training cache (as on a fresh clone); returns
    its duration in seconds."""
    cache = log.parent / f"{log.stem}-cache"
    env = {**os.environ, "RASA_CACHE_DIRECTORY": str(cache)}
    started = time.monotonic()
    with log.open("wb") as out:
        code = subprocess.call(
            [sys.executable, "-m", "rasa", "train", *args], cwd=cwd, stdout=out, stderr=out, env=env
        )
    shutil.rmtree(cache, ignore_errors=True)
    if code != 0:
        raise RuntimeError(f"rasa train a échoué (code {code}) : voir {log}")
    return time.monotonic() - started


def train_ours(work: Path) -> tuple[Path, float]:
    """Trains config.yml + domain.yml + data/ into `work/models`, as `make train` does."""
    models = work / "models"
    seconds = rasa_train(
        ROOT,
        [
            "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
            "--out", str(models), "--fixed-model-name", "advisor",
        ],
        work / "train-ours.log",
    )  # fmt: skip
    return models, seconds


def _scaffold() -> Path:
    """Rasa's `rasa init` project template (copied as `rasa init --no-prompt` copies it)."""
    spec = importlib.util.find_spec("rasa")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "cli" / "initial_project"


def stock_config() -> str:
    """rasa init's config.yml with the project's language and NLU pipeline."""
    config = yaml.safe_load((_scaffold() / "config.yml").read_text())
    config.update(yaml.safe_load(STOCK_PIPELINE.read_text()))
    config["assistant_id"] = "stock_baseline"
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def stock_project(work: Path, reuse: bool) -> tuple[Path, Path, float | None]:
    """(project folder, trained model, training seconds or None when a cached model was reused).

    With `reuse`, a model trained earlier from the same configuration is kept (quick runs).
    """
    config = stock_config()
    digest = hashlib.sha256(config.encode()).hexdigest()[:12]
    project = work / f"stock-{digest}"
    model = project / "models" / "stock.tar.gz"
    if reuse and model.is_file():
        return project, model, None
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(_scaffold(), project, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "config.yml").write_text(config)
    seconds = rasa_train(
        project,
        ["--out", "models", "--fixed-model-name", "stock"],
        project / "train.log",
    )
    return project, model, seconds
