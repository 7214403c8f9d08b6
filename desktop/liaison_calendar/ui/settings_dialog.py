"""Settings: default time zone, publish folder, feed refresh hint, and what printouts carry;
the Sync page (``sync_settings``) has the CalDAV accounts."""

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import available_timezones

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from liaison_calendar.errors import LiaisonError
from liaison_calendar.services.context import Services
from liaison_calendar.ui.sync_settings import SyncSettingsPage

if TYPE_CHECKING:
    from liaison_calendar.services.sync import SyncState


class SettingsDialog(QDialog):
    """General settings and the Sync page (``page="sync"`` opens on it)."""

    def __init__(
        self,
        services: Services,
        parent: QWidget | None = None,
        *,
        sync_states: Sequence["SyncState"] = (),
        page: str = "general",
    ) -> None:
        super().__init__(parent)
        self._services = services
        catalog = services.catalog
        self.setWindowTitle("Settings")
        self.tabs = QTabWidget(self)
        general = QWidget(self.tabs)
        form = QFormLayout(general)
        self.zone = QComboBox(self)
        self.zone.setEditable(True)
        zones = sorted(available_timezones())
        self.zone.addItems(zones)
        completer = QCompleter(zones, self.zone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.zone.setCompleter(completer)
        self.zone.setCurrentText(str(catalog.setting("default_tz")))
        form.addRow("Default &time zone:", self.zone)
        folder_row = QWidget(self)
        row = QHBoxLayout(folder_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.publish_dir = QLineEdit(str(catalog.setting("publish_dir")), folder_row)
        self.publish_dir.setPlaceholderText("Not published automatically")
        browse = QPushButton("&Browse…", folder_row)
        browse.clicked.connect(self._browse)
        row.addWidget(self.publish_dir)
        row.addWidget(browse)
        form.addRow("&Publish feeds to:", folder_row)
        self.refresh = QSpinBox(self)
        self.refresh.setRange(1, 7 * 24 * 60)
        self.refresh.setSuffix(" min")
        self.refresh.setValue(int(catalog.setting("feed_refresh_minutes")))
        form.addRow("Feeds ask clients to &refresh every:", self.refresh)
        self.organisation = QLineEdit(str(catalog.setting("organisation")), self)
        form.addRow("&Organisation (printouts):", self.organisation)
        self.marking = QLineEdit(str(catalog.setting("default_marking")), self)
        self.marking.setPlaceholderText("e.g. EU-NATO STAFF ONLY")
        form.addRow("Default handling &marking:", self.marking)
        self.daily_backups = QSpinBox(self)
        self.daily_backups.setRange(0, 365)
        self.daily_backups.setSpecialValueText("none")
        self.daily_backups.setValue(int(catalog.setting("daily_backups")))
        self.daily_backups.setToolTip("Copies of the calendar made once a day, beside it")
        form.addRow("Daily &backups kept:", self.daily_backups)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #c62828")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        self.sync_page = SyncSettingsPage(
            services, self.tabs, sync_states, str(catalog.setting("default_tz"))
        )
        self.tabs.addTab(general, "&General")
        self.tabs.addTab(self.sync_page, "&Sync")
        if page == "sync":
            self.tabs.setCurrentWidget(self.sync_page)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Publish feeds to", self.publish_dir.text())
        if folder:
            self.publish_dir.setText(folder)

    def accept(self) -> None:
        folder = self.publish_dir.text().strip()
        if folder and not Path(folder).expanduser().is_dir():
            self.error.setText(f"The folder {folder} does not exist.")
            self.tabs.setCurrentIndex(0)
            return
        catalog = self._services.catalog
        try:
            catalog.set_setting("default_tz", self.zone.currentText().strip())
            catalog.set_setting("publish_dir", folder)
            catalog.set_setting("feed_refresh_minutes", self.refresh.value())
            catalog.set_setting("organisation", self.organisation.text())
            catalog.set_setting("default_marking", self.marking.text())
            catalog.set_setting("daily_backups", self.daily_backups.value())
        except (LiaisonError, ValueError, KeyError) as exc:
            message = exc.message if isinstance(exc, LiaisonError) else str(exc)
            self.error.setText(message or "That is not a time zone.")
            self.tabs.setCurrentIndex(0)
            return
        self.sync_page.save()
        super().accept()
