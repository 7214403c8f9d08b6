"""Month and week printouts (``reports.calendar``): days, meetings, colours, escaping."""

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from liaison_calendar.domain.enums import Status
from liaison_calendar.domain.models import MeetingDraft
from liaison_calendar.reports.calendar import month_page, week_page
from liaison_calendar.reports.data import CalendarPage, Header, Held
from liaison_calendar.reports.document import Document
from liaison_calendar.services.context import Services
from liaison_calendar.services.demo import seed_demo

BRUSSELS = "Europe/Brussels"
MARCH = date(2024, 3, 12)
MARCH_FIRST = date(2024, 2, 26)  # the Monday on or before 1 March 2024
WEEK_OF_6_MARCH = date(2024, 3, 4)
HOSTILE = "<img src=x> & <b>"
SQUARE = "\N{BLACK SQUARE}"  # the colour swatch
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


# --- helpers ---------------------------------------------------------------------------------


def _page(
    services: Services,
    kind: str = "month",
    anchor: date = MARCH,
    tz: str = BRUSSELS,
    header: Header | None = None,
    filters: str = "",
) -> CalendarPage:
    if kind == "month":
        first, days = MARCH_FIRST if anchor.month == 3 else _grid_start(anchor), 42
    else:
        first, days = anchor - timedelta(days=anchor.weekday()), 7
    window = services.queries.day_window(first, first + timedelta(days=days - 1), tz)
    held = tuple(
        Held(services.meetings.get(o.meeting.id), o.start, o.end)
        for o in services.queries.occurrences(*window)
    )
    return CalendarPage(
        kind=kind,
        anchor=anchor,
        first=first,
        days=days,
        tz=tz,
        held=held,
        strand_colours={s.key: (s.name, s.colour) for s in services.catalog.strands()},
        kind_colours={k.key: (k.name, k.colour) for k in services.catalog.kinds()},
        header=header or Header(),
        filters=filters,
    )


def _grid_start(anchor: date) -> date:
    first_of_month = anchor.replace(day=1)
    return first_of_month - timedelta(days=first_of_month.weekday())


class _Tables(HTMLParser):
    """Every table of a document: its rows, each a list of cell texts (nested tables' text
    included in their cell, and listed as tables of their own too)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._open: list[list[list[str]]] = []  # tables being read, innermost last
        self._cells: list[list[str]] = []  # text of every cell being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            table: list[list[str]] = []
            self.tables.append(table)
            self._open.append(table)
        elif tag == "tr" and self._open:
            self._open[-1].append([])
            if self._cells:  # a row of a table within a cell: a line of that cell
                self._cells[-1].append("\n")
        elif tag in ("td", "th"):
            self._cells.append([])
        elif tag in ("br", "p") and self._cells:
            self._cells[-1].append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._open.pop()
        elif tag in ("td", "th"):
            text = "".join(self._cells.pop())
            self._open[-1][-1].append(text)
            if self._cells:
                self._cells[-1].append(text + " ")

    def handle_data(self, data: str) -> None:
        if self._cells:
            self._cells[-1].append(data)


def _tables(doc: Document) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(doc.body)
    parser.close()
    return parser.tables


def _lines(text: str) -> list[str]:
    """A cell's text as its lines, spaces (and no-break spaces) made single, without the
    coloured squares."""
    words = (line.replace(SQUARE, " ").split() for line in text.split("\n"))
    return [" ".join(line) for line in words if line]


def _month_cells(doc: Document) -> dict[date, list[str]]:
    """Each day of a March 2024 month page: the lines of its cell (the day number first)."""
    grid = next(t for t in _tables(doc) if t and t[0] == WEEKDAYS)
    assert len(grid) == 7, "a header row and six weeks"
    cells = [cell for row in grid[1:] for cell in row]
    assert len(cells) == 42
    return {MARCH_FIRST + timedelta(days=i): _lines(cell) for i, cell in enumerate(cells)}


def _week_rows(doc: Document, first: date) -> dict[date, list[str]]:
    """Each day of a week page: the lines of its meetings' cell."""
    grid = next(t for t in _tables(doc) if len(t) == 7 and _lines(t[0][0])[0] == "Monday")
    rows: dict[date, list[str]] = {}
    for i, row in enumerate(grid):
        assert len(row) == 2
        assert _lines(row[0])[0] == WEEKDAYS[i]
        rows[first + timedelta(days=i)] = _lines(row[1])
    return rows


def _meeting(services: Services, title: str, start: date, end: date, **values: object) -> None:
    services.meetings.create(MeetingDraft(title=title, start=start, end=end, **values))


@pytest.fixture
def demo(services: Services) -> Services:
    seed_demo(services)
    return services


@pytest.fixture
def crowded(demo: Services) -> Services:
    """Eight meetings on Wednesday 6 March 2024 (nothing of the demo's is on that day)."""
    for i in range(8):
        _meeting(
            demo,
            f"Crowded meeting {i + 1}",
            datetime(2024, 3, 6, 8 + i),
            datetime(2024, 3, 6, 8 + i, 45),
            location="NATO HQ",
        )
    return demo


# --- the month -------------------------------------------------------------------------------


def test_month_is_a_landscape_page_titled_with_its_month(demo: Services) -> None:
    doc = month_page(_page(demo))
    assert doc.title == "March 2024"
    assert "March 2024</h1>" in doc.body
    assert doc.landscape is True
    assert "Times in Europe/Brussels" in doc.body


def test_month_shows_six_weeks_from_the_monday_before_the_first(demo: Services) -> None:
    cells = _month_cells(month_page(_page(demo)))
    numbers = [lines[0].split()[0] for lines in cells.values()]
    assert numbers == [str((MARCH_FIRST + timedelta(days=i)).day) for i in range(42)]
    assert cells[date(2024, 2, 26)][0] == "26 Feb"  # the grid's first day names its month
    assert cells[date(2024, 3, 1)][0] == "1 Mar"
    assert cells[date(2024, 4, 1)][0] == "1 Apr"
    assert cells[date(2024, 3, 31)][0] == "31"


def test_month_greys_the_days_of_other_months(demo: Services) -> None:
    body = month_page(_page(demo)).body
    cells = body.split("<td ")
    february = next(c for c in cells if ">26 Feb<" in c)
    march = next(c for c in cells if ">1 Mar<" in c)
    assert 'class="muted"' in february.split("</p>")[0]
    assert 'class="muted"' not in march.split("</p>")[0]


def test_every_meeting_is_on_its_day_with_its_brussels_time(demo: Services) -> None:
    page = _page(demo)
    assert len(page.held) >= 3
    cells = _month_cells(month_page(page))
    zone = ZoneInfo(BRUSSELS)
    for held in page.held:
        assert isinstance(held.start, datetime)
        assert isinstance(held.end, datetime)
        start = held.start.astimezone(zone)
        assert start.date() == (held.end.astimezone(zone) - timedelta(seconds=1)).date()
        expected = f"{start:%H:%M} {held.meeting.title}"
        assert expected in cells[start.date()], (expected, cells[start.date()])
        others = [
            day for day, lines in cells.items() if any(held.meeting.title in x for x in lines)
        ]
        assert others == [start.date()]
    assert "09:30 Operational cooperation talks – 2nd iteration" in cells[date(2024, 3, 12)]


def test_times_are_in_the_pages_zone(demo: Services) -> None:
    cells = _month_cells(month_page(_page(demo, tz="America/New_York")))
    # 09:30 in Brussels on 12 March 2024 (CET) is 04:30 in New York (EDT since 10 March).
    assert "04:30 Operational cooperation talks – 2nd iteration" in cells[date(2024, 3, 12)]


def test_month_legend_lists_every_strand(demo: Services) -> None:
    doc = month_page(_page(demo))
    legend = doc.body.split("</table>")[-1]
    for strand in demo.catalog.strands():
        assert strand.name.replace(" ", "&nbsp;") in legend
        assert f"background-color:{strand.colour}" in legend


def test_a_meeting_without_strands_takes_its_kinds_colour(demo: Services) -> None:
    _meeting(
        demo,
        "Kind only",
        datetime(2024, 3, 5, 9),
        datetime(2024, 3, 5, 10),
        kind="ministerial",
    )
    _meeting(
        demo,
        "Cyber talk",
        datetime(2024, 3, 5, 11),
        datetime(2024, 3, 5, 12),
        kind="ministerial",
        strands=["cyber", "hybrid"],
    )
    doc = month_page(_page(demo))
    kinds = {k.key: k for k in demo.catalog.kinds()}
    strands = {s.key: s for s in demo.catalog.strands()}
    ministerial = kinds["ministerial"].colour
    cyber = strands["cyber"].colour
    line_of = {
        title: next(p for p in doc.body.split("<p ") if title in p)
        for title in ("Kind only", "Cyber talk")
    }
    assert f"background-color:{ministerial}" in line_of["Kind only"]
    assert f"background-color:{cyber}" in line_of["Cyber talk"]  # the first strand's colour
    legend = doc.body.split("</table>")[-1]
    assert kinds["ministerial"].name.replace(" ", "&nbsp;") in legend  # colours a meeting
    assert kinds["staff-talks"].name.replace(" ", "&nbsp;") not in legend  # colours none


def test_header_passes_through(demo: Services) -> None:
    header = Header(
        marking="EU RESTRICTED",
        organisation="EU Military Staff",
        left_out=2,
        printed=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    )
    doc = month_page(_page(demo, header=header, filters="work strands: Cyber & defence"))
    assert (doc.marking, doc.organisation, doc.left_out) == (
        "EU RESTRICTED",
        "EU Military Staff",
        2,
    )
    assert "Printed Wed 25 Nov 2026 10:00 CET" in doc.body  # in the page's zone
    assert "Filtered by work strands: Cyber &amp; defence" in doc.body
    week = week_page(_page(demo, "week", MARCH, header=header))
    assert (week.marking, week.organisation, week.left_out) == (
        "EU RESTRICTED",
        "EU Military Staff",
        2,
    )
    assert "Printed" not in month_page(_page(demo)).body


def test_user_text_is_escaped(demo: Services) -> None:
    _meeting(
        demo,
        HOSTILE,
        datetime(2024, 3, 14, 10),
        datetime(2024, 3, 14, 11),
        location="<script>x</script>",
    )
    month = month_page(_page(demo))
    week = week_page(_page(demo, "week", date(2024, 3, 14)))
    for doc in (month, week):
        for raw in ("<img", HOSTILE, "<script"):
            assert raw not in doc.body
        assert "&lt;img src=x&gt; &amp; &lt;b&gt;" in doc.body
    assert f"10:00 {HOSTILE}" in _month_cells(month)[date(2024, 3, 14)]
    assert (
        f"10:00–11:00 {HOSTILE} — <script>x</script>"
        in (_week_rows(week, date(2024, 3, 11))[date(2024, 3, 14)])
    )


def test_a_crowded_day_lists_six_then_says_how_many_more(crowded: Services) -> None:
    cells = _month_cells(month_page(_page(crowded)))
    day = cells[date(2024, 3, 6)]
    assert day[0] == "6"
    assert day[1:7] == [f"{8 + i:02d}:00 Crowded meeting {i + 1}" for i in range(6)]
    assert day[7:] == ["+2 more"]
    assert not any(
        "more" in line for d, lines in cells.items() if d != date(2024, 3, 6) for line in lines
    )


def test_an_all_day_meeting_is_on_every_day_it_covers(demo: Services) -> None:
    _meeting(demo, "Staff retreat", date(2024, 3, 25), date(2024, 3, 28))  # end exclusive
    cells = _month_cells(month_page(_page(demo)))
    covered = [day for day, lines in cells.items() if "Staff retreat" in lines]
    assert covered == [date(2024, 3, 25), date(2024, 3, 26), date(2024, 3, 27)]


def test_a_meeting_over_midnight_is_on_both_days(demo: Services) -> None:
    _meeting(demo, "Night watch", datetime(2024, 3, 7, 23), datetime(2024, 3, 8, 1))
    _meeting(demo, "Till midnight", datetime(2024, 3, 9, 22), datetime(2024, 3, 10, 0))
    cells = _month_cells(month_page(_page(demo)))
    assert "23:00 Night watch" in cells[date(2024, 3, 7)]
    assert "Night watch" in cells[date(2024, 3, 8)]  # the second day: the title alone
    assert not any("Night watch" in line for line in cells[date(2024, 3, 9)])
    assert "22:00 Till midnight" in cells[date(2024, 3, 9)]
    assert not any("Till midnight" in line for line in cells[date(2024, 3, 10)])


def test_all_day_meetings_come_first_in_a_day(crowded: Services) -> None:
    _meeting(crowded, "Exercise day", date(2024, 3, 6), date(2024, 3, 7))
    day = _month_cells(month_page(_page(crowded)))[date(2024, 3, 6)]
    assert day[1] == "Exercise day"
    assert day[-1] == "+3 more"


def test_cancelled_are_struck_and_postponed_in_italics(demo: Services) -> None:
    _meeting(
        demo,
        "Called off",
        datetime(2024, 3, 5, 9),
        datetime(2024, 3, 5, 10),
        status=Status.CANCELLED,
    )
    _meeting(
        demo,
        "Put back",
        datetime(2024, 3, 5, 11),
        datetime(2024, 3, 5, 12),
        status=Status.POSTPONED,
    )
    for doc in (month_page(_page(demo)), week_page(_page(demo, "week", date(2024, 3, 5)))):
        assert re.search(r'<span class="struck"[^>]*>(09:00 )?Called off</span>', doc.body)
        assert re.search(r"<i>(11:00 )?Put back</i>", doc.body)
        assert not re.search(r'<span class="struck"[^>]*>[^<]*Put back', doc.body)


def test_pages_are_deterministic(crowded: Services) -> None:
    page = _page(crowded)
    assert month_page(page) == month_page(page)
    week = _page(crowded, "week", date(2024, 3, 6))
    assert week_page(week) == week_page(week)


# --- the week --------------------------------------------------------------------------------


def test_week_is_a_portrait_page_of_seven_days(crowded: Services) -> None:
    doc = week_page(_page(crowded, "week", date(2024, 3, 6)))
    assert doc.title == "Week of 4 March 2024"
    assert "Week of 4 March 2024</h1>" in doc.body
    assert "4–10 March 2024, week 10" in doc.body
    assert doc.landscape is False
    rows = _week_rows(doc, WEEK_OF_6_MARCH)
    assert list(rows) == [WEEK_OF_6_MARCH + timedelta(days=i) for i in range(7)]


def test_week_lists_every_meeting_with_its_times(crowded: Services) -> None:
    _meeting(crowded, "Exercise day", date(2024, 3, 6), date(2024, 3, 7))
    rows = _week_rows(week_page(_page(crowded, "week", date(2024, 3, 6))), WEEK_OF_6_MARCH)
    assert rows[date(2024, 3, 6)] == ["all day Exercise day"] + [
        f"{8 + i:02d}:00–{8 + i:02d}:45 Crowded meeting {i + 1} — NATO HQ" for i in range(8)
    ]
    assert rows[date(2024, 3, 5)] == []


def test_week_shows_a_night_meeting_on_both_days(demo: Services) -> None:
    _meeting(demo, "Night watch", datetime(2024, 3, 7, 23), datetime(2024, 3, 8, 1))
    rows = _week_rows(week_page(_page(demo, "week", date(2024, 3, 7))), WEEK_OF_6_MARCH)
    assert rows[date(2024, 3, 7)] == ["from 23:00 Night watch"]
    assert rows[date(2024, 3, 8)] == ["until 01:00 Night watch"]


def test_week_across_two_months_names_both(demo: Services) -> None:
    doc = week_page(_page(demo, "week", date(2024, 2, 28)))
    assert doc.title == "Week of 26 February 2024"
    assert "26 February – 3 March 2024" in doc.body
    tuesday = _week_rows(doc, MARCH_FIRST)[date(2024, 2, 27)]
    assert len(tuesday) == 1
    assert tuesday[0].startswith("09:30–12:30 Structured Dialogue on Military Mobility – session 2")
