"""The closed vocabularies of the calendar."""

from enum import StrEnum


class Status(StrEnum):
    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class Mode(StrEnum):
    IN_PERSON = "in-person"
    VIDEO = "video"
    HYBRID = "hybrid"


class LeadSide(StrEnum):
    EU = "eu"
    NATO = "nato"
    CO_CHAIRED = "co-chaired"


class Side(StrEnum):
    """Which side a participant or an organisation belongs to."""

    EU = "eu"
    NATO = "nato"
    PARTNER = "partner"
    OTHER = "other"


class ReleaseLevel(StrEnum):
    """How far a meeting may travel; a feed of a lower level never carries it."""

    PUBLIC = "public"
    STAFF = "staff"
    RESTRICTED = "restricted"

    @property
    def rank(self) -> int:
        return _RELEASE_RANK[self]


_RELEASE_RANK = {
    ReleaseLevel.PUBLIC: 0,
    ReleaseLevel.STAFF: 1,
    ReleaseLevel.RESTRICTED: 2,
}


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"
    CARRIED = "carried"  # closed here because it was carried into the next iteration


class PhaseType(StrEnum):
    CONCEPT = "concept"
    PLANNING_CONFERENCE = "planning-conference"
    EXECUTION = "execution"
    LESSONS = "lessons"
    OTHER = "other"


class ExercisePart(StrEnum):
    EU = "eu"
    NATO = "nato"
    JOINT = "joint"


class Privacy(StrEnum):
    """What a feed tells its subscribers."""

    FULL = "full"
    NO_PARTICIPANTS = "no-participants"
    BUSY = "busy"
