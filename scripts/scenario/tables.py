"""Takedown reports and their follow-up checks, the CSV tables, and the ground truth."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphinv.records import account_uid, post_uid, site_uid, target_uid

from .common import (DAY, GROUP_TARGET, HOUR, LINEAGE_DOMAINS, LINEAGE_HOSTS, T0, TARGET_MASTODON, TARGET_NAME,
                     TARGET_TWITTER, isoz, scaled)

if TYPE_CHECKING:
    from . import Scenario


class TakedownsMixin:
    """The takedown reports of a scenario, with what the desk saw after each."""

    # .... takedown reports and their follow-up observations
    def takedown_reports(self) -> None:
        r = self.rng
        items: list[dict] = []  # url, platform, uid, removal (ts or None), obs entity, removed status
        attack_posts = [p for p in self.posts if p.role in ("attack", "copypaste", "raid-seed")]
        r.shuffle(attack_posts)
        n_tw_posts = scaled(10, self.scale, 4)
        for p in sorted(attack_posts[:n_tw_posts], key=lambda p: p.tid):
            items.append({"url": f"https://twitter.com/{p.acc.handle}/status/{p.tid}", "platform": "twitter",
                          "uid": post_uid("twitter", str(p.tid)), "obs": f"https://twitter.com/{p.acc.handle}/status/{p.tid}",
                          "status": "deleted", "after": p.ts, "category": r.choice(["harassment", "defamation", "hateful conduct"]),
                          "to": "twitter"})
        for acc in self.impostors:
            items.append({"url": f"https://twitter.com/{acc.handle}", "platform": "twitter",
                          "uid": account_uid("twitter", acc.handle), "obs": f"@{acc.handle}", "status": "suspended",
                          "after": acc.created, "category": "impersonation", "to": "twitter"})
        for tp in self.tg_posts["ostervaletruth"][: scaled(5, self.scale, 2)]:
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

def write_tables(sc: Scenario, out: Path, site_obs: list[tuple]) -> None:
    """Write ``csv/``: observations (with manual checks of the sites the crawls saw
    down, ``site_obs``), takedown reports, targets and the share table."""
    seed = sc.seed
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


def write_truth(sc: Scenario, out: Path) -> dict:
    """Write ``truth.json``, what the detectors should find, and return it."""
    seed, scale = sc.seed, sc.scale
    tw = lambda a: account_uid("twitter", a.handle)  # noqa: E731
    raid_members = sorted({tw(a) for a in sc.raiders if any(p.role == "raid" for p in sc.user_posts.get(a.handle.lower(), []))})
    cp_members = sorted({tw(p.acc) for wave in sc.copy_waves for p in wave})
    # The accounts whose posts the raid pushes are part of the operation too.
    amplified = sorted({tw(p.acc) for p in sc.raid_seeds})
    truth: dict[str, Any] = {
        "seed": seed,
        "coordinated_accounts": sorted(set(raid_members) | set(cp_members) | set(amplified)),
        "campaigns": [
            {"name": "repost raid", "modality": "repost", "members": raid_members, "amplified": amplified,
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
