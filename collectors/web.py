"""Web captures: WARC / WARC.gz files and saved HTML pages.

Reads what web archiving tools write (Webrecorder / ArchiveWeb.page, ``wget
--warc-file``, Browsertrix, Heritrix) and pages saved from a browser ("Save page as",
SingleFile), and yields pages, their sites, outlinks, tracking IDs, text and image
fingerprints and the HTTP status of every captured response.

What one WARC ``response`` (or ``resource``) record becomes
-----------------------------------------------------------
Every record for an ``http(s)`` URL:

- a **Url** (canonical URL, ``domain``, ``original``) and its **Site** (registered
  domain), ``Url -ON_SITE-> Site``;
- an **Observation** ``observation_uid(url uid, WARC-Date, "warc")`` with ``entity`` =
  the Url uid (always the Url, so that the 200 of March and the 404 of June of one page
  are observations of one entity), ``status``, ``observed_at``, ``http_status``,
  ``content_sha256``, ``source="warc"``, ``warc_file``, ``warc_offset``, and
  ``Observation -OBSERVED-> Url``; also ``-OBSERVED-> Post`` when the record made a
  Post, and ``-OBSERVED-> Site`` when the URL is the site's home page (path ``/``, no
  query), so that a site taken down shows as a Site observation.

  HTTP status to Observation status: 2xx and 304 -> ``active``; other 3xx ->
  ``active`` with ``final_url`` = the canonical ``Location`` (plus ``Url -LINKS_TO->
  Url`` with anchor ``"redirect 301"``: a banned site that now redirects to its
  successor is evidence), or ``moved`` when the ``Location`` is on another registered
  domain (the page no longer serves its own site: not activity of that site); 404 ->
  ``not_found``; 410 -> ``deleted``; 451 -> ``withheld``; any other 4xx and 5xx ->
  ``error``. A ``resource`` record (no HTTP headers) is ``active`` without
  ``http_status``. A record with ``WARC-Truncated`` (the capturing tool stopped
  reading the body) is read as it is and counted as ``Reject("truncated_at_capture")``.

A 2xx HTML response (``text/html``, ``application/xhtml+xml``, or no type and markup
inside) also becomes:

- a **Post** ``post_uid("web", canonical URL)``, platform ``web``, with ``post_id``
  (the canonical URL), ``url`` (the URL as captured), ``title``, ``lang``, ``text``,
  ``text_hash``, ``text_minhash``, ``created_at`` = ``first_seen`` = ``last_seen`` =
  WARC-Date, ``http_status``, ``content_sha256`` (sha256 of the HTTP payload after
  transfer- and content-decoding: the bytes a browser renders), ``warc_file``,
  ``warc_offset`` (``ArchiveIterator.get_record_offset()``: seek there and read one
  record to get the evidence back) and ``source_file``; ``Post -ON_SITE-> Site``;
- ``Post -LINKS_TO-> Url`` (with the first anchor text, 200 characters at most) for
  each outlink to *another* site, at most ``max_outlinks`` per page. Links within the
  site are left out by default (menus would drown the links that tie sites together);
  ``internal_links=True`` keeps them;
- Identifier nodes for the tracking and infrastructure IDs that
  :func:`graphinv.fingerprint.extract_identifiers` finds, with ``Post -USES->`` and
  ``Site -USES-> Identifier``; plus ``ip:<address>`` from ``WARC-IP-Address``
  (``ip_identifiers=False`` turns it off: shared hosts and CDNs make it a weak signal);
- ``Post -HAS_MEDIA-> Media`` (role ``img``, ``og:image`` or ``icon``) for each
  ``<img>`` ``src``/``srcset``/``data-src``, ``<picture><source srcset>``,
  ``og:image`` and ``<link rel=icon>`` whose resolved canonical URL was captured as an
  image anywhere in the same WARC (the pairing is done at the end of the file, so the
  order of records does not matter), and for inline ``data:image/…`` URIs.

A 2xx image response (``image/*``, or bytes Pillow recognises) becomes a **Media**
``media_uid(sha256)`` with ``sha256``, ``phash``, ``url``, ``mime``, ``width``,
``height``; an image Pillow cannot decode gives ``Reject("bad_image")`` (an SVG is
kept as a Media without ``phash``/size). Any other payload (PDF, JSON, CSS…) is only
the Url and its Observation.

Text: scripts, styles, ``<noscript>``, ``<template>`` and inline SVG are removed;
block elements become line breaks; whitespace is collapsed. When the page has a
``<main>`` or ``<article>`` element with at least 200 characters of text, ``text`` is
that text (an article republished on a new site under a new template then hashes the
same); otherwise the whole body. Tracking IDs, wallets and e-mails are looked for in the
whole page. ``text`` is capped at ``max_text`` characters (default 20,000);
``text_hash`` and ``text_minhash`` are of the capped text.

Decoding: a byte-order mark, then the charset of the HTTP ``Content-Type``, then a
``<meta charset>`` / ``http-equiv`` declaration in the first 4 kB, then strict UTF-8,
then charset-normalizer's guess, then windows-1252. A declared charset that does not
decode the bytes is passed over. ``iso-8859-1``, ``latin1`` and ``ascii`` are read as
windows-1252, as browsers do.

graphinv's own ``metadata`` records (``application/warc-fields`` with a
``graphinv-outcome`` field, written by ``graphinv collect web`` for a fetch that got no
response and by ``graphinv watch run`` for every check) become an Observation of
``graphinv-entity`` (default: the Url of ``WARC-Target-URI``), uid
``observation_uid(entity, WARC-Date, "<graphinv-source>-<WARC-Record-ID prefix>")``, with ``status`` = the outcome
(``active``, ``moved``, ``not_found``, ``deleted``, ``withheld``, ``error``,
``unreachable``), ``http_status``, ``final_url``, ``redirects``, ``detail``, ``change``,
``fingerprint``, and ``warc_offset`` / ``content_sha256`` of the response record named
by ``graphinv-response-record`` (the bytes the check saw), else of the metadata record.
A watch check (source ``watch``) also gives the ``Watch`` of its entity (``entity``,
``url``) and ``Watch -WATCHES-> entity``, so the captures alone rebuild the watchlist.
Other metadata records are passed over.

Other records: ``revisit`` records (a later capture with the same payload) give the
Url and an Observation whose ``content_sha256`` comes from the original capture when it
is in the same file, and move the Post's ``last_seen``. ``request``, ``warcinfo``
and ``conversion`` records carry nothing the graph holds and are passed
over, as are records for non-web URIs (``dns:``, ``urn:``).

Saved HTML (``.html``, ``.htm``, ``.xhtml``)
--------------------------------------------
The same page extraction. The page URL is, in order: SingleFile's ``url:`` comment or
the browser's ``<!-- saved from url=(0042)https://… -->`` comment (where the page was
really fetched), then ``<link rel=canonical>``, then ``og:url``; a page with none of
them is keyed by its ``file://`` URI and has no Site or Url. Times: ``first_seen`` /
``last_seen`` are SingleFile's ``saved date`` when present, else the file's mtime;
``created_at`` is the page's own publication date (``article:published_time``,
``<meta name=date>``, ``<time datetime>`` …) when present, else the same capture time.
An Observation (``active``, source ``html``) is written only when the capture time is
SingleFile's, because a copied file's mtime would invent a sighting. Images saved next
to the page (``Page_files/x.jpg``, inside the page's folder) and inline ``data:``
images become Media with ``HAS_MEDIA``.

Hostile input
-------------
Nothing raises out of :func:`collect`. A truncated ``.warc.gz`` yields every complete
record and then one ``Reject("truncated_gzip")`` (a truncated plain ``.warc``:
``Reject("truncated_warc")``); a record that cannot be parsed, or a damaged gzip
member, ends the file with ``Reject("bad_warc")`` (warcio cannot resynchronise on the
next record; the records before are kept); an error inside one record is
``Reject("bad_record")`` and reading goes on. A payload larger than
``max_payload`` (default 20 MiB) is hashed in full but only its first ``max_payload``
bytes are parsed: the Post is still written, from the start of the page, and one
``Reject("payload_too_large")`` counts the truncation (an oversized image is not
decoded: Reject only). A record with no usable WARC-Date: ``Reject("bad_date")``.

Speed: pages are parsed with selectolax (lexbor); link resolution and registered
domains are cached across pages (menus repeat the same links on every page), nodes met
many times (Site, Url, Identifier, Media) are accumulated and written once per file
with their first and last time, and each edge is written once.

Options (``collect(path, **options)``): ``max_payload``, ``max_text``,
``max_outlinks`` (default 1000), ``max_images`` (image references per page, default
200), ``internal_links`` (False), ``ip_identifiers``
(True), ``expansions`` (short link -> long URL, for :func:`canonical_url`).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import ipaddress
import os
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urljoin, urlsplit

from collectors.base import Accumulator, site_edges
from graphinv.fingerprint import extract_identifiers, image_fingerprint
from graphinv.normalize import canonical_url, registered_domain, text_hash, text_minhash, to_epoch
from graphinv.records import (
    Edge,
    Node,
    Record,
    Reject,
    identifier_uid,
    kind_of,
    media_uid,
    observation_uid,
    post_uid,
    site_uid,
    url_uid,
    watch_uid,
)

name = "web"
description = "Web captures: WARC/WARC.gz files and saved HTML pages"

MAX_PAYLOAD = 20 * 1024 * 1024
MAX_TEXT = 20_000
MAX_OUTLINKS = 1000
MAX_IMAGES = 200
MAX_TITLE = 1000
MAX_ANCHOR = 200
MAX_DATA_URI = 5 * 1024 * 1024
MAIN_TEXT_MIN = 200
_CHUNK = 1 << 20

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
WARC_SUFFIXES = (".warc", ".warc.gz", ".warc.gzip")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
SKIPPED_RECORDS = frozenset({"request", "warcinfo", "conversion", "continuation"})
MAX_METADATA = 64 * 1024
OUTCOME_STATUSES = frozenset({"active", "moved", "not_found", "deleted", "withheld", "suspended", "error",
                              "unreachable"})

# --------------------------------------------------------------------------- detect


def detect(path) -> bool:
    """A ``.warc``/``.warc.gz`` file that starts with ``WARC/`` (after gunzip), or a
    ``.html``/``.htm``/``.xhtml`` file that looks like text."""
    path = Path(path)
    if not path.is_file():
        return False
    lower = path.name.lower()
    if lower.endswith(WARC_SUFFIXES):
        # By content, not name: a gzipped ".warc" and a plain ".warc.gz" both occur.
        head = _raw_head(path, 4096)
        if head[:2] == _GZIP_MAGIC:
            try:
                head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head)
            except zlib.error:
                return False
        return head.startswith(b"WARC/")
    if lower.endswith(HTML_SUFFIXES):
        head = _raw_head(path, 1024)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return True
        return b"\x00" not in head
    return False


_GZIP_MAGIC = b"\x1f\x8b"


def _raw_head(path: Path, size: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


# --------------------------------------------------------------------------- decoding

_META_CHARSET = re.compile(rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)
# What browsers do (WHATWG Encoding): these labels mean windows-1252.
_AS_CP1252 = frozenset({"latin_1", "iso8859-1", "ascii", "cp819"})


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        codec = codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    return "cp1252" if codec in _AS_CP1252 else codec


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value, or None.

    >>> charset_of("text/html; charset=ISO-8859-1")
    'ISO-8859-1'
    """
    if not content_type:
        return None
    match = _CT_CHARSET.search(content_type)
    return match.group(1) if match else None


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """The page as text and the encoding used (see the module docstring for the order).

    >>> decode_html("café".encode("latin-1"), "iso-8859-1")
    ('café', 'cp1252')
    >>> decode_html('<meta charset="latin1"><p>Stra\xdfe'.encode("latin-1"))
    ('<meta charset="latin1"><p>Straße', 'cp1252')
    """
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace"), codec
    candidates = [_codec(http_charset)]
    meta = _META_CHARSET.search(data[:4096])
    if meta:
        declared = _codec(meta.group(1).decode("ascii", "replace"))
        # A page that is readable as ASCII cannot really be UTF-16 (the spec says UTF-8).
        candidates.append("utf-8" if declared and declared.startswith("utf_16") else declared)
    candidates.append("utf-8")
    for codec in candidates:
        if codec is None:
            continue
        try:
            return data.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue
    for codec in (_guess_charset(data), "cp1252"):
        if codec:
            try:
                return data.decode(codec), codec
            except (UnicodeDecodeError, LookupError):
                continue
    return data.decode("utf-8", errors="replace"), "utf-8"


def _guess_charset(data: bytes) -> str | None:
    """charset-normalizer's guess; windows-1252 on a tie or when no language was recognised
    (short pages: the detector then ranks Arabic and Greek code pages as high as Latin ones)."""
    try:
        from charset_normalizer import from_bytes

        matches = list(from_bytes(data[:200_000]))
    except Exception:  # the detector is a heuristic: never let it stop a page
        return None
    if not matches:
        return None
    best = min((m.chaos, -m.coherence) for m in matches)
    tied = [_codec(m.encoding) for m in matches if (m.chaos, -m.coherence) == best]
    return "cp1252" if "cp1252" in tied or best[1] == 0 else tied[0]


# --------------------------------------------------------------------------- page extraction

_INVISIBLE_TAGS = "script, style, noscript, template, svg, object, embed"
_BLOCK_TAGS = ("p, div, br, li, ul, ol, dl, dt, dd, h1, h2, h3, h4, h5, h6, tr, td, th, table, "
               "section, article, header, footer, nav, aside, main, blockquote, pre, hr, form, "
               "figure, figcaption, address, details, summary, fieldset, option")
_NEWLINES = re.compile(r"\n{2,}")
_PUBLISHED_META = ("article:published_time", "og:published_time", "date", "dc.date", "dc.date.issued",
                   "dcterms.created", "pubdate", "publishdate", "sailthru.date", "parsely-pub-date")


@dataclass
class Page:
    """What one HTML document says about itself (URLs still as written, resolved)."""

    title: str = ""
    lang: str = ""
    text: str = ""
    full_text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (absolute url, anchor)
    images: list[tuple[str, str, str]] = field(default_factory=list)  # (absolute url or data:, role, as written)
    resources: list[str] = field(default_factory=list)  # scripts and stylesheets (absolute urls)
    canonical: str = ""
    og_url: str = ""
    published: int | None = None
    identifiers: list[tuple[str, str]] = field(default_factory=list)


def _clean_text(raw: str) -> str:
    # Each line's whitespace collapsed (str.split is several times faster than a regex
    # here), runs of line breaks made one blank line.
    lines = raw.replace("\r", "\n").replace("\u200b", "").split("\n")
    return _NEWLINES.sub("\n\n", "\n".join([" ".join(line.split()) for line in lines])).strip()


def _one_line(raw: str) -> str:
    return " ".join(raw.split())


def _srcset(value: str) -> list[str]:
    # "a.jpg 1x, b.jpg 2x": the URL is the first word of each candidate.
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def _resolve(base: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#") or len(href) > 8192:
        return None
    lower = href[:8].lower()
    if lower.startswith(("http://", "https://", "data:")) or not base:
        return href
    return _join(base, href)


@lru_cache(maxsize=65_536)
def _join(base: str, href: str) -> str | None:
    # Menus repeat the same relative links on every page of a site.
    try:
        return urljoin(base, href)
    except ValueError:
        return None


@lru_cache(maxsize=262_144)
def _site_of(canon: str) -> str | None:
    return registered_domain(canon)


def parse_page(html: str, base_url: str = "", max_text: int = MAX_TEXT) -> Page:
    """Title, text, links, images and identifiers of one HTML document.

    Never raises on broken markup (lexbor parses like a browser). ``base_url`` resolves
    relative links; a ``<base href>`` in the page takes precedence.

    >>> page = parse_page("<title>T</title><p>Hi <script>evil()</script><a href='/x'>there</a>",
    ...                   "https://example.org/a/")
    >>> page.title, page.text, page.links
    ('T', 'Hi there', [('https://example.org/x', 'there')])
    """
    from selectolax.lexbor import LexborHTMLParser

    page = Page()
    tree = LexborHTMLParser(html)
    head_meta: dict[str, str] = {}
    for meta in tree.css("meta"):
        attrs = meta.attributes
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip().lower()
        content = (attrs.get("content") or "").strip()
        if key and content and key not in head_meta:
            head_meta[key] = content
    base_tag = tree.css_first("base[href]")
    if base_tag is not None:
        base_url = _resolve(base_url, base_tag.attributes.get("href")) or base_url
    title = tree.css_first("title")
    page.title = (title.text(strip=True) if title is not None else "") or head_meta.get("og:title", "")
    page.title = _one_line(page.title)[:MAX_TITLE]
    root = tree.css_first("html")
    if root is not None:
        page.lang = (root.attributes.get("lang") or "").strip()[:35]
    for link in tree.css("link[rel]"):
        rels = (link.attributes.get("rel") or "").lower().split()
        href = link.attributes.get("href")
        if "canonical" in rels and not page.canonical:
            page.canonical = _resolve(base_url, href) or ""
        if "stylesheet" in rels:
            target = _resolve(base_url, href)
            if target and not target.startswith("data:"):
                page.resources.append(target)
        if "icon" in rels or "apple-touch-icon" in rels:
            target = _resolve(base_url, href)
            if target:
                page.images.append((target, "icon", href.strip()))
    page.og_url = _resolve(base_url, head_meta.get("og:url")) or ""
    if head_meta.get("og:image"):
        target = _resolve(base_url, head_meta["og:image"])
        if target:
            page.images.append((target, "og:image", head_meta["og:image"]))
    for key in _PUBLISHED_META:
        if key in head_meta:
            page.published = to_epoch(head_meta[key])
            if page.published is not None:
                break
    if page.published is None:
        time_tag = tree.css_first("time[datetime]")
        if time_tag is not None:
            page.published = to_epoch(time_tag.attributes.get("datetime") or "")

    for img in tree.css("img, source[srcset]"):
        attrs = img.attributes
        sources = [attrs.get("src"), attrs.get("data-src"), attrs.get("data-original")]
        for attr in ("srcset", "data-srcset"):
            if attrs.get(attr):
                sources.extend(_srcset(attrs[attr]))
        for src in sources:
            target = _resolve(base_url, src)
            if target:
                page.images.append((target, "img", src.strip()))
    for script in tree.css("script[src]"):
        target = _resolve(base_url, script.attributes.get("src"))
        if target and not target.startswith("data:"):
            page.resources.append(target)
    seen_links: set[str] = set()
    for anchor in tree.css("a[href], area[href]"):
        target = _resolve(base_url, anchor.attributes.get("href"))
        if target and target not in seen_links:
            seen_links.add(target)
            page.links.append((target, _one_line(anchor.text())[:MAX_ANCHOR]))

    for node in tree.css(_INVISIBLE_TAGS):
        node.decompose()
    for node in tree.css(_BLOCK_TAGS):
        node.insert_before("\n")
        node.insert_after("\n")
    body = tree.body if tree.body is not None else tree.root
    page.full_text = _clean_text(body.text()) if body is not None else ""
    main = tree.css_first("main")
    main_text = _clean_text(main.text()) if main is not None else ""
    if len(main_text) < MAIN_TEXT_MIN:
        main_text = _clean_text("\n\n".join(a.text() for a in tree.css("article")))
    text = main_text if len(main_text) >= MAIN_TEXT_MIN else page.full_text
    page.text = text[:max_text]
    page.identifiers = extract_identifiers(html, page.full_text)
    return page


# --------------------------------------------------------------------------- statuses


def observation_status(http_status: int | None) -> str:
    """The Observation status for an HTTP status (None: a capture without HTTP, active).

    >>> [observation_status(s) for s in (200, 301, 404, 410, 451, 403, 503, None)]
    ['active', 'active', 'not_found', 'deleted', 'withheld', 'error', 'error', 'active']
    """
    if http_status is None or 200 <= http_status < 400:
        return "active"
    return {404: "not_found", 410: "deleted", 451: "withheld"}.get(http_status, "error")


def _is_home(canon: str) -> bool:
    parts = urlsplit(canon)
    return parts.path in ("", "/") and not parts.query


_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")


def _looks_like_image(mime: str, data: bytes) -> bool:
    if mime.startswith("image/"):
        return True
    return data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _looks_like_html(mime: str, data: bytes) -> bool:
    if mime in HTML_TYPES:
        return True
    if mime and mime not in ("text/plain", "application/octet-stream"):
        return False
    head = data[:1024].lstrip().lower()
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    return head.startswith((b"<!doctype html", b"<html")) or (not mime and b"<html" in head)


# --------------------------------------------------------------------------- the run


class _Run:
    """State of one collect(): nodes met many times, edges already given, images by URL."""

    def __init__(self, path: Path, options: dict):
        self.path = path
        self.source = str(path)
        self.max_payload = int(options.get("max_payload", MAX_PAYLOAD))
        self.max_text = int(options.get("max_text", MAX_TEXT))
        self.max_outlinks = int(options.get("max_outlinks", MAX_OUTLINKS))
        self.max_images = int(options.get("max_images", MAX_IMAGES))
        self.internal_links = bool(options.get("internal_links", False))
        self.ip_identifiers = bool(options.get("ip_identifiers", True))
        self.expansions = options.get("expansions")
        self.acc = Accumulator()
        self.edges: set[str] = set()
        self.images_by_url: dict[str, set[str]] = {}  # canonical image URL -> media uids
        self.wanted_images: list[tuple[str, str, str, int]] = []  # post, image URL, role, time
        self.by_digest: dict[str, tuple[str, str | None]] = {}  # WARC payload digest -> sha256, post
        self.by_record_id: dict[str, tuple[int, str | None]] = {}  # WARC-Record-ID -> offset, sha256

    # ---- helpers

    def edge(self, kind: str, src: str, dst: str, props: dict | None = None) -> list[Edge]:
        record = Edge(kind, src, dst, {k: v for k, v in (props or {}).items() if v is not None})
        if record.uid in self.edges:
            return []
        self.edges.add(record.uid)
        return [record]

    def url(self, raw: str, time: int | None) -> tuple[str | None, str | None, str | None]:
        """Register a Url and its Site (what base.url_records does, with a cached
        registered domain); (canonical, Url uid, Site uid)."""
        canon = canonical_url(raw, self.expansions)
        if canon is None:
            return None, None, None
        uid = url_uid(canon)
        domain = _site_of(canon)
        self.acc.add("Url", uid, {"url": canon, "domain": domain, "original": raw.strip()}, time)
        if domain is None:
            return canon, uid, None
        site = site_uid(domain)
        self.acc.add("Site", site, {"domain": domain}, time)
        return canon, uid, site

    def media(self, data: bytes, url: str | None, mime: str, time: int, where: str) -> tuple[str | None, list[Record]]:
        """A Media node for image bytes; (uid or None, records)."""
        sha = hashlib.sha256(data).hexdigest()
        if mime == "image/svg+xml" or data.lstrip()[:5].lower() in (b"<svg ", b"<?xml"):
            props = {"sha256": sha, "url": url, "mime": "image/svg+xml"}
        else:
            fp = image_fingerprint(data)
            if fp is None:
                detail = f"{url or 'image'}: not a readable image ({mime or 'no type'})"
                return None, [Reject("bad_image", detail, where)]
            props = {**fp, "url": url}
            props["mime"] = props.get("mime") or mime or None
        uid = media_uid(sha)
        self.acc.add("Media", uid, props, time)
        return uid, []

    def observation(self, url_uid_: str, time: int, status: int | None, *, site: str | None,
                    canon: str, post: str | None = None, final_url: str | None = None,
                    content_sha256: str | None = None, offset: int | None = None,
                    source: str = "warc", moved: bool = False) -> list[Record]:
        uid = observation_uid(url_uid_, time, source)
        props = {"entity": url_uid_, "platform": "web", "status": "moved" if moved else observation_status(status),
                 "observed_at": time, "http_status": status, "final_url": final_url,
                 "content_sha256": content_sha256, "source": source,
                 "first_seen": time, "last_seen": time}
        if source == "warc":
            props.update(warc_file=self.source, warc_offset=offset)
        out: list[Record] = [Node("Observation", uid, {k: v for k, v in props.items() if v is not None})]
        out += self.edge("OBSERVED", uid, url_uid_, {"time": time})
        if post:
            out += self.edge("OBSERVED", uid, post, {"time": time})
        if site and _is_home(canon):
            out += self.edge("OBSERVED", uid, site, {"time": time})
        return out

    def page(self, page: Page, *, canon: str, original: str, site: str | None, time: int,
             extra: dict, ip: str | None = None, local_dir: Path | None = None,
             where: str = "") -> tuple[str, list[Record]]:
        """The Post of one HTML page and everything hanging off it; (post uid, records)."""
        post = post_uid("web", canon)
        props = {"platform": "web", "post_id": canon, "url": original, "title": page.title or None,
                 "lang": page.lang or None, "text": page.text,
                 "text_hash": text_hash(page.text) if page.text else None,
                 "text_minhash": text_minhash(page.text) or None,
                 "created_at": extra.pop("created_at", time), "first_seen": time, "last_seen": time,
                 "source_file": self.source, **extra}
        out: list[Record] = [Node("Post", post, {k: v for k, v in props.items() if v is not None})]
        domain = site[len("site:"):] if site else None
        if site:
            out += self.edge("ON_SITE", post, site)
            if _is_home(canon) and page.title:
                self.acc.add("Site", site, {"domain": domain, "title": page.title}, time)
        # Outlinks
        count = 0
        for target, anchor in page.links:
            if count >= self.max_outlinks:
                break
            if target.startswith("data:"):
                continue
            link_canon = canonical_url(target, self.expansions)
            if link_canon is None or link_canon == canon:
                continue
            if not self.internal_links and domain and _site_of(link_canon) == domain:
                continue
            _, link_uid, _ = self.url(target, time)
            if link_uid is None:
                continue
            count += 1
            out += self.edge("LINKS_TO", post, link_uid, {"time": time, "anchor": anchor or None})
        # Identifiers
        identifiers = list(page.identifiers)
        if ip and self.ip_identifiers:
            identifiers.append(("ip", ip))
        for id_type, value in identifiers:
            ident = identifier_uid(id_type, value)
            self.acc.add("Identifier", ident, {"id_type": id_type, "value": value}, time)
            if not (id_type == "ip"):
                out += self.edge("USES", post, ident, {"time": time})
            if site:
                out += self.edge("USES", site, ident, {"time": time})
        # Images: inline data: URIs and local files now, captured URLs at the end
        seen: set[str] = set()
        for target, role, written in page.images:
            if target in seen or len(seen) >= self.max_images:
                continue
            seen.add(target)
            if target[:5].lower() == "data:":
                data, mime = _data_uri(target)
                if data is None:
                    continue
                uid, rejects = self.media(data, None, mime, time, where)
                out += rejects
                if uid:
                    out += self.edge("HAS_MEDIA", post, uid, {"time": time, "role": role})
                continue
            if local_dir is not None:
                # A saved page refers to its images by relative paths ("Page_files/x.jpg").
                out += self._local_image(post, written, role, time, local_dir, where)
                continue
            image_canon = canonical_url(target, self.expansions)
            if image_canon:
                self.wanted_images.append((post, image_canon, role, time))
        return post, out

    def _local_image(self, post: str, target: str, role: str, time: int, local_dir: Path,
                     where: str) -> list[Record]:
        local = _local_file(target, local_dir)
        if local is None:
            return []
        try:
            size = local.stat().st_size
            if size > self.max_payload:
                return [Reject("payload_too_large", f"{local}: {size} bytes", where)]
            data = local.read_bytes()
        except OSError:
            return []
        uid, out = self.media(data, local.resolve().as_uri(), _mime_of_name(local.name), time, where)
        if uid:
            out += self.edge("HAS_MEDIA", post, uid, {"time": time, "role": role})
        return out

    def finish(self) -> Iterator[Record]:
        """HAS_MEDIA for captured images, then every accumulated node and ON_SITE edge."""
        for post, image_canon, role, time in self.wanted_images:
            for media in sorted(self.images_by_url.get(image_canon, ())):
                yield from self.edge("HAS_MEDIA", post, media, {"time": time, "role": role})
        self.wanted_images = []
        for record in site_edges(self.acc):
            yield from self.edge(record.kind, record.src, record.dst)
        yield from self.acc.drain()


def _data_uri(uri: str) -> tuple[bytes | None, str]:
    header, _, payload = uri.partition(",")
    mime = header[5:].split(";")[0].strip().lower()
    if not mime.startswith("image/") or len(payload) > MAX_DATA_URI * 4 // 3 + 4:
        return None, mime
    try:
        if ";base64" in header.lower():
            return base64.b64decode(payload, validate=False), mime
        return unquote(payload).encode("utf-8"), mime
    except (binascii.Error, ValueError):
        return None, mime


def _local_file(target: str, local_dir: Path) -> Path | None:
    """A page's image saved next to it (``Page_files/x.jpg``), only inside its folder."""
    parts = urlsplit(target)
    if parts.scheme not in ("", "file"):
        return None
    try:
        candidate = Path(unquote(parts.path))
        if not candidate.is_absolute():
            candidate = local_dir / candidate
        resolved = candidate.resolve()
        root = local_dir.resolve()
        if root not in resolved.parents or not resolved.is_file():
            return None
    except (OSError, ValueError):
        return None
    return resolved


_MIME_BY_SUFFIX = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
                   ".webp": "image/webp", ".svg": "image/svg+xml", ".ico": "image/x-icon",
                   ".bmp": "image/bmp", ".avif": "image/avif"}


def _mime_of_name(file_name: str) -> str:
    return _MIME_BY_SUFFIX.get(os.path.splitext(file_name)[1].lower(), "")


# --------------------------------------------------------------------------- WARC


def _warc_iterator_class():
    from warcio.archiveiterator import ArchiveIterator

    class _Iterator(ArchiveIterator):
        """Remembers whether the gzip stream ended cleanly before warcio closes it."""

        gzip_incomplete = False

        def close(self):
            self.gzip_incomplete = _gzip_incomplete(self)
            super().close()

    return _Iterator


def _gzip_incomplete(iterator) -> bool:
    reader = getattr(iterator, "reader", None)
    decompressor = getattr(reader, "decompressor", None) if reader is not None else None
    return bool(decompressor is not None and not getattr(decompressor, "eof", True))


def _read_payload(record, limit: int) -> tuple[bytes, str, int]:
    """The first ``limit`` bytes of the decoded payload, the sha256 of all of it, its size."""
    digest = hashlib.sha256()
    kept: list[bytes] = []
    kept_size = total = 0
    stream = record.content_stream()
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        digest.update(chunk)
        total += len(chunk)
        if kept_size < limit:
            piece = chunk[: limit - kept_size]
            kept.append(piece)
            kept_size += len(piece)
    return b"".join(kept), digest.hexdigest(), total


def _status_of(record) -> int | None:
    if record.http_headers is None:
        return None
    try:
        code = int(record.http_headers.get_statuscode())
    except (TypeError, ValueError):
        return None
    return code if 100 <= code <= 999 else None


def _ip_of(record) -> str | None:
    raw = record.rec_headers.get_header("WARC-IP-Address")
    if not raw:
        return None
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def _target_uri(record) -> str:
    uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
    return uri[1:-1] if uri.startswith("<") and uri.endswith(">") else uri  # WARC 1.0 draft style


def _collect_warc(path: Path, run: _Run) -> Iterator[Record]:
    iterator_class = _warc_iterator_class()
    gz = _raw_head(path, 2) == _GZIP_MAGIC
    size = path.stat().st_size
    truncated_reason = "truncated_gzip" if gz else "truncated_warc"
    with open(path, "rb") as handle:
        iterator = iterator_class(handle)
        last_offset = 0
        try:
            for record in iterator:
                records, short, last_offset = _warc_record(record, iterator, run, last_offset)
                if short:
                    # The file ends inside this record: what it holds is incomplete.
                    yield Reject(truncated_reason, f"the file ends inside the record at offset {last_offset}",
                                 f"{run.source}@{last_offset}")
                    return
                yield from records
        except Exception as exc:  # warcio raises many kinds on damaged input
            incomplete = gz and _gzip_incomplete(iterator)
            reason = truncated_reason if incomplete else "bad_warc"
            yield Reject(reason, f"unreadable after offset {last_offset}: {type(exc).__name__}: {exc}"[:500],
                         f"{run.source}@{last_offset}")
            return
        if iterator.gzip_incomplete or iterator.offset < size:
            yield Reject(truncated_reason, f"the file ends mid-record after offset {iterator.offset} "
                                           f"of {size} bytes", f"{run.source}@{iterator.offset}")


def _warc_record(record, iterator, run: _Run, last_offset: int) -> tuple[list[Record], bool, int]:
    """Records for one WARC record; (records, file ends inside it, its offset)."""
    rec_type = record.rec_type
    if rec_type in ("response", "resource", "metadata"):
        try:
            limit = MAX_METADATA if rec_type == "metadata" else run.max_payload
            data, sha, total = _read_payload(record, limit)
            error = None
        except Exception as exc:  # a broken chunked or gzip body
            data, sha, total, error = b"", "", 0, exc
    else:
        data, sha, total, error = b"", "", 0, None
    offset = iterator.get_record_offset()  # only after the payload was read (it reads to the end)
    if record.raw_stream.limit > 0:
        return [], True, offset
    where = f"{run.source}@{offset}"
    if rec_type in SKIPPED_RECORDS or rec_type not in ("response", "resource", "revisit", "metadata"):
        return [], False, offset
    if error is not None:
        return [Reject("bad_record", f"{type(error).__name__}: {error}"[:500], where)], False, offset
    try:
        if rec_type == "metadata":
            return _warc_outcome(record, run, data, offset, where), False, offset
        return _warc_content(record, run, data, sha, total, offset, where), False, offset
    except Exception as exc:  # one odd record must not stop the file
        return [Reject("bad_record", f"{type(exc).__name__}: {exc}"[:500], where)], False, offset


def _warc_content(record, run: _Run, data: bytes, sha: str, total: int, offset: int,
                  where: str) -> list[Record]:
    original = _target_uri(record)
    if not original.lower().startswith(("http://", "https://")):
        return []  # dns:, urn:, about: … records are not web pages
    time = to_epoch(record.rec_headers.get_header("WARC-Date"))
    if time is None:
        return [Reject("bad_date", f"no usable WARC-Date for {original}", where)]
    canon, url_id, site = run.url(original, time)
    if canon is None:
        return [Reject("bad_url", f"not a usable URL: {original[:200]}", where)]
    status = _status_of(record)
    headers = record.http_headers
    if headers is not None:
        content_type = headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    mime = content_type.split(";")[0].strip().lower()
    out: list[Record] = []

    if record.rec_type == "revisit":
        digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
        earlier_sha, post = run.by_digest.get(digest, (None, None))
        refers = canonical_url(record.rec_headers.get_header("WARC-Refers-To-Target-URI") or original)
        if post and refers == canon:
            out.append(Node("Post", post, {"last_seen": time}))
        else:
            post = None
        return out + run.observation(url_id, time, status, site=site, canon=canon, post=post,
                                     content_sha256=earlier_sha, offset=offset)

    truncated = total > len(data)
    if truncated:
        out.append(Reject("payload_too_large", f"{original[:200]}: {total} bytes, parsed the first {len(data)}",
                          where))
    cut = record.rec_headers.get_header("WARC-Truncated")
    if cut:
        # The capturing tool stopped reading the body (size, time): what is here is a prefix.
        out.append(Reject("truncated_at_capture", f"{original[:200]}: WARC-Truncated {cut}", where))
    record_id = record.rec_headers.get_header("WARC-Record-ID")
    final_url = None
    moved = False
    post = None
    if status is not None and 300 <= status < 400 and status != 304 and headers is not None:
        location = headers.get_header("Location")
        if location:
            target = _resolve(original, location)
            if target:
                final_canon, final_uid, _ = run.url(target, time)
                if final_uid and final_uid != url_id:
                    final_url = final_canon
                    moved = _site_of(final_canon) != _site_of(canon)
                    out += run.edge("LINKS_TO", url_id, final_uid, {"time": time, "anchor": f"redirect {status}"})
    ok = status is None or 200 <= status < 300
    digest = record.rec_headers.get_header("WARC-Payload-Digest")
    if ok and data and _looks_like_html(mime, data):
        html, _ = decode_html(data, charset_of(content_type))
        page = parse_page(html, original, run.max_text)
        extra = {"http_status": status, "content_sha256": sha, "warc_file": run.source, "warc_offset": offset}
        post, records = run.page(page, canon=canon, original=original, site=site, time=time, extra=extra,
                                 ip=_ip_of(record), where=where)
        out += records
    elif ok and data and _looks_like_image(mime, data):
        if truncated:
            pass  # already rejected: an image cut short is not fingerprinted
        else:
            media, records = run.media(data, canon, mime, time, where)
            out += records
            if media:
                run.images_by_url.setdefault(canon, set()).add(media)
    if digest and sha:
        run.by_digest[digest] = (sha, post)
    if record_id:
        run.by_record_id[record_id] = (offset, sha or None)
    out += run.observation(url_id, time, status, site=site, canon=canon, post=post, final_url=final_url,
                           content_sha256=sha or None, offset=offset, moved=moved)
    return out


OUTCOME_FIELD_PREFIX = "graphinv-"


def read_outcome_fields(payload: bytes) -> dict[str, str]:
    r"""The ``graphinv-`` fields of a metadata record's payload, prefix removed.

    >>> read_outcome_fields(b"graphinv-outcome: not_found\r\nother: x\r\n")
    {'outcome': 'not_found'}
    """
    out = {}
    for line in payload.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key.startswith(OUTCOME_FIELD_PREFIX):
            out[key[len(OUTCOME_FIELD_PREFIX):]] = value.strip()
    return out


def _warc_outcome(record, run: _Run, data: bytes, offset: int, where: str) -> list[Record]:
    """A graphinv ``metadata`` record (a fetch that failed, a watch check) as an Observation;
    other metadata records carry nothing the graph holds."""
    content_type = (record.rec_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/warc-fields":
        return []
    fields = read_outcome_fields(data)
    if "outcome" not in fields:
        return []
    original = _target_uri(record)
    time = to_epoch(record.rec_headers.get_header("WARC-Date"))
    if time is None:
        return [Reject("bad_date", f"no usable WARC-Date for {original}", where)]
    status = fields["outcome"]
    if status not in OUTCOME_STATUSES:
        return [Reject("bad_status", f"outcome {status[:40]!r} for {original[:200]}", where)]
    canon, url_id, site = run.url(original, time)
    entity = fields.get("entity") or url_id
    if entity is None:
        return [Reject("bad_url", f"not a usable URL: {original[:200]}", where)]
    try:
        kind_of(entity)
    except ValueError:
        return [Reject("bad_record", f"entity {entity[:200]!r} has no known kind", where)]
    source = fields.get("source") or "fetch"
    evidence_offset, sha = run.by_record_id.get(fields.get("response-record", ""), (offset, None))
    final = fields.get("final-url")
    try:
        http_status = int(fields["http-status"]) if fields.get("http-status") else None
    except ValueError:
        http_status = None
    # Two checks in one second must stay two observations: the record id tells them apart.
    record_id = (record.rec_headers.get_header("WARC-Record-ID") or "").strip("<>").rsplit(":", 1)[-1]
    uid = observation_uid(entity, time, f"{source}-{record_id[:8]}" if record_id else source)
    props = {"entity": entity, "platform": fields.get("platform") or "web", "status": status,
             "observed_at": time, "http_status": http_status,
             "final_url": canonical_url(final) if final else None, "content_sha256": sha,
             "source": source, "warc_file": run.source, "warc_offset": evidence_offset,
             "detail": fields.get("detail") or None, "change": fields.get("change") or None,
             "fingerprint": fields.get("fingerprint") or None,
             "redirects": fields["redirects"].split() if fields.get("redirects") else None,
             "first_seen": time, "last_seen": time}
    out: list[Record] = [Node("Observation", uid, {k: v for k, v in props.items() if v is not None})]
    out += run.edge("OBSERVED", uid, entity, {"time": time})
    if source == "watch":
        # The watchlist is in the captures too: ingesting them elsewhere rebuilds it.
        watch = watch_uid(entity)
        out.append(Node("Watch", watch, {"entity": entity, "url": original, "added_at": time,
                                         "first_seen": time, "last_seen": time}))
        out += run.edge("WATCHES", watch, entity, {"time": time})
    return out


# --------------------------------------------------------------------------- saved HTML

_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)\s*(\S+?)\s*-->", re.IGNORECASE)
_SINGLEFILE = re.compile(r"<!--\s*Page saved with SingleFile\s*(.*?)-->", re.IGNORECASE | re.DOTALL)
_SF_FIELD = re.compile(r"^\s*(url|saved date)\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


def _singlefile_date(value: str) -> int | None:
    """SingleFile writes JavaScript's Date.toString(): "Mon Jan 15 2024 10:00:00 GMT+0100 (CET)"."""
    value = re.sub(r"\s*\(.*\)\s*$", "", value.strip())
    try:
        return int(datetime.strptime(value, "%a %b %d %Y %H:%M:%S GMT%z").timestamp())
    except ValueError:
        return to_epoch(value)


def _collect_html(path: Path, run: _Run) -> Iterator[Record]:
    where = run.source
    try:
        stat = path.stat()
        with open(path, "rb") as handle:
            data = handle.read(run.max_payload)
            more = handle.read(1)
    except OSError as exc:
        yield Reject("unreadable_file", f"{type(exc).__name__}: {exc}", where)
        return
    digest = hashlib.sha256(data)
    if more:
        yield Reject("payload_too_large", f"{stat.st_size} bytes, parsed the first {len(data)}", where)
        with open(path, "rb") as handle:
            handle.seek(len(data))
            for block in iter(lambda: handle.read(_CHUNK), b""):
                digest.update(block)
    html, _ = decode_html(data)
    head = html[:20_000]
    saved_url, saved_time = None, None
    singlefile = _SINGLEFILE.search(head)
    if singlefile:
        fields = {k.lower(): v for k, v in _SF_FIELD.findall(singlefile.group(1))}
        saved_url = fields.get("url")
        if fields.get("saved date"):
            saved_time = _singlefile_date(fields["saved date"])
    if not saved_url:
        saved = _SAVED_FROM.search(head)
        if saved:
            saved_url = saved.group(1)
    file_uri = path.resolve().as_uri()
    page = parse_page(html, saved_url or "", run.max_text)
    original = next((u for u in (saved_url, page.canonical, page.og_url)
                     if u and canonical_url(u, run.expansions)), None)
    time = saved_time if saved_time is not None else to_epoch(stat.st_mtime)
    if time is None:
        yield Reject("bad_date", "neither a saved date nor a usable file time", where)
        return
    if original is None:
        canon, url_id, site, original = file_uri, None, None, file_uri
    else:
        if saved_url is None:  # links were resolved against nothing: redo with the page URL
            page = parse_page(html, original, run.max_text)
        canon, url_id, site = run.url(original, time)
    extra = {"content_sha256": digest.hexdigest(), "created_at": page.published or time}
    post, records = run.page(page, canon=canon, original=original, site=site, time=time, extra=extra,
                             local_dir=path.parent, where=where)
    yield from records
    if url_id is not None and saved_time is not None:
        yield from run.observation(url_id, saved_time, None, site=site, canon=canon, post=post,
                                   content_sha256=digest.hexdigest(), source="html")


# --------------------------------------------------------------------------- entry point


def collect(path, **options) -> Iterator[Record]:
    """Records of one WARC / WARC.gz file or saved HTML page (see the module docstring)."""
    path = Path(path)
    run = _Run(path, options)
    lower = path.name.lower()
    if lower.endswith(HTML_SUFFIXES):
        yield from _collect_html(path, run)
    else:
        try:
            yield from _collect_warc(path, run)
        except OSError as exc:
            yield Reject("unreadable_file", f"{type(exc).__name__}: {exc}", run.source)
    yield from run.finish()
