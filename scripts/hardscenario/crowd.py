"""The ordinary crowd: accounts with skewed popularity, human timing, fans of popular
accounts, newsrooms with share-button posts, and viral posts.

Nothing here is coordinated, yet much of it looks so at a glance: fans retweet the
posts of the accounts they follow, some within a minute of a notification, so the same
pairs of ordinary accounts co-retweet within seconds more than once; a viral post gathers
hundreds of retweets in minutes; a breaking story is shared with the newsroom's
share-button text (identical words and link) by dozens of people within minutes.
"""

from __future__ import annotations

import math

from scripts.scenario.common import Account, Post

from .names import (BIOS, DAY, DAYS, FIRST, HEADLINES, HOUR, HOUR_WEIGHTS, LAST, LOCAL_OFFSET, NEWS, OPINIONS,
                    SUBJECTS, T0, TAGS, WORDS)

TWITTER_EPOCH_MS = 1288834974657


class CrowdMixin:
    """Accounts, posts and the ordinary crowd of :class:`scripts.hardscenario.HardScenario`."""

    # ---- ids, accounts and posts
    def tweet_id(self, ts: int) -> int:
        self.seq += 1
        return ((ts * 1000 + self.seq % 997 - TWITTER_EPOCH_MS) << 22) | (self.seq & 0x3FFFFF)

    def handle_for(self, first: str, last: str) -> str:
        r = self.rng
        for _ in range(50):
            h = r.choice([f"{first}_{last}", f"{first}{last}", f"{first}.{last}".replace(".", ""),
                          f"{first}_{last[0]}", f"{first}{r.randrange(1, 99)}", f"{last}_{first}{r.randrange(1, 30)}",
                          f"{first[0]}{last}", f"{first}_{r.choice(WORDS)}"])[:15]
            if h.lower() not in self.accounts:
                return h
        return self.throwaway()

    def throwaway(self) -> str:
        r = self.rng
        while True:
            h = f"{r.choice(WORDS)}{r.choice(WORDS)}{r.randrange(10, 99999)}"[:15]
            if h.lower() not in self.accounts:
                return h

    def add_account(self, handle: str, display: str, bio: str, created: int, role: str,
                    followers: int | None = None, link: str | None = None, face: int | None = None,
                    variant: int = 0, verified: bool = False, location: str = "") -> Account:
        r = self.rng
        assert handle.lower() not in self.accounts, handle
        if followers is None:
            followers = int(math.exp(r.gauss(4.2, 1.3)))
        acc = Account("twitter", handle, r.randrange(10**17, 10**19) if created > T0 - 400 * DAY
                      else r.randrange(10**7, 10**10), display, bio, created, followers, link, location, verified,
                      face if face is not None else r.randrange(10**6), variant, role=role,
                      friends=int(math.exp(r.gauss(5, 1))), statuses=r.randrange(10, 30000))
        acc.avatar_url = (f"https://pbs.twimg.com/profile_images/{r.randrange(10**18, 10**19)}/"
                          f"{''.join(r.choice('abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789') for _ in range(8))}_400x400.jpg")
        self.accounts[handle.lower()] = acc
        return acc

    def post(self, acc: Account, ts: int, text: str, role: str = "background", **kw) -> Post:
        p = Post(self.tweet_id(ts), acc, ts, text, role=role, **kw)
        r = self.rng
        if p.retweeted is None:
            p.views = int(math.exp(r.gauss(5, 1.3)))
            p.counts = (r.randrange(0, 4), r.randrange(0, 6), r.randrange(0, 30), r.randrange(0, 2))
        else:
            p.counts = p.retweeted.counts
        self.posts.append(p)
        self.user_posts.setdefault(acc.handle.lower(), []).append(p)
        return p

    def retweet(self, acc: Account, ts: int, orig: Post, role: str) -> Post | None:
        if ts >= self.end or acc is orig.acc or (acc.handle.lower(), orig.tid) in self.retweeted:
            return None
        self.retweeted.add((acc.handle.lower(), orig.tid))
        return self.post(acc, ts, f"RT @{orig.acc.handle}: {orig.text}", role=role, retweeted=orig, lang=orig.lang)

    def human_time(self, day: float | None = None) -> int:
        """A moment an ordinary person posts: a day, an hour from the daily rhythm, any second."""
        r = self.rng
        d = int(day) if day is not None else r.randrange(DAYS)
        hour = r.choices(range(24), weights=HOUR_WEIGHTS)[0]
        return T0 + d * DAY + hour * HOUR - LOCAL_OFFSET + r.randrange(HOUR)

    def react_delay(self, fast: float) -> int:
        """Seconds until someone reacts to a post: with probability ``fast`` within about a
        minute of a notification, otherwise hours later."""
        r = self.rng
        if r.random() < fast:
            return int(math.exp(r.gauss(math.log(70), 0.8))) + 3
        return int(math.exp(r.gauss(math.log(2.5 * HOUR), 1.2))) + 60

    # ---- the crowd
    def crowd(self) -> None:
        r = self.rng
        n = self.k["n_background"] * self.scale
        self.bg: list[Account] = []
        for rank in range(1, n + 1):
            lang = r.choices(["fr", "de", "en"], weights=[5, 4, 2])[0]
            f, s = r.choice(FIRST), r.choice(LAST)
            acc = self.add_account(self.handle_for(f, s), f"{f.capitalize()} {s.capitalize()}" if r.random() < 0.7
                                   else f.capitalize(), r.choice(BIOS[lang]), T0 - r.randrange(30, 4500) * DAY,
                                   "background", followers=int(30000 / rank ** 1.1 * math.exp(r.gauss(0, 0.5))) + 3,
                                   location=r.choice(["", "Vellmar", "Elsass", "Alsace", ""]))
            acc.lang = lang  # type: ignore[attr-defined]
            acc.activity = math.exp(r.gauss(0.4, 1.0))  # type: ignore[attr-defined]  # own posts in the period
            acc.fast = min(0.9, r.betavariate(1.2, 5))  # type: ignore[attr-defined]  # share of notification-speed reactions
            self.bg.append(acc)
        # who follows whom: the popular accounts (Zipf) gather most of the fans
        weights = [1 / i ** 1.05 for i in range(1, n + 1)]
        self.fans: dict[str, list[tuple[Account, float]]] = {}
        for acc in self.bg:
            for i in sorted(set(r.choices(range(n), weights=weights, k=r.randrange(2, 12)))):
                star = self.bg[i]
                if star is not acc:
                    self.fans.setdefault(star.handle.lower(), []).append((acc, r.betavariate(1, 6)))
        self.popular = self.bg[: max(3, n // 40)]
        self.newsrooms()
        for acc in self.bg:
            for _ in range(max(1 if acc in self.popular else 0, int(r.expovariate(1 / acc.activity)))):
                self.ordinary_post(acc, self.human_time())
            if acc in self.popular:
                for _ in range(r.randrange(8, 25)):
                    self.ordinary_post(acc, self.human_time())
        self.fan_reactions()

    def ordinary_post(self, acc: Account, ts: int) -> Post:
        r = self.rng
        lang = acc.lang  # type: ignore[attr-defined]
        text = f"{r.choice(SUBJECTS[lang]).capitalize()}: {r.choice(OPINIONS[lang])}{r.choice(['.', '!', '', ' :)'])}"
        tags = r.sample(TAGS, r.choice([0, 0, 0, 1, 1, 2]))
        links = []
        if r.random() < 0.12:
            links = [r.choice(self.news_articles)["url"]]
        elif r.random() < 0.05 and self.bg_sites:
            links = [f"https://{r.choice(self.bg_sites)['host']}/"]
        return self.post(acc, ts, (text + " " + " ".join(tags)).strip(), hashtags=[t[1:] for t in tags],
                         links=links, lang=lang)

    def fan_reactions(self) -> None:
        """Fans retweet what the accounts they follow post, some within a minute."""
        r = self.rng
        originals = [p for p in self.posts if p.retweeted is None and p.role in ("background", "news")]
        for p in originals:
            for fan, keen in self.fans.get(p.acc.handle.lower(), []):
                if r.random() < keen:
                    self.retweet(fan, p.ts + self.react_delay(fan.fast), p, "background")  # type: ignore[attr-defined]
            if r.random() < 0.08:  # a reply now and then
                who = r.choice(self.bg)
                if who is not p.acc:
                    self.post(who, p.ts + self.react_delay(0.2), f"@{p.acc.handle} " + r.choice(
                        ["Agreed!", "Pas sûr.", "Genau.", "Source?", "Same here.", "Merci !", "Stimmt nicht."]),
                              reply_to=p, mentions=[p.acc], lang=who.lang)  # type: ignore[attr-defined]

    def newsrooms(self) -> None:
        """Newsroom accounts post their articles; readers share them with the share button
        (the same text and link), a breaking story by dozens within minutes."""
        r = self.rng
        self.news_accounts: list[Account] = []
        self.news_articles: list[dict] = []
        for i, (name, dom, handle, lang, _late) in enumerate(NEWS):
            acc = self.add_account(handle, name, {"fr": "L'actualité de Vellmar et de la région.",
                                                  "de": "Nachrichten aus Vellmar und der Region."}[lang],
                                   T0 - r.randrange(2000, 5000) * DAY, "news", followers=r.randrange(8000, 60000),
                                   link=f"https://{dom}/", verified=True)
            acc.lang = lang  # type: ignore[attr-defined]
            self.news_accounts.append(acc)
            for j in range(self.k["news_articles"]):
                ts = self.human_time(j * DAYS / self.k["news_articles"] + r.random())
                headline = HEADLINES[(i * 5 + j) % len(HEADLINES)]
                art = {"site": i, "url": f"https://{dom}/{2026}/{r.randrange(10, 99)}/{headline.lower().split(':')[0].replace(' ', '-')}-{r.randrange(1000, 9999)}",
                       "title": headline, "ts": ts, "lang": lang}
                self.news_articles.append(art)
                self.post(acc, ts, f"{headline} {art['url']}", role="news", links=[art["url"]])
        # share-button posts: everyone's text is the same; breaking stories go fast
        breaking = set(r.sample(range(len(self.news_articles)), 3))
        for ai, art in enumerate(self.news_articles):
            n = int(len(self.bg) * (0.06 if ai in breaking else 0.008) * r.uniform(0.5, 1.5))
            for acc in r.sample(self.bg, min(n, len(self.bg))):
                ts = art["ts"] + self.react_delay(0.6 if ai in breaking else 0.05)
                if ts < self.end:
                    handle = self.news_accounts[art["site"]].handle
                    self.post(acc, ts, f"{art['title']} via @{handle} {art['url']}", role="background",
                              links=[art["url"]], mentions=[self.news_accounts[art["site"]]], lang=art["lang"])

    def viral(self) -> None:
        """Viral posts: hundreds of retweets within minutes, from the whole crowd."""
        r = self.rng
        authors = [self.news_accounts[0], self.bg[len(self.bg) // 2], self.popular[0]]
        texts = ["Incroyable : un phoque dans le Rhin à Vellmar ce matin ! (photo @vellmarcourier)",
                 "My grandmother (94) just finished the Vellmar 10k. Not crying, you are.",
                 "Le pont est fermé, le tram aussi, et il pleut. Bienvenue à Vellmar."]
        self.viral_posts: list[Post] = []
        for i, author in enumerate(authors[: self.k["viral_posts"]]):
            ts = self.human_time(8 + i * 17)
            p = self.post(author, ts, texts[i], role="viral",
                          photos=[f"https://pbs.twimg.com/media/F{r.randrange(10**9, 10**10)}x?format=jpg&name=large"])
            share = r.uniform(0.3, 0.55)
            for acc in self.bg:
                if r.random() < share:
                    self.retweet(acc, ts + 15 + int(math.exp(r.gauss(math.log(6 * 60), 1.1))), p, "viral")
            p.counts = (r.randrange(50, 300), int(len(self.bg) * share), int(len(self.bg) * share * 5), 30)
            self.viral_posts.append(p)
