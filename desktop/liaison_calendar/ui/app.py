"""Starting the desktop app: the QApplication, the calendar file, the main window.

The calendar is opened after Qt is up, so that a file written by a newer version, one that is
not a calendar, or one another copy keeps locked is a message box, never a traceback. The first
start on an empty calendar offers the sample calendar.

One calendar is open in one window only: a second start on the same file brings the running
window to the front, hands it the ``.ics`` files it was given (their import preview opens there)
and exits; see :mod:`liaison_calendar.ui.single_instance`.

``LIAISON_QUIT_AFTER_MS``: when set to a whole number, the window closes (and the app quits)
that many milliseconds after it is shown, and the sample calendar is not offered, so nothing
waits for an answer. For smoke tests of a build, e.g. ``LIAISON_QUIT_AFTER_MS=2000 liaison``.
"""

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from liaison_calendar import __version__
from liaison_calendar.errors import LiaisonError
from liaison_calendar.services.context import Services
from liaison_calendar.ui import crash
from liaison_calendar.ui.icons import app_icon
from liaison_calendar.ui.main_window import APP_NAME, MainWindow
from liaison_calendar.ui.single_instance import forward, listen

__all__ = ["APP_NAME", "MainWindow", "application", "open_services", "run", "run_path"]

log = logging.getLogger(__name__)

QUIT_AFTER_ENV = "LIAISON_QUIT_AFTER_MS"


def application() -> QApplication:
    """The QApplication, created once, named so that Qt's paths and settings are ours."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName("Liaison")
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("eu.liaison.LiaisonCalendar")
    app.setWindowIcon(app_icon())
    return app


def open_services(path: Path) -> Services | None:
    """The services on ``path``, or None after telling the user why the file cannot be used."""
    try:
        return Services.open(path)
    except LiaisonError as exc:
        QMessageBox.critical(
            None, APP_NAME, f"The calendar cannot be opened.\n\n{exc.message}\n\nFile: {path}"
        )
        return None


def offer_demo(window: MainWindow) -> bool:
    """On an empty calendar, offer to load the sample one; True if it was loaded."""
    services = window.services
    if not services.queries.is_empty():
        return False
    answer = QMessageBox.question(
        window,
        APP_NAME,
        "This calendar is empty. Load the sample EU–NATO calendar (2023–2025) to look around?\n"
        "You can delete its meetings later.",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    from liaison_calendar.services.demo import seed_demo

    try:
        seed_demo(services)
    except LiaisonError as exc:
        QMessageBox.warning(window, APP_NAME, exc.message)
        return False
    window.sidebar.reload()
    window.palette_ = window._palette()
    window.refresh()
    return True


def quit_after_ms() -> int | None:
    """The ``LIAISON_QUIT_AFTER_MS`` delay, or None when it is unset or not a whole number."""
    text = os.environ.get(QUIT_AFTER_ENV, "").strip()
    if not text:
        return None
    try:
        return max(0, int(text))
    except ValueError:
        log.warning("%s=%r is not a number of milliseconds; ignored", QUIT_AFTER_ENV, text)
        return None


def run(services: Services, db_path: Path | None = None, files: list[Path] | None = None) -> int:
    """Show the window on ``services`` until it is closed. With ``db_path`` it answers later
    starts on that file; ``files`` go to the import preview once the window is up."""
    app = application()
    crash.install()  # from here on an unexpected error is a dialog, not a vanished window
    window = MainWindow(services)
    server = listen(window, db_path) if db_path is not None else None
    window.show()
    quit_after = quit_after_ms()
    if quit_after is not None:
        QTimer.singleShot(quit_after, window, window.close)
    elif not files:
        offer_demo(window)  # an empty calendar about to receive files needs no sample
    if files:
        chosen = list(files)
        QTimer.singleShot(0, window, lambda: window.import_files(chosen))
    try:
        return app.exec()
    finally:
        if server is not None:
            server.close()  # the socket file goes with it


def run_path(path: Path, files: list[Path] | None = None) -> int:
    """Start the app on the calendar at ``path``, importing ``files`` (.ics) once it is up.

    When a window already runs on ``path`` it gets the files and comes to the front instead, and
    this returns 0 at once; 2 if the calendar cannot be opened."""
    application()
    if forward(path, files):
        handed = f" and given {len(files)} file(s) to import" if files else ""
        print(
            f"{APP_NAME} is already running on {path}; it was brought to the front{handed}.",
            file=sys.stderr,
        )
        return 0
    services = open_services(path)
    if services is None:
        return 2
    try:
        return run(services, path, files)
    finally:
        services.close()
