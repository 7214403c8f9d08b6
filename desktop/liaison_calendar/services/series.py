"""Standing formats that meet again and again, numbered by iteration."""

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from liaison_calendar.domain.agenda import ordinal
from liaison_calendar.domain.clock import Clock
from liaison_calendar.domain.enums import ActionStatus, LeadSide, Mode
from liaison_calendar.domain.models import (
    AgendaItemDraft,
    MeetingDetail,
    MeetingDraft,
    MeetingFilter,
    Moment,
    ParticipantDraft,
    Series,
    SeriesDraft,
)
from liaison_calendar.domain.timezones import zone
from liaison_calendar.errors import NotFoundError, ValidationError
from liaison_calendar.services import resolve
from liaison_calendar.services.meetings import MeetingService
from liaison_calendar.store import queries
from liaison_calendar.store.database import Database
from liaison_calendar.store.tables import (
    ActionItemRecord,
    FeedRecord,
    KindRecord,
    MeetingRecord,
    PartnerRecord,
    SeriesPartnerLink,
    SeriesRecord,
    SeriesStrandLink,
    StrandRecord,
)


class SeriesService:
    def __init__(self, db: Database, clock: Clock, meetings: MeetingService) -> None:
        self._db = db
        self._clock = clock
        self._meetings = meetings

    def create(self, draft: SeriesDraft) -> Series:
        with self._db.transaction() as session:
            return self._to_series(session, self.create_in(session, draft))

    def create_in(self, session: Session, draft: SeriesDraft) -> SeriesRecord:
        name = _free_name(session, draft.name)
        zone(draft.tz)
        now = self._clock.now()
        row = SeriesRecord(
            name=name,
            kind_id=resolve.kind_id(session, draft.kind),
            description=draft.description,
            location=draft.location,
            mode=str(draft.mode),
            lead_side=str(draft.lead_side),
            tz=draft.tz,
            created=now,
            modified=now,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        for sid in resolve.strand_ids(session, draft.strands):
            session.add(SeriesStrandLink(series_id=row.id, strand_id=sid))
        for pid in resolve.partner_ids(session, draft.partners):
            session.add(SeriesPartnerLink(series_id=row.id, partner_id=pid))
        session.flush()
        return row

    def update(self, name_or_id: str | int, draft: SeriesDraft) -> Series:
        """Make the series say everything ``draft`` says: name, kind, strands, partners,
        description, default place, mode, lead side and time zone.

        Its meetings stay in it with their iteration numbers, and their own fields are left as
        they are (what a series holds only pre-fills its next iteration). Feeds that pick the
        series by name follow a rename. A name another series has (in any case) is refused.
        """
        with self._db.transaction() as session:
            row = resolve.series_row(session, name_or_id)
            assert row.id is not None
            name = _free_name(session, draft.name, keep=row.id)
            zone(draft.tz)
            kind_id = resolve.kind_id(session, draft.kind)
            strand_ids = resolve.strand_ids(session, draft.strands)
            partner_ids = resolve.partner_ids(session, draft.partners)
            if name != row.name:
                _rename_in_feeds(session, row.name, name, self._clock.now())
            row.name = name
            row.kind_id = kind_id
            row.description = draft.description
            row.location = draft.location
            row.mode = str(draft.mode)
            row.lead_side = str(draft.lead_side)
            row.tz = draft.tz
            row.modified = self._clock.now()
            session.add(row)
            session.exec(delete(SeriesStrandLink).where(col(SeriesStrandLink.series_id) == row.id))
            session.exec(
                delete(SeriesPartnerLink).where(col(SeriesPartnerLink.series_id) == row.id)
            )
            for sid in strand_ids:
                session.add(SeriesStrandLink(series_id=row.id, strand_id=sid))
            for pid in partner_ids:
                session.add(SeriesPartnerLink(series_id=row.id, partner_id=pid))
            session.flush()
            return self._to_series(session, row)

    def draft_of(self, name_or_id: str | int) -> SeriesDraft:
        """The draft that says everything the series says: edit it and ``update`` with it."""
        info = self.get(name_or_id)
        return SeriesDraft(
            name=info.name,
            kind=info.kind,
            strands=list(info.strands),
            partners=list(info.partners),
            description=info.description,
            location=info.location,
            mode=info.mode,
            lead_side=info.lead_side,
            tz=info.tz,
        )

    def list(self) -> list[Series]:
        with self._db.reading() as session:
            rows = session.exec(select(SeriesRecord).order_by(col(SeriesRecord.name))).all()
            return [self._to_series(session, r) for r in rows]

    def get(self, name_or_id: str | int) -> Series:
        with self._db.reading() as session:
            return self._to_series(session, resolve.series_row(session, name_or_id))

    def _to_series(self, session: Session, row: SeriesRecord) -> Series:
        assert row.id is not None
        kind = session.get(KindRecord, row.kind_id)
        assert kind is not None
        strands = session.exec(
            select(col(StrandRecord.key))
            .join(SeriesStrandLink, col(SeriesStrandLink.strand_id) == col(StrandRecord.id))
            .where(col(SeriesStrandLink.series_id) == row.id)
            .order_by(col(StrandRecord.position))
        ).all()
        partners = session.exec(
            select(col(PartnerRecord.name))
            .join(SeriesPartnerLink, col(SeriesPartnerLink.partner_id) == col(PartnerRecord.id))
            .where(col(SeriesPartnerLink.series_id) == row.id)
            .order_by(col(PartnerRecord.name))
        ).all()
        last = session.exec(
            select(func.max(col(MeetingRecord.iteration))).where(
                col(MeetingRecord.series_id) == row.id
            )
        ).one()
        return Series(
            id=row.id,
            name=row.name,
            kind=kind.key,
            strands=tuple(strands),
            partners=tuple(partners),
            description=row.description,
            location=row.location,
            mode=Mode(row.mode),
            lead_side=LeadSide(row.lead_side),
            tz=row.tz,
            last_iteration=last,
        )

    def next_iteration(
        self,
        series: str | int,
        start: Moment,
        end: Moment | None = None,
        *,
        title: str | None = None,
        location: str | None = None,
        tz: str | None = None,
    ) -> MeetingDetail:
        """The next numbered meeting of ``series``, pre-filled from the one before it.

        Kind, strands, partners, place, mode, lead side, marking, participants and agenda come
        from the previous iteration (or the series when there is none); its open action items
        move to the new meeting and are marked *carried* where they were raised.
        """
        with self._db.transaction() as session:
            row = resolve.series_row(session, series)
            assert row.id is not None
            info = self._to_series(session, row)
            number = (info.last_iteration or 0) + 1
            previous_id = (
                session.exec(
                    select(col(MeetingRecord.id)).where(
                        col(MeetingRecord.series_id) == row.id,
                        col(MeetingRecord.iteration) == info.last_iteration,
                    )
                ).first()
                if info.last_iteration
                else None
            )
            draft = MeetingDraft(
                title=title or f"{row.name} – {ordinal(number)} iteration",
                kind=info.kind,
                start=start,
                end=end if end is not None else start,
                tz=tz or row.tz,
                strands=list(info.strands),
                partners=list(info.partners),
                series=str(row.id),
                iteration=number,
                location=location if location is not None else row.location,
                mode=info.mode,
                lead_side=info.lead_side,
                description=row.description,
            )
            if previous_id is not None:
                prev = self._meetings._detail(session, previous_id)  # noqa: SLF001
                draft.kind, draft.strands, draft.partners = (
                    prev.kind,
                    list(prev.strands),
                    list(prev.partners),
                )
                draft.mode, draft.lead_side = prev.mode, prev.lead_side
                draft.marking, draft.release_level = prev.marking, prev.release_level
                if location is None:
                    draft.location = prev.location
                if tz is None:
                    draft.tz = prev.tz
                draft.participants = [
                    ParticipantDraft(
                        name=p.name,
                        organisation=p.organisation,
                        side=p.side,
                        role=p.role,
                        email=p.email,
                    )
                    for p in prev.participants
                ]
                draft.agenda = [
                    AgendaItemDraft(title=a.title, lead=a.lead, duration_min=a.duration_min)
                    for a in prev.agenda
                ]
                if end is None:
                    draft.end = _add(start, prev.end - prev.start)
            elif end is None:
                draft.end = _add(
                    start, timedelta(hours=3) if isinstance(start, datetime) else timedelta(days=1)
                )
            meeting_id = self._meetings.create_in(session, draft)
            if previous_id is not None:
                self._carry_actions(session, previous_id, meeting_id)
            return self._meetings._detail(session, meeting_id)  # noqa: SLF001

    def create_iteration(
        self, draft: MeetingDraft, carried: Sequence[int | None] = ()
    ) -> MeetingDetail:
        """Save a next iteration as the editor filled it in, in one transaction.

        ``carried[i]`` is the action item of an earlier meeting that ``draft.actions[i]`` brings
        over (None for a new one): the new item keeps where it came from, and the old one is
        marked carried, as ``next_iteration`` does.
        """
        if len(carried) > len(draft.actions):
            raise ValidationError("More carried action items than action items.")
        with self._db.transaction() as session:
            meeting_id = self._meetings.create_in(session, draft)
            now = self._clock.now()
            new_items = queries.actions_of(session, meeting_id)
            for item, source_id in zip(new_items, carried, strict=False):
                if source_id is None:
                    continue
                source = session.get(ActionItemRecord, source_id)
                if source is None:
                    raise NotFoundError(f"There is no action item {source_id}.")
                item.carried_from_id = source_id
                source.status = str(ActionStatus.CARRIED)
                source.modified = now
                session.add_all([item, source])
            session.flush()
            return self._meetings._detail(session, meeting_id)  # noqa: SLF001

    def _carry_actions(self, session: Session, from_id: int, to_id: int) -> None:
        now = self._clock.now()
        open_items = [
            a for a in queries.actions_of(session, from_id) if a.status == ActionStatus.OPEN
        ]
        for i, item in enumerate(open_items):
            session.add(
                ActionItemRecord(
                    meeting_id=to_id,
                    position=i,
                    text=item.text,
                    owner=item.owner,
                    due=item.due,
                    status=str(ActionStatus.OPEN),
                    carried_from_id=item.id,
                    created=now,
                    modified=now,
                )
            )
            item.status = str(ActionStatus.CARRIED)
            item.modified = now
            session.add(item)
        session.flush()

    def delete_empty(self, name_or_id: str | int) -> None:
        with self._db.transaction() as session:
            row = resolve.series_row(session, name_or_id)
            used = session.exec(
                select(col(MeetingRecord.id)).where(col(MeetingRecord.series_id) == row.id)
            ).first()
            if used is not None:
                raise ValidationError(f"The series {row.name!r} still has meetings.")
            session.exec(delete(SeriesStrandLink).where(col(SeriesStrandLink.series_id) == row.id))
            session.delete(row)


def _add(start: Moment, delta: timedelta) -> Moment:
    return start + delta


def _free_name(session: Session, raw: str, *, keep: int | None = None) -> str:
    """``raw`` with its spaces tidied, refused when empty or when another series has it.

    ``keep`` is the series being renamed: its own name (in any case) is not taken.
    """
    name = " ".join(raw.split())
    if not name:
        raise ValidationError("A series needs a name.")
    query = select(col(SeriesRecord.id)).where(
        func.casefold(col(SeriesRecord.name)) == name.casefold()
    )
    if keep is not None:
        query = query.where(col(SeriesRecord.id) != keep)
    if session.exec(query).first() is not None:
        raise ValidationError(f"A series called {name!r} already exists.")
    return name


def _rename_in_feeds(session: Session, old: str, new: str, now: datetime) -> None:
    """Feeds that pick the series by its old name pick it by the new one."""
    for feed in session.exec(select(FeedRecord)).all():
        flt = MeetingFilter.model_validate(json.loads(feed.filter_json or "{}"))
        if not any(n.casefold() == old.casefold() for n in flt.series):
            continue
        flt.series = list(
            dict.fromkeys(new if n.casefold() == old.casefold() else n for n in flt.series)
        )
        feed.filter_json = flt.model_dump_json(exclude_defaults=True)
        feed.modified = now
        session.add(feed)
