"""Fixtures of the sync tests: real CalDAV servers, fresh for each test, in its `tmp_path`.

- `radicale`: a started `Radicale` (htpasswd auth, users alice and bob, calendar `/alice/team/`).
- `xandikos`: a started `Xandikos` (no auth, calendar `/alice/calendars/calendar/`).
- `server`: each of the two in turn (test ids `[radicale]` and `[xandikos]`).
- `proxied`: `(server, FaultProxy)`, the proxy in front of the `server` of the same test.

Each is stopped (the proxy closed) when the test ends; `tests/sync/servers.py` has the details.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.servers import CalDAVServer, FaultProxy, Radicale, Xandikos

SERVERS: dict[str, type[Radicale] | type[Xandikos]] = {
    "radicale": Radicale,
    "xandikos": Xandikos,
}


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    with Radicale(tmp_path / "radicale") as server:
        yield server


@pytest.fixture
def xandikos(tmp_path: Path) -> Iterator[Xandikos]:
    with Xandikos(tmp_path / "xandikos") as server:
        yield server


@pytest.fixture(params=list(SERVERS), ids=list(SERVERS))
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CalDAVServer]:
    kind: str = request.param
    with SERVERS[kind](tmp_path / f"server-{kind}") as started:
        yield started


@pytest.fixture
def proxied(server: CalDAVServer) -> Iterator[tuple[CalDAVServer, FaultProxy]]:
    with FaultProxy(server) as proxy:
        yield server, proxy
