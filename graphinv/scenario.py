"""The seeded demo scenario: a fictional harassment network, written in real capture formats.

:func:`generate` writes a complete, self-consistent investigation into ``out_dir`` and
returns the ground truth (also written as ``truth.json``). Everything is fictional: the
town of Ostervale, the councillor Clara Benedek, every account and every ``.example``
domain. The files are in the formats other tools write, so the real-format collectors
read them:

* ``snscrape/*.jsonl``: ``snscrape --jsonl`` output (snscrape 0.7 field names) for
  Twitter search/user scrapes, two Telegram channels and Mastodon toots/boosts;
* ``telegram/ChatExport_2026-04-30/result.json``: a Telegram Desktop JSON export;
* ``web/*.warc.gz``: crawls written with warcio (warcinfo, request and response
  records), and ``web/saved/*.html``: pages saved from a browser;
* ``csv/*.csv``: observations, takedown reports, targets and a share table.

The output is byte-for-byte deterministic for a given seed and knobs: no wall clock,
WARC record ids and dates come from the seeded generator.

>>> import tempfile
>>> truth = generate(tempfile.mkdtemp(), seed=3, scale=0.2)
>>> truth["seed"], len(truth["site_lineages"][0])
(3, 3)
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import formatdate
from pathlib import Path
from typing import Any

from graphinv.records import account_uid, post_uid, site_uid, target_uid

SNSCRAPE_VERSION = "0.7.0.20230622"
T0 = int(datetime(2026, 3, 1, tzinfo=timezone.utc).timestamp())
DAY = 86400
HOUR = 3600
TWITTER_EPOCH_MS = 1288834974657

DEFAULTS: dict[str, Any] = {
    "days": 60,  # length of the observed period, from 2026-03-01
    "takedown_day": 18,  # day the first harassment site is taken down (451)
    "gap_days": 6,  # days between a site going down and its successor appearing
    "gen1_life_days": 14,  # how long the second site lives before a 404
    "account_gap_days": 2,  # days between a suspension and the re-created account
    "n_background": 80,  # organic accounts
    "n_decoys": 8,  # decoy sites sharing only a common ID; digit-suffix decoy pairs = n_decoys // 2
    "n_raid": 18,  # accounts in the repost raid
    "raid_posts": 4,  # posts the raid amplifies
    "n_copypaste": 14,  # accounts in the copy-paste campaign
    "copypaste_waves": 3,
    "viral_retweets": 32,  # organic retweets of the viral decoy post
    "crawl_every_days": 7,
}

TARGET_NAME = "Clara Benedek"
TARGET_TWITTER = "clarabenedek"
TARGET_MASTODON = "clarabenedek@social-ostervale.example"
GROUP_TARGET = "Ostervale Welcome Association"

LINEAGE_DOMAINS = ["ostervale-truth.example", "ostervale-facts.example", "truth-ostervale.example"]
LINEAGE_HOSTS = ["ostervale-truth.example", "www.ostervale-facts.example", "truth-ostervale.example"]
# Rare IDs, shared only by the lineage.
RARE_UA = "UA-48213907-1"
RARE_G = "G-7QX2M4KD9P"
RARE_PUB = "ca-pub-5930418276354012"
RARE_YM = "93847561"
RARE_FB = "481726350918273"
# A site-builder template's tag manager container: on many unrelated sites.
COMMON_GTM = "GTM-K7Q2ZP8"

FIRST = ["anna", "jonas", "lena", "mats", "ida", "paul", "greta", "noah", "mila", "finn", "ella",
         "leon", "sofie", "emil", "hanna", "theo", "nora", "oskar", "lotte", "karl", "frida", "jan",
         "marie", "sven", "tilda", "rasmus", "helga", "otto", "liv", "arne", "britt", "henrik",
         "judith", "kai", "maren", "per", "ronja", "ulf", "vera", "wim"]
LAST = ["berg", "lund", "holm", "falk", "strand", "dahl", "wiese", "brandt", "kroll", "moor",
        "sand", "vik", "horn", "eck", "lind", "kamp", "roth", "haas", "voss", "thal"]
WORDS = ["harbour", "gull", "tide", "quay", "lantern", "dune", "ferry", "reed", "pier", "kite",
         "anchor", "salt", "heron", "mill", "clover", "pebble", "birch", "otter"]
PLACES = ["Mill Street", "Quay Road", "the old ferry pier", "Lantern Square", "the north dunes",
          "the station", "Birch Lane", "the town hall", "the marina", "Heron Park"]

SUBJECTS = ["the harbour festival", "the new bike lane on Mill Street", "the library reopening",
            "Saturday's market", "the ferry timetable", "the youth football cup", "the rain this week",
            "the bakery on Quay Road", "the school concert", "road works near the station",
            "the swimming pool prices", "the choir rehearsal", "the lighthouse tour",
            "the recycling schedule", "jazz night at the Anchor", "the kite contest on the dunes",
            "the new bus line 7", "the seal colony boat trip", "the flea market in Heron Park",
            "the town marathon", "the spring cleanup", "the tide tables", "the cinema club"]
OPINIONS = ["is finally happening", "was lovely", "needs better signage", "made my day",
            "is a mess again", "deserves more attention", "was packed", "starts next week",
            "got postponed", "is worth a visit", "surprised everyone", "could use volunteers",
            "is the talk of the town", "went better than expected", "needs a rethink"]
EXTRAS = ["Anyone going?", "Photos later.", "Thanks to all the volunteers!", "Who else noticed?",
          "Bring an umbrella.", "See you there.", "Not bad at all.", "Fingers crossed.",
          "My kids loved it.", "Quite the crowd.", "Let's see.", "Honestly.", "Worth it.", ""]
BG_TAGS = ["#Ostervale", "#harbourfest", "#OstervaleFC", "#coastlife", "#localnews", "#spring"]


@dataclass
class Account:
    platform: str
    handle: str
    user_id: int
    display: str
    bio: str
    created: int
    followers: int
    link: str | None = None
    location: str = ""
    verified: bool = False
    avatar_key: int = 0  # which synthetic face
    avatar_variant: int = 0  # which re-encoding of it
    avatar_url: str = ""
    role: str = "background"
    friends: int = 0
    statuses: int = 0


@dataclass
class Post:
    tid: int
    acc: Account
    ts: int
    text: str
    links: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    mentions: list[Account] = field(default_factory=list)
    reply_to: "Post | None" = None
    quoted: "Post | None" = None
    retweeted: "Post | None" = None
    photos: list[str] = field(default_factory=list)
    lang: str = "en"
    role: str = "background"
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # reply, retweet, like, quote
    views: int | None = None


# --------------------------------------------------------------------------- helpers


def iso(ts: int) -> str:
    """snscrape's ISO form (``datetime.isoformat`` of an aware UTC datetime)."""
    return datetime.fromtimestamp(ts, timezone.utc).isoformat()


def isoz(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _scaled(n: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, int(round(n * scale)))


class _Images:
    """Synthetic pictures: faces for avatars and the stolen photo, re-encoded per variant."""

    def __init__(self) -> None:
        self._cache: dict[tuple, bytes] = {}

    @staticmethod
    def _face(key: int, size: int):
        from PIL import Image, ImageDraw

        r = random.Random(key * 7919 + 13)
        img = Image.new("RGB", (128, 128))
        d = ImageDraw.Draw(img)
        c1 = tuple(r.randrange(40, 220) for _ in range(3))
        c2 = tuple(r.randrange(40, 220) for _ in range(3))
        for y in range(128):  # vertical gradient background
            t = y / 127
            d.line([(0, y), (127, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(c1, c2)))
        for _ in range(r.randrange(3, 6)):
            x0, y0 = r.randrange(0, 100), r.randrange(0, 100)
            w, h = r.randrange(20, 70), r.randrange(20, 70)
            col = tuple(r.randrange(0, 256) for _ in range(3))
            if r.random() < 0.5:
                d.ellipse([x0, y0, x0 + w, y0 + h], fill=col)
            else:
                d.rectangle([x0, y0, x0 + w, y0 + h], fill=col)
        skin = tuple(r.randrange(120, 240) for _ in range(3))
        d.ellipse([40, 28, 88, 84], fill=skin)  # head
        d.pieslice([22, 80, 106, 170], 180, 360, fill=tuple(r.randrange(0, 160) for _ in range(3)))
        return img.resize((size, size)) if size != 128 else img

    @staticmethod
    def _photo(size: tuple[int, int]):
        from PIL import Image, ImageDraw

        r = random.Random(4242)
        img = Image.new("RGB", (320, 240))
        d = ImageDraw.Draw(img)
        for y in range(240):
            t = y / 239
            d.line([(0, y), (319, y)], fill=(int(90 + 120 * t), int(140 + 60 * t), int(200 - 80 * t)))
        d.rectangle([0, 170, 319, 239], fill=(70, 90, 110))  # harbour water
        d.rectangle([200, 60, 250, 175], fill=(180, 40, 40))  # lighthouse
        d.polygon([(195, 60), (255, 60), (225, 30)], fill=(60, 60, 60))
        for _ in range(12):
            x, y = r.randrange(0, 300), r.randrange(170, 230)
            d.ellipse([x, y, x + 18, y + 6], fill=(200, 210, 220))
        d.ellipse([70, 70, 120, 125], fill=(225, 190, 160))  # the person in the photo
        d.rectangle([60, 125, 130, 200], fill=(30, 50, 120))
        return img.resize(size) if size != (320, 240) else img

    def avatar(self, key: int, variant: int) -> bytes:
        k = ("a", key, variant)
        if k not in self._cache:
            sizes = [96, 88, 80, 96, 72]
            quality = [80, 66, 74, 58, 70]
            img = self._face(key, sizes[variant % 5])
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=quality[variant % 5])
            self._cache[k] = buf.getvalue()
        return self._cache[k]

    def photo(self, variant: int) -> bytes:
        k = ("p", variant)
        if k not in self._cache:
            sizes = [(320, 240), (300, 225), (320, 240), (288, 216)]
            quality = [90, 68, 55, 78]
            img = self._photo(sizes[variant % 4])
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=quality[variant % 4], optimize=variant % 2 == 1)
            self._cache[k] = buf.getvalue()
        return self._cache[k]


# --------------------------------------------------------------------------- scenario


class _Scenario:
    def __init__(self, seed: int, scale: float, knobs: dict[str, Any]) -> None:
        unknown = set(knobs) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown scenario knobs: {', '.join(sorted(unknown))}")
        self.seed = seed
        self.scale = scale
        self.k = {**DEFAULTS, **knobs}
        self.rng = random.Random(seed)
        self.images = _Images()
        self.accounts: dict[str, Account] = {}
        self.posts: list[Post] = []
        self.user_posts: dict[str, list[Post]] = {}
        self.seq = 0
        self.observations: list[dict] = []  # entity, platform, status, observed_at, source (+uid)
        self.reports: list[dict] = []
        self.shares: list[tuple] = []
        self.truth: dict[str, Any] = {}
        self.captured_avatars: list[Account] = []
        self.end = T0 + self.k["days"] * DAY
        k = self.k
        self.d0 = T0 + k["takedown_day"] * DAY + 9 * HOUR  # gen0 withheld
        self.g1_start = self.d0 + k["gap_days"] * DAY + 5 * HOUR
        self.d1 = self.g1_start + k["gen1_life_days"] * DAY
        self.g2_start = self.d1 + k["gap_days"] * DAY + 7 * HOUR
        self.gen_start = [T0 - 40 * DAY, self.g1_start, self.g2_start]
        self.gen_down = [self.d0, self.d1, None]

    # ---- ids and names
    def tweet_id(self, ts: int) -> int:
        self.seq += 1
        return ((ts * 1000 + self.seq % 997 - TWITTER_EPOCH_MS) << 22) | (self.seq & 0x3FFFFF)

    def new_handle(self, style: str = "name") -> str:
        r = self.rng
        while True:
            if style == "name":
                f, l = r.choice(FIRST), r.choice(LAST)
                h = r.choice([f"{f}_{l}", f"{f}{l}", f"{f}.{l}".replace(".", "_"), f"{f}_{l[0]}",
                              f"{f}{r.randrange(1, 99)}", f"{f}_{l}{r.randrange(70, 100)}"])
            else:  # throwaway-looking
                h = f"{r.choice(WORDS)}_{r.choice(WORDS)}{r.randrange(100, 9999)}"
            if h.lower() not in self.accounts and len(h) <= 15:
                return h

    def add_account(self, handle: str, display: str, bio: str, created: int, role: str,
                    followers: int | None = None, link: str | None = None, avatar_key: int | None = None,
                    avatar_variant: int = 0, verified: bool = False, location: str = "") -> Account:
        r = self.rng
        if followers is None:
            followers = int(math.exp(r.gauss(4.5, 1.4)))
        acc = Account("twitter", handle, r.randrange(10**17, 10**19) if created > T0 - 400 * DAY
                      else r.randrange(10**7, 10**10), display, bio, created, followers, link,
                      location, verified, avatar_key if avatar_key is not None else r.randrange(10**6),
                      avatar_variant, role=role, friends=int(math.exp(r.gauss(5, 1))),
                      statuses=r.randrange(10, 20000))
        acc.avatar_url = (f"https://pbs.twimg.com/profile_images/{r.randrange(10**18, 10**19)}/"
                          f"{''.join(r.choice('abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789_-') for _ in range(8))}_400x400.jpg")
        assert handle.lower() not in self.accounts, handle
        self.accounts[handle.lower()] = acc
        return acc

    def post(self, acc: Account, ts: int, text: str, role: str = "background", **kw) -> Post:
        p = Post(self.tweet_id(ts), acc, ts, text, role=role, **kw)
        r = self.rng
        if p.retweeted is None:
            p.views = int(math.exp(r.gauss(5, 1.3))) if r.random() < 0.9 else None
            p.counts = (r.randrange(0, 4), r.randrange(0, 6), r.randrange(0, 30), r.randrange(0, 2))
        else:
            p.counts = p.retweeted.counts
        self.posts.append(p)
        self.user_posts.setdefault(acc.handle.lower(), []).append(p)
        return p

    def retweet(self, acc: Account, ts: int, orig: Post, role: str) -> Post:
        p = self.post(acc, ts, f"RT @{orig.acc.handle}: {orig.text}", role=role, retweeted=orig,
                      lang=orig.lang)
        self.shares.append((acc.handle.lower(), str(orig.tid), str(p.tid), ts, role))
        return p

    def observe(self, entity: str, platform: str, status: str, ts: int, source: str, uid: str) -> None:
        self.observations.append({"entity": entity, "platform": platform, "status": status,
                                  "observed_at": ts, "source": source, "_uid": uid})

    # ---- story
    def build(self) -> None:
        self.sites_and_articles()
        self.target_and_impersonators()
        self.background()
        self.reappearing_accounts()
        self.raid()
        self.copy_paste()
        self.viral_decoy()
        self.attacks()
        self.telegram_channels()
        self.telegram_export()
        self.mastodon()
        self.takedown_reports()

    # .... web
    def sites_and_articles(self) -> None:
        r = self.rng
        k = self.k
        self.site_names = ["Ostervale Truth", "Ostervale Facts", "Truth Ostervale"]
        base_articles = [
            ("The harbour files: where did 2.4 million go?", "harbour-files",
             ["The harbour renovation budget of Ostervale grew by 2.4 million in one year.",
              "Councillor Clara Benedek signed every single transfer herself.",
              "Documents passed to our editors show payments to a consultancy nobody has heard of.",
              "The consultancy shares an address with a relative of the councillor.",
              "When asked, the council press office refused to comment.",
              "Residents of Quay Road were told there was no money for new streetlights.",
              "At the same time the marina received heated benches and a fountain.",
              "We publish the transfer list below so every citizen can check it.",
              "Benedek has blocked critics on social media instead of answering questions.",
              "The next council meeting is on Thursday and the public gallery is open.",
              "Ask her yourself: why was the tender never published?",
              "This article will be updated as more documents arrive."]),
            ("Who really runs the Welcome Association?", "welcome-association",
             ["The Ostervale Welcome Association received three council grants since 2024.",
              "Its board meets in a room rented from the council for one euro a year.",
              "Councillor Benedek chairs the committee that approves those grants.",
              "The association's accounts for last year have still not been filed.",
              "Volunteers told us that meetings are announced only to insiders.",
              "Nobody voted on the extension of the lease in public.",
              "Citizens deserve to know where their money goes.",
              "We asked the association for a statement and received none.",
              "The grant committee meets again next month.",
              "Share this article before it disappears."]),
            ("Benedek's secret meeting at the marina", "secret-meeting",
             ["On a Friday night in February a black car stopped at the marina office.",
              "Witnesses say Clara Benedek left the building with two developers.",
              "One week later the marina expansion was on the council agenda.",
              "The minutes of that meeting do not mention any visitors.",
              "The developers own land right next to the planned expansion.",
              "Our photo shows the councillor leaving the marina office.",
              "The press office called our questions a smear campaign.",
              "Judge for yourself and come to the next council meeting.",
              "We will keep reporting no matter how often they censor us."]),
            ("Open letter to the council", "open-letter",
             ["We, concerned citizens of Ostervale, demand a full audit of the harbour budget.",
              "We demand that councillor Benedek steps aside until the audit is complete.",
              "We demand that the tender documents are published online.",
              "We demand public minutes for every grant committee meeting.",
              "Sign the letter by sharing it with your neighbours.",
              "Print it and put it in every letterbox on Mill Street.",
              "Together we are louder than their press office."]),
        ]
        new_articles = [
            ("They censored us, we are back", "we-are-back",
             ["Our old website was blocked by a court order last month.",
              "They thought the questions would go away with it.",
              "Every article is back online and we have new documents.",
              "Councillor Benedek still has not explained the harbour transfers.",
              "Bookmark this address and follow our channel in case they try again.",
              "Thank you to everyone who kept copies of our reporting."]),
            ("The marina contracts, part two", "marina-contracts-2",
             ["New papers show the marina contracts were signed before the vote.",
              "The signature on page four belongs to councillor Clara Benedek.",
              "The developers paid for a study that the council later quoted as independent.",
              "Ask your councillor why this was never disclosed.",
              "We will publish part three next week."]),
        ]
        self.articles: list[list[dict]] = [[], [], []]
        # gen0: the four originals
        for title, slug, sents in base_articles:
            self.articles[0].append({"title": title, "slug": slug, "sents": list(sents), "key": slug,
                                     "photo": slug in ("harbour-files", "secret-meeting")})
        # gen1: republishes three with small edits, plus a new one
        for art in self.articles[0][:3]:
            self.articles[1].append(self.edit_article(art, 1))
        t, s, sents = new_articles[0]
        self.articles[1].append({"title": t, "slug": s, "sents": list(sents), "key": s, "photo": False})
        # gen2: republishes two originals and gen1's new one, plus another new one
        for art in [self.articles[0][0], self.articles[0][2], self.articles[1][3]]:
            self.articles[2].append(self.edit_article(art, 2))
        t, s, sents = new_articles[1]
        self.articles[2].append({"title": t, "slug": s, "sents": list(sents), "key": s, "photo": True})
        for g, arts in enumerate(self.articles):
            for a in arts:
                a["url"] = self.article_url(g, a["slug"])
        self.photo_urls = [f"https://{LINEAGE_HOSTS[0]}/wp-content/uploads/2026/02/marina-office.jpg",
                           f"https://{LINEAGE_HOSTS[1]}/img/upload/benedek_marina.jpeg",
                           f"https://{LINEAGE_HOSTS[2]}/media/marina_1.jpg"]

        # decoy sites: unrelated sites sharing only the widespread GTM container
        topics = [("Ostervale Sailing Club", "sailing-club-ostervale.example"),
                  ("Heron Park Dental", "heronpark-dental.example"),
                  ("Quay Road Books", "quayroad-books.example"),
                  ("Dune Yoga Studio", "dune-yoga.example"),
                  ("Lantern Square Florist", "lantern-florist.example"),
                  ("North Coast Plumbing", "northcoast-plumbing.example"),
                  ("Mill Street Cinema Club", "millstreet-cinema.example"),
                  ("Kite & Sail Shop", "kiteandsail.example"),
                  ("Gull Island Ferries", "gullisland-ferries.example"),
                  ("Birch Lane Kindergarten", "birchlane-kita.example"),
                  ("Salt & Pebble Cafe", "saltpebble-cafe.example"),
                  ("Otter Bay Camping", "otterbay-camping.example")]
        n = max(2, int(round(k["n_decoys"] * min(1.0, max(self.scale, 0.25)))))
        n = min(n, len(topics))
        self.decoy_sites: list[dict] = []
        for name, dom in topics[:n]:
            self.decoy_sites.append({"name": name, "host": "www." + dom if r.random() < 0.5 else dom,
                                     "domain": dom, "ids": {"gtm": COMMON_GTM,
                                                            "ua": f"UA-{r.randrange(10**7, 10**8)}-1"},
                                     "start": T0 - 300 * DAY, "down": None, "kind": "common-id"})
        # similar names, nothing else shared
        for name, dom in [("Ostervale Times", "ostervale-times.example"),
                          ("Ostervale Tours", "ostervale-tours.example"),
                          ("Truth Garden", "truthgarden.example")]:
            self.decoy_sites.append({"name": name, "host": dom, "domain": dom,
                                     "ids": {"g": f"G-{''.join(r.choice('ABCDEFGHJKLMNPQRSTUVWXYZ23456789') for _ in range(10))}"},
                                     "start": T0 - 500 * DAY, "down": None, "kind": "similar-name"})
        # a site that goes away and an unrelated one that appears days later, same common GTM
        self.decoy_sites.append({"name": "Old Town Bakery", "host": "oldtown-bakery.example",
                                 "domain": "oldtown-bakery.example", "ids": {"gtm": COMMON_GTM},
                                 "start": T0 - 200 * DAY, "down": T0 + 20 * DAY, "kind": "down"})
        self.decoy_sites.append({"name": "Riverside Bakery", "host": "riverside-bakery.example",
                                 "domain": "riverside-bakery.example", "ids": {"gtm": COMMON_GTM},
                                 "start": T0 + 20 * DAY + k["gap_days"] * DAY, "down": None, "kind": "new"})

    def article_url(self, gen: int, slug: str) -> str:
        host = LINEAGE_HOSTS[gen]
        if gen == 0:
            return f"https://{host}/2026/02/{slug}/"
        if gen == 1:
            return f"https://{host}/articles/{slug}.html"
        return f"https://{host}/p/{slug}"

    SYN = {"councillor": "council member", "refused": "declined", "documents": "papers",
           "citizens": "residents", "article": "report", "meeting": "session", "shows": "proves",
           "every": "each", "received": "got", "publish": "post", "questions": "inquiries",
           "Residents": "People", "photo": "picture", "signed": "approved", "demand": "insist"}

    def edit_article(self, art: dict, gen: int) -> dict:
        r = random.Random(f"{self.seed}-{art['key']}-{gen}")
        sents = []
        for s in art["sents"]:
            words = s.split(" ")
            for i, w in enumerate(words):
                if w in self.SYN and r.random() < 0.6:
                    words[i] = self.SYN[w]
            sents.append(" ".join(words))
        if len(sents) > 6 and r.random() < 0.7:
            del sents[r.randrange(2, len(sents))]
        sents.insert(r.randrange(1, len(sents)), r.choice([
            "This article was first published on our old site before it was censored.",
            "Republished because they tried to silence us.",
            "Mirror copy: the original was removed after pressure from the council."]))
        title = art["title"] if r.random() < 0.5 else art["title"].replace("?", "?!").rstrip() + " (republished)"
        return {**art, "title": title, "sents": sents}

    # .... accounts
    def target_and_impersonators(self) -> None:
        r = self.rng
        tbio = "Councillor for Ostervale East. Harbour, housing, libraries. Views my own."
        self.target = self.add_account(TARGET_TWITTER, TARGET_NAME, tbio, T0 - 2000 * DAY, "target",
                                       followers=4210, link="https://ostervale-council.example/benedek",
                                       avatar_key=1001, verified=True, location="Ostervale")
        self.captured_avatars.append(self.target)
        self.group = self.add_account("ostervale_welcome", "Ostervale Welcome Association",
                                      "Volunteers helping newcomers settle in Ostervale. Language cafe every Tuesday.",
                                      T0 - 1500 * DAY, "target", followers=830,
                                      link="https://ostervale-welcome.example/", location="Ostervale")
        imps = [("clarabenedek_officiel", TARGET_NAME, tbio),
                ("realclarabenedek", TARGET_NAME, "The real Clara Benedek. Councillor for Ostervale East."),
                ("clara_benedek", TARGET_NAME, tbio.replace("Views my own.", "DMs open.")),
                ("cIarabenedek", TARGET_NAME, tbio),  # capital I for l
                ("clarabenedek_", "Clara Benedek \u2713", "Councillor, Ostervale East. Official account.")]
        self.impostors = []
        for i, (h, disp, bio) in enumerate(imps):
            acc = self.add_account(h, disp, bio, T0 + r.randrange(8, 40) * DAY, "impostor",
                                   followers=r.randrange(3, 90), avatar_key=1001, avatar_variant=1 + i % 4,
                                   link=r.choice([None, "https://ostervale-council.example/benedek"]))
            self.impostors.append(acc)
            self.captured_avatars.append(acc)
        decoys = [("clarabenedekfan", "Clara Benedek Fan Club",
                   "Fan account. Not affiliated with Clara Benedek. Cheering for Ostervale East!"),
                  ("benedekparody", "Clara Benedek (Parody)",
                   "Parody account. Satire, obviously. Not the councillor."),
                  ("benedekwatch", "Clara Benedek Watch",
                   "Critic. Tracking every council vote of Clara Benedek. Unofficial."),
                  ("clara_bennett", "Clara Bennett",
                   "Baker, mother of two, runner. Ostervale born and raised.")]
        self.imp_decoys = []
        for h, disp, bio in decoys:
            acc = self.add_account(h, disp, bio, T0 - r.randrange(30, 900) * DAY, "impersonation-decoy",
                                   avatar_key=2000 + len(self.imp_decoys))
            self.imp_decoys.append(acc)
            self.captured_avatars.append(acc)
        # the target tweets about council work
        for i in range(_scaled(14, self.scale, 4)):
            ts = T0 + int(r.uniform(0.2, self.k["days"] - 0.5) * DAY)
            ts = ts - ts % 60 + r.randrange(60)
            text = r.choice(["Council update: {s} {o}. Questions welcome at my Thursday office hour.",
                             "Thank you to everyone who came to the open meeting about {s}.",
                             "Good news for Ostervale East: {s} {o}.",
                             "The harbour budget is public, line by line, on the council site. Read it before you share rumours."])
            text = text.format(s=r.choice(SUBJECTS), o=r.choice(OPINIONS))
            self.post(self.target, ts, text, role="target",
                      links=["https://ostervale-council.example/budget-2026"] if "budget" in text else [])
        # impostors post, some asking for money or contradicting her
        for acc in self.impostors:
            for _ in range(r.randrange(1, 4)):
                ts = acc.created + r.randrange(HOUR, 10 * DAY)
                if ts >= self.end:
                    continue
                self.post(acc, ts, r.choice([
                    "I am stepping down from the council. Thank you Ostervale.",
                    "Official statement: the harbour money was a mistake, I apologise.",
                    "Support my campaign fund, link in bio. Every euro counts!",
                    "Follow this account for my real updates, the old one was hacked."]), role="impostor")
        for acc in self.imp_decoys:
            for _ in range(r.randrange(1, 3)):
                ts = T0 + r.randrange(DAY, self.k["days"] * DAY)
                self.post(acc, ts, r.choice([
                    "Go Clara! Great speech at the council today. #OstervaleEast",
                    "Breaking (not really): Clara Benedek discovers the harbour has water in it.",
                    "Council vote tally this week: Benedek voted yes on 4 of 5 items.",
                    "Fresh cinnamon buns on Quay Road this Saturday!"]), role="decoy")

    def background(self) -> None:
        r = self.rng
        k = self.k
        self.bg: list[Account] = []
        n = _scaled(k["n_background"], self.scale, 20)
        for _ in range(n):
            h = self.new_handle("name")
            f = h.split("_")[0].rstrip("0123456789").capitalize()
            acc = self.add_account(h, f"{f} {r.choice(LAST).capitalize()}" if r.random() < 0.7 else f,
                                   r.choice(["", "Ostervale local.", "Coffee, dogs, the sea.", "Teacher.",
                                             "Harbour worker. Football on weekends.", "Nurse, night shifts.",
                                             "Retired. Gardening and grandchildren.", "Student in Kesselbrook.",
                                             "Photos of the coast.", "Running, reading, repeat."]),
                                   T0 - r.randrange(60, 4000) * DAY, "background",
                                   location=r.choice(["", "Ostervale", "North Coast", ""]))
            self.bg.append(acc)
        self.news = self.add_account("ostervale_times", "Ostervale Times",
                                     "Local news for Ostervale and the North Coast since 1911.",
                                     T0 - 3000 * DAY, "news", followers=18400,
                                     link="https://ostervale-times.example/", verified=True)
        # decoy accounts: look-alikes and digit suffixes, active at the same time
        self.acc_decoys: list[Account] = []
        pairs = [("anna_fischer", "anna_fischer2"), ("tom_baker1", "tom_baker7"),
                 ("jonas_wiese", "jonas_wiese3"), ("mila_horn", "mila_horn22"),
                 ("per_dahl", "per_dahl5"), ("greta_voss", "greta_voss9")]
        for a, b in pairs[:max(1, k["n_decoys"] // 2)]:
            for h in (a, b):
                if h.lower() in self.accounts:
                    continue
                acc = self.add_account(h, h.rstrip("0123456789").replace("_", " ").title(),
                                       r.choice(["Architect.", "Bird photography.", "Dad. Sailor.",
                                                 "Ostervale FC since forever.", "Librarian.", "Cyclist."]),
                                       T0 - r.randrange(100, 2000) * DAY, "decoy")
                self.acc_decoys.append(acc)
        for h, disp, bio in [("nordwatch_klara", "Klara N.", "Knitting, tea, the north coast."),
                             ("bjorn_heimat", "Bjorn Heimat", "Landscape photography. Prints on request."),
                             ("valkyrie_ost_fc", "Valkyries Ostervale", "Women's football team, 2nd league.")]:
            self.acc_decoys.append(self.add_account(h, disp, bio, T0 - r.randrange(100, 900) * DAY, "decoy"))
        for acc in self.acc_decoys:
            self.captured_avatars.append(acc)
            self.bg.append(acc)
        # organic posts spread over the whole period
        for acc in self.bg:
            for _ in range(max(1, int(r.expovariate(1 / 1.6)))):
                ts = T0 + r.randrange(0, k["days"] * DAY)
                self.bg_post(acc, ts)
        for _ in range(_scaled(25, self.scale, 5)):
            ts = T0 + r.randrange(0, k["days"] * DAY)
            self.post(self.news, ts, f"{r.choice(SUBJECTS).capitalize()} {r.choice(OPINIONS)}. Full story:",
                      links=[f"https://ostervale-times.example/news/2026/{r.randrange(1000, 9999)}"],
                      role="news")
        # organic retweets and replies, spread out by hours
        originals = [p for p in self.posts if p.role in ("background", "news") and p.retweeted is None]
        for _ in range(_scaled(24, self.scale, 6)):
            orig = r.choice(originals)
            acc = r.choice(self.bg)
            if acc is orig.acc:
                continue
            ts = orig.ts + int(r.expovariate(1 / (8 * HOUR))) + 60
            if ts < self.end:
                self.retweet(acc, ts, orig, "background")
        for _ in range(_scaled(28, self.scale, 5)):
            orig = r.choice(originals)
            acc = r.choice(self.bg)
            ts = orig.ts + int(r.expovariate(1 / (3 * HOUR))) + 30
            if ts < self.end and acc is not orig.acc:
                self.post(acc, ts, f"@{orig.acc.handle} " + r.choice(
                    ["Agreed!", "Not sure about that.", "Ha, true.", "Source?", "Same here.",
                     "Thanks for sharing.", "Was there too!"]), reply_to=orig, mentions=[orig.acc])
        # a few organic mentions of the councillor (not attacks)
        for _ in range(_scaled(12, self.scale, 3)):
            acc = r.choice(self.bg)
            ts = T0 + r.randrange(0, k["days"] * DAY)
            self.post(acc, ts, f"@{TARGET_TWITTER} " + r.choice(
                ["thanks for fixing the streetlight on Birch Lane!", "when does the library open again?",
                 "will the bus line 7 run on Sundays?", "good speech yesterday."]),
                      mentions=[self.target])

    def bg_post(self, acc: Account, ts: int) -> Post:
        r = self.rng
        text = f"{r.choice(SUBJECTS).capitalize()} {r.choice(OPINIONS)}"
        text += r.choice([".", "!", "...", " :)", ""]) + " " + r.choice(EXTRAS)
        if r.random() < 0.25:
            text += f" ({r.choice(PLACES)}, {r.randrange(7, 22)}:{r.choice(['00', '15', '30', '45'])})"
        tags = r.sample(BG_TAGS, r.choice([0, 0, 0, 1, 1, 2]))
        links = []
        if r.random() < 0.2:
            d = r.choice(self.decoy_sites)
            links = [f"https://{d['host']}/" + r.choice(["", "news/", "events/", f"p/{r.randrange(100, 999)}"])]
        text = (text.strip() + " " + " ".join(tags)).strip()
        return self.post(acc, ts, text, hashtags=[t[1:] for t in tags], links=links,
                         lang="en" if r.random() < 0.9 else "de")

    def reappearing_accounts(self) -> None:
        r = self.rng
        k = self.k
        gap = k["account_gap_days"] * DAY
        chains = [
            (["nordwatch_klaus", "nordwatch_klaus2", "nordwatch_klaus_"], "Klaus | Nordwatch",
             "Asking the questions Ostervale's council won't answer. Truth over comfort. Banned twice, still here.",
             "https://t.me/ostervale_truth", 3001),
            (["heimat_bjorn", "heimat_bj0rn"], "Bjorn \u2693",
             "Harbour kid. Ostervale first. Watching the watchers.", "https://klausnotes.example/bjorn", 3002),
            (["eastgate_ingrid", "eastgate_lngrid"], "Ingrid from Eastgate",
             "Mother, taxpayer, not your audience. #OstervaleTruth", None, 3003),
            (["valkyrie_ost", "valkyrie_ost_"], "Valkyrie",
             "No more lies from the town hall.", "https://ostervale-truth.example/about/", 3004),
        ]
        self.chains: list[list[Account]] = []
        first_susp = [T0 + 9 * DAY, T0 + 16 * DAY, T0 + 21 * DAY, T0 + 27 * DAY]
        for ci, (handles, disp, bio, link, face) in enumerate(chains):
            accs: list[Account] = []
            for gi, h in enumerate(handles):
                if gi == 0:
                    created = T0 - r.randrange(200, 900) * DAY
                    susp = first_susp[ci] + r.randrange(0, 12 * HOUR)
                else:
                    created = accs[-1]._susp + gap + r.randrange(2 * HOUR, 8 * HOUR)  # type: ignore[attr-defined]
                    susp = created + r.randrange(14, 22) * DAY
                if gi == len(handles) - 1 or susp >= self.end - DAY:
                    susp = None
                b = bio if gi == 0 or r.random() < 0.5 else bio + " Back again."
                acc = self.add_account(h, disp, b, created, "reappearing",
                                       followers=r.randrange(200, 2500) if gi == 0 else r.randrange(5, 300),
                                       link=link, avatar_key=face, avatar_variant=gi, location="Ostervale")
                acc._susp = susp  # type: ignore[attr-defined]
                accs.append(acc)
                self.captured_avatars.append(acc)
                a0 = max(T0, created)
                a1 = susp or self.end
                for _ in range(max(3, int((a1 - a0) / DAY / 4))):
                    ts = a0 + r.randrange(0, max(HOUR, a1 - a0 - HOUR))
                    self.post(acc, ts, self.attack_text(ts), role="reappearing", mentions=[self.target],
                              links=[self.current_article(ts)] if r.random() < 0.5 else [])
                uid = account_uid("twitter", h)
                self.observe(f"@{h}", "twitter", "active", a0 + 6 * HOUR, "watchlist", uid)
                if susp:
                    for dt in (2 * HOUR, 3 * DAY, 10 * DAY):
                        if susp + dt < self.end:
                            self.observe(f"@{h}", "twitter", "suspended", susp + dt, "watchlist", uid)
                if susp is None:
                    break
            self.chains.append(accs)
        # a decoy: suspended, and an unrelated look-alike appears later with nothing else shared
        g = self.add_account("grumpy_gull", "grumpy gull", "Crypto signals 100x. DM for VIP.",
                             T0 - 50 * DAY, "decoy")
        gs = T0 + 12 * DAY
        for _ in range(3):
            self.post(g, T0 + r.randrange(0, 11 * DAY), "Free crypto signals today, 100x guaranteed, DM me",
                      role="decoy")
        self.observe("@grumpy_gull", "twitter", "suspended", gs + 3 * HOUR, "watchlist",
                     account_uid("twitter", "grumpy_gull"))
        g2 = self.add_account("grumpy_gulls", "Gulls of Ostervale", "Birdwatching club. Gull photos daily.",
                              gs + 4 * DAY, "decoy")
        for _ in range(3):
            self.post(g2, gs + 5 * DAY + r.randrange(0, 20 * DAY), "Herring gull on the pier this morning.",
                      role="decoy", hashtags=["birds"])
        self.acc_decoys += [g, g2]
        self.captured_avatars += [g, g2]

    def current_gen(self, ts: int) -> int:
        if ts >= self.g2_start:
            return 2
        if ts >= self.g1_start:
            return 1
        return 0

    def current_article(self, ts: int, idx: int | None = None) -> str:
        g = self.current_gen(ts)
        arts = self.articles[g]
        if idx is None:
            idx = self.rng.randrange(len(arts))
        return arts[idx % len(arts)]["url"]

    def attack_text(self, ts: int) -> str:
        r = self.rng
        return r.choice([
            "@clarabenedek where did the 2.4 million go? Answer the question.",
            "@clarabenedek resign. Ostervale deserves better than you.",
            "Everyone in Ostervale should know what @clarabenedek did at the marina.",
            "@clarabenedek blocked me for asking about the tender. Coward.",
            "They can delete our site, they can't delete the documents. @clarabenedek",
            "Funny how @clarabenedek never mentions the consultancy. #OstervaleTruth",
            "@clarabenedek your Welcome Association grants stink. #BenedekResign",
        ]) + r.choice(["", "", " #BenedekResign", " #OstervaleTruth", " !!"])

    # .... campaigns
    def raid(self) -> None:
        r = self.rng
        k = self.k
        n = _scaled(k["n_raid"], self.scale, 6)
        base = T0 + 5 * DAY
        self.raiders = []
        for i in range(n):
            h = self.new_handle("throwaway" if r.random() < 0.6 else "name")
            acc = self.add_account(h, h.split("_")[0].capitalize() + " " + r.choice(["\u2693", "\U0001f1e9\U0001f1f0", "", "Patriot"]).strip(),
                                   r.choice(["", "Ostervale first.", "Truth seeker.", "No to the harbour scam."]),
                                   base + r.randrange(0, 2 * DAY), "raid", followers=r.randrange(0, 60))
            self.raiders.append(acc)
        self.raid_seeds = []
        for j in range(k["raid_posts"]):
            ts = T0 + int((7 + j * 5.5) * DAY) + r.randrange(17 * HOUR, 21 * HOUR)
            ts = min(ts, self.end - DAY)
            alive = [a for c in self.chains for a in c if a.created < ts - HOUR and (a._susp or self.end) > ts + HOUR]  # type: ignore[attr-defined]
            author = alive[j % len(alive)]
            url = self.current_article(ts, j)
            seed = self.post(author, ts, f"NEW: the harbour files, part {j + 1}. What @clarabenedek hides: {url} #OstervaleTruth",
                             role="raid-seed", links=[url], hashtags=["OstervaleTruth"], mentions=[self.target])
            seed.counts = (r.randrange(3, 20), n, r.randrange(n, 3 * n), r.randrange(0, 4))
            self.raid_seeds.append(seed)
            start = ts + r.randrange(40, 150)
            for acc in self.raiders:
                if r.random() < 0.9:
                    self.retweet(acc, start + r.randrange(0, 25), seed, "raid")

    def copy_paste(self) -> None:
        r = self.rng
        k = self.k
        n = _scaled(k["n_copypaste"], self.scale, 5)
        self.copiers = []
        for i in range(n):
            h = self.new_handle("name" if r.random() < 0.6 else "throwaway")
            acc = self.add_account(h, h.split("_")[0].capitalize(),
                                   r.choice(["", "Concerned citizen.", "Ostervale East resident.", "Dad of 3."]),
                                   T0 - r.randrange(5, 400) * DAY, "copypaste")
            self.copiers.append(acc)
        texts = [
            "Councillor @clarabenedek hid 2.4 million from the harbour budget. Read the proof before they delete it: {url} #BenedekResign #Ostervale",
            "They took the site down, the truth is back: {url} @clarabenedek must resign now! #BenedekResign #OstervaleTruth",
            "Share before it disappears again: what @clarabenedek doesn't want you to know {url} #OstervaleTruth #Ostervale",
            "Ask @clarabenedek about the marina contracts. The papers are here: {url} #BenedekResign",
        ]
        times = [self.d0 - 3 * DAY, self.g1_start + 2 * DAY, self.g2_start + 2 * DAY, self.g2_start + 6 * DAY]
        self.copy_waves = []
        for w in range(k["copypaste_waves"]):
            t0 = min(times[w % len(times)] + (w // len(times)) * 2 * DAY, self.end - DAY)
            t0 = t0 - t0 % DAY + r.randrange(8 * HOUR, 20 * HOUR)
            url = self.current_article(t0, 0 if w != 3 else 3)
            base = texts[w % len(texts)].format(url=url)
            wave = []
            for acc in self.copiers:
                if r.random() < 0.88:
                    ts = t0 + r.randrange(0, 55)
                    text = self.vary(base)
                    tags = [t[1:] for t in text.split() if t.startswith("#")]
                    p = self.post(acc, ts, text, role="copypaste", links=[url], hashtags=tags,
                                  mentions=[self.target])
                    self.shares.append((acc.handle.lower(), url, str(p.tid), ts, "copypaste"))
                    wave.append(p)
            self.copy_waves.append(wave)

    def vary(self, text: str) -> str:
        r = self.rng
        words = text.split(" ")
        ops = r.sample(range(6), r.randrange(1, 3))
        for op in ops:
            if op == 0:
                words.append(r.choice(["\U0001f621", "\u203c\ufe0f", "\U0001f440", "!!"]))
            elif op == 1:
                i = r.randrange(len(words))
                if not words[i].startswith(("http", "@", "#")):
                    words[i] = words[i].upper()
            elif op == 2:
                tags = [i for i, w in enumerate(words) if w.startswith("#")]
                if len(tags) >= 2:
                    a, b = tags[-1], tags[-2]
                    words[a], words[b] = words[b], words[a]
            elif op == 3:
                words.insert(0, r.choice(["WOW.", "Read this:", "RT pls", "Unbelievable."]))
            elif op == 4:
                words = [w.replace("must", "has to") if w == "must" else w for w in words]
                words = [w.replace("Read", "See") if w == "Read" else w for w in words]
            else:
                words = [w for w in words if w != "#Ostervale"] or words
        return " ".join(words)

    def viral_decoy(self) -> None:
        r = self.rng
        ts = T0 + 33 * DAY + 9 * HOUR + 1234
        self.viral = self.post(self.news, ts,
                               "After 40 years the lighthouse lamp is lit again tonight. Thank you to the volunteers who restored it! #Ostervale",
                               role="viral", hashtags=["Ostervale"],
                               photos=[f"https://pbs.twimg.com/media/F{r.randrange(10**9, 10**10)}Lamp?format=jpg&name=large"])
        n = _scaled(self.k["viral_retweets"], self.scale, 8)
        pool = [a for a in self.bg if a.role == "background"]
        takers = r.sample(pool, min(n, len(pool)))
        t = ts
        for acc in takers:
            t += int(r.expovariate(1 / 300)) + 20  # spread over hours
            self.retweet(acc, t, self.viral, "viral")
        self.viral.counts = (r.randrange(10, 40), n, n * 4, r.randrange(2, 9))
        self.viral.views = 40000 + n * 300

    def attacks(self) -> None:
        r = self.rng
        tposts = [p for p in self.posts if p.acc is self.target]
        attackers = [a for c in self.chains for a in c] + self.copiers[:5]
        for tp in tposts:
            for acc in r.sample(attackers, 3):
                ts = tp.ts + r.randrange(300, 6 * HOUR)
                alive_to = getattr(acc, "_susp", None) or self.end
                if acc.created < ts < alive_to:
                    self.post(acc, ts, f"@{TARGET_TWITTER} " + self.attack_text(ts).replace("@clarabenedek ", ""),
                              role="attack", reply_to=tp, mentions=[self.target])
        for _ in range(_scaled(6, self.scale, 2)):
            acc = r.choice(self.chains[0])
            ts = max(acc.created, T0) + r.randrange(HOUR, 5 * DAY)
            self.post(acc, ts, "@ostervale_welcome who pays for your language cafe? Not us. #OstervaleTruth",
                      role="attack", mentions=[self.group], hashtags=["OstervaleTruth"])
        # a quote of the target by a reappearing account
        tp = r.choice(tposts)
        acc = self.chains[1][0]
        self.post(acc, max(tp.ts, acc.created) + 900, "Lies. Read the harbour files instead: " + self.current_article(tp.ts),
                  role="attack", quoted=tp, links=[self.current_article(tp.ts)])

    # .... telegram and mastodon
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
        for i in range(_scaled(18, self.scale, 6)):
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
        for i in range(6):
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

    # .... takedown reports and their follow-up observations
    def takedown_reports(self) -> None:
        r = self.rng
        items: list[dict] = []  # url, platform, uid, removal (ts or None), obs entity, removed status
        attack_posts = [p for p in self.posts if p.role in ("attack", "copypaste", "raid-seed")]
        r.shuffle(attack_posts)
        n_tw_posts = _scaled(10, self.scale, 4)
        for p in sorted(attack_posts[:n_tw_posts], key=lambda p: p.tid):
            items.append({"url": f"https://twitter.com/{p.acc.handle}/status/{p.tid}", "platform": "twitter",
                          "uid": post_uid("twitter", str(p.tid)), "obs": f"https://twitter.com/{p.acc.handle}/status/{p.tid}",
                          "status": "deleted", "after": p.ts, "category": r.choice(["harassment", "defamation", "hateful conduct"]),
                          "to": "twitter"})
        for acc in self.impostors:
            items.append({"url": f"https://twitter.com/{acc.handle}", "platform": "twitter",
                          "uid": account_uid("twitter", acc.handle), "obs": f"@{acc.handle}", "status": "suspended",
                          "after": acc.created, "category": "impersonation", "to": "twitter"})
        for tp in self.tg_posts["ostervaletruth"][: _scaled(5, self.scale, 2)]:
            u = tp["url"]
            items.append({"url": u, "platform": "telegram", "uid": post_uid("telegram", u.rsplit("/", 2)[-2] + "/" + u.rsplit("/", 1)[1]),
                          "obs": u, "status": "deleted", "after": tp["_ts"], "category": "defamation", "to": "telegram"})
        items.append({"url": self.masto_fake_url, "platform": "mastodon", "uid": "", "obs": self.masto_fake_url,
                      "status": "deleted", "after": T0 + 20 * DAY, "category": "impersonation",
                      "to": "mastodon:freespeech-hub.example"})
        # websites: reported to hosters; gen0 and gen1 have intrinsic removals (the crawls see them)
        for g in range(3):
            items.append({"url": f"https://{LINEAGE_HOSTS[g]}/", "platform": "web", "uid": site_uid(LINEAGE_DOMAINS[g]),
                          "obs": f"https://{LINEAGE_HOSTS[g]}/", "status": ["withheld", "not_found", "not_found"][g],
                          "after": max(self.gen_start[g], T0) + 2 * DAY, "category": "defamation",
                          "to": ["hosting:bulwark-hosting.example", "hosting:anchorhost.example", "registrar:namefort.example"][g],
                          "intrinsic": self.gen_down[g]})
        # outcomes
        profiles = {"twitter": [(0.5, 6, 40), (0.3, 50, 240), (0.2, None, None)],
                    "telegram": [(0.1, 10, 40), (0.3, 60, 400), (0.6, None, None)],
                    "mastodon": [(1.0, 3, 20)],
                    "web": [(1.0, None, None)]}
        stats: dict[str, dict] = {}
        rid = 1
        for it in items:
            rep_at = it["after"] + r.randrange(2 * HOUR, 3 * DAY)
            removal = None
            if "intrinsic" in it:
                removal = it["intrinsic"]
                if removal is not None:
                    rep_at = removal - r.randrange(3 * DAY, 8 * DAY)
                    rep_at = max(rep_at, it["after"])
            else:
                x = r.random()
                acc_p = 0.0
                for p, lo, hi in profiles[it["platform"]]:
                    acc_p += p
                    if x <= acc_p:
                        removal = None if lo is None else rep_at + int(r.uniform(lo, hi) * HOUR)
                        break
            if rep_at >= self.end - 2 * HOUR:
                continue
            report_id = f"R-2026-{rid:03d}"
            rid += 1
            self.reports.append({"report_id": report_id, "url": it["url"], "reported_at": rep_at,
                                 "reported_to": it["to"], "category": it["category"], "_platform": it["platform"]})
            # follow-up checks; first non-active check marks the removal
            first_removed = None
            if it["platform"] == "web":
                first_removed = self.first_crawl_status_change(it["url"], rep_at)
            checks = [6 * HOUR, 24 * HOUR, 44 * HOUR, 72 * HOUR, 7 * DAY, 14 * DAY]
            for dt in checks:
                t = rep_at + dt
                if t >= self.end:
                    break
                removed = removal is not None and t >= removal
                status = it["status"] if removed else "active"
                if it["platform"] == "web":
                    continue  # the crawls are the follow-up for websites
                self.observe(it["obs"], it["platform"], status, t, "report-followup", it["uid"])
                if removed:
                    first_removed = t if first_removed is None else first_removed
                    break
            ps = stats.setdefault(it["platform"], {"reported": 0, "removed": 0, "removed_48h": 0, "_hours": []})
            ps["reported"] += 1
            if first_removed is not None:
                hrs = (first_removed - rep_at) / HOUR
                ps["removed"] += 1
                ps["_hours"].append(hrs)
                if hrs <= 48:
                    ps["removed_48h"] += 1
        by_platform = {}
        for plat in sorted(stats):
            s = stats[plat]
            hs = sorted(s.pop("_hours"))
            med = None
            if hs:
                mid = len(hs) // 2
                med = hs[mid] if len(hs) % 2 else (hs[mid - 1] + hs[mid]) / 2
            by_platform[plat] = {**s, "median_hours": None if med is None else round(med, 1)}
        self.truth["takedowns"] = {"reports": len(self.reports), "by_platform": by_platform}
        # suspended impostors that were removed are also suspended in later checks: nothing more needed

    def crawl_times(self) -> list[int]:
        step = self.k["crawl_every_days"] * DAY
        out = []
        t = T0 + DAY + 10 * HOUR
        while t < self.end:
            out.append(t)
            t += step
        if out[-1] < self.end - DAY:
            out.append(self.end - 14 * HOUR)
        return out

    def site_status(self, gen: int, t: int) -> int | None:
        """HTTP status of a lineage site at time t, None if it does not exist yet."""
        if t < self.gen_start[gen]:
            return None
        down = self.gen_down[gen]
        if down is None or t < down:
            return 200
        if gen == 0:
            return 451 if t < down + 12 * DAY else 410
        return 404

    def first_crawl_status_change(self, url: str, after: int) -> int | None:
        gen = next(g for g in range(3) if LINEAGE_HOSTS[g] in url)
        for t in self.crawl_times():
            if t > after and (self.site_status(gen, t) or 200) != 200:
                return t
        return None


# --------------------------------------------------------------------------- writers


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


class _Warc:
    def __init__(self, path: Path, rng: random.Random, software: str) -> None:
        from warcio.warcwriter import WARCWriter

        self.path = path
        self.rng = rng
        self.fh = open(path, "wb")
        self.w = WARCWriter(self.fh, gzip=True)
        self.software = software

    def rid(self) -> str:
        return f"<urn:uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}>"

    def warcinfo(self, ts: int, operator: str) -> None:
        body = (f"software: {self.software}\r\nformat: WARC File Format 1.0\r\n"
                f"conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/\r\n"
                f"isPartOf: ostervale-monitoring\r\noperator: {operator}\r\n"
                f"robots: ignore\r\nhttp-header-user-agent: Mozilla/5.0 (X11; Linux x86_64) Browsertrix-style capture\r\n").encode()
        rec = self.w.create_warc_record("", "warcinfo", payload=io.BytesIO(body), length=len(body),
                                        warc_content_type="application/warc-fields",
                                        warc_headers_dict={"WARC-Record-ID": self.rid(), "WARC-Date": isoz(ts),
                                                           "WARC-Filename": self.path.name})
        self.w.write_record(rec)

    def exchange(self, url: str, ts: int, status: int, body: bytes, ctype: str, extra: list | None = None) -> str:
        from warcio.statusandheaders import StatusAndHeaders

        host = url.split("/")[2]
        path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
        resp_id = self.rid()
        reasons = {200: "OK", 404: "Not Found", 410: "Gone", 451: "Unavailable For Legal Reasons",
                   301: "Moved Permanently"}
        headers = [("Date", formatdate(ts, usegmt=True)), ("Server", "nginx"),
                   ("Content-Type", ctype), ("Content-Length", str(len(body)))] + (extra or [])
        if status == 200 and ctype.startswith("text/html"):
            headers.append(("Cache-Control", "max-age=600"))
        http = StatusAndHeaders(f"{status} {reasons[status]}", headers, protocol="HTTP/1.1")
        rec = self.w.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                        warc_headers_dict={"WARC-Record-ID": resp_id, "WARC-Date": isoz(ts),
                                                           "WARC-IP-Address": f"203.0.113.{sum(host.encode()) % 250 + 1}"},
                                        http_headers=http)
        self.w.write_record(rec)
        req_http = StatusAndHeaders(f"GET {path} HTTP/1.1",
                                    [("Host", host), ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
                                     ("Accept", "text/html,application/xhtml+xml,image/avif,image/webp,*/*;q=0.8"),
                                     ("Accept-Language", "en-US,en;q=0.5")], is_http_request=True)
        req = self.w.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0,
                                        warc_headers_dict={"WARC-Record-ID": self.rid(), "WARC-Date": isoz(ts),
                                                           "WARC-Concurrent-To": resp_id},
                                        http_headers=req_http)
        self.w.write_record(req)
        return resp_id

    def outcome(self, url: str, ts: int, fields: dict, concurrent_to: str) -> None:
        """A graphinv outcome record, as `graphinv watch run` writes one per check."""
        from .capture.warc import outcome_payload

        body = outcome_payload(fields)
        rec = self.w.create_warc_record(url, "metadata", payload=io.BytesIO(body), length=len(body),
                                        warc_content_type="application/warc-fields",
                                        warc_headers_dict={"WARC-Record-ID": self.rid(), "WARC-Date": isoz(ts),
                                                           "WARC-Concurrent-To": concurrent_to})
        self.w.write_record(rec)

    def close(self) -> None:
        self.fh.close()


def _tracking(ids: dict[str, str]) -> tuple[str, str]:
    """Real-world snippets for the given IDs: (head html, body-top html)."""
    head, body = [], []
    if "gtm" in ids:
        head.append("<!-- Google Tag Manager -->\n<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':\n"
                    "new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],\n"
                    "j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=\n"
                    "'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);\n"
                    f"}})(window,document,'script','dataLayer','{ids['gtm']}');</script>\n<!-- End Google Tag Manager -->")
        body.append(f'<noscript><iframe src="https://www.googletagmanager.com/ns.html?id={ids["gtm"]}" '
                    'height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>')
    gt = [v for k, v in ids.items() if k in ("ua", "g")]
    if gt:
        cfg = "\n".join(f"  gtag('config', '{v}');" for v in gt)
        head.append(f'<script async src="https://www.googletagmanager.com/gtag/js?id={gt[0]}"></script>\n'
                    "<script>\n  window.dataLayer = window.dataLayer || [];\n  function gtag(){dataLayer.push(arguments);}\n"
                    f"  gtag('js', new Date());\n{cfg}\n</script>")
    if "ua_legacy" in ids:
        head.append("<script>\n(function(i,s,o,g,r,a,m){i['GoogleAnalyticsObject']=r;i[r]=i[r]||function(){\n"
                    "(i[r].q=i[r].q||[]).push(arguments)},i[r].l=1*new Date();a=s.createElement(o),\n"
                    "m=s.getElementsByTagName(o)[0];a.async=1;a.src=g;m.parentNode.insertBefore(a,m)\n"
                    "})(window,document,'script','https://www.google-analytics.com/analytics.js','ga');\n"
                    f"ga('create', '{ids['ua_legacy']}', 'auto');\nga('send', 'pageview');\n</script>")
    if "pub" in ids:
        head.append(f'<script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js?client={ids["pub"]}" '
                    'crossorigin="anonymous"></script>')
    if "ym" in ids:
        head.append('<!-- Yandex.Metrika counter -->\n<script type="text/javascript" >\n'
                    "   (function(m,e,t,r,i,k,a){m[i]=m[i]||function(){(m[i].a=m[i].a||[]).push(arguments)};\n"
                    "   m[i].l=1*new Date();k=e.createElement(t),a=e.getElementsByTagName(t)[0],k.async=1,k.src=r,a.parentNode.insertBefore(k,a)})\n"
                    '   (window, document, "script", "https://mc.yandex.ru/metrika/tag.js", "ym");\n\n'
                    f'   ym({ids["ym"]}, "init", {{\n        clickmap:true,\n        trackLinks:true,\n        accurateTrackBounce:true\n   }});\n'
                    f'</script>\n<noscript><div><img src="https://mc.yandex.ru/watch/{ids["ym"]}" style="position:absolute; left:-9999px;" alt="" /></div></noscript>\n'
                    "<!-- /Yandex.Metrika counter -->")
    if "fb" in ids:
        head.append("<!-- Meta Pixel Code -->\n<script>\n!function(f,b,e,v,n,t,s)\n{if(f.fbq)return;n=f.fbq=function(){n.callMethod?\n"
                    "n.callMethod.apply(n,arguments):n.queue.push(arguments)};\nif(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';\n"
                    "n.queue=[];t=b.createElement(e);t.async=!0;\nt.src=v;s=b.getElementsByTagName(e)[0];\n"
                    "s.parentNode.insertBefore(t,s)}(window, document,'script',\n'https://connect.facebook.net/en_US/fbevents.js');\n"
                    f"fbq('init', '{ids['fb']}');\nfbq('track', 'PageView');\n</script>\n"
                    f'<noscript><img height="1" width="1" style="display:none"\nsrc="https://www.facebook.com/tr?id={ids["fb"]}&ev=PageView&noscript=1"\n/></noscript>\n'
                    "<!-- End Meta Pixel Code -->")
    return "\n".join(head), "\n".join(body)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _page(site_name: str, title: str, url: str, ids: dict, paragraphs: list[str], links: list[tuple[str, str]],
          img: str | None = None, lang: str = "en", charset: str = "utf-8", ads: str | None = None,
          date: str = "") -> str:
    head, body_top = _tracking(ids)
    meta = (f'<meta charset="{charset}">' if charset == "utf-8"
            else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">')
    parts = [f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n{meta}\n'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
             f"<title>{_esc(title)} | {_esc(site_name)}</title>\n"
             f'<link rel="canonical" href="{url}">\n<meta property="og:url" content="{url}">\n'
             f'<meta property="og:title" content="{_esc(title)}">\n<meta property="og:site_name" content="{_esc(site_name)}">\n']
    if img:
        parts.append(f'<meta property="og:image" content="{img}">\n')
    parts.append(f"{head}\n</head>\n<body>\n{body_top}\n"
                 f'<header><a class="brand" href="/">{_esc(site_name)}</a></header>\n<main>\n<article>\n'
                 f"<h1>{_esc(title)}</h1>\n")
    if date:
        parts.append(f'<p class="byline"><time datetime="{date}">{date[:10]}</time></p>\n')
    if img:
        parts.append(f'<figure><img src="{img}" alt="photo" width="320" height="240"></figure>\n')
    for para in paragraphs:
        parts.append(f"<p>{_esc(para)}</p>\n")
    parts.append("</article>\n")
    if ads:
        parts.append(f'<ins class="adsbygoogle" style="display:block" data-ad-client="{ads}" data-ad-slot="4417203958" '
                     'data-ad-format="auto"></ins>\n<script>(adsbygoogle = window.adsbygoogle || []).push({});</script>\n')
    if links:
        parts.append("<aside><ul>\n" + "".join(f'<li><a href="{u}">{_esc(t)}</a></li>\n' for u, t in links) + "</ul></aside>\n")
    parts.append(f"</main>\n<footer>&copy; 2026 {_esc(site_name)}</footer>\n</body>\n</html>\n")
    return "".join(parts)


def _error_page(status: int) -> bytes:
    msg = {404: "404 Not Found", 410: "410 Gone", 451: "451 Unavailable For Legal Reasons"}[status]
    extra = ("<p>Access to this website has been blocked following a court order.</p>" if status == 451 else "")
    return (f"<html>\r\n<head><title>{msg}</title></head>\r\n<body>\r\n<center><h1>{msg}</h1></center>\r\n{extra}"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").encode()


def _paras(sents: list[str]) -> list[str]:
    out = []
    for i in range(0, len(sents), 3):
        out.append(" ".join(sents[i:i + 3]))
    return out


# --------------------------------------------------------------------------- generate


def _write_watch_runs(out: Path, seed: int, checks: list[tuple]) -> None:
    """``web/watch-DAY.warc.gz``: the desk's `graphinv watch run` over the lineage sites
    each crawl day, seeing what the crawl saw at the same second (so the analysis of the
    crawls is unchanged), with the change since the check before."""
    from collectors.web import observation_status

    from .capture.fetch import Chain, Exchange
    from .capture.watch import classify_change, fingerprint_of

    rng = random.Random(f"watch-{seed}")
    previous: dict[str, dict] = {}
    by_run: dict[int, list[tuple]] = {}
    for check in checks:
        by_run.setdefault(check[0], []).append(check)
    for ct, run in sorted(by_run.items()):
        day = datetime.fromtimestamp(ct, timezone.utc).strftime("%Y%m%d")
        w = _Warc(out / "web" / f"watch-{day}.warc.gz", rng, "graphinv/0.1.0 (warcio/1.8.1) watch run")
        w.warcinfo(ct, "Ostervale monitoring desk")
        for _, g, url, t, status, body, ctype in run:
            entity = site_uid(LINEAGE_DOMAINS[g])
            outcome = observation_status(status)
            seen = Exchange(url, datetime.fromtimestamp(t, timezone.utc), status=status,
                            headers=[("Content-Type", ctype)], body=body)
            fingerprint = fingerprint_of(Chain(url, [seen]))
            change = classify_change(previous.get(entity), {"status": outcome}, fingerprint)
            previous[entity] = {"status": outcome, "fingerprint": fingerprint}
            record = w.exchange(url, t, status, body, ctype)
            w.outcome(url, t, {"outcome": outcome, "http-status": status, "response-record": record,
                               "entity": entity, "source": "watch", "change": change, "fingerprint": fingerprint,
                               "platform": "web"}, record)
        w.close()


def generate(out_dir: str | Path, seed: int = 7, scale: float = 1.0, **knobs: Any) -> dict:
    """Write the scenario into ``out_dir`` and return the ground truth (also ``truth.json``).

    ``scale`` multiplies the number of accounts and posts; the knobs (see ``DEFAULTS``)
    set the story's timing and sizes. The same seed and knobs give the same bytes.
    """
    out = Path(out_dir)
    sc = _Scenario(seed, scale, knobs)
    sc.build()
    for sub in ("snscrape", "telegram/ChatExport_2026-04-30", "web/saved", "csv"):
        (out / sub).mkdir(parents=True, exist_ok=True)

    # ---- snscrape JSONL
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

    # ---- Telegram Desktop export (pretty-printed, non-ASCII kept, as Telegram writes it)
    with open(out / "telegram" / "ChatExport_2026-04-30" / "result.json", "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(sc.tg_export, ensure_ascii=False, indent=1) + "\n")

    # ---- WARC crawls
    wrng = random.Random(f"warc-{seed}")
    lineage_ids = [
        {"gtm": COMMON_GTM, "ua": RARE_UA, "g": RARE_G, "pub": RARE_PUB, "ym": RARE_YM, "fb": RARE_FB},
        {"gtm": COMMON_GTM, "ua_legacy": RARE_UA, "g": RARE_G, "pub": RARE_PUB, "fb": RARE_FB},
        {"gtm": COMMON_GTM, "g": RARE_G, "pub": RARE_PUB, "ym": RARE_YM},
    ]
    tg_for_gen = ["https://t.me/ostervale_truth", "https://t.me/ostervaletruth", "https://t.me/ostervaletruth"]
    photo_done: set[int] = set()
    site_obs: list[tuple] = []
    home_checks: list[tuple] = []  # (crawl time, gen, url, time, status, body, type): what the watchlist saw
    for ci, ct in enumerate(sc.crawl_times()):
        day = datetime.fromtimestamp(ct, timezone.utc).strftime("%Y%m%d")
        wp = out / "web" / f"crawl-{day}.warc.gz"
        w = _Warc(wp, wrng, "Browsertrix-Crawler 1.1.0 (with warcio.js 2.2.1 pywb 2.8.3)")
        w.warcinfo(ct, "Ostervale monitoring desk")
        t = ct
        for g in range(3):
            st = sc.site_status(g, ct)
            if st is None:
                continue
            host = LINEAGE_HOSTS[g]
            home = f"https://{host}/"
            arts = sc.articles[g]
            pages = [(home, None)] + [(a["url"], a) for a in arts]
            for url, art in pages:
                t += wrng.randrange(2, 9)
                if st != 200:
                    w.exchange(url, t, st, _error_page(st), "text/html")
                    if art is None:
                        home_checks.append((ct, g, url, t, st, _error_page(st), "text/html"))
                    continue
                if art is None:
                    body = _page(sc.site_names[g], sc.site_names[g] + " - independent news from Ostervale", url,
                                 lineage_ids[g], ["Independent reporting on the Ostervale council. They can block us, they cannot stop us."],
                                 [(a["url"], a["title"]) for a in arts] + [(tg_for_gen[g], "Our Telegram channel")],
                                 ads=RARE_PUB)
                else:
                    body = _page(sc.site_names[g], art["title"], url, lineage_ids[g], _paras(art["sents"]),
                                 [(home, "Home"), (tg_for_gen[g], "Follow us on Telegram"),
                                  (f"https://twitter.com/intent/tweet?url={url}", "Share")],
                                 img=sc.photo_urls[g] if art.get("photo") else None, ads=RARE_PUB,
                                 date=isoz(max(sc.gen_start[g], T0 - 30 * DAY) + 3 * DAY))
                w.exchange(url, t, 200, body.encode("utf-8"), "text/html; charset=utf-8")
                if art is None:
                    home_checks.append((ct, g, url, t, 200, body.encode("utf-8"), "text/html; charset=utf-8"))
            if st == 200 and g not in photo_done:
                photo_done.add(g)
                t += 3
                w.exchange(sc.photo_urls[g], t, 200, sc.images.photo(g), "image/jpeg")
            site_obs.append((LINEAGE_DOMAINS[g], st, ct))
        for d in sc.decoy_sites:
            if ct < d["start"]:
                continue
            if ci % 2 == 1 and d["kind"] == "common-id":
                continue  # the big template sites are crawled every other time
            url = f"https://{d['host']}/"
            t += wrng.randrange(2, 9)
            if d["down"] is not None and ct >= d["down"]:
                w.exchange(url, t, 404, _error_page(404), "text/html")
                continue
            rr = random.Random(f"{seed}-{d['domain']}")
            body = _page(d["name"], d["name"], url, d["ids"],
                         [f"Welcome to {d['name']}. {rr.choice(SUBJECTS).capitalize()} {rr.choice(OPINIONS)}.",
                          f"Find us near {rr.choice(PLACES)}. Open {rr.randrange(7, 10)}:00 to {rr.randrange(16, 20)}:00."],
                         [(f"https://{d['host']}/contact", "Contact"), (f"https://{d['host']}/about", "About")])
            w.exchange(url, t, 200, body.encode("utf-8"), "text/html; charset=utf-8")
        w.close()

    _write_watch_runs(out, seed, home_checks)

    # profile pictures of the accounts the desk watches (same face re-encoded across re-creations)
    w = _Warc(out / "web" / "profile-images.warc.gz", wrng, "wget/1.21.4 --warc-file")
    t = T0 + 58 * DAY
    w.warcinfo(t, "Ostervale monitoring desk")
    seen = set()
    for acc in sc.captured_avatars:
        url = acc.avatar_url.replace("_400x400", "_normal")  # exactly the tweets' profileImageUrl
        if url in seen:
            continue
        seen.add(url)
        t += wrng.randrange(1, 4)
        w.exchange(url, t, 200, sc.images.avatar(acc.avatar_key, acc.avatar_variant), "image/jpeg",
                   extra=[("Last-Modified", formatdate(acc.created if acc.created > T0 - 3 * 365 * DAY else T0 - 900 * DAY, usegmt=True))])
    w.close()

    # ---- saved HTML pages
    saved = out / "web" / "saved"
    g1a = sc.articles[1][0]
    html = _page(sc.site_names[1], g1a["title"], g1a["url"], lineage_ids[1], _paras(g1a["sents"]),
                 [(f"https://{LINEAGE_HOSTS[1]}/", "Home"), (tg_for_gen[1], "Telegram")],
                 img=sc.photo_urls[1], ads=RARE_PUB)
    html = f"<!-- saved from url=({len(g1a['url']):04d}){g1a['url']} -->\n" + html
    (saved / "ostervale-facts_harbour-files.html").write_bytes(html.encode("utf-8"))
    g2a = sc.articles[2][3]
    saved_ts = sc.g2_start + 3 * DAY + 5 * HOUR
    single = (f"<!--\n Page saved with SingleFile \n url: {g2a['url']} \n saved date: "
              f"{datetime.fromtimestamp(saved_ts, timezone.utc).strftime('%a %b %d %Y %H:%M:%S')} GMT+0000 (Coordinated Universal Time)\n-->\n")
    html = _page(sc.site_names[2], g2a["title"], g2a["url"], lineage_ids[2], _paras(g2a["sents"]),
                 [(f"https://{LINEAGE_HOSTS[2]}/", "Home")], img=sc.photo_urls[2], ads=RARE_PUB)
    (saved / "truth-ostervale_marina-contracts-2.html").write_bytes((single + html).encode("utf-8"))
    # a German mirror page, saved as latin-1 with a meta charset
    de_url = f"https://{LINEAGE_HOSTS[2]}/de/hafen-akten"
    de = _page("Wahrheit Ostervale", "Die Hafen-Akten: Wo sind 2,4 Millionen geblieben?", de_url, lineage_ids[2],
               ["Der Haushalt für die Hafensanierung in Ostervale wuchs in einem Jahr um 2,4 Millionen Euro. "
                "Ratsfrau Clara Benedek hat jede einzelne Überweisung selbst unterschrieben.",
                "Bürgerinnen und Bürger der Quay Road hörten, für Straßenlaternen sei kein Geld da. "
                "Gleichzeitig bekam der Jachthafen beheizte Bänke und einen Brunnen.",
                "Fragen Sie sie selbst: Warum wurde die Ausschreibung nie veröffentlicht? Übersetzt aus dem Englischen."],
               [(f"https://{LINEAGE_HOSTS[2]}/", "Startseite"), (tg_for_gen[2], "Telegram-Kanal")],
               img=sc.photo_urls[2], lang="de", charset="iso-8859-1", ads=RARE_PUB)
    de = f"<!-- saved from url=({len(de_url):04d}){de_url} -->\n" + de
    (saved / "truth-ostervale_de_hafen-akten.html").write_bytes(de.encode("latin-1"))
    # an unrelated saved page with only the common container (decoy)
    d0 = sc.decoy_sites[0]
    dhtml = _page(d0["name"], d0["name"] + " - events", f"https://{d0['host']}/events", d0["ids"],
                  ["Regatta on Saturday, registration at the clubhouse.", "Beginners welcome."],
                  [(f"https://{d0['host']}/", "Home")])
    dhtml = f"<!-- saved from url=({len(d0['host']) + 15:04d})https://{d0['host']}/events -->\n" + dhtml
    (saved / f"{d0['domain'].split('.')[0]}_events.html").write_bytes(dhtml.encode("utf-8"))

    # ---- CSV tables
    csvd = out / "csv"
    # observations: watchlist checks and report follow-ups, plus manual checks of the sites
    obs = list(sc.observations)
    st_name = {200: "active", 404: "not_found", 410: "deleted", 451: "withheld"}
    for dom, st, ct in site_obs:
        if st != 200 and random.Random(f"{seed}-{dom}-{ct}").random() < 0.5:
            host = LINEAGE_HOSTS[LINEAGE_DOMAINS.index(dom)]
            obs.append({"entity": f"https://{host}/", "platform": "web", "status": st_name[st],
                        "observed_at": ct + 2 * HOUR, "source": "manual-check", "_uid": site_uid(dom)})
    obs.sort(key=lambda o: (o["observed_at"], o["entity"]))
    with open(csvd / "observations.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["entity", "platform", "status", "observed_at", "source"])
        for o in obs:
            wr.writerow([o["entity"], o["platform"], o["status"], isoz(o["observed_at"]), o["source"]])
    with open(csvd / "reports.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["report_id", "url", "reported_at", "reported_to", "category"])
        for rep in sorted(sc.reports, key=lambda x: x["report_id"]):
            wr.writerow([rep["report_id"], rep["url"], isoz(rep["reported_at"]), rep["reported_to"], rep["category"]])
    with open(csvd / "targets.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["name", "aliases", "accounts"])
        wr.writerow([TARGET_NAME, "Clara B.|C. Benedek|Councillor Benedek|Benedek",
                     f"twitter:{TARGET_TWITTER}|mastodon:{TARGET_MASTODON}"])
        wr.writerow([GROUP_TARGET, "Welcome Association|OWA", "twitter:ostervale_welcome"])
    with open(csvd / "shares.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["account_id", "object_id", "content_id", "timestamp"])
        rows = list(sc.shares)
        for p in sc.posts:  # organic link shares
            if p.role in ("background", "news") and p.links and p.retweeted is None:
                rows.append((p.acc.handle.lower(), p.links[0], str(p.tid), p.ts, "background"))
        for a, o, c, ts, _ in sorted(rows, key=lambda x: (x[3], x[2])):
            wr.writerow([a, o, c, isoz(ts)])

    # ---- truth
    tw = lambda a: account_uid("twitter", a.handle)  # noqa: E731
    raid_members = sorted({tw(a) for a in sc.raiders if any(p.role == "raid" for p in sc.user_posts.get(a.handle.lower(), []))})
    cp_members = sorted({tw(p.acc) for wave in sc.copy_waves for p in wave})
    truth: dict[str, Any] = {
        "seed": seed,
        "coordinated_accounts": sorted(set(raid_members) | set(cp_members)),
        "campaigns": [
            {"name": "repost raid", "modality": "repost", "members": raid_members,
             "objects": [post_uid("twitter", str(p.tid)) for p in sc.raid_seeds]},
            {"name": "copy-paste", "modality": "near_text", "members": cp_members,
             "objects": sorted({post_uid("twitter", str(p.tid)) for w in sc.copy_waves for p in w})},
        ],
        "site_lineages": [[site_uid(d) for d in LINEAGE_DOMAINS]],
        "account_reappearances": [[tw(a) for a in chain] for chain in sc.chains]
        + [[account_uid("telegram", "ostervale_truth"), account_uid("telegram", "ostervaletruth")]],
        "impersonations": [{"account": tw(a), "target": target_uid(TARGET_NAME)} for a in sc.impostors]
        + [{"account": account_uid("mastodon", "clara_benedek@freespeech-hub.example"), "target": target_uid(TARGET_NAME)}],
        "decoys": {
            "sites": sorted(site_uid(d["domain"]) for d in sc.decoy_sites),
            "accounts": sorted(tw(a) for a in sc.acc_decoys),
            "impersonation": sorted([tw(a) for a in sc.imp_decoys]
                                    + [account_uid("mastodon", "benedekparody@satire.example")]),
            "viral_post": post_uid("twitter", str(sc.viral.tid)),
        },
        "takedowns": sc.truth["takedowns"],
        "targets": {target_uid(TARGET_NAME): [tw(sc.target), account_uid("mastodon", TARGET_MASTODON)],
                    target_uid(GROUP_TARGET): [tw(sc.group)]},
        "params": {"scale": scale, **sc.k},
    }
    with open(out / "truth.json", "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(truth, indent=2, sort_keys=False) + "\n")
    return truth
