"""The first window: it shows the calendar's occurrences from the services."""

from datetime import datetime

from pytestqt.qtbot import QtBot

from liaison_calendar.domain.models import MeetingDraft
from liaison_calendar.services.context import Services
from liaison_calendar.ui.app import Column, MainWindow


def test_main_window_lists_occurrences_and_refreshes(qtbot: QtBot, services: Services) -> None:
    services.meetings.create(
        MeetingDraft(
            title="Operational cooperation talks",
            kind="operational-talks",
            start=datetime(2024, 3, 12, 9, 30),
            end=datetime(2024, 3, 12, 12, 0),
            strands=["operational"],
        )
    )
    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    model = window.model
    assert model.rowCount() == 1
    assert model.index(0, Column.TITLE).data() == "Operational cooperation talks"
    assert model.index(0, Column.WHEN).data() == "Tue 12 Mar 2024 09:30–12:00 CET"
    assert model.index(0, Column.STRANDS).data() == "operational"
    services.meetings.create(
        MeetingDraft(
            title="Cyber",
            kind="structured-dialogue",
            start=datetime(2024, 4, 1, 10),
            end=datetime(2024, 4, 1, 11),
            strands=["cyber"],
        )  # fmt: skip
    )
    window.refresh()
    assert model.rowCount() == 2
    assert "2 occurrences" in window.status_label.text()
