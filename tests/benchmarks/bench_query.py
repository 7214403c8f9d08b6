"""Query steps: one-month range queries through the service against raw sqlite3 queries of
the same rows, and full-text search.

Twelve different months are queried, each once, so that nothing is answered from what the
previous run remembered; the raw query of a month runs right before the service's, so that
both see the same machine. Both range queries count: ``occurrences`` (full read models, as
the exports, reports and the command line read them) and ``briefs`` (what the views read).
"""

import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.services.context import Services
from liaison_calendar.store import briefs
from liaison_calendar.store.stamps import utc_text
from tests.benchmarks.dataset import NOW, peak_mib

SEARCHED = [
    "Cyber", "Kyiv", "hybrid maritime", "moldova", "Staff Talks", "PACE", "St", "S",
    "Participant 2", "resilience", "Structured Dialogue Mobility", "agenda item",
]  # fmt: skip


def _raw(columns: str) -> str:
    """The rows overlapping a month, by the indexes the service uses (meetings of up to 31
    days start at most 31 days before it; repeating ones by their own index)."""
    return (
        f"SELECT {columns} FROM meeting m WHERE m.rrule IS NULL AND m.start_utc >= :early "
        "AND m.start_utc < :hi AND m.end_utc > :lo "
        f"UNION ALL SELECT {columns} FROM meeting m WHERE m.rrule IS NOT NULL "
        "AND m.start_utc < :hi AND (m.until_utc IS NULL OR m.until_utc > :lo)"
    )


def _months() -> list[tuple[datetime, datetime]]:
    firsts = [datetime(2026 + (m // 12), m % 12 + 1, 1, tzinfo=UTC) for m in range(13)]
    return list(zip(firsts, firsts[1:], strict=False))


def step_query(db: str) -> dict[str, Any]:
    from liaison_calendar.store import queries

    svc = Services.open(Path(db), FixedClock(NOW))
    svc.queries.search("warm")  # loads what searching needs once, as the app has by then
    svc.queries.occurrences(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC))
    full_sql, brief_sql = _raw(queries.MEETING_COLUMNS), _raw(briefs.COLUMNS)
    result: dict[str, Any] = {k: [] for k in ("raw_ms", "range_ms", "raw_brief_ms", "brief_ms")}
    rows = occurrences = 0
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA cache_size = -32768")  # as the app's own connections
        for lo, hi in _months():
            bounds = {
                "early": utc_text(lo - timedelta(days=31)),
                "lo": utc_text(lo),
                "hi": utc_text(hi),
            }
            for sql, service, raw_key, key in (
                (full_sql, svc.queries.occurrences, "raw_ms", "range_ms"),
                (brief_sql, svc.queries.briefs, "raw_brief_ms", "brief_ms"),
            ):
                t0 = time.perf_counter()
                found = conn.execute(sql, bounds).fetchall()
                t1 = time.perf_counter()
                served = service(lo, hi)
                t2 = time.perf_counter()
                result[raw_key].append((t1 - t0) * 1000)
                result[key].append((t2 - t1) * 1000)
            rows += len(found)
            occurrences += len(served)
    search_ms = []
    for _ in range(3):
        for text in SEARCHED:
            t0 = time.perf_counter()
            svc.queries.search(text, limit=50)
            search_ms.append((time.perf_counter() - t0) * 1000)
    svc.close()
    result.update(
        search_ms=search_ms,
        rows_per_month=rows / 12,
        occurrences_per_month=occurrences / 12,
        peak_mib=peak_mib(),
    )
    return result
