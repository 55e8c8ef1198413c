"""The coordination analysis of ``graphinv analyze``: coordination and campaigns in a store.

:func:`read` takes the share rows out of the graph (one row per action of an account
on an object, per modality); :func:`compute` (pure) builds the share frame, runs
:func:`~.coortweet.detect_coordination` and the campaigns of
:mod:`graphinv.analysis.campaigns`; :func:`write` replaces COORDINATED_WITH, Campaign,
MEMBER_OF and EVIDENCE. So the store holds the results of the last run only, with the
parameters of that run on every Campaign (``params``) and on every result edge
(``analysis_run``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from ...errors import InputError
from ...records import campaign_uid
from ..campaigns import detect_campaigns, summarise_campaigns
from ..runs import AnalysisRun, jsonable, params_json, start_run, with_overrides
from .coortweet import coshare_pairs, detect_coordination
from .kernel import SHARE_COLUMNS, CoordinationResult, empty_pairs, encode_shares
from .significance import keep_significant, score_pairs
from .objects import hashtag_sequence_objects, image_hash_objects, near_duplicate_objects

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
# An author is the campaign's voice when its members are this share of its audience.
EXCLUSIVE = 0.8
# Who wrote each reposted post: the account a raid amplifies never co-shares itself.
_AUTHORS = ("MATCH (a:Account)-[:POSTED]->(p:Post)<-[:REPOSTED]-(:Account) "
            "RETURN DISTINCT p.uid AS object, a.uid AS author")
# The texts and links of the posts a campaign's summary quotes.
_CAMPAIGN_POSTS = ("MATCH (p:Post) WHERE p.text IS NOT NULL AND p.platform <> 'web' "
                   "RETURN p.uid AS content, p.text AS text, p.url AS url")


@dataclass(frozen=True)
class CoordinationParams:
    """Parameters of coordination (see :func:`~.coortweet.detect_coordination`), of the
    share objects and of the campaigns (Leiden ``resolution`` and ``seed``)."""

    window: int | str = 60
    min_participation: int = 2
    edge_weight: float = 0.5
    fast_window: int | None = None
    near_text_threshold: float = 0.8
    image_max_distance: int = 6
    modalities: tuple[str, ...] = MODALITIES
    min_text_chars: int = 20
    # Significance of an edge (see .significance): repeated co-action on at least
    # min_objects distinct objects, unlikely by chance at false discovery rate alpha.
    min_objects: int = 2
    alpha: float = 0.2  # a liberal screen: the campaign's cohesion below is the second test
    min_amplified_posts: int = 1
    # A campaign is a group acting together: each member co-acts beyond chance with at
    # least min_cohesion of the others, and there are at least min_campaign_size.
    min_campaign_size: int = 3
    min_cohesion: float = 0.5
    resolution: float = 1.0
    seed: int = 0
    # "local" (in process) or "spark" (.spark: the same results, computed on Spark; the
    # session spark-submit made, else a local one)
    engine: str = "local"


@dataclass(frozen=True)
class CoordinationAnalysis:
    """What :func:`compute` found: the share frame, the network, the campaigns, the run."""

    shares: pd.DataFrame
    coordination: CoordinationResult
    communities: pd.DataFrame
    summary: pd.DataFrame
    run: AnalysisRun
    amplified: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["account", "campaign", "posts"]))


def read_shares(store, params: CoordinationParams) -> dict:
    """The raw share rows of the wanted modalities (``posts`` for text and near_text)."""
    wanted = set(params.modalities)
    names = [m for m in ("repost", "url") if m in wanted] + (["posts"] if wanted & {"text", "near_text"} else []) \
        + [m for m in ("image", "hashtags") if m in wanted]
    return {name: store.query(_SHARE_QUERIES[name]) for name in names}


def read(store, params: CoordinationParams) -> dict:
    """The frames :func:`compute` needs: the raw share rows and the campaigns' posts."""
    return read_shares(store, params) | {"campaign_posts": store.query(_CAMPAIGN_POSTS),
                                         "authors": store.query(_AUTHORS)}


def share_frame_from(frames: dict, params: CoordinationParams) -> pd.DataFrame:
    """Every account action on an object, per modality, from the raw rows of :func:`read_shares`."""
    parts = []
    wanted = set(params.modalities)
    for modality in ("repost", "url"):
        if modality in wanted:
            parts.append(frames[modality].assign(modality=modality))
    if wanted & {"text", "near_text"}:
        posts = frames["posts"]
        # Short texts ("lol", "+1") match by chance; they are not evidence of a script.
        posts = posts[posts["text"].fillna("").str.len() >= params.min_text_chars]
        if "text" in wanted and not posts.empty:
            parts.append(posts.assign(object=posts["text_hash"], modality="text")
                         [["account", "object", "content", "time", "modality"]])
        if "near_text" in wanted and not posts.empty:
            objects = near_duplicate_objects(posts["text"].tolist(), params.near_text_threshold)
            near = posts.assign(object=objects, modality="near_text").dropna(subset=["object"])
            parts.append(near[["account", "object", "content", "time", "modality"]])
    if "image" in wanted:
        images = frames["image"]
        if not images.empty:
            images = images.assign(object=image_hash_objects(images["phash"].tolist(), params.image_max_distance),
                                   modality="image").dropna(subset=["object"])
            parts.append(images[["account", "object", "content", "time", "modality"]])
    if "hashtags" in wanted:
        tags = frames["hashtags"]
        if not tags.empty:
            tags = tags.sort_values(["content", "position"])
            seqs = tags.groupby(["account", "content", "time"], sort=False)["tag"].apply(list).reset_index()
            seqs = seqs.assign(object=hashtag_sequence_objects(seqs["tag"].tolist(), seqs["time"].tolist()),
                               modality="hashtags").dropna(subset=["object"])
            parts.append(seqs[["account", "object", "content", "time", "modality"]])
    parts = [f for f in parts if not f.empty]
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in SHARE_COLUMNS})
    shares = pd.concat(parts, ignore_index=True)
    shares["time"] = shares["time"].astype("int64")
    # A store returns rows in no fixed order, and pair orientation (hence CooRTweet's
    # symmetry score) follows row order: one order, so two runs write the same results.
    return shares.sort_values(["time", "account", "object", "content", "modality"], kind="stable",
                              ignore_index=True)


def share_frame(store, params: CoordinationParams | None = None) -> pd.DataFrame:
    """Every account action on an object, per modality, from the graph."""
    params = params or CoordinationParams()
    return share_frame_from(read_shares(store, params), params)


def compute(frames: dict, params: CoordinationParams) -> CoordinationAnalysis:
    """Coordination and campaigns among ``frames`` (from :func:`read`); pure."""
    shares = share_frame_from(frames, params)
    coded = encode_shares(shares)
    # The network without its pair table: on swarm data (hundreds of accounts posting
    # each text in one second) the pairs outnumber the edges by far.
    if params.engine == "spark":
        from .spark import detect_coordination as detect_on_spark

        result = detect_on_spark(shares, params.window, params.min_participation, params.edge_weight,
                                 fast_window=params.fast_window)
    elif params.engine == "local":
        result = detect_coordination(coded, params.window, params.min_participation, params.edge_weight,
                                     fast_window=params.fast_window, keep_pairs=False)
    else:
        raise InputError(f"unknown coordination engine {params.engine!r}; use local or spark")
    # Campaigns are built from the edges that are coordination, not chance (one co-share
    # of a viral post is not evidence; see .significance).
    authors = frames.get("authors")
    audiences = authors.drop_duplicates("object").set_index("object")["author"] \
        if authors is not None and not authors.empty else None
    tested = score_pairs(result.modality_edges, shares, window=result.window, min_objects=params.min_objects,
                         alpha=params.alpha, audiences=audiences)
    kept = keep_significant(result.edges, tested)
    communities = cohesive(detect_campaigns(kept, resolution=params.resolution, seed=params.seed), kept,
                           params.min_campaign_size, params.min_cohesion)

    def pairs_of(accounts):  # the pairs a campaign's members take part in, and only those
        if len(accounts) == 0:
            return empty_pairs(params.fast_window is not None)
        return coshare_pairs(coded, result.window, params.min_participation, accounts=accounts,
                             fast_window=params.fast_window)

    pairs = pairs_of(communities["account"].unique())
    amplified = amplified_accounts(communities, pairs, shares, authors, params.min_amplified_posts)
    if not amplified.empty:
        members = set(communities["account"])
        communities = voice_pushers(communities, amplified, pairs, authors, params.min_objects)
        # the pushers' pairs among themselves, for the campaigns' evidence
        joined = sorted(set(communities["account"]) - members)
        if joined:
            pairs = pd.concat([pairs, pairs_of(joined)]).drop_duplicates(ignore_index=True)
    summary = summarise_campaigns(communities, shares, frames["campaign_posts"], pairs=pairs)
    # "auto" is recorded as the window it settled on.
    run = start_run("coordination", params, window=result.window)
    stats = {"candidate_edges": len(result.edges), "significant_edges": len(kept)}
    result = replace(result, edges=kept, stats=result.stats | stats)
    return CoordinationAnalysis(shares, result, communities, summary, run, amplified)


def amplified_accounts(communities: pd.DataFrame, pairs: pd.DataFrame, shares: pd.DataFrame,
                       authors: pd.DataFrame | None, min_posts: int = 1) -> pd.DataFrame:
    """The accounts whose posts a campaign pushes: authors of at least ``min_posts``
    posts that at least half of the campaign's members reposted within the window of
    one another, and whose audience (the accounts that reposted any of its posts) is
    nearly all the campaign's (``EXCLUSIVE``: a popular account whose posts the members
    retweet as cover has an audience of its own). They never co-share (they
    post), so the network cannot find them; they are the operation's voice. Columns:
    account, campaign, posts.

    >>> communities = pd.DataFrame({"account": ["r1", "r2", "r3"], "campaign": [0, 0, 0]})
    >>> pairs = pd.DataFrame({"modality": "repost", "account": ["r1", "r1", "r2", "r1"],
    ...                       "account_y": ["r2", "r3", "r3", "r2"], "object": ["p1", "p1", "p1", "news"]})
    >>> shares = pd.DataFrame({"modality": "repost", "account": ["r1", "r2", "r3", "r1", "r2", "u1", "u2", "u3"],
    ...                        "object": ["p1", "p1", "p1", "news", "news", "news", "news", "news"]})
    >>> authors = pd.DataFrame({"object": ["p1", "news"], "author": ["voice", "paper"]})
    >>> amplified_accounts(communities, pairs, shares, authors).values.tolist()
    [['voice', 0, 1]]
    >>> amplified_accounts(communities, pairs.assign(modality="hashtags"), shares, authors).empty
    True
    """
    empty = pd.DataFrame(columns=["account", "campaign", "posts"])
    if authors is None or authors.empty or communities.empty or pairs.empty:
        return empty
    member_of = communities.set_index("account")["campaign"]
    size = communities.groupby("campaign").size()
    reposts = pairs[pairs["modality"] == "repost"]
    if reposts.empty:  # a campaign of other modalities only pushes no one's posts
        return empty
    camp_x, camp_y = reposts["account"].map(member_of), reposts["account_y"].map(member_of)
    inside = reposts[camp_x.notna() & (camp_x == camp_y)].assign(campaign=camp_x)
    together = pd.concat([inside[["campaign", "object", "account"]],
                          inside[["campaign", "object", "account_y"]].rename(columns={"account_y": "account"})])
    pushers = together.drop_duplicates().groupby(["campaign", "object"]).size().rename("pushers").reset_index()
    pushed = pushers[pushers["pushers"] * 2 >= pushers["campaign"].map(size)]
    # The author's audience: everyone who reposted any of its posts.
    sharers = shares[shares["modality"] == "repost"][["account", "object"]].merge(authors, on="object")
    sharers = sharers[["account", "author"]].drop_duplicates()
    sharers = sharers.assign(campaign=sharers["account"].map(member_of))
    counts = sharers.groupby("author").agg(all=("account", "size"), ours=("campaign", "count"))
    # Of the whole audience, how much acts in any campaign: a raid split in two (its core,
    # its cover bots) still shares one voice, and a local paper the bots retweet as cover
    # keeps its own readers.
    pushed = pushed.merge(authors, on="object")
    pushed = pushed[pushed["author"].map(counts["ours"] >= EXCLUSIVE * counts["all"]).fillna(False).astype(bool)]
    if pushed.empty:
        return empty
    per_author = pushed.groupby(["campaign", "author"]).size().rename("posts").reset_index()
    keep = (per_author["posts"] >= min_posts) & ~per_author["author"].isin(member_of.index)
    out = per_author[keep].rename(columns={"author": "account"})[["account", "campaign", "posts"]]
    out["campaign"] = out["campaign"].astype(communities["campaign"].dtype)
    return out.reset_index(drop=True)


def voice_pushers(communities: pd.DataFrame, amplified: pd.DataFrame, pairs: pd.DataFrame,
                  authors: pd.DataFrame, min_posts: int = 2) -> pd.DataFrame:
    """The campaigns with the accounts that pushed their voice alongside the members:
    reposted at least ``min_posts`` of an amplified account's posts within the window of
    a member's repost. A voice's audience is nearly all the campaign's (see
    :func:`amplified_accounts`), so pushing it with the campaign, again and again, is
    taking part; it also brings back the raid's hyperactive bots, whose co-actions with
    any one account chance alone could explain (they retweet everything popular).

    >>> communities = pd.DataFrame({"account": ["r1", "r2", "r3"], "campaign": [0, 0, 0]})
    >>> amplified = pd.DataFrame({"account": ["voice"], "campaign": [0], "posts": [2]})
    >>> pairs = pd.DataFrame({"modality": "repost", "account": ["r1", "bot", "bot", "fan"],
    ...                       "account_y": ["r2", "r1", "r2", "r3"], "object": ["p1", "p1", "p2", "p2"]})
    >>> authors = pd.DataFrame({"object": ["p1", "p2"], "author": "voice"})
    >>> voice_pushers(communities, amplified, pairs, authors)["account"].tolist()
    ['r1', 'r2', 'r3', 'bot']
    """
    member_of = communities.set_index("account")["campaign"]
    # A voice two campaigns push belongs to the one that pushed most of its posts.
    voice_of = amplified.sort_values("posts", ascending=False, kind="stable").drop_duplicates("account") \
        .set_index("account")["campaign"]
    reposts = pairs[pairs["modality"] == "repost"].merge(authors, on="object")
    reposts = reposts.assign(voice_campaign=reposts["author"].map(voice_of)).dropna(subset=["voice_campaign"])
    added = []
    for own, other in (("account", "account_y"), ("account_y", "account")):
        with_member = reposts[own].map(member_of).eq(reposts["voice_campaign"])
        joined = reposts[with_member & reposts[other].map(member_of).isna()]
        added.append(joined[[other, "voice_campaign", "object"]].set_axis(["account", "campaign", "object"], axis=1))
    added = pd.concat(added).drop_duplicates()
    counts = added.groupby(["account", "campaign"])["object"].nunique().reset_index()
    # An account that pushed two campaigns' voices joins the one it pushed most.
    counts = counts[counts["object"] >= min_posts].sort_values("object", ascending=False, kind="stable") \
        .drop_duplicates("account").drop(columns="object")
    if counts.empty:
        return communities
    counts["campaign"] = counts["campaign"].astype(communities["campaign"].dtype)
    counts = counts[~counts["account"].isin(voice_of.index)]
    return pd.concat([communities, counts[list(communities.columns)]], ignore_index=True)


def cohesive(communities: pd.DataFrame, edges: pd.DataFrame, min_size: int = 3,
             min_cohesion: float = 0.5) -> pd.DataFrame:
    """The communities as groups that act together: members joined by significant edges
    to fewer than ``min_cohesion`` of the other members are dropped, one at a time (the
    weakest first), and groups left with fewer than ``min_size`` members are dropped.

    Leiden puts an account in the community it is most tied to, even by one edge: an
    ordinary account that co-retweeted twice with a raid's cover bots joins the raid.
    A raid's members co-act with (nearly) all the others; such an account does not.

    >>> communities = pd.DataFrame({"account": list("abcdf"), "campaign": 0})
    >>> edges = pd.DataFrame({"account": list("aaabbc") + ["d"], "account_y": list("bcdcdd") + ["f"]})
    >>> cohesive(communities, edges)["account"].tolist()
    ['a', 'b', 'c', 'd']
    """
    if communities.empty:
        return communities
    pairs = set(zip(edges["account"], edges["account_y"])) | set(zip(edges["account_y"], edges["account"])) \
        if not edges.empty else set()
    kept = []
    for campaign, members in communities.groupby("campaign", sort=True)["account"]:
        group = set(members)
        while len(group) >= min_size:
            degree = {m: sum((m, o) in pairs for o in group if o != m) for m in group}
            weakest = min(group, key=lambda m: (degree[m], m))
            if degree[weakest] >= min_cohesion * (len(group) - 1):
                break
            group.discard(weakest)
        if len(group) >= min_size:
            kept.append(communities[(communities["campaign"] == campaign) & communities["account"].isin(group)])
    if not kept:
        return communities.iloc[0:0]
    return pd.concat(kept).reset_index(drop=True)


def campaign_support(communities: pd.DataFrame, edges: pd.DataFrame, window: int) -> dict:
    """Per campaign: its confidence (the share of its member pairs joined by a significant
    edge: 1 when every member co-acted with every other beyond chance) and the reasons,
    in plain words.

    >>> communities = pd.DataFrame({"account": ["a", "b", "c"], "campaign": [0, 0, 0]})
    >>> edges = pd.DataFrame({"account": ["a", "a"], "account_y": ["b", "c"], "objects": [4, 3],
    ...                       "expected": [0.1, 0.2], "p_value": [1e-6, 1e-4]})
    >>> confidence, reasons = campaign_support(communities, edges, 60)[0]
    >>> round(confidence, 2), reasons[0]
    (0.67, '3 accounts; 2 of their 3 pairs co-acted beyond chance')
    """
    out = {}
    if communities.empty:
        return out
    member_of = communities.set_index("account")["campaign"]
    inside = edges[edges["account"].map(member_of).eq(edges["account_y"].map(member_of))] if not edges.empty \
        else edges
    for campaign, members in communities.groupby("campaign")["account"]:
        n = len(members)
        own = inside[inside["account"].map(member_of) == campaign] if not inside.empty else inside
        pairs = n * (n - 1) // 2
        confidence = round(len(own) / pairs, 3) if pairs else 0.0
        reasons = [f"{n} accounts; {len(own)} of their {pairs} pairs co-acted beyond chance"]
        if not own.empty:
            reasons.append(f"a pair co-acted on {int(own['objects'].median())} distinct objects within {window} s "
                           f"(median; {own['expected'].median():.2g} expected by chance)")
            reasons.append(f"strongest pair: {int(own['objects'].max())} objects, "
                           f"p = {own['p_value'].min():.1e}")
        out[campaign] = (confidence, reasons)
    return out


def write(store, found: CoordinationAnalysis) -> dict:
    """Replace the previous coordination results in ``store``; the run's summary."""
    result, communities, summary, run = found.coordination, found.communities, found.summary, found.run
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
            "symmetry": edges["edge_symmetry_score"].astype(float), "objects": edges["objects"].astype("int64"),
            "expected": edges["expected"].astype(float), "p_value": edges["p_value"].astype(float),
            "analysis_run": run.id}))
    if not summary.empty:
        # A long list in the stats (capped objects) is kept as its count and first 20.
        recorded = params_json(run, stats=jsonable(result.stats, max_items=20))
        rows = []
        support = campaign_support(communities, edges, result.window)
        for row in summary.itertuples(index=False):
            confidence, reasons = support.get(row.campaign, (0.0, []))
            rows.append({"uid": campaign_uid(row.campaign), "label": _label(row), "size": row.n_members,
                         "modalities": row.modalities, "first_time": row.first_time, "last_time": row.last_time,
                         "top_urls": [u for u, _ in row.top_urls], "top_domains": [d for d, _ in row.top_domains],
                         "objects": row.n_objects, "confidence": confidence, "reasons": reasons,
                         "params": recorded})
        store.upsert_nodes("Campaign", pd.DataFrame(rows))
        degree = result.nodes.set_index("account")["strength"] if not result.nodes.empty else pd.Series(dtype=float)
        store.upsert_edges("MEMBER_OF", pd.DataFrame({
            "src": communities["account"], "dst": communities["campaign"].map(campaign_uid),
            "role": "member", "degree": communities["account"].map(degree).astype(float), "analysis_run": run.id}))
        amplified = found.amplified
        if not amplified.empty:
            store.upsert_edges("MEMBER_OF", pd.DataFrame({
                "src": amplified["account"], "dst": amplified["campaign"].map(campaign_uid), "role": "amplified",
                "degree": 0.0, "analysis_run": run.id}))
        # The evidence of a repost is the post that was pushed (the repost itself is an
        # edge); of the other modalities, the post that carried the share.
        evidence = [{"src": campaign_uid(row.campaign), "dst": post, "time": item["time"],
                     "modality": item["modality"], "analysis_run": run.id}
                    for row in summary.itertuples(index=False) for item in row.evidence
                    for post in [item["content"] if item["content"].startswith("post:") else item["object"]]
                    if post.startswith("post:")]
        if evidence:
            store.upsert_edges("EVIDENCE", pd.DataFrame(evidence).drop_duplicates(["src", "dst"]))
        _write_campaign_targets(store)
    return {"shares": len(found.shares), "window": result.window, "accounts": edges_accounts(result.edges),
            "candidate_edges": result.stats["candidate_edges"], "edges": len(result.edges),
            "campaigns": len(summary), "amplified": len(found.amplified), "analysis_run": run.id,
            "capped_objects": len(result.stats.get("capped_objects", []) or [])}


def analyze(store, params: CoordinationParams | None = None, **overrides) -> dict:
    """Detect coordination and campaigns and replace the previous results in the store."""
    params = with_overrides(CoordinationParams, params, overrides, "coordination")
    return write(store, compute(read(store, params), params))


# Whom a campaign attacks: the Targets its evidence posts (what members posted or pushed)
# target or mention, directly or through one of the Target's real accounts.
_CAMPAIGN_TARGETS = (
    "MATCH (c:Campaign)-[:EVIDENCE]->(p:Post)-[:TARGETS]->(t:Target) RETURN DISTINCT c.uid AS src, t.uid AS dst",
    "MATCH (c:Campaign)-[:EVIDENCE]->(p:Post)-[:MENTIONS]->(t:Target) RETURN DISTINCT c.uid AS src, t.uid AS dst",
    "MATCH (c:Campaign)-[:EVIDENCE]->(p:Post)-[:MENTIONS]->(a:Account) MATCH (t:Target) "
    "WHERE a.uid IN t.accounts RETURN DISTINCT c.uid AS src, t.uid AS dst",
)


def _write_campaign_targets(store) -> None:
    pairs = pd.concat([store.query(q) for q in _CAMPAIGN_TARGETS], ignore_index=True).drop_duplicates()
    # Deleting the previous Campaign nodes (DETACH) removed their TARGETS edges.
    if not pairs.empty:
        store.upsert_edges("TARGETS", pairs)


def edges_accounts(edges: pd.DataFrame) -> int:
    """Accounts on at least one edge."""
    return len(set(edges["account"]) | set(edges["account_y"])) if not edges.empty else 0


def _label(row) -> str:
    kinds = ", ".join(row.modalities) or "shares"
    return f"{row.n_members} accounts · {kinds}"
