"""Backups on demand and every day, and restoring one: consistent, atomic, never a foreign file."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from liaison_calendar.cli import main
from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.models import MeetingDraft
from liaison_calendar.errors import (
    DatabaseError,
    DatabaseVersionError,
    NotALiaisonDatabaseError,
    OutputError,
    ValidationError,
)
from liaison_calendar.services.backups import daily_backups
from liaison_calendar.services.context import Services

FIXTURES = Path(__file__).parent.parent / "store" / "fixtures"


def add(services: Services, title: str) -> int:
    return services.meetings.create(
        MeetingDraft(title=title, start=datetime(2024, 5, 14, 10), end=datetime(2024, 5, 14, 11))
    ).id


def titles(services: Services) -> list[str]:
    return sorted(o.meeting.title for o in services.queries.occurrences())


def test_a_backup_is_a_calendar_with_the_same_meetings(
    services: Services, tmp_path: Path, clock: FixedClock
) -> None:
    add(services, "Staff talks")
    target = services.backups.back_up(tmp_path / "copy.db")
    copy = Services.open(target, clock)
    try:
        assert titles(copy) == ["Staff talks"]
    finally:
        copy.close()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_backup_never_overwrites_the_calendar_or_writes_into_a_missing_folder(
    services: Services, tmp_path: Path
) -> None:
    with pytest.raises(OutputError, match="cannot overwrite the calendar"):
        services.backups.back_up(services.path)
    with pytest.raises(OutputError, match="does not exist"):
        services.backups.back_up(tmp_path / "missing" / "copy.db")


def test_one_daily_backup_a_day_and_only_the_last_seven_are_kept(
    services: Services, clock: FixedClock
) -> None:
    add(services, "Staff talks")
    first = services.backups.daily()
    assert first is not None
    assert first.name.endswith(".daily-2026-11-25.bak")
    assert services.backups.daily() is None  # already made today
    for _ in range(9):
        clock.advance(timedelta(days=1))
        services.backups.daily()
    kept = daily_backups(services.path)
    assert len(kept) == 7
    assert kept[-1].name.endswith(".daily-2026-12-04.bak")
    assert kept[0].name.endswith(".daily-2026-11-28.bak")


def test_daily_backups_can_be_turned_off(services: Services) -> None:
    services.catalog.set_setting("daily_backups", 0)
    assert services.backups.daily() is None
    assert daily_backups(services.path) == []
    with pytest.raises(ValidationError):
        services.catalog.set_setting("daily_backups", -1)


def test_restoring_brings_back_the_backup_and_keeps_what_it_replaced(
    services: Services, tmp_path: Path, clock: FixedClock
) -> None:
    add(services, "Before the backup")
    backup = services.backups.back_up(tmp_path / "monday.db")
    add(services, "After the backup")
    done = services.backups.restore(backup)
    assert titles(services) == ["Before the backup"]
    assert done.upgraded_from is None
    safety = Services.open(done.safety_copy, clock)
    try:
        assert titles(safety) == ["After the backup", "Before the backup"]
    finally:
        safety.close()
    add(services, "Written after restoring")  # the calendar works on as usual
    assert "Written after restoring" in titles(services)


def test_restoring_a_file_from_an_older_version_upgrades_it(
    services: Services, tmp_path: Path
) -> None:
    old = tmp_path / "old.db"
    shutil.copy(FIXTURES / "calendar-0002.sqlite", old)
    done = services.backups.restore(old)
    assert done.upgraded_from == "0002"
    add(services, "On the upgraded calendar")
    assert "On the upgraded calendar" in titles(services)


def test_restoring_a_foreign_or_newer_file_is_refused_and_changes_nothing(
    services: Services, tmp_path: Path, clock: FixedClock
) -> None:
    add(services, "Kept")
    text = tmp_path / "notes.db"
    text.write_text("not a database")
    with pytest.raises(NotALiaisonDatabaseError):
        services.backups.restore(text)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE songs (title TEXT)").connection.commit()
    with pytest.raises(NotALiaisonDatabaseError):
        services.backups.restore(other)
    newer = services.backups.back_up(tmp_path / "newer.db")
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseVersionError):
        services.backups.restore(newer)
    with pytest.raises(DatabaseError, match="no backup file"):
        services.backups.restore(tmp_path / "missing.db")
    assert titles(services) == ["Kept"]
    assert not list(tmp_path.glob("*.before-restore.bak"))


def test_backup_and_restore_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cal.db")
    assert main(["--db", db, "add", "--title", "Talks", "--kind", "other",
                 "--start", "2024-05-14T10:00", "--end", "2024-05-14T11:00"]) == 0  # fmt: skip
    assert main(["--db", db, "backup", str(tmp_path / "copy.db")]) == 0
    assert "Backed up" in capsys.readouterr().err
    assert main(["--db", db, "delete", "1"]) == 0
    assert main(["--db", db, "restore", str(tmp_path / "copy.db")]) == 0
    assert "Restored" in capsys.readouterr().err
    assert main(["--db", db, "list", "--json"]) == 0
    assert '"Talks"' in capsys.readouterr().out
    (tmp_path / "junk.db").write_text("junk")
    assert main(["--db", db, "restore", str(tmp_path / "junk.db")]) == 2
    err = capsys.readouterr().err
    assert "not a Liaison Calendar database" in err
    assert len(err.strip().splitlines()) == 1


def test_a_backup_is_as_private_as_the_calendar(services: Services, tmp_path: Path) -> None:
    services.path.chmod(0o600)
    copy = services.backups.back_up(tmp_path / "copy.db")
    assert copy.stat().st_mode & 0o777 == 0o600
    daily = services.backups.daily()
    assert daily is not None
    assert daily.stat().st_mode & 0o777 == 0o600


def test_daily_backups_of_a_calendar_with_brackets_in_its_name_are_its_own(
    tmp_path: Path, clock: FixedClock
) -> None:
    odd = Services.open(tmp_path / "cal[ab].db", clock)
    plain = Services.open(tmp_path / "cala.db", clock)
    try:
        plain.backups.daily()
        assert odd.backups.daily() is not None
        assert [p.name for p in daily_backups(odd.path)] == ["cal[ab].db.daily-2026-11-25.bak"]
    finally:
        odd.close()
        plain.close()


def test_two_restores_within_a_second_keep_both_safety_copies(
    services: Services, tmp_path: Path
) -> None:
    add(services, "Original")
    backup = services.backups.back_up(tmp_path / "b.db")
    first = services.backups.restore(backup)
    second = services.backups.restore(backup)
    assert first.safety_copy != second.safety_copy
    assert first.safety_copy.exists()
    assert second.safety_copy.exists()


def test_restoring_while_another_program_writes_says_busy_soon_and_changes_nothing(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from liaison_calendar.errors import DatabaseBusyError
    from liaison_calendar.store import database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.3)
    add(services, "Kept")
    backup = services.backups.back_up(tmp_path / "b.db")
    add(services, "Also kept")
    other = sqlite3.connect(services.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        began = time.monotonic()
        with pytest.raises(DatabaseBusyError, match="busy"):
            services.backups.restore(backup)
        assert time.monotonic() - began < 5
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert titles(services) == ["Also kept", "Kept"]


def test_plain_reads_on_worker_threads_leave_no_connection_behind(services: Services) -> None:
    import threading

    services.catalog.strands()  # the owner thread keeps its one connection
    for _ in range(20):
        thread = threading.Thread(target=services.catalog.strands)
        thread.start()
        thread.join()
    assert len(services.db._plain) == 1
