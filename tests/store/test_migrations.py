"""Schema revisions: a file written at 0001 by the previous release, upgraded to head.

Revision 0002 adds a revision number to every meeting, kept by triggers from one counter, and
seeds the default feeds. The real 0001 file in ``fixtures/`` is only ever copied, never opened
in place; every test that uses it checks at the end that its bytes are unchanged.
"""

import hashlib
import io
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.enums import Privacy, ReleaseLevel
from liaison_calendar.domain.models import (
    ActionItemDraft,
    AgendaItemDraft,
    MeetingDraft,
    MeetingFilter,
    MeetingPatch,
    ParticipantDraft,
)
from liaison_calendar.services.context import Services
from liaison_calendar.store.database import (
    FileState,
    alembic_config,
    head_revision,
    inspect_file,
    make_engine,
    open_database,
)

FIXTURE = Path(__file__).parent / "fixtures" / "calendar-0001.sqlite"
MEETINGS_IN_FIXTURE = 50
CHILD_TABLES = (
    "participant",
    "agenda_item",
    "action_item",
    "meeting_strand",
    "meeting_partner",
    "meeting_proposal",
)
TRIGGERS = {"meeting_revision_insert", "meeting_revision_update"} | {
    f"{table}_revision_{event}"
    for table in CHILD_TABLES
    for event in ("insert", "update", "delete")
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


FIXTURE_SHA256 = sha256(FIXTURE)


def assert_fixture_untouched() -> None:
    assert sha256(FIXTURE) == FIXTURE_SHA256, "the 0001 fixture file was modified"
    assert not FIXTURE.with_name(FIXTURE.name + "-wal").exists()
    assert not FIXTURE.with_name(FIXTURE.name + "-journal").exists()


def connect(path: Path) -> sqlite3.Connection:
    """A plain connection; the fixture itself is only ever read, as an immutable file."""
    if path.resolve() == FIXTURE.resolve():
        return sqlite3.connect(f"file:{FIXTURE.resolve()}?mode=ro&immutable=1", uri=True)
    return sqlite3.connect(path)


def query(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(connect(path)) as conn:
        return [tuple(row) for row in conn.execute(sql, params)]


def revision_of(path: Path) -> str:
    rows = query(path, "SELECT version_num FROM alembic_version")
    assert len(rows) == 1
    return str(rows[0][0])


def revisions(path: Path) -> dict[int, int]:
    return {int(mid): int(rev) for mid, rev in query(path, "SELECT id, revision FROM meeting")}


def columns(path: Path, table: str) -> list[str]:
    return [row[1] for row in query(path, f"PRAGMA table_info({table})")]


def table_names(path: Path) -> set[str]:
    return {row[0] for row in query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def trigger_names(path: Path) -> set[str]:
    return {row[0] for row in query(path, "SELECT name FROM sqlite_master WHERE type = 'trigger'")}


def feed_rows(path: Path) -> dict[str, tuple[Any, ...]]:
    rows = query(path, "SELECT name, title, filter_json, privacy, release_level FROM feed")
    return {row[0]: row[1:] for row in rows}


def meeting_rows(path: Path, names: list[str]) -> dict[int, tuple[Any, ...]]:
    """Every meeting row, by id, in the given columns (those revision 0001 has)."""
    listed = ", ".join(names)
    return {row[0]: row for row in query(path, f"SELECT id, {listed} FROM meeting ORDER BY id")}


def migrate(path: Path, action: Callable[[Config, str], None], target: str) -> None:
    """Run an Alembic command on ``path`` the way ``database._upgrade`` runs its upgrade."""
    engine = make_engine(path)
    try:
        with engine.execution_options(sqlite_begin="IMMEDIATE").connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys = OFF")  # batch operations rebuild tables
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            action(cfg, target)
            conn.commit()
            problems = raw.execute("PRAGMA foreign_key_check").fetchall()
            raw.execute("PRAGMA foreign_keys = ON")
    finally:
        engine.dispose()
    assert problems == []


def backups_beside(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if p.name.endswith(".bak"))


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    """A private copy of the 0001 fixture."""
    target = tmp_path / "calendar.db"
    shutil.copyfile(FIXTURE, target)
    assert revision_of(target) == "0001"
    return target


@pytest.fixture
def upgraded(old_file: Path, clock: FixedClock) -> Path:
    """The copy, opened once (and so upgraded to head) and closed again."""
    open_database(old_file, clock).close()
    return old_file


@pytest.fixture
def upgraded_services(upgraded: Path, clock: FixedClock) -> Iterator[Services]:
    svc = Services.open(upgraded, clock)
    yield svc
    svc.close()


# --- upgrading the 0001 file -----------------------------------------------------------------


def test_opening_a_0001_file_upgrades_it_to_the_head_revision(
    old_file: Path, clock: FixedClock
) -> None:
    assert inspect_file(old_file).state is FileState.OLDER

    open_database(old_file, clock).close()

    assert head_revision() == "0006"
    assert revision_of(old_file) == head_revision()
    assert inspect_file(old_file).state is FileState.CURRENT
    assert "revision" in columns(old_file, "meeting")
    assert "rdates" in columns(old_file, "meeting")
    assert "change_counter" in table_names(old_file)
    assert_fixture_untouched()


def test_upgrading_keeps_a_backup_beside_the_file_at_0001_with_every_meeting(
    old_file: Path, clock: FixedClock
) -> None:
    names = columns(old_file, "meeting")
    before = meeting_rows(old_file, names)

    open_database(old_file, clock).close()

    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    expected = old_file.with_name(f"{old_file.name}.{stamp}.before-0001.bak")
    assert backups_beside(old_file) == [expected]
    assert revision_of(expected) == "0001"
    assert "revision" not in columns(expected, "meeting")
    assert len(before) == MEETINGS_IN_FIXTURE
    assert meeting_rows(expected, names) == before
    assert_fixture_untouched()


def test_upgrading_leaves_every_existing_meeting_value_as_it_was(
    old_file: Path, clock: FixedClock
) -> None:
    names = columns(old_file, "meeting")
    assert {"title", "uid", "start_utc"} <= set(names)
    before = meeting_rows(old_file, names)

    open_database(old_file, clock).close()

    after = meeting_rows(old_file, names)
    assert len(after) == MEETINGS_IN_FIXTURE
    assert after == before
    assert sum(1 for row in after.values() if row[names.index("master_id") + 1]) == 1
    assert_fixture_untouched()


def test_upgrading_keeps_participants_agenda_items_actions_and_links(
    old_file: Path, clock: FixedClock
) -> None:
    counted = (*CHILD_TABLES, "series", "exercise", "exercise_phase", "partner", "setting")
    before = {t: query(old_file, f"SELECT * FROM {t} ORDER BY 1, 2") for t in counted}

    open_database(old_file, clock).close()

    after = {t: query(old_file, f"SELECT * FROM {t} ORDER BY 1, 2") for t in counted}
    assert after == before
    assert len(after["participant"]) > 0
    assert len(after["agenda_item"]) > 0
    assert len(after["action_item"]) > 0
    assert query(old_file, "PRAGMA foreign_key_check") == []
    assert_fixture_untouched()


def test_upgrading_keeps_hand_made_feeds_and_adds_one_per_strand_and_per_kind(
    upgraded_services: Services, upgraded: Path
) -> None:
    feeds = {f.name: f for f in upgraded_services.feeds.list()}
    strands = [s.key for s in upgraded_services.catalog.strands()]
    kinds = [k.key for k in upgraded_services.catalog.kinds()]

    # The hand-made feeds are kept as they were, not overwritten by the seeded ones.
    assert feeds["all"].title == "Everything we do"
    assert feeds["all"].privacy is Privacy.FULL
    assert feeds["all"].release_level is ReleaseLevel.STAFF
    assert feeds["all"].filter == MeetingFilter()
    assert feeds["ukraine"].title == "Ukraine"
    assert feeds["ukraine"].filter == MeetingFilter(partners=["Ukraine"])
    assert feeds["ukraine"].privacy is Privacy.NO_PARTICIPANTS
    assert feeds["ukraine"].release_level is ReleaseLevel.PUBLIC

    assert len(strands) == 8
    assert len(kinds) == 7
    expected = {"all", "ukraine"} | {f"strand-{k}" for k in strands} | {f"kind-{k}" for k in kinds}
    assert set(feeds) == expected
    assert len(feeds) == 2 + 8 + 7
    for key in strands:
        feed = feeds[f"strand-{key}"]
        assert feed.filter == MeetingFilter(strands=[key])
        assert feed.privacy is Privacy.NO_PARTICIPANTS
        assert feed.release_level is ReleaseLevel.STAFF
    for key in kinds:
        feed = feeds[f"kind-{key}"]
        assert feed.filter == MeetingFilter(kinds=[key])
        assert feed.privacy is Privacy.NO_PARTICIPANTS
        assert feed.release_level is ReleaseLevel.STAFF
    assert feeds["strand-cyber"].title == "Liaison Calendar: Cyber security and defence"
    assert feeds["kind-staff-talks"].title == "Liaison Calendar: Staff talks"
    assert_fixture_untouched()


def test_upgrading_keeps_the_feed_refresh_setting(upgraded_services: Services) -> None:
    assert upgraded_services.catalog.setting("feed_refresh_minutes") == 30
    assert_fixture_untouched()


def test_upgrading_gives_every_meeting_a_distinct_positive_revision(upgraded: Path) -> None:
    revs = revisions(upgraded)

    assert len(revs) == MEETINGS_IN_FIXTURE
    assert all(rev > 0 for rev in revs.values())
    assert len(set(revs.values())) == len(revs)
    assert revs == {mid: mid for mid in revs}  # existing rows get revision = id
    # The counter starts at the highest revision handed out, so the next one is new.
    assert query(upgraded, "SELECT id, value FROM change_counter") == [(1, max(revs.values()))]
    assert trigger_names(upgraded) == TRIGGERS
    assert_fixture_untouched()


def test_an_upgraded_file_opens_again_without_another_backup_or_change(
    upgraded: Path, clock: FixedClock
) -> None:
    first = backups_beside(upgraded)
    revs = revisions(upgraded)
    feeds = feed_rows(upgraded)

    clock.advance()
    open_database(upgraded, clock).close()

    assert backups_beside(upgraded) == first
    assert len(first) == 1
    assert revision_of(upgraded) == head_revision()
    assert revisions(upgraded) == revs
    assert feed_rows(upgraded) == feeds
    assert_fixture_untouched()


def test_every_feed_of_the_upgraded_file_can_be_published(
    upgraded_services: Services, tmp_path: Path
) -> None:
    out = tmp_path / "feeds"
    out.mkdir()

    report = upgraded_services.feeds.publish(out)

    assert len(report) == 17
    assert {r.change for r in report} == {"created"}
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{r.name}.ics" for r in report)
    by_name = {r.name: r for r in report}
    assert by_name["all"].events >= MEETINGS_IN_FIXTURE - 1  # less the one restricted meeting
    assert by_name["strand-cyber"].events > 0
    assert by_name["kind-staff-talks"].events > 0
    assert_fixture_untouched()


# --- revisions kept by the triggers, through the services ------------------------------------


def test_editing_a_title_raises_that_meetings_revision_above_every_other(
    upgraded_services: Services, upgraded: Path
) -> None:
    before = revisions(upgraded)

    upgraded_services.meetings.edit(3, MeetingPatch(title="Renamed after the upgrade"))

    after = revisions(upgraded)
    assert after[3] > max(before.values())
    assert {mid: rev for mid, rev in after.items() if mid != 3} == {
        mid: rev for mid, rev in before.items() if mid != 3
    }
    assert query(upgraded, "SELECT title FROM meeting WHERE id = 3") == [
        ("Renamed after the upgrade",)
    ]
    assert_fixture_untouched()


ChildAdd = Callable[[Services, int], object]

CHILD_ADDS: dict[str, ChildAdd] = {
    "agenda item": lambda svc, mid: svc.meetings.add_agenda_item(mid, AgendaItemDraft(title="x")),
    "participant": lambda svc, mid: svc.meetings.add_participant(mid, ParticipantDraft(name="x")),
    "action item": lambda svc, mid: svc.meetings.add_action_item(mid, ActionItemDraft(text="x")),
}


@pytest.mark.parametrize("what", list(CHILD_ADDS))
def test_adding_to_a_meeting_raises_only_that_meetings_revision(
    upgraded_services: Services, upgraded: Path, what: str
) -> None:
    before = revisions(upgraded)

    CHILD_ADDS[what](upgraded_services, 7)

    after = revisions(upgraded)
    assert after[7] > max(before.values())
    assert {mid: rev for mid, rev in after.items() if mid != 7} == {
        mid: rev for mid, rev in before.items() if mid != 7
    }
    assert_fixture_untouched()


def test_each_change_draws_a_new_revision_from_the_one_counter(
    upgraded_services: Services, upgraded: Path
) -> None:
    upgraded_services.meetings.edit(3, MeetingPatch(title="First"))
    first = revisions(upgraded)[3]
    upgraded_services.meetings.add_participant(9, ParticipantDraft(name="Second"))
    second = revisions(upgraded)[9]
    upgraded_services.meetings.add_action_item(3, ActionItemDraft(text="Third"))
    third = revisions(upgraded)[3]

    assert first < second < third
    revs = revisions(upgraded)
    assert len(set(revs.values())) == len(revs)
    [(counter,)] = query(upgraded, "SELECT value FROM change_counter")
    assert counter == max(revs.values()) == third
    assert_fixture_untouched()


def test_removing_a_participant_raises_its_meetings_revision(
    upgraded_services: Services, upgraded: Path
) -> None:
    [(participant_id, meeting_id)] = query(
        upgraded, "SELECT id, meeting_id FROM participant ORDER BY id LIMIT 1"
    )
    before = revisions(upgraded)

    upgraded_services.meetings.remove_participant(participant_id)

    after = revisions(upgraded)
    assert after[meeting_id] > max(before.values())
    assert {m: r for m, r in after.items() if m != meeting_id} == {
        m: r for m, r in before.items() if m != meeting_id
    }
    assert_fixture_untouched()


def test_after_an_edit_an_export_serialises_only_the_edited_meeting_again(
    upgraded_services: Services,
) -> None:
    feeds = upgraded_services.feeds
    scope = feeds.scope_of(feeds.get("all"))
    feeds.export_to(io.BytesIO(), scope)
    assert feeds.export_to(io.BytesIO(), scope).serialised == 0

    upgraded_services.meetings.edit(3, MeetingPatch(title="Edited once"))
    assert feeds.export_to(io.BytesIO(), scope).serialised == 1

    upgraded_services.meetings.add_agenda_item(4, AgendaItemDraft(title="Added"))
    out = io.BytesIO()
    assert feeds.export_to(out, scope).serialised == 1
    assert b"Edited once" in out.getvalue()
    assert_fixture_untouched()


def _search_index_sql(path: Path) -> str:
    [(sql,)] = query(path, "SELECT sql FROM sqlite_master WHERE name = 'meeting_fts'")
    return str(sql)


def test_upgrading_rebuilds_the_search_index_with_prefix_tables_and_keeps_what_it_finds(
    old_file: Path, clock: FixedClock
) -> None:
    before = query(old_file, "SELECT rowid, title, participants FROM meeting_fts ORDER BY rowid")
    assert "prefix" not in _search_index_sql(old_file)

    svc = Services.open(old_file, clock)  # upgrades it
    try:
        found = svc.queries.search("Op")  # a two-letter prefix: read from its prefix table
        third = svc.queries.search("operational 3rd")
    finally:
        svc.close()

    assert "prefix = '1 2 3'" in _search_index_sql(old_file)
    after = query(old_file, "SELECT rowid, title, participants FROM meeting_fts ORDER BY rowid")
    assert after == before
    titles = {title for _rowid, title, _people in before if title.startswith("Operational")}
    assert {m.title for m in found} >= titles
    assert [m.title for m in third] == ["Operational cooperation talks – 3rd iteration"]


def test_downgrading_to_0004_takes_the_prefix_tables_away_and_keeps_the_index(
    upgraded: Path,
) -> None:
    before = query(upgraded, "SELECT rowid, title, agenda FROM meeting_fts ORDER BY rowid")

    migrate(upgraded, command.downgrade, "0004")

    assert "prefix" not in _search_index_sql(upgraded)
    assert query(upgraded, "SELECT rowid, title, agenda FROM meeting_fts ORDER BY rowid") == before


# --- a new calendar ----------------------------------------------------------------------------


def test_a_new_calendar_is_at_head_with_the_default_feeds(
    services: Services, db_path: Path
) -> None:
    names = [f.name for f in services.feeds.list()]

    assert revision_of(db_path) == head_revision()
    assert {"all", "strand-cyber", "kind-staff-talks"} <= set(names)
    assert len(names) == len(set(names)) == 1 + 8 + 7
    feeds = {f.name: f for f in services.feeds.list()}
    assert feeds["all"].filter == MeetingFilter()
    assert feeds["all"].title == "Liaison Calendar"
    assert feeds["strand-cyber"].filter == MeetingFilter(strands=["cyber"])
    assert feeds["kind-staff-talks"].filter == MeetingFilter(kinds=["staff-talks"])
    assert backups_beside(db_path) == []


def test_a_new_calendar_has_the_revision_triggers_and_counter(
    services: Services, db_path: Path
) -> None:
    assert trigger_names(db_path) == TRIGGERS
    assert query(db_path, "SELECT id, value FROM change_counter") == [(1, 0)]


def test_meetings_created_in_a_new_calendar_get_increasing_revisions(
    services: Services, db_path: Path
) -> None:
    first = services.meetings.create(
        MeetingDraft(title="One", start=datetime(2026, 12, 1, 10), end=datetime(2026, 12, 1, 11))
    )
    second = services.meetings.create(
        MeetingDraft(title="Two", start=datetime(2026, 12, 2, 10), end=datetime(2026, 12, 2, 11))
    )

    revs = revisions(db_path)
    assert 0 < revs[first.id] < revs[second.id]
    [(counter,)] = query(db_path, "SELECT value FROM change_counter")
    assert counter == revs[second.id]


# --- downgrading and upgrading again ---------------------------------------------------------


def test_downgrading_to_0001_removes_the_revisions_and_the_counter(upgraded: Path) -> None:
    untouched = (*CHILD_TABLES, "feed", "setting", "series", "exercise")
    kept = {t: query(upgraded, f"SELECT * FROM {t} ORDER BY 1, 2") for t in untouched}
    names = [c for c in columns(upgraded, "meeting") if c not in ("revision", "rdates")]
    meetings = meeting_rows(upgraded, names)

    migrate(upgraded, command.downgrade, "0001")

    assert revision_of(upgraded) == "0001"
    assert inspect_file(upgraded).state is FileState.OLDER
    assert "revision" not in columns(upgraded, "meeting")
    assert columns(upgraded, "meeting") == columns(FIXTURE, "meeting")
    assert "change_counter" not in table_names(upgraded)
    assert trigger_names(upgraded) == set()
    assert meeting_rows(upgraded, names) == meetings
    assert {t: query(upgraded, f"SELECT * FROM {t} ORDER BY 1, 2") for t in untouched} == kept
    # Every index (the partial unique one on uid too) is as revision 0001 made it.
    index_sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    assert query(upgraded, index_sql) == query(FIXTURE, index_sql)
    assert table_names(upgraded) == table_names(FIXTURE)
    assert_fixture_untouched()


def test_upgrading_again_after_a_downgrade_does_not_duplicate_feeds(upgraded: Path) -> None:
    feeds = feed_rows(upgraded)
    assert len(feeds) == 17

    migrate(upgraded, command.downgrade, "0001")
    migrate(upgraded, command.upgrade, "head")

    assert revision_of(upgraded) == head_revision()
    [(count, distinct)] = query(upgraded, "SELECT COUNT(*), COUNT(DISTINCT name) FROM feed")
    assert count == distinct == 17
    assert feed_rows(upgraded) == feeds
    assert feeds["all"][0] == "Everything we do"
    assert trigger_names(upgraded) == TRIGGERS
    revs = revisions(upgraded)
    assert len(revs) == MEETINGS_IN_FIXTURE
    assert len(set(revs.values())) == len(revs)
    assert all(rev > 0 for rev in revs.values())
    assert_fixture_untouched()


def test_a_file_downgraded_to_0001_is_upgraded_again_by_opening_it(
    upgraded: Path, clock: FixedClock
) -> None:
    migrate(upgraded, command.downgrade, "0001")
    clock.advance()

    svc = Services.open(upgraded, clock)
    try:
        before = revisions(upgraded)
        svc.meetings.add_agenda_item(5, AgendaItemDraft(title="After the round trip"))
        after = revisions(upgraded)
        assert after[5] > max(before.values())
        assert len(svc.feeds.list()) == 17
    finally:
        svc.close()

    assert revision_of(upgraded) == head_revision()
    assert len(backups_beside(upgraded)) == 2
    assert_fixture_untouched()
