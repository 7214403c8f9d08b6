"""RFC 5545 content lines: TEXT escaping, parameter quoting, folding at 75 octets, CRLF.

Written by hand rather than through icalendar's component tree because feeds are assembled from
thousands of stored VEVENT texts after every edit; the byte layout is pinned by tests that parse
the result with icalendar, ical and vobject.
"""

import re
from datetime import UTC, date, datetime

from liaison_calendar.domain.text import clean_text

CRLF = "\r\n"
LIMIT = 75
"""Octets per physical line, not counting the CRLF (RFC 5545 section 3.1)."""

_PLAIN_PARAM = re.compile(r"^[A-Za-z0-9._@/+-]*$")
_ANY_SPECIAL = re.compile(r"[\x00-\x1f\x7f\\;,]")
_TEXT_SPECIAL = re.compile(r"[\\;,\n]")
_TEXT_ESCAPES = {"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"}


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newline escaped; other controls dropped."""
    if not _ANY_SPECIAL.search(value):
        return value
    value = clean_text(value)
    if _TEXT_SPECIAL.search(value):
        value = _TEXT_SPECIAL.sub(lambda m: _TEXT_ESCAPES[m.group()], value)
    return value


def text_list(values: list[str]) -> str:
    """A comma-separated list of TEXT values (CATEGORIES)."""
    return ",".join(escape_text(v) for v in values)


def param_value(value: str) -> str:
    """A parameter value that reads back unchanged: RFC 6868 caret escapes (``^^``, ``^n``,
    ``^'``), backslashes doubled, and quoted unless it is a plain word."""
    value = clean_text(value)
    if "^" in value or "\n" in value or '"' in value:
        value = value.replace("^", "^^").replace("\n", "^n").replace('"', "^'")
    if "\\" in value:
        # icalendar reads "\\" in a parameter as one backslash (and "\\," as a comma), against
        # RFC 5545; doubled, a backslash reads back as itself there and stays visible elsewhere.
        value = value.replace("\\", "\\\\")
    # Quoted unless it is a plain word: readers misread more than RFC 5545 forbids (icalendar
    # takes a backslash as an escape, and strips spaces around "=" or at either end).
    if not _PLAIN_PARAM.match(value):
        return f'"{value}"'
    return value


def fold(line: str) -> str:
    """One content line, folded, with its CRLF. Never splits a UTF-8 sequence."""
    if len(line) <= LIMIT and line.isascii():
        return line + CRLF
    raw = line.encode("utf-8")
    if len(raw) <= LIMIT:
        return line + CRLF
    parts = []
    start = 0
    width = LIMIT
    while len(raw) - start > width:
        cut = start + width
        while raw[cut] & 0xC0 == 0x80:  # never cut inside a multi-byte character
            cut -= 1
        parts.append(raw[start:cut].decode("utf-8"))
        start = cut
        width = LIMIT - 1  # continuation lines start with a space
    parts.append(raw[start:].decode("utf-8"))
    return (CRLF + " ").join(parts) + CRLF


def prop(name: str, value: str, params: str = "") -> str:
    """``NAME;PARAMS:VALUE`` folded; ``value`` must already be escaped for its type."""
    return fold(f"{name}{params}:{value}")


def utc_stamp(value: datetime) -> str:
    """A DATE-TIME in UTC form: ``20240612T073000Z``."""
    if value.tzinfo is None:
        raise ValueError("utc_stamp needs an aware datetime")
    v = value.astimezone(UTC)
    return f"{v.year:04d}{v.month:02d}{v.day:02d}T{v.hour:02d}{v.minute:02d}{v.second:02d}Z"


def local_stamp(value: datetime) -> str:
    """A DATE-TIME in local form (used with a TZID parameter): ``20240612T093000``."""
    v = value
    return f"{v.year:04d}{v.month:02d}{v.day:02d}T{v.hour:02d}{v.minute:02d}{v.second:02d}"


def date_stamp(value: date) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"
