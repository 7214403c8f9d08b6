"""Backups: a consistent copy on demand, a daily one kept beside the calendar, and restoring.

Copies are made with SQLite's online backup API (a snapshot even while the app writes), into a
temp file that is fsynced and renamed into place. Restoring refuses a file that is not a
Liaison Calendar database or that a newer version wrote, backs up the calendar it replaces,
copies the file in page by page inside one SQLite transaction (readers see the old calendar or
the new one, never a mix) and upgrades it if an older version wrote it.
"""

import glob
import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

from liaison_calendar.domain.clock import Clock
from liaison_calendar.errors import DatabaseBusyError, DatabaseError, OutputError
from liaison_calendar.files import replacing
from liaison_calendar.services.catalog import CatalogService
from liaison_calendar.store import database
from liaison_calendar.store.database import Database, FileState

DAILY_SUFFIX = ".bak"
_DAILY = re.compile(r"\.daily-(\d{4}-\d{2}-\d{2})\.bak$")


@dataclass(frozen=True)
class Restored:
    source: Path
    safety_copy: Path  # the calendar as it was before, backed up beside it
    upgraded_from: str | None  # the schema revision of an older file, upgraded on restoring


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of the calendar at ``source`` written atomically to ``target``, as
    private as the calendar itself (its file mode)."""
    # SQLite reports every failed write itself: no trailer to check (even if named .pdf).
    with replacing(target, mode=source.stat().st_mode & 0o777, trailer=b"") as temp:
        try:
            database.backup(source, temp)
        except sqlite3.Error as exc:
            why = "the disk is full" if "full" in str(exc).lower() else str(exc)
            raise OutputError(f"Could not back up {source} to {target}: {why}.") from None
    return target


def daily_path(db_path: Path, day: date) -> Path:
    return db_path.with_name(f"{db_path.name}.daily-{day.isoformat()}{DAILY_SUFFIX}")


def daily_backups(db_path: Path) -> list[Path]:
    """The daily backups beside ``db_path``, oldest first."""
    found = [
        p
        for p in db_path.parent.glob(f"{glob.escape(db_path.name)}.daily-*{DAILY_SUFFIX}")
        if _DAILY.search(p.name)
    ]
    return sorted(found, key=lambda p: p.name)


class BackupService:
    def __init__(self, db: Database, clock: Clock, catalog: CatalogService) -> None:
        self._db = db
        self._clock = clock
        self._catalog = catalog

    def back_up(self, target: Path) -> Path:
        """Write a consistent copy of the open calendar to ``target``."""
        target = Path(target).expanduser().absolute()
        if target.resolve() == self._db.path.resolve():
            raise OutputError("A backup cannot overwrite the calendar itself.")
        return copy_database(self._db.path, target)

    def daily(self) -> Path | None:
        """Today's automatic backup beside the calendar, made once a day, keeping the last
        ``daily_backups`` (a setting; 0 turns them off). The new backup's path, or None when
        there was nothing to do."""
        keep = int(self._catalog.setting("daily_backups"))
        if keep <= 0:
            return None
        today = self._clock.now().date()
        target = daily_path(self._db.path, today)
        made = None
        if not target.exists():
            made = copy_database(self._db.path, target)
        for old in daily_backups(self._db.path)[:-keep]:
            old.unlink(missing_ok=True)
        return made

    def _safety_path(self) -> Path:
        stamp = self._clock.now().strftime("%Y%m%d-%H%M%S")
        name = self._db.path.name
        candidate = self._db.path.with_name(f"{name}.{stamp}.before-restore{DAILY_SUFFIX}")
        n = 1
        while candidate.exists():  # two restores within a second keep both copies
            n += 1
            candidate = self._db.path.with_name(f"{name}.{stamp}-{n}.before-restore{DAILY_SUFFIX}")
        return candidate

    def restore(self, source: Path) -> Restored:
        """Replace the open calendar with the backup at ``source`` (see the module)."""
        source = Path(source).expanduser().absolute()
        if not source.is_file():
            raise DatabaseError(f"There is no backup file {source}.")
        inspection = database.inspect_file(source)  # refuses foreign and newer files
        if inspection.state is FileState.NEW:
            raise DatabaseError(f"{source} is not a Liaison Calendar database.")
        safety = self._safety_path()
        self._db.close()  # no connection of ours holds the file while it is replaced
        dst = sqlite3.connect(str(self._db.path), timeout=database.BUSY_TIMEOUT_S)
        try:
            # Hold the write lock while the calendar is copied aside, so that nothing committed
            # in between can be missing from both the safety copy and the restored calendar.
            try:
                dst.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                raise DatabaseBusyError(
                    f"The calendar {self._db.path} is busy: another Liaison Calendar is "
                    "writing to it. Close it and restore again; nothing was changed."
                ) from None
            try:
                copy_database(self._db.path, safety)
            finally:
                dst.rollback()
            src = sqlite3.connect(f"file:{quote(str(source))}?mode=ro", uri=True)
            try:
                database.copy_pages(src, dst, None)
            finally:
                src.close()
        finally:
            dst.close()
        upgraded = None
        if inspection.state is FileState.OLDER:
            upgraded = inspection.revision
            database.open_database(self._db.path, self._clock).close()  # upgrades, backs up
        return Restored(source, safety, upgraded)
