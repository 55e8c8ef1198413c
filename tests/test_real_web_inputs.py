"""Web captures as the tools investigators use write them (issue #16): wget's WARC, a
WARC gzipped whole (pywb's live writer, Webrecorder 3.7) or in blocks (bgzip), brotli
bodies, py-wacz's WACZ (stored, re-zipped deflated, tampered with), revisits spelled by
other tools, captures within one second, and what ``ingest`` says about files it cannot
read. The wget and py-wacz files are real outputs (tests/fixtures/web/make_fixtures.py);
every capture read must verify."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import collectors.wacz as wacz
from collectors import find_collector
from collectors.base import validate_record
from graphinv.capture.evidence import capture_rows, verify_capture
from graphinv.ingest import ingest_paths
from graphinv.records import Node, Reject, post_uid

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "web"
SITE = "https://ostervale-patriots.test"
# What wget's crawl holds: three pages (one sent brotli-compressed), a PNG and a 404.
PAGES = {f"{SITE}/": "Ostervale Patriots", f"{SITE}/article": "The call", f"{SITE}/br": "Manifesto (brotli)"}


def read(path: Path, collector=None) -> list:
    records = list((collector or find_collector(path)).collect(path.resolve()))
    assert [p for r in records for p in validate_record(r)] == []
    return records


def kinds(records, kind) -> dict:
    out: dict[str, dict] = {}
    for r in records:
        if isinstance(r, Node) and r.kind == kind:
            out.setdefault(r.uid, {}).update(r.props)
    return out


def rejects(records) -> Counter:
    return Counter(r.reason for r in records if isinstance(r, Reject))


def titles(records) -> dict:
    return {p["post_id"]: p.get("title") for p in kinds(records, "Post").values() if "post_id" in p}


def assert_verified(records, count: int) -> list[dict]:
    captures = list(kinds(records, "Capture").values())
    assert len(captures) == count
    assert {verify_capture(c) for c in captures} == {"ok"}
    return captures


# --------------------------------------------------------------------------- wget, brotli


def test_wget_warc_reads_every_response_with_its_brotli_page():
    records = read(FIXTURES / "wget.warc.gz")
    assert titles(records) == PAGES
    assert rejects(records) == Counter()
    statuses = sorted(o["status"] for o in kinds(records, "Observation").values())
    assert statuses == ["active"] * 4 + ["not_found"]
    # The brotli page's text and tracking ID are read, not lost to a decoder error.
    manifesto = kinds(records, "Post")[post_uid("web", f"{SITE}/br")]
    assert "brotli-compressed" in manifesto["text"]
    assert "identifier:ga:UA-424242" in kinds(records, "Identifier")
    assert_verified(records, 5)


def _googles_brotli():
    """Google's brotli (what fonttools pulls in), even where brotlipy's package of the
    same name shadows it: its extension module, which holds the Decompressor."""
    import brotli

    if hasattr(brotli.Decompressor(), "process"):
        return brotli
    for folder in map(Path, sys.path):
        for candidate in folder.glob("_brotli.*.so") if folder.is_dir() else ():
            spec = importlib.util.spec_from_file_location("_brotli", candidate)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    pytest.skip("Google's brotli is not installed")


def test_brotli_bodies_decode_with_googles_module(monkeypatch):
    # warcio 1.8.1 sets an attribute on the decompressor, which Google's refuses:
    # every br response was a bad_record.
    monkeypatch.setitem(sys.modules, "brotli", _googles_brotli())
    records = read(FIXTURES / "wget.warc.gz")
    assert rejects(records) == Counter()
    assert "brotli-compressed" in kinds(records, "Post")[post_uid("web", f"{SITE}/br")]["text"]


# --------------------------------------------------------------------------- gzip layouts


def _blocks(data: bytes, size: int) -> bytes:
    """gzip in fixed blocks, one member each, cutting records anywhere (as bgzip does)."""
    return b"".join(gzip.compress(data[i:i + size]) for i in range(0, len(data), size))


@pytest.mark.parametrize("name, make", [
    ("whole.warc.gz", gzip.compress),  # pywb's live writer, Webrecorder 3.7
    ("whole-named.warc", gzip.compress),  # gzipped, named as a plain WARC
    ("blocks.warc.gz", lambda data: _blocks(data, 1000)),  # a member ends mid-record
])
def test_warc_not_gzipped_per_record_is_read_whole(tmp_path, name, make):
    path = tmp_path / name
    path.write_bytes(make((FIXTURES / "wget.warc").read_bytes()))
    records = read(path)
    assert titles(records) == PAGES and rejects(records) == Counter()
    captures = assert_verified(records, 5)
    assert {c["format"] for c in captures} == {"warc-gunzipped"}


def test_whole_gzip_cut_off_keeps_the_records_before(tmp_path):
    data = gzip.compress((FIXTURES / "wget.warc").read_bytes())
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    records = read(path)
    assert rejects(records) == Counter({"truncated_gzip": 1})
    assert f"{SITE}/" in titles(records)
    assert_verified(records, len(kinds(records, "Capture")))


def _members(path: Path) -> list[bytes]:
    """The gzip members of a per-record .warc.gz, one per record (warcio's offsets)."""
    from warcio.archiveiterator import ArchiveIterator

    data = path.read_bytes()
    with open(path, "rb") as handle:
        iterator = ArchiveIterator(handle)
        starts = [iterator.offset for _ in iterator]
    return [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)])]


def test_a_record_cut_across_gzip_members_is_read_on_through_the_stream(tmp_path):
    """Per-record members, but one record split over two members (a writer that flushes
    mid-record): that record and every later one are read, none lost, all verifiable."""
    members = _members(FIXTURES / "wget.warc.gz")
    body = gzip.decompress(members[4])  # the second response
    split = gzip.compress(body[: len(body) // 2]) + gzip.compress(body[len(body) // 2:])
    path = tmp_path / "split.warc.gz"
    path.write_bytes(b"".join([*members[:4], split, *members[5:]]))
    records = read(path)
    assert titles(records) == PAGES and rejects(records) == Counter()
    captures = assert_verified(records, 5)
    assert {c["format"] for c in captures} == {"warc", "warc-gunzipped"}


def test_a_member_ending_mid_record_at_the_end_names_that_record(tmp_path):
    members = _members(FIXTURES / "wget.warc.gz")
    body = gzip.decompress(members[2])
    path = tmp_path / "endmid.warc.gz"
    path.write_bytes(b"".join([*members[:2], gzip.compress(body[: len(body) // 2])]))
    (reject,) = [r for r in read(path) if isinstance(r, Reject)]
    at = len(members[0]) + len(members[1])
    assert reject.reason == "truncated_gzip" and f"inside the record at offset {at}" in reject.detail


def test_per_record_gzip_is_read_as_before():
    records = read(FIXTURES / "wget.warc.gz")
    assert all(c.get("format") == "warc" for c in kinds(records, "Capture").values())


# --------------------------------------------------------------------------- WACZ


def test_wacz_is_read_and_its_captures_are_cut_from_the_wacz():
    path = FIXTURES / "wget.wacz"
    assert find_collector(path).name == "wacz"
    records = read(path)
    assert titles(records) == PAGES and rejects(records) == Counter()
    captures = assert_verified(records, 5)
    package = json.loads(zipfile.ZipFile(path).read("datapackage.json"))
    declared = {r["path"]: r["hash"] for r in package["resources"]}["archive/wget.warc.gz"]
    data = path.read_bytes()
    for capture in captures:
        assert capture["source_file"] == str(path) and "member" not in capture
        assert capture["package_hash"] == declared
        assert data[capture["offset"]:capture["offset"] + 2] == b"\x1f\x8b"  # a gzip member in the .wacz


def _rezip(source: Path, target: Path, compression: int, change=None) -> Path:
    """The package's members written again (``change(name, data)`` may alter one)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", compression) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info.filename, change(info.filename, data) if change else data)
    return target


def test_deflated_wacz_is_read_and_verified_through_its_member(tmp_path):
    def retitle(name, data):
        if name != "pages/pages.jsonl":
            return data
        lines = data.decode().splitlines()
        page = json.loads(lines[1])
        page["title"] = "Home of the Ostervale Patriots"
        return "\n".join([lines[0], json.dumps(page)]).encode()

    path = _rezip(FIXTURES / "wget.wacz", tmp_path / "deflated.wacz", zipfile.ZIP_DEFLATED, retitle)
    records = read(path)
    assert titles(records) == PAGES
    # pages.jsonl changed, so its declared hash no longer holds; the WARC's does.
    assert rejects(records) == Counter()  # pages.jsonl's hash is not checked: only WARCs and the package
    captures = assert_verified(records, 5)
    assert {c["member"] for c in captures} == {"archive/wget.warc.gz"}
    assert len({c["offset"] for c in captures}) == 5
    home = next(c for c in captures if c["url"] == "http://ostervale-patriots.test/")
    assert home["page_title"] == "Home of the Ostervale Patriots"


def test_tampered_wacz_is_counted_not_fatal(tmp_path):
    def tamper(name, data):
        if name == "datapackage.json":  # the WARC's declared hash altered
            package = json.loads(data)
            package["resources"][2]["hash"] = "sha256:" + "0" * 64
            return json.dumps(package).encode()
        return data

    path = _rezip(FIXTURES / "wget.wacz", tmp_path / "tampered.wacz", zipfile.ZIP_STORED, tamper)
    records = read(path)
    # datapackage-digest.json no longer matches datapackage.json, nor it the WARC.
    assert rejects(records) == Counter({"hash_mismatch": 2})
    assert titles(records) == PAGES  # each record still stands on its own hash
    broken = tmp_path / "broken.wacz"
    broken.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    assert rejects(read(broken, wacz)) == Counter({"bad_wacz": 1})


# --------------------------------------------------------------------------- revisits, times


def _record(writer, url, kind, date, body=b"", digest=None, refers=None):
    """A record as another tool wrote it; with a length, warcio keeps the given digest."""
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    headers = {"WARC-Date": date}
    if digest:
        headers["WARC-Payload-Digest"] = digest
    if refers:
        headers["WARC-Refers-To-Target-URI"] = refers
    record = writer.create_warc_record(url, kind, payload=io.BytesIO(body), length=len(body) if digest else None,
                                       http_headers=http, warc_headers_dict=headers)
    writer.write_record(record)


ARTICLE = (b"<html><head><title>The call</title></head><body><article><p>Everyone who cares about Ostervale "
           b"must come to the square on Saturday at noon; the council will hear us.</p></article></body></html>")


def test_revisit_of_another_url_gives_the_mirror_its_post(tmp_path):
    sha = hashlib.sha256(ARTICLE).hexdigest()
    path = tmp_path / "mirror.warc.gz"
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        _record(writer, "https://ostervale-patriots.test/call", "response", "2024-03-01T12:00:00Z", ARTICLE,
                digest=f"sha256:{sha}")
        # Another tool's spelling of the same digest, for a mirror republishing the page.
        _record(writer, "https://patriots-mirror.test/call", "revisit", "2024-03-02T12:00:00Z",
                digest=f"SHA-256:{sha.upper()}", refers="https://ostervale-patriots.test/call")
    records = read(path)
    posts = kinds(records, "Post")
    original, mirror = posts[post_uid("web", SITE + "/call")], posts[post_uid("web", "https://patriots-mirror.test/call")]
    assert mirror["text_hash"] == original["text_hash"] and mirror["title"] == "The call"
    assert mirror["created_at"] == original["created_at"] + 86400
    observations = [o for o in kinds(records, "Observation").values() if "patriots-mirror" in o["entity"]]
    assert [o["content_sha256"] for o in observations] == [sha]
    assert_verified(records, 2)


def test_a_revisit_finds_its_page_in_an_earlier_crawl_of_the_same_ingest(store, tmp_path):
    """Crawls deduplicated against an earlier one (Heritrix, Browsertrix): the mirror's
    revisit in the second file gets its Post from the first file's record; alone, the
    second file counts the revisit as unresolved instead of dropping its page silently."""
    sha = hashlib.sha256(ARTICLE).hexdigest()
    first, second = tmp_path / "2024-03-01.warc.gz", tmp_path / "2024-03-02.warc.gz"
    with open(first, "wb") as out:
        _record(WARCWriter(out, gzip=True), "https://ostervale-patriots.test/call", "response",
                "2024-03-01T12:00:00Z", ARTICLE, digest=f"sha256:{sha}")
    with open(second, "wb") as out:
        _record(WARCWriter(out, gzip=True), "https://patriots-mirror.test/call", "revisit", "2024-03-02T12:00:00Z",
                digest=f"sha256:{sha}", refers="https://ostervale-patriots.test/call")
    alone = read(second)
    assert rejects(alone) == Counter({"revisit_unresolved": 1}) and not kinds(alone, "Post")
    summary = ingest_paths(store, [tmp_path])
    assert sum((f.rejects for f in summary.files), Counter()) == Counter()
    mirror = store.query("MATCH (p:Post) WHERE p.url = 'https://patriots-mirror.test/call' "
                         "RETURN p.title AS title, p.text_hash AS h")
    original = store.query("MATCH (p:Post) WHERE p.url = 'https://ostervale-patriots.test/call' "
                           "RETURN p.text_hash AS h")
    assert mirror["title"].tolist() == ["The call"] and mirror["h"].tolist() == original["h"].tolist()


def test_captures_of_one_url_within_a_second_stay_apart(tmp_path):
    path = tmp_path / "fast.warc.gz"
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for date in ("2024-03-01T12:00:00.100Z", "2024-03-01T12:00:00.900Z", "2024-03-01T12:00:01Z"):
            _record(writer, "https://ostervale-patriots.test/live", "response", date, ARTICLE)
    observations = kinds(read(path), "Observation")
    assert len(observations) == 3
    assert sorted(uid.rsplit("#", 1)[1] for uid in observations) == ["warc", "warc.1", "warc.9"]


# --------------------------------------------------------------------------- both stores, ingest


def test_wacz_and_gzip_layouts_ingest_and_verify_on_the_store(store, tmp_path):
    folder = tmp_path / "captures"
    folder.mkdir()
    (folder / "deflated.wacz").write_bytes(
        _rezip(FIXTURES / "wget.wacz", tmp_path / "d.wacz", zipfile.ZIP_DEFLATED).read_bytes())
    (folder / "whole.warc.gz").write_bytes(gzip.compress((FIXTURES / "wget.warc").read_bytes()))
    for name in ("wget.wacz", "wget.warc.gz"):
        (folder / name).write_bytes((FIXTURES / name).read_bytes())
    members = _members(FIXTURES / "wget.warc.gz")  # and a record cut across two gzip members
    body = gzip.decompress(members[4])
    (folder / "split.warc.gz").write_bytes(b"".join([*members[:4], gzip.compress(body[:500]),
                                                     gzip.compress(body[500:]), *members[5:]]))
    summary = ingest_paths(store, [folder])
    assert summary.unread == [] and summary.ingested == 5
    assert all(not f.rejects for f in summary.files)
    uids = store.query("MATCH (c:Capture) RETURN c.uid AS uid")["uid"].tolist()
    assert len(uids) == 25  # five responses in each of the five files
    rows = capture_rows(store, uids).to_dict("records")
    assert {verify_capture(r) for r in rows} == {"ok"}
    pages = store.query("MATCH (p:Post) RETURN p.post_id AS url, p.title AS title")
    assert dict(zip(pages["url"], pages["title"])) == PAGES


def _graphinv(*args):
    return subprocess.run([sys.executable, "-m", "graphinv", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "COLUMNS": "200"})


def test_ingest_says_what_it_could_not_read_and_strict_fails(tmp_path):
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "crawl.warc.gz").write_bytes((FIXTURES / "wget.warc.gz").read_bytes())
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 not a capture")
    store = f"embedded:{tmp_path / 'g.lbug'}"
    done = _graphinv("ingest", str(folder), "--store", store)
    assert done.returncode == 0, done.stderr
    assert "not read (no collector)" in done.stdout and "1 file not read" in done.stdout
    assert "notes.docx: no collector reads this file" in done.stdout
    done = _graphinv("ingest", "--strict", "--force", str(folder), "--store", store)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == "Error: --strict: 1 file(s) could not be read (listed above)"
