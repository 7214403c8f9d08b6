"""Printing step: an agenda PDF once the app runs, and a period report over 1,000 meetings.

Both are timed from the service call to the PDF renamed into place, as a user waits for them:
gathering, laying out, painting every page, writing. The first agenda of the process (which
also imports the printing module) is timed apart.
"""

import os
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from tests.benchmarks.dataset import NOW, peak_mib


def step_print(db: str, first_day: str, last_day: str) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from liaison_calendar.domain.clock import FixedClock
    from liaison_calendar.services.context import Services
    from liaison_calendar.ui.app import application

    application()
    services = Services.open(Path(db), FixedClock(NOW))
    services.load_all()  # the app loads every service right after its first paint
    out = Path(tempfile.mkdtemp(prefix="liaison-bench-print-"))
    first, last = date.fromisoformat(first_day), date.fromisoformat(last_day)

    def agenda(meeting_id: int) -> float:
        from liaison_calendar.ui import printing

        t0 = time.perf_counter()
        printing.write_pdf(services.reports.agenda(meeting_id), out / "agenda.pdf")
        return (time.perf_counter() - t0) * 1000

    pages = 0

    def report() -> float:
        nonlocal pages
        from liaison_calendar.reports.period import period_report
        from liaison_calendar.ui import printing

        t0 = time.perf_counter()
        document = period_report(services.reports.period(first, last))
        pages = printing.write_pdf(document, out / "report.pdf")
        return (time.perf_counter() - t0) * 1000

    # Every built meeting has participants and an agenda; a few different ones are printed.
    first_ms = agenda(1)
    agenda_ms = [agenda(meeting_id) for meeting_id in (2, 3, 5, 8, 13, 21, 34)]
    report_ms = [report() for _ in range(3)]
    held = len(services.reports.period(first, last).held)
    services.close()
    return {
        "agenda_first_ms": first_ms,
        "agenda_ms": agenda_ms,
        "report_ms": report_ms,
        "pages": pages,
        "held": held,
        "peak_mib": peak_mib(),
    }
