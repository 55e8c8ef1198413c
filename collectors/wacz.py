"""WACZ packages: the web archives Browsertrix, ArchiveWeb.page and py-wacz hand out.

A WACZ is a zip holding WARCs (``archive/*.warc[.gz]``), a page list
(``pages/pages.jsonl``, ``pages/extraPages.jsonl``), indexes and ``datapackage.json``,
which names every file with its sha256. Each WARC is read as :mod:`collectors.web` reads
a WARC file: the same records, Captures and Rejects.

Where a capture's bytes are
---------------------------
WACZ writers store the WARCs without compression (``ZIP_STORED``), so a record's bytes
lie at one place of the ``.wacz`` itself: a Capture's ``source_file`` is the ``.wacz``,
``offset`` = the member's data offset + the record's offset in it, and
``verify_capture`` cuts the record out of the ``.wacz`` directly (format ``warc``).

A WARC stored deflated (a package re-zipped by hand) or gzipped as one stream has no
such place: its Captures name the member (``member``) and their ``offset``/``length``
are in the member's inflated bytes (gunzipped too for format ``warc-gunzipped``);
``verify_capture`` opens the member and reads them from there. Their uids end in
``@<member>``, as the same offset occurs in several members.

Provenance
----------
Each Capture carries ``package_hash`` (the sha256 ``datapackage.json`` declares for
the WARC it lies in) and ``page_title`` (the title ``pages.jsonl`` gives its URL, when
it lists it). The package's hashes are checked while reading: a WARC or
``datapackage.json`` whose bytes do not match is one ``Reject("hash_mismatch")`` and
is still read (each record has its own hash); a package without ``datapackage.json`` is
one ``Reject("no_datapackage")``; a file that is not a readable zip is
``Reject("bad_wacz")``. Page titles also fill the title of a Post whose page has none.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import tempfile
import zipfile
from pathlib import Path
from typing import Iterator

from collectors.base import Captures
from collectors.web import WebRun, warc_entry_records
from graphinv.normalize import canonical_url, path_text
from graphinv.records import Node, Record, Reject, capture_uid
from graphinv.web.warc import read_warc, target_uri

name = "wacz"
SHARES_DIGESTS = True  # as the web reader: revisits resolve across the files of one ingest
description = "WACZ web archive packages (Browsertrix, ArchiveWeb.page, py-wacz): WARCs, pages, hashes"

_WARC_NAMES = (".warc", ".warc.gz")
_PAGE_LISTS = ("pages/pages.jsonl", "pages/extrapages.jsonl")
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature … file name length, extra field length


def detect(path) -> bool:
    """A ``.wacz`` file that is a zip."""
    path = Path(path)
    if not path.name.lower().endswith(".wacz") or not path.is_file():
        return False
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def collect(path, **options) -> Iterator[Record]:
    """Records of every WARC in the package (see the module docstring)."""
    path = Path(path)
    source = path_text(path)
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield Reject("bad_wacz", f"not a readable zip: {exc}", source)
        return
    run = WebRun(path, options)
    with package:
        declared, problems = _declared_hashes(package, source)
        yield from problems
        titles = _page_titles(package)
        captures = Captures(path, "warc")
        for info in package.infolist():
            if not (info.filename.lower().startswith("archive/") and info.filename.lower().endswith(_WARC_NAMES)):
                continue
            where = f"{source}!{info.filename}"
            expected = declared.get(info.filename)
            actual = _member_sha256(package, info)
            if expected and actual and expected != f"sha256:{actual}":
                yield Reject("hash_mismatch", f"{info.filename}: datapackage.json says {expected[:80]}, "
                                              f"the bytes are sha256:{actual}", where)
            try:
                yield from _read_member(path, package, info, run, captures, titles, expected)
            except (OSError, zipfile.BadZipFile, EOFError) as exc:
                yield Reject("bad_wacz", f"{info.filename}: {type(exc).__name__}: {exc}"[:500], where)
    yield from run.finish()


def _read_member(path: Path, package: zipfile.ZipFile, info: zipfile.ZipInfo, run: WebRun,
                 captures: Captures, titles: dict, expected: str | None) -> Iterator[Record]:
    source = f"{run.source}!{info.filename}"
    if info.compress_type == zipfile.ZIP_STORED:
        start = _data_offset(path, info)
        run.region = (start, info.file_size)
        entries = read_warc(path, run.max_payload, source, region=run.region)
        yield from _titled(warc_entry_records(entries, run, captures,
                                              _provenance(captures, titles, expected, info.filename)), titles)
        run.region = None
        return
    # Deflated: read from an inflated copy; the captures name the member.
    with tempfile.TemporaryDirectory(prefix="graphinv-wacz-") as folder:
        copy = Path(folder) / Path(info.filename).name
        with package.open(info) as member, open(copy, "wb") as out:
            shutil.copyfileobj(member, out, 1 << 20)
        run.path = copy  # where a revisit's original record is read again
        try:
            entries = read_warc(copy, run.max_payload, source)
            yield from _titled(warc_entry_records(entries, run, captures, _provenance(
                captures, titles, expected, info.filename, inside=True)), titles)
        finally:
            run.path = path


def _provenance(captures: Captures, titles: dict, expected: str | None, member: str, inside: bool = False):
    """What each capture of one member adds: provenance, and for bytes that are not at
    one place of the .wacz, the member they are in."""

    def props(entry) -> dict:
        canon = canonical_url(target_uri(entry.record))
        extra = {"package_hash": expected, "page_title": titles.get(canon) if canon else None}
        if inside or entry.gunzipped:
            extra["member"] = member
            extra["uid"] = f"{capture_uid(captures.sha, entry.offset)}@{member}"
        return {k: v for k, v in extra.items() if v is not None}

    return props


def _data_offset(path: Path, info: zipfile.ZipInfo) -> int:
    """Where a member's bytes start in the zip: after its local header, whose extra
    field may differ from the central directory's."""
    with open(path, "rb") as handle:
        handle.seek(info.header_offset)
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(handle.read(_LOCAL_HEADER.size))
    if signature != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"no local header for {info.filename} at {info.header_offset}")
    return info.header_offset + _LOCAL_HEADER.size + name_length + extra_length


def _member_sha256(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    digest = hashlib.sha256()
    try:
        with package.open(info) as member:
            for block in iter(lambda: member.read(1 << 20), b""):
                digest.update(block)
    except (OSError, zipfile.BadZipFile, EOFError):
        return None  # said by the reading that follows
    return digest.hexdigest()


def _declared_hashes(package: zipfile.ZipFile, source: str) -> tuple[dict[str, str], list[Reject]]:
    """{member: "sha256:…"} from datapackage.json (checked against
    datapackage-digest.json when there is one), and the Rejects of what does not hold."""
    names = set(package.namelist())
    if "datapackage.json" not in names:
        return {}, [Reject("no_datapackage", "no datapackage.json: the package's hashes cannot be checked", source)]
    raw = package.read("datapackage.json")
    problems: list[Reject] = []
    if "datapackage-digest.json" in names:
        try:
            stated = json.loads(package.read("datapackage-digest.json")).get("hash", "")
        except (ValueError, AttributeError):
            stated = ""
        actual = f"sha256:{hashlib.sha256(raw).hexdigest()}"
        if stated.startswith("sha256:") and stated != actual:
            problems.append(Reject("hash_mismatch", f"datapackage.json: datapackage-digest.json says {stated[:80]}, "
                                                    f"the bytes are {actual}", f"{source}!datapackage.json"))
    try:
        resources = json.loads(raw).get("resources") or []
    except (ValueError, AttributeError):
        return {}, [*problems, Reject("bad_wacz", "datapackage.json is not JSON", f"{source}!datapackage.json")]
    declared = {r["path"]: r["hash"] for r in resources
                if isinstance(r, dict) and isinstance(r.get("path"), str) and isinstance(r.get("hash"), str)}
    return declared, problems


def _page_titles(package: zipfile.ZipFile) -> dict[str, str]:
    """Canonical URL -> title from the package's page lists (the first title given)."""
    titles: dict[str, str] = {}
    for info in package.infolist():
        if info.filename.lower() not in _PAGE_LISTS:
            continue
        with package.open(info) as lines:
            for line in lines:
                try:
                    page = json.loads(line)
                except ValueError:
                    continue
                url, title = (page.get("url"), page.get("title")) if isinstance(page, dict) else (None, None)
                canon = canonical_url(url) if isinstance(url, str) else None
                if canon and isinstance(title, str) and title.strip() and title.strip() != url:
                    titles.setdefault(canon, title.strip()[:500])
    return titles


def _titled(records: Iterator[Record], titles: dict[str, str]) -> Iterator[Record]:
    """``records`` with the package's page title on each Post whose page has none (an
    app page whose title is set by script)."""
    for record in records:
        if isinstance(record, Node) and record.kind == "Post" and "title" not in record.props \
                and record.props.get("post_id") in titles:
            record.props["title"] = titles[record.props["post_id"]]
        yield record
