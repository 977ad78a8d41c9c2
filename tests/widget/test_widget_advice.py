"""The widget's advice cards for each situation, rendered by Node.js without a browser.

Writes real engine payloads (``knowledge.recommend``) to a JSON file and runs
``node --test tests/widget/advice.test.mjs`` on them (Node's built-in test runner, a tiny DOM
shim: no npm package, no browser).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import knowledge

ROOT = Path(__file__).resolve().parents[2]
NODE_TEST = Path(__file__).with_name("advice.test.mjs")
PROFILES: dict[str, dict[str, Any]] = {
    "plan": {"headcount": 45, "pain_points": ["server_instability", "backup_doubt"]},
    "nothing_urgent": {"pain_points": []},
    "steering": {"headcount": 40, "current_provider": "full", "pain_points": []},
    "plan_with_steering": {
        "headcount": 40,
        "current_provider": "partial",
        "pain_points": ["cost_pressure", "server_instability"],
    },
}


def test_widget_renders_every_situation(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js est introuvable : il faut Node.js 20 pour le widget (README).")
    payloads = {name: knowledge.recommend(profile) for name, profile in PROFILES.items()}
    assert {name: p["situation"] for name, p in payloads.items()} == {
        "plan": "plan",
        "nothing_urgent": "nothing_urgent",
        "steering": "steering",
        "plan_with_steering": "plan",
    }
    file = tmp_path / "payloads.json"
    file.write_text(json.dumps(payloads, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        [node, "--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", "--test", str(NODE_TEST)],
        cwd=ROOT,
        env={**os.environ, "ADVICE_PAYLOADS": str(file)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
