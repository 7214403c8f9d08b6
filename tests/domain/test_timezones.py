"""IANA zones, DST gaps and folds."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

from datetime import UTC, date, datetime, timedelta

import pytest

from liaison_calendar.domain.timezones import (
    all_zone_names,
    day_start,
    is_valid_zone,
    localize,
    to_utc,
    to_zone,
    zone,
)
from liaison_calendar.errors import ValidationError

BRUSSELS = "Europe/Brussels"


def test_a_known_iana_name_gives_its_zone() -> None:
    assert zone(BRUSSELS).key == BRUSSELS


@pytest.mark.parametrize(
    "name",
    [
        "Europe/Bruxelles",
        "Mars/Olympus_Mons",
        "",
        " Europe/Brussels",
        "Europe/Brussels ",
        "../../etc/passwd",
        "/etc/localtime",
        ".hidden",
    ],
)
def test_an_unknown_or_unsafe_zone_name_is_a_validation_error(name: str) -> None:
    with pytest.raises(ValidationError, match="Unknown time zone"):
        zone(name)
    assert is_valid_zone(name) is False


def test_the_error_for_an_unknown_zone_suggests_an_iana_name() -> None:
    with pytest.raises(ValidationError) as caught:
        zone("CET+1")
    assert "Europe/Brussels" in caught.value.message


def test_is_valid_zone_accepts_real_zones() -> None:
    assert is_valid_zone(BRUSSELS)
    assert is_valid_zone("UTC")
    assert is_valid_zone("America/New_York")


def test_the_list_of_zone_names_is_sorted_and_holds_brussels() -> None:
    names = all_zone_names()
    assert BRUSSELS in names
    assert names == sorted(names)


def test_a_wall_time_in_winter_gets_the_winter_offset() -> None:
    aware = localize(datetime(2024, 1, 15, 10, 0), BRUSSELS)
    assert aware.utcoffset() == timedelta(hours=1)
    assert aware.astimezone(UTC) == datetime(2024, 1, 15, 9, 0, tzinfo=UTC)


def test_a_wall_time_in_summer_gets_the_summer_offset() -> None:
    aware = localize(datetime(2024, 7, 15, 10, 0), BRUSSELS)
    assert aware.utcoffset() == timedelta(hours=2)
    assert aware.astimezone(UTC) == datetime(2024, 7, 15, 8, 0, tzinfo=UTC)


def test_a_wall_time_skipped_by_the_spring_change_is_refused() -> None:
    with pytest.raises(ValidationError, match="does not exist in Europe/Brussels"):
        localize(datetime(2024, 3, 31, 2, 30), BRUSSELS)


def test_the_wall_times_around_the_spring_gap_are_accepted() -> None:
    before = localize(datetime(2024, 3, 31, 1, 59), BRUSSELS)
    after = localize(datetime(2024, 3, 31, 3, 0), BRUSSELS)
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(minutes=1)


def test_an_ambiguous_autumn_wall_time_takes_its_first_occurrence() -> None:
    aware = localize(datetime(2024, 10, 27, 2, 30), BRUSSELS)
    assert aware.utcoffset() == timedelta(hours=2)
    assert aware.astimezone(UTC) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)


def test_localize_ignores_any_zone_already_attached_and_reads_wall_time() -> None:
    aware = localize(datetime(2024, 1, 15, 10, 0, tzinfo=UTC), BRUSSELS)
    assert aware.astimezone(UTC) == datetime(2024, 1, 15, 9, 0, tzinfo=UTC)


def test_to_zone_reads_a_naive_time_as_wall_time_in_that_zone() -> None:
    shown = to_zone(datetime(2024, 1, 15, 10, 0), "America/New_York")
    assert shown.astimezone(UTC) == datetime(2024, 1, 15, 15, 0, tzinfo=UTC)


def test_to_zone_shows_an_aware_instant_in_another_zone_without_moving_it() -> None:
    instant = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
    shown = to_zone(instant, "Asia/Tokyo")
    assert shown == instant
    assert shown.hour == 18


def test_to_utc_converts_wall_time_and_refuses_the_dst_gap() -> None:
    assert to_utc(datetime(2024, 7, 1, 12, 0), BRUSSELS) == datetime(2024, 7, 1, 10, 0, tzinfo=UTC)
    with pytest.raises(ValidationError):
        to_utc(datetime(2024, 3, 31, 2, 15), BRUSSELS)


def test_the_day_of_the_spring_change_lasts_twenty_three_hours_in_brussels() -> None:
    start = day_start(date(2024, 3, 31), BRUSSELS)
    end = day_start(date(2024, 4, 1), BRUSSELS)
    assert start.astimezone(UTC) == datetime(2024, 3, 30, 23, 0, tzinfo=UTC)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)


def test_the_day_of_the_autumn_change_lasts_twenty_five_hours_in_brussels() -> None:
    start = day_start(date(2024, 10, 27), BRUSSELS)
    end = day_start(date(2024, 10, 28), BRUSSELS)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=25)


def test_day_start_refuses_an_unknown_zone() -> None:
    with pytest.raises(ValidationError):
        day_start(date(2024, 1, 1), "Nowhere/Special")
