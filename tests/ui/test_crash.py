"""An unexpected error: logged, shown in a dialog with the log's path and "Copy details"."""

import logging
import sys
import threading

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from liaison_calendar import logs
from liaison_calendar.ui import crash


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[crash.CrashDialog]:
    dialogs: list[crash.CrashDialog] = []

    def fake_exec(self: crash.CrashDialog) -> int:
        dialogs.append(self)
        return 0

    monkeypatch.setattr(crash.CrashDialog, "exec", fake_exec)
    return dialogs


def boom() -> None:
    raise RuntimeError("the index is gone")


def caught() -> tuple[type[BaseException], BaseException, object]:
    try:
        boom()
    except RuntimeError:
        info = sys.exc_info()
        assert info[0] is not None
        assert info[1] is not None
        return info[0], info[1], info[2]
    raise AssertionError("no exception")


def test_the_dialog_says_what_happened_where_the_log_is_and_copies_the_details(
    qtbot: QtBot, shown: list[crash.CrashDialog], caplog: pytest.LogCaptureFixture
) -> None:
    exc_type, exc, tb = caught()
    with caplog.at_level(logging.CRITICAL):
        crash.report(exc_type, exc, tb)  # type: ignore[arg-type]
    assert "the index is gone" in caplog.text
    (dialog,) = shown
    qtbot.addWidget(dialog)
    assert (
        "RuntimeError: the index is gone" in dialog.findChildren(type(dialog.text))[0].toPlainText()
    )
    labels = " ".join(label.text() for label in dialog.findChildren(crash.QLabel))
    assert str(logs.log_file()) in labels
    assert "Your calendar is safe" in labels
    dialog.copy_button.click()
    copied = QApplication.clipboard().text()
    assert "Traceback" in copied
    assert "in boom" in copied
    assert copied.startswith("Liaison Calendar ")


def test_the_hook_catches_uncaught_errors_of_threads_too(
    qtbot: QtBot, shown: list[crash.CrashDialog], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    crash.install()
    assert sys.excepthook is crash._hook
    thread = threading.Thread(target=boom)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert "the index is gone" in shown[0].details


def test_a_keyboard_interrupt_is_not_an_error_dialog(
    shown: list[crash.CrashDialog], monkeypatch: pytest.MonkeyPatch
) -> None:
    passed: list[object] = []
    monkeypatch.setattr(sys, "__excepthook__", lambda *args: passed.append(args))
    crash._hook(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert passed
    assert shown == []
