"""Starting the desktop app: the QApplication, the calendar file, the main window.

The calendar is opened after Qt is up, so that a file written by a newer version, one that is
not a calendar, or one another copy keeps locked is a message box, never a traceback. The first
start on an empty calendar offers the sample calendar.
"""

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from liaison_calendar import __version__
from liaison_calendar.errors import LiaisonError
from liaison_calendar.services.context import Services
from liaison_calendar.ui.main_window import APP_NAME, MainWindow

__all__ = ["APP_NAME", "MainWindow", "application", "open_services", "run", "run_path"]


def application() -> QApplication:
    """The QApplication, created once, named so that Qt's paths and settings are ours."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName("Liaison")
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("eu.liaison.LiaisonCalendar")
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


def run(services: Services) -> int:
    app = application()
    window = MainWindow(services)
    window.show()
    offer_demo(window)
    return app.exec()


def run_path(path: Path) -> int:
    """Start the app on the calendar at ``path``; 2 if it cannot be opened."""
    application()
    services = open_services(path)
    if services is None:
        return 2
    try:
        return run(services)
    finally:
        services.close()
