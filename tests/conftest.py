"""Shared fixtures: a fresh calendar file per test, a fixed clock, and Qt made headless."""

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

# Qt aborts the process (not an exception) without a screen: choose offscreen before any import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_runtime = Path(tempfile.gettempdir()) / f"liaison-xdg-runtime-{os.getuid()}"
_runtime.mkdir(mode=0o700, exist_ok=True)
os.environ.setdefault("XDG_RUNTIME_DIR", str(_runtime))

from liaison_calendar.domain.clock import FixedClock  # noqa: E402
from liaison_calendar.services.context import Services  # noqa: E402

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "calendar.db"


@pytest.fixture
def services(db_path: Path, clock: FixedClock) -> Iterator[Services]:
    svc = Services.open(db_path, clock)
    yield svc
    svc.close()


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the user's real calendar or logs from a test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("LIAISON_DB", raising=False)


@pytest.fixture(autouse=True)
def _no_keyring() -> Iterator[None]:
    """No test reads or writes the user's system keyring: every test sees a machine without
    one (as CI is); tests of the keyring path install ``tests.sync.keyrings.MemoryKeyring``."""
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)
