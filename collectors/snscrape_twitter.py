"""snscrape's Twitter items: ``Tweet`` (with its retweeted and quoted tweets, replies,
links, media, mentions and hashtags), ``User`` and ``TweetRef``. What they become is
described in ``collectors/snscrape.py``.
"""

from __future__ import annotations

from typing import Any

from graphinv.normalize import normalise_handle, to_epoch
from graphinv.records import Edge, account_uid, post_uid

from .snscrape_common import SnscrapeReader, as_int, as_str, clean, first, url_parts


class TwitterReader(SnscrapeReader):
    """The Twitter items of an snscrape JSONL file."""

    def twitter_user(self, user: Any, time: int | None, out: list) -> str | None:
        if not isinstance(user, dict):
            return None
        username = first(user, "username", "screen_name")
        if not isinstance(username, str):
            return None
        uid = account_uid("twitter", username)
        if not self.acc.touch(uid, time):
            return uid  # seen before with later activity: nothing new to read
        created = user.get("created")
        props = {
            "platform": "twitter",
            "handle": normalise_handle(username),
            "display_name": as_str(first(user, "displayname", "displayName", "name")),
            "bio": as_str(first(user, "rawDescription", "description", "renderedDescription")),
            "url": as_str(user.get("url")) or f"https://twitter.com/{username}",
            "created_at": to_epoch(created) if created is not None else None,
            "followers": self.number(first(user, "followersCount", "followers")),
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
        pid = as_str(t.get("id")) or as_str(t.get("id_str"))
        url = as_str(t.get("url"))
        if pid is None and url:
            pid = url_parts(url)[-1]
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
                out.append(Edge("REPOSTED", author, target, clean({"time": time, "repost_uid": uid}), key=pid))
            return uid

        if uid in self.posts:
            return uid  # the same tweet again (retweeted or quoted many times)
        self.posts.add(uid)
        self.stubs.discard(uid)
        text = first(t, "rawContent", "content", "renderedContent")
        props = {
            "platform": "twitter",
            "post_id": pid,
            "account": author,
            "url": url,
            "lang": as_str(t.get("lang")),
            "created_at": time,
            "views": self.number(first(t, "viewCount", "views")),
            "reposts": self.number(t.get("retweetCount")),
            "likes": self.number(t.get("likeCount")),
        }
        self.post(uid, props, text, time, out)

        quoted = t.get("quotedTweet")
        if isinstance(quoted, dict):
            target = self.tweet(quoted, out)
            out.append(Edge("QUOTED", uid, target, clean({"time": time})))

        reply_to = first(t, "inReplyToTweetId", "in_reply_to_status_id")
        if reply_to is not None:
            reply_user = self.twitter_user(t.get("inReplyToUser"), None, out)
            target = self.stub_post("twitter", str(reply_to), out, account=reply_user)
            out.append(Edge("REPLIED_TO", uid, target, clean({"time": time})))

        urls: list[tuple[str, str | None]] = []
        links = t.get("links")
        if isinstance(links, list) and links:
            for link in links:
                if isinstance(link, dict):
                    tco, long = link.get("tcourl"), link.get("url")
                    if isinstance(tco, str) and isinstance(long, str):
                        self.expansions[tco] = long
                    urls.append((long or tco, as_str(link.get("text"))))
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
                    out.append(Edge("MENTIONS", uid, target, clean({"time": time})))
        self.hashtags(uid, t.get("hashtags"), time, out)
        return uid

    def tweet_medium(self, post: str, medium: Any, time: int | None, out: list) -> None:
        if not isinstance(medium, dict):
            return
        kind = str(medium.get("_type") or medium.get("type") or "").rsplit(".", 1)[-1].lower()
        if kind == "photo" or "fullUrl" in medium:
            url = first(medium, "fullUrl", "previewUrl", "url")
            self.media(post, url, "photo", time, out, "image/jpeg" if url and "jpg" in url else None)
            return
        variants = medium.get("variants")
        best, mime = None, None
        if isinstance(variants, list):
            ranked = [
                v for v in variants
                if isinstance(v, dict) and isinstance(v.get("url"), str)
            ]
            ranked.sort(key=lambda v: (v.get("contentType") == "video/mp4", as_int(v.get("bitrate")) or 0))
            if ranked:
                best, mime = ranked[-1]["url"], as_str(ranked[-1].get("contentType"))
        url = best or first(medium, "thumbnailUrl", "url")
        self.media(post, url, "gif" if kind in ("gif", "animatedgif") else "video", time, out, mime)

    def twitter_account_item(self, user: dict, out: list) -> None:
        if self.twitter_user(user, None, out) is None:
            raise ValueError("user without username")

    def tweet_ref(self, item: dict, out: list) -> None:
        pid = as_str(item.get("id"))
        if not pid:
            raise ValueError("TweetRef without id")
        self.stub_post("twitter", pid, out)


HANDLERS = {
    "snscrape.modules.twitter.Tweet": TwitterReader.tweet,
    "snscrape.modules.twitter.TweetRef": TwitterReader.tweet_ref,
    "snscrape.modules.twitter.User": TwitterReader.twitter_account_item,
}
