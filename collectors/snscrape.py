"""snscrape JSONL (``snscrape --jsonl …``): tweets, Telegram posts, Mastodon toots.

Items are told apart by ``_type`` (``snscrape.modules.twitter.Tweet`` …; snscrape 0.3
and 0.4 wrote none: a line with a tweet or t.me URL is read as a Tweet or a
TelegramPost). Files saved on Windows are read too: UTF-8 with a BOM, and UTF-16 with a
BOM (PowerShell's ``>``), whose captures are the UTF-16 bytes as saved. Field names
follow snscrape 0.7 (``rawContent``, ``links``, ``user.username``, ``user.rawDescription``,
``viewCount``), and the deprecated names of older versions are read too: ``content``,
``renderedContent``, ``outlinks``/``tcooutlinks``, top-level ``username``,
``user.displayname``/``displayName``, ``user.description``/``renderedDescription``,
``user.linkUrl``/``linkTcourl``, ``user.descriptionUrls``. Numbers snscrape writes as an
``IntWithGranularity`` (``"views": 1200, "views.granularity": 100``) or as a
``[value, granularity]`` pair are both read as their value.

Representation (what a reader of the graph should know):

- Tweet: Account -POSTED{time}-> Post. ``post_id`` is the tweet id.
- Retweet: no Post of its own (its text is the original's, and counting it as a post
  would make every retweet look like copy-pasted text). The retweeter
  -REPOSTED{time, repost_uid}-> the original Post, ``key`` = the retweet's id and
  ``repost_uid`` = the retweet's post uid; the original is read as a full tweet.
- Quote: the quoting Post -QUOTED{time}-> the quoted Post (read as a full tweet).
- Reply: Post -REPLIED_TO{time}-> a stub Post (``platform``, ``post_id``, and
  ``account`` when ``inReplyToUser`` is given, with that account -POSTED-> the stub,
  no time).
- Links: Post -LINKS_TO{time, anchor}-> Url (canonical; t.co links replaced by their
  expansion from ``links[].tcourl``/``url`` or the ``expansions`` option), and
  Url -ON_SITE-> Site (registered domain). ``user.link`` is Account -PROFILE_LINK-> Url.
- Media: JSONL has no media bytes, so media are keyed by URL:
  ``media:url-<sha1 of the canonical URL>`` (see :func:`collectors.base.media_url_uid`),
  with Post -HAS_MEDIA{time, role=photo|video|gif|attachment}-> Media, and the avatar
  as Account -HAS_MEDIA{role=avatar}-> Media. ``sha256`` stays empty until the bytes
  are fetched.
- Mentions: Post -MENTIONS{time}-> Account; hashtags: Post -TAGGED{time, position}->
  Hashtag (position = index in the item's hashtag list, first occurrence).
- TelegramPost: the channel comes from the URL ``t.me/[s/]CHANNEL/ID``:
  ``account_uid("telegram", CHANNEL)``, ``post_id`` = ``channel/ID`` (lowercased
  channel). A forward (``forwardedUrl``/``forwarded``) is, like a retweet, the channel
  -REPOSTED-> the source post.
- Mastodon Toot: handle ``user@instance`` (``account_uid("mastodon", …)``), ``post_id``
  = ``instance/id`` with the instance of the toot's URL; a Boost is the booster
  -REPOSTED{key="boost"}-> the toot (boosts carry no time in snscrape output).
- ``twitter.User``, ``telegram.Channel`` and ``mastodon.User`` items become Accounts;
  ``twitter.TweetRef`` a stub Post.

Times: ``first_seen``/``last_seen`` of a post = its time; of an account = its
earliest/latest activity in the file (posting, reposting; being mentioned does not
count). Accounts, URLs, sites, hashtags and media are emitted once per file, at the
end (:class:`collectors.base.Accumulator`).

Evidence: each line is a ``Capture`` (offset and length in the gunzipped file, its
sha256, line number), linked by CAPTURES to the posts it holds and the accounts acting
in it; its POSTED and REPOSTED edges name it (``capture``). Its capture time is the
line's ``__twarc.retrieved_at``/``retrieved_at``/``scraped_at``/``collected_at`` when
the tool wrote one, else unknown (snscrape writes none).

Bad input: a line that is not JSON is ``Reject("bad_json")``, an object that is not a
known item ``Reject("unknown_type")``, an item whose fields cannot be read
``Reject("bad_item")``, a line above ``max_line_bytes`` (10 MB) ``Reject("line_too_long")``
(read in 1 MB chunks, never held whole), JSON nested too deeply to parse
``Reject("too_deep")``, a cut-off gzip ``Reject("truncated_gzip")`` after everything
readable. Reading always goes on. Two reasons count values, not lines, in an item that
is kept: ``bad_unicode`` (a lone surrogate, ``"\\ud800"``, replaced by U+FFFD) and
``bad_number`` (``Infinity``, ``1e400`` or an int beyond 64 bits, left empty).

Options: ``minhash`` (default True; False skips ``text_minhash``, ~40 % faster),
``num_perm`` (64), ``expansions`` (a dict of t.co link -> long URL),
``max_line_bytes``.

Code: this module detects the files and dispatches each item by ``_type``
(:func:`read_jsonl` is the line loop, shared with ``collectors/twarc.py``); the readers
of each family are ``collectors/snscrape_twitter.py``, ``snscrape_telegram.py`` and
``snscrape_mastodon.py``, on the shared pieces of ``snscrape_common.py``.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import Any, Iterator

import msgspec

from graphinv.normalize import repair_surrogates, to_epoch
from graphinv.records import Record, Reject

from . import snscrape_mastodon, snscrape_telegram, snscrape_twitter
from .base import MAX_LINE_BYTES, Captures, GzipTruncated, base_name, iter_lines, open_binary, peek, site_edges

name = "snscrape"
description = "snscrape JSONL: tweets, Telegram channel posts, Mastodon toots and boosts"
# What a file gives depends on that file and the options only: ingest may read it in a
# reader process (graphinv/ingest.py).
PARALLEL = True

_MINHASH_BATCH = 512
_EXTENSIONS = (".jsonl", ".ndjson", ".json", ".txt", ".jsonlines")
_MARKERS = (b'"_type": "snscrape.', b'"_type":"snscrape.', b'"_snscrape"')
# A lone surrogate comes from a "\ud800" escape that is not half of a pair (snscrape
# escapes every emoji as a pair), or from the raw UTF-8 bytes of one, which json lets
# through. Only lines where this finds one are walked to repair them.
_HIGH, _LOW = rb"\\u[dD][89abAB][0-9a-fA-F]{2}", rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}"
_LONE_SURROGATE = re.compile(rb"%s(?!%s)|(?<!%s)%s|\xed[\xa0-\xbf]" % (_HIGH, _LOW, _HIGH, _LOW))
_FAST_JSON = msgspec.json.Decoder()


def detect(path: Path) -> bool:
    """A ``.jsonl``/``.ndjson``/``.json``/``.txt`` (optionally ``.gz``) whose first line
    is a JSON object written by snscrape: ``_type`` is its first key, or (snscrape 0.3
    and 0.4) it reads as a tweet or a Telegram post. Saved as UTF-8, UTF-8 with a BOM or
    UTF-16 with a BOM (as Windows tools save it)."""
    if not base_name(path).endswith(_EXTENSIONS):
        return False
    head = json_head(path)
    if not head.startswith(b"{"):
        return False
    first = head.split(b"\n", 1)[0]
    if any(marker in first for marker in _MARKERS):
        return True
    try:
        item = json.loads(first)
    except (ValueError, RecursionError):
        return False  # the line goes on past the peek, is not JSON, or nests too deeply
    return isinstance(item, dict) and _guess_type(item) is not None


def text_encoding(head: bytes) -> str:
    """``utf-16-le``/``utf-16-be`` for a file that starts with their byte-order mark."""
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    return "utf-8"


def json_head(path: Path, size: int = 65536) -> bytes:
    """The start of a JSON-lines file as UTF-8, whatever it was saved as (UTF-8 with or
    without a BOM, UTF-16 with one), blanks before the first value dropped."""
    head = peek(path, size)
    encoding = text_encoding(head)
    if encoding != "utf-8":
        head = head[2:].decode(encoding, errors="replace").encode("utf-8")
    return head.removeprefix(codecs.BOM_UTF8).lstrip()


def read_lines(
    path: Path, max_bytes: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, int, bytes | None, str, bytes | None]]:
    """:func:`collectors.base.iter_lines`, for UTF-16 files too: ``(line number, offset,
    bytes in the file, problem, the line as UTF-8)``. The bytes are the capture's: a
    UTF-16 line is given as saved (without its BOM and newline) and decoded for reading."""
    encoding = text_encoding(peek(path, 2))
    if encoding == "utf-8":
        for lineno, offset, raw, problem in iter_lines(path, max_bytes):
            yield lineno, offset, raw, problem, raw
        return
    newline = "\n".encode(encoding)
    lineno, start, buffer = 0, 2, b""
    with open_binary(path) as handle:
        handle.read(2)  # the BOM
        try:
            while True:
                chunk = handle.read(1 << 20)
                buffer += chunk
                at = 0
                while True:
                    end = buffer.find(newline, at)
                    while end >= 0 and end % 2:  # a newline is two aligned bytes
                        end = buffer.find(newline, end + 1)
                    if end < 0:
                        break
                    lineno += 1
                    yield _utf16_line(lineno, start, buffer[at:end], encoding, max_bytes)
                    start += end + 2 - at
                    at = end + 2
                buffer = buffer[at:]
                if not chunk:
                    break
                if len(buffer) > 2 * max_bytes:
                    lineno += 1
                    yield lineno, start, None, "line_too_long", None
                    return
        except GzipTruncated:
            yield lineno + 1, start, None, "truncated_gzip", None
            return
    if buffer:
        yield _utf16_line(lineno + 1, start, buffer, encoding, max_bytes)


def _utf16_line(lineno: int, offset: int, raw: bytes, encoding: str, max_bytes: int):
    if len(raw) > 2 * max_bytes:
        return lineno, offset, None, "line_too_long", None
    return lineno, offset, raw, "", raw.decode(encoding, errors="surrogatepass").encode("utf-8", "surrogatepass")


class ItemReader(snscrape_twitter.TwitterReader, snscrape_telegram.TelegramReader, snscrape_mastodon.MastodonReader):
    """One reader for a file, whatever families its items are of (a file may mix them)."""


_HANDLERS = {**snscrape_twitter.HANDLERS, **snscrape_telegram.HANDLERS, **snscrape_mastodon.HANDLERS}


def _guess_type(item: dict) -> str | None:
    """Items from snscrape versions that wrote no ``_type`` (before 0.4)."""
    url = item.get("url")
    if isinstance(url, str) and "id" in item:
        if "/status/" in url and ("twitter.com" in url or "x.com" in url):
            return "snscrape.modules.twitter.Tweet"
    if isinstance(url, str) and "t.me/" in url and "date" in item:
        return "snscrape.modules.telegram.TelegramPost"
    return None


_RETRIEVED_KEYS = frozenset({"__twarc", "retrieved_at", "scraped_at", "collected_at"})


def _retrieved_at(item: dict) -> int | None:
    """When the line was collected, if the tool wrote it: twarc's ``__twarc.retrieved_at``
    or a ``retrieved_at``/``scraped_at``/``collected_at`` field. snscrape writes none, so
    its lines' capture time is unknown (a post's own date is not when it was captured)."""
    if _RETRIEVED_KEYS.isdisjoint(item):
        return None  # the common case, decided without building the candidate list
    meta = item.get("__twarc")
    values = [meta.get("retrieved_at")] if isinstance(meta, dict) else []
    values += [item.get(key) for key in ("retrieved_at", "scraped_at", "collected_at")]
    return next((t for t in map(to_epoch, (v for v in values if isinstance(v, (str, int)))) if t is not None), None)


def collect(
    path: Path,
    *,
    minhash: bool = True,
    num_perm: int = 64,
    expansions: dict | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
    **_options: Any,
) -> Iterator[Record]:
    """Records of one snscrape JSONL file (see the module docstring)."""
    return read_jsonl(path, _snscrape_item, minhash=minhash, num_perm=num_perm, expansions=expansions,
                      max_line_bytes=max_line_bytes)


def _snscrape_item(reader: ItemReader, item: dict, out: list) -> str | None:
    kind = item.get("_type") or _guess_type(item)
    handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
    if handler is None:
        return f"_type {kind!r}" if kind else "no _type"
    handler(reader, item, out)
    return None


def read_jsonl(path: Path, dispatch, *, minhash: bool = True, num_perm: int = 64, expansions: dict | None = None,
               max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[Record]:
    """Records of a JSONL file of tweets, posts or toots: each line is decoded, checked and
    given to ``dispatch(reader, item, out)``, which appends its records to ``out`` and
    returns None, or returns why the item is of no known type (``Reject("unknown_type")``).
    The twarc collector reads its files with it too."""
    path = Path(path)
    reader = ItemReader(path, minhash, num_perm, expansions)
    fast, loads = _FAST_JSON.decode, json.loads
    captures = Captures(path, "jsonl")
    queue: list[Record] = []  # records held until their posts' MinHashes are filled
    for lineno, offset, saved, problem, raw in read_lines(path, max_line_bytes):
        where = f"{path}:{lineno}"
        if problem:
            detail = (f"line longer than {max_line_bytes} bytes" if problem == "line_too_long"
                      else "gzip stream ends early")
            queue.append(Reject(problem, detail, where))
            continue
        if not raw.strip():
            continue
        try:
            # msgspec reads a well-formed line 20-40 % faster than json, gives the same
            # values (ints of any size included) and refuses whatever json would read
            # differently or not at all (lone surrogates, NaN, 1e400, a BOM, bad UTF-8,
            # deep nesting): those lines take json's path below, unchanged, so rejects
            # and repairs are json's. A line msgspec read holds no lone surrogate.
            item = fast(raw)
        except Exception:  # noqa: BLE001 - any refusal: json decides, as before
            try:
                item = loads(raw)
            except ValueError as exc:
                queue.append(Reject("bad_json", str(exc)[:200], where))
                continue
            except RecursionError:
                queue.append(Reject("too_deep", "JSON nested too deeply to read", where))
                continue
            if _LONE_SURROGATE.search(raw):
                item, repaired = repair_surrogates(item)
                if repaired:
                    queue.append(Reject("bad_unicode", f"{repaired} string(s) with a lone surrogate kept with"
                                        " U+FFFD in its place", where))
        if not isinstance(item, dict):
            queue.append(Reject("bad_json", f"a JSON {type(item).__name__}, not an object", where))
            continue
        out: list[Record] = []
        pending = len(reader.pending)
        bad_numbers = reader.bad_numbers
        try:
            unknown = dispatch(reader, item, out)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError) as exc:
            del reader.pending[pending:]
            queue.append(Reject("bad_item", f"{type(exc).__name__}: {exc}"[:200], where))
            continue
        if unknown is not None:
            del reader.pending[pending:]
            queue.append(Reject("unknown_type", unknown, where))
            continue
        if reader.bad_numbers > bad_numbers:
            queue.append(Reject("bad_number", f"{reader.bad_numbers - bad_numbers} number(s) beyond 64 bits"
                                " or not finite, left empty", where))
        captured = _retrieved_at(item)
        queue.extend(captures.link(captures.node(
            offset, saved, line=lineno, url=item.get("url") if isinstance(item.get("url"), str) else None,
            **({"captured_at": captured, "time_source": "retrieved_at"} if captured is not None else {})), out))
        if len(reader.pending) >= _MINHASH_BATCH or (not reader.pending and len(queue) >= _MINHASH_BATCH):
            reader.fill_minhashes()
            yield from queue
            queue = []
    reader.fill_minhashes()
    yield from queue
    yield from site_edges(reader.acc)
    yield from reader.acc.drain()
