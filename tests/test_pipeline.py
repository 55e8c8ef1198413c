"""`graphinv analyze` on the demo data, on both stores: campaigns found, results
replaced (not added to) by a re-run, parameters recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from graphinv.analysis.pipeline import CoordinationParams, analyze_coordination, share_frame
from graphinv.ingest import ingest_paths

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def test_campaigns_on_the_demo_and_rerun_replaces(store):
    ingest_paths(store, [DEMO])
    truth = json.loads((DEMO / "truth.json").read_text())
    first = analyze_coordination(store)
    counts = store.counts()
    # The raid and the copy-paste wave are the demo's two planted campaigns; each one's
    # members must come out as one Campaign.
    assert first["campaigns"] == counts["Campaign"] == len(truth["campaigns"])
    members = store.query("MATCH (a:Account)-[:MEMBER_OF]->(c:Campaign) RETURN c.uid AS campaign, a.uid AS account")
    found = [set(g) for _, g in members.groupby("campaign")["account"]]
    for planted in truth["campaigns"]:
        assert set(planted["members"]) in found, planted["name"]
    # Every campaign has evidence posts that trace back to an ingest run.
    evidence = store.query("MATCH (c:Campaign)-[e:EVIDENCE]->(p:Post) RETURN c.uid AS c, p.uid AS p, p.runs AS runs")
    assert set(evidence.c) == set(members.campaign)
    assert all(len(r) >= 1 for r in evidence.runs)
    # The copy-paste wave attacks the councillor: the campaign TARGETS her.
    targeted = store.query("MATCH (c:Campaign)-[:TARGETS]->(t:Target) RETURN t.uid AS t")
    assert "target:clara benedek" in set(targeted.t)
    params = json.loads(store.query("MATCH (c:Campaign) RETURN c.params AS p LIMIT 1").p[0])
    assert params["window"] == 60 and params["min_participation"] == 2 and params["analysis_run"] == first["analysis_run"]

    again = analyze_coordination(store)
    assert store.counts() == counts and again["analysis_run"] == first["analysis_run"]
    # Other parameters replace the results and their recorded run.
    narrow = analyze_coordination(store, CoordinationParams(window=5))
    assert narrow["analysis_run"] != first["analysis_run"]
    runs = store.query("MATCH ()-[r:COORDINATED_WITH]->() RETURN DISTINCT r.analysis_run AS run")
    assert list(runs.run) in ([narrow["analysis_run"]], [])


def test_share_frame_modalities(store):
    ingest_paths(store, [DEMO / "snscrape" / "twitter-search-ostervale.jsonl"])
    shares = share_frame(store)
    assert {"repost", "url", "near_text"} <= set(shares.modality)
    assert not shares.duplicated(["modality", "account", "object", "content"]).any()
    # Reposts are keyed by the repost edge, so each retweet is one content.
    reposts = shares[shares.modality == "repost"]
    assert reposts.content.is_unique and reposts.time.dtype == "int64"
    assert isinstance(shares, pd.DataFrame)
