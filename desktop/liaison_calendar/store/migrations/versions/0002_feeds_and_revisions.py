"""Default feeds, and a revision number on every meeting that the database keeps itself.

Feeds are assembled from stored VEVENT text, and a stored text is reused only while its
meeting's revision is the same. The revision comes from one counter for the whole file and is
set by triggers on the meeting and on everything exported with it (participants, agenda,
actions, strands, partners, proposals), so no code path that changes a meeting can forget it.
The counter grows by a random stride, so numbers are never handed out twice, not even after a
backup is put back.

Every calendar gets an ``all`` feed, one feed per work strand and one per kind, made from the
strands and kinds the file has at upgrade time; a feed name already taken is left alone.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHILDREN = (
    "participant",
    "agenda_item",
    "action_item",
    "meeting_strand",
    "meeting_partner",
    "meeting_proposal",
)


def _bump(meeting_id: str) -> str:
    # A random stride: a file put back from a backup and then edited the same way again must
    # not hand out the same numbers again, or stored text would be taken for current.
    return (
        "UPDATE change_counter SET value = value + 1 + abs(random() % 1000000) WHERE id = 1; "
        "UPDATE meeting SET revision = (SELECT value FROM change_counter WHERE id = 1) "
        f"WHERE id = {meeting_id};"
    )


def upgrade() -> None:
    op.add_column(
        "meeting", sa.Column("revision", sa.Integer(), nullable=False, server_default="0")
    )
    op.create_table(
        "change_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint("id = 1", name="ck_change_counter_single_row"),
    )
    op.execute("UPDATE meeting SET revision = id")
    op.create_index("ix_meeting_revision", "meeting", ["revision"])
    op.execute(
        "INSERT INTO change_counter (id, value) "
        "VALUES (1, COALESCE((SELECT MAX(id) FROM meeting), 0))"
    )
    op.execute(
        f"CREATE TRIGGER meeting_revision_insert AFTER INSERT ON meeting "
        f"BEGIN {_bump('NEW.id')} END"
    )
    op.execute(
        "CREATE TRIGGER meeting_revision_update AFTER UPDATE ON meeting "
        f"WHEN NEW.revision IS OLD.revision BEGIN {_bump('NEW.id')} END"
    )
    for table in _CHILDREN:
        op.execute(
            f"CREATE TRIGGER {table}_revision_insert AFTER INSERT ON {table} "
            f"BEGIN {_bump('NEW.meeting_id')} END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_revision_update AFTER UPDATE ON {table} "
            f"BEGIN {_bump('NEW.meeting_id')} END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_revision_delete AFTER DELETE ON {table} "
            f"BEGIN {_bump('OLD.meeting_id')} END"
        )
    _seed_feeds()


def _seed_feeds() -> None:
    conn = op.get_bind()
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    taken = {row[0] for row in conn.execute(sa.text("SELECT name FROM feed"))}
    feeds: list[tuple[str, str, dict[str, list[str]]]] = [("all", "Liaison Calendar", {})]
    for key, name in conn.execute(sa.text("SELECT key, name FROM strand ORDER BY position, id")):
        feeds.append((f"strand-{key}", f"Liaison Calendar: {name}", {"strands": [key]}))
    for key, name in conn.execute(sa.text("SELECT key, name FROM kind ORDER BY position, id")):
        feeds.append((f"kind-{key}", f"Liaison Calendar: {name}", {"kinds": [key]}))
    for name, title, flt in feeds:
        if name in taken:
            continue
        conn.execute(
            sa.text(
                "INSERT INTO feed (name, title, filter_json, privacy, release_level, created, "
                "modified) VALUES (:name, :title, :filter, 'no-participants', 'staff', :now, :now)"
            ),
            {"name": name, "title": title, "filter": json.dumps(flt), "now": now},
        )


def downgrade() -> None:
    for table in _CHILDREN:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_revision_{event}")
    op.execute("DROP TRIGGER IF EXISTS meeting_revision_insert")
    op.execute("DROP TRIGGER IF EXISTS meeting_revision_update")
    op.drop_table("change_counter")
    op.drop_index("ix_meeting_revision", table_name="meeting")
    op.execute("ALTER TABLE meeting DROP COLUMN revision")
