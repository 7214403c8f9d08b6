"""Smoke tests of the sync test harness: the servers answer `caldav` as the sync code expects.

They also pin the behaviour of each server that the sync code relies on (ETag on PUT, the answer
to a stale sync token...), so that an upgrade that changes it shows up here first.
"""

import urllib.parse
import uuid
from typing import Any

import caldav
import niquests
import pytest
from caldav.lib.error import AuthorizationError

from tests.sync.servers import (
    BAD_GATEWAY,
    DROPPED,
    USERS,
    CalDAVServer,
    FaultProxy,
    Radicale,
)

DAV = "{DAV:}"

SYNC_REPORT = """<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:">
  <D:sync-token>{token}</D:sync-token>
  <D:sync-level>1</D:sync-level>
  <D:prop><D:getetag/></D:prop>
</D:sync-collection>
"""

# What each server answers to a sync token it does not know (made up, or expired): RFC 6578
# names the precondition DAV:valid-sync-token; the status differs.
INVALID_TOKEN_STATUS = {"radicale": 403, "xandikos": 412}


def client_for(target: CalDAVServer | FaultProxy, password: str | None = None) -> caldav.DAVClient:
    return caldav.DAVClient(
        url=target.url,
        username=target.user,
        password=target.password if password is None else password,
        timeout=10,
    )


def event(uid: str, summary: str = "Staff talks") -> str:
    return (
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:-//Liaison Calendar//tests//EN\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:{uid}\r\n"
        "DTSTAMP:20261125T090000Z\r\n"
        "DTSTART:20261201T090000Z\r\n"
        "DTEND:20261201T100000Z\r\n"
        f"SUMMARY:{summary}\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )


def create(client: caldav.DAVClient, calendar_url: str, uid: str | None = None) -> Any:
    """PUT a new event with If-None-Match: *; return (url, response)."""
    uid = uid or str(uuid.uuid4())
    url = f"{calendar_url}{uid}.ics"
    headers = {"If-None-Match": "*", "Content-Type": "text/calendar; charset=utf-8"}
    return url, client.put(url, event(uid), headers)


def path(url: str) -> str:
    return urllib.parse.urlsplit(url).path


def sync(
    client: caldav.DAVClient, calendar_url: str, token: str = ""
) -> tuple[str, dict[str, int]]:
    """REPORT sync-collection: the new token and {href: status} of the changes since `token`."""
    response = client.report(calendar_url, SYNC_REPORT.format(token=token), depth=0)
    assert response.status == 207, response.raw
    tree = response.tree
    new_token = tree.findtext(f"{DAV}sync-token")
    assert new_token
    changes: dict[str, int] = {}
    for item in tree.iter(f"{DAV}response"):
        href = item.findtext(f"{DAV}href")
        status = item.findtext(f"{DAV}status") or item.findtext(f"{DAV}propstat/{DAV}status")
        assert href
        assert status
        changes[href] = int(status.split()[1])
    return new_token, changes


def test_discovery_from_the_root_url_finds_the_calendars(server: CalDAVServer) -> None:
    client = client_for(server)
    assert server.calendar_url in [str(c.url) for c in client.principal().calendars()]

    url = server.make_calendar("second")
    calendars = client_for(server).principal().calendars()
    assert {server.calendar_url, url} <= {str(calendar.url) for calendar in calendars}


def test_put_if_none_match_creates_once(server: CalDAVServer) -> None:
    client = client_for(server)
    url, created = create(client, server.calendar_url, "meeting-1")
    # Both servers answer 201 with the ETag of the stored item.
    assert created.status in (201, 204)
    assert created.headers.get("ETag", "").startswith('"')
    assert client.request(url, "GET").headers["ETag"] == created.headers["ETag"]
    _, again = create(client, server.calendar_url, "meeting-1")
    assert again.status == 412


def test_sync_collection_lists_changes_since_a_token(server: CalDAVServer) -> None:
    client = client_for(server)
    first, _ = create(client, server.calendar_url)
    token, changes = sync(client, server.calendar_url)
    assert changes == {path(first): 200}

    second, _ = create(client, server.calendar_url)
    token, changes = sync(client, server.calendar_url, token)
    assert changes == {path(second): 200}

    assert client.delete(first).status in (200, 204)
    token, changes = sync(client, server.calendar_url, token)
    assert changes == {path(first): 404}

    _, changes = sync(client, server.calendar_url, token)
    assert changes == {}


def test_unknown_sync_token_is_refused(server: CalDAVServer) -> None:
    client = client_for(server)
    token, _ = sync(client, server.calendar_url)
    stale = token[:-8] + "00000000"
    query = SYNC_REPORT.format(token=stale)
    # caldav raises AuthorizationError on any 403, so Radicale's refusal comes as an exception;
    # Xandikos's 412 comes back as a response. Both bodies are <D:error><D:valid-sync-token/>.
    if INVALID_TOKEN_STATUS[server.name] == 403:
        with pytest.raises(AuthorizationError) as refused:
            client.report(server.calendar_url, query, depth=0)
        assert refused.value.status == 403
        assert refused.value.preconditions == [f"{DAV}valid-sync-token"]
    else:
        response = client.report(server.calendar_url, query, depth=0)
        assert response.status == INVALID_TOKEN_STATUS[server.name]
        assert response.tree.find(f"{DAV}valid-sync-token") is not None


def test_restart_keeps_the_data_and_the_proxy_answers_502_meanwhile(
    proxied: tuple[CalDAVServer, FaultProxy],
) -> None:
    server, proxy = proxied
    client = client_for(proxy)
    url, _ = create(client, proxy.calendar_url)
    token, _ = sync(client, proxy.calendar_url)
    port = server.port
    server.stop()
    assert not server.running
    assert client.request(url, "GET").status == BAD_GATEWAY
    assert proxy.log[-1][3] == BAD_GATEWAY

    server.start()
    assert server.port == port
    assert client.request(url, "GET").status == 200
    _, changes = sync(client, proxy.calendar_url, token)
    assert changes == {}


def test_proxy_fail_next_answers_the_next_request_only(
    proxied: tuple[CalDAVServer, FaultProxy],
) -> None:
    server, proxy = proxied
    client = client_for(proxy)
    calendars = [str(calendar.url) for calendar in client.principal().calendars()]
    assert proxy.calendar_url in calendars
    assert all(url.startswith(proxy.url) for url in calendars)

    proxy.fail_next(500)
    assert client.request(proxy.calendar_url, "PROPFIND", "", {"Depth": "0"}).status == 500
    assert client.request(proxy.calendar_url, "PROPFIND", "", {"Depth": "0"}).status == 207

    proxy.fail_next(507, methods={"PUT"})
    assert client.request(proxy.calendar_url, "PROPFIND", "", {"Depth": "0"}).status == 207
    url, refused = create(client, proxy.calendar_url)
    assert refused.status == 507
    assert server.request("GET", url.replace(proxy.url, server.url)).status == 404
    _, created = create(client, proxy.calendar_url)
    assert created.status == 201
    assert [entry[3] for entry in proxy.requests("PUT")] == [507, 201]
    method, logged_path, headers, status = proxy.log[-1]
    assert (method, status) == ("PUT", 201)
    assert logged_path.startswith(path(proxy.calendar_url))
    assert headers["If-None-Match"] == "*"


def test_proxy_drop_next_loses_the_request_or_its_answer(
    proxied: tuple[CalDAVServer, FaultProxy],
) -> None:
    server, proxy = proxied
    client = client_for(proxy)
    client.principal()  # caldav sends the password only once a 401 asked for it

    proxy.drop_next(methods={"PUT"})
    with pytest.raises(niquests.exceptions.ConnectionError):
        create(client, proxy.calendar_url, "lost-request")
    assert [entry[3] for entry in proxy.requests("PUT")] == [DROPPED]  # no retry by niquests
    assert server.request("GET", f"{server.calendar_url}lost-request.ics").status == 404

    proxy.drop_next(methods={"PUT"}, forward=True)
    with pytest.raises(niquests.exceptions.ConnectionError):
        create(client, proxy.calendar_url, "lost-answer")
    assert server.request("GET", f"{server.calendar_url}lost-answer.ics").status == 200
    _, again = create(client, proxy.calendar_url, "lost-answer")
    assert again.status == 412


def test_radicale_refuses_a_wrong_password_and_other_users(radicale: Radicale) -> None:
    with pytest.raises(AuthorizationError) as refused:
        client_for(radicale, password="not-the-password").principal()
    assert refused.value.status == 401

    bob = caldav.DAVClient(url=radicale.url, username="bob", password=USERS["bob"], timeout=10)
    assert bob.principal().calendars() == []
    with pytest.raises(AuthorizationError) as forbidden:
        bob.request(radicale.calendar_url, "PROPFIND", "", {"Depth": "0"})
    assert forbidden.value.status == 403


def test_radicale_without_auth_takes_any_password(tmp_path: Any) -> None:
    with Radicale(tmp_path / "open", auth="none") as server:
        client = client_for(server, password="anything")
        assert server.calendar_url in [str(c.url) for c in client.principal().calendars()]
