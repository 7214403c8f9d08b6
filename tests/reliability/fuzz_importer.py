"""Long hunts for hostile .ics files that break the importer (run on purpose, not by pytest).

    uv run python -m tests.reliability.fuzz_importer --inputs 20000
    uv run python -m tests.reliability.fuzz_importer --inputs 2000 --seed 7 --million

Every input is imported by the guarded importer of ``hostile.py`` (a second process, a time
limit per file, its peak memory measured, the calendar's content compared after a refusal):
the hostile files of issue 9 first (``--million``: with a million tiny events), then
``--inputs`` mutations of valid calendars and calendars hypothesis generates, a quarter of
them. It prints a tally (inputs tried, accepted, refused cleanly, failures), keeps every input
that failed in ``--keep`` with what went wrong, and exits with 1 on any failure.
"""

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.reliability import hostile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fuzz_importer", description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=5000, help="mutated and generated files")
    parser.add_argument("--seed", type=int, default=1, help="seed of the mutations")
    parser.add_argument("--million", action="store_true", help="hostile files of 10^6 events")
    parser.add_argument("--no-named", action="store_true", help="skip the hostile files")
    parser.add_argument("--cases", default="", help="only the hostile files whose name has this")
    parser.add_argument(
        "--keep",
        type=Path,
        default=Path(tempfile.gettempdir()) / "liaison-fuzz-failures",
        help="where to keep the inputs that failed (default: %(default)s)",
    )
    parser.add_argument("--time-limit", type=float, default=hostile.TIME_LIMIT_S)
    parser.add_argument(
        "--replay", type=Path, nargs="+", metavar="FILE", help="import these files only"
    )
    args = parser.parse_args(argv)

    tally: Counter[str] = Counter()
    peaks = {"importing": 0, "parsing": 0}
    slowest = (0.0, "")
    failures: list[hostile.Outcome] = []
    started = time.monotonic()

    with tempfile.TemporaryDirectory(prefix="liaison-fuzz-") as tmp:
        work = Path(tmp)
        target = work / "input.ics"

        def judge(outcome: hostile.Outcome, data: bytes | None, path: Path = target) -> None:
            nonlocal slowest
            tally["tried"] += 1
            tally[outcome.verdict if outcome.ok else "failures"] += 1
            peaks["importing"] = max(peaks["importing"], outcome.peak_kb)
            peaks["parsing"] = max(peaks["parsing"], outcome.worker_peak_kb)
            slowest = max(slowest, (outcome.seconds, outcome.name))
            if not outcome.ok:
                failures.append(outcome)
                args.keep.mkdir(parents=True, exist_ok=True)
                stem = f"{len(failures):04d}"
                if data is not None:
                    (args.keep / f"{stem}.ics").write_bytes(data)
                (args.keep / f"{stem}.txt").write_text(
                    f"{outcome.name}\n{outcome.verdict} {outcome.error}\n"
                    + "\n".join(outcome.problems)
                    + f"\n\n{outcome.message}\n"
                )
                print(f"FAILURE {outcome.name}: {outcome.problems[0][:300]}", flush=True)
            if tally["tried"] % 500 == 0:
                print(f"... {dict(tally)} in {time.monotonic() - started:.0f} s", flush=True)

        with hostile.GuardedImporter(work / "worker") as guarded:
            for path in args.replay or []:
                outcome = guarded.run(path, time_limit=args.time_limit)
                print(f"{path}: {outcome.verdict} {outcome.error} {outcome.message[:300]}")
                judge(outcome, None, path)
            if args.replay:
                args.no_named, args.inputs = True, 0
            if not args.no_named:
                volume = 1_000_000 if args.million else 100_000
                for case in hostile.named_cases(volume, volume, calendars=volume // 10):
                    if args.cases not in case.name:
                        continue
                    path = case.write(work / "named.ics")
                    size = path.stat().st_size
                    outcome = guarded.run(
                        path,
                        name=case.name,
                        time_limit=case.time_limit,
                        events=case.events,
                        # above the 50 MB limit: raised for the file (a million events is 66 MB)
                        limit_mb=2 * size // 2**20 if size > 50 * 2**20 else None,
                    )
                    print(
                        f"{case.name:45} {outcome.verdict:9} {outcome.seconds:7.2f} s "
                        f"{outcome.peak_kb // 1024:5} MiB {size / 2**20:8.1f} MB",
                        flush=True,
                    )
                    judge(outcome, path.read_bytes() if size < 2**24 else None, path)

            seeds = hostile.case_seeds() + [("demo", guarded.demo)]
            mutated = args.inputs - args.inputs // 4
            for n, mutant in enumerate(hostile.mutants(seeds, mutated, args.seed)):
                target.write_bytes(mutant.data)
                outcome = guarded.run(
                    target, name=mutant.name, time_limit=args.time_limit, **_options(n)
                )
                judge(outcome, mutant.data)

            generated = args.inputs // 4
            for n, data in enumerate(_generated(generated, args.seed)):
                target.write_bytes(data)
                outcome = guarded.run(
                    target, name=f"generated#{n}", time_limit=args.time_limit, **_options(n)
                )
                judge(outcome, data)

    minutes = (time.monotonic() - started) / 60
    print(
        json.dumps(
            {
                "inputs tried": tally["tried"],
                "accepted": tally["accepted"],
                "refused cleanly": tally["refused"],
                "failures": tally["failures"],
                "peak MiB importing": peaks["importing"] // 1024,
                "peak MiB parsing process": peaks["parsing"] // 1024,
                "slowest": f"{slowest[1]} {slowest[0]:.1f} s",
                "time limit s": args.time_limit,
                "minutes": round(minutes, 1),
            },
            indent=2,
        )
    )
    if failures:
        print(f"{len(failures)} failures; inputs and reasons in {args.keep}/", file=sys.stderr)
    return 1 if failures else 0


def _options(n: int) -> dict[str, Any]:
    """Mostly the default (abort), every tenth input with --on-error skip, every tenth a dry
    run."""
    if n % 10 == 3:
        return {"on_error": "skip"}
    if n % 10 == 7:
        return {"dry_run": True}
    return {}


def _generated(count: int, seed: int) -> list[bytes]:
    """``count`` calendars from the hypothesis strategy of the test, reproducible by seed."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hypothesis_seed

    found: list[bytes] = []
    if count <= 0:
        return found

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(hostile.calendars())
    def collect(data: bytes) -> None:
        found.append(data)

    collect()
    return found[:count]


if __name__ == "__main__":
    sys.exit(main())
