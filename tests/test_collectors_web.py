"""The web collector (WARC, WARC.gz, saved HTML) and the page fingerprints.

Every WARC here is written by warcio's WARCWriter in tmp_path and read back by warcio
before the collector sees it; images are real PNG/JPEG bytes made with Pillow.
"""

from __future__ import annotations

import doctest
import gzip
import hashlib
import io
import os
from pathlib import Path

import pytest
from PIL import Image
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import collectors.web as web
import graphinv.fingerprint as fingerprint
import graphinv.web.html as web_html
import graphinv.web.outcome as outcome
from collectors.base import validate_record
from graphinv.fingerprint import extract_identifiers, image_fingerprint
from graphinv.records import Edge, Node, Reject, identifier_uid, media_uid, post_uid, site_uid, url_uid



# --------------------------------------------------------------------------- helpers


def png_bytes(colour="red", size=(32, 24), fmt="PNG") -> bytes:
    image = Image.new("RGB", size, colour)
    for x in range(size[0] // 2):  # a pattern, so the perceptual hash is not flat
        for y in range(size[1]):
            image.putpixel((x, y), (0, 0, 255))
    buf = io.BytesIO()
    image.save(buf, fmt)
    return buf.getvalue()


class Warc:
    """Writes a WARC with warcio, one call per capture."""

    def __init__(self, path: Path, gzip_: bool = True):
        self.path = path
        self.handle = open(path, "wb")
        self.writer = WARCWriter(self.handle, gzip=gzip_)
        info = self.writer.create_warcinfo_record(path.name, {"software": "graphinv-tests"})
        self.writer.write_record(info)

    def response(self, url, body: bytes, status="200 OK", content_type="text/html; charset=utf-8",
                 date="2024-03-01T12:00:00Z", extra_headers=(), ip=None, request=True):
        headers = [("Content-Type", content_type), *extra_headers] if content_type else list(extra_headers)
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        warc_headers = {"WARC-Date": date}
        if ip:
            warc_headers["WARC-IP-Address"] = ip
        record = self.writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                                warc_headers_dict=warc_headers)
        self.writer.write_record(record)
        if request:
            req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True)
            self.writer.write_record(self.writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""), http_headers=req, warc_headers_dict={"WARC-Date": date}))
        return record

    def revisit(self, url, original, date):
        record = self.writer.create_revisit_record(
            url, digest=original.rec_headers.get_header("WARC-Payload-Digest"),
            refers_to_uri=original.rec_headers.get_header("WARC-Target-URI"),
            refers_to_date=original.rec_headers.get_header("WARC-Date"),
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": date})
        self.writer.write_record(record)

    def close(self) -> Path:
        self.handle.close()
        # The file must be a WARC warcio itself can read to the end.
        with open(self.path, "rb") as handle:
            assert sum(1 for _ in ArchiveIterator(handle)) > 0
        return self.path


def collect(path, **options):
    records = list(web.collect(path, **options))
    problems = [p for r in records for p in validate_record(r)]
    assert problems == []
    return records


def nodes(records, kind=None):
    return {r.uid: r for r in records if isinstance(r, Node) and (kind is None or r.kind == kind)}


def merged(records, kind):
    """Nodes of ``kind`` with props merged in order (what an upsert would hold)."""
    out: dict[str, dict] = {}
    for r in records:
        if isinstance(r, Node) and r.kind == kind:
            out.setdefault(r.uid, {}).update(r.props)
    return out


def edges(records, kind=None):
    return {(r.kind, r.src, r.dst): r for r in records if isinstance(r, Edge) and (kind is None or r.kind == kind)}


def rejects(records):
    return [r.reason for r in records if isinstance(r, Reject)]


HOME = b"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Patriot News</title>
<link rel="icon" href="/favicon.png">
<meta property="og:image" content="https://patriot-news.net/img/banner.png">
<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123XYZ9"></script>
<script>gtag('config', 'G-ABC123XYZ9'); ga('create', 'UA-123456-7', 'auto');
var x = "<p>not text</p>"; document.write("script text must not show");</script>
<script>(function(m,e,t,r,i,k,a){})(window, document, "script", "https://mc.yandex.ru/metrika/tag.js", "ym");
ym(87654321, "init", {clickmap:true});</script>
<script>fbq('init', '123456789012345'); fbq('track', 'PageView');</script>
<style>body { color: red } .hidden-style-text {}</style>
</head><body>
<nav><a href="/about">About</a> <a href="https://t.me/patriotchannel">Our Telegram</a></nav>
<main><h1>Rally on Saturday</h1><p>Everyone meet at the square. Bring flags.
The march starts at noon and goes through the old town to the town hall, where the speeches
are held; the organisers ask everyone to come early and to bring friends and family.</p>
<img src="img/logo.png" alt="logo"><img src="/missing.png"><img src="/broken.jpg">
<ins class="adsbygoogle" data-ad-client="ca-pub-1234567890123456"></ins>
<p>Donate BTC 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa or mail editor@patriot-news.net</p>
<a href="https://other-site.net/article?utm_source=tw">Friends</a>
<a href="javascript:void(0)">js</a> <a href="#top">top</a>
</main></body></html>"""


@pytest.fixture
def capture(tmp_path) -> Path:
    """A small crawl of one site: home page, an image, a dead page, a redirect, a PDF…"""
    warc = Warc(tmp_path / "crawl.warc.gz")
    home = warc.response("http://www.patriot-news.net/", HOME, ip="203.0.113.7")
    warc.response("http://www.patriot-news.net/img/logo.png", png_bytes(), content_type="image/png")
    warc.response("https://patriot-news.net/favicon.png", png_bytes("green", (16, 16)), content_type="image/png")
    warc.response("https://patriot-news.net/broken.jpg", b"\xff\xd8\xff\xe0 not really a jpeg",
                  content_type="image/jpeg")
    warc.response("https://patriot-news.net/gone", b"<html><body>Not here</body></html>", status="404 Not Found")
    warc.response("https://patriot-news.net/removed", b"gone", status="410 Gone", content_type="text/plain")
    warc.response("https://patriot-news.net/blocked", b"<html>blocked</html>",
                  status="451 Unavailable For Legal Reasons")
    warc.response("https://patriot-news.net/old", b"", status="301 Moved Permanently", content_type=None,
                  extra_headers=[("Location", "https://new-patriots.net/")])
    warc.response("https://patriot-news.net/manifesto.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj",
                  content_type="application/pdf")
    warc.response("https://patriot-news.net/api/posts.json", b'{"posts": [1, 2, 3]}',
                  content_type="application/json")
    warc.revisit("http://www.patriot-news.net/", home, "2024-03-08T12:00:00Z")
    return warc.close()


# --------------------------------------------------------------------------- detect


def test_detect_reads_magic_bytes_not_only_names(tmp_path, capture):
    assert web.detect(capture)
    plain = Warc(tmp_path / "plain.warc", gzip_=False)
    plain.response("https://a.net/", b"<html></html>")
    assert web.detect(plain.close())
    fake = tmp_path / "fake.warc.gz"
    fake.write_bytes(gzip.compress(b"not a warc at all"))
    assert not web.detect(fake)
    page = tmp_path / "page.html"
    page.write_text("<html><body>hi</body></html>")
    assert web.detect(page)
    binary = tmp_path / "image.htm"
    binary.write_bytes(b"\x00\x01\x02PNG")
    assert not web.detect(binary)
    (tmp_path / "notes.txt").write_text("WARC/1.0")
    assert not web.detect(tmp_path / "notes.txt")
    assert not web.detect(tmp_path)


def test_detect_through_the_collector_table(capture):
    import collectors

    assert collectors.find_collector(capture).name == "web"


# --------------------------------------------------------------------------- WARC pages


def test_html_response_becomes_post_with_site_text_and_provenance(capture):
    records = collect(capture)
    canon = "https://patriot-news.net/"
    post = merged(records, "Post")[post_uid("web", canon)]
    assert post["platform"] == "web"
    assert post["url"] == "http://www.patriot-news.net/"
    assert post["title"] == "Patriot News"
    assert post["lang"] == "en"
    assert post["http_status"] == 200
    assert post["created_at"] == post["first_seen"] == 1709294400  # 2024-03-01T12:00:00Z
    assert post["last_seen"] == 1709899200  # moved on by the revisit a week later
    assert post["content_sha256"] == hashlib.sha256(HOME).hexdigest()
    assert "warc_file" not in post and "source_file" not in post  # where it was read: its captures
    # The <main> element is the text (no menu); scripts and styles never are.
    assert post["text"].startswith("Rally on Saturday\n\nEveryone meet at the square.")
    assert "Our Telegram" not in post["text"]
    assert "script text" not in post["text"] and "not text" not in post["text"]
    assert "color: red" not in post["text"]
    assert len(post["text_hash"]) == 40 and len(post["text_minhash"]) == 512
    site = merged(records, "Site")[site_uid("patriot-news.net")]
    assert site == {"domain": "patriot-news.net", "title": "Patriot News",
                    "first_seen": 1709294400, "last_seen": 1709899200}  # seen again by the revisit
    assert ("ON_SITE", post_uid("web", canon), site_uid("patriot-news.net")) in edges(records)


def test_each_capture_points_at_its_record(capture):
    """A page captured, then revisited: each record is its own Capture, whose bytes are
    the record's gzip member, cut out of the file by offset and length."""
    records = collect(capture)
    post = post_uid("web", "https://patriot-news.net/")
    held = [merged(records, "Capture")[src] for (kind, src, dst) in edges(records, "CAPTURES") if dst == post]
    response, revisit = sorted(held, key=lambda c: c["offset"])  # the revisit saw the same page
    assert revisit["captured_at"] == 1709899200 and revisit["length"] > 0
    capture_props = response
    assert capture_props["time_source"] == "WARC-Date" and capture_props["captured_at"] == 1709294400
    assert capture_props["url"] == "http://www.patriot-news.net/" and capture_props["format"] == "warc"
    data = capture.read_bytes()[capture_props["offset"]:capture_props["offset"] + capture_props["length"]]
    assert hashlib.sha256(data).hexdigest() == capture_props["bytes_sha256"]
    record = next(iter(ArchiveIterator(__import__("io").BytesIO(data))))  # one whole record, alone
    assert record.rec_headers.get_header("WARC-Target-URI") == "http://www.patriot-news.net/"
    assert hashlib.sha256(record.content_stream().read()).hexdigest() == capture_props["content_sha256"]
    # every record that made something has a capture; the captures do not overlap
    spans = sorted((c["offset"], c["offset"] + c["length"]) for c in merged(records, "Capture").values())
    assert len(spans) >= 3 and all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def test_outlinks_are_other_sites_only_by_default(capture):
    records = collect(capture)
    post = post_uid("web", "https://patriot-news.net/")
    links = {dst: e.props for (kind, src, dst), e in edges(records, "LINKS_TO").items() if src == post}
    # Tracking parameters go; same-site links (/about), javascript: and #fragments are left out.
    assert set(links) == {url_uid("https://t.me/patriotchannel"), url_uid("https://other-site.net/article")}
    assert links[url_uid("https://t.me/patriotchannel")]["anchor"] == "Our Telegram"
    urls = merged(records, "Url")
    assert urls[url_uid("https://other-site.net/article")]["original"] == \
        "https://other-site.net/article?utm_source=tw"
    assert ("ON_SITE", url_uid("https://t.me/patriotchannel"), site_uid("t.me")) in edges(records)
    everything = collect(capture, internal_links=True)
    assert ("LINKS_TO", post, url_uid("https://patriot-news.net/about")) in edges(everything)


def test_tracking_ids_become_identifiers_used_by_post_and_site(capture):
    records = collect(capture)
    post, site = post_uid("web", "https://patriot-news.net/"), site_uid("patriot-news.net")
    expected = [("ga", "UA-123456"), ("ga_property", "UA-123456-7"), ("ga4", "G-ABC123XYZ9"),
                ("adsense", "pub-1234567890123456"), ("yandex_metrika", "87654321"),
                ("fb_pixel", "123456789012345"), ("btc", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
                ("email", "editor@patriot-news.net")]
    identifiers = merged(records, "Identifier")
    uses = edges(records, "USES")
    for id_type, value in expected:
        uid = identifier_uid(id_type, value)
        assert identifiers[uid]["id_type"] == id_type and identifiers[uid]["value"] == value
        assert ("USES", post, uid) in uses and ("USES", site, uid) in uses
    # The server's address from WARC-IP-Address is the site's, not the post's.
    assert ("USES", site, identifier_uid("ip", "203.0.113.7")) in uses
    assert ("USES", post, identifier_uid("ip", "203.0.113.7")) not in uses
    assert identifier_uid("ip", "203.0.113.7") not in merged(collect(capture, ip_identifiers=False), "Identifier")


def test_captured_images_become_media_linked_from_the_page(capture):
    records = collect(capture)
    post = post_uid("web", "https://patriot-news.net/")
    logo = png_bytes()
    media = merged(records, "Media")[media_uid(hashlib.sha256(logo).hexdigest())]
    assert media["url"] == "https://patriot-news.net/img/logo.png"
    assert (media["mime"], media["width"], media["height"]) == ("image/png", 32, 24)
    assert media["phash"] == image_fingerprint(logo)["phash"]
    has_media = edges(records, "HAS_MEDIA")
    # The relative src "img/logo.png" resolved against the page URL, and the favicon.
    assert has_media[("HAS_MEDIA", post, media_uid(hashlib.sha256(logo).hexdigest()))].props["role"] == "img"
    icon = media_uid(hashlib.sha256(png_bytes("green", (16, 16))).hexdigest())
    assert has_media[("HAS_MEDIA", post, icon)].props["role"] == "icon"
    assert len(has_media) == 2  # /missing.png was never captured; /broken.jpg did not decode


def test_corrupt_image_is_rejected_and_the_page_still_ingested(capture):
    records = collect(capture)
    assert rejects(records) == ["bad_image"]
    assert post_uid("web", "https://patriot-news.net/") in nodes(records, "Post")
    # The broken image's response is still observed.
    assert url_uid("https://patriot-news.net/broken.jpg") in merged(records, "Url")


def test_every_response_is_an_observation_with_its_status(capture):
    records = collect(capture)
    observations = {o["entity"]: o for o in merged(records, "Observation").values()
                    if o["observed_at"] == 1709294400}
    status = {entity[len("url:"):]: (o["status"], o.get("http_status")) for entity, o in observations.items()}
    assert status == {
        "https://patriot-news.net/": ("active", 200),
        "https://patriot-news.net/img/logo.png": ("active", 200),
        "https://patriot-news.net/favicon.png": ("active", 200),
        "https://patriot-news.net/broken.jpg": ("active", 200),
        "https://patriot-news.net/gone": ("not_found", 404),
        "https://patriot-news.net/removed": ("deleted", 410),
        "https://patriot-news.net/blocked": ("withheld", 451),
        "https://patriot-news.net/old": ("moved", 301),  # to another site: not activity of this one
        "https://patriot-news.net/manifesto.pdf": ("active", 200),
        "https://patriot-news.net/api/posts.json": ("active", 200),
    }
    dead = observations[url_uid("https://patriot-news.net/gone")]
    assert dead["source"] == "warc" and dead["warc_file"] == str(capture) and dead["warc_offset"] > 0
    # 404, 410 and 451 pages are observations, never posts.
    posts = nodes(records, "Post")
    assert set(posts) == {post_uid("web", "https://patriot-news.net/")}


def test_redirect_records_final_url_and_a_url_link(capture):
    records = collect(capture)
    old = url_uid("https://patriot-news.net/old")
    observation = next(o for o in merged(records, "Observation").values() if o["entity"] == old)
    assert observation["final_url"] == "https://new-patriots.net/"
    link = edges(records)[("LINKS_TO", old, url_uid("https://new-patriots.net/"))]
    assert link.props["anchor"] == "redirect 301"


def test_home_page_observations_also_observe_the_site(capture):
    records = collect(capture)
    site = site_uid("patriot-news.net")
    observed_site = [src for (kind, src, dst) in edges(records, "OBSERVED") if dst == site]
    # The capture of "/" and its revisit a week later; no other page observes the site.
    times = sorted(merged(records, "Observation")[uid]["observed_at"] for uid in observed_site)
    assert times == [1709294400, 1709899200]


def test_revisit_reuses_the_original_payload_hash(capture):
    records = collect(capture)
    later = [o for o in merged(records, "Observation").values() if o["observed_at"] == 1709899200]
    assert len(later) == 1
    assert later[0]["content_sha256"] == hashlib.sha256(HOME).hexdigest()
    assert later[0]["status"] == "active"


def test_non_html_payloads_are_url_and_observation_only(capture):
    records = collect(capture)
    for path in ("manifesto.pdf", "api/posts.json"):
        uid = url_uid(f"https://patriot-news.net/{path}")
        assert uid in merged(records, "Url")
        assert not any(isinstance(r, Node) and r.kind in ("Post", "Media") and
                       r.props.get("url", "").endswith(path) for r in records)


def test_collecting_twice_gives_the_same_records(capture):
    assert collect(capture) == collect(capture)


# --------------------------------------------------------------------------- hostile input


def test_scripts_and_broken_markup_do_not_crash_or_leak(tmp_path):
    broken = (b"<html><head><title>Broken</title><body><div><p>First <b>bold <i>nested</b> text"
              b"<script>var secret = 'SCRIPT-ONLY';</script><table><tr><td>cell<td>other"
              b"<<<>>> &nbsp;&amp;&#9731; <!-- a comment --><a href='http://[bad'>x</a>"
              b"<a href=\"https://ok.net/p\">ok</a><img src='data:image/png;base64,!!!'></div")
    warc = Warc(tmp_path / "broken.warc")
    warc.response("https://broken.net/page", broken)
    records = collect(warc.close())
    post = merged(records, "Post")[post_uid("web", "https://broken.net/page")]
    assert "SCRIPT-ONLY" not in post["text"]
    assert "First bold nested text" in post["text"] and "\u2603" in post["text"]
    assert "a comment" not in post["text"]
    assert ("LINKS_TO", post_uid("web", "https://broken.net/page"), url_uid("https://ok.net/p")) \
        in edges(records)


def test_latin1_page_decodes_right(tmp_path):
    body = "<html><head><title>Café Straße</title></head><body><p>Grüße aus Köln – ½</p></body></html>"
    warc = Warc(tmp_path / "latin.warc.gz")
    # Declared only in HTTP …
    warc.response("https://latin.net/a", body.replace("–", "-").encode("latin-1"),
                  content_type="text/html; charset=ISO-8859-1")
    # … only in a <meta> …
    meta = body.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
    warc.response("https://latin.net/b", meta.replace("–", "-").encode("latin-1"), content_type="text/html")
    # … nowhere (windows-1252 with its dash): detection must not give mojibake.
    warc.response("https://latin.net/c", (body * 5).encode("cp1252"), content_type="text/html")
    records = collect(warc.close())
    posts = merged(records, "Post")
    for path in "abc":
        post = posts[post_uid("web", f"https://latin.net/{path}")]
        assert post["title"] == "Café Straße"
        assert "Grüße aus Köln" in post["text"]
    assert "–" in posts[post_uid("web", "https://latin.net/c")]["text"]


def test_http_charset_that_does_not_decode_is_passed_over():
    data = "<p>Grüße</p>".encode("latin-1")
    text, codec = web_html.decode_html(data, "utf-8")
    assert text == "<p>Grüße</p>" and codec == "cp1252"
    assert web_html.decode_html("<p>Grüße</p>".encode("utf-8"), "bogus-charset")[0] == "<p>Grüße</p>"
    assert web_html.decode_html(b"\xef\xbb\xbf<p>\xc3\xa9</p>", "iso-8859-1")[0] == "<p>é</p>"  # the BOM wins


def test_truncated_warc_gz_keeps_what_was_read(tmp_path):
    warc = Warc(tmp_path / "full.warc.gz")
    for i in range(4):
        body = b"<html><body><p>" + (b"page %d " % i) + os.urandom(3000).hex().encode() + b"</p></body></html>"
        warc.response(f"https://cut.net/{i}", body, request=False)
    full = warc.close().read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(full[: int(len(full) * 0.7)])  # mid-stream, inside the third page
    records = collect(cut)
    assert rejects(records) == ["truncated_gzip"]
    posts = nodes(records, "Post")
    assert post_uid("web", "https://cut.net/0") in posts
    assert post_uid("web", "https://cut.net/1") in posts
    assert post_uid("web", "https://cut.net/3") not in posts
    reject = next(r for r in records if isinstance(r, Reject))
    assert reject.where.startswith(str(cut))


@pytest.mark.parametrize("keep", [10, 200, 2000, -4])
def test_cut_anywhere_is_reported_never_raised(tmp_path, keep):
    warc = Warc(tmp_path / "full.warc.gz")
    warc.response("https://cut.net/a", b"<html><body>" + os.urandom(2000).hex().encode() + b"</body></html>")
    full = warc.close().read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(full[:keep])
    assert rejects(collect(cut)) == ["truncated_gzip"]


def test_truncated_plain_warc(tmp_path):
    warc = Warc(tmp_path / "full.warc", gzip_=False)
    warc.response("https://cut.net/a", b"<html><body>first</body></html>", request=False)
    warc.response("https://cut.net/b", b"<html><body>" + b"x" * 5000 + b"</body></html>", request=False)
    full = warc.close().read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(full[:-2000])
    records = collect(cut)
    assert rejects(records) == ["truncated_warc"]
    assert set(nodes(records, "Post")) == {post_uid("web", "https://cut.net/a")}


def test_garbage_warc_is_one_reject(tmp_path):
    bad = tmp_path / "bad.warc"
    bad.write_bytes(b"WARC/1.0\r\nthis is not a header block\r\n\r\n" + os.urandom(500))
    assert rejects(collect(bad)) == ["bad_warc"]


def test_huge_page_is_parsed_from_its_start_and_counted(tmp_path):
    body = b"<html><head><title>Huge</title></head><body><p>Start of the page.</p>" + \
        b"<p>" + b"filler words here " * 200_000 + b"</p><p>THE END</p></body></html>"
    warc = Warc(tmp_path / "huge.warc.gz")
    warc.response("https://huge.net/", body)
    records = collect(warc.close(), max_payload=1_000_000, max_text=5_000)
    assert rejects(records) == ["payload_too_large"]
    post = merged(records, "Post")[post_uid("web", "https://huge.net/")]
    assert post["title"] == "Huge"
    assert post["text"].startswith("Start of the page.") and len(post["text"]) == 5_000
    assert "THE END" not in post["text"]
    # The hash is still of the whole payload: it identifies the capture.
    assert post["content_sha256"] == hashlib.sha256(body).hexdigest()


def test_default_text_cap(tmp_path):
    body = b"<html><body><p>" + b"word " * 20_000 + b"</p></body></html>"
    warc = Warc(tmp_path / "long.warc")
    warc.response("https://long.net/", body)
    records = collect(warc.close())
    assert len(merged(records, "Post")[post_uid("web", "https://long.net/")]["text"]) == web.MAX_TEXT


def test_resource_records_and_non_web_uris(tmp_path):
    path = tmp_path / "browsertrix.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warc_record(
            "urn:pageinfo:https://r.net/", "resource", payload=io.BytesIO(b'{"pages": 1}'),
            warc_content_type="application/json", warc_headers_dict={"WARC-Date": "2024-01-01T00:00:00Z"}))
        writer.write_record(writer.create_warc_record(
            "https://r.net/page", "resource", payload=io.BytesIO(b"<html><title>R</title><p>hi</p></html>"),
            warc_content_type="text/html", warc_headers_dict={"WARC-Date": "2024-01-01T00:00:00Z"}))
    records = collect(path)
    assert rejects(records) == []
    post = merged(records, "Post")[post_uid("web", "https://r.net/page")]
    assert post["title"] == "R" and "http_status" not in post
    (observation,) = merged(records, "Observation").values()
    assert observation["status"] == "active" and "http_status" not in observation


# --------------------------------------------------------------------------- saved HTML


def test_saved_html_url_from_saved_from_comment_and_local_images(tmp_path):
    folder = tmp_path / "saved"
    (folder / "Rally_files").mkdir(parents=True)
    (folder / "Rally_files" / "photo.jpg").write_bytes(png_bytes("red", (40, 30), "JPEG"))
    (tmp_path / "outside.png").write_bytes(png_bytes())
    page = folder / "Rally.html"
    page.write_bytes(
        b"<!DOCTYPE html>\n<!-- saved from url=(0038)https://www.hate-site.net/rally/ -->\n"
        b"<html><head><meta charset='windows-1252'><title>Rally \x96 now</title>"
        b"<link rel='canonical' href='https://elsewhere.net/x'>"
        b"<meta property='article:published_time' content='2024-02-01T10:00:00+00:00'></head>"
        b"<body><p>Join us</p><img src='./Rally_files/photo.jpg'><img src='../outside.png'>"
        b"<a href='https://t.me/hatechannel'>tg</a></body></html>")
    os.utime(page, (1709294400, 1709294400))
    assert web.detect(page)
    records = collect(page)
    canon = "https://hate-site.net/rally"
    post = merged(records, "Post")[post_uid("web", canon)]
    assert post["title"] == "Rally – now"
    assert post["url"] == "https://www.hate-site.net/rally/"
    assert post["created_at"] == 1706781600  # the page's publication date
    # A file's mtime is when it was copied, not when the page was seen: no time at all.
    assert "first_seen" not in post and "last_seen" not in post
    (saved,) = merged(records, "Capture").values()
    assert saved["time_source"] == "unknown" and "captured_at" not in saved
    assert saved["offset"] == 0 and saved["length"] == page.stat().st_size
    assert saved["bytes_sha256"] == hashlib.sha256(page.read_bytes()).hexdigest()
    assert ("ON_SITE", post_uid("web", canon), site_uid("hate-site.net")) in edges(records)
    media = merged(records, "Media")
    assert len(media) == 1  # ../outside.png is outside the page's folder: not read
    (jpeg,) = media.values()
    assert jpeg["mime"] == "image/jpeg" and (jpeg["width"], jpeg["height"]) == (40, 30)
    assert ("HAS_MEDIA", post_uid("web", canon), media_uid(jpeg["sha256"])) in edges(records)
    # An mtime is no evidence of when the page was seen: no Observation.
    assert merged(records, "Observation") == {}


def test_singlefile_page_gives_its_url_time_and_an_observation(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<!DOCTYPE html> <html><!--\n Page saved with SingleFile \n url: https://sf.net/post/1 \n"
        " saved date: Fri Mar 01 2024 13:00:00 GMT+0100 (Central European Standard Time)\n-->"
        "<head><title>SF</title></head><body><p>text</p>"
        "<img src='data:image/png;base64," + __import__("base64").b64encode(png_bytes()).decode() + "'>"
        "</body></html>", encoding="utf-8")
    records = collect(page)
    post = merged(records, "Post")[post_uid("web", "https://sf.net/post/1")]
    assert post["first_seen"] == post["created_at"] == 1709294400
    (observation,) = merged(records, "Observation").values()
    assert observation == {"entity": url_uid("https://sf.net/post/1"), "platform": "web", "status": "active",
                           "observed_at": 1709294400, "source": "html",
                           "content_sha256": hashlib.sha256(page.read_bytes()).hexdigest(),
                           "first_seen": 1709294400, "last_seen": 1709294400}
    assert media_uid(hashlib.sha256(png_bytes()).hexdigest()) in merged(records, "Media")


def test_saved_html_canonical_then_file_uri(tmp_path):
    canonical = tmp_path / "c.htm"
    canonical.write_text("<html><head><link rel=canonical href='https://c.net/a?utm_medium=x'>"
                         "<meta property='og:url' content='https://og.net/'></head><body>x</body></html>")
    assert post_uid("web", "https://c.net/a") in nodes(collect(canonical), "Post")
    og = tmp_path / "og.html"
    og.write_text("<html><head><meta property='og:url' content='https://og.net/b'></head><body>x</body></html>")
    assert post_uid("web", "https://og.net/b") in nodes(collect(og), "Post")
    bare = tmp_path / "bare.html"
    bare.write_text("<p>nothing says where this came from <a href='https://x.net/'>x</a>")
    records = collect(bare)
    # Keyed by its bytes, never by the investigator's path (it names their folders).
    sha = hashlib.sha256(bare.read_bytes()).hexdigest()
    assert set(nodes(records, "Post")) == {post_uid("web", f"sha256:{sha}")}
    assert not any(str(tmp_path) in str(v) for r in records if isinstance(r, Node) and r.kind != "Capture"
                   for v in r.props.values())
    assert merged(records, "Site") == {site_uid("x.net"): merged(records, "Site")[site_uid("x.net")]}


# --------------------------------------------------------------------------- fingerprints

POSITIVE = [
    ("<script>ga('create','UA-1234567-1','auto')</script>", ("ga", "UA-1234567")),
    ("<script>ga('create','UA-1234567-1','auto')</script>", ("ga_property", "UA-1234567-1")),
    ("<script>_gaq.push(['_setAccount', 'UA-98765-12']);</script>", ("ga", "UA-98765")),
    ("<script src='https://www.googletagmanager.com/gtag/js?id=G-Q1W2E3R4T5'></script>", ("ga4", "G-Q1W2E3R4T5")),
    ("<script>gtag('config', 'G-1AB2CD3EF4');</script>", ("ga4", "G-1AB2CD3EF4")),
    ("<script>(window,document,'script','dataLayer','GTM-K9X2Z7B');</script>"
     "<iframe src='https://www.googletagmanager.com/ns.html?id=GTM-K9X2Z7B'>", ("gtm", "GTM-K9X2Z7B")),
    ("<script>gtag('config', 'AW-123456789');</script>", ("google_ads", "AW-123456789")),
    ('<ins data-ad-client="ca-pub-9876543210987654">', ("adsense", "pub-9876543210987654")),
    ("google_ad_client = 'pub-9876543210987654';", ("adsense", "pub-9876543210987654")),
    ("<script>ym(55555555, 'init', {})</script>", ("yandex_metrika", "55555555")),
    ('<img src="https://mc.yandex.ru/watch/44444444" alt="">', ("yandex_metrika", "44444444")),
    ("<script>w.yaCounter33333333 = new Ya.Metrika({id:33333333});</script>", ("yandex_metrika", "33333333")),
    ("<script>fbq( 'init' , '112233445566778' );</script>", ("fb_pixel", "112233445566778")),
    ('<img src="https://www.facebook.com/tr?id=998877665544332&ev=PageView">', ("fb_pixel", "998877665544332")),
    ("<script>var _paq=[];var u=\"https://stats.example.org/\";_paq.push(['setTrackerUrl', u+'matomo.php']);"
     "_paq.push(['setSiteId', '7']);</script>", ("matomo", "stats.example.org#7")),
    ('<img src="//Piwik.Example.net/piwik/piwik.php?idsite=12&rec=1">', ("matomo", "piwik.example.net/piwik#12")),
    ("<script>(function(h,o,t,j,a,r){h._hjSettings={hjid:3141592,hjsv:6};})</script>", ("hotjar", "3141592")),
    ("<script defer src='https://static.cloudflareinsights.com/beacon.min.js' "
     "data-cf-beacon='{\"token\": \"0123456789abcdef0123456789abcdef\"}'></script>",
     ("cf_beacon", "0123456789abcdef0123456789abcdef")),
    ('<a href="https://www.amazon.de/dp/B000?tag=patriotshop-21&amp;x=1">buy</a>', ("amazon_tag", "patriotshop-21")),
    ('<meta name="google-site-verification" content="AbCdEf123456_-xyz">',
     ("google_site_verification", "AbCdEf123456_-xyz")),
    ("<meta content='a1b2c3d4e5f6a7b8' name='yandex-verification' />", ("yandex_verification", "a1b2c3d4e5f6a7b8")),
    ("<p>Donate: 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy</p>", ("btc", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")),
    ("<p>BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4</p>", ("btc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")),
    ("<p>bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0</p>",
     ("btc", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")),
    ('<a href="bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=1">give</a>',
     ("btc", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")),
    ("<p>ETH: 0x52908400098527886E0F7030069857D2E4169EE7.</p>", ("eth", "0x52908400098527886e0f7030069857d2e4169ee7")),
    ("<p>XMR 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A</p>",
     ("xmr", "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A")),
    ("<p>Contact: Press.Office@Example.co.uk.</p>", ("email", "press.office@example.co.uk")),
    ('<a href="mailto:tips@example.org?subject=hi">write</a>', ("email", "tips@example.org")),
]


@pytest.mark.parametrize("html, expected", POSITIVE)
def test_identifier_found(html, expected):
    assert expected in extract_identifiers(html)


NEGATIVE = [
    # "UA-" inside words, without a property number, or lowercase.
    "<p>AQUA-1234-5 and SUA-99999-1 and UA-1234 and ua-12345-1</p>",
    "<p>See the USA-2024-1 report</p>",
    # GA4/GTM/Ads shapes without the Google tag on the page, or placeholders.
    "<p>Our G-ABCDEF1234 model and GTM-AB12CD pipeline, call 'AW-123456789'</p>",
    "<script>gtag('config', 'G-XXXXXXXXXX'); dataLayer; 'GTM-XXXX'</script>",
    # AdSense needs 16 digits; "pub-" inside a word is not an ID.
    "<p>pub-2023 and ca-pub-12345 and mypub-1234567890123456</p>",
    # Yandex and Facebook need their call syntax.
    "<p>ym 87654321 init and fbq init 123456789012345 in prose</p>",
    # Bitcoin-shaped strings with a bad checksum, and base58 inside scripts.
    "<p>1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb</p>",
    "<script>var k = '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa';</script>",
    "<p>bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5</p>",
    # Hashes are not Ethereum addresses; the zero address is ignored.
    "<p>tx 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060</p>",
    "<p>0x0000000000000000000000000000000000000000</p>",
    # Retina image names, addresses in scripts, and an "@" handle are not e-mails.
    "<p><img src='logo@2x.png'> icon@3x.webp</p><script>var e='dev@internal.net';</script>@someone",
    # Amazon tags need an Amazon link and a region suffix.
    "<a href='https://shop.net/?tag=patriotshop-21'>x</a><a href='https://amazon.com/dp/1?tag=nope'>y</a>",
    # Verification tokens need their meta name.
    "<meta name='description' content='AbCdEf123456_-xyz'>",
]


@pytest.mark.parametrize("html", NEGATIVE)
def test_identifier_not_found(html):
    assert extract_identifiers(html) == []


def test_identifiers_are_unique_and_in_page_order():
    html = "<script>ga('create','UA-1-1');ga('create','UA-1111-2');ga('create','UA-1111-2')</script>"
    assert extract_identifiers(html) == [("ga", "UA-1111"), ("ga_property", "UA-1111-2")]
    assert extract_identifiers("") == []


def test_image_fingerprint_png_jpeg_and_near_duplicates():
    from imagehash import hex_to_hash

    png = image_fingerprint(png_bytes())
    assert png["sha256"] == hashlib.sha256(png_bytes()).hexdigest()
    assert (png["mime"], png["width"], png["height"]) == ("image/png", 32, 24)
    jpeg = image_fingerprint(png_bytes("red", (64, 48), "JPEG"))
    assert jpeg["mime"] == "image/jpeg"
    # The same picture re-encoded and resized is a near-duplicate by phash.
    assert hex_to_hash(png["phash"]) - hex_to_hash(jpeg["phash"]) <= 4


@pytest.mark.parametrize("data", [b"", b"GIF89a nonsense", png_bytes()[:40], b"\xff\xd8\xff\xe0" + b"\x00" * 50,
                                  b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"])
def test_image_fingerprint_bad_data_is_none(data):
    assert image_fingerprint(data) is None


def test_doctests():
    for module in (fingerprint, web_html, outcome):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__


def test_gzip_content_encoding_and_chunked_bodies_are_decoded(tmp_path):
    page = b"<html><head><title>Encoded</title></head><body><p>compressed words</p></body></html>"
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(page), page)
    warc = Warc(tmp_path / "enc.warc.gz")
    warc.response("https://enc.net/gz", gzip.compress(page), extra_headers=[("Content-Encoding", "gzip")])
    warc.response("https://enc.net/chunked", chunked, extra_headers=[("Transfer-Encoding", "chunked")])
    posts = merged(collect(warc.close()), "Post")
    for path in ("gz", "chunked"):
        post = posts[post_uid("web", f"https://enc.net/{path}")]
        assert post["title"] == "Encoded" and post["text"] == "compressed words"
        assert post["content_sha256"] == hashlib.sha256(page).hexdigest()


def test_damaged_bytes_anywhere_never_raise(tmp_path):
    warc = Warc(tmp_path / "full.warc.gz")
    for i in range(3):
        warc.response(f"https://flip.net/{i}", b"<html><body>" + os.urandom(800).hex().encode() + b"</body></html>")
    data = warc.close().read_bytes()
    for position in range(0, len(data), max(1, len(data) // 25)):
        damaged = bytearray(data)
        damaged[position] ^= 0xFF
        path = tmp_path / f"damaged-{position}.warc.gz"
        path.write_bytes(bytes(damaged))
        records = collect(path)  # never raises, and every record is schema-valid
        posts = nodes(records, "Post")
        # Whatever was read before the damage is kept; the damage is always reported.
        assert len(posts) <= 3
        assert rejects(records) != [] or len(posts) == 3
