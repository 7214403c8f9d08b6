"""VTIMEZONE text from TZif data: yearly rules, older changes, and what other parsers read."""

import bisect
import itertools
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject  # type: ignore[import-untyped]
from dateutil.rrule import rrulestr
from ical.calendar_stream import IcsCalendarStream

from liaison_calendar.ical.vtimezone import ZoneDataError, vtimezone, zone_data

ZONES = [
    "Europe/Brussels",
    "Europe/Kyiv",
    "Europe/Chisinau",
    "Asia/Tbilisi",
    "Europe/Sarajevo",
    "Asia/Amman",
    "Africa/Tunis",
    "Africa/Nouakchott",
    "America/New_York",
    "Australia/Sydney",
    "Europe/Dublin",  # negative DST: winter GMT is the "daylight" time
    "America/Santiago",  # M9.1.6/24: the change is on a Sunday, written with BYMONTHDAY
    "Asia/Jerusalem",  # M3.4.4/26: the Friday before the last Sunday
    "Africa/Cairo",  # M10.5.4/24: may fall on 1 November, so written year by year
    "America/Nuuk",  # M3.5.0/-1: the Saturday before the last Sunday
    "UTC",
]
SINCE_1990 = datetime(1990, 1, 1, tzinfo=UTC)
SINCE_2023 = datetime(2023, 1, 1, tzinfo=UTC)
UNTIL = datetime(2041, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)

Onset = tuple[datetime, timedelta, timedelta]
"""An observance onset: the UTC instant (naive), the offset before it and the offset after it."""


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """Empty the module's caches before and after, so a test really builds the text again."""
    vtimezone.cache_clear()
    zone_data.cache_clear()
    yield
    vtimezone.cache_clear()
    zone_data.cache_clear()


def in_calendar(*components: str) -> str:
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//vtimezone//EN\r\n"
    return head + "".join(components) + "END:VCALENDAR\r\n"


def event_in(tzid: str) -> str:
    return (
        "BEGIN:VEVENT\r\nUID:vtimezone-test@liaison\r\nDTSTAMP:20240101T000000Z\r\n"
        f"DTSTART;TZID={tzid}:20240612T093000\r\nDTEND;TZID={tzid}:20241212T103000\r\n"
        "SUMMARY:Staff talks\r\nEND:VEVENT\r\n"
    )


def parsed_vtimezone(text: str) -> icalendar.Timezone:
    calendar = icalendar.Calendar.from_ical(in_calendar(text))
    assert isinstance(calendar, icalendar.Calendar)
    (component,) = calendar.walk("VTIMEZONE")
    assert isinstance(component, icalendar.Timezone)
    return component


def observances(text: str) -> list[str]:
    """The kinds of the observances, in order: ``["DAYLIGHT", "STANDARD", ...]``."""
    begins = [line[len("BEGIN:") :] for line in text.split("\r\n") if line.startswith("BEGIN:")]
    return [kind for kind in begins if kind in ("STANDARD", "DAYLIGHT")]


def onsets(vtz: icalendar.Timezone, until: datetime) -> list[Onset]:
    """Every onset the VTIMEZONE defines up to ``until``, read by RFC 5545 (section 3.6.5).

    DTSTART and RRULE are in the local time in force before the onset (TZOFFSETFROM).
    """
    found: list[Onset] = []
    for observance in vtz.subcomponents:
        assert observance.name in ("STANDARD", "DAYLIGHT")
        assert "RDATE" not in observance
        start: datetime = observance.decoded("DTSTART")
        before: timedelta = observance.decoded("TZOFFSETFROM")
        after: timedelta = observance.decoded("TZOFFSETTO")
        locals_ = [start]
        if "RRULE" in observance:
            recur = observance["RRULE"]
            assert isinstance(recur, icalendar.vRecur)
            rule_text = recur.to_ical().decode()  # type: ignore[no-untyped-call]
            rule = rrulestr(rule_text, dtstart=start)
            locals_ = list(rule.between(start, until.replace(tzinfo=None), inc=True))
            assert locals_[0] == start, "DTSTART must be the first onset of its RRULE"
        found.extend((local - before, before, after) for local in locals_)
    return sorted(found)


def offset_by_rfc(found: list[Onset], instant: datetime) -> timedelta:
    """The UTC offset at ``instant``: TZOFFSETTO of the last onset at or before it."""
    starts = [at for at, _, _ in found]
    index = bisect.bisect_right(starts, instant.astimezone(UTC).replace(tzinfo=None))
    return found[0][1] if index == 0 else found[index - 1][2]


def offset(zone: tzinfo, instant: datetime) -> timedelta | None:
    return instant.astimezone(zone).utcoffset()


def offset_changes(name: str, start: datetime, end: datetime) -> list[datetime]:
    """The first second of every new UTC offset between ``start`` and ``end``, from zoneinfo.

    Found by stepping a day at a time and bisecting each day whose offset differs.
    """
    zone = ZoneInfo(name)
    changes = []
    day = timedelta(days=1)
    low = start
    while low < end:
        high = low + day
        if offset(zone, low) != offset(zone, high):
            a, b = int(low.timestamp()), int(high.timestamp())
            while b - a > 1:
                middle = (a + b) // 2
                if offset(zone, datetime.fromtimestamp(middle, UTC)) == offset(zone, low):
                    a = middle
                else:
                    b = middle
            changes.append(datetime.fromtimestamp(b, UTC))
        low = high
    return changes


def changes_of(name: str, start: datetime, end: datetime) -> list[datetime]:
    """The zone's changes from zoneinfo, with the TZif transitions (name or DST flag only, too)."""
    changes = set(offset_changes(name, start, end))
    changes |= {datetime.fromtimestamp(t.at, UTC) for t in zone_data(name).transitions}
    return sorted(c for c in changes if start < c < end)


def every_five_days(start: datetime, end: datetime) -> list[datetime]:
    count = (end - start) // timedelta(days=5)
    return [start + timedelta(days=5 * i) for i in range(count + 1)]


def instants(name: str, start: datetime, end: datetime) -> list[datetime]:
    """Every 5 days from ``start``, plus the second before, of and after every change."""
    samples = every_five_days(start, end)
    for change in changes_of(name, start + SECOND, end - SECOND):
        samples += [change - SECOND, change, change + SECOND]
    return samples


# --- what the text says ------------------------------------------------------------------------


def test_brussels_is_one_daylight_and_one_standard_rule_on_the_last_sundays() -> None:
    text = vtimezone("Europe/Brussels", SINCE_2023)
    assert text.startswith("BEGIN:VTIMEZONE\r\nTZID:Europe/Brussels\r\n")
    assert text.endswith("END:VTIMEZONE\r\n")
    assert sorted(observances(text)) == ["DAYLIGHT", "STANDARD"]
    daylight = text[text.index("BEGIN:DAYLIGHT") : text.index("END:DAYLIGHT")]
    standard = text[text.index("BEGIN:STANDARD") : text.index("END:STANDARD")]
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" in daylight
    assert "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n" in daylight
    assert "TZNAME:CEST\r\n" in daylight
    assert "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n" in standard
    assert "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n" in standard
    assert "TZNAME:CET\r\n" in standard
    assert "RDATE" not in text


def test_brussels_rules_start_at_local_2_and_3_oclock() -> None:
    vtz = parsed_vtimezone(vtimezone("Europe/Brussels", SINCE_2023))
    times = {o.name: o.decoded("DTSTART").time() for o in vtz.subcomponents}
    assert times == {"DAYLIGHT": time(2, 0), "STANDARD": time(3, 0)}


def test_a_zone_without_daylight_time_today_is_one_standard_observance_without_a_rule() -> None:
    text = vtimezone("Asia/Tbilisi", SINCE_2023)
    assert observances(text) == ["STANDARD"]
    assert "TZOFFSETTO:+0400\r\n" in text
    assert "DAYLIGHT" not in text
    assert "RRULE" not in text
    assert "RDATE" not in text


def test_utc_is_one_standard_observance_at_offset_zero() -> None:
    text = vtimezone("UTC", SINCE_2023)
    assert observances(text) == ["STANDARD"]
    assert "TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\n" in text


def test_a_change_on_the_saturday_before_the_last_sunday_is_a_bymonthday_rule() -> None:
    text = vtimezone("America/Nuuk", SINCE_2023)
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=SA;BYMONTHDAY=-8,-7,-6,-5,-4,-3,-2\r\n" in text


def test_a_change_on_the_friday_before_the_last_sunday_is_a_bymonthday_rule() -> None:
    text = vtimezone("Asia/Jerusalem", SINCE_2023)
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29\r\n" in text
    assert "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n" in text


def test_a_change_that_may_fall_in_the_next_month_is_written_out_year_by_year() -> None:
    # Cairo: the day after the last Thursday of October, which is 1 November in some years.
    short = vtimezone("Africa/Cairo", SINCE_2023, until_year=2030)
    long = vtimezone("Africa/Cairo", SINCE_2023, until_year=2040)
    assert short.count("BEGIN:DAYLIGHT") == long.count("BEGIN:DAYLIGHT") == 1
    assert long.count("BEGIN:STANDARD") - short.count("BEGIN:STANDARD") == 10
    assert "DTSTART:20301101T000000\r\n" in short
    assert "DTSTART:20311031T000000\r\n" not in short
    assert "DTSTART:20311031T000000\r\n" in long


def test_amman_from_2023_needs_fewer_observances_than_from_2000() -> None:
    earlier = observances(vtimezone("Asia/Amman", datetime(2000, 1, 1, tzinfo=UTC)))
    later = observances(vtimezone("Asia/Amman", SINCE_2023))
    assert len(later) < len(earlier)
    assert later == ["STANDARD"]


@pytest.mark.parametrize("name", ZONES)
def test_starting_later_gives_no_more_observances_in_any_zone(name: str) -> None:
    counts = [
        len(observances(vtimezone(name, datetime(year, 1, 1, tzinfo=UTC))))
        for year in (1975, 1990, 2000, 2010, 2023, 2030)
    ]
    assert counts == sorted(counts, reverse=True)


def test_the_same_arguments_give_the_same_text(fresh_caches: None) -> None:
    first = vtimezone("America/Santiago", SINCE_1990)
    vtimezone.cache_clear()
    zone_data.cache_clear()
    again = vtimezone("America/Santiago", SINCE_1990)
    assert again is not first  # built anew, not served from the cache
    assert again == first


def test_the_same_instant_in_another_zone_gives_the_same_text(fresh_caches: None) -> None:
    in_utc = vtimezone("Europe/Kyiv", datetime(2022, 12, 31, 22, 0, tzinfo=UTC))
    vtimezone.cache_clear()
    in_kyiv = vtimezone("Europe/Kyiv", datetime(2023, 1, 1, 0, 0, tzinfo=ZoneInfo("Europe/Kyiv")))
    assert in_kyiv == in_utc


@pytest.mark.parametrize("name", ZONES)
def test_every_line_ends_with_crlf_and_holds_at_most_75_octets(name: str) -> None:
    raw = vtimezone(name, datetime(1970, 1, 1, tzinfo=UTC)).encode("utf-8")
    assert raw.endswith(b"\r\n")
    for line in raw[:-2].split(b"\r\n"):
        assert b"\r" not in line
        assert b"\n" not in line
        assert 0 < len(line) <= 75


# --- unknown names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Mars/Olympus_Mons",
        "europe/brussels",
        "Europe",  # a directory of zones, not a zone
        "zone.tab",  # a file next to the zones that is not TZif
        "",
        "../etc/passwd",
        "/etc/passwd",
        "Europe/../../etc/passwd",
        "./Europe/Brussels",
    ],
)
def test_an_unknown_or_path_like_zone_name_is_refused(name: str) -> None:
    with pytest.raises(ZoneDataError):
        zone_data(name)
    with pytest.raises(ZoneDataError):
        vtimezone(name, SINCE_2023)


def test_a_path_that_leads_to_real_zone_data_is_still_refused() -> None:
    system_files = [Path(base, "Europe", "Brussels") for base in zoneinfo.TZPATH]
    absolute = [str(path) for path in system_files if path.is_file()]
    names = ["Europe/../Europe/Brussels", "../zoneinfo/Europe/Brussels", *absolute[:1]]
    for name in names:
        with pytest.raises(ZoneDataError):
            zone_data(name)


def test_a_zone_data_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Mars"):
        vtimezone("Mars/Olympus_Mons", SINCE_2023)


def test_a_zone_name_with_a_nul_byte_is_refused_as_unknown() -> None:
    with pytest.raises(ZoneDataError):
        zone_data("Europe/Brussels\x00")


# --- what parsers read -------------------------------------------------------------------------


@pytest.mark.parametrize("since", [SINCE_1990, datetime(2023, 7, 15, 12, tzinfo=UTC)])
@pytest.mark.parametrize("name", ZONES)
def test_the_offsets_read_by_rfc_5545_rules_match_zoneinfo(name: str, since: datetime) -> None:
    found = onsets(parsed_vtimezone(vtimezone(name, since)), UNTIL)
    zone = ZoneInfo(name)
    wrong = [
        at for at in instants(name, since, UNTIL) if offset_by_rfc(found, at) != offset(zone, at)
    ]
    assert wrong == []


@pytest.mark.parametrize("name", ZONES)
def test_icalendar_reads_the_zoneinfo_offset_between_changes(name: str) -> None:
    # lookup_tzid=False: by default icalendar ignores the text and returns zoneinfo's own zone.
    # Its zone from the text (dateutil's tzical) is unreliable within hours of a change where the
    # standard offset moves or daylight time is negative, so only instants a day away are asked.
    read = parsed_vtimezone(vtimezone(name, SINCE_1990)).to_tz(lookup_tzid=False)
    zone = ZoneInfo(name)
    changes = changes_of(name, SINCE_1990, UNTIL)
    # The middle of every stretch between two changes, and the 5-day samples a day from any.
    edges = [SINCE_1990, *changes, UNTIL]
    samples = [a + (b - a) / 2 for a, b in itertools.pairwise(edges)]
    for at in every_five_days(SINCE_1990, UNTIL):
        index = bisect.bisect(changes, at)
        near = changes[max(index - 1, 0) : index + 1]
        if all(abs(at - change) > timedelta(days=1) for change in near):
            samples.append(at)
    assert len(samples) > 3000
    wrong = [at for at in samples if offset(read, at) != offset(zone, at)]
    assert wrong == []


@pytest.mark.parametrize("name", ZONES)
def test_ical_in_strict_mode_and_vobject_accept_the_zone_with_an_event(name: str) -> None:
    vtz = vtimezone(name, SINCE_2023)
    text = in_calendar(vtz, event_in(name))
    parsed = IcsCalendarStream.calendar_from_ics(text)
    assert [tz.tz_id for tz in parsed.timezones] == [name]
    (timezone,) = parsed.timezones
    assert len(timezone.standard) == observances(vtz).count("STANDARD")
    assert len(timezone.daylight) == observances(vtz).count("DAYLIGHT")
    assert len(parsed.events) == 1

    card = vobject.readOne(text, validate=True)
    event = card.vevent
    zone = ZoneInfo(name)
    june = datetime(2024, 6, 12, 9, 30, tzinfo=zone)
    december = datetime(2024, 12, 12, 10, 30, tzinfo=zone)
    assert event.dtstart.value.utcoffset() == june.utcoffset()
    assert event.dtend.value.utcoffset() == december.utcoffset()


def test_brussels_reads_as_summer_and_winter_time_in_ical_and_vobject() -> None:
    text = in_calendar(vtimezone("Europe/Brussels", SINCE_2023), event_in("Europe/Brussels"))
    event = IcsCalendarStream.calendar_from_ics(text).events[0]
    assert event.dtstart == datetime(2024, 6, 12, 7, 30, tzinfo=UTC)
    assert event.dtend == datetime(2024, 12, 12, 9, 30, tzinfo=UTC)
    card = vobject.readOne(text, validate=True)
    assert card.vevent.dtstart.value == datetime(2024, 6, 12, 7, 30, tzinfo=UTC)
    assert card.vevent.dtend.value == datetime(2024, 12, 12, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("name", ["Europe/Brussels", "America/Nuuk", "Africa/Cairo", "Asia/Amman"])
def test_the_tzdata_package_gives_the_same_offsets_when_the_system_has_no_zone_files(
    name: str, fresh_caches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the module reads zoneinfo.TZPATH; ZoneInfo keeps the system's files, for reference.
    monkeypatch.setattr(zoneinfo, "TZPATH", ())
    found = onsets(parsed_vtimezone(vtimezone(name, SINCE_1990)), UNTIL)
    zone = ZoneInfo(name)  # the system's zone, for reference
    wrong = [
        at
        for at in instants(name, SINCE_1990, UNTIL)
        if offset_by_rfc(found, at) != offset(zone, at)
    ]
    assert wrong == []
