"""A searchable chooser of IANA time zones, the zones a user picked lately first."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QCompleter, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from liaison_calendar.domain.timezones import all_zone_names, zone


@lru_cache(maxsize=1)
def _zones() -> tuple[tuple[str, ...], dict[str, str]]:
    """Every zone name, sorted, and each by its case-folded spelling."""
    names = tuple(all_zone_names())
    return names, {n.casefold(): n for n in names}


def canonical_zone(text: str) -> str | None:
    """The IANA spelling of ``text`` (any case, spaces around ignored), or None if unknown."""
    return _zones()[1].get(text.strip().casefold())


def zone_error(text: str) -> str:
    """Why ``text`` is not a zone the calendar accepts ("" when it is one)."""
    if not text.strip():
        return "Choose a time zone, such as Europe/Brussels."
    if canonical_zone(text) is None:
        return f"Unknown time zone {text.strip()!r}: use an IANA name such as Europe/Brussels."
    return ""


def format_offset(offset: timedelta | None) -> str:
    """``UTC+01:00``, ``UTC−03:30`` or ``UTC`` for a zero offset."""
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "−"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def error_colour(palette: QPalette) -> str:
    """A red that reads on the palette's window colour, light or dark."""
    return "#ff8a80" if palette.color(QPalette.ColorRole.Window).lightness() < 128 else "#c62828"


class ZonePicker(QWidget):
    """An editable combo of IANA zones with a completer that matches any part of a name.

    ``recent`` zones come first in the list, then a separator, then every zone. Text that is
    not a zone is reported under the field and never accepted: ``zone()`` keeps the last valid
    zone, ``is_valid()`` says whether the text is one, ``error()`` says why not.

    Signals: ``zone_changed(str)`` when a different valid zone is entered;
    ``validity_changed(bool)`` when the text turns valid or invalid.
    """

    zone_changed = Signal(str)
    validity_changed = Signal(bool)

    def __init__(
        self,
        recent: Sequence[str] = (),
        zone_name: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        names, _ = _zones()
        self._recent = list(dict.fromkeys(z for r in recent if (z := canonical_zone(r))))
        self._zone = zone_name or (self._recent[0] if self._recent else "UTC")
        self._valid = True
        self._reference: datetime | None = None

        self.combo = QComboBox(self)
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setMaxVisibleItems(15)
        self.combo.setMinimumContentsLength(22)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        if self._recent:
            self.combo.addItems(self._recent)
            self.combo.insertSeparator(len(self._recent))
        self.combo.addItems(list(names))
        line = self.combo.lineEdit()
        assert line is not None
        line.setPlaceholderText("Type part of a zone name, e.g. brussels")
        line.setClearButtonEnabled(True)

        self.completer = QCompleter(QStringListModel(list(names), self), self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.combo.setCompleter(self.completer)

        self.offset_label = QLabel(self)
        self.offset_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {error_colour(self.palette())};")
        self.error_label.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(self.offset_label)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(row)
        box.addWidget(self.error_label)
        self.setFocusProxy(self.combo)
        self._connect_signals()
        self.set_zone(self._zone)

    def _connect_signals(self) -> None:
        self.combo.editTextChanged.connect(self._on_text)
        line = self.combo.lineEdit()
        assert line is not None
        line.editingFinished.connect(self._tidy)

    # --- what the caller uses -------------------------------------------------------------

    def zone(self) -> str:
        """The last valid zone entered (never the invalid text being typed)."""
        return self._zone

    def set_zone(self, name: str) -> None:
        """Show ``name``; an unknown name is shown and reported, not accepted."""
        self.combo.setEditText(canonical_zone(name) or name)
        self._on_text(self.combo.currentText())

    def text(self) -> str:
        return self.combo.currentText()

    def is_valid(self) -> bool:
        return self._valid

    def error(self) -> str:
        """Why the text is not a zone, or "" when it is one."""
        return zone_error(self.combo.currentText())

    def recent(self) -> list[str]:
        return list(self._recent)

    def matches(self, text: str) -> list[str]:
        """The zones the completer offers for ``text``, in its order."""
        self.completer.setCompletionPrefix(text)
        model = self.completer.completionModel()
        return [model.index(i, 0).data() for i in range(model.rowCount())]

    def set_reference(self, when: datetime | None) -> None:
        """Show the zone's UTC offset at the wall time ``when`` (naive) beside the field."""
        self._reference = when
        self._show_offset()

    # --- inside ---------------------------------------------------------------------------

    def _on_text(self, text: str) -> None:
        canonical = canonical_zone(text)
        valid = canonical is not None
        message = zone_error(text)
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        self.combo.setToolTip(message)
        if canonical is not None and canonical != self._zone:
            self._zone = canonical
            self.zone_changed.emit(canonical)
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)
        self._show_offset()

    def _tidy(self) -> None:
        """Once the user leaves the field, write a valid name as IANA spells it."""
        canonical = canonical_zone(self.combo.currentText())
        if canonical is not None and canonical != self.combo.currentText():
            self.combo.setEditText(canonical)

    def _show_offset(self) -> None:
        if not self._valid or self._reference is None:
            self.offset_label.setText("")
            return
        wall = self._reference.replace(tzinfo=zone(self._zone))
        self.offset_label.setText(format_offset(wall.utcoffset()))
