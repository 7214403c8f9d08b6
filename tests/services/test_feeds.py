"""Export, feeds and publishing through FeedService: what every exported file must hold."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

import errno
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
import recurring_ical_events
from sqlalchemy import text

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.enums import LeadSide, Mode, Privacy, ReleaseLevel, Status
from liaison_calendar.domain.models import (
    ActionItemDraft,
    AgendaItemDraft,
    ExerciseDraft,
    FeedDraft,
    MeetingDraft,
    MeetingFilter,
    MeetingPatch,
    ParticipantDraft,
    PhaseDraft,
)
from liaison_calendar.errors import NotFoundError, ValidationError
from liaison_calendar.ical.export import busy_uid
from liaison_calendar.services.context import Services
from liaison_calendar.services.demo import seed_demo
from liaison_calendar.services.feeds import ExportScope, PublishError
from tests.conftest import NOW
from tests.icscheck import unfolded, validate

BRUSSELS = "Europe/Brussels"


def draft(**fields: Any) -> MeetingDraft:
    values: dict[str, Any] = {
        "title": "Structured Dialogue on Cyber",
        "kind": "structured-dialogue",
        "start": datetime(2024, 6, 12, 9, 30),
        "end": datetime(2024, 6, 12, 12, 0),
        "strands": ["cyber"],
        "location": "EEAS, Brussels",
    }
    values.update(fields)
    return MeetingDraft(**values)


def export(services: Services, **scope: Any) -> bytes:
    """An export, checked by the three parsers before any test looks at it."""
    data = services.feeds.export_bytes(ExportScope(**scope))
    validate(data)
    return data


def events(data: bytes) -> list[icalendar.Event]:
    return list(validate(data).walk("VEVENT"))


def by_uid(data: bytes, uid: str) -> list[icalendar.Event]:
    return [e for e in events(data) if str(e["UID"]) == uid]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    svc = Services.open(path, FixedClock(NOW))
    seed_demo(svc)
    svc.close()
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Iterator[Services]:
    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    svc = Services.open(path, FixedClock(NOW))
    yield svc
    svc.close()


# --- the file as a whole ---------------------------------------------------------------------


@pytest.mark.parametrize("privacy", list(Privacy))
def test_the_demo_calendar_passes_all_three_parsers_at_every_privacy_level(
    demo: Services, privacy: Privacy
) -> None:
    data = export(demo, privacy=privacy)
    assert len(events(data)) > 40


def test_the_header_names_the_calendar_and_its_refresh_interval(demo: Services) -> None:
    lines = unfolded(export(demo, title="EU-NATO liaison; all strands"))
    assert lines[:5] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        lines[2],
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    assert lines[2].startswith("PRODID:-//Liaison Calendar//")
    assert "NAME:EU-NATO liaison\\; all strands" in lines
    assert "X-WR-CALNAME:EU-NATO liaison\\; all strands" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert "X-PUBLISHED-TTL:PT1H" in lines
    assert lines[-1] == "END:VCALENDAR"


def test_the_refresh_interval_follows_the_setting(demo: Services) -> None:
    demo.catalog.set_setting("feed_refresh_minutes", 90)
    lines = unfolded(export(demo))
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT90M" in lines
    assert "X-PUBLISHED-TTL:PT90M" in lines


def test_every_tzid_has_a_vtimezone_and_no_time_is_floating(demo: Services) -> None:
    data = export(demo)
    cal = validate(data)
    defined = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    used = set()
    for line in unfolded(data):
        name, _, _ = line.partition(":")
        if name.split(";")[0] in ("DTSTART", "DTEND", "EXDATE", "RECURRENCE-ID"):
            params = dict(p.split("=", 1) for p in name.split(";")[1:])
            if "TZID" in params:
                used.add(params["TZID"])
            elif not line.endswith("Z"):
                in_vtimezone = "VALUE" not in params and len(line.split(":")[1]) == 15
                assert params.get("VALUE") == "DATE" or in_vtimezone, line
    assert used == defined
    assert {"Europe/Brussels", "Europe/Kyiv"} <= used
    for component in cal.walk("VTIMEZONE"):
        assert "RDATE" not in component.to_ical().decode()


def test_vtimezones_use_yearly_rules_that_agree_with_zoneinfo(demo: Services) -> None:
    from zoneinfo import ZoneInfo

    cal = validate(export(demo))
    brussels = next(c for c in cal.walk("VTIMEZONE") if c["TZID"] == BRUSSELS)
    rules = [str(o.get("RRULE").to_ical(), "ascii") for o in brussels.subcomponents]
    assert sorted(rules) == [
        "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
    ]
    tz = brussels.to_tz()
    moment = datetime(2023, 1, 1, tzinfo=UTC)
    while moment.year < 2028:
        assert (
            moment.astimezone(tz).utcoffset() == moment.astimezone(ZoneInfo(BRUSSELS)).utcoffset()
        )
        moment += timedelta(hours=13)


def test_the_same_data_gives_the_same_bytes_even_from_a_cold_start(demo: Services) -> None:
    first = export(demo)
    assert export(demo) == first
    cold = Services.open(demo.path, FixedClock(NOW + timedelta(days=30)))
    try:
        assert export(cold) == first
    finally:
        cold.close()


def test_a_meeting_app_range_query_and_recurring_ical_events_agree_2023_to_2027(
    demo: Services,
) -> None:
    cal = validate(export(demo, release_level=ReleaseLevel.RESTRICTED))
    lo, hi = datetime(2023, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    theirs = set()
    for event in recurring_ical_events.of(cal).between(lo, hi):
        start = event["DTSTART"].dt
        theirs.add((str(event["UID"]), _moment_key(start)))
    ours = {(o.meeting.uid, _moment_key(o.start)) for o in demo.queries.occurrences(lo, hi)}
    for exercise in demo.exercises.list():
        ours |= {(p.uid, _moment_key(p.start)) for p in exercise.phases if p.meeting_id is None}
    assert len(ours) > 50
    assert theirs == ours


def _moment_key(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value.isoformat()


# --- one event ----------------------------------------------------------------------------------


def test_a_timed_meeting_carries_identity_times_and_text(services: Services) -> None:
    m = services.meetings.create(
        draft(partners=["Ukraine"], description="Second iteration.\nRoadmap, status; next steps")
    )
    services.meetings.add_agenda_item(m.id, AgendaItemDraft(title="Opening", duration_min=30))
    services.meetings.add_agenda_item(
        m.id, AgendaItemDraft(title="Threat picture", lead="EU INTCEN", duration_min=60)
    )
    (event,) = by_uid(export(services), m.uid)
    assert event["DTSTART"].dt == datetime(2024, 6, 12, 9, 30, tzinfo=event["DTSTART"].dt.tzinfo)
    assert event["DTSTART"].params["TZID"] == BRUSSELS
    assert event["DTEND"].dt.astimezone(UTC) == datetime(2024, 6, 12, 10, 0, tzinfo=UTC)
    assert event["SEQUENCE"] == 0
    assert event["DTSTAMP"].dt == NOW
    assert event["CREATED"].dt == NOW
    assert event["LAST-MODIFIED"].dt == NOW
    assert event["STATUS"] == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Structured Dialogue on Cyber"
    assert str(event["LOCATION"]) == "EEAS, Brussels"
    description = str(event["DESCRIPTION"])
    assert description.startswith("Second iteration.\nRoadmap, status; next steps")
    assert "09:30–10:00  Opening (30 min)" in description
    assert "10:00–11:00  Threat picture — EU INTCEN (60 min)" in description
    categories = [str(c) for c in event["CATEGORIES"].cats]
    assert categories == ["Structured dialogue", "Cyber security and defence"]


def test_an_all_day_meeting_has_dates_and_an_exclusive_end(services: Services) -> None:
    m = services.meetings.create(
        draft(title="PACE planning conference", start=date(2024, 5, 14), end=date(2024, 5, 16))
    )
    data = export(services)
    (event,) = by_uid(data, m.uid)
    assert event["DTSTART"].dt == date(2024, 5, 14)
    assert event["DTEND"].dt == date(2024, 5, 16)
    assert "DTSTART;VALUE=DATE:20240514" in unfolded(data)


def test_the_uid_stays_and_the_sequence_grows_only_with_time_place_or_status(
    services: Services, clock: FixedClock
) -> None:
    m = services.meetings.create(draft())

    def current() -> icalendar.Event:
        (event,) = by_uid(export(services), m.uid)
        return event

    assert current()["SEQUENCE"] == 0
    clock.advance(timedelta(hours=1))
    services.meetings.edit(m.id, MeetingPatch(title="Structured Dialogue on Cyber (2nd)"))
    after_title = current()
    assert after_title["SEQUENCE"] == 0
    assert after_title["DTSTAMP"].dt == NOW + timedelta(hours=1)
    assert str(after_title["SUMMARY"]) == "Structured Dialogue on Cyber (2nd)"
    services.meetings.reschedule(m.id, datetime(2024, 6, 13, 9, 30))
    assert current()["SEQUENCE"] == 1
    services.meetings.edit(m.id, MeetingPatch(location="NATO HQ"))
    assert current()["SEQUENCE"] == 2
    services.meetings.edit(m.id, MeetingPatch(status=Status.TENTATIVE))
    event = current()
    assert event["SEQUENCE"] == 3
    assert event["STATUS"] == "TENTATIVE"
    assert str(event["UID"]) == m.uid


def test_a_cancelled_meeting_stays_as_cancelled_and_a_deleted_one_disappears(
    services: Services,
) -> None:
    kept = services.meetings.create(draft())
    gone = services.meetings.create(draft(title="Cross-briefing on Moldova", kind="cross-briefing"))
    services.meetings.cancel(kept.id)
    services.meetings.delete(gone.id)
    data = export(services)
    (event,) = by_uid(data, kept.uid)
    assert event["STATUS"] == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("Cancelled: ")
    assert gone.uid.encode() not in data
    assert b"Moldova" not in data


def test_a_recurring_meeting_has_its_rule_exdates_and_overrides(services: Services) -> None:
    m = services.meetings.create(
        draft(
            title="Cross-briefing on Ukraine",
            kind="cross-briefing",
            start=datetime(2024, 1, 18, 15, 0),
            end=datetime(2024, 1, 18, 16, 0),
            rrule="FREQ=MONTHLY;BYDAY=3TH;UNTIL=20241231T230000Z",
        )
    )
    services.meetings.skip_occurrence(m.id, datetime(2024, 4, 18, 15, 0))
    services.meetings.override_occurrence(
        m.id, datetime(2024, 7, 18, 15, 0), MeetingPatch(start=datetime(2024, 7, 19, 10, 0))
    )
    services.meetings.cancel_occurrence(m.id, datetime(2024, 10, 17, 15, 0))
    data = export(services)
    lines = unfolded(data)
    assert "RRULE:FREQ=MONTHLY;BYDAY=3TH;UNTIL=20241231T230000Z" in lines
    assert "EXDATE;TZID=Europe/Brussels:20240418T150000" in lines
    master, moved, cancelled = sorted(
        by_uid(data, m.uid),
        key=lambda e: e["RECURRENCE-ID"].dt.isoformat() if "RECURRENCE-ID" in e else "",
    )
    assert "RRULE" in master
    assert "RECURRENCE-ID;TZID=Europe/Brussels:20240718T150000" in lines
    assert "RECURRENCE-ID;TZID=Europe/Brussels:20241017T150000" in lines
    statuses = {e["RECURRENCE-ID"].dt.date(): e["STATUS"] for e in (moved, cancelled)}
    assert statuses == {date(2024, 7, 18): "CONFIRMED", date(2024, 10, 17): "CANCELLED"}
    assert all(e["SEQUENCE"] >= master["SEQUENCE"] for e in (moved, cancelled))


def test_a_local_until_is_written_in_utc(services: Services) -> None:
    m = services.meetings.create(
        draft(
            start=datetime(2024, 3, 4, 10, 0),
            end=datetime(2024, 3, 4, 11, 0),
            rrule="FREQ=WEEKLY;COUNT=3",
        )
    )
    services.meetings.edit(m.id, MeetingPatch(rrule="FREQ=WEEKLY;UNTIL=20240318T100000Z"))
    assert "RRULE:FREQ=WEEKLY;UNTIL=20240318T100000Z" in unfolded(export(services))


def test_a_start_that_its_repeat_rule_does_not_give_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError, match="does not give"):
        services.meetings.create(
            draft(
                start=datetime(2024, 1, 17, 15, 0),  # a Wednesday
                end=datetime(2024, 1, 17, 16, 0),
                rrule="FREQ=MONTHLY;BYDAY=3TH;COUNT=3",
            )
        )


def test_people_appear_only_at_full_privacy(services: Services) -> None:
    m = services.meetings.create(draft())
    services.meetings.add_participant(
        m.id,
        ParticipantDraft(name="Anna Novak", organisation="EEAS", role="co-chair", email="a@x.eu"),
    )
    services.meetings.add_participant(m.id, ParticipantDraft(name="Jan de Vries", role="expert"))
    services.meetings.add_agenda_item(m.id, AgendaItemDraft(title="Roadmap", lead="Jan de Vries"))
    (full,) = by_uid(export(services, privacy=Privacy.FULL), m.uid)
    assert str(full["ORGANIZER"]) == "mailto:a@x.eu"
    assert full["ORGANIZER"].params["CN"] == "Anna Novak"
    attendees = full["ATTENDEE"]
    assert [a.params["CN"] for a in attendees] == ["Anna Novak", "Jan de Vries"]
    assert [a.params["ROLE"] for a in attendees] == ["CHAIR", "REQ-PARTICIPANT"]
    data = export(services, privacy=Privacy.NO_PARTICIPANTS)
    (event,) = by_uid(data, m.uid)
    assert "ATTENDEE" not in event
    assert "ORGANIZER" not in event
    assert b"Anna Novak" not in data
    assert b"Jan de Vries" not in data
    assert b"a@x.eu" not in data
    assert "Roadmap" in str(event["DESCRIPTION"])


def test_a_busy_feed_keeps_only_time_status_and_the_word_busy(services: Services) -> None:
    m = services.meetings.create(draft(description="Roadmap", partners=["Georgia"]))
    data = export(services, privacy=Privacy.BUSY)
    (event,) = events(data)
    assert str(event["SUMMARY"]) == "Busy"
    assert str(event["UID"]) == busy_uid(m.uid) != m.uid
    for word in (b"Cyber", b"EEAS", b"Roadmap", b"Georgia", b"X-LIAISON", b"CATEGORIES"):
        assert word not in data
    assert event["STATUS"] == "CONFIRMED"
    assert event["DTSTART"].dt.astimezone(UTC) == datetime(2024, 6, 12, 7, 30, tzinfo=UTC)


def test_a_restricted_meeting_leaves_no_trace_in_a_staff_feed(services: Services) -> None:
    open_one = services.meetings.create(draft())
    secret = services.meetings.create(
        draft(
            title="Closed session on hybrid campaign",
            location="Room Kestrel",
            description="Attribution findings",
            release_level=ReleaseLevel.RESTRICTED,
        )
    )
    for privacy in Privacy:
        data = export(services, privacy=privacy, release_level=ReleaseLevel.STAFF)
        for trace in (
            secret.title,
            secret.location,
            "Attribution",
            secret.uid,
            busy_uid(secret.uid),
        ):
            assert trace.encode() not in data
        assert len(events(data)) == 1
    assert secret.uid.encode() in export(services, release_level=ReleaseLevel.RESTRICTED)
    public = export(services, release_level=ReleaseLevel.PUBLIC)
    assert open_one.uid.encode() not in public  # staff-level meetings stay out of public files


def test_a_restricted_override_hides_its_occurrence_instead_of_leaking(services: Services) -> None:
    m = services.meetings.create(
        draft(
            start=datetime(2024, 3, 4, 10, 0),
            end=datetime(2024, 3, 4, 11, 0),
            rrule="FREQ=WEEKLY;COUNT=3",
        )  # fmt: skip
    )
    services.meetings.override_occurrence(
        m.id,
        datetime(2024, 3, 11, 10, 0),
        MeetingPatch(location="Secure room", release_level=ReleaseLevel.RESTRICTED),
    )
    data = export(services)
    assert b"Secure room" not in data
    assert "EXDATE;TZID=Europe/Brussels:20240311T100000" in unfolded(data)
    cal = validate(data)
    starts = [e["DTSTART"].dt.date() for e in recurring_ical_events.of(cal).all()]
    assert starts == [date(2024, 3, 4), date(2024, 3, 18)]


def test_text_is_escaped_and_folded_and_reads_back_exactly(services: Services) -> None:
    title = "Дорожня карта; EU, NATO \\ Україна — 🇪🇺🇺🇦 " * 4
    m = services.meetings.create(draft(title=title.strip(), description="line one\nline two"))
    data = export(services)
    (event,) = by_uid(data, m.uid)
    assert str(event["SUMMARY"]) == title.strip()
    assert str(event["DESCRIPTION"]).startswith("line one\nline two")
    assert b"\r\n " in data  # long lines were folded
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_exercise_phases_are_events_related_to_their_exercise(services: Services) -> None:
    exercise = services.exercises.create(
        ExerciseDraft(
            name="PACE 24",
            programme="PACE 2024-2025",
            period_start=date(2024, 1, 1),
            period_end=date(2026, 1, 1),
            phases=[
                PhaseDraft(name="Execution", start=date(2024, 11, 4), end=date(2024, 11, 9)),
                PhaseDraft(
                    name="Main planning conference",
                    start=date(2024, 5, 14),
                    end=date(2024, 5, 15),
                    meeting=draft(
                        title="PACE 24 main planning conference",
                        kind="exercise-phase",
                        start=datetime(2024, 5, 14, 9, 0),
                        end=datetime(2024, 5, 14, 17, 0),
                    ),
                ),
            ],
        )
    )
    data = export(services)
    execution, conference = (exercise.phases[0], exercise.phases[1])
    (phase_event,) = by_uid(data, execution.uid)
    assert phase_event["DTSTART"].dt == date(2024, 11, 4)
    assert phase_event["DTEND"].dt == date(2024, 11, 9)
    assert str(phase_event["SUMMARY"]) == "PACE 24: Execution"
    assert str(phase_event["RELATED-TO"]) == exercise.uid
    meeting = services.meetings.get(conference.meeting_id or 0)
    (meeting_event,) = by_uid(data, meeting.uid)
    assert str(meeting_event["RELATED-TO"]) == exercise.uid
    assert conference.uid.encode() not in data.replace(b"\r\n ", b"").split(b"X-LIAISON-PHASE")[0]
    only_cyber = export(services, filter=MeetingFilter(strands=["cyber"]))
    assert execution.uid.encode() not in only_cyber


def test_our_own_properties_carry_what_a_reimport_needs(services: Services) -> None:
    m = services.meetings.create(
        draft(
            partners=["Moldova"],
            marking="EU-NATO STAFF ONLY",
            description="Plain text",
            mode=Mode.VIDEO,
            lead_side=LeadSide.NATO,
            status=Status.POSTPONED,
            release_level=ReleaseLevel.PUBLIC,
        )
    )
    services.meetings.add_agenda_item(m.id, AgendaItemDraft(title="Roadmap", duration_min=45))
    services.meetings.add_action_item(m.id, ActionItemDraft(text="Share the roadmap, v2"))
    lines = unfolded(export(services))
    for expected in (
        "X-LIAISON-KIND:structured-dialogue",
        "X-LIAISON-STRANDS:cyber",
        "X-LIAISON-PARTNERS:Moldova",
        "X-LIAISON-STATUS:postponed",
        "X-LIAISON-MODE:video",
        "X-LIAISON-LEAD:nato",
        "X-LIAISON-RELEASE:public",
        "X-LIAISON-MARKING:EU-NATO STAFF ONLY",
        "X-LIAISON-TZ:Europe/Brussels",
        "X-LIAISON-DESCRIPTION-CHARS:10",
        "X-LIAISON-AGENDA;X-DURATION=45:Roadmap",
        "X-LIAISON-ACTION;X-STATUS=open:Share the roadmap\\, v2",
        "SUMMARY:Postponed: Structured Dialogue on Cyber",
        "STATUS:TENTATIVE",
    ):
        assert expected in lines


def test_properties_that_say_the_default_are_left_out(services: Services) -> None:
    services.meetings.create(draft())
    names = {line.split(":")[0].split(";")[0] for line in unfolded(export(services))}
    for default in ("X-LIAISON-STATUS", "X-LIAISON-MODE", "X-LIAISON-LEAD", "X-LIAISON-RELEASE"):
        assert default not in names
    assert "X-LIAISON-DESCRIPTION-CHARS" not in names  # no description, nothing to mark


# --- windows and filters -------------------------------------------------------------------------


def test_a_window_keeps_only_meetings_that_happen_in_it(demo: Services) -> None:
    lo = datetime(2024, 6, 1, tzinfo=UTC)
    hi = datetime(2024, 7, 1, tzinfo=UTC)
    data = export(demo, window=(lo, hi))
    uids = {str(e["UID"]) for e in events(data)}
    expected = {o.meeting.uid for o in demo.queries.occurrences(lo, hi)}
    assert uids == expected
    assert 0 < len(uids) < 20


def test_an_unknown_strand_in_a_filter_is_an_error_not_an_empty_file(services: Services) -> None:
    with pytest.raises(ValidationError, match="Unknown work strand 'cyberr'"):
        export(services, filter=MeetingFilter(strands=["cyberr"]))


# --- feeds ---------------------------------------------------------------------------------


def test_a_new_calendar_has_an_all_feed_and_one_per_strand_and_kind(services: Services) -> None:
    names = {f.name for f in services.feeds.list()}
    strands = {f"strand-{s.key}" for s in services.catalog.strands()}
    kinds = {f"kind-{k.key}" for k in services.catalog.kinds()}
    assert names == {"all"} | strands | kinds
    assert services.feeds.get("strand-cyber").filter.strands == ["cyber"]


def test_feeds_can_be_added_and_removed(services: Services) -> None:
    feed = services.feeds.add(
        FeedDraft(
            name="ukraine-busy",
            filter=MeetingFilter(partners=["Ukraine"]),
            privacy=Privacy.BUSY,
            release_level=ReleaseLevel.PUBLIC,
        )
    )
    assert services.feeds.get("ukraine-busy") == feed
    with pytest.raises(ValidationError, match="already exists"):
        services.feeds.add(FeedDraft(name="ukraine-busy"))
    services.feeds.remove("ukraine-busy")
    with pytest.raises(NotFoundError):
        services.feeds.get("ukraine-busy")


@pytest.mark.parametrize("name", ["../evil", "a/b", "a\\b", ".hidden", "", "with space", "x" * 65])
def test_a_feed_name_that_is_not_a_plain_file_name_is_refused(
    services: Services, name: str
) -> None:
    with pytest.raises(ValidationError):
        services.feeds.add(FeedDraft(name=name))


# --- publishing ----------------------------------------------------------------------------


def test_publish_writes_every_feed_and_then_only_what_changed(
    services: Services, tmp_path: Path, clock: FixedClock
) -> None:
    cyber = services.meetings.create(draft())
    services.meetings.create(draft(title="Staff talks", kind="staff-talks", strands=["political"]))
    out = tmp_path / "feeds"
    out.mkdir()
    first = services.feeds.publish(out)
    assert {r.change for r in first} == {"created"}
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{r.name}.ics" for r in first)
    for path in out.iterdir():
        validate(path.read_bytes())
    inodes = {p.name: p.stat().st_ino for p in out.iterdir()}
    assert {r.change for r in services.feeds.publish(out)} == {"unchanged"}
    assert {p.name: p.stat().st_ino for p in out.iterdir()} == inodes
    clock.advance(timedelta(minutes=5))
    services.meetings.edit(cyber.id, MeetingPatch(location="NATO HQ"))
    changed = {r.name for r in services.feeds.publish(out) if r.change != "unchanged"}
    assert changed == {"all", "strand-cyber", "kind-structured-dialogue"}
    assert list(out.glob(".*")) == []


def test_after_one_edit_only_that_meeting_is_serialised_again(
    demo: Services, tmp_path: Path
) -> None:
    scope = ExportScope()
    first = demo.feeds.export_to(open(os.devnull, "wb"), scope)  # noqa: SIM115
    assert first.serialised == first.events - _phases(demo)
    again = demo.feeds.export_to(open(os.devnull, "wb"), scope)  # noqa: SIM115
    assert again.serialised == 0
    target = next(o.meeting for o in demo.queries.occurrences() if not o.meeting.rrule)
    demo.meetings.edit(target.id, MeetingPatch(title="Renamed"))
    after = demo.feeds.export_to(open(os.devnull, "wb"), scope)  # noqa: SIM115
    assert after.serialised == 1


def test_revisions_past_float_precision_still_serialise_only_the_edited_meeting(
    demo_file: Path, tmp_path: Path
) -> None:
    """Years of edits make revisions so big that their sum passes 2**53: a float sum then
    differed from the exact one, every edit looked like a file put back, and every feed was
    built again (27 s at 100,000 meetings)."""
    path = tmp_path / "old.db"
    shutil.copyfile(demo_file, path)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE meeting SET revision = revision + 7 * 1000000000000000 + id")
        conn.execute("UPDATE change_counter SET value = (SELECT max(revision) FROM meeting)")
        total, exact = conn.execute(
            "SELECT printf('%.0f', TOTAL(revision)), SUM(revision) FROM meeting"
        ).fetchone()
    assert int(total) != exact  # the float sum has lost the exact one
    services = Services.open(path, FixedClock(NOW))
    try:
        scope = ExportScope()
        services.feeds.export_to(open(os.devnull, "wb"), scope)  # noqa: SIM115
        target = next(o.meeting for o in services.queries.occurrences() if not o.meeting.rrule)
        services.meetings.edit(target.id, MeetingPatch(title="Renamed"))
        after = services.feeds.export_to(open(os.devnull, "wb"), scope)  # noqa: SIM115
    finally:
        services.close()
    assert after.serialised == 1


def _phases(services: Services) -> int:
    return sum(1 for ex in services.exercises.list() for p in ex.phases if p.meeting_id is None)


def test_publish_into_a_missing_folder_or_a_file_is_refused(
    services: Services, tmp_path: Path
) -> None:
    with pytest.raises(PublishError, match="does not exist"):
        services.feeds.publish(tmp_path / "nope")
    a_file = tmp_path / "file.ics"
    a_file.write_bytes(b"x")
    with pytest.raises(PublishError, match="not a folder"):
        services.feeds.publish(a_file)
    assert a_file.read_bytes() == b"x"


def _published(services: Services, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    services.meetings.create(draft())
    out = tmp_path / "feeds"
    out.mkdir()
    services.feeds.publish(out)
    return out, {p.name: p.read_bytes() for p in out.iterdir()}


def test_a_full_disk_leaves_every_published_feed_as_it_was(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = _published(services, tmp_path)
    services.meetings.create(draft(title="Operational talks", kind="operational-talks"))

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(PublishError, match="disk is full"):
        services.feeds.publish(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert list(out.glob(".*.tmp")) == []


def test_an_unwritable_folder_is_refused_and_nothing_changes(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = _published(services, tmp_path)
    services.meetings.create(draft(title="Operational talks", kind="operational-talks"))

    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", denied)
    with pytest.raises(PublishError, match="Permission denied"):
        services.feeds.publish(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_stored_feed_with_a_path_in_its_name_writes_nothing(
    services: Services, tmp_path: Path
) -> None:
    out, before = _published(services, tmp_path)
    with services.db.transaction() as session:
        session.connection().execute(
            text(
                "INSERT INTO feed (name, title, filter_json, privacy, release_level, created, "
                "modified) VALUES ('../../outside', '', '{}', 'full', 'staff', :t, :t)"
            ),
            {"t": "2026-11-25T09:00:00Z"},
        )
    services.meetings.create(draft(title="Operational talks", kind="operational-talks"))
    with pytest.raises(ValidationError, match="cannot be a feed name"):
        services.feeds.publish(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not (tmp_path.parent / "outside.ics").exists()


def test_export_to_a_file_replaces_it_atomically(services: Services, tmp_path: Path) -> None:
    services.meetings.create(draft())
    target = tmp_path / "calendar.ics"
    target.write_bytes(b"old")
    result = services.feeds.export_file(target, ExportScope())
    assert result.events == 1
    assert target.read_bytes() == export(services)
    assert result.size == target.stat().st_size


def test_a_warm_service_sees_changes_made_by_another_program(
    services: Services, db_path: Path, tmp_path: Path
) -> None:
    stays = services.meetings.create(draft(title="Stays in cyber"))
    moves = services.meetings.create(draft(title="Moves to hybrid"))
    goes = services.meetings.create(draft(title="Gets deleted"))
    out = tmp_path / "feeds"
    out.mkdir()
    services.feeds.publish(out)
    other = Services.open(db_path, FixedClock(NOW + timedelta(hours=1)))
    try:
        other.meetings.edit(moves.id, MeetingPatch(strands=["hybrid"]))
        other.meetings.delete(goes.id)
        added = other.meetings.create(draft(title="Added elsewhere"))
    finally:
        other.close()
    changed = {r.name for r in services.feeds.publish(out) if r.change != "unchanged"}
    assert {"all", "strand-cyber", "strand-hybrid"} <= changed
    cyber = {str(e["SUMMARY"]) for e in events((out / "strand-cyber.ics").read_bytes())}
    assert cyber == {stays.title, added.title}
    hybrid = {str(e["SUMMARY"]) for e in events((out / "strand-hybrid.ics").read_bytes())}
    assert hybrid == {moves.title}
    assert services.feeds.export_bytes(ExportScope()) == _cold_export(db_path)


def _cold_export(path: Path) -> bytes:
    fresh = Services.open(path, FixedClock(NOW))
    try:
        return fresh.feeds.export_bytes(ExportScope())
    finally:
        fresh.close()


# --- found in review: leaks, races and stale text --------------------------------------------


def test_a_meeting_of_a_restricted_exercise_stays_out_of_a_staff_file(services: Services) -> None:
    exercise = services.exercises.create(
        ExerciseDraft(
            name="Exercise Nightfall",
            description="Attribution scenario",
            period_start=date(2024, 1, 1),
            period_end=date(2025, 1, 1),
            release_level=ReleaseLevel.RESTRICTED,
            phases=[
                PhaseDraft(
                    name="Planning conference",
                    start=date(2024, 5, 14),
                    end=date(2024, 5, 15),
                    meeting=draft(title="Planning conference", kind="exercise-phase"),
                )
            ],
        )
    )
    for privacy in Privacy:
        data = export(services, privacy=privacy)
        for trace in ("Nightfall", "Attribution", exercise.uid, "Planning conference"):
            assert trace.encode() not in data
    assert b"Nightfall" in export(services, release_level=ReleaseLevel.RESTRICTED)


def _during_load(monkeypatch: pytest.MonkeyPatch, action: Any) -> None:
    """Run ``action`` once, from another connection, while an export loads meetings."""
    from liaison_calendar.store import queries

    original = queries.load_details
    done: list[bool] = []

    def load(session: Any, ids: Any) -> Any:
        if not done:
            done.append(True)
            action()
        return original(session, ids)

    monkeypatch.setattr(queries, "load_details", load)


def test_an_edit_saved_during_an_export_never_mixes_into_it(
    services: Services, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = services.meetings.create(draft(title="Cyber talks"))
    gone = services.meetings.create(draft(title="To be deleted"))

    def elsewhere() -> None:
        other = Services.open(db_path, FixedClock(NOW))
        try:
            other.meetings.edit(
                kept.id,
                MeetingPatch(title="Closed session", release_level=ReleaseLevel.RESTRICTED),
            )
            other.meetings.delete(gone.id)
        finally:
            other.close()

    _during_load(monkeypatch, elsewhere)
    data = export(services)
    assert b"Closed session" not in data
    assert {str(e["SUMMARY"]) for e in events(data)} == {"Cyber talks", "To be deleted"}
    after = export(services)
    assert b"Closed session" not in after
    assert b"To be deleted" not in after
    assert after == _cold_export(db_path)


def test_a_feed_that_no_longer_makes_sense_does_not_stop_the_others(
    services: Services, tmp_path: Path
) -> None:
    services.meetings.create(draft())
    services.feeds.add(FeedDraft(name="kyiv", filter=MeetingFilter(kinds=["other"])))
    with services.db.transaction() as session:
        session.connection().execute(
            text(
                "UPDATE feed SET filter_json = '{\"series\": [\"Gone series\"]}' WHERE name='kyiv'"
            )
        )
    out = tmp_path / "feeds"
    out.mkdir()
    report = {r.name: r for r in services.feeds.publish(out)}
    assert report["kyiv"].change == "failed"
    assert "Gone series" in report["kyiv"].error
    assert report["all"].change == "created"
    assert not (out / "kyiv.ics").exists()


def test_lists_are_one_property_per_value(services: Services) -> None:
    # A server that stores through vobject (Radicale) keeps only the first value of an X-
    # property holding a comma-separated list; one value per property survives it.
    services.meetings.create(
        draft(proposals=list(range(40, 75)), strands=["cyber", "hybrid"], partners=["Ukraine"])
    )
    lines = unfolded(export(services))  # export() checks every line is at most 75 octets
    assert [x for x in lines if x.startswith("X-LIAISON-PROPOSALS:")] == [
        f"X-LIAISON-PROPOSALS:{n}" for n in range(40, 75)
    ]
    assert [x for x in lines if x.startswith("X-LIAISON-STRANDS:")] == [
        "X-LIAISON-STRANDS:cyber",
        "X-LIAISON-STRANDS:hybrid",
    ]


def test_a_changed_exercise_is_written_anew_even_without_a_new_timestamp(
    services: Services, db_path: Path
) -> None:
    services.exercises.create(
        ExerciseDraft(
            name="PACE 24",
            period_start=date(2024, 1, 1),
            period_end=date(2025, 1, 1),
            phases=[
                PhaseDraft(
                    name="Main planning conference",
                    start=date(2024, 5, 14),
                    end=date(2024, 5, 15),
                    meeting=draft(title="MPC", kind="exercise-phase"),
                )
            ],
        )
    )
    export(services)
    with services.db.transaction() as session:
        session.connection().execute(text("UPDATE exercise SET name = 'PACE 25'"))
    data = export(services)
    assert b"PACE 25" in data
    assert data == _cold_export(db_path)


def test_a_new_partner_does_not_make_every_meeting_be_written_again(demo: Services) -> None:
    demo.feeds.export_bytes(ExportScope())
    demo.meetings.create(draft(partners=["Mauritania", "A partner never seen before"]))
    with open(os.devnull, "wb") as sink:
        assert demo.feeds.export_to(sink, ExportScope()).serialised == 1


def test_a_restored_backup_is_noticed_by_a_warm_service(
    services: Services, db_path: Path, tmp_path: Path
) -> None:
    import sqlite3

    services.meetings.create(draft(title="Before the backup"))
    export(services)
    saved = tmp_path / "saved.db"
    with sqlite3.connect(db_path) as src, sqlite3.connect(saved) as dst:
        src.backup(dst)
    services.meetings.create(draft(title="Lost with the restore"))
    export(services)
    with sqlite3.connect(saved) as src, sqlite3.connect(db_path) as dst:
        src.backup(dst)
    for title in ("After the restore 1", "After the restore 2"):
        services.meetings.create(draft(title=title))
    data = export(services)
    assert b"Lost with the restore" not in data
    assert data == _cold_export(db_path)


def test_a_search_filter_is_refused_for_files(services: Services) -> None:
    with pytest.raises(ValidationError, match="search"):
        services.feeds.export_bytes(ExportScope(filter=MeetingFilter(search="cyber")))


def test_an_old_meeting_whose_start_is_off_its_rule_is_written_as_the_app_shows_it(
    services: Services,
) -> None:
    m = services.meetings.create(
        draft(
            start=datetime(2024, 1, 18, 15, 0),
            end=datetime(2024, 1, 18, 16, 0),
            rrule="FREQ=MONTHLY;BYDAY=3TH;COUNT=3",
        )  # fmt: skip
    )
    with services.db.transaction() as session:  # as a calendar from before the check may hold
        session.connection().execute(
            text("UPDATE meeting SET start_utc = '2024-01-17T14:00:00Z', "
                 "end_utc = '2024-01-17T15:00:00Z' WHERE id = :id"), {"id": m.id}
        )  # fmt: skip
    cal = validate(export(services))
    theirs = sorted(e["DTSTART"].dt.date() for e in recurring_ical_events.of(cal).all())
    ours = sorted(o.start.date() for o in services.queries.occurrences())  # type: ignore[union-attr]
    assert theirs == ours == [date(2024, 1, 18), date(2024, 2, 15), date(2024, 3, 21)]


def test_an_action_item_change_moves_the_timestamp(services: Services, clock: FixedClock) -> None:
    m = services.meetings.create(draft())
    clock.advance(timedelta(hours=2))
    services.meetings.add_action_item(m.id, ActionItemDraft(text="Draft the roadmap"))
    (event,) = by_uid(export(services), m.uid)
    assert event["DTSTAMP"].dt == NOW + timedelta(hours=2)


def test_the_description_mark_counts_what_the_file_carries(services: Services) -> None:
    services.meetings.create(draft(description="Tab\there\x0bvt end", marking="STAFF ONLY"))
    lines = unfolded(export(services))
    (description,) = [line for line in lines if line.startswith("DESCRIPTION:")]
    (chars,) = [line for line in lines if line.startswith("X-LIAISON-DESCRIPTION-CHARS:")]
    value = icalendar.prop.vText.from_ical(description.split(":", 1)[1])
    assert value[: int(chars.split(":")[1])] == "Tab\therevt end"


def test_feed_names_that_differ_only_in_case_are_one_file(services: Services) -> None:
    with pytest.raises(ValidationError, match="'all' already exists"):
        services.feeds.add(FeedDraft(name="ALL"))


def test_extra_dates_are_written_as_rdate_and_readers_agree(services: Services) -> None:
    services.meetings.create(
        draft(
            start=datetime(2024, 3, 4, 10, 0),
            end=datetime(2024, 3, 4, 11, 0),
            rrule="FREQ=WEEKLY;COUNT=2",
            rdates=[datetime(2024, 3, 20, 10, 0), datetime(2024, 3, 11, 10, 0)],
        )
    )
    data = export(services)
    assert "RDATE;TZID=Europe/Brussels:20240311T100000" in unfolded(data)
    cal = validate(data)
    theirs = sorted(e["DTSTART"].dt.date() for e in recurring_ical_events.of(cal).all())
    ours = sorted(o.start.date() for o in services.queries.occurrences())  # type: ignore[union-attr]
    assert theirs == ours == [date(2024, 3, 4), date(2024, 3, 11), date(2024, 3, 20)]


def test_extra_dates_need_a_repeat_rule(services: Services) -> None:
    with pytest.raises(ValidationError, match="Extra dates need a repeat rule"):
        services.meetings.create(draft(rdates=[datetime(2024, 6, 20, 9, 30)]))


def test_publish_removes_temp_files_a_killed_publisher_left_and_keeps_a_running_ones(
    services: Services, tmp_path: Path
) -> None:
    """A publisher killed mid-write leaves its hidden temp file, as big as the feed; the next
    publish removes it, but never the temp file of another copy still writing."""
    import socket
    import subprocess
    import sys

    host = socket.gethostname().replace(".", "_")
    out = tmp_path / "feeds"
    out.mkdir()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = out / f".all.ics.{host}.{gone.pid}.x1y2.tmp"
        busy = out / f".all.ics.{host}.{running.pid}.x3y4.tmp"
        elsewhere = out / ".all.ics.another-machine.1.x5y6.tmp"
        for path in (stale, busy, elsewhere):
            path.write_bytes(b"BEGIN:VCALENDAR\r\n")

        services.feeds.publish(out)

        assert not stale.exists()
        assert busy.exists()
        assert elsewhere.exists()
        assert (out / "all.ics").read_bytes().rstrip().endswith(b"END:VCALENDAR")
    finally:
        running.kill()
        running.wait()


def test_caldav_resources_follow_every_change_though_kept_between_calls(
    services: Services,
) -> None:
    """The sync asks for every resource on every run; they are kept while nothing changed,
    and a meeting, a phase alone, its exercise or a strand's name each makes them anew."""
    met = services.meetings.create(draft(title="Cyber dialogue"))
    services.exercises.create(
        ExerciseDraft(
            name="PACE 24",
            period_start=date(2024, 1, 1),
            period_end=date(2025, 1, 1),
            phases=[PhaseDraft(name="Execution", start=date(2024, 10, 1), end=date(2024, 10, 9))],
        )
    )
    first, _ = services.feeds.resources()
    assert services.feeds.resources()[0] == first
    phase_uid = next(uid for uid in first if uid != met.uid)

    services.meetings.edit(met.id, MeetingPatch(location="Mons"))
    second, _ = services.feeds.resources()
    assert b"Mons" in second[met.uid]
    assert second[phase_uid] == first[phase_uid]

    with services.db.transaction() as session:
        session.connection().execute(text("UPDATE exercise SET name = 'PACE 25'"))
    third, _ = services.feeds.resources()
    assert b"PACE 25" in third[phase_uid]

    with services.db.transaction() as session:
        session.connection().execute(text("UPDATE strand SET name = 'Cyber' WHERE key = 'cyber'"))
    fourth, _ = services.feeds.resources()
    assert b"CATEGORIES:Structured dialogue,Cyber\r\n" in fourth[met.uid]
    third[met.uid] = b"changed by the caller"
    assert services.feeds.resources()[0][met.uid] == fourth[met.uid]
