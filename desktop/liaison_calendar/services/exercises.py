"""PACE exercises: a programme period, EU / NATO / joint parts, dated phases."""

import builtins
import uuid

from sqlmodel import Session, col, select

from liaison_calendar.domain.clock import Clock
from liaison_calendar.domain.enums import ExercisePart, PhaseType, ReleaseLevel
from liaison_calendar.domain.models import Exercise, ExerciseDraft, Phase
from liaison_calendar.errors import NotFoundError, ValidationError
from liaison_calendar.services import resolve
from liaison_calendar.services.meetings import UID_DOMAIN, MeetingService
from liaison_calendar.store.database import Database
from liaison_calendar.store.tables import (
    ExercisePhaseRecord,
    ExerciseRecord,
    ExerciseStrandLink,
    StrandRecord,
)


class ExerciseService:
    def __init__(self, db: Database, clock: Clock, meetings: MeetingService) -> None:
        self._db = db
        self._clock = clock
        self._meetings = meetings

    def create(self, draft: ExerciseDraft) -> Exercise:
        with self._db.transaction() as session:
            return self._to_exercise(session, self.create_in(session, draft))

    def create_in(self, session: Session, draft: ExerciseDraft) -> ExerciseRecord:
        name = " ".join(draft.name.split())
        if not name:
            raise ValidationError("An exercise needs a name.")
        if draft.period_end <= draft.period_start:
            raise ValidationError(f"The programme period of {name} ends before it starts.")
        now = self._clock.now()
        uid = draft.uid or f"{uuid.uuid4()}@{UID_DOMAIN}"
        taken = session.exec(
            select(col(ExerciseRecord.id)).where(col(ExerciseRecord.uid) == uid)
        ).first()
        if taken is not None:
            raise ValidationError(f"An exercise with UID {uid} already exists.")
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
        for sid in resolve.strand_ids(session, draft.strands):
            session.add(ExerciseStrandLink(exercise_id=row.id, strand_id=sid))
        for i, phase in enumerate(draft.phases):
            if phase.end <= phase.start:
                raise ValidationError(f"The phase {phase.name!r} ends before it starts.")
            if phase.start < draft.period_start or phase.end > draft.period_end:
                raise ValidationError(
                    f"The phase {phase.name!r} lies outside the programme period of {name}."
                )
            phase_row = ExercisePhaseRecord(
                uid=phase.uid or f"{row.uid.split('@')[0]}-phase-{i + 1}@{UID_DOMAIN}",
                exercise_id=row.id,
                position=i,
                name=phase.name,
                phase_type=str(phase.phase_type),
                part=str(phase.part),
                start_date=phase.start,
                end_date=phase.end,
                location=phase.location,
                created=now,
                modified=now,
            )
            session.add(phase_row)
            session.flush()
            if phase.meeting is not None:
                self._meetings.create_in(session, phase.meeting, exercise_phase_id=phase_row.id)
        session.flush()
        return row

    def list(self) -> list[Exercise]:
        with self._db.reading() as session:
            return self.list_in(session)

    def list_in(self, session: Session) -> "builtins.list[Exercise]":
        rows = session.exec(select(ExerciseRecord).order_by(col(ExerciseRecord.period_start)))
        return [self._to_exercise(session, r) for r in rows.all()]

    def get(self, exercise_id: int) -> Exercise:
        with self._db.reading() as session:
            row = session.get(ExerciseRecord, exercise_id)
            if row is None:
                raise NotFoundError(f"There is no exercise {exercise_id}.")
            return self._to_exercise(session, row)

    def _to_exercise(self, session: Session, row: ExerciseRecord) -> Exercise:
        assert row.id is not None
        strands = session.exec(
            select(col(StrandRecord.key))
            .join(ExerciseStrandLink, col(ExerciseStrandLink.strand_id) == col(StrandRecord.id))
            .where(col(ExerciseStrandLink.exercise_id) == row.id)
            .order_by(col(StrandRecord.position))
        ).all()
        phases = session.exec(
            select(ExercisePhaseRecord)
            .where(col(ExercisePhaseRecord.exercise_id) == row.id)
            .order_by(col(ExercisePhaseRecord.position))
        ).all()
        from liaison_calendar.store.tables import MeetingRecord

        phase_list = []
        for p in phases:
            assert p.id is not None
            meeting_id = session.exec(
                select(col(MeetingRecord.id)).where(col(MeetingRecord.exercise_phase_id) == p.id)
            ).first()
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
                    meeting_id=meeting_id,
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
