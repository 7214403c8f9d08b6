"""One window per calendar: a second start hands its files to the running window and exits;
a crashed window's socket does not block the next start; nonsense on the socket is dropped."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from pytestqt.qtbot import QtBot

from liaison_calendar.services.context import Services
from liaison_calendar.ui.main_window import MainWindow
from liaison_calendar.ui.single_instance import (
    forward,
    is_running,
    listen,
    server_address,
    server_name,
)

CLIENT_TIMEOUT_MS = 30_000

FORWARD = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from liaison_calendar.ui.single_instance import forward
app = QCoreApplication([])
print(forward(Path(sys.argv[1]), [Path(a) for a in sys.argv[2:]]))
"""

RUN_PATH = """
import sys
from pathlib import Path
from liaison_calendar.ui.app import run_path
sys.exit(run_path(Path(sys.argv[1]), [Path(a) for a in sys.argv[2:]]))
"""


@pytest.fixture
def imported() -> list[list[Path] | None]:
    """What the window was asked to import, in order."""
    return []


@pytest.fixture
def window(
    qtbot: QtBot,
    services: Services,
    imported: list[list[Path] | None],
    monkeypatch: pytest.MonkeyPatch,
) -> MainWindow:
    win = MainWindow(services)
    qtbot.addWidget(win)
    monkeypatch.setattr(win, "import_files", imported.append)
    win.show()
    return win


@pytest.fixture
def server(window: MainWindow, db_path: Path) -> Iterator[QLocalServer]:
    srv = listen(window, db_path)
    assert srv.isListening()
    yield srv
    srv.close()


def start(
    qtbot: QtBot, code: str, *args: object, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """A second process, run while this one keeps serving its window's socket."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, *map(str, args)], cwd=cwd, env=env, stdout=out, stderr=err
        )
        try:
            qtbot.waitUntil(lambda: proc.poll() is not None, timeout=CLIENT_TIMEOUT_MS)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out.read(), err.read())


def send(qtbot: QtBot, db_path: Path, data: bytes) -> bytes:
    """Write ``data`` to the window's socket from this process; what it answers before closing."""
    client = QLocalSocket()
    client.connectToServer(server_address(db_path))
    qtbot.waitUntil(lambda: client.state() == QLocalSocket.LocalSocketState.ConnectedState)
    client.write(data)
    answer = b""

    def closed() -> bool:
        nonlocal answer
        answer += bytes(client.readAll().data())
        return client.state() == QLocalSocket.LocalSocketState.UnconnectedState

    qtbot.waitUntil(closed, timeout=10_000)
    return answer


def test_the_server_name_is_one_per_calendar_file(tmp_path: Path) -> None:
    first = tmp_path / "calendar.db"
    (tmp_path / "sub").mkdir()

    assert server_name(first) == server_name(tmp_path / "sub" / ".." / "calendar.db")
    assert server_name(first) != server_name(tmp_path / "other.db")
    assert server_name(first).startswith("liaison-calendar-")
    assert len(server_name(first)) == len("liaison-calendar-") + 16


def test_a_second_start_brings_the_window_up_and_hands_over_its_files(
    qtbot: QtBot,
    window: MainWindow,
    server: QLocalServer,
    imported: list[list[Path] | None],
    db_path: Path,
    tmp_path: Path,
) -> None:
    (tmp_path / "invite.ics").write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    window.showMinimized()

    proc = start(qtbot, FORWARD, db_path, "invite.ics", cwd=tmp_path)  # relative, as typed

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True"
    qtbot.waitUntil(lambda: bool(imported))
    assert imported == [[tmp_path / "invite.ics"]]
    assert window.isVisible()
    assert not window.isMinimized()


def test_run_path_on_a_calendar_already_open_exits_at_once_with_a_message(
    qtbot: QtBot,
    window: MainWindow,
    server: QLocalServer,
    imported: list[list[Path] | None],
    db_path: Path,
) -> None:
    proc = start(qtbot, RUN_PATH, db_path)

    assert proc.returncode == 0, proc.stderr
    assert f"Liaison Calendar is already running on {db_path}; it was brought to the front." in (
        proc.stderr
    )
    assert imported == []


def test_forward_with_no_window_running_says_no_at_once(tmp_path: Path) -> None:
    began = time.monotonic()

    assert not forward(tmp_path / "nobody.db", [tmp_path / "a.ics"])

    assert time.monotonic() - began < 2


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="named pipes leave no file behind")
def test_the_socket_a_crashed_window_left_behind_does_not_stop_the_next_one(
    qtbot: QtBot, window: MainWindow, db_path: Path
) -> None:
    address = server_address(db_path)
    if not address.startswith("/"):
        pytest.skip("the socket is in Qt's temporary directory")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(address)  # bound, never listening, never unlinked: what a crash leaves
    stale.close()
    assert Path(address).exists()
    assert not forward(db_path)

    srv = listen(window, db_path)
    try:
        assert srv.isListening()
        assert send(qtbot, db_path, b'{"files": []}\n') == b"ok\n"
    finally:
        srv.close()
    assert not Path(address).exists()


def test_a_live_window_keeps_its_socket_when_another_listens_on_the_calendar(
    qtbot: QtBot, window: MainWindow, server: QLocalServer, db_path: Path
) -> None:
    other = MainWindow(window.services)
    qtbot.addWidget(other)

    second = listen(other, db_path)

    assert not second.isListening()
    assert server.isListening()
    assert send(qtbot, db_path, b"{}\n") == b"ok\n"


@pytest.mark.parametrize(
    "garbage",
    [
        b"\xff\xfe not utf-8\n",
        b"not json\n",
        b"[1, 2]\n",
        b'{"files": "/etc/passwd"}\n',
        b'{"files": [1, null]}\n',
        b"no newline, then gone",
    ],
)
def test_nonsense_on_the_socket_is_dropped_and_the_window_keeps_listening(
    qtbot: QtBot,
    window: MainWindow,
    server: QLocalServer,
    imported: list[list[Path] | None],
    db_path: Path,
    garbage: bytes,
) -> None:
    client = QLocalSocket()
    client.connectToServer(server_address(db_path))
    assert client.waitForConnected(1000)
    client.write(garbage)
    client.flush()
    if b"\n" in garbage:
        qtbot.waitUntil(lambda: client.state() == QLocalSocket.LocalSocketState.UnconnectedState)
        assert bytes(client.readAll().data()) == b""
    else:
        client.disconnectFromServer()

    assert imported == []
    assert server.isListening()
    assert send(qtbot, db_path, b'{"files": ["/tmp/x.ics"]}\n') == b"ok\n"
    qtbot.waitUntil(lambda: imported == [[Path("/tmp/x.ics")]])


def test_quit_after_ms_opens_the_window_then_closes_it_without_asking(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIAISON_QUIT_AFTER_MS", "300")
    began = time.monotonic()

    proc = start(qtbot, RUN_PATH, db_path)  # an empty calendar: the sample would be offered

    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - began < 30
    assert db_path.exists()
    assert not forward(db_path)  # gone, and its socket with it
    address = server_address(db_path)
    assert not address.startswith("/") or not Path(address).exists()


def test_a_first_start_with_files_opens_their_import_once_the_window_is_up(
    qtbot: QtBot, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIAISON_QUIT_AFTER_MS", "300")
    code = """
import sys
from pathlib import Path
from liaison_calendar.ui.app import run_path
from liaison_calendar.ui.main_window import MainWindow
MainWindow.import_files = lambda self, paths=None: print("import", self.isVisible(), *paths)
sys.exit(run_path(Path(sys.argv[1]), [Path(a) for a in sys.argv[2:]]))
"""
    proc = start(qtbot, code, db_path, tmp_path / "invite.ics")

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["import", "True", str(tmp_path / "invite.ics")]


def test_is_running_tells_whether_a_window_answers_on_the_calendar(
    window: MainWindow, db_path: Path, tmp_path: Path
) -> None:
    assert not is_running(db_path)
    srv = listen(window, db_path)
    try:
        assert is_running(db_path)
        assert not is_running(tmp_path / "other.db")
    finally:
        srv.close()
    assert not is_running(db_path)


def test_the_command_line_will_not_restore_a_calendar_open_in_a_window(
    qtbot: QtBot, services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from liaison_calendar.cli import main

    backup = services.backups.back_up(tmp_path / "backup.db")
    window = MainWindow(services)
    qtbot.addWidget(window)
    server = listen(window, services.path)
    try:
        assert main(["--db", str(services.path), "restore", str(backup)]) == 2
        assert "close its window" in capsys.readouterr().err
    finally:
        server.close()
