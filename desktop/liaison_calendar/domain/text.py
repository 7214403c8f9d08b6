"""Text as the calendar keeps it: what every file format it writes can carry."""

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """One kind of line break (``\\n``) and no control characters other than it and the tab.

    iCalendar, HTML and PDF cannot carry the others; keeping them would make a meeting say one
    thing in the app and another in every file made from it. Nor can UTF-8 (the database, every
    file) carry a UTF-16 surrogate: two that make a pair (as a UTF-16 source may hand them
    over) become the character they stand for, one alone becomes U+FFFD.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not _UNWANTED.search(value):
        return value
    if _SURROGATE.search(value):
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _CONTROL.sub("", value)
