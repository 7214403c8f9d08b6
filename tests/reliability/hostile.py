"""Hostile .ics files and a guarded importer to feed them to (issue 9: the importer survives).

Shared by ``test_hostile_files.py`` (the default run) and ``fuzz_importer.py`` (long runs):

- *seeds*: valid calendars (``tests/import_cases`` and an export of the sample calendar);
- *mutators*: what breaks them (truncation, lines duplicated, removed or shuffled, wrong
  nesting, huge and extreme values, invalid UTF-8, NUL bytes, other line ends, folds in odd
  places, deep nesting, many events...), applied deterministically from a seed;
- *named cases*: the hostile files the issue lists, built exactly (a 5 MB DESCRIPTION, 10,000
  nested components, 100,000 tiny events...);
- :class:`GuardedImporter`: a second process that imports one file at a time into a copy of a
  calendar holding the sample data, under a time limit per file (the process is killed when it
  is passed: a hang is a failure, never a stuck test), with its address space limited and its
  peak resident memory measured per file, and that tells whether the import was accepted or
  refused with one of the app's own errors, and whether a refused import left the calendar's
  content as it was.

Run ``python -m tests.reliability.hostile worker DIR`` only through :class:`GuardedImporter`.
"""

import contextlib
import hashlib
import json
import os
import random
import resource
import select
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
CASES = ROOT / "tests" / "import_cases"

TIME_LIMIT_S = 20.0
"""Time allowed to import one ordinary hostile file (a few hundred kB at most)."""
SECONDS_PER_EVENT = 0.005
"""Added to the limit for files made of many events: the app saves 2,000 to 5,000 a second,
so this catches a hang, never a slow machine..."""
SECONDS_PER_MB = 1.0
"""...and this for each MB of the file: 50 MB of nothing but BEGIN and END lines (the import
limit) take 14 s to scan."""
ADDRESS_SPACE = 3 * 2**30
"""RLIMIT_AS of the importing process: a runaway allocation fails there, not on the machine."""
MEMORY_BOUND_KB = 512 * 1024
"""Peak resident memory allowed while importing one file, in the importing process and in
the process that parses big files for it..."""
KB_PER_EVENT = 1
"""...plus this for each event of files made of many events: the import report lists every
event (about 0.6 KB each), so a million events take about 650 MiB."""
MESSAGE_LIMIT = 400
"""Characters an error message may take besides the file's path: one line a person reads."""


# --- seeds ---------------------------------------------------------------------------------------


def case_seeds() -> list[tuple[str, bytes]]:
    """The hand-written calendars of ``tests/import_cases``, by name."""
    return [(p.stem, p.read_bytes()) for p in sorted(CASES.glob("*.ics"))]


# --- building blocks -----------------------------------------------------------------------------


def calendar(*parts: bytes, head: bytes = b"VERSION:2.0\r\nPRODID:-//Hostile//EN\r\n") -> bytes:
    return b"BEGIN:VCALENDAR\r\n" + head + b"".join(parts) + b"END:VCALENDAR\r\n"


def _name(line: bytes) -> bytes:
    return line.split(b":", 1)[0].split(b";", 1)[0].upper()


def event(n: int = 0, *lines: bytes, without: tuple[bytes, ...] = ()) -> bytes:
    """A valid timed VEVENT; ``lines`` replace its properties of the same names, or are added,
    and those named ``without`` are left out."""
    given = {_name(line) for line in lines} | set(without)
    own = [
        b"UID:hostile-%d@example.eu" % n,
        b"DTSTAMP:20261101T080000Z",
        b"DTSTART;TZID=Europe/Brussels:2026111%dT100000" % (n % 10),
        b"DTEND;TZID=Europe/Brussels:2026111%dT110000" % (n % 10),
        b"SUMMARY:Hostile %d" % n,
    ]
    body = [line for line in own if _name(line) not in given] + list(lines)
    return (
        b"BEGIN:VEVENT\r\n"
        + b"".join(line if line.endswith(b"\n") else line + b"\r\n" for line in body)
        + b"END:VEVENT\r\n"
    )


def _digits(count: int) -> bytes:
    return b"9" * count


# Lines that stress one value each, put into events by ``extreme_value`` and by hypothesis.
EXTREME_LINES: tuple[bytes, ...] = (
    b"DTSTART:99991231T235959Z",
    b"DTSTART:00010101T000000Z",
    b"DTSTART;VALUE=DATE:99991231",
    b"DTSTART;VALUE=DATE:00010101",
    b"DTSTART:00000000T000000",
    b"DTSTART:20250230T250000",
    b"DTSTART:2025",
    b"DTSTART;TZID=Nowhere/Zone:20261110T100000",
    b"DTSTART;TZID=:20261110T100000",
    b'DTSTART;TZID="/mozilla.org/20050126_1/Europe/Brussels":20261110T100000',
    b"DTSTART;TZID=W. Europe Standard Time:20261110T100000",
    b"DTSTART;TZID=Custom Zone:20261110T100000",
    b"DTEND:99991231T235959Z",
    b"DTEND;VALUE=DATE:00010102",
    b"DTEND:00010101T000000Z",
    b"DURATION:P99999999999999W",
    b"DURATION:P" + _digits(5000) + b"D",
    b"DURATION:PT99999999999H",
    b"DURATION:-P1D",
    b"DURATION:PT0S",
    b"DURATION:P",
    b"RRULE:FREQ=SECONDLY;COUNT=999999999999",
    b"RRULE:FREQ=DAILY;INTERVAL=999999999999",
    b"RRULE:FREQ=DAILY;INTERVAL=0",
    b"RRULE:FREQ=WEEKLY;INTERVAL=-1",
    b"RRULE:FREQ=DAILY;COUNT=" + _digits(5000),
    b"RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    b"RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
    b"RRULE:FREQ=MINUTELY;BYYEARDAY=366;BYMONTH=2",
    b"RRULE:FREQ=WEEKLY;UNTIL=99991231T235959Z",
    b"RRULE:FREQ=WEEKLY;UNTIL=00010101",
    b"RRULE:FREQ=WEEKLY;UNTIL=20251345T999999Z",
    b"RRULE:FREQ=WEEKLY;UNTIL=20251345",
    b"RRULE:FREQ=WEEKLY;UNTIL=20250101T100000",
    b"RRULE:FREQ=DAILY;COUNT=-1",
    b"RRULE:FREQ=DAILY;BYSETPOS=0",
    b"RRULE:FREQ=HOURLY;BYHOUR=25",
    b"RRULE:FREQ=MONTHLY;BYDAY=+60MO",
    b"RRULE:",
    b"RRULE:FREQ=",
    b"RRULE:FREQ=DAILY;;;;=;=x",
    b"EXDATE:99991231T235959Z,00010101T000000Z",
    b"EXDATE:garbage",
    b"EXDATE;VALUE=DATE:20261110,99991231",
    b"RDATE;VALUE=PERIOD:20261101T000000Z/20261102T000000Z",
    b"RDATE:99991231",
    b"RDATE:00010101T000000Z",
    b"RECURRENCE-ID:99991231T235959Z",
    b"RECURRENCE-ID;VALUE=DATE:00010101",
    b"RECURRENCE-ID:garbage",
    b"SEQUENCE:" + _digits(5000),
    b"SEQUENCE:-99999999999999999999",
    b"SEQUENCE:\xc2\xb2",
    b"CREATED:99991231T235959Z",
    b"LAST-MODIFIED;TZID=Nowhere/Zone:00010101T000000",
    b"DTSTAMP;TZID=Europe/Brussels:00010101T000000",
    b"X-LIAISON-ITERATION:0",
    b"X-LIAISON-ITERATION:-5",
    b"X-LIAISON-ITERATION:" + _digits(30),
    b"X-LIAISON-ITERATION:\xc2\xb2",
    b"X-LIAISON-ITERATION:many",
    b"X-LIAISON-SERIES:A series nobody has",
    b"X-LIAISON-SERIES: A\tseries  with odd spaces ",
    b"X-LIAISON-SERIES:" + b"s" * 5000,
    b"X-LIAISON-MODE:nonsense",
    b"X-LIAISON-LEAD:nonsense",
    b"X-LIAISON-RELEASE:nonsense",
    b"X-LIAISON-STATUS:nonsense",
    b"X-LIAISON-TZ:Not/AZone",
    b"X-LIAISON-KIND:no-such-kind",
    b"X-LIAISON-STRANDS:no-such-strand",
    b"X-LIAISON-PARTNERS:\\,\\,",
    b"X-LIAISON-PROPOSALS:99,-1,0",
    b"X-LIAISON-PROPOSALS:\xc2\xb2",
    b"X-LIAISON-DESCRIPTION-CHARS:\xc2\xb2",
    b"X-LIAISON-DESCRIPTION-CHARS:" + _digits(5000),
    b"X-LIAISON-FLOATING:TRUE",
    b'X-LIAISON-EXERCISE:{"uid": "x"}',
    b'X-LIAISON-EXERCISE:{"uid": "x"\\, "period_start": "bad"\\, "period_end": 5}',
    b"X-LIAISON-EXERCISE:not json",
    b"X-LIAISON-EXERCISE:[]",
    b'X-LIAISON-PHASE:{"uid": "p"\\, "position": "x"}',
    b"X-LIAISON-PHASE:{}",
    b'X-LIAISON-PHASE:{"uid": null}',
    b"X-LIAISON-AGENDA;X-DURATION=99999:Item",
    b"X-LIAISON-AGENDA;X-DURATION=\xc2\xb2:Item",
    b"X-LIAISON-AGENDA:",
    b"X-LIAISON-ACTION;X-DUE=2025-13-45:Do it",
    b"X-LIAISON-ACTION;X-DUE=\xc2\xb2:Do it",
    b"X-LIAISON-ACTION;X-STATUS=bogus:",
    b"ATTENDEE;CN=:mailto:",
    b"ATTENDEE;X-LIAISON-SIDE=bogus;CN=X:mailto:x@example.eu",
    b"ATTENDEE:" + b"a" * 3000,
    b'ORGANIZER;CN="unterminated:mailto:x@example.eu',
    b"UID:two\\nlines",
    b"UID:",
    b"UID:" + b"u" * 100_000,
    b"SUMMARY:" + b"t" * 600,
    b"SUMMARY:\x01\x02\x7f control",
    b"SUMMARY:\\",
    b"CATEGORIES:,,,,\\,\\\\,",
    b"STATUS:CANCELLED",
    b"BEGIN:VALARM",
    b"END:VALARM",
    b"END:VEVENT",
    b"BEGIN:VCALENDAR",
    b":no name",
    b"NAME;=x:value",
    b'NAME;X="a";Y=b,"c",d;Z=:v',
    b"\xff\xfe\x00",
)


# --- mutators ------------------------------------------------------------------------------------

Mutator = Callable[[random.Random, bytes], bytes]


def _split(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def _at(rng: random.Random, data: bytes) -> int:
    return rng.randrange(len(data) + 1)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: _at(rng, data)]


def duplicate_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _split(data)
    i = rng.randrange(len(lines))
    block = lines[i : i + rng.choice((1, 1, 2, 5, 20))]
    j = rng.choice((i, rng.randrange(len(lines) + 1)))
    return b"".join(lines[:j] + block * rng.choice((1, 2, 50)) + lines[j:])


def remove_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _split(data)
    for _ in range(rng.choice((1, 1, 3, 10))):
        if lines:
            i = rng.randrange(len(lines))
            del lines[i : i + rng.choice((1, 1, 4))]
    return b"".join(lines)


def shuffle_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _split(data)
    if rng.random() < 0.2:
        rng.shuffle(lines)
    else:
        i = rng.randrange(len(lines))
        window = lines[i : i + rng.choice((2, 5, 30))]
        rng.shuffle(window)
        lines[i : i + len(window)] = window
    return b"".join(lines)


_NAMES = (b"VEVENT", b"VCALENDAR", b"VTIMEZONE", b"VALARM", b"STANDARD", b"DAYLIGHT", b"X")


def wrong_nesting(rng: random.Random, data: bytes) -> bytes:
    lines = _split(data)
    what = rng.randrange(7)
    i = rng.randrange(len(lines) + 1)
    if what == 0:  # END without BEGIN
        lines.insert(i, b"END:" + rng.choice(_NAMES) + b"\r\n")
    elif what == 1:  # BEGIN never closed
        lines.insert(i, b"BEGIN:" + rng.choice(_NAMES) + b"\r\n")
    elif what == 2:  # a BEGIN or END line gone
        marks = [n for n, line in enumerate(lines) if line[:4] in (b"BEGI", b"END:")]
        if marks:
            del lines[rng.choice(marks)]
    elif what == 3:  # an event after the calendar's end
        text = b"".join(lines)
        start, end = text.find(b"BEGIN:VEVENT"), text.find(b"END:VEVENT")
        if 0 <= start < end:
            block = text[start : end + len(b"END:VEVENT\r\n")]
            return text[:start] + text[end + len(b"END:VEVENT\r\n") :] + block
    elif what == 4:  # no END:VCALENDAR
        lines = [line for line in lines if not line.upper().startswith(b"END:VCALENDAR")]
    elif what == 5:  # the calendar inside an event
        return b"BEGIN:VEVENT\r\n" + b"".join(lines) + b"END:VEVENT\r\n"
    else:  # END lines in the wrong order
        marks = [n for n, line in enumerate(lines) if line.startswith(b"END:")]
        if len(marks) >= 2:
            a, b = rng.sample(marks, 2)
            lines[a], lines[b] = lines[b], lines[a]
    return b"".join(lines)


def _content_line(rng: random.Random, lines: list[bytes]) -> int | None:
    found = [n for n, line in enumerate(lines) if b":" in line and line[:1] not in (b" ", b"\t")]
    return rng.choice(found) if found else None


def huge_value(rng: random.Random, data: bytes) -> bytes:
    lines = _split(data)
    n = _content_line(rng, lines)
    if n is None:
        return data
    name = lines[n].split(b":", 1)[0]
    size = rng.choice((10_000, 100_000, 1_000_000))
    filler = rng.choice((b"x", b"9", b"\\,", b"\xc3\xa9", b"=", b";"))
    folded = rng.random() < 0.3
    value = filler * (size // len(filler))
    if folded:
        value = b"\r\n ".join(value[k : k + 74] for k in range(0, len(value), 74))
    lines[n] = name + b":" + value + b"\r\n"
    return b"".join(lines)


def extreme_value(rng: random.Random, data: bytes) -> bytes:
    lines = _split(data)
    inside = [n for n, line in enumerate(lines) if line.upper().startswith(b"BEGIN:VEVENT")]
    extreme = rng.choice(EXTREME_LINES) + b"\r\n"
    if not inside:
        lines.insert(rng.randrange(len(lines) + 1), extreme)
        return b"".join(lines)
    at = rng.choice(inside) + 1
    name = extreme.split(b":", 1)[0].split(b";", 1)[0]
    for k in range(at, min(at + 40, len(lines))):  # replace the event's own line of that name
        if lines[k].split(b":", 1)[0].split(b";", 1)[0] == name and name not in (b"BEGIN", b"END"):
            lines[k] = extreme
            break
    else:
        lines.insert(at, extreme)
    return b"".join(lines)


_BAD_UTF8 = (b"\x80", b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xc3")


def invalid_utf8(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 3, 30))):
        at = _at(rng, bytes(out))
        out[at:at] = rng.choice(_BAD_UTF8)
    return bytes(out)


def nul_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 5, 100))):
        at = _at(rng, bytes(out))
        out[at:at] = b"\0" * rng.choice((1, 1, 8))
    return bytes(out)


def line_endings(rng: random.Random, data: bytes) -> bytes:
    plain = data.replace(b"\r\n", b"\n")
    how = rng.randrange(4)
    if how == 0:
        return plain.replace(b"\n", b"\r")  # CR only (an old Mac)
    if how == 1:
        return plain  # LF only
    if how == 2:
        return plain.replace(b"\n", b"\n\r")
    lines = _split(plain)
    return b"".join(line.rstrip(b"\n") + rng.choice((b"\r\n", b"\n", b"\r", b"")) for line in lines)


def folding(rng: random.Random, data: bytes) -> bytes:
    how = rng.randrange(3)
    if how == 0:  # folds in odd places, even inside names and UTF-8 sequences
        out = bytearray(data)
        for _ in range(rng.choice((1, 10, 200))):
            at = _at(rng, bytes(out))
            out[at:at] = rng.choice((b"\r\n ", b"\r\n\t", b"\n ", b"\r\n"))
        return bytes(out)
    if how == 1:  # a continuation line at the very start, or with nothing to continue
        return rng.choice((b" ", b"\r\n ")) + data
    lines = _split(data)  # one line folded after every byte
    n = rng.randrange(len(lines))
    line = lines[n].rstrip(b"\r\n")
    lines[n] = b"\r\n ".join(line[k : k + 1] for k in range(len(line))) + b"\r\n"
    return b"".join(lines)


_SPECIALS = (b";", b":", b",", b'"', b"=", b"\\", b"^", b" ", b"\t", b"\r", b"\n")


def specials(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 4, 40))):
        at = _at(rng, bytes(out))
        out[at:at] = rng.choice(_SPECIALS)
    return bytes(out)


def byte_flips(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 4, 40))):
        if out:
            at = rng.randrange(len(out))
            out[at] ^= 1 << rng.randrange(8)
    return bytes(out)


def deep_nesting(rng: random.Random, data: bytes) -> bytes:
    lines = _split(data)
    depth = rng.choice((10, 300, 3000))
    name = rng.choice(_NAMES)
    closed = rng.random() < 0.5
    block = [b"BEGIN:" + name + b"\r\n"] * depth + ([b"END:" + name + b"\r\n"] * depth) * closed
    inside = [n for n, line in enumerate(lines) if line.upper().startswith(b"BEGIN:VEVENT")]
    at = (rng.choice(inside) + 1) if inside and rng.random() < 0.7 else rng.randrange(len(lines))
    lines[at:at] = block
    return b"".join(lines)


def repeat_events(rng: random.Random, data: bytes) -> bytes:
    start, end = data.find(b"BEGIN:VEVENT"), data.find(b"END:VEVENT")
    if not 0 <= start < end:
        return data
    stop = data.find(b"\n", end) + 1 or len(data)
    return data[:start] + data[start:stop] * rng.choice((2, 100, 1000)) + data[stop:]


MUTATORS: dict[str, Mutator] = {
    f.__name__: f
    for f in (
        truncate,
        duplicate_lines,
        remove_lines,
        shuffle_lines,
        wrong_nesting,
        huge_value,
        extreme_value,
        invalid_utf8,
        nul_bytes,
        line_endings,
        folding,
        specials,
        byte_flips,
        deep_nesting,
        repeat_events,
    )
}


@dataclass(frozen=True)
class Mutant:
    name: str  # seed and mutators, enough to make it again
    data: bytes


def mutants(seeds: list[tuple[str, bytes]], count: int, seed: int) -> Iterator[Mutant]:
    """``count`` mutations of ``seeds``, the same for the same ``seed``: every mutator in turn
    on a seed in turn, with one or two more mutations on top now and then."""
    rng = random.Random(seed)
    names = list(MUTATORS)
    for n in range(count):
        seed_name, data = seeds[n % len(seeds)]
        steps = [names[(n // len(seeds) + n) % len(names)]]
        steps += rng.sample(names, rng.choice((0, 0, 1, 2)))
        for step in steps:
            data = MUTATORS[step](rng, data)
        yield Mutant(f"{seed_name}+{'+'.join(steps)}#{n}", data)


# --- named hostile files -------------------------------------------------------------------------


def tiny_events(count: int, broken_last: bool = False) -> Iterator[bytes]:
    """A calendar of ``count`` tiny valid events (one a day, each with its own UID), a chunk at
    a time; with ``broken_last`` the last event has no DTSTART."""
    yield b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Hostile//EN\r\n"
    day = date(2000, 1, 1).toordinal()
    chunk = []
    for n in range(count):
        if broken_last and n == count - 1:
            chunk.append(b"BEGIN:VEVENT\r\nUID:tiny-%d\r\nEND:VEVENT\r\n" % n)
        else:
            day_of = date.fromordinal(day + n % 20_000).strftime("%Y%m%d").encode()
            chunk.append(
                b"BEGIN:VEVENT\r\nUID:tiny-%d\r\nDTSTART:%sT100000Z\r\nEND:VEVENT\r\n" % (n, day_of)
            )
        if len(chunk) == 10_000:
            yield b"".join(chunk)
            chunk = []
    yield b"".join(chunk) + b"END:VCALENDAR\r\n"


def bare_events(count: int) -> Iterator[bytes]:
    """``count`` events with nothing in them (no DTSTART: each one unreadable)."""
    yield b"BEGIN:VCALENDAR\r\n"
    for done in range(0, count, 10_000):
        yield b"BEGIN:VEVENT\r\nEND:VEVENT\r\n" * min(10_000, count - done)
    yield b"END:VCALENDAR\r\n"


def _nested(depth: int, name: bytes = b"X", closed: bool = True) -> bytes:
    return b"BEGIN:%s\r\n" % name * depth + (b"END:%s\r\n" % name * depth if closed else b"")


CUSTOM_ZONE = (
    b"BEGIN:VTIMEZONE\r\nTZID:Custom Zone\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
    b"RRULE:%s\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
    b"BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    b"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)


@dataclass(frozen=True)
class Named:
    """A hostile file built on purpose, and what the importer does with it: ``accepted``
    (``added`` meetings, when given), ``refused`` with a message that ``says`` something, or
    None when either is right. ``events`` sets its time limit (see ``time_limit``)."""

    name: str
    build: Callable[[], Iterator[bytes]]
    expect: str | None = None
    says: str = ""
    added: int | None = None
    events: int = 1

    def write(self, path: Path) -> Path:
        with path.open("wb") as out:
            for part in self.build():
                out.write(part)
        return path

    @property
    def time_limit(self) -> float:
        return TIME_LIMIT_S + SECONDS_PER_EVENT * self.events


def _accepted(name: str, data: bytes, added: int | None = 1) -> Named:
    return Named(name, lambda: iter((data,)), "accepted", added=added)


def _refused(name: str, data: bytes, says: str) -> Named:
    return Named(name, lambda: iter((data,)), "refused", says)


def _zoned(zone: bytes) -> bytes:
    return event(
        1, b"DTSTART;TZID=%s:20261111T100000" % zone, b"DTEND;TZID=%s:20261111T110000" % zone
    )


def named_cases(
    volume: int = 100_000, accepted_volume: int = 10_000, calendars: int = 1_000
) -> list[Named]:
    """The hostile files of issue 9: ``volume`` tiny events in the big refused file,
    ``accepted_volume`` in the big accepted one and in the one refused by its last event, and
    ``calendars`` VCALENDARs in one file."""
    five_mb = b"DESCRIPTION:" + b"\r\n ".join([b"y" * 74] * (5 * 2**20 // 74))
    one = calendar
    yearly = CUSTOM_ZONE % b"FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"
    deep_zone = yearly.replace(b"END:VTIMEZONE", _nested(10_000) + b"END:VTIMEZONE")
    return [
        # huge values
        _accepted("five-mb-description-folded", one(event(1, five_mb))),
        _accepted(
            "five-mb-description-one-line", one(event(1, b"DESCRIPTION:" + b"d" * 5 * 2**20))
        ),
        _refused("100k-char-summary", one(event(1, b"SUMMARY:" + b"s" * 100_000)), "at most 500"),
        _accepted("100k-char-unknown-property", one(event(1, b"X-HUGE:" + b"h" * 100_000))),
        _refused("100k-char-dtstart", one(event(1, b"DTSTART:" + b"2" * 100_000)), "(100,000 char"),
        _refused(
            "100k-char-rrule",
            one(event(1, b"RRULE:FREQ=DAILY;UNTIL=" + b"2" * 100_000)),
            "RRULE cannot be read",
        ),
        _accepted("100k-char-tzid", one(_zoned(b"z" * 100_000))),
        _accepted("100k-char-categories", one(event(1, b"CATEGORIES:" + b"c,c" * 33_333))),
        _accepted("100k-char-series", one(event(1, b"X-LIAISON-SERIES:" + b"s" * 100_000))),
        _accepted("100k-parameters", one(event(1, b"SUMMARY" + b";X=y" * 100_000 + b":many"))),
        _accepted("line-folded-100k-times", one(event(1, b"DESCRIPTION:" + b"\r\n d" * 100_000))),
        _refused(
            "100k-char-component-name", one(event(1, b"BEGIN:" + b"C" * 100_000)), "does not close"
        ),
        # repeat rules
        _accepted("rrule-count-18-digits", one(event(1, b"RRULE:FREQ=DAILY;COUNT=" + _digits(18)))),
        _refused(
            "rrule-count-5000-digits",
            one(event(1, b"RRULE:FREQ=DAILY;COUNT=" + _digits(5000))),
            "characters long",
        ),
        _accepted(
            "rrule-interval-18-digits", one(event(1, b"RRULE:FREQ=DAILY;INTERVAL=" + _digits(18)))
        ),
        _accepted(
            "rrule-daily-until-year-9999", one(event(1, b"RRULE:FREQ=DAILY;UNTIL=99991231T235959Z"))
        ),
        _refused(
            "rrule-yearly-no-date",
            one(event(1, b"RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")),
            "no dates at all",
        ),
        _refused(
            "rrule-secondly-count-12-digits",
            one(event(1, b"RRULE:FREQ=SECONDLY;COUNT=" + _digits(12))),
            "more often than daily",
        ),
        _refused(
            "rrule-secondly-no-date",
            one(event(1, b"RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30")),
            "more often than daily",
        ),
        _refused(
            "rrule-minutely-until-year-9999",
            one(event(1, b"RRULE:FREQ=MINUTELY;UNTIL=99991231T235959Z")),
            "more often than daily",
        ),
        _refused(
            "rrule-every-second-of-the-day",
            one(event(1, b"RRULE:FREQ=DAILY;BYMINUTE=" + b",".join(b"%d" % m for m in range(60)))),
            "more often than hourly",
        ),
        _refused(
            "rrule-until-month-13",
            one(event(1, b"RRULE:FREQ=DAILY;UNTIL=20271345")),
            "not a real date",
        ),
        # dates at the edges
        _refused(
            "year-9999",
            one(event(1, b"DTSTART:99991231T230000Z", b"DTEND:99991231T235959Z")),
            "out of range",
        ),
        _refused(
            "year-9999-no-end",
            one(event(1, b"DTSTART:99991231T235959Z", without=(b"DTEND",))),
            "out of range",
        ),
        _refused(
            "year-9999-all-day",
            one(event(1, b"DTSTART;VALUE=DATE:99991231", b"DTEND;VALUE=DATE:99991231")),
            "out of range",
        ),
        _refused(
            "duration-of-10^14-weeks",
            one(event(1, b"DURATION:P99999999999999W", without=(b"DTEND",))),
            "too long a duration",
        ),
        _refused(
            "year-0001",
            one(event(1, b"DTSTART:00010101T000000Z", b"DTEND:00010101T010000Z")),
            "out of range",
        ),
        _refused(
            "year-0001-local",
            one(
                event(
                    1,
                    b"DTSTART;TZID=America/New_York:00010101T000000",
                    b"DTEND;TZID=America/New_York:00010101T010000",
                )
            ),
            "out of range",
        ),
        _refused(
            "year-0001-all-day",
            one(event(1, b"DTSTART;VALUE=DATE:00010101", b"DTEND;VALUE=DATE:00010102")),
            "out of range",
        ),
        _refused(
            "year-0999-exdate",
            one(event(1, b"RRULE:FREQ=DAILY;COUNT=3", b"EXDATE:09990101T100000Z")),
            "out of range",
        ),
        _accepted(
            "year-0001-timestamps",
            one(
                event(
                    1,
                    b"DTSTAMP:00010101T000000Z",
                    b"CREATED:00010101T000000Z",
                    b"LAST-MODIFIED;TZID=Europe/Brussels:00010101T000000",
                )
            ),
        ),
        _accepted(
            "year-9999-timestamps-west-of-utc",
            one(event(1, b"LAST-MODIFIED;TZID=America/New_York:99991231T230000")),
        ),
        _accepted(
            "year-9999-in-the-morning",
            one(event(1, b"DTSTART:99991231T080000Z", b"DTEND:99991231T090000Z")),
        ),
        _refused(
            "year-9999-all-day-repeating",
            one(
                event(
                    1,
                    b"DTSTART;VALUE=DATE:99991230",
                    b"DTEND;VALUE=DATE:99991231",
                    b"RRULE:FREQ=DAILY;COUNT=5",
                )
            ),
            "out of range",
        ),
        _refused(
            "rrule-60th-monday",
            one(event(1, b"RRULE:FREQ=MONTHLY;BYDAY=+60MO")),
            "at most 5 of each weekday",
        ),
        _refused(
            "rrule-interval-0",
            one(event(1, b"RRULE:FREQ=DAILY;INTERVAL=0")),
            "not a whole number above 0",
        ),
        _refused("rrule-byeaster", one(event(1, b"RRULE:FREQ=YEARLY;BYEASTER=1000")), "BYEASTER"),
        _refused("year-0000", one(event(1, b"DTSTART:00000101T000000Z")), "not a real date"),
        # bytes
        _accepted("invalid-utf8", one(event(1, b"SUMMARY:caf\xe9 \xff\xfe \xc0\xaf \xed\xa0\x80"))),
        _refused("invalid-utf8-in-names", one(event(1, b"X-\xff\xfe:v")), "not a content line"),
        _refused("nul-at-start", b"\0" + one(event(1)), "binary"),
        _refused("nul-in-event", one(event(1, b"SUMMARY:a\0b", b"X-\0:\0")), "binary"),
        _accepted(
            "nul-as-the-whole-title",
            one(b"X-PAD:" + b"p" * 5000 + b"\r\n", event(1, b"SUMMARY:\0\0\0")),
        ),
        _accepted("cr-only", one(event(1), event(2)).replace(b"\r\n", b"\r"), added=2),
        _accepted("cr-only-folded", one(event(1, b"DESCRIPTION:a\r\n b")).replace(b"\r\n", b"\r")),
        _refused("utf-16", one(event(1)).decode().encode("utf-16"), "binary"),
        # nesting
        _accepted("nested-10000-in-event", one(event(1, _nested(10_000)))),
        _accepted("nested-10000-in-calendar", one(_nested(10_000), event(1))),
        _refused(
            "nested-10000-unclosed",
            one(event(1, _nested(10_000, closed=False))),
            "does not close X",
        ),
        Named(
            "nested-10000-vcalendars",
            lambda: iter((_nested(10_000, b"VCALENDAR") + one(event(1)),)),
        ),
        _accepted("nested-10000-in-vtimezone", one(deep_zone, _zoned(b"Custom Zone"))),
        _refused("end-without-begin", one(b"END:VEVENT\r\n", event(1)), "does not close VCALENDAR"),
        _refused("vevent-outside-vcalendar", one(event(1)) + event(2), "outside any VCALENDAR"),
        _refused(
            "vevent-before-vcalendar",
            event(2) + one(event(1)),
            "does not start with BEGIN:VCALENDAR",
        ),
        _refused(
            "unclosed-vcalendar",
            one(event(1))[: -len(b"END:VCALENDAR\r\n")],
            "ends inside VCALENDAR",
        ),
        _refused(
            "unclosed-vevent", one(event(1)[: -len(b"END:VEVENT\r\n")]), "does not close VEVENT"
        ),
        Named("vcalendar-in-vevent", lambda: iter((one(event(1, one(event(2)))),))),
        # custom time zones whose rules never end: read in the default zone
        _accepted(
            "custom-zone-secondly", one(CUSTOM_ZONE % b"FREQ=SECONDLY", _zoned(b"Custom Zone"))
        ),
        _accepted(
            "custom-zone-minutely-until-9999",
            one(CUSTOM_ZONE % b"FREQ=MINUTELY;UNTIL=99991231T000000Z", _zoned(b"Custom Zone")),
        ),
        _accepted(
            "custom-zone-yearly-count-huge",
            one(CUSTOM_ZONE % (b"FREQ=YEARLY;COUNT=" + _digits(12)), _zoned(b"Custom Zone")),
        ),
        _accepted(
            "custom-zone-daily-count-huge",
            one(CUSTOM_ZONE % (b"FREQ=DAILY;COUNT=" + _digits(9)), _zoned(b"Custom Zone")),
        ),
        # our own properties, damaged
        _accepted(
            "own-values-unknown",
            one(
                event(
                    1,
                    b"X-LIAISON-MODE:nonsense",
                    b"X-LIAISON-LEAD:?",
                    b"X-LIAISON-RELEASE:?",
                    b"X-LIAISON-ITERATION:\xc2\xb2",
                    b"X-LIAISON-DESCRIPTION-CHARS:" + _digits(5000),
                    b"X-LIAISON-PROPOSALS:\xc2\xb2",
                    b"SEQUENCE:" + _digits(5000),
                    b"X-LIAISON-AGENDA;X-DURATION=99999:Item",
                    b"X-LIAISON-ACTION;X-DUE=2025-13-45:Do it",
                )
            ),
        ),
        _refused(
            "own-exercise-damaged",
            one(event(1, b'X-LIAISON-EXERCISE:{"uid": "x"}', b'X-LIAISON-PHASE:{"uid": "p"}')),
            "X-LIAISON-EXERCISE",
        ),
        # volume
        Named(
            f"{calendars}-vcalendars-one-event-each",
            lambda: (one(event(n)) for n in range(calendars)),
            "accepted",
            added=calendars,
            events=calendars,
        ),
        Named(
            f"{calendars}-vcalendars-the-same-event",
            lambda: iter((one(event(1)) * calendars,)),
            "accepted",
            added=1,
            events=calendars,
        ),
        Named(
            f"{volume}-bare-events",
            lambda: bare_events(volume),
            "refused",
            "has no DTSTART",
            events=volume,
        ),
        Named(
            f"{accepted_volume}-tiny-events",
            lambda: tiny_events(accepted_volume),
            "accepted",
            added=accepted_volume,
            events=accepted_volume,
        ),
        Named(
            f"{accepted_volume}-tiny-events-the-last-broken",
            lambda: tiny_events(accepted_volume, broken_last=True),
            "refused",
            "has no DTSTART",
            events=accepted_volume,
        ),
    ]


# --- generated calendars (hypothesis) ------------------------------------------------------------

PROPERTY_NAMES = (
    "DTSTART", "DTEND", "DURATION", "SUMMARY", "UID", "RRULE", "EXDATE", "RDATE",
    "RECURRENCE-ID", "SEQUENCE", "DTSTAMP", "LAST-MODIFIED", "CREATED", "CATEGORIES",
    "ATTENDEE", "ORGANIZER", "LOCATION", "DESCRIPTION", "STATUS", "TZID", "TZOFFSETFROM",
    "TZOFFSETTO", "X-WR-TIMEZONE", "X-LIAISON-KIND", "X-LIAISON-TZ", "X-LIAISON-STRANDS",
    "X-LIAISON-PARTNERS", "X-LIAISON-SERIES", "X-LIAISON-ITERATION", "X-LIAISON-MODE",
    "X-LIAISON-LEAD", "X-LIAISON-STATUS", "X-LIAISON-MARKING", "X-LIAISON-RELEASE",
    "X-LIAISON-OUTCOMES", "X-LIAISON-PROPOSALS", "X-LIAISON-FLOATING",
    "X-LIAISON-DESCRIPTION-CHARS", "X-LIAISON-EXERCISE", "X-LIAISON-PHASE", "X-LIAISON-AGENDA",
    "X-LIAISON-ACTION",
)  # fmt: skip
PARAMETER_NAMES = (
    "TZID", "VALUE", "CN", "ROLE", "X-DURATION", "X-DUE", "X-STATUS", "X-LEAD", "X-NOTES",
    "X-OWNER", "X-LIAISON-SIDE", "X-LIAISON-ORG", "X-LIAISON-ROLE",
)  # fmt: skip
COMPONENT_NAMES = ("VEVENT", "VTIMEZONE", "STANDARD", "DAYLIGHT", "VALARM", "VTODO", "X-THING")


def calendars() -> Any:
    """A hypothesis strategy for .ics files: content lines with random names, parameters and
    values (dates at the edges of the calendar, durations, rules, text, numbers, bytes) in
    components nested at random, mostly in a VCALENDAR, sometimes broken by a mutator."""
    from hypothesis import strategies as st

    def pad(n: int, width: int) -> str:
        return str(n).zfill(width)

    years = st.sampled_from([0, 1, 2, 1969, 1970, 2026, 2038, 9998, 9999]) | st.integers(0, 9999)
    dates = st.builds(
        lambda y, m, d: pad(y, 4) + pad(m, 2) + pad(d, 2),
        years,
        st.integers(0, 13),
        st.integers(0, 32),
    )
    times = st.builds(
        lambda h, mi, sec, z: "T" + pad(h, 2) + pad(mi, 2) + pad(sec, 2) + z,
        st.integers(0, 25), st.integers(0, 61), st.integers(0, 61), st.sampled_from(["", "Z"]),
    )  # fmt: skip
    moments = st.builds(lambda d, t: d + t, dates, st.sampled_from([""]) | times)
    numbers = st.integers(-(10**20), 10**20).map(str) | st.sampled_from(["", "+", "²", "9" * 30])
    durations = st.builds(
        lambda sign, parts: sign + "P" + "".join(parts),
        st.sampled_from(["", "-", "+"]),
        st.lists(
            st.builds(lambda n, u: n + u, numbers, st.sampled_from(list("WDTHMS"))), max_size=4
        ),
    )
    rule_parts = st.builds(
        lambda k, v: f"{k}={v}",
        st.sampled_from(
            ["FREQ", "COUNT", "INTERVAL", "UNTIL", "BYDAY", "BYMONTH", "BYMONTHDAY", "BYSETPOS",
             "BYYEARDAY", "BYWEEKNO", "BYHOUR", "BYMINUTE", "BYSECOND", "WKST", "X"]
        ),
        st.sampled_from(["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY",
                         "YEARLY", "MO", "-1SU", "+60MO", "2", "30", "366", "53", "0", "-1"])
        | numbers | moments,
    )  # fmt: skip
    rules = st.lists(rule_parts, max_size=5).map(";".join)
    texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
    values = st.one_of(
        moments,
        st.lists(moments, min_size=1, max_size=3).map(",".join),
        durations,
        rules,
        numbers,
        texts,
        st.sampled_from(["Europe/Brussels", "Nowhere/Zone", "W. Europe Standard Time", "{}", "[]",
                         '{"uid": "e", "period_start": "2026-01-01", "period_end": "2025-01-01"}',
                         "mailto:a@example.eu", "TRUE", "CANCELLED", "video", "nato"]),
    )  # fmt: skip
    odd_names = ("X-A", "x", "1", "-", "A_B", "BEGIN", "END", "dtstart", "VEVENT")
    names = st.sampled_from(PROPERTY_NAMES + odd_names)
    params = st.lists(
        st.tuples(
            st.sampled_from(PARAMETER_NAMES + odd_names),
            values | st.builds(lambda t: f'"{t}"', texts),
        ),
        max_size=3,
    )
    lines = st.builds(
        lambda name, ps, value: name + "".join(f";{k}={v}" for k, v in ps) + ":" + value,
        names,
        params,
        values,
    )

    def component(children: Any) -> Any:
        return st.builds(
            lambda name, inner, closed: (
                [f"BEGIN:{name}", *inner] + ([f"END:{name}"] if closed else [])
            ),
            st.sampled_from(COMPONENT_NAMES),
            st.lists(children, max_size=4).map(lambda parts: [x for p in parts for x in p]),
            st.booleans() | st.just(True),
        )

    def as_list(line: str) -> list[str]:
        return [line]

    body = st.recursive(lines.map(as_list), component, max_leaves=6)
    events = st.builds(
        lambda inner: ["BEGIN:VEVENT", *inner, "END:VEVENT"],
        st.lists(body, max_size=8).map(lambda parts: [x for p in parts for x in p]),
    )

    def render(
        head: list[str], parts: list[list[str]], framed: bool, end: str, encoding: str
    ) -> bytes:
        content = [x for p in parts for x in p]
        if framed:
            content = ["BEGIN:VCALENDAR", *head, *content, "END:VCALENDAR"]
        return "".join(line + end for line in content).encode(encoding, "replace")

    files = st.builds(
        render,
        st.lists(lines, max_size=4),
        st.lists(events | body, max_size=4),
        st.booleans() | st.just(True),
        st.sampled_from(["\r\n", "\r\n", "\n", "\r"]),
        st.sampled_from(["utf-8", "utf-8", "latin-1", "utf-16"]),
    )

    def damage(data: bytes, how: str | None, seed: int) -> bytes:
        return data if how is None else MUTATORS[how](random.Random(seed), data)

    return st.builds(
        damage,
        files,
        st.none() | st.none() | st.sampled_from(sorted(MUTATORS)),
        st.integers(0, 2**32),
    )


# --- the guarded importer ------------------------------------------------------------------------


@dataclass
class Outcome:
    """What importing one file did."""

    name: str
    verdict: str  # accepted, refused, failure (an exception that is not the app's), hang, died
    seconds: float = 0.0
    message: str = ""  # the refusal's message, or the failure's traceback
    error: str = ""  # the exception's type
    unchanged: bool | None = None  # for a refused import or a dry run: the calendar as it was
    peak_kb: int = 0  # peak resident memory of the importing process, for this file
    worker_peak_kb: int = 0  # of the process parsing big files, the largest so far
    added: int = 0
    longest_note: int = 0  # characters of the longest repair, reason or title the report gives
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def memory_bound_kb(events: int = 1) -> int:
    return MEMORY_BOUND_KB + KB_PER_EVENT * events


def judge(outcome: Outcome, path: str, events: int = 1) -> Outcome:
    """Fill ``outcome.problems``: anything but a clean acceptance or refusal of a file of
    ``events`` events (or fewer)."""
    problems = outcome.problems
    if outcome.verdict not in ("accepted", "refused"):
        what = " ".join(filter(None, (outcome.error, outcome.message[-2000:])))
        problems.append(f"{outcome.verdict}: {what}")
        return outcome
    if outcome.verdict == "refused":
        message = outcome.message
        if not message.strip():
            problems.append(f"refused without a message ({outcome.error})")
        if "\n" in message or "\r" in message:
            problems.append(f"refused with a message of several lines: {message[:300]!r}")
        if len(message.replace(path, "")) > MESSAGE_LIMIT:
            problems.append(f"refused with a {len(message)}-character message: {message[:300]!r}")
        if "Traceback" in message:
            problems.append(f"a traceback in the message: {message[:300]!r}")
    if outcome.longest_note > MESSAGE_LIMIT:
        problems.append(f"a {outcome.longest_note}-character repair, reason or title in the report")
    if outcome.unchanged is False:
        problems.append("the calendar changed although nothing was imported")
    bound = memory_bound_kb(events)
    if max(outcome.peak_kb, outcome.worker_peak_kb) > bound:
        problems.append(
            f"peak memory {max(outcome.peak_kb, outcome.worker_peak_kb) // 1024} MiB, above "
            f"{bound // 1024} MiB"
        )
    return outcome


class GuardedImporter:
    """A worker process importing files one at a time; restarted after a hang or a crash."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self._proc: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self.started = 0

    def __enter__(self) -> "GuardedImporter":
        self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def demo(self) -> bytes:
        """The sample calendar as exported, a realistic seed (made by the first worker)."""
        return (self.workdir / "demo.ics").read_bytes()

    def _start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.hostile", "worker", str(self.workdir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=env,
            start_new_session=True,  # killed with the process parsing for it, if any
        )
        self._buffer = b""
        self.started += 1
        ready = self._reply(120.0)
        if ready is None or ready.get("ready") is not True:
            self.stop()
            raise RuntimeError(f"the import worker did not start: {ready}")

    def stop(self) -> None:
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                pipe.close()

    def _reply(self, timeout: float) -> dict[str, Any] | None:
        """The worker's next line, or None if it gave none within ``timeout`` or died."""
        assert self._proc is not None
        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        found: dict[str, Any] = json.loads(line)
        return found

    def run(
        self,
        path: Path,
        *,
        name: str | None = None,
        time_limit: float = TIME_LIMIT_S,
        on_error: str = "abort",
        dry_run: bool = False,
        limit_mb: int | None = None,
        events: int = 1,
    ) -> Outcome:
        """Import ``path`` in the worker; a hang (no answer within ``time_limit``, plus
        ``SECONDS_PER_MB`` for each MB of the file) or a worker that dies is an outcome too,
        and the worker is started again for the next.

        A file of many ``events`` (10,000 or more) gets a fresh worker: memory an earlier
        file left to the process would count in its peak."""
        name = name or path.name
        time_limit += SECONDS_PER_MB * path.stat().st_size / 2**20
        if events >= 10_000:
            self.stop()
        if self._proc is None:
            self._start()
        assert self._proc is not None
        assert self._proc.stdin is not None
        request = {"path": str(path), "on_error": on_error, "dry_run": dry_run, "limit": limit_mb}
        started = time.monotonic()
        try:
            self._proc.stdin.write(json.dumps(request).encode() + b"\n")
            self._proc.stdin.flush()
            reply = self._reply(time_limit)
        except BrokenPipeError:
            reply = None
        if reply is None:
            try:  # it may be ending: its pipe closed a moment before it exits
                code: int | None = self._proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
            self.stop()
            verdict = "hang" if code is None else "died"
            what = (
                f"no answer within {time_limit:.1f} s"
                if code is None
                else f"the worker died (exit status {code})"
            )
            outcome = Outcome(name, verdict, time.monotonic() - started, what)
            return judge(outcome, str(path), events)
        reply.pop("ready", None)
        outcome = Outcome(name=name, **reply)
        if outcome.verdict not in ("accepted", "refused"):
            self.stop()  # whatever state it is in, the next file gets a fresh worker
        return judge(outcome, str(path), events)


# --- the worker ----------------------------------------------------------------------------------


def _digest(db: Path) -> str:
    """The calendar's content: its schema and every row of every table, not the file's bytes
    (which a refused import may change: the WAL, a checkpoint)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        tables = conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
        for name, sql in tables:
            digest.update(repr((name, sql)).encode())
            if sql and sql.upper().startswith("CREATE TABLE"):
                for row in conn.execute(f'SELECT * FROM "{name}"'):
                    digest.update(repr(row).encode())
        return digest.hexdigest()
    finally:
        conn.close()


def _peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0  # pragma: no cover - Linux has VmHWM


def _reset_peak() -> None:
    with contextlib.suppress(OSError):  # resets VmHWM (Linux 4.0+)
        Path("/proc/self/clear_refs").write_text("5")


def _traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))[-20_000:]


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def worker(workdir: Path) -> None:  # pragma: no cover - runs in the child process
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever the app prints goes to stderr, never into the replies

    import shutil
    from datetime import UTC, datetime, timedelta

    from liaison_calendar.domain.clock import FixedClock
    from liaison_calendar.errors import LiaisonError
    from liaison_calendar.services.context import Services
    from liaison_calendar.services.feeds import ExportScope
    from liaison_calendar.services.importer import ImportOptions

    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    clock = FixedClock(now)
    base = workdir / "base.db"
    if not base.exists():
        from liaison_calendar.services.demo import seed_demo

        making = workdir / "making.db"
        _remove_db(making)
        svc = Services.open(making, clock)
        seed_demo(svc)
        (workdir / "demo.ics").write_bytes(svc.feeds.export_bytes(ExportScope()))
        svc.close()
        sqlite3.connect(making).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        os.replace(making, base)
        _remove_db(making)
    work = workdir / "work.db"
    baseline = _digest(base)
    replies.write(json.dumps({"ready": True}) + "\n")
    for request_line in sys.stdin:
        request = json.loads(request_line)
        if request["on_error"] == "exit":  # for the test of the guard itself
            os._exit(3)
        _remove_db(work)
        shutil.copyfile(base, work)
        svc = Services.open(work, clock)
        before = baseline
        if request.get("limit"):  # a file above the import limit, imported all the same
            svc.catalog.set_setting("import_limit_mb", request["limit"])
            before = _digest(work)
        reply: dict[str, Any] = {}
        _reset_peak()
        started = time.perf_counter()
        try:
            if request["on_error"] == "crash":  # for the test of the guard itself
                raise RuntimeError("a crash the test of the guard asked for")
            report = svc.importer.import_files(
                [Path(request["path"])],
                ImportOptions(on_error=request["on_error"], dry_run=request["dry_run"]),
            )
            notes = [r for _, r in report.repairs]
            notes += [
                t for i in report.items if i.outcome == "skipped" for t in (i.reason, i.title)
            ]
            reply.update(
                verdict="accepted",
                added=report.count("added"),
                longest_note=max(map(len, notes), default=0),
            )
        except LiaisonError as exc:
            reply.update(verdict="refused", error=type(exc).__name__, message=exc.message)
        except BaseException as exc:  # noqa: BLE001 - what the test is looking for
            reply.update(verdict="failure", error=type(exc).__name__, message=_traceback(exc))
        else:
            try:  # the calendar still reads: the months around today show what was imported
                svc.queries.occurrences(now - timedelta(days=400), now + timedelta(days=400))
            except BaseException as exc:  # noqa: BLE001 - an import that breaks the calendar
                what = f"{type(exc).__name__} reading the calendar after the import"
                reply.update(verdict="failure", error=what, message=_traceback(exc))
        finally:
            reply["seconds"] = time.perf_counter() - started
            reply["peak_kb"] = _peak_kb()
            reply["worker_peak_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            svc.close()
        if reply["verdict"] == "refused" or request["dry_run"]:
            reply["unchanged"] = _digest(work) == before
        replies.write(json.dumps(reply) + "\n")


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:2] == ["worker"]:
        worker(Path(sys.argv[2]))
