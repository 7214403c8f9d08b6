"""Scheduling use cases: create, edit, reschedule, cancel and delete meetings and their parts."""

import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypedDict

from sqlalchemy import delete, func
from sqlmodel import Session, SQLModel, col, select

from liaison_calendar.domain import agenda as agenda_rules
from liaison_calendar.domain.clock import Clock
from liaison_calendar.domain.enums import ActionStatus, Status
from liaison_calendar.domain.models import (
    ActionItem,
    ActionItemDraft,
    AgendaItemDraft,
    Meeting,
    MeetingDetail,
    MeetingDraft,
    MeetingPatch,
    Moment,
    Participant,
    ParticipantDraft,
)
from liaison_calendar.domain.recurrence import (
    build_rule,
    first_start,
    last_start,
    normalise_rule,
    occurrence_key,
    parse_occurrence_key,
    starts_between,
)
from liaison_calendar.domain.timezones import localize, zone
from liaison_calendar.errors import NotFoundError, ValidationError
from liaison_calendar.services import resolve
from liaison_calendar.store import queries
from liaison_calendar.store.database import Database
from liaison_calendar.store.tables import (
    ActionItemRecord,
    AgendaItemRecord,
    MeetingPartnerLink,
    MeetingProposalLink,
    MeetingRecord,
    MeetingStrandLink,
    ParticipantRecord,
    StrandRecord,
)

UID_DOMAIN = "liaison-calendar"
_SIGNIFICANT = (
    "start_utc",
    "end_utc",
    "tz",
    "all_day",
    "start_date",
    "end_date",
    "location",
    "status",
    "rrule",
    "exdates",
    "rdates",
)
"""Changes to these fields bump SEQUENCE: time, place and status."""


@dataclass(frozen=True)
class Span:
    all_day: bool
    start_utc: datetime
    end_utc: datetime
    start_date: date | None
    end_date: date | None


def new_uid() -> str:
    return f"{uuid.uuid4()}@{UID_DOMAIN}"


def _describe(value: Moment, tz: str) -> str:
    if isinstance(value, datetime):
        local = value.astimezone(zone(tz)) if value.tzinfo else value
        return f"{local:%Y-%m-%d %H:%M}"
    return value.isoformat()


def make_span(start: Moment, end: Moment, tz: str) -> Span:
    """Validate a start/end pair and give its stored form."""
    zone(tz)
    start_timed = isinstance(start, datetime)
    end_timed = isinstance(end, datetime)
    if start_timed != end_timed:
        raise ValidationError(
            "Start and end must both be dates (an all-day meeting) or both be times."
        )
    if not start_timed:
        assert not isinstance(start, datetime)
        assert not isinstance(end, datetime)
        if end <= start:
            raise ValidationError(
                f"The meeting ends ({end.isoformat()}) before it starts ({start.isoformat()}); "
                "the end date of an all-day meeting is the day after its last day."
            )
        return Span(
            True,
            datetime.combine(start, time.min, tzinfo=UTC),
            datetime.combine(end, time.min, tzinfo=UTC),
            start,
            end,
        )
    assert isinstance(start, datetime)
    assert isinstance(end, datetime)
    aware_start = localize(start, tz) if start.tzinfo is None else start
    aware_end = localize(end, tz) if end.tzinfo is None else end
    if aware_end <= aware_start:
        raise ValidationError(
            f"The meeting must end after it starts: it starts {_describe(aware_start, tz)} "
            f"and ends {_describe(aware_end, tz)} ({tz})."
        )
    if aware_end - aware_start > timedelta(days=366):
        raise ValidationError("A meeting cannot last more than a year.")
    return Span(
        False,
        aware_start.astimezone(UTC).replace(microsecond=0),
        aware_end.astimezone(UTC).replace(microsecond=0),
        None,
        None,
    )


def _span_start(span: Span) -> Moment:
    return span.start_date if span.all_day and span.start_date else span.start_utc


def _exdate_keys(values: Sequence[Moment], span: Span, tz: str) -> list[str]:
    keys = []
    for value in values:
        if span.all_day:
            if isinstance(value, datetime):
                raise ValidationError("An all-day meeting skips whole days: give dates.")
            keys.append(occurrence_key(value))
        else:
            if not isinstance(value, datetime):
                raise ValidationError("A timed meeting skips occurrences by date and time.")
            aware = localize(value, tz) if value.tzinfo is None else value
            keys.append(occurrence_key(aware))
    return sorted(set(keys))


def _length(start: Moment, end: Moment) -> timedelta:
    """How long a meeting lasts; its start and end are both dates or both times."""
    if isinstance(start, datetime):
        assert isinstance(end, datetime)
        return end - start
    assert not isinstance(end, datetime)
    return end - start


def _check_title(title: str) -> str:
    cleaned = title.strip()
    if not cleaned:
        raise ValidationError("A meeting needs a title.")
    if len(cleaned) > 500:
        raise ValidationError("A title can be at most 500 characters long.")
    return cleaned


def _recurrence(row: MeetingRecord) -> None:
    """Validate the row's RRULE and index the end of its last occurrence."""
    row.rrule, row.until_utc = _recurrence_of(
        row.rrule, row.rdates, row.start_date if row.all_day else None, row.start_utc,
        row.end_utc, row.tz,
    )  # fmt: skip


def _recurrence_of(
    rrule: str | None,
    rdates: str,
    start_date: date | None,
    start_utc: datetime,
    end_utc: datetime,
    tz: str,
) -> tuple[str | None, datetime | None]:
    """(the normalised RRULE, the end of its last occurrence), or the reason it is wrong."""
    if not rrule:
        if json.loads(rdates):
            raise ValidationError("Extra dates need a repeat rule to add to.")
        return None, None
    start: Moment = start_date if start_date is not None else start_utc
    rrule = normalise_rule(rrule)
    build_rule(rrule, start, tz)
    first = first_start(rrule, start, tz)
    if first is None:
        raise ValidationError(f"The repeat rule {rrule!r} gives no dates at all.")
    if occurrence_key(first) != occurrence_key(start):
        # RFC 5545 counts DTSTART as an occurrence even off the rule; calendars disagree on it.
        raise ValidationError(
            f"The meeting starts {_describe(start, tz)}, a date its repeat rule "
            f"{rrule!r} does not give; the rule's first date is {_describe(first, tz)}. "
            "Start the meeting on that date or change the rule."
        )
    last = last_start(rrule, start, tz)
    extra = [parse_occurrence_key(k) for k in json.loads(rdates)]
    if last is not None and extra:
        # The last occurrence may be an extra date after the rule's last.
        as_utc = [_key_instant(x) for x in [last, *extra]]
        last = max(as_utc)
    duration = end_utc - start_utc
    if last is None:
        return rrule, None
    if isinstance(last, datetime):
        return rrule, last + duration
    return rrule, datetime.combine(last, time.min, tzinfo=UTC) + duration


def _key_instant(value: Moment) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.combine(value, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class PreparedMeeting:
    """A validated new meeting waiting for ``insert_many``."""

    values: dict[str, Any]  # meeting columns, without id
    draft: MeetingDraft
    people: list[ParticipantDraft]  # with names as saved


class MeetingService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # --- reading ------------------------------------------------------------------------

    def get(self, id_or_uid: int | str) -> MeetingDetail:
        with self._db.reading() as session:
            row = self._row(session, id_or_uid)
            assert row.id is not None
            return self._detail(session, row.id)

    def _row(self, session: Session, id_or_uid: int | str) -> MeetingRecord:
        row: MeetingRecord | None = None
        if isinstance(id_or_uid, int) or str(id_or_uid).isdigit():
            try:
                row = session.get(MeetingRecord, int(id_or_uid))
            except OverflowError:
                row = None
        if row is None and isinstance(id_or_uid, str):
            # The series, or else a changed occurrence kept alone (its series not yet imported).
            row = session.exec(
                select(MeetingRecord)
                .where(col(MeetingRecord.uid) == id_or_uid, col(MeetingRecord.master_id).is_(None))
                .order_by(col(MeetingRecord.recurrence_id).is_not(None), col(MeetingRecord.id))
            ).first()
        if row is None:
            raise NotFoundError(f"There is no meeting {id_or_uid}.")
        return row

    def _detail(self, session: Session, meeting_id: int) -> MeetingDetail:
        meeting = queries.load_meetings(session, [meeting_id])[meeting_id]
        return queries.detail_of(
            meeting,
            queries.participants_of(session, meeting_id),
            queries.agenda_of(session, meeting_id),
            [queries.to_action(r) for r in queries.actions_of(session, meeting_id)],
        )

    # --- creating -----------------------------------------------------------------------

    def create(self, draft: MeetingDraft) -> MeetingDetail:
        with self._db.transaction() as session:
            meeting_id = self.create_in(session, draft)
            return self._detail(session, meeting_id)

    def create_in(
        self,
        session: Session,
        draft: MeetingDraft,
        *,
        exercise_phase_id: int | None = None,
        override_of: tuple[int, str] | None = None,
    ) -> int:
        """Create inside a transaction the caller owns (series, exercises, demo, import).

        ``override_of`` (master id, occurrence key) makes the meeting a changed occurrence of a
        recurring one, sharing its UID.
        """
        row = MeetingRecord(
            **self._new_values(
                session, draft, exercise_phase_id=exercise_phase_id, override_of=override_of
            )
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        self._set_links(session, row.id, draft.strands, draft.partners, draft.proposals)
        self._add_parts(session, row.id, draft)
        return row.id

    def _new_values(
        self,
        session: Session,
        draft: MeetingDraft,
        *,
        exercise_phase_id: int | None = None,
        override_of: tuple[int, str] | None = None,
        check_uid: bool = True,
        kind_ids: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        """The validated columns of a new meeting row for ``draft``, all but its id (its parts
        are added separately)."""
        now = self._clock.now()
        span = make_span(draft.start, draft.end, draft.tz)
        uid = (draft.uid or new_uid()).strip()
        if not uid or any(c in uid for c in "\r\n"):
            raise ValidationError("A meeting UID must be one line of text.")
        if check_uid:
            taken = session.exec(
                select(col(MeetingRecord.id)).where(
                    col(MeetingRecord.uid) == uid, col(MeetingRecord.recurrence_id).is_(None)
                )
            ).first()
            if taken is not None and override_of is None:
                raise ValidationError(f"A meeting with UID {uid} already exists (#{taken}).")
        series_id: int | None = None
        iteration = draft.iteration
        if draft.series:
            series = resolve.series_row(session, draft.series)
            assert series.id is not None
            series_id = series.id
            iteration = self._iteration(session, series.id, draft.iteration, series.name)
        elif draft.iteration is not None:
            raise ValidationError("An iteration number needs a series.")
        values: dict[str, Any] = {
            "uid": uid,
            "sequence": 0,
            "title": _check_title(draft.title),
            "kind_id": kind_ids[draft.kind]
            if kind_ids and draft.kind in kind_ids
            else resolve.kind_id(session, draft.kind),
            "series_id": series_id,
            "iteration": iteration,
            "start_utc": span.start_utc,
            "end_utc": span.end_utc,
            "tz": draft.tz,
            "all_day": span.all_day,
            "start_date": span.start_date,
            "end_date": span.end_date,
            "floating": draft.floating,
            "location": draft.location.strip(),
            "mode": str(draft.mode),
            "lead_side": str(draft.lead_side),
            "status": str(draft.status),
            "marking": draft.marking.strip(),
            "release_level": str(draft.release_level),
            "description": draft.description,
            "outcomes": draft.outcomes,
            "rrule": draft.rrule,
            "exdates": json.dumps(_exdate_keys(draft.exdates, span, draft.tz)),
            "rdates": json.dumps(_exdate_keys(draft.rdates, span, draft.tz)),
            "created": now,
            "modified": now,
            "exercise_phase_id": exercise_phase_id,
            "master_id": None,
            "recurrence_id": None,
        }
        if override_of is not None:
            values["master_id"], values["recurrence_id"] = override_of
            values["rrule"], values["series_id"], values["iteration"] = None, None, None
        values["rrule"], values["until_utc"] = _recurrence_of(
            values["rrule"],
            values["rdates"],
            span.start_date if span.all_day else None,
            span.start_utc,
            span.end_utc,
            draft.tz,
        )
        return values

    # --- creating many (import) ----------------------------------------------------------

    def prepare_in(
        self,
        session: Session,
        draft: MeetingDraft,
        kind_ids: dict[str, int],
        strand_ids: dict[str, int],
    ) -> "PreparedMeeting":
        """Validate a new meeting with no series, as ``create_in`` would, without saving it.

        The caller has made sure that its UID is free; ``insert_many`` saves a batch of them.
        """
        if draft.series or draft.iteration is not None:
            raise ValueError("prepare_in takes meetings without a series")
        values = self._new_values(session, draft, check_uid=False, kind_ids=kind_ids)
        resolve.strand_ids_known(draft.strands, strand_ids)
        if any(not name.split() for name in draft.partners):
            raise ValidationError("A partner needs a name.")
        people = []
        for p in draft.participants:
            name = " ".join(p.name.split())
            if not name:
                raise ValidationError("A participant needs a name.")
            people.append(p if name == p.name else p.model_copy(update={"name": name}))
        for number in draft.proposals:
            if not 1 <= number <= 74:
                raise ValidationError(
                    f"Common proposal {number} does not exist: they run from 1 to 74."
                )
        return PreparedMeeting(values, draft, people)

    def strand_ids(self, session: Session) -> dict[str, int]:
        return {key: sid for sid, key in queries.key_map(session, StrandRecord).items()}

    def insert_many(self, session: Session, items: Sequence["PreparedMeeting"]) -> list[int]:
        """Save prepared meetings with their parts in a few statements each (import)."""
        if not items:
            return []
        conn = session.connection()
        first = int(conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM meeting").scalar() or 0)
        ids = list(range(first + 1, first + 1 + len(items)))
        strands = self.strand_ids(session)
        partners = resolve.partner_map(session, [n for i in items for n in i.draft.partners])
        orgs = resolve.organisation_map(
            session, [(p.organisation, p.side) for i in items for p in i.people]
        )
        proposals = dict(
            zip(
                numbers := sorted({n for i in items for n in i.draft.proposals}),
                resolve.proposal_ids(session, numbers),
                strict=True,
            )
        )
        now = self._clock.now()
        links: dict[type[SQLModel], list[dict[str, Any]]] = defaultdict(list)
        fts = []
        for item, mid in zip(items, ids, strict=True):
            d = item.draft
            for sid in dict.fromkeys(strands[k] for k in d.strands):
                links[MeetingStrandLink].append({"meeting_id": mid, "strand_id": sid})
            for pid in dict.fromkeys(partners[" ".join(n.split()).casefold()] for n in d.partners):
                links[MeetingPartnerLink].append({"meeting_id": mid, "partner_id": pid})
            for cid in dict.fromkeys(proposals[n] for n in d.proposals):
                links[MeetingProposalLink].append({"meeting_id": mid, "proposal_id": cid})
            for pos, p in enumerate(item.people):
                org = " ".join(p.organisation.split())
                links[ParticipantRecord].append(
                    {
                        "meeting_id": mid,
                        "position": pos,
                        "name": p.name,
                        "organisation_id": orgs.get(org.casefold()) if org else None,
                        "side": str(p.side),
                        "role": p.role.strip(),
                        "email": p.email.strip(),
                    }
                )
            for pos, a in enumerate(d.agenda):
                links[AgendaItemRecord].append(
                    {"meeting_id": mid, "position": pos, **a.model_dump()}
                )
            for pos, act in enumerate(d.actions):
                links[ActionItemRecord].append(
                    {
                        "meeting_id": mid,
                        "position": pos,
                        "created": now,
                        "modified": now,
                        **_action_fields(act),
                    }
                )
            fts.append(
                (
                    mid,
                    item.values["title"],
                    f"{item.values['description']} {item.values['outcomes']}",
                    item.values["location"],
                    " ".join(f"{a.title} {a.lead}" for a in d.agenda),
                    " ".join(
                        f"{p.name} {' '.join(p.organisation.split())} {p.role.strip()}"
                        for p in item.people
                    ),
                )
            )
        # The parts first, their meetings after, with foreign keys checked at commit: the
        # trigger of each part then finds no meeting row to give a new revision to (one update
        # of a wide row per part), and each meeting gets its revision once, when it is saved.
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        for table, rows in links.items():
            queries.insert_rows(session, table.__tablename__, rows)  # type: ignore[arg-type]
        # Plain inserts, not the ORM's bulk path: the rows are values already.
        queries.insert_rows(
            session,
            MeetingRecord.__tablename__,
            [dict(i.values, id=mid) for i, mid in zip(items, ids, strict=True)],
        )
        queries.fts_insert_many(session, fts)
        return ids

    def _add_parts(self, session: Session, meeting_id: int, draft: MeetingDraft) -> None:
        """The draft's participants, agenda and action items, then the search row."""
        now = self._clock.now()
        for i, p in enumerate(draft.participants):
            self._add_participant(session, meeting_id, p, i)
        for i, a in enumerate(draft.agenda):
            session.add(AgendaItemRecord(meeting_id=meeting_id, position=i, **a.model_dump()))
        for i, act in enumerate(draft.actions):
            session.add(
                ActionItemRecord(
                    meeting_id=meeting_id,
                    position=i,
                    created=now,
                    modified=now,
                    **_action_fields(act),
                )
            )
        session.flush()
        queries.fts_update(session, meeting_id)

    def _iteration(
        self, session: Session, series_id: int, wanted: int | None, series_name: str
    ) -> int:
        highest = session.exec(
            select(func.max(col(MeetingRecord.iteration))).where(
                col(MeetingRecord.series_id) == series_id
            )
        ).one()
        if wanted is None:
            return (highest or 0) + 1
        if wanted < 1:
            raise ValidationError("Iterations are numbered from 1.")
        clash = session.exec(
            select(col(MeetingRecord.id)).where(
                col(MeetingRecord.series_id) == series_id, col(MeetingRecord.iteration) == wanted
            )
        ).first()
        if clash is not None:
            raise ValidationError(
                f"The {agenda_rules.ordinal(wanted)} iteration of {series_name} already exists "
                f"(meeting #{clash})."
            )
        return wanted

    def _set_links(
        self,
        session: Session,
        meeting_id: int,
        strands: Sequence[str] | None,
        partners: Sequence[str] | None,
        proposals: Sequence[int] | None,
    ) -> None:
        if strands is not None:
            session.exec(
                delete(MeetingStrandLink).where(col(MeetingStrandLink.meeting_id) == meeting_id)
            )
            for sid in resolve.strand_ids(session, strands):
                session.add(MeetingStrandLink(meeting_id=meeting_id, strand_id=sid))
        if partners is not None:
            session.exec(
                delete(MeetingPartnerLink).where(col(MeetingPartnerLink.meeting_id) == meeting_id)
            )
            for pid in resolve.partner_ids(session, partners):
                session.add(MeetingPartnerLink(meeting_id=meeting_id, partner_id=pid))
        if proposals is not None:
            session.exec(
                delete(MeetingProposalLink).where(col(MeetingProposalLink.meeting_id) == meeting_id)
            )
            for cid in resolve.proposal_ids(session, proposals):
                session.add(MeetingProposalLink(meeting_id=meeting_id, proposal_id=cid))

    # --- changing -----------------------------------------------------------------------

    def edit(self, id_or_uid: int | str, patch: MeetingPatch) -> MeetingDetail:
        with self._db.transaction() as session:
            row = self._row(session, id_or_uid)
            self.edit_in(session, row, patch)
            assert row.id is not None
            return self._detail(session, row.id)

    def edit_in(self, session: Session, row: MeetingRecord, patch: MeetingPatch) -> None:
        changes = patch.model_dump(exclude_unset=True)
        before = {name: getattr(row, name) for name in _SIGNIFICANT}
        if {"start", "end", "tz"} & changes.keys():
            tz = changes.get("tz") or row.tz
            old_start, old_end = self._moments(row)
            start = changes.get("start") or old_start
            end = changes.get("end")
            if end is None and isinstance(start, datetime) != isinstance(old_start, datetime):
                raise ValidationError(
                    "Give both start and end when turning a meeting into an all-day one or back."
                )
            if end is None:
                # Moving the start alone keeps the length of the meeting.
                end = start + _length(old_start, old_end) if "start" in changes else old_end
            if "tz" in changes and "start" not in changes and isinstance(start, datetime):
                start = start.astimezone(zone(row.tz)).replace(tzinfo=None)
                if "end" not in changes:
                    # The stored end of a timed meeting (the start was not changed).
                    assert isinstance(end, datetime)
                    end = end.astimezone(zone(row.tz)).replace(tzinfo=None)
            span = make_span(start, end, tz)
            old_tz = row.tz
            row.tz = tz
            row.all_day = span.all_day
            row.start_utc, row.end_utc = span.start_utc, span.end_utc
            row.start_date, row.end_date = span.start_date, span.end_date
            if row.rrule and row.master_id is None and "exdates" not in changes:
                self._shift_exceptions(session, row, old_start, old_tz)
        if "title" in changes:
            row.title = _check_title(changes["title"])
        if "kind" in changes:
            row.kind_id = resolve.kind_id(session, changes["kind"])
        for name in ("location", "marking"):
            if name in changes:
                setattr(row, name, (changes[name] or "").strip())
        for name in ("mode", "lead_side", "status", "release_level"):
            if changes.get(name) is not None:
                setattr(row, name, str(changes[name]))
        for name in ("description", "outcomes"):
            if name in changes:
                setattr(row, name, changes[name] or "")
        if "rrule" in changes:
            row.rrule = changes["rrule"] or None
        if {"exdates", "rdates", "rrule", "start", "end", "tz"} & changes.keys():
            span = Span(row.all_day, row.start_utc, row.end_utc, row.start_date, row.end_date)
            if "exdates" in changes:
                row.exdates = json.dumps(_exdate_keys(changes["exdates"] or [], span, row.tz))
            if "rdates" in changes:
                row.rdates = json.dumps(_exdate_keys(changes["rdates"] or [], span, row.tz))
            _recurrence(row)
        assert row.id is not None
        self._set_links(
            session,
            row.id,
            changes.get("strands"),
            changes.get("partners"),
            changes.get("proposals"),
        )
        self._touch(row, before)
        session.add(row)
        session.flush()
        queries.fts_update(session, row.id)

    def replace(self, id_or_uid: int | str, draft: MeetingDraft) -> MeetingDetail:
        """Make a meeting say everything ``draft`` says, its series and parts included (the
        editor's OK, and undoing or redoing an edit); one transaction."""
        with self._db.transaction() as session:
            row = self._row(session, id_or_uid)
            self.replace_in(session, row, draft)
            if row.master_id is None:
                self._set_series(session, row, draft.series, draft.iteration)
                if draft.rdates != [] or row.rdates != "[]":
                    self.edit_in(session, row, MeetingPatch(rdates=draft.rdates))
            row.floating = draft.floating
            session.add(row)
            assert row.id is not None
            return self._detail(session, row.id)

    def _set_series(
        self, session: Session, row: MeetingRecord, series: str | None, iteration: int | None
    ) -> None:
        if series is None:
            if iteration is not None:
                raise ValidationError("An iteration number needs a series.")
            row.series_id, row.iteration = None, None
            return
        found = resolve.series_row(session, series)
        assert found.id is not None
        if found.id == row.series_id and (iteration is None or iteration == row.iteration):
            return
        row.iteration = None  # free its number before the new one is checked
        row.series_id = found.id
        session.flush()
        row.iteration = self._iteration(session, found.id, iteration, found.name)

    def replace_in(self, session: Session, row: MeetingRecord, draft: MeetingDraft) -> None:
        """Make ``row`` say what ``draft`` says (an import of a newer version of it)."""
        fields = draft.model_dump(
            include={
                "title", "kind", "start", "end", "tz", "strands", "partners", "location", "mode",
                "lead_side", "status", "marking", "release_level", "description", "outcomes",
                "proposals",
            }
        )  # fmt: skip
        if row.master_id is None:
            fields["rrule"] = draft.rrule or ""
            fields["exdates"] = draft.exdates
            fields["rdates"] = draft.rdates
        self.edit_in(session, row, MeetingPatch(**fields))
        assert row.id is not None
        for table in (ParticipantRecord, AgendaItemRecord, ActionItemRecord):
            for child in session.exec(select(table).where(col(table.meeting_id) == row.id)).all():
                session.delete(child)
        session.flush()
        self._add_parts(session, row.id, draft)

    def _shift_exceptions(
        self, session: Session, row: MeetingRecord, old_start: Moment, old_tz: str
    ) -> None:
        """Keep skipped and changed occurrences attached when a whole series moves.

        Each EXDATE and RECURRENCE-ID moves by the same wall-clock step as the series start.
        """
        new_start, _ = self._moments(row)
        if isinstance(old_start, datetime) != isinstance(new_start, datetime):
            row.exdates = "[]"  # timed <-> all-day: the old keys mean nothing any more
            step = None
        elif isinstance(old_start, datetime) and isinstance(new_start, datetime):
            step = new_start.replace(tzinfo=None) - old_start.replace(tzinfo=None)
        else:
            step = new_start - old_start  # type: ignore[operator]

        def moved(key: str) -> str:
            value = parse_occurrence_key(key)
            assert step is not None
            if isinstance(value, datetime):
                wall = value.astimezone(zone(old_tz)).replace(tzinfo=None) + step
                return occurrence_key(wall.replace(tzinfo=zone(row.tz)))
            return occurrence_key(value + step)

        overrides = session.exec(
            select(MeetingRecord).where(col(MeetingRecord.master_id) == row.id)
        ).all()
        if step is None:
            for override in overrides:
                session.delete(override)
            return
        row.exdates = json.dumps(sorted(moved(k) for k in json.loads(row.exdates)))
        row.rdates = json.dumps(sorted(moved(k) for k in json.loads(row.rdates)))
        for override in overrides:
            if override.recurrence_id:
                override.recurrence_id = moved(override.recurrence_id)
                session.add(override)

    def _moments(self, row: MeetingRecord) -> tuple[Moment, Moment]:
        if row.all_day:
            assert row.start_date is not None
            assert row.end_date is not None
            return row.start_date, row.end_date
        tz = zone(row.tz)
        return row.start_utc.astimezone(tz), row.end_utc.astimezone(tz)

    def _touch(self, row: MeetingRecord, before: dict[str, object]) -> None:
        if any(getattr(row, name) != value for name, value in before.items()):
            row.sequence += 1
        row.modified = self._clock.now()

    def reschedule(
        self, id_or_uid: int | str, start: Moment, end: Moment | None = None, tz: str | None = None
    ) -> MeetingDetail:
        patch = MeetingPatch(start=start)
        if end is not None:
            patch.end = end
        if tz is not None:
            patch.tz = tz
        return self.edit(id_or_uid, patch)

    def cancel(self, id_or_uid: int | str) -> MeetingDetail:
        with self._db.transaction() as session:
            row = self._row(session, id_or_uid)
            if row.status == Status.CANCELLED:
                raise ValidationError(f"Meeting #{row.id} is already cancelled.")
            self.edit_in(session, row, MeetingPatch(status=Status.CANCELLED))
            assert row.id is not None
            return self._detail(session, row.id)

    def delete_uid_in(self, session: Session, uid: str) -> int:
        """Delete every meeting with ``uid`` (a series with its changed occurrences, or an
        orphan occurrence) in the caller's transaction; how many there were."""
        ids = [
            i
            for i in session.exec(
                select(col(MeetingRecord.id)).where(col(MeetingRecord.uid) == uid)
            ).all()
            if i is not None
        ]
        queries.fts_delete(session, ids)
        session.flush()
        session.execute(delete(MeetingRecord).where(col(MeetingRecord.uid) == uid))
        session.expire_all()
        return len(ids)

    def delete(self, id_or_uid: int | str) -> Meeting:
        with self._db.transaction() as session:
            row = self._row(session, id_or_uid)
            assert row.id is not None
            meeting = queries.load_meetings(session, [row.id])[row.id]
            overrides = [
                i
                for i in session.exec(
                    select(col(MeetingRecord.id)).where(col(MeetingRecord.master_id) == row.id)
                ).all()
                if i is not None  # primary keys are never NULL: this only narrows the type
            ]
            queries.fts_delete(session, [row.id, *overrides])
            session.delete(row)
            return meeting

    # --- occurrences of recurring meetings -----------------------------------------------

    def _occurrence(self, session: Session, master: MeetingRecord, when: Moment) -> str:
        if not master.rrule:
            raise ValidationError(f"Meeting #{master.id} does not repeat.")
        key_moment: Moment
        if master.all_day:
            key_moment = when.date() if isinstance(when, datetime) else when
        else:
            if not isinstance(when, datetime):
                raise ValidationError("Give the date and time of the occurrence.")
            key_moment = localize(when, master.tz) if when.tzinfo is None else when
        start, end = self._moments(master)
        duration = _length(start, end)
        window_end = key_moment + (timedelta(days=1) if master.all_day else timedelta(seconds=1))
        extra = [parse_occurrence_key(k) for k in json.loads(master.rdates)]
        found = list(
            starts_between(
                master.rrule, start, master.tz, key_moment, window_end, duration, (), extra
            )
        )
        key = occurrence_key(key_moment)
        if key not in {occurrence_key(m) for m in found}:
            raise NotFoundError(
                f"Meeting #{master.id} has no occurrence at {_describe(key_moment, master.tz)}."
            )
        return key

    def override_occurrence(
        self, master_id: int, when: Moment, patch: MeetingPatch
    ) -> MeetingDetail:
        """Change one occurrence of a recurring meeting (RECURRENCE-ID override)."""
        with self._db.transaction() as session:
            master = self._row(session, master_id)
            key = self._occurrence(session, master, when)
            existing = session.exec(
                select(MeetingRecord).where(
                    col(MeetingRecord.master_id) == master.id,
                    col(MeetingRecord.recurrence_id) == key,
                )
            ).one_or_none()
            if existing is None:
                existing = self._copy_as_override(session, master, key)
            self.edit_in(session, existing, patch)
            existing.sequence = max(existing.sequence, master.sequence)
            assert existing.id is not None
            return self._detail(session, existing.id)

    def overrides_of(self, id_or_uid: int | str) -> list[MeetingDetail]:
        """The changed occurrences of a recurring meeting, in occurrence order."""
        with self._db.reading() as session:
            master = self._row(session, id_or_uid)
            ids = session.exec(
                select(col(MeetingRecord.id))
                .where(col(MeetingRecord.master_id) == master.id)
                .order_by(col(MeetingRecord.recurrence_id))
            ).all()
            return [self._detail(session, i) for i in ids if i is not None]

    def restore_override(
        self, master_uid: str, recurrence_id: Moment, draft: MeetingDraft
    ) -> MeetingDetail:
        """A changed occurrence made again from its draft (undoing the delete of its series)."""
        with self._db.transaction() as session:
            master = self._row(session, master_uid)
            assert master.id is not None
            key = self._occurrence(session, master, recurrence_id)
            meeting_id = self.create_in(
                session, draft.model_copy(update={"uid": master.uid}), override_of=(master.id, key)
            )
            return self._detail(session, meeting_id)

    def cancel_occurrence(self, master_id: int, when: Moment) -> MeetingDetail:
        return self.override_occurrence(master_id, when, MeetingPatch(status=Status.CANCELLED))

    def skip_occurrence(self, master_id: int, when: Moment) -> MeetingDetail:
        """Remove one occurrence entirely (EXDATE)."""
        with self._db.transaction() as session:
            master = self._row(session, master_id)
            key = self._occurrence(session, master, when)
            before = {name: getattr(master, name) for name in _SIGNIFICANT}
            # An occurrence that was changed before is skipped too: its override goes.
            for override in session.exec(
                select(MeetingRecord).where(
                    col(MeetingRecord.master_id) == master.id,
                    col(MeetingRecord.recurrence_id) == key,
                )
            ).all():
                assert override.id is not None
                queries.fts_delete(session, [override.id])
                session.delete(override)
            keys = sorted({*json.loads(master.exdates), key})
            master.exdates = json.dumps(keys)
            self._touch(master, before)
            session.add(master)
            assert master.id is not None
            return self._detail(session, master.id)

    def _copy_as_override(self, session: Session, master: MeetingRecord, key: str) -> MeetingRecord:
        assert master.id is not None
        original = parse_occurrence_key(key)
        now = self._clock.now()
        duration = master.end_utc - master.start_utc
        if isinstance(original, datetime):
            start_utc, start_date, end_date = original, None, None
        else:
            start_utc = datetime.combine(original, time.min, tzinfo=UTC)
            start_date = original
            # A date key belongs to an all-day master, which always has both dates.
            assert master.start_date is not None
            assert master.end_date is not None
            end_date = original + (master.end_date - master.start_date)
        fields = master.model_dump(
            exclude={
                "id",
                "rrule",
                "exdates",
                "rdates",
                "until_utc",
                "created",
                "modified",
                "master_id",
                "recurrence_id",
                "start_utc",
                "end_utc",
                "start_date",
                "end_date",
                "series_id",
                "iteration",
            }
        )
        row = MeetingRecord(
            **fields,
            rrule=None,
            exdates="[]",
            rdates="[]",
            master_id=master.id,
            recurrence_id=key,
            start_utc=start_utc,
            end_utc=start_utc + duration,
            start_date=start_date,
            end_date=end_date,
            created=now,
            modified=now,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        meeting = queries.load_meetings(session, [master.id])[master.id]
        self._set_links(
            session, row.id, list(meeting.strands), list(meeting.partners), list(meeting.proposals)
        )
        # The changed occurrence is the same meeting: the same people and the same agenda.
        for p in session.exec(
            select(ParticipantRecord).where(col(ParticipantRecord.meeting_id) == master.id)
        ).all():
            session.add(
                ParticipantRecord(**p.model_dump(exclude={"id", "meeting_id"}), meeting_id=row.id)
            )
        for a in queries.agenda_of(session, master.id):
            session.add(
                AgendaItemRecord(**a.model_dump(exclude={"id", "meeting_id"}), meeting_id=row.id)
            )
        session.flush()
        return row

    # --- participants, agenda, actions ---------------------------------------------------

    def _add_participant(
        self, session: Session, meeting_id: int, draft: ParticipantDraft, position: int
    ) -> ParticipantRecord:
        name = " ".join(draft.name.split())
        if not name:
            raise ValidationError("A participant needs a name.")
        row = ParticipantRecord(
            meeting_id=meeting_id,
            position=position,
            name=name,
            organisation_id=resolve.organisation_id(session, draft.organisation, draft.side),
            side=str(draft.side),
            role=draft.role.strip(),
            email=draft.email.strip(),
        )
        session.add(row)
        return row

    def add_participant(self, meeting_id: int, draft: ParticipantDraft) -> Participant:
        with self._db.transaction() as session:
            self._row(session, meeting_id)
            last = session.exec(
                select(func.max(col(ParticipantRecord.position))).where(
                    col(ParticipantRecord.meeting_id) == meeting_id
                )
            ).one()
            position = 0 if last is None else last + 1
            row = self._add_participant(session, meeting_id, draft, position)
            session.flush()
            self._modified(session, meeting_id)
            return next(p for p in queries.participants_of(session, meeting_id) if p.id == row.id)

    def remove_participant(self, participant_id: int) -> None:
        with self._db.transaction() as session:
            row = session.get(ParticipantRecord, participant_id)
            if row is None:
                raise NotFoundError(f"There is no participant {participant_id}.")
            session.delete(row)
            session.flush()
            self._modified(session, row.meeting_id)

    def add_agenda_item(
        self, meeting_id: int, draft: AgendaItemDraft, position: int | None = None
    ) -> MeetingDetail:
        if not draft.title.strip():
            raise ValidationError("An agenda item needs a title.")
        with self._db.transaction() as session:
            self._row(session, meeting_id)
            items = queries.agenda_of(session, meeting_id)
            new = AgendaItemRecord(meeting_id=meeting_id, **draft.model_dump())
            session.add(new)
            at = len(items) if position is None else max(0, min(position, len(items)))
            items.insert(at, new)
            for i, item in enumerate(items):
                item.position = i
            session.flush()
            self._modified(session, meeting_id)
            return self._detail(session, meeting_id)

    def update_agenda_item(self, item_id: int, draft: AgendaItemDraft) -> MeetingDetail:
        if not draft.title.strip():
            raise ValidationError("An agenda item needs a title.")
        with self._db.transaction() as session:
            row = self._agenda_row(session, item_id)
            for name, value in draft.model_dump().items():
                setattr(row, name, value)
            session.flush()
            self._modified(session, row.meeting_id)
            return self._detail(session, row.meeting_id)

    def move_agenda_item(self, item_id: int, position: int) -> MeetingDetail:
        with self._db.transaction() as session:
            row = self._agenda_row(session, item_id)
            items = [i for i in queries.agenda_of(session, row.meeting_id) if i.id != item_id]
            items.insert(max(0, min(position, len(items))), row)
            for i, item in enumerate(items):
                item.position = i
            session.flush()
            self._modified(session, row.meeting_id)
            return self._detail(session, row.meeting_id)

    def remove_agenda_item(self, item_id: int) -> MeetingDetail:
        with self._db.transaction() as session:
            row = self._agenda_row(session, item_id)
            session.delete(row)
            session.flush()
            for i, item in enumerate(queries.agenda_of(session, row.meeting_id)):
                item.position = i
            self._modified(session, row.meeting_id)
            return self._detail(session, row.meeting_id)

    def _agenda_row(self, session: Session, item_id: int) -> AgendaItemRecord:
        row = session.get(AgendaItemRecord, item_id)
        if row is None:
            raise NotFoundError(f"There is no agenda item {item_id}.")
        return row

    def add_action_item(self, meeting_id: int, draft: ActionItemDraft) -> ActionItem:
        if not draft.text.strip():
            raise ValidationError("An action item needs a text.")
        with self._db.transaction() as session:
            self._row(session, meeting_id)
            now = self._clock.now()
            count = len(queries.actions_of(session, meeting_id))
            row = ActionItemRecord(
                meeting_id=meeting_id,
                position=count,
                created=now,
                modified=now,
                **_action_fields(draft),
            )
            session.add(row)
            session.flush()
            self._modified(session, meeting_id)
            return queries.to_action(row)

    def set_action_status(self, action_id: int, status: ActionStatus) -> ActionItem:
        with self._db.transaction() as session:
            row = session.get(ActionItemRecord, action_id)
            if row is None:
                raise NotFoundError(f"There is no action item {action_id}.")
            row.status = str(status)
            row.modified = self._clock.now()
            session.add(row)
            session.flush()
            self._modified(session, row.meeting_id)
            return queries.to_action(row)

    def _modified(self, session: Session, meeting_id: int) -> None:
        row = session.get(MeetingRecord, meeting_id)
        if row is not None:
            row.modified = self._clock.now()
            session.add(row)
            session.flush()
            queries.fts_update(session, meeting_id)


class _ActionFields(TypedDict):
    text: str
    owner: str
    due: date | None
    status: str


def _action_fields(draft: ActionItemDraft) -> _ActionFields:
    return {
        "text": draft.text.strip(),
        "owner": draft.owner.strip(),
        "due": draft.due,
        "status": str(draft.status),
    }
