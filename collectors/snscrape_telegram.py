"""snscrape's Telegram items: ``TelegramPost`` (a channel post or a forward, with its
links, link preview, mentions, hashtags and media) and ``Channel``. What they become is
described in ``collectors/snscrape.py``.
"""

from __future__ import annotations

from graphinv.normalize import normalise_handle, text_fingerprints, to_epoch
from graphinv.records import Edge, Node, account_uid, post_uid
from graphinv.vocabulary import platform_of_host

from .snscrape_common import SnscrapeReader, as_str, clean, first, url_parts


class TelegramReader(SnscrapeReader):
    """The Telegram items of an snscrape JSONL file."""

    def telegram_channel(self, channel: str, time: int | None, extra: dict | None = None) -> str:
        uid = account_uid("telegram", channel)
        props = {"platform": "telegram", "handle": normalise_handle(channel), "url": f"https://t.me/{channel}"}
        if extra:
            props.update(extra)
        self.acc.add("Account", uid, props, time)
        return uid

    @staticmethod
    def telegram_ref(url: str) -> tuple[str, str] | None:
        parts = url_parts(url)
        if len(parts) >= 3 and platform_of_host(parts[0]) == "telegram":
            rest = parts[1:]
            if rest[0] == "s" and len(rest) >= 3:
                rest = rest[1:]
            if len(rest) >= 2 and rest[1].isdigit():
                return rest[0], rest[1]
        return None

    def telegram_post(self, item: dict, out: list) -> None:
        url = as_str(item.get("url"))
        ref = self.telegram_ref(url) if url else None
        if ref is None:
            raise ValueError(f"TelegramPost url {url!r} is not t.me/CHANNEL/ID")
        channel, number = ref
        pid = f"{channel.lower()}/{number}"
        uid = post_uid("telegram", pid)
        time = to_epoch(item.get("date"))
        author = self.telegram_channel(channel, time)

        forwarded_url = as_str(item.get("forwardedUrl"))
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
                text = first(item, "rawContent", "content")
                props = clean(props)
                self.text_props(props, text if isinstance(text, str) else None)
                out.append(Node("Post", target, props))
                if source:
                    out.append(Edge("POSTED", source, target))
                self.telegram_body(target, item, time, out)
            out.append(Edge("REPOSTED", author, target, clean({"time": time, "repost_uid": uid}), key=pid))
            return

        if uid in self.posts:
            return
        self.posts.add(uid)
        text = first(item, "rawContent", "content")
        props = {
            "platform": "telegram",
            "post_id": pid,
            "account": author,
            "url": f"https://t.me/{channel}/{number}",
            "created_at": time,
            "views": self.number(item.get("views")),
        }
        self.post(uid, props, text, time, out)
        self.telegram_body(uid, item, time, out)

    def telegram_body(self, uid: str, item: dict, time: int | None, out: list) -> None:
        urls = [(u, None) for u in (item.get("outlinks") or []) if isinstance(u, str)]
        preview = item.get("linkPreview")
        if isinstance(preview, dict) and isinstance(preview.get("href"), str):
            urls.append((preview["href"], as_str(preview.get("title"))))
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
                        out.append(Edge("MENTIONS", uid, target, clean({"time": time})))
        self.hashtags(uid, item.get("hashtags"), time, out)
        media = item.get("media")
        if isinstance(media, list):
            for medium in media:
                if isinstance(medium, dict):
                    kind = str(medium.get("_type", "")).rsplit(".", 1)[-1].lower()
                    url = first(medium, "url", "fullUrl", "thumbnailUrl")
                    self.media(uid, url, "video" if "video" in kind else "photo", time, out)

    def telegram_channel_item(self, item: dict, out: list) -> None:
        username = item.get("username")
        if not isinstance(username, str):
            raise ValueError("Channel without username")
        uid = self.telegram_channel(username, None, clean({
            "display_name": as_str(item.get("title")),
            "bio": as_str(item.get("description")),
            "followers": self.number(item.get("members")),
            "verified": item["verified"] if isinstance(item.get("verified"), bool) else None,
        }))
        if item.get("photo"):
            self.media(uid, item["photo"], "avatar", None, out)


HANDLERS = {
    "snscrape.modules.telegram.TelegramPost": TelegramReader.telegram_post,
    "snscrape.modules.telegram.Channel": TelegramReader.telegram_channel_item,
}
