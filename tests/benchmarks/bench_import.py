"""Import steps: icalendar's parser and serialiser on the exported file (the baselines of
import and export), and ``Services.importer`` of the same file into an empty calendar."""

import time
from pathlib import Path
from typing import Any

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.services.context import Services
from liaison_calendar.services.importer import ImportOptions
from tests.benchmarks.dataset import NOW, peak_mib


def step_icalendar(ics: str) -> dict[str, Any]:
    """``Calendar.from_ical`` of the file, then ``to_ical()`` of what it read."""
    import icalendar

    data = Path(ics).read_bytes()
    t0 = time.perf_counter()
    cal = icalendar.Calendar.from_ical(data)
    parse_ms = (time.perf_counter() - t0) * 1000
    parse_peak = peak_mib()
    events = len(cal.walk("VEVENT"))
    t1 = time.perf_counter()
    cal.to_ical()
    serialise_ms = (time.perf_counter() - t1) * 1000
    return {
        "events": events,
        "from_ical_ms": parse_ms,
        "from_ical_peak_mib": parse_peak,
        "to_ical_ms": serialise_ms,
        "peak_mib": peak_mib(),
    }


def step_import(ics: str, db: str) -> dict[str, Any]:
    from liaison_calendar.ical import reader

    workers: list[float] = []
    close = reader.Parser.__exit__

    def measured_close(self: reader.Parser, *exc: object) -> None:
        # The parsing process's own peak, read just before it is shut down.
        if self._pool is not None:
            workers.extend(peak_mib(pid) for pid in self._pool._processes or {})
        close(self, *exc)

    reader.Parser.__exit__ = measured_close  # type: ignore[method-assign]
    svc = Services.open(Path(db), FixedClock(NOW))
    svc.catalog.set_setting("import_limit_mb", 4096)
    t0 = time.perf_counter()
    report = svc.importer.import_files([Path(ics)], ImportOptions())
    elapsed_ms = (time.perf_counter() - t0) * 1000
    svc.close()
    main, worker = peak_mib(), max(workers, default=0.0)
    # The parsing process is forked from the importing one and shares much of its memory
    # (the interpreter, the modules): their sum is an upper bound of what the two use.
    return {
        "events": report.count("added"),
        "import_ms": elapsed_ms,
        "main_mib": main,
        "worker_mib": worker,
        "peak_mib": main + worker,
    }
