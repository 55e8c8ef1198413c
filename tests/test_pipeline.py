"""`graphinv analyze` on the demo data, on both stores: campaigns found, results
replaced (not added to) by a re-run, parameters recorded; the coordination step on
hand-made frames without a store; the registry `analyze` iterates."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from graphinv.analysis.coordination import SHARE_COLUMNS
from graphinv.analysis.coordination.analysis import CoordinationParams, compute, share_frame
from graphinv.analysis.coordination.analysis import analyze as analyze_coordination
from graphinv.analysis.registry import ANALYSES, analyze_all
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
    members = store.query("MATCH (a:Account)-[m:MEMBER_OF]->(c:Campaign) RETURN c.uid AS campaign, "
                          "a.uid AS account, m.role AS role")
    found = {c: {role: set(g[g.role == role].account) for role in ("member", "amplified")}
             for c, g in members.groupby("campaign")}
    for planted in truth["campaigns"]:
        # The co-acting accounts are the members; the raid's voices (their posts pushed,
        # never co-sharing) are the campaign's amplified accounts.
        assert {"member": set(planted["members"]), "amplified": set(planted.get("amplified", []))} \
            in found.values(), planted["name"]
    # Every campaign has evidence posts that trace back to an ingest run.
    evidence = store.query("MATCH (c:Campaign)-[e:EVIDENCE]->(p:Post) RETURN c.uid AS c, p.uid AS p, p.runs AS runs")
    assert set(evidence.c) == set(members.campaign)
    assert all(len(r) >= 1 for r in evidence.runs)
    # The copy-paste wave attacks the councillor: the campaign TARGETS her.
    targeted = store.query("MATCH (c:Campaign)-[:TARGETS]->(t:Target) RETURN t.uid AS t")
    assert "target:clara benedek" in set(targeted.t)
    params = json.loads(store.query("MATCH (c:Campaign) RETURN c.params AS p LIMIT 1").p[0])
    assert params["window"] == 60 and params["min_participation"] == 2
    assert params["analysis_run"] == first["analysis_run"]

    again = analyze_coordination(store)
    assert store.counts() == counts and again["analysis_run"] == first["analysis_run"]
    # Other parameters replace the results and their recorded run.
    narrow = analyze_coordination(store, CoordinationParams(window=5))
    assert narrow["analysis_run"] != first["analysis_run"]
    # The narrower run found edges of its own, and nothing of the first run is left.
    assert narrow["edges"] > 0 and narrow["window"] == 5
    runs = store.query("MATCH ()-[r:COORDINATED_WITH]->() RETURN DISTINCT r.analysis_run AS run")
    assert list(runs.run) == [narrow["analysis_run"]]
    assert store.counts()["COORDINATED_WITH"] == narrow["edges"]
    windows = {json.loads(p)["window"] for p in store.query("MATCH (c:Campaign) RETURN c.params AS p").p}
    assert windows == ({5} if narrow["campaigns"] else set())


def test_share_frame_modalities(store):
    ingest_paths(store, [DEMO / "snscrape" / "twitter-search-ostervale.jsonl"])
    shares = share_frame(store)
    assert {"repost", "url", "near_text"} <= set(shares.modality)
    assert not shares.duplicated(["modality", "account", "object", "content"]).any()
    # Reposts are keyed by the repost edge, so each retweet is one content.
    reposts = shares[shares.modality == "repost"]
    assert reposts.content.is_unique and shares.time.dtype == "int64"
    assert list(shares.columns) == SHARE_COLUMNS
    # Texts shorter than min_text_chars are no share; with a longer minimum, fewer are.
    longer = share_frame(store, CoordinationParams(min_text_chars=200))
    assert len(longer[longer.modality == "near_text"]) < len(shares[shares.modality == "near_text"])
    # The same reposts (rows come sorted, so their places differ when fewer texts join).
    assert longer[longer.modality == "repost"].reset_index(drop=True).equals(reposts.reset_index(drop=True))


def _url_rows(rows):
    return pd.DataFrame(rows, columns=["account", "object", "content", "time"])


def test_compute_on_hand_made_frames_without_a_store():
    # a and b share two URLs 5 s apart: one edge of weight 2 and one campaign of two;
    # c shares u2 800 s later, outside the 60 s window, and is in neither. Three accounts
    # are too few for chance to be ruled out (see test_precision.py for that), so the
    # significance screen and the campaign's minimum size are opened wide here.
    frames = {"repost": _url_rows([]), "campaign_posts": pd.DataFrame(columns=["content", "text", "url"]),
              "url": _url_rows([("account:x:a", "url:u1", "post:x:1", 0), ("account:x:b", "url:u1", "post:x:2", 5),
                                ("account:x:a", "url:u2", "post:x:3", 100), ("account:x:b", "url:u2", "post:x:4", 105),
                                ("account:x:c", "url:u2", "post:x:5", 900)])}
    wide = {"alpha": 1.0, "min_campaign_size": 2}
    found = compute(frames, CoordinationParams(modalities=("repost", "url"), window="auto", **wide))
    edges = found.coordination.edges
    assert edges[["account", "account_y", "weight"]].values.tolist() == [["account:x:a", "account:x:b", 2]]
    assert found.summary["n_members"].tolist() == [2]
    # "auto" is recorded as the window it settled on, and the run id follows the parameters.
    assert found.run.params["window"] == found.coordination.window != "auto"
    assert found.run.id.startswith("coordination:")
    assert compute(frames, CoordinationParams(modalities=("repost", "url"), window=60, **wide)).run.id != found.run.id


def test_analyze_runs_every_stored_analysis_of_the_registry(store):
    summaries = analyze_all(store, progress=(seen := []).append)
    stored = [a.name for a in ANALYSES if a.write is not None]
    assert list(summaries) == seen == stored == ["reappearance", "impersonation", "coordination", "banks"]
    for name, summary in summaries.items():
        assert summary["analysis_run"].startswith(f"{name}:") and summary["seconds"] >= 0
    with pytest.raises(TypeError, match="unknown coordination parameter 'windw'"):
        analyze_coordination(store, windw=5)
    with pytest.raises(KeyError, match="no analysis named coordinaton"):
        analyze_all(store, {"coordinaton": CoordinationParams()})
