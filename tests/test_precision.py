"""Findings that hold on timelines with a crowd: the decoys each detector met on data it
was not built on, as small hand-made frames with the expected answer explained."""

from __future__ import annotations

import random

import pandas as pd

from graphinv.analysis.coordination.analysis import CoordinationParams, compute
from graphinv.analysis.impersonation import disclaimer
from graphinv.analysis.reappearance import find_reappearances

DAY = 86400


def _crowd_frames(seed: int = 3) -> tuple[dict, set[str], str]:
    """200 ordinary accounts retweet 30 popular posts over the day (a burst right after
    each post, then a tail) and 3 viral ones (150 retweets each within minutes); 6
    raid bots retweet every post of one voice account within 20 s, on 5 days, and, as
    cover, every popular post within a minute of it going up."""
    rng = random.Random(seed)
    rows = []
    popular = [(f"post:twitter:pop{i}", i * 2 * 3600) for i in range(30)]
    viral = [(f"post:twitter:viral{i}", 5 * 3600 + i * 7 * 3600) for i in range(3)]
    for n in range(200):
        account = f"account:twitter:user{n}"
        for post, t0 in rng.sample(popular, 6):
            rows.append((account, post, t0 + int(rng.expovariate(1 / 1800))))
        for post, t0 in viral:
            if rng.random() < 0.75:
                rows.append((account, post, t0 + rng.randrange(0, 240)))
    bots = [f"account:twitter:bot{i}" for i in range(6)]
    voice_posts = [(f"post:twitter:voice{d}", d * DAY + 20 * 3600) for d in range(5)]
    for bot in bots:
        for post, t0 in voice_posts:
            rows.append((bot, post, t0 + rng.randrange(2, 20)))
        for post, t0 in popular + viral:
            rows.append((bot, post, t0 + rng.randrange(0, 60)))
    reposts = pd.DataFrame(rows, columns=["account", "object", "time"])
    reposts["content"] = [f"repost:{i}" for i in range(len(reposts))]
    authors = pd.DataFrame({"object": [p for p, _ in voice_posts] + [p for p, _ in popular + viral],
                            "author": ["account:twitter:voice"] * 5 + ["account:twitter:news"] * 33})
    frames = {"repost": reposts, "campaign_posts": pd.DataFrame(columns=["content", "text", "url"]),
              "authors": authors}
    return frames, set(bots), "account:twitter:voice"


def test_a_raid_with_cover_retweets_is_found_without_the_crowd():
    frames, bots, voice = _crowd_frames()
    found = compute(frames, CoordinationParams(modalities=("repost",)))
    # CooRTweet's network ties ordinary accounts to the bots (cover) and to each other
    # (viral and popular posts retweeted seconds apart)...
    candidates = found.coordination.stats["candidate_edges"]
    assert candidates > 1000
    # ...the significant edges are the bots' own: six bots, 15 pairs.
    members = set(found.communities["account"])
    assert members == bots
    assert len(found.coordination.edges) == 15
    # The account whose posts they pushed is the campaign's amplified voice.
    assert found.amplified["account"].tolist() == [voice]
    assert found.amplified["posts"].tolist() == [5]


def test_significance_is_recorded_on_every_kept_edge():
    frames, _, _ = _crowd_frames(seed=5)
    edges = compute(frames, CoordinationParams(modalities=("repost",))).coordination.edges
    assert (edges["objects"] >= 2).all() and (edges["p_value"] < 0.01).all()
    assert (edges["expected"] < edges["objects"]).all()


def _accounts(rows):
    return (pd.DataFrame(rows, columns=["uid", "group", "name", "display_name", "bio"])
            .assign(lookalike=[[]] * len(rows)))


def test_an_account_created_years_before_is_not_a_successor():
    """klaus is suspended on day 100; klaus_old (same bio, same name shape) was created
    years earlier and posts throughout; klaus2 is created two days after the suspension."""
    bio = "Patriot. Truth about the harbour files and who hides them. Never silenced."
    entities = _accounts([["account:twitter:klaus", "twitter", "klaus", "Klaus", bio],
                          ["account:twitter:klaus_old", "twitter", "klaus_old", "Klaus",
                           "Patriot. Truth about the harbour files and who hides them."],
                          ["account:twitter:klaus2", "twitter", "klaus2", "Klaus", bio]])
    # klaus_old's first post captured is on day 105, but it was created (created_at, read
    # into its activity by account_frames) 900 days before.
    activity = pd.DataFrame({"uid": ["account:twitter:klaus", "account:twitter:klaus_old", "account:twitter:klaus_old",
                                     "account:twitter:klaus2"],
                             "time": [90 * DAY, -900 * DAY, 105 * DAY, 102 * DAY]})
    observations = pd.DataFrame({"uid": ["account:twitter:klaus"], "time": [100 * DAY], "status": ["suspended"],
                                 "http_status": [None]})
    edges = find_reappearances(entities, activity, observations, kind="account")
    assert edges[["src", "dst"]].values.tolist() == [["account:twitter:klaus", "account:twitter:klaus2"]]


def test_a_bio_whose_words_are_a_subset_is_not_the_same_bio():
    """token_set_ratio of these two bios is 100; they are different people."""
    entities = _accounts([["account:twitter:hiker_anna", "twitter", "hiker_anna", "Anna", "Love hiking and dogs"],
                          ["account:twitter:anna_hikes", "twitter", "anna_hikes", "Anna",
                           "Love hiking and dogs, mother of three, nurse in Ostervale, coffee first"]])
    activity = pd.DataFrame({"uid": ["account:twitter:hiker_anna", "account:twitter:anna_hikes"],
                             "time": [10 * DAY, 40 * DAY]})
    observations = pd.DataFrame({"uid": ["account:twitter:hiker_anna"], "time": [20 * DAY],
                                 "status": ["suspended"], "http_status": [None]})
    assert find_reappearances(entities, activity, observations, kind="account").empty


def test_a_news_site_the_old_site_cited_is_not_its_successor():
    """old.example links to news.example while up; news.example is first crawled after old
    went down and carries the link back: still a contemporary (it was linked before)."""
    entities = pd.DataFrame({"uid": ["site:old.example", "site:news.example"], "group": "web",
                             "name": ["old.example", "news.example"]})
    activity = pd.DataFrame({"uid": ["site:old.example", "site:news.example", "site:news.example"],
                             # news.example's second row: old.example's page linking to it, day 5
                             "time": [5 * DAY, 30 * DAY, 5 * DAY]})
    observations = pd.DataFrame({"uid": ["site:old.example"], "time": [20 * DAY], "status": ["not_found"],
                                 "http_status": [404]})
    tokens = pd.DataFrame({"uid": ["site:old.example", "site:news.example"], "signal": "outlinks",
                           "token": ["url:https://news.example/story"] * 2})
    links = pd.DataFrame({"src": ["site:old.example"], "dst": ["site:news.example"], "detail": ["cites"]})
    assert find_reappearances(entities, activity, observations, tokens, links=links).empty


def test_supporters_and_parodies_say_so_in_their_own_language():
    assert disclaimer("clara_benedek_fr", "Clara Benedek", "Compte non officiel de soutien") == "non officiel"
    assert disclaimer("benedek_parodie", "Clara Benedek", "") == "parodie"
    assert disclaimer("c_benedek", "Clara Benedek (Parodie)", "") == "parodie"
    assert disclaimer("clara_benedek_de", "Clara Benedek", "Inoffizieller Account") == "inoffizieller"
    assert disclaimer("clarabenedek_", "Clara Benedek", "Conseillère municipale, Ostervale Est") is None
