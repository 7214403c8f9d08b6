"""What the frozen ``liaison`` program runs (PyInstaller's entry script, see liaison.spec).

The importer parses big files in a second process: forked where the platform forks and the
process has no other thread, spawned otherwise (in the desktop app, and always on Windows and
macOS). A spawned worker is this same executable started again with multiprocessing's
arguments, so ``freeze_support()`` must run first: it turns such a start into the worker and
exits when the work is done, before the command line is read.
"""

import multiprocessing
import os
import sys
import threading

TEST_THREAD_ENV = "LIAISON_FROZEN_TEST_THREAD"
"""Set to 1 (by packaging/smoke.sh only) to keep a second thread alive while the command runs.

The importer forks its worker only from a single-threaded process, so with this thread a
command-line import takes the path the desktop app takes: a spawned worker, which is what a
frozen app can get wrong."""


def run() -> int:
    multiprocessing.freeze_support()
    from liaison_calendar.cli import main

    if os.environ.get(TEST_THREAD_ENV) != "1":
        return main()
    done = threading.Event()
    waiter = threading.Thread(target=done.wait, name="frozen-test", daemon=True)
    waiter.start()
    try:
        return main()
    finally:
        done.set()


if __name__ == "__main__":
    sys.exit(run())
