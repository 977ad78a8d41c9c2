"""Command line: ``python -m knowledge advise|signals "texte"|load|check|stats``.

Errors are one French line on stderr with exit code 2 (1 for content problems in ``check``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _advise() -> int:
    from .advisor import recommend
    from .errors import ProfileError, message

    raw = sys.stdin.read()
    try:
        profile = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError as error:
        raise ProfileError(message("bad_json", line=error.lineno, column=error.colno)) from None
    _print_json(recommend(profile))
    return EXIT_OK


def _signals(args: Sequence[str]) -> int:
    from .signals import detect_pain_points

    _print_json(detect_pain_points(" ".join(args)))
    return EXIT_OK


def _load() -> int:
    from sqlalchemy.orm import Session

    from .base import get_engine, reset_cache
    from .errors import message
    from .store import create_schema, load_content

    engine = get_engine()
    create_schema(engine)
    with Session(engine, future=True) as session, session.begin():
        report = load_content(session=session, force=True)
    reset_cache()
    key = "cli_loaded" if report.changed else "cli_unchanged"
    print(message(key, version=report.version, **report.counts))
    return EXIT_OK


def _check() -> int:
    from . import settings
    from .check import check_content
    from .content import read_content
    from .errors import message

    raw = read_content()
    problems, quotes = check_content(raw, settings.article_path())
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return EXIT_PROBLEMS
    print(message("cli_check_ok", version=raw["version"], quotes=quotes))
    return EXIT_OK


def _stats(args: Sequence[str]) -> int:
    """Weekly figures for the consultants (no personal data) and a PNG plot."""
    import argparse
    from pathlib import Path

    import yaml

    from .base import get_knowledge_base
    from .stats import TEMPLATES_LABELS, format_stats, load_stats, plot_stats

    parser = argparse.ArgumentParser(prog="python -m knowledge stats", add_help=False)
    parser.add_argument("--weeks", type=int, default=None)
    parser.add_argument("--png", type=Path, default=Path("var/stats/stats.png"))
    parser.add_argument("--json", action="store_true")
    try:
        options = parser.parse_args(list(args))
    except SystemExit:
        return EXIT_USAGE
    labels = yaml.safe_load(TEMPLATES_LABELS.read_text(encoding="utf-8"))
    kb = get_knowledge_base()
    labels["names"] = {
        **{signal.id: signal.label for signal in kb.signals},
        **{service.id: service.title for service in kb.services},
        **{warning.id: warning.title for warning in kb.warnings},
    }
    stats = load_stats(weeks=options.weeks)
    if options.json:
        _print_json([week.as_dict() for week in stats])
    else:
        print(format_stats(stats, labels))
    if stats:
        print(f"PNG : {plot_stats(stats, options.png, labels)}", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    import yaml
    from dotenv import load_dotenv
    from sqlalchemy.exc import SQLAlchemyError

    from .errors import KnowledgeError, message

    load_dotenv()
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else ""
    try:
        if command == "advise" and len(args) == 1:
            return _advise()
        if command == "signals" and len(args) >= 2:
            return _signals(args[1:])
        if command == "load" and len(args) == 1:
            return _load()
        if command == "check" and len(args) == 1:
            return _check()
        if command == "stats":
            return _stats(args[1:])
        print(message("cli_usage"), file=sys.stderr)
        return EXIT_USAGE
    except KnowledgeError as error:
        print(str(error), file=sys.stderr)
        return EXIT_USAGE
    except (SQLAlchemyError, OSError) as error:
        detail = str(getattr(error, "orig", None) or error).splitlines()[0]
        print(message("cli_database", detail=detail), file=sys.stderr)
        return EXIT_USAGE
    except yaml.YAMLError as error:
        print(message("cli_bad_content", detail=str(error).splitlines()[0]), file=sys.stderr)
        return EXIT_PROBLEMS


if __name__ == "__main__":
    sys.exit(main())
