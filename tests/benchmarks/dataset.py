"""The benchmarks' calendar: N realistic meetings written straight into the tables.

Built in seconds even for 100,000 meetings, as a user's calendar looks after years of use:
meetings in Brussels, Kyiv and Tbilisi time, all-day planning conferences over several days,
weekly series (some every other week) with skipped and moved occurrences, numbered iterations
of the structured dialogues, three participants and three agenda items each, strands and
partners, and the full-text index filled as the services fill it.
"""

import json
import random
import resource
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
FIRST_DAY = datetime(2023, 1, 2, 7, 0, tzinfo=UTC)
YEARS = 5  # the meetings start within five years from FIRST_DAY

ZONES = ["Europe/Brussels"] * 8 + ["Europe/Kyiv", "Asia/Tbilisi"]
PARTNERS = ["Ukraine", "Moldova", "Georgia", "Bosnia and Herzegovina", "Jordan", "Tunisia"]
TITLES = [
    "Structured Dialogue on Cyber",
    "Structured Dialogue on Military Mobility",
    "Operational cooperation talks, maritime",
    "Cross-briefing on countering hybrid threats",
    "Staff talks on capacity building",
    "EU-NATO Staff Talks",
    "Cross-briefing on defence capabilities",
    "Defence industry and research exchange",
    "Capacity building for Ukraine, staff to staff",
    "Political dialogue: ministerial preparation",
]
LOCATIONS = [
    "NATO HQ, Boulevard Léopold III, Brussels",
    "EEAS, Rond-Point Schuman 9A, Brussels",
    "SHAPE, Mons",
    "Videoconference",
    "Kyiv",
    "Chișinău",
    "Tbilisi",
]
WORDS = [
    "progress",
    "common",
    "proposals",
    "resilience",
    "cyber",
    "exercises",
    "mobility",
    "hybrid",
    "maritime",
    "capabilities",
    "industry",
    "research",
    "partners",
    "Ukraine",
    "Moldova",
    "Georgia",
    "staff",
    "coordination",
    "lessons",
    "learned",
    "planning",
    "conference",
    "execution",
    "briefing",
    "outcomes",
    "next",
    "steps",
    "agreed",
]
ALL_DAY_TITLES = ["PACE planning conference", "PACE execution phase", "Staff retreat"]
SERIES = ["Cyber dialogue", "Military mobility dialogue", "Staff Talks"]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _weekly_key(start: datetime, tz: str, weeks: int) -> str:
    """The occurrence key of a weekly meeting's occurrence ``weeks`` after ``start``: same
    wall-clock time in its zone."""
    local = start.astimezone(ZoneInfo(tz)) + timedelta(weeks=weeks)
    return _stamp(local)


def build(path: Path, meetings: int) -> None:
    """A calendar of ``meetings`` meetings at ``path`` (made with the app's own schema)."""
    # Imported here: the start steps import this module for ``peak_mib`` and time from their
    # first line, so it loads nothing of the app.
    from liaison_calendar.domain.clock import FixedClock
    from liaison_calendar.services.context import Services

    Services.open(path, FixedClock(NOW)).close()
    rng = random.Random(7)
    conn = sqlite3.connect(path)
    strands = [r[0] for r in conn.execute("SELECT id FROM strand")]
    kinds = [r[0] for r in conn.execute("SELECT id FROM kind")]
    conn.executemany("INSERT INTO partner (name) VALUES (?)", [(p,) for p in PARTNERS])
    partners = dict(conn.execute("SELECT id, name FROM partner").fetchall())
    conn.execute("INSERT INTO organisation (name, side) VALUES ('EEAS', 'eu')")
    created = _stamp(NOW - timedelta(days=400))
    for name in SERIES:
        conn.execute(
            "INSERT INTO series (name, kind_id, description, location, mode, lead_side, tz, "
            "created, modified) VALUES (?, ?, '', '', 'in-person', 'co-chaired', "
            "'Europe/Brussels', ?, ?)",
            (name, kinds[0], created, created),
        )
    series_ids = [r[0] for r in conn.execute("SELECT id FROM series")]
    iterations = dict.fromkeys(series_ids, 0)
    rows, strand_links, partner_links, people, agenda, search = [], [], [], [], [], []
    overrides = []
    for i in range(1, meetings + 1):
        start = FIRST_DAY + timedelta(days=rng.randrange(0, YEARS * 365), hours=rng.randrange(0, 9))
        end = start + timedelta(hours=rng.choice([1, 2, 3]))
        tz = rng.choice(ZONES)
        title = f"{rng.choice(TITLES)} #{i}"
        all_day = i % 40 == 7
        start_date = end_date = None
        if all_day:
            title = f"{rng.choice(ALL_DAY_TITLES)} #{i}"
            first = start.date()
            last = first + timedelta(days=rng.choice([1, 2, 3, 4]))
            start_date, end_date = first.isoformat(), last.isoformat()
            start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
            end = datetime.combine(last, datetime.min.time(), tzinfo=UTC)
        rule = until = None
        exdates: list[str] = []
        if i % 50 == 0 and not all_day:
            rule = "FREQ=WEEKLY;COUNT=10" if i % 150 else "FREQ=WEEKLY;INTERVAL=2;COUNT=8"
            weeks = 9 if i % 150 else 14
            until = _stamp(start.astimezone(ZoneInfo(tz)) + timedelta(weeks=weeks) + (end - start))
            if i % 100 == 0:
                exdates.append(_weekly_key(start, tz, 1 if i % 150 else 2))
        series_id = iteration = None
        if i % 97 == 0 and not all_day and rule is None:
            series_id = series_ids[i % len(series_ids)]
            iterations[series_id] += 1
            iteration = iterations[series_id]
        description = " ".join(rng.choice(WORDS) for _ in range(24)).capitalize() + "."
        location = rng.choice(LOCATIONS)
        rows.append(
            (
                i, f"bench-{i:06d}@liaison-calendar", rng.randrange(0, 3), title,
                rng.choice(kinds), series_id, iteration, _stamp(start), _stamp(end), tz,
                int(all_day), start_date, end_date, location, description, rule,
                json.dumps(exdates), until, created, created,
            )
        )  # fmt: skip
        strand_links.append((i, rng.choice(strands)))
        partner = rng.choice(list(partners))
        partner_links.append((i, partner))
        names = []
        for n in range(3):
            name = f"Participant {n} of {i}"
            people.append((i, n, name, 1, "eu", "expert", f"p{n}.{i}@x.eu"))
            agenda.append((i, n, f"Agenda item {n}: {rng.choice(WORDS)}", "EEAS", 30, ""))
            names.append(f"{name} EEAS expert")
        items = " ".join(f"{a[2]} EEAS" for a in agenda[-3:])
        search.append((i, title, f"{description} ", location, items, " ".join(names)))
        if rule is not None and i % 100 == 50:
            # The third occurrence moved an hour later, as a changed occurrence.
            key = _weekly_key(start, tz, 3 if i % 150 else 6)
            moved = datetime.fromisoformat(key) + timedelta(hours=1)
            overrides.append(
                (
                    f"bench-{i:06d}@liaison-calendar", 1, f"{title} (moved)", rows[-1][4],
                    _stamp(moved), _stamp(moved + (end - start)), tz, location, description,
                    "[]", i, key, created, created,
                )
            )  # fmt: skip
    conn.executemany(
        "INSERT INTO meeting (id, uid, sequence, title, kind_id, series_id, iteration, "
        "start_utc, end_utc, tz, all_day, start_date, end_date, floating, location, mode, "
        "lead_side, status, marking, release_level, description, outcomes, rrule, exdates, "
        "until_utc, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, "
        "'in-person', 'co-chaired', 'confirmed', 'EU-NATO STAFF ONLY', 'staff', ?, '', ?, ?, "
        "?, ?, ?)",
        rows,
    )
    conn.executemany(
        "INSERT INTO meeting (uid, sequence, title, kind_id, start_utc, end_utc, tz, all_day, "
        "floating, location, mode, lead_side, status, marking, release_level, description, "
        "outcomes, exdates, master_id, recurrence_id, created, modified) VALUES (?, ?, ?, ?, "
        "?, ?, ?, 0, 0, ?, 'in-person', 'co-chaired', 'confirmed', 'EU-NATO STAFF ONLY', "
        "'staff', ?, '', ?, ?, ?, ?, ?)",
        overrides,
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
    conn.executemany(
        "INSERT INTO meeting_fts (rowid, title, description, location, agenda, participants) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        search,
    )
    conn.commit()
    conn.close()


def period_with(path: Path, meetings: int) -> tuple[date, date]:
    """The first and last day of a period in the middle of the calendar at ``path`` holding
    about ``meetings`` meetings (all of them in a smaller calendar)."""
    conn = sqlite3.connect(path)
    starts = [r[0] for r in conn.execute("SELECT start_utc FROM meeting ORDER BY start_utc")]
    conn.close()
    if len(starts) <= meetings:
        first, last = starts[0], starts[-1]
    else:
        middle = (len(starts) - meetings) // 2
        first, last = starts[middle], starts[middle + meetings - 1]
    return date.fromisoformat(first[:10]), date.fromisoformat(last[:10])


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
