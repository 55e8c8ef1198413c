"""A careful HTTP client for capture: one request at a time, every hop kept.

The sites graphinv fetches are hostile by assumption, so the client (httpcore, with a
network backend of our own) never lets a page decide what it connects to or how long
it holds us:

- **Addresses**: a host is resolved here (``resolve`` overrides first, like curl's
  ``--resolve``; ``"*"`` covers every other host), and the connection goes to an
  allowed address only. By default only public addresses are allowed, so a page or a
  redirect cannot point the crawler at the investigator's router, ``localhost`` or a
  cloud metadata service; an IPv6 address that carries an IPv4 one (NAT64, 6to4,
  Teredo, IPv4-mapped or -compatible) must carry a public one too
  (:func:`public_address`). ``allow_networks`` replaces that rule by a list of networks
  (the tests allow ``127.0.0.0/8`` and nothing else).
- **Time**: ``timeout`` bounds the connection and each read; ``deadline`` bounds a whole
  response, headers included (every read of the connection is given what is left of
  it), so a server that trickles a byte a second is cut off too.
- **Size**: at most ``max_bytes`` of a body are read; the rest is left unread and the
  record is marked truncated.
- **Redirects** are followed here, hop by hop, so that each hop is its own record;
  a loop or more than ``max_redirects`` hops ends the chain with an error.

Nothing here raises for a network failure: :meth:`Fetcher.get` returns an
:class:`Exchange` whose ``error_kind`` says what went wrong (``dns``, ``timeout``,
``tls``, ``connect``, ``protocol``, ``refused_address``, ``bad_url``).

>>> policy = FetchPolicy(resolve={"old-site.test": "127.0.0.1", "*": None},
...                      allow_networks=["127.0.0.0/8"])
>>> policy.addresses("old-site.test")
['127.0.0.1']
>>> policy.addresses("elsewhere.example")
Traceback (most recent call last):
...
graphinv.capture.fetch.NameNotFound: elsewhere.example: no such host (--resolve)
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import httpcore

from .. import __version__
from ..errors import InputError

USER_AGENT = f"graphinv/{__version__} (+evidence capture; one request at a time)"
MAX_BYTES = 10 * 1024 * 1024
_CHUNK = 64 * 1024
REDIRECT_CODES = (301, 302, 303, 307, 308)


class NameNotFound(httpcore.ConnectError):
    """The host does not exist (NXDOMAIN, or ``--resolve HOST=none``)."""


class NameLookupFailed(httpcore.ConnectError):
    """The lookup itself failed (no DNS server, a temporary failure)."""


class AddressRefused(httpcore.ConnectError):
    """The host resolves only to addresses the policy does not allow."""


def _network(value) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(str(value).strip(), strict=False)
    except ValueError:
        raise InputError(f"{value!r} is not a network (e.g. 127.0.0.0/8 or 10.1.2.3)") from None


_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix: the IPv4 is the last 32 bits
# RFC 8215 local-use NAT64: where the IPv4 sits depends on the site's prefix length,
# which cannot be known here, and IANA lists it as not globally reachable.
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d


def _carried_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a packet to ``ip`` may end up at through a translator or tunnel."""
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        return [low32]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # the server and the (unobfuscated) client
    return []


def public_address(address: str) -> bool:
    """Whether the default policy may contact ``address``: a global address that
    carries no IPv4 address (NAT64, 6to4, Teredo, mapped, compatible) other than
    global ones.

    >>> [public_address(a) for a in ("93.184.215.14", "64:ff9b::5db8:d70e", "64:ff9b::a9fe:a9fe",
    ...                              "2002:7f00:1::1", "::127.0.0.1", "::ffff:10.0.0.1")]
    [True, True, False, False, False, False]
    """
    ip = ipaddress.ip_address(address)
    if not ip.is_global:
        return False
    if ip.version == 4:
        return True
    if ip in _NAT64_LOCAL:
        return False
    return all(v4.is_global for v4 in _carried_ipv4(ip))


def parse_resolve(items) -> dict[str, str | None]:
    """``HOST=IP`` strings (``IP`` may be ``none``: the host does not exist) as a mapping.

    >>> parse_resolve(["old.example=127.0.0.1", "*=none"])
    {'old.example': '127.0.0.1', '*': None}
    """
    out: dict[str, str | None] = {}
    for item in items or ():
        for part in str(item).split(","):
            part = part.strip()
            if not part:
                continue
            host, sep, address = part.partition("=")
            if not sep or not host.strip():
                raise InputError(f"--resolve {part!r}: use HOST=IP (or HOST=none)")
            address = address.strip()
            if address.lower() in ("none", ""):
                out[host.strip().lower()] = None
                continue
            try:
                out[host.strip().lower()] = str(ipaddress.ip_address(address))
            except ValueError:
                raise InputError(f"--resolve {part!r}: {address!r} is not an IP address") from None
    return out


@dataclass
class FetchPolicy:
    """How the client behaves; see the module docstring."""

    timeout: float = 20.0
    deadline: float = 60.0
    max_bytes: int = MAX_BYTES
    max_redirects: int = 10
    user_agent: str = USER_AGENT
    resolve: dict = field(default_factory=dict)
    allow_networks: list | None = None  # None: public addresses only

    def __post_init__(self):
        self.resolve = {str(k).lower(): v for k, v in (self.resolve or {}).items()}
        if self.allow_networks is not None:
            self.allow_networks = [_network(n) for n in self.allow_networks]

    def allowed(self, address: str) -> bool:
        ip = ipaddress.ip_address(address)
        if self.allow_networks is not None:
            return any(ip.version == net.version and ip in net for net in self.allow_networks)
        return public_address(address)

    def addresses(self, host: str) -> list[str]:
        """The addresses to try for ``host``; NameNotFound / NameLookupFailed otherwise."""
        host = host.lower().rstrip(".")
        try:
            return [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            pass
        for key in (host, "*"):
            if key in self.resolve:
                if self.resolve[key] is None:
                    raise NameNotFound(f"{host}: no such host (--resolve)")
                return [self.resolve[key]]
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
                raise NameNotFound(f"{host}: no such host") from None
            raise NameLookupFailed(f"{host}: lookup failed ({exc.strerror})") from None
        seen: list[str] = []
        for info in infos:
            address = info[4][0]
            if address not in seen:
                seen.append(address)
        return seen


class DeadlinePassed(httpcore.ReadTimeout):
    """The response took longer than ``FetchPolicy.deadline`` in all."""


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write stops at the backend's current deadline,
    so that a server trickling its headers is cut off as surely as one trickling a body."""

    def __init__(self, inner: httpcore.NetworkStream, backend: "_Backend"):
        self.inner, self.backend = inner, backend

    def _timeout(self, timeout: float | None) -> float | None:
        if self.backend.deadline is None:
            return timeout
        remaining = self.backend.deadline - time.monotonic()
        if remaining <= 0:
            raise DeadlinePassed("deadline passed")
        return remaining if timeout is None else min(timeout, remaining)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        budget = self._timeout(timeout)
        try:
            return self.inner.read(max_bytes, budget)
        except httpcore.ReadTimeout:
            if self.backend.deadline is not None and time.monotonic() >= self.backend.deadline:
                raise DeadlinePassed("deadline passed") from None
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self._timeout(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        return _DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, self._timeout(timeout)),
                               self.backend)

    def get_extra_info(self, info: str):
        return self.inner.get_extra_info(info)


class _Backend(httpcore.SyncBackend):
    """Resolves through the policy and connects to allowed addresses only."""

    def __init__(self, policy: FetchPolicy):
        self.policy = policy
        self.connections: list[tuple[str, int, str]] = []  # host, port, address: what was contacted
        self.deadline: float | None = None  # time.monotonic() by which the current response must be done

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = self.policy.addresses(host)
        allowed = [a for a in addresses if self.policy.allowed(a)]
        if not allowed:
            raise AddressRefused(f"{host} resolves to {', '.join(addresses)}, which the address policy "
                                 "does not allow (see --allow-network)")
        error: Exception | None = None
        for address in allowed:
            try:
                stream = super().connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                             socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            self.connections.append((host, port, address))
            return _DeadlineStream(stream, self)
        raise error  # type: ignore[misc]


@dataclass
class Exchange:
    """One request and what came back (or why nothing did)."""

    url: str
    started: datetime
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    status: int | None = None
    reason: str = ""
    http_version: str = "HTTP/1.1"
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""  # as sent, after de-chunking, before content decoding
    truncated: str = ""  # "length" or "time" when the body was cut off
    address: str | None = None
    error_kind: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def location(self) -> str | None:
        """The absolute redirect target of a 3xx, or None."""
        if self.status not in REDIRECT_CODES:
            return None
        target = self.header("Location")
        if not target:
            return None
        try:
            return urljoin(self.url, target.strip())
        except ValueError:
            return None

    @property
    def mime(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()


@dataclass
class Chain:
    """A URL and the hops that followed from it."""

    url: str
    hops: list[Exchange] = field(default_factory=list)
    error_kind: str = ""
    error: str = ""

    @property
    def final(self) -> Exchange | None:
        return self.hops[-1] if self.hops else None

    @property
    def final_url(self) -> str:
        return self.hops[-1].url if self.hops else self.url


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _error_kind(exc: Exception) -> str:
    if isinstance(exc, NameNotFound):
        return "dns"
    if isinstance(exc, NameLookupFailed):
        return "dns_lookup"
    if isinstance(exc, AddressRefused):
        return "refused_address"
    if isinstance(exc, httpcore.TimeoutException):
        return "timeout"
    if isinstance(exc, (ssl.SSLError, ssl.CertificateError)) or isinstance(exc.__context__, ssl.SSLError) \
            or "SSL" in type(exc).__name__ or "certificate" in str(exc).lower() or "ssl" in str(exc).lower():
        return "tls"
    if isinstance(exc, httpcore.ConnectError):
        return "connect"
    if isinstance(exc, (httpcore.RemoteProtocolError, httpcore.LocalProtocolError)):
        return "protocol"
    if isinstance(exc, (httpcore.ReadError, httpcore.WriteError, httpcore.NetworkError)):
        return "network"
    return "error"


class Fetcher:
    """Fetches URLs under a :class:`FetchPolicy`, waiting ``delay`` seconds between two
    requests to the same host. Use as a context manager (it holds a connection pool).

    >>> with Fetcher(FetchPolicy(resolve={"*": None})) as fetcher:
    ...     fetcher.get("http://gone.example/").error_kind
    'dns'
    """

    def __init__(self, policy: FetchPolicy | None = None, delay: float = 1.0):
        self.policy = policy or FetchPolicy()
        self.delay = delay
        self.backend = _Backend(self.policy)
        context = ssl.create_default_context()
        try:
            import certifi

            context.load_verify_locations(certifi.where())
        except (ImportError, OSError):  # the system store alone still verifies
            pass
        self.pool = httpcore.ConnectionPool(ssl_context=context, network_backend=self.backend, retries=0,
                                            max_connections=4, keepalive_expiry=5.0)
        self._last: dict[str, float] = {}

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.pool.close()

    @property
    def contacted(self) -> list[tuple[str, int, str]]:
        """(host, port, address) of every connection made."""
        return list(self.backend.connections)

    def _wait_turn(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None and self.delay > 0:
            pause = last + self.delay - time.monotonic()
            if pause > 0:
                time.sleep(pause)

    def get(self, url: str) -> Exchange:
        """One GET, no redirect followed; never raises for what the network does."""
        exchange = Exchange(url=url, started=_now())
        chunks: list[bytes] = []
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            exchange.error_kind, exchange.error = "bad_url", f"not an http(s) URL: {url[:200]}"
            return exchange
        host = parts.hostname
        default_port = 443 if parts.scheme == "https" else 80
        host_header = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
        exchange.request_headers = [
            ("Host", host_header), ("User-Agent", self.policy.user_agent),
            ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/*;q=0.8,*/*;q=0.5"),
            ("Accept-Encoding", "gzip, deflate"), ("Accept-Language", "*"), ("Connection", "keep-alive")]
        self._wait_turn(host)
        timeout = self.policy.timeout
        self.backend.deadline = time.monotonic() + self.policy.deadline
        try:
            with self.pool.stream("GET", url, headers=exchange.request_headers[1:],
                                  extensions={"timeout": {"connect": timeout, "read": timeout,
                                                          "write": timeout, "pool": timeout}}) as response:
                exchange.status = response.status
                exchange.reason = response.extensions.get("reason_phrase", b"").decode("latin-1")
                exchange.http_version = response.extensions.get("http_version", b"HTTP/1.1").decode("ascii")
                exchange.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers]
                stream = response.extensions.get("network_stream")
                peer = stream.get_extra_info("server_addr") if stream is not None else None
                if peer:
                    exchange.address = str(peer[0])
                size = 0
                for chunk in response.iter_stream():
                    room = self.policy.max_bytes - size
                    chunks.append(chunk[:room])
                    size += min(len(chunk), room)
                    if len(chunk) > room:
                        exchange.truncated = "length"
                        break
                exchange.body = b"".join(chunks)
        except DeadlinePassed as exc:
            if exchange.status is not None:
                # The headers came in time, the body did not: keep what arrived.
                exchange.body, exchange.truncated = b"".join(chunks), "time"
            else:
                exchange.error_kind = "timeout"
                exchange.error = f"no response within the deadline of {self.policy.deadline:g} s ({exc})"
        except Exception as exc:  # noqa: BLE001 - every failure is recorded, none is fatal
            exchange.error_kind = _error_kind(exc)
            exchange.error = (str(exc) or type(exc).__name__).splitlines()[0][:300]
            if exchange.status is not None and exchange.error_kind in ("timeout", "network", "protocol"):
                # Headers came, the body broke off: keep what arrived, say it is incomplete.
                exchange.body = b"".join(chunks)
                exchange.truncated = exchange.truncated or "disconnect"
        finally:
            self.backend.deadline = None
            self._last[host] = time.monotonic()
        return exchange

    def follow(self, url: str) -> Chain:
        """GET ``url`` and its redirects, each hop an Exchange; loops end the chain."""
        chain = Chain(url)
        seen = set()
        current = url
        while True:
            seen.add(current)
            exchange = self.get(current)
            chain.hops.append(exchange)
            if exchange.error_kind:
                chain.error_kind, chain.error = exchange.error_kind, exchange.error
                return chain
            target = exchange.location
            if target is None:
                return chain
            if target in seen:
                chain.error_kind, chain.error = "redirect_loop", f"redirect loop back to {target[:200]}"
                return chain
            if len(chain.hops) > self.policy.max_redirects:
                chain.error_kind = "too_many_redirects"
                chain.error = f"more than {self.policy.max_redirects} redirects"
                return chain
            current = target


def decoded_body(exchange: Exchange, limit: int = MAX_BYTES) -> bytes:
    """The body as a browser renders it: gzip or deflate undone (at most ``limit``
    bytes; a body cut off mid-stream gives what decodes)."""
    import zlib

    encoding = (exchange.header("Content-Encoding") or "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        wbits = 16 + zlib.MAX_WBITS if encoding != "deflate" else zlib.MAX_WBITS
        for bits in (wbits, -zlib.MAX_WBITS):  # raw deflate, as some servers send it
            try:
                return zlib.decompressobj(bits).decompress(exchange.body, limit)
            except zlib.error:
                continue
        return b""
    return exchange.body[:limit]


def html_page(exchange: Exchange, max_bytes: int = MAX_BYTES):
    """(decoded body, parsed page) of a 2xx response; the page is None when the body is
    not HTML, and both are empty without a 2xx body."""
    from ..web.html import charset_of, decode_html, looks_like_html, parse_page

    if exchange.status is None or not 200 <= exchange.status < 300:
        return b"", None
    body = decoded_body(exchange, max_bytes)
    if not body or not looks_like_html(exchange.mime, body):
        return body, None
    html, _ = decode_html(body, charset_of(exchange.header("Content-Type")))
    return body, parse_page(html, exchange.url)


def chain_outcome(chain: Chain) -> dict:
    """What a chain says about the URL it started from: ``status`` (``active``,
    ``moved``, ``not_found``, ``deleted``, ``withheld``, ``error``, ``unreachable``),
    ``http_status``, ``final_url``, ``redirects`` and ``detail``.

    A host that does not exist is ``not_found`` (a domain taken down at the registrar);
    a timeout, a refused connection or a TLS failure is ``unreachable``, never a
    takedown, since it may pass. A redirect chain that ends on another registered
    domain is ``moved``, whatever the status there.

    >>> hop = Exchange("http://old.example/", _now(), status=301, headers=[("Location", "https://new.example/")])
    >>> end = Exchange("https://new.example/", _now(), status=200)
    >>> chain_outcome(Chain("http://old.example/", [hop, end]))["status"]
    'moved'
    >>> chain_outcome(Chain("http://old.example/", [Exchange("http://old.example/", _now(), status=451)]))["status"]
    'withheld'
    """
    from ..normalize import registered_domain
    from ..web.outcome import observation_status

    final = chain.final
    out = {"status": "unreachable", "http_status": final.status if final else None,
           "final_url": chain.final_url if len(chain.hops) > 1 else None,
           "redirects": [hop.url for hop in chain.hops] if len(chain.hops) > 1 else [], "detail": ""}
    if chain.error_kind:
        out["detail"] = f"{chain.error_kind.replace('_', ' ')}: {chain.error}"
    start_domain = registered_domain(chain.url)
    end_domain = registered_domain(chain.final_url)
    if chain.error_kind == "dns":
        out["status"] = "not_found"
    elif chain.error_kind in ("redirect_loop", "too_many_redirects"):
        out["status"] = "error"
    elif final is None or final.status is None:
        out["status"] = "unreachable"
    elif start_domain and end_domain and start_domain != end_domain:
        out["status"] = "moved"
    else:
        out["status"] = observation_status(final.status)
    if final is not None and final.truncated and not out["detail"]:
        out["detail"] = f"body cut off ({final.truncated}) after {len(final.body):,} bytes"
    return out
