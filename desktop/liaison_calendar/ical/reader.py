"""Reading .ics files as real clients write them: one component at a time, repaired and reported.

``scan`` finds where the components of a file are without holding it in memory; the events are
then read back a chunk at a time and each VEVENT is parsed on its own (``content``), with the
time zones of its own VCALENDAR. What comes out are meeting drafts and the repairs that were
needed, or a problem naming the line and the component; nothing here touches the database.
"""

import hashlib
import json
import multiprocessing
import os
import re
import sys
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import ValidationError as PydanticValidationError

from liaison_calendar.domain.enums import ActionStatus, LeadSide, Mode, ReleaseLevel, Side, Status
from liaison_calendar.domain.models import (
    ActionItemDraft,
    AgendaItemDraft,
    MeetingDraft,
    Moment,
    ParticipantDraft,
)
from liaison_calendar.domain.text import clean_text
from liaison_calendar.domain.timezones import is_valid_zone, zone
from liaison_calendar.errors import ValidationError
from liaison_calendar.ical import content, scan, worker
from liaison_calendar.ical.export import TITLE_PREFIXES

DEFAULT_LIMIT = 50 * 1024 * 1024


ReadError = scan.ReadError
TooBigError = scan.TooBigError
Problem = scan.Problem
_Calendar = scan.Calendar


@dataclass
class Incoming:
    """One VEVENT, read and repaired, ready to become a meeting (or an override)."""

    line: int
    uid: str
    draft: MeetingDraft
    sequence: int = 0
    created: datetime | None = None
    last_modified: datetime | None = None
    recurrence_id: Moment | None = None
    repairs: list[str] = field(default_factory=list)
    unmatched_categories: list[str] = field(default_factory=list)
    exercise: dict[str, Any] | None = None  # our X-LIAISON-EXERCISE, for a phase
    phase: dict[str, Any] | None = None  # our X-LIAISON-PHASE
    phase_only: bool = False  # a phase with no meeting of its own: not a meeting at all
    stamp: datetime | None = None  # DTSTAMP

    @property
    def label(self) -> str:
        return f"{self.draft.title!r} (line {self.line})"


@dataclass
class ReadResult:
    events: list[Incoming] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Vocabulary:
    """How CATEGORIES names become kind and strand keys."""

    kinds: Mapping[str, str]  # casefolded name or key -> key
    strands: Mapping[str, str]


# --- time zones ----------------------------------------------------------------------------------


class _Zones:
    """TZID -> IANA zone name, by name, by Windows name, or by matching a custom VTIMEZONE."""

    def __init__(self, cal: _Calendar, default_tz: str) -> None:
        self._cal = cal
        self._default = default_tz
        self._cache: dict[str, tuple[str, str | None]] = {}

    def iana(self, tzid: str, near: datetime) -> tuple[str, str | None]:
        """(zone name, repair note or None)."""
        key = f"{tzid}@{near.year}"
        if key not in self._cache:
            self._cache[key] = self._resolve(tzid, near)
        return self._cache[key]

    def _resolve(self, tzid: str, near: datetime) -> tuple[str, str | None]:
        name = tzid.strip().strip('"')
        if is_valid_zone(name):
            return name, None
        if name.startswith("/"):  # some producers write /mozilla.org/.../Europe/Brussels
            tail = "/".join(name.split("/")[-2:])
            if is_valid_zone(tail):
                return tail, None
        windows = _windows_zones()
        if name in windows:
            return windows[name], None
        if name in self._cal.timezones:
            custom = self._custom(name)
            try:  # the zone's rules are evaluated here, by dateutil, on the file's values
                found = _matching_zone(custom, near, self._default) if custom else None
            except Exception:  # noqa: BLE001 - as a VTIMEZONE icalendar cannot read
                found = None
            if found is not None:
                return found, f"time zone {content.shown(name)} read as {found}"
        return self._default, f"unknown time zone {content.shown(name)} read as {self._default}"

    def _custom(self, tzid: str) -> tzinfo | None:
        text = self._cal.timezones[tzid][1]
        if any(_endless(line) for line in content.unfolded_lines(text)):
            return None
        try:
            import icalendar  # only for custom VTIMEZONEs: the app starts without it

            component: Any = icalendar.Timezone.from_ical(text)
            result: tzinfo = component.to_tz(lookup_tzid=False)
            return result
        except Exception:  # noqa: BLE001 - a broken VTIMEZONE falls back to the default zone
            return None


def _endless(line: str) -> bool:
    """Whether a VTIMEZONE line is a rule icalendar or dateutil would never finish with.

    Zones change their offsets once a year at most; icalendar lists every date a rule gives
    up to 2038 or its UNTIL (for FREQ=SECONDLY, for ever) and dateutil repeats the first
    date for ever on INTERVAL=0.
    """
    prop = content.parse_line(line)
    if prop is None or prop.name != "RRULE":
        return False
    parts = {
        key: value for key, _, value in (p.partition("=") for p in prop.value.upper().split(";"))
    }
    interval = content.number(parts.get("INTERVAL", "1"))
    return parts.get("FREQ") != "YEARLY" or interval is None or interval < 1


def _windows_zones() -> dict[str, str]:
    """Windows zone names (Outlook, Exchange) to IANA ones, from icalendar's table."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    return WINDOWS_TO_OLSON


_CANDIDATES = (
    "Europe/Brussels",
    "Europe/London",
    "Europe/Kyiv",
    "Europe/Chisinau",
    "Asia/Tbilisi",
    "Europe/Helsinki",
    "Europe/Lisbon",
    "America/New_York",
    "UTC",
)


def _matching_zone(custom: tzinfo, near: datetime, default: str) -> str | None:
    """An IANA zone with the same offsets as ``custom`` around ``near`` (two years, daily)."""
    samples = [
        datetime(near.year - 1, 1, 1, 12, tzinfo=UTC) + timedelta(days=d) for d in range(0, 730, 3)
    ]
    wanted = [s.astimezone(custom).utcoffset() for s in samples]
    for name in (default, *_CANDIDATES):
        tz = ZoneInfo(name)
        if [s.astimezone(tz).utcoffset() for s in samples] == wanted:
            return name
    # Any other zone (Outlook's "Nepal Standard Time" is Asia/Kathmandu): four dates a year
    # rule out nearly all of them at once; the rest are compared day by day as above.
    quick = samples[::30]
    few = [s.astimezone(custom).utcoffset() for s in quick]
    for name in _all_zones():
        tz = ZoneInfo(name)
        if [s.astimezone(tz).utcoffset() for s in quick] != few:
            continue
        if [s.astimezone(tz).utcoffset() for s in samples] == wanted:
            return name
    return None


@lru_cache(maxsize=1)
def _all_zones() -> tuple[str, ...]:
    """Every IANA zone, places ("Asia/Kathmandu") before the rest ("Etc/GMT-5", "EST5EDT")."""
    import zoneinfo

    names = zoneinfo.available_timezones()
    places = sorted(n for n in names if "/" in n and not n.startswith(("Etc/", "SystemV/")))
    return (*places, *sorted(names - set(places)))


# --- events --------------------------------------------------------------------------------------


def read(
    data: bytes,
    *,
    default_tz: str,
    vocabulary: Vocabulary,
    limit: int = DEFAULT_LIMIT,
) -> ReadResult:
    """Every event of a file's bytes at once (small files, tests); imports use ``open_file``."""
    with open_file(data, limit) as opened:
        result = ReadResult(problems=list(opened.problems))
        with Parser(opened.count) as parser:
            for found in opened.events(parser, default_tz=default_tz, vocabulary=vocabulary):
                if isinstance(found, Problem):
                    result.problems.append(found)
                else:
                    result.events.append(found)
    return result


@dataclass
class OpenedFile:
    """A file whose components have been found; its events are read as they are asked for."""

    source: scan.Source
    calendars: list[_Calendar]
    problems: list[Problem]

    @property
    def count(self) -> int:
        return sum(c.count for c in self.calendars)

    def __enter__(self) -> "OpenedFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.source.close()

    def events(
        self, parser: "Parser", *, default_tz: str, vocabulary: Vocabulary, chunk: int = 500
    ) -> Iterator["Incoming | Problem"]:
        for found in parser.parse(self._chunks(chunk), default_tz, vocabulary):
            yield from found

    def _chunks(self, size: int) -> Iterator["_Chunk"]:
        for cal in self.calendars:
            context = cal.context()
            for first in range(0, cal.count, size):
                last = min(first + size, cal.count) - 1
                base = cal.starts[first]
                raw = self.source.read(base, cal.ends[last])
                spans = [
                    (cal.lines[i], cal.starts[i] - base, cal.ends[i] - base)
                    for i in range(first, last + 1)
                ]
                yield context, raw, spans


_Chunk = tuple[_Calendar, bytes, list[tuple[int, int, int]]]  # calendar, bytes, (line, start, end)


def open_file(data: bytes | Path, limit: int = DEFAULT_LIMIT) -> OpenedFile:
    """The components of a file (a path, read from disk as needed) or of bytes in memory."""
    source = scan.Source(path=data) if isinstance(data, Path) else scan.Source(data=data)
    try:
        scan.check(source, limit)
        calendars, problems = scan.scan(source)
        if not calendars:
            raise ReadError("the file holds no VCALENDAR")
    except BaseException:
        source.close()
        raise
    return OpenedFile(source, calendars, problems)


PARALLEL_FROM = 400
"""Events in a file from which parsing moves to a second process (where fork exists)."""
SPAWNED_FROM = 5000
"""Events from which a fresh process parses them where a forked one cannot."""
_AHEAD = 2
"""Chunks the second process may parse ahead of the one the caller is saving."""


def _alone() -> bool:
    """Whether forking is safe: the main thread of a process with no other thread. Qt's
    threads (a QThread running the import) are not all in ``threading``'s count, so a process
    that loaded Qt is never taken to be alone."""
    return (
        threading.active_count() == 1
        and threading.current_thread() is threading.main_thread()
        and "PySide6.QtCore" not in sys.modules
    )


class Parser:
    """Parses chunks of events; for big files in a second process, ahead of the caller.

    The caller saves one chunk while the next ones are parsed, so both cores work. Forking
    is used only where it exists and the process has no other threads (not, say, inside the
    Qt app), and the worker is forked once per file.
    """

    def __init__(self, total: int) -> None:
        self._pool: ProcessPoolExecutor | None = None
        forks = "fork" in multiprocessing.get_all_start_methods()
        if total >= PARALLEL_FROM and forks and _alone():
            forked = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=forked,
                initializer=worker.end_with_parent,
                initargs=(os.getpid(), True),
            )
        elif total >= SPAWNED_FROM:
            # Threads (the Qt app) or no fork (Windows): a fresh interpreter, which takes a
            # second to start, pays for itself only on big files.
            spawned = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=spawned,
                initializer=worker.end_with_parent,
                initargs=(os.getpid(), False),
            )

    def __enter__(self) -> "Parser":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def parse(
        self, chunks: Iterator[_Chunk], default_tz: str, vocabulary: Vocabulary
    ) -> Iterator[list["Incoming | Problem"]]:
        """The events of each chunk, in order."""
        if self._pool is None:
            for chunk in chunks:
                yield _parse_chunk(chunk, default_tz, vocabulary)
            return
        waiting: deque[Future[list[Incoming | Problem]]] = deque()
        for chunk in chunks:
            waiting.append(self._pool.submit(_parse_chunk, chunk, default_tz, vocabulary))
            if len(waiting) > _AHEAD:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()


def _parse_chunk(
    chunk: _Chunk, default_tz: str, vocabulary: Vocabulary
) -> list["Incoming | Problem"]:
    cal, raw, spans = chunk
    zones = _Zones(cal, default_tz)
    wr_tz = cal.props.get("X-WR-TIMEZONE", "").strip()
    calendar_tz = wr_tz if wr_tz and is_valid_zone(wr_tz) else None
    found: list[Incoming | Problem] = []
    for line, start, end in spans:
        body = scan.text_of(raw[start:end])
        try:
            found.append(_event(line, body, zones, calendar_tz, default_tz, vocabulary))
        except _UnreadableError as exc:
            found.append(Problem(line, "VEVENT", str(exc)))
        except OverflowError:  # a date near year 1 or 9999, moved to a zone or given a length
            found.append(Problem(line, "VEVENT", _OUT_OF_RANGE))
        except ValueError as exc:  # any other value that cannot be read, pydantic's included
            found.append(Problem(line, "VEVENT", f"cannot be read ({_reason(exc)})"))
    return found


FIRST_YEAR = 1001
"""The first year of a meeting: the store writes instants before year 1000 in a form it
cannot read back (``1-01-01T...``), and a zone may move 1 January 1000 into 999."""
_OUT_OF_RANGE = f"has a date or time out of range (the calendar holds years {FIRST_YEAR} to 9999)"


def _reason(exc: ValueError) -> str:
    """A ValueError in one short line; for a draft pydantic refused, the field and why."""
    if isinstance(exc, PydanticValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        text = f"{where}: {first.get('msg', '')}"
    else:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 120 else f"{text[:117]}..."


class _UnreadableError(ValueError):
    pass


def _event(
    line: int,
    body: str,
    zones: _Zones,
    calendar_tz: str | None,
    default_tz: str,
    vocabulary: Vocabulary,
) -> Incoming:
    lines = content.unfolded_lines(body)
    ev = content.component(lines)
    if ev.broken:
        raise _UnreadableError(f"cannot be read (not a content line: {ev.broken[0][:60]!r})")
    repairs: list[str] = []
    start_prop = ev.first("DTSTART")
    if start_prop is None:
        raise _UnreadableError("has no DTSTART")
    raw_start = _value(start_prop)
    tz, floating = _zone_of(start_prop, raw_start, zones, calendar_tz, default_tz, repairs)
    ours = _ours(ev)
    if isinstance(raw_start, datetime) and raw_start.tzinfo is not None:
        # A UTC start of our own event (a server rewrote its times, Radicale even as
        # "TZID=...:...Z"): the instant, shown in the meeting's own zone, not the calendar's.
        tz = _known_zone(ours.get("X-LIAISON-TZ")) or tz
    start = _moment(raw_start, tz)
    end = _end(ev, start, tz, repairs)
    title = clean_text(ev.text("SUMMARY")).strip()  # control characters alone are no title
    status_word = ev.text("STATUS", "CONFIRMED").strip().upper()
    status = _status(status_word, ours.get("X-LIAISON-STATUS"))
    prefix = TITLE_PREFIXES.get(status, "")
    if prefix and title.startswith(prefix) and "X-LIAISON-KIND" in ours:
        title = title[len(prefix) :]
    if not title:
        title = "(no title)"
        repairs.append("no SUMMARY: titled '(no title)'")
    kinds, strands, unmatched = _categories(ev, vocabulary)
    # Cleaned as the draft cleans it: the importer matches UIDs before the draft is saved.
    uid = clean_text(ev.text("UID")).strip()
    if not uid:
        uid = "import-" + hashlib.sha256(_content_key(lines).encode()).hexdigest()[:32]
        repairs.append(f"no UID: gave it {uid}")
    description = ev.text("DESCRIPTION")
    chars = content.number(ours.get("X-LIAISON-DESCRIPTION-CHARS"))
    if chars is not None and chars >= 0:  # our own file: the rest is agenda, outcomes, marking
        description = description[:chars]
    rrule = None
    if "RRULE" in ev:
        rrule = _rrule(ev, start, tz, repairs)
    exdates = [_moment(d, tz) for d in _dates(ev, "EXDATE", repairs)]
    if isinstance(start, datetime) and any(not isinstance(x, datetime) for x in exdates):
        # Some producers skip a day of a timed series with a DATE: skip its time on that day.
        local = start.astimezone(zone(tz))
        exdates = [
            x
            if isinstance(x, datetime)
            else datetime.combine(x, local.time()).replace(tzinfo=zone(tz))
            for x in exdates
        ]
        repairs.append("DATE EXDATE on a timed series: read as the meeting's time that day")
    rdates = [_moment(d, tz) for d in _dates(ev, "RDATE", repairs)]
    if rdates and rrule is None:
        # The app adds extra dates to a rule: a rule that gives the start alone says the same.
        rrule = "FREQ=DAILY;COUNT=1"
        repairs.append("RDATE without RRULE: kept as extra dates of a one-time rule")
    recurrence_id = None
    if (rid := ev.first("RECURRENCE-ID")) is not None:
        recurrence_id = _moment(_value(rid), tz)
    moments = [start, *exdates, *rdates] + ([recurrence_id] if recurrence_id else [])
    if any(m.year < FIRST_YEAR for m in moments):  # the end is never before the start
        raise _UnreadableError(_OUT_OF_RANGE)
    kind = ours.get("X-LIAISON-KIND") or (kinds[0] if kinds else "other")
    draft = MeetingDraft(
        title=title,
        kind=kind,
        start=_naive_local(start),
        end=_naive_local(end),
        tz=ours.get("X-LIAISON-TZ") or tz,
        strands=_list(ours.get("X-LIAISON-STRANDS")) or strands,
        partners=_list(ours.get("X-LIAISON-PARTNERS")),
        series=ours.get("X-LIAISON-SERIES") or None,
        iteration=_iteration(ours.get("X-LIAISON-ITERATION"), repairs),
        location=ev.text("LOCATION").strip(),
        mode=_choice(Mode, ours, "X-LIAISON-MODE", Mode.IN_PERSON, repairs),
        lead_side=_choice(LeadSide, ours, "X-LIAISON-LEAD", LeadSide.CO_CHAIRED, repairs),
        status=status,
        marking=ours.get("X-LIAISON-MARKING", ""),
        release_level=_choice(ReleaseLevel, ours, "X-LIAISON-RELEASE", ReleaseLevel.STAFF, repairs),
        description=description,
        outcomes=ours.get("X-LIAISON-OUTCOMES", ""),
        rrule=rrule,
        exdates=[_naive_local(x) for x in exdates],
        rdates=[_naive_local(x) for x in rdates],
        proposals=[
            n for n in map(content.number, _list(ours.get("X-LIAISON-PROPOSALS"))) if n is not None
        ],
        floating=floating or ours.get("X-LIAISON-FLOATING") == "TRUE",
        uid=uid,
        participants=_participants(ev),
        agenda=_agenda(ev),
        actions=_actions(ev),
    )
    return Incoming(
        line=line,
        uid=uid,
        draft=draft,
        sequence=content.integer(ev.text("SEQUENCE", "0")),
        created=_utc(ev, "CREATED"),
        last_modified=_utc(ev, "LAST-MODIFIED") or _utc(ev, "DTSTAMP"),
        recurrence_id=recurrence_id,
        repairs=repairs,
        unmatched_categories=unmatched,
        exercise=_json(ours.get("X-LIAISON-EXERCISE")),
        phase=_json(ours.get("X-LIAISON-PHASE")),
        phase_only="X-LIAISON-PHASE" in ours and "X-LIAISON-TZ" not in ours,
        stamp=_utc(ev, "DTSTAMP"),
    )


_E = TypeVar("_E", bound=StrEnum)


def _choice(kind: type[_E], ours: dict[str, str], name: str, default: _E, repairs: list[str]) -> _E:
    """One of our enumerated values (X-LIAISON-MODE...); an unknown one is the default."""
    value = ours.get(name)
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError:
        repairs.append(f"{name} {content.shown(value)} is not known: read as {default.value}")
        return default


def _iteration(value: str | None, repairs: list[str]) -> int | None:
    if not value:
        return None
    number = content.number(value)
    if number is None:
        repairs.append(f"X-LIAISON-ITERATION {content.shown(value)} is not a number: left out")
    return number


def _value(prop: content.Prop) -> Moment:
    """A DATE or DATE-TIME property's value (naive unless UTC), or the event is unreadable."""
    try:
        return content.date_or_time(prop.value)
    except content.BadValue as exc:
        raise _UnreadableError(f"{prop.name} cannot be read ({exc})") from None


def _json(value: str | None) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        found = json.loads(value)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _content_key(lines: list[str]) -> str:
    """The event without lines that change on every export (DTSTAMP)."""
    return "\n".join(line for line in lines if not line.upper().startswith("DTSTAMP"))


def _zone_of(
    prop: content.Prop,
    value: Moment,
    zones: _Zones,
    calendar_tz: str | None,
    default_tz: str,
    repairs: list[str],
) -> tuple[str, bool]:
    """(IANA zone of the event, whether its times were floating)."""
    if not isinstance(value, datetime):
        return calendar_tz or default_tz, False
    tzid = prop.params.get("TZID")
    if tzid and value.tzinfo is None:
        name, note = zones.iana(tzid, value)
        if note:
            repairs.append(note)
        return name, False
    if value.tzinfo is not None:  # UTC: Google writes these with X-WR-TIMEZONE
        return calendar_tz or default_tz, False
    where = calendar_tz or default_tz
    repairs.append(f"floating time read in {where}")
    return where, True


def _moment(value: Moment, tz: str) -> Moment:
    """An aware datetime in ``tz``, or a date.

    A UTC time is an instant; any other is wall time in the zone this reader chose for its
    TZID.
    """
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is not None:
        return value.astimezone(zone(tz))
    return value.replace(tzinfo=zone(tz))


def _known_zone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        zone(name)
    except ValidationError:
        return None
    return name


def _naive_local(value: Moment) -> Moment:
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


def _end(ev: content.Component, start: Moment, tz: str, repairs: list[str]) -> Moment:
    dtend, length = ev.first("DTEND"), ev.first("DURATION")
    if dtend is not None:
        end = _moment(_value(dtend), tz)
        if isinstance(start, datetime) != isinstance(end, datetime):
            repairs.append("DTEND and DTSTART of different types: DTEND taken from DTSTART")
            end = start + (timedelta(hours=1) if isinstance(start, datetime) else timedelta(days=1))
    elif length is not None:
        try:
            end = start + content.duration(length.value)
        except content.BadValue as exc:
            raise _UnreadableError(f"DURATION cannot be read ({exc})") from None
    else:
        end = start + (timedelta(hours=1) if isinstance(start, datetime) else timedelta(days=1))
        if isinstance(start, datetime):
            repairs.append("no DTEND or DURATION: one hour long")
    if end < start:
        repairs.append("DTEND before DTSTART: given the default length")
        end = start + (timedelta(hours=1) if isinstance(start, datetime) else timedelta(days=1))
    if end == start and not isinstance(start, datetime):
        repairs.append("all-day DTEND equal to DTSTART: one day long")
        end = start + timedelta(days=1)
    return end


RULE_LIMIT = 1000
"""Characters of an RRULE the reader takes (the longest a client writes is a few hundred)."""
_SUB_DAILY = ("SECONDLY", "MINUTELY", "HOURLY")


def _rrule(ev: content.Component, start: Moment, tz: str, repairs: list[str]) -> str:
    rules = ev.all("RRULE")
    if len(rules) > 1:
        repairs.append("several RRULEs: only the first kept")
    # The rule as written, in upper case; the meeting service checks it.
    text = rules[0].value.strip().upper()
    if len(text) > RULE_LIMIT:
        raise _UnreadableError(f"RRULE cannot be read (it is {len(text):,} characters long)")
    pairs = [part.partition("=")[::2] for part in text.split(";") if part]
    freq = next((value for key, value in pairs if key == "FREQ"), "")
    # Which Monday of a month (+1MO...-5MO) or of a year (up to 53): dateutil fails with an
    # IndexError on a 60th Monday, where a rule it cannot read fails with a ValueError.
    in_month = freq == "MONTHLY" or (freq == "YEARLY" and any(k == "BYMONTH" for k, _ in pairs))
    most = 5 if in_month else 53
    parts = []
    for key, value in pairs:
        if key == "BYEASTER":  # dateutil's own, not iCalendar's (and it fails past 300)
            raise _UnreadableError("RRULE cannot be read (BYEASTER is not iCalendar)")
        if key == "BYDAY":
            for day in value.split(","):
                nth = re.fullmatch(r"\s*([+-]?[0-9]+)[A-Z]{2}\s*", day)
                if nth and not 1 <= abs(int(nth.group(1))) <= most:
                    raise _UnreadableError(
                        f"RRULE cannot be read (BYDAY={content.shown(value)}: a "
                        f"{'month' if in_month else 'year'} has at most {most} of each weekday)"
                    )
        # A rule that repeats within a day gives a month view hundreds of thousands of
        # occurrences (FREQ=SECONDLY: 2.6 million), and one that gives no date at all takes
        # dateutil seconds to find so: no meeting repeats like that.
        if key == "FREQ" and value in _SUB_DAILY:
            raise _UnreadableError(
                f"RRULE repeats more often than daily (FREQ={value}), which no meeting does"
            )
        if key in ("BYMINUTE", "BYSECOND") and "," in value:
            raise _UnreadableError(
                f"RRULE repeats more often than hourly ({key}={content.shown(value)}), "
                "which no meeting does"
            )
        if key == "INTERVAL" and not (content.number(value) or 0) > 0:
            # dateutil repeats the start for ever on INTERVAL=0: a month view never ends.
            raise _UnreadableError(
                f"RRULE cannot be read (INTERVAL={content.shown(value)} is not a whole number "
                "above 0)"
            )
        if key == "UNTIL":
            value = _until(value, start, tz, repairs)
        parts.append(f"{key}={value}")
    return ";".join(parts)


def _until(value: str, start: Moment, tz: str, repairs: list[str]) -> str:
    """An RRULE's UNTIL of the type of the start, as the meeting service stores it."""
    # [0-9], not \d: int() reads other digits, date() then refuses what they say.
    if not re.fullmatch(r"[0-9]{8}(T[0-9]{6}Z?)?", value):
        raise _UnreadableError(f"RRULE cannot be read (UNTIL={content.shown(value)} is not a date)")
    try:
        if not isinstance(start, datetime) and "T" in value:
            given = zone("UTC") if value.endswith("Z") else zone(tz)
            moment = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S").replace(tzinfo=given)
            repairs.append("DATE-TIME UNTIL on an all-day start: read as its date")
            return moment.astimezone(zone(tz)).strftime("%Y%m%d")
        if isinstance(start, datetime) and "T" not in value:
            day = date(int(value[:4]), int(value[4:6]), int(value[6:8]))
            end_of_day = datetime.combine(day, time(23, 59, 59)).replace(tzinfo=zone(tz))
            repairs.append("DATE UNTIL on a timed start: read as the end of that day")
            return end_of_day.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        if isinstance(start, datetime) and not value.endswith("Z"):
            wall = datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone(tz))
            return wall.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    except ValueError:  # 20251345, or a time of 99:99
        raise _UnreadableError(
            f"RRULE cannot be read (UNTIL={content.shown(value)} is not a real date)"
        ) from None
    return value


def _dates(ev: content.Component, name: str, repairs: list[str]) -> list[Moment]:
    try:
        found, periods = content.date_or_time_list(ev.all(name))
    except content.BadValue as exc:
        raise _UnreadableError(f"{name} cannot be read ({exc})") from None
    if periods:
        repairs.append(f"{name} periods are not kept, only dates and times")
    return found


def _utc(ev: content.Component, name: str) -> datetime | None:
    """A timestamp property (CREATED, LAST-MODIFIED, DTSTAMP) in UTC; None if unreadable."""
    prop = ev.first(name)
    if prop is None:
        return None
    try:
        value = content.date_or_time(prop.value)
    except content.BadValue:
        return None
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        tzid = prop.params.get("TZID", "")
        value = value.replace(tzinfo=zone(tzid) if is_valid_zone(tzid) else UTC)
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # 9999-12-31 in a zone west of UTC
        return None
    return value if value.year >= FIRST_YEAR else None


def _status(word: str, ours: str | None) -> Status:
    if ours:
        try:
            return Status(ours)
        except ValueError:
            pass
    return {
        "TENTATIVE": Status.TENTATIVE,
        "CANCELLED": Status.CANCELLED,
    }.get(word, Status.CONFIRMED)


def _ours(ev: content.Component) -> dict[str, str]:
    """Our own X-LIAISON properties: the last of each single-valued one, every value of a list."""
    found = {}
    for key, props in ev.items():
        if key.startswith("X-LIAISON-") and key not in ("X-LIAISON-AGENDA", "X-LIAISON-ACTION"):
            # Lists stay escaped until split: a comma inside a name is "\\,". They come as
            # one property per value (what we write) or as one comma-separated property.
            if key in _LISTS:
                found[key] = ",".join(p.value for p in props)
            else:
                found[key] = unescape(props[-1].value)
    return found


_LISTS = ("X-LIAISON-STRANDS", "X-LIAISON-PARTNERS", "X-LIAISON-PROPOSALS")


unescape = content.unescape


def _list(value: str | None) -> list[str]:
    return content.text_list(value) if value else []


def _categories(
    ev: content.Component, vocabulary: Vocabulary
) -> tuple[list[str], list[str], list[str]]:
    names = [c for prop in ev.all("CATEGORIES") for c in content.text_list(prop.value)]
    kinds, strands, unmatched = [], [], []
    for name in names:
        folded = name.strip().casefold()
        if folded in vocabulary.kinds:
            kinds.append(vocabulary.kinds[folded])
        elif folded in vocabulary.strands:
            strands.append(vocabulary.strands[folded])
        elif name.strip():
            unmatched.append(name.strip())
    return kinds, strands, unmatched


def _address(value: str) -> str:
    text = value.strip()
    return text[7:] if text.lower().startswith("mailto:") else ""


def _participants(ev: content.Component) -> list[ParticipantDraft]:
    people: list[ParticipantDraft] = []
    attendees = ev.all("ATTENDEE")
    addresses = {_address(p.value) for p in attendees} - {""}
    seen: set[tuple[str, str]] = set()
    # The organiser too, unless an attendee has their address: Outlook does not list them
    # among the attendees. Two people may share one address (a team mailbox): an attendee is
    # left out only when both name and address repeat one already read (two without an
    # address are two people, even with one name).
    for prop in [*attendees, *ev.all("ORGANIZER")[:1]]:
        params = prop.params
        email = _address(prop.value)
        name = str(params.get("CN") or email or "").strip()
        organiser = prop.name == "ORGANIZER"
        if not name or (email and (email, name) in seen) or (organiser and email in addresses):
            continue
        seen.add((email, name))
        side = params.get("X-LIAISON-SIDE", "other")
        people.append(
            ParticipantDraft(
                name=name,
                organisation=str(params.get("X-LIAISON-ORG", "")),
                side=Side(side) if side in {s.value for s in Side} else Side.OTHER,
                role=str(params.get("X-LIAISON-ROLE") or _role_word(params.get("ROLE"))),
                email=email,
            )
        )
    return people


def _day(value: str) -> date | None:
    """An ISO date (our X-DUE), or None when there is none or it is not one."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _role_word(role: object) -> str:
    return "chair" if str(role or "").upper() == "CHAIR" else ""


def _agenda(ev: content.Component) -> list[AgendaItemDraft]:
    items = []
    for prop in ev.all("X-LIAISON-AGENDA"):
        params = prop.params
        minutes = content.number(params.get("X-DURATION"))
        items.append(
            AgendaItemDraft(
                title=prop.text,
                lead=str(params.get("X-LEAD", "")),
                duration_min=minutes if minutes is not None and 0 <= minutes <= 24 * 60 else 30,
                notes=str(params.get("X-NOTES", "")),
            )
        )
    return items


def _actions(ev: content.Component) -> list[ActionItemDraft]:
    items = []
    for prop in ev.all("X-LIAISON-ACTION"):
        params = prop.params
        status = str(params.get("X-STATUS", "open"))
        due = str(params.get("X-DUE", ""))
        items.append(
            ActionItemDraft(
                text=prop.text,
                owner=str(params.get("X-OWNER", "")),
                due=_day(due),
                status=ActionStatus(status)
                if status in {s.value for s in ActionStatus}
                else ActionStatus.OPEN,
            )
        )
    return items
