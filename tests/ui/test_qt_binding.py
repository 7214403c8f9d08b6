"""The Qt binding itself: a release that breaks the interpreter must not be installed.

PySide6 6.12.0 drops a reference to None on every call that returns nothing; on Python 3.11
(where None is not immortal) the app then dies with "deallocating None" after a few thousand
paints. pyproject.toml keeps that release out; this test fails if such a release comes back.
"""

import sys

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter, QPainterPath


def test_calls_that_return_nothing_leave_none_alone() -> None:
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        rect = QRectF(0, 0, 32, 16)
        before = sys.getrefcount(None)
        for _ in range(500):
            painter.save()
            painter.setClipRect(rect)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            QPainterPath().addRoundedRect(rect, 3, 3)
            painter.restore()
        after = sys.getrefcount(None)
    finally:
        painter.end()

    assert after >= before - 50  # a few may move; the bug loses 3,000
