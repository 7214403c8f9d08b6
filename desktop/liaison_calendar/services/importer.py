"""Importing .ics files: all or nothing, never twice, every repair reported.

Every file is read and checked before anything is written; then the whole import runs in one
write transaction. An event whose UID is already here updates its meeting only when it is newer
(a higher SEQUENCE, or at the same SEQUENCE a later LAST-MODIFIED); otherwise it is unchanged.
A dry run does all of this and rolls the transaction back.
"""

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from liaison_calendar.domain.clock import Clock
from liaison_calendar.domain.enums import ExercisePart, PhaseType, ReleaseLevel
from liaison_calendar.domain.models import ExerciseDraft, MeetingDraft, PhaseDraft, SeriesDraft
from liaison_calendar.domain.recurrence import occurrence_key
from liaison_calendar.errors import LiaisonError, NotFoundError, ValidationError
from liaison_calendar.ical import reader
from liaison_calendar.services import resolve
from liaison_calendar.services.catalog import CatalogService
from liaison_calendar.services.exercises import ExerciseService
from liaison_calendar.services.meetings import MeetingService, PreparedMeeting
from liaison_calendar.services.series import SeriesService
from liaison_calendar.store import queries
from liaison_calendar.store.database import Database
from liaison_calendar.store.tables import (
    ExercisePhaseRecord,
    ExerciseRecord,
    KindRecord,
    MeetingRecord,
)


class CalendarImportError(LiaisonError):
    """A file that cannot be imported as asked (nothing was changed)."""


class ImportCancelledError(LiaisonError):
    """The user cancelled an import (nothing was changed)."""


Progress = Callable[[int, int], bool]


class _DryRun(Exception):  # noqa: N818 - a control-flow signal, not an error
    pass


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    strands: tuple[str, ...] = ()
    kind: str | None = None
    series: str | None = None
    on_error: str = "abort"  # or "skip"
    # Replace what is here even when it is not newer (a sync applying the server's version).
    replace: bool = False


@dataclass
class ImportItem:
    file: str
    line: int
    uid: str
    title: str
    outcome: str  # added, updated, unchanged, skipped
    reason: str = ""
    repairs: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    items: list[ImportItem] = field(default_factory=list)
    dry_run: bool = False

    def count(self, outcome: str) -> int:
        return sum(1 for i in self.items if i.outcome == outcome)

    @property
    def repairs(self) -> list[tuple[ImportItem, str]]:
        return [(i, r) for i in self.items for r in i.repairs]


class ImportService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        meetings: MeetingService,
        catalog: CatalogService,
        series: SeriesService,
        exercises: ExerciseService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._meetings = meetings
        self._catalog = catalog
        self._series = series
        self._exercises = exercises
        self._uids: set[str] = set()
        self._progress: Progress | None = None
        self._done = self._found = 0

    def import_files(
        self,
        paths: Sequence[Path],
        options: ImportOptions | None = None,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import ``paths``; ``progress(events read, events found so far)`` is called now and
        then, and returning False cancels the import (``ImportCancelledError``, nothing
        written)."""
        options = options or ImportOptions()
        self._progress = progress
        self._done = self._found = 0
        if options.on_error not in ("abort", "skip"):
            raise ValidationError("--on-error is abort or skip.")
        vocabulary = self._vocabulary()
        default_tz = str(self._catalog.setting("default_tz"))
        limit = int(self._catalog.setting("import_limit_mb")) * 1024 * 1024
        report = ImportReport(dry_run=options.dry_run)
        try:
            # One transaction: whatever goes wrong, in any file, nothing stays written.
            with self._db.transaction() as session:
                batch = _Batch(self._meetings, session)
                # Every UID here, so that a new event needs no query to know it is new.
                self._uids = set(session.exec(select(col(MeetingRecord.uid))).all())
                # Changed occurrences and exercise phases wait until every series and
                # exercise of the files is in; everything else is saved as it is read.
                deferred: list[tuple[str, reader.Incoming]] = []
                for path in paths:
                    file = str(path)  # one string for every item of the file, not one each
                    for found in self._read(path, default_tz, vocabulary, limit, options, report):
                        if found.recurrence_id is not None or found.phase:
                            deferred.append((file, found))
                            continue
                        if found.uid in batch.uids:
                            batch.flush()  # the same UID twice: the second sees the first
                        report.items.append(self._apply(session, file, found, options, batch))
                batch.flush()
                phases = self._exercises_in(session, deferred, report, options)
                for name, event in sorted(deferred, key=lambda p: p[1].recurrence_id is not None):
                    if event.phase_only:
                        continue
                    if event.recurrence_id is not None or event.uid in batch.uids:
                        batch.flush()  # what comes next may need these meetings saved
                    item = self._apply(session, name, event, options, batch)
                    report.items.append(item)
                    if event.phase and item.outcome == "added":
                        _link_phase(session, phases, event)
                batch.flush()
                if options.dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        return report

    def vocabulary(self) -> reader.Vocabulary:
        """How CATEGORIES names become kinds and strands, for ``apply_resource_in``."""
        return self._vocabulary()

    def apply_resource_in(
        self, session: Session, data: bytes, vocabulary: reader.Vocabulary, name: str
    ) -> tuple[str, list[str]]:
        """Make the meetings of one UID say exactly what a CalDAV resource says (the server's
        version wins: a sync decided so); changed occurrences it no longer has are deleted.
        Gives the UID and what had to be repaired to read it (an unknown time zone...).
        ``CalendarImportError`` (and nothing changed) when it cannot be read.
        """
        default_tz = str(self._catalog.setting("default_tz"))
        try:
            found = reader.read(data, default_tz=default_tz, vocabulary=vocabulary)
        except reader.ReadError as exc:
            raise CalendarImportError(f"{name}: {_short(str(exc))}") from None
        events = [e for e in found.events if not e.phase_only]
        if found.problems:
            raise CalendarImportError(f"{name}: {_short(str(found.problems[0]))}")
        if not events and found.events:
            # An exercise phase without a meeting: its exercise was made by ``exercises_in``;
            # a meeting it had here before is gone there.
            uid = found.events[0].uid
            with session.begin_nested():
                self._meetings.delete_uid_in(session, uid)
            return uid, []
        uids = {e.uid for e in events}
        if len(uids) != 1:
            raise CalendarImportError(
                f"{name}: a server event must hold one UID; this one holds {len(uids)}."
            )
        uid = uids.pop()
        options = ImportOptions(replace=True)
        # Its own set, not the import's: the app may sync in the background while it imports.
        known = {uid}
        with session.begin_nested():  # a refused event leaves the others of the sync alone
            linked = [(name, e) for e in events if e.phase and e.recurrence_id is None]
            phases = self._exercises_in(session, linked, ImportReport(), options)
            masters = [e for e in events if e.recurrence_id is None]
            if len(masters) > 1:
                raise CalendarImportError(f"{name}: it holds {len(masters)} events with UID {uid}.")
            kept: set[int] = set()
            for event in sorted(events, key=lambda e: e.recurrence_id is not None):
                self._apply(session, name, event, options, known=known)
                if event.recurrence_id is not None:
                    master = _master(session, uid)
                    key = occurrence_key(event.recurrence_id)
                    row = _existing(
                        session,
                        uid,
                        (master.id, key) if master and master.id is not None else None,
                        None if master else key,
                    )
                else:
                    row = _existing(session, uid, None, None)
                if row is not None and row.id is not None:
                    kept.add(row.id)
                    if event.phase and event.recurrence_id is None:
                        row.exercise_phase_id = phases.get(str(event.phase.get("uid")))
                        session.add(row)
            stale = session.exec(
                select(MeetingRecord).where(
                    col(MeetingRecord.uid) == uid, col(MeetingRecord.id).not_in(kept)
                )
            ).all()
            if stale:
                queries.fts_delete(session, [r.id for r in stale if r.id is not None])
                for row in stale:
                    session.delete(row)
            session.flush()
        return uid, [r for e in events for r in e.repairs]

    def exercises_in(
        self,
        session: Session,
        resources: Sequence[tuple[str, bytes]],
        vocabulary: reader.Vocabulary,
    ) -> None:
        """Create the exercises that a sync's resources link their meetings to, each with every
        phase those resources name (one resource alone names one phase)."""
        default_tz = str(self._catalog.setting("default_tz"))
        linked: list[tuple[str, reader.Incoming]] = []
        for name, data in resources:
            if b"X-LIAISON-PHASE" not in data:
                continue
            try:
                found = reader.read(data, default_tz=default_tz, vocabulary=vocabulary)
            except reader.ReadError:
                continue  # said when the resource itself is applied
            linked.extend(
                (name, e) for e in found.events if (e.phase or e.phase_only) and not e.recurrence_id
            )
        if linked:
            self._exercises_in(session, linked, ImportReport(), ImportOptions(on_error="skip"))

    def _exercises_in(
        self,
        session: Session,
        incoming: list[tuple[str, reader.Incoming]],
        report: ImportReport,
        options: ImportOptions,
    ) -> dict[str, int]:
        """Create the exercises our own files carry (X-LIAISON-EXERCISE); phase uid -> id."""
        by_uid: dict[str, tuple[dict[str, Any], list[tuple[str, reader.Incoming]]]] = {}
        for name, event in incoming:
            uid = event.exercise.get("uid") if event.exercise and event.phase else None
            if isinstance(uid, str) and uid:
                assert event.exercise is not None
                entry = by_uid.setdefault(uid, (event.exercise, []))
                entry[1].append((name, event))
        found: dict[str, int] = {}
        for uid, (data, named) in sorted(by_uid.items()):
            events = [e for _, e in named]
            exists = session.exec(
                select(ExercisePhaseRecord.id, ExercisePhaseRecord.uid)
                .join(
                    ExerciseRecord, col(ExerciseRecord.id) == col(ExercisePhaseRecord.exercise_id)
                )
                .where(col(ExerciseRecord.uid) == uid)
            ).all()
            if (
                exists
                or session.exec(
                    select(ExerciseRecord).where(col(ExerciseRecord.uid) == uid)
                ).first()
            ):
                found.update({u: i for i, u in exists if i is not None})
                report.items.extend(
                    ImportItem("", e.line, e.uid, e.draft.title, "unchanged")
                    for e in events
                    if e.phase_only
                )
                continue
            try:
                # A savepoint: with --on-error skip, an exercise refused half-way leaves nothing.
                with session.begin_nested():
                    row = self._exercises.create_in(session, _exercise_draft(uid, data, events))
            except (ValidationError, KeyError, TypeError, ValueError, OverflowError) as exc:
                # Our own X-LIAISON-EXERCISE and X-LIAISON-PHASE, edited or damaged.
                reason = (
                    exc.message
                    if isinstance(exc, ValidationError)
                    else f"its exercise (X-LIAISON-EXERCISE, X-LIAISON-PHASE) cannot be read "
                    f"({_short(f'{type(exc).__name__}: {exc}', 120)})."
                )
                name, first = named[0]
                if options.on_error == "abort":
                    raise CalendarImportError(
                        f"Cannot import {name}, line {first.line}, VEVENT "
                        f"{_short(repr(first.draft.title), 80)}: {_short(reason)} "
                        "Nothing was imported."
                    ) from None
                report.items.extend(
                    ImportItem(n, e.line, e.uid, _short(e.draft.title, 80), "skipped", reason)
                    for n, e in named
                    if e.phase_only
                )
                continue
            stamps = [e.stamp for e in events if e.phase_only and e.stamp is not None]
            if stamps:
                row.modified = min(stamps)
                session.add(row)
            for event in events:
                assert event.phase is not None
                phase = session.exec(
                    select(ExercisePhaseRecord).where(
                        col(ExercisePhaseRecord.uid) == event.phase["uid"]
                    )
                ).one()
                assert phase.id is not None
                found[phase.uid] = phase.id
                if event.phase_only:
                    phase.sequence = event.sequence
                    if event.stamp is not None:
                        phase.modified = event.stamp
                    session.add(phase)
                    report.items.append(
                        ImportItem("", event.line, event.uid, event.draft.title, "added")
                    )
            session.flush()
        return found

    def _refused(
        self,
        name: str,
        event: reader.Incoming,
        draft: MeetingDraft,
        item: ImportItem,
        exc: LiaisonError,
        options: ImportOptions,
    ) -> ImportItem:
        if options.on_error == "abort":
            raise CalendarImportError(
                f"Cannot import {name}, line {event.line}, VEVENT "
                f"{_short(repr(draft.title), 80)}: {_short(exc.message)} Nothing was imported."
            ) from None
        item.outcome, item.reason = "skipped", _short(exc.message)
        item.title = _short(item.title, 80)
        return item

    def _ensure_series(self, session: Session, draft: MeetingDraft, item: ImportItem) -> None:
        assert draft.series is not None
        try:
            resolve.series_row(session, draft.series)
        except NotFoundError:
            row = self._series.create_in(
                session,
                SeriesDraft(name=draft.series, kind=draft.kind, strands=draft.strands, tz=draft.tz),
            )
            item.repairs.append(_short(f"new series {row.name!r} created"))

    def _vocabulary(self) -> reader.Vocabulary:
        kinds = {}
        for k in self._catalog.kinds():
            kinds[k.name.casefold()] = k.key
            kinds[k.key.casefold()] = k.key
        strands = {}
        for s in self._catalog.strands():
            strands[s.name.casefold()] = s.key
            strands[s.key.casefold()] = s.key
        return reader.Vocabulary(kinds=kinds, strands=strands)

    def _read(
        self,
        path: Path,
        default_tz: str,
        vocabulary: reader.Vocabulary,
        limit: int,
        options: ImportOptions,
        report: ImportReport,
    ) -> Iterator[reader.Incoming]:
        """The events of one file, parsed a chunk at a time; problems abort or are listed."""
        try:
            opened = reader.open_file(path, limit)
        except OSError as exc:
            raise CalendarImportError(f"Cannot read {path}: {exc.strerror or exc}.") from None
        except reader.ReadError as exc:
            if isinstance(exc, reader.TooBigError):
                exc = reader.TooBigError(f"{exc} (the import_limit_mb setting)")
            if options.on_error == "abort":
                raise CalendarImportError(
                    f"Cannot import {path}: {_short(str(exc))}; nothing was imported."
                ) from None
            report.items.append(ImportItem(str(path), 0, "", "", "skipped", _short(str(exc))))
            return
        self._found += opened.count
        with opened, reader.Parser(opened.count) as parser:
            for problem in opened.problems:
                self._problem(path, problem, options, report)
            for found in opened.events(parser, default_tz=default_tz, vocabulary=vocabulary):
                self._done += 1
                self._report_progress()
                if isinstance(found, reader.Problem):
                    self._problem(path, found, options, report)
                else:
                    yield found

    def _report_progress(self) -> None:
        if self._progress is None or (self._done % 100 and self._done != self._found):
            return
        if not self._progress(self._done, self._found):
            raise ImportCancelledError("The import was cancelled; nothing was imported.")

    def _problem(
        self, path: Path, problem: reader.Problem, options: ImportOptions, report: ImportReport
    ) -> None:
        if options.on_error == "abort":
            raise CalendarImportError(
                f"Cannot import {path}, {_short(str(problem))}; nothing was imported "
                "(--on-error skip imports the rest)."
            )
        report.items.append(
            ImportItem(
                str(path), problem.line, "", problem.component, "skipped", _short(problem.message)
            )
        )

    def _apply(
        self,
        session: Session,
        name: str,
        event: reader.Incoming,
        options: ImportOptions,
        batch: "_Batch | None" = None,
        known: set[str] | None = None,
    ) -> ImportItem:
        draft = event.draft
        changes: dict[str, Any] = {}  # what the options change, on a copy of the draft
        if options.kind:
            changes["kind"] = options.kind
        if options.strands:
            changes["strands"] = list(dict.fromkeys([*draft.strands, *options.strands]))
        if options.series and draft.series is None and event.recurrence_id is None:
            changes["series"] = options.series
        # One copy of each title and note however many events share it: a report of a million
        # events held a million copies of "(no title)" and of each note, a third of its memory.
        notes = [sys.intern(note) for note in event.repairs]
        item = ImportItem(name, event.line, event.uid, sys.intern(draft.title), "added", "", notes)
        if event.unmatched_categories:
            item.repairs.append(
                _short(
                    "categories kept in the description: " + ", ".join(event.unmatched_categories)
                )
            )
            note = "Categories: " + ", ".join(event.unmatched_categories)
            changes["description"] = f"{draft.description}\n\n{note}" if draft.description else note
        if changes:
            draft = draft.model_copy(update=changes)
        override_of = None
        orphan_key = None
        if event.recurrence_id is not None:
            master = _master(session, event.uid)
            if master is None:
                # Kept alone, but with its occurrence key: its series may come later.
                item.repairs.append("a changed occurrence whose series is missing: kept alone")
                orphan_key = occurrence_key(event.recurrence_id)
            else:
                assert master.id is not None
                override_of = (master.id, occurrence_key(event.recurrence_id))
        uids = self._uids if known is None else known
        if override_of is None and orphan_key is None and event.uid not in uids:
            existing = None
        else:
            existing = _existing(session, event.uid, override_of, orphan_key)
        uids.add(event.uid)
        if batch is not None and batch.takes(event, draft, existing, override_of, orphan_key):
            # The common case, a new meeting on its own: saved with others in a few statements.
            try:
                batch.add(event, draft)
            except (ValidationError, NotFoundError) as exc:
                return self._refused(name, event, draft, item, exc, options)
            except OverflowError:  # a repeat or an end after 31 December 9999
                return self._refused(name, event, draft, item, _OUT_OF_RANGE, options)
            return item
        try:
            if draft.series and existing is None:
                self._ensure_series(session, draft, item)
            if existing is None:
                mid = self._meetings.create_in(session, draft, override_of=override_of)
                row = session.get(MeetingRecord, mid)
                assert row is not None
                if orphan_key is not None:
                    row.recurrence_id = orphan_key
                elif draft.rrule:
                    _adopt_orphans(session, row, item)
            else:
                if not options.replace and not _newer(event, existing):
                    item.outcome = "unchanged"
                    return item
                self._meetings.replace_in(session, existing, draft)
                row = existing
                item.outcome = "updated"
        except (ValidationError, NotFoundError) as exc:
            return self._refused(name, event, draft, item, exc, options)
        except OverflowError:
            return self._refused(name, event, draft, item, _OUT_OF_RANGE, options)
        # The file's own identity and history, so that exporting it again gives it back.
        row.sequence = event.sequence
        if event.created is not None:
            row.created = event.created
        if event.last_modified is not None:
            row.modified = event.last_modified
        session.add(row)
        session.flush()
        return item


class _Batch:
    """New meetings waiting to be saved together (``MeetingService.insert_many``)."""

    SIZE = 500

    def __init__(self, meetings: MeetingService, session: Session) -> None:
        self._meetings = meetings
        self._session = session
        self._items: list[PreparedMeeting] = []
        self.uids: set[str] = set()
        self._kinds = {key: kid for kid, key in queries.key_map(session, KindRecord).items()}
        self._strands = meetings.strand_ids(session)
        # Occurrences imported before their series must join it: those take the slow way.
        self._orphans = (
            session.exec(
                select(col(MeetingRecord.id)).where(
                    col(MeetingRecord.master_id).is_(None),
                    col(MeetingRecord.recurrence_id).is_not(None),
                )
            ).first()
            is not None
        )

    def takes(
        self,
        event: reader.Incoming,
        draft: MeetingDraft,
        existing: MeetingRecord | None,
        override_of: tuple[int, str] | None,
        orphan_key: str | None,
    ) -> bool:
        return (
            existing is None
            and override_of is None
            and orphan_key is None
            and event.recurrence_id is None
            and not event.phase
            and not draft.series
            and draft.iteration is None
            and not (draft.rrule and self._orphans)
        )

    def add(self, event: reader.Incoming, draft: MeetingDraft) -> None:
        prepared = self._meetings.prepare_in(self._session, draft, self._kinds, self._strands)
        # The file's own identity and history, as for a meeting saved alone.
        prepared.values["sequence"] = event.sequence
        if event.created is not None:
            prepared.values["created"] = event.created
        if event.last_modified is not None:
            prepared.values["modified"] = event.last_modified
        self._items.append(prepared)
        self.uids.add(event.uid)
        if len(self._items) >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        self._meetings.insert_many(self._session, self._items)
        self._items.clear()
        self.uids.clear()


_OUT_OF_RANGE = ValidationError(
    "A date of this meeting or of its repeats is out of range "
    f"(the calendar holds years {reader.FIRST_YEAR} to 9999)."
)


def _short(text: str, limit: int = 300) -> str:
    """A message from further down on one line a person reads: values in it (a title, a
    rule, a UID) come from the file and may be megabytes long."""
    text = " ".join(text.split())
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _exercise_draft(uid: str, data: dict[str, Any], events: list[reader.Incoming]) -> ExerciseDraft:
    """The exercise our X-LIAISON-EXERCISE and X-LIAISON-PHASE values describe; a KeyError,
    TypeError or ValueError when they are not what our export writes."""
    phases = sorted(events, key=lambda e: int((e.phase or {}).get("position", 0)))
    return ExerciseDraft(
        uid=uid,
        name=str(data.get("name") or "Exercise"),
        programme=str(data.get("programme", "")),
        period_start=date.fromisoformat(data["period_start"]),
        period_end=date.fromisoformat(data["period_end"]),
        description=str(data.get("description", "")),
        strands=list(data.get("strands", [])),
        marking=str(data.get("marking", "")),
        release_level=ReleaseLevel(data.get("release_level", "staff")),
        phases=[
            PhaseDraft(
                uid=ph["uid"],
                name=ph["name"],
                phase_type=PhaseType(ph.get("type", "other")),
                part=ExercisePart(ph.get("part", "joint")),
                start=date.fromisoformat(ph["start"]),
                end=date.fromisoformat(ph["end"]),
                location=str(ph.get("location", "")),
            )
            for ph in (e.phase for e in phases)
            if ph is not None
        ],
    )


def _link_phase(session: Session, phases: dict[str, int], event: reader.Incoming) -> None:
    assert event.phase is not None
    phase_id = phases.get(str(event.phase.get("uid")))
    if phase_id is None:
        return
    row = session.exec(
        select(MeetingRecord).where(
            col(MeetingRecord.uid) == event.uid, col(MeetingRecord.recurrence_id).is_(None)
        )
    ).one()
    row.exercise_phase_id = phase_id
    session.add(row)
    session.flush()


def _master(session: Session, uid: str) -> MeetingRecord | None:
    return session.exec(
        select(MeetingRecord).where(
            col(MeetingRecord.uid) == uid,
            col(MeetingRecord.recurrence_id).is_(None),
            col(MeetingRecord.rrule).is_not(None),
        )
    ).first()


def _adopt_orphans(session: Session, master: MeetingRecord, item: ImportItem) -> None:
    """Changed occurrences imported before their series become part of it now."""
    orphans = session.exec(
        select(MeetingRecord).where(
            col(MeetingRecord.uid) == master.uid,
            col(MeetingRecord.master_id).is_(None),
            col(MeetingRecord.recurrence_id).is_not(None),
        )
    ).all()
    for orphan in orphans:
        orphan.master_id = master.id
        session.add(orphan)
    if orphans:
        item.repairs.append(f"{len(orphans)} changed occurrence(s) imported earlier joined it")
    session.flush()


def _existing(
    session: Session, uid: str, override_of: tuple[int, str] | None, orphan_key: str | None
) -> MeetingRecord | None:
    m = MeetingRecord
    if orphan_key is not None:
        where = [col(m.uid) == uid, col(m.master_id).is_(None), col(m.recurrence_id) == orphan_key]
    elif override_of is not None:
        where = [col(m.master_id) == override_of[0], col(m.recurrence_id) == override_of[1]]
    else:
        where = [col(m.uid) == uid, col(m.recurrence_id).is_(None)]
    # Most events are new: ask for the id first, and load the row only when there is one.
    found = session.exec(select(col(m.id)).where(*where)).first()
    return session.get(MeetingRecord, found) if found is not None else None


def _newer(event: reader.Incoming, row: MeetingRecord) -> bool:
    if event.sequence != row.sequence:
        return event.sequence > row.sequence
    return event.last_modified is not None and event.last_modified > row.modified
