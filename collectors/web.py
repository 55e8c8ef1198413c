"""Web captures: WARC / WARC.gz files and saved HTML pages.

(Near 700 lines: about 140 of them are this description of every record it
yields; the parsing itself lives in :mod:`graphinv.web`.)

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
  ``error``. A 2xx page of X/Twitter or Telegram that says its item is gone ("This
  Post was deleted by the Post author", a t.me card without its message: the
  ``removal_notices`` of ``graphinv/vocabulary.yaml``) takes that status, with the
  wording in ``detail``. A ``resource`` record (no HTTP headers) is ``active`` without
  ``http_status``. A record with ``WARC-Truncated`` (the capturing tool stopped
  reading the body) is read as it is and counted as ``Reject("truncated_at_capture")``.

A 2xx HTML response (``text/html``, ``application/xhtml+xml``, or no type and markup
inside) also becomes:

- a **Post** ``post_uid("web", canonical URL)``, platform ``web``, with ``post_id``
  (the canonical URL), ``url`` (the URL as captured), ``title``, ``lang``, ``text``,
  ``text_hash``, ``text_minhash``, ``created_at`` = ``first_seen`` = ``last_seen`` =
  WARC-Date, ``http_status`` and ``content_sha256`` (sha256 of the HTTP payload after
  transfer- and content-decoding: the bytes a browser renders); ``Post -ON_SITE-> Site``;
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

Text is the ``<main>`` or ``<article>`` text when there is enough of it, else the whole
body (see :mod:`graphinv.web.html`, which decodes and parses pages; reading the WARC
file is :mod:`graphinv.web.warc`'s). ``text`` is capped at ``max_text`` characters
(default 20,000); ``text_hash`` and ``text_minhash`` are of the capped text.

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

Every record that yields something is also a **Capture** (its offset and length in the
file, for a ``.warc.gz`` its gzip member, and the sha256 of those bytes; WARC-Date,
WARC-Target-URI, WARC-Record-ID, the payload's sha256) linked by CAPTURES to the Post,
Observation, Media or Watch it made: a page captured in March and again in April has
two captures, each verifiable on its own.

Other records: ``revisit`` records (a later capture with the same payload) give the
Url and an Observation whose ``content_sha256`` comes from the original capture when it
is in the same file (digests compared in one spelling: ``sha256:``/``sha-256:``, hex or
base32), and move the Post's ``last_seen``; a revisit of *another* URL's page (a mirror
republishing it) gives that URL its own Post, read from the original record's payload.
Observation uids carry the WARC-Date's fraction of a second (``#warc.25``) when it has
one, so captures of a page within one second stay apart. A ``.warc.gz`` gzipped as one
stream (or in blocks that cut records) is read through its gunzipped bytes: its
Captures have format ``warc-gunzipped`` and offsets in that stream. ``request``, ``warcinfo``
and ``conversion`` records carry nothing the graph holds and are passed
over, as are records for non-web URIs (``dns:``, ``urn:``).

Saved HTML (``.html``, ``.htm``, ``.xhtml``)
--------------------------------------------
The same page extraction. The page URL is, in order: SingleFile's ``url:`` comment or
the browser's ``<!-- saved from url=(0042)https://… -->`` comment (where the page was
really fetched), then ``<link rel=canonical>``, then ``og:url``; a page with none of
them is keyed by the sha256 of its bytes (``post_uid("web", "sha256:<hex>")``, no ``url``: a
local path would name the investigator's folders in every report) and has no Site or Url;
images saved beside a page have no ``url`` either. Times: ``first_seen`` /
``last_seen`` and the capture time are SingleFile's ``saved date`` when present, else
unknown (a file's modification time is when it was copied, not when the page was
seen); ``created_at`` is the page's own publication date (``article:published_time``,
``<meta name=date>``, ``<time datetime>`` …) when present, else the saved date. An
Observation (``active``, source ``html``) is written only with a saved date. The whole
file is the page's Capture. Images saved next
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

import codecs
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Iterator, NamedTuple
from urllib.parse import urlsplit

from collectors.base import Accumulator, Captures, site_edges
from graphinv.fingerprint import image_fingerprint
from graphinv.normalize import canonical_url, clean_int, path_text, registered_domain, text_hash, text_minhash, to_epoch
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
from graphinv.vocabulary import removal_notice
from graphinv.web.html import (
    MAX_DEPTH,
    MAX_TEXT,
    Page,
    charset_of,
    decode_data_uri,
    decode_html,
    looks_like_html,
    looks_like_image,
    mime_of_name,
    parse_page,
    resolve_link,
    saved_origin,
    saved_resource,
)
from graphinv.web.outcome import CONTENT_TYPE as OUTCOME_CONTENT_TYPE
from graphinv.web.outcome import OUTCOME_STATUSES, observation_status, read_outcome_fields
from graphinv.web.warc import (
    CHUNK,
    WARC_SUFFIXES,
    WarcEntry,
    date_fraction,
    digest_key,
    http_status_of,
    ip_address_of,
    is_warc,
    payload_at,
    raw_head,
    read_warc,
    target_uri,
)

name = "web"
SHARES_DIGESTS = True  # takes the ingest's shared `digests` option (see WebRun.by_digest)
description = "Web captures: WARC/WARC.gz files and saved HTML pages"

MAX_PAYLOAD = 20 * 1024 * 1024
MAX_OUTLINKS = 1000
MAX_IMAGES = 200
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
WEB_RECORDS = ("response", "resource", "revisit", "metadata")


class Located(NamedTuple):
    """Where a WARC record is: its file, the region of a WACZ member, its offset."""

    path: Path
    region: tuple[int, int] | None
    offset: int
    gunzipped: bool

# --------------------------------------------------------------------------- detect


def detect(path) -> bool:
    """A ``.warc``/``.warc.gz`` file that starts with ``WARC/`` (after gunzip), or a
    ``.html``/``.htm``/``.xhtml`` file that looks like text."""
    path = Path(path)
    if not path.is_file():
        return False
    lower = path.name.lower()
    if lower.endswith(WARC_SUFFIXES):
        return is_warc(path)
    if lower.endswith(HTML_SUFFIXES):
        head = raw_head(path, 1024)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return True
        return b"\x00" not in head
    return False


@lru_cache(maxsize=262_144)
def _site_of(canon: str) -> str | None:
    # Registered domains are looked up for every link of every page: menus repeat them.
    return registered_domain(canon)


def _is_home(canon: str) -> bool:
    parts = urlsplit(canon)
    return parts.path in ("", "/") and not parts.query


# --------------------------------------------------------------------------- the run


class WebRun:
    """State of one collect(): nodes met many times, edges already given, images by URL."""

    def __init__(self, path: Path, options: dict):
        self.path = path
        self.source = path_text(path)
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
        # WARC payload digest (digest_key) -> sha256, post, where its record is: (file,
        # region, offset, gunzipped). Shared by the files of one ingest when it passes
        # ``digests``, so a revisit finds a page captured in an earlier file.
        shared = options.get("digests")
        self.by_digest: dict[str, tuple[str, str | None, Located]] = {} if shared is None else shared
        self.region: tuple[int, int] | None = None  # the WARC's place in a WACZ being read
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
                    source: str = "warc", moved: bool = False, fraction: str = "",
                    said: tuple[str, str] | None = None) -> list[Record]:
        # Two captures of a page within one second stay two: the WARC-Date's fraction tells them apart.
        uid = observation_uid(url_uid_, time, f"{source}.{fraction}" if fraction else source)
        props = {"entity": url_uid_, "platform": "web", "status": "moved" if moved else observation_status(status),
                 "observed_at": time, "http_status": status, "final_url": final_url,
                 "content_sha256": content_sha256, "source": source,
                 "first_seen": time, "last_seen": time}
        if said and props["status"] == "active":
            # A 200 page saying its item is gone (X's, Telegram's tombstones): a removal.
            props.update(status=said[0], detail=f"the page says: {said[1]}")
        if source == "warc":
            props.update(warc_file=self.source, warc_offset=offset)
        out: list[Record] = [Node("Observation", uid, {k: v for k, v in props.items() if v is not None})]
        out += self.edge("OBSERVED", uid, url_uid_, {"time": time})
        if post:
            out += self.edge("OBSERVED", uid, post, {"time": time})
        if site and _is_home(canon):
            out += self.edge("OBSERVED", uid, site, {"time": time})
        return out

    def page(self, page: Page, *, canon: str, original: str, site: str | None, time: int | None,
             extra: dict, ip: str | None = None, local_dir: Path | None = None,
             where: str = "") -> tuple[str, list[Record]]:
        """The Post of one HTML page and everything hanging off it; (post uid, records)."""
        post = post_uid("web", canon)
        out: list[Record] = []
        if page.flattened:
            # Kept, and counted: the page's text is all there, its deepest structure is not.
            out.append(Reject("too_deep", f"{(original or canon)[:200]}: {page.flattened:,} tags nested deeper than "
                                          f"{MAX_DEPTH} dropped before parsing (as browsers do); the text is kept",
                              where))
        props = {"platform": "web", "post_id": canon, "url": original, "title": page.title or None,
                 "lang": page.lang or None, "text": page.text,
                 "text_hash": text_hash(page.text) if page.text else None,
                 "text_minhash": text_minhash(page.text) or None,
                 "created_at": extra.pop("created_at", time), "first_seen": time, "last_seen": time, **extra}
        out.append(Node("Post", post, {k: v for k, v in props.items() if v is not None}))
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
                data, mime = decode_data_uri(target)
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
        local = saved_resource(target, local_dir)
        if local is None:
            return []
        try:
            size = local.stat().st_size
            if size > self.max_payload:
                return [Reject("payload_too_large", f"{local}: {size} bytes", where)]
            data = local.read_bytes()
        except OSError:
            return []
        # No URL: the file's path would name the investigator's folders in reports.
        uid, out = self.media(data, None, mime_of_name(local.name), time, where)
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


# --------------------------------------------------------------------------- WARC


def _collect_warc(path: Path, run: WebRun) -> Iterator[Record]:
    yield from warc_entry_records(read_warc(path, run.max_payload, run.source), run, Captures(path, "warc"))


def warc_entry_records(entries, run: WebRun, captures: Captures, capture_props=None) -> Iterator[Record]:
    """The records of each WARC entry, each tied to its Capture (see the module
    docstring); ``capture_props(entry)`` adds to a capture (a WACZ's provenance) and
    may say where its bytes are (``uid``, ``offset``, ``format``, ``member``)."""
    for entry in entries:
        if isinstance(entry, Reject):
            yield entry
            continue
        records = _warc_record(entry, run)
        if any(isinstance(r, Node) for r in records):
            record_id = entry.header("WARC-Record-ID")
            props = {"format": "warc-gunzipped"} if entry.gunzipped else {}
            props.update(capture_props(entry) if capture_props else {})
            uid, offset = props.pop("uid", None), props.pop("offset", entry.offset)
            node = captures.node(
                offset, length=entry.length, bytes_sha256=entry.record_sha256,
                captured_at=to_epoch(entry.header("WARC-Date")), time_source="WARC-Date",
                url=target_uri(entry.record) or None, record_id=record_id.strip("<>") if record_id else None,
                content_sha256=entry.sha256 or None, **props)
            yield from captures.link(Node("Capture", uid, node.props) if uid else node, records)
        else:
            yield from records


def _warc_record(entry: WarcEntry, run: WebRun) -> list[Record]:
    """Records for one WARC record (request, warcinfo, conversion… records: none)."""
    if entry.rec_type not in WEB_RECORDS:
        return []
    where = f"{run.source}@{entry.offset}"
    if entry.error is not None:
        return [Reject("bad_record", f"{type(entry.error).__name__}: {entry.error}"[:500], where)]
    try:
        if entry.rec_type == "metadata":
            return _warc_outcome(entry.record, run, entry.payload, entry.offset, where)
        return _warc_content(entry.record, run, entry.payload, entry.sha256, entry.size, entry.offset, where,
                             entry.gunzipped)
    except Exception as exc:  # one odd record must not stop the file
        return [Reject("bad_record", f"{type(exc).__name__}: {exc}"[:500], where)]


def _warc_content(record, run: WebRun, data: bytes, sha: str, total: int, offset: int,
                  where: str, gunzipped: bool = False) -> list[Record]:
    original = target_uri(record)
    if not original.lower().startswith(("http://", "https://")):
        return []  # dns:, urn:, about: … records are not web pages
    time = to_epoch(record.rec_headers.get_header("WARC-Date"))
    if time is None:
        return [Reject("bad_date", f"no usable WARC-Date for {original}", where)]
    canon, url_id, site = run.url(original, time)
    if canon is None:
        return [Reject("bad_url", f"not a usable URL: {original[:200]}", where)]
    status = http_status_of(record)
    headers = record.http_headers
    if headers is not None:
        content_type = headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    mime = content_type.split(";")[0].strip().lower()
    out: list[Record] = []
    fraction = date_fraction(record.rec_headers.get_header("WARC-Date"))
    digest = digest_key(record.rec_headers.get_header("WARC-Payload-Digest"))

    if record.rec_type == "revisit":
        earlier_sha, post, located = run.by_digest.get(digest, (None, None, None)) if digest else (None, None, None)
        if located is None:
            # Counted, not silent: the page is in a capture this ingest did not read.
            out.append(Reject("revisit_unresolved", f"{original[:200]}: a revisit of a payload ({digest}) no file "
                                                    "of this ingest holds; ingest the earlier crawl with it for the "
                                                    "page, the observation is kept", where))
        if post and post == post_uid("web", canon):
            out.append(Node("Post", post, {"last_seen": time}))
        elif post:
            # Another URL serving the same page (a mirror republishing it): a Post of its
            # own, read from the payload the revisit points at.
            post, records = _revisited_page(run, located, canon=canon, original=original, site=site, time=time,
                                            status=status, sha=earlier_sha, where=where)
            out += records
        return out + run.observation(url_id, time, status, site=site, canon=canon, post=post,
                                     content_sha256=earlier_sha, offset=offset, fraction=fraction)

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
            target = resolve_link(original, location)
            if target:
                final_canon, final_uid, _ = run.url(target, time)
                if final_uid and final_uid != url_id:
                    final_url = final_canon
                    moved = _site_of(final_canon) != _site_of(canon)
                    out += run.edge("LINKS_TO", url_id, final_uid, {"time": time, "anchor": f"redirect {status}"})
    ok = status is None or 200 <= status < 300
    said = None
    if ok and data and looks_like_html(mime, data):
        html, _ = decode_html(data, charset_of(content_type))
        page = parse_page(html, original, run.max_text)
        said = removal_notice(original, f"{page.title}\n{page.full_text or page.text}", html)
        extra = {"http_status": status, "content_sha256": sha}
        post, records = run.page(page, canon=canon, original=original, site=site, time=time, extra=extra,
                                 ip=ip_address_of(record), where=where)
        out += records
    elif ok and data and looks_like_image(mime, data):
        if truncated:
            pass  # already rejected: an image cut short is not fingerprinted
        else:
            media, records = run.media(data, canon, mime, time, where)
            out += records
            if media:
                run.images_by_url.setdefault(canon, set()).add(media)
                out.append(Node("Media", media, {}))  # held in the accumulator; here for its capture
    if digest and sha:
        run.by_digest[digest] = (sha, post, Located(run.path, run.region, offset, gunzipped))
    if record_id:
        run.by_record_id[record_id] = (offset, sha or None)
    out += run.observation(url_id, time, status, site=site, canon=canon, post=post, final_url=final_url,
                           content_sha256=sha or None, offset=offset, moved=moved, fraction=fraction, said=said)
    return out


def _revisited_page(run: WebRun, located: Located, *, canon: str, original: str, site: str | None,
                    time: int, status: int | None, sha: str | None, where: str) -> tuple[str | None, list[Record]]:
    """The Post of a URL whose revisit record points at a page captured under another
    URL earlier in the file (or an earlier file of the ingest): that record's payload is
    read again (pages are not kept)."""
    found = payload_at(located.path, located.offset, run.max_payload, gunzipped=located.gunzipped,
                       region=located.region)
    if found is None:
        return None, [Reject("bad_record", f"{original[:200]}: the revisited record cannot be read again", where)]
    earlier, data = found
    headers = earlier.http_headers
    content_type = (headers.get_header("Content-Type") if headers is not None else None) or ""
    html, _ = decode_html(data, charset_of(content_type))
    page = parse_page(html, original, run.max_text)
    return run.page(page, canon=canon, original=original, site=site, time=time,
                    extra={"http_status": status, "content_sha256": sha}, where=where)


def _warc_outcome(record, run: WebRun, data: bytes, offset: int, where: str) -> list[Record]:
    """A graphinv ``metadata`` record (a fetch that failed, a watch check) as an Observation;
    other metadata records carry nothing the graph holds."""
    content_type = (record.rec_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != OUTCOME_CONTENT_TYPE:
        return []
    fields = read_outcome_fields(data)
    if "outcome" not in fields:
        return []
    original = target_uri(record)
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
    http_status = clean_int(fields.get("http-status"))
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


def _collect_html(path: Path, run: WebRun) -> Iterator[Record]:
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
            for block in iter(lambda: handle.read(CHUNK), b""):
                digest.update(block)
    html, _ = decode_html(data)
    saved_url, saved_time = saved_origin(html)
    page = parse_page(html, saved_url or "", run.max_text)
    original = next((u for u in (saved_url, page.canonical, page.og_url)
                     if u and canonical_url(u, run.expansions)), None)
    # Without SingleFile's saved date, when the page was captured is unknown: a file's
    # modification time is when it was last copied, not when the page was seen.
    time = saved_time
    if original is None:
        # Keyed by its content: the file's path would put the investigator's folders
        # (and user name) into every report, and two copies of one page are one page.
        canon, url_id, site = f"sha256:{digest.hexdigest()}", None, None
    else:
        if saved_url is None:  # links were resolved against nothing: redo with the page URL
            page = parse_page(html, original, run.max_text)
        canon, url_id, site = run.url(original, time)
    extra = {"content_sha256": digest.hexdigest(), "created_at": page.published or time}
    post, records = run.page(page, canon=canon, original=original, site=site, time=time, extra=extra,
                             local_dir=path.parent, where=where)
    if url_id is not None and saved_time is not None:
        records += run.observation(url_id, saved_time, None, site=site, canon=canon, post=post,
                                   content_sha256=digest.hexdigest(), source="html")
    captures = Captures(path, "html", saved_time, "saved date")
    yield from captures.link(captures.node(0, length=stat.st_size, bytes_sha256=digest.hexdigest(),
                                           url=original), records)


# --------------------------------------------------------------------------- entry point


def collect(path, **options) -> Iterator[Record]:
    """Records of one WARC / WARC.gz file or saved HTML page (see the module docstring)."""
    path = Path(path)
    run = WebRun(path, options)
    lower = path.name.lower()
    if lower.endswith(HTML_SUFFIXES):
        yield from _collect_html(path, run)
    else:
        try:
            yield from _collect_warc(path, run)
        except OSError as exc:
            yield Reject("unreadable_file", f"{type(exc).__name__}: {exc}", run.source)
    yield from run.finish()
