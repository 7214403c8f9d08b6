"""Pictures of the app: every view, the details pane and the meeting dialog, as PNG files.

    uv run python -m liaison_calendar.ui.snapshots --db DB --out DIR [--date 2024-03-12] [--dark]

An empty or missing DB gets the sample calendar first. Runs on the offscreen platform unless a
display is set; the pictures are what a user would see at that date.
"""

import argparse
import os
import sys
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget  # noqa: E402

from liaison_calendar.domain.clock import FixedClock  # noqa: E402
from liaison_calendar.domain.timezones import day_start  # noqa: E402
from liaison_calendar.services.context import Services  # noqa: E402


def dark_palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2b2b",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e1e",
        QPalette.ColorRole.AlternateBase: "#262626",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#3d7bd9",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#353535",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.PlaceholderText: "#8a8a8a",
        QPalette.ColorRole.Mid: "#555555",
        QPalette.ColorRole.Midlight: "#444444",
        QPalette.ColorRole.Dark: "#1a1a1a",
        QPalette.ColorRole.Light: "#505050",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(disabled, role, QColor("#7a7a7a"))
    return p


def save(widget: QWidget, path: Path) -> Path:
    QApplication.processEvents()
    widget.grab().save(str(path))
    return path


def snapshots(db: Path, out: Path, day: date, dark: bool = False) -> list[Path]:
    from liaison_calendar.ui.app import application
    from liaison_calendar.ui.main_window import MainWindow
    from liaison_calendar.ui.meeting_dialog import MeetingDialog

    app = application()
    # Settings of their own: no window layout or filters of the user's, and none saved for them.
    app.setOrganizationName("LiaisonSnapshots")
    QSettings().clear()
    app.setStyle(QStyleFactory.create("Fusion"))
    if dark:
        app.setPalette(dark_palette())
    clock = FixedClock(day_start(day, "Europe/Brussels").replace(hour=9))
    services = Services.open(db, clock)
    try:
        if services.queries.is_empty():
            from liaison_calendar.services.demo import seed_demo

            seed_demo(services)
        out.mkdir(parents=True, exist_ok=True)
        suffix = "-dark" if dark else ""
        window = MainWindow(services, today=day)
        window.resize(1400, 900)
        window.show()
        busiest = max(
            services.queries.briefs(*services.queries.day_window(day, day, window.tz)),
            key=lambda o: len(services.meetings.get(o.meeting.id).agenda),
            default=None,
        )
        if busiest is None:
            month = window.view.period(day)
            found = services.queries.briefs(
                *services.queries.day_window(month[0], month[1], window.tz)
            )
            busiest = max(found, key=lambda o: len(services.meetings.get(o.meeting.id).agenda))
        window._select(busiest)  # its details beside every view
        written = []
        for index, view in enumerate(window.views):
            window.tabs.setCurrentIndex(index)
            window.refresh()
            written.append(save(window, out / f"{view.title.lower()}{suffix}.png"))
        window.tabs.setCurrentIndex(0)
        window.refresh()
        written.append(save(window.details, out / f"details{suffix}.png"))
        dialog = MeetingDialog.for_meeting(services, services.meetings.get(busiest.meeting.id))
        dialog.show()
        written.append(save(dialog, out / f"meeting-dialog{suffix}.png"))
        dialog.close()
        window.close()
        return written
    finally:
        services.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="calendar file (demo if empty)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNG files")
    parser.add_argument("--date", type=date.fromisoformat, default=date(2024, 3, 12))
    parser.add_argument("--dark", action="store_true", help="a dark palette")
    args = parser.parse_args(argv)
    for path in snapshots(args.db, args.out, args.date, args.dark):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
