"""Repeat rules: validation, window-only expansion in wall time, exclusions."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

import random
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison_calendar.domain.recurrence import (
    MAX_OCCURRENCES,
    build_rule,
    first_start,
    last_start,
    normalise_rule,
    occurrence_key,
    parse_occurrence_key,
    starts_between,
    stepped_starts,
)
from liaison_calendar.errors import ValidationError

BRUSSELS = "Europe/Brussels"
TZ = ZoneInfo(BRUSSELS)
HOUR = timedelta(hours=1)
EVERYTHING = (
    datetime(1900, 1, 1, tzinfo=UTC),
    datetime(2200, 1, 1, tzinfo=UTC),
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def weekly_10am_from_25_march() -> datetime:
    # Monday 25 March 2024, 10:00 in Brussels (CET, UTC+1); DST starts on Sunday 31 March.
    return datetime(2024, 3, 25, 10, 0, tzinfo=TZ)


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    ["FREQ=SOMETIMES", "", "   ", "FREQ=DAILY\nCOUNT=2", "COUNT=3", "FREQ=WEEKLY;BYDAY=XX"],
)
def test_a_malformed_rule_is_a_validation_error(rule: str) -> None:
    with pytest.raises(ValidationError, match="repeat rule"):
        build_rule(rule, weekly_10am_from_25_march(), BRUSSELS)


def test_a_rule_may_carry_the_rrule_prefix() -> None:
    parsed = build_rule("RRULE:FREQ=DAILY;COUNT=3", date(2024, 1, 1), BRUSSELS)
    assert parsed.count() == 3


def test_a_rule_for_an_unknown_zone_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="Unknown time zone"):
        build_rule("FREQ=DAILY", weekly_10am_from_25_march(), "Nowhere/Town")


def test_normalise_rule_strips_the_prefix_and_upper_cases() -> None:
    assert normalise_rule("  rrule:freq=weekly;count=4 ") == "FREQ=WEEKLY;COUNT=4"


# --- occurrence keys -------------------------------------------------------------------------


def test_a_timed_occurrence_key_is_the_utc_instant() -> None:
    assert occurrence_key(weekly_10am_from_25_march()) == "2024-03-25T09:00:00Z"


def test_an_all_day_occurrence_key_is_the_iso_date() -> None:
    assert occurrence_key(date(2024, 5, 14)) == "2024-05-14"


def test_occurrence_keys_round_trip() -> None:
    instant = utc(2024, 4, 1, 8, 0)
    assert parse_occurrence_key(occurrence_key(instant)) == instant
    assert parse_occurrence_key(occurrence_key(date(2024, 5, 14))) == date(2024, 5, 14)


def test_an_occurrence_key_needs_an_aware_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        occurrence_key(datetime(2024, 3, 25, 10, 0))


# --- expansion -------------------------------------------------------------------------------


def test_a_weekly_meeting_stays_at_ten_local_across_the_spring_dst_change() -> None:
    starts = list(
        starts_between(
            "FREQ=WEEKLY;COUNT=3",
            weekly_10am_from_25_march(),
            BRUSSELS,
            *EVERYTHING,
            HOUR,
        )
    )

    assert starts == [utc(2024, 3, 25, 9), utc(2024, 4, 1, 8), utc(2024, 4, 8, 8)]
    assert all(s.tzinfo is UTC for s in starts)
    assert {s.astimezone(TZ).hour for s in starts} == {10}


def test_a_weekly_meeting_stays_at_ten_local_across_the_autumn_dst_change() -> None:
    first = datetime(2024, 10, 21, 10, 0, tzinfo=TZ)

    starts = list(starts_between("FREQ=WEEKLY;COUNT=2", first, BRUSSELS, *EVERYTHING, HOUR))

    assert starts == [utc(2024, 10, 21, 8), utc(2024, 10, 28, 9)]


def test_only_occurrences_in_the_window_are_expanded_from_an_open_ended_rule() -> None:
    starts = list(
        starts_between(
            "FREQ=WEEKLY",
            weekly_10am_from_25_march(),
            BRUSSELS,
            utc(2030, 1, 1),
            utc(2030, 1, 22),
            HOUR,
        )
    )

    # Mondays 7, 14 and 21 January 2030, at 10:00 CET.
    assert starts == [utc(2030, 1, 7, 9), utc(2030, 1, 14, 9), utc(2030, 1, 21, 9)]


def test_an_occurrence_that_overlaps_the_window_start_is_included() -> None:
    starts = list(
        starts_between(
            "FREQ=DAILY;COUNT=5",
            weekly_10am_from_25_march(),
            BRUSSELS,
            utc(2024, 3, 26, 9, 30),
            utc(2024, 3, 26, 9, 45),
            HOUR,
        )
    )
    assert starts == [utc(2024, 3, 26, 9)]


def test_an_occurrence_ending_exactly_at_the_window_start_is_left_out() -> None:
    starts = list(
        starts_between(
            "FREQ=DAILY;COUNT=5",
            weekly_10am_from_25_march(),
            BRUSSELS,
            utc(2024, 3, 26, 10, 0),
            utc(2024, 3, 27, 9, 0),
            HOUR,
        )
    )
    assert starts == []


def test_an_excluded_key_removes_exactly_that_occurrence() -> None:
    starts = list(
        starts_between(
            "FREQ=WEEKLY;COUNT=3",
            weekly_10am_from_25_march(),
            BRUSSELS,
            *EVERYTHING,
            HOUR,
            exclude={"2024-04-01T08:00:00Z"},
        )
    )
    assert starts == [utc(2024, 3, 25, 9), utc(2024, 4, 8, 8)]


def test_an_all_day_rule_expands_to_dates() -> None:
    starts = list(
        starts_between(
            "FREQ=WEEKLY;COUNT=3",
            date(2024, 5, 14),
            BRUSSELS,
            date(2024, 1, 1),
            date(2025, 1, 1),
            timedelta(days=2),
        )
    )
    assert starts == [date(2024, 5, 14), date(2024, 5, 21), date(2024, 5, 28)]


def test_an_all_day_rule_only_gives_days_overlapping_the_window() -> None:
    starts = list(
        starts_between(
            "FREQ=DAILY",
            date(2024, 5, 1),
            BRUSSELS,
            date(2024, 5, 10),
            date(2024, 5, 12),
            timedelta(days=1),
        )
    )
    assert starts == [date(2024, 5, 10), date(2024, 5, 11)]


# --- first and last --------------------------------------------------------------------------


def test_the_last_start_of_a_counted_rule_is_its_final_occurrence() -> None:
    assert last_start("FREQ=WEEKLY;COUNT=3", weekly_10am_from_25_march(), BRUSSELS) == utc(
        2024, 4, 8, 8
    )


def test_the_last_start_of_an_all_day_rule_with_until_is_a_date() -> None:
    assert last_start("FREQ=DAILY;UNTIL=20240110", date(2024, 1, 1), BRUSSELS) == date(2024, 1, 10)


def test_an_open_ended_rule_has_no_last_start() -> None:
    assert last_start("FREQ=WEEKLY", weekly_10am_from_25_march(), BRUSSELS) is None


def test_a_rule_with_more_occurrences_than_the_limit_counts_as_open_ended() -> None:
    day = date(2024, 1, 1)
    assert last_start(f"FREQ=DAILY;COUNT={MAX_OCCURRENCES}", day, "UTC") is not None
    assert last_start(f"FREQ=DAILY;COUNT={MAX_OCCURRENCES + 1}", day, "UTC") is None


def test_the_first_start_of_a_rule_is_given_in_utc() -> None:
    assert first_start(
        "FREQ=WEEKLY;BYDAY=TU;COUNT=2", weekly_10am_from_25_march(), BRUSSELS
    ) == utc(2024, 3, 26, 9)


def test_a_rule_that_can_never_happen_has_no_first_start() -> None:
    assert (
        first_start("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=1", date(2024, 1, 1), "UTC") is None
    )


# --- properties ------------------------------------------------------------------------------

ZONES = [
    "Europe/Brussels",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Tokyo",
    "Europe/Chisinau",
]


@st.composite
def counted_rules(draw: st.DrawFn) -> tuple[str, datetime, str, int, int]:
    tz_name = draw(st.sampled_from(ZONES))
    day = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
    # Hours the clocks never skip in these zones (their changes happen at night).
    hour = draw(st.integers(min_value=6, max_value=22))
    minute = draw(st.sampled_from([0, 15, 30, 45]))
    freq = draw(st.sampled_from(["DAILY", "WEEKLY"]))
    interval = draw(st.integers(min_value=1, max_value=3))
    count = draw(st.integers(min_value=1, max_value=60))
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(tz_name))
    rule = f"FREQ={freq};INTERVAL={interval};COUNT={count}"
    step_days = interval * (7 if freq == "WEEKLY" else 1)
    return rule, start, tz_name, count, step_days


@settings(max_examples=150, deadline=None)
@given(case=counted_rules(), data=st.data())
def test_a_counted_rule_gives_count_minus_skipped_occurrences_at_the_same_wall_time(
    case: tuple[str, datetime, str, int, int], data: st.DataObject
) -> None:
    rule, start, tz_name, count, step_days = case
    duration = timedelta(minutes=90)
    everything = list(starts_between(rule, start, tz_name, *EVERYTHING, duration))
    assert len(everything) == count

    skipped = data.draw(st.sets(st.sampled_from(everything), max_size=count))
    kept = list(
        starts_between(
            rule,
            start,
            tz_name,
            *EVERYTHING,
            duration,
            exclude={occurrence_key(s) for s in skipped},
        )
    )

    assert len(kept) == count - len(skipped)
    assert set(kept) == set(everything) - skipped
    tz = ZoneInfo(tz_name)
    for moment in everything:
        local = moment.astimezone(tz)
        assert (local.hour, local.minute) == (start.hour, start.minute)
    for earlier, later in zip(everything, everything[1:], strict=False):
        gap = later.astimezone(tz).date() - earlier.astimezone(tz).date()
        assert gap == timedelta(days=step_days)


@settings(max_examples=100, deadline=None)
@given(
    case=counted_rules(),
    split_after=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
)
def test_splitting_the_window_neither_loses_nor_invents_occurrences(
    case: tuple[str, datetime, str, int, int], split_after: timedelta
) -> None:
    rule, start, tz_name, _count, _step = case
    duration = timedelta(minutes=90)
    split = start.astimezone(UTC) + split_after
    everything = list(starts_between(rule, start, tz_name, *EVERYTHING, duration))

    before = list(starts_between(rule, start, tz_name, EVERYTHING[0], split, duration))
    after = list(starts_between(rule, start, tz_name, split, EVERYTHING[1], duration))

    assert set(before) | set(after) == set(everything)
    straddling = [s for s in everything if s < split < s + duration]
    assert set(before) & set(after) == set(straddling)


_ZONES = ["Europe/Brussels", "America/Havana", "Australia/Lord_Howe", "UTC", "Asia/Tbilisi"]


@settings(max_examples=400, deadline=None)
@given(
    zone_name=st.sampled_from(_ZONES),
    all_day=st.booleans(),
    first=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31)),
    freq=st.sampled_from(["DAILY", "WEEKLY"]),
    interval=st.none() | st.integers(1, 4),
    count=st.none() | st.integers(1, 40),
    until_days=st.integers(0, 300),
    until_minutes=st.sampled_from([-1, 0, 1]),
    own_weekday=st.booleans(),
    shuffle=st.randoms(use_true_random=False),
)
def test_plain_daily_and_weekly_rules_are_stepped_exactly_as_dateutil_walks_them(
    zone_name: str,
    all_day: bool,
    first: datetime,
    freq: str,
    interval: int | None,
    count: int | None,
    until_days: int,
    until_minutes: int,
    own_weekday: bool,
    shuffle: random.Random,
) -> None:
    first = first.replace(second=0, microsecond=0)
    start: datetime | date = first.date() if all_day else first.replace(tzinfo=ZoneInfo(zone_name))
    parts = [f"FREQ={freq}"]
    if interval is not None:
        parts.append(f"INTERVAL={interval}")
    if count is not None:
        parts.append(f"COUNT={count}")
    else:
        until = first + timedelta(days=until_days, minutes=until_minutes)
        if all_day:
            parts.append(f"UNTIL={until:%Y%m%d}")
        else:
            utc = until.replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC)
            parts.append(f"UNTIL={utc:%Y%m%dT%H%M%SZ}")
    if freq == "WEEKLY" and own_weekday:
        parts.append(f"BYDAY={['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][first.weekday()]}")
    shuffle.shuffle(parts)
    rule = ";".join(parts)
    parsed = build_rule(rule, start, zone_name)
    walked = tuple(islice(parsed, 60))
    stepped = stepped_starts(rule, parsed, 60)
    assert stepped == walked
    assert [s.utcoffset() for s in stepped] == [w.utcoffset() for w in walked]
    assert [s.fold for s in stepped] == [w.fold for w in walked]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;COUNT=3",
        "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4",
        "FREQ=WEEKLY;BYDAY=FR;COUNT=4",  # not the first start's weekday (a Monday)
        "FREQ=DAILY;BYHOUR=9,15;COUNT=4",
        "FREQ=DAILY;BYDAY=MO;COUNT=4",
    ],
)
def test_other_rules_are_left_to_dateutil(rule: str) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    parsed = build_rule(rule, start, "Europe/Brussels")
    assert stepped_starts(rule, parsed, 60) is None
    # and the window still comes from dateutil's walk
    window = list(
        starts_between(rule, start, "Europe/Brussels", start, start + timedelta(days=90),
                       timedelta(hours=1))
    )  # fmt: skip
    assert window == [m.astimezone(UTC) for m in islice(parsed, 60)]
