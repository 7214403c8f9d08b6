"""Sync at scale, run on purpose: a first sync of N meetings, then an incremental sync of a few
changes, through real servers on loopback, with figures printed.

    uv run python -m tests.sync.scale [--meetings 1000] [--changes 15] [--servers radicale,xandikos]

For each server it measures, in the same run:

- the baseline: N plain conditional PUTs of the same resources straight through ``caldav``'s
  client (what any client pays the server), and one sync-collection REPORT with a token after
  ``--changes`` changes;
- the first sync of a calendar holding N meetings (render, check, PUT each, record), its
  ms per meeting and its ratio to the baseline;
- the first sync of a second, empty database (reads all N back: sync-collection, multiget,
  apply);
- an incremental sync of ``--changes`` edits made on the first database, on both sides:
  the one sending and the one receiving, against the baseline REPORT.

Nothing here asserts a time: the figures are for people (README, "Sharing through CalDAV").
"""

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from liaison_calendar.domain.models import MeetingDraft, MeetingPatch
from liaison_calendar.services.context import Services
from liaison_calendar.sync.remote import Remote, joined, resource_name
from tests.sync.servers import Radicale, Xandikos

STRANDS = ["hybrid", "operational", "cyber", "capabilities", "exercises", "capacity-building"]
KINDS = ["staff-talks", "structured-dialogue", "operational-talks", "cross-briefing"]
ZONES = ["Europe/Brussels", "America/New_York", "Europe/Kyiv"]


def drafts(count: int) -> list[MeetingDraft]:
    start = datetime(2027, 1, 4, 9, 0)
    out = []
    for i in range(count):
        when = start + timedelta(days=i // 4, hours=2 * (i % 4))
        out.append(
            MeetingDraft(
                title=f"EU-NATO {KINDS[i % 4].replace('-', ' ')} #{i}",
                kind=KINDS[i % 4],
                start=when,
                end=when + timedelta(hours=1, minutes=30),
                tz=ZONES[i % 3],
                strands=[STRANDS[i % 6], STRANDS[(i + 2) % 6]],
                location="EEAS, Brussels" if i % 2 else "NATO HQ, Brussels",
                description=f"Agenda and follow-up of meeting {i}.",
                rrule="FREQ=WEEKLY;COUNT=10" if i % 25 == 0 else None,
            )
        )
    return out


def timed(work: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = work()
    return time.perf_counter() - began, result


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline(
    server: Radicale | Xandikos, resources: dict[str, bytes], changes: int
) -> dict[str, float]:
    """Plain conditional PUTs and one sync-collection through the library, no app around."""
    collection = server.make_calendar("baseline")
    remote = Remote(server.url, server.user, server.password)
    puts = []
    etags = {}
    for uid, data in resources.items():
        href = joined(collection, resource_name(uid))
        began = time.perf_counter()
        etags[uid] = (href, remote.create(href, data))
        puts.append(time.perf_counter() - began)
    token = remote.changes(collection, None).token
    for uid in list(etags)[:changes]:
        href, etag = etags[uid]
        remote.update(href, resources[uid].replace(b"Agenda", b"Agenda!"), etag)
    seconds, _ = timed(lambda: remote.changes(collection, token))
    remote.close()
    return {
        "put_ms": statistics.median(puts) * 1000,
        "all_puts_s": sum(puts),
        "report_ms": seconds * 1000,
    }


def one_server(kind: str, meetings: int, changes: int, folder: Path) -> None:
    server_class = Radicale if kind == "radicale" else Xandikos
    with server_class(folder / kind) as server:
        first = Services.open(folder / f"{kind}-first.sqlite")
        second = Services.open(folder / f"{kind}-second.sqlite")
        created = [first.meetings.create(d) for d in drafts(meetings)]
        resources, _ = first.feeds.resources()
        base = baseline(server, resources, changes)
        for svc in (first, second):
            svc.sync.add_account(
                "team", server.url, server.user, server.password, calendar=server.calendar_url
            )
        push_s, runs = timed(lambda: first.sync.run())
        (push,) = runs  # type: ignore[misc]
        pull_s, runs = timed(lambda: second.sync.run())
        (pull,) = runs  # type: ignore[misc]
        if push.error or pull.error:
            raise SystemExit(f"sync failed: {push.error or pull.error}")
        uids = [m.uid for m in created][:changes]
        for n, uid in enumerate(uids):
            first.meetings.edit(uid, MeetingPatch(location=f"Room {n}, Berlaymont"))
        send_s, runs = timed(lambda: first.sync.run())
        (send,) = runs  # type: ignore[misc]
        receive_s, runs = timed(lambda: second.sync.run())
        (receive,) = runs  # type: ignore[misc]
        idle_s, _ = timed(lambda: second.sync.run())
        print(f"\n{kind}: {meetings} meetings, {changes} changes")
        print(
            f"  baseline: PUT {base['put_ms']:.1f} ms median ({base['all_puts_s']:.2f} s for all), "
            f"sync-collection after {changes} changes {base['report_ms']:.1f} ms"
        )
        print(
            f"  first sync, sending {push.pushed}: {push_s:.2f} s "
            f"({push_s / max(1, push.pushed) * 1000:.1f} ms per meeting, "
            f"{push_s / base['all_puts_s']:.2f}x the plain PUTs)"
        )
        print(
            f"  first sync, receiving {pull.pulled}: {pull_s:.2f} s "
            f"({pull_s / max(1, pull.pulled) * 1000:.1f} ms per meeting)"
        )
        print(f"  incremental, sending {send.pushed}: {send_s * 1000:.0f} ms")
        print(
            f"  incremental, receiving {receive.pulled}: {receive_s * 1000:.0f} ms "
            f"({receive_s * 1000 / base['report_ms']:.1f}x one bare REPORT)"
        )
        print(f"  nothing to do: {idle_s * 1000:.0f} ms")
        print(f"  peak memory of this process so far: {peak_mib():.0f} MiB")
        mine, _ = first.feeds.resources()
        theirs, _ = second.feeds.resources()
        differ = [uid for uid in mine.keys() | theirs.keys() if mine.get(uid) != theirs.get(uid)]
        print(f"  both databases in step: {'yes' if not differ else f'NO, {len(differ)} differ'}")
        if differ:
            raise SystemExit(f"not in step: {differ[:3]}")
        first.close()
        second.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=15)
    parser.add_argument("--servers", default="radicale,xandikos")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="liaison-sync-scale-") as tmp:
        for kind in args.servers.split(","):
            one_server(kind.strip(), args.meetings, args.changes, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
