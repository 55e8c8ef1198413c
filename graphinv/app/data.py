"""Everything the app reads from a store: the app's only Cypher.

Each function takes an open store and returns a pandas DataFrame (or a dict). Values
from the user always travel as query parameters; the only text put into a query is a
node kind or property name taken from the schema (never from the browser). Counting,
grouping and time bucketing happen in the store, so a page costs a handful of
aggregate queries whatever the size of the graph. Where the named query library
already answers (``campaigns``, ``campaign_members``, ``campaign_evidence``,
``lineage``, ``takedown_compliance``), the app runs that query.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from .. import queries
from ..schema import SCHEMA
from ..timefmt import format_gap, iso
from ..vocabulary import DOWN_STATUSES, GONE_STATUSES
from ..store.gate import Limits
from .memo import memoised

NEVER = 4102444800  # 2100-01-01: the open end of a time filter
# What the app writes itself (a journalist's case notes): never memoised (see .memo).
CASE_KINDS = ("IN_CASE", "ABOUT", *dict.fromkeys(k for pair in SCHEMA.edges["IN_CASE"].between for k in pair))

# What the explorer's search looks at, per node kind (schema property names).
SEARCH_FIELDS: dict[str, tuple[str, ...]] = {
    "Account": ("handle", "display_name", "bio"),
    "Target": ("name",),
    "Site": ("domain", "title"),
    "Url": ("url",),
    "Identifier": ("value",),
    "Hashtag": ("tag",),
    "Media": ("sha256", "phash"),
    "Campaign": ("label",),
    "Post": ("url", "post_id", "title", "text"),
    "Report": ("url", "report_id"),
}
# The longer text shown under a hit, where a kind has one.
SEARCH_TEXT = {"Account": "bio", "Post": "text"}
# The readable name of a node, first non-null of these properties.
NAME_FIELDS = ("handle", "domain", "title", "name", "label", "tag", "value", "url", "status", "source",
               "report_id", "uid")


def _name_expr(kind: str, var: str = "n") -> str:
    props = [p for p in NAME_FIELDS if p in SCHEMA.nodes[kind].properties]
    return "coalesce(" + ", ".join(f"{var}.{p}" for p in props) + ")"


def _kind(kind: str) -> str:
    if kind not in SCHEMA.nodes:
        raise ValueError(f"unknown node kind {kind!r}")
    return kind


def plain(value: Any) -> Any:
    """A value fit for JSON and a table cell: numpy scalars unwrapped, lists joined, NaN to None."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return ", ".join(str(plain(v)) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if value is pd.NaT:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows for a dash_table.DataTable."""
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


# -- overview -----------------------------------------------------------------------
def counts(store) -> dict[str, int]:
    """Nodes and edges per kind; the kinds of case notes, which the app writes, counted afresh."""
    found = _counts(store)
    for kind in CASE_KINDS:
        match = f"MATCH ()-[n:{kind}]->()" if kind in SCHEMA.edges else f"MATCH (n:{kind})"
        found[kind] = int(store.query(f"{match} RETURN count(n) AS c").iloc[0, 0])
    return found


@memoised
def _counts(store) -> dict[str, int]:
    return store.counts()


@memoised
def activity(store, bucket: int = 86400) -> pd.DataFrame:
    """Posts per platform and reposts per time bucket (epoch seconds of its start)."""
    posts = store.query(
        "MATCH (p:Post) WHERE p.created_at IS NOT NULL "
        "RETURN p.created_at - p.created_at % $bucket AS bucket, coalesce(p.platform, 'unknown') AS series, "
        "count(*) AS n ORDER BY bucket", {"bucket": int(bucket)})
    reposts = store.query(
        "MATCH (:Account)-[r:REPOSTED]->(:Post) WHERE r.time IS NOT NULL "
        "RETURN r.time - r.time % $bucket AS bucket, 'reposts' AS series, count(*) AS n ORDER BY bucket",
        {"bucket": int(bucket)})
    posts["series"] = posts["series"] + " posts"
    frame = pd.concat([f for f in (posts, reposts) if not f.empty], ignore_index=True) if not (
        posts.empty and reposts.empty) else pd.DataFrame(columns=["bucket", "series", "n"])
    return frame


@memoised
def time_span(store) -> tuple[int | None, int | None]:
    found = store.query("MATCH (p:Post) WHERE p.created_at IS NOT NULL "
                        "RETURN min(p.created_at) AS first, max(p.created_at) AS last")
    if found.empty or pd.isna(found.iloc[0, 0]):
        return None, None
    return int(found.iloc[0, 0]), int(found.iloc[0, 1])


@memoised
def campaigns(store) -> pd.DataFrame:
    return queries.run(store, "campaigns")


@memoised
def takedowns(store, hours: int = 48) -> pd.DataFrame:
    return queries.run(store, "takedown_compliance", hours=hours)


@memoised
def reappearance_edges(store, limit: int = 5000) -> pd.DataFrame:
    """Every REAPPEARS_AS step (there are few: one per re-creation found)."""
    frames = []
    # "since": an entity's first sign (the lineage query's predecessor_since/successor_since)
    for kind, name, since in (("Account", "handle", "coalesce({}.created_at, {}.first_seen)"),
                              ("Site", "domain", "{}.first_seen")):
        frames.append(store.query(
            f"MATCH (a:{kind})-[r:REAPPEARS_AS]->(b:{kind}) "
            f"RETURN a.uid AS predecessor, a.{name} AS predecessor_name, b.uid AS successor, "
            f"b.{name} AS successor_name, r.score AS score, r.gap AS gap, r.lineage AS lineage, "
            f"'{kind}' AS kind, {since.format('a', 'a')} AS predecessor_since, "
            f"{since.format('b', 'b')} AS successor_since ORDER BY predecessor, successor LIMIT $limit",
            {"limit": limit}))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=["predecessor", "predecessor_name", "successor", "successor_name",
                                     "score", "gap", "lineage", "kind", "predecessor_since", "successor_since"])
    return pd.concat(frames, ignore_index=True)


def oldest_first(steps: pd.DataFrame) -> list[str]:
    """The members of a lineage's REAPPEARS_AS ``steps`` (predecessor, successor and their
    ``*_since``: created_at, else first_seen), oldest first: each predecessor before its
    successors, and members the chain does not order by their first sign, then uid."""
    import networkx as nx

    G = nx.DiGraph()
    since: dict[str, Any] = {}
    for row in steps.itertuples(index=False):
        G.add_edge(row.predecessor, row.successor)
        since[row.predecessor] = plain(row.predecessor_since)
        since[row.successor] = plain(row.successor_since)

    def key(uid: str) -> tuple:
        return (since.get(uid) is None, since.get(uid) or 0, uid)

    if nx.is_directed_acyclic_graph(G):
        return list(nx.lexicographical_topological_sort(G, key=key))
    return sorted(G, key=key)


def steps_in_time_order(steps: pd.DataFrame) -> pd.DataFrame:
    """The lineage query's steps, the oldest step first (the order of :func:`oldest_first`)."""
    if steps.empty:
        return steps
    rank = {uid: i for i, uid in enumerate(oldest_first(steps))}
    order = sorted(range(len(steps)), key=lambda i: (rank[steps["predecessor"].iloc[i]],
                                                     rank[steps["successor"].iloc[i]]))
    return steps.iloc[order].reset_index(drop=True)


@memoised
def lineages(store) -> pd.DataFrame:
    """One row per lineage (a chain of REAPPEARS_AS steps): its oldest member, the chain
    oldest → newest, the number of generations, the lowest step score and the longest
    gap (``max_gap_days`` to sort by, ``longest_gap`` to read: :func:`format_gap`)."""
    import networkx as nx

    edges = reappearance_edges(store)
    columns = ["lineage", "kind", "first", "chain", "generations", "min_score", "max_gap_days", "longest_gap",
               "members"]
    if edges.empty:
        return pd.DataFrame(columns=columns)
    G = nx.DiGraph()
    names = {}
    for row in edges.itertuples(index=False):
        G.add_edge(row.predecessor, row.successor, score=row.score, gap=row.gap)
        names[row.predecessor] = row.predecessor_name or row.predecessor
        names[row.successor] = row.successor_name or row.successor
    rows = []
    for component in nx.weakly_connected_components(G):
        sub = G.subgraph(component)
        order = oldest_first(edges[edges["predecessor"].isin(component)])
        scores = [d["score"] for _, _, d in sub.edges(data=True) if d["score"] is not None and d["score"] == d["score"]]
        gaps = [d["gap"] for _, _, d in sub.edges(data=True) if d["gap"] is not None and d["gap"] == d["gap"]]
        stored = edges[edges["predecessor"].isin(component)]["lineage"].dropna()
        rows.append({
            "lineage": order[0], "kind": edges[edges["predecessor"].isin(component)]["kind"].iloc[0],
            "first": order[0], "chain": " → ".join(str(names[u]) for u in order),
            "generations": len(order), "min_score": round(min(scores), 3) if scores else None,
            "max_gap_days": round(max(gaps) / 86400, 1) if gaps else None,
            "longest_gap": format_gap(max(gaps) if gaps else None), "members": order,
            "lineage_id": stored.iloc[0] if not stored.empty else order[0]})
    frame = pd.DataFrame(rows).sort_values(["generations", "first"], ascending=[False, True])
    return frame.reset_index(drop=True)


# -- campaigns ----------------------------------------------------------------------
@memoised
def campaign(store, uid: str) -> dict | None:
    props = [p for p in SCHEMA.nodes["Campaign"].properties]
    found = store.query("MATCH (c:Campaign) WHERE c.uid = $c RETURN " + ", ".join(f"c.{p} AS {p}" for p in props),
                        {"c": uid})
    if found.empty:
        return None
    row = found.iloc[0].to_dict()
    for key in ("modalities", "top_urls", "top_domains", "reasons"):
        value = row.get(key)
        row[key] = [str(v) for v in value] if isinstance(value, (list, tuple, np.ndarray)) else []
    return row


@memoised
def campaign_members(store, uid: str) -> pd.DataFrame:
    return queries.run(store, "campaign_members", campaign=uid)


@memoised
def campaign_network(store, uid: str, limit: int = 400) -> tuple[pd.DataFrame, int]:
    """COORDINATED_WITH edges between members of the campaign, heaviest first, and
    how many there are in all."""
    pattern = ("MATCH (c:Campaign)<-[:MEMBER_OF]-(a:Account)-[w:COORDINATED_WITH]->(b:Account)-[:MEMBER_OF]->(c) "
               "WHERE c.uid = $c ")
    total = int(store.query(pattern + "RETURN count(w) AS n", {"c": uid}).iloc[0, 0])
    edges = store.query(pattern + "RETURN a.uid AS src, b.uid AS dst, w.weight AS weight, "
                        "w.co_shares AS co_shares, w.modalities AS modalities, w.first_time AS first_time, "
                        "w.last_time AS last_time ORDER BY weight DESC, src, dst LIMIT $limit",
                        {"c": uid, "limit": int(limit)})
    return edges, total


@memoised
def campaign_coactions(store, uid: str) -> pd.DataFrame:
    """The members' co-actions that make the campaign (who acted on what, when, seconds
    after the first, read from which capture), oldest first; ``action`` is the modality."""
    from ..capture.evidence import campaign_coactions as coactions

    return coactions(store, uid).rename(columns={"modality": "action"}).sort_values("time", kind="stable") \
        .reset_index(drop=True)


@memoised
def campaign_objects(store, uid: str, limit: int = 50) -> pd.DataFrame:
    """What the members shared: the posts they reposted, the URLs and the media of the
    evidence posts, each with how many members shared it and when."""
    reposted = store.query(
        "MATCH (c:Campaign)<-[:MEMBER_OF]-(a:Account)-[r:REPOSTED]->(p:Post) "
        "WHERE c.uid = $c AND r.time >= c.first_time AND r.time <= c.last_time "
        "WITH p, count(DISTINCT a) AS accounts, count(r) AS shares, min(r.time) AS first_time, "
        "max(r.time) AS last_time ORDER BY accounts DESC, shares DESC LIMIT $limit "
        "OPTIONAL MATCH (author:Account)-[:POSTED]->(p) "
        "RETURN 'reposted post' AS kind, p.uid AS object, coalesce(p.text, p.url, p.uid) AS content, "
        "author.handle AS author, accounts, shares, first_time, last_time",
        {"c": uid, "limit": int(limit)})
    linked = store.query(
        "MATCH (c:Campaign)-[:EVIDENCE]->(p:Post)-[:LINKS_TO]->(u:Url) WHERE c.uid = $c "
        "OPTIONAL MATCH (a:Account)-[:POSTED]->(p) "
        "RETURN 'url' AS kind, u.uid AS object, coalesce(u.url, u.uid) AS content, u.domain AS author, "
        "count(DISTINCT a) AS accounts, count(DISTINCT p) AS shares, min(p.created_at) AS first_time, "
        "max(p.created_at) AS last_time ORDER BY accounts DESC, shares DESC LIMIT $limit",
        {"c": uid, "limit": int(limit)})
    media = store.query(
        "MATCH (c:Campaign)-[:EVIDENCE]->(p:Post)-[:HAS_MEDIA]->(m:Media) WHERE c.uid = $c "
        "OPTIONAL MATCH (a:Account)-[:POSTED]->(p) "
        "RETURN 'media' AS kind, m.uid AS object, coalesce(m.phash, m.sha256, m.uid) AS content, "
        "m.mime AS author, count(DISTINCT a) AS accounts, count(DISTINCT p) AS shares, "
        "min(p.created_at) AS first_time, max(p.created_at) AS last_time "
        "ORDER BY accounts DESC, shares DESC LIMIT $limit", {"c": uid, "limit": int(limit)})
    frames = [f for f in (reposted, linked, media) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=["kind", "object", "content", "author", "accounts", "shares",
                                     "first_time", "last_time"])
    return pd.concat(frames, ignore_index=True).rename(columns={"author": "by / domain"})


@memoised
def campaign_targets(store, uid: str, limit: int = 20) -> pd.DataFrame:
    """Whom the campaign attacks: its TARGETS, each with the members' posts about it (that
    mention, reply to or quote one of its real accounts, or mention or TARGET it: the
    campaign row of the ``targeting`` query), and the accounts and targets its members
    mention or reply to most."""
    frames = [store.query(
        "MATCH (c:Campaign)-[:TARGETS]->(t:Target) WHERE c.uid = $c "
        "OPTIONAL MATCH (c)<-[:MEMBER_OF]-(a:Account)-[:POSTED]->(p:Post)-[:MENTIONS|REPLIED_TO|QUOTED|TARGETS]->(y) "
        "WHERE y.uid = t.uid OR y.uid IN t.accounts OR y.account IN t.accounts "
        "RETURN t.uid AS target, t.name AS name, 'campaign targets' AS how, count(DISTINCT p) AS posts, "
        "count(DISTINCT a) AS accounts ORDER BY posts DESC, target",
        {"c": uid})]
    frames.append(store.query(
        "MATCH (c:Campaign)<-[:MEMBER_OF]-(a:Account)-[:POSTED]->(p:Post)-[:MENTIONS]->(t:Target) WHERE c.uid = $c "
        "RETURN t.uid AS target, t.name AS name, 'mentioned' AS how, count(DISTINCT p) AS posts, "
        "count(DISTINCT a) AS accounts ORDER BY posts DESC LIMIT $limit", {"c": uid, "limit": limit}))
    frames.append(store.query(
        "MATCH (c:Campaign)<-[:MEMBER_OF]-(a:Account)-[:POSTED]->(p:Post)-[:MENTIONS]->(x:Account) "
        "WHERE c.uid = $c AND x.uid <> a.uid "
        "RETURN x.uid AS target, x.handle AS name, 'mentioned' AS how, count(DISTINCT p) AS posts, "
        "count(DISTINCT a) AS accounts ORDER BY posts DESC LIMIT $limit", {"c": uid, "limit": limit}))
    frames.append(store.query(
        "MATCH (c:Campaign)<-[:MEMBER_OF]-(a:Account)-[:POSTED]->(p:Post)-[:REPLIED_TO]->(q:Post)"
        "<-[:POSTED]-(x:Account) WHERE c.uid = $c AND x.uid <> a.uid "
        "RETURN x.uid AS target, x.handle AS name, 'replied to' AS how, count(DISTINCT p) AS posts, "
        "count(DISTINCT a) AS accounts ORDER BY posts DESC LIMIT $limit", {"c": uid, "limit": limit}))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=["target", "name", "how", "posts", "accounts"])
    return pd.concat(frames, ignore_index=True)


@memoised
def campaign_captures(store, uid: str) -> pd.DataFrame:
    """The capture rows (:func:`graphinv.capture.evidence.capture_rows`) of a campaign's co-actions."""
    from ..capture.evidence import capture_rows

    return capture_rows(store, campaign_coactions(store, uid)["capture"].dropna().unique().tolist())


def campaign_evidence(store, uid: str, actions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The co-actions (all, or ``actions``: some of them) with their captures, for
    people: time, seconds after the first, account, what it pushed, when it was
    captured, the file and line or offset, and the sha256 of the captured bytes."""
    acts = campaign_coactions(store, uid) if actions is None else actions
    frame = acts.merge(campaign_captures(store, uid), on="capture", how="left")
    return pd.DataFrame({
        "time": [iso(t) for t in frame["time"]],
        "after first (s)": frame["seconds_after_first"],
        "handle": frame["handle"], "action": frame["action"], "object": frame["shown"].fillna(frame["object"]),
        "text": [_excerpt(t) for t in frame["text"]],
        "captured": [iso(t) if t == t and t is not None else "unknown" for t in frame["captured_at"]],
        "file": [_place(r) for r in frame.to_dict("records")],
        "sha256": frame["bytes_sha256"], "capture": frame["capture"],
        # for the links from a row to its account and post (hidden columns)
        "account": frame["account"], "post": frame.get("post", pd.Series([None] * len(frame)))})


def _excerpt(text, width: int = 200) -> str:
    """The start of a post's text, on one line ('' when there is none)."""
    if not isinstance(text, str):
        return ""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _place(row: dict) -> str:
    """``file:line`` or ``file@offset`` of a capture."""
    source = row.get("source_file")
    if not isinstance(source, str):
        return "—"
    name = Path(source).name
    line = row.get("line")
    return f"{name}:{int(line)}" if line == line and line is not None else f"{name}@{int(row['offset'])}"


# -- lineages -----------------------------------------------------------------------
@memoised
def lineage_steps(store, uid: str) -> pd.DataFrame:
    return queries.run(store, "lineage", uid=uid)


@memoised
def generations(store, members: list[str]) -> pd.DataFrame:
    """Per member of a lineage: its name, first and last sign of activity (posts, pages,
    'active' observations, creation), and its takedown (first removed observation)."""
    # UNWIND and one uid at a time, as entity_data.reports does: `n.uid IN $m` scans
    # every node on the embedded store.
    unique = list(dict.fromkeys(members))
    frames = []
    for kind, name, created in (("Account", "handle", "n.created_at"), ("Site", "domain", "n.first_seen")):
        frames.append(store.query(
            f"UNWIND $m AS member MATCH (n:{kind}) WHERE n.uid = member "
            f"RETURN n.uid AS uid, '{kind}' AS kind, n.{name} AS name, {created} AS created_at, "
            f"n.first_seen AS first_seen, n.last_seen AS last_seen, n.status AS status", {"m": unique}))
    nodes = pd.concat([f for f in frames if not f.empty] or [pd.DataFrame(columns=["uid"])], ignore_index=True)
    activity_frames = [
        store.query("UNWIND $m AS member MATCH (n:Account)-[:POSTED]->(p:Post) "
                    "WHERE n.uid = member AND p.created_at IS NOT NULL "
                    "RETURN n.uid AS uid, min(p.created_at) AS first_post, max(p.created_at) AS last_post, "
                    "count(p) AS posts", {"m": unique}),
        store.query("UNWIND $m AS member MATCH (p:Post)-[:ON_SITE]->(n:Site) "
                    "WHERE n.uid = member AND p.created_at IS NOT NULL "
                    "RETURN n.uid AS uid, min(p.created_at) AS first_post, max(p.created_at) AS last_post, "
                    "count(p) AS posts", {"m": unique}),
    ]
    active = pd.concat([f for f in activity_frames if not f.empty] or
                       [pd.DataFrame(columns=["uid", "first_post", "last_post", "posts"])], ignore_index=True)
    observed = store.query(
        "UNWIND $m AS member MATCH (o:Observation)-[:OBSERVED]->(n) WHERE n.uid = member "
        "RETURN n.uid AS uid, min(CASE WHEN o.status = 'active' THEN o.observed_at END) AS first_active, "
        "max(CASE WHEN o.status = 'active' THEN o.observed_at END) AS last_active, "
        "min(CASE WHEN o.status IN $removed THEN o.observed_at END) AS taken_down_at",
        {"m": unique, "removed": list(GONE_STATUSES)})
    removals = store.query(
        "UNWIND $m AS member MATCH (o:Observation)-[:OBSERVED]->(n) WHERE n.uid = member AND o.status IN $removed "
        "RETURN n.uid AS uid, o.status AS takedown_status, min(o.observed_at) AS at",
        {"m": unique, "removed": list(GONE_STATUSES)})
    # one row per member and removed status: keep the earliest (a few rows per lineage)
    down_status = removals.sort_values("at").drop_duplicates("uid")[["uid", "takedown_status"]] \
        if not removals.empty else removals
    out = pd.DataFrame({"uid": members})
    for frame in (nodes, active, observed, down_status):
        if not frame.empty:
            out = out.merge(frame.drop_duplicates("uid"), on="uid", how="left")
    for col in ("kind", "name", "created_at", "first_seen", "last_seen", "first_post", "last_post", "posts",
                "first_active", "last_active", "taken_down_at", "takedown_status"):
        if col not in out:
            out[col] = None

    def first_of(row, *cols):
        values = [row[c] for c in cols if row[c] is not None and row[c] == row[c]]
        return int(min(values)) if values else None

    def last_of(row, *cols):
        values = [row[c] for c in cols if row[c] is not None and row[c] == row[c]]
        return int(max(values)) if values else None

    # Activity (posts, pages, 'active' checks) marks the span; creation only when nothing else does.
    out["active_from"] = [first_of(r, "first_post", "first_active") or first_of(r, "created_at", "first_seen")
                          for r in out.to_dict("records")]
    out["active_to"] = [last_of(r, "last_post", "last_active") or last_of(r, "last_seen")
                        for r in out.to_dict("records")]
    out["name"] = out["name"].where(out["name"].notna(), out["uid"])
    return out


def parse_evidence(text: Any) -> dict:
    """The per-signal evidence of a REAPPEARS_AS step (JSON in the store) as a dict."""
    if text is None or (isinstance(text, float) and text != text):
        return {}
    if isinstance(text, dict):
        return text
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {"evidence": str(text)}
    return value if isinstance(value, dict) else {"evidence": value}


# -- explorer -----------------------------------------------------------------------
@memoised
def search(store, text: str, kinds: Iterable[str] | None = None, since: int = 0, until: int = NEVER,
           limit: int = 50) -> pd.DataFrame:
    """Entities whose uid or name fields contain ``text`` (case-insensitive), exact
    matches first, at most ``limit`` per kind."""
    needle = (text or "").strip().lower().lstrip("@")
    columns = ["uid", "kind", "name", "detail", "text", "first_seen", "last_seen"]
    if not needle:
        return pd.DataFrame(columns=columns)
    frames = []
    for kind in (kinds or SEARCH_FIELDS):
        if kind not in SEARCH_FIELDS:
            continue
        fields = SEARCH_FIELDS[_kind(kind)]
        where = " OR ".join(["toLower(n.uid) CONTAINS $q"] +
                            [f"toLower(coalesce(n.{f}, '')) CONTAINS $q" for f in fields])
        exact = " OR ".join(f"toLower(coalesce(n.{f}, '')) = $q" for f in fields)
        detail = f"n.{fields[1]}" if len(fields) > 1 and kind not in ("Post", "Report", "Media") else "''"
        text = f"n.{SEARCH_TEXT[kind]}" if kind in SEARCH_TEXT else "''"
        frames.append(store.query(
            f"MATCH (n:{kind}) WHERE ({where}) "
            f"AND coalesce(n.last_seen, $since) >= $since AND coalesce(n.first_seen, $until) <= $until "
            f"RETURN n.uid AS uid, '{kind}' AS kind, {_name_expr(kind)} AS name, {detail} AS detail, "
            f"{text} AS text, n.first_seen AS first_seen, "
            f"n.last_seen AS last_seen, CASE WHEN {exact} THEN 0 ELSE 1 END AS rank "
            f"ORDER BY rank, name LIMIT $limit",
            {"q": needle, "since": int(since), "until": int(until), "limit": int(limit)}))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    found = pd.concat(frames, ignore_index=True).sort_values(["rank", "kind", "name"], kind="stable")
    return found[columns].reset_index(drop=True)


def best_connected(store, kinds: Iterable[str] = ("Account", "Site", "Target", "Identifier")) -> str | None:
    """The uid of the entity of ``kinds`` with the most edges (None in an empty store):
    where the Explorer opens on a store without campaigns."""
    best = None
    for kind in kinds:
        found = store.query(f"MATCH (n:{_kind(kind)})-[r]-() RETURN n.uid AS uid, count(r) AS degree "
                            "ORDER BY degree DESC, uid LIMIT 1")
        if not found.empty and (best is None or int(found.iloc[0]["degree"]) > best[1]):
            best = (str(found.iloc[0]["uid"]), int(found.iloc[0]["degree"]))
    return best[0] if best else None


def node(store, uid: str) -> dict | None:
    """Every schema property of one node, by uid."""
    from ..records import kind_of

    try:
        kind = kind_of(uid)
    except ValueError:
        return None
    props = list(SCHEMA.nodes[kind].properties)
    found = store.query(f"MATCH (n:{kind}) WHERE n.uid = $u RETURN " + ", ".join(f"n.{p} AS {p}" for p in props),
                        {"u": uid})
    if found.empty:
        return None
    row = {k: plain(v) for k, v in found.iloc[0].to_dict().items()}
    return {"kind": kind, **{k: v for k, v in row.items() if v not in (None, "")}}


@memoised
def neighbours(store, uid: str, kinds: Iterable[str] | None = None, since: int = 0, until: int = NEVER,
               limit: int = 100) -> tuple[pd.DataFrame, int]:
    """Nodes one step from ``uid`` (either direction, any edge kind), filtered by their
    kind and by the edge time (untimed edges always pass); at most ``limit`` rows,
    and the number of rows there are in all."""
    # Captures and case notes are shown on their own pages: not drawn unless asked for.
    kinds = [_kind(k) for k in (kinds or SCHEMA.drawn)]
    node_label, edge_label = store.kind_of("m"), store.kind_of("r", rel=True)
    direction = f"CASE WHEN {store.leaves('r', 'n')} THEN 'out' ELSE 'in' END"
    where = (f"WHERE n.uid = $uid AND {node_label} IN $kinds "
             "AND (r.time IS NULL OR (r.time >= $since AND r.time <= $until)) ")
    params = {"uid": uid, "kinds": kinds, "since": int(since), "until": int(until)}
    total = int(store.query("MATCH (n)-[r]-(m) " + where + "RETURN count(*) AS n", params).iloc[0, 0])
    name = "coalesce(" + ", ".join(f"m.{p}" for p in NAME_FIELDS) + ")"
    rows = store.query(
        "MATCH (n)-[r]-(m) " + where +
        f"RETURN r.uid AS edge, {edge_label} AS relation, {direction} AS direction, m.uid AS neighbour, "
        f"{node_label} AS kind, {name} AS name, r.time AS time, r.weight AS weight "
        "ORDER BY relation, neighbour, edge LIMIT $limit", params | {"limit": int(limit)})
    return rows, total


# -- console ------------------------------------------------------------------------
def run_named(store, name: str, params: dict, limits: Limits | None = None) -> pd.DataFrame:
    """A named query with parameters from the form (empty fields take the default)."""
    given = {k: v for k, v in params.items() if v not in (None, "")}
    return queries.run(store, name, limits=limits, **given)


def run_cypher(store, cypher: str) -> pd.DataFrame:
    """Free Cypher from the console, always read-only: it passes the query gate and
    runs within the time and row limits (:func:`graphinv.store.gate.default_limits`)."""
    return queries.run_cypher(store, cypher, write=False)


# -- watchlist ----------------------------------------------------------------------
# Not serving its own content: taken down, or failing at the last check.
WATCH_DOWN = DOWN_STATUSES


@memoised
def watchlist(store, active_only: bool = False) -> pd.DataFrame:
    """One row per Watch with its last check (the ``watchlist`` query)."""
    return run_named(store, "watchlist", {"active_only": active_only})


@memoised
def watch_changes(store, since: int = 0) -> pd.DataFrame:
    """The watch checks that saw a change, newest first (the ``watch_changes`` query)."""
    return run_named(store, "watch_changes", {"since": since})


@memoised
def evidence(store, uid: str) -> pd.DataFrame:
    """Observations and captures of an entity, newest first (the ``evidence`` query,
    one row per item)."""
    from ..capture.evidence import evidence as evidence_rows

    return evidence_rows(store, uid)


@memoised
def watch_checks(store, limit: int = 20000) -> pd.DataFrame:
    """Every check of every watched entity (source 'watch'), for the timeline."""
    return store.query(
        "MATCH (w:Watch)-[:WATCHES]->(e) MATCH (o:Observation)-[:OBSERVED]->(e) WHERE o.source = 'watch' "
        "RETURN w.entity AS entity, o.observed_at AS observed_at, o.status AS status, o.change AS change, "
        "o.http_status AS http_status, o.final_url AS final_url "
        "ORDER BY entity, observed_at LIMIT $limit", {"limit": int(limit)})


def lineage_members(store) -> set[str]:
    """The uids of every Site and Account in some lineage (a REAPPEARS_AS step)."""
    edges = reappearance_edges(store)
    return set(edges["predecessor"].dropna()) | set(edges["successor"].dropna()) if not edges.empty else set()


def limitations(analysis: str) -> str:
    """What an analysis cannot see, as its registry record says."""
    from ..analysis.registry import BY_NAME

    return BY_NAME[analysis].limitations

