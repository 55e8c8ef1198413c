"""What a collector is, and the helpers every collector shares.

A collector is a module (or any object) with

- ``name: str`` — short and stable, used in IngestRun uids and ``--collector`` options;
- ``description: str`` — one line for ``graphinv ingest --help`` and the docs;
- ``detect(path: Path) -> bool`` — cheap: the file name and a peek at the first bytes;
- ``collect(path: Path, **options) -> Iterator[Record]`` — streams :class:`Node`,
  :class:`Edge` and :class:`Reject` records and never raises on bad content: a bad
  line or row is a ``Reject(reason, detail, where)``, counted by ingest, and reading
  goes on.

Gzipped inputs (``.jsonl.gz``, ``.csv.gz``, ``.json.gz``) are read transparently by
:func:`open_text`; a gzip stream cut off mid-way yields what was readable and then one
``Reject("truncated_gzip")`` (see :class:`GzipTruncated`).
"""

from __future__ import annotations

import hashlib
import io
import os
import zlib
from pathlib import Path
from typing import IO, Any, Iterator, Protocol, runtime_checkable

from graphinv.digest import file_sha256
from graphinv.normalize import canonical_url, path_text
from graphinv.records import (
    Edge,
    Node,
    Record,
    Reject,
    capture_uid,
    kind_of,
    media_uid,
    site_uid,
)
from graphinv.resolve import url_records  # collectors register URLs as the entity resolver does

__all__ = [
    "Collector",
    "Accumulator",
    "GzipTruncated",
    "open_binary",
    "open_text",
    "peek",
    "base_name",
    "is_gzip",
    "iter_lines",
    "url_records",
    "media_url_uid",
    "validate_record",
    "Captures",
    "source_sha256",
    "MAX_LINE_BYTES",
]

# A JSONL line longer than this is rejected ("line_too_long") without being parsed:
# no real tweet/post is near it, and parsing it would need several times its size.
MAX_LINE_BYTES = 10 * 1024 * 1024
_CHUNK = 1 << 20


@runtime_checkable
class Collector(Protocol):
    name: str
    description: str

    def detect(self, path: Path) -> bool: ...

    def collect(self, path: Path, **options: Any) -> Iterator[Record]: ...


class GzipTruncated(Exception):
    """The gzip stream ended before its end marker (a download or copy cut short)."""


def is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def base_name(path: Path) -> str:
    """The lowercased file name without a trailing ``.gz``: ``a.JSONL.gz`` -> ``a.jsonl``."""
    name = path.name.lower()
    return name[:-3] if name.endswith(".gz") else name


class _SafeGzip(io.RawIOBase):
    """A streaming gunzip that gives every byte it can before a cut-off or corrupt
    stream, then raises GzipTruncated (``gzip.GzipFile`` loses the last block read).
    Concatenated gzip members are read one after the other, as gzip(1) does."""

    def __init__(self, path: Path):
        self._raw = open(path, "rb")
        self._inflate = zlib.decompressobj(wbits=31)
        self._ready = b""
        self._pos = 0
        self._mid = False  # inside a member: its end marker not read yet
        self._done = False

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        while self._pos >= len(self._ready) and not self._done:
            if self._inflate.unconsumed_tail:
                data = self._inflate.unconsumed_tail
            elif self._inflate.eof:
                data = self._inflate.unused_data or self._raw.read(1 << 16)
                self._inflate = zlib.decompressobj(wbits=31)
                if not data.strip(b"\0"):  # end of file (or zero padding after it)
                    self._done = True
                    return
            else:
                data = self._raw.read(1 << 16)
                if not data:
                    self._done = True
                    if self._mid:
                        raise GzipTruncated("the gzip stream ends before its end marker")
                    return
            try:
                # At most 1 MB out per call: a small, very compressible input stays small.
                self._ready = self._inflate.decompress(data, 1 << 20)
            except zlib.error as exc:
                self._done = True
                raise GzipTruncated(f"corrupt gzip data: {exc}") from None
            self._pos = 0
            self._mid = not self._inflate.eof

    def readinto(self, buffer) -> int:
        self._fill()
        size = min(len(buffer), len(self._ready) - self._pos)
        buffer[:size] = self._ready[self._pos : self._pos + size]
        self._pos += size
        return size

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, gunzipped when its name ends in ``.gz``."""
    if is_gzip(path):
        return io.BufferedReader(_SafeGzip(path), buffer_size=_CHUNK)
    return open(path, "rb")


def open_text(path: Path) -> IO[str]:
    """The file as text (UTF-8, a BOM dropped, bad bytes replaced), gunzipped if ``.gz``."""
    return io.TextIOWrapper(open_binary(path), encoding="utf-8-sig", errors="replace", newline="")


def peek(path: Path, size: int = 4096) -> bytes:
    """Up to the first ``size`` bytes of the (gunzipped) file; b"" when unreadable."""
    got = b""
    try:
        with open_binary(path) as handle:
            while len(got) < size:
                chunk = handle.read1(size - len(got))
                if not chunk:
                    break
                got += chunk
    except (OSError, GzipTruncated):
        pass
    return got


def iter_lines(path: Path, max_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, int, bytes | None, str]]:
    """Lines of a (gzipped) file as ``(line number, offset, bytes or None, problem)``.

    ``offset`` is where the line starts in the (gunzipped) file: the line's bytes are
    ``[offset, offset + len(bytes))``, without its ``\\n``. Reads in 1 MB chunks, so
    memory stays bounded by ``max_bytes`` whatever the file: a longer line is skipped to
    its end and given as ``(n, offset, None, "line_too_long")``. A cut-off gzip ends with
    ``(n, offset, None, "truncated_gzip")``. Problem is "" otherwise.
    """
    lineno = 0
    base = 0  # offset of the current chunk
    line_start = 0
    with open_binary(path) as handle:
        pending: list[bytes] = []
        pending_size = 0
        too_long = False
        try:
            while True:
                # read1: one raw read, so bytes read before a gzip cut are not lost
                chunk = handle.read1(_CHUNK)
                if not chunk:
                    break
                start = 0
                while True:
                    end = chunk.find(b"\n", start)
                    if end < 0:
                        rest = chunk[start:]
                        if not too_long:
                            pending.append(rest)
                            pending_size += len(rest)
                            if pending_size > max_bytes:
                                too_long, pending, pending_size = True, [], 0
                        break
                    lineno += 1
                    piece = chunk[start:end]
                    if too_long or pending_size + len(piece) > max_bytes:
                        yield lineno, line_start, None, "line_too_long"
                    elif pending:
                        pending.append(piece)
                        yield lineno, line_start, b"".join(pending), ""
                    else:
                        yield lineno, line_start, piece, ""
                    pending, pending_size, too_long = [], 0, False
                    start = end + 1
                    line_start = base + start
                base += len(chunk)
        except GzipTruncated:
            # What was read up to the cut is given; the partial last line is dropped.
            yield lineno + 1, line_start, None, "truncated_gzip"
            return
        if too_long:
            yield lineno + 1, line_start, None, "line_too_long"
        elif pending:
            yield lineno + 1, line_start, b"".join(pending), ""


# --------------------------------------------------------------------------- captures

_SHA256: dict[tuple, str] = {}


def source_sha256(path: Path, known: str | None = None) -> str:
    """sha256 of a source file, computed once per file version (path, size, mtime):
    ingest hashes every file for its IngestRun and hands the result over with ``known``."""
    stat = Path(path).stat()
    key = (os.path.abspath(path), stat.st_size, stat.st_mtime_ns)
    if known is not None:
        _SHA256[key] = known
    elif key not in _SHA256:
        if len(_SHA256) > 4096:
            _SHA256.clear()
        _SHA256[key] = file_sha256(Path(path))
    return _SHA256[key]


# What a capture is linked to: the items it holds, and the accounts that act in it.
_CAPTURED_KINDS = frozenset({"Post", "Account", "Observation", "Report", "Target", "Watch", "Media"})
_ACTS = frozenset({"POSTED", "REPOSTED"})


class Captures:
    """The Capture records of one source file.

    Each capture (a JSONL line, a WARC record, a Telegram message, a CSV row, a saved
    page) is a ``Capture`` node keyed by the file's sha256 and the capture's offset,
    holding where its bytes are and their sha256; :meth:`link` ties it to what it holds.

    >>> import tempfile; folder = Path(tempfile.mkdtemp()); (folder / "a.jsonl").write_bytes(b'{"a": 1}\\n')
    9
    >>> captures = Captures(folder / "a.jsonl", "jsonl")
    >>> node = captures.node(0, b'{"a": 1}', line=1)
    >>> node.props["length"], node.props["time_source"]
    (8, 'unknown')
    """

    def __init__(self, path: Path, fmt: str, captured_at: int | None = None, time_source: str = "unknown"):
        self.source = path_text(Path(os.path.abspath(path)))
        self.format = fmt
        self.sha = source_sha256(path)
        self.captured_at, self.time_source = captured_at, time_source if captured_at is not None else "unknown"

    def node(self, offset: int, data: bytes | None = None, *, length: int | None = None,
             bytes_sha256: str | None = None, line: int | None = None, captured_at: int | None = None,
             time_source: str | None = None, **props) -> Node:
        """A Capture of ``data`` (or of ``length`` bytes whose sha256 is ``bytes_sha256``)
        at ``offset``; the file's capture time unless this capture has its own."""
        if captured_at is None:
            captured_at, time_source = self.captured_at, self.time_source
        values = {"captured_at": captured_at, "time_source": time_source or "unknown", "format": self.format,
                  "source_file": self.source, "source_sha256": self.sha, "offset": offset,
                  "length": len(data) if data is not None else length, "line": line,
                  "bytes_sha256": hashlib.sha256(data).hexdigest() if data is not None else bytes_sha256,
                  **props}
        return Node("Capture", capture_uid(self.sha, offset), {k: v for k, v in values.items() if v is not None})

    @staticmethod
    def link(capture: Node, records: list[Record]) -> list[Record]:
        """``records`` after the capture: each act (POSTED, REPOSTED) read from it names it
        (``capture``), and CAPTURES ties it to each item it holds and each acting account."""
        uid = capture.uid
        held: dict[str, None] = {}
        for record in records:
            if isinstance(record, Node):
                if record.kind in _CAPTURED_KINDS:
                    held[record.uid] = None
            elif isinstance(record, Edge) and record.kind in _ACTS:
                record.props.setdefault("capture", uid)
                if record.props.get("time") is not None:  # an act, not the author of a stub
                    held[record.src] = None
                    held[record.dst] = None
        return [capture, *records, *(Edge("CAPTURES", uid, item) for item in held)]


class Accumulator:
    """Nodes met many times in one file (accounts, URLs, sites, hashtags, media).

    Each is emitted once, by :meth:`drain` at the end of the file, with
    ``first_seen``/``last_seen`` = its earliest/latest activity in the file (times given
    to :meth:`add`; a mere mention gives none). For properties, the values seen with
    the latest activity win; values first seen without a time fill gaps only.
    Edges written before the node are fine: both stores create missing endpoints.
    """

    __slots__ = ("nodes",)

    def __init__(self) -> None:
        self.nodes: dict[str, list] = {}

    def add(self, kind: str, uid: str, props: dict, time: int | None = None) -> None:
        entry = self.nodes.get(uid)
        if entry is None:
            self.nodes[uid] = [kind, {k: v for k, v in props.items() if v is not None and v != ""}, time, time]
            return
        held = entry[1]
        if time is not None and (entry[3] is None or time >= entry[3]):
            for k, v in props.items():
                if v is not None and v != "":
                    held[k] = v
        else:
            for k, v in props.items():
                if v is not None and v != "" and k not in held:
                    held[k] = v
        if time is not None:
            if entry[2] is None or time < entry[2]:
                entry[2] = time
            if entry[3] is None or time > entry[3]:
                entry[3] = time

    def touch(self, uid: str, time: int | None) -> bool:
        """Record activity of a held node; True when its props must be (re)read:
        the node is new or this activity is its latest. Saves building props for
        the many repeated sightings of one account in a file."""
        entry = self.nodes.get(uid)
        if entry is None:
            return True
        if time is None:
            return False
        if entry[3] is None or time >= entry[3]:
            return True
        if entry[2] is None or time < entry[2]:
            entry[2] = time
        return False

    def __contains__(self, uid: str) -> bool:
        return uid in self.nodes

    def drain(self) -> Iterator[Node]:
        for uid, (kind, props, first, last) in self.nodes.items():
            if first is not None:
                props["first_seen"] = first
                props["last_seen"] = last
            yield Node(kind, uid, props)
        self.nodes = {}


def site_edges(acc: Accumulator) -> Iterator[Edge]:
    """Url -ON_SITE-> Site for every Url held in ``acc`` (call before draining it)."""
    for uid, (kind, props, _first, _last) in acc.nodes.items():
        if kind == "Url" and props.get("domain"):
            yield Edge("ON_SITE", uid, site_uid(props["domain"]))


def media_url_uid(url: str) -> str | None:
    """A Media uid for media known only by URL (snscrape JSONL has no bytes).

    Media is keyed by the sha256 of its bytes; without them we key by
    ``media_uid("url-" + sha1(canonical URL))`` -> ``media:url-<40 hex>``, which
    cannot collide with a 64-hex sha256 key. Twitter's ``?name=small|large|orig``
    size parameter is dropped so sizes of one image share a key.
    """
    canon = canonical_url(url)
    if canon is None:
        return None
    if canon.startswith("https://pbs.twimg.com/") and "?" in canon:
        path, _, query = canon.partition("?")
        kept = [p for p in query.split("&") if not p.startswith("name=")]
        canon = path + ("?" + "&".join(kept) if kept else "")
    return media_uid("url-" + hashlib.sha1(canon.encode("utf-8")).hexdigest())


def validate_record(record: Record, schema=None) -> list[str]:
    """Problems of a record against the schema (empty list when it is fine).

    Checks that kinds exist, props are declared (or common: first_seen, last_seen),
    uids have the kind's prefix, edge endpoints are a declared ``between`` pair and
    edges of ``repeats: true`` kinds carry a key. Used by the tests of every collector.
    """
    if schema is None:
        from graphinv.schema import SCHEMA as schema  # noqa: N811
    problems: list[str] = []
    common = {"first_seen", "last_seen"}
    if isinstance(record, Reject):
        if not record.reason:
            problems.append("reject without a reason")
        return problems
    if isinstance(record, Node):
        kind = schema.nodes.get(record.kind)
        if kind is None:
            return [f"unknown node kind {record.kind}"]
        try:
            if kind_of(record.uid) != record.kind:
                problems.append(f"{record.uid}: uid prefix is not {record.kind}")
        except ValueError as exc:
            problems.append(str(exc))
        extra = set(record.props) - set(kind.properties) - common
        if extra:
            problems.append(f"{record.kind} {record.uid}: undeclared {sorted(extra)}")
        return problems
    kind = schema.edges.get(record.kind)
    if kind is None:
        return [f"unknown edge kind {record.kind}"]
    try:
        pair = (kind_of(record.src), kind_of(record.dst))
    except ValueError as exc:
        return [str(exc)]
    if pair not in kind.between:
        problems.append(f"{record.kind} between {pair} is not declared")
    extra = set(record.props) - set(kind.properties) - common
    if extra:
        problems.append(f"{record.kind} {record.uid}: undeclared {sorted(extra)}")
    if kind.repeats and not record.key:
        problems.append(f"{record.kind} {record.uid}: repeats but has no key")
    return problems
