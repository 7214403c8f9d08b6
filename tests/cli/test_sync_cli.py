"""``liaison sync`` against a real Radicale (and once Xandikos), as a user runs it.

Each test starts its own server (about half a second) on a free port of 127.0.0.1. Two calendar
files stand for two officers who share one remote calendar. No keyring is used: a failing one
by default (the password comes from ``LIAISON_SYNC_PASSWORD``, as on a machine without one), an
in-memory one where the keyring path is the point.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest

from liaison_calendar import cli, logs
from liaison_calendar.cli import main
from tests.sync.keyrings import MemoryKeyring
from tests.sync.servers import USERS, Radicale, Xandikos, free_port

PASSWORD = USERS["alice"]
CYBER = "Structured Dialogue on Cyber"
HYBRID = "Staff talks on hybrid threats"


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No system keyring (never the real one, as tests/conftest.py also makes sure), the
    password in the environment."""
    before = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    monkeypatch.setenv("LIAISON_SYNC_PASSWORD", PASSWORD)
    yield
    keyring.set_keyring(before)


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    kept = MemoryKeyring()
    keyring.set_keyring(kept)
    monkeypatch.delenv("LIAISON_SYNC_PASSWORD")
    return kept


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    with Radicale(tmp_path / "radicale") as server:
        yield server


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert PASSWORD not in out + err
    assert "Traceback" not in err
    log = logs.log_file()
    assert not log.exists() or PASSWORD not in log.read_text(encoding="utf-8")
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return out


def one_line_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("liaison: ")
    return err.strip()


def add_meeting(
    capsys: pytest.CaptureFixture[str], db: str, title: str = CYBER, strand: str = "cyber"
) -> str:
    out = ok(
        capsys, "--db", db, "add", "--title", title, "--kind", "structured-dialogue",
        "--start", "2026-12-02T09:30", "--end", "2026-12-02T12:00", "--strand", strand,
        "--location", "Brussels", "--json",
    )  # fmt: skip
    uid: str = json.loads(out)["uid"]
    return uid


def add_account(
    capsys: pytest.CaptureFixture[str], db: str, server: Radicale | Xandikos, *more: str
) -> str:
    return ok(
        capsys, "--db", db, "sync", "add-account", "work", "--url", server.url, "--user",
        server.user, *more,
    )  # fmt: skip


def meeting_id(capsys: pytest.CaptureFixture[str], db: str, uid: str) -> str:
    return str(json.loads(ok(capsys, "--db", db, "show", uid, "--json"))["id"])


def shown(capsys: pytest.CaptureFixture[str], db: str, uid: str) -> dict[str, Any]:
    data = json.loads(ok(capsys, "--db", db, "show", uid, "--json"))
    return {k: data[k] for k in ("title", "location", "start", "end", "tz", "strands", "kind")}


def sync_line(capsys: pytest.CaptureFixture[str], db: str) -> str:
    out = ok(capsys, "--db", db, "sync", "run")
    return out.splitlines()[0]


def server_hrefs(server: Radicale) -> list[str]:
    answer = server.request("PROPFIND", server.calendar_url, b"", {"Depth": "1"})
    assert answer.status == 207
    return [
        h
        for h in re.findall(r"<(?:\w+:)?href>([^<]+)<", answer.body.decode())
        if h.endswith(".ics")
    ]


@pytest.fixture
def dbs(tmp_path: Path) -> tuple[str, str]:
    return str(tmp_path / "brussels.db"), str(tmp_path / "mons.db")


@pytest.fixture
def shared(
    radicale: Radicale, dbs: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> tuple[str, str, str]:
    """Both calendars synced with Radicale, two meetings on both; (db a, db b, the UID of one)."""
    a, b = dbs
    uid = add_meeting(capsys, a)
    add_meeting(capsys, a, HYBRID, "hybrid")
    add_account(capsys, a, radicale)
    add_account(capsys, b, radicale)
    assert sync_line(capsys, a).startswith("work: sent 2, received 0")
    assert sync_line(capsys, b).startswith("work: sent 0, received 2")
    return a, b, uid


# --- accounts ----------------------------------------------------------------------------------


def test_add_account_finds_the_calendar_and_says_the_password_is_not_kept(
    radicale: Radicale, dbs: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    a, _ = dbs
    add_meeting(capsys, a)
    out = add_account(capsys, a, radicale)
    assert f"Added sync account work: alice at {radicale.url}." in out
    assert f"Calendar: {radicale.calendar_url} (team), on the server." in out
    assert "no keyring on this machine" in out
    assert "LIAISON_SYNC_PASSWORD" in out
    assert "1 meeting to send" in out
    status = ok(capsys, "--db", a, "sync", "status")
    assert re.search(r"^work\s+never\s+1\s+0\s+never$", status, re.MULTILINE), status
    assert re.search(rf"^  work  new\s+{CYBER}$", status, re.MULTILINE), status


def test_add_account_makes_a_calendar_for_a_user_without_one(
    radicale: Radicale, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = radicale.request("DELETE", radicale.calendar_url)
    assert answer.status in (200, 204)
    out = add_account(capsys, str(tmp_path / "a.db"), radicale)
    made = f"{radicale.url}alice/liaison-calendar/"
    assert f"Calendar: {made} (Liaison Calendar), created on the server for it." in out
    assert radicale.request("PROPFIND", made, b"", {"Depth": "0"}).status == 207


def test_add_account_keeps_a_typed_password_in_the_keyring(
    radicale: Radicale,
    dbs: tuple[str, str],
    capsys: pytest.CaptureFixture[str],
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, _ = dbs
    add_meeting(capsys, a)
    asked: list[str] = []
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or PASSWORD)
    out = add_account(capsys, a, radicale)
    assert asked == [f"Password of alice at {radicale.url}: "]
    assert "The password is kept in the system keyring." in out
    assert list(memory_keyring.passwords.values()) == [PASSWORD]
    monkeypatch.setattr(cli, "_interactive", lambda: False)  # a script: the keyring has it
    assert sync_line(capsys, a).startswith("work: sent 1,")
    ok(capsys, "--db", a, "sync", "remove-account", "work")
    assert memory_keyring.passwords == {}


@pytest.mark.parametrize(
    ("more", "password", "message"),
    [
        ([], "wrong", "refused the user name or password"),
        (["--ca-file", "/nonexistent/ca.pem"], PASSWORD, "There is no certificate file"),
        (["--calendar", "/bob/team/"], PASSWORD, "has no calendar '/bob/team/'"),
        ([], "", "No password: set LIAISON_SYNC_PASSWORD, or run the command in a terminal"),
    ],
)
def test_add_account_that_fails_keeps_nothing(
    radicale: Radicale,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    more: list[str],
    password: str,
    message: str,
) -> None:
    db = str(tmp_path / "a.db")
    monkeypatch.setenv("LIAISON_SYNC_PASSWORD", password)
    err = one_line_error(
        capsys, "--db", db, "sync", "add-account", "work", "--url", radicale.url, "--user",
        "alice", *more,
    )  # fmt: skip
    assert message in err
    assert "wrong" not in err
    assert ok(capsys, "--db", db, "sync", "status").startswith("No sync account.")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bad/name", "--url", "http://127.0.0.1:9/"], "cannot be an account name"),
        (["work", "--url", "ftp://127.0.0.1/"], "is not a server address"),
        (["work", "--url", "http://127.0.0.1:{port}/"], "Cannot reach 127.0.0.1:"),
        (["work"], "the following arguments are required: --url"),
    ],
)
def test_add_account_bad_input_gives_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    argv = [a.format(port=free_port()) for a in argv]
    err = one_line_error(
        capsys, "--db", str(tmp_path / "a.db"), "sync", "add-account", *argv, "--user", "alice"
    )
    assert message in err


def test_an_account_name_is_taken_once(
    radicale: Radicale, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "a.db")
    add_account(capsys, db, radicale)
    err = one_line_error(
        capsys, "--db", db, "sync", "add-account", "work", "--url", radicale.url, "--user", "alice"
    )
    assert "There is already a sync account 'work'" in err
    out = ok(capsys, "--db", db, "sync", "remove-account", "work")
    assert "Nothing was deleted" in out
    assert "There is no sync account 'nope'" in one_line_error(
        capsys, "--db", db, "sync", "remove-account", "nope"
    )


def test_password_without_a_keyring_says_it_cannot_be_kept(
    radicale: Radicale, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "a.db")
    add_account(capsys, db, radicale)
    err = one_line_error(capsys, "--db", db, "sync", "password", "work")
    assert "no keyring on this machine, so the password cannot be kept" in err


def test_password_goes_to_the_keyring_and_a_missing_one_is_asked_for(
    radicale: Radicale,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    db = str(tmp_path / "a.db")
    monkeypatch.setenv("LIAISON_SYNC_PASSWORD", PASSWORD)
    add_account(capsys, db, radicale)
    monkeypatch.delenv("LIAISON_SYNC_PASSWORD")
    memory_keyring.passwords.clear()  # lost: a script cannot go on
    err = one_line_error(capsys, "--db", db, "sync", "run")
    assert "sync of work failed: No password for the sync account 'work'" in err
    monkeypatch.setattr(cli, "_interactive", lambda: True)  # a person is asked
    monkeypatch.setattr("getpass.getpass", lambda prompt: PASSWORD)
    assert sync_line(capsys, db).startswith("work: sent 0, received 0")
    assert list(memory_keyring.passwords.values()) == [PASSWORD]
    monkeypatch.setattr("getpass.getpass", lambda prompt: "changed")
    out = ok(capsys, "--db", db, "sync", "password", "work")
    assert out.strip() == "The new password of work is kept in the system keyring."
    assert list(memory_keyring.passwords.values()) == ["changed"]
    monkeypatch.setattr(cli, "_interactive", lambda: False)
    assert "refused" in one_line_error(capsys, "--db", db, "sync", "run")


# --- running -----------------------------------------------------------------------------------


def test_two_calendars_share_a_meeting_and_status_shows_the_queue(
    radicale: Radicale, dbs: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = dbs
    uid = add_meeting(capsys, a)
    add_meeting(capsys, a, HYBRID, "hybrid")
    add_account(capsys, a, radicale)
    add_account(capsys, b, radicale)
    status = ok(capsys, "--db", a, "sync", "status")
    assert re.search(rf"^  work  new\s+{CYBER}$", status, re.M), status
    out = ok(capsys, "--db", a, "sync", "run")
    assert out.splitlines() == [
        "work: sent 2, received 0, deleted here 0, deleted there 0, new conflicts 0, "
        "still waiting 0"
    ]
    assert len(server_hrefs(radicale)) == 2
    status = ok(capsys, "--db", a, "sync", "status")
    assert re.search(r"^work\s+synced\s+0\s+0\s+\d{4}-\d\d-\d\d \d\d:\d\d CES?T$", status, re.M)
    assert "Nothing waiting to be sent." in status
    out = ok(capsys, "--db", b, "sync", "run", "work")
    assert out.startswith("work: sent 0, received 2, ")
    assert shown(capsys, b, uid) == shown(capsys, a, uid)

    ok(capsys, "--db", b, "edit", meeting_id(capsys, b, uid), "--location", "NATO HQ")
    status = ok(capsys, "--db", b, "sync", "status")
    assert re.search(r"^work\s+waiting\s+1\s+0\s", status, re.M), status
    assert re.search(rf"^  work  changed\s+{CYBER}$", status, re.M), status
    assert sync_line(capsys, b).startswith("work: sent 1, received 0")
    assert "Nothing waiting to be sent." in ok(capsys, "--db", b, "sync", "status")
    assert sync_line(capsys, a).startswith("work: sent 0, received 1")
    assert shown(capsys, a, uid)["location"] == "NATO HQ"

    ok(capsys, "--db", a, "delete", meeting_id(capsys, a, uid))
    assert re.search(rf"^  work  deleted\s+{CYBER}$", ok(capsys, "--db", a, "sync", "status"), re.M)
    assert "deleted there 1" in sync_line(capsys, a)
    assert len(server_hrefs(radicale)) == 1
    assert "deleted here 1" in sync_line(capsys, b)
    assert "There is no meeting" in one_line_error(capsys, "--db", b, "show", uid)


def test_sync_with_xandikos(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    with Xandikos(tmp_path / "xandikos") as server:
        uid = add_meeting(capsys, a)
        assert f"Calendar: {server.calendar_url}" in add_account(capsys, a, server)
        add_account(capsys, b, server)
        assert sync_line(capsys, a).startswith("work: sent 1, received 0")
        assert sync_line(capsys, b).startswith("work: sent 0, received 1")
    assert shown(capsys, b, uid) == shown(capsys, a, uid)


def test_run_of_an_unknown_account_or_none_at_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "a.db")
    assert "There is no sync account: add one" in one_line_error(capsys, "--db", db, "sync", "run")
    assert "There is no sync account 'x'" in one_line_error(capsys, "--db", db, "sync", "run", "x")


def test_a_stopped_server_is_one_line_and_status_shows_offline(
    radicale: Radicale, shared: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    a, _, uid = shared
    ok(capsys, "--db", a, "edit", meeting_id(capsys, a, uid), "--location", "Mons")
    radicale.stop()
    err = one_line_error(capsys, "--db", a, "sync", "run")
    assert err == (
        f"liaison: sync of work failed: Cannot reach 127.0.0.1:{radicale.port}: the connection "
        "was refused (is the server running?)."
    )
    status = ok(capsys, "--db", a, "sync", "status")
    assert re.search(r"^work\s+offline\s+1\s+0\s+\d{4}-", status, re.M), status
    assert f"work: Cannot reach 127.0.0.1:{radicale.port}" in status
    assert re.search(rf"^  work  changed\s+{CYBER}$", status, re.M), status
    radicale.start()
    assert sync_line(capsys, a).startswith("work: sent 1, received 0")
    status = ok(capsys, "--db", a, "sync", "status")
    assert re.search(r"^work\s+synced\s+0\s+0\s", status, re.M), status


# --- conflicts ---------------------------------------------------------------------------------


def make_conflict(capsys: pytest.CaptureFixture[str], a: str, b: str, uid: str) -> tuple[int, str]:
    """The meeting edited on both sides, a first; b finds the conflict. (Its id, the listing.)"""
    for db, argv in (
        (a, ["--location", "NATO HQ"]),
        (b, ["--location", "EEAS", "--title", "Cyber talks (moved)"]),
    ):
        ok(capsys, "--db", db, "edit", meeting_id(capsys, db, uid), *argv)
    assert sync_line(capsys, a).startswith("work: sent 1, received 0")
    out = ok(capsys, "--db", b, "sync", "run")
    assert out.splitlines() == [
        "work: sent 0, received 0, deleted here 0, deleted there 0, new conflicts 1, "
        "still waiting 0",
        "  See them with 'liaison sync conflicts'.",
    ]
    status = ok(capsys, "--db", b, "sync", "status")
    assert re.search(r"^work\s+conflicts\s+0\s+1\s", status, re.M), status
    listing = ok(capsys, "--db", b, "sync", "conflicts")
    found = re.search(r"^Conflict (\d+)  work  Cyber talks \(moved\)$", listing, re.M)
    assert found, listing
    return int(found.group(1)), listing


def test_conflicts_list_the_fields_and_theirs_wins(
    shared: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, uid = shared
    conflict, listing = make_conflict(capsys, a, b, uid)
    assert "  When      2026-12-02 Wed 09:30–12:00 CET" in listing
    assert re.search(r"^  title     mine:   Cyber talks \(moved\)$", listing, re.M), listing
    assert re.search(rf"^            theirs: {CYBER}$", listing, re.M), listing
    assert re.search(r"^  location  mine:   EEAS\n            theirs: NATO HQ$", listing, re.M)
    assert "Resolve with 'liaison sync resolve ID" in listing

    out = ok(capsys, "--db", b, "sync", "resolve", str(conflict), "--keep", "theirs")
    assert out.strip() == "Kept the server's version of 'Cyber talks (moved)'."
    assert ok(capsys, "--db", b, "sync", "conflicts").strip() == "No sync conflicts."
    assert sync_line(capsys, b).startswith("work: sent 0, received 0, deleted here 0")
    assert sync_line(capsys, a).startswith("work: sent 0, received 0")
    assert shown(capsys, a, uid) == shown(capsys, b, uid)
    assert shown(capsys, b, uid)["location"] == "NATO HQ"
    assert shown(capsys, b, uid)["title"] == CYBER
    assert "Nothing waiting to be sent." in ok(capsys, "--db", b, "sync", "status")
    assert "There is no sync conflict" in one_line_error(
        capsys, "--db", b, "sync", "resolve", str(conflict), "--keep", "mine"
    )


def test_a_merge_takes_the_named_fields_from_theirs(
    shared: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, uid = shared
    conflict, _ = make_conflict(capsys, a, b, uid)
    out = ok(
        capsys, "--db", b, "sync", "resolve", str(conflict), "--keep", "merge", "--theirs",
        "location",
    )  # fmt: skip
    assert out.splitlines() == [
        "Merged 'Cyber talks (moved)': location from the server, the rest yours.",
        "The next 'liaison sync run' sends it to the server.",
    ]
    status = ok(capsys, "--db", b, "sync", "status")
    assert re.search(r"^  work  changed\s+Cyber talks \(moved\)$", status, re.M), status
    assert sync_line(capsys, b).startswith("work: sent 1, received 0")
    assert sync_line(capsys, a).startswith("work: sent 0, received 1")
    merged = shown(capsys, a, uid)
    assert merged == shown(capsys, b, uid)
    assert (merged["title"], merged["location"]) == ("Cyber talks (moved)", "NATO HQ")


def test_keeping_mine_sends_mine(
    shared: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, uid = shared
    conflict, _ = make_conflict(capsys, a, b, uid)
    out = ok(capsys, "--db", b, "sync", "resolve", str(conflict), "--keep", "mine")
    assert out.splitlines()[0] == "Kept your version of 'Cyber talks (moved)'."
    assert sync_line(capsys, b).startswith("work: sent 1, received 0")
    assert sync_line(capsys, a).startswith("work: sent 0, received 1")
    assert shown(capsys, a, uid)["location"] == "EEAS"
    assert shown(capsys, a, uid) == shown(capsys, b, uid)


def test_a_meeting_deleted_on_the_server_and_changed_here(
    radicale: Radicale, shared: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, uid = shared
    ok(capsys, "--db", a, "delete", meeting_id(capsys, a, uid))
    ok(capsys, "--db", b, "edit", meeting_id(capsys, b, uid), "--location", "EEAS")
    assert "deleted there 1" in sync_line(capsys, a)
    assert "new conflicts 1" in sync_line(capsys, b)
    listing = ok(capsys, "--db", b, "sync", "conflicts")
    assert "  Deleted on the server; changed here." in listing
    conflict = re.search(r"^Conflict (\d+)", listing, re.M)
    assert conflict
    err = one_line_error(
        capsys, "--db", b, "sync", "resolve", conflict.group(1), "--keep", "merge", "--theirs",
        "title",
    )  # fmt: skip
    assert "One side deleted it" in err
    out = ok(capsys, "--db", b, "sync", "resolve", conflict.group(1), "--keep", "theirs")
    assert out.strip() == f"Deleted {CYBER!r} here, as on the server."
    assert "There is no meeting" in one_line_error(capsys, "--db", b, "show", uid)
    assert sync_line(capsys, b).startswith("work: sent 0, received 0, deleted here 0")
    assert len(server_hrefs(radicale)) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: ACTION"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["status", "--json"], "unrecognized arguments: --json"),
        (["run", "--accept-empty", "x"], "There is no sync account 'x'"),
        (["route", "x", "/alice/cyber/", "--strand", "cyber"], "There is no sync account 'x'"),
        (["password", "x"], "There is no sync account 'x'"),
    ],
)
def test_sync_usage_errors_give_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert message in one_line_error(capsys, "--db", str(tmp_path / "a.db"), "sync", *argv)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--keep", "merge"], "--keep merge needs --theirs FIELD"),
        (["--keep", "mine", "--theirs", "location"], "--theirs goes with --keep merge"),
        (["--keep", "merge", "--theirs", "location,colour"], "No field colour to merge"),
        (["--keep", "both"], "invalid choice: 'both'"),
        (["--keep", "mine"], "There is no sync conflict 7"),
    ],
)
def test_resolve_bad_input_gives_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    db = str(tmp_path / "a.db")
    assert message in one_line_error(capsys, "--db", db, "sync", "resolve", "7", *argv)


# --- an emptied server -------------------------------------------------------------------------


def emptied(capsys: pytest.CaptureFixture[str], radicale: Radicale, db: str) -> None:
    """Two meetings synced from ``db``, then deleted on the server with plain DELETEs."""
    add_meeting(capsys, db)
    add_meeting(capsys, db, HYBRID, "hybrid")
    add_account(capsys, db, radicale)
    assert sync_line(capsys, db).startswith("work: sent 2,")
    hrefs = server_hrefs(radicale)
    assert len(hrefs) == 2
    for href in hrefs:
        assert radicale.request("DELETE", href).status in (200, 204)


def listed(capsys: pytest.CaptureFixture[str], db: str) -> int:
    return len(json.loads(ok(capsys, "--db", db, "list", "--json")))


def test_an_emptied_server_deletes_nothing_here_without_accept_empty(
    radicale: Radicale, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "a.db")
    emptied(capsys, radicale, db)
    err = one_line_error(capsys, "--db", db, "sync", "run")
    assert f"the calendar {radicale.calendar_url} came back empty, but 2 meetings" in err
    assert "Nothing was deleted" in err
    assert "'liaison sync run work --accept-empty'" in err
    assert listed(capsys, db) == 2
    status = ok(capsys, "--db", db, "sync", "status")
    assert re.search(r"^work\s+error\s", status, re.M), status
    out = ok(capsys, "--db", db, "sync", "run", "--accept-empty")
    assert out.startswith("work: sent 0, received 0, deleted here 2, deleted there 0")
    assert listed(capsys, db) == 0
    assert "Nothing waiting to be sent." in ok(capsys, "--db", db, "sync", "status")


@pytest.mark.parametrize(("answer", "left"), [("y", 0), ("", 2)])
def test_an_emptied_server_is_asked_about_on_a_terminal(
    radicale: Radicale,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    left: int,
) -> None:
    db = str(tmp_path / "a.db")
    emptied(capsys, radicale, db)
    asked: list[str] = []
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or answer)
    code, out, err = run(capsys, "--db", db, "sync", "run")
    assert asked == ["Delete 2 meetings here? [y/N] "]
    assert "came back empty, but 2 meetings synced with it are here" in err
    if answer == "y":
        assert code == 0
        assert out.startswith("work: sent 0, received 0, deleted here 2")
    else:
        assert code == 2
        assert "nothing was deleted here" in err
    assert listed(capsys, db) == left


# --- routes ------------------------------------------------------------------------------------


def test_route_sends_a_strand_to_another_calendar(
    radicale: Radicale, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "a.db")
    add_meeting(capsys, db)
    add_meeting(capsys, db, HYBRID, "hybrid")
    add_account(capsys, db, radicale)
    other = radicale.make_calendar("cyber")
    out = ok(capsys, "--db", db, "sync", "route", "work", "/alice/cyber/", "--strand", "cyber")
    assert out.splitlines() == [
        "Calendars of work:",
        f'  {radicale.calendar_url} ("team"), everything else',
        f"  {other}, strand=cyber",
    ]
    assert sync_line(capsys, db).startswith("work: sent 2,")
    answer = radicale.request("PROPFIND", other, b"", {"Depth": "1"})
    assert answer.body.count(b".ics<") == 1
    assert len(server_hrefs(radicale)) == 1
    err = one_line_error(capsys, "--db", db, "sync", "route", "work", "/alice/x/", "--strand", "z")
    assert "z" in err
