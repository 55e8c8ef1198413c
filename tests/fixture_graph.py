"""A small hand-made investigation graph, written through the store API.

The story (times are epoch seconds; T0 = 2024-03-01T00:00:00Z):

* Three accounts (alice, bob, carol) push the same article URL on newnews.example
  within 45 s at T0+1h and repost alice's post at T0+2h: campaign:0, with
  COORDINATED_WITH alice–bob (weight 2), alice–carol (weight 2), bob–carol (weight 1).
  alice's post mentions the target "Jane Doe" and carries a hostile ``<script>``; bob's
  post mentions Jane's real account janedoe and carol's replies to janedoe's post P6
  (a stub, as collectors write the post a reply answers).
* dave posts alone on other.example at T0+5d.
* The site oldnews.example is reported at T0 and gone (not_found) at T0+1d; it
  reappears as newnews.example, which reappears as newnews2.example (three
  generations, REAPPEARS_AS with score, signals and evidence). The three share the
  tracking ID ga:UA-123-1; oldnews and newnews also share adsense:pub-999.
* The account patriot_news is reported at T0+1d, suspended at T0+2d, and comes back
  as patriot_news2 (created T0+3d, REAPPEARS_AS 0.92). erin is created at T0+5d.
* jane_doe_real impersonates the target Jane Doe, whose real account is janedoe.
* The web capture of newnews.example/a1 has the hostile title ``<img src=x onerror=…>``.
* Reports and observations give the takedown table the tests expect
  (see tests/test_queries.py::test_takedown_compliance).
"""

from __future__ import annotations

import json

import pandas as pd

from graphinv.records import (account_uid, campaign_uid, identifier_uid, observation_uid, post_uid,
                              report_uid, run_uid, site_uid, target_uid, url_uid)

T0 = 1709251200  # 2024-03-01T00:00:00Z
H = 3600
D = 86400

HOSTILE_TEXT = "Read this <script>alert(1)</script> @janedoe"
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"

RUN_TWEETS = run_uid("a" * 64, "snscrape")
RUN_WEB = run_uid("b" * 64, "web")
RUN_CSV = run_uid("c" * 64, "csv")

ALICE, BOB, CAROL, DAVE, ERIN = (account_uid("twitter", h) for h in ("alice", "bob", "carol", "dave", "erin"))
PATRIOT, PATRIOT2 = account_uid("twitter", "patriot_news"), account_uid("twitter", "patriot_news2")
JANE_REAL, JANE_FAKE = account_uid("twitter", "janedoe"), account_uid("twitter", "jane_doe_real")
P1, P2, P3, P4, P5, P6 = (post_uid("twitter", str(i)) for i in range(1, 7))
PAGE = post_uid("web", "newnews.example/a1")
OLD, NEW, NEW2 = site_uid("oldnews.example"), site_uid("newnews.example"), site_uid("newnews2.example")
ARTICLE, OTHER = url_uid("https://newnews.example/a1"), url_uid("https://other.example/x")
GA, ADSENSE = identifier_uid("ga", "UA-123-1"), identifier_uid("adsense", "pub-999")
JANE = target_uid("Jane Doe")
CAMPAIGN = campaign_uid(0)
CAMPAIGN_PARAMS = {"window": 60, "min_participation": 2, "edge_weight": 0.5, "resolution": 1.0, "seed": 0}


def _nodes() -> dict[str, list[dict]]:
    tw, web, csv = [RUN_TWEETS], [RUN_WEB], [RUN_CSV]
    return {
        "IngestRun": [
            {"uid": RUN_TWEETS, "source": "captures/tweets.jsonl", "sha256": "a" * 64, "collector": "snscrape",
             "started_at": T0 + 10 * D, "finished_at": T0 + 10 * D + 5, "state": "done", "items": 9},
            {"uid": RUN_WEB, "source": "captures/sites.warc.gz", "sha256": "b" * 64, "collector": "web",
             "started_at": T0 + 10 * D + 60, "finished_at": T0 + 10 * D + 90, "state": "done", "items": 4},
            {"uid": RUN_CSV, "source": "captures/reports.csv", "sha256": "c" * 64, "collector": "csv",
             "started_at": T0 + 10 * D + 120, "finished_at": T0 + 10 * D + 121, "state": "done", "items": 12},
        ],
        "Account": [
            {"uid": ALICE, "platform": "twitter", "handle": "alice", "display_name": "Alice Example",
             "created_at": T0 - 100 * D, "followers": 1200, "status": "active", "runs": tw},
            {"uid": BOB, "platform": "twitter", "handle": "bob", "display_name": "Bob B",
             "created_at": T0 - 90 * D, "followers": 40, "status": "active", "runs": tw},
            {"uid": CAROL, "platform": "twitter", "handle": "carol", "display_name": "Carol C",
             "created_at": T0 - 80 * D, "followers": 35, "status": "active", "runs": tw},
            {"uid": DAVE, "platform": "twitter", "handle": "dave", "display_name": "Dave",
             "created_at": T0 - 10 * D, "followers": 3, "status": "active", "runs": tw},
            {"uid": ERIN, "platform": "twitter", "handle": "erin", "display_name": "Erin",
             "created_at": T0 + 5 * D, "followers": 1, "status": "active", "runs": tw},
            {"uid": PATRIOT, "platform": "twitter", "handle": "patriot_news", "display_name": "Patriot News",
             "created_at": T0 - 300 * D, "followers": 9000, "status": "suspended", "avatar_sha256": "f" * 64,
             "runs": tw},
            {"uid": PATRIOT2, "platform": "twitter", "handle": "patriot_news2", "display_name": "Patriot News",
             "created_at": T0 + 3 * D, "followers": 800, "status": "active", "avatar_sha256": "f" * 64,
             "runs": tw},
            {"uid": JANE_REAL, "platform": "twitter", "handle": "janedoe", "display_name": "Jane Doe",
             "created_at": T0 - 900 * D, "followers": 50000, "status": "active", "runs": csv},
            {"uid": JANE_FAKE, "platform": "twitter", "handle": "jane_doe_real", "display_name": "Jane Doe (real)",
             "created_at": T0 - 30 * D, "followers": 12, "status": "active", "runs": tw},
        ],
        "Post": [
            {"uid": P1, "platform": "twitter", "post_id": "1", "account": ALICE, "text": HOSTILE_TEXT,
             "url": "https://twitter.com/alice/status/1", "created_at": T0 + H, "source_file": "captures/tweets.jsonl",
             "first_seen": T0 + 10 * D, "runs": tw},
            {"uid": P2, "platform": "twitter", "post_id": "2", "account": BOB, "text": "newnews has the truth",
             "url": "https://twitter.com/bob/status/2", "created_at": T0 + H + 20,
             "source_file": "captures/tweets.jsonl", "first_seen": T0 + 10 * D, "runs": tw},
            {"uid": P3, "platform": "twitter", "post_id": "3", "account": CAROL, "text": "everyone read newnews",
             "url": "https://twitter.com/carol/status/3", "created_at": T0 + H + 45,
             "source_file": "captures/tweets.jsonl", "first_seen": T0 + 10 * D, "runs": tw},
            {"uid": P4, "platform": "twitter", "post_id": "4", "account": DAVE, "text": "something else",
             "url": "https://twitter.com/dave/status/4", "created_at": T0 + 5 * D,
             "source_file": "captures/tweets.jsonl", "first_seen": T0 + 10 * D, "runs": tw},
            {"uid": P5, "platform": "twitter", "post_id": "5", "account": JANE_FAKE, "text": "I am the real Jane",
             "url": "https://twitter.com/jane_doe_real/status/5", "created_at": T0 + 3 * D,
             "source_file": "captures/tweets.jsonl", "first_seen": T0 + 10 * D, "runs": tw},
            # The post carol's P3 replies to: a stub with no text or time of its own.
            {"uid": P6, "platform": "twitter", "post_id": "6", "account": JANE_REAL, "runs": tw},
            {"uid": PAGE, "platform": "web", "post_id": "newnews.example/a1", "title": HOSTILE_TITLE,
             "text": "The article", "url": "https://newnews.example/a1", "created_at": T0 + 30 * 60,
             "http_status": 200, "source_file": "captures/sites.warc.gz", "warc_file": "sites.warc.gz",
             "warc_offset": 1234, "first_seen": T0 + 10 * D, "runs": web},
        ],
        "Site": [
            {"uid": OLD, "domain": "oldnews.example", "title": "Old News", "status": "not_found", "runs": web},
            {"uid": NEW, "domain": "newnews.example", "title": "New News", "status": "active", "runs": web},
            {"uid": NEW2, "domain": "newnews2.example", "title": "New News 2", "status": "active", "runs": web},
        ],
        "Url": [
            {"uid": ARTICLE, "url": "https://newnews.example/a1", "domain": "newnews.example", "runs": tw},
            {"uid": OTHER, "url": "https://other.example/x", "domain": "other.example", "runs": tw},
        ],
        "Identifier": [
            {"uid": GA, "id_type": "ga", "value": "UA-123-1", "runs": web},
            {"uid": ADSENSE, "id_type": "adsense", "value": "pub-999", "runs": web},
        ],
        "Target": [
            {"uid": JANE, "name": "Jane Doe", "aliases": ["J. Doe"], "accounts": [JANE_REAL], "kind": "person",
             "runs": csv},
        ],
        "Campaign": [
            {"uid": CAMPAIGN, "label": "newnews.example push", "size": 3, "modalities": ["same_url", "repost"],
             "first_time": T0 + H, "last_time": T0 + 2 * H + 10, "top_urls": ["https://newnews.example/a1"],
             "top_domains": ["newnews.example"], "objects": 2, "params": json.dumps(CAMPAIGN_PARAMS)},
        ],
        "Report": [
            _report("r1", P1, T0 + 3 * H, "twitter", "twitter", "https://twitter.com/alice/status/1"),
            _report("r2", PATRIOT, T0 + D, "twitter", "twitter", "https://twitter.com/patriot_news"),
            _report("r3", OLD, T0, "hoster-x", "web", "https://oldnews.example/"),
            _report("r4", P4, T0 + 5 * D, "twitter", "twitter", "https://twitter.com/dave/status/4"),
            _report("r5", P5, T0 + 3 * D + H, "twitter", "twitter", "https://twitter.com/jane_doe_real/status/5"),
        ],
        "Observation": [
            _observation(P1, T0 + 4 * H, "active", "twitter"),
            _observation(P1, T0 + 20 * H, "deleted", "twitter"),    # r1 removed after 17 h
            _observation(PATRIOT, T0 + 2 * D, "suspended", "twitter"),  # r2 removed after 24 h
            _observation(OLD, T0 + D, "not_found", "web"),           # r3 removed after 24 h
            _observation(P4, T0 + 6 * D, "active", "twitter"),
            _observation(P4, T0 + 9 * D, "deleted", "twitter"),      # r4 removed after 96 h
            _observation(P5, T0 + 4 * D, "active", "twitter"),       # r5 never removed
            # `graphinv watch run` saw the old site move to the new one.
            {"uid": observation_uid(OLD, T0 + 2 * D, "watch"), "entity": OLD, "platform": "web",
             "status": "moved", "change": "moved", "observed_at": T0 + 2 * D, "http_status": 200,
             "final_url": "https://newnews.example/", "source": "watch", "warc_file": "captures/watch.warc.gz",
             "warc_offset": 812, "runs": [RUN_WEB]},
        ],
        "Watch": [{"uid": "watch:" + OLD, "entity": OLD, "url": "https://oldnews.example/", "added_at": T0,
                   "note": "reported", "active": True}],
    }


def _report(rid, entity, at, to, platform, url):
    return {"uid": report_uid(rid), "report_id": rid, "url": url, "entity": entity, "reported_at": at,
            "reported_to": to, "platform": platform, "category": "hate", "runs": [RUN_CSV]}


def _observation(entity, at, status, platform):
    return {"uid": observation_uid(entity, at), "entity": entity, "platform": platform, "status": status,
            "observed_at": at, "source": "captures/reports.csv", "runs": [RUN_CSV]}


def capture(line: int) -> str:
    """The capture of line ``line`` of captures/tweets.jsonl (lines 100… are reposts)."""
    return f"capture:{'a' * 16}:{line * 1000}"


def _captures(nodes: dict[str, list[dict]]) -> list[dict]:
    lines = [k + 1 for k, p in enumerate(nodes["Post"]) if p.get("created_at") and p["platform"] == "twitter"]
    return [{"uid": capture(line), "format": "jsonl", "source_file": "captures/tweets.jsonl", "source_sha256": "a" * 64,
             "offset": line * 1000, "length": 900, "line": line, "bytes_sha256": f"{line:064x}",
             "time_source": "unknown", "runs": [RUN_TWEETS]} for line in [*lines, 100, 101]]


def _edges(nodes: dict[str, list[dict]]) -> dict[str, list[dict]]:
    tw, web = [RUN_TWEETS], [RUN_WEB]
    posted = [{"src": p["account"], "dst": p["uid"], "time": p.get("created_at"), "runs": tw,
               **({"capture": capture(k + 1)} if p.get("created_at") and p["platform"] == "twitter" else {})}
              for k, p in enumerate(nodes["Post"]) if p.get("account")]
    evidence_old_new = json.dumps({"identifiers": ["ga:UA-123-1", "adsense:pub-999"], "articles": 14,
                                   "title_similarity": 0.81})
    return {
        "POSTED": posted,
        "REPOSTED": [
            {"src": BOB, "dst": P1, "time": T0 + 2 * H, "key": str(T0 + 2 * H), "runs": tw, "capture": capture(100)},
            {"src": CAROL, "dst": P1, "time": T0 + 2 * H + 10, "key": str(T0 + 2 * H + 10), "runs": tw,
             "capture": capture(101)},
        ],
        "CAPTURES": [{"src": e["capture"], "dst": e["dst"], "runs": tw} for e in posted if e.get("capture")]
        + [{"src": capture(100), "dst": BOB, "runs": tw}, {"src": capture(101), "dst": CAROL, "runs": tw}],
        "LINKS_TO": [
            {"src": P1, "dst": ARTICLE, "time": T0 + H, "runs": tw},
            {"src": P2, "dst": ARTICLE, "time": T0 + H + 20, "runs": tw},
            {"src": P3, "dst": ARTICLE, "time": T0 + H + 45, "runs": tw},
            {"src": P4, "dst": OTHER, "time": T0 + 5 * D, "runs": tw},
        ],
        "ON_SITE": [
            {"src": ARTICLE, "dst": NEW, "runs": tw},
            {"src": PAGE, "dst": NEW, "runs": web},
        ],
        "MENTIONS": [
            {"src": P1, "dst": JANE, "time": T0 + H, "runs": tw},
            {"src": P5, "dst": JANE_REAL, "time": T0 + 3 * D, "runs": tw},
            {"src": P2, "dst": JANE_REAL, "time": T0 + H + 20, "runs": tw},
        ],
        "REPLIED_TO": [{"src": P3, "dst": P6, "time": T0 + H + 45, "runs": tw}],
        "USES": [
            {"src": OLD, "dst": GA, "time": T0 - 50 * D, "runs": web},
            {"src": NEW, "dst": GA, "time": T0 + 30 * 60, "runs": web},
            {"src": NEW2, "dst": GA, "time": T0 + 8 * D, "runs": web},
            {"src": OLD, "dst": ADSENSE, "time": T0 - 50 * D, "runs": web},
            {"src": NEW, "dst": ADSENSE, "time": T0 + 30 * 60, "runs": web},
        ],
        "TARGETS": [
            {"src": CAMPAIGN, "dst": JANE, "time": T0 + H},
            {"src": NEW, "dst": JANE, "time": T0 + 30 * 60, "runs": web},
        ],
        "OBSERVED": [{"src": o["uid"], "dst": o["entity"], "time": o["observed_at"], "runs": o["runs"]}
                     for o in nodes["Observation"]],
        "REPORTED": [{"src": r["uid"], "dst": r["entity"], "time": r["reported_at"], "runs": r["runs"]}
                     for r in nodes["Report"]],
        "WATCHES": [{"src": w["uid"], "dst": w["entity"], "time": w["added_at"]} for w in nodes["Watch"]],
        "COORDINATED_WITH": [
            _coordinated(ALICE, BOB, 2.0, 2, T0 + H, T0 + 2 * H),
            _coordinated(ALICE, CAROL, 2.0, 2, T0 + H, T0 + 2 * H + 10),
            _coordinated(BOB, CAROL, 1.0, 1, T0 + H + 20, T0 + H + 45),
        ],
        "MEMBER_OF": [
            {"src": ALICE, "dst": CAMPAIGN, "role": "hub", "degree": 4.0, "analysis_run": "analysis:1"},
            {"src": BOB, "dst": CAMPAIGN, "role": "member", "degree": 3.0, "analysis_run": "analysis:1"},
            {"src": CAROL, "dst": CAMPAIGN, "role": "member", "degree": 3.0, "analysis_run": "analysis:1"},
        ],
        "EVIDENCE": [
            {"src": CAMPAIGN, "dst": P1, "time": T0 + H, "modality": "same_url", "analysis_run": "analysis:1"},
            {"src": CAMPAIGN, "dst": P2, "time": T0 + H + 20, "modality": "same_url", "analysis_run": "analysis:1"},
            {"src": CAMPAIGN, "dst": P3, "time": T0 + H + 45, "modality": "same_url", "analysis_run": "analysis:1"},
        ],
        "REAPPEARS_AS": [
            {"src": OLD, "dst": NEW, "score": 0.95, "gap": 2 * 3600, "signals": ["tracking_id", "articles"],
             "evidence": evidence_old_new, "lineage": "lineage:oldnews.example", "analysis_run": "analysis:1"},
            {"src": NEW, "dst": NEW2, "score": 0.7, "gap": 7 * D, "signals": ["tracking_id"],
             "evidence": json.dumps({"identifiers": ["ga:UA-123-1"]}), "lineage": "lineage:oldnews.example",
             "analysis_run": "analysis:1"},
            {"src": PATRIOT, "dst": PATRIOT2, "score": 0.92, "gap": D, "signals": ["name", "avatar"],
             "evidence": json.dumps({"name_similarity": 0.96, "avatar_sha256": "f" * 64}),
             "lineage": "lineage:patriot_news", "analysis_run": "analysis:1"},
        ],
        "IMPERSONATES": [
            {"src": JANE_FAKE, "dst": JANE, "score": 0.88, "evidence": json.dumps({"name": "Jane Doe (real)"}),
             "analysis_run": "analysis:1"},
        ],
    }


def _coordinated(a, b, weight, co_shares, first, last):
    return {"src": a, "dst": b, "weight": weight, "co_shares": co_shares, "modalities": ["same_url", "repost"],
            "first_time": first, "last_time": last, "window": 60, "analysis_run": "analysis:1"}


def build_fixture_graph(store) -> None:
    """Write the fixture graph into an (empty) store."""
    nodes = _nodes()
    nodes["Capture"] = _captures(nodes)
    for kind, rows in nodes.items():
        store.upsert_nodes(kind, pd.DataFrame(rows))
    for kind, rows in _edges(nodes).items():
        store.upsert_edges(kind, pd.DataFrame(rows))
