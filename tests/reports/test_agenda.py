"""The agenda printout (``reports.agenda``) of meetings of the demo calendar.

``test_golden_agenda`` compares the whole HTML of the agenda of the 2nd iteration of the
operational cooperation talks with ``tests/data/golden/agenda.html``. After a deliberate change
of the layout, rewrite that file with

    UPDATE_GOLDEN=1 uv run pytest -q tests/reports/test_agenda.py

and read the difference before committing it.
"""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from liaison_calendar.domain.enums import ActionStatus, LeadSide, Mode, Side, Status
from liaison_calendar.domain.models import (
    ActionItem,
    AgendaItemDraft,
    MeetingDetail,
    MeetingDraft,
    ParticipantDraft,
)
from liaison_calendar.reports.agenda import NOTE_LINES, agenda
from liaison_calendar.reports.data import AgendaSheet, Header
from liaison_calendar.reports.document import Document, clock
from liaison_calendar.services.context import Services
from liaison_calendar.services.demo import SD_MOBILITY, STAFF_ONLY, demo_uid, seed_demo

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "golden" / "agenda.html"
HEADER = Header(marking=STAFF_ONLY, organisation="EEAS – EU-NATO liaison", printed=None)
HOSTILE = "<img src=x> & <b>"
HOSTILE_HTML = "&lt;img src=x&gt; &amp; &lt;b&gt;"


@pytest.fixture
def demo(services: Services) -> Services:
    seed_demo(services)
    return services


def sheet_of(
    services: Services, meeting: MeetingDetail, header: Header = HEADER, **extra: str
) -> AgendaSheet:
    kinds = {k.key: k.name for k in services.catalog.kinds()}
    strands = [s.name for s in services.catalog.strands() if s.key in meeting.strands]
    return AgendaSheet(
        meeting=meeting,
        kind_name=kinds[meeting.kind],
        strand_names=tuple(strands),
        header=header,
        **extra,
    )


def sheet_for(services: Services, uid: str | int, header: Header = HEADER) -> AgendaSheet:
    return sheet_of(services, services.meetings.get(uid), header)


def render(services: Services, uid: str | int, header: Header = HEADER) -> Document:
    return agenda(sheet_for(services, uid, header))


def row_of(html: str, text: str) -> str:
    """The table row (``<tr>…</tr>``) that contains ``text``."""
    rows = [str(row) for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if text in row]
    assert len(rows) == 1, f"{len(rows)} rows contain {text!r}"
    return rows[0]


def fact(html: str, label: str) -> str:
    """The value beside ``label`` in the facts table, as plain text."""
    row = row_of(html, f">{label}</td>")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
    return re.sub(r"<[^>]+>", "", str(cells[1]))


# --- a meeting of a series ------------------------------------------------------------------


def test_the_document_carries_the_meeting_title_and_the_header(demo: Services) -> None:
    doc = render(demo, demo_uid("optalks-2"))
    assert doc.title == "Operational cooperation talks – 2nd iteration"
    assert doc.marking == STAFF_ONLY
    assert doc.organisation == "EEAS – EU-NATO liaison"
    assert not doc.landscape
    assert "<h1>Operational cooperation talks – 2nd iteration</h1>" in doc.body
    assert doc.html().count(f'<p class="marking">{STAFF_ONLY}</p>') == 2


def test_a_series_meeting_says_its_kind_and_iteration(demo: Services) -> None:
    body = render(demo, demo_uid("optalks-2")).body
    # The kind and the series have the same name here: said once.
    assert '<p class="muted">Operational cooperation talks · 2nd iteration</p>' in body
    assert 'class="warning"' not in body  # confirmed, and the agenda fits


def test_the_facts_of_a_meeting_in_brussels(demo: Services) -> None:
    body = render(demo, demo_uid("optalks-2")).body
    assert fact(body, "Date") == "Tuesday 12 March 2024"
    assert fact(body, "Time") == "09:30–13:00 CET (Europe/Brussels)"
    assert "Brussels time" not in body
    assert fact(body, "Venue") == "EEAS, Brussels"
    assert fact(body, "Mode") == "In person"
    assert fact(body, "Lead") == "EU lead"
    assert fact(body, "Work strands") == "Operational cooperation incl. maritime"
    assert ">Partners<" not in body  # none


def test_every_agenda_item_has_its_clock_time_and_the_total(demo: Services) -> None:
    meeting = demo.meetings.get(demo_uid("optalks-2"))
    body = agenda(sheet_of(demo, meeting)).body
    expected = [
        ("09:30–10:20", "Western Balkans: missions and operations on the ground", "Lucia Romano"),
        ("10:20–11:10", "Middle East and North Africa", "Ingrid Solberg"),
        ("11:10–11:40", "Crisis management engagements", "Jonas Weber"),
        ("11:40–12:10", "Crisis response: recent experience", "James Whitfield"),
        ("12:10–12:20", "Any other business", "co-chairs"),
    ]
    assert len(meeting.agenda) == len(expected)
    for item, (when, title, lead) in zip(meeting.agenda, expected, strict=True):
        assert item.starts is not None
        assert item.ends is not None
        assert f"{clock(item.starts)}–{clock(item.ends)}" == when
        row = row_of(body, title)
        assert f">{when}</td>" in row
        assert f">{lead}</td>" in row
        assert f">{item.duration_min} min</td>" in row
    assert body.index("Western Balkans") < body.index("Middle East") < body.index("Any other")
    total = row_of(body, "<b>Total</b>")
    assert "<b>2 h 50 min</b>" in total
    assert "past the end of the meeting" not in body


def test_participants_are_grouped_by_organisation_eu_then_nato(demo: Services) -> None:
    body = render(demo, demo_uid("optalks-2")).body
    section = body[body.index("Participants</h2>") : body.index("Agenda</h2>")]
    order = [
        '<b>EEAS</b> <span class="muted">EU</span>',
        "Claire Dubois",
        "Jonas Weber",
        '<b>EU Military Staff</b> <span class="muted">EU</span>',
        "Lucia Romano",
        '<b>NATO International Staff</b> <span class="muted">NATO</span>',
        "James Whitfield",
        '<b>NATO International Military Staff</b> <span class="muted">NATO</span>',
        "Ingrid Solberg",
    ]
    positions = [section.index(text) for text in order]
    assert positions == sorted(positions)
    assert section.count("<b>EEAS</b>") == 1
    claire = row_of(section, "Claire Dubois")
    assert "Head of division, security and defence policy" in claire


def test_partners_come_after_both_sides(demo: Services) -> None:
    body = render(demo, demo_uid("xb-tbilisi-2024")).body
    assert (
        body.index("<b>EEAS</b>")
        < body.index("<b>NATO International Staff</b>")
        < body.index('<b>Ministry of Defence of Georgia</b> <span class="muted">Partner</span>')
    )


def test_no_carried_section_when_nothing_was_carried(demo: Services) -> None:
    body = render(demo, demo_uid("optalks-2")).body
    assert "carried from the previous iteration" not in body


def test_the_notes_section_has_ruled_empty_rows(demo: Services) -> None:
    body = render(demo, demo_uid("optalks-2")).body
    notes = body[body.index("Notes</h2>") :]
    assert notes.count("&nbsp;</td></tr>") == NOTE_LINES
    assert '<table class="grid"' in notes


def test_the_printed_line_only_when_the_header_says_when(demo: Services) -> None:
    assert "Printed" not in render(demo, demo_uid("optalks-2")).body
    header = Header(marking="PUBLIC", printed=datetime(2026, 11, 25, 9, 5, tzinfo=UTC))
    doc = render(demo, demo_uid("optalks-2"), header)
    printed = (
        '<p class="muted" style="margin-top:0; font-size:8pt">Printed Wed 25 Nov 2026 09:05 UTC</p>'
    )
    assert printed in doc.body
    assert doc.body.index(printed) < doc.body.index("<h2>Agenda</h2>")  # under the heading
    assert doc.marking == "PUBLIC"
    assert doc.organisation == ""


def test_left_out_is_passed_on(demo: Services) -> None:
    doc = render(demo, demo_uid("optalks-2"), Header(left_out=3))
    assert doc.left_out == 3


# --- time zones ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "there", "brussels"),
    [
        (
            "xb-tbilisi-2024",
            "11:00–13:00 UTC+4 (Asia/Tbilisi)",
            "09:00–11:00 CEST (Europe/Brussels)",
        ),
        ("xb-kyiv-2024", "11:00–13:00 EEST (Europe/Kyiv)", "10:00–12:00 CEST (Europe/Brussels)"),
        # Another zone on the same clock: the Brussels row is still there, to reassure.
        (
            "cyber-cb-sarajevo-2024",
            "11:00–12:30 CEST (Europe/Sarajevo)",
            "11:00–12:30 CEST (Europe/Brussels)",
        ),
    ],
)
def test_a_meeting_elsewhere_also_gives_the_brussels_time(
    demo: Services, slug: str, there: str, brussels: str
) -> None:
    meeting = demo.meetings.get(demo_uid(slug))
    assert meeting.tz != "Europe/Brussels"
    body = agenda(sheet_of(demo, meeting)).body
    assert fact(body, "Time") == there
    assert fact(body, "Brussels time") == brussels
    assert body.index(">Time<") < body.index(">Brussels time<") < body.index(">Venue<")


def test_the_home_zone_names_its_row(demo: Services) -> None:
    meeting = demo.meetings.get(demo_uid("optalks-2"))
    body = agenda(sheet_of(demo, meeting, home_tz="America/New_York")).body
    assert fact(body, "New York time") == "04:30–08:00 EDT (America/New_York)"


def test_the_home_time_gives_the_days_when_they_differ(demo: Services) -> None:
    meeting = demo.meetings.create(
        MeetingDraft(
            title="Early call with Canberra",
            start=datetime(2024, 3, 12, 8, 0),
            end=datetime(2024, 3, 12, 9, 0),
            tz="Australia/Sydney",
            mode=Mode.VIDEO,
        )
    )
    body = agenda(sheet_of(demo, meeting)).body
    assert fact(body, "Date") == "Tuesday 12 March 2024"
    assert fact(body, "Time") == "08:00–09:00 AEDT (Australia/Sydney)"
    assert fact(body, "Brussels time") == ("Mon 11 Mar 2024, 22:00–23:00 CET (Europe/Brussels)")
    assert fact(body, "Mode") == "Video conference"


def test_a_cross_briefing_names_its_partner_and_mode(demo: Services) -> None:
    body = render(demo, demo_uid("xb-kyiv-2024")).body
    assert '<p class="muted">Cross-briefing</p>' in body
    assert fact(body, "Partners") == "Ukraine"
    assert fact(body, "Mode") == "Hybrid (in person and by video)"
    assert fact(body, "Lead") == "Co-chaired (EU and NATO)"
    assert fact(body, "Venue") == "EU Delegation to Ukraine, Kyiv"
    assert "No agenda items have been set yet." in body
    assert "<b>Total</b>" not in body


# --- carried action items --------------------------------------------------------------------


def test_open_items_carried_from_the_previous_iteration(demo: Services) -> None:
    nxt = demo.series.next_iteration(SD_MOBILITY, datetime(2025, 3, 25, 9, 30))
    assert nxt.iteration == 5
    assert [a.text for a in nxt.carried_actions] == ["Update the shared work-strand tracker"]
    body = agenda(sheet_of(demo, nxt)).body
    assert "Structured dialogue · Structured Dialogue on Military Mobility · 5th iteration" in body
    heading = "Open action items carried from the previous iteration</h2>"
    assert heading in body
    assert body.index("Agenda</h2>") < body.index(heading) < body.index("Notes</h2>")
    row = row_of(body, "Update the shared work-strand tracker")
    assert ">EU Military Staff</td>" in row
    assert ">Fri 28 Feb 2025</td>" in row


def test_only_carried_items_still_open_are_listed(demo: Services) -> None:
    nxt = demo.series.next_iteration(SD_MOBILITY, datetime(2025, 3, 25, 9, 30))
    carried = nxt.carried_actions[0]
    more = (
        ActionItem(
            id=9001, meeting_id=nxt.id, text="Done already", owner="EEAS", due=None,
            status=ActionStatus.DONE, carried_from_id=carried.carried_from_id,
        ),
        ActionItem(
            id=9002, meeting_id=nxt.id, text="Raised here", owner="", due=None,
            status=ActionStatus.OPEN,
        ),
        ActionItem(
            id=9003, meeting_id=nxt.id, text="No owner, no date", owner="", due=None,
            status=ActionStatus.OPEN, carried_from_id=carried.carried_from_id,
        ),
    )  # fmt: skip
    meeting = nxt.model_copy(update={"actions": (*nxt.actions, *more)})
    body = agenda(sheet_of(demo, meeting)).body
    assert "Done already" not in body
    assert "Raised here" not in body
    row = row_of(body, "No owner, no date")
    assert row.count(">—</td>") == 2


# --- overrun, all-day, status -----------------------------------------------------------------


def test_an_agenda_longer_than_the_meeting_warns(demo: Services) -> None:
    meeting = demo.meetings.create(
        MeetingDraft(
            title="Short slot",
            start=datetime(2024, 5, 14, 9, 0),
            end=datetime(2024, 5, 14, 10, 0),
            agenda=[
                AgendaItemDraft(title="Opening", lead="Chair", duration_min=50),
                AgendaItemDraft(title="Long debate", duration_min=30, notes="Line one\nLine two"),
            ],
        )
    )
    assert meeting.overrun is not None
    body = agenda(sheet_of(demo, meeting)).body
    assert (
        '<p class="warning">The agenda runs 20 min past the end of the meeting (10:00).</p>'
    ) in body
    assert body.index("The agenda runs") < body.index("Opening")
    assert '<span class="warning">09:50–10:20</span>' in row_of(body, "Long debate")
    assert ">09:00–09:50</td>" in row_of(body, "Opening")
    assert "<b>1 h 20 min</b>" in row_of(body, "<b>Total</b>")
    notes = row_of(body, "Long debate")
    assert '<span class="muted" style="font-size:8pt">Line one<br>Line two</span>' in notes


def test_an_all_day_meeting_over_several_days(demo: Services) -> None:
    body = render(demo, demo_uid("nato-summit-2024")).body
    assert fact(body, "Date") == "Tuesday 9 July 2024 – Thursday 11 July 2024"
    assert fact(body, "Time") == "All day (3 days)"
    assert "Brussels time" not in body  # the zone of an all-day meeting says no hour
    assert fact(body, "Lead") == "NATO lead"


def test_all_day_agenda_items_have_no_clock_time(demo: Services) -> None:
    meeting = demo.meetings.create(
        MeetingDraft(
            title="Workshop day",
            start=date(2024, 6, 4),
            end=date(2024, 6, 5),
            agenda=[
                AgendaItemDraft(title="Morning session", duration_min=180),
                AgendaItemDraft(title="Afternoon session", duration_min=150),
            ],
        )
    )
    body = agenda(sheet_of(demo, meeting)).body
    assert fact(body, "Date") == "Tuesday 4 June 2024"
    assert fact(body, "Time") == "All day"
    assert ">—</td>" in row_of(body, "Morning session")
    assert ">3 h</td>" in row_of(body, "Morning session")
    assert ">2 h 30 min</td>" in row_of(body, "Afternoon session")
    assert "<b>5 h 30 min</b>" in row_of(body, "<b>Total</b>")


def test_a_tentative_meeting_says_so(demo: Services) -> None:
    body = render(demo, demo_uid("optalks-3")).body
    assert '<p class="warning">Tentative – to be confirmed</p>' in body
    assert fact(body, "Lead") == "NATO lead"


def test_a_cancelled_meeting_says_so(demo: Services) -> None:
    demo.meetings.cancel(demo_uid("optalks-2"))
    body = render(demo, demo_uid("optalks-2")).body
    assert '<p class="warning">Cancelled</p>' in body


def test_a_floating_meeting_has_local_time_only(demo: Services) -> None:
    meeting = demo.meetings.create(
        MeetingDraft(
            title="Morning stand-up wherever we are",
            start=datetime(2024, 5, 14, 9, 0),
            end=datetime(2024, 5, 14, 9, 15),
            tz="Asia/Tbilisi",
            floating=True,
        )
    )
    body = agenda(sheet_of(demo, meeting)).body
    assert fact(body, "Time") == "09:00–09:15 local time"
    assert "Brussels time" not in body


@pytest.mark.parametrize(
    ("lead", "mode", "lead_text", "mode_text"),
    [
        (LeadSide.CO_CHAIRED, Mode.IN_PERSON, "Co-chaired (EU and NATO)", "In person"),
        (LeadSide.EU, Mode.VIDEO, "EU lead", "Video conference"),
        (LeadSide.NATO, Mode.HYBRID, "NATO lead", "Hybrid (in person and by video)"),
    ],
)
def test_lead_and_mode_in_words(
    demo: Services, lead: LeadSide, mode: Mode, lead_text: str, mode_text: str
) -> None:
    meeting = demo.meetings.get(demo_uid("optalks-2")).model_copy(
        update={"lead_side": lead, "mode": mode, "status": Status.POSTPONED}
    )
    body = agenda(sheet_of(demo, meeting)).body
    assert fact(body, "Lead") == lead_text
    assert fact(body, "Mode") == mode_text
    assert '<p class="warning">Postponed – a new date is to be set</p>' in body


# --- user text -------------------------------------------------------------------------------


def test_every_user_text_is_escaped(demo: Services) -> None:
    meeting = demo.meetings.create(
        MeetingDraft(
            title=HOSTILE,
            start=datetime(2024, 5, 14, 9, 0),
            end=datetime(2024, 5, 14, 11, 0),
            location=HOSTILE,
            description=f"{HOSTILE}\n<script>alert(1)</script>",
            participants=[
                ParticipantDraft(name=HOSTILE, organisation=HOSTILE, side=Side.OTHER, role=HOSTILE)
            ],
            agenda=[AgendaItemDraft(title=HOSTILE, lead=HOSTILE, notes=HOSTILE)],
        )
    )
    sheet = AgendaSheet(
        meeting=meeting,
        kind_name=HOSTILE,
        strand_names=(HOSTILE,),
        header=Header(marking=HOSTILE, organisation=HOSTILE),
    )
    doc = agenda(sheet)
    html = doc.html()
    assert doc.title == HOSTILE  # plain text: escaped where it is written out
    assert f"<h1>{HOSTILE_HTML}</h1>" in doc.body
    assert f"<title>{HOSTILE_HTML}</title>" in html
    assert "<img" not in html
    assert "<script" not in html
    assert HOSTILE not in html
    # title, kind, location, strand, description, organisation, name, role, item, lead, notes
    assert doc.body.count(HOSTILE_HTML) == 11
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc.body


def test_the_same_sheet_gives_the_same_bytes(demo: Services) -> None:
    first = render(demo, demo_uid("optalks-2")).html()
    second = render(demo, demo_uid("optalks-2")).html()
    assert first == second


# --- golden ----------------------------------------------------------------------------------


def test_golden_agenda(demo: Services) -> None:
    """The optalks-2 agenda, byte for byte; ``UPDATE_GOLDEN=1`` rewrites the file instead."""
    html = render(demo, demo_uid("optalks-2")).html()
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(html, encoding="utf-8", newline="")
        pytest.skip(f"rewrote {GOLDEN}")
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run with UPDATE_GOLDEN=1 to create it"
    assert html == GOLDEN.read_bytes().decode("utf-8")
