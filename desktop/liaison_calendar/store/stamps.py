"""How instants are stored: sortable UTC text, ``YYYY-MM-DDTHH:MM:SSZ`` (see ``types``).

Kept apart from ``types`` so that plain-SQL readers need not load SQLAlchemy.
"""

from datetime import UTC, datetime

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_text(value: datetime) -> str:
    """The stored form of an aware datetime, for raw SQL comparisons."""
    return value.astimezone(UTC).strftime(FORMAT)
