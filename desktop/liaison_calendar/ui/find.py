"""Find (Ctrl+F): full-text search over the calendar, results listed as you type."""

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from liaison_calendar.domain.models import Meeting
from liaison_calendar.services.context import Services

_MEETING = Qt.ItemDataRole.UserRole


class FindPanel(QWidget):
    """``chosen(Meeting)`` when a result is picked (Enter, click or double-click)."""

    chosen = Signal(object)
    DELAY_MS = 120

    def __init__(self, services: Services, tz: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._tz = tz
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.field = QLineEdit(self)
        self.field.setPlaceholderText("Find meetings: title, place, people, agenda…")
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName("Find")
        self.results = QListWidget(self)
        self.results.setAccessibleName("Results")
        self.status = QLabel(self)
        layout.addWidget(self.field)
        layout.addWidget(self.results)
        layout.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DELAY_MS)
        self._timer.timeout.connect(self.search)
        self.field.textChanged.connect(lambda _text: self._timer.start())
        self.field.returnPressed.connect(self._choose_first)
        self.results.itemActivated.connect(self._choose)
        self.results.itemClicked.connect(self._choose)
        self.field.installEventFilter(self)

    def set_zone(self, tz: str) -> None:
        self._tz = tz

    def focus(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def search(self) -> None:
        text = self.field.text().strip()
        self.results.clear()
        if not text:
            self.status.clear()
            return
        found = self._services.queries.search(text, limit=50)
        for meeting in found:
            item = QListWidgetItem(f"{self._when(meeting)}  {meeting.title}", self.results)
            item.setData(_MEETING, meeting)
            item.setToolTip(meeting.location or meeting.title)
        self.status.setText(f"{len(found)} found" if found else "Nothing found")

    def _when(self, meeting: Meeting) -> str:
        start = meeting.start
        if isinstance(start, datetime):
            return f"{start.astimezone(ZoneInfo(self._tz)):%d %b %Y %H:%M}"
        return f"{start:%d %b %Y}"

    def _choose(self, item: QListWidgetItem) -> None:
        self.chosen.emit(item.data(_MEETING))

    def _choose_first(self) -> None:
        self._timer.stop()
        self.search()
        if self.results.count():
            self._choose(self.results.item(0))

    def eventFilter(self, watched: object, event: object) -> bool:  # noqa: N802
        # Down from the search field moves into the results.
        if (
            watched is self.field
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
            and self.results.count()
        ):
            self.results.setFocus()
            self.results.setCurrentRow(0)
            return True
        return False
