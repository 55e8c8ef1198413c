"""The seeded demo scenario: a fictional harassment network, written in real capture formats.

A test and demo tool, not part of the installed package: ``data/demo/generate.py``
writes data/demo with it, and the tests generate other scenarios to check that no
detector is tuned to one dataset.

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

One module per family: :mod:`.people` (Twitter accounts, posts and the planted
campaigns), :mod:`.social` (Telegram, Mastodon and the snscrape files), :mod:`.web`
(the mirror sites and their WARC and HTML files), :mod:`.tables` (takedown reports,
the CSV tables and the truth); :mod:`.common` holds the story's fixed facts.

>>> import tempfile
>>> truth = generate(tempfile.mkdtemp(), seed=3, scale=0.2)
>>> truth["seed"], len(truth["site_lineages"][0])
(3, 3)
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from .common import DAY, HOUR, T0, Account, Post
from .images import Images
from .people import PeopleMixin
from .social import ChannelsMixin, write_social
from .tables import TakedownsMixin, write_tables, write_truth
from .web import SitesMixin, write_web

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


class Scenario(SitesMixin, PeopleMixin, ChannelsMixin, TakedownsMixin):
    """The story's state: one seeded ``rng`` drawn from in :meth:`build`'s order, so
    the order of the steps (not the modules they live in) fixes the output."""

    def __init__(self, seed: int, scale: float, knobs: dict[str, Any]) -> None:
        unknown = set(knobs) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown scenario knobs: {', '.join(sorted(unknown))}")
        self.seed = seed
        self.scale = scale
        self.k = {**DEFAULTS, **knobs}
        self.rng = random.Random(seed)
        self.images = Images()
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

    def observe(self, entity: str, platform: str, status: str, ts: int, source: str, uid: str) -> None:
        self.observations.append({"entity": entity, "platform": platform, "status": status,
                                  "observed_at": ts, "source": source, "_uid": uid})

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


def generate(out_dir: str | Path, seed: int = 7, scale: float = 1.0, **knobs: Any) -> dict:
    """Write the scenario into ``out_dir`` and return the ground truth (also ``truth.json``).

    ``scale`` multiplies the number of accounts and posts; the knobs (see ``DEFAULTS``)
    set the story's timing and sizes. The same seed and knobs give the same bytes.
    """
    out = Path(out_dir)
    sc = Scenario(seed, scale, knobs)
    sc.build()
    for sub in ("snscrape", "telegram/ChatExport_2026-04-30", "web/saved", "csv"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    write_social(sc, out)
    site_obs = write_web(sc, out)
    write_tables(sc, out, site_obs)
    return write_truth(sc, out)
