"""The exercises view: a timeline of the PACE exercises and their phases, one row per exercise.

Drawn by hand on a canvas: a legend, a year/month scale, then for each exercise its name, a thin
bar for its programme period and a coloured segment for each phase (colour by phase type). A
phase label goes inside its segment when it fits, else beside it; phases whose segments or labels
would collide go on separate lanes of the row. Colours other than the phase types follow the
widget's palette, so a dark palette works.
"""

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QFrame, QScrollArea, QToolTip, QVBoxLayout, QWidget

from liaison_calendar.domain.briefs import BriefOccurrence
from liaison_calendar.domain.enums import ExercisePart, PhaseType
from liaison_calendar.domain.models import Exercise, Phase
from liaison_calendar.ui.views.base import CalendarView, ViewData

PHASE_COLOURS: dict[PhaseType, str] = {
    PhaseType.CONCEPT: "#8e6cc0",
    PhaseType.PLANNING_CONFERENCE: "#2f7fc1",
    PhaseType.EXECUTION: "#d9534f",
    PhaseType.LESSONS: "#3f9a4a",
    PhaseType.OTHER: "#8c8c8c",
}
PHASE_LABELS: dict[PhaseType, str] = {
    PhaseType.CONCEPT: "Concept",
    PhaseType.PLANNING_CONFERENCE: "Planning conference",
    PhaseType.EXECUTION: "Execution",
    PhaseType.LESSONS: "Lessons identified",
    PhaseType.OTHER: "Other",
}
PART_LABELS: dict[ExercisePart, str] = {
    ExercisePart.EU: "EU part",
    ExercisePart.NATO: "NATO part",
    ExercisePart.JOINT: "Joint",
}
TODAY_COLOUR = "#e53935"

_MARGIN = 8.0
_LEGEND_LINE_H = 20.0
_LEGEND_MARKER_W = 20.0
_YEAR_H = 20.0
_MONTH_H = 18.0
_ROW_PAD = 8.0
_BAR_H = 5.0
_LANE_H = 22.0
_SEGMENT_H = 16.0
_MIN_SEGMENT_W = 7.0
_LABEL_GAP = 4.0
_LABEL_MAX_W = 240.0
_LANE_GAP = 6.0
_MIN_NAME_BLOCK_H = 64.0


def timeline_span(exercises: Sequence[Exercise], anchor: date) -> tuple[date, date]:
    """Whole years covering every exercise and phase, or the anchor's year ± 1 when none."""
    if not exercises:
        return date(anchor.year - 1, 1, 1), date(anchor.year + 2, 1, 1)
    starts = [e.period_start for e in exercises] + [p.start for e in exercises for p in e.phases]
    ends = [e.period_end for e in exercises] + [p.end for e in exercises for p in e.phases]
    last = max(ends) - timedelta(days=1)
    return date(min(starts).year, 1, 1), date(max(last, min(starts)).year + 1, 1, 1)


def date_range_text(start: date, end: date) -> str:
    """Days with an exclusive end: '16 Apr 2024', '1–2 Oct 2024', '30 Sep – 2 Oct 2024'."""
    last = max(end - timedelta(days=1), start)
    if last == start:
        return f"{start:%a} {start.day} {start:%b %Y}"
    if (start.year, start.month) == (last.year, last.month):
        return f"{start.day}–{last.day} {last:%b %Y}"
    if start.year == last.year:
        return f"{start.day} {start:%b} – {last.day} {last:%b %Y}"
    return f"{start.day} {start:%b %Y} – {last.day} {last:%b %Y}"


def _days_text(start: date, end: date) -> str:
    days = max((end - start).days, 1)
    return "1 day" if days == 1 else f"{days} days"


def phase_tooltip(phase: Phase) -> str:
    """Rich text (every user text escaped): name, type and part, dates, location."""
    lines = [
        f"<b>{html.escape(phase.name)}</b>",
        f"{PHASE_LABELS[phase.phase_type]} · {PART_LABELS[phase.part]}",
        f"{date_range_text(phase.start, phase.end)} ({_days_text(phase.start, phase.end)})",
    ]
    if phase.location:
        lines.append(html.escape(phase.location))
    if phase.meeting_id is not None:
        lines.append("<i>Click to open its meeting</i>")
    return "<p style='white-space:pre'>" + "<br>".join(lines) + "</p>"


def exercise_tooltip(exercise: Exercise) -> str:
    lines = [f"<b>{html.escape(exercise.name)}</b>"]
    if exercise.programme and exercise.programme != exercise.name:
        lines.append(html.escape(exercise.programme))
    lines.append(date_range_text(exercise.period_start, exercise.period_end))
    count = len(exercise.phases)
    lines.append("1 phase" if count == 1 else f"{count} phases")
    if exercise.description:
        text = exercise.description.strip()
        lines.append(html.escape(text if len(text) <= 200 else text[:199] + "…"))
    return "<p>" + "<br>".join(lines) + "</p>"


def _text_on(colour: QColor) -> QColor:
    """Black or white, whichever reads better on ``colour``."""
    r, g, b = colour.redF(), colour.greenF(), colour.blueF()
    return QColor("#000000") if 0.299 * r + 0.587 * g + 0.114 * b > 0.6 else QColor("#ffffff")


def _with_alpha(colour: QColor, alpha: int) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return c


@dataclass
class _PhaseBox:
    phase: Phase
    segment: QRectF
    label: str = ""
    label_rect: QRectF = field(default_factory=QRectF)
    label_inside: bool = False


@dataclass
class _Row:
    exercise: Exercise
    rect: QRectF
    bar: QRectF
    boxes: list[_PhaseBox]


class ExerciseTimeline(QWidget):
    """The painted canvas of ``ExercisesView``; geometry and hit tests are in its coordinates."""

    phase_clicked = Signal(object)  # Phase

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumWidth(480)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._exercises: list[Exercise] = []
        self._first = date(2024, 1, 1)
        self._end = date(2025, 1, 1)
        self._today: date | None = None
        self._rows: list[_Row] = []
        self._content_h = 0.0
        self._laid_out_width = -1
        self._selected_phase: int | None = None
        self._pressed: Phase | None = None

    # --- data ---------------------------------------------------------------------------------

    def set_exercises(
        self, exercises: Sequence[Exercise], first: date, end: date, today: date | None
    ) -> None:
        """Show ``exercises`` on a scale from ``first`` to ``end`` (exclusive)."""
        self._exercises = sorted(exercises, key=lambda e: (e.period_start, e.name, e.id))
        self._first, self._end = first, max(end, first + timedelta(days=1))
        self._today = today
        known = {p.id for e in exercises for p in e.phases}
        if self._selected_phase not in known:
            self._selected_phase = None
        self._relayout()
        self.update()

    def exercises(self) -> list[Exercise]:
        return list(self._exercises)

    def span(self) -> tuple[date, date]:
        return self._first, self._end

    def select_phase(self, phase_id: int | None) -> None:
        self._selected_phase = phase_id
        self.update()

    def selected_phase(self) -> int | None:
        return self._selected_phase

    # --- geometry (canvas coordinates) --------------------------------------------------------

    def name_width(self) -> float:
        return min(max(self.width() * 0.22, 150.0), 260.0)

    def track_left(self) -> float:
        return _MARGIN + self.name_width() + 8.0

    def track_right(self) -> float:
        return self.width() - _MARGIN

    def scale_top(self) -> float:
        return _MARGIN + self._legend_height()

    def rows_top(self) -> float:
        return self.scale_top() + _YEAR_H + _MONTH_H

    def x_of(self, day: date) -> float:
        """The x of the start (midnight) of ``day`` on the scale."""
        total = (self._end - self._first).days
        left, right = self.track_left(), self.track_right()
        return left + (right - left) * (day - self._first).days / total

    def row_rect(self, exercise_id: int) -> QRectF | None:
        self._ensure_layout()
        for row in self._rows:
            if row.exercise.id == exercise_id:
                return QRectF(row.rect)
        return None

    def row_rects(self) -> list[QRectF]:
        """One rectangle per exercise row, top to bottom."""
        self._ensure_layout()
        return [QRectF(row.rect) for row in self._rows]

    def phase_rect(self, phase_id: int) -> QRectF | None:
        """The coloured segment of a phase, or None if it is not shown."""
        self._ensure_layout()
        for row in self._rows:
            for box in row.boxes:
                if box.phase.id == phase_id:
                    return QRectF(box.segment)
        return None

    def phase_at(self, pos: QPoint | QPointF) -> Phase | None:
        """The phase whose segment (or label) is under ``pos``."""
        self._ensure_layout()
        point = QPointF(pos)
        for row in self._rows:
            for box in row.boxes:
                if box.segment.adjusted(-1, -2, 1, 2).contains(point):
                    return box.phase
        for row in self._rows:
            for box in row.boxes:
                if not box.label_inside and box.label_rect.contains(point):
                    return box.phase
        return None

    def exercise_at(self, pos: QPoint | QPointF) -> Exercise | None:
        self._ensure_layout()
        point = QPointF(pos)
        for row in self._rows:
            if row.rect.contains(point):
                return row.exercise
        return None

    def tooltip_at(self, pos: QPoint | QPointF) -> str | None:
        phase = self.phase_at(pos)
        if phase is not None:
            return phase_tooltip(phase)
        exercise = self.exercise_at(pos)
        if exercise is not None:
            return exercise_tooltip(exercise)
        return None

    def content_height(self) -> float:
        self._ensure_layout()
        return self._content_h

    # --- layout -------------------------------------------------------------------------------

    def _ensure_layout(self) -> None:
        if self._laid_out_width != self.width():
            self._relayout()

    def _relayout(self) -> None:
        self._laid_out_width = self.width()
        font = self.font()
        metrics = QFontMetrics(font)
        left, right = self.track_left(), self.track_right()
        y = self.rows_top()
        self._rows = []
        for exercise in self._exercises:
            boxes, lanes = self._lay_phases(exercise, metrics, left, right, y)
            track_h = _ROW_PAD + _BAR_H + 6.0 + max(lanes, 1) * _LANE_H + _ROW_PAD
            height = max(track_h, _MIN_NAME_BLOCK_H)
            bar = QRectF(
                self.x_of(exercise.period_start),
                y + _ROW_PAD,
                max(self.x_of(exercise.period_end) - self.x_of(exercise.period_start), 2.0),
                _BAR_H,
            )
            self._rows.append(_Row(exercise, QRectF(0, y, self.width(), height), bar, boxes))
            y += height
        if not self._exercises:
            y += 3 * _LANE_H
        self._content_h = y + _MARGIN
        wanted = int(self._content_h + 0.5)
        if self.minimumHeight() != wanted:
            self.setMinimumHeight(wanted)

    def _lay_phases(
        self, exercise: Exercise, metrics: QFontMetrics, left: float, right: float, top: float
    ) -> tuple[list[_PhaseBox], int]:
        """Segments and labels of the phases, and how many lanes they need."""
        placed: list[tuple[float, float, _PhaseBox]] = []  # (left, right) taken, box
        for phase in sorted(exercise.phases, key=lambda p: (p.start, p.end, p.name)):
            x0 = max(self.x_of(phase.start), left)
            x1 = min(max(self.x_of(phase.end), x0 + _MIN_SEGMENT_W), right)
            x0 = min(x0, x1 - _MIN_SEGMENT_W)
            segment = QRectF(x0, 0, x1 - x0, _SEGMENT_H)
            text_w = float(metrics.horizontalAdvance(phase.name))
            box = _PhaseBox(phase, segment)
            if segment.width() >= text_w + 10:
                box.label, box.label_inside = phase.name, True
                taken = (x0, x1)
            else:
                want = min(text_w, _LABEL_MAX_W)
                room_right = right - (x1 + _LABEL_GAP)
                room_left = x0 - _LABEL_GAP - left
                on_right = room_right >= min(want, 140.0) or room_right >= room_left
                label_w = min(want, room_right if on_right else room_left)
                box.label = metrics.elidedText(
                    phase.name, Qt.TextElideMode.ElideRight, int(max(label_w, 0))
                )
                label_w = float(metrics.horizontalAdvance(box.label))
                if on_right:
                    box.label_rect = QRectF(x1 + _LABEL_GAP, 0, label_w, _SEGMENT_H)
                    taken = (x0, x1 + _LABEL_GAP + label_w)
                else:
                    box.label_rect = QRectF(x0 - _LABEL_GAP - label_w, 0, label_w, _SEGMENT_H)
                    taken = (x0 - _LABEL_GAP - label_w, x1)
            placed.append((taken[0], taken[1], box))
        lane_ends: list[float] = []
        lanes_top = top + _ROW_PAD + _BAR_H + 6.0
        for taken_left, taken_right, box in sorted(placed, key=lambda t: t[0]):
            lane = next(
                (i for i, end in enumerate(lane_ends) if end + _LANE_GAP <= taken_left),
                len(lane_ends),
            )
            if lane == len(lane_ends):
                lane_ends.append(taken_right)
            else:
                lane_ends[lane] = taken_right
            y = lanes_top + lane * _LANE_H + (_LANE_H - _SEGMENT_H) / 2
            box.segment.moveTop(y)
            if not box.label_inside:
                box.label_rect.moveTop(y)
        return [box for _, _, box in placed], len(lane_ends)

    # --- painting -----------------------------------------------------------------------------

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(900, int(self.content_height()))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._relayout()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._relayout()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        self._ensure_layout()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        self._paint_legend(painter, pal)
        self._paint_rows_background(painter, pal)
        self._paint_scale(painter, pal)
        self._paint_today(painter)
        for i, row in enumerate(self._rows):
            background = pal.color(
                QPalette.ColorRole.AlternateBase if i % 2 else QPalette.ColorRole.Base
            )
            self._paint_row(painter, pal, row, background)
        if not self._exercises:
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                QRectF(0, self.rows_top(), self.width(), 3 * _LANE_H),
                Qt.AlignmentFlag.AlignCenter,
                "No exercises in the calendar",
            )
        painter.end()

    def _legend_entries(self) -> list[tuple[str, str, float]]:
        """(marker, label, x) of each legend entry, x relative to the line's start; marker is a
        phase type's colour, "bar" or "today". Entries wrap: see ``_legend_lines``."""
        entries: list[tuple[str, str]] = [
            (PHASE_COLOURS[t], label) for t, label in PHASE_LABELS.items()
        ]
        entries.append(("bar", "Exercise period"))
        if self._today_x() is not None:
            entries.append(("today", "Today"))
        return [(marker, label, 0.0) for marker, label in entries]

    def _legend_lines(self) -> list[list[tuple[str, str, float]]]:
        metrics = QFontMetrics(self.font())
        lines: list[list[tuple[str, str, float]]] = [[]]
        x = 0.0
        limit = max(self.width() - 2 * _MARGIN, 100.0)
        for marker, label, _ in self._legend_entries():
            width = _LEGEND_MARKER_W + 6 + metrics.horizontalAdvance(label)
            if lines[-1] and x + width > limit:
                lines.append([])
                x = 0.0
            lines[-1].append((marker, label, x))
            x += width + 18
        return lines

    def _legend_height(self) -> float:
        return len(self._legend_lines()) * _LEGEND_LINE_H + 8

    def _paint_legend(self, painter: QPainter, pal: QPalette) -> None:
        text_colour = pal.color(QPalette.ColorRole.Text)
        for number, line in enumerate(self._legend_lines()):
            top = _MARGIN + number * _LEGEND_LINE_H
            middle = top + _LEGEND_LINE_H / 2
            for marker, label, offset in line:
                x = _MARGIN + offset
                if marker == "bar":
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(_with_alpha(text_colour, 110))
                    painter.drawRoundedRect(
                        QRectF(x, middle - _BAR_H / 2, _LEGEND_MARKER_W, _BAR_H), 2, 2
                    )
                elif marker == "today":
                    painter.setPen(QPen(QColor(TODAY_COLOUR), 2))
                    centre = x + _LEGEND_MARKER_W / 2
                    painter.drawLine(QPointF(centre, middle - 8), QPointF(centre, middle + 8))
                else:
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(QColor(marker))
                    painter.drawRoundedRect(
                        QRectF(x + (_LEGEND_MARKER_W - 12) / 2, middle - 6, 12, 12), 2, 2
                    )
                painter.setPen(text_colour)
                painter.drawText(
                    QRectF(x + _LEGEND_MARKER_W + 6, top, self.width(), _LEGEND_LINE_H),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    label,
                )

    def _paint_rows_background(self, painter: QPainter, pal: QPalette) -> None:
        for i, row in enumerate(self._rows):
            if i % 2:
                painter.fillRect(row.rect, pal.color(QPalette.ColorRole.AlternateBase))

    def _paint_scale(self, painter: QPainter, pal: QPalette) -> None:
        text_colour = pal.color(QPalette.ColorRole.Text)
        dim = pal.color(QPalette.ColorRole.PlaceholderText)
        top = self.scale_top()
        bottom = max(self._content_h - _MARGIN, self.rows_top() + 1)
        left, right = self.track_left(), self.track_right()
        metrics = painter.fontMetrics()
        bold = QFont(painter.font())
        bold.setBold(True)
        # Months: grid lines and names, all abbreviated, all initials, or none, as space allows.
        month_w = (right - left) * 28 / max((self._end - self._first).days, 1)
        widest = max(metrics.horizontalAdvance(f"{date(2000, m, 1):%b}") for m in range(1, 13))
        if widest + 4 <= month_w:
            month_format = "%b"
        elif metrics.horizontalAdvance("W") + 2 <= month_w:
            month_format = "initial"
        else:
            month_format = ""
        month = date(self._first.year, self._first.month, 1)
        while month < self._end:
            following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
            x0, x1 = self.x_of(max(month, self._first)), self.x_of(min(following, self._end))
            strong = month.month == 1
            painter.setPen(QPen(_with_alpha(text_colour, 90 if strong else 28), 1))
            line_top = top if strong else top + _YEAR_H
            painter.drawLine(QPointF(x0, line_top), QPointF(x0, bottom))
            name = f"{month:%b}" if month_format else ""
            if month_format == "initial":
                name = name[:1]
            painter.setPen(dim)
            painter.drawText(
                QRectF(x0, top + _YEAR_H, x1 - x0, _MONTH_H), Qt.AlignmentFlag.AlignCenter, name
            )
            month = following
        painter.setPen(QPen(_with_alpha(text_colour, 90), 1))
        painter.drawLine(QPointF(right, top), QPointF(right, bottom))
        painter.drawLine(QPointF(left, self.rows_top()), QPointF(right, self.rows_top()))
        # Years, centred on their part of the scale.
        painter.setFont(bold)
        painter.setPen(text_colour)
        for year in range(self._first.year, self._end.year + 1):
            x0 = self.x_of(max(date(year, 1, 1), self._first))
            x1 = self.x_of(min(date(year + 1, 1, 1), self._end))
            if x1 - x0 < 4:
                continue
            painter.drawText(
                QRectF(x0, top, x1 - x0, _YEAR_H), Qt.AlignmentFlag.AlignCenter, str(year)
            )
        painter.setFont(self.font())

    def _paint_row(self, painter: QPainter, pal: QPalette, row: _Row, background: QColor) -> None:
        text_colour = pal.color(QPalette.ColorRole.Text)
        dim = pal.color(QPalette.ColorRole.PlaceholderText)
        exercise = row.exercise
        # The name block on the left.
        name_rect = QRectF(_MARGIN, row.rect.top() + _ROW_PAD - 2, self.name_width(), 18)
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_colour)
        metrics = painter.fontMetrics()
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(exercise.name, Qt.TextElideMode.ElideRight, int(name_rect.width())),
        )
        painter.setFont(self.font())
        metrics = painter.fontMetrics()
        lines = []
        if exercise.programme and exercise.programme != exercise.name:
            lines.append(exercise.programme)
        lines.append(date_range_text(exercise.period_start, exercise.period_end))
        count = len(exercise.phases)
        lines.append("1 phase" if count == 1 else f"{count} phases")
        painter.setPen(dim)
        y = name_rect.bottom() + 1
        for line in lines:
            if y + 16 > row.rect.bottom():
                break
            painter.drawText(
                QRectF(_MARGIN, y, self.name_width(), 16),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                metrics.elidedText(line, Qt.TextElideMode.ElideRight, int(self.name_width())),
            )
            y += 16
        # The programme period.
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_with_alpha(text_colour, 110))
        painter.drawRoundedRect(row.bar, 2, 2)
        # The phases.
        highlight = pal.color(QPalette.ColorRole.Highlight)
        for box in row.boxes:
            colour = QColor(PHASE_COLOURS[box.phase.phase_type])
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(box.segment, 3, 3)
            if box.phase.id == self._selected_phase:
                painter.setPen(QPen(highlight, 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(box.segment.adjusted(-2, -2, 2, 2), 4, 4)
            if box.label_inside:
                painter.setPen(_text_on(colour))
                painter.drawText(
                    box.segment.adjusted(5, 0, -5, 0),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    metrics.elidedText(
                        box.label, Qt.TextElideMode.ElideRight, int(box.segment.width() - 10)
                    ),
                )
            elif box.label:
                # On the row's colour, so the today line and grid do not cross the text.
                painter.fillRect(box.label_rect.adjusted(-1, 1, 3, -1), background)
                painter.setPen(text_colour)
                painter.drawText(
                    box.label_rect.adjusted(0, 0, 2, 0),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    box.label,
                )

    def _today_x(self) -> float | None:
        if self._today is None or not (self._first <= self._today < self._end):
            return None
        return (
            self.x_of(self._today)
            + (self.x_of(self._today + timedelta(days=1)) - self.x_of(self._today)) / 2
        )

    def _paint_today(self, painter: QPainter) -> None:
        x = self._today_x()
        if x is None:
            return
        painter.setPen(QPen(QColor(TODAY_COLOUR), 2))
        top = self.rows_top()
        painter.drawLine(QPointF(x, top), QPointF(x, max(self._content_h - _MARGIN, top + 1)))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(TODAY_COLOUR))
        painter.drawPolygon([QPointF(x - 5, top - 6), QPointF(x + 5, top - 6), QPointF(x, top)])

    # --- mouse --------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._pressed = self.phase_at(event.position())
            if self._pressed is not None:
                self.select_phase(self._pressed.id)
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pressed, self._pressed = self._pressed, None
        if (
            event.button() == Qt.MouseButton.LeftButton
            and pressed is not None
            and self.phase_at(event.position()) == pressed
        ):
            self.phase_clicked.emit(pressed)
        super().mouseReleaseEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.phase_at(event.position()) is not None:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.unsetCursor()
        super().mouseMoveEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)


class ExercisesView(CalendarView):
    """The PACE exercises and their phases on a timeline, one row per exercise.

    It draws ``ViewData.exercises`` and ignores the occurrences. A click on a phase emits
    ``phase_activated(Phase)`` (its ``meeting_id`` may be None: not every phase has a meeting).
    """

    title = "Exercises"
    phase_activated = Signal(object)  # Phase

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = ExerciseTimeline()
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self.canvas)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)
        self._exercises: list[Exercise] = []
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.canvas.phase_clicked.connect(self.phase_activated)

    # --- the view contract --------------------------------------------------------------------

    def period(self, anchor: date) -> tuple[date, date]:
        """The whole years of the exercises last shown, or the anchor's year ± 1."""
        return timeline_span(self._exercises, anchor)

    def show_data(self, data: ViewData) -> None:
        self._exercises = list(data.exercises)
        first, end = timeline_span(self._exercises, data.anchor)
        self.canvas.set_exercises(self._exercises, first, end, data.today)

    def current(self) -> BriefOccurrence | None:
        return None

    def select_meeting(self, meeting_id: int, start: date | datetime | None = None) -> None:
        """Mark (and scroll to) the phase whose meeting is ``meeting_id``, if any."""
        for exercise in self._exercises:
            for phase in exercise.phases:
                if phase.meeting_id == meeting_id:
                    self.canvas.select_phase(phase.id)
                    rect = self.canvas.phase_rect(phase.id)
                    if rect is not None:
                        centre = rect.center().toPoint()
                        self.scroll_area.ensureVisible(centre.x(), centre.y(), 20, 40)
                    return

    # --- for the window and tests -------------------------------------------------------------

    def phase_rect(self, phase_id: int) -> QRectF | None:
        """A phase's segment in ``canvas`` coordinates (click there to activate it)."""
        return self.canvas.phase_rect(phase_id)

    def phase_at(self, pos: QPoint | QPointF) -> Phase | None:
        """The phase at ``pos`` in ``canvas`` coordinates."""
        return self.canvas.phase_at(pos)
