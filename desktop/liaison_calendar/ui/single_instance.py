"""One window per calendar: a second start hands over to the first one.

Every running window listens on a local socket (a Unix socket, a named pipe on Windows) whose
name is derived from the calendar file and the user, so two calendars may be open at once but
one calendar only once. A second start on the same calendar first calls :func:`forward`: when a
window answers, the second process sends it the ``.ics`` files it was given and exits; the first
window comes to the front and starts the import preview for them.

The wire format is one line of JSON, ``{"files": ["/absolute/path.ics", ...]}``, answered by
``ok``. Anything else is logged and dropped; it never reaches the window.

On Unix the socket lives in the user's runtime directory (``$XDG_RUNTIME_DIR``, mode 0700) when
there is one, else in the temporary directory. A process that crashed leaves its socket file
behind: :func:`listen` removes it, but only once nobody answers on it, so a live window's socket
is never taken away. Should the first window hang, the second start opens the calendar itself
(SQLite keeps its writes apart) and runs without a socket of its own.
"""

import hashlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStandardPaths, QTimer
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from liaison_calendar.ui.main_window import MainWindow

__all__ = ["forward", "is_running", "listen", "server_address", "server_name"]

log = logging.getLogger(__name__)

PREFIX = "liaison-calendar-"
CONNECT_MS = 500  # a live window accepts at once; a missing one fails at once
REPLY_MS = 3000  # the window answers from its event loop, also behind a modal dialog
MAX_MESSAGE = 256 * 1024  # bytes: a few thousand paths; more is not a message of ours
IDLE_MS = 5000  # a client that connects and says nothing is dropped after this
SUN_PATH_MAX = 100  # sockaddr_un.sun_path is 104 bytes on macOS, 108 on Linux


def _user() -> str:
    getuid = getattr(os, "getuid", None)
    if getuid is not None:
        return str(getuid())
    import getpass

    return getpass.getuser()


def server_name(db_path: Path) -> str:
    """The socket name for the calendar at ``db_path``, e.g. ``liaison-calendar-0123456789abcdef``:
    the same for every spelling of one file, different for another file or another user."""
    resolved = os.path.normcase(str(Path(db_path).expanduser().resolve()))
    digest = hashlib.sha1(f"{_user()}\0{resolved}".encode(), usedforsecurity=False)
    return PREFIX + digest.hexdigest()[:16]


def server_address(db_path: Path) -> str:
    """Where the socket is: a full path in the private runtime directory where there is one,
    else the bare name (Qt puts it in the temporary directory, or makes it a named pipe)."""
    name = server_name(db_path)
    if sys.platform == "win32" or not (
        sys.platform == "darwin" or os.environ.get("XDG_RUNTIME_DIR")
    ):
        return name  # no XDG_RUNTIME_DIR: Qt would warn and make one up; /tmp will do
    runtime = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.RuntimeLocation)
    if not runtime:
        return name
    full = str(Path(runtime) / name)
    return full if len(full.encode()) <= SUN_PATH_MAX else name


def forward(db_path: Path, files: Sequence[Path] | None = None) -> bool:
    """Hand ``files`` to the window already running on ``db_path`` and bring it to the front.

    True once that window has said ``ok``; False when none answers (none runs, or it hangs)."""
    address = server_address(db_path)
    socket = QLocalSocket()
    socket.connectToServer(address)
    if not socket.waitForConnected(CONNECT_MS):
        return False
    message = {"files": [str(Path(f).expanduser().absolute()) for f in files or ()]}
    try:
        socket.write(json.dumps(message).encode() + b"\n")
        if not socket.waitForBytesWritten(REPLY_MS):
            log.warning("the running window on %s does not read: %s", db_path, socket.errorString())
            return False
        reply = b""
        while b"\n" not in reply and len(reply) < 64:
            if not socket.bytesAvailable() and not socket.waitForReadyRead(REPLY_MS):
                break
            reply += bytes(socket.readAll().data())
        if reply.strip() != b"ok":
            log.warning("the running window on %s does not answer (%r)", db_path, reply[:64])
            return False
        return True
    finally:
        socket.abort()


def is_running(db_path: Path) -> bool:
    """Whether a window answers on ``db_path`` (it is not told anything). Needs no QApplication:
    the command line may ask it before replacing the calendar file."""
    return _is_live(server_address(db_path))


def _is_live(address: str) -> bool:
    probe = QLocalSocket()
    probe.connectToServer(address)
    live = probe.waitForConnected(CONNECT_MS)
    probe.abort()
    return live


def listen(window: "MainWindow", db_path: Path) -> QLocalServer:
    """Answer later starts on ``db_path``: bring ``window`` to the front and import their files.

    The server is a child of the window. When another window answers on the socket (one that
    hangs, or one started at the very same moment) the server is returned without listening."""
    address = server_address(db_path)
    server = QLocalServer(window)
    if not server.listen(address):
        if server.serverError() != QAbstractSocket.SocketError.AddressInUseError:
            log.warning("cannot listen on %s: %s", address, server.errorString())
            return server
        if _is_live(address):
            log.warning("another window answers on %s; this one does not listen", address)
            return server
        QLocalServer.removeServer(address)  # left by a process that crashed
        if not server.listen(address):
            log.warning("cannot listen on %s: %s", address, server.errorString())
            return server
    log.info("listening on %s", server.fullServerName())
    server.newConnection.connect(lambda: _accept(server, window))
    return server


def _accept(server: QLocalServer, window: "MainWindow") -> None:
    while server.hasPendingConnections():
        socket = server.nextPendingConnection()
        if socket is not None:
            _Connection(socket, window)


class _Connection(QObject):
    """One client: read its line, answer, act. A child of its socket, gone with it."""

    def __init__(self, socket: QLocalSocket, window: "MainWindow") -> None:
        super().__init__(socket)
        self.socket = socket
        self.window = window
        self.buffer = b""
        self.done = False
        self.idle = QTimer(socket)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self.drop)
        self.idle.start(IDLE_MS)
        socket.readyRead.connect(self.read)
        socket.disconnected.connect(socket.deleteLater)
        self.read()  # what came with the connection

    def read(self) -> None:
        if self.done:
            return
        self.buffer += bytes(self.socket.readAll().data())
        if len(self.buffer) > MAX_MESSAGE:
            log.warning("dropped a message of more than %d bytes", MAX_MESSAGE)
            self.drop()
            return
        if b"\n" not in self.buffer:
            return  # more to come
        line = self.buffer.split(b"\n", 1)[0]
        self.done = True
        self.idle.stop()
        files = _parse(line)
        if files is None:
            self.drop()
            return
        self.socket.write(b"ok\n")
        self.socket.flush()
        self.socket.disconnectFromServer()  # after the answer is written
        window = self.window
        try:
            _bring_to_front(window)
        except Exception:  # a window manager's refusal must not take the window down
            log.exception("could not bring the window to the front")
        if files:
            # Not from inside the socket's signal: the preview runs its own event loop.
            QTimer.singleShot(0, window, lambda: _import(window, files))

    def drop(self) -> None:
        self.done = True
        self.socket.abort()
        self.socket.deleteLater()


def _parse(line: bytes) -> list[Path] | None:
    """The files of a message, or None (logged) when it is not one of ours."""
    try:
        message = json.loads(line.decode())
    except (UnicodeDecodeError, ValueError):
        log.warning("ignored a message that is not JSON: %r", line[:200])
        return None
    if not isinstance(message, dict):
        log.warning("ignored a message that is not an object: %r", line[:200])
        return None
    files = message.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) and f for f in files):
        log.warning("ignored a message without a list of file names: %r", line[:200])
        return None
    return [Path(f) for f in files]


def _bring_to_front(window: "MainWindow") -> None:
    if window.isMinimized() or not window.isVisible():
        window.showNormal()
    window.raise_()
    window.activateWindow()
    QApplication.alert(window)  # where the window manager will not raise it, flash the task bar


def _import(window: "MainWindow", files: list[Path]) -> None:
    try:
        window.import_files(files)
    except Exception:
        log.exception("could not import %s", files)
