"""Printing: PDFs cut into pages by ui.printing, read back with poppler (pdftotext, pdfinfo)."""

import re
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QPageLayout, QPaintDevice, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

from liaison_calendar.errors import OutputError
from liaison_calendar.reports.document import Document, esc, esc_lines
from liaison_calendar.ui import printing

MARKING = "EU-NATO STAFF ONLY"
HOSTILE = "<img src=x> & <b>"
ROWS = 120


def long_table() -> Document:
    """A heading and a 120-row table; every 5th row has four lines of notes."""
    rows = []
    for i in range(1, ROWS + 1):
        notes = esc_lines("\n".join(f"note {i}.{k}" for k in range(1, 5))) if i % 5 == 0 else ""
        rows.append(
            f"<tr><td>{i}</td><td>{esc(f'Meeting {HOSTILE} number {i}')}</td>"
            f"<td>{notes}</td><td class='num'>{i * 3}</td></tr>"
        )
    body = (
        f"<h1>{esc('Agenda ' + HOSTILE)}</h1>"
        "<p class='muted'>Meetings of the week, Brussels time.</p>"
        "<table class='grid' width='100%' cellspacing='0'>"
        "<thead><tr><th>#</th><th>Subject</th><th>Notes</th><th class='num'>Min</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return Document(
        title=f"Agenda {HOSTILE}",
        body=body,
        marking=MARKING,
        organisation="EU Military Staff – Liaison Office",
    )


def short(landscape: bool = False) -> Document:
    return Document(title="Short", body="<p>One line.</p>", marking=MARKING, landscape=landscape)


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    match = re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
    assert match, info.stdout
    return int(match.group(1))


def page_size(path: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    match = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout, re.MULTILINE)
    assert match, info.stdout
    return float(match.group(1)), float(match.group(2))


def page_text(path: Path, page: int) -> str:
    args = ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, list[str]]:
    path = tmp_path_factory.mktemp("pdf") / "agenda.pdf"
    pages = printing.write_pdf(long_table(), path)
    return path, pages, [page_text(path, n) for n in range(1, pages + 1)]


def test_a_long_table_spans_pages_that_all_carry_marking_and_page_number(
    long_pdf: tuple[Path, int, list[str]],
) -> None:
    path, pages, texts = long_pdf
    assert pages > 1
    assert pdf_pages(path) == pages
    for number, text in enumerate(texts, start=1):
        lines = [line for line in text.splitlines() if line.strip()]
        assert text.count(MARKING) == 2, text
        assert MARKING in lines[0]  # top of the page
        assert MARKING in lines[-1]  # bottom of the page, beside the page number
        assert f"Page {number} of {pages}" in lines[-1]
        assert "EU Military Staff – Liaison Office" in lines[1]


def test_user_text_prints_literally(long_pdf: tuple[Path, int, list[str]]) -> None:
    _, _, texts = long_pdf
    assert f"Agenda {HOSTILE}" in texts[0]
    assert f"Meeting {HOSTILE} number 1 " in texts[0]


def test_rows_are_never_split_and_the_header_repeats(
    long_pdf: tuple[Path, int, list[str]],
) -> None:
    _, _, texts = long_pdf
    page_of: dict[int, int] = {}
    for number, text in enumerate(texts, start=1):
        assert text.count("Subject") == 1, f"page {number} repeats the header row once"
        for match in re.finditer(r"^\s*(\d+)\s+Meeting", text, re.MULTILINE):
            row = int(match.group(1))
            assert row not in page_of, f"row {row} printed twice"
            page_of[row] = number
    assert sorted(page_of) == list(range(1, ROWS + 1))
    every_note = "\n".join(texts)
    for row in range(5, ROWS + 1, 5):
        for k in range(1, 5):
            note = f"note {row}.{k}"
            assert every_note.count(note + "\n") + every_note.count(note + " ") == 1, note
            assert note in texts[page_of[row] - 1], f"{note} is not on the page of row {row}"


def test_a_paragraph_longer_than_a_page_goes_on_without_losing_or_repeating_words(
    tmp_path: Path,
) -> None:
    words = " ".join(f"w{n:04d}" for n in range(2500))
    doc = Document(title="Minutes", body=f"<h2>Minutes</h2><p>{words}</p><p>End.</p>")
    path = tmp_path / "minutes.pdf"
    pages = printing.write_pdf(doc, path)
    assert pages > 1
    found = re.findall(r"w\d{4}", "".join(page_text(path, n) for n in range(1, pages + 1)))
    assert found == [f"w{n:04d}" for n in range(2500)]


def test_page_break_before_starts_a_new_page(tmp_path: Path) -> None:
    body = "<p>First part.</p><h2 style='page-break-before: always'>Annex</h2><p>Second.</p>"
    path = tmp_path / "annex.pdf"
    assert printing.write_pdf(Document(title="Report", body=body), path) == 2
    assert "Annex" not in page_text(path, 1)
    assert "Second." in page_text(path, 2)


@pytest.mark.parametrize(("size", "points"), [("A4", (595.0, 842.0)), ("Letter", (612.0, 792.0))])
def test_page_sizes(tmp_path: Path, size: str, points: tuple[float, float]) -> None:
    path = tmp_path / "short.pdf"
    assert printing.write_pdf(short(), path, size) == 1
    width, height = page_size(path)
    assert width == pytest.approx(points[0], abs=1)
    assert height == pytest.approx(points[1], abs=1)


def test_a_landscape_document_is_wider_than_high(tmp_path: Path) -> None:
    path = tmp_path / "month.pdf"
    printing.write_pdf(short(landscape=True), path, "Letter")
    width, height = page_size(path)
    assert width > height


def test_an_unknown_page_size_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="A4 or Letter"):
        printing.write_pdf(short(), tmp_path / "x.pdf", "A3")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        printing.write_pdf(short(), tmp_path / "nowhere" / "agenda.pdf")


@pytest.mark.parametrize("failure", [OutputError("Could not print."), RuntimeError("bug")])
def test_a_failed_write_leaves_the_existing_file_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    target = tmp_path / "agenda.pdf"
    target.write_bytes(b"%PDF-1.4 the old agenda")

    def broken(doc: Document, printer: QPrinter) -> int:
        assert Path(printer.outputFileName()).exists()  # the temp file beside the target
        raise failure

    monkeypatch.setattr(printing, "paint", broken)
    with pytest.raises(type(failure)):
        printing.write_pdf(short(), target)
    assert target.read_bytes() == b"%PDF-1.4 the old agenda"
    assert list(tmp_path.iterdir()) == [target]


def test_a_painter_that_cannot_begin_is_an_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Refusing(QPainter):
        def begin(self, device: QPaintDevice) -> bool:
            return False

    target = tmp_path / "agenda.pdf"
    target.write_bytes(b"old")
    monkeypatch.setattr(printing, "QPainter", Refusing)
    with pytest.raises(OutputError) as caught:
        printing.write_pdf(short(), target)
    assert str(target) in caught.value.message  # not the temp file's name
    assert "\n" not in caught.value.message
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_paint_works_at_any_resolution(tmp_path: Path) -> None:
    doc = long_table()
    counts = []
    for dpi in (72, 600):
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / f"at-{dpi}.pdf"))
        printing.configure(printer, doc)
        printer.setResolution(dpi)
        counts.append(printing.paint(doc, printer))
    assert counts[0] == counts[1] > 1
    assert "Page 1 of" in page_text(tmp_path / "at-72.pdf", 1)


def test_write_html(tmp_path: Path) -> None:
    path = tmp_path / "agenda.html"
    printing.write_html(long_table(), path)
    html = path.read_text(encoding="utf-8")
    assert html.count(MARKING) == 2
    assert "Meeting &lt;img src=x&gt; &amp; &lt;b&gt; number 7" in html
    assert "<img" not in html


def test_text_document_lays_out_in_points() -> None:
    body = '<p style="margin: 0">a</p><p style="margin: 20pt 0 0 0">b</p>'
    text = printing.text_document(Document(title="t", body=body), 400)
    assert text.pageCount() >= 1
    assert text.textWidth() == 400
    layout = text.documentLayout()
    first = text.begin()
    gap = layout.blockBoundingRect(first.next()).top() - layout.blockBoundingRect(first).bottom()
    assert gap == pytest.approx(20, abs=0.8)  # Qt drops margins in pt: they are rewritten


def test_preview_is_configured_and_paints(tmp_path: Path) -> None:
    dialog = printing.preview(short(landscape=True), page_size="Letter")
    try:
        assert isinstance(dialog, QPrintPreviewDialog)
        printer = dialog.printer()
        assert printer.pageLayout().orientation() == QPageLayout.Orientation.Landscape
        assert printer.docName() == "Short"
        pdf = QPrinter(QPrinter.PrinterMode.HighResolution)
        pdf.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        pdf.setOutputFileName(str(tmp_path / "preview.pdf"))
        printing.configure(pdf, short())
        dialog.paintRequested.emit(pdf)
        assert "One line." in page_text(tmp_path / "preview.pdf", 1)
    finally:
        dialog.deleteLater()
