"""Reading .ics files as real clients write them: one component at a time, repaired and reported.

The file is split into components by a line scanner first, so that a huge file never becomes one
huge parse tree; each VEVENT is then parsed by icalendar on its own, with the time zones of its
own VCALENDAR. What comes out are meeting drafts and the repairs that were needed, or a problem
naming the line and the component; nothing here touches the database.
"""

import hashlib
import io
import json
import multiprocessing
import re
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from liaison_calendar.domain.enums import ActionStatus, LeadSide, Mode, ReleaseLevel, Side, Status
from liaison_calendar.domain.models import (
    ActionItemDraft,
    AgendaItemDraft,
    MeetingDraft,
    Moment,
    ParticipantDraft,
)
from liaison_calendar.domain.timezones import is_valid_zone, zone
from liaison_calendar.ical.export import TITLE_PREFIXES

DEFAULT_LIMIT = 50 * 1024 * 1024
_BEGIN = re.compile(r"^BEGIN:([A-Za-z0-9-]+)$", re.IGNORECASE)
_END = re.compile(r"^END:([A-Za-z0-9-]+)$", re.IGNORECASE)


class ReadError(ValueError):
    """The input is not a calendar at all (empty, HTML, binary, too big)."""


@dataclass(frozen=True)
class Problem:
    line: int
    component: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.component}: {self.message}"


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


@dataclass
class _Calendar:
    line: int
    props: dict[str, str] = field(default_factory=dict)
    timezones: dict[str, tuple[int, str]] = field(default_factory=dict)  # TZID -> (line, text)
    events: list[tuple[int, str]] = field(default_factory=list)


# --- splitting ---------------------------------------------------------------------------------


def decode(data: bytes, limit: int = DEFAULT_LIMIT) -> str:
    if len(data) > limit:
        raise ReadError(
            f"the file is {len(data) / 2**20:.0f} MB, above the import limit of "
            f"{limit / 2**20:.0f} MB"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise ReadError("the file is empty")
    if b"\0" in data[:4096]:
        raise ReadError("the file is binary, not an iCalendar file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        first = text.lstrip()[:40].splitlines()[0] if text.strip() else ""
        if first.lower().startswith(("<!doctype", "<html", "<?xml")):
            raise ReadError("the file is a web page (HTML), not an iCalendar file")
        raise ReadError(f"the file does not start with BEGIN:VCALENDAR (it starts {first!r})")
    return text


def _physical_lines(text: str) -> Iterator[str]:
    """Lines ended by CRLF, LF or CR, without their ends."""
    for line in io.StringIO(text, newline=None):
        yield line.rstrip("\n")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """Unfolded content lines with the number of their first physical line."""
    current: list[str] = []
    start = 0
    # Line by line, not one list of every line: a big file is held once, not three times.
    for number, raw in enumerate(_physical_lines(text), 1):
        if raw[:1] in (" ", "\t") and current:
            current.append(raw[1:])
            continue
        if current:
            yield start, "".join(current)
        current, start = [raw], number
    if current and current != [""]:
        yield start, "".join(current)


def split(text: str) -> tuple[list[_Calendar], list[Problem]]:
    """The VCALENDARs of a file with their VTIMEZONE and VEVENT texts (other parts ignored)."""
    calendars: list[_Calendar] = []
    problems: list[Problem] = []
    stack: list[str] = []
    cal: _Calendar | None = None
    buffer: list[str] = []
    began = 0
    for number, line in _lines(text):
        if not line.strip():
            continue
        if m := _BEGIN.match(line):
            name = m.group(1).upper()
            if not stack and name != "VCALENDAR":
                problems.append(Problem(number, name, "outside any VCALENDAR; ignored"))
            if name == "VCALENDAR" and not stack:
                cal = _Calendar(number)
                calendars.append(cal)
            elif len(stack) == 1 and name in ("VEVENT", "VTIMEZONE"):
                buffer, began = [], number
            stack.append(name)
            if len(stack) >= 2:
                buffer.append(line)
            continue
        if m := _END.match(line):
            name = m.group(1).upper()
            if not stack or stack[-1] != name:
                where = stack[-1] if stack else "the file"
                problems.append(Problem(number, name, f"END:{name} does not close {where}"))
                stack = []
                continue
            if len(stack) >= 2:
                buffer.append(line)
            stack.pop()
            if len(stack) == 1 and cal is not None and name in ("VEVENT", "VTIMEZONE"):
                body = "\r\n".join(buffer) + "\r\n"
                if name == "VEVENT":
                    cal.events.append((began, body))
                else:
                    tzid = _prop_value(buffer, "TZID")
                    cal.timezones[tzid] = (began, body)
            continue
        if len(stack) == 1 and cal is not None:
            key, _, value = line.partition(":")
            cal.props[key.split(";")[0].upper()] = value
        elif len(stack) >= 2:
            buffer.append(line)
    if stack:
        problems.append(Problem(0, stack[-1], f"the file ends inside {stack[-1]} (no END line)"))
    return calendars, problems


def _prop_value(lines: list[str], name: str) -> str:
    for line in lines:
        key, _, value = line.partition(":")
        if key.split(";")[0].upper() == name:
            return value.strip()
    return ""


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
        if name in WINDOWS_TO_OLSON:
            return WINDOWS_TO_OLSON[name], None
        if name in self._cal.timezones:
            custom = self._custom(name)
            if custom is not None:
                found = _matching_zone(custom, near, self._default)
                if found is not None:
                    return found, f"time zone {name!r} read as {found}"
        return self._default, f"unknown time zone {name!r} read as {self._default}"

    def _custom(self, tzid: str) -> tzinfo | None:
        text = self._cal.timezones[tzid][1]
        try:
            component: Any = icalendar.Timezone.from_ical(text)
            result: tzinfo = component.to_tz(lookup_tzid=False)
            return result
        except Exception:  # noqa: BLE001 - a broken VTIMEZONE falls back to the default zone
            return None


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
    return None


# --- events --------------------------------------------------------------------------------------


def read(
    data: bytes,
    *,
    default_tz: str,
    vocabulary: Vocabulary,
    limit: int = DEFAULT_LIMIT,
) -> ReadResult:
    """Every event of a file at once (small files, tests); imports use ``open_file``."""
    opened = open_file(data, limit)
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
    """A file split into components; its events are parsed as they are asked for."""

    calendars: list[_Calendar]
    problems: list[Problem]

    @property
    def count(self) -> int:
        return sum(len(c.events) for c in self.calendars)

    def events(
        self, parser: "Parser", *, default_tz: str, vocabulary: Vocabulary, chunk: int = 1000
    ) -> Iterator["Incoming | Problem"]:
        for cal in self.calendars:
            context = _Calendar(cal.line, cal.props, cal.timezones)  # without the event texts
            for start in range(0, len(cal.events), chunk):
                part = cal.events[start : start + chunk]
                yield from parser.parse(context, part, default_tz, vocabulary)
                for i in range(start, min(start + chunk, len(cal.events))):
                    cal.events[i] = (cal.events[i][0], "")  # parsed: its text is not needed


def open_file(data: bytes, limit: int = DEFAULT_LIMIT) -> OpenedFile:
    text = decode(data, limit)
    del data  # the caller passes the file's bytes and keeps no reference to them
    calendars, problems = split(text)
    del text
    if not calendars:
        raise ReadError("the file holds no VCALENDAR")
    return OpenedFile(calendars, problems)


PARALLEL_FROM = 400
"""Events in a file from which parsing is shared with a second process (where fork exists)."""


class Parser:
    """Parses chunks of events, half of each in a second process for big files.

    Forking is used only where it exists and the process has no other threads (not, say,
    inside the Qt app), and the worker is forked once per file.
    """

    def __init__(self, total: int) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if (
            total >= PARALLEL_FROM
            and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1
        ):
            context = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)

    def __enter__(self) -> "Parser":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def parse(
        self,
        cal: _Calendar,
        events: list[tuple[int, str]],
        default_tz: str,
        vocabulary: Vocabulary,
    ) -> list["Incoming | Problem"]:
        if self._pool is None or len(events) < 2:
            return _parse_chunk(cal, events, default_tz, vocabulary)
        half = (len(events) + 1) // 2
        other = self._pool.submit(_parse_chunk, cal, events[half:], default_tz, vocabulary)
        mine = _parse_chunk(cal, events[:half], default_tz, vocabulary)
        return mine + other.result()


def _parse_chunk(
    cal: _Calendar, events: list[tuple[int, str]], default_tz: str, vocabulary: Vocabulary
) -> list["Incoming | Problem"]:
    zones = _Zones(cal, default_tz)
    wr_tz = cal.props.get("X-WR-TIMEZONE", "").strip()
    calendar_tz = wr_tz if wr_tz and is_valid_zone(wr_tz) else None
    found: list[Incoming | Problem] = []
    for line, body in events:
        try:
            found.append(_event(line, body, zones, calendar_tz, default_tz, vocabulary))
        except _UnreadableError as exc:
            found.append(Problem(line, "VEVENT", str(exc)))
    return found


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
    try:
        ev: Any = icalendar.Event.from_ical(body)
    except Exception as exc:  # noqa: BLE001 - icalendar raises many kinds on bad input
        raise _UnreadableError(f"cannot be read ({exc})") from None
    bad = [e for e in getattr(ev, "errors", []) if e[0] in ("DTSTART", "DTEND", "RRULE")]
    if bad:
        raise _UnreadableError(f"{bad[0][0]} cannot be read ({bad[0][1]})")
    repairs: list[str] = []
    if "DTSTART" not in ev:
        raise _UnreadableError("has no DTSTART")
    start_prop = ev["DTSTART"]
    raw_start = start_prop.dt
    tz, floating = _zone_of(start_prop, raw_start, zones, calendar_tz, default_tz, repairs)
    start = _moment(raw_start, tz)
    end = _end(ev, start, tz, repairs)
    title = str(ev.get("SUMMARY", "")).strip()
    status_word = str(ev.get("STATUS", "CONFIRMED")).upper()
    ours = _ours(ev)
    status = _status(status_word, ours.get("X-LIAISON-STATUS"))
    prefix = TITLE_PREFIXES.get(status, "")
    if prefix and title.startswith(prefix) and "X-LIAISON-KIND" in ours:
        title = title[len(prefix) :]
    if not title:
        title = "(no title)"
        repairs.append("no SUMMARY: titled '(no title)'")
    kinds, strands, unmatched = _categories(ev, vocabulary)
    uid = str(ev.get("UID", "")).strip()
    if not uid:
        uid = "import-" + hashlib.sha256(_content_key(body).encode()).hexdigest()[:32]
        repairs.append(f"no UID: gave it {uid}")
    description = str(ev.get("DESCRIPTION", ""))
    chars = ours.get("X-LIAISON-DESCRIPTION-CHARS")
    if chars and chars.isdigit():  # our own file: the rest is agenda, outcomes and marking
        description = description[: int(chars)]
    rrule = None
    if "RRULE" in ev:
        rrule = _rrule(ev, body, start, tz, repairs)
    exdates = [_moment(d.dt, tz) for d in _dates(ev, "EXDATE")]
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
    rdates = [_moment(d.dt, tz) for d in _dates(ev, "RDATE") if not isinstance(d.dt, tuple)]
    if rdates and rrule is None:
        # The app adds extra dates to a rule: a rule that gives the start alone says the same.
        rrule = "FREQ=DAILY;COUNT=1"
        repairs.append("RDATE without RRULE: kept as extra dates of a one-time rule")
    if len(rdates) != len(_dates(ev, "RDATE")):
        repairs.append("RDATE periods are not kept, only dates and times")
    recurrence_id = None
    if "RECURRENCE-ID" in ev:
        recurrence_id = _moment(ev["RECURRENCE-ID"].dt, tz)
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
        iteration=int(ours["X-LIAISON-ITERATION"]) if ours.get("X-LIAISON-ITERATION") else None,
        location=str(ev.get("LOCATION", "")).strip(),
        mode=Mode(ours.get("X-LIAISON-MODE", Mode.IN_PERSON)),
        lead_side=LeadSide(ours.get("X-LIAISON-LEAD", LeadSide.CO_CHAIRED)),
        status=status,
        marking=ours.get("X-LIAISON-MARKING", ""),
        release_level=ReleaseLevel(ours.get("X-LIAISON-RELEASE", ReleaseLevel.STAFF)),
        description=description,
        outcomes=ours.get("X-LIAISON-OUTCOMES", ""),
        rrule=rrule,
        exdates=[_naive_local(x) for x in exdates],
        rdates=[_naive_local(x) for x in rdates],
        proposals=[int(n) for n in _list(ours.get("X-LIAISON-PROPOSALS")) if n.isdigit()],
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
        sequence=int(ev.get("SEQUENCE", 0) or 0),
        created=_utc(ev.get("CREATED")),
        last_modified=_utc(ev.get("LAST-MODIFIED")) or _utc(ev.get("DTSTAMP")),
        recurrence_id=recurrence_id,
        repairs=repairs,
        unmatched_categories=unmatched,
        exercise=_json(ours.get("X-LIAISON-EXERCISE")),
        phase=_json(ours.get("X-LIAISON-PHASE")),
        phase_only="X-LIAISON-PHASE" in ours and "X-LIAISON-TZ" not in ours,
        stamp=_utc(ev.get("DTSTAMP")),
    )


def _json(value: str | None) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        found = json.loads(value)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _content_key(body: str) -> str:
    """The event without lines that change on every export (DTSTAMP)."""
    return "\n".join(line for line in body.splitlines() if not line.upper().startswith("DTSTAMP"))


def _zone_of(
    prop: object,
    value: Moment,
    zones: _Zones,
    calendar_tz: str | None,
    default_tz: str,
    repairs: list[str],
) -> tuple[str, bool]:
    """(IANA zone of the event, whether its times were floating)."""
    if not isinstance(value, datetime):
        return calendar_tz or default_tz, False
    params = getattr(prop, "params", {})
    tzid = params.get("TZID") if params else None
    if tzid:
        name, note = zones.iana(str(tzid), value.replace(tzinfo=None))
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
    TZID (icalendar's own reading of a custom VTIMEZONE is shared by the whole process and may
    come from another file with the same TZID).
    """
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is not None and _is_utc(value):
        return value.astimezone(zone(tz))
    return value.replace(tzinfo=None).replace(tzinfo=zone(tz))


def _is_utc(value: datetime) -> bool:
    return value.tzinfo is UTC or str(value.tzinfo) in ("UTC", "Etc/UTC", "Z", "GMT")


def _naive_local(value: Moment) -> Moment:
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


def _end(ev: Any, start: Moment, tz: str, repairs: list[str]) -> Moment:
    if "DTEND" in ev:
        end = _moment(ev["DTEND"].dt, tz)
        if isinstance(start, datetime) != isinstance(end, datetime):
            repairs.append("DTEND and DTSTART of different types: DTEND taken from DTSTART")
            end = start + (timedelta(hours=1) if isinstance(start, datetime) else timedelta(days=1))
    elif "DURATION" in ev:
        end = start + ev["DURATION"].dt
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


def _rrule(ev: Any, body: str, start: Moment, tz: str, repairs: list[str]) -> str:
    rules = [line.partition(":")[2] for _, line in _lines(body) if line.upper().startswith("RRULE")]
    if len(rules) > 1:
        repairs.append("several RRULEs: only the first kept")
    # The rule as written (icalendar would reorder its parts), in upper case.
    text = rules[0].strip().upper() if rules else ev["RRULE"].to_ical().decode()
    parts = []
    for part in text.split(";"):
        key, _, value = part.partition("=")
        if key.upper() == "UNTIL" and not isinstance(start, datetime) and "T" in value:
            given = zone("UTC") if value.endswith("Z") else zone(tz)
            moment = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S").replace(tzinfo=given)
            value = moment.astimezone(zone(tz)).strftime("%Y%m%d")
            repairs.append("DATE-TIME UNTIL on an all-day start: read as its date")
        elif key.upper() == "UNTIL" and isinstance(start, datetime) and "T" not in value:
            day = date(int(value[:4]), int(value[4:6]), int(value[6:8]))
            end_of_day = datetime.combine(day, time(23, 59, 59)).replace(tzinfo=zone(tz))
            value = end_of_day.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            repairs.append("DATE UNTIL on a timed start: read as the end of that day")
        elif key.upper() == "UNTIL" and isinstance(start, datetime) and not value.endswith("Z"):
            wall = datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone(tz))
            value = wall.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        parts.append(f"{key.upper()}={value}")
    return ";".join(parts)


def _dates(ev: Any, name: str) -> list[Any]:
    values = ev.get(name)
    if values is None:
        return []
    if not isinstance(values, list):
        values = [values]
    return [d for v in values for d in v.dts]


def _utc(prop: object) -> datetime | None:
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).replace(microsecond=0)
    return None


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


def _ours(ev: Any) -> dict[str, str]:
    """Our own single-valued X-LIAISON properties."""
    found = {}
    for key, value in ev.property_items(recursive=False):
        if key.startswith("X-LIAISON-") and key not in (
            "X-LIAISON-AGENDA",
            "X-LIAISON-ACTION",
        ):
            # Lists stay escaped until split: a comma inside a name is "\\,".
            raw = str(value)
            found[key] = raw if key in _LISTS else unescape(raw)
    return found


_LISTS = ("X-LIAISON-STRANDS", "X-LIAISON-PARTNERS", "X-LIAISON-PROPOSALS")


_UNESCAPE = re.compile(r"\\([\\;,nN])")


def unescape(value: str) -> str:
    """A TEXT value as written, back to text (icalendar leaves unknown X- values escaped)."""
    return _UNESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _list(value: str | None) -> list[str]:
    if not value:
        return []
    return [unescape(v) for v in re.split(r"(?<!\\),", value) if v]


def _categories(ev: Any, vocabulary: Vocabulary) -> tuple[list[str], list[str], list[str]]:
    values = ev.get("CATEGORIES")
    if values is None:
        return [], [], []
    if not isinstance(values, list):
        values = [values]
    names = [str(c) for v in values for c in v.cats]
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


def _multi(ev: Any, name: str) -> list[Any]:
    values = ev.get(name)
    if values is None:
        return []
    return values if isinstance(values, list) else [values]


def _address(value: object) -> str:
    text = str(value)
    return text[7:] if text.lower().startswith("mailto:") else ""


def _participants(ev: Any) -> list[ParticipantDraft]:
    people: list[ParticipantDraft] = []
    seen: set[str] = set()
    organizer = ev.get("ORGANIZER")
    attendees = _multi(ev, "ATTENDEE")
    # The organiser too: Outlook does not list them among the attendees.
    for prop in [*attendees, *([organizer] if organizer is not None else [])]:
        params = getattr(prop, "params", {})
        email = _address(prop)
        name = str(params.get("CN") or email or "").strip()
        if not name or (email and email in seen):
            continue
        seen.add(email)
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


def _role_word(role: object) -> str:
    return "chair" if str(role or "").upper() == "CHAIR" else ""


def _agenda(ev: Any) -> list[AgendaItemDraft]:
    items = []
    for prop in _multi(ev, "X-LIAISON-AGENDA"):
        params = getattr(prop, "params", {})
        duration = str(params.get("X-DURATION", "30"))
        items.append(
            AgendaItemDraft(
                title=unescape(str(prop)),
                lead=str(params.get("X-LEAD", "")),
                duration_min=int(duration) if duration.isdigit() else 30,
                notes=str(params.get("X-NOTES", "")),
            )
        )
    return items


def _actions(ev: Any) -> list[ActionItemDraft]:
    items = []
    for prop in _multi(ev, "X-LIAISON-ACTION"):
        params = getattr(prop, "params", {})
        status = str(params.get("X-STATUS", "open"))
        due = str(params.get("X-DUE", ""))
        items.append(
            ActionItemDraft(
                text=unescape(str(prop)),
                owner=str(params.get("X-OWNER", "")),
                due=date.fromisoformat(due) if due else None,
                status=ActionStatus(status)
                if status in {s.value for s in ActionStatus}
                else ActionStatus.OPEN,
            )
        )
    return items
