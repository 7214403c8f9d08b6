"""PACE exercises: a programme period with dated phases, some of them with a meeting."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

from datetime import date, datetime

import pytest
from sqlalchemy import text

from liaison_calendar.domain.enums import ExercisePart, PhaseType, ReleaseLevel
from liaison_calendar.domain.models import ExerciseDraft, MeetingDraft, PhaseDraft
from liaison_calendar.errors import NotFoundError, ValidationError
from liaison_calendar.services.context import Services


def count(services: Services, table: str) -> int:
    with services.db.reading() as session:
        return session.connection().execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def pace(**fields: object) -> ExerciseDraft:
    values: dict[str, object] = {
        "name": "PACE 2025",
        "programme": "Parallel and Coordinated Exercise",
        "period_start": date(2025, 1, 1),
        "period_end": date(2026, 1, 1),
    }
    values.update(fields)
    return ExerciseDraft(**values)  # type: ignore[arg-type]


def planning_conference(**fields: object) -> PhaseDraft:
    values: dict[str, object] = {
        "name": "Initial planning conference",
        "phase_type": PhaseType.PLANNING_CONFERENCE,
        "part": ExercisePart.JOINT,
        "start": date(2025, 3, 10),
        "end": date(2025, 3, 13),
        "location": "Brussels",
    }
    values.update(fields)
    return PhaseDraft(**values)  # type: ignore[arg-type]


def test_an_exercise_is_created_with_its_phases_in_order(services: Services) -> None:
    exercise = services.exercises.create(
        pace(
            phases=[
                planning_conference(),
                PhaseDraft(
                    name="EU part",
                    part=ExercisePart.EU,
                    phase_type=PhaseType.EXECUTION,
                    start=date(2025, 11, 3),
                    end=date(2025, 11, 15),
                ),
                PhaseDraft(
                    name="NATO part",
                    part=ExercisePart.NATO,
                    phase_type=PhaseType.EXECUTION,
                    start=date(2025, 10, 1),
                    end=date(2025, 10, 10),
                ),
            ]
        )
    )

    assert exercise.name == "PACE 2025"
    assert exercise.strands == ("exercises",)
    assert exercise.release_level is ReleaseLevel.STAFF
    assert [(p.name, p.part, p.start, p.end) for p in exercise.phases] == [
        ("Initial planning conference", ExercisePart.JOINT, date(2025, 3, 10), date(2025, 3, 13)),
        ("EU part", ExercisePart.EU, date(2025, 11, 3), date(2025, 11, 15)),
        ("NATO part", ExercisePart.NATO, date(2025, 10, 1), date(2025, 10, 10)),
    ]
    assert all(p.exercise_id == exercise.id for p in exercise.phases)
    assert all(p.meeting_id is None for p in exercise.phases)
    assert len({p.uid for p in exercise.phases} | {exercise.uid}) == 4
    assert services.exercises.get(exercise.id) == exercise
    assert services.exercises.list() == [exercise]


def test_a_phase_with_a_meeting_draft_creates_a_linked_meeting(services: Services) -> None:
    exercise = services.exercises.create(
        pace(
            phases=[
                planning_conference(
                    meeting=MeetingDraft(
                        title="PACE 2025 initial planning conference",
                        kind="exercise-phase",
                        start=date(2025, 3, 10),
                        end=date(2025, 3, 13),
                        strands=["exercises"],
                    )
                ),
                PhaseDraft(
                    name="Lessons",
                    phase_type=PhaseType.LESSONS,
                    start=date(2025, 12, 1),
                    end=date(2025, 12, 2),
                ),
            ]
        )
    )

    conference, lessons = exercise.phases
    assert conference.meeting_id is not None
    assert lessons.meeting_id is None
    meeting = services.meetings.get(conference.meeting_id)
    assert meeting.exercise_phase_id == conference.id
    assert meeting.kind == "exercise-phase"
    assert (meeting.start, meeting.end) == (date(2025, 3, 10), date(2025, 3, 13))
    assert [o.meeting.id for o in services.queries.occurrences()] == [meeting.id]


def test_a_phase_meeting_may_be_timed(services: Services) -> None:
    exercise = services.exercises.create(
        pace(
            phases=[
                planning_conference(
                    meeting=MeetingDraft(
                        title="Main planning conference, day 1",
                        start=datetime(2025, 3, 10, 9, 0),
                        end=datetime(2025, 3, 10, 17, 0),
                    )
                )
            ]
        )
    )
    (phase,) = exercise.phases
    assert phase.meeting_id is not None
    assert services.meetings.get(phase.meeting_id).all_day is False


def test_a_phase_filling_the_whole_period_is_accepted(services: Services) -> None:
    exercise = services.exercises.create(
        pace(phases=[PhaseDraft(name="All year", start=date(2025, 1, 1), end=date(2026, 1, 1))])
    )
    assert exercise.phases[0].end == exercise.period_end


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2024, 12, 31), date(2025, 1, 5)),
        (date(2025, 12, 20), date(2026, 1, 2)),
        (date(2026, 2, 1), date(2026, 2, 3)),
    ],
    ids=["starts-before", "ends-after", "entirely-after"],
)
def test_a_phase_outside_the_programme_period_is_refused(
    services: Services, start: date, end: date
) -> None:
    with pytest.raises(ValidationError, match="outside the programme period of PACE 2025"):
        services.exercises.create(
            pace(phases=[planning_conference(), PhaseDraft(name="Stray", start=start, end=end)])
        )


@pytest.mark.parametrize("end", [date(2025, 3, 9), date(2025, 3, 10)], ids=["before", "same-day"])
def test_a_phase_ending_before_it_starts_is_refused(services: Services, end: date) -> None:
    with pytest.raises(ValidationError, match="'Backwards' ends before it starts"):
        services.exercises.create(
            pace(phases=[PhaseDraft(name="Backwards", start=date(2025, 3, 10), end=end)])
        )


def test_a_programme_period_ending_before_it_starts_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError, match="ends before it starts"):
        services.exercises.create(pace(period_start=date(2025, 6, 1), period_end=date(2025, 1, 1)))


def test_an_exercise_needs_a_name(services: Services) -> None:
    with pytest.raises(ValidationError, match="needs a name"):
        services.exercises.create(pace(name="   "))


def test_a_refused_exercise_leaves_no_exercise_phase_or_meeting_behind(
    services: Services,
) -> None:
    draft = pace(
        phases=[
            planning_conference(
                meeting=MeetingDraft(title="IPC", start=date(2025, 3, 10), end=date(2025, 3, 13))
            ),
            PhaseDraft(name="Stray", start=date(2026, 3, 1), end=date(2026, 3, 2)),
        ]
    )

    with pytest.raises(ValidationError):
        services.exercises.create(draft)

    assert services.exercises.list() == []
    for table in ("exercise", "exercise_phase", "exercise_strand", "meeting", "meeting_fts"):
        assert count(services, table) == 0, table


def test_a_refused_phase_meeting_refuses_the_whole_exercise(services: Services) -> None:
    draft = pace(
        phases=[
            planning_conference(
                meeting=MeetingDraft(
                    title="IPC", kind="garden-party", start=date(2025, 3, 10), end=date(2025, 3, 13)
                )
            )
        ]
    )

    with pytest.raises(ValidationError, match="Unknown kind"):
        services.exercises.create(draft)

    assert services.exercises.list() == []
    assert count(services, "exercise_phase") == 0


def test_an_exercise_uid_cannot_be_used_twice(services: Services) -> None:
    services.exercises.create(pace(uid="pace-2025@example.org"))

    with pytest.raises(ValidationError, match="already exists"):
        services.exercises.create(pace(name="PACE bis", uid="pace-2025@example.org"))
    assert len(services.exercises.list()) == 1


def test_an_unknown_exercise_is_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError):
        services.exercises.get(77)


def test_exercises_are_listed_by_period_start(services: Services) -> None:
    services.exercises.create(
        pace(name="PACE 2026", period_start=date(2026, 1, 1), period_end=date(2027, 1, 1))
    )
    services.exercises.create(pace())

    assert [e.name for e in services.exercises.list()] == ["PACE 2025", "PACE 2026"]
