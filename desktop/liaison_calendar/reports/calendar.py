"""Month and week printouts: a wall calendar of six weeks, or a week planner of seven days.

A meeting is drawn in its first strand's colour, else its kind's (as the app's views do), as a
small coloured square before its line; a legend under the grid names the colours. Cancelled
meetings are struck through, postponed ones in italics. Timed meetings are shown in the page's
zone, on every day they cover there (an end at midnight covers no part of the next day).

Only the HTML subset of ``reports.document`` is used: the grid is a table, each day's meetings
one paragraph per line inside its cell, padded with blank lines so that the weeks are even.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from liaison_calendar.domain.defaults import FALLBACK_COLOUR
from liaison_calendar.domain.enums import Status
from liaison_calendar.domain.timezones import zone as zone_of
from liaison_calendar.reports.data import CalendarPage, Held
from liaison_calendar.reports.document import DAY_NAMES as _WEEKDAYS
from liaison_calendar.reports.document import MONTH_NAMES as _MONTHS
from liaison_calendar.reports.document import Document, clock, esc, short_day

MONTH_LINES = 6
"""Meetings listed in a day of the month grid; more end in a "+N more" line."""

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")

# QTextDocument ignores a cell's ``height``: each day is also filled with blank lines up to this
# many lines, so that the weeks are even and a month fits one landscape A4 or Letter page (a
# crowded day, or titles that wrap, still grow their week). ``height`` is for browsers.
_MONTH_CELL_LINES = 5  # the day number and four lines of meetings
_MONTH_CELL_HEIGHT = 72
_MONTH_LINE_CHARS = 21  # about what a line of a day holds on landscape A4 or Letter
_WEEK_CELL_LINES = 5  # the day's name, its date and three blank lines
_WEEK_CELL_HEIGHT = 70
_SMALL = "font-size:7.5pt;"
_PLAIN_CELL = "border-style:none;"  # a table inside the grid: no ``table.grid td`` borders
_OUTSIDE_BG = "#f0f0f0"  # days of the neighbouring months
_WEEKEND_BG = "#f8f8f8"
_LINE = "margin-top:0; margin-bottom:0;"


# --- what a day shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """One occurrence as one day shows it."""

    held: Held
    day: date
    first: date  # the first and last day it covers in the page's zone
    last: date
    start: datetime | None  # timed: start and end in the page's zone; None for all-day
    end: datetime | None
    order: int  # position in ``page.held``

    @property
    def timed(self) -> bool:
        return self.start is not None

    @property
    def spanning(self) -> bool:
        """All-day, or timed over more than one day: listed before the day's timed meetings."""
        return not self.timed or self.first != self.last

    def sort_key(self) -> tuple[int, int]:
        # The spanning ones first, then the day's timed ones; each in time order.
        return (0 if self.spanning else 1, self.order)


def _local(moment: datetime, tz: tzinfo) -> datetime:
    """``moment`` seen in ``tz``; a naive (floating) one is read as wall time there."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz)
    return moment.astimezone(tz)


def _entries(page: CalendarPage) -> dict[date, list[_Entry]]:
    """The occurrences of each printed day, in the order the day lists them."""
    tz = zone_of(page.tz)
    first_day = page.first
    last_day = page.first + timedelta(days=page.days - 1)
    days: dict[date, list[_Entry]] = {first_day + timedelta(days=i): [] for i in range(page.days)}
    for order, held in enumerate(page.held):
        start: datetime | None = None
        end: datetime | None = None
        if isinstance(held.start, datetime):
            start = _local(held.start, tz)
            end = _local(held.end, tz) if isinstance(held.end, datetime) else start
            first = start.date()
            last = (end - timedelta(microseconds=1)).date() if end > start else first
        else:
            first = held.start
            stop = held.end if not isinstance(held.end, datetime) else held.end.date()
            last = stop - timedelta(days=1) if stop > first else first
        day = max(first, first_day)
        while day <= min(last, last_day):
            days[day].append(_Entry(held, day, first, last, start, end, order))
            day += timedelta(days=1)
    for entries in days.values():
        entries.sort(key=_Entry.sort_key)
    return days


def _colour(held: Held, page: CalendarPage) -> str:
    """The meeting's first strand's colour, else its kind's."""
    meeting = held.meeting
    for key in meeting.strands:
        if key in page.strand_colours:
            return _safe_colour(page.strand_colours[key][1])
    if meeting.kind in page.kind_colours:
        return _safe_colour(page.kind_colours[meeting.kind][1])
    return FALLBACK_COLOUR


def _safe_colour(colour: str) -> str:
    return colour if _COLOUR.fullmatch(colour) else FALLBACK_COLOUR


def _swatch(colour: str) -> str:
    """A small solid square: the glyph in the colour, on the same colour."""
    return f'<span style="background-color:{colour}; color:{colour};">&#9632;</span>'


def _styled(text: str, status: Status) -> str:
    """Escaped ``text``, struck through when cancelled, in italics when postponed."""
    if status is Status.CANCELLED:
        return f'<span class="struck" style="color:#666666;">{esc(text)}</span>'
    if status is Status.POSTPONED:
        return f"<i>{esc(text)}</i>"
    return esc(text)


# --- the month -------------------------------------------------------------------------------


def month_page(page: CalendarPage) -> Document:
    """Six weeks from ``page.first`` on a landscape page, the days outside the month of
    ``page.anchor`` greyed: each day lists up to ``MONTH_LINES`` meetings, then "+N more"."""
    month = page.anchor.month
    title = f"{_MONTHS[month - 1]} {page.anchor.year}"
    days = _entries(page)
    rows = ["<tr>"]
    for name in _WEEKDAYS:
        rows.append(f'<th width="14.28%">{name}</th>')
    rows.append("</tr>")
    ordered = sorted(days)
    for week in range(0, len(ordered), 7):
        rows.append("<tr>")
        for day in ordered[week : week + 7]:
            rows.append(_month_cell(day, days[day], month, page, first=day == ordered[0]))
        rows.append("</tr>")
    body = (
        _heading(title, page, beside=True)
        + '<table class="grid" width="100%" cellspacing="0" cellpadding="3" border="1">\n'
        + "\n".join(rows)
        + "\n</table>\n"
        + _legend(page)
        + _printed(page)
    )
    return _document(title, body, page, landscape=True)


def _month_cell(
    day: date, entries: list[_Entry], month: int, page: CalendarPage, first: bool
) -> str:
    inside = day.month == month
    number = str(day.day)
    if day.day == 1 or first:
        number += f" {_MONTHS[day.month - 1][:3]}"
    number_style = "font-size:10pt; font-weight:bold;"
    if inside:
        label = f'<p style="{_LINE} {number_style}">{number}</p>'
    else:
        label = f'<p class="muted" style="{_LINE} {number_style} color:#777777;">{number}</p>'
    lines = [label]
    height = 1  # in lines as wrapped on paper, about
    for entry in entries[:MONTH_LINES]:
        text = _month_text(entry)
        lines.append(_month_line(entry, text, page))
        height += _wrapped(text, _MONTH_LINE_CHARS - 2)  # the square and a space
    hidden = len(entries) - MONTH_LINES
    if hidden > 0:
        more = f"+{hidden} more"
        lines.append(f'<p class="muted" style="{_LINE} {_SMALL} color:#555555;">{more}</p>')
        height += 1
    lines += [f'<p style="{_LINE} {_SMALL}">&nbsp;</p>'] * (_MONTH_CELL_LINES - height)
    background = ""
    if not inside:
        background = f' bgcolor="{_OUTSIDE_BG}"'
    elif day.weekday() >= 5:
        background = f' bgcolor="{_WEEKEND_BG}"'
    return (
        f'<td width="14.28%" height="{_MONTH_CELL_HEIGHT}" valign="top"{background}>'
        + "".join(lines)
        + "</td>"
    )


def _month_text(entry: _Entry) -> str:
    """ "09:30 Title" on the day a timed meeting starts, else the title alone."""
    title = entry.held.meeting.title
    if entry.start is not None and entry.day == entry.first:
        return f"{clock(entry.start)} {title}"
    return title


def _wrapped(text: str, width: int) -> int:
    """How many lines of ``width`` characters ``text`` takes, wrapped at spaces."""
    lines, used = 1, 0
    for word in text.split():
        needed = len(word) if used == 0 else used + 1 + len(word)
        if needed <= width or used == 0:
            used = needed
        else:
            lines, used = lines + 1, len(word)
        while used > width:  # a word longer than a line breaks anywhere
            lines, used = lines + 1, used - width
    return lines


def _month_line(entry: _Entry, text: str, page: CalendarPage) -> str:
    meeting = entry.held.meeting
    return (
        f'<p style="{_LINE} {_SMALL}">{_swatch(_colour(entry.held, page))}&nbsp;'
        f"{_styled(text, meeting.status)}</p>"
    )


# --- the week --------------------------------------------------------------------------------


def week_page(page: CalendarPage) -> Document:
    """Seven days from ``page.first``, a row each, every meeting with its times (portrait)."""
    last = page.first + timedelta(days=page.days - 1)
    title = f"Week of {page.first.day} {_MONTHS[page.first.month - 1]} {page.first.year}"
    days = _entries(page)
    rows = []
    for day in sorted(days):
        background = f' bgcolor="{_WEEKEND_BG}"' if day.weekday() >= 5 else ""
        rows.append(
            "<tr>"
            f'<td width="18%" height="{_WEEK_CELL_HEIGHT}" valign="top"{background}>'
            f'<p style="{_LINE} font-weight:bold;">{_WEEKDAYS[day.weekday()]}</p>'
            f'<p style="{_LINE}">{day.day} {_MONTHS[day.month - 1]}</p>'
            + f'<p style="{_LINE}">&nbsp;</p>'
            * (_WEEK_CELL_LINES - 2)
            + "</td>"
            f'<td width="82%" valign="top"{background}>{_week_lines(days[day], page)}</td>'
            "</tr>"
        )
    body = (
        _heading(title, page, subtitle=f"{_span(page.first, last)}, week {_iso_week(page.first)}")
        + '<table class="grid" width="100%" cellspacing="0" cellpadding="4" border="1">\n'
        + "\n".join(rows)
        + "\n</table>\n"
        + _legend(page)
        + _printed(page)
    )
    return _document(title, body, page, landscape=False)


def _week_lines(entries: list[_Entry], page: CalendarPage) -> str:
    if not entries:
        return ""
    rows = []
    for entry in entries:
        meeting = entry.held.meeting
        text = _styled(meeting.title, meeting.status)
        if meeting.location:
            text += f' <span style="color:#444444;">— {esc(meeting.location)}</span>'
        if meeting.status is not Status.CONFIRMED:
            text += (
                f' <span class="muted" style="color:#555555;">({esc(meeting.status.value)})</span>'
            )
        rows.append(
            "<tr>"
            f'<td width="3%" valign="top" style="{_PLAIN_CELL}">'
            f"{_swatch(_colour(entry.held, page))}</td>"
            f'<td width="19%" valign="top" style="{_PLAIN_CELL} white-space:nowrap;">'
            f"{_when(entry)}</td>"
            f'<td width="78%" valign="top" style="{_PLAIN_CELL}">{text}</td>'
            "</tr>"
        )
    return (
        '<table width="100%" cellspacing="0" cellpadding="1" border="0">'
        + "".join(rows)
        + "</table>"
    )


def _when(entry: _Entry) -> str:
    """ "09:30–11:00", "all day"; over midnight "from 23:00" then "until 01:00"."""
    if entry.start is None or entry.end is None:
        return "all day"
    if entry.first == entry.last:
        return f"{clock(entry.start)}–{clock(entry.end)}"
    if entry.day == entry.first:
        return f"from {clock(entry.start)}"
    if entry.day == entry.last:
        return f"until {clock(entry.end)}"
    return "all day"


def _span(first: date, last: date) -> str:
    """'4–10 March 2024', '26 February – 3 March 2024', '30 December 2024 – 5 January 2025'."""
    if first.year != last.year:
        return (
            f"{first.day} {_MONTHS[first.month - 1]} {first.year} – "
            f"{last.day} {_MONTHS[last.month - 1]} {last.year}"
        )
    if first.month != last.month:
        return (
            f"{first.day} {_MONTHS[first.month - 1]} – "
            f"{last.day} {_MONTHS[last.month - 1]} {last.year}"
        )
    return f"{first.day}–{last.day} {_MONTHS[last.month - 1]} {last.year}"


def _iso_week(day: date) -> int:
    return day.isocalendar().week


# --- shared parts ----------------------------------------------------------------------------


def _heading(title: str, page: CalendarPage, subtitle: str = "", beside: bool = False) -> str:
    """The title, then the zone of the times and any filter: ``beside`` the title to save
    height (a month), else under it."""
    facts = [subtitle] if subtitle else []
    facts.append(f"Times in {page.tz}")
    info = esc(" · ".join(facts))
    if page.filters:
        info += f"<br>Filtered by {esc(page.filters)}"
    muted = 'class="muted" style="margin-top:0; margin-bottom:4pt; color:#555555;"'
    if not beside:
        return f"<h1>{esc(title)}</h1>\n<p {muted}>{info}</p>\n"
    return (
        '<table width="100%" cellspacing="0" cellpadding="0" border="0"><tr>'
        f'<td width="40%" valign="bottom"><h1 style="white-space:nowrap;">{esc(title)}</h1></td>'
        f'<td width="60%" valign="bottom" align="right"><p align="right" {muted}>{info}</p>'
        "</td></tr></table>\n"
    )


def _legend(page: CalendarPage) -> str:
    """The strands' colours, then those of the kinds that colour a meeting without strands,
    as one paragraph (a key takes little room under a month)."""
    items = [(name, colour) for name, colour in page.strand_colours.values()]
    kinds_used = {
        held.meeting.kind
        for held in page.held
        if not any(key in page.strand_colours for key in held.meeting.strands)
    }
    items += [
        (name, colour) for key, (name, colour) in page.kind_colours.items() if key in kinds_used
    ]
    keys = [
        # A name does not break across lines, nor leave its square at the end of the line.
        f"{_swatch(_safe_colour(colour))}&nbsp;{esc(name).replace(' ', '&nbsp;')}"
        for name, colour in items
    ]
    keys.append(
        '<span style="color:#555555;"><span class="struck">Struck&nbsp;through</span>:'
        "&nbsp;cancelled; <i>in&nbsp;italics</i>:&nbsp;postponed</span>"
    )
    return (
        f'<p style="margin-top:5pt; margin-bottom:0; {_SMALL}"><b>Colours:</b> '
        + " &nbsp; ".join(keys)
        + "</p>\n"
    )


def _printed(page: CalendarPage) -> str:
    printed = page.header.printed
    if printed is None:
        return ""
    moment = _local(printed, zone_of(page.tz))
    stamp = f"{short_day(moment.date())} {clock(moment)} {moment.tzname() or ''}".strip()
    return (
        f'<p class="muted" style="margin-top:2pt; margin-bottom:0; {_SMALL} color:#555555;">'
        f"Printed {esc(stamp)}</p>\n"
    )


def _document(title: str, body: str, page: CalendarPage, landscape: bool) -> Document:
    return Document(
        title=title,
        body=body,
        marking=page.header.marking,
        organisation=page.header.organisation,
        landscape=landscape,
        left_out=page.header.left_out,
    )
