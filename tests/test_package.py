"""Evidence packages (`graphinv export package`, `graphinv verify`): a signed WACZ that
holds the captured bytes behind findings and is checked offline.

The captures are made here with the real tools: warcio writes a .warc.gz (warcinfo,
three responses, each with its request) and a plain .warc, json writes a JSONL file, csv
a share table; the capture rows name them as the store would (the contract of
``graphinv.capture.evidence.captures_of``).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import socket
import stat
import subprocess
import sys
import time
import urllib.request
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from graphinv.cli import main
from graphinv.errors import InputError
from graphinv.capture.evidence import read_capture
from graphinv.export.package import write_package
from graphinv.export.package_verify import verify_package
from tsa_server import make_certificate, tsa  # noqa: F401  (tsa is a fixture)

PAGES = {  # url -> (WARC-Date, payload)
    "http://ostervale-facts.example/articles/harbour-files.html":
        ("2026-04-06T09:15:00Z", b"<html><head><title>Harbour files</title></head><body>the files</body></html>"),
    "http://ostervale-facts.example/": ("2026-04-06T09:14:00Z", b"<html><body>front page</body></html>"),
    "http://ostervale-facts.example/about.html": ("2026-04-06T09:16:00Z", b"<html><body>about us</body></html>"),
}
CAPTURED = ["http://ostervale-facts.example/articles/harbour-files.html", "http://ostervale-facts.example/"]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _warc(path: Path, gzipped: bool) -> None:
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gzipped)
        writer.write_record(writer.create_warcinfo_record(path.name, {
            "software": "test-crawler/1.0 (warcio)", "format": "WARC File Format 1.0",
            "http-header-user-agent": "Mozilla/5.0 (test crawler)"}))
        for url, (date, body) in PAGES.items():
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                               ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            response = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                 http_headers=http, warc_headers_dict={
                                                     "WARC-Date": date, "WARC-IP-Address": "192.0.2.7"})
            writer.write_record(response)
            request = StatusAndHeaders(f"GET {url.split('.example', 1)[1]} HTTP/1.1",
                                       [("User-Agent", "Mozilla/5.0 (test crawler)")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0,
                                                          http_headers=request, warc_headers_dict={
                                                              "WARC-Date": date, "WARC-Concurrent-To":
                                                              response.rec_headers.get_header("WARC-Record-ID")}))


def _warc_rows(path: Path) -> list[dict]:
    """Capture rows of the responses in CAPTURED, computed as the contract says."""
    source, sha = path.read_bytes(), _sha(path.read_bytes())
    rows = []
    with open(path, "rb") as handle:
        iterator = ArchiveIterator(handle)
        for record in iterator:
            url = record.rec_headers.get_header("WARC-Target-URI")
            if record.rec_type != "response" or url not in CAPTURED:
                continue
            payload = record.content_stream().read()
            offset, length = iterator.get_record_offset(), iterator.get_record_length()
            rows.append({"uid": f"capture:{sha[:16]}:{offset}", "captured_at": 1775466900, "time_source":
                         "WARC-Date", "format": "warc", "source_file": str(path), "source_sha256": sha,
                         "offset": offset, "length": length, "line": None,
                         "bytes_sha256": _sha(source[offset:offset + length]), "content_sha256": _sha(payload),
                         "url": url, "record_id": record.rec_headers.get_header("WARC-Record-ID"),
                         "run": f"run:web:{sha[:12]}"})
    return rows


def _line_rows(path: Path, fmt: str, wanted: list[int], stream: bytes) -> list[dict]:
    """Capture rows of lines ``wanted`` (1-based) of ``stream`` (the file as read)."""
    sha, rows, offset = _sha(path.read_bytes()), [], 0
    for number, line in enumerate(stream.splitlines(keepends=True), 1):
        if number in wanted:
            rows.append({"uid": f"capture:{sha[:16]}:{offset}", "captured_at": 1775000000 + number,
                         "time_source": "retrieved_at", "format": fmt, "source_file": str(path),
                         "source_sha256": sha, "offset": offset, "length": len(line), "line": number,
                         "bytes_sha256": _sha(line), "content_sha256": None, "url": None, "record_id": None,
                         "run": f"run:{fmt}:{sha[:12]}"})
        offset += len(line)
    return rows


@pytest.fixture
def evidence(tmp_path, monkeypatch):
    """Captures of five kinds and two findings resting on them; the key in tmp_path."""
    monkeypatch.setenv("GRAPHINV_KEY_DIR", str(tmp_path / "keys"))
    folder = tmp_path / "captures"
    folder.mkdir()
    _warc(folder / "crawl.warc.gz", gzipped=True)
    _warc(folder / "plain.warc", gzipped=False)
    posts = [{"_type": "snscrape.modules.twitter.Tweet", "id": n, "url": f"https://x.example/a/status/{n}",
              "content": f"post {n} ünïcode"} for n in range(1, 5)]
    jsonl = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts).encode()
    (folder / "posts.jsonl.gz").write_bytes(gzip.compress(jsonl))
    with open(folder / "shares.csv", "w", newline="") as handle:
        table = csv.writer(handle)
        table.writerow(["account_id", "object_id", "content_id", "timestamp"])
        for n in range(1, 4):
            table.writerow([f"acct{n}", "https://ostervale-facts.example/", f"c{n}", 1775000000 + n])
    rows = (_warc_rows(folder / "crawl.warc.gz") + _warc_rows(folder / "plain.warc")
            + _line_rows(folder / "posts.jsonl.gz", "jsonl", [2, 4], jsonl)
            + _line_rows(folder / "shares.csv", "csv", [3], (folder / "shares.csv").read_bytes()))
    captures = pd.DataFrame(rows)
    findings = [
        {"kind": "reappearance", "uid": "site:ostervale-facts.example", "summary": "the site came back",
         "captures": [r["uid"] for r in rows if r["format"] == "warc"]},
        {"kind": "co-action", "uid": "campaign:0", "summary": "two posts seconds apart",
         "captures": [r["uid"] for r in rows if r["format"] != "warc"]},
    ]
    custody = [{"action": "ingest", "who": None, "when": "2026-04-06T10:00:00Z",
                "what": {"run": r["run"], "source": r["source_file"], "sha256": r["source_sha256"]}}
               for r in {r["run"]: r for r in rows}.values()]
    return {"captures": captures, "findings": findings, "custody": custody, "rows": rows, "folder": folder,
            "out": tmp_path / "case.wacz", "keys": tmp_path / "keys"}


def _package(evidence, **kwargs) -> Path:
    return write_package(evidence["captures"], evidence["findings"], evidence["custody"], evidence["out"],
                         selection={"campaign": "campaign:0"}, **kwargs)


def _failed(checks) -> dict[str, str]:
    return {c.name: c.detail for c in checks if not c.ok}


def _rewrite(path: Path, name: str, change) -> None:
    """Rewrite the zip at ``path`` with member ``name`` replaced by ``change(bytes)``."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            archive.writestr(info, change(data) if info.filename == name else data)


def test_package_holds_the_captured_bytes_and_verifies(evidence):
    out = _package(evidence)
    checks = verify_package(out)
    assert _failed(checks) == {}
    assert [c.name for c in checks] == ["zip", "files", "digest", "signature", "timestamp", "custody", "captures",
                                        "warc"]
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        lines = [json.loads(x) for x in archive.read("evidence/captures.jsonl").splitlines()]
        # Each capture's bytes are in the package exactly as they were in the source.
        for line in lines:
            data = archive.read(line["package_path"])
            piece = data[line["package_offset"]:line["package_offset"] + line["package_length"]]
            assert piece == read_capture(line)
        assert len(lines) == len(evidence["rows"]) == 7
        # WARCs are stored uncompressed in the zip (replay reads records by range).
        assert {i.compress_type for i in archive.infolist() if i.filename.startswith("archive/")} == {
            zipfile.ZIP_STORED}
        gz = next(n for n in names if n.endswith("-crawl.warc.gz"))
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
                   for r in ArchiveIterator(io.BytesIO(archive.read(gz)))]
        # warcinfo, then each captured response with its request; about.html was not captured.
        assert records == [("warcinfo", None)] + [(t, u) for u in
                                                  ["http://ostervale-facts.example/articles/harbour-files.html",
                                                   "http://ostervale-facts.example/"]
                                                  for t in ("response", "request")]
        csv_member = next(n for n in names if n.endswith("-shares.csv"))
        assert archive.read(csv_member).splitlines()[0] == b"account_id,object_id,content_id,timestamp"
        assert next(n for n in names if n.endswith("-posts.jsonl"))  # gunzipped, as the offsets count
        manifest = json.loads(archive.read("datapackage.json"))
        assert manifest["wacz_version"] == "1.1.1" and manifest["profile"] == "data-package"
        assert {r["path"] for r in manifest["resources"]} == names - {"datapackage.json", "datapackage-digest.json"}
        pages = [json.loads(x) for x in archive.read("pages/pages.jsonl").splitlines()]
        assert pages[0]["format"] == "json-pages-1.0" and len(pages) == 5
        index = archive.read("indexes/index.cdx").decode().splitlines()
        assert any(x.startswith("example,ostervale-facts)/articles/harbour-files.html 20260406091500 ")
                   for x in index)
        environment = json.loads(archive.read("evidence/environment.json"))
        source = next(s for s in environment["warc_sources"] if s["source_file"].endswith("crawl.warc.gz"))
        assert source["warcinfo"][0]["software"] == "test-crawler/1.0 (warcio)"
        assert {(r["ip_address"], r["user_agent"]) for r in source["records"]} == {
            ("192.0.2.7", "Mozilla/5.0 (test crawler)")}
        findings = json.loads(archive.read("evidence/findings.json"))
        assert [f["uid"] for f in findings["findings"]] == ["site:ostervale-facts.example", "campaign:0"]
        custody = [json.loads(x) for x in archive.read("evidence/custody.jsonl").splitlines()]
        assert [e["action"] for e in custody] == ["ingest"] * 4 + ["export"]
        assert custody[-1]["what"]["files"][gz] == hashlib.sha256(archive.read(gz)).hexdigest()
    key_file = evidence["keys"] / "graphinv-ed25519.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    beside = out.with_name("case.wacz.pub.pem")
    assert beside.read_bytes() == (evidence["keys"] / "graphinv-ed25519.pub.pem").read_bytes()
    result = CliRunner().invoke(main, ["verify", str(out), "--key", str(beside)])
    assert result.exit_code == 0, result.output
    assert "ok      signature: signed by" in result.output and "every check holds" in result.output


def test_the_same_key_signs_every_package(evidence):
    first = _package(evidence).with_name("case.wacz.pub.pem").read_bytes()
    assert _package(evidence).with_name("case.wacz.pub.pem").read_bytes() == first


def test_a_flipped_byte_in_a_warc_fails_and_is_named(evidence):
    out = _package(evidence)
    with zipfile.ZipFile(out) as archive:
        gz = next(n for n in archive.namelist() if n.endswith("-crawl.warc.gz"))
        line = next(json.loads(x) for x in archive.read("evidence/captures.jsonl").splitlines()
                    if json.loads(x)["package_path"] == gz)
    target = line["package_offset"] + line["package_length"] // 2  # inside the first captured record

    def flip(data: bytes) -> bytes:
        return data[:target] + bytes([data[target] ^ 0x01]) + data[target + 1:]

    _rewrite(out, gz, flip)
    failed = _failed(verify_package(out))
    assert set(failed) >= {"files", "captures"}
    assert f"{gz} does not match its sha256" in failed["files"]
    assert line["uid"] in failed["captures"]
    result = CliRunner().invoke(main, ["verify", str(out)])
    assert result.exit_code == 1
    assert f"FAILED  files: {gz} does not match its sha256" in result.output
    assert "Traceback" not in result.output and "fails: files" in result.output


def test_an_edited_custody_log_fails_and_is_named(evidence):
    out = _package(evidence)
    _rewrite(out, "evidence/custody.jsonl", lambda data: data.replace(b'"who":null', b'"who":"someone"', 1))
    failed = _failed(verify_package(out))
    assert "evidence/custody.jsonl does not match its sha256" in failed["files"]
    assert failed["custody"] == "entry 2 (ingest) does not follow entry 1: entry 1 was changed, removed or moved"


def test_a_rebuilt_manifest_without_the_key_fails_the_signature(evidence):
    """Someone who edits a capture and re-hashes everything still cannot sign."""
    out = _package(evidence)
    with zipfile.ZipFile(out) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    member = next(n for n in files if n.endswith("-posts.jsonl"))
    files[member] = files[member].replace(b"post 2", b"post 9")
    manifest = json.loads(files["datapackage.json"])
    for resource in manifest["resources"]:
        resource["hash"] = "sha256:" + hashlib.sha256(files[resource["path"]]).hexdigest()
    files["datapackage.json"] = json.dumps(manifest).encode()
    digest = json.loads(files["datapackage-digest.json"])
    digest["hash"] = "sha256:" + hashlib.sha256(files["datapackage.json"]).hexdigest()
    files["datapackage-digest.json"] = json.dumps(digest).encode()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    failed = _failed(verify_package(out))
    assert set(failed) == {"signature", "captures"}


def test_another_key_is_named(evidence, tmp_path, monkeypatch):
    out = _package(evidence)
    monkeypatch.setenv("GRAPHINV_KEY_DIR", str(tmp_path / "other-keys"))
    other = _package({**evidence, "out": tmp_path / "other.wacz"}).with_name("other.wacz.pub.pem")
    failed = _failed(verify_package(out, key=other))
    assert list(failed) == ["signature"] and f"not by {other}" in failed["signature"]


def test_a_time_stamp_from_the_configured_authority(evidence, tsa, tmp_path):  # noqa: F811
    out = _package(evidence, tsa_url=tsa.url)
    assert len(tsa.requests) == 1
    trusted = tmp_path / "tsa.pem"
    trusted.write_bytes(tsa.certificate_pem)
    checks = {c.name: c for c in verify_package(out, tsa_cert=trusted)}
    assert all(c.ok for c in checks.values()), checks
    assert "CN=graphinv test TSA" in checks["timestamp"].detail
    _, stranger = make_certificate("another TSA")
    from cryptography.hazmat.primitives.serialization import Encoding

    trusted.write_bytes(stranger.public_bytes(Encoding.PEM))
    assert _failed(verify_package(out, tsa_cert=trusted)) == {
        "timestamp": "the token was not signed by the given TSA certificate"}


def test_a_time_stamp_over_another_digest_fails(evidence, tsa):  # noqa: F811
    out = _package(evidence, tsa_url=tsa.url)
    with zipfile.ZipFile(out) as archive:
        other = json.loads(archive.read("datapackage-digest.json"))["graphinvTimestamp"]["token"]
    _package(evidence, tsa_url=tsa.url, now=datetime(2026, 5, 1, tzinfo=timezone.utc))  # another manifest

    def swap(data: bytes) -> bytes:
        digest = json.loads(data)
        digest["graphinvTimestamp"]["token"] = other  # the first package's token on the second
        return json.dumps(digest).encode()

    _rewrite(out, "datapackage-digest.json", swap)
    assert _failed(verify_package(out)) == {"timestamp": "the token stamps another digest"}


def test_no_tsa_answering_is_one_clear_error(evidence):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(InputError, match=r"the time-stamping authority http://127.0.0.1:\d+/ did not answer"):
        _package(evidence, tsa_url=f"http://127.0.0.1:{port}/")
    assert not evidence["out"].exists()


def test_a_changed_source_is_refused(evidence):
    shares = evidence["folder"] / "shares.csv"
    shares.write_bytes(shares.read_bytes().replace(b"acct2", b"acct7"))
    with pytest.raises(InputError, match=r"capture capture:\w+:\d+: the bytes at .*shares.csv offset \d+ no longer "
                                         r"match its sha256"):
        _package(evidence)
    assert not evidence["out"].exists()


def test_a_finding_on_an_unknown_capture_is_refused(evidence):
    evidence["findings"][0]["captures"].append("capture:0000000000000000:0")
    with pytest.raises(InputError, match="rests on capture:0000000000000000:0, which is not among the captures"):
        _package(evidence)


def test_verify_names_what_is_not_a_package(tmp_path):
    junk = tmp_path / "junk.wacz"
    junk.write_bytes(b"not a zip")
    result = CliRunner().invoke(main, ["verify", str(junk)])
    assert result.exit_code == 1 and "FAILED  zip:" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    (["--out", "x.wacz"], "needs one of --campaign UID, --lineage UID or --case NAME"),
    (["--campaign", "campaign:0", "--out", "x.zip"], "name it NAME.wacz, not x.zip"),
    (["--campaign", "campaign:0", "--pseudonymize", "--out", "x.wacz"], "no --query or --pseudonymize"),
])
def test_export_package_arguments(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["export", "package", *args])
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_pywb_replays_a_captured_page_from_the_package(evidence, tmp_path):
    """The archivists' replay tool reads the package and serves the captured bytes back."""
    out = _package(evidence)
    bin_dir = Path(sys.executable).parent
    work = tmp_path / "pywb"
    work.mkdir()
    subprocess.run([bin_dir / "wb-manager", "init", "case"], cwd=work, check=True, capture_output=True)
    # pywb copies the package's WARCs into its collection and indexes them itself.
    subprocess.run([bin_dir / "wb-manager", "add", "--unpack-wacz", "case", str(out)], cwd=work, check=True,
                   capture_output=True)
    port = _free_port()
    server = subprocess.Popen([bin_dir / "wayback", "-b", "127.0.0.1", "-p", str(port)], cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = "http://ostervale-facts.example/articles/harbour-files.html"
    try:
        deadline, body = time.monotonic() + 60, None
        while body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/case/20260406091500id_/{url}",
                                            timeout=10) as response:
                    body = response.read()
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert body == PAGES[url][1]


def test_build_package_from_a_store(store, evidence, tmp_path):
    """The store side: the captures the store holds for a site, read back and packaged."""
    from graphinv.export.package import build_package
    from graphinv.ingest import ingest_paths

    ingest_paths(store, [evidence["folder"] / "crawl.warc.gz"])
    out = build_package(store, {"lineage": "site:ostervale-facts.example"}, tmp_path / "site.wacz")
    assert _failed(verify_package(out)) == {}
    with zipfile.ZipFile(out) as archive:
        urls = {json.loads(x)["url"] for x in archive.read("evidence/captures.jsonl").splitlines()}
        custody = [json.loads(x) for x in archive.read("evidence/custody.jsonl").splitlines()]
    assert set(PAGES) <= urls  # every captured page of the site, about.html included
    assert [e["action"] for e in custody] == ["ingest", "export"]
    assert custody[0]["what"]["sha256"] == _sha((evidence["folder"] / "crawl.warc.gz").read_bytes())


def test_a_saved_case_packages_what_it_pins_and_its_notes_beside(store, evidence, tmp_path):
    """A case's package holds the captures behind its pins; its notes and tags go in
    case/case.json, sealed with the rest, and never change the evidence files."""
    from graphinv import cases
    from graphinv.export.package import CASE_PATH, build_package
    from graphinv.ingest import ingest_paths

    ingest_paths(store, [evidence["folder"] / "crawl.warc.gz"])
    site = "site:ostervale-facts.example"
    uid = cases.create(store, "Ostervale sites", author="ana")
    cases.write(store, uid, "pin", about=site, author="ana")
    first = build_package(store, {"case": "Ostervale sites"}, tmp_path / "first.wacz")
    cases.write(store, uid, "tag", about=site, tag="verified", author="ben")
    cases.write(store, uid, "note", about=site, text="Same owner as the banned site.", author="ben")
    second = build_package(store, {"case": "ostervale sites"}, tmp_path / "second.wacz")
    alone = build_package(store, {"entity": site}, tmp_path / "alone.wacz")
    for out in (first, second):
        assert _failed(verify_package(out)) == {}
    read = {}
    for out in (first, second, alone):
        with zipfile.ZipFile(out) as archive:
            read[out.stem] = {name: archive.read(name) for name in archive.namelist()}
    assert read["first"]["evidence/captures.jsonl"] == read["second"]["evidence/captures.jsonl"] \
        == read["alone"]["evidence/captures.jsonl"]
    findings = json.loads(read["second"]["evidence/findings.json"])["findings"]
    assert [(f["kind"], f["uid"]) for f in findings] == [("entity", site)]
    case = json.loads(read["second"][CASE_PATH])
    assert [(e["entry"], e["author"]) for e in case["entries"]] == [("pin", "ana"), ("tag", "ben"), ("note", "ben")]
    assert CASE_PATH not in read["alone"]
