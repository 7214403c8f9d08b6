"""Reading the calendar: occurrences in a window (recurrences expanded) and full-text search."""

import sqlite3
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from liaison_calendar.domain.briefs import BriefOccurrence, MeetingBrief, MonthBriefs
from liaison_calendar.domain.clock import Clock
from liaison_calendar.domain.enums import Status
from liaison_calendar.domain.models import (
    Meeting,
    MeetingDetail,
    MeetingFilter,
    Moment,
    Occurrence,
    unchecked,
)
from liaison_calendar.domain.recurrence import (
    occurrence_key,
    parse_occurrence_key,
    starts_between,
)
from liaison_calendar.domain.timezones import zone
from liaison_calendar.store import briefs
from liaison_calendar.store.database import Database
from liaison_calendar.store.stamps import utc_text

OPEN_ENDED_HORIZON = timedelta(days=2 * 366)
"""How far past today an open-ended repeat rule is expanded when no end is asked for."""


def sort_key(moment: Moment) -> datetime:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC)
    return datetime.combine(moment, time.min, tzinfo=UTC)


def _overlaps(start: Moment, end: Moment, lo: datetime | None, hi: datetime | None) -> bool:
    if isinstance(start, datetime):
        assert isinstance(end, datetime)
        return (hi is None or start < hi) and (lo is None or end > lo)
    assert not isinstance(end, datetime)
    # All-day: the dates are read in the zone of the window.
    lo_day = lo.date() if lo is not None else None
    hi_day = (hi - timedelta(microseconds=1)).date() if hi is not None else None
    return (hi_day is None or start <= hi_day) and (lo_day is None or end > lo_day)


MeetingLoader = Callable[[int], MeetingDetail]


def _occurrence(
    meeting: Meeting, start: Moment, end: Moment, recurrence_id: Moment | None
) -> Occurrence:
    # Built without validation: the meeting is a read model and the times come from it.
    return unchecked(
        Occurrence,
        {"meeting": meeting, "start": start, "end": end, "recurrence_id": recurrence_id},
    )


def _repeats(
    rule: str,
    first: Moment,
    first_end: Moment,
    tz: str,
    exclude: set[str],
    rdates: Iterable[Moment],
    lo: datetime | None,
    hi: datetime,
) -> Iterator[tuple[Moment, Moment, Moment]]:
    """(start, end, occurrence key) of each occurrence of a repeating meeting in ``[lo, hi)``;
    timed ones in the zone of ``first``."""
    duration: timedelta = first_end - first  # type: ignore[operator]  # both of one type
    window_start: Moment = lo if lo is not None else first
    window_end: Moment = hi
    if not isinstance(first, datetime):
        window_start = window_start.date() if isinstance(window_start, datetime) else window_start
        window_end = hi.date() + timedelta(days=1)
    for moment in starts_between(
        rule, first, tz, window_start, window_end, duration, exclude, rdates
    ):
        if isinstance(moment, datetime):
            # A rule yields times only for a timed meeting, whose start is a datetime.
            assert isinstance(first, datetime)
            local = moment.astimezone(first.tzinfo)
            occ_start: Moment = local
            occ_end: Moment = local + duration
        else:
            occ_start, occ_end = moment, moment + duration
        if _overlaps(occ_start, occ_end, lo, hi):
            yield occ_start, occ_end, moment


def _brief_order(o: BriefOccurrence) -> tuple[datetime, str, int]:
    return (sort_key(o.start), o.meeting.title, o.meeting.id)


_ORDER = itemgetter(0, 1, 2)


def _order_text(start: Moment) -> str:
    """``sort_key`` as stored UTC text (all-day meetings are stored at midnight UTC)."""
    if isinstance(start, datetime):
        return utc_text(start)
    return f"{start.isoformat()}T00:00:00Z"


def _single_day(occ: BriefOccurrence, bounds: list[str]) -> tuple[int, str] | None:
    """The day (index into ``bounds``) a timed occurrence lies within and its stored start,
    or None for a bar (all-day, over midnight) or one starting outside the days."""
    if not isinstance(occ.start, datetime) or not isinstance(occ.end, datetime):
        return None
    first, last = utc_text(occ.start), utc_text(occ.end)
    if not bounds[0] <= first < bounds[-1]:
        return None
    index = bisect_right(bounds, first) - 1
    return (index, first) if last <= bounds[index + 1] else None


_START, _ALL_DAY, _RRULE = (
    briefs.MEETING_FIELDS.index(name) for name in ("start_utc", "all_day", "rrule")
)


def _within(row: Sequence[Any], lo: str | None, hi: str | None, first: int = _START) -> bool:
    """Whether a timed single meeting row overlaps ``[lo, hi)`` (``_window_texts``), from its
    stored UTC start and end (at ``first`` and the column after it)."""
    return (hi is None or row[first] < hi) and (lo is None or row[first + 1] > lo)


def _window_texts(start: datetime | None, end: datetime | None) -> tuple[str | None, str | None]:
    """A window as stored texts, for ``_within``: they have whole seconds, so the start is cut
    and the end rounded up to one, and comparing texts is then exact."""
    lo = utc_text(start) if start is not None else None
    hi = utc_text(end + timedelta(seconds=bool(end.microsecond))) if end is not None else None
    return lo, hi


def _person(name: str, email: str) -> str:
    return email.strip().casefold() or " ".join(name.split()).casefold()


class QueryService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def occurrences(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        flt: MeetingFilter | None = None,
    ) -> list[Occurrence]:
        """Every occurrence overlapping ``[start, end)``, in time order.

        ``start`` and ``end`` are aware; all-day meetings are placed on their dates in the zone
        of ``start`` (or ``end``). None leaves that side open; open-ended repeat rules then
        stop two years after today.
        """
        flt = flt or MeetingFilter()
        for bound in (start, end):
            if bound is not None and bound.tzinfo is None:
                raise ValueError("occurrences() needs aware bounds")
        from liaison_calendar.store import queries  # with SQLAlchemy: not for a first paint

        matching = self._matching(flt)
        if matching is not None and not matching:
            return []
        lo, hi = _window_texts(start, end)
        with self._db.plain() as conn:
            # One statement reads the candidates whole; a timed single meeting outside the
            # window (the candidates are a superset) is dropped before it is built, on its
            # stored texts.
            found = [
                row
                for row in briefs.rows(conn, start, end, flt, columns=queries.MEETING_COLUMNS)
                if (matching is None or row[0] in matching)
                and (row[_RRULE] is not None or row[_ALL_DAY] or _within(row, lo, hi))
            ]
            meetings = queries.meetings_from(conn, found)
            masters = [m.id for m in meetings.values() if m.rrule]
            replaced = briefs.replaced_keys(conn, masters)
        horizon = end or (self._clock.now() + OPEN_ENDED_HORIZON)
        # Sorted on (start as stored UTC text, title, id): the order of ``sort_key``, without
        # converting thousands of starts again.
        keyed: list[tuple[str, str, int, Occurrence]] = []
        for row in found:
            meeting = meetings[row[0]]
            if row[_RRULE] is not None:
                keyed.extend(
                    (_order_text(occ.start), meeting.title, meeting.id, occ)
                    for occ in self._expand(
                        meeting, start, horizon, replaced.get(meeting.id, set())
                    )
                )
            elif not row[_ALL_DAY] or _overlaps(meeting.start, meeting.end, start, end):
                # A timed one was checked on its stored texts, which is exact: they have
                # whole seconds, the window's start was cut and its end rounded up to one.
                occ = _occurrence(meeting, meeting.start, meeting.end, meeting.recurrence_id)
                keyed.append((row[_START], meeting.title, meeting.id, occ))
        keyed.sort(key=_ORDER)
        return [entry[3] for entry in keyed]

    def _expand(
        self, meeting: Meeting, lo: datetime | None, hi: datetime, replaced: set[str]
    ) -> list[Occurrence]:
        assert meeting.rrule is not None
        return [
            _occurrence(meeting, start, end, moment)
            for start, end, moment in _repeats(
                meeting.rrule,
                meeting.start,
                meeting.end,
                meeting.tz,
                {occurrence_key(x) for x in meeting.exdates} | replaced,
                meeting.rdates,
                lo,
                hi,
            )
        ]

    def briefs(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        flt: MeetingFilter | None = None,
    ) -> list[BriefOccurrence]:
        """``occurrences`` for the calendar views: the same occurrences in the same order, each
        with a ``MeetingBrief`` (a few fields, read in one statement) instead of a ``Meeting``."""
        flt = flt or MeetingFilter()
        for bound in (start, end):
            if bound is not None and bound.tzinfo is None:
                raise ValueError("briefs() needs aware bounds")
        matching = self._matching(flt)
        if matching is not None and not matching:
            return []
        with self._db.plain() as conn:
            found = briefs.rows(conn, start, end, flt)
            result = self._briefs_of(conn, found, start, end, matching)
        result.sort(key=_brief_order)
        return result

    def month_briefs(
        self, first: date, last: date, tz: str, flt: MeetingFilter | None = None, per_day: int = 8
    ) -> MonthBriefs:
        """What a month grid of the days ``first``..``last`` in ``tz`` draws: every meeting that
        is drawn as a bar (all-day, or over several days) and, of the meetings within one day,
        the first ``per_day`` of each day; how many more each day has is counted, not read.

        A month of the 100,000-meeting benchmark has 2,800 meetings, of which a screen shows
        two hundred; reading all of them took longer than a repaint may.
        """
        flt = flt or MeetingFilter()
        matching = self._matching(flt)
        if matching is not None and not matching:
            return MonthBriefs([], {})
        from liaison_calendar.domain.timezones import day_start

        days = [first + timedelta(days=i) for i in range((last - first).days + 2)]
        bounds = [utc_text(day_start(d, tz)) for d in days]  # day i is [bounds[i], bounds[i+1])
        start, end = day_start(days[0], tz), day_start(days[-1], tz)
        # Each day's meetings within the day, as (start, title, id, occurrence or None): the
        # order of the views, read from the stored UTC text without building anything.
        per: list[list[tuple[str, str, int, BriefOccurrence | None]]] = [[] for _ in days[:-1]]
        wanted: list[int] = []  # ids to read whole: bars, and the first of each day
        with self._db.plain() as conn:
            for mid, s_utc, e_utc, title, all_day in briefs.singles(
                conn, bounds[0], bounds[-1], flt
            ):
                if matching is not None and mid not in matching:
                    continue
                d = bisect_right(bounds, s_utc) - 1
                if not all_day and e_utc <= bounds[d + 1]:
                    per[d].append((s_utc, title, mid, None))
                else:
                    wanted.append(mid)  # all-day, or over midnight: a bar
            others = self._briefs_of(
                conn,
                briefs.rows(conn, start, end, flt, besides=bounds[0]),
                start,
                end,
                matching,
            )
            listed: list[BriefOccurrence] = []
            for other in others:
                within = _single_day(other, bounds)
                if within is None:
                    listed.append(other)
                else:  # a repeating meeting's occurrence within one day: it queues like the rest
                    index, key = within
                    per[index].append((key, other.meeting.title, other.meeting.id, other))
            unlisted: dict[date, int] = {}
            for index, queue in enumerate(per):
                queue.sort(key=lambda q: q[:3])
                for _, _, mid, queued in queue[:per_day]:
                    if queued is None:
                        wanted.append(mid)
                    else:
                        listed.append(queued)
                if len(queue) > per_day:
                    unlisted[days[index]] = len(queue) - per_day
            listed += self._briefs_of(conn, briefs.rows_of(conn, wanted), start, end, None)
        listed.sort(key=_brief_order)
        return MonthBriefs(listed, unlisted)

    def _matching(self, flt: MeetingFilter) -> set[int] | None:
        """The ids the filter's search text finds, or None when it has none."""
        if not (flt.search and flt.search.strip()):
            return None
        from liaison_calendar.store import queries  # with SQLAlchemy: not for a first paint

        with self._db.plain() as conn:
            return queries.fts_matches(conn, flt.search)

    def _briefs_of(
        self,
        conn: sqlite3.Connection,
        found: list[Any],
        start: datetime | None,
        end: datetime | None,
        matching: set[int] | None,
    ) -> list[BriefOccurrence]:
        """The occurrences in ``[start, end)`` of the ``briefs.COLUMNS`` rows ``found``."""
        kinds, strands, series = briefs.names(conn)
        masters = [r[0] for r in found if r[15]]
        replaced = briefs.replaced_keys(conn, masters) if masters else {}
        horizon = end or (self._clock.now() + OPEN_ENDED_HORIZON)
        lo, hi = _window_texts(start, end)
        zones: dict[str, ZoneInfo] = {}
        result: list[BriefOccurrence] = []
        for row in found:
            mid, uid, title, kind_id, start_utc, end_utc, tz, all_day = row[:8]
            series_id, iteration, location, mode, status, rrule, master_id, rec_key = row[10:18]
            if matching is not None and mid not in matching:
                continue
            m_start: Moment
            m_end: Moment
            if all_day:
                m_start, m_end = date.fromisoformat(row[8]), date.fromisoformat(row[9])
            else:
                where = zones.get(tz) or zones.setdefault(tz, zone(tz))
                m_start = datetime.fromisoformat(start_utc).astimezone(where)
                m_end = datetime.fromisoformat(end_utc).astimezone(where)
            ids = row[20]
            if not ids:
                strand_keys: tuple[str, ...] = ()
            elif "," in ids:
                strand_keys = tuple(sorted(strands[int(i)] for i in ids.split(",")))
            else:
                strand_keys = (strands[int(ids)],)
            meeting = MeetingBrief(
                mid,
                uid,
                title,
                kinds[kind_id],
                strand_keys,
                m_start,
                m_end,
                tz,
                bool(all_day),
                series.get(series_id) if series_id else None,
                iteration,
                location,
                briefs.MODES[mode],
                briefs.STATUSES[status],
                rrule,
                master_id,
            )
            if not rrule:
                # A timed one on its stored texts, exactly (see ``occurrences``).
                if (
                    _within(row, lo, hi, 4)
                    if not all_day
                    else _overlaps(m_start, m_end, start, end)
                ):
                    key = parse_occurrence_key(rec_key) if rec_key else None
                    result.append(BriefOccurrence(meeting, m_start, m_end, key))
                continue
            exdates, rdates = briefs.occurrence_keys(row[18]), briefs.occurrence_keys(row[19])
            exclude = {occurrence_key(x) for x in exdates} | replaced.get(mid, set())
            result.extend(
                BriefOccurrence(meeting, o_start, o_end, moment)
                for o_start, o_end, moment in _repeats(
                    rrule, m_start, m_end, tz, exclude, rdates, start, horizon
                )
            )
        return result

    def overlaps(self, meeting: MeetingDetail, others: "MeetingLoader") -> list[str]:
        """What ``meeting`` (its first occurrence) clashes with: other meetings at the same time
        in the same place, or with a participant in common. Pointed out, never refused.

        ``others(id)`` gives the details of another meeting (``MeetingService.get``).
        """
        start, end = meeting.start, meeting.end
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            return []  # all-day meetings share days by nature: not a clash
        place = " ".join(meeting.location.split()).casefold()
        people = {_person(p.name, p.email) for p in meeting.participants}
        found = []
        for occ in self.occurrences(start, end):
            other = occ.meeting
            if other.id == meeting.id or other.uid == meeting.uid or occ.all_day:
                continue
            if other.status is Status.CANCELLED:
                continue
            if place and " ".join(other.location.split()).casefold() == place:
                found.append(f"“{other.title}” is at the same time in {other.location}")
                continue
            shared = sorted(
                p.name for p in others(other.id).participants if _person(p.name, p.email) in people
            )
            if shared:
                found.append(f"“{other.title}” is at the same time with {', '.join(shared)}")
        return found

    def is_empty(self) -> bool:
        """Whether the calendar has no meeting at all (a first start)."""
        with self._db.plain() as conn:
            return conn.execute("SELECT 1 FROM meeting LIMIT 1").fetchone() is None

    def search(self, text: str, limit: int = 50) -> list[Meeting]:
        """Meetings whose title, description, location, agenda or participants match, best first."""
        from liaison_calendar.store import queries  # with SQLAlchemy: not for a first paint

        with self._db.plain() as conn:
            ids = queries.fts_search(conn, text, limit)
            meetings = queries.meetings_of(conn, ids)
        return [meetings[i] for i in ids if i in meetings]

    def day_window(self, first: date, last: date, tz: str) -> tuple[datetime, datetime]:
        """[start of ``first``, end of ``last``) in ``tz``."""
        from liaison_calendar.domain.timezones import day_start

        return day_start(first, tz), day_start(last + timedelta(days=1), tz)
