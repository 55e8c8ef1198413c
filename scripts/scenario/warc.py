"""The scenario's WARC writer: seeded record ids, so the same seed gives the same bytes.

graphinv.capture.warc.WarcOut would change the committed demo bytes: its record ids are
random, its warcinfo carries the installed versions, and it writes a ``.sha256`` beside
each file. The outcome records use the same payload format
(:func:`graphinv.web.outcome.outcome_payload`), so both read back the same way.
"""

from __future__ import annotations

import io
import random
import uuid
from email.utils import formatdate
from pathlib import Path

from graphinv.web.outcome import outcome_payload

from .common import isoz


class Warc:
    """A WARC.gz of request/response pairs, warcinfo and outcome records, ids drawn from ``rng``."""

    def __init__(self, path: Path, rng: random.Random, software: str) -> None:
        from warcio.warcwriter import WARCWriter

        self.path = path
        self.rng = rng
        self.fh = open(path, "wb")
        self.w = WARCWriter(self.fh, gzip=True)
        self.software = software

    def rid(self) -> str:
        return f"<urn:uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}>"

    def warcinfo(self, ts: int, operator: str) -> None:
        body = (f"software: {self.software}\r\nformat: WARC File Format 1.0\r\n"
                f"conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/\r\n"
                f"isPartOf: ostervale-monitoring\r\noperator: {operator}\r\n"
                f"robots: ignore\r\nhttp-header-user-agent: Mozilla/5.0 (X11; Linux x86_64) Browsertrix-style capture\r\n").encode()
        rec = self.w.create_warc_record("", "warcinfo", payload=io.BytesIO(body), length=len(body),
                                        warc_content_type="application/warc-fields",
                                        warc_headers_dict={"WARC-Record-ID": self.rid(), "WARC-Date": isoz(ts),
                                                           "WARC-Filename": self.path.name})
        self.w.write_record(rec)

    def exchange(self, url: str, ts: int, status: int, body: bytes, ctype: str, extra: list | None = None) -> str:
        from warcio.statusandheaders import StatusAndHeaders

        host = url.split("/")[2]
        path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
        resp_id = self.rid()
        reasons = {200: "OK", 404: "Not Found", 410: "Gone", 451: "Unavailable For Legal Reasons",
                   301: "Moved Permanently"}
        headers = [("Date", formatdate(ts, usegmt=True)), ("Server", "nginx"),
                   ("Content-Type", ctype), ("Content-Length", str(len(body)))] + (extra or [])
        if status == 200 and ctype.startswith("text/html"):
            headers.append(("Cache-Control", "max-age=600"))
        http = StatusAndHeaders(f"{status} {reasons[status]}", headers, protocol="HTTP/1.1")
        rec = self.w.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                        warc_headers_dict={"WARC-Record-ID": resp_id, "WARC-Date": isoz(ts),
                                                           "WARC-IP-Address": f"203.0.113.{sum(host.encode()) % 250 + 1}"},
                                        http_headers=http)
        self.w.write_record(rec)
        req_http = StatusAndHeaders(f"GET {path} HTTP/1.1",
                                    [("Host", host), ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
                                     ("Accept", "text/html,application/xhtml+xml,image/avif,image/webp,*/*;q=0.8"),
                                     ("Accept-Language", "en-US,en;q=0.5")], is_http_request=True)
        req = self.w.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0,
                                        warc_headers_dict={"WARC-Record-ID": self.rid(), "WARC-Date": isoz(ts),
                                                           "WARC-Concurrent-To": resp_id},
                                        http_headers=req_http)
        self.w.write_record(req)
        return resp_id

    def outcome(self, url: str, ts: int, fields: dict, concurrent_to: str) -> None:
        """A graphinv outcome record, as `graphinv watch run` writes one per check."""
        body = outcome_payload(fields)
        rec = self.w.create_warc_record(url, "metadata", payload=io.BytesIO(body), length=len(body),
                                        warc_content_type="application/warc-fields",
                                        warc_headers_dict={"WARC-Record-ID": self.rid(), "WARC-Date": isoz(ts),
                                                           "WARC-Concurrent-To": concurrent_to})
        self.w.write_record(rec)

    def close(self) -> None:
        self.fh.close()
