"""A second, harder scenario: planted operations hidden in a realistic crowd, with decoys
for every detector. A test and benchmark tool (``bench/quality.py``), not installed.

Different in kind from the demo (:mod:`scripts.scenario`): another town (Vellmar, a
French/German border town), another target (the journalist Élise Marchetti), and a
background that behaves like people do rather than spread-out noise:

* ordinary accounts with Zipf popularity and a daily rhythm; fans retweet the accounts
  they follow, some within a minute of the notification (chance co-retweets within
  seconds among ordinary accounts, repeated for the keenest fans of one account);
* viral posts retweeted by a third to a half of the crowd within minutes; newsrooms whose
  breaking stories are shared with the share button (the same text and link) by dozens;
* bots that retweet popular, news and viral posts within seconds as cover, and take part
  in a raid (so a detector that keeps one-off co-actions ties ordinary fans to the raid).

Planted: two repost raids and a copy-paste campaign; two site lineages (a site withheld
by court order, back twice with the same AdSense ID, articles and photo; a German blog
back days later with its Yandex counter and articles, its first crawl missed); four
accounts re-created after suspension (one under a new handle); five impostors of the
target. Decoys: see :mod:`.operations` (accounts, impersonation) and :mod:`.sites`.

``scale`` multiplies the crowd only (accounts, and with them their posts; the small
sites up to 80); the planted operations and decoys keep their size, so precision at
scale 10 measures how well a detector keeps them apart from ten times more background.
Files are in the formats graphinv ingests (snscrape JSONL, WARC.gz, CSV) and
``truth.json`` has the shape of ``data/demo/truth.json``. Deterministic per seed.

>>> import tempfile
>>> truth = generate(tempfile.mkdtemp(), seed=2, scale=1)
>>> len(truth["site_lineages"]), truth["params"]["scale"]
(2, 1)
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

from graphinv.records import account_uid, post_uid, site_uid, target_uid
from scripts.scenario.common import isoz
from scripts.scenario.images import Images
from scripts.scenario.social import _dumps, _tweet_json

from .crowd import CrowdMixin
from .names import DAY, DAYS, GROUP_TARGET, NEWS, T0, TARGET_HANDLE, TARGET_NAME
from .operations import OperationsMixin
from .sites import LINEAGE_A, LINEAGE_B, SitesMixin, write_web

DEFAULTS: dict[str, Any] = {
    "n_background": 80,  # ordinary accounts at scale 1
    "takedown_day": 19,  # the first lineage site is withheld
    "gap_days": 5,  # days between a site going down and its successor
    "account_gap_days": 4,  # at most this many days between a suspension and the re-creation
    "raid_a": 14,  # raid A: half of it bots with cover activity
    "raid_b": 10,
    "n_copypaste": 12,
    "copypaste_waves": 3,
    "news_articles": 10,  # per news site
    "viral_posts": 3,
    "crawl_every_days": 2,
}


class HardScenario(SitesMixin, CrowdMixin, OperationsMixin):
    """The scenario's state; one seeded ``rng`` drawn from in :meth:`build`'s order."""

    def __init__(self, seed: int, scale: int, knobs: dict[str, Any]) -> None:
        unknown = set(knobs) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown scenario knobs: {', '.join(sorted(unknown))}")
        self.seed, self.scale, self.k = seed, int(scale), {**DEFAULTS, **knobs}
        self.rng = random.Random(f"hard-{seed}")
        self.images = Images()
        self.accounts: dict = {}
        self.posts: list = []
        self.user_posts: dict = {}
        self.retweeted: set = set()
        self.observations: list[dict] = []
        self.captured: list = []  # accounts whose avatar the desk saved
        self.seq = 0
        self.end = T0 + DAYS * DAY

    def build(self) -> None:
        self.plan_sites()
        self.crowd()
        self.press_coverage()
        self.viral()
        self.target_and_impostors()
        self.recreated_accounts()
        self.raids()
        self.copy_paste()
        self.attacks()


def generate(out_dir: str | Path, seed: int = 1, scale: int = 10, **knobs: Any) -> dict:
    """Write the scenario into ``out_dir``; return the ground truth (also ``truth.json``)."""
    out = Path(out_dir)
    sc = HardScenario(seed, scale, knobs)
    sc.build()
    for sub in ("snscrape", "web", "csv"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    with open(out / "snscrape" / "twitter-search-vellmar.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for p in sorted(sc.posts, key=lambda p: (-p.ts, -p.tid)):
            f.write(_dumps(_tweet_json(p)) + "\n")
    write_web(sc, out)
    _write_csv(sc, out)
    return _write_truth(sc, out)


def _write_csv(sc: HardScenario, out: Path) -> None:
    with open(out / "csv" / "observations.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["entity", "platform", "status", "observed_at", "source"])
        for o in sorted(sc.observations, key=lambda o: (o["observed_at"], o["entity"])):
            if o["observed_at"] < sc.end:
                wr.writerow([o["entity"], o["platform"], o["status"], isoz(o["observed_at"]), o["source"]])
    with open(out / "csv" / "targets.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["name", "aliases", "accounts"])
        wr.writerow([TARGET_NAME, "Elise Marchetti|E. Marchetti|Marchetti", f"twitter:{TARGET_HANDLE}"])
        wr.writerow([GROUP_TARGET, "Réseau d'accueil de Vellmar|VRN", f"twitter:{sc.group.handle}"])


def _write_truth(sc: HardScenario, out: Path) -> dict:
    tw = lambda a: account_uid("twitter", a.handle)  # noqa: E731
    raids = []
    for name, members, seeds in zip(("repost raid A", "repost raid B"), sc.raid_members, sc.raid_seeds):
        acted = sorted({tw(a) for a in members if any(p.role == "raid" for p in sc.user_posts.get(a.handle.lower(), []))})
        # The accounts whose posts the raid pushes are part of the operation too.
        raids.append({"name": name, "modality": "repost", "members": acted,
                      "amplified": sorted({tw(p.acc) for p in seeds}),
                      "objects": [post_uid("twitter", str(p.tid)) for p in seeds]})
    # raid A's bots also retweet popular posts within seconds, as cover
    raids[0]["cover_bots"] = sorted(tw(a) for a in sc.cover_bots)
    copiers = sorted({tw(p.acc) for wave in sc.copy_waves for p in wave})
    campaigns = raids + [{"name": "copy-paste", "modality": "near_text", "members": copiers,
                          "objects": sorted({post_uid("twitter", str(p.tid)) for w in sc.copy_waves for p in w})}]
    target = target_uid(TARGET_NAME)
    truth: dict[str, Any] = {
        "seed": sc.seed,
        "coordinated_accounts": sorted({m for c in campaigns for m in c["members"] + c.get("amplified", [])}),
        "campaigns": campaigns,
        "site_lineages": [[site_uid(d) for d in LINEAGE_A], [site_uid(d) for d in LINEAGE_B]],
        "account_reappearances": [[tw(a) for a in chain] for chain in sc.chains if len(chain) > 1],
        "impersonations": [{"account": tw(a), "target": target} for a in sc.impostors],
        "decoys": {
            "sites": sorted({site_uid(s["domain"]) for s in sc.bg_sites}
                            | {site_uid(dom) for _, dom, *_ in NEWS}),
            "accounts": sorted(tw(a) for a in sc.acc_decoys),
            "impersonation": sorted(tw(a) for a in sc.imp_decoys),
            "viral_post": post_uid("twitter", str(sc.viral_posts[0].tid)),
            "viral_posts": [post_uid("twitter", str(p.tid)) for p in sc.viral_posts],
        },
        "takedowns": {"reports": 0, "by_platform": {}},
        "targets": {target: [tw(sc.target)], target_uid(GROUP_TARGET): [tw(sc.group)]},
        "params": {"scale": sc.scale, **sc.k},
    }
    with open(out / "truth.json", "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(truth, indent=2, ensure_ascii=False) + "\n")
    return truth
