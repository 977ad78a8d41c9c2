"""Deletes conversations older than RETENTION_DAYS from the tracker store, the stored plans,
report links, delivered leads and usage events as old (knowledge.records), and old log files.

Usage: python -m bot.purge [--days N] (also `make purge`). A conversation is older than the
retention period when its latest event is; it is then deleted whole. Rotated log files
(`var/log/*.log.N`) last modified before the cutoff go too. Prints what was deleted.
Run it daily (cron, systemd timer); with several Rasa instances, once for the shared store.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from bot.privacy import purge_older_than
from bot.settings import ROOT, Settings, SettingsError, load_settings
from knowledge.records import purge_older_than as purge_records

SECONDS_PER_DAY = 86400


def tracker_engine(settings: Settings) -> sa.engine.Engine | None:
    """The tracker store's database, as Rasa uses it (None for the in-memory store)."""
    if settings.tracker_store == "memory":
        return None
    if settings.tracker_store == "sqlite":
        path = ROOT / "var" / "tracker.db"
        return sa.create_engine(f"sqlite:///{path}", future=True) if path.exists() else None
    url = settings.tracker_store_url or ""
    return sa.create_engine(url, future=True)


def purge_logs(log_dir: Path, cutoff: float) -> int:
    removed = 0
    for path in log_dir.glob("*.log.*"):
        if path.stat().st_mtime < cutoff:
            path.unlink()
            removed += 1
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.purge", description=__doc__)
    parser.add_argument("--days", type=int, help="durée de conservation (défaut RETENTION_DAYS)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    days = args.days if args.days is not None else settings.retention_days
    if days < 1:
        print("Erreur : --days doit être un nombre entier positif.", file=sys.stderr)
        return 2
    cutoff = time.time() - days * SECONDS_PER_DAY
    engine = tracker_engine(settings)
    conversations = events = 0
    if engine is not None:
        try:
            if sa.inspect(engine).has_table("events"):
                conversations, events = purge_older_than(engine, cutoff)
        except sa.exc.OperationalError as exc:
            print(f"Erreur : base des conversations injoignable ({type(exc.orig).__name__}).")
            return 2
        finally:
            engine.dispose()
    try:
        records = sum(purge_records(days).values())
    except sa.exc.OperationalError as exc:
        print(f"Erreur : base de connaissances injoignable ({type(exc.orig).__name__}).")
        return 2
    logs = purge_logs(ROOT / "var" / "log", cutoff)
    print(
        f"Purge (conservation {days} jours) : {conversations} conversation(s) supprimée(s), "
        f"{events} événement(s), {records} élément(s) conservé(s) à part (plans, liens, "
        f"demandes de contact, statistiques), {logs} ancien(s) journal(aux)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
