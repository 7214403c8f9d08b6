""".ics files as real clients write them, imported into a fresh calendar.

Each case in tests/import_cases is a small hand-written file; what it became is checked through the
services (times in UTC, zone, recurrence, occurrences, participants) and through the report
(outcome and repairs). Bad input is written to tmp_path by the tests themselves.
"""

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from liaison_calendar.domain.models import Occurrence
from liaison_calendar.ical import reader
from liaison_calendar.services.context import Services
from liaison_calendar.services.importer import (
    CalendarImportError,
    ImportItem,
    ImportOptions,
    ImportReport,
)

CASES = Path(__file__).resolve().parent.parent / "import_cases"
BRUSSELS = ZoneInfo("Europe/Brussels")
VOCABULARY = reader.Vocabulary(kinds={}, strands={})


def case(name: str) -> Path:
    path = CASES / f"{name}.ics"
    assert path.is_file(), f"missing case file {path}"
    return path


def import_case(services: Services, *names: str, **options: Any) -> ImportReport:
    return services.importer.import_files([case(n) for n in names], ImportOptions(**options))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def item(report: ImportReport, title: str) -> ImportItem:
    found = [i for i in report.items if i.title == title]
    assert len(found) == 1, [i.title for i in report.items]
    return found[0]


def outcomes(report: ImportReport) -> list[str]:
    return [i.outcome for i in report.items]


def between(services: Services, start: datetime, end: datetime) -> list[Occurrence]:
    return services.queries.occurrences(start, end)


def timed(occurrences: list[Occurrence]) -> list[tuple[str, datetime]]:
    """(title, start in UTC) of each occurrence; the UTC value also compares the instant."""
    result = []
    for o in occurrences:
        assert isinstance(o.start, datetime)
        result.append((o.meeting.title, o.start.astimezone(UTC)))
    return result


def everything(services: Services) -> list[tuple[str, str, int, str, str]]:
    """Every occurrence from 2025 to 2027, enough to tell whether the calendar changed."""
    return [
        (o.meeting.uid, o.meeting.title, o.meeting.sequence, str(o.start), str(o.end))
        for o in services.queries.occurrences(utc(2025, 1, 1), utc(2028, 1, 1))
    ]


def summary(report: ImportReport) -> list[tuple[Any, ...]]:
    return [(i.file, i.line, i.uid, i.title, i.outcome, i.reason, i.repairs) for i in report.items]


# --- time zones ----------------------------------------------------------------------------------


def test_a_tzid_with_its_vtimezone_is_read_in_that_iana_zone_on_both_sides_of_dst(
    services: Services,
) -> None:
    report = import_case(services, "tzid_with_vtimezone")

    assert outcomes(report) == ["added", "added"]
    assert report.repairs == []
    summer = services.meetings.get("kyiv-summer@example.ua")
    assert summer.tz == "Europe/Kyiv"
    assert summer.start == utc(2026, 6, 16, 7, 0)  # 10:00 EEST (+03)
    assert summer.end == utc(2026, 6, 16, 8, 30)
    assert summer.start.replace(tzinfo=None) == datetime(2026, 6, 16, 10, 0)
    assert summer.location == "Kyiv"
    winter = services.meetings.get("kyiv-winter@example.ua")
    assert winter.tz == "Europe/Kyiv"
    assert winter.start == utc(2026, 2, 10, 8, 0)  # 10:00 EET (+02)
    assert not summer.floating
    assert not winter.floating


def test_a_windows_zone_name_with_an_exchange_vtimezone_is_read_as_europe_berlin(
    services: Services,
) -> None:
    report = import_case(services, "outlook_windows_zone")

    [added] = report.items
    assert added.outcome == "added"
    assert added.repairs == []
    m = services.meetings.get(added.uid)
    assert m.title == "Capability development briefing"
    assert m.tz == "Europe/Berlin"
    assert m.start == utc(2026, 7, 2, 12, 0)  # 14:00 CEST
    assert m.end == utc(2026, 7, 2, 13, 30)
    assert m.created == utc(2026, 6, 1, 8, 15)


def test_a_windows_zone_name_without_any_vtimezone_is_read_as_europe_berlin(
    services: Services,
) -> None:
    report = import_case(services, "outlook_windows_zone_no_vtimezone")

    [added] = report.items
    assert added.repairs == []
    m = services.meetings.get(added.uid)
    assert m.tz == "Europe/Berlin"
    assert m.start == utc(2026, 12, 1, 8, 0)  # 09:00 CET
    assert m.end == utc(2026, 12, 1, 9, 0)


def test_an_exchange_customized_time_zone_is_matched_to_an_iana_zone_with_the_same_offsets(
    services: Services,
) -> None:
    # Onsets in 1601 at 03:00 and 02:00 with the EU rules: Brussels time under another name.
    report = import_case(services, "exchange_customized_zone")

    assert outcomes(report) == ["added", "added"]
    for i in report.items:
        assert i.repairs == ["time zone 'Customized Time Zone' read as Europe/Brussels"]
    summer = services.meetings.get("customized-cet@example.eu")
    assert summer.tz == "Europe/Brussels"
    assert summer.start == utc(2026, 4, 15, 7, 30)  # 09:30 CEST
    assert summer.end == utc(2026, 4, 15, 9, 0)
    winter = services.meetings.get("customized-cet-winter@example.eu")
    assert winter.tz == "Europe/Brussels"
    assert winter.start == utc(2026, 12, 2, 8, 30)  # 09:30 CET


def test_a_custom_time_zone_far_from_the_usual_ones_is_matched_among_all_zones(
    services: Services,
) -> None:
    # Outlook's "Customized Time Zone" at +05:45: Asia/Kathmandu's offsets, which none of the
    # usual candidates has.
    report = import_case(services, "outlook_custom_zone_far_from_europe")

    [added] = report.items
    assert added.repairs == ["time zone 'Customized Time Zone' read as Asia/Kathmandu"]
    m = services.meetings.get("custom-nepal@example.np")
    assert m.tz == "Asia/Kathmandu"
    assert m.start == utc(2026, 12, 3, 4, 15)  # 10:00 at +05:45


def test_two_customized_time_zones_with_the_same_tzid_are_each_read_in_their_own_offsets(
    services: Services,
) -> None:
    # Two Outlook exports in one file, each with its own "Customized Time Zone": CET, then EET.
    report = import_case(services, "exchange_customized_zone_two_calendars")

    assert item(report, "Staff talks (Kyiv office)").repairs == [
        "time zone 'Customized Time Zone' read as Europe/Kyiv"
    ]
    cet = services.meetings.get("customized-cet@example.eu")
    assert (cet.tz, cet.start) == ("Europe/Brussels", utc(2026, 4, 15, 7, 30))  # 09:30 CEST
    eet = services.meetings.get("customized-eet@example.ua")
    assert eet.tz == "Europe/Kyiv"
    assert eet.start == utc(2026, 4, 15, 6, 30)  # 09:30 EEST, not 10:30


def test_google_utc_times_take_the_calendar_zone_and_keep_their_instant(
    services: Services,
) -> None:
    report = import_case(services, "google_utc_with_calendar_zone")

    [added] = report.items
    assert added.outcome == "added"
    assert added.repairs == []
    m = services.meetings.get("3k9v0c1l2m3n4o5p6q7r8s9t0u@google.com")
    assert m.tz == "Europe/Kyiv"
    assert m.start == utc(2026, 5, 20, 7, 0)
    assert m.end == utc(2026, 5, 20, 8, 30)
    assert m.start.replace(tzinfo=None) == datetime(2026, 5, 20, 10, 0)  # shown in Kyiv
    assert not m.floating
    assert m.created == utc(2026, 3, 1, 8, 0)
    assert m.modified == utc(2026, 3, 15, 9, 0)


@pytest.mark.parametrize(
    ("name", "uid", "tz", "start"),
    [
        ("floating_times", "floating-default@example.eu", "Europe/Brussels", utc(2026, 11, 10, 9)),
        (
            "floating_times_in_calendar_zone",
            "floating-kyiv@example.ua",
            "Europe/Kyiv",
            utc(2026, 11, 10, 8),
        ),
    ],
    ids=["default-zone", "x-wr-timezone"],
)
def test_floating_times_are_read_in_the_calendar_or_default_zone_and_marked_floating(
    services: Services, name: str, uid: str, tz: str, start: datetime
) -> None:
    report = import_case(services, name)

    [added] = report.items
    assert added.repairs == [f"floating time read in {tz}"]
    m = services.meetings.get(uid)
    assert m.floating is True
    assert m.tz == tz
    assert m.start == start
    assert m.start.replace(tzinfo=None) == datetime(2026, 11, 10, 10, 0)
    assert m.end == start.replace(hour=start.hour + 1)


# --- all-day, lengths --------------------------------------------------------------------------


def test_an_all_day_event_becomes_an_all_day_meeting_with_an_exclusive_end_date(
    services: Services,
) -> None:
    report = import_case(services, "all_day")

    assert outcomes(report) == ["added"]
    assert report.repairs == []
    m = services.meetings.get("all-day-conference@example.eu")
    assert m.all_day is True
    assert (m.start, m.end) == (date(2026, 9, 14), date(2026, 9, 16))
    second_day = between(
        services, datetime(2026, 9, 15, tzinfo=BRUSSELS), datetime(2026, 9, 16, tzinfo=BRUSSELS)
    )
    day_after = between(
        services, datetime(2026, 9, 16, tzinfo=BRUSSELS), datetime(2026, 9, 17, tzinfo=BRUSSELS)
    )
    assert [o.meeting.title for o in second_day] == ["Joint exercise planning conference"]
    assert day_after == []


def test_an_all_day_event_whose_end_equals_its_start_lasts_one_day_and_is_reported(
    services: Services,
) -> None:
    report = import_case(services, "all_day_end_equals_start")

    [added] = report.items
    assert added.outcome == "added"
    assert added.repairs == ["all-day DTEND equal to DTSTART: one day long"]
    m = services.meetings.get("all-day-zero-length@example.eu")
    assert m.all_day is True
    assert (m.start, m.end) == (date(2026, 10, 1), date(2026, 10, 2))


def test_duration_instead_of_dtend_gives_the_end_for_timed_and_all_day_events(
    services: Services,
) -> None:
    report = import_case(services, "duration_instead_of_dtend")

    assert outcomes(report) == ["added", "added"]
    assert report.repairs == []
    timed_meeting = services.meetings.get("duration-timed@example.eu")
    assert timed_meeting.start == utc(2026, 11, 5, 13, 0)
    assert timed_meeting.end == utc(2026, 11, 5, 14, 30)
    workshop = services.meetings.get("duration-all-day@example.eu")
    assert workshop.all_day is True
    assert (workshop.start, workshop.end) == (date(2026, 11, 9), date(2026, 11, 11))


def test_an_end_before_the_start_is_replaced_by_the_default_hour_and_reported(
    services: Services,
) -> None:
    report = import_case(services, "dtend_before_dtstart")

    [added] = report.items
    assert added.outcome == "added"
    assert added.repairs == ["DTEND before DTSTART: given the default length"]
    m = services.meetings.get("backwards@example.eu")
    assert m.start == utc(2026, 11, 6, 14, 0)
    assert m.end == utc(2026, 11, 6, 15, 0)


# --- recurrence ----------------------------------------------------------------------------------


def test_a_weekly_rule_with_count_and_exdates_skips_the_excluded_weeks_across_dst(
    services: Services,
) -> None:
    report = import_case(services, "weekly_count_exdate")

    assert outcomes(report) == ["added"]
    m = services.meetings.get("weekly-count@example.eu")
    assert m.rrule == "FREQ=WEEKLY;COUNT=6"
    # One EXDATE with TZID, one in UTC: both land on an occurrence of the rule.
    assert m.exdates == (utc(2026, 10, 19, 8, 0), utc(2026, 11, 2, 9, 0))
    occurrences = between(services, utc(2026, 9, 1), utc(2027, 1, 1))
    assert timed(occurrences) == [
        ("Weekly cyber coordination", utc(2026, 10, 5, 8, 0)),
        ("Weekly cyber coordination", utc(2026, 10, 12, 8, 0)),
        ("Weekly cyber coordination", utc(2026, 10, 26, 9, 0)),  # after the clocks went back
        ("Weekly cyber coordination", utc(2026, 11, 9, 9, 0)),
    ]
    walls = {o.start.time() for o in occurrences if isinstance(o.start, datetime)}
    assert walls == {time(10, 0)}  # 10:00 in Brussels every week


def test_a_recurrence_id_override_moves_its_occurrence_whatever_the_file_order(
    services: Services,
) -> None:
    # The override comes first in the file, before its series.
    report = import_case(services, "recurrence_id_override")

    assert outcomes(report) == ["added", "added"]
    assert report.repairs == []
    master = services.meetings.get("weekly-sync@example.eu")
    assert master.rrule == "FREQ=WEEKLY;COUNT=4"
    assert master.start == utc(2026, 12, 1, 9, 0)
    december = between(services, utc(2026, 11, 30), utc(2027, 1, 1))
    assert timed(december) == [
        ("Weekly EU-NATO staff sync", utc(2026, 12, 1, 9, 0)),
        ("Weekly EU-NATO staff sync (moved)", utc(2026, 12, 9, 14, 0)),
        ("Weekly EU-NATO staff sync", utc(2026, 12, 15, 9, 0)),
        ("Weekly EU-NATO staff sync", utc(2026, 12, 22, 9, 0)),
    ]
    moved = december[1]
    assert moved.meeting.master_id == master.id
    assert moved.recurrence_id == utc(2026, 12, 8, 9, 0)


def test_importing_a_series_with_an_override_again_changes_nothing(services: Services) -> None:
    import_case(services, "recurrence_id_override")
    before = everything(services)

    again = import_case(services, "recurrence_id_override")

    assert outcomes(again) == ["unchanged", "unchanged"]
    assert everything(services) == before


def test_an_override_whose_series_is_missing_is_kept_alone_and_reported(
    services: Services,
) -> None:
    report = import_case(services, "override_without_master")

    [added] = report.items
    assert added.outcome == "added"
    assert added.repairs == ["a changed occurrence whose series is missing: kept alone"]
    m = services.meetings.get("orphan-occurrence@example.eu")
    assert m.title == "Moved occurrence of a series not in this file"
    assert m.rrule is None
    assert m.master_id is None
    assert m.recurrence_id == utc(2026, 12, 8, 9, 0)  # kept, so that its series can adopt it
    assert (m.start, m.end) == (utc(2026, 12, 8, 10, 0), utc(2026, 12, 8, 11, 0))
    assert timed(between(services, utc(2026, 12, 1), utc(2027, 1, 1))) == [
        ("Moved occurrence of a series not in this file", utc(2026, 12, 8, 10, 0))
    ]


def test_a_series_imported_after_its_orphaned_occurrence_is_not_lost(services: Services) -> None:
    import_case(services, "override_without_master")

    report = import_case(services, "master_after_orphan")

    assert outcomes(report) in (["added"], ["updated"])
    master = services.meetings.get("orphan-occurrence@example.eu")
    assert master.rrule == "FREQ=WEEKLY;COUNT=4"
    december = timed(between(services, utc(2026, 11, 30), utc(2027, 1, 1)))
    days = [start.date() for _, start in december]
    assert days == [date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15), date(2026, 12, 22)]


def test_a_date_until_on_a_timed_start_is_read_as_the_end_of_that_day(
    services: Services,
) -> None:
    report = import_case(services, "google_date_until")

    [added] = report.items
    assert added.outcome == "added"
    assert added.repairs == ["DATE UNTIL on a timed start: read as the end of that day"]
    m = services.meetings.get("date-until@google.com")
    assert m.rrule is not None
    assert "UNTIL=20260928T215959Z" in m.rrule  # 23:59:59 in Brussels (CEST)
    occurrences = between(services, utc(2026, 9, 1), utc(2027, 1, 1))
    assert timed(occurrences) == [
        ("Monday operational talks", utc(2026, 9, 7, 7, 0)),
        ("Monday operational talks", utc(2026, 9, 14, 7, 0)),
        ("Monday operational talks", utc(2026, 9, 21, 7, 0)),
        ("Monday operational talks", utc(2026, 9, 28, 7, 0)),  # the UNTIL day itself
    ]


def test_a_date_time_until_on_an_all_day_start_is_accepted_and_reported(
    services: Services,
) -> None:
    report = import_case(services, "all_day_datetime_until")

    [added] = report.items
    assert added.outcome == "added"
    assert any("UNTIL" in r for r in added.repairs)
    occurrences = between(services, utc(2026, 10, 1), utc(2027, 1, 1))
    assert [o.start for o in occurrences] == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]


def test_rdate_dates_are_occurrences_too(services: Services) -> None:
    report = import_case(services, "rdate")

    assert item(report, "Monthly review with an extra date").repairs == []
    assert item(report, "Meeting repeated by RDATE only").repairs == [
        "RDATE without RRULE: kept as extra dates of a one-time rule"
    ]
    assert services.meetings.get("monthly-with-rdate@example.eu").rrule == "FREQ=MONTHLY;COUNT=2"
    assert services.meetings.get("rdate-only@example.eu").rrule == "FREQ=DAILY;COUNT=1"
    assert timed(between(services, utc(2026, 10, 1), utc(2027, 1, 1))) == [
        ("Monthly review with an extra date", utc(2026, 11, 2, 9, 0)),
        ("Meeting repeated by RDATE only", utc(2026, 11, 3, 9, 0)),
        ("Meeting repeated by RDATE only", utc(2026, 11, 17, 9, 0)),
        ("Monthly review with an extra date", utc(2026, 11, 20, 9, 0)),
        ("Meeting repeated by RDATE only", utc(2026, 12, 1, 9, 0)),
        ("Monthly review with an extra date", utc(2026, 12, 2, 9, 0)),
    ]


# --- file shapes ---------------------------------------------------------------------------------


def test_every_vcalendar_of_a_file_is_imported_with_its_own_zones(services: Services) -> None:
    report = import_case(services, "several_calendars")

    assert outcomes(report) == ["added", "added", "added"]
    first = services.meetings.get("first-calendar@example.ua")
    assert (first.tz, first.start) == ("Europe/Kyiv", utc(2026, 9, 3, 7, 0))
    # The first calendar's X-WR-TIMEZONE does not leak into the second.
    second = services.meetings.get("second-calendar-utc@example.eu")
    assert (second.tz, second.start) == ("Europe/Brussels", utc(2026, 9, 4, 7, 0))
    tbilisi = services.meetings.get("second-calendar-tbilisi@example.ge")
    assert (tbilisi.tz, tbilisi.start) == ("Asia/Tbilisi", utc(2026, 9, 5, 8, 0))


def test_a_utf8_byte_order_mark_is_skipped_and_the_text_read_as_utf8(services: Services) -> None:
    assert case("utf8_bom").read_bytes().startswith(b"\xef\xbb\xbfBEGIN:VCALENDAR")

    report = import_case(services, "utf8_bom")

    assert outcomes(report) == ["added"]
    m = services.meetings.get("bom@example.md")
    assert m.title == "Réunion de coordination – Chișinău"
    assert m.location == "Chișinău"
    assert (m.tz, m.start) == ("Europe/Chisinau", utc(2026, 10, 15, 7, 0))


def test_a_file_with_bare_line_feeds_is_read_and_its_folded_lines_joined(
    services: Services,
) -> None:
    assert b"\r" not in case("lf_line_endings").read_bytes()

    report = import_case(services, "lf_line_endings")

    assert outcomes(report) == ["added"]
    m = services.meetings.get("lf-only@example.eu")
    assert m.title == "Staff talks written with bare line feeds"
    assert m.description == (
        "First line of a long description that a client folded at seventy-five octets.\n"
        "Second line."
    )
    assert m.start == utc(2026, 10, 20, 8, 0)


def test_empty_properties_give_empty_fields_and_an_empty_summary_a_placeholder_title(
    services: Services,
) -> None:
    report = import_case(services, "empty_properties")

    [added] = report.items
    assert added.outcome == "added"
    assert added.repairs == ["no SUMMARY: titled '(no title)'"]  # no "categories kept" note
    m = services.meetings.get("empty-properties@example.eu")
    assert m.title == "(no title)"
    assert m.location == ""
    assert m.description == ""
    assert m.kind == "other"
    assert m.strands == ()


def test_alarms_are_ignored_and_do_not_leak_into_the_meeting(services: Services) -> None:
    report = import_case(services, "valarm")

    assert outcomes(report) == ["added"]
    assert report.repairs == []
    m = services.meetings.get("with-alarms@example.eu")
    assert m.title == "Meeting with reminders"
    assert m.description == "Agenda to follow."
    assert m.participants == ()  # the EMAIL alarm's ATTENDEE is not a participant
    assert (m.start, m.end) == (utc(2026, 10, 22, 8, 0), utc(2026, 10, 22, 9, 0))


# --- people and vocabulary -----------------------------------------------------------------------


def test_attendees_become_participants_with_names_emails_and_the_chair_role(
    services: Services,
) -> None:
    import_case(services, "attendees_organizer")

    m = services.meetings.get("with-attendees@example.eu")
    people = [(p.name, p.email, p.role) for p in m.participants]
    assert people == [
        ("Col. Anna Kovalenko", "anna.kovalenko@example.ua", "chair"),
        ("Dubois, Pierre (EEAS)", "pierre.dubois@example.eu", ""),  # listed twice, kept once
        ("duty.officer@example.int", "duty.officer@example.int", ""),  # no CN: named by email
    ]


def test_an_organizer_alone_becomes_the_only_participant(services: Services) -> None:
    import_case(services, "attendees_organizer")

    m = services.meetings.get("organizer-only@example.eu")
    assert [(p.name, p.email) for p in m.participants] == [("Jan Novak", "jan.novak@example.eu")]


def test_an_organizer_missing_from_the_attendees_is_kept_as_a_participant(
    services: Services,
) -> None:
    import_case(services, "attendees_organizer")

    m = services.meetings.get("outlook-organizer@example.eu")
    assert {(p.name, p.email) for p in m.participants} == {
        ("Maria Rossi", "maria.rossi@example.eu"),
        ("Ion Popescu", "ion.popescu@example.md"),
    }


def test_categories_map_to_kind_and_strands_and_unknown_ones_are_kept_and_reported(
    services: Services,
) -> None:
    report = import_case(services, "categories")

    [added] = report.items
    assert added.repairs == ["categories kept in the description: Liaison visit"]
    m = services.meetings.get("categories@example.eu")
    assert m.kind == "staff-talks"  # "staff talks": names match whatever their case
    assert m.strands == ("cyber", "hybrid")  # by name and by key
    assert m.description == "Prepared by the cyber desk.\n\nCategories: Liaison visit"


# --- identity and updates ------------------------------------------------------------------------


def test_events_without_uid_get_deterministic_uids_and_a_second_import_adds_nothing(
    services: Services,
) -> None:
    first = import_case(services, "missing_uid")

    uids = [i.uid for i in first.items]
    assert outcomes(first) == ["added", "added"]
    assert all(u.startswith("import-") for u in uids)
    assert len(set(uids)) == 2
    for i in first.items:
        assert i.repairs == [f"no UID: gave it {i.uid}"]
    before = everything(services)
    assert len(before) == 2

    second = import_case(services, "missing_uid")

    assert outcomes(second) == ["unchanged", "unchanged"]
    assert [i.uid for i in second.items] == uids
    assert everything(services) == before


def test_the_uid_given_to_an_event_without_one_does_not_depend_on_its_dtstamp() -> None:
    data = case("missing_uid").read_bytes()
    restamped = data.replace(b"DTSTAMP:20260801T080000Z", b"DTSTAMP:20261124T170000Z")
    assert restamped != data

    first = reader.read(data, default_tz="Europe/Brussels", vocabulary=VOCABULARY)
    again = reader.read(restamped, default_tz="Europe/Brussels", vocabulary=VOCABULARY)

    assert [e.uid for e in first.events] == [e.uid for e in again.events]


def test_a_higher_sequence_updates_and_an_older_copy_at_the_same_sequence_does_not(
    services: Services,
) -> None:
    assert outcomes(import_case(services, "update_v1")) == ["added"]
    assert services.meetings.get("update-me@example.eu").title == "Staff talks (draft title)"

    newer = import_case(services, "update_v2_higher_sequence")

    assert outcomes(newer) == ["updated"]
    m = services.meetings.get("update-me@example.eu")
    assert m.title == "EU-NATO staff talks on resilience"
    assert m.start == utc(2026, 11, 12, 13, 0)
    assert m.sequence == 1
    assert m.modified == utc(2026, 9, 5, 8, 0)

    stale = import_case(services, "update_stale_same_sequence")

    assert outcomes(stale) == ["unchanged"]
    kept = services.meetings.get("update-me@example.eu")
    assert kept.title == "EU-NATO staff talks on resilience"
    assert kept.start == utc(2026, 11, 12, 13, 0)
    assert kept.modified == utc(2026, 9, 5, 8, 0)


def test_the_same_sequence_with_a_later_last_modified_updates(services: Services) -> None:
    import_case(services, "update_v1", "update_v2_higher_sequence")

    report = import_case(services, "update_same_sequence_newer")

    assert outcomes(report) == ["updated"]
    m = services.meetings.get("update-me@example.eu")
    assert m.title == "EU-NATO staff talks on resilience and cyber"
    assert m.modified == utc(2026, 9, 10, 8, 0)


# --- bad input -----------------------------------------------------------------------------------

HTML = b"""<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><h1>502 Bad Gateway</h1></body></html>
"""
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "the file is empty"),
        (b"\xef\xbb\xbf\r\n  \r\n", "the file is empty"),
        (HTML, "web page (HTML)"),
        (PNG, "binary"),
        (b"BEGIN:VEVENT\r\nEND:VEVENT\r\n", "does not start with BEGIN:VCALENDAR"),
    ],
    ids=["empty", "bom-and-blank-lines", "html-error-page", "binary", "no-vcalendar"],
)
def test_a_file_that_is_not_a_calendar_aborts_with_one_line_and_imports_nothing(
    services: Services, tmp_path: Path, data: bytes, says: str
) -> None:
    bad = tmp_path / "download.ics"
    bad.write_bytes(data)

    with pytest.raises(CalendarImportError) as caught:
        # A good file before it is not imported either: all or nothing.
        services.importer.import_files([case("all_day"), bad])

    message = caught.value.message
    assert "\n" not in message
    assert str(bad) in message
    assert says in message
    assert "nothing was imported" in message
    assert everything(services) == []


@pytest.mark.parametrize("data", [b"", HTML, PNG], ids=["empty", "html", "binary"])
def test_the_reader_refuses_input_that_is_not_a_calendar(data: bytes) -> None:
    with pytest.raises(reader.ReadError):
        reader.read(data, default_tz="Europe/Brussels", vocabulary=VOCABULARY)


def test_a_file_that_is_not_a_calendar_is_listed_as_skipped_when_asked_to_skip(
    services: Services, tmp_path: Path
) -> None:
    bad = tmp_path / "page.ics"
    bad.write_bytes(HTML)

    report = services.importer.import_files([bad, case("all_day")], ImportOptions(on_error="skip"))

    assert [(i.file, i.outcome) for i in report.items] == [
        (str(bad), "skipped"),
        (str(case("all_day")), "added"),
    ]
    assert "web page" in report.items[0].reason
    assert services.meetings.get("all-day-conference@example.eu").all_day


def test_a_file_above_the_import_limit_is_refused_and_nothing_is_imported(
    services: Services, tmp_path: Path
) -> None:
    services.catalog.set_setting("import_limit_mb", 1)
    padding = "X-PADDING:" + "a" * (2 * 1024 * 1024)
    big = tmp_path / "big.ics"
    calendar = case("all_day").read_bytes()
    big.write_bytes(calendar.replace(b"END:VCALENDAR", padding.encode() + b"\r\nEND:VCALENDAR"))
    assert 2 * 2**20 < big.stat().st_size < 3 * 2**20

    with pytest.raises(CalendarImportError) as caught:
        services.importer.import_files([big])

    message = caught.value.message
    assert "\n" not in message
    assert str(big) in message
    assert "2 MB" in message
    assert "limit of 1 MB" in message
    assert "(the import_limit_mb setting)" in message
    assert everything(services) == []
    # The same file is a calendar: under a higher limit it imports.
    services.catalog.set_setting("import_limit_mb", 3)
    assert outcomes(services.importer.import_files([big])) == ["added"]


@pytest.mark.parametrize(
    ("head", "says"),
    [(b"BEGIN:VCALENDAR", "longer than 8 MB"), (b"", "does not start with BEGIN:VCALENDAR")],
    ids=["calendar-head", "no-head"],
)
def test_a_100_mb_single_line_is_refused_in_bounded_memory_when_the_limit_allows_it(
    services: Services, tmp_path: Path, head: bytes, says: str
) -> None:
    import tracemalloc

    services.catalog.set_setting("import_limit_mb", 200)
    line = tmp_path / "one-line.ics"
    with line.open("wb") as out:
        out.write(head)
        for _ in range(100):
            out.write(b"A" * 2**20)

    tracemalloc.start()
    try:
        with pytest.raises(CalendarImportError) as caught:
            services.importer.import_files([line])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert says in caught.value.message
    assert "\n" not in caught.value.message
    assert peak < 40 * 2**20  # the scanner gives up after a few blocks, never reads 100 MB
    assert everything(services) == []


BROKEN = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Hand written//Broken//EN\r
BEGIN:VEVENT\r
UID:good-1@example.eu\r
DTSTART;TZID=Europe/Brussels:20261116T100000\r
DTEND;TZID=Europe/Brussels:20261116T110000\r
SUMMARY:Good one\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:broken@example.eu\r
DTSTART:2024-13-45\r
DTEND:2024-13-46\r
SUMMARY:Broken one\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:good-2@example.eu\r
DTSTART;TZID=Europe/Brussels:20261117T100000\r
DTEND;TZID=Europe/Brussels:20261117T110000\r
SUMMARY:Good two\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_broken_event_aborts_the_import_naming_file_line_and_vevent(
    services: Services, tmp_path: Path
) -> None:
    import_case(services, "weekly_count_exdate")
    before = everything(services)
    assert len(before) == 4
    broken = tmp_path / "broken.ics"
    broken.write_bytes(BROKEN)

    with pytest.raises(CalendarImportError) as caught:
        services.importer.import_files([case("all_day"), broken])

    message = caught.value.message
    assert "\n" not in message
    assert str(broken) in message
    assert "line 10, VEVENT" in message  # the BEGIN:VEVENT line of the broken event
    assert "DTSTART" in message
    assert "nothing was imported" in message
    assert everything(services) == before


def test_with_skip_the_good_events_are_imported_and_the_broken_one_is_listed_as_skipped(
    services: Services, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.ics"
    broken.write_bytes(BROKEN)

    report = services.importer.import_files([broken], ImportOptions(on_error="skip"))

    assert sorted((i.line, i.outcome) for i in report.items) == [
        (4, "added"),
        (10, "skipped"),
        (16, "added"),
    ]
    [skipped] = [i for i in report.items if i.outcome == "skipped"]
    assert skipped.file == str(broken)
    assert "DTSTART" in skipped.reason
    assert "2024-13-45" in skipped.reason
    assert timed(between(services, utc(2026, 11, 1), utc(2026, 12, 1))) == [
        ("Good one", utc(2026, 11, 16, 9, 0)),
        ("Good two", utc(2026, 11, 17, 9, 0)),
    ]


# --- dry run -------------------------------------------------------------------------------------


def test_a_dry_run_reports_what_a_real_run_does_and_changes_nothing(services: Services) -> None:
    names = ("recurrence_id_override", "missing_uid", "categories", "override_without_master")

    dry = import_case(services, *names, dry_run=True)

    assert dry.dry_run is True
    assert everything(services) == []
    real = import_case(services, *names)
    assert summary(dry) == summary(real)
    assert real.count("added") == 6
    assert len(everything(services)) == 8


def test_a_dry_run_of_an_update_reports_updated_but_keeps_the_old_version(
    services: Services,
) -> None:
    import_case(services, "update_v1")
    before = everything(services)

    dry = import_case(services, "update_v2_higher_sequence", dry_run=True)

    assert outcomes(dry) == ["updated"]
    assert everything(services) == before
    assert services.meetings.get("update-me@example.eu").title == "Staff talks (draft title)"
    assert outcomes(import_case(services, "update_v2_higher_sequence")) == ["updated"]


def test_a_date_exdate_on_a_timed_series_skips_that_days_meeting(services: Services) -> None:
    report = import_case(services, "timed_series_date_exdate")

    assert item(report, "Weekly sync with one week off").repairs == [
        "DATE EXDATE on a timed series: read as the meeting's time that day"
    ]
    assert timed(between(services, utc(2026, 11, 1), utc(2026, 12, 1))) == [
        ("Weekly sync with one week off", utc(2026, 11, 2, 9, 0)),
        ("Weekly sync with one week off", utc(2026, 11, 16, 9, 0)),
    ]


def _many_events(count: int) -> bytes:
    events = "".join(
        "BEGIN:VEVENT\r\n"
        f"UID:bulk-{i}@example.eu\r\n"
        "DTSTAMP:20261001T080000Z\r\n"
        f"DTSTART;TZID=Europe/Kyiv:2026{1 + i % 12:02d}{1 + i % 28:02d}T{8 + i % 9:02d}0000\r\n"
        "DURATION:PT1H\r\n"
        f"SUMMARY:Cross-briefing {i}\r\n"
        "CATEGORIES:Cross-briefing,Defence and security capacity building\r\n"
        f"ATTENDEE;CN=Officer {i % 7};ROLE=CHAIR:mailto:officer{i % 7}@example.eu\r\n"
        + ("RRULE:FREQ=WEEKLY;COUNT=2\r\n" if i % 10 == 0 else "")
        + "END:VEVENT\r\n"
        for i in range(count)
    )
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
    return f"{head}{events}END:VCALENDAR\r\n".encode()


def _snapshot(services: Services) -> list[tuple[object, ...]]:
    found = services.queries.occurrences(utc(2026, 1, 1), utc(2027, 1, 1))
    return [
        (o.meeting.uid, o.start, o.meeting.kind, o.meeting.strands, o.meeting.title) for o in found
    ]


def test_a_big_file_parsed_by_two_processes_and_saved_in_batches_matches_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liaison_calendar.domain.clock import FixedClock
    from liaison_calendar.ical import reader as reader_module
    from liaison_calendar.services import importer as importer_module

    path = tmp_path / "many.ics"
    path.write_bytes(_many_events(1200))  # above the parallel threshold and two batches
    fast = Services.open(tmp_path / "fast.db", FixedClock(utc(2026, 11, 25, 9, 0)))
    try:
        report = fast.importer.import_files([path])
        assert report.count("added") == 1200
        expected = _snapshot(fast)
    finally:
        fast.close()
    monkeypatch.setattr(reader_module, "PARALLEL_FROM", 10**9)
    monkeypatch.setattr(importer_module._Batch, "takes", lambda *args: False)
    slow = Services.open(tmp_path / "slow.db", FixedClock(utc(2026, 11, 25, 9, 0)))
    try:
        assert slow.importer.import_files([path]).count("added") == 1200
        assert _snapshot(slow) == expected
        assert len(expected) == 1200 + 120  # every tenth repeats once more
        assert slow.queries.search("Officer")  # the search rows were written too
    finally:
        slow.close()
    fast = Services.open(tmp_path / "fast.db", FixedClock(utc(2026, 11, 25, 9, 0)))
    try:
        assert [m.title for m in fast.queries.search("Cross-briefing 1199")] == [
            "Cross-briefing 1199"
        ]
        m = fast.meetings.get("bulk-3@example.eu")
        assert [(p.name, p.email, p.role) for p in m.participants] == [
            ("Officer 3", "officer3@example.eu", "chair")
        ]
    finally:
        fast.close()


def test_with_threads_running_a_big_file_is_parsed_by_a_fresh_process_and_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from liaison_calendar.domain.clock import FixedClock
    from liaison_calendar.ical import reader as reader_module

    path = tmp_path / "many.ics"
    path.write_bytes(_many_events(600))
    monkeypatch.setattr(reader_module, "PARALLEL_FROM", 10**9)
    alone = Services.open(tmp_path / "alone.db", FixedClock(utc(2026, 11, 25, 9, 0)))
    try:
        assert alone.importer.import_files([path]).count("added") == 600
        expected = _snapshot(alone)
    finally:
        alone.close()
    spawned: list[object] = []
    real = reader_module.multiprocessing.get_context
    monkeypatch.setattr(
        reader_module.multiprocessing,
        "get_context",
        lambda method=None: spawned.append(method) or real(method),
    )
    monkeypatch.setattr(reader_module, "SPAWNED_FROM", 100)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # as in the Qt app: forking is not safe
    other.start()
    try:
        busy = Services.open(tmp_path / "busy.db", FixedClock(utc(2026, 11, 25, 9, 0)))
        try:
            assert busy.importer.import_files([path]).count("added") == 600
            assert _snapshot(busy) == expected
        finally:
            busy.close()
    finally:
        stop.set()
        other.join()
    assert spawned == ["spawn"]


def test_progress_is_reported_and_cancelling_leaves_nothing_written(
    services: Services, tmp_path: Path
) -> None:
    from liaison_calendar.services.importer import ImportCancelledError

    path = tmp_path / "many.ics"
    path.write_bytes(_many_events(250))
    seen: list[tuple[int, int]] = []

    def cancel_after_200(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 200

    with pytest.raises(ImportCancelledError):
        services.importer.import_files([path], progress=cancel_after_200)

    assert seen == [(100, 250), (200, 250)]
    assert everything(services) == []
    report = services.importer.import_files(
        [path], progress=lambda d, t: seen.append((d, t)) or True
    )
    assert report.count("added") == 250
    assert seen[-1] == (250, 250)
