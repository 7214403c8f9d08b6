"""Reading the calendar: occurrences in a window, recurrence exceptions, filters and search."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison_calendar.domain.briefs import BriefOccurrence, MeetingBrief
from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.enums import Status
from liaison_calendar.domain.models import (
    AgendaItemDraft,
    MeetingDetail,
    MeetingDraft,
    MeetingFilter,
    MeetingPatch,
    Occurrence,
    ParticipantDraft,
    SeriesDraft,
)
from liaison_calendar.services.context import Services
from liaison_calendar.services.queries import OPEN_ENDED_HORIZON, QueryService

BRUSSELS = "Europe/Brussels"
TZ = ZoneInfo(BRUSSELS)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def create(services: Services, **fields: Any) -> MeetingDetail:
    values: dict[str, Any] = {
        "title": "Staff talks",
        "start": datetime(2024, 5, 14, 10, 0),
        "end": datetime(2024, 5, 14, 11, 0),
    }
    values.update(fields)
    return services.meetings.create(MeetingDraft(**values))


def weekly(services: Services, **fields: Any) -> MeetingDetail:
    """Mondays at 10:00 Brussels from 18 March 2024, across the DST change of 31 March."""
    values: dict[str, Any] = {
        "title": "Weekly coordination",
        "start": datetime(2024, 3, 18, 10, 0),
        "end": datetime(2024, 3, 18, 11, 0),
        "rrule": "FREQ=WEEKLY;COUNT=6",
    }
    values.update(fields)
    return create(services, **values)


@pytest.fixture(autouse=True)
def _briefs_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test here also checks that the views' ``briefs`` give the same occurrences."""
    full = QueryService.occurrences

    def checked(self: QueryService, *args: Any, **kwargs: Any) -> list[Occurrence]:
        result = full(self, *args, **kwargs)
        assert_agree(result, self.briefs(*args, **kwargs))
        return result

    monkeypatch.setattr(QueryService, "occurrences", checked)


def assert_agree(full: list[Occurrence], brief: list[BriefOccurrence]) -> None:
    expected = [
        BriefOccurrence(MeetingBrief.of(o.meeting), o.start, o.end, o.recurrence_id) for o in full
    ]
    assert brief == expected
    # Equal instants are not enough: the same zone too (a view shows the meeting's local time).
    assert [(str(b.start), str(b.end), str(b.meeting.start)) for b in brief] == [
        (str(e.start), str(e.end), str(e.meeting.start)) for e in expected
    ]


def starts(occurrences: list[Occurrence]) -> list[Any]:
    return [o.start for o in occurrences]


def titles(occurrences: list[Occurrence]) -> list[str]:
    return [o.meeting.title for o in occurrences]


# --- windows ---------------------------------------------------------------------------------


def test_a_single_meeting_appears_in_a_window_it_overlaps(services: Services) -> None:
    meeting = create(services)

    inside = services.queries.occurrences(utc(2024, 5, 14), utc(2024, 5, 15))
    partly = services.queries.occurrences(utc(2024, 5, 14, 8, 30), utc(2024, 5, 14, 8, 45))

    assert [o.meeting.id for o in inside] == [meeting.id]
    assert inside[0].start == meeting.start
    assert inside[0].recurrence_id is None
    assert len(partly) == 1


def test_a_meeting_touching_the_window_edges_is_left_out(services: Services) -> None:
    create(services)  # 08:00-09:00 UTC

    assert services.queries.occurrences(utc(2024, 5, 14, 9), utc(2024, 5, 14, 10)) == []
    assert services.queries.occurrences(utc(2024, 5, 14, 7), utc(2024, 5, 14, 8)) == []


def test_occurrences_come_in_time_order(services: Services) -> None:
    create(services, title="Late", start=datetime(2024, 5, 14, 15), end=datetime(2024, 5, 14, 16))
    create(services, title="Early", start=datetime(2024, 5, 14, 9), end=datetime(2024, 5, 14, 10))
    create(services, title="Day", start=date(2024, 5, 14), end=date(2024, 5, 15))

    found = services.queries.occurrences(local(2024, 5, 14), local(2024, 5, 15))

    assert titles(found) == ["Day", "Early", "Late"]


def test_naive_window_bounds_are_refused(services: Services) -> None:
    with pytest.raises(ValueError, match="aware"):
        services.queries.occurrences(datetime(2024, 5, 14), datetime(2024, 5, 15))


def test_the_day_window_of_the_spring_change_is_twenty_three_hours(
    services: Services,
) -> None:
    lo, hi = services.queries.day_window(date(2024, 3, 31), date(2024, 3, 31), BRUSSELS)

    assert lo == local(2024, 3, 31)
    assert hi.astimezone(UTC) - lo.astimezone(UTC) == timedelta(hours=23)


# --- recurrence ------------------------------------------------------------------------------


def test_a_weekly_meeting_stays_at_ten_local_across_the_dst_change(
    services: Services,
) -> None:
    weekly(services)

    found = services.queries.occurrences(utc(2024, 3, 1), utc(2024, 5, 1))

    assert [(o.start.date().isoformat(), o.start.hour) for o in found] == [
        ("2024-03-18", 10),
        ("2024-03-25", 10),
        ("2024-04-01", 10),
        ("2024-04-08", 10),
        ("2024-04-15", 10),
        ("2024-04-22", 10),
    ]
    assert [o.start.astimezone(UTC).hour for o in found] == [9, 9, 8, 8, 8, 8]
    assert all(o.end - o.start == timedelta(hours=1) for o in found)
    assert [o.recurrence_id for o in found][:3] == [
        utc(2024, 3, 18, 9),
        utc(2024, 3, 25, 9),
        utc(2024, 4, 1, 8),
    ]


def test_only_the_occurrences_in_the_window_are_returned(services: Services) -> None:
    weekly(services, rrule="FREQ=WEEKLY")  # open-ended

    found = services.queries.occurrences(utc(2025, 1, 1), utc(2025, 1, 22))

    assert starts(found) == [local(2025, 1, 6, 10), local(2025, 1, 13, 10), local(2025, 1, 20, 10)]


def test_a_window_before_the_first_or_after_the_last_occurrence_is_empty(
    services: Services,
) -> None:
    weekly(services)

    assert services.queries.occurrences(utc(2024, 1, 1), utc(2024, 3, 18)) == []
    assert services.queries.occurrences(utc(2024, 4, 23), utc(2024, 12, 31)) == []


def test_an_open_ended_rule_without_an_end_stops_two_years_after_today(
    services: Services,
) -> None:
    create(
        services,
        start=datetime(2026, 11, 23, 10, 0),
        end=datetime(2026, 11, 23, 11, 0),
        rrule="FREQ=WEEKLY",
    )

    found = services.queries.occurrences(utc(2026, 11, 1))

    assert found[0].start == local(2026, 11, 23, 10)
    assert found[-1].start.astimezone(UTC) < NOW + OPEN_ENDED_HORIZON
    assert found[-1].start.astimezone(UTC) + timedelta(weeks=1) >= NOW + OPEN_ENDED_HORIZON
    assert len(found) in (104, 105)


def test_a_rule_with_until_in_utc_ends_with_the_occurrence_on_that_instant(
    services: Services,
) -> None:
    weekly(services, rrule="FREQ=WEEKLY;UNTIL=20240408T080000Z")

    found = services.queries.occurrences(utc(2024, 1, 1), utc(2025, 1, 1))

    assert starts(found)[-1] == local(2024, 4, 8, 10)
    assert len(found) == 4


def test_skipping_an_occurrence_removes_just_that_one(services: Services) -> None:
    meeting = weekly(services)

    services.meetings.skip_occurrence(meeting.id, datetime(2024, 4, 1, 10, 0))

    found = services.queries.occurrences(utc(2024, 3, 1), utc(2024, 5, 1))
    assert len(found) == 5
    assert local(2024, 4, 1, 10) not in starts(found)
    assert local(2024, 3, 25, 10) in starts(found)
    assert local(2024, 4, 8, 10) in starts(found)


def test_an_occurrence_can_be_skipped_by_its_utc_instant(services: Services) -> None:
    meeting = weekly(services)

    services.meetings.skip_occurrence(meeting.id, utc(2024, 4, 1, 8))

    found = services.queries.occurrences(utc(2024, 3, 1), utc(2024, 5, 1))
    assert local(2024, 4, 1, 10) not in starts(found)
    assert len(found) == 5


def test_a_moved_occurrence_appears_once_at_its_new_time(services: Services) -> None:
    meeting = weekly(services)

    override = services.meetings.override_occurrence(
        meeting.id, datetime(2024, 4, 8, 10, 0), MeetingPatch(start=datetime(2024, 4, 10, 14, 0))
    )

    found = services.queries.occurrences(utc(2024, 3, 1), utc(2024, 5, 1))
    assert len(found) == 6
    assert local(2024, 4, 8, 10) not in starts(found)
    moved = [o for o in found if o.start == local(2024, 4, 10, 14)]
    assert len(moved) == 1
    assert moved[0].meeting.id == override.id
    assert moved[0].end == local(2024, 4, 10, 15)
    assert moved[0].recurrence_id == utc(2024, 4, 8, 8)
    assert [o.meeting.id for o in found].count(meeting.id) == 5


def test_a_moved_occurrence_is_found_in_a_window_around_its_new_time_only(
    services: Services,
) -> None:
    meeting = weekly(services)
    services.meetings.override_occurrence(
        meeting.id, datetime(2024, 4, 8, 10, 0), MeetingPatch(start=datetime(2024, 6, 3, 9, 0))
    )

    old_day = services.queries.occurrences(local(2024, 4, 8), local(2024, 4, 9))
    new_day = services.queries.occurrences(local(2024, 6, 3), local(2024, 6, 4))

    assert old_day == []
    assert starts(new_day) == [local(2024, 6, 3, 9)]


def test_overriding_the_same_occurrence_twice_keeps_one_override(
    services: Services,
) -> None:
    meeting = weekly(services)
    first = services.meetings.override_occurrence(
        meeting.id, datetime(2024, 4, 8, 10, 0), MeetingPatch(location="Mons")
    )

    second = services.meetings.override_occurrence(
        meeting.id, datetime(2024, 4, 8, 10, 0), MeetingPatch(start=datetime(2024, 4, 8, 15, 0))
    )

    assert second.id == first.id
    found = services.queries.occurrences(local(2024, 4, 8), local(2024, 4, 9))
    assert [(o.start, o.meeting.location) for o in found] == [(local(2024, 4, 8, 15), "Mons")]


def test_a_cancelled_occurrence_still_shows_as_cancelled(services: Services) -> None:
    meeting = weekly(services)

    cancelled = services.meetings.cancel_occurrence(meeting.id, datetime(2024, 3, 25, 10, 0))

    found = services.queries.occurrences(utc(2024, 3, 1), utc(2024, 5, 1))
    assert len(found) == 6
    statuses = {o.start: o.meeting.status for o in found}
    assert statuses[local(2024, 3, 25, 10)] is Status.CANCELLED
    assert [s for s in statuses.values() if s is Status.CANCELLED] == [Status.CANCELLED]
    assert cancelled.sequence == meeting.sequence + 1
    assert services.meetings.get(meeting.id).status is Status.CONFIRMED


def test_rescheduling_a_recurring_meeting_keeps_its_exceptions(
    services: Services,
) -> None:
    meeting = weekly(services)
    services.meetings.skip_occurrence(meeting.id, datetime(2024, 4, 1, 10, 0))
    services.meetings.override_occurrence(
        meeting.id, datetime(2024, 4, 8, 10, 0), MeetingPatch(location="Mons")
    )

    services.meetings.reschedule(meeting.id, datetime(2024, 3, 18, 11, 0))

    found = services.queries.occurrences(utc(2024, 3, 1), utc(2024, 5, 1))
    days = [o.start.date() for o in found]
    assert date(2024, 4, 1) not in days
    assert days.count(date(2024, 4, 8)) == 1
    assert len(found) == 5


def test_skipping_an_occurrence_that_was_changed_removes_it(services: Services) -> None:
    meeting = weekly(services)
    services.meetings.override_occurrence(
        meeting.id, datetime(2024, 4, 8, 10, 0), MeetingPatch(location="Mons")
    )

    services.meetings.skip_occurrence(meeting.id, datetime(2024, 4, 8, 10, 0))

    found = services.queries.occurrences(utc(2024, 3, 1), utc(2024, 5, 1))
    assert date(2024, 4, 8) not in [o.start.date() for o in found]
    assert len(found) == 5


# --- all-day meetings ------------------------------------------------------------------------


def test_an_all_day_meeting_appears_on_each_of_its_dates_in_brussels(
    services: Services,
) -> None:
    meeting = create(services, title="Workshop", start=date(2024, 5, 14), end=date(2024, 5, 16))

    def on(day: date) -> list[str]:
        lo, hi = services.queries.day_window(day, day, BRUSSELS)
        return titles(services.queries.occurrences(lo, hi))

    assert on(date(2024, 5, 13)) == []
    assert on(date(2024, 5, 14)) == ["Workshop"]
    assert on(date(2024, 5, 15)) == ["Workshop"]
    assert on(date(2024, 5, 16)) == []
    (occurrence,) = services.queries.occurrences(
        *services.queries.day_window(date(2024, 5, 14), date(2024, 5, 14), BRUSSELS)
    )
    assert (occurrence.start, occurrence.end) == (meeting.start, meeting.end)
    assert occurrence.all_day is True


def test_a_recurring_all_day_meeting_appears_on_its_dates_in_a_week_view(
    services: Services,
) -> None:
    create(
        services,
        title="Exercise day",
        start=date(2024, 6, 3),
        end=date(2024, 6, 4),
        rrule="FREQ=DAILY;INTERVAL=2;COUNT=10",
    )

    lo, hi = services.queries.day_window(date(2024, 6, 10), date(2024, 6, 16), BRUSSELS)
    found = services.queries.occurrences(lo, hi)

    assert starts(found) == [date(2024, 6, 11), date(2024, 6, 13), date(2024, 6, 15)]
    assert all(o.end - o.start == timedelta(days=1) for o in found)


def test_skipping_a_day_of_a_recurring_all_day_meeting(services: Services) -> None:
    meeting = create(
        services, start=date(2024, 6, 3), end=date(2024, 6, 4), rrule="FREQ=DAILY;COUNT=5"
    )

    services.meetings.skip_occurrence(meeting.id, date(2024, 6, 5))

    assert starts(services.queries.occurrences()) == [
        date(2024, 6, 3),
        date(2024, 6, 4),
        date(2024, 6, 6),
        date(2024, 6, 7),
    ]


# --- filters ---------------------------------------------------------------------------------


@pytest.fixture
def filterable(services: Services) -> Services:
    services.series.create(SeriesDraft(name="Structured Dialogue"))
    create(
        services,
        title="Cyber staff talks",
        kind="staff-talks",
        strands=["cyber"],
        partners=["Ukraine"],
    )
    create(
        services,
        title="Hybrid dialogue",
        kind="structured-dialogue",
        strands=["hybrid", "cyber"],
        partners=["Moldova", "Georgia"],
        series="Structured Dialogue",
    )
    create(
        services,
        title="Ministerial",
        kind="ministerial",
        strands=["political"],
        partners=["Moldova"],
        status="tentative",
    )
    cancelled = create(
        services,
        title="Mobility talks",
        kind="staff-talks",
        strands=["capabilities"],
        partners=["Georgia"],
    )
    services.meetings.cancel(cancelled.id)
    return services


def filtered(services: Services, **fields: Any) -> list[str]:
    return sorted(titles(services.queries.occurrences(flt=MeetingFilter(**fields))))


def test_an_empty_filter_shows_everything(filterable: Services) -> None:
    assert len(filtered(filterable)) == 4


def test_filter_by_kind(filterable: Services) -> None:
    assert filtered(filterable, kinds=["staff-talks"]) == ["Cyber staff talks", "Mobility talks"]
    assert filtered(filterable, kinds=["ministerial", "structured-dialogue"]) == [
        "Hybrid dialogue",
        "Ministerial",
    ]


def test_filter_by_strand(filterable: Services) -> None:
    assert filtered(filterable, strands=["cyber"]) == ["Cyber staff talks", "Hybrid dialogue"]
    assert filtered(filterable, strands=["exercises"]) == []


def test_filter_by_partner_in_any_case(filterable: Services) -> None:
    assert filtered(filterable, partners=["moldova"]) == ["Hybrid dialogue", "Ministerial"]
    assert filtered(filterable, partners=["GEORGIA"]) == ["Hybrid dialogue", "Mobility talks"]
    assert filtered(filterable, partners=["Atlantis"]) == []


def test_filter_by_partner_with_non_ascii_letters_in_any_case(services: Services) -> None:
    create(services, title="Talks with Austria", partners=["Österreich"])

    assert filtered(services, partners=["Österreich"]) == ["Talks with Austria"]
    assert filtered(services, partners=["österreich"]) == ["Talks with Austria"]
    assert filtered(services, partners=["ÖSTERREICH"]) == ["Talks with Austria"]


def test_filter_by_status(filterable: Services) -> None:
    assert filtered(filterable, statuses=[Status.CANCELLED]) == ["Mobility talks"]
    assert filtered(filterable, statuses=[Status.TENTATIVE, Status.CANCELLED]) == [
        "Ministerial",
        "Mobility talks",
    ]


def test_filter_by_series_in_any_case(filterable: Services) -> None:
    assert filtered(filterable, series=["structured dialogue"]) == ["Hybrid dialogue"]
    assert filtered(filterable, series=["No such series"]) == []


def test_filters_combine_with_and(filterable: Services) -> None:
    assert filtered(filterable, kinds=["staff-talks"], partners=["georgia"]) == ["Mobility talks"]
    assert filtered(filterable, strands=["cyber"], partners=["Moldova"]) == ["Hybrid dialogue"]
    assert filtered(
        filterable,
        strands=["cyber"],
        partners=["Moldova"],
        statuses=[Status.CONFIRMED],
        kinds=["structured-dialogue"],
        series=["Structured Dialogue"],
    ) == ["Hybrid dialogue"]
    assert filtered(filterable, kinds=["ministerial"], statuses=[Status.CONFIRMED]) == []


def test_filters_combine_with_a_window(filterable: Services) -> None:
    create(
        filterable,
        title="Later cyber talks",
        strands=["cyber"],
        start=datetime(2024, 9, 1, 10),
        end=datetime(2024, 9, 1, 11),
    )

    found = filterable.queries.occurrences(
        utc(2024, 8, 1), utc(2024, 10, 1), MeetingFilter(strands=["cyber"])
    )

    assert titles(found) == ["Later cyber talks"]


def test_a_cancelled_occurrence_is_found_by_the_cancelled_filter(services: Services) -> None:
    meeting = weekly(services, strands=["cyber"])
    services.meetings.cancel_occurrence(meeting.id, datetime(2024, 4, 1, 10, 0))

    cancelled = services.queries.occurrences(
        flt=MeetingFilter(statuses=[Status.CANCELLED], strands=["cyber"])
    )
    confirmed = services.queries.occurrences(flt=MeetingFilter(statuses=[Status.CONFIRMED]))

    assert starts(cancelled) == [local(2024, 4, 1, 10)]
    assert len(confirmed) == 5


# --- full-text search ------------------------------------------------------------------------


@pytest.fixture
def searchable(services: Services) -> Services:
    create(services, title="Staff talks on military mobility")
    create(services, title="Cross-briefing", description="Read-ahead on hybrid threats")
    create(services, title="Partner visit", location="Chișinău, Republic of Moldova")
    create(
        services,
        title="Maritime talks",
        agenda=[AgendaItemDraft(title="Black Sea demining", lead="MARCOM")],
    )
    create(
        services,
        title="Capability workshop",
        participants=[
            ParticipantDraft(name="Ingrid Østergaard", organisation="EDA", role="Rapporteur")
        ],
    )
    return services


def found(services: Services, text: str) -> list[str]:
    return sorted(m.title for m in services.queries.search(text))


def test_search_finds_words_in_the_title(searchable: Services) -> None:
    assert found(searchable, "mobility") == ["Staff talks on military mobility"]


def test_search_finds_words_in_the_description(searchable: Services) -> None:
    assert found(searchable, "hybrid threats") == ["Cross-briefing"]


def test_search_finds_words_in_the_location(searchable: Services) -> None:
    assert found(searchable, "Moldova") == ["Partner visit"]


def test_search_finds_words_in_agenda_items_and_their_leads(searchable: Services) -> None:
    assert found(searchable, "demining") == ["Maritime talks"]
    assert found(searchable, "MARCOM") == ["Maritime talks"]


def test_search_finds_participants_their_organisation_and_role(searchable: Services) -> None:
    assert found(searchable, "Ingrid") == ["Capability workshop"]
    assert found(searchable, "rapporteur") == ["Capability workshop"]
    assert found(searchable, "EDA") == ["Capability workshop"]


def test_search_matches_word_prefixes(searchable: Services) -> None:
    assert found(searchable, "mobil") == ["Staff talks on military mobility"]
    assert found(searchable, "dem") == ["Maritime talks"]


def test_search_ignores_case(searchable: Services) -> None:
    assert found(searchable, "MILITARY") == ["Staff talks on military mobility"]


def test_search_ignores_diacritics_in_both_directions(searchable: Services) -> None:
    assert found(searchable, "Chisinau") == ["Partner visit"]
    assert found(searchable, "chișinău") == ["Partner visit"]
    assert found(searchable, "chis") == ["Partner visit"]


def test_search_needs_every_word(searchable: Services) -> None:
    assert found(searchable, "talks mobility") == ["Staff talks on military mobility"]
    assert found(searchable, "talks maritime") == ["Maritime talks"]
    assert found(searchable, "talks") == [
        "Maritime talks",
        "Staff talks on military mobility",
    ]


def test_search_that_matches_nothing_gives_an_empty_list(searchable: Services) -> None:
    assert searchable.queries.search("zeppelin") == []
    assert searchable.queries.occurrences(flt=MeetingFilter(search="zeppelin")) == []


@pytest.mark.parametrize("text", ["", "   ", "!!!", '"', "*", "AND OR NOT", "(", "a:b"])
def test_search_with_odd_input_never_fails(searchable: Services, text: str) -> None:
    assert isinstance(searchable.queries.search(text), list)


def test_search_follows_edits_to_the_meeting_and_its_parts(services: Services) -> None:
    meeting = create(services, title="Planning conference")
    assert found(services, "planning") == ["Planning conference"]

    services.meetings.edit(meeting.id, MeetingPatch(title="Execution briefing"))
    services.meetings.add_agenda_item(meeting.id, AgendaItemDraft(title="Logistics"))
    services.meetings.add_participant(meeting.id, ParticipantDraft(name="Kowalski"))

    assert found(services, "planning") == []
    assert found(services, "execution") == ["Execution briefing"]
    assert found(services, "logistics") == ["Execution briefing"]
    assert found(services, "kowalski") == ["Execution briefing"]


def test_search_ranks_the_best_matches_first(services: Services) -> None:
    create(services, title="Budget", description="Mentions cyber once among many other words")
    create(services, title="Cyber cyber", description="Cyber defence, cyber exercises")
    create(services, title="Logistics", location="Cyber range")

    assert [m.title for m in services.queries.search("cyber")][0] == "Cyber cyber"


def test_a_search_matching_more_than_it_ranks_picks_from_the_newest_matches(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liaison_calendar.store import queries

    monkeypatch.setattr(queries, "SCORED_MATCHES", 3)
    best_but_old = create(services, title="Hybrid hybrid hybrid", description="hybrid")
    newer = [create(services, title=f"Hybrid threats {n}") for n in range(4)]

    found = services.queries.search("hybrid", limit=10)
    # The three newest matches, ranked: the old one, best of all, is left out.
    assert {m.id for m in found} == {m.id for m in newer[1:]}
    assert best_but_old.id not in {m.id for m in found}
    # Fewer matches than it ranks: every one of them, the best first.
    few = services.queries.search("hybrid hybrid threats 0", limit=10)
    assert [m.id for m in few] == [newer[0].id]
    # As a filter, a search is not ranked and keeps every match.
    occurrences = services.queries.occurrences(flt=MeetingFilter(search="hybrid"))
    assert len(occurrences) == 5


def test_search_as_a_filter_narrows_the_occurrences(searchable: Services) -> None:
    occurrences = searchable.queries.occurrences(flt=MeetingFilter(search="talks"))
    assert sorted(titles(occurrences)) == ["Maritime talks", "Staff talks on military mobility"]

    combined = searchable.queries.occurrences(
        flt=MeetingFilter(search="talks", partners=["nobody"])
    )
    assert combined == []


# --- a property through the whole stack ------------------------------------------------------


def test_counted_rules_expand_to_count_minus_skipped_at_one_wall_time(tmp_path: Any) -> None:
    svc = Services.open(tmp_path / "property.db", FixedClock(NOW))
    zones = ["Europe/Brussels", "America/New_York", "Asia/Tokyo"]

    @settings(max_examples=20, deadline=None)
    @given(
        tz_name=st.sampled_from(zones),
        day=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 1)),
        hour=st.integers(min_value=7, max_value=20),
        freq=st.sampled_from(["DAILY", "WEEKLY"]),
        count=st.integers(min_value=1, max_value=25),
        data=st.data(),
    )
    def check(
        tz_name: str, day: date, hour: int, freq: str, count: int, data: st.DataObject
    ) -> None:
        start = datetime(day.year, day.month, day.day, hour, 0)
        meeting = svc.meetings.create(
            MeetingDraft(
                title="Property",
                start=start,
                end=start + timedelta(minutes=45),
                tz=tz_name,
                rrule=f"FREQ={freq};COUNT={count}",
            )
        )
        try:
            everything = svc.queries.occurrences()
            assert len(everything) == count
            skipped = data.draw(st.sets(st.sampled_from(starts(everything)), max_size=count))
            for when in skipped:
                svc.meetings.skip_occurrence(meeting.id, when)
            kept = svc.queries.occurrences()
            assert len(kept) == count - len(skipped)
            assert set(starts(kept)) == set(starts(everything)) - skipped
            zone = ZoneInfo(tz_name)
            assert {o.start.astimezone(zone).time() for o in everything} == {start.time()}
        finally:
            svc.meetings.delete(meeting.id)

    try:
        check()
    finally:
        svc.close()


def test_overlaps_name_meetings_at_the_same_time_with_a_participant_in_common(
    services: Services,
) -> None:
    def meeting(title: str, hour: int, *people: str, **fields: object) -> MeetingDetail:
        return services.meetings.create(
            MeetingDraft.model_validate(
                {
                    "title": title,
                    "kind": "cross-briefing",
                    "start": datetime(2024, 3, 14, hour, 0),
                    "end": datetime(2024, 3, 14, hour + 2, 0),
                    "participants": [ParticipantDraft(name=p) for p in people],
                }
                | fields
            )
        )

    meeting("Hybrid threats briefing", 9, "Anna Kovalenko", "Pierre Dubois")
    meeting("Cancelled talk", 9, "Anna Kovalenko", status=Status.CANCELLED)
    meeting("Unrelated call", 9, "Someone Else")
    new = meeting("Cyber briefing", 10, "anna  kovalenko")

    assert services.queries.overlaps(new, services.meetings.get) == [
        "“Hybrid threats briefing” is at the same time with Anna Kovalenko"
    ]


def test_meetings_longer_than_a_month_are_found_in_a_window_far_from_their_start(
    services: Services,
) -> None:
    """Windows read three index ranges (revision 0004): long meetings have their own."""
    services.meetings.create(
        MeetingDraft(
            title="Training mission planning cell",
            kind="other",
            start=datetime(2024, 1, 8, 9, 0),
            end=datetime(2024, 4, 30, 17, 0),
        )
    )
    services.meetings.create(
        MeetingDraft(title="Short", kind="other", start=date(2024, 2, 1), end=date(2024, 2, 3))
    )
    start, end = services.queries.day_window(date(2024, 3, 11), date(2024, 3, 17), BRUSSELS)

    assert [o.meeting.title for o in services.queries.occurrences(start, end)] == [
        "Training mission planning cell"
    ]


def test_the_window_indexes_exist_and_serve_the_long_meeting_query(services: Services) -> None:
    import sqlite3

    with sqlite3.connect(services.path) as conn:
        names = {row[1] for row in conn.execute("PRAGMA index_list(meeting)")}
        plan = " ".join(
            str(row[3])
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM meeting WHERE rrule IS NULL AND "
                "julianday(end_utc) - julianday(start_utc) > 31 AND start_utc < '2024'"
            )
        )

    assert {"ix_meeting_recurring", "ix_meeting_long"} <= names
    assert "ix_meeting_long" in plan


@pytest.fixture(scope="module")
def demo_calendar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    from liaison_calendar.services.demo import seed_demo

    svc = Services.open(tmp_path_factory.mktemp("demo") / "calendar.db", FixedClock(NOW))
    seed_demo(svc)
    yield svc
    svc.close()


@settings(max_examples=60, deadline=None)
@given(
    first=st.dates(date(2022, 6, 1), date(2026, 6, 1)),
    days=st.integers(1, 120),
    zone_name=st.sampled_from([BRUSSELS, "UTC", "America/New_York", "Pacific/Auckland"]),
    strands=st.lists(st.sampled_from(["hybrid", "cyber", "capabilities", "exercises"]), max_size=2),
    statuses=st.lists(st.sampled_from(list(Status)), max_size=2),
)
def test_briefs_give_the_occurrences_of_any_window_and_filter(
    demo_calendar: Services,
    first: date,
    days: int,
    zone_name: str,
    strands: list[str],
    statuses: list[Status],
) -> None:
    queries = demo_calendar.queries
    start, end = queries.day_window(first, first + timedelta(days=days - 1), zone_name)
    flt = MeetingFilter(strands=strands, statuses=statuses)
    assert_agree(queries.occurrences(start, end, flt), queries.briefs(start, end, flt))


def test_briefs_of_the_demo_calendar_are_not_empty(demo_calendar: Services) -> None:
    start, end = demo_calendar.queries.day_window(date(2024, 1, 1), date(2024, 12, 31), BRUSSELS)
    found = demo_calendar.queries.briefs(start, end)
    assert len(found) > 20
    assert any(b.meeting.rrule for b in found)
    assert any(b.all_day for b in found)
    assert any(b.meeting.strands for b in found)


def expected_month(
    full: list[BriefOccurrence], first: date, last: date, tz: str, per_day: int
) -> tuple[list[BriefOccurrence], dict[date, int]]:
    """``month_briefs`` worked out from every occurrence: bars, then each day's first few."""
    where = ZoneInfo(tz)
    listed: list[BriefOccurrence] = []
    singles: dict[date, list[BriefOccurrence]] = {}
    for o in full:
        if not isinstance(o.start, datetime) or not isinstance(o.end, datetime):
            listed.append(o)
            continue
        start, end = o.start.astimezone(where), o.end.astimezone(where)
        day = start.date()
        within = end <= start or (end - timedelta(microseconds=1)).date() == day
        if within and first <= day <= last:
            singles.setdefault(day, []).append(o)
        else:
            listed.append(o)
    unlisted = {}
    for day, found in singles.items():
        listed += found[:per_day]
        if len(found) > per_day:
            unlisted[day] = len(found) - per_day
    key = [(b.meeting.id, b.start) for b in full]
    listed.sort(key=lambda b: key.index((b.meeting.id, b.start)))
    return listed, unlisted


@settings(max_examples=40, deadline=None)
@given(
    first=st.dates(date(2023, 1, 1), date(2025, 12, 1)),
    zone_name=st.sampled_from([BRUSSELS, "UTC", "America/New_York", "Asia/Tokyo"]),
    per_day=st.integers(0, 3),
    strands=st.lists(st.sampled_from(["hybrid", "cyber", "capabilities", "exercises"]), max_size=2),
)
def test_month_briefs_hold_the_bars_and_each_days_first_meetings(
    demo_calendar: Services, first: date, zone_name: str, per_day: int, strands: list[str]
) -> None:
    queries = demo_calendar.queries
    last = first + timedelta(days=41)
    flt = MeetingFilter(strands=strands)
    full = queries.briefs(*queries.day_window(first, last, zone_name), flt)
    month = queries.month_briefs(first, last, zone_name, flt, per_day=per_day)
    listed, unlisted = expected_month(full, first, last, zone_name, per_day)
    assert month.occurrences == listed
    assert month.unlisted == unlisted
    assert month.total == len(full)


def test_month_briefs_of_a_crowded_day_list_the_first_and_count_the_rest(
    services: Services,
) -> None:
    for hour in range(8, 18):
        create(
            services,
            title=f"Talk {hour:02d}",
            start=datetime(2024, 5, 14, hour),
            end=datetime(2024, 5, 14, hour, 30),
        )
    create(
        services, title="Two days", start=datetime(2024, 5, 14, 20), end=datetime(2024, 5, 15, 9)
    )
    weekly(  # Tuesdays at 09:00: the 14 May one queues with the single meetings
        services,
        title="Weekly sync",
        start=datetime(2024, 5, 7, 9),
        end=datetime(2024, 5, 7, 9, 30),
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    month = services.queries.month_briefs(date(2024, 5, 13), date(2024, 5, 19), BRUSSELS, per_day=3)
    assert titles(month.occurrences) == ["Talk 08", "Talk 09", "Weekly sync", "Two days"]
    assert month.unlisted == {date(2024, 5, 14): 8}
    assert month.total == 12
