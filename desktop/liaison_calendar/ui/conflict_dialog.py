"""Sync conflicts, side by side: what this computer has and what the server has, per field.

The list on the left holds every conflict; the right shows the chosen one's differing fields
(``Conflict.fields``) in two columns, "Mine (this computer)" and "Theirs (server)", each row
with a choice for a merge. "Keep mine" and "Keep theirs" take one side whole; "Merge chosen
fields" takes the fields ticked under Theirs from the server and the rest from here. A side
that deleted the meeting shows "(deleted)" and there is nothing to merge.

Resolving is local (``SyncService.resolve``); the next sync sends what was chosen. The dialog
emits ``resolved(uid)`` after each one and closes itself when none is left.
"""

import html
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QMouseEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from liaison_calendar.errors import LiaisonError
from liaison_calendar.services.context import Services

if TYPE_CHECKING:
    from liaison_calendar.services.sync import Conflict

TITLE = "Sync conflicts"
MINE, THEIRS = 0, 1
DELETED = "(deleted)"
LONG_VALUE = 800
"""Characters of a value shown in a cell; the tooltip has all of it."""


@contextmanager
def _busy() -> Iterator[None]:
    """A wait cursor: reading conflicts serialises the calendar (no network)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


class _Value(QLabel):
    """One side's value of a field; a click on it chooses that side."""

    def __init__(self, text: str, button: QRadioButton, parent: QWidget) -> None:
        shown = text if len(text) <= LONG_VALUE else text[:LONG_VALUE] + "…"
        super().__init__(shown or "(empty)", parent)
        self._button = button
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if not text or text == DELETED:
            font = QFont(self.font())
            font.setItalic(True)
            self.setFont(font)
            self.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # dimmed
        if len(text) > LONG_VALUE or "\n" in text:
            self.setToolTip(text)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._button.isEnabled():
            self._button.setChecked(True)
            self._button.setFocus()
        super().mouseReleaseEvent(event)


class ConflictDialog(QDialog):
    resolved = Signal(str)

    def __init__(
        self,
        services: Services,
        parent: QWidget | None = None,
        uid: str | None = None,
        tz: str = "UTC",
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._tz = tz
        self.setWindowTitle(TITLE)
        self.resize(940, 560)
        self.conflicts: list[Conflict] = []
        self.choices: dict[str, QButtonGroup] = {}
        self.resolved_count = 0
        self.busy = False  # a sync runs: resolving waits for it

        self.list = QListWidget(self)
        self.list.setAccessibleName("Conflicts")
        self.list.currentRowChanged.connect(lambda _row: self._show_current())
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        list_label = QLabel("&Conflicts:", left)
        list_label.setBuddy(self.list)
        left_layout.addWidget(list_label)
        left_layout.addWidget(self.list)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(right)
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.note = QLabel(right)
        self.note.setWordWrap(True)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        self.grid.setHorizontalSpacing(16)
        self.grid.setVerticalSpacing(8)
        self.scroll_area = QScrollArea(right)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.StyledPanel)
        self.scroll_area.setWidget(self.grid_host)
        self.busy_note = QLabel("A sync is running: you can choose once it is done.", right)
        self.busy_note.setWordWrap(True)
        self.busy_note.hide()
        right_layout.addWidget(self.heading)
        right_layout.addWidget(self.note)
        right_layout.addWidget(self.busy_note)
        right_layout.addWidget(self.scroll_area, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 700])
        splitter.setChildrenCollapsible(False)

        self.buttons = QDialogButtonBox(self)
        role = QDialogButtonBox.ButtonRole.ActionRole
        self.keep_mine = QPushButton("Keep m&ine", self)
        self.keep_mine.setToolTip("Keep this computer's version; the server gets it next sync")
        self.keep_theirs = QPushButton("Keep &theirs", self)
        self.keep_theirs.setToolTip("Take the server's version here")
        self.merge = QPushButton("&Merge chosen fields", self)
        self.merge.setToolTip(
            "Take the fields chosen under Theirs from the server, the others from here"
        )
        for button in (self.keep_mine, self.keep_theirs, self.merge):
            button.setAutoDefault(False)
            self.buttons.addButton(button, role)
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)
        self.keep_mine.clicked.connect(lambda: self.resolve("mine"))
        self.keep_theirs.clicked.connect(lambda: self.resolve("theirs"))
        self.merge.clicked.connect(lambda: self.resolve("merge"))

        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "These meetings were changed both on this computer and on the server. Nothing "
                "was overwritten: choose what to keep. The next sync sends your choice.",
                self,
            )
        )
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)
        self.reload(uid)
        self.list.setFocus()

    # --- what tests and the window may ask ------------------------------------------------

    def current(self) -> "Conflict | None":
        row = self.list.currentRow()
        return self.conflicts[row] if 0 <= row < len(self.conflicts) else None

    def choose(self, field: str, side: str) -> None:
        """Choose ``mine`` or ``theirs`` for one field of the merge."""
        button = self.choices[field].button(THEIRS if side == "theirs" else MINE)
        button.setChecked(True)

    def set_busy(self, busy: bool) -> None:
        """A sync runs (True): the buttons wait; once it is over the list is read again."""
        was, self.busy = self.busy, busy
        if was and not busy:
            shown, chosen = self.current(), self.chosen_fields()
            self.reload(shown.uid if shown is not None else None)
            again = self.current()
            if shown is not None and again is not None and again.id == shown.id:
                for name, side in chosen.items():  # what the user chose meanwhile stays
                    if name in self.choices:
                        self.choose(name, side)
        else:
            self._update_buttons()

    def chosen_fields(self) -> dict[str, str]:
        return {
            name: "theirs" if group.checkedId() == THEIRS else "mine"
            for name, group in self.choices.items()
        }

    def reload(self, uid: str | None = None) -> None:
        """Read the conflicts again; select the one of ``uid`` (else the same row, or the
        first)."""
        row = max(self.list.currentRow(), 0)
        with _busy():
            try:
                self.conflicts = self._services.sync.conflicts()
            except LiaisonError as exc:
                self.conflicts = []
                QMessageBox.warning(self, TITLE, exc.message)
        self.list.blockSignals(True)
        self.list.clear()
        for conflict in self.conflicts:
            item = QListWidgetItem(conflict.title or conflict.uid, self.list)
            item.setToolTip(f"{conflict.title}\n{conflict.account} · {conflict.calendar}")
        self.list.blockSignals(False)
        if uid is not None:
            row = next((i for i, c in enumerate(self.conflicts) if c.uid == uid), row)
        self.list.blockSignals(True)
        self.list.setCurrentRow(min(row, len(self.conflicts) - 1))
        self.list.blockSignals(False)
        self._show_current()

    # --- showing --------------------------------------------------------------------------

    def _clear_grid(self) -> None:
        for group in self.choices.values():
            group.deleteLater()
        self.choices = {}
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # deleted later, but gone from the page now
                widget.deleteLater()

    def _show_current(self) -> None:
        self._clear_grid()
        conflict = self.current()
        self._update_buttons()
        if conflict is None:
            self.heading.setText("<b>No sync conflicts.</b>")
            self.note.setText("Every meeting agrees with the server.")
            return
        when = self._when(conflict.at)
        self.heading.setText(
            f"<b>{html.escape(conflict.title or conflict.uid)}</b><br>"
            f"Account {html.escape(conflict.account)} · {html.escape(conflict.calendar)}"
            + (f"<br>Found {html.escape(when)}" if when else "")
        )
        deleted_here, deleted_there = conflict.mine is None, conflict.theirs is None
        mergeable = _mergeable(conflict)
        if deleted_here and deleted_there:
            note = "Deleted on both sides: either choice forgets it."
        elif deleted_here:
            note = (
                "Deleted on this computer, changed on the server. Keep mine deletes it on the "
                "server too; Keep theirs brings it back here."
            )
        elif deleted_there:
            note = (
                "Deleted on the server, changed on this computer. Keep mine puts it back on the "
                "server; Keep theirs deletes it here too."
            )
        elif not conflict.fields:
            note = (
                "The two versions differ only in parts not listed here (changed occurrences, "
                "proposals…): keep one of them whole."
            )
        else:
            note = (
                "For a merge, choose a side for each field (click a value, or Tab to it and "
                "press Space), then Merge chosen fields."
            )
        self.note.setText(note)
        self._update_buttons()

        bold = QFont(self.font())
        bold.setBold(True)
        for column, text in ((1, "Mine (this computer)"), (2, "Theirs (server)")):
            header = QLabel(text, self.grid_host)
            header.setFont(bold)
            self.grid.addWidget(header, 0, column)
        for row, diff in enumerate(conflict.fields, start=1):
            label = QLabel(diff.label, self.grid_host)
            label.setFont(bold)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(label, row, 0)
            group = QButtonGroup(self.grid_host)
            group.setExclusive(True)
            for side, value, column in ((MINE, diff.mine, 1), (THEIRS, diff.theirs, 2)):
                cell = QWidget(self.grid_host)
                cell_layout = QHBoxLayout(cell)
                cell_layout.setContentsMargins(0, 0, 0, 0)
                radio = QRadioButton(cell)
                radio.setAccessibleName(
                    f"{diff.label}: {'mine' if side == MINE else 'theirs'}: {value}"
                )
                radio.setVisible(mergeable)  # a side deleted: nothing to choose per field
                group.addButton(radio, side)
                cell_layout.addWidget(radio, 0, Qt.AlignmentFlag.AlignTop)
                cell_layout.addWidget(_Value(value, radio, cell), 1)
                self.grid.addWidget(cell, row, column)
            mine_button: QAbstractButton = group.button(MINE)
            mine_button.setChecked(True)
            self.choices[diff.name] = group
        if not conflict.fields:
            self.grid.addWidget(QLabel("(no field differs)", self.grid_host), 1, 0, 1, 3)
        # The rows keep their height (a layout aligned to the top would shrink wrapped text to
        # its size hint); the space left goes below them.
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 0)
        self.grid.setRowStretch(self.grid.rowCount(), 1)

    def _update_buttons(self) -> None:
        conflict = self.current()
        ready = conflict is not None and not self.busy
        self.keep_mine.setEnabled(ready)
        self.keep_theirs.setEnabled(ready)
        self.merge.setEnabled(ready and conflict is not None and _mergeable(conflict))
        self.busy_note.setVisible(self.busy)

    def _when(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        try:
            local = moment.astimezone(ZoneInfo(self._tz))
        except (KeyError, ValueError):
            local = moment
        return f"{local:%a %d %b %Y %H:%M}"

    # --- resolving ------------------------------------------------------------------------

    def resolve(self, keep: str) -> bool:
        """Keep ``mine``, ``theirs`` or ``merge`` the chosen fields, for the conflict shown."""
        conflict = self.current()
        if conflict is None or self.busy:
            return False
        fields = self.chosen_fields() if keep == "merge" else None
        try:
            with _busy():
                self._services.sync.resolve(conflict.id, keep, fields, seen=conflict)
        except LiaisonError as exc:
            QMessageBox.warning(self, TITLE, exc.message)
            self.reload()  # the newer server version, if that was it
            return False
        self.resolved_count += 1
        self.resolved.emit(conflict.uid)
        self.reload()
        if not self.conflicts:
            self.accept()
        return True


def _mergeable(conflict: "Conflict") -> bool:
    """Both sides hold the meeting and some listed field differs."""
    return conflict.mine is not None and conflict.theirs is not None and bool(conflict.fields)
