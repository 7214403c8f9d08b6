"""The meeting editor: every field of a meeting, checked as it is typed.

The dialog saves nothing. It is opened on a draft (new meeting, an existing one, the next
iteration of a series) and hands back ``draft()``; the caller saves it through the services
inside an undo command. Problems are shown in red beside the field that has them, and OK stays
disabled while there is any.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import IntEnum
from typing import Any, ClassVar

import pydantic
from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QDate,
    QDateTime,
    QEvent,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTime,
    QTimeZone,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDateTimeEdit,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from liaison_calendar.domain.agenda import clock_times, ordinal, overrun
from liaison_calendar.domain.enums import ActionStatus, LeadSide, Mode, ReleaseLevel, Side, Status
from liaison_calendar.domain.models import (
    ActionItemDraft,
    AgendaItemDraft,
    MeetingDetail,
    MeetingDraft,
    MeetingFilter,
    Moment,
    ParticipantDraft,
    Series,
)
from liaison_calendar.domain.recurrence import (
    build_rule,
    first_start,
    normalise_rule,
    occurrence_key,
)
from liaison_calendar.domain.timezones import localize, zone
from liaison_calendar.errors import LiaisonError, ValidationError
from liaison_calendar.services.context import Services
from liaison_calendar.services.meetings import make_span
from liaison_calendar.ui.forms import FormDialog, Problem
from liaison_calendar.ui.zones import ZonePicker, error_colour

COMMON_MARKINGS = (
    "PUBLIC",
    "EU-NATO STAFF ONLY",
    "EU-NATO STAFF ONLY – LIMITED DISTRIBUTION",
)
"""Handling markings offered in the list; any other text may be typed."""

MAX_AGENDA_MINUTES = 24 * 60
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_UTC = QTimeZone.utc()
_SUB_DAILY = re.compile(r"FREQ=(HOURLY|MINUTELY|SECONDLY)", re.IGNORECASE)

_MODE_LABELS = {Mode.IN_PERSON: "In person", Mode.VIDEO: "Video", Mode.HYBRID: "Hybrid"}
_LEAD_LABELS = {LeadSide.EU: "EU", LeadSide.NATO: "NATO", LeadSide.CO_CHAIRED: "Co-chaired"}
_STATUS_LABELS = {
    Status.TENTATIVE: "Tentative",
    Status.CONFIRMED: "Confirmed",
    Status.POSTPONED: "Postponed",
    Status.CANCELLED: "Cancelled",
}
_RELEASE_LABELS = {
    ReleaseLevel.PUBLIC: "Public",
    ReleaseLevel.STAFF: "Staff",
    ReleaseLevel.RESTRICTED: "Restricted",
}
_SIDE_LABELS = {Side.EU: "EU", Side.NATO: "NATO", Side.PARTNER: "Partner", Side.OTHER: "Other"}
_ACTION_LABELS = {
    ActionStatus.OPEN: "Open",
    ActionStatus.DONE: "Done",
    ActionStatus.DROPPED: "Dropped",
    ActionStatus.CARRIED: "Carried",
}


# --- drafts and wall times ---------------------------------------------------------------------


def _wall(value: Moment, tz: str) -> Moment:
    """An aware datetime as naive wall time in ``tz``; dates and naive times as they are."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(zone(tz)).replace(tzinfo=None)
    return value


def draft_from_detail(detail: MeetingDetail) -> MeetingDraft:
    """The draft that says everything ``detail`` says: edit it and save it back.

    Times become wall times in the meeting's zone, as drafts take them. What a draft cannot
    hold stays behind: ids, SEQUENCE, timestamps, where carried action items came from.
    """
    tz = detail.tz
    return MeetingDraft(
        title=detail.title,
        kind=detail.kind,
        start=_wall(detail.start, tz),
        end=_wall(detail.end, tz),
        tz=tz,
        strands=list(detail.strands),
        partners=list(detail.partners),
        series=detail.series,
        iteration=detail.iteration,
        location=detail.location,
        mode=detail.mode,
        lead_side=detail.lead_side,
        status=detail.status,
        marking=detail.marking,
        release_level=detail.release_level,
        description=detail.description,
        outcomes=detail.outcomes,
        rrule=detail.rrule,
        exdates=[_wall(x, tz) for x in detail.exdates],
        rdates=[_wall(x, tz) for x in detail.rdates],
        proposals=list(detail.proposals),
        floating=detail.floating,
        uid=detail.uid,
        participants=[
            ParticipantDraft(
                name=p.name, organisation=p.organisation, side=p.side, role=p.role, email=p.email
            )
            for p in detail.participants
        ],
        agenda=[
            AgendaItemDraft(title=a.title, lead=a.lead, duration_min=a.duration_min, notes=a.notes)
            for a in detail.agenda
        ],
        actions=[
            ActionItemDraft(text=a.text, owner=a.owner, due=a.due, status=a.status)
            for a in detail.actions
        ],
    )


# --- recurrence presets ------------------------------------------------------------------------


class Repeat(IntEnum):
    """The entries of the recurrence combo, in order."""

    NONE = 0
    WEEKLY = 1
    MONTHLY = 2
    YEARLY = 3
    CUSTOM = 4


def _nth_weekday(day: date) -> tuple[int, str]:
    """(n, words) of ``day`` in its month: (3, 'third') ... (-1, 'last') for a 5th weekday."""
    n = (day.day - 1) // 7 + 1
    if n == 5:
        return -1, "last"
    return n, ("first", "second", "third", "fourth")[n - 1]


def preset_rule(preset: Repeat, day: date) -> str | None:
    """The RRULE of a preset for a meeting starting on ``day`` (None for none and custom)."""
    code = _BYDAY[day.weekday()]
    if preset is Repeat.WEEKLY:
        return f"FREQ=WEEKLY;BYDAY={code}"
    if preset is Repeat.MONTHLY:
        return f"FREQ=MONTHLY;BYDAY={_nth_weekday(day)[0]}{code}"
    if preset is Repeat.YEARLY:
        return "FREQ=YEARLY"
    return None


def preset_label(preset: Repeat, day: date) -> str:
    weekday = _WEEKDAYS[day.weekday()]
    if preset is Repeat.WEEKLY:
        return f"Weekly on {weekday}"
    if preset is Repeat.MONTHLY:
        return f"Monthly on the {_nth_weekday(day)[1]} {weekday}"
    if preset is Repeat.YEARLY:
        return f"Yearly on {day.day} {day:%B}"
    if preset is Repeat.CUSTOM:
        return "Custom rule…"
    return "Does not repeat"


def rule_problem(rule: str, start: Moment, tz: str) -> str:
    """Why ``rule`` cannot repeat a meeting starting at ``start`` (wall time in ``tz``), or "".

    A start that does not exist in ``tz`` (a DST gap) is the time check's to report, not this.
    """
    try:
        anchor: Moment = localize(start, tz) if isinstance(start, datetime) else start
    except ValidationError:
        return ""
    try:
        build_rule(rule, anchor, tz)
        first = first_start(normalise_rule(rule), anchor, tz)
    except LiaisonError as exc:
        return exc.message
    if first is None:
        return f"The repeat rule {normalise_rule(rule)!r} gives no dates at all."
    if occurrence_key(first) != occurrence_key(anchor):
        return (
            f"The meeting's start is not a date of this rule; its first date is "
            f"{_wall(first, tz):%a %d %b %Y}. Start the meeting on that date or change the rule."
        )
    return ""


def _rule_dates(rule: str, start: Moment, tz: str, days: set[date]) -> set[date]:
    """Which of ``days`` the rule gives (for warnings; bad rules give none).

    A rule repeating within the day is taken to give every day: expanding it over months on
    every keystroke would stall the dialog.
    """
    if not days:
        return set()
    if _SUB_DAILY.search(rule):
        return set(days)
    try:
        anchor: Moment = localize(start, tz) if isinstance(start, datetime) else start
        parsed = build_rule(rule, anchor, tz)
    except LiaisonError:
        return set()
    lo, hi = min(days), max(days) + timedelta(days=1)
    if isinstance(anchor, datetime):
        tzinfo = zone(tz)
        found = parsed.between(
            datetime.combine(lo, time.min, tzinfo), datetime.combine(hi, time.min, tzinfo), inc=True
        )
    else:
        found = parsed.between(datetime.combine(lo, time.min), datetime.combine(hi, time.min))
    return {d.date() for d in found} & days


# --- Qt conversions ----------------------------------------------------------------------------


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _qdatetime(value: datetime) -> QDateTime:
    return QDateTime(_qdate(value.date()), QTime(value.hour, value.minute, value.second), _UTC)


def _pydatetime(value: QDateTime) -> datetime:
    """The wall time shown in an edit (its zone is UTC only so that no local DST gets in)."""
    t = value.time()
    return datetime.combine(_pydate(value.date()), time(t.hour(), t.minute(), t.second()))


def _duration_words(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"{hours} h {mins:02d} min"
    return f"{hours} h" if hours else f"{mins} min"


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


def _warning_colour(widget: QWidget) -> str:
    dark = widget.palette().color(widget.backgroundRole()).lightness() < 128
    return "#ffcc80" if dark else "#9a5b00"


# --- table models ------------------------------------------------------------------------------

_Index = QModelIndex | QPersistentModelIndex
_ROWS_MIME = "application/x-liaison-calendar-rows"


class RowsModel(QAbstractTableModel):
    """Rows of text cells that the user edits, adds, removes and reorders (drag or buttons).

    Subclasses name their columns with an ``IntEnum`` and say what is wrong with a row in
    ``row_problems``; a cell with a problem is tinted and carries the reason as its tooltip.
    Each row may carry a tag (e.g. the id of the action item it was carried over from).
    """

    Column: ClassVar[type[IntEnum]]
    headers: ClassVar[dict[int, str]]
    defaults: ClassVar[tuple[str, ...]]
    choices: ClassVar[dict[int, dict[str, str]]] = {}  # column -> value -> label
    computed: ClassVar[frozenset[int]] = frozenset()  # read-only columns

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[list[str]] = []
        self._tags: list[object] = []

    # --- rows as the dialog sees them ---

    def set_rows(self, rows: Sequence[Sequence[str]], tags: Sequence[object] = ()) -> None:
        self.beginResetModel()
        self._rows = [list(r) for r in rows]
        self._tags = list(tags) + [None] * (len(rows) - len(tags))
        self.endResetModel()

    def rows(self) -> list[list[str]]:
        return [list(r) for r in self._rows]

    def tags(self) -> list[object]:
        return list(self._tags)

    def append_row(self, values: Sequence[str] | None = None, tag: object = None) -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(list(values) if values is not None else list(self.defaults))
        self._tags.append(tag)
        self.endInsertRows()
        return row

    def move_row(self, row: int, to: int) -> bool:
        """Move ``row`` so that it ends up at position ``to``."""
        if not (0 <= row < len(self._rows) and 0 <= to < len(self._rows)) or row == to:
            return False
        return self.moveRows(QModelIndex(), row, 1, QModelIndex(), to + 1 if to > row else to)

    def row_problems(self, row: int, cells: Sequence[str]) -> dict[int, str]:
        """Column -> what is wrong with that cell of row ``row``."""
        return {}

    def problems(self) -> list[tuple[int, int, str]]:
        """(row, column, message) of every problem, top to bottom."""
        found = []
        for row, cells in enumerate(self._rows):
            for column, message in sorted(self.row_problems(row, cells).items()):
                found.append((row, column, message))
        return found

    # --- QAbstractTableModel ---

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.Column)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers.get(section)
        return str(section + 1)

    def cell(self, row: int, column: int) -> str:
        return self._rows[row][column]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        value = self.cell(row, column)
        if role == Qt.ItemDataRole.DisplayRole:
            labels = self.choices.get(column)
            return labels.get(value, value) if labels else value
        if role == Qt.ItemDataRole.EditRole:
            return value
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.BackgroundRole):
            problem = self.row_problems(row, self._rows[row]).get(column)
            if problem is None:
                return None
            if role == Qt.ItemDataRole.ToolTipRole:
                return problem
            return QColor(229, 57, 53, 70)
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        if index.column() in self.computed:
            return False
        text = "" if value is None else str(value)
        if self._rows[index.row()][index.column()] == text:
            return True
        self._rows[index.row()][index.column()] = text
        self.dataChanged.emit(
            self.index(index.row(), 0), self.index(index.row(), self.columnCount() - 1)
        )
        return True

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemIsDropEnabled
        )
        if index.column() not in self.computed:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def removeRows(self, row: int, count: int, parent: _Index = QModelIndex()) -> bool:  # noqa: B008, N802
        if parent.isValid() or count < 1 or row < 0 or row + count > len(self._rows):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self._rows[row : row + count]
        del self._tags[row : row + count]
        self.endRemoveRows()
        return True

    def moveRows(  # noqa: N802
        self,
        source_parent: _Index,
        source_row: int,
        count: int,
        destination_parent: _Index,
        destination_child: int,
    ) -> bool:
        """Qt's convention: ``destination_child`` is the row before which the block goes."""
        if source_parent.isValid() or destination_parent.isValid() or count < 1:
            return False
        last = source_row + count - 1
        if source_row < 0 or last >= len(self._rows):
            return False
        if source_row <= destination_child <= last + 1 or not (
            0 <= destination_child <= len(self._rows)
        ):
            return False
        if not self.beginMoveRows(
            QModelIndex(), source_row, last, QModelIndex(), destination_child
        ):
            return False
        rows, tags = self._rows[source_row : last + 1], self._tags[source_row : last + 1]
        del self._rows[source_row : last + 1]
        del self._tags[source_row : last + 1]
        at = destination_child if destination_child < source_row else destination_child - count
        self._rows[at:at] = rows
        self._tags[at:at] = tags
        self.endMoveRows()
        return True

    # --- drag and drop: rows move inside the table ---

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [_ROWS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802
        rows = sorted({i.row() for i in indexes if i.isValid()})
        mime = QMimeData()
        mime.setData(_ROWS_MIME, QByteArray(",".join(map(str, rows)).encode()))
        return mime

    def _dragged_rows(self, data: QMimeData) -> list[int]:
        if not data.hasFormat(_ROWS_MIME):
            return []
        text = bytes(data.data(_ROWS_MIME).data()).decode()
        try:
            return [int(x) for x in text.split(",") if x]
        except ValueError:
            return []

    def canDropMimeData(  # noqa: N802
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        return action == Qt.DropAction.MoveAction and bool(self._dragged_rows(data))

    def dropMimeData(  # noqa: N802
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        """Move the dragged rows to the drop point.

        Returns False on purpose: the rows have moved already, and a True would make the view
        delete the "source" rows of a move as well.
        """
        rows = self._dragged_rows(data)
        if action != Qt.DropAction.MoveAction or not rows:
            return False
        if rows != list(range(rows[0], rows[0] + len(rows))) or rows[-1] >= len(self._rows):
            return False  # only one contiguous block at a time
        if row < 0:
            row = parent.row() if parent.isValid() else len(self._rows)
        self.moveRows(QModelIndex(), rows[0], len(rows), QModelIndex(), row)
        return False


class ParticipantColumn(IntEnum):
    NAME = 0
    ORGANISATION = 1
    SIDE = 2
    ROLE = 3
    EMAIL = 4


class ParticipantsModel(RowsModel):
    Column = ParticipantColumn
    headers: ClassVar[dict[int, str]] = {
        ParticipantColumn.NAME: "Name",
        ParticipantColumn.ORGANISATION: "Organisation",
        ParticipantColumn.SIDE: "Side",
        ParticipantColumn.ROLE: "Role",
        ParticipantColumn.EMAIL: "E-mail",
    }
    defaults = ("", "", Side.OTHER.value, "", "")
    choices: ClassVar[dict[int, dict[str, str]]] = {
        ParticipantColumn.SIDE: {s.value: label for s, label in _SIDE_LABELS.items()}
    }

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.organisation_sides: dict[str, Side] = {}  # case-folded name -> side

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        changed = super().setData(index, value, role)
        if changed and index.column() == ParticipantColumn.ORGANISATION:
            # A known organisation tells the side, unless the user chose one already.
            side = self.organisation_sides.get(" ".join(str(value).split()).casefold())
            if side is not None and self.cell(index.row(), ParticipantColumn.SIDE) == Side.OTHER:
                super().setData(self.index(index.row(), ParticipantColumn.SIDE), side.value, role)
        return changed

    def row_problems(self, row: int, cells: Sequence[str]) -> dict[int, str]:
        found: dict[int, str] = {}
        if not cells[ParticipantColumn.NAME].strip():
            found[ParticipantColumn.NAME] = f"Participant {row + 1} needs a name."
        email = cells[ParticipantColumn.EMAIL].strip()
        if email and not _EMAIL.match(email):
            found[ParticipantColumn.EMAIL] = (
                f"Participant {row + 1}: {email!r} is not an e-mail address."
            )
        return found

    def drafts(self) -> list[ParticipantDraft]:
        return [
            ParticipantDraft(
                name=" ".join(c[ParticipantColumn.NAME].split()),
                organisation=c[ParticipantColumn.ORGANISATION].strip(),
                side=Side(c[ParticipantColumn.SIDE]),
                role=c[ParticipantColumn.ROLE].strip(),
                email=c[ParticipantColumn.EMAIL].strip(),
            )
            for c in self._rows
        ]

    @staticmethod
    def cells_of(p: ParticipantDraft) -> list[str]:
        return [p.name, p.organisation, p.side.value, p.role, p.email]


class AgendaColumn(IntEnum):
    TITLE = 0
    LEAD = 1
    MINUTES = 2
    STARTS = 3
    ENDS = 4
    NOTES = 5


def _minutes(text: str) -> int | None:
    """The whole minutes in ``text`` if it is a duration the agenda accepts."""
    text = text.strip()
    if not text.isdigit():
        return None
    value = int(text)
    return value if 0 <= value <= MAX_AGENDA_MINUTES else None


class AgendaModel(RowsModel):
    """Agenda items; each starts when the one before ends, from the meeting start."""

    Column = AgendaColumn
    headers: ClassVar[dict[int, str]] = {
        AgendaColumn.TITLE: "Item",
        AgendaColumn.LEAD: "Lead",
        AgendaColumn.MINUTES: "Minutes",
        AgendaColumn.STARTS: "Starts",
        AgendaColumn.ENDS: "Ends",
        AgendaColumn.NOTES: "Notes",
    }
    defaults = ("", "", "30", "", "", "")
    computed = frozenset({AgendaColumn.STARTS, AgendaColumn.ENDS})

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._start: datetime | None = None  # aware; None for an all-day meeting

    def set_start(self, start: datetime | None) -> None:
        if start == self._start:
            return
        self._start = start
        if self._rows:
            self.dataChanged.emit(
                self.index(0, AgendaColumn.STARTS),
                self.index(len(self._rows) - 1, AgendaColumn.ENDS),
            )

    def clock(self) -> list[tuple[datetime, datetime] | None]:
        """Each item's (start, end), or None from the first item without a valid duration."""
        if self._start is None:
            return [None] * len(self._rows)
        durations = []
        for cells in self._rows:
            minutes = _minutes(cells[AgendaColumn.MINUTES])
            if minutes is None:
                break
            durations.append(minutes)
        spans: list[tuple[datetime, datetime] | None] = list(clock_times(self._start, durations))
        return spans + [None] * (len(self._rows) - len(spans))

    def total_minutes(self) -> int:
        return sum(_minutes(c[AgendaColumn.MINUTES]) or 0 for c in self._rows)

    def cell(self, row: int, column: int) -> str:
        if column in self.computed:
            span = self.clock()[row]
            if span is None:  # all-day: no clock; or after an item without a valid duration
                return "" if self._start is None else "—"
            return f"{span[column == AgendaColumn.ENDS]:%H:%M}"
        return super().cell(row, column)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            index.isValid()
            and index.column() in (AgendaColumn.MINUTES, AgendaColumn.STARTS, AgendaColumn.ENDS)
            and role == Qt.ItemDataRole.TextAlignmentRole
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        changed = super().setData(index, value, role)
        if changed and index.column() == AgendaColumn.MINUTES:
            self._clock_changed(index.row())
        return changed

    def moveRows(  # noqa: N802
        self,
        source_parent: _Index,
        source_row: int,
        count: int,
        destination_parent: _Index,
        destination_child: int,
    ) -> bool:
        moved = super().moveRows(
            source_parent, source_row, count, destination_parent, destination_child
        )
        if moved:
            self._clock_changed(0)
        return moved

    def removeRows(self, row: int, count: int, parent: _Index = QModelIndex()) -> bool:  # noqa: B008, N802
        removed = super().removeRows(row, count, parent)
        if removed and row < len(self._rows):
            self._clock_changed(row)
        return removed

    def _clock_changed(self, first: int) -> None:
        if self._rows:
            self.dataChanged.emit(
                self.index(first, AgendaColumn.STARTS),
                self.index(len(self._rows) - 1, AgendaColumn.ENDS),
            )

    def row_problems(self, row: int, cells: Sequence[str]) -> dict[int, str]:
        found: dict[int, str] = {}
        if not cells[AgendaColumn.TITLE].strip():
            found[AgendaColumn.TITLE] = f"Agenda item {row + 1} needs a title."
        if _minutes(cells[AgendaColumn.MINUTES]) is None:
            found[AgendaColumn.MINUTES] = (
                f"Agenda item {row + 1}: the duration {cells[AgendaColumn.MINUTES].strip()!r} "
                f"must be a whole number of minutes from 0 to {MAX_AGENDA_MINUTES} (24 h)."
            )
        return found

    def drafts(self) -> list[AgendaItemDraft]:
        return [
            AgendaItemDraft(
                title=c[AgendaColumn.TITLE].strip(),
                lead=c[AgendaColumn.LEAD].strip(),
                duration_min=_minutes(c[AgendaColumn.MINUTES]) or 0,
                notes=c[AgendaColumn.NOTES],
            )
            for c in self._rows
        ]

    @staticmethod
    def cells_of(a: AgendaItemDraft) -> list[str]:
        return [a.title, a.lead, str(a.duration_min), "", "", a.notes]


class ActionColumn(IntEnum):
    TEXT = 0
    OWNER = 1
    DUE = 2
    STATUS = 3


def _due(text: str) -> tuple[bool, date | None]:
    """(valid, date) of a due-date cell: empty is valid and means no date."""
    text = text.strip()
    if not text:
        return True, None
    try:
        return True, date.fromisoformat(text)
    except ValueError:
        return False, None


class ActionsModel(RowsModel):
    """Action items; a row's tag is the id of the item it was carried over from, if any."""

    Column = ActionColumn
    headers: ClassVar[dict[int, str]] = {
        ActionColumn.TEXT: "Action",
        ActionColumn.OWNER: "Owner",
        ActionColumn.DUE: "Due (YYYY-MM-DD)",
        ActionColumn.STATUS: "Status",
    }
    defaults = ("", "", "", ActionStatus.OPEN.value)
    choices: ClassVar[dict[int, dict[str, str]]] = {
        ActionColumn.STATUS: {s.value: label for s, label in _ACTION_LABELS.items()}
    }

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and self._tags[index.row()] is not None:
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setItalic(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole and index.column() == ActionColumn.TEXT:
                return "Carried over from the previous iteration"
        return super().data(index, role)

    def row_problems(self, row: int, cells: Sequence[str]) -> dict[int, str]:
        found: dict[int, str] = {}
        if not cells[ActionColumn.TEXT].strip():
            found[ActionColumn.TEXT] = f"Action item {row + 1} needs a text."
        if not _due(cells[ActionColumn.DUE])[0]:
            found[ActionColumn.DUE] = (
                f"Action item {row + 1}: the due date {cells[ActionColumn.DUE].strip()!r} is not "
                "a date; write it as YYYY-MM-DD, or leave it empty."
            )
        return found

    def drafts(self) -> list[ActionItemDraft]:
        return [
            ActionItemDraft(
                text=c[ActionColumn.TEXT].strip(),
                owner=c[ActionColumn.OWNER].strip(),
                due=_due(c[ActionColumn.DUE])[1],
                status=ActionStatus(c[ActionColumn.STATUS]),
            )
            for c in self._rows
        ]

    @staticmethod
    def cells_of(a: ActionItemDraft) -> list[str]:
        return [a.text, a.owner, a.due.isoformat() if a.due else "", a.status.value]


# --- delegates ---------------------------------------------------------------------------------


class ChoiceDelegate(QStyledItemDelegate):
    """A combo of fixed values (value -> label) for one column."""

    def __init__(self, choices: dict[str, str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._choices = choices

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> QWidget:
        combo = QComboBox(parent)
        for value, label in self._choices.items():
            combo.addItem(label, value)
        return combo

    def setEditorData(self, editor: QWidget, index: _Index) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        at = editor.findData(index.data(Qt.ItemDataRole.EditRole))
        editor.setCurrentIndex(max(at, 0))

    def setModelData(self, editor: QWidget, model: Any, index: _Index) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class CompleterDelegate(QStyledItemDelegate):
    """A line edit that offers known words (organisations, owners) as one types."""

    def __init__(self, words: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words = list(words)

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> QWidget:
        edit = QLineEdit(parent)
        completer = QCompleter(self._words, edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        edit.setCompleter(completer)
        return edit


# --- the table editor beside each list ---------------------------------------------------------


class RowsEditor(QWidget):
    """A table of a ``RowsModel`` with Add, Remove, Move up and Move down buttons."""

    def __init__(
        self, model: RowsModel, noun: str, parent: QWidget | None = None, *, margin: int = 8
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.view = QTableView(self)
        self.view.setModel(model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDragDropOverwriteMode(False)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setDropIndicatorShown(True)
        self.view.setTabKeyNavigation(False)  # Tab leaves the table, as in every other field
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.add_button = QPushButton(f"A&dd {noun}", self)
        self.remove_button = QPushButton("&Remove", self)
        self.up_button = QPushButton("Move &up", self)
        self.down_button = QPushButton("Move do&wn", self)
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            button.setAutoDefault(False)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(margin, margin, margin, margin)
        box.addWidget(self.view, 1)
        box.addLayout(buttons)
        box.addWidget(self.error_label)
        self._connect_signals()
        self._update_buttons()

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(+1))
        selection = self.view.selectionModel()
        selection.selectionChanged.connect(self._update_buttons)
        selection.currentRowChanged.connect(self._update_buttons)
        self.model.rowsInserted.connect(self._update_buttons)
        self.model.rowsRemoved.connect(self._update_buttons)
        self.model.rowsMoved.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)

    def selected_rows(self) -> list[int]:
        rows = {i.row() for i in self.view.selectionModel().selectedRows()}
        if not rows and self.view.currentIndex().isValid():
            rows = {self.view.currentIndex().row()}
        return sorted(rows)

    def select_row(self, row: int) -> None:
        self.view.selectRow(row)
        self.view.setCurrentIndex(self.model.index(row, 0))

    def add_row(self) -> None:
        row = self.model.append_row()
        self.select_row(row)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.view.edit(self.model.index(row, 0))

    def remove_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        self.model.removeRows(rows[0], rows[-1] - rows[0] + 1)
        if self.model.rowCount():
            self.select_row(min(rows[0], self.model.rowCount() - 1))

    def move_selected(self, step: int) -> None:
        rows = self.selected_rows()
        if len(rows) != 1:
            return
        if self.model.move_row(rows[0], rows[0] + step):
            self.select_row(rows[0] + step)

    def _update_buttons(self) -> None:
        rows = self.selected_rows()
        self.remove_button.setEnabled(bool(rows))
        single = len(rows) == 1
        self.up_button.setEnabled(single and rows[0] > 0)
        self.down_button.setEnabled(single and rows[0] < self.model.rowCount() - 1)


# --- the dialog --------------------------------------------------------------------------------


@dataclass
class _ExtraDay:
    """An exception (or extra) date; ``at`` is a wall time only when it is not the start's."""

    day: date
    at: time | None = None

    def label(self) -> str:
        text = f"{self.day:%a %d %b %Y}"
        return f"{text} {self.at:%H:%M}" if self.at else text

    def moment(self, start: Moment) -> Moment:
        if isinstance(start, datetime):
            return datetime.combine(self.day, self.at or start.time())
        return self.day


def _extra_days(values: Sequence[Moment], start: Moment, tz: str) -> list[_ExtraDay]:
    days = []
    for value in values:
        wall = _wall(value, tz)
        if isinstance(wall, datetime):
            same = isinstance(start, datetime) and wall.time() == start.time()
            days.append(_ExtraDay(wall.date(), None if same else wall.time()))
        else:
            days.append(_ExtraDay(wall))
    return days


def _round_up_hour(value: datetime) -> datetime:
    base = value.replace(minute=0, second=0, microsecond=0)
    return base if base == value else base + timedelta(hours=1)


class MeetingDialog(FormDialog):
    """Edit every field of a meeting; ``draft()`` gives what the user entered.

    Build it with ``for_new``, ``for_meeting`` or ``for_next_iteration``, or directly on a
    draft. Nothing is saved here. ``problems()`` lists what keeps OK disabled; ``warnings()``
    what is only flagged (an agenda running past the end, a skipped date the rule never gives).
    For a next iteration, ``carried_action_ids()`` names the previous meeting's open action items
    that were brought over and are still in the list, for the caller to mark as carried.

    Signal ``validated(bool)`` follows every check (True when OK is enabled).
    """

    validated = Signal(bool)

    def __init__(
        self,
        services: Services,
        draft: MeetingDraft | None = None,
        *,
        title: str = "New meeting",
        recent_zones: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._default_tz = self._setting("default_tz") or "Europe/Brussels"
        self._base = draft or self._blank_draft()
        self._loading = True
        self._validating = False
        self._warnings: list[Problem] = []
        self._last_start: Moment | None = None
        self._timed_times: tuple[time, time] = (time(9, 0), time(10, 0))
        self._iterations: dict[str, dict[int, tuple[int, str]]] = {}
        self._rdates: list[_ExtraDay] = []
        self._strand_order: list[str] = []
        self._red = error_colour(self.palette())
        self._amber = _warning_colour(self)

        self.setWindowTitle(title)
        self.setObjectName("MeetingDialog")
        self._strands = {s.key: s for s in services.catalog.strands()}
        self._kinds = services.catalog.kinds()
        self._series: dict[str, Series] = {s.name: s for s in services.series.list()}
        self._organisations = services.catalog.organisations()
        zones = [*recent_zones, self._default_tz, self._base.tz, "UTC"]

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_general(zones), "&General")
        self.tabs.addTab(self._build_people(), "&People")
        self.tabs.addTab(self._build_agenda(), "&Agenda")
        self.tabs.addTab(self._build_actions(), "A&ctions")
        self.tabs.addTab(self._build_notes(), "N&otes")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button = ok
        self.ok_button.setText("OK")  # no mnemonic: Alt+O is the Notes tab; Ctrl+Return accepts
        self.ok_button.setToolTip("Save the meeting (Ctrl+Return)")
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary_label, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

        self._load(self._base)
        self._connect_signals()
        self._loading = False
        self._validate()
        self.resize(900, 700)
        self.title_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- ways to open it ----------------------------------------------------------------------

    @classmethod
    def for_new(
        cls,
        services: Services,
        start: Moment,
        end: Moment | None = None,
        *,
        tz: str | None = None,
        recent_zones: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> "MeetingDialog":
        """A new meeting at ``start``–``end`` in ``tz`` (by default the ``default_tz`` setting).

        Aware times are shown as wall times in ``tz``, naive ones are wall times there already;
        dates make an all-day meeting (``end`` exclusive). Without ``end`` it lasts an hour, or
        one day.
        """
        zone_name = tz or _setting_of(services, "default_tz") or "Europe/Brussels"
        if end is None:
            end = start + (timedelta(hours=1) if isinstance(start, datetime) else timedelta(days=1))
        draft = MeetingDraft(
            title="",
            start=_wall(start, zone_name),
            end=_wall(end, zone_name),
            tz=zone_name,
            marking=_setting_of(services, "default_marking") or "",
        )
        return cls(services, draft, title="New meeting", recent_zones=recent_zones, parent=parent)

    @classmethod
    def for_meeting(
        cls,
        services: Services,
        detail: MeetingDetail,
        *,
        recent_zones: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> "MeetingDialog":
        """Edit ``detail``; ``draft()`` then says what the meeting should become."""
        return cls(
            services,
            draft_from_detail(detail),
            title=f"Edit meeting — {detail.title}",
            recent_zones=recent_zones,
            parent=parent,
        )

    @classmethod
    def for_next_iteration(
        cls,
        services: Services,
        detail: MeetingDetail,
        *,
        start: Moment | None = None,
        recent_zones: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> "MeetingDialog":
        """The next iteration of ``detail``'s series, pre-filled as the series service does.

        Kind, strands, partners, place, mode, lead side, marking, release level, participants
        and agenda come from the last iteration of the series; its open action items are brought
        over (see ``carried_action_ids``). Without ``start`` it is proposed at the previous
        meeting's time of day, on its weekday, in the first week after today.
        """
        if detail.series is None:
            raise ValidationError(f"{detail.title!r} is not a meeting of a series.")
        series = services.series.get(detail.series)
        number = (series.last_iteration or 0) + 1
        previous = _last_iteration(services, series) or detail
        tz = previous.tz
        prev_start, prev_end = _wall(previous.start, tz), _wall(previous.end, tz)
        if start is None:
            start = _next_slot(prev_start, services.clock.now().astimezone(zone(tz)).date())
        else:
            start = _wall(start, tz)
        length = _length(prev_start, prev_end)
        end: Moment = start + length
        carried = [a for a in previous.actions if a.status is ActionStatus.OPEN]
        draft = MeetingDraft(
            title=f"{series.name} – {ordinal(number)} iteration",
            kind=previous.kind,
            start=start,
            end=end,
            tz=tz,
            strands=list(previous.strands),
            partners=list(previous.partners),
            series=series.name,
            iteration=number,
            location=previous.location,
            mode=previous.mode,
            lead_side=previous.lead_side,
            marking=previous.marking,
            release_level=previous.release_level,
            description=series.description,
            participants=[
                ParticipantDraft(
                    name=p.name,
                    organisation=p.organisation,
                    side=p.side,
                    role=p.role,
                    email=p.email,
                )
                for p in previous.participants
            ],
            agenda=[
                AgendaItemDraft(title=a.title, lead=a.lead, duration_min=a.duration_min)
                for a in previous.agenda
            ],
            actions=[ActionItemDraft(text=a.text, owner=a.owner, due=a.due) for a in carried],
        )
        dialog = cls(
            services,
            draft,
            title=f"Next iteration — {series.name}",
            recent_zones=recent_zones,
            parent=parent,
        )
        dialog.actions_model.set_rows(
            [ActionsModel.cells_of(a) for a in draft.actions], [a.id for a in carried]
        )
        return dialog

    # --- what the caller reads ----------------------------------------------------------------

    def draft(self) -> MeetingDraft:
        """The meeting as entered; a ``ValidationError`` if anything is still wrong."""
        draft, problems = self._collect()
        if problems or draft is None:
            raise ValidationError(problems[0].message if problems else "The meeting is not valid.")
        return draft

    def warnings(self) -> list[Problem]:
        return list(self._warnings)

    def carried_by_row(self) -> list[int | None]:
        """For each action item row, the earlier item it carries over (None for a new one)."""
        return [t if isinstance(t, int) else None for t in self.actions_model.tags()]

    def carried_action_ids(self) -> list[int]:
        """Ids of the previous iteration's action items brought over and still listed."""
        return [t for t in self.actions_model.tags() if isinstance(t, int)]

    # --- building -----------------------------------------------------------------------------

    def _with_error(self, field: str, *widgets: QWidget, stretch: Sequence[int] = (1,)) -> QWidget:
        """``widgets`` in a row (stretched by ``stretch``) with the error label of ``field``."""
        box = QWidget(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for i, widget in enumerate(widgets):
            row.addWidget(widget, stretch[i] if i < len(stretch) else 0)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(row)
        column.addWidget(self._error_label(field))
        box.setFocusProxy(widgets[0])
        return box

    def _build_general(self, zones: Sequence[str]) -> QWidget:
        page = QWidget(self)

        self.title_edit = QLineEdit(page)
        self.title_edit.setPlaceholderText("e.g. Structured Dialogue on Cyber – 4th iteration")
        self.title_edit.setMaxLength(500)
        self.kind_combo = QComboBox(page)
        for kind in self._kinds:
            self.kind_combo.addItem(_swatch(kind.colour), kind.name, kind.key)

        self.series_combo = QComboBox(page)
        self.series_combo.addItem("(none)", None)
        for name in self._series:
            self.series_combo.addItem(name, name)
        # A caption, not a mnemonic: every letter of "Iteration" is taken on this page, and the
        # spin box is the next field after the series by Tab.
        self.iteration_label = QLabel("iteration", page)
        self.iteration_spin = QSpinBox(page)
        self.iteration_spin.setRange(0, 999)
        self.iteration_spin.setSpecialValueText("next")
        self.iteration_spin.setToolTip("Which iteration of the series; “next” numbers it for you")
        self.iteration_spin.setAccessibleName("Iteration")

        self.start_edit = QDateTimeEdit(page)
        self.end_edit = QDateTimeEdit(page)
        for edit in (self.start_edit, self.end_edit):
            edit.setTimeZone(_UTC)
            edit.setDisplayFormat("ddd dd MMM yyyy  HH:mm")
            edit.setCalendarPopup(True)
        self.start_date_edit = QDateEdit(page)
        self.end_date_edit = QDateEdit(page)
        for day_edit in (self.start_date_edit, self.end_date_edit):
            day_edit.setDisplayFormat("ddd dd MMM yyyy")
            day_edit.setCalendarPopup(True)
        self.start_stack = QStackedWidget(page)
        self.start_stack.addWidget(self.start_edit)
        self.start_stack.addWidget(self.start_date_edit)
        self.end_stack = QStackedWidget(page)
        self.end_stack.addWidget(self.end_edit)
        self.end_stack.addWidget(self.end_date_edit)
        self.all_day_check = QCheckBox("All da&y", page)
        self.zone_picker = ZonePicker(zones, parent=page)

        self.repeat_combo = QComboBox(page)
        for preset in Repeat:
            self.repeat_combo.addItem(preset_label(preset, _day_of(self._base.start)), preset)
        self.rule_edit = QLineEdit(page)
        self.rule_edit.setPlaceholderText("FREQ=WEEKLY;BYDAY=TU;COUNT=10")
        self.rule_edit.setToolTip("An iCalendar RRULE, e.g. FREQ=MONTHLY;BYDAY=3TH;COUNT=12")
        self.exceptions_list = QListWidget(page)
        self.exceptions_list.setMinimumHeight(48)
        self.exceptions_list.setMaximumHeight(110)
        self.exceptions_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.exception_date_edit = QDateEdit(page)
        self.exception_date_edit.setDisplayFormat("ddd dd MMM yyyy")
        self.exception_date_edit.setCalendarPopup(True)
        self.add_exception_button = QPushButton("Skip date", page)
        self.add_exception_button.setToolTip("The meeting does not take place on this date")
        self.remove_exception_button = QPushButton("Remove", page)
        self.extra_dates_label = QLabel(page)
        self.extra_dates_label.setWordWrap(True)
        self.extra_dates_label.hide()

        self.location_edit = QLineEdit(page)
        self.location_edit.setPlaceholderText("e.g. NATO Headquarters, Brussels")
        self.mode_combo = _enum_combo(page, _MODE_LABELS)
        self.lead_combo = _enum_combo(page, _LEAD_LABELS)
        self.status_combo = _enum_combo(page, _STATUS_LABELS)
        self.release_combo = _enum_combo(page, _RELEASE_LABELS)
        self.release_combo.setToolTip("A feed of a lower level never carries this meeting")
        self.marking_combo = QComboBox(page)
        self.marking_combo.setEditable(True)
        self.marking_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.marking_combo.addItems(["", *COMMON_MARKINGS])
        self.marking_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.marking_combo.setMinimumContentsLength(16)

        self.strands_list = QListWidget(page)
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
        self.partners_list = QListWidget(page)
        self.partners_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.partner_edit = QLineEdit(page)
        self.partner_edit.setPlaceholderText("Type a partner, press Enter")
        partners = QCompleter([p.name for p in self._services.catalog.partners()], self)
        partners.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        partners.setFilterMode(Qt.MatchFlag.MatchContains)
        self.partner_edit.setCompleter(partners)
        self.add_partner_button = QPushButton("Add", page)
        self.remove_partner_button = QPushButton("Remove", page)
        for button in (
            self.add_exception_button,
            self.remove_exception_button,
            self.add_partner_button,
            self.remove_partner_button,
        ):
            button.setAutoDefault(False)

        left = QFormLayout()
        left.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        left.addRow("&Title:", self._with_error("title", self.title_edit))
        left.addRow("&Kind:", self.kind_combo)
        left.addRow(
            "Ser&ies:",
            self._with_error(
                "series", self.series_combo, self.iteration_label, self.iteration_spin
            ),
        )
        left.addRow("&Starts:", _row(self.start_stack, self.all_day_check))
        self.end_label = QLabel("En&ds:", page)
        self.end_label.setBuddy(self.end_stack)
        left.addRow(self.end_label, self._with_error("when", self.end_stack))
        left.addRow("Time &zone:", self.zone_picker)
        left.addRow(
            "Recurre&nce:",
            self._with_error("recurrence", self.repeat_combo, self.rule_edit, stretch=(2, 3)),
        )
        exceptions = QWidget(page)
        exceptions_box = QVBoxLayout(exceptions)
        exceptions_box.setContentsMargins(0, 0, 0, 0)
        exceptions_box.setSpacing(2)
        exceptions_box.addLayout(
            _hbox(
                self.exceptions_list,
                _vbox(
                    self.exception_date_edit,
                    _hbox(self.add_exception_button, self.remove_exception_button),
                ),
            )
        )
        exceptions_box.addWidget(self.extra_dates_label)
        exceptions_box.addWidget(self._error_label("exceptions"))
        exceptions.setFocusProxy(self.exception_date_edit)
        exceptions.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        left.addRow("E&xcept on:", exceptions)
        left.addRow("&Location:", self.location_edit)
        left.addRow("&Mode:", self.mode_combo)
        left.addRow("L&ead side:", self.lead_combo)
        for stack in (self.start_stack, self.end_stack):
            stack.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.start_stack.setFocusProxy(self.start_edit)
        self.end_stack.setFocusProxy(self.end_edit)

        right = QFormLayout()
        right.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        right.addRow("&Work strands:", self.strands_list)
        partners_box = QWidget(page)
        partners_layout = QVBoxLayout(partners_box)
        partners_layout.setContentsMargins(0, 0, 0, 0)
        partners_layout.addWidget(self.partners_list)
        partners_layout.addLayout(
            _hbox(self.partner_edit, self.add_partner_button, self.remove_partner_button)
        )
        partners_box.setFocusProxy(self.partner_edit)
        right.addRow("Pa&rtners:", partners_box)
        right.addRow("Stat&us:", self.status_combo)
        right.addRow("&Handling marking:", self.marking_combo)
        right.addRow("Release le&vel:", self.release_combo)
        self.strands_list.setMinimumHeight(8 * 20)
        self.partners_list.setMinimumHeight(70)

        columns = QHBoxLayout(page)
        columns.addLayout(left, 3)
        columns.addSpacing(12)
        columns.addLayout(right, 2)

        chain: list[QWidget] = [
            self.title_edit,
            self.kind_combo,
            self.series_combo,
            self.iteration_spin,
            self.start_edit,
            self.start_date_edit,
            self.all_day_check,
            self.end_edit,
            self.end_date_edit,
            self.zone_picker.combo,
            self.repeat_combo,
            self.rule_edit,
            self.exceptions_list,
            self.exception_date_edit,
            self.add_exception_button,
            self.remove_exception_button,
            self.location_edit,
            self.mode_combo,
            self.lead_combo,
            self.strands_list,
            self.partners_list,
            self.partner_edit,
            self.add_partner_button,
            self.remove_partner_button,
            self.status_combo,
            self.marking_combo,
            self.release_combo,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        return page

    def _build_people(self) -> QWidget:
        self.participants_model = ParticipantsModel(self)
        self.participants_model.organisation_sides = {
            o.name.casefold(): o.side for o in self._organisations
        }
        self.participants_editor = RowsEditor(self.participants_model, "participant", self)
        view = self.participants_editor.view
        view.setItemDelegateForColumn(
            ParticipantColumn.SIDE,
            ChoiceDelegate(ParticipantsModel.choices[ParticipantColumn.SIDE], view),
        )
        view.setItemDelegateForColumn(
            ParticipantColumn.ORGANISATION,
            CompleterDelegate([o.name for o in self._organisations], view),
        )
        _size_columns(
            view,
            {
                ParticipantColumn.NAME: 170,
                ParticipantColumn.ORGANISATION: 190,
                ParticipantColumn.SIDE: 80,
                ParticipantColumn.ROLE: 220,
            },
            stretch=ParticipantColumn.EMAIL,
        )
        self._error_labels["participants"] = self.participants_editor.error_label
        return self.participants_editor

    def _build_agenda(self) -> QWidget:
        self.agenda_model = AgendaModel(self)
        self.agenda_editor = RowsEditor(self.agenda_model, "item", self, margin=0)
        view = self.agenda_editor.view
        _size_columns(
            view,
            {
                AgendaColumn.LEAD: 170,
                AgendaColumn.MINUTES: 70,
                AgendaColumn.STARTS: 60,
                AgendaColumn.ENDS: 60,
                AgendaColumn.NOTES: 170,
            },
            stretch=AgendaColumn.TITLE,
        )
        self.agenda_total_label = QLabel(self)
        self.agenda_total_label.setWordWrap(True)
        page = QWidget(self)
        box = QVBoxLayout(page)
        box.setContentsMargins(8, 8, 8, 8)
        box.addWidget(self.agenda_editor, 1)
        box.addWidget(self.agenda_total_label)
        page.setFocusProxy(view)
        self._error_labels["agenda"] = self.agenda_editor.error_label
        return page

    def _build_actions(self) -> QWidget:
        self.actions_model = ActionsModel(self)
        self.actions_editor = RowsEditor(self.actions_model, "action", self)
        view = self.actions_editor.view
        view.setItemDelegateForColumn(
            ActionColumn.STATUS, ChoiceDelegate(ActionsModel.choices[ActionColumn.STATUS], view)
        )
        owners = sorted({o.name for o in self._organisations})
        view.setItemDelegateForColumn(ActionColumn.OWNER, CompleterDelegate(owners, view))
        _size_columns(
            view,
            {ActionColumn.OWNER: 190, ActionColumn.DUE: 130, ActionColumn.STATUS: 80},
            stretch=ActionColumn.TEXT,
        )
        self._error_labels["actions"] = self.actions_editor.error_label
        return self.actions_editor

    def _build_notes(self) -> QWidget:
        page = QWidget(self)
        self.description_edit = QPlainTextEdit(page)
        self.outcomes_edit = QPlainTextEdit(page)
        for edit in (self.description_edit, self.outcomes_edit):
            edit.setTabChangesFocus(True)
        self.description_edit.setPlaceholderText("What the meeting is about, for the invitation")
        self.outcomes_edit.setPlaceholderText("What came out of it: conclusions, decisions")
        form = QFormLayout(page)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow("&Description:", self.description_edit)
        form.addRow("O&utcomes:", self.outcomes_edit)
        return page

    def _connect_signals(self) -> None:
        changed = self._on_changed
        self.title_edit.textChanged.connect(changed)
        self.kind_combo.currentIndexChanged.connect(changed)
        self.series_combo.currentIndexChanged.connect(self._on_series_changed)
        self.iteration_spin.valueChanged.connect(changed)
        self.start_edit.dateTimeChanged.connect(self._on_start_changed)
        self.start_date_edit.dateChanged.connect(self._on_start_changed)
        self.end_edit.dateTimeChanged.connect(changed)
        self.end_date_edit.dateChanged.connect(changed)
        self.all_day_check.toggled.connect(self._on_all_day_toggled)
        self.zone_picker.combo.editTextChanged.connect(changed)
        self.repeat_combo.currentIndexChanged.connect(self._on_repeat_changed)
        self.rule_edit.textChanged.connect(changed)
        self.add_exception_button.clicked.connect(self._add_exception)
        self.remove_exception_button.clicked.connect(self._remove_exceptions)
        self.exceptions_list.itemSelectionChanged.connect(self._update_list_buttons)
        self.location_edit.textChanged.connect(changed)
        for combo in (self.mode_combo, self.lead_combo, self.status_combo, self.release_combo):
            combo.currentIndexChanged.connect(changed)
        self.marking_combo.editTextChanged.connect(changed)
        self.strands_list.itemChanged.connect(changed)
        self.partner_edit.returnPressed.connect(self._add_partner)
        self.partner_edit.installEventFilter(self)
        self.add_partner_button.clicked.connect(self._add_partner)
        self.remove_partner_button.clicked.connect(self._remove_partners)
        self.partners_list.itemSelectionChanged.connect(self._update_list_buttons)
        self.partners_list.model().rowsInserted.connect(changed)
        self.partners_list.model().rowsRemoved.connect(changed)
        for model in (self.participants_model, self.agenda_model, self.actions_model):
            model.dataChanged.connect(changed)
            model.rowsInserted.connect(changed)
            model.rowsRemoved.connect(changed)
            model.rowsMoved.connect(changed)
            model.modelReset.connect(changed)
        self.description_edit.textChanged.connect(changed)
        self.outcomes_edit.textChanged.connect(changed)
        self._connect_accept(self.buttons)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter in the partner field adds the partner instead of closing the dialog."""
        if (
            watched is self.partner_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            popup = self.partner_edit.completer().popup()
            if popup is not None and popup.isVisible():
                return False  # the completer takes the key first
            self._add_partner()
            return True
        return super().eventFilter(watched, event)

    # --- loading a draft ----------------------------------------------------------------------

    def _setting(self, key: str) -> Any:
        return _setting_of(self._services, key)

    def _blank_draft(self) -> MeetingDraft:
        tz = self._default_tz
        now = self._services.clock.now().astimezone(zone(tz)).replace(tzinfo=None)
        start = _round_up_hour(now)
        return MeetingDraft(
            title="",
            start=start,
            end=start + timedelta(hours=1),
            tz=tz,
            marking=self._setting("default_marking") or "",
        )

    def _load(self, draft: MeetingDraft) -> None:
        self.title_edit.setText(draft.title)
        at = self.kind_combo.findData(draft.kind)
        if at < 0:
            self.kind_combo.addItem(draft.kind, draft.kind)
            at = self.kind_combo.count() - 1
        self.kind_combo.setCurrentIndex(at)
        if draft.series is not None:
            at = self.series_combo.findData(draft.series)
            if at < 0:
                known = {n.casefold(): n for n in self._series}
                name = known.get(draft.series.casefold(), draft.series)
                at = self.series_combo.findData(name)
                if at < 0:
                    self.series_combo.addItem(name, name)
                    at = self.series_combo.count() - 1
            self.series_combo.setCurrentIndex(at)
        self.iteration_spin.setValue(draft.iteration or 0)

        all_day = not isinstance(draft.start, datetime)
        self.all_day_check.setChecked(all_day)
        self._show_all_day(all_day)
        if isinstance(draft.start, datetime) and isinstance(draft.end, datetime):
            start, end = _wall(draft.start, draft.tz), _wall(draft.end, draft.tz)
            assert isinstance(start, datetime)
            assert isinstance(end, datetime)
            self.start_edit.setDateTime(_qdatetime(start))
            self.end_edit.setDateTime(_qdatetime(end))
            self.start_date_edit.setDate(_qdate(start.date()))
            self.end_date_edit.setDate(_qdate(end.date()))
            self._timed_times = (start.time(), end.time())
        else:
            assert not isinstance(draft.start, datetime)
            assert not isinstance(draft.end, datetime)
            last = max(draft.start, draft.end - timedelta(days=1))
            self.start_date_edit.setDate(_qdate(draft.start))
            self.end_date_edit.setDate(_qdate(last))
            self.start_edit.setDateTime(_qdatetime(datetime.combine(draft.start, time(9))))
            self.end_edit.setDateTime(_qdatetime(datetime.combine(draft.start, time(10))))
        self._last_start = self._start()
        self.zone_picker.set_zone(draft.tz)
        self.exception_date_edit.setDate(_qdate(self._start_day()))

        self._relabel_presets()
        preset = Repeat.NONE
        if draft.rrule:
            preset = Repeat.CUSTOM
            rule = normalise_rule(draft.rrule)
            for candidate in (Repeat.WEEKLY, Repeat.MONTHLY, Repeat.YEARLY):
                if preset_rule(candidate, self._start_day()) == rule:
                    preset = candidate
        self.repeat_combo.setCurrentIndex(int(preset))
        self.rule_edit.setText(normalise_rule(draft.rrule) if draft.rrule else "")
        self._apply_preset()
        start_wall = _wall(draft.start, draft.tz)
        for day in _extra_days(draft.exdates, start_wall, draft.tz):
            self._add_exception_item(day)
        self._rdates = _extra_days(draft.rdates, start_wall, draft.tz)

        self.location_edit.setText(draft.location)
        _select_data(self.mode_combo, draft.mode)
        _select_data(self.lead_combo, draft.lead_side)
        _select_data(self.status_combo, draft.status)
        _select_data(self.release_combo, draft.release_level)
        self.marking_combo.setEditText(draft.marking)
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
        self.partners_list.addItems(draft.partners)
        self.participants_model.set_rows(
            [ParticipantsModel.cells_of(p) for p in draft.participants]
        )
        self.agenda_model.set_rows([AgendaModel.cells_of(a) for a in draft.agenda])
        self.actions_model.set_rows([ActionsModel.cells_of(a) for a in draft.actions])
        self.description_edit.setPlainText(draft.description)
        self.outcomes_edit.setPlainText(draft.outcomes)
        self._update_series_widgets()
        self._update_list_buttons()

    # --- reactions ----------------------------------------------------------------------------

    def _on_changed(self, *_: object) -> None:
        if not self._loading:
            self._validate()

    def _on_series_changed(self) -> None:
        if not self._loading:
            name = self.series_combo.currentData()
            series = self._series.get(name) if name else None
            if series is not None and self.iteration_spin.value() == 0:
                self.iteration_spin.setValue((series.last_iteration or 0) + 1)
            if name is None:
                self.iteration_spin.setValue(0)
        self._update_series_widgets()
        self._on_changed()

    def _update_series_widgets(self) -> None:
        enabled = self.series_combo.currentData() is not None or self.iteration_spin.value() != 0
        self.iteration_spin.setEnabled(enabled)
        self.iteration_label.setEnabled(enabled)

    def _on_start_changed(self, *_: object) -> None:
        """Moving the start keeps the meeting's length (the end moves with it)."""
        if self._loading:
            return
        start, end = self._start(), self._end()
        previous = self._last_start
        if previous is not None and type(previous) is type(start):
            step = start - previous
            self._loading = True
            try:
                if isinstance(end, datetime):
                    self.end_edit.setDateTime(_qdatetime(end + step))
                else:
                    last = _pydate(self.end_date_edit.date())
                    self.end_date_edit.setDate(_qdate(last + step))
            finally:
                self._loading = False
        self._last_start = start
        self._relabel_presets()
        self._apply_preset()
        self._validate()

    def _on_all_day_toggled(self, all_day: bool) -> None:
        if self._loading:
            return
        self._loading = True
        try:
            if all_day:
                start, end = _pydatetime(self.start_edit.dateTime()), self._end_timed()
                self._timed_times = (start.time(), end.time())
                last = end.date() if end.time() > time.min else end.date() - timedelta(days=1)
                self.start_date_edit.setDate(_qdate(start.date()))
                self.end_date_edit.setDate(_qdate(max(start.date(), last)))
            else:
                first, last = (
                    _pydate(self.start_date_edit.date()),
                    _pydate(self.end_date_edit.date()),
                )
                start_time, end_time = self._timed_times
                end_day = last if end_time > start_time or last > first else first
                self.start_edit.setDateTime(_qdatetime(datetime.combine(first, start_time)))
                self.end_edit.setDateTime(_qdatetime(datetime.combine(end_day, end_time)))
            self._show_all_day(all_day)
        finally:
            self._loading = False
        self._last_start = self._start()
        self._validate()

    def _show_all_day(self, all_day: bool) -> None:
        self.start_stack.setCurrentIndex(int(all_day))
        self.end_stack.setCurrentIndex(int(all_day))
        self.start_stack.setFocusProxy(self.start_date_edit if all_day else self.start_edit)
        self.end_stack.setFocusProxy(self.end_date_edit if all_day else self.end_edit)
        self.end_label.setText("Last &day:" if all_day else "En&ds:")

    def _on_repeat_changed(self) -> None:
        if not self._loading:
            self._apply_preset()
        self._on_changed()

    def _relabel_presets(self) -> None:
        day = self._start_day()
        for preset in Repeat:
            self.repeat_combo.setItemText(int(preset), preset_label(preset, day))

    def _apply_preset(self) -> None:
        """A preset writes its rule (read-only); Custom lets the user write one."""
        preset = Repeat(self.repeat_combo.currentData())
        custom = preset is Repeat.CUSTOM
        self.rule_edit.setReadOnly(not custom)
        self.rule_edit.setVisible(preset is not Repeat.NONE)
        if not custom:
            self.rule_edit.setText(preset_rule(preset, self._start_day()) or "")
        repeating = preset is not Repeat.NONE
        for widget in (
            self.exceptions_list,
            self.exception_date_edit,
            self.add_exception_button,
        ):
            widget.setEnabled(repeating)
        self._update_list_buttons()

    def _add_exception_item(self, day: _ExtraDay) -> None:
        for i in range(self.exceptions_list.count()):
            if self.exceptions_list.item(i).data(Qt.ItemDataRole.UserRole).day == day.day:
                self.exceptions_list.setCurrentRow(i)
                return
        item = QListWidgetItem(day.label())
        item.setData(Qt.ItemDataRole.UserRole, day)
        rows = [self._exception(i).day for i in range(self.exceptions_list.count())]
        self.exceptions_list.insertItem(sum(d < day.day for d in rows), item)

    def _exception(self, row: int) -> _ExtraDay:
        value = self.exceptions_list.item(row).data(Qt.ItemDataRole.UserRole)
        assert isinstance(value, _ExtraDay)
        return value

    def _add_exception(self) -> None:
        self._add_exception_item(_ExtraDay(_pydate(self.exception_date_edit.date())))
        self._validate()

    def _remove_exceptions(self) -> None:
        for item in self.exceptions_list.selectedItems():
            self.exceptions_list.takeItem(self.exceptions_list.row(item))
        self._update_list_buttons()
        self._validate()

    def _add_partner(self) -> None:
        name = " ".join(self.partner_edit.text().split())
        if not name:
            return
        known = {p.casefold(): p for p in self._partner_names()}
        if name.casefold() in known:
            matches = self.partners_list.findItems(
                known[name.casefold()], Qt.MatchFlag.MatchExactly
            )
            if matches:
                self.partners_list.setCurrentItem(matches[0])
        else:
            catalogue = {p.name.casefold(): p.name for p in self._services.catalog.partners()}
            self.partners_list.addItem(catalogue.get(name.casefold(), name))
        self.partner_edit.clear()

    def _remove_partners(self) -> None:
        for item in self.partners_list.selectedItems():
            self.partners_list.takeItem(self.partners_list.row(item))
        self._update_list_buttons()

    def _update_list_buttons(self) -> None:
        self.remove_partner_button.setEnabled(bool(self.partners_list.selectedItems()))
        self.remove_exception_button.setEnabled(
            self.exceptions_list.isEnabled() and bool(self.exceptions_list.selectedItems())
        )

    # --- reading the widgets ------------------------------------------------------------------

    def _all_day(self) -> bool:
        return self.all_day_check.isChecked()

    def _start(self) -> Moment:
        if self._all_day():
            return _pydate(self.start_date_edit.date())
        return _pydatetime(self.start_edit.dateTime())

    def _start_day(self) -> date:
        return _day_of(self._start())

    def _end_timed(self) -> datetime:
        return _pydatetime(self.end_edit.dateTime())

    def _end(self) -> Moment:
        """The end as drafts take it: exclusive, the day after the last day when all-day."""
        if self._all_day():
            return _pydate(self.end_date_edit.date()) + timedelta(days=1)
        return self._end_timed()

    def _partner_names(self) -> list[str]:
        return [self.partners_list.item(i).text() for i in range(self.partners_list.count())]

    def _checked_strands(self) -> list[str]:
        checked = [
            self.strands_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.strands_list.count())
            if self.strands_list.item(i).checkState() == Qt.CheckState.Checked
        ]
        # The order the meeting came with, then newly ticked ones in the catalogue's order.
        kept = [k for k in self._strand_order if k in checked]
        return kept + [k for k in checked if k not in kept]

    def _rule(self) -> str | None:
        if Repeat(self.repeat_combo.currentData()) is Repeat.NONE:
            return None
        return normalise_rule(self.rule_edit.text()) or None

    def _iterations_of(self, series: str) -> dict[int, tuple[int, str]]:
        """Iteration -> (meeting id, uid) of the meetings of ``series`` (read once)."""
        if series not in self._iterations:
            found: dict[int, tuple[int, str]] = {}
            try:
                occurrences = self._services.queries.occurrences(flt=MeetingFilter(series=[series]))
            except LiaisonError:
                occurrences = []
            for occ in occurrences:
                m = occ.meeting
                if m.iteration is not None and m.master_id is None:
                    found.setdefault(m.iteration, (m.id, m.uid))
            self._iterations[series] = found
        return self._iterations[series]

    def _collect(self) -> tuple[MeetingDraft | None, list[Problem]]:
        """The draft the widgets say, with every problem that stops it being saved."""
        problems: list[Problem] = []

        def problem(field: str, message: str) -> None:
            problems.append(Problem(field, message))

        title = self.title_edit.text().strip()
        if not title:
            problem("title", "A meeting needs a title.")

        series = self.series_combo.currentData()
        iteration = self.iteration_spin.value() or None
        if iteration is not None and series is None:
            problem(
                "series",
                "An iteration number needs a series: choose the series, or set the iteration "
                "to “next”.",
            )
        elif iteration is not None and series is not None:
            clash = self._iterations_of(series).get(iteration)
            if clash is not None and clash[1] != self._base.uid:
                problem(
                    "series",
                    f"The {ordinal(iteration)} iteration of {series} already exists "
                    f"(meeting #{clash[0]}).",
                )

        tz = self.zone_picker.zone()
        zone_ok = self.zone_picker.is_valid()
        if not zone_ok:
            problem("zone", self.zone_picker.error())
        start, end = self._start(), self._end()
        if isinstance(start, datetime) and zone_ok:
            try:
                make_span(start, end, tz)
            except ValidationError as exc:
                problem("when", exc.message)
        elif end <= start:
            if isinstance(start, datetime):
                problem("when", "The meeting must end after it starts.")
            else:
                problem(
                    "when",
                    f"The last day ({end - timedelta(days=1):%a %d %b %Y}) is before the first "
                    f"day ({start:%a %d %b %Y}).",
                )

        rule = self._rule()
        preset = Repeat(self.repeat_combo.currentData())
        if preset is Repeat.CUSTOM and not rule:
            problem(
                "recurrence",
                "Write a repeat rule such as FREQ=WEEKLY;BYDAY=TU;COUNT=10, or choose "
                "“Does not repeat”.",
            )
        elif rule:
            message = rule_problem(rule, start, tz if zone_ok else "UTC")
            if message:
                problem("recurrence", message)

        exdates: list[Moment] = []
        rdates: list[Moment] = []
        if rule:
            exdates = [
                self._exception(i).moment(start) for i in range(self.exceptions_list.count())
            ]
            rdates = [d.moment(start) for d in self._rdates]

        for field, model in (
            ("participants", self.participants_model),
            ("agenda", self.agenda_model),
            ("actions", self.actions_model),
        ):
            for _, _, message in model.problems():
                problem(field, message)

        if problems:
            return None, problems
        try:
            draft = MeetingDraft(
                title=title,
                kind=self.kind_combo.currentData(),
                start=start,
                end=end,
                tz=tz,
                strands=self._checked_strands(),
                partners=self._partner_names(),
                series=series,
                iteration=iteration if series is not None else None,
                location=self.location_edit.text().strip(),
                mode=self.mode_combo.currentData(),
                lead_side=self.lead_combo.currentData(),
                status=self.status_combo.currentData(),
                marking=self.marking_combo.currentText().strip(),
                release_level=self.release_combo.currentData(),
                description=self.description_edit.toPlainText(),
                outcomes=self.outcomes_edit.toPlainText(),
                rrule=rule,
                exdates=exdates,
                rdates=rdates,
                proposals=list(self._base.proposals),
                floating=self._base.floating,
                uid=self._base.uid,
                participants=self.participants_model.drafts(),
                agenda=self.agenda_model.drafts(),
                actions=self.actions_model.drafts(),
            )
        except pydantic.ValidationError as exc:  # a rule of the model the checks above missed
            first = exc.errors()[0]
            return None, [Problem("form", f"{'.'.join(map(str, first['loc']))}: {first['msg']}")]
        return draft, []

    def _collect_warnings(self, draft: MeetingDraft | None) -> list[Problem]:
        warnings: list[Problem] = []
        rule = self._rule()
        start = self._start()
        tz = self.zone_picker.zone()
        if rule and self.exceptions_list.count() and self.zone_picker.is_valid():
            days = {self._exception(i).day for i in range(self.exceptions_list.count())}
            missing = sorted(days - _rule_dates(rule, start, tz, days))
            if missing:
                shown = ", ".join(f"{d:%d %b %Y}" for d in missing)
                warnings.append(
                    Problem("exceptions", f"The repeat rule gives no meeting on {shown}.")
                )
        if self._rdates and not rule:
            warnings.append(
                Problem(
                    "exceptions",
                    f"{len(self._rdates)} extra date(s) will be dropped: they need a repeat rule.",
                )
            )
        if draft is not None and isinstance(draft.start, datetime):
            assert isinstance(draft.end, datetime)
            durations = [a.duration_min for a in draft.agenda]
            excess = overrun(localize(draft.start, tz), localize(draft.end, tz), durations)
            if excess is not None:
                minutes = int(excess.total_seconds() // 60)
                warnings.append(
                    Problem(
                        "agenda",
                        f"The agenda runs {_duration_words(minutes)} past the end of the meeting.",
                    )
                )
        return warnings

    # --- showing what is wrong ----------------------------------------------------------------

    _FIELD_TABS: ClassVar[dict[str, int]] = {
        "title": 0,
        "series": 0,
        "when": 0,
        "zone": 0,
        "recurrence": 0,
        "exceptions": 0,
        "participants": 1,
        "agenda": 2,
        "actions": 3,
    }

    _TABLE_FIELDS = frozenset({"participants", "agenda", "actions"})

    def _validate(self) -> None:
        if self._validating or self._loading:
            return
        self._validating = True
        try:
            self._update_agenda_clock()
            draft, self._problems = self._collect()
            self._warnings = self._collect_warnings(draft)
            self._show()
        finally:
            self._validating = False
        self.validated.emit(not self._problems)

    def _update_agenda_clock(self) -> None:
        start = self._start()
        anchor: datetime | None = None
        if isinstance(start, datetime) and self.zone_picker.is_valid():
            try:
                anchor = localize(start, self.zone_picker.zone())
            except ValidationError:
                anchor = None
        self.agenda_model.set_start(anchor)
        self.zone_picker.set_reference(start if isinstance(start, datetime) else None)

    def _show(self) -> None:
        by_field: dict[str, list[Problem]] = {}
        for p in self._problems:
            by_field.setdefault(p.field, []).append(p)
        warned: dict[str, list[Problem]] = {}
        for w in self._warnings:
            warned.setdefault(w.field, []).append(w)
        for field, label in self._error_labels.items():
            errors, notes = by_field.get(field, []), warned.get(field, [])
            if field in self._TABLE_FIELDS:
                notes = []  # a table's warnings go to its summary line (the agenda's total)
            text = "\n".join(p.message for p in errors or notes)
            label.setText(text)
            label.setStyleSheet(f"color: {self._red if errors else self._amber};")
            label.setVisible(bool(text))
        self._show_agenda_total(warned.get("agenda", []))
        self._show_extra_dates()

        failing = {self._FIELD_TABS.get(p.field, 0) for p in self._problems}
        warning_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for tab in range(self.tabs.count()):
            self.tabs.setTabIcon(tab, warning_icon if tab in failing else QIcon())
        self.ok_button.setEnabled(not self._problems)
        if self._problems:
            count = len(self._problems)
            noun = "problem" if count == 1 else "problems"
            self.summary_label.setText(f"{count} {noun} to fix: {self._problems[0].message}")
            self.summary_label.setStyleSheet(f"color: {self._red};")
            self.ok_button.setToolTip("\n".join(p.message for p in self._problems))
        else:
            self.summary_label.setText("")
            self.ok_button.setToolTip("Save the meeting (Ctrl+Return)")

    def _show_agenda_total(self, warnings: Sequence[Problem]) -> None:
        count = self.agenda_model.rowCount()
        if not count:
            self.agenda_total_label.setText("No agenda items.")
            self.agenda_total_label.setStyleSheet("")
            return
        total = self.agenda_model.total_minutes()
        text = f"{count} item{'s' if count != 1 else ''}, {_duration_words(total)} in all"
        spans = self.agenda_model.clock()
        if spans and spans[0] is not None and spans[-1] is not None:
            end = self._end()
            meeting_end = f"; the meeting ends {end:%H:%M}" if isinstance(end, datetime) else ""
            text += f": {spans[0][0]:%H:%M}–{spans[-1][1]:%H:%M}{meeting_end}"
        text += "."
        if warnings:
            text += " " + " ".join(w.message for w in warnings)
        self.agenda_total_label.setText(text)
        self.agenda_total_label.setStyleSheet(f"color: {self._amber};" if warnings else "")

    def _show_extra_dates(self) -> None:
        if not self._rdates:
            self.extra_dates_label.hide()
            return
        shown = ", ".join(d.label() for d in self._rdates)
        self.extra_dates_label.setText(f"Also on: {shown}")
        self.extra_dates_label.setVisible(self._rule() is not None)


# --- helpers -----------------------------------------------------------------------------------


def _setting_of(services: Services, key: str) -> Any:
    try:
        return services.catalog.setting(key)
    except LiaisonError:
        return None


def _day_of(value: Moment) -> date:
    return value.date() if isinstance(value, datetime) else value


def _length(start: Moment, end: Moment) -> timedelta:
    if isinstance(start, datetime) and isinstance(end, datetime):
        return end - start
    assert not isinstance(start, datetime)
    assert not isinstance(end, datetime)
    return end - start


def _next_slot(previous: Moment, today: date) -> Moment:
    """The previous meeting's weekday and time of day, in the first week after today."""
    day = previous.date() if isinstance(previous, datetime) else previous
    first = max(today, day) + timedelta(days=1)
    first += timedelta(days=(day.weekday() - first.weekday()) % 7)
    if isinstance(previous, datetime):
        return datetime.combine(first, previous.time())
    return first


def _last_iteration(services: Services, series: Series) -> MeetingDetail | None:
    """The meeting holding the series' highest iteration number, read through the services."""
    if series.last_iteration is None:
        return None
    for occ in services.queries.occurrences(flt=MeetingFilter(series=[series.name])):
        if occ.meeting.iteration == series.last_iteration and occ.meeting.master_id is None:
            return services.meetings.get(occ.meeting.id)
    return None


def _enum_combo(parent: QWidget, labels: dict[Any, str]) -> QComboBox:
    combo = QComboBox(parent)
    for value, label in labels.items():
        combo.addItem(label, value)
    return combo


def _select_data(combo: QComboBox, value: object) -> None:
    at = combo.findData(value)
    combo.setCurrentIndex(max(at, 0))


def _hbox(*items: QWidget | QHBoxLayout | QVBoxLayout) -> QHBoxLayout:
    box = QHBoxLayout()
    box.setContentsMargins(0, 0, 0, 0)
    for item in items:
        if isinstance(item, QWidget):
            box.addWidget(item)
        else:
            box.addLayout(item)
    return box


def _vbox(*items: QWidget | QHBoxLayout | QVBoxLayout) -> QVBoxLayout:
    box = QVBoxLayout()
    box.setContentsMargins(0, 0, 0, 0)
    for item in items:
        if isinstance(item, QWidget):
            box.addWidget(item)
        else:
            box.addLayout(item)
    box.addStretch(1)
    return box


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for i, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if i == 0 else 0)
    box.setFocusProxy(widgets[0])
    return box


def _size_columns(view: QTableView, widths: dict[int, int], *, stretch: int) -> None:
    header = view.horizontalHeader()
    for column, width in widths.items():
        view.setColumnWidth(column, width)
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
