"""Column types: instants are stored as sortable UTC text and come back aware."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from liaison_calendar.store.stamps import FORMAT as _FORMAT
from liaison_calendar.store.stamps import utc_text

__all__ = ["UTCDateTime", "utc_text"]


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime kept as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC, whole seconds)."""

    impl = String(20)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is needed")
        return value.astimezone(UTC).strftime(_FORMAT)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # fromisoformat reads the stored form (and its Z) several times faster than strptime.
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
