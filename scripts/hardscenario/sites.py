"""The web of the hard scenario: two site lineages, the news sites they cite, small
sites built from one template, and the crawls the desk made of them (with missed days).

Hard on purpose: the harassment sites cite news articles (the target's paper among them)
while they are live, and the successors cite the same ones; a newspaper reports the
court order and links to the blocked site; two of the news sites were first crawled only
after the first takedown (the desk added them when it found the citations), though they
had existed for years; the small sites share a tag-manager container and the theme's
header image; a bakery's site goes away and another bakery's appears days later; the
crawl of the day a successor appeared was missed.
"""

from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

from scripts.scenario.pages import error_page, html_page, in_paragraphs
from scripts.scenario.warc import Warc

from .names import DAY, DAYS, HOUR, NEWS, T0

TEMPLATE_GTM = "GTM-5WQ9K2T"  # the site builder's container, on every small site
THEME_FACE = 9901  # the theme's header picture: the same bytes on every small site
LINEAGE_A = ["vellmar-libre.example", "libre-vellmar.example", "vellmarlibre.example"]
HOSTS_A = ["vellmar-libre.example", "libre-vellmar.example", "www.vellmarlibre.example"]
LINEAGE_B = ["heimatbote-vellmar.example", "heimatbote24.example"]
IDS_A = [{"gtm": TEMPLATE_GTM, "g": "G-V3LLM4R7QX", "pub": "ca-pub-7310948226501937", "fb": "902381746152093"},
         {"g": "G-V3LLM4R7QX", "pub": "ca-pub-7310948226501937", "fb": "902381746152093"},
         {"pub": "ca-pub-7310948226501937", "ym": "96120457"}]
IDS_B = [{"ym": "71920384", "ua": "UA-39120577-2"}, {"ym": "71920384", "g": "G-HB24X9PLM2"}]

ARTICLES_A = [
    ("Marchetti : la vérité sur ses sources", "marchetti-sources",
     ["Depuis des mois, Élise Marchetti publie des enquêtes à charge sur Vellmar.", "Ses sources ne sont jamais nommées.",
      "Nous avons comparé ses articles avec les comptes rendus du conseil municipal.",
      "Les chiffres ne correspondent pas, et le Courier refuse de répondre.",
      "Qui finance vraiment ses enquêtes sur les logements vides ?",
      "Nos lecteurs ont le droit de savoir.", "Partagez cet article avant qu'il disparaisse."]),
    ("Le Courier et l'argent du réseau d'accueil", "courier-argent-accueil",
     ["Le réseau d'accueil de Vellmar a reçu trois subventions en deux ans.",
      "Le Courier en parle toujours en bien, et pour cause.", "Une journaliste du Courier siège à son comité de soutien.",
      "Personne n'a voté ces subventions en séance publique.", "Les comptes de l'association ne sont pas publiés.",
      "Nous publions ci-dessous la liste des versements."]),
    ("Ce qu'ils ne veulent pas que vous lisiez", "ce-quils-cachent",
     ["Ils ont essayé de nous faire taire par un tribunal.", "Mais les documents circulent déjà.",
      "Chaque article de ce site est sauvegardé par nos lecteurs.", "La presse officielle ne parlera jamais de cela.",
      "Suivez notre canal Telegram au cas où ils recommencent."]),
]
ARTICLES_B = [
    ("Die Wahrheit über die Flüchtlingshilfe", "fluechtlingshilfe",
     ["Das Netzwerk bekommt Geld von der Stadt, aber niemand prüft die Abrechnungen.",
      "Die Journalistin Marchetti schreibt darüber nur Gutes.", "Wir haben nachgefragt und keine Antwort bekommen.",
      "Bürger von Vellmar haben ein Recht auf Transparenz.", "Teilen Sie diesen Artikel."]),
    ("Lügenpresse in Vellmar", "luegenpresse",
     ["Der Courier verschweigt, was in Vellmar wirklich passiert.", "Seit Jahren dieselben Geschichten.",
      "Unsere Leser wissen es besser.", "Abonnieren Sie unseren Kanal."]),
]
SYN = {"enquêtes": "investigations", "articles": "textes", "publie": "diffuse", "refuse": "rejette",
       "documents": "papiers", "Partagez": "Diffusez", "Nous": "On", "Bürger": "Einwohner", "Artikel": "Beitrag"}


class SitesMixin:
    """The sites of a hard scenario and when each is up, down or captured."""

    def plan_sites(self) -> None:
        r = self.rng
        k = self.k
        down0 = T0 + k["takedown_day"] * DAY + 10 * HOUR
        start1 = down0 + k["gap_days"] * DAY + 6 * HOUR
        down1 = start1 + 16 * DAY
        start2 = down1 + k["gap_days"] * DAY + 4 * HOUR
        self.lineage_start = [[T0 - 200 * DAY, start1, start2], [T0 - 400 * DAY, T0 + 38 * DAY + 7 * HOUR]]
        self.lineage_down = [[down0, down1, None], [T0 + 34 * DAY + 11 * HOUR, None]]
        self.articles_a = [[{"title": t, "slug": s, "sents": list(x)} for t, s, x in ARTICLES_A]]
        for g in (1, 2):
            self.articles_a.append([self.edit(a, g) for a in self.articles_a[g - 1]])
        self.articles_b = [[{"title": t, "slug": s, "sents": list(x)} for t, s, x in ARTICLES_B]]
        self.articles_b.append([self.edit(a, 1) for a in self.articles_b[0]])
        layouts = ["https://{h}/{y}/{s}/", "https://{h}/articles/{s}.html", "https://{h}/p/{s}"]
        for g, arts in enumerate(self.articles_a):
            for a in arts:
                a["url"] = layouts[g].format(h=HOSTS_A[g], y=2026, s=a["slug"])
        for g, arts in enumerate(self.articles_b):
            for a in arts:
                a["url"] = f"https://{LINEAGE_B[g]}/" + ("blog/" if g == 0 else "beitrag/") + a["slug"]
        # small sites from one builder: the template's container and header picture
        names = ["Boulangerie Roth", "Garage Hoffmann", "Yoga Rhin", "Librairie du Pont", "Zahnarzt Dr. Klein",
                 "Fleurs de Vellmar", "Tennis Club Vellmar", "Auto-école Lambert", "Café Amsel", "Pizzeria Roma",
                 "Chorale Sainte-Odile", "Fahrradladen Speiche", "Cabinet Fournier", "Camping Rheinblick"]
        n = min(8 * self.scale, 80)
        self.bg_sites = []
        for i in range(n):
            base = names[i % len(names)]
            name = base if i < len(names) else f"{base} {i // len(names) + 1}"
            dom = "-".join(name.lower().replace(".", "").replace("é", "e").replace("'", " ").split()) + ".example"
            self.bg_sites.append({"name": name, "domain": dom, "host": dom if r.random() < 0.6 else "www." + dom,
                                  "ids": {"gtm": TEMPLATE_GTM, **({"ua": f"UA-{r.randrange(10**7, 10**8)}-1"}
                                                                 if r.random() < 0.5 else {})},
                                  "start": T0 - r.randrange(100, 2000) * DAY, "down": None})
        self.bg_sites[0]["down"] = T0 + 30 * DAY  # the bakery closes; another opens days later
        self.bg_sites.append({"name": "Pâtisserie Klein", "domain": "patisserie-klein.example",
                              "host": "patisserie-klein.example", "ids": {"gtm": TEMPLATE_GTM},
                              "start": T0 + 30 * DAY + k["gap_days"] * DAY, "down": None})
        for name, dom in [("Bibliothèques de Vellmar", "vellmar-libraries.example"),
                          ("Vélo Libre Vellmar", "libre-vellmar-velo.example")]:
            self.bg_sites.append({"name": name, "domain": dom, "host": dom, "down": None,
                                  "ids": {"g": f"G-{r.randrange(10**9, 10**10)}X"}, "start": T0 - 1500 * DAY})
        step = k["crawl_every_days"]
        days = list(range(1, DAYS, step))
        skip = {(T0 + 38 * DAY - T0) // DAY + d for d in (0, 1)} | set(r.sample(days[2:-2], 2))
        self.crawl_days = [d for d in days if d not in skip]

    def edit(self, art: dict, gen: int) -> dict:
        r = random.Random(f"{self.seed}-{art['slug']}-{gen}")
        sents = [" ".join(SYN.get(w, w) if r.random() < 0.5 else w for w in s.split(" ")) for s in art["sents"]]
        if len(sents) > 5 and r.random() < 0.7:
            del sents[r.randrange(2, len(sents))]
        sents.insert(r.randrange(1, len(sents)), r.choice(["Republié : l'original a été censuré.",
                                                           "Miroir de notre ancien site.", "Neu veröffentlicht."]))
        return {**art, "title": art["title"] if r.random() < 0.5 else art["title"] + " (republié)", "sents": sents}

    def lineage_gen(self, ts: int) -> int:
        starts = self.lineage_start[0]
        return 2 if ts >= starts[2] else 1 if ts >= starts[1] else 0

    def lineage_article(self, ts: int) -> str:
        return self.rng.choice(self.articles_a[self.lineage_gen(ts)])["url"]

    def press_coverage(self) -> None:
        """News about the court order, linking to the blocked site; the sites cite the press."""
        r = self.rng
        ts = self.lineage_down[0][0] + DAY + 3 * HOUR
        art = {"site": 2, "url": "https://nordkurier-vellmar.example/2026/06/gericht-sperrt-hetzseite-4711",
               "title": "Gericht sperrt Hetzseite vellmar-libre", "ts": ts, "lang": "de",
               "cites": "https://vellmar-libre.example/"}
        self.news_articles.append(art)
        self.post(self.news_accounts[2], ts, f"{art['title']} {art['url']}", role="news", links=[art["url"]])
        courier = [a for a in self.news_articles if a["site"] == 0]
        for g, arts in enumerate(self.articles_a):
            for i, a in enumerate(arts):
                a["cites"] = [courier[i % len(courier)]["url"], self.news_articles[(i * 7 + 3) % len(self.news_articles)]["url"]]
                if g > 0:
                    a["cites"].append(art["url"])
        for arts in self.articles_b:
            for i, a in enumerate(arts):
                a["cites"] = [courier[(i + 3) % len(courier)]["url"]]
        for acc in r.sample(self.bg, min(len(self.bg), 6)):  # readers share the press report
            self.post(acc, ts + self.react_delay(0.3), f"{art['title']} via @nordkurier_vm {art['url']}",
                      links=[art["url"]], lang="de")

    def site_status(self, lineage: int, gen: int, t: int) -> int | None:
        if t < self.lineage_start[lineage][gen]:
            return None
        down = self.lineage_down[lineage][gen]
        if down is None or t < down:
            return 200
        return (451 if t < down + 10 * DAY else 410) if (lineage, gen) == (0, 0) else 404


def write_web(sc, out: Path) -> None:
    """``web/crawl-DAY.warc.gz`` for each crawl the desk made, and the profile pictures."""
    wrng = random.Random(f"hard-warc-{sc.seed}")
    photo_done: set = set()
    late_from = sc.lineage_down[0][0] + 2 * DAY
    captured_news: set = set()
    for ci, d in enumerate(sc.crawl_days):
        ct = T0 + d * DAY + 9 * HOUR + wrng.randrange(HOUR)
        day = datetime.fromtimestamp(ct, timezone.utc).strftime("%Y%m%d")
        w = Warc(out / "web" / f"crawl-{day}.warc.gz", wrng, "Browsertrix-Crawler 1.1.0 (with warcio.js 2.2.1)")
        w.warcinfo(ct, "Vellmar monitoring desk")
        t = ct
        for lineage, (domains, hosts, arts_by_gen, ids, names) in enumerate([
                (LINEAGE_A, HOSTS_A, sc.articles_a, IDS_A, ["Vellmar Libre", "Libre Vellmar", "VellmarLibre"]),
                (LINEAGE_B, LINEAGE_B, sc.articles_b, IDS_B, ["Heimatbote Vellmar", "Heimatbote 24"])]):
            for g in range(len(domains)):
                st = sc.site_status(lineage, g, ct)
                if st is None:
                    continue
                home = f"https://{hosts[g]}/"
                photo = f"{home}{'media' if g else 'wp-content/uploads'}/{'marche' if lineage == 0 else 'rathaus'}-{g}.jpg"
                for url, art in [(home, None)] + [(a["url"], a) for a in arts_by_gen[g]]:
                    t += wrng.randrange(2, 9)
                    if st != 200:
                        w.exchange(url, t, st, error_page(st), "text/html")
                        continue
                    if art is None:
                        body = html_page(names[g], names[g], url, ids[g], ["Information libre pour Vellmar. / Freie Information."],
                                         [(a["url"], a["title"]) for a in arts_by_gen[g]]
                                         + [(c, "Source") for c in arts_by_gen[g][0]["cites"][:1]]
                                         + [("https://t.me/vellmarlibre", "Telegram")], ads=ids[g].get("pub"))
                    else:
                        body = html_page(names[g], art["title"], url, ids[g], in_paragraphs(art["sents"]),
                                         [(home, "Accueil")] + [(c, "Source") for c in art["cites"]],
                                         img=photo, ads=ids[g].get("pub"), lang="de" if lineage else "fr")
                    w.exchange(url, t, 200, body.encode("utf-8"), "text/html; charset=utf-8")
                if st == 200 and (lineage, g) not in photo_done:
                    photo_done.add((lineage, g))
                    picture = sc.images.photo(g) if lineage == 0 else sc.images.avatar(8801, g)  # one picture per lineage
                    w.exchange(photo, t + 2, 200, picture, "image/jpeg")
        for i, (name, dom, _handle, lang, late) in enumerate(NEWS):
            if late and ct < late_from:
                continue
            home = f"https://{dom}/"
            arts = [a for a in sc.news_articles if a["site"] == i and a["ts"] < ct]
            ids = {"g": f"G-NEWS{i}{sc.seed % 10}K{i * 7}Q", "pub": f"ca-pub-{4000000000000000 + i * 7919}"}
            t += wrng.randrange(2, 9)
            body = html_page(name, name, home, ids, [f"{name} : l'actualité depuis 1952."],
                             [(a["url"], a["title"]) for a in arts[-8:]], ads=ids["pub"])
            w.exchange(home, t, 200, body.encode("utf-8"), "text/html; charset=utf-8")
            for a in arts:
                if a["url"] in captured_news:
                    continue
                captured_news.add(a["url"])
                t += wrng.randrange(2, 9)
                links = [(home, "Accueil")] + ([(a["cites"], "Le site bloqué")] if a.get("cites") else [])
                body = html_page(name, a["title"], a["url"], ids, [f"{a['title']}. " + "Lorem ipsum dolor sit amet. " * 20],
                                 links, lang=lang, ads=ids["pub"],
                                 date=datetime.fromtimestamp(a["ts"], timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
                w.exchange(a["url"], t, 200, body.encode("utf-8"), "text/html; charset=utf-8")
        for s in sc.bg_sites:
            if ct < s["start"] or (ci % 2 == 1 and s["down"] is None):
                continue
            url = f"https://{s['host']}/"
            t += wrng.randrange(2, 9)
            if s["down"] is not None and ct >= s["down"]:
                w.exchange(url, t, 404, error_page(404), "text/html")
                continue
            header = f"{url}wp-content/themes/vellmar-lite/header.jpg"
            body = html_page(s["name"], s["name"], url, s["ids"], [f"Bienvenue chez {s['name']}. Willkommen!"],
                             [(f"{url}contact", "Contact"), ("https://vellmar-courier.example/", "Vellmar Courier")],
                             img=header)
            w.exchange(url, t, 200, body.encode("utf-8"), "text/html; charset=utf-8")
            if s["domain"] not in photo_done:
                photo_done.add(s["domain"])
                w.exchange(header, t + 1, 200, sc.images.avatar(THEME_FACE, 0), "image/jpeg")
        w.close()
    # the profile pictures of the accounts the desk watches
    w = Warc(out / "web" / "profile-images.warc.gz", wrng, "wget/1.21.4 --warc-file")
    t = T0 + (DAYS - 2) * DAY
    w.warcinfo(t, "Vellmar monitoring desk")
    seen = set()
    for acc in sc.captured:
        url = acc.avatar_url.replace("_400x400", "_normal")
        if url not in seen:
            seen.add(url)
            t += wrng.randrange(1, 4)
            w.exchange(url, t, 200, sc.images.avatar(acc.avatar_key, acc.avatar_variant), "image/jpeg")
    w.close()
