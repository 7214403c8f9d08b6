"""Settings → Sync → Calendars…: which remote calendar of an account takes which meetings,
against a real Radicale. Routes are made, changed and stopped through the dialogs (their modal
``exec`` stubbed the way tests/ui do), and a real sync shows where the meetings landed.

``LIAISON_UI_PICTURES=/tmp/liaison-sync-ui`` saves the pictures of the dialogs to look at.
"""

import os
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from liaison_calendar.domain.models import MeetingDraft
from liaison_calendar.services.context import Services
from liaison_calendar.sync.remote import resource_name
from liaison_calendar.ui.settings_dialog import SettingsDialog
from liaison_calendar.ui.sync_settings import (
    CalendarsDialog,
    RouteDialog,
    SyncSettingsPage,
    calendar_address,
)
from tests.sync.servers import Radicale, basic_auth, http_request

BRUSSELS = ZoneInfo("Europe/Brussels")
PICTURES = os.environ.get("LIAISON_UI_PICTURES", "")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Radicale]:
    with Radicale(tmp_path / "radicale") as started:
        yield started


@pytest.fixture
def account(services: Services, server: Radicale, monkeypatch: pytest.MonkeyPatch) -> str:
    """The account "work" on the server's calendar "team" (its main calendar)."""
    monkeypatch.setenv("LIAISON_SYNC_PASSWORD", server.password)  # there is no keyring here
    services.sync.add_account("work", server.url, server.user, server.password)
    return "work"


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: said.append(text))
    return said


def draft(title: str, hour: int, strands: list[str]) -> MeetingDraft:
    return MeetingDraft(
        title=title,
        kind="staff-talks",
        start=datetime(2026, 11, 26, hour, tzinfo=BRUSSELS),
        end=datetime(2026, 11, 26, hour + 1, tzinfo=BRUSSELS),
        tz="Europe/Brussels",
        strands=strands,
    )


def resources(server: Radicale, url: str) -> set[str]:
    """The names of the resources in a remote calendar (PROPFIND, depth 1)."""
    answer = http_request(
        url,
        "PROPFIND",
        b"",
        {
            "Authorization": basic_auth(server.user, server.password),
            "Depth": "1",
            "Content-Type": "application/xml",
        },
    )
    assert answer.status == 207, answer.status
    return {unquote(n) for n in re.findall(r"/([^/<]+\.ics)<", answer.body.decode())}


def save(widget: QWidget, name: str) -> None:
    picture = widget.grab()
    assert not picture.isNull()
    if PICTURES:
        Path(PICTURES).mkdir(parents=True, exist_ok=True)
        assert picture.save(str(Path(PICTURES) / name))


def tick(qtbot: QtBot, widget: QListWidget, name: str) -> None:
    """Tick (or untick) the entry ``name`` from the keyboard: arrows to it, then Space."""
    widget.setFocus()
    rows = [widget.item(r).text() for r in range(widget.count())]
    qtbot.keyClick(widget, Qt.Key.Key_Home)
    for _ in range(rows.index(name)):
        qtbot.keyClick(widget, Qt.Key.Key_Down)
    assert widget.currentItem().text() == name
    qtbot.keyClick(widget, Qt.Key.Key_Space)


def ticked(widget: QListWidget) -> list[str]:
    return [
        widget.item(r).text()
        for r in range(widget.count())
        if widget.item(r).checkState() == Qt.CheckState.Checked
    ]


def rows(dialog: CalendarsDialog) -> list[tuple[str, str]]:
    out = []
    for r in range(dialog.list.topLevelItemCount()):
        item = dialog.list.topLevelItem(r)
        assert item is not None
        out.append((item.text(0), item.text(1)))
    return out


def choose(dialog: CalendarsDialog, text: str) -> None:
    for r in range(dialog.list.topLevelItemCount()):
        item = dialog.list.topLevelItem(r)
        if item is not None and item.text(0) == text:
            dialog.list.setCurrentItem(item)
            return
    raise AssertionError(f"no calendar {text!r} in {rows(dialog)}")


def run_calendars(
    monkeypatch: pytest.MonkeyPatch,
    page: SyncSettingsPage,
    steps: Callable[[CalendarsDialog], None],
) -> None:
    """Settings → Sync → Calendars…, with ``steps`` done in the dialog before Close."""
    done: list[bool] = []

    def exec_(dialog: CalendarsDialog) -> int:
        steps(dialog)
        dialog.close_box.button(QDialogButtonBox.StandardButton.Close).click()
        done.append(True)
        return int(dialog.result())

    monkeypatch.setattr(CalendarsDialog, "exec", exec_)
    page.calendars_button.click()
    assert done == [True]


def route_with(
    monkeypatch: pytest.MonkeyPatch, steps: Callable[[RouteDialog], None], name: str = ""
) -> list[int]:
    """Answer the next Add/Edit calendar dialogs with ``steps`` then the OK button."""
    results: list[int] = []

    def exec_(dialog: RouteDialog) -> int:
        steps(dialog)
        if name:
            save(dialog, name)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        if dialog.result() != QDialog.DialogCode.Accepted:
            dialog.reject()
        results.append(int(dialog.result()))
        return results[-1]

    monkeypatch.setattr(RouteDialog, "exec", exec_)
    return results


def mnemonics(dialog: QWidget) -> list[str]:
    texts = [b.text() for b in dialog.findChildren(QAbstractButton)]
    texts += [label.text() for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    return [m.group(1).lower() for t in texts if (m := re.search(r"&([^&])", t))]


# --- the tests ------------------------------------------------------------------------------------


def test_a_strand_goes_to_a_calendar_of_its_own_and_comes_back(
    qtbot: QtBot,
    services: Services,
    server: Radicale,
    account: str,
    monkeypatch: pytest.MonkeyPatch,
    warnings: list[str],
) -> None:
    cyber_url = server.make_calendar("cyber")
    main_url = services.sync.account(account).calendars[0].url
    cyber_talks = services.meetings.create(draft("Cyber talks", 10, ["cyber"]))
    mobility = services.meetings.create(draft("Mobility talks", 14, ["capabilities"]))

    settings = SettingsDialog(services, page="sync")
    qtbot.addWidget(settings)
    page = settings.sync_page
    assert page.calendars_button.isEnabled()  # the account is chosen

    def add_cyber(route: RouteDialog) -> None:
        assert route.windowTitle() == "Add a calendar"
        route.address_edit.setFocus()
        qtbot.keyClicks(route.address_edit, "cyber")  # a name: beside the main calendar
        assert route.resolved.text() == f"→ {cyber_url}"
        tick(qtbot, route.strands_list, "Cyber security and defence")
        assert ticked(route.strands_list) == ["Cyber security and defence"]
        assert ticked(route.kinds_list) == []

    def steps(dialog: CalendarsDialog) -> None:
        assert rows(dialog) == [("team (/alice/team/)", "everything else (main calendar)")]
        assert not dialog.edit_button.isEnabled()  # the main calendar takes no route
        assert not dialog.stop_button.isEnabled()
        added = route_with(monkeypatch, add_cyber, "route-add.png")
        dialog.add_button.click()
        assert added == [QDialog.DialogCode.Accepted]
        assert rows(dialog) == [
            ("team (/alice/team/)", "everything else (main calendar)"),
            ("/alice/cyber/", "Strands: Cyber security and defence"),
        ]
        assert dialog.selected_url() == cyber_url
        assert dialog.edit_button.isEnabled()
        assert dialog.status.text().startswith("/alice/cyber/ is saved.")
        assert "sync error" in dialog.note.text()  # the server is not asked now
        dialog.resize(700, 320)
        save(dialog, "calendars.png")

    run_calendars(monkeypatch, page, steps)
    assert warnings == []
    assert page.changed  # the window syncs after Settings
    item = page.table.topLevelItem(0)
    assert item is not None
    assert item.text(3) == "team (+1 routed)"
    settings.resize(760, 440)
    save(settings, "settings-sync-calendars.png")
    [main, cyber] = services.sync.account(account).calendars
    assert (main.url, main.default) == (main_url, True)
    assert (cyber.url, cyber.strands, cyber.kinds) == (cyber_url, ("cyber",), ())

    [run] = services.sync.run()
    assert not run.error, run.error
    assert resources(server, cyber_url) == {resource_name(cyber_talks.uid)}
    assert resources(server, main_url) == {resource_name(mobility.uid)}

    # Edit… what it takes: the cyber strand still ticked, and a kind besides.
    def edit(route: RouteDialog) -> None:
        assert route.windowTitle() == "Edit a calendar"
        assert route.address_edit.isReadOnly()
        assert ticked(route.strands_list) == ["Cyber security and defence"]
        tick(qtbot, route.kinds_list, "Cross-briefing")

    def edit_steps(dialog: CalendarsDialog) -> None:
        choose(dialog, "/alice/cyber/")
        route_with(monkeypatch, edit, "route-edit.png")
        dialog.edit_button.click()
        assert rows(dialog)[1] == (
            "/alice/cyber/",
            "Strands: Cyber security and defence; Kinds: Cross-briefing",
        )

    run_calendars(monkeypatch, page, edit_steps)
    cyber = services.sync.account(account).calendars[1]
    assert (cyber.strands, cyber.kinds) == (("cyber",), ("cross-briefing",))

    # Stop using: asked first (No by default); it stays listed until its meetings left it.
    questions: list[tuple[str, Any]] = []

    def question(_parent: object, _title: str, text: str, _buttons: Any, default: Any) -> Any:
        questions.append((text, default))
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)

    def stop_steps(dialog: CalendarsDialog) -> None:
        choose(dialog, "/alice/cyber/")
        dialog.stop_button.click()
        assert rows(dialog)[1] == ("/alice/cyber/", "nothing any more")
        assert "Stop using it again after that sync" in dialog.status.text()
        dialog.resize(700, 320)
        save(dialog, "calendars-stopped.png")

    run_calendars(monkeypatch, page, stop_steps)
    [(text, default)] = questions
    assert "deleted there (not here)" in text
    assert default == QMessageBox.StandardButton.No
    [main, cyber] = services.sync.account(account).calendars
    assert (cyber.strands, cyber.kinds) == ((), ())
    item = page.table.topLevelItem(0)
    assert item is not None
    assert item.text(3) == "team"  # a calendar that takes nothing is not counted as routed

    [run] = services.sync.run()
    assert not run.error, run.error
    assert resources(server, cyber_url) == set()  # deleted there ...
    assert resources(server, main_url) == {  # ... and in the main calendar now
        resource_name(cyber_talks.uid),
        resource_name(mobility.uid),
    }
    assert services.meetings.get(cyber_talks.uid).title == "Cyber talks"  # ... kept here

    def stop_again(dialog: CalendarsDialog) -> None:
        choose(dialog, "/alice/cyber/")
        dialog.stop_button.click()
        assert rows(dialog) == [("team (/alice/team/)", "everything else (main calendar)")]
        assert dialog.status.text() == "/alice/cyber/ is no longer used."

    run_calendars(monkeypatch, page, stop_again)
    assert [c.url for c in services.sync.account(account).calendars] == [main_url]
    assert warnings == []


def test_mistakes_are_said_in_one_message_and_the_dialog_stays(
    qtbot: QtBot,
    services: Services,
    server: Radicale,
    account: str,
    monkeypatch: pytest.MonkeyPatch,
    warnings: list[str],
) -> None:
    page = SyncSettingsPage(services)
    qtbot.addWidget(page)
    typed = iter(["", "cyber", "team", "/alice/cyber"])
    attempts: list[str] = []

    def fill(route: RouteDialog) -> None:
        route.address_edit.setText(next(typed))
        attempts.append(route.address_edit.text())
        if len(attempts) > 2:
            tick(qtbot, route.kinds_list, "Staff talks")

    def steps(dialog: CalendarsDialog) -> None:
        results = route_with(monkeypatch, fill)
        for _ in range(3):
            dialog.add_button.click()
        assert results == [0, 0, 0]
        assert len(warnings) == 3
        assert warnings[0].startswith("Give the calendar")
        assert warnings[1].startswith("Tick at least one")
        assert warnings[2] == (
            "That is the account's main calendar, which takes everything no route takes."
        )
        assert not dialog.changed
        dialog.add_button.click()  # a path without its final "/": the same calendar
        assert results[-1] == QDialog.DialogCode.Accepted
        assert dialog.changed

        def again(route: RouteDialog) -> None:
            route.address_edit.setText("/alice/cyber/")
            tick(qtbot, route.strands_list, "Political dialogue")

        route_with(monkeypatch, again)
        dialog.add_button.click()
        assert "in the list already" in warnings[-1]

    run_calendars(monkeypatch, page, steps)
    [_, cyber] = services.sync.account(account).calendars
    assert cyber.url == calendar_address("cyber", services.sync.account(account))
    assert cyber.url.endswith("/alice/cyber/")
    assert (cyber.strands, cyber.kinds) == ((), ("staff-talks",))
    assert len(warnings) == 4


def test_a_calendar_the_server_lacks_shows_at_the_next_sync(
    qtbot: QtBot,
    services: Services,
    server: Radicale,
    account: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services.meetings.create(draft("Cyber talks", 10, ["cyber"]))
    page = SyncSettingsPage(services)
    qtbot.addWidget(page)

    def fill(route: RouteDialog) -> None:
        route.address_edit.setText("nowhere")
        tick(qtbot, route.strands_list, "Cyber security and defence")

    def steps(dialog: CalendarsDialog) -> None:
        route_with(monkeypatch, fill)
        dialog.add_button.click()  # not asked now

    run_calendars(monkeypatch, page, steps)
    [run] = services.sync.run()
    assert "404" in run.error
    assert "/alice/nowhere/" in run.error
    [state] = services.sync.status()
    assert state.state == "error"  # what the status bar and the Sync page show


def test_the_dialogs_are_keyboard_reachable_without_clashing_mnemonics(
    qtbot: QtBot, services: Services, account: str
) -> None:
    settings = SettingsDialog(services, page="sync")
    qtbot.addWidget(settings)
    page = settings.sync_page
    page_keys = mnemonics(page)
    assert "c" in page_keys
    assert len(page_keys) == len(set(page_keys)), page_keys

    dialog = CalendarsDialog(services, services.sync.account(account), page)
    qtbot.addWidget(dialog)
    keys = mnemonics(dialog)
    assert {"l", "d", "e", "t"} <= set(keys)
    assert len(keys) == len(set(keys)), keys

    routed = services.sync.route(account, "/alice/cyber/", kinds=["staff-talks"])
    for calendar in (None, routed.calendars[1]):
        route = RouteDialog(services, routed, calendar, dialog)
        qtbot.addWidget(route)
        keys = mnemonics(route)
        assert {"c", "w", "k", "a" if calendar is None else "s"} <= set(keys)
        assert len(keys) == len(set(keys)), keys
        # every input takes the focus
        for widget in (route.address_edit, route.strands_list, route.kinds_list):
            assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_enter_on_a_calendar_edits_it_and_the_list_stays_open(
    qtbot: QtBot, services: Services, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    routed = services.sync.route(account, "/alice/cyber/", strands=["cyber"])
    dialog = CalendarsDialog(services, routed)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    opened: list[str] = []

    def exec_(route: RouteDialog) -> int:
        opened.append(route.windowTitle())
        return 0

    monkeypatch.setattr(RouteDialog, "exec", exec_)
    dialog.list.setFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Home)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)  # the main calendar: nothing to edit
    assert opened == []
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    assert dialog.selected_url() == routed.calendars[1].url
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert opened == ["Edit a calendar"]
    assert dialog.isVisible()
