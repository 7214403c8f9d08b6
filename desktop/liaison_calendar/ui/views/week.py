"""The week view: Monday to Sunday as a time grid in the user's zone.

On top, a header with the days and a band for all-day and multi-day meetings; below, a scrolling
grid of the 24 hours where timed meetings sit at their times, side by side when they overlap.
A timed meeting can be dragged to another time or day (snapping to 15 minutes); the view only
asks for the change (``reschedule_requested``), the main window makes it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QHideEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QShowEvent,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QApplication, QFrame, QScrollArea, QToolTip, QVBoxLayout, QWidget

from liaison_calendar.domain.briefs import BriefOccurrence
from liaison_calendar.domain.timezones import zone as zone_of
from liaison_calendar.ui.views.base import CalendarView, ViewData
from liaison_calendar.ui.views.month import (
    BADGE_COLOUR,
    CELL_PAD,
    CHIP_GAP,
    CHIP_PAD,
    CHIP_RADIUS,
    WEEKDAY_NAMES,
    ChipStyle,
    OccurrenceKey,
    RowItem,
    assign_lanes,
    blend,
    chip_label,
    chip_style,
    clock,
    colour,
    dim_text_colour,
    grid_line_colour,
    is_spanning,
    local_days,
    matches,
    occurrence_key,
    occurrence_tooltip,
    paint_badge,
    paint_chip,
    smaller_font,
    styled_font,
    to_zone,
    visible_lanes,
    visible_runs,
)

DAYS = 7
MINUTES_PER_DAY = 24 * 60
DRAG_SNAP_MINUTES = 15
CREATE_SNAP_MINUTES = 30
FIRST_VISIBLE_HOUR = 7
BAND_LANES = 3  # all-day lines shown before "+N more"
NOW_COLOUR = QColor("#e53935")
BLOCK_MARGIN = 6  # free space right of the meetings in a day, to click on the day itself
MIN_TEXT_WIDTH = 12  # a meeting narrower than this (in a crowded hour) is drawn without text


def _system_now() -> datetime:
    return datetime.now(UTC)


def _wall_minutes(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def at_wall_time(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """``day`` at ``minutes`` past midnight in ``zone``; a time the clocks skip moves forward."""
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return wall.astimezone(UTC).astimezone(zone)


def wrap_lines(text: str, font: QFont, width: float, max_lines: int) -> list[str]:
    """``text`` broken into at most ``max_lines`` lines of ``width``; the last one elided."""
    if max_lines <= 0 or width <= 0:
        return []
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    spans: list[tuple[int, int]] = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        spans.append((line.textStart(), line.textLength()))
    layout.endLayout()
    lines = [text[start : start + length].rstrip() for start, length in spans]
    if len(lines) > max_lines:
        rest = text[spans[max_lines - 1][0] :]
        lines = lines[: max_lines - 1] + [
            QFontMetrics(font).elidedText(rest, Qt.TextElideMode.ElideRight, int(width))
        ]
    return [
        QFontMetrics(font).elidedText(line, Qt.TextElideMode.ElideRight, int(width))
        for line in lines
    ]


@dataclass
class _Block:
    """A timed meeting on the grid."""

    occ: BriefOccurrence
    column: int
    start: datetime  # in the user's zone
    end: datetime
    rect: QRectF  # in grid coordinates


@dataclass
class _BandChip:
    occ: BriefOccurrence
    rect: QRectF  # in header coordinates
    text: str
    open_left: bool
    open_right: bool


@dataclass
class _Drag:
    occ: BriefOccurrence
    press: QPointF
    rect: QRectF
    start: datetime  # the meeting's start in the user's zone
    moved: bool = False
    target: datetime | None = None
    target_rect: QRectF | None = None


class _TimeGrid(QWidget):
    """The 24 hours of the seven days; painting and mouse handling live in ``WeekView``."""

    def __init__(self, view: "WeekView") -> None:
        super().__init__(view)
        self._view = view
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setFocusProxy(view)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        self._view._paint_grid(painter, event.rect())
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._view._grid_resized()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self._view._grid_press(event):
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self._view._grid_move(event):
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self._view._grid_release(event):
            super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self._view._grid_double_click(event):
            super().mouseDoubleClickEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            block = self._view._block_at(QPointF(event.pos()))
            self._view._show_tooltip(event, block.occ if block is not None else None, self)
            return True
        return super().event(event)


class _WeekHeader(QWidget):
    """Day names and the all-day band; painting and mouse handling live in ``WeekView``."""

    def __init__(self, view: "WeekView") -> None:
        super().__init__(view)
        self._view = view
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setFocusProxy(view)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        self._view._paint_header(painter)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self._view._header_press(event):
            super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self._view._header_double_click(event):
            super().mouseDoubleClickEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            chip = self._view._band_chip_at(QPointF(event.pos()))
            self._view._show_tooltip(event, chip.occ if chip is not None else None, self)
            return True
        return super().event(event)


class WeekView(CalendarView):
    """Monday to Sunday of the anchor's week, as a time grid in the user's zone.

    ``now`` gives the current instant for the red "now" line (the system clock by default).
    Children: ``header`` (day names, all-day band), ``scroll_area`` holding ``grid`` (the hours).
    Signals as in ``CalendarView``: click selects, double-click opens; a double-click on an
    empty slot asks to create an hour there (aware datetimes in the user's zone, on the half
    hour), on the all-day band a whole day (dates); dragging a timed meeting asks to move it
    (``reschedule_requested(occ, new_start)``, snapped to 15 minutes). Arrow keys step through
    the meetings in time order, Enter opens the selected one, Escape cancels a drag.
    """

    title = "Week"

    def __init__(
        self, parent: QWidget | None = None, now: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__(parent)
        self._now = now or _system_now
        self._data: ViewData | None = None
        self._zone: ZoneInfo = ZoneInfo("UTC")
        self._first: date | None = None
        self._selected: OccurrenceKey | None = None
        self._fonts: dict[tuple[str, bool, bool, bool], QFont] = {}
        self._band: list[RowItem] = []
        self._band_lanes = 0
        self._band_expanded = False
        self._blocks: list[_Block] | None = None
        self._blocks_width = -1
        self._drag: _Drag | None = None
        self._pending_hour: int | None = FIRST_VISIBLE_HOUR

        self.header = _WeekHeader(self)
        self.grid = _TimeGrid(self)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.setWidget(self.grid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.scroll_area, 1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._now_timer = QTimer(self)
        self._now_timer.setInterval(60_000)
        self._connect_signals()
        self._update_metrics()

    def _connect_signals(self) -> None:
        self.scroll_area.verticalScrollBar().rangeChanged.connect(self._apply_pending_scroll)
        self._now_timer.timeout.connect(self.grid.update)

    # --- the contract ---------------------------------------------------------------------

    def period(self, anchor: date) -> tuple[date, date]:
        first = anchor - timedelta(days=anchor.weekday())
        return first, first + timedelta(days=DAYS)

    def show_data(self, data: ViewData) -> None:
        self._data = data
        self._zone = zone_of(data.tz)
        self._first, _ = self.period(data.anchor)
        self._drag = None
        dropped = self._selected is not None and self._find(self._selected) is None
        if dropped:
            self._selected = None
        self._layout_band()
        self._blocks = None
        self.header.update()
        self.grid.update()
        if dropped:
            self.selected.emit(None)

    def current(self) -> BriefOccurrence | None:
        return self._find(self._selected) if self._selected is not None else None

    def select_meeting(self, meeting_id: int, start: date | datetime | None = None) -> None:
        if self._data is None:
            return
        for occ in self._data.occurrences:
            if matches(occ, meeting_id, start):
                self._select(occ)
                self._scroll_to(occ)
                return

    # --- what tests and the main window may ask -------------------------------------------

    def hour_height(self) -> int:
        """Pixels per hour on the grid."""
        return max(48, 3 * self.fontMetrics().height())

    def gutter_width(self) -> int:
        return self.fontMetrics().horizontalAdvance("00:00") + 16

    def block_rect(self, occ: BriefOccurrence) -> QRect | None:
        """Where a timed ``occ`` is drawn, in ``grid`` coordinates."""
        key = occurrence_key(occ)
        for block in self._ensure_blocks():
            if occurrence_key(block.occ) == key:
                return block.rect.toAlignedRect()
        return None

    def band_rects(self, occ: BriefOccurrence) -> list[QRect]:
        """Where an all-day or multi-day ``occ`` is drawn, in ``header`` coordinates."""
        key = occurrence_key(occ)
        return [c.rect.toAlignedRect() for c in self._band_chips() if occurrence_key(c.occ) == key]

    def band_more_rect(self, day: date) -> QRect | None:
        """The "+N more" of ``day`` in the all-day band, in ``header`` coordinates."""
        for more_day, rect, _count in self._band_more():
            if more_day == day:
                return rect.toAlignedRect()
        return None

    def column_rect(self, day: date) -> QRect:
        """The column of ``day`` on the grid, in ``grid`` coordinates (empty if not shown)."""
        if self._first is None or not 0 <= (day - self._first).days < DAYS:
            return QRect()
        edges = self._edges()
        column = (day - self._first).days
        return QRect(edges[column], 0, edges[column + 1] - edges[column], self.grid.height())

    def slot_point(self, day: date, minutes: int) -> QPoint:
        """The middle of ``day``'s column at ``minutes`` past midnight, in ``grid`` coordinates."""
        edges = self._edges()
        column = (day - self._first).days if self._first is not None else 0
        x = (edges[column] + edges[column + 1]) // 2
        return QPoint(x, round(minutes * self.hour_height() / 60))

    def occurrence_at(self, pos: QPoint | QPointF) -> BriefOccurrence | None:
        """The timed meeting at ``pos`` in ``grid`` coordinates."""
        block = self._block_at(QPointF(pos))
        return block.occ if block is not None else None

    def drag_target(self) -> datetime | None:
        """Where the meeting being dragged would start now (None when not dragging)."""
        return self._drag.target if self._drag is not None and self._drag.moved else None

    def scroll_to_hour(self, hour: int) -> None:
        self._pending_hour = hour
        self._apply_pending_scroll()

    # --- Qt -------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(900, 640)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        built = getattr(self, "grid", None) is not None  # Qt reports changes during __init__
        if built and event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange):
            self._update_metrics()
            self._blocks = None
            self.header.update()
            self.grid.update()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self._now_timer.start()
        self._apply_pending_scroll()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        self._now_timer.stop()
        super().hideEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = Qt.Key(event.key())
        if key == Qt.Key.Key_Escape and self._drag is not None:
            self._drag = None
            self.grid.unsetCursor()
            self.grid.update()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            occ = self.current()
            if occ is not None:
                self.activated.emit(occ)
                return
        steps = {Qt.Key.Key_Left: -1, Qt.Key.Key_Up: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Down: 1}
        if key in steps and self._data is not None and self._data.occurrences:
            occs = self._data.occurrences
            keys = [occurrence_key(o) for o in occs]
            if self._selected in keys:
                index = keys.index(self._selected) + steps[key]
            else:
                index = 0 if steps[key] > 0 else len(occs) - 1
            if 0 <= index < len(occs):
                self._select(occs[index])
                self._scroll_to(occs[index])
            return
        super().keyPressEvent(event)

    # --- geometry -------------------------------------------------------------------------

    def _update_metrics(self) -> None:
        self.grid.setFixedHeight(24 * self.hour_height() + 1)
        self._resize_header()

    def _label_height(self) -> int:
        return self.fontMetrics().height() + 12

    def _chip_height(self) -> int:
        return QFontMetrics(smaller_font(self.font())).height() + 4

    def _band_lines(self) -> int:
        if self._band_expanded or self._band_lanes <= BAND_LANES:
            return max(1, self._band_lanes)
        return BAND_LANES

    def _resize_header(self) -> None:
        lines = self._band_lines()
        if self._band_expanded and self._band_lanes > BAND_LANES:
            lines += 1  # the "Show less" line
        height = self._label_height() + lines * (self._chip_height() + CHIP_GAP) + 2 * CELL_PAD
        self.header.setFixedHeight(height)

    def _edges(self) -> list[int]:
        """The x of each day's left border and of the last right border, for header and grid."""
        width = max(self.grid.width(), self.gutter_width() + DAYS)
        gutter = self.gutter_width()
        return [gutter + round(i * (width - 1 - gutter) / DAYS) for i in range(DAYS + 1)]

    def _column_at(self, x: float, clamp: bool = False) -> int | None:
        edges = self._edges()
        for i in range(DAYS):
            if edges[i] <= x < edges[i + 1]:
                return i
        if not clamp:
            return None
        return 0 if x < edges[0] else DAYS - 1

    def _grid_resized(self) -> None:
        self._blocks = None
        self.header.update()

    # --- the all-day band -----------------------------------------------------------------

    def _layout_band(self) -> None:
        self._band = []
        if self._data is None or self._first is None:
            self._band_lanes = 0
            self._resize_header()
            return
        last = self._first + timedelta(days=DAYS - 1)
        for order, occ in enumerate(self._data.occurrences):
            if not is_spanning(occ, self._zone):
                continue
            first_day, last_day = local_days(occ, self._zone)
            if last_day < self._first or first_day > last:
                continue
            lo = max(0, (first_day - self._first).days)
            hi = min(DAYS - 1, (last_day - self._first).days)
            self._band.append(RowItem(occ, lo, hi, True, order))
        self._band_lanes = assign_lanes(self._band)
        self._resize_header()

    def _band_limits(self) -> list[int]:
        if self._band_expanded:
            return [self._band_lanes] * DAYS
        return visible_lanes(self._band, DAYS, BAND_LANES)

    def _band_top(self) -> int:
        return self._label_height() + CELL_PAD

    def _band_chips(self) -> list[_BandChip]:
        if self._first is None:
            return []
        edges = self._edges()
        limits = self._band_limits()
        step = self._chip_height() + CHIP_GAP
        chips = []
        for item in self._band:
            first_day, last_day = local_days(item.occ, self._zone)
            for lo, hi in visible_runs(item, limits):
                lo_day = self._first + timedelta(days=lo)
                hi_day = self._first + timedelta(days=hi)
                open_left = lo_day > first_day
                open_right = hi_day < last_day
                left = edges[lo] + (0 if open_left else CELL_PAD)
                right = edges[hi + 1] - (0 if open_right else CELL_PAD)
                rect = QRectF(
                    left, self._band_top() + item.lane * step, right - left, self._chip_height()
                )
                text = chip_label(item.occ, self._zone, lo_day == first_day)
                chips.append(_BandChip(item.occ, rect, text, open_left, open_right))
        return chips

    def _band_more(self) -> list[tuple[date, QRectF, int]]:
        if self._first is None or self._band_expanded:
            return []
        edges = self._edges()
        limits = self._band_limits()
        step = self._chip_height() + CHIP_GAP
        result = []
        for col in range(DAYS):
            hidden = sum(1 for it in self._band if it.covers(col) and it.lane >= limits[col])
            if hidden:
                rect = QRectF(
                    edges[col] + CELL_PAD,
                    self._band_top() + limits[col] * step,
                    edges[col + 1] - edges[col] - 2 * CELL_PAD,
                    self._chip_height(),
                )
                result.append((self._first + timedelta(days=col), rect, hidden))
        return result

    def _less_rect(self) -> QRectF | None:
        """The "Show less" line of an expanded band."""
        if not (self._band_expanded and self._band_lanes > BAND_LANES):
            return None
        step = self._chip_height() + CHIP_GAP
        edges = self._edges()
        return QRectF(
            edges[0] + CELL_PAD,
            self._band_top() + self._band_lanes * step,
            edges[-1] - edges[0] - 2 * CELL_PAD,
            self._chip_height(),
        )

    def _band_chip_at(self, pos: QPointF) -> _BandChip | None:
        for chip in reversed(self._band_chips()):
            if chip.rect.contains(pos):
                return chip
        return None

    def _header_press(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        pos = event.position()
        chip = self._band_chip_at(pos)
        if chip is not None:
            self._select(chip.occ)
            return True
        for _day, rect, _count in self._band_more():
            if rect.contains(pos):
                self._set_band_expanded(True)
                return True
        less = self._less_rect()
        if less is not None and less.contains(pos):
            self._set_band_expanded(False)
            return True
        self._select(None)
        return True

    def _header_double_click(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or self._first is None:
            return False
        pos = event.position()
        chip = self._band_chip_at(pos)
        if chip is not None:
            self._select(chip.occ)
            self.activated.emit(chip.occ)
            return True
        if pos.y() < self._band_top() or any(r.contains(pos) for _, r, _ in self._band_more()):
            return True
        less = self._less_rect()
        if less is not None and less.contains(pos):
            return True
        column = self._column_at(pos.x())
        if column is not None:
            day = self._first + timedelta(days=column)
            self.create_requested.emit(day, day + timedelta(days=1))
        return True

    def _set_band_expanded(self, expanded: bool) -> None:
        self._band_expanded = expanded
        self._resize_header()
        self.header.update()

    def _paint_header(self, painter: QPainter) -> None:
        header = self.header
        base = colour(self, QPalette.ColorRole.Base)
        window = colour(self, QPalette.ColorRole.Window)
        window_text = colour(self, QPalette.ColorRole.WindowText)
        highlight = colour(self, QPalette.ColorRole.Highlight)
        lines = grid_line_colour(self)
        painter.fillRect(header.rect(), window)
        edges = self._edges()
        label_height = self._label_height()
        band = QRect(edges[0], label_height, edges[-1] - edges[0], header.height() - label_height)
        painter.fillRect(band, base)
        painter.setPen(lines)
        painter.drawLine(0, header.height() - 1, header.width(), header.height() - 1)
        painter.drawLine(edges[0], label_height, edges[-1], label_height)
        for x in edges:
            painter.drawLine(x, label_height, x, header.height() - 1)
        if self._first is None or self._data is None:
            return
        font = QFont(self.font())
        fm = QFontMetrics(font)
        bold = QFont(font)
        bold.setBold(True)
        for col in range(DAYS):
            day = self._first + timedelta(days=col)
            cell = QRect(edges[col], 0, edges[col + 1] - edges[col], label_height)
            label = f"{WEEKDAY_NAMES[col]} {day.day} {day:%b}"
            if fm.horizontalAdvance(label) > cell.width() - 12:
                label = f"{WEEKDAY_NAMES[col]} {day.day}"
            if fm.horizontalAdvance(label) > cell.width() - 12:
                label = str(day.day)
            if day == self._data.today:
                width = min(cell.width() - 4, QFontMetrics(bold).horizontalAdvance(label) + 16)
                pill = QRectF(
                    cell.center().x() - width / 2 + 1, cell.top() + 4, width, label_height - 8
                )
                painter.save()
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(highlight)
                painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
                painter.restore()
                painter.setFont(bold)
                painter.setPen(colour(self, QPalette.ColorRole.HighlightedText))
                painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), label)
            else:
                painter.setFont(font)
                painter.setPen(window_text)
                painter.drawText(cell, int(Qt.AlignmentFlag.AlignCenter), label)
        # The zone the times are in, above the hour labels.
        small = smaller_font(font, 0.85)
        painter.setFont(small)
        painter.setPen(dim_text_colour(self))
        noon = datetime.combine(self._first + timedelta(days=3), time(12), tzinfo=self._zone)
        gutter = QRect(0, 0, edges[0] - 2, label_height)
        painter.drawText(
            gutter,
            int(Qt.AlignmentFlag.AlignCenter),
            QFontMetrics(small).elidedText(
                noon.tzname() or self._zone.key, Qt.TextElideMode.ElideRight, gutter.width()
            ),
        )
        chip_font = smaller_font(font)
        outline = colour(self, QPalette.ColorRole.Text)
        for chip in self._band_chips():
            style = chip_style(chip.occ, self._data.palette, base)
            paint_chip(
                painter,
                chip.rect,
                chip.text,
                style,
                styled_font(chip_font, style),
                selected=occurrence_key(chip.occ) == self._selected,
                outline=outline,
                open_left=chip.open_left,
                open_right=chip.open_right,
                badge=chip.occ.meeting.uid in self._data.conflicts,
            )
        more_font = QFont(chip_font)
        more_font.setBold(True)
        painter.setFont(more_font)
        painter.setPen(colour(self, QPalette.ColorRole.Text))
        for _day, rect, count in self._band_more():
            painter.drawText(
                rect.adjusted(CHIP_PAD, 0, 0, 0),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                QFontMetrics(more_font).elidedText(
                    f"+{count} more", Qt.TextElideMode.ElideRight, int(rect.width()) - CHIP_PAD
                ),
            )
        less = self._less_rect()
        if less is not None:
            painter.drawText(
                less.adjusted(CHIP_PAD, 0, 0, 0),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                "Show less",
            )

    # --- the time grid --------------------------------------------------------------------

    def _ensure_blocks(self) -> list[_Block]:
        width = self.grid.width()
        if self._blocks is not None and self._blocks_width == width:
            return self._blocks
        self._blocks = self._layout_blocks()
        self._blocks_width = width
        return self._blocks

    def _layout_blocks(self) -> list[_Block]:
        if self._data is None or self._first is None:
            return []
        hour = self.hour_height()
        total = 24 * hour
        min_height = self._chip_height() + 2
        per_day: list[list[_Block]] = [[] for _ in range(DAYS)]
        for occ in self._data.occurrences:
            if not isinstance(occ.start, datetime) or is_spanning(occ, self._zone):
                continue
            start = to_zone(occ.start, self._zone)
            end = to_zone(occ.end, self._zone) if isinstance(occ.end, datetime) else start
            column = (start.date() - self._first).days
            if not 0 <= column < DAYS:
                continue
            top = _wall_minutes(start) * hour / 60
            end_minutes = _wall_minutes(end) if end.date() == start.date() else MINUTES_PER_DAY
            bottom = max(end_minutes * hour / 60, top + min_height)
            if bottom > total:
                top, bottom = max(0.0, total - (bottom - top)), float(total)
            per_day[column].append(_Block(occ, column, start, end, QRectF(0, top, 0, bottom - top)))
        edges = self._edges()
        blocks: list[_Block] = []
        for column, day_blocks in enumerate(per_day):
            left = edges[column] + 1
            width = edges[column + 1] - edges[column] - BLOCK_MARGIN
            _place_side_by_side(day_blocks, left, width)
            blocks.extend(day_blocks)
        return blocks

    def _block_at(self, pos: QPointF) -> _Block | None:
        for block in reversed(self._ensure_blocks()):
            if block.rect.contains(pos):
                return block
        return None

    def _grid_press(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        pos = event.position()
        block = self._block_at(pos)
        if block is None:
            self._select(None)
            return True
        self._select(block.occ)
        self._drag = _Drag(block.occ, QPointF(pos), QRectF(block.rect), block.start)
        return True

    def _grid_move(self, event: QMouseEvent) -> bool:
        if self._drag is None:
            return False
        self._drag_to(event.position())
        return True

    def _grid_release(self, event: QMouseEvent) -> bool:
        drag = self._drag
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            return False
        self._drag_to(event.position())
        self._drag = None
        self.grid.unsetCursor()
        self.grid.update()
        if drag.moved and drag.target is not None and drag.target != drag.occ.start:
            self.reschedule_requested.emit(drag.occ, drag.target)
        return True

    def _drag_to(self, pos: QPointF) -> None:
        drag = self._drag
        if drag is None or self._first is None:
            return
        if not drag.moved:
            if (pos - drag.press).manhattanLength() < QApplication.startDragDistance():
                return
            drag.moved = True
            self.grid.setCursor(Qt.CursorShape.ClosedHandCursor)
        hour = self.hour_height()
        delta = (pos.y() - drag.press.y()) * 60 / hour
        snapped = round(delta / DRAG_SNAP_MINUTES) * DRAG_SNAP_MINUTES
        minutes = _wall_minutes(drag.start) + snapped
        minutes = min(max(0, minutes), MINUTES_PER_DAY - DRAG_SNAP_MINUTES)
        column = self._column_at(pos.x(), clamp=True)
        assert column is not None
        day = self._first + timedelta(days=column)
        drag.target = at_wall_time(day, minutes, self._zone)
        edges = self._edges()
        top = min(minutes * hour / 60, 24 * hour - drag.rect.height())
        drag.target_rect = QRectF(
            edges[column] + 1,
            top,
            edges[column + 1] - edges[column] - BLOCK_MARGIN,
            drag.rect.height(),
        )
        self.scroll_area.ensureVisible(int(pos.x()), int(pos.y()), 0, 8)
        self.grid.update()

    def _grid_double_click(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or self._first is None:
            return False
        pos = event.position()
        block = self._block_at(pos)
        if block is not None:
            self._select(block.occ)
            self.activated.emit(block.occ)
            return True
        column = self._column_at(pos.x())
        if column is None:
            return True
        minutes = int(pos.y() * 60 / self.hour_height())
        minutes = min(max(0, minutes), MINUTES_PER_DAY - 1)
        minutes -= minutes % CREATE_SNAP_MINUTES
        start = at_wall_time(self._first + timedelta(days=column), minutes, self._zone)
        self.create_requested.emit(start, start + timedelta(hours=1))
        return True

    def _paint_grid(self, painter: QPainter, exposed: QRect | None = None) -> None:
        """The hours and the meetings; only meetings in ``exposed`` (the part scrolled into
        view) are drawn: a busy week of a big calendar has hundreds."""
        grid = self.grid
        hour = self.hour_height()
        base = colour(self, QPalette.ColorRole.Base)
        window = colour(self, QPalette.ColorRole.Window)
        text = colour(self, QPalette.ColorRole.Text)
        highlight = colour(self, QPalette.ColorRole.Highlight)
        lines = grid_line_colour(self)
        painter.fillRect(grid.rect(), base)
        edges = self._edges()
        painter.fillRect(QRect(0, 0, edges[0], grid.height()), window)
        today_column: int | None = None
        if self._first is not None and self._data is not None and self._data.today is not None:
            offset = (self._data.today - self._first).days
            today_column = offset if 0 <= offset < DAYS else None
        for col in range(DAYS):
            cell = QRect(edges[col], 0, edges[col + 1] - edges[col], grid.height())
            if col == today_column:
                painter.fillRect(cell, blend(base, highlight, 0.08))
            elif col >= 5:
                painter.fillRect(cell, blend(base, window, 0.5))
        half = blend(base, text, 0.08)
        for h in range(24):
            y = h * hour
            painter.setPen(lines)
            painter.drawLine(edges[0] - 4, y, edges[-1], y)
            painter.setPen(QPen(half, 1, Qt.PenStyle.DashLine))
            painter.drawLine(edges[0], y + hour // 2, edges[-1], y + hour // 2)
        painter.setPen(lines)
        painter.drawLine(edges[0], 24 * hour, edges[-1], 24 * hour)
        for x in edges:
            painter.drawLine(x, 0, x, grid.height())
        label_font = smaller_font(self.font())
        painter.setFont(label_font)
        painter.setPen(dim_text_colour(self))
        label_height = QFontMetrics(label_font).height()
        for h in range(1, 24):
            painter.drawText(
                QRect(0, h * hour - label_height // 2, edges[0] - 6, label_height),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                f"{h:02d}:00",
            )
        if self._data is None:
            return
        dragged = occurrence_key(self._drag.occ) if self._drag and self._drag.moved else None
        styles: dict[tuple[object, ...], ChipStyle] = {}  # hundreds of blocks, a few styles
        conflicts = self._data.conflicts
        for block in self._ensure_blocks():
            if exposed is not None and not block.rect.toAlignedRect().intersects(exposed):
                continue
            meeting = block.occ.meeting
            key = (meeting.strands, meeting.kind, meeting.status)
            style = styles.get(key) or styles.setdefault(
                key, chip_style(block.occ, self._data.palette, base)
            )
            is_dragged = occurrence_key(block.occ) == dragged
            painter.save()
            if is_dragged:
                painter.setOpacity(0.35)
            self._paint_block(
                painter,
                block.rect,
                block.occ,
                block.start,
                block.end,
                style,
                badge=meeting.uid in conflicts,
            )
            painter.restore()
        drag = self._drag
        if drag is not None and drag.moved and drag.target is not None and drag.target_rect:
            style = chip_style(drag.occ, self._data.palette, base)
            start = drag.target
            assert isinstance(drag.occ.start, datetime)
            assert isinstance(drag.occ.end, datetime)
            end = to_zone(start + (drag.occ.end - drag.occ.start), self._zone)
            self._paint_block(painter, drag.target_rect, drag.occ, start, end, style, True)
        self._paint_now_line(painter, edges)

    def _block_font(self, style: ChipStyle, bold: bool) -> QFont:
        """The font of a block's text, made once per base font and style (hundreds per paint)."""
        key = (self.font().key(), style.strike, style.italic, bold)
        font = self._fonts.get(key)
        if font is None:
            font = self._fonts[key] = styled_font(smaller_font(self.font()), style, bold=bold)
        return font

    def _paint_block(
        self,
        painter: QPainter,
        rect: QRectF,
        occ: BriefOccurrence,
        start: datetime,
        end: datetime,
        style: ChipStyle,
        ghost: bool = False,
        badge: bool = False,
    ) -> None:
        selected = occurrence_key(occ) == self._selected
        if rect.width() - 2 * CHIP_PAD < MIN_TEXT_WIDTH and not (selected or ghost):
            # A sliver in a crowded hour: a plain bar, a pixel apart from its neighbour.
            painter.fillRect(rect.adjusted(0, 1, -1, -1), style.fill)
            if style.border is not None:
                painter.save()
                painter.setPen(QPen(style.border, 1, Qt.PenStyle.DashLine))
                painter.drawRect(rect.adjusted(0, 1, -2, -2))
                painter.restore()
            if badge:  # no room for the mark: its colour across the top
                top = QRectF(rect.left(), rect.top() + 1, rect.width() - 1, min(6.0, rect.height()))
                painter.fillRect(top, BADGE_COLOUR)
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        path = QPainterPath()
        path.addRoundedRect(rect.adjusted(0, 0.5, 0, -0.5), CHIP_RADIUS, CHIP_RADIUS)
        painter.fillPath(path, style.fill)
        base = colour(self, QPalette.ColorRole.Base)
        # A thin line in the background colour keeps touching meetings apart.
        painter.setPen(QPen(base, 1))
        painter.drawPath(path)
        if style.border is not None:
            pen = QPen(style.border, 1.2)
            if style.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawPath(path)
        if selected or ghost:
            pen = QPen(colour(self, QPalette.ColorRole.Text), 2)
            if ghost:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            inner = QPainterPath()
            inner.addRoundedRect(rect.adjusted(1, 1.5, -1, -1.5), CHIP_RADIUS, CHIP_RADIUS)
            painter.drawPath(inner)
        inner_rect = rect.adjusted(CHIP_PAD, 2, -CHIP_PAD, -2)
        if badge:  # a sync conflict: the red mark in the top corner, the text left of it
            mark = paint_badge(painter, rect)
            inner_rect.setRight(min(inner_rect.right(), mark.left() - 2))
        width = inner_rect.width()
        if width < MIN_TEXT_WIDTH:
            # A crowded hour of a big calendar puts dozens of meetings side by side: no letter
            # fits in a sliver, and laying out text for hundreds of them cost most of a repaint.
            painter.restore()
            return
        painter.setClipRect(rect)
        font = self._block_font(style, bold=False)
        bold = self._block_font(style, bold=True)
        fm = QFontMetrics(font)
        line_height = fm.lineSpacing()
        available = int(inner_rect.height() // line_height)
        when = f"{clock(start)}–{clock(end)}"
        painter.setPen(style.text)
        y = inner_rect.top()
        if available <= 1:
            painter.setFont(bold)
            text = QFontMetrics(bold).elidedText(
                f"{clock(start)} {occ.meeting.title}", Qt.TextElideMode.ElideRight, int(width)
            )
            painter.drawText(
                QRectF(inner_rect.left(), y, width, max(line_height, inner_rect.height())),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
                text,
            )
        else:
            extra = [when]
            if occ.meeting.location:
                extra.append(occ.meeting.location)
            title_lines = wrap_lines(occ.meeting.title, bold, width, available - 1)
            rest = available - len(title_lines)
            painter.setFont(bold)
            for line in title_lines:
                painter.drawText(
                    QRectF(inner_rect.left(), y, width, line_height),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    line,
                )
                y += line_height
            painter.setFont(font)
            for line in extra[:rest]:
                painter.drawText(
                    QRectF(inner_rect.left(), y, width, line_height),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    fm.elidedText(line, Qt.TextElideMode.ElideRight, int(width)),
                )
                y += line_height
        painter.restore()

    def _paint_now_line(self, painter: QPainter, edges: list[int]) -> None:
        if self._first is None:
            return
        now = to_zone(self._now(), self._zone)
        column = (now.date() - self._first).days
        if not 0 <= column < DAYS:
            return
        y = _wall_minutes(now) * self.hour_height() / 60
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(NOW_COLOUR, 2))
        painter.drawLine(QPointF(edges[column], y), QPointF(edges[column + 1], y))
        painter.setBrush(NOW_COLOUR)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(QPointF(edges[column], y), 4, 4)
        painter.restore()

    # --- selection and scrolling ----------------------------------------------------------

    def _find(self, key: OccurrenceKey) -> BriefOccurrence | None:
        if self._data is None:
            return None
        for occ in self._data.occurrences:
            if occurrence_key(occ) == key:
                return occ
        return None

    def _select(self, occ: BriefOccurrence | None) -> None:
        key = occurrence_key(occ) if occ is not None else None
        self.header.update()
        self.grid.update()
        if key == self._selected:
            return
        self._selected = key
        self.selected.emit(occ)

    def _scroll_to(self, occ: BriefOccurrence) -> None:
        rect = self.block_rect(occ)
        if rect is not None:
            self._pending_hour = None
            self.scroll_area.ensureVisible(
                rect.center().x(), rect.center().y(), 0, rect.height() // 2 + 16
            )

    def _apply_pending_scroll(self) -> None:
        if self._pending_hour is None:
            return
        bar = self.scroll_area.verticalScrollBar()
        if bar.maximum() <= 0:
            return
        # A little above the hour, so that its label shows.
        top = self._pending_hour * self.hour_height() - self.hour_height() // 3
        bar.setValue(min(max(0, top), bar.maximum()))
        self._pending_hour = None

    def _show_tooltip(
        self, event: QHelpEvent, occ: BriefOccurrence | None, widget: QWidget
    ) -> None:
        if occ is None:
            QToolTip.hideText()
            event.ignore()
            return
        conflict = self._data is not None and occ.meeting.uid in self._data.conflicts
        QToolTip.showText(event.globalPos(), occurrence_tooltip(occ, self._zone, conflict), widget)


def _place_side_by_side(blocks: list[_Block], left: float, width: float) -> None:
    """Give overlapping meetings their own columns within a day, widening into free ones."""
    blocks.sort(key=lambda b: (b.rect.top(), -b.rect.bottom()))
    cluster: list[_Block] = []
    cluster_bottom = -1.0
    for block in [*blocks, None]:
        if block is None or block.rect.top() >= cluster_bottom:
            _place_cluster(cluster, left, width)
            if block is None:
                break
            cluster = []
            cluster_bottom = -1.0
        cluster.append(block)
        cluster_bottom = max(cluster_bottom, block.rect.bottom())


def _place_cluster(cluster: list[_Block], left: float, width: float) -> None:
    if not cluster:
        return
    lanes: list[list[_Block]] = []
    lane_of: dict[int, int] = {}
    for i, block in enumerate(cluster):
        for n, blocks_in_lane in enumerate(lanes):
            if blocks_in_lane[-1].rect.bottom() <= block.rect.top():
                blocks_in_lane.append(block)
                lane_of[i] = n
                break
        else:
            lanes.append([block])
            lane_of[i] = len(lanes) - 1
    count = len(lanes)
    lane_width = width / count
    for i, block in enumerate(cluster):
        lane = lane_of[i]
        span = 1
        for other in range(lane + 1, count):
            if any(_overlap(block.rect, b.rect) for b in lanes[other]):
                break
            span += 1
        block.rect = QRectF(
            left + lane * lane_width,
            block.rect.top(),
            span * lane_width - 1,
            block.rect.height(),
        )


def _overlap(a: QRectF, b: QRectF) -> bool:
    return a.top() < b.bottom() and b.top() < a.bottom()
