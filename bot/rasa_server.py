"""The Rasa server as `make run` starts it: Rasa's own command line, after the project's patches.

Usage: python -m bot.rasa_server run --model … (the arguments of `rasa run`).
Each module of `bot.patches` repairs or tunes one thing of Rasa 3.6.21 inside this process; they
are applied here, before Rasa builds its server, and only in the server process.
"""

from __future__ import annotations

import sys

from bot.patches import apply_all


def main(argv: list[str] | None = None) -> None:
    apply_all()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()
