"""What the editors (meeting, series, exercise) share: each problem shown beside its field, and
OK, Ctrl+Return and Ctrl+Enter accepting only when there is none."""

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QWidget


@dataclass(frozen=True)
class Problem:
    """Something that keeps OK disabled: which field, and why."""

    field: str
    message: str


class FormDialog(QDialog):
    """Subclasses fill ``_problems`` in ``_validate`` and make their error labels with
    ``_error_label``; ``_connect_accept`` wires OK, Cancel and the accepting shortcuts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._problems: list[Problem] = []
        self._error_labels: dict[str, QLabel] = {}
        self._accept_shortcuts = [
            QShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return), self),
            QShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Enter), self),
        ]

    def _validate(self) -> None:
        raise NotImplementedError

    def problems(self) -> list[Problem]:
        """What keeps OK disabled, top to bottom."""
        return list(self._problems)

    def is_valid(self) -> bool:
        return not self._problems

    def error_text(self, field: str) -> str:
        """The message shown beside ``field`` ("" when there is none)."""
        label = self._error_label_of(field)
        return label.text() if label is not None and label.isVisibleTo(self) else ""

    def _error_label_of(self, field: str) -> QLabel | None:
        return self._error_labels.get(field)

    def accept(self) -> None:
        self._validate()
        if self._problems:
            return
        super().accept()

    def _error_label(self, field: str) -> QLabel:
        label = QLabel(self)
        label.setWordWrap(True)
        label.setObjectName(f"error_{field}")
        label.hide()
        self._error_labels[field] = label
        return label

    def _connect_accept(self, buttons: QDialogButtonBox) -> None:
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for shortcut in self._accept_shortcuts:
            shortcut.activated.connect(self.accept)
