"""twarc and twarc2 JSONL: tweets from the Twitter API v1.1 and v2, as researchers kept
them from the API years.

Four shapes, told apart line by line:

- v1.1 (``twarc search``, ``twarc filter``…): one tweet object a line (``id_str``,
  ``full_text`` or ``text``/``extended_tweet``, ``user``, ``entities``,
  ``retweeted_status``, ``quoted_status``);
- v2 raw (``twarc2 search`` and the other commands): one API response a line,
  ``{"data": [tweet…], "includes": {"users", "tweets", "media"}, "__twarc": …}``; each
  tweet's author, referenced tweets and media are looked up in ``includes``;
- v2 flat (``twarc2 flatten``): one tweet a line with ``author`` and the referenced
  tweets written into it;
- v2 users (``twarc2 followers``…): ``data`` holds users, which become Accounts.

Each tweet is read as the snscrape collector reads its tweets (the same uids: a tweet
collected by both tools is one Post), so retweets, quotes, replies, links (t.co expanded
from ``entities.urls``), mentions, hashtags and media become what
``collectors/snscrape.py`` describes. A line is a ``Capture``; its capture time is
``__twarc.retrieved_at`` (twarc writes it on every line). A line of another shape (a
v1.1 ``delete`` notice, a ``limit`` message, an error response) is
``Reject("unknown_type")``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from graphinv.records import Record

from .base import MAX_LINE_BYTES, base_name
from .snscrape import json_head, read_jsonl

name = "twarc"
description = "twarc / twarc2 JSONL: tweets from the Twitter API v1.1 and v2 (raw and flattened)"
# What a file gives depends on that file and the options only: ingest may read it in a
# reader process (graphinv/ingest.py).
PARALLEL = True

_EXTENSIONS = (".jsonl", ".ndjson", ".json", ".txt", ".jsonlines")
_V1_DATE = re.compile(r'"created_at"\s*:\s*"[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} ')
_V2_MARKERS = (b'"edit_history_tweet_ids"', b'"author_id"', b'"conversation_id"', b'"public_metrics"')


def detect(path: Path) -> bool:
    """A JSONL file whose first line is a twarc line: it carries ``__twarc``, or is a v1.1
    tweet (``id_str`` and a ``created_at`` like ``Wed Oct 10 20:19:24 +0000 2018``) or a
    v2 tweet or response (``author_id``, ``edit_history_tweet_ids``…)."""
    if not base_name(path).endswith(_EXTENSIONS):
        return False
    head = json_head(path)
    if not head.startswith(b"{") or b'"_type"' in head[:200]:
        return False
    first = head.split(b"\n", 1)[0]
    if b'"__twarc"' in first:
        return True
    if b'"id_str"' in first and _V1_DATE.search(first.decode("utf-8", "replace")):
        return True
    return sum(marker in first for marker in _V2_MARKERS) >= 2


# ------------------------------------------------------------------ v1.1


def _v1_date(value: Any) -> str | None:
    """``Wed Oct 10 20:19:24 +0000 2018`` as ISO 8601."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").isoformat()
    except ValueError:
        return value  # let the reader try it as it is


def v1_user(user: Any) -> dict | None:
    if not isinstance(user, dict):
        return None
    urls = ((user.get("entities") or {}).get("url") or {}).get("urls") or []
    link = urls[0] if urls and isinstance(urls[0], dict) else {}
    return {"username": user.get("screen_name"), "displayname": user.get("name"),
            "rawDescription": user.get("description"), "followersCount": user.get("followers_count"),
            "verified": user.get("verified"), "created": _v1_date(user.get("created_at")),
            "profileImageUrl": user.get("profile_image_url_https") or user.get("profile_image_url"),
            "link": {"url": link.get("expanded_url"), "tcourl": link.get("url")} if link else None}


def v1_tweet(tweet: dict) -> dict:
    """A v1.1 tweet object in snscrape's field names."""
    full = tweet.get("extended_tweet") if isinstance(tweet.get("extended_tweet"), dict) else tweet
    entities = full.get("entities") or tweet.get("entities") or {}
    extended = full.get("extended_entities") or tweet.get("extended_entities") or {}
    user = v1_user(tweet.get("user"))
    tid = tweet.get("id_str") or tweet.get("id")
    item: dict[str, Any] = {
        "id": tid,
        "url": f"https://twitter.com/{user['username']}/status/{tid}" if user and user.get("username") else None,
        "date": _v1_date(tweet.get("created_at")),
        "rawContent": full.get("full_text") or tweet.get("full_text") or full.get("text") or tweet.get("text"),
        "user": user, "lang": tweet.get("lang"),
        "retweetCount": tweet.get("retweet_count"), "likeCount": tweet.get("favorite_count"),
        "links": [{"url": u.get("expanded_url"), "tcourl": u.get("url"), "text": u.get("display_url")}
                  for u in entities.get("urls") or [] if isinstance(u, dict)],
        "mentionedUsers": [{"username": m.get("screen_name"), "displayname": m.get("name")}
                           for m in entities.get("user_mentions") or [] if isinstance(m, dict)],
        "hashtags": [h.get("text") for h in entities.get("hashtags") or [] if isinstance(h, dict)],
        "media": [_v1_medium(m) for m in extended.get("media") or entities.get("media") or [] if isinstance(m, dict)],
    }
    if isinstance(tweet.get("retweeted_status"), dict):
        item["retweetedTweet"] = v1_tweet(tweet["retweeted_status"])
    if isinstance(tweet.get("quoted_status"), dict):
        item["quotedTweet"] = v1_tweet(tweet["quoted_status"])
    if tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id"):
        item["inReplyToTweetId"] = tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id")
        if tweet.get("in_reply_to_screen_name"):
            item["inReplyToUser"] = {"username": tweet["in_reply_to_screen_name"]}
    return item


def _v1_medium(medium: dict) -> dict:
    variants = (medium.get("video_info") or {}).get("variants")
    if medium.get("type") in ("video", "animated_gif") and isinstance(variants, list):
        return {"_type": "gif" if medium["type"] == "animated_gif" else "video",
                "variants": [{"url": v.get("url"), "contentType": v.get("content_type"), "bitrate": v.get("bitrate")}
                             for v in variants if isinstance(v, dict)]}
    return {"_type": "photo", "fullUrl": medium.get("media_url_https") or medium.get("media_url")}


# ------------------------------------------------------------------ v2


def v2_user(user: Any) -> dict | None:
    if not isinstance(user, dict):
        return None
    metrics = user.get("public_metrics") or {}
    urls = ((user.get("entities") or {}).get("url") or {}).get("urls") or []
    link = urls[0] if urls and isinstance(urls[0], dict) else {}
    return {"username": user.get("username"), "displayname": user.get("name"),
            "rawDescription": user.get("description"), "followersCount": metrics.get("followers_count"),
            "verified": user.get("verified"), "created": user.get("created_at"),
            "profileImageUrl": user.get("profile_image_url"),
            "link": {"url": link.get("expanded_url"), "tcourl": link.get("url")} if link else None}


class _Includes:
    """A v2 response's ``includes``, by id (empty for a flattened line: what it refers to
    is written into the tweet itself)."""

    def __init__(self, includes: Any):
        includes = includes if isinstance(includes, dict) else {}

        def by(key: str, field: str) -> dict:
            return {str(x.get(field)): x for x in includes.get(key) or [] if isinstance(x, dict)}

        self.users, self.tweets, self.media = by("users", "id"), by("tweets", "id"), by("media", "media_key")


def v2_tweet(tweet: dict, includes: _Includes, depth: int = 0) -> dict:
    """A v2 tweet (raw, with its response's ``includes``, or flattened) in snscrape's names."""
    author = tweet.get("author") if isinstance(tweet.get("author"), dict) else includes.users.get(
        str(tweet.get("author_id")))
    user = v2_user(author)
    entities = tweet.get("entities") or {}
    metrics = tweet.get("public_metrics") or {}
    note = tweet.get("note_tweet") if isinstance(tweet.get("note_tweet"), dict) else {}
    tid = tweet.get("id")
    item: dict[str, Any] = {
        "id": tid,
        "url": f"https://twitter.com/{user['username']}/status/{tid}" if user and user.get("username") else None,
        "date": tweet.get("created_at"), "rawContent": note.get("text") or tweet.get("text"),
        "user": user, "lang": tweet.get("lang"),
        "retweetCount": metrics.get("retweet_count"), "likeCount": metrics.get("like_count"),
        "viewCount": metrics.get("impression_count"),
        "links": [{"url": u.get("unwound_url") or u.get("expanded_url"), "tcourl": u.get("url"),
                   "text": u.get("display_url")} for u in entities.get("urls") or [] if isinstance(u, dict)],
        "mentionedUsers": [{"username": m.get("username")} for m in entities.get("mentions") or []
                           if isinstance(m, dict)],
        "hashtags": [h.get("tag") for h in entities.get("hashtags") or [] if isinstance(h, dict)],
        "media": [_v2_medium(m) for m in _v2_media(tweet, includes)],
    }
    for ref in tweet.get("referenced_tweets") or []:
        if not isinstance(ref, dict) or depth > 3:
            continue
        # Flattened lines hold the referenced tweet itself; raw ones only its id.
        full = ref if "text" in ref else includes.tweets.get(str(ref.get("id")))
        if ref.get("type") == "replied_to":
            item["inReplyToTweetId"] = ref.get("id")
            replied = includes.users.get(str(tweet.get("in_reply_to_user_id")))
            if replied is None and full is not None:
                replied = full.get("author") or includes.users.get(str(full.get("author_id")))
            if isinstance(replied, dict):
                item["inReplyToUser"] = {"username": replied.get("username")}
        elif full is not None and ref.get("type") == "retweeted":
            item["retweetedTweet"] = v2_tweet(full, includes, depth + 1)
        elif full is not None and ref.get("type") == "quoted":
            item["quotedTweet"] = v2_tweet(full, includes, depth + 1)
    return item


def _v2_media(tweet: dict, includes: _Includes) -> list[dict]:
    attachments = tweet.get("attachments") or {}
    if isinstance(attachments.get("media"), list):  # flattened
        return [m for m in attachments["media"] if isinstance(m, dict)]
    return [includes.media[k] for k in attachments.get("media_keys") or [] if k in includes.media]


def _v2_medium(medium: dict) -> dict:
    if medium.get("type") in ("video", "animated_gif"):
        return {"_type": "gif" if medium["type"] == "animated_gif" else "video",
                "thumbnailUrl": medium.get("preview_image_url"),
                "variants": [{"url": v.get("url"), "contentType": v.get("content_type"), "bitrate": v.get("bit_rate")}
                             for v in medium.get("variants") or [] if isinstance(v, dict)]}
    return {"_type": "photo", "fullUrl": medium.get("url")}


# ------------------------------------------------------------------ lines


def _twarc_line(reader, item: dict, out: list) -> str | None:
    if isinstance(item.get("data"), (list, dict)):  # a v2 response
        includes = _Includes(item.get("includes"))
        data = item["data"] if isinstance(item["data"], list) else [item["data"]]
        for entry in (d for d in data if isinstance(d, dict)):
            if "text" in entry:
                reader.tweet(v2_tweet(entry, includes), out)
            elif entry.get("username"):
                reader.twitter_account_item(v2_user(entry), out)
        return None
    if "text" in item and ("author_id" in item or "edit_history_tweet_ids" in item):  # flattened v2
        reader.tweet(v2_tweet(item, _Includes(None)), out)
        return None
    if item.get("id_str") and isinstance(item.get("user"), dict):  # v1.1
        reader.tweet(v1_tweet(item), out)
        return None
    return "not a tweet or a v2 response (" + ", ".join(sorted(item)[:5]) + ")"


def collect(path: Path, *, minhash: bool = True, num_perm: int = 64, expansions: dict | None = None,
            max_line_bytes: int = MAX_LINE_BYTES, **_options: Any) -> Iterator[Record]:
    """Records of one twarc or twarc2 JSONL file (see the module docstring)."""
    return read_jsonl(path, _twarc_line, minhash=minhash, num_perm=num_perm, expansions=expansions,
                      max_line_bytes=max_line_bytes)
