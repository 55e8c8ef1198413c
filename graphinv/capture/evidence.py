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

Ingest stores absolute paths. Stores ingested before that hold paths relative to the
folder the ingest ran in, which ``verify`` looks for in the current folder and around
the store (:func:`store_folders`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..digest import file_sha256
from ..errors import InputError

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


def store_folders(store) -> list[Path]:
    """Where a legacy relative path may start, beside the current folder: the embedded
    store's folder and the one above it (the default store is ``./var/graphinv.lbug``
    under the folder ingests ran from). None for a server store."""
    path = getattr(store, "path", None)
    if path is None:
        return []
    folder = Path(path).absolute().parent
    return [folder, folder.parent]


def locate(stored: str, folders=()) -> Path:
    """The file a stored path names: itself when absolute or found from the current
    folder, else the first of ``folders`` holding it (the path as stored if none does).

    >>> str(locate("/captures/a.warc.gz", [Path("/elsewhere")]))
    '/captures/a.warc.gz'
    """
    path = Path(stored)
    if path.is_absolute() or path.exists():
        return path
    for folder in folders:
        if (Path(folder) / path).exists():
            return Path(folder) / path
    return path


def verify_row(row: dict, folders=()) -> str:
    """Re-read the bytes a row points at; see the module docstring for the answers.
    ``folders``: where relative paths of older stores may start (:func:`store_folders`)."""
    warc, offset, sha = row.get("warc_file"), row.get("warc_offset"), row.get("content_sha256")
    if isinstance(warc, str) and warc and offset is not None and not pd.isna(offset):
        return _verify_warc(locate(warc, folders), int(offset), sha if isinstance(sha, str) else None)
    # A saved page's Post ("capture" row) names its file as its source.
    source = row.get("source_file") or (row.get("source") if row.get("kind") == "capture" else None)
    if isinstance(source, str) and source and isinstance(sha, str) and sha:
        path = locate(source, folders)
        if not path.is_file():
            return "missing"
        return "ok" if file_sha256(path) == sha else "changed"
    return "-"


def read_record(path: Path, offset: int):
    """(record type, target URI, sha256 of the decoded payload) of the WARC record at
    ``offset``, or None when nothing readable is there."""
    from warcio.archiveiterator import ArchiveIterator

    from ..web.warc import read_payload

    with open(path, "rb") as handle:
        handle.seek(offset)
        try:
            record = next(iter(ArchiveIterator(handle)))
        except Exception:  # noqa: BLE001 - any failure means no record at this offset
            return None
        _, sha, _ = read_payload(record, 0)  # hashed as the web collector hashes it
        return record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), sha


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
