"""Drafts (input) and read models (output) of the calendar.

Services take drafts and return read models; no read model is ever a live database row.
All-day spans use dates with an *exclusive* end, as iCalendar does: a meeting on 14 and 15 May
has ``start=date(2024, 5, 14)`` and ``end=date(2024, 5, 16)``.
"""

from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from liaison_calendar.domain.defaults import DEFAULT_TIMEZONE
from liaison_calendar.domain.enums import (
    ActionStatus,
    ExercisePart,
    LeadSide,
    Mode,
    PhaseType,
    Privacy,
    ReleaseLevel,
    Side,
    Status,
)
from liaison_calendar.domain.text import clean_text

Moment = datetime | date
"""A timed instant (aware datetime) or an all-day date."""


class _Draft(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        """Every text a user gives is kept as files can carry it (see ``clean_text``)."""
        return clean_text(value) if isinstance(value, str) else value

    def __reduce__(self) -> tuple[Any, ...]:
        # A validated draft travels between processes (import) as its values, without
        # pydantic's general state handling: a third less time to unpickle.
        return (_rebuild_draft, (type(self), self.__dict__, self.__pydantic_fields_set__))


def _rebuild_draft(cls: type[_Draft], values: dict[str, Any], fields_set: set[str]) -> _Draft:
    return unchecked(cls, values, fields_set)


M = TypeVar("M", bound=BaseModel)


_new = object.__new__
_set = object.__setattr__
_SET_FIELDS = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__
_SET_PRIVATE = BaseModel.__dict__["__pydantic_private__"].__set__
_ALL_SET: dict[type[BaseModel], set[str]] = {}


def unchecked(cls: type[M], values: dict[str, Any], fields_set: set[str] | None = None) -> M:
    """A model from values already of the right types, every field given, without validation
    (pydantic's ``model_construct`` costs ten times more): for rows the services validated.

    Models of a frozen class share one set of the names of their fields (they are all given):
    nothing changes a frozen model's set in place, and ``model_copy`` copies it first.
    """
    model = _new(cls)
    _set(model, "__dict__", values)
    if fields_set is None:
        fields_set = _ALL_SET.get(cls)
        if fields_set is None:
            fields_set = set(values)
            if cls.model_config.get("frozen") and fields_set == set(cls.model_fields):
                _ALL_SET[cls] = fields_set
    _SET_FIELDS(model, fields_set)
    _SET_EXTRA(model, None)
    _SET_PRIVATE(model, None)
    return model


class _Read(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


# --- meetings ------------------------------------------------------------------------------


class ParticipantDraft(_Draft):
    name: str
    organisation: str = ""
    side: Side = Side.OTHER
    role: str = ""
    email: str = ""


class AgendaItemDraft(_Draft):
    title: str
    lead: str = ""
    duration_min: int = Field(default=30, ge=0, le=24 * 60)
    notes: str = ""


class ActionItemDraft(_Draft):
    text: str
    owner: str = ""
    due: date | None = None
    status: ActionStatus = ActionStatus.OPEN


class MeetingDraft(_Draft):
    """Everything needed to create a meeting. A naive start/end is wall time in ``tz``."""

    title: str
    kind: str = "other"
    start: Moment
    end: Moment
    tz: str = DEFAULT_TIMEZONE
    strands: list[str] = Field(default_factory=list)
    partners: list[str] = Field(default_factory=list)
    series: str | None = None
    iteration: int | None = None
    location: str = ""
    mode: Mode = Mode.IN_PERSON
    lead_side: LeadSide = LeadSide.CO_CHAIRED
    status: Status = Status.CONFIRMED
    marking: str = ""
    release_level: ReleaseLevel = ReleaseLevel.STAFF
    description: str = ""
    outcomes: str = ""
    rrule: str | None = None
    exdates: list[Moment] = Field(default_factory=list)
    rdates: list[Moment] = Field(default_factory=list)  # extra dates beside the rule's
    proposals: list[int] = Field(default_factory=list)
    floating: bool = False
    uid: str | None = None
    participants: list[ParticipantDraft] = Field(default_factory=list)
    agenda: list[AgendaItemDraft] = Field(default_factory=list)
    actions: list[ActionItemDraft] = Field(default_factory=list)


class MeetingPatch(_Draft):
    """A partial edit: only the fields that were set are applied."""

    title: str | None = None
    kind: str | None = None
    start: Moment | None = None
    end: Moment | None = None
    tz: str | None = None
    strands: list[str] | None = None
    partners: list[str] | None = None
    location: str | None = None
    mode: Mode | None = None
    lead_side: LeadSide | None = None
    status: Status | None = None
    marking: str | None = None
    release_level: ReleaseLevel | None = None
    description: str | None = None
    outcomes: str | None = None
    rrule: str | None = None
    exdates: list[Moment] | None = None
    rdates: list[Moment] | None = None
    proposals: list[int] | None = None


class Participant(_Read):
    id: int
    name: str
    organisation: str
    side: Side
    role: str
    email: str


class AgendaItem(_Read):
    id: int
    position: int
    title: str
    lead: str
    duration_min: int
    notes: str
    starts: datetime | None = None
    ends: datetime | None = None


class ActionItem(_Read):
    id: int
    meeting_id: int
    text: str
    owner: str
    due: date | None
    status: ActionStatus
    carried_from_id: int | None = None


class Meeting(_Read):
    id: int
    uid: str
    sequence: int
    title: str
    kind: str
    start: Moment
    end: Moment
    tz: str
    all_day: bool
    floating: bool
    strands: tuple[str, ...]
    partners: tuple[str, ...]
    series: str | None
    series_id: int | None
    iteration: int | None
    location: str
    mode: Mode
    lead_side: LeadSide
    status: Status
    marking: str
    release_level: ReleaseLevel
    description: str
    outcomes: str
    rrule: str | None
    exdates: tuple[Moment, ...]
    rdates: tuple[Moment, ...] = ()
    master_id: int | None
    recurrence_id: Moment | None
    proposals: tuple[int, ...]
    exercise_phase_id: int | None
    created: datetime
    modified: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


class MeetingDetail(Meeting):
    participants: tuple[Participant, ...] = ()
    agenda: tuple[AgendaItem, ...] = ()
    actions: tuple[ActionItem, ...] = ()
    overrun: timedelta | None = None

    @property
    def carried_actions(self) -> tuple[ActionItem, ...]:
        """Action items brought over from the previous iteration of the series."""
        return tuple(a for a in self.actions if a.carried_from_id is not None)


class Occurrence(_Read):
    """One appearance of a meeting on the calendar (a recurring meeting has many)."""

    meeting: Meeting
    start: Moment
    end: Moment
    recurrence_id: Moment | None = None

    @property
    def all_day(self) -> bool:
        return self.meeting.all_day


class MeetingFilter(_Draft):
    """What a view, a list or a feed shows; an empty list means 'any'."""

    kinds: list[str] = Field(default_factory=list)
    strands: list[str] = Field(default_factory=list)
    partners: list[str] = Field(default_factory=list)
    statuses: list[Status] = Field(default_factory=list)
    series: list[str] = Field(default_factory=list)
    search: str | None = None


# --- series ----------------------------------------------------------------------------------


class SeriesDraft(_Draft):
    name: str
    kind: str = "other"
    strands: list[str] = Field(default_factory=list)
    partners: list[str] = Field(default_factory=list)
    description: str = ""
    location: str = ""
    mode: Mode = Mode.IN_PERSON
    lead_side: LeadSide = LeadSide.CO_CHAIRED
    tz: str = DEFAULT_TIMEZONE


class Series(_Read):
    id: int
    name: str
    kind: str
    strands: tuple[str, ...]
    partners: tuple[str, ...]
    description: str
    location: str
    mode: Mode
    lead_side: LeadSide
    tz: str
    last_iteration: int | None


# --- exercises -------------------------------------------------------------------------------


class PhaseDraft(_Draft):
    name: str
    phase_type: PhaseType = PhaseType.OTHER
    part: ExercisePart = ExercisePart.JOINT
    start: date
    end: date  # exclusive
    location: str = ""
    meeting: MeetingDraft | None = None
    uid: str | None = None


class ExerciseDraft(_Draft):
    name: str
    programme: str = ""
    period_start: date
    period_end: date  # exclusive
    description: str = ""
    strands: list[str] = Field(default_factory=lambda: ["exercises"])
    marking: str = ""
    release_level: ReleaseLevel = ReleaseLevel.STAFF
    uid: str | None = None
    phases: list[PhaseDraft] = Field(default_factory=list)


class Phase(_Read):
    id: int
    uid: str
    exercise_id: int
    name: str
    phase_type: PhaseType
    part: ExercisePart
    start: date
    end: date
    location: str
    meeting_id: int | None
    sequence: int = 0
    modified: datetime


class Exercise(_Read):
    id: int
    uid: str
    name: str
    programme: str
    period_start: date
    period_end: date
    description: str
    strands: tuple[str, ...]
    marking: str
    release_level: ReleaseLevel
    phases: tuple[Phase, ...]
    modified: datetime


# --- catalogue -------------------------------------------------------------------------------


class Strand(_Read):
    id: int
    key: str
    name: str
    colour: str


class Kind(_Read):
    id: int
    key: str
    name: str
    colour: str


class Partner(_Read):
    id: int
    name: str


class Organisation(_Read):
    id: int
    name: str
    side: Side


class CommonProposal(_Read):
    id: int
    number: int
    strand: str | None
    title: str


class FeedDraft(_Draft):
    name: str
    title: str = ""
    filter: MeetingFilter = Field(default_factory=MeetingFilter)
    privacy: Privacy = Privacy.FULL
    release_level: ReleaseLevel = ReleaseLevel.STAFF


class Feed(_Read):
    id: int
    name: str
    title: str
    filter: MeetingFilter
    privacy: Privacy
    release_level: ReleaseLevel
