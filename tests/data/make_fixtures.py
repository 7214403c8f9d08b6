"""Writes one small calendar file per earlier schema revision: ``calendar-0001.sqlite`` to
``calendar-0005.sqlite`` beside this script, for ``tests/store/test_upgrades.py``.

Run on purpose, never by the tests: ``uv run python -m tests.data.make_fixtures`` (all of them)
or ``... make_fixtures 0005`` (one). The files are committed: when a revision is released, add
its file (with the rows its schema can hold) and leave the others as they are. Written again
with the same SQLite they come out byte for byte the same.

Each file is what that revision of the app wrote: an empty file taken by Alembic to exactly
that revision, with the same migrations the app runs, then rows put in with plain SQL in that
revision's columns only (no services: they write today's schema) and with the search rows the
services would have written. Everything is fixed: timestamps, UIDs, and the revision numbers
that the triggers of 0002 draw with SQLite's ``random()``, here a seeded generator.
"""

import json
import random
import sqlite3
import sys
import uuid
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from alembic import command

from liaison_calendar.store.database import alembic_config, make_engine

HERE = Path(__file__).parent
REVISIONS = ("0001", "0002", "0003", "0004", "0005")
"""0005 holds the rows of 0004: it only rebuilt the search index, with prefix tables."""
PAGE_SIZE = 1024
STAMP = "2025-01-15T09:30:00Z"
"""``created`` and ``modified`` of every row: the app writes the time of the change."""
UID_NAMESPACE = uuid.UUID("6f1d0c52-4c1e-4a4e-9a43-6a4b2d8e7c10")
STAFF_ONLY = "EU-NATO STAFF ONLY"

# --- what the calendar holds -------------------------------------------------------------------

ORGANISATIONS = [
    ("EEAS", "eu"),
    ("EU Military Staff", "eu"),
    ("NATO International Staff", "nato"),
    ("NATO International Military Staff", "nato"),
    ("European Commission – DG DEFIS", "eu"),
    ("Mission of Ukraine to the EU", "partner"),
    ("Ministry of Defence of Georgia", "partner"),
    ("Ministry of Defence of the Republic of Moldova", "partner"),
]
PARTNERS = ["Ukraine", "Georgia", "Republic of Moldova", "Bosnia and Herzegovina"]

# name -> (organisation or None, side, role, email)
PEOPLE: dict[str, tuple[str | None, str, str, str]] = {
    "Claire Dubois": (
        "EEAS",
        "eu",
        "Head of division, security and defence policy",
        "claire.dubois@eeas.example",
    ),
    "Jonas Weber": ("EEAS", "eu", "EU–NATO desk officer", ""),
    "Eva Horváth": ("EEAS", "eu", "Cyber policy adviser", ""),
    "Lucia Romano": ("EU Military Staff", "eu", "Operations directorate", ""),
    "Mette Ørsted": (
        "European Commission – DG DEFIS",
        "eu",
        "Defence industry policy officer",
        "mette.orsted@ec.example",
    ),
    "James Whitfield": ("NATO International Staff", "nato", "Political affairs", ""),
    "Aylin Demir": ("NATO International Staff", "nato", "Cyber and hybrid threats", ""),
    "Ingrid Solberg": ("NATO International Military Staff", "nato", "Operations and plans", ""),
    "Olena Kravets": ("Mission of Ukraine to the EU", "partner", "Counsellor (Олена Кравець)", ""),
    "Nino Beridze": ("Ministry of Defence of Georgia", "partner", "Deputy head, ნინო ბერიძე", ""),
    "Ion Ciobanu": ("Ministry of Defence of the Republic of Moldova", "partner", "Adviser", ""),
    "Tamar Kapanadze": (None, "other", "Guest speaker, Tbilisi State University", ""),
}

# name, kind, strands, partners, description, location, tz
SERIES = [
    (
        "Operational cooperation talks",
        "operational-talks",
        ["operational"],
        [],
        "Staff talks on operational cooperation, including maritime issues.",
        "Brussels",
        "Europe/Brussels",
    ),
    (
        "Structured Dialogue on Cyber",
        "structured-dialogue",
        ["cyber"],
        [],
        "Successor of the annual high-level staff talks on cyber security and defence.",
        "Brussels",
        "Europe/Brussels",
    ),
    (
        "Structured Dialogue on Military Mobility",
        "structured-dialogue",
        ["capabilities"],
        [],
        "Moving forces and materiel quickly across Europe.",
        "Brussels",
        "Europe/Brussels",
    ),
    (
        "Eastern partners cross-briefings",
        "cross-briefing",
        ["capacity-building", "political"],
        ["Ukraine", "Georgia", "Republic of Moldova"],
        "Both staffs brief each other on their support to Ukraine, Georgia and Moldova.",
        "",
        "Europe/Kyiv",
    ),
]

EXERCISE = {
    "uid": "fixture-pace-2025-2026@liaison-calendar",
    "name": "PACE 2025-2026",
    "programme": "PACE 2025-2026",
    "period_start": "2025-01-01",
    "period_end": "2026-12-31",
    "description": "Parallel and coordinated exercises of the EU and NATO for 2025-2026.",
    "marking": STAFF_ONLY,
    "release_level": "staff",
    "strands": ["exercises", "operational"],
}
# name, phase_type, part, start, end, location
PHASES = [
    ("Concept and calendar agreed", "concept", "joint", "2025-01-21", "2025-01-22", "Brussels"),
    (
        "Initial planning conference",
        "planning-conference",
        "joint",
        "2025-04-15",
        "2025-04-17",
        "NATO Headquarters, Brussels",
    ),
    (
        "Main planning conference",
        "planning-conference",
        "eu",
        "2025-09-16",
        "2025-09-19",
        "EEAS, Brussels",
    ),
    ("Crisis management exercise – execution", "execution", "nato", "2026-03-09", "2026-03-14", ""),
    ("Lessons identified workshop", "lessons", "joint", "2026-06-02", "2026-06-03", "Brussels"),
]

# number, strand
PROPOSALS = [(17, "hybrid"), (41, "cyber")]


@dataclass
class Meeting:
    title: str
    kind: str
    tz: str
    start: str  # "YYYY-MM-DD HH:MM" wall time in ``tz``, or "YYYY-MM-DD" (all-day)
    end: str
    location: str = ""
    mode: str = "in-person"
    lead_side: str = "co-chaired"
    status: str = "confirmed"
    marking: str = STAFF_ONLY
    release_level: str = "staff"
    description: str = ""
    outcomes: str = ""
    series: int | None = None  # 1-based index into SERIES
    iteration: int | None = None
    rrule: str | None = None
    exdates: list[str] = field(default_factory=list)
    rdates: list[str] = field(default_factory=list)  # stored from revision 0003 on
    until_utc: str | None = None
    until_with_rdates: str | None = None  # ``until_utc`` once the extra dates count
    sequence: int = 0
    override_of: tuple[int, str] | None = None  # (master id, occurrence key)
    phase: int | None = None  # 1-based index into PHASES
    strands: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    proposals: list[int] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    agenda: list[tuple[str, str, int]] = field(default_factory=list)  # title, lead, minutes
    # text, owner, due, status, carried from (1-based action number over the whole file)
    actions: list[tuple[str, str, str | None, str, int | None]] = field(default_factory=list)
    uid: str | None = None


OPERATIONAL_PEOPLE = ["Claire Dubois", "Lucia Romano", "James Whitfield", "Ingrid Solberg"]
UKRAINE_PEOPLE = ["Olena Kravets", "Jonas Weber", "James Whitfield"]
UKRAINE_AGENDA = [
    ("Latest needs", "Olena Kravets", 20),
    ("EU support update", "Jonas Weber", 15),
    ("NATO support update", "James Whitfield", 15),
]

MEETINGS: list[Meeting] = [
    Meeting(  # 1
        "Operational cooperation talks – 1st iteration",
        "operational-talks",
        "Europe/Brussels",
        "2024-03-12 09:30",
        "2024-03-12 13:00",
        location="NATO Headquarters, Brussels",
        series=1,
        iteration=1,
        description="The first talks on operational cooperation: missions and operations.",
        outcomes="Both staffs want the talks to become a standing format.",
        strands=["operational"],
        people=OPERATIONAL_PEOPLE,
        agenda=[
            ("Opening by the co-chairs", "Claire Dubois / James Whitfield", 15),
            ("Land operations and missions", "Lucia Romano", 45),
            ("Maritime security", "Ingrid Solberg", 45),
        ],
        actions=[
            ("Circulate the summary of conclusions", "EEAS", "2024-03-29", "done", None),
            (
                "Map the planning horizons of both staffs",
                "NATO International Military Staff",
                "2024-06-30",
                "carried",
                None,
            ),
        ],
    ),
    Meeting(  # 2
        "Operational cooperation talks – 2nd iteration",
        "operational-talks",
        "Europe/Brussels",
        "2024-10-15 10:00",
        "2024-10-15 16:00",
        location="EEAS, Brussels",
        lead_side="eu",
        series=1,
        iteration=2,
        description="Western Balkans and the Black Sea; crisis response.",
        outcomes="Points of contact for crisis response exchanged.",
        strands=["operational"],
        partners=["Bosnia and Herzegovina"],
        people=[*OPERATIONAL_PEOPLE, "Jonas Weber"],
        agenda=[
            ("Western Balkans: missions on the ground", "Lucia Romano", 45),
            ("Crisis response: recent experience", "James Whitfield", 30),
        ],
        actions=[
            (
                "Map the planning horizons of both staffs",
                "NATO International Military Staff",
                "2025-01-31",
                "open",
                2,
            ),
            ("Exchange crisis response points of contact", "EU Military Staff", None, "done", None),
        ],
    ),
    Meeting(  # 3
        "Operational cooperation talks – 3rd iteration",
        "operational-talks",
        "Europe/Brussels",
        "2025-04-08 09:30",
        "2025-04-08 13:00",
        location="NATO Headquarters, Brussels",
        lead_side="nato",
        status="tentative",
        series=1,
        iteration=3,
        description="Date pencilled in; to be confirmed by both co-chairs.",
        strands=["operational"],
        people=["Claire Dubois", "James Whitfield"],
    ),
    Meeting(  # 4
        "Structured Dialogue on Cyber – 1st round",
        "structured-dialogue",
        "Europe/Brussels",
        "2024-06-04 10:00",
        "2024-06-04 17:00",
        location="EEAS, Brussels",
        series=2,
        iteration=1,
        description="Cyber threat landscape, exercises and training.",
        strands=["cyber", "hybrid"],
        proposals=[41],
        people=["Eva Horváth", "Aylin Demir"],
        agenda=[("Threat landscape", "Aylin Demir", 60), ("Cyber exercises", "Eva Horváth", 45)],
        actions=[
            ("Draft terms of reference of the dialogue", "Eva Horváth", "2024-07-15", "done", None)
        ],
    ),
    Meeting(  # 5
        "Structured Dialogue on Cyber – 2nd round",
        "structured-dialogue",
        "Europe/Brussels",
        "2025-06-10 10:00",
        "2025-06-10 17:00",
        location="NATO Headquarters, Brussels",
        mode="hybrid",
        series=2,
        iteration=2,
        strands=["cyber"],
        proposals=[41],
        people=["Eva Horváth", "Aylin Demir"],
    ),
    Meeting(  # 6
        "Staff talks on countering hybrid threats",
        "staff-talks",
        "Europe/Brussels",
        "2024-02-20 14:00",
        "2024-02-20 16:00",
        mode="video",
        description="Disinformation and foreign information manipulation.",
        strands=["hybrid"],
        proposals=[17],
        people=["Claire Dubois", "Aylin Demir"],
    ),
    Meeting(  # 7
        "Staff visit to Kyiv – support coordination",
        "cross-briefing",
        "Europe/Kyiv",
        "2024-05-14 11:00",
        "2024-05-14 15:30",
        location="Kyiv (Київ)",
        series=4,
        iteration=1,
        description="Who supports what in Київ, and where the gaps are.",
        strands=["capacity-building"],
        partners=["Ukraine"],
        people=UKRAINE_PEOPLE,
        agenda=[("Needs assessment", "Olena Kravets", 60)],
    ),
    Meeting(  # 8
        "Resilience workshop in Tbilisi",
        "other",
        "Asia/Tbilisi",
        "2024-09-24 10:00",
        "2024-09-24 17:00",
        location="Tbilisi (თბილისი)",
        lead_side="eu",
        description="Societal resilience against hybrid threats – თბილისი, 2024.",
        strands=["hybrid", "capacity-building"],
        partners=["Georgia"],
        people=["Nino Beridze", "Tamar Kapanadze", "Claire Dubois"],
        agenda=[
            ("Welcome", "Nino Beridze", 15),
            ("Resilience baseline requirements", "Tamar Kapanadze", 60),
        ],
    ),
    Meeting(  # 9
        "Cross-briefing in Chișinău – defence capacity building",
        "cross-briefing",
        "Europe/Chisinau",
        "2024-11-05 10:00",
        "2024-11-05 12:00",
        location="Chișinău",
        series=4,
        iteration=2,
        description="Support to the Republic of Moldova; next steps agreed in Chișinău.",
        strands=["capacity-building"],
        partners=["Republic of Moldova"],
        people=["Ion Ciobanu", "Jonas Weber"],
        agenda=[("Moldova's defence reform", "Ion Ciobanu", 45)],
    ),
    Meeting(  # 10: all day, several days
        "EU–NATO resilience conference, Tbilisi",
        "other",
        "Asia/Tbilisi",
        "2024-10-01",
        "2024-10-04",
        location="Tbilisi",
        marking="PUBLIC",
        release_level="public",
        description="Three days of panels on resilience in the Black Sea region.",
        strands=["hybrid"],
        partners=["Georgia"],
        people=["Nino Beridze", "Claire Dubois"],
    ),
    Meeting(  # 11: all day, several days
        "NATO Summit – EU leaders invited",
        "ministerial",
        "Europe/Brussels",
        "2025-06-24",
        "2025-06-26",
        location="The Hague",
        lead_side="nato",
        marking="PUBLIC",
        release_level="public",
        strands=["political"],
    ),
    Meeting(  # 12: weekly, one skipped and one moved (13)
        "Ukraine support – weekly video cross-briefing",
        "cross-briefing",
        "Europe/Kyiv",
        "2025-03-04 10:00",
        "2025-03-04 11:00",
        mode="video",
        description="Every Tuesday at 10:00 Kyiv time: who supports what.",
        rrule="FREQ=WEEKLY;COUNT=8",
        exdates=["2025-03-18T08:00:00Z"],
        rdates=["2025-05-06T07:00:00Z"],
        until_utc="2025-04-22T08:00:00Z",
        until_with_rdates="2025-05-06T08:00:00Z",
        sequence=1,
        strands=["capacity-building", "political"],
        partners=["Ukraine"],
        people=UKRAINE_PEOPLE,
        agenda=UKRAINE_AGENDA,
        actions=[("Update the gap matrix before each call", "Jonas Weber", None, "open", None)],
        uid="fixture-ukraine-weekly@liaison-calendar",
    ),
    Meeting(  # 13: the occurrence of 8 April moved to 9 April
        "Ukraine support – weekly video cross-briefing",
        "cross-briefing",
        "Europe/Kyiv",
        "2025-04-09 10:00",
        "2025-04-09 11:00",
        mode="video",
        description="Moved one day: the co-chairs travel on 8 April.",
        sequence=1,
        override_of=(12, "2025-04-08T07:00:00Z"),
        strands=["capacity-building", "political"],
        partners=["Ukraine"],
        people=UKRAINE_PEOPLE,
        agenda=UKRAINE_AGENDA,
        uid="fixture-ukraine-weekly@liaison-calendar",
    ),
    Meeting(  # 14: monthly, all day, one month skipped
        "Capability development coordination day",
        "other",
        "Europe/Brussels",
        "2025-01-15",
        "2025-01-16",
        location="European Defence Agency, Brussels",
        rrule="FREQ=MONTHLY;COUNT=6",
        exdates=["2025-04-15"],
        until_utc="2025-06-16T00:00:00Z",
        sequence=1,
        strands=["capabilities"],
    ),
    Meeting(  # 15: yearly, open-ended
        "Annual EU–NATO staff talks",
        "staff-talks",
        "Europe/Brussels",
        "2023-12-05 09:00",
        "2023-12-05 17:00",
        location="Brussels",
        rrule="FREQ=YEARLY",
        strands=["political"],
        people=["Claire Dubois", "James Whitfield"],
    ),
    Meeting(  # 16
        "Military mobility staff discussion",
        "structured-dialogue",
        "Europe/Brussels",
        "2024-04-23 14:00",
        "2024-04-23 16:00",
        series=3,
        iteration=1,
        strands=["capabilities"],
        people=["Lucia Romano", "Ingrid Solberg"],
    ),
    Meeting(  # 17
        "Military mobility – 2nd session",
        "structured-dialogue",
        "Europe/Brussels",
        "2025-01-28 14:00",
        "2025-01-28 16:30",
        mode="video",
        series=3,
        iteration=2,
        strands=["capabilities"],
    ),
    Meeting(  # 18
        "Defence industry roundtable",
        "other",
        "Europe/Brussels",
        "2024-07-02 09:00",
        "2024-07-02 12:00",
        location="Berlaymont, Brussels",
        lead_side="eu",
        description="Ramping up production; Ørsted presents the industry mapping.",
        strands=["industry"],
        people=["Mette Ørsted", "James Whitfield"],
        agenda=[("Industry mapping", "Mette Ørsted", 40)],
        actions=[("Share the industry mapping", "Mette Ørsted", "2024-09-01", "dropped", None)],
    ),
    Meeting(  # 19
        "Foreign Affairs Council (Defence) – NATO Secretary General invited",
        "ministerial",
        "Europe/Brussels",
        "2024-05-28 09:00",
        "2024-05-28 18:00",
        location="Europa building, Brussels",
        lead_side="eu",
        marking="PUBLIC",
        release_level="public",
        strands=["political"],
    ),
    Meeting(  # 20
        "Maritime security staff exchange – Black Sea",
        "staff-talks",
        "Europe/Brussels",
        "2024-12-10 10:00",
        "2024-12-10 12:00",
        status="cancelled",
        description="Cancelled: to be merged into the operational talks.",
        strands=["operational"],
    ),
    Meeting(  # 21
        "Counter-intelligence liaison",
        "other",
        "Europe/Brussels",
        "2025-02-18 10:00",
        "2025-02-18 11:00",
        marking="EU-NATO RESTRICTED",
        release_level="restricted",
        strands=["hybrid"],
        people=["Claire Dubois"],
    ),
    Meeting(  # 22
        "Women, peace and security staff exchange",
        "staff-talks",
        "Europe/Brussels",
        "2025-03-27 14:00",
        "2025-03-27 15:30",
        status="postponed",
        strands=["political"],
    ),
    Meeting(  # 23: planning meeting of phase 1
        "PACE 2025-2026 – concept meeting",
        "exercise-phase",
        "Europe/Brussels",
        "2025-01-21 10:00",
        "2025-01-21 12:00",
        location="Brussels",
        phase=1,
        strands=["exercises"],
    ),
    Meeting(  # 24: planning meeting of phase 3, all day
        "PACE 2025-2026 – main planning conference",
        "exercise-phase",
        "Europe/Brussels",
        "2025-09-16",
        "2025-09-19",
        location="EEAS, Brussels",
        lead_side="eu",
        phase=3,
        strands=["exercises"],
    ),
    Meeting(  # 25
        "Cyber exercise lessons – hybrid session",
        "cross-briefing",
        "Europe/Kyiv",
        "2025-05-20 15:00",
        "2025-05-20 17:00",
        mode="hybrid",
        strands=["cyber"],
        partners=["Ukraine"],
        people=["Aylin Demir", "Olena Kravets"],
    ),
    Meeting(  # 26
        "Georgia–EU–NATO staff consultations",
        "cross-briefing",
        "Asia/Tbilisi",
        "2025-02-11 11:00",
        "2025-02-11 13:00",
        location="Tbilisi",
        series=4,
        iteration=3,
        strands=["political"],
        partners=["Georgia"],
        people=["Nino Beridze", "Claire Dubois", "James Whitfield"],
    ),
    Meeting(  # 27
        "Bosnia and Herzegovina – capacity building talks",
        "staff-talks",
        "Europe/Brussels",
        "2024-06-18 10:00",
        "2024-06-18 12:00",
        strands=["capacity-building"],
        partners=["Bosnia and Herzegovina"],
    ),
    Meeting(  # 28: over midnight
        "Crisis response drill – overnight watch",
        "other",
        "Europe/Brussels",
        "2025-03-06 22:00",
        "2025-03-07 02:00",
        location="EU Situation Room",
        strands=["operational"],
        people=["Lucia Romano"],
    ),
    Meeting(  # 29
        "Hybrid threats briefing for partners",
        "cross-briefing",
        "Europe/Brussels",
        "2024-09-10 15:00",
        "2024-09-10 16:00",
        mode="video",
        description="Slides in both languages – 🇪🇺 / 🇺🇦.\nQuestions in advance, please.",
        strands=["hybrid"],
        partners=["Ukraine", "Republic of Moldova", "Georgia"],
        people=["Aylin Demir", "Olena Kravets", "Ion Ciobanu", "Nino Beridze"],
    ),
    Meeting(  # 30
        "Political dialogue on the Black Sea",
        "staff-talks",
        "Europe/Kyiv",
        "2025-10-14 12:00",
        "2025-10-14 14:00",
        location="Odesa",
        description="Black Sea security after the grain corridor.",
        strands=["political", "operational"],
        partners=["Ukraine"],
        people=["Jonas Weber", "Olena Kravets", "Ingrid Solberg"],
    ),
]

HAND_MADE_FEEDS = [
    # name, title, filter (as the feeds service stores it), privacy, release level
    (
        "eastern-partners",
        "Eastern partners",
        '{"partners":["Ukraine","Georgia","Republic of Moldova"]}',
        "no-participants",
        "public",
    ),
    ("cyber-busy", "Cyber (busy times only)", '{"strands":["cyber"]}', "busy", "staff"),
]
FEED_ALL_0001 = ("all", "Everything we do", "{}", "full", "staff")
"""Revision 0001 seeded no feeds: its ``all`` was made by hand, and 0002 keeps it."""

SETTINGS = [
    ("feed_refresh_minutes", "30"),
    ("default_tz", '"Europe/Brussels"'),
    ("organisation", '"EEAS"'),
]


# --- writing a file ----------------------------------------------------------------------------


def utc_text(wall: str, tz: str) -> str:
    moment = datetime.strptime(wall, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(tz))
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def meeting_uid(number: int, meeting: Meeting) -> str:
    if meeting.uid is not None:
        return meeting.uid
    return f"{uuid.uuid5(UID_NAMESPACE, f'{number}:{meeting.title}')}@liaison-calendar"


def meeting_row(number: int, m: Meeting, ids: dict[str, dict[str, int]]) -> dict[str, Any]:
    all_day = " " not in m.start
    if all_day:
        start_utc, end_utc = f"{m.start}T00:00:00Z", f"{m.end}T00:00:00Z"
        start_date, end_date = m.start, m.end
    else:
        start_utc, end_utc = utc_text(m.start, m.tz), utc_text(m.end, m.tz)
        start_date = end_date = None
    return {
        "id": number,
        "uid": meeting_uid(number, m),
        "sequence": m.sequence,
        "title": m.title,
        "kind_id": ids["kind"][m.kind],
        "series_id": m.series,
        "iteration": m.iteration,
        "start_utc": start_utc,
        "end_utc": end_utc,
        "tz": m.tz,
        "all_day": int(all_day),
        "start_date": start_date,
        "end_date": end_date,
        "floating": 0,
        "location": m.location,
        "mode": m.mode,
        "lead_side": m.lead_side,
        "status": m.status,
        "marking": m.marking,
        "release_level": m.release_level,
        "description": m.description,
        "outcomes": m.outcomes,
        "rrule": m.rrule,
        "exdates": json.dumps(m.exdates),
        "until_utc": m.until_utc,
        "master_id": m.override_of[0] if m.override_of else None,
        "recurrence_id": m.override_of[1] if m.override_of else None,
        "exercise_phase_id": m.phase,
        "created": STAMP,
        "modified": STAMP,
    }


def insert(conn: sqlite3.Connection, table: str, rows: Iterable[dict[str, Any]]) -> None:
    for row in rows:
        names = ", ".join(row)
        marks = ", ".join("?" * len(row))
        conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(row.values()))


def key_ids(conn: sqlite3.Connection, table: str) -> dict[str, int]:
    return {key: rid for rid, key in conn.execute(f"SELECT id, key FROM {table}")}


def migrate_to(path: Path, revision: str) -> None:
    """An empty file taken to ``revision`` as ``database._upgrade`` takes files to head."""
    engine = make_engine(path)
    try:
        with engine.execution_options(sqlite_begin="IMMEDIATE").connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys = OFF")
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()
            raw.execute("PRAGMA foreign_keys = ON")
    finally:
        engine.dispose()


def fill(conn: sqlite3.Connection, revision: str) -> None:
    has_revisions = revision >= "0002"
    has_rdates = revision >= "0003"
    ids = {"kind": key_ids(conn, "kind"), "strand": key_ids(conn, "strand")}

    insert(conn, "organisation", ({"name": n, "side": s} for n, s in ORGANISATIONS))
    insert(conn, "partner", ({"name": n} for n in PARTNERS))
    org_ids = {n: i for i, n in enumerate((n for n, _ in ORGANISATIONS), start=1)}
    partner_ids = {n: i for i, n in enumerate(PARTNERS, start=1)}
    insert(
        conn,
        "common_proposal",
        (
            {"number": number, "strand_id": ids["strand"][strand], "title": ""}
            for number, strand in PROPOSALS
        ),
    )
    proposal_ids = {number: i for i, (number, _) in enumerate(PROPOSALS, start=1)}

    for name, kind, strands, partners, description, location, tz in SERIES:
        insert(
            conn,
            "series",
            [
                {
                    "name": name,
                    "kind_id": ids["kind"][kind],
                    "description": description,
                    "location": location,
                    "mode": "in-person",
                    "lead_side": "co-chaired",
                    "tz": tz,
                    "created": STAMP,
                    "modified": STAMP,
                }
            ],
        )
        (series_id,) = conn.execute("SELECT last_insert_rowid()").fetchone()
        insert(
            conn,
            "series_strand",
            ({"series_id": series_id, "strand_id": ids["strand"][k]} for k in strands),
        )
        insert(
            conn,
            "series_partner",
            ({"series_id": series_id, "partner_id": partner_ids[p]} for p in partners),
        )

    exercise = {k: v for k, v in EXERCISE.items() if k != "strands"}
    insert(conn, "exercise", [{**exercise, "created": STAMP, "modified": STAMP}])
    insert(
        conn,
        "exercise_strand",
        ({"exercise_id": 1, "strand_id": ids["strand"][k]} for k in EXERCISE["strands"]),
    )
    insert(
        conn,
        "exercise_phase",
        (
            {
                "uid": f"fixture-pace-2025-2026-phase-{i}@liaison-calendar",
                "exercise_id": 1,
                "position": i - 1,
                "name": name,
                "phase_type": phase_type,
                "part": part,
                "start_date": start,
                "end_date": end,
                "location": location,
                "sequence": 0,
                "created": STAMP,
                "modified": STAMP,
            }
            for i, (name, phase_type, part, start, end, location) in enumerate(PHASES, start=1)
        ),
    )

    action_number = 0
    for number, m in enumerate(MEETINGS, start=1):
        row = meeting_row(number, m, ids)
        if has_rdates:
            row["rdates"] = json.dumps(m.rdates)
            if m.rdates:
                row["until_utc"] = m.until_with_rdates
        insert(conn, "meeting", [row])
        insert(
            conn,
            "meeting_strand",
            ({"meeting_id": number, "strand_id": ids["strand"][k]} for k in m.strands),
        )
        insert(
            conn,
            "meeting_partner",
            ({"meeting_id": number, "partner_id": partner_ids[p]} for p in m.partners),
        )
        insert(
            conn,
            "meeting_proposal",
            ({"meeting_id": number, "proposal_id": proposal_ids[n]} for n in m.proposals),
        )
        for position, name in enumerate(m.people):
            org, side, role, email = PEOPLE[name]
            insert(
                conn,
                "participant",
                [
                    {
                        "meeting_id": number,
                        "position": position,
                        "name": name,
                        "organisation_id": org_ids[org] if org else None,
                        "side": side,
                        "role": role,
                        "email": email,
                    }
                ],
            )
        insert(
            conn,
            "agenda_item",
            (
                {
                    "meeting_id": number,
                    "position": position,
                    "title": title,
                    "lead": lead,
                    "duration_min": minutes,
                    "notes": "",
                }
                for position, (title, lead, minutes) in enumerate(m.agenda)
            ),
        )
        for position, (text, owner, due, status, carried_from) in enumerate(m.actions):
            action_number += 1
            insert(
                conn,
                "action_item",
                [
                    {
                        "id": action_number,
                        "meeting_id": number,
                        "position": position,
                        "text": text,
                        "owner": owner,
                        "due": due,
                        "status": status,
                        "carried_from_id": carried_from,
                        "created": STAMP,
                        "modified": STAMP,
                    }
                ],
            )
        write_search_row(conn, number, m)

    feeds = list(HAND_MADE_FEEDS)
    if has_revisions:
        # 0002 seeded its feeds when it ran, stamped with that moment: fix the stamp.
        conn.execute("UPDATE feed SET created = ?, modified = ?", (STAMP, STAMP))
    else:
        feeds.insert(0, FEED_ALL_0001)
    insert(
        conn,
        "feed",
        (
            {
                "name": name,
                "title": title,
                "filter_json": flt,
                "privacy": privacy,
                "release_level": level,
                "created": STAMP,
                "modified": STAMP,
            }
            for name, title, flt, privacy, level in feeds
        ),
    )
    insert(conn, "setting", ({"key": k, "value": v} for k, v in SETTINGS))


def write_search_row(conn: sqlite3.Connection, number: int, m: Meeting) -> None:
    """The search row as ``store.queries.fts_update`` writes it."""
    agenda = " ".join(f"{title} {lead}" for title, lead, _ in m.agenda)
    people = " ".join(f"{name} {PEOPLE[name][0] or ''} {PEOPLE[name][2]}" for name in m.people)
    conn.execute(
        "INSERT INTO meeting_fts(rowid, title, description, location, agenda, participants) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (number, m.title, f"{m.description} {m.outcomes}", m.location, agenda, people),
    )


def build(revision: str, target: Path) -> None:
    for stale in (target, *(target.with_name(target.name + s) for s in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    migrate_to(target, revision)
    strides = random.Random(int(revision))
    with closing(sqlite3.connect(target, isolation_level=None)) as conn:
        # The revision triggers of 0002 draw strides with random(): make them repeatable.
        conn.create_function("random", 0, lambda: strides.randrange(-(2**63), 2**63))
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN IMMEDIATE")
        fill(conn, revision)
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise SystemExit(f"{target.name}: broken references {problems}")
        conn.execute("COMMIT")
        # Small pages keep the file small: its 67 tables and indexes (at 0004) hold little, but each
        # takes at least one page (300 KB at SQLite's default 4 KiB). The page size can only
        # change outside WAL mode; the app leaves its files in WAL mode, and so do we.
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("VACUUM")
        conn.execute("PRAGMA journal_mode = WAL")
        (check,) = conn.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise SystemExit(f"{target.name}: {check}")


def main(argv: Sequence[str] = ()) -> None:
    for revision in argv or REVISIONS:
        target = HERE / f"calendar-{revision}.sqlite"
        build(revision, target)
        print(f"{target}: {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
