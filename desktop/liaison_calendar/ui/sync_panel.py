"""CalDAV sync in the main window: when it runs, what the status bar says, what it asks.

``SyncController`` runs ``services.sync`` off the GUI thread (``BackgroundTask``), never two at
once, and only when there is a sync account (with none, nothing runs and the label is hidden):

- once the window is on screen (``start``, from ``MainWindow.warm_up``);
- a few seconds after the last local change (``changed``, the hook feeds publishing uses too);
- every few minutes (``sync/interval_minutes`` in QSettings, 5 by default; Settings → Sync);
- when the user asks: Sync → Sync now (F9), or a click on the status-bar label.

The worker also reads the status, the changes waiting and the UIDs in conflict: ``status()``
serialises every meeting, too slow for the GUI thread on a big calendar. The GUI thread only
shows them, then asks what needs the user:

- a server calendar that suddenly came back empty (``EmptyServerError``, nothing deleted yet):
  delete those meetings here too? Default No; a No holds that account out of the automatic
  syncs until the next Sync now, which asks again;
- a password this computer does not keep (no system keyring): asked once per session for the
  automatic syncs, each time for Sync now.

A failed automatic sync (offline, say) only shows in the label; Sync now also says it in a box.
"""

import html
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QMessageBox, QWidget

from liaison_calendar.errors import LiaisonError, NotFoundError
from liaison_calendar.services.context import Services
from liaison_calendar.ui.tasks import BackgroundTask, Progress

if TYPE_CHECKING:
    from liaison_calendar.services.sync import SyncRun, SyncState, Waiting

log = logging.getLogger(__name__)

TITLE = "Sync"
INTERVAL_KEY = "sync/interval_minutes"
DEFAULT_INTERVAL_MINUTES = 5
CHANGE_DELAY_MS = 4000
"""A sync starts this long after the last local change (a burst of edits makes one sync)."""
NO_PASSWORD = "No password"
"""How ``SyncRun.error`` begins when this computer keeps no password for the account."""
SYNC_NOW_KEY = "F9"
TOOLTIP_WAITING = 12
"""Waiting changes listed by name in the label's tooltip; the rest are counted."""


def interval_minutes() -> int:
    """Minutes between automatic syncs (QSettings ``sync/interval_minutes``)."""
    value = QSettings().value(INTERVAL_KEY, DEFAULT_INTERVAL_MINUTES)
    try:
        return max(1, int(str(value)))
    except ValueError:
        return DEFAULT_INTERVAL_MINUTES


def set_interval_minutes(minutes: int) -> None:
    QSettings().setValue(INTERVAL_KEY, max(1, int(minutes)))


@dataclass
class SyncOutcome:
    """What one background sync did and what it left, read in the worker thread."""

    runs: list["SyncRun"] = field(default_factory=list)
    empty: list[Any] = field(default_factory=list)  # EmptyServerError (account, calendar, ...)
    states: list["SyncState"] = field(default_factory=list)
    waiting: list["Waiting"] = field(default_factory=list)
    conflicted: frozenset[str] | None = None  # None: could not be read
    failure: str = ""  # the sync as a whole failed (the runs may be empty)

    def summary(self) -> str:
        """What moved, e.g. "Sync: 2 sent, 1 received" ("" when nothing did)."""
        counts = (
            (sum(r.pushed for r in self.runs), "sent"),
            (sum(r.pulled for r in self.runs), "received"),
            (sum(r.deleted_here for r in self.runs), "deleted here"),
            (sum(r.deleted_there for r in self.runs), "deleted on the server"),
            (sum(r.conflicts for r in self.runs), "new conflicts"),
        )
        parts = [f"{count} {what}" for count, what in counts if count]
        return "Sync: " + ", ".join(parts) if parts else ""

    @property
    def changed_here(self) -> bool:
        """Meetings came from the server or were deleted here: the views must be refreshed."""
        return any(run.pulled or run.deleted_here for run in self.runs)


def status_text(states: Sequence["SyncState"], held: Iterable[str] = (), failure: str = "") -> str:
    """The label: "Sync: synced", "Sync: offline, 3 waiting", "Sync: 2 conflicts"…

    An account in ``held`` (its emptied server calendar not applied) is "on hold", whatever
    its state says."""
    on_hold = set(held) & {s.account for s in states}
    kinds = {s.state for s in states if s.account not in on_hold}
    waiting = sum(s.waiting for s in states)
    conflicts = sum(s.conflicts for s in states)
    parts = []
    if failure or "error" in kinds:
        parts.append("error")
    elif "offline" in kinds:
        parts.append("offline")
    elif on_hold:
        parts.append("on hold")
    if waiting:
        parts.append(f"{waiting} waiting")
    if conflicts:
        parts.append(f"{conflicts} conflict{'s' if conflicts != 1 else ''}")
    if not parts:
        parts.append("not synced yet" if "never" in kinds else "synced")
    text = "Sync: " + ", ".join(parts)
    return "⚠ " + text if conflicts or parts[0] == "error" else text


def _when(moment: datetime | None, tz: str) -> str:
    if moment is None:
        return "never"
    try:
        local = moment.astimezone(ZoneInfo(tz))
    except (KeyError, ValueError):
        local = moment
    return f"{local:%d %b %H:%M}"


def status_tooltip(
    states: Sequence["SyncState"],
    waiting: Sequence["Waiting"],
    tz: str,
    held: Iterable[str] = (),
    failure: str = "",
    problems: Sequence[str] = (),
) -> str:
    """Rich text: each account's state, the changes waiting to be sent, how to sync now."""
    held = set(held)
    lines = []
    if failure:
        lines.append(f"<b>The last sync failed:</b> {html.escape(failure)}")
    for s in states:
        if s.account in held:
            said = "on hold: its server calendar came back empty; Sync now to decide"
        elif s.state in ("synced", "waiting", "conflicts"):
            said = f"{s.message}; last synced {_when(s.last_sync, tz)}"
        else:
            said = s.message
        lines.append(f"<b>{html.escape(s.account)}</b>: {html.escape(said)}")
    if waiting:
        lines.append(f"<br><b>Waiting to be sent ({len(waiting)}):</b>")
        for item in waiting[:TOOLTIP_WAITING]:
            lines.append(f"• {html.escape(item.title)} ({html.escape(item.change)})")
        if len(waiting) > TOOLTIP_WAITING:
            lines.append(f"… and {len(waiting) - TOOLTIP_WAITING} more")
    if problems:
        lines.append("<br><b>Not sent or not applied:</b>")
        lines += [f"• {html.escape(p)}" for p in problems[:TOOLTIP_WAITING]]
    lines.append(f"<br><i>Click, or press {SYNC_NOW_KEY}, to sync now.</i>")
    return "<qt>" + "<br>".join(lines) + "</qt>"


def _run_sync(
    services: Services,
    names: Sequence[str] | None,
    skip: set[str],
    accept_empty: set[str],
    report: Callable[[str], None],
) -> SyncOutcome:
    """The worker: sync each account (or those named) on its own, then read the state.

    Never raises: an account whose calendar came back empty is kept in ``empty`` and the
    others still sync; anything unexpected is logged and said in ``failure``."""
    from liaison_calendar.services.sync import EmptyServerError

    sync = services.sync
    out = SyncOutcome()

    def progress(message: str, _done: int, _total: int) -> None:
        report(message)

    try:
        chosen = list(names) if names is not None else [a.name for a in sync.accounts()]
        for name in chosen:
            if name in skip:
                continue
            try:
                out.runs += sync.run(name, accept_empty=name in accept_empty, progress=progress)
            except EmptyServerError as exc:
                out.empty.append(exc)
            except NotFoundError:
                continue  # removed meanwhile
    except LiaisonError as exc:
        out.failure = exc.message
    except Exception as exc:
        log.exception("sync failed")
        out.failure = f"an unexpected error ({type(exc).__name__}: {exc}); see the log"
    try:
        out.states = sync.status()
        # Each of these serialises the whole calendar: the list only when something waits.
        out.waiting = sync.waiting() if any(s.waiting for s in out.states) else []
        out.conflicted = frozenset(sync.conflicted_uids())
    except LiaisonError as exc:
        out.failure = out.failure or exc.message
    except Exception as exc:
        log.exception("reading the sync status failed")
        out.failure = out.failure or f"an unexpected error ({type(exc).__name__}); see the log"
    return out


class SyncStatusLabel(QLabel):
    """The permanent status-bar label; a click asks for a sync now."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName("Sync status")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setContentsMargins(10, 0, 4, 0)  # apart from the meeting count beside it

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class _Relay(QObject):
    """Carries the worker's progress messages to the GUI thread (a queued signal)."""

    message = Signal(str)


class SyncController(QObject):
    """Runs the syncs of one window; ``synced(SyncOutcome)`` after each, ``busy(bool)`` when
    one starts and when it is over.

    ``pause``/``resume`` keep new syncs from starting while the user resolves conflicts or
    edits accounts (the services are not meant to resolve and sync at the same time); what is
    asked for meanwhile runs on ``resume``."""

    synced = Signal(object)
    busy = Signal(bool)

    def __init__(
        self,
        services: Services,
        parent: QWidget,
        keep_task: Callable[[BackgroundTask], None],
        tz: Callable[[], str],
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._parent = parent
        self._keep_task = keep_task
        self._tz = tz
        self.label = SyncStatusLabel(parent)
        self.label.clicked.connect(self.sync_now)
        self.label.hide()
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(CHANGE_DELAY_MS)
        self.debounce.timeout.connect(lambda: self._request(manual=False))
        self.periodic = QTimer(self)
        self.periodic.setInterval(interval_minutes() * 60_000)
        self.periodic.timeout.connect(self._tick)
        self._relay = _Relay(self)
        self._relay.message.connect(self._progressed)
        self.running = False  # a sync runs, or its outcome is being shown and asked about
        self.runs = 0  # syncs finished and settled (tests wait on it)
        self.outcome: SyncOutcome | None = None
        self.has_accounts = False
        self._started = False
        self._stopped = False
        self._paused = 0
        self._manual = False
        self._again: bool | None = None  # another sync asked for meanwhile (manual or not)
        self._held: set[str] = set()  # accounts whose emptied calendar the user refused
        self._no_password: set[str] = set()  # accounts whose password the user did not give

    # --- when -----------------------------------------------------------------------------

    def start(self) -> None:
        """The window is on screen: sync now if there is an account, then every few minutes."""
        if self._started:
            return
        self._started = True
        self.periodic.start()
        if self.check_accounts():
            self._request(manual=False)

    def stop(self) -> None:
        """The window closes: no new sync starts (a running one is waited for by the window)
        and nothing more is asked."""
        self._started = False
        self._stopped = True
        self.debounce.stop()
        self.periodic.stop()

    def pause(self) -> None:
        """No sync starts until ``resume`` (a running one goes on)."""
        self._paused += 1

    def resume(self, sync: bool = False) -> None:
        """Syncs may start again; one now if ``sync`` or if one was asked for meanwhile."""
        self._paused = max(0, self._paused - 1)
        if self._paused or self.running:
            return
        again, self._again = self._again, None
        if sync or again is not None:
            self._request(manual=bool(again))

    def changed(self) -> None:
        """A local change: sync a few seconds after the last one."""
        if self._started and self.has_accounts:
            self.debounce.start()

    def request(self) -> None:
        """A sync now, as for a change but without the delay."""
        self._request(manual=False)

    def sync_now(self) -> None:
        """Sync → Sync now (F9), or a click on the label."""
        if not self.check_accounts():
            QMessageBox.information(
                self._parent,
                TITLE,
                "There is no sync account yet. Add one in File → Settings…, on the Sync page.",
            )
            return
        self._request(manual=True)

    def settings_changed(self) -> bool:
        """Accounts were added or removed, a password set, or the interval changed: read them
        again (the caller then asks for a sync); whether there is any account."""
        self._no_password.clear()
        self.periodic.setInterval(interval_minutes() * 60_000)
        if not self.check_accounts():
            self.outcome = None
        return self.has_accounts

    def check_accounts(self) -> bool:
        """Whether there is any sync account (read again: the command line may add one)."""
        try:
            self.has_accounts = bool(self._services.sync.accounts())
        except LiaisonError:
            self.has_accounts = False
        self.label.setVisible(self.has_accounts)
        return self.has_accounts

    def states(self) -> list["SyncState"]:
        """The accounts' states after the last sync (empty before the first)."""
        return list(self.outcome.states) if self.outcome is not None else []

    @property
    def idle(self) -> bool:
        """Nothing runs and nothing is about to."""
        return not self.running and not self.debounce.isActive() and self._again is None

    def _tick(self) -> None:
        if self.check_accounts():
            self._request(manual=False)

    # --- running --------------------------------------------------------------------------

    def _request(self, manual: bool) -> None:
        if self._stopped or (not self._started and not manual):
            return
        self.debounce.stop()
        if self.running or self._paused:
            self._again = bool(self._again) or manual
            return
        if not self.has_accounts:
            return
        self._start(None, set(), manual)

    def _start(self, names: Sequence[str] | None, accept_empty: set[str], manual: bool) -> None:
        self.running = True
        self.busy.emit(True)
        self._manual = manual
        skip = set() if manual or names is not None else set(self._held)
        chosen = list(names) if names is not None else None
        services, relay = self._services, self._relay

        def work(_progress: Progress) -> SyncOutcome:
            return _run_sync(services, chosen, skip, accept_empty, relay.message.emit)

        self.label.setText("Sync: syncing…")
        task = BackgroundTask(self._parent, "Syncing…", work, show_progress=False)
        task.finished.connect(self._finished)
        task.failed.connect(lambda message: self._finished(SyncOutcome(failure=message)))
        self._keep_task(task)
        task.start()

    def _progressed(self, message: str) -> None:
        if self.running and message:
            self.label.setText(f"Sync: {message[:1].lower()}{message[1:]}…")

    def _finished(self, outcome: SyncOutcome) -> None:
        self.outcome = outcome
        self._show(outcome)
        self.synced.emit(outcome)
        if self._stopped:  # the window closed meanwhile: nothing more to ask
            self.running = False
            return
        retry, accept = self._ask(outcome)  # still "running": no other sync starts meanwhile
        manual = self._manual
        self.running = False
        self.runs += 1
        if retry and not self._stopped:
            self._start(sorted(retry), accept, manual)  # what was asked for meanwhile waits
            return
        self.busy.emit(False)
        if self._again is not None and not self._paused:
            again, self._again = self._again, None
            self._request(manual=again)

    def _show(self, outcome: SyncOutcome) -> None:
        self.label.setVisible(self.has_accounts or bool(outcome.states))
        problems = [p for run in outcome.runs for p in run.problems]
        self.label.setText(status_text(outcome.states, self._held, outcome.failure))
        self.label.setToolTip(
            status_tooltip(
                outcome.states,
                outcome.waiting,
                self._tz(),
                self._held,
                outcome.failure,
                problems,
            )
        )

    # --- asking ---------------------------------------------------------------------------

    def _ask(self, outcome: SyncOutcome) -> tuple[set[str], set[str]]:
        """Ask what needs the user; the accounts to sync again, and those to empty here."""
        retry: set[str] = set()
        accept: set[str] = set()
        for exc in outcome.empty:
            account = str(exc.account)
            if not self._manual and account in self._held:
                continue
            if self._ask_empty(exc):
                self._held.discard(account)
                retry.add(account)
                accept.add(account)
            else:
                self._held.add(account)
        reported = []
        for run in outcome.runs:
            if not run.error:
                continue
            if run.error.startswith(NO_PASSWORD):
                ask = self._manual or run.account not in self._no_password
                if ask and self._ask_password(run.account):
                    retry.add(run.account)
                else:  # not given: the label says so; asked again on Sync now
                    self._no_password.add(run.account)
                continue
            reported.append(f"{run.account}: {run.error}")
        if self._held:
            self._show(outcome)  # "on hold" in the label
        if self._manual:
            problems = [f"{r.account}: {p}" for r in outcome.runs for p in r.problems]
            if outcome.failure:
                reported.insert(0, f"The sync failed: {outcome.failure}")
            if reported or problems:
                text = "\n".join(reported)
                if problems:
                    text += ("\n\n" if text else "") + "Notes:\n" + "\n".join(problems[:10])
                QMessageBox.warning(self._parent, TITLE, text)
        return retry, accept

    def _ask_empty(self, exc: Any) -> bool:
        count = int(exc.meetings)
        answer = QMessageBox.question(
            self._parent,
            TITLE,
            f"The calendar {exc.calendar} of the sync account “{exc.account}” came back empty "
            f"from the server, but {count} meeting{'s' if count != 1 else ''} synced with it "
            "are here. Nothing has been deleted.\n\n"
            "Delete them here too? Answer No if you are not sure (for example the server was "
            "being restored): they stay here, and that account is not synced again until you "
            f"choose Sync now ({SYNC_NOW_KEY}).",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _ask_password(self, name: str) -> bool:
        sync = self._services.sync
        try:
            account = sync.account(name)
        except LiaisonError:
            return False
        password, ok = QInputDialog.getText(
            self._parent,
            "Sync password",
            f"Password of {account.user} on {account.url}\n(sync account “{name}”).\n\n"
            "There is no system keyring on this computer: the password is kept only until the "
            "app closes.",
            QLineEdit.EchoMode.Password,
        )
        if not ok or not password:
            return False
        try:
            sync.set_password(name, password)
        except LiaisonError as exc:
            QMessageBox.warning(self._parent, TITLE, exc.message)
            return False
        self._no_password.discard(name)
        return True
