"""Printing a ``Document``: PDF files, the print preview and paper.

The body is an HTML fragment that a QTextDocument lays out once, as one long strip as wide as
the page's printable area. Lengths are points (1/72 inch): fonts are sized for a 72-dpi paint
device and laid out with design metrics, so a PDF, a preview and any printer break their pages
in the same places. ``paint`` then cuts the strip into pages itself, between two lines of text
or two rows of a table, never through a row (``QTextDocument.print_`` would add margins and page
numbers of its own, and Qt's own pagination splits a row of several lines across two pages and
leaves the table open at the page's foot). A table that goes on over a page repeats its header
rows (``<thead>``); a heading stays with what follows it; a paragraph leaves at least two lines
on either page; ``page-break-before`` / ``-after`` are kept. Something taller than a page (a
row with a very long text) is cut between two lines.

Every page has a header (the handling marking, bold and centred; the organisation left and the
title right, small and grey; a thin rule) and a footer (a thin rule; the marking; "Page N of M").
The painter is scaled from device pixels to points, so painting works at any resolution.
"""

import re
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPalette,
    QPen,
    QTextBlock,
    QTextDocument,
    QTextFormat,
    QTextFrame,
    QTextTable,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from liaison_calendar import files
from liaison_calendar.errors import OutputError
from liaison_calendar.reports.document import STYLE, Document

__all__ = [
    "MARGIN_MM",
    "PAGE_SIZES",
    "PDF_DPI",
    "configure",
    "ensure_app",
    "paint",
    "preview",
    "print_dialog",
    "qt_css",
    "text_document",
    "write_html",
    "write_pdf",
]

PAGE_SIZES = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}
"""The paper sizes a document can be printed on, by the name settings and the CLI use."""

MARGIN_MM = 15.0
"""Margin on every side of a page (the header and footer are inside it)."""

PDF_DPI = 300
"""Resolution of a PDF written here (text and rules are vectors whatever it is)."""

FONT_FAMILY = "DejaVu Sans"
BODY_PT = 10.0
HEADER_PT = 7.5  # organisation, title, page number
MARKING_PT = 8.5
GREY = QColor("#555555")
RULE = QColor("#8c8c8c")
RULE_PT = 0.5
GAP_PT = 8.0  # between a rule and the body
BLEED_PT = 2.0  # a page's slice reaches this far into the side margins (a table's outer borders)
SEAM_PT = 0.6  # both pages draw this much past a cut between two table rows (the border)
EPSILON = 0.1  # a line of text that starts where a page ends is not drawn on it (Qt rounds to 1/64)

_points_device: QImage | None = None
_px_per_pt: float | None = None
_DECLARATION = re.compile(r"([A-Za-z-]+)\s*:([^;{}\"]*)")
_POINTS = re.compile(r"(\d*\.?\d+)pt\b")
_STYLE_ATTRIBUTE = re.compile(r'\bstyle\s*=\s*"[^"]*"', re.IGNORECASE)


def ensure_app() -> QCoreApplication:
    """The running Qt application, or a new QApplication (fonts and printers need one).

    Without a display, set ``QT_QPA_PLATFORM=offscreen`` before calling (the CLI does).
    """
    app = QApplication.instance()
    if app is None:
        app = QApplication([])
    return app


def text_document(doc: Document, width_pt: float) -> QTextDocument:
    """``doc``'s body, with ``STYLE`` as the default style sheet, laid out ``width_pt`` wide.

    Lengths are points (see the module docstring); the document is not paginated: ``paint``
    cuts it into pages.
    """
    ensure_app()
    text = QTextDocument()
    text.setUseDesignMetrics(True)
    text.documentLayout().setPaintDevice(_points())
    text.setDocumentMargin(0)
    text.setDefaultFont(_font(BODY_PT))
    text.setDefaultStyleSheet(qt_css(STYLE))
    text.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, doc.title)
    text.setHtml(_STYLE_ATTRIBUTE.sub(lambda m: qt_css(m.group(0)), doc.body))
    text.setTextWidth(width_pt)
    return text


def qt_css(css: str) -> str:
    """``css`` in QTextDocument's dialect: lengths in points become CSS pixels.

    Qt reads ``pt`` in font sizes only: a margin or padding in points comes out as 0. It reads
    pixels as CSS pixels (1/96 inch on a usual screen), so ``14pt`` becomes ``18.67px``. Font
    sizes stay in points (Qt would round pixel sizes to whole pixels).
    """
    factor = _css_px_per_pt()

    def declaration(match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2)
        if name.lower().startswith("font"):
            return match.group(0)
        return name + ":" + _POINTS.sub(lambda m: f"{float(m.group(1)) * factor:.2f}px", value)

    return _DECLARATION.sub(declaration, css)


def configure(printer: QPrinter, doc: Document, page_size: str = "A4") -> None:
    """Set ``printer`` up for ``doc``: paper, orientation, margins, name and (for a PDF) dpi."""
    try:
        size_id = PAGE_SIZES[page_size]
    except KeyError:
        choices = " or ".join(PAGE_SIZES)
        raise OutputError(f"Unknown page size {page_size!r}: choose {choices}.") from None
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
        printer.setResolution(PDF_DPI)
    printer.setFullPage(False)
    printer.setPageSize(QPageSize(size_id))
    printer.setPageOrientation(
        QPageLayout.Orientation.Landscape if doc.landscape else QPageLayout.Orientation.Portrait
    )
    margins = QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM)
    printer.setPageMargins(margins, QPageLayout.Unit.Millimeter)
    printer.setDocName(doc.title)
    printer.setCreator("Liaison Calendar")


def paint(doc: Document, printer: QPrinter) -> int:
    """Draw ``doc`` on ``printer`` (already configured), page by page; the number of pages.

    Ends the painter, which finishes a PDF. ``OutputError`` if the printer cannot be painted on.
    """
    ensure_app()
    painter = QPainter()
    if not painter.begin(printer):
        raise OutputError(f"Could not start printing on {_where(printer)}.")
    try:
        pages = _paint_pages(doc, printer, painter)
    except BaseException:
        painter.end()
        raise
    if not painter.end():
        raise OutputError(f"Could not finish printing on {_where(printer)}.")
    return pages


def write_pdf(doc: Document, path: Path, page_size: str = "A4") -> int:
    """Write ``doc`` as a PDF at ``path`` atomically; the number of pages.

    ``OutputError`` (one line) if it cannot be written; a file already at ``path`` is then left
    as it was.
    """
    ensure_app()
    with files.replacing(path) as temp:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(temp))
        configure(printer, doc, page_size)
        try:
            pages = paint(doc, printer)
        except OutputError as exc:  # name the file asked for, not the temp file
            raise OutputError(exc.message.replace(str(temp), str(path))) from None
        if temp.stat().st_size == 0:
            raise OutputError(f"Could not write {path}: the PDF came out empty.")
    return pages


def write_html(doc: Document, path: Path) -> None:
    """Write ``doc`` as one standalone HTML file at ``path`` atomically."""
    files.write_atomically(path, [doc.html().encode("utf-8")])


def preview(
    doc: Document, parent: QWidget | None = None, page_size: str = "A4"
) -> QPrintPreviewDialog:
    """A print preview of ``doc``, not yet shown (the caller runs ``exec()``).

    The printer is configured once, here, so that the preview's own orientation and page setup
    buttons change what it shows.
    """
    ensure_app()
    dialog = QPrintPreviewDialog(parent)
    dialog.setWindowTitle(f"Print preview – {doc.title}")
    configure(dialog.printer(), doc, page_size)

    def render(printer: QPrinter) -> None:
        paint(doc, printer)

    dialog.paintRequested.connect(render)
    return dialog


def print_dialog(doc: Document, parent: QWidget | None = None, page_size: str = "A4") -> bool:
    """Ask for a printer and print ``doc`` on it; True if it was printed."""
    ensure_app()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    configure(printer, doc, page_size)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print – {doc.title}")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    paint(doc, printer)
    return True


# --- cutting the body into pages --------------------------------------------------------------


@dataclass(frozen=True)
class _Cut:
    """A place where a page may end and the next begin, in document points."""

    y: float
    seam: float = 0.0  # both pages draw this much past ``y`` (the border between two rows)
    lead: float = EPSILON  # the next page draws text from this far below ``y``
    resume: tuple[int, int] | None = None  # (block position, line) when ``y`` is inside a block
    forced: bool = False  # page-break-before / -after


@dataclass(frozen=True)
class _Table:
    top: float  # the table's top border
    head_end: float  # the cut below its header rows (== top without a <thead>)
    bottom: float  # its bottom border
    edge: float  # from the top border to the text of the first row
    seam: float

    @property
    def head_height(self) -> float:
        """Room the repeated header rows take at the top of a page."""
        return self.head_end - self.top + 2 * self.seam


@dataclass(frozen=True)
class _Piece:
    """A band of the document that a page shows, ``at`` points below the top of its body.

    Qt draws every line of text that reaches into the paint context's clip, and the line before
    it in the same paragraph; the painter's clip then hides what is outside, but a PDF would
    still hold that text (found, copied). So the text band is narrower than the drawn one, which
    takes in table borders at its edges, and a paragraph that goes on from the page before has
    its lines on this page drawn one by one (``resume``).
    """

    top: float
    bottom: float
    at: float
    text_top: float
    text_bottom: float
    resume: tuple[int, int] | None = None


def _cuts(text: QTextDocument) -> tuple[list[_Cut], list[_Table]]:
    """Where pages may end, and the tables (to repeat their header rows)."""
    layout = text.documentLayout()
    cuts: list[_Cut] = []
    tables: list[_Table] = []
    keep_with_next = False  # after a heading
    force_next = False  # after a page-break-after
    after_frame = False
    it = text.rootFrame().begin()
    while not it.atEnd():
        frame: QTextFrame | None = it.currentFrame()  # None at a block (the stubs say otherwise)
        block = it.currentBlock()
        it += 1
        mine: list[_Cut]
        if frame is not None:
            policy = frame.frameFormat().pageBreakPolicy()
            if isinstance(frame, QTextTable):
                table, mine = _table_cuts(frame, layout)
                tables.append(table)
            else:
                mine = [_Cut(layout.frameBoundingRect(frame).top())]
            heading = False
            after_frame = True
        else:
            if after_frame and block.length() <= 1:
                continue  # the empty block Qt keeps after a table: laid out beside it
            after_frame = False
            policy = block.blockFormat().pageBreakPolicy()
            top = layout.blockBoundingRect(block).top()
            lines = block.layout()
            count = lines.lineCount()
            # Never one line of a paragraph alone at the foot or the head of a page.
            mine = [
                _Cut(top + lines.lineAt(i).y(), resume=(block.position(), i) if i else None)
                for i in range(count)
                if i == 0 or 2 <= i <= count - 2
            ]
            heading = block.blockFormat().headingLevel() > 0
        if not mine:
            continue
        before = force_next or bool(policy & QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
        if before:
            mine[0] = replace(mine[0], forced=True)
        elif keep_with_next:
            mine = mine[1:]
        cuts.extend(mine)
        keep_with_next = heading
        force_next = bool(policy & QTextFormat.PageBreakFlag.PageBreak_AlwaysAfter)
    return sorted(cuts, key=lambda cut: cut.y), tables


def _table_cuts(
    table: QTextTable, layout: QAbstractTextDocumentLayout
) -> tuple[_Table, list[_Cut]]:
    """Cuts between the rows of ``table`` (not through a row, nor under its header)."""
    rows = table.rows()
    tops: list[float | None] = [None] * rows
    bottoms: list[float | None] = [None] * rows
    blocked = [False] * (rows + 1)  # blocked[r]: no cut between rows r - 1 and r
    for r in range(rows):
        for c in range(table.columns()):
            cell = table.cellAt(r, c)
            if cell.row() != r or cell.column() != c:
                continue
            top = layout.blockBoundingRect(cell.firstCursorPosition().block()).top()
            bottom = layout.blockBoundingRect(cell.lastCursorPosition().block()).bottom()
            current = tops[r]
            tops[r] = top if current is None else min(current, top)
            last = r + cell.rowSpan() - 1
            for inside in range(r + 1, last + 1):
                blocked[inside] = True
            previous = bottoms[last]
            bottoms[last] = bottom if previous is None else max(previous, bottom)
    for r in range(min(table.format().headerRowCount(), rows) + 1):
        blocked[r] = True  # keep the header rows with each other and with the first row
    bounds: list[float | None] = [None] * (rows + 1)
    gaps: list[float] = []
    for r in range(1, rows):
        above, below = bottoms[r - 1], tops[r]
        if above is not None and below is not None and below >= above:
            bounds[r] = (above + below) / 2
            gaps.append(below - above)
    edge = min(gaps) / 2 if gaps else 3.0  # from a row's text to the table's outer border
    seam = min(SEAM_PT, edge)
    first = next((t for t in tops if t is not None), 0.0)
    last_bottom = next((b for b in reversed(bottoms) if b is not None), first)
    top, bottom = first - edge, last_bottom + edge
    head_rows = min(table.format().headerRowCount(), rows)
    head_end = bounds[head_rows] if 0 < head_rows < rows else None
    # Before the table, the text of the next page starts in its first row: the line above may
    # reach into its top border.
    cuts = [_Cut(top - seam, lead=seam + edge / 2)]
    for r in range(1, rows):
        bound = bounds[r]
        if bound is not None and not blocked[r]:
            cuts.append(_Cut(bound, seam, lead=seam))
    info = _Table(top, head_end if head_end is not None else top, bottom, edge, seam)
    return info, cuts


def _line_spans(text: QTextDocument) -> list[tuple[float, float]]:
    """Every line of text, top and bottom: a row taller than a page is cut between them."""
    layout = text.documentLayout()
    spans = []
    block: QTextBlock = text.begin()
    while block.isValid():
        top = layout.blockBoundingRect(block).top()
        lines = block.layout()
        for i in range(lines.lineCount()):
            line = lines.lineAt(i)
            spans.append((top + line.y(), top + line.y() + line.height()))
        block = block.next()
    return spans


def _pages(text: QTextDocument, height: float) -> list[list[_Piece]]:
    """The pieces of the document each page shows, ``height`` points of body a page."""
    cuts, tables = _cuts(text)
    end = text.documentLayout().documentSize().height()
    origin = min([0.0] + [cut.y for cut in cuts])
    start = _Cut(origin, lead=-1.0)
    head: _Table | None = None
    spans: list[tuple[float, float]] | None = None
    pages: list[list[_Piece]] = []
    while True:
        pieces: list[_Piece] = []
        offset = start.seam  # page y of start.y
        if head is not None:
            band = _Piece(
                head.top - head.seam,
                head.head_end + head.seam,
                0.0,
                head.top + head.edge / 2,
                head.head_end,
            )
            pieces.append(band)
            offset = head.head_height - head.seam
        limit = start.y + height - offset  # the page ends above this
        later = [cut for cut in cuts if cut.y > start.y + 0.01]
        forced = next((cut for cut in later if cut.forced), None)
        cut: _Cut | None
        if forced is not None and forced.y + forced.seam <= limit:
            cut = forced
        elif end <= limit:
            cut = None
        else:
            fitting = [c for c in later if c.y + c.seam <= limit]
            if fitting:
                cut = fitting[-1]
            else:  # something taller than a page: cut between lines, or through
                if spans is None:
                    spans = _line_spans(text)
                cut = _Cut(_between_lines(spans, start.y, limit))
        # Under repeated header rows, the row's own top border would double the header's bottom
        # border: start below it.
        reach = -start.seam if head is None else start.seam
        text_top = start.y + max(start.lead, reach)
        if cut is None:
            bottom, text_bottom = end, end + 1.0
        else:
            bottom, text_bottom = cut.y + cut.seam, cut.y - EPSILON
        band = _Piece(start.y + reach, bottom, offset + reach, text_top, text_bottom, start.resume)
        pieces.append(band)
        pages.append(pieces)
        if cut is None:
            return pages
        start = cut
        head = next(
            (t for t in tables if t.head_end > t.top and t.head_end < cut.y < t.bottom), None
        )
        if head is not None and head.head_height >= height / 2:
            head = None  # a header that big is not repeated


def _between_lines(spans: list[tuple[float, float]], low: float, high: float) -> float:
    """The last place before ``high`` (well after ``low``) that cuts no line, else ``high``."""
    best = high
    inside = [(top, bottom) for top, bottom in spans if bottom > low and top < high]
    for y in sorted({top for top, _ in inside}, reverse=True):
        if y <= low + 1.0:
            break
        if not any(top < y < bottom for top, bottom in inside):
            return y
    return best


# --- drawing ----------------------------------------------------------------------------------


def _paint_pages(doc: Document, printer: QPrinter, painter: QPainter) -> int:
    sx = printer.logicalDpiX() / 72.0
    sy = printer.logicalDpiY() / 72.0
    area = printer.pageRect(QPrinter.Unit.DevicePixel)
    width = area.width() / sx
    height = area.height() / sy
    painter.scale(sx, sy)  # from here on, lengths are points from the top left of the margins
    dpi = float(printer.logicalDpiY())

    marking_font = _font(MARKING_PT, bold=True)
    small_font = _font(HEADER_PT)
    marking = QFontMetricsF(marking_font, _points())
    small = QFontMetricsF(small_font, _points())
    wrap = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap

    # Header: marking, then organisation and title, then a rule.
    marking_h = 0.0
    if doc.marking:
        marking_h = marking.boundingRect(QRectF(0, 0, width, 1e6), int(wrap), doc.marking).height()
    info_top = marking_h + 2.0 if doc.marking else 0.0
    header_rule = info_top + small.height() + 3.0
    body_top = header_rule + GAP_PT

    # Footer: a rule, then the marking centred and the page number right, on one line if the
    # marking fits between page numbers on both sides, else the marking on a line of its own.
    widest_page = small.horizontalAdvance("Page 9999 of 9999")
    beside = width - 2 * (widest_page + 6.0)
    one_line = not doc.marking or marking.horizontalAdvance(doc.marking) <= beside
    if one_line:
        footer_h = max(small.height(), marking.height() if doc.marking else 0.0)
    else:
        footer_h = marking_h + 2.0 + small.height()
    footer_top = height - footer_h
    footer_rule = footer_top - 3.0
    body_height = footer_rule - GAP_PT - body_top
    if body_height < 72.0:
        raise OutputError("The page is too small to print on: choose a larger paper size.")

    text = text_document(doc, width)
    pages = _pages(text, body_height)
    count = len(pages)

    context = QAbstractTextDocumentLayout.PaintContext()
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Text, QColor(Qt.GlobalColor.black))
    palette.setColor(QPalette.ColorRole.Base, QColor(Qt.GlobalColor.white))
    palette.setColor(QPalette.ColorRole.Link, QColor("#0b4f9c"))
    context.palette = palette  # the app's palette may be dark; paper is white

    rule_pen = QPen(RULE)
    rule_pen.setWidthF(RULE_PT)
    for number, pieces in enumerate(pages, start=1):
        if number > 1 and not printer.newPage():
            raise OutputError(f"Could not start page {number} on {_where(printer)}.")

        # Header.
        painter.setPen(QColor(Qt.GlobalColor.black))
        if doc.marking:
            painter.setFont(_device_font(marking_font, dpi))
            painter.drawText(QRectF(0, 0, width, marking_h), int(wrap), doc.marking)
        painter.setFont(_device_font(small_font, dpi))
        painter.setPen(GREY)
        line = QRectF(0, info_top, width, small.height())
        title_x = 0.0
        if doc.organisation:
            elide = Qt.TextElideMode.ElideRight
            organisation = small.elidedText(doc.organisation, elide, width / 2)
            painter.drawText(line, int(Qt.AlignmentFlag.AlignLeft), organisation)
            title_x = small.horizontalAdvance(organisation) + 12.0
        title = small.elidedText(doc.title, Qt.TextElideMode.ElideRight, width - title_x)
        painter.drawText(line, int(Qt.AlignmentFlag.AlignRight), title)
        painter.setPen(rule_pen)
        painter.drawLine(QPointF(0, header_rule), QPointF(width, header_rule))

        # Body: this page's pieces of the document.
        for piece in pieces:
            painter.save()
            painter.translate(0, body_top + piece.at - piece.top)
            band = QRectF(-BLEED_PT, piece.top, width + 2 * BLEED_PT, piece.bottom - piece.top)
            painter.setClipRect(band)
            text_top = piece.text_top
            if piece.resume is not None:
                text_top = _resume(text, piece, painter)
            if text_top < piece.text_bottom:
                lines = piece.text_bottom - text_top
                context.clip = QRectF(-BLEED_PT, text_top, width + 2 * BLEED_PT, lines)
                text.documentLayout().draw(painter, context)
            painter.restore()

        # Footer.
        painter.setPen(rule_pen)
        painter.drawLine(QPointF(0, footer_rule), QPointF(width, footer_rule))
        page_line = QRectF(0, footer_top, width, footer_h)
        if doc.marking:
            painter.setPen(QColor(Qt.GlobalColor.black))
            painter.setFont(_device_font(marking_font, dpi))
            if one_line:
                flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                painter.drawText(page_line, int(flags), doc.marking)
            else:
                painter.drawText(QRectF(0, footer_top, width, marking_h), int(wrap), doc.marking)
                page_line = QRectF(0, height - small.height(), width, small.height())
        painter.setPen(GREY)
        painter.setFont(_device_font(small_font, dpi))
        bottom_right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom
        painter.drawText(page_line, int(bottom_right), f"Page {number} of {count}")
    return count


def _resume(text: QTextDocument, piece: _Piece, painter: QPainter) -> float:
    """Draw the lines of the paragraph that goes on from the page before; where the rest of
    the page's text starts."""
    assert piece.resume is not None
    position, first = piece.resume
    block = text.findBlock(position)
    lines = block.layout()
    origin = lines.position()
    painter.setPen(QColor(Qt.GlobalColor.black))
    for i in range(first, lines.lineCount()):
        line = lines.lineAt(i)
        if origin.y() + line.y() >= piece.text_bottom:
            break
        line.draw(painter, origin)
    return text.documentLayout().blockBoundingRect(block).bottom() + EPSILON


def _points() -> QImage:
    """A paint device of 72 dpi: a font's pixels there are points."""
    global _points_device
    if _points_device is None:
        image = QImage(1, 1, QImage.Format.Format_ARGB32)
        dots_per_metre = round(72 / 0.0254)
        image.setDotsPerMeterX(dots_per_metre)
        image.setDotsPerMeterY(dots_per_metre)
        _points_device = image
    return _points_device


def _css_px_per_pt() -> float:
    """CSS pixels a point, as QTextDocument reads them on the 72-dpi device (measured once:
    Qt scales lengths by the device's dpi over the screen's, 96 on most)."""
    global _px_per_pt
    if _px_per_pt is None:
        ensure_app()
        probe = QTextDocument()
        probe.documentLayout().setPaintDevice(_points())
        probe.setDocumentMargin(0)
        probe.setHtml('<p style="margin: 0">a</p><p style="margin: 96px 0 0 0">b</p>')
        probe.setTextWidth(200)
        layout = probe.documentLayout()
        first = probe.begin()
        gap = (
            layout.blockBoundingRect(first.next()).top() - layout.blockBoundingRect(first).bottom()
        )
        _px_per_pt = 96.0 / gap if gap > 1.0 else 1.0
    return _px_per_pt


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont(FONT_FAMILY)
    font.setPointSizeF(points)
    font.setBold(bold)
    # No ligatures: a PDF's text must copy and search as typed ("office", not "o\ufb03ce").
    for tag in ("liga", "clig", "dlig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def _device_font(font: QFont, dpi: float) -> QFont:
    """``font`` for a painter scaled to points on a device of ``dpi``: QPainter sizes fonts
    for its device before its transform scales them again."""
    scaled = QFont(font)
    scaled.setPointSizeF(font.pointSizeF() * 72.0 / dpi)
    return scaled


def _where(printer: QPrinter) -> str:
    name = printer.outputFileName()
    return name if name else f"the printer {printer.printerName() or '(none)'}"
