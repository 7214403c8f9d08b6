"""Output onto a read-only folder or a full disk: every file already there is left byte for byte
as it was (same content, same inode), no temp file is left behind, the failure is one line
naming the path (exit 2 for the command line, one ``PublishError``/``OutputError`` for the
services), and the calendar is unchanged.

The tests run as root, so a folder made read-only with chmod would not stop them. Each failure
is made in several ways: for real where this machine allows it (a tmpfs remounted read-only, a
read-only bind mount, ``chattr +i``, a tiny tmpfs filled to the last byte) and, everywhere
(CI may not allow mounting), by making the write itself fail in-process.
"""

import contextlib
import errno
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from liaison_calendar.cli import main
from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.domain.models import MeetingDraft
from liaison_calendar.errors import DatabaseError, OutputError
from liaison_calendar.reports.document import Document
from liaison_calendar.services.context import Services
from liaison_calendar.services.demo import demo_uid
from liaison_calendar.services.feeds import PublishError
from liaison_calendar.store import database
from tests.conftest import NOW

AGENDA_ID = demo_uid("optalks-2")
EXISTING = ("agenda.pdf", "report.pdf", "backup.db", "notes.txt")


# --- the calendar ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """The sample calendar, and its feeds and printouts as published from it earlier."""
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.db"
    out = folder / "published"
    out.mkdir()
    report = ["report", "--from", "2024-01-01", "--to", "2024-12-31"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_STATE_HOME", str(folder / "state"))  # logs, as for every test
        assert main(["--db", str(db), "demo"]) == 0
        assert main(["--db", str(db), "publish", str(out)]) == 0
        assert main(["--db", str(db), "agenda", AGENDA_ID, "-o", str(out / "agenda.pdf")]) == 0
        assert main(["--db", str(db), *report, "-o", str(out / "report.pdf")]) == 0
    shutil.copyfile(db, out / "backup.db")
    (out / "notes.txt").write_text("Not ours: leave me alone.\n", encoding="utf-8")
    return db, {p.name: p.read_bytes() for p in out.iterdir()}


@pytest.fixture
def calendar(demo: tuple[Path, dict[str, bytes]], tmp_path: Path) -> Path:
    """A copy of the sample calendar with one meeting more than its published feeds show, so
    that publishing has every feed to write again."""
    db = tmp_path / "calendar.db"
    shutil.copyfile(demo[0], db)
    svc = Services.open(db, FixedClock(NOW))
    try:
        svc.meetings.create(
            MeetingDraft(
                title="Staff talks on the full disk",
                kind="staff-talks",
                start=NOW,
                end=NOW.replace(hour=10),
                strands=["cyber"],
            )
        )
    finally:
        svc.close()
    return db


def calendar_dump(db: Path, immutable: bool = False) -> str:
    """Everything the calendar holds, as SQL (the file's bytes move with WAL checkpoints).

    ``immutable`` reads the file alone, making no -shm file beside it (nobody may write)."""
    flags = "mode=ro&immutable=1" if immutable else "mode=ro"
    conn = sqlite3.connect(f"file:{db}?{flags}", uri=True)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


# --- folders that cannot be written --------------------------------------------------------


def _run_root(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, check=False, timeout=30)


def _need_root_tool(tool: str) -> None:
    if os.geteuid() != 0:
        pytest.skip(f"{tool} needs root; these tests run as root in CI")
    if shutil.which(tool) is None:
        pytest.skip(f"no {tool} command on this machine")


@contextlib.contextmanager
def mounted_tmpfs(where: Path, size: str) -> Iterator[Path]:
    _need_root_tool("mount")
    where.mkdir()
    done = _run_root("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where))
    if done.returncode != 0:
        pytest.skip(f"this machine does not allow mounting a tmpfs ({done.stderr.strip()})")
    try:
        yield where
    finally:
        _unmount(where)


def _unmount(where: Path) -> None:
    if _run_root("umount", str(where)).returncode != 0:
        _run_root("umount", "-l", str(where))


def populate(folder: Path, contents: dict[str, bytes]) -> None:
    for name, data in contents.items():
        (folder / name).write_bytes(data)


def fill_disk(folder: Path, leave: int = 0) -> None:
    """Fill the file system of ``folder`` to the last byte, then free ``leave`` bytes."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for size in (1 << 16, 4096, 1):  # a last few bytes may fit where a chunk did not
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * size):
                    pass
    finally:
        os.close(fd)
    if leave:
        os.truncate(filler, filler.stat().st_size - leave)
    assert shutil.disk_usage(folder).free == leave


@dataclass
class Spot:
    """A folder holding files already published, that cannot take anything new."""

    name: str
    folder: Path
    real: bool  # fails for any process, not only for this one (patched) -- subprocesses too
    full: bool  # a full disk (rather than a read-only folder)


def _refuse(code: int) -> Callable[..., Any]:
    def refused(*_args: object, **_kwargs: object) -> Any:
        raise OSError(code, os.strerror(code))

    return refused


READ_ONLY = ["ro-tmpfs", "ro-bind", "immutable", "patched-erofs"]
FULL = ["full-tmpfs", "patched-enospc"]


@pytest.fixture
def spot(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    demo: tuple[Path, dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Spot]:
    kind: str = request.param
    contents = demo[1]
    if kind == "ro-tmpfs":  # a file system mounted read-only (a CD, a locked share)
        with mounted_tmpfs(tmp_path / "ro", "4m") as folder:
            populate(folder, contents)
            done = _run_root("mount", "-o", "remount,ro", str(folder))
            assert done.returncode == 0, done.stderr
            yield Spot(kind, folder, real=True, full=False)
    elif kind == "ro-bind":  # a folder of a writable disk seen read-only
        _need_root_tool("mount")
        source, folder = tmp_path / "source", tmp_path / "view"
        source.mkdir()
        folder.mkdir()
        populate(source, contents)
        done = _run_root("mount", "--bind", str(source), str(folder))
        if done.returncode != 0:
            pytest.skip(f"this machine does not allow bind mounts ({done.stderr.strip()})")
        try:
            done = _run_root("mount", "-o", "remount,ro,bind", str(folder))
            assert done.returncode == 0, done.stderr
            yield Spot(kind, folder, real=True, full=False)
        finally:
            _unmount(folder)
    elif kind == "immutable":  # chattr +i stops root too
        _need_root_tool("chattr")
        folder = tmp_path / "immutable"
        folder.mkdir()
        populate(folder, contents)
        done = _run_root("chattr", "+i", str(folder))
        if done.returncode != 0:
            pytest.skip(f"chattr +i does not work on {tmp_path} ({done.stderr.strip()})")
        try:
            yield Spot(kind, folder, real=True, full=False)
        finally:
            _run_root("chattr", "-i", str(folder))
    elif kind == "full-tmpfs":  # a small disk with not one byte left
        with mounted_tmpfs(tmp_path / "small", "2m") as folder:
            populate(folder, contents)
            fill_disk(folder)
            yield Spot(kind, folder, real=True, full=True)
    elif kind == "patched-erofs":  # the folder looks writable, but creating a file fails
        folder = tmp_path / "patched"
        folder.mkdir()
        populate(folder, contents)
        monkeypatch.setattr(tempfile, "mkstemp", _refuse(errno.EROFS))
        monkeypatch.setattr(os, "replace", _refuse(errno.EROFS))
        yield Spot(kind, folder, real=False, full=False)
    elif kind == "patched-enospc":  # the data cannot be flushed to the disk
        folder = tmp_path / "patched"
        folder.mkdir()
        populate(folder, contents)
        monkeypatch.setattr(os, "fsync", _refuse(errno.ENOSPC))
        yield Spot(kind, folder, real=False, full=True)
    else:  # pragma: no cover
        raise AssertionError(kind)


def snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every file of ``folder``: its content's digest, inode and modification time."""
    found = {}
    for path in folder.iterdir():
        st = path.stat()
        found[path.name] = (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            st.st_ino,
            st.st_mtime_ns,
        )
    return found


def assert_one_line_naming(message: str, *paths: Path) -> None:
    assert message.strip(), "no message"
    assert len(message.strip().splitlines()) == 1, message
    assert "Traceback" not in message
    assert any(str(p) in message for p in paths), f"{message!r} names none of {paths}"


def said(message: str, *paths: Path) -> str:
    """``message`` without the paths it names (a folder may be called "full")."""
    for path in sorted(map(str, paths), key=len, reverse=True):
        message = message.replace(path, "<path>")
    return message


def commands(db: Path, folder: Path) -> dict[str, list[str]]:
    """The command lines that write into ``folder``, each over a file that is already there."""
    return {
        "publish": ["--db", str(db), "publish", str(folder)],
        "agenda": ["--db", str(db), "agenda", AGENDA_ID, "-o", str(folder / "agenda.pdf")],
        "report": [
            *("--db", str(db), "report", "--from", "2024-01-01", "--to", "2024-12-31"),
            *("-o", str(folder / "report.pdf")),
        ],
        "backup": ["--db", str(db), "backup", str(folder / "backup.db")],
    }


def target_of(command: str, folder: Path) -> Path:
    return {
        "publish": folder / "all.ics",
        "agenda": folder / "agenda.pdf",
        "report": folder / "report.pdf",
        "backup": folder / "backup.db",
    }[command]


def liaison(argv: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "liaison_calendar", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# --- the command line --------------------------------------------------------------------------


@pytest.mark.parametrize("spot", ["ro-tmpfs", "immutable", "full-tmpfs"], indirect=True)
def test_the_real_commands_write_nothing_into_a_read_only_folder_or_onto_a_full_disk(
    spot: Spot, calendar: Path
) -> None:
    """publish, agenda and report PDFs, and backup, each run as its own process (at once)."""
    before, stored = snapshot(spot.folder), calendar_dump(calendar)
    running = {name: liaison(argv) for name, argv in commands(calendar, spot.folder).items()}
    for name, process in running.items():
        out, err = process.communicate(timeout=60)
        assert process.returncode == 2, (name, out, err)
        assert_one_line_naming(err, spot.folder, target_of(name, spot.folder))
        assert err.startswith("liaison: "), err
        words = said(err, target_of(name, spot.folder), spot.folder, calendar)
        if not spot.full:
            assert "not writable" in words, err
        elif name in ("publish", "backup"):
            assert "the disk is full" in words, err
        else:  # Qt's words: "the PDF came out empty", "Could not start page 4" (see ui.printing)
            assert words.startswith("liaison: Could not"), err

    assert snapshot(spot.folder) == before  # nothing changed, nothing left behind
    assert calendar_dump(calendar) == stored


@pytest.mark.parametrize("spot", ["ro-bind", "patched-erofs", "patched-enospc"], indirect=True)
def test_the_commands_in_this_process_write_nothing(
    spot: Spot, calendar: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same commands run by ``main`` here, where the write can be made to fail by patching
    it (runs anywhere), and on the read-only bind mount."""
    before, stored = snapshot(spot.folder), calendar_dump(calendar)
    for name, argv in commands(calendar, spot.folder).items():
        assert main(argv) == 2, name
        out, err = capsys.readouterr()
        assert_one_line_naming(err, spot.folder, target_of(name, spot.folder))
        words = said(err, target_of(name, spot.folder), spot.folder, calendar)
        if spot.full:
            assert "the disk is full" in words, err
        else:
            assert "not writable" in words or "Read-only file system" in words, err
    assert snapshot(spot.folder) == before
    assert calendar_dump(calendar) == stored


# --- the services --------------------------------------------------------------------------------


@pytest.mark.parametrize("spot", READ_ONLY + FULL, indirect=True)
def test_publish_is_one_publish_error_and_every_feed_stays_as_it_was(
    spot: Spot, calendar: Path
) -> None:
    before, stored = snapshot(spot.folder), calendar_dump(calendar)
    svc = Services.open(calendar, FixedClock(NOW))
    try:
        with pytest.raises(PublishError) as caught:
            svc.feeds.publish(spot.folder)
    finally:
        svc.close()
    assert_one_line_naming(caught.value.message, spot.folder)
    if spot.full:
        assert "the disk is full" in said(caught.value.message, spot.folder)
    assert snapshot(spot.folder) == before
    assert calendar_dump(calendar) == stored


def short_document() -> Document:
    return Document(title="Agenda", body="<h1>Agenda</h1><p>One line.</p>", marking="STAFF")


@pytest.mark.parametrize("spot", READ_ONLY + FULL, indirect=True)
def test_write_pdf_is_one_output_error_and_the_old_pdf_stays(spot: Spot) -> None:
    from liaison_calendar.ui import printing

    before = snapshot(spot.folder)
    target = spot.folder / "agenda.pdf"
    with pytest.raises(OutputError) as caught:
        printing.write_pdf(short_document(), target)
    assert_one_line_naming(caught.value.message, spot.folder, target)
    assert snapshot(spot.folder) == before


@pytest.mark.parametrize("spot", READ_ONLY + FULL, indirect=True)
def test_a_backup_is_one_output_error_and_the_old_backup_stays(spot: Spot, calendar: Path) -> None:
    before, stored = snapshot(spot.folder), calendar_dump(calendar)
    svc = Services.open(calendar, FixedClock(NOW))
    try:
        with pytest.raises(OutputError) as caught:
            svc.backups.back_up(spot.folder / "backup.db")
    finally:
        svc.close()
    assert_one_line_naming(caught.value.message, spot.folder, spot.folder / "backup.db")
    if spot.full:
        assert "the disk is full" in said(caught.value.message, spot.folder, calendar)
    assert snapshot(spot.folder) == before
    assert calendar_dump(calendar) == stored


# --- a PDF cut short -----------------------------------------------------------------------------
# Qt's PDF writer does not report a write that fails: with a few KiB left on the disk it used to
# finish "successfully" with the first 4 KiB of the PDF, renamed over the old one (exit 0).


def test_a_pdf_cut_short_by_a_nearly_full_disk_is_refused_and_the_old_one_stays(
    tmp_path: Path, calendar: Path, demo: tuple[Path, dict[str, bytes]]
) -> None:
    with mounted_tmpfs(tmp_path / "small", "2m") as folder:
        populate(folder, demo[1])
        fill_disk(folder, leave=8192)  # room for the start of a PDF, not for all of it
        before, stored = snapshot(folder), calendar_dump(calendar)

        done = subprocess.run(
            [sys.executable, "-m", "liaison_calendar", *commands(calendar, folder)["agenda"]],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

        assert done.returncode == 2, done.stderr
        assert_one_line_naming(done.stderr, folder / "agenda.pdf")
        assert "the disk is full" in said(done.stderr, folder / "agenda.pdf")
        assert snapshot(folder) == before
        assert calendar_dump(calendar) == stored

        os.unlink(folder / "filler")  # with room again the same command works
        assert main(commands(calendar, folder)["agenda"]) == 0
        assert (folder / "agenda.pdf").read_bytes() != demo[1]["agenda.pdf"]
        assert (folder / "agenda.pdf").read_bytes().rstrip().endswith(b"%%EOF")


@pytest.fixture
def pdf_cut_short(monkeypatch: pytest.MonkeyPatch) -> None:
    """Qt's PDF writer on a nearly full disk, anywhere: it paints, then its file is cut off
    after 4 KiB, and nobody is told."""
    from liaison_calendar.ui import printing

    paint = printing.paint

    def cut_short(doc: Document, printer: Any) -> int:
        pages = paint(doc, printer)
        os.truncate(printer.outputFileName(), 4096)
        return pages

    monkeypatch.setattr(printing, "paint", cut_short)


def test_write_pdf_refuses_a_pdf_cut_short_anywhere(pdf_cut_short: None, tmp_path: Path) -> None:
    from liaison_calendar.ui import printing

    target = tmp_path / "agenda.pdf"
    target.write_bytes(b"%PDF-1.4 the old agenda\n%%EOF\n")
    with pytest.raises(OutputError) as caught:
        printing.write_pdf(short_document(), target)
    assert_one_line_naming(caught.value.message, target)
    assert "incomplete" in said(caught.value.message, target)
    assert target.read_bytes() == b"%PDF-1.4 the old agenda\n%%EOF\n"
    assert list(tmp_path.iterdir()) == [target]


def test_the_agenda_command_refuses_a_pdf_cut_short_anywhere(
    pdf_cut_short: None, calendar: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "agenda.pdf").write_bytes(b"old")
    assert main(commands(calendar, folder)["agenda"]) == 2
    assert_one_line_naming(capsys.readouterr().err, folder / "agenda.pdf")
    assert [p.name for p in folder.iterdir()] == ["agenda.pdf"]
    assert (folder / "agenda.pdf").read_bytes() == b"old"


def test_a_backup_named_pdf_is_not_checked_as_a_pdf(calendar: Path, tmp_path: Path) -> None:
    """Only what was written as a PDF must end like one: a backup is whatever it is called."""
    svc = Services.open(calendar, FixedClock(NOW))
    try:
        written = svc.backups.back_up(tmp_path / "calendar.pdf")
    finally:
        svc.close()
    assert written.read_bytes().startswith(database.SQLITE_MAGIC)


# --- the calendar itself on a full or read-only disk ---------------------------------------------
# SQLite's "database or disk is full", "disk I/O error" (no room for the -shm file) and "unable to
# open database file" (a read-only folder, where WAL cannot make its -shm) used to be internal
# errors (exit 1), and a full disk seen on opening was "not a Liaison Calendar database".


def test_a_calendar_on_a_full_disk_says_so_and_keeps_what_it_holds(
    tmp_path: Path, demo: tuple[Path, dict[str, bytes]], capsys: pytest.CaptureFixture[str]
) -> None:
    with mounted_tmpfs(tmp_path / "disk", "8m") as folder:
        db = folder / "calendar.db"
        shutil.copyfile(demo[0], db)
        stored = calendar_dump(db, immutable=True)
        fill_disk(folder)  # no room for the -shm file SQLite makes on opening, nor for a page
        add = ["--db", str(db), "add", "--title", "No room", "--kind", "staff-talks"]
        add += ["--start", "2024-06-12T09:30", "--end", "2024-06-12T10:30"]

        for argv in (["--db", str(db), "list"], add, add):
            assert main(argv) == 2
            err = capsys.readouterr().err
            assert_one_line_naming(err, db)
            assert "is full" in said(err, db), err

        os.unlink(folder / "filler")
        assert calendar_dump(db) == stored
        assert main(add) == 0  # with room again it works
        assert "No room" in calendar_dump(db)


@pytest.fixture
def full_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection the app opens may not grow the file by one page (SQLITE_FULL)."""
    configure = database._configure_connection

    def capped(conn: sqlite3.Connection) -> None:
        configure(conn)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(database, "_configure_connection", capped)


def test_a_full_calendar_is_a_clear_error_and_nothing_is_written_anywhere(
    full_database: None, calendar: Path
) -> None:
    stored = calendar_dump(calendar)
    svc = Services.open(calendar, FixedClock(NOW))
    try:
        draft = MeetingDraft(
            title="No room", kind="staff-talks", start=NOW, end=NOW.replace(hour=10),
            description="x" * 200_000,
        )  # fmt: skip
        with pytest.raises(DatabaseError) as caught:
            svc.meetings.create(draft)
    finally:
        svc.close()
    assert_one_line_naming(caught.value.message, calendar)
    assert "is full" in said(caught.value.message, calendar)
    assert calendar_dump(calendar) == stored


def test_a_calendar_in_a_read_only_folder_is_a_clear_error(
    tmp_path: Path, demo: tuple[Path, dict[str, bytes]], capsys: pytest.CaptureFixture[str]
) -> None:
    with mounted_tmpfs(tmp_path / "disk", "8m") as folder:
        db = folder / "calendar.db"
        shutil.copyfile(demo[0], db)
        stored = calendar_dump(db, immutable=True)
        done = _run_root("mount", "-o", "remount,ro", str(folder))
        assert done.returncode == 0, done.stderr
        for argv in (["--db", str(db), "list"], ["--db", str(db), "cancel", "1"]):
            assert main(argv) == 2
            err = capsys.readouterr().err
            assert_one_line_naming(err, db)
            assert "read-only" in said(err, db), err
        assert calendar_dump(db, immutable=True) == stored


def test_a_calendar_whose_shared_memory_file_cannot_be_made_is_a_clear_error(
    calendar: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Runs anywhere: the -shm file SQLite must make beside the calendar leads nowhere, which
    fails as a read-only folder or a broken disk does."""
    stored = calendar_dump(calendar, immutable=True)
    shm = calendar.with_name(calendar.name + "-shm")
    shm.symlink_to(tmp_path / "missing" / "shm")
    try:
        for argv in (["--db", str(calendar), "list"], ["--db", str(calendar), "cancel", "1"]):
            assert main(argv) == 2
            err = capsys.readouterr().err
            assert_one_line_naming(err, calendar)
            assert "Cannot use the calendar" in err, err
    finally:
        shm.unlink()
    assert calendar_dump(calendar) == stored
    assert main(["--db", str(calendar), "list"]) == 0
