"""What each document is made from: domain read models gathered by ``services.reports``.

The services choose the meetings (dates, filters, and the print level: a meeting whose release
level is more restricted than the document's is left out and counted in ``left_out``) and work
out the document's marking; the modules of ``reports`` only lay them out.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from liaison_calendar.domain.models import Exercise, MeetingDetail, Moment
from liaison_calendar.reports.document import HOME_TZ


@dataclass(frozen=True)
class Header:
    """What every document carries besides its content."""

    marking: str = ""  # the highest marking of the meetings it contains (or the default one)
    organisation: str = ""  # the "organisation" setting
    left_out: int = 0  # meetings left out because of the print level
    printed: datetime | None = None  # when it was made (aware), shown in small print


@dataclass(frozen=True)
class AgendaSheet:
    """One meeting's agenda (``reports.agenda``)."""

    meeting: MeetingDetail  # agenda items carry their computed clock times (starts/ends)
    kind_name: str  # "Structured dialogue"
    strand_names: tuple[str, ...]  # names of the meeting's strands, in catalogue order
    header: Header
    home_tz: str = HOME_TZ  # shown beside the meeting's own time when the zones differ


@dataclass(frozen=True)
class Held:
    """One occurrence of a meeting within a report's period."""

    meeting: MeetingDetail
    start: Moment  # timed: aware, in the meeting's zone; all-day: a date
    end: Moment  # exclusive, as the domain's


@dataclass(frozen=True)
class PeriodData:
    """A period report (``reports.period``): what happened in each work strand."""

    first: date
    last: date  # inclusive
    strands: tuple[tuple[str, str], ...]  # (key, name) of each section, in catalogue order
    kind_names: dict[str, str]  # kind key -> name, in catalogue order
    held: tuple[Held, ...]  # every occurrence in the period after filters, in time order,
    # cancelled and postponed ones included (the report lists them apart)
    exercises: tuple[Exercise, ...]  # exercises with a phase in the period, after filters
    header: Header
    today: date  # action items due before min(today, last) and still open are overdue
    filters: str = ""  # "Strands: Cyber security and defence; partners: Ukraine" ("" = none)


@dataclass(frozen=True)
class CalendarPage:
    """A month or week printout (``reports.calendar``)."""

    kind: str  # "month" (6 weeks from the Monday on or before the 1st) or "week" (7 days)
    anchor: date  # a day of the month or week shown
    first: date  # the first day printed (a Monday)
    days: int  # 42 or 7
    tz: str  # timed meetings are printed in this zone
    held: tuple[Held, ...]  # the occurrences of those days, in time order
    # key -> (name, "#rrggbb"), in catalogue order: a meeting is drawn in its first strand's
    # colour, else its kind's; the legend lists the strands.
    strand_colours: dict[str, tuple[str, str]] = field(default_factory=dict)
    kind_colours: dict[str, tuple[str, str]] = field(default_factory=dict)
    header: Header = field(default_factory=Header)
    filters: str = ""
