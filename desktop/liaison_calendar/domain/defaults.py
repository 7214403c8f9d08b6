"""What every new calendar starts with: the eight work strands and the kinds of meeting."""

from typing import NamedTuple


class Seed(NamedTuple):
    key: str
    name: str
    colour: str


DEFAULT_STRANDS: tuple[Seed, ...] = (
    Seed("hybrid", "Countering hybrid threats", "#8e44ad"),
    Seed("operational", "Operational cooperation incl. maritime", "#1f77b4"),
    Seed("cyber", "Cyber security and defence", "#17becf"),
    Seed("capabilities", "Defence capabilities incl. military mobility", "#2ca02c"),
    Seed("industry", "Defence industries and research", "#7f7f7f"),
    Seed("exercises", "Exercises", "#d62728"),
    Seed("capacity-building", "Defence and security capacity building", "#ff7f0e"),
    Seed("political", "Political dialogue", "#bcbd22"),
)

DEFAULT_KINDS: tuple[Seed, ...] = (
    Seed("staff-talks", "Staff talks", "#1f4e79"),
    Seed("structured-dialogue", "Structured dialogue", "#2e75b6"),
    Seed("operational-talks", "Operational cooperation talks", "#548235"),
    Seed("cross-briefing", "Cross-briefing", "#bf9000"),
    Seed("ministerial", "High-level / ministerial meeting", "#c00000"),
    Seed("exercise-phase", "Exercise phase", "#7030a0"),
    Seed("other", "Other", "#595959"),
)

DEFAULT_TIMEZONE = "Europe/Brussels"


FALLBACK_COLOUR = "#607d8b"
"""The colour of a meeting whose strands and kind have none (views and printouts)."""
