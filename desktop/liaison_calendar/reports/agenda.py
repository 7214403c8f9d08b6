"""A meeting's agenda as a ministry hands it out: when and where, who, the items, space for notes.

``agenda(sheet)`` lays out an ``AgendaSheet``: the title and what kind of meeting it is, a table
of facts (date, time in the meeting's zone and in Brussels, venue, mode, lead, work strands,
partners), the participants by organisation, the agenda items with their clock times and a
total (and a warning when they run past the end of the meeting), the open action items carried
from the previous iteration, and ruled space for notes. Every text a user gave goes through
``esc``; nothing depends on the machine's locale, zone or clock.
"""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from liaison_calendar.domain.agenda import ordinal
from liaison_calendar.domain.enums import ActionStatus, LeadSide, Mode, Side, Status
from liaison_calendar.domain.models import ActionItem, AgendaItem, MeetingDetail, Participant
from liaison_calendar.domain.timezones import zone
from liaison_calendar.reports.data import AgendaSheet
from liaison_calendar.reports.document import (
    Document,
    clock,
    day_text,
    esc,
    esc_lines,
    short_day,
)

NOTE_LINES = 4
"""Empty ruled rows under "Notes" (a usual agenda then still fits one page)."""

_STATUS_TEXT = {
    Status.TENTATIVE: "Tentative – to be confirmed",
    Status.POSTPONED: "Postponed – a new date is to be set",
    Status.CANCELLED: "Cancelled",
}
_MODE_TEXT = {
    Mode.IN_PERSON: "In person",
    Mode.VIDEO: "Video conference",
    Mode.HYBRID: "Hybrid (in person and by video)",
}
_LEAD_TEXT = {
    LeadSide.CO_CHAIRED: "Co-chaired (EU and NATO)",
    LeadSide.EU: "EU lead",
    LeadSide.NATO: "NATO lead",
}
_SIDE_TEXT = {Side.EU: "EU", Side.NATO: "NATO", Side.PARTNER: "Partner", Side.OTHER: ""}
_SIDE_ORDER = {Side.EU: 0, Side.NATO: 1, Side.PARTNER: 2, Side.OTHER: 3}
_DASH = "—"

# Lengths in inline styles are points, as in ``STYLE`` (``ui.printing`` turns them into
# QTextDocument's pixels). Qt gives a column its percentage unless a cell that cannot wrap
# needs more: the widths below leave room for "09:30–10:20" and "2 h 50 min" on A4 and Letter.
_GRID = '<table class="grid" width="100%" cellspacing="0" cellpadding="4" border="1">'
_TD_NUM = '<td class="num" align="right" style="white-space:nowrap">'
_TD_NOWRAP = '<td style="white-space:nowrap">'
_LABEL = '<td width="18%" class="muted" style="padding-right:10pt; white-space:nowrap">'


def agenda(sheet: AgendaSheet) -> Document:
    """The agenda of ``sheet.meeting``, ready to print or save as HTML."""
    meeting = sheet.meeting
    parts = [_heading(meeting, sheet.kind_name)]
    if sheet.header.printed is not None:  # small print under the heading, not on a page of its own
        printed = _printed(sheet.header.printed)
        parts.append(f'<p class="muted" style="margin-top:0; font-size:8pt">{printed}</p>')
    parts += [
        _facts(sheet),
        _description(meeting),
        _participants(meeting.participants),
        _agenda_items(meeting),
        _carried(meeting.carried_actions),
        _notes(),
    ]
    return Document(
        title=meeting.title,
        body="\n".join(part for part in parts if part),
        marking=sheet.header.marking,
        organisation=sheet.header.organisation,
        left_out=sheet.header.left_out,
    )


# --- heading and facts ---------------------------------------------------------------------


def _heading(meeting: MeetingDetail, kind_name: str) -> str:
    what = [kind_name.strip()] if kind_name.strip() else []
    if meeting.series and meeting.series.strip().casefold() not in (w.casefold() for w in what):
        what.append(meeting.series)
    if meeting.iteration is not None:
        what.append(f"{ordinal(meeting.iteration)} iteration")
    out = [f"<h1>{esc(meeting.title)}</h1>"]
    if what:
        out.append(f'<p class="muted">{" · ".join(esc(w) for w in what)}</p>')
    if meeting.status in _STATUS_TEXT:
        out.append(f'<p class="warning">{esc(_STATUS_TEXT[meeting.status])}</p>')
    return "\n".join(out)


def _facts(sheet: AgendaSheet) -> str:
    meeting = sheet.meeting
    rows = _when_rows(meeting, sheet.home_tz)
    if meeting.location.strip():
        rows.append(("Venue", esc(meeting.location)))
    rows.append(("Mode", _MODE_TEXT[meeting.mode]))
    rows.append(("Lead", _LEAD_TEXT[meeting.lead_side]))
    if sheet.strand_names:
        rows.append(("Work strands", ", ".join(esc(name) for name in sheet.strand_names)))
    if meeting.partners:
        rows.append(("Partners", ", ".join(esc(name) for name in meeting.partners)))
    lines = [f"<tr>{_LABEL}{label}</td><td>{value}</td></tr>" for label, value in rows]
    return (
        '<table class="facts" width="100%" cellspacing="0" cellpadding="2">\n'
        + "\n".join(lines)
        + "\n</table>"
    )


def _when_rows(meeting: MeetingDetail, home_tz: str) -> list[tuple[str, str]]:
    """(label, HTML) rows saying when: date and time there, and at home when elsewhere."""
    start, end = meeting.start, meeting.end
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        assert not isinstance(start, datetime)
        assert not isinstance(end, datetime)
        last = max(end - timedelta(days=1), start)  # the end is exclusive
        if last == start:
            return [("Date", day_text(start)), ("Time", "All day")]
        days = (last - start).days + 1
        return [
            ("Date", f"{day_text(start)} – {day_text(last)}"),
            ("Time", f"All day ({days} days)"),
        ]
    here = zone(meeting.tz)
    local_start, local_end = start.astimezone(here), end.astimezone(here)
    rows = [("Date", _date_span(local_start, local_end))]
    if meeting.floating:
        rows.append(("Time", f"{_time_span(local_start, local_end)} local time"))
        return rows
    rows.append(
        (
            "Time",
            f"{_time_span(local_start, local_end)} {esc(_zone_label(local_start, meeting.tz))}",
        )
    )
    if meeting.tz != home_tz:
        home = zone(home_tz)
        home_start, home_end = start.astimezone(home), end.astimezone(home)
        text = _time_span(home_start, home_end)
        if home_start.date() != local_start.date() or home_end.date() != local_end.date():
            text = (  # another day there: say which
                f"{short_day(home_start.date())}, {text}"
                if _one_day(home_start, home_end)
                else _moment_span(home_start, home_end)
            )
        city = home_tz.rsplit("/", 1)[-1].replace("_", " ")
        rows.append((f"{esc(city)} time", f"{text} {esc(_zone_label(home_start, home_tz))}"))
    return rows


def _one_day(start: datetime, end: datetime) -> bool:
    """Whether a timed span stays within its first day (an end at midnight after included)."""
    return end.date() == start.date() or (
        end.date() == start.date() + timedelta(days=1) and end.time() == time.min
    )


def _date_span(start: datetime, end: datetime) -> str:
    if _one_day(start, end):
        return day_text(start.date())
    return f"{day_text(start.date())} – {day_text(end.date())}"


def _time_span(start: datetime, end: datetime) -> str:
    """'09:30–13:00', or with the days when the span crosses midnight."""
    if _one_day(start, end):
        return f"{clock(start)}–{clock(end)}"
    return _moment_span(start, end)


def _moment_span(start: datetime, end: datetime) -> str:
    """'Tue 12 Mar 2024 23:00 – Wed 13 Mar 2024 01:00'."""
    return f"{short_day(start.date())} {clock(start)} – {short_day(end.date())} {clock(end)}"


def _zone_label(moment: datetime, tz: str) -> str:
    """'CET (Europe/Brussels)'; 'UTC+4 (Asia/Tbilisi)' where the zone has no abbreviation."""
    abbreviation = moment.tzname() or ""
    if not abbreviation or abbreviation == tz:
        return tz
    if abbreviation.startswith(("+", "-")):
        abbreviation = _utc_offset(moment)
    return f"{abbreviation} ({tz})"


def _utc_offset(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _description(meeting: MeetingDetail) -> str:
    if not meeting.description.strip():
        return ""
    return f'<p style="margin-top:8pt">{esc_lines(meeting.description.strip())}</p>'


# --- participants ------------------------------------------------------------------------


def _participants(participants: Sequence[Participant]) -> str:
    """Participants by organisation: EU first, then NATO, partners and others."""
    if not participants:
        return ""
    groups: dict[tuple[int, str], list[Participant]] = {}
    for person in participants:  # organisations in the order they first appear on each side
        key = (_SIDE_ORDER[person.side], person.organisation.strip())
        groups.setdefault(key, []).append(person)
    rows = []
    for (_, organisation), people in sorted(groups.items(), key=lambda kv: kv[0][0]):
        heading = f"<b>{esc(organisation)}</b>" if organisation else "<b>Other participants</b>"
        side = _SIDE_TEXT[people[0].side]
        if side:
            heading += f' <span class="muted">{side}</span>'
        rows.append(f'<tr><td colspan="2" style="padding-top:6pt">{heading}</td></tr>')
        for person in people:
            role = f'<span class="muted">{esc(person.role)}</span>' if person.role.strip() else ""
            rows.append(
                f'<tr><td width="36%" style="padding-left:14pt">{esc(person.name)}</td>'
                f"<td>{role}</td></tr>"
            )
    return (
        "<h2>Participants</h2>\n"
        '<table class="facts" width="100%" cellspacing="0" cellpadding="1">\n'
        + "\n".join(rows)
        + "\n</table>"
    )


# --- agenda --------------------------------------------------------------------------------


def _agenda_items(meeting: MeetingDetail) -> str:
    out = ["<h2>Agenda</h2>"]
    if not meeting.agenda:
        out.append('<p class="muted">No agenda items have been set yet.</p>')
        return "\n".join(out)
    here = zone(meeting.tz)
    meeting_end = meeting.end if isinstance(meeting.end, datetime) else None
    if meeting.overrun is not None and meeting_end is not None:
        out.append(
            f'<p class="warning">The agenda runs {_minutes_text(_whole_minutes(meeting.overrun))}'
            f" past the end of the meeting ({clock(meeting_end.astimezone(here))}).</p>"
        )
    out.append(
        f"{_GRID}\n<tr>"
        '<th width="16%">Time</th><th width="40%">Item</th><th width="27%">Lead / presenter</th>'
        '<th width="17%" class="num" align="right">Duration</th></tr>'
    )
    for item in meeting.agenda:
        out.append(_item_row(item, meeting_end, meeting.tz))
    total = sum(item.duration_min for item in meeting.agenda)
    out.append(
        "<tr><td></td><td><b>Total</b></td><td></td>"
        f"{_TD_NUM}<b>{_minutes_text(total)}</b></td></tr>\n</table>"
    )
    return "\n".join(out)


def _item_row(item: AgendaItem, meeting_end: datetime | None, tz: str) -> str:
    when = _DASH
    if item.starts is not None and item.ends is not None:
        starts, ends = _in_zone(item.starts, tz), _in_zone(item.ends, tz)
        when = f"{clock(starts)}–{clock(ends)}"
        if meeting_end is not None and ends > meeting_end:  # past the end: the overrun
            when = f'<span class="warning">{when}</span>'
    title = esc(item.title)
    if item.notes.strip():
        title += f'<br><span class="muted" style="font-size:8pt">{esc_lines(item.notes)}</span>'
    return (
        f"<tr>{_TD_NOWRAP}{when}</td><td>{title}</td><td>{esc(item.lead)}</td>"
        f"{_TD_NUM}{_minutes_text(item.duration_min)}</td></tr>"
    )


def _in_zone(moment: datetime, tz: str) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(zone(tz))


def _whole_minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def _minutes_text(minutes: int) -> str:
    """'30 min', '1 h', '3 h 30 min'."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


# --- carried action items, notes -----------------------------------------------------------


def _carried(actions: Sequence[ActionItem]) -> str:
    still_open = [a for a in actions if a.status is ActionStatus.OPEN]
    if not still_open:
        return ""
    rows = [
        f"<tr><td>{esc(a.text)}</td><td>{esc(a.owner) if a.owner.strip() else _DASH}</td>"
        f"{_TD_NOWRAP}{_due(a.due)}</td></tr>"
        for a in still_open
    ]
    return (
        f"<h2>Open action items carried from the previous iteration</h2>\n{_GRID}\n"
        '<tr><th width="58%">Action</th><th width="26%">Owner</th><th width="16%">Due</th></tr>\n'
        + "\n".join(rows)
        + "\n</table>"
    )


def _due(due: date | None) -> str:
    return short_day(due) if due is not None else _DASH


def _notes() -> str:
    # QTextDocument ignores a cell's height: the large (empty) text gives each row its height.
    row = '<tr><td height="30" style="font-size:16pt">&nbsp;</td></tr>'
    return f"<h2>Notes</h2>\n{_GRID}\n" + "\n".join([row] * NOTE_LINES) + "\n</table>"


def _printed(printed: datetime) -> str:
    abbreviation = printed.tzname() or ""
    if abbreviation.startswith(("+", "-")):
        abbreviation = _utc_offset(printed)
    suffix = f" {esc(abbreviation)}" if abbreviation else ""
    return f"Printed {short_day(printed.date())} {clock(printed)}{suffix}"
