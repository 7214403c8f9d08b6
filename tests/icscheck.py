"""The independent checks every exported file must pass: icalendar, ical (strict), vobject."""

import icalendar
import vobject
from ical.calendar_stream import IcsCalendarStream


def lines_of(data: bytes) -> list[bytes]:
    """Physical lines, each checked to end with CRLF."""
    assert data.endswith(b"\r\n")
    body = data[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in body)
    return body


def unfolded(data: bytes) -> list[str]:
    """Logical content lines (RFC 5545 unfolding)."""
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def validate(data: bytes) -> icalendar.Calendar:
    """Parse ``data`` with three independent libraries; fail on any recorded problem."""
    assert not data.startswith(b"\xef\xbb\xbf"), "no BOM"
    for line in lines_of(data):
        assert len(line) <= 75, f"line longer than 75 octets: {line!r}"
        line.decode("utf-8")  # a fold never splits a character
    cal = icalendar.Calendar.from_ical(data)
    problems = [(c.name, c.errors) for c in cal.walk() if getattr(c, "errors", None)]
    assert not problems, problems
    text = data.decode("utf-8")
    IcsCalendarStream.calendar_from_ics(text)  # raises on anything strict mode refuses
    parsed = vobject.readOne(text, validate=True)
    assert len(parsed.contents.get("vevent", [])) == len(cal.walk("VEVENT"))
    return cal
