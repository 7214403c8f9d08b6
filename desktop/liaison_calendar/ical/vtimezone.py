"""VTIMEZONE components built from the zone's own TZif data, with yearly RRULEs.

Outlook misreads a VTIMEZONE written as a long RDATE list (what icalendar's ``from_tzid`` gives),
so the current rule of a zone is written the way Outlook and Exchange write theirs: one
STANDARD and one DAYLIGHT observance, each a yearly RRULE, taken from the POSIX TZ string at the
end of the TZif file (``CET-1CEST,M3.5.0,M10.5.0/3``). Transitions before that rule began are
written one observance each (a DTSTART and no RDATE list), and only those needed from the
earliest exported event onwards.

The data comes from the same place as ``zoneinfo``'s (the system zone files, else the tzdata
package), so the file and the app never disagree about an offset.
"""

import calendar
import importlib.resources
import re
import struct
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from liaison_calendar.ical.lines import escape_text, fold, local_stamp

_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # POSIX weekday 0 is Sunday
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ZoneDataError(ValueError):
    """The zone's TZif data is missing or cannot be read."""


@dataclass(frozen=True)
class Transition:
    at: int  # seconds since the epoch, UTC
    before: int  # UTC offset in seconds before the change
    after: int  # UTC offset in seconds after it
    isdst: bool
    name: str


@dataclass(frozen=True)
class _RuleDate:
    month: int
    week: int  # 1-4, or 5 for "last"
    weekday: int  # 0 = Sunday
    seconds: int  # local time of day of the change, may be < 0 or >= 24 h

    def utc(self, year: int, offset: int) -> int:
        """The instant of the change in ``year``, read in the offset in force before it."""
        first_wd, length = calendar.monthrange(year, self.month)
        first_wd = (first_wd + 1) % 7  # calendar: Monday = 0; POSIX: Sunday = 0
        day = 1 + (self.weekday - first_wd) % 7 + (self.week - 1) * 7
        while day > length:
            day -= 7
        local = datetime(year, self.month, day, tzinfo=UTC) + timedelta(seconds=self.seconds)
        return int((local - _EPOCH).total_seconds()) - offset

    def rrule(self) -> str | None:
        """The yearly RRULE of this date, or None when no single yearly rule can say it."""
        shift, _ = divmod(self.seconds, 86400)
        if shift == 0:
            week = -1 if self.week == 5 else self.week
            return f"FREQ=YEARLY;BYMONTH={self.month};BYDAY={week}{_DAYS[self.weekday]}"
        weekday = _DAYS[(self.weekday + shift) % 7]
        shortest = min(calendar.monthrange(y, self.month)[1] for y in (2023, 2024))
        if self.week == 5:
            if shift > 0:
                return None  # may fall into the next month
            days = range(-7 + shift, shift)  # last weekday is one of the last 7 days
            monthdays = ",".join(str(d) for d in days)
        else:
            first = 7 * (self.week - 1) + 1 + shift
            if first < 1 or first + 6 > shortest:
                return None
            monthdays = ",".join(str(d) for d in range(first, first + 7))
        return f"FREQ=YEARLY;BYMONTH={self.month};BYDAY={weekday};BYMONTHDAY={monthdays}"

    def local_time(self) -> int:
        return self.seconds % 86400


@dataclass(frozen=True)
class _Rule:
    std_name: str
    std_offset: int
    dst_name: str | None = None
    dst_offset: int | None = None
    dst_start: _RuleDate | None = None
    dst_end: _RuleDate | None = None


@dataclass(frozen=True)
class ZoneData:
    name: str
    transitions: tuple[Transition, ...]
    rule: _Rule | None
    initial_offset: int
    initial_name: str


# --- reading TZif ----------------------------------------------------------------------------


def _tzif_bytes(name: str) -> bytes:
    parts = name.split("/")
    if not name or "\0" in name or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise ZoneDataError(f"Unknown time zone {name!r}.")
    for base in zoneinfo.TZPATH:
        path = Path(base, name)
        if path.is_file():
            return path.read_bytes()
    try:
        resource = importlib.resources.files("tzdata.zoneinfo").joinpath(*parts)
        return resource.read_bytes()
    except (ModuleNotFoundError, OSError, ValueError):
        raise ZoneDataError(f"No time zone data for {name!r}.") from None


def _parse_tzif(name: str, data: bytes) -> ZoneData:
    if data[:4] != b"TZif":
        raise ZoneDataError(f"The time zone data for {name!r} is not TZif.")
    version = data[4]

    def header(at: int) -> tuple[int, ...]:
        return struct.unpack(">6l", data[at + 20 : at + 44])

    isut, isstd, leap, timecnt, typecnt, charcnt = header(0)
    time_size = 4
    offset = 44
    if version >= ord("2"):
        offset += timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut
        isut, isstd, leap, timecnt, typecnt, charcnt = header(offset)
        offset += 44
        time_size = 8
    fmt = f">{timecnt}{'q' if time_size == 8 else 'l'}"
    times = struct.unpack(fmt, data[offset : offset + timecnt * time_size])
    offset += timecnt * time_size
    indices = data[offset : offset + timecnt]
    offset += timecnt
    types = [struct.unpack_from(">lBB", data, offset + i * 6) for i in range(typecnt)]
    offset += typecnt * 6
    chars = data[offset : offset + charcnt]
    offset += charcnt + leap * (time_size + 4) + isstd + isut

    def abbr(index: int) -> str:
        end = chars.index(b"\0", index)
        return chars[index:end].decode("ascii", "replace")

    rule = None
    if version >= ord("2"):
        footer = data[offset:].strip(b"\n").decode("ascii", "replace")
        rule = _parse_posix(footer) if footer else None
    # The type before the first transition: the first non-DST type (RFC 8536 section 3.2).
    initial = next((t for t in types if not t[1]), types[0])
    transitions = []
    previous = initial[0]
    for at, index in zip(times, indices, strict=True):
        utoff, isdst, desig = types[index]
        transitions.append(Transition(at, previous, utoff, bool(isdst), abbr(desig)))
        previous = utoff
    return ZoneData(name, tuple(transitions), rule, initial[0], abbr(initial[2]))


_NAME = r"(<[^>]+>|[A-Za-z]+)"
_OFFSET = r"([+-]?\d{1,3}(?::\d{2}){0,2})"
_POSIX = re.compile(rf"^{_NAME}{_OFFSET}(?:{_NAME}{_OFFSET}?(?:,([^,]+),([^,]+))?)?$")


def _seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")]
    parts += [0] * (3 - len(parts))
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def _rule_date(text: str) -> _RuleDate:
    when, _, at = text.partition("/")
    match = re.fullmatch(r"M(\d{1,2})\.(\d)\.(\d)", when)
    if match is None:
        raise ZoneDataError(f"Unsupported POSIX rule date {text!r}.")
    month, week, weekday = (int(g) for g in match.groups())
    return _RuleDate(month, week, weekday, _seconds(at) if at else 7200)


def _parse_posix(text: str) -> _Rule:
    match = _POSIX.match(text)
    if match is None:
        raise ZoneDataError(f"Unsupported POSIX TZ string {text!r}.")
    std_name, std_off, dst_name, dst_off, start, end = match.groups()
    std_offset = -_seconds(std_off)  # POSIX offsets count west of Greenwich
    if dst_name is None:
        return _Rule(std_name.strip("<>"), std_offset)
    dst_offset = -_seconds(dst_off) if dst_off else std_offset + 3600
    if start is None or end is None:
        raise ZoneDataError(f"POSIX TZ string {text!r} has daylight time without rules.")
    return _Rule(
        std_name.strip("<>"),
        std_offset,
        dst_name.strip("<>"),
        dst_offset,
        _rule_date(start),
        _rule_date(end),
    )


@lru_cache(maxsize=64)
def zone_data(name: str) -> ZoneData:
    return _parse_tzif(name, _tzif_bytes(name))


# --- building the component ------------------------------------------------------------------


@dataclass(frozen=True)
class _Observance:
    daylight: bool
    start: int  # UTC instant of the first onset
    before: int
    after: int
    name: str
    rrule: str | None = None

    def text(self) -> str:
        kind = "DAYLIGHT" if self.daylight else "STANDARD"
        local = _EPOCH + timedelta(seconds=self.start + self.before)
        lines = [
            f"BEGIN:{kind}\r\n",
            f"DTSTART:{local_stamp(local)}\r\n",
        ]
        if self.rrule:
            lines.append(f"RRULE:{self.rrule}\r\n")
        lines += [
            f"TZOFFSETFROM:{_offset_text(self.before)}\r\n",
            f"TZOFFSETTO:{_offset_text(self.after)}\r\n",
            fold(f"TZNAME:{escape_text(self.name)}"),
            f"END:{kind}\r\n",
        ]
        return "".join(lines)


def _offset_text(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _year_of(instant: int) -> int:
    return (_EPOCH + timedelta(seconds=instant)).year


def _rule_transitions(rule: _Rule, year: int) -> list[Transition]:
    """The two changes that ``rule`` makes in ``year``, in time order."""
    assert rule.dst_start is not None
    assert rule.dst_end is not None
    assert rule.dst_offset is not None
    assert rule.dst_name is not None
    on = rule.dst_start.utc(year, rule.std_offset)
    off = rule.dst_end.utc(year, rule.dst_offset)
    found = [
        Transition(on, rule.std_offset, rule.dst_offset, True, rule.dst_name),
        Transition(off, rule.dst_offset, rule.std_offset, False, rule.std_name),
    ]
    return sorted(found, key=lambda t: t.at)


def _observances(data: ZoneData, earliest: int, until_year: int) -> list[_Observance]:
    explicit: list[Transition] = []
    for t in data.transitions:  # drop changes that change nothing a VTIMEZONE can say
        last = explicit[-1] if explicit else None
        if (t.after, t.isdst, t.name) != (
            (last.after, last.isdst, last.name) if last else (data.initial_offset, False, "")
        ):
            explicit.append(t)
    rule = data.rule
    rule_from: int | None = None  # first instant from which the POSIX rule alone is right
    result: list[_Observance] = []
    if rule is not None and rule.dst_start is not None:
        # Walk back over explicit transitions while they agree with the rule.
        matched = len(explicit)
        while matched > 0:
            t = explicit[matched - 1]
            year = _year_of(t.at)
            predicted = {
                (p.at, p.after)
                for y in (year - 1, year, year + 1)
                for p in _rule_transitions(rule, y)
            }
            if (t.at, t.after) not in predicted:
                break
            matched -= 1
        history = explicit[:matched]
        after = (
            explicit[matched].at
            if matched < len(explicit)
            else (explicit[-1].at + 1 if explicit else earliest)
        )
        firsts: dict[bool, Transition] = {}
        year = _year_of(after) - 1
        while len(firsts) < 2 and year <= _year_of(after) + 2:
            for p in _rule_transitions(rule, year):
                if p.at >= after and p.isdst not in firsts:
                    firsts[p.isdst] = p
            year += 1
        rule_from = min(p.at for p in firsts.values())
        for p in sorted(firsts.values(), key=lambda p: p.at):
            rule_date = rule.dst_start if p.isdst else rule.dst_end
            assert rule_date is not None
            yearly = rule_date.rrule()
            if yearly is None:
                # No single yearly rule says it: write each year out, through ``until_year``.
                for y in range(_year_of(p.at), until_year + 1):
                    for q in _rule_transitions(rule, y):
                        if q.isdst == p.isdst and q.at >= p.at:
                            result.append(_Observance(q.isdst, q.at, q.before, q.after, q.name))
                continue
            result.append(_Observance(p.isdst, p.at, p.before, p.after, p.name, yearly))
    else:
        history = explicit[:-1] if explicit else []
        if explicit:
            last = explicit[-1]
            result.append(_Observance(False, last.at, last.before, last.after, last.name))
            rule_from = last.at
        else:
            offset = rule.std_offset if rule else data.initial_offset
            name = rule.std_name if rule else data.initial_name
            result.append(_Observance(False, 0, offset, offset, name))
            rule_from = 0
    if earliest < rule_from:
        # The transition in force at ``earliest`` and every one after it, one observance each.
        needed = [t for t in history if t.at >= earliest]
        before = [t for t in history if t.at < earliest]
        if before:
            needed.insert(0, before[-1])
        elif not needed or needed[0].at > earliest:
            offset = data.initial_offset
            result.append(_Observance(False, earliest, offset, offset, data.initial_name))
        result.extend(_Observance(t.isdst, t.at, t.before, t.after, t.name) for t in needed)
    return sorted(result, key=lambda o: (o.start, o.daylight))


@lru_cache(maxsize=256)
def vtimezone(tzid: str, earliest: datetime, until_year: int = 2100) -> str:
    """The VTIMEZONE text for ``tzid`` valid from ``earliest`` on (CRLF, folded)."""
    data = zone_data(tzid)
    since = int((earliest.astimezone(UTC) - _EPOCH).total_seconds())
    parts = [
        "BEGIN:VTIMEZONE\r\n",
        fold(f"TZID:{escape_text(tzid)}"),
        *(o.text() for o in _observances(data, since, until_year)),
        "END:VTIMEZONE\r\n",
    ]
    return "".join(parts)
