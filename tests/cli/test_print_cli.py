"""``liaison agenda``, ``report`` and ``print-calendar``: files written, one-line errors."""

import subprocess
from pathlib import Path

import pytest

from liaison_calendar.cli import main
from liaison_calendar.services.demo import demo_uid
from tests.cli.test_cli import digest, liaison


def pdf_text(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("print") / "demo.db")
    assert main(["--db", db, "demo"]) == 0
    return db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_agenda_to_pdf_from_the_real_command(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "agenda.pdf"
    done = liaison("--db", demo_db, "agenda", demo_uid("optalks-2"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "Wrote" in done.stderr
    text = pdf_text(out)
    assert "Operational cooperation talks" in text
    assert "EU-NATO STAFF ONLY" in text
    assert "Page 1 of" in text


def test_agenda_to_html(demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "agenda.html"
    code, err = run(capsys, "--db", demo_db, "agenda", demo_uid("optalks-2"), "-o", str(out))
    assert code == 0, err
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["agenda", "999999", "-o", "{tmp}/a.pdf"], "There is no meeting 999999"),
        (["agenda", "1", "-o", "{tmp}/a.docx"], "give a file ending in .pdf or .html"),
        (["agenda", "1", "-o", "{tmp}/missing/a.pdf"], "does not exist"),
        (["report", "--from", "2024-05-31", "--to", "2023-06-01", "-o", "{tmp}/r.md"], "before"),
        (["report", "--from", "2023-06-01", "--to", "2024-02-30", "-o", "{tmp}/r.md"], "invalid"),
        (["print-calendar", "--month", "2024-13", "-o", "{tmp}/m.pdf"], "invalid month"),
        (["print-calendar", "--week", "2024-03-04", "-o", "{tmp}/m.md"], ".pdf or .html"),
    ],
)
def test_a_bad_id_date_or_path_is_one_line_and_exit_2(
    demo_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    code, err = run(capsys, "--db", demo_db, *[a.format(tmp=tmp_path) for a in argv])
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) in (1, 2)  # argparse adds its usage line
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_failed_write_leaves_the_existing_file_untouched(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "agenda.html"
    out.write_text("the agenda I printed last week")
    before = digest(out)
    code, err = run(capsys, "--db", demo_db, "agenda", "999999", "-o", str(out))
    assert code == 2
    assert digest(out) == before


def test_report_in_three_formats(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--db", demo_db, "report", "--from", "2023-06-01", "--to", "2024-05-31"]
    for suffix in ("md", "html", "pdf"):
        out = tmp_path / f"report.{suffix}"
        code, err = run(capsys, *base, "--strand", "cyber", "-o", str(out))
        assert code == 0, err
        assert out.stat().st_size > 0
    assert "Cyber security and defence" in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "Cyber security and defence" in pdf_text(tmp_path / "report.pdf")


def test_report_at_staff_level_says_how_many_it_left_out(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    argv = ["report", "--from", "2023-06-01", "--to", "2024-05-31", "--level", "staff"]
    code, err = run(capsys, "--db", demo_db, *argv, "-o", str(out))
    assert code == 0, err
    assert "left out at this print level" in err


def test_print_calendar_month_and_week(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    month = tmp_path / "month.pdf"
    code, err = run(
        capsys, "--db", demo_db, "print-calendar", "--month", "2024-03", "-o", str(month)
    )
    assert code == 0, err
    assert "March 2024" in pdf_text(month)
    week = tmp_path / "week.html"
    code, err = run(
        capsys, "--db", demo_db, "print-calendar", "--week", "2024-03-12", "-o", str(week)
    )
    assert code == 0, err
    assert "Operational cooperation talks" in week.read_text(encoding="utf-8")
