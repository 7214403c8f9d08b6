"""Import speed and memory against icalendar parsing the same file, measured in the same run.

Run on purpose (pytest does not collect it):

    uv run python -m tests.benchmarks.bench_import            # 100,000 events
    uv run python -m tests.benchmarks.bench_import --quick    # 5,000 events, a smoke run

Prints events/s and peak MiB of icalendar's ``Calendar.from_ical`` on the file (the baseline)
and of ``liaison import`` into an empty calendar, each in its own process, with the ratio.
Targets of issue 4: ratio >= 0.9, >= 10x khal's 270 events/s, peak <= 400 MiB.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.enums import ReleaseLevel
from liaison_calendar.services.context import Services
from liaison_calendar.services.feeds import ExportScope
from liaison_calendar.services.importer import ImportOptions
from tests.benchmarks.bench_export import NOW, build, peak_mib

KHAL_EVENTS_PER_S = 270  # measured on these machines, see issue 4


def step_icalendar(path: Path) -> dict[str, float]:
    import icalendar

    data = path.read_bytes()
    t0 = time.perf_counter()
    cal = icalendar.Calendar.from_ical(data)
    elapsed = time.perf_counter() - t0
    return {"events": len(cal.walk("VEVENT")), "seconds": elapsed, "peak_mib": peak_mib()}


def step_import(path: Path, db: Path) -> dict[str, float]:
    from liaison_calendar.ical import reader

    workers: list[float] = []
    close = reader.Parser.__exit__

    def measured_close(self: reader.Parser, *exc: object) -> None:
        # The parsing process's own peak, read just before it is shut down.
        if self._pool is not None:
            workers.extend(peak_mib(pid) for pid in self._pool._processes or {})
        close(self, *exc)

    reader.Parser.__exit__ = measured_close  # type: ignore[method-assign]
    svc = Services.open(db, FixedClock(NOW))
    svc.catalog.set_setting("import_limit_mb", 4096)
    t0 = time.perf_counter()
    report = svc.importer.import_files([path], ImportOptions())
    elapsed = time.perf_counter() - t0
    svc.close()
    worker = max(workers, default=0.0)
    return {
        "events": report.count("added"),
        "seconds": elapsed,
        "peak_mib": peak_mib(),
        "worker_mib": worker,
    }


def _child(*args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.bench_import", "--step", *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 events, a smoke run")
    parser.add_argument("--events", type=int, help="meetings in the file")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step, *paths = args.step
        if step == "icalendar":
            result = step_icalendar(Path(paths[0]))
        else:
            result = step_import(Path(paths[0]), Path(paths[1]))
        print(json.dumps(result))
        return
    count = args.events or (5_000 if args.quick else 100_000)
    work = Path(tempfile.mkdtemp(prefix="liaison-bench-import-"))
    build(work / "source.db", count)
    svc = Services.open(work / "source.db", FixedClock(NOW))
    ics = work / "calendar.ics"
    svc.feeds.export_file(ics, ExportScope(release_level=ReleaseLevel.RESTRICTED))
    svc.close()
    size = ics.stat().st_size / 2**20
    print(f"file: {count:,} events, {size:.0f} MiB")
    base = _child("icalendar", str(ics))
    ours = _child("import", str(ics), str(work / "target.db"))
    base_rate = base["events"] / base["seconds"]
    rate = ours["events"] / ours["seconds"]
    print(f"  icalendar from_ical  {base_rate:>10,.0f} events/s  {base['peak_mib']:>6,.0f} MiB"
          "  (baseline, same run)")  # fmt: skip
    print(f"  liaison import       {rate:>10,.0f} events/s  {ours['peak_mib']:>6,.0f} MiB"
          f"  ratio {rate / base_rate:.2f} (target >= 0.9), {rate / KHAL_EVENTS_PER_S:.1f}x khal"
          " (target >= 10), peak target <= 400 MiB")  # fmt: skip
    # The parsing process is forked from the importing one: much of its memory is shared
    # with it (the interpreter and the modules), so the sum overstates what the two use.
    both = ours["peak_mib"] + ours["worker_mib"]
    print(f"  parsing process      {'':>10}           {ours['worker_mib']:>6,.0f} MiB"
          f"  (main + worker, an upper bound: {both:,.0f} MiB)")  # fmt: skip


if __name__ == "__main__":
    main()
