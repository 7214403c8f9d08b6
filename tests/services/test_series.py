"""Series: numbered iterations pre-filled from the one before, open actions carried over."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

from datetime import UTC, date, datetime, timedelta

import pytest

from liaison_calendar.domain.enums import ActionStatus, LeadSide, Mode, ReleaseLevel, Side
from liaison_calendar.domain.models import (
    ActionItemDraft,
    AgendaItemDraft,
    MeetingPatch,
    ParticipantDraft,
    SeriesDraft,
)
from liaison_calendar.errors import NotFoundError, ValidationError
from liaison_calendar.services.context import Services

NAME = "EU-NATO Staff Talks"


@pytest.fixture
def series(services: Services) -> Services:
    services.series.create(
        SeriesDraft(
            name=NAME,
            kind="staff-talks",
            strands=["capabilities", "hybrid"],
            partners=["Ukraine"],
            location="NATO HQ, Brussels",
            mode=Mode.HYBRID,
            lead_side=LeadSide.EU,
            description="Twice-yearly staff talks.",
        )
    )
    return services


def test_a_new_series_reads_back_with_its_defaults(series: Services) -> None:
    info = series.series.get(NAME)

    assert info.name == NAME
    assert info.kind == "staff-talks"
    assert info.strands == ("hybrid", "capabilities")
    assert info.partners == ("Ukraine",)
    assert info.mode is Mode.HYBRID
    assert info.last_iteration is None
    assert [s.name for s in series.series.list()] == [NAME]


def test_a_series_is_found_by_name_in_any_case(series: Services) -> None:
    assert series.series.get("eu-nato staff talks").name == NAME


def test_an_unknown_series_is_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError):
        services.series.get("Nothing like it")


def test_a_duplicate_series_name_is_refused(series: Services) -> None:
    with pytest.raises(ValidationError, match="already exists"):
        series.series.create(SeriesDraft(name=NAME))
    with pytest.raises(ValidationError, match="already exists"):
        series.series.create(SeriesDraft(name="  eu-nato   STAFF talks "))
    assert len(series.series.list()) == 1


def test_a_series_needs_a_name_a_known_kind_and_a_known_zone(services: Services) -> None:
    with pytest.raises(ValidationError, match="needs a name"):
        services.series.create(SeriesDraft(name="   "))
    with pytest.raises(ValidationError, match="Unknown kind"):
        services.series.create(SeriesDraft(name="A", kind="picnic"))
    with pytest.raises(ValidationError, match="Unknown time zone"):
        services.series.create(SeriesDraft(name="B", tz="Europe/Atlantis"))
    with pytest.raises(ValidationError, match="Unknown work strand"):
        services.series.create(SeriesDraft(name="C", strands=["space"]))
    assert services.series.list() == []


def test_iterations_are_numbered_one_two_three(series: Services) -> None:
    numbers = []
    for month in (3, 6, 9):
        meeting = series.series.next_iteration(NAME, datetime(2025, month, 10, 9, 0))
        numbers.append(meeting.iteration)

    assert numbers == [1, 2, 3]
    assert series.series.get(NAME).last_iteration == 3


def test_an_iteration_gets_a_numbered_title_and_belongs_to_the_series(
    series: Services,
) -> None:
    first = series.series.next_iteration(NAME, datetime(2025, 3, 10, 9, 0))
    second = series.series.next_iteration(NAME, datetime(2025, 6, 10, 9, 0))

    assert first.title == f"{NAME} – 1st iteration"
    assert second.title == f"{NAME} – 2nd iteration"
    assert (first.series, second.series) == (NAME, NAME)
    assert first.series_id == second.series_id == series.series.get(NAME).id


def test_the_first_iteration_is_pre_filled_from_the_series(series: Services) -> None:
    first = series.series.next_iteration(NAME, datetime(2025, 3, 10, 9, 0))

    assert first.kind == "staff-talks"
    assert set(first.strands) == {"capabilities", "hybrid"}
    assert first.partners == ("Ukraine",)
    assert first.location == "NATO HQ, Brussels"
    assert first.mode is Mode.HYBRID
    assert first.lead_side is LeadSide.EU
    assert first.description == "Twice-yearly staff talks."
    assert first.duration == timedelta(hours=3)


def test_a_first_all_day_iteration_lasts_one_day(series: Services) -> None:
    first = series.series.next_iteration(NAME, date(2025, 3, 10))

    assert (first.start, first.end) == (date(2025, 3, 10), date(2025, 3, 11))


def test_the_next_iteration_is_pre_filled_from_the_previous_one(series: Services) -> None:
    first = series.series.next_iteration(
        NAME, datetime(2025, 3, 10, 9, 0), datetime(2025, 3, 10, 10, 30)
    )
    series.meetings.edit(
        first.id,
        MeetingPatch(
            strands=["cyber"],
            partners=["Moldova", "Georgia"],
            location="EEAS, Brussels",
            mode=Mode.VIDEO,
            lead_side=LeadSide.NATO,
            marking="EU RESTRICTED",
            release_level=ReleaseLevel.RESTRICTED,
            kind="structured-dialogue",
        ),
    )
    series.meetings.add_participant(
        first.id,
        ParticipantDraft(name="Ann Smith", organisation="EEAS", side=Side.EU, role="Co-chair"),
    )
    series.meetings.add_participant(first.id, ParticipantDraft(name="Jan Novak"))
    series.meetings.add_agenda_item(
        first.id, AgendaItemDraft(title="Opening", lead="EEAS", duration_min=15)
    )
    series.meetings.add_agenda_item(first.id, AgendaItemDraft(title="Cyber", duration_min=45))

    second = series.series.next_iteration(NAME, datetime(2025, 6, 16, 14, 0))

    assert second.iteration == 2
    assert second.kind == "structured-dialogue"
    assert second.strands == ("cyber",)
    assert second.partners == ("Georgia", "Moldova")
    assert second.location == "EEAS, Brussels"
    assert second.mode is Mode.VIDEO
    assert second.lead_side is LeadSide.NATO
    assert second.marking == "EU RESTRICTED"
    assert second.release_level is ReleaseLevel.RESTRICTED
    assert [(p.name, p.organisation, p.side, p.role) for p in second.participants] == [
        ("Ann Smith", "EEAS", Side.EU, "Co-chair"),
        ("Jan Novak", "", Side.OTHER, ""),
    ]
    assert [(a.title, a.lead, a.duration_min) for a in second.agenda] == [
        ("Opening", "EEAS", 15),
        ("Cyber", "", 45),
    ]
    assert [f"{a.starts:%H:%M}" for a in second.agenda] == ["14:00", "14:15"]
    assert second.duration == timedelta(minutes=90)
    # the previous iteration keeps its own rows
    assert len(series.meetings.get(first.id).participants) == 2


def test_an_explicit_place_and_end_win_over_the_previous_iteration(series: Services) -> None:
    series.series.next_iteration(NAME, datetime(2025, 3, 10, 9, 0))

    second = series.series.next_iteration(
        NAME,
        datetime(2025, 6, 10, 9, 0),
        datetime(2025, 6, 10, 17, 0),
        location="SHAPE, Mons",
        title="Staff talks in Mons",
    )

    assert second.location == "SHAPE, Mons"
    assert second.title == "Staff talks in Mons"
    assert second.duration == timedelta(hours=8)


def test_open_action_items_are_carried_into_the_next_iteration(series: Services) -> None:
    first = series.series.next_iteration(NAME, datetime(2025, 3, 10, 9, 0))
    drafts = [
        ActionItemDraft(text="Draft joint paper", owner="EEAS", due=date(2025, 5, 1)),
        ActionItemDraft(text="Circulate minutes", owner="NATO IS"),
        ActionItemDraft(text="Book the room"),
        ActionItemDraft(text="Invite Georgia"),
    ]
    items = [series.meetings.add_action_item(first.id, d) for d in drafts]
    series.meetings.set_action_status(items[1].id, ActionStatus.DONE)
    series.meetings.set_action_status(items[2].id, ActionStatus.DROPPED)

    second = series.series.next_iteration(NAME, datetime(2025, 6, 10, 9, 0))

    carried = second.carried_actions
    assert [(a.text, a.owner, a.due, a.status) for a in carried] == [
        ("Draft joint paper", "EEAS", date(2025, 5, 1), ActionStatus.OPEN),
        ("Invite Georgia", "", None, ActionStatus.OPEN),
    ]
    assert [a.carried_from_id for a in carried] == [items[0].id, items[3].id]
    assert all(a.meeting_id == second.id for a in carried)
    assert {a.id for a in carried}.isdisjoint({i.id for i in items})
    assert [a.status for a in series.meetings.get(first.id).actions] == [
        ActionStatus.CARRIED,
        ActionStatus.DONE,
        ActionStatus.DROPPED,
        ActionStatus.CARRIED,
    ]


def test_carried_items_move_on_again_and_are_not_carried_twice(series: Services) -> None:
    first = series.series.next_iteration(NAME, datetime(2025, 3, 10, 9, 0))
    original = series.meetings.add_action_item(first.id, ActionItemDraft(text="Draft paper"))
    second = series.series.next_iteration(NAME, datetime(2025, 6, 10, 9, 0))
    (in_second,) = second.actions

    third = series.series.next_iteration(NAME, datetime(2025, 9, 10, 9, 0))

    (in_third,) = third.actions
    assert in_third.carried_from_id == in_second.id
    assert in_second.carried_from_id == original.id
    assert [a.status for a in series.meetings.get(second.id).actions] == [ActionStatus.CARRIED]
    assert [a.status for a in series.meetings.get(first.id).actions] == [ActionStatus.CARRIED]


def test_closing_the_carried_item_leaves_nothing_to_carry(series: Services) -> None:
    first = series.series.next_iteration(NAME, datetime(2025, 3, 10, 9, 0))
    series.meetings.add_action_item(first.id, ActionItemDraft(text="Draft paper"))
    second = series.series.next_iteration(NAME, datetime(2025, 6, 10, 9, 0))
    series.meetings.set_action_status(second.actions[0].id, ActionStatus.DONE)

    third = series.series.next_iteration(NAME, datetime(2025, 9, 10, 9, 0))

    assert third.actions == ()


def test_a_refused_next_iteration_carries_nothing_and_creates_nothing(
    series: Services,
) -> None:
    first = series.series.next_iteration(NAME, datetime(2025, 3, 10, 9, 0))
    series.meetings.add_action_item(first.id, ActionItemDraft(text="Draft paper"))

    with pytest.raises(ValidationError, match="does not exist"):
        series.series.next_iteration(NAME, datetime(2025, 3, 30, 2, 30), tz="Europe/Brussels")

    assert series.series.get(NAME).last_iteration == 1
    assert [a.status for a in series.meetings.get(first.id).actions] == [ActionStatus.OPEN]


def test_the_next_iteration_of_an_unknown_series_is_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError):
        services.series.next_iteration("Ghost talks", datetime(2025, 3, 10, 9, 0))


def test_the_next_iteration_takes_the_zone_of_the_series(services: Services) -> None:
    services.series.create(SeriesDraft(name="Washington talks", tz="America/New_York"))

    meeting = services.series.next_iteration("Washington talks", datetime(2025, 3, 10, 9, 0))

    assert meeting.tz == "America/New_York"
    assert meeting.start.astimezone(UTC) == datetime(2025, 3, 10, 13, 0, tzinfo=UTC)


def test_a_series_with_meetings_cannot_be_deleted_but_an_empty_one_can(
    series: Services,
) -> None:
    series.series.create(SeriesDraft(name="Empty"))
    series.series.next_iteration(NAME, datetime(2025, 3, 10, 9, 0))

    with pytest.raises(ValidationError, match="still has meetings"):
        series.series.delete_empty(NAME)
    series.series.delete_empty("Empty")

    assert [s.name for s in series.series.list()] == [NAME]


def test_a_series_whose_name_is_a_number_is_found_by_its_name(services: Services) -> None:
    services.series.create(SeriesDraft(name="2025"))

    assert services.series.get("2025").name == "2025"
    assert services.series.next_iteration("2025", datetime(2025, 3, 10, 9, 0)).iteration == 1
