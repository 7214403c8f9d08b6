"""What another client's event holds that we have no field for goes back with our text."""

from liaison_calendar.sync import check
from liaison_calendar.sync.graft import keep_theirs

OURS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Liaison Calendar//EN\r\n"
    b"BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20261101T100000Z\r\n"
    b"DTSTART:20261201T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Ours\r\n"
    b"X-LIAISON-KIND:other\r\nEND:VEVENT\r\n"
    b"BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20261101T100000Z\r\n"
    b"RECURRENCE-ID:20261208T100000Z\r\nDTSTART:20261209T100000Z\r\nSUMMARY:Moved\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)

THEIRS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\n"
    b"BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20261101T100000Z\r\nDTSTART:20261201T100000Z\r\n"
    b"SUMMARY:Theirs\r\nTRANSP:TRANSPARENT\r\nX-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\r\n"
    b"URL:https://example.org/an-address-that-is-folded-over-two-physical-line\r\n"
    b" s/of-the-file\r\n"
    b"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:Soon\r\nEND:VALARM\r\n"
    b"END:VEVENT\r\n"
    b"BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20261101T100000Z\r\n"
    b"RECURRENCE-ID:20261208T100000Z\r\nDTSTART:20261209T100000Z\r\nSUMMARY:Moved\r\n"
    b"BEGIN:VALARM\r\nACTION:AUDIO\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n"
    b"END:VCALENDAR\r\n"
)


def events(data: bytes) -> list[str]:
    text = data.decode()
    return [part.split("END:VEVENT")[0] for part in text.split("BEGIN:VEVENT")[1:]]


def test_unknown_properties_and_alarms_go_back_to_their_own_event() -> None:
    merged = keep_theirs(OURS, THEIRS)
    series, moved = events(merged)
    assert "SUMMARY:Ours" in series  # our text wins where we have a field
    assert "SUMMARY:Theirs" not in series
    assert "TRANSP:TRANSPARENT" in series
    assert "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC" in series
    assert "\r\n s/of-the-file\r\n" in series  # a folded line stays whole
    assert "TRIGGER:-PT15M" in series
    assert "TRIGGER:-PT5M" not in series
    assert "TRIGGER:-PT5M" in moved  # the occurrence's own alarm, by RECURRENCE-ID
    assert check.problems(merged) == []


def test_nothing_is_added_twice_or_from_nowhere() -> None:
    once = keep_theirs(OURS, THEIRS)
    assert keep_theirs(OURS, once) == once  # what we sent, sent again
    assert keep_theirs(OURS, None) == OURS
    assert keep_theirs(OURS, OURS) == OURS  # our own text holds nothing to keep
    assert keep_theirs(OURS, b"\xff\xfe not text") == OURS
