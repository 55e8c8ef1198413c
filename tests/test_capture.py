"""Live capture against real HTTP servers on 127.0.0.1 (tests/http_sites.py).

The client resolves the fixture host names to 127.0.0.1 through its own --resolve map
(``*`` to nothing, so no other name is ever looked up) and may contact 127.0.0.0/8
only; every test also checks what it really contacted.
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter

import pytest
from http_sites import big, chunked, drop, gzipped, hang, image, page, redirect, sites, status, trickle  # noqa: F401
from PIL import Image
from warcio.archiveiterator import ArchiveIterator

import collectors.web as web
from graphinv import __version__
from graphinv.capture.crawl import crawl
from graphinv.capture.evidence import read_record
from graphinv.capture.fetch import Fetcher, FetchPolicy
from graphinv.ingest import ingest_paths
from graphinv.records import Reject, post_uid, url_uid

HOSTS = ("old-site.test", "new-site.test", "other-site.test", "slow.test", "big.test", "latin.test",
         "loop.test", "censored.test", "flaky.test")


def policy(**overrides) -> FetchPolicy:
    resolve = {host: "127.0.0.1" for host in HOSTS} | {"gone.test": None, "private.test": "10.1.2.3", "*": None}
    options = {"resolve": resolve, "allow_networks": ["127.0.0.0/8"], "timeout": 1.0, "deadline": 3.0}
    return FetchPolicy(**(options | overrides))


def png(colour) -> bytes:
    picture = Image.new("RGB", (32, 24), colour)
    for x in range(16):
        for y in range(24):
            picture.putpixel((x, y), (0, 0, 255))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


ARTICLE = ("The harbour contracts were signed in secret, and the council never published the "
           "minutes of the meeting where the marina was sold. ") * 4


def home(sites, host="old-site.test", extra=""):
    return (f"<html lang='de'><head><title>Ostervale Truth</title><script src='/app.js'></script>"
            f"<link rel='stylesheet' href='/site.css'></head><body><main><h1>Hafen-Akten</h1><p>{ARTICLE}</p>"
            f"{extra}<img src='/logo.png'><a href='/articles/1'>more</a>"
            f"<a href='http://tracker.example/pixel'>ad</a>"
            f"<script>gtag('config', 'G-ABC123XYZ9'); var ads='ca-pub-5930418276354012';</script>"
            f"</main></body></html>")


def serve_site(sites, host="old-site.test"):
    sites.route(host, "/", page(home(sites, host)))
    sites.route(host, "/articles/1", page("<html><body><p>Article one</p></body></html>"))
    sites.route(host, "/app.js", page("console.log(1)", "application/javascript"))
    sites.route(host, "/site.css", page("body{}", "text/css"))
    sites.route(host, "/logo.png", image(png("red")))


def records_of(path):
    return list(web.collect(path))


# --------------------------------------------------------------------------- collect web


def test_crawl_writes_a_warc_that_warcio_and_the_collector_read(sites, tmp_path):
    serve_site(sites)
    seed = sites.url("old-site.test", "/")
    result = crawl([seed], tmp_path / "c.warc.gz", policy(), depth=1, same_site=True, delay=0)

    assert [p.url for p in result.pages] == [seed, sites.url("old-site.test", "/articles/1")]
    assert sorted(r.url.rsplit("/", 1)[1] for r in result.resources) == ["app.js", "logo.png", "site.css"]
    # same-site: the tracker link was not followed; nothing but 127.0.0.1 was contacted.
    assert {host for host, _, _ in sites.requests} == {"old-site.test"}
    assert {address for _, _, address in result.contacted} == {"127.0.0.1"}

    with open(result.path, "rb") as handle:
        records = [(r.rec_type, r.rec_headers, r.content_stream().read()) for r in ArchiveIterator(handle)]
    assert records[0][0] == "warcinfo"
    assert f"software: graphinv/{__version__}" in records[0][2].decode()
    responses = {h.get_header("WARC-Record-ID"): h for t, h, _ in records if t == "response"}
    requests = [h for t, h, _ in records if t == "request"]
    assert len(responses) == 5 and len(requests) == 5
    assert {h.get_header("WARC-Concurrent-To") for h in requests} == set(responses)
    assert {h.get_header("WARC-IP-Address") for h in responses.values()} == {"127.0.0.1"}
    assert hashlib.sha256(result.path.read_bytes()).hexdigest() == result.sha256
    assert (tmp_path / "c.warc.gz.sha256").read_text() == f"{result.sha256}  c.warc.gz\n"

    out = records_of(result.path)
    assert [r for r in out if isinstance(r, Reject)] == []
    posts = {r.uid: r for r in out if getattr(r, "kind", "") == "Post"}
    home_post = posts[post_uid("web", "https://old-site.test:%d/" % sites.port)]
    assert home_post.props["title"] == "Ostervale Truth" and "harbour contracts" in home_post.props["text"]
    assert any(getattr(r, "kind", "") == "Media" and r.props.get("phash") for r in out)
    ids = {r.uid for r in out if getattr(r, "kind", "") == "Identifier"}
    assert "identifier:adsense:pub-5930418276354012" in ids
    # The offset its capture records is where the response record really is.
    (capture,) = [r.src for r in out if getattr(r, "kind", "") == "CAPTURES" and r.dst == home_post.uid]
    offset = next(r.props["offset"] for r in out if getattr(r, "uid", "") == capture)
    rec_type, target, sha = read_record(result.path, offset)
    assert (rec_type, target, sha) == ("response", seed, home_post.props["content_sha256"])


def test_default_policy_never_contacts_loopback_or_private_addresses(sites):
    sites.route("old-site.test", "/", page("<p>hi</p>"))
    with Fetcher(FetchPolicy(resolve={"old-site.test": "127.0.0.1", "private.test": "10.1.2.3"}), delay=0) as f:
        loopback = f.get(sites.url("old-site.test"))
        private = f.get("http://private.test/")
        literal = f.get(f"http://127.0.0.1:{sites.port}/")
        assert f.contacted == []
    assert {e.error_kind for e in (loopback, private, literal)} == {"refused_address"}
    assert sites.requests == []


@pytest.mark.parametrize("address, why", [
    ("64:ff9b::a9fe:a9fe", "NAT64 of the cloud metadata address 169.254.169.254"),
    ("64:ff9b::7f00:1", "NAT64 of 127.0.0.1"),
    ("64:ff9b:1::a9fe:a9fe", "local-use NAT64: the site's translator, IPv4 position unknown"),
    ("2002:7f00:1::1", "6to4 of 127.0.0.1"),
    ("2002:a00:1::1", "6to4 of 10.0.0.1"),
    ("::127.0.0.1", "IPv4-compatible loopback"),
    ("::169.254.169.254", "IPv4-compatible metadata address"),
    ("::ffff:192.168.1.1", "IPv4-mapped private address"),
    ("2001:0:808:808::80ff:fffe", "Teredo whose client is 127.0.0.1 (obfuscated)"),
])
def test_default_policy_unwraps_ipv4_carried_in_ipv6(address, why):
    assert not FetchPolicy().allowed(address), why


def test_default_policy_allows_public_ipv4_carried_in_ipv6():
    # The same wrappings around 8.8.8.8 stay reachable: an IPv6-only network with
    # DNS64 reaches every IPv4-only site through 64:ff9b::/96.
    for address in ("64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8", "2606:4700::1111", "8.8.8.8"):
        assert FetchPolicy().allowed(address), address


def test_a_host_resolving_to_nat64_of_the_metadata_address_is_not_contacted(sites):
    with Fetcher(FetchPolicy(resolve={"metadata.test": "64:ff9b::a9fe:a9fe"}), delay=0) as f:
        exchange = f.get("http://metadata.test/latest/meta-data/")
        assert f.contacted == []
    assert exchange.error_kind == "refused_address"


def test_failures_are_recorded_never_fatal(sites, tmp_path):
    sites.route("slow.test", "/", hang(30))
    sites.route("slow.test", "/trickle", trickle(total=1000, every=0.25))
    sites.route("big.test", "/", big(20 * 1024 * 1024))
    sites.route("loop.test", "/a", redirect("/b", 302))
    sites.route("loop.test", "/b", redirect("/a", 302))
    sites.route("censored.test", "/", status(451))
    sites.route("flaky.test", "/", drop())
    latin = "<html><head><meta charset='iso-8859-1'><title>Straße</title></head><body><p>Größe</p></body></html>"
    sites.route("latin.test", "/", page(latin.encode("latin-1"), "text/html; charset=iso-8859-1"))
    sites.route("old-site.test", "/zipped", gzipped("<html><body><p>packed page</p></body></html>"))
    sites.route("old-site.test", "/chunks", chunked([b"<html><body><p>in ", b"chunks</p></body></html>"]))
    seeds = [sites.url("slow.test"), sites.url("slow.test", "/trickle"), sites.url("big.test"),
             sites.url("loop.test", "/a"), sites.url("censored.test"), sites.url("flaky.test"),
             sites.url("latin.test"), "http://gone.test/", "http://private.test/",
             sites.url("old-site.test", "/", scheme="https"), sites.url("old-site.test", "/zipped"),
             sites.url("old-site.test", "/chunks")]
    result = crawl(seeds, tmp_path / "bad.warc.gz", policy(max_bytes=1024 * 1024, deadline=1.0), delay=0)

    got = {p.url: (p.outcome["status"], p.outcome["detail"].split(":")[0]) for p in result.pages}
    assert got[seeds[1]][0] == "active" and got[seeds[1]][1].startswith("body cut off (time) after")
    assert got[seeds[5]][0] == "unreachable" and got[seeds[5]][1] in ("protocol", "network", "connect")
    assert {url: got[url] for url in seeds if url not in (seeds[1], seeds[5])} == {
        seeds[0]: ("unreachable", "timeout"),
        seeds[2]: ("active", "body cut off (length) after 1,048,576 bytes"),
        seeds[3]: ("error", "redirect loop"),
        seeds[4]: ("withheld", ""),
        seeds[6]: ("active", ""),
        seeds[7]: ("not_found", "dns"),
        seeds[8]: ("unreachable", "refused address"),
        seeds[9]: ("unreachable", "tls"),
        seeds[10]: ("active", ""),
        seeds[11]: ("active", ""),
    }
    assert {address for _, _, address in result.contacted} == {"127.0.0.1"}
    assert "private.test" not in {host for host, _, _ in result.contacted}

    with open(result.path, "rb") as handle:
        truncated = {r.rec_headers.get_header("WARC-Target-URI"): r.rec_headers.get_header("WARC-Truncated")
                     for r in ArchiveIterator(handle) if r.rec_type == "response"}
    assert truncated[seeds[2]] == "length" and truncated[seeds[1]] == "time"

    out = records_of(result.path)
    rejects = Counter(r.reason for r in out if isinstance(r, Reject))
    assert rejects == {"truncated_at_capture": 2}
    observations = {r.props["entity"]: r.props for r in out if getattr(r, "kind", "") == "Observation"
                    and r.props["source"] == "fetch"}
    port = sites.port
    assert observations[url_uid("https://gone.test/")]["status"] == "not_found"
    assert observations[url_uid(f"https://slow.test:{port}/")]["detail"].startswith("timeout")
    assert observations[url_uid(f"https://loop.test:{port}/a")]["status"] == "error"
    assert observations[url_uid("https://private.test/")]["status"] == "unreachable"
    posts = {r.uid: r.props for r in out if getattr(r, "kind", "") == "Post"}
    assert posts[post_uid("web", f"https://latin.test:{port}/")]["title"] == "Straße"
    assert "Größe" in posts[post_uid("web", f"https://latin.test:{port}/")]["text"]
    assert posts[post_uid("web", f"https://old-site.test:{port}/zipped")]["text"] == "packed page"
    assert posts[post_uid("web", f"https://old-site.test:{port}/chunks")]["text"] == "in chunks"


def test_collect_web_ingests_into_both_stores(sites, tmp_path, store):
    serve_site(sites)
    sites.route("old-site.test", "/old", redirect(sites.url("new-site.test", "/"), 301))
    sites.route("new-site.test", "/", page(home(sites, "new-site.test")))
    result = crawl([sites.url("old-site.test"), sites.url("old-site.test", "/old"), "http://gone.test/"],
                   tmp_path / "c.warc.gz", policy(), delay=0)
    summary = ingest_paths(store, [result.path])
    assert summary.ingested == 1 and summary.files[0].rejects == {}
    port = sites.port
    moved = store.query("MATCH (o:Observation) WHERE o.entity = $u RETURN o.status AS s, o.final_url AS f",
                        {"u": url_uid(f"https://old-site.test:{port}/old")})
    assert moved.to_dict("records") == [{"s": "moved", "f": f"https://new-site.test:{port}/"}]
    links = store.query("MATCH (a:Url)-[l:LINKS_TO]->(b:Url)-[:ON_SITE]->(s:Site) WHERE l.anchor STARTS WITH "
                        "'redirect' RETURN a.uid AS a, s.uid AS site")
    assert links.to_dict("records") == [{"a": url_uid(f"https://old-site.test:{port}/old"),
                                          "site": "site:new-site.test"}]
    gone = store.query("MATCH (o:Observation)-[:OBSERVED]->(u:Url) WHERE u.uid = 'url:https://gone.test/' "
                       "RETURN o.status AS s, o.detail AS d, o.warc_offset AS off")
    assert gone.iloc[0]["s"] == "not_found" and gone.iloc[0]["d"].startswith("dns")
    assert read_record(result.path, int(gone.iloc[0]["off"]))[0] == "metadata"
    # A second ingest of the same capture changes nothing.
    before = store.counts()
    ingest_paths(store, [result.path], force=True)
    assert store.counts() == before


def test_interrupted_capture_leaves_only_a_part_file(sites, tmp_path):
    """A crawl killed mid-way leaves NAME.part (never ingested as finished); stopped
    cleanly, the records fetched so far are a valid file."""
    sites.route("old-site.test", "/", page("<p>one</p>"))

    calls = []

    def stop_after_first(fetched):
        calls.append(fetched)
        raise KeyboardInterrupt

    path = tmp_path / "stop.warc.gz"
    with pytest.raises(KeyboardInterrupt):
        crawl([sites.url("old-site.test"), sites.url("old-site.test", "/x")], path, policy(), delay=0,
              on_fetch=stop_after_first)
    assert len(calls) == 1 and path.exists() and not (tmp_path / "stop.warc.gz.part").exists()
    with open(path, "rb") as handle:
        assert [r.rec_type for r in ArchiveIterator(handle)] == ["warcinfo", "response", "request"]


def test_collect_web_cli_captures_and_ingests(sites, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    serve_site(sites)
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "GRAPHINV_STORE": f"embedded:{tmp_path / 'g.lbug'}",
           "GRAPHINV_RESOLVE": "old-site.test=127.0.0.1,*=none", "GRAPHINV_ALLOW_NETWORKS": "127.0.0.0/8"}
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(f"{sites.url('old-site.test')}\nhttp://gone.test/  # taken off DNS\n")
    done = subprocess.run([sys.executable, "-m", "graphinv", "collect", "web", "--from", str(seeds), "--delay", "0",
                           "--out-dir", str(tmp_path / "caps")], capture_output=True, text=True, env=env, cwd=root,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "not_found" in done.stdout and "dns: gone.test" in done.stdout
    (capture,) = (tmp_path / "caps").glob("web-*.warc.gz")
    assert f"sha256 {hashlib.sha256(capture.read_bytes()).hexdigest()}" in done.stdout
    assert "web" in done.stdout and "Ingest summary" in done.stdout
    wrong = subprocess.run([sys.executable, "-m", "graphinv", "collect", "web", "old-site.test"],
                           capture_output=True, text=True, env=env, cwd=root, timeout=60)
    assert wrong.returncode != 0 and "Traceback" not in wrong.stderr and "http://" in wrong.stderr


def slow_headers(every: float = 0.2):
    """A status line, then one header byte every ``every`` seconds: each read comes in
    time, the response never does."""
    def respond(h):
        h.wfile.write(b"HTTP/1.1 200 OK\r\n")
        h.wfile.flush()
        for byte in b"X-Padding: " + b"a" * 1000:
            if h.stopping.wait(every):
                return
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
        h.close_connection = True
    return respond


def test_the_deadline_covers_headers_that_trickle(sites):
    sites.route("slow.test", "/", slow_headers(0.1))
    with Fetcher(policy(timeout=1.0, deadline=1.0), delay=0) as fetcher:
        exchange = fetcher.get(sites.url("slow.test"))
    assert exchange.status is None and exchange.error_kind == "timeout"
    assert "deadline" in exchange.error


def _warc_of_one_page(path, url: str, body: bytes) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                                      warc_headers_dict={"WARC-Date": "2024-03-01T00:00:00Z"}))


def test_evidence_verify_works_from_any_folder(store_uri, tmp_path, monkeypatch):
    from click.testing import CliRunner

    import graphinv.commands.watch  # noqa: F401 - registers `evidence`
    from graphinv.capture.evidence import evidence, store_folders, verify_row
    from graphinv.cli import main
    from graphinv.store import open_store

    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    elsewhere.mkdir()
    _warc_of_one_page(project / "captures" / "site.warc.gz", "https://old-site.test/",
                      b"<html><head><title>Old</title></head><body><p>hello</p></body></html>")
    monkeypatch.chdir(project)
    with open_store(store_uri) as store:
        ingest_paths(store, ["captures/site.warc.gz"])  # named relative to the folder ingest runs in
        rows = evidence(store, "site:old-site.test").to_dict("records")
        # Ingest stores where the file is, not how it was named.
        assert {r["warc_file"] for r in rows} == {str(project / "captures" / "site.warc.gz")}
    monkeypatch.chdir(elsewhere)
    result = CliRunner().invoke(main, ["evidence", "site:old-site.test", "--verify", "--store", store_uri])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output and "missing" not in result.output

    # A store ingested before paths were absolute holds them relative to the folder the
    # ingest ran in: verify finds them from that folder, and beside an embedded store.
    legacy = [{**r, "source_file": "captures/site.warc.gz"} for r in rows]
    assert {verify_row(r) for r in legacy} == {"missing"}
    monkeypatch.chdir(project)
    assert {verify_row(r) for r in legacy} == {"ok"}
    if store_uri.startswith("embedded:"):
        monkeypatch.chdir(elsewhere)
        with open_store(f"embedded:{project / 'graph.lbug'}") as beside:
            assert {verify_row(r, store_folders(beside)) for r in legacy} == {"ok"}


def test_evidence_verify_rehashes_a_saved_page(store, tmp_path, monkeypatch):
    from graphinv.capture.evidence import evidence, verify_row

    page = tmp_path / "saved" / "page.html"
    page.parent.mkdir()
    page.write_text("<!-- saved from url=(0022)https://old-site.test/ -->\n<html><body><p>hi</p></body></html>")
    monkeypatch.chdir(tmp_path)
    ingest_paths(store, ["saved/page.html"])
    monkeypatch.chdir(page.parent)
    (row,) = [r for r in evidence(store, "site:old-site.test").to_dict("records") if r["kind"] == "capture"]
    # The saved page's capture is its whole file: re-hashed, from anywhere.
    assert row["source_file"] == str(page) and row["format"] == "html" and verify_row(row) == "ok"
    page.write_text(page.read_text().replace("hi", "bye"))
    assert verify_row(row) == "changed"
