"""Reading WARC / WARC.gz files (warcio), record by record, without trusting them.

:func:`read_warc` gives each record with its offset (seek there and read one record to
get the evidence back) and, for ``response``, ``resource`` and ``metadata`` records, the
first bytes of its payload after transfer and content decoding (the bytes a browser
renders), the sha256 and size of all of it. A damaged file never raises: a truncated
``.warc.gz`` ends with one ``Reject("truncated_gzip")`` after every complete record (a
truncated plain ``.warc``: ``Reject("truncated_warc")``); a record that cannot be parsed,
or a damaged gzip member, ends the file with ``Reject("bad_warc")`` (warcio cannot
resynchronise on the next record; the records before are kept).

A ``.warc.gz`` should hold one gzip member per record, so that each record can be cut
out of the file. Some tools gzip the whole file as one stream instead (pywb's live
writer, Webrecorder 3.7) or cut it in fixed blocks (bgzip): such a file is read through
one gunzipped stream and its offsets are in that stream (``WarcEntry.gunzipped``).

``Content-Encoding: br`` bodies are decoded with whichever ``brotli`` module is
installed (Google's, which fonttools pulls in, or brotlipy): warcio 1.8.1 only knows
brotlipy's and fails on the other (see :class:`_Brotli`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..records import Reject

WARC_SUFFIXES = (".warc", ".warc.gz", ".warc.gzip")
PAYLOAD_RECORDS = ("response", "resource", "metadata")
MAX_METADATA = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 20


@dataclass
class WarcEntry:
    """One record of a WARC file; ``payload`` is empty for records without one."""

    record: Any  # warcio's ArcWarcRecord
    offset: int
    payload: bytes = b""
    sha256: str = ""
    size: int = 0  # of the whole payload; more than len(payload) when it was cut
    error: Exception | None = None  # the payload could not be decoded (broken chunked or gzip body)
    length: int = 0  # the record's bytes in the file (in a .warc.gz, its gzip member)
    record_sha256: str = ""  # sha256 of those bytes
    gunzipped: bool = False  # offset and length are in the file's gunzipped stream

    @property
    def rec_type(self) -> str:
        return self.record.rec_type

    def header(self, name: str) -> str | None:
        """A WARC header of the record."""
        return self.record.rec_headers.get_header(name)


def raw_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of the file as stored (not gunzipped); b"" when unreadable."""
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def is_warc(path: Path) -> bool:
    """The file starts with ``WARC/`` once gunzipped, whatever its name says (a gzipped
    ".warc" and a plain ".warc.gz" both occur)."""
    head = raw_head(path, 4096)
    if head[:2] == GZIP_MAGIC:
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head)
        except zlib.error:
            return False
    return head.startswith(b"WARC/")


def read_warc(path: Path, max_payload: int, source: str,
              region: tuple[int, int] | None = None) -> Iterator[WarcEntry | Reject]:
    """Every record of the file, then at most one Reject saying why reading stopped
    early (see the module docstring). ``max_payload`` bounds the payload bytes kept per
    record (metadata records: ``MAX_METADATA``); ``source`` names the file in Rejects.
    ``region`` = (start, size) reads a WARC stored inside the file (a WACZ member):
    offsets stay those of the whole file. Opening the file may raise OSError."""
    start, size = region if region is not None else (0, path.stat().st_size)
    head = _region_head(path, start, min(size, 2))
    gz = head == GZIP_MAGIC
    truncated_reason = "truncated_gzip" if gz else "truncated_warc"
    if gz and not one_member_per_record(path, start, size):
        yield from _read_gunzipped(path, start, size, max_payload, source)
        return
    iterator_class = _iterator_class()
    read, failure = 0, None
    with open(path, "rb") as handle, open(path, "rb") as raw:
        iterator = iterator_class(_Region(handle, start, size))
        last_offset = start
        try:
            for record in iterator:
                entry = _entry(record, iterator, max_payload, raw)
                last_offset = entry.offset
                if record.raw_stream.limit > 0:
                    # The file (or this gzip member) ends inside this record.
                    failure = Reject(truncated_reason, f"the file ends inside the record at offset {last_offset}",
                                     f"{source}@{last_offset}")
                    break
                read += 1
                yield entry
        except Exception as exc:  # warcio raises many kinds on damaged input
            incomplete = gz and gzip_incomplete(iterator)
            reason = truncated_reason if incomplete else "bad_warc"
            failure = Reject(reason, f"unreadable after offset {last_offset}: {type(exc).__name__}: {exc}"[:500],
                             f"{source}@{last_offset}")
        if failure is None and (iterator.gzip_incomplete or iterator.offset < start + size):
            failure = Reject(truncated_reason, f"the file ends mid-record after offset {iterator.offset} "
                                               f"of {start + size} bytes", f"{source}@{iterator.offset}")
        left = iterator.offset < start + size
    if failure is None:
        return
    if gz and left:
        # A gzip member ended inside a record and more members follow: the writer cut
        # records across members. Read on through the gunzipped stream, after the
        # records already given (their own offsets stay valid).
        skipped = 0
        for item in _read_gunzipped(path, start, size, max_payload, source):
            if isinstance(item, WarcEntry):
                if skipped < read:
                    skipped += 1
                    continue
            elif skipped <= read and failure is not None:
                break  # nothing more read this way: the first reading's account is the precise one
            failure = None
            yield item
        if failure is None:
            return
    yield failure


def _read_gunzipped(path: Path, start: int, size: int, max_payload: int,
                    source: str) -> Iterator[WarcEntry | Reject]:
    """The records of a WARC gzipped as one stream (or in blocks that do not follow the
    records), read from its gunzipped bytes: offsets and lengths are in that stream."""
    iterator_class = _iterator_class()
    with open(path, "rb") as handle, open(path, "rb") as raw_handle:
        stream, raw = _Gunzipped(_Region(handle, start, size)), _Gunzipped(_Region(raw_handle, start, size))
        iterator = iterator_class(stream)
        last_offset = 0
        try:
            for record in iterator:
                entry = _entry(record, iterator, max_payload, raw)
                entry.gunzipped = True
                last_offset = entry.offset
                if record.raw_stream.limit > 0 or stream.cut:
                    yield Reject("truncated_gzip", f"the gzip stream ends inside the record at offset "
                                                   f"{last_offset} of the gunzipped file", f"{source}@{last_offset}")
                    return
                yield entry
        except Exception as exc:  # warcio raises many kinds on damaged input
            reason = "truncated_gzip" if stream.cut else "bad_warc"
            yield Reject(reason, f"unreadable after offset {last_offset} of the gunzipped file: "
                                 f"{type(exc).__name__}: {exc}"[:500], f"{source}@{last_offset}")
            return
        if stream.cut:
            yield Reject("truncated_gzip", f"the gzip stream is cut off after offset {iterator.offset} "
                                           "of the gunzipped file", f"{source}@{iterator.offset}")


def _region_head(path: Path, start: int, size: int) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(start)
        return handle.read(size)


class _Region:
    """``size`` bytes of an open file from ``start`` (a WARC stored in a WACZ), with
    ``tell()`` in the whole file so that record offsets are the file's."""

    def __init__(self, handle, start: int, size: int):
        self._handle, self._end = handle, start + size
        handle.seek(start)

    def read(self, size: int = -1) -> bytes:
        left = self._end - self._handle.tell()
        return self._handle.read(left if size is None or size < 0 else min(size, left)) if left > 0 else b""

    def tell(self) -> int:
        return self._handle.tell()


class _Gunzipped:
    """The gunzipped bytes of a region (gzip members one after the other), read forward
    only (``seek`` skips ahead). A cut-off or damaged stream gives every byte before the
    damage, then ends and sets ``cut`` (warcio takes an EOFError for the file's end)."""

    def __init__(self, region: _Region):
        self._region = region
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._ready = b""
        self._pos = 0
        self._done = False
        self.cut = False

    def _fill(self) -> None:
        while not self._ready and not self._done:
            if self._inflate.eof:  # the next member, if any
                data = self._inflate.unused_data or self._region.read(1 << 16)
                self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
                if not data.strip(b"\0"):
                    self._done = True
                    return
            else:
                data = self._inflate.unconsumed_tail or self._region.read(1 << 16)
                if not data:
                    self._done = self.cut = True
                    return
            try:
                self._ready = self._inflate.decompress(data, CHUNK)
            except zlib.error:
                self._done = self.cut = True

    def read(self, size: int = -1) -> bytes:
        self._fill()
        if size is None or size < 0:
            size = len(self._ready)
        data, self._ready = self._ready[:size], self._ready[size:]
        self._pos += len(data)
        return data

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int) -> None:
        if offset < self._pos:
            raise ValueError("a gunzipped WARC is read forward only")
        while self._pos < offset and self.read(min(CHUNK, offset - self._pos)):
            pass


def one_member_per_record(path: Path, start: int = 0, size: int | None = None) -> bool:
    """Whether the first gzip member of a ``.warc.gz`` ends where its first record does
    (the WARC convention); False for a file gzipped as one stream, or in blocks that
    cut records (bgzip). Inflates no more than the first record. A file too damaged
    to tell is taken as conventional: the normal reader says what is wrong with it.

    >>> import gzip, tempfile; folder = Path(tempfile.mkdtemp())
    >>> record = b"WARC/1.0\\r\\nContent-Length: 2\\r\\n\\r\\nhi\\r\\n\\r\\n"
    >>> _ = (folder / "a.warc.gz").write_bytes(gzip.compress(record) + gzip.compress(record))
    >>> _ = (folder / "b.warc.gz").write_bytes(gzip.compress(record + record))
    >>> one_member_per_record(folder / "a.warc.gz"), one_member_per_record(folder / "b.warc.gz")
    (True, False)
    """
    size = path.stat().st_size - start if size is None else size
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    head, end, total = b"", None, 0
    with open(path, "rb") as handle:
        region = _Region(handle, start, size)
        while not inflate.eof:
            data = inflate.unconsumed_tail or region.read(1 << 16)
            if not data:
                return True  # cut off inside the first member
            try:
                out = inflate.decompress(data, 1 << 16)
            except zlib.error:
                return True
            total += len(out)
            if end is None:
                head += out
                end = _record_end(head)
                if end is None and len(head) > MAX_METADATA:
                    return True  # no WARC header block here: not ours to judge
            if end is not None and total > end + 4:
                return False  # the member goes on past the record
    return end is None or total >= end


_CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*(\d+)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


def _record_end(head: bytes) -> int | None:
    """Where the record starting ``head`` ends (its header block and content), when
    its header block is complete; None before that."""
    cut = head.find(b"\r\n\r\n")
    if cut < 0:
        return None
    found = _CONTENT_LENGTH.search(head, 0, cut + 2)
    return cut + 4 + int(found.group(1)) if found else cut + 4


def payload_at(path: Path, offset: int, limit: int, *, gunzipped: bool = False,
               region: tuple[int, int] | None = None):
    """(record, the first ``limit`` bytes of its decoded payload) of the record at
    ``offset`` (of the gunzipped stream when ``gunzipped``; ``region`` as for
    :func:`read_warc`); None when nothing readable is there."""
    from warcio.archiveiterator import ArchiveIterator

    start, size = region if region is not None else (0, path.stat().st_size)
    with open(path, "rb") as handle:
        try:
            if gunzipped:
                stream = _Gunzipped(_Region(handle, start, size))
                stream.seek(offset)
            else:
                stream = _Region(handle, offset, start + size - offset)
            record = next(iter(ArchiveIterator(stream)))
            data, _, _ = read_payload(record, limit)
        except Exception:  # noqa: BLE001 - any failure means nothing readable there
            return None
    return record, data


def sha256_of(handle, length: int) -> str:
    """sha256 of the next ``length`` bytes of ``handle`` (fewer if the file ends first)."""
    digest = hashlib.sha256()
    while length > 0:
        block = handle.read(min(CHUNK, length))
        if not block:
            break
        digest.update(block)
        length -= len(block)
    return digest.hexdigest()


def _entry(record, iterator, max_payload: int, raw) -> WarcEntry:
    entry = WarcEntry(record, 0)
    if record.rec_type in PAYLOAD_RECORDS:
        try:
            limit = MAX_METADATA if record.rec_type == "metadata" else max_payload
            entry.payload, entry.sha256, entry.size = read_payload(record, limit)
        except Exception as exc:  # a broken chunked or gzip body
            entry.error = exc
    # Only after the payload was read: warcio reads to the record's end to tell these.
    entry.offset, entry.length = iterator.get_record_offset(), iterator.get_record_length()
    # The capture's own bytes (in a .warc.gz, its gzip member), which anyone can cut
    # out of the file and hash again.
    raw.seek(entry.offset)
    entry.record_sha256 = sha256_of(raw, entry.length)
    return entry


def _iterator_class():
    from warcio.archiveiterator import ArchiveIterator
    from warcio.bufferedreaders import DecompressingBufferedReader

    class _LinearReader(DecompressingBufferedReader):
        """warcio's reader with a readline in linear time: warcio's adds each buffer to
        the line read so far, so a header line of 40 MB took a minute (200 MB: hours)."""

        def readline(self, length=None):
            if length == 0:
                return b""
            self._fillbuff()
            if self.empty():
                return b""
            parts = [self.buff.readline(length)]
            while not parts[-1].endswith(b"\n"):
                if length:
                    length -= len(parts[-1])
                    if length <= 0:
                        break
                self._fillbuff()
                if self.empty():
                    break
                parts.append(self.buff.readline(length))
            return b"".join(parts)

    class _Iterator(ArchiveIterator):
        """Remembers whether the gzip stream ended cleanly before warcio closes it, and
        reads lines in linear time (:class:`_LinearReader`)."""

        gzip_incomplete = False

        def __init__(self, fileobj, *args, **kwargs):
            super().__init__(fileobj, *args, **kwargs)
            self.reader = _LinearReader(self.fh, block_size=kwargs.get("block_size", self.reader.block_size))

        def close(self):
            self.gzip_incomplete = gzip_incomplete(self)
            super().close()

    return _Iterator


def gzip_incomplete(iterator) -> bool:
    """The gzip member being read has not reached its end marker (a cut-off file)."""
    reader = getattr(iterator, "reader", None)
    decompressor = getattr(reader, "decompressor", None) if reader is not None else None
    return bool(decompressor is not None and not getattr(decompressor, "eof", True))


def read_payload(record, limit: int) -> tuple[bytes, str, int]:
    """The first ``limit`` bytes of the decoded payload, the sha256 of all of it, its size."""
    digest = hashlib.sha256()
    kept: list[bytes] = []
    kept_size = total = 0
    stream = record.content_stream()
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        digest.update(chunk)
        total += len(chunk)
        if kept_size < limit:
            piece = chunk[: limit - kept_size]
            kept.append(piece)
            kept_size += len(piece)
    return b"".join(kept), digest.hexdigest(), total


class _Brotli:
    """A ``br`` decompressor as warcio's reader uses one (``decompress`` and
    ``unused_data``), over either ``brotli`` module: Google's (``process``, and no
    attribute can be set on it: warcio 1.8.1's own hook fails with AttributeError on
    every br body) or brotlipy's (``decompress``)."""

    unused_data = None

    def __init__(self):
        import brotli

        decompressor = brotli.Decompressor()
        self._step = getattr(decompressor, "process", None) or decompressor.decompress

    def decompress(self, data: bytes) -> bytes:
        return self._step(data)


def _register_brotli() -> None:
    from warcio.bufferedreaders import BufferedReader

    try:
        import brotli  # noqa: F401 - only to know it is there
    except ImportError:
        return
    BufferedReader.DECOMPRESSORS["br"] = _Brotli


_register_brotli()

_DIGEST_SIZES = {"sha1": 20, "sha256": 32, "sha512": 64, "md5": 16}


def digest_key(value: str | None) -> str | None:
    """A WARC digest in one spelling, ``algorithm:hex``, whatever its writer's:
    ``sha256:``/``sha-256:``/``SHA256:``, hex or base32 (or base64) values.

    >>> digest_key("sha-256:" + "AB" * 32) == digest_key("sha256:" + "ab" * 32)
    True
    >>> digest_key("sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ")
    'sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709'
    >>> digest_key("nonsense") is None
    True
    """
    if not value or ":" not in value:
        return None
    algorithm, _, text = value.strip().partition(":")
    algorithm = algorithm.lower().replace("-", "").replace("_", "")
    text = text.strip()
    size = _DIGEST_SIZES.get(algorithm)
    raw = None
    if size and len(text) == 2 * size:
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = None
    if raw is None:
        for decode in (lambda t: base64.b32decode(t.upper() + "=" * (-len(t) % 8)), base64.b64decode):
            try:
                raw = decode(text)
            except (binascii.Error, ValueError):
                continue
            if size is None or len(raw) == size:
                break
            raw = None
    if raw is None or (size and len(raw) != size):
        return None
    return f"{algorithm}:{raw.hex()}"


_FRACTION = re.compile(r"T\d\d:\d\d:\d\d[.,](\d+)")


def date_fraction(value: str | None) -> str:
    """The sub-second digits of a WARC-Date (``""`` for whole seconds): two captures of
    a page within one second are told apart by them.

    >>> date_fraction("2024-03-01T12:00:00.250Z"), date_fraction("2024-03-01T12:00:00.000Z")
    ('25', '')
    """
    found = _FRACTION.search(value or "")
    return found.group(1).rstrip("0") if found else ""


def http_status_of(record) -> int | None:
    """The HTTP status code of a response record; None without HTTP headers or a usable code."""
    if record.http_headers is None:
        return None
    try:
        code = int(record.http_headers.get_statuscode())
    except (TypeError, ValueError):
        return None
    return code if 100 <= code <= 999 else None


def ip_address_of(record) -> str | None:
    """``WARC-IP-Address`` (the address the capture really contacted), normalised; None when absent or bad."""
    raw = record.rec_headers.get_header("WARC-IP-Address")
    if not raw:
        return None
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def target_uri(record) -> str:
    """``WARC-Target-URI`` as written, without the angle brackets of WARC 1.0 drafts."""
    uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
    return uri[1:-1] if uri.startswith("<") and uri.endswith(">") else uri  # WARC 1.0 draft style
