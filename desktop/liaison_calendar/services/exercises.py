"""PACE exercises: a programme period, EU / NATO / joint parts, dated phases.

A phase may have one planning meeting linked to it (``MeetingRecord.exercise_phase_id``); a
meeting belongs to one phase at most. Editing or deleting an exercise never deletes a meeting:
the meeting of a phase that goes is kept, unlinked.
"""

import builtins
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from liaison_calendar.domain.clock import Clock
from liaison_calendar.domain.enums import ExercisePart, PhaseType, ReleaseLevel
from liaison_calendar.domain.models import Exercise, ExerciseDraft, Phase, PhaseDraft
from liaison_calendar.errors import NotFoundError, ValidationError
from liaison_calendar.services import resolve
from liaison_calendar.services.meetings import UID_DOMAIN, MeetingService
from liaison_calendar.store.database import Database
from liaison_calendar.store.tables import (
    ExercisePhaseRecord,
    ExerciseRecord,
    ExerciseStrandLink,
    MeetingRecord,
    StrandRecord,
)


def _words(text: str) -> str:
    return " ".join(text.split())


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def period_words(start: date, end: date) -> str:
    """``1 Jan 2024 – 31 Dec 2025``: the days from ``start`` to ``end`` (exclusive)."""
    return f"{_day(start)} – {_day(end - timedelta(days=1))}"


def check_draft(draft: ExerciseDraft) -> str:
    """The exercise's name as it is saved, if ``draft`` keeps every rule of an exercise.

    The rules: a name; a programme period that ends after it starts; phases with a name, that
    end after they start, lie inside the period and do not share a UID. The first rule broken
    is raised as a ``ValidationError``.
    """
    name = _words(draft.name)
    if not name:
        raise ValidationError("An exercise needs a name.")
    if draft.period_end <= draft.period_start:
        raise ValidationError(f"The programme period of {name} ends before it starts.")
    seen: set[str] = set()
    for i, phase in enumerate(draft.phases):
        if not _words(phase.name):
            raise ValidationError(f"Phase {i + 1} of {name} needs a name.")
        if phase.end <= phase.start:
            raise ValidationError(f"The phase {phase.name!r} ends before it starts.")
        if phase.start < draft.period_start or phase.end > draft.period_end:
            raise ValidationError(
                f"The phase {phase.name!r} lies outside the programme period of {name} "
                f"({period_words(draft.period_start, draft.period_end)})."
            )
        if phase.uid is not None:
            if phase.uid in seen:
                raise ValidationError(f"Two phases of {name} have the same UID {phase.uid}.")
            seen.add(phase.uid)
    return name


class ExerciseService:
    def __init__(self, db: Database, clock: Clock, meetings: MeetingService) -> None:
        self._db = db
        self._clock = clock
        self._meetings = meetings

    # --- creating -----------------------------------------------------------------------

    def create(self, draft: ExerciseDraft) -> Exercise:
        with self._db.transaction() as session:
            return self._to_exercise(session, self.create_in(session, draft))

    def create_in(self, session: Session, draft: ExerciseDraft) -> ExerciseRecord:
        name = check_draft(draft)
        now = self._clock.now()
        uid = draft.uid or f"{uuid.uuid4()}@{UID_DOMAIN}"
        taken = session.exec(
            select(col(ExerciseRecord.id)).where(col(ExerciseRecord.uid) == uid)
        ).first()
        if taken is not None:
            raise ValidationError(f"An exercise with UID {uid} already exists.")
        self._check_phase_uids(session, draft.phases, None)
        row = ExerciseRecord(
            uid=uid,
            name=name,
            programme=draft.programme,
            period_start=draft.period_start,
            period_end=draft.period_end,
            description=draft.description,
            marking=draft.marking,
            release_level=str(draft.release_level),
            created=now,
            modified=now,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        self._set_strands(session, row.id, draft.strands)
        given = {p.uid for p in draft.phases if p.uid is not None}
        for i, phase in enumerate(draft.phases):
            phase_uid = phase.uid or f"{row.uid.split('@')[0]}-phase-{i + 1}@{UID_DOMAIN}"
            if phase.uid is None and phase_uid in given:
                phase_uid = f"{uuid.uuid4()}@{UID_DOMAIN}"
            self._add_phase(session, row.id, i, phase, phase_uid)
        session.flush()
        return row

    def _add_phase(
        self, session: Session, exercise_id: int, position: int, phase: PhaseDraft, uid: str
    ) -> ExercisePhaseRecord:
        now = self._clock.now()
        phase_row = ExercisePhaseRecord(
            uid=uid,
            exercise_id=exercise_id,
            position=position,
            name=_words(phase.name),
            phase_type=str(phase.phase_type),
            part=str(phase.part),
            start_date=phase.start,
            end_date=phase.end,
            location=phase.location.strip(),
            created=now,
            modified=now,
        )
        session.add(phase_row)
        session.flush()
        if phase.meeting is not None:
            self._meetings.create_in(session, phase.meeting, exercise_phase_id=phase_row.id)
        return phase_row

    def _set_strands(self, session: Session, exercise_id: int, keys: Iterable[str]) -> None:
        session.exec(
            delete(ExerciseStrandLink).where(col(ExerciseStrandLink.exercise_id) == exercise_id)
        )
        for sid in resolve.strand_ids(session, list(keys)):
            session.add(ExerciseStrandLink(exercise_id=exercise_id, strand_id=sid))

    def _check_phase_uids(
        self, session: Session, phases: Iterable[PhaseDraft], exercise_id: int | None
    ) -> None:
        """Refuse phase UIDs that a phase of another exercise holds."""
        uids = [p.uid for p in phases if p.uid is not None]
        if not uids:
            return
        clash = session.exec(
            select(ExercisePhaseRecord.uid, ExerciseRecord.name)
            .join(ExerciseRecord, col(ExerciseRecord.id) == col(ExercisePhaseRecord.exercise_id))
            .where(
                col(ExercisePhaseRecord.uid).in_(uids),
                col(ExercisePhaseRecord.exercise_id) != (exercise_id or -1),
            )
        ).first()
        if clash is not None:
            raise ValidationError(
                f"A phase with UID {clash[0]} already exists, in the exercise {clash[1]}."
            )

    # --- changing -----------------------------------------------------------------------

    def update(self, exercise_id: int, draft: ExerciseDraft) -> Exercise:
        """Make the exercise say what ``draft`` says, in one transaction.

        Phases are matched by UID: a matched phase is changed in place (it keeps its id and its
        planning meeting), a phase without a match is added, a phase the draft leaves out is
        deleted and its planning meeting kept, unlinked. A phase draft's ``meeting`` creates a
        new planning meeting for a phase that has none. The exercise keeps its UID.
        """
        with self._db.transaction() as session:
            row = self._row(session, exercise_id)
            self.update_in(session, row, draft)
            return self._to_exercise(session, row)

    def update_in(self, session: Session, row: ExerciseRecord, draft: ExerciseDraft) -> None:
        assert row.id is not None
        name = check_draft(draft)
        if draft.uid is not None and draft.uid != row.uid:
            raise ValidationError(
                f"The UID of the exercise {row.name} is {row.uid}; it cannot become {draft.uid}."
            )
        self._check_phase_uids(session, draft.phases, row.id)
        now = self._clock.now()
        row.name = name
        row.programme = draft.programme
        row.period_start = draft.period_start
        row.period_end = draft.period_end
        row.description = draft.description
        row.marking = draft.marking
        row.release_level = str(draft.release_level)
        row.modified = now
        session.add(row)
        self._set_strands(session, row.id, draft.strands)

        existing = {p.uid: p for p in self._phase_rows(session, row.id)}
        wanted = {p.uid for p in draft.phases if p.uid is not None}
        gone = [p for uid, p in existing.items() if uid not in wanted]
        if gone:
            self._unlink(session, [p.id for p in gone if p.id is not None])
            for phase_row in gone:
                session.delete(phase_row)
            session.flush()
        for i, phase in enumerate(draft.phases):
            found = existing.get(phase.uid) if phase.uid is not None else None
            if found is None:
                self._add_phase(
                    session, row.id, i, phase, phase.uid or f"{uuid.uuid4()}@{UID_DOMAIN}"
                )
                continue
            self._change_phase(session, found, i, phase)
        session.flush()

    def _change_phase(
        self, session: Session, row: ExercisePhaseRecord, position: int, phase: PhaseDraft
    ) -> None:
        assert row.id is not None
        values = {
            "position": position,
            "name": _words(phase.name),
            "phase_type": str(phase.phase_type),
            "part": str(phase.part),
            "start_date": phase.start,
            "end_date": phase.end,
            "location": phase.location.strip(),
        }
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if changed:
            # As for meetings: a change of dates or place is one a calendar must announce.
            if changed.keys() & {"start_date", "end_date", "location"}:
                row.sequence += 1
            for key, value in changed.items():
                setattr(row, key, value)
            if changed.keys() - {"position"}:
                row.modified = self._clock.now()
            session.add(row)
        if phase.meeting is not None:
            if self._linked(session, row.id):
                raise ValidationError(
                    f"The phase {row.name!r} has a planning meeting already; unlink it first."
                )
            session.flush()
            self._meetings.create_in(session, phase.meeting, exercise_phase_id=row.id)

    def delete(self, exercise_id: int) -> ExerciseDraft:
        """Delete the exercise and its phases; their planning meetings stay, unlinked.

        Returns the draft that ``create`` turns back into the same exercise (same UIDs); to
        undo completely, link the meetings again with ``link_meetings``.
        """
        with self._db.transaction() as session:
            row = self._row(session, exercise_id)
            assert row.id is not None
            draft = self._draft(session, row)
            phases = self._phase_rows(session, row.id)
            self._unlink(session, [p.id for p in phases if p.id is not None])
            for phase_row in phases:
                session.delete(phase_row)
            session.exec(
                delete(ExerciseStrandLink).where(col(ExerciseStrandLink.exercise_id) == row.id)
            )
            session.delete(row)
            return draft

    def link_meeting(self, phase_id: int, meeting_id: int | None) -> Exercise:
        """Make ``meeting_id`` the planning meeting of the phase (None: the phase has none).

        A meeting belongs to one phase: linked here, it leaves the phase it had. The meeting
        the phase had before is kept, unlinked. A repeating meeting is linked with all its
        changed occurrences; one occurrence alone cannot be.
        """
        with self._db.transaction() as session:
            phase = session.get(ExercisePhaseRecord, phase_id)
            if phase is None:
                raise NotFoundError(f"There is no exercise phase {phase_id}.")
            self._link(session, phase, meeting_id)
            exercise = session.get(ExerciseRecord, phase.exercise_id)
            assert exercise is not None
            return self._to_exercise(session, exercise)

    def link_meetings(self, exercise_id: int, links: Mapping[str, int | None]) -> Exercise:
        """Link planning meetings to several phases at once: phase UID -> meeting id or None.

        What a dialog hands back after editing an exercise (and what undo hands back); phases
        not named keep their meeting. One transaction: a meeting may move from one phase to
        another of the same call.
        """
        with self._db.transaction() as session:
            row = self._row(session, exercise_id)
            assert row.id is not None
            phases = {p.uid: p for p in self._phase_rows(session, row.id)}
            unknown = [uid for uid in links if uid not in phases]
            if unknown:
                raise NotFoundError(f"The exercise {row.name} has no phase with UID {unknown[0]}.")
            chosen = [m for m in links.values() if m is not None]
            if len(chosen) != len(set(chosen)):
                twice = next(m for m in chosen if chosen.count(m) > 1)
                raise ValidationError(
                    f"Meeting #{twice} is chosen for two phases; a meeting belongs to one phase."
                )
            # Unlink first, so that a meeting moving between two phases is never held by both.
            for uid, meeting_id in links.items():
                if meeting_id is None:
                    self._link(session, phases[uid], None)
            for uid, meeting_id in links.items():
                if meeting_id is not None:
                    self._link(session, phases[uid], meeting_id)
            return self._to_exercise(session, row)

    def _link(self, session: Session, phase: ExercisePhaseRecord, meeting_id: int | None) -> None:
        assert phase.id is not None
        target: MeetingRecord | None = None
        if meeting_id is not None:
            target = session.get(MeetingRecord, meeting_id)
            if target is None:
                raise NotFoundError(f"There is no meeting {meeting_id}.")
            if target.master_id is not None:
                raise ValidationError(
                    f"Meeting #{meeting_id} is one changed occurrence of a repeating meeting: "
                    f"link the repeating meeting (#{target.master_id}) instead."
                )
        now = self._clock.now()
        keep = {meeting_id} if meeting_id is not None else set()
        held = session.exec(
            select(MeetingRecord).where(col(MeetingRecord.exercise_phase_id) == phase.id)
        ).all()
        for meeting in held:
            if meeting.id not in keep and meeting.master_id not in keep:
                meeting.exercise_phase_id = None
                meeting.modified = now
                session.add(meeting)
        if target is not None:
            family = session.exec(
                select(MeetingRecord).where(col(MeetingRecord.master_id) == target.id)
            ).all()
            for meeting in [target, *family]:
                if meeting.exercise_phase_id != phase.id:
                    meeting.exercise_phase_id = phase.id
                    meeting.modified = now
                    session.add(meeting)
        session.flush()

    def _unlink(self, session: Session, phase_ids: builtins.list[int]) -> None:
        """Keep the meetings of these phases, linked to no phase."""
        if not phase_ids:
            return
        now = self._clock.now()
        for meeting in session.exec(
            select(MeetingRecord).where(col(MeetingRecord.exercise_phase_id).in_(phase_ids))
        ).all():
            meeting.exercise_phase_id = None
            meeting.modified = now
            session.add(meeting)
        session.flush()

    def _linked(self, session: Session, phase_id: int) -> int | None:
        return session.exec(
            select(col(MeetingRecord.id))
            .where(
                col(MeetingRecord.exercise_phase_id) == phase_id,
                col(MeetingRecord.master_id).is_(None),
            )
            .order_by(col(MeetingRecord.id))
        ).first()

    # --- reading ------------------------------------------------------------------------

    def list(self) -> builtins.list[Exercise]:
        with self._db.reading() as session:
            return self.list_in(session)

    def list_in(self, session: Session) -> builtins.list[Exercise]:
        rows = session.exec(select(ExerciseRecord).order_by(col(ExerciseRecord.period_start)))
        return [self._to_exercise(session, r) for r in rows.all()]

    def get(self, exercise_id: int) -> Exercise:
        with self._db.reading() as session:
            return self._to_exercise(session, self._row(session, exercise_id))

    def draft_of(self, exercise_id: int) -> ExerciseDraft:
        """The draft that says everything the exercise says, UIDs included (not its meetings).

        ``update`` with it changes nothing; ``create`` with it, once the exercise is deleted,
        brings it back.
        """
        with self._db.reading() as session:
            return self._draft(session, self._row(session, exercise_id))

    def _draft(self, session: Session, row: ExerciseRecord) -> ExerciseDraft:
        exercise = self._to_exercise(session, row)
        return ExerciseDraft(
            name=exercise.name,
            programme=exercise.programme,
            period_start=exercise.period_start,
            period_end=exercise.period_end,
            description=exercise.description,
            strands=list(exercise.strands),
            marking=exercise.marking,
            release_level=exercise.release_level,
            uid=exercise.uid,
            phases=[
                PhaseDraft(
                    name=p.name,
                    phase_type=p.phase_type,
                    part=p.part,
                    start=p.start,
                    end=p.end,
                    location=p.location,
                    uid=p.uid,
                )
                for p in exercise.phases
            ],
        )

    def _row(self, session: Session, exercise_id: int) -> ExerciseRecord:
        row = session.get(ExerciseRecord, exercise_id)
        if row is None:
            raise NotFoundError(f"There is no exercise {exercise_id}.")
        return row

    def _phase_rows(self, session: Session, exercise_id: int) -> builtins.list[ExercisePhaseRecord]:
        return builtins.list(
            session.exec(
                select(ExercisePhaseRecord)
                .where(col(ExercisePhaseRecord.exercise_id) == exercise_id)
                .order_by(col(ExercisePhaseRecord.position), col(ExercisePhaseRecord.id))
            ).all()
        )

    def _to_exercise(self, session: Session, row: ExerciseRecord) -> Exercise:
        assert row.id is not None
        strands = session.exec(
            select(col(StrandRecord.key))
            .join(ExerciseStrandLink, col(ExerciseStrandLink.strand_id) == col(StrandRecord.id))
            .where(col(ExerciseStrandLink.exercise_id) == row.id)
            .order_by(col(StrandRecord.position))
        ).all()
        phase_list = []
        for p in self._phase_rows(session, row.id):
            assert p.id is not None
            phase_list.append(
                Phase(
                    id=p.id,
                    uid=p.uid,
                    exercise_id=row.id,
                    name=p.name,
                    phase_type=PhaseType(p.phase_type),
                    part=ExercisePart(p.part),
                    start=p.start_date,
                    end=p.end_date,
                    location=p.location,
                    meeting_id=self._linked(session, p.id),
                    sequence=p.sequence,
                    modified=p.modified,
                )
            )
        return Exercise(
            id=row.id,
            uid=row.uid,
            name=row.name,
            programme=row.programme,
            period_start=row.period_start,
            period_end=row.period_end,
            description=row.description,
            strands=tuple(strands),
            marking=row.marking,
            release_level=ReleaseLevel(row.release_level),
            phases=tuple(phase_list),
            modified=row.modified,
        )
