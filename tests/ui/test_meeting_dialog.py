"""The meeting editor, driven as a user would: typing, clicking, toggling, on the real widgets."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as drafts take them

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from liaison_calendar.domain.enums import (
    ActionStatus,
    LeadSide,
    Mode,
    ReleaseLevel,
    Side,
    Status,
)
from liaison_calendar.domain.models import (
    ActionItemDraft,
    AgendaItemDraft,
    MeetingDraft,
    Moment,
    ParticipantDraft,
    SeriesDraft,
)
from liaison_calendar.domain.timezones import localize
from liaison_calendar.errors import ValidationError
from liaison_calendar.services.context import Services
from liaison_calendar.services.demo import RECURRING_UID, demo_meetings, demo_uid, seed_demo
from liaison_calendar.ui.meeting_dialog import (
    ActionColumn,
    ActionsModel,
    AgendaColumn,
    AgendaModel,
    MeetingDialog,
    ParticipantColumn,
    ParticipantsModel,
    Repeat,
    RowsEditor,
    _qdate,
    _qdatetime,
    draft_from_detail,
)
from liaison_calendar.ui.zones import ZonePicker

BRUSSELS = "Europe/Brussels"
START = datetime(2026, 12, 3, 10, 0)  # a Thursday
END = datetime(2026, 12, 3, 11, 30)


def _open(qtbot: QtBot, dialog: MeetingDialog) -> MeetingDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def _new(
    qtbot: QtBot, services: Services, start: Moment = START, end: Moment | None = END
) -> MeetingDialog:
    return _open(qtbot, MeetingDialog.for_new(services, start, end))


def _type_in_cell(qtbot: QtBot, editor: RowsEditor, row: int, column: int, text: str) -> None:
    """Open the cell's editor as a double-click would, type, press Enter."""
    index = editor.model.index(row, column)
    editor.view.setCurrentIndex(index)
    editor.view.edit(index)  # already open after "Add": then it stays open
    line = editor.view.indexWidget(index)
    assert isinstance(line, QLineEdit)
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Backspace)
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.view.indexWidget(index) is None)  # committed (queued)


def _focused_by(widget: QWidget) -> QWidget:
    """The widget that takes the focus when ``widget`` is given it."""
    while (proxy := widget.focusProxy()) is not None:
        widget = proxy
    return widget


def _visible_error(dialog: MeetingDialog, field: str) -> str:
    label = dialog.findChild(QLabel, f"error_{field}")
    assert label is not None
    return label.text() if label.isVisibleTo(dialog) else ""


# --- typing and choosing --------------------------------------------------------------------


def test_typing_a_title_and_choosing_times_gives_the_expected_draft(
    qtbot: QtBot, services: Services
) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "Cyber staff talks")
    # Moving the start keeps the length: the end follows.
    dialog.start_edit.setDateTime(_qdatetime(datetime(2026, 12, 4, 14, 0)))
    assert dialog.draft().end == datetime(2026, 12, 4, 15, 30)
    dialog.end_edit.setDateTime(_qdatetime(datetime(2026, 12, 4, 17, 0)))

    assert dialog.draft() == MeetingDraft(
        title="Cyber staff talks",
        start=datetime(2026, 12, 4, 14, 0),
        end=datetime(2026, 12, 4, 17, 0),
        tz=BRUSSELS,
    )


def test_a_new_meeting_from_aware_times_is_shown_in_the_default_zone(
    qtbot: QtBot, services: Services
) -> None:
    services.catalog.set_setting("default_tz", "Europe/Kyiv")
    dialog = _new(qtbot, services, datetime(2026, 12, 3, 8, 0, tzinfo=UTC), None)
    qtbot.keyClicks(dialog.title_edit, "Cross-briefing")

    draft = dialog.draft()
    assert (draft.tz, draft.start, draft.end) == (
        "Europe/Kyiv",
        datetime(2026, 12, 3, 10, 0),
        datetime(2026, 12, 3, 11, 0),
    )
    assert dialog.zone_picker.offset_label.text() == "UTC+02:00"


def test_the_other_fields_reach_the_draft(qtbot: QtBot, services: Services) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "Structured dialogue")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("structured-dialogue"))
    for key in ("cyber", "hybrid"):
        item = next(
            dialog.strands_list.item(i)
            for i in range(dialog.strands_list.count())
            if dialog.strands_list.item(i).data(Qt.ItemDataRole.UserRole) == key
        )
        item.setCheckState(Qt.CheckState.Checked)
    qtbot.keyClicks(dialog.partner_edit, "Georgia")
    qtbot.keyClick(dialog.partner_edit, Qt.Key.Key_Return)  # adds it; does not close the dialog
    qtbot.keyClicks(dialog.partner_edit, "Ukraine")
    qtbot.mouseClick(dialog.add_partner_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.location_edit, "EEAS, Brussels")
    dialog.mode_combo.setCurrentIndex(dialog.mode_combo.findData(Mode.HYBRID))
    dialog.lead_combo.setCurrentIndex(dialog.lead_combo.findData(LeadSide.EU))
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData(Status.TENTATIVE))
    dialog.release_combo.setCurrentIndex(dialog.release_combo.findData(ReleaseLevel.RESTRICTED))
    dialog.marking_combo.setCurrentIndex(dialog.marking_combo.findText("EU-NATO STAFF ONLY"))
    qtbot.keyClicks(dialog.description_edit, "Threat picture.")
    qtbot.keyClick(dialog.description_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.description_edit, "Next steps.")
    qtbot.keyClicks(dialog.outcomes_edit, "Agreed.")

    assert dialog.result() == 0  # Enter in the partner field did not accept the dialog
    draft = dialog.draft()
    assert draft.kind == "structured-dialogue"
    assert draft.strands == ["hybrid", "cyber"]  # the catalogue's order
    assert draft.partners == ["Georgia", "Ukraine"]
    assert (draft.location, draft.mode, draft.lead_side) == ("EEAS, Brussels", "hybrid", "eu")
    assert (draft.status, draft.release_level) == (Status.TENTATIVE, ReleaseLevel.RESTRICTED)
    assert draft.marking == "EU-NATO STAFF ONLY"
    assert (draft.description, draft.outcomes) == ("Threat picture.\nNext steps.", "Agreed.")
    assert services.meetings.create(draft).partners == ("Georgia", "Ukraine")


# --- validation -----------------------------------------------------------------------------


def test_ok_is_disabled_while_the_title_is_empty_and_the_label_says_why(
    qtbot: QtBot, services: Services
) -> None:
    dialog = _new(qtbot, services)

    assert not dialog.ok_button.isEnabled()
    assert _visible_error(dialog, "title") == "A meeting needs a title."
    assert "A meeting needs a title." in dialog.summary_label.text()
    assert not dialog.tabs.tabIcon(0).isNull()  # the General tab is marked
    with pytest.raises(ValidationError, match="needs a title"):
        dialog.draft()

    qtbot.keyClicks(dialog.title_edit, "   ")
    assert not dialog.ok_button.isEnabled()  # blanks are not a title

    qtbot.keyClicks(dialog.title_edit, "Staff talks")
    assert dialog.ok_button.isEnabled()
    assert _visible_error(dialog, "title") == ""
    assert dialog.summary_label.text() == ""
    assert dialog.tabs.tabIcon(0).isNull()
    assert dialog.draft().title == "Staff talks"


def test_an_end_before_the_start_disables_ok_with_a_message(
    qtbot: QtBot, services: Services
) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "Talks")
    assert dialog.ok_button.isEnabled()

    dialog.end_edit.setDateTime(_qdatetime(datetime(2026, 12, 3, 9, 0)))

    assert not dialog.ok_button.isEnabled()
    assert _visible_error(dialog, "when").startswith("The meeting must end after it starts")
    dialog.end_edit.setDateTime(_qdatetime(datetime(2026, 12, 3, 10, 0)))  # equal: still wrong
    assert not dialog.ok_button.isEnabled()
    dialog.end_edit.setDateTime(_qdatetime(datetime(2026, 12, 3, 10, 15)))
    assert dialog.ok_button.isEnabled()
    assert _visible_error(dialog, "when") == ""


def test_a_start_in_the_spring_forward_gap_is_refused(qtbot: QtBot, services: Services) -> None:
    dialog = _new(qtbot, services, datetime(2027, 3, 28, 2, 30), datetime(2027, 3, 28, 4, 0))
    qtbot.keyClicks(dialog.title_edit, "Night shift")

    assert not dialog.ok_button.isEnabled()
    assert "does not exist in Europe/Brussels" in _visible_error(dialog, "when")


def test_all_day_toggle_gives_dates_with_an_exclusive_end(qtbot: QtBot, services: Services) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "PACE execution")

    qtbot.mouseClick(dialog.all_day_check, Qt.MouseButton.LeftButton)

    assert dialog.all_day_check.isChecked()
    assert dialog.start_stack.currentWidget() is dialog.start_date_edit
    assert dialog.end_label.text() == "Last &day:"
    draft = dialog.draft()
    assert (draft.start, draft.end) == (date(2026, 12, 3), date(2026, 12, 4))

    dialog.end_date_edit.setDate(_qdate(date(2026, 12, 5)))  # the last day shown
    assert dialog.draft().end == date(2026, 12, 6)  # the day after it
    detail = services.meetings.create(dialog.draft())
    assert (detail.all_day, detail.start, detail.end) == (
        True,
        date(2026, 12, 3),
        date(2026, 12, 6),
    )

    dialog.end_date_edit.setDate(_qdate(date(2026, 12, 2)))
    assert not dialog.ok_button.isEnabled()
    assert "is before the first day" in _visible_error(dialog, "when")

    dialog.end_date_edit.setDate(_qdate(date(2026, 12, 3)))
    qtbot.mouseClick(dialog.all_day_check, Qt.MouseButton.LeftButton)  # back to times
    assert (dialog.draft().start, dialog.draft().end) == (START, END)


def test_the_zone_picker_filters_zones_by_any_part_of_the_name(qtbot: QtBot) -> None:
    picker = ZonePicker(recent=["Europe/Brussels", "america/new_york", "Nowhere/Atlantis"])
    qtbot.addWidget(picker)
    picker.show()
    line = picker.combo.lineEdit()
    assert line is not None

    # Recent zones come first (written as IANA spells them, unknown ones dropped).
    assert [picker.combo.itemText(i) for i in range(2)] == ["Europe/Brussels", "America/New_York"]
    assert picker.combo.itemText(2) == ""  # the separator
    assert picker.zone() == "Europe/Brussels"

    line.clear()
    qtbot.keyClicks(line, "KYI")
    model = picker.completer.completionModel()
    assert [model.index(i, 0).data() for i in range(model.rowCount())] == ["Europe/Kyiv"]
    assert picker.matches("bruss") == ["Europe/Brussels"]
    assert "America/Argentina/Buenos_Aires" in picker.matches("aires")
    assert all("york" in z.lower() for z in picker.matches("YORK"))


def test_the_zone_picker_reports_an_unknown_zone_and_keeps_the_last_valid_one(
    qtbot: QtBot,
) -> None:
    picker = ZonePicker(recent=["Europe/Brussels"])
    qtbot.addWidget(picker)
    picker.show()
    line = picker.combo.lineEdit()
    assert line is not None
    line.selectAll()

    with qtbot.waitSignal(picker.validity_changed) as invalid:
        qtbot.keyClicks(line, "Mars/Olympus")  # typed over the selected "Europe/Brussels"
    assert invalid.args == [False]
    assert not picker.is_valid()
    assert picker.zone() == "Europe/Brussels"  # not accepted
    assert picker.error() == (
        "Unknown time zone 'Mars/Olympus': use an IANA name such as Europe/Brussels."
    )
    assert picker.error_label.isVisibleTo(picker)

    line.clear()
    with qtbot.waitSignal(picker.zone_changed) as changed:
        qtbot.keyClicks(line, "asia/tokyo")
    assert changed.args == ["Asia/Tokyo"]
    assert picker.is_valid()
    assert not picker.error_label.isVisibleTo(picker)
    picker.set_zone("Pacific/Nowhere")
    assert (picker.is_valid(), picker.zone()) == (False, "Asia/Tokyo")


def test_an_unknown_zone_in_the_dialog_disables_ok(qtbot: QtBot, services: Services) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "Talks")
    line = dialog.zone_picker.combo.lineEdit()
    assert line is not None
    line.clear()
    qtbot.keyClicks(line, "Europe/Brusels")

    assert not dialog.ok_button.isEnabled()
    assert [p.field for p in dialog.problems()] == ["zone"]
    assert "Unknown time zone 'Europe/Brusels'" in dialog.zone_picker.error_label.text()

    line.clear()
    qtbot.keyClicks(line, "America/New_York")
    assert dialog.ok_button.isEnabled()
    assert dialog.draft().tz == "America/New_York"


# --- recurrence -----------------------------------------------------------------------------


def test_the_weekly_preset_gives_a_rule_the_service_accepts(
    qtbot: QtBot, services: Services
) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "Weekly sync")
    assert dialog.repeat_combo.itemText(Repeat.WEEKLY) == "Weekly on Thursday"
    assert dialog.repeat_combo.itemText(Repeat.MONTHLY) == "Monthly on the first Thursday"
    assert not dialog.exception_date_edit.isEnabled()

    dialog.repeat_combo.setCurrentIndex(Repeat.WEEKLY)
    assert dialog.rule_edit.text() == "FREQ=WEEKLY;BYDAY=TH"
    assert dialog.rule_edit.isReadOnly()
    dialog.exception_date_edit.setDate(_qdate(date(2026, 12, 24)))
    qtbot.mouseClick(dialog.add_exception_button, Qt.MouseButton.LeftButton)
    assert dialog.exceptions_list.item(0).text() == "Thu 24 Dec 2026"

    detail = services.meetings.create(dialog.draft())

    assert detail.rrule == "FREQ=WEEKLY;BYDAY=TH"
    assert detail.exdates == (localize(datetime(2026, 12, 24, 10, 0), BRUSSELS),)
    starts = [
        o.start
        for o in services.queries.occurrences(
            datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
        )
    ]
    assert [s.date() for s in starts if isinstance(s, datetime)] == [
        date(2026, 12, 3),
        date(2026, 12, 10),
        date(2026, 12, 17),
        date(2026, 12, 31),
    ]


def test_a_preset_follows_the_start_to_another_weekday(qtbot: QtBot, services: Services) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "Monthly")
    dialog.repeat_combo.setCurrentIndex(Repeat.MONTHLY)
    assert dialog.rule_edit.text() == "FREQ=MONTHLY;BYDAY=1TH"

    dialog.start_edit.setDateTime(_qdatetime(datetime(2026, 12, 29, 10, 0)))  # 5th Tuesday

    assert dialog.repeat_combo.currentText() == "Monthly on the last Tuesday"
    assert dialog.draft().rrule == "FREQ=MONTHLY;BYDAY=-1TU"
    assert services.meetings.create(dialog.draft()).rrule == "FREQ=MONTHLY;BYDAY=-1TU"


def test_a_custom_rule_that_does_not_parse_disables_ok(qtbot: QtBot, services: Services) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "Custom")
    dialog.repeat_combo.setCurrentIndex(Repeat.CUSTOM)
    assert not dialog.rule_edit.isReadOnly()
    assert "Write a repeat rule" in _visible_error(dialog, "recurrence")

    qtbot.keyClicks(dialog.rule_edit, "FREQ=FORTNIGHTLY")
    assert not dialog.ok_button.isEnabled()
    assert "is not valid" in _visible_error(dialog, "recurrence")

    dialog.rule_edit.clear()
    qtbot.keyClicks(dialog.rule_edit, "FREQ=WEEKLY;BYDAY=MO")  # the start is a Thursday
    assert not dialog.ok_button.isEnabled()
    assert "its first date is Mon 07 Dec 2026" in _visible_error(dialog, "recurrence")

    dialog.rule_edit.clear()
    qtbot.keyClicks(dialog.rule_edit, "rrule:freq=weekly;byday=th;count=4")
    assert dialog.ok_button.isEnabled()
    assert dialog.draft().rrule == "FREQ=WEEKLY;BYDAY=TH;COUNT=4"


def test_a_skipped_date_the_rule_never_gives_is_only_a_warning(
    qtbot: QtBot, services: Services
) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "Weekly")
    dialog.repeat_combo.setCurrentIndex(Repeat.WEEKLY)
    dialog.exception_date_edit.setDate(_qdate(date(2026, 12, 8)))  # a Tuesday
    qtbot.mouseClick(dialog.add_exception_button, Qt.MouseButton.LeftButton)

    assert dialog.ok_button.isEnabled()
    assert (
        _visible_error(dialog, "exceptions") == "The repeat rule gives no meeting on 08 Dec 2026."
    )

    dialog.exceptions_list.setCurrentRow(0)
    qtbot.mouseClick(dialog.remove_exception_button, Qt.MouseButton.LeftButton)
    assert dialog.exceptions_list.count() == 0
    assert _visible_error(dialog, "exceptions") == ""


# --- participants, agenda, actions ----------------------------------------------------------


def test_participants_and_agenda_rows_end_up_in_the_draft_in_order(
    qtbot: QtBot, services: Services
) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "Staff talks")
    people = dialog.participants_editor
    for name, organisation in (("Claire Dubois", "EEAS"), ("James Whitfield", "NATO IS")):
        qtbot.mouseClick(people.add_button, Qt.MouseButton.LeftButton)
        row = people.model.rowCount() - 1
        _type_in_cell(qtbot, people, row, ParticipantColumn.NAME, name)
        _type_in_cell(qtbot, people, row, ParticipantColumn.ORGANISATION, organisation)
    people.model.setData(people.model.index(1, ParticipantColumn.SIDE), Side.NATO.value)
    _type_in_cell(qtbot, people, 1, ParticipantColumn.EMAIL, "j.whitfield@example.org")
    agenda = dialog.agenda_editor
    for title, minutes in (("Opening", "15"), ("Cyber threats", "45"), ("Next steps", "20")):
        qtbot.mouseClick(agenda.add_button, Qt.MouseButton.LeftButton)
        row = agenda.model.rowCount() - 1
        _type_in_cell(qtbot, agenda, row, AgendaColumn.TITLE, title)
        _type_in_cell(qtbot, agenda, row, AgendaColumn.MINUTES, minutes)

    draft = dialog.draft()

    assert draft.participants == [
        ParticipantDraft(name="Claire Dubois", organisation="EEAS"),
        ParticipantDraft(
            name="James Whitfield",
            organisation="NATO IS",
            side=Side.NATO,
            email="j.whitfield@example.org",
        ),
    ]
    assert [(a.title, a.duration_min) for a in draft.agenda] == [
        ("Opening", 15),
        ("Cyber threats", 45),
        ("Next steps", 20),
    ]
    assert agenda.model.index(2, AgendaColumn.STARTS).data() == "11:00"
    assert dialog.agenda_total_label.text() == (
        "3 items, 1 h 20 min in all: 10:00–11:20; the meeting ends 11:30."
    )


def test_moving_an_agenda_item_up_changes_the_order_and_the_clock(
    qtbot: QtBot, services: Services
) -> None:
    dialog = _new(qtbot, services)
    dialog.agenda_model.set_rows(
        [["Opening", "", "15", "", "", ""], ["Briefing", "", "30", "", "", ""]]
        + [["Wrap-up", "", "10", "", "", ""]]
    )
    agenda = dialog.agenda_editor
    agenda.select_row(2)
    assert not agenda.down_button.isEnabled()

    qtbot.mouseClick(agenda.up_button, Qt.MouseButton.LeftButton)

    assert [a.title for a in dialog.agenda_model.drafts()] == ["Opening", "Wrap-up", "Briefing"]
    assert agenda.selected_rows() == [1]  # the selection follows the item
    assert agenda.model.index(1, AgendaColumn.STARTS).data() == "10:15"
    assert agenda.model.index(2, AgendaColumn.STARTS).data() == "10:25"
    qtbot.mouseClick(agenda.up_button, Qt.MouseButton.LeftButton)
    assert [a.title for a in dialog.agenda_model.drafts()][0] == "Wrap-up"
    assert not agenda.up_button.isEnabled()


def test_an_agenda_item_dragged_onto_another_row_moves_there(
    qtbot: QtBot, services: Services
) -> None:
    dialog = _new(qtbot, services)
    model = dialog.agenda_model
    model.set_rows([[t, "", "10", "", "", ""] for t in ("A", "B", "C", "D")])

    dragged = model.mimeData([model.index(3, 0), model.index(3, 1)])
    model.dropMimeData(dragged, Qt.DropAction.MoveAction, 1, 0, QModelIndex())  # between A and B
    assert [a.title for a in model.drafts()] == ["A", "D", "B", "C"]

    dragged = model.mimeData([model.index(0, 0)])
    model.dropMimeData(dragged, Qt.DropAction.MoveAction, -1, -1, QModelIndex())  # below the last
    assert [a.title for a in model.drafts()] == ["D", "B", "C", "A"]

    dragged = model.mimeData([model.index(3, 0)])
    model.dropMimeData(dragged, Qt.DropAction.MoveAction, -1, -1, model.index(1, 0))  # onto B
    assert [a.title for a in model.drafts()] == ["D", "A", "B", "C"]


def test_the_table_models_pass_the_qt_model_tester(qtmodeltester: object) -> None:
    agenda, people, actions = AgendaModel(), ParticipantsModel(), ActionsModel()
    agenda.set_rows([["Opening", "", "15", "", "", "notes"], ["Lunch", "", "x", "", "", ""]])
    agenda.set_start(localize(START, BRUSSELS))
    people.set_rows([["Claire", "EEAS", "eu", "", ""], ["", "", "other", "", "bad"]])
    actions.set_rows([["Report", "EEAS", "2026-12-31", "open"]], tags=[7])
    for model in (agenda, people, actions):
        qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]
    assert agenda.index(0, AgendaColumn.ENDS).data() == "10:15"
    assert agenda.index(1, AgendaColumn.STARTS).data() == "—"  # no valid duration before it


def test_a_participant_without_a_name_disables_ok(qtbot: QtBot, services: Services) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "Talks")
    people = dialog.participants_editor
    qtbot.mouseClick(people.add_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()

    assert not dialog.ok_button.isEnabled()
    assert people.error_label.text() == "Participant 1 needs a name."
    assert not dialog.tabs.tabIcon(1).isNull()
    index = people.model.index(0, ParticipantColumn.NAME)
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "Participant 1 needs a name."

    _type_in_cell(qtbot, people, 0, ParticipantColumn.EMAIL, "not an address")
    assert "is not an e-mail address" in people.error_label.text()
    _type_in_cell(qtbot, people, 0, ParticipantColumn.EMAIL, "")
    _type_in_cell(qtbot, people, 0, ParticipantColumn.NAME, "Eva Horvath")
    assert dialog.ok_button.isEnabled()
    assert not people.error_label.isVisibleTo(dialog)
    qtbot.mouseClick(people.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.draft().participants == []


def test_an_agenda_duration_out_of_range_disables_ok(qtbot: QtBot, services: Services) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "Talks")
    agenda = dialog.agenda_editor
    qtbot.mouseClick(agenda.add_button, Qt.MouseButton.LeftButton)
    _type_in_cell(qtbot, agenda, 0, AgendaColumn.TITLE, "Opening")
    assert dialog.ok_button.isEnabled()  # 30 minutes by default

    for bad in ("1441", "-5", "half an hour"):
        _type_in_cell(qtbot, agenda, 0, AgendaColumn.MINUTES, bad)
        assert not dialog.ok_button.isEnabled()
        assert "must be a whole number of minutes from 0 to 1440" in agenda.error_label.text()
        assert agenda.model.index(0, AgendaColumn.STARTS).data() == "—"

    _type_in_cell(qtbot, agenda, 0, AgendaColumn.MINUTES, "1440")
    assert dialog.ok_button.isEnabled()


def test_an_agenda_running_past_the_end_is_flagged_not_forbidden(
    qtbot: QtBot, services: Services
) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "Talks")
    dialog.agenda_model.set_rows([["Everything", "", "120", "", "", ""]])

    assert dialog.ok_button.isEnabled()
    assert [w.message for w in dialog.warnings()] == [
        "The agenda runs 30 min past the end of the meeting."
    ]
    assert dialog.agenda_total_label.text().endswith(
        "The agenda runs 30 min past the end of the meeting."
    )


def test_action_items_with_a_bad_due_date_disable_ok(qtbot: QtBot, services: Services) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "Talks")
    actions = dialog.actions_editor
    qtbot.mouseClick(actions.add_button, Qt.MouseButton.LeftButton)
    assert actions.error_label.text() == "Action item 1 needs a text."
    _type_in_cell(qtbot, actions, 0, ActionColumn.TEXT, "Circulate the summary")
    _type_in_cell(qtbot, actions, 0, ActionColumn.DUE, "31/12/2026")
    assert not dialog.ok_button.isEnabled()
    assert "write it as YYYY-MM-DD" in actions.error_label.text()

    _type_in_cell(qtbot, actions, 0, ActionColumn.DUE, "2026-12-31")
    actions.model.setData(actions.model.index(0, ActionColumn.STATUS), "done")
    assert dialog.draft().actions == [
        ActionItemDraft(
            text="Circulate the summary", due=date(2026, 12, 31), status=ActionStatus.DONE
        )
    ]


# --- series ---------------------------------------------------------------------------------

SERIES = "Structured Dialogue on Cyber"


@pytest.fixture
def series_services(services: Services) -> Services:
    services.series.create(SeriesDraft(name=SERIES, kind="structured-dialogue", strands=["cyber"]))
    services.meetings.create(
        MeetingDraft(
            title=f"{SERIES} – 1st iteration",
            kind="structured-dialogue",
            series=SERIES,
            iteration=1,
            start=datetime(2026, 3, 10, 9, 30),  # a Tuesday
            end=datetime(2026, 3, 10, 12, 30),
            strands=["cyber"],
            partners=["Ukraine"],
            location="EEAS, Brussels",
            mode=Mode.HYBRID,
            marking="EU-NATO STAFF ONLY",
            participants=[ParticipantDraft(name="Eva Horvath", organisation="EEAS", side=Side.EU)],
            agenda=[AgendaItemDraft(title="Threats", lead="Eva Horvath", duration_min=60)],
            actions=[
                ActionItemDraft(text="Exchange contacts", owner="EEAS", status=ActionStatus.DONE),
                ActionItemDraft(text="Map exercises", owner="NATO IS", due=date(2026, 6, 30)),
            ],
        )
    )
    return services


def test_the_next_iteration_is_prefilled_with_open_actions_carried(
    qtbot: QtBot, series_services: Services
) -> None:
    services = series_services
    previous = services.meetings.get(services.queries.search("Structured Dialogue")[0].id)
    dialog = _open(qtbot, MeetingDialog.for_next_iteration(services, previous))

    draft = dialog.draft()
    assert dialog.windowTitle() == f"Next iteration — {SERIES}"
    assert (draft.series, draft.iteration) == (SERIES, 2)
    assert draft.title == f"{SERIES} – 2nd iteration"
    # The previous one's weekday and time, in the first week after today (Wed 25 Nov 2026).
    assert (draft.start, draft.end) == (datetime(2026, 12, 1, 9, 30), datetime(2026, 12, 1, 12, 30))
    assert (draft.kind, draft.strands, draft.partners) == (
        "structured-dialogue",
        ["cyber"],
        ["Ukraine"],
    )
    assert (draft.location, draft.mode, draft.marking) == (
        "EEAS, Brussels",
        Mode.HYBRID,
        "EU-NATO STAFF ONLY",
    )
    assert [p.name for p in draft.participants] == ["Eva Horvath"]
    assert [a.title for a in draft.agenda] == ["Threats"]
    assert draft.actions == [
        ActionItemDraft(text="Map exercises", owner="NATO IS", due=date(2026, 6, 30))
    ]
    open_item = next(a for a in previous.actions if a.text == "Map exercises")
    assert dialog.carried_action_ids() == [open_item.id]
    assert dialog.actions_model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == (
        "Carried over from the previous iteration"
    )

    created = services.meetings.create(draft)
    assert (created.series, created.iteration) == (SERIES, 2)

    dialog.actions_editor.select_row(0)
    qtbot.mouseClick(dialog.actions_editor.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.carried_action_ids() == []


def test_a_meeting_outside_a_series_has_no_next_iteration(services: Services) -> None:
    detail = services.meetings.create(MeetingDraft(title="One-off", start=START, end=END))
    with pytest.raises(ValidationError, match="not a meeting of a series"):
        MeetingDialog.for_next_iteration(services, detail)


def test_the_iteration_needs_a_series_and_a_free_number(
    qtbot: QtBot, series_services: Services
) -> None:
    orphan = MeetingDraft(title="Orphan", start=START, end=END, iteration=3)
    dialog = _open(qtbot, MeetingDialog(series_services, orphan))
    assert dialog.iteration_spin.isEnabled()
    assert _visible_error(dialog, "series").startswith("An iteration number needs a series")
    assert not dialog.ok_button.isEnabled()

    dialog.series_combo.setCurrentIndex(dialog.series_combo.findData(SERIES))
    assert dialog.ok_button.isEnabled()
    dialog.iteration_spin.setValue(1)
    assert _visible_error(dialog, "series").startswith(
        f"The 1st iteration of {SERIES} already exists"
    )
    assert not dialog.ok_button.isEnabled()

    dialog.series_combo.setCurrentIndex(0)  # (none)
    assert not dialog.iteration_spin.isEnabled()
    assert dialog.ok_button.isEnabled()
    assert dialog.draft().iteration is None


def test_choosing_a_series_proposes_its_next_iteration(
    qtbot: QtBot, series_services: Services
) -> None:
    dialog = _new(qtbot, series_services)
    qtbot.keyClicks(dialog.title_edit, "Cyber")
    assert not dialog.iteration_spin.isEnabled()

    dialog.series_combo.setCurrentIndex(dialog.series_combo.findData(SERIES))

    assert dialog.iteration_spin.isEnabled()
    assert (dialog.draft().series, dialog.draft().iteration) == (SERIES, 2)
    assert series_services.meetings.create(dialog.draft()).iteration == 2


# --- round trips ----------------------------------------------------------------------------


def _rich_draft() -> MeetingDraft:
    """Every field set, already as the services write it (so that it reads back equal)."""
    return MeetingDraft(
        title="Operational cooperation talks – 7th iteration",
        kind="operational-talks",
        start=datetime(2026, 3, 10, 9, 30),
        end=datetime(2026, 3, 10, 13, 0),
        tz=BRUSSELS,
        # Read back by key; the catalogue lists hybrid first: the dialog keeps the meeting's order.
        strands=["capacity-building", "hybrid"],
        partners=["Georgia", "Ukraine"],
        series=SERIES,
        iteration=7,
        location="NATO Headquarters, Brussels",
        mode=Mode.HYBRID,
        lead_side=LeadSide.NATO,
        status=Status.TENTATIVE,
        marking="EU-NATO STAFF ONLY – LIMITED DISTRIBUTION",
        release_level=ReleaseLevel.RESTRICTED,
        description="Scope:\n- maritime\n- crisis response",
        outcomes="Points of contact exchanged.",
        rrule="FREQ=MONTHLY;BYDAY=2TU;COUNT=6",
        exdates=[datetime(2026, 4, 14, 9, 30)],
        rdates=[datetime(2026, 9, 15, 14, 0)],
        proposals=[3, 17],
        uid="rich-round-trip@liaison-calendar",
        participants=[
            ParticipantDraft(
                name="Claire Dubois",
                organisation="EEAS",
                side=Side.EU,
                role="Head of division",
                email="claire.dubois@example.eu",
            ),
            ParticipantDraft(
                name="Olena Kravets", organisation="Mission of Ukraine", side="partner"
            ),
        ],
        agenda=[
            AgendaItemDraft(title="Opening", lead="co-chairs", duration_min=15, notes="Short."),
            AgendaItemDraft(title="Maritime", lead="Ingrid Solberg", duration_min=90),
        ],
        actions=[
            ActionItemDraft(text="Summary", owner="EEAS", due=date(2026, 3, 31)),
            ActionItemDraft(text="Old item", owner="NATO IS", status=ActionStatus.DROPPED),
        ],
    )


def test_draft_from_detail_round_trips_every_field(qtbot: QtBot, services: Services) -> None:
    services.series.create(SeriesDraft(name=SERIES))
    draft = _rich_draft()
    detail = services.meetings.create(draft)

    assert draft_from_detail(detail) == draft
    assert draft_from_detail(services.meetings.get(detail.id)) == draft
    # The dialog shows all of it and, untouched, gives it back unchanged.
    dialog = _open(qtbot, MeetingDialog.for_meeting(services, detail))
    assert dialog.repeat_combo.currentData() == Repeat.CUSTOM  # COUNT is no preset
    assert dialog.extra_dates_label.text() == "Also on: Tue 15 Sep 2026 14:00"
    assert dialog.problems() == []
    assert dialog.draft() == draft


def test_draft_from_detail_round_trips_rich_demo_meetings(qtbot: QtBot, services: Services) -> None:
    seed_demo(services)
    demo = {d.uid: d for d in demo_meetings()}
    uid = demo_uid("cb-staff-talks-2024")  # partners, participants, agenda, actions, outcomes
    detail = services.meetings.get(uid)
    expected = demo[uid].model_copy(update={"partners": sorted(demo[uid].partners)})

    assert draft_from_detail(detail) == expected
    dialog = _open(qtbot, MeetingDialog.for_meeting(services, detail))
    assert dialog.windowTitle() == f"Edit meeting — {detail.title}"
    assert dialog.agenda_model.rowCount() == 11
    assert dialog.draft() == expected

    # The monthly one has a skipped occurrence (an EXDATE) and a moved one.
    recurring = services.meetings.get(RECURRING_UID)
    again = _open(qtbot, MeetingDialog.for_meeting(services, recurring))
    assert again.exceptions_list.item(0).text() == "Thu 19 Dec 2024"
    assert again.draft() == draft_from_detail(recurring)
    assert again.draft().exdates == [datetime(2024, 12, 19, 10, 0)]


# --- keyboard -------------------------------------------------------------------------------


def test_every_general_field_is_reached_by_tab_and_labelled_with_a_mnemonic(
    qtbot: QtBot, services: Services
) -> None:
    dialog = _new(qtbot, services)
    dialog.repeat_combo.setCurrentIndex(Repeat.WEEKLY)
    dialog.title_edit.setFocus()
    qtbot.waitUntil(dialog.title_edit.hasFocus)
    reached: list[QWidget] = []
    for _ in range(40):
        widget = QApplication.focusWidget()
        assert widget is not None
        reached.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    expected = [
        dialog.title_edit,
        dialog.kind_combo,
        dialog.series_combo,
        dialog.start_edit,
        dialog.all_day_check,
        dialog.end_edit,
        dialog.zone_picker.combo,
        dialog.repeat_combo,
        dialog.rule_edit,
        dialog.exception_date_edit,
        dialog.add_exception_button,
        dialog.location_edit,
        dialog.mode_combo,
        dialog.lead_combo,
        dialog.strands_list,
        dialog.partner_edit,
        dialog.status_combo,
        dialog.marking_combo,
        dialog.release_combo,
    ]
    missing = [w.objectName() or type(w).__name__ for w in expected if w not in reached]
    assert missing == []
    # In the order they are shown.
    assert sorted(expected, key=reached.index) == expected
    general = dialog.tabs.widget(0)
    assert general is not None
    buddies = {label: label.buddy() for label in general.findChildren(QLabel)}
    labels = [label for label, buddy in buddies.items() if buddy is not None]
    fields = {_focused_by(buddy) for buddy in buddies.values() if buddy is not None}
    assert fields >= {
        dialog.title_edit,
        dialog.kind_combo,
        dialog.series_combo,
        dialog.start_edit,
        dialog.end_edit,
        dialog.zone_picker.combo,
        dialog.repeat_combo,
        dialog.exception_date_edit,
        dialog.location_edit,
        dialog.mode_combo,
        dialog.lead_combo,
        dialog.strands_list,
        dialog.partner_edit,
        dialog.status_combo,
        dialog.marking_combo,
        dialog.release_combo,
    }
    assert all("&" in label.text() for label in labels)
    assert len({label.text().split("&")[1][0].lower() for label in labels}) == len(labels)


def test_a_mnemonic_moves_the_focus_to_its_field(qtbot: QtBot, services: Services) -> None:
    dialog = _new(qtbot, services)
    dialog.title_edit.setFocus()
    qtbot.keyClick(dialog, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(dialog.location_edit.hasFocus)
    qtbot.keyClick(dialog, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # the Agenda tab
    qtbot.waitUntil(lambda: dialog.tabs.currentIndex() == 2)


def test_ctrl_return_accepts_only_a_valid_meeting(qtbot: QtBot, services: Services) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClick(dialog.title_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible()  # nothing to accept yet

    qtbot.keyClicks(dialog.title_edit, "Talks")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.title_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.draft().title == "Talks"


def test_escape_cancels(qtbot: QtBot, services: Services) -> None:
    dialog = _new(qtbot, services)
    qtbot.keyClicks(dialog.title_edit, "Talks")
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog.title_edit, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_the_dialog_saves_nothing(qtbot: QtBot, series_services: Services) -> None:
    services = series_services
    before = services.queries.occurrences()
    previous = services.meetings.get(services.queries.search("Structured Dialogue")[0].id)
    dialog = _open(qtbot, MeetingDialog.for_next_iteration(services, previous))
    qtbot.keyClicks(dialog.title_edit, " (draft)")
    dialog.accept()

    assert services.queries.occurrences() == before
    assert [a.status for a in services.meetings.get(previous.id).actions] == [
        ActionStatus.DONE,
        ActionStatus.OPEN,
    ]
    assert dialog.draft().start == datetime(2026, 12, 1, 9, 30)
