"""What goes into printed documents: print levels, markings, periods, filters, files."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

from datetime import date, datetime
from pathlib import Path

import pytest

from liaison_calendar.domain.enums import ReleaseLevel, Status
from liaison_calendar.domain.models import MeetingDraft, MeetingFilter
from liaison_calendar.errors import NotFoundError, OutputError, ValidationError
from liaison_calendar.services.context import Services
from liaison_calendar.services.demo import LIMITED, STAFF_ONLY, demo_uid, seed_demo
from liaison_calendar.services.reports import marking_of, month_grid_start, printable

FIRST, LAST = date(2023, 6, 1), date(2024, 5, 31)


@pytest.fixture
def demo(services: Services) -> Services:
    seed_demo(services)
    return services


def restricted_in_period(services: Services) -> list[str]:
    data = services.reports.period(FIRST, LAST)
    return [
        h.meeting.title for h in data.held if h.meeting.release_level is ReleaseLevel.RESTRICTED
    ]


def test_a_document_may_carry_meetings_released_as_widely_or_wider_than_its_level() -> None:
    assert printable(ReleaseLevel.STAFF, ReleaseLevel.PUBLIC)
    assert printable(ReleaseLevel.STAFF, ReleaseLevel.STAFF)
    assert not printable(ReleaseLevel.STAFF, ReleaseLevel.RESTRICTED)
    assert printable(ReleaseLevel.RESTRICTED, ReleaseLevel.RESTRICTED)
    assert not printable(ReleaseLevel.PUBLIC, ReleaseLevel.STAFF)


def test_the_marking_is_that_of_the_most_restricted_meeting(demo: Services) -> None:
    everything = [demo.meetings.get(demo_uid(s)) for s in ("fimi-2023", "optalks-2")]
    assert {m.release_level for m in everything} == {ReleaseLevel.RESTRICTED, ReleaseLevel.STAFF}
    assert marking_of(everything) == LIMITED
    assert marking_of(everything[1:]) == STAFF_ONLY
    assert marking_of([], "FOR OFFICIAL USE") == "FOR OFFICIAL USE"


def test_at_restricted_level_a_period_keeps_everything_and_carries_the_limited_marking(
    demo: Services,
) -> None:
    data = demo.reports.period(FIRST, LAST, level=ReleaseLevel.RESTRICTED)
    assert restricted_in_period(demo)
    assert data.header.left_out == 0
    assert data.header.marking == LIMITED
    assert [k for k, _ in data.strands] == [s.key for s in demo.catalog.strands()]
    starts = [h.start for h in data.held]
    assert all(FIRST <= (s.date() if isinstance(s, datetime) else s) <= LAST for s in starts)


def test_at_staff_level_restricted_meetings_are_left_out_and_counted(demo: Services) -> None:
    restricted = set(restricted_in_period(demo))
    data = demo.reports.period(FIRST, LAST, level=ReleaseLevel.STAFF)
    assert not restricted & {h.meeting.title for h in data.held}
    assert data.header.left_out == len(restricted) >= 1
    assert data.header.marking == STAFF_ONLY


def test_the_default_marking_applies_when_no_meeting_carries_one(services: Services) -> None:
    services.catalog.set_setting("default_marking", "EEAS INTERNAL")
    services.catalog.set_setting("organisation", "EEAS – EU-NATO liaison")
    services.meetings.create(
        MeetingDraft(title="Unmarked", start=datetime(2024, 2, 6, 10), end=datetime(2024, 2, 6, 11))
    )
    data = services.reports.period(FIRST, LAST)
    assert data.header.marking == "EEAS INTERNAL"
    assert data.header.organisation == "EEAS – EU-NATO liaison"
    services.meetings.create(
        MeetingDraft(
            title="Marked",
            start=datetime(2024, 2, 7, 10),
            end=datetime(2024, 2, 7, 11),
            marking="EU RESTRICTED",
            release_level=ReleaseLevel.RESTRICTED,
        )
    )
    assert services.reports.period(FIRST, LAST).header.marking == "EU RESTRICTED"


def test_a_period_filtered_by_strand_reports_on_that_strand_only(demo: Services) -> None:
    data = demo.reports.period(FIRST, LAST, MeetingFilter(strands=["cyber"]))
    assert data.strands == (("cyber", "Cyber security and defence"),)
    assert data.held
    assert all("cyber" in h.meeting.strands for h in data.held)
    assert all("cyber" in e.strands for e in data.exercises)
    assert data.filters == "Work strands: Cyber security and defence"


def test_a_period_filtered_by_partner_and_series(demo: Services) -> None:
    by_partner = demo.reports.period(FIRST, LAST, MeetingFilter(partners=["ukraine"]))
    assert by_partner.held
    assert all("Ukraine" in h.meeting.partners for h in by_partner.held)
    series = demo.meetings.get(demo_uid("optalks-2")).series
    assert series is not None
    by_series = demo.reports.period(
        date(2023, 1, 1), date(2025, 12, 31), MeetingFilter(series=[series])
    )
    assert [h.meeting.iteration for h in by_series.held] == [1, 2, 3]


def test_a_period_keeps_cancelled_meetings_for_the_report_to_list_apart(demo: Services) -> None:
    demo.meetings.create(
        MeetingDraft(
            title="Called off",
            start=datetime(2024, 2, 6, 10),
            end=datetime(2024, 2, 6, 11),
            status=Status.CANCELLED,
        )
    )
    data = demo.reports.period(FIRST, LAST)
    assert [h.meeting.status for h in data.held if h.meeting.title == "Called off"] == [
        Status.CANCELLED
    ]


def test_a_period_that_ends_before_it_starts_or_names_an_unknown_strand_is_refused(
    demo: Services,
) -> None:
    with pytest.raises(ValidationError, match="before it starts"):
        demo.reports.period(LAST, FIRST)
    with pytest.raises(ValidationError, match="Unknown work strand"):
        demo.reports.period(FIRST, LAST, MeetingFilter(strands=["cyberr"]))


def test_an_agenda_above_the_print_level_is_refused(demo: Services) -> None:
    with pytest.raises(ValidationError, match="cannot be printed at staff level"):
        demo.reports.agenda(demo_uid("fimi-2023"), ReleaseLevel.STAFF)
    with pytest.raises(NotFoundError):
        demo.reports.agenda(999_999)
    document = demo.reports.agenda(demo_uid("optalks-2"), ReleaseLevel.STAFF)
    assert document.marking == STAFF_ONLY
    assert "Operational cooperation talks" in document.title


def test_a_month_printout_covers_six_weeks_from_a_monday(demo: Services) -> None:
    assert month_grid_start(date(2024, 3, 12)) == date(2024, 2, 26)
    assert month_grid_start(date(2024, 4, 1)) == date(2024, 4, 1)
    document = demo.reports.calendar("month", date(2024, 3, 12))
    assert "March 2024" in document.title
    assert document.landscape
    with pytest.raises(ValidationError):
        demo.reports.calendar("year", date(2024, 3, 12))


def test_html_is_written_atomically_and_a_failure_leaves_the_old_file(
    demo: Services, tmp_path: Path
) -> None:
    document = demo.reports.agenda(demo_uid("optalks-2"))
    target = tmp_path / "agenda.html"
    target.write_text("old")
    demo.reports.write(document, target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    with pytest.raises(OutputError, match="does not exist"):
        demo.reports.write(document, tmp_path / "missing" / "agenda.html")


def test_an_unmarked_meeting_counts_with_the_default_marking(services: Services) -> None:
    services.catalog.set_setting("default_marking", "EU RESTRICTED")
    services.meetings.create(
        MeetingDraft(
            title="Restricted, unmarked",
            start=datetime(2024, 2, 6, 10),
            end=datetime(2024, 2, 6, 11),
            release_level=ReleaseLevel.RESTRICTED,
        )
    )
    services.meetings.create(
        MeetingDraft(
            title="Public, marked",
            start=datetime(2024, 2, 7, 10),
            end=datetime(2024, 2, 7, 11),
            release_level=ReleaseLevel.PUBLIC,
            marking="PUBLIC",
        )
    )
    assert services.reports.calendar("week", date(2024, 2, 6)).marking == "EU RESTRICTED"


def test_the_agenda_of_an_occurrence_carries_its_own_date_and_clock_times(
    services: Services,
) -> None:
    from zoneinfo import ZoneInfo

    from liaison_calendar.domain.models import AgendaItemDraft

    weekly = services.meetings.create(
        MeetingDraft(
            title="Weekly coordination",
            start=datetime(2024, 5, 6, 10),
            end=datetime(2024, 5, 6, 11),
            rrule="FREQ=WEEKLY;COUNT=6",
            agenda=[AgendaItemDraft(title="Round table", duration_min=30)],
        )
    )
    third = datetime(2024, 5, 20, 10, tzinfo=ZoneInfo("Europe/Brussels"))
    body = services.reports.agenda(weekly.id, occurrence=third).body
    assert "Monday 20 May 2024" in body
    assert "Monday 6 May 2024" not in body
    assert "10:00–10:30" in body
    assert "Monday 6 May 2024" in services.reports.agenda(weekly.id).body
