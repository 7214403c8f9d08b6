"""CalDAV sync in the window, against real Radicale and Xandikos servers: the status-bar
label, remote changes arriving in the views, conflict badges and the conflict dialog, the
questions a sync asks, and the Sync page of Settings.

A second calendar database (``other``) syncing with the same server calendar plays the
colleague's computer. Background work is waited for with ``qtbot.waitUntil``, never slept on.
"""

import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.models import MeetingDraft, MeetingPatch
from liaison_calendar.services.context import Services
from liaison_calendar.ui import commands
from liaison_calendar.ui.conflict_dialog import ConflictDialog
from liaison_calendar.ui.main_window import MainWindow
from liaison_calendar.ui.settings_dialog import SettingsDialog
from liaison_calendar.ui.sync_panel import status_text
from liaison_calendar.ui.sync_settings import AddAccountDialog
from liaison_calendar.ui.views.agenda import AgendaView
from liaison_calendar.ui.views.month import BADGE_COLOUR, MonthView
from liaison_calendar.ui.views.week import WeekView
from tests.sync.servers import CalDAVServer, Radicale, Xandikos

TODAY = date(2026, 11, 25)  # the fixed clock's day (tests/conftest.py)
DAY = date(2026, 11, 26)
BRUSSELS = ZoneInfo("Europe/Brussels")
WAIT_MS = 30_000
PICTURES = os.environ.get("LIAISON_UI_PICTURES", "")
"""A folder to save the pictures of the status bar, dialogs and views in, to look at them
(e.g. ``LIAISON_UI_PICTURES=/tmp/liaison-sync-ui``); unset, they are only rendered."""


SERVERS: dict[str, type[Radicale] | type[Xandikos]] = {
    "radicale": Radicale,
    "xandikos": Xandikos,
}
RADICALE_ONLY = pytest.mark.parametrize("server", ["radicale"], indirect=True)
"""For what needs a password check or a calendar deleted and made again."""


@pytest.fixture(params=list(SERVERS))
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CalDAVServer]:
    kind: str = request.param
    with SERVERS[kind](tmp_path / kind) as started:
        yield started


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch, server: CalDAVServer) -> str:
    """The password given the way a script gives it (there is no keyring in the tests)."""
    monkeypatch.setenv("LIAISON_SYNC_PASSWORD", server.password)
    return server.password


def draft(title: str, hour: int = 10, location: str = "") -> MeetingDraft:
    return MeetingDraft(
        title=title,
        kind="staff-talks",
        start=datetime(DAY.year, DAY.month, DAY.day, hour, tzinfo=BRUSSELS),
        end=datetime(DAY.year, DAY.month, DAY.day, hour + 1, tzinfo=BRUSSELS),
        tz="Europe/Brussels",
        location=location,
    )


def settle(qtbot: QtBot, win: MainWindow, runs: int) -> None:
    """Wait until ``runs`` syncs are done and nothing more is about to run."""
    qtbot.waitUntil(lambda: win.sync.runs >= runs and win.sync.idle, timeout=WAIT_MS)


def open_window(qtbot: QtBot, services: Services) -> MainWindow:
    win = MainWindow(services, today=TODAY)
    qtbot.addWidget(win)
    win.sync.debounce.setInterval(20)  # a change syncs at once here
    win.show()
    win.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: win.ready, timeout=WAIT_MS)  # the start-up sync began there
    return win


@pytest.fixture
def window(
    qtbot: QtBot, services: Services, server: CalDAVServer, password: str
) -> Iterator[MainWindow]:
    services.sync.add_account("work", server.url, server.user, password)
    win = open_window(qtbot, services)
    settle(qtbot, win, 1)
    yield win
    win.undo_stack.clear()


@pytest.fixture
def other(
    tmp_path: Path, clock: FixedClock, server: CalDAVServer, password: str
) -> Iterator[Services]:
    """The colleague's calendar, synced with the same server calendar."""
    svc = Services.open(tmp_path / "other.db", clock)
    svc.sync.add_account("work", server.url, server.user, password)
    yield svc
    svc.close()


def chips(win: MainWindow, day: date = DAY) -> list[str]:
    view = win.view
    assert isinstance(view, MonthView)
    return view.chip_texts(day)


def badge_pixels(image: QImage, rects: list[QRect]) -> int:
    """Pixels of the conflict badge's red inside ``rects`` of ``image``."""
    red = BADGE_COLOUR.rgb()
    return sum(
        1
        for rect in rects
        for x in range(rect.left(), rect.right() + 1)
        for y in range(rect.top(), rect.bottom() + 1)
        if image.pixel(x, y) == red
    )


def month_badge(win: MainWindow, meeting_id: int) -> int:
    view = win.view
    assert isinstance(view, MonthView)
    view.select_meeting(meeting_id)
    occ = view.current()
    assert occ is not None
    return badge_pixels(view.grab().toImage(), view.chip_rects(occ))


def save(widget: QWidget, name: str) -> None:
    picture = widget.grab()
    assert not picture.isNull()
    if PICTURES:
        Path(PICTURES).mkdir(parents=True, exist_ok=True)
        assert picture.save(str(Path(PICTURES) / name))


# --- the status-bar label ---------------------------------------------------------------------


def test_no_account_no_sync_and_no_label(qtbot: QtBot, services: Services) -> None:
    win = open_window(qtbot, services)
    assert win.sync.runs == 0
    assert win.sync.idle
    assert not win.sync.label.isVisible()
    assert win.sync_now_action.shortcut().toString() == "F9"


def test_status_label_says_synced_then_offline_with_the_changes_waiting(
    qtbot: QtBot, window: MainWindow, server: CalDAVServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.sync.label.isVisible()
    assert window.sync.label.text() == "Sync: synced"

    server.stop()
    window._run(
        commands.CreateMeeting(window.services, draft("Quokka liaison briefing"), window._changed)
    )  # a change: the debounced sync finds the server gone
    settle(qtbot, window, 2)
    assert window.sync.label.text() == "Sync: offline, 1 waiting"
    tip = window.sync.label.toolTip()
    assert "Cannot reach" in tip
    assert "Quokka liaison briefing (new)" in tip
    save(window.statusBar(), "status-offline.png")
    tip_label = QLabel(tip)
    qtbot.addWidget(tip_label)
    save(tip_label, "status-tooltip.png")

    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: warnings.append(text))
    qtbot.mouseClick(window.sync.label, Qt.MouseButton.LeftButton)  # Sync now says why not
    settle(qtbot, window, 3)
    assert len(warnings) == 1
    assert warnings[0].startswith("work: Cannot reach")
    assert window.sync.label.text() == "Sync: offline, 1 waiting"

    server.start()
    qtbot.keyClick(window, Qt.Key.Key_F9)  # Sync now
    settle(qtbot, window, 4)
    assert window.sync.label.text() == "Sync: synced"
    assert len(warnings) == 1
    save(window.statusBar(), "status-synced.png")


def test_closing_the_window_waits_for_a_running_sync_and_asks_nothing(
    qtbot: QtBot, window: MainWindow, other: Services
) -> None:
    other.meetings.create(draft("Late arrival"))
    other.sync.run()
    window.sync.request()
    assert window.sync.running
    runs = window.sync.runs
    window.close()  # waits for the sync's thread; nothing starts or asks after
    assert not any(task.running for task in window._tasks)
    qtbot.waitUntil(lambda: not window.sync.running, timeout=WAIT_MS)  # its answer, shown
    assert window.sync.runs == runs
    window.sync.request()
    window.sync.changed()
    assert not window.sync.running
    assert not window.sync.debounce.isActive()


def test_status_text_words() -> None:
    from liaison_calendar.services.sync import SyncState

    def state(kind: str, waiting: int = 0, conflicts: int = 0) -> SyncState:
        return SyncState("a", kind, waiting, conflicts, None, kind)

    assert status_text([state("synced")]) == "Sync: synced"
    assert status_text([state("never")]) == "Sync: not synced yet"
    assert status_text([state("offline", 3)]) == "Sync: offline, 3 waiting"
    assert status_text([state("conflicts", 0, 2)]) == "⚠ Sync: 2 conflicts"
    assert status_text([state("synced")], held={"a"}) == "Sync: on hold"


# --- what the server brings ---------------------------------------------------------------------


def test_a_meeting_made_on_another_computer_appears_after_a_sync(
    qtbot: QtBot, window: MainWindow, other: Services
) -> None:
    other.meetings.create(draft("Shared planning call"))
    [run] = other.sync.run()
    assert run.pushed == 1
    assert not any("Shared planning call" in t for t in chips(window))

    window.sync_now_action.trigger()
    settle(qtbot, window, 2)

    assert any("Shared planning call" in t for t in chips(window))
    assert window.sync.label.text() == "Sync: synced"


def _conflict(qtbot: QtBot, window: MainWindow, other: Services) -> str:
    """A meeting changed here (location) and on the other computer (title, location)."""
    mine = window.services.meetings.create(draft("Budget talks"))
    window.sync.sync_now()
    settle(qtbot, window, window.sync.runs + 1)
    other.sync.run()
    window.services.meetings.edit(mine.id, MeetingPatch(location="Room A"))
    theirs = other.meetings.get(mine.uid)
    other.meetings.edit(theirs.id, MeetingPatch(title="Budget talks (moved)", location="Room B"))
    other.sync.run()
    window.sync.sync_now()
    settle(qtbot, window, window.sync.runs + 1)
    return mine.uid


def test_a_conflict_gets_a_badge_and_keep_theirs_resolves_it(
    qtbot: QtBot, window: MainWindow, other: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid = _conflict(qtbot, window, other)
    meeting = window.services.meetings.get(uid)
    assert window.sync.label.text() == "⚠ Sync: 1 conflict"
    assert window.conflicted == {uid}
    assert window.conflicts_action.text() == "Sync &conflicts (1)…"
    assert month_badge(window, meeting.id) > 10
    assert window.details.has_conflict()  # selecting it showed the banner
    window.resize(1280, 820)
    save(window, "window-conflict.png")

    window.tabs.setCurrentIndex(1)  # the week view marks it too
    week = window.view
    assert isinstance(week, WeekView)
    week.select_meeting(meeting.id)
    occ = week.current()
    assert occ is not None
    rect = week.block_rect(occ)
    assert rect is not None
    assert badge_pixels(week.grid.grab().toImage(), [rect]) > 10
    save(window, "window-conflict-week.png")
    window.tabs.setCurrentIndex(2)  # and the agenda
    agenda = window.view
    assert isinstance(agenda, AgendaView)
    index = agenda.model.find(meeting.id)
    assert index.siblingAtColumn(1).data().startswith("⚠ Budget talks")
    window.tabs.setCurrentIndex(0)
    window.view.select_meeting(meeting.id)

    seen: dict[str, Any] = {}

    def exec_(dialog: ConflictDialog) -> int:
        current = dialog.current()
        assert current is not None
        seen["uid"] = current.uid
        seen["fields"] = {f.name: (f.mine, f.theirs) for f in current.fields}
        dialog.resize(900, 420)
        save(dialog, "conflict-dialog.png")
        dialog.keep_theirs.click()
        return int(dialog.result())

    monkeypatch.setattr(ConflictDialog, "exec", exec_)
    window.details.resolve_button.click()  # "Resolve…" in the details pane

    assert seen["uid"] == uid
    assert seen["fields"]["title"] == ("Budget talks", "Budget talks (moved)")
    assert seen["fields"]["location"] == ("Room A", "Room B")
    assert window.conflicted == frozenset()
    assert month_badge(window, meeting.id) == 0
    assert not window.details.has_conflict()
    assert window.services.meetings.get(uid).location == "Room B"
    assert any("Budget talks (moved)" in t for t in chips(window))
    settle(qtbot, window, window.sync.runs + 1)  # resolving started a sync
    assert window.sync.label.text() == "Sync: synced"


def test_merge_takes_the_chosen_fields_from_each_side(
    qtbot: QtBot, window: MainWindow, other: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid = _conflict(qtbot, window, other)

    def exec_(dialog: ConflictDialog) -> int:
        # Opened while a sync runs: the choices wait for it, then the list is read again.
        assert dialog.busy
        assert not dialog.merge.isEnabled()
        assert not dialog.keep_mine.isEnabled()
        dialog.choose("title", "theirs")  # the location stays mine
        qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
        assert dialog.merge.isEnabled()
        assert dialog.chosen_fields() == {"title": "theirs", "location": "mine"}
        dialog.merge.click()
        return int(dialog.result())

    monkeypatch.setattr(ConflictDialog, "exec", exec_)
    runs = window.sync.runs
    window.sync.request()
    window.conflicts_action.trigger()  # Sync → Sync conflicts…
    assert window.sync.runs == runs + 1  # the one that ran, and no other while the dialog was up

    merged = window.services.meetings.get(uid)
    assert (merged.title, merged.location) == ("Budget talks (moved)", "Room A")
    assert window.conflicted == frozenset()
    settle(qtbot, window, window.sync.runs + 1)
    assert window.sync.label.text() == "Sync: synced"
    other.sync.run()  # the colleague gets the merge
    theirs = other.meetings.get(uid)
    assert (theirs.title, theirs.location) == ("Budget talks (moved)", "Room A")


def test_a_meeting_deleted_on_the_server_cannot_be_merged(
    qtbot: QtBot, window: MainWindow, other: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = window.services.meetings.create(draft("Cyber talks"))
    window.sync.sync_now()
    settle(qtbot, window, 2)
    other.sync.run()
    window.services.meetings.edit(mine.id, MeetingPatch(location="Room C"))
    other.meetings.delete(mine.uid)
    other.sync.run()
    window.sync.sync_now()
    settle(qtbot, window, 3)
    assert window.conflicted == {mine.uid}

    def exec_(dialog: ConflictDialog) -> int:
        assert not dialog.merge.isEnabled()
        assert "Deleted on the server" in dialog.note.text()
        current = dialog.current()
        assert current is not None
        assert current.theirs is None
        assert all(f.theirs == "(deleted)" for f in current.fields)
        dialog.resize(900, 420)
        save(dialog, "conflict-deleted.png")
        dialog.keep_mine.click()  # put it back on the server
        return int(dialog.result())

    monkeypatch.setattr(ConflictDialog, "exec", exec_)
    window.open_conflicts()
    settle(qtbot, window, 4)
    other.sync.run()
    assert other.meetings.get(mine.uid).location == "Room C"


# --- what a sync asks ---------------------------------------------------------------------------


@RADICALE_ONLY
def test_an_emptied_server_calendar_is_asked_about_before_anything_is_deleted(
    qtbot: QtBot, window: MainWindow, server: CalDAVServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = window.services.meetings.create(draft("Maritime security talks"))
    window.services.meetings.create(draft("Maritime security follow-up", hour=14))
    window.sync.sync_now()
    settle(qtbot, window, 2)
    assert server.request("DELETE", server.calendar_url).status in (200, 204)
    server.make_calendar("team")  # the same calendar, empty (a server restored from nothing)

    questions: list[tuple[str, tuple[Any, ...]]] = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]

    def question(_parent: object, _title: str, text: str, *args: Any) -> Any:
        questions.append((text, args))
        return answers[len(questions) - 1]

    monkeypatch.setattr(QMessageBox, "question", question)
    window.sync.request()
    settle(qtbot, window, 3)
    assert len(questions) == 1
    text, args = questions[0]
    assert "came back empty" in text
    assert args[-1] == QMessageBox.StandardButton.No  # the default answer
    assert window.services.meetings.get(created.uid).title == "Maritime security talks"
    assert window.sync.label.text() == "Sync: on hold"

    window.sync.request()  # held: an automatic sync does not ask again
    settle(qtbot, window, 4)
    assert len(questions) == 1

    window.sync.sync_now()  # Sync now asks again; Yes deletes it here too
    settle(qtbot, window, 6)
    assert len(questions) == 2
    assert not any("Maritime" in t for t in chips(window))
    assert window.sync.label.text() == "Sync: synced"


def test_a_password_this_computer_does_not_keep_is_asked_for(
    qtbot: QtBot,
    services: Services,
    db_path: Path,
    clock: FixedClock,
    server: CalDAVServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LIAISON_SYNC_PASSWORD", raising=False)
    earlier = Services.open(db_path, clock)  # an earlier session: it knew the password
    earlier.sync.add_account("work", server.url, server.user, server.password)
    earlier.close()
    asked: list[tuple[str, Any]] = []
    answers = [("", False), (server.password, True)]  # Cancel first

    def get_text(_parent: object, _title: str, label: str, echo: Any, *args: Any) -> Any:
        asked.append((label, echo))
        return answers[len(asked) - 1]

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    win = open_window(qtbot, services)
    settle(qtbot, win, 1)  # refused for want of a password, asked, cancelled
    assert len(asked) == 1
    label, echo = asked[0]
    assert "alice" in label
    assert "work" in label
    assert echo == QLineEdit.EchoMode.Password
    assert win.sync.label.text() == "⚠ Sync: error"
    assert "No password" in win.sync.label.toolTip()

    win.sync.request()  # an automatic sync does not ask again this session
    settle(qtbot, win, 2)
    assert len(asked) == 1

    win.sync_now_action.trigger()  # Sync now does; given, the sync runs again at once
    settle(qtbot, win, 4)
    assert len(asked) == 2
    assert win.sync.label.text() == "Sync: synced"


# --- Settings → Sync ----------------------------------------------------------------------------


@RADICALE_ONLY
def test_settings_adds_an_account_and_says_a_refused_password(
    qtbot: QtBot, services: Services, server: CalDAVServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = SettingsDialog(services, page="sync")
    qtbot.addWidget(dialog)
    page = dialog.sync_page
    assert dialog.tabs.currentWidget() is page
    assert page.table.topLevelItemCount() == 1  # the "No account" line
    assert not page.remove_button.isEnabled()
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: warnings.append(text))
    typed = iter(["not-the-password", server.password])
    busy: list[bool] = []

    def exec_(add: AddAccountDialog) -> int:
        add.name.setText("work")
        add.url.setText(server.url)
        add.user.setText(server.user)
        add.password.setText(next(typed))
        add.accept()  # checks the server in the background
        busy.append(add.busy and not add.progress.isHidden() and not add.url.isEnabled())
        save(add, f"add-account-{len(busy)}.png")
        qtbot.waitUntil(lambda: not add.busy, timeout=WAIT_MS)
        return int(add.result())

    monkeypatch.setattr(AddAccountDialog, "exec", exec_)
    page.add_button.click()
    assert busy == [True]
    assert len(warnings) == 1
    assert "not added" in warnings[0]
    assert "refused the user name or password" in warnings[0]
    assert services.sync.accounts() == []
    assert not page.changed

    page.add_button.click()
    assert len(warnings) == 1
    assert page.changed
    item = page.table.topLevelItem(0)
    assert item is not None
    assert [item.text(c) for c in range(3)] == ["work", server.url, "alice"]
    assert item.text(3) == "team"
    assert "kept only while the app runs" in page.keyring_note.text()
    assert page.remove_button.isEnabled()
    dialog.resize(760, 440)
    save(dialog, "settings-sync.png")

    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    page.remove_button.click()
    assert services.sync.accounts() == []


def test_settings_sets_a_password_and_the_window_syncs_after(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a: ("alice-secret", True))

    def exec_(dialog: SettingsDialog) -> int:
        assert dialog.tabs.currentWidget() is dialog.sync_page
        item = dialog.sync_page.table.topLevelItem(0)
        assert item is not None
        assert item.text(4) == "synced"  # the state from the last sync
        dialog.sync_page.password_button.click()
        assert "kept only while the app runs" in dialog.sync_page.keyring_note.text()
        return 0  # Cancel: the password is set all the same

    monkeypatch.setattr(SettingsDialog, "exec", exec_)
    runs = window.sync.runs
    window.sync_accounts_action.trigger()
    settle(qtbot, window, runs + 1)
    assert window.sync.label.text() == "Sync: synced"
