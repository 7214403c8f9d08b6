"""``liaison import`` as a user runs it: the report, dry runs, and all-or-nothing errors."""

import json
from pathlib import Path

import pytest

from liaison_calendar.cli import main

EVENT = """BEGIN:VEVENT\r
UID:{uid}\r
DTSTAMP:20240601T080000Z\r
DTSTART;TZID=Europe/Brussels:{start}\r
DTEND;TZID=Europe/Brussels:20240612T120000\r
SUMMARY:{title}\r
CATEGORIES:Structured dialogue,Cyber security and defence\r
END:VEVENT\r
"""


def calendar(*events: str) -> bytes:
    body = "".join(events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n{body}END:VCALENDAR\r\n".encode()
    )


def event(uid: str, title: str, start: str = "20240612T093000") -> str:
    return EVENT.format(uid=uid, title=title, start=start)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys: pytest.CaptureFixture[str], db: str) -> list[dict[str, object]]:
    code, out, _ = run(capsys, "--db", db, "list", "--json")
    assert code == 0
    rows: list[dict[str, object]] = json.loads(out)
    return rows


def test_import_reports_what_it_added_and_a_second_run_adds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cal.db")
    ics = tmp_path / "cyber.ics"
    ics.write_bytes(
        calendar(event("a@x", "Structured Dialogue on Cyber"), event("b@x", "Follow-up"))
    )
    code, out, err = run(capsys, "--db", db, "import", str(ics))
    assert code == 0, err
    assert out.strip().endswith("Imported: 2 added, 0 updated, 0 unchanged, 0 skipped.")
    rows = listed(capsys, db)
    assert {r["title"] for r in rows} == {"Structured Dialogue on Cyber", "Follow-up"}
    assert all(r["kind"] == "structured-dialogue" and r["strands"] == ["cyber"] for r in rows)
    code, out, _ = run(capsys, "--db", db, "import", str(ics), "--json")
    data = json.loads(out)
    assert (data["added"], data["unchanged"]) == (0, 2)
    assert len(listed(capsys, db)) == 2


def test_a_dry_run_reports_the_same_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cal.db")
    ics = tmp_path / "one.ics"
    ics.write_bytes(calendar(event("a@x", "Staff talks")))
    code, out, _ = run(capsys, "--db", db, "import", "--dry-run", str(ics))
    assert code == 0
    assert "Dry run, nothing changed: would have 1 added" in out
    assert listed(capsys, db) == []


def test_one_unreadable_event_aborts_everything_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cal.db")
    ics = tmp_path / "broken.ics"
    ics.write_bytes(calendar(event("a@x", "Good one"), event("b@x", "Bad one", start="2024-13-45")))
    code, out, err = run(capsys, "--db", db, "import", str(ics))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert str(ics) in err
    assert "line 12, VEVENT" in err  # where the broken event begins
    assert "VEVENT" in err
    assert "nothing was imported" in err
    assert listed(capsys, db) == []
    code, out, err = run(capsys, "--db", db, "import", "--on-error", "skip", str(ics))
    assert code == 0, err
    assert "skipped" in out
    assert "1 added" in out
    assert [r["title"] for r in listed(capsys, db)] == ["Good one"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "web page"),
        (bytes(range(256)) * 10, "binary"),
        (b"BEGIN:VCARD\r\nEND:VCARD\r\n", "does not start with BEGIN:VCALENDAR"),
    ],
)
def test_a_file_that_is_not_a_calendar_gets_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    ics = tmp_path / "not-a-calendar.ics"
    ics.write_bytes(content)
    code, _, err = run(capsys, "--db", str(tmp_path / "cal.db"), "import", str(ics))
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_a_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", str(tmp_path / "cal.db"), "import", str(tmp_path / "x.ics"))
    assert code == 2
    assert "x.ics" in err
    assert "No such file" in err


def test_options_set_strand_kind_and_series(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cal.db")
    ics = tmp_path / "one.ics"
    ics.write_bytes(calendar(event("a@x", "Cyber talks")))
    code, out, err = run(
        capsys, "--db", db, "import", str(ics), "--kind", "staff-talks", "--strand", "hybrid",
        "--series", "Staff talks on cyber",
    )  # fmt: skip
    assert code == 0, err
    assert "new series 'Staff talks on cyber' created" in out
    (row,) = listed(capsys, db)
    assert row["kind"] == "staff-talks"
    assert row["strands"] == ["cyber", "hybrid"]
    assert row["series"] == "Staff talks on cyber"
    code, _, err = run(capsys, "--db", db, "import", str(ics), "--strand", "nope")
    assert code == 2
    assert "Unknown work strand 'nope'" in err
