"""Where the app keeps its files: platformdirs folders, overridable with --db or LIAISON_DB."""

import os
from pathlib import Path

import platformdirs

APP_NAME = "LiaisonCalendar"
APP_AUTHOR = "Liaison"
DB_ENV = "LIAISON_DB"
DB_FILENAME = "calendar.db"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The database to open: ``--db`` first, then ``$LIAISON_DB``, then the user-data folder."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return default_db_path()
