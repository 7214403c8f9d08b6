"""Revision 0003 (extra dates) on a file written at 0002 by this release's predecessor."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

import hashlib
import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.models import MeetingDraft
from liaison_calendar.services.context import Services
from liaison_calendar.store.database import head_revision

FIXTURE = Path(__file__).parent / "fixtures" / "calendar-0002.sqlite"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return [tuple(r) for r in conn.execute(sql)]


def test_a_0002_file_gains_empty_extra_dates_and_keeps_everything_else(tmp_path: Path) -> None:
    before = hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    path = tmp_path / "calendar.db"
    shutil.copy(FIXTURE, path)
    old = rows(path, "SELECT id, uid, title, start_utc, rrule, exdates, revision FROM meeting")
    svc = Services.open(path, FixedClock(NOW))
    try:
        occurrences = len(svc.queries.occurrences())
        m = svc.meetings.create(
            MeetingDraft(
                title="Cross-briefing with an extra date",
                start=datetime(2024, 3, 4, 10, 0),
                end=datetime(2024, 3, 4, 11, 0),
                rrule="FREQ=WEEKLY;COUNT=2",
                rdates=[datetime(2024, 3, 20, 10, 0)],
            )
        )
        assert [o.start.day for o in svc.queries.occurrences() if o.meeting.id == m.id] == [
            4, 11, 20,
        ]  # fmt: skip
        assert len(svc.queries.occurrences()) == occurrences + 3
    finally:
        svc.close()
    assert rows(path, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert rows(path, "SELECT id, uid, title, start_utc, rrule, exdates, revision FROM meeting "
                f"WHERE id <= {len(old)}") == old  # fmt: skip
    assert set(rows(path, "SELECT rdates FROM meeting WHERE id <= 50")) == {("[]",)}
    backups = list(tmp_path.glob("calendar.db.*.before-0002.bak"))
    assert len(backups) == 1
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() == before
