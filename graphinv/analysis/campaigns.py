"""Campaigns: communities of the coordination network, with what they shared.

:func:`detect_campaigns` runs Leiden (igraph + leidenalg, seeded, weighted) on the
edges :func:`graphinv.analysis.coordination.detect_coordination` returns and gives
one row per account with its campaign index. :func:`summarise_campaigns` describes
each campaign from the share frame (and optionally a posts frame): members,
modalities, objects, time span, top URLs and domains, and evidence posts. Both are
pure functions over frames; storing Campaign nodes is the store step's job.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from graphinv.errors import InputError

COMMUNITY_COLUMNS = ["account", "campaign"]

SUMMARY_COLUMNS = [
    "campaign",
    "n_members",
    "members",
    "modalities",
    "n_objects",
    "n_shares",
    "first_time",
    "last_time",
    "top_urls",
    "top_domains",
    "evidence",
]


def detect_campaigns(
    edges: pd.DataFrame,
    *,
    weight: str | None = "weight",
    resolution: float = 1.0,
    seed: int = 0,
    min_size: int = 2,
    only_flagged: bool = False,
    n_iterations: int = -1,
) -> pd.DataFrame:
    """Leiden communities of the account network.

    Parameters
    ----------
    edges : DataFrame
        ``account``, ``account_y`` and the ``weight`` column (undirected; a
        directed CNT network is symmetrised by summing both directions).
    weight : str or None
        Edge weight column; None for unweighted.
    resolution : float
        Resolution of the modularity (RBConfiguration) quality; 1 is modularity.
    seed : int
        Seed for Leiden, so a run can be repeated exactly.
    min_size : int
        Communities smaller than this are not campaigns and are left out.
    only_flagged : bool
        Use only edges with ``weight_threshold == 1`` (CooRTweet's flag).
    n_iterations : int
        Leiden iterations; negative runs until the partition is stable.

    Returns
    -------
    DataFrame
        ``account, campaign``; campaign 0 is the largest, ties by first account.

    Examples
    --------
    Two triangles joined by one light edge are two campaigns:

    >>> e = pd.DataFrame({"account": ["a", "a", "b", "d", "d", "e", "c"],
    ...     "account_y": ["b", "c", "c", "e", "f", "f", "d"],
    ...     "weight": [5, 5, 5, 5, 5, 5, 1]})
    >>> detect_campaigns(e).groupby("campaign")["account"].apply(list).tolist()
    [['a', 'b', 'c'], ['d', 'e', 'f']]
    """
    import igraph as ig
    import leidenalg

    for column in ("account", "account_y"):
        if column not in edges:
            raise InputError(f"edges lack column {column!r}")
    if weight is not None and weight not in edges:
        raise InputError(f"edges lack weight column {weight!r}")
    if only_flagged:
        if "weight_threshold" not in edges:
            raise InputError("only_flagged needs the weight_threshold column")
        edges = edges[edges["weight_threshold"] == 1]
    edges = edges[edges["account"] != edges["account_y"]]
    if edges.empty:
        return pd.DataFrame({"account": pd.Series([], dtype=object), "campaign": pd.Series([], dtype="int64")})
    a = edges["account"].astype(str).to_numpy()
    b = edges["account_y"].astype(str).to_numpy()
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    w = edges[weight].to_numpy(dtype="float64") if weight is not None else np.ones(len(edges))
    # one undirected edge per pair, summing both directions of a directed network
    und = pd.DataFrame({"lo": lo, "hi": hi, "w": w}).groupby(["lo", "hi"], sort=True)["w"].sum()
    names, codes = np.unique(np.concatenate([und.index.get_level_values(0), und.index.get_level_values(1)]),
                             return_inverse=True)
    n = len(und)
    graph = ig.Graph(n=len(names), edges=list(zip(codes[:n].tolist(), codes[n:].tolist())))
    graph.es["weight"] = und.to_numpy()
    partition = leidenalg.find_partition(
        graph,
        leidenalg.RBConfigurationVertexPartition,
        weights="weight",
        resolution_parameter=resolution,
        seed=seed,
        n_iterations=n_iterations,
    )
    membership = np.asarray(partition.membership)
    frame = pd.DataFrame({"account": names, "community": membership})
    sizes = frame.groupby("community").agg(size=("account", "size"), first=("account", "min"))
    sizes = sizes[sizes["size"] >= min_size].sort_values(["size", "first"], ascending=[False, True])
    index = pd.Series(np.arange(len(sizes)), index=sizes.index)
    frame = frame[frame["community"].isin(sizes.index)]
    frame = frame.assign(campaign=frame["community"].map(index).astype("int64"))
    return frame[COMMUNITY_COLUMNS].sort_values(["campaign", "account"], ignore_index=True)


def _domain(url: str) -> str | None:
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def _top(values: pd.Series, k: int) -> list:
    """The ``k`` most frequent values, ties in first-seen order."""
    counts = values.value_counts(sort=False)
    order = pd.Series(np.arange(len(counts)), index=counts.index)
    frame = pd.DataFrame({"n": counts, "seen": order}).sort_values(["n", "seen"], ascending=[False, True])
    return [(str(v), int(n)) for v, n in frame["n"].head(k).items()]


def summarise_campaigns(
    communities: pd.DataFrame,
    shares: pd.DataFrame,
    posts: pd.DataFrame | None = None,
    *,
    pairs: pd.DataFrame | None = None,
    url_modalities: tuple[str, ...] = ("url",),
    top: int = 10,
    evidence: int = 20,
) -> pd.DataFrame:
    """One row per campaign describing what its members shared together.

    A campaign's *coordinated shares* are its members' co-shares: the rows of
    ``pairs`` (from ``detect_coordination``) whose two accounts are both members,
    when ``pairs`` is given; otherwise members' shares of objects that at least two
    distinct members shared (no time window applied).

    Parameters
    ----------
    communities : DataFrame
        ``account, campaign`` from :func:`detect_campaigns`.
    shares : DataFrame
        The share frame the network was built from.
    posts : DataFrame, optional
        ``content`` plus any of ``text``, ``url``; evidence posts get those fields.
    pairs : DataFrame, optional
        Co-share pairs to restrict the shares to the coordinated ones.
    url_modalities : tuple of str
        Modalities whose objects are URLs (for top URLs and domains).
    top : int
        How many URLs and domains to list.
    evidence : int
        How many evidence posts per campaign: the first act on each object, then the
        second on each, and so on; listed earliest first.

    Returns
    -------
    DataFrame
        :data:`SUMMARY_COLUMNS`. ``top_urls``/``top_domains`` are lists of
        ``(value, shares)``; ``evidence`` is a list of dicts with ``content``,
        ``account``, ``time``, ``modality``, ``object`` (and post fields).

    Examples
    --------
    >>> c = pd.DataFrame({"account": ["a", "b"], "campaign": [0, 0]})
    >>> s = pd.DataFrame({"account": ["a", "b", "c"], "object": ["https://x.org/1"] * 3,
    ...     "content": ["p1", "p2", "p3"], "time": [0, 5, 9], "modality": "url"})
    >>> row = summarise_campaigns(c, s).iloc[0]
    >>> int(row.n_members), row.top_domains, [e["content"] for e in row.evidence]
    (2, [('x.org', 2)], ['p1', 'p2'])
    """
    for column in ("account", "campaign"):
        if column not in communities:
            raise InputError(f"communities lack column {column!r}")
    missing = [c for c in ("account", "object", "content", "time") if c not in shares]
    if missing:
        raise InputError(f"share frame lacks column(s): {', '.join(missing)}")
    if "modality" not in shares:
        shares = shares.assign(modality="share")
    member_of = communities.set_index("account")["campaign"]
    mine = shares[shares["account"].isin(member_of.index)].copy()
    mine["campaign"] = mine["account"].map(member_of)

    if pairs is not None and not pairs.empty:
        both = pairs["account"].map(member_of)
        same = both.notna() & (both == pairs["account_y"].map(member_of))
        p = pairs[same]
        keys = pd.concat(
            [
                p[["modality", "object", "content"]],
                p[["modality", "object", "content_y"]].rename(columns={"content_y": "content"}),
            ]
        ).drop_duplicates()
        mine = mine.merge(keys, on=["modality", "object", "content"], how="inner")
    elif pairs is None:
        distinct = mine.groupby(["campaign", "modality", "object"])["account"].transform("nunique")
        mine = mine[distinct >= 2]
    else:
        mine = mine.iloc[0:0]

    if posts is not None:
        if "content" not in posts:
            raise InputError("posts lack column 'content'")
        extra = [c for c in ("text", "url") if c in posts]
        post_fields = posts.drop_duplicates("content").set_index("content")[extra]
    else:
        post_fields = None

    rows = []
    members = communities.groupby("campaign")["account"].apply(lambda s: sorted(s.astype(str)))
    for campaign, accounts in members.items():
        own = mine[mine["campaign"] == campaign].sort_values(["time", "content"], kind="stable")
        urls = own[own["modality"].isin(url_modalities)]["object"].astype(str)
        domains = urls.map(_domain).dropna()
        # Every object before a second act on any: a repost raid's first 20 acts are often
        # all on one or two posts, and the evidence must show each thing that was pushed.
        acts = own.drop_duplicates("content")
        acts = acts.assign(_nth=acts.groupby(["modality", "object"]).cumcount())
        ev = acts.sort_values(["_nth", "time", "content"], kind="stable").head(evidence) \
            .sort_values(["time", "content"], kind="stable")
        ev_rows = [
            {
                "content": str(r.content),
                "account": str(r.account),
                "time": int(r.time),
                "modality": str(r.modality),
                "object": str(r.object),
            }
            for r in ev.itertuples(index=False)
        ]
        if post_fields is not None:
            for item in ev_rows:
                if item["content"] in post_fields.index:
                    item.update({k: v for k, v in post_fields.loc[item["content"]].items() if pd.notna(v)})
        rows.append(
            {
                "campaign": int(campaign),
                "n_members": len(accounts),
                "members": accounts,
                "modalities": sorted(own["modality"].astype(str).unique().tolist()),
                "n_objects": int(own[["modality", "object"]].drop_duplicates().shape[0]),
                "n_shares": int(len(own)),
                "first_time": int(own["time"].min()) if len(own) else None,
                "last_time": int(own["time"].max()) if len(own) else None,
                "top_urls": _top(urls, top),
                "top_domains": _top(domains, top),
                "evidence": ev_rows,
            }
        )
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in SUMMARY_COLUMNS})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
