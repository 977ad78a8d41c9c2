"""`make bench`: our stack and a stock Rasa 3.6 bot under the same workloads, side by side.

Usage: python -m bench [--quick]   (BENCH_QUICK=1 in the environment is the same as --quick)

Full run (the default): trains our model (timed: `train_s`) and the stock baseline in a
temporary folder, measures startup, then for each system: one conversation alone
(uncontended), N = 10, 20, 40, 80 conversations typing (1-3 s between turns), and 20
conversations without pause (saturation); then the Wikit NLU benchmark. Writes
bench/results/latest.json and bench/results/latest.png.
Quick run: our current models/ model, a cached stock model, shorter workloads, N = 10 and 40,
no training timing and no Wikit run; writes bench/results/quick.json and quick.png.
Everything listens on 127.0.0.1 on free ports and is stopped at the end, even on failure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import load, servers, training
from bot.settings import ROOT

RESULTS = Path(__file__).resolve().parent / "results"
CACHE = ROOT / "var" / "bench"
CONCURRENCY = 40
THINK_S = (1.0, 3.0)
SATURATION_USERS = 20


class Plan:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.levels = [10, 40] if quick else [10, 20, 40, 80]
        self.uncontended_s = 15.0 if quick else 30.0
        self.realistic_s = 20.0 if quick else 45.0
        self.saturation_s = 15.0 if quick else 30.0


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load_avg = os.getloadavg()
    return {
        "cores": os.cpu_count(),
        "cpu_model": model,
        "load_average_at_start": [round(x, 2) for x in load_avg],
        "python": platform.python_version(),
    }


def measure(
    server: servers.Server,
    conversation: load.Conversation,
    *,
    users: int,
    duration_s: float,
    think_s: tuple[float, float] | None,
    label: str,
) -> dict[str, Any]:
    """One workload against `server`, with the CPU its processes used per turn."""
    cpu_before = server.cpu()
    wall_started = time.monotonic()
    rec, elapsed = asyncio.run(
        load.run_workload(
            server.url,
            conversation,
            users=users,
            duration_s=duration_s,
            think_s=think_s,
            prefix=f"{server.name}-{label}",
        )
    )
    wall = time.monotonic() - wall_started
    cpu_after = server.cpu()
    summary = load.summarize(rec, elapsed)
    turns = max(summary["turns"], 1)
    summary["cpu_ms_per_turn"] = {
        role: round(1000 * (cpu_after[role] - cpu_before[role]) / turns, 1) for role in cpu_after
    }
    summary["cpu_utilisation"] = {
        role: round((cpu_after[role] - cpu_before[role]) / wall, 2) for role in cpu_after
    }
    summary["users"] = users
    say(
        f"{server.name:5s} {label:12s} {summary['turns']:5d} tours  p50 {summary['p50_ms']} ms  "
        f"p95 {summary['p95_ms']} ms  {summary['throughput_turns_s']} tours/s  "
        f"erreurs {summary['errors']}  CPU/tour {summary['cpu_ms_per_turn']}"
    )
    return summary


def run_system(
    server: servers.Server, conversation: load.Conversation, plan: Plan
) -> dict[str, Any]:
    result: dict[str, Any] = {"startup_s": round(server.startup_s, 1)}
    result["uncontended"] = measure(
        server,
        conversation,
        users=1,
        duration_s=plan.uncontended_s,
        think_s=None,
        label="1 conv.",
    )
    result["levels"] = {}
    for users in plan.levels:
        result["levels"][str(users)] = measure(
            server,
            conversation,
            users=users,
            duration_s=plan.realistic_s,
            think_s=THINK_S,
            label=f"N={users}",
        )
    result["saturation"] = measure(
        server,
        conversation,
        users=SATURATION_USERS,
        duration_s=plan.saturation_s,
        think_s=None,
        label="saturation",
    )
    rss = server.rss()
    result["rss_mb"] = {role: current for role, (current, _peak) in rss.items()}
    result["rss_peak_mb"] = {role: peak for role, (_current, peak) in rss.items()}
    return result


def headline(system: dict[str, Any]) -> dict[str, Any]:
    """The flat keys of the issue, taken at CONCURRENCY conversations."""
    at = system["levels"].get(str(CONCURRENCY), {})
    return {
        "concurrency": CONCURRENCY,
        "turns": at.get("turns"),
        "errors": at.get("errors"),
        "unanswered": at.get("unanswered"),
        "p50_ms": at.get("p50_ms"),
        "p95_ms": at.get("p95_ms"),
        "p99_ms": at.get("p99_ms"),
        "throughput_turns_s": at.get("throughput_turns_s"),
        "saturation_turns_s": system["saturation"]["throughput_turns_s"],
        "uncontended_p50_ms": system["uncontended"]["p50_ms"],
        "uncontended_p95_ms": system["uncontended"]["p95_ms"],
        "cpu_ms_per_turn_saturation": system["saturation"]["cpu_ms_per_turn"],
        "rasa_rss_mb": system["rss_mb"].get("rasa"),
        "startup_s": system["startup_s"],
    }


def ratio(ours: float | None, stock: float | None) -> float | None:
    return round(ours / stock, 2) if ours is not None and stock else None


def per_n_table(ours: dict[str, Any], stock: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for n in ours["levels"]:
        o, s = ours["levels"][n], stock["levels"].get(n, {})
        rows.append(
            {
                "n": int(n),
                "ours": {
                    k: o[k]
                    for k in ("p50_ms", "p95_ms", "p99_ms", "throughput_turns_s", "errors", "turns")
                },
                "stock": {
                    k: s.get(k)
                    for k in ("p50_ms", "p95_ms", "p99_ms", "throughput_turns_s", "errors", "turns")
                },
            }
        )
    return rows


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = result["per_n"]
    n = [row["n"] for row in table]
    fig, ax = plt.subplots(figsize=(8, 5))
    for system, colour in (("ours", "tab:red"), ("stock", "tab:blue")):
        for key, style in (("p50_ms", "--"), ("p95_ms", "-")):
            values = [row[system][key] for row in table]
            label = f"{'nous' if system == 'ours' else 'Rasa stock'} {key[:3]}"
            ax.plot(n, values, style, marker="o", color=colour, label=label)
    ax.axhline(100, color="grey", linewidth=0.8, linestyle=":")
    ax.text(n[0], 100, " budget p95 à 40 conv. (100 ms)", va="bottom", fontsize=8, color="grey")
    ax.set_yscale("log")
    ax.set_xticks(n)
    ax.set_xlabel("conversations simultanées (1 à 3 s entre deux messages)")
    ax.set_ylabel("latence par tour (ms, échelle log)")
    m = result["machine"]
    ax.set_title(
        f"Latence REST, diagnostic complet vs Rasa stock — {m['cores']} cœurs, {m['cpu_model']}",
        fontsize=10,
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run_nlu() -> dict[str, Any] | None:
    out = RESULTS / "nlu.json"
    code = subprocess.call([sys.executable, "-m", "bench.nlu", "--out", str(out)], cwd=ROOT)
    if code != 0:
        say(f"benchmark NLU en échec (code {code})")
        return None
    return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    quick_env = os.environ.get("BENCH_QUICK") == "1"
    parser.add_argument("--quick", action="store_true", default=quick_env)
    args = parser.parse_args(argv)
    plan = Plan(args.quick)
    RESULTS.mkdir(parents=True, exist_ok=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    name = "quick" if plan.quick else "latest"
    started = time.monotonic()
    result: dict[str, Any] = {
        "mode": "quick" if plan.quick else "full",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "workloads": {
            "uncontended": f"1 conversation, no pause, {plan.uncontended_s:.0f} s",
            "realistic": f"N conversations, {THINK_S[0]:.0f}-{THINK_S[1]:.0f} s between turns, "
            f"{plan.realistic_s:.0f} s each, N = {plan.levels}",
            "saturation": f"{SATURATION_USERS} conversations, no pause, {plan.saturation_s:.0f} s",
            "ours": "diagnostics (opening paragraph, buttons or « je ne sais pas », plan, two "
            "questions) and question-only conversations, 3 to 1; REST; TRACKER_STORE=memory",
            "stock": "rasa init bot, French pipeline (bench/stock_pipeline.yml): greet, mood, "
            "affirm, goodbye; REST; no action server",
        },
    }
    say(f"mode {result['mode']} ; machine {result['machine']}")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        if plan.quick:
            model_dir, train_s = ROOT / "models", None
            say("mode rapide : modèle actuel de models/, pas d'entraînement chronométré")
        else:
            say("entraînement de notre modèle (comme make train)…")
            model_dir, train_s = training.train_ours(work)
            say(f"entraîné en {train_s:.0f} s")
        say("projet stock (rasa init, pipeline français)…")
        project, stock_model, stock_train_s = training.stock_project(CACHE, reuse=plan.quick)
        if stock_train_s is not None:
            say(f"stock entraîné en {stock_train_s:.0f} s")

        say("démarrage de Rasa stock…")
        stock_server = servers.start_stock(project, stock_model, "hello")
        try:
            say(f"Rasa stock répond {stock_server.startup_s:.1f} s après son lancement")
            stock = run_system(stock_server, load.stock, plan)
        finally:
            stock_server.stop()
        stock["train_s"] = None if stock_train_s is None else round(stock_train_s, 1)

        say("démarrage de notre système (lanceur de make run)…")
        data_dir = work / "ours"
        data_dir.mkdir()
        our_server = servers.start_ours(model_dir, data_dir, "Bonjour")
        try:
            say(f"notre système répond {our_server.startup_s:.1f} s après le lancement")
            ours = run_system(our_server, load.ours, plan)
        finally:
            our_server.stop()

    nlu = None
    if not plan.quick:
        say("benchmark NLU Wikit…")
        nlu = run_nlu()
    elif (RESULTS / "nlu.json").is_file():
        nlu = json.loads((RESULTS / "nlu.json").read_text())
        nlu["from_previous_run"] = True

    result.update(headline(ours))
    result["actions_rss_mb"] = ours["rss_mb"].get("actions")
    result["train_s"] = None if train_s is None else round(train_s, 1)
    result["wikit_accuracy"] = nlu["accuracy"] if nlu else None
    result["baseline"] = {**headline(stock), "train_s": stock["train_s"]}
    result["ratio_p95"] = ratio(result["p95_ms"], result["baseline"]["p95_ms"])
    result["ratio_saturation"] = ratio(
        result["saturation_turns_s"], result["baseline"]["saturation_turns_s"]
    )
    result["per_n"] = per_n_table(ours, stock)
    result["details"] = {"ours": ours, "stock": stock, "nlu": nlu}
    result["bench_duration_s"] = round(time.monotonic() - started, 1)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    plot(result, RESULTS / f"{name}.png")
    say(
        f"fini en {result['bench_duration_s'] / 60:.1f} min : p95 à {CONCURRENCY} = "
        f"{result['p95_ms']} ms (stock {result['baseline']['p95_ms']}), ratio_p95 "
        f"{result['ratio_p95']}, ratio_saturation {result['ratio_saturation']} -> "
        f"bench/results/{name}.json, {name}.png"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
