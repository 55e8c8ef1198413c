"""snscrape's Mastodon items: ``Toot`` (with links, attachments, mentions and hashtags),
``Boost`` and ``User``. What they become is described in ``collectors/snscrape.py``.
"""

from __future__ import annotations

from typing import Any

from graphinv.normalize import normalise_handle, to_epoch
from graphinv.records import Edge, account_uid, post_uid

from .snscrape_common import SnscrapeReader, as_str, clean, first, url_parts


class MastodonReader(SnscrapeReader):
    """The Mastodon items of an snscrape JSONL file."""

    def mastodon_user(self, user: Any, time: int | None, out: list, instance: str | None = None) -> str | None:
        if not isinstance(user, dict):
            return None
        account = first(user, "account", "acct", "username")
        if not isinstance(account, str):
            return None
        handle = normalise_handle(account)
        if "@" not in handle and instance:
            handle = f"{handle}@{instance}"
        uid = account_uid("mastodon", handle)
        url = as_str(user.get("url"))
        if url is None and "@" in handle:
            name_part, host = handle.split("@", 1)
            url = f"https://{host}/@{name_part}"
        props = {
            "platform": "mastodon",
            "handle": handle,
            "display_name": as_str(first(user, "displayName", "display_name")),
            "url": url,
        }
        self.acc.add("Account", uid, props, time)
        if user.get("avatarUrl"):
            self.media(uid, user["avatarUrl"], "avatar", None, out)
        return uid

    def toot(self, item: dict, out: list) -> str:
        url = as_str(item.get("url"))
        parts = url_parts(url) if url else []
        instance = parts[0].lower() if parts else None
        tid = as_str(item.get("id")) or (parts[-1] if parts else None)
        if not tid or not instance:
            raise ValueError("toot without id or url")
        pid = f"{instance}/{tid}"
        uid = post_uid("mastodon", pid)
        time = to_epoch(item.get("date"))
        author = self.mastodon_user(first(item, "user", "account"), time, out, instance)
        if uid in self.posts:
            return uid
        self.posts.add(uid)
        text = first(item, "text", "content", "rawContent")
        spoiler = item.get("spoilerText")
        if isinstance(text, str) and isinstance(spoiler, str) and spoiler:
            text = f"{text}\n\n{spoiler}"  # snscrape puts the content warning in text
        props = {
            "platform": "mastodon",
            "post_id": pid,
            "account": author,
            "url": url,
            "created_at": time,
        }
        self.post(uid, props, text, time, out)
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
                    out.append(Edge("MENTIONS", uid, target, clean({"time": time})))
        self.hashtags(uid, item.get("hashtags"), time, out)
        return uid

    def boost(self, item: dict, out: list) -> None:
        toot = item.get("toot")
        if not isinstance(toot, dict):
            raise ValueError("Boost without toot")
        target = self.toot(toot, out)
        instance = url_parts(toot.get("url") or "x")[0].lower()
        booster = self.mastodon_user(first(item, "user", "account"), None, out, instance)
        if booster is None:
            raise ValueError("Boost without user")
        out.append(Edge("REPOSTED", booster, target, {}, key="boost"))

    def mastodon_user_item(self, item: dict, out: list) -> None:
        if self.mastodon_user(item, None, out) is None:
            raise ValueError("user without account")


HANDLERS = {
    "snscrape.modules.mastodon.Toot": MastodonReader.toot,
    "snscrape.modules.mastodon.Boost": MastodonReader.boost,
    "snscrape.modules.mastodon.User": MastodonReader.mastodon_user_item,
}
