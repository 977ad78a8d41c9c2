"""`python -m bot.launcher run` with three tiny HTTP servers instead of the real ones.

Everything of the launcher runs (signals, readiness, supervision, restarts, stop); only
`build_services` and the model lookup are replaced, so the tests take seconds, not minutes.
Usage: python tests/bot/fake_launcher.py PORT1 PORT2 PORT3
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot import launcher

PORTS = sys.argv[1:4]


def fake_services(settings, endpoints, model, credentials, secrets):
    services = []
    for name, port in zip(("actions", "rasa", "widget"), PORTS, strict=True):
        services.append(
            launcher.Service(
                f"Serveur {name}",
                [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", port],
                f"http://127.0.0.1:{port}/",
                launcher.LOG_DIR / f"fake-{name}.log",
            )
        )
    return services


launcher.build_services = fake_services
launcher.latest_model = lambda settings: Path("fake-model.tar.gz")
# As many delays as the launcher's own tuple: 0.5 s for the first restart, then 1 s each.
launcher.RESTART_DELAYS_S = (0.5, 1.0, 1.0, 1.0, 1.0, 1.0)
sys.argv = [sys.argv[0], "run"]
sys.exit(launcher.main())
