"""WARC.gz output of a capture: warcinfo, request and response records, and graphinv's
own ``metadata`` records.

Each exchange becomes a ``response`` record (the status line, headers and body as
received; ``Transfer-Encoding`` is kept as ``X-Archive-Orig-Transfer-Encoding`` because
the stored body is already de-chunked; ``WARC-Truncated`` when the body was cut off;
``WARC-IP-Address`` the address really contacted) and a ``request`` record
concurrent to it. A fetch that got no response, and every check of a watch run, is a
``metadata`` record of ``application/warc-fields`` named by its ``graphinv-`` fields
(see :mod:`graphinv.web.outcome`); the web collector turns those into Observations, so the
WARC alone holds everything the store was told.

The file is written under a ``.part`` name and renamed when closed, so a process killed
mid-record never leaves a file that looks finished; an orderly stop (Ctrl+C) closes it
with the whole records written so far. ``close()`` returns the path and the
file's sha256, also written beside it as ``NAME.sha256`` (``sha256sum -c`` reads it).

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> out = WarcOut(folder / "t.warc.gz", description="doctest")
>>> path, sha = out.close()
>>> path.name, len(sha), (folder / "t.warc.gz.sha256").read_text().split()[0] == sha
('t.warc.gz', 64, True)
"""

from __future__ import annotations

import io
import os
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from .. import __version__
from ..digest import file_sha256
from ..web.outcome import CONTENT_TYPE as OUTCOME_CONTENT_TYPE
from ..web.outcome import outcome_payload
from .fetch import Exchange


def warc_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class WarcOut:
    """A WARC.gz file being written; records are appended with their offsets known."""

    def __init__(self, path: Path, description: str = "", user_agent: str = "", extra_info: dict | None = None):
        import warcio
        from warcio.warcwriter import WARCWriter

        self.path = unique_path(Path(path))
        self.part = self.path.with_name(self.path.name + ".part")
        self.handle = open(self.part, "wb")
        self.writer = WARCWriter(self.handle, gzip=True)
        warcio_version = getattr(warcio, "__version__", "") or _dist_version("warcio")
        info = {"software": f"graphinv/{__version__} (warcio/{warcio_version})",
                "format": "WARC File Format 1.0", "conformsTo":
                "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/"}
        if description:
            info["description"] = description
        if user_agent:
            info["http-header-user-agent"] = user_agent
        info.update(extra_info or {})
        self.records = 0
        self._write(self.writer.create_warcinfo_record(self.path.name, info))

    def _write(self, record) -> int:
        offset = self.handle.tell()
        self.writer.write_record(record)
        self.records += 1
        return offset

    def exchange(self, exchange: Exchange) -> tuple[int | None, str | None]:
        """Write a response (and its request); (offset, record id) of the response, or
        (None, None) when the exchange got no response."""
        from warcio.statusandheaders import StatusAndHeaders

        if not exchange.ok:
            return None, None
        headers = [(f"X-Archive-Orig-{k}" if k.lower() == "transfer-encoding" else k, v)
                   for k, v in exchange.headers]
        status_line = f"{exchange.status} {exchange.reason}".strip()
        protocol = exchange.http_version if exchange.http_version.startswith("HTTP/") else "HTTP/1.1"
        http = StatusAndHeaders(status_line, headers, protocol=protocol)
        warc_headers = {"WARC-Date": warc_date(exchange.started)}
        if exchange.address:
            warc_headers["WARC-IP-Address"] = exchange.address
        if exchange.truncated:
            warc_headers["WARC-Truncated"] = exchange.truncated
        response = self.writer.create_warc_record(exchange.url, "response", payload=io.BytesIO(exchange.body),
                                                  length=len(exchange.body), http_headers=http,
                                                  warc_headers_dict=warc_headers)
        offset = self._write(response)
        record_id = response.rec_headers.get_header("WARC-Record-ID")
        parts = urlsplit(exchange.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = StatusAndHeaders(f"GET {target} HTTP/1.1", exchange.request_headers, is_http_request=True)
        self._write(self.writer.create_warc_record(
            exchange.url, "request", payload=io.BytesIO(b""), length=0, http_headers=request,
            warc_headers_dict={"WARC-Date": warc_date(exchange.started), "WARC-Concurrent-To": record_id}))
        return offset, record_id

    def metadata(self, url: str, moment: datetime, fields: dict, concurrent_to: str | None = None) -> int:
        """A ``metadata`` record of warc-fields for ``url``; its offset."""
        body = outcome_payload(fields)
        warc_headers = {"WARC-Date": warc_date(moment)}
        if concurrent_to:
            warc_headers["WARC-Concurrent-To"] = concurrent_to
        record = self.writer.create_warc_record(url, "metadata", payload=io.BytesIO(body), length=len(body),
                                                warc_content_type=OUTCOME_CONTENT_TYPE,
                                                warc_headers_dict=warc_headers)
        return self._write(record)

    def close(self) -> tuple[Path, str]:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.replace(self.part, self.path)
        sha = file_sha256(self.path)
        self.path.with_name(self.path.name + ".sha256").write_text(f"{sha}  {self.path.name}\n")
        return self.path, sha


def unique_path(path: Path) -> Path:
    """``path``, or ``NAME-2.warc.gz``, ``NAME-3.warc.gz``… when taken: evidence is never
    overwritten (two captures can start in the same second)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = path.name[: -len(".warc.gz")] if path.name.endswith(".warc.gz") else path.stem
    suffix = path.name[len(stem):]
    candidate, n = path, 1
    while candidate.exists() or candidate.with_name(candidate.name + ".part").exists():
        n += 1
        candidate = path.with_name(f"{stem}-{n}{suffix}")
    return candidate


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return ""
