"""Scheduling through MeetingService: create, edit, cancel, delete and the parts of a meeting."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.enums import ActionStatus, Side, Status
from liaison_calendar.domain.models import (
    ActionItemDraft,
    AgendaItemDraft,
    MeetingDraft,
    MeetingPatch,
    ParticipantDraft,
    SeriesDraft,
)
from liaison_calendar.errors import NotFoundError, ValidationError
from liaison_calendar.services.context import Services

BRUSSELS = "Europe/Brussels"


def draft(**fields: Any) -> MeetingDraft:
    values: dict[str, Any] = {
        "title": "EU-NATO staff talks on military mobility",
        "kind": "staff-talks",
        "start": datetime(2024, 5, 14, 10, 0),
        "end": datetime(2024, 5, 14, 11, 30),
        "location": "NATO HQ, Brussels",
    }
    values.update(fields)
    return MeetingDraft(**values)


def count(services: Services, table: str) -> int:
    with services.db.reading() as session:
        return session.connection().execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def all_counts(services: Services) -> dict[str, int]:
    tables = [
        "meeting",
        "meeting_strand",
        "meeting_partner",
        "partner",
        "organisation",
        "participant",
        "agenda_item",
        "action_item",
        "meeting_fts",
    ]
    return {t: count(services, t) for t in tables}


# --- creating --------------------------------------------------------------------------------


def test_a_timed_meeting_is_stored_as_wall_time_in_its_zone(services: Services) -> None:
    meeting = services.meetings.create(draft())

    assert meeting.all_day is False
    assert meeting.tz == BRUSSELS
    assert meeting.start.astimezone(UTC) == datetime(2024, 5, 14, 8, 0, tzinfo=UTC)
    assert meeting.end.astimezone(UTC) == datetime(2024, 5, 14, 9, 30, tzinfo=UTC)
    assert meeting.duration == timedelta(minutes=90)
    assert meeting.kind == "staff-talks"
    assert meeting.status is Status.CONFIRMED


def test_a_created_meeting_reads_back_the_same_through_get(services: Services) -> None:
    created = services.meetings.create(
        draft(strands=["capabilities", "hybrid"], partners=["Ukraine"])
    )

    fetched = services.meetings.get(created.id)

    assert fetched == created
    assert set(fetched.strands) == {"capabilities", "hybrid"}
    assert fetched.partners == ("Ukraine",)


def test_a_meeting_can_be_found_by_its_uid(services: Services) -> None:
    created = services.meetings.create(draft())

    assert services.meetings.get(created.uid).id == created.id


def test_an_aware_start_keeps_its_instant(services: Services) -> None:
    meeting = services.meetings.create(
        draft(
            start=datetime(2024, 5, 14, 8, 0, tzinfo=UTC),
            end=datetime(2024, 5, 14, 9, 0, tzinfo=UTC),
        )
    )
    assert meeting.start.astimezone(UTC) == datetime(2024, 5, 14, 8, 0, tzinfo=UTC)
    assert (meeting.start.hour, meeting.start.minute) == (10, 0)


def test_an_all_day_meeting_keeps_its_dates_with_an_exclusive_end(
    services: Services,
) -> None:
    meeting = services.meetings.create(draft(start=date(2024, 5, 14), end=date(2024, 5, 16)))

    assert meeting.all_day is True
    assert meeting.start == date(2024, 5, 14)
    assert meeting.end == date(2024, 5, 16)
    assert meeting.agenda == ()
    assert meeting.overrun is None


def test_a_new_meeting_has_sequence_zero_and_the_clock_as_created_and_modified(
    services: Services, clock: FixedClock
) -> None:
    meeting = services.meetings.create(draft())

    assert meeting.sequence == 0
    assert meeting.created == clock.now()
    assert meeting.modified == clock.now()


def test_every_meeting_gets_its_own_uid(services: Services) -> None:
    first = services.meetings.create(draft())
    second = services.meetings.create(draft())

    assert first.uid != second.uid
    assert first.uid.endswith("@liaison-calendar")


def test_a_given_uid_is_kept_and_a_second_meeting_cannot_take_it(
    services: Services,
) -> None:
    meeting = services.meetings.create(draft(uid="abc-123@example.org"))
    assert meeting.uid == "abc-123@example.org"

    with pytest.raises(ValidationError, match="already exists"):
        services.meetings.create(draft(uid="abc-123@example.org"))


def test_a_title_made_of_spaces_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError, match="needs a title"):
        services.meetings.create(draft(title="   "))


# --- validation ------------------------------------------------------------------------------


def test_an_end_before_the_start_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError, match="must end after it starts"):
        services.meetings.create(
            draft(start=datetime(2024, 5, 14, 11, 0), end=datetime(2024, 5, 14, 10, 0))
        )


def test_an_end_equal_to_the_start_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError, match="must end after it starts"):
        services.meetings.create(
            draft(start=datetime(2024, 5, 14, 10, 0), end=datetime(2024, 5, 14, 10, 0))
        )


def test_an_all_day_meeting_ending_on_its_start_date_is_refused(
    services: Services,
) -> None:
    with pytest.raises(ValidationError, match="the day after its last day"):
        services.meetings.create(draft(start=date(2024, 5, 14), end=date(2024, 5, 14)))


def test_a_date_start_with_a_time_end_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError, match="both be dates"):
        services.meetings.create(draft(start=date(2024, 5, 14), end=datetime(2024, 5, 14, 12, 0)))


def test_a_time_start_with_a_date_end_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError, match="both be dates"):
        services.meetings.create(draft(start=datetime(2024, 5, 14, 10, 0), end=date(2024, 5, 15)))


def test_an_unknown_time_zone_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError, match="Unknown time zone 'Europe/Bruxelles'"):
        services.meetings.create(draft(tz="Europe/Bruxelles"))


def test_a_start_in_the_spring_dst_gap_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError, match="02:30 on 31 March 2024 does not exist"):
        services.meetings.create(
            draft(start=datetime(2024, 3, 31, 2, 30), end=datetime(2024, 3, 31, 4, 0))
        )


def test_an_unknown_kind_is_refused_with_the_known_kinds(services: Services) -> None:
    with pytest.raises(ValidationError, match="Unknown kind of meeting 'tea-party'") as e:
        services.meetings.create(draft(kind="tea-party"))
    assert "staff-talks" in e.value.message


def test_an_unknown_strand_is_refused_with_the_known_strands(services: Services) -> None:
    with pytest.raises(ValidationError, match="Unknown work strand 'space'") as e:
        services.meetings.create(draft(strands=["cyber", "space"]))
    assert "hybrid" in e.value.message


def test_an_iteration_without_a_series_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError, match="needs a series"):
        services.meetings.create(draft(iteration=3))


def test_an_iteration_number_already_taken_in_the_series_is_refused(
    services: Services,
) -> None:
    services.series.create(SeriesDraft(name="EU-NATO Staff Talks"))
    services.meetings.create(draft(series="EU-NATO Staff Talks", iteration=4))

    with pytest.raises(
        ValidationError, match="4th iteration of EU-NATO Staff Talks already exists"
    ):
        services.meetings.create(draft(series="EU-NATO Staff Talks", iteration=4))


def test_a_meeting_in_a_series_without_a_number_takes_the_next_one(
    services: Services,
) -> None:
    services.series.create(SeriesDraft(name="Cyber talks"))
    services.meetings.create(draft(series="Cyber talks", iteration=7))

    meeting = services.meetings.create(draft(series="cyber talks"))

    assert meeting.series == "Cyber talks"
    assert meeting.iteration == 8


def test_an_unknown_series_is_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError):
        services.meetings.create(draft(series="No such series"))


@pytest.mark.parametrize(
    "bad",
    [
        {"strands": ["cyber", "space"]},
        {"kind": "tea-party"},
        {"partners": ["Ukraine", "   "]},
        {
            "participants": [
                ParticipantDraft(name="Ann", organisation="EEAS"),
                ParticipantDraft(name="  "),
            ]
        },
        {"rrule": "FREQ=SOMETIMES"},
        {"start": datetime(2024, 3, 31, 2, 30), "end": datetime(2024, 3, 31, 4, 0)},
    ],
    ids=["strand", "kind", "partner", "participant", "rrule", "dst-gap"],
)
def test_a_refused_meeting_leaves_nothing_half_written(
    services: Services, bad: dict[str, Any]
) -> None:
    bad = dict(bad)
    services.meetings.create(draft(partners=["Moldova"]))
    before = all_counts(services)

    with pytest.raises(ValidationError):
        services.meetings.create(
            draft(
                partners=["Georgia", *bad.pop("partners", [])],
                participants=bad.pop("participants", [ParticipantDraft(name="Bob")]),
                agenda=[AgendaItemDraft(title="Tour de table")],
                actions=[ActionItemDraft(text="Circulate minutes")],
                **bad,
            )
        )

    assert all_counts(services) == before
    assert [p.name for p in services.catalog.partners()] == ["Moldova"]


def test_a_refused_iteration_number_leaves_nothing_half_written(
    services: Services,
) -> None:
    services.series.create(SeriesDraft(name="Staff talks"))
    services.meetings.create(draft(series="Staff talks", iteration=1))
    before = all_counts(services)

    with pytest.raises(ValidationError):
        services.meetings.create(draft(series="Staff talks", iteration=1, partners=["Georgia"]))

    assert all_counts(services) == before


# --- editing: UID, SEQUENCE and modified ------------------------------------------------------


def test_the_uid_never_changes_when_a_meeting_is_edited(services: Services) -> None:
    meeting = services.meetings.create(draft())

    services.meetings.edit(meeting.id, MeetingPatch(title="Renamed"))
    services.meetings.reschedule(meeting.id, datetime(2024, 6, 1, 9, 0))
    services.meetings.edit(meeting.id, MeetingPatch(location="EEAS, Brussels"))
    edited = services.meetings.cancel(meeting.id)

    assert edited.uid == meeting.uid


@pytest.mark.parametrize(
    "patch",
    [
        MeetingPatch(start=datetime(2024, 5, 14, 14, 0)),
        MeetingPatch(end=datetime(2024, 5, 14, 12, 0)),
        MeetingPatch(tz="Europe/Lisbon"),
        MeetingPatch(start=date(2024, 5, 14), end=date(2024, 5, 15)),
        MeetingPatch(location="EEAS, Rond-Point Schuman"),
        MeetingPatch(status=Status.POSTPONED),
        MeetingPatch(status=Status.TENTATIVE),
    ],
    ids=["start", "end", "zone", "all-day", "location", "postponed", "tentative"],
)
def test_a_change_of_time_place_or_status_bumps_the_sequence(
    services: Services, patch: MeetingPatch
) -> None:
    meeting = services.meetings.create(draft())

    edited = services.meetings.edit(meeting.id, patch)

    assert edited.sequence == meeting.sequence + 1


@pytest.mark.parametrize(
    "patch",
    [
        MeetingPatch(title="Staff talks (revised title)"),
        MeetingPatch(description="Read-ahead attached."),
        MeetingPatch(outcomes="Agreed to meet again."),
        MeetingPatch(strands=["cyber"]),
        MeetingPatch(partners=["Moldova"]),
        MeetingPatch(location="NATO HQ, Brussels"),
        MeetingPatch(location="  NATO HQ, Brussels  "),
        MeetingPatch(status=Status.CONFIRMED),
        MeetingPatch(start=datetime(2024, 5, 14, 10, 0)),
    ],
    ids=[
        "title",
        "description",
        "outcomes",
        "strands",
        "partners",
        "same-location",
        "same-location-padded",
        "same-status",
        "same-start",
    ],
)
def test_a_change_that_is_not_time_place_or_status_keeps_the_sequence(
    services: Services, patch: MeetingPatch
) -> None:
    meeting = services.meetings.create(draft())

    edited = services.meetings.edit(meeting.id, patch)

    assert edited.sequence == meeting.sequence


def test_the_sequence_counts_every_significant_edit(services: Services) -> None:
    meeting = services.meetings.create(draft())

    services.meetings.reschedule(meeting.id, datetime(2024, 5, 15, 10, 0))
    services.meetings.edit(meeting.id, MeetingPatch(title="Renamed"))
    services.meetings.edit(meeting.id, MeetingPatch(location="Mons, SHAPE"))
    edited = services.meetings.edit(meeting.id, MeetingPatch(status=Status.TENTATIVE))

    assert edited.sequence == 3


def test_the_modified_time_follows_the_clock_and_created_stays(
    services: Services, clock: FixedClock
) -> None:
    created_at = clock.now()
    meeting = services.meetings.create(draft())

    clock.advance(timedelta(minutes=5))
    edited = services.meetings.edit(meeting.id, MeetingPatch(title="Renamed"))

    assert edited.modified == created_at + timedelta(minutes=5)
    assert edited.created == created_at
    assert edited.sequence == 0


def test_rescheduling_the_start_alone_keeps_the_length(services: Services) -> None:
    meeting = services.meetings.create(draft())

    moved = services.meetings.reschedule(meeting.id, datetime(2024, 5, 20, 15, 0))

    assert moved.start.astimezone(UTC) == datetime(2024, 5, 20, 13, 0, tzinfo=UTC)
    assert moved.duration == timedelta(minutes=90)


def test_an_edit_into_the_dst_gap_is_refused_and_changes_nothing(
    services: Services,
) -> None:
    meeting = services.meetings.create(draft())

    with pytest.raises(ValidationError, match="does not exist"):
        services.meetings.reschedule(meeting.id, datetime(2024, 3, 31, 2, 30))

    assert services.meetings.get(meeting.id) == meeting


def test_an_edit_ending_before_the_start_is_refused_and_changes_nothing(
    services: Services,
) -> None:
    meeting = services.meetings.create(draft())

    with pytest.raises(ValidationError, match="must end after it starts"):
        services.meetings.edit(meeting.id, MeetingPatch(end=datetime(2024, 5, 14, 9, 0)))

    assert services.meetings.get(meeting.id) == meeting


def test_editing_a_meeting_that_does_not_exist_is_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError):
        services.meetings.edit(999, MeetingPatch(title="Ghost"))


# --- cancelling and deleting -----------------------------------------------------------------


def test_cancelling_sets_the_status_and_bumps_the_sequence(
    services: Services, clock: FixedClock
) -> None:
    meeting = services.meetings.create(draft())
    clock.advance(timedelta(hours=1))

    cancelled = services.meetings.cancel(meeting.id)

    assert cancelled.status is Status.CANCELLED
    assert cancelled.sequence == meeting.sequence + 1
    assert cancelled.modified == clock.now()
    assert services.meetings.get(meeting.id).status is Status.CANCELLED


def test_cancelling_a_cancelled_meeting_is_refused(services: Services) -> None:
    meeting = services.meetings.create(draft())
    services.meetings.cancel(meeting.id)

    with pytest.raises(ValidationError, match="already cancelled"):
        services.meetings.cancel(meeting.id)
    assert services.meetings.get(meeting.id).sequence == 1


def test_a_deleted_meeting_is_gone(services: Services) -> None:
    meeting = services.meetings.create(
        draft(
            strands=["cyber"],
            partners=["Ukraine"],
            participants=[ParticipantDraft(name="Ann")],
            agenda=[AgendaItemDraft(title="Opening")],
            actions=[ActionItemDraft(text="Send minutes")],
        )
    )

    deleted = services.meetings.delete(meeting.id)

    assert deleted.id == meeting.id
    with pytest.raises(NotFoundError):
        services.meetings.get(meeting.id)
    with pytest.raises(NotFoundError):
        services.meetings.get(meeting.uid)
    assert services.queries.search("military mobility") == []
    for table in (
        "meeting",
        "meeting_strand",
        "meeting_partner",
        "participant",
        "agenda_item",
        "action_item",
        "meeting_fts",
    ):
        assert count(services, table) == 0, table


def test_deleting_a_recurring_meeting_removes_its_overrides(services: Services) -> None:
    master = services.meetings.create(draft(rrule="FREQ=WEEKLY;COUNT=5"))
    moved = services.meetings.override_occurrence(
        master.id, datetime(2024, 5, 21, 10, 0), MeetingPatch(location="Mons")
    )
    cancelled = services.meetings.cancel_occurrence(master.id, datetime(2024, 5, 28, 10, 0))

    services.meetings.delete(master.id)

    for gone in (master.id, moved.id, cancelled.id):
        with pytest.raises(NotFoundError):
            services.meetings.get(gone)
    assert services.queries.occurrences() == []
    assert services.queries.search("Mons") == []
    assert count(services, "meeting") == 0


def test_deleting_a_meeting_that_does_not_exist_is_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError):
        services.meetings.delete(12345)


def test_deleting_one_meeting_leaves_the_others(services: Services) -> None:
    keep = services.meetings.create(draft(title="Keep me"))
    drop = services.meetings.create(draft(title="Drop me"))

    services.meetings.delete(drop.id)

    assert services.meetings.get(keep.id) == keep
    assert [m.id for m in services.queries.search("keep")] == [keep.id]


# --- participants ----------------------------------------------------------------------------


def test_participants_are_kept_in_order_with_their_organisation(
    services: Services,
) -> None:
    meeting = services.meetings.create(
        draft(
            participants=[
                ParticipantDraft(
                    name="Ann  Smith", organisation="EEAS", side=Side.EU, role=" Chair "
                ),
                ParticipantDraft(name="Jan Novak", organisation="NATO IS", side=Side.NATO),
            ]
        )
    )

    assert [(p.name, p.organisation, p.side, p.role) for p in meeting.participants] == [
        ("Ann Smith", "EEAS", Side.EU, "Chair"),
        ("Jan Novak", "NATO IS", Side.NATO, ""),
    ]
    assert {o.name for o in services.catalog.organisations()} == {"EEAS", "NATO IS"}


def test_a_participant_can_be_added_and_removed(services: Services, clock: FixedClock) -> None:
    meeting = services.meetings.create(draft(participants=[ParticipantDraft(name="Ann")]))
    clock.advance(timedelta(minutes=1))

    added = services.meetings.add_participant(
        meeting.id, ParticipantDraft(name="Bob", organisation="EUMS", side=Side.EU)
    )

    detail = services.meetings.get(meeting.id)
    assert [p.name for p in detail.participants] == ["Ann", "Bob"]
    assert added.organisation == "EUMS"
    assert detail.modified == clock.now()
    assert detail.sequence == meeting.sequence

    services.meetings.remove_participant(meeting.participants[0].id)
    assert [p.name for p in services.meetings.get(meeting.id).participants] == ["Bob"]


def test_a_participant_added_after_removals_is_listed_last(services: Services) -> None:
    meeting = services.meetings.create(
        draft(participants=[ParticipantDraft(name=n) for n in ("Ann", "Bob", "Cem")])
    )
    services.meetings.remove_participant(meeting.participants[0].id)
    services.meetings.remove_participant(meeting.participants[1].id)

    services.meetings.add_participant(meeting.id, ParticipantDraft(name="Dan"))

    assert [p.name for p in services.meetings.get(meeting.id).participants] == ["Cem", "Dan"]


def test_a_participant_without_a_name_is_refused(services: Services) -> None:
    meeting = services.meetings.create(draft())
    with pytest.raises(ValidationError, match="participant needs a name"):
        services.meetings.add_participant(meeting.id, ParticipantDraft(name=" "))
    assert services.meetings.get(meeting.id).participants == ()


def test_removing_an_unknown_participant_is_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError):
        services.meetings.remove_participant(4242)


def test_adding_a_participant_to_an_unknown_meeting_is_not_found(
    services: Services,
) -> None:
    with pytest.raises(NotFoundError):
        services.meetings.add_participant(4242, ParticipantDraft(name="Ann"))


# --- partners --------------------------------------------------------------------------------


def test_a_partner_typed_in_another_case_is_the_same_partner(services: Services) -> None:
    services.meetings.create(draft(partners=["Moldova"]))
    second = services.meetings.create(draft(partners=["MOLDOVA", "moldova"]))

    assert second.partners == ("Moldova",)
    assert [p.name for p in services.catalog.partners()] == ["Moldova"]


def test_a_partner_with_accented_capitals_typed_in_another_case_is_the_same_partner(
    services: Services,
) -> None:
    services.meetings.create(draft(partners=["Österreich"]))
    second = services.meetings.create(draft(partners=["österreich"]))

    assert second.partners == ("Österreich",)
    assert [p.name for p in services.catalog.partners()] == ["Österreich"]


# --- agenda ----------------------------------------------------------------------------------


def agenda_meeting(services: Services) -> Any:
    return services.meetings.create(
        draft(
            start=datetime(2024, 5, 14, 10, 0),
            end=datetime(2024, 5, 14, 11, 0),
            agenda=[
                AgendaItemDraft(title="Welcome", duration_min=10),
                AgendaItemDraft(title="Military mobility", lead="EUMS", duration_min=30),
                AgendaItemDraft(title="AOB", duration_min=20),
            ],
        )
    )


def test_agenda_items_get_clock_times_in_the_meeting_zone(services: Services) -> None:
    meeting = agenda_meeting(services)

    times = [(a.position, a.title, f"{a.starts:%H:%M}", f"{a.ends:%H:%M}") for a in meeting.agenda]
    assert times == [
        (0, "Welcome", "10:00", "10:10"),
        (1, "Military mobility", "10:10", "10:40"),
        (2, "AOB", "10:40", "11:00"),
    ]
    assert meeting.overrun is None


def test_an_agenda_longer_than_the_meeting_is_a_warning_not_an_error(
    services: Services,
) -> None:
    meeting = agenda_meeting(services)

    longer = services.meetings.add_agenda_item(
        meeting.id, AgendaItemDraft(title="Wrap-up", duration_min=25)
    )

    assert longer.overrun == timedelta(minutes=25)
    assert [a.title for a in longer.agenda][-1] == "Wrap-up"
    assert f"{longer.agenda[-1].ends:%H:%M}" == "11:25"
    assert services.meetings.get(meeting.id).overrun == timedelta(minutes=25)


def test_an_agenda_too_long_for_a_meeting_across_the_dst_change_is_reported(
    services: Services,
) -> None:
    # 01:00-05:00 in Brussels on 31 March 2024 lasts three hours.
    meeting = services.meetings.create(
        draft(
            start=datetime(2024, 3, 31, 1, 0),
            end=datetime(2024, 3, 31, 5, 0),
            agenda=[AgendaItemDraft(title=f"Item {i}", duration_min=60) for i in range(4)],
        )
    )

    assert meeting.overrun == timedelta(hours=1)


def test_an_agenda_item_can_be_inserted_at_a_position(services: Services) -> None:
    meeting = agenda_meeting(services)

    detail = services.meetings.add_agenda_item(
        meeting.id, AgendaItemDraft(title="Adoption of the agenda", duration_min=5), 1
    )

    assert [(a.position, a.title) for a in detail.agenda] == [
        (0, "Welcome"),
        (1, "Adoption of the agenda"),
        (2, "Military mobility"),
        (3, "AOB"),
    ]
    assert f"{detail.agenda[2].starts:%H:%M}" == "10:15"


def test_moving_an_agenda_item_keeps_the_positions_contiguous(services: Services) -> None:
    meeting = agenda_meeting(services)
    aob = meeting.agenda[2]

    moved = services.meetings.move_agenda_item(aob.id, 0)

    assert [(a.position, a.title) for a in moved.agenda] == [
        (0, "AOB"),
        (1, "Welcome"),
        (2, "Military mobility"),
    ]
    assert [f"{a.starts:%H:%M}" for a in moved.agenda] == ["10:00", "10:20", "10:30"]
    assert services.meetings.get(meeting.id).agenda == moved.agenda


def test_moving_an_agenda_item_past_the_end_puts_it_last(services: Services) -> None:
    meeting = agenda_meeting(services)

    moved = services.meetings.move_agenda_item(meeting.agenda[0].id, 99)

    assert [(a.position, a.title) for a in moved.agenda] == [
        (0, "Military mobility"),
        (1, "AOB"),
        (2, "Welcome"),
    ]


def test_removing_an_agenda_item_closes_the_gap(services: Services) -> None:
    meeting = agenda_meeting(services)

    after = services.meetings.remove_agenda_item(meeting.agenda[1].id)

    assert [(a.position, a.title) for a in after.agenda] == [(0, "Welcome"), (1, "AOB")]
    assert [f"{a.starts:%H:%M}" for a in after.agenda] == ["10:00", "10:10"]

    again = services.meetings.add_agenda_item(meeting.id, AgendaItemDraft(title="Close"))
    assert [a.position for a in again.agenda] == [0, 1, 2]


def test_updating_an_agenda_item_changes_its_fields_and_the_times_after_it(
    services: Services,
) -> None:
    meeting = agenda_meeting(services)

    detail = services.meetings.update_agenda_item(
        meeting.agenda[0].id,
        AgendaItemDraft(title="Welcome and introductions", duration_min=20, notes="Chair"),
    )

    assert detail.agenda[0].title == "Welcome and introductions"
    assert detail.agenda[0].notes == "Chair"
    assert f"{detail.agenda[1].starts:%H:%M}" == "10:20"
    assert detail.overrun == timedelta(minutes=10)


def test_an_agenda_item_without_a_title_is_refused(services: Services) -> None:
    meeting = agenda_meeting(services)
    with pytest.raises(ValidationError, match="agenda item needs a title"):
        services.meetings.add_agenda_item(meeting.id, AgendaItemDraft(title="  "))
    assert len(services.meetings.get(meeting.id).agenda) == 3


def test_an_unknown_agenda_item_is_not_found(services: Services) -> None:
    agenda_meeting(services)
    with pytest.raises(NotFoundError):
        services.meetings.move_agenda_item(999, 0)
    with pytest.raises(NotFoundError):
        services.meetings.remove_agenda_item(999)


def test_an_all_day_meeting_has_an_agenda_without_clock_times(services: Services) -> None:
    meeting = services.meetings.create(
        draft(
            start=date(2024, 5, 14),
            end=date(2024, 5, 15),
            agenda=[AgendaItemDraft(title="Workshop", duration_min=600)],
        )
    )
    assert meeting.agenda[0].starts is None
    assert meeting.overrun is None


# --- action items ----------------------------------------------------------------------------


def test_action_items_are_created_open_and_can_change_status(
    services: Services,
) -> None:
    meeting = services.meetings.create(
        draft(actions=[ActionItemDraft(text=" Circulate minutes ", owner="EEAS")])
    )
    (first,) = meeting.actions
    assert (first.text, first.owner, first.status) == (
        "Circulate minutes",
        "EEAS",
        ActionStatus.OPEN,
    )

    second = services.meetings.add_action_item(
        meeting.id, ActionItemDraft(text="Draft joint paper", due=date(2024, 6, 1))
    )
    done = services.meetings.set_action_status(first.id, ActionStatus.DONE)

    assert done.status is ActionStatus.DONE
    assert second.meeting_id == meeting.id
    detail = services.meetings.get(meeting.id)
    assert [(a.text, a.status, a.due) for a in detail.actions] == [
        ("Circulate minutes", ActionStatus.DONE, None),
        ("Draft joint paper", ActionStatus.OPEN, date(2024, 6, 1)),
    ]
    assert detail.carried_actions == ()


def test_an_action_item_without_text_is_refused(services: Services) -> None:
    meeting = services.meetings.create(draft())
    with pytest.raises(ValidationError, match="action item needs a text"):
        services.meetings.add_action_item(meeting.id, ActionItemDraft(text=" "))


def test_the_status_of_an_unknown_action_item_is_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError):
        services.meetings.set_action_status(31337, ActionStatus.DONE)


# --- recurring meetings ----------------------------------------------------------------------


def test_a_repeat_rule_is_stored_in_normal_form(services: Services) -> None:
    meeting = services.meetings.create(draft(rrule="rrule:freq=weekly;count=4"))
    assert meeting.rrule == "FREQ=WEEKLY;COUNT=4"


def test_a_repeat_rule_that_never_happens_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError, match="gives no dates"):
        services.meetings.create(
            draft(
                start=date(2024, 1, 1),
                end=date(2024, 1, 2),
                rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=1",
            )
        )
    assert count(services, "meeting") == 0


def test_skipping_an_occurrence_that_does_not_exist_is_not_found(
    services: Services,
) -> None:
    meeting = services.meetings.create(draft(rrule="FREQ=WEEKLY;COUNT=3"))
    with pytest.raises(NotFoundError, match="no occurrence"):
        services.meetings.skip_occurrence(meeting.id, datetime(2024, 5, 15, 10, 0))


def test_skipping_an_occurrence_of_a_single_meeting_is_refused(
    services: Services,
) -> None:
    meeting = services.meetings.create(draft())
    with pytest.raises(ValidationError, match="does not repeat"):
        services.meetings.skip_occurrence(meeting.id, datetime(2024, 5, 14, 10, 0))


def test_skipping_an_occurrence_bumps_the_sequence_of_the_series(
    services: Services,
) -> None:
    meeting = services.meetings.create(draft(rrule="FREQ=WEEKLY;COUNT=3"))

    skipped = services.meetings.skip_occurrence(meeting.id, datetime(2024, 5, 21, 10, 0))

    assert skipped.sequence == meeting.sequence + 1
    assert skipped.exdates == (datetime(2024, 5, 21, 8, 0, tzinfo=UTC),)


def test_an_override_shares_the_uid_and_points_at_its_occurrence(
    services: Services,
) -> None:
    master = services.meetings.create(draft(rrule="FREQ=WEEKLY;COUNT=3", strands=["cyber"]))

    override = services.meetings.override_occurrence(
        master.id, datetime(2024, 5, 21, 10, 0), MeetingPatch(title="Special session")
    )

    assert override.id != master.id
    assert override.uid == master.uid
    assert override.master_id == master.id
    assert override.recurrence_id == datetime(2024, 5, 21, 8, 0, tzinfo=UTC)
    assert override.strands == ("cyber",)
    assert override.rrule is None
    assert services.meetings.get(master.uid).id == master.id


def test_a_changed_occurrence_keeps_the_people_and_agenda_of_its_series(
    services: Services,
) -> None:
    from liaison_calendar.domain.models import AgendaItemDraft, ParticipantDraft

    master = services.meetings.create(
        MeetingDraft(
            title="Monthly cross-briefing on Ukraine",
            kind="cross-briefing",
            start=datetime(2024, 1, 18, 14, 0),
            end=datetime(2024, 1, 18, 15, 0),
            rrule="FREQ=MONTHLY;COUNT=3",
            participants=[ParticipantDraft(name="A. Officer", organisation="EEAS")],
            agenda=[AgendaItemDraft(title="Situation update", duration_min=30)],
        )
    )
    moved = services.meetings.override_occurrence(
        master.id, datetime(2024, 2, 18, 14, 0), MeetingPatch(location="Kyiv")
    )
    assert [p.name for p in moved.participants] == ["A. Officer"]
    assert [a.title for a in moved.agenda] == ["Situation update"]
    assert moved.location == "Kyiv"
