"""Logging set-up, done once at start by the front end."""

import logging
import logging.handlers
from pathlib import Path

from liaison_calendar import paths

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_file() -> Path:
    return paths.log_dir() / "liaison.log"


def configure(level: int = logging.INFO) -> Path | None:
    """Log to a rotating file in the platform log folder; return its path (None if unwritable)."""
    root = logging.getLogger()
    root.setLevel(level)
    path = log_file()
    for existing in root.handlers:
        if getattr(existing, "baseFilename", None) == str(path):
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    return path
