"""Writing files that others read (feeds, PDFs, reports) so that no reader ever sees half a file.

Write to a temp file in the target's folder, fsync it, rename it over the target, fsync the
folder. A failure leaves the target as it was and says why in one line (``OutputError`` or the
class given).

Not every writer reports a failed write: Qt's PDF writer ignores a full disk and finishes with a
PDF cut short. A file whose format has a known last word (a PDF's ``%%EOF``) is therefore read
back before it replaces the target, and refused if that word is missing.
"""

import contextlib
import errno
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from liaison_calendar.errors import LiaisonError, OutputError


def writable_folder(path: Path, error: type[LiaisonError] = OutputError) -> Path:
    """``path``'s folder, or ``error`` saying why nothing can be written there."""
    folder = path.parent
    if not folder.exists():
        raise error(f"The folder {folder} does not exist.")
    if not folder.is_dir():
        raise error(f"{folder} is not a folder.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise error(f"The folder {folder} is not writable.")
    if path.is_dir():
        raise error(f"{path} is a folder, not a file.")
    return folder


PDF_TRAILER = b"%%EOF"
TRAILERS = {".pdf": PDF_TRAILER}
"""What a complete file of each format ends with (trailing white space aside)."""


_HOST = socket.gethostname().replace(".", "_")


def _temp_prefix(target: Path) -> str:
    """``.NAME.HOST.PID.``: a hidden temp file beside ``target`` that says who writes it."""
    return f".{target.name}.{_HOST}.{os.getpid()}."


def remove_stale_temps(target: Path) -> int:
    """Remove the temp files a writer of ``target`` on this machine left behind when it was
    killed (its process is gone); how many. Each may be as big as the file (a feed of a big
    calendar is 160 MiB), and a crash must not fill the folder over time. Another copy's
    temp file, or one from another machine sharing the folder, is left alone."""
    removed = 0
    prefix = f".{target.name}.{_HOST}."
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
                continue
            pid = entry.name[len(prefix) :].split(".", 1)[0]
            if pid.isdigit() and not _running(int(pid)):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid() or sys.platform == "win32":  # there, os.kill(pid, 0) is Ctrl+C
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or no way to tell: keep its file
    return True


def _new_file_mode() -> int:
    """What a new file gets under the current umask (0666 less the umask)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def replacing(
    target: Path,
    error: type[LiaisonError] = OutputError,
    mode: int | None = None,
    trailer: bytes | None = None,
) -> Iterator[Path]:
    """A temp path beside ``target`` to write (by any means, e.g. Qt's PDF writer); when the
    block ends it is fsynced and renamed over ``target``. On any error it is removed and
    ``target`` is left untouched. The file keeps ``target``'s mode, or gets ``mode``, or what
    the umask gives a new file.

    The written file must end with ``trailer`` (default: what ``TRAILERS`` gives ``target``'s
    suffix; ``b""`` for no check), or it is refused as cut short: the writer may have hit a
    full disk without saying so."""
    expected = TRAILERS.get(target.suffix.lower(), b"") if trailer is None else trailer
    folder = writable_folder(target, error)
    remove_stale_temps(target)
    try:
        fd, name = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise error(f"Could not write {target}: {reason(exc)}.") from None
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as written:
            os.fsync(written.fileno())
            if expected and not _ends_with(written, expected):
                raise error(f"Could not write {target}: {_cut_short(folder)}.")
        if mode is None:
            mode = target.stat().st_mode & 0o777 if target.exists() else _new_file_mode()
        os.chmod(temp, mode)
        os.replace(temp, target)
    except OSError as exc:
        _remove_quietly(temp)
        raise error(f"Could not write {target}: {reason(exc)}.") from None
    except BaseException:
        _remove_quietly(temp)
        raise
    sync_folder(folder)


def write_atomically(
    target: Path, chunks: Iterable[bytes], error: type[LiaisonError] = OutputError
) -> int:
    """Write ``chunks`` to ``target`` atomically; the number of bytes written."""
    size = 0
    with replacing(target, error, trailer=b"") as temp:  # Python reports every failed write
        try:
            with open(temp, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                    size += len(chunk)
        except OSError as exc:
            raise error(f"Could not write {target}: {reason(exc)}.") from None
    return size


def _ends_with(file: BinaryIO, trailer: bytes) -> bool:
    """Whether the open ``file`` ends with ``trailer``, white space after it aside."""
    size = file.seek(0, os.SEEK_END)
    file.seek(max(0, size - len(trailer) - 64))
    return file.read().rstrip().endswith(trailer)


def _cut_short(folder: Path) -> str:
    """Why a file came out without its last word (while it still takes its space)."""
    with contextlib.suppress(OSError):
        if shutil.disk_usage(folder).free == 0:
            return "the disk is full"
    return "the file came out incomplete (is the disk full?)"


def reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    return exc.strerror or str(exc)


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def sync_folder(folder: Path) -> None:
    """Make a rename itself durable (POSIX; a no-op where folders cannot be opened)."""
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
