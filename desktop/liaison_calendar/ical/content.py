"""Content lines and values of one component, parsed the way the importer needs them.

A general iCalendar library builds a typed object for every property and parameter; the
importer reads a dozen properties of each event and most of them as text, so it parses the
lines itself: one regular expression for a line's name, one per parameter, and value types
only where a property is used. Forgiving where clients disagree, strict where a wrong guess
would move a meeting (a date or time that cannot be read is an error, never a default).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

_UNFOLD = re.compile(r"\r?\n[ \t]|\r[ \t]")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_NAME = re.compile(r"[ \t]*([A-Za-z0-9_-]+)[ \t]*([;:])")
_PARAM = re.compile(
    r'[ \t]*([A-Za-z0-9_-]+)[ \t]*=((?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)([;:])'
)
_PARAM_ESCAPE = re.compile(r"\\([\\,;])")
_CARET = re.compile(r"\^([n^'])")
_UNESCAPE = re.compile(r"\\([\\;,nN:])")
_DATE_TIME = re.compile(r"(\d{4})(\d{2})(\d{2})(?:[Tt](\d{2})(\d{2})(\d{2})([Zz]?))?")
_DURATION = re.compile(
    r"([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", re.IGNORECASE
)
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_NO_PARAMS: dict[str, str] = {}


class BadValue(ValueError):  # noqa: N818 - reads better than BadValueError at the raise
    """A value that cannot be read."""


@dataclass(frozen=True, slots=True)
class Prop:
    """One content line: its name in upper case, its parameters, its value as written."""

    name: str
    params: dict[str, str]
    value: str

    @property
    def text(self) -> str:
        """The value as TEXT, unescaped."""
        return unescape(self.value)


def unescape(value: str) -> str:
    r"""A TEXT value as written (``\,`` ``\;`` ``\n`` ``\\``), back to text."""
    if "\\" not in value:
        return value
    return _UNESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def text_list(value: str) -> list[str]:
    r"""A comma-separated TEXT list (CATEGORIES): split on commas not escaped, each unescaped."""
    if "\\" not in value:
        return [v for v in value.split(",") if v]
    # An escaped backslash may stand before a separating comma: set it aside first.
    held = value.replace("\\\\", "\0")
    return [unescape(v.replace("\0", "\\\\")) for v in re.split(r"(?<!\\),", held) if v]


def _param(value: str) -> str:
    if value.startswith('"') and value.find('"', 1) == len(value) - 1:  # one quoted value
        value = value[1:-1]
    if "^" in value:  # RFC 6868
        value = _CARET.sub(lambda m: {"n": "\n", "^": "^", "'": '"'}[m.group(1)], value)
    if "\\" in value:
        # Against RFC 5545 but as icalendar and our own export write them: a backslash escapes
        # a backslash, comma or semicolon in a parameter too.
        value = _PARAM_ESCAPE.sub(r"\1", value)
    return value


def parse_line(line: str) -> Prop | None:
    """A content line, or None when it is not one (no name, no colon, broken parameters)."""
    m = _NAME.match(line)
    if m is None:
        return None
    name = m.group(1).upper()
    if m.group(2) == ":":
        return Prop(name, _NO_PARAMS, line[m.end() :])
    params: dict[str, str] = {}
    pos = m.end()
    while True:
        p = _PARAM.match(line, pos)
        if p is None:
            return None
        params.setdefault(p.group(1).upper(), _param(p.group(2)))
        pos = p.end()
        if p.group(3) == ":":
            return Prop(name, params, line[pos:])


def unfolded_lines(text: str) -> list[str]:
    """The content lines of a text, unfolded, without empty ones."""
    return [line for line in _NEWLINES.split(_UNFOLD.sub("", text)) if line.strip()]


@dataclass(slots=True)
class Component:
    """The properties of one component by name, in order; nested components left out."""

    props: dict[str, list[Prop]]
    broken: list[str]  # lines that are not content lines

    def __contains__(self, name: str) -> bool:
        return name in self.props

    def first(self, name: str) -> Prop | None:
        found = self.props.get(name)
        return found[0] if found else None

    def all(self, name: str) -> list[Prop]:
        return self.props.get(name, [])

    def text(self, name: str, default: str = "") -> str:
        prop = self.first(name)
        return prop.text if prop is not None else default

    def items(self) -> Iterator[tuple[str, list[Prop]]]:
        return iter(self.props.items())


def component(lines: list[str]) -> Component:
    """The component whose lines these are (its BEGIN and END lines included or not)."""
    props: dict[str, list[Prop]] = {}
    broken: list[str] = []
    depth = 0
    for line in lines:
        head = line[:6].upper()
        if head == "BEGIN:":
            depth += 1
            continue
        if head[:4] == "END:":
            depth -= 1
            continue
        if depth > 1:  # inside a VALARM or another nested component
            continue
        prop = parse_line(line)
        if prop is None:
            broken.append(line)
            continue
        found = props.get(prop.name)
        if found is None:
            props[prop.name] = [prop]
        else:
            found.append(prop)
    return Component(props, broken)


# --- values --------------------------------------------------------------------------------------


def shown(value: str, limit: int = 40) -> str:
    """A value as a message quotes it: cut short when it is long (a file may hold megabytes)."""
    text = value.strip()
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


def date_or_time(value: str) -> date | datetime:
    """A DATE or DATE-TIME value: a date, a naive (local or floating) time, or a UTC time."""
    m = _DATE_TIME.fullmatch(value.strip())
    if m is None:
        raise BadValue(f"{shown(value)} is not a date or a date and time")
    y, mo, d, h, mi, s, z = m.groups()
    try:
        if h is None:
            return date(int(y), int(mo), int(d))
        # A naive time is wall time in a zone the caller picks (TZID, floating).
        return datetime(
            int(y), int(mo), int(d), int(h), int(mi), min(int(s), 59), tzinfo=UTC if z else None
        )
    except ValueError as exc:
        raise BadValue(f"{shown(value)} is not a real date or time ({exc})") from None


def date_or_time_list(props: list[Prop]) -> tuple[list[date | datetime], int]:
    """The dates and times of EXDATE or RDATE lines, and how many periods were left out."""
    found: list[date | datetime] = []
    periods = 0
    for prop in props:
        for part in prop.value.split(","):
            if not part.strip():
                continue
            if "/" in part or prop.params.get("VALUE", "").upper() == "PERIOD":
                periods += 1
                continue
            found.append(date_or_time(part))
    return found, periods


def duration(value: str) -> timedelta:
    m = _DURATION.fullmatch(value.strip())
    if m is None or value.strip().upper() in ("P", "PT", "+P", "-P"):
        raise BadValue(f"{shown(value)} is not a duration")
    sign, weeks, days, hours, minutes, seconds = m.groups()
    try:
        span = timedelta(
            weeks=int(weeks or 0),
            days=int(days or 0),
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            seconds=int(seconds or 0),
        )
    except (OverflowError, ValueError):  # more days than a date can hold, or digits
        raise BadValue(f"{shown(value)} is too long a duration") from None
    return -span if sign == "-" else span


def number(value: str | None) -> int | None:
    """A plain integer (ASCII digits, at most 18: what SQLite holds), or None.

    Not ``str.isdigit``, which takes ``²`` that ``int`` refuses, nor ``int`` alone, which
    refuses more than 4,300 digits with a ValueError.
    """
    text = (value or "").strip()
    return int(text) if _INTEGER.fullmatch(text) else None


def integer(value: str, default: int = 0) -> int:
    found = number(value)
    return default if found is None else found
