"""Telegram (two channels and a group export), Mastodon, and the snscrape JSONL and
Telegram Desktop files of every platform.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphinv.records import account_uid

from .common import (DAY, FIRST, HOUR, LAST, LINEAGE_HOSTS, SNSCRAPE_VERSION, T0, TARGET_MASTODON, TARGET_NAME,
                     Account, Post, iso, scaled)

if TYPE_CHECKING:
    from . import Scenario


class ChannelsMixin:
    """The Telegram channels and export and the Mastodon toots of a scenario."""

    def telegram_channels(self) -> None:
        r = self.rng
        self.tg_posts: dict[str, list[dict]] = {"ostervale_truth": [], "ostervaletruth": []}
        n = 1
        ts = T0 - 4 * DAY
        while ts < self.d0 + 6 * HOUR:
            g = self.current_gen(ts)
            art = r.choice(self.articles[g])
            self.tg_posts["ostervale_truth"].append(self.tg_post("ostervale_truth", n, ts, art, True))
            n += r.randrange(1, 3)
            ts += r.randrange(20 * HOUR, 60 * HOUR)
        # channel deleted with the site; a backup channel a few days later
        self.observe("https://t.me/ostervale_truth", "telegram", "deleted", self.d0 + 2 * DAY, "manual-check",
                     account_uid("telegram", "ostervale_truth"))
        self.observe("https://t.me/ostervale_truth", "telegram", "active", T0 + 2 * DAY, "manual-check",
                     account_uid("telegram", "ostervale_truth"))
        ts = self.d0 + 3 * DAY + 5 * HOUR
        n = 2
        announced = [False, False, False]
        while ts < self.end:
            g = self.current_gen(ts)
            if n == 2:
                art = {"title": "New channel, same mission", "url": None,
                       "sents": ["The old channel was deleted. Forward this to everyone."]}
            elif g > 0 and not announced[g]:
                announced[g] = True
                art = {"title": "The site is back", "url": f"https://{LINEAGE_HOSTS[g]}/",
                       "sents": ["Bookmark the new address."]}
            elif g == 0:  # between sites: repost the old texts without working links
                art = {**r.choice(self.articles[0]), "url": None}
            else:
                art = r.choice(self.articles[g])
            self.tg_posts["ostervaletruth"].append(self.tg_post("ostervaletruth", n, ts, art, False))
            n += r.randrange(1, 3)
            ts += r.randrange(20 * HOUR, 60 * HOUR)
        self.observe("https://t.me/ostervaletruth", "telegram", "active", self.end - DAY, "manual-check",
                     account_uid("telegram", "ostervaletruth"))

    def tg_post(self, channel: str, n: int, ts: int, art: dict, s_url: bool) -> dict:
        r = self.rng
        url = art.get("url")
        content = f"{art['title']}\n\n{art['sents'][0]}" + (f"\n\n{url}" if url else "")
        views = int(math.exp(r.gauss(7.3, 0.6)))
        gran = 1
        if views >= 1000:
            gran = 100
            views = views // 100 * 100
        post = {"_type": "snscrape.modules.telegram.TelegramPost",
                "url": f"https://t.me/{'s/' if s_url else ''}{channel}/{n}",
                "date": iso(ts), "content": content,
                "outlinks": [url] if url else [],
                "mentions": [], "hashtags": ["OstervaleTruth"] if r.random() < 0.3 else [],
                "forwarded": None, "forwardedUrl": None,
                "media": [{"_type": "snscrape.modules.telegram.Photo",
                           "url": f"https://cdn4.telesco.pe/file/{hashlib.sha1(f'{channel}{n}'.encode()).hexdigest()}.jpg"}]
                if art.get("photo") else None,
                "views": views, "views.granularity": gran,
                "linkPreview": {"_type": "snscrape.modules.telegram.LinkPreview", "href": url,
                                "siteName": self.site_names[self.current_gen(ts)], "title": art["title"],
                                "description": art["sents"][0], "image": None} if url else None}
        if r.random() < 0.2 and post["views"] < 1000:
            del post["views.granularity"]  # older snscrape wrote a bare int
        post["outlinksss"] = " ".join(post["outlinks"])
        post["_snscrape"] = SNSCRAPE_VERSION
        post["_ts"] = ts
        return post

    def telegram_export(self) -> None:
        r = self.rng
        members = []
        for _ in range(scaled(18, self.scale, 6)):
            f = r.choice(FIRST).capitalize()
            members.append((f"{f} {r.choice(LAST).capitalize()}" if r.random() < 0.6 else f"{f} \u2693",
                            f"user{r.randrange(10**8, 7 * 10**9)}"))
        members.append(("Klaus | Nordwatch", "user5120448873"))
        channel_name, channel_id = "Ostervale Truth", 1873456012
        msgs: list[dict] = []
        ts = T0 - 10 * DAY
        msgs.append({"id": 1, "type": "service", "date": self.tg_date(ts), "date_unixtime": str(ts),
                     "actor": "Klaus | Nordwatch", "actor_id": "user5120448873", "action": "migrate_from_group",
                     "title": "Ostervale Patriots Chat", "text": "", "text_entities": []})
        mid = 2
        ts = T0 + 2 * HOUR
        while ts < self.end - HOUR:
            who = r.choice(members)
            kind = r.random()
            m = {"id": mid, "type": "message", "date": self.tg_date(ts), "date_unixtime": str(ts),
                 "from": who[0], "from_id": who[1]}
            g = self.current_gen(ts)
            if r.random() < 0.06:  # an admin posting anonymously as the channel
                m["from"], m["from_id"] = channel_name, f"channel{channel_id}"
            if kind < 0.18 and ts < self.d0:
                tp = r.choice(self.tg_posts["ostervale_truth"])
                m["forwarded_from"] = channel_name
                ents = [{"type": "plain", "text": tp["content"].split("\n\n")[0] + "\n\n"}]
                if tp["outlinks"]:
                    ents.append({"type": "link", "text": tp["outlinks"][0]})
            elif kind < 0.35:
                url = self.current_article(ts)
                if ts > self.d0 and self.current_gen(ts) == 0:
                    url = self.articles[0][0]["url"]
                ents = [{"type": "plain", "text": r.choice(["Read this: ", "New article ", "Spread it: "])},
                        {"type": "text_link", "text": "the harbour files", "href": url},
                        {"type": "plain", "text": " "},
                        {"type": "hashtag", "text": "#OstervaleTruth"}]
            elif kind < 0.5:
                ents = [{"type": "plain", "text": r.choice(["Who is going to the council meeting? ",
                                                            "Tag her: ", "Flood her replies "])},
                        {"type": "mention", "text": "@clarabenedek"}]
            elif kind < 0.55 and g > 0:
                ents = [{"type": "plain", "text": "Site is back at "},
                        {"type": "link", "text": f"https://{LINEAGE_HOSTS[g]}/"}]
            else:
                ents = [{"type": "plain", "text": r.choice([
                    "Good morning patriots", "They blocked the site again?", "Anyone have the backup link?",
                    "Made copies of everything.", "The council meets Thursday.", "Same as always.",
                    "Welcome to the new members.", "Don't post names here."])}]
            if len(msgs) > 5 and r.random() < 0.2:
                m["reply_to_message_id"] = r.choice([x["id"] for x in msgs[-8:] if x["type"] == "message"] or [1])
            m["text"] = self.tg_text(ents)
            m["text_entities"] = ents
            msgs.append(m)
            mid += r.randrange(1, 4)
            ts += int(r.expovariate(1 / (12 * HOUR))) + 60
        self.tg_export = {"name": "Ostervale Patriots Chat", "type": "public_supergroup",
                          "id": 1602938475, "messages": msgs}

    @staticmethod
    def tg_date(ts: int) -> str:
        # Telegram Desktop writes local time without a zone; the exporting machine ran on UTC.
        return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")

    @staticmethod
    def tg_text(ents: list[dict]) -> Any:
        if len(ents) == 1 and ents[0]["type"] == "plain":
            return ents[0]["text"]
        out: list[Any] = []
        for e in ents:
            if e["type"] == "plain":
                out.append(e["text"])
            else:
                out.append(dict(e))
        return out

    def mastodon(self) -> None:
        r = self.rng

        def user(account: str, display: str) -> dict:
            name, inst = account.lstrip("@").split("@")
            return {"_type": "snscrape.modules.mastodon.User", "account": account, "displayName": display,
                    "displayNameWithCustomEmojis": None,
                    "avatarUrl": f"https://{inst}/system/accounts/avatars/{r.randrange(10**17, 10**18)}/original/{name[:6]}.jpg",
                    "url": f"https://{inst}/@{name}"}

        real = user("@" + TARGET_MASTODON, TARGET_NAME)
        fake = user("@clara_benedek@freespeech-hub.example", TARGET_NAME)
        parody = user("@benedekparody@satire.example", "Clara Benedek (Parody)")
        boosters = [user(f"@{self.new_handle('name')}@social-ostervale.example", r.choice(FIRST).capitalize())
                    for _ in range(4)]
        self.mastodon_lines: list[dict] = []
        tid = 111900000000000000
        for _ in range(6):
            ts = T0 + r.randrange(0, self.k["days"] * DAY)
            tid += r.randrange(10**9, 10**11)
            toot = {"_type": "snscrape.modules.mastodon.Toot", "url": f"https://social-ostervale.example/@clarabenedek/{tid}",
                    "id": str(tid), "user": real, "date": iso(ts),
                    "text": r.choice(["Office hours this Thursday in the library, 17:00.",
                                      "The harbour budget, line by line: https://ostervale-council.example/budget-2026",
                                      "Thank you, volunteers of the lighthouse!",
                                      "Bus line 7 will run on Sundays from May."]),
                    "spoilerText": None, "attachments": None, "links": None, "mentionedUsers": None,
                    "hashtags": None, "poll": None}
            if "http" in toot["text"]:
                toot["links"] = ["https://ostervale-council.example/budget-2026"]
            self.mastodon_lines.append({**toot, "_snscrape": SNSCRAPE_VERSION, "_ts": ts})
            if r.random() < 0.6:
                self.mastodon_lines.append({"_type": "snscrape.modules.mastodon.Boost", "user": r.choice(boosters),
                                            "toot": toot, "_snscrape": SNSCRAPE_VERSION, "_ts": ts + 1})
        for text, u in [("I have resigned from the council. Statement follows.", fake),
                        ("Donations for my legal fund: see my profile.", fake),
                        ("Today I voted to rename the harbour after myself. #satire", parody)]:
            ts = T0 + r.randrange(20 * DAY, self.k["days"] * DAY)
            tid += r.randrange(10**9, 10**11)
            inst = u["account"].split("@")[2]
            name = u["account"].split("@")[1]
            self.mastodon_lines.append({"_type": "snscrape.modules.mastodon.Toot", "url": f"https://{inst}/@{name}/{tid}",
                                        "id": str(tid), "user": u, "date": iso(ts), "text": text, "spoilerText": None,
                                        "attachments": None, "links": None,
                                        "mentionedUsers": None, "hashtags": ["satire"] if "satire" in text else None,
                                        "poll": None, "_snscrape": SNSCRAPE_VERSION, "_ts": ts})
        self.mastodon_lines.sort(key=lambda x: x["_ts"])
        self.masto_fake_url = next(x["url"] for x in self.mastodon_lines if x.get("user") is fake)


def _user_json(acc: Account, minimal: bool = False) -> dict:
    d: dict[str, Any] = {"_type": "snscrape.modules.twitter.User", "username": acc.handle, "id": acc.user_id}
    if minimal:
        d.update({"displayname": acc.display, "rawDescription": None, "renderedDescription": None,
                  "descriptionLinks": None, "verified": None, "created": None, "followersCount": None,
                  "friendsCount": None, "statusesCount": None, "favouritesCount": None, "listedCount": None,
                  "mediaCount": None, "location": None, "protected": None, "link": None, "profileImageUrl": None,
                  "profileBannerUrl": None, "label": None, "blue": None, "blueType": None,
                  "profileImageShape": None, "description": None, "descriptionUrls": None, "linkTcourl": None,
                  "linkUrl": None, "url": f"https://twitter.com/{acc.handle}"})
        return d
    link = None
    if acc.link:
        link = {"_type": "snscrape.modules.twitter.TextLink", "text": acc.link.split("://", 1)[1].rstrip("/"),
                "url": acc.link, "tcourl": "https://t.co/" + hashlib.md5(acc.link.encode()).hexdigest()[:10],
                "indices": [0, 23]}
    d.update({"displayname": acc.display, "rawDescription": acc.bio, "renderedDescription": acc.bio,
              "descriptionLinks": [], "verified": acc.verified, "created": iso(acc.created),
              "followersCount": acc.followers, "friendsCount": acc.friends, "statusesCount": acc.statuses,
              "favouritesCount": acc.statuses // 3, "listedCount": acc.followers // 40,
              "mediaCount": acc.statuses // 20, "location": acc.location, "protected": False, "link": link,
              "profileImageUrl": acc.avatar_url.replace("_400x400", "_normal"), "profileBannerUrl": None,
              "label": None, "blue": False, "blueType": None, "profileImageShape": "Circle",
              "description": acc.bio, "descriptionUrls": [], "linkTcourl": link["tcourl"] if link else None,
              "linkUrl": acc.link, "url": f"https://twitter.com/{acc.handle}"})
    return d


_SOURCES = [("Twitter Web App", "https://mobile.twitter.com"), ("Twitter for Android", "http://twitter.com/download/android"),
            ("Twitter for iPhone", "http://twitter.com/download/iphone")]


def _tweet_json(p: Post, top: bool = True) -> dict:
    h = p.acc.handle
    raw = p.text
    links = []
    for u in p.links:
        if u not in raw:
            raw = f"{raw} {u}"
    for u in p.links:
        i = raw.find(u)
        tco = "https://t.co/" + hashlib.md5(f"{p.tid}{u}".encode()).hexdigest()[:10]
        disp = u.split("://", 1)[1]
        disp = disp if len(disp) <= 26 else disp[:25] + "\u2026"
        links.append({"_type": "snscrape.modules.twitter.TextLink", "text": disp, "url": u, "tcourl": tco,
                      "indices": [i, i + len(u)]})
    rendered = raw
    for ln in links:
        rendered = rendered.replace(ln["url"], ln["text"])
    media = None
    if p.photos:
        media = [{"_type": "snscrape.modules.twitter.Photo", "previewUrl": u.replace("name=large", "name=small"),
                  "fullUrl": u, "altText": None} for u in p.photos]
        raw = raw + " https://t.co/" + hashlib.md5(f"m{p.tid}".encode()).hexdigest()[:10]
        rendered = raw
    src = _SOURCES[p.tid % 3]
    conv = p.tid
    if p.reply_to is not None:
        q = p.reply_to
        while q.reply_to is not None:
            q = q.reply_to
        conv = q.tid
    rc, rtc, lc, qc = p.counts
    d: dict[str, Any] = {
        "_type": "snscrape.modules.twitter.Tweet",
        "url": f"https://twitter.com/{h}/status/{p.tid}", "date": iso(p.ts),
        "rawContent": raw, "renderedContent": rendered, "id": p.tid, "user": _user_json(p.acc),
        "replyCount": rc, "retweetCount": rtc, "likeCount": lc, "quoteCount": qc,
        "conversationId": conv, "lang": p.lang,
        "source": f'<a href="{src[1]}" rel="nofollow">{src[0]}</a>', "sourceUrl": src[1], "sourceLabel": src[0],
        "links": links or None, "media": media,
        "retweetedTweet": _tweet_json(p.retweeted, top=False) if p.retweeted else None,
        "quotedTweet": _tweet_json(p.quoted, top=False) if p.quoted else None,
        "inReplyToTweetId": p.reply_to.tid if p.reply_to else None,
        "inReplyToUser": _user_json(p.reply_to.acc, minimal=True) if p.reply_to else None,
        "mentionedUsers": [_user_json(a, minimal=True) for a in p.mentions] or None,
        "coordinates": None, "place": None,
        "hashtags": p.hashtags or None, "cashtags": None, "card": None,
        "viewCount": p.views, "vibe": None, "bookmarkCount": p.counts[2] // 10 if p.views else None,
        "pinned": None, "editState": None, "conversationControlPolicy": None,
        # deprecated aliases, as snscrape 0.7 still writes them
        "content": raw,
        "outlinks": [ln["url"] for ln in links], "outlinksss": " ".join(ln["url"] for ln in links),
        "tcooutlinks": [ln["tcourl"] for ln in links], "tcooutlinksss": " ".join(ln["tcourl"] for ln in links),
        "username": h,
    }
    if p.retweeted is not None:  # retweets carry no links/hashtags of their own in the v2 payloads
        d["links"] = None
        d["outlinks"], d["outlinksss"], d["tcooutlinks"], d["tcooutlinksss"] = [], "", [], ""
        d["hashtags"] = None
        d["mentionedUsers"] = [_user_json(p.retweeted.acc, minimal=True)]
    if top:
        d["_snscrape"] = SNSCRAPE_VERSION
    return d


def _dumps(obj: Any) -> str:
    # snscrape uses json.dumps with default separators and ensure_ascii
    return json.dumps(obj)

def write_social(sc: Scenario, out: Path) -> None:
    """Write ``snscrape/*.jsonl`` (Twitter, Telegram channels, Mastodon) and the Telegram export."""
    posts = sorted(sc.posts, key=lambda p: (-p.ts, -p.tid))  # search results come newest first
    with open(out / "snscrape" / "twitter-search-ostervale.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for p in posts:
            f.write(_dumps(_tweet_json(p)) + "\n")
    # a user scrape of the first chain account overlaps the search (duplicates on purpose)
    klaus = sc.chains[0][0]
    with open(out / "snscrape" / f"twitter-user-{klaus.handle}.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for p in sorted(sc.user_posts[klaus.handle.lower()], key=lambda p: -p.ts):
            f.write(_dumps(_tweet_json(p)) + "\n")
    for ch, lines in sc.tg_posts.items():
        with open(out / "snscrape" / f"telegram-channel-{ch}.jsonl", "w", encoding="utf-8", newline="\n") as f:
            for ln in sorted(lines, key=lambda x: -x["_ts"]):
                f.write(_dumps({k: v for k, v in ln.items() if k != "_ts"}) + "\n")
    with open(out / "snscrape" / "mastodon-toots.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for ln in sc.mastodon_lines:
            f.write(_dumps({k: v for k, v in ln.items() if k != "_ts"}) + "\n")
    # the Telegram Desktop export (pretty-printed, non-ASCII kept, as Telegram writes it)
    with open(out / "telegram" / "ChatExport_2026-04-30" / "result.json", "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(sc.tg_export, ensure_ascii=False, indent=1) + "\n")
