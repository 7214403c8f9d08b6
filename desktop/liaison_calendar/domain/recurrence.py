"""Recurring meetings: RRULE validation and expansion for a window only.

Timed rules are expanded in the meeting's own zone (wall time), so a weekly 10:00 meeting in
Brussels stays at 10:00 across a DST change. All-day rules are expanded on dates.
"""

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from dateutil.rrule import rrule, rrulestr

from liaison_calendar.domain.timezones import zone
from liaison_calendar.errors import ValidationError

MAX_OCCURRENCES = 10_000
"""A finite rule with more occurrences than this is treated as open-ended for indexing."""

_BOUNDED = re.compile(r"(^|;)\s*(COUNT|UNTIL)\s*=", re.IGNORECASE)


def _as_datetime(day: date) -> datetime:
    return datetime.combine(day, time.min)


@lru_cache(maxsize=4096)
def build_rule(rule: str, start: datetime | date, tz_name: str) -> rrule:
    """Parse ``rule`` (with or without the ``RRULE:`` prefix) anchored at ``start``.

    Remembered: every view of a big calendar expands the same repeating meetings, and parsing
    costs more than expanding one window. The parsed rule is never changed by its users.
    """
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text or "\n" in text:
        raise ValidationError(f"The repeat rule {rule!r} is not valid.")
    if isinstance(start, datetime):
        dtstart = start.astimezone(zone(tz_name))
    else:
        dtstart = _as_datetime(start)
    try:
        parsed = rrulestr(text, dtstart=dtstart)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValidationError(f"The repeat rule {rule!r} is not valid: {exc}.") from None
    if not isinstance(parsed, rrule):  # pragma: no cover - rrulestr with a bare rule
        raise ValidationError(f"The repeat rule {rule!r} is not valid.")
    return parsed


_REMEMBERED_STARTS = 1_000


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PLAIN_PARTS = frozenset({"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY"})


def stepped_starts(rule: str, parsed: rrule, limit: int) -> tuple[datetime, ...] | None:
    """The first ``limit`` starts of a plain daily or weekly rule (no BY parts, or the first
    start's own weekday), each the first plus whole days in wall-clock time as dateutil makes
    them, or None for any other rule.

    Walking a rule through dateutil costs about 5 µs an occurrence; most repeating meetings
    are weekly, and a month of a big calendar meets a few dozen for the first time.
    """
    parts = dict(part.partition("=")[::2] for part in normalise_rule(rule).split(";"))
    freq = parts.get("FREQ")
    if not parts.keys() <= _PLAIN_PARTS or freq not in ("DAILY", "WEEKLY"):
        return None
    # The values dateutil read (the first start without microseconds, the end in its zone).
    first: datetime = getattr(parsed, "_dtstart", None) or start_of(parsed)
    interval, count, until = (getattr(parsed, n, None) for n in ("_interval", "_count", "_until"))
    if (
        not isinstance(interval, int)
        or "BYDAY" in parts
        and (freq != "WEEKLY" or parts["BYDAY"] != _WEEKDAYS[first.weekday()])
    ):
        return None
    step = timedelta(days=interval * (7 if freq == "WEEKLY" else 1))
    found = []
    for n in range(min(limit, count) if isinstance(count, int) else limit):
        moment = first + n * step  # aware arithmetic keeps the wall-clock time, as dateutil
        if until is not None and moment > until:
            break
        found.append(moment)
    return tuple(found)


def start_of(parsed: rrule) -> datetime:  # pragma: no cover - dateutil keeps ``_dtstart``
    return next(iter(parsed))


class _Starts(NamedTuple):
    """Every start of a rule: as the parsed rule yields it (local), as ``starts_between``
    gives it back (moment) and its occurrence key, in order."""

    local: tuple[datetime, ...]
    moment: tuple[datetime | date, ...]
    key: tuple[str, ...]


@lru_cache(maxsize=4096)
def _every_start(rule: str, start: datetime | date, tz_name: str) -> _Starts | None:
    """Every start of a bounded rule with few occurrences; None for an open-ended or long rule.

    Remembered like the parsed rule: a window of a big calendar is a bisection in this, where
    ``rrule.between`` would walk the rule from its first occurrence again for every view.
    """
    if not _BOUNDED.search(rule):
        return None
    parsed = build_rule(rule, start, tz_name)
    local = stepped_starts(rule, parsed, _REMEMBERED_STARTS + 1)
    if local is None:
        local = tuple(islice(parsed, _REMEMBERED_STARTS + 1))
    if len(local) > _REMEMBERED_STARTS:
        return None
    moment = tuple(_to_moment(value, not isinstance(start, datetime)) for value in local)
    return _Starts(local, moment, tuple(occurrence_key(value) for value in moment))


def normalise_rule(rule: str) -> str:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    return text.upper()


def _to_moment(value: datetime, all_day: bool) -> datetime | date:
    return value.date() if all_day else value.astimezone(UTC)


def occurrence_key(value: datetime | date) -> str:
    """How an occurrence start is stored and matched (EXDATE, RECURRENCE-ID)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("occurrence_key needs an aware datetime")
        utc = value.astimezone(UTC)
        if utc.year < 1000:  # pragma: no cover - isoformat would pad the year
            return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        # Not strftime, which imports ``time`` on each call (slow once PySide6 hooks imports).
        return utc.replace(tzinfo=None, microsecond=0).isoformat() + "Z"
    return value.isoformat()


def parse_occurrence_key(text: str) -> datetime | date:
    if "T" in text:
        # Stored as ``YYYY-MM-DDTHH:MM:SSZ``; fromisoformat reads the Z as UTC, and strptime
        # costs ten times more (it imports ``time`` on every call).
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    return date.fromisoformat(text)


def starts_between(
    rule: str,
    start: datetime | date,
    tz_name: str,
    window_start: datetime | date,
    window_end: datetime | date,
    duration: timedelta,
    exclude: Iterable[str] = (),
    extra: Iterable[datetime | date] = (),
) -> Iterator[datetime | date]:
    """Starts of the occurrences overlapping ``[window_start, window_end)``.

    Timed occurrences come back as aware UTC datetimes, all-day ones as dates. ``exclude``
    holds occurrence keys (EXDATEs, and starts replaced by overrides).
    """
    parsed = build_rule(rule, start, tz_name)
    excluded = set(exclude)
    all_day = not isinstance(start, datetime)
    if all_day:
        lo = _as_datetime(_date_of(window_start)) - duration - timedelta(days=1)
        hi = _as_datetime(_date_of(window_end)) + timedelta(days=1)
    else:
        tz = zone(tz_name)
        lo = _aware(window_start).astimezone(tz) - duration - timedelta(days=1)
        hi = _aware(window_end).astimezone(tz) + timedelta(days=1)
    seen = set(excluded)
    every = _every_start(rule, start, tz_name)
    found: Iterable[tuple[datetime | date, str]]
    if every is None:
        found = (
            (moment, occurrence_key(moment))
            for moment in (_to_moment(local, all_day) for local in parsed.between(lo, hi, inc=True))
        )
    else:  # the same: lo <= start <= hi
        first, last = bisect_left(every.local, lo), bisect_right(every.local, hi)
        found = zip(every.moment[first:last], every.key[first:last], strict=True)
    for moment, key in found:
        if key in seen:
            continue
        seen.add(key)
        if _overlaps(moment, duration, window_start, window_end):
            yield moment
    # Extra dates (RDATE), in time order after the rule's; one date given twice counts once.
    for value in sorted(extra, key=lambda v: occurrence_key(v)):
        moment = _to_moment(value, all_day) if isinstance(value, datetime) else value
        key = occurrence_key(moment)
        if key in seen:
            continue
        seen.add(key)
        if _overlaps(moment, duration, window_start, window_end):
            yield moment


def last_start(rule: str, start: datetime | date, tz_name: str) -> datetime | date | None:
    """The start of the last occurrence, or None for an open-ended (or huge) rule."""
    if not _BOUNDED.search(rule):
        return None
    parsed = build_rule(rule, start, tz_name)
    last = None
    count = 0
    for count, last in enumerate(islice(parsed, MAX_OCCURRENCES + 1), start=1):  # noqa: B007
        pass
    if last is None or count > MAX_OCCURRENCES:
        return None
    return _to_moment(last, not isinstance(start, datetime))


def first_start(rule: str, start: datetime | date, tz_name: str) -> datetime | date | None:
    parsed = build_rule(rule, start, tz_name)
    for local in islice(parsed, 1):
        return _to_moment(local, not isinstance(start, datetime))
    return None


def _date_of(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _aware(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return _as_datetime(value).replace(tzinfo=UTC)


def _overlaps(
    moment: datetime | date,
    duration: timedelta,
    window_start: datetime | date,
    window_end: datetime | date,
) -> bool:
    if isinstance(moment, datetime):
        end = moment + duration
        return moment < _aware(window_end) and end > _aware(window_start)
    end_day = moment + duration
    if duration <= timedelta(0):
        end_day = moment + timedelta(days=1)
    return moment < _date_of(window_end) and end_day > _date_of(window_start)
