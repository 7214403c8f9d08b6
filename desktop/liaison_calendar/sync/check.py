"""What every resource we upload must be, checked before it leaves: some servers store
anything, and every other client of the calendar then chokes on it.

The same rules our feeds are held to (RFC 5545 lines, a VTIMEZONE for every TZID, a parser
reads it back without complaint), plus RFC 4791's for a stored resource: one UID, no METHOD.
"""

import re

_TZID = re.compile(r";TZID=(\"[^\"]*\"|[^;:]*)")


def problems(data: bytes) -> list[str]:
    """What is wrong with ``data`` as a CalDAV calendar object resource; empty when nothing."""
    found: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        found.append("it starts with a byte order mark")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ["it is not UTF-8"]
    if not text.endswith("\r\n"):
        return ["it does not end with CRLF"]
    physical = text[:-2].split("\r\n")
    for number, line in enumerate(physical, 1):
        if "\n" in line or "\r" in line:
            found.append(f"line {number} has a bare line break")
        if len(line.encode("utf-8")) > 75:
            found.append(f"line {number} is longer than 75 octets")
    logical = text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]
    if not logical or logical[0] != "BEGIN:VCALENDAR" or logical[-1] != "END:VCALENDAR":
        found.append("it is not one VCALENDAR")
    names = [line.split(":", 1)[0].split(";", 1)[0].upper() for line in logical]
    if "METHOD" in names:
        found.append("it has a METHOD, which a stored resource must not")
    for required in ("VERSION", "PRODID"):
        if required not in names:
            found.append(f"it has no {required}")
    uids = {line.split(":", 1)[1] for line in logical if line.upper().startswith("UID:")}
    if len(uids) != 1:
        found.append(f"it holds {len(uids)} UIDs, not one")
    defined: set[str] = set()
    inside: list[str] = []
    for line in logical:
        upper = line.upper()
        if upper.startswith("BEGIN:"):
            inside.append(upper[6:])
        elif upper.startswith("END:") and inside:
            inside.pop()
        elif upper.startswith("TZID:") and inside and inside[-1] == "VTIMEZONE":
            defined.add(line.split(":", 1)[1])
    used = {m.group(1).strip('"') for line in logical for m in _TZID.finditer(line.split(":")[0])}
    for tzid in sorted(used - defined):
        found.append(f"TZID {tzid} has no VTIMEZONE")
    if not found:
        found.extend(_parsed_problems(data))
    return found


def _parsed_problems(data: bytes) -> list[str]:
    import icalendar

    try:
        cal = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        return [f"it cannot be read back ({exc})"]
    out = []
    events = cal.walk("VEVENT")
    if not events:
        out.append("it holds no VEVENT")
    for component in cal.walk():
        for prop, error in getattr(component, "errors", []):
            out.append(f"{component.name} {prop}: {error}")
    for event in events:
        for name in ("UID", "DTSTAMP", "DTSTART"):
            if name not in event:
                out.append(f"a VEVENT has no {name}")
    return out
