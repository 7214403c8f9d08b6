"""The progress report: what happened in each work strand over a period (usually a year).

The report is first laid out once as plain blocks (headings, paragraphs, lists, tables of plain
text, see ``_report``), then written out twice: as HTML for printing (``period_report``) and as
Markdown for pasting into a drafting tool (``period_markdown``). Both say the same thing.

What the report counts:

- A meeting is *held* when its occurrence is neither cancelled nor postponed (a tentative one
  counts: the report is a draft and the officer sees it listed). Cancelled and postponed
  occurrences are listed apart at the end.
- A meeting in several work strands counts in each of them; the totals count it once.
- The action items of a strand are those recorded at its held meetings (a recurring meeting's
  items once, however often it occurs). *Opened*: not a copy carried over from an earlier
  iteration. *Closed*: done or dropped (an item carried into the next iteration is closed by
  its copy, not twice). *Overdue*: still open and due before ``min(today, last)``.
"""

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from liaison_calendar.domain.agenda import ordinal
from liaison_calendar.domain.enums import ActionStatus, ExercisePart, PhaseType, Status
from liaison_calendar.domain.models import ActionItem, Exercise, Phase
from liaison_calendar.reports.data import Held, PeriodData
from liaison_calendar.reports.document import Document, clock, day_text, esc, esc_lines, short_day

NOTHING = "—"  # an empty cell
ZERO = "–"  # a zero count in the summary (easier to read than a table of noughts)
UNASSIGNED = "Not in a work strand"

_APART = (Status.CANCELLED, Status.POSTPONED)
_CLOSED = (ActionStatus.DONE, ActionStatus.DROPPED)
_PHASE_TYPES = {
    PhaseType.CONCEPT: "Concept",
    PhaseType.PLANNING_CONFERENCE: "Planning conference",
    PhaseType.EXECUTION: "Execution",
    PhaseType.LESSONS: "Lessons identified",
    PhaseType.OTHER: "Other",
}
_WORD = re.compile(r"[^\s-]+-?")  # what a line cannot break inside
_PARTS = {ExercisePart.EU: "EU", ExercisePart.NATO: "NATO", ExercisePart.JOINT: "Joint"}


def period_report(data: PeriodData) -> Document:
    """The progress report as a printable document."""
    return Document(
        title=f"Progress report {_period(data)}",
        body=_html_body(_report(data)),
        marking=data.header.marking,
        organisation=data.header.organisation,
        left_out=data.header.left_out,
    )


def period_markdown(data: PeriodData) -> str:
    """The progress report as Markdown: the marking in bold at the top and the bottom."""
    parts: list[str] = []
    marking = f"**{md(data.header.marking)}**" if data.header.marking else ""
    if marking:
        parts.append(marking)
    if data.header.organisation:
        parts.append(md(data.header.organisation))
    parts.extend(_markdown(block) for block in _report(data))
    if marking:
        parts.append(marking)
    return "\n\n".join(parts) + "\n"


# --- the report as blocks ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    text: str  # plain text
    style: str = ""  # "", "b", "muted" or "warning"


@dataclass(frozen=True)
class _Heading:
    level: int
    text: str


@dataclass(frozen=True)
class _Para:
    spans: tuple[_Span, ...]
    muted: bool = False


@dataclass(frozen=True)
class _List:
    items: tuple[tuple[_Span, ...], ...]


@dataclass(frozen=True)
class _Cell:
    text: str  # plain text, line breaks kept
    note: str = ""  # in small print on a line of its own below
    strong: bool = False


@dataclass(frozen=True)
class _Table:
    columns: tuple[tuple[str, int], ...]  # heading, width in percent
    rows: tuple[tuple[_Cell, ...], ...]
    numeric: frozenset[int] = frozenset()  # columns aligned right
    small_heads: bool = False  # headings in small print (many narrow columns)


_Block = _Heading | _Para | _List | _Table


_Within = Callable[[Iterable[str]], bool]
"""Whether something with these strand keys belongs to a section."""


def _within(key: str) -> _Within:
    return lambda strands: key in strands


def _para(text: str, *, muted: bool = False) -> _Para:
    return _Para((_Span(text),), muted=muted)


def _report(data: PeriodData) -> list[_Block]:
    held = tuple(h for h in data.held if h.meeting.status not in _APART)
    blocks: list[_Block] = [_Heading(1, "Progress report"), _Para((_Span(_period(data), "b"),))]
    if data.filters:
        blocks.append(_para(data.filters, muted=True))
    if data.header.left_out:
        n = data.header.left_out
        blocks.append(_para(f"{_count(n, 'meeting')} left out at this print level", muted=True))
    if data.header.printed is not None:
        blocks.append(_para(_printed(data.header.printed), muted=True))

    sections: list[tuple[str, _Within]] = [(name, _within(key)) for key, name in data.strands]
    keys = {key for key, _ in data.strands}
    strays = [h.meeting.strands for h in held] + [e.strands for e in data.exercises]
    if any(keys.isdisjoint(strands) for strands in strays):
        sections.append((UNASSIGNED, keys.isdisjoint))

    blocks += _summary(data, held, sections)
    for name, within in sections:
        blocks += _strand(data, name, [h for h in held if within(h.meeting.strands)], within)
    blocks += _apart(data, [h for h in data.held if h.meeting.status in _APART])
    return blocks


def _summary(
    data: PeriodData,
    held: tuple[Held, ...],
    sections: list[tuple[str, _Within]],
) -> list[_Block]:
    kinds = _kinds(data, held)
    names = [name for _, name in kinds]
    widths = _head_widths(names)
    columns = (("Work strand", 93 - sum(widths)), *zip(names, widths, strict=True), ("Total", 7))

    def row(label: str, chosen: list[Held], strong: bool = False) -> tuple[_Cell, ...]:
        counts = [sum(1 for h in chosen if h.meeting.kind == key) for key, _ in kinds]
        cells = [_Cell(label, strong=strong)]
        cells += [_Cell(str(n) if n else ZERO, strong=strong) for n in [*counts, len(chosen)]]
        return tuple(cells)

    rows = [row(name, [h for h in held if within(h.meeting.strands)]) for name, within in sections]
    rows.append(row("Total", list(held), strong=True))
    return [
        _Heading(2, "Meetings held"),
        _Table(columns, tuple(rows), frozenset(range(1, len(columns))), small_heads=True),
        _para(
            "Cancelled and postponed meetings are not counted. A meeting in several work "
            "strands counts in each of them; the totals count it once.",
            muted=True,
        ),
    ]


def _strand(data: PeriodData, name: str, held: list[Held], within: _Within) -> list[_Block]:
    exercises = [e for e in data.exercises if within(e.strands) and _phases(data, e)]
    blocks: list[_Block] = [_Heading(2, name)]
    if not held and not exercises:
        return [*blocks, _para("Nothing in this period.")]
    if not held:
        blocks.append(_para("No meetings held."))
    for key, kind_name in _kinds(data, held):
        group = [h for h in held if h.meeting.kind == key]
        rows = tuple(
            (
                _Cell(_when(h)),
                _Cell(h.meeting.title, _meeting_note(h)),
                _Cell(", ".join(h.meeting.partners) or NOTHING),
                _Cell(h.meeting.outcomes.strip() or NOTHING),
            )
            for h in group
        )
        columns = (("Date", 20), ("Meeting", 33), ("Partners", 16), ("Outcomes", 31))
        blocks += [_Heading(3, kind_name), _Table(columns, rows)]
    if exercises:
        blocks.append(_Heading(3, "Exercises"))
        for exercise in exercises:
            blocks += _exercise(data, exercise)
    if held:
        blocks += _actions(data, held)
    return blocks


def _exercise(data: PeriodData, exercise: Exercise) -> list[_Block]:
    title = [_Span(exercise.name, "b")]
    if exercise.programme and exercise.programme != exercise.name:
        title.append(_Span(f" – {exercise.programme}"))
    last_day = max(exercise.period_start, exercise.period_end - timedelta(days=1))
    span = f"exercise period {_long(exercise.period_start)} – {_long(last_day)}"
    title.append(_Span(f" ({span})", "muted"))
    rows = tuple(
        (
            _Cell(p.name),
            _Cell(_PHASE_TYPES.get(p.phase_type, str(p.phase_type))),
            _Cell(_PARTS.get(p.part, str(p.part))),
            _Cell(_days(p.start, p.end - timedelta(days=1))),
            _Cell(p.location or NOTHING),
        )
        for p in _phases(data, exercise)
    )
    columns = (("Phase", 30), ("Type", 18), ("Part", 8), ("Dates", 20), ("Location", 24))
    return [_Para(tuple(title)), _Table(columns, rows)]


def _actions(data: PeriodData, held: list[Held]) -> list[_Block]:
    where: dict[int, Held] = {}  # action id -> the first occurrence of its meeting
    actions: list[ActionItem] = []
    for h in held:
        for action in h.meeting.actions:
            if action.id not in where:
                where[action.id] = h
                actions.append(action)
    blocks: list[_Block] = [_Heading(3, "Action items")]
    if not actions:
        return [*blocks, _para("No action items recorded at these meetings.")]
    cutoff = min(data.today, data.last)
    opened = sum(1 for a in actions if a.carried_from_id is None)
    closed = sum(1 for a in actions if a.status in _CLOSED)
    overdue = sorted(
        (a for a in actions if a.status == ActionStatus.OPEN and a.due and a.due < cutoff),
        key=lambda a: (a.due or cutoff, _sort_key(where[a.id]), a.text, a.id),
    )
    blocks.append(
        _List(
            (
                (_Span("Opened: "), _Span(str(opened))),
                (_Span("Closed (done or dropped): "), _Span(str(closed))),
                (
                    _Span(f"Overdue (open, due before {_long(cutoff)}): "),
                    _Span(str(len(overdue)), "warning" if overdue else ""),
                ),
            )
        )
    )
    if overdue:
        rows = tuple(
            (
                _Cell(a.text),
                _Cell(a.owner or NOTHING),
                _Cell(short_day(a.due) if a.due else NOTHING),
                _Cell(where[a.id].meeting.title, _when(where[a.id])),
            )
            for a in overdue
        )
        columns = (("Overdue action item", 36), ("Owner", 16), ("Due", 20), ("Meeting", 28))
        blocks.append(_Table(columns, rows))
    return blocks


def _apart(data: PeriodData, apart: list[Held]) -> list[_Block]:
    blocks: list[_Block] = [_Heading(2, "Cancelled and postponed")]
    if not apart:
        return [*blocks, _para("None in this period.")]
    rows = tuple(
        (
            _Cell(_when(h)),
            _Cell(h.meeting.title),
            _Cell("; ".join(_strand_names(data, h.meeting.strands)) or NOTHING),
            _Cell(str(h.meeting.status).capitalize()),
        )
        for h in apart
    )
    columns = (("Date", 20), ("Meeting", 40), ("Work strands", 28), ("Status", 12))
    return [
        *blocks,
        _para("Not counted as held above.", muted=True),
        _Table(columns, rows),
    ]


# --- what the blocks say -----------------------------------------------------------------------


def _kinds(data: PeriodData, held: Iterable[Held]) -> list[tuple[str, str]]:
    """(key, name) of the kinds that occur, in catalogue order (unknown keys after)."""
    present = list(dict.fromkeys(h.meeting.kind for h in held))
    known = [(key, name) for key, name in data.kind_names.items() if key in present]
    return known + [(key, key) for key in present if key not in data.kind_names]


def _strand_names(data: PeriodData, keys: tuple[str, ...]) -> list[str]:
    """The names of these strands in catalogue order (unknown keys as they are, after)."""
    known = dict(data.strands)
    return [name for key, name in data.strands if key in keys] + [
        key for key in keys if key not in known
    ]


def _head_widths(heads: list[str]) -> list[int]:
    """Widths (percent of an A4 page's text) of columns headed ``heads`` in small print.

    Each is as wide as its longest word (Qt would cut it in two; a line may end after a
    hyphen), from an estimate of 5 pt a letter in 8 pt bold, plus the cell's padding;
    together about two thirds at most.
    """
    points = [max(map(len, _WORD.findall(head)), default=0) * 5.0 + 8 for head in heads]
    percent = [max(p, 32.0) * 100 / 510 for p in points]  # 510 pt of text on A4
    scale = min(1.0, 66 / sum(percent)) if percent else 1.0
    return [math.ceil(p * scale) for p in percent]


def _phases(data: PeriodData, exercise: Exercise) -> list[Phase]:
    """The exercise's phases that overlap the period (their ends are exclusive)."""
    inside = [p for p in exercise.phases if p.start <= data.last and p.end > data.first]
    return sorted(inside, key=lambda p: (p.start, p.end, p.name, p.id))


def _meeting_note(h: Held) -> str:
    """'Structured Dialogue on Cyber, 2nd iteration; tentative' (what the title does not say)."""
    notes = []
    title = h.meeting.title.casefold()
    if h.meeting.iteration is not None:
        iteration = f"{ordinal(h.meeting.iteration)} iteration"
        series = h.meeting.series
        if iteration not in title:
            in_title = not series or series.casefold() in title
            notes.append(iteration if in_title else f"{series}, {iteration}")
    if h.meeting.status == Status.TENTATIVE:
        notes.append("tentative")
    return "; ".join(notes)


def _when(h: Held) -> str:
    """The occurrence's day, or days: 'Tue 12 Mar 2024', '12–14 Mar 2024'."""
    start, end = h.start, h.end
    if isinstance(start, datetime):
        last = (end - timedelta(microseconds=1)).date() if isinstance(end, datetime) else end
        return _days(start.date(), last)
    return _days(start, _date(end) - timedelta(days=1))


def _date(moment: date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _sort_key(h: Held) -> tuple[date, str]:
    return _date(h.start), h.meeting.title


def _days(first: date, last: date) -> str:
    """'Tue 12 Mar 2024', '12–14 Mar 2024', '28 Nov – 2 Dec 2023', '30 Dec 2023 – 2 Jan 2024'."""
    if last <= first:
        return short_day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {_month(last)} {last.year}"
    if first.year == last.year:
        return f"{first.day} {_month(first)} – {last.day} {_month(last)} {last.year}"
    return f"{first.day} {_month(first)} {first.year} – {last.day} {_month(last)} {last.year}"


def _month(day: date) -> str:
    return short_day(day).split()[2]  # 'Mar'


def _long(day: date) -> str:
    return day_text(day).split(" ", 1)[1]  # '1 June 2023'


def _period(data: PeriodData) -> str:
    return f"{_long(data.first)} – {_long(data.last)}"


def _printed(moment: datetime) -> str:
    zone = moment.tzname()
    return f"Printed {day_text(moment.date())} at {clock(moment)}" + (f" {zone}" if zone else "")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --- HTML --------------------------------------------------------------------------------------


_HTML_STYLE = {
    "b": "<b>{}</b>",
    "muted": '<span class="muted">{}</span>',
    "warning": '<span class="warning">{}</span>',
}


def _html_spans(spans: tuple[_Span, ...]) -> str:
    return "".join(_HTML_STYLE.get(s.style, "{}").format(esc(s.text)) for s in spans)


def _html_body(blocks: list[_Block]) -> str:
    # Qt keeps no margin below a list or a paragraph: a table after one makes its own room.
    gap = ' style="margin-top: 6pt"'
    return "\n".join(
        _html(block, gap if i and not isinstance(blocks[i - 1], _Heading) else "")
        for i, block in enumerate(blocks)
    )


def _html(block: _Block, table_style: str = "") -> str:
    if isinstance(block, _Heading):
        return f"<h{block.level}>{esc(block.text)}</h{block.level}>"
    if isinstance(block, _Para):
        attrs = ' class="muted"' if block.muted else ""
        return f"<p{attrs}>{_html_spans(block.spans)}</p>"
    if isinstance(block, _List):
        items = "".join(f"<li>{_html_spans(item)}</li>\n" for item in block.items)
        return f"<ul>\n{items}</ul>"
    # A <thead> is repeated at the top of each page the table runs on to.
    lines = [f'<table class="grid" width="100%" cellspacing="0" cellpadding="3"{table_style}>']
    # (in a span: a style attribute on the cell would drop its borders in Qt)
    small = '<span style="font-size: 8pt">{}</span>' if block.small_heads else "{}"
    heads = "".join(
        f'<th width="{width}%"{_num(block, i)}>{small.format(esc(text))}</th>'
        for i, (text, width) in enumerate(block.columns)
    )
    lines.append(f"<thead><tr>{heads}</tr></thead>")
    lines.append("<tbody>")
    for row in block.rows:
        lines.append("<tr>" + "".join(_html_cell(block, i, c) for i, c in enumerate(row)) + "</tr>")
    lines.append("</tbody>\n</table>")
    return "\n".join(lines)


def _num(table: _Table, column: int) -> str:
    return ' class="num"' if column in table.numeric else ""


def _html_cell(table: _Table, column: int, cell: _Cell) -> str:
    text = esc_lines(cell.text)
    if cell.strong:
        text = f"<b>{text}</b>"
    if cell.note:
        text += f'<br><span class="muted">{esc(cell.note)}</span>'
    return f"<td{_num(table, column)}>{text}</td>"


# --- Markdown ----------------------------------------------------------------------------------


_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_HEADING = re.compile(r"([\\`*_\[\]|~#])")  # a '#' at the end would close the heading
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^([ \t]*)(#|>|\+|-|=|\d+(?=[.)]))")


def md(text: str, *, newline: str = "<br>", heading: bool = False) -> str:
    """``text`` shown literally in Markdown, its line breaks as ``newline``.

    Backslash, backtick, ``* _ [ ] | ~`` (in a heading, ``#`` too) are escaped; ``<`` and an
    ``&`` that would start an entity are written as entities; a line that would start a
    heading, a quote or a list item has its marker escaped.
    """
    inline = _MD_HEADING if heading else _MD_INLINE
    lines = []
    for line in text.splitlines() or [""]:
        line = inline.sub(r"\\\1", line)
        line = _MD_ENTITY.sub("&amp;", line).replace("<", "&lt;")
        match = _MD_LINE_START.match(line)
        if match:
            lead, marker = match.groups()
            if marker[0].isdigit():  # '2024. ' -> '2024\. '
                line = f"{lead}{marker}\\{line[match.end() :]}"
            else:
                line = f"{lead}\\{line[len(lead) :]}"
        lines.append(line)
    return newline.join(lines)


def _md_styled(text: str, mark: str) -> str:
    """``text`` between ``mark``s, any spaces around it kept outside (or emphasis breaks)."""
    core = text.strip()
    if not core:
        return md(text, newline=" ")
    lead = text[: len(text) - len(text.lstrip())]
    tail = text[len(text.rstrip()) :]
    return f"{lead}{mark}{md(core, newline=' ')}{mark}{tail}"


def _md_spans(spans: tuple[_Span, ...], muted: bool = False) -> str:
    out = []
    for span in spans:
        if span.style in ("b", "warning"):
            out.append(_md_styled(span.text, "**"))
        elif span.style == "muted" or muted:
            out.append(_md_styled(span.text, "*"))
        else:
            out.append(md(span.text, newline=" "))
    return "".join(out)


def _markdown(block: _Block) -> str:
    if isinstance(block, _Heading):
        return "#" * block.level + " " + md(block.text, newline=" ", heading=True)
    if isinstance(block, _Para):
        return _md_spans(block.spans, block.muted)
    if isinstance(block, _List):
        return "\n".join(f"- {_md_spans(item)}" for item in block.items)
    rule = ["---:" if i in block.numeric else "---" for i in range(len(block.columns))]
    lines = [
        _md_row([md(text) for text, _ in block.columns]),
        _md_row(rule),
        *(_md_row([_md_cell(cell) for cell in row]) for row in block.rows),
    ]
    return "\n".join(lines)


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _md_cell(cell: _Cell) -> str:
    text = md(cell.text)
    if cell.strong:
        text = _md_styled(cell.text, "**")
    if cell.note:
        text += "<br>" + _md_styled(cell.note, "*")
    return text
