"""Our own export, imported into an empty calendar and exported again, is the same file."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.enums import LeadSide, Mode, ReleaseLevel, Side, Status
from liaison_calendar.domain.models import (
    ActionItemDraft,
    AgendaItemDraft,
    MeetingDraft,
    MeetingPatch,
    ParticipantDraft,
)
from liaison_calendar.domain.text import clean_text
from liaison_calendar.services.context import Services
from liaison_calendar.services.feeds import ExportScope
from tests.icscheck import validate

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
ZONES = ["Europe/Brussels", "Europe/Kyiv", "Asia/Tbilisi", "America/New_York", "UTC"]
KINDS = ["staff-talks", "structured-dialogue", "cross-briefing", "ministerial", "other"]
STRANDS = ["hybrid", "cyber", "capabilities", "capacity-building", "political"]
PARTNERS = ["Ukraine", "Moldova", "Georgia", "Bosnia and Herzegovina, BiH", "Jordan; Tunisia"]

# Text as people type it, with the characters iCalendar must escape and some it cannot carry.
TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], include_characters=';,\\\n\t"^:'),
    max_size=60,
)
WORDS = TEXT.map(lambda t: clean_text(t).strip()).filter(bool)  # a name must say something


@st.composite
def meetings(draw: Any) -> MeetingDraft:
    all_day = draw(st.booleans())
    day = date(2023, 1, 2) + timedelta(days=draw(st.integers(0, 4 * 365)))
    tz = draw(st.sampled_from(ZONES))
    start: date | datetime
    end: date | datetime
    if all_day:
        start, end = day, day + timedelta(days=draw(st.integers(1, 3)))
    else:
        start = datetime(day.year, day.month, day.day, draw(st.integers(7, 17)), 30)
        end = start + timedelta(minutes=draw(st.sampled_from([30, 90, 180])))
    rrule = draw(st.sampled_from([None, "FREQ=WEEKLY;COUNT=4", "FREQ=DAILY;INTERVAL=2;COUNT=3"]))
    rdates: list[date | datetime] = []
    if rrule and draw(st.booleans()):
        rdates = [start + timedelta(days=draw(st.integers(1, 40)))]
    return MeetingDraft(
        title=draw(WORDS),
        kind=draw(st.sampled_from(KINDS)),
        start=start,
        end=end,
        tz=tz,
        strands=draw(st.lists(st.sampled_from(STRANDS), unique=True, max_size=2)),
        partners=draw(st.lists(st.sampled_from(PARTNERS), unique=True, max_size=2)),
        location=draw(TEXT),
        mode=draw(st.sampled_from(list(Mode))),
        lead_side=draw(st.sampled_from(list(LeadSide))),
        status=draw(st.sampled_from(list(Status))),
        marking=draw(st.sampled_from(["", "EU-NATO STAFF ONLY"])),
        release_level=draw(st.sampled_from(list(ReleaseLevel))),
        description=draw(TEXT),
        outcomes=draw(TEXT),
        rrule=rrule,
        rdates=rdates,
        proposals=draw(st.lists(st.integers(1, 74), unique=True, max_size=3)),
        participants=[
            ParticipantDraft(
                name=draw(WORDS),
                organisation=draw(st.sampled_from(["", "EEAS", "NATO IS", "EU MS, Brussels"])),
                side=draw(st.sampled_from(list(Side))),
                role=draw(st.sampled_from(["", "co-chair", "expert"])),
                email=draw(st.sampled_from(["", f"p{i}@example.eu"])),
            )
            for i in range(draw(st.integers(0, 2)))
        ],
        agenda=[
            AgendaItemDraft(
                title=draw(WORDS),
                lead=draw(TEXT).strip(),
                duration_min=draw(st.integers(5, 90)),
                notes=draw(TEXT),
            )
            for _ in range(draw(st.integers(0, 2)))
        ],
        actions=[
            ActionItemDraft(text=draw(WORDS), owner=draw(TEXT).strip())
            for _ in range(draw(st.integers(0, 1)))
        ],
    )


_files = itertools.count()


def _export(services: Services) -> bytes:
    return services.feeds.export_bytes(ExportScope(release_level=ReleaseLevel.RESTRICTED))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drafts=st.lists(meetings(), min_size=1, max_size=5), move=st.booleans())
def test_export_import_export_gives_the_same_bytes(
    tmp_path: Path, drafts: list[MeetingDraft], move: bool
) -> None:
    n = next(_files)
    source = Services.open(tmp_path / f"source-{n}.db", FixedClock(NOW))
    target = Services.open(tmp_path / f"target-{n}.db", FixedClock(NOW + timedelta(days=9)))
    try:
        for d in drafts:
            m = source.meetings.create(d)
            if move and m.rrule == "FREQ=WEEKLY;COUNT=4" and isinstance(m.start, datetime):
                source.meetings.override_occurrence(
                    m.id, m.start + timedelta(weeks=1), MeetingPatch(location="Moved, room 2")
                )
        first = _export(source)
        validate(first)
        path = tmp_path / f"calendar-{n}.ics"
        path.write_bytes(first)
        report = target.importer.import_files([path])
        assert report.count("skipped") == 0
        assert _export(target) == first
    finally:
        source.close()
        target.close()


def test_the_sample_calendar_with_series_and_exercises_survives_its_own_file(
    tmp_path: Path,
) -> None:
    from liaison_calendar.services.demo import seed_demo

    source = Services.open(tmp_path / "demo.db", FixedClock(NOW))
    target = Services.open(tmp_path / "copy.db", FixedClock(NOW + timedelta(days=9)))
    try:
        seed_demo(source)
        first = _export(source)
        path = tmp_path / "demo.ics"
        path.write_bytes(first)
        report = target.importer.import_files([path])
        assert report.count("skipped") == 0
        assert _export(target) == first
        assert [e.name for e in target.exercises.list()] == [
            e.name for e in source.exercises.list()
        ]
        assert {s.name for s in target.series.list()} == {s.name for s in source.series.list()}
        again = target.importer.import_files([path])
        assert again.count("unchanged") == len(again.items)
    finally:
        source.close()
        target.close()
