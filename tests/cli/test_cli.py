"""The ``liaison`` command end to end: exit codes, one-line errors, nothing changed on failure."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from liaison_calendar.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def liaison(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command in a child process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "liaison_calendar", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "cal.db"
    code, _, _ = run(
        capsys,
        "--db", str(path), "add", "--title", "Structured Dialogue on Cyber", "--kind",
        "structured-dialogue", "--start", "2024-06-12T09:30", "--end", "2024-06-12T12:00",
        "--strand", "cyber", "--partner", "Ukraine", "--location", "Brussels",
    )  # fmt: skip
    assert code == 0
    return str(path)


def test_demo_then_list_json_prints_the_sample_calendar(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    first = liaison("--db", db, "demo")
    assert first.returncode == 0, first.stderr
    listed = liaison("--db", db, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len({r["id"] for r in rows}) >= 40
    for key in ("id", "uid", "title", "kind", "strands", "start", "end", "tz", "all_day",
                "status", "location", "series", "iteration"):  # fmt: skip
        assert key in rows[0]
    timed = next(r for r in rows if not r["all_day"])
    assert timed["start"][-6] in "+-"  # ISO 8601 with an offset
    assert {s for r in rows for s in r["strands"]} >= {
        "hybrid", "operational", "cyber", "capabilities", "industry", "exercises",
        "capacity-building", "political",
    }  # fmt: skip
    second = liaison("--db", db, "demo")
    assert second.returncode == 0
    assert "nothing added" in second.stdout
    again = json.loads(liaison("--db", db, "list", "--json").stdout)
    assert again == rows


def test_show_of_an_unknown_meeting_exits_2_with_one_line(tmp_path: Path) -> None:
    result = liaison("--db", str(tmp_path / "x.db"), "show", "999999")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "999999" in result.stderr
    assert "Traceback" not in result.stderr


def test_console_script_and_module_agree_on_version() -> None:
    script = Path(sys.executable).with_name("liaison")
    by_script = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, check=False
    )
    by_module = liaison("--version")
    assert by_script.returncode == by_module.returncode == 0
    assert by_script.stdout == by_module.stdout
    assert by_script.stdout.startswith("liaison ")


def test_liaison_db_environment_variable_chooses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "from-env.db"
    result = liaison("list", "--json", env={"LIAISON_DB": str(path)})
    assert result.returncode == 0, result.stderr
    assert path.exists()


def test_add_show_edit_cancel_delete_round_trip(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", db, "show", "1", "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["title"] == "Structured Dialogue on Cyber"
    assert shown["start"] == "2024-06-12T09:30:00+02:00"
    assert shown["sequence"] == 0
    uid = shown["uid"]

    code, out, _ = run(capsys, "--db", db, "edit", "1", "--start", "2024-06-13T10:00",
                       "--location", "NATO HQ", "--json")  # fmt: skip
    assert code == 0
    edited = json.loads(out)
    assert edited["start"] == "2024-06-13T10:00:00+02:00"
    assert edited["end"] == "2024-06-13T12:30:00+02:00"  # the length is kept
    assert edited["uid"] == uid
    assert edited["sequence"] == 1

    code, out, _ = run(capsys, "--db", db, "show", uid)
    assert code == 0
    assert "NATO HQ" in out

    assert run(capsys, "--db", db, "cancel", "1")[0] == 0
    code, out, _ = run(capsys, "--db", db, "list", "--json", "--status", "cancelled")
    assert [r["id"] for r in json.loads(out)] == [1]

    assert run(capsys, "--db", db, "delete", "1")[0] == 0
    code, out, _ = run(capsys, "--db", db, "list", "--json")
    assert json.loads(out) == []


def test_add_all_day_meeting_takes_last_day_inclusive(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", db, "add", "--title", "Staff Talks", "--kind",
                       "staff-talks", "--start", "2024-05-14", "--end", "2024-05-15",
                       "--json")  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["all_day"] is True
    assert (data["start"], data["end"]) == ("2024-05-14", "2024-05-16")


def test_list_filters_and_window(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "--db", db, "add", "--title", "Mobility", "--kind", "structured-dialogue",
        "--start", "2024-07-01T14:00", "--end", "2024-07-01T16:00", "--tz", "Europe/Tallinn",
        "--strand", "capabilities")  # fmt: skip
    code, out, _ = run(capsys, "--db", db, "list", "--json", "--strand", "capabilities")
    assert [r["title"] for r in json.loads(out)] == ["Mobility"]
    assert json.loads(out)[0]["start"] == "2024-07-01T14:00:00+03:00"
    code, out, _ = run(capsys, "--db", db, "list", "--json", "--from", "2024-06-01",
                       "--to", "2024-06-30")  # fmt: skip
    assert [r["title"] for r in json.loads(out)] == ["Structured Dialogue on Cyber"]
    code, out, _ = run(capsys, "--db", db, "list", "--json", "--partner", "ukraine")
    assert len(json.loads(out)) == 1
    code, out, _ = run(capsys, "--db", db, "list", "--json", "--search", "dialog")
    assert len(json.loads(out)) == 1
    code, out, _ = run(capsys, "--db", db, "list")
    assert code == 0
    assert "Mobility" in out
    assert "2 occurrences" in out


BAD_COMMANDS = [
    ("list", "--from", "2024-13-01"),
    ("list", "--from", "2024-06-10", "--to", "2024-06-01"),
    ("list", "--strand", "gardening"),
    ("list", "--kind", "picnic"),
    ("list", "--series", "No such series"),
    ("list", "--status", "maybe"),
    ("show", "no-such-uid"),
    ("show", "424242"),
    (
        "add",
        "--title",
        "x",
        "--kind",
        "other",
        "--start",
        "2024-02-30T10:00",
        "--end",
        "2024-02-30T11:00",
    ),
    (
        "add",
        "--title",
        "x",
        "--kind",
        "other",
        "--start",
        "2024-06-12T12:00",
        "--end",
        "2024-06-12T11:00",
    ),
    (
        "add",
        "--title",
        "x",
        "--kind",
        "other",
        "--start",
        "2024-03-31T02:30",
        "--end",
        "2024-03-31T04:00",
        "--tz",
        "Europe/Brussels",
    ),
    (
        "add",
        "--title",
        "x",
        "--kind",
        "other",
        "--start",
        "2024-06-12T10:00",
        "--end",
        "2024-06-12T11:00",
        "--tz",
        "Europe/Atlantis",
    ),
    (
        "add",
        "--title",
        "x",
        "--kind",
        "tea",
        "--start",
        "2024-06-12T10:00",
        "--end",
        "2024-06-12T11:00",
    ),
    (
        "add",
        "--title",
        "x",
        "--kind",
        "other",
        "--start",
        "2024-06-12",
        "--end",
        "2024-06-12T11:00",
    ),
    (
        "add",
        "--title",
        " ",
        "--kind",
        "other",
        "--start",
        "2024-06-12T10:00",
        "--end",
        "2024-06-12T11:00",
    ),
    (
        "add",
        "--title",
        "x",
        "--kind",
        "other",
        "--start",
        "2024-06-12T10:00",
        "--end",
        "2024-06-12T11:00",
        "--series",
        "Unknown series",
    ),
    (
        "add",
        "--title",
        "x",
        "--kind",
        "other",
        "--start",
        "2024-06-12T10:00",
        "--end",
        "2024-06-12T11:00",
        "--rrule",
        "FREQ=SOMETIMES",
    ),
    ("add", "--title", "x"),
    ("edit", "1"),
    ("edit", "77", "--title", "y"),
    ("edit", "1", "--end", "2024-06-12T08:00"),
    ("edit", "1", "--tz", "Nowhere/Land"),
    ("edit", "abc", "--title", "y"),
    ("cancel", "77"),
    ("delete", "77"),
    ("delete", "99999999999999999999999"),
    ("frobnicate",),
]


@pytest.mark.parametrize("argv", BAD_COMMANDS, ids=lambda a: " ".join(a)[:60])
def test_bad_input_exits_2_with_one_line_and_changes_nothing(
    db: str, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    before = run(capsys, "--db", db, "list", "--json")[1]
    code, out, err = run(capsys, "--db", db, *argv)
    assert code == 2, err
    assert out == ""
    assert err.startswith("liaison: ")
    assert err.count("\n") == 1, err
    assert run(capsys, "--db", db, "list", "--json")[1] == before


def test_cancelling_twice_is_a_user_error(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", db, "cancel", "1")[0] == 0
    code, _, err = run(capsys, "--db", db, "cancel", "1")
    assert code == 2
    assert "already cancelled" in err


def test_newer_database_is_refused_and_left_byte_for_byte(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = 'f00dfacade99'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = digest(Path(db))
    siblings = sorted(p.name for p in Path(db).parent.iterdir())
    for argv in (("list",), ("show", "1"), ("demo",), ("cancel", "1"), ("delete", "1")):
        code, _, err = run(capsys, "--db", db, *argv)
        assert code == 2
        assert "newer version" in err
        assert err.count("\n") == 1
    assert digest(Path(db)) == before
    assert sorted(p.name for p in Path(db).parent.iterdir()) == siblings


def test_a_file_that_is_not_a_calendar_is_refused_and_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    code, _, err = run(capsys, "--db", str(notes), "list")
    assert code == 2
    assert "not a Liaison Calendar database" in err
    assert notes.read_text() == "not a database\n"


def test_an_unwritable_location_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, _, err = run(capsys, "--db", str(blocker / "sub" / "cal.db"), "list")
    assert code == 2
    assert "Cannot create the calendar" in err


def test_busy_database_gives_the_calendar_is_busy(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("liaison_calendar.store.database.BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code, _, err = run(capsys, "--db", db, "cancel", "1")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2
    assert "calendar is busy" in err
    code, out, _ = run(capsys, "--db", db, "show", "1", "--json")
    assert json.loads(out)["status"] == "confirmed"


def test_without_a_screen_the_app_says_so_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY",
                                                            "QT_QPA_PLATFORM"}}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "liaison_calendar", "--db", str(tmp_path / "c.db")],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "screen" in result.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], []),
        (["invite.ics"], ["open", "invite.ics"]),
        (["--db", "x.db", "A.ICS", "b.ics"], ["--db", "x.db", "open", "A.ICS", "b.ics"]),
        (["--db=y.db", "c.ics"], ["--db=y.db", "open", "c.ics"]),
        (["open", "d.ics"], ["open", "d.ics"]),
        (["list", "--json"], ["list", "--json"]),
        (["lst"], ["lst"]),  # a typo stays a typo: argparse says "invalid choice"
    ],
)
def test_a_calendar_file_given_alone_starts_the_app_on_it(
    argv: list[str], expected: list[str]
) -> None:
    """What a file manager runs for ``Exec=liaison %F``."""
    from liaison_calendar.cli import build_parser, gui_argv

    assert gui_argv(build_parser(), argv) == expected


def test_opening_a_file_hands_it_to_the_desktop_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Path, list[Path]]] = []
    monkeypatch.setattr(
        "liaison_calendar.ui.app.run_path", lambda path, files: calls.append((path, files)) or 0
    )
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.chdir(tmp_path)
    assert main(["--db", str(tmp_path / "c.db"), "invite.ics"]) == 0
    assert calls == [(tmp_path / "c.db", [tmp_path / "invite.ics"])]
