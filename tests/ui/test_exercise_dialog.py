"""The exercise editor, driven as a user would: typing, clicking, choosing, on the real widgets."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as drafts take them

from datetime import date, datetime

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDateEdit, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from liaison_calendar.domain.enums import ExercisePart, PhaseType, ReleaseLevel
from liaison_calendar.domain.models import Exercise, ExerciseDraft, MeetingDraft, PhaseDraft
from liaison_calendar.errors import ValidationError
from liaison_calendar.services.context import Services
from liaison_calendar.services.demo import demo_exercise
from liaison_calendar.ui.exercise_dialog import ExerciseDialog, PhaseColumn

DAY = date(2026, 11, 25)


def _open(qtbot: QtBot, dialog: ExerciseDialog) -> ExerciseDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


@pytest.fixture
def pace(services: Services) -> Exercise:
    """The sample PACE 2024–2025 exercise, with the planning meetings of four of its phases."""
    return services.exercises.create(demo_exercise())


def _edit(qtbot: QtBot, services: Services, exercise: Exercise) -> ExerciseDialog:
    return _open(qtbot, ExerciseDialog.for_exercise(services, exercise.id))


def _visible_error(dialog: ExerciseDialog, field: str) -> str:
    label = dialog.findChild(QLabel, f"error_{field}")
    assert label is not None
    return label.text() if label.isVisibleTo(dialog) else ""


def _open_cell(dialog: ExerciseDialog, row: int, column: int) -> object:
    view = dialog.phases_editor.view
    index = dialog.phases_model.index(row, column)
    view.setCurrentIndex(index)
    view.edit(index)  # as a double-click would; already open after "Add phase"
    editor = view.indexWidget(index)
    assert editor is not None
    return editor


def _commit(qtbot: QtBot, dialog: ExerciseDialog, row: int, column: int, widget: object) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    index = dialog.phases_model.index(row, column)
    qtbot.waitUntil(lambda: dialog.phases_editor.view.indexWidget(index) is None)


def _type_in_cell(qtbot: QtBot, dialog: ExerciseDialog, row: int, column: int, text: str) -> None:
    line = _open_cell(dialog, row, column)
    assert isinstance(line, QLineEdit)
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Backspace)
    qtbot.keyClicks(line, text)
    _commit(qtbot, dialog, row, column, line)


def _pick_day(qtbot: QtBot, dialog: ExerciseDialog, row: int, column: int, day: date) -> None:
    edit = _open_cell(dialog, row, column)
    assert isinstance(edit, QDateEdit)
    edit.setDate(QDate(day.year, day.month, day.day))
    _commit(qtbot, dialog, row, column, edit)


def _choose(qtbot: QtBot, dialog: ExerciseDialog, row: int, column: int, label: str) -> QComboBox:
    """Open the cell's combo and choose the entry that starts with ``label``."""
    combo = _open_cell(dialog, row, column)
    assert isinstance(combo, QComboBox)
    at = next(i for i in range(combo.count()) if combo.itemText(i).startswith(label))
    combo.setCurrentIndex(at)
    combo.activated.emit(at)  # what a click in the popup sends
    index = dialog.phases_model.index(row, column)
    qtbot.waitUntil(lambda: dialog.phases_editor.view.indexWidget(index) is None)
    return combo


# --- a new exercise -----------------------------------------------------------------------------


def test_a_new_exercise_dialog_gives_the_draft_that_was_entered(
    qtbot: QtBot, services: Services
) -> None:
    dialog = _open(qtbot, ExerciseDialog.for_new(services, DAY))
    assert dialog.start_edit.date() == QDate(2026, 11, 25)
    assert dialog.end_edit.date() == QDate(2027, 11, 24)  # the last day: a year, end exclusive

    qtbot.keyClicks(dialog.name_edit, "  PACE   2027 ")
    qtbot.keyClicks(dialog.programme_edit, "PACE 2026-2027")
    dialog.start_edit.setDate(QDate(2027, 1, 1))
    dialog.end_edit.setDate(QDate(2027, 12, 31))
    for i in range(dialog.strands_list.count()):
        item = dialog.strands_list.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == "cyber":
            item.setCheckState(Qt.CheckState.Checked)
    dialog.marking_combo.setCurrentIndex(dialog.marking_combo.findText("EU-NATO STAFF ONLY"))
    dialog.release_combo.setCurrentIndex(dialog.release_combo.findData(ReleaseLevel.RESTRICTED))
    qtbot.keyClicks(dialog.description_edit, "Crisis management.")
    qtbot.keyClick(dialog.description_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.description_edit, "Two parts.")

    assert dialog.ok_button.isEnabled()
    assert dialog.length_label.text() == "12 months"
    assert dialog.draft() == ExerciseDraft(
        name="PACE 2027",
        programme="PACE 2026-2027",
        period_start=date(2027, 1, 1),
        period_end=date(2028, 1, 1),
        description="Crisis management.\nTwo parts.",
        strands=["exercises", "cyber"],  # the one it came with, then the ticked one
        marking="EU-NATO STAFF ONLY",
        release_level=ReleaseLevel.RESTRICTED,
    )
    assert dialog.linked_meetings() == {}
    assert services.exercises.create(dialog.draft()).strands == ("cyber", "exercises")


def test_ok_is_disabled_while_the_name_is_empty_and_the_label_says_why(
    qtbot: QtBot, services: Services
) -> None:
    dialog = _open(qtbot, ExerciseDialog.for_new(services, DAY))

    assert not dialog.ok_button.isEnabled()
    assert _visible_error(dialog, "name") == "An exercise needs a name."
    assert "An exercise needs a name." in dialog.summary_label.text()
    with pytest.raises(ValidationError, match="needs a name"):
        dialog.draft()
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible()  # Ctrl+Return does not accept an invalid exercise

    qtbot.keyClicks(dialog.name_edit, "   ")
    assert not dialog.ok_button.isEnabled()  # blanks are not a name

    qtbot.keyClicks(dialog.name_edit, "PACE 2027")
    assert dialog.ok_button.isEnabled()
    assert _visible_error(dialog, "name") == ""
    assert dialog.summary_label.text() == ""

    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == ExerciseDialog.DialogCode.Accepted


def test_a_period_ending_before_it_starts_disables_ok(qtbot: QtBot, services: Services) -> None:
    dialog = _open(qtbot, ExerciseDialog.for_new(services, DAY))
    qtbot.keyClicks(dialog.name_edit, "PACE 2027")

    dialog.end_edit.setDate(QDate(2026, 11, 20))

    assert not dialog.ok_button.isEnabled()
    assert _visible_error(dialog, "period") == (
        "The last day (Fri 20 Nov 2026) is before the first day (Wed 25 Nov 2026)."
    )
    dialog.end_edit.setDate(QDate(2026, 11, 25))  # a one-day period is a period
    assert dialog.ok_button.isEnabled()
    assert dialog.draft().period_end == date(2026, 11, 26)


def test_a_draft_bringing_new_planning_meetings_passes_them_on(
    qtbot: QtBot, services: Services
) -> None:
    given = demo_exercise()
    dialog = _open(qtbot, ExerciseDialog(services, given, title="Import"))

    draft = dialog.draft()

    assert all(p.uid for p in draft.phases)  # every row has a UID, for linked_meetings()
    assert [p.meeting for p in draft.phases] == [p.meeting for p in given.phases]
    assert list(dialog.linked_meetings()) == [p.uid for p in draft.phases]
    created = services.exercises.create(draft)
    assert sum(p.meeting_id is not None for p in created.phases) == 5


# --- editing an exercise ------------------------------------------------------------------------


def test_the_demo_exercise_comes_back_unchanged_when_nothing_is_touched(
    qtbot: QtBot, services: Services, pace: Exercise
) -> None:
    dialog = _edit(qtbot, services, pace)

    assert dialog.windowTitle() == "Edit exercise — PACE 2024-2025"
    assert dialog.ok_button.isEnabled()
    assert dialog.draft() == services.exercises.draft_of(pace.id)
    assert dialog.linked_meetings() == {p.uid: p.meeting_id for p in pace.phases}
    assert sum(m is not None for m in dialog.linked_meetings().values()) == 5
    model = dialog.phases_model
    assert model.index(0, PhaseColumn.START).data() == "Tue 16 Jan 2024"
    assert model.index(0, PhaseColumn.MEETING).data() == "PACE 2024-2025 – concept meeting"
    assert model.index(2, PhaseColumn.PART).data() == "EU part"
    assert model.index(4, PhaseColumn.MEETING).data() == ""


def test_a_phase_outside_the_period_disables_ok_and_says_which(
    qtbot: QtBot, services: Services, pace: Exercise
) -> None:
    dialog = _edit(qtbot, services, pace)

    dialog.end_edit.setDate(QDate(2025, 6, 30))

    assert not dialog.ok_button.isEnabled()
    assert _visible_error(dialog, "phases").splitlines() == [
        f"Phase {n} “{name}” lies outside the programme period (1 Jan 2024 – 30 Jun 2025)."
        for n, name in (
            (6, "NATO crisis management exercise – execution"),
            (7, "Joint lessons identified workshop"),
        )
    ]
    model = dialog.phases_model
    assert model.index(5, PhaseColumn.START).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(4, PhaseColumn.START).data(Qt.ItemDataRole.BackgroundRole) is None
    assert "outside the programme period" in model.index(5, PhaseColumn.START).data(
        Qt.ItemDataRole.ToolTipRole
    )

    # Moving the last phases back into the period clears it.
    dialog.phases_editor.select_row(6)
    dialog.phases_editor.remove_selected()
    _pick_day(qtbot, dialog, 5, PhaseColumn.START, date(2025, 6, 2))
    assert dialog.ok_button.isEnabled()
    assert _visible_error(dialog, "phases") == ""
    moved = dialog.draft().phases[5]
    assert (moved.start, moved.end) == (date(2025, 6, 2), date(2025, 6, 7))  # length kept


def test_a_phase_ending_before_it_starts_or_without_a_name_disables_ok(
    qtbot: QtBot, services: Services, pace: Exercise
) -> None:
    dialog = _edit(qtbot, services, pace)

    _pick_day(qtbot, dialog, 2, PhaseColumn.LAST_DAY, date(2024, 9, 30))
    _type_in_cell(qtbot, dialog, 3, PhaseColumn.NAME, "  ")

    assert not dialog.ok_button.isEnabled()
    assert _visible_error(dialog, "phases").splitlines() == [
        "Phase 3 “Main planning conference (EU part)”: the last day (Mon 30 Sep 2024) is before "
        "the first day (Tue 1 Oct 2024).",
        "Phase 4 needs a name.",
    ]


def test_adding_a_phase_row_and_setting_its_dates_adds_the_phase(
    qtbot: QtBot, services: Services, pace: Exercise
) -> None:
    dialog = _edit(qtbot, services, pace)
    qtbot.mouseClick(dialog.phases_editor.add_button, Qt.MouseButton.LeftButton)
    assert dialog.phases_model.rowCount() == 8
    assert not dialog.ok_button.isEnabled()  # the new phase has no name yet
    assert "Phase 8 needs a name." in _visible_error(dialog, "phases")

    _type_in_cell(qtbot, dialog, 7, PhaseColumn.NAME, "Joint after-action report")
    _choose(qtbot, dialog, 7, PhaseColumn.TYPE, "Lessons identified")
    _choose(qtbot, dialog, 7, PhaseColumn.PART, "NATO part")
    _pick_day(qtbot, dialog, 7, PhaseColumn.START, date(2025, 12, 1))
    _pick_day(qtbot, dialog, 7, PhaseColumn.LAST_DAY, date(2025, 12, 12))
    _type_in_cell(qtbot, dialog, 7, PhaseColumn.LOCATION, "Mons")

    assert dialog.ok_button.isEnabled()
    draft = dialog.draft()
    added = draft.phases[-1]
    assert added.uid is not None
    assert added not in services.exercises.draft_of(pace.id).phases
    assert added == PhaseDraft(
        name="Joint after-action report",
        phase_type=PhaseType.LESSONS,
        part=ExercisePart.NATO,
        start=date(2025, 12, 1),
        end=date(2025, 12, 13),
        location="Mons",
        uid=added.uid,
    )
    assert draft.phases[:-1] == services.exercises.draft_of(pace.id).phases
    assert dialog.linked_meetings()[added.uid] is None

    saved = services.exercises.update(pace.id, draft)
    assert [p.uid for p in saved.phases] == [*(p.uid for p in pace.phases), added.uid]
    assert saved.phases[:-1] == pace.phases


def test_a_planning_meeting_is_chosen_from_the_meetings_of_the_period(
    qtbot: QtBot, services: Services, pace: Exercise
) -> None:
    workshop = services.meetings.create(
        MeetingDraft(
            title="Execution coordination cell",
            start=datetime(2025, 5, 13, 9, 0),
            end=datetime(2025, 5, 13, 12, 0),
        )
    )
    services.meetings.create(
        MeetingDraft(
            title="Long after the programme",
            start=datetime(2026, 3, 3, 9, 0),
            end=datetime(2026, 3, 3, 10, 0),
        )
    )
    dialog = _edit(qtbot, services, pace)

    combo = _choose(qtbot, dialog, 4, PhaseColumn.MEETING, "Execution coordination cell")

    entries = [combo.itemText(i) for i in range(combo.count())]
    assert entries[:2] == [
        "(no planning meeting)",
        "Execution coordination cell · Tue 13 May 2025",  # during the phase: first
    ]
    assert "PACE 2024-2025 – concept meeting · Tue 16 Jan 2024 — planning meeting of phase 1" in (
        entries
    )
    assert not any(e.startswith("Long after the programme") for e in entries)
    assert dialog.phases_model.index(4, PhaseColumn.MEETING).data() == workshop.title
    phase = pace.phases[4]
    assert dialog.linked_meetings()[phase.uid] == workshop.id
    assert dialog.draft() == services.exercises.draft_of(pace.id)  # links are not in the draft

    linked = services.exercises.link_meetings(pace.id, dialog.linked_meetings())
    assert linked.phases[4].meeting_id == workshop.id
    assert [p.meeting_id for p in linked.phases[:4]] == [p.meeting_id for p in pace.phases[:4]]


def test_one_meeting_for_two_phases_disables_ok(
    qtbot: QtBot, services: Services, pace: Exercise
) -> None:
    dialog = _edit(qtbot, services, pace)

    _choose(qtbot, dialog, 4, PhaseColumn.MEETING, "PACE 2024-2025 – concept meeting")

    assert not dialog.ok_button.isEnabled()
    assert _visible_error(dialog, "phases") == (
        "Phase 5 “EU crisis management exercise – execution”: “PACE 2024-2025 – concept "
        "meeting” is the planning meeting of phase 1 already; a meeting belongs to one phase."
    )

    _choose(qtbot, dialog, 0, PhaseColumn.MEETING, "(no planning meeting)")
    assert dialog.ok_button.isEnabled()
    links = dialog.linked_meetings()
    assert (links[pace.phases[0].uid], links[pace.phases[4].uid]) == (
        None,
        pace.phases[0].meeting_id,
    )


def test_moving_and_removing_phases_reaches_the_draft_with_their_uids(
    qtbot: QtBot, services: Services, pace: Exercise
) -> None:
    dialog = _edit(qtbot, services, pace)
    editor = dialog.phases_editor

    editor.select_row(3)
    qtbot.mouseClick(editor.up_button, Qt.MouseButton.LeftButton)
    editor.select_row(6)
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)

    uids = [p.uid for p in pace.phases]
    assert [p.uid for p in dialog.draft().phases] == [*uids[:2], uids[3], uids[2], *uids[4:6]]
    assert list(dialog.linked_meetings()) == [*uids[:2], uids[3], uids[2], *uids[4:6]]
    saved = services.exercises.update(pace.id, dialog.draft())
    assert [p.id for p in saved.phases] == [pace.phases[i].id for i in (0, 1, 3, 2, 4, 5)]
    assert services.meetings.get(pace.phases[6].meeting_id or 0).exercise_phase_id is None


# --- keyboard -----------------------------------------------------------------------------------


def _focused_by(widget: QWidget) -> QWidget:
    while (proxy := widget.focusProxy()) is not None:
        widget = proxy
    return widget


def test_every_field_is_reached_by_tab_and_has_a_mnemonic_of_its_own(
    qtbot: QtBot, services: Services, pace: Exercise
) -> None:
    dialog = _edit(qtbot, services, pace)
    dialog.phases_editor.select_row(1)  # every phase button enabled
    dialog.name_edit.setFocus()
    qtbot.waitUntil(dialog.name_edit.hasFocus)
    reached: list[QWidget] = []
    for _ in range(20):
        widget = QApplication.focusWidget()
        assert widget is not None
        reached.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    editor = dialog.phases_editor
    expected = [
        dialog.name_edit,
        dialog.programme_edit,
        dialog.start_edit,
        dialog.end_edit,
        dialog.marking_combo,
        dialog.release_combo,
        dialog.description_edit,
        dialog.strands_list,
        editor.view,
        editor.add_button,
        editor.remove_button,
        editor.up_button,
        editor.down_button,
    ]
    assert [w for w in expected if w not in reached] == []
    assert sorted(expected, key=reached.index) == expected

    labels = [label for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    fields = {_focused_by(label.buddy()) for label in labels}
    assert fields >= set(expected[:9])
    buttons = [editor.add_button, editor.remove_button, editor.up_button, editor.down_button]
    texts = [label.text() for label in labels] + [b.text() for b in buttons]
    assert all("&" in t for t in texts)
    keys = [t.split("&")[1][0].lower() for t in texts]
    assert len(set(keys)) == len(keys), keys

    qtbot.keyClick(dialog, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(editor.view.hasFocus)
    qtbot.keyClick(dialog, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(dialog.end_edit.hasFocus)
