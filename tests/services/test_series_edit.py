"""Editing a series: rename it, change what it pre-fills; its meetings stay its iterations."""

from datetime import datetime

import pytest

from liaison_calendar.domain.enums import LeadSide, Mode
from liaison_calendar.domain.models import FeedDraft, MeetingDraft, MeetingFilter, SeriesDraft
from liaison_calendar.errors import NotFoundError, ValidationError
from liaison_calendar.services.context import Services

NAME = "Structured Dialogue on Cyber"
OTHER = "EU-NATO Staff Talks"
ORIGINAL = SeriesDraft(
    name=NAME,
    kind="structured-dialogue",
    strands=["hybrid", "cyber"],  # as the series reads back: in the catalogue's order
    partners=["Moldova", "Ukraine"],  # and by name
    description="Upgraded from the annual staff talks on cyber.",
    location="EEAS, Brussels",
    mode=Mode.HYBRID,
    lead_side=LeadSide.EU,
    tz="Europe/Brussels",
)
CHANGED = SeriesDraft(
    name="Cyber Dialogue",
    kind="staff-talks",
    strands=["capabilities"],
    partners=["Georgia"],
    description="Now twice a year.",
    location="NATO HQ, Brussels",
    mode=Mode.VIDEO,
    lead_side=LeadSide.NATO,
    tz="America/New_York",
)


@pytest.fixture
def series(services: Services) -> Services:
    services.series.create(ORIGINAL)
    services.series.create(SeriesDraft(name=OTHER, kind="staff-talks"))
    return services


def _meeting_in(services: Services, series: str, day: int, iteration: int) -> int:
    return services.meetings.create(
        MeetingDraft(
            title=f"Cyber dialogue {iteration}",
            kind="cross-briefing",
            start=datetime(2026, 3, day, 10, 0),
            end=datetime(2026, 3, day, 12, 0),
            tz="Europe/Brussels",
            strands=["political"],
            partners=["Serbia"],
            location="Mons",
            series=series,
            iteration=iteration,
        )
    ).id


def test_update_renames_the_series_and_changes_every_field(series: Services) -> None:
    before = series.series.get(NAME)

    after = series.series.update(NAME, CHANGED)

    assert after.id == before.id
    assert after.name == "Cyber Dialogue"
    assert after.kind == "staff-talks"
    assert after.strands == ("capabilities",)
    assert after.partners == ("Georgia",)
    assert after.description == "Now twice a year."
    assert after.location == "NATO HQ, Brussels"
    assert after.mode is Mode.VIDEO
    assert after.lead_side is LeadSide.NATO
    assert after.tz == "America/New_York"
    assert series.series.get("cyber dialogue") == after
    assert series.series.get(before.id) == after
    with pytest.raises(NotFoundError):
        series.series.get(NAME)
    assert sorted(s.name for s in series.series.list()) == ["Cyber Dialogue", OTHER]


def test_meetings_keep_their_series_and_iteration_and_their_own_fields(
    series: Services,
) -> None:
    first = _meeting_in(series, NAME, 10, 1)
    third = _meeting_in(series, NAME, 24, 3)
    before = {mid: series.meetings.get(mid) for mid in (first, third)}

    series.series.update(NAME, CHANGED)

    for mid, old in before.items():
        now = series.meetings.get(mid)
        assert now.series == "Cyber Dialogue"
        assert now.series_id == old.series_id
        assert now.iteration == old.iteration
        assert now.model_dump(exclude={"series"}) == old.model_dump(exclude={"series"})
    assert series.series.get("Cyber Dialogue").last_iteration == 3
    assert series.series.next_iteration("Cyber Dialogue", datetime(2026, 6, 1, 9, 0)).iteration == 4


def test_renaming_to_a_name_another_series_has_is_refused_and_nothing_changes(
    series: Services,
) -> None:
    _meeting_in(series, NAME, 10, 1)
    before = series.series.get(NAME)

    for taken in (OTHER, "  eu-nato   STAFF talks "):
        with pytest.raises(ValidationError, match="already exists"):
            series.series.update(NAME, CHANGED.model_copy(update={"name": taken}))

    assert series.series.get(NAME) == before
    assert series.series.get(OTHER).kind == "staff-talks"
    assert series.series.get(OTHER).strands == ()
    assert len(series.series.list()) == 2


def test_a_series_may_keep_its_name_or_change_only_its_case(series: Services) -> None:
    kept = series.series.update(NAME, ORIGINAL.model_copy(update={"location": "Mons"}))
    assert (kept.name, kept.location) == (NAME, "Mons")

    recased = series.series.update(NAME, ORIGINAL.model_copy(update={"name": NAME.upper()}))
    assert recased.name == NAME.upper()
    assert recased.id == kept.id


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "   "}, "needs a name"),
        ({"kind": "picnic"}, "Unknown kind"),
        ({"strands": ["cyber", "space"]}, "Unknown work strand"),
        ({"partners": ["Georgia", "  "]}, "partner needs a name"),
        ({"tz": "Europe/Atlantis"}, "Unknown time zone"),
    ],
)
def test_a_refused_update_changes_nothing(
    series: Services, change: dict[str, object], message: str
) -> None:
    before = series.series.get(NAME)
    partners_before = series.catalog.partners()

    with pytest.raises(ValidationError, match=message):
        series.series.update(NAME, CHANGED.model_copy(update=change))

    assert series.series.get(NAME) == before
    assert series.catalog.partners() == partners_before  # Georgia was not created


def test_updating_an_unknown_series_is_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError):
        services.series.update("Ghost talks", CHANGED)


def test_update_can_empty_the_strands_and_partners(series: Services) -> None:
    after = series.series.update(NAME, ORIGINAL.model_copy(update={"strands": [], "partners": []}))

    assert (after.strands, after.partners) == ((), ())


def test_draft_of_round_trips_every_field(series: Services) -> None:
    assert series.series.draft_of(NAME) == ORIGINAL
    assert series.series.draft_of(series.series.get(NAME).id) == ORIGINAL

    series.series.update(NAME, CHANGED)

    assert series.series.draft_of("Cyber Dialogue") == CHANGED
    with pytest.raises(NotFoundError):
        series.series.draft_of(NAME)


def test_saving_the_draft_of_a_series_unchanged_changes_nothing(series: Services) -> None:
    before = series.series.get(NAME)

    after = series.series.update(NAME, series.series.draft_of(NAME))

    assert after == before


def test_feeds_that_pick_the_series_follow_its_rename(series: Services) -> None:
    series.feeds.add(FeedDraft(name="cyber", filter=MeetingFilter(series=[NAME.lower(), OTHER])))

    series.series.update(NAME, CHANGED)

    assert series.feeds.get("cyber").filter.series == ["Cyber Dialogue", OTHER]
    series.catalog.check_filter(series.feeds.get("cyber").filter)  # still a valid filter
