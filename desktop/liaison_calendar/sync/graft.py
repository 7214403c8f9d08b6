"""What another client wrote into an event that the calendar has no field for, kept when we
send the event back: its alarms (VALARM), TRANSP, CLASS, URL, X-MOZ-*, X-APPLE-*...

We upload our own text of a meeting. Without this, the first edit here of an event made in
Thunderbird or Apple Calendar would take its reminders and everything else we do not model
off the server, for everyone. Each VEVENT (the series, or one changed occurrence by its
RECURRENCE-ID) gets back the unknown properties and sub-components of the same VEVENT of the
server's last version.
"""

# Every property our own VEVENT text may hold, and those the importer reads from others.
KNOWN = frozenset(
    {
        "UID", "DTSTAMP", "CREATED", "LAST-MODIFIED", "SEQUENCE", "DTSTART", "DTEND",
        "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "STATUS", "SUMMARY",
        "LOCATION", "DESCRIPTION", "CATEGORIES", "ORGANIZER", "ATTENDEE", "RELATED-TO",
    }
)  # fmt: skip


def _logical(text: str) -> list[list[str]]:
    """Physical lines grouped into logical lines (a line and its folded continuations)."""
    out: list[list[str]] = []
    for line in text.split("\r\n"):
        if line[:1] in (" ", "\t") and out:
            out[-1].append(line)
        elif line:
            out.append([line])
    return out


def _name(group: list[str]) -> str:
    head = "".join(part[1:] if i else part for i, part in enumerate(group))
    return head.split(":", 1)[0].split(";", 1)[0].upper()


def _value(group: list[str]) -> str:
    head = "".join(part[1:] if i else part for i, part in enumerate(group))
    return head.split(":", 1)[1] if ":" in head else ""


def _extras(server: str) -> dict[str, list[str]]:
    """Per VEVENT of ``server`` (keyed by its RECURRENCE-ID value, "" for the series): the
    physical lines we would otherwise drop."""
    found: dict[str, list[str]] = {}
    depth = 0
    key = ""
    kept: list[str] = []
    in_event = False
    for group in _logical(server):
        name = _name(group)
        value = _value(group).strip().upper()
        if name == "BEGIN":
            depth += 1
            if depth == 2 and value == "VEVENT":
                in_event, key, kept = True, "", []
                continue
        if in_event and depth == 2 and name == "END" and value == "VEVENT":
            found.setdefault(key, []).extend(kept)
            in_event = False
            depth -= 1
            continue
        if name == "END":
            if in_event and depth > 2:
                kept.extend(group)
            depth -= 1
            continue
        if not in_event:
            continue
        if depth > 2 or (name == "BEGIN" and depth == 3):
            kept.extend(group)  # inside a VALARM (or any sub-component): all of it
        elif name == "RECURRENCE-ID":
            key = _digits(_value(group))
        elif name not in KNOWN and not name.startswith("X-LIAISON-"):
            kept.extend(group)
    return found


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit() or ch == "T")


def keep_theirs(ours: bytes, server: bytes | None) -> bytes:
    """``ours`` with what ``server`` (the server's last version) held that ours cannot say."""
    if not server:
        return ours
    try:
        extras = _extras(server.decode("utf-8"))
        text = ours.decode("utf-8")
    except UnicodeDecodeError:
        return ours
    if not any(extras.values()):
        return ours
    out: list[str] = []
    key = ""
    depth = 0
    for group in _logical(text):
        name = _name(group)
        value = _value(group).strip().upper()
        if name == "BEGIN":
            depth += 1
            if value == "VEVENT":
                key = ""
        elif name == "RECURRENCE-ID":
            key = _digits(_value(group))
        elif name == "END":
            if value == "VEVENT" and depth == 2:
                out.extend(extras.get(key, []))
            depth -= 1
        out.extend(group)
    return ("\r\n".join(out) + "\r\n").encode("utf-8")
