"""Print (Ctrl+P) and Report… driven as a user would: choose, save, see what was left out."""

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from liaison_calendar.domain.enums import ReleaseLevel
from liaison_calendar.domain.models import MeetingFilter
from liaison_calendar.services.context import Services
from liaison_calendar.services.demo import demo_uid, seed_demo
from liaison_calendar.ui import print_dialog
from liaison_calendar.ui.main_window import MainWindow
from liaison_calendar.ui.print_dialog import PrintDialog, ReportDialog, reporting_year


@pytest.fixture
def demo(services: Services) -> Services:
    seed_demo(services)
    return services


def saving_to(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    def choose(_parent: QWidget, _caption: str, _suggested: str, _kinds: str) -> str:
        return str(path)

    monkeypatch.setattr(print_dialog._DocumentDialog, "choose_file", staticmethod(choose))


def set_level(dialog: print_dialog._DocumentDialog, level: ReleaseLevel) -> None:
    dialog.level.setCurrentIndex(dialog.level.findData(level.value))


def test_the_agenda_of_the_selected_meeting_is_saved_as_pdf(
    qtbot: QtBot, demo: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting = demo.meetings.get(demo_uid("optalks-2"))
    dialog = PrintDialog(
        demo,
        anchor=date(2024, 3, 12),
        tz="Europe/Brussels",
        meeting_filter=None,
        meeting_id=meeting.id,
        meeting_title=meeting.title,
    )
    qtbot.addWidget(dialog)
    assert dialog.agenda_choice.isChecked()
    assert dialog.message.text() == "Nothing is left out at this print level."
    saving_to(monkeypatch, tmp_path / "agenda")  # the suffix is added
    assert dialog.save(".pdf") == tmp_path / "agenda.pdf"
    assert (tmp_path / "agenda.pdf").read_bytes().startswith(b"%PDF")
    assert "Saved" in dialog.message.text()


def test_a_restricted_meeting_at_staff_level_says_why_and_writes_nothing(
    qtbot: QtBot, demo: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting = demo.meetings.get(demo_uid("fimi-2023"))
    dialog = PrintDialog(
        demo,
        anchor=date(2023, 10, 1),
        tz="Europe/Brussels",
        meeting_filter=None,
        meeting_id=meeting.id,
        meeting_title=meeting.title,
    )
    qtbot.addWidget(dialog)
    set_level(dialog, ReleaseLevel.STAFF)
    assert "cannot be printed at staff level" in dialog.message.text()
    saving_to(monkeypatch, tmp_path / "agenda.pdf")
    assert dialog.save(".pdf") is None
    assert not (tmp_path / "agenda.pdf").exists()


def test_without_a_selection_the_month_is_printed_and_left_out_meetings_are_counted(
    qtbot: QtBot, demo: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = PrintDialog(
        demo, anchor=date(2023, 10, 10), tz="Europe/Brussels", meeting_filter=MeetingFilter()
    )
    qtbot.addWidget(dialog)
    assert not dialog.agenda_choice.isEnabled()
    assert dialog.month_choice.isChecked()
    set_level(dialog, ReleaseLevel.PUBLIC)
    assert "will be left out" in dialog.message.text()
    saving_to(monkeypatch, tmp_path / "month.html")
    dialog.save(".html")
    assert "October 2023" in (tmp_path / "month.html").read_text(encoding="utf-8")
    qtbot.mouseClick(dialog.week_choice, Qt.MouseButton.LeftButton)
    assert dialog.week_choice.isChecked()
    assert dialog.suggested_name() == "week-2023-10-10"


def test_the_report_dialog_offers_the_last_reporting_year_and_writes_markdown(
    qtbot: QtBot, demo: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert reporting_year(date(2024, 9, 1)) == (date(2023, 6, 1), date(2024, 5, 31))
    assert reporting_year(date(2024, 3, 1)) == (date(2022, 6, 1), date(2023, 5, 31))
    dialog = ReportDialog(demo, today=date(2024, 9, 1))
    qtbot.addWidget(dialog)
    assert dialog.first.date().toPython() == date(2023, 6, 1)
    cyber = next(
        dialog.strands.item(i)
        for i in range(dialog.strands.count())
        if dialog.strands.item(i).data(Qt.ItemDataRole.UserRole) == "cyber"
    )
    cyber.setCheckState(Qt.CheckState.Checked)
    assert dialog.meeting_filter().strands == ["cyber"]
    saving_to(monkeypatch, tmp_path / "report.md")
    assert dialog.save(".md") == tmp_path / "report.md"
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "Cyber security and defence" in text
    assert "Countering hybrid threats" not in text


def test_ctrl_p_in_the_window_opens_the_print_dialog_for_the_selected_meeting(
    qtbot: QtBot, demo: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PrintDialog, "exec", lambda self: 0)
    monkeypatch.setattr(ReportDialog, "exec", lambda self: 0)
    window = MainWindow(demo, today=date(2024, 3, 12))
    qtbot.addWidget(window)
    window.show()
    window.view.select_meeting(demo.meetings.get(demo_uid("optalks-2")).id)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.print_dialog.agenda_choice.isChecked()
    assert "Operational cooperation talks" in window.print_dialog.agenda_choice.text()
    window.report_action.trigger()
    assert isinstance(window.report_dialog, ReportDialog)


def test_a_sidebar_showing_nothing_prints_no_month(qtbot: QtBot, demo: Services) -> None:
    dialog = PrintDialog(demo, anchor=date(2024, 3, 12), tz="Europe/Brussels", meeting_filter=None)
    qtbot.addWidget(dialog)
    assert "The sidebar shows no meetings" in dialog.message.text()
    assert dialog._built() is None
    filtered = PrintDialog(
        demo,
        anchor=date(2024, 3, 12),
        tz="Europe/Brussels",
        meeting_filter=MeetingFilter(strands=["cyber"]),
    )
    qtbot.addWidget(filtered)
    document = filtered._built()
    assert document is not None
    assert "Operational cooperation talks" not in document.body
