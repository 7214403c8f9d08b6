"""The main window: menus and shortcuts, the sidebar, the four views, details, find, undo.

Everything goes through the services: the window asks the current view which days it shows,
fetches the occurrences of exactly those days with the sidebar's filter, and hands them over.
Every change is an undo command (``commands``) executed at once; there is no Save.
"""

import contextlib
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QStyle,
    QTabWidget,
    QWidget,
)

from liaison_calendar import __version__
from liaison_calendar.domain.briefs import BriefOccurrence, MeetingBrief
from liaison_calendar.domain.enums import Status
from liaison_calendar.domain.models import Meeting, MeetingDetail, MeetingDraft, Phase
from liaison_calendar.errors import LiaisonError
from liaison_calendar.services.context import Services
from liaison_calendar.ui import commands
from liaison_calendar.ui.details import DetailsPane
from liaison_calendar.ui.find import FindPanel
from liaison_calendar.ui.sidebar import Sidebar
from liaison_calendar.ui.sync_panel import SYNC_NOW_KEY, SyncController, SyncOutcome
from liaison_calendar.ui.tasks import BackgroundTask, Progress
from liaison_calendar.ui.views.agenda import AgendaView
from liaison_calendar.ui.views.base import CalendarView, Palette, ViewData
from liaison_calendar.ui.views.exercises import ExercisesView
from liaison_calendar.ui.views.month import MonthView
from liaison_calendar.ui.views.week import WeekView

if TYPE_CHECKING:
    from liaison_calendar.services.importer import ImportReport

APP_NAME = "Liaison Calendar"
PUBLISH_DELAY_MS = 2000


class MainWindow(QMainWindow):
    def __init__(self, services: Services, today: date | None = None) -> None:
        super().__init__()
        self.services = services
        self.tz = str(services.catalog.setting("default_tz"))
        self._fixed_today = today  # pictures and tests; otherwise the clock's, each time
        self.anchor = self.today
        self.meeting_filter = None
        self.selected: BriefOccurrence | None = None
        self.overlaps: list[str] = []
        self.setWindowTitle(f"{APP_NAME} — {services.path.name}")
        self.resize(1280, 820)
        self.undo_stack = QUndoStack(self)
        commands._ServiceCommand.failed = staticmethod(self._command_failed)
        self.palette_ = self._palette()

        kind_names = {k.key: k.name for k in services.catalog.kinds()}
        self.exercises_view = ExercisesView(self)
        self.exercises_view.phase_activated.connect(self._phase_activated)
        self.views: list[CalendarView] = [
            MonthView(self),
            WeekView(self, now=services.clock.now),
            AgendaView(self, kind_names=kind_names),
            self.exercises_view,
        ]
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        for view in self.views:
            self.tabs.addTab(view, view.title)
            view.selected.connect(self._select)
            view.activated.connect(self._activate)
            view.create_requested.connect(self.new_meeting)
            view.reschedule_requested.connect(self._reschedule)
            view.anchor_requested.connect(self._go_to_day)
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        self.setCentralWidget(self.tabs)

        self.sidebar = Sidebar(services, self)
        sidebar_scroll = QScrollArea(self)
        sidebar_scroll.setWidget(self.sidebar)
        sidebar_scroll.setWidgetResizable(True)
        sidebar_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        sidebar_scroll.setMinimumWidth(250)
        self.sidebar.filter_changed.connect(self._filter_changed)
        self.sidebar.day_chosen.connect(self._go_to_day)
        self.sidebar.feed_activated.connect(lambda _name: self.publish_feeds())
        self.meeting_filter = self.sidebar.meeting_filter()
        self.sidebar_dock = self._dock(
            "Sidebar", sidebar_scroll, Qt.DockWidgetArea.LeftDockWidgetArea
        )

        self.details = DetailsPane(
            self,
            strand_names={s.key: s.name for s in services.catalog.strands()},
            kind_names=kind_names,
        )
        self.details_dock = self._dock(
            "Details", self.details, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.details.resolve_requested.connect(self.open_conflicts)
        self.find_panel = FindPanel(services, self.tz, self)
        self.find_panel.chosen.connect(self._found)
        self.find_dock = self._dock("Find", self.find_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.find_dock.hide()

        self.count_label = QLabel(self)
        self.publish_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.publish_label)
        self.statusBar().addPermanentWidget(self.count_label)
        self._publish_timer = QTimer(self)
        self._publish_timer.setSingleShot(True)
        self._publish_timer.setInterval(PUBLISH_DELAY_MS)
        self._publish_timer.timeout.connect(lambda: self.publish_feeds(quiet=True))
        self._tasks: list[BackgroundTask] = []  # running in the background, or done
        self.undo_stack.indexChanged.connect(lambda _i: self._changed_anything())
        self.conflicted: frozenset[str] = frozenset()  # UIDs with a sync conflict: a badge
        self.sync = SyncController(services, self, self._keep_task, lambda: self.tz)
        self.sync.synced.connect(self._synced)
        self.statusBar().addPermanentWidget(self.sync.label)

        self._build_actions()
        self._restore()
        self.refresh()
        self.ready = False  # see ``warm_up``
        self.view.installEventFilter(self)

    # --- building --------------------------------------------------------------------------

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(
        self,
        text: str,
        slot: object,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.new_action = self._action("&New meeting…", lambda: self.new_meeting(), keys.New)
        self.import_action = self._action("&Import…", self.import_files, "Ctrl+I")
        self.export_action = self._action("&Export…", self.export_file, "Ctrl+E")
        self.publish_action = self._action("&Publish feeds", self.publish_feeds, "Ctrl+Shift+P")
        self.print_action = self._action("&Print…", self._print, keys.Print)
        self.report_action = self._action("&Report…", self.open_report, "Ctrl+Shift+R")
        self.settings_action = self._action(
            "&Settings…", lambda: self.open_settings(), keys.Preferences
        )
        self.backup_action = self._action("&Back up calendar…", self.back_up)
        self.quit_action = self._action("&Quit", self.close, keys.Quit)
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence(keys.Undo))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence(keys.Redo)])
        self.find_action = self._action("&Find…", self.show_find, keys.Find)
        self.edit_action = self._action("&Open meeting…", self.edit_selected, "Return")
        self.delete_action = self._action("&Delete meeting", self.delete_selected, keys.Delete)
        self.cancel_action = self._action("&Cancel meeting", self.cancel_selected, "Ctrl+K")
        self.next_action = self._action("Ne&xt iteration…", self.next_iteration, "Ctrl+Shift+N")
        self.new_series_action = self._action("New &series…", self.new_series)
        self.edit_series_action = self._action("Edit s&eries…", self.edit_series)
        self.new_exercise_action = self._action("New e&xercise…", self.new_exercise)
        self.edit_exercise_action = self._action("Edit exe&rcise…", self.edit_exercise)
        self.today_action = self._action("&Today", self.go_today, "T")
        self.previous_action = self._action("&Previous", lambda: self.step(-1), "PgUp")
        self.following_action = self._action("&Next", lambda: self.step(1), "PgDown")
        self.view_actions = [
            self._action(
                view.title, lambda _c=False, i=i: self.tabs.setCurrentIndex(i), f"Ctrl+{i + 1}"
            )
            for i, view in enumerate(self.views)
        ]
        self.about_action = self._action("&About", self.about)
        self.sync_now_action = self._action(
            "Sync &now", self.sync.sync_now, SYNC_NOW_KEY, "Send and fetch changes now"
        )
        self.conflicts_action = self._action("Sync &conflicts…", lambda: self.open_conflicts())
        self.sync_accounts_action = self._action("Sync &accounts…", self.open_sync_settings)

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        for a in (self.new_action, self.import_action, self.export_action, self.publish_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.print_action)
        file_menu.addAction(self.report_action)
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = menu.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)
        view_menu = menu.addMenu("&View")
        for a in (self.today_action, self.previous_action, self.following_action):
            view_menu.addAction(a)
        view_menu.addSeparator()
        for a in self.view_actions:
            view_menu.addAction(a)
        view_menu.addSeparator()
        for dock in (self.sidebar_dock, self.details_dock, self.find_dock):
            view_menu.addAction(dock.toggleViewAction())
        meeting_menu = menu.addMenu("&Meeting")
        for a in (self.new_action, self.edit_action, self.next_action, self.cancel_action):
            meeting_menu.addAction(a)
        meeting_menu.addSeparator()
        meeting_menu.addAction(self.delete_action)
        meeting_menu.addSeparator()
        meeting_menu.addAction(self.new_series_action)
        meeting_menu.addAction(self.edit_series_action)
        meeting_menu.addSeparator()
        meeting_menu.addAction(self.new_exercise_action)
        meeting_menu.addAction(self.edit_exercise_action)
        sync_menu = menu.addMenu("&Sync")
        for a in (self.sync_now_action, self.conflicts_action, self.sync_accounts_action):
            sync_menu.addAction(a)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.about_action)

        icons = {
            self.new_action: QStyle.StandardPixmap.SP_FileIcon,
            self.undo_action: QStyle.StandardPixmap.SP_ArrowBack,
            self.redo_action: QStyle.StandardPixmap.SP_ArrowForward,
            self.previous_action: QStyle.StandardPixmap.SP_MediaSeekBackward,
            self.today_action: QStyle.StandardPixmap.SP_DialogYesButton,
            self.following_action: QStyle.StandardPixmap.SP_MediaSeekForward,
            self.find_action: QStyle.StandardPixmap.SP_FileDialogContentsView,
            self.import_action: QStyle.StandardPixmap.SP_DialogOpenButton,
            self.publish_action: QStyle.StandardPixmap.SP_DriveNetIcon,
            self.print_action: QStyle.StandardPixmap.SP_DialogSaveButton,
        }
        for action, pixmap in icons.items():
            action.setIcon(self.style().standardIcon(pixmap))
        toolbar = self.addToolBar("Main")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setObjectName("Main")
        for a in (
            self.new_action,
            self.undo_action,
            self.redo_action,
            self.previous_action,
            self.today_action,
            self.following_action,
            self.find_action,
            self.import_action,
            self.publish_action,
            self.print_action,
        ):
            toolbar.addAction(a)
        self._update_actions()

    def _palette(self) -> Palette:
        catalog = self.services.catalog
        return Palette(
            strands={s.key: s.colour for s in catalog.strands()},
            kinds={k.key: k.colour for k in catalog.kinds()},
        )

    # --- state -----------------------------------------------------------------------------

    def _restore(self) -> None:
        saved = QSettings()
        geometry = saved.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = saved.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        else:
            self.resizeDocks(
                [self.sidebar_dock, self.details_dock], [280, 360], Qt.Orientation.Horizontal
            )
        view = saved.value("window/view", 0)
        self.tabs.blockSignals(True)
        self.tabs.setCurrentIndex(int(str(view)) if str(view).isdigit() else 0)
        self.tabs.blockSignals(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and not self.ready:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self.warm_up)  # once this paint is done
        return super().eventFilter(watched, event)

    def warm_up(self) -> None:
        """Load what editing, publishing and importing need (SQLAlchemy and the services, about
        200 ms) right after the first paint of the month, so that no click waits for it."""
        if self.ready or not self.isVisible():
            return  # done, or closed before it came to this
        self.services.load_all()
        from liaison_calendar.ui import meeting_dialog  # noqa: F401  - the most used editor

        self.sidebar.reload_feeds()
        self.ready = True
        self._daily_backup()
        with contextlib.suppress(LiaisonError):  # the badges of conflicts left last time
            self._set_conflicted(self.services.sync.conflicted_uids())
        self.sync.start()

    def _daily_backup(self) -> None:
        """Today's automatic backup beside the calendar, in the background (see Settings)."""

        def work(_progress: Progress) -> object:
            return self.services.backups.daily()

        task = BackgroundTask(self, "Backing up…", work, show_progress=False)
        task.finished.connect(self._backed_up)
        task.failed.connect(
            lambda message: self.statusBar().showMessage(f"Daily backup failed: {message}", 15000)
        )
        self._keep_task(task)
        task.start()

    def _keep_task(self, task: BackgroundTask) -> None:
        """Keep ``task`` until it is done (and waited for when the window closes)."""
        self._tasks = [t for t in self._tasks if t.running] + [task]

    def _backed_up(self, made: object) -> None:
        if made is not None and not self.statusBar().currentMessage():  # never over another
            self.statusBar().showMessage(f"Daily backup written: {made}", 8000)

    def back_up(self) -> None:
        """File → Back up calendar…: a consistent copy wherever the user chooses."""
        day = self.services.clock.now().date().isoformat()
        suggested = str(Path.home() / f"liaison-calendar-{day}.db")
        name, _ = QFileDialog.getSaveFileName(
            self, "Back up the calendar", suggested, "Calendar backups (*.db *.bak)"
        )
        if not name:
            return
        try:
            written = self.services.backups.back_up(Path(name))
        except LiaisonError as exc:
            QMessageBox.warning(self, APP_NAME, f"Cannot back up: {exc.message}")
            return
        self.statusBar().showMessage(f"Backed up to {written}", 8000)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.sync.stop()  # no new sync; a running one is waited for below
        for task in self._tasks:
            if task.running:
                task.cancel()  # an import rolls back; a publish finishes its file
                task.wait()
        saved = QSettings()
        saved.setValue("window/geometry", self.saveGeometry())
        saved.setValue("window/state", self.saveState())
        saved.setValue("window/view", self.tabs.currentIndex())
        if self._publish_timer.isActive():
            self._publish_timer.stop()
            self.publish_feeds(quiet=True, wait=True)
        super().closeEvent(event)

    @property
    def today(self) -> date:
        """Today in the user's zone (the app may run past midnight)."""
        if self._fixed_today is not None:
            return self._fixed_today
        return self.services.clock.now().astimezone(ZoneInfo(self.tz)).date()

    @property
    def view(self) -> CalendarView:
        widget = self.tabs.currentWidget()
        assert isinstance(widget, CalendarView)
        return widget

    # --- showing ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Fetch what the current view shows, with the filter, and hand it over."""
        view = self.view
        first, after = view.period(self.anchor)
        occurrences: list[BriefOccurrence] = []
        unlisted: dict[date, int] = {}
        exercises_only = isinstance(view, ExercisesView)
        last = after - timedelta(days=1)
        queries = self.services.queries
        if self.meeting_filter is None or exercises_only:
            pass
        elif isinstance(view, MonthView):  # the first few of each day, and how many more
            occurrences, unlisted = queries.month_briefs(
                first, last, self.tz, self.meeting_filter, per_day=view.chips_per_day()
            )
        else:
            start, end = queries.day_window(first, last, self.tz)
            occurrences = queries.briefs(start, end, self.meeting_filter)
        exercises = self.services.exercises.list() if exercises_only else []
        view.show_data(
            ViewData(
                anchor=self.anchor,
                tz=self.tz,
                occurrences=occurrences,
                palette=self.palette_,
                exercises=exercises,
                today=self.today,
                unlisted=unlisted,
                conflicts=self.conflicted,
            )
        )
        self.sidebar.show_day(self.anchor)
        if exercises_only:
            shown = f"{len(exercises)} exercise{'s' if len(exercises) != 1 else ''}"
        elif self.meeting_filter is None:
            shown = "nothing (a filter has nothing ticked)"
        else:
            count = len(occurrences) + sum(unlisted.values())
            shown = f"{count} meeting{'s' if count != 1 else ''}"
        self.count_label.setText(f"{_period_label(view, first, after)}: {shown}")
        if self.selected is not None:
            view.select_meeting(self.selected.meeting.id, self.selected.start)

    def _filter_changed(self, flt: object) -> None:
        self.meeting_filter = flt  # type: ignore[assignment]
        self.refresh()

    def _go_to_day(self, day: date) -> None:
        self.anchor = day
        self.refresh()

    def go_today(self) -> None:
        self._go_to_day(self.today)

    def step(self, direction: int) -> None:
        view = self.view
        if isinstance(view, MonthView):
            month = self.anchor.month - 1 + direction
            year = self.anchor.year + month // 12
            self.anchor = date(year, month % 12 + 1, 1)
        elif isinstance(view, WeekView):
            self.anchor += timedelta(weeks=direction)
        elif isinstance(view, ExercisesView):
            self.anchor = date(self.anchor.year + direction, 1, 1)
        else:
            self.anchor += timedelta(days=30 * direction)
        self.refresh()

    def _select(self, occ: BriefOccurrence | None) -> None:
        self.selected = occ
        self._update_actions()
        if occ is None:
            self.details.clear()
            return
        try:
            detail = self.services.meetings.get(occ.meeting.id)
        except LiaisonError:
            self.details.clear()
            return
        series = detail.series
        self.details.show_meeting(detail, occ.start, occ.end, self.tz, series)
        self.details.set_conflict(detail.uid in self.conflicted)

    def _update_actions(self) -> None:
        has = self.selected is not None
        for action in (self.edit_action, self.delete_action, self.cancel_action):
            action.setEnabled(has)
        self.next_action.setEnabled(has and self.selected.meeting.series is not None)  # type: ignore[union-attr]

    def _found(self, meeting: Meeting) -> None:
        start = meeting.start
        day = start.astimezone(ZoneInfo(self.tz)).date() if isinstance(start, datetime) else start
        self.anchor = day
        self.selected = BriefOccurrence(MeetingBrief.of(meeting), meeting.start, meeting.end)
        self.refresh()
        self._select(self.view.current() or self.selected)

    def _phase_activated(self, phase: Phase) -> None:
        """A phase of an exercise: open its meeting, if it has one, in the week view."""
        if phase.meeting_id is None:
            self.statusBar().showMessage(f"{phase.name}: no meeting is linked to this phase.", 5000)
            return
        try:
            meeting = self.services.meetings.get(phase.meeting_id)
        except LiaisonError:
            return
        self.tabs.setCurrentIndex(1)  # the week of the phase
        self._found(meeting)

    # --- series ------------------------------------------------------------------------------

    def new_series(self) -> None:
        from liaison_calendar.ui.series_dialog import SeriesDialog

        dialog = SeriesDialog(self.services, parent=self)
        if dialog.exec():
            self._run(commands.SaveSeries(self.services, None, None, dialog.draft(), self._changed))

    def edit_series(self) -> None:
        """The series of the selected meeting."""
        from liaison_calendar.ui.series_dialog import SeriesDialog

        name = self.selected.meeting.series if self.selected is not None else None
        if name is None:
            QMessageBox.information(self, APP_NAME, "Select a meeting of the series first.")
            return
        series = self.services.series.get(name)
        before = self.services.series.draft_of(series.id)
        dialog = SeriesDialog.for_series(self.services, series.id, parent=self)
        if dialog.exec() and dialog.draft() != before:
            self._run(
                commands.SaveSeries(self.services, series.id, before, dialog.draft(), self._changed)
            )

    # --- exercises ---------------------------------------------------------------------------

    def _exercise_dialogs(self) -> ModuleType:
        from liaison_calendar.ui import exercise_dialog

        return exercise_dialog

    def new_exercise(self) -> None:
        dialog = self._exercise_dialogs().ExerciseDialog.for_new(
            self.services, self.anchor, parent=self
        )
        if dialog.exec():
            after = (dialog.draft(), dialog.linked_meetings())
            if self._run(commands.SaveExercise(self.services, None, after, self._changed)):
                self.tabs.setCurrentWidget(self.exercises_view)

    def _current_exercise_id(self) -> int | None:
        exercises = self.services.exercises.list()
        phase_id = self.exercises_view.canvas.selected_phase()
        for exercise in exercises:
            if any(p.id == phase_id for p in exercise.phases):
                return exercise.id
        return exercises[0].id if len(exercises) == 1 else None

    def edit_exercise(self) -> None:
        exercise_id = self._current_exercise_id()
        if exercise_id is None:
            QMessageBox.information(
                self, APP_NAME, "Select a phase of the exercise in the Exercises view (Ctrl+4)."
            )
            return
        before = (
            self.services.exercises.draft_of(exercise_id),
            self._links_of(exercise_id),
        )
        dialog = self._exercise_dialogs().ExerciseDialog.for_exercise(
            self.services, exercise_id, parent=self
        )
        if dialog.exec():
            after = (dialog.draft(), dialog.linked_meetings())
            if after != before:
                self._run(commands.SaveExercise(self.services, before, after, self._changed))

    def _links_of(self, exercise_id: int) -> dict[str, int | None]:
        exercise = self.services.exercises.get(exercise_id)
        return {p.uid: p.meeting_id for p in exercise.phases}

    def show_find(self) -> None:
        self.find_dock.show()
        self.find_dock.raise_()
        self.find_panel.focus()

    # --- changing --------------------------------------------------------------------------

    def _run(self, command: commands._ServiceCommand) -> bool:
        try:
            command.execute(self.undo_stack)
        except LiaisonError as exc:
            QMessageBox.warning(self, APP_NAME, exc.message)
            return False
        return True

    def _changed(self, uid: str | None) -> None:
        """After a command: show the calendar as it is now, with the changed meeting."""
        self.selected = None
        if uid is not None:
            try:
                detail = self.services.meetings.get(uid)
            except LiaisonError:
                detail = None
            if detail is not None:
                self.selected = BriefOccurrence(MeetingBrief.of(detail), detail.start, detail.end)
                self._point_out_overlaps(detail)
        self.refresh()
        self._select(self.view.current() or self.selected)

    def _point_out_overlaps(self, detail: MeetingDetail) -> None:
        """Same time, same place or same people: said in the status bar, never refused."""
        self.overlaps = self.services.queries.overlaps(detail, self.services.meetings.get)
        if self.overlaps:
            more = f" (and {len(self.overlaps) - 1} more)" if len(self.overlaps) > 1 else ""
            self.statusBar().showMessage(f"Note: {self.overlaps[0]}{more}.", 15000)

    def _changed_anything(self) -> None:
        if str(self.services.catalog.setting("publish_dir")):
            self._publish_timer.start()
        self.sync.changed()

    def _command_failed(self, message: str) -> None:
        QMessageBox.warning(self, APP_NAME, message)
        self.refresh()

    def new_meeting(self, start: object = None, end: object = None) -> None:
        if start is None:
            begin = datetime.combine(self.anchor, datetime.min.time()).replace(hour=9)
            start, end = begin.replace(tzinfo=ZoneInfo(self.tz)), None
        dialog = _editor().MeetingDialog.for_new(self.services, start, end)
        dialog.setParent(self, dialog.windowFlags())
        if dialog.exec():
            self._run(commands.CreateMeeting(self.services, dialog.draft(), self._changed))

    def _selected_detail(self) -> MeetingDetail | None:
        if self.selected is None:
            return None
        try:
            return self.services.meetings.get(self.selected.meeting.id)
        except LiaisonError as exc:
            QMessageBox.warning(self, APP_NAME, exc.message)
            return None

    def _activate(self, occ: BriefOccurrence) -> None:
        self._select(occ)
        self.edit_selected()

    def edit_selected(self) -> None:
        detail = self._selected_detail()
        if detail is None:
            return
        editor = _editor()
        before = editor.draft_from_detail(detail)
        dialog = editor.MeetingDialog.for_meeting(self.services, detail)
        while True:
            dialog.setParent(self, dialog.windowFlags())
            if not dialog.exec():
                return
            after = dialog.draft()
            replace = commands.ReplaceMeeting
            if after == before or self._run(
                replace(self.services, detail.id, before, after, self._changed)
            ):
                return
            # Not saved (the calendar was busy, say; the warning was shown): the editor opens
            # again with what was typed, so that nothing typed is lost.
            dialog = editor.MeetingDialog(
                self.services, after, title=f"Edit meeting — {detail.title}"
            )

    def next_iteration(self) -> None:
        detail = self._selected_detail()
        if detail is None or detail.series is None:
            return
        dialog = _editor().MeetingDialog.for_next_iteration(self.services, detail)
        dialog.setParent(self, dialog.windowFlags())
        if dialog.exec():
            self._run(
                commands.CreateIteration(
                    self.services, dialog.draft(), dialog.carried_by_row(), self._changed
                )
            )

    def delete_selected(self) -> None:
        detail = self._selected_detail()
        if detail is None:
            return
        what = "the whole series of" if detail.rrule else ""
        answer = QMessageBox.question(
            self, APP_NAME, f"Delete {what} “{detail.title}”? You can undo it (Ctrl+Z)."
        )
        if answer == QMessageBox.StandardButton.Yes:
            editor = _editor()
            draft = editor.draft_from_detail(detail)
            overrides: list[tuple[date | datetime, MeetingDraft]] = [
                (o.recurrence_id, editor.draft_from_detail(o))
                for o in (self.services.meetings.overrides_of(detail.id) if detail.rrule else [])
                if o.recurrence_id is not None
            ]
            self._run(
                commands.DeleteMeeting(
                    self.services, detail.uid, draft, self._changed, overrides=overrides
                )
            )

    def cancel_selected(self) -> None:
        detail = self._selected_detail()
        if detail is None:
            return
        after = Status.CONFIRMED if detail.status is Status.CANCELLED else Status.CANCELLED
        if after is Status.CANCELLED:
            answer = QMessageBox.question(
                self,
                APP_NAME,
                f"Cancel “{detail.title}”? It stays on the calendar, struck through, and in "
                "feeds as cancelled. You can undo it (Ctrl+Z).",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._run(commands.SetStatus(self.services, detail.id, detail.status, after, self._changed))

    def _reschedule(self, occ: BriefOccurrence, new_start: object) -> None:
        meeting = occ.meeting
        assert isinstance(new_start, date)
        length = occ.end - occ.start
        after: tuple[date | datetime, date | datetime] = (new_start, new_start + length)
        if meeting.rrule and occ.recurrence_id is not None:
            # One occurrence of a repeating meeting: it becomes a changed occurrence.
            command: commands._ServiceCommand = commands.MoveOccurrence(
                self.services, meeting.id, occ.recurrence_id, after, self._changed
            )
        else:
            command = commands.Reschedule(
                self.services, meeting.id, (meeting.start, meeting.end), after, self._changed
            )
        if not self._run(command):
            self.refresh()  # the view drew it at its new place: put it back

    # --- files -----------------------------------------------------------------------------

    def import_files(self, paths: list[Path] | None = None) -> None:
        if paths is None:
            names, _ = QFileDialog.getOpenFileNames(
                self, "Import calendars", str(Path.home()), "iCalendar files (*.ics);;All files (*)"
            )
            paths = [Path(n) for n in names]
        if not paths:
            return
        chosen = list(paths)
        from liaison_calendar.services.importer import ImportOptions

        def dry_run(progress: Progress) -> "ImportReport":
            return self.services.importer.import_files(
                chosen, ImportOptions(dry_run=True), progress=progress
            )

        self._background("Reading the files…", dry_run, lambda r: self._preview(chosen, r))

    def _preview(self, paths: list[Path], report: "ImportReport") -> None:
        from liaison_calendar.services.importer import ImportOptions
        from liaison_calendar.ui.import_dialog import ImportPreviewDialog

        self.preview = ImportPreviewDialog(paths, report, self)
        if not self.preview.exec():
            return

        def real(progress: Progress) -> "ImportReport":
            return self.services.importer.import_files(paths, ImportOptions(), progress=progress)

        self._background("Importing…", real, self._imported)

    def _imported(self, report: "ImportReport") -> None:
        from liaison_calendar.ui.import_dialog import summary

        self.sidebar.reload()
        self.palette_ = self._palette()
        self.refresh()
        self.statusBar().showMessage(f"Imported: {summary(report)}", 10000)
        self._changed_anything()

    def _background(self, title: str, work: object, done: object) -> None:
        task = BackgroundTask(self, title, work)  # type: ignore[arg-type]
        task.finished.connect(done)
        task.failed.connect(lambda message: QMessageBox.warning(self, APP_NAME, message))
        self._tasks = [t for t in self._tasks if t.running] + [task]
        task.start()

    def export_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export calendar", str(Path.home() / "calendar.ics"), "iCalendar (*.ics)"
        )
        if not name:
            return
        from liaison_calendar.services.feeds import ExportScope

        try:
            self.services.feeds.export_file(Path(name), ExportScope())
        except (LiaisonError, OSError) as exc:
            message = exc.message if isinstance(exc, LiaisonError) else str(exc)
            QMessageBox.warning(self, APP_NAME, f"Cannot export: {message}")
            return
        self.statusBar().showMessage(f"Exported to {name}", 8000)

    def publish_feeds(self, quiet: bool = False, wait: bool = False) -> None:
        folder = str(self.services.catalog.setting("publish_dir"))
        if not folder:
            if not quiet:
                QMessageBox.information(
                    self, APP_NAME, "Choose a folder to publish feeds to in Settings first."
                )
            return

        def publish(_progress: Progress) -> list[object]:
            return list(self.services.feeds.publish(Path(folder)))

        if wait:
            with contextlib.suppress(LiaisonError):
                publish(lambda _d, _t: True)
            return
        task = BackgroundTask(self, "Publishing feeds…", publish, show_progress=not quiet)
        task.finished.connect(self._published)
        task.failed.connect(
            lambda message: self.publish_label.setText(f"Feeds not published: {message}")
        )
        self._tasks = [t for t in self._tasks if t.running] + [task]
        task.start()

    def _published(self, results: list[object]) -> None:
        failed = [r for r in results if getattr(r, "change", "") == "failed"]
        when = self.services.clock.now().astimezone(ZoneInfo(self.tz))
        text = f"Feeds published at {when:%H:%M}"
        if failed:
            text += f" ({len(failed)} failed)"
        self.publish_label.setText(text)

    def open_settings(self, page: str = "general") -> None:
        from liaison_calendar.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.services, self, sync_states=self.sync.states(), page=page)
        self.settings_dialog = dialog
        self.sync.pause()  # no sync starts while accounts are edited
        try:
            accepted = dialog.exec()
        finally:
            changed = dialog.sync_page.changed  # accounts change at once, even with Cancel
            if changed or accepted:
                self.sync.settings_changed()
            if changed:
                with contextlib.suppress(LiaisonError):
                    self._set_conflicted(self.services.sync.conflicted_uids())
            self.sync.resume(sync=changed and self.sync.has_accounts)
        if accepted:
            self.tz = str(self.services.catalog.setting("default_tz"))
            self.find_panel.set_zone(self.tz)
            self.refresh()

    def open_sync_settings(self) -> None:
        """Sync → Sync accounts…: Settings, on the Sync page."""
        self.open_settings("sync")

    # --- sync ------------------------------------------------------------------------------

    def _set_conflicted(self, uids: set[str] | frozenset[str]) -> bool:
        """Badge the meetings of ``uids``; True when that changed anything."""
        uids = frozenset(uids)
        count = len(uids)
        text = f"Sync &conflicts ({count})…" if count else "Sync &conflicts…"
        self.conflicts_action.setText(text)
        if uids == self.conflicted:
            return False
        self.conflicted = uids
        self.refresh()
        shown = self.details.meeting()
        if shown is not None:
            self.details.set_conflict(shown.uid in uids)
        return True

    def _synced(self, outcome: SyncOutcome) -> None:
        """After a sync: what came from the server, and the conflicts, on screen."""
        said = outcome.summary()
        if said and not self.statusBar().currentMessage():  # never over another message
            self.statusBar().showMessage(said, 8000)
        if outcome.changed_here:
            self.sidebar.reload()  # strands, kinds or partners may have come with them
            self.palette_ = self._palette()
            if str(self.services.catalog.setting("publish_dir")):
                self._publish_timer.start()
        changed = outcome.conflicted is not None and self._set_conflicted(outcome.conflicted)
        if outcome.changed_here:
            if not changed:
                self.refresh()
            self._select(self.view.current() or self.selected)

    def open_conflicts(self, uid: str | None = None) -> None:
        """Sync → Sync conflicts…, or Resolve… in the details of a meeting."""
        from liaison_calendar.ui.conflict_dialog import ConflictDialog

        dialog = ConflictDialog(self.services, self, uid=uid, tz=self.tz)
        self.conflict_dialog = dialog
        if not dialog.conflicts:
            with contextlib.suppress(LiaisonError):
                self._set_conflicted(self.services.sync.conflicted_uids())
            QMessageBox.information(self, APP_NAME, "There are no sync conflicts.")
            return
        dialog.resolved.connect(lambda _uid: self._conflict_resolved())
        self.sync.pause()  # no sync starts while conflicts are resolved
        dialog.set_busy(self.sync.running)  # one that runs already: resolve once it is done
        self.sync.busy.connect(dialog.set_busy)
        try:
            dialog.exec()
        finally:
            self.sync.busy.disconnect(dialog.set_busy)
            self.sync.resume(sync=dialog.resolved_count > 0)  # send what was chosen

    def _conflict_resolved(self) -> None:
        with contextlib.suppress(LiaisonError):
            if not self._set_conflicted(self.services.sync.conflicted_uids()):
                self.refresh()
        self._select(self.view.current() or self.selected)

    def _print(self) -> None:
        """Print (Ctrl+P): the selected meeting's agenda, or the month or week shown."""
        from liaison_calendar.ui.print_dialog import PrintDialog

        selected = self.selected
        dialog = PrintDialog(
            self.services,
            anchor=self.anchor,
            tz=self.tz,
            meeting_filter=self.meeting_filter,
            meeting_id=selected.meeting.id if selected is not None else None,
            meeting_title=selected.meeting.title if selected is not None else "",
            occurrence=selected.start if selected is not None else None,
            week_first=isinstance(self.view, WeekView),
            parent=self,
        )
        self.print_dialog = dialog
        dialog.exec()

    def open_report(self) -> None:
        """Report…: a period report per work strand."""
        from liaison_calendar.ui.print_dialog import ReportDialog

        dialog = ReportDialog(self.services, self.today, self)
        self.report_dialog = dialog
        dialog.exec()

    def about(self) -> None:
        from html import escape

        from liaison_calendar import logs

        db = self.services.path
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<p><b>{APP_NAME}</b> {escape(__version__)}</p>"
            "<p>The calendar of EU–NATO staff-to-staff cooperation.</p>"
            "<table>"
            f"<tr><td>Calendar:&nbsp;</td><td>{escape(str(db))}</td></tr>"
            f"<tr><td>Daily backups:&nbsp;</td><td>{escape(str(db.parent))} "
            f"({escape(db.name)}.daily-…)</td></tr>"
            f"<tr><td>Log:&nbsp;</td><td>{escape(str(logs.log_file()))}</td></tr>"
            "</table>",
        )


def _editor() -> ModuleType:
    """The meeting editor, imported when first opened: the window appears sooner without it."""
    from liaison_calendar.ui import meeting_dialog

    return meeting_dialog


def _period_label(view: CalendarView, first: date, after: date) -> str:
    last = after - timedelta(days=1)
    if isinstance(view, MonthView):
        middle = first + (after - first) / 2
        return f"{middle:%B %Y}"
    return f"{first:%d %b %Y} – {last:%d %b %Y}"
