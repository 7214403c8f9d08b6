"""Finding the components of an .ics file without holding the file in memory.

One pass over the file, a few megabytes at a time, finds every BEGIN and END line with one
regular expression over bytes; what is kept is where each VEVENT starts and ends (three numbers
each), the calendar's own properties and its VTIMEZONEs. The events are read back, a chunk at a
time, when they are parsed. A 100,000-event file is never in memory as a whole, let alone as
text (a Python str of it, or a StringIO, is four times the size of the file).
"""

import re
import sys
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from liaison_calendar.ical import content

BLOCK = 4 * 1024 * 1024
PROBLEM_LIMIT = 100
"""BEGIN and END problems kept of a file; the others are counted in one more."""
MAX_LINE = 8 * 1024 * 1024
# Anchored on the newline before the line, not on "^": the engine then looks for newlines alone
# (five times faster). Each block is searched with a newline put before it.
_MARKER = re.compile(rb"\n(BEGIN|END):([A-Za-z0-9-]+)[ \t]*\r?$", re.MULTILINE | re.IGNORECASE)
_BOM = b"\xef\xbb\xbf"


class ReadError(ValueError):
    """The input is not a calendar at all (empty, HTML, binary, too big)."""


class TooBigError(ReadError):
    """The file is above the import limit (checked before anything is read)."""


@dataclass(frozen=True)
class Problem:
    line: int
    component: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.component}: {self.message}"


@dataclass
class Calendar:
    """One VCALENDAR: its properties, VTIMEZONEs (TZID -> (line, text)), where its events are."""

    line: int
    props: dict[str, str] = field(default_factory=dict)
    timezones: dict[str, tuple[int, str]] = field(default_factory=dict)
    lines: array = field(default_factory=lambda: array("q"))  # type: ignore[type-arg]
    starts: array = field(default_factory=lambda: array("q"))  # type: ignore[type-arg]
    ends: array = field(default_factory=lambda: array("q"))  # type: ignore[type-arg]

    @property
    def count(self) -> int:
        return len(self.starts)

    def context(self) -> "Calendar":
        """The calendar without its events: what parsing one of them needs."""
        return Calendar(self.line, self.props, self.timezones)


def text_of(raw: bytes) -> str:
    """Bytes of a file, as text: UTF-8, or Latin-1 where they are not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class Source:
    """The bytes of an .ics file, from memory or from disk, read by range."""

    def __init__(self, data: bytes | None = None, path: Path | None = None) -> None:
        self._data = data
        self._file: BinaryIO | None = None
        if path is not None:
            self._file = path.open("rb")
        self.size = len(data) if data is not None else self._file_size()
        self.skip = 0

    def _file_size(self) -> int:
        assert self._file is not None
        self._file.seek(0, 2)
        return self._file.tell()

    def read(self, start: int, end: int) -> bytes:
        if self._data is not None:
            return self._data[start:end]
        assert self._file is not None
        self._file.seek(start)
        return self._file.read(end - start)

    def head(self, size: int = 65536) -> bytes:
        return self.read(0, min(size, self.size))

    def carriage_returns_only(self) -> None:
        """A file from an old Mac ends its lines with CR alone: read it into memory as LF."""
        self._data = self.read(0, self.size).replace(b"\r", b"\n")
        self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def check(source: Source, limit: int) -> None:
    """Refuse, with one line, what is not an iCalendar file, before reading it all."""
    if source.size > limit:
        raise TooBigError(
            f"the file is {source.size / 2**20:.0f} MB, above the import limit of "
            f"{limit / 2**20:.0f} MB"
        )
    head = source.head()
    if head.startswith(_BOM):
        source.skip = len(_BOM)
        head = head[len(_BOM) :]
    if not head.strip():
        raise ReadError("the file is empty")
    if b"\0" in head[:4096]:
        raise ReadError("the file is binary, not an iCalendar file")
    text = text_of(head[:4096]).lstrip()
    if not text.upper().startswith("BEGIN:VCALENDAR"):
        first = text[:40].splitlines()[0] if text else ""
        if first.lower().startswith(("<!doctype", "<html", "<?xml")):
            raise ReadError("the file is a web page (HTML), not an iCalendar file")
        raise ReadError(f"the file does not start with BEGIN:VCALENDAR (it starts {first!r})")
    if b"\n" not in head and b"\r" in head:
        source.carriage_returns_only()


def _blocks(source: Source) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of whole lines, a few megabytes at a time."""
    pos = source.skip
    carry = b""
    while pos < source.size:
        data = source.read(pos, min(pos + BLOCK, source.size))
        start = pos - len(carry)
        pos += len(data)
        block = carry + data
        cut = block.rfind(b"\n") + 1 if pos < source.size else len(block)
        if cut == 0:
            if len(block) > MAX_LINE:
                raise ReadError(f"a line is longer than {MAX_LINE // 2**20} MB: not a calendar")
            carry = block
            continue
        yield start, block[:cut]
        carry = block[cut:]


def scan(source: Source) -> tuple[list[Calendar], list[Problem]]:
    """The VCALENDARs of a file with their properties, VTIMEZONEs and where their events are."""
    calendars: list[Calendar] = []
    problems: list[Problem] = []
    dropped = 0  # problems after the first PROBLEM_LIMIT, counted but not kept
    last = Problem(0, "", "")
    stack: list[str] = []
    cal: Calendar | None = None
    began = began_line = 0
    zones: list[tuple[Calendar, int, int, int]] = []  # calendar, line, start, end
    gap: list[bytes] = []  # the calendar's own lines since the last BEGIN or END
    line = 1
    for offset, block in _blocks(source):
        counted = 0
        after = 0  # end of the last marker in this block
        for m in _MARKER.finditer(b"\n" + block):
            at = m.start()  # where the marker's line starts in the block
            line += block.count(b"\n", counted, at)
            counted = at
            if len(stack) == 1 and cal is not None:
                gap.append(block[after:at])
                _calendar_props(cal, b"".join(gap))
            gap.clear()
            after = m.end() - 1
            word, name = m.group(1).upper(), _component_name(m.group(2))
            if word == b"BEGIN":
                if not stack and name != "VCALENDAR":
                    last = Problem(line, name, "outside any VCALENDAR; ignored")
                    dropped += _keep(problems, last)
                if name == "VCALENDAR" and not stack:
                    cal = Calendar(line)
                    calendars.append(cal)
                elif len(stack) == 1:
                    began, began_line = offset + at, line
                stack.append(name)
                continue
            if not stack or stack[-1] != name:
                where = stack[-1] if stack else "the file"
                last = Problem(line, name, f"END:{name} does not close {where}")
                dropped += _keep(problems, last)
                stack = []
                continue
            stack.pop()
            if len(stack) == 1 and cal is not None:
                end = offset + m.end() - 1
                if name == "VEVENT":
                    cal.lines.append(began_line)
                    cal.starts.append(began)
                    cal.ends.append(end)
                elif name == "VTIMEZONE":
                    zones.append((cal, began_line, began, end))
        line += block.count(b"\n", counted)
        if len(stack) == 1 and cal is not None:
            gap.append(block[after:])
    if stack:
        problems.append(Problem(0, stack[-1], f"the file ends inside {stack[-1]} (no END line)"))
    if dropped:
        problems.append(
            Problem(
                last.line, last.component, f"and {dropped:,} more BEGIN or END lines out of place"
            )
        )
    for owner, at, start, end in zones:
        text = text_of(source.read(start, end))
        tzid = next(
            (p.value.strip() for p in content.component(content.unfolded_lines(text)).all("TZID")),
            "",
        )
        owner.timezones[tzid] = (at, text)
    return calendars, problems


def _keep(problems: list[Problem], problem: Problem) -> int:
    """Keep ``problem`` unless there are enough already: a file of millions of stray END lines
    gave millions of problems (900 MiB). The number dropped, 0 or 1."""
    if len(problems) < PROBLEM_LIMIT:
        problems.append(problem)
        return 0
    return 1


def _component_name(raw: bytes) -> str:
    """A BEGIN or END line's name, cut short for messages when it is absurdly long; one copy
    of each (a stack of a million unclosed BEGIN:X holds the same name a million times)."""
    name = raw.decode("ascii").upper()
    return sys.intern(name if len(name) <= 40 else f"{name[:40]}...")


def _calendar_props(cal: Calendar, raw: bytes) -> None:
    if not raw.strip():
        return
    for line in content.unfolded_lines(text_of(raw)):
        prop = content.parse_line(line)
        if prop is not None:
            cal.props[prop.name] = prop.value
