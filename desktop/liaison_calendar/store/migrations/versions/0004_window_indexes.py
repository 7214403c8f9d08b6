"""Indexes that find the meetings of a window without scanning everything before it.

A window query asks for meetings starting before its end and ending after its start; the span
index alone answers the first half by reading every meeting that starts before the window's
end. These partial indexes let the query bound the start from below: meetings of up to 31 days
start at most 31 days before the window; the few longer ones, and the recurring ones, have an
index of their own.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LONG = "julianday(end_utc) - julianday(start_utc) > 31"
"""The same text as in ``store.queries``: SQLite uses a partial index only for its own terms."""


def upgrade() -> None:
    op.execute("CREATE INDEX ix_meeting_recurring ON meeting (start_utc) WHERE rrule IS NOT NULL")
    op.execute(
        f"CREATE INDEX ix_meeting_long ON meeting (start_utc) WHERE rrule IS NULL AND {LONG}"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_meeting_long")
    op.execute("DROP INDEX ix_meeting_recurring")
