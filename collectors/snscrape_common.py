"""What every snscrape item family shares: the reader of one file, its shared pieces
(text fingerprints, links, hashtags, media, stub posts) and readers for the odd shapes
snscrape writes its fields in.

The families (``snscrape_twitter``, ``snscrape_telegram``, ``snscrape_mastodon``) build
on :class:`SnscrapeReader`; ``collectors/snscrape.py`` is the registered collector that
dispatches each line by its ``_type``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from graphinv.normalize import clean_int, minhash_words_batch, normalise_text
from graphinv.records import Edge, Node, hashtag_uid, post_uid

from .base import Accumulator, media_url_uid, url_records

# ------------------------------------------------------------------ small readers


def as_int(value: Any) -> int | None:
    """An int from an int, a float, a numeric string or a [value, granularity] pair;
    None when there is none the stores can hold (``Infinity``, ``1e400``, 2**70)."""
    for _ in range(4):  # unwrap [value, granularity] pairs and {"value": …}
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        elif isinstance(value, dict):
            value = value.get("value")
        else:
            break
    return None if isinstance(value, (list, tuple, dict)) else clean_int(value)


def as_str(value: Any) -> str | None:
    """The value as a string; None for None and "" (ids may be numbers)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    return str(value)


def first(item: dict, *keys: str) -> Any:
    """The first of ``keys`` with a non-empty value (field names differ between versions)."""
    for key in keys:
        value = item.get(key)
        if value is not None and value != "":
            return value
    return None


def clean(props: dict) -> dict:
    """``props`` without empty values."""
    return {k: v for k, v in props.items() if v is not None and v != ""}


def url_parts(url: str) -> list[str]:
    """``https://t.me/s/chan/5?x`` -> ``['t.me', 's', 'chan', '5']``."""
    rest = url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    return [p for p in rest.split("/") if p]


class SnscrapeReader:
    """State for one file: the accumulator and what was already emitted. The family
    readers subclass it; collectors/snscrape.py combines them into one reader per file."""

    def __init__(self, path: Path, minhash: bool, num_perm: int, expansions: dict | None):
        self.minhash = minhash
        self.num_perm = num_perm
        self.acc = Accumulator()
        self.posts: set[str] = set()  # full posts already emitted
        self.stubs: set[str] = set()  # stub posts already emitted
        self.done: set[str] = set()  # account-level edges already emitted
        self.expansions: dict = dict(expansions or {})
        self.pending: list[tuple[dict, list[str]]] = []  # posts waiting for their MinHash
        self.bad_numbers = 0  # counts dropped so far, reported per line as Reject("bad_number")

    def number(self, value: Any) -> int | None:
        """:func:`as_int`, counting a number the stores cannot hold (dropped, the item kept)."""
        result = as_int(value)
        if result is None and isinstance(value, (int, float)) and not isinstance(value, bool):
            self.bad_numbers += 1
        return result

    # -- shared pieces -------------------------------------------------------

    def text_props(self, props: dict, text: str | None) -> None:
        if not text:
            return
        props["text"] = text
        norm = normalise_text(text)
        if norm:
            props["text_hash"] = hashlib.sha1(norm.encode("utf-8")).hexdigest()
            if self.minhash:
                # Filled in by fill_minhashes, many posts at a time (5x faster).
                self.pending.append((props, norm.split()))

    def post(self, uid: str, props: dict, text: str | None, time: int | None, out: list) -> None:
        """A captured post: its node (with its file, times and text fingerprints) and the
        POSTED edge from its author (``props["account"]``), when known."""
        props = clean(props | {"first_seen": time, "last_seen": time})
        self.text_props(props, text if isinstance(text, str) else None)
        out.append(Node("Post", uid, props))
        if props.get("account"):
            out.append(Edge("POSTED", props["account"], uid, clean({"time": time})))

    def fill_minhashes(self) -> None:
        if self.pending:
            hexes = minhash_words_batch([words for _, words in self.pending], self.num_perm)
            for (props, _), value in zip(self.pending, hexes):
                props["text_minhash"] = value
            self.pending = []

    def stub_post(self, platform: str, pid: str, out: list, account: str | None = None, url: str | None = None) -> str:
        uid = post_uid(platform, pid)
        if uid not in self.posts and uid not in self.stubs:
            self.stubs.add(uid)
            out.append(Node("Post", uid, clean({"platform": platform, "post_id": pid, "account": account, "url": url})))
            if account:
                out.append(Edge("POSTED", account, uid))
        return uid

    def links(self, post: str, urls: list[tuple[str, str | None]], time: int | None, out: list) -> None:
        seen = set()
        for raw, anchor in urls:
            if not isinstance(raw, str):
                continue
            uid = url_records(self.acc, raw, self.expansions, time)
            if uid is None or uid in seen:
                continue
            seen.add(uid)
            out.append(Edge("LINKS_TO", post, uid, clean({"time": time, "anchor": anchor})))

    def hashtags(self, post: str, tags: Any, time: int | None, out: list) -> None:
        if not isinstance(tags, list):
            return
        seen = set()
        for position, tag in enumerate(tags):
            if isinstance(tag, dict):
                tag = tag.get("text") or tag.get("name")
            if not isinstance(tag, str) or not tag.strip().lstrip("#"):
                continue
            uid = hashtag_uid(tag)
            if uid in seen:
                continue
            seen.add(uid)
            self.acc.add("Hashtag", uid, {"tag": uid.split(":", 1)[1]}, time)
            out.append(Edge("TAGGED", post, uid, clean({"time": time, "position": position})))

    def media(self, owner: str, url: str | None, role: str, time: int | None, out: list,
              mime: str | None = None) -> None:
        if not isinstance(url, str):
            return
        if role == "avatar":
            seen = f"{owner} {url}"
            if seen in self.done:
                return
            self.done.add(seen)
        uid = media_url_uid(url)
        if uid is None:
            return
        self.acc.add("Media", uid, clean({"url": url, "mime": mime}), time)
        edge = Edge("HAS_MEDIA", owner, uid, clean({"time": time, "role": role}))
        if role == "avatar":
            if edge.uid in self.done:
                return
            self.done.add(edge.uid)
        out.append(edge)

    def profile_link(self, account: str, raw: str | None, out: list) -> None:
        if not isinstance(raw, str):
            return
        seen = f"{account} {raw}"
        if seen in self.done:
            return
        self.done.add(seen)
        uid = url_records(self.acc, raw, self.expansions)
        if uid is None:
            return
        edge = Edge("PROFILE_LINK", account, uid)
        if edge.uid not in self.done:
            self.done.add(edge.uid)
            out.append(edge)
