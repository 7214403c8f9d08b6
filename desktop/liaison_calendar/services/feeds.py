"""Export to iCalendar, saved feed definitions, and publishing feeds into a folder.

Each meeting's VEVENT text is kept (per privacy level) with the meeting's revision, which the
database bumps on any change to the meeting or to what is exported with it. An export then
serialises only the meetings that changed since the last one and assembles the rest from stored
bytes, so publishing every feed after an edit costs little more than writing the files.
"""

import builtins
import contextlib
import json
import os
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlmodel import Session, col, select

from liaison_calendar.domain.clock import Clock
from liaison_calendar.domain.enums import Privacy, ReleaseLevel, Status
from liaison_calendar.domain.models import Feed, FeedDraft, MeetingFilter
from liaison_calendar.errors import LiaisonError, NotFoundError, ValidationError
from liaison_calendar.files import write_atomically
from liaison_calendar.ical import export as ical
from liaison_calendar.ical.export import PRODID
from liaison_calendar.services.catalog import CatalogService, Vocabulary, validate_filter
from liaison_calendar.services.exercises import ExerciseService
from liaison_calendar.services.queries import QueryService
from liaison_calendar.store import queries
from liaison_calendar.store.database import Database
from liaison_calendar.store.tables import FeedRecord

FEED_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_CHUNK = 250
_WRITE_BATCH = 512


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
    change: str  # "created", "updated", "unchanged" or "failed"
    events: int
    error: str = ""


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
        # privacy -> meeting id -> (revision of the meeting, revision of its master, VEVENT)
        self._stored: dict[Privacy, dict[int, tuple[int, int, bytes]]] = {p: {} for p in Privacy}
        self._catalogue: dict[str, dict[Any, tuple[Any, ...]]] = {}
        self._index = _Index()
        # Stored text and the index are shared: the app publishes and syncs from two threads.
        self._lock = threading.RLock()
        # file -> (fingerprint of what was written, its size/mtime/inode right after)
        self._published: dict[Path, tuple[int, tuple[int, int, int]]] = {}
        # The CalDAV resources last built, with the state of the calendar they show.
        self._resources: tuple[object, dict[str, bytes]] | None = None

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
            # Windows and macOS file names ignore case: "Cyber" and "cyber" would be one file.
            taken = [
                n
                for n in session.exec(select(col(FeedRecord.name))).all()
                if n.casefold() == draft.name.casefold()
            ]
            if taken:
                raise ValidationError(f"A feed called {taken[0]!r} already exists.")
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

    # Each export or publish reads everything it writes in one read transaction, so a file
    # never mixes two states of the calendar (an edit saved meanwhile waits for the next one).

    def export_bytes(self, scope: ExportScope) -> bytes:
        with self._lock, self._db.reading() as session:
            snap = self._snapshot(session)
            return b"".join(self._render(session, snap, scope, _Counter()))

    def export_to(self, out: BinaryIO, scope: ExportScope) -> ExportResult:
        """Write one VCALENDAR to an open binary stream."""
        counter = _Counter()
        size = 0
        with self._lock, self._db.reading() as session:
            snap = self._snapshot(session)
            for chunk in self._render(session, snap, scope, counter):
                out.write(chunk)
                size += len(chunk)
        return ExportResult(counter.events, counter.serialised, size)

    def export_file(self, path: Path, scope: ExportScope) -> ExportResult:
        """Write one VCALENDAR to ``path`` atomically (temp file, fsync, rename)."""
        folder = _check_folder(path.parent)
        counter = _Counter()
        with self._lock, self._db.reading() as session:
            snap = self._snapshot(session)
            chunks = self._render(session, snap, scope, counter)
            size = _write_atomically(folder, path.name, chunks)
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
        leaves the file it was writing (and every other) as it was. A feed whose events and
        settings are those this service last wrote, to a file nobody touched since, is not even
        assembled.
        """
        folder = _check_folder(directory)
        feeds = self.list() if names is None else [self.get(n) for n in names]
        for feed in feeds:
            feed_file_name(feed.name)
        report = []
        with self._lock, self._db.reading() as session:
            snap = self._snapshot(session)
            for feed in feeds:
                report.append(self._publish_one(session, snap, feed, folder))
        return report

    def _publish_one(
        self, session: Session, snap: "_Snapshot", feed: Feed, folder: Path
    ) -> PublishedFeed:
        scope = self.scope_of(feed)
        target = folder / feed_file_name(feed.name)
        try:
            plan = self._plan(session, snap, scope)
        except (ValidationError, NotFoundError) as exc:
            # One feed gone bad (say, its series was deleted) must not stop the others.
            return PublishedFeed(feed.name, target, "failed", 0, exc.message)
        on_disk = _stat_key(target)
        if on_disk is not None and self._published.get(target) == (plan.fingerprint, on_disk):
            return PublishedFeed(feed.name, target, "unchanged", plan.events)
        counter = _Counter()
        content = b"".join(self._render(session, snap, scope, counter, plan))
        change = "created" if on_disk is None else "updated"
        if on_disk is not None and on_disk[0] == len(content):
            with contextlib.suppress(OSError):
                if target.read_bytes() == content:
                    change = "unchanged"
        if change != "unchanged":
            _write_atomically(folder, target.name, [content])
        stat = _stat_key(target)
        if stat is not None:
            self._published[target] = (plan.fingerprint, stat)
        return PublishedFeed(feed.name, target, change, counter.events)

    # --- CalDAV resources --------------------------------------------------------------------

    def resources(
        self, routes: Sequence[MeetingFilter] = ()
    ) -> tuple[dict[str, bytes], builtins.list[set[str]]]:
        """Every meeting as a CalDAV resource, one per UID (a series with its changed
        occurrences), holding all there is (full privacy, every release level), and each
        exercise phase without a meeting as one of its own; and, for each
        filter of ``routes``, the UIDs whose meeting (or series) it matches.

        Built from the same stored VEVENT text as the feeds, so a sync after one edit renders
        one meeting.
        """
        with self._lock, self._db.reading() as session:
            snap = self._snapshot(session)
            rows = snap.rows
            key = (
                self._index.state,
                snap.signature,
                tuple(
                    (
                        p.phase.uid,
                        p.phase.meeting_id,
                        p.phase.sequence,
                        p.phase.modified,
                        p.exercise,
                    )
                    for p in snap.phases.values()
                ),
            )
            if self._resources is not None and self._resources[0] == key:
                out = self._resources[1]  # nothing changed since: a sync with nothing to do
            else:
                out = self._resources_of(session, snap)
                self._resources = (key, out)
            matched = [
                {rows[mid].uid for mid in self._index.matching(session, flt) if mid in rows}
                | {
                    link.phase.uid
                    for link in _phases_in(
                        snap.phases, ExportScope(filter=flt, release_level=ReleaseLevel.RESTRICTED)
                    )
                }
                for flt in routes
            ]
        return dict(out), matched

    def _resources_of(self, session: Session, snap: "_Snapshot") -> dict[str, bytes]:
        rows = snap.rows
        self._serialise_missing(session, rows, rows, Privacy.FULL, snap, _Counter())
        stored = self._stored[Privacy.FULL]
        groups: dict[str, builtins.list[int]] = {}
        for mid in sorted(rows, key=lambda i: rows[i].recurrence_id or ""):
            groups.setdefault(rows[mid].uid, []).append(mid)
        out: dict[str, bytes] = {}
        for uid, mids in groups.items():
            earliest: dict[str, int] = {}
            for mid in mids:
                row = rows[mid]
                if not row.all_day and row.start_year < earliest.get(row.tz, 10_000):
                    earliest[row.tz] = row.start_year
            zones = {tz: datetime(year, 1, 1, tzinfo=UTC) for tz, year in earliest.items()}
            out[uid] = ical.resource_bytes(zones, (stored[mid][2] for mid in mids))
        everything = ExportScope(release_level=ReleaseLevel.RESTRICTED)
        for link in _phases_in(snap.phases, everything):
            text = ical.phase_vevent(link, snap.names, Privacy.FULL).encode("utf-8")
            out[link.phase.uid] = ical.resource_bytes({}, [text])
        return out

    # --- assembling -----------------------------------------------------------------------

    def _snapshot(self, session: Session) -> "_Snapshot":
        """What every file of one export or publish run shares, read once."""
        state = queries.catalogue_state(session)
        if _renamed(self._catalogue, state):
            # A name that stored text shows has changed: every stored text may be stale.
            for stored in self._stored.values():
                stored.clear()
        self._catalogue = state
        names = ical.Names(
            kinds={key: name for _, key, name in state["kind"].values()},
            strands={key: name for _, key, name in state["strand"].values()},
        )
        vocabulary = Vocabulary(
            kinds=frozenset(names.kinds),
            strands=frozenset(names.strands),
            series=frozenset(str(name).casefold() for _, name in state["series"].values()),
        )
        exercises = self._exercises.list_in(session)
        phases = {p.id: ical.PhaseOf(ex, p) for ex in exercises for p in ex.phases}
        gone = self._index.refresh(session)
        for stored in self._stored.values():
            for mid in gone:
                stored.pop(mid, None)
        refresh = int(self._catalog.setting("feed_refresh_minutes"))
        signature = hash(tuple((t, tuple(sorted(rows.items()))) for t, rows in state.items()))
        return _Snapshot(names, phases, self._index.rows, signature, refresh, vocabulary)

    def _plan(self, session: Session, snap: "_Snapshot", scope: ExportScope) -> "_Plan":
        validate_filter(scope.filter, snap.vocabulary)
        if scope.filter.search:
            raise ValidationError("A feed or an export cannot filter by search text.")
        if scope.window is None:
            matched = self._index.matching(session, scope.filter)
        else:
            lo, hi = scope.window
            matched = {o.meeting.id for o in self._queries.occurrences(lo, hi, scope.filter)}
        hidden = {  # meetings of an exercise this file may not show
            pid
            for pid, link in snap.phases.items()
            if link.exercise.release_level.rank > scope.release_level.rank
        }
        chosen, extra = _choose(
            snap.rows, self._index.overrides(), matched, scope.release_level, hidden
        )
        phases = _phases_in(snap.phases, scope)
        rows = snap.rows
        stamps = tuple(
            (mid, rows[mid].revision, rows[m].revision if (m := rows[mid].master_id) else 0)
            for mid in chosen
        )
        fingerprint = hash(
            (
                stamps,
                tuple(sorted((k, tuple(sorted(v))) for k, v in extra.items())),
                tuple(p.phase.uid for p in phases),
                snap.signature,
                snap.refresh_minutes,
                scope.title,
                scope.privacy,
                PRODID,
            )
        )
        return _Plan(chosen, extra, phases, fingerprint)

    def _render(
        self,
        session: Session,
        snap: "_Snapshot",
        scope: ExportScope,
        counter: "_Counter",
        plan: "_Plan | None" = None,
    ) -> Iterator[bytes]:
        plan = plan or self._plan(session, snap, scope)
        rows = snap.rows
        self._serialise_missing(session, rows, plan.chosen, scope.privacy, snap, counter)
        uids: list[str] = []
        rids: list[str] = []
        texts: list[bytes] = []
        earliest: dict[str, int] = {}
        privacy = scope.privacy
        stored = self._stored[privacy]
        for mid in plan.chosen:
            row = rows[mid]
            text = stored[mid][2]
            if mid in plan.extra_exdates:
                text = ical.with_exdates(
                    text.decode("utf-8"), plan.extra_exdates[mid], row.tz, bool(row.all_day)
                ).encode("utf-8")
            uids.append(row.uid)
            rids.append(row.recurrence_id or "")
            texts.append(text)
            if not row.all_day and row.start_year < earliest.get(row.tz, 10_000):
                earliest[row.tz] = row.start_year
        for link in plan.phases:
            uids.append(link.phase.uid)
            rids.append("")
            texts.append(ical.phase_vevent(link, snap.names, privacy).encode("utf-8"))
        if privacy is Privacy.BUSY:
            uids = [ical.busy_uid(u) for u in uids]
        # Ordered by UID, then RECURRENCE-ID: two stable sorts, no key tuples to build.
        order = sorted(range(len(texts)), key=rids.__getitem__)
        order.sort(key=uids.__getitem__)
        texts = [texts[i] for i in order]
        del order, uids, rids
        counter.events = len(texts)
        header = ical.Header(title=scope.title, refresh_minutes=snap.refresh_minutes)
        zones = {tz: datetime(year, 1, 1, tzinfo=UTC) for tz, year in earliest.items()}
        # Bigger pieces make fewer writes; the texts themselves are shared, not copied.
        pieces = (b"".join(texts[i : i + _WRITE_BATCH]) for i in range(0, len(texts), _WRITE_BATCH))
        yield from ical.calendar_chunks(header, zones, pieces)

    def _serialise_missing(
        self,
        session: Session,
        rows: dict[int, queries.ExportRow],
        chosen: Iterable[int],
        privacy: Privacy,
        snap: "_Snapshot",
        counter: "_Counter",
    ) -> None:
        missing = []
        cache = self._stored[privacy]
        for mid in chosen:
            row = rows[mid]
            master_rev = rows[row.master_id].revision if row.master_id in rows else 0
            stored = cache.get(mid)
            if stored is None or stored[0] != row.revision or stored[1] != master_rev:
                missing.append(mid)
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            details = queries.load_details(session, chunk)
            for mid, detail in details.items():
                row = rows[mid]
                master = rows.get(row.master_id) if row.master_id is not None else None
                text = ical.meeting_vevent(
                    detail,
                    snap.names,
                    privacy,
                    master_tz=master.tz if master else None,
                    phase=snap.phases.get(row.exercise_phase_id) if row.exercise_phase_id else None,
                )
                cache[mid] = (
                    row.revision,
                    master.revision if master else 0,
                    text.encode("utf-8"),
                )
            counter.serialised += len(details)


def _renamed(
    before: dict[str, dict[Any, tuple[Any, ...]]], after: dict[str, dict[Any, tuple[Any, ...]]]
) -> bool:
    """Whether anything stored text may show changed or went; new rows alone change nothing."""
    for table, rows in before.items():
        now = after.get(table, {})
        if any(now.get(key) != value for key, value in rows.items()):
            return True
    return False


@dataclass(frozen=True)
class _Snapshot:
    names: ical.Names
    phases: dict[int, ical.PhaseOf]
    rows: dict[int, queries.ExportRow]
    signature: int
    refresh_minutes: int
    vocabulary: Vocabulary


@dataclass(frozen=True)
class _Plan:
    chosen: list[int]
    extra_exdates: dict[int, list[str]]
    phases: list[ical.PhaseOf]
    fingerprint: int

    @property
    def events(self) -> int:
        return len(self.chosen) + len(self.phases)


def _stat_key(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


@dataclass
class _Counter:
    events: int = 0
    serialised: int = 0


def _choose(
    rows: dict[int, queries.ExportRow],
    overrides: dict[int, builtins.list[int]],
    matched: set[int],
    level: ReleaseLevel,
    hidden_phases: set[int],
) -> tuple[builtins.list[int], dict[int, builtins.list[str]]]:
    """The rows of a file: matching masters and single meetings, every override of a chosen
    master, nothing above the release level. An override that may not be shown hides its
    occurrence (an extra EXDATE on the master) rather than letting the master's version show."""
    permitted = {r.value for r in ReleaseLevel if r.rank <= level.rank}
    masters = set()
    for mid in matched:
        row = rows.get(mid)
        if row is None:
            continue
        top = row.master_id if row.master_id is not None else mid
        master = rows.get(top)
        if (
            master is not None
            and master.release_level in permitted
            and master.exercise_phase_id not in hidden_phases
        ):
            masters.add(top)
    chosen = sorted(masters)
    extra: dict[int, builtins.list[str]] = {}
    for master_id in masters & overrides.keys():
        for oid in overrides[master_id]:
            row = rows[oid]
            if row.release_level in permitted:
                chosen.append(oid)
            elif row.recurrence_id is not None:
                extra.setdefault(master_id, []).append(row.recurrence_id)
    return chosen, extra


class _Index:
    """The export rows of every meeting and the members of each filter, kept current.

    Revisions come from one counter, so the rows changed since the last look are those with a
    higher revision; a deletion shows as a smaller count. Only those rows are read again, and
    only they are tested against each filter again.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.rows: dict[int, queries.ExportRow] = {}
        self.counter = -1
        self.state: tuple[int, int, int] | None = None
        self._members: dict[str, tuple[MeetingFilter, set[int]]] = {}
        self._overrides: dict[int, builtins.list[int]] | None = None

    def refresh(self, session: Session) -> set[int]:
        """Bring the rows up to date; gives the ids of meetings that are gone."""
        state = queries.change_state(session)
        if state == self.state:
            return set()
        counter, count, total = state
        before = set(self.rows)
        self._update(session, counter, count)
        if queries.revision_sum(r.revision for r in self.rows.values()) != total:
            # Not the calendar the rows came from (a backup put back): read it all again,
            # and forget every id, since ids may now stand for other meetings.
            self._reset()
            self._update(session, counter, count)
            self.state = state
            return before
        self.state = state
        return before - self.rows.keys()

    def _update(self, session: Session, counter: int, count: int) -> None:
        changed = queries.export_rows(session, since=self.counter if self.rows else None)
        self.rows.update(changed)
        touched = set(changed)
        if len(self.rows) != count:
            removed = self.rows.keys() - queries.meeting_ids(session)
            for mid in removed:
                del self.rows[mid]
            touched |= removed
        for flt, members in self._members.values():
            members -= touched
            if changed:
                members.update(queries.filtered_ids(session, flt, within=builtins.list(changed)))
        self.counter = counter
        self._overrides = None

    def matching(self, session: Session, flt: MeetingFilter) -> set[int]:
        key = flt.model_dump_json()
        if key not in self._members:
            self._members[key] = (flt, set(queries.filtered_ids(session, flt)))
        return self._members[key][1]

    def overrides(self) -> dict[int, builtins.list[int]]:
        if self._overrides is None:
            found: dict[int, builtins.list[int]] = {}
            for row in self.rows.values():
                if row.master_id is not None:
                    found.setdefault(row.master_id, []).append(row.id)
            self._overrides = found
        return self._overrides


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
    return write_atomically(folder / name, chunks, PublishError)
