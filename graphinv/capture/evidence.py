"""``graphinv evidence ENTITY``: every capture and observation of an entity, and a
re-check that the bytes are still where the store says.

The rows come from the named query ``evidence`` (``queries/evidence.cypher``). With
``verify``, each row that names a WARC file and offset is re-read there with warcio
and the sha256 of its payload (as the web collector computes it: after transfer and
content decoding) compared with the stored ``content_sha256``; a saved HTML page is
re-hashed whole. The result per row is one of ``ok``, ``changed`` (the bytes differ:
the file was altered or replaced), ``missing`` (no such file), ``no record`` (nothing
readable at that offset), ``record`` (a record without a payload hash, such as a
failed fetch: it is there and names the same URL) or ``-`` (nothing to check).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..ingest import file_sha256

COLUMNS = ["time", "kind", "url", "status", "http_status", "change", "content_sha256", "warc_file",
           "warc_offset", "source", "detail", "final_url", "uid"]


def entity_uid(store, text: str) -> str:
    """The uid ``text`` names (a uid, a URL or a domain), checked against the store."""
    from .watch import as_uid, resolve_entity

    text = text.strip()
    uid = as_uid(text, ("Site", "Account", "Url", "Post", "Observation")) or resolve_entity(None, text)[0]
    found = store.query("MATCH (n) WHERE n.uid = $uid RETURN count(n) AS c", {"uid": uid})
    if found.empty or int(found.iloc[0, 0]) == 0:
        raise InputError(f"{uid} is not in the store (graphinv query --cypher 'MATCH (n) WHERE n.uid "
                         "CONTAINS \"…\" RETURN n.uid' finds uids)")
    return uid


def evidence(store, uid: str) -> pd.DataFrame:
    """Captures and observations of ``uid``, newest first (columns: ``COLUMNS``)."""
    from ..queries import run

    frame = run(store, "evidence", uid=uid)
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    # A home page's observation observes both its Url and its Site: one row, with the URL.
    frame = frame.assign(_no_url=frame["url"].isna())
    frame = frame.sort_values(["_no_url"], kind="stable").drop_duplicates("uid")
    return frame.sort_values(["time", "uid"], ascending=[False, True], kind="stable")[COLUMNS].reset_index(drop=True)


def verify_row(row: dict) -> str:
    """Re-read the bytes a row points at; see the module docstring for the answers."""
    warc, offset, sha = row.get("warc_file"), row.get("warc_offset"), row.get("content_sha256")
    if isinstance(warc, str) and warc and offset is not None and not pd.isna(offset):
        return _verify_warc(Path(warc), int(offset), sha if isinstance(sha, str) else None)
    source = row.get("source_file")
    if isinstance(source, str) and source and isinstance(sha, str) and sha:
        path = Path(source)
        if not path.is_file():
            return "missing"
        return "ok" if file_sha256(path) == sha else "changed"
    return "-"


def read_record(path: Path, offset: int):
    """(record type, target URI, sha256 of the decoded payload) of the WARC record at
    ``offset``, or None when nothing readable is there."""
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as handle:
        handle.seek(offset)
        try:
            record = next(iter(ArchiveIterator(handle)))
        except Exception:  # noqa: BLE001 - any failure means no record at this offset
            return None
        digest = hashlib.sha256()
        stream = record.content_stream()
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
        return record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), digest.hexdigest()


def _verify_warc(path: Path, offset: int, sha: str | None) -> str:
    if not path.is_file():
        return "missing"
    found = read_record(path, offset)
    if found is None:
        return "no record"
    _, _, actual = found
    if not sha:
        return "record"
    return "ok" if actual == sha else "changed"
