"""The WARC side of an evidence package (:mod:`.package`): copying captured records,
with their warcinfo and concurrent records, byte for byte into the package's WARCs,
what those WARCs recorded of the capture environment, and the CDXJ index and page
list replay tools read.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ..errors import InputError


def warc_records(path: Path) -> list[dict]:
    """Each record of a WARC file: type, id, its concurrent ids, offset, length, headers."""
    from warcio.archiveiterator import ArchiveIterator

    records = []
    with open(path, "rb") as handle:
        iterator = ArchiveIterator(handle)
        for record in iterator:
            headers = record.rec_headers
            info = {"type": record.rec_type, "id": headers.get_header("WARC-Record-ID"),
                    "concurrent": {v for k, v in headers.headers if k.lower() == "warc-concurrent-to"},
                    "headers": dict(headers.headers), "user_agent": None}
            if record.rec_type == "warcinfo":
                info["fields"] = warc_fields(record.content_stream().read())
            elif record.rec_type == "request" and record.http_headers is not None:
                info["user_agent"] = record.http_headers.get_header("User-Agent")
            info["offset"], info["length"] = iterator.get_record_offset(), iterator.get_record_length()
            records.append(info)
        # warcio leaves an uncompressed record's closing CRLF CRLF out of its length:
        # a record's bytes run to where the next begins.
        ends = [r["offset"] for r in records[1:]] + [handle.seek(0, os.SEEK_END)]
    for record, end in zip(records, ends):
        record["end"] = end
    return records


def warc_fields(payload: bytes) -> dict:
    """``application/warc-fields`` (``name: value`` lines) as a dict, as written."""
    fields = {}
    for line in payload.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            fields[name.strip()] = value.strip()
    return fields


class Part:
    """One file of the package being assembled from pieces, with the offset of each."""

    def __init__(self, path: str):
        self.path, self.data = path, bytearray()

    def add(self, piece: bytes, separate: bool = False) -> int:
        if separate and self.data and not self.data.endswith(b"\n"):
            self.data += b"\n"
        offset = len(self.data)
        self.data += piece
        return offset


def copy_warc_records(part: Part, source: Path, group: list[dict], pieces: dict[str, bytes]) -> tuple[dict, dict]:
    """Copy the source's warcinfo records, the captured records and those concurrent to
    them into ``part`` in file order; their offsets there, and what the WARC recorded of
    its capture environment (as recorded: a field it lacks stays absent)."""
    records = warc_records(source)
    captured = {row["offset"]: row for row in group}
    ids = {r["id"] for r in records if r["offset"] in captured}
    linked = {i for r in records if r["offset"] in captured for i in r["concurrent"]}
    places, seen = {}, []
    with open(source, "rb") as handle:
        for record in records:
            row = captured.get(record["offset"])
            if row is not None:
                places[row["uid"]] = part.add(pieces[row["uid"]])
                handle.seek(record["offset"] + len(pieces[row["uid"]]))
            elif record["type"] == "warcinfo" or record["id"] in linked or record["concurrent"] & ids:
                handle.seek(record["offset"])
            else:
                continue
            part.add(handle.read(record["end"] - handle.tell()))
            seen.append(record)
    lost = [row["uid"] for row in group if row["uid"] not in places]
    if lost:
        raise InputError(f"{source}: no WARC record starts where capture {lost[0]} says")
    by_id = {r["id"]: r for r in seen}
    recorded = []
    for offset, row in sorted(captured.items()):
        record = next(r for r in seen if r["offset"] == offset)
        partners = [by_id[i] for i in record["concurrent"] if i in by_id] + \
                   [r for r in seen if record["id"] in r["concurrent"]]
        agent = next((p["user_agent"] for p in partners if p["user_agent"]), None)
        headers = record["headers"]
        recorded.append({"capture": row["uid"], "url": headers.get("WARC-Target-URI"),
                         "warc_date": headers.get("WARC-Date"), "ip_address": headers.get("WARC-IP-Address"),
                         "user_agent": agent})
    return places, {"source_file": str(source), "source_sha256": group[0]["source_sha256"],
                    "warcinfo": [r["fields"] for r in seen if r["type"] == "warcinfo"], "records": recorded}


def cdxj_index(parts: dict[str, Part]) -> bytes:
    """The CDXJ index of the package's WARCs, sorted, as cdxj-indexer writes it."""
    from cdxj_indexer.main import CDXJIndexer

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, part in parts.items():
            if name.startswith("archive/"):
                path = Path(folder) / Path(name).name
                path.write_bytes(part.data)
                paths.append(str(path))
        if not paths:
            return b""
        output = Path(folder) / "index.cdxj"
        CDXJIndexer(output=str(output), inputs=paths, sort=True, post_append=True).process_all()
        return output.read_bytes()


def pages_jsonl(environment: list[dict]) -> bytes:
    """``pages/pages.jsonl``: the captured WARC records, as entry points for replay."""
    lines = [{"format": "json-pages-1.0", "id": "pages", "title": "Captured pages"}]
    for source in environment:
        for record in source["records"]:
            if record["url"] and record["warc_date"]:
                lines.append({"id": record["capture"], "url": record["url"], "ts": record["warc_date"],
                              "title": record["url"]})
    return b"".join(json.dumps(line, ensure_ascii=False).encode() + b"\n" for line in lines)
