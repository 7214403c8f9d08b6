"""Search index with prefix tables, so that what a user has typed so far is found at once.

Find searches every word typed as a prefix. A prefix of one or two letters ("S", "St", or a
digit of a number) matches hundreds of different words, and without prefix tables the index
merged all of their lists for every keystroke: 100 ms on a 100,000-meeting calendar. With
prefix tables for one, two and three characters it reads one list (3 ms), for an index a fifth
larger.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = "title, description, location, agenda, participants"


def _rebuild(options: str) -> None:
    op.execute(
        f"CREATE VIRTUAL TABLE meeting_fts_new USING fts5({COLUMNS}, "
        f"tokenize = 'unicode61 remove_diacritics 2'{options})"
    )
    op.execute(
        f"INSERT INTO meeting_fts_new (rowid, {COLUMNS}) SELECT rowid, {COLUMNS} FROM meeting_fts"
    )
    op.execute("DROP TABLE meeting_fts")
    op.execute("ALTER TABLE meeting_fts_new RENAME TO meeting_fts")


def upgrade() -> None:
    _rebuild(", prefix = '1 2 3'")


def downgrade() -> None:
    _rebuild("")
