"""The sample calendar: rich enough to show every feature, and safe to seed twice."""

from datetime import UTC, date, datetime

import pytest

from liaison_calendar.domain.defaults import DEFAULT_STRANDS
from liaison_calendar.domain.enums import ActionStatus, PhaseType, ReleaseLevel, Status
from liaison_calendar.domain.models import MeetingDetail, Occurrence
from liaison_calendar.services.context import Services
from liaison_calendar.services.demo import (
    PACE_UID,
    RECURRING_UID,
    DemoResult,
    demo_uid,
    seed_demo,
)

WINDOW_START = datetime(2023, 1, 1, tzinfo=UTC)
WINDOW_END = datetime(2026, 1, 1, tzinfo=UTC)


def _occurrences(services: Services) -> list[Occurrence]:
    return services.queries.occurrences(WINDOW_START, WINDOW_END)


def _details(services: Services) -> list[MeetingDetail]:
    ids = sorted({o.meeting.id for o in _occurrences(services)})
    return [services.meetings.get(i) for i in ids]


@pytest.fixture
def seeded(services: Services) -> DemoResult:
    return seed_demo(services)


def test_seeding_fills_at_least_forty_meetings(services: Services, seeded: DemoResult) -> None:
    masters = {o.meeting.id for o in _occurrences(services) if o.meeting.master_id is None}
    assert seeded.added >= 40
    assert seeded.skipped == 0
    assert len(masters) == seeded.added


def test_every_strand_and_several_zones_are_used(services: Services, seeded: DemoResult) -> None:
    meetings = [o.meeting for o in _occurrences(services)]
    assert {s for m in meetings for s in m.strands} == {s.key for s in DEFAULT_STRANDS}
    zones = {m.tz for m in meetings}
    assert len(zones) >= 3
    assert {"Europe/Brussels", "Europe/Kyiv", "Asia/Tbilisi", "Africa/Tunis"} <= zones
    assert any(m.all_day for m in meetings)


def test_statuses_and_release_levels_vary(services: Services, seeded: DemoResult) -> None:
    meetings = {o.meeting.id: o.meeting for o in _occurrences(services)}.values()
    statuses = [m.status for m in meetings]
    assert statuses.count(Status.CANCELLED) == 1
    assert Status.POSTPONED in statuses
    assert statuses.count(Status.TENTATIVE) >= 2
    levels = [m.release_level for m in meetings]
    assert levels.count(ReleaseLevel.RESTRICTED) == 1
    assert ReleaseLevel.PUBLIC in levels
    assert any(m.marking == "EU-NATO STAFF ONLY" for m in meetings)


def test_recurring_meeting_has_a_moved_and_a_skipped_occurrence(
    services: Services, seeded: DemoResult
) -> None:
    master = services.meetings.get(RECURRING_UID)
    assert master.rrule is not None
    assert "COUNT=12" in master.rrule
    assert [d.date() for d in master.exdates if isinstance(d, datetime)] == [date(2024, 12, 19)]
    series = [o for o in _occurrences(services) if master.id in (o.meeting.id, o.meeting.master_id)]
    days = [o.start.date() if isinstance(o.start, datetime) else o.start for o in series]
    assert len(series) == 11  # twelve, less the skipped one
    assert date(2024, 8, 22) in days
    assert date(2024, 8, 15) not in days
    assert date(2024, 12, 19) not in days
    moved = next(o for o in series if o.meeting.master_id == master.id)
    assert moved.meeting.recurrence_id is not None


def test_series_iterations_are_numbered(services: Services, seeded: DemoResult) -> None:
    talks = services.series.get("Operational cooperation talks")
    assert talks.last_iteration == 3
    second = services.meetings.get(demo_uid("optalks-2"))
    assert second.series == "Operational cooperation talks"
    assert second.iteration == 2
    assert "Western Balkans" in second.description
    assert services.series.get("Structured Dialogue on Cyber").last_iteration == 3
    assert services.series.get("Structured Dialogue on Military Mobility").last_iteration == 4


def test_exercise_has_typed_phases_and_a_phase_meeting_with_agenda(
    services: Services, seeded: DemoResult
) -> None:
    (exercise,) = [e for e in services.exercises.list() if e.uid == PACE_UID]
    assert exercise.programme == "PACE 2024-2025"
    assert (exercise.period_start, exercise.period_end) == (date(2024, 1, 1), date(2026, 1, 1))
    assert {p.phase_type for p in exercise.phases} >= {
        PhaseType.CONCEPT,
        PhaseType.PLANNING_CONFERENCE,
        PhaseType.EXECUTION,
        PhaseType.LESSONS,
    }
    assert len({p.part for p in exercise.phases}) == 3
    phase_meetings = [services.meetings.get(p.meeting_id) for p in exercise.phases if p.meeting_id]
    assert phase_meetings
    assert all(m.kind == "exercise-phase" for m in phase_meetings)
    assert any(m.agenda and m.exercise_phase_id for m in phase_meetings)


def test_agendas_participants_and_actions(services: Services, seeded: DemoResult) -> None:
    details = _details(services)
    assert sum(1 for d in details if d.agenda) >= 10
    assert any(d.overrun is not None for d in details)
    assert all(a.lead or a.title == "Lunch" for d in details for a in d.agenda)
    organisations = {p.organisation for d in details for p in d.participants}
    assert {
        "EEAS",
        "EU Military Staff",
        "NATO International Staff",
        "NATO International Military Staff",
        "European Commission (DG DEFIS)",
    } <= organisations
    assert len({p.side for d in details for p in d.participants}) == 3
    actions = [a for d in details for a in d.actions]
    assert {a.status for a in actions} >= {ActionStatus.OPEN, ActionStatus.DONE}
    assert any(a.due is not None for a in actions)
    assert any(d.outcomes for d in details)
    partners = {p for d in details for p in d.partners}
    assert {"Ukraine", "Republic of Moldova", "Georgia", "Mauritania"} <= partners
    staff_talks = services.meetings.get(demo_uid("cb-staff-talks-2024"))
    assert len(staff_talks.partners) == 7
    assert staff_talks.start == datetime(2024, 5, 15, 7, 30, tzinfo=UTC)


def test_seeding_twice_adds_nothing(services: Services, seeded: DemoResult) -> None:
    before = _occurrences(services)
    again = seed_demo(services)
    after = _occurrences(services)
    assert again == DemoResult(added=0, skipped=seeded.added)
    assert [(o.meeting.id, o.start) for o in after] == [(o.meeting.id, o.start) for o in before]
    assert len(services.series.list()) == 3
    assert len(services.exercises.list()) == 1
    assert services.meetings.get(RECURRING_UID).sequence == 1  # not touched again
