"""Qt tests never wait for an answer nobody gives: a message box a test did not expect fails it.

On the offscreen platform a modal QMessageBox blocks for ever, and a test stuck in Qt's event
loop never returns to Python. Tests that expect a message patch the method themselves (their
monkeypatch replaces this one).
"""

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox


def _unexpected(kind: str) -> Callable[..., Any]:
    def fail(_parent: object, _title: str, text: str, *_args: object, **_kwargs: object) -> Any:
        raise AssertionError(f"unexpected QMessageBox.{kind}: {text}")

    return fail


@pytest.fixture(autouse=True)
def _no_unexpected_message_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(_unexpected(kind)))
