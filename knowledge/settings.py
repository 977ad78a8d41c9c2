"""Where the knowledge engine finds its database, content and article (read from the environment).

Nothing is read at import time: callers ask for the values when they need them, so tests and the
CLI can set the environment first (the CLI loads ``.env`` in ``main()``).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
CONTENT_DIR = PACKAGE_DIR / "content"
DEFAULT_SQLITE_PATH = REPO_ROOT / "var" / "knowledge.db"
DEFAULT_ARTICLE_PATH = REPO_ROOT.parent / "shared" / "seed" / "article-externalisation-it.txt"


def database_url() -> str:
    """``KNOWLEDGE_DATABASE_URL``, else ``DATABASE_URL``, else SQLite ``var/knowledge.db``."""
    url = os.environ.get("KNOWLEDGE_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def article_path() -> Path:
    """The source article: ``ARTICLE_PATH``, else ``../shared/seed/`` next to the repository."""
    configured = os.environ.get("ARTICLE_PATH")
    return Path(configured) if configured else DEFAULT_ARTICLE_PATH
