"""Twitter accounts and posts: the target, impostors, background users, accounts
re-created after suspension, and the campaigns planted among them (repost raid,
copy-paste waves, an organic viral decoy, replies attacking the target).
"""

from __future__ import annotations

import math

from graphinv.records import account_uid

from .common import (BG_TAGS, DAY, EXTRAS, FIRST, HOUR, LAST, OPINIONS, PLACES, SUBJECTS, T0, TARGET_NAME,
                     TARGET_TWITTER, TWITTER_EPOCH_MS, WORDS, Account, Post, scaled)


class PeopleMixin:
    """The accounts and posts of :class:`scripts.scenario.Scenario` (its ``rng`` and lists)."""

    # ---- ids and names
    def tweet_id(self, ts: int) -> int:
        self.seq += 1
        return ((ts * 1000 + self.seq % 997 - TWITTER_EPOCH_MS) << 22) | (self.seq & 0x3FFFFF)

    def new_handle(self, style: str = "name") -> str:
        r = self.rng
        while True:
            if style == "name":
                f, s = r.choice(FIRST), r.choice(LAST)
                h = r.choice([f"{f}_{s}", f"{f}{s}", f"{f}.{s}".replace(".", "_"), f"{f}_{s[0]}",
                              f"{f}{r.randrange(1, 99)}", f"{f}_{s}{r.randrange(70, 100)}"])
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
        for _ in range(scaled(14, self.scale, 4)):
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
        n = scaled(k["n_background"], self.scale, 20)
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
        for _ in range(scaled(25, self.scale, 5)):
            ts = T0 + r.randrange(0, k["days"] * DAY)
            self.post(self.news, ts, f"{r.choice(SUBJECTS).capitalize()} {r.choice(OPINIONS)}. Full story:",
                      links=[f"https://ostervale-times.example/news/2026/{r.randrange(1000, 9999)}"],
                      role="news")
        # organic retweets and replies, spread out by hours
        originals = [p for p in self.posts if p.role in ("background", "news") and p.retweeted is None]
        for _ in range(scaled(24, self.scale, 6)):
            orig = r.choice(originals)
            acc = r.choice(self.bg)
            if acc is orig.acc:
                continue
            ts = orig.ts + int(r.expovariate(1 / (8 * HOUR))) + 60
            if ts < self.end:
                self.retweet(acc, ts, orig, "background")
        for _ in range(scaled(28, self.scale, 5)):
            orig = r.choice(originals)
            acc = r.choice(self.bg)
            ts = orig.ts + int(r.expovariate(1 / (3 * HOUR))) + 30
            if ts < self.end and acc is not orig.acc:
                self.post(acc, ts, f"@{orig.acc.handle} " + r.choice(
                    ["Agreed!", "Not sure about that.", "Ha, true.", "Source?", "Same here.",
                     "Thanks for sharing.", "Was there too!"]), reply_to=orig, mentions=[orig.acc])
        # a few organic mentions of the councillor (not attacks)
        for _ in range(scaled(12, self.scale, 3)):
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
        n = scaled(k["n_raid"], self.scale, 6)
        base = T0 + 5 * DAY
        self.raiders = []
        for _ in range(n):
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
        n = scaled(k["n_copypaste"], self.scale, 5)
        self.copiers = []
        for _ in range(n):
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
        n = scaled(self.k["viral_retweets"], self.scale, 8)
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
        for _ in range(scaled(6, self.scale, 2)):
            acc = r.choice(self.chains[0])
            ts = max(acc.created, T0) + r.randrange(HOUR, 5 * DAY)
            self.post(acc, ts, "@ostervale_welcome who pays for your language cafe? Not us. #OstervaleTruth",
                      role="attack", mentions=[self.group], hashtags=["OstervaleTruth"])
        # a quote of the target by a reappearing account
        tp = r.choice(tposts)
        acc = self.chains[1][0]
        self.post(acc, max(tp.ts, acc.created) + 900, "Lies. Read the harbour files instead: " + self.current_article(tp.ts),
                  role="attack", quoted=tp, links=[self.current_article(tp.ts)])
