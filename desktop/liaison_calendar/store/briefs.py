"""The rows of the calendar views: a window of meetings in a few plain SQL statements.

A month of a big calendar holds thousands of meetings and must be on screen within 50 ms, so
this module reads only what a view draws, with hand-written SQL (no statement compilation, no
table objects) and the strands of each meeting in the same statement. ``queries`` has the same
window logic for the full read models; the two are compared by the tests.
"""

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from sqlite3 import Connection
from typing import TYPE_CHECKING, Any, NamedTuple

from liaison_calendar.domain.enums import LeadSide, Mode, ReleaseLevel, Status
from liaison_calendar.domain.recurrence import parse_occurrence_key
from liaison_calendar.store.stamps import utc_text

if TYPE_CHECKING:
    from datetime import date

    from liaison_calendar.domain.models import MeetingFilter

# Enum members by stored value: a dict lookup, where calling the Enum costs ten times more.
MODES = {m.value: m for m in Mode}
LEADS = {m.value: m for m in LeadSide}
STATUSES = {m.value: m for m in Status}
RELEASES = {m.value: m for m in ReleaseLevel}


def occurrence_keys(stored: str) -> "tuple[datetime | date, ...]":
    """Occurrence keys (EXDATE, RDATE) stored as a JSON list (most meetings have none)."""
    if stored == "[]":
        return ()
    return tuple(parse_occurrence_key(k) for k in json.loads(stored))


ALL_DAY_SLACK = timedelta(hours=14)
"""All-day rows are indexed at midnight UTC; a window in any zone is within 14 h of that."""
LONG_DAYS = 31
LONG_MEETING = "julianday(end_utc) - julianday(start_utc) > 31"
"""Meetings longer than LONG_DAYS, word for word as in the partial index of revision 0004."""

COLUMNS = (
    "m.id, m.uid, m.title, m.kind_id, m.start_utc, m.end_utc, m.tz, m.all_day, m.start_date, "
    "m.end_date, m.series_id, m.iteration, m.location, m.mode, m.status, m.rrule, m.master_id, "
    "m.recurrence_id, m.exdates, m.rdates, "
    "(SELECT group_concat(strand_id) FROM meeting_strand WHERE meeting_id = m.id)"
)
"""What ``rows`` returns, in this order; the last column is the strand ids, comma-separated."""


MEETING_FIELDS = (
    "id", "uid", "sequence", "title", "kind_id", "series_id", "iteration", "start_utc",
    "end_utc", "tz", "all_day", "start_date", "end_date", "floating", "location", "mode",
    "lead_side", "status", "marking", "release_level", "description", "outcomes", "rrule",
    "exdates", "rdates", "master_id", "recurrence_id", "exercise_phase_id", "created",
    "modified",
)  # fmt: skip
"""The columns of a whole meeting row, in the order of ``store.queries``' read models."""


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def filter_sql(flt: "MeetingFilter") -> tuple[list[str], list[object]]:
    """``flt`` (without its search text) as SQL conditions on ``meeting m``, and their values."""
    where: list[str] = []
    values: list[object] = []
    if flt.kinds:
        where.append(f"m.kind_id IN (SELECT id FROM kind WHERE key IN ({_marks(flt.kinds)}))")
        values += flt.kinds
    if flt.strands:
        # The links of an override belong to the override row itself.
        where.append(
            "EXISTS (SELECT 1 FROM meeting_strand l WHERE l.meeting_id = m.id AND l.strand_id "
            f"IN (SELECT id FROM strand WHERE key IN ({_marks(flt.strands)})))"
        )
        values += flt.strands
    if flt.partners:
        where.append(
            "EXISTS (SELECT 1 FROM meeting_partner l WHERE l.meeting_id = m.id AND l.partner_id "
            f"IN (SELECT id FROM partner WHERE casefold(name) IN ({_marks(flt.partners)})))"
        )
        values += [p.casefold() for p in flt.partners]
    if flt.statuses:
        where.append(f"m.status IN ({_marks(flt.statuses)})")
        values += [str(s) for s in flt.statuses]
    if flt.series:
        where.append(
            f"m.series_id IN (SELECT id FROM series WHERE casefold(name) IN ({_marks(flt.series)}))"
        )
        values += [s.casefold() for s in flt.series]
    return where, values


def rows(
    conn: Connection,
    window_start: datetime | None,
    window_end: datetime | None,
    flt: "MeetingFilter",
    columns: str = COLUMNS,
    besides: str | None = None,
) -> list[Any]:
    """``columns`` (the first is ``m.id``) of every meeting row that may have an occurrence in
    the window (a superset, checked by the caller), each once: single meetings, changed
    occurrences, repeating ones. With ``besides`` (the stored UTC text of ``window_start``),
    only the repeating rows and the single ones starting before it: ``singles`` reads the rest,
    and nothing starting after the window's end is drawn in it."""
    lo = utc_text(window_start - ALL_DAY_SLACK) if window_start else None
    hi = utc_text(window_end + ALL_DAY_SLACK) if window_end else None
    conditions, filter_values = filter_sql(flt)
    before_end = ["m.start_utc < ?"] if hi is not None else []
    bound: list[object] = [hi] if hi is not None else []
    single_end, single_bound = before_end, bound
    if besides is not None:
        single_end, single_bound = ["m.start_utc < ?"], [besides]
    parts: list[tuple[list[str], list[object]]]
    if lo is None:
        parts = [(before_end, bound)]
    else:
        # Three index ranges (see revision 0004): single meetings of up to 31 days, the longer
        # ones, and the repeating ones.
        assert window_start is not None
        earliest = utc_text(window_start - ALL_DAY_SLACK - timedelta(days=LONG_DAYS))
        parts = [
            (
                ["m.rrule IS NULL", "m.start_utc >= ?", *single_end, "m.end_utc > ?"],
                [earliest, *single_bound, lo],
            ),
            (
                ["m.rrule IS NULL", LONG_MEETING, *single_end, "m.end_utc > ?"],
                [*single_bound, lo],
            ),
            (
                ["m.rrule IS NOT NULL", *before_end, "(m.until_utc IS NULL OR m.until_utc > ?)"],
                [*bound, lo],
            ),
        ]
    found: dict[int, Any] = {}
    sql = " UNION ALL ".join(
        f"SELECT {columns} FROM meeting m WHERE {' AND '.join(where + conditions) or '1'}"
        for where, _values in parts
    )  # one statement: a small window takes less than three
    values = tuple(v for _where, part in parts for v in (*part, *filter_values))
    for row in conn.execute(sql, values):
        found[row[0]] = row
    return list(found.values())


def singles(
    conn: Connection, lo: str, hi: str, flt: "MeetingFilter"
) -> list[tuple[int, str, str, str, int]]:
    """(id, start, end, title, all_day) of the non-repeating rows starting in ``[lo, hi)``
    (stored UTC texts), matching ``flt``: the bulk of a month, sorted into days by the caller."""
    conditions, values = filter_sql(flt)
    sql = (
        "SELECT m.id, m.start_utc, m.end_utc, m.title, m.all_day FROM meeting m "
        "WHERE m.rrule IS NULL AND m.start_utc >= ? AND m.start_utc < ?"
    )
    sql += "".join(f" AND {c}" for c in conditions)
    return conn.execute(sql, (lo, hi, *values)).fetchall()


def rows_of(conn: Connection, ids: Sequence[int]) -> list[Any]:
    """``COLUMNS`` of the meetings ``ids``."""
    found: list[Any] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        sql = f"SELECT {COLUMNS} FROM meeting m WHERE m.id IN ({_marks(chunk)})"
        found += conn.execute(sql, tuple(chunk)).fetchall()
    return found


def replaced_keys(conn: Connection, master_ids: Sequence[int]) -> dict[int, set[str]]:
    """For each repeating meeting, the occurrence keys its changed occurrences replace."""
    result: dict[int, set[str]] = {}
    for i in range(0, len(master_ids), 500):
        chunk = master_ids[i : i + 500]
        sql = f"SELECT master_id, recurrence_id FROM meeting WHERE master_id IN ({_marks(chunk)})"
        for master_id, key in conn.execute(sql, tuple(chunk)):
            result.setdefault(master_id, set()).add(key)
    return result


class Names(NamedTuple):
    """By id: the keys of kinds and strands, and the names of series."""

    kinds: dict[int, str]
    strands: dict[int, str]
    series: dict[int, str]


def names(conn: Connection) -> Names:
    """The keys of kinds and strands and the names of series, read in one statement (a
    month of a small calendar takes less time than three)."""
    found = Names({}, {}, {})
    by_table = {"k": found.kinds, "s": found.strands, "r": found.series}
    for table, key, name in conn.execute(
        "SELECT 'k', id, key FROM kind UNION ALL SELECT 's', id, key FROM strand "
        "UNION ALL SELECT 'r', id, name FROM series"
    ):
        by_table[table][key] = name
    return found
