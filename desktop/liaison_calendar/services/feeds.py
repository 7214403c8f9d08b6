"""Export to iCalendar, saved feed definitions, and publishing feeds into a folder.

Each meeting's VEVENT text is kept (per privacy level) with the meeting's revision, which the
database bumps on any change to the meeting or to what is exported with it. An export then
serialises only the meetings that changed since the last one and assembles the rest from stored
bytes, so publishing every feed after an edit costs little more than writing the files.
"""

import builtins
import contextlib
import errno
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlmodel import col, select

from liaison_calendar.domain.clock import Clock
from liaison_calendar.domain.enums import Privacy, ReleaseLevel, Status
from liaison_calendar.domain.models import Feed, FeedDraft, MeetingFilter
from liaison_calendar.errors import LiaisonError, NotFoundError, ValidationError
from liaison_calendar.ical import export as ical
from liaison_calendar.services.catalog import CatalogService
from liaison_calendar.services.exercises import ExerciseService
from liaison_calendar.services.queries import QueryService
from liaison_calendar.store import queries
from liaison_calendar.store.database import Database
from liaison_calendar.store.tables import FeedRecord

FEED_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_CHUNK = 1000


class PublishError(LiaisonError):
    """A feed folder that cannot be written (missing, read-only, full)."""


@dataclass(frozen=True)
class ExportScope:
    """What goes into one calendar file."""

    filter: MeetingFilter = field(default_factory=MeetingFilter)
    privacy: Privacy = Privacy.FULL
    release_level: ReleaseLevel = ReleaseLevel.STAFF
    window: tuple[datetime, datetime] | None = None
    title: str = "Liaison Calendar"


@dataclass(frozen=True)
class ExportResult:
    events: int
    serialised: int  # VEVENTs built anew (the rest came from stored text)
    size: int  # bytes written


@dataclass(frozen=True)
class PublishedFeed:
    name: str
    path: Path
    change: str  # "created", "updated" or "unchanged"
    events: int


@dataclass
class _Event:
    key: tuple[str, str]
    text: bytes


def feed_file_name(name: str) -> str:
    if not FEED_NAME.match(name):
        raise ValidationError(
            f"{name!r} cannot be a feed name: use letters, digits, '.', '-' or '_' "
            "(no spaces or path separators), at most 64 characters."
        )
    return f"{name}.ics"


class FeedService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        catalog: CatalogService,
        exercises: ExerciseService,
        queries_service: QueryService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._catalog = catalog
        self._exercises = exercises
        self._queries = queries_service
        # (meeting id, privacy) -> (revision of the meeting, revision of its master, VEVENT)
        self._stored: dict[tuple[int, Privacy], tuple[int, int, bytes]] = {}
        self._signature = ""

    # --- feed definitions -----------------------------------------------------------------

    def list(self) -> list[Feed]:
        with self._db.reading() as session:
            rows = session.exec(select(FeedRecord).order_by(col(FeedRecord.name))).all()
            return [_to_feed(r) for r in rows]

    def get(self, name: str) -> Feed:
        with self._db.reading() as session:
            row = session.exec(select(FeedRecord).where(col(FeedRecord.name) == name)).first()
            if row is None:
                raise NotFoundError(f"There is no feed {name!r} (see 'liaison feeds list').")
            return _to_feed(row)

    def add(self, draft: FeedDraft) -> Feed:
        feed_file_name(draft.name)
        self._catalog.check_filter(draft.filter)
        now = self._clock.now()
        with self._db.transaction() as session:
            taken = session.exec(
                select(col(FeedRecord.id)).where(col(FeedRecord.name) == draft.name)
            ).first()
            if taken is not None:
                raise ValidationError(f"A feed called {draft.name!r} already exists.")
            row = FeedRecord(
                name=draft.name,
                title=draft.title.strip() or f"Liaison Calendar: {draft.name}",
                filter_json=draft.filter.model_dump_json(exclude_defaults=True),
                privacy=str(draft.privacy),
                release_level=str(draft.release_level),
                created=now,
                modified=now,
            )
            session.add(row)
            session.flush()
            return _to_feed(row)

    def remove(self, name: str) -> Feed:
        with self._db.transaction() as session:
            row = session.exec(select(FeedRecord).where(col(FeedRecord.name) == name)).first()
            if row is None:
                raise NotFoundError(f"There is no feed {name!r} (see 'liaison feeds list').")
            feed = _to_feed(row)
            session.delete(row)
            return feed

    # --- export ---------------------------------------------------------------------------

    def export_bytes(self, scope: ExportScope) -> bytes:
        return b"".join(self._chunks(scope, _Counter()))

    def export_to(self, out: BinaryIO, scope: ExportScope) -> ExportResult:
        """Write one VCALENDAR to an open binary stream."""
        counter = _Counter()
        size = 0
        for chunk in self._chunks(scope, counter):
            out.write(chunk)
            size += len(chunk)
        return ExportResult(counter.events, counter.serialised, size)

    def export_file(self, path: Path, scope: ExportScope) -> ExportResult:
        """Write one VCALENDAR to ``path`` atomically (temp file, fsync, rename)."""
        folder = _check_folder(path.parent)
        counter = _Counter()
        size = _write_atomically(folder, path.name, self._chunks(scope, counter))
        return ExportResult(counter.events, counter.serialised, size)

    def scope_of(self, feed: Feed) -> ExportScope:
        return ExportScope(
            filter=feed.filter,
            privacy=feed.privacy,
            release_level=feed.release_level,
            title=feed.title or feed.name,
        )

    def publish(
        self, directory: Path, names: Sequence[str] | None = None
    ) -> builtins.list[PublishedFeed]:
        """Write every feed (or those named) as ``DIR/NAME.ics``; unchanged files stay as they are.

        Each file is replaced atomically, so a subscriber never reads half a feed, and a failure
        leaves the file it was writing (and every other) as it was.
        """
        folder = _check_folder(directory)
        feeds = self.list() if names is None else [self.get(n) for n in names]
        for feed in feeds:
            feed_file_name(feed.name)
        report = []
        for feed in feeds:
            counter = _Counter()
            content = b"".join(self._chunks(self.scope_of(feed), counter))
            target = folder / feed_file_name(feed.name)
            change = "created"
            if target.exists():
                change = "updated"
                try:
                    if target.stat().st_size == len(content) and target.read_bytes() == content:
                        change = "unchanged"
                except OSError:
                    pass
            if change != "unchanged":
                _write_atomically(folder, target.name, [content])
            report.append(PublishedFeed(feed.name, target, change, counter.events))
        return report

    # --- assembling -----------------------------------------------------------------------

    def _chunks(self, scope: ExportScope, counter: "_Counter") -> Iterator[bytes]:
        self._catalog.check_filter(scope.filter)
        names = ical.Names(
            kinds={k.key: k.name for k in self._catalog.kinds()},
            strands={s.key: s.name for s in self._catalog.strands()},
        )
        exercises = self._exercises.list()
        phases = {p.id: ical.PhaseOf(ex, p) for ex in exercises for p in ex.phases}
        with self._db.reading() as session:
            signature = queries.catalogue_signature(session)
            rows = queries.export_rows(session)
            if scope.window is None:
                matched = set(queries.filtered_ids(session, scope.filter))
        if signature != self._signature:
            self._stored.clear()
            self._signature = signature
        if scope.window is not None:
            lo, hi = scope.window
            matched = {o.meeting.id for o in self._queries.occurrences(lo, hi, scope.filter)}
        chosen, extra_exdates = _choose(rows, matched, scope.release_level)
        self._serialise_missing(rows, chosen, scope.privacy, names, phases, counter)
        events: list[_Event] = []
        earliest: dict[str, str] = {}
        for mid in chosen:
            row = rows[mid]
            text = self._stored[(mid, scope.privacy)][2]
            if mid in extra_exdates:
                text = ical.with_exdates(
                    text.decode("utf-8"), extra_exdates[mid], row.tz, row.all_day
                ).encode("utf-8")
            events.append(_Event((row.uid, row.recurrence_id or ""), text))
            if not row.all_day and (row.tz not in earliest or row.start_utc < earliest[row.tz]):
                earliest[row.tz] = row.start_utc
        for link in _phases_in(phases, scope):
            text = ical.phase_vevent(link, names, scope.privacy).encode("utf-8")
            events.append(_Event((link.phase.uid, ""), text))
        if scope.privacy is Privacy.BUSY:
            events.sort(key=lambda e: (ical.busy_uid(e.key[0]), e.key[1]))
        else:
            events.sort(key=lambda e: e.key)
        counter.events = len(events)
        header = ical.Header(
            title=scope.title, refresh_minutes=self._catalog.setting("feed_refresh_minutes")
        )
        zones = {tz: _utc(text) for tz, text in earliest.items()}
        yield from ical.calendar_chunks(header, zones, (e.text for e in events))

    def _serialise_missing(
        self,
        rows: dict[int, queries.ExportRow],
        chosen: Iterable[int],
        privacy: Privacy,
        names: ical.Names,
        phases: dict[int, ical.PhaseOf],
        counter: "_Counter",
    ) -> None:
        missing = []
        for mid in chosen:
            row = rows[mid]
            master_rev = rows[row.master_id].revision if row.master_id in rows else 0
            stored = self._stored.get((mid, privacy))
            if stored is None or stored[0] != row.revision or stored[1] != master_rev:
                missing.append(mid)
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            with self._db.reading() as session:
                details = queries.load_details(session, chunk)
            for mid, detail in details.items():
                row = rows[mid]
                master = rows.get(row.master_id) if row.master_id is not None else None
                text = ical.meeting_vevent(
                    detail,
                    names,
                    privacy,
                    master_tz=master.tz if master else None,
                    phase=phases.get(row.exercise_phase_id) if row.exercise_phase_id else None,
                )
                self._stored[(mid, privacy)] = (
                    row.revision,
                    master.revision if master else 0,
                    text.encode("utf-8"),
                )
            counter.serialised += len(details)


@dataclass
class _Counter:
    events: int = 0
    serialised: int = 0


def _utc(stored: str) -> datetime:
    return datetime.strptime(stored, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _choose(
    rows: dict[int, queries.ExportRow], matched: set[int], level: ReleaseLevel
) -> tuple[list[int], dict[int, list[str]]]:
    """The rows of a file: matching masters and single meetings, every override of a chosen
    master, nothing above the release level. An override that may not be shown hides its
    occurrence (an extra EXDATE on the master) rather than letting the master's version show."""

    def allowed(row: queries.ExportRow) -> bool:
        return ReleaseLevel(row.release_level).rank <= level.rank

    masters = set()
    for mid in matched:
        row = rows.get(mid)
        if row is None:
            continue
        top = row.master_id if row.master_id is not None else mid
        if top in rows and allowed(rows[top]):
            masters.add(top)
    chosen = sorted(masters)
    extra: dict[int, list[str]] = {}
    for row in rows.values():
        if row.master_id in masters:
            if allowed(row):
                chosen.append(row.id)
            elif row.recurrence_id is not None:
                extra.setdefault(row.master_id, []).append(row.recurrence_id)
    return chosen, extra


def _phases_in(phases: dict[int, ical.PhaseOf], scope: ExportScope) -> list[ical.PhaseOf]:
    """Exercise phases without a meeting of their own that the scope takes in."""
    flt = scope.filter
    if flt.partners or flt.series or flt.search:
        return []
    if flt.kinds and "exercise-phase" not in flt.kinds:
        return []
    if flt.statuses and Status.CONFIRMED not in flt.statuses:
        return []
    found = []
    for link in phases.values():
        ex, ph = link.exercise, link.phase
        if ph.meeting_id is not None:
            continue
        if ex.release_level.rank > scope.release_level.rank:
            continue
        if flt.strands and not set(flt.strands) & set(ex.strands):
            continue
        if scope.window is not None:
            lo, hi = scope.window
            last_day = (hi - timedelta(microseconds=1)).date()
            if not (ph.start <= last_day and ph.end > lo.date()):
                continue
        found.append(link)
    return found


def _to_feed(row: FeedRecord) -> Feed:
    assert row.id is not None
    return Feed(
        id=row.id,
        name=row.name,
        title=row.title,
        filter=MeetingFilter.model_validate(json.loads(row.filter_json or "{}")),
        privacy=Privacy(row.privacy),
        release_level=ReleaseLevel(row.release_level),
    )


# --- writing files -----------------------------------------------------------------------------


def _check_folder(folder: Path) -> Path:
    if not folder.exists():
        raise PublishError(f"The folder {folder} does not exist.")
    if not folder.is_dir():
        raise PublishError(f"{folder} is not a folder.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PublishError(f"The folder {folder} is not writable.")
    return folder


def _write_atomically(folder: Path, name: str, chunks: Iterable[bytes]) -> int:
    """Write ``folder/name`` through a temp file in the same folder: fsync, then rename over."""
    target = folder / name
    size = 0
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise PublishError(f"Could not write {target}: {_reason(exc)}.") from None
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        if target.exists():
            os.chmod(temp, target.stat().st_mode & 0o777)
        else:
            os.chmod(temp, 0o644)
        os.replace(temp, target)
    except OSError as exc:
        _remove_quietly(temp)
        raise PublishError(f"Could not write {target}: {_reason(exc)}.") from None
    except BaseException:
        _remove_quietly(temp)
        raise
    _sync_folder(folder)
    return size


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    return exc.strerror or str(exc)


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
