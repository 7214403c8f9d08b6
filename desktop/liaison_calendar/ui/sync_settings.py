"""Settings → Sync: the CalDAV accounts, adding and removing them, their passwords, and which
remote calendar of an account takes which meetings (Calendars…).

Adding an account checks the server, the user and the calendar over the network
(``SyncService.add_account``, seconds), in the background with a busy bar; whatever fails is
said in one message and the dialog keeps what was typed. Account changes take effect at once
(Cancel in Settings does not undo them); the sync interval is saved with OK.

Passwords go to the system keyring when the computer has one; otherwise they are kept only
while the app runs and it asks for them again next session. The page says which it was.

An account's main calendar takes every meeting no other calendar of it takes; Calendars… sends
the meetings of chosen strands or kinds to other calendars on the same server
(``SyncService.route``). That does not ask the server: a calendar it does not have shows as an
error at the next sync.
"""

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
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
from liaison_calendar.ui.sidebar import swatch
from liaison_calendar.ui.sync_panel import interval_minutes, set_interval_minutes
from liaison_calendar.ui.tasks import BackgroundTask, Progress

if TYPE_CHECKING:
    from liaison_calendar.services.sync import AddedAccount, SyncAccount, SyncCalendar, SyncState

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
    main = [c for c in account.calendars if c.main] or list(account.calendars[:1])
    text = (main[0].name or main[0].url) if main else ""
    others = sum(1 for c in account.calendars if c.strands or c.kinds)
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
        self.calendars_button = QPushButton("&Calendars…", self)
        self.calendars_button.setToolTip(
            "The account's calendars on the server, and which strands or kinds go to each"
        )
        self.calendars_button.clicked.connect(self.edit_calendars)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.password_button)
        buttons.addWidget(self.calendars_button)
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
        self.calendars_button.setEnabled(has)

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

    def edit_calendars(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        account = next(a for a in self.accounts if a.name == name)
        dialog = CalendarsDialog(self._services, account, self)
        self.calendars_dialog = dialog
        dialog.exec()
        if dialog.changed:
            self.changed = True  # the sync after Settings moves the meetings
            self.reload()


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


# --- which calendar takes which meetings ------------------------------------------------------


def _path(url: str) -> str:
    return unquote(urlsplit(url).path)


def main_calendar(account: "SyncAccount") -> "SyncCalendar | None":
    """The calendar that takes everything no route takes."""
    return next((c for c in account.calendars if c.main), None)


def calendar_address(text: str, account: "SyncAccount") -> str:
    """Where ``text`` typed in Add calendar… points: a bare name is a calendar beside the main
    one (…/alice/cyber/ beside …/alice/team/), a path or URL is taken on the account's server
    as ``SyncService.route`` takes it. Always with the final "/" of a collection."""
    text = text.strip()
    if not text:
        return ""
    main = main_calendar(account)
    if "/" not in text and ":" not in text and main is not None:
        base = main.url if main.url.endswith("/") else main.url + "/"
        url = urljoin(base, "../" + quote(text, safe="") + "/")
    else:
        url = urljoin(account.url, text)
    return url if url.endswith("/") else url + "/"


def _unexpected(exc: Exception) -> str:
    return f"An unexpected error ({type(exc).__name__}: {exc}); see the log."


def _calendar_label(calendar: "SyncCalendar") -> str:
    path = _path(calendar.url)
    return f"{calendar.name} ({path})" if calendar.name else path


class CalendarsDialog(QDialog):
    """The remote calendars of one account and what each takes: the main calendar everything
    else, the others the meetings of the strands or kinds chosen for them.

    Every change is kept at once (``changed``); the meetings move at the next sync."""

    def __init__(
        self, services: Services, account: "SyncAccount", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self.account = account
        self.changed = False
        catalog = services.catalog
        self._strand_names = {s.key: s.name for s in catalog.strands()}
        self._kind_names = {k.key: k.name for k in catalog.kinds()}
        self.setWindowTitle(f"Calendars of “{account.name}”")
        self.setMinimumWidth(620)
        intro = QLabel(
            "The main calendar takes every meeting no other calendar here takes. Send the "
            "meetings of some work strands or kinds to another calendar on the same server, "
            "e.g. one your cyber colleagues subscribe to.",
            self,
        )
        intro.setWordWrap(True)
        self.list = QTreeWidget(self)
        self.list.setAccessibleName("Calendars of the account")
        self.list.setColumnCount(2)
        self.list.setHeaderLabels(["Calendar", "Takes"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAllColumnsShowFocus(True)
        self.list.setWordWrap(False)
        header = self.list.header()
        header.setStretchLastSection(True)
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.list.itemActivated.connect(lambda *_: self.edit_calendar())
        list_label = QLabel("Ca&lendars:", self)
        list_label.setBuddy(self.list)

        self.add_button = QPushButton("A&dd calendar…", self)
        self.add_button.clicked.connect(self.add_calendar)
        self.edit_button = QPushButton("&Edit…", self)
        self.edit_button.clicked.connect(self.edit_calendar)
        self.stop_button = QPushButton("S&top using", self)
        self.stop_button.setToolTip(
            "It takes no more meetings: at the next sync they leave it for the main calendar"
        )
        self.stop_button.clicked.connect(self.stop_using)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.hide()
        self.note = QLabel(
            "Changes are kept at once; the meetings move at the next sync, which runs when "
            "Settings closes. The server is not asked now: a calendar it does not have shows "
            "as a sync error then. A meeting two calendars could take goes to the first listed.",
            self,
        )
        self.note.setWordWrap(True)
        self.close_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_box.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(list_label)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.note)
        layout.addWidget(self.close_box)
        self._fill()

    # --- the list -------------------------------------------------------------------------

    def takes_text(self, calendar: "SyncCalendar") -> str:
        if calendar.main:
            return "everything else (main calendar)"
        if calendar.stopped:
            return "nothing any more"
        parts = []
        if calendar.strands:
            names = (self._strand_names.get(k, k) for k in calendar.strands)
            parts.append("Strands: " + ", ".join(names))
        if calendar.kinds:
            names = (self._kind_names.get(k, k) for k in calendar.kinds)
            parts.append("Kinds: " + ", ".join(names))
        return "; ".join(parts)

    def _fill(self, current: str | None = None) -> None:
        chosen = current if current is not None else self.selected_url()
        self.list.clear()
        main = main_calendar(self.account)
        for calendar in self.account.calendars:
            item = QTreeWidgetItem([_calendar_label(calendar), self.takes_text(calendar)])
            item.setData(0, Qt.ItemDataRole.UserRole, calendar.url)
            item.setToolTip(0, calendar.url)
            if calendar == main:
                item.setToolTip(1, "The account's main calendar: it cannot be given a route")
            elif calendar.stopped:
                item.setToolTip(
                    1,
                    "Its meetings on the server are taken off at the next sync; Stop using "
                    "again after that takes it off this list.",
                )
            else:
                item.setToolTip(1, item.text(1))
            self.list.addTopLevelItem(item)
            if chosen is not None and _path(calendar.url) == _path(chosen):
                self.list.setCurrentItem(item)
        first = self.list.topLevelItem(0)
        if self.list.currentItem() is None and first is not None:
            self.list.setCurrentItem(first)
        self.list.resizeColumnToContents(0)
        self.list.setColumnWidth(0, self.list.columnWidth(0) + 24)  # a gap before "Takes"
        self._update_buttons()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.focusWidget() is self.list:
            event.accept()  # Enter on a calendar edits it (itemActivated), and no button
            return
        super().keyPressEvent(event)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.show()

    def selected_url(self) -> str | None:
        item = self.list.currentItem()
        if item is None:
            return None
        url = item.data(0, Qt.ItemDataRole.UserRole)
        return url if isinstance(url, str) else None

    def selected(self) -> "SyncCalendar | None":
        url = self.selected_url()
        return next((c for c in self.account.calendars if c.url == url), None)

    def _update_buttons(self) -> None:
        calendar = self.selected()
        other = calendar is not None and calendar != main_calendar(self.account)
        self.edit_button.setEnabled(other)
        self.stop_button.setEnabled(other)

    # --- actions --------------------------------------------------------------------------

    def add_calendar(self) -> None:
        self._open(RouteDialog(self._services, self.account, None, self))

    def edit_calendar(self) -> None:
        calendar = self.selected()
        if calendar is None or calendar == main_calendar(self.account):
            return
        self._open(RouteDialog(self._services, self.account, calendar, self))

    def _open(self, dialog: "RouteDialog") -> None:
        self.route_dialog = dialog
        if dialog.exec() and dialog.routed is not None:
            self.account = dialog.routed
            self.changed = True
            self._fill(dialog.address)
            self._say(
                f"{_path(dialog.address)} is saved. Its meetings move there at the next sync; "
                "if the server has no such calendar, that sync says so."
            )

    def stop_using(self) -> None:
        calendar = self.selected()
        if calendar is None or calendar == main_calendar(self.account):
            return
        path = _path(calendar.url)
        if calendar.stopped:
            text = (
                f"Take {path} off the list? It takes no meetings already; the ones still there "
                "are taken off at the next sync."
            )
        else:
            text = (
                f"Stop using {path}? At the next sync its meetings are deleted there (not "
                "here) and go to the main calendar, or to another one here that takes them."
            )
        answer = QMessageBox.question(
            self,
            "Stop using a calendar",
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.account = self._services.sync.route(self.account.name, calendar.url)
        except LiaisonError as exc:
            QMessageBox.warning(self, "Calendars", exc.message)
            return
        except Exception as exc:  # a message, never a traceback
            log.exception("stopping a sync calendar failed")
            QMessageBox.warning(self, "Calendars", _unexpected(exc))
            return
        self.changed = True
        still = any(_path(c.url) == path for c in self.account.calendars)
        self._fill(calendar.url if still else None)
        if still:
            self._say(
                f"{path} takes no more meetings; the next sync takes its meetings off it. "
                "Stop using it again after that sync to take it off this list."
            )
        else:
            self._say(f"{path} is no longer used.")


class RouteDialog(QDialog):
    """Add a calendar (``calendar`` None) or change what one takes: the strands and kinds whose
    meetings go to it. OK calls ``SyncService.route``; ``routed`` is the account after."""

    def __init__(
        self,
        services: Services,
        account: "SyncAccount",
        calendar: "SyncCalendar | None",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._account = account
        self.calendar = calendar
        self.routed: SyncAccount | None = None
        self.address = calendar.url if calendar is not None else ""
        catalog = services.catalog
        adding = calendar is None
        self.setWindowTitle("Add a calendar" if adding else "Edit a calendar")
        self.setMinimumWidth(620)

        self.address_edit = QLineEdit(self)
        beside = _path(calendar_address("cyber", account))
        if adding:
            self.address_edit.setPlaceholderText(f"e.g. cyber (that is {beside}), or a full path")
            self.address_edit.setToolTip(
                "A calendar on the same server: its name beside the main calendar, its path, "
                "or its whole address"
            )
        else:
            assert calendar is not None
            self.address_edit.setText(_path(calendar.url))
            self.address_edit.setReadOnly(True)
            self.address_edit.setToolTip(calendar.url)
        self.resolved = QLabel(self)
        self.resolved.setWordWrap(True)
        self.resolved.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.address_edit.textChanged.connect(self._show_address)
        self._show_address()

        strands = calendar.strands if calendar is not None else ()
        kinds = calendar.kinds if calendar is not None else ()
        self.strands_list = self._checklist(
            "Work strands",
            [(s.key, s.name, s.colour) for s in catalog.strands()],
            strands,
        )
        self.kinds_list = self._checklist(
            "Kinds", [(k.key, k.name, k.colour) for k in catalog.kinds()], kinds
        )
        strands_label = QLabel("&Work strands:", self)
        strands_label.setBuddy(self.strands_list)
        kinds_label = QLabel("&Kinds:", self)
        kinds_label.setBuddy(self.kinds_list)
        lists = QHBoxLayout()
        for label, widget in ((strands_label, self.strands_list), (kinds_label, self.kinds_list)):
            column = QVBoxLayout()
            column.addWidget(label)
            column.addWidget(widget, 1)
            lists.addLayout(column, 1)

        note = QLabel(
            "Meetings of any strand or kind ticked go to this calendar instead of the main "
            "one. The server is not asked now: if it has no such calendar, the next sync says "
            "so (make it on the server first, e.g. in its web page).",
            self,
        )
        note.setWordWrap(True)

        form = QFormLayout()
        address_label = QLabel("&Calendar:", self)
        address_label.setBuddy(self.address_edit)
        address = QVBoxLayout()
        address.setSpacing(2)
        address.addWidget(self.address_edit)
        address.addWidget(self.resolved)
        form.addRow(address_label, address)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            "&Add" if adding else "&Save"
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(lists, 1)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        if not adding:
            self.strands_list.setFocus()

    def _checklist(
        self, name: str, entries: list[tuple[str, str, str]], ticked: Sequence[str]
    ) -> QListWidget:
        widget = QListWidget(self)
        widget.setAccessibleName(name)
        # Ticks only: a highlighted row would look chosen. Arrows and Space work all the same.
        widget.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        known = {key for key, _, _ in entries}
        # A key no longer in the catalogue stays listed (ticked) so it can be unticked.
        entries = entries + [(key, key, "#9e9e9e") for key in ticked if key not in known]
        for key, label, colour in entries:
            item = QListWidgetItem(swatch(colour), label, widget)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in ticked else Qt.CheckState.Unchecked)
        widget.setCurrentRow(0)
        frame = 2 * widget.frameWidth()
        widget.setMinimumWidth(widget.sizeHintForColumn(0) + frame + 8)
        widget.setMinimumHeight(widget.sizeHintForRow(0) * min(len(entries), 8) + frame + 4)
        return widget

    @staticmethod
    def ticked(widget: QListWidget) -> list[str]:
        out = []
        for row in range(widget.count()):
            item = widget.item(row)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def _show_address(self) -> None:
        if self.calendar is not None:
            self.resolved.setText(self.calendar.url)
            return
        url = calendar_address(self.address_edit.text(), self._account)
        self.resolved.setText(f"→ {url}" if url else "")

    def accept(self) -> None:
        if self.calendar is not None:
            address = self.calendar.url
        else:
            address = calendar_address(self.address_edit.text(), self._account)
        strands, kinds = self.ticked(self.strands_list), self.ticked(self.kinds_list)
        title = self.windowTitle()
        if not address:
            QMessageBox.warning(self, title, "Give the calendar: its name, path or address.")
            self.address_edit.setFocus()
            return
        if not strands and not kinds:
            QMessageBox.warning(
                self,
                title,
                "Tick at least one work strand or kind. (To send no meetings there, use Stop "
                "using in the list of calendars.)",
            )
            self.strands_list.setFocus()
            return
        main = main_calendar(self._account)
        if self.calendar is None and main is not None and _path(address) != _path(main.url):
            taken = next(
                (c for c in self._account.calendars if _path(c.url) == _path(address)), None
            )
            if taken is not None and not taken.stopped:
                QMessageBox.warning(
                    self,
                    title,
                    f"{_path(address)} is in the list already: choose it there and Edit… what "
                    "it takes.",
                )
                return
        try:
            self.routed = self._services.sync.route(self._account.name, address, strands, kinds)
        except LiaisonError as exc:
            QMessageBox.warning(self, title, exc.message)
            return
        except Exception as exc:  # a message, never a traceback
            log.exception("routing a sync calendar failed")
            QMessageBox.warning(self, title, _unexpected(exc))
            return
        self.address = address
        super().accept()
