"""The planted operations and the decoys of each detector.

Operations: two repost raids (one of them run by bots that retweet popular and viral
posts as cover), a copy-paste campaign, accounts re-created after their suspension,
impostors of the target. Decoys: fan, parody and critic accounts of the target with
disclaimers in French, German and English (using her photo); old accounts named like a
suspended one, created years before it went quiet, with a bio whose words are a subset
of its bio; crowds of accounts sharing a generic bio and a stock avatar, some of them
suspended for spam; look-alikes active at the same time as the originals.
"""

from __future__ import annotations

from scripts.scenario.common import Account

from .names import (DAY, DAYS, GENERIC_BIOS, GROUP_HANDLE, GROUP_TARGET, HOUR, T0, TARGET_BIO, TARGET_FACE,
                    TARGET_HANDLE, TARGET_NAME)

STOCK_FLAG_FACE = 7001  # one stock avatar (a flag) that many unrelated accounts use

# (handles old -> new, display name, bio, profile link, face, how the bio changes on re-creation)
CHAINS = [
    (["wolfsangel_vm", "wolfsangel_vm2", "wolfsangel__vm"], "Wolf | Vellmar",
     "Vellmar first. Die Wahrheit über die Lügenpresse. Banned twice, still here.", "https://t.me/vellmarlibre", 6001),
    (["heimatfront_jo", "heimatfr0nt_jo"], "Jo \u2694\ufe0f",
     "Heimat. Familie. Freiheit. Wir vergessen nichts, wir vergeben nichts.", "https://vellmar-libre.example/jo", 6002),
    (["la_vraie_voix", "lavraievoix_"], "La Vraie Voix",
     "Ce que les journalistes ne vous diront jamais. Réinformation, Vellmar et Alsace.", None, 6003),
    (["ironkeel", "torstein_free"], "Torstein",
     "Husband. Father. Patriot. Exposing the Courier's lies since 2021.", "https://heimatbote-vellmar.example/", 6004),
]

IMPOSTORS = [("elise_marchetti", TARGET_NAME, TARGET_BIO),
             ("EIiseMarchetti", "Elise Marchetti", TARGET_BIO),  # capital I for l
             ("elisemarchetti_off", "Élise Marchetti", "Journaliste. Compte officiel. Nouveau compte, l'ancien est piraté."),
             ("marchetti_elise", "Elise Marchetti \u2713", "Journalist, Vellmar Courier. Official."),
             ("elisemarchetti1", "Élise Marchetti", "Journaliste indépendante. Soutenez mon travail : lien ci-dessous.")]

# Accounts named like the target that say what they are, in three languages (and two
# namesakes that are other people). Most use her photo, as fans and parodists do.
IMPERSONATION_DECOYS = [
    ("elisemarchetti_fans", "Élise Marchetti Fans", "Compte non officiel de soutien. On aime son travail !", True),
    ("marchetti_parodie", "Élise Marchetti (Parodie)", "Compte parodique. Ce n'est pas la vraie Élise.", True),
    ("elise_marchetti_de", "Élise Marchetti", "Inoffizielle Fanseite, nicht offiziell und nicht verbunden mit ihr. "
                                              "Übersetzungen ihrer Artikel.", True),
    ("elisemarchettiparody", "Élise Marchetti", "Parody account. Not Élise. Obviously.", True),
    ("marchetti_satire", "Elise Marchetti", "Satire. Parodie. Rien de ce compte n'est vrai.", True),
    ("fan_elisemarchetti", "Élise Marchetti \u2764\ufe0f", "Fan account. Sharing Élise's reporting, not run by her.", True),
    ("elise_m_watch", "Élise Marchetti Watch", "Critique de ses articles. Compte non affilié.", False),
    ("elisa_marchetti", "Elisa Marchetti", "Pâtissière à Strasbourg. Gâteaux sur commande.", False),
    ("marchetti_emilio", "Emilio Marchetti", "Photographe. Mariages et portraits.", False),
]


class OperationsMixin:
    """The target, the operations and the decoys of a hard scenario."""

    def observe(self, entity: str, status: str, ts: int, source: str = "watchlist") -> None:
        self.observations.append({"entity": entity, "platform": "twitter" if entity.startswith("@") else "web",
                                  "status": status, "observed_at": ts, "source": source})

    def active_between(self, acc: Account, a0: int, a1: int, n: int, texts: list[str], **kw) -> None:
        r = self.rng
        for _ in range(n):
            ts = self.human_time((a0 - T0) / DAY + r.random() * max(0.1, (a1 - a0) / DAY - 0.2))
            if max(a0, acc.created) < ts < min(a1, self.end):
                self.post(acc, ts, r.choice(texts), **kw)

    # ---- the target and her impostors
    def target_and_impostors(self) -> None:
        r = self.rng
        self.target = self.add_account(TARGET_HANDLE, TARGET_NAME, TARGET_BIO, T0 - 3100 * DAY, "target",
                                       followers=12800, link="https://vellmar-courier.example/auteurs/marchetti",
                                       face=TARGET_FACE, verified=True, location="Vellmar")
        self.group = self.add_account(GROUP_HANDLE, GROUP_TARGET, "Bénévoles pour l'accueil à Vellmar. "
                                      "Ehrenamtliche Hilfe für Geflüchtete.", T0 - 1900 * DAY, "target", followers=2100)
        self.captured += [self.target]
        for _ in range(12):
            art = r.choice(self.news_articles[:10])
            self.post(self.target, self.human_time(), f"Mon enquête : {art['title']} {art['url']}", role="target",
                      links=[art["url"]], lang="fr")
        self.impostors = []
        for i, (h, disp, bio) in enumerate(IMPOSTORS):
            acc = self.add_account(h, disp, bio, T0 + r.randrange(5, 45) * DAY, "impostor", followers=r.randrange(2, 200),
                                   face=TARGET_FACE, variant=1 + i % 4)
            self.impostors.append(acc)
            self.captured.append(acc)
            self.active_between(acc, acc.created, self.end, r.randrange(1, 4), [
                "Je quitte le Courier. Merci pour tout.", "Official statement: my investigation was wrong, I apologise.",
                "Soutenez mon enquête, lien en bio. Chaque euro compte.", "Suivez ce compte, l'ancien a été piraté."],
                role="impostor", lang="fr")
        self.imp_decoys = []
        for h, disp, bio, her_photo in IMPERSONATION_DECOYS:
            acc = self.add_account(h, disp, bio, T0 - r.randrange(20, 1500) * DAY, "impersonation-decoy",
                                   face=TARGET_FACE if her_photo else None, variant=r.randrange(1, 5))
            self.imp_decoys.append(acc)
            self.captured.append(acc)
            self.active_between(acc, T0, self.end, r.randrange(1, 4), [
                "Excellent papier d'@elisemarchetti ce matin, à lire !", "Breaking: Élise discovers the Rhine is wet.",
                "Neuer Artikel von Élise Marchetti, übersetzt.", "Encore un article à charge, 3e cette semaine.",
                "Commande du jour : forêt noire pour 12 personnes."], role="decoy", mentions=[self.target])

    # ---- accounts re-created after a suspension, and the decoys around them
    def recreated_accounts(self) -> None:
        r = self.rng
        gap = self.k["account_gap_days"]
        self.chains: list[list[Account]] = []
        first_susp = [T0 + 11 * DAY, T0 + 17 * DAY, T0 + 24 * DAY, T0 + 30 * DAY]
        texts = ["@elisemarchetti combien te paie le Courier pour mentir ?", "Lügenpresse. @elisemarchetti #Vellmar",
                 "Everyone should read what @elisemarchetti hides. #VellmarLibre",
                 "@elisemarchetti on sait où tu habites, on sait tout.", "Die Wahrheit kommt raus. #VellmarLibre"]
        for ci, (handles, disp, bio, link, face) in enumerate(CHAINS):
            accs: list[Account] = []
            for gi, h in enumerate(handles):
                if gi == 0:
                    created, susp = T0 - r.randrange(200, 1200) * DAY, first_susp[ci] + r.randrange(12 * HOUR)
                else:
                    created = accs[-1].susp + r.randrange(1, gap + 1) * DAY + r.randrange(HOUR, 9 * HOUR)  # type: ignore[attr-defined]
                    susp = created + r.randrange(12, 20) * DAY
                if gi == len(handles) - 1 or susp >= self.end - 2 * DAY:
                    susp = None
                b = bio if gi == 0 else r.choice([bio, bio + " Back again.", bio.replace(".", "")])
                if ci == 3 and gi == 1:
                    b = bio + " New account, the old one got banned."
                acc = self.add_account(h, disp, b, created, "reappearing", link=link, face=face, variant=gi,
                                       followers=r.randrange(300, 3000) if gi == 0 else r.randrange(5, 200))
                acc.susp = susp  # type: ignore[attr-defined]
                accs.append(acc)
                self.captured.append(acc)
                a0, a1 = max(T0, created), susp or self.end
                self.active_between(acc, a0, a1, max(4, (a1 - a0) // (3 * DAY)), texts, role="reappearing",
                                    mentions=[self.target], lang="fr")
                self.observe(f"@{h}", "active", a0 + 5 * HOUR)
                if susp is None:
                    break
                for dt in (3 * HOUR, 4 * DAY):
                    self.observe(f"@{h}", "suspended", susp + dt)
            self.chains.append(accs)
        self.account_decoys()

    def account_decoys(self) -> None:
        r = self.rng
        self.acc_decoys: list[Account] = []

        def decoy(h, disp, bio, created, face=None, posts=(T0, None), n=3, texts=None):
            acc = self.add_account(h, disp, bio, created, "decoy", face=face, variant=r.randrange(5))
            self.acc_decoys.append(acc)
            self.captured.append(acc)
            self.active_between(acc, posts[0], posts[1] or self.end, n, texts or [
                "Schönes Wetter heute in Vellmar.", "Match ce soir, allez Vellmar !", "Family BBQ. #Vellmar"])
            return acc

        # old accounts named like a chain's first account, created years before it went
        # quiet, silent until after its suspension, with a bio that is a subset of its words
        for ci, acc_h, bio in [(0, "wolfsangel_v", "Vellmar first."), (1, "heimatfront_j", "Heimat. Familie. Freiheit."),
                               (2, "lavraie_voix", "Réinformation. Alsace.")]:
            old = self.chains[ci][0]
            decoy(acc_h, old.display.split("|")[0].strip(), bio, T0 - r.randrange(1500, 3000) * DAY,
                  posts=(old.susp + 2 * DAY, None))  # type: ignore[attr-defined]
        # look-alikes active at the same time as the originals
        decoy("wolfsangel_vm_fc", "Wolfsangel VM Fußball", "Amateur football, Kreisliga. Training Tuesdays.", T0 - 900 * DAY)
        decoy("heimatfront_joe", "Joe", "Hiking the Vosges. Photos.", T0 - 700 * DAY)
        decoy("ironkeel_sailing", "Iron Keel Sailing", "Sailing school on the Rhine.", T0 - 1200 * DAY)
        # crowds sharing generic bios and the stock flag avatar; some suspended for spam,
        # others (created long ago) first seen after those suspensions
        handles = ["patriot_dad77", "patriotdad_77", "dad_patriot", "football_beer", "footballbeer_vm",
                   "family_football", "heimat_familie", "familie_frei", "vellmar_first1", "vellmarfirst",
                   "husband_father", "father_patriot"]
        for i, h in enumerate(handles):
            bio = GENERIC_BIOS[i % len(GENERIC_BIOS)]
            spam = i % 3 == 0
            susp = T0 + r.randrange(8, 40) * DAY
            acc = decoy(h, h.split("_")[0].capitalize(), bio, T0 - r.randrange(300, 3500) * DAY,
                        face=STOCK_FLAG_FACE, posts=(T0, susp) if spam else (T0 + r.randrange(10, 45) * DAY, None),
                        texts=["Wake up Vellmar!", "Réveillez-vous !", "Aufwachen!"] if spam else None)
            if spam:
                acc.susp = susp  # type: ignore[attr-defined]
                self.observe(f"@{h}", "suspended", susp + 2 * HOUR)
        # a spammer suspended, and days later an unrelated account with a look-alike name
        # (created after the suspension: the timing fits, nothing else does)
        s = T0 + 14 * DAY
        decoy("cryptolynx", "Crypto Lynx", "100x signals. DM for VIP.", T0 - 60 * DAY, posts=(T0, s),
              texts=["Free signals today, 100x guaranteed, DM me"])
        self.observe("@cryptolynx", "suspended", s + 3 * HOUR)
        decoy("crypto_lynx", "Lynx Watchers", "Wildlife of the Vosges. Lynx sightings.", s + 3 * DAY, posts=(s + 4 * DAY, None))

    # ---- coordinated operations
    def raids(self) -> None:
        """Two repost raids. Raid A's bots look ordinary (old accounts, plain bios) and
        retweet popular and viral posts within seconds as cover."""
        r = self.rng
        self.raid_members: list[list[Account]] = []
        self.raid_seeds: list[list] = []
        self.cover_bots: list[Account] = []
        specs = [("A", self.k["raid_a"], [a for c in self.chains for a in c], 5, 40), ("B", self.k["raid_b"], None, 4, 25)]
        for name, n, amplified, n_posts, spread in specs:
            members = []
            for i in range(n):
                bot = name == "A" and i % 2 == 0
                if bot:
                    f = r.choice(["lucas", "emma", "jonas", "lea", "max", "nina"])
                    acc = self.add_account(self.handle_for(f, r.choice(["weber", "roux", "koch", "blanc"])),
                                           f.capitalize(), r.choice(["Café, vélo, Vellmar.", "Bücher und Kaffee.", ""]),
                                           T0 - r.randrange(400, 2500) * DAY, "raid")
                    self.cover_bots.append(acc)
                else:
                    acc = self.add_account(self.throwaway(), r.choice(["Patriote", "Heimat", "Vellmar libre", "Libre"]),
                                           r.choice(["", "Réveillez-vous.", "Aufwachen.", "Vellmar libre !"]),
                                           T0 + r.randrange(0, 4 * DAY), "raid", followers=r.randrange(0, 40))
                members.append(acc)
            if amplified is None:
                amplified = [self.add_account("vellmar_libre_tv", "Vellmar Libre TV", "Vidéos que la presse cache.",
                                              T0 - 300 * DAY, "amplified", followers=900)]
            seeds = []
            for j in range(n_posts):
                ts = self.human_time(4 + j * (DAYS - 10) / n_posts + r.random() * 2)
                alive = [a for a in amplified if a.created < ts - HOUR and (getattr(a, "susp", None) or self.end) > ts + HOUR]
                if not alive:
                    continue
                url = self.lineage_article(ts)
                text = (f"À PARTAGER : ce que @elisemarchetti cache, épisode {j + 1}. {url} #VellmarLibre" if name == "A"
                        else f"Neues Video {j + 1}/{n_posts}: Marchetti und der Courier, die ganze Wahrheit {url}")
                seed = self.post(alive[0], ts, text,
                                 role="raid-seed", links=[url], hashtags=["VellmarLibre"] if name == "A" else [],
                                 mentions=[self.target] if name == "A" else [])
                seeds.append(seed)
                start = ts + r.randrange(30, 150)
                for acc in members:
                    if r.random() < 0.85 and acc.created < start:
                        self.retweet(acc, start + r.randrange(0, spread), seed, "raid")
            self.raid_members.append(members)
            self.raid_seeds.append(seeds)
        # the cover: the bots retweet popular and viral posts fast, each on its own clock
        cover = [p for p in self.posts if p.retweeted is None and (p.acc in self.popular or p.role in ("viral", "news"))]
        for bot in self.cover_bots:
            for p in cover:
                if r.random() < 0.3:
                    self.retweet(bot, p.ts + r.randrange(5, 90), p, "cover")

    def copy_paste(self) -> None:
        r = self.rng
        self.copiers = []
        for _ in range(self.k["n_copypaste"]):
            f = r.choice(["marc", "julie", "karl", "sabine", "pierre", "uwe", "nadine"])
            self.copiers.append(self.add_account(self.handle_for(f, r.choice(["meyer", "petit", "schulz", "henry"])),
                                                 f.capitalize(), r.choice(["", "Citoyen inquiet.", "Besorgter Bürger."]),
                                                 T0 - r.randrange(20, 900) * DAY, "copypaste"))
        texts = ["La journaliste @elisemarchetti ment sur Vellmar. Lisez les preuves avant qu'ils censurent : {url} #VellmarLibre",
                 "Ils ont fermé le site, la vérité revient : {url} @elisemarchetti démission ! #VellmarLibre #Lügenpresse",
                 "Teilt es bevor es gelöscht wird: was @elisemarchetti verschweigt {url} #VellmarLibre"]
        self.copy_waves = []
        for w in range(self.k["copypaste_waves"]):
            t0 = self.human_time([self.lineage_down[0][0] - 4 * DAY, self.lineage_start[0][1] + DAY,
                                  self.lineage_start[0][2] + 2 * DAY][w % 3] / DAY - T0 / DAY)
            url = self.lineage_article(t0)
            wave = []
            for acc in self.copiers:
                if r.random() < 0.85:
                    text = self.vary(texts[w % 3].format(url=url))
                    wave.append(self.post(acc, t0 + r.randrange(0, 60), text, role="copypaste", links=[url],
                                          hashtags=[t[1:] for t in text.split() if t.startswith("#")],
                                          mentions=[self.target], lang="fr"))
            self.copy_waves.append(wave)

    def vary(self, text: str) -> str:
        r = self.rng
        words = text.split(" ")
        for op in r.sample(range(4), r.randrange(1, 3)):
            if op == 0:
                words.append(r.choice(["\U0001f621", "\u203c\ufe0f", "!!", "\U0001f440"]))
            elif op == 1:
                i = r.randrange(len(words))
                if not words[i].startswith(("http", "@", "#")):
                    words[i] = words[i].upper()
            elif op == 2:
                words.insert(0, r.choice(["RT !", "Lisez ça.", "Unglaublich."]))
            else:
                words = [w for w in words if w != "#Lügenpresse"] or words
        return " ".join(words)

    def attacks(self) -> None:
        """Replies to the target by the re-created accounts and the copiers."""
        r = self.rng
        attackers = [a for c in self.chains for a in c] + self.copiers[:4]
        for tp in [p for p in self.posts if p.acc is self.target]:
            for acc in r.sample(attackers, 3):
                ts = tp.ts + r.randrange(600, 8 * HOUR)
                if acc.created < ts < (getattr(acc, "susp", None) or self.end):
                    self.post(acc, ts, f"@{TARGET_HANDLE} " + r.choice(
                        ["menteuse.", "Lügnerin.", "on te surveille.", "who pays you?", "démission !"]),
                              role="attack", reply_to=tp, mentions=[self.target])
        for _ in range(4):
            acc = r.choice(self.chains[1])
            ts = self.human_time((max(acc.created, T0) - T0) / DAY + r.random() * 3)
            if ts < (getattr(acc, "susp", None) or self.end):
                self.post(acc, ts, f"@{GROUP_HANDLE} wer bezahlt euer Café? #VellmarLibre", role="attack",
                          mentions=[self.group], hashtags=["VellmarLibre"])
