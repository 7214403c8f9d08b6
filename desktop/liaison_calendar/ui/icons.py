"""The application icon, drawn from the SVG shipped inside the package.

``icons/liaison.svg`` beside this module is a copy of
``resources/icons/eu.liaison.LiaisonCalendar.svg`` made by ``packaging/make_icons.py``; Qt scales
it to whatever size a window frame, task bar or dialog asks for.
"""

from importlib.resources import files
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

__all__ = ["APP_ICON_SVG", "app_icon"]

APP_ICON_SVG = "liaison.svg"

# Sizes drawn ahead when the SVG cannot be handed to Qt as a file (a zipped install).
_RASTER_SIZES = (16, 24, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """The Liaison Calendar icon, for ``QApplication.setWindowIcon``; null only if it is missing."""
    resource = files("liaison_calendar.ui").joinpath("icons", APP_ICON_SVG)
    if isinstance(resource, Path):
        return QIcon(str(resource)) if resource.is_file() else QIcon()
    if not resource.is_file():
        return QIcon()
    return _rasterized(resource.read_bytes())


def _rasterized(svg: bytes) -> QIcon:
    """An icon holding the SVG drawn at the usual sizes (no file for Qt's SVG icon engine)."""
    renderer = QSvgRenderer(QByteArray(svg))
    icon = QIcon()
    if not renderer.isValid():
        return icon
    for size in _RASTER_SIZES:
        image = QImage(QSize(size, size), QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(QPixmap.fromImage(image))
    return icon
