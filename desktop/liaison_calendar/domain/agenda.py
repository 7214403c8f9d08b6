"""Agenda clock maths: each item starts when the one before it ends."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta


def clock_times(start: datetime, durations_min: Sequence[int]) -> list[tuple[datetime, datetime]]:
    """(start, end) of each agenda item, one after another from the meeting start.

    Durations are real time: the sums are made in UTC and shown in the start's zone, so an item
    across a DST change still lasts its minutes.
    """
    spans = []
    tz = start.tzinfo
    cursor = start.astimezone(UTC) if tz is not None else start
    for minutes in durations_min:
        end = cursor + timedelta(minutes=minutes)
        spans.append((cursor.astimezone(tz), end.astimezone(tz)) if tz else (cursor, end))
        cursor = end
    return spans


def overrun(
    meeting_start: datetime, meeting_end: datetime, durations_min: Sequence[int]
) -> timedelta | None:
    """How far the agenda runs past the meeting end, or None when it fits."""
    total = timedelta(minutes=sum(durations_min))
    if meeting_start.tzinfo is not None and meeting_end.tzinfo is not None:
        meeting_start, meeting_end = meeting_start.astimezone(UTC), meeting_end.astimezone(UTC)
    excess = meeting_start + total - meeting_end
    return excess if excess > timedelta(0) else None


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
