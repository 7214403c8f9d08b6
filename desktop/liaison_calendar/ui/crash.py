"""What an unexpected error looks like: a dialog, not a vanished window.

Every change goes through one service call in one transaction, so an exception in the middle
of one leaves the calendar as it was before that change. ``install`` routes uncaught
exceptions (of the GUI thread and of worker threads) to the log and to a dialog that says what
happened, where the log is, and offers "Copy details" for a bug report. The app carries on.
"""

import logging
import platform
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from liaison_calendar import __version__, logs

log = logging.getLogger(__name__)
_showing = False  # one dialog at a time: an error while showing one is only logged


def details(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    """The text "Copy details" puts on the clipboard: versions and the traceback."""
    return (
        f"Liaison Calendar {__version__}\n"
        f"Python {platform.python_version()} on {platform.platform()}\n\n"
        + "".join(traceback.format_exception(exc_type, exc, tb))
    )


class CrashDialog(QDialog):
    def __init__(self, summary: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Liaison Calendar — unexpected error")
        self.details = text
        message = QLabel(
            "<p><b>Something went wrong.</b></p>"
            f"<p>{_escape(summary)}</p>"
            "<p>Your calendar is safe: a change that was under way when this happened was not "
            "saved, everything saved before is kept. You can go on working.</p>"
            f"<p>The details are in the log: {_escape(str(logs.log_file()))}</p>",
            self,
        )
        message.setWordWrap(True)
        self.text = QPlainTextEdit(text, self)
        self.text.setReadOnly(True)
        self.text.setMinimumHeight(160)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("&Copy details", self)
        self.copy_button.clicked.connect(self.copy)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(620, 420)

    def copy(self) -> None:
        QApplication.clipboard().setText(self.details)
        self.copy_button.setText("Copied")


def report(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> CrashDialog | None:
    """Log an unexpected exception and show the dialog (on the GUI thread); returns it."""
    global _showing
    log.critical("unexpected error", exc_info=(exc_type, exc, tb))
    app = QApplication.instance()
    if _showing or app is None:
        return None
    dialog = CrashDialog(f"{exc_type.__name__}: {exc}", details(exc_type, exc, tb))
    _showing = True
    try:
        dialog.exec()
    finally:
        _showing = False
    return dialog


def _hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    try:
        report(exc_type, exc, tb)
    except Exception:  # the dialog itself failed: the log has the original error
        log.exception("could not show the error dialog")


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None:
        return
    exc_type, exc, tb = args.exc_type, args.exc_value, args.exc_traceback
    app = QApplication.instance()
    if app is None:
        log.critical("unexpected error in a thread", exc_info=(exc_type, exc, tb))
        return
    QTimer.singleShot(0, app, lambda: _hook(exc_type, exc, tb))  # on the GUI thread


def install() -> None:
    """Route uncaught exceptions to the log and the dialog (the desktop app calls this)."""
    sys.excepthook = _hook
    threading.excepthook = _thread_hook


def _escape(text: str) -> str:
    import html

    return html.escape(text)
