"""The desktop app's steps: a cold start to a painted window, and interactions once it runs.

Each start is a fresh process on the offscreen platform, timed from the first line of the
process (``tests.benchmarks.__main__``) to the end of the window's first paint. The baseline
imports PySide6 and sqlmodel and paints an empty QMainWindow; ours opens the calendar and
paints the current month with its meetings. The app paints its first month with plain sqlite3
reads and loads SQLAlchemy and the writing services right after (``ready``); the interactions
are timed once that is done, each until the view has repainted.
"""

import os
import sys
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.dataset import NOW, peak_mib

FIND_TYPED = ["S", "St", "Str", "Stru", "Cyber", "Kyiv", "hybrid maritime", "moldova"]
"""What is typed into Find, one search per entry (as the panel searches after a pause)."""


def _painted(widget: object) -> float:
    """Show ``widget`` and return when its first paint is done (perf_counter): the end of the
    round of events that delivered the first paint event to it or any child."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(widget, QWidget)
    seen: list[float] = []

    class Watch(QObject):
        def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and not seen:
                seen.append(time.perf_counter())
            return False

    watch = Watch()
    for child in [widget, *widget.findChildren(QWidget)]:
        child.installEventFilter(watch)
    widget.show()
    while not seen:
        QApplication.processEvents()
    return time.perf_counter()


def step_bare(started: float) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import sqlmodel  # noqa: F401
    from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setCentralWidget(QWidget())
    window.resize(1280, 820)
    painted = _painted(window)
    del app
    return {"start_ms": (painted - started) * 1000, "peak_mib": peak_mib()}


def step_app(started: float, db: str) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from liaison_calendar.domain.clock import FixedClock
    from liaison_calendar.services.context import Services
    from liaison_calendar.ui.app import application
    from liaison_calendar.ui.main_window import MainWindow

    app = application()
    app.setOrganizationName("LiaisonBenchmark")  # no saved layout or filters of the user's
    services = Services.open(Path(db), FixedClock(NOW))
    window = MainWindow(services, today=NOW.date())
    window.tabs.setCurrentIndex(0)
    window.resize(1280, 820)
    painted = _painted(window)
    result: dict[str, Any] = {"start_ms": (painted - started) * 1000}
    shown = window.count_label.text()
    while not window.ready:  # it loads the rest right after its first paint (``warm_up``)
        app.processEvents()
    result["ready_ms"] = (time.perf_counter() - started) * 1000

    def timed(action: Any) -> float:
        t0 = time.perf_counter()
        action()
        window.view.repaint()
        return (time.perf_counter() - t0) * 1000

    result["month_ms"] = [timed(lambda: window.step(1)) for _ in range(6)]
    window.tabs.setCurrentIndex(1)
    result["week_ms"] = [timed(lambda: window.step(1)) for _ in range(6)]
    window.tabs.setCurrentIndex(0)
    keys = [s.key for s in services.catalog.strands()]
    result["filter_ms"] = [
        timed(lambda k=k, on=on: window.sidebar.strands.set_ticked(k, on))
        for k in keys[:3]
        for on in (False, True)
    ]

    def type_and_search(text: str) -> None:
        window.find_panel.field.setText(text)
        window.find_panel.search()
        window.find_panel.results.repaint()

    result["find_ms"] = [timed(lambda t=t: type_and_search(t)) for t in FIND_TYPED]
    result["meetings_in_month"] = int(shown.rsplit(": ", 1)[1].split()[0].replace(",", ""))
    result["peak_mib"] = peak_mib()
    window.close()
    services.close()
    return result
