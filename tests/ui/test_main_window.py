"""The main window driven as a user would: views, filters, find, the editor, undo and redo,
import through the preview, and the messages a calendar file that cannot be used gives."""

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from liaison_calendar.domain.enums import Status
from liaison_calendar.domain.models import MeetingDraft
from liaison_calendar.errors import NotFoundError
from liaison_calendar.services.context import Services
from liaison_calendar.services.demo import seed_demo
from liaison_calendar.ui import app as app_module
from liaison_calendar.ui.import_dialog import ImportPreviewDialog
from liaison_calendar.ui.main_window import MainWindow
from liaison_calendar.ui.meeting_dialog import MeetingDialog
from liaison_calendar.ui.views.agenda import AgendaView
from liaison_calendar.ui.views.exercises import ExercisesView
from liaison_calendar.ui.views.month import MonthView
from liaison_calendar.ui.views.week import WeekView

DAY = date(2024, 3, 12)
BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def window(qtbot: QtBot, services: Services) -> Iterator[MainWindow]:
    seed_demo(services)
    win = MainWindow(services, today=DAY)
    qtbot.addWidget(win)
    win.show()
    win.tabs.setCurrentIndex(0)
    yield win
    win.undo_stack.clear()


def titles(win: MainWindow) -> list[str]:
    first, after = win.view.period(win.anchor)
    start, end = win.services.queries.day_window(first, after, win.tz)
    flt = win.meeting_filter
    if flt is None:
        return []
    return [o.meeting.title for o in win.services.queries.occurrences(start, end, flt)]


def shown(win: MainWindow) -> int:
    return int(win.count_label.text().rsplit(": ", 1)[1].split()[0])


def test_views_switch_with_ctrl_1_to_4_and_show_their_period(
    qtbot: QtBot, window: MainWindow
) -> None:
    expected = [MonthView, WeekView, AgendaView, ExercisesView]
    for number, kind in enumerate(expected, 1):
        qtbot.keyClick(window, Qt.Key.Key_0 + number, Qt.KeyboardModifier.ControlModifier)
        assert isinstance(window.view, kind)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.count_label.text().startswith("March 2024: ")
    window.following_action.trigger()
    assert window.count_label.text().startswith("April 2024: ")
    window.today_action.trigger()
    assert window.anchor == DAY


def test_unticking_a_strand_filters_every_view(window: MainWindow) -> None:
    window.tabs.setCurrentIndex(2)  # agenda: the next 60 days
    before = shown(window)
    window.sidebar.strands.set_ticked("operational", False)
    after = shown(window)

    assert after < before
    for occ_title in titles(window):
        assert "Operational cooperation talks" not in occ_title
    window.tabs.setCurrentIndex(0)  # the month view follows the same filter
    assert all("Operational cooperation talks" not in t for t in titles(window))
    window.tabs.setCurrentIndex(2)
    window.sidebar.strands.tick_all()
    assert shown(window) == before


def test_find_lists_results_as_you_type_and_jumps_to_the_chosen_one(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.find_action.trigger()
    qtbot.keyClicks(window.find_panel.field, "Military Mobility")
    qtbot.waitUntil(lambda: window.find_panel.results.count() > 0, timeout=2000)
    item = window.find_panel.results.item(0)
    chosen = item.data(Qt.ItemDataRole.UserRole)

    window.find_panel.results.itemActivated.emit(item)

    start = chosen.start
    day = start.astimezone(BRUSSELS).date() if isinstance(start, datetime) else start
    assert window.anchor == day
    assert window.selected is not None
    assert window.selected.meeting.id == chosen.id


def _accept_with(monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    """The meeting dialog, accepted after ``change(dialog)`` did what a user would."""

    def exec_(dialog: MeetingDialog) -> int:
        change(dialog)
        assert dialog.is_valid()
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(MeetingDialog, "exec", exec_)


def test_create_edit_cancel_then_undo_and_redo_all_of_it(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = window.services
    _accept_with(monkeypatch, lambda d: d.title_edit.setText("Quokka liaison briefing"))
    window.new_meeting(datetime(2024, 3, 14, 10, 0, tzinfo=BRUSSELS))
    created = services.queries.search("Quokka liaison briefing")
    assert len(created) == 1
    assert window.selected is not None
    assert window.selected.meeting.title == "Quokka liaison briefing"

    _accept_with(monkeypatch, lambda d: d.title_edit.setText("Quokka liaison briefing (2)"))
    window.edit_selected()
    assert services.meetings.get(created[0].uid).title == "Quokka liaison briefing (2)"

    asked: list[str] = []

    def answer(_parent: object, _title: str, text: str) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.No if len(asked) == 1 else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    window.cancel_selected()  # answered No: nothing happens
    assert services.meetings.get(created[0].uid).status is Status.CONFIRMED
    window.cancel_selected()
    assert services.meetings.get(created[0].uid).status is Status.CANCELLED
    assert "struck through" in asked[0]

    window.undo_action.trigger()
    assert services.meetings.get(created[0].uid).status is Status.CONFIRMED
    window.undo_action.trigger()
    assert services.meetings.get(created[0].uid).title == "Quokka liaison briefing"
    window.undo_action.trigger()
    assert services.queries.search("Quokka liaison briefing") == []
    assert not window.undo_action.isEnabled()

    for _ in range(3):
        window.redo_action.trigger()
    again = services.meetings.get(created[0].uid)  # the same UID, so feeds see one meeting
    assert again.title == "Quokka liaison briefing (2)"
    assert again.status is Status.CANCELLED


def test_delete_asks_and_undo_brings_the_meeting_back_with_its_parts(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = window.services
    target = next(
        m for m in services.queries.search("Military Mobility") if not m.rrule and m.series
    )
    detail = services.meetings.get(target.id)
    window.selected = next(
        o
        for o in services.queries.occurrences(*_day(window, detail.start))
        if o.meeting.id == detail.id
    )
    monkeypatch.setattr(
        QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes
    )

    window.delete_selected()
    with pytest.raises(NotFoundError):
        services.meetings.get(detail.uid)

    window.undo_action.trigger()
    back = services.meetings.get(detail.uid)
    assert back.title == detail.title
    assert [p.name for p in back.participants] == [p.name for p in detail.participants]
    assert [a.title for a in back.agenda] == [a.title for a in detail.agenda]
    assert (back.series, back.iteration) == (detail.series, detail.iteration)


def _day(window: MainWindow, start: object) -> tuple[datetime, datetime]:
    day = start.astimezone(BRUSSELS).date() if isinstance(start, datetime) else start
    assert isinstance(day, date)
    return window.services.queries.day_window(day, day, window.tz)


def test_a_refused_change_is_a_message_and_nothing_is_pushed(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    existing = window.services.queries.search("Military Mobility")[0]

    def same_uid(dialog: MeetingDialog) -> None:
        dialog.title_edit.setText("A copy")
        real = dialog.draft
        monkeypatch.setattr(
            dialog, "draft", lambda: real().model_copy(update={"uid": existing.uid})
        )

    _accept_with(monkeypatch, same_uid)
    window.new_meeting(datetime(2024, 3, 14, 10, 0, tzinfo=BRUSSELS))

    assert len(warnings) == 1
    assert "already exists" in warnings[0]
    assert window.undo_stack.count() == 0


def test_import_goes_through_the_preview_and_can_be_undone_by_nobody_but_is_summarised(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calendar = Path(__file__).parents[1] / "import_cases" / "weekly_count_exdate.ics"
    previews: list[ImportPreviewDialog] = []

    def accept(dialog: ImportPreviewDialog) -> int:
        previews.append(dialog)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(ImportPreviewDialog, "exec", accept)
    before = window.services.queries.search("Weekly")

    window.import_files([calendar])
    qtbot.waitUntil(lambda: "Imported" in window.statusBar().currentMessage(), timeout=10000)

    assert len(previews) == 1
    assert "1 added" in previews[0].summary.text()
    assert len(window.services.queries.search("Weekly")) == len(before) + 1


def test_a_preview_that_is_cancelled_imports_nothing(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    calendar = Path(__file__).parents[1] / "import_cases" / "weekly_count_exdate.ics"
    seen: list[int] = []

    def cancel(dialog: ImportPreviewDialog) -> int:
        seen.append(1)
        return QDialog.DialogCode.Rejected.value

    monkeypatch.setattr(ImportPreviewDialog, "exec", cancel)
    before = window.services.queries.search("Weekly")

    window.import_files([calendar])
    qtbot.waitUntil(lambda: seen == [1], timeout=10000)

    assert window.services.queries.search("Weekly") == before


def test_a_newer_calendar_file_is_a_message_not_a_traceback(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    path = tmp_path / "newer.db"
    Services.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    messages: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _parent, _title, text: messages.append(text)
    )

    assert app_module.run_path(path) == 2

    assert len(messages) == 1
    assert "newer" in messages[0]


def test_the_first_start_on_an_empty_calendar_offers_the_sample(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(services, today=DAY)
    qtbot.addWidget(window)
    monkeypatch.setattr(
        QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes
    )

    assert app_module.offer_demo(window)

    assert not services.queries.is_empty()
    assert not app_module.offer_demo(window)  # asked only while the calendar is empty


def test_a_meeting_dragged_in_the_week_view_moves_and_the_move_can_be_undone(
    window: MainWindow,
) -> None:
    services = window.services
    meeting = services.meetings.create(
        MeetingDraft(
            title="Cross-briefing to move",
            kind="cross-briefing",
            start=datetime(2024, 3, 13, 10, 0),
            end=datetime(2024, 3, 13, 11, 0),
        )
    )
    window.tabs.setCurrentIndex(1)
    occ = next(
        o
        for o in services.queries.occurrences(*_day(window, meeting.start))
        if o.meeting.id == meeting.id
    )

    window.view.reschedule_requested.emit(occ, datetime(2024, 3, 13, 14, 0, tzinfo=BRUSSELS))

    moved = services.meetings.get(meeting.id)
    assert moved.start == datetime(2024, 3, 13, 14, 0, tzinfo=BRUSSELS)
    assert moved.end == datetime(2024, 3, 13, 15, 0, tzinfo=BRUSSELS)
    window.undo_action.trigger()
    assert services.meetings.get(meeting.id).start == meeting.start


def test_next_iteration_carries_open_actions_and_undo_opens_them_again(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liaison_calendar.domain.enums import ActionStatus
    from liaison_calendar.domain.models import ActionItemDraft, SeriesDraft

    services = window.services
    services.series.create(SeriesDraft(name="Quokka dialogue", kind="structured-dialogue"))
    first = services.meetings.create(
        MeetingDraft(
            title="Quokka dialogue – 1st iteration",
            kind="structured-dialogue",
            series="Quokka dialogue",
            start=datetime(2024, 3, 5, 10, 0),
            end=datetime(2024, 3, 5, 12, 0),
            actions=[
                ActionItemDraft(text="Share the threat picture", owner="EEAS"),
                ActionItemDraft(text="Already done", owner="IMS", status=ActionStatus.DONE),
            ],
        )
    )
    open_item = first.actions[0]
    window.selected = next(
        o
        for o in services.queries.occurrences(*_day(window, first.start))
        if o.meeting.id == first.id
    )
    _accept_with(monkeypatch, lambda d: None)  # accepted as pre-filled

    window.next_iteration()

    second = services.meetings.get(window.selected.meeting.id)
    assert (second.series, second.iteration) == ("Quokka dialogue", 2)
    assert [(a.text, a.carried_from_id) for a in second.actions] == [
        ("Share the threat picture", open_item.id)
    ]
    assert services.meetings.get(first.id).actions[0].status is ActionStatus.CARRIED

    window.undo_action.trigger()

    with pytest.raises(NotFoundError):
        services.meetings.get(second.uid)
    assert services.meetings.get(first.id).actions[0].status is ActionStatus.OPEN


def test_an_overlap_in_place_or_people_is_pointed_out_but_the_meeting_is_saved(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liaison_calendar.domain.models import ParticipantDraft

    services = window.services
    services.meetings.create(
        MeetingDraft(
            title="Quokka staff talks",
            kind="staff-talks",
            start=datetime(2024, 3, 14, 9, 0),
            end=datetime(2024, 3, 14, 12, 0),
            location="Room 3, EEAS",
            participants=[ParticipantDraft(name="Anna Kovalenko")],
        )
    )

    def same_room(dialog: MeetingDialog) -> None:
        dialog.title_edit.setText("Quokka cross-briefing")
        dialog.location_edit.setText("Room 3,  EEAS")

    _accept_with(monkeypatch, same_room)
    window.new_meeting(datetime(2024, 3, 14, 11, 0, tzinfo=BRUSSELS))

    assert len(services.queries.search("Quokka cross-briefing")) == 1  # saved all the same
    assert window.overlaps == ["“Quokka staff talks” is at the same time in Room 3, EEAS"]
    assert "Quokka staff talks" in window.statusBar().currentMessage()

    _accept_with(monkeypatch, lambda d: d.title_edit.setText("Quokka elsewhere"))
    window.new_meeting(datetime(2024, 3, 14, 15, 0, tzinfo=BRUSSELS))  # after both
    assert window.overlaps == []


def test_with_a_publish_folder_feeds_are_written_again_after_a_change(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "feeds"
    folder.mkdir()
    window.services.catalog.set_setting("publish_dir", str(folder))
    window._publish_timer.setInterval(50)
    _accept_with(monkeypatch, lambda d: d.title_edit.setText("Quokka published briefing"))

    window.new_meeting(datetime(2024, 3, 14, 10, 0, tzinfo=BRUSSELS))
    qtbot.waitUntil(lambda: "Feeds published" in window.publish_label.text(), timeout=15000)

    assert "Quokka published briefing" in (folder / "all.ics").read_text(encoding="utf-8")
    assert (folder / "strand-cyber.ics").exists()


def test_double_clicking_an_empty_day_creates_an_all_day_meeting_there(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    _accept_with(monkeypatch, lambda d: d.title_edit.setText("Quokka away day"))

    window.view.create_requested.emit(date(2024, 3, 21), date(2024, 3, 22))

    created = window.services.queries.search("Quokka away day")
    assert len(created) == 1
    assert (created[0].all_day, created[0].start, created[0].end) == (
        True,
        date(2024, 3, 21),
        date(2024, 3, 22),
    )


def test_a_long_import_can_be_cancelled_from_its_progress_dialog(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from liaison_calendar.ui.tasks import BackgroundTask

    path = tmp_path / "many.ics"
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:many-{i}@example.eu\r\nDTSTAMP:20240101T000000Z\r\n"
        f"DTSTART:20240{1 + i % 9}1{i % 9}T090000Z\r\nSUMMARY:Quokka bulk {i}\r\nEND:VEVENT\r\n"
        for i in range(3000)
    )
    path.write_text(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n")
    started: list[BackgroundTask] = []
    real_start = BackgroundTask.start

    def start_then_cancel(task: BackgroundTask) -> None:
        started.append(task)
        task.cancel()  # as if Cancel was pressed at once
        real_start(task)

    monkeypatch.setattr(BackgroundTask, "start", start_then_cancel)
    previews: list[int] = []  # reached only if the cancel did not stop the dry run
    monkeypatch.setattr(
        ImportPreviewDialog, "exec", lambda _d: previews.append(1) or QDialog.DialogCode.Rejected
    )
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: messages.append(text))

    window.import_files([path])
    qtbot.waitUntil(lambda: bool(messages), timeout=20000)

    assert "cancelled" in messages[0]
    assert previews == []
    assert window.services.queries.search("Quokka bulk") == []


def test_exercises_are_created_and_edited_through_their_dialog_and_undone(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liaison_calendar.ui.exercise_dialog import ExerciseDialog

    exercises = window.services.exercises
    demo = exercises.list()[0]

    def accept_after(change: Any) -> None:
        def exec_(dialog: ExerciseDialog) -> int:
            change(dialog)
            assert dialog.is_valid()
            return QDialog.DialogCode.Accepted.value

        monkeypatch.setattr(ExerciseDialog, "exec", exec_)

    accept_after(lambda d: d.name_edit.setText("Quokka tabletop exercise"))
    window.new_exercise()
    names = [e.name for e in exercises.list()]
    assert "Quokka tabletop exercise" in names
    assert isinstance(window.view, ExercisesView)

    window.undo_action.trigger()
    assert "Quokka tabletop exercise" not in [e.name for e in exercises.list()]
    window.redo_action.trigger()
    again = next(e for e in exercises.list() if e.name == "Quokka tabletop exercise")

    window.exercises_view.canvas.select_phase(demo.phases[0].id)
    accept_after(lambda d: d.name_edit.setText("PACE renamed"))
    window.edit_exercise()
    assert exercises.get(demo.id).name == "PACE renamed"
    assert [p.meeting_id for p in exercises.get(demo.id).phases] == [
        p.meeting_id for p in demo.phases
    ]  # the planning meetings stay linked
    window.undo_action.trigger()
    assert exercises.get(demo.id).name == demo.name
    assert again.uid in {e.uid for e in exercises.list()}


def test_series_are_created_and_renamed_through_their_dialog_and_undone(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liaison_calendar.ui.series_dialog import SeriesDialog

    services = window.services

    def accept_after(change: Any) -> None:
        def exec_(dialog: SeriesDialog) -> int:
            change(dialog)
            assert dialog.is_valid()
            return QDialog.DialogCode.Accepted.value

        monkeypatch.setattr(SeriesDialog, "exec", exec_)

    accept_after(lambda d: d.name_edit.setText("Quokka structured dialogue"))
    window.new_series()
    assert "Quokka structured dialogue" in [s.name for s in services.series.list()]
    window.undo_action.trigger()
    assert "Quokka structured dialogue" not in [s.name for s in services.series.list()]

    member = next(m for m in services.queries.search("Military Mobility") if m.series)
    window.selected = next(
        o
        for o in services.queries.occurrences(*_day(window, member.start))
        if o.meeting.id == member.id
    )
    old_name = member.series
    accept_after(lambda d: d.name_edit.setText("Quokka renamed dialogue"))
    window.edit_series()
    assert services.meetings.get(member.id).series == "Quokka renamed dialogue"
    assert services.meetings.get(member.id).iteration == member.iteration
    window.undo_action.trigger()
    assert services.meetings.get(member.id).series == old_name


def test_undoing_the_delete_of_a_series_brings_back_its_changed_occurrences(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liaison_calendar.domain.models import MeetingPatch

    services = window.services
    series = services.meetings.create(
        MeetingDraft(
            title="Quokka weekly sync",
            kind="other",
            start=datetime(2024, 3, 4, 9, 0),
            end=datetime(2024, 3, 4, 10, 0),
            rrule="FREQ=WEEKLY;COUNT=4",
        )
    )
    moved = services.meetings.override_occurrence(
        series.id,
        datetime(2024, 3, 11, 9, 0, tzinfo=BRUSSELS),
        MeetingPatch(
            start=datetime(2024, 3, 12, 14, 0), end=datetime(2024, 3, 12, 15, 0), location="Room 7"
        ),
    )
    window.selected = next(
        o
        for o in services.queries.occurrences(*_day(window, series.start))
        if o.meeting.id == series.id
    )
    monkeypatch.setattr(
        QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes
    )

    window.delete_selected()
    assert services.queries.search("Quokka weekly sync") == []

    window.undo_action.trigger()
    back = services.meetings.get(series.uid)
    overrides = services.meetings.overrides_of(back.id)
    assert back.rrule == "FREQ=WEEKLY;COUNT=4"
    assert [(o.recurrence_id, o.start, o.location) for o in overrides] == [
        (moved.recurrence_id, moved.start, "Room 7")
    ]
    start, end = services.queries.day_window(date(2024, 3, 1), date(2024, 3, 31), window.tz)
    assert (
        len([o for o in services.queries.occurrences(start, end) if o.meeting.uid == series.uid])
        == 4
    )


def test_dragging_one_occurrence_of_a_repeating_meeting_changes_that_one_only(
    window: MainWindow,
) -> None:
    services = window.services
    series = services.meetings.create(
        MeetingDraft(
            title="Quokka weekly call",
            kind="other",
            start=datetime(2024, 3, 4, 9, 0),
            end=datetime(2024, 3, 4, 10, 0),
            rrule="FREQ=WEEKLY;COUNT=3",
        )
    )
    window.tabs.setCurrentIndex(1)
    start, end = services.queries.day_window(date(2024, 3, 11), date(2024, 3, 11), window.tz)
    second = next(o for o in services.queries.occurrences(start, end) if o.meeting.id == series.id)

    window.view.reschedule_requested.emit(second, datetime(2024, 3, 11, 15, 0, tzinfo=BRUSSELS))

    def starts() -> list[object]:
        lo, hi = services.queries.day_window(date(2024, 3, 1), date(2024, 3, 31), window.tz)
        return [
            o.start for o in services.queries.occurrences(lo, hi) if o.meeting.uid == series.uid
        ]

    assert starts() == [
        datetime(2024, 3, 4, 9, 0, tzinfo=BRUSSELS),
        datetime(2024, 3, 11, 15, 0, tzinfo=BRUSSELS),
        datetime(2024, 3, 18, 9, 0, tzinfo=BRUSSELS),
    ]
    window.undo_action.trigger()
    assert starts() == [
        datetime(2024, 3, 4, 9, 0, tzinfo=BRUSSELS),
        datetime(2024, 3, 11, 9, 0, tzinfo=BRUSSELS),
        datetime(2024, 3, 18, 9, 0, tzinfo=BRUSSELS),
    ]
    assert services.meetings.overrides_of(series.id) == []


def test_after_its_first_paint_the_window_loads_the_rest_and_lists_the_feeds(
    qtbot: QtBot, services: Services
) -> None:
    from liaison_calendar.domain.models import FeedDraft

    seed_demo(services)
    services.feeds.add(FeedDraft(name="cyber-team"))
    fresh = Services.open(services.path, services.clock)  # nothing loaded yet
    try:
        win = MainWindow(fresh, today=DAY)
        qtbot.addWidget(win)
        assert not win.ready
        assert "meetings" not in vars(fresh)  # the writing services wait for the first paint
        assert win.sidebar.feeds.count() == 0
        win.show()
        qtbot.waitUntil(lambda: win.ready)
        assert "meetings" in vars(fresh)
        assert "feeds" in vars(fresh)
        names = [win.sidebar.feeds.item(i).text() for i in range(win.sidebar.feeds.count())]
        assert "cyber-team" in names
    finally:
        fresh.close()


def test_a_crowded_day_in_the_month_counts_the_meetings_it_did_not_read(
    qtbot: QtBot, window: MainWindow
) -> None:
    day = date(2024, 3, 20)
    before = shown(window)
    for i in range(40):
        window.services.meetings.create(
            MeetingDraft(
                title=f"Crowded {i:02d}",
                start=datetime(2024, 3, 20, 7, i),
                end=datetime(2024, 3, 20, 7, i + 10),
            )
        )
    window.refresh()
    month = window.view
    assert isinstance(month, MonthView)
    queries = window.services.queries
    on_day = queries.briefs(*queries.day_window(day, day, window.tz))
    visible = month.chip_texts(day)
    crowded = [t for t in visible if "Crowded" in t]
    assert crowded == [f"07:{i:02d} Crowded {i:02d}" for i in range(len(crowded))]
    assert month.more_text(day) == f"+{len(on_day) - len(visible)} more"
    assert shown(window) == before + 40
    # A window three times taller has room for more than were read: it reads them.
    read = month.chips_per_day()
    window.resize(window.width(), window.height() * 3)
    qtbot.waitUntil(lambda: len(month.chip_texts(day)) > read)
    assert month.more_text(day) == f"+{len(on_day) - len(month.chip_texts(day))} more"


def test_the_window_backs_up_daily_and_on_demand_and_about_says_where_things_are(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liaison_calendar.services.backups import daily_backups

    qtbot.waitUntil(lambda: window.ready)
    qtbot.waitUntil(lambda: len(daily_backups(window.services.path)) == 1)
    chosen = tmp_path / "mine.db"
    monkeypatch.setattr(
        "liaison_calendar.ui.main_window.QFileDialog.getSaveFileName",
        lambda *_a, **_k: (str(chosen), ""),
    )
    window.backup_action.trigger()
    assert chosen.read_bytes().startswith(b"SQLite format 3")
    shown: list[str] = []
    monkeypatch.setattr(
        "liaison_calendar.ui.main_window.QMessageBox.about",
        lambda _parent, _title, text: shown.append(text),
    )
    window.about_action.trigger()
    assert str(window.services.path) in shown[0]
    assert "liaison.log" in shown[0]
