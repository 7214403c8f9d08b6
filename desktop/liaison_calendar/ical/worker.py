"""The parsing process of an import ends with the process that started it.

Killed or crashed, an importing process would otherwise leave its parsing process running on
its own: forked, it holds the pipe it waits on open itself, so it never sees the end of it.
"""

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
_POLL_S = 0.5


def end_with_parent(parent: int, forked: bool) -> None:
    """Initializer of a parsing process started by ``parent``."""
    if forked and sys.platform.startswith("linux"):
        # The kernel kills this process when the thread that forked it ends: the main thread
        # of a process without others (the only one that forks, see ``reader.Parser``).
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before this process could ask for that
        os._exit(1)
    # Everywhere else too: once its parent has gone, a process gets another parent.
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="end-with-parent").start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_POLL_S)
    os._exit(1)
