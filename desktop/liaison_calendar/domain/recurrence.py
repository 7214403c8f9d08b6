"""Recurring meetings: RRULE validation and expansion for a window only.

Timed rules are expanded in the meeting's own zone (wall time), so a weekly 10:00 meeting in
Brussels stays at 10:00 across a DST change. All-day rules are expanded on dates.
"""

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice

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
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
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
    for local in parsed.between(lo, hi, inc=True):
        moment = _to_moment(local, all_day)
        key = occurrence_key(moment)
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
