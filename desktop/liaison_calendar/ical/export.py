"""Meetings and exercise phases as VEVENT text, and whole VCALENDAR files around them.

Everything here is pure: read models in, text out. Each VEVENT is built on its own so that the
publishing service can keep it and assemble feeds from stored text; the calendar around them
(header, VTIMEZONEs, order) is deterministic, so the same data gives the same bytes.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from liaison_calendar import __version__
from liaison_calendar.domain.enums import LeadSide, Mode, Privacy, ReleaseLevel, Status
from liaison_calendar.domain.models import Exercise, MeetingDetail, Moment, Phase
from liaison_calendar.domain.recurrence import first_start, occurrence_key, parse_occurrence_key
from liaison_calendar.domain.text import clean_text
from liaison_calendar.domain.timezones import zone
from liaison_calendar.errors import ValidationError
from liaison_calendar.ical.lines import (
    date_stamp,
    escape_text,
    fold,
    local_stamp,
    param_value,
    text_list,
    utc_stamp,
)
from liaison_calendar.ical.vtimezone import vtimezone

PRODID = f"-//Liaison Calendar//Liaison Calendar {__version__}//EN"
BUSY_UID_DOMAIN = "busy.liaison-calendar"
END_EVENT = "END:VEVENT\r\n"

STATUS_WORDS = {
    Status.TENTATIVE: "TENTATIVE",
    Status.CONFIRMED: "CONFIRMED",
    Status.POSTPONED: "TENTATIVE",
    Status.CANCELLED: "CANCELLED",
}
TITLE_PREFIXES = {Status.CANCELLED: "Cancelled: ", Status.POSTPONED: "Postponed: "}
"""Outlook shows a CANCELLED item like any other, so the title says it too."""


@dataclass(frozen=True)
class Names:
    """Display names for the keys that meetings carry (CATEGORIES use names, not keys)."""

    kinds: Mapping[str, str]
    strands: Mapping[str, str]

    def kind(self, key: str) -> str:
        return self.kinds.get(key, key)

    def strand(self, key: str) -> str:
        return self.strands.get(key, key)


@dataclass(frozen=True)
class PhaseOf:
    """An exercise phase with its exercise: what a phase VEVENT (or a phase's meeting) tells."""

    exercise: Exercise
    phase: Phase

    @property
    def position(self) -> int:
        return self.exercise.phases.index(self.phase)


@dataclass(frozen=True)
class Header:
    title: str
    refresh_minutes: int = 60
    description: str = ""


# --- small writers -----------------------------------------------------------------------------


def _moment(name: str, value: Moment, tz: str) -> str:
    if isinstance(value, datetime):
        local = value.astimezone(zone(tz))
        return f"{name};TZID={param_value(tz)}:{local_stamp(local)}\r\n"
    return f"{name};VALUE=DATE:{date_stamp(value)}\r\n"


def _text(name: str, value: str) -> str:
    """``NAME:value``, or nothing when the value is empty once escaped (omit empty ones)."""
    escaped = escape_text(value)
    return fold(f"{name}:{escaped}") if escaped else ""


def _json(name: str, value: object) -> str:
    data = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return fold(f"{name}:{escape_text(data)}")


def _plain(value: str) -> str:
    """Text as a TEXT value carries it: one kind of line break, no other control characters."""
    return clean_text(value)


def _start_fits_rule(m: MeetingDetail) -> bool:
    """Whether the meeting's start is the first date its rule gives (refused otherwise since
    revision 0002, but calendars written before may hold such a meeting)."""
    assert m.rrule is not None
    try:
        first = first_start(m.rrule, m.start, m.tz)
    except ValidationError:
        return True
    return first is None or occurrence_key(first) == occurrence_key(m.start)


def busy_uid(uid: str) -> str:
    """The UID a busy-only feed shows: stable, but it tells nothing of the real one."""
    digest = hashlib.sha256(uid.encode("utf-8")).hexdigest()[:32]
    return f"{digest}@{BUSY_UID_DOMAIN}"


def export_rrule(rule: str, start: Moment, tz: str) -> str:
    """The RRULE as written to a file: FREQ first, UNTIL in UTC (timed) or a DATE (all-day)."""
    parts = [p for p in rule.strip().removeprefix("RRULE:").split(";") if p]
    freq = [p for p in parts if p.upper().startswith("FREQ=")]
    rest = [p for p in parts if not p.upper().startswith("FREQ=")]
    out = []
    for part in freq + rest:
        key, _, value = part.partition("=")
        if key.upper() == "UNTIL":
            value = _until(value, start, tz)
        out.append(f"{key.upper()}={value.upper()}")
    return ";".join(out)


def _until(value: str, start: Moment, tz: str) -> str:
    text = value.strip().upper()
    if isinstance(start, datetime):
        if text.endswith("Z"):
            return text
        if "T" in text:
            local = _wall(text).replace(tzinfo=zone(tz))
        else:  # a date: the whole of that day in the meeting's zone
            local = datetime.combine(_day(text), time(23, 59, 59)).replace(tzinfo=zone(tz))
        return utc_stamp(local)
    if "T" in text:
        moment = _wall(text.rstrip("Z"))
        if text.endswith("Z"):
            moment = moment.replace(tzinfo=UTC).astimezone(zone(tz)).replace(tzinfo=None)
        return date_stamp(moment.date())
    return text


def _wall(text: str) -> datetime:
    """``20240612T093000`` as a naive wall-clock time."""
    year, month, day = int(text[0:4]), int(text[4:6]), int(text[6:8])
    hour, minute, second = int(text[9:11]), int(text[11:13]), int(text[13:15])
    return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001


def _day(text: str) -> date:
    return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))


def agenda_text(m: MeetingDetail, with_people: bool) -> str:
    """The agenda as plain text lines: clock times, title, lead and duration."""
    lines = []
    for item in m.agenda:
        clock = f"{item.starts:%H:%M}–{item.ends:%H:%M}  " if item.starts and item.ends else ""
        lead = f" — {item.lead}" if with_people and item.lead else ""
        lines.append(f"{clock}{item.title}{lead} ({item.duration_min} min)")
    if m.overrun:
        lines.append(f"The agenda runs {int(m.overrun.total_seconds() // 60)} min past the end.")
    return "\n".join(lines)


def description_text(m: MeetingDetail, with_people: bool) -> str:
    # Sections are chosen on the text as the file can carry it (no control characters), so
    # that a text made only of those adds nothing here, as it adds nothing to its X- property.
    description, outcomes, marking = (clean_text(t) for t in (m.description, m.outcomes, m.marking))
    sections = []
    if description:
        sections.append(description)
    if m.agenda:
        sections.append("Agenda:\n" + agenda_text(m, with_people))
    if outcomes:
        sections.append("Outcomes:\n" + outcomes)
    if marking:
        sections.append(f"Handling: {marking}")
    return "\n\n".join(sections)


def _role(role: str) -> str:
    return "CHAIR" if "chair" in role.casefold() else "REQ-PARTICIPANT"


def mail_address(email: str) -> str:
    """The e-mail address a participant's ``email`` gives, or "" when it cannot be one.

    A ``mailto:`` value is a URI, written as it is (TEXT escaping does not apply to it): an
    "address" holding a line break would end its line, and what follows would become
    properties or whole components of its own (``END:VEVENT``, ``BEGIN:VEVENT``...). An address
    has one "@" word and no spaces; anything else is left out of the file.
    """
    address = clean_text(email).strip()
    if "@" not in address or len(address.split()) != 1:
        return ""
    return address


def _address(email: str, name: str) -> str:
    if address := mail_address(email):
        return f"mailto:{address}"
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    return f"urn:x-liaison:participant:{digest}"


def _params(**values: str | None) -> str:
    """``;X-NAME=value`` for each non-empty value (names given with ``_`` for ``-``)."""
    written = ((name.replace("_", "-"), param_value(value or "")) for name, value in values.items())
    return "".join(f";{name}={value}" for name, value in written if value)


def _people(m: MeetingDetail) -> list[str]:
    """ORGANIZER and ATTENDEEs; the X- parameters keep what a re-import needs."""
    lines = []
    chair = next(
        (p for p in m.participants if _role(p.role) == "CHAIR" and mail_address(p.email)), None
    )
    if chair is not None:
        lines.append(fold(f"ORGANIZER;CN={param_value(chair.name)}:{_address(chair.email, '')}"))
    for p in m.participants:
        params = f";CN={param_value(p.name)};ROLE={_role(p.role)}" + _params(
            X_LIAISON_ORG=p.organisation, X_LIAISON_SIDE=str(p.side), X_LIAISON_ROLE=p.role
        )
        lines.append(fold(f"ATTENDEE{params}:{_address(p.email, p.name)}"))
    return lines


def _phase_props(link: PhaseOf) -> list[str]:
    ex, ph = link.exercise, link.phase
    return [
        fold(f"RELATED-TO;RELTYPE=PARENT:{escape_text(ex.uid)}"),
        _json(
            "X-LIAISON-EXERCISE",
            {
                "uid": ex.uid,
                "name": ex.name,
                "programme": ex.programme,
                "period_start": ex.period_start.isoformat(),
                "period_end": ex.period_end.isoformat(),
                "description": ex.description,
                "strands": list(ex.strands),
                "marking": ex.marking,
                "release_level": str(ex.release_level),
            },
        ),
        _json(
            "X-LIAISON-PHASE",
            {
                "uid": ph.uid,
                "name": ph.name,
                "type": str(ph.phase_type),
                "part": str(ph.part),
                "start": ph.start.isoformat(),
                "end": ph.end.isoformat(),
                "location": ph.location,
                "position": link.position,
            },
        ),
    ]


# --- VEVENTs -----------------------------------------------------------------------------------


def meeting_vevent(
    m: MeetingDetail,
    names: Names,
    privacy: Privacy,
    *,
    master_tz: str | None = None,
    phase: PhaseOf | None = None,
) -> str:
    """One meeting (a single meeting, a recurring master or an override) as a VEVENT.

    ``master_tz`` is the zone of the recurring master, for an override's RECURRENCE-ID.
    """
    busy = privacy is Privacy.BUSY
    full = privacy is Privacy.FULL
    out = ["BEGIN:VEVENT\r\n"]
    out.append(fold(f"UID:{escape_text(busy_uid(m.uid) if busy else m.uid)}"))
    out.append(f"DTSTAMP:{utc_stamp(m.modified)}\r\n")
    if not busy:
        out.append(f"CREATED:{utc_stamp(m.created)}\r\n")
        out.append(f"LAST-MODIFIED:{utc_stamp(m.modified)}\r\n")
    out.append(f"SEQUENCE:{m.sequence}\r\n")
    out.append(_moment("DTSTART", m.start, m.tz))
    out.append(_moment("DTEND", m.end, m.tz))
    if m.rrule:
        out.append(fold(f"RRULE:{export_rrule(m.rrule, m.start, m.tz)}"))
        exdates = sorted(m.exdates, key=_order)
        if not _start_fits_rule(m):
            # RFC 5545 counts DTSTART as an occurrence even off the rule; the app does not.
            exdates.insert(0, m.start)
        out.extend(_moment("RDATE", x, m.tz) for x in sorted(m.rdates, key=_order))
        out.extend(_moment("EXDATE", x, m.tz) for x in exdates)
    if m.recurrence_id is not None:
        out.append(_moment("RECURRENCE-ID", m.recurrence_id, master_tz or m.tz))
    out.append(f"STATUS:{STATUS_WORDS[m.status]}\r\n")
    if busy:
        out.append("SUMMARY:Busy\r\n")
        out.append(END_EVENT)
        return "".join(out)
    out.append(_text("SUMMARY", TITLE_PREFIXES.get(m.status, "") + m.title))
    out.append(_text("LOCATION", m.location))
    description = description_text(m, with_people=full)
    out.append(_text("DESCRIPTION", description))
    categories = [names.kind(m.kind), *(names.strand(s) for s in m.strands)]
    out.append(fold(f"CATEGORIES:{text_list(categories)}"))
    if full:
        out.extend(_people(m))
    if phase is not None:
        out.extend(_phase_props(phase))
    out.append(_text("X-LIAISON-KIND", m.kind))
    # One property per value: a server that stores through vobject (Radicale) keeps only the
    # first value of an X- property holding a comma-separated list.
    out.extend(fold(f"X-LIAISON-STRANDS:{escape_text(key)}") for key in m.strands)
    out.extend(fold(f"X-LIAISON-PARTNERS:{escape_text(name)}") for name in m.partners)
    if m.series:
        out.append(_text("X-LIAISON-SERIES", m.series))
        if m.iteration is not None:
            out.append(f"X-LIAISON-ITERATION:{m.iteration}\r\n")
    # Only what STATUS and the defaults (in person, co-chaired, staff) do not already say.
    if m.status is Status.POSTPONED:
        out.append(f"X-LIAISON-STATUS:{m.status}\r\n")
    if m.mode is not Mode.IN_PERSON:
        out.append(f"X-LIAISON-MODE:{m.mode}\r\n")
    if m.lead_side is not LeadSide.CO_CHAIRED:
        out.append(f"X-LIAISON-LEAD:{m.lead_side}\r\n")
    if m.release_level is not ReleaseLevel.STAFF:
        out.append(f"X-LIAISON-RELEASE:{m.release_level}\r\n")
    out.append(_text("X-LIAISON-MARKING", m.marking))
    out.append(_text("X-LIAISON-TZ", m.tz))
    if m.floating:
        out.append("X-LIAISON-FLOATING:TRUE\r\n")
    own = _plain(m.description)
    if len(_plain(description)) > len(own):
        # DESCRIPTION starts with the meeting's own text; say where it ends instead of
        # repeating it.
        out.append(f"X-LIAISON-DESCRIPTION-CHARS:{len(own)}\r\n")
    out.append(_text("X-LIAISON-OUTCOMES", m.outcomes))
    out.extend(f"X-LIAISON-PROPOSALS:{n}\r\n" for n in m.proposals)
    for item in m.agenda:
        params = _params(
            X_DURATION=str(item.duration_min),
            X_LEAD=item.lead if full else "",
            X_NOTES=item.notes,
        )
        out.append(fold(f"X-LIAISON-AGENDA{params}:{escape_text(item.title)}"))
    for act in m.actions:
        params = _params(
            X_STATUS=str(act.status),
            X_DUE=act.due.isoformat() if act.due else "",
            X_OWNER=act.owner if full else "",
        )
        out.append(fold(f"X-LIAISON-ACTION{params}:{escape_text(act.text)}"))
    out.append(END_EVENT)
    return "".join(out)


def phase_vevent(link: PhaseOf, names: Names, privacy: Privacy) -> str:
    """An exercise phase that has no meeting of its own, as an all-day VEVENT."""
    ex, ph = link.exercise, link.phase
    busy = privacy is Privacy.BUSY
    out = ["BEGIN:VEVENT\r\n"]
    out.append(fold(f"UID:{escape_text(busy_uid(ph.uid) if busy else ph.uid)}"))
    out.append(f"DTSTAMP:{utc_stamp(max(ph.modified, ex.modified))}\r\n")
    out.append(f"SEQUENCE:{ph.sequence}\r\n")
    out.append(f"DTSTART;VALUE=DATE:{date_stamp(ph.start)}\r\n")
    out.append(f"DTEND;VALUE=DATE:{date_stamp(ph.end)}\r\n")
    out.append("STATUS:CONFIRMED\r\n")
    if busy:
        out.append("SUMMARY:Busy\r\n")
        out.append(END_EVENT)
        return "".join(out)
    out.append(_text("SUMMARY", f"{ex.name}: {ph.name}"))
    out.append(_text("LOCATION", ph.location))
    about = [f"{ex.programme}" if ex.programme else "", ex.description]
    if ex.marking:
        about.append(f"Handling: {ex.marking}")
    out.append(_text("DESCRIPTION", "\n\n".join(a for a in about if a)))
    categories = [names.kind("exercise-phase"), *(names.strand(s) for s in ex.strands)]
    out.append(fold(f"CATEGORIES:{text_list(categories)}"))
    out.extend(_phase_props(link))
    out.append("X-LIAISON-KIND:exercise-phase\r\n")
    out.append(f"X-LIAISON-RELEASE:{ex.release_level}\r\n")
    out.append(_text("X-LIAISON-MARKING", ex.marking))
    out.append(END_EVENT)
    return "".join(out)


def with_exdates(vevent: str, keys: Sequence[str], tz: str, all_day: bool) -> str:
    """A stored VEVENT with more EXDATEs: occurrences whose override this feed may not show."""
    extra = []
    for key in sorted(keys):
        moment = parse_occurrence_key(key)
        if all_day and isinstance(moment, datetime):
            moment = moment.date()
        extra.append(_moment("EXDATE", moment, tz))
    assert vevent.endswith(END_EVENT)
    return vevent[: -len(END_EVENT)] + "".join(extra) + END_EVENT


def _order(value: Moment) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.combine(value, time.min, tzinfo=UTC)


# --- the calendar ------------------------------------------------------------------------------


def header_text(header: Header) -> str:
    minutes = max(1, header.refresh_minutes)
    duration = f"PT{minutes // 60}H" if minutes % 60 == 0 else f"PT{minutes}M"
    lines = [
        "BEGIN:VCALENDAR\r\n",
        "VERSION:2.0\r\n",
        fold(f"PRODID:{PRODID}"),
        "CALSCALE:GREGORIAN\r\n",
        "METHOD:PUBLISH\r\n",
        _text("NAME", header.title),
        _text("X-WR-CALNAME", header.title),
        _text("DESCRIPTION", header.description),
        _text("X-WR-CALDESC", header.description),
        f"REFRESH-INTERVAL;VALUE=DURATION:{duration}\r\n",
        f"X-PUBLISHED-TTL:{duration}\r\n",
    ]
    return "".join(lines)


FOOTER = "END:VCALENDAR\r\n"


def zone_floor(earliest: datetime) -> datetime:
    """Where a VTIMEZONE must start to cover ``earliest``: 1 January of the year before it.

    Rounding keeps the VTIMEZONE the same while events come and go within a year.
    """
    return datetime(earliest.astimezone(UTC).year - 1, 1, 1, tzinfo=UTC)


def timezones_text(earliest: Mapping[str, datetime]) -> str:
    """One VTIMEZONE per TZID, in name order, each valid from the earliest event in it."""
    return "".join(vtimezone(tz, zone_floor(earliest[tz])) for tz in sorted(earliest))


def calendar_chunks(
    header: Header, earliest: Mapping[str, datetime], events: Iterable[bytes]
) -> Iterator[bytes]:
    """A whole VCALENDAR as UTF-8 byte chunks (no BOM), to write out or to join."""
    yield (header_text(header) + timezones_text(earliest)).encode("utf-8")
    yield from events
    yield FOOTER.encode("utf-8")


def resource_bytes(earliest: Mapping[str, datetime], events: Iterable[bytes]) -> bytes:
    """One CalDAV calendar object resource: the events of one UID with their VTIMEZONEs.

    No METHOD and no calendar name: RFC 4791 forbids METHOD in a stored resource, and the name
    belongs to the remote calendar, not to each event in it.
    """
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + fold(f"PRODID:{PRODID}")
    head += "CALSCALE:GREGORIAN\r\n"
    return b"".join(
        [(head + timezones_text(earliest)).encode("utf-8"), *events, FOOTER.encode("utf-8")]
    )


def calendar_bytes(
    header: Header, earliest: Mapping[str, datetime], events: Iterable[bytes]
) -> bytes:
    return b"".join(calendar_chunks(header, earliest, events))
