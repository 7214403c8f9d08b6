"""Queries and row conversion. Everything here runs inside a session the service opened."""

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
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
    SeriesRecord,
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
    """Read models for the meetings ``ids``, loaded in a few batched queries."""
    if not ids:
        return {}
    unique_ids = sorted(set(ids))
    kinds = key_map(session, KindRecord)
    strands = key_map(session, StrandRecord)
    series_names: dict[int | None, str] = dict(
        session.exec(select(col(SeriesRecord.id), col(SeriesRecord.name))).all()
    )
    rows: list[_MeetingRow] = []
    strand_keys: dict[int, list[str]] = defaultdict(list)
    partner_names: dict[int, list[str]] = defaultdict(list)
    proposal_numbers: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(unique_ids):
        # Plain rows, not ORM objects: a month of a big calendar is thousands of meetings.
        marks = ", ".join("?" * len(chunk))
        rows.extend(
            _MeetingRow.of(values)
            for values in session.connection()
            .exec_driver_sql(
                f"SELECT {_MEETING_COLUMNS} FROM meeting WHERE id IN ({marks})", tuple(chunk)
            )
            .fetchall()
        )
        conn = session.connection()
        for mid, sid in conn.exec_driver_sql(
            f"SELECT meeting_id, strand_id FROM meeting_strand WHERE meeting_id IN ({marks})",
            tuple(chunk),
        ):
            strand_keys[mid].append(strands[sid])
        for mid, name in conn.exec_driver_sql(
            "SELECT l.meeting_id, p.name FROM meeting_partner l JOIN partner p "
            f"ON p.id = l.partner_id WHERE l.meeting_id IN ({marks})",
            tuple(chunk),
        ):
            partner_names[mid].append(name)
        for mid, number in conn.exec_driver_sql(
            "SELECT l.meeting_id, c.number FROM meeting_proposal l JOIN common_proposal c "
            f"ON c.id = l.proposal_id WHERE l.meeting_id IN ({marks})",
            tuple(chunk),
        ):
            proposal_numbers[mid].append(number)
    strand_order = {key: i for i, key in enumerate(sorted(strands.values()))}
    result = {}
    for row in rows:
        assert row.id is not None
        result[row.id] = to_meeting(
            row,
            kind=kinds[row.kind_id],
            strands=sorted(strand_keys[row.id], key=lambda k: strand_order.get(k, 0)),
            partners=sorted(partner_names[row.id]),
            series=series_names.get(row.series_id) if row.series_id else None,
            proposals=sorted(proposal_numbers[row.id]),
        )
    return result


class _MeetingRow(NamedTuple):
    """The columns of a meeting row that its read model needs, as their Python types."""

    id: int
    uid: str
    sequence: int
    title: str
    kind_id: int
    series_id: int | None
    iteration: int | None
    start_utc: datetime
    end_utc: datetime
    tz: str
    all_day: bool
    start_date: date | None
    end_date: date | None
    floating: bool
    location: str
    mode: str
    lead_side: str
    status: str
    marking: str
    release_level: str
    description: str
    outcomes: str
    rrule: str | None
    exdates: str
    rdates: str
    master_id: int | None
    recurrence_id: str | None
    exercise_phase_id: int | None
    created: datetime
    modified: datetime

    @classmethod
    def of(cls, values: Sequence[Any]) -> "_MeetingRow":
        v = list(values)
        for i in _INSTANTS:
            v[i] = datetime.fromisoformat(v[i])  # stored as UTC with a Z (see ``types``)
        for i in _DATES:
            v[i] = date.fromisoformat(v[i]) if v[i] is not None else None
        for i in _FLAGS:
            v[i] = bool(v[i])
        return cls(*v)


_MEETING_COLUMNS = ", ".join(_MeetingRow._fields)
_INSTANTS = [_MeetingRow._fields.index(n) for n in ("start_utc", "end_utc", "created", "modified")]
_DATES = [_MeetingRow._fields.index(n) for n in ("start_date", "end_date")]
_FLAGS = [_MeetingRow._fields.index(n) for n in ("all_day", "floating")]


def to_meeting(
    row: "_MeetingRow",
    *,
    kind: str,
    strands: Sequence[str],
    partners: Sequence[str],
    series: str | None,
    proposals: Sequence[int],
) -> Meeting:
    assert row.id is not None
    if row.all_day:
        assert row.start_date is not None
        assert row.end_date is not None
        start: Moment = row.start_date
        end: Moment = row.end_date
    else:
        tz = zone(row.tz)
        start = row.start_utc.astimezone(tz)
        end = row.end_utc.astimezone(tz)
    # Built without validation: every value comes from a row the services validated, in its
    # type already (thousands of these fill a month of a big calendar).
    return unchecked(
        Meeting,
        {
            "id": row.id,
            "uid": row.uid,
            "sequence": row.sequence,
            "title": row.title,
            "kind": kind,
            "start": start,
            "end": end,
            "tz": row.tz,
            "all_day": row.all_day,
            "floating": row.floating,
            "strands": tuple(strands),
            "partners": tuple(partners),
            "series": series,
            "series_id": row.series_id,
            "iteration": row.iteration,
            "location": row.location,
            "mode": briefs.MODES[row.mode],
            "lead_side": briefs.LEADS[row.lead_side],
            "status": briefs.STATUSES[row.status],
            "marking": row.marking,
            "release_level": briefs.RELEASES[row.release_level],
            "description": row.description,
            "outcomes": row.outcomes,
            "rrule": row.rrule,
            "exdates": briefs.occurrence_keys(row.exdates),
            "rdates": briefs.occurrence_keys(row.rdates),
            "master_id": row.master_id,
            "recurrence_id": parse_occurrence_key(row.recurrence_id) if row.recurrence_id else None,
            "proposals": tuple(proposals),
            "exercise_phase_id": row.exercise_phase_id,
            "created": row.created,
            "modified": row.modified,
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


def fts_search(session: Session, user_text: str, limit: int | None = None) -> list[int]:
    """Meeting ids matching ``user_text``, best first."""
    expression = fts_query(user_text)
    if expression is None:
        return []
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q ORDER BY bm25({FTS_TABLE})"
    params: dict[str, object] = {"q": expression}
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return [r[0] for r in session.connection().execute(text(sql), params)]


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


def change_state(session: Session) -> tuple[int, int, int]:
    """(the last revision handed out, the number of meeting rows, the sum of their revisions).

    Equal states mean equal rows. The sum also shows what the counter cannot: a file put back
    from a backup, whose counter may since have passed its old value again.
    """
    conn = session.connection()
    counter = conn.exec_driver_sql("SELECT value FROM change_counter WHERE id = 1").scalar()
    count, total = conn.exec_driver_sql("SELECT COUNT(*), TOTAL(revision) FROM meeting").one()
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
