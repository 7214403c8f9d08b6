"""The series editor, driven as a user would: typing, ticking, clicking, on the real widgets."""

from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QListWidgetItem
from pytestqt.qtbot import QtBot

from liaison_calendar.domain.enums import LeadSide, Mode
from liaison_calendar.domain.models import MeetingDraft, SeriesDraft
from liaison_calendar.errors import ValidationError
from liaison_calendar.services.context import Services
from liaison_calendar.services.demo import demo_series, seed_demo
from liaison_calendar.ui.series_dialog import SeriesDialog

TAKEN = "EU-NATO Staff Talks"


def _open(qtbot: QtBot, dialog: SeriesDialog) -> SeriesDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def _strand(dialog: SeriesDialog, key: str) -> QListWidgetItem:
    for i in range(dialog.strands_list.count()):
        item = dialog.strands_list.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == key:
            return item
    raise AssertionError(f"no strand {key}")


def _choose(combo: QComboBox, text: str) -> None:
    at = combo.findText(text)
    assert at >= 0, text
    combo.setCurrentIndex(at)


def _replace_text(qtbot: QtBot, line: QLineEdit | None, text: str) -> None:
    assert line is not None
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Backspace)
    qtbot.keyClicks(line, text)


def test_a_new_series_dialog_gives_the_draft_that_was_entered(
    qtbot: QtBot, services: Services
) -> None:
    services.catalog.set_setting("default_tz", "Europe/Paris")
    dialog = _open(qtbot, SeriesDialog(services))
    assert dialog.windowTitle() == "New series"
    assert dialog.zone_picker.zone() == "Europe/Paris"  # the default_tz setting
    assert not dialog.iteration_label.isVisible()

    qtbot.keyClicks(dialog.name_edit, "  Structured   Dialogue on Cyber ")
    _choose(dialog.kind_combo, "Structured dialogue")
    _strand(dialog, "political").setCheckState(Qt.CheckState.Checked)
    _strand(dialog, "cyber").setCheckState(Qt.CheckState.Checked)
    qtbot.keyClicks(dialog.partner_edit, "Ukraine")
    qtbot.keyClick(dialog.partner_edit, Qt.Key.Key_Return)  # adds; does not close the dialog
    qtbot.keyClicks(dialog.partner_edit, "Moldova")
    qtbot.mouseClick(dialog.add_partner_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.partner_edit, "ukraine")
    qtbot.keyClick(dialog.partner_edit, Qt.Key.Key_Return)  # already listed: not twice
    qtbot.keyClicks(dialog.location_edit, "EEAS, Brussels")
    _choose(dialog.mode_combo, "Hybrid")
    _choose(dialog.lead_combo, "NATO")
    _replace_text(qtbot, dialog.zone_picker.combo.lineEdit(), "america/new_york")
    qtbot.keyClicks(dialog.description_edit, "Upgraded from the annual staff talks.")

    assert dialog.isVisible()
    assert dialog.ok_button.isEnabled()
    assert dialog.is_valid()
    assert dialog.draft() == SeriesDraft(
        name="Structured Dialogue on Cyber",
        kind="structured-dialogue",
        strands=["cyber", "political"],  # the catalogue's order, as the series keeps them
        partners=["Ukraine", "Moldova"],
        description="Upgraded from the annual staff talks.",
        location="EEAS, Brussels",
        mode=Mode.HYBRID,
        lead_side=LeadSide.NATO,
        tz="America/New_York",
    )
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_ok_is_disabled_while_the_name_is_empty_or_taken_and_the_reason_is_shown(
    qtbot: QtBot, services: Services
) -> None:
    services.series.create(SeriesDraft(name=TAKEN))
    dialog = _open(qtbot, SeriesDialog(services))

    assert not dialog.ok_button.isEnabled()
    assert dialog.error_text("name") == "A series needs a name."
    assert "A series needs a name." in dialog.summary_label.text()
    with pytest.raises(ValidationError, match="needs a name"):
        dialog.draft()

    qtbot.keyClicks(dialog.name_edit, "   ")
    assert not dialog.ok_button.isEnabled()  # blanks are not a name

    qtbot.keyClicks(dialog.name_edit, "eu-nato  staff TALKS")
    assert not dialog.ok_button.isEnabled()
    assert not dialog.is_valid()
    assert dialog.error_text("name") == f"A series called {TAKEN!r} already exists."
    with pytest.raises(ValidationError, match="already exists"):
        dialog.draft()
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible()  # Ctrl+Return does not accept an invalid series

    qtbot.keyClicks(dialog.name_edit, " 2027")
    assert dialog.ok_button.isEnabled()
    assert dialog.error_text("name") == ""
    assert dialog.summary_label.text() == ""
    assert dialog.draft().name == "eu-nato staff TALKS 2027"


def test_an_unknown_time_zone_disables_ok_until_it_is_fixed(
    qtbot: QtBot, services: Services
) -> None:
    dialog = _open(qtbot, SeriesDialog(services, SeriesDraft(name="Talks")))
    assert dialog.ok_button.isEnabled()
    line = dialog.zone_picker.combo.lineEdit()

    _replace_text(qtbot, line, "Europe/Atlantis")

    assert not dialog.ok_button.isEnabled()
    assert "Unknown time zone 'Europe/Atlantis'" in dialog.error_text("zone")
    _replace_text(qtbot, line, "Europe/Vilnius")
    assert dialog.ok_button.isEnabled()
    assert dialog.error_text("zone") == ""
    assert dialog.draft().tz == "Europe/Vilnius"


def test_editing_a_demo_series_untouched_gives_its_draft(qtbot: QtBot, services: Services) -> None:
    seed_demo(services)

    for name in (s.name for s in demo_series()):
        dialog = _open(qtbot, SeriesDialog.for_series(services, name))

        assert dialog.ok_button.isEnabled(), dialog.problems()
        assert dialog.draft() == services.series.draft_of(name)
        dialog.close()


def test_editing_a_series_round_trips_every_field_and_shows_its_last_iteration(
    qtbot: QtBot, services: Services
) -> None:
    draft = SeriesDraft(
        name="Structured Dialogue on Cyber",
        kind="structured-dialogue",
        strands=["hybrid", "cyber"],
        partners=["Moldova", "Ukraine"],
        description="Line one.\nLine two.",
        location="EEAS, Brussels",
        mode=Mode.VIDEO,
        lead_side=LeadSide.EU,
        tz="Asia/Tokyo",
    )
    series = services.series.create(draft)
    for number, day in ((1, 3), (2, 10)):
        services.meetings.create(
            MeetingDraft(
                title=f"Cyber {number}",
                start=datetime(2026, 3, day, 10, 0),
                end=datetime(2026, 3, day, 12, 0),
                series=draft.name,
                iteration=number,
            )
        )

    dialog = _open(qtbot, SeriesDialog.for_series(services, series.id))

    assert dialog.windowTitle() == "Edit series — Structured Dialogue on Cyber"
    assert dialog.editing() is not None
    assert dialog.iteration_label.isVisible()
    assert dialog.iteration_label.text().startswith("The 2nd")
    assert "3rd" in dialog.iteration_label.text()
    assert dialog.draft() == draft == services.series.draft_of(series.id)


def test_a_series_being_edited_may_keep_its_name_but_not_take_another_one(
    qtbot: QtBot, services: Services
) -> None:
    services.series.create(SeriesDraft(name=TAKEN))
    services.series.create(SeriesDraft(name="Cyber talks"))
    dialog = _open(qtbot, SeriesDialog.for_series(services, "Cyber talks"))
    assert dialog.ok_button.isEnabled()  # its own name is not taken
    assert dialog.iteration_label.text().startswith("None yet")

    _replace_text(qtbot, dialog.name_edit, TAKEN.upper())
    assert not dialog.ok_button.isEnabled()
    assert "already exists" in dialog.error_text("name")

    _replace_text(qtbot, dialog.name_edit, "CYBER TALKS")  # a change of case only
    assert dialog.ok_button.isEnabled()
    assert dialog.draft().name == "CYBER TALKS"


def test_partners_are_removed_with_the_button_or_the_delete_key(
    qtbot: QtBot, services: Services
) -> None:
    services.series.create(SeriesDraft(name="Talks", partners=["Georgia", "Moldova", "Ukraine"]))
    dialog = _open(qtbot, SeriesDialog.for_series(services, "Talks"))
    assert not dialog.remove_partner_button.isEnabled()

    dialog.partners_list.setCurrentRow(0)
    qtbot.mouseClick(dialog.remove_partner_button, Qt.MouseButton.LeftButton)
    assert dialog.draft().partners == ["Moldova", "Ukraine"]

    dialog.partners_list.setFocus()
    dialog.partners_list.setCurrentRow(1)
    qtbot.keyClick(dialog.partners_list, Qt.Key.Key_Delete)
    assert dialog.draft().partners == ["Moldova"]


def test_a_partner_typed_in_another_case_takes_the_catalogue_spelling(
    qtbot: QtBot, services: Services
) -> None:
    services.series.create(SeriesDraft(name="Talks", partners=["Republic of Moldova"]))
    dialog = _open(qtbot, SeriesDialog(services))
    qtbot.keyClicks(dialog.name_edit, "Other talks")

    qtbot.keyClicks(dialog.partner_edit, "republic  of moldova")
    dialog.add_partner_button.click()

    assert dialog.draft().partners == ["Republic of Moldova"]
    assert dialog.partner_edit.text() == ""


def test_unticking_a_strand_leaves_it_out(qtbot: QtBot, services: Services) -> None:
    services.series.create(SeriesDraft(name="Talks", strands=["hybrid", "cyber"]))
    dialog = _open(qtbot, SeriesDialog.for_series(services, "Talks"))

    _strand(dialog, "hybrid").setCheckState(Qt.CheckState.Unchecked)

    assert dialog.draft().strands == ["cyber"]
