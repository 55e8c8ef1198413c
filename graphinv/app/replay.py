"""The captured thing itself: a capture's bytes, cut out of its file again and served
so that nothing in them can act.

``/replay/<capture uid>`` answers with what the capture holds: a WARC response's HTTP
payload (a page, an image), a saved page, or the text of a JSONL line, Telegram message
or CSV row. Every answer carries ``Content-Security-Policy: sandbox`` with
``default-src 'none'``: a captured page runs no script, submits no form, loads nothing
from the network and cannot reach the app (it gets an opaque origin); the app frames it
with ``sandbox=""`` as well. Images of a page that the same store captured are put in
the page as ``data:`` URIs (a sandboxed frame's requests to the app would come from an
opaque origin, which the app's Cross-Origin-Resource-Policy refuses); others do not load.
Links in a replayed page do nothing (``<base target="_blank">`` in a frame that may not
open windows). Rewriting is for display only: the sandbox is the protection.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, field

from ..normalize import canonical_url
from ..web.html import charset_of, decode_html, looks_like_html, looks_like_image, resolve_link

REPLAY_CSP = ("sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
              "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")
SAFE_IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/x-icon",
               "image/vnd.microsoft.icon", "image/avif"}
MAX_INLINED = 8 * 1024 * 1024  # image bytes put into one replayed page
MAX_IMAGES = 60

_SCRIPT = re.compile(rb"<script\b.*?(</script\s*>|$)", re.I | re.S)
_REFRESH = re.compile(rb"<meta\b[^>]*http-equiv\s*=\s*[\"']?refresh[^>]*>", re.I)
_BASE = re.compile(rb"<base\b[^>]*>", re.I)
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = re.compile(r"""\s(src|srcset)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)


@dataclass
class Payload:
    """What a capture holds, ready to show: its bytes, their type, and for a WARC
    record its type, URL, HTTP status and headers."""

    body: bytes
    mime: str
    record_type: str | None = None
    url: str | None = None
    http_status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_html(self) -> bool:
        return looks_like_html(self.mime, self.body)

    @property
    def is_image(self) -> bool:
        return looks_like_image(self.mime, self.body) and not self.mime.endswith("svg+xml")


def payload(row: dict, data: bytes) -> Payload:
    """The content of a capture ``row`` whose bytes are ``data``: a WARC record is
    parsed (warcio) for its HTTP payload; a saved page is HTML; a line or row is text."""
    if str(row.get("format") or "").startswith("warc"):  # warc, warc-gunzipped
        return _warc_payload(data)
    if row.get("format") == "html":
        return Payload(data, "text/html")
    return Payload(data, "text/plain")


def _warc_payload(data: bytes) -> Payload:
    from warcio.archiveiterator import ArchiveIterator

    record = next(iter(ArchiveIterator(io.BytesIO(data))), None)
    if record is None:
        return Payload(b"", "text/plain")
    headers = record.http_headers.headers if record.http_headers is not None else []
    mime = ((record.http_headers.get_header("Content-Type") if record.http_headers is not None else None)
            or record.rec_headers.get_header("Content-Type") or "application/octet-stream")
    status = None
    if record.http_headers is not None:
        try:
            status = int(record.http_headers.get_statuscode())
        except (TypeError, ValueError):
            status = None
    body = record.content_stream().read()
    return Payload(body, mime.split(";")[0].strip().lower(), record.rec_type,
                   record.rec_headers.get_header("WARC-Target-URI"), status, [(k, v) for k, v in headers]) \
        if body is not None else Payload(b"", "text/plain")


def page_html(content: Payload, base_url: str | None, images: dict[str, bytes]) -> str:
    """A captured page made fit to show in the sandbox: scripts, refreshes and base
    removed, links inert, images the store captured inlined (``images``: canonical
    URL → image bytes), other image sources dropped."""
    raw = _SCRIPT.sub(b"", content.body)
    raw = _REFRESH.sub(b"", raw)
    raw = _BASE.sub(b"", raw)
    text, _ = decode_html(raw, charset_of(dict((k.lower(), v) for k, v in content.headers).get("content-type")))
    budget = [MAX_INLINED]

    def image(match: re.Match) -> str:
        tag = match.group(0)
        src = next((m.group(2).strip("\"'") for m in _ATTR.finditer(tag) if m.group(1).lower() == "src"), None)
        found = images.get(image_key(base_url, src)) if src else None
        tag = _ATTR.sub("", tag)
        if found is None or len(found) > budget[0]:
            return tag
        budget[0] -= len(found)
        uri = f"data:{_image_mime(found)};base64,{base64.b64encode(found).decode('ascii')}"
        return tag[:4] + f' src="{uri}"' + tag[4:]

    text = _IMG.sub(image, text)
    inert = '<base target="_blank"><meta charset="utf-8">'
    head = _HEAD.search(text)
    return text[:head.end()] + inert + text[head.end():] if head else inert + text


def image_sources(content: Payload, base_url: str | None) -> list[str]:
    """The canonical URLs of the page's ``<img src>`` (at most ``MAX_IMAGES``)."""
    text = content.body.decode("utf-8", "replace")
    found = []
    for tag in _IMG.findall(text):
        for match in _ATTR.finditer(tag):
            if match.group(1).lower() == "src":
                key = image_key(base_url, match.group(2).strip("\"'"))
                if key and key not in found:
                    found.append(key)
    return found[:MAX_IMAGES]


def image_key(base_url: str | None, src: str | None) -> str | None:
    """How an image URL is matched to a capture: resolved against the page, canonical.

    >>> image_key("https://www.a.example/p/", "../img/x.jpg?utm_source=y")
    'https://a.example/img/x.jpg'
    """
    if not src or src.startswith("data:"):
        return None
    absolute = resolve_link(base_url or "", src) if base_url else src
    return canonical_url(absolute) if absolute else None


def _image_mime(data: bytes) -> str:
    for magic, mime in ((b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
                        (b"BM", "image/bmp")):
        if data.startswith(magic):
            return mime
    return "image/webp" if data[:4] == b"RIFF" and data[8:12] == b"WEBP" else "application/octet-stream"


def register(app, ctx) -> None:
    """The ``/replay/<capture uid>`` route on the app's Flask server."""
    from flask import Response

    from . import entity_data

    @app.server.route("/replay/<path:uid>")
    def replay(uid: str):
        row = entity_data.capture(ctx.store, uid)
        if row is None:
            return _answer(f"graphinv: no capture {uid[:200]} in this store\n".encode(), "text/plain", 404)
        data = entity_data.capture_bytes(ctx.store, row)
        if data is None:
            return _answer(f"graphinv: the file of this capture is not where the store says "
                           f"({row.get('source_file')})\n".encode(), "text/plain", 404)
        try:
            content = payload(row, data)
        except Exception as exc:  # noqa: BLE001 - a damaged record is shown as such, not raised
            return _answer(f"graphinv: this capture could not be read: {exc}\n".encode(), "text/plain", 422)
        if content.is_image:
            mime = content.mime if content.mime in SAFE_IMAGES else _image_mime(content.body)
            return _answer(content.body, mime)
        if content.is_html:
            base = content.url or row.get("capture_url")
            images = _captured_images(ctx.store, image_sources(content, base))
            return _answer(page_html(content, base, images).encode("utf-8"), "text/html")
        return _answer(content.body, "text/plain")

    def _answer(body: bytes, mime: str, status: int = 200) -> Response:
        charset = "; charset=utf-8" if mime.startswith("text/") else ""
        return Response(body, status, {
            "Content-Type": mime + charset, "Content-Security-Policy": REPLAY_CSP,
            "X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=300", "Content-Disposition": "inline"})


def _captured_images(store, keys: list[str]) -> dict[str, bytes]:
    """Image bytes the store captured, by canonical URL (the newest capture of each)."""
    from . import entity_data

    if not keys:
        return {}
    # One spelling at a time (UNWIND), as the app's other long-list reads: `IN $list`
    # scans the whole table on the embedded store.
    found = store.query("UNWIND $urls AS wanted MATCH (c:Capture) WHERE c.url = wanted "
                        "AND c.format STARTS WITH 'warc' RETURN c.uid AS uid, c.captured_at AS t ORDER BY t DESC",
                        {"urls": _spellings(keys)})
    images: dict[str, bytes] = {}
    for uid in found["uid"].tolist() if not found.empty else []:
        row = entity_data.capture(store, uid)
        data = entity_data.capture_bytes(store, row) if row else None
        if data is None:
            continue
        content = _warc_payload(data)
        key = canonical_url(content.url or "") if content.url else None
        if key and key not in images and content.is_image:
            images[key] = content.body
    return images


def _spellings(keys: list[str]) -> list[str]:
    """The spellings a capture's URL may have for each canonical URL (www., a slash)."""
    out = []
    for key in keys:
        for url in (key, key.replace("://", "://www.", 1)):
            out += [url, url + "/"] if not url.endswith("/") else [url, url.rstrip("/")]
    return list(dict.fromkeys(out))
