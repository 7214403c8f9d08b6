"""Alembic environment, run programmatically by ``liaison_calendar.store.database``.

The caller hands over an open connection in ``config.attributes["connection"]``; there is no
alembic.ini and no offline mode.
"""

from alembic import context
from sqlmodel import SQLModel

from liaison_calendar.store import tables  # noqa: F401  (registers the tables)

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable by running alembic by hand
    raise RuntimeError("Liaison Calendar migrations run through liaison_calendar.store.database")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
