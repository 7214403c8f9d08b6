"""Agenda clock maths: items follow each other from the meeting start; overrun is a warning."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from liaison_calendar.domain.agenda import clock_times, ordinal, overrun

START = datetime(2024, 5, 14, 8, 0, tzinfo=UTC)


def test_each_item_starts_when_the_one_before_it_ends() -> None:
    spans = clock_times(START, [20, 30, 25])

    assert spans == [
        (START, START + timedelta(minutes=20)),
        (START + timedelta(minutes=20), START + timedelta(minutes=50)),
        (START + timedelta(minutes=50), START + timedelta(minutes=75)),
    ]


def test_an_empty_agenda_has_no_clock_times() -> None:
    assert clock_times(START, []) == []


def test_a_zero_minute_item_takes_no_time_and_the_next_starts_at_once() -> None:
    spans = clock_times(START, [0, 15])

    assert spans[0] == (START, START)
    assert spans[1] == (START, START + timedelta(minutes=15))


def test_clock_times_keep_the_zone_of_the_meeting_start() -> None:
    local = datetime(2024, 5, 14, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))

    (first,) = clock_times(local, [45])

    assert first[1].tzinfo is local.tzinfo
    assert (first[1].hour, first[1].minute) == (10, 45)


def test_an_agenda_that_fits_exactly_has_no_overrun() -> None:
    assert overrun(START, START + timedelta(hours=1), [30, 30]) is None


def test_an_agenda_shorter_than_the_meeting_has_no_overrun() -> None:
    assert overrun(START, START + timedelta(hours=2), [30, 30]) is None


def test_an_agenda_longer_than_the_meeting_reports_by_how_much_it_runs_over() -> None:
    assert overrun(START, START + timedelta(hours=1), [30, 30, 15]) == timedelta(minutes=15)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (10, "10th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (20, "20th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (101, "101st"),
        (111, "111th"),
        (112, "112th"),
        (113, "113th"),
        (122, "122nd"),
    ],
)
def test_ordinal_numbers_take_the_english_suffix(n: int, expected: str) -> None:
    assert ordinal(n) == expected


def test_overrun_counts_real_time_across_the_spring_dst_change() -> None:
    brussels = ZoneInfo("Europe/Brussels")
    # 01:00-05:00 local on 31 March 2024 is only three hours: 02:00-03:00 never happens.
    start = datetime(2024, 3, 31, 1, 0, tzinfo=brussels)
    end = datetime(2024, 3, 31, 5, 0, tzinfo=brussels)

    assert overrun(start, end, [60, 60, 60, 60]) == timedelta(hours=1)


def test_each_item_lasts_its_minutes_of_real_time_across_the_spring_dst_change() -> None:
    start = datetime(2024, 3, 31, 1, 0, tzinfo=ZoneInfo("Europe/Brussels"))

    spans = clock_times(start, [60, 60, 60])

    lengths = [e.astimezone(UTC) - s.astimezone(UTC) for s, e in spans]
    assert lengths == [timedelta(hours=1)] * 3
