"""Queries and row conversion. Everything here runs inside a session the service opened."""

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import text
from sqlmodel import Session, col, select

from liaison_calendar.domain import agenda as agenda_rules
from liaison_calendar.domain.enums import ActionStatus, Side
from liaison_calendar.domain.models import (
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingDetail,
    MeetingFilter,
    Moment,
    Participant,
    unchecked,
)
from liaison_calendar.domain.recurrence import parse_occurrence_key
from liaison_calendar.domain.timezones import zone
from liaison_calendar.store import briefs
from liaison_calendar.store.tables import (
    FTS_TABLE,
    ActionItemRecord,
    AgendaItemRecord,
    KindRecord,
    MeetingRecord,
    OrganisationRecord,
    ParticipantRecord,
    StrandRecord,
)
from liaison_calendar.store.types import utc_text

_CHUNK = 500


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


_Keyed = TypeVar("_Keyed", StrandRecord, KindRecord)


def driver(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection under ``session`` (in its transaction), for ``briefs``."""
    conn = session.connection().connection.driver_connection
    assert isinstance(conn, sqlite3.Connection)
    return conn


def key_map(session: Session, record: type[_Keyed]) -> dict[int, str]:
    result: dict[int, str] = {}
    for row in session.exec(select(record)).all():
        assert row.id is not None
        result[row.id] = row.key
    return result


def load_meetings(session: Session, ids: Sequence[int]) -> dict[int, Meeting]:
    """Read models for the meetings ``ids``, loaded in a few batched queries (after writing
    what the session holds, as its own queries would)."""
    session.flush()
    return meetings_of(driver(session), ids)


def meetings_of(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, Meeting]:
    """``load_meetings`` on a plain sqlite3 connection (in a read transaction)."""
    found: list[Sequence[Any]] = []
    for chunk in _chunks(sorted(set(ids))):
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT {MEETING_COLUMNS} FROM meeting m WHERE m.id IN ({marks})"
        found += conn.execute(sql, tuple(chunk)).fetchall()
    return meetings_from(conn, found)


def meetings_from(conn: sqlite3.Connection, found: Sequence[Sequence[Any]]) -> dict[int, Meeting]:
    """Read models of meeting rows read as ``MEETING_COLUMNS`` (plain sqlite3 rows, never ORM
    objects: a month of a big calendar is thousands of meetings)."""
    if not found:
        return {}
    kinds, strands, series_names = briefs.names(conn)
    # Strands in the order of their keys, as the filters list them.
    order = {sid: i for i, (sid, _key) in enumerate(sorted(strands.items(), key=lambda s: s[1]))}
    result = {}
    for values in found:
        strand_ids, partners, proposals = values[_LINKS:]
        keys: tuple[str, ...] = ()
        if strand_ids is not None:
            if "," in strand_ids:
                ordered = sorted(map(int, strand_ids.split(",")), key=order.__getitem__)
                keys = tuple(strands[i] for i in ordered)
            else:
                keys = (strands[int(strand_ids)],)
        names: tuple[str, ...] = ()
        if partners is not None:
            names = tuple(sorted(partners.split("\x1f"))) if "\x1f" in partners else (partners,)
        series_id = values[_SERIES_ID]
        result[values[0]] = _to_meeting(
            values,
            kinds[values[_KIND_ID]],
            keys,
            names,
            series_names.get(series_id) if series_id else None,
            tuple(sorted(map(int, proposals.split(",")))) if proposals is not None else (),
        )
    return result


_KIND_ID = briefs.MEETING_FIELDS.index("kind_id")
_SERIES_ID = briefs.MEETING_FIELDS.index("series_id")
_LINKS = len(briefs.MEETING_FIELDS)


MEETING_COLUMNS = ", ".join(
    [
        *(f"m.{name}" for name in briefs.MEETING_FIELDS),
        "(SELECT group_concat(strand_id) FROM meeting_strand WHERE meeting_id = m.id)",
        "(SELECT group_concat(p.name, char(31)) FROM meeting_partner l JOIN partner p "
        "ON p.id = l.partner_id WHERE l.meeting_id = m.id)",
        "(SELECT group_concat(c.number) FROM meeting_proposal l JOIN common_proposal c "
        "ON c.id = l.proposal_id WHERE l.meeting_id = m.id)",
    ]
)
"""What ``meetings_from`` reads of ``meeting m``: its columns in the order of
``briefs.MEETING_FIELDS``, then its strand ids, partner names (separated by US, 0x1f) and
proposal numbers, each in one text or NULL."""


def _to_meeting(
    values: Sequence[Any],
    kind: str,
    strands: tuple[str, ...],
    partners: tuple[str, ...],
    series: str | None,
    proposals: tuple[int, ...],
    *,
    _modes: dict[str, Any] = briefs.MODES,
    _leads: dict[str, Any] = briefs.LEADS,
    _statuses: dict[str, Any] = briefs.STATUSES,
    _releases: dict[str, Any] = briefs.RELEASES,
    _instant: Callable[[str], datetime] = datetime.fromisoformat,
) -> Meeting:
    """The read model of a row read as ``MEETING_COLUMNS``, built without validation: every
    value comes from a row the services validated (thousands of these fill a month of a big
    calendar, so the row is read by position, once, with the lookups bound)."""
    (
        mid, uid, sequence, title, _kind_id, series_id, iteration, start_utc, end_utc, tz,
        all_day, start_date, end_date, floating, location, mode, lead_side, status, marking,
        release_level, description, outcomes, rrule, exdates, rdates, master_id,
        recurrence_id, exercise_phase_id, created, modified, *_links,
    ) = values  # fmt: skip
    start: Moment
    end: Moment
    if all_day:
        start, end = date.fromisoformat(start_date), date.fromisoformat(end_date)
    else:
        # Stored as UTC text with a Z (see ``types``).
        where = zone(tz)
        start = _instant(start_utc).astimezone(where)
        end = _instant(end_utc).astimezone(where)
    return unchecked(
        Meeting,
        {
            "id": mid,
            "uid": uid,
            "sequence": sequence,
            "title": title,
            "kind": kind,
            "start": start,
            "end": end,
            "tz": tz,
            "all_day": bool(all_day),
            "floating": bool(floating),
            "strands": strands,
            "partners": partners,
            "series": series,
            "series_id": series_id,
            "iteration": iteration,
            "location": location,
            "mode": _modes[mode],
            "lead_side": _leads[lead_side],
            "status": _statuses[status],
            "marking": marking,
            "release_level": _releases[release_level],
            "description": description,
            "outcomes": outcomes,
            "rrule": rrule,
            "exdates": () if exdates == "[]" else briefs.occurrence_keys(exdates),
            "rdates": () if rdates == "[]" else briefs.occurrence_keys(rdates),
            "master_id": master_id,
            "recurrence_id": parse_occurrence_key(recurrence_id) if recurrence_id else None,
            "proposals": proposals,
            "exercise_phase_id": exercise_phase_id,
            "created": _instant(created),
            "modified": _instant(modified),
        },
    )


def participants_of(session: Session, meeting_id: int) -> list[Participant]:
    rows = session.exec(
        select(ParticipantRecord, col(OrganisationRecord.name))
        .outerjoin(
            OrganisationRecord,
            col(OrganisationRecord.id) == col(ParticipantRecord.organisation_id),
        )
        .where(col(ParticipantRecord.meeting_id) == meeting_id)
        .order_by(col(ParticipantRecord.position), col(ParticipantRecord.id))
    ).all()
    return [
        Participant(
            id=p.id,
            name=p.name,
            organisation=org or "",
            side=Side(p.side),
            role=p.role,
            email=p.email,
        )
        for p, org in rows
    ]


def agenda_of(session: Session, meeting_id: int) -> list[AgendaItemRecord]:
    return list(
        session.exec(
            select(AgendaItemRecord)
            .where(col(AgendaItemRecord.meeting_id) == meeting_id)
            .order_by(col(AgendaItemRecord.position), col(AgendaItemRecord.id))
        ).all()
    )


def to_action(row: ActionItemRecord) -> ActionItem:
    assert row.id is not None
    return ActionItem(
        id=row.id,
        meeting_id=row.meeting_id,
        text=row.text,
        owner=row.owner,
        due=row.due,
        status=ActionStatus(row.status),
        carried_from_id=row.carried_from_id,
    )


def actions_of(session: Session, meeting_id: int) -> list[ActionItemRecord]:
    return list(
        session.exec(
            select(ActionItemRecord)
            .where(col(ActionItemRecord.meeting_id) == meeting_id)
            .order_by(col(ActionItemRecord.position), col(ActionItemRecord.id))
        ).all()
    )


def candidate_ids(
    session: Session,
    window_start: datetime | None,
    window_end: datetime | None,
    flt: MeetingFilter,
    matching_ids: set[int] | None = None,
) -> list[int]:
    """Ids of meetings that may have an occurrence in the window (a superset, checked later)."""
    found = briefs.rows(driver(session), window_start, window_end, flt, columns="m.id")
    ids = sorted(r[0] for r in found)
    if matching_ids is not None:
        ids = [i for i in ids if i in matching_ids]
    return ids


def override_keys(session: Session, master_ids: Sequence[int]) -> dict[int, set[str]]:
    """For each recurring master, the occurrence keys replaced by an override row."""
    return briefs.replaced_keys(driver(session), list(master_ids))


# --- full-text search ----------------------------------------------------------------------


def fts_update(session: Session, meeting_id: int) -> None:
    """Rewrite the search row of one meeting (call after any change to it or its parts)."""
    conn = session.connection()
    conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": meeting_id})
    row = session.get(MeetingRecord, meeting_id)
    if row is None:
        return
    agenda = " ".join(f"{a.title} {a.lead}" for a in agenda_of(session, meeting_id))
    people = " ".join(
        f"{p.name} {p.organisation} {p.role}" for p in participants_of(session, meeting_id)
    )
    conn.execute(
        text(
            f"INSERT INTO {FTS_TABLE}(rowid, title, description, location, agenda, participants) "
            "VALUES (:id, :title, :description, :location, :agenda, :participants)"
        ),
        {
            "id": meeting_id,
            "title": row.title,
            "description": f"{row.description} {row.outcomes}",
            "location": row.location,
            "agenda": agenda,
            "participants": people,
        },
    )


_AS_IS = frozenset({str, int, float, type(None)})


def _stored(value: object) -> object:
    """A value as its column type stores it (see ``types``): what SQLAlchemy would bind."""
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def insert_rows(session: Session, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows with the same columns in one statement, past SQLAlchemy's per-row
    parameter processing (import speed); values are stored as the column types store them."""
    if not rows:
        return
    columns = list(rows[0])
    session.connection().exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [
            tuple(
                [v if v.__class__ in _AS_IS else _stored(v) for v in map(row.__getitem__, columns)]
            )
            for row in rows
        ],
    )


def fts_insert_many(session: Session, rows: Sequence[tuple[int, str, str, str, str, str]]) -> None:
    """Search rows of new meetings: (id, title, description, location, agenda, participants)."""
    if rows:
        session.connection().exec_driver_sql(
            f"INSERT INTO {FTS_TABLE}(rowid, title, description, location, agenda, participants) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            list(rows),
        )


def fts_delete(session: Session, meeting_ids: Iterable[int]) -> None:
    conn = session.connection()
    for mid in meeting_ids:
        conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": mid})


def fts_query(user_text: str) -> str | None:
    """The FTS5 expression for what a user typed: every word, as a prefix, all required."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in user_text).split() if w]
    if not words:
        return None
    return " AND ".join(f'"{w}"*' for w in words)


SCORED_MATCHES = 1_000
"""A search with a limit ranks at most this many matches: the most recently added ones."""


def fts_search(conn: sqlite3.Connection, user_text: str, limit: int | None = None) -> list[int]:
    """Meeting ids matching ``user_text``, best first.

    With a ``limit`` (Find), only the ``SCORED_MATCHES`` most recently added matches are
    ranked, all of them when fewer match: a common word matches tens of thousands of meetings
    in a big calendar, and ranking them all took longer than a keystroke may (60 ms).
    """
    expression = fts_query(user_text)
    if expression is None:
        return []
    floor = 0
    if limit is not None:
        row = conn.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? "
            "ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (expression, SCORED_MATCHES - 1),
        ).fetchone()
        floor = row[0] if row is not None else 0
    sql = (
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? AND rowid >= ? "
        f"ORDER BY bm25({FTS_TABLE})"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [r[0] for r in conn.execute(sql, (expression, floor))]


def fts_matches(conn: sqlite3.Connection, user_text: str) -> set[int]:
    """Every meeting id matching ``user_text`` (a filter: not ranked)."""
    expression = fts_query(user_text)
    if expression is None:
        return set()
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?"
    return {r[0] for r in conn.execute(sql, (expression,))}


# --- batched detail (export) ---------------------------------------------------------------


def load_details(session: Session, ids: Sequence[int]) -> dict[int, MeetingDetail]:
    """Meetings with participants, agenda (clock times computed) and actions, in few queries.

    Parts are read as plain rows, not table objects: an export may load every meeting.
    """
    meetings = load_meetings(session, ids)
    people: dict[int, list[Participant]] = defaultdict(list)
    items: dict[int, list[Any]] = defaultdict(list)
    acts: dict[int, list[ActionItem]] = defaultdict(list)
    conn = session.connection()
    for chunk in _chunks(sorted(meetings)):
        marks = ",".join("?" * len(chunk))
        for pid, mid, name, org, side, role, email in conn.exec_driver_sql(
            "SELECT p.id, p.meeting_id, p.name, o.name, p.side, p.role, p.email "
            "FROM participant p LEFT JOIN organisation o ON o.id = p.organisation_id "
            f"WHERE p.meeting_id IN ({marks}) ORDER BY p.meeting_id, p.position, p.id",
            tuple(chunk),
        ):
            people[mid].append(
                Participant.model_construct(
                    id=pid, name=name, organisation=org or "", side=Side(side), role=role,
                    email=email,
                )
            )  # fmt: skip
        for row in conn.exec_driver_sql(
            "SELECT id, meeting_id, title, lead, duration_min, notes FROM agenda_item "
            f"WHERE meeting_id IN ({marks}) ORDER BY meeting_id, position, id",
            tuple(chunk),
        ):
            items[row.meeting_id].append(row)
        for aid, mid, text_, owner, due, status, carried in conn.exec_driver_sql(
            "SELECT id, meeting_id, text, owner, due, status, carried_from_id FROM action_item "
            f"WHERE meeting_id IN ({marks}) ORDER BY meeting_id, position, id",
            tuple(chunk),
        ):
            acts[mid].append(
                ActionItem.model_construct(
                    id=aid, meeting_id=mid, text=text_, owner=owner,
                    due=date.fromisoformat(due) if due else None,
                    status=ActionStatus(status), carried_from_id=carried,
                )
            )  # fmt: skip
    return {
        mid: detail_of(meeting, people[mid], items[mid], acts[mid])
        for mid, meeting in meetings.items()
    }


def detail_of(
    meeting: Meeting,
    participants: Sequence[Participant],
    agenda_rows: Sequence[Any],  # AgendaItemRecord, or a row with the same columns
    actions: Sequence[ActionItem],
) -> MeetingDetail:
    durations = [a.duration_min for a in agenda_rows]
    spans: list[tuple[datetime | None, datetime | None]]
    overrun = None
    if isinstance(meeting.start, datetime) and isinstance(meeting.end, datetime):
        spans = list(agenda_rules.clock_times(meeting.start, durations))
        overrun = agenda_rules.overrun(meeting.start, meeting.end, durations)
    else:
        spans = [(None, None)] * len(agenda_rows)
    agenda = tuple(
        AgendaItem.model_construct(
            id=a.id,
            position=i,
            title=a.title,
            lead=a.lead,
            duration_min=a.duration_min,
            notes=a.notes,
            starts=s,
            ends=e,
        )
        for i, (a, (s, e)) in enumerate(zip(agenda_rows, spans, strict=True))
    )
    return MeetingDetail.model_construct(
        **dict(meeting),
        participants=tuple(participants),
        agenda=agenda,
        actions=tuple(actions),
        overrun=overrun,
    )


class ExportRow(NamedTuple):
    """What choosing and ordering the events of a feed needs, without loading the meeting."""

    id: int
    uid: str
    revision: int
    master_id: int | None
    recurrence_id: str | None
    tz: str
    all_day: int  # 0 or 1, as stored
    start_year: int  # UTC year of the start: what a VTIMEZONE needs to know
    release_level: str
    exercise_phase_id: int | None


_EXPORT_COLUMNS = (
    "id, uid, revision, master_id, recurrence_id, tz, all_day, CAST(substr(start_utc, 1, 4) AS "
    "INTEGER), release_level, "
    "exercise_phase_id"
)


def export_rows(session: Session, since: int | None = None) -> dict[int, ExportRow]:
    """Export rows of every meeting, or of those changed after revision ``since``."""
    # Straight through the driver: this may run over every meeting.
    sql = f"SELECT {_EXPORT_COLUMNS} FROM meeting"
    params: tuple[int, ...] = ()
    if since is not None:
        sql += " WHERE revision > ?"
        params = (since,)
    cursor = session.connection().exec_driver_sql(sql, params)
    # Zones, levels and years repeat on every row: one object each, not one per row.
    shared: dict[Any, Any] = {}

    def share(value: Any) -> Any:
        found = shared.get(value)
        if found is None:
            shared[value] = found = value
        return found

    result = {}
    while batch := cursor.fetchmany(2000):
        for r in batch:
            result[r[0]] = ExportRow(
                r[0], r[1], r[2], r[3], r[4], share(r[5]), r[6], share(r[7]), share(r[8]), r[9]
            )
    return result


REVISION_SUM_MODULUS = 2_147_483_647
"""``change_state`` sums revisions modulo this prime: exactly, in SQLite's integers."""


def revision_sum(revisions: Iterable[int]) -> int:
    """The sum ``change_state`` gives for these revisions."""
    return sum(r % REVISION_SUM_MODULUS for r in revisions)


def change_state(session: Session) -> tuple[int, int, int]:
    """(the last revision handed out, the number of meeting rows, ``revision_sum`` of their
    revisions).

    Equal states mean equal rows. The sum also shows what the counter cannot: a file put back
    from a backup, whose counter may since have passed its old value again. It is taken
    modulo a prime: revisions grow by up to a million a change, and a float TOTAL() of a big
    calendar's (past 2**53) differed from the exact sum, so that every edit looked like a
    file put back and every feed was built again (27 s at 100,000 meetings); a plain SUM()
    could overflow.
    """
    conn = session.connection()
    counter = conn.exec_driver_sql("SELECT value FROM change_counter WHERE id = 1").scalar()
    count, total = conn.exec_driver_sql(
        f"SELECT COUNT(*), SUM(revision % {REVISION_SUM_MODULUS}) FROM meeting"
    ).one()
    return int(counter or 0), int(count or 0), int(total or 0)


def has_meetings(session: Session) -> bool:
    return session.connection().exec_driver_sql("SELECT 1 FROM meeting LIMIT 1").first() is not None


def meeting_ids(session: Session) -> set[int]:
    return {r[0] for r in session.connection().exec_driver_sql("SELECT id FROM meeting")}


def filtered_ids(
    session: Session, flt: MeetingFilter, within: Sequence[int] | None = None
) -> list[int]:
    """Ids of the meeting rows (masters, single meetings and overrides) matching ``flt``,
    among ``within`` when given."""
    conditions, values = briefs.filter_sql(flt)
    sql = f"SELECT m.id FROM meeting m WHERE {' AND '.join(conditions) or '1'}"
    conn = session.connection()
    if within is None:
        return [r[0] for r in conn.exec_driver_sql(sql, tuple(values))]
    found: list[int] = []
    for chunk in _chunks(list(within)):
        marks = ", ".join("?" * len(chunk))
        part = f"{sql} AND m.id IN ({marks})"
        found.extend(r[0] for r in conn.exec_driver_sql(part, (*values, *chunk)))
    return found


_CATALOGUE = {
    "kind": "SELECT id, key, name FROM kind",
    "strand": "SELECT id, key, name FROM strand",
    "series": "SELECT id, name FROM series",
    "partner": "SELECT id, name FROM partner",
    "organisation": "SELECT id, name FROM organisation",
    "exercise": "SELECT * FROM exercise",
    "exercise_phase": "SELECT * FROM exercise_phase",
    "exercise_strand": "SELECT exercise_id, strand_id, 1 FROM exercise_strand",
}


def catalogue_state(session: Session) -> dict[str, dict[Any, tuple[Any, ...]]]:
    """Everything besides a meeting's own rows that its VEVENT shows, by table and key:
    names of kinds, strands, series, partners and organisations, and whole exercises."""
    conn = session.connection()
    state: dict[str, dict[Any, tuple[Any, ...]]] = {}
    for table, sql in _CATALOGUE.items():
        rows = conn.exec_driver_sql(sql).fetchall()
        if table == "exercise_strand":
            state[table] = {(r[0], r[1]): tuple(r) for r in rows}
        else:
            state[table] = {r[0]: tuple(r) for r in rows}
    return state
