"""The packaging files that run without PyInstaller: the frozen entry script (here run by the
interpreter), the desktop installer and the package dependency group.

The build itself and the frozen program are checked by .ci/run with packaging/smoke.sh.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from liaison_calendar import __version__

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
APP_ID = "eu.liaison.LiaisonCalendar"


def _pyproject() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)


def test_pyinstaller_is_in_its_own_group_not_installed_by_default() -> None:
    data = _pyproject()
    package = data["dependency-groups"]["package"]
    assert any(req.lower().startswith("pyinstaller") for req in package)
    default_groups = data.get("tool", {}).get("uv", {}).get("default-groups", ["dev"])
    assert "package" not in default_groups
    assert not any(
        req.lower().startswith("pyinstaller") for req in data["dependency-groups"]["dev"]
    )


def test_the_spec_builds_the_console_script_of_the_cli() -> None:
    scripts = _pyproject()["project"]["scripts"]
    assert scripts["liaison"] == "liaison_calendar.cli:main"
    spec = (PACKAGING / "liaison.spec").read_text(encoding="utf-8")
    assert 'ENTRY_POINT = f"{PACKAGE}.cli:main"' in spec
    assert "entry.py" in spec


@pytest.mark.parametrize("thread", ["", "1"])
def test_entry_script_runs_the_cli(thread: str) -> None:
    env = dict(os.environ, LIAISON_FROZEN_TEST_THREAD=thread)
    done = subprocess.run(
        [sys.executable, str(PACKAGING / "entry.py"), "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"liaison {__version__}"


def test_entry_script_returns_the_exit_code_of_a_user_error() -> None:
    done = subprocess.run(
        [sys.executable, str(PACKAGING / "entry.py"), "no-such-command"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("liaison: ")


@pytest.mark.parametrize("script", ["smoke.sh", "install-desktop.sh"])
def test_shell_scripts_parse(script: str) -> None:
    path = PACKAGING / script
    assert os.access(path, os.X_OK), f"{script} is not executable"
    subprocess.run(["bash", "-n", str(path)], check=True, timeout=30)


def _fake_build(folder: Path) -> Path:
    """A built folder as install-desktop.sh sees it: a program named liaison."""
    folder.mkdir(parents=True)
    program = folder / "liaison"
    program.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    program.chmod(0o755)
    return program


@pytest.mark.skipif(
    not (ROOT / "resources" / f"{APP_ID}.desktop").is_file(), reason="no desktop file yet"
)
def test_install_desktop_points_the_menu_entry_at_the_built_program(tmp_path: Path) -> None:
    home = tmp_path / "home"
    program = _fake_build(tmp_path / "my apps" / "liaison")
    env = dict(os.environ, HOME=str(home))
    env["XDG_DATA_HOME"] = str(home / "share")
    env["XDG_CONFIG_HOME"] = str(home / "config")
    run = [str(PACKAGING / "install-desktop.sh"), "--no-default"]

    subprocess.run([*run, str(program.parent)], env=env, check=True, timeout=60)

    entry = home / "share" / "applications" / f"{APP_ID}.desktop"
    lines = entry.read_text(encoding="utf-8").splitlines()
    assert f'Exec="{program}" %F' in lines
    assert f"TryExec={program}" in lines
    icons = home / "share" / "icons" / "hicolor"
    assert list(icons.glob(f"*/apps/{APP_ID}.*")), "no icon installed"
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(entry)], capture_output=True, text=True, check=False
        )
        assert check.returncode == 0, check.stdout + check.stderr

    subprocess.run([*run, "--uninstall"], env=env, check=True, timeout=60)
    assert not entry.exists()
    assert not list(icons.glob(f"*/apps/{APP_ID}.*"))
    assert program.exists()


def test_install_desktop_refuses_a_folder_without_the_program(tmp_path: Path) -> None:
    env = dict(os.environ, HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "share"))
    done = subprocess.run(
        [str(PACKAGING / "install-desktop.sh"), str(tmp_path / "nothing")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "build it first" in done.stderr
    assert not (tmp_path / "share" / "applications").exists()
