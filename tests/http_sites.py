"""Real HTTP servers on 127.0.0.1 for testing the web crawler and the site watcher.

One ``Sites`` server listens on a free port of 127.0.0.1 and plays any number of
websites: a request is routed by its Host header (port removed, lowercased) and its
path including the query string, matched exactly. The client under test connects to
127.0.0.1:PORT and sends ``Host: old-site.test:PORT`` -- ``sites.url("old-site.test",
"/a")`` gives ``http://old-site.test:PORT/a`` for clients that resolve through a
proxy or a patched resolver. Nothing but the loopback interface is ever used.

Each route answers with a *behaviour*, made by the functions below (``page``,
``status``, ``redirect``, ``hang``, ``trickle``, ``big``, ``chunked``, ``gzipped``,
``drop``, ``image``). A behaviour is any callable taking the request handler, so a
test can also write its own. Every one of them is real HTTP/1.1 on the wire, so
misbehaving sites (hanging, trickling, huge, dropped) exercise the client's real
timeouts and size limits.

Test modules import it the way they import fixture_graph (tests/ is on sys.path)::

    from http_sites import sites, page, redirect  # ``sites`` is a pytest fixture

    def test_follows_redirect(sites):
        sites.route("old-site.test", "/", redirect("http://new-site.test/"))
"""

from __future__ import annotations

import gzip
import http.server
import re
import socket
import sys
import threading
from http import HTTPStatus

import pytest

__all__ = ["Sites", "sites", "page", "status", "redirect", "hang", "trickle", "big", "chunked",
           "gzipped", "drop", "image"]

CHUNK = 64 * 1024
# Errors that only mean "the client went away"; they are the point of several tests,
# so they must not be reported as server failures.
_DISCONNECTS = (ConnectionError, TimeoutError)


def _hostname(value: str | None) -> str:
    value = (value or "").strip().lower()
    if value.startswith("["):  # IPv6 literal: its colons are not a port separator
        return value[: value.find("]") + 1] if "]" in value else value
    return value.rsplit(":", 1)[0].rstrip(".") if ":" in value else value.rstrip(".")


def _html(code: int, text: str = "") -> bytes:
    try:
        phrase = HTTPStatus(code).phrase
    except ValueError:
        phrase = ""
    text = text or f"{code} {phrase}".strip()
    return f"<!doctype html><html><head><title>{text}</title></head><body><h1>{text}</h1></body></html>".encode()


def _encode(body: bytes | str, content_type: str) -> bytes:
    if isinstance(body, bytes):
        return body
    match = re.search(r'charset\s*=\s*"?([\w.:-]+)', content_type, re.I)
    return body.encode(match.group(1) if match else "utf-8")


def _send(h, code: int, body: bytes, content_type: str | None, headers=None) -> None:
    """Send a complete response; extra headers replace the defaults of the same name."""
    extra = list((headers or {}).items() if isinstance(headers, dict) else headers or ())
    given = {name.lower() for name, _ in extra}
    # RFC 9110: 1xx, 204 and 304 never carry a body, and 204 no Content-Length either.
    bodyless = code < 200 or code in (204, 304)
    h.send_response(code)
    if content_type and "content-type" not in given and not bodyless:
        h.send_header("Content-Type", content_type)
    if "content-length" not in given and not bodyless:
        h.send_header("Content-Length", str(len(body)))
    for name, value in extra:
        h.send_header(name, value)
    h.end_headers()
    if not bodyless and h.command != "HEAD":
        h.wfile.write(body)


# --------------------------------------------------------------------------- behaviours

def page(body: bytes | str, content_type: str = "text/html; charset=utf-8", status: int = 200, headers=None):
    """A complete response with Content-Length; ``headers`` is a dict or a list of pairs."""
    data = _encode(body, content_type)
    return lambda h: _send(h, status, data, content_type, headers)


def status(code: int, body: bytes | str = b"", content_type: str = "text/html; charset=utf-8"):
    """A status page (404, 410, 451, 500...); an empty body becomes a small HTML page."""
    data = _encode(body, content_type) or _html(code)
    return lambda h: _send(h, code, data, content_type)


def redirect(location: str, code: int = 301):
    """A redirect whose Location is sent exactly as given (absolute or relative)."""
    data = f'<!doctype html><a href="{location}">moved</a>'.encode()
    return lambda h: _send(h, code, data, "text/html; charset=utf-8", {"Location": location})


def hang(seconds: float = 30):
    """Read the request, send nothing, and close after ``seconds`` or when the server stops."""
    def respond(h):
        h.stopping.wait(seconds)
        h.close_connection = True
    return respond


def trickle(total: int = 1000, every: float = 0.2):
    """Promise ``total`` bytes, then send one byte every ``every`` seconds."""
    def respond(h):
        h.send_response(200)
        h.send_header("Content-Type", "text/plain")
        h.send_header("Content-Length", str(total))
        h.end_headers()
        if h.command == "HEAD":
            return
        for _ in range(total):
            if h.stopping.wait(every):
                h.close_connection = True  # the body is short: the connection cannot be reused
                return
            h.wfile.write(b"x")
    return respond


def big(size: int = 20 * 1024 * 1024, content_type: str = "application/octet-stream"):
    """``size`` bytes of b"x", streamed in 64 KiB chunks so the body never sits in memory."""
    def respond(h):
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(size))
        h.end_headers()
        if h.command == "HEAD":
            return
        block = memoryview(b"x" * CHUNK)
        remaining = size
        while remaining:
            if h.stopping.is_set():
                h.close_connection = True
                return
            n = min(remaining, CHUNK)
            h.wfile.write(block[:n])
            remaining -= n
    return respond


def chunked(parts: list[bytes], content_type: str = "text/html; charset=utf-8"):
    """A Transfer-Encoding: chunked response, one chunk per part."""
    def respond(h):
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        if h.command == "HEAD":
            return
        for part in parts:
            if part:  # an empty chunk would end the body early
                h.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        h.wfile.write(b"0\r\n\r\n")
    return respond


def gzipped(body: bytes | str, content_type: str = "text/html; charset=utf-8"):
    """A body sent with Content-Encoding: gzip (Content-Length is the compressed size)."""
    data = gzip.compress(_encode(body, content_type))
    return lambda h: _send(h, 200, data, content_type, {"Content-Encoding": "gzip"})


def drop():
    """Close the connection without sending a single byte."""
    def respond(h):
        h.close_connection = True
    return respond


def image(data: bytes, content_type: str = "image/png"):
    """An image response: ``page(data, content_type)``."""
    return page(data, content_type)


# --------------------------------------------------------------------------- server

class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, a keep-alive client's delayed
    # ACK would hold every response back by 40 ms.
    disable_nagle_algorithm = True
    timeout = 30  # idle keep-alive connections must not pin a thread for ever

    @property
    def stopping(self) -> threading.Event:
        return self.server.sites._stopping

    def setup(self):
        super().setup()
        self.server.sites._track(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.sites._untrack(self.connection)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):
        sites = self.server.sites
        host = _hostname(self.headers.get("Host"))
        sites._record(host, self.path, {k.lower(): v for k, v in self.headers.items()})
        behaviour = sites._lookup(host, self.path)
        try:
            behaviour(self)
        except _DISCONNECTS:
            self.close_connection = True
        except OSError:
            self.close_connection = True
            if not self.stopping.is_set():  # sockets shut by stop() are expected to fail
                raise

    do_HEAD = do_GET


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for hanging handlers

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if isinstance(error, _DISCONNECTS) or (isinstance(error, OSError) and self.sites._stopping.is_set()):
            return
        super().handle_error(request, client_address)


class Sites:
    """Many virtual websites on one real HTTP server at 127.0.0.1:``port``; started on creation."""

    def __init__(self):
        self.host = "127.0.0.1"
        self.requests: list[tuple[str, str, dict]] = []
        self._routes: dict[tuple[str, str], object] = {}
        self._hosts: set[str] = set()  # hosts ever routed: cleared ones say "no such page", not "no such site"
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server((self.host, 0), _Handler)
        self._server.sites = self
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"http_sites:{self.port}", daemon=True)
        self._thread.start()

    def url(self, host: str, path: str = "/", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def route(self, host: str, path: str, behaviour) -> None:
        """Answer ``path`` (with its query string, matched exactly) on ``host`` with ``behaviour``."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        with self._lock:
            self._hosts.add(host.lower())
            self._routes[(host.lower(), path)] = behaviour

    def clear(self, host: str) -> None:
        """Take a site down: all its pages then answer 404."""
        with self._lock:
            self._hosts.add(host.lower())
            for key in [key for key in self._routes if key[0] == host.lower()]:
                del self._routes[key]

    def stop(self) -> None:
        """Shut down within about a second, waking hanging and trickling handlers; idempotent."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._server.shutdown()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:  # unblocks handlers stuck in send() and clients stuck in recv()
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        self._thread.join(timeout=2)

    def __enter__(self) -> Sites:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # Called from handler threads.
    def _record(self, host: str, path: str, headers: dict) -> None:
        with self._lock:
            self.requests.append((host, path, headers))

    def _lookup(self, host: str, path: str):
        with self._lock:
            behaviour = self._routes.get((host, path))
            known = host in self._hosts
        if behaviour is not None:
            return behaviour
        if known:
            return status(404, _html(404, "no such page"))
        return status(421, b"no such site\n", "text/plain; charset=utf-8")

    def _track(self, conn: socket.socket) -> None:
        with self._lock:
            self._conns.add(conn)
        if self._stopping.is_set():  # accepted in the instant stop() was shutting the rest
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._conns.discard(conn)


@pytest.fixture
def sites():
    """A started ``Sites`` server, stopped after the test."""
    server = Sites()
    try:
        yield server
    finally:
        server.stop()
