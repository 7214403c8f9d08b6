"""Starting the desktop app: the QApplication and the main window."""

import sys
from datetime import UTC, date, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QHeaderView, QLabel, QMainWindow, QTableView

from liaison_calendar import __version__
from liaison_calendar.domain.models import Occurrence
from liaison_calendar.services.context import Services

APP_NAME = "Liaison Calendar"


class Column(IntEnum):
    WHEN = 0
    TITLE = 1
    KIND = 2
    STRANDS = 3
    STATUS = 4


_HEADERS = {
    Column.WHEN: "When",
    Column.TITLE: "Title",
    Column.KIND: "Kind",
    Column.STRANDS: "Work strands",
    Column.STATUS: "Status",
}

_Index = QModelIndex | QPersistentModelIndex


def _when(occ: Occurrence) -> str:
    start, end = occ.start, occ.end
    if isinstance(start, datetime) and isinstance(end, datetime):
        return f"{start:%a %d %b %Y %H:%M}–{end:%H:%M} {start.tzname()}"
    assert isinstance(start, date)
    return f"{start:%a %d %b %Y} (all day)"


class OccurrenceTableModel(QAbstractTableModel):
    """The occurrences of the calendar as rows; read models only, never database rows."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Occurrence] = []

    def set_occurrences(self, rows: list[Occurrence]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def occurrence(self, row: int) -> Occurrence:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(Column)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[Column(section)]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        occ = self._rows[index.row()]
        column = Column(index.column())
        if column is Column.WHEN:
            return _when(occ)
        if column is Column.TITLE:
            return occ.meeting.title
        if column is Column.KIND:
            return occ.meeting.kind
        if column is Column.STRANDS:
            return ", ".join(occ.meeting.strands)
        return occ.meeting.status.value


class MainWindow(QMainWindow):
    """For now a list of every occurrence; the calendar views come with the desktop-app issue."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self._services = services
        self.setWindowTitle(f"{APP_NAME} — {services.path.name}")
        self.resize(1100, 700)
        self.model = OccurrenceTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(
            Column.TITLE, QHeaderView.ResizeMode.Stretch
        )
        self.setCentralWidget(self.table)
        self.status_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label)
        file_menu = self.menuBar().addMenu("&File")
        refresh = QAction("&Refresh", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(refresh)
        file_menu.addAction(quit_action)
        self.refresh()

    def refresh(self) -> None:
        rows = self._services.queries.occurrences()
        self.model.set_occurrences(rows)
        self.table.resizeColumnToContents(Column.WHEN)
        upcoming = sum(1 for o in rows if _sort(o.start) >= self._services.clock.now())
        self.status_label.setText(
            f"{len(rows)} occurrences, {upcoming} upcoming — {self._services.path}"
        )


def _sort(moment: date) -> datetime:
    if isinstance(moment, datetime):
        return moment
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def run(services: Services) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName("Liaison")
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    window = MainWindow(services)
    window.show()
    return app.exec()
