"""IANA zones and the local-time rules that trip people up: DST gaps and folds."""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from liaison_calendar.errors import ValidationError


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The zone called ``name``, or a ValidationError a user understands."""
    if not name or name != name.strip() or name.startswith(("/", ".")) or ".." in name:
        raise ValidationError(
            f"Unknown time zone {name!r}: use an IANA name such as Europe/Brussels."
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(
            f"Unknown time zone {name!r}: use an IANA name such as Europe/Brussels."
        ) from None


def is_valid_zone(name: str) -> bool:
    try:
        zone(name)
    except ValidationError:
        return False
    return True


def all_zone_names() -> list[str]:
    return sorted(available_timezones())


def localize(wall: datetime, tz_name: str) -> datetime:
    """Attach ``tz_name`` to a wall-clock time; refuse a time that the clocks skip.

    An ambiguous time (clocks go back) takes its first occurrence (fold=0).
    """
    tz = zone(tz_name)
    naive = wall.replace(tzinfo=None)
    aware = naive.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise ValidationError(
            f"{naive:%H:%M} on {naive:%d %B %Y} does not exist in {tz_name}: "
            "the clocks go forward at that time."
        )
    return aware


def to_zone(value: datetime, tz_name: str) -> datetime:
    """An aware datetime shown in ``tz_name``; a naive one is read as wall time there."""
    if value.tzinfo is None:
        return localize(value, tz_name)
    return value.astimezone(zone(tz_name))


def to_utc(value: datetime, tz_name: str) -> datetime:
    return to_zone(value, tz_name).astimezone(UTC)


def day_start(day: date, tz_name: str) -> datetime:
    """Midnight at the start of ``day`` in ``tz_name`` (aware)."""
    return datetime.combine(day, time.min).replace(tzinfo=zone(tz_name))


def month_grid_start(anchor: date) -> date:
    """The Monday of the week that holds the 1st of ``anchor``'s month: the first day of a
    six-week month grid (the month view and the month printout)."""
    first = anchor.replace(day=1)
    return first - timedelta(days=first.weekday())
