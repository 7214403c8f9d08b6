"""Settings → Sync: the CalDAV accounts, adding and removing them, their passwords.

Adding an account checks the server, the user and the calendar over the network
(``SyncService.add_account``, seconds), in the background with a busy bar; whatever fails is
said in one message and the dialog keeps what was typed. Account changes take effect at once
(Cancel in Settings does not undo them); the sync interval is saved with OK.

Passwords go to the system keyring when the computer has one; otherwise they are kept only
while the app runs and it asks for them again next session. The page says which it was.
"""

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from liaison_calendar.errors import LiaisonError
from liaison_calendar.services.context import Services
from liaison_calendar.ui.sync_panel import interval_minutes, set_interval_minutes
from liaison_calendar.ui.tasks import BackgroundTask, Progress

if TYPE_CHECKING:
    from liaison_calendar.services.sync import AddedAccount, SyncAccount, SyncState

log = logging.getLogger(__name__)

KEYRING_UNKNOWN = (
    "Passwords are kept in the system keyring when this computer has one; otherwise only while "
    "the app runs, and it asks for them again each session."
)


def keyring_note(name: str, in_keyring: bool) -> str:
    if in_keyring:
        return f"The password of “{name}” is kept in the system keyring."
    return (
        f"This computer has no system keyring: the password of “{name}” is kept only while the "
        "app runs, and it is asked for again next session."
    )


def _state_text(account: "SyncAccount", state: "SyncState | None", tz: str) -> str:
    if state is not None:
        if state.state == "synced":
            return "synced"
        if state.state in ("waiting", "conflicts", "never"):
            return state.message
        return f"{state.state}: {state.message}"
    if account.last_error:
        return f"error: {account.last_error}"
    if account.last_sync is None:
        return "not synced yet"
    try:
        when = account.last_sync.astimezone(ZoneInfo(tz))
    except (KeyError, ValueError):
        when = account.last_sync
    return f"synced {when:%d %b %H:%M}"


def _calendar_text(account: "SyncAccount") -> str:
    main = [c for c in account.calendars if c.default] or list(account.calendars[:1])
    text = (main[0].name or main[0].url) if main else ""
    others = len(account.calendars) - len(main)
    return f"{text} (+{others} routed)" if others > 0 else text


class SyncSettingsPage(QWidget):
    """The Sync page of Settings. ``changed`` says accounts or passwords changed."""

    COLUMNS = ("Account", "Server", "User", "Calendar", "State")

    def __init__(
        self,
        services: Services,
        parent: QWidget | None = None,
        states: Sequence["SyncState"] = (),
        tz: str = "UTC",
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._states = {s.account: s for s in states}
        self._tz = tz
        self.changed = False
        self.accounts: list[SyncAccount] = []
        self.setMinimumWidth(600)  # room for the server addresses
        intro = QLabel(
            "Share this calendar with CalDAV servers (Nextcloud, Radicale, SOGo…). Changes made "
            "here and there are merged; when both sides changed a meeting you choose what to "
            "keep (Sync → Sync conflicts…).",
            self,
        )
        intro.setWordWrap(True)
        self.table = QTreeWidget(self)
        self.table.setAccessibleName("Sync accounts")
        self.table.setColumnCount(len(self.COLUMNS))
        self.table.setHeaderLabels(list(self.COLUMNS))
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAllColumnsShowFocus(True)
        header = self.table.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.currentItemChanged.connect(lambda *_: self._update_buttons())
        table_label = QLabel("&Accounts:", self)
        table_label.setBuddy(self.table)

        self.add_button = QPushButton("A&dd account…", self)
        self.add_button.clicked.connect(self.add_account)
        self.remove_button = QPushButton("&Remove", self)
        self.remove_button.clicked.connect(self.remove_account)
        self.password_button = QPushButton("Set &password…", self)
        self.password_button.clicked.connect(self.set_password)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.password_button)
        buttons.addStretch(1)

        self.keyring_note = QLabel(KEYRING_UNKNOWN, self)
        self.keyring_note.setWordWrap(True)
        self.interval = QSpinBox(self)
        self.interval.setRange(1, 24 * 60)
        self.interval.setSuffix(" min")
        self.interval.setValue(interval_minutes())
        self.interval.setToolTip("Also a few seconds after each change, and on Sync now (F9)")
        form = QFormLayout()
        form.addRow("Sync &every:", self.interval)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(table_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.keyring_note)
        layout.addLayout(form)
        self.reload()

    def reload(self) -> None:
        chosen = self.selected_name()
        try:
            self.accounts = self._services.sync.accounts()
        except LiaisonError as exc:
            self.accounts = []
            QMessageBox.warning(self, "Sync", exc.message)
        self.table.clear()
        for account in self.accounts:
            item = QTreeWidgetItem(
                [
                    account.name,
                    account.url,
                    account.user,
                    _calendar_text(account),
                    _state_text(account, self._states.get(account.name), self._tz),
                ]
            )
            item.setToolTip(3, "\n".join(c.url for c in account.calendars))
            item.setToolTip(4, item.text(4))
            self.table.addTopLevelItem(item)
            if account.name == chosen:
                self.table.setCurrentItem(item)
        first = self.table.topLevelItem(0)
        if self.table.currentItem() is None and self.accounts and first is not None:
            self.table.setCurrentItem(first)
        if not self.accounts:
            placeholder = QTreeWidgetItem(["No account: this calendar is not synced."])
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.table.addTopLevelItem(placeholder)
            self.table.setFirstColumnSpanned(0, self.table.rootIndex(), True)
        self._update_buttons()

    def selected_name(self) -> str | None:
        item = self.table.currentItem()
        if item is None or not self.accounts:
            return None
        name = item.text(0)
        return name if any(a.name == name for a in self.accounts) else None

    def _update_buttons(self) -> None:
        has = self.selected_name() is not None
        self.remove_button.setEnabled(has)
        self.password_button.setEnabled(has)

    def save(self) -> None:
        """With OK in Settings: the interval (accounts are saved as they change)."""
        set_interval_minutes(self.interval.value())

    # --- actions --------------------------------------------------------------------------

    def add_account(self) -> None:
        dialog = AddAccountDialog(self._services, self)
        self.add_dialog = dialog
        if dialog.exec() and dialog.added is not None:
            added = dialog.added
            self.changed = True
            self._states.pop(added.account.name, None)
            self.reload()
            for row in range(self.table.topLevelItemCount()):
                item = self.table.topLevelItem(row)
                if item is not None and item.text(0) == added.account.name:
                    self.table.setCurrentItem(item)
            note = keyring_note(added.account.name, added.in_keyring)
            if added.created_calendar:
                calendar = added.account.calendars[0].url if added.account.calendars else ""
                note = f"A new calendar was made on the server ({calendar}). " + note
            self.keyring_note.setText(note)

    def remove_account(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        answer = QMessageBox.question(
            self,
            "Remove sync account",
            f"Stop syncing with “{name}”? The meetings stay in this calendar and nothing is "
            "deleted on the server; its password is forgotten.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self._services.sync.remove_account(name)
        except LiaisonError as exc:
            QMessageBox.warning(self, "Sync", exc.message)
            return
        self.changed = True
        self._states.pop(name, None)
        self.keyring_note.setText(f"“{name}” was removed.")
        self.reload()

    def set_password(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        account = next(a for a in self.accounts if a.name == name)
        password, ok = QInputDialog.getText(
            self,
            "Sync password",
            f"New password of {account.user} on {account.url}\n(sync account “{name}”):",
            QLineEdit.EchoMode.Password,
        )
        if not ok or not password:
            return
        try:
            in_keyring = self._services.sync.set_password(name, password)
        except LiaisonError as exc:
            QMessageBox.warning(self, "Sync", exc.message)
            return
        self.changed = True
        self.keyring_note.setText(keyring_note(name, in_keyring))


class AddAccountDialog(QDialog):
    """Name, server, user, password, calendar and certificate of a new account.

    OK checks them against the server in the background; ``added`` is the result."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.added: AddedAccount | None = None
        self.busy = False
        self.task: BackgroundTask | None = None
        self.setWindowTitle("Add sync account")
        self.setMinimumWidth(520)
        form = QFormLayout()
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("e.g. work (letters, digits, . - _)")
        self.url = QLineEdit(self)
        self.url.setPlaceholderText("https://caldav.example.org/")
        self.user = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.calendar = QLineEdit(self)
        self.calendar.setPlaceholderText("optional: the server's only one, or a new one")
        self.calendar.setToolTip(
            "The calendar's name or path on the server. Left empty: the only calendar there, "
            "or a new one called Liaison Calendar."
        )
        self.ca_file = QLineEdit(self)
        self.ca_file.setPlaceholderText("optional: for a server with its own certificate")
        browse = QPushButton("&Browse…", self)
        browse.clicked.connect(self._browse)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(browse)
        form.addRow("&Name:", self.name)
        form.addRow("&Server address:", self.url)
        form.addRow("&User:", self.user)
        form.addRow("Pass&word:", self.password)
        form.addRow("&Calendar:", self.calendar)
        ca_label = QLabel("Cer&tificate file:", self)
        ca_label.setBuddy(self.ca_file)  # a row of a layout gets no buddy of its own
        form.addRow(ca_label, ca_row)
        self.inputs: list[QWidget] = [
            self.name,
            self.url,
            self.user,
            self.password,
            self.calendar,
            self.ca_file,
            browse,
        ]
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy, no percentage
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(12)
        self.progress_label = QLabel("Checking the server, the user and the calendar…", self)
        self.progress.hide()
        self.progress_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Add")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Certificate of the server",
            self.ca_file.text() or str(Path.home()),
            "Certificates (*.pem *.crt *.cer);;All files (*)",
        )
        if name:
            self.ca_file.setText(name)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in self.inputs:
            widget.setEnabled(not busy)
        self.buttons.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.progress_label.setVisible(busy)

    def accept(self) -> None:
        """Check the account in the background; close once the server said yes."""
        if self.busy:
            return
        name, url, user = self.name.text().strip(), self.url.text().strip(), self.user.text()
        password, ca_file = self.password.text(), self.ca_file.text().strip()
        calendar = self.calendar.text().strip() or None
        services = self._services

        def work(_progress: Progress) -> "AddedAccount":
            try:
                return services.sync.add_account(
                    name, url, user.strip(), password, calendar=calendar, ca_file=ca_file
                )
            except LiaisonError:
                raise
            except Exception as exc:  # the message box, never a dialog stuck busy
                log.exception("adding a sync account failed")
                raise LiaisonError(
                    f"An unexpected error ({type(exc).__name__}: {exc}); see the log."
                ) from exc

        self._set_busy(True)
        task = BackgroundTask(self, "Adding the account…", work, show_progress=False)
        task.finished.connect(self._added)
        task.failed.connect(self._failed)
        self.task = task
        task.start()

    def reject(self) -> None:
        if self.busy:
            return  # the check runs (at most the server's timeout): wait for its answer
        super().reject()

    def _added(self, added: "AddedAccount") -> None:
        self._set_busy(False)
        self.added = added
        super().accept()

    def _failed(self, message: str) -> None:
        self._set_busy(False)
        QMessageBox.warning(self, "Add sync account", f"The account was not added.\n\n{message}")
        self.password.setFocus()
