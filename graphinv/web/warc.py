"""Reading WARC / WARC.gz files (warcio), record by record, without trusting them.

:func:`read_warc` gives each record with its offset (seek there and read one record to
get the evidence back) and, for ``response``, ``resource`` and ``metadata`` records, the
first bytes of its payload after transfer and content decoding (the bytes a browser
renders), the sha256 and size of all of it. A damaged file never raises: a truncated
``.warc.gz`` ends with one ``Reject("truncated_gzip")`` after every complete record (a
truncated plain ``.warc``: ``Reject("truncated_warc")``); a record that cannot be parsed,
or a damaged gzip member, ends the file with ``Reject("bad_warc")`` (warcio cannot
resynchronise on the next record; the records before are kept).
"""

from __future__ import annotations

import hashlib
import ipaddress
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


def read_warc(path: Path, max_payload: int, source: str) -> Iterator[WarcEntry | Reject]:
    """Every record of the file, then at most one Reject saying why reading stopped
    early (see the module docstring). ``max_payload`` bounds the payload bytes kept per
    record (metadata records: ``MAX_METADATA``); ``source`` names the file in Rejects.
    Opening the file may raise OSError."""
    iterator_class = _iterator_class()
    gz = raw_head(path, 2) == GZIP_MAGIC
    size = path.stat().st_size
    truncated_reason = "truncated_gzip" if gz else "truncated_warc"
    with open(path, "rb") as handle, open(path, "rb") as raw:
        iterator = iterator_class(handle)
        last_offset = 0
        try:
            for record in iterator:
                entry = _entry(record, iterator, max_payload, raw)
                last_offset = entry.offset
                if record.raw_stream.limit > 0:
                    # The file ends inside this record: what it holds is incomplete.
                    yield Reject(truncated_reason, f"the file ends inside the record at offset {last_offset}",
                                 f"{source}@{last_offset}")
                    return
                yield entry
        except Exception as exc:  # warcio raises many kinds on damaged input
            incomplete = gz and gzip_incomplete(iterator)
            reason = truncated_reason if incomplete else "bad_warc"
            yield Reject(reason, f"unreadable after offset {last_offset}: {type(exc).__name__}: {exc}"[:500],
                         f"{source}@{last_offset}")
            return
        if iterator.gzip_incomplete or iterator.offset < size:
            yield Reject(truncated_reason, f"the file ends mid-record after offset {iterator.offset} "
                                           f"of {size} bytes", f"{source}@{iterator.offset}")


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

    class _Iterator(ArchiveIterator):
        """Remembers whether the gzip stream ended cleanly before warcio closes it."""

        gzip_incomplete = False

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
