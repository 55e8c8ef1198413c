"""Reappearance on small hand-made frames (expected answers explained), then the store step."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from graphinv.analysis import reappearance
from graphinv.analysis.reappearance import (ReappearanceParams, domain_similarity, find_reappearances,
                                            handle_similarity, image_clusters, rarity, text_clusters, timelines)
from graphinv.normalize import text_minhash

D = 86400
ARTICLE_1 = ("The harbour contracts were signed in a closed session of the council in February, and the "
             "minutes show that three members left the room before the vote was taken on the marina lease.")
ARTICLE_2 = ("Documents obtained by this site show the marina operator paid the consultancy twice for the "
             "same report, once in the spring and once again after the elections, with no tender at all.")


def _edges(entities, activity, observations=None, tokens=None, texts=None, images=None, links=None, **kw):
    observations = observations if observations is not None else pd.DataFrame(
        columns=["uid", "time", "status", "http_status"])
    return find_reappearances(entities, activity, observations, tokens, texts, images, links, **kw)


def _sites(*names):
    return pd.DataFrame({"uid": [f"site:{n}" for n in names], "group": "web", "name": list(names)})


def _tokens(rows, signal="ids"):
    return pd.DataFrame([{"uid": u, "signal": signal, "token": t} for u, t in rows])


def test_rarity_and_similarities():
    assert rarity(2) == 1.0 and rarity(5) == 0.25
    assert handle_similarity("nordwatch_klaus", "nordwatch_klaus2") >= 0.9
    assert handle_similarity("heimat_bjorn", "heimat_bj0rn") == 1.0  # 0 for o
    assert handle_similarity("anna", "zoltan") < 0.5
    assert domain_similarity("ostervale-truth.example", "truth-ostervale.example") == 1.0


def test_timeline_ignores_activity_after_a_takedown():
    # posts at 0 and 100, suspended at 150, a mis-dated post at 900: quiet at 100, down at 150
    t = timelines(pd.DataFrame({"uid": ["a"]}), pd.DataFrame({"uid": ["a"] * 3, "time": [0, 100, 900]}),
                  pd.DataFrame({"uid": ["a", "a"], "time": [50, 150], "status": ["active", "suspended"],
                                "http_status": [None, None]})).set_index("uid")
    assert (t.loc["a", "start"], t.loc["a", "quiet"], t.loc["a", "down"], t.loc["a", "last"]) == (0, 100, 150, 900)


def test_rare_id_links_a_successor_and_a_common_id_does_not():
    # old.example is withheld (451) at 500 after pages at 0..400; new.example appears at 900.
    # Both carry a rare AdSense ID (2 holders: rarity 1) and a GTM container that a decoy also
    # carries (3 holders: rarity 1/2, type weight 0.6). The decoy appears at 1000 with only GTM:
    # score 1 - (1 - 0.9 * 0.6 * 0.5) = 0.27 < 0.5, so it is no successor.
    entities = _sites("old.example", "new.example", "decoy.example")
    activity = pd.DataFrame({"uid": ["site:old.example"] * 2 + ["site:new.example", "site:decoy.example"],
                             "time": [0, 400, 900, 1000]})
    observations = pd.DataFrame({"uid": ["site:old.example"], "time": [500], "status": ["withheld"],
                                 "http_status": [451]})
    tokens = _tokens([("site:old.example", "identifier:adsense:pub-1"),
                      ("site:new.example", "identifier:adsense:pub-1"),
                      ("site:old.example", "identifier:gtm:GTM-1"), ("site:new.example", "identifier:gtm:GTM-1"),
                      ("site:decoy.example", "identifier:gtm:GTM-1")])
    edges = _edges(entities, activity, observations, tokens)
    assert edges[["src", "dst", "gap"]].values.tolist() == [["site:old.example", "site:new.example", 500]]
    row = edges.iloc[0]
    assert row["signals"] == ["ids"] and row["lineage"] == "lineage:site:old.example"
    ids = {e["token"]: e for e in row["evidence"]["ids"]}
    assert ids["identifier:adsense:pub-1"]["rarity"] == 1.0 and ids["identifier:gtm:GTM-1"]["holders"] == 3


def test_an_ip_address_alone_is_weak():
    # A shared IP (a shared host) has type weight 0.3: 0.9 * 0.3 = 0.27 < 0.5
    entities = _sites("a.example", "b.example")
    activity = pd.DataFrame({"uid": ["site:a.example", "site:b.example"], "time": [0, 100]})
    tokens = _tokens([("site:a.example", "identifier:ip:203.0.113.3"), ("site:b.example", "identifier:ip:203.0.113.3")])
    assert _edges(entities, activity, tokens=tokens).empty


def _accounts(rows):
    return pd.DataFrame([{"uid": f"account:twitter:{h}", "group": "twitter", "name": h, "display_name": d, "bio": b,
                          "lookalike": list(look)} for h, d, b, *rest in rows for look in [rest[0] if rest else []]])


BIO = "Asking the questions the council won't answer. Truth over comfort."


def test_an_account_chain_is_one_lineage_and_each_keeps_its_nearest_predecessor():
    # klaus (suspended day 10) -> klaus2 (day 12 .. suspended day 20) -> klaus_ (day 22).
    # All three share display name, bio and profile link (3 holders each: rarity 1/2) and the same
    # avatar re-encoded. klaus_ is a candidate successor of both klaus and klaus2 with equal
    # evidence; it keeps klaus2, the smaller gap.
    entities = _accounts([("klaus", "Klaus | Nordwatch", BIO), ("klaus2", "Klaus | Nordwatch", BIO),
                          ("klaus_", "Klaus | Nordwatch", BIO + " Back again.")])
    activity = pd.DataFrame({"uid": ["account:twitter:klaus"] * 2 + ["account:twitter:klaus2"] * 2
                             + ["account:twitter:klaus_"], "time": [0, 9 * D, 12 * D, 19 * D, 22 * D]})
    observations = pd.DataFrame({"uid": ["account:twitter:klaus", "account:twitter:klaus2"],
                                 "time": [10 * D, 20 * D], "status": "suspended", "http_status": None})
    tokens = _tokens([(f"account:twitter:{h}", "url:https://t.me/klaus") for h in ("klaus", "klaus2", "klaus_")],
                     signal="profile_link")
    images = pd.DataFrame({"uid": [f"account:twitter:{h}" for h in ("klaus", "klaus2", "klaus_")],
                           "item": ["avatar:1", "avatar:2", "avatar:3"], "sha256": ["s1", "s2", "s3"],
                           "phash": ["a9d274a4da69d29c", "a9d274a4da69d29d", "a9d274a4da69d29c"]})
    edges = _edges(entities, activity, observations, tokens, images=images, kind="account")
    assert edges[["src", "dst"]].values.tolist() == [
        ["account:twitter:klaus", "account:twitter:klaus2"], ["account:twitter:klaus2", "account:twitter:klaus_"]]
    assert set(edges["lineage"]) == {"lineage:account:twitter:klaus"}
    assert edges["gap"].tolist() == [3 * D, 3 * D]
    assert {"images", "bio", "profile_link", "display_name", "name"} <= set(edges["signals"].iloc[1])


def test_accounts_active_at_the_same_time_are_not_a_reappearance():
    # Identical in every way, but b starts (day 5) before a goes quiet (day 9)
    entities = _accounts([("anna_fischer", "Anna Fischer", BIO), ("anna_fischer2", "Anna Fischer", BIO)])
    activity = pd.DataFrame({"uid": ["account:twitter:anna_fischer"] * 2 + ["account:twitter:anna_fischer2"],
                             "time": [0, 9 * D, 5 * D]})
    tokens = _tokens([("account:twitter:anna_fischer", "url:x"), ("account:twitter:anna_fischer2", "url:x")],
                     signal="profile_link")
    assert _edges(entities, activity, tokens=tokens, kind="account").empty


def test_a_look_alike_name_after_a_suspension_is_not_enough():
    # grumpy_gull is suspended, grumpy_gulls appears 4 days later with the same (rare) display name:
    # display name 0.3 and handle 0.3 * 0.97 give a score of 0.5, but no signal other than names,
    # so the pair is refused (min_evidence).
    entities = _accounts([("grumpy_gull", "grumpy gull", "Crypto signals 100x. DM for VIP."),
                          ("grumpy_gulls", "Grumpy Gull", "Birdwatching club. Gull photos daily.")])
    activity = pd.DataFrame({"uid": ["account:twitter:grumpy_gull", "account:twitter:grumpy_gulls"],
                             "time": [0, 6 * D]})
    observations = pd.DataFrame({"uid": ["account:twitter:grumpy_gull"], "time": [2 * D], "status": "suspended",
                                 "http_status": None})
    assert _edges(entities, activity, observations, kind="account").empty
    every = _edges(entities, activity, observations, kind="account",
                   params=ReappearanceParams(min_score=0.0, min_evidence=0.0))
    assert every["signals"].iloc[0] == ["display_name", "name"]


def test_look_alikes_of_one_target_are_left_to_impersonation():
    # Two impostors of the same Target share her name, bio and face; one is suspended and the
    # other appears later. They resemble each other because both copy her: not a reappearance.
    entities = _accounts([("jane_doe", "Jane Doe", BIO, ["target:jane doe"]),
                          ("janedoe_officiel", "Jane Doe", BIO, ["target:jane doe"])])
    activity = pd.DataFrame({"uid": ["account:twitter:jane_doe", "account:twitter:janedoe_officiel"],
                             "time": [0, 5 * D]})
    images = pd.DataFrame({"uid": entities["uid"], "item": ["a1", "a2"], "sha256": None,
                           "phash": ["f88570639f38c39c", "f88570639f38c39c"]})
    assert _edges(entities, activity, images=images, kind="account").empty
    without_targets = entities.assign(lookalike=[[], []])
    assert len(_edges(without_targets, activity, images=images, kind="account")) == 1


def test_near_duplicate_articles_and_a_reencoded_photo():
    # Two articles republished with small edits (MinHash Jaccard well above 0.6) and the same photo
    # at another size (pHash 2 bits apart): articles 0.8 * (1 - 0.4^2) = 0.67, images 0.45.
    entities = _sites("first.example", "second.example")
    activity = pd.DataFrame({"uid": ["site:first.example", "site:second.example"], "time": [0, 3 * D]})
    texts = pd.DataFrame({"uid": ["site:first.example"] * 2 + ["site:second.example"] * 2,
                          "item": ["p1", "p2", "p3", "p4"],
                          "minhash": [text_minhash(ARTICLE_1), text_minhash(ARTICLE_2),
                                      text_minhash(ARTICLE_1.replace("February", "March")),
                                      text_minhash(ARTICLE_2 + " (republished)")]})
    images = pd.DataFrame({"uid": ["site:first.example", "site:second.example"], "item": ["m1", "m2"],
                           "sha256": ["aa", "bb"], "phash": ["edc3163cc247bc38", "edc3163cc247bc3b"]})
    edges = _edges(entities, activity, texts=texts, images=images)
    assert len(edges) == 1
    evidence = edges.iloc[0]["evidence"]
    assert {(e["old"], e["new"]) for e in evidence["articles"]} == {("p1", "p3"), ("p2", "p4")}
    assert evidence["images"][0]["hamming"] == 2
    assert edges.iloc[0]["signals"][0] == "articles"


def test_clusters():
    texts = pd.DataFrame({"uid": ["a", "b", "c"], "item": ["x", "y", "z"],
                          "minhash": [text_minhash(ARTICLE_1), text_minhash(ARTICLE_1 + " Share it."),
                                      text_minhash(ARTICLE_2)]})
    clusters = text_clusters(texts, 0.6).set_index("item")["cluster"]
    assert clusters["x"] == clusters["y"] != clusters["z"]
    images = pd.DataFrame({"uid": ["a", "b", "c", "d"], "item": ["m1", "m2", "m3", "m4"],
                           "sha256": ["s1", "s2", "s3", "s1"],
                           # m2 is 3 bits from m1; m3 is far; m4 has m1's bytes (no pHash: an SVG)
                           "phash": ["ffffffffffffffff", "fffffffffffffff8", "0000000000000000", None]})
    clusters = image_clusters(images, 8).set_index("item")["cluster"]
    assert clusters["m1"] == clusters["m2"] == clusters["m4"] != clusters["m3"]


# --------------------------------------------------------------------- the store step


def _small_graph(store):
    """Two sites: old.example with pages until day 9, 404 on day 10; new.example from day 12.
    They share an AdSense ID; a decoy site shares only an IP with new.example."""
    store.upsert_nodes("Site", pd.DataFrame({"uid": ["site:old.example", "site:new.example", "site:decoy.example"],
                                             "domain": ["old.example", "new.example", "decoy.example"]}))
    pages = pd.DataFrame({"uid": ["post:web:o1", "post:web:o2", "post:web:n1", "post:web:d1"],
                          "platform": "web", "created_at": [0, 9 * D, 12 * D, 13 * D]})
    store.upsert_nodes("Post", pages)
    store.upsert_edges("ON_SITE", pd.DataFrame({"src": pages["uid"], "dst": ["site:old.example"] * 2
                                                + ["site:new.example", "site:decoy.example"]}))
    store.upsert_nodes("Observation", pd.DataFrame({"uid": ["observation:x"], "status": ["not_found"],
                                                    "observed_at": [10 * D], "http_status": [404]}))
    store.upsert_edges("OBSERVED", pd.DataFrame({"src": ["observation:x"], "dst": ["site:old.example"],
                                                 "time": [10 * D]}))
    store.upsert_edges("USES", pd.DataFrame({
        "src": ["site:old.example", "site:new.example", "site:new.example", "site:decoy.example"],
        "dst": ["identifier:adsense:pub-1234567890123456"] * 2 + ["identifier:ip:198.51.100.7"] * 2}))


def test_analyze_writes_replaces_and_records_params(store):
    _small_graph(store)
    first = reappearance.analyze(store)
    second = reappearance.analyze(store)  # idempotent: the previous edges are replaced
    assert first["site_edges"] == second["site_edges"] == 1 and first["analysis_run"] == second["analysis_run"]
    rows = store.query("MATCH (a:Site)-[r:REAPPEARS_AS]->(b:Site) RETURN a.uid AS a, b.uid AS b, r.score AS score, "
                       "r.gap AS gap, r.signals AS signals, r.evidence AS evidence, r.lineage AS lineage")
    assert rows[["a", "b", "gap", "lineage"]].values.tolist() == [
        ["site:old.example", "site:new.example", 3 * D, "lineage:site:old.example"]]
    assert list(rows["signals"].iloc[0]) == ["ids"]
    evidence = json.loads(rows["evidence"].iloc[0])
    assert evidence["ids"][0]["token"] == "identifier:adsense:pub-1234567890123456"
    assert evidence["params"]["min_score"] == 0.5
    with pytest.raises(TypeError, match="unknown reappearance parameter"):
        reappearance.analyze(store, no_such_knob=1)
