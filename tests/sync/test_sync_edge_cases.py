"""Edge cases of the CalDAV sync: lost or silently overwritten edits, duplicates, sync loops.

Real servers as in test_sync_service.py (Radicale alone where the server does not matter);
"ours" and "theirs" are two desktops on one remote calendar, and "another client" writes to the
server directly, as Thunderbird or a phone would. A test marked ``xfail(strict=True)`` shows a
bug: its reason says what goes wrong; it passes once the bug is fixed (and must then lose the
mark).
"""

import contextlib
import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from liaison_calendar.domain.models import MeetingDraft, MeetingPatch
from liaison_calendar.errors import LiaisonError
from liaison_calendar.services.context import Services
from liaison_calendar.sync import remote as remote_module
from liaison_calendar.sync.secrets import ENVIRONMENT
from tests.sync.servers import CalDAVServer, FaultProxy
from tests.sync.test_sync_service import WINDOW, connect, meeting, ok, run, seen, server_hrefs

# --- helpers ------------------------------------------------------------------------------------

Desktops = tuple[Services, Services, CalDAVServer]


def put_raw(server: CalDAVServer, name: str, text: str, etag: str | None = None) -> str:
    """What another client does: PUT a resource (created, or changed if still ``etag``)."""
    href = server.calendar_url + name
    condition = {"If-Match": etag} if etag else {"If-None-Match": "*"}
    answer = server.request(
        "PUT",
        href,
        text.replace("\r\n", "\n").replace("\n", "\r\n").encode(),
        {"Content-Type": "text/calendar; charset=utf-8", **condition},
    )
    assert answer.status in (200, 201, 204), (answer.status, answer.body[:300])
    return href


def get_raw(server: CalDAVServer, href: str) -> tuple[str, str]:
    """The text and ETag of a resource on the server."""
    answer = server.request("GET", href)
    assert answer.status == 200, answer.status
    return answer.body.decode(), answer.headers.get("etag", "")


def resource_of(svc: Services, server: CalDAVServer, uid: str) -> str:
    """The full URL of the resource the sync keeps for ``uid``."""
    with sqlite3.connect(svc.path) as conn:
        rows = conn.execute("SELECT href FROM sync_item WHERE uid = ?", (uid,)).fetchall()
    assert len(rows) == 1, rows
    return server.calendar_url + str(rows[0][0]).rsplit("/", 1)[1]


def token_of(svc: Services) -> str | None:
    with sqlite3.connect(svc.path) as conn:
        (token,) = conn.execute("SELECT sync_token FROM sync_collection").fetchone()
    return None if token is None else str(token)


def hrefs_in(server: CalDAVServer, calendar: str) -> list[str]:
    body = b'<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop>'
    answer = server.request("PROPFIND", calendar, body + b"</d:propfind>", {"Depth": "1"})
    found = re.findall(r"<(?:\w+:)?href>([^<]+)</", answer.body.decode())
    return sorted(h for h in found if h.endswith(".ics"))


def series() -> MeetingDraft:
    return MeetingDraft(
        title="Ukraine capacity-building coordination",
        start=datetime(2026, 12, 1, 9, 30),
        end=datetime(2026, 12, 1, 10, 30),
        tz="Europe/Brussels",
        rrule="FREQ=WEEKLY;COUNT=6",
        strands=["capacity-building"],
        partners=["Ukraine"],
    )


def intercept(
    monkeypatch: pytest.MonkeyPatch, svc: Services, before: Callable[[int], None]
) -> None:
    """Call ``before(n)`` ahead of the n-th (from 1) rendering of ``svc``'s resources."""
    feeds = svc.sync._feeds
    real = feeds.resources
    calls = [0]

    def resources(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        before(calls[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(feeds, "resources", resources)


def _desktops(tmp_path: Path, server: CalDAVServer) -> Iterator[Desktops]:
    ours = Services.open(tmp_path / "ours.sqlite")
    theirs = Services.open(tmp_path / "theirs.sqlite")
    connect(ours, server)
    connect(theirs, server)
    yield ours, theirs, server
    ours.close()
    theirs.close()


@pytest.fixture
def two(tmp_path: Path, radicale: CalDAVServer) -> Iterator[Desktops]:
    """Two desktops on one Radicale calendar."""
    yield from _desktops(tmp_path, radicale)


@pytest.fixture
def both(tmp_path: Path, server: CalDAVServer) -> Iterator[Desktops]:
    """Two desktops on one calendar, of Radicale and of Xandikos in turn."""
    yield from _desktops(tmp_path, server)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Services, Services]]:
    """Two desktops, not yet connected (to a proxy, say)."""
    ours = Services.open(tmp_path / "ours.sqlite")
    theirs = Services.open(tmp_path / "theirs.sqlite")
    yield ours, theirs
    ours.close()
    theirs.close()


# --- a series and its changed occurrences -------------------------------------------------------


def both_change_the_series(ours: Services, theirs: Services) -> str:
    """Ours renames the series; theirs moves one of its occurrences to Kyiv."""
    made = ours.meetings.create(series())
    ok(ours)
    ok(theirs)
    theirs.meetings.override_occurrence(
        theirs.meetings.get(made.uid).id,
        datetime(2026, 12, 15, 9, 30),
        MeetingPatch(location="Kyiv"),
    )
    ours.meetings.edit(made.uid, MeetingPatch(title="UA coordination (weekly)"))
    ok(theirs)
    assert ok(ours).conflicts == 1
    return made.uid


def test_series_edited_here_while_an_occurrence_is_changed_there_is_a_conflict(
    two: Desktops,
) -> None:
    ours, theirs, _ = two
    uid = both_change_the_series(ours, theirs)
    # Nothing overwritten: our title here, their occurrence on the server.
    assert ours.meetings.get(uid).title == "UA coordination (weekly)"
    assert ours.meetings.overrides_of(uid) == []
    (conflict,) = ours.sync.conflicts()
    assert conflict.theirs is not None
    assert b"Kyiv" in conflict.theirs
    ok(theirs)
    assert [o.location for o in theirs.meetings.overrides_of(uid)] == ["Kyiv"]


def test_the_conflict_shows_an_occurrence_changed_there(two: Desktops) -> None:
    ours, theirs, _ = two
    both_change_the_series(ours, theirs)
    (conflict,) = ours.sync.conflicts()
    assert any("Kyiv" in f.theirs for f in conflict.fields)


def test_a_merge_can_take_their_occurrences_and_my_series(two: Desktops) -> None:
    ours, theirs, _ = two
    uid = both_change_the_series(ours, theirs)
    (conflict,) = ours.sync.conflicts()
    assert "occurrences" in {f.name for f in conflict.fields}
    ours.sync.resolve(conflict.id, "merge", {"occurrences": "theirs"})
    ok(ours)
    ok(theirs)
    for side in (ours, theirs):
        assert side.meetings.get(uid).title == "UA coordination (weekly)"
        assert [o.location for o in side.meetings.overrides_of(uid)] == ["Kyiv"]
    assert seen(ours) == seen(theirs)


def test_series_deleted_here_while_an_occurrence_is_changed_there(two: Desktops) -> None:
    ours, theirs, server = two
    made = ours.meetings.create(series())
    ok(ours)
    ok(theirs)
    theirs.meetings.override_occurrence(
        theirs.meetings.get(made.uid).id,
        datetime(2026, 12, 15, 9, 30),
        MeetingPatch(location="Kyiv"),
    )
    ours.meetings.delete(made.uid)
    ok(theirs)
    assert ok(ours).conflicts == 1
    assert len(server_hrefs(server)) == 1  # not deleted there
    (conflict,) = ours.sync.conflicts()
    assert conflict.mine is None
    ours.sync.resolve(conflict.id, "theirs")
    ok(ours)
    assert [o.location for o in ours.meetings.overrides_of(made.uid)] == ["Kyiv"]
    assert seen(ours) == seen(theirs)


def test_series_deleted_there_while_an_occurrence_is_changed_here(two: Desktops) -> None:
    ours, theirs, server = two
    made = ours.meetings.create(series())
    ok(ours)
    ok(theirs)
    theirs.meetings.delete(made.uid)
    ok(theirs)
    ours.meetings.override_occurrence(
        made.id, datetime(2026, 12, 15, 9, 30), MeetingPatch(location="Kyiv")
    )
    assert ok(ours).conflicts == 1
    assert [o.location for o in ours.meetings.overrides_of(made.uid)] == ["Kyiv"]
    assert server_hrefs(server) == []
    (conflict,) = ours.sync.conflicts()
    assert conflict.theirs is None
    ours.sync.resolve(conflict.id, "mine")
    ok(ours)
    ok(theirs)
    assert seen(ours) == seen(theirs)
    assert len(server_hrefs(server)) == 1


# --- edits racing the sync ----------------------------------------------------------------------


def test_an_edit_between_the_sync_render_and_its_push_stays_waiting(two: Desktops) -> None:
    ours, theirs, _ = two
    talks = ours.meetings.create(meeting("Staff Talks", 3))
    ok(ours)
    ours.meetings.edit(talks.uid, MeetingPatch(location="Mons"))

    def edit_while_sending(message: str, done: int, total: int) -> None:
        if message.startswith("Sending") and done == 0:
            ours.meetings.edit(talks.uid, MeetingPatch(location="SHAPE, Mons"))

    (result,) = ours.sync.run(progress=edit_while_sending)
    assert result.pushed == 1  # what it had rendered: "Mons"
    assert [w.change for w in ours.sync.waiting()] == ["changed"]
    ok(ours)
    ok(theirs)
    assert theirs.meetings.get(talks.uid).location == "SHAPE, Mons"


def test_an_edit_between_the_sync_render_and_applying_a_server_change_is_a_conflict(
    two: Desktops,
) -> None:
    ours, theirs, _ = two
    talks = ours.meetings.create(meeting("Staff Talks", 3))
    ok(ours)
    ok(theirs)
    theirs.meetings.edit(talks.uid, MeetingPatch(title="Staff Talks (annual)"))
    ok(theirs)

    def edit_while_fetching(message: str, done: int, total: int) -> None:
        if message.startswith("Fetching") and total:
            ours.meetings.edit(talks.uid, MeetingPatch(location="Mons"))

    (result,) = ours.sync.run(progress=edit_while_fetching)
    assert result.conflicts == 1
    assert ours.meetings.get(talks.uid).location == "Mons"


def test_an_edit_right_after_a_server_change_was_applied_is_sent(
    two: Desktops, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, theirs, _ = two
    talks = ours.meetings.create(meeting("Staff Talks", 3))
    ok(ours)
    ok(theirs)
    theirs.meetings.edit(talks.uid, MeetingPatch(title="Staff Talks (annual)"))
    ok(theirs)
    applied = []

    def progress(message: str, done: int, total: int) -> None:
        if message.startswith("Applying"):  # inside the first transaction
            applied.append(True)

    def user_edits(_: int) -> None:
        if applied:  # the first rendering after that transaction: the window
            applied.clear()
            ours.meetings.edit(talks.uid, MeetingPatch(location="Mons"))

    intercept(monkeypatch, ours, user_edits)
    (result,) = ours.sync.run(progress=progress)
    assert result.pulled == 1
    assert ours.meetings.get(talks.uid).location == "Mons"
    ok(ours)
    ok(theirs)
    assert theirs.meetings.get(talks.uid).location == "Mons"  # an edit made in that window is sent


@pytest.mark.parametrize("there", ["deleted", "edited"])
def test_a_meeting_pulled_and_changed_there_again_while_we_push(two: Desktops, there: str) -> None:
    ours, theirs, server = two
    mine = ours.meetings.create(meeting("Staff Talks", 3))
    talks = theirs.meetings.create(meeting("Cyber dialogue", 9))
    ok(theirs)

    def meanwhile(message: str, done: int, total: int) -> None:
        if message.startswith("Sending") and done == 0:
            if there == "deleted":
                theirs.meetings.delete(talks.uid)
            else:
                theirs.meetings.edit(talks.uid, MeetingPatch(location="Mons"))
            ok(theirs)

    (result,) = ours.sync.run(progress=meanwhile)
    # Pulled, then (read again after its push) deleted here or pulled once more.
    assert result.pushed == 1
    assert (result.pulled, result.deleted_here) == ((1, 1) if there == "deleted" else (2, 0))
    ok(ours)
    ok(theirs)
    assert ours.sync.conflicts() == []  # no conflict nobody made
    assert seen(ours) == seen(theirs)
    # a deletion there is not undone by sending it back as new
    assert len(server_hrefs(server)) == (1 if there == "deleted" else 2)
    assert mine.uid in {s[0] for s in seen(theirs)}


def test_a_conflict_that_changed_again_on_the_server_is_not_resolved_blind(
    two: Desktops,
) -> None:
    ours, theirs, _ = two
    talks = ours.meetings.create(meeting("EU-NATO Staff Talks", 3))
    ok(ours)
    ok(theirs)
    ours.meetings.edit(talks.uid, MeetingPatch(location="EEAS, room 4"))
    theirs.meetings.edit(talks.uid, MeetingPatch(location="NATO HQ"))
    ok(theirs)
    ok(ours)
    (shown,) = ours.sync.conflicts()  # what the user looks at (CLI: 'liaison sync conflicts')
    # Meanwhile they change it again, and a sync here (the app's, in the background) reads it.
    theirs.meetings.edit(talks.uid, MeetingPatch(title="Staff Talks: agreed agenda"))
    ok(theirs)
    ok(ours)
    with contextlib.suppress(LiaisonError):  # refusing is a fine answer too
        ours.sync.resolve(shown.id, "mine", seen=shown)
    ok(ours)
    ok(theirs)
    # Their second edit, never shown to anyone here, is still there or still in a conflict.
    kept = theirs.meetings.get(talks.uid).title == "Staff Talks: agreed agenda"
    assert kept or ours.sync.conflicts()


def test_an_edit_right_after_keeping_theirs_is_sent(
    two: Desktops, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, theirs, _ = two
    talks = ours.meetings.create(meeting("EU-NATO Staff Talks", 3))
    ok(ours)
    ok(theirs)
    ours.meetings.edit(talks.uid, MeetingPatch(location="EEAS, room 4"))
    theirs.meetings.edit(talks.uid, MeetingPatch(title="Staff Talks (annual)"))
    ok(theirs)
    ok(ours)
    (conflict,) = ours.sync.conflicts()

    def user_edits(n: int) -> None:
        if n == 2:  # resolve() rendered once in conflict(), then committed theirs
            ours.meetings.edit(talks.uid, MeetingPatch(location="Mons"))

    intercept(monkeypatch, ours, user_edits)
    ours.sync.resolve(conflict.id, "theirs")
    monkeypatch.undo()
    assert ours.meetings.get(talks.uid).location == "Mons"
    ok(ours)
    ok(theirs)
    assert theirs.meetings.get(talks.uid).location == "Mons"  # an edit made in that window is sent


@pytest.mark.parametrize("moment", ["Fetching", "Sending"])
def test_two_syncs_of_one_database_at_once(
    two: Desktops, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    ours, theirs, server = two
    monkeypatch.setenv(ENVIRONMENT, server.password)
    cli = Services.open(ours.path)  # 'liaison sync' in a shell while the app syncs
    try:
        ours.meetings.create(meeting("Staff Talks", 3))
        theirs.meetings.create(meeting("Cyber dialogue", 9))
        ok(theirs)
        ran: list[object] = []

        def other_sync(message: str, done: int, total: int) -> None:
            if message.startswith(moment) and not ran:
                ran.append(cli.sync.run())  # it may run, or say that another one does

        ours.sync.run(progress=other_sync)
        (other,) = ran[0]  # type: ignore[misc]
        assert other.error == "Another sync of this calendar is running; it goes on alone."
        ok(ours)
        ok(theirs)
        assert len(server_hrefs(server)) == 2
        assert seen(ours) == seen(theirs)
        assert ours.sync.waiting() == []
        assert ours.sync.conflicts() == []
    finally:
        cli.close()


# --- routed calendars ---------------------------------------------------------------------------


@pytest.fixture
def routed(tmp_path: Path, radicale: CalDAVServer) -> Iterator[tuple[Services, Services, str]]:
    """Two desktops, each sending "cyber" meetings to a calendar of their own."""
    cyber = radicale.make_calendar("cyber")
    for ours, theirs, _ in _desktops(tmp_path, radicale):
        for svc in (ours, theirs):
            svc.sync.route("team", cyber, strands=["cyber"])
        yield ours, theirs, cyber


def test_a_meeting_moved_here_to_another_calendar_while_edited_there(
    routed: tuple[Services, Services, str], radicale: CalDAVServer
) -> None:
    ours, theirs, cyber = routed
    talks = ours.meetings.create(meeting("Mobility dialogue", 4, strands=["capabilities"]))
    ok(ours)
    ok(theirs)
    ours.meetings.edit(talks.uid, MeetingPatch(strands=["cyber"]))  # now goes to "cyber"
    theirs.meetings.edit(talks.uid, MeetingPatch(location="NATO HQ"))
    ok(theirs)
    assert ok(ours).conflicts == 1  # in the main calendar: edited there, gone from it here
    (conflict,) = ours.sync.conflicts()
    assert conflict.theirs is not None
    assert b"NATO HQ" in conflict.theirs
    assert len(hrefs_in(radicale, radicale.calendar_url)) == 1  # their edit still there
    ours.sync.resolve(conflict.id, "theirs")
    ok(ours)
    ok(theirs)
    assert ours.meetings.get(talks.uid).location == "NATO HQ"
    assert seen(ours) == seen(theirs)
    assert len(hrefs_in(radicale, radicale.calendar_url) + hrefs_in(radicale, cyber)) == 1


def test_a_meeting_moved_there_to_another_calendar_just_moves_here(
    routed: tuple[Services, Services, str], radicale: CalDAVServer
) -> None:
    ours, theirs, cyber = routed
    talks = ours.meetings.create(meeting("Mobility dialogue", 4, strands=["capabilities"]))
    ok(ours)
    ok(theirs)
    theirs.meetings.edit(talks.uid, MeetingPatch(strands=["cyber"]))
    ok(theirs)
    assert hrefs_in(radicale, radicale.calendar_url) == []
    assert len(hrefs_in(radicale, cyber)) == 1
    result = ok(ours)
    assert (result.conflicts, result.deleted_here) == (0, 0)  # moved, not a conflict nor deleted
    assert list(ours.meetings.get(talks.uid).strands) == ["cyber"]
    assert seen(ours) == seen(theirs)


# --- the server moves or rewrites things --------------------------------------------------------


def test_a_resource_another_client_moved_to_another_href_is_followed(two: Desktops) -> None:
    ours, _, server = two
    talks = ours.meetings.create(meeting("Staff Talks", 3))
    ok(ours)
    old = resource_of(ours, server, talks.uid)
    text, _ = get_raw(server, old)
    assert server.request("DELETE", old).status in (200, 204)
    put_raw(server, "moved-by-another-client.ics", text.replace("EEAS\\, Brussels", "Mons"))
    result = ok(ours)
    assert (result.pulled, result.deleted_here) == (1, 0)
    assert ours.meetings.get(talks.uid).location == "Mons"
    assert resource_of(ours, server, talks.uid).endswith("/moved-by-another-client.ics")
    ours.meetings.edit(talks.uid, MeetingPatch(title="EU-NATO Staff Talks"))
    assert ok(ours).pushed == 1
    assert [h.rsplit("/", 1)[1] for h in server_hrefs(server)] == ["moved-by-another-client.ics"]


def test_an_update_whose_answer_was_lost_on_a_rewriting_server_is_no_conflict(
    radicale: CalDAVServer, pair: tuple[Services, Services]
) -> None:
    """Radicale stores its own serialisation of what it is sent: the next sync finds the same
    events, not the same bytes, and must take that neither for a conflict nor for a change."""
    ours, theirs = pair
    with FaultProxy(radicale) as proxy:
        connect(ours, proxy)
        connect(theirs, proxy)
        made = ours.meetings.create(series())
        ours.meetings.override_occurrence(
            made.id, datetime(2026, 12, 15, 9, 30), MeetingPatch(location="Kyiv")
        )
        ours.meetings.create(
            meeting("PACE execution phase", 7, start=date(2026, 12, 7), end=date(2026, 12, 9))
        )
        ok(ours)
        ok(theirs)
        ours.meetings.edit(made.uid, MeetingPatch(title="UA coordination (weekly)"))
        proxy.drop_next(methods={"PUT"}, forward=True)
        assert run(ours).error
        result = ok(ours)
        assert (result.conflicts, result.pushed) == (0, 0)
        assert ours.sync.waiting() == []
        ok(theirs)
        assert seen(ours) == seen(theirs)
        for svc in (ours, theirs, ours, theirs):  # and no loop, on either side
            again = ok(svc)
            assert (again.pushed, again.pulled, again.conflicts) == (0, 0, 0)


def test_a_delete_whose_answer_was_lost_is_no_conflict(
    radicale: CalDAVServer, pair: tuple[Services, Services]
) -> None:
    ours, theirs = pair
    with FaultProxy(radicale) as proxy:
        connect(ours, proxy)
        connect(theirs, proxy)
        talks = ours.meetings.create(meeting("Staff Talks", 3))
        ok(ours)
        ok(theirs)
        ours.meetings.delete(talks.uid)
        proxy.drop_next(methods={"DELETE"}, forward=True)
        assert run(ours).error
        assert ok(ours).conflicts == 0
        assert ours.sync.waiting() == []
        assert ok(theirs).deleted_here == 1
        assert server_hrefs(radicale) == []


def test_a_refused_create_with_nothing_there_stays_waiting(
    radicale: CalDAVServer, pair: tuple[Services, Services]
) -> None:
    ours, _ = pair
    with FaultProxy(radicale) as proxy:
        connect(ours, proxy)
        ours.meetings.create(meeting("Staff Talks", 3))
        proxy.fail_next(412, methods={"PUT"})
        (result,) = ours.sync.run()  # a 412 with nothing there: waiting, no crash
        assert result.conflicts == 0
        assert len(ours.sync.waiting()) == 1
        assert ok(ours).pushed == 1


def test_what_we_render_is_the_same_after_a_restart(
    radicale: CalDAVServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hash of our own text decides "changed here": text that changed from one run of the
    app to the next would send every meeting again (and conflict with every edit there)."""
    from liaison_calendar.services.demo import seed_demo

    monkeypatch.setenv(ENVIRONMENT, radicale.password)
    path = tmp_path / "ours.sqlite"
    svc = Services.open(path)
    connect(svc, radicale)
    seed_demo(svc)
    ok(svc)
    svc.close()
    again = Services.open(path)
    try:
        assert again.sync.waiting() == []
        assert ok(again).pushed == 0
    finally:
        again.close()


def test_many_changes_are_fetched_in_batches(
    both: Desktops, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, theirs, _ = both
    monkeypatch.setattr(remote_module, "MULTIGET_BATCH", 4)
    for day in range(1, 15):
        ours.meetings.create(meeting(f"Cross-briefing {day}", day))
    ok(ours)
    assert ok(theirs).pulled == 14
    for occ in ours.queries.occurrences(*WINDOW):
        if occ.meeting.start.day % 2:
            ours.meetings.edit(occ.meeting.uid, MeetingPatch(location="Mons"))
    ok(ours)
    assert ok(theirs).pulled == 7
    assert seen(ours) == seen(theirs)


def test_more_changes_than_one_multiget_takes(two: Desktops) -> None:
    ours, theirs, server = two
    count = remote_module.MULTIGET_BATCH + 5
    for n in range(count):
        ours.meetings.create(meeting(f"Cross-briefing {n}", 1 + n % 28))
    assert ok(ours).pushed == count
    assert ok(theirs).pulled == count
    assert len(server_hrefs(server)) == count
    assert ok(theirs).pulled == 0


def test_a_resource_deleted_between_listing_and_fetching_is_deleted_here(
    two: Desktops, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, theirs, server = two
    talks = ours.meetings.create(meeting("Staff Talks", 3))
    ok(ours)
    ok(theirs)
    theirs.meetings.edit(talks.uid, MeetingPatch(location="Mons"))
    ok(theirs)
    real = remote_module.Remote.fetch

    def fetch(self: remote_module.Remote, collection: str, hrefs: list[str]) -> Any:
        for href in hrefs:
            server.request("DELETE", href)  # gone while we were looking
        return real(self, collection, hrefs)

    monkeypatch.setattr(remote_module.Remote, "fetch", fetch)
    assert ok(ours).deleted_here == 1
    assert seen(ours) == []


# --- another client's events --------------------------------------------------------------------

TB_UID = "6b0f3c1e-2a8d-4c55-9e1f-thunderbird"
THUNDERBIRD = f"""BEGIN:VCALENDAR
PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN
VERSION:2.0
BEGIN:VTIMEZONE
TZID:Europe/Berlin
X-LIC-LOCATION:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
CREATED:20261101T100000Z
LAST-MODIFIED:20261101T100000Z
DTSTAMP:20261101T100000Z
UID:{TB_UID}
SUMMARY:Partner coordination
RRULE:FREQ=WEEKLY;UNTIL=20261222T090000Z
DTSTART;TZID=Europe/Berlin:20261201T100000
DTEND;TZID=Europe/Berlin:20261201T110000
LOCATION:Berlin
DESCRIPTION:Weekly call.
TRANSP:OPAQUE
CLASS:PUBLIC
X-MOZ-GENERATION:1
BEGIN:VALARM
ACTION:DISPLAY
TRIGGER;VALUE=DURATION:-PT15M
DESCRIPTION:Default Mozilla Description
END:VALARM
END:VEVENT
END:VCALENDAR
"""


def test_a_thunderbird_event_arrives_right_and_is_not_sent_back(both: Desktops) -> None:
    ours, _, server = both
    href = put_raw(server, "6b0f3c1e.ics", THUNDERBIRD)
    _, etag = get_raw(server, href)
    assert ok(ours).pulled == 1
    assert [s[2] for s in seen(ours)] == [
        "2026-12-01 10:00:00+01:00",
        "2026-12-08 10:00:00+01:00",
        "2026-12-15 10:00:00+01:00",
        "2026-12-22 10:00:00+01:00",  # UNTIL is that instant
    ]
    for _ in range(2):  # no loop: nothing of it goes back unless it is edited here
        result = ok(ours)
        assert (result.pushed, result.pulled) == (0, 0)
    assert ours.sync.waiting() == []
    assert get_raw(server, href)[1] == etag


def test_a_thunderbird_event_edited_here_keeps_its_rule(two: Desktops) -> None:
    ours, theirs, server = two
    href = put_raw(server, "6b0f3c1e.ics", THUNDERBIRD)
    ok(ours)
    ours.meetings.edit(TB_UID, MeetingPatch(location="Berlin, Bendlerblock"))
    assert ok(ours).pushed == 1
    text = get_raw(server, href)[0].replace("\r\n ", "")
    assert "Bendlerblock" in text
    assert "RRULE:FREQ=WEEKLY;UNTIL=20261222T090000Z" in text
    assert "DESCRIPTION:Weekly call." in text
    ok(theirs)
    assert len(seen(theirs)) == 4


def test_a_thunderbird_event_edited_here_keeps_its_alarm(two: Desktops) -> None:
    ours, _, server = two
    href = put_raw(server, "6b0f3c1e.ics", THUNDERBIRD)
    ok(ours)
    ours.meetings.edit(TB_UID, MeetingPatch(location="Berlin, Bendlerblock"))
    ok(ours)
    text = get_raw(server, href)[0]
    assert "BEGIN:VALARM" in text  # their reminder
    assert "-PT15M" in text  # (Radicale writes it without VALUE=DURATION)
    for kept in ("TRANSP:OPAQUE", "CLASS:PUBLIC", "X-MOZ-GENERATION:1"):
        assert kept in text
    assert "LOCATION:Berlin\\, Bendlerblock" in text  # and our edit
    assert text.count("BEGIN:VALARM") == 1
    ours.meetings.edit(TB_UID, MeetingPatch(location="Berlin"))  # a second edit: still one
    ok(ours)
    assert get_raw(server, href)[0].count("BEGIN:VALARM") == 1


def test_a_custom_time_zone_under_another_name_keeps_its_instants(
    two: Desktops,
) -> None:
    """A VTIMEZONE of its own under a TZID that is no IANA name (as Outlook-made files have),
    with the offsets of a zone that is not among the usual candidates (Asia/Kathmandu)."""
    ours, _, server = two
    put_raw(server, "nepal.ics", nepal())
    ours.sync.run()
    first = ours.queries.occurrences(*WINDOW)[0]
    assert isinstance(first.start, datetime)
    assert first.start.astimezone(UTC) == datetime(2026, 12, 1, 4, 15, tzinfo=UTC)
    assert first.meeting.tz == "Asia/Kathmandu"


def nepal(offset: str = "+0545", name: str = "Nepal Standard Time (custom)") -> str:
    text = THUNDERBIRD.replace("TZID:Europe/Berlin", f"TZID:{name}")
    text = text.replace("TZID=Europe/Berlin", f"TZID={name}")
    text = re.sub(r"TZOFFSET(FROM|TO):\+0[12]00", rf"TZOFFSET\1:{offset}", text)
    return text.replace("X-LIC-LOCATION:Europe/Berlin\n", "")


def test_a_time_zone_the_sync_cannot_read_is_said(two: Desktops) -> None:
    ours, _, server = two
    put_raw(server, "odd.ics", nepal("+0517", "Nowhere Time"))  # no zone has +05:17
    (result,) = ours.sync.run()
    assert result.pulled == 1
    assert result.problems == [
        "Partner coordination: unknown time zone 'Nowhere Time' read as Europe/Brussels."
    ]


ORPHAN = """BEGIN:VCALENDAR
PRODID:-//Example//Calendar 1.0//EN
VERSION:2.0
BEGIN:VEVENT
UID:series-of-someone-else
RECURRENCE-ID:20261208T090000Z
DTSTAMP:20261101T100000Z
DTSTART:20261208T130000Z
DTEND:20261208T140000Z
SUMMARY:One moved date of a series (an invitation to it alone)
END:VEVENT
END:VCALENDAR
"""


def test_an_occurrence_without_its_series_from_the_server_stays_in_step(two: Desktops) -> None:
    ours, _, server = two
    href = put_raw(server, "orphan.ics", ORPHAN)
    ok(ours)
    assert len(seen(ours)) == 1
    ok(ours)
    assert ours.sync.waiting() == []
    assert len(server_hrefs(server)) == 1
    assert "One moved date" in get_raw(server, href)[0]


URN_UID = "urn:uuid:5f0e2c1a-7d3b-4e8f-9a6c-2b1d0e3f4a5b"
DAILY = f"""BEGIN:VCALENDAR
PRODID:-//Example Corp.//Phone Calendar//EN
VERSION:2.0
BEGIN:VEVENT
UID:{URN_UID}
DTSTAMP:20261101T100000Z
DTSTART:20261203T080000Z
DTEND:20261203T081500Z
RRULE:FREQ=DAILY;COUNT=2
SUMMARY:Morning check-in
END:VEVENT
END:VCALENDAR
"""


def test_another_clients_event_with_a_colon_in_its_uid_is_not_deleted_or_doubled(
    both: Desktops,
) -> None:
    """RFC 4122 URNs ("urn:uuid:...") are a common form of UID."""
    ours, _, server = both
    href = put_raw(server, "phone.ics", DAILY)
    for _ in range(3):
        ok(ours)
    assert [s[0] for s in seen(ours)] == [URN_UID, URN_UID]
    assert ours.sync.waiting() == []
    assert server_hrefs(server) == [href.replace(server.url.rstrip("/"), "")]


# --- what the importer refuses ------------------------------------------------------------------

HOURLY = (
    DAILY.replace(URN_UID, "hourly-check-in")
    .replace("FREQ=DAILY;COUNT=2", "FREQ=HOURLY;COUNT=8")
    .replace("Morning check-in", "Hourly check-in")
)


def test_an_event_the_importer_refuses_is_reported_each_time_and_deletes_nothing(
    two: Desktops,
) -> None:
    ours, theirs, server = two
    talks = ours.meetings.create(meeting("Staff Talks", 3))
    ok(ours)
    ok(theirs)
    token = token_of(ours)
    href = put_raw(server, "hourly.ics", HOURLY)
    theirs.meetings.create(meeting("Cyber dialogue", 9))
    assert theirs.sync.run()[0].pushed == 1
    for _ in range(2):
        (result,) = ours.sync.run()
        assert not result.error
        assert any("FREQ=HOURLY" in p for p in result.problems), result.problems
        assert token_of(ours) == token  # all read again next time
    assert sorted(s[1] for s in seen(ours)) == ["Cyber dialogue", "Staff Talks"]
    assert ours.sync.waiting() == []
    assert "FREQ=HOURLY" in get_raw(server, href)[0]  # theirs, untouched
    ours.meetings.edit(talks.uid, MeetingPatch(location="Mons"))  # still sent meanwhile
    assert ours.sync.run()[0].pushed == 1
    theirs.sync.run()
    assert theirs.meetings.get(talks.uid).location == "Mons"
    assert len(server_hrefs(server)) == 3


def refused_there(ours: Services, server: CalDAVServer) -> tuple[str, str]:
    """Our meeting, made by another client into one the importer refuses, and edited here."""
    talks = ours.meetings.create(meeting("Staff Talks", 3))
    ok(ours)
    href = resource_of(ours, server, talks.uid)
    text, etag = get_raw(server, href)
    hourly = text.replace("\r\n ", "").replace(
        "END:VEVENT", "RRULE:FREQ=HOURLY;COUNT=3\nEND:VEVENT"
    )
    put_raw(server, href.rsplit("/", 1)[1], hourly, etag=etag)
    assert ours.sync.run()[0].problems
    ours.meetings.edit(talks.uid, MeetingPatch(location="Mons"))
    return talks.uid, href


def test_our_meeting_changed_there_into_one_the_importer_refuses_is_not_overwritten(
    two: Desktops,
) -> None:
    ours, _, server = two
    _, href = refused_there(ours, server)
    assert ours.sync.run()[0].conflicts == 1  # not pushed over theirs
    assert "FREQ=HOURLY" in get_raw(server, href)[0]


def test_the_conflict_does_not_show_an_unreadable_server_version_as_deleted(
    two: Desktops,
) -> None:
    ours, _, server = two
    refused_there(ours, server)
    ours.sync.run()
    (conflict,) = ours.sync.conflicts()
    assert conflict.theirs is not None
    assert all(f.theirs != "(deleted)" for f in conflict.fields)


VTODO = """BEGIN:VCALENDAR
PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN
VERSION:2.0
BEGIN:VTODO
UID:task-draft-the-minutes
DTSTAMP:20261101T100000Z
SUMMARY:Draft the minutes
DUE;VALUE=DATE:20261205
END:VTODO
END:VCALENDAR
"""


def test_a_task_in_the_calendar_is_left_alone_quietly(
    xandikos: CalDAVServer, pair: tuple[Services, Services]
) -> None:
    ours, _ = pair
    connect(ours, xandikos)
    ours.meetings.create(meeting("Staff Talks", 3))
    ok(ours)
    before = token_of(ours)
    put_raw(xandikos, "task.ics", VTODO)
    ok(ours)  # no "Not applied" at this sync or any later one
    assert token_of(ours) != before
    ok(ours)
    assert len(server_hrefs(xandikos)) == 2


# --- conflicts found at the first sync ----------------------------------------------------------


def test_a_first_sync_conflict_deleted_on_the_server_is_known_as_deleted(
    two: Desktops,
) -> None:
    """The same meeting on both sides before they ever synced (one invitation imported into
    this app and into another client)."""
    ours, _, server = two
    ours.meetings.create(meeting("Staff Talks", 3, uid="invitation-2026-12-03"))
    text = (
        THUNDERBIRD.replace(TB_UID, "invitation-2026-12-03")
        .replace("SUMMARY:Partner coordination", "SUMMARY:Staff Talks (their copy)")
        .replace("RRULE:FREQ=WEEKLY;UNTIL=20261222T090000Z\n", "")
    )
    href = put_raw(server, "invitation.ics", text)
    assert ok(ours).conflicts == 1
    assert server.request("DELETE", href).status in (200, 204)  # they delete their copy
    ok(ours)
    # Whatever is offered as the server's version, the server still has it.
    assert [c.theirs for c in ours.sync.conflicts()] in ([], [None])
