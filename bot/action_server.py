"""The action server, started after warming the knowledge engine.

The first text analysis loads spaCy's French model (about 5 s); doing it here, before the server
accepts requests, keeps it out of the first user turn. Arguments are rasa_sdk's own.
"""

from __future__ import annotations

import logging
import sys
import time

from rasa_sdk.__main__ import main_from_args
from rasa_sdk.endpoint import create_argument_parser

logger = logging.getLogger(__name__)


def warm_up() -> float:
    """Loads the content, the database and the spaCy model; returns the seconds it took."""
    import knowledge

    started = time.perf_counter()
    knowledge.recommend({})
    knowledge.detect_pain_points("nos serveurs plantent")
    knowledge.extract_facts("nous sommes 45 personnes")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    args = create_argument_parser().parse_args(argv)
    seconds = warm_up()
    print(f"Moteur de connaissances prêt en {seconds:.1f} s", flush=True)
    main_from_args(args)


if __name__ == "__main__":
    main(sys.argv[1:])
