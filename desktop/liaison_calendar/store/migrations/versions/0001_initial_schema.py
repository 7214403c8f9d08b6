"""Initial schema: every entity of the calendar, the FTS5 index and the default strands and kinds.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exercise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("programme", sa.String(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("marking", sa.String(), nullable=False),
        sa.Column("release_level", sa.String(), nullable=False),
        sa.Column("created", sa.String(20), nullable=False),
        sa.Column("modified", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    op.create_table(
        "feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("filter_json", sa.String(), nullable=False),
        sa.Column("privacy", sa.String(), nullable=False),
        sa.Column("release_level", sa.String(), nullable=False),
        sa.Column("created", sa.String(20), nullable=False),
        sa.Column("modified", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "kind",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("colour", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("side", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "strand",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("colour", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "common_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("strand_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["strand_id"], ["strand.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("common_proposal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_common_proposal_strand_id"), ["strand_id"], unique=False
        )

    op.create_table(
        "exercise_phase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("phase_type", sa.String(), nullable=False),
        sa.Column("part", sa.String(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("location", sa.String(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created", sa.String(20), nullable=False),
        sa.Column("modified", sa.String(20), nullable=False),
        sa.ForeignKeyConstraint(["exercise_id"], ["exercise.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    with op.batch_alter_table("exercise_phase", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exercise_phase_exercise_id"), ["exercise_id"], unique=False
        )

    op.create_table(
        "exercise_strand",
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("strand_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["exercise_id"], ["exercise.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["strand_id"], ["strand.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("exercise_id", "strand_id"),
    )
    op.create_table(
        "series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("location", sa.String(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("lead_side", sa.String(), nullable=False),
        sa.Column("tz", sa.String(), nullable=False),
        sa.Column("created", sa.String(20), nullable=False),
        sa.Column("modified", sa.String(20), nullable=False),
        sa.ForeignKeyConstraint(["kind_id"], ["kind.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_series_kind_id"), ["kind_id"], unique=False)

    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("kind_id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("iteration", sa.Integer(), nullable=True),
        sa.Column("start_utc", sa.String(20), nullable=False),
        sa.Column("end_utc", sa.String(20), nullable=False),
        sa.Column("tz", sa.String(), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("floating", sa.Boolean(), nullable=False),
        sa.Column("location", sa.String(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("lead_side", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("marking", sa.String(), nullable=False),
        sa.Column("release_level", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("outcomes", sa.String(), nullable=False),
        sa.Column("rrule", sa.String(), nullable=True),
        sa.Column("exdates", sa.String(), nullable=False),
        sa.Column("until_utc", sa.String(20), nullable=True),
        sa.Column("master_id", sa.Integer(), nullable=True),
        sa.Column("recurrence_id", sa.String(), nullable=True),
        sa.Column("exercise_phase_id", sa.Integer(), nullable=True),
        sa.Column("created", sa.String(20), nullable=False),
        sa.Column("modified", sa.String(20), nullable=False),
        sa.ForeignKeyConstraint(["exercise_phase_id"], ["exercise_phase.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["kind_id"], ["kind.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["master_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("master_id", "recurrence_id", name="uq_meeting_override"),
        sa.UniqueConstraint("series_id", "iteration", name="uq_meeting_iteration"),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_exercise_phase_id"),
            ["exercise_phase_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_meeting_kind_id"), ["kind_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_master_id"), ["master_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_series_id"), ["series_id"], unique=False)
        batch_op.create_index("ix_meeting_span", ["start_utc", "end_utc"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_uid"), ["uid"], unique=False)
        batch_op.create_index(
            "ix_meeting_uid_master",
            ["uid"],
            unique=True,
            sqlite_where=sa.text("recurrence_id IS NULL"),
        )

    op.create_table(
        "series_partner",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("series_id", "partner_id"),
    )
    op.create_table(
        "series_strand",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("strand_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["strand_id"], ["strand.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("series_id", "strand_id"),
    )
    op.create_table(
        "action_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.Column("created", sa.String(20), nullable=False),
        sa.Column("modified", sa.String(20), nullable=False),
        sa.ForeignKeyConstraint(["carried_from_id"], ["action_item.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_item_carried_from_id"),
            ["carried_from_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_action_item_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("lead", sa.String(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("notes", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_item_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "meeting_partner",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("meeting_id", "partner_id"),
    )
    with op.batch_alter_table("meeting_partner", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_partner_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "meeting_proposal",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["common_proposal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("meeting_id", "proposal_id"),
    )
    with op.batch_alter_table("meeting_proposal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_proposal_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "meeting_strand",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("strand_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["strand_id"], ["strand.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("meeting_id", "strand_id"),
    )
    with op.batch_alter_table("meeting_strand", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_strand_strand_id"), ["strand_id"], unique=False
        )

    op.create_table(
        "participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participant_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_participant_organisation_id"),
            ["organisation_id"],
            unique=False,
        )

    op.execute(
        "CREATE VIRTUAL TABLE meeting_fts USING fts5("
        "title, description, location, agenda, participants, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    _seed_defaults()


# A snapshot of the defaults at this revision: a later revision that changes them edits rows,
# so what this revision creates never changes.
_STRANDS = [
    ("hybrid", "Countering hybrid threats", "#8e44ad"),
    ("operational", "Operational cooperation incl. maritime", "#1f77b4"),
    ("cyber", "Cyber security and defence", "#17becf"),
    ("capabilities", "Defence capabilities incl. military mobility", "#2ca02c"),
    ("industry", "Defence industries and research", "#7f7f7f"),
    ("exercises", "Exercises", "#d62728"),
    ("capacity-building", "Defence and security capacity building", "#ff7f0e"),
    ("political", "Political dialogue", "#bcbd22"),
]
_KINDS = [
    ("staff-talks", "Staff talks", "#1f4e79"),
    ("structured-dialogue", "Structured dialogue", "#2e75b6"),
    ("operational-talks", "Operational cooperation talks", "#548235"),
    ("cross-briefing", "Cross-briefing", "#bf9000"),
    ("ministerial", "High-level / ministerial meeting", "#c00000"),
    ("exercise-phase", "Exercise phase", "#7030a0"),
    ("other", "Other", "#595959"),
]


def _seed_defaults() -> None:
    for name, rows in (("strand", _STRANDS), ("kind", _KINDS)):
        table = sa.table(
            name,
            sa.column("key", sa.String),
            sa.column("name", sa.String),
            sa.column("colour", sa.String),
            sa.column("position", sa.Integer),
        )
        op.bulk_insert(
            table,
            [
                {"key": key, "name": label, "colour": colour, "position": i}
                for i, (key, label, colour) in enumerate(rows)
            ],
        )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS meeting_fts")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_participant_meeting_id"))

    op.drop_table("participant")
    with op.batch_alter_table("meeting_strand", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_strand_strand_id"))

    op.drop_table("meeting_strand")
    with op.batch_alter_table("meeting_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_proposal_proposal_id"))

    op.drop_table("meeting_proposal")
    with op.batch_alter_table("meeting_partner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_partner_partner_id"))

    op.drop_table("meeting_partner")
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_item_meeting_id"))

    op.drop_table("agenda_item")
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_item_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_action_item_carried_from_id"))

    op.drop_table("action_item")
    op.drop_table("series_strand")
    op.drop_table("series_partner")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_uid_master", sqlite_where=sa.text("recurrence_id IS NULL"))
        batch_op.drop_index(batch_op.f("ix_meeting_uid"))
        batch_op.drop_index("ix_meeting_span")
        batch_op.drop_index(batch_op.f("ix_meeting_series_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_master_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_kind_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_exercise_phase_id"))

    op.drop_table("meeting")
    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_series_kind_id"))

    op.drop_table("series")
    op.drop_table("exercise_strand")
    with op.batch_alter_table("exercise_phase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exercise_phase_exercise_id"))

    op.drop_table("exercise_phase")
    with op.batch_alter_table("common_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_common_proposal_strand_id"))

    op.drop_table("common_proposal")
    op.drop_table("strand")
    op.drop_table("setting")
    op.drop_table("partner")
    op.drop_table("organisation")
    op.drop_table("kind")
    op.drop_table("feed")
    op.drop_table("exercise")
