"""Render the application icon from its SVG: hicolor PNGs, a Windows .ico, the runtime copy.

Run from the repository root (any directory works) after changing the SVG::

    uv run python packaging/make_icons.py

The source is ``resources/icons/eu.liaison.LiaisonCalendar.svg``. The script writes

- ``resources/icons/hicolor/<N>x<N>/apps/eu.liaison.LiaisonCalendar.png`` for every size in
  :data:`PNG_SIZES` (the freedesktop icon theme layout, ready to copy under ``/usr/share/icons``);
- ``resources/icons/liaison.ico``: one icon with the sizes in :data:`ICO_SIZES`, each entry a PNG
  (readable by Windows Vista and later, PyInstaller and Qt). Qt's own ``ico`` writer stores one
  image per file, so the container is written here: an ICONDIR header and one entry per size;
- ``desktop/liaison_calendar/ui/icons/liaison.svg``: the same SVG, byte for byte, that the app
  loads at run time (``liaison_calendar.ui.icons.app_icon``).

The output is deterministic: the same SVG and Qt version give the same bytes, so re-running the
script on an unchanged SVG changes no file. ``--check`` writes nothing and exits 1 if any output
is missing or differs from what the SVG gives.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

# Qt needs no screen for this; without a display it would abort instead of raising.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

APP_ID = "eu.liaison.LiaisonCalendar"
ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SOURCE = ICONS / f"{APP_ID}.svg"
ICO = ICONS / "liaison.ico"
RUNTIME_SVG = ROOT / "desktop" / "liaison_calendar" / "ui" / "icons" / "liaison.svg"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def png_path(size: int) -> Path:
    return ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    """The SVG drawn on a transparent ``size`` x ``size`` image, antialiased."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    if not writer.write(image):
        raise RuntimeError(f"Qt could not encode a PNG: {writer.errorString()}")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file holding each PNG as one entry (width and height 0 stand for 256)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))  # reserved, type 1 = icon, image count
    offset = len(header) + 16 * len(pngs)
    entries, payloads = [], []
    for size, payload in sorted(pngs.items()):
        if not 1 <= size <= 256:
            raise ValueError(f"an ICO entry is 1 to 256 pixels wide, not {size}")
        dim = size % 256
        # width, height, palette colours, reserved, colour planes, bits per pixel, size, offset
        entries.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(payload), offset))
        payloads.append(payload)
        offset += len(payload)
    return header + b"".join(entries) + b"".join(payloads)


def outputs() -> dict[Path, bytes]:
    """Every file the script writes, with its content."""
    svg = SOURCE.read_bytes()
    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE} is not an SVG that Qt can draw")
    pngs = {size: png_bytes(render(renderer, size)) for size in PNG_SIZES}
    files = {png_path(size): data for size, data in pngs.items()}
    files[ICO] = ico_bytes({size: pngs[size] for size in ICO_SIZES})
    files[RUNTIME_SVG] = svg
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if an output is stale"
    )
    args = parser.parse_args(argv)
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    stale = []
    for path, data in outputs().items():
        current = path.read_bytes() if path.exists() else None
        if current == data:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for path in stale:
        verb = "stale" if args.check else "wrote"
        print(f"{verb}: {path.relative_to(ROOT)}")
    if not stale:
        print("icons are up to date")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
