"""The progress report (``reports.period``) made from the demo calendar, June 2023 – May 2024.

The golden files ``tests/data/golden/report.html`` and ``report.md`` hold the demo's report as
it is printed and pasted. After a deliberate change to the report, rewrite them with
``UPDATE_GOLDEN=1 uv run pytest tests/reports/test_period.py`` and read the difference.
"""

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from liaison_calendar.domain.enums import ActionStatus, Status
from liaison_calendar.domain.models import ActionItemDraft, MeetingDraft
from liaison_calendar.reports.data import Header, Held, PeriodData
from liaison_calendar.reports.document import esc
from liaison_calendar.reports.period import period_markdown, period_report
from liaison_calendar.services.context import Services
from liaison_calendar.services.demo import seed_demo

GOLDEN = Path(__file__).parent.parent / "data" / "golden"
FIRST, LAST = date(2023, 6, 1), date(2024, 5, 31)
TODAY = date(2026, 11, 25)  # the FixedClock of tests/conftest.py
HEADER = Header(marking="EU-NATO STAFF ONLY", organisation="EEAS – EU-NATO liaison")
APART = (Status.CANCELLED, Status.POSTPONED)
NASTY = "<img src=x> & <b>"


def period_data(services: Services, header: Header = HEADER) -> PeriodData:
    """What ``services.reports`` is to gather: the whole calendar, no filter."""
    start, end = services.queries.day_window(FIRST, LAST, "Europe/Brussels")
    held = tuple(
        Held(services.meetings.get(o.meeting.id), o.start, o.end)
        for o in services.queries.occurrences(start, end)
    )
    exercises = tuple(
        e
        for e in services.exercises.list()
        if any(p.start <= LAST and p.end > FIRST for p in e.phases)
    )
    return PeriodData(
        first=FIRST,
        last=LAST,
        strands=tuple((s.key, s.name) for s in services.catalog.strands()),
        kind_names={k.key: k.name for k in services.catalog.kinds()},
        held=held,
        exercises=exercises,
        header=header,
        today=TODAY,
    )


@pytest.fixture
def demo(services: Services) -> Services:
    seed_demo(services)
    return services


def _section(text: str, heading: str, next_heading: str = "<h2>") -> str:
    """The part of ``text`` from ``heading`` to the next heading of its level."""
    start = text.index(heading)
    end = text.find(next_heading, start + len(heading))
    return text[start : end if end >= 0 else len(text)]


def _strand_html(html: str, name: str) -> str:
    return _section(html, f"<h2>{esc(name)}</h2>")


def _strand_md(text: str, name: str) -> str:
    return _section(text, f"\n## {name}\n", "\n## ")


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row; ``\\|`` is a pipe inside a cell."""
    cells, cell, escaped = [], "", False
    for char in line.strip()[1:]:
        if escaped:
            cell, escaped = cell + char, False
        elif char == "\\":
            cell, escaped = cell + char, True
        elif char == "|":
            cells.append(cell.strip())
            cell = ""
        else:
            cell += char
    assert not cell.strip(), f"row does not end with a pipe: {line!r}"
    return cells


def _tables(text: str) -> list[list[list[str]]]:
    """Every Markdown table in ``text``: its rows (heading and rule included) as cells."""
    tables: list[list[list[str]]] = []
    previous = False
    for line in text.splitlines():
        is_row = line.startswith("|")
        if is_row:
            if not previous:
                tables.append([])
            tables[-1].append(_cells(line))
        previous = is_row
    return tables


def _count(cell: str) -> int:
    cell = cell.strip("*")
    return 0 if cell == "–" else int(cell)


# --- structure -----------------------------------------------------------------------------


def test_every_strand_has_its_section_in_catalogue_order(demo: Services) -> None:
    data = period_data(demo)
    html = period_report(data).html()
    text = period_markdown(data)
    places = [html.index(f"<h2>{esc(name)}</h2>") for _, name in data.strands]
    assert places == sorted(places)
    md_places = [text.index(f"\n## {name}\n") for _, name in data.strands]
    assert md_places == sorted(md_places)
    # the summary comes first, the cancelled ones last
    assert html.index("<h2>Meetings held</h2>") < places[0]
    assert html.index("<h2>Cancelled and postponed</h2>") > places[-1]


def test_document_carries_title_marking_and_organisation(demo: Services) -> None:
    doc = period_report(period_data(demo))
    assert doc.title == "Progress report 1 June 2023 – 31 May 2024"
    assert doc.marking == "EU-NATO STAFF ONLY"
    assert doc.organisation == "EEAS – EU-NATO liaison"
    assert "<h1>Progress report</h1>" in doc.body
    assert "1 June 2023 – 31 May 2024" in doc.body


def test_a_meeting_shows_under_each_of_its_strands_with_its_date(demo: Services) -> None:
    data = period_data(demo)
    html = period_report(data).html()
    text = period_markdown(data)
    names = dict(data.strands)
    title = "Cyber capacity building – local coordination in Sarajevo"
    for key in ("cyber", "capacity-building"):
        section = _strand_html(html, names[key])
        at = section.index(esc(title))
        row = section[section.rindex("<tr>", 0, at) : section.index("</tr>", at)]
        assert row.startswith("<tr><td>Tue 28 May 2024</td>")
        assert any(title in r[1] and r[0] == "Tue 28 May 2024" for r in _rows(text, names[key]))
    assert esc(title) not in _strand_html(html, names["political"])
    drafting = "Ninth progress report – joint drafting session"  # in all eight strands
    for _, name in data.strands:
        assert any(drafting in r[1] and r[0] == "Thu 25 Apr 2024" for r in _rows(text, name))


def _rows(text: str, strand: str) -> list[list[str]]:
    return [row for table in _tables(_strand_md(text, strand)) for row in table[2:]]


def test_an_all_day_meeting_shows_its_days_and_a_series_its_iteration(demo: Services) -> None:
    html = period_report(period_data(demo)).html()
    political = _strand_html(html, "Political dialogue")
    assert "<td>28–29 Nov 2023</td>" in political
    mobility = _strand_html(html, "Defence capabilities incl. military mobility")
    assert "session 2<br>" in mobility
    assert '<span class="muted">2nd iteration</span>' in mobility


def test_exercise_phases_in_the_period_show_under_the_exercise_strand(demo: Services) -> None:
    data = period_data(demo)
    assert [e.name for e in data.exercises] == ["PACE 2024-2025"]
    exercises = _strand_html(period_report(data).html(), "Exercises")
    assert "<b>PACE 2024-2025</b>" in exercises
    assert "<td>Initial planning conference</td><td>Planning conference</td><td>Joint</td>" in (
        exercises
    )
    assert "Main planning conference" not in exercises  # October 2024, after the period
    assert "PACE" not in _strand_html(period_report(data).html(), "Political dialogue")


# --- counts --------------------------------------------------------------------------------


def _expected_counts(data: PeriodData) -> dict[str, Counter[str]]:
    held = [h for h in data.held if h.meeting.status not in APART]
    counts = {
        name: Counter(h.meeting.kind for h in held if key in h.meeting.strands)
        for key, name in data.strands
    }
    counts["Total"] = Counter(h.meeting.kind for h in held)
    return counts


def _summary(text: str) -> dict[str, Counter[str]]:
    """The summary table of the Markdown report: row label -> kind name -> count."""
    table = _tables(_section(text, "\n## Meetings held\n", "\n## "))[0]
    heading = table[0]
    assert heading[0] == "Work strand"
    assert heading[-1] == "Total"
    found: dict[str, Counter[str]] = {}
    for row in table[2:]:
        label = row[0].strip("*")
        counts = Counter(
            {kind: _count(c) for kind, c in zip(heading[1:-1], row[1:-1], strict=True)}
        )
        assert _count(row[-1]) == counts.total(), row  # each occurrence has one kind
        found[label] = +counts  # zeros away
        found[label + " (total)"] = Counter({"all": _count(row[-1])})
    return found


def _with_apart_and_overdue(services: Services) -> None:
    """A cancelled and a postponed meeting, and one with an overdue action, in the period."""
    services.meetings.create(
        MeetingDraft(
            title="Cyber staff talks that were called off",
            kind="staff-talks",
            start=datetime(2024, 2, 14, 10, 0),
            end=datetime(2024, 2, 14, 12, 0),
            strands=["cyber", "hybrid"],
            status=Status.CANCELLED,
        )
    )
    services.meetings.create(
        MeetingDraft(
            title="Industry cross-briefing moved to the autumn",
            kind="cross-briefing",
            start=datetime(2024, 5, 2, 10, 0),
            end=datetime(2024, 5, 2, 11, 0),
            strands=["industry"],
            status=Status.POSTPONED,
        )
    )
    services.meetings.create(
        MeetingDraft(
            title="Defence industry supply chains – staff exchange",
            kind="other",
            start=datetime(2024, 3, 5, 14, 0),
            end=datetime(2024, 3, 5, 16, 0),
            strands=["industry"],
            partners=["Ukraine"],
            outcomes="Supply chain risks mapped.\nA joint paper is due in April.",
            actions=[
                ActionItemDraft(
                    text="Send the joint paper on supply chains",
                    owner="EEAS",
                    due=date(2024, 4, 15),
                ),
                ActionItemDraft(
                    text="Agree the terms of the paper",
                    owner="NATO IS",
                    due=date(2024, 3, 20),
                    status=ActionStatus.DONE,
                ),
                ActionItemDraft(text="Plan a follow-up", owner="", due=date(2024, 6, 30)),
                ActionItemDraft(text="Drop the survey", status=ActionStatus.DROPPED),
            ],
        )
    )


def test_summary_counts_the_meetings_held_per_strand_and_kind(demo: Services) -> None:
    _with_apart_and_overdue(demo)
    data = period_data(demo)
    assert {h.meeting.status for h in data.held} >= {Status.CANCELLED, Status.POSTPONED}
    found = _summary(period_markdown(data))
    expected = _expected_counts(data)
    kinds = data.kind_names
    for label, counts in expected.items():
        assert found[label] == Counter({kinds[k]: n for k, n in counts.items()}), label
        assert found[label + " (total)"]["all"] == counts.total(), label
    assert found["Total (total)"]["all"] == sum(
        1 for h in data.held if h.meeting.status not in APART
    )
    # every kind that occurs has a column, in catalogue order; no other does
    heading = _tables(_section(period_markdown(data), "\n## Meetings held\n", "\n## "))[0][0]
    occurring = {h.meeting.kind for h in data.held if h.meeting.status not in APART}
    assert heading[1:-1] == [name for key, name in kinds.items() if key in occurring]


def test_cancelled_and_postponed_are_listed_apart_not_held(demo: Services) -> None:
    _with_apart_and_overdue(demo)
    data = period_data(demo)
    html = period_report(data).html()
    apart = _section(html, "<h2>Cancelled and postponed</h2>")
    assert "Cyber staff talks that were called off" in apart
    assert "<td>Cancelled</td>" in apart
    assert "Industry cross-briefing moved to the autumn" in apart
    assert "<td>Postponed</td>" in apart
    assert "Wed 14 Feb 2024" in apart
    for name in ("Cyber security and defence", "Countering hybrid threats"):
        assert "called off" not in _strand_html(html, name)
    assert "moved to the autumn" not in _strand_html(html, "Defence industries and research")


def test_action_items_opened_closed_and_overdue(demo: Services) -> None:
    _with_apart_and_overdue(demo)
    data = period_data(demo)
    html = period_report(data).html()
    text = period_markdown(data)
    industry = _strand_html(html, "Defence industries and research")
    actions = {
        a.id: a
        for h in data.held
        if "industry" in h.meeting.strands and h.meeting.status not in APART
        for a in h.meeting.actions
    }.values()
    opened = sum(1 for a in actions if a.carried_from_id is None)
    closed = sum(1 for a in actions if a.status in (ActionStatus.DONE, ActionStatus.DROPPED))
    assert f"<li>Opened: {opened}</li>" in industry
    assert f"<li>Closed (done or dropped): {closed}</li>" in industry
    assert '31 May 2024): <span class="warning">1</span></li>' in industry
    overdue = _section(industry, '<th width="36%">Overdue action item</th>', "</table>")
    assert "Send the joint paper on supply chains" in overdue
    assert "Mon 15 Apr 2024" in overdue
    assert "Plan a follow-up" not in overdue  # due after the period
    assert "Agree the terms" not in overdue  # done
    md_industry = _strand_md(text, "Defence industries and research")
    assert f"- Opened: {opened}" in md_industry
    assert "- Overdue (open, due before 31 May 2024): **1**" in md_industry
    # the outcomes keep their line break
    assert "Supply chain risks mapped.<br>A joint paper is due in April." in html
    assert "Supply chain risks mapped.<br>A joint paper is due in April." in md_industry


def test_overdue_is_measured_against_today_when_the_period_is_not_over(demo: Services) -> None:
    _with_apart_and_overdue(demo)
    data = replace(period_data(demo), today=date(2024, 4, 1))
    industry = _strand_html(period_report(data).html(), "Defence industries and research")
    assert '1 April 2024): <span class="warning">' not in industry
    assert "<li>Overdue (open, due before 1 April 2024): 0</li>" in industry


def test_a_strand_with_nothing_says_so(demo: Services) -> None:
    data = period_data(demo)
    data = replace(data, strands=(*data.strands, ("space", "Space security")))
    html = period_report(data).html()
    assert "<h2>Space security</h2>\n<p>Nothing in this period.</p>" in html
    assert "## Space security\n\nNothing in this period." in period_markdown(data)


def test_an_empty_period(demo: Services) -> None:
    data = replace(period_data(demo), held=(), exercises=())
    html = period_report(data).html()
    for _, name in data.strands:
        assert f"<h2>{esc(name)}</h2>\n<p>Nothing in this period.</p>" in html
    assert "<h2>Cancelled and postponed</h2>\n<p>None in this period.</p>" in html
    summary = _tables(_section(period_markdown(data), "\n## Meetings held\n", "\n## "))[0]
    assert summary[0] == ["Work strand", "Total"]
    assert summary[-1] == ["**Total**", "**–**"]


def test_meetings_in_no_strand_have_a_row_and_a_section(demo: Services) -> None:
    demo.meetings.create(
        MeetingDraft(
            title="Liaison officers' lunch",
            start=datetime(2023, 9, 5, 12, 0),
            end=datetime(2023, 9, 5, 13, 0),
        )
    )
    data = period_data(demo)
    text = period_markdown(data)
    assert "Not in a work strand (total)" in _summary(text)
    assert "Liaison officers' lunch" in _strand_md(text, "Not in a work strand")
    # an exercise outside the strands reported on (a filter) shows there too
    others = tuple((k, n) for k, n in data.strands if k != "exercises")
    text = period_markdown(replace(data, strands=others))
    assert "**PACE 2024-2025**" in _strand_md(text, "Not in a work strand")


def test_header_lines(demo: Services) -> None:
    printed = datetime(2026, 11, 25, 10, 5, tzinfo=ZoneInfo("Europe/Brussels"))
    header = replace(HEADER, left_out=3, printed=printed)
    data = replace(period_data(demo, header), filters="Strands: Cyber security and defence")
    doc = period_report(data)
    assert doc.left_out == 3
    assert '<p class="muted">3 meetings left out at this print level</p>' in doc.body
    assert '<p class="muted">Strands: Cyber security and defence</p>' in doc.body
    assert "Printed Wednesday 25 November 2026 at 10:05 CET" in doc.body
    text = period_markdown(data)
    assert text.startswith("**EU-NATO STAFF ONLY**\n\nEEAS – EU-NATO liaison\n\n# Progress")
    assert text.endswith("\n\n**EU-NATO STAFF ONLY**\n")
    assert "*3 meetings left out at this print level*" in text


# --- escaping ------------------------------------------------------------------------------


def test_user_text_is_escaped_in_html_and_literal_in_markdown(demo: Services) -> None:
    demo.meetings.create(
        MeetingDraft(
            title=NASTY,
            kind="staff-talks",
            start=datetime(2024, 1, 9, 10, 0),
            end=datetime(2024, 1, 9, 11, 0),
            strands=["cyber"],
            partners=["A|B"],
            outcomes="# not a heading\n*not bold* and snake_case \\ [link](x) 1. `code`",
        )
    )
    data = period_data(demo)
    html = period_report(data).html()
    assert "<img" not in html
    assert "&lt;img src=x&gt; &amp; &lt;b&gt;" in _strand_html(html, "Cyber security and defence")
    text = period_markdown(data)
    cyber = _strand_md(text, "Cyber security and defence")
    assert "<img" not in text
    assert "| &lt;img src=x> & &lt;b> |" in cyber
    assert "| A\\|B |" in cyber
    heading = replace(data, strands=(("x", "C# & <F#> #"),), held=(), exercises=())
    assert "\n## C\\# & &lt;F\\#> \\#\n" in period_markdown(heading)
    assert (
        "\\# not a heading<br>\\*not bold\\* and snake\\_case \\\\ \\[link\\](x) 1. \\`code\\`"
        in cyber
    )


def test_markdown_tables_have_as_many_cells_in_every_row(demo: Services) -> None:
    _with_apart_and_overdue(demo)
    demo.meetings.create(
        MeetingDraft(
            title="Pipes | and \\| backslashes \\",
            start=datetime(2024, 1, 10, 10, 0),
            end=datetime(2024, 1, 10, 11, 0),
            strands=["hybrid"],
            outcomes="a | b\nc \\",
        )
    )
    tables = _tables(period_markdown(period_data(demo)))
    assert len(tables) > 20
    for table in tables:
        widths = {len(row) for row in table}
        assert len(widths) == 1, table
        assert all(re.fullmatch(r"-{3}:?", c) for c in table[1])


def test_output_is_deterministic(demo: Services) -> None:
    data = period_data(demo)
    assert period_report(data) == period_report(period_data(demo))
    assert period_markdown(data) == period_markdown(period_data(demo))


# --- golden files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("report.html", lambda data: period_report(data).html()),
        ("report.md", period_markdown),
    ],
)
def test_golden(demo: Services, name: str, render: Callable[[PeriodData], str]) -> None:
    """The demo's report as it was read and approved (``UPDATE_GOLDEN=1`` rewrites it)."""
    made = render(period_data(demo))
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(made, encoding="utf-8", newline="\n")
    assert made == path.read_text(encoding="utf-8")
