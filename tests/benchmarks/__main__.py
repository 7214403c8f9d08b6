"""Every speed and memory figure of Liaison Calendar, each against a baseline measured in the
same run. Run on purpose (pytest does not collect it):

    uv run python -m tests.benchmarks                       # 100,000 meetings, about 15 min
    uv run python -m tests.benchmarks --events 1000         # a smoke run (CI), about 1 min
    uv run python -m tests.benchmarks --only start,search   # some figures (or steps) only
    uv run python -m tests.benchmarks --sizes 1000,10000,100000 --json figures.json

Builds a realistic calendar of N meetings (``dataset``), then runs each step in fresh
processes (``bench_*``): peak memory then belongs to one step, and a cold start is cold.
Prints, per figure, the median of several runs with min and max, the baseline's median and
the ratio, the target and whether it is met, and the step's peak resident memory. With
several sizes, the slope of each figure over n. Nothing here asserts a time: the figures are
for people to read.
"""

import time

STARTED = time.perf_counter()  # a cold start is timed from here (``bench_ui``)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from tests.benchmarks.figures import (  # noqa: E402 - light: no app module is loaded
    Figure,
    Target,
    print_slopes,
    print_summary,
    print_table,
    write_json,
)

ROOT = Path(__file__).resolve().parents[2]
PUBLISH_AT = 10_000  # the publish target is set for a calendar of this size
REPORT_MEETINGS = 1_000  # the period report covers this many meetings
UI_RUNS = 5
RUNS = 3

STEPS = ("ui", "export", "import", "publish", "query", "print")
FIGURES = {
    "ui": ["start", "ready", "month_switch", "week_switch", "filter_change", "find_keystroke"],
    "export": ["export_cold", "export_warm"],
    "import": ["import"],
    "publish": ["publish_after_edit"],
    "query": ["range_query", "range_query_views", "search"],
    "print": ["agenda_pdf_first", "agenda_pdf", "period_report_pdf"],
}


# --- the steps, each run in a fresh process --------------------------------------------------


def _step(name: str, *args: str) -> dict[str, Any]:
    """Run ``name`` in a fresh process; what it measured."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks", "--step", name, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"benchmark step {name} failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _run_step(name: str, args: list[str]) -> None:
    """In the step's own process: run it and print its result as the last line. Only the
    step's own module is imported: a start is timed from the first line of the process."""
    import importlib

    module, function = {
        "bare": ("bench_ui", "step_bare"),
        "app": ("bench_ui", "step_app"),
        "export": ("bench_export", "step_export"),
        "publish": ("bench_export", "step_publish"),
        "icalendar": ("bench_import", "step_icalendar"),
        "import": ("bench_import", "step_import"),
        "query": ("bench_query", "step_query"),
        "print": ("bench_print", "step_print"),
    }[name]
    step: Callable[..., dict[str, Any]] = getattr(
        importlib.import_module(f"tests.benchmarks.{module}"), function
    )
    if module == "bench_ui":
        args = [STARTED, *args]  # type: ignore[list-item]
    print(json.dumps(step(*args)), flush=True)
    os._exit(0)  # no teardown of Qt objects at interpreter exit: nothing left to measure


# --- one calendar size ----------------------------------------------------------------------


@dataclass
class Options:
    n: int
    steps: set[str]
    figures: set[str] | None
    runs: int | None
    publish_n: int
    work: Path


def _progress(step: str) -> None:
    print(f"  measuring {step} ...", flush=True)


def _runs(options: Options, default: int) -> int:
    return options.runs or default


def _measure(options: Options) -> list[Figure]:
    from tests.benchmarks.dataset import build, period_with

    n, work = options.n, options.work
    figures: list[Figure] = []
    pristine = work / f"calendar-{n}.db"  # as built: nothing exported or stored yet
    began = time.perf_counter()
    build(pristine, n)
    print(f"\n=== {n:,} meetings (built in {time.perf_counter() - began:.1f} s) ===", flush=True)

    def fresh(name: str) -> Path:
        copy = work / f"{name}-{n}.db"
        shutil.copyfile(pristine, copy)
        return copy

    def medians(results: list[dict[str, Any]], key: str) -> list[float]:
        return [float(r[key]) for r in results]

    def flat(results: list[dict[str, Any]], key: str) -> list[float]:
        return [float(v) for r in results for v in r[key]]

    def peak(results: list[dict[str, Any]], key: str = "peak_mib") -> float:
        return max(float(r[key]) for r in results)

    if "ui" in options.steps:
        _progress("ui")
        db = fresh("ui")
        _step("app", str(db))  # once to warm the file cache, not counted
        bare, app = [], []
        for _ in range(_runs(options, UI_RUNS)):  # alternated: both see the same machine
            bare.append(_step("bare"))
            app.append(_step("app", str(db)))
        in_month = app[0]["meetings_in_month"]
        figures.append(
            Figure("start", "Cold start to the main window painted with the current month", n,
                   medians(app, "start_ms"), "ms", Target(ratio=1.2),
                   "bare QMainWindow painted, PySide6 and sqlmodel imported",
                   medians(bare, "start_ms"), peak(app),
                   f"{in_month:,} meetings in the month shown")
        )  # fmt: skip
        figures.append(
            Figure("ready", "... and everything else loaded (SQLAlchemy, every service)", n,
                   medians(app, "ready_ms"), "ms", None, None, [], peak(app))
        )  # fmt: skip
        for name, key, label in (
            ("month_switch", "month_ms", "Next month, queried and repainted"),
            ("week_switch", "week_ms", "Next week, queried and repainted"),
            ("filter_change", "filter_ms", "A strand ticked or unticked, repainted"),
            ("find_keystroke", "find_ms", "A search typed into Find, results shown"),
        ):
            figures.append(
                Figure(name, label, n, flat(app, key), "ms", Target(limit=50), None, [],
                       peak(app))
            )  # fmt: skip

    ics = work / f"calendar-{n}.ics"
    if options.steps & {"export", "import"}:
        _progress("export and import")
        exports, bases = [], []
        for _ in range(_runs(options, RUNS)):
            exports.append(_step("export", str(fresh("export")), str(ics)))
            bases.append(_step("icalendar", str(ics)))
        events = int(exports[0]["events"])
        to_ical = medians(bases, "to_ical_ms")
        rate = events / (sum(to_ical) / len(to_ical)) * 1000
        if "export" in options.steps:
            cold = medians(exports, "cold_ms")
            warm = flat(exports, "warm_ms")
            figures.append(
                Figure("export_cold", "Full export to a file, nothing stored yet (cold)", n,
                       cold, "ms", Target(ratio=1.0), "icalendar to_ical() of the same events",
                       to_ical, peak(exports),
                       f"{events / statistics.median(cold) * 1000:,.0f} events/s; icalendar "
                       f"{rate:,.0f} events/s; {exports[0]['file_mib']:.0f} MiB file")
            )  # fmt: skip
            figures.append(
                Figure("export_warm", "Full export to a file, every event stored (warm)", n,
                       warm, "ms", Target(ratio=0.05, text="ratio <= 0.05 (20x faster)"),
                       "icalendar to_ical() of the same events", to_ical, peak(exports),
                       f"{events / statistics.median(warm) * 1000:,.0f} events/s; "
                       f"{int(exports[0]['built_warm'])} events built again")
            )  # fmt: skip
        if "import" in options.steps:
            imports = []
            for i in range(_runs(options, RUNS)):
                target = work / f"import-{n}-{i}.db"
                imports.append(_step("import", str(ics), str(target)))
                target.unlink()
            took = medians(imports, "import_ms")
            added = int(imports[0]["events"])
            assert added == events, f"imported {added} of {events} events"
            figures.append(
                Figure("import", "Import of the exported file into an empty calendar", n,
                       took, "ms", Target(ratio=1.1, peak_mib=400),
                       "icalendar Calendar.from_ical of the same file",
                       medians(bases, "from_ical_ms"), peak(imports),
                       f"{added / statistics.median(took) * 1000:,.0f} events/s; peak is the "
                       f"importing process ({peak(imports, 'main_mib'):,.0f} MiB) plus the "
                       f"parsing one ({peak(imports, 'worker_mib'):,.0f} MiB), an upper bound; "
                       f"icalendar's peak {peak(bases, 'from_ical_peak_mib'):,.0f} MiB")
            )  # fmt: skip

    if "publish" in options.steps:
        _progress("publish")
        publish_n = options.publish_n
        db = work / f"publish-{publish_n}.db"
        if publish_n == n:
            shutil.copyfile(pristine, db)
        else:
            build(db, publish_n)
        result = _step("publish", str(db))
        figures.append(
            Figure("publish_after_edit", f"Publish of {result['feeds']} feeds after one edit",
                   publish_n, result["after_edit_ms"], "ms", Target(limit=200, at=PUBLISH_AT),
                   "the same publish with nothing changed", result["unchanged_ms"],
                   result["peak_mib"],
                   f"{max(result['rewritten'])} feeds at most written again per edit")
        )  # fmt: skip

    if "query" in options.steps:
        _progress("query")
        result = _step("query", str(fresh("query")))
        figures.append(
            Figure("range_query", "One month of occurrences through the service (read models)",
                   n, result["range_ms"], "ms", Target(ratio=2.0),
                   "raw sqlite3 query of the same rows", result["raw_ms"], result["peak_mib"],
                   f"{result['rows_per_month']:,.0f} rows, "
                   f"{result['occurrences_per_month']:,.0f} occurrences a month on average")
        )  # fmt: skip
        figures.append(
            Figure("range_query_views", "One month of occurrences as the views read them", n,
                   result["brief_ms"], "ms", Target(ratio=2.0),
                   "raw sqlite3 query of the same rows and columns", result["raw_brief_ms"],
                   result["peak_mib"])
        )  # fmt: skip
        figures.append(
            Figure("search", "Full-text search, the 50 best", n, result["search_ms"], "ms",
                   Target(limit=30), None, [], result["peak_mib"])
        )  # fmt: skip

    if "print" in options.steps:
        _progress("print")
        first, last = period_with(pristine, REPORT_MEETINGS)
        result = _step("print", str(fresh("print")), first.isoformat(), last.isoformat())
        figures.append(
            Figure("agenda_pdf_first", "Agenda PDF, the first of the process", n,
                   [result["agenda_first_ms"]], "ms", Target(limit=300), None, [],
                   result["peak_mib"], "loads the printing module too")
        )  # fmt: skip
        figures.append(
            Figure("agenda_pdf", "Agenda PDF once the app runs", n, result["agenda_ms"], "ms",
                   Target(limit=300), None, [], result["peak_mib"])
        )  # fmt: skip
        figures.append(
            Figure("period_report_pdf", f"Period report PDF, {first} to {last}", n,
                   result["report_ms"], "ms", Target(limit=3000), None, [], result["peak_mib"],
                   f"{result['held']:,} occurrences held, {result['pages']} pages")
        )  # fmt: skip

    for suffix in ("db", "ics"):
        for leftover in work.glob(f"*-{n}.{suffix}"):
            leftover.unlink()
    if options.figures is not None:
        figures = [f for f in figures if f.name in options.figures]
    return figures


def _compile_bytecode() -> None:
    """An installed app has its bytecode compiled; a checkout run with PYTHONDONTWRITEBYTECODE
    (as on these machines) would compile every module at every start."""
    import sysconfig

    import liaison_calendar

    folders = [sysconfig.get_paths()["purelib"], str(Path(liaison_calendar.__file__).parent)]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *folders],
        check=False,
        stdout=subprocess.DEVNULL,  # PySide6 ships templates that are not Python
        stderr=subprocess.DEVNULL,
    )


def _selection(only: str | None) -> tuple[set[str], set[str] | None]:
    """The steps to run and the figures to keep for ``--only`` (figure or step names)."""
    if not only:
        return set(STEPS), None
    names = {name.strip() for name in only.split(",") if name.strip()}
    known = set(STEPS) | {f for figs in FIGURES.values() for f in figs}
    unknown = names - known
    if unknown:
        raise SystemExit(
            f"unknown figure or step: {', '.join(sorted(unknown))} "
            f"(figures: {', '.join(f for figs in FIGURES.values() for f in figs)}; "
            f"steps: {', '.join(STEPS)})"
        )
    steps = {s for s in STEPS if s in names or names & set(FIGURES[s])}
    figures = {f for s in steps for f in FIGURES[s] if s in names or f in names}
    return steps, figures


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--events", type=int, default=100_000, help="meetings (default 100,000)")
    parser.add_argument(
        "--sizes", help="several sizes, comma-separated (e.g. 1000,10000,100000): prints slopes"
    )
    parser.add_argument("--only", help="figures or steps, comma-separated")
    parser.add_argument("--runs", type=int, help=f"processes per figure (default {RUNS}, "
                        f"{UI_RUNS} for starts)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="write the figures to this file as JSON")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        _run_step(args.step[0], args.step[1:])
        return

    steps, wanted = _selection(args.only)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.events]
    if any(size < 100 for size in sizes):
        raise SystemExit("a calendar needs at least 100 meetings here")
    if args.json is not None and not args.json.parent.is_dir():
        raise SystemExit(f"cannot write {args.json}: no folder {args.json.parent}")
    _compile_bytecode()
    figures = []
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as folder:
        for size in sizes:
            options = Options(
                n=size,
                steps=steps,
                figures=wanted,
                runs=args.runs,
                publish_n=size if len(sizes) > 1 else min(size, PUBLISH_AT),
                work=Path(folder),
            )
            measured = _measure(options)
            print_table(measured)
            figures.extend(measured)
    print_summary(figures)
    print_slopes(figures)
    if args.json is not None:
        write_json(figures, args.json)
        print(f"\nfigures written to {args.json}")


if __name__ == "__main__":
    main()
