"""Replacing everything a meeting says at once: the editor's OK, and undo and redo of edits."""

from datetime import datetime

import pytest

from liaison_calendar.domain.enums import Status
from liaison_calendar.domain.models import (
    AgendaItemDraft,
    MeetingDraft,
    ParticipantDraft,
    SeriesDraft,
)
from liaison_calendar.errors import ValidationError
from liaison_calendar.services.context import Services


def _draft(**fields: object) -> MeetingDraft:
    base: dict[str, object] = {
        "title": "Structured Dialogue on Cyber",
        "kind": "structured-dialogue",
        "start": datetime(2024, 3, 12, 9, 30),
        "end": datetime(2024, 3, 12, 12, 0),
        "strands": ["cyber"],
        "participants": [ParticipantDraft(name="A. Officer", organisation="EEAS")],
        "agenda": [AgendaItemDraft(title="Opening", duration_min=15)],
    }
    return MeetingDraft.model_validate(base | fields)


def test_replace_changes_fields_parts_and_series_and_back_again(services: Services) -> None:
    services.series.create(SeriesDraft(name="Cyber dialogue", kind="structured-dialogue"))
    created = services.meetings.create(_draft())
    after = _draft(
        title="Structured Dialogue on Cyber (moved)",
        start=datetime(2024, 3, 13, 14, 0),
        end=datetime(2024, 3, 13, 16, 0),
        series="Cyber dialogue",
        status=Status.TENTATIVE,
        participants=[ParticipantDraft(name="B. Expert", organisation="NATO IS")],
        agenda=[AgendaItemDraft(title="Threats", duration_min=45)],
    )

    changed = services.meetings.replace(created.id, after)

    assert changed.id == created.id
    assert changed.title == "Structured Dialogue on Cyber (moved)"
    assert changed.series == "Cyber dialogue"
    assert changed.iteration == 1
    assert changed.status is Status.TENTATIVE
    assert [p.name for p in changed.participants] == ["B. Expert"]
    assert [a.title for a in changed.agenda] == ["Threats"]
    assert changed.sequence > created.sequence  # time and status changed: clients must update

    back = services.meetings.replace(created.id, _draft())

    assert back.title == created.title
    assert (back.start, back.end, back.series, back.iteration) == (
        created.start,
        created.end,
        None,
        None,
    )
    assert [p.name for p in back.participants] == ["A. Officer"]


def test_replace_refuses_an_iteration_that_is_taken_and_changes_nothing(
    services: Services,
) -> None:
    services.series.create(SeriesDraft(name="Cyber dialogue", kind="structured-dialogue"))
    services.meetings.create(_draft(series="Cyber dialogue"))
    other = services.meetings.create(_draft(title="Another meeting"))

    with pytest.raises(ValidationError, match="1st iteration"):
        services.meetings.replace(
            other.id, _draft(title="Renamed", series="Cyber dialogue", iteration=1)
        )

    assert services.meetings.get(other.id).title == "Another meeting"
