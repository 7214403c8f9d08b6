"""Print (Ctrl+P) and Report…: choose a document, its print level and paper, then preview it,
print it, or save it as PDF, HTML (or Markdown, for a report).

The documents come from ``services.reports``; ``ui.printing`` lays them out on pages. A meeting
whose release level is more restricted than the print level is left out, and the dialog says
how many were.
"""

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from liaison_calendar.domain.enums import ReleaseLevel
from liaison_calendar.domain.models import MeetingFilter
from liaison_calendar.errors import LiaisonError
from liaison_calendar.reports.data import PeriodData
from liaison_calendar.reports.document import Document, month_text
from liaison_calendar.services.context import Services
from liaison_calendar.ui import printing

LEVEL_WORDS = {
    ReleaseLevel.PUBLIC: "Public — only meetings released publicly",
    ReleaseLevel.STAFF: "Staff — leaves out restricted meetings",
    ReleaseLevel.RESTRICTED: "Restricted — every meeting",
}

SaveChooser = Callable[[QWidget, str, str, str], str]
"""(parent, caption, suggested path, filter) -> chosen path or "" (QFileDialog by default)."""


def _choose_file(parent: QWidget, caption: str, suggested: str, kinds: str) -> str:
    name, _ = QFileDialog.getSaveFileName(parent, caption, suggested, kinds)
    return name


class _DocumentDialog(QDialog):
    """What the print and report dialogs share: level, paper, the buttons and the messages."""

    choose_file: SaveChooser = staticmethod(_choose_file)
    formats: tuple[tuple[str, str], ...] = (("PDF", ".pdf"), ("HTML", ".html"))

    def __init__(self, services: Services, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle(title)
        self.level = QComboBox(self)
        for level in (ReleaseLevel.RESTRICTED, ReleaseLevel.STAFF, ReleaseLevel.PUBLIC):
            self.level.addItem(LEVEL_WORDS[level], level.value)
        self.level.setAccessibleName("Print level")
        self.paper = QComboBox(self)
        self.paper.addItems(list(printing.PAGE_SIZES))
        self.paper.setAccessibleName("Paper")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        self.preview_button = QPushButton("&Preview and print…", self)
        self.preview_button.setDefault(True)
        self.preview_button.clicked.connect(self.preview)
        self.buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.save_buttons: dict[str, QPushButton] = {}
        for name, suffix in self.formats:
            button = QPushButton(f"Save as {name}…", self)
            button.clicked.connect(lambda _c=False, s=suffix: self.save(s))
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            self.save_buttons[suffix] = button
        self.level.currentIndexChanged.connect(lambda _i: self.update_message())
        self.last_written: Path | None = None

    def selected_level(self) -> ReleaseLevel:
        return ReleaseLevel(str(self.level.currentData()))

    def document(self) -> Document:
        raise NotImplementedError

    def suggested_name(self) -> str:
        return "document"

    def _built(self) -> Document | None:
        """The document, or None after saying why it cannot be made."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return self.document()
        except LiaisonError as exc:
            self.message.setText(f"<span style='color:#b00020'>{_html(exc.message)}</span>")
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()

    def update_message(self) -> Document | None:
        document = self._built()
        if document is None:
            return None
        left = document.left_out
        if left:
            self.message.setText(
                f"{left} meeting{'s' if left != 1 else ''} released less widely than this "
                "print level will be left out."
            )
        else:
            self.message.setText("Nothing is left out at this print level.")
        return document

    def preview(self) -> None:
        document = self.update_message()
        if document is None:
            return
        dialog = printing.preview(document, self, self.paper.currentText())
        dialog.exec()

    def save(self, suffix: str) -> Path | None:
        document = self.update_message()
        if document is None:
            return None
        kinds = {".pdf": "PDF (*.pdf)", ".html": "HTML (*.html)", ".md": "Markdown (*.md)"}
        suggested = str(Path.home() / f"{self.suggested_name()}{suffix}")
        name = self.choose_file(self, "Save as", suggested, kinds[suffix])
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.write(document, path, suffix)
        except LiaisonError as exc:
            self.message.setText(f"<span style='color:#b00020'>{_html(exc.message)}</span>")
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.last_written = path
        self.message.setText(f"Saved {_html(str(path))}.")
        return path

    def write(self, document: Document, path: Path, suffix: str) -> None:
        if suffix == ".pdf":
            printing.write_pdf(document, path, self.paper.currentText())
        else:
            printing.write_html(document, path)


class PrintDialog(_DocumentDialog):
    """Print (Ctrl+P): the selected meeting's agenda, or the month or week shown."""

    def __init__(
        self,
        services: Services,
        *,
        anchor: date,
        tz: str,
        meeting_filter: MeetingFilter | None,
        meeting_id: int | None = None,
        meeting_title: str = "",
        occurrence: date | None = None,
        week_first: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, "Print", parent)
        self.anchor = anchor
        self.tz = tz
        self.meeting_filter = meeting_filter  # None: a list of the sidebar has nothing ticked
        self.meeting_id = meeting_id
        self.occurrence = occurrence  # the start of the selected occurrence
        title = meeting_title if len(meeting_title) <= 60 else meeting_title[:59] + "…"
        self.agenda_choice = QRadioButton(f"The &agenda of “{title}”", self)
        self.month_choice = QRadioButton(f"The &month of {month_text(anchor)}", self)
        self.week_choice = QRadioButton("The &week shown", self)
        self.agenda_choice.setEnabled(meeting_id is not None)
        if meeting_id is None:
            self.agenda_choice.setText("The agenda of the selected meeting (none is selected)")
        self.group = QButtonGroup(self)
        for button in (self.agenda_choice, self.month_choice, self.week_choice):
            self.group.addButton(button)
        if meeting_id is not None:
            self.agenda_choice.setChecked(True)
        elif week_first:
            self.week_choice.setChecked(True)
        else:
            self.month_choice.setChecked(True)
        self.group.buttonToggled.connect(lambda _b, on: on and self.update_message())
        what = QGroupBox("What", self)
        what_layout = QVBoxLayout(what)
        for button in (self.agenda_choice, self.month_choice, self.week_choice):
            what_layout.addWidget(button)
        note = QLabel("The month and week follow the filters of the sidebar.", self)
        note.setWordWrap(True)
        what_layout.addWidget(note)
        form = QFormLayout()
        form.addRow("Print &level", self.level)
        form.addRow("&Paper", self.paper)
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.update_message()

    def document(self) -> Document:
        reports = self.services.reports
        level = self.selected_level()
        if self.agenda_choice.isChecked() and self.meeting_id is not None:
            return reports.agenda(self.meeting_id, level, self.occurrence)
        kind = "week" if self.week_choice.isChecked() else "month"
        if self.meeting_filter is None:
            raise LiaisonError(
                "The sidebar shows no meetings (a list has nothing ticked): tick what the "
                f"{kind} should show."
            )
        return reports.calendar(kind, self.anchor, self.meeting_filter, level, self.tz)

    def suggested_name(self) -> str:
        if self.agenda_choice.isChecked():
            return "agenda"
        if self.week_choice.isChecked():
            return f"week-{self.anchor.isoformat()}"
        return f"month-{self.anchor.isoformat()[:7]}"


class ReportDialog(_DocumentDialog):
    """Report…: what happened in each work strand over a period."""

    formats: tuple[tuple[str, str], ...] = (("PDF", ".pdf"), ("HTML", ".html"), ("Markdown", ".md"))

    def __init__(self, services: Services, today: date, parent: QWidget | None = None) -> None:
        super().__init__(services, "Period report", parent)
        first, last = reporting_year(today)
        self.first = QDateEdit(QDate(first.year, first.month, first.day), self)
        self.first.setAccessibleName("First day")
        self.last = QDateEdit(QDate(last.year, last.month, last.day), self)
        self.last.setAccessibleName("Last day")
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
        self.strands = _checklist(
            self, "Work strands", [(s.key, s.name) for s in services.catalog.strands()]
        )
        self.partners = _checklist(
            self, "Partners", [(p.name, p.name) for p in services.catalog.partners()]
        )
        self.series = QComboBox(self)
        self.series.addItem("Any series", None)
        for series in services.series.list():
            self.series.addItem(series.name, series.name)
        self.series.setAccessibleName("Series")
        form = QFormLayout()
        period = QHBoxLayout()
        period.addWidget(self.first)
        period.addWidget(QLabel("to", self))
        period.addWidget(self.last)
        form.addRow("Period", period)
        lists = QHBoxLayout()
        for title, checklist in (("Work strands", self.strands), ("Partners", self.partners)):
            box = QGroupBox(title, self)
            QVBoxLayout(box).addWidget(checklist)
            lists.addWidget(box)
        form.addRow("&Series", self.series)
        form.addRow("Print &level", self.level)
        form.addRow("Pa&per", self.paper)
        hint = QLabel("Tick nothing in a list to take everything.", self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(lists)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(640, 560)
        for edit in (self.first, self.last):
            edit.dateChanged.connect(lambda _d: self.update_message())
        self.series.currentIndexChanged.connect(lambda _i: self.update_message())
        for checklist in (self.strands, self.partners):
            checklist.itemChanged.connect(lambda _i: self.update_message())
        self.update_message()

    def meeting_filter(self) -> MeetingFilter:
        series = self.series.currentData()
        return MeetingFilter(
            strands=_ticked(self.strands),
            partners=_ticked(self.partners),
            series=[series] if series else [],
        )

    def period(self) -> tuple[date, date]:
        first, last = self.first.date().toPython(), self.last.date().toPython()
        assert isinstance(first, date)
        assert isinstance(last, date)
        return first, last

    def data(self) -> PeriodData:
        first, last = self.period()
        return self.services.reports.period(
            first, last, self.meeting_filter(), self.selected_level()
        )

    def document(self) -> Document:
        from liaison_calendar.reports.period import period_report

        return period_report(self.data())

    def suggested_name(self) -> str:
        first, last = self.period()
        return f"report-{first.isoformat()}-{last.isoformat()}"

    def write(self, document: Document, path: Path, suffix: str) -> None:
        if suffix == ".md":
            self.services.reports.write_markdown(self.data(), path)
        else:
            super().write(document, path, suffix)


def reporting_year(today: date) -> tuple[date, date]:
    """The last complete June-to-May reporting year before ``today`` (as the progress reports)."""
    end_year = today.year if today.month >= 6 else today.year - 1
    return date(end_year - 1, 6, 1), date(end_year, 5, 31)


def _checklist(parent: QWidget, name: str, entries: list[tuple[str, str]]) -> QListWidget:
    widget = QListWidget(parent)
    widget.setAccessibleName(name)
    widget.setToolTip(f"{name}: tick some to report on those only")
    for key, label in entries:
        item = QListWidgetItem(label, widget)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
    return widget


def _ticked(widget: QListWidget) -> list[str]:
    return [
        str(widget.item(i).data(Qt.ItemDataRole.UserRole))
        for i in range(widget.count())
        if widget.item(i).checkState() == Qt.CheckState.Checked
    ]


def _html(text: str) -> str:
    import html

    return html.escape(text)
