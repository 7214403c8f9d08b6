"""Export and publish steps.

``step_export`` exports the whole calendar to a file with nothing stored yet (cold: every
VEVENT is built) and then three times more (warm: every VEVENT is read back as stored).
``step_publish`` keeps 20 feeds: after one edit, only the feeds holding the edited meeting are
written again; the same publish with nothing changed is measured beside it.
"""

import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.models import FeedDraft, MeetingFilter, MeetingPatch
from liaison_calendar.services.context import Services
from liaison_calendar.services.feeds import ExportScope
from tests.benchmarks.dataset import NOW, PARTNERS, peak_mib

FEEDS = 20
EDITS = 7


def step_export(db: str, out: str) -> dict[str, Any]:
    svc = Services.open(Path(db), FixedClock(NOW))
    target = Path(out)
    t0 = time.perf_counter()
    cold = svc.feeds.export_file(target, ExportScope())
    cold_ms = (time.perf_counter() - t0) * 1000
    warm_ms = []
    for _ in range(3):
        t1 = time.perf_counter()
        warm = svc.feeds.export_file(target, ExportScope())
        warm_ms.append((time.perf_counter() - t1) * 1000)
    svc.close()
    return {
        "events": cold.events,
        "built_cold": cold.serialised,
        "built_warm": warm.serialised,
        "cold_ms": cold_ms,
        "warm_ms": warm_ms,
        "file_mib": target.stat().st_size / 2**20,
        "peak_mib": peak_mib(),
    }


def step_publish(db: str) -> dict[str, Any]:
    svc = Services.open(Path(db), FixedClock(NOW))
    for partner in PARTNERS:
        if len(svc.feeds.list()) >= FEEDS:
            break
        name = f"partner-{partner.split()[0].lower()}"
        svc.feeds.add(FeedDraft(name=name, filter=MeetingFilter(partners=[partner])))
    feeds = len(svc.feeds.list())
    folder = Path(tempfile.mkdtemp(prefix="liaison-bench-feeds-"))
    svc.feeds.publish(folder)  # the first publish writes everything: not measured
    with closing(sqlite3.connect(db)) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM meeting WHERE master_id IS NULL")]
    unchanged_ms, after_edit_ms, rewritten = [], [], []
    for k in range(EDITS):
        t0 = time.perf_counter()
        svc.feeds.publish(folder)
        unchanged_ms.append((time.perf_counter() - t0) * 1000)
        edited = ids[(k * len(ids)) // EDITS]
        svc.meetings.edit(edited, MeetingPatch(location=f"EEAS, Brussels, room {k}"))
        t1 = time.perf_counter()
        report = svc.feeds.publish(folder)
        after_edit_ms.append((time.perf_counter() - t1) * 1000)
        rewritten.append(sum(1 for r in report if r.change != "unchanged"))
    svc.close()
    return {
        "feeds": feeds,
        "unchanged_ms": unchanged_ms,
        "after_edit_ms": after_edit_ms,
        "rewritten": rewritten,
        "peak_mib": peak_mib(),
    }
