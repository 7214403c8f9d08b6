"""Desktop app speed on a 100,000-meeting calendar, against a bare window timed in the same run.

Run on purpose (pytest does not collect it):

    uv run python -m tests.benchmarks.bench_ui            # 100,000 meetings
    uv run python -m tests.benchmarks.bench_ui --quick    # 10,000, a smoke run

Each start is a fresh process on the offscreen platform, timed from the first line of the
process to the end of the window's first paint. The app paints its first month with plain
sqlite3 reads and loads SQLAlchemy and the writing services right after (``ready``, printed
too); the interactions are timed once that is done. The baseline imports PySide6 and
sqlmodel and paints an empty QMainWindow; ours opens the calendar and paints the current
month with its meetings.
Then, in the app: the next month, the week view, a filter change and typing in Find, each
timed until the view has repainted. Targets of issue 5: start <= 1.2x the baseline; each
interaction <= 50 ms. Medians of several runs are printed.
"""

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

RUNS = 5
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # as bench_export's, which loads far more


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


def step_bare() -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import sqlmodel  # noqa: F401
    from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setCentralWidget(QWidget())
    window.resize(1280, 820)
    painted = _painted(window)
    del app
    return {"start_ms": (painted - STARTED) * 1000}


def step_app(db: str) -> dict[str, float]:
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
    result = {"start_ms": (painted - STARTED) * 1000}
    shown = window.count_label.text()
    while not window.ready:  # it loads the rest right after its first paint (``warm_up``)
        app.processEvents()
    result["ready_ms"] = (time.perf_counter() - STARTED) * 1000

    def timed(action: object) -> float:
        t0 = time.perf_counter()
        action()  # type: ignore[operator]
        window.view.repaint()
        return (time.perf_counter() - t0) * 1000

    result["next_month_ms"] = statistics.median(timed(lambda: window.step(1)) for _ in range(6))
    window.tabs.setCurrentIndex(1)
    result["next_week_ms"] = statistics.median(timed(lambda: window.step(1)) for _ in range(6))
    window.tabs.setCurrentIndex(0)
    keys = [s.key for s in services.catalog.strands()]
    result["filter_ms"] = statistics.median(
        timed(lambda k=k, on=on: window.sidebar.strands.set_ticked(k, on))
        for k in keys[:3]
        for on in (False, True)
    )

    def type_and_search(text: str) -> None:
        window.find_panel.field.setText(text)
        window.find_panel.search()
        window.find_panel.results.repaint()

    result["find_ms"] = statistics.median(
        timed(lambda t=t: type_and_search(t)) for t in ("S", "St", "Str", "Stru", "Cyber", "Kyiv")
    )
    result["meetings_in_month"] = float(shown.rsplit(": ", 1)[1].split()[0])
    window.close()
    services.close()
    return result


def _child(*args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.bench_ui", "--step", *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 meetings")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step, *rest = args.step
        print(json.dumps(step_bare() if step == "bare" else step_app(rest[0])), flush=True)
        os._exit(0)  # no teardown of Qt objects at interpreter exit: nothing left to measure
    # An installed app has its bytecode compiled; a checkout run with PYTHONDONTWRITEBYTECODE
    # (as on these machines) would compile every module at every start.
    import sysconfig

    import liaison_calendar
    from tests.benchmarks.bench_export import build

    folders = [sysconfig.get_paths()["purelib"], str(Path(liaison_calendar.__file__).parent)]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *folders],
        check=False,
        stdout=subprocess.DEVNULL,  # PySide6 ships templates that are not Python
        stderr=subprocess.DEVNULL,
    )
    count = 10_000 if args.quick else 100_000
    work = Path(tempfile.mkdtemp(prefix="liaison-bench-ui-"))
    db = work / "calendar.db"
    build(db, count)
    print(f"calendar: {count:,} meetings")
    _child("app", str(db))  # once to warm the file cache, not counted
    bare = [_child("bare")["start_ms"] for _ in range(RUNS)]
    ours = [_child("app", str(db)) for _ in range(RUNS)]
    base = statistics.median(bare)
    start = statistics.median(r["start_ms"] for r in ours)
    print(f"  bare QMainWindow painted (PySide6 + sqlmodel imported)  {base:>7,.0f} ms  (baseline)")
    print(f"  main window painted with the current month             {start:>7,.0f} ms"
          f"  ratio {start / base:.2f} (target <= 1.2)")  # fmt: skip
    ready = statistics.median(r["ready_ms"] for r in ours)
    print(f"  ... and the rest loaded (SQLAlchemy, every service)    {ready:>7,.0f} ms")
    for key, label in (
        ("next_month_ms", "next month, repainted"),
        ("next_week_ms", "next week, repainted"),
        ("filter_ms", "strand filter changed, repainted"),
        ("find_ms", "a keystroke in Find, results shown"),
    ):
        value = statistics.median(r[key] for r in ours)
        print(f"  {label:<55}{value:>7,.1f} ms  (target <= 50)")


if __name__ == "__main__":
    main()
