"""snscrape JSONL (``snscrape --jsonl …``): tweets, Telegram posts, Mastodon toots.

Items are told apart by ``_type`` (``snscrape.modules.twitter.Tweet`` …). Field names
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
end (:class:`collectors.base.Accumulator`). Posts carry ``source_file``.

Bad input: a line that is not JSON is ``Reject("bad_json")``, an object that is not a
known item ``Reject("unknown_type")``, an item whose fields cannot be read
``Reject("bad_item")``, a line above ``max_line_bytes`` (10 MB) ``Reject("line_too_long")``
(read in 1 MB chunks, never held whole), a cut-off gzip ``Reject("truncated_gzip")``
after everything readable. Reading always goes on.

Options: ``minhash`` (default True; False skips ``text_minhash``, ~40 % faster),
``num_perm`` (64), ``expansions`` (a dict of t.co link -> long URL),
``max_line_bytes``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterator

from graphinv.normalize import (
    minhash_words_batch,
    normalise_handle,
    normalise_text,
    text_fingerprints,
    to_epoch,
)
from graphinv.records import (
    Edge,
    Node,
    Record,
    Reject,
    account_uid,
    hashtag_uid,
    post_uid,
)

from .base import (
    MAX_LINE_BYTES,
    Accumulator,
    base_name,
    iter_lines,
    media_url_uid,
    peek,
    site_edges,
    url_records,
)

name = "snscrape"
description = "snscrape JSONL: tweets, Telegram channel posts, Mastodon toots and boosts"

_MINHASH_BATCH = 512
_EXTENSIONS = (".jsonl", ".ndjson", ".json", ".txt", ".jsonlines")
_MARKERS = (b'"_type": "snscrape.', b'"_type":"snscrape.', b'"_snscrape"')


def detect(path: Path) -> bool:
    """A ``.jsonl``/``.ndjson``/``.json``/``.txt`` (optionally ``.gz``) whose first line
    is a JSON object written by snscrape (``_type`` is its first key)."""
    if not base_name(path).endswith(_EXTENSIONS):
        return False
    head = peek(path, 4096).lstrip()
    if not head.startswith(b"{"):
        return False
    first = head.split(b"\n", 1)[0]
    return any(marker in first for marker in _MARKERS)


# ------------------------------------------------------------------ small readers


def _int(value: Any) -> int | None:
    """An int from an int, a float, a numeric string or a [value, granularity] pair."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (list, tuple)):
        return _int(value[0]) if value else None
    if isinstance(value, dict):
        return _int(value.get("value"))
    if isinstance(value, int):
        return value
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    return str(value)


def _first(item: dict, *keys: str) -> Any:
    for key in keys:
        value = item.get(key)
        if value is not None and value != "":
            return value
    return None


def _clean(props: dict) -> dict:
    return {k: v for k, v in props.items() if v is not None and v != ""}


def _url_parts(url: str) -> list[str]:
    """``https://t.me/s/chan/5?x`` -> ``['t.me', 's', 'chan', '5']``."""
    rest = url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    return [p for p in rest.split("/") if p]


class _Reader:
    """State for one file: the accumulator and what was already emitted."""

    def __init__(self, path: Path, minhash: bool, num_perm: int, expansions: dict | None):
        self.source = str(path)
        self.minhash = minhash
        self.num_perm = num_perm
        self.acc = Accumulator()
        self.posts: set[str] = set()  # full posts already emitted
        self.stubs: set[str] = set()  # stub posts already emitted
        self.done: set[str] = set()  # account-level edges already emitted
        self.expansions: dict = dict(expansions or {})
        self.pending: list[tuple[dict, list[str]]] = []  # posts waiting for their MinHash

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
            out.append(Node("Post", uid, _clean({"platform": platform, "post_id": pid, "account": account, "url": url})))
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
            out.append(Edge("LINKS_TO", post, uid, _clean({"time": time, "anchor": anchor})))

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
            out.append(Edge("TAGGED", post, uid, _clean({"time": time, "position": position})))

    def media(self, owner: str, url: str | None, role: str, time: int | None, out: list, mime: str | None = None) -> None:
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
        self.acc.add("Media", uid, _clean({"url": url, "mime": mime}), time)
        edge = Edge("HAS_MEDIA", owner, uid, _clean({"time": time, "role": role}))
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

    # -- Twitter -------------------------------------------------------------

    def twitter_user(self, user: Any, time: int | None, out: list) -> str | None:
        if not isinstance(user, dict):
            return None
        username = _first(user, "username", "screen_name")
        if not isinstance(username, str):
            return None
        uid = account_uid("twitter", username)
        if not self.acc.touch(uid, time):
            return uid  # seen before with later activity: nothing new to read
        created = user.get("created")
        props = {
            "platform": "twitter",
            "handle": normalise_handle(username),
            "display_name": _str(_first(user, "displayname", "displayName", "name")),
            "bio": _str(_first(user, "rawDescription", "description", "renderedDescription")),
            "url": _str(user.get("url")) or f"https://twitter.com/{username}",
            "created_at": to_epoch(created) if created is not None else None,
            "followers": _int(_first(user, "followersCount", "followers")),
            "verified": user["verified"] if isinstance(user.get("verified"), bool) else None,
        }
        self.acc.add("Account", uid, props, time)
        link = user.get("link")
        if isinstance(link, dict):
            tco, long = link.get("tcourl"), link.get("url")
            if isinstance(tco, str) and isinstance(long, str):
                self.expansions[tco] = long
            self.profile_link(uid, long or tco, out)
        elif user.get("linkUrl") or user.get("linkTcourl"):
            tco, long = user.get("linkTcourl"), user.get("linkUrl")
            if isinstance(tco, str) and isinstance(long, str):
                self.expansions[tco] = long
            self.profile_link(uid, long or tco, out)
        avatar = user.get("profileImageUrl")
        if avatar:
            self.media(uid, avatar, "avatar", None, out)
        return uid

    def tweet(self, t: dict, out: list) -> str:
        pid = _str(t.get("id")) or _str(t.get("id_str"))
        url = _str(t.get("url"))
        if pid is None and url:
            pid = _url_parts(url)[-1]
        if not pid:
            raise ValueError("tweet without id or url")
        uid = post_uid("twitter", pid)
        time = to_epoch(t.get("date"))
        user = t.get("user")
        if not isinstance(user, dict) and isinstance(t.get("username"), str):
            user = {"username": t["username"]}  # snscrape < 0.4
        author = self.twitter_user(user, time, out)

        original = t.get("retweetedTweet")
        if isinstance(original, dict):
            target = self.tweet(original, out)
            if author:
                out.append(Edge("REPOSTED", author, target, _clean({"time": time, "repost_uid": uid}), key=pid))
            return uid

        if uid in self.posts:
            return uid  # the same tweet again (retweeted or quoted many times)
        self.posts.add(uid)
        self.stubs.discard(uid)
        text = _first(t, "rawContent", "content", "renderedContent")
        props = {
            "platform": "twitter",
            "post_id": pid,
            "account": author,
            "url": url,
            "lang": _str(t.get("lang")),
            "created_at": time,
            "views": _int(_first(t, "viewCount", "views")),
            "reposts": _int(t.get("retweetCount")),
            "likes": _int(t.get("likeCount")),
            "source_file": self.source,
            "first_seen": time,
            "last_seen": time,
        }
        props = _clean(props)
        self.text_props(props, text if isinstance(text, str) else None)
        out.append(Node("Post", uid, props))
        if author:
            out.append(Edge("POSTED", author, uid, _clean({"time": time})))

        quoted = t.get("quotedTweet")
        if isinstance(quoted, dict):
            target = self.tweet(quoted, out)
            out.append(Edge("QUOTED", uid, target, _clean({"time": time})))

        reply_to = _first(t, "inReplyToTweetId", "in_reply_to_status_id")
        if reply_to is not None:
            reply_user = self.twitter_user(t.get("inReplyToUser"), None, out)
            target = self.stub_post("twitter", str(reply_to), out, account=reply_user)
            out.append(Edge("REPLIED_TO", uid, target, _clean({"time": time})))

        urls: list[tuple[str, str | None]] = []
        links = t.get("links")
        if isinstance(links, list) and links:
            for link in links:
                if isinstance(link, dict):
                    tco, long = link.get("tcourl"), link.get("url")
                    if isinstance(tco, str) and isinstance(long, str):
                        self.expansions[tco] = long
                    urls.append((long or tco, _str(link.get("text"))))
                elif isinstance(link, str):
                    urls.append((link, None))
        else:
            outlinks = t.get("outlinks")
            tcos = t.get("tcooutlinks")
            if isinstance(outlinks, str):  # "outlinksss": space separated
                outlinks = outlinks.split()
            if isinstance(tcos, str):
                tcos = tcos.split()
            if isinstance(outlinks, list) and isinstance(tcos, list) and len(outlinks) == len(tcos):
                for tco, long in zip(tcos, outlinks):
                    if isinstance(tco, str) and isinstance(long, str):
                        self.expansions[tco] = long
            for raw in (outlinks or tcos or []):
                urls.append((raw, None))
        if urls:
            self.links(uid, urls, time, out)

        media = t.get("media")
        if isinstance(media, list):
            for medium in media:
                self.tweet_medium(uid, medium, time, out)

        mentioned = t.get("mentionedUsers")
        if isinstance(mentioned, list):
            seen = set()
            for user in mentioned:
                target = self.twitter_user(user, None, out)
                if target and target not in seen:
                    seen.add(target)
                    out.append(Edge("MENTIONS", uid, target, _clean({"time": time})))
        self.hashtags(uid, t.get("hashtags"), time, out)
        return uid

    def tweet_medium(self, post: str, medium: Any, time: int | None, out: list) -> None:
        if not isinstance(medium, dict):
            return
        kind = str(medium.get("_type") or medium.get("type") or "").rsplit(".", 1)[-1].lower()
        if kind == "photo" or "fullUrl" in medium:
            url = _first(medium, "fullUrl", "previewUrl", "url")
            self.media(post, url, "photo", time, out, "image/jpeg" if url and "jpg" in url else None)
            return
        variants = medium.get("variants")
        best, mime = None, None
        if isinstance(variants, list):
            ranked = [
                v for v in variants
                if isinstance(v, dict) and isinstance(v.get("url"), str)
            ]
            ranked.sort(key=lambda v: (v.get("contentType") == "video/mp4", _int(v.get("bitrate")) or 0))
            if ranked:
                best, mime = ranked[-1]["url"], _str(ranked[-1].get("contentType"))
        url = best or _first(medium, "thumbnailUrl", "url")
        self.media(post, url, "gif" if kind in ("gif", "animatedgif") else "video", time, out, mime)

    def twitter_account_item(self, user: dict, out: list) -> None:
        if self.twitter_user(user, None, out) is None:
            raise ValueError("user without username")

    def tweet_ref(self, item: dict, out: list) -> None:
        pid = _str(item.get("id"))
        if not pid:
            raise ValueError("TweetRef without id")
        self.stub_post("twitter", pid, out)

    # -- Telegram ------------------------------------------------------------

    def telegram_channel(self, channel: str, time: int | None, extra: dict | None = None) -> str:
        uid = account_uid("telegram", channel)
        props = {"platform": "telegram", "handle": normalise_handle(channel), "url": f"https://t.me/{channel}"}
        if extra:
            props.update(extra)
        self.acc.add("Account", uid, props, time)
        return uid

    @staticmethod
    def telegram_ref(url: str) -> tuple[str, str] | None:
        parts = _url_parts(url)
        if len(parts) >= 3 and parts[0].lower() in ("t.me", "telegram.me", "www.t.me"):
            rest = parts[1:]
            if rest[0] == "s" and len(rest) >= 3:
                rest = rest[1:]
            if len(rest) >= 2 and rest[1].isdigit():
                return rest[0], rest[1]
        return None

    def telegram_post(self, item: dict, out: list) -> None:
        url = _str(item.get("url"))
        ref = self.telegram_ref(url) if url else None
        if ref is None:
            raise ValueError(f"TelegramPost url {url!r} is not t.me/CHANNEL/ID")
        channel, number = ref
        pid = f"{channel.lower()}/{number}"
        uid = post_uid("telegram", pid)
        time = to_epoch(item.get("date"))
        author = self.telegram_channel(channel, time)

        forwarded_url = _str(item.get("forwardedUrl"))
        fref = self.telegram_ref(forwarded_url) if forwarded_url else None
        forwarded = item.get("forwarded")
        if fref is not None or isinstance(forwarded, dict):
            source = None
            if isinstance(forwarded, dict) and isinstance(forwarded.get("username"), str):
                source = self.telegram_channel(forwarded["username"], None)
            elif fref is not None:
                source = self.telegram_channel(fref[0], None)
            if fref is not None:
                target = post_uid("telegram", f"{fref[0].lower()}/{fref[1]}")
                props = {"platform": "telegram", "post_id": f"{fref[0].lower()}/{fref[1]}",
                         "account": source, "url": f"https://t.me/{fref[0]}/{fref[1]}"}
            else:
                fingerprint = text_fingerprints(item.get("content") or "", self.num_perm, False)
                key = f"fwd:{normalise_handle(forwarded.get('username'))}:{fingerprint[0][:16] if fingerprint else pid}"
                target = post_uid("telegram", key)
                props = {"platform": "telegram", "post_id": key, "account": source}
            if target not in self.posts:
                self.posts.add(target)
                text = _first(item, "rawContent", "content")
                props = _clean(props)
                self.text_props(props, text if isinstance(text, str) else None)
                out.append(Node("Post", target, props))
                if source:
                    out.append(Edge("POSTED", source, target))
                self.telegram_body(target, item, time, out)
            out.append(Edge("REPOSTED", author, target, _clean({"time": time, "repost_uid": uid}), key=pid))
            return

        if uid in self.posts:
            return
        self.posts.add(uid)
        text = _first(item, "rawContent", "content")
        props = {
            "platform": "telegram",
            "post_id": pid,
            "account": author,
            "url": f"https://t.me/{channel}/{number}",
            "created_at": time,
            "views": _int(item.get("views")),
            "source_file": self.source,
            "first_seen": time,
            "last_seen": time,
        }
        props = _clean(props)
        self.text_props(props, text if isinstance(text, str) else None)
        out.append(Node("Post", uid, props))
        out.append(Edge("POSTED", author, uid, _clean({"time": time})))
        self.telegram_body(uid, item, time, out)

    def telegram_body(self, uid: str, item: dict, time: int | None, out: list) -> None:
        urls = [(u, None) for u in (item.get("outlinks") or []) if isinstance(u, str)]
        preview = item.get("linkPreview")
        if isinstance(preview, dict) and isinstance(preview.get("href"), str):
            urls.append((preview["href"], _str(preview.get("title"))))
        if urls:
            self.links(uid, urls, time, out)
        mentions = item.get("mentions")
        if isinstance(mentions, list):
            seen = set()
            for handle in mentions:
                if isinstance(handle, str) and handle.strip().lstrip("@"):
                    target = self.telegram_channel(handle.strip().lstrip("@"), None)
                    if target not in seen:
                        seen.add(target)
                        out.append(Edge("MENTIONS", uid, target, _clean({"time": time})))
        self.hashtags(uid, item.get("hashtags"), time, out)
        media = item.get("media")
        if isinstance(media, list):
            for medium in media:
                if isinstance(medium, dict):
                    kind = str(medium.get("_type", "")).rsplit(".", 1)[-1].lower()
                    url = _first(medium, "url", "fullUrl", "thumbnailUrl")
                    self.media(uid, url, "video" if "video" in kind else "photo", time, out)

    def telegram_channel_item(self, item: dict, out: list) -> None:
        username = item.get("username")
        if not isinstance(username, str):
            raise ValueError("Channel without username")
        uid = self.telegram_channel(username, None, _clean({
            "display_name": _str(item.get("title")),
            "bio": _str(item.get("description")),
            "followers": _int(item.get("members")),
            "verified": item["verified"] if isinstance(item.get("verified"), bool) else None,
        }))
        if item.get("photo"):
            self.media(uid, item["photo"], "avatar", None, out)

    # -- Mastodon ------------------------------------------------------------

    def mastodon_user(self, user: Any, time: int | None, out: list, instance: str | None = None) -> str | None:
        if not isinstance(user, dict):
            return None
        account = _first(user, "account", "acct", "username")
        if not isinstance(account, str):
            return None
        handle = normalise_handle(account)
        if "@" not in handle and instance:
            handle = f"{handle}@{instance}"
        uid = account_uid("mastodon", handle)
        url = _str(user.get("url"))
        if url is None and "@" in handle:
            name_part, host = handle.split("@", 1)
            url = f"https://{host}/@{name_part}"
        props = {
            "platform": "mastodon",
            "handle": handle,
            "display_name": _str(_first(user, "displayName", "display_name")),
            "url": url,
        }
        self.acc.add("Account", uid, props, time)
        if user.get("avatarUrl"):
            self.media(uid, user["avatarUrl"], "avatar", None, out)
        return uid

    def toot(self, item: dict, out: list) -> str:
        url = _str(item.get("url"))
        parts = _url_parts(url) if url else []
        instance = parts[0].lower() if parts else None
        tid = _str(item.get("id")) or (parts[-1] if parts else None)
        if not tid or not instance:
            raise ValueError("toot without id or url")
        pid = f"{instance}/{tid}"
        uid = post_uid("mastodon", pid)
        time = to_epoch(item.get("date"))
        author = self.mastodon_user(_first(item, "user", "account"), time, out, instance)
        if uid in self.posts:
            return uid
        self.posts.add(uid)
        text = _first(item, "text", "content", "rawContent")
        spoiler = item.get("spoilerText")
        if isinstance(text, str) and isinstance(spoiler, str) and spoiler:
            text = f"{text}\n\n{spoiler}"  # snscrape puts the content warning in text
        props = {
            "platform": "mastodon",
            "post_id": pid,
            "account": author,
            "url": url,
            "created_at": time,
            "source_file": self.source,
            "first_seen": time,
            "last_seen": time,
        }
        props = _clean(props)
        self.text_props(props, text if isinstance(text, str) else None)
        out.append(Node("Post", uid, props))
        if author:
            out.append(Edge("POSTED", author, uid, _clean({"time": time})))
        links = item.get("links")
        if isinstance(links, list):
            self.links(uid, [(u, None) for u in links if isinstance(u, str)], time, out)
        attachments = item.get("attachments")
        if isinstance(attachments, list):
            for attachment in attachments:
                if isinstance(attachment, dict):
                    self.media(uid, attachment.get("url"), "attachment", time, out)
        mentioned = item.get("mentionedUsers")
        if isinstance(mentioned, list):
            seen = set()
            for user in mentioned:
                target = self.mastodon_user(user, None, out)
                if target and target not in seen:
                    seen.add(target)
                    out.append(Edge("MENTIONS", uid, target, _clean({"time": time})))
        self.hashtags(uid, item.get("hashtags"), time, out)
        return uid

    def boost(self, item: dict, out: list) -> None:
        toot = item.get("toot")
        if not isinstance(toot, dict):
            raise ValueError("Boost without toot")
        target = self.toot(toot, out)
        instance = _url_parts(toot.get("url") or "x")[0].lower()
        booster = self.mastodon_user(_first(item, "user", "account"), None, out, instance)
        if booster is None:
            raise ValueError("Boost without user")
        out.append(Edge("REPOSTED", booster, target, {}, key="boost"))

    def mastodon_user_item(self, item: dict, out: list) -> None:
        if self.mastodon_user(item, None, out) is None:
            raise ValueError("user without account")


_HANDLERS = {
    "snscrape.modules.twitter.Tweet": _Reader.tweet,
    "snscrape.modules.twitter.TweetRef": _Reader.tweet_ref,
    "snscrape.modules.twitter.User": _Reader.twitter_account_item,
    "snscrape.modules.telegram.TelegramPost": _Reader.telegram_post,
    "snscrape.modules.telegram.Channel": _Reader.telegram_channel_item,
    "snscrape.modules.mastodon.Toot": _Reader.toot,
    "snscrape.modules.mastodon.Boost": _Reader.boost,
    "snscrape.modules.mastodon.User": _Reader.mastodon_user_item,
}


def _guess_type(item: dict) -> str | None:
    """Items from snscrape versions that wrote no ``_type`` (before 0.4)."""
    url = item.get("url")
    if isinstance(url, str) and "id" in item:
        if "/status/" in url and ("twitter.com" in url or "x.com" in url):
            return "snscrape.modules.twitter.Tweet"
    if isinstance(url, str) and "t.me/" in url and "date" in item:
        return "snscrape.modules.telegram.TelegramPost"
    return None


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
    path = Path(path)
    reader = _Reader(path, minhash, num_perm, expansions)
    loads = json.loads
    queue: list[Record] = []  # records held until their posts' MinHashes are filled
    for lineno, raw, problem in iter_lines(path, max_line_bytes):
        where = f"{path}:{lineno}"
        if problem:
            detail = f"line longer than {max_line_bytes} bytes" if problem == "line_too_long" else "gzip stream ends early"
            queue.append(Reject(problem, detail, where))
            continue
        if not raw.strip():
            continue
        try:
            item = loads(raw)
        except ValueError as exc:
            queue.append(Reject("bad_json", str(exc)[:200], where))
            continue
        if not isinstance(item, dict):
            queue.append(Reject("bad_json", f"a JSON {type(item).__name__}, not an object", where))
            continue
        kind = item.get("_type") or _guess_type(item)
        handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is None:
            queue.append(Reject("unknown_type", f"_type {kind!r}" if kind else "no _type", where))
            continue
        out: list[Record] = []
        pending = len(reader.pending)
        try:
            handler(reader, item, out)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            del reader.pending[pending:]
            queue.append(Reject("bad_item", f"{type(exc).__name__}: {exc}"[:200], where))
            continue
        queue.extend(out)
        if len(reader.pending) >= _MINHASH_BATCH or (not reader.pending and len(queue) >= _MINHASH_BATCH):
            reader.fill_minhashes()
            yield from queue
            queue = []
    reader.fill_minhashes()
    yield from queue
    yield from site_edges(reader.acc)
    yield from reader.acc.drain()
