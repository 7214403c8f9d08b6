"""The month view: six weeks of days, each with its meetings as coloured chips.

The grid starts on the Monday of the week holding the 1st of the anchor's month. All-day and
multi-day meetings are bars across the days they cover (on top of a day's list, on the same line
all week); timed meetings follow in time order. A day with more meetings than fit ends in a
"+N more" line that asks the main window to show that day.

The chip helpers at the top (colours, tooltip, lanes, painting) are shared with the week view.
"""

import html
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from liaison_calendar.domain.briefs import BriefOccurrence
from liaison_calendar.domain.enums import Status
from liaison_calendar.domain.timezones import month_grid_start
from liaison_calendar.domain.timezones import zone as zone_of
from liaison_calendar.ui.views.base import CONFLICT_NOTE, CalendarView, Palette, ViewData

WEEKS = 6
DAYS = 7
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

CHIP_RADIUS = 3.0
CHIP_GAP = 2  # between two chip lines
CHIP_PAD = 4  # text inset inside a chip
CELL_PAD = 2  # chips inset from the day's borders
MIN_CHIPS_READ = 10  # meetings of each day read for the month grid, at least
BADGE_COLOUR = QColor("#d32f2f")  # the mark of a meeting with a sync conflict
BADGE_SIZE = 14  # its diameter at most, in pixels

OccurrenceKey = tuple[int, date]
"""What identifies an occurrence across refreshes: meeting id and start."""


# --- helpers shared with the week view ------------------------------------------------------


def occurrence_key(occ: BriefOccurrence) -> OccurrenceKey:
    return (occ.meeting.id, occ.start)


def matches(occ: BriefOccurrence, meeting_id: int, start: date | datetime | None) -> bool:
    """Whether ``occ`` is the occurrence of ``meeting_id`` at ``start`` (any start if None)."""
    if occ.meeting.id != meeting_id:
        return False
    if start is None:
        return True
    return _same_moment(occ.start, start) or (
        occ.recurrence_id is not None and _same_moment(occ.recurrence_id, start)
    )


def _same_moment(a: date, b: date) -> bool:
    # A date never equals a datetime; two aware datetimes compare as instants.
    return isinstance(a, datetime) == isinstance(b, datetime) and a == b


def to_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    """An aware datetime seen in ``zone``; a naive (floating) one is read as wall time there."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def local_days(occ: BriefOccurrence, zone: ZoneInfo) -> tuple[date, date]:
    """The first and the last day (inclusive) ``occ`` covers, timed ones seen in ``zone``."""
    start, end = occ.start, occ.end
    if isinstance(start, datetime):
        first = to_zone(start, zone)
        last = to_zone(end, zone) if isinstance(end, datetime) else first
        if last <= first:
            return first.date(), first.date()
        return first.date(), (last - timedelta(microseconds=1)).date()
    assert not isinstance(end, datetime)
    return start, (end - timedelta(days=1)) if end > start else start


def is_spanning(occ: BriefOccurrence, zone: ZoneInfo) -> bool:
    """All-day or over more than one day: drawn as a bar, not at a time of day."""
    first, last = local_days(occ, zone)
    return occ.all_day or not isinstance(occ.start, datetime) or first != last


def blend(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` with ``amount`` (0..1) of ``b`` mixed in."""
    keep = 1.0 - amount
    return QColor.fromRgbF(
        a.redF() * keep + b.redF() * amount,
        a.greenF() * keep + b.greenF() * amount,
        a.blueF() * keep + b.blueF() * amount,
        1.0,
    )


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrasting_text(fill: QColor) -> QColor:
    """Black or white, whichever reads better on ``fill`` (WCAG contrast)."""
    lum = _luminance(fill)
    on_white = 1.05 / (lum + 0.05)
    on_black = (lum + 0.05) / 0.05
    return QColor(255, 255, 255) if on_white >= on_black else QColor(0, 0, 0)


@dataclass(frozen=True)
class ChipStyle:
    """How a meeting is drawn: confirmed solid, tentative dashed, cancelled faded and struck."""

    fill: QColor
    text: QColor
    border: QColor | None = None
    dashed: bool = False
    strike: bool = False
    italic: bool = False


def chip_style(occ: BriefOccurrence, palette: Palette, background: QColor) -> ChipStyle:
    colour = palette.of(occ)
    status = occ.meeting.status
    if status in (Status.CANCELLED, Status.POSTPONED):
        fill = blend(colour, background, 0.65)
        text = blend(contrasting_text(fill), fill, 0.3)
        return ChipStyle(
            fill, text, strike=status is Status.CANCELLED, italic=status is Status.POSTPONED
        )
    if status is Status.TENTATIVE:
        fill = blend(colour, background, 0.55)
        return ChipStyle(fill, contrasting_text(fill), border=colour, dashed=True, italic=True)
    return ChipStyle(colour, contrasting_text(colour))


def styled_font(base: QFont, style: ChipStyle, bold: bool = False) -> QFont:
    font = QFont(base)
    font.setStrikeOut(style.strike)
    font.setItalic(style.italic)
    font.setBold(bold)
    return font


def smaller_font(base: QFont, factor: float = 0.9) -> QFont:
    font = QFont(base)
    if font.pointSizeF() > 0:
        font.setPointSizeF(max(6.0, font.pointSizeF() * factor))
    elif font.pixelSize() > 0:
        font.setPixelSize(max(8, round(font.pixelSize() * factor)))
    return font


def _day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def describe_when(occ: BriefOccurrence, zone: ZoneInfo) -> str:
    """When an occurrence happens, in words, timed ones in ``zone``."""
    if isinstance(occ.start, datetime):
        start = to_zone(occ.start, zone)
        end = to_zone(occ.end, zone) if isinstance(occ.end, datetime) else start
        first, last = local_days(occ, zone)
        if first == last:
            return f"{_day_text(first)}, {start:%H:%M}–{end:%H:%M} {start.tzname() or ''}".strip()
        return (
            f"{_day_text(start.date())} {start:%H:%M} – {_day_text(end.date())} {end:%H:%M} "
            f"{start.tzname() or ''}"
        ).strip()
    first, last = local_days(occ, zone)
    if first == last:
        return f"{_day_text(first)} (all day)"
    return f"{_day_text(first)} – {_day_text(last)} (all day)"


def occurrence_tooltip(occ: BriefOccurrence, zone: ZoneInfo, conflict: bool = False) -> str:
    """Rich text for a chip's tooltip: the full title, when, where, and any unusual status
    (``conflict``: the meeting has a sync conflict to resolve)."""
    meeting = occ.meeting
    lines = [f"<b>{html.escape(meeting.title)}</b>", html.escape(describe_when(occ, zone))]
    if meeting.location:
        lines.append(html.escape(meeting.location))
    if meeting.status is not Status.CONFIRMED:
        lines.append(f"<i>{html.escape(meeting.status.value.capitalize())}</i>")
    if conflict:
        lines.append(f"<b style='color:{BADGE_COLOUR.name()}'>{html.escape(CONFLICT_NOTE)}</b>")
    return "<qt>" + "<br>".join(lines) + "</qt>"


def chip_label(occ: BriefOccurrence, zone: ZoneInfo, with_time: bool = True) -> str:
    """ "HH:MM Title" for a timed meeting (start in ``zone``), the title alone otherwise."""
    if with_time and isinstance(occ.start, datetime):
        return f"{clock(to_zone(occ.start, zone))} {occ.meeting.title}"
    return occ.meeting.title


def clock(moment: datetime) -> str:
    """ "HH:MM", without strftime: it imports ``time`` on every call, which PySide6's import
    hook makes slow, and a view labels hundreds of meetings per repaint."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


@dataclass
class RowItem:
    """An occurrence on a row of days (a week), on columns ``first``..``last``."""

    occ: BriefOccurrence
    first: int
    last: int
    spanning: bool
    order: int  # position in time order
    lane: int = 0
    days: tuple[date, date] | None = None  # ``local_days`` of ``occ``, when known already

    def covers(self, column: int) -> bool:
        return self.first <= column <= self.last


def assign_lanes(items: list[RowItem]) -> int:
    """Put every item on the lowest line free on all its columns; returns the lines used.

    Bars (all-day, multi-day) go first, longest first, so they keep one line across the row;
    timed meetings fill what is left, in time order.
    """
    ordered = sorted(
        items,
        key=lambda it: (
            not it.spanning,
            it.first if it.spanning else 0,
            -(it.last - it.first) if it.spanning else 0,
            it.order,
        ),
    )
    taken: dict[int, set[int]] = defaultdict(set)
    # Below this lane every line of a column is taken: single days start looking there (a busy
    # day of a big calendar has a hundred meetings; looking from 0 each time was quadratic).
    full_below: dict[int, int] = defaultdict(int)
    lanes = 0
    for item in ordered:
        lane = full_below[item.first] if item.first == item.last else 0
        while any(lane in taken[c] for c in range(item.first, item.last + 1)):
            lane += 1
        if item.first == item.last:
            full_below[item.first] = lane + 1  # the search passed only taken lines
        item.lane = lane
        for c in range(item.first, item.last + 1):
            taken[c].add(lane)
        lanes = max(lanes, lane + 1)
    return lanes


def visible_lanes(items: list[RowItem], columns: int, capacity: int) -> list[int]:
    """How many lines of meetings each column shows when ``capacity`` lines fit.

    A column needing more keeps its last line for "+N more".
    """
    needed = [0] * columns
    for it in items:
        for c in range(it.first, it.last + 1):
            needed[c] = max(needed[c], it.lane + 1)
    return [capacity if n <= capacity else max(0, capacity - 1) for n in needed]


def visible_runs(item: RowItem, limits: list[int]) -> list[tuple[int, int]]:
    """The stretches of columns where ``item`` is shown (not hidden behind "+N more")."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for c in range(item.first, item.last + 1):
        if item.lane < limits[c]:
            if start is None:
                start = c
        elif start is not None:
            runs.append((start, c - 1))
            start = None
    if start is not None:
        runs.append((start, item.last))
    return runs


def paint_chip(
    painter: QPainter,
    rect: QRectF,
    text: str,
    style: ChipStyle,
    font: QFont,
    *,
    selected: bool = False,
    outline: QColor | None = None,
    open_left: bool = False,
    open_right: bool = False,
    badge: bool = False,
) -> None:
    """A rounded chip with one elided line of text; open sides continue off the row.

    ``badge``: a red "!" at its right end (a sync conflict), the text cut before it."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setClipRect(rect.adjusted(-1, -1, 1, 1))
    shape = rect.adjusted(
        -CHIP_RADIUS * 2 if open_left else 0, 0, CHIP_RADIUS * 2 if open_right else 0, 0
    )
    path = QPainterPath()
    path.addRoundedRect(shape, CHIP_RADIUS, CHIP_RADIUS)
    painter.fillPath(path, style.fill)
    if style.border is not None:
        pen = QPen(style.border, 1.2)
        if style.dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawPath(path)
    if selected and outline is not None:
        painter.setPen(QPen(outline, 2.0))
        inner = QPainterPath()
        inner.addRoundedRect(shape.adjusted(1, 1, -1, -1), CHIP_RADIUS, CHIP_RADIUS)
        painter.drawPath(inner)
    painter.setClipRect(rect)
    painter.setFont(font)
    painter.setPen(style.text)
    text_rect = rect.adjusted(CHIP_PAD, 0, -CHIP_PAD, 0)
    if badge:
        used = paint_badge(painter, rect, centred=True)
        text_rect.setRight(min(text_rect.right(), used.left() - 2))
    elided = QFontMetrics(font).elidedText(
        text, Qt.TextElideMode.ElideRight, max(0, int(text_rect.width()))
    )
    painter.drawText(
        text_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), elided
    )
    painter.restore()


def paint_badge(painter: QPainter, rect: QRectF, centred: bool = False) -> QRectF:
    """The sync-conflict mark, a red disc with a white "!", at the right end of ``rect``
    (vertically centred, or in the top corner); returns where it was drawn."""
    size = max(6.0, min(float(BADGE_SIZE), rect.height() - 2))
    top = rect.top() + (rect.height() - size) / 2 if centred else rect.top() + 2
    disc = QRectF(rect.right() - size - 2, top, size, size)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(QColor(255, 255, 255), 1.2))
    painter.setBrush(BADGE_COLOUR)
    painter.drawEllipse(disc)
    font = QFont(painter.font())
    font.setBold(True)
    font.setStrikeOut(False)
    font.setItalic(False)
    font.setPixelSize(max(6, int(size * 0.8)))
    painter.setFont(font)
    painter.setPen(QColor(255, 255, 255))
    painter.drawText(disc, int(Qt.AlignmentFlag.AlignCenter), "!")
    painter.restore()
    return disc


def colour(widget: QWidget, role: QPalette.ColorRole) -> QColor:
    return widget.palette().color(QPalette.ColorGroup.Active, role)


def grid_line_colour(widget: QWidget) -> QColor:
    return blend(
        colour(widget, QPalette.ColorRole.Base), colour(widget, QPalette.ColorRole.Text), 0.2
    )


def dim_text_colour(widget: QWidget) -> QColor:
    return blend(
        colour(widget, QPalette.ColorRole.Text), colour(widget, QPalette.ColorRole.Base), 0.55
    )


# --- the month view -------------------------------------------------------------------------


@dataclass
class _Chip:
    occ: BriefOccurrence
    rect: QRectF
    text: str
    days: tuple[date, date]  # the first and last day of this piece
    open_left: bool
    open_right: bool


@dataclass
class _More:
    day: date
    rect: QRectF
    count: int


@dataclass
class _Layout:
    size: QSize
    xs: list[int]
    ys: list[int]
    header: QRect
    number_height: int
    chip_height: int
    capacity: int
    chips: list[_Chip] = field(default_factory=list)
    more: dict[date, _More] = field(default_factory=dict)
    day_order: dict[date, list[BriefOccurrence]] = field(default_factory=dict)


class MonthView(CalendarView):
    """Six weeks of days; meetings as chips, crowded days ending in "+N more".

    Signals as in ``CalendarView``: a click on a chip emits ``selected``, a double-click
    ``activated``; a double-click on empty space in a day ``create_requested(day, day + 1)``
    with dates; a click on a day number or on "+N more" ``anchor_requested(day)``. Arrow keys
    move the selected day (leaving the six weeks asks for another anchor), Tab steps through
    the day's meetings, Enter opens the selected one.
    """

    title = "Month"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data: ViewData | None = None
        self._zone: ZoneInfo = ZoneInfo("UTC")
        self._first: date | None = None
        self._selected: OccurrenceKey | None = None
        self._asked: int | None = None  # the last ``chips_per_day``
        self._selected_day: date | None = None
        self._layout: _Layout | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    # --- the contract ---------------------------------------------------------------------

    def period(self, anchor: date) -> tuple[date, date]:
        first = month_grid_start(anchor)
        return first, first + timedelta(days=WEEKS * DAYS)

    def show_data(self, data: ViewData) -> None:
        previous = self._data
        self._data = data
        self._zone = zone_of(data.tz)
        self._first, last = self.period(data.anchor)
        keep = (
            previous is not None
            and previous.anchor == data.anchor
            and self._selected_day is not None
            and self._first <= self._selected_day < last
        )
        if not keep:
            self._selected_day = data.anchor
        dropped = self._selected is not None and self._find(self._selected) is None
        if dropped:
            self._selected = None
        self._layout = None
        self.update()
        if dropped:
            self.selected.emit(None)

    def current(self) -> BriefOccurrence | None:
        return self._find(self._selected) if self._selected is not None else None

    def select_meeting(self, meeting_id: int, start: date | datetime | None = None) -> None:
        if self._data is None:
            return
        for occ in self._data.occurrences:
            if matches(occ, meeting_id, start):
                first, _ = local_days(occ, self._zone)
                self._selected_day = self._clamp_to_grid(first)
                self._select(occ)
                return

    # --- what tests and the main window may ask -------------------------------------------

    def selected_day(self) -> date | None:
        return self._selected_day

    def day_rect(self, day: date) -> QRect:
        """The cell of ``day`` (an empty rect if it is not shown)."""
        layout = self._ensure_layout()
        if layout is None or self._first is None:
            return QRect()
        index = (day - self._first).days
        if not 0 <= index < WEEKS * DAYS:
            return QRect()
        row, col = divmod(index, DAYS)
        return QRect(
            QPoint(layout.xs[col], layout.ys[row]),
            QPoint(layout.xs[col + 1] - 1, layout.ys[row + 1] - 1),
        )

    def chip_rects(self, occ: BriefOccurrence) -> list[QRect]:
        """Where ``occ`` is drawn: one rect per piece (a bar is cut at week ends)."""
        layout = self._ensure_layout()
        if layout is None:
            return []
        key = occurrence_key(occ)
        return [c.rect.toAlignedRect() for c in layout.chips if occurrence_key(c.occ) == key]

    def chip_texts(self, day: date) -> list[str]:
        """The labels of the chips shown on ``day`` (before eliding), top to bottom."""
        layout = self._ensure_layout()
        if layout is None:
            return []
        chips = [c for c in layout.chips if c.days[0] <= day <= c.days[1]]
        return [c.text for c in sorted(chips, key=lambda c: c.rect.top())]

    def more_rect(self, day: date) -> QRect | None:
        """The "+N more" line of ``day``, if the day is too crowded."""
        layout = self._ensure_layout()
        more = layout.more.get(day) if layout is not None else None
        return more.rect.toAlignedRect() if more is not None else None

    def more_text(self, day: date) -> str | None:
        layout = self._ensure_layout()
        more = layout.more.get(day) if layout is not None else None
        return f"+{more.count} more" if more is not None else None

    def occurrence_at(self, pos: QPoint | QPointF) -> BriefOccurrence | None:
        chip = self._chip_at(QPointF(pos))
        return chip.occ if chip is not None else None

    def day_at(self, pos: QPoint | QPointF) -> date | None:
        layout = self._ensure_layout()
        if layout is None or self._first is None:
            return None
        point = QPointF(pos)
        col = _index_in(layout.xs, point.x())
        row = _index_in(layout.ys, point.y())
        if col is None or row is None:
            return None
        return self._first + timedelta(days=row * DAYS + col)

    # --- Qt -------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(900, 640)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        fm = self.fontMetrics()
        return QSize(7 * fm.horizontalAdvance("00 Mon"), 6 * 3 * fm.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        self._layout = None
        super().resizeEvent(event)
        data, asked = self._data, self._asked
        roomier = asked is not None and self._capacity(self._cell_height(self.height())) > asked
        if data is not None and data.unlisted and roomier:
            self.anchor_requested.emit(data.anchor)  # room for more: read them

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            self._layout = None
            self.update()
        super().changeEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            chip = self._chip_at(QPointF(event.pos()))
            more = self._more_at(QPointF(event.pos()))
            if chip is not None:
                conflict = self._data is not None and chip.occ.meeting.uid in self._data.conflicts
                text = occurrence_tooltip(chip.occ, self._zone, conflict)
                QToolTip.showText(event.globalPos(), text, self)
            elif more is not None:
                QToolTip.showText(event.globalPos(), self._more_tooltip(more.day), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        pos = event.position()
        day = self.day_at(pos)
        if day is None:
            return
        self._selected_day = day
        chip = self._chip_at(pos)
        more = self._more_at(pos)
        if chip is not None:
            self._select(chip.occ)
        elif more is not None:
            self.update()
            self.anchor_requested.emit(more.day)
        elif self._number_rect(day).contains(pos):
            self.update()
            self.anchor_requested.emit(day)
        else:
            self._select(None)
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        pos = event.position()
        day = self.day_at(pos)
        if day is None:
            return
        chip = self._chip_at(pos)
        if chip is not None:
            self._select(chip.occ)
            self.activated.emit(chip.occ)
        elif self._more_at(pos) is None and not self._number_rect(day).contains(pos):
            self.create_requested.emit(day, day + timedelta(days=1))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        steps = {
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Up: -DAYS,
            Qt.Key.Key_Down: DAYS,
        }
        key = Qt.Key(event.key())
        if key in steps and self._selected_day is not None:
            self._move_day(self._selected_day + timedelta(days=steps[key]))
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            occ = self.current()
            if occ is not None:
                self.activated.emit(occ)
                return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002, N802
        """Tab and Shift+Tab walk through the meetings of the selected day, then leave."""
        layout = self._ensure_layout()
        if layout is not None and self._selected_day is not None:
            day_occs = layout.day_order.get(self._selected_day, [])
            keys = [occurrence_key(o) for o in day_occs]
            if self._selected in keys:
                index = keys.index(self._selected) + (1 if next else -1)
            else:
                index = 0 if next else len(keys) - 1
            if 0 <= index < len(keys):
                self._select(day_occs[index])
                return True
        return super().focusNextPrevChild(next)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        base = colour(self, QPalette.ColorRole.Base)
        painter.fillRect(self.rect(), base)
        layout = self._ensure_layout()
        if layout is not None:
            self._paint_header(painter, layout)
            if self._first is not None and self._data is not None:
                self._paint_days(painter, layout)
                self._paint_chips(painter, layout)
        painter.end()

    # --- painting -------------------------------------------------------------------------

    def _paint_header(self, painter: QPainter, layout: _Layout) -> None:
        window = colour(self, QPalette.ColorRole.Window)
        painter.fillRect(layout.header, window)
        painter.setPen(colour(self, QPalette.ColorRole.WindowText))
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        fm = QFontMetrics(font)
        for col in range(DAYS):
            cell = QRect(
                layout.xs[col],
                layout.header.top(),
                layout.xs[col + 1] - layout.xs[col],
                layout.header.height(),
            )
            name = WEEKDAY_LONG[col]
            if fm.horizontalAdvance(name) > cell.width() - 8:
                name = WEEKDAY_NAMES[col]
            if fm.horizontalAdvance(name) > cell.width() - 4:
                name = name[0]
            painter.drawText(cell, int(Qt.AlignmentFlag.AlignCenter), name)
        painter.setPen(grid_line_colour(self))
        painter.drawLine(0, layout.header.bottom(), self.width(), layout.header.bottom())

    def _paint_days(self, painter: QPainter, layout: _Layout) -> None:
        assert self._first is not None
        assert self._data is not None
        base = colour(self, QPalette.ColorRole.Base)
        window = colour(self, QPalette.ColorRole.Window)
        text = colour(self, QPalette.ColorRole.Text)
        dim = dim_text_colour(self)
        highlight = colour(self, QPalette.ColorRole.Highlight)
        highlighted_text = colour(self, QPalette.ColorRole.HighlightedText)
        outside = blend(base, window, 0.6)
        month = self._data.anchor.month
        number_font = QFont(self.font())
        fm = QFontMetrics(number_font)
        for index in range(WEEKS * DAYS):
            day = self._first + timedelta(days=index)
            cell = self.day_rect(day)
            if day.month != month:
                painter.fillRect(cell, outside)
            label = f"{day.day} {day:%b}" if day.day == 1 else str(day.day)
            number = self._number_rect(day)
            painter.setFont(number_font)
            if day == self._data.today:
                painter.save()
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                width = max(number.height(), fm.horizontalAdvance(label) + 10)
                pill = QRectF(number.left(), number.top() + 1, width, number.height() - 2)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(highlight)
                painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
                painter.restore()
                bold = QFont(number_font)
                bold.setBold(True)
                painter.setFont(bold)
                painter.setPen(highlighted_text)
                painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), label)
            else:
                painter.setPen(text if day.month == month else dim)
                painter.drawText(
                    number.adjusted(5, 0, 0, 0),
                    int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                    label,
                )
        painter.setPen(QPen(grid_line_colour(self), 1))
        for x in layout.xs[1:-1]:
            painter.drawLine(x, layout.ys[0], x, layout.ys[-1])
        for y in layout.ys[1:-1]:
            painter.drawLine(layout.xs[0], y, layout.xs[-1], y)
        if self._selected_day is not None:
            cell = self.day_rect(self._selected_day)
            if not cell.isEmpty():
                width = 2 if self.hasFocus() else 1
                painter.setPen(QPen(highlight, width))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(cell.adjusted(1, 1, -width, -width))

    def _paint_chips(self, painter: QPainter, layout: _Layout) -> None:
        assert self._data is not None
        base = colour(self, QPalette.ColorRole.Base)
        outline = colour(self, QPalette.ColorRole.Text)
        font = smaller_font(self.font())
        conflicts = self._data.conflicts
        for chip in layout.chips:
            style = chip_style(chip.occ, self._data.palette, base)
            paint_chip(
                painter,
                chip.rect,
                chip.text,
                style,
                styled_font(font, style),
                selected=occurrence_key(chip.occ) == self._selected,
                outline=outline,
                open_left=chip.open_left,
                open_right=chip.open_right,
                badge=chip.occ.meeting.uid in conflicts,
            )
        more_font = smaller_font(self.font())
        more_font.setBold(True)
        painter.setFont(more_font)
        painter.setPen(colour(self, QPalette.ColorRole.Text))
        fm = QFontMetrics(more_font)
        for more in layout.more.values():
            text = fm.elidedText(
                f"+{more.count} more", Qt.TextElideMode.ElideRight, int(more.rect.width()) - 4
            )
            painter.drawText(
                more.rect.adjusted(CHIP_PAD, 0, 0, 0),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                text,
            )

    def _more_tooltip(self, day: date) -> str:
        layout = self._ensure_layout()
        occs = layout.day_order.get(day, []) if layout is not None else []
        lines = [f"<b>{html.escape(_day_text(day))}</b>"]
        lines += [html.escape(chip_label(o, self._zone)) for o in occs]
        unlisted = self._data.unlisted.get(day, 0) if self._data is not None else 0
        if unlisted:
            lines.append(f"<i>… and {unlisted} more (see the week or agenda view)</i>")
        return "<qt>" + "<br>".join(lines) + "</qt>"

    # --- layout ---------------------------------------------------------------------------

    def _ensure_layout(self) -> _Layout | None:
        if self._layout is not None and self._layout.size == self.size():
            return self._layout
        self._layout = self._compute_layout()
        return self._layout

    def _capacity(self, cell_height: int) -> int:
        """How many lines of chips a day cell of ``cell_height`` pixels holds."""
        number_height = self.fontMetrics().height() + 6
        chip_height = QFontMetrics(smaller_font(self.font())).height() + 4
        return max(
            1, (cell_height - number_height - CELL_PAD + CHIP_GAP) // (chip_height + CHIP_GAP)
        )

    def _cell_height(self, height: int) -> int:
        header_height = self.fontMetrics().height() + 10
        return round((max(height, WEEKS) - 1 - header_height) / WEEKS)

    def chips_per_day(self) -> int:
        """How many meetings of a day the main window reads (``QueryService.month_briefs``):
        what a day shows at the current size, and never fewer than ``MIN_CHIPS_READ`` so that
        the first resize of a window rarely needs a second read."""
        self._asked = max(MIN_CHIPS_READ, self._capacity(self._cell_height(self.height())))
        return self._asked

    def _compute_layout(self) -> _Layout:
        width, height = max(self.width(), DAYS), max(self.height(), WEEKS)
        fm = self.fontMetrics()
        chip_fm = QFontMetrics(smaller_font(self.font()))
        header_height = fm.height() + 10
        xs = [round(i * (width - 1) / DAYS) for i in range(DAYS + 1)]
        ys = [
            header_height + round(r * (height - 1 - header_height) / WEEKS)
            for r in range(WEEKS + 1)
        ]
        number_height = fm.height() + 6
        chip_height = chip_fm.height() + 4
        capacity = self._capacity(ys[1] - ys[0])  # ys[1] - ys[0] is ``_cell_height(height)``
        layout = _Layout(
            size=self.size(),
            xs=xs,
            ys=ys,
            header=QRect(0, 0, width, header_height),
            number_height=number_height,
            chip_height=chip_height,
            capacity=capacity,
        )
        if self._data is None or self._first is None:
            return layout
        rows: list[list[RowItem]] = [[] for _ in range(WEEKS)]
        grid_last = self._first + timedelta(days=WEEKS * DAYS - 1)
        for order, occ in enumerate(self._data.occurrences):
            first, last = local_days(occ, self._zone)
            if last < self._first or first > grid_last:
                continue
            spanning = occ.all_day or not isinstance(occ.start, datetime) or first != last
            first_i = max(0, (first - self._first).days)
            last_i = min(WEEKS * DAYS - 1, (last - self._first).days)
            for row in range(first_i // DAYS, last_i // DAYS + 1):
                lo = max(first_i, row * DAYS) - row * DAYS
                hi = min(last_i, row * DAYS + DAYS - 1) - row * DAYS
                rows[row].append(RowItem(occ, lo, hi, spanning, order, days=(first, last)))
        for row, items in enumerate(rows):
            self._layout_row(layout, row, items)
        return layout

    def _layout_row(self, layout: _Layout, row: int, items: list[RowItem]) -> None:
        assert self._first is not None
        assign_lanes(items)
        limits = visible_lanes(items, DAYS, layout.capacity)
        unlisted = self._data.unlisted if self._data is not None else {}
        row_first = self._first + timedelta(days=row * DAYS)
        for col in range(DAYS):
            if unlisted.get(row_first + timedelta(days=col)):
                limits[col] = max(0, layout.capacity - 1)  # more than fit: keep "+N more"
        top = layout.ys[row] + layout.number_height
        step = layout.chip_height + CHIP_GAP
        by_column: list[list[RowItem]] = [[] for _ in range(DAYS)]
        for item in items:
            for col in range(item.first, item.last + 1):
                by_column[col].append(item)
        for col, here in enumerate(by_column):
            day = row_first + timedelta(days=col)
            here.sort(key=lambda it: it.lane)
            layout.day_order[day] = [it.occ for it in here]
            hidden = sum(1 for it in here if it.lane >= limits[col]) + unlisted.get(day, 0)
            if hidden:
                y = top + limits[col] * step
                layout.more[day] = _More(
                    day,
                    QRectF(
                        layout.xs[col] + CELL_PAD,
                        y,
                        layout.xs[col + 1] - layout.xs[col] - 2 * CELL_PAD,
                        layout.chip_height,
                    ),
                    hidden,
                )
        for item in items:
            if all(item.lane >= limits[c] for c in range(item.first, item.last + 1)):
                continue  # behind "+N more" on every day it covers
            first_day, last_day = item.days or local_days(item.occ, self._zone)
            for lo, hi in visible_runs(item, limits):
                lo_day = row_first + timedelta(days=lo)
                hi_day = row_first + timedelta(days=hi)
                open_left = lo_day > first_day
                open_right = hi_day < last_day
                left = layout.xs[lo] + (0 if open_left else CELL_PAD)
                right = layout.xs[hi + 1] - (0 if open_right else CELL_PAD)
                rect = QRectF(left, top + item.lane * step, right - left, layout.chip_height)
                with_time = lo_day == first_day
                layout.chips.append(
                    _Chip(
                        item.occ,
                        rect,
                        chip_label(item.occ, self._zone, with_time),
                        (lo_day, hi_day),
                        open_left,
                        open_right,
                    )
                )

    def _number_rect(self, day: date) -> QRectF:
        layout = self._ensure_layout()
        cell = self.day_rect(day)
        if layout is None or cell.isEmpty():
            return QRectF()
        fm = self.fontMetrics()
        label = f"{day.day} {day:%b}" if day.day == 1 else str(day.day)
        width = max(layout.number_height, fm.horizontalAdvance(label) + 12)
        return QRectF(cell.left() + 2, cell.top() + 2, width, layout.number_height - 3)

    # --- hit tests and selection ----------------------------------------------------------

    def _chip_at(self, pos: QPointF) -> _Chip | None:
        layout = self._ensure_layout()
        if layout is None:
            return None
        for chip in reversed(layout.chips):
            if chip.rect.contains(pos):
                return chip
        return None

    def _more_at(self, pos: QPointF) -> _More | None:
        layout = self._ensure_layout()
        if layout is None:
            return None
        for more in layout.more.values():
            if more.rect.contains(pos):
                return more
        return None

    def _find(self, key: OccurrenceKey) -> BriefOccurrence | None:
        if self._data is None:
            return None
        for occ in self._data.occurrences:
            if occurrence_key(occ) == key:
                return occ
        return None

    def _select(self, occ: BriefOccurrence | None) -> None:
        key = occurrence_key(occ) if occ is not None else None
        self.update()
        if key == self._selected:
            return
        self._selected = key
        self.selected.emit(occ)

    def _clamp_to_grid(self, day: date) -> date:
        if self._first is None:
            return day
        return min(max(day, self._first), self._first + timedelta(days=WEEKS * DAYS - 1))

    def _move_day(self, day: date) -> None:
        layout = self._ensure_layout()
        self._selected_day = day
        occs = layout.day_order.get(day, []) if layout is not None else []
        self._select(occs[0] if occs else None)
        self.update()
        if self._first is not None and not (
            self._first <= day < self._first + timedelta(days=WEEKS * DAYS)
        ):
            self.anchor_requested.emit(day)


def _index_in(edges: list[int], value: float) -> int | None:
    """Which interval of ``edges`` holds ``value``."""
    if value < edges[0] or value >= edges[-1]:
        return None
    for i in range(len(edges) - 1):
        if edges[i] <= value < edges[i + 1]:
            return i
    return None
