"""Writing files that others read (feeds, PDFs, reports) so that no reader ever sees half a file.

Write to a temp file in the target's folder, fsync it, rename it over the target, fsync the
folder. A failure leaves the target as it was and says why in one line (``OutputError`` or the
class given).
"""

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

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


def _new_file_mode() -> int:
    """What a new file gets under the current umask (0666 less the umask)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def replacing(
    target: Path, error: type[LiaisonError] = OutputError, mode: int | None = None
) -> Iterator[Path]:
    """A temp path beside ``target`` to write (by any means, e.g. Qt's PDF writer); when the
    block ends it is fsynced and renamed over ``target``. On any error it is removed and
    ``target`` is left untouched. The file keeps ``target``'s mode, or gets ``mode``, or what
    the umask gives a new file."""
    folder = writable_folder(target, error)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise error(f"Could not write {target}: {reason(exc)}.") from None
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as written:
            os.fsync(written.fileno())
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
    with replacing(target, error) as temp:
        try:
            with open(temp, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                    size += len(chunk)
        except OSError as exc:
            raise error(f"Could not write {target}: {reason(exc)}.") from None
    return size


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
