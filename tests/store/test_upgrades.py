"""Upgrades from every earlier schema revision: a file written at 0001, 0002, 0003, 0004 and
0005.

Each file in ``tests/data/`` (made by ``tests/data/make_fixtures.py``) is what that revision
of the app wrote: 30 meetings in Brussels, Kyiv, Tbilisi and Chișinău time, all-day ones over
several days, a weekly series with a skipped and a moved occurrence (and, from 0003 on, an
extra date), a monthly all-day series, an open-ended yearly one, series with iterations, an
exercise with phases, participants, agenda items, actions, feeds and search rows (with prefix
tables from 0005 on). None has the sync tables of 0006: every upgrade adds them, empty.

Every test opens a copy; the files themselves are only read, as immutable files, and every
test checks at its end that their bytes are unchanged.
"""

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import select

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.models import MeetingPatch, ParticipantDraft
from liaison_calendar.errors import DatabaseError
from liaison_calendar.services.context import Services
from liaison_calendar.store.database import (
    REVISIONS,
    FileState,
    head_revision,
    inspect_file,
    open_database,
)
from liaison_calendar.store.tables import SyncAccountRecord, SyncCollectionRecord, SyncItemRecord
from tests.data.make_fixtures import migrate_to

DATA = Path(__file__).parents[1] / "data"
EARLIER = ("0001", "0002", "0003", "0004", "0005")
FIXTURES = {rev: DATA / f"calendar-{rev}.sqlite" for rev in EARLIER}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


FIXTURE_SHA256 = {rev: sha256(path) for rev, path in FIXTURES.items()}
MEETINGS = 30
WEEKLY_UID = "fixture-ukraine-weekly@liaison-calendar"
KYIV = ZoneInfo("Europe/Kyiv")
SYNC_TABLES = ("sync_account", "sync_collection", "sync_item")
FEED_NAMES = (
    {"all", "eastern-partners", "cyber-busy"}
    | {
        f"strand-{k}"
        for k in (
            "hybrid",
            "operational",
            "cyber",
            "capabilities",
            "industry",
            "exercises",
            "capacity-building",
            "political",
        )
    }
    | {
        f"kind-{k}"
        for k in (
            "staff-talks",
            "structured-dialogue",
            "operational-talks",
            "cross-briefing",
            "ministerial",
            "exercise-phase",
            "other",
        )
    }
)
END = datetime(2028, 1, 1, tzinfo=UTC)
"""Where the occurrences are read up to: past every bounded series, within the open one."""


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def weekly_starts(revision: str) -> list[datetime]:
    """The weekly Kyiv series at 10:00 local (08:00Z, then 07:00Z after 30 March): 18 March
    skipped, 8 April moved away (to its own row), 6 May an extra date from 0003 on."""
    starts = ["2025-03-04T08:00", "2025-03-11T08:00", "2025-03-25T08:00"]
    starts += ["2025-04-01T07:00", "2025-04-15T07:00", "2025-04-22T07:00"]
    if revision >= "0003":
        starts.append("2025-05-06T07:00")
    return [utc(s) for s in starts]


MONTHLY_DAYS = [date(2025, m, 15) for m in (1, 2, 3, 5, 6)]  # April skipped
YEARLY_STARTS = [utc(f"{y}-12-05T08:00") for y in range(2023, 2028)]  # 09:00 Brussels
MOVED_START, MOVED_FROM = utc("2025-04-09T07:00"), utc("2025-04-08T07:00")


# --- reading files without the app ---------------------------------------------------------------


def connect(path: Path) -> sqlite3.Connection:
    """A plain connection; a fixture is only ever read, as an immutable file."""
    if path.resolve().parent == DATA.resolve():
        return sqlite3.connect(f"file:{path.resolve()}?mode=ro&immutable=1", uri=True)
    return sqlite3.connect(path)


def query(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(connect(path)) as conn:
        return [tuple(row) for row in conn.execute(sql, params)]


def revision_of(path: Path) -> str:
    [(rev,)] = query(path, "SELECT version_num FROM alembic_version")
    return str(rev)


def columns(path: Path, table: str) -> list[str]:
    return [row[1] for row in query(path, f"PRAGMA table_info({table})")]


def schema(path: Path) -> set[tuple[Any, ...]]:
    return set(query(path, "SELECT type, name, tbl_name, sql FROM sqlite_master"))


def tables(path: Path) -> list[str]:
    return [r[0] for r in query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")]


def rows(path: Path, table: str, names: list[str] | None = None) -> list[tuple[Any, ...]]:
    listed = ", ".join(names) if names else "*"
    return sorted(query(path, f"SELECT {listed} FROM {table}"), key=repr)


def search_rows(path: Path) -> list[tuple[Any, ...]]:
    return query(path, "SELECT rowid, * FROM meeting_fts ORDER BY rowid")


def backups_beside(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if p.name.endswith(".bak"))


def meeting_id(path: Path, title: str, *, override: bool = False) -> int:
    test = "IS NOT NULL" if override else "IS NULL"
    [(mid,)] = query(path, f"SELECT id FROM meeting WHERE title = ? AND master_id {test}", title)
    return int(mid)


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(params=EARLIER)
def revision(request: pytest.FixtureRequest) -> Iterator[str]:
    rev: str = request.param
    yield rev
    fixture = FIXTURES[rev]
    assert sha256(fixture) == FIXTURE_SHA256[rev], f"{fixture.name} was modified"
    for suffix in ("-wal", "-shm", "-journal"):
        assert not fixture.with_name(fixture.name + suffix).exists()


@pytest.fixture
def fixture(revision: str) -> Path:
    return FIXTURES[revision]


@pytest.fixture
def old_file(tmp_path: Path, fixture: Path, revision: str) -> Path:
    """A private copy of the fixture, not yet opened by the app."""
    target = tmp_path / "calendar.db"
    shutil.copyfile(fixture, target)
    assert revision_of(target) == revision
    return target


@pytest.fixture
def upgraded(old_file: Path, clock: FixedClock) -> Iterator[Services]:
    """The copy, opened (and so upgraded) by the app."""
    svc = Services.open(old_file, clock)
    yield svc
    svc.close()


# --- the fixtures themselves -------------------------------------------------------------------


def test_there_is_a_fixture_for_every_earlier_revision() -> None:
    assert REVISIONS[:-1] == EARLIER
    assert head_revision() not in FIXTURES
    assert all(path.is_file() for path in FIXTURES.values())


def test_each_fixture_has_exactly_the_schema_its_revision_writes(
    fixture: Path, revision: str, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh.db"
    migrate_to(fresh, revision)

    assert revision_of(fixture) == revision
    assert schema(fixture) == schema(fresh)
    assert query(fixture, "PRAGMA integrity_check") == [("ok",)]
    assert fixture.stat().st_size < 200_000


def test_each_fixture_holds_what_the_upgrade_must_keep(fixture: Path, revision: str) -> None:
    names = columns(fixture, "meeting")
    meetings = query(fixture, "SELECT tz, all_day, start_date, end_date, rrule FROM meeting")
    assert len(meetings) == MEETINGS
    assert {"Europe/Brussels", "Europe/Kyiv", "Asia/Tbilisi"} <= {m[0] for m in meetings}
    spans = [date.fromisoformat(m[3]) - date.fromisoformat(m[2]) for m in meetings if m[1]]
    assert max(spans) > timedelta(days=1)  # an all-day meeting over several days
    assert query(fixture, "SELECT count(*) FROM meeting WHERE exdates != '[]'") == [(2,)]
    assert query(fixture, "SELECT count(*) FROM meeting WHERE master_id IS NOT NULL") == [(1,)]
    assert ("revision" in names) is (revision >= "0002")
    assert ("rdates" in names) is (revision >= "0003")
    if revision >= "0003":
        assert query(fixture, "SELECT count(*) FROM meeting WHERE rdates != '[]'") == [(1,)]
    for table in ("participant", "agenda_item", "meeting_strand"):
        assert query(fixture, f"SELECT count(*) FROM {table}")[0][0] > 10, table
    assert query(fixture, "SELECT count(*) FROM action_item") == [(7,)]
    assert query(fixture, "SELECT count(*) FROM action_item WHERE carried_from_id > 0") == [(1,)]
    for table in ("meeting_partner", "meeting_proposal", "series", "exercise_phase", "feed"):
        assert query(fixture, f"SELECT count(*) FROM {table}")[0][0] > 1, table
    assert query(fixture, "SELECT count(*) FROM meeting_fts") == [(MEETINGS,)]
    [(fts,)] = query(fixture, "SELECT sql FROM sqlite_master WHERE name = 'meeting_fts'")
    assert ("prefix = '1 2 3'" in fts) is (revision >= "0005")
    assert not set(SYNC_TABLES) & set(tables(fixture))
    text = " ".join(str(v) for r in query(fixture, "SELECT * FROM meeting") for v in r)
    text += " ".join(n for (n,) in query(fixture, "SELECT name FROM participant"))
    assert all(word in text for word in ("Chișinău", "Ørsted", "თბილისი", "Київ", "🇪🇺"))


# --- upgrading ---------------------------------------------------------------------------------


def test_opening_upgrades_to_the_schema_of_a_new_calendar(
    old_file: Path, revision: str, clock: FixedClock, tmp_path: Path
) -> None:
    assert inspect_file(old_file).state is FileState.OLDER
    new_calendar = tmp_path / "new" / "calendar.db"
    open_database(new_calendar, clock).close()

    open_database(old_file, clock).close()

    assert revision_of(old_file) == head_revision()
    assert inspect_file(old_file).state is FileState.CURRENT
    assert schema(old_file) == schema(new_calendar)
    assert query(old_file, "PRAGMA integrity_check") == [("ok",)]
    assert query(old_file, "PRAGMA foreign_key_check") == []


def test_every_meeting_keeps_its_values_and_new_columns_get_their_defaults(
    fixture: Path, old_file: Path, revision: str, clock: FixedClock
) -> None:
    old_names = columns(fixture, "meeting")
    before = rows(fixture, "meeting", old_names)

    open_database(old_file, clock).close()

    assert rows(old_file, "meeting", old_names) == before
    assert len(before) == MEETINGS
    new_names = [n for n in columns(old_file, "meeting") if n not in old_names]
    added = {"0001": ["revision", "rdates"], "0002": ["rdates"]}.get(revision, [])
    assert new_names == added
    if "revision" in added:  # rows that were there get revision = id; the counter follows
        assert query(old_file, "SELECT count(*) FROM meeting WHERE revision != id") == [(0,)]
        assert query(old_file, "SELECT value FROM change_counter") == [(MEETINGS,)]
    else:
        assert rows(old_file, "change_counter") == rows(fixture, "change_counter")
    if "rdates" in added:
        assert query(old_file, "SELECT DISTINCT rdates FROM meeting") == [("[]",)]


def test_participants_agenda_actions_links_and_everything_else_are_kept(
    fixture: Path, old_file: Path, revision: str, clock: FixedClock
) -> None:
    kept = [
        t
        for t in tables(fixture)
        if t not in ("alembic_version", "meeting") and not t.startswith("meeting_fts")
    ]
    assert {"participant", "agenda_item", "action_item", "meeting_partner", "exercise"} <= set(kept)
    before = {t: rows(fixture, t) for t in kept}

    open_database(old_file, clock).close()

    after = {t: rows(old_file, t, columns(fixture, t)) for t in kept}
    if revision == "0001":
        # 0002 adds the default feeds, leaving the one named "all" that was made by hand.
        added = set(after["feed"]) - set(before["feed"])
        assert set(before["feed"]) <= set(after["feed"])
        assert {row[1] for row in added} == FEED_NAMES - {"all", "eastern-partners", "cyber-busy"}
        after["feed"] = before["feed"]
    assert after == before
    assert search_rows(old_file) == search_rows(fixture)
    assert query(old_file, "SELECT rowid FROM meeting_fts WHERE meeting_fts MATCH 'Kapa*'") == [
        (8,)
    ]


def test_occurrences_are_those_of_the_old_file_with_the_skipped_and_the_moved_one(
    upgraded: Services, old_file: Path, revision: str
) -> None:
    weekly = meeting_id(old_file, "Ukraine support – weekly video cross-briefing")
    moved = meeting_id(old_file, "Ukraine support – weekly video cross-briefing", override=True)
    monthly = meeting_id(old_file, "Capability development coordination day")
    yearly = meeting_id(old_file, "Annual EU–NATO staff talks")
    singles = query(
        old_file, "SELECT id, all_day, start_utc, start_date FROM meeting WHERE rrule IS NULL"
    )
    expected = {
        (mid, date.fromisoformat(day) if all_day else utc(start[:-1]))
        for mid, all_day, start, day in singles
    }
    expected |= {(weekly, s) for s in weekly_starts(revision)}
    expected |= {(monthly, d) for d in MONTHLY_DAYS}
    expected |= {(yearly, s) for s in YEARLY_STARTS}

    found = upgraded.queries.occurrences(None, END)

    def key(start: datetime | date) -> datetime | date:
        return start.astimezone(UTC) if isinstance(start, datetime) else start

    assert sorted(((o.meeting.id, key(o.start)) for o in found), key=repr) == sorted(
        expected, key=repr
    )
    assert len(found) == len(singles) + len(weekly_starts(revision)) + 5 + 5
    [move] = [o for o in found if o.meeting.id == moved]
    assert (key(move.start), move.recurrence_id) == (MOVED_START, MOVED_FROM)
    assert isinstance(move.start, datetime)
    assert move.start.replace(tzinfo=None) == datetime(2025, 4, 9, 10, 0)  # Kyiv wall time
    # A window of April, in Kyiv time: the series as the week view shows it.
    april = upgraded.queries.occurrences(
        datetime(2025, 4, 1, tzinfo=KYIV), datetime(2025, 5, 1, tzinfo=KYIV)
    )
    assert [(o.meeting.id, o.start.day) for o in april if o.meeting.id in (weekly, moved)] == [
        (weekly, 1),
        (moved, 9),
        (weekly, 15),
        (weekly, 22),
    ]


@pytest.mark.parametrize(
    ("typed", "where"),
    [
        ("weekly video", "title LIKE '%weekly video%'"),
        ("Chisinau", "location = 'Chișinău'"),  # diacritics ignored
        ("Київ", "location LIKE 'Kyiv%'"),
        ("თბილისი", "location LIKE 'Tbilisi (%' OR title LIKE 'Resilience workshop%'"),
        (
            "Beridze",
            "id IN (SELECT meeting_id FROM participant WHERE name = 'Nino Beridze')",
        ),
        ("Ørsted", "id IN (SELECT meeting_id FROM participant WHERE name = 'Mette Ørsted')"),
        ("Horvath", "id IN (SELECT meeting_id FROM participant WHERE name = 'Eva Horváth')"),
        ("Kapanadze", "id IN (SELECT meeting_id FROM participant WHERE name LIKE 'Tamar %')"),
    ],
)
def test_search_finds_meetings_by_title_place_and_participant_after_the_upgrade(
    upgraded: Services, old_file: Path, typed: str, where: str
) -> None:
    expected = {mid for (mid,) in query(old_file, f"SELECT id FROM meeting WHERE {where}")}
    assert expected

    assert {m.id for m in upgraded.queries.search(typed)} == expected


def test_every_feed_publishes_and_parses_with_the_series_skipped_moved_and_extra_dates(
    upgraded: Services, old_file: Path, revision: str, tmp_path: Path
) -> None:
    out = tmp_path / "feeds"
    out.mkdir()

    report = upgraded.feeds.publish(out)

    assert {r.name for r in report} == FEED_NAMES
    assert {r.change for r in report} == {"created"}
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.ics" for n in FEED_NAMES)
    calendars = {r.name: icalendar.Calendar.from_ical(r.path.read_bytes()) for r in report}
    for r in report:
        assert len(calendars[r.name].walk("VEVENT")) == r.events, r.name
    everything = calendars["all"]
    uids = {str(e["UID"]) for e in everything.walk("VEVENT")}
    listed = set(query(old_file, "SELECT uid FROM meeting WHERE release_level != 'restricted'"))
    assert {u for (u,) in listed} <= uids
    [(hidden,)] = query(old_file, "SELECT uid FROM meeting WHERE release_level = 'restricted'")
    assert hidden not in uids
    # The subscriber's view of the weekly series, expanded by another library.
    seen = recurring_ical_events.of(everything).between(date(2025, 1, 1), date(2026, 1, 1))
    weekly = sorted(e["DTSTART"].dt.astimezone(UTC) for e in seen if str(e["UID"]) == WEEKLY_UID)
    assert weekly == sorted([*weekly_starts(revision), MOVED_START])
    [master] = [
        e for e in everything.walk("VEVENT") if str(e["UID"]) == WEEKLY_UID and "RRULE" in e
    ]
    assert ("RDATE" in master) is (revision >= "0003")
    if revision == "0001":
        assert upgraded.feeds.get("all").title == "Everything we do"  # kept, not reseeded


def test_the_backup_is_the_old_file_with_its_old_schema_and_rows(
    fixture: Path, old_file: Path, revision: str, clock: FixedClock
) -> None:
    open_database(old_file, clock).close()

    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    [backup] = backups_beside(old_file)
    assert backup.name == f"calendar.db.{stamp}.before-{revision}.bak"
    assert inspect_file(backup).state is FileState.OLDER
    assert revision_of(backup) == revision
    assert schema(backup) == schema(fixture)
    assert tables(backup) == tables(fixture)
    for table in tables(fixture):
        assert rows(backup, table) == rows(fixture, table), table
    assert query(backup, "PRAGMA integrity_check") == [("ok",)]
    assert query(backup, "PRAGMA foreign_key_check") == []
    assert query(backup, "SELECT rowid FROM meeting_fts WHERE meeting_fts MATCH 'Chisinau'") == [
        (9,)
    ]


def test_the_backup_opens_and_upgrades_like_the_original(
    old_file: Path, revision: str, clock: FixedClock, tmp_path: Path
) -> None:
    open_database(old_file, clock).close()
    [backup] = backups_beside(old_file)
    restored = tmp_path / "restored" / "calendar.db"
    restored.parent.mkdir()
    shutil.copyfile(backup, restored)

    clock.advance()
    open_database(restored, clock).close()

    assert revision_of(restored) == head_revision()
    meeting_columns = columns(old_file, "meeting")
    assert rows(restored, "meeting", meeting_columns) == rows(old_file, "meeting", meeting_columns)
    assert search_rows(restored) == search_rows(old_file)


def test_opening_the_upgraded_file_again_makes_no_backup_and_changes_nothing(
    old_file: Path, clock: FixedClock
) -> None:
    open_database(old_file, clock).close()
    first = backups_beside(old_file)
    content = {t: rows(old_file, t) for t in tables(old_file)}

    clock.advance()
    svc = Services.open(old_file, clock)
    try:
        assert len(svc.queries.occurrences(None, END)) > MEETINGS
    finally:
        svc.close()

    assert backups_beside(old_file) == first
    assert len(first) == 1
    assert revision_of(old_file) == head_revision()
    assert {t: rows(old_file, t) for t in tables(old_file)} == content


def test_an_upgraded_file_takes_edits_and_keeps_its_search_current(
    upgraded: Services, old_file: Path
) -> None:
    target = meeting_id(old_file, "Defence industry roundtable")
    [(counter,)] = query(old_file, "SELECT value FROM change_counter")

    upgraded.meetings.edit(target, MeetingPatch(title="Defence industry roundtable – Gdańsk"))
    upgraded.meetings.add_participant(target, ParticipantDraft(name="Zoë Łukasiewicz"))

    [(rev,)] = query(old_file, "SELECT revision FROM meeting WHERE id = ?", target)
    assert rev > counter
    assert [m.id for m in upgraded.queries.search("Gdansk")] == [target]
    assert [m.id for m in upgraded.queries.search("Łukasiewicz")] == [target]
    assert [m.id for m in upgraded.queries.search("Ørsted")] == [target]


SYNC_ITEM = (
    "INSERT INTO sync_item (collection_id, uid, title, href, etag, content_hash, conflict,"
    " theirs_etag) VALUES (?, ?, ?, ?, ?, '', 0, '')"
)


def test_an_upgraded_file_has_empty_sync_tables_that_take_rows_and_cascade(
    old_file: Path, clock: FixedClock
) -> None:
    old_names = columns(old_file, "meeting")
    meetings = rows(old_file, "meeting", old_names)
    weekly = "Ukraine support – weekly video cross-briefing"

    db = open_database(old_file, clock)
    try:
        assert set(SYNC_TABLES) <= set(tables(old_file))
        assert {t: rows(old_file, t) for t in SYNC_TABLES} == {t: [] for t in SYNC_TABLES}
        with closing(sqlite3.connect(old_file)) as conn:
            conn.execute("PRAGMA foreign_keys = ON")
            with conn:
                account = conn.execute(
                    "INSERT INTO sync_account (name, url, username, ca_file, created, last_error)"
                    " VALUES ('Staff server', 'https://dav.example/', 'jweber', '', ?, '')",
                    (clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),),
                ).lastrowid
                collection = conn.execute(
                    "INSERT INTO sync_collection (account_id, url, name, route_json, position)"
                    " VALUES (?, 'https://dav.example/cal/eu-nato/', 'EU–NATO', '', 0)",
                    (account,),
                ).lastrowid
                assert collection is not None
                conn.execute(SYNC_ITEM, (collection, WEEKLY_UID, weekly, "weekly.ics", '"1"'))
            with pytest.raises(sqlite3.IntegrityError), conn:  # one row per UID and calendar
                conn.execute(SYNC_ITEM, (collection, WEEKLY_UID, weekly, "other.ics", ""))
            with pytest.raises(sqlite3.IntegrityError), conn:  # no calendar, no item
                conn.execute(SYNC_ITEM, (collection + 1, "elsewhere", "", "x.ics", ""))
        # The app's records read what was written, from the tables the upgrade made.
        with db.reading() as session:
            [server] = session.exec(select(SyncAccountRecord)).all()
            [calendar] = session.exec(select(SyncCollectionRecord)).all()
            [item] = session.exec(select(SyncItemRecord)).all()
        assert (server.id, server.created, server.last_sync) == (account, clock.now(), None)
        assert (calendar.account_id, calendar.sync_token) == (account, None)
        assert (item.collection_id, item.uid, item.title, item.etag) == (
            collection,
            WEEKLY_UID,
            weekly,
            '"1"',
        )
        assert (item.conflict, item.theirs, item.conflict_at) == (False, None, None)

        with closing(sqlite3.connect(old_file)) as conn:
            conn.execute("PRAGMA foreign_keys = ON")
            with conn:  # removing the account removes its calendars and their items
                conn.execute("DELETE FROM sync_account WHERE id = ?", (account,))
    finally:
        db.close()

    assert {t: rows(old_file, t) for t in SYNC_TABLES} == {t: [] for t in SYNC_TABLES}
    assert rows(old_file, "meeting", old_names) == meetings
    assert query(old_file, "PRAGMA foreign_key_check") == []
    assert query(old_file, "PRAGMA integrity_check") == [("ok",)]


# --- an upgrade that fails half-way ------------------------------------------------------------


@contextmanager
def disk_full_at(words: str) -> Iterator[list[str]]:
    """SQLite says the disk is full when a statement containing ``words`` runs (any engine)."""
    failed: list[str] = []

    def fail(*args: Any) -> tuple[Any, Any]:
        statement, parameters = args[2], args[3]
        if words in statement:
            failed.append(statement)
            raise sqlite3.OperationalError("database or disk is full")
        return statement, parameters

    event.listen(Engine, "before_cursor_execute", fail, retval=True)
    try:
        yield failed
    finally:
        event.remove(Engine, "before_cursor_execute", fail)


@pytest.mark.parametrize(
    ("failing", "words"),
    [
        # Regression: Alembic committed each revision on its own, so a disk filling up while
        # 0005 rebuilt the search index left a 0001 file at 0004, which the old app no longer
        # opens.
        ("0005", "CREATE VIRTUAL TABLE meeting_fts_new"),
        ("0006", "CREATE INDEX ix_sync_item_href"),  # the last statement of the last revision
    ],
)
def test_an_upgrade_failing_at_a_later_revision_leaves_the_file_at_its_own(
    fixture: Path, old_file: Path, revision: str, clock: FixedClock, failing: str, words: str
) -> None:
    if revision >= failing:
        pytest.skip(f"an upgrade from {revision} does not run {failing}")
    with disk_full_at(words) as failed, pytest.raises(DatabaseError):
        open_database(old_file, clock)

    assert failed  # it failed where it should, in that revision
    assert revision_of(old_file) == revision
    assert inspect_file(old_file).state is FileState.OLDER
    assert schema(old_file) == schema(fixture)
    for table in tables(fixture):
        assert rows(old_file, table) == rows(fixture, table), table
    assert len(backups_beside(old_file)) == 1

    clock.advance()  # with room on the disk again, the next start upgrades it
    open_database(old_file, clock).close()

    assert revision_of(old_file) == head_revision()
    names = columns(fixture, "meeting")
    assert rows(old_file, "meeting", names) == rows(fixture, "meeting", names)
    backups = [b.name.rsplit(".", 2)[1] for b in backups_beside(old_file)]
    assert backups == [f"before-{revision}"] * 2
