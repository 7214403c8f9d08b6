"""The demo calendar's documents as PDFs, checked from the PDF itself: pages, text, markings,
and nothing above the print level."""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from liaison_calendar.domain.enums import ReleaseLevel
from liaison_calendar.domain.models import AgendaItemDraft, MeetingDraft
from liaison_calendar.services.context import Services
from liaison_calendar.services.demo import LIMITED, STAFF_ONLY, demo_uid, seed_demo
from liaison_calendar.ui import printing
from tests.ui.test_printing import pdf_pages

FIRST, LAST = date(2023, 6, 1), date(2024, 5, 31)


def flat(text: str) -> str:
    return " ".join(text.split())


def pages(path: Path) -> list[str]:
    """The text of each page in reading order (not ``-layout``, which interleaves the lines of
    neighbouring table cells), with its whitespace flattened."""
    texts = []
    for i in range(1, pdf_pages(path) + 1):
        args = ["pdftotext", "-f", str(i), "-l", str(i), str(path), "-"]
        done = subprocess.run(args, capture_output=True, text=True, check=True)
        texts.append(flat(done.stdout))
    return texts


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Services:
    from liaison_calendar.domain.clock import FixedClock
    from tests.conftest import NOW

    services = Services.open(tmp_path_factory.mktemp("docs") / "demo.db", FixedClock(NOW))
    seed_demo(services)
    services.meetings.create(
        MeetingDraft(
            title="<img src=x> & <b> – hostile title",
            start=datetime(2024, 3, 14, 10),
            end=datetime(2024, 3, 14, 11),
            strands=["cyber"],
            agenda=[AgendaItemDraft(title="<script>alert(1)</script> item", duration_min=40)],
            marking=STAFF_ONLY,
        )
    )
    return services


def test_the_agenda_pdf_has_every_item_at_its_clock_time_and_the_marking_on_every_page(
    demo: Services, tmp_path: Path
) -> None:
    meeting = demo.meetings.get(demo_uid("optalks-2"))
    path = tmp_path / "agenda.pdf"
    count = printing.write_pdf(demo.reports.agenda(meeting.id), path)
    texts = pages(path)
    assert len(texts) == count == 1
    whole = " ".join(texts)
    assert flat(meeting.title) in whole
    for item in meeting.agenda:
        assert item.starts is not None
        assert item.ends is not None
        clock = f"{item.starts:%H:%M}–{item.ends:%H:%M}"
        assert clock in whole
        assert flat(item.title).split()[0] in whole.split(clock, 1)[1]
    for i, text in enumerate(texts, 1):
        assert text.count(STAFF_ONLY) >= 2
        assert f"Page {i} of {count}" in text


def test_hostile_text_prints_literally(demo: Services, tmp_path: Path) -> None:
    hostile = demo.queries.search("hostile")[0]
    path = tmp_path / "hostile.pdf"
    printing.write_pdf(demo.reports.agenda(hostile.id), path)
    whole = " ".join(pages(path))
    assert "<img src=x> & <b> – hostile title" in whole
    assert "<script>alert(1)</script> item" in whole


@pytest.mark.parametrize(
    ("level", "marking", "restricted_shown"),
    [(ReleaseLevel.RESTRICTED, LIMITED, True), (ReleaseLevel.STAFF, STAFF_ONLY, False)],
)
def test_the_period_report_pdf_keeps_to_its_print_level(
    demo: Services,
    tmp_path: Path,
    level: ReleaseLevel,
    marking: str,
    restricted_shown: bool,
) -> None:
    restricted = demo.meetings.get(demo_uid("fimi-2023"))
    assert restricted.release_level is ReleaseLevel.RESTRICTED
    path = tmp_path / "report.pdf"
    document = demo.reports.period_report(FIRST, LAST, level=level)
    count = printing.write_pdf(document, path)
    texts = pages(path)
    assert len(texts) == count > 1
    whole = " ".join(texts)
    assert "Progress report" in whole
    for strand in demo.catalog.strands():
        assert flat(strand.name) in whole
    for i, text in enumerate(texts, 1):
        assert text.count(marking) >= 2, f"page {i}"
        assert f"Page {i} of {count}" in text
    title_words = flat(restricted.title)[:30]
    assert (title_words in whole) is restricted_shown
    assert (document.left_out > 0) is not restricted_shown


def test_the_month_pdf_is_one_landscape_page_with_the_months_meetings(
    demo: Services, tmp_path: Path
) -> None:
    path = tmp_path / "month.pdf"
    count = printing.write_pdf(demo.reports.calendar("month", date(2024, 3, 12)), path)
    assert count == 1
    whole = " ".join(pages(path))
    assert "March 2024" in whole
    assert "Operational cooperation talks" in whole
    assert "Countering hybrid threats" in whole  # the legend
    assert whole.count(STAFF_ONLY) >= 2
