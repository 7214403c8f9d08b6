"""Long work (imports, publishing) off the GUI thread, with a progress dialog that can cancel it.

The work is a plain function given a ``progress(done, total) -> bool`` callback; it runs in a
QThread, the dialog follows the callbacks through a queued signal, and the callback answers
False once the user pressed Cancel (the services then roll back and raise). The result, or the
``LiaisonError`` message, comes back on the GUI thread.
"""

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from liaison_calendar.errors import LiaisonError

Progress = Callable[[int, int], bool]


class _Worker(QObject):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Callable[[Progress], Any]) -> None:
        super().__init__()
        self._work = work
        self.cancelled = threading.Event()

    def _progress(self, done: int, total: int) -> bool:
        self.progressed.emit(done, total)
        return not self.cancelled.is_set()

    @Slot()
    def run(self) -> None:
        try:
            result = self._work(self._progress)
        except LiaisonError as exc:
            self.failed.emit(exc.message)
        except OSError as exc:
            self.failed.emit(f"{exc.strerror or exc}: {exc.filename or ''}".strip(": "))
        else:
            self.succeeded.emit(result)


class BackgroundTask(QObject):
    """One run of ``work`` in its own thread; ``finished(result)`` or ``failed(message)``."""

    finished = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        title: str,
        work: Callable[[Progress], Any],
        *,
        show_progress: bool = True,
    ) -> None:
        super().__init__(parent)
        self._thread = QThread(self)
        self._worker = _Worker(work)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.succeeded.connect(self._succeeded, Qt.ConnectionType.QueuedConnection)
        self._worker.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self.dialog: QProgressDialog | None = None
        if show_progress:
            self.dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
            self.dialog.setWindowTitle(title)
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.setMinimumDuration(400)
            self.dialog.canceled.connect(self.cancel)
            self._worker.progressed.connect(self._progressed, Qt.ConnectionType.QueuedConnection)
        self.running = False

    def start(self) -> None:
        self.running = True
        self._thread.start()

    def cancel(self) -> None:
        self._worker.cancelled.set()

    def wait(self) -> None:
        """Block until the work has stopped (a window closing must not leave it running)."""
        self._thread.quit()  # handled once the work returns to the thread's event loop
        self._thread.wait()
        self.running = False

    def _progressed(self, done: int, total: int) -> None:
        if self.dialog is not None and not self._worker.cancelled.is_set():
            self.dialog.setMaximum(max(total, 1))
            self.dialog.setValue(min(done, total))
            self.dialog.setLabelText(f"{done:,} of {total:,} events")

    def _end(self) -> None:
        self.running = False
        self._thread.quit()
        self._thread.wait()
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.hide()

    def _succeeded(self, result: object) -> None:
        self._end()
        self.finished.emit(result)

    def _failed(self, message: str) -> None:
        self._end()
        self.failed.emit(message)
