"""The agenda view: the meetings of the next 60 days as a list, grouped by day.

The model is a two-level tree: one top-level row per day that has meetings (a header spanning
the columns), the day's occurrences as its children. Times are shown in the user's zone.
"""

import html
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QStackedLayout,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from liaison_calendar.domain.briefs import BriefOccurrence
from liaison_calendar.domain.enums import Mode, Status
from liaison_calendar.ui.views.base import CONFLICT_NOTE, CalendarView, Palette, ViewData

AGENDA_DAYS = 60
"""How many days the agenda shows from its anchor."""

OCCURRENCE_ROLE = Qt.ItemDataRole.UserRole + 1
"""``data()`` role giving the ``BriefOccurrence`` of a row (None on a day header)."""
DAY_ROLE = Qt.ItemDataRole.UserRole + 2
"""``data()`` role giving the ``date`` a row belongs to (a header's day, or its child's)."""

_Index = QModelIndex | QPersistentModelIndex
_TOP = 0  # internalId of a day header; a meeting row carries its day's row + 1


class Column(IntEnum):
    TIME = 0
    TITLE = 1
    LOCATION = 2
    KIND = 3


_HEADERS = {
    Column.TIME: "Time",
    Column.TITLE: "Meeting",
    Column.LOCATION: "Location",
    Column.KIND: "Kind",
}


def _kind_label(key: str, names: Mapping[str, str]) -> str:
    if key in names:
        return names[key]
    text = key.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _day_of(occ: BriefOccurrence, zone: ZoneInfo) -> date:
    """The day an occurrence is listed under: its start day, in the user's zone when timed."""
    start = occ.start
    if isinstance(start, datetime):
        return start.astimezone(zone).date()
    return start


def time_text(occ: BriefOccurrence, zone: ZoneInfo) -> str:
    """'09:30–11:00', 'All day', 'All day, until Thu 16 May', or '22:00 – Wed 02:00'."""
    start, end = occ.start, occ.end
    if isinstance(start, datetime) and isinstance(end, datetime):
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        if local_end.date() == local_start.date() or (
            local_end - local_start <= timedelta(days=1)
            and local_end.time() == datetime.min.time()
            and local_end.date() == local_start.date() + timedelta(days=1)
        ):
            return f"{local_start:%H:%M}–{local_end:%H:%M}"
        return f"{local_start:%H:%M} – {local_end:%a %d %b} {local_end:%H:%M}"
    assert not isinstance(start, datetime)
    assert not isinstance(end, datetime)
    last = end - timedelta(days=1)
    if last <= start:
        return "All day"
    return f"All day, until {last:%a} {last.day} {last:%b}"


def day_header_text(day: date, today: date | None) -> str:
    text = f"{day:%A} {day.day} {day:%B %Y}"
    if today is not None:
        if day == today:
            text += " · Today"
        elif day == today + timedelta(days=1):
            text += " · Tomorrow"
    return text


class AgendaModel(QAbstractItemModel):
    """Days (top level) and their occurrences (children), read models only."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._days: list[date] = []
        self._items: list[list[BriefOccurrence]] = []
        self._zone = ZoneInfo("UTC")
        self._palette = Palette()
        self._today: date | None = None
        self._kind_names: dict[str, str] = {}
        self._conflicts: frozenset[str] = frozenset()

    # --- ours ---------------------------------------------------------------------------------

    def set_occurrences(
        self,
        occurrences: Sequence[BriefOccurrence],
        tz: str,
        palette: Palette | None = None,
        today: date | None = None,
        first_day: date | None = None,
        conflicts: frozenset[str] = frozenset(),
    ) -> None:
        """Group ``occurrences`` by day in ``tz``; one that began before ``first_day`` (a
        multi-day meeting already under way) is listed under ``first_day``. Meetings whose UID
        is in ``conflicts`` (a sync conflict) are marked "⚠"."""
        zone = ZoneInfo(tz)
        by_day: dict[date, list[BriefOccurrence]] = {}
        for occ in occurrences:
            day = _day_of(occ, zone)
            if first_day is not None and day < first_day:
                day = first_day
            by_day.setdefault(day, []).append(occ)
        self.beginResetModel()
        self._zone = zone
        self._palette = palette or Palette()
        self._today = today
        self._conflicts = conflicts
        self._days = sorted(by_day)
        # All-day first, then by start; the given order (time order) breaks ties.
        self._items = [
            sorted(by_day[d], key=lambda o: 0 if not isinstance(o.start, datetime) else 1)
            for d in self._days
        ]
        self.endResetModel()

    def set_kind_names(self, names: Mapping[str, str]) -> None:
        self._kind_names = dict(names)
        for row in range(len(self._days)):
            parent = self.index(row, 0)
            last = len(self._items[row]) - 1
            self.dataChanged.emit(
                self.index(0, Column.KIND, parent), self.index(last, Column.KIND, parent)
            )

    def days(self) -> list[date]:
        return list(self._days)

    def occurrences_on(self, day: date) -> list[BriefOccurrence]:
        if day not in self._days:
            return []
        return list(self._items[self._days.index(day)])

    def is_day(self, index: _Index) -> bool:
        return index.isValid() and index.internalId() == _TOP

    def occurrence(self, index: _Index) -> BriefOccurrence | None:
        if not index.isValid() or index.internalId() == _TOP:
            return None
        return self._items[index.internalId() - 1][index.row()]

    def day(self, index: _Index) -> date | None:
        if not index.isValid():
            return None
        if index.internalId() == _TOP:
            return self._days[index.row()]
        return self._days[index.internalId() - 1]

    def find(self, meeting_id: int, start: date | datetime | None = None) -> QModelIndex:
        """The first row of ``meeting_id`` (starting at ``start`` if given), else invalid."""
        for day_row, items in enumerate(self._items):
            for row, occ in enumerate(items):
                if occ.meeting.id != meeting_id:
                    continue
                if start is None or self._same_start(occ, start):
                    return self.index(row, 0, self.index(day_row, 0))
        return QModelIndex()

    def _same_start(self, occ: BriefOccurrence, start: date | datetime) -> bool:
        if isinstance(start, datetime):
            return isinstance(occ.start, datetime) and occ.start == start
        if isinstance(occ.start, datetime):
            return occ.start.astimezone(self._zone).date() == start
        return occ.start == start

    # --- Qt overrides -------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _TOP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == _TOP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _TOP)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        if not parent.isValid():
            return len(self._days)
        if parent.internalId() == _TOP and parent.column() == 0:
            return len(self._items[parent.row()])
        return 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return len(Column)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == _TOP:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(Column)
        ):
            return _HEADERS[Column(section)]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == _TOP:
            return self._day_data(index, role)
        if role == DAY_ROLE:
            return self._days[index.internalId() - 1]
        occ = self._items[index.internalId() - 1][index.row()]
        return self._occurrence_data(occ, Column(index.column()), role)

    def _day_data(self, index: _Index, role: int) -> Any:
        day = self._days[index.row()]
        if role == DAY_ROLE:
            return day
        if index.column() != Column.TIME:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return day_header_text(day, self._today)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole:
            count = len(self._items[index.row()])
            noun = "meeting" if count == 1 else "meetings"
            return f"{day_header_text(day, self._today)}, {count} {noun}"
        return None

    def _occurrence_data(self, occ: BriefOccurrence, column: Column, role: int) -> Any:
        meeting = occ.meeting
        if role == OCCURRENCE_ROLE:
            return occ
        if role == Qt.ItemDataRole.DisplayRole:
            if column is Column.TIME:
                return time_text(occ, self._zone)
            if column is Column.TITLE:
                mark = "⚠ " if meeting.uid in self._conflicts else ""
                if meeting.status in (Status.TENTATIVE, Status.POSTPONED):
                    return f"{mark}{meeting.title} ({meeting.status.value})"
                return mark + meeting.title
            if column is Column.LOCATION:
                if not meeting.location and meeting.mode is Mode.VIDEO:
                    return "Video conference"
                return meeting.location
            return _kind_label(meeting.kind, self._kind_names)
        if role == Qt.ItemDataRole.DecorationRole and column is Column.TITLE:
            return QColor(self._palette.of(occ))
        if role == Qt.ItemDataRole.FontRole and meeting.status is Status.CANCELLED:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [meeting.title, time_text(occ, self._zone)]
            if meeting.status is not Status.CONFIRMED:
                lines.append(meeting.status.value.capitalize())
            if meeting.location:
                lines.append(meeting.location)
            if meeting.uid in self._conflicts:
                lines.append(CONFLICT_NOTE)
            # Rich text, escaped: Qt would otherwise render a title that looks like HTML.
            return "<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>"
        return None


def _swatch_icon(colour: QColor, size: int = 12) -> QIcon:
    """A rounded colour square, the same when selected (Qt would tint a plain QColor)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(0, 0, size, size, 3, 3)
    painter.end()
    icon = QIcon()
    for mode in (QIcon.Mode.Normal, QIcon.Mode.Selected, QIcon.Mode.Active):
        icon.addPixmap(pixmap, mode)
    return icon


class AgendaDelegate(QStyledItemDelegate):
    """Day headers as banded, bold rows with the day's count; meeting rows with a swatch."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        colour = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(colour, QColor):
            option.icon = _swatch_icon(colour)
            option.decorationSize = QSize(12, 12)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        extra = 14 if _is_header(index) else 8
        return QSize(size.width(), size.height() + extra)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        if not _is_header(index):
            super().paint(painter, option, index)
            return
        rect: QRect = option.rect
        pal: QPalette = option.palette
        painter.save()
        band = rect.adjusted(0, 4, 0, 0)
        painter.fillRect(band, pal.color(QPalette.ColorRole.AlternateBase))
        painter.setPen(pal.color(QPalette.ColorRole.Mid))
        painter.drawLine(band.bottomLeft(), band.bottomRight())
        font = index.data(Qt.ItemDataRole.FontRole)
        if isinstance(font, QFont):
            painter.setFont(font)
        text_rect = band.adjusted(6, 0, -8, 0)
        painter.setPen(pal.color(QPalette.ColorRole.Text))
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(text_rect, flags, str(index.data(Qt.ItemDataRole.DisplayRole) or ""))
        count = index.model().rowCount(index)
        painter.setFont(option.font)
        painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            "1 meeting" if count == 1 else f"{count} meetings",
        )
        painter.restore()


def _is_header(index: _Index) -> bool:
    return index.isValid() and index.internalId() == _TOP


class AgendaView(CalendarView):
    """Upcoming meetings, grouped by day, for ``AGENDA_DAYS`` days from the anchor."""

    title = "Agenda"

    def __init__(
        self, parent: QWidget | None = None, kind_names: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(parent)
        self.model = AgendaModel(self)
        if kind_names:
            self.model.set_kind_names(kind_names)
        self.tree = QTreeView(self)
        self.tree.setModel(self.model)
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setExpandsOnDoubleClick(False)
        self.tree.setUniformRowHeights(False)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setIndentation(12)
        self.tree.setItemDelegate(AgendaDelegate(self.tree))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(Column.TIME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.LOCATION, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.KIND, QHeaderView.ResizeMode.Interactive)
        # The title gets what is left: place and kind are cut first (their tooltips say all).
        header.resizeSection(Column.LOCATION, 170)
        header.resizeSection(Column.KIND, 150)

        self.placeholder = QLabel(self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        font = self.placeholder.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.placeholder.setFont(font)
        self.placeholder.setEnabled(False)  # drawn in the palette's dimmed text colour

        self._stack = QStackedLayout()
        self._stack.addWidget(self.tree)
        self._stack.addWidget(self.placeholder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._stack)
        self._current: BriefOccurrence | None = None
        self._first_day: date | None = None
        self._connect_signals()
        self._show_placeholder(None, None)

    def _connect_signals(self) -> None:
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.tree.activated.connect(self._on_activated)
        self.model.modelReset.connect(self._after_reset)

    # --- the view contract --------------------------------------------------------------------

    def period(self, anchor: date) -> tuple[date, date]:
        return anchor, anchor + timedelta(days=AGENDA_DAYS)

    def show_data(self, data: ViewData) -> None:
        previous = self._current
        first, _ = self.period(data.anchor)
        self._first_day = first
        self.model.set_occurrences(
            data.occurrences,
            data.tz,
            data.palette,
            data.today,
            first_day=first,
            conflicts=data.conflicts,
        )
        if not data.occurrences:
            self._show_placeholder(data.anchor, data.today)
        else:
            self._stack.setCurrentWidget(self.tree)
        if previous is not None:
            self.select_meeting(previous.meeting.id, previous.start)
        if self._current is not None and self.current() is None:
            self._current = None
            self.selected.emit(None)

    def current(self) -> BriefOccurrence | None:
        return self.model.occurrence(self.tree.currentIndex())

    def select_meeting(self, meeting_id: int, start: date | datetime | None = None) -> None:
        index = self.model.find(meeting_id, start)
        if not index.isValid():
            return
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    # --- inside -------------------------------------------------------------------------------

    def is_empty(self) -> bool:
        """True when the period has no meetings and the placeholder is shown."""
        return self._stack.currentWidget() is self.placeholder

    def _show_placeholder(self, anchor: date | None, today: date | None) -> None:
        if anchor is None or today is None or anchor == today:
            text = f"No meetings in the next {AGENDA_DAYS} days"
        else:
            last = anchor + timedelta(days=AGENDA_DAYS - 1)
            text = f"No meetings from {anchor.day} {anchor:%B %Y} to {last.day} {last:%B %Y}"
        self.placeholder.setText(text)
        self._stack.setCurrentWidget(self.placeholder)

    def _after_reset(self) -> None:
        root = QModelIndex()
        for row in range(self.model.rowCount()):
            self.tree.setFirstColumnSpanned(row, root, True)
        self.tree.expandAll()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        occ = self.model.occurrence(current)
        if occ == self._current:
            return
        self._current = occ
        self.selected.emit(occ)

    def _on_activated(self, index: QModelIndex) -> None:
        occ = self.model.occurrence(index)
        if occ is not None:
            self.activated.emit(occ)
