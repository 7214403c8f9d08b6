"""The import preview: what a dry run of the import found, before anything is written."""

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from liaison_calendar.services.importer import ImportReport

OUTCOMES = ("added", "updated", "unchanged", "skipped")


def summary(report: ImportReport) -> str:
    """'3 added, 1 updated, 0 unchanged, 1 skipped; 2 repairs'."""
    counts = ", ".join(f"{report.count(o)} {o}" for o in OUTCOMES)
    repairs = len(report.repairs)
    return f"{counts}; {repairs} repair{'s' if repairs != 1 else ''}"


class ImportPreviewDialog(QDialog):
    """Lists every event of a dry run with its outcome, reason and repairs; OK imports."""

    COLUMNS = ("Outcome", "Title", "File", "Line", "Reason and repairs")

    def __init__(
        self, paths: list[Path], report: ImportReport, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import preview")
        self.resize(900, 520)
        layout = QVBoxLayout(self)
        names = ", ".join(p.name for p in paths)
        self.summary = QLabel(f"<b>{len(paths)} file(s):</b> {_escape(names)}<br>{summary(report)}")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(len(report.items), len(self.COLUMNS), self)
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        for row, item in enumerate(report.items):
            notes = "; ".join([item.reason, *item.repairs] if item.reason else item.repairs)
            values = (item.outcome, item.title, Path(item.file).name, str(item.line), notes)
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setToolTip(value)
                self.table.setItem(row, column, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Import")
        changes = report.count("added") + report.count("updated")
        ok.setEnabled(changes > 0)
        if changes == 0:
            note = QLabel("Nothing would change: every event is already here or was skipped.")
            layout.addWidget(note)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)


def _escape(text: str) -> str:
    import html

    return html.escape(text)
