"""The database file: opening, checking its version, backing up and upgrading it.

The schema is created and upgraded only by the Alembic revisions in ``migrations/``, run from
here; users need no alembic.ini. A file stamped by a revision this app does not know (a newer
app wrote it) is refused before anything is written to it.
"""

import contextlib
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from liaison_calendar.domain.clock import Clock, SystemClock
from liaison_calendar.errors import (
    DatabaseBusyError,
    DatabaseError,
    DatabaseVersionError,
    NotALiaisonDatabaseError,
)

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import Engine
    from sqlmodel import Session

log = logging.getLogger(__name__)

SCRIPT_LOCATION = "liaison_calendar.store:migrations"
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 5.0
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006")
"""Every schema revision this app knows, oldest first (a test keeps it equal to Alembic's).

Knowing them without Alembic means a current file opens without importing it (12 MiB)."""


class FileState(Enum):
    NEW = "new"
    CURRENT = "current"
    OLDER = "older"


@dataclass(frozen=True)
class Inspection:
    state: FileState
    revision: str | None


def alembic_config() -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    return cfg


def script_directory() -> "ScriptDirectory":
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return REVISIONS[-1]


def _busy(path: Path) -> DatabaseBusyError:
    return DatabaseBusyError(
        f"The calendar is busy: another Liaison Calendar is writing to {path}. "
        "Try again in a moment."
    )


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


_CANNOT_USE = ("database or disk is full", "disk i/o error", "unable to open database file")
"""SQLite's words for a disk that is full or failing, or a folder it cannot write beside the
file in (WAL needs the -wal and -shm files there, even to read)."""


def _cannot_use(path: Path, exc: BaseException) -> DatabaseError | None:
    """The error a user understands for a full disk or an unwritable folder, if it is one."""
    text = str(exc).lower()
    if not any(words in text for words in _CANNOT_USE):
        return None
    folder = path.parent
    with contextlib.suppress(OSError):
        if "full" in text or shutil.disk_usage(folder).free == 0:
            return DatabaseError(
                f"The disk holding the calendar {path} is full: free some space and try "
                "again; nothing was changed."
            )
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        return DatabaseError(
            f"The calendar {path} is in a read-only folder: Liaison Calendar needs to write "
            "beside it. Copy it to a folder you can write to; nothing was changed."
        )
    return DatabaseError(f"Cannot use the calendar at {path} ({exc}); nothing was changed.")


def inspect_file(path: Path) -> Inspection:
    """What the file at ``path`` is, read without writing a byte to it."""
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return Inspection(FileState.NEW, None)
    if not path.is_file():
        raise DatabaseError(f"{path} is not a file.")
    try:
        with path.open("rb") as fh:
            magic = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise DatabaseError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if magic != SQLITE_MAGIC:
        raise NotALiaisonDatabaseError(f"{path} is not a Liaison Calendar database.")
    # With no WAL beside it the file is complete on its own: read it as immutable, which
    # creates no -wal/-shm files. Otherwise read it normally (read-only) to see the WAL too.
    wal = path.with_name(path.name + "-wal")
    flags = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    uri = f"file:{quote(str(path.resolve()))}?{flags}"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            names = {
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            revision = None
            if "alembic_version" in names:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        if _is_lock_error(exc):
            raise _busy(path) from None
        if (unusable := _cannot_use(path, exc)) is not None:
            raise unusable from None  # a full disk, not a foreign file
        raise NotALiaisonDatabaseError(
            f"{path} cannot be read as a Liaison Calendar database ({exc})."
        ) from None
    except sqlite3.DatabaseError as exc:
        raise NotALiaisonDatabaseError(
            f"{path} is not a Liaison Calendar database ({exc})."
        ) from None
    if revision is None:
        if names - {"alembic_version"}:
            raise NotALiaisonDatabaseError(f"{path} is not a Liaison Calendar database.")
        return Inspection(FileState.NEW, None)
    if revision not in REVISIONS:
        raise DatabaseVersionError(
            f"{path} was written by a newer version of Liaison Calendar (schema {revision}). "
            "Update the app to open it; the file was left untouched."
        )
    if revision == head_revision():
        return Inspection(FileState.CURRENT, revision)
    return Inspection(FileState.OLDER, revision)


def backup(source: Path, target: Path, timeout_s: float | None = None) -> Path:
    """A consistent copy of ``source`` made with SQLite's online backup API."""
    src = sqlite3.connect(f"file:{quote(str(source.resolve()))}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(str(target))
        try:
            copy_pages(src, dst, timeout_s)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def copy_pages(src: sqlite3.Connection, dst: sqlite3.Connection, timeout_s: float | None) -> None:
    """``src.backup(dst)``, but giving up with ``DatabaseBusyError`` after ``timeout_s`` (default
    ``BUSY_TIMEOUT_S``): Python's backup retries a busy or locked database for ever."""
    deadline = time.monotonic() + (BUSY_TIMEOUT_S if timeout_s is None else timeout_s)

    def progress(_status: int, _remaining: int, _total: int) -> None:
        if time.monotonic() > deadline:
            raise TimeoutError

    try:
        src.backup(dst, pages=1024, progress=progress, sleep=0.05)
    except TimeoutError:
        raise DatabaseBusyError(
            "The calendar is busy: another Liaison Calendar is writing to it. Try again in a "
            "moment; nothing was changed."
        ) from None


def _casefold(value: str | None) -> str | None:
    return value.casefold() if isinstance(value, str) else value


def _configure_connection(dbapi_conn: sqlite3.Connection) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
    # SQLite's lower() folds ASCII only: names like "Österreich" need Python's casefold.
    dbapi_conn.create_function("casefold", 1, _casefold, deterministic=True)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    # A month of a big calendar reads thousands of scattered rows: keep 32 MiB of pages
    # (SQLite's default is 2 MiB) so that going back and forth reads them from memory.
    cur.execute("PRAGMA cache_size = -32768")
    with contextlib.suppress(sqlite3.OperationalError):  # read-only media can still be read
        cur.execute("PRAGMA journal_mode = WAL")  # persistent; a no-op once set
    cur.close()


def _configure_engine(engine: "Engine") -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        _configure_connection(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(path: Path) -> "Engine":
    from sqlalchemy import create_engine

    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
    )
    _configure_engine(engine)
    return engine


class Database:
    """An open calendar file. Sessions come from :meth:`transaction` (writes) or :meth:`reading`;
    plain reads of many rows from :meth:`plain`.

    SQLAlchemy is loaded on the first session, not on opening: the app paints its first
    month with plain reads while it loads (a fifth of a second on these machines).
    """

    def __init__(self, path: Path, engine: "Engine | None" = None) -> None:
        self.path = path
        self._engine = engine
        self._local = threading.local()  # the plain connection of the owner thread
        self._owner = threading.get_ident()
        self._plain: list[sqlite3.Connection] = []
        self._plain_lock = threading.Lock()

    @property
    def engine(self) -> "Engine":
        if self._engine is None:
            self._engine = make_engine(self.path)
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator["Session"]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        from sqlmodel import Session

        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        with (
            self._translate_errors(),
            Session(writer, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def reading(self) -> Iterator["Session"]:
        from sqlmodel import Session

        with (
            self._translate_errors(),
            Session(self.engine, expire_on_commit=False) as session,
        ):
            yield session

    @contextmanager
    def plain(self) -> Iterator[sqlite3.Connection]:
        """A read transaction on a plain sqlite3 connection (one snapshot for every statement),
        for hand-written SQL over many rows. Errors are translated as for sessions."""
        # Kept open on the thread that opened the calendar (the GUI's); a worker thread's is
        # closed after use, or every background task would leave a connection behind.
        kept = threading.get_ident() == self._owner
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None) if kept else None
        try:
            if conn is None:
                conn = sqlite3.connect(
                    str(self.path), timeout=BUSY_TIMEOUT_S, check_same_thread=False
                )
                _configure_connection(conn)
                if kept:
                    self._local.conn = conn
                    with self._plain_lock:
                        self._plain.append(conn)
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("ROLLBACK")  # nothing was written: end the snapshot
                if not kept:
                    conn.close()
        except sqlite3.OperationalError as exc:
            self._raise_translated(exc)
            raise

    @contextmanager
    def _translate_errors(self) -> Iterator[None]:
        from sqlalchemy.exc import OperationalError

        try:
            yield
        except OperationalError as exc:
            self._raise_translated(exc.orig or exc)
            raise

    def _raise_translated(self, exc: BaseException) -> None:
        """Raise the error a user understands for a busy or read-only file, if it is one."""
        if _is_lock_error(exc):
            raise _busy(self.path) from None
        if "readonly" in str(exc).lower():
            raise DatabaseError(f"The calendar file {self.path} is read-only.") from None
        if (unusable := _cannot_use(self.path, exc)) is not None:
            raise unusable from None

    def close(self) -> None:
        """Close every connection; like SQLAlchemy's engine, a later use opens new ones."""
        with self._plain_lock:
            for conn in self._plain:
                conn.close()
            self._plain.clear()
            self._local = threading.local()
        if self._engine is not None:
            self._engine.dispose()


def _upgrade(engine: "Engine") -> None:
    with engine.execution_options(sqlite_begin="IMMEDIATE").connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")  # batch migrations rebuild tables
        from alembic import command

        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        # Every revision in one transaction, all or none. Left to itself Alembic commits each
        # revision on its own (to it SQLite has no transactional DDL), and an upgrade failing
        # half-way (a full disk while 0005 rebuilds the search index) left the file at a
        # revision in between, which the previous app no longer opens.
        with conn.begin():
            command.upgrade(cfg, "head")
        problems = raw.execute("PRAGMA foreign_key_check").fetchall()
        raw.execute("PRAGMA foreign_keys = ON")
    if problems:
        raise DatabaseError(f"The upgrade left broken references: {problems[:5]}")


def backup_path(path: Path, revision: str, clock: Clock) -> Path:
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.{stamp}.before-{revision}.bak")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.{stamp}-{n}.before-{revision}.bak")
    return candidate


def open_database(path: Path, clock: Clock | None = None) -> Database:
    """Open (creating or upgrading as needed) the calendar at ``path``."""
    clock = clock or SystemClock()
    path = Path(path)
    inspection = inspect_file(path)
    if inspection.state is FileState.NEW:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(
                f"Cannot create the calendar at {path}: {exc.strerror or exc}."
            ) from None
    elif inspection.state is FileState.OLDER:
        assert inspection.revision is not None
        target = backup_path(path, inspection.revision, clock)
        try:
            backup(path, target)
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseError(
                f"Cannot back up {path} before upgrading it ({exc}); nothing was changed."
            ) from None
        log.info("backed up %s to %s before upgrading", path, target)
    if inspection.state is FileState.CURRENT:
        return Database(path)  # SQLAlchemy loads when first needed
    from sqlalchemy.exc import DatabaseError as SADatabaseError
    from sqlalchemy.exc import OperationalError

    engine = make_engine(path)
    try:
        _upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        if _is_lock_error(exc.orig or exc):
            raise _busy(path) from None
        if (unusable := _cannot_use(path, exc.orig or exc)) is not None:
            raise unusable from None
        raise DatabaseError(f"Cannot open the calendar at {path}: {exc.orig}.") from None
    except SADatabaseError as exc:
        engine.dispose()
        raise DatabaseError(f"Cannot open the calendar at {path}: {exc.orig}.") from None
    return Database(path, engine)
