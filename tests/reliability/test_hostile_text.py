"""Hostile text: what people paste into a meeting survives files and prints literally.

Titles, places, descriptions, participants (names, organisations, roles, e-mail addresses) and
agenda items holding CR, LF, ``BEGIN:VEVENT`` / ``END:VCALENDAR`` lines, ``; , \\ : "``, HTML,
right-to-left marks, emoji, combining marks and 10,000-character strings:

- survive an export and an import into a fresh calendar unchanged;
- never make a property or a component of their own in an exported or published file: every
  file has exactly one VEVENT per meeting row (a single meeting, a repeating one, each changed
  occurrence), every unfolded line starts with a property name the app writes, and each VEVENT
  has exactly the properties its meeting gives (one SUMMARY, one ATTENDEE per participant...);
- print literally: in the HTML of agendas and period reports (escaped: the text shows as
  itself, and the document holds no tag or attribute of its own such as ``<img>``), in the
  Markdown of period reports (rendered by a CommonMark reader, raw HTML allowed, the same
  checks), and in PDFs read back with ``pdftotext`` (a fixed handful of strings: PDFs are slow).

What "unchanged" means: every text a user gives is kept as ``domain.text.clean_text`` makes it
(one kind of line break, ``\\n``, no control characters but it and the tab, and no UTF-16
surrogates: a pair becomes its character, one alone U+FFFD), because iCalendar, HTML, PDF and
UTF-8 cannot carry the others; the meeting service then trims titles, places and roles, and
writes each run of white space in a participant's name or organisation as one space. The tests
first check that the calendar stores exactly that (``stored_*`` below), then that what is read
back from a file is what the calendar stored. An e-mail address that is not one (a line break
or a space in it) is not written to files, so it comes back empty (``usable_email``).

The default run generates 50 calendars (two tests of 25) of one to three meetings, about 1,300
hostile texts in all, plus fixed cases (10,000-character texts of eight kinds, the PDFs, the
regressions), in about 20 s. A longer run (400 calendars):

    LIAISON_LONG=1 uv run pytest -q -p no:randomly tests/reliability/test_hostile_text.py
"""
# ruff: noqa: DTZ001  - naive datetimes are wall time in the meeting's zone, as the API takes them

import os
import re
import subprocess
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.enums import Privacy, ReleaseLevel, Side, Status
from liaison_calendar.domain.models import (
    AgendaItemDraft,
    FeedDraft,
    MeetingDetail,
    MeetingDraft,
    MeetingPatch,
    ParticipantDraft,
)
from liaison_calendar.domain.text import clean_text
from liaison_calendar.errors import ValidationError
from liaison_calendar.reports import period as period_doc
from liaison_calendar.services.context import Services
from liaison_calendar.services.feeds import ExportScope
from liaison_calendar.services.importer import ImportOptions
from tests.icscheck import validate

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
LONG = os.environ.get("LIAISON_LONG") == "1"
EXAMPLES = 200 if LONG else 25
JUNE = (date(2024, 6, 1), date(2024, 6, 30))
# Calendars and files of these tests live in memory (tmpfs) where there is one: every change
# and every published file is fsynced, which is all their time on a disk, and not under test.
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
TITLE_LIMIT = 500  # the meeting service refuses longer titles (a message, see the 10,000 test)

# --- hostile strings ------------------------------------------------------------------------

FRAGMENTS = [
    "\r",
    "\n",
    "\r\n",
    "\n\n",
    "\r\nBEGIN:VEVENT\r\nUID:injected@evil\r\nSUMMARY:injected\r\nEND:VEVENT\r\n",
    "\nEND:VEVENT\nEND:VCALENDAR\nBEGIN:VCALENDAR\n",
    "BEGIN:VEVENT",
    "END:VCALENDAR",
    "\r\nX-LIAISON-RELEASE:public\r\n",
    "\nATTENDEE;CN=spy:mailto:spy@evil\n",
    " SUMMARY:folded-in",
    ";",
    ",",
    "\\",
    "\\n",
    "\\,",
    "\\;",
    ":",
    '"',
    "'",
    "^",
    "^n",
    "^'",
    "=",
    "<b>",
    "</b>",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "&amp;",
    "&lt;b&gt;",
    "&#60;",
    "&nbsp;",
    "<!--",
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u200b",  # zero-width space
    "\ufeff",  # byte order mark
    "😀",
    "👩\u200d👩\u200d👧",
    "🇪🇺",
    "e\u0301",
    "\u0301\u0308\u0323",  # combining marks with nothing to combine with
    "Київ",
    "მოლაპარაკება",
    "ملتقى",
    "\t",
    "  ",
    "\x00",
    "\x1b[31m",
    "\x7f",
    "\x85",  # next line (C1)
    "\u2028",  # line separator
    "\u2029",  # paragraph separator
    "\ud800",  # a UTF-16 surrogate alone (what a UTF-16 source may hand over)
    "\ud83d\ude00",  # a surrogate pair: one character in UTF-16
    "# ",
    "**",
    "_",
    "|",
    "`",
    "[link](http://evil)",
    "![img](x)",
    "> ",
    "1. ",
    "- ",
    "    ",
    "---",
    "%s{}",
]

PIECE = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=6),
)
SHORT = st.lists(PIECE, max_size=10).map("".join)


@st.composite
def _ten_thousand(draw: Any) -> str:
    base = draw(st.lists(PIECE, min_size=1, max_size=4).map("".join).filter(bool))
    return (base * (10_000 // len(base) + 1))[:10_000]


TENK = _ten_thousand()
TEXT = st.one_of(SHORT, SHORT, SHORT, TENK)


def _titled(raw: str) -> str:
    """A title the calendar takes: something left after trimming, at most 500 characters."""
    raw = raw[:400]
    return raw if clean_text(raw).strip() else raw + "T"


TITLE = st.one_of(SHORT, TENK).map(_titled)


# --- what the calendar keeps ------------------------------------------------------------------


def stored_trimmed(raw: str) -> str:
    """Titles, places, roles: cleaned, then trimmed by the meeting service."""
    return clean_text(raw).strip()


def stored_name(raw: str) -> str:
    """Participants' names and organisations: every run of white space one space."""
    return " ".join(clean_text(raw).split())


def stored_free(raw: str) -> str:
    """Descriptions, outcomes, agenda items: cleaned only."""
    return clean_text(raw)


def usable_email(stored: str) -> str:
    """What a file carries of an e-mail address: nothing unless it is one word with an '@'
    (a mailto: value cannot be escaped, see ``ical.export.mail_address``)."""
    return stored if "@" in stored and len(stored.split()) == 1 else ""


@dataclass
class Planned:
    draft: MeetingDraft
    override: MeetingPatch | None = None  # a changed second occurrence (weekly meetings)
    extra: list[ParticipantDraft] = field(default_factory=list)  # added after creation
    extra_items: list[AgendaItemDraft] = field(default_factory=list)


@st.composite
def participants(draw: Any, n: int) -> list[ParticipantDraft]:
    people = []
    for i in range(n):
        # E-mail addresses are unique within a meeting: the importer keeps one participant
        # per address (see test_two_participants_with_one_address_both_come_back).
        email = draw(
            st.sampled_from(
                [
                    "",
                    f"p{i}@example.eu",
                    f"p{i}@example.eu\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:injected@evil",
                    f"p{i}@example.eu\nX-EVIL:1",
                    f"p{i} x@example.eu",
                    f"p{i};x,y@example.eu",
                ]
            )
        )
        people.append(
            ParticipantDraft(
                name=draw(TEXT.filter(lambda t: stored_name(t) != "")),
                organisation=draw(SHORT),
                side=draw(st.sampled_from(list(Side))),
                role=draw(st.one_of(SHORT, st.sampled_from(["chair", "Co-chair; EU", ""]))),
                email=email,
            )
        )
    return people


def agenda_items(n: int) -> Any:
    return st.lists(
        st.builds(
            AgendaItemDraft,
            title=TEXT.map(lambda t: t if clean_text(t).strip() else t + "Item"),
            lead=SHORT,
            duration_min=st.integers(5, 60),
            notes=TEXT,
        ),
        min_size=n,
        max_size=n,
    )


@st.composite
def planned(draw: Any, index: int) -> Planned:
    weekly = draw(st.booleans())
    day = 3 + 7 * (index % 3) if weekly else 3 + draw(st.integers(0, 25))
    start = datetime(2024, 6, day, 9 + index % 5, 0)
    draft = MeetingDraft(
        title=draw(TITLE),
        start=start,
        end=start + timedelta(hours=2),
        location=draw(TEXT),
        description=draw(TEXT),
        outcomes=draw(SHORT),
        status=draw(st.sampled_from(list(Status))),
        release_level=draw(st.sampled_from(list(ReleaseLevel))),
        rrule="FREQ=WEEKLY;COUNT=3" if weekly else None,
        participants=draw(participants(draw(st.integers(0, 2)))),
        agenda=draw(agenda_items(draw(st.integers(0, 2)))),
    )
    override = None
    if weekly and draw(st.booleans()):
        override = MeetingPatch(
            title=draw(TITLE), location=draw(SHORT), description=draw(TEXT), outcomes=draw(SHORT)
        )
    extra = draw(participants(draw(st.integers(0, 1))))
    # Added later, through the service's own calls: after the draft's ones, new e-mail
    # addresses (the same "p0@..." would be one person to a reader).
    extra = [p.model_copy(update={"email": p.email.replace("@", "-added@")}) for p in extra]
    return Planned(draft, override, extra, draw(agenda_items(draw(st.integers(0, 1)))))


CALENDARS = st.integers(1, 3).flatmap(lambda n: st.tuples(*(planned(i) for i in range(n))))


# --- calendars ------------------------------------------------------------------------------


@dataclass
class Built:
    svc: Services
    meetings: list[MeetingDetail]  # masters and single meetings
    overrides: list[MeetingDetail]


def build(svc: Services, plans: tuple[Planned, ...] | list[Planned]) -> Built:
    masters, overrides = [], []
    for plan in plans:
        m = svc.meetings.create(plan.draft)
        for person in plan.extra:
            svc.meetings.add_participant(m.id, person)
        for item in plan.extra_items:
            svc.meetings.add_agenda_item(m.id, item)
        if plan.override is not None:
            assert isinstance(m.start, datetime)
            overrides.append(
                svc.meetings.override_occurrence(m.id, m.start + timedelta(weeks=1), plan.override)
            )
        masters.append(svc.meetings.get(m.id))
    return Built(svc, masters, overrides)


@pytest.fixture
def folder() -> Iterator[Path]:
    # Hypothesis runs every example in one test call: each gets calendars of its own here.
    with tempfile.TemporaryDirectory(prefix="hostile-", dir=SCRATCH) as name:
        yield Path(name)


_calendars = iter(range(1_000_000))
_EMPTY: list[bytes] = []


def fresh(folder: Path, clock: datetime = NOW) -> Services:
    """A new, empty calendar: a copy of one made once (making one runs every migration)."""
    path = folder / f"calendar-{next(_calendars)}.db"
    if not _EMPTY:
        Services.open(path, FixedClock(clock)).close()
        _EMPTY.append(path.read_bytes())
        path = folder / f"calendar-{next(_calendars)}.db"
    path.write_bytes(_EMPTY[0])
    return Services.open(path, FixedClock(clock))


def check_stored(built: Built, plans: tuple[Planned, ...] | list[Planned]) -> None:
    """The calendar keeps each text as clean_text and the service's trimming make it."""
    for m, plan in zip(built.meetings, plans, strict=True):
        d = plan.draft
        assert m.title == stored_trimmed(d.title)
        assert m.location == stored_trimmed(d.location)
        assert m.description == stored_free(d.description)
        assert m.outcomes == stored_free(d.outcomes)
        people = [*d.participants, *plan.extra]
        assert [p.name for p in m.participants] == [stored_name(p.name) for p in people]
        assert [p.role for p in m.participants] == [stored_trimmed(p.role) for p in people]
        items = [*d.agenda, *plan.extra_items]
        assert [a.title for a in m.agenda] == [stored_free(a.title) for a in items]
        assert [a.notes for a in m.agenda] == [stored_free(a.notes) for a in items]
        assert [a.lead for a in m.agenda] == [stored_free(a.lead) for a in items]


# --- files ----------------------------------------------------------------------------------

CALENDAR_PROPS = {
    "VERSION",
    "PRODID",
    "CALSCALE",
    "METHOD",
    "NAME",
    "X-WR-CALNAME",
    "DESCRIPTION",
    "X-WR-CALDESC",
    "REFRESH-INTERVAL",
    "X-PUBLISHED-TTL",
}
ZONE_PROPS = {"TZID", "DTSTART", "RRULE", "RDATE", "TZOFFSETFROM", "TZOFFSETTO", "TZNAME"}
EVENT_PROPS = {
    "UID",
    "DTSTAMP",
    "CREATED",
    "LAST-MODIFIED",
    "SEQUENCE",
    "DTSTART",
    "DTEND",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
    "STATUS",
    "SUMMARY",
    "LOCATION",
    "DESCRIPTION",
    "CATEGORIES",
    "ORGANIZER",
    "ATTENDEE",
    "RELATED-TO",
    *(f"X-LIAISON-{name}" for name in ("KIND", "STRANDS", "PARTNERS", "SERIES", "ITERATION")),
    *(f"X-LIAISON-{name}" for name in ("STATUS", "MODE", "LEAD", "RELEASE", "MARKING", "TZ")),
    *(f"X-LIAISON-{name}" for name in ("FLOATING", "DESCRIPTION-CHARS", "OUTCOMES")),
    *(f"X-LIAISON-{name}" for name in ("PROPOSALS", "AGENDA", "ACTION", "EXERCISE", "PHASE")),
}
ALLOWED = {
    "VCALENDAR": CALENDAR_PROPS,
    "VTIMEZONE": ZONE_PROPS,
    "STANDARD": ZONE_PROPS,
    "DAYLIGHT": ZONE_PROPS,
    "VEVENT": EVENT_PROPS,
}
PARENT = {"VCALENDAR": None, "VTIMEZONE": "VCALENDAR", "VEVENT": "VCALENDAR"}
PARENT |= {"STANDARD": "VTIMEZONE", "DAYLIGHT": "VTIMEZONE"}
_NAME = re.compile(r"([A-Z0-9-]+)[;:]")
SINGLE = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION", "STATUS"}


def structure(data: bytes) -> list[Counter[str]]:
    """The property names of each VEVENT, after checking that every unfolded line of the file
    is a property the app writes, in a component where it belongs, nested as RFC 5545 says."""
    text = data.decode("utf-8")
    assert "\r" not in text.replace("\r\n", ""), "a CR that does not end a line"
    assert "\n" not in text.replace("\r\n", ""), "an LF that does not end a line"
    lines = text.replace("\r\n ", "").split("\r\n")
    assert lines.pop() == ""
    stack: list[str] = []
    events: list[Counter[str]] = []
    calendars = 0
    for line in lines:
        if line.startswith(("BEGIN:", "END:")):
            word, _, name = line.partition(":")
            assert name in PARENT, f"an unknown component: {line[:80]!r}"
            if word == "BEGIN":
                assert (stack[-1] if stack else None) == PARENT[name], f"misplaced {line!r}"
                stack.append(name)
                calendars += name == "VCALENDAR"
                if name == "VEVENT":
                    events.append(Counter())
            else:
                assert stack, f"{line!r} closes nothing"
                assert stack.pop() == name, f"{line!r} closes another component"
            continue
        match = _NAME.match(line)
        assert match, f"not a content line: {line[:80]!r}"
        assert stack, f"a property outside the calendar: {line[:80]!r}"
        assert match.group(1) in ALLOWED[stack[-1]], f"in {stack[-1]}: {line[:80]!r}"
        if stack[-1] == "VEVENT":
            events[-1][match.group(1)] += 1
    assert not stack
    assert calendars == 1
    for props in events:
        assert all(props[name] <= 1 for name in SINGLE), props
    return events


def check_file(data: bytes, built: Built, privacy: Privacy, level: ReleaseLevel) -> None:
    """One exported or published file: its structure, one VEVENT per meeting row; a file with
    everything in it (full privacy) also through three parsers, and each event as icalendar
    reads it: the same title and place, exactly its people and agenda items."""
    shown = [
        m
        for m in [*built.meetings, *built.overrides]
        if m.release_level.rank <= level.rank
        and (
            m.master_id is None
            or next(x for x in built.meetings if x.id == m.master_id).release_level.rank
            <= level.rank
        )
    ]
    events = structure(data)
    assert len(events) == len(shown)
    if privacy is not Privacy.FULL:
        # Less than a full file: the same events with fewer properties (icalendar is slow on
        # 10,000-character lines; the full file of the same calendar goes through it).
        people = sum(props["ATTENDEE"] + props["ORGANIZER"] for props in events)
        assert people == 0
        if privacy is Privacy.BUSY:
            busy = {"UID", "DTSTAMP", "SEQUENCE", "DTSTART", "DTEND", "RRULE", "EXDATE"}
            busy |= {"RDATE", "RECURRENCE-ID", "STATUS", "SUMMARY"}
            assert all(props.keys() <= busy for props in events)
            assert data.count(b"\r\nSUMMARY:Busy\r\n") == len(events)
        return
    cal = validate(data)  # icalendar, ical (strict) and vobject read it without a complaint
    assert len(cal.walk("VEVENT")) == len(shown)
    by_key = {
        (str(e["UID"]), "RECURRENCE-ID" in e): (e, props)
        for e, props in zip(cal.walk("VEVENT"), events, strict=True)
    }
    prefix = {Status.CANCELLED: "Cancelled: ", Status.POSTPONED: "Postponed: "}
    for m in shown:
        event, props = by_key[(m.uid, m.master_id is not None)]
        assert str(event["SUMMARY"]) == prefix.get(m.status, "") + m.title
        assert str(event.get("LOCATION", "")) == m.location
        assert str(event.get("DESCRIPTION", "")).startswith(m.description)
        people = len(m.participants) if privacy is Privacy.FULL else 0
        assert props["ATTENDEE"] == people
        chair = [
            p for p in m.participants if "chair" in p.role.casefold() and usable_email(p.email)
        ]
        assert props["ORGANIZER"] == (1 if people and chair else 0)
        assert props["X-LIAISON-AGENDA"] == len(m.agenda)


def same_text(a: MeetingDetail, b: MeetingDetail) -> None:
    assert b.title == a.title
    assert b.location == a.location
    assert b.description == a.description
    assert b.outcomes == a.outcomes
    assert b.status == a.status
    assert b.release_level == a.release_level
    assert [(p.name, p.role, p.organisation, p.side) for p in b.participants] == [
        (p.name, p.role, p.organisation, p.side) for p in a.participants
    ]
    assert [p.email for p in b.participants] == [usable_email(p.email) for p in a.participants]
    assert [(i.title, i.lead, i.notes, i.duration_min) for i in b.agenda] == [
        (i.title, i.lead, i.notes, i.duration_min) for i in a.agenda
    ]


def round_trip(built: Built, folder: Path) -> None:
    path = folder / f"export-{next(_calendars)}.ics"
    built.svc.feeds.export_file(path, ExportScope(release_level=ReleaseLevel.RESTRICTED))
    target = fresh(folder, NOW + timedelta(days=3))
    try:
        report = target.importer.import_files([path], ImportOptions())
        assert report.count("skipped") == 0
        for m in built.meetings:
            same_text(m, target.meetings.get(m.uid))
            theirs = target.meetings.overrides_of(m.uid)
            ours = [o for o in built.overrides if o.master_id == m.id]
            assert len(theirs) == len(ours)
            for mine, copy in zip(ours, theirs, strict=True):
                same_text(mine, copy)
    finally:
        target.close()


SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # No "explain" phase: tracing every line over 10,000-character texts takes minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    # The folder fixture is shared by a test's examples on purpose; big texts are the point.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


@SETTINGS
@given(plans=CALENDARS)
def test_hostile_text_survives_export_and_import_and_makes_no_property_of_its_own(
    folder: Path, plans: tuple[Planned, ...]
) -> None:
    svc = fresh(folder)
    try:
        built = build(svc, plans)
        check_stored(built, plans)
        for privacy in Privacy:
            for level in (ReleaseLevel.PUBLIC, ReleaseLevel.RESTRICTED):
                name = f"{privacy}-{level}"
                svc.feeds.add(FeedDraft(name=name, privacy=privacy, release_level=level))
        out = folder / f"feeds-{next(_calendars)}"
        out.mkdir()
        published = {p.name: p for p in svc.feeds.publish(out)}
        for privacy in Privacy:
            for level in (ReleaseLevel.PUBLIC, ReleaseLevel.RESTRICTED):
                feed = published[f"{privacy}-{level}"]
                assert feed.change == "created"
                check_file(feed.path.read_bytes(), built, privacy, level)
        round_trip(built, folder)
    finally:
        svc.close()


# --- printing -------------------------------------------------------------------------------

DOCUMENT_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "br"}
DOCUMENT_TAGS |= {"b", "i", "span", "table", "thead", "tbody", "tr", "th", "td", "ul", "li"}
DOCUMENT_ATTRIBUTES = {"lang", "charset", "class", "style", "width", "height", "align", "valign"}
DOCUMENT_ATTRIBUTES |= {"cellspacing", "cellpadding", "border", "colspan"}
MARKDOWN_TAGS = {"h1", "h2", "h3", "p", "br", "strong", "em", "ul", "li", "table", "thead"}
MARKDOWN_TAGS |= {"tbody", "tr", "th", "td"}


class _Reader(HTMLParser):
    """The text a browser shows of an HTML document (a line break for <br>, a space between
    elements), and every tag and attribute in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)
        self._style = tag == "style"
        self.parts.append("\n" if tag == "br" else " ")

    def handle_endtag(self, tag: str) -> None:
        self._style = False
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)


def shown(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def flat(text: str) -> str:
    """White space as a page shows it: any run of it one space (HTML collapses runs; a line
    break may also be printed as one), the same for the value looked for and the page."""
    return " ".join(text.split())


def assert_literal(values: list[str], html: str, tags: set[str], attributes: set[str]) -> None:
    """Each value shows as itself, and the document holds no tag or attribute of its own."""
    page = shown(html)
    assert page.tags <= tags, page.tags - tags
    assert page.attributes <= attributes, page.attributes - attributes
    text = flat("".join(page.parts))
    for value in values:
        assert flat(value) in text, value[:200]


def markdown_html(markdown: str) -> str:
    """Markdown as a CommonMark reader shows it (raw HTML let through: a `<b>` left unescaped
    would become a tag, which ``assert_literal`` refuses)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def agenda_texts(m: MeetingDetail) -> list[str]:
    values = [m.title, m.location, m.description]
    values += [p.name for p in m.participants] + [p.role for p in m.participants]
    values += [p.organisation for p in m.participants]
    values += [i.title for i in m.agenda] + [i.lead for i in m.agenda]
    values += [i.notes for i in m.agenda]
    return values


HELD = (Status.CONFIRMED, Status.TENTATIVE)  # the report gives the outcomes of these


@SETTINGS
@given(plans=CALENDARS)
def test_hostile_text_prints_literally_in_agendas_and_period_reports(
    folder: Path, plans: tuple[Planned, ...]
) -> None:
    svc = fresh(folder)
    try:
        built = build(svc, plans)
        rows = [*built.meetings, *built.overrides]
        for m in rows:
            doc = svc.reports.agenda(m.id).html()
            assert_literal(agenda_texts(m), doc, DOCUMENT_TAGS, DOCUMENT_ATTRIBUTES)
        data = svc.reports.period(*JUNE)
        held = {h.meeting.id for h in data.held}
        # Every row is in the report (each weekly meeting has an occurrence left unchanged).
        assert {m.id for m in rows} == held
        values = [m.title for m in rows] + [m.outcomes for m in rows if m.status in HELD]
        report = period_doc.period_report(data).html()
        assert_literal(values, report, DOCUMENT_TAGS, DOCUMENT_ATTRIBUTES)
        markdown = markdown_html(period_doc.period_markdown(data))
        assert_literal(values, markdown, MARKDOWN_TAGS, {"style"})
    finally:
        svc.close()


# --- fixed cases ----------------------------------------------------------------------------

# Printable in the PDF's font (DejaVu Sans) and read back by pdftotext in the order written:
# no right-to-left text or emoji here (pdftotext reorders the one and has no glyph for the
# other); the generated texts above take them through HTML and Markdown.
PDF_TEXTS = [
    "<b>bold</b> <img src=x onerror=alert(1)> &amp; &lt;b&gt; &#60;",
    "BEGIN:VEVENT;X=1,2\\3:4 END:VCALENDAR",
    "\"quoted\" 'single' ^n ^' \\n \\, \\;",
    "<script>alert(1)</script> <!-- # ** _ | ` [link](http://evil)",
    "Café Zoë Київ თბილისი Ærø",
]


def page_text(path: Path) -> str:
    """The characters of a PDF in reading order, without white space: a narrow column may
    break a line anywhere (inside a word too), and pdftotext's own mode would take a hyphen at
    the end of a line for a word cut in two and drop it (``-raw`` keeps it)."""
    args = ["pdftotext", "-raw", str(path), "-"]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return packed(done.stdout)


def packed(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def test_hostile_text_prints_literally_in_pdf_agendas_and_period_reports(folder: Path) -> None:
    from liaison_calendar.ui.printing import write_pdf

    svc = fresh(folder)
    try:
        a, b, c, d, e = PDF_TEXTS
        m = svc.meetings.create(
            MeetingDraft(
                title=a,
                start=datetime(2024, 6, 12, 9, 30),
                end=datetime(2024, 6, 12, 12, 0),
                location=b,
                description=f"{c}\r\n{e}",
                outcomes=d,
                participants=[ParticipantDraft(name=d, organisation=e, role=b)],
                agenda=[AgendaItemDraft(title=c, lead=e, notes=a)],
            )
        )
        agenda = folder / "agenda.pdf"
        write_pdf(svc.reports.agenda(m.id), agenda)
        text = page_text(agenda)
        for value in PDF_TEXTS:
            assert packed(value) in text, text
        report = folder / "report.pdf"
        write_pdf(svc.reports.period_report(*JUNE), report)
        text = page_text(report)
        assert packed(a) in text  # the title
        assert packed(d) in text  # the outcomes
    finally:
        svc.close()


NASTY = [
    "\r\nBEGIN:VEVENT\r\nUID:injected@evil\r\nEND:VEVENT\r\n",
    ";,\\:\"'^",
    "<img src=x onerror=alert(1)>&amp;",
    "\u200f\u202eevil\u2066",
    "👩\u200d👩\u200d👧🇪🇺",
    "e\u0301\u0308",
    "END:VCALENDAR\n",
    "Київ მ ملتقى ",
]


def test_ten_thousand_character_texts_survive_files_and_print_whole(folder: Path) -> None:
    svc = fresh(folder)
    try:
        plans = []
        for n, piece in enumerate(NASTY):
            long = (piece * (10_000 // len(piece) + 1))[:10_000]
            assert len(long) == 10_000
            plans.append(
                Planned(
                    MeetingDraft(
                        title=f"{n} {long}"[:TITLE_LIMIT],
                        start=datetime(2024, 6, 3 + n, 9, 0),
                        end=datetime(2024, 6, 3 + n, 11, 0),
                        location=f"{n} {long}",
                        description=long,
                        outcomes=long,
                        participants=[
                            ParticipantDraft(name=f"{n} {long}", organisation=long, role=long)
                        ],
                        agenda=[AgendaItemDraft(title=long, lead=long, notes=long)],
                    )
                )
            )
        built = build(svc, plans)
        check_stored(built, plans)
        assert all(len(m.description) == len(clean_text(m.description)) for m in built.meetings)
        for privacy in Privacy:
            data = svc.feeds.export_bytes(
                ExportScope(privacy=privacy, release_level=ReleaseLevel.RESTRICTED)
            )
            check_file(data, built, privacy, ReleaseLevel.RESTRICTED)
        round_trip(built, folder)
        for m in built.meetings:
            html = svc.reports.agenda(m.id).html()
            assert_literal(agenda_texts(m), html, DOCUMENT_TAGS, DOCUMENT_ATTRIBUTES)
    finally:
        svc.close()


def test_a_ten_thousand_character_title_is_refused_with_a_message(folder: Path) -> None:
    svc = fresh(folder)
    try:
        with pytest.raises(ValidationError, match="at most 500 characters"):
            svc.meetings.create(
                MeetingDraft(
                    title="<b>" * 3334,
                    start=datetime(2024, 6, 3, 9, 0),
                    end=datetime(2024, 6, 3, 10, 0),
                )
            )
        assert svc.queries.occurrences() == []
    finally:
        svc.close()


def test_an_email_address_with_line_breaks_makes_no_event_of_its_own(folder: Path) -> None:
    """Regression: a participant's e-mail was written after ``mailto:`` as it was, so a line
    break in it ended the ATTENDEE line and the rest became properties and VEVENTs."""
    svc = fresh(folder)
    try:
        evil = "chair@example.eu\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:injected@evil\r\nSUMMARY:x"
        m = svc.meetings.create(
            MeetingDraft(
                title="Staff Talks",
                start=datetime(2024, 6, 3, 9, 0),
                end=datetime(2024, 6, 3, 10, 0),
                participants=[
                    ParticipantDraft(name="Chair", role="chair", email=evil),
                    ParticipantDraft(name="Expert", email="expert@example.eu\nX-EVIL:1"),
                    ParticipantDraft(name="Clerk", email="clerk@example.eu"),
                ],
            )
        )
        data = svc.feeds.export_bytes(ExportScope(privacy=Privacy.FULL))
        (event,) = structure(data)
        assert event["ATTENDEE"] == 3
        assert event["ORGANIZER"] == 0  # the chair has no address a client could write to
        assert b"injected" not in data
        assert b"X-EVIL" not in data
        cal = validate(data)
        (vevent,) = cal.walk("VEVENT")
        attendees = vevent.get("ATTENDEE")
        assert [a.params["CN"] for a in attendees] == ["Chair", "Expert", "Clerk"]
        assert str(attendees[2]) == "mailto:clerk@example.eu"
        assert all(str(a).startswith("urn:x-liaison:participant:") for a in attendees[:2])
        built = Built(svc, [svc.meetings.get(m.id)], [])
        round_trip(built, folder)  # names and roles back; only the real address comes back
    finally:
        svc.close()


def test_a_lone_surrogate_is_kept_as_a_replacement_character_not_a_crash(folder: Path) -> None:
    """Regression: clean_text kept UTF-16 surrogates, which UTF-8 cannot encode: saving a
    meeting whose title held one (as a UTF-16 source may hand over) failed in the database
    with a UnicodeEncodeError, a crash instead of a meeting."""
    assert clean_text("a\ud800b") == "a\ufffdb"
    assert clean_text("\ud83d\ude00 \ude00\ud83d") == "😀 \ufffd\ufffd"
    svc = fresh(folder)
    try:
        plans = [
            Planned(
                MeetingDraft(
                    title="Talks \ud800",
                    start=datetime(2024, 6, 3, 9, 0),
                    end=datetime(2024, 6, 3, 10, 0),
                    description="\ud83d\ude00 \udfff",
                    participants=[ParticipantDraft(name="Ann\udc00")],
                )
            )
        ]
        built = build(svc, plans)
        check_stored(built, plans)
        (m,) = built.meetings
        assert (m.title, m.description) == ("Talks \ufffd", "😀 \ufffd")
        assert m.participants[0].name == "Ann\ufffd"
        round_trip(built, folder)
    finally:
        svc.close()


def test_two_participants_with_one_address_both_come_back(folder: Path) -> None:
    svc = fresh(folder)
    try:
        desk = "liaison-desk@example.eu"  # a shared mailbox: two people, one address
        plans = [
            Planned(
                MeetingDraft(
                    title="Cross-briefing",
                    start=datetime(2024, 6, 3, 9, 0),
                    end=datetime(2024, 6, 3, 10, 0),
                    participants=[
                        ParticipantDraft(name="Ann Example", email=desk),
                        ParticipantDraft(name="Bo Example", email=desk),
                        # and two people of one name without an address are two people
                        ParticipantDraft(name="Interpreter", side=Side.EU),
                        ParticipantDraft(name="Interpreter", side=Side.EU),
                    ],
                )
            )
        ]
        round_trip(build(svc, plans), folder)
    finally:
        svc.close()
