"""What every central view shares: the period it shows, what it is given, what it reports.

A view never reads the database. The main window asks a view which days it shows for an anchor
date (``period``), fetches the occurrences of exactly those days, in order, from the services
(``QueryService.occurrences`` with the active filter) and hands them over (``show``). The view
reports what the user does with signals; the main window turns those into service calls.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from liaison_calendar.domain.briefs import BriefOccurrence
from liaison_calendar.domain.defaults import FALLBACK_COLOUR
from liaison_calendar.domain.models import Exercise

CONFLICT_NOTE = "⚠ Sync conflict: resolve it from the details pane"
"""Said in the tooltip of a meeting with a sync conflict (``ViewData.conflicts``)."""


@dataclass(frozen=True)
class Palette:
    """Colours of strands and kinds, by key (``Strand.colour``, ``Kind.colour``: ``#rrggbb``)."""

    strands: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    def of(self, occ: BriefOccurrence) -> QColor:
        """The colour a meeting is drawn in: its first strand's, else its kind's."""
        m = occ.meeting
        for key in m.strands:
            if key in self.strands:
                return QColor(self.strands[key])
        return QColor(self.kinds.get(m.kind, FALLBACK_COLOUR))


@dataclass(frozen=True)
class ViewData:
    """Everything a view draws."""

    anchor: date  # the day the user is looking at (today, or where they navigated)
    tz: str  # the user's zone: timed occurrences are shown in it
    occurrences: list[BriefOccurrence]  # of exactly ``period(anchor)``, in time order
    palette: Palette = field(default_factory=Palette)
    exercises: list[Exercise] = field(default_factory=list)  # the exercises view only
    today: date | None = None
    # The month view is given only the first meetings of each day (``month_briefs``): how many
    # more meetings within one day each day has, counted, not read.
    unlisted: dict[date, int] = field(default_factory=dict)
    # UIDs of the meetings with a sync conflict to resolve: drawn with a badge (one set lookup
    # per painted meeting).
    conflicts: frozenset[str] = frozenset()


class CalendarView(QWidget):
    """Base of the four views. Subclasses implement ``period`` and ``show``.

    Signals carry domain objects (``BriefOccurrence``) or plain dates and datetimes:
    - ``selected(BriefOccurrence | None)``: the current meeting changed (click, keyboard);
    - ``activated(BriefOccurrence)``: open it (double-click, Enter);
    - ``create_requested(start, end)``: double-click on an empty slot; aware datetimes in the
      user's zone for a time slot, or two ``date``s (end exclusive) for a whole day;
    - ``reschedule_requested(BriefOccurrence, new_start)``: a meeting dragged to a new start
      (an aware datetime, or a date for an all-day meeting);
    - ``anchor_requested(date)``: the view wants another day shown (e.g. a click on a day number
      in the month view, or "+N more").
    """

    selected = Signal(object)
    activated = Signal(object)
    create_requested = Signal(object, object)
    reschedule_requested = Signal(object, object)
    anchor_requested = Signal(object)

    title = "View"

    def period(self, anchor: date) -> tuple[date, date]:
        """The first day shown and the day after the last, for ``anchor``."""
        raise NotImplementedError

    def show_data(self, data: ViewData) -> None:
        raise NotImplementedError

    def current(self) -> BriefOccurrence | None:
        """The selected occurrence, if any."""
        return None

    def select_meeting(self, meeting_id: int, start: date | datetime | None = None) -> None:
        """Select (and scroll to) an occurrence of ``meeting_id`` if it is shown."""
