"""Export and publish speed and memory, each against a baseline measured in the same run.

Run on purpose (pytest does not collect it):

    uv run python -m tests.benchmarks.bench_export            # 100,000 and 10,000 meetings
    uv run python -m tests.benchmarks.bench_export --quick    # 10,000 and 2,000, a smoke run

Prints, with the targets of issue 3:
- cold export (nothing stored yet) in events/s, against icalendar's own ``to_ical()`` of the
  same components in events/s (target: ratio >= 1);
- warm export (every VEVENT stored) in events/s (target >= 100,000);
- peak memory of a process doing a cold and a warm export (target <= 300 MiB);
- publish of 20 feeds after one edit (target <= 200 ms), against a publish with nothing
  changed as the baseline.
Each measured step runs in its own process so that peak memory belongs to that step alone.
"""

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.models import FeedDraft, MeetingFilter, MeetingPatch
from liaison_calendar.services.context import Services
from liaison_calendar.services.feeds import ExportScope

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
ZONES = ["Europe/Brussels"] * 8 + ["Europe/Kyiv", "Asia/Tbilisi"]
PARTNERS = ["Ukraine", "Moldova", "Georgia", "Bosnia and Herzegovina", "Jordan", "Tunisia"]
TITLES = [
    "Structured Dialogue on Cyber",
    "Structured Dialogue on Military Mobility",
    "Operational cooperation talks",
    "Cross-briefing on countering hybrid threats",
    "Staff talks on capacity building",
]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build(path: Path, meetings: int) -> None:
    """A calendar of ``meetings`` realistic meetings, written straight into the tables."""
    Services.open(path, FixedClock(NOW)).close()
    rng = random.Random(7)
    conn = sqlite3.connect(path)
    strands = [r[0] for r in conn.execute("SELECT id FROM strand")]
    kinds = [r[0] for r in conn.execute("SELECT id FROM kind")]
    conn.executemany("INSERT INTO partner (name) VALUES (?)", [(p,) for p in PARTNERS])
    partners = [r[0] for r in conn.execute("SELECT id FROM partner")]
    conn.execute("INSERT INTO organisation (name, side) VALUES ('EEAS', 'eu')")
    created = _stamp(NOW - timedelta(days=400))
    rows, strand_links, partner_links, people, agenda = [], [], [], [], []
    for i in range(1, meetings + 1):
        start = datetime(2023, 1, 2, 7, 0, tzinfo=UTC) + timedelta(
            days=rng.randrange(0, 5 * 365), hours=rng.randrange(0, 9)
        )
        end = start + timedelta(hours=rng.choice([1, 2, 3]))
        recurring = i % 50 == 0
        rows.append(
            (
                i, f"bench-{i:06d}@liaison-calendar", rng.randrange(0, 3),
                f"{rng.choice(TITLES)} #{i}", rng.choice(kinds), _stamp(start), _stamp(end),
                rng.choice(ZONES), "NATO HQ, Boulevard Léopold III, Brussels",
                "Progress on the common proposals; next steps agreed by both staffs. " * 2,
                "FREQ=WEEKLY;COUNT=10" if recurring else None,
                _stamp(start + timedelta(weeks=9) + (end - start)) if recurring else None,
                created, created,
            )
        )  # fmt: skip
        strand_links.append((i, rng.choice(strands)))
        partner_links.append((i, rng.choice(partners)))
        for n in range(3):
            people.append((i, n, f"Participant {n} of {i}", 1, "eu", "expert", f"p{n}.{i}@x.eu"))
            agenda.append((i, n, f"Agenda item {n}", "EEAS", 30, ""))
    conn.executemany(
        "INSERT INTO meeting (id, uid, sequence, title, kind_id, start_utc, end_utc, tz, "
        "all_day, floating, location, mode, lead_side, status, marking, release_level, "
        "description, outcomes, rrule, exdates, until_utc, created, modified) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, 'in-person', 'co-chaired', 'confirmed', "
        "'EU-NATO STAFF ONLY', 'staff', ?, '', ?, '[]', ?, ?, ?)",
        rows,
    )
    conn.executemany("INSERT INTO meeting_strand VALUES (?, ?)", strand_links)
    conn.executemany("INSERT INTO meeting_partner VALUES (?, ?)", partner_links)
    conn.executemany(
        "INSERT INTO participant (meeting_id, position, name, organisation_id, side, role, "
        "email) VALUES (?, ?, ?, ?, ?, ?, ?)",
        people,
    )
    conn.executemany(
        "INSERT INTO agenda_item (meeting_id, position, title, lead, duration_min, notes) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        agenda,
    )
    conn.commit()
    conn.close()


def peak_mib(pid: int | str = "self") -> float:
    """Peak resident memory of a process (this one by default).

    Linux's VmHWM belongs to the address space, so it starts afresh when a benchmark step is
    exec'd; ru_maxrss does not (it keeps the peak of the process that started the step).
    """
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_export(path: Path) -> dict[str, float]:
    """Cold then warm export to a file, in this process."""
    svc = Services.open(path, FixedClock(NOW))
    out = Path(tempfile.mkdtemp()) / "all.ics"
    t0 = time.perf_counter()
    cold = svc.feeds.export_file(out, ExportScope())
    cold_s = time.perf_counter() - t0
    warm_runs = []
    for _ in range(3):
        t1 = time.perf_counter()
        warm = svc.feeds.export_file(out, ExportScope())
        warm_runs.append(time.perf_counter() - t1)
    svc.close()
    return {
        "events": cold.events,
        "serialised_cold": cold.serialised,
        "serialised_warm": warm.serialised,
        "cold_s": cold_s,
        "first_warm_s": warm_runs[0],
        "warm_s": sorted(warm_runs)[1],
        "mib_file": out.stat().st_size / 2**20,
        "peak_mib": peak_mib(),
    }


def step_icalendar(path: Path, sample: int) -> dict[str, float]:
    """icalendar's own ``to_ical()`` of the same components (the baseline)."""
    import icalendar

    svc = Services.open(path, FixedClock(NOW))
    data = svc.feeds.export_bytes(ExportScope())
    svc.close()
    cal = icalendar.Calendar.from_ical(data)
    events = cal.walk("VEVENT")[:sample]
    t0 = time.perf_counter()
    for event in events:
        event.to_ical()
    elapsed = time.perf_counter() - t0
    return {"events": len(events), "seconds": elapsed}


def step_publish(path: Path) -> dict[str, float]:
    svc = Services.open(path, FixedClock(NOW))
    for partner in PARTNERS[:4]:
        svc.feeds.add(FeedDraft(name=f"partner-{partner.split()[0].lower()}",
                                filter=MeetingFilter(partners=[partner])))  # fmt: skip
    feeds = len(svc.feeds.list())
    folder = Path(tempfile.mkdtemp())
    t0 = time.perf_counter()
    svc.feeds.publish(folder)
    t1 = time.perf_counter()
    svc.feeds.publish(folder)
    t2 = time.perf_counter()
    svc.meetings.edit(1234, MeetingPatch(location="EEAS, Brussels"))
    t3 = time.perf_counter()
    report = svc.feeds.publish(folder)
    t4 = time.perf_counter()
    svc.close()
    return {
        "feeds": feeds,
        "cold_ms": (t1 - t0) * 1000,
        "unchanged_ms": (t2 - t1) * 1000,
        "after_edit_ms": (t4 - t3) * 1000,
        "rewritten": sum(1 for r in report if r.change != "unchanged"),
        "peak_mib": peak_mib(),
    }


def _child(step: str, path: Path, *extra: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.bench_export", "--step", step, str(path), *extra],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a smoke run")
    parser.add_argument("--meetings", type=int, help="meetings in the export run")
    parser.add_argument("--publish-meetings", type=int, help="meetings in the publish run")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step, path, *extra = args.step
        result = {
            "export": lambda: step_export(Path(path)),
            "icalendar": lambda: step_icalendar(Path(path), int(extra[0])),
            "publish": lambda: step_publish(Path(path)),
        }[step]()
        print(json.dumps(result))
        return
    big = args.meetings or (10_000 if args.quick else 100_000)
    small = args.publish_meetings or (2_000 if args.quick else 10_000)
    work = Path(tempfile.mkdtemp(prefix="liaison-bench-"))
    t0 = time.perf_counter()
    build(work / "big.db", big)
    build(work / "small.db", small)
    print(f"built {big:,} and {small:,} meetings in {time.perf_counter() - t0:.1f} s")

    exp = _child("export", work / "big.db")
    base = _child("icalendar", work / "big.db", str(min(big, 20_000)))
    cold_rate = exp["events"] / exp["cold_s"]
    warm_rate = exp["events"] / exp["warm_s"]
    ical_rate = base["events"] / base["seconds"]
    print(f"\nexport of {int(exp['events']):,} events ({exp['mib_file']:.0f} MiB file)")
    print(f"  icalendar to_ical()  {ical_rate:>10,.0f} events/s   (baseline, same run)")
    print(f"  cold export          {cold_rate:>10,.0f} events/s   ratio {cold_rate / ical_rate:.2f}"
          "  (target >= 1)")  # fmt: skip
    first_rate = exp["events"] / exp["first_warm_s"]
    print(f"  warm export          {warm_rate:>10,.0f} events/s   ratio {warm_rate / ical_rate:.2f}"
          "  (median of 3; target >= 100,000 events/s)")  # fmt: skip
    print(f"  first warm export    {first_rate:>10,.0f} events/s   (pays a full garbage collection"
          " of the objects the cold export made)")  # fmt: skip
    print(f"  peak memory          {exp['peak_mib']:>10,.0f} MiB        (target <= 300 MiB)")
    print(f"  VEVENTs built: cold {int(exp['serialised_cold']):,}, warm "
          f"{int(exp['serialised_warm']):,}")  # fmt: skip

    pub = _child("publish", work / "small.db")
    print(f"\npublish of {int(pub['feeds'])} feeds over {small:,} meetings")
    print(f"  first publish        {pub['cold_ms']:>10,.0f} ms")
    print(f"  nothing changed      {pub['unchanged_ms']:>10,.0f} ms         (baseline)")
    print(f"  after one edit       {pub['after_edit_ms']:>10,.0f} ms         ratio "
          f"{pub['after_edit_ms'] / pub['unchanged_ms']:.2f}; {int(pub['rewritten'])} files "
          "rewritten (target <= 200 ms)")  # fmt: skip
    print(f"  peak memory          {pub['peak_mib']:>10,.0f} MiB")


if __name__ == "__main__":
    main()
