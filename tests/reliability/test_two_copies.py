"""Two running copies on one calendar file: command lines, the desktop app, and another program
holding the write lock. Concurrent edits never corrupt the file, every change a copy
acknowledged (exit 0 and the meeting's number printed, or the call returned) is there
afterwards, and a writer kept waiting longer than ``BUSY_TIMEOUT_S`` gets one line saying the
calendar is busy (exit 2) with nothing of its change written.

Every copy here is a real process: ``python -m liaison_calendar`` as a user runs it, or a small
Python child that opens the file with sqlite3 and holds ``BEGIN IMMEDIATE`` until told to let go.
"""

import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.models import MeetingDraft
from liaison_calendar.services.context import Services
from liaison_calendar.store import database
from tests.conftest import NOW

ROUNDS = 3
ADDED = re.compile(r"^Added meeting #(\d+): ", re.MULTILINE)
CHANGED = re.compile(r"^Changed meeting #(\d+): ", re.MULTILINE)


def liaison(db: Path, *argv: str) -> subprocess.Popen[str]:
    """The real command, started (not waited for)."""
    return subprocess.Popen(
        [sys.executable, "-m", "liaison_calendar", "--db", str(db), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def add_argv(title: str, day: int, *extra: str) -> list[str]:
    return [
        *("add", "--title", title, "--kind", "staff-talks"),
        *("--start", f"2025-03-{day:02d}T09:00", "--end", f"2025-03-{day:02d}T10:00"),
        *extra,
    ]


def rows(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def assert_sound(db: Path) -> None:
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "PRAGMA foreign_key_check") == []


def titles(db: Path) -> dict[int, str]:
    return {int(mid): str(title) for mid, title in rows(db, "SELECT id, title FROM meeting")}


def partners(db: Path) -> set[str]:
    return {name for (name,) in rows(db, "SELECT name FROM partner")}


def assert_busy_line(err: str, db: Path) -> None:
    """Exactly one line, saying the calendar is busy and which one; no traceback."""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("liaison: The calendar is busy"), err
    assert str(db) in err
    assert "Traceback" not in err


@pytest.fixture
def calendar(db_path: Path, clock: FixedClock) -> Path:
    """A calendar file with two meetings (#1 and #2), closed again."""
    svc = Services.open(db_path, clock)
    try:
        for n, title in enumerate(("Staff talks", "Cyber dialogue"), 1):
            svc.meetings.create(
                MeetingDraft(
                    title=title,
                    kind="staff-talks",
                    start=datetime(2025, 2, n, 9, 0, tzinfo=UTC),
                    end=datetime(2025, 2, n, 10, 0, tzinfo=UTC),
                )
            )
    finally:
        svc.close()
    return db_path


# --- another program holding the write lock ----------------------------------------------------

HOLDER = r"""
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO partner (name) VALUES (?)", (sys.argv[2],))
print("holding", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
conn.close()
print("released", flush=True)
"""


class Holder:
    """A child process holding the calendar's write lock, with a change of its own in it,
    until ``release`` (which commits that change)."""

    def __init__(self, db: Path, partner: str) -> None:
        self.partner = partner
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(db), partner],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "holding"

    def release(self) -> None:
        if self.process.poll() is None:
            out, _ = self.process.communicate("\n", timeout=30)
            assert out.strip() == "released"
        assert self.process.returncode == 0


@pytest.fixture
def holding(calendar: Path) -> Iterator[Holder]:
    holder = Holder(calendar, "Held by the other copy")
    try:
        yield holder
    finally:
        holder.release()


def test_writers_kept_waiting_too_long_say_busy_in_one_line_and_write_nothing(
    calendar: Path, holding: Holder, tmp_path: Path
) -> None:
    """Every writing command at once, against a lock held for longer than they wait; the
    reading ones meanwhile go on (WAL)."""
    (tmp_path / "feeds").mkdir()
    writers = {
        "add": liaison(calendar, *add_argv("Blocked meeting", 3, "--partner", "Blocked partner")),
        "edit": liaison(calendar, "edit", "1", "--title", "Blocked edit", "--location", "X"),
        "delete": liaison(calendar, "delete", "2"),
    }
    readers = {
        "publish": liaison(calendar, "publish", str(tmp_path / "feeds")),
        "backup": liaison(calendar, "backup", str(tmp_path / "copy.db")),
    }
    for name, process in readers.items():
        code, out, err = finish(process)
        assert code == 0, (name, err)
    for name, process in writers.items():
        code, out, err = finish(process)
        assert code == 2, (name, out, err)
        assert out == "", name
        assert_busy_line(err, calendar)
    holding.release()  # the other copy commits what it held

    assert_sound(calendar)
    assert titles(calendar) == {1: "Staff talks", 2: "Cyber dialogue"}
    assert rows(calendar, "SELECT status, location FROM meeting WHERE id = 1") == [
        ("confirmed", "")
    ]
    assert partners(calendar) == {"Held by the other copy"}  # and not "Blocked partner"
    assert "Cyber dialogue" in (tmp_path / "feeds" / "all.ics").read_text(encoding="utf-8")
    assert sorted(titles(tmp_path / "copy.db").values()) == ["Cyber dialogue", "Staff talks"]


def _has_open(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has ``path`` open (Linux; elsewhere: assume so)."""
    fds = Path(f"/proc/{pid}/fd")
    if not fds.is_dir():
        return True
    try:
        return any(os.path.realpath(fd) == str(path.resolve()) for fd in fds.iterdir())
    except OSError:
        return False


def test_a_writer_kept_waiting_briefly_waits_and_succeeds(calendar: Path, holding: Holder) -> None:
    adding = liaison(calendar, *add_argv("Waited for its turn", 4))
    deadline = time.monotonic() + 30
    while not _has_open(adding.pid, calendar) and adding.poll() is None:
        assert time.monotonic() < deadline, "the command never opened the calendar"
        time.sleep(0.02)
    time.sleep(1.5)  # it reaches BEGIN IMMEDIATE and waits: well within BUSY_TIMEOUT_S

    assert adding.poll() is None, adding.communicate()  # still waiting, not given up
    holding.release()
    code, out, err = finish(adding)

    assert code == 0, err
    (meeting_id,) = ADDED.findall(out)
    assert titles(calendar)[int(meeting_id)] == "Waited for its turn"
    assert "Held by the other copy" in partners(calendar)
    assert_sound(calendar)


# --- two command lines editing at once -----------------------------------------------------------


@dataclass
class Acknowledged:
    """What one copy was told was done."""

    added: dict[int, str] = field(default_factory=dict)  # id -> its title now
    shared: list[str] = field(default_factory=list)  # values it set on the shared meeting
    refused: list[str] = field(default_factory=list)  # one-line errors (busy)
    commands: int = 0


def command_loop(db: Path, copy: int, rounds: int, field_name: str, ack: Acknowledged) -> None:
    """Add a meeting, rename it, set ``field_name`` of the shared meeting #1; ``rounds`` times."""
    for i in range(rounds):
        title = f"Copy {copy} meeting {i}"
        code, out, err = finish(liaison(db, *add_argv(title, 5 + copy * 10 + i)))
        ack.commands += 1
        if code != 0:
            ack.refused.append(err)
            continue
        (meeting_id,) = map(int, ADDED.findall(out))
        ack.added[meeting_id] = title

        code, out, err = finish(liaison(db, "edit", str(meeting_id), "--title", f"{title} (2)"))
        ack.commands += 1
        if code == 0 and CHANGED.findall(out) == [str(meeting_id)]:
            ack.added[meeting_id] = f"{title} (2)"
        else:  # (an assert here would only end this thread)
            ack.refused.append(err or out)

        value = f"copy {copy} round {i}"
        code, out, err = finish(liaison(db, "edit", "1", f"--{field_name}", value))
        ack.commands += 1
        if code == 0:
            ack.shared.append(value)
        else:
            ack.refused.append(err)


APP_LIKE = r"""
import sys, time
from datetime import UTC, datetime
from pathlib import Path
from liaison_calendar.domain.models import MeetingDraft, MeetingPatch
from liaison_calendar.services.context import Services
svc = Services.open(Path(sys.argv[1]))
n = 0
while n < 400:
    n += 1
    title = f"Tight loop {n}"
    draft = MeetingDraft(title=title, kind="other", start=datetime(2025, 4, 1, 9, tzinfo=UTC),
                         end=datetime(2025, 4, 1, 10, tzinfo=UTC))
    meeting = svc.meetings.create(draft)
    print("added", meeting.id, title, flush=True)
    svc.meetings.edit(meeting.id, MeetingPatch(title=title + " (2)"))
    print("renamed", meeting.id, title + " (2)", flush=True)
    if Path(sys.argv[2]).exists():
        break
    time.sleep(0.05)  # as fast as a busy user, not a CPU hog: the command lines must run too
svc.close()
"""


def test_two_command_lines_and_a_busy_program_editing_at_once_lose_nothing(
    calendar: Path, tmp_path: Path
) -> None:
    """Two copies run ``add``/``edit`` loops side by side (each command its own process) while
    a third process, like the app, creates and renames meetings through the services every
    50 ms."""
    stop = tmp_path / "stop"
    fast = subprocess.Popen(
        [sys.executable, "-c", APP_LIKE, str(calendar), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acks = [Acknowledged(), Acknowledged()]
    loops = [
        threading.Thread(target=command_loop, args=(calendar, n, ROUNDS, name, acks[n]))
        for n, name in enumerate(("location", "description"))
    ]
    for loop in loops:
        loop.start()
    for loop in loops:
        loop.join(timeout=120)
        assert not loop.is_alive()
    stop.touch()
    out, err = fast.communicate(timeout=60)
    assert fast.returncode == 0, err

    assert_sound(calendar)
    for ack in acks:
        assert ack.refused == []  # nobody held the lock for long: nobody was turned away
        assert ack.commands == 3 * ROUNDS
    now = titles(calendar)
    for ack in acks:
        for meeting_id, title in ack.added.items():
            assert now[meeting_id] == title
    fast_titles: dict[int, str] = {}
    for line in out.splitlines():
        _, number, title = line.split(" ", 2)
        fast_titles[int(number)] = title
    assert len(fast_titles) >= 1
    for meeting_id, title in fast_titles.items():
        assert now[meeting_id] == title
    # nothing more than what was acknowledged, nothing twice
    expected = {1, 2} | acks[0].added.keys() | acks[1].added.keys() | fast_titles.keys()
    assert set(now) == expected
    # the shared meeting keeps the last value each copy set, in its own field
    shared = "SELECT location, description FROM meeting WHERE id = 1"
    ((location, description),) = rows(calendar, shared)
    assert location == acks[0].shared[-1]
    assert description == acks[1].shared[-1]


# --- the desktop app and a command line ----------------------------------------------------------


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every message box the app shows, recorded instead of waiting for a click."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str]] = []
    for kind in ("warning", "critical", "information", "question"):

        def record(_parent: object, _title: str, text: str, *_a: object, _k: str = kind) -> Any:
            shown.append((_k, text))
            return QMessageBox.StandardButton.Yes

        monkeypatch.setattr(QMessageBox, kind, staticmethod(record))
    return shown


@pytest.fixture
def app_window(calendar: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The desktop app's main window on ``calendar``, waiting at most 2 s for the lock (not 5)."""
    from liaison_calendar.ui.main_window import MainWindow

    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 2.0)
    svc = Services.open(calendar, FixedClock(NOW))
    win = MainWindow(svc, today=date(2025, 2, 1))
    qtbot.addWidget(win)
    win.show()
    yield win
    win.undo_stack.clear()
    svc.close()


def edit_in_dialog(
    window: Any, monkeypatch: pytest.MonkeyPatch, meeting_id: int, change: Any
) -> None:
    """Select meeting ``meeting_id``, open the editor, let ``change(dialog)`` do what the user
    does while it is open, press OK."""
    from PySide6.QtWidgets import QDialog

    from liaison_calendar.ui.meeting_dialog import MeetingDialog

    services = window.services
    detail = services.meetings.get(meeting_id)
    window.selected = next(o for o in services.queries.occurrences() if o.meeting.id == detail.id)

    def exec_(dialog: MeetingDialog) -> int:
        change(dialog)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(MeetingDialog, "exec", exec_)
    window.edit_selected()


def test_the_app_and_a_command_line_editing_at_once_both_keep_their_changes(
    app_window: Any,
    calendar: Path,
    messages: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The user keeps renaming meeting #1 in the app while command lines add a meeting and
    move #2; each app edit is saved (no message) and so is each command's change."""
    running = [
        liaison(calendar, *add_argv("Added from the command line", 6)),
        liaison(calendar, "edit", "2", "--location", "Brussels, Berlaymont"),
    ]
    edits = 0
    while edits < 3 or any(p.poll() is None for p in running):
        edits += 1
        assert edits < 500, "the command lines never finished"
        title = f"Staff talks (app edit {edits})"
        edit_in_dialog(app_window, monkeypatch, 1, lambda d, t=title: d.title_edit.setText(t))
        assert messages == []
        assert titles(calendar)[1] == title  # saved when the dialog closed
    for process in running:
        code, _out, err = finish(process)
        assert code == 0, err

    now = titles(calendar)
    assert now[1] == f"Staff talks (app edit {edits})"
    assert "Added from the command line" in now.values()
    assert rows(calendar, "SELECT location FROM meeting WHERE id = 2") == [
        ("Brussels, Berlaymont",)
    ]
    assert app_window.undo_stack.count() == edits
    app_window.undo_action.trigger()  # undoing the app's last edit touches only that edit
    assert titles(calendar)[1] == f"Staff talks (app edit {edits - 1})"
    assert "Added from the command line" in titles(calendar).values()
    assert messages == []
    assert_sound(calendar)


def test_a_command_line_change_to_the_meeting_open_in_the_app_is_not_overwritten(
    app_window: Any,
    calendar: Path,
    messages: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def while_open(dialog: Any) -> None:
        code, _out, err = finish(liaison(calendar, "edit", "1", "--location", "Mons, SHAPE"))
        assert code == 0, err  # acknowledged to the other user
        dialog.title_edit.setText("Staff talks (renamed in the app)")

    edit_in_dialog(app_window, monkeypatch, 1, while_open)

    location, title = rows(calendar, "SELECT location, title FROM meeting WHERE id = 1")[0]
    assert title == "Staff talks (renamed in the app)"
    assert location == "Mons, SHAPE"  # the editor wrote back only what it changed
    assert messages == []
    # Undo takes back the app's rename only, and keeps the other copy's change.
    app_window.undo_stack.undo()
    location, title = rows(calendar, "SELECT location, title FROM meeting WHERE id = 1")[0]
    assert (title, location) == ("Staff talks", "Mons, SHAPE")


def test_an_edit_in_the_app_kept_waiting_says_busy_once_and_loses_nothing(
    app_window: Any,
    calendar: Path,
    messages: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QDialog

    from liaison_calendar.ui.meeting_dialog import MeetingDialog

    holder = Holder(calendar, "Held by the command line")
    reopened: list[str] = []
    try:

        def renamed_then_cancelled(dialog: MeetingDialog) -> int:
            if not reopened:
                dialog.title_edit.setText("Staff talks (renamed while busy)")
                reopened.append("")
                return QDialog.DialogCode.Accepted.value
            reopened.append(dialog.title_edit.text())  # opened again after the warning
            return QDialog.DialogCode.Rejected.value

        detail = app_window.services.meetings.get(1)
        app_window.selected = next(
            o for o in app_window.services.queries.occurrences() if o.meeting.id == detail.id
        )
        monkeypatch.setattr(MeetingDialog, "exec", renamed_then_cancelled)
        app_window.edit_selected()
        # What was typed is not lost: the editor opened again with it, and the user cancelled.
        assert reopened == ["", "Staff talks (renamed while busy)"]
        assert len(messages) == 1, messages
        kind, text = messages[0]
        assert kind == "warning"
        assert text.startswith("The calendar is busy")
        assert "\n" not in text
        assert app_window.undo_stack.count() == 0  # nothing to undo: nothing was done
    finally:
        holder.release()

    assert titles(calendar)[1] == "Staff talks"
    assert "Held by the command line" in partners(calendar)
    # once the other copy is done, the same edit goes through
    edit_in_dialog(
        app_window, monkeypatch, 1, lambda d: d.title_edit.setText("Staff talks (renamed)")
    )
    assert len(messages) == 1
    assert titles(calendar)[1] == "Staff talks (renamed)"
    assert app_window.undo_stack.count() == 1
    assert_sound(calendar)
