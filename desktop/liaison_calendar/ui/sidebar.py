"""The sidebar: a small month calendar, the filters that apply to every view, the saved feeds."""

from datetime import date

from PySide6.QtCore import QDate, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCalendarWidget,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from liaison_calendar.domain.enums import Status
from liaison_calendar.domain.models import MeetingFilter
from liaison_calendar.services.context import Services

NOTHING = "\x00nothing"
"""A key no meeting has: a filter group with nothing ticked shows nothing."""

_KEY = Qt.ItemDataRole.UserRole


def swatch(colour: str, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class FilterGroup(QWidget):
    """A titled list of check boxes; all ticked means 'any'."""

    changed = Signal()

    def __init__(self, title: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        self.label = QLabel(f"<b>{title}</b>", self)
        self.list = QListWidget(self)
        self.list.setAccessibleName(title)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.all_button = QPushButton("All", self)
        self.all_button.setFlat(True)
        self.all_button.setToolTip(f"Tick every {title.lower()} entry")
        self.all_button.clicked.connect(self.tick_all)
        self.label.setBuddy(self.list)
        layout.addWidget(self.label)
        layout.addWidget(self.list)
        layout.addWidget(self.all_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.list.itemChanged.connect(lambda _item: self.changed.emit())

    def set_entries(self, entries: list[tuple[str, str, str | None]], unticked: set[str]) -> None:
        """(key, label, colour) each; keys in ``unticked`` start unticked."""
        self.list.blockSignals(True)
        self.list.clear()
        for key, label, colour in entries:
            item = QListWidgetItem(label, self.list)
            item.setData(_KEY, key)
            item.setToolTip(label)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = key not in unticked
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            if colour:
                item.setIcon(swatch(colour))
        self.list.blockSignals(False)
        rows = max(1, min(self.list.count(), 8))
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * rows + 6)

    def _items(self) -> list[QListWidgetItem]:
        return [self.list.item(i) for i in range(self.list.count())]

    def keys(self, ticked: bool = True) -> list[str]:
        want = Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        return [str(i.data(_KEY)) for i in self._items() if i.checkState() == want]

    def set_ticked(self, key: str, ticked: bool) -> None:
        for item in self._items():
            if item.data(_KEY) == key:
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def tick_all(self) -> None:
        self.list.blockSignals(True)
        for item in self._items():
            item.setCheckState(Qt.CheckState.Checked)
        self.list.blockSignals(False)
        self.changed.emit()

    def selection(self) -> list[str]:
        """The keys for a ``MeetingFilter``: [] when all are ticked (any)."""
        if not self.keys(ticked=False):
            return []
        return self.keys() or [NOTHING]


class Sidebar(QWidget):
    """Emits ``filter_changed`` with the filter of every view, and ``day_chosen``."""

    filter_changed = Signal(object)
    day_chosen = Signal(object)
    feed_activated = Signal(str)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        layout = QVBoxLayout(self)
        self.calendar = QCalendarWidget(self)
        self.calendar.setGridVisible(False)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.clicked.connect(lambda d: self.day_chosen.emit(d.toPython()))
        layout.addWidget(self.calendar)
        self.strands = FilterGroup("Work strands", "strands", self)
        self.kinds = FilterGroup("Kinds", "kinds", self)
        self.partners = FilterGroup("Partners", "partners", self)
        self.statuses = FilterGroup("Statuses", "statuses", self)
        self.groups = [self.strands, self.kinds, self.partners, self.statuses]
        for group in self.groups:
            layout.addWidget(group)
            group.changed.connect(self._changed)
        feeds_label = QLabel("<b>Feeds</b>", self)
        self.feeds = QListWidget(self)
        self.feeds.setAccessibleName("Feeds")
        self.feeds.itemActivated.connect(lambda item: self.feed_activated.emit(item.text()))
        feeds_label.setBuddy(self.feeds)
        layout.addWidget(feeds_label)
        layout.addWidget(self.feeds)
        layout.addStretch(1)
        # The feeds come from the feed service, which the main window loads after its first
        # paint (``MainWindow.warm_up``) and then calls ``reload_feeds``.
        self._reload_filters()

    def _settings(self) -> QSettings:
        return QSettings()

    def reload(self) -> None:
        """Fill the lists from the catalogue, keeping what the user unticked last time."""
        self._reload_filters()
        self.reload_feeds()

    def _reload_filters(self) -> None:
        saved = self._settings()
        catalog = self._services.catalog

        def unticked(group: FilterGroup) -> set[str]:
            value = saved.value(f"filters/{group.name}", [])
            return {str(v) for v in (value if isinstance(value, list) else [value]) if v}

        self.strands.set_entries(
            [(s.key, s.name, s.colour) for s in catalog.strands()], unticked(self.strands)
        )
        self.kinds.set_entries(
            [(k.key, k.name, k.colour) for k in catalog.kinds()], unticked(self.kinds)
        )
        self.partners.set_entries(
            [(p.name, p.name, None) for p in catalog.partners()], unticked(self.partners)
        )
        self.statuses.set_entries(
            [(s.value, s.value.capitalize(), None) for s in Status], unticked(self.statuses)
        )

    def reload_feeds(self) -> None:
        self.feeds.clear()
        for feed in self._services.feeds.list():
            item = QListWidgetItem(feed.name, self.feeds)
            item.setToolTip(f"{feed.title or feed.name} — {feed.privacy.value}")

    def _changed(self) -> None:
        saved = self._settings()
        for group in self.groups:
            saved.setValue(f"filters/{group.name}", group.keys(ticked=False))
        self.filter_changed.emit(self.meeting_filter())

    def meeting_filter(self) -> MeetingFilter | None:
        """The filter of the ticked entries; None when a group has nothing ticked at all."""
        groups = [g.selection() for g in self.groups]
        if any(keys == [NOTHING] for keys in groups):
            return None
        strands, kinds, partners, statuses = groups
        return MeetingFilter(
            strands=strands,
            kinds=kinds,
            partners=partners,
            statuses=[Status(s) for s in statuses],
        )

    def show_day(self, day: date) -> None:
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
