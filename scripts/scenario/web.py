"""The mirror sites: the lineage of three sites, the decoy sites, and the files the
desk saved of them (crawl and watch-run WARCs, profile pictures, saved HTML pages).
"""

from __future__ import annotations

import random
from datetime import datetime, timezone
from email.utils import formatdate
from pathlib import Path
from typing import TYPE_CHECKING

from graphinv.capture.fetch import Chain, Exchange
from graphinv.capture.watch import classify_change, fingerprint_of
from graphinv.records import site_uid
from graphinv.web.outcome import observation_status

from .common import (COMMON_GTM, DAY, HOUR, LINEAGE_DOMAINS, LINEAGE_HOSTS, OPINIONS, PLACES, RARE_FB, RARE_G,
                     RARE_PUB, RARE_UA, RARE_YM, SUBJECTS, T0, isoz)
from .pages import error_page, html_page, in_paragraphs
from .warc import Warc

if TYPE_CHECKING:
    from . import Scenario


# The tracking IDs each generation of the lineage carries: the rare ones link them.
LINEAGE_IDS = [
    {"gtm": COMMON_GTM, "ua": RARE_UA, "g": RARE_G, "pub": RARE_PUB, "ym": RARE_YM, "fb": RARE_FB},
    {"gtm": COMMON_GTM, "ua_legacy": RARE_UA, "g": RARE_G, "pub": RARE_PUB, "fb": RARE_FB},
    {"gtm": COMMON_GTM, "g": RARE_G, "pub": RARE_PUB, "ym": RARE_YM},
]
TELEGRAM_OF_GEN = ["https://t.me/ostervale_truth", "https://t.me/ostervaletruth", "https://t.me/ostervaletruth"]


class SitesMixin:
    """The sites, their articles and their timeline (up, withheld, gone) of a scenario."""

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


def _write_watch_runs(out: Path, seed: int, checks: list[tuple]) -> None:
    """``web/watch-DAY.warc.gz``: the desk's `graphinv watch run` over the lineage sites
    each crawl day, seeing what the crawl saw at the same second (so the analysis of the
    crawls is unchanged), with the change since the check before."""
    rng = random.Random(f"watch-{seed}")
    previous: dict[str, dict] = {}
    by_run: dict[int, list[tuple]] = {}
    for check in checks:
        by_run.setdefault(check[0], []).append(check)
    for ct, run in sorted(by_run.items()):
        day = datetime.fromtimestamp(ct, timezone.utc).strftime("%Y%m%d")
        w = Warc(out / "web" / f"watch-{day}.warc.gz", rng, "graphinv/0.1.0 (warcio/1.8.1) watch run")
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


def write_web(sc: Scenario, out: Path) -> list[tuple]:
    """Write ``web/``: the crawls, the watch runs, the profile pictures and the saved
    pages; return what the crawls saw of the lineage sites, (domain, status, time)."""
    seed = sc.seed
    wrng = random.Random(f"warc-{seed}")
    photo_done: set[int] = set()
    site_obs: list[tuple] = []
    home_checks: list[tuple] = []  # (crawl time, gen, url, time, status, body, type): what the watchlist saw
    for ci, ct in enumerate(sc.crawl_times()):
        day = datetime.fromtimestamp(ct, timezone.utc).strftime("%Y%m%d")
        wp = out / "web" / f"crawl-{day}.warc.gz"
        w = Warc(wp, wrng, "Browsertrix-Crawler 1.1.0 (with warcio.js 2.2.1 pywb 2.8.3)")
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
                    w.exchange(url, t, st, error_page(st), "text/html")
                    if art is None:
                        home_checks.append((ct, g, url, t, st, error_page(st), "text/html"))
                    continue
                if art is None:
                    body = html_page(sc.site_names[g], sc.site_names[g] + " - independent news from Ostervale", url,
                                     LINEAGE_IDS[g], ["Independent reporting on the Ostervale council. They can block us, they cannot stop us."],
                                     [(a["url"], a["title"]) for a in arts] + [(TELEGRAM_OF_GEN[g], "Our Telegram channel")],
                                     ads=RARE_PUB)
                else:
                    body = html_page(sc.site_names[g], art["title"], url, LINEAGE_IDS[g], in_paragraphs(art["sents"]),
                                     [(home, "Home"), (TELEGRAM_OF_GEN[g], "Follow us on Telegram"),
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
                w.exchange(url, t, 404, error_page(404), "text/html")
                continue
            rr = random.Random(f"{seed}-{d['domain']}")
            body = html_page(d["name"], d["name"], url, d["ids"],
                             [f"Welcome to {d['name']}. {rr.choice(SUBJECTS).capitalize()} {rr.choice(OPINIONS)}.",
                              f"Find us near {rr.choice(PLACES)}. Open {rr.randrange(7, 10)}:00 to {rr.randrange(16, 20)}:00."],
                             [(f"https://{d['host']}/contact", "Contact"), (f"https://{d['host']}/about", "About")])
            w.exchange(url, t, 200, body.encode("utf-8"), "text/html; charset=utf-8")
        w.close()

    _write_watch_runs(out, seed, home_checks)

    # profile pictures of the accounts the desk watches (same face re-encoded across re-creations)
    w = Warc(out / "web" / "profile-images.warc.gz", wrng, "wget/1.21.4 --warc-file")
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
    html = html_page(sc.site_names[1], g1a["title"], g1a["url"], LINEAGE_IDS[1], in_paragraphs(g1a["sents"]),
                     [(f"https://{LINEAGE_HOSTS[1]}/", "Home"), (TELEGRAM_OF_GEN[1], "Telegram")],
                     img=sc.photo_urls[1], ads=RARE_PUB)
    html = f"<!-- saved from url=({len(g1a['url']):04d}){g1a['url']} -->\n" + html
    (saved / "ostervale-facts_harbour-files.html").write_bytes(html.encode("utf-8"))
    g2a = sc.articles[2][3]
    saved_ts = sc.g2_start + 3 * DAY + 5 * HOUR
    single = (f"<!--\n Page saved with SingleFile \n url: {g2a['url']} \n saved date: "
              f"{datetime.fromtimestamp(saved_ts, timezone.utc).strftime('%a %b %d %Y %H:%M:%S')} GMT+0000 (Coordinated Universal Time)\n-->\n")
    html = html_page(sc.site_names[2], g2a["title"], g2a["url"], LINEAGE_IDS[2], in_paragraphs(g2a["sents"]),
                     [(f"https://{LINEAGE_HOSTS[2]}/", "Home")], img=sc.photo_urls[2], ads=RARE_PUB)
    (saved / "truth-ostervale_marina-contracts-2.html").write_bytes((single + html).encode("utf-8"))
    # a German mirror page, saved as latin-1 with a meta charset
    de_url = f"https://{LINEAGE_HOSTS[2]}/de/hafen-akten"
    de = html_page("Wahrheit Ostervale", "Die Hafen-Akten: Wo sind 2,4 Millionen geblieben?", de_url, LINEAGE_IDS[2],
                   ["Der Haushalt für die Hafensanierung in Ostervale wuchs in einem Jahr um 2,4 Millionen Euro. "
                    "Ratsfrau Clara Benedek hat jede einzelne Überweisung selbst unterschrieben.",
                    "Bürgerinnen und Bürger der Quay Road hörten, für Straßenlaternen sei kein Geld da. "
                    "Gleichzeitig bekam der Jachthafen beheizte Bänke und einen Brunnen.",
                    "Fragen Sie sie selbst: Warum wurde die Ausschreibung nie veröffentlicht? Übersetzt aus dem Englischen."],
                   [(f"https://{LINEAGE_HOSTS[2]}/", "Startseite"), (TELEGRAM_OF_GEN[2], "Telegram-Kanal")],
                   img=sc.photo_urls[2], lang="de", charset="iso-8859-1", ads=RARE_PUB)
    de = f"<!-- saved from url=({len(de_url):04d}){de_url} -->\n" + de
    (saved / "truth-ostervale_de_hafen-akten.html").write_bytes(de.encode("latin-1"))
    # an unrelated saved page with only the common container (decoy)
    d0 = sc.decoy_sites[0]
    dhtml = html_page(d0["name"], d0["name"] + " - events", f"https://{d0['host']}/events", d0["ids"],
                      ["Regatta on Saturday, registration at the clubhouse.", "Beginners welcome."],
                      [(f"https://{d0['host']}/", "Home")])
    dhtml = f"<!-- saved from url=({len(d0['host']) + 15:04d})https://{d0['host']}/events -->\n" + dhtml
    (saved / f"{d0['domain'].split('.')[0]}_events.html").write_bytes(dhtml.encode("utf-8"))
    return site_obs
