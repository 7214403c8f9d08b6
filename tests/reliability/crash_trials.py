"""Crash trials: kill a working Liaison Calendar process with SIGKILL at a random moment, then
check that nothing acknowledged was lost and nothing was left half done.

Run on purpose (the default test run has a short version, ``test_crash_trials``):

    uv run python -m tests.reliability.crash_trials                  # 100 trials per mode
    uv run python -m tests.reliability.crash_trials --trials 10 --modes edits,publish

Modes:
- ``import``: ``liaison import`` of a 20,000-event file into a calendar that already holds
  meetings. After the kill the calendar holds either all of the file or none of it.
- ``publish``: a process that edits a meeting and publishes 20 feeds, in a loop, printing
  each publish once it returned. After the kill every ``.ics`` file in the folder is a whole
  calendar that parses (the old one or the new one, never half), and the next publish works.
- ``edits``: a process that creates and edits meetings through the services, printing each
  change once the call returned. After the kill every printed change is in the calendar.

After every kill, for every mode: ``PRAGMA integrity_check`` is ok, the app opens the file,
and no process of the killed one is left running (the importer's parsing process must end
with it). Prints a tally per mode; exits 1 if any trial failed.
"""

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODES = ("import", "publish", "edits")


@dataclass
class Tally:
    trials: int = 0
    failures: list[str] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


# --- the working processes --------------------------------------------------------------------


def _child_publish(db: str, folder: str) -> None:
    """Edit a meeting, publish every feed; print each publish once it returned."""
    from liaison_calendar.domain.clock import SystemClock
    from liaison_calendar.domain.models import MeetingPatch
    from liaison_calendar.services.context import Services

    svc = Services.open(Path(db), SystemClock())
    ids = [o.meeting.id for o in svc.queries.occurrences() if not o.meeting.rrule][:50]
    for i in range(1_000_000):
        svc.meetings.edit(ids[i % len(ids)], MeetingPatch(location=f"Room {i}"))
        svc.feeds.publish(Path(folder))
        print(f"published {i}", flush=True)


def _child_edits(db: str) -> None:
    """Create a meeting or change one; print each change once the call returned."""
    from datetime import datetime, timedelta

    from liaison_calendar.domain.clock import SystemClock
    from liaison_calendar.domain.models import MeetingDraft, MeetingPatch
    from liaison_calendar.services.context import Services

    svc = Services.open(Path(db), SystemClock())
    made: list[int] = []
    first = datetime(2027, 3, 1, 9, 0)
    for i in range(1_000_000):
        if i % 4 == 0 or not made:
            start = first + timedelta(hours=i)
            meeting = svc.meetings.create(
                MeetingDraft(title=f"Trial {i}", start=start, end=start + timedelta(hours=1))
            )
            made.append(meeting.id)
            print(f"created {meeting.id} {i}", flush=True)
        else:
            mid = made[i % len(made)]
            svc.meetings.edit(mid, MeetingPatch(title=f"Trial {i}"))
            print(f"edited {mid} {i}", flush=True)


# --- one trial ---------------------------------------------------------------------------------


def _integrity(db: Path) -> str:
    with closing(sqlite3.connect(db)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _count(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM meeting").fetchone()[0])


def _opens(db: Path) -> str | None:
    """None if the app opens the file and reads it; else why not."""
    from liaison_calendar.domain.clock import SystemClock
    from liaison_calendar.services.context import Services

    try:
        svc = Services.open(db, SystemClock())
        try:
            svc.queries.is_empty()
        finally:
            svc.close()
    except Exception as exc:  # noqa: BLE001 - any error is the finding
        return f"the app cannot open it: {type(exc).__name__}: {exc}"
    return None


def _survivors(group: int, wait_s: float = 5.0) -> bool:
    """Whether processes of ``group`` still run ``wait_s`` after its leader was killed (they
    are then killed, so that trials do not pile up)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.05)
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def _kill_at_random(command: list[str], delay: float) -> tuple[str, bool]:
    """Start ``command`` in a group of its own, SIGKILL its first process after ``delay``
    seconds (or let it finish); its output, and whether any of its processes outlived it."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)  # the leader only, as a crash would
            proc.wait()
        orphans = _survivors(proc.pid)
        out.seek(0)
        return out.read().decode("utf-8", "replace"), orphans


def _liaison(*args: str) -> list[str]:
    return [sys.executable, "-m", "liaison_calendar", *args]


def _cli(command: list[str]) -> None:
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)


def _child(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.reliability.crash_trials", "--child", *args]


@dataclass
class Setup:
    work: Path
    template: Path  # a calendar with meetings and feeds, never written by a trial
    ics: Path  # the file the import trials import
    added: int  # meetings a complete import adds
    import_s: float  # how long a complete import takes here


def prepare(work: Path, events: int) -> Setup:
    """The template calendar and the import file, and how long the work takes here."""
    from tests.benchmarks.dataset import build

    template = work / "template.db"
    _cli(_liaison("demo", "--db", str(template)))
    source = work / "source.db"
    build(source, events)
    ics = work / "import.ics"
    _cli(_liaison("export", "--db", str(source), "--release", "restricted", "-o", str(ics)))
    calibrate = work / "calibrate.db"
    shutil.copyfile(template, calibrate)
    before = _count(calibrate)
    began = time.monotonic()
    _cli(_liaison("import", "--db", str(calibrate), str(ics)))
    import_s = time.monotonic() - began
    added = _count(calibrate) - before
    _remove(calibrate)
    return Setup(work, template, ics, added, import_s)


def trial_import(
    setup: Setup, rng: random.Random, n: int, at: float | None = None
) -> tuple[str, str | None]:
    """Kill an import after a random time (or ``at`` times as long as a whole import)."""
    db = setup.work / f"import-{n}.db"
    shutil.copyfile(setup.template, db)
    before = _count(db)
    delay = rng.uniform(0.05, setup.import_s * 1.1) if at is None else setup.import_s * at
    out, orphans = _kill_at_random(_liaison("import", "--db", str(db), str(setup.ics)), delay)
    try:
        if (check := _integrity(db)) != "ok":
            return "corrupt", f"integrity_check after {delay:.2f} s: {check}"
        after = _count(db)
        if orphans:
            return "orphans", f"a process of the import outlived it (killed after {delay:.2f} s)"
        if after == before:
            outcome = "nothing"
        elif after == before + setup.added:
            outcome = "everything"
        else:
            return "partial", f"{after - before} of {setup.added} meetings after {delay:.2f} s"
        if (why := _opens(db)) is not None:
            return "unopenable", why
        return outcome, None
    finally:
        _remove(db)
        del out


def trial_publish(setup: Setup, rng: random.Random, n: int) -> tuple[str, str | None]:
    import icalendar

    db = setup.work / f"publish-{n}.db"
    folder = setup.work / f"feeds-{n}"
    folder.mkdir()
    shutil.copyfile(setup.template, db)
    delay = rng.uniform(0.8, 4.0)  # it starts in about a second, then publishes often
    out, orphans = _kill_at_random(_child("publish", str(db), str(folder)), delay)
    try:
        if (check := _integrity(db)) != "ok":
            return "corrupt", f"integrity_check: {check}"
        if orphans:
            return "orphans", "a process of the publisher outlived it"
        feeds = sorted(folder.glob("*.ics"))
        for feed in feeds:
            data = feed.read_bytes()
            if not data.rstrip().endswith(b"END:VCALENDAR"):
                return "half", f"{feed.name} ends with {data[-40:]!r}"
            try:
                icalendar.Calendar.from_ical(data)
            except ValueError as exc:
                return "half", f"{feed.name} does not parse: {exc}"
        if (why := _opens(db)) is not None:
            return "unopenable", why
        again = subprocess.run(
            _liaison("publish", "--db", str(db), str(folder)),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if again.returncode != 0:
            return "stuck", f"the next publish failed: {again.stderr.strip()}"
        if left := sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp")):
            return "litter", f"the next publish left the killed one's temp files: {left}"
        return ("before any feed" if not feeds else "feeds whole"), None
    finally:
        _remove(db)
        shutil.rmtree(folder, ignore_errors=True)
        del out


def trial_edits(setup: Setup, rng: random.Random, n: int) -> tuple[str, str | None]:
    db = setup.work / f"edits-{n}.db"
    shutil.copyfile(setup.template, db)
    delay = rng.uniform(0.8, 4.0)  # it starts in about a second, then edits often
    out, orphans = _kill_at_random(_child("edits", str(db)), delay)
    try:
        if (check := _integrity(db)) != "ok":
            return "corrupt", f"integrity_check: {check}"
        if orphans:
            return "orphans", "a process of the editor outlived it"
        acknowledged: dict[int, int] = {}  # meeting id -> the last step printed for it
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] in ("created", "edited"):
                acknowledged[int(parts[1])] = int(parts[2])
        with closing(sqlite3.connect(db)) as conn:
            titles = dict(conn.execute("SELECT id, title FROM meeting WHERE title LIKE 'Trial %'"))
        for mid, step in acknowledged.items():
            title = titles.get(mid)
            if title is None:
                return "lost", f"meeting #{mid}, acknowledged at step {step}, is gone"
            # Later steps may have been written before the kill without being printed.
            if int(title.split()[1]) < step:
                return "lost", f"meeting #{mid} is at '{title}', step {step} was acknowledged"
        if (why := _opens(db)) is not None:
            return "unopenable", why
        return f"{len(acknowledged) and 'changes kept' or 'killed before a change'}", None
    finally:
        _remove(db)
        del out


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    for backup in db.parent.glob(f"{db.name}.*"):
        backup.unlink()


TRIALS: dict[str, Callable[[Setup, random.Random, int], tuple[str, str | None]]] = {
    "import": trial_import,
    "publish": trial_publish,
    "edits": trial_edits,
}


def run(
    modes: list[str], trials: int, events: int, seed: int, work: Path, say: Callable[[str], None]
) -> dict[str, Tally]:
    setup = prepare(work, events)
    say(f"import file: {setup.added:,} meetings; a full import takes {setup.import_s:.1f} s")
    rng = random.Random(seed)
    tallies = {}
    for mode in modes:
        tally = tallies[mode] = Tally()
        for n in range(trials):
            outcome, failure = TRIALS[mode](setup, rng, n)
            tally.trials += 1
            tally.count(outcome)
            if failure is not None:
                tally.failures.append(f"trial {n}: {outcome}: {failure}")
                say(f"  {mode} trial {n}: FAILED: {outcome}: {failure}")
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(tally.outcomes.items()))
        say(f"{mode}: {tally.trials} trials, {len(tally.failures)} failed ({outcomes})")
    return tallies


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--trials", type=int, default=100, help="trials per mode (100)")
    parser.add_argument("--modes", default=",".join(MODES), help="import,publish,edits")
    parser.add_argument("--events", type=int, default=20_000, help="events in the import file")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, help="write the tally to this file")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        (_child_publish if kind == "publish" else _child_edits)(*rest)
        return
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if unknown := set(modes) - set(MODES):
        names = ", ".join(sorted(unknown))
        raise SystemExit(f"unknown mode: {names} (modes: {', '.join(MODES)})")
    with tempfile.TemporaryDirectory(prefix="liaison-crash-") as folder:
        tallies = run(modes, args.trials, args.events, args.seed, Path(folder), print)
    failed = sum(len(t.failures) for t in tallies.values())
    if args.json:
        args.json.write_text(json.dumps({m: vars(t) for m, t in tallies.items()}, indent=2))
    print(f"\n{sum(t.trials for t in tallies.values())} trials, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
