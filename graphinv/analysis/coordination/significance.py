"""Which co-action edges are coordination and not chance: repeated co-action across
distinct objects, tested against a popularity null model.

CooRTweet's network (``detect_coordination``) has an edge for every pair of accounts
that acted on the same object within the window, once is enough. On real timelines
most of those edges are chance: a viral post is retweeted by hundreds within minutes,
so ordinary accounts co-retweet it seconds apart, and a bot that retweets every popular
post (cover for a raid) co-acts with many ordinary accounts once or twice. Building
campaigns from all edges names those ordinary accounts.

An edge is kept when the pair co-acted on ``min_objects`` or more distinct objects and
that count is unlikely under a null model where accounts pick objects independently in
proportion to the objects' popularity (the bipartite configuration model: account a
acts on object o with probability ``min(1, d_a * n_o / S)``, where ``d_a`` is a's
number of objects, ``n_o`` the number of accounts acting on o and ``S`` the number of
account-object actions) and act on it at a time drawn from the object's own actions
(``p_o``: the share of o's pairs of actions within the window; 1 for a burst, small for
a post retweeted through the day). The expected number of objects two accounts co-act
on within the window, ``λ = Σ_o min(1, d_a n_o / S) · min(1, d_b n_o / S) · p_o``, is
dominated by the popular bursts, so co-retweeting viral posts is expected of active
accounts, while a bot that retweets every popular post within a minute of it going up
co-acts with its fellow bots far more often than chance. The count of objects
co-acted within the window is compared with a Poisson(λ) tail; an edge is significant when that tail probability is
below ``alpha`` after a Benjamini–Hochberg correction over every tested pair.

Accounts a and b co-act on six rare posts; c and d, like forty others, retweet one
viral post (c and d seconds apart): only a–b is kept.

>>> import pandas as pd
>>> rare = [f"p{i}" for i in range(6)]
>>> shares = pd.DataFrame({"modality": "repost",
...                        "account": ["a"] * 6 + ["b"] * 6 + ["c", "d"] + [f"u{i}" for i in range(40)],
...                        "object": rare + rare + ["v"] * 42})
>>> co_acted = pd.DataFrame({"modality": "repost", "account": ["a", "c"], "account_y": ["b", "d"],
...                          "objects": [6, 1]})
>>> score_pairs(co_acted, shares)[["account", "account_y", "objects", "significant"]].values.tolist()
[['a', 'b', 6, True], ['c', 'd', 1, False]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TESTED_COLUMNS = ("account", "account_y", "objects", "expected", "p_value", "q_value", "significant")


def score_pairs(co_acted: pd.DataFrame, shares: pd.DataFrame, *, window: int = 60, min_objects: int = 2,
                alpha: float = 0.01, audiences: pd.Series | None = None) -> pd.DataFrame:
    """One row per co-acting pair: distinct objects co-acted within the window in its
    strongest modality (``objects``), the chance expectation there (``expected``), the
    Poisson tail corrected for the modalities tried (``p_value``), its
    Benjamini–Hochberg value over every pair (``q_value``) and ``significant``.

    Each modality is tested on its own (one post matched by text, near-text and link is
    one co-action in each, not three in one), and a pair is as strong as its strongest
    modality, its p-value multiplied by the number of modalities it was tested in.

    ``co_acted`` has one row per modality and account pair that co-shared (modality,
    account, account_y, objects: the distinct objects; CooRTweet's
    ``CoordinationResult.modality_edges``), the smaller uid first; ``shares`` every
    action (modality, object, account, time). ``audiences`` maps a reposted object to its author: an
    object's popularity is then its author's audience (every account that reposted any
    of the author's posts), since the fans of a popular account repost its posts
    because they follow it, not by chance; a raid's voice has no audience but the raid.
    """
    if co_acted.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TESTED_COLUMNS})
    parts = []
    for modality, part in co_acted.groupby("modality", sort=True):
        own = shares[shares["modality"] == modality]
        parts.append(_score_modality(part, own, window, audiences if modality == "repost" else None))
    every = pd.concat(parts, ignore_index=True)
    tried = every.groupby(["account", "account_y"])["p_value"].transform("size")
    every["p_value"] = np.minimum(1.0, every["p_value"] * tried)
    best = every.sort_values(["p_value", "objects"], ascending=[True, False], kind="stable") \
        .drop_duplicates(["account", "account_y"]).sort_values(["account", "account_y"]).reset_index(drop=True)
    best["q_value"] = _benjamini_hochberg(best["p_value"].to_numpy())
    best["significant"] = (best["objects"] >= min_objects) & (best["q_value"] <= alpha)
    return best[list(TESTED_COLUMNS)]


def _score_modality(co_acted: pd.DataFrame, shares: pd.DataFrame, window: int,
                    audiences: pd.Series | None) -> pd.DataFrame:
    """objects, expected and the raw Poisson tail of each pair, within one modality."""
    from scipy.stats import poisson

    acts = pd.DataFrame({"account": shares["account"].to_numpy(), "key": shares["object"].astype(str).to_numpy(),
                         "time": shares["time"].to_numpy(dtype="int64") if "time" in shares else 0})
    # Each account's first action on an object.
    acts = acts.sort_values("time", kind="stable").drop_duplicates(["account", "key"])
    degree = acts.groupby("account").size()
    audience = acts["key"]
    if audiences is not None and not audiences.empty:
        author = acts["key"].map(audiences)
        audience = ("author\x1f" + author.astype(str)).where(author.notna(), acts["key"])
    reach = pd.DataFrame({"key": acts["key"].to_numpy(), "audience": audience.to_numpy(),
                          "account": acts["account"].to_numpy()})
    audience_size = reach.drop_duplicates(["audience", "account"]).groupby("audience").size()
    n_per_key = reach.drop_duplicates("key").set_index("key")["audience"].map(audience_size).astype(float)
    per_object = pd.DataFrame({"n": n_per_key, "p": within_window_share(acts, window)}).sort_values(
        "n", kind="stable")
    total = float(len(acts))

    tested = co_acted[["account", "account_y", "objects"]].sort_values(["account", "account_y"], ignore_index=True)
    d_a = tested["account"].map(degree).to_numpy(dtype=float)
    d_b = tested["account_y"].map(degree).to_numpy(dtype=float)
    expected = _expected_common(np.minimum(d_a, d_b), np.maximum(d_a, d_b), per_object["n"].to_numpy(),
                                per_object["p"].to_numpy(), total)
    tested["expected"] = expected
    tested["p_value"] = poisson.sf(tested["objects"].to_numpy() - 1, expected)
    return tested


def within_window_share(acts: pd.DataFrame, window: int) -> pd.Series:
    """Per object (``key``), the share of its pairs of actions that fall within ``window``
    seconds of each other: 1 for a burst, near 0 for a post retweeted over a day."""
    acts = acts.sort_values(["key", "time"], kind="stable")
    codes, keys = pd.factorize(acts["key"], sort=False)
    times = acts["time"].to_numpy(dtype="int64")
    times = times - times.min() if len(times) else times
    span = int(times.max()) + int(window) + 1 if len(times) else 1
    combined = codes.astype("int64") * span + times
    ahead = np.searchsorted(combined, combined + int(window), side="right") - np.arange(len(combined)) - 1
    close = np.bincount(codes, weights=ahead, minlength=len(keys))
    n = np.bincount(codes, minlength=len(keys)).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n > 1, close / (n * (n - 1) / 2), 0.0)
    return pd.Series(share, index=keys)


def _expected_common(d_small: np.ndarray, d_large: np.ndarray, n: np.ndarray, p: np.ndarray,
                     total: float) -> np.ndarray:
    """Σ_o min(1, d_a n_o / S) · min(1, d_b n_o / S) · p_o for every pair at once (``n``
    sorted, ``p`` in the same order).

    An account acts on an object at most once, so each probability is capped at 1;
    prefix sums of p, n·p and n²·p over the sorted popularities give the three ranges.
    """
    count = len(n)
    s0 = np.concatenate([[0.0], np.cumsum(p)])
    s1 = np.concatenate([[0.0], np.cumsum(n * p)])
    s2 = np.concatenate([[0.0], np.cumsum(n * n * p)])
    # n_o < S/d_large: both below their cap; S/d_large <= n_o < S/d_small: only the larger capped.
    low = np.searchsorted(n, total / d_large, side="left")
    high = np.searchsorted(n, total / d_small, side="left")
    both = d_small * d_large * s2[low] / (total * total)
    one = d_small * (s1[high] - s1[low]) / total
    capped = s0[count] - s0[high]
    return both + one + capped


def _benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """q-values: the smallest false discovery rate at which each test is rejected."""
    n = len(p)
    order = np.argsort(p, kind="stable")
    ranked = p[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(q, 1.0)
    return out


def keep_significant(edges: pd.DataFrame, tested: pd.DataFrame) -> pd.DataFrame:
    """The CooRTweet ``edges`` whose pair is significant, with the test's columns."""
    if edges.empty or tested.empty:
        return edges.iloc[0:0].assign(objects=pd.Series(dtype="int64"), expected=pd.Series(dtype=float),
                                      p_value=pd.Series(dtype=float), q_value=pd.Series(dtype=float))
    first = edges["account"].astype(str).to_numpy()
    second = edges["account_y"].astype(str).to_numpy()
    keyed = edges.assign(_a=np.minimum(first, second), _b=np.maximum(first, second))
    merged = keyed.merge(tested[tested["significant"]].drop(columns="significant"),
                         left_on=["_a", "_b"], right_on=["account", "account_y"], suffixes=("", "_t"))
    return merged.drop(columns=["_a", "_b", "account_t", "account_y_t"]).reset_index(drop=True)
