"""Printing speed: an agenda PDF once the app runs, and a period report over 1,000 meetings.

Run on purpose (pytest does not collect it):

    uv run python -m tests.benchmarks.bench_print            # 1,000 meetings
    uv run python -m tests.benchmarks.bench_print --quick    # 200, a smoke run

Targets of issue 6: an agenda PDF <= 300 ms after the app has started (services open, Qt up,
the printing module loaded by a first print); a period report PDF over 1,000 meetings <= 3 s.
Both are timed from the service call to the PDF renamed into place, as a user waits for them:
gathering, laying out, painting every page, writing. The first agenda of a fresh process (which
also imports the printing module) is printed as well. Medians of several runs, min and max.
"""

import argparse
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from tests.benchmarks.bench_export import NOW, build, peak_mib

RUNS = 7


def _timed(action: object, runs: int = RUNS) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - began) * 1000)
    return times


def _line(label: str, times: list[float], target: float, unit: str = "ms") -> None:
    median = statistics.median(times)
    met = "met" if median <= target else "NOT met"
    print(
        f"  {label:<46}{median:>8,.0f} {unit} (min {min(times):,.0f}, max {max(times):,.0f})"
        f"  target <= {target:,.0f} {unit}: {met}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 meetings")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    count = 200 if args.quick else 1_000
    work = Path(tempfile.mkdtemp(prefix="liaison-bench-print-"))
    db = work / "calendar.db"
    build(db, count)

    from liaison_calendar.domain.clock import FixedClock
    from liaison_calendar.services.context import Services
    from liaison_calendar.ui.app import application

    application()
    services = Services.open(db, FixedClock(NOW))
    services.load_all()  # the app loads every service right after its first paint
    meeting_id = 1  # every built meeting has participants and an agenda
    out = work / "out"
    out.mkdir()

    def agenda() -> None:
        from liaison_calendar.ui import printing

        printing.write_pdf(services.reports.agenda(meeting_id), out / "agenda.pdf")

    first = _timed(agenda, 1)
    warm = _timed(agenda)
    first_day, last_day = date(2023, 1, 1), date(2027, 12, 31)
    data = services.reports.period(first_day, last_day)
    occurrences = len(data.held)

    def report() -> None:
        from liaison_calendar.reports.period import period_report
        from liaison_calendar.ui import printing

        document = period_report(services.reports.period(first_day, last_day))
        report.pages = printing.write_pdf(document, out / "report.pdf")  # type: ignore[attr-defined]

    reports = _timed(report, 3)
    print(f"calendar: {count:,} meetings ({occurrences:,} occurrences in the report)")
    _line("agenda PDF, first in the process", first, 300)
    _line("agenda PDF, once the app runs", warm, 300)
    pages = report.pages  # type: ignore[attr-defined]
    _line(f"period report PDF ({pages} pages)", reports, 3000)
    print(f"  peak memory {peak_mib():,.0f} MiB")
    services.close()


if __name__ == "__main__":
    main()
