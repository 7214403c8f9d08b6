"""Finding components in a file read a few megabytes at a time."""

from pathlib import Path

import pytest

from liaison_calendar.ical import reader, scan

VOCABULARY = reader.Vocabulary(kinds={}, strands={})


def _event(n: int, extra: str = "") -> str:
    return (
        "BEGIN:VEVENT\r\n"
        f"UID:scan-{n}@example.eu\r\n"
        f"DTSTART;TZID=Europe/Brussels:202403{1 + n % 28:02d}T090000\r\n"
        "DURATION:PT1H\r\n"
        f"SUMMARY:Cross-briefing {n} with a title long enough to be folded by a careful wri\r\n"
        " ter of calendars\r\n"
        f"{extra}"
        "END:VEVENT\r\n"
    )


def _calendar(count: int, head: str = "") -> bytes:
    body = "".join(_event(n) for n in range(count))
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n{head}{body}END:VCALENDAR\r\n"
    ).encode()


def _read(data: bytes) -> reader.ReadResult:
    return reader.read(data, default_tz="Europe/Brussels", vocabulary=VOCABULARY)


def _summary(result: reader.ReadResult) -> list[tuple[int, str, str, object]]:
    return [(e.line, e.uid, e.draft.title, e.draft.start) for e in result.events]


def test_events_read_alike_whatever_the_size_of_the_blocks_the_file_is_read_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _calendar(300, head="X-WR-CALDESC:A description long enough to be fol\r\n ded\r\n")
    path = tmp_path / "calendar.ics"
    path.write_bytes(data)
    whole = _read(data)

    monkeypatch.setattr(scan, "BLOCK", 97)  # lines and events cut at every place
    with reader.open_file(path) as opened:
        assert opened.calendars[0].props["X-WR-CALDESC"] == "A description long enough to be folded"
        with reader.Parser(0) as parser:
            small = [
                e
                for e in opened.events(parser, default_tz="Europe/Brussels", vocabulary=VOCABULARY)
                if isinstance(e, reader.Incoming)
            ]

    assert len(whole.events) == 300
    assert [(e.line, e.uid, e.draft.title) for e in small] == [
        (e.line, e.uid, e.draft.title) for e in whole.events
    ]
    assert whole.events[1].line == 6 + 7  # the line of its BEGIN:VEVENT
    assert whole.events[0].draft.title.endswith("careful writer of calendars")


def test_a_file_with_carriage_returns_alone_reads_like_one_with_crlf() -> None:
    data = _calendar(3)

    old_mac = _read(data.replace(b"\r\n", b"\r"))

    assert _summary(old_mac) == _summary(_read(data))


def test_a_byte_order_mark_and_lf_line_ends_change_nothing() -> None:
    data = _calendar(3)

    assert _summary(_read(b"\xef\xbb\xbf" + data.replace(b"\r\n", b"\n"))) == _summary(_read(data))


def test_an_event_that_is_not_utf8_is_read_as_latin1_and_the_others_as_utf8() -> None:
    data = _calendar(2).replace(b"Cross-briefing 0", "Réunion 0".encode("latin-1"))
    data = data.replace(b"Cross-briefing 1", "Réunion 1".encode())

    titles = [e.draft.title for e in _read(data).events]

    assert [t.split(" with")[0] for t in titles] == ["Réunion 0", "Réunion 1"]


def test_problems_name_the_line_of_the_component(tmp_path: Path) -> None:
    data = _calendar(2).replace(b"END:VCALENDAR\r\n", b"BEGIN:VEVENT\r\nUID:cut\r\n")

    result = _read(data)

    assert len(result.events) == 2
    assert [str(p) for p in result.problems] == [
        "line 0, VEVENT: the file ends inside VEVENT (no END line)"
    ]


def test_a_mismatched_end_is_a_problem_on_its_own_line() -> None:
    data = _calendar(1).replace(b"END:VEVENT", b"END:VTODO")

    result = _read(data)

    assert result.events == []
    assert "line 10, VTODO: END:VTODO does not close VEVENT" in [str(p) for p in result.problems]


def test_a_line_longer_than_the_limit_is_refused_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan, "BLOCK", 1024)
    monkeypatch.setattr(scan, "MAX_LINE", 4096)
    path = tmp_path / "one-line.ics"
    path.write_bytes(b"BEGIN:VCALENDAR" + b"X" * 10_000)

    with pytest.raises(reader.ReadError, match="longer than"):
        reader.open_file(path)


def test_an_event_split_across_several_calendars_keeps_each_calendars_zone() -> None:
    first = _calendar(1, head="X-WR-TIMEZONE:Europe/Kyiv\r\n").replace(
        b"DTSTART;TZID=Europe/Brussels:", b"DTSTART:"
    )
    second = _calendar(1).replace(b"scan-0", b"scan-second")

    result = _read(first + second)

    assert [(e.uid, e.draft.tz, e.draft.floating) for e in result.events] == [
        ("scan-0@example.eu", "Europe/Kyiv", True),
        ("scan-second@example.eu", "Europe/Brussels", False),
    ]


def test_the_parser_forks_only_from_a_lone_main_thread_without_qt() -> None:
    """Forking a process with other threads can deadlock the child; Qt's threads (a QThread
    running an import in the app) are not all counted by ``threading``."""
    import subprocess
    import sys

    script = (
        "import threading\n"
        "from liaison_calendar.ical import reader\n"
        "alone = [reader._alone()]\n"
        "t = threading.Thread(target=lambda: alone.append(reader._alone()))\n"
        "t.start(); t.join()\n"
        "import PySide6.QtCore\n"
        "alone.append(reader._alone())\n"
        "print(alone)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[True, False, False]"
