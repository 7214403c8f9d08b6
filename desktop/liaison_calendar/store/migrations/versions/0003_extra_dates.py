"""Extra dates (RDATE) of recurring meetings, kept as occurrence keys like EXDATE.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("meeting", sa.Column("rdates", sa.String(), nullable=False, server_default="[]"))


def downgrade() -> None:
    # Not a batch rebuild of the table: the revision triggers of 0002 refer to it by name.
    op.execute("ALTER TABLE meeting DROP COLUMN rdates")
