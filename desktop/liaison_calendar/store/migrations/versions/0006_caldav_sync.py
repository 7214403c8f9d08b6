"""CalDAV sync: accounts, their remote calendars with sync tokens, and per UID what was last
synced (href, ETag, content hash) or the server's side of a conflict.

Passwords are not here: they are kept in the system keyring.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("ca_file", sa.String(), nullable=False),
        sa.Column("created", sa.String(20), nullable=False),
        sa.Column("last_sync", sa.String(20), nullable=True),
        sa.Column("last_error", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "sync_collection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("route_json", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sync_token", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["sync_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "url", name="uq_sync_collection_url"),
    )
    op.create_index("ix_sync_collection_account_id", "sync_collection", ["account_id"])
    op.create_table(
        "sync_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("href", sa.String(), nullable=False),
        sa.Column("etag", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.Column("theirs", sa.String(), nullable=True),
        sa.Column("theirs_etag", sa.String(), nullable=False),
        sa.Column("conflict_at", sa.String(20), nullable=True),
        sa.Column("server", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["collection_id"], ["sync_collection.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collection_id", "uid", name="uq_sync_item_uid"),
    )
    op.create_index("ix_sync_item_uid", "sync_item", ["uid"])
    op.create_index("ix_sync_item_href", "sync_item", ["collection_id", "href"])


def downgrade() -> None:
    op.drop_table("sync_item")
    op.drop_table("sync_collection")
    op.drop_table("sync_account")
