"""Campaigns from the coordination network: Leiden communities and their summaries."""

import pandas as pd
import pytest

from graphinv.analysis.campaigns import SUMMARY_COLUMNS, detect_campaigns, summarise_campaigns
from graphinv.analysis.coordination import detect_coordination
from graphinv.errors import InputError


def two_groups():
    # Group 1 (a, b, c) shares https://news.example/1 and /2 seconds apart; group 2
    # (d, e, f) shares two image hashes and two blog URLs. Nobody crosses. (Participation
    # counts per modality, as in CooRTweet, so each modality is shared twice.)
    rows = []
    for k, (obj, t0, mod) in enumerate([("https://news.example/1", 0, "url"), ("https://news.example/2", 500, "url")]):
        rows += [(acc, obj, f"g1-{k}-{acc}", t0 + i, mod) for i, acc in enumerate("abc")]
    for k, (obj, t0, mod) in enumerate([("image:7", 2000, "image"), ("image:8", 2500, "image"),
                                          ("https://www.blog.example/x", 3000, "url"),
                                          ("https://blog.example/y", 3500, "url")]):
        rows += [(acc, obj, f"g2-{k}-{acc}", t0 + i, mod) for i, acc in enumerate("def")]
    rows.append(("z", "https://news.example/1", "lone", 99_999, "url"))  # too late to pair
    return pd.DataFrame(rows, columns=["account", "object", "content", "time", "modality"])


def test_two_disjoint_groups_are_two_campaigns():
    result = detect_coordination(two_groups(), window=60, min_participation=2)
    communities = detect_campaigns(result.edges, seed=1)
    groups = communities.groupby("campaign")["account"].apply(list).tolist()
    # equal sizes: campaign 0 is the one with the first account
    assert groups == [["a", "b", "c"], ["d", "e", "f"]]


def test_leiden_is_repeatable_with_a_seed():
    edges = pd.DataFrame({"account": list("aaabbcdde"), "account_y": list("bcdcdeeff"),
                          "weight": [3, 3, 1, 3, 1, 1, 3, 3, 3]})
    first = detect_campaigns(edges, seed=42)
    assert first.equals(detect_campaigns(edges, seed=42))


def test_min_size_and_flagged_edges():
    # a-b heavy (flagged), c-d light (not flagged): only a-b forms a campaign.
    edges = pd.DataFrame({"account": ["a", "c"], "account_y": ["b", "d"], "weight": [9, 1],
                          "weight_threshold": [1, 0]})
    assert detect_campaigns(edges, only_flagged=True)["account"].tolist() == ["a", "b"]
    assert detect_campaigns(edges, min_size=3).empty


def test_empty_and_bad_edges():
    empty = pd.DataFrame({"account": [], "account_y": [], "weight": []})
    assert list(detect_campaigns(empty).columns) == ["account", "campaign"]
    with pytest.raises(InputError, match="edges lack column 'account_y'"):
        detect_campaigns(pd.DataFrame({"account": ["a"]}))


def test_summary_lists_members_objects_urls_domains_and_evidence():
    frame = two_groups()
    result = detect_coordination(frame, window=60, min_participation=2)
    communities = detect_campaigns(result.edges, seed=1)
    posts = pd.DataFrame({"content": ["g1-0-a"], "text": ["read this now"]})
    summary = summarise_campaigns(communities, frame, posts, pairs=result.pairs, evidence=4)
    assert list(summary.columns) == SUMMARY_COLUMNS
    news, blog = summary.iloc[0], summary.iloc[1]
    assert news.members == ["a", "b", "c"] and news.modalities == ["url"]
    assert news.n_objects == 2 and news.n_shares == 6  # z's late share is not evidence
    assert (news.first_time, news.last_time) == (0, 502)
    assert news.top_domains == [("news.example", 6)]
    assert news.top_urls == [("https://news.example/1", 3), ("https://news.example/2", 3)]
    # Four evidence posts: two acts on each object rather than three on the first alone.
    assert [e["content"] for e in news.evidence] == ["g1-0-a", "g1-0-b", "g1-1-a", "g1-1-b"]
    assert news.evidence[0]["text"] == "read this now"
    assert blog.modalities == ["image", "url"] and blog.top_domains == [("blog.example", 6)]


def test_summary_without_pairs_uses_objects_shared_by_two_members():
    frame = two_groups()
    communities = pd.DataFrame({"account": ["a", "b", "z"], "campaign": [0, 0, 0]})
    [row] = summarise_campaigns(communities, frame).itertuples()
    # without pairs there is no time window: z's late share of a co-shared URL counts
    assert row.n_shares == 5 and row.n_objects == 2
