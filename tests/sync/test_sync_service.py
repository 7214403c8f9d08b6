"""Two calendars on two desktops kept in step through one real CalDAV server.

Each test starts a real server (Radicale, and Xandikos where the behaviour must not depend on
the server) on 127.0.0.1 and opens two app databases, "ours" and "theirs", both signed in as
the same user to the same remote calendar.
"""

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import keyring
import pytest

from liaison_calendar.domain.enums import Status
from liaison_calendar.domain.models import MeetingDraft, MeetingPatch
from liaison_calendar.ical import reader
from liaison_calendar.services.context import Services
from liaison_calendar.services.sync import EmptyServerError, SyncRun
from liaison_calendar.sync import check
from liaison_calendar.sync.secrets import ENVIRONMENT
from tests.sync.keyrings import MemoryKeyring
from tests.sync.servers import CalDAVServer, FaultProxy, http_request

WINDOW = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC))


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Services, Services]]:
    ours = Services.open(tmp_path / "ours.sqlite")
    theirs = Services.open(tmp_path / "theirs.sqlite")
    yield ours, theirs
    ours.close()
    theirs.close()


def connect(svc: Services, target: CalDAVServer | FaultProxy) -> None:
    svc.sync.add_account(
        "team", target.url, target.user, target.password, calendar=target.calendar_url
    )


@pytest.fixture
def synced(
    server: CalDAVServer, pair: tuple[Services, Services]
) -> tuple[Services, Services, CalDAVServer]:
    ours, theirs = pair
    connect(ours, server)
    connect(theirs, server)
    return ours, theirs, server


def run(svc: Services, **kwargs: bool) -> SyncRun:
    (result,) = svc.sync.run(**kwargs)
    assert not result.problems, result.problems
    return result


def ok(svc: Services) -> SyncRun:
    result = run(svc)
    assert not result.error, result.error
    return result


def seen(svc: Services) -> list[tuple[str, ...]]:
    """What a user sees of the calendar: every occurrence in the window, in its zone."""
    out = []
    for occ in svc.queries.occurrences(*WINDOW):
        m = occ.meeting
        lists = ",".join(m.strands) + "/" + ",".join(m.partners)
        out.append((m.uid, m.title, str(occ.start), m.tz, str(m.status), m.location, lists))
    return sorted(out)


def meeting(title: str, day: int, **extra: object) -> MeetingDraft:
    values: dict[str, object] = {
        "title": title,
        "start": datetime(2026, 12, day, 10, 0),
        "end": datetime(2026, 12, day, 12, 0),
        "tz": "Europe/Brussels",
        # Lists of several values: Radicale keeps only the first of a comma-separated X- list.
        "strands": ["cyber", "hybrid"],
        "partners": ["Ukraine", "Republic of Moldova"],
        "location": "EEAS, Brussels",
    }
    values.update(extra)
    return MeetingDraft.model_validate(values)


def server_hrefs(server: CalDAVServer) -> list[str]:
    body = (
        b'<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop>'
        b"</d:propfind>"
    )
    answer = server.request(
        "PROPFIND", server.calendar_url, body, {"Depth": "1", "Content-Type": "application/xml"}
    )
    assert answer.status == 207, answer.body[:300]
    text = answer.body.decode()
    return sorted(h for h in _hrefs(text) if h.endswith(".ics"))


def _hrefs(text: str) -> list[str]:
    import re

    return re.findall(r"<(?:\w+:)?href>([^<]+)</(?:\w+:)?href>", text)


# --- two databases, one server ------------------------------------------------------------------


def test_create_edit_cancel_and_delete_on_either_side_arrive_on_the_other(
    synced: tuple[Services, Services, CalDAVServer],
) -> None:
    ours, theirs, server = synced
    talks = ours.meetings.create(meeting("EU-NATO Staff Talks", 3))
    dialogue = theirs.meetings.create(meeting("Structured Dialogue on Cyber, 4th", 8))
    assert ok(ours).pushed == 1
    result = ok(theirs)
    assert (result.pushed, result.pulled) == (1, 1)
    assert ok(ours).pulled == 1
    assert seen(ours) == seen(theirs)
    assert len(seen(ours)) == 2

    theirs.meetings.edit(talks.uid, MeetingPatch(location="NATO HQ, Brussels"))
    ours.meetings.cancel(dialogue.uid)
    ok(theirs)
    ok(ours)
    ok(theirs)
    assert ours.meetings.get(talks.uid).location == "NATO HQ, Brussels"
    assert theirs.meetings.get(dialogue.uid).status is Status.CANCELLED
    assert seen(ours) == seen(theirs)

    theirs.meetings.delete(talks.uid)
    result = ok(theirs)
    assert result.deleted_there == 1
    result = ok(ours)
    assert result.deleted_here == 1
    assert [s[1] for s in seen(ours)] == ["Structured Dialogue on Cyber, 4th"]
    assert seen(ours) == seen(theirs)
    assert len(server_hrefs(server)) == 1
    assert ours.sync.waiting() == []
    assert theirs.sync.waiting() == []


def test_a_series_with_a_moved_and_a_cancelled_occurrence_keeps_its_zone(
    synced: tuple[Services, Services, CalDAVServer],
) -> None:
    ours, theirs, _ = synced
    series = ours.meetings.create(
        MeetingDraft(
            title="Ukraine capacity-building coordination",
            start=datetime(2026, 12, 1, 9, 30),
            end=datetime(2026, 12, 1, 10, 30),
            tz="America/New_York",
            rrule="FREQ=WEEKLY;COUNT=8",
            strands=["capacity-building"],
            partners=["Ukraine"],
        )
    )
    ours.meetings.override_occurrence(
        series.id,
        datetime(2026, 12, 15, 9, 30),
        MeetingPatch(start=datetime(2026, 12, 16, 14, 0), end=datetime(2026, 12, 16, 15, 0)),
    )
    ours.meetings.cancel_occurrence(series.id, datetime(2026, 12, 22, 9, 30))
    ok(ours)
    assert ok(theirs).pulled == 1
    assert seen(theirs) == seen(ours)
    there = theirs.meetings.get(series.uid)
    assert there.tz == "America/New_York"
    starts = [s[2] for s in seen(theirs)]
    assert "2026-12-16 14:00:00-05:00" in starts
    assert "2026-12-15 09:30:00-05:00" not in starts
    cancelled = [s for s in seen(theirs) if s[4] == "cancelled"]
    assert [c[2] for c in cancelled] == ["2026-12-22 09:30:00-05:00"]

    # And back: the other side moves one more occurrence; the first sees it.
    theirs.meetings.override_occurrence(
        there.id, datetime(2026, 12, 29, 9, 30), MeetingPatch(location="Kyiv")
    )
    ok(theirs)
    assert ok(ours).pulled == 1
    assert seen(ours) == seen(theirs)


def test_every_write_is_conditional(server: CalDAVServer, pair: tuple[Services, Services]) -> None:
    ours, theirs = pair
    with FaultProxy(server) as proxy:
        connect(ours, proxy)
        connect(theirs, proxy)
        talks = ours.meetings.create(meeting("Staff Talks", 3))
        ok(ours)
        ok(theirs)
        ours.meetings.edit(talks.uid, MeetingPatch(title="EU-NATO Staff Talks"))
        ok(ours)
        ours.meetings.delete(talks.uid)
        ok(ours)
        puts = [{k.lower(): v for k, v in h.items()} for _, _, h, _ in proxy.requests("PUT")]
        deletes = [{k.lower(): v for k, v in h.items()} for _, _, h, _ in proxy.requests("DELETE")]
    assert len(puts) == 2
    assert len(deletes) == 1
    assert [h.get("if-none-match") for h in puts] == ["*", None]
    assert puts[1]["if-match"]
    assert deletes[0]["if-match"]


def test_the_second_sync_reads_only_what_changed_with_the_token(
    synced: tuple[Services, Services, CalDAVServer], tmp_path: Path
) -> None:
    ours, theirs, _ = synced
    for day in range(1, 11):
        ours.meetings.create(meeting(f"Cross-briefing {day}", day))
    ok(ours)
    assert ok(theirs).pulled == 10
    first = ours.meetings.get(ours.queries.search("Cross-briefing 3")[0].id)
    ours.meetings.edit(first.uid, MeetingPatch(location="Mons"))
    ok(ours)
    assert ok(theirs).pulled == 1  # not ten: the token says what changed

    # A token the server no longer knows: everything is compared, nothing lost or doubled.
    with sqlite3.connect(theirs.path) as conn:
        conn.execute("UPDATE sync_collection SET sync_token = 'http://example/sync/expired'")
    ours.meetings.edit(first.uid, MeetingPatch(location="SHAPE, Mons"))
    ok(ours)
    assert ok(theirs).pulled == 1
    assert seen(ours) == seen(theirs)
    assert len(seen(theirs)) == 10


# --- conflicts ----------------------------------------------------------------------------------


def both_edit(ours: Services, theirs: Services) -> str:
    talks = ours.meetings.create(meeting("EU-NATO Staff Talks", 3))
    ok(ours)
    ok(theirs)
    ours.meetings.edit(talks.uid, MeetingPatch(location="EEAS, Brussels, room 4"))
    theirs.meetings.edit(talks.uid, MeetingPatch(title="Staff Talks (annual)", location="NATO HQ"))
    ok(theirs)
    result = ok(ours)
    assert result.conflicts == 1
    return talks.uid


def test_edits_on_both_sides_are_a_conflict_with_both_versions_kept(
    synced: tuple[Services, Services, CalDAVServer],
) -> None:
    ours, theirs, _ = synced
    uid = both_edit(ours, theirs)
    # Mine stays here, theirs on the server; nothing was overwritten either way.
    assert ours.meetings.get(uid).location == "EEAS, Brussels, room 4"
    assert theirs.meetings.get(uid).location == "NATO HQ"
    (conflict,) = ours.sync.conflicts()
    assert conflict.uid == uid
    assert conflict.mine is not None
    assert b"room 4" in conflict.mine
    assert conflict.theirs is not None
    assert b"NATO HQ" in conflict.theirs
    fields = {f.name: (f.mine, f.theirs) for f in conflict.fields}
    assert fields["location"] == ("EEAS, Brussels, room 4", "NATO HQ")
    assert fields["title"] == ("EU-NATO Staff Talks", "Staff Talks (annual)")
    assert ours.sync.conflicted_uids() == {uid}
    # A conflict is not sent: more syncs change nothing on either side.
    ok(ours)
    ok(theirs)
    assert theirs.meetings.get(uid).location == "NATO HQ"
    assert [s.state for s in ours.sync.status()] == ["conflicts"]


@pytest.mark.parametrize("keep", ["mine", "theirs", "merge"])
def test_after_resolving_both_sides_agree(
    synced: tuple[Services, Services, CalDAVServer], keep: str
) -> None:
    ours, theirs, _ = synced
    uid = both_edit(ours, theirs)
    (conflict,) = ours.sync.conflicts()
    ours.sync.resolve(conflict.id, keep, {"title": "theirs"} if keep == "merge" else None)
    assert ours.sync.conflicts() == []
    ok(ours)
    ok(theirs)
    title, location = ours.meetings.get(uid).title, ours.meetings.get(uid).location
    expected = {
        "mine": ("EU-NATO Staff Talks", "EEAS, Brussels, room 4"),
        "theirs": ("Staff Talks (annual)", "NATO HQ"),
        "merge": ("Staff Talks (annual)", "EEAS, Brussels, room 4"),
    }[keep]
    assert (title, location) == expected
    assert seen(ours) == seen(theirs)
    assert ours.sync.waiting() == []
    assert theirs.sync.waiting() == []


def test_deleted_there_while_edited_here_is_a_conflict_too(
    synced: tuple[Services, Services, CalDAVServer],
) -> None:
    ours, theirs, server = synced
    talks = ours.meetings.create(meeting("Military Mobility dialogue", 10))
    ok(ours)
    ok(theirs)
    theirs.meetings.delete(talks.uid)
    ok(theirs)
    ours.meetings.edit(talks.uid, MeetingPatch(location="Brussels"))
    assert ok(ours).conflicts == 1
    (conflict,) = ours.sync.conflicts()
    assert conflict.theirs is None
    assert ours.meetings.get(talks.uid).location == "Brussels"  # not deleted here
    ours.sync.resolve(conflict.id, "mine")
    # Even read whole (a token the server forgot), it is not taken for deleted there again.
    with sqlite3.connect(ours.path) as conn:
        conn.execute("UPDATE sync_collection SET sync_token = NULL")
    assert ok(ours).conflicts == 0
    assert ok(theirs).pulled == 1  # it is back
    assert seen(ours) == seen(theirs)
    assert len(server_hrefs(server)) == 1


# --- failures -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 507])
def test_a_server_error_mid_sync_loses_nothing_and_the_next_sync_completes(
    server: CalDAVServer, pair: tuple[Services, Services], status: int
) -> None:
    ours, theirs = pair
    with FaultProxy(server) as proxy:
        connect(ours, proxy)
        connect(theirs, proxy)
        for day in range(1, 6):
            ours.meetings.create(meeting(f"PACE planning conference {day}", day))
        proxy.fail_next(status, methods={"PUT"}, count=1)
        first = run(ours)
        assert first.error
        if status == 507:
            assert "out of space" in first.error
        assert len(ours.sync.waiting()) == 5 - first.pushed
        assert [s.state for s in ours.sync.status()] == ["error"]
        ok(ours)
        assert ours.sync.waiting() == []
        ok(theirs)
        assert len(seen(theirs)) == 5
        assert len(server_hrefs(server)) == 5


def test_an_answer_lost_after_the_server_saved_is_not_sent_twice(
    server: CalDAVServer, pair: tuple[Services, Services]
) -> None:
    ours, theirs = pair
    with FaultProxy(server) as proxy:
        connect(ours, proxy)
        connect(theirs, proxy)
        talks = ours.meetings.create(meeting("Staff Talks", 3))
        proxy.drop_next(methods={"PUT"}, forward=True)
        assert run(ours).error  # the server has it; we never heard so
        assert len(ours.sync.waiting()) == 1
        result = ok(ours)
        assert result.conflicts == 0
        assert ours.sync.waiting() == []
        ok(theirs)
        ours.meetings.edit(talks.uid, MeetingPatch(location="Mons"))
        ok(ours)
        ok(theirs)
    assert theirs.meetings.get(talks.uid).location == "Mons"
    assert len(server_hrefs(server)) == 1


def test_a_refused_write_that_changed_nothing_there_stays_waiting(
    server: CalDAVServer, pair: tuple[Services, Services]
) -> None:
    ours, _ = pair
    with FaultProxy(server) as proxy:
        connect(ours, proxy)
        talks = ours.meetings.create(meeting("Staff Talks", 3))
        ok(ours)
        ours.meetings.edit(talks.uid, MeetingPatch(location="Mons"))
        proxy.fail_next(412, methods={"PUT"})
        (result,) = ours.sync.run()
        assert result.conflicts == 0
        assert "412" in result.problems[0]
        assert len(ours.sync.waiting()) == 1
        ok(ours)
        assert ours.sync.waiting() == []


def test_a_stopped_server_shows_offline_with_the_queue_and_catches_up_when_back(
    synced: tuple[Services, Services, CalDAVServer],
) -> None:
    ours, theirs, server = synced
    ours.meetings.create(meeting("Staff Talks", 3))
    ok(ours)
    ok(theirs)
    ours.meetings.create(meeting("Cyber dialogue", 9))
    server.stop()
    result = run(ours)
    assert result.error.startswith("Cannot reach")
    (state,) = ours.sync.status()
    assert (state.state, state.waiting) == ("offline", 1)
    assert [w.title for w in ours.sync.waiting()] == ["Cyber dialogue"]
    server.start()
    ok(ours)
    ok(theirs)
    assert seen(ours) == seen(theirs)
    assert len(seen(theirs)) == 2
    assert [s.state for s in ours.sync.status()] == ["synced"]


def test_a_calendar_that_comes_back_empty_stops_and_asks(
    synced: tuple[Services, Services, CalDAVServer],
) -> None:
    ours, _, server = synced
    for day in range(1, 4):
        ours.meetings.create(meeting(f"Cross-briefing {day}", day))
    ok(ours)
    for href in server_hrefs(server):
        server.request("DELETE", href)
    with pytest.raises(EmptyServerError) as raised:
        ours.sync.run()
    assert raised.value.meetings == 3
    assert len(seen(ours)) == 3  # nothing deleted here
    result = run(ours, accept_empty=True)
    assert result.deleted_here == 3
    assert seen(ours) == []


# --- accounts and what is sent --------------------------------------------------------------------


def test_the_password_goes_to_the_keyring_never_into_the_database(
    radicale: CalDAVServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    path = tmp_path / "team.sqlite"
    svc = Services.open(path)
    added = svc.sync.add_account("team", radicale.url, radicale.user, radicale.password)
    assert added.in_keyring
    svc.meetings.create(meeting("Staff Talks", 3))
    svc.close()
    again = Services.open(path)  # a new session of the app: the keyring has it
    assert ok(again).pushed == 1
    again.close()
    secret = radicale.password.encode()
    for file in tmp_path.glob("team.sqlite*"):
        assert secret not in file.read_bytes()


def test_without_a_keyring_the_password_comes_from_the_environment(
    radicale: CalDAVServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    path = tmp_path / "team.sqlite"
    svc = Services.open(path)
    assert not svc.sync.add_account(
        "team", radicale.url, radicale.user, radicale.password
    ).in_keyring
    svc.close()
    again = Services.open(path)
    (result,) = again.sync.run()
    assert result.error.startswith("No password")
    monkeypatch.setenv(ENVIRONMENT, radicale.password)
    assert not run(again).error
    again.close()


def test_a_wrong_password_or_a_wrong_server_keeps_no_account(
    radicale: CalDAVServer, services: Services
) -> None:
    from liaison_calendar.sync.remote import AuthError, OfflineError

    with pytest.raises(AuthError):
        services.sync.add_account("team", radicale.url, radicale.user, "wrong")
    port = radicale.url.rsplit(":", 1)[1]
    radicale.stop()
    with pytest.raises(OfflineError):
        services.sync.add_account("team", radicale.url, radicale.user, radicale.password)
    assert services.sync.accounts() == []
    assert port


def test_strands_can_go_to_a_calendar_of_their_own(
    radicale: CalDAVServer, pair: tuple[Services, Services]
) -> None:
    ours, theirs = pair
    cyber = radicale.make_calendar("cyber")
    connect(ours, radicale)
    ours.sync.route("team", cyber, strands=["cyber"])
    ours.meetings.create(meeting("Cyber dialogue", 3))
    ours.meetings.create(meeting("Mobility dialogue", 4, strands=["capabilities"]))
    ok(ours)
    in_cyber = http_request(
        cyber, "PROPFIND", b"", _auth(radicale) | {"Depth": "1", "Content-Type": "application/xml"}
    ).body
    assert in_cyber.count(b".ics<") == 1
    theirs.sync.add_account("team", radicale.url, radicale.user, radicale.password, calendar=cyber)
    ok(theirs)
    assert [s[1] for s in seen(theirs)] == ["Cyber dialogue"]


def _auth(server: CalDAVServer) -> dict[str, str]:
    from tests.sync.servers import basic_auth

    return {"Authorization": basic_auth(server.user, server.password)}


def test_what_we_upload_passes_the_feed_checks(services: Services) -> None:
    from liaison_calendar.services.demo import seed_demo

    seed_demo(services)
    resources, _ = services.feeds.resources()
    assert len(resources) > 20
    for data in resources.values():
        assert check.problems(data) == []


OTHER_EVENT = "BEGIN:VEVENT\r\nUID:other\r\nEND:VEVENT\r\n"


@pytest.mark.parametrize(
    ("mutation", "problem"),
    [
        (lambda t: t.replace("VERSION:2.0\r\n", "VERSION:2.0\r\nMETHOD:PUBLISH\r\n"), "METHOD"),
        (
            lambda t: t.replace(
                "END:VCALENDAR", "BEGIN:VEVENT\r\nUID:other\r\nEND:VEVENT\r\nEND:VCALENDAR"
            ),
            "UIDs",
        ),
        (
            lambda t: t.replace("BEGIN:VTIMEZONE", "BEGIN:X-GONE").replace(
                "END:VTIMEZONE", "END:X-GONE"
            ),
            "VTIMEZONE",
        ),
        (lambda t: t.replace("SUMMARY:Staff Talks", "SUMMARY:" + "x" * 90), "75 octets"),
        (lambda t: t.replace("\r\n", "\n"), "CRLF"),
    ],
)
def test_a_broken_resource_is_refused_before_upload(
    services: Services, mutation: object, problem: str
) -> None:
    services.meetings.create(meeting("Staff Talks", 3))
    (data,) = services.feeds.resources()[0].values()
    broken = mutation(data.decode())  # type: ignore[operator]
    assert any(problem in p for p in check.problems(broken.encode()))


def test_dates_only_meetings_round_trip(synced: tuple[Services, Services, CalDAVServer]) -> None:
    ours, theirs, _ = synced
    ours.meetings.create(
        MeetingDraft(
            title="PACE 2026 execution phase",
            start=date(2026, 12, 7),
            end=date(2026, 12, 11),
            strands=["exercises"],
        )
    )
    ok(ours)
    ok(theirs)
    assert seen(ours) == seen(theirs)


def test_the_demo_calendar_arrives_field_for_field(
    synced: tuple[Services, Services, CalDAVServer],
) -> None:
    """Everything a meeting holds survives the server: participants, agenda, actions,
    series and iterations, exercises and their phases, every zone. Both desktops then read the
    same from the resource each writes for a UID (Xandikos reorders a rule's parts, so the
    bytes may differ)."""
    from liaison_calendar.services.demo import seed_demo

    ours, theirs, _ = synced
    seed_demo(ours)
    sent = ok(ours).pushed
    assert sent > 20
    assert ok(theirs).pulled == sent
    mine, _ = ours.feeds.resources()
    there, _ = theirs.feeds.resources()
    assert sorted(mine) == sorted(there)
    vocabulary = ours.importer.vocabulary()

    def meaning(data: bytes) -> list[tuple[str, str, int, str]]:
        found = reader.read(data, default_tz="UTC", vocabulary=vocabulary)
        assert found.problems == []
        out = []
        for e in found.events:
            rule = ";".join(sorted((e.draft.rrule or "").split(";")))  # parts in any order
            draft = e.draft.model_copy(update={"rrule": rule})
            out.append((e.uid, str(e.recurrence_id), e.sequence, draft.model_dump_json()))
        return sorted(out)

    differ = [uid for uid in mine if meaning(mine[uid]) != meaning(there[uid])]
    assert differ == []
    assert [e.name for e in ours.exercises.list()] == [e.name for e in theirs.exercises.list()]
    assert ok(ours).pulled == 0  # and nothing comes back as a change


def test_a_server_stopped_in_the_middle_of_a_sync_costs_nothing(
    synced: tuple[Services, Services, CalDAVServer],
) -> None:
    ours, theirs, server = synced
    for day in range(1, 29):
        ours.meetings.create(meeting(f"Cross-briefing {day}", day))

    def stop_half_way(message: str, done: int, total: int) -> None:
        if message.startswith("Sending") and done >= 10 and server.running:
            server.stop()

    (first,) = ours.sync.run(progress=stop_half_way)
    assert first.error.startswith("Cannot reach")
    assert 10 <= first.pushed < 28
    assert len(ours.sync.waiting()) == 28 - first.pushed
    server.start()
    assert ok(ours).pushed == 28 - first.pushed
    assert ok(theirs).pulled == 28
    assert len(server_hrefs(server)) == 28
    assert seen(ours) == seen(theirs)


def test_a_keyring_that_keeps_nothing_is_not_taken_for_one(
    radicale: CalDAVServer, services: Services
) -> None:
    from keyring.backends import null

    keyring.set_keyring(null.Keyring())
    added = services.sync.add_account("team", radicale.url, radicale.user, radicale.password)
    assert not added.in_keyring


def test_routes_keep_one_main_calendar_and_ignore_a_final_slash(
    radicale: CalDAVServer, services: Services
) -> None:
    from liaison_calendar.errors import ValidationError

    cyber = radicale.make_calendar("cyber")
    connect(services, radicale)
    services.sync.route("team", cyber.rstrip("/"), strands=["cyber"])
    services.sync.route("team", cyber, strands=["cyber", "hybrid"])  # the same calendar
    main, routed = services.sync.account("team").calendars
    assert (main.main, routed.strands) == (True, ("cyber", "hybrid"))
    for args in ((), ("political",)):
        with pytest.raises(ValidationError, match="main calendar"):
            services.sync.route("team", radicale.calendar_url, strands=args)
    services.sync.route("team", cyber)  # stop using it: nothing synced there, so it goes
    (main,) = services.sync.account("team").calendars
    assert main.default
    assert not main.stopped
