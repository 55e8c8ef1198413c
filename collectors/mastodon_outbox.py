"""Mastodon's account archive: ``outbox.json`` (an ActivityStreams ``OrderedCollection``
of the account's ``Create`` and ``Announce`` activities), as "Request your archive"
hands it out, and the outbox of another ActivityPub server saved the same way.

- ``Create`` of a ``Note``: the actor -POSTED{time}-> Post, keyed as the snscrape
  collector keys toots (``account_uid("mastodon", "user@instance")``, ``post_id`` =
  ``instance/<status id>``), so a toot in an archive and in snscrape output is one Post.
  Its HTML content becomes text (a content warning, ``summary``, after it, as snscrape
  does); ``tag`` gives hashtags and mentions, ``attachment`` media (keyed by URL; an
  archive's ``/media_attachments/…`` paths are read on the toot's instance),
  ``inReplyTo`` a REPLIED_TO stub,
  the links of its content LINKS_TO.
- ``Announce`` (a boost): the actor -REPOSTED{time, key=activity id}-> a stub of the
  boosted toot.
- Another activity type is ``Reject("unknown_type")``; an item that cannot be read
  ``Reject("bad_item")``.

The file is read whole (an archive's outbox is tens of MB at most); each activity is a
``Capture`` (its bytes in the file as written). Archives say nothing of when they were
made, so the capture time is unknown.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

from graphinv.normalize import repair_surrogates, to_epoch
from graphinv.records import Edge, Record, Reject

from .base import Captures, GzipTruncated, base_name, open_binary, peek, site_edges
from .snscrape import ItemReader

name = "mastodon_outbox"
description = "Mastodon account archives (outbox.json): toots and boosts"

_ITEMS = re.compile(rb'"orderedItems"\s*:\s*\[')
_GAP = re.compile(r"[ \t\r\n,]*")
MAX_OUTBOX_BYTES = 2 << 30


def detect(path: Path) -> bool:
    """A ``.json`` that starts as an ActivityStreams outbox collection."""
    if not base_name(path).endswith(".json"):
        return False
    head = peek(path, 8192)
    return (b"activitystreams" in head and b'"OrderedCollection"' in head
            and (b'"orderedItems"' in head or b"outbox" in head))


class _Text(HTMLParser):
    """A toot's HTML as text (``<br>`` and paragraphs as newlines) and its links, apart
    from mentions and hashtags (Mastodon marks them ``class="mention"``/``"hashtag"``)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")
        elif tag == "a" and attrs.get("href"):
            classes = (attrs.get("class") or "").split()
            if "mention" not in classes and "hashtag" not in classes:
                self.links.append(attrs["href"])

    def handle_data(self, data):
        self.parts.append(data)


def _status_ref(url: Any) -> tuple[str, str] | None:
    """(instance, status id) of ``https://host/users/x/statuses/ID`` or ``https://host/@x/ID``."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if parts.hostname and segments and segments[-1].isdigit():
        return parts.hostname.lower(), segments[-1]
    return None


def _handle(actor: Any) -> str | None:
    """``user@instance`` of an actor URL (``https://host/users/user``)."""
    if not isinstance(actor, str):
        return None
    parts = urlsplit(actor)
    segments = [s for s in parts.path.split("/") if s]
    if not parts.hostname or not segments:
        return None
    return f"{segments[-1].lstrip('@')}@{parts.hostname.lower()}"


def _note(reader: ItemReader, activity: dict, out: list) -> None:
    note = activity.get("object")
    if not isinstance(note, dict):
        raise ValueError("Create without an object")
    ref = _status_ref(note.get("id")) or _status_ref(note.get("url"))
    handle = _handle(note.get("attributedTo") or activity.get("actor"))
    if ref is None or handle is None:
        raise ValueError("a Note without a status id or an author")
    text = _Text()
    text.feed(note.get("content") or "")
    text.close()
    tags = [t for t in note.get("tag") or [] if isinstance(t, dict)]
    toot = {
        "url": note.get("url") if isinstance(note.get("url"), str) else note.get("id"),
        "id": ref[1], "date": note.get("published") or activity.get("published"),
        "user": {"account": handle},
        "text": "".join(text.parts).strip(), "spoilerText": note.get("summary") or "",
        "links": text.links,
        "hashtags": [t.get("name") for t in tags if t.get("type") == "Hashtag"],
        "mentionedUsers": [{"account": (t.get("name") or "").lstrip("@") or _handle(t.get("href"))}
                           for t in tags if t.get("type") == "Mention"],
        # An archive names its media by path ("/media_attachments/…"): on the toot's instance.
        "attachments": [{**a, "url": urljoin(f"https://{ref[0]}/", a["url"])} for a in note.get("attachment") or []
                        if isinstance(a, dict) and isinstance(a.get("url"), str)],
    }
    # snscrape keys a toot by the instance of its URL; an archive's URL is the same one.
    toot["url"] = f"https://{ref[0]}/@{handle.split('@')[0]}/{ref[1]}"
    uid = reader.toot(toot, out)
    replied = _status_ref(note.get("inReplyTo"))
    if replied:
        target = reader.stub_post("mastodon", f"{replied[0]}/{replied[1]}", out, url=note.get("inReplyTo"))
        out.append(Edge("REPLIED_TO", uid, target, {"time": to_epoch(toot["date"])} if toot["date"] else {}))


def _announce(reader: ItemReader, activity: dict, out: list) -> None:
    boosted = activity.get("object")
    boosted_url = boosted.get("id") if isinstance(boosted, dict) else boosted
    ref = _status_ref(boosted_url)
    time = to_epoch(activity.get("published"))
    booster = reader.mastodon_user({"account": _handle(activity.get("actor"))}, time, out)
    if ref is None or booster is None:
        raise ValueError("an Announce without a boosted status or an actor")
    target = reader.stub_post("mastodon", f"{ref[0]}/{ref[1]}", out, url=boosted_url)
    out.append(Edge("REPOSTED", booster, target, {k: v for k, v in {"time": time}.items() if v is not None},
                    key=str(activity.get("id") or f"boost:{ref[1]}")))


_ACTIVITIES = {"Create": _note, "Announce": _announce}


def collect(path: Path, *, minhash: bool = True, num_perm: int = 64, **_options: Any) -> Iterator[Record]:
    """Records of one outbox.json (see the module docstring)."""
    path = Path(path)
    try:
        with open_binary(path) as handle:
            data = handle.read(MAX_OUTBOX_BYTES + 1)
    except GzipTruncated as exc:
        yield Reject("truncated_gzip", f"gzip stream ends early: {exc}", str(path))
        return
    if len(data) > MAX_OUTBOX_BYTES:
        yield Reject("too_large", f"an outbox of over {MAX_OUTBOX_BYTES} bytes", str(path))
        return
    start = _ITEMS.search(data)
    if start is None:
        yield Reject("bad_json", "no orderedItems list: not an ActivityPub outbox?", str(path))
        return
    reader = ItemReader(path, minhash, num_perm, None)
    captures = Captures(path, "activitystreams")
    # Decoded once (bad bytes kept as escapes, so that each item encodes back to the very
    # bytes of the file); byte offsets are kept by encoding each item and the gaps.
    text = data[start.end():].decode("utf-8", errors="surrogateescape")
    decoder = json.JSONDecoder()
    pos, byte = 0, start.end()
    while True:
        gap = _GAP.match(text, pos).end()
        byte += len(text[pos:gap].encode("utf-8"))
        pos = gap
        if pos >= len(text) or text[pos] == "]":
            break
        try:
            activity, end = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError) as exc:
            yield Reject("bad_json", f"{type(exc).__name__}: {exc}"[:200], f"{path}@{byte}")
            break
        raw = text[pos:end].encode("utf-8", errors="surrogateescape")
        if isinstance(activity, dict):
            activity, _ = repair_surrogates(activity)
        where = f"{path}@{byte}"
        kind = activity.get("type") if isinstance(activity, dict) else None
        handler = _ACTIVITIES.get(kind) if isinstance(kind, str) else None
        if handler is None:
            yield Reject("unknown_type", f"activity type {kind!r}", where)
        else:
            out: list[Record] = []
            try:
                handler(reader, activity, out)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                yield Reject("bad_item", f"{type(exc).__name__}: {exc}"[:200], where)
            else:
                reader.fill_minhashes()
                yield from captures.link(captures.node(byte, raw), out)
        byte += len(raw)
        pos = end
    reader.fill_minhashes()
    yield from site_edges(reader.acc)
    yield from reader.acc.drain()
