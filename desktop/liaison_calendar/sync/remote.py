"""The only code that talks CalDAV: one account's server, through the ``caldav`` library.

Every write is conditional: ``If-None-Match: *`` to create, ``If-Match: <etag>`` to change or
delete, so that nothing anyone else saved meanwhile is ever overwritten (a 412 comes back as
:class:`ChangedOnServer`). Changes are read with sync-collection (RFC 6578) and fetched with
calendar-multiget; a server without sync tokens, or one that has forgotten ours, is read whole
(every href with its ETag) and compared.

The password is handed in by the caller and kept only in the client object: never logged,
never written anywhere.
"""

import hashlib
import logging
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote, unquote, urljoin, urlsplit

from lxml import etree

from liaison_calendar.errors import LiaisonError

log = logging.getLogger(__name__)

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CS = "http://calendarserver.org/ns/"
_NS = {"d": DAV, "c": CALDAV, "cs": CS}
MULTIGET_BATCH = 100
TIMEOUT = 30


class SyncError(LiaisonError):
    """A sync that could not finish; whatever it had done is kept, and the next one goes on."""


class OfflineError(SyncError):
    """The server cannot be reached (no network, server down, timed out)."""


class AuthError(SyncError):
    """The server refused the user name or password."""


class ForbiddenError(AuthError):
    """403: the user is known but may not do this there."""


class ServerError(SyncError):
    """The server answered a request with an error (5xx, 507 full, an unexpected reply)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ChangedOnServer(Exception):  # noqa: N818 - a condition the caller handles, not a failure
    """412: the resource is not what the request expected (someone changed or created it)."""


class _TokenRefused(Exception):  # noqa: N818
    pass


@dataclass(frozen=True)
class RemoteCalendar:
    url: str
    name: str


@dataclass(frozen=True)
class Listing:
    """What changed in a collection: hrefs with their new ETags, hrefs removed, the new token.

    ``complete`` says the listing holds every resource (a first sync or a full comparison), so
    that a stored href missing from it was removed on the server.
    """

    changed: dict[str, str]
    removed: list[str]
    token: str | None
    complete: bool


@dataclass(frozen=True)
class Fetched:
    href: str
    etag: str
    data: bytes


def path_of(href: str) -> str:
    """The decoded path of an href or URL, as one comparable key."""
    return unquote(urlsplit(href).path)


def resource_name(uid: str) -> str:
    """The file name of a UID's resource: the UID itself when it is a safe name."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,150}", uid) and ".." not in uid:
        return f"{uid}.ics"
    return hashlib.sha256(uid.encode("utf-8", "surrogatepass")).hexdigest()[:40] + ".ics"


class Remote:
    """One account's server. Methods raise :class:`SyncError` subclasses on failure."""

    def __init__(
        self,
        url: str,
        user: str,
        password: str,
        *,
        ca_file: str = "",
        timeout: float = TIMEOUT,
    ) -> None:
        from caldav.davclient import DAVClient

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SyncError(f"{url!r} is not a server address: give one like https://host/dav/.")
        self.url = url if url.endswith("/") else url + "/"
        verify: bool | str = ca_file or True
        self._client = DAVClient(
            url=self.url,
            username=user,
            password=password,
            ssl_verify_cert=verify,
            timeout=int(timeout),
            enable_rfc6764=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Remote":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- requests -------------------------------------------------------------------------

    def _request(
        self,
        url: str,
        method: str,
        body: str | bytes = "",
        headers: dict[str, str] | None = None,
    ) -> Any:
        import caldav.lib.error as caldav_error

        target = urljoin(self.url, url if "://" in url else quote(url))
        try:
            response = self._client.request(target, method, cast(str, body), headers or {})
        except caldav_error.AuthorizationError as exc:
            if exc.status == 403 and "valid-sync-token" in str(exc.body or ""):
                raise _TokenRefused from None
            if exc.status == 403:  # logged in, but not allowed there: not a wrong password
                raise ForbiddenError(
                    f"The server {self._host} refused {method} {path_of(target)} (403 Forbidden)."
                ) from None
            raise AuthError(f"The server {self._host} refused the user name or password.") from None
        except caldav_error.RateLimitError:
            raise ServerError(
                f"The server {self._host} is busy (too many requests).", 429
            ) from None
        except caldav_error.DAVError as exc:
            raise ServerError(f"The server {self._host} answered: {exc.reason}.") from None
        except OSError as exc:  # the HTTP library's errors are OSErrors
            raise OfflineError(f"Cannot reach {self._host}: {_reason(exc)}.") from None
        return response

    @property
    def _host(self) -> str:
        return urlsplit(self.url).netloc

    def _failed(self, response: Any, what: str) -> ServerError:
        status = int(response.status)
        if status == 507:
            text = f"The server {self._host} is out of space ({what})."
        elif status in (401, 403):
            raise AuthError(f"The server {self._host} refused access ({what}, {status}).")
        else:
            reason = getattr(response, "reason", "") or ""
            text = f"The server {self._host} answered {status} {reason}".rstrip() + f" ({what})."
        return ServerError(text, status)

    def _xml(self, response: Any) -> Any:
        raw = response.raw
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        try:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
            return etree.fromstring(data, parser)
        except (etree.XMLSyntaxError, ValueError):
            raise ServerError(f"The server {self._host} sent a reply that is not XML.") from None

    def _propfind(self, url: str, props: str, depth: int) -> Any:
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<d:propfind xmlns:d="DAV:" xmlns:c="{CALDAV}" xmlns:cs="{CS}"><d:prop>{props}'
            "</d:prop></d:propfind>"
        )
        response = self._request(
            url, "PROPFIND", body, {"Depth": str(depth), "Content-Type": "application/xml"}
        )
        if int(response.status) != 207:
            raise self._failed(response, f"PROPFIND {path_of(url)}")
        return self._xml(response)

    # --- discovery ------------------------------------------------------------------------

    def home(self) -> str:
        """The user's calendar home: principal (or /.well-known/caldav), then its home set."""
        principal = self._principal()
        tree = self._propfind(principal, "<c:calendar-home-set/>", 0)
        homes = [h.text for h in tree.iterfind(".//c:calendar-home-set/d:href", _NS) if h.text]
        if not homes:
            raise SyncError(f"The server {self._host} does not say where the calendars are.")
        return urljoin(self.url, str(homes[0]))

    def calendars(self) -> list[RemoteCalendar]:
        """The calendars in the user's calendar home."""
        found: list[RemoteCalendar] = []
        for home in [self.home()]:
            tree = self._propfind(home, "<d:resourcetype/><d:displayname/>", 1)
            for resp in tree.iterfind("d:response", _NS):
                href = resp.findtext("d:href", namespaces=_NS)
                if not href or resp.find(".//d:resourcetype/c:calendar", _NS) is None:
                    continue
                name = resp.findtext(".//d:displayname", namespaces=_NS) or ""
                found.append(RemoteCalendar(urljoin(self.url, href), name.strip()))
        return found

    def _principal(self) -> str:
        """The user's principal: asked at the address typed, else where /.well-known/caldav
        leads (its redirect followed with PROPFIND: the HTTP library would turn a 302 into a
        GET), else at the server's root."""
        tried: list[str] = []
        for start in (self.url, self._well_known(), urljoin(self.url, "/")):
            if start is None or start in tried:
                continue
            tried.append(start)
            try:
                tree = self._propfind(start, "<d:current-user-principal/>", 0)
            except (ServerError, ForbiddenError):
                continue  # not the DAV root, or not this user's part of the server
            href = tree.findtext(".//d:current-user-principal/d:href", namespaces=_NS)
            if href:
                return urljoin(self.url, str(href))
        raise SyncError(
            f"{self.url} does not look like a CalDAV server (no current user principal, "
            "there or at /.well-known/caldav)."
        )

    def _well_known(self) -> str | None:
        url = urljoin(self.url, "/.well-known/caldav")
        try:
            response = self._client.session.request(
                "PROPFIND",
                url,
                headers={"Depth": "0"},
                allow_redirects=False,
                timeout=self._client.timeout,
                verify=self._client.ssl_verify_cert,
            )
        except OSError:
            return None
        location = response.headers.get("Location")
        if response.status_code in (301, 302, 303, 307, 308) and location:
            return urljoin(url, str(location))
        return url

    def check_calendar(self, url: str) -> RemoteCalendar:
        tree = self._propfind(url, "<d:resourcetype/><d:displayname/>", 0)
        if tree.find(".//d:resourcetype/c:calendar", _NS) is None:
            raise SyncError(f"{url} is not a calendar on the server.")
        name = tree.findtext(".//d:displayname", namespaces=_NS) or ""
        return RemoteCalendar(urljoin(self.url, url), name.strip())

    # --- reading --------------------------------------------------------------------------

    def changes(self, collection: str, token: str | None) -> Listing:
        """What changed since ``token`` (everything when None); a refused token reads all."""
        if token:
            try:
                return self._sync_collection(collection, token)
            except _TokenRefused:
                log.info("sync token of %s refused; comparing everything", path_of(collection))
        try:
            return self._sync_collection(collection, "")
        except _TokenRefused:
            return self._etags(collection)

    def _sync_collection(self, collection: str, token: str) -> Listing:
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<d:sync-collection xmlns:d="DAV:">'
            f"<d:sync-token>{_escape(token)}</d:sync-token>"
            "<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"
        )
        response = self._request(
            collection, "REPORT", body, {"Depth": "0", "Content-Type": "application/xml"}
        )
        status = int(response.status)
        if status != 207:
            # An expired token (the valid-sync-token precondition), or a server that has no
            # sync-collection at all: both are answered by reading everything.
            if status in (400, 403, 405, 409, 412, 415, 501) or (status == 404 and token):
                raise _TokenRefused
            raise self._failed(response, f"sync of {path_of(collection)}")
        tree = self._xml(response)
        changed: dict[str, str] = {}
        removed: list[str] = []
        base = path_of(collection)
        for resp in tree.iterfind("d:response", _NS):
            href = resp.findtext("d:href", namespaces=_NS)
            if not href or path_of(href).rstrip("/") == base.rstrip("/"):
                continue
            own_status = resp.findtext("d:status", namespaces=_NS) or ""
            if " 404" in own_status:
                removed.append(path_of(href))
                continue
            etag = _etag_of(resp)
            if etag is not None and not path_of(href).endswith("/"):
                changed[path_of(href)] = etag
        new_token = tree.findtext("d:sync-token", namespaces=_NS)
        return Listing(changed, removed, new_token or None, complete=not token)

    def _etags(self, collection: str) -> Listing:
        tree = self._propfind(collection, "<d:getetag/><d:resourcetype/>", 1)
        base = path_of(collection).rstrip("/")
        changed: dict[str, str] = {}
        for resp in tree.iterfind("d:response", _NS):
            href = resp.findtext("d:href", namespaces=_NS)
            if not href or path_of(href).rstrip("/") == base or href.endswith("/"):
                continue
            etag = _etag_of(resp)
            if etag is not None:
                changed[path_of(href)] = etag
        return Listing(changed, [], None, complete=True)

    def fetch(self, collection: str, hrefs: Sequence[str]) -> list[Fetched]:
        """The data and ETags of ``hrefs`` (calendar-multiget, in batches); gone ones left out."""
        out: list[Fetched] = []
        for first in range(0, len(hrefs), MULTIGET_BATCH):
            out.extend(self._multiget(collection, hrefs[first : first + MULTIGET_BATCH]))
        return out

    def _multiget(self, collection: str, hrefs: Sequence[str]) -> list[Fetched]:
        listed = "".join(f"<d:href>{_escape(quote(h))}</d:href>" for h in hrefs)
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<c:calendar-multiget xmlns:d="DAV:" xmlns:c="{CALDAV}">'
            f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{listed}</c:calendar-multiget>"
        )
        response = self._request(
            collection, "REPORT", body, {"Depth": "1", "Content-Type": "application/xml"}
        )
        if int(response.status) != 207:
            raise self._failed(response, f"reading {len(hrefs)} events")
        out = []
        for resp in self._xml(response).iterfind("d:response", _NS):
            href = resp.findtext("d:href", namespaces=_NS)
            data = resp.findtext(".//c:calendar-data", namespaces=_NS)
            etag = _etag_of(resp)
            if href and data is not None and etag is not None:
                # XML carries line ends as LF; iCalendar wants CRLF.
                text = data.replace("\r\n", "\n").replace("\n", "\r\n")
                out.append(Fetched(path_of(href), etag, text.encode("utf-8", "surrogatepass")))
        return out

    def get(self, href: str) -> Fetched | None:
        response = self._request(href, "GET")
        status = int(response.status)
        if status == 404 or status == 410:
            return None
        if status != 200:
            raise self._failed(response, f"reading {posixpath.basename(path_of(href))}")
        etag = response.headers.get("ETag") or self._etag(href) or ""
        raw = response.raw
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        return Fetched(path_of(href), etag, data)

    def _etag(self, href: str) -> str | None:
        try:
            tree = self._propfind(href, "<d:getetag/>", 0)
        except ServerError:
            return None
        return _etag_of(tree.find("d:response", _NS)) if tree is not None else None

    # --- writing --------------------------------------------------------------------------

    def create(self, href: str, data: bytes) -> str:
        """PUT a new resource; :class:`ChangedOnServer` if one is already there. Its ETag."""
        return self._put(href, data, {"If-None-Match": "*"})

    def update(self, href: str, data: bytes, etag: str) -> str:
        """PUT over the resource whose ETag is ``etag``; :class:`ChangedOnServer` if it is not."""
        return self._put(href, data, {"If-Match": etag})

    def _put(self, href: str, data: bytes, condition: dict[str, str]) -> str:
        headers = {"Content-Type": "text/calendar; charset=utf-8", **condition}
        response = self._request(href, "PUT", data, headers)
        status = int(response.status)
        if status == 412:
            raise ChangedOnServer(href)
        if status == 404 and "If-Match" in condition:
            raise ChangedOnServer(href)  # deleted meanwhile
        if status not in (200, 201, 204):
            raise self._failed(response, f"saving {posixpath.basename(path_of(href))}")
        etag = response.headers.get("ETag")
        if etag and not etag.startswith("W/"):
            return str(etag)
        # No (strong) ETag: the server changed what it stored. Ask for the one it has.
        return self._etag(href) or ""

    def delete(self, href: str, etag: str) -> None:
        """DELETE if still ``etag``; gone already is fine; :class:`ChangedOnServer` if changed."""
        response = self._request(href, "DELETE", "", {"If-Match": etag})
        status = int(response.status)
        if status == 412:
            raise ChangedOnServer(href)
        if status in (404, 410):
            return
        if status not in (200, 204):
            raise self._failed(response, f"deleting {posixpath.basename(path_of(href))}")

    def make_calendar(self, url: str, name: str) -> RemoteCalendar:
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<c:mkcalendar xmlns:d="DAV:" xmlns:c="{CALDAV}"><d:set><d:prop>'
            f"<d:displayname>{_escape(name)}</d:displayname></d:prop></d:set></c:mkcalendar>"
        )
        response = self._request(url, "MKCALENDAR", body, {"Content-Type": "application/xml"})
        if int(response.status) not in (200, 201):
            raise self._failed(response, f"creating the calendar {path_of(url)}")
        return RemoteCalendar(urljoin(self.url, url), name)


def _etag_of(resp: Any) -> str | None:
    if resp is None:
        return None
    for propstat in resp.iterfind("d:propstat", _NS):
        status = propstat.findtext("d:status", namespaces=_NS) or ""
        if " 200" not in status:
            continue
        etag = propstat.findtext("d:prop/d:getetag", namespaces=_NS)
        if etag:
            return str(etag.strip())
    return None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _reason(exc: OSError) -> str:
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "refused" in lowered:
        return "the connection was refused (is the server running?)"
    if "timed out" in lowered or "timeout" in lowered:
        return "no answer in time"
    if "certificate" in lowered or "ssl" in lowered:
        return "its certificate is not trusted (see --ca-file)"
    if "name or service" in lowered or "resolve" in lowered or "getaddrinfo" in lowered:
        return "the host name is unknown"
    return text.splitlines()[0][:200]


def joined(collection: str, name: str) -> str:
    """The path of resource ``name`` in ``collection``."""
    return path_of(collection).rstrip("/") + "/" + name
