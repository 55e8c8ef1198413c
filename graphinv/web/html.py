"""HTML as captured: decode the bytes, parse the page, extract what it says.

Shared by the web collector (``collectors/web.py``, pages inside WARC files and saved
pages) and live capture (``graphinv/capture``: the crawler and the watch run), so that a
page reads the same whichever way it arrived.

Decoding (:func:`decode_html`): a byte-order mark, then the charset of the HTTP
``Content-Type``, then a ``<meta charset>`` / ``http-equiv`` declaration in the first
4 kB, then strict UTF-8, then charset-normalizer's guess, then windows-1252. A declared
charset that does not decode the bytes is passed over. ``iso-8859-1``, ``latin1`` and
``ascii`` are read as windows-1252, as browsers do.

Extraction (:func:`parse_page`): scripts, styles, ``<noscript>``, ``<template>`` and
inline SVG are removed; block elements become line breaks; whitespace is collapsed. When
the page has a ``<main>`` or ``<article>`` element with at least 200 characters of text,
``text`` is that text (an article republished on a new site under a new template then
hashes the same); otherwise the whole body. Tracking IDs, wallets and e-mails are looked
for in the whole page (:func:`graphinv.fingerprint.extract_identifiers`).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from ..fingerprint import extract_identifiers
from ..normalize import to_epoch

MAX_TEXT = 20_000
MAX_TITLE = 1000
MAX_ANCHOR = 200
MAX_DATA_URI = 5 * 1024 * 1024
MAIN_TEXT_MIN = 200
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

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
    flattened: int = 0  # tags dropped for nesting deeper than MAX_DEPTH (see flatten_deep)


# Blink's HTML parser nests no deeper than 512 elements (kMaximumHTMLParserDOMTreeDepth);
# lexbor has no such cap and its time grows with the square of the depth (32k nested
# tags: seconds; 1M: hours). Deeper tags are dropped before parsing, their text kept.
MAX_DEPTH = 512
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")
# Elements that never hold others (void) or that the parser closes when the next one
# opens (p, li, td…): they cannot build depth, so they are not counted.
_FLAT_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr p li dt dd option "
                       "optgroup tr td th rp rt".split())


def flatten_deep(html: str, limit: int = MAX_DEPTH) -> tuple[str, int]:
    """``html`` without the start and end tags nested deeper than ``limit`` (the text
    between them stays), and how many tags were dropped. A page with fewer tags than
    ``limit`` is returned as it is without a scan.

    >>> flatten_deep("<div><div><div>x</div></div></div>", limit=2)
    ('<div><div>x</div></div>', 2)
    >>> flatten_deep("<p>one<p>two<br><img src=a>", limit=1)
    ('<p>one<p>two<br><img src=a>', 0)
    """
    if html.count("<") <= limit:
        return html, 0
    depth, pieces, kept_from, dropped = 0, [], 0, 0
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if name in _FLAT_TAGS:
            continue
        if closing:
            deep = depth > limit
            depth = max(0, depth - 1)
        else:
            depth += 1
            deep = depth > limit
        if deep:
            end = html.find(">", match.end())
            end = len(html) if end < 0 else end + 1
            pieces.append(html[kept_from:match.start()])
            kept_from, dropped = end, dropped + 1
    if not dropped:
        return html, 0
    pieces.append(html[kept_from:])
    return "".join(pieces), dropped


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


def resolve_link(base: str, href: str | None) -> str | None:
    """``href`` made absolute against ``base``; None for an empty link or a fragment.

    >>> resolve_link("https://example.org/a/b", "../c"), resolve_link("https://example.org/", "#top")
    ('https://example.org/c', None)
    """
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
    html, page.flattened = flatten_deep(html)
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
        base_url = resolve_link(base_url, base_tag.attributes.get("href")) or base_url
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
            page.canonical = resolve_link(base_url, href) or ""
        if "stylesheet" in rels:
            target = resolve_link(base_url, href)
            if target and not target.startswith("data:"):
                page.resources.append(target)
        if "icon" in rels or "apple-touch-icon" in rels:
            target = resolve_link(base_url, href)
            if target:
                page.images.append((target, "icon", href.strip()))
    page.og_url = resolve_link(base_url, head_meta.get("og:url")) or ""
    if head_meta.get("og:image"):
        target = resolve_link(base_url, head_meta["og:image"])
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
            target = resolve_link(base_url, src)
            if target:
                page.images.append((target, "img", src.strip()))
    for script in tree.css("script[src]"):
        target = resolve_link(base_url, script.attributes.get("src"))
        if target and not target.startswith("data:"):
            page.resources.append(target)
    seen_links: set[str] = set()
    for anchor in tree.css("a[href], area[href]"):
        target = resolve_link(base_url, anchor.attributes.get("href"))
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


# --------------------------------------------------------------------------- content sniffing

_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")


def looks_like_image(mime: str, data: bytes) -> bool:
    """An ``image/*`` type, or the magic bytes of a common image format."""
    if mime.startswith("image/"):
        return True
    return data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def looks_like_html(mime: str, data: bytes) -> bool:
    """An HTML type, or markup at the start of an untyped / text/plain body.

    >>> looks_like_html("", b"<!DOCTYPE html><p>"), looks_like_html("application/json", b"<html>")
    (True, False)
    """
    if mime in HTML_TYPES:
        return True
    if mime and mime not in ("text/plain", "application/octet-stream"):
        return False
    head = data[:1024].lstrip().lower()
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    return head.startswith((b"<!doctype html", b"<html")) or (not mime and b"<html" in head)


def decode_data_uri(uri: str) -> tuple[bytes | None, str]:
    """(bytes, mime) of a ``data:image/…`` URI; bytes is None for another type, a URI
    over ``MAX_DATA_URI`` or a bad encoding."""
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


# --------------------------------------------------------------------------- saved pages

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


def saved_origin(html: str) -> tuple[str | None, int | None]:
    """(URL the page was fetched from, time it was saved) from the comments SingleFile
    or a browser's "Save page as" leave at the top of a saved page; None when absent.

    >>> saved_origin("<!-- saved from url=(0023)https://example.org/ --><html>")
    ('https://example.org/', None)
    """
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
    return saved_url, saved_time


def saved_resource(target: str, local_dir: Path) -> Path | None:
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


MIME_BY_SUFFIX = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
                  ".webp": "image/webp", ".svg": "image/svg+xml", ".ico": "image/x-icon",
                  ".bmp": "image/bmp", ".avif": "image/avif"}


def mime_of_name(file_name: str) -> str:
    """The image type a file name's suffix says ("" when unknown).

    >>> mime_of_name("Page_files/logo.PNG")
    'image/png'
    """
    return MIME_BY_SUFFIX.get(os.path.splitext(file_name)[1].lower(), "")
