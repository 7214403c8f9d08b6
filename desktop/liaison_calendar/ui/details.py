"""The details pane: everything about one meeting occurrence, read-only, as rich text.

``meeting_html`` builds the page from read models (no Qt needed); ``DetailsPane`` shows it in a
``QTextBrowser`` with the colours of the current palette. Every text that comes from a user or
a file goes through ``html.escape``.
"""

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from liaison_calendar.domain.agenda import clock_times, ordinal
from liaison_calendar.domain.defaults import DEFAULT_TIMEZONE
from liaison_calendar.domain.enums import ActionStatus, LeadSide, Mode, Side, Status
from liaison_calendar.domain.models import ActionItem, MeetingDetail, Moment, Participant
from liaison_calendar.domain.timezones import zone

EMPTY_TEXT = "Select a meeting to see its details."

_LEAD_LABELS = {
    LeadSide.EU: "EU lead",
    LeadSide.NATO: "NATO lead",
    LeadSide.CO_CHAIRED: "Co-chaired",
}
_MODE_LABELS = {Mode.IN_PERSON: "in person", Mode.VIDEO: "video", Mode.HYBRID: "hybrid"}
_SIDE_LABELS = {Side.EU: "EU", Side.NATO: "NATO", Side.PARTNER: "Partner", Side.OTHER: ""}
_SIDE_ORDER = {Side.EU: 0, Side.NATO: 1, Side.PARTNER: 2, Side.OTHER: 3}


def _opaque(colour: QColor, base: QColor) -> str:
    """``colour`` drawn over ``base``, as ``#rrggbb`` (rich text ignores alpha)."""
    a = colour.alphaF()
    mix = QColor.fromRgbF(
        colour.redF() * a + base.redF() * (1 - a),
        colour.greenF() * a + base.greenF() * (1 - a),
        colour.blueF() * a + base.blueF() * (1 - a),
    )
    return mix.name()


@dataclass(frozen=True)
class Colours:
    """The few colours the page needs, taken from the palette (``#rrggbb``)."""

    dim: str = "#6b6b6b"
    header_bg: str = "#eeeeee"
    grid: str = "#c8c8c8"
    dark: bool = False

    @classmethod
    def from_palette(cls, pal: QPalette) -> "Colours":
        base = pal.color(QPalette.ColorRole.Base)
        return cls(
            dim=_opaque(pal.color(QPalette.ColorRole.PlaceholderText), base),
            header_bg=pal.color(QPalette.ColorRole.AlternateBase).name(),
            grid=pal.color(QPalette.ColorRole.Mid).name(),
            dark=base.lightness() < 128,
        )

    @property
    def warning(self) -> tuple[str, str]:
        """Background and text colour of a warning."""
        return ("#4d3c00", "#ffe08a") if self.dark else ("#fff3cd", "#5c4300")

    @property
    def late(self) -> str:
        """Text colour of agenda items that run past the end of the meeting."""
        return "#ffb74d" if self.dark else "#b45f06"

    def status(self, status: Status) -> str:
        if status is Status.CANCELLED:
            return "#ff6b6b" if self.dark else "#c62828"
        if status in (Status.TENTATIVE, Status.POSTPONED):
            return "#ffb74d" if self.dark else "#b45f06"
        return "#81c784" if self.dark else "#2e7d32"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _multiline(text: str) -> str:
    return "<br>".join(_e(line) for line in text.strip().splitlines())


def _pretty_key(key: str) -> str:
    text = key.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _duration_text(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % (24 * 60) == 0 and minutes >= 24 * 60:
        days = minutes // (24 * 60)
        return "1 day" if days == 1 else f"{days} days"
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest:02d} min"
    return f"{hours} h" if hours else f"{rest} min"


def _length(start: Moment, end: Moment) -> timedelta:
    if isinstance(start, datetime) and isinstance(end, datetime):
        return end - start
    assert not isinstance(start, datetime)
    assert not isinstance(end, datetime)
    return end - start


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def _span_text(start: datetime, end: datetime) -> str:
    """'Tue 10 Sep 2024, 11:00–13:00', or both days when it ends on another day."""
    midnight_after = end.date() == start.date() + timedelta(days=1) and end.time() == time.min
    if end.date() == start.date() or midnight_after:
        return f"{_day(start)}, {start:%H:%M}–{end:%H:%M}"
    return f"{_day(start)}, {start:%H:%M} – {_day(end)}, {end:%H:%M}"


def _zone_label(value: datetime, tz: str) -> str:
    abbreviation = value.tzname() or ""
    if abbreviation and abbreviation != tz and not abbreviation.startswith(("+", "-")):
        return f"{abbreviation} ({tz})"
    return tz


def when_lines(
    start: Moment, end: Moment, meeting_tz: str, user_tz: str, floating: bool = False
) -> list[tuple[str, str]]:
    """(label, text) lines saying when: in the meeting's zone, and in the user's when different."""
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        assert not isinstance(start, datetime)
        assert not isinstance(end, datetime)
        last = max(end - timedelta(days=1), start)
        if last == start:
            return [("When", f"{_day(start)} (all day)")]
        days = (last - start).days + 1
        if (start.year, start.month) == (last.year, last.month):
            text = f"{start:%a} {start.day} – {_day(last)}"
        else:
            text = f"{_day(start)} – {_day(last)}"
        return [("When", f"{text} (all day, {days} days)")]
    if floating:
        return [("When", f"{_span_text(start, end)} (local time wherever it is held)")]
    here = zone(meeting_tz)
    local_start, local_end = start.astimezone(here), end.astimezone(here)
    lines = [
        ("When", f"{_span_text(local_start, local_end)} {_zone_label(local_start, meeting_tz)}")
    ]
    if user_tz != meeting_tz:
        there = zone(user_tz)
        user_start, user_end = start.astimezone(there), end.astimezone(there)
        if (user_start.utcoffset(), user_end.utcoffset()) != (
            local_start.utcoffset(),
            local_end.utcoffset(),
        ):
            lines.append(
                (
                    "Your time",
                    f"{_span_text(user_start, user_end)} {_zone_label(user_start, user_tz)}",
                )
            )
    return lines


def _agenda_times(
    detail: MeetingDetail, start: Moment
) -> list[tuple[datetime | None, datetime | None]]:
    """Clock times of the agenda items for this occurrence (the service's for the first one)."""
    items = detail.agenda
    if isinstance(start, datetime) and isinstance(detail.start, datetime) and start != detail.start:
        local = start.astimezone(zone(detail.tz))
        return list(clock_times(local, [item.duration_min for item in items]))
    return [(item.starts, item.ends) for item in items]


def _end_instant(detail: MeetingDetail, start: Moment) -> datetime | None:
    """When this occurrence of a timed meeting ends."""
    if isinstance(start, datetime) and isinstance(detail.start, datetime):
        assert isinstance(detail.end, datetime)
        return start + (detail.end - detail.start)
    return None


def _participants_html(participants: Sequence[Participant], colours: Colours) -> str:
    groups: dict[tuple[int, str], list[Participant]] = {}
    for person in participants:
        organisation = person.organisation.strip()
        groups.setdefault((_SIDE_ORDER[person.side], organisation), []).append(person)
    parts = []
    for (_, organisation), people in sorted(groups.items(), key=lambda kv: kv[0]):
        side = _SIDE_LABELS[people[0].side]
        heading = f"<b>{_e(organisation) if organisation else 'No organisation given'}</b>"
        if side:
            heading += f" <span style='color:{colours.dim}'>({side})</span>"
        lines = []
        for person in people:
            line = _e(person.name)
            if person.role:
                line += f" <span style='color:{colours.dim}'>— {_e(person.role)}</span>"
            lines.append(line)
        parts.append(
            f"<p style='margin-top:4px; margin-bottom:4px'>{heading}<br>"
            + "<br>".join(lines)
            + "</p>"
        )
    return "".join(parts)


def _agenda_html(detail: MeetingDetail, start: Moment, colours: Colours) -> str:
    out = []
    meeting_end = _end_instant(detail, start)
    if detail.overrun:
        planned = (
            f" (planned to end at {meeting_end.astimezone(zone(detail.tz)):%H:%M})"
            if meeting_end is not None
            else ""
        )
        out.append(
            "<table width='100%' cellspacing='0' cellpadding='6' "
            f"style='background-color:{colours.warning[0]}; color:{colours.warning[1]}; "
            "margin-bottom:6px'>"
            f"<tr><td><b>⚠ The agenda runs {_duration_text(detail.overrun)} past the end of the "
            f"meeting</b>{planned}.</td></tr></table>"
        )
    head = f"background-color:{colours.header_bg}"
    out.append(
        f"<table width='99%' border='1' cellspacing='0' cellpadding='4' "
        f"style='border-color:{colours.grid}; border-style:solid; border-collapse:collapse'>"
        f"<tr><th align='left' style='{head}'>Time</th>"
        f"<th align='left' style='{head}'>Item</th>"
        f"<th align='left' style='{head}'>Lead</th>"
        f"<th align='right' style='{head}'>Min</th></tr>"
    )
    for item, (starts, ends) in zip(detail.agenda, _agenda_times(detail, start), strict=True):
        when = f"{starts:%H:%M}–{ends:%H:%M}" if starts and ends else ""
        if ends is not None and meeting_end is not None and ends > meeting_end:
            when = f"<span style='color:{colours.late}'><b>{when}</b></span>"
        title = _e(item.title)
        if item.notes.strip():
            title += f"<br><span style='color:{colours.dim}'>{_multiline(item.notes)}</span>"
        out.append(
            f"<tr><td style='white-space:pre'>{when}</td><td>{title}</td>"
            f"<td>{_e(item.lead)}</td>"
            f"<td align='right' style='white-space:pre'>{item.duration_min} min</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _actions_html(actions: Sequence[ActionItem], colours: Colours) -> str:
    items = []
    for action in actions:
        text = _e(action.text)
        extra = []
        if action.owner:
            extra.append(_e(action.owner))
        if action.due is not None:
            extra.append(f"due {_day(action.due)}")
        if extra:
            text += f" <span style='color:{colours.dim}'>— {', '.join(extra)}</span>"
        if action.carried_from_id is not None:
            text += " <i>(carried over from the previous iteration)</i>"
        items.append(f"<li>{text}</li>")
    return "<ul style='margin-top:0'>" + "".join(items) + "</ul>"


def meeting_html(
    detail: MeetingDetail,
    start: Moment | None = None,
    end: Moment | None = None,
    user_tz: str = DEFAULT_TIMEZONE,
    series_name: str | None = None,
    strand_names: Mapping[str, str] | None = None,
    kind_names: Mapping[str, str] | None = None,
    colours: Colours | None = None,
) -> str:
    """The details page of one occurrence (``start``/``end``, default the meeting's own)."""
    colours = colours or Colours()
    strand_names = strand_names or {}
    kind_names = kind_names or {}
    start = detail.start if start is None else start
    end = detail.end if end is None else end
    out = []
    dim = f"color:{colours.dim}"
    if detail.marking:
        out.append(f"<p style='{dim}; font-size:small'>{_e(detail.marking)}</p>")
    title = _e(detail.title)
    if detail.status is Status.CANCELLED:
        title = f"<s>{title}</s>"
    out.append(f"<h2 style='margin-bottom:2px'>{title}</h2>")
    kind = kind_names.get(detail.kind) or _pretty_key(detail.kind)
    out.append(
        f"<p style='margin-top:0'><b style='color:{colours.status(detail.status)}'>"
        f"{detail.status.value.capitalize()}</b> · {_e(kind)}</p>"
    )

    rows: list[tuple[str, str]] = [
        (label, _e(text))
        for label, text in when_lines(start, end, detail.tz, user_tz, detail.floating)
    ]
    rows.append(("Duration", _duration_text(_length(start, end))))
    series = series_name or detail.series
    if series:
        text = _e(series)
        if detail.iteration is not None:
            text += f" – {ordinal(detail.iteration)} iteration"
        rows.append(("Series", text))
    if detail.strands:
        rows.append(("Work strands", ", ".join(_e(strand_names.get(k, k)) for k in detail.strands)))
    if detail.partners:
        rows.append(("Partners", ", ".join(_e(p) for p in detail.partners)))
    mode = _MODE_LABELS[detail.mode]
    if detail.location:
        rows.append(("Where", f"{_e(detail.location)} ({mode})"))
    else:
        rows.append(("Where", mode[:1].upper() + mode[1:]))
    rows.append(("Lead", _LEAD_LABELS[detail.lead_side]))
    out.append("<table cellspacing='0' cellpadding='2'>")
    for label, value in rows:
        out.append(
            f"<tr><td style='{dim}; padding-right:12px' valign='top'>{label}</td>"
            f"<td>{value}</td></tr>"
        )
    out.append("</table>")

    if detail.participants:
        out.append(f"<h3>Participants ({len(detail.participants)})</h3>")
        out.append(_participants_html(detail.participants, colours))
    if detail.agenda:
        out.append("<h3>Agenda</h3>")
        out.append(_agenda_html(detail, start, colours))
    open_actions = [a for a in detail.actions if a.status is ActionStatus.OPEN]
    if open_actions:
        out.append(f"<h3>Open action items ({len(open_actions)})</h3>")
        out.append(_actions_html(open_actions, colours))
    if detail.description.strip():
        out.append("<h3>Description</h3>")
        out.append(f"<p>{_multiline(detail.description)}</p>")
    if detail.outcomes.strip():
        out.append("<h3>Outcomes</h3>")
        out.append(f"<p>{_multiline(detail.outcomes)}</p>")
    return "".join(out)


class DetailsPane(QWidget):
    """A read-only page about one meeting occurrence; ``clear()`` shows a hint instead.

    Above the page, for a meeting with a sync conflict (``set_conflict``), a banner with a
    "Resolve…" button that emits ``resolve_requested(uid)``.
    """

    resolve_requested = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        strand_names: Mapping[str, str] | None = None,
        kind_names: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setFrameShape(QFrame.Shape.NoFrame)
        self.browser.document().setDocumentMargin(12)
        self.conflict_banner = QFrame(self)
        self.conflict_banner.setObjectName("conflictBanner")
        banner = QHBoxLayout(self.conflict_banner)
        banner.setContentsMargins(12, 6, 12, 6)
        self.conflict_label = QLabel(
            "⚠ <b>Sync conflict:</b> changed here and on the server.", self.conflict_banner
        )
        self.conflict_label.setWordWrap(True)
        self.resolve_button = QPushButton("&Resolve…", self.conflict_banner)
        self.resolve_button.setToolTip("Compare both versions and choose what to keep")
        self.resolve_button.clicked.connect(self._resolve)
        banner.addWidget(self.conflict_label, 1)
        banner.addWidget(self.resolve_button)
        self.conflict_banner.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.conflict_banner)
        layout.addWidget(self.browser)
        self._strand_names: dict[str, str] = dict(strand_names or {})
        self._kind_names: dict[str, str] = dict(kind_names or {})
        self._shown: tuple[MeetingDetail, Moment | None, Moment | None, str, str | None] | None
        self._shown = None
        self._html = ""
        self.clear()

    def set_names(
        self,
        strands: Mapping[str, str] | None = None,
        kinds: Mapping[str, str] | None = None,
    ) -> None:
        """Names to show for strand and kind keys (``Strand.key -> Strand.name``)."""
        if strands is not None:
            self._strand_names = dict(strands)
        if kinds is not None:
            self._kind_names = dict(kinds)
        self._render()

    def show_meeting(
        self,
        detail: MeetingDetail,
        occurrence_start: Moment | None = None,
        occurrence_end: Moment | None = None,
        user_tz: str = DEFAULT_TIMEZONE,
        series_name: str | None = None,
    ) -> None:
        """Show ``detail`` at the chosen occurrence (default: the meeting's own start and end).

        ``series_name`` overrides ``detail.series``; ``user_tz`` is the zone the user works in.
        """
        self._shown = (detail, occurrence_start, occurrence_end, user_tz, series_name)
        self._render(keep_scroll=False)

    def clear(self) -> None:
        self._shown = None
        self.set_conflict(False)
        self._render(keep_scroll=False)

    def set_conflict(self, conflict: bool) -> None:
        """Show (or hide) the sync-conflict banner over the meeting shown."""
        self.conflict_banner.setVisible(conflict and self._shown is not None)
        self._colour_banner()

    def has_conflict(self) -> bool:
        return not self.conflict_banner.isHidden()

    def _resolve(self) -> None:
        if self._shown is not None:
            self.resolve_requested.emit(self._shown[0].uid)

    def _colour_banner(self) -> None:
        background, text = Colours.from_palette(self.palette()).warning
        sheet = (
            f"QFrame#conflictBanner {{ background-color: {background}; }}"
            f"QFrame#conflictBanner QLabel {{ color: {text}; }}"
        )
        if self.conflict_banner.styleSheet() != sheet:
            self.conflict_banner.setStyleSheet(sheet)

    def meeting(self) -> MeetingDetail | None:
        return self._shown[0] if self._shown else None

    def html(self) -> str:
        """The page as built (before Qt rewrote it)."""
        return self._html

    def text(self) -> str:
        """The page as the user reads it."""
        return self.browser.toPlainText()

    def _render(self, keep_scroll: bool = True) -> None:
        colours = Colours.from_palette(self.palette())
        if self._shown is None:
            self._html = f"<p style='color:{colours.dim}'>{_e(EMPTY_TEXT)}</p>"
        else:
            detail, start, end, user_tz, series_name = self._shown
            self._html = meeting_html(
                detail,
                start,
                end,
                user_tz,
                series_name,
                self._strand_names,
                self._kind_names,
                colours,
            )
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml(self._html)
        self.browser.verticalScrollBar().setValue(scroll if keep_scroll else 0)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.PaletteChange:
            self._render()
            self._colour_banner()
        super().changeEvent(event)
