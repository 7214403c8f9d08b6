"""A printable document: HTML that Qt's QTextDocument renders, plus what goes on every page.

Every document module in ``reports`` returns a ``Document``. ``ui.printing`` lays its body out on
pages (A4 or Letter) and draws the header and footer of each page itself: the handling marking
at the top and bottom, the organisation, the title, and "Page N of M". ``Document.html()`` is
the same document as one standalone HTML file (the marking above and below the body).

QTextDocument renders a subset of HTML 4 and CSS 2: tables (``border``, ``cellpadding``,
``cellspacing``, ``width`` attributes; ``background-color``), ``font-*``, ``color``,
``margin-*``, ``page-break-before`` / ``-after``, ``white-space``. No flex, grid, floats or
``::before``. Keep to that, and write every piece of user text through ``esc``.
"""

import html
from dataclasses import dataclass
from datetime import date, datetime

HOME_TZ = "Europe/Brussels"
"""Where the liaison offices are: a meeting elsewhere also shows its Brussels time."""

STYLE = """
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; font-size: 10pt;
       color: #000000; }
h1 { font-size: 17pt; font-weight: bold; margin-top: 0; margin-bottom: 4pt; }
h2 { font-size: 13pt; font-weight: bold; margin-top: 14pt; margin-bottom: 4pt; }
h3 { font-size: 11pt; font-weight: bold; margin-top: 10pt; margin-bottom: 3pt; }
p { margin-top: 2pt; margin-bottom: 4pt; }
table.grid { border-collapse: collapse; }
table.grid td, table.grid th { border: 1px solid #9e9e9e; padding: 3pt; vertical-align: top; }
table.grid th { background-color: #e8e8e8; font-weight: bold; text-align: left; }
table.facts td { padding: 1pt 8pt 1pt 0; vertical-align: top; }
td.num, th.num { text-align: right; }
.muted { color: #555555; }
.warning { color: #b00020; font-weight: bold; }
.marking { font-weight: bold; text-align: center; letter-spacing: 1px; }
.struck { text-decoration: line-through; }
"""
"""The style sheet of every document (QTextDocument's CSS subset)."""


def esc(text: object) -> str:
    """``text`` as HTML text: ``<img src=x> & <b>`` prints literally and loads nothing."""
    return html.escape(str(text), quote=True)


def esc_lines(text: str) -> str:
    """Escaped, with its line breaks kept (descriptions, outcomes)."""
    return "<br>".join(esc(line) for line in text.splitlines())


@dataclass(frozen=True)
class Document:
    title: str  # plain text: the PDF title, the window title of a preview, the <title>
    body: str  # HTML fragment (see the module docstring); user text already escaped
    marking: str = ""  # plain text, at the top and bottom of every page ("" = none)
    organisation: str = ""  # plain text, in the page header beside the title
    landscape: bool = False  # a month printout is wider than high
    left_out: int = 0  # meetings left out because of the print level (dialogs say so)

    def html(self) -> str:
        """The document as one standalone HTML file (UTF-8)."""
        marking = f'<p class="marking">{esc(self.marking)}</p>\n' if self.marking else ""
        header = f'<p class="muted">{esc(self.organisation)}</p>\n' if self.organisation else ""
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{esc(self.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"{marking}{header}{self.body}\n{marking}</body>\n</html>\n"
        )


def day_text(day: date) -> str:
    """'Tuesday 12 March 2024' (English, whatever the machine's locale)."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def short_day(day: date) -> str:
    """'Tue 12 Mar 2024'."""
    return f"{_DAYS[day.weekday()][:3]} {day.day} {_MONTHS[day.month - 1][:3]} {day.year}"


def month_text(day: date) -> str:
    """'March 2024'."""
    return f"{_MONTHS[day.month - 1]} {day.year}"


def clock(moment: datetime) -> str:
    """'09:30' (no strftime: it is slow once PySide6 is loaded, see ``ui.views.month``)."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

DAY_NAMES = _DAYS
MONTH_NAMES = _MONTHS
