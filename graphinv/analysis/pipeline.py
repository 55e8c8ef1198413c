"""The store side of coordination and campaigns, and `graphinv analyze` as a whole.

Reads a share frame out of the graph (one row per action of an account on an object,
per modality), runs the pure functions of :mod:`coordination` and :mod:`campaigns`,
and writes COORDINATED_WITH, Campaign, MEMBER_OF and EVIDENCE back. A re-run deletes
the previous results first, so the store holds the results of the last run only, with
the parameters of that run on every Campaign (``params``) and on every result edge
(``analysis_run``).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field

import pandas as pd

from ..records import campaign_uid
from ..store import GraphStore
from . import campaigns as campaigns_mod
from . import coordination

MODALITIES = ("repost", "url", "text", "near_text", "image", "hashtags")

# Each modality's share rows as Cypher that runs unchanged on both stores.
_SHARE_QUERIES = {
    "repost": ("MATCH (a:Account)-[r:REPOSTED]->(p:Post) WHERE r.time IS NOT NULL "
               "RETURN a.uid AS account, p.uid AS object, r.uid AS content, r.time AS time"),
    "url": ("MATCH (a:Account)-[:POSTED]->(p:Post)-[:LINKS_TO]->(u:Url) WHERE p.created_at IS NOT NULL "
            "RETURN a.uid AS account, u.uid AS object, p.uid AS content, p.created_at AS time"),
    "posts": ("MATCH (a:Account)-[:POSTED]->(p:Post) WHERE p.created_at IS NOT NULL AND p.text_hash IS NOT NULL "
              "RETURN a.uid AS account, p.uid AS content, p.created_at AS time, p.text_hash AS text_hash, "
              "p.text AS text"),
    "image": ("MATCH (a:Account)-[:POSTED]->(p:Post)-[:HAS_MEDIA]->(m:Media) "
              "WHERE p.created_at IS NOT NULL AND m.phash IS NOT NULL "
              "RETURN a.uid AS account, p.uid AS content, p.created_at AS time, m.phash AS phash"),
    "hashtags": ("MATCH (a:Account)-[:POSTED]->(p:Post)-[t:TAGGED]->(h:Hashtag) WHERE p.created_at IS NOT NULL "
                 "RETURN a.uid AS account, p.uid AS content, p.created_at AS time, t.position AS position, "
                 "h.tag AS tag"),
}


@dataclass
class CoordinationParams:
    window: int | str = 60
    min_participation: int = 2
    edge_weight: float = 0.5
    fast_window: int | None = None
    near_text_threshold: float = 0.8
    image_max_distance: int = 6
    modalities: tuple[str, ...] = MODALITIES
    min_text_chars: int = 20
    resolution: float = 1.0
    seed: int = 0
    extra: dict = field(default_factory=dict)


def share_frame(store: GraphStore, params: CoordinationParams | None = None) -> pd.DataFrame:
    """Every account action on an object, per modality, from the graph."""
    params = params or CoordinationParams()
    frames = []
    wanted = set(params.modalities)
    for modality in ("repost", "url"):
        if modality in wanted:
            frames.append(store.query(_SHARE_QUERIES[modality]).assign(modality=modality))
    if wanted & {"text", "near_text"}:
        posts = store.query(_SHARE_QUERIES["posts"])
        # Short texts ("lol", "+1") match by chance; they are not evidence of a script.
        posts = posts[posts["text"].fillna("").str.len() >= params.min_text_chars]
        if "text" in wanted and not posts.empty:
            frames.append(posts.assign(object=posts["text_hash"], modality="text")
                          [["account", "object", "content", "time", "modality"]])
        if "near_text" in wanted and not posts.empty:
            objects = coordination.near_duplicate_objects(posts["text"].tolist(), params.near_text_threshold)
            near = posts.assign(object=objects, modality="near_text").dropna(subset=["object"])
            frames.append(near[["account", "object", "content", "time", "modality"]])
    if "image" in wanted:
        images = store.query(_SHARE_QUERIES["image"])
        if not images.empty:
            images = images.assign(object=coordination.image_hash_objects(images["phash"].tolist(),
                                                                          params.image_max_distance),
                                   modality="image").dropna(subset=["object"])
            frames.append(images[["account", "object", "content", "time", "modality"]])
    if "hashtags" in wanted:
        tags = store.query(_SHARE_QUERIES["hashtags"])
        if not tags.empty:
            tags = tags.sort_values(["content", "position"])
            seqs = tags.groupby(["account", "content", "time"], sort=False)["tag"].apply(list).reset_index()
            seqs = seqs.assign(object=coordination.hashtag_sequence_objects(seqs["tag"].tolist(),
                                                                            seqs["time"].tolist()),
                               modality="hashtags").dropna(subset=["object"])
            frames.append(seqs[["account", "object", "content", "time", "modality"]])
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in coordination.SHARE_COLUMNS})
    shares = pd.concat(frames, ignore_index=True)
    shares["time"] = shares["time"].astype("int64")
    return shares


def analysis_run_id(name: str, params: dict) -> str:
    digest = hashlib.sha1(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return f"{name}:{digest}"


def analyze_coordination(store: GraphStore, params: CoordinationParams | None = None) -> dict:
    """Detect coordination and campaigns and replace the previous results in the store."""
    params = params or CoordinationParams()
    shares = share_frame(store, params)
    result = coordination.detect_coordination(shares, params.window, params.min_participation,
                                              params.edge_weight, fast_window=params.fast_window)
    communities = campaigns_mod.detect_campaigns(result.edges, resolution=params.resolution, seed=params.seed)
    posts = store.query("MATCH (p:Post) WHERE p.text IS NOT NULL AND p.platform <> 'web' "
                        "RETURN p.uid AS content, p.text AS text, p.url AS url")
    summary = campaigns_mod.summarise_campaigns(communities, shares, posts, pairs=result.pairs)
    recorded = {k: v for k, v in asdict(params).items() if k != "extra"} | {"window": result.window}
    run = analysis_run_id("coordination", recorded)

    for kind in ("COORDINATED_WITH", "MEMBER_OF", "EVIDENCE"):
        store.delete_edges(kind)
    store.delete_nodes("Campaign")

    edges = result.edges
    if not edges.empty:
        store.upsert_edges("COORDINATED_WITH", pd.DataFrame({
            "src": edges["account"], "dst": edges["account_y"], "weight": edges["weight"].astype(float),
            "co_shares": edges["weight"].astype("int64"), "modalities": edges["modalities"],
            "first_time": edges["first_time"], "last_time": edges["last_time"],
            "mean_delta": edges["avg_time_delta"].astype(float), "window": result.window,
            "symmetry": edges["edge_symmetry_score"].astype(float), "analysis_run": run}))
    if not summary.empty:
        params_json = json.dumps(recorded | {"analysis_run": run, "stats": _jsonable(result.stats)}, default=str)
        rows = []
        for row in summary.itertuples(index=False):
            rows.append({"uid": campaign_uid(row.campaign), "label": _label(row), "size": row.n_members,
                         "modalities": row.modalities, "first_time": row.first_time, "last_time": row.last_time,
                         "top_urls": [u for u, _ in row.top_urls], "top_domains": [d for d, _ in row.top_domains],
                         "objects": row.n_objects, "params": params_json})
        store.upsert_nodes("Campaign", pd.DataFrame(rows))
        degree = result.nodes.set_index("account")["strength"] if not result.nodes.empty else pd.Series(dtype=float)
        store.upsert_edges("MEMBER_OF", pd.DataFrame({
            "src": communities["account"], "dst": communities["campaign"].map(campaign_uid),
            "role": "member", "degree": communities["account"].map(degree).astype(float), "analysis_run": run}))
        # The evidence of a repost is the post that was pushed (the repost itself is an
        # edge); of the other modalities, the post that carried the share.
        evidence = [{"src": campaign_uid(row.campaign), "dst": post, "time": item["time"],
                     "modality": item["modality"], "analysis_run": run}
                    for row in summary.itertuples(index=False) for item in row.evidence
                    for post in [item["content"] if item["content"].startswith("post:") else item["object"]]
                    if post.startswith("post:")]
        if evidence:
            store.upsert_edges("EVIDENCE", pd.DataFrame(evidence).drop_duplicates(["src", "dst"]))
        _write_campaign_targets(store)
    return {"shares": len(shares), "window": result.window, "accounts": len(result.nodes),
            "edges": len(result.edges), "campaigns": len(summary), "analysis_run": run,
            "capped_objects": len(result.stats.get("capped_objects", []) or [])}


# Whom a campaign attacks: the Targets its evidence posts (what members posted or pushed)
# target or mention, directly or through one of the Target's real accounts.
_CAMPAIGN_TARGETS = (
    "MATCH (c:Campaign)-[:EVIDENCE]->(p:Post)-[:TARGETS]->(t:Target) RETURN DISTINCT c.uid AS src, t.uid AS dst",
    "MATCH (c:Campaign)-[:EVIDENCE]->(p:Post)-[:MENTIONS]->(t:Target) RETURN DISTINCT c.uid AS src, t.uid AS dst",
    "MATCH (c:Campaign)-[:EVIDENCE]->(p:Post)-[:MENTIONS]->(a:Account) MATCH (t:Target) "
    "WHERE a.uid IN t.accounts RETURN DISTINCT c.uid AS src, t.uid AS dst",
)


def _write_campaign_targets(store: GraphStore) -> None:
    pairs = pd.concat([store.query(q) for q in _CAMPAIGN_TARGETS], ignore_index=True).drop_duplicates()
    # Deleting the previous Campaign nodes (DETACH) removed their TARGETS edges.
    if not pairs.empty:
        store.upsert_edges("TARGETS", pairs)


def _label(row) -> str:
    kinds = ", ".join(row.modalities) or "shares"
    return f"{row.n_members} accounts · {kinds}"


def _jsonable(stats: dict) -> dict:
    out = {}
    for key, value in stats.items():
        if isinstance(value, (list, tuple)) and len(value) > 20:
            out[key] = {"count": len(value), "first": list(value)[:20]}
        else:
            out[key] = value
    return out


def analyze_all(store: GraphStore, coordination_params: CoordinationParams | None = None,
                progress=None) -> dict:
    """Every analysis, in order: reappearance, impersonation, coordination and campaigns."""
    from . import impersonation, reappearance

    steps = [("reappearance", lambda: reappearance.analyze(store)),
             ("impersonation", lambda: impersonation.analyze(store)),
             ("coordination", lambda: analyze_coordination(store, coordination_params))]
    results = {}
    for name, step in steps:
        started = time.perf_counter()
        if progress:
            progress(name)
        results[name] = step()
        results[name]["seconds"] = round(time.perf_counter() - started, 2)
    return results
