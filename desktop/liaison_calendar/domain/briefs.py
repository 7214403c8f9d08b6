"""Light read models for the calendar views: what a screen of thousands of meetings draws.

A month of a big calendar holds thousands of occurrences, and a view must repaint within
50 ms. Full ``Meeting`` read models (thirty fields, validated types, descriptions) cost more
than that to build, so ``QueryService.briefs`` returns these plain tuples instead: the few
fields a view shows or hands back. Details, editing, export and feeds use the full models.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from liaison_calendar.domain.enums import Mode, Status

if TYPE_CHECKING:
    from liaison_calendar.domain.models import Meeting


class MeetingBrief(NamedTuple):
    id: int
    uid: str
    title: str
    kind: str
    strands: tuple[str, ...]
    start: datetime | date  # of the meeting (the first occurrence of a repeating one)
    end: datetime | date
    tz: str
    all_day: bool
    series: str | None
    iteration: int | None
    location: str
    mode: Mode
    status: Status
    rrule: str | None
    master_id: int | None

    @classmethod
    def of(cls, meeting: "Meeting") -> "MeetingBrief":
        return cls(
            id=meeting.id,
            uid=meeting.uid,
            title=meeting.title,
            kind=meeting.kind,
            strands=meeting.strands,
            start=meeting.start,
            end=meeting.end,
            tz=meeting.tz,
            all_day=meeting.all_day,
            series=meeting.series,
            iteration=meeting.iteration,
            location=meeting.location,
            mode=meeting.mode,
            status=meeting.status,
            rrule=meeting.rrule,
            master_id=meeting.master_id,
        )


class BriefOccurrence(NamedTuple):
    """One appearance of a meeting in a view (``Occurrence`` with a ``MeetingBrief``)."""

    meeting: MeetingBrief
    start: datetime | date
    end: datetime | date
    recurrence_id: datetime | date | None = None

    @property
    def all_day(self) -> bool:
        return self.meeting.all_day


class MonthBriefs(NamedTuple):
    """What a month grid draws (``QueryService.month_briefs``)."""

    occurrences: list[BriefOccurrence]  # in time order
    unlisted: dict[date, int]  # meetings within one day left out of ``occurrences``, per day

    @property
    def total(self) -> int:
        return len(self.occurrences) + sum(self.unlisted.values())
