"""Sharing the calendar through CalDAV servers, without ever losing an edit.

The local database stays the working copy. Each meeting (a series with its changed occurrences)
is one server resource named by its UID. Per UID and remote calendar the store keeps the href,
the ETag and a hash of the resource as this app writes it, when both sides last agreed:

- a different hash now means a change made here; a different ETag, one made on the server;
- a change on one side only is carried to the other, with conditional requests only
  (``If-None-Match: *`` to create, ``If-Match`` to change or delete);
- a change on both sides, or a 412, is a **conflict**: both versions are kept (the local
  meetings as they are, the server's text beside them) until the user keeps mine, theirs, or a
  field-by-field merge. Nothing is overwritten silently.

Remote changes are applied and the calendar's new sync token saved in one transaction, so a
crash at any point leaves either the old token (and the changes are read again) or both. A push
is recorded after the server took it; one not recorded (a crash in between) is found again next
time as the same text on both sides and simply recorded. A remote calendar that suddenly comes
back empty stops the sync before anything is deleted here (:class:`EmptyServerError`).
"""

import builtins
import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from sqlmodel import Session, col, select

from liaison_calendar.domain.clock import Clock
from liaison_calendar.domain.models import MeetingDraft, MeetingFilter
from liaison_calendar.domain.text import clean_text
from liaison_calendar.errors import LiaisonError, NotFoundError, ValidationError
from liaison_calendar.services.catalog import CatalogService
from liaison_calendar.services.feeds import FeedService
from liaison_calendar.services.importer import CalendarImportError, ImportService
from liaison_calendar.services.meetings import MeetingService
from liaison_calendar.store.database import Database
from liaison_calendar.store.tables import (
    MeetingRecord,
    SyncAccountRecord,
    SyncCollectionRecord,
    SyncItemRecord,
)
from liaison_calendar.sync import check, graft
from liaison_calendar.sync.remote import (
    ChangedOnServer,
    Fetched,
    Remote,
    RemoteCalendar,
    SyncError,
    joined,
    path_of,
    resource_name,
)
from liaison_calendar.sync.secrets import ENVIRONMENT, Secrets

if TYPE_CHECKING:
    from liaison_calendar.ical.reader import ReadResult

ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
RECORD_EVERY = 25
"""Pushes recorded in one local transaction (an unrecorded one is recognised next time)."""

Progress = Callable[[str, int, int], None]
RemoteFactory = Callable[[str, str, str, str], Remote]


class EmptyServerError(SyncError):
    """A remote calendar that held our meetings came back empty: nothing was deleted here."""

    def __init__(self, message: str, account: str, calendar: str, meetings: int) -> None:
        super().__init__(message)
        self.account = account
        self.calendar = calendar
        self.meetings = meetings


@dataclass(frozen=True)
class SyncCalendar:
    id: int
    url: str
    name: str
    strands: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    main: bool = False  # the account's calendar for everything no route takes

    @property
    def default(self) -> bool:
        return self.main

    @property
    def stopped(self) -> bool:
        """Takes nothing any more (its meetings leave it at the next sync)."""
        return not self.main and not self.strands and not self.kinds


@dataclass(frozen=True)
class SyncAccount:
    name: str
    url: str
    user: str
    ca_file: str
    calendars: tuple[SyncCalendar, ...]
    last_sync: datetime | None
    last_error: str


@dataclass(frozen=True)
class AddedAccount:
    account: SyncAccount
    in_keyring: bool  # False: the password is asked for (or read from the environment) each time
    created_calendar: bool


@dataclass
class SyncRun:
    account: str
    pushed: int = 0
    pulled: int = 0
    deleted_here: int = 0
    deleted_there: int = 0
    conflicts: int = 0  # new ones found by this run
    waiting: int = 0  # local changes still to send after it
    error: str = ""
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Waiting:
    account: str
    calendar: str
    uid: str
    title: str
    change: str  # "new", "changed" or "deleted"


@dataclass(frozen=True)
class SyncState:
    account: str
    state: str  # "never", "synced", "waiting", "conflicts", "offline" or "error"
    waiting: int
    conflicts: int
    last_sync: datetime | None
    message: str


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    mine: str
    theirs: str


@dataclass(frozen=True)
class Conflict:
    id: int
    account: str
    calendar: str
    uid: str
    title: str
    mine: bytes | None  # None: deleted here
    theirs: bytes | None  # None: deleted on the server
    at: datetime | None
    fields: tuple[FieldDiff, ...]
    theirs_etag: str = ""  # the server version shown; resolve(seen=...) insists on it


OCCURRENCES = "occurrences"  # a series' changed occurrences, merged as one
MERGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "Title"),
    ("start", "Start"),
    ("end", "End"),
    ("tz", "Time zone"),
    ("rrule", "Repeats"),
    ("exdates", "Skipped dates"),
    ("location", "Location"),
    ("status", "Status"),
    ("kind", "Kind"),
    ("strands", "Work strands"),
    ("partners", "Partners"),
    ("mode", "Mode"),
    ("lead_side", "Lead"),
    ("marking", "Handling marking"),
    ("release_level", "Release"),
    ("description", "Description"),
    ("outcomes", "Outcomes"),
    ("participants", "Participants"),
    ("agenda", "Agenda"),
    ("actions", "Actions"),
    (OCCURRENCES, "Changed occurrences"),
)


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _property(data: bytes, name: str) -> str | None:
    """The first ``name`` property of a resource, unescaped: its value starts after the first
    colon that is not inside a quoted parameter ("UID:urn:uuid:…", "SUMMARY:Talks: day 2")."""
    text = data.decode("utf-8", "replace").replace("\r\n ", "").replace("\r\n\t", "")
    pattern = rf'^{name}((?:;(?:"[^"]*"|[^:;"\r\n])*)*):(.*?)\r?$'
    match = re.search(pattern, text, re.MULTILINE | re.IGNORECASE)
    if match is None:
        return None
    return match.group(2).replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def _uid_of(data: bytes) -> str | None:
    """The UID of a VEVENT resource, cleaned as the importer cleans it."""
    value = _property(data, "UID")
    return (clean_text(value).strip() or None) if value is not None else None


class SyncService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        catalog: CatalogService,
        feeds: FeedService,
        importer: ImportService,
        meetings: MeetingService,
        secrets: Secrets | None = None,
        remote: RemoteFactory | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._catalog = catalog
        self._feeds = feeds
        self._importer = importer
        self._meetings = meetings
        self.secrets = secrets or Secrets()
        self._remote = remote or (
            lambda url, user, password, ca_file: Remote(url, user, password, ca_file=ca_file)
        )

    # --- accounts -------------------------------------------------------------------------

    def accounts(self) -> builtins.list[SyncAccount]:
        with self._db.reading() as session:
            rows = session.exec(select(SyncAccountRecord).order_by(col(SyncAccountRecord.name)))
            return [self._account(session, row) for row in rows.all()]

    def account(self, name: str) -> SyncAccount:
        with self._db.reading() as session:
            return self._account(session, self._account_row(session, name))

    def add_account(
        self,
        name: str,
        url: str,
        user: str,
        password: str,
        *,
        calendar: str | None = None,
        ca_file: str = "",
    ) -> AddedAccount:
        """Check the server, user and calendar, then keep the account (the password in the
        keyring). Nothing is kept when any of it fails."""
        if not ACCOUNT_NAME.match(name):
            raise ValidationError(
                f"{name!r} cannot be an account name: use letters, digits, '.', '-' or '_'."
            )
        if not user.strip():
            raise ValidationError("Give the user name for the server.")
        if ca_file:
            path = Path(ca_file).expanduser()
            if not path.is_file():
                raise ValidationError(f"There is no certificate file {ca_file}.")
            ca_file = str(path.resolve())
        with self._db.reading() as session:
            taken = session.exec(
                select(SyncAccountRecord).where(col(SyncAccountRecord.name) == name)
            ).first()
            if taken is not None:
                raise ValidationError(f"There is already a sync account {name!r}.")
        created = False
        with self._remote(url, user, password, ca_file) as remote:
            found = remote.calendars()
            chosen = _choose_calendar(found, calendar)
            if chosen is None and found:
                names = ", ".join(path_of(c.url) for c in found)
                raise ValidationError(
                    f"The server has no calendar {calendar!r}; it has {names}. Nothing was changed."
                )
            if chosen is None:
                target = _new_calendar_url(remote, calendar)
                chosen = remote.make_calendar(target, "Liaison Calendar")
                created = True
            else:
                chosen = remote.check_calendar(chosen.url)
        with self._db.transaction() as session:
            row = SyncAccountRecord(
                name=name, url=url, username=user, ca_file=ca_file, created=self._clock.now()
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            session.add(SyncCollectionRecord(account_id=row.id, url=chosen.url, name=chosen.name))
            session.flush()
            account = self._account(session, row)
        stored = self.secrets.put(user, url, password)
        return AddedAccount(account, stored, created)

    def remove_account(self, name: str) -> SyncAccount:
        with self._db.transaction() as session:
            row = self._account_row(session, name)
            account = self._account(session, row)
            session.delete(row)
        self.secrets.forget(account.user, account.url)
        return account

    def set_password(self, name: str, password: str) -> bool:
        account = self.account(name)
        return self.secrets.put(account.user, account.url, password)

    def route(
        self,
        name: str,
        calendar: str,
        strands: Sequence[str] = (),
        kinds: Sequence[str] = (),
    ) -> SyncAccount:
        """Send the meetings of ``strands`` or ``kinds`` to another remote calendar of the
        account (a URL or path); with neither, the calendar stops taking any."""
        self._catalog.check_filter(MeetingFilter(strands=list(strands), kinds=list(kinds)))
        with self._db.transaction() as session:
            account = self._account_row(session, name)
            assert account.id is not None
            rows = self._collections(session, account.id)
            url = urljoin(account.url, calendar)
            key = path_of(url).rstrip("/")
            existing = next((r for r in rows if path_of(r.url).rstrip("/") == key), None)
            if existing is not None and not existing.route_json:
                raise ValidationError(
                    "That is the account's main calendar, which takes everything no route takes."
                )
            route = json.dumps({"strands": list(strands), "kinds": list(kinds)})
            if existing is None:
                if not strands and not kinds:
                    raise NotFoundError(f"{calendar} is not one of the account's calendars.")
                session.add(
                    SyncCollectionRecord(
                        account_id=account.id,
                        url=url if url.endswith("/") else url + "/",
                        route_json=route,
                        position=len(rows),
                    )
                )
            elif strands or kinds:
                existing.route_json = route
                session.add(existing)
            else:
                if self._items_of(session, existing):
                    existing.route_json = json.dumps({"strands": [], "kinds": []})
                    session.add(existing)
                else:
                    session.delete(existing)
            session.flush()
            return self._account(session, account)

    # --- state ----------------------------------------------------------------------------

    def conflicted_uids(self) -> set[str]:
        with self._db.reading() as session:
            return set(
                session.exec(
                    select(col(SyncItemRecord.uid)).where(col(SyncItemRecord.conflict))
                ).all()
            )

    def waiting(self, name: str | None = None) -> builtins.list[Waiting]:
        """Local changes not yet on the server, per account and calendar."""
        out: list[Waiting] = []
        for account, plan in self._local_plans(name):
            for coll, mine in plan:
                out.extend(self._waiting_in(account.name, coll, mine))
        return out

    def status(self) -> builtins.list[SyncState]:
        waiting: dict[str, int] = {}
        for item in self.waiting():
            waiting[item.account] = waiting.get(item.account, 0) + 1
        out = []
        with self._db.reading() as session:
            for row in session.exec(
                select(SyncAccountRecord).order_by(col(SyncAccountRecord.name))
            ).all():
                assert row.id is not None
                conflicts = len(
                    session.exec(
                        select(col(SyncItemRecord.id))
                        .join(
                            SyncCollectionRecord,
                            col(SyncCollectionRecord.id) == col(SyncItemRecord.collection_id),
                        )
                        .where(
                            col(SyncCollectionRecord.account_id) == row.id,
                            col(SyncItemRecord.conflict),
                        )
                    ).all()
                )
                count = waiting.get(row.name, 0)
                if row.last_error:
                    state = "offline" if row.last_error.startswith("Cannot reach") else "error"
                    message = row.last_error
                elif conflicts:
                    state, message = "conflicts", f"{conflicts} conflict(s) to resolve"
                elif row.last_sync is None:
                    state, message = "never", "not synced yet"
                elif count:
                    state, message = "waiting", f"{count} change(s) waiting"
                else:
                    state, message = "synced", "synced"
                out.append(SyncState(row.name, state, count, conflicts, row.last_sync, message))
        return out

    # --- running --------------------------------------------------------------------------

    def run(
        self,
        name: str | None = None,
        *,
        accept_empty: bool = False,
        progress: Progress | None = None,
    ) -> builtins.list[SyncRun]:
        """Sync every account (or the one named). A failure of one account is in its run's
        ``error`` (and kept for ``status``); what it had done before stays done.
        ``EmptyServerError`` is raised, not reported: the caller asks, and runs again with
        ``accept_empty``."""
        names = [name] if name else [a.name for a in self.accounts()]
        if name:
            self.account(name)  # NotFoundError before anything else
        runs = []
        for account_name in names:
            runs.append(self._run_one(account_name, accept_empty, progress))
        return runs

    def _run_one(self, name: str, accept_empty: bool, progress: Progress | None) -> SyncRun:
        with _SyncLock(self._db.path) as held:
            if not held:
                # The app's background sync and 'liaison sync run' on the same calendar.
                return SyncRun(
                    name, error="Another sync of this calendar is running; it goes on alone."
                )
            return self._run_locked(name, accept_empty, progress)

    def _run_locked(self, name: str, accept_empty: bool, progress: Progress | None) -> SyncRun:
        run = SyncRun(name)
        account = self.account(name)
        password = self.secrets.get(account.user, account.url)
        if password is None:
            run.error = (
                f"No password for the sync account {name!r}: the system keyring does not "
                f"have it (or there is none); type it when asked, or give it in {ENVIRONMENT}."
            )
            self._finish(name, run.error)
            return run
        try:
            with self._remote(account.url, account.user, password, account.ca_file) as remote:
                _, plan = next(iter(self._local_plans(name)))
                for coll, _ in plan:
                    _Pass(self, remote, account, coll, run, progress).sync(accept_empty)
        except EmptyServerError as exc:
            self._finish(name, exc.message)  # not synced: status says so until it is
            raise
        except SyncError as exc:
            run.error = exc.message
        run.waiting = len(self.waiting(name))
        self._finish(name, run.error)
        return run

    def _finish(self, name: str, error: str) -> None:
        with self._db.transaction() as session:
            row = self._account_row(session, name)
            row.last_error = error
            if not error:
                row.last_sync = self._clock.now()
            session.add(row)

    # --- conflicts ------------------------------------------------------------------------

    def conflicts(self) -> builtins.list[Conflict]:
        resources, _ = self._feeds.resources()
        with self._db.reading() as session:
            rows = session.exec(
                select(SyncItemRecord, SyncCollectionRecord, SyncAccountRecord)
                .join(
                    SyncCollectionRecord,
                    col(SyncCollectionRecord.id) == col(SyncItemRecord.collection_id),
                )
                .join(
                    SyncAccountRecord,
                    col(SyncAccountRecord.id) == col(SyncCollectionRecord.account_id),
                )
                .where(col(SyncItemRecord.conflict))
                .order_by(col(SyncItemRecord.id))
            ).all()
            found = [(item, coll.url, acc.name) for item, coll, acc in rows]
        vocabulary = self._importer.vocabulary()
        out = []
        for item, coll_url, account in found:
            assert item.id is not None
            mine = resources.get(item.uid)
            theirs = item.theirs.encode("utf-8", "surrogatepass") if item.theirs else None
            out.append(
                Conflict(
                    item.id,
                    account,
                    coll_url,
                    item.uid,
                    item.title,
                    mine,
                    theirs,
                    item.conflict_at,
                    tuple(self._diff(mine, theirs, vocabulary)),
                    item.theirs_etag,
                )
            )
        return out

    def conflict(self, conflict_id: int) -> Conflict:
        for found in self.conflicts():
            if found.id == conflict_id:
                return found
        raise NotFoundError(
            f"There is no sync conflict {conflict_id} (see 'liaison sync conflicts')."
        )

    def resolve(
        self,
        conflict_id: int,
        keep: str,
        fields: Mapping[str, str] | None = None,
        *,
        seen: Conflict | None = None,
    ) -> Conflict:
        """Keep ``mine``, ``theirs``, or ``merge`` (``fields`` names those to take from theirs;
        the rest stay mine). Local only: the next sync sends what was chosen, conditionally on
        the server version the user saw."""
        if keep not in ("mine", "theirs", "merge"):
            raise ValidationError("Keep 'mine', 'theirs' or 'merge'.")
        conflict = self.conflict(conflict_id)
        if seen is not None and seen.theirs_etag != conflict.theirs_etag:
            # A sync read a newer server version since the user looked: choosing now would
            # decide about a version nobody here has seen.
            raise ValidationError(
                f"{conflict.title!r} changed on the server again since it was shown; "
                "look at the conflict again."
            )
        vocabulary = self._importer.vocabulary()
        with self._db.transaction() as session:
            item = session.get(SyncItemRecord, conflict_id)
            assert item is not None
            if keep == "theirs":
                if conflict.theirs is None:
                    self._meetings.delete_uid_in(session, item.uid)
                    session.delete(item)
                    return conflict
                self._importer.apply_resource_in(
                    session, conflict.theirs, vocabulary, f"the server's {item.title!r}"
                )
                item.etag = item.theirs_etag
                item.content_hash = "pending"  # set from our own text of it, below
                noted = _revisions(session, {item.uid})
                collection = item.collection_id
            elif keep == "merge":
                if conflict.mine is None or conflict.theirs is None:
                    raise ValidationError(
                        "One side deleted it: keep mine or theirs, there is nothing to merge."
                    )
                self._merge_in(session, conflict, dict(fields or {}), vocabulary)
                item.etag, item.content_hash = item.theirs_etag, "merged"
            elif conflict.theirs is None:
                if conflict.mine is None:
                    session.delete(item)
                    return conflict
                # Deleted there, kept here: send it again as a new resource.
                item.etag, item.content_hash = "", "recreate"
            else:
                item.etag, item.content_hash = item.theirs_etag, "mine"
            if item.theirs:
                item.server = item.theirs  # the server's version from now on
            item.conflict, item.theirs, item.theirs_etag, item.conflict_at = False, None, "", None
            session.add(item)
        if keep == "theirs":
            _in_step(self, collection, noted)
        return conflict

    def _merge_in(
        self, session: Session, conflict: Conflict, fields: dict[str, str], vocabulary: Any
    ) -> None:
        assert conflict.mine is not None
        assert conflict.theirs is not None
        names = {name for name, _ in MERGE_FIELDS}
        unknown = set(fields) - names
        if unknown:
            raise ValidationError(f"No such field to merge: {', '.join(sorted(unknown))}.")
        mine = _master_draft(_read(conflict.mine, vocabulary))
        theirs = _master_draft(_read(conflict.theirs, vocabulary))
        if mine is None or theirs is None:
            raise ValidationError("One side cannot be read: keep mine or theirs.")
        take = {name for name, side in fields.items() if side == "theirs"}
        if OCCURRENCES in take:
            # Their changed occurrences: their whole version first, then mine over the series
            # for every other field not taken from theirs.
            self._importer.apply_resource_in(session, conflict.theirs, vocabulary, "theirs")
            take.discard(OCCURRENCES)
        merged = mine.model_copy(update={name: getattr(theirs, name) for name in take})
        row = session.exec(
            select(MeetingRecord).where(
                col(MeetingRecord.uid) == conflict.uid, col(MeetingRecord.recurrence_id).is_(None)
            )
        ).first()
        if row is None:
            raise NotFoundError("The meeting of this conflict is gone here.")
        self._meetings.replace_in(session, row, merged)

    def _diff(self, mine: bytes | None, theirs: bytes | None, vocabulary: Any) -> list[FieldDiff]:
        mine_read, theirs_read = _read(mine, vocabulary), _read(theirs, vocabulary)
        left, right = _master_draft(mine_read), _master_draft(theirs_read)
        gone_mine = "(deleted)" if mine is None else "(cannot be read)"
        gone_theirs = "(deleted)" if theirs is None else "(cannot be read)"
        out = []
        for name, label in MERGE_FIELDS[:-1]:  # the occurrences come below
            a = _shown(getattr(left, name)) if left else gone_mine
            b = _shown(getattr(right, name)) if right else gone_theirs
            if a != b:
                out.append(FieldDiff(name, label, a, b))
        if left and right:
            a, b = _occurrences(mine_read), _occurrences(theirs_read)
            if a != b:
                out.append(FieldDiff(OCCURRENCES, MERGE_FIELDS[-1][1], a, b))
        return out

    # --- internals ------------------------------------------------------------------------

    def _account_row(self, session: Session, name: str) -> SyncAccountRecord:
        row = session.exec(
            select(SyncAccountRecord).where(col(SyncAccountRecord.name) == name)
        ).first()
        if row is None:
            raise NotFoundError(f"There is no sync account {name!r} (see 'liaison sync status').")
        return row

    def _collections(self, session: Session, account_id: int) -> list[SyncCollectionRecord]:
        return list(
            session.exec(
                select(SyncCollectionRecord)
                .where(col(SyncCollectionRecord.account_id) == account_id)
                .order_by(col(SyncCollectionRecord.position), col(SyncCollectionRecord.id))
            ).all()
        )

    def _items_of(self, session: Session, coll: SyncCollectionRecord) -> dict[str, SyncItemRecord]:
        rows = session.exec(
            select(SyncItemRecord).where(col(SyncItemRecord.collection_id) == coll.id)
        ).all()
        return {r.uid: r for r in rows}

    def _account(self, session: Session, row: SyncAccountRecord) -> SyncAccount:
        assert row.id is not None
        calendars = []
        for coll in self._collections(session, row.id):
            assert coll.id is not None
            route = json.loads(coll.route_json) if coll.route_json else {}
            calendars.append(
                SyncCalendar(
                    coll.id,
                    coll.url,
                    coll.name,
                    tuple(route.get("strands", ())),
                    tuple(route.get("kinds", ())),
                    main=not coll.route_json,
                )
            )
        return SyncAccount(
            row.name,
            row.url,
            row.username,
            row.ca_file,
            tuple(calendars),
            row.last_sync,
            row.last_error,
        )

    def _local_plans(
        self, name: str | None
    ) -> Iterable[tuple[SyncAccount, list[tuple[SyncCollectionRecord, dict[str, bytes]]]]]:
        """Per account, per remote calendar: the resources that belong there now."""
        accounts = [self.account(name)] if name else self.accounts()
        if not accounts:
            return []
        with self._db.reading() as session:
            colls = {
                a.name: self._collections(session, self._account_row(session, a.name).id or 0)
                for a in accounts
            }
        routes = [
            (a.name, c)
            for a in accounts
            for c in colls[a.name]
            if c.route_json and json.loads(c.route_json) != {"strands": [], "kinds": []}
        ]
        filters = []
        for _, c in routes:
            route = json.loads(c.route_json)
            filters.append(MeetingFilter(strands=route["strands"], kinds=route["kinds"]))
        resources, matched = self._feeds.resources(filters)
        out = []
        for account in accounts:
            taken: set[str] = set()
            plan = []
            for (owner, coll), uids in zip(routes, matched, strict=True):
                if owner != account.name:
                    continue
                mine = {u: resources[u] for u in uids - taken if u in resources}
                taken |= mine.keys()
                plan.append((coll, mine))
            for coll in colls[account.name]:
                if not coll.route_json:
                    plan.append((coll, {u: d for u, d in resources.items() if u not in taken}))
                elif not any(c is coll for c, _ in plan):
                    plan.append((coll, {}))  # a calendar that takes nothing any more
            out.append((account, plan))
        return out

    def _share(self, name: str, collection_id: int | None) -> dict[str, bytes]:
        """The resources that belong to one remote calendar of an account now."""
        for _, plan in self._local_plans(name):
            for coll, mine in plan:
                if coll.id == collection_id:
                    return mine
        return {}

    def _waiting_in(
        self, account: str, coll: SyncCollectionRecord, mine: dict[str, bytes]
    ) -> list[Waiting]:
        with self._db.reading() as session:
            items = self._items_of(session, coll)
            titles = _titles(session, [u for u in mine if u not in items or items[u].conflict])
        out = []
        for uid, data in mine.items():
            item = items.get(uid)
            if item is None:
                out.append(Waiting(account, coll.url, uid, titles.get(uid, uid), "new"))
            elif not item.conflict and item.content_hash != _hash(data):
                out.append(Waiting(account, coll.url, uid, item.title or uid, "changed"))
        for uid, item in items.items():
            if uid not in mine and not item.conflict:
                out.append(Waiting(account, coll.url, uid, item.title or uid, "deleted"))
        return out


def _titles(session: Session, uids: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for first in range(0, len(uids), 500):
        chunk = list(uids[first : first + 500])
        rows = session.exec(
            select(MeetingRecord.uid, MeetingRecord.title).where(
                col(MeetingRecord.uid).in_(chunk), col(MeetingRecord.recurrence_id).is_(None)
            )
        ).all()
        out.update(dict(rows))
    return out


def _read(data: bytes | None, vocabulary: Any) -> "ReadResult | None":
    """A resource's events as the importer reads them; None when it cannot be read at all."""
    from liaison_calendar.ical import reader

    if data is None:
        return None
    try:
        return reader.read(data, default_tz="UTC", vocabulary=vocabulary)
    except reader.ReadError:
        return None


def _master_draft(found: "ReadResult | None") -> MeetingDraft | None:
    if found is None:
        return None
    for event in found.events:
        if event.recurrence_id is None and not event.phase_only:
            return event.draft
    return found.events[0].draft if found.events else None


def _occurrences(found: "ReadResult | None") -> str:
    """The changed occurrences of a series, one line each, as a person compares them."""
    if found is None:
        return ""
    lines = []
    for event in found.events:
        if event.recurrence_id is None:
            continue
        d = event.draft
        parts = [_shown(d.start), d.title, d.location, str(d.status)]
        lines.append(f"{_shown(event.recurrence_id)}: " + ", ".join(p for p in parts if p))
    return "\n".join(sorted(lines)) or "(none)"


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_shown(v) for v in value)
    if hasattr(value, "model_dump"):
        parts = [str(v) for v in value.model_dump().values() if v not in (None, "", [], 0)]
        return ", ".join(parts)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _choose_calendar(found: list[RemoteCalendar], wanted: str | None) -> RemoteCalendar | None:
    if wanted:
        target = path_of(wanted if "://" in wanted else "/" + wanted.lstrip("/")).rstrip("/")
        for cal in found:
            if path_of(cal.url).rstrip("/") == target or cal.name == wanted:
                return cal
            if path_of(cal.url).rstrip("/").rsplit("/", 1)[-1] == wanted.strip("/"):
                return cal
        return None
    if len(found) == 1:
        return found[0]
    if not found:
        return None
    names = ", ".join(f"{path_of(c.url)} ({c.name})" if c.name else path_of(c.url) for c in found)
    raise ValidationError(
        f"The server has {len(found)} calendars; choose one with --calendar: {names}."
    )


def _new_calendar_url(remote: Remote, wanted: str | None) -> str:
    if wanted and "/" in wanted.strip("/"):
        return wanted if "://" in wanted else "/" + wanted.strip("/") + "/"
    home = remote.home()
    return home.rstrip("/") + "/" + (wanted.strip("/") if wanted else "liaison-calendar") + "/"


class _Pass:
    """One sync of one remote calendar."""

    def __init__(
        self,
        service: SyncService,
        remote: Remote,
        account: SyncAccount,
        coll: SyncCollectionRecord,
        run: SyncRun,
        progress: Progress | None,
    ) -> None:
        self.s = service
        self.remote = remote
        self.account = account
        self.coll = coll
        # What is here, this calendar's share and all of it: looked at by each read (_pull).
        self.mine: dict[str, bytes] = {}
        self.everything: dict[str, bytes] = {}
        self.run = run
        self.progress = progress or (lambda message, done, total: None)
        self._vocabulary: Any = None

    def sync(self, accept_empty: bool) -> None:
        pushes, titles = self._pull(accept_empty)
        if pushes:
            self._push(pushes, titles)
            # Read again: the token must cover our own writes, or a resource we created and
            # someone deleted before the next sync would never be reported (RFC 6578 may leave
            # out what was created and deleted since a token).
            self._pull(accept_empty)

    def _pull(self, accept_empty: bool) -> tuple[list[str], dict[str, str]]:
        """Read and apply the server's changes; the UIDs to push, and titles by UID."""
        s, coll = self.s, self.coll
        assert coll.id is not None
        self.progress(f"Reading changes from {self.account.name}", 0, 0)
        # What is here now, looked at afresh by each read: an earlier pass (another calendar
        # of the account) or this pass's first read may have changed it, and a meeting may now
        # belong to another calendar.
        self.everything, _ = s._feeds.resources()
        self.mine = s._share(self.account.name, coll.id)
        with s._db.reading() as session:
            row = session.get(SyncCollectionRecord, coll.id)
            token = row.sync_token if row is not None else None
            items = s._items_of(session, coll)
            titles = _titles(session, list(self.mine))
        listing = self.remote.changes(coll.url, token)
        by_href = {path_of(i.href): i for i in items.values()}
        # Only what we know the server had can have gone there (not, say, a meeting whose
        # deletion there was overruled here and waits to be sent again).
        if listing.complete:
            removed = [h for h, i in by_href.items() if h not in listing.changed and _there(i)]
        else:
            removed = [path_of(h) for h in listing.removed if _there(by_href.get(path_of(h)))]
        changed = [
            h
            for h, etag in listing.changed.items()
            if h not in by_href
            or by_href[h].etag != etag
            or (by_href[h].conflict and by_href[h].theirs_etag != etag)
        ]
        known = [i for i in items.values() if _there(i)]
        left = {h for h, i in by_href.items() if _there(i)} - set(removed)
        emptied = len(known) > 1 and not left and not (listing.changed.keys() - by_href.keys())
        self.progress(f"Fetching {len(changed)} changed event(s)", 0, len(changed))
        fetched = self.remote.fetch(coll.url, changed) if changed else []
        got = {f.href for f in fetched}
        removed += [h for h in changed if h not in got and h in by_href]  # gone since listed
        theirs: dict[str, Fetched] = {}
        for f in fetched:
            if b"BEGIN:VEVENT" not in f.data.upper():
                continue  # a task or a journal entry in the same calendar: not ours to read
            uid = _uid_of(f.data)
            if uid is None:
                self.run.problems.append(f"{f.href} on the server has no UID; left alone.")
                continue
            theirs[uid] = f
        gone = {by_href[h].uid for h in removed if h in by_href}
        pushes = self._decide(items, theirs, gone, titles)
        if emptied and self.delete_here and not accept_empty:
            # Everything gone at once is more often a server or account mix-up than a team
            # deleting its whole calendar: ask before deleting anything here.
            raise EmptyServerError(
                f"The calendar {coll.url} of {self.account.name!r} came back empty, but "
                f"{len(self.delete_here)} meeting(s) synced with it are here. Nothing was "
                "deleted; sync again and accept to delete them here too, or check the server.",
                self.account.name,
                coll.url,
                len(self.delete_here),
            )
        complete = self._apply(items, theirs, gone, titles, listing.token)
        if not complete:
            self.run.problems.append(
                "Some events from the server were not applied; they are read again next time."
            )
        return pushes, titles

    # --- deciding -------------------------------------------------------------------------

    def _decide(
        self,
        items: dict[str, SyncItemRecord],
        theirs: dict[str, Fetched],
        gone: set[str],
        titles: dict[str, str],
    ) -> list[str]:
        """Mark conflicts and in-step pairs on ``items``; the UIDs to push."""
        self.pull: dict[str, Fetched] = {}
        self.delete_here: set[str] = set()
        self.touched: dict[str, SyncItemRecord] = {}
        self.dropped: set[str] = set()
        pushes = []
        for uid in sorted(set(items) | set(self.mine) | set(theirs) | gone):
            item = items.get(uid)
            local = self.mine.get(uid)
            remote = theirs.get(uid)
            removed = uid in gone and remote is None
            if item is not None and item.conflict:
                if remote is not None or removed:
                    self._conflict(item, remote, uid, titles)  # the server moved on again
                continue
            changed_here = (item is None and local is not None) or (
                item is not None and (local is None or _hash(local) != item.content_hash)
            )
            if remote is None and not removed:
                if changed_here:
                    pushes.append(uid)
                continue
            if not changed_here:
                if remote is not None:
                    self.pull[uid] = remote
                elif item is not None:
                    if local is not None:
                        self.delete_here.add(uid)
                    self.dropped.add(uid)
                continue
            # Changed on both sides.
            if remote is not None and local is not None and self._same(remote.data, local):
                self._record(item, uid, remote.href, remote.etag, local, titles, remote.data)
            elif removed and local is None:
                if item is not None:
                    self.dropped.add(uid)
            else:
                self._conflict(item, remote, uid, titles)
        return pushes

    def _record(
        self,
        item: SyncItemRecord | None,
        uid: str,
        href: str,
        etag: str,
        data: bytes,
        titles: dict[str, str],
        server: bytes | None = None,
    ) -> SyncItemRecord:
        assert self.coll.id is not None
        if item is None:
            item = SyncItemRecord(collection_id=self.coll.id, uid=uid, href=href)
        item.href, item.etag, item.content_hash = href, etag, _hash(data)
        if server is not None:
            item.server = server.decode("utf-8", "surrogatepass")
        item.title = titles.get(uid, item.title)
        item.conflict, item.theirs, item.theirs_etag, item.conflict_at = False, None, "", None
        self.touched[uid] = item
        return item

    def _conflict(
        self,
        item: SyncItemRecord | None,
        remote: Fetched | None,
        uid: str,
        titles: dict[str, str],
    ) -> None:
        assert self.coll.id is not None
        if item is None:
            assert remote is not None
            item = SyncItemRecord(
                collection_id=self.coll.id, uid=uid, href=remote.href, content_hash=""
            )
        if not item.conflict:
            self.run.conflicts += 1
        item.conflict = True
        item.theirs = remote.data.decode("utf-8", "surrogatepass") if remote else ""
        item.theirs_etag = remote.etag if remote else ""
        if remote is not None:
            item.href = remote.href
        item.title = titles.get(uid, item.title) or _title_of(remote) or uid
        item.conflict_at = self.s._clock.now()
        self.touched[uid] = item

    def _same(self, theirs: bytes, mine: bytes) -> bool:
        """Whether the server holds what we hold: the same bytes, or (from a server that
        rewrites what it stores) the same events when read back."""
        if theirs == mine:
            return True
        if self._vocabulary is None:
            self._vocabulary = self.s._importer.vocabulary()
        return _meaning(theirs, self._vocabulary) == _meaning(mine, self._vocabulary)

    # --- applying here --------------------------------------------------------------------

    def _apply(
        self,
        items: dict[str, SyncItemRecord],
        theirs: dict[str, Fetched],
        gone: set[str],
        titles: dict[str, str],
        token: str | None,
    ) -> bool:
        """Apply the server's changes, record conflicts, and save the token: one transaction."""
        s = self.s
        vocabulary = s._importer.vocabulary()
        complete = True
        applied: set[str] = set()
        with s._db.transaction() as session:
            if self.pull or self.delete_here:
                # Edits saved here since this sync looked: they conflict, never get overwritten.
                # (This transaction holds the write lock, so nothing can change after this.)
                now, _ = s._feeds.resources()
                for uid in sorted({*self.pull, *self.delete_here}):
                    if now.get(uid) != self.everything.get(uid):
                        self._conflict(items.get(uid), self.pull.pop(uid, None), uid, titles)
                        self.delete_here.discard(uid)
                        self.dropped.discard(uid)
            s._importer.exercises_in(
                session, [(r.href, r.data) for r in self.pull.values()], vocabulary
            )
            for n, (uid, remote) in enumerate(sorted(self.pull.items())):
                if n % 50 == 0:
                    self.progress("Applying changes from the server", n, len(self.pull))
                try:
                    _, repairs = s._importer.apply_resource_in(
                        session, remote.data, vocabulary, remote.href
                    )
                except (CalendarImportError, LiaisonError) as exc:
                    self.run.problems.append(f"Not applied: {exc.message}")
                    complete = False
                    continue
                applied.add(uid)
                self.run.pulled += 1
                for note in repairs:
                    if note.startswith("unknown time zone"):  # its times may be off: say so
                        self.run.problems.append(f"{_title_of(remote) or uid}: {note}.")
            for uid in sorted(self.delete_here):
                self.run.deleted_here += 1 if s._meetings.delete_uid_in(session, uid) else 0
            for uid in self.dropped:
                item = items[uid]
                session.delete(session.merge(item))
            for item in self.touched.values():
                session.add(session.merge(item) if item.id is not None else item)
            pulled_titles = _titles(session, sorted(applied))
            if token and complete:
                row = session.get(SyncCollectionRecord, self.coll.id)
                assert row is not None
                row.sync_token = token
                session.add(row)
            # What we now hold of each pulled UID, in our own words, is the new "in step".
            pending = {uid: self.pull[uid] for uid in applied}
            for uid, remote in pending.items():
                item = items.get(uid) or SyncItemRecord(
                    collection_id=self.coll.id or 0, uid=uid, href=remote.href
                )
                item.href, item.etag = remote.href, remote.etag
                item.server = remote.data.decode("utf-8", "surrogatepass")
                item.title = pulled_titles.get(uid, item.title)
                item.content_hash = "pending"
                item = session.merge(item) if item.id is not None else item
                session.add(item)
                titles[uid] = item.title
            noted = _revisions(session, applied)
        if applied:
            _in_step(s, self.coll.id or 0, noted)
        return complete

    # --- sending --------------------------------------------------------------------------

    def _push(self, uids: list[str], titles: dict[str, str]) -> None:
        s = self.s
        with s._db.reading() as session:
            items = s._items_of(session, self.coll)
        done: list[SyncItemRecord] = []
        gone: list[SyncItemRecord] = []
        try:
            for n, uid in enumerate(uids):
                if n % 10 == 0:
                    self.progress(f"Sending changes to {self.account.name}", n, len(uids))
                item = items.get(uid)
                local = self.mine.get(uid)
                if item is not None and item.conflict:
                    continue
                try:
                    if local is None:
                        assert item is not None
                        if item.etag:
                            self.remote.delete(item.href, item.etag)
                            self.run.deleted_there += 1
                        gone.append(item)
                        continue
                    bad = check.problems(local)
                    if bad:
                        self.run.problems.append(
                            f"{titles.get(uid, uid)!r} was not sent: {'; '.join(bad[:3])}."
                        )
                        continue
                    # Another client's alarms and the like, which we have no field for.
                    known = item.server if item is not None and item.etag else None
                    server = known.encode("utf-8", "surrogatepass") if known else None
                    data = graft.keep_theirs(local, server)
                    if data != local and check.problems(data):
                        data = local  # what they held cannot travel with ours: ours alone
                    if item is None or not item.etag:
                        href = item.href if item else joined(self.coll.url, resource_name(uid))
                        etag = self.remote.create(href, data)
                    else:
                        href = item.href
                        etag = self.remote.update(href, data, item.etag)
                except ChangedOnServer:
                    self._changed_meanwhile(item, uid, local, titles)
                    continue
                done.append(self._record(item, uid, href, etag, local, titles, data))
                self.run.pushed += 1
                if len(done) + len(gone) >= RECORD_EVERY:
                    self._save(done, gone)
        finally:
            self._save(done, gone)

    def _changed_meanwhile(
        self, item: SyncItemRecord | None, uid: str, local: bytes | None, titles: dict[str, str]
    ) -> None:
        href = item.href if item else joined(self.coll.url, resource_name(uid))
        remote = self.remote.get(href)
        self.touched = {}
        if remote is not None and item is not None and item.etag and remote.etag == item.etag:
            # Refused, yet the server still has what we last agreed on (a proxy, a server
            # briefly confused): no conflict; the change stays waiting for the next sync.
            self.run.problems.append(
                f"The server refused to take {titles.get(uid, uid)!r} (412) although it has not "
                "changed there; it is sent again next time."
            )
            return
        if remote is not None and local is not None and self._same(remote.data, local):
            self._record(item, uid, href, remote.etag, local, titles, remote.data)
        elif remote is None and (item is None or not item.etag):
            # A create refused, yet nothing is there: sent again next time.
            self.run.problems.append(
                f"The server refused to take {titles.get(uid, uid)!r} (412) although nothing "
                "is there; it is sent again next time."
            )
            return
        elif remote is None and local is None:
            if item is not None:
                with self.s._db.transaction() as session:
                    row = session.get(SyncItemRecord, item.id)
                    if row is not None:
                        session.delete(row)
            return
        else:
            self._conflict(item, remote, uid, titles)
        with self.s._db.transaction() as session:
            for found in self.touched.values():
                session.add(session.merge(found) if found.id is not None else found)

    def _save(self, done: list[SyncItemRecord], gone: list[SyncItemRecord]) -> None:
        if not done and not gone:
            return
        with self.s._db.transaction() as session:
            for item in done:
                session.add(session.merge(item) if item.id is not None else item)
            for item in gone:
                row = session.get(SyncItemRecord, item.id)
                if row is not None:
                    session.delete(row)
        done.clear()
        gone.clear()


def _meaning(data: bytes, vocabulary: Any) -> object:
    found = _read(data, vocabulary)
    if found is None or found.problems:
        return None
    return sorted(
        (e.uid, str(e.recurrence_id), e.sequence, e.draft.model_dump_json()) for e in found.events
    )


class _SyncLock:
    """One sync of a calendar file at a time, across processes (an OS lock on a file beside
    it, let go by the OS if the process dies)."""

    def __init__(self, db_path: Path) -> None:
        self._path = db_path.with_name(db_path.name + ".sync-lock")
        self._file: Any = None

    def __enter__(self) -> bool:
        try:
            self._file = open(self._path, "a+b")  # noqa: SIM115 - held until __exit__
        except OSError:
            return True  # a folder we cannot write: the sync says so soon enough
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(self._file.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._file.close()
            self._file = None
            return False
        return True

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()  # closing lets the lock go
            self._file = None


def _revisions(session: Session, uids: Iterable[str]) -> dict[str, tuple[tuple[int, int], ...]]:
    """The (id, revision) of each meeting of ``uids``: any edit changes them."""
    found: dict[str, list[tuple[int, int]]] = {uid: [] for uid in uids}
    chosen = sorted(found)
    for first in range(0, len(chosen), 500):
        rows = session.exec(
            select(MeetingRecord.uid, MeetingRecord.id, MeetingRecord.revision).where(
                col(MeetingRecord.uid).in_(chosen[first : first + 500])
            )
        ).all()
        for uid, mid, revision in rows:
            found[uid].append((mid or 0, revision))
    return {uid: tuple(sorted(pairs)) for uid, pairs in found.items()}


def _in_step(
    service: SyncService, collection_id: int, noted: dict[str, tuple[tuple[int, int], ...]]
) -> None:
    """Record our own text of the UIDs just made to say what the server says ("pending" until
    now). Only where nobody edited them since ``noted`` was taken: an edit made in between stays
    a change made here, sent next time (If-Match the server's version), never lost."""
    resources, _ = service._feeds.resources()
    with service._db.transaction() as session:
        now = _revisions(session, noted)
        for item in session.exec(
            select(SyncItemRecord).where(
                col(SyncItemRecord.collection_id) == collection_id,
                col(SyncItemRecord.uid).in_(sorted(noted)),
            )
        ).all():
            if item.content_hash != "pending" or now[item.uid] != noted[item.uid]:
                continue
            if item.uid in resources:
                item.content_hash = _hash(resources[item.uid])
                session.add(item)


def _there(item: SyncItemRecord | None) -> bool:
    """Whether the server had this resource when we last looked (agreed, or as theirs)."""
    return item is not None and bool(item.etag or (item.conflict and item.theirs_etag))


def _title_of(remote: Fetched | None) -> str:
    return (_property(remote.data, "SUMMARY") or "")[:200] if remote is not None else ""
