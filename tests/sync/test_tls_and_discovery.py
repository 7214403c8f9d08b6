"""Adding a sync account the way a user does: over HTTPS, from whatever URL they typed.

A Radicale serving HTTPS with a self-signed certificate is trusted only when the account is
given that certificate (`ca_file`); a URL that is not the DAV root is found through
`/.well-known/caldav`; a web server that is not CalDAV gives one clear sentence. Whatever fails,
no account is kept, and the password is never in the database or in an error message.
"""

import base64
import shutil
import threading
import traceback
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import keyring
import pytest

from liaison_calendar.domain.models import MeetingDraft
from liaison_calendar.errors import ValidationError
from liaison_calendar.services.context import Services
from liaison_calendar.sync.remote import SyncError
from liaison_calendar.sync.secrets import ENVIRONMENT
from tests.sync.keyrings import MemoryKeyring
from tests.sync.servers import (
    HOST,
    CalDAVServer,
    FaultProxy,
    Radicale,
    Xandikos,
    write_certificate,
)

UNTRUSTED = "its certificate is not trusted (see --ca-file)"
NOT_CALDAV = "does not look like a CalDAV server"


@pytest.fixture
def tls_radicale(tmp_path: Path) -> Iterator[Radicale]:
    # cryptography (which makes the certificate) comes with keyring's secretstorage on Linux.
    pytest.importorskip("cryptography")
    with Radicale(tmp_path / "radicale-tls", tls=True) as server:
        yield server


@pytest.fixture
def ring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    """A keyring that shows whether a password was kept (the conftest restores the real one)."""
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    return memory


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Services, Services]]:
    ours = Services.open(tmp_path / "ours.sqlite")
    theirs = Services.open(tmp_path / "theirs.sqlite")
    yield ours, theirs
    ours.close()
    theirs.close()


def meeting(title: str, day: int) -> MeetingDraft:
    return MeetingDraft.model_validate(
        {
            "title": title,
            "start": datetime(2026, 12, day, 10, 0),
            "end": datetime(2026, 12, day, 12, 0),
            "tz": "Europe/Brussels",
            "location": "EEAS, Brussels",
        }
    )


def nothing_kept(svc: Services, ring: MemoryKeyring) -> None:
    assert svc.sync.accounts() == []
    assert ring.passwords == {}


# --- TLS ----------------------------------------------------------------------------------------


def test_the_test_server_serves_https_only_with_its_own_certificate(
    tls_radicale: Radicale,
) -> None:
    assert tls_radicale.url.startswith("https://127.0.0.1:")
    assert tls_radicale.calendar_url.startswith(tls_radicale.url)
    assert tls_radicale.certificate is not None
    assert b"BEGIN CERTIFICATE" in tls_radicale.certificate.read_bytes()
    answer = tls_radicale.request("PROPFIND", tls_radicale.calendar_url, b"", {"Depth": "0"})
    assert answer.status == 207


def test_an_untrusted_certificate_is_named_as_such_and_keeps_no_account(
    tls_radicale: Radicale, services: Services, ring: MemoryKeyring
) -> None:
    with pytest.raises(SyncError) as raised:
        services.sync.add_account(
            "team", tls_radicale.url, tls_radicale.user, tls_radicale.password
        )
    assert UNTRUSTED in raised.value.message
    assert "\n" not in raised.value.message
    nothing_kept(services, ring)


def test_with_the_certificate_given_two_databases_sync_over_tls(
    tls_radicale: Radicale, pair: tuple[Services, Services]
) -> None:
    ours, theirs = pair
    assert tls_radicale.certificate is not None
    for svc in (ours, theirs):
        added = svc.sync.add_account(
            "team",
            tls_radicale.url,
            tls_radicale.user,
            tls_radicale.password,
            calendar=tls_radicale.calendar_url,
            ca_file=str(tls_radicale.certificate),
        )
        assert added.account.url == tls_radicale.url
        assert added.account.ca_file == str(tls_radicale.certificate.resolve())
        assert [c.url for c in added.account.calendars] == [tls_radicale.calendar_url]

    talks = ours.meetings.create(meeting("EU-NATO Staff Talks", 3))
    (result,) = ours.sync.run()
    assert (result.error, result.pushed) == ("", 1)
    (result,) = theirs.sync.run()
    assert (result.error, result.pulled) == ("", 1)
    assert theirs.meetings.get(talks.uid).title == "EU-NATO Staff Talks"


def test_a_certificate_file_that_does_not_exist_is_refused_before_any_request(
    tls_radicale: Radicale, services: Services, ring: MemoryKeyring, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-certificate.pem"
    with pytest.raises(ValidationError) as raised:
        services.sync.add_account(
            "team",
            tls_radicale.url,
            tls_radicale.user,
            tls_radicale.password,
            ca_file=str(missing),
        )
    assert str(missing) in raised.value.message
    nothing_kept(services, ring)


def test_a_server_certificate_that_changed_stops_the_sync_and_loses_nothing(
    tls_radicale: Radicale, services: Services, tmp_path: Path
) -> None:
    assert tls_radicale.certificate is not None
    assert tls_radicale.key_path is not None
    trusted = tmp_path / "trusted.pem"  # the user's copy of the certificate, as given
    shutil.copyfile(tls_radicale.certificate, trusted)
    services.sync.add_account(
        "team", tls_radicale.url, tls_radicale.user, tls_radicale.password, ca_file=str(trusted)
    )
    kept = tmp_path / "kept"
    kept.mkdir()
    tls_radicale.stop()
    for file in (tls_radicale.certificate, tls_radicale.key_path):
        shutil.copyfile(file, kept / file.name)
    write_certificate(tls_radicale.certificate, tls_radicale.key_path)
    tls_radicale.start()  # same port, same data, a new key and self-signed certificate

    services.meetings.create(meeting("Structured Dialogue", 8))
    (result,) = services.sync.run()
    assert UNTRUSTED in result.error
    assert result.pushed == 0
    assert result.waiting == 1
    assert UNTRUSTED in services.sync.account("team").last_error

    tls_radicale.stop()  # the server gets its own certificate back
    for file in (tls_radicale.certificate, tls_radicale.key_path):
        shutil.copyfile(kept / file.name, file)
    tls_radicale.start()
    (result,) = services.sync.run()
    assert (result.error, result.pushed, result.waiting) == ("", 1, 0)


# --- discovery ----------------------------------------------------------------------------------


def test_a_url_with_only_the_host_finds_the_calendar(
    server: CalDAVServer, services: Services
) -> None:
    bare = server.url.rstrip("/")  # http://127.0.0.1:PORT, no path at all
    added = services.sync.add_account("team", bare, server.user, server.password)
    assert [c.url for c in added.account.calendars] == [server.calendar_url]


def test_a_url_below_the_dav_root_is_found_through_well_known(
    radicale: Radicale, services: Services
) -> None:
    # Radicale answers 404 to PROPFIND of a missing collection in the user's own space, and
    # 301 to / at /.well-known/caldav.
    with FaultProxy(radicale) as proxy:
        typed = proxy.url + f"{radicale.user}/nowhere/"
        added = services.sync.add_account("team", typed, radicale.user, radicale.password)
        seen = [(method, path, status) for method, path, _, status in proxy.requests()]
        assert added.account.url == typed
        assert [c.url for c in added.account.calendars] == [proxy.calendar_url]
        assert ("PROPFIND", f"/{radicale.user}/nowhere/", 404) in seen
        assert ("PROPFIND", "/.well-known/caldav", 301) in seen
        assert ("PROPFIND", "/", 207) in seen

        services.meetings.create(meeting("Staff Talks", 3))
        (result,) = services.sync.run()  # the account as typed goes on working
        assert (result.error, result.pushed) == ("", 1)


def test_a_url_outside_the_users_space_on_radicale_is_found_through_well_known(
    radicale: Radicale, services: Services
) -> None:
    typed = radicale.url + "some/where/"
    added = services.sync.add_account("team", typed, radicale.user, radicale.password)
    assert [c.url for c in added.account.calendars] == [radicale.calendar_url]


def test_a_url_below_the_dav_root_on_xandikos_is_found_through_well_known(
    xandikos: Xandikos, services: Services
) -> None:
    typed = xandikos.url + "some/where/"
    added = services.sync.add_account("team", typed, xandikos.user, xandikos.password)
    assert [c.url for c in added.account.calendars] == [xandikos.calendar_url]


class _NotCalDAV(BaseHTTPRequestHandler):
    """A plain web server: every method of every path gets the same answer."""

    status = 404
    body = b""
    seen: list[tuple[str, str]]

    def _answer(self) -> None:
        self.seen.append((self.command, self.path))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


for _method in ("GET", "OPTIONS", "PROPFIND", "REPORT", "PUT", "MKCALENDAR"):
    setattr(_NotCalDAV, f"do_{_method}", _NotCalDAV._answer)


@pytest.fixture(params=["404", "static page"])
def web_server(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(root URL, requests seen) of a plain HTTP server on a free loopback port."""
    page = b"<!doctype html><title>Intranet</title><p>Welcome.</p>"
    seen: list[tuple[str, str]] = []
    attributes: dict[str, object] = {"seen": seen}
    if request.param != "404":
        attributes |= {"status": 200, "body": page}
    handler = type("Handler", (_NotCalDAV,), attributes)
    httpd = ThreadingHTTPServer((HOST, 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://{HOST}:{httpd.server_address[1]}/", seen
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_a_server_that_is_not_caldav_gives_one_clear_error_and_keeps_nothing(
    web_server: tuple[str, list[tuple[str, str]]], services: Services, ring: MemoryKeyring
) -> None:
    url, seen = web_server
    with pytest.raises(SyncError) as raised:
        services.sync.add_account("team", url + "calendar/", "alice", "alice-secret")
    assert type(raised.value) is SyncError
    assert NOT_CALDAV in raised.value.message
    assert "\n" not in raised.value.message
    assert raised.value.__cause__ is None
    assert ("PROPFIND", "/calendar/") in seen
    assert ("PROPFIND", "/.well-known/caldav") in seen
    nothing_kept(services, ring)


# --- the password -------------------------------------------------------------------------------


def test_the_password_is_never_in_the_database_its_wal_or_an_error(
    tls_radicale: Radicale,
    web_server: tuple[str, list[tuple[str, str]]],
    ring: MemoryKeyring,
    tmp_path: Path,
) -> None:
    assert tls_radicale.certificate is not None
    assert tls_radicale.key_path is not None
    password = tls_radicale.password
    path = tmp_path / "secret-check.sqlite"
    svc = Services.open(path)
    errors: list[BaseException] = []
    attempts = [
        {"url": tls_radicale.url, "ca_file": ""},  # untrusted certificate
        {"url": tls_radicale.url, "ca_file": str(tmp_path / "missing.pem")},
        {"url": web_server[0]},  # not CalDAV
        {"url": tls_radicale.url, "password": "wrong-" + password},
    ]
    for attempt in attempts:
        arguments = {"password": password, "ca_file": str(tls_radicale.certificate)} | attempt
        with pytest.raises((SyncError, ValidationError)) as raised:
            svc.sync.add_account(
                "team",
                arguments["url"],
                tls_radicale.user,
                arguments["password"],
                ca_file=arguments["ca_file"],
            )
        errors.append(raised.value)

    trusted = tmp_path / "trusted.pem"
    shutil.copyfile(tls_radicale.certificate, trusted)
    svc.sync.add_account(
        "team", tls_radicale.url, tls_radicale.user, password, ca_file=str(trusted)
    )
    svc.meetings.create(meeting("Staff Talks", 3))
    (result,) = svc.sync.run()
    assert (result.error, result.pushed) == ("", 1)
    tls_radicale.stop()  # a failed run stores its message in the database
    tls_radicale.certificate.unlink()
    tls_radicale.key_path.unlink()
    tls_radicale.start()
    (result,) = svc.sync.run()
    assert UNTRUSTED in result.error

    secrets = [password.encode(), base64.b64encode(f"{tls_radicale.user}:{password}".encode())]
    messages = [result.error, svc.sync.account("team").last_error]
    for error in errors:
        messages += [str(error), repr(error), "".join(traceback.format_exception(error))]
    for text in messages:
        assert password not in text

    wal = path.with_name(path.name + "-wal")
    assert wal.is_file()  # checked while the app has the file open, before a checkpoint
    for file in [path, wal]:
        data = file.read_bytes()
        assert not any(secret in data for secret in secrets), file.name
    svc.close()
    for file in tmp_path.glob(path.name + "*"):
        data = file.read_bytes()
        assert not any(secret in data for secret in secrets), file.name
