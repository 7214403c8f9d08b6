"""The calendar file: creation, version checks, refusal of foreign files, backup and locking."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.defaults import DEFAULT_KINDS, DEFAULT_STRANDS
from liaison_calendar.domain.models import MeetingDraft
from liaison_calendar.errors import (
    DatabaseBusyError,
    DatabaseError,
    DatabaseVersionError,
    NotALiaisonDatabaseError,
)
from liaison_calendar.services.context import Services
from liaison_calendar.store import database
from liaison_calendar.store.database import (
    FileState,
    backup,
    backup_path,
    head_revision,
    inspect_file,
    open_database,
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def revision_of(path: Path) -> list[str]:
    conn = raw(path)
    try:
        return [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
    finally:
        conn.close()


def meeting_draft(title: str = "Staff talks") -> MeetingDraft:
    return MeetingDraft(
        title=title, start=datetime(2024, 5, 14, 10, 0), end=datetime(2024, 5, 14, 11, 0)
    )


def new_calendar(path: Path, clock: FixedClock, *titles: str) -> None:
    svc = Services.open(path, clock)
    try:
        for title in titles:
            svc.meetings.create(meeting_draft(title))
    finally:
        svc.close()


def backups_beside(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if p.name.endswith(".bak"))


@pytest.fixture
def newer_file(db_path: Path, clock: FixedClock) -> Path:
    new_calendar(db_path, clock, "Written by a newer app")
    conn = raw(db_path)
    conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    conn.close()
    return db_path


# --- a new file ------------------------------------------------------------------------------


def test_a_new_file_is_created_at_the_head_revision(db_path: Path) -> None:
    db = open_database(db_path)
    db.close()

    assert db_path.is_file()
    assert revision_of(db_path) == [head_revision()]
    assert inspect_file(db_path).state is FileState.CURRENT


def test_a_new_file_uses_wal_journal_mode(db_path: Path) -> None:
    open_database(db_path).close()

    conn = raw(db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_a_new_file_has_the_eight_default_strands_and_seven_kinds(
    services: Services,
) -> None:
    strands = services.catalog.strands()
    kinds = services.catalog.kinds()

    assert len(strands) == 8
    assert len(kinds) == 7
    assert [(s.key, s.name, s.colour) for s in strands] == [tuple(s) for s in DEFAULT_STRANDS]
    assert [(k.key, k.name, k.colour) for k in kinds] == [tuple(k) for k in DEFAULT_KINDS]


def test_a_new_file_is_created_in_a_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "calendar.db"

    open_database(path).close()

    assert revision_of(path) == [head_revision()]


def test_an_empty_file_is_treated_as_new(db_path: Path) -> None:
    db_path.write_bytes(b"")

    open_database(db_path).close()

    assert revision_of(db_path) == [head_revision()]


def test_reopening_a_current_file_keeps_its_data_and_does_not_seed_again(
    db_path: Path, clock: FixedClock
) -> None:
    new_calendar(db_path, clock, "Kept")

    svc = Services.open(db_path, clock)
    try:
        assert [m.title for m in svc.queries.search("kept")] == ["Kept"]
        assert len(svc.catalog.strands()) == 8
        assert len(svc.catalog.kinds()) == 7
    finally:
        svc.close()
    assert backups_beside(db_path) == []


def test_a_sqlite_file_with_no_tables_is_treated_as_new(db_path: Path) -> None:
    conn = raw(db_path)
    conn.execute("PRAGMA user_version = 7")  # writes a header, creates no table
    conn.close()
    assert db_path.stat().st_size > 0

    open_database(db_path).close()

    assert revision_of(db_path) == [head_revision()]


def test_a_sqlite_file_with_an_empty_alembic_version_table_is_treated_as_new(
    db_path: Path, clock: FixedClock
) -> None:
    conn = raw(db_path)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    conn.close()
    assert inspect_file(db_path).state is FileState.NEW

    svc = Services.open(db_path, clock)
    try:
        assert len(svc.catalog.strands()) == 8
        svc.meetings.create(meeting_draft())
    finally:
        svc.close()
    assert revision_of(db_path) == [head_revision()]


# --- connections -----------------------------------------------------------------------------


def test_foreign_keys_are_enforced_on_service_connections(services: Services) -> None:
    with services.db.reading() as session:
        assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

    orphan = text(
        "INSERT INTO agenda_item (meeting_id, position, title, lead, duration_min, notes)"
        " VALUES (4242, 0, 'Orphan', '', 30, '')"
    )
    with pytest.raises(IntegrityError), services.db.transaction() as session:
        session.connection().execute(orphan)


def test_a_failed_transaction_is_rolled_back(services: Services) -> None:
    def half_write() -> None:
        with services.db.transaction() as session:
            session.connection().execute(text("INSERT INTO partner (name) VALUES ('Half')"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        half_write()

    assert services.catalog.partners() == []


# --- files the app must not touch ------------------------------------------------------------


def test_a_file_from_a_newer_app_is_refused_and_left_byte_for_byte_unchanged(
    newer_file: Path, clock: FixedClock
) -> None:
    before = sha256(newer_file)

    with pytest.raises(DatabaseVersionError, match="newer version") as caught:
        open_database(newer_file, clock)

    assert "ffffffffffff" in caught.value.message
    assert sha256(newer_file) == before
    assert backups_beside(newer_file) == []
    assert revision_of(newer_file) == ["ffffffffffff"]


def test_a_file_from_a_newer_app_is_refused_by_the_services_too(
    newer_file: Path, clock: FixedClock
) -> None:
    before = sha256(newer_file)

    with pytest.raises(DatabaseVersionError):
        Services.open(newer_file, clock)
    with pytest.raises(DatabaseVersionError):
        Services.open(newer_file, clock)

    assert sha256(newer_file) == before
    assert backups_beside(newer_file) == []


@pytest.mark.parametrize(
    "content",
    [
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
        b"just some notes about the staff talks\n" * 50,
        b"\x00" * 4096,
    ],
    ids=["ics", "text", "zeros"],
)
def test_a_file_that_is_not_sqlite_is_refused_and_left_unchanged(
    db_path: Path, content: bytes
) -> None:
    db_path.write_bytes(content)
    listing = sorted(db_path.parent.iterdir())

    with pytest.raises(NotALiaisonDatabaseError):
        open_database(db_path)

    assert db_path.read_bytes() == content
    assert sorted(db_path.parent.iterdir()) == listing


def test_a_file_with_the_sqlite_magic_but_garbage_after_it_is_refused(db_path: Path) -> None:
    content = database.SQLITE_MAGIC + b"\xde\xad\xbe\xef" * 1024
    db_path.write_bytes(content)

    with pytest.raises(NotALiaisonDatabaseError):
        open_database(db_path)

    assert db_path.read_bytes() == content


def test_a_sqlite_file_of_another_program_is_refused_and_left_unchanged(
    db_path: Path,
) -> None:
    conn = raw(db_path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('do not touch')")
    conn.close()
    before = sha256(db_path)

    with pytest.raises(NotALiaisonDatabaseError, match="not a Liaison Calendar database"):
        open_database(db_path)

    assert sha256(db_path) == before
    assert backups_beside(db_path) == []


def test_a_sqlite_file_with_foreign_tables_and_an_empty_alembic_table_is_refused(
    db_path: Path,
) -> None:
    conn = raw(db_path)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.close()
    before = sha256(db_path)

    with pytest.raises(NotALiaisonDatabaseError):
        open_database(db_path)

    assert sha256(db_path) == before


def test_a_folder_is_not_a_calendar_file(tmp_path: Path) -> None:
    folder = tmp_path / "calendar.db"
    folder.mkdir()

    with pytest.raises(DatabaseError, match="is not a file"):
        open_database(folder)


# --- backups ---------------------------------------------------------------------------------


def test_a_backup_is_a_sqlite_copy_holding_the_same_data(
    db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    new_calendar(db_path, clock, "Staff talks", "Cross-briefing")
    target = tmp_path / "copy.db"

    assert backup(db_path, target) == target

    assert target.read_bytes().startswith(database.SQLITE_MAGIC)
    conn = raw(target)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        titles = sorted(r[0] for r in conn.execute("SELECT title FROM meeting"))
        assert titles == ["Cross-briefing", "Staff talks"]
        assert conn.execute("SELECT count(*) FROM strand").fetchone()[0] == 8
    finally:
        conn.close()
    assert revision_of(target) == [head_revision()]


def test_a_backup_opens_as_a_calendar_with_the_same_meetings(
    db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    new_calendar(db_path, clock, "Military mobility talks")
    target = backup(db_path, tmp_path / "copy.db")

    copy = Services.open(target, clock)
    original = Services.open(db_path, clock)
    try:
        assert copy.queries.occurrences() == original.queries.occurrences()
        assert [m.title for m in copy.queries.search("mobility")] == ["Military mobility talks"]
    finally:
        copy.close()
        original.close()


def test_a_backup_does_not_change_its_source(
    db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    new_calendar(db_path, clock, "Staff talks")
    before = sha256(db_path)

    backup(db_path, tmp_path / "copy.db")

    assert sha256(db_path) == before


def test_a_backup_taken_during_a_write_holds_only_committed_data(
    db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    new_calendar(db_path, clock, "Committed")
    writer = raw(db_path)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE meeting SET title = 'Uncommitted'")
    try:
        target = backup(db_path, tmp_path / "copy.db")
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    conn = raw(target)
    try:
        assert [r[0] for r in conn.execute("SELECT title FROM meeting")] == ["Committed"]
    finally:
        conn.close()


def test_the_backup_path_sits_beside_the_file_and_names_the_revision(
    db_path: Path, clock: FixedClock
) -> None:
    first = backup_path(db_path, "0001", clock)

    assert first.parent == db_path.parent
    assert first.name == "calendar.db.20261125-090000.before-0001.bak"

    first.write_bytes(b"taken")
    second = backup_path(db_path, "0001", clock)
    assert second != first
    assert second.parent == db_path.parent
    assert second.name.endswith(".before-0001.bak")
    assert not second.exists()


def test_backup_paths_follow_the_clock(db_path: Path) -> None:
    clock = FixedClock(datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert backup_path(db_path, "abc", clock).name == "calendar.db.20270102-030405.before-abc.bak"


# --- locking ---------------------------------------------------------------------------------


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.3)
    return 0.3


@pytest.fixture
def locked(db_path: Path, clock: FixedClock) -> Iterator[sqlite3.Connection]:
    """Another program holding the write lock on an existing calendar."""
    new_calendar(db_path, clock, "Existing")
    other = raw(db_path)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO partner (name) VALUES ('Held by the other writer')")
    yield other
    other.execute("ROLLBACK")
    other.close()


def test_a_second_writer_gets_a_busy_error_within_the_timeout(
    short_busy_timeout: float,
    locked: sqlite3.Connection,
    db_path: Path,
    clock: FixedClock,
) -> None:
    svc = Services.open(db_path, clock)
    try:
        began = time.monotonic()
        with pytest.raises(DatabaseBusyError, match="busy"):
            svc.meetings.create(meeting_draft("Blocked"))
        elapsed = time.monotonic() - began

        assert elapsed < 3.0
        assert elapsed >= short_busy_timeout * 0.5
        # reading still works while the other writer holds the lock (WAL)
        assert [m.title for m in svc.queries.search("existing")] == ["Existing"]
        assert svc.queries.search("blocked") == []
    finally:
        svc.close()


def test_a_busy_error_leaves_nothing_written_and_a_later_write_succeeds(
    short_busy_timeout: float,
    locked: sqlite3.Connection,
    db_path: Path,
    clock: FixedClock,
) -> None:
    svc = Services.open(db_path, clock)
    try:
        with pytest.raises(DatabaseBusyError):
            svc.meetings.create(meeting_draft("Blocked"))

        locked.execute("ROLLBACK")
        locked.execute("BEGIN")  # the fixture's ROLLBACK needs an open transaction

        created = svc.meetings.create(meeting_draft("After the lock"))
        assert svc.meetings.get(created.id).title == "After the lock"
        assert svc.queries.search("blocked") == []
    finally:
        svc.close()


def test_plain_reads_go_on_while_another_program_holds_the_write_lock(
    locked: sqlite3.Connection, db_path: Path, clock: FixedClock
) -> None:
    svc = Services.open(db_path, clock)
    try:
        found = svc.queries.briefs(
            *svc.queries.day_window(date(2024, 5, 1), date(2024, 5, 31), "UTC")
        )
        assert [b.meeting.title for b in found] == ["Existing"]
        assert "Held by the other writer" not in [p.name for p in svc.catalog.partners()]
    finally:
        svc.close()


def test_a_plain_read_blocked_by_an_exclusive_lock_says_the_calendar_is_busy(
    short_busy_timeout: float, db_path: Path, clock: FixedClock
) -> None:
    new_calendar(db_path, clock, "Existing")
    svc = Services.open(db_path, clock)
    other = raw(db_path)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO partner (name) VALUES ('Held')")
    try:
        with pytest.raises(DatabaseBusyError, match="busy"):
            svc.catalog.strands()
    finally:
        svc.close()
        other.execute("ROLLBACK")
        other.close()


def test_plain_reads_work_again_after_close_as_sessions_do(services: Services) -> None:
    services.meetings.create(meeting_draft("Before"))
    services.close()
    assert [s.key for s in services.catalog.strands()][:1] == ["hybrid"]
    assert services.queries.search("before")[0].title == "Before"


def test_opening_a_calendar_and_reading_a_month_loads_no_sqlalchemy(
    db_path: Path, clock: FixedClock
) -> None:
    """The desktop app paints its first month before SQLAlchemy is loaded (a fifth of a second
    on these machines): opening, the catalogue and the views' reads must not need it."""
    new_calendar(db_path, clock, "Staff talks")
    script = (
        "import sys\n"
        "from datetime import date\n"
        "from pathlib import Path\n"
        "from liaison_calendar.services.context import Services\n"
        "import liaison_calendar.ui.main_window\n"
        f"svc = Services.open(Path({str(db_path)!r}))\n"
        "q = svc.queries\n"
        "found = q.briefs(*q.day_window(date(2024, 5, 1), date(2024, 5, 31), 'UTC'))\n"
        "assert [b.meeting.title for b in found] == ['Staff talks'], found\n"
        "assert svc.catalog.strands() and svc.catalog.kinds() and not svc.queries.is_empty()\n"
        "svc.catalog.setting('default_tz')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.stdout.strip() == "[]"


def test_the_revisions_the_app_knows_are_exactly_alembics_in_order() -> None:
    from liaison_calendar.store.database import REVISIONS, script_directory

    walked = [s.revision for s in script_directory().walk_revisions()]
    assert tuple(reversed(walked)) == REVISIONS
    assert script_directory().get_current_head() == REVISIONS[-1]
