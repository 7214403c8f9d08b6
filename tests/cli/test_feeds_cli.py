"""``liaison export``, ``liaison feeds`` and ``liaison publish`` as a user runs them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from liaison_calendar.cli import main
from tests.icscheck import unfolded, validate


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = str(tmp_path / "cal.db")
    for title, kind, strand, start, end in (
        ("Structured Dialogue on Cyber", "structured-dialogue", "cyber", "2024-06-12T09:30",
         "2024-06-12T12:00"),
        ("Staff talks on capacity building", "staff-talks", "capacity-building", "2024-03-05",
         "2024-03-05"),
    ):  # fmt: skip
        code, _, err = run(
            capsys, "--db", path, "add", "--title", title, "--kind", kind, "--strand", strand,
            "--start", start, "--end", end, "--partner", "Ukraine",
        )  # fmt: skip
        assert code == 0, err
    return path


def test_export_to_stdout_writes_one_valid_calendar(db: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "liaison_calendar", "--db", db, "export"],
        capture_output=True,
        timeout=120,
        env={**os.environ},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    cal = validate(done.stdout)
    titles = sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    assert titles == ["Staff talks on capacity building", "Structured Dialogue on Cyber"]


def test_export_to_a_file_with_filters_and_privacy(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "cyber.ics"
    code, _, err = run(
        capsys, "--db", db, "export", "-o", str(target), "--strand", "cyber", "--privacy", "busy"
    )
    assert code == 0, err
    assert "Wrote 1 event" in err
    cal = validate(target.read_bytes())
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Busy"
    assert b"Cyber" not in target.read_bytes()


def test_export_with_dates_keeps_only_that_window(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "march.ics"
    code, _, err = run(
        capsys, "--db", db, "export", "-o", str(target), "--from", "2024-03-01", "--to",
        "2024-03-31",
    )  # fmt: skip
    assert code == 0, err
    (event,) = validate(target.read_bytes()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Staff talks on capacity building"
    assert "DTSTART;VALUE=DATE:20240305" in unfolded(target.read_bytes())
    assert "DTEND;VALUE=DATE:20240306" in unfolded(target.read_bytes())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "--strand", "cyberr"], "Unknown work strand 'cyberr'"),
        (["export", "--privacy", "secret"], "invalid choice"),
        (["export", "--from", "2024-02-30"], "invalid date"),
        (["export", "--from", "2024-05-01", "--to", "2024-04-01"], "--to is before --from"),
        (["feeds", "add", "../escape"], "cannot be a feed name"),
        (["feeds", "remove", "nope"], "There is no feed 'nope'"),
        (["publish", "/nonexistent/feeds"], "does not exist"),
        (["export", "-o", "/nonexistent/folder/x.ics"], "does not exist"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(
    db: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "--db", db, *argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_export_into_an_existing_folder_name_is_refused(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--db", db, "export", "-o", str(tmp_path))
    assert code == 2
    assert "is a folder" in err


def test_feeds_list_add_and_remove(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", db, "feeds", "list", "--json")
    assert code == 0
    names = {f["name"] for f in json.loads(out)}
    assert {"all", "strand-cyber", "kind-staff-talks"} <= names
    assert len(names) == 1 + 8 + 7
    code, out, err = run(
        capsys, "--db", db, "feeds", "add", "ukraine", "--partner", "Ukraine", "--privacy",
        "busy", "--release", "public", "--title", "Ukraine (busy)",
    )  # fmt: skip
    assert code == 0, err
    assert "Added feed ukraine" in out
    code, out, _ = run(capsys, "--db", db, "feeds", "list")
    line = next(row for row in out.splitlines() if row.startswith("ukraine"))
    assert "partner=Ukraine" in line
    assert "busy" in line
    code, out, _ = run(capsys, "--db", db, "feeds", "remove", "ukraine")
    assert code == 0
    code, out, _ = run(capsys, "--db", db, "feeds", "list", "--json")
    assert "ukraine" not in {f["name"] for f in json.loads(out)}


def test_publish_prints_what_changed_and_keeps_unchanged_files(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "feeds"
    out_dir.mkdir()
    code, out, err = run(capsys, "--db", db, "publish", str(out_dir))
    assert code == 0, err
    assert "16 of 16 feeds changed" in out
    assert f"created    {out_dir / 'all.ics'}  (2 events)" in out
    for path in out_dir.iterdir():
        validate(path.read_bytes())
    stamps = {p.name: p.stat().st_mtime_ns for p in out_dir.iterdir()}
    code, out, _ = run(capsys, "--db", db, "publish", str(out_dir))
    assert code == 0
    assert out.strip() == f"0 of 16 feeds changed in {out_dir}."
    assert {p.name: p.stat().st_mtime_ns for p in out_dir.iterdir()} == stamps
    code, _, _ = run(capsys, "--db", db, "edit", "1", "--location", "NATO HQ")
    assert code == 0
    code, out, _ = run(capsys, "--db", db, "publish", str(out_dir))
    assert "3 of 16 feeds changed" in out
    assert f"updated    {out_dir / 'strand-cyber.ics'}" in out


def test_publish_names_a_feed_it_could_not_write_and_exits_2(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE feed SET filter_json = '{\"series\": [\"Gone\"]}' WHERE name = 'all'")
    out_dir = tmp_path / "feeds"
    out_dir.mkdir()
    code, out, err = run(capsys, "--db", db, "publish", str(out_dir))
    assert code == 2
    assert "15 of 16 feeds changed" in out
    assert err.strip() == "liaison: feed all was not published: There is no series 'Gone'."
    assert not (out_dir / "all.ics").exists()


def test_settings_are_shown_and_changed_and_feeds_follow(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", db, "settings")
    assert code == 0
    assert out.splitlines() == [
        "daily_backups = 7",
        "default_marking = ",
        "default_tz = Europe/Brussels",
        "feed_refresh_minutes = 60",
        "import_limit_mb = 50",
        "organisation = ",
        "publish_dir = ",
    ]
    code, out, _ = run(capsys, "--db", db, "settings", "feed_refresh_minutes", "30")
    assert (code, out.strip()) == (0, "feed_refresh_minutes = 30")
    code, out, _ = run(capsys, "--db", db, "export", "-o", str(tmp_path / "x.ics"))
    assert code == 0
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT30M" in unfolded((tmp_path / "x.ics").read_bytes())
    code, _, err = run(capsys, "--db", db, "settings", "feed_refresh_minutes", "soon")
    assert code == 2
    assert "whole number of minutes" in err
    code, _, err = run(capsys, "--db", db, "settings", "colour", "red")
    assert code == 2
    assert "There is no setting 'colour'" in err
