"""Real CalDAV servers for the sync tests, and a proxy in front of them that injects faults.

`Radicale` and `Xandikos` run the real servers from the project venv in a subprocess, listening on
127.0.0.1 only, with their data in a folder the test owns (`tmp_path`). `stop()` keeps that folder,
so `start()` again brings the same data back on the same port: a server that restarts.

`Radicale(..., tls=True)` serves HTTPS with a self-signed certificate for 127.0.0.1 (written into
its folder, path in `server.certificate`): a client trusts it only when given that file.

`FaultProxy` sits between the client and either server and can answer the next requests with an
error status or drop the connection without an answer, and it logs every request it sees.

Only the standard library is used here, and `cryptography` (installed with keyring) to make the
certificate; the tests talk to the servers through `caldav`.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import http.client
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Literal, Self

HOST = "127.0.0.1"
READY_TIMEOUT = 15.0
"""Seconds a server gets to answer its first HTTP request after the process starts."""
STOP_TIMEOUT = 5.0
"""Seconds a server gets to exit after SIGTERM before it is killed."""
HTTP_TIMEOUT = 10.0
"""Socket timeout of every HTTP exchange made here (setup requests, proxy to server)."""

USERS = {"alice": "alice-secret", "bob": "bob-secret"}
"""The accounts of the Radicale htpasswd file. Both test app databases log in as alice."""

# The server runs as `python -m MODULE ARGS` would, plus a thread that ends the process when
# its stdin reaches end of file: when the test process dies without stopping it (a pytest
# timeout ends the run with os._exit), the pipe closes and the server does not outlive it.
# os.read, not sys.stdin.read: a thread blocked in the buffered reader holds its lock, and the
# interpreter then waits a whole second for it at exit, on every stop().
_LAUNCHER = (
    "import os, runpy, sys, threading\n"
    "def _watch():\n"
    "    while os.read(0, 4096):\n"
    "        pass\n"
    "    os._exit(3)\n"
    "threading.Thread(target=_watch, daemon=True).start()\n"
    "module = sys.argv.pop(1)\n"
    "runpy.run_module(module, run_name='__main__', alter_sys=True)\n"
)

_MKCALENDAR_BODY = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>{name}</D:displayname>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>
"""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (another process may still take it later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Response:
    """A whole HTTP response; header names are lower-case, repeated headers joined by ", "."""

    status: int
    headers: dict[str, str]
    body: bytes


def http_request(
    url: str,
    method: str = "GET",
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    *,
    timeout: float = HTTP_TIMEOUT,
    context: ssl.SSLContext | None = None,
) -> Response:
    """One request on a fresh connection to an http:// or https:// URL (verified with
    `context`, by default the system's trust store); errors of the socket propagate."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            parts.hostname or HOST, parts.port, timeout=timeout, context=context
        )
    else:
        conn = http.client.HTTPConnection(parts.hostname or HOST, parts.port, timeout=timeout)
    try:
        conn.request(method, target, body=body or None, headers=dict(headers or {}))
        answer = conn.getresponse()
        data = answer.read()
        return Response(answer.status, _header_dict(answer.getheaders()), data)
    finally:
        conn.close()


def basic_auth(user: str, password: str) -> str:
    """The value of an Authorization header for HTTP basic authentication."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def write_certificate(certificate: Path, key: Path, host: str = HOST) -> None:
    """A self-signed TLS server certificate for `host` (an IP address: IP SAN) and its key,
    both PEM; the certificate is its own issuer, so trusting the file is trusting the server."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    identifier = x509.SubjectKeyIdentifier.from_public_key(private.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(identifier, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(identifier),
            critical=False,
        )
        .sign(private, hashes.SHA256())
    )
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key.chmod(0o600)
    certificate.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _header_dict(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


class _Server:
    """A CalDAV server in a subprocess; subclasses say how to run it and where the calendar is."""

    name = "server"
    module = ""

    def __init__(
        self,
        folder: Path,
        *,
        port: int | None = None,
        user: str = "alice",
        password: str = USERS["alice"],
        tls: bool = False,
    ) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.tls = tls
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://{HOST}:{self.port}/"
        """The root URL, what a user would type in the account dialog; discovery starts here."""
        self.certificate = self.folder / "certificate.pem" if tls else None
        """With `tls`: the server's self-signed certificate (PEM), what a client must trust."""
        self.key_path = self.folder / "key.pem" if tls else None
        self.user = user
        self.password = password
        self.calendar_url = ""
        """The full URL of the calendar made at the first start (set by the subclass)."""
        self.log_path = self.folder / "server.log"
        self.start_seconds = 0.0
        """How long the last `start()` took, process launch to first HTTP answer."""
        self._process: subprocess.Popen[bytes] | None = None

    # -- subclass hooks -------------------------------------------------------------------------

    def _arguments(self) -> list[str]:
        raise NotImplementedError

    def _prepare(self) -> None:
        """Write whatever the server needs on disk before it starts."""

    def _prepare_tls(self) -> None:
        """With `tls`, write the certificate and key once: a restart keeps serving the same."""
        if self.certificate is None or self.key_path is None:
            return
        if not (self.certificate.is_file() and self.key_path.is_file()):
            write_certificate(self.certificate, self.key_path)

    def _after_start(self) -> None:
        """Make the collections the tests expect, once the server answers."""

    # -- public interface -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> Self:
        """Start the server (again), same port and data folder; return once it answers HTTP."""
        if self.running:
            return self
        self._prepare_tls()
        self._prepare()
        began = time.monotonic()
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _LAUNCHER, self.module, *self._arguments()],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
                env=self._environment(),
            )
        try:
            self._wait_until_ready()
            self.start_seconds = time.monotonic() - began
            self._after_start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Terminate the server, kill it if it has not exited after a while. The data stays."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT)
        if process.stdin is not None:
            process.stdin.close()

    def request(
        self,
        method: str,
        url: str,
        body: bytes | str = b"",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """A raw request as `user` to a URL, or to a path relative to the server's root."""
        full = urllib.parse.urljoin(self.url, url)
        data = body.encode() if isinstance(body, str) else body
        return http_request(
            full,
            method,
            data,
            self._auth_headers() | dict(headers or {}),
            context=self.ssl_context(),
        )

    def ssl_context(self) -> ssl.SSLContext | None:
        """With `tls`: a client context that trusts the server's certificate (and only it)."""
        if self.certificate is None:
            return None
        return ssl.create_default_context(cafile=str(self.certificate))

    def make_calendar(self, name: str) -> str:
        """MKCALENDAR a calendar `name` in the user's calendar home; return its full URL."""
        url = urllib.parse.urljoin(self.url, self._calendar_path(name))
        answer = self.request(
            "MKCALENDAR",
            url,
            _MKCALENDAR_BODY.format(name=name),
            {"Content-Type": "application/xml; charset=utf-8"},
        )
        if answer.status not in (200, 201):
            raise RuntimeError(
                f"{self.name}: MKCALENDAR {url} answered {answer.status}: {answer.body[:500]!r}"
            )
        return url

    def log_text(self) -> str:
        """What the server wrote on its stdout and stderr so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<{type(self).__name__} {self.url} {state}>"

    # -- helpers --------------------------------------------------------------------------------

    def _calendar_path(self, name: str) -> str:
        raise NotImplementedError

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": basic_auth(self.user, self.password)}

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def _exists(self, url: str) -> bool:
        answer = self.request("PROPFIND", url, b"", {"Depth": "0"})
        if answer.status == 207:
            return True
        if answer.status == 404:
            return False
        raise RuntimeError(f"{self.name}: PROPFIND {url} answered {answer.status}")

    def _wait_until_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            code = self._process.poll()
            if code is not None:
                raise RuntimeError(
                    f"{self.name} exited with code {code} before answering on {self.url}:\n"
                    f"{self.log_text()[-4000:]}"
                )
            try:
                http_request(self.url, "OPTIONS", timeout=1.0, context=self.ssl_context())
            except (OSError, http.client.HTTPException):
                pass
            else:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.name} did not answer on {self.url} within {READY_TIMEOUT:.0f} s:\n"
                    f"{self.log_text()[-4000:]}"
                )
            time.sleep(0.02)


class Radicale(_Server):
    """Radicale 3 with filesystem storage in `folder/collections`.

    `auth="htpasswd"` (the default) knows the `USERS` (plain-text htpasswd file) and each user owns
    `/USER/` (rights `owner_only`); `auth="none"` takes any user name and password. The calendar
    `/alice/<calendar>/` is made at start when missing. `tls=True` serves HTTPS only, with the
    self-signed certificate `certificate` (made at the first start, kept in `folder`).
    """

    name = "radicale"
    module = "radicale"

    def __init__(
        self,
        folder: Path,
        *,
        auth: Literal["htpasswd", "none"] = "htpasswd",
        calendar: str = "team",
        port: int | None = None,
        user: str = "alice",
        password: str = USERS["alice"],
        tls: bool = False,
    ) -> None:
        super().__init__(folder, port=port, user=user, password=password, tls=tls)
        self.auth = auth
        self.storage = self.folder / "collections"
        self.config_path = self.folder / "radicale.conf"
        self.htpasswd_path = self.folder / "users"
        self.calendar_url = urllib.parse.urljoin(self.url, self._calendar_path(calendar))

    def _calendar_path(self, name: str) -> str:
        return f"{self.user}/{name}/"

    def _arguments(self) -> list[str]:
        return ["--config", str(self.config_path)]

    def _prepare(self) -> None:
        tls = ""
        if self.certificate is not None and self.key_path is not None:
            tls = f"ssl = True\ncertificate = {self.certificate}\nkey = {self.key_path}\n"
        self.storage.mkdir(parents=True, exist_ok=True)
        self.htpasswd_path.write_text(
            "".join(f"{user}:{password}\n" for user, password in USERS.items()), encoding="utf-8"
        )
        # Since 3.9 the default auth type is denyall: set it. The delays (1 s by default) after
        # a refused login and after any 5xx answer would only slow the tests down.
        self.config_path.write_text(
            f"""[server]
hosts = {HOST}:{self.port}
max_connections = 20
delay_on_error = 0
timeout = 30
{tls}
[auth]
type = {self.auth}
htpasswd_filename = {self.htpasswd_path}
htpasswd_encryption = plain
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = {self.storage}

[web]
type = none

[logging]
level = warning
mask_passwords = True
""",
            encoding="utf-8",
        )

    def _after_start(self) -> None:
        if not self._exists(self.calendar_url):
            path = urllib.parse.urlsplit(self.calendar_url).path
            self.make_calendar(path.strip("/").rsplit("/", 1)[-1])


class Xandikos(_Server):
    """Xandikos (single user, no authentication: user and password are sent and ignored).

    `--defaults` makes the principal `/<user>/` with the calendar `/<user>/calendars/calendar/`
    (plus an address book, an inbox and an outbox); each collection is a git repository under
    `folder/data`.
    """

    name = "xandikos"
    module = "xandikos.web"

    def __init__(
        self,
        folder: Path,
        *,
        port: int | None = None,
        user: str = "alice",
        password: str = USERS["alice"],
    ) -> None:
        super().__init__(folder, port=port, user=user, password=password)
        self.auth = "none"
        self.data = self.folder / "data"
        self.calendar_url = urllib.parse.urljoin(self.url, self._calendar_path("calendar"))

    def _calendar_path(self, name: str) -> str:
        return f"{self.user}/calendars/{name}/"

    def _arguments(self) -> list[str]:
        return [
            "--directory",
            str(self.data),
            "--defaults",
            "--current-user-principal",
            f"/{self.user}/",
            "--listen-address",
            HOST,
            "--port",
            str(self.port),
            "--state-dir",
            str(self.folder / "state"),
            "--no-detect-systemd",
        ]


CalDAVServer = Radicale | Xandikos


# -- fault proxy --------------------------------------------------------------------------------

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "expect",
    }
)

_METHODS = (
    *("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
    *("PROPFIND", "PROPPATCH", "MKCOL", "MKCALENDAR", "REPORT", "COPY", "MOVE"),
    *("LOCK", "UNLOCK", "ACL", "SEARCH"),
)

DROPPED = 0
"""The status logged for a request whose connection the proxy closed without an answer."""
BAD_GATEWAY = 502
"""What the proxy answers when the server cannot be reached (stopped, refused, timed out)."""


@dataclass
class _Rule:
    kind: Literal["fail", "drop"]
    remaining: int
    methods: frozenset[str] | None
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    forward: bool = False

    def matches(self, method: str) -> bool:
        return self.remaining > 0 and (self.methods is None or method in self.methods)


class FaultProxy:
    """A reverse proxy on 127.0.0.1 in front of a server, that can fail or drop requests.

    The client only sees the proxy's address: the Host header, Location and Destination headers,
    and absolute URLs in bodies (the servers send paths, but just in case) are rewritten.
    """

    def __init__(self, upstream: _Server | str) -> None:
        self.server = upstream if isinstance(upstream, _Server) else None
        upstream_url = upstream.url if isinstance(upstream, _Server) else upstream
        parts = urllib.parse.urlsplit(upstream_url)
        if parts.scheme != "http" or parts.hostname not in (HOST, "localhost"):
            raise ValueError(f"the proxy only forwards to http://{HOST}: {upstream_url}")
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.upstream_origin = f"http://{parts.netloc}"
        self.log: list[tuple[str, str, dict[str, str], int]] = []
        """(method, path, request headers, status the client got; 0 = dropped), in order."""
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._httpd = _ProxyHTTPServer((HOST, 0), _ProxyHandler)
        self._httpd.proxy = self
        self.port: int = self._httpd.server_address[1]
        self.origin = f"http://{HOST}:{self.port}"
        self.url = self.origin + "/"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fault-proxy-{self.port}",
            daemon=True,
        )
        self._thread.start()

    @property
    def calendar_url(self) -> str:
        """The server's calendar URL, through the proxy."""
        if self.server is None:
            raise AttributeError("calendar_url needs a server, not a bare URL")
        return self.to_proxy(self.server.calendar_url)

    @property
    def user(self) -> str:
        return self.server.user if self.server else ""

    @property
    def password(self) -> str:
        return self.server.password if self.server else ""

    def to_proxy(self, url: str) -> str:
        """A URL of the server (for example from `make_calendar`) as seen through the proxy."""
        return url.replace(self.upstream_origin, self.origin, 1)

    # -- controls -------------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        count: int = 1,
        methods: Iterable[str] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> None:
        """Answer the next `count` requests (of those `methods`) with `status`, not forwarded.

        `headers` go with the answer, for example `{"Retry-After": "1"}` with a 503.
        """
        self._add(
            _Rule(
                "fail",
                count,
                _methods(methods),
                status=status,
                headers=dict(headers or {}),
                body=body,
            )
        )

    def drop_next(
        self, count: int = 1, methods: Iterable[str] | None = None, *, forward: bool = False
    ) -> None:
        """Close the connection of the next `count` matching requests without an answer.

        By default the request never reaches the server. With `forward=True` the server gets it
        and acts on it, and only its answer is lost: the server died before it could reply.
        """
        self._add(_Rule("drop", count, _methods(methods), forward=forward))

    def clear(self) -> None:
        """Forget the pending faults and the log."""
        with self._lock:
            self._rules.clear()
            self.log.clear()

    def requests(self, method: str | None = None) -> list[tuple[str, str, dict[str, str], int]]:
        """A copy of the log, only the requests with `method` if given."""
        with self._lock:
            return [entry for entry in self.log if method is None or entry[0] == method]

    def close(self) -> None:
        """Stop listening and cut the open connections."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd.close_connections()
        self._thread.join(STOP_TIMEOUT)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<FaultProxy {self.url} -> {self.upstream_origin}/>"

    # -- used by the handler --------------------------------------------------------------------

    def _add(self, rule: _Rule) -> None:
        if rule.remaining < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._rules.append(rule)

    def _take_rule(self, method: str) -> _Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method):
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._rules.remove(rule)
                    return rule
        return None

    def _record(self, method: str, path: str, headers: dict[str, str], status: int) -> None:
        with self._lock:
            self.log.append((method, path, headers, status))

    def _forward(
        self, method: str, path: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        upstream_netloc = f"{self.upstream_host}:{self.upstream_port}"
        out: dict[str, str] = {}
        encoded = False
        for name, value in headers:
            key = name.lower()
            if key in _HOP_BY_HOP or key in ("host", "content-length"):
                continue
            if key == "content-encoding":
                encoded = True
            if key == "destination":
                value = value.replace(self.origin, self.upstream_origin, 1)
            out[name] = f"{out[name]}, {value}" if name in out else value
        out["Host"] = upstream_netloc
        if body and not encoded:
            body = body.replace(self.origin.encode(), self.upstream_origin.encode())
        conn = http.client.HTTPConnection(
            self.upstream_host, self.upstream_port, timeout=HTTP_TIMEOUT
        )
        try:
            conn.request(method, path, body=body or None, headers=out)
            answer = conn.getresponse()
            data = answer.read()
            return answer.status, answer.getheaders(), data
        finally:
            conn.close()

    def _rewrite_response(
        self, method: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[list[tuple[str, str]], bytes]:
        encoded = any(name.lower() == "content-encoding" for name, _ in headers)
        if body and not encoded:
            body = body.replace(self.upstream_origin.encode(), self.origin.encode())
        out: list[tuple[str, str]] = []
        for name, value in headers:
            key = name.lower()
            if key in _HOP_BY_HOP:
                continue
            if key == "content-length" and method != "HEAD":
                continue
            if key in ("location", "content-location"):
                value = self.to_proxy(value)
            out.append((name, value))
        return out, body


def _methods(methods: Iterable[str] | None) -> frozenset[str] | None:
    return None if methods is None else frozenset(m.upper() for m in methods)


class _ProxyHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    proxy: FaultProxy

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection is closed after this many seconds
    server: _ProxyHTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        self.server.track(self.connection, False)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _answer(self, status: int, headers: Iterable[tuple[str, str]], body: bytes) -> None:
        self.send_response_only(status)
        has_length = False
        for name, value in headers:
            has_length = has_length or name.lower() == "content-length"
            self.send_header(name, value)
        if not has_length and not (100 <= status < 200 or status in (204, 304)):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def _handle(self) -> None:
        proxy = self.server.proxy
        method = self.command
        request_headers = dict(self.headers.items())
        body = self._read_body()
        rule = proxy._take_rule(method)
        if rule is not None and rule.kind == "fail":
            proxy._record(method, self.path, request_headers, rule.status)
            self._answer(rule.status, rule.headers.items(), rule.body)
            return
        if rule is not None and not rule.forward:
            proxy._record(method, self.path, request_headers, DROPPED)
            self._drop()
            return
        try:
            status, headers, data = proxy._forward(method, self.path, self.headers.items(), body)
        except (OSError, http.client.HTTPException) as error:
            status = BAD_GATEWAY
            headers = [("Content-Type", "text/plain; charset=utf-8")]
            data = f"fault proxy: the server did not answer: {error!r}\n".encode()
        if rule is not None:  # drop after forwarding: the server acted, the answer is lost
            proxy._record(method, self.path, request_headers, DROPPED)
            self._drop()
            return
        proxy._record(method, self.path, request_headers, status)
        headers, data = proxy._rewrite_response(method, headers, data)
        self._answer(status, headers, data)


for _method in _METHODS:
    setattr(_ProxyHandler, f"do_{_method}", _ProxyHandler._handle)
