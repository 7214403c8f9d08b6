"""Text as the calendar keeps it: what every file format it writes can carry."""

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(value: str) -> str:
    """One kind of line break (``\\n``) and no control characters other than it and the tab.

    iCalendar, HTML and PDF cannot carry the others; keeping them would make a meeting say one
    thing in the app and another in every file made from it.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value) if _CONTROL.search(value) else value
