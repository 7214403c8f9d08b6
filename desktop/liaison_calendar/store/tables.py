"""One ``…Record`` table model per entity. Rows never leave a session: services convert them."""

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from liaison_calendar.store.types import UTCDateTime


def _fk(target: str, ondelete: str, *, nullable: bool = True, index: bool = True) -> Column[int]:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


class StrandRecord(SQLModel, table=True):
    __tablename__ = "strand"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    name: str
    colour: str = "#808080"
    position: int = 0


class KindRecord(SQLModel, table=True):
    __tablename__ = "kind"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    name: str
    colour: str = "#808080"
    position: int = 0


class PartnerRecord(SQLModel, table=True):
    __tablename__ = "partner"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)


class OrganisationRecord(SQLModel, table=True):
    __tablename__ = "organisation"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    side: str = "other"


class SeriesRecord(SQLModel, table=True):
    __tablename__ = "series"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    kind_id: int = Field(sa_column=_fk("kind.id", "RESTRICT", nullable=False))
    description: str = ""
    location: str = ""
    mode: str = "in-person"
    lead_side: str = "co-chaired"
    tz: str = "Europe/Brussels"
    created: datetime = Field(sa_type=UTCDateTime)
    modified: datetime = Field(sa_type=UTCDateTime)


class SeriesStrandLink(SQLModel, table=True):
    __tablename__ = "series_strand"
    series_id: int = Field(foreign_key="series.id", primary_key=True, ondelete="CASCADE")
    strand_id: int = Field(foreign_key="strand.id", primary_key=True, ondelete="CASCADE")


class SeriesPartnerLink(SQLModel, table=True):
    __tablename__ = "series_partner"
    series_id: int = Field(foreign_key="series.id", primary_key=True, ondelete="CASCADE")
    partner_id: int = Field(foreign_key="partner.id", primary_key=True, ondelete="CASCADE")


class ExerciseRecord(SQLModel, table=True):
    __tablename__ = "exercise"
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    name: str
    programme: str = ""
    period_start: date
    period_end: date
    description: str = ""
    marking: str = ""
    release_level: str = "staff"
    created: datetime = Field(sa_type=UTCDateTime)
    modified: datetime = Field(sa_type=UTCDateTime)


class ExerciseStrandLink(SQLModel, table=True):
    __tablename__ = "exercise_strand"
    exercise_id: int = Field(foreign_key="exercise.id", primary_key=True, ondelete="CASCADE")
    strand_id: int = Field(foreign_key="strand.id", primary_key=True, ondelete="CASCADE")


class ExercisePhaseRecord(SQLModel, table=True):
    __tablename__ = "exercise_phase"
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    exercise_id: int = Field(sa_column=_fk("exercise.id", "CASCADE", nullable=False))
    position: int = 0
    name: str
    phase_type: str = "other"
    part: str = "joint"
    start_date: date
    end_date: date
    location: str = ""
    sequence: int = 0
    created: datetime = Field(sa_type=UTCDateTime)
    modified: datetime = Field(sa_type=UTCDateTime)


class MeetingRecord(SQLModel, table=True):
    __tablename__ = "meeting"
    __table_args__ = (
        Index(
            "ix_meeting_uid_master",
            "uid",
            unique=True,
            sqlite_where=text("recurrence_id IS NULL"),
        ),
        UniqueConstraint("master_id", "recurrence_id", name="uq_meeting_override"),
        UniqueConstraint("series_id", "iteration", name="uq_meeting_iteration"),
        Index("ix_meeting_span", "start_utc", "end_utc"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(index=True)
    sequence: int = 0
    title: str
    kind_id: int = Field(sa_column=_fk("kind.id", "RESTRICT", nullable=False))
    series_id: int | None = Field(default=None, sa_column=_fk("series.id", "SET NULL"))
    iteration: int | None = None
    # Timed meetings: the UTC instants. All-day meetings: midnight UTC of their dates, so that
    # one index serves both; ``start_date``/``end_date`` hold the real dates.
    start_utc: datetime = Field(sa_type=UTCDateTime)
    end_utc: datetime = Field(sa_type=UTCDateTime)
    tz: str
    all_day: bool = False
    start_date: date | None = None
    end_date: date | None = None
    floating: bool = False
    location: str = ""
    mode: str = "in-person"
    lead_side: str = "co-chaired"
    status: str = "confirmed"
    marking: str = ""
    release_level: str = "staff"
    description: str = ""
    outcomes: str = ""
    rrule: str | None = None
    exdates: str = "[]"
    rdates: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})
    # End of the last occurrence of a recurring meeting (None while open-ended).
    until_utc: datetime | None = Field(default=None, sa_type=UTCDateTime)
    master_id: int | None = Field(default=None, sa_column=_fk("meeting.id", "CASCADE"))
    recurrence_id: str | None = None
    exercise_phase_id: int | None = Field(
        default=None, sa_column=_fk("exercise_phase.id", "SET NULL")
    )
    created: datetime = Field(sa_type=UTCDateTime)
    modified: datetime = Field(sa_type=UTCDateTime)
    # Set by triggers (revision 0002) from one counter on any change to the meeting or to what
    # is exported with it; never written by the code. Stored feed text is keyed by it.
    revision: int = Field(default=0, index=True, sa_column_kwargs={"server_default": "0"})


class MeetingStrandLink(SQLModel, table=True):
    __tablename__ = "meeting_strand"
    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    strand_id: int = Field(
        foreign_key="strand.id", primary_key=True, ondelete="CASCADE", index=True
    )


class MeetingPartnerLink(SQLModel, table=True):
    __tablename__ = "meeting_partner"
    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    partner_id: int = Field(
        foreign_key="partner.id", primary_key=True, ondelete="CASCADE", index=True
    )


class CommonProposalRecord(SQLModel, table=True):
    __tablename__ = "common_proposal"
    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    strand_id: int | None = Field(default=None, sa_column=_fk("strand.id", "SET NULL"))
    title: str = ""


class MeetingProposalLink(SQLModel, table=True):
    __tablename__ = "meeting_proposal"
    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    proposal_id: int = Field(
        foreign_key="common_proposal.id",
        primary_key=True,
        ondelete="CASCADE",
        index=True,
    )


class ParticipantRecord(SQLModel, table=True):
    __tablename__ = "participant"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(sa_column=_fk("meeting.id", "CASCADE", nullable=False))
    position: int = 0
    name: str
    organisation_id: int | None = Field(default=None, sa_column=_fk("organisation.id", "SET NULL"))
    side: str = "other"
    role: str = ""
    email: str = ""


class AgendaItemRecord(SQLModel, table=True):
    __tablename__ = "agenda_item"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(sa_column=_fk("meeting.id", "CASCADE", nullable=False))
    position: int = 0
    title: str
    lead: str = ""
    duration_min: int = 30
    notes: str = ""


class ActionItemRecord(SQLModel, table=True):
    __tablename__ = "action_item"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(sa_column=_fk("meeting.id", "CASCADE", nullable=False))
    position: int = 0
    text: str
    owner: str = ""
    due: date | None = None
    status: str = "open"
    carried_from_id: int | None = Field(default=None, sa_column=_fk("action_item.id", "SET NULL"))
    created: datetime = Field(sa_type=UTCDateTime)
    modified: datetime = Field(sa_type=UTCDateTime)


class FeedRecord(SQLModel, table=True):
    __tablename__ = "feed"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    title: str = ""
    filter_json: str = "{}"
    privacy: str = "full"
    release_level: str = "staff"
    created: datetime = Field(sa_type=UTCDateTime)
    modified: datetime = Field(sa_type=UTCDateTime)


class SettingRecord(SQLModel, table=True):
    __tablename__ = "setting"
    key: str = Field(primary_key=True)
    value: str = "null"


FTS_TABLE = "meeting_fts"
"""FTS5 index over meeting text (rowid = meeting.id), kept current by the services."""


# --- CalDAV sync (revision 0006) -------------------------------------------------------------
# Never the password: that lives in the system keyring (or is typed each time).


class SyncAccountRecord(SQLModel, table=True):
    __tablename__ = "sync_account"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    url: str
    username: str
    ca_file: str = ""
    created: datetime = Field(sa_type=UTCDateTime)
    last_sync: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = ""


class SyncCollectionRecord(SQLModel, table=True):
    """A remote calendar of an account, with the sync token of its last complete pull."""

    __tablename__ = "sync_collection"
    __table_args__ = (UniqueConstraint("account_id", "url", name="uq_sync_collection_url"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_fk("sync_account.id", "CASCADE", nullable=False))
    url: str
    name: str = ""
    # Filter (strands, kinds) of the meetings that go to it, as JSON; "" for the default
    # calendar, which takes every meeting no other route takes.
    route_json: str = ""
    position: int = 0
    sync_token: str | None = None


class SyncItemRecord(SQLModel, table=True):
    """What was last synced of one UID (a meeting, or a series with its changed occurrences)
    with one remote calendar. A row whose meetings are gone here is a deletion to send."""

    __tablename__ = "sync_item"
    __table_args__ = (
        UniqueConstraint("collection_id", "uid", name="uq_sync_item_uid"),
        Index("ix_sync_item_href", "collection_id", "href"),
    )
    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = Field(
        sa_column=_fk("sync_collection.id", "CASCADE", nullable=False, index=False)
    )
    uid: str = Field(index=True)
    title: str = ""  # to name it once its meetings are gone here
    href: str
    etag: str = ""
    # SHA-256 of the resource as this app writes it, when last in step with the server: a
    # different one now means a change made here.
    content_hash: str = ""
    # A conflict: the server's version ("theirs", "" when they deleted it), kept until the user
    # chooses; the local meetings are "mine".
    conflict: bool = False
    theirs: str | None = None
    theirs_etag: str = ""
    conflict_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The server's text when last in step, so that what another client wrote and we have no
    # field for (alarms...) goes back with our next version of it.
    server: str | None = None
