"""How instants are stored: sortable UTC text, ``YYYY-MM-DDTHH:MM:SSZ`` (see ``types``).

Kept apart from ``types`` so that plain-SQL readers need not load SQLAlchemy.
"""

from datetime import UTC, datetime

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_text(value: datetime) -> str:
    """The stored form of an aware datetime, for raw SQL comparisons."""
    utc = value.astimezone(UTC)
    if utc.year < 1000:  # pragma: no cover - isoformat would pad the year
        return utc.strftime(FORMAT)
    # isoformat, not strftime: strftime imports ``time`` on every call, which costs ten times
    # more once PySide6 hooks imports (a month view formats thousands of these).
    return utc.replace(tzinfo=None, microsecond=0).isoformat() + "Z"
