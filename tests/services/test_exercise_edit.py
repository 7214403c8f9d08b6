"""Editing, deleting and linking PACE exercises: phases keep their identity, meetings survive."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from liaison_calendar.domain.enums import ExercisePart, PhaseType, ReleaseLevel
from liaison_calendar.domain.models import Exercise, ExerciseDraft, MeetingDraft, PhaseDraft
from liaison_calendar.errors import NotFoundError, ValidationError
from liaison_calendar.services.context import Services


def count(services: Services, table: str) -> int:
    with services.db.reading() as session:
        return session.connection().execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def meeting(title: str, day: date, **fields: Any) -> MeetingDraft:
    return MeetingDraft(
        title=title,
        kind="exercise-phase",
        start=datetime.combine(day, datetime.min.time()).replace(hour=9),
        end=datetime.combine(day, datetime.min.time()).replace(hour=17),
        **fields,
    )


def phase(name: str, start: date, days: int = 1, **fields: Any) -> PhaseDraft:
    return PhaseDraft(name=name, start=start, end=start + timedelta(days=days), **fields)


def pace(**fields: Any) -> ExerciseDraft:
    values: dict[str, Any] = {
        "name": "PACE 2025",
        "programme": "PACE 2024–2025",
        "period_start": date(2025, 1, 1),
        "period_end": date(2026, 1, 1),
        "description": "Parallel and coordinated exercises.",
        "strands": ["exercises", "cyber"],
        "marking": "EU-NATO STAFF ONLY",
        "release_level": ReleaseLevel.RESTRICTED,
        "phases": [
            phase(
                "Initial planning conference",
                date(2025, 3, 10),
                3,
                phase_type=PhaseType.PLANNING_CONFERENCE,
                location="Brussels",
                meeting=meeting("IPC", date(2025, 3, 10)),
            ),
            phase(
                "EU part",
                date(2025, 10, 6),
                5,
                phase_type=PhaseType.EXECUTION,
                part=ExercisePart.EU,
                meeting=meeting("EU part kick-off", date(2025, 10, 6)),
            ),
            phase("Lessons", date(2025, 12, 1), phase_type=PhaseType.LESSONS),
        ],
    }
    values.update(fields)
    return ExerciseDraft(**values)


def without_ids(exercise: Exercise) -> dict[str, Any]:
    """What an exercise says, without what a database gives it (ids, links, times)."""
    return exercise.model_dump(
        exclude={
            "id": True,
            "modified": True,
            "phases": {"__all__": {"id", "exercise_id", "meeting_id", "modified"}},
        }
    )


def test_draft_of_gives_back_every_field_and_every_uid(services: Services) -> None:
    exercise = services.exercises.create(pace())

    draft = services.exercises.draft_of(exercise.id)

    assert draft.uid == exercise.uid
    assert [p.uid for p in draft.phases] == [p.uid for p in exercise.phases]
    expected = pace(uid=exercise.uid, strands=["cyber", "exercises"])  # the catalogue's order
    for given, uid in zip(expected.phases, draft.phases, strict=True):
        given.uid, given.meeting = uid.uid, None
    assert draft == expected


def test_update_with_its_own_draft_changes_nothing(services: Services) -> None:
    exercise = services.exercises.create(pace())

    assert services.exercises.update(exercise.id, services.exercises.draft_of(exercise.id)) == (
        exercise
    )


def test_update_replaces_every_field_of_the_exercise(services: Services) -> None:
    exercise = services.exercises.create(pace())
    draft = services.exercises.draft_of(exercise.id)
    draft.name = "  PACE   2025  bis "
    draft.programme = "PACE 2025–2026"
    draft.period_start = date(2024, 11, 1)
    draft.period_end = date(2026, 3, 1)
    draft.description = "Extended by two months."
    draft.strands = ["political"]
    draft.marking = "PUBLIC"
    draft.release_level = ReleaseLevel.PUBLIC

    updated = services.exercises.update(exercise.id, draft)

    assert updated.id == exercise.id
    assert updated.uid == exercise.uid
    assert updated.name == "PACE 2025 bis"
    assert updated.programme == "PACE 2025–2026"
    assert (updated.period_start, updated.period_end) == (date(2024, 11, 1), date(2026, 3, 1))
    assert updated.description == "Extended by two months."
    assert updated.strands == ("political",)
    assert updated.marking == "PUBLIC"
    assert updated.release_level is ReleaseLevel.PUBLIC
    assert updated.phases == exercise.phases
    assert services.exercises.get(exercise.id) == updated


def test_a_moved_phase_keeps_its_id_and_its_planning_meeting(services: Services) -> None:
    exercise = services.exercises.create(pace())
    conference = exercise.phases[0]
    draft = services.exercises.draft_of(exercise.id)
    draft.phases[0].start = date(2025, 4, 7)
    draft.phases[0].end = date(2025, 4, 9)
    draft.phases[0].location = "NATO Headquarters, Brussels"

    updated = services.exercises.update(exercise.id, draft)

    moved = updated.phases[0]
    assert moved.id == conference.id
    assert moved.uid == conference.uid
    assert (moved.start, moved.end) == (date(2025, 4, 7), date(2025, 4, 9))
    assert moved.location == "NATO Headquarters, Brussels"
    assert moved.meeting_id == conference.meeting_id is not None
    assert moved.sequence == conference.sequence + 1
    assert updated.phases[1:] == exercise.phases[1:]


def test_phases_are_added_reordered_and_deleted_and_a_deleted_phase_keeps_its_meeting(
    services: Services,
) -> None:
    exercise = services.exercises.create(pace())
    conference, eu_part, lessons = exercise.phases
    assert eu_part.meeting_id is not None
    draft = services.exercises.draft_of(exercise.id)
    new = phase("NATO part", date(2025, 11, 3), 5, part=ExercisePart.NATO)
    draft.phases = [draft.phases[2], new, draft.phases[0]]  # EU part goes

    updated = services.exercises.update(exercise.id, draft)

    assert [p.name for p in updated.phases] == ["Lessons", "NATO part", conference.name]
    assert [p.id for p in updated.phases][::2] == [lessons.id, conference.id]
    added = updated.phases[1]
    assert added.id not in {conference.id, eu_part.id, lessons.id}
    assert added.uid not in {conference.uid, eu_part.uid, lessons.uid}
    assert (added.part, added.start, added.end) == (
        ExercisePart.NATO,
        date(2025, 11, 3),
        date(2025, 11, 8),
    )
    assert updated.phases[2].meeting_id == conference.meeting_id
    kept = services.meetings.get(eu_part.meeting_id)
    assert kept.title == "EU part kick-off"
    assert kept.exercise_phase_id is None
    assert count(services, "exercise_phase") == 3
    assert count(services, "meeting") == 2


def test_a_new_phase_may_bring_its_uid_and_a_new_planning_meeting(services: Services) -> None:
    exercise = services.exercises.create(pace())
    draft = services.exercises.draft_of(exercise.id)
    draft.phases.append(
        phase(
            "Final planning conference",
            date(2025, 9, 2),
            uid="fpc@example.org",
            meeting=meeting("FPC", date(2025, 9, 2)),
        )
    )

    updated = services.exercises.update(exercise.id, draft)

    added = updated.phases[-1]
    assert added.uid == "fpc@example.org"
    assert added.meeting_id is not None
    assert services.meetings.get(added.meeting_id).exercise_phase_id == added.id


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("phase-outside", "'Lessons' lies outside the programme period of PACE 2025 "),
        ("period-shrinks", "'Renamed, which must not be kept' lies outside the programme period"),
        ("phase-backwards", "'EU part' ends before it starts"),
        ("phase-unnamed", "Phase 2 of PACE 2025 needs a name"),
        ("no-name", "needs a name"),
        ("period-backwards", "programme period of PACE 2025 ends before it starts"),
        ("unknown-strand", "Unknown work strand 'gardening'"),
    ],
)
def test_an_invalid_update_is_refused_and_changes_nothing(
    services: Services, change: str, message: str
) -> None:
    exercise = services.exercises.create(pace())
    meetings_before = [services.meetings.get(p.meeting_id) for p in exercise.phases if p.meeting_id]
    draft = services.exercises.draft_of(exercise.id)
    draft.phases[0].name = "Renamed, which must not be kept"
    match change:
        case "phase-outside":
            draft.phases[-1].start, draft.phases[-1].end = date(2025, 12, 30), date(2026, 1, 2)
        case "period-shrinks":
            draft.period_start = date(2025, 6, 1)
        case "phase-backwards":
            draft.phases[1].end = draft.phases[1].start
        case "phase-unnamed":
            draft.phases[1].name = "  "
        case "no-name":
            draft.name = ""
        case "period-backwards":
            draft.period_end = draft.period_start
        case "unknown-strand":
            draft.strands = ["exercises", "gardening"]

    with pytest.raises(ValidationError, match=message):
        services.exercises.update(exercise.id, draft)

    assert services.exercises.get(exercise.id) == exercise
    assert [services.meetings.get(m.id) for m in meetings_before] == meetings_before


def test_an_update_cannot_change_the_uid_or_take_a_phase_of_another_exercise(
    services: Services,
) -> None:
    exercise = services.exercises.create(pace())
    other = services.exercises.create(pace(name="PACE 2027", phases=[phase("X", date(2025, 2, 3))]))
    draft = services.exercises.draft_of(exercise.id)

    with pytest.raises(ValidationError, match="cannot become other@example.org"):
        services.exercises.update(
            exercise.id, draft.model_copy(update={"uid": "other@example.org"})
        )

    draft.phases.append(phase("Stolen", date(2025, 2, 3), uid=other.phases[0].uid))
    with pytest.raises(ValidationError, match="already exists, in the exercise PACE 2027"):
        services.exercises.update(exercise.id, draft)
    assert services.exercises.get(other.id) == other


def test_an_update_cannot_give_a_phase_a_second_planning_meeting(services: Services) -> None:
    exercise = services.exercises.create(pace())
    draft = services.exercises.draft_of(exercise.id)
    draft.phases[0].meeting = meeting("IPC again", date(2025, 3, 11))

    with pytest.raises(ValidationError, match="has a planning meeting already"):
        services.exercises.update(exercise.id, draft)
    assert count(services, "meeting") == 2


def test_updating_or_deleting_an_unknown_exercise_is_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError):
        services.exercises.update(41, pace())
    with pytest.raises(NotFoundError):
        services.exercises.delete(41)
    with pytest.raises(NotFoundError):
        services.exercises.draft_of(41)


def test_delete_keeps_the_meetings_and_its_draft_brings_the_exercise_back(
    services: Services,
) -> None:
    exercise = services.exercises.create(pace())
    meeting_ids = [p.meeting_id for p in exercise.phases if p.meeting_id is not None]

    draft = services.exercises.delete(exercise.id)

    assert services.exercises.list() == []
    for table in ("exercise", "exercise_phase", "exercise_strand"):
        assert count(services, table) == 0, table
    assert [services.meetings.get(m).exercise_phase_id for m in meeting_ids] == [None, None]
    assert all(p.meeting is None for p in draft.phases)

    again = services.exercises.create(draft)

    assert [p.uid for p in again.phases] == [p.uid for p in exercise.phases]
    assert without_ids(again) == without_ids(exercise)
    assert [p.meeting_id for p in again.phases] == [None, None, None]


def test_undoing_a_delete_links_the_meetings_again(services: Services) -> None:
    exercise = services.exercises.create(pace())
    links = {p.uid: p.meeting_id for p in exercise.phases}

    again = services.exercises.create(services.exercises.delete(exercise.id))
    again = services.exercises.link_meetings(again.id, links)

    assert [p.meeting_id for p in again.phases] == [p.meeting_id for p in exercise.phases]


def test_a_meeting_is_linked_to_a_phase_and_unlinked(services: Services) -> None:
    exercise = services.exercises.create(pace())
    lessons = exercise.phases[2]
    workshop = services.meetings.create(meeting("Lessons workshop", date(2025, 12, 1)))

    linked = services.exercises.link_meeting(lessons.id, workshop.id)

    assert linked.phases[2].meeting_id == workshop.id
    assert services.meetings.get(workshop.id).exercise_phase_id == lessons.id
    assert linked.phases[:2] == exercise.phases[:2]

    unlinked = services.exercises.link_meeting(lessons.id, None)

    assert unlinked.phases[2].meeting_id is None
    assert services.meetings.get(workshop.id).exercise_phase_id is None
    assert count(services, "meeting") == 3


def test_linking_a_phase_to_another_meeting_unlinks_the_one_it_had(services: Services) -> None:
    exercise = services.exercises.create(pace())
    conference = exercise.phases[0]
    assert conference.meeting_id is not None
    replacement = services.meetings.create(meeting("IPC, new date", date(2025, 3, 11)))

    linked = services.exercises.link_meeting(conference.id, replacement.id)

    assert linked.phases[0].meeting_id == replacement.id
    assert services.meetings.get(conference.meeting_id).exercise_phase_id is None


def test_a_meeting_belongs_to_one_phase_and_moves_when_linked_elsewhere(
    services: Services,
) -> None:
    exercise = services.exercises.create(pace())
    conference, eu_part, lessons = exercise.phases

    moved = services.exercises.link_meeting(lessons.id, conference.meeting_id)

    assert [p.meeting_id for p in moved.phases] == [None, eu_part.meeting_id, conference.meeting_id]


def test_link_meetings_swaps_the_meetings_of_two_phases(services: Services) -> None:
    exercise = services.exercises.create(pace())
    conference, eu_part, _ = exercise.phases

    swapped = services.exercises.link_meetings(
        exercise.id, {conference.uid: eu_part.meeting_id, eu_part.uid: conference.meeting_id}
    )

    assert [p.meeting_id for p in swapped.phases] == [
        eu_part.meeting_id,
        conference.meeting_id,
        None,
    ]


def test_link_meetings_refuses_one_meeting_for_two_phases(services: Services) -> None:
    exercise = services.exercises.create(pace())
    conference, _, lessons = exercise.phases

    with pytest.raises(ValidationError, match="chosen for two phases"):
        services.exercises.link_meetings(
            exercise.id, {conference.uid: conference.meeting_id, lessons.uid: conference.meeting_id}
        )
    assert services.exercises.get(exercise.id) == exercise


def test_linking_needs_a_known_phase_and_meeting_and_not_one_occurrence(
    services: Services,
) -> None:
    exercise = services.exercises.create(pace())
    lessons = exercise.phases[2]
    weekly = services.meetings.create(
        meeting("Weekly sync", date(2025, 12, 1), rrule="FREQ=WEEKLY;COUNT=4")
    )
    override = services.meetings.cancel_occurrence(weekly.id, datetime(2025, 12, 8, 9, 0)).id

    with pytest.raises(NotFoundError, match="no exercise phase 999"):
        services.exercises.link_meeting(999, weekly.id)
    with pytest.raises(NotFoundError, match="no meeting 999"):
        services.exercises.link_meeting(lessons.id, 999)
    with pytest.raises(NotFoundError, match="no phase with UID nope"):
        services.exercises.link_meetings(exercise.id, {"nope": None})
    with pytest.raises(ValidationError, match=f"link the repeating meeting \\(#{weekly.id}\\)"):
        services.exercises.link_meeting(lessons.id, override)

    linked = services.exercises.link_meeting(lessons.id, weekly.id)
    assert linked.phases[2].meeting_id == weekly.id
    assert services.meetings.get(override).exercise_phase_id == lessons.id
