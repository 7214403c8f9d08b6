"""Printed documents: which meetings go in, which marking they carry, and the files they become.

The documents themselves are laid out by ``reports`` (HTML for Qt's rich text); this module
chooses their content:
- the print level: a document printed at a level (public, staff, restricted) leaves out every
  meeting whose release level is more restricted, and says how many it left out. As in feeds,
  a changed occurrence goes with its repeating meeting (left out when that one is, whatever
  its own level: it is a copy of it), and a planning meeting goes with its exercise;
- the marking: the highest one of the meetings it contains (the marking of the most restricted
  meeting; of several, the longest), else the ``default_marking`` setting;
- the period: occurrences of repeating meetings each count, on their own dates.

HTML and Markdown are written here (atomically); PDF and paper go through ``ui.printing``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from liaison_calendar.domain.clock import Clock
from liaison_calendar.domain.enums import ReleaseLevel
from liaison_calendar.domain.models import Exercise, Meeting, MeetingDetail, MeetingFilter, Moment
from liaison_calendar.domain.timezones import month_grid_start
from liaison_calendar.errors import ValidationError
from liaison_calendar.files import write_atomically
from liaison_calendar.reports import agenda as agenda_doc
from liaison_calendar.reports import calendar as calendar_doc
from liaison_calendar.reports import period as period_doc
from liaison_calendar.reports.data import AgendaSheet, CalendarPage, Header, Held, PeriodData
from liaison_calendar.reports.document import Document
from liaison_calendar.services.catalog import CatalogService
from liaison_calendar.services.exercises import ExerciseService
from liaison_calendar.services.meetings import MeetingService
from liaison_calendar.services.queries import QueryService
from liaison_calendar.store import queries as store_queries
from liaison_calendar.store.database import Database

MONTH_WEEKS = 6


@dataclass(frozen=True)
class Selection:
    """Meetings chosen for a document at a print level."""

    held: tuple[Held, ...]
    exercises: tuple[Exercise, ...]
    left_out: int


def marking_of(meetings: Sequence[MeetingDetail | Exercise], default: str = "") -> str:
    """The highest marking among ``meetings``, an unmarked one counting as carrying ``default``:
    that of the most restricted one (of several at that level, the longest), else ``default``.
    A document is never marked lower than a meeting it contains."""
    marked = [(m.release_level.rank, m.marking.strip() or default.strip()) for m in meetings]
    marked = [(rank, text) for rank, text in marked if text]
    if not marked:
        return default
    top = max(rank for rank, _ in marked)
    return max(sorted({text for rank, text in marked if rank == top}), key=len)


def printable(level: ReleaseLevel, release: ReleaseLevel) -> bool:
    """Whether a meeting released at ``release`` may be printed in a document at ``level``."""
    return release.rank <= level.rank


@dataclass(frozen=True)
class _Parents:
    """The release levels of what meetings belong to: repeating meetings (by id) and the
    exercises of exercise phases (by phase id). Feeds leave a meeting out when either is
    released less widely than the file (``services.feeds``); so does a printout."""

    masters: dict[int, ReleaseLevel]
    exercises: dict[int, ReleaseLevel]

    def master_above(self, meeting: Meeting, level: ReleaseLevel) -> ReleaseLevel | None:
        """The level of the repeating meeting ``meeting`` changes an occurrence of, when that
        one may not be printed at ``level``."""
        found = self.masters.get(meeting.master_id) if meeting.master_id is not None else None
        return found if found is not None and not printable(level, found) else None

    def exercise_above(self, meeting: Meeting, level: ReleaseLevel) -> ReleaseLevel | None:
        """The level of the exercise ``meeting`` is a phase of, when that one may not be
        printed at ``level``."""
        phase = meeting.exercise_phase_id
        found = self.exercises.get(phase) if phase is not None else None
        return found if found is not None and not printable(level, found) else None


def _moved(meeting: MeetingDetail, start: Moment) -> MeetingDetail:
    """``meeting`` as on its occurrence starting at ``start``: dates and item times shifted."""
    if isinstance(start, datetime) != isinstance(meeting.start, datetime):
        return meeting
    delta = start - meeting.start  # type: ignore[operator]  # both of one type
    if isinstance(start, datetime):
        start = start.astimezone(ZoneInfo(meeting.tz))
    items = tuple(
        item.model_copy(
            update={
                "starts": item.starts + delta if item.starts is not None else None,
                "ends": item.ends + delta if item.ends is not None else None,
            }
        )
        for item in meeting.agenda
    )
    return meeting.model_copy(update={"start": start, "end": meeting.end + delta, "agenda": items})


class ReportService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        catalog: CatalogService,
        queries: QueryService,
        meetings: MeetingService,
        exercises: ExerciseService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._catalog = catalog
        self._queries = queries
        self._meetings = meetings
        self._exercises = exercises

    # --- documents ---------------------------------------------------------------------------

    def agenda(
        self,
        meeting_id: int | str,
        level: ReleaseLevel = ReleaseLevel.RESTRICTED,
        occurrence: Moment | None = None,
    ) -> Document:
        """The agenda of one meeting (its id or UID); of a repeating one, of the occurrence
        starting at ``occurrence`` (its dates and clock times), else of the first. Refused when
        the meeting's release level is more restricted than ``level``."""
        meeting = self._meetings.get(meeting_id)
        if occurrence is not None and occurrence != meeting.start:
            meeting = _moved(meeting, occurrence)
        if not printable(level, meeting.release_level):
            raise ValidationError(
                f"“{meeting.title}” is released at {meeting.release_level.value} level and "
                f"cannot be printed at {level.value} level."
            )
        with self._db.reading() as session:
            parents = self._parents(session, [meeting])
        if above := parents.master_above(meeting, level):
            raise ValidationError(
                f"“{meeting.title}” is a changed occurrence of a meeting released at "
                f"{above.value} level and cannot be printed at {level.value} level."
            )
        if above := parents.exercise_above(meeting, level):
            raise ValidationError(
                f"“{meeting.title}” is a meeting of an exercise released at {above.value} level "
                f"and cannot be printed at {level.value} level."
            )
        strands = {s.key: s.name for s in self._catalog.strands()}
        kinds = {k.key: k.name for k in self._catalog.kinds()}
        sheet = AgendaSheet(
            meeting=meeting,
            kind_name=kinds.get(meeting.kind, meeting.kind),
            strand_names=tuple(strands[k] for k in strands if k in meeting.strands),
            header=self._header([meeting], 0),
        )
        return agenda_doc.agenda(sheet)

    def period(
        self,
        first: date,
        last: date,
        flt: MeetingFilter | None = None,
        level: ReleaseLevel = ReleaseLevel.RESTRICTED,
    ) -> PeriodData:
        """What a period report of ``first``..``last`` (inclusive) holds."""
        if last < first:
            raise ValidationError(f"The period ends ({last}) before it starts ({first}).")
        flt = flt or MeetingFilter()
        self._catalog.check_filter(flt)
        tz = str(self._catalog.setting("default_tz"))
        chosen = self._select(first, last, tz, flt, level)
        strands = [(s.key, s.name) for s in self._catalog.strands()]
        if flt.strands:
            strands = [(k, n) for k, n in strands if k in flt.strands]
        found = [h.meeting for h in chosen.held]
        return PeriodData(
            first=first,
            last=last,
            strands=tuple(strands),
            kind_names={k.key: k.name for k in self._catalog.kinds()},
            held=chosen.held,
            exercises=chosen.exercises,
            header=self._header([*found, *chosen.exercises], chosen.left_out),
            today=self._clock.now().astimezone(ZoneInfo(tz)).date(),
            filters=self._describe(flt),
        )

    def period_report(
        self,
        first: date,
        last: date,
        flt: MeetingFilter | None = None,
        level: ReleaseLevel = ReleaseLevel.RESTRICTED,
    ) -> Document:
        return period_doc.period_report(self.period(first, last, flt, level))

    def calendar(
        self,
        kind: str,
        anchor: date,
        flt: MeetingFilter | None = None,
        level: ReleaseLevel = ReleaseLevel.RESTRICTED,
        tz: str | None = None,
    ) -> Document:
        """A month (six weeks from the Monday on or before the 1st) or a week printout."""
        if kind not in ("month", "week"):
            raise ValidationError(f"A calendar printout is a month or a week, not {kind!r}.")
        flt = flt or MeetingFilter()
        self._catalog.check_filter(flt)
        tz = tz or str(self._catalog.setting("default_tz"))
        if kind == "month":
            first, days = month_grid_start(anchor), MONTH_WEEKS * 7
        else:
            first, days = anchor - timedelta(days=anchor.weekday()), 7
        chosen = self._select(first, first + timedelta(days=days - 1), tz, flt, level, False)
        page = CalendarPage(
            kind=kind,
            anchor=anchor,
            first=first,
            days=days,
            tz=tz,
            held=chosen.held,
            strand_colours={s.key: (s.name, s.colour) for s in self._catalog.strands()},
            kind_colours={k.key: (k.name, k.colour) for k in self._catalog.kinds()},
            header=self._header([h.meeting for h in chosen.held], chosen.left_out),
            filters=self._describe(flt),
        )
        if kind == "month":
            return calendar_doc.month_page(page)
        return calendar_doc.week_page(page)

    # --- files -------------------------------------------------------------------------------

    def write(self, document: Document, path: Path) -> None:
        """``document`` as a standalone HTML file, written atomically."""
        write_atomically(path, [document.html().encode("utf-8")])

    def write_markdown(self, data: PeriodData, path: Path) -> None:
        """A period report as Markdown (for a drafting tool), written atomically."""
        write_atomically(path, [period_doc.period_markdown(data).encode("utf-8")])

    # --- choosing ----------------------------------------------------------------------------

    def _select(
        self,
        first: date,
        last: date,
        tz: str,
        flt: MeetingFilter,
        level: ReleaseLevel,
        with_exercises: bool = True,
    ) -> Selection:
        start, end = self._queries.day_window(first, last, tz)
        occurrences = self._queries.occurrences(start, end, flt)
        with self._db.reading() as session:
            details = store_queries.load_details(
                session, sorted({o.meeting.id for o in occurrences})
            )
            parents = self._parents(session, list(details.values()))
        held: list[Held] = []
        left_out: set[int] = set()
        for occ in occurrences:
            meeting = details[occ.meeting.id]
            if not printable(level, meeting.release_level) or parents.exercise_above(
                meeting, level
            ):
                left_out.add(meeting.id)
            elif meeting.master_id is not None and parents.master_above(meeting, level):
                left_out.add(meeting.master_id)  # left out with the meeting it belongs to
            else:
                held.append(Held(meeting, occ.start, occ.end))
        exercises: list[Exercise] = []
        if with_exercises:
            for exercise in self._exercises.list():
                if not any(p.start <= last and p.end >= first for p in exercise.phases):
                    continue
                if flt.strands and not set(flt.strands) & set(exercise.strands):
                    continue
                if flt.partners or flt.series or flt.kinds:
                    continue  # exercises have no partners, series or kind of their own
                if printable(level, exercise.release_level):
                    exercises.append(exercise)
                else:
                    left_out.add(-exercise.id)
        return Selection(tuple(held), tuple(exercises), len(left_out))

    def _parents(self, session: Session, meetings: Sequence[Meeting]) -> _Parents:
        masters = sorted({m.master_id for m in meetings if m.master_id is not None})
        levels = {
            mid: m.release_level for mid, m in store_queries.load_meetings(session, masters).items()
        }
        exercises: dict[int, ReleaseLevel] = {}
        if any(m.exercise_phase_id is not None for m in meetings):
            for exercise in self._exercises.list_in(session):
                exercises.update((p.id, exercise.release_level) for p in exercise.phases)
        return _Parents(levels, exercises)

    def _header(self, contents: Sequence[MeetingDetail | Exercise], left_out: int) -> Header:
        default = str(self._catalog.setting("default_marking"))
        return Header(
            marking=marking_of(contents, default),
            organisation=str(self._catalog.setting("organisation")),
            left_out=left_out,
            printed=self._printed(),
        )

    def _printed(self) -> datetime:
        tz = ZoneInfo(str(self._catalog.setting("default_tz")))
        return self._clock.now().astimezone(tz).replace(second=0, microsecond=0)

    def _describe(self, flt: MeetingFilter) -> str:
        parts = []
        if flt.strands:
            names = {s.key: s.name for s in self._catalog.strands()}
            parts.append("work strands: " + ", ".join(names.get(k, k) for k in flt.strands))
        if flt.kinds:
            names = {k.key: k.name for k in self._catalog.kinds()}
            parts.append("kinds: " + ", ".join(names.get(k, k) for k in flt.kinds))
        if flt.partners:
            parts.append("partners: " + ", ".join(flt.partners))
        if flt.series:
            parts.append("series: " + ", ".join(flt.series))
        if flt.statuses:
            parts.append("statuses: " + ", ".join(s.value for s in flt.statuses))
        text = "; ".join(parts)
        return text[:1].upper() + text[1:]
