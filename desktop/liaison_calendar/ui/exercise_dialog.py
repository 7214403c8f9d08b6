"""The exercise editor: a PACE exercise, its programme period and its phases, checked as typed.

The dialog saves nothing. It is opened on a draft (a new exercise, an existing one) and hands back
``draft()``, plus ``linked_meetings()``: the planning meeting chosen for each phase, by phase UID,
for the caller to pass to ``ExerciseService.link_meetings`` after saving. Problems are shown in
red beside the field that has them, and OK stays disabled while there is any.
"""

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import Any, ClassVar

from PySide6.QtCore import QDate, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from liaison_calendar.domain.enums import ExercisePart, PhaseType, ReleaseLevel
from liaison_calendar.domain.models import ExerciseDraft, MeetingDraft, PhaseDraft
from liaison_calendar.domain.timezones import day_start
from liaison_calendar.errors import LiaisonError, ValidationError
from liaison_calendar.services.context import Services
from liaison_calendar.services.exercises import check_draft, period_words
from liaison_calendar.services.meetings import UID_DOMAIN
from liaison_calendar.ui.forms import FormDialog, Problem
from liaison_calendar.ui.meeting_dialog import (
    COMMON_MARKINGS,
    ChoiceDelegate,
    RowsEditor,
    RowsModel,
)
from liaison_calendar.ui.views.exercises import PART_LABELS, PHASE_COLOURS, PHASE_LABELS
from liaison_calendar.ui.zones import error_colour

_RELEASE_LABELS = {
    ReleaseLevel.PUBLIC: "Public",
    ReleaseLevel.STAFF: "Staff",
    ReleaseLevel.RESTRICTED: "Restricted",
}
_DAY_FORMAT = "ddd d MMM yyyy"
_NO_MEETING = "(no planning meeting)"

_Index = QModelIndex | QPersistentModelIndex


# --- small conversions -------------------------------------------------------------------------


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _day_words(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


def new_phase_uid() -> str:
    return f"{uuid.uuid4()}@{UID_DOMAIN}"


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


# --- the meetings a phase may be linked to -----------------------------------------------------


@dataclass(frozen=True)
class MeetingChoice:
    """A meeting offered as a phase's planning meeting."""

    id: int
    title: str
    first: date | None  # its first day in the programme period (None: not known)
    repeats: bool = False
    elsewhere: bool = False  # the planning meeting of a phase of another exercise

    def label(self) -> str:
        text = self.title
        if self.first is not None:
            text += f" · {'from ' if self.repeats else ''}{_day_words(self.first)}"
        if self.elsewhere:
            text += " (now linked to another exercise)"
        return text


# --- the phases table --------------------------------------------------------------------------


class PhaseColumn(IntEnum):
    NAME = 0
    TYPE = 1
    PART = 2
    START = 3
    LAST_DAY = 4
    LOCATION = 5
    MEETING = 6


class PhasesModel(RowsModel):
    """The phases of an exercise, one row each; a row's tag is the phase's UID.

    Dates are ISO text (``2025-03-10``); the last day is inclusive, as the user sees it. The
    meeting cell holds the id of the planning meeting, or "" for none.
    """

    Column = PhaseColumn
    headers: ClassVar[dict[int, str]] = {
        PhaseColumn.NAME: "Phase",
        PhaseColumn.TYPE: "Type",
        PhaseColumn.PART: "Part",
        PhaseColumn.START: "First day",
        PhaseColumn.LAST_DAY: "Last day",
        PhaseColumn.LOCATION: "Location",
        PhaseColumn.MEETING: "Planning meeting",
    }
    defaults = ("", PhaseType.OTHER.value, ExercisePart.JOINT.value, "", "", "", "")
    choices: ClassVar[dict[int, dict[str, str]]] = {
        PhaseColumn.TYPE: {t.value: label for t, label in PHASE_LABELS.items()},
        PhaseColumn.PART: {p.value: label for p, label in PART_LABELS.items()},
    }

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._period: tuple[date, date] = (date.min, date.max)  # end exclusive
        self.meetings: dict[int, MeetingChoice] = {}

    # --- what the dialog tells it ---

    def set_period(self, start: date, end: date) -> None:
        if (start, end) == self._period:
            return
        self._period = (start, end)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(PhaseColumn) - 1)
            )

    def append_row(self, values: Sequence[str] | None = None, tag: object = None) -> int:
        """A new phase starts the day after the last one ends (or with the period), a day long."""
        if values is None:
            start = self._period[0]
            if self._rows:
                last = _parse_day(self._rows[-1][PhaseColumn.LAST_DAY])
                if last is not None and self._period[0] <= last + timedelta(days=1):
                    start = last + timedelta(days=1)
            if start >= self._period[1]:
                start = self._period[0]
            cells = list(self.defaults)
            cells[PhaseColumn.START] = cells[PhaseColumn.LAST_DAY] = start.isoformat()
            values = cells
        return super().append_row(values, tag if tag is not None else new_phase_uid())

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        """A new first day moves the last day with it: the phase keeps its length."""
        if index.isValid() and index.column() == PhaseColumn.START:
            row = index.row()
            old, new = _parse_day(self._rows[row][PhaseColumn.START]), _parse_day(str(value))
            last = _parse_day(self._rows[row][PhaseColumn.LAST_DAY])
            changed = super().setData(index, value, role)
            if changed and old is not None and new is not None and last is not None:
                super().setData(
                    self.index(row, PhaseColumn.LAST_DAY), (last + (new - old)).isoformat(), role
                )
            return changed
        return super().setData(index, value, role)

    # --- showing ---

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column, value = index.column(), self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column in (PhaseColumn.START, PhaseColumn.LAST_DAY):
                day = _parse_day(value)
                return _day_words(day) if day is not None else value
            if column == PhaseColumn.MEETING:
                choice = self.meeting(value)
                return choice.title if choice is not None else ""
        if role == Qt.ItemDataRole.DecorationRole and column == PhaseColumn.TYPE:
            try:
                return _swatch(PHASE_COLOURS[PhaseType(value)])
            except ValueError:
                return None
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and column == PhaseColumn.MEETING
            and not self.row_problems(index.row(), self._rows[index.row()]).get(column)
        ):
            choice = self.meeting(value)
            return choice.label() if choice is not None else "Double-click to choose a meeting"
        return super().data(index, role)

    def meeting(self, cell: str) -> MeetingChoice | None:
        if not cell.strip().isdigit():
            return None
        meeting_id = int(cell)
        return self.meetings.get(meeting_id) or MeetingChoice(meeting_id, f"#{meeting_id}", None)

    # --- checking ---

    def _first_holder(self, row: int, cell: str) -> int | None:
        """The first row before ``row`` that has the same planning meeting."""
        for other in range(row):
            if self._rows[other][PhaseColumn.MEETING] == cell:
                return other
        return None

    def row_problems(self, row: int, cells: Sequence[str]) -> dict[int, str]:
        found: dict[int, str] = {}
        name = " ".join(cells[PhaseColumn.NAME].split())
        called = f"Phase {row + 1}" + (f" “{name}”" if name else "")
        if not name:
            found[PhaseColumn.NAME] = f"Phase {row + 1} needs a name."
        start, last = _parse_day(cells[PhaseColumn.START]), _parse_day(cells[PhaseColumn.LAST_DAY])
        for column, day in ((PhaseColumn.START, start), (PhaseColumn.LAST_DAY, last)):
            if day is None:
                found[column] = f"{called}: {cells[column].strip()!r} is not a date."
        if start is not None and last is not None:
            lo, hi = self._period
            if last < start:
                found[PhaseColumn.LAST_DAY] = (
                    f"{called}: the last day ({_day_words(last)}) is before the first day "
                    f"({_day_words(start)})."
                )
            elif lo < hi and (start < lo or last >= hi):
                message = f"{called} lies outside the programme period ({period_words(lo, hi)})."
                found[PhaseColumn.START if start < lo or start >= hi else PhaseColumn.LAST_DAY] = (
                    message
                )
        cell = cells[PhaseColumn.MEETING]
        if cell:
            holder = self._first_holder(row, cell)
            if holder is not None:
                choice = self.meeting(cell)
                title = choice.title if choice is not None else cell
                found[PhaseColumn.MEETING] = (
                    f"{called}: “{title}” is the planning meeting of phase {holder + 1} "
                    "already; a meeting belongs to one phase."
                )
        return found

    # --- what the dialog reads ---

    def drafts(self, meetings: Mapping[str, MeetingDraft] | None = None) -> list[PhaseDraft]:
        """The phases as drafts (rows with problems must be fixed first)."""
        phases = []
        for cells, tag in zip(self._rows, self._tags, strict=True):
            start = _parse_day(cells[PhaseColumn.START])
            last = _parse_day(cells[PhaseColumn.LAST_DAY])
            assert start is not None
            assert last is not None
            uid = str(tag) if tag is not None else None
            phases.append(
                PhaseDraft(
                    name=" ".join(cells[PhaseColumn.NAME].split()),
                    phase_type=PhaseType(cells[PhaseColumn.TYPE]),
                    part=ExercisePart(cells[PhaseColumn.PART]),
                    start=start,
                    end=last + timedelta(days=1),
                    location=cells[PhaseColumn.LOCATION].strip(),
                    meeting=(meetings or {}).get(uid) if uid is not None else None,
                    uid=uid,
                )
            )
        return phases

    def links(self) -> dict[str, int | None]:
        return {
            str(tag): int(cells[PhaseColumn.MEETING]) if cells[PhaseColumn.MEETING] else None
            for cells, tag in zip(self._rows, self._tags, strict=True)
        }

    @staticmethod
    def cells_of(phase: PhaseDraft, meeting_id: int | None = None) -> list[str]:
        return [
            phase.name,
            phase.phase_type.value,
            phase.part.value,
            phase.start.isoformat(),
            (phase.end - timedelta(days=1)).isoformat(),
            phase.location,
            str(meeting_id) if meeting_id is not None else "",
        ]


# --- delegates ---------------------------------------------------------------------------------


def _commit_on_choice(delegate: QStyledItemDelegate, combo: QComboBox) -> None:
    """Choosing an entry in the popup ends the edit: no Enter or click elsewhere needed."""

    def commit() -> None:
        delegate.commitData.emit(combo)
        delegate.closeEditor.emit(combo, QStyledItemDelegate.EndEditHint.NoHint)

    combo.activated.connect(lambda _: commit())


class PickDelegate(ChoiceDelegate):
    """A combo of fixed values (value -> label) that commits as soon as one is chosen."""

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> QWidget:
        combo = super().createEditor(parent, option, index)
        assert isinstance(combo, QComboBox)
        _commit_on_choice(self, combo)
        return combo


class DayDelegate(QStyledItemDelegate):
    """A date edit with a calendar for an ISO date cell."""

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> QWidget:
        edit = QDateEdit(parent)
        edit.setDisplayFormat("d MMM yyyy")  # the weekday would not fit in the cell
        edit.setCalendarPopup(True)
        return edit

    def setEditorData(self, editor: QWidget, index: _Index) -> None:  # noqa: N802
        assert isinstance(editor, QDateEdit)
        day = _parse_day(str(index.data(Qt.ItemDataRole.EditRole)))
        if day is not None:
            editor.setDate(_qdate(day))

    def setModelData(self, editor: QWidget, model: Any, index: _Index) -> None:  # noqa: N802
        assert isinstance(editor, QDateEdit)
        model.setData(index, _pydate(editor.date()).isoformat(), Qt.ItemDataRole.EditRole)


class MeetingDelegate(QStyledItemDelegate):
    """A combo of the meetings a phase may have as planning meeting, asked for on opening.

    ``choices(row)`` gives (cell value, label) pairs, None where a separator goes.
    """

    def __init__(
        self,
        choices: Callable[[int], list[tuple[str, str] | None]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._choices = choices

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> QWidget:
        combo = QComboBox(parent)
        combo.addItem(_NO_MEETING, "")
        for entry in self._choices(index.row()):
            if entry is None:
                combo.insertSeparator(combo.count())
            else:
                combo.addItem(entry[1], entry[0])
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        view = combo.view()
        view.setMinimumWidth(min(max(view.sizeHintForColumn(0) + 24, option.rect.width()), 640))
        view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        combo.setMaxVisibleItems(16)
        _commit_on_choice(self, combo)
        return combo

    def setEditorData(self, editor: QWidget, index: _Index) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        at = editor.findData(str(index.data(Qt.ItemDataRole.EditRole)))
        editor.setCurrentIndex(max(at, 0))

    def setModelData(self, editor: QWidget, model: Any, index: _Index) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


# --- the dialog --------------------------------------------------------------------------------


def _setting_of(services: Services, key: str) -> Any:
    try:
        return services.catalog.setting(key)
    except LiaisonError:
        return None


class ExerciseDialog(FormDialog):
    """Edit every field of a PACE exercise and its phases; ``draft()`` gives what was entered.

    Build it with ``for_new`` or ``for_exercise``, or directly on a draft (and the planning
    meetings of its phases, by phase UID, as ``links``). Nothing is saved here. Every phase row
    has a UID (new rows get a fresh one), so that ``linked_meetings()`` can name them all.

    Signal ``validated(bool)`` follows every check (True when OK is enabled).
    """

    validated = Signal(bool)

    def __init__(
        self,
        services: Services,
        draft: ExerciseDraft | None = None,
        *,
        links: Mapping[str, int | None] | None = None,
        title: str = "New exercise",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._tz = _setting_of(services, "default_tz") or "Europe/Brussels"
        self._base = draft or self._blank_draft(services.clock.now().date())
        self._links = dict(links or {})
        # A phase draft may come with a new planning meeting to create; it is passed on as is.
        self._meeting_drafts: dict[str, MeetingDraft] = {}
        self._loading = True
        self._validating = False
        self._offered: dict[tuple[date, date], list[MeetingChoice]] = {}
        self._strand_order: list[str] = []
        self._red = error_colour(self.palette())
        self._strands = {s.key: s for s in services.catalog.strands()}

        self.setWindowTitle(title)
        self.setObjectName("ExerciseDialog")
        top = self._build_fields()
        phases = self._build_phases()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button = ok
        self.ok_button.setText("OK")  # Ctrl+Return accepts
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary_label, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(6)
        layout.addWidget(phases, 1)
        layout.addLayout(bottom)

        self._set_tab_order()
        self._load(self._base)
        self._connect_signals()
        self._loading = False
        self._validate()
        self.resize(1180, 680)
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- ways to open it ----------------------------------------------------------------------

    @classmethod
    def for_new(
        cls, services: Services, day: date, *, parent: QWidget | None = None
    ) -> "ExerciseDialog":
        """A new exercise whose programme period starts on ``day`` and lasts a year."""
        return cls(
            services, cls._blank_draft_of(services, day), title="New exercise", parent=parent
        )

    @classmethod
    def for_exercise(
        cls, services: Services, exercise_id: int, *, parent: QWidget | None = None
    ) -> "ExerciseDialog":
        """Edit exercise ``exercise_id``; ``draft()`` then says what it should become."""
        exercise = services.exercises.get(exercise_id)
        return cls(
            services,
            services.exercises.draft_of(exercise_id),
            links={p.uid: p.meeting_id for p in exercise.phases},
            title=f"Edit exercise — {exercise.name}",
            parent=parent,
        )

    @staticmethod
    def _blank_draft_of(services: Services, day: date) -> ExerciseDraft:
        return ExerciseDraft(
            name="",
            period_start=day,
            period_end=_next_year(day),
            marking=_setting_of(services, "default_marking") or "",
        )

    def _blank_draft(self, day: date) -> ExerciseDraft:
        return self._blank_draft_of(self._services, day)

    # --- what the caller reads ----------------------------------------------------------------

    def draft(self) -> ExerciseDraft:
        """The exercise as entered; a ``ValidationError`` if anything is still wrong."""
        draft, problems = self._collect()
        if problems or draft is None:
            raise ValidationError(problems[0].message if problems else "The exercise is not valid.")
        return draft

    def linked_meetings(self) -> dict[str, int | None]:
        """Phase UID -> the id of its planning meeting (None: none), for every phase row."""
        return self.phases_model.links()

    # --- building -----------------------------------------------------------------------------

    def _with_error(self, field: str, *widgets: QWidget) -> QWidget:
        box = QWidget(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for i, widget in enumerate(widgets):
            row.addWidget(widget, 1 if i == 0 and len(widgets) == 1 else 0)
        if len(widgets) > 1:
            row.addStretch(1)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(row)
        column.addWidget(self._error_label(field))
        box.setFocusProxy(widgets[0])
        return box

    def _build_fields(self) -> QHBoxLayout:
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("e.g. PACE 2024–2025 crisis management exercise")
        self.name_edit.setMaxLength(300)
        self.programme_edit = QLineEdit(self)
        self.programme_edit.setPlaceholderText("e.g. Parallel and Coordinated Exercises 2024–2025")
        self.start_edit = QDateEdit(self)
        self.end_edit = QDateEdit(self)
        for edit in (self.start_edit, self.end_edit):
            edit.setDisplayFormat(_DAY_FORMAT)
            edit.setCalendarPopup(True)
        self.end_edit.setToolTip("The last day of the programme period")
        self.to_label = QLabel("&to", self)
        self.to_label.setContentsMargins(6, 0, 6, 0)
        self.to_label.setBuddy(self.end_edit)
        self.length_label = QLabel(self)
        self.length_label.setEnabled(False)  # a quiet hint, in the palette's disabled colour
        self.length_label.setContentsMargins(6, 0, 0, 0)
        self.marking_combo = QComboBox(self)
        self.marking_combo.setEditable(True)
        self.marking_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.marking_combo.addItems(["", *COMMON_MARKINGS])
        self.marking_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.marking_combo.setMinimumContentsLength(16)
        self.release_combo = QComboBox(self)
        for level, label in _RELEASE_LABELS.items():
            self.release_combo.addItem(label, level)
        self.release_combo.setToolTip("A feed of a lower level never carries this exercise")
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setPlaceholderText("What the exercise is about, its aims")
        self.description_edit.setMaximumHeight(84)

        self.strands_list = QListWidget(self)
        self.strands_list.setIconSize(QSize(12, 12))
        for strand in self._strands.values():
            item = QListWidgetItem(_swatch(strand.colour), strand.name, self.strands_list)
            item.setData(Qt.ItemDataRole.UserRole, strand.key)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsSelectable
            )
            item.setCheckState(Qt.CheckState.Unchecked)
        self.strands_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        frame = 2 * self.strands_list.frameWidth()
        self.strands_list.setMinimumWidth(
            min(self.strands_list.sizeHintForColumn(0) + frame + 8, 340)
        )

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Name:", self._with_error("name", self.name_edit))
        form.addRow("&Programme:", self.programme_edit)
        form.addRow(
            "Peri&od:",
            self._with_error(
                "period", self.start_edit, self.to_label, self.end_edit, self.length_label
            ),
        )
        form.addRow("&Handling marking:", self.marking_combo)
        form.addRow("Release le&vel:", self.release_combo)
        form.addRow("D&escription:", self.description_edit)

        strands = QVBoxLayout()
        strands_label = QLabel("Wor&k strands:", self)
        strands_label.setBuddy(self.strands_list)
        strands.addWidget(strands_label)
        strands.addWidget(self.strands_list, 1)

        top = QHBoxLayout()
        top.addLayout(form, 3)
        top.addSpacing(12)
        top.addLayout(strands, 1)
        return top

    def _build_phases(self) -> QWidget:
        self.phases_model = PhasesModel(self)
        self.phases_editor = RowsEditor(self.phases_model, "phase", self, margin=0)
        view = self.phases_editor.view
        view.setItemDelegateForColumn(
            PhaseColumn.TYPE, PickDelegate(PhasesModel.choices[PhaseColumn.TYPE], view)
        )
        view.setItemDelegateForColumn(
            PhaseColumn.PART, PickDelegate(PhasesModel.choices[PhaseColumn.PART], view)
        )
        days = DayDelegate(view)
        view.setItemDelegateForColumn(PhaseColumn.START, days)
        view.setItemDelegateForColumn(PhaseColumn.LAST_DAY, days)
        view.setItemDelegateForColumn(
            PhaseColumn.MEETING, MeetingDelegate(self._meeting_choices, view)
        )
        widths = {
            PhaseColumn.TYPE: 155,
            PhaseColumn.PART: 80,
            PhaseColumn.START: 115,
            PhaseColumn.LAST_DAY: 115,
            PhaseColumn.LOCATION: 150,
            PhaseColumn.MEETING: 250,
        }
        header = view.horizontalHeader()
        for column, width in widths.items():
            view.setColumnWidth(column, width)
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(PhaseColumn.NAME, QHeaderView.ResizeMode.Stretch)
        view.setMinimumHeight(160)
        view.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # titles differ at their ends
        self.phases_editor.error_label.setObjectName("error_phases")
        self._error_labels["phases"] = self.phases_editor.error_label

        page = QWidget(self)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Ph&ases:", page)
        label.setBuddy(view)
        box.addWidget(label)
        box.addWidget(self.phases_editor, 1)
        page.setFocusProxy(view)
        return page

    def _set_tab_order(self) -> None:
        editor = self.phases_editor
        chain: list[QWidget] = [
            self.name_edit,
            self.programme_edit,
            self.start_edit,
            self.end_edit,
            self.marking_combo,
            self.release_combo,
            self.description_edit,
            self.strands_list,
            editor.view,
            editor.add_button,
            editor.remove_button,
            editor.up_button,
            editor.down_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _connect_signals(self) -> None:
        changed = self._on_changed
        self.name_edit.textChanged.connect(changed)
        self.programme_edit.textChanged.connect(changed)
        self.start_edit.dateChanged.connect(self._on_period_changed)
        self.end_edit.dateChanged.connect(self._on_period_changed)
        self.marking_combo.editTextChanged.connect(changed)
        self.release_combo.currentIndexChanged.connect(changed)
        self.description_edit.textChanged.connect(changed)
        self.strands_list.itemChanged.connect(changed)
        model = self.phases_model
        model.dataChanged.connect(changed)
        model.rowsInserted.connect(changed)
        model.rowsRemoved.connect(changed)
        model.rowsMoved.connect(changed)
        model.modelReset.connect(changed)
        self._connect_accept(self.buttons)

    # --- loading a draft ----------------------------------------------------------------------

    def _load(self, draft: ExerciseDraft) -> None:
        self.name_edit.setText(draft.name)
        self.programme_edit.setText(draft.programme)
        self.start_edit.setDate(_qdate(draft.period_start))
        self.end_edit.setDate(_qdate(max(draft.period_start, draft.period_end - timedelta(days=1))))
        self.marking_combo.setEditText(draft.marking)
        self.release_combo.setCurrentIndex(max(self.release_combo.findData(draft.release_level), 0))
        self.description_edit.setPlainText(draft.description)
        self._strand_order = list(draft.strands)
        for key in draft.strands:
            if key not in self._strands:
                item = QListWidgetItem(_swatch("#9e9e9e"), key, self.strands_list)
                item.setData(Qt.ItemDataRole.UserRole, key)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        for i in range(self.strands_list.count()):
            item = self.strands_list.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in draft.strands
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

        self.phases_model.set_period(*self._period())
        self._remember_linked(list(self._links.values()))
        rows, tags = [], []
        for phase in draft.phases:
            uid = phase.uid or new_phase_uid()
            if phase.meeting is not None:
                self._meeting_drafts[uid] = phase.meeting
            rows.append(PhasesModel.cells_of(phase, self._links.get(uid)))
            tags.append(uid)
        self.phases_model.set_rows(rows, tags)
        self._show_length()

    def _remember_linked(self, meeting_ids: Sequence[int | None]) -> None:
        """Titles of the meetings linked already, which the period may not show."""
        for meeting_id in meeting_ids:
            if meeting_id is None or meeting_id in self.phases_model.meetings:
                continue
            try:
                meeting = self._services.meetings.get(meeting_id)
            except LiaisonError:
                continue
            start = meeting.start
            first = start.date() if isinstance(start, datetime) else start
            self.phases_model.meetings[meeting_id] = MeetingChoice(
                meeting_id, meeting.title, first, repeats=meeting.rrule is not None
            )

    # --- reactions ----------------------------------------------------------------------------

    def _on_changed(self, *_: object) -> None:
        if not self._loading:
            self._validate()

    def _on_period_changed(self, *_: object) -> None:
        if self._loading:
            return
        self.phases_model.set_period(*self._period())
        self._show_length()
        self._validate()

    def _show_length(self) -> None:
        start, end = self._period()
        days = (end - start).days
        if days <= 0:
            self.length_label.setText("")
            return
        months = (end.year - start.year) * 12 + end.month - start.month
        whole_months = end.day == start.day and months > 0
        self.length_label.setText(
            f"{months} month{'s' if months != 1 else ''}"
            if whole_months
            else f"{days} day{'s' if days != 1 else ''}"
        )

    def _period(self) -> tuple[date, date]:
        """The programme period, its end exclusive."""
        return _pydate(self.start_edit.date()), _pydate(self.end_edit.date()) + timedelta(days=1)

    def _meeting_choices(self, row: int) -> list[tuple[str, str] | None]:
        """(cell value, label) of the meetings phase ``row`` may have, None for a separator.

        The meetings during the phase come first, then every other meeting of the programme
        period in date order; a meeting another phase has is marked with that phase.
        """
        offered = self._meetings_in(*self._period())
        rows = self.phases_model.rows()
        cells = rows[row]
        holders: dict[str, int] = {}
        for i, other in enumerate(rows):
            if i != row and other[PhaseColumn.MEETING]:
                holders.setdefault(other[PhaseColumn.MEETING], i)

        def item(choice: MeetingChoice) -> tuple[str, str]:
            value = str(choice.id)
            holder = holders.get(value)
            note = f" — planning meeting of phase {holder + 1}" if holder is not None else ""
            return value, choice.label() + note

        start = _parse_day(cells[PhaseColumn.START])
        last = _parse_day(cells[PhaseColumn.LAST_DAY])
        during = [
            c
            for c in offered
            if start is not None and last is not None and c.first and start <= c.first <= last
        ]
        others = [c for c in offered if c not in during]
        items: list[tuple[str, str] | None] = []
        current = self.phases_model.meeting(cells[PhaseColumn.MEETING])
        if current is not None and current not in offered:
            items.append(item(current))  # linked already, though not in the period
        items.extend(item(c) for c in during)
        if items and others:
            items.append(None)
        items.extend(item(c) for c in others)
        return items

    def _meetings_in(self, start: date, end: date) -> list[MeetingChoice]:
        """Every meeting with an occurrence in ``[start, end)``, once, by its first date there."""
        if (start, end) not in self._offered:
            ours = {m for m in self._links.values() if m is not None}
            found: dict[int, MeetingChoice] = {}
            try:
                occurrences = self._services.queries.occurrences(
                    day_start(start, self._tz), day_start(end, self._tz)
                )
            except LiaisonError:
                occurrences = []
            for occ in occurrences:
                m = occ.meeting
                meeting_id = m.master_id if m.master_id is not None else m.id
                if meeting_id in found:
                    continue
                first = occ.start.date() if isinstance(occ.start, datetime) else occ.start
                found[meeting_id] = MeetingChoice(
                    meeting_id,
                    m.title,
                    first,
                    repeats=m.rrule is not None or m.master_id is not None,
                    elsewhere=m.exercise_phase_id is not None and meeting_id not in ours,
                )
            self._offered[(start, end)] = list(found.values())
            for choice in found.values():
                self.phases_model.meetings.setdefault(choice.id, choice)
        return self._offered[(start, end)]

    # --- checking -----------------------------------------------------------------------------

    def _checked_strands(self) -> list[str]:
        checked = [
            self.strands_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.strands_list.count())
            if self.strands_list.item(i).checkState() == Qt.CheckState.Checked
        ]
        kept = [k for k in self._strand_order if k in checked]
        return kept + [k for k in checked if k not in kept]

    def _collect(self) -> tuple[ExerciseDraft | None, list[Problem]]:
        """The draft the widgets say, with every problem that stops it being saved."""
        problems: list[Problem] = []
        name = " ".join(self.name_edit.text().split())
        if not name:
            problems.append(Problem("name", "An exercise needs a name."))
        start, end = self._period()
        if end <= start:
            problems.append(
                Problem(
                    "period",
                    f"The last day ({_day_words(end - timedelta(days=1))}) is before the first "
                    f"day ({_day_words(start)}).",
                )
            )
        else:
            problems.extend(Problem("phases", m) for _, _, m in self.phases_model.problems())
        if problems:
            return None, problems
        draft = ExerciseDraft(
            name=name,
            programme=self.programme_edit.text().strip(),
            period_start=start,
            period_end=end,
            description=self.description_edit.toPlainText(),
            strands=self._checked_strands(),
            marking=self.marking_combo.currentText().strip(),
            release_level=self.release_combo.currentData(),
            uid=self._base.uid,
            phases=self.phases_model.drafts(self._meeting_drafts),
        )
        try:
            check_draft(draft)  # the service's own rules: anything the checks above missed
        except ValidationError as exc:
            return None, [Problem("form", exc.message)]
        return draft, []

    def _validate(self) -> None:
        if self._validating or self._loading:
            return
        self._validating = True
        try:
            _, self._problems = self._collect()
            self._show()
        finally:
            self._validating = False
        self.validated.emit(not self._problems)

    def _show(self) -> None:
        by_field: dict[str, list[Problem]] = {}
        for p in self._problems:
            by_field.setdefault(p.field, []).append(p)
        for field, label in self._error_labels.items():
            text = "\n".join(p.message for p in by_field.get(field, []))
            label.setText(text)
            label.setStyleSheet(f"color: {self._red};")
            label.setVisible(bool(text))
        self.ok_button.setEnabled(not self._problems)
        if self._problems:
            count = len(self._problems)
            noun = "problem" if count == 1 else "problems"
            self.summary_label.setText(f"{count} {noun} to fix: {self._problems[0].message}")
            self.summary_label.setStyleSheet(f"color: {self._red};")
            self.ok_button.setToolTip("\n".join(p.message for p in self._problems))
        else:
            self.summary_label.setText("")
            self.ok_button.setToolTip("Save the exercise (Ctrl+Return)")
