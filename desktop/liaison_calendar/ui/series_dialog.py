"""The series editor: a standing format's name and what it pre-fills in its next iteration.

The dialog saves nothing. It is opened on a draft (a new series, or ``for_series`` on an existing
one) and hands back ``draft()``; the caller saves it through ``services.series`` inside an undo
command. Problems are shown in red beside the field that has them, and OK stays disabled while
there is any.
"""

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from liaison_calendar.domain.agenda import ordinal
from liaison_calendar.domain.enums import LeadSide, Mode
from liaison_calendar.domain.models import Series, SeriesDraft
from liaison_calendar.domain.timezones import zone
from liaison_calendar.errors import LiaisonError, ValidationError
from liaison_calendar.services.context import Services
from liaison_calendar.ui.forms import FormDialog, Problem
from liaison_calendar.ui.zones import ZonePicker, error_colour

_MODE_LABELS = {Mode.IN_PERSON: "In person", Mode.VIDEO: "Video", Mode.HYBRID: "Hybrid"}
_LEAD_LABELS = {LeadSide.EU: "EU", LeadSide.NATO: "NATO", LeadSide.CO_CHAIRED: "Co-chaired"}
_UNKNOWN_COLOUR = "#9e9e9e"
_FIELDS = ("name", "kind", "strands", "zone")  # fields that can have a problem, top to bottom


def _swatch(colour: str) -> QIcon:
    """A small square of ``colour`` with a darker edge, visible on light and dark lists."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour))
    painter = QPainter(pixmap)
    painter.setPen(QColor(colour).darker(160))
    painter.drawRect(0, 0, 11, 11)
    painter.end()
    return QIcon(pixmap)


def _tidy(text: str) -> str:
    """A name as the services keep it: runs of spaces made one, none around."""
    return " ".join(text.split())


class SeriesDialog(FormDialog):
    """Edit a series; ``draft()`` gives what the user entered.

    Build it on a draft (``None`` for a new series) or with ``for_series``. ``series`` is the
    series being edited, if any: its own name is not "taken", and its last iteration is shown.
    ``problems()`` lists what keeps OK disabled.

    Signal ``validated(bool)`` follows every check (True when OK is enabled).
    """

    validated = Signal(bool)

    def __init__(
        self,
        services: Services,
        draft: SeriesDraft | None = None,
        *,
        title: str = "New series",
        series: Series | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._editing = series
        self._default_tz = self._setting("default_tz") or "Europe/Brussels"
        self._base = draft or SeriesDraft(name="", tz=self._default_tz)
        self._loading = True
        self._red = error_colour(self.palette())

        self.setWindowTitle(title)
        self.setObjectName("SeriesDialog")
        self._kinds = {k.key: k for k in services.catalog.kinds()}
        self._strands = {s.key: s for s in services.catalog.strands()}
        self._partners = [p.name for p in services.catalog.partners()]
        # Case-folded name -> series, for "already taken" (the edited series is never taken).
        self._taken = {
            _tidy(s.name).casefold(): s
            for s in services.series.list()
            if series is None or s.id != series.id
        }

        self._build([self._default_tz, self._base.tz, "UTC"])
        self._load(self._base)
        self._connect_signals()
        self._loading = False
        self._validate()
        self.resize(800, 520)
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    @classmethod
    def for_series(
        cls, services: Services, name_or_id: str | int, *, parent: QWidget | None = None
    ) -> "SeriesDialog":
        """Edit an existing series; ``draft()`` then says what it should become."""
        series = services.series.get(name_or_id)
        return cls(
            services,
            services.series.draft_of(series.id),
            title=f"Edit series — {series.name}",
            series=series,
            parent=parent,
        )

    # --- what the caller reads ----------------------------------------------------------------

    def draft(self) -> SeriesDraft:
        """The series as entered; a ``ValidationError`` if anything is still wrong."""
        problems = self._collect()
        if problems:
            raise ValidationError(problems[0].message)
        return SeriesDraft(
            name=_tidy(self.name_edit.text()),
            kind=self.kind_combo.currentData(),
            strands=self._checked_strands(),
            partners=self._partner_names(),
            description=self.description_edit.toPlainText(),
            location=self.location_edit.text().strip(),
            mode=self.mode_combo.currentData(),
            lead_side=self.lead_combo.currentData(),
            tz=self.zone_picker.zone(),
        )

    def editing(self) -> Series | None:
        """The series being edited (None for a new one)."""
        return self._editing

    def _error_label_of(self, field: str) -> QLabel | None:
        # The zone picker shows its own problems under it.
        return self.zone_picker.error_label if field == "zone" else super()._error_label_of(field)

    # --- building -----------------------------------------------------------------------------

    def _setting(self, key: str) -> str | None:
        try:
            value = self._services.catalog.setting(key)
        except LiaisonError:
            return None
        return str(value) if value else None

    def _error_label(self, field: str) -> QLabel:
        label = super()._error_label(field)
        label.setStyleSheet(f"color: {self._red};")
        return label

    def _with_error(self, field: str, widget: QWidget) -> QWidget:
        """``widget`` with the error label of ``field`` under it."""
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(self._error_label(field))
        box.setFocusProxy(widget)
        return box

    def _build(self, zones: Sequence[str]) -> None:
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("e.g. Structured Dialogue on Cyber")
        self.name_edit.setMaxLength(200)
        self.kind_combo = QComboBox(self)
        for kind in self._kinds.values():
            self.kind_combo.addItem(_swatch(kind.colour), kind.name, kind.key)
        self.iteration_label = QLabel(self)
        self.iteration_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.location_edit = QLineEdit(self)
        self.location_edit.setPlaceholderText("e.g. NATO Headquarters, Brussels")
        self.mode_combo = QComboBox(self)
        for mode, label in _MODE_LABELS.items():
            self.mode_combo.addItem(label, mode)
        self.lead_combo = QComboBox(self)
        for side, label in _LEAD_LABELS.items():
            self.lead_combo.addItem(label, side)
        self.zone_picker = ZonePicker(zones, parent=self)

        self.strands_list = QListWidget(self)
        self.strands_list.setIconSize(QSize(12, 12))
        for strand in self._strands.values():
            self._add_strand_item(strand.key, strand.name, strand.colour)
        self.partners_list = QListWidget(self)
        self.partners_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.partner_edit = QLineEdit(self)
        self.partner_edit.setPlaceholderText("Add a partner…")
        self.partner_edit.setToolTip("Type a partner's name and press Enter to add it")
        completer = QCompleter(self._partners, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.partner_edit.setCompleter(completer)
        self.add_partner_button = QPushButton("Add", self)
        self.add_partner_button.setToolTip("Add the partner typed beside (Enter)")
        self.remove_partner_button = QPushButton("Remove", self)
        self.remove_partner_button.setToolTip("Remove the selected partners (Delete)")
        for button in (self.add_partner_button, self.remove_partner_button):
            button.setAutoDefault(False)

        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setPlaceholderText(
            "What the series is about; each new iteration starts with this description"
        )

        left = QFormLayout()
        left.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        left.addRow("&Name:", self._with_error("name", self.name_edit))
        left.addRow("&Kind:", self._with_error("kind", self.kind_combo))
        if self._editing is not None:
            left.addRow("Last iteration:", self.iteration_label)
        else:
            self.iteration_label.hide()
        left.addRow("Default &place:", self.location_edit)
        left.addRow("&Mode:", self.mode_combo)
        left.addRow("L&ead side:", self.lead_combo)
        left.addRow("Time &zone:", self.zone_picker)
        self.description_label = QLabel("&Description:", self)
        self.description_label.setBuddy(self.description_edit)
        left.addRow(self.description_label)
        left.addRow(self.description_edit)

        right = QFormLayout()
        right.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        right.addRow("&Work strands:", self._with_error("strands", self.strands_list))
        partners_box = QWidget(self)
        partners_layout = QVBoxLayout(partners_box)
        partners_layout.setContentsMargins(0, 0, 0, 0)
        partners_layout.addWidget(self.partners_list)
        entry = QHBoxLayout()
        entry.setContentsMargins(0, 0, 0, 0)
        entry.addWidget(self.partner_edit, 1)
        entry.addWidget(self.add_partner_button)
        entry.addWidget(self.remove_partner_button)
        partners_layout.addLayout(entry)
        partners_box.setFocusProxy(self.partner_edit)
        right.addRow("Pa&rtners:", partners_box)
        self._fit_strands()
        self.partners_list.setMinimumHeight(80)

        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addSpacing(12)
        columns.addLayout(right, 2)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button = ok
        self.ok_button.setText("OK")
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary_label, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addLayout(bottom)

        chain: list[QWidget] = [
            self.name_edit,
            self.kind_combo,
            self.location_edit,
            self.mode_combo,
            self.lead_combo,
            self.zone_picker.combo,
            self.description_edit,
            self.strands_list,
            self.partners_list,
            self.partner_edit,
            self.add_partner_button,
            self.remove_partner_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _fit_strands(self) -> None:
        """Room for every strand's full name, and for all the strands up to ten."""
        view = self.strands_list
        frame = 2 * view.frameWidth()
        scroll = view.verticalScrollBar().sizeHint().width()
        view.setMinimumWidth(view.sizeHintForColumn(0) + frame + scroll)
        rows = min(max(view.count(), 4), 10)
        view.setFixedHeight(rows * max(view.sizeHintForRow(0), 16) + frame)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)

    def _add_strand_item(self, key: str, name: str, colour: str) -> QListWidgetItem:
        item = QListWidgetItem(_swatch(colour), name, self.strands_list)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setToolTip(name)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsSelectable
        )
        item.setCheckState(Qt.CheckState.Unchecked)
        return item

    def _connect_signals(self) -> None:
        changed = self._on_changed
        self.name_edit.textChanged.connect(changed)
        self.kind_combo.currentIndexChanged.connect(changed)
        self.zone_picker.combo.editTextChanged.connect(changed)
        self.zone_picker.zone_changed.connect(self._show_offset)
        self.strands_list.itemChanged.connect(changed)
        self.partner_edit.returnPressed.connect(self._add_partner)
        self.partner_edit.installEventFilter(self)
        self.partners_list.installEventFilter(self)
        self.add_partner_button.clicked.connect(self._add_partner)
        self.remove_partner_button.clicked.connect(self._remove_partners)
        self.partners_list.itemSelectionChanged.connect(self._update_buttons)
        self.partner_edit.textChanged.connect(self._update_buttons)
        self._connect_accept(self.buttons)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter in the partner field adds the partner; Delete in the list removes partners."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        if (
            watched is self.partner_edit
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            popup = self.partner_edit.completer().popup()
            if popup is not None and popup.isVisible():
                return False  # the completer takes the key first
            self._add_partner()
            return True
        if watched is self.partners_list and event.key() in (
            Qt.Key.Key_Delete,
            Qt.Key.Key_Backspace,
        ):
            self._remove_partners()
            return True
        return super().eventFilter(watched, event)

    # --- loading a draft ----------------------------------------------------------------------

    def _load(self, draft: SeriesDraft) -> None:
        self.name_edit.setText(draft.name)
        at = self.kind_combo.findData(draft.kind)
        if at < 0:  # a kind the catalogue no longer has: shown, and reported
            self.kind_combo.addItem(_swatch(_UNKNOWN_COLOUR), draft.kind, draft.kind)
            at = self.kind_combo.count() - 1
        self.kind_combo.setCurrentIndex(at)
        self.location_edit.setText(draft.location)
        self.mode_combo.setCurrentIndex(max(self.mode_combo.findData(draft.mode), 0))
        self.lead_combo.setCurrentIndex(max(self.lead_combo.findData(draft.lead_side), 0))
        self.zone_picker.set_zone(draft.tz)
        self._show_offset()
        for key in draft.strands:
            if key not in self._strands:
                self._add_strand_item(key, key, _UNKNOWN_COLOUR)
        for i in range(self.strands_list.count()):
            item = self.strands_list.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in draft.strands
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.partners_list.addItems(draft.partners)
        self.description_edit.setPlainText(draft.description)
        self._show_iteration()
        self._update_buttons()

    def _show_iteration(self) -> None:
        series = self._editing
        if series is None:
            return
        last = series.last_iteration
        if last is None:
            text = "None yet — the first meeting will be the 1st iteration"
        else:
            text = f"The {ordinal(last)} — the next meeting will be the {ordinal(last + 1)}"
        self.iteration_label.setText(text)

    def _show_offset(self, *_: object) -> None:
        """The zone's offset from UTC now, beside the zone."""
        try:
            now = self._services.clock.now().astimezone(zone(self.zone_picker.zone()))
        except LiaisonError:
            now = None
        self.zone_picker.set_reference(now.replace(tzinfo=None) if now is not None else None)

    # --- reactions ----------------------------------------------------------------------------

    def _on_changed(self, *_: object) -> None:
        if not self._loading:
            self._validate()

    def _add_partner(self) -> None:
        name = _tidy(self.partner_edit.text())
        if not name:
            return
        listed = {p.casefold(): i for i, p in enumerate(self._partner_names())}
        if name.casefold() in listed:
            self.partners_list.setCurrentRow(listed[name.casefold()])
        else:
            catalogue = {p.casefold(): p for p in self._partners}
            self.partners_list.addItem(catalogue.get(name.casefold(), name))
            self.partners_list.setCurrentRow(self.partners_list.count() - 1)
        self.partner_edit.clear()

    def _remove_partners(self) -> None:
        for item in self.partners_list.selectedItems():
            self.partners_list.takeItem(self.partners_list.row(item))
        self._update_buttons()

    def _update_buttons(self, *_: object) -> None:
        self.add_partner_button.setEnabled(bool(self.partner_edit.text().strip()))
        self.remove_partner_button.setEnabled(bool(self.partners_list.selectedItems()))

    # --- reading the widgets ------------------------------------------------------------------

    def _partner_names(self) -> list[str]:
        return [self.partners_list.item(i).text() for i in range(self.partners_list.count())]

    def _checked_strands(self) -> list[str]:
        return [
            self.strands_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.strands_list.count())
            if self.strands_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _collect(self) -> list[Problem]:
        """Every problem that stops the series being saved, top to bottom."""
        problems: list[Problem] = []
        name = _tidy(self.name_edit.text())
        if not name:
            problems.append(Problem("name", "A series needs a name."))
        elif (other := self._taken.get(name.casefold())) is not None:
            problems.append(Problem("name", f"A series called {other.name!r} already exists."))
        kind = self.kind_combo.currentData()
        if kind not in self._kinds:
            known = ", ".join(k.name for k in self._kinds.values())
            problems.append(Problem("kind", f"Unknown kind {kind!r}; choose one of: {known}."))
        unknown = [k for k in self._checked_strands() if k not in self._strands]
        if unknown:
            problems.append(
                Problem(
                    "strands",
                    f"Unknown work strand {unknown[0]!r}: untick it or choose another strand.",
                )
            )
        if not self.zone_picker.is_valid():
            problems.append(Problem("zone", self.zone_picker.error()))
        return problems

    # --- showing what is wrong ----------------------------------------------------------------

    def _validate(self) -> None:
        self._problems = self._collect()
        by_field = {f: [p.message for p in self._problems if p.field == f] for f in _FIELDS}
        for field, label in self._error_labels.items():
            text = "\n".join(by_field.get(field, []))
            label.setText(text)
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
            self.ok_button.setToolTip("Save the series (Ctrl+Return)")
        self.validated.emit(not self._problems)
