"""CooRTweet's semantics (:func:`detect_coordination`) and CooRnet's window estimate.

See :mod:`graphinv.analysis.coordination` for the rules reproduced.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from graphinv.errors import InputError

from .kernel import (
    CHUNK_PAIRS,
    MAX_PAIRS_PER_OBJECT,
    CoordinationResult,
    DistinctCounter,
    KeyedSums,
    Shares,
    build_nodes,
    check_params,
    empty_modality_edges,
    empty_pairs,
    encode_shares,
    iter_pairs,
    sort_and_count,
)


def _empty_edges(fast: bool) -> pd.DataFrame:
    dtypes = {
        "account": object,
        "account_y": object,
        "weight": "int64",
        "avg_time_delta": "float64",
        "n_content_id": "int64",
        "n_content_id_y": "int64",
        "edge_symmetry_score": "float64",
        "modalities": object,
        "first_time": "int64",
        "last_time": "int64",
        "window": "int64",
        "weight_threshold": "int64",
    }
    if fast:
        dtypes |= {
            "weight_fast": "Int64",
            "avg_time_delta_fast": "float64",
            "edge_symmetry_score_fast": "float64",
            "weight_threshold_fast": "Int64",
        }
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in dtypes.items()})


def _participation_filter(
    account: np.ndarray, content: np.ndarray, in_result: np.ndarray, n_accounts: int, minimum: int
) -> np.ndarray:
    """CooRTweet's ``filter_min_participation``: contents that keep a pair alive.

    ``in_result`` marks content codes that appear in any pair. An account counts its
    rows whose content is marked; accounts reaching ``minimum`` make all their marked
    contents good. Returns a bool array over content codes.
    """
    good = np.zeros_like(in_result)
    has = content >= 0
    rows = np.flatnonzero(has & in_result[np.where(has, content, 0)])
    counts = np.bincount(account[rows], minlength=n_accounts)
    ok = rows[counts[account[rows]] >= minimum]
    good[content[ok]] = True
    return good


def _coortweet_rank(account: np.ndarray) -> np.ndarray:
    """Row order inside CooRTweet's object groups.

    ``x[, if (.N >= m) .SD, by = account_id]`` regroups rows by account in order of
    first appearance; the per-object pairs (i < j) follow that order, which decides
    which content lands in ``content_id`` vs ``content_id_y`` and so the symmetry score.
    """
    first_seen, _ = pd.factorize(account)
    order = np.lexsort((np.arange(len(account)), first_seen))
    rank = np.empty(len(account), dtype="int64")
    rank[order] = np.arange(len(account))
    return rank


def estimate_window(shares: pd.DataFrame, q: float = 0.1, p: float = 0.5) -> int:
    """Estimate a coordination window like CooRnet's ``estimate_coord_interval``.

    For objects shared more than once: take the seconds from the first share to the
    second (rank 2, ties broken by order); keep the objects whose second share came
    at or below the ``q`` quantile of those delays (the quickest objects); for each
    kept object find the first share past fraction ``p`` of its shares
    (``rank / count > p``) and its seconds from the first share; the window is the
    ``p`` quantile of those seconds. CooRnet turns 0 into 1; as times here are whole
    seconds, a fractional estimate is floored (``|dt| <= 12.5`` is ``|dt| <= 12``).

    Examples
    --------
    >>> shares = pd.DataFrame({"account": list("abcd"), "object": ["u"] * 4,
    ...     "content": list("1234"), "time": [0, 10, 20, 30], "modality": "url"})
    >>> estimate_window(shares)
    20
    """
    if not 0 <= q <= 1 or not 0 <= p <= 1:
        raise InputError("q and p must be between 0 and 1")
    s = encode_shares(shares)
    if len(s.time) == 0:
        raise InputError("cannot estimate a window from an empty share frame")
    order = np.lexsort((np.arange(len(s.time)), s.time, s.object))
    o, t = s.object[order], s.time[order]
    starts = np.flatnonzero(np.r_[True, o[1:] != o[:-1]])
    counts = np.diff(np.r_[starts, len(o)])
    multi = counts > 1
    if not multi.any():
        raise InputError("cannot estimate a window: no object is shared twice")
    starts, counts = starts[multi], counts[multi]
    second_delay = t[starts + 1] - t[starts]
    quickest = second_delay <= np.quantile(second_delay, q)
    starts, counts = starts[quickest], counts[quickest]
    # first rank r with r / count > p  ->  r = floor(p * count) + 1 (1-based)
    rank = np.floor(p * counts).astype("int64") + 1
    valid = rank <= counts
    delays = t[starts[valid] + rank[valid] - 1] - t[starts[valid]]
    if len(delays) == 0:
        return 1
    value = float(np.quantile(delays, p))
    return 1 if value == 0 else int(math.floor(value))


def detect_coordination(
    shares: pd.DataFrame | Shares,
    window: int | str = 60,
    min_participation: int = 2,
    edge_weight: float = 0.5,
    *,
    fast_window: int | None = None,
    max_pairs_per_object: int | None = MAX_PAIRS_PER_OBJECT,
    keep_pairs: bool = True,
    pairs_of: Collection[str] | None = None,
    chunk_pairs: int = CHUNK_PAIRS,
) -> CoordinationResult:
    """Co-share pairs and the weighted undirected account network (CooRTweet).

    Parameters
    ----------
    shares : DataFrame
        Share frame (``account, object, content, time[, modality]``).
    window : int or "auto"
        Seconds; two shares of one object at most this far apart co-share.
        ``"auto"`` estimates it with :func:`estimate_window` (q=0.1, p=0.5).
    min_participation : int
        Minimum shares of an account, applied before and after pairing, per modality.
    edge_weight : float
        Quantile of the edge weights above which ``weight_threshold`` is 1.
    fast_window : int, optional
        A narrower window; pairs within it are flagged (``flag_speed_share``) and the
        edges get ``*_fast`` columns.
    max_pairs_per_object : int or None
        Opt-in: objects producing more pairs are skipped and reported in
        ``stats["capped_objects"]``. None (the default) streams every object.
    keep_pairs : bool
        Return the pair table (can be large); edges are computed either way.
    pairs_of : collection of str, optional
        Keep only the pairs in which one of these accounts takes part.
    chunk_pairs : int
        Pairs materialised at once; memory follows this and the number of edges.

    Returns
    -------
    CoordinationResult

    Notes
    -----
    ``edge_symmetry_score`` is CooRTweet's: ``min(n_content_id, n_content_id_y) /
    max(...)``, where the two counts are the distinct contents on each side of the
    edge's pairs. CooRTweet assigns sides by input row order within the object
    (after grouping rows by account in order of first appearance) and swaps them
    when the two times differ, but does not swap them with the accounts; for pairs
    with different times the sides are therefore the two accounts, and for pairs in
    the same second the earlier-listed account's content goes first. This is
    reproduced, so the score depends on input row order only for same-second pairs.

    Examples
    --------
    Accounts a and b share two URLs 5 s apart; c shares once, too late:

    >>> shares = pd.DataFrame({
    ...     "account": ["a", "b", "a", "b", "c"],
    ...     "object": ["u1", "u1", "u2", "u2", "u2"],
    ...     "content": ["p1", "p2", "p3", "p4", "p5"],
    ...     "time": [0, 5, 100, 105, 900], "modality": "url"})
    >>> r = detect_coordination(shares, window=60, min_participation=2)
    >>> r.edges[["account", "account_y", "weight"]].to_dict("records")
    [{'account': 'a', 'account_y': 'b', 'weight': 2}]
    >>> r.summary
    'nodes=2 edges=1'
    """
    window = _window(shares, window)
    check_params(window, min_participation, edge_weight, fast_window)
    s = encode_shares(shares)
    fast = fast_window is not None
    n_acc = max(len(s.accounts), 1)
    stats = _stats(s, window, min_participation, fast_window, max_pairs_per_object)
    stats["edge_weight"] = float(edge_weight)
    # A content's distinct partners are counted per edge across modalities (one post
    # matched by link and by text is one content); a content carried by several objects
    # can meet the same partner in two chunks, so it is never counted early.
    multi = s.multi_object_contents()
    sides = {name: DistinctCounter(len(s.contents), chunk_pairs)
             for name in (("x", "y", "fx", "fy") if fast else ("x", "y"))}
    spec = {"weight": "sum", "dt": "sum", "tmin": "min", "tmax": "max"}
    if fast:
        spec |= {"weight_fast": "sum", "dt_fast": "sum"}
    per_modality: list[pd.DataFrame] = []
    pair_parts: list[dict] = []
    wanted = None if pairs_of is None else np.isin(s.accounts, np.asarray(list(pairs_of), dtype=object))
    sums = objects = None
    mod_now = -1
    for chunk in _surviving_pairs(s, window, min_participation, fast_window, max_pairs_per_object, chunk_pairs,
                                  stats):
        if chunk.modality != mod_now:
            if sums is not None:
                per_modality.append(_modality_frame(sums, objects, mod_now))
            sums, objects = KeyedSums(spec, chunk_pairs), DistinctCounter(s.n_objects, chunk_pairs)
            mod_now = chunk.modality
        key = np.minimum(chunk.account, chunk.account_y) * n_acc + np.maximum(chunk.account, chunk.account_y)
        whole, side_x, side_y, isfast = chunk.whole, chunk.side_x, chunk.side_y, chunk.fast
        part = {"weight": np.ones(len(key), dtype="int64"), "dt": chunk.dt, "tmin": chunk.time,
                "tmax": chunk.time_y}
        if fast:
            part["weight_fast"] = isfast.astype("int64")
            part["dt_fast"] = np.where(isfast, chunk.dt, 0)
            sides["fx"].add(key[isfast], side_x[isfast], whole & ~multi[side_x[isfast]])
            sides["fy"].add(key[isfast], side_y[isfast], whole & ~multi[side_y[isfast]])
        sums.add(key, **part)
        sides["x"].add(key, side_x, whole & ~multi[side_x])
        sides["y"].add(key, side_y, whole & ~multi[side_y])
        objects.add(key, chunk.object, whole)
        if keep_pairs:
            pair_parts.append(chunk.pair_columns(wanted))
    if sums is not None:
        per_modality.append(_modality_frame(sums, objects, mod_now))

    pairs = _build_pairs(s, pair_parts, fast) if keep_pairs else empty_pairs(fast)
    edges, modality_edges = _build_edges(s, per_modality, sides, n_acc, window, edge_weight, fast)
    nodes = build_nodes(edges)
    stats["edges"] = len(edges)
    stats["nodes"] = len(nodes)
    return CoordinationResult(pairs, edges, nodes, stats, int(window), "coortweet", modality_edges)


def coshare_pairs(
    shares: pd.DataFrame | Shares,
    window: int,
    min_participation: int = 2,
    *,
    accounts: Collection[str],
    fast_window: int | None = None,
    max_pairs_per_object: int | None = MAX_PAIRS_PER_OBJECT,
    chunk_pairs: int = CHUNK_PAIRS,
) -> pd.DataFrame:
    """CooRTweet's co-share pairs (:data:`~.kernel.PAIR_COLUMNS`) in which one of
    ``accounts`` takes part, without building the network: what a campaign's evidence
    reads once its members are known, in memory that follows their pairs only.

    >>> shares = pd.DataFrame({"account": ["a", "b", "c", "a", "b", "c"], "object": ["u1"] * 3 + ["u2"] * 3,
    ...     "content": list("123456"), "time": [0, 5, 9, 100, 101, 102], "modality": "url"})
    >>> coshare_pairs(shares, 60, accounts=["a"])[["account", "account_y", "object"]].values.tolist()
    [['a', 'b', 'u1'], ['a', 'c', 'u1'], ['a', 'b', 'u2'], ['a', 'c', 'u2']]
    """
    check_params(window, min_participation, 0.5, fast_window)
    s = encode_shares(shares)
    wanted = np.isin(s.accounts, np.asarray(list(accounts), dtype=object))
    stats = _stats(s, window, min_participation, fast_window, max_pairs_per_object)
    parts = [chunk.pair_columns(wanted) for chunk in _surviving_pairs(
        s, window, min_participation, fast_window, max_pairs_per_object, chunk_pairs, stats)]
    return _build_pairs(s, parts, fast_window is not None)


def _window(shares, window) -> int:
    if isinstance(window, str):
        if window != "auto":
            raise InputError(f"window must be seconds or 'auto', got {window!r}")
        return estimate_window(shares)
    return window


def _stats(s: Shares, window, min_participation, fast_window, max_pairs_per_object) -> dict:
    if len(s.modalities) > 62:
        raise InputError("at most 62 modalities are supported in one run")
    return {
        "semantics": "coortweet",
        "rows": int(len(s.time) + s.dropped_missing),
        "dropped_missing": s.dropped_missing,
        "window": int(window),
        "fast_window": fast_window,
        "min_participation": int(min_participation),
        "max_pairs_per_object": max_pairs_per_object,
        "capped_objects": [],
        "pairs": 0,
        "pairs_fast": 0,
    }


def _modality_frame(sums: KeyedSums, objects: DistinctCounter, mod_code: int) -> pd.DataFrame:
    return sums.result().assign(objects=objects.result(), mod=mod_code)


@dataclass
class _Chunk:
    """Surviving co-share pairs of one modality, as codes (account is the earlier share)."""

    modality: int
    whole: bool  # every pair of the chunk's objects is in it (see kernel.iter_pairs)
    object: np.ndarray
    account: np.ndarray
    account_y: np.ndarray
    content: np.ndarray
    content_y: np.ndarray
    time: np.ndarray
    time_y: np.ndarray
    side_x: np.ndarray  # CooRTweet's content_id / content_id_y sides
    side_y: np.ndarray
    fast: np.ndarray | None

    @property
    def dt(self) -> np.ndarray:
        return self.time_y - self.time

    def pair_columns(self, wanted: np.ndarray | None) -> dict:
        mine = slice(None) if wanted is None else wanted[self.account] | wanted[self.account_y]
        columns = {"modality": np.full(len(self.account), self.modality), "object": self.object,
                   "account": self.account, "account_y": self.account_y, "content": self.content,
                   "content_y": self.content_y, "time": self.time, "time_y": self.time_y, "time_delta": self.dt}
        if self.fast is not None:
            columns["fast"] = self.fast
        return {name: values[mine] for name, values in columns.items()}


def _surviving_pairs(s: Shares, window, min_participation, fast_window, max_pairs_per_object, chunk_pairs,
                     stats) -> Iterator[_Chunk]:
    """CooRTweet's steps 1-4 per modality: the pairs that survive, chunk by chunk."""
    n_acc = max(len(s.accounts), 1)
    n_content = len(s.contents)
    fast = fast_window is not None
    for mod_code in range(len(s.modalities)):
        rows = np.flatnonzero(s.modality == mod_code)
        # 1. pre-filter on participation within the modality
        counts = np.bincount(s.account[rows], minlength=n_acc)
        rows = rows[counts[s.account[rows]] >= min_participation]
        if len(rows) < 2:
            continue
        rank = _coortweet_rank(s.account[rows])
        srt = sort_and_count(s.object[rows], s.time[rows], rank, window, max_pairs_per_object)
        if srt.capped:
            names = s.object_names(np.array([code for code, _ in srt.capped]))
            stats["capped_objects"] += [{"modality": s.modalities[mod_code], "object": name, "pairs": n_pairs}
                                        for name, (_, n_pairs) in zip(names, srt.capped)]
        sr = rows[srt.order]  # original row index per sorted position
        a = s.account[sr]
        c = s.content[sr]
        t = s.time[sr]
        r = rank[srt.order]
        bad = s.object_is_content[sr] | (c < 0)

        def candidates(srt=srt, a=a, c=c, bad=bad):  # this modality's arrays, bound at definition
            for i, j, whole in iter_pairs(srt.object, srt.forward, chunk_pairs):
                ok = (a[i] != a[j]) & (c[i] != c[j]) & ~bad[i] & ~bad[j]
                yield i[ok], j[ok], whole

        # 2-3. pairs; pass 1 marks the contents they involve
        in_result = np.zeros(n_content, dtype=bool)
        for i, j, _ in candidates():
            in_result[c[i]] = True
            in_result[c[j]] = True
        # 4. post-filter on participation
        good = _participation_filter(s.account[rows], s.content[rows], in_result, n_acc, min_participation)
        good_fast = None
        if fast:
            in_fast = np.zeros(n_content, dtype=bool)
            for i, j, _ in candidates():
                keep = (good[c[i]] | good[c[j]]) & (t[j] - t[i] <= fast_window)
                in_fast[c[i[keep]]] = True
                in_fast[c[j[keep]]] = True
            good_fast = _participation_filter(
                s.account[rows], s.content[rows], in_fast, n_acc, min_participation
            )
        for i, j, whole in candidates():
            keep = good[c[i]] | good[c[j]]
            i, j = i[keep], j[keep]
            if len(i) == 0:
                continue
            dt = t[j] - t[i]
            # CooRTweet's content_id side: the later-ranked row's content when the
            # times differ (its swap), else the earlier-ranked row's.
            later_first = r[j] > r[i]
            hi_rank_c = np.where(later_first, c[j], c[i])
            lo_rank_c = np.where(later_first, c[i], c[j])
            isfast = None
            if fast:
                isfast = (dt <= fast_window) & (good_fast[c[i]] | good_fast[c[j]])
                stats["pairs_fast"] += int(isfast.sum())
            stats["pairs"] += len(i)
            yield _Chunk(mod_code, whole, s.object[sr[i]], a[i], a[j], c[i], c[j], t[i], t[j],
                         np.where(dt > 0, hi_rank_c, lo_rank_c), np.where(dt > 0, lo_rank_c, hi_rank_c), isfast)


def _modality_lists(masks: np.ndarray, modalities: np.ndarray) -> list:
    uniq, inverse = np.unique(masks, return_inverse=True)
    names = [[str(modalities[b]) for b in range(len(modalities)) if int(m) >> b & 1] for m in uniq]
    return [names[k] for k in inverse]


def _symmetry(nx: np.ndarray, ny: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.minimum(nx, ny) / np.maximum(nx, ny)


def _build_edges(s, per_modality, sides, n_acc, window, edge_weight, fast) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not per_modality:
        return _empty_edges(fast), empty_modality_edges()
    every = pd.concat(per_modality)
    keys_all = every.index.to_numpy()
    modality_edges = pd.DataFrame({
        "modality": s.modalities[every["mod"].to_numpy()],
        "account": s.accounts[keys_all // n_acc],
        "account_y": s.accounts[keys_all % n_acc],
        "weight": every["weight"].to_numpy(dtype="int64"),
        "objects": every["objects"].to_numpy(dtype="int64"),
    })
    # One row per key and modality, so the sum of the modalities' bits is their OR.
    every = every.assign(mod=np.left_shift(1, every["mod"].to_numpy(dtype="int64")))
    spec = {"weight": "sum", "dt": "sum", "tmin": "min", "tmax": "max", "mod": "sum"}
    if fast:
        spec |= {"weight_fast": "sum", "dt_fast": "sum"}
    agg = every.groupby(level=0, sort=True).agg(spec)
    keys = agg.index.to_numpy()
    sums = agg.drop(columns="mod").reset_index(drop=True).assign(
        account=s.accounts[keys // n_acc], account_y=s.accounts[keys % n_acc],
        modalities=_modality_lists(agg["mod"].to_numpy(), s.modalities),
        nx=sides["x"].result().reindex(keys).to_numpy(), ny=sides["y"].result().reindex(keys).to_numpy())
    if fast:
        sums = sums.assign(fx=sides["fx"].result().reindex(keys).fillna(0).to_numpy(),
                           fy=sides["fy"].result().reindex(keys).fillna(0).to_numpy())
    return edges_from_sums(sums, window, edge_weight, fast), modality_edges


def edges_from_sums(sums: pd.DataFrame, window: int, edge_weight: float, fast: bool) -> pd.DataFrame:
    """CooRTweet's edge table (:data:`~.kernel.EDGE_COLUMNS`) from per-edge sums, one row
    per edge sorted by (account, account_y): ``weight`` (pairs), ``dt`` (their summed
    seconds), ``tmin``/``tmax``, ``modalities`` (sorted names), ``nx``/``ny`` (distinct
    contents per side) and, with a fast window, ``weight_fast``, ``dt_fast``, ``fx``, ``fy``.
    What is computed on the (small) edge list: the in-process engine and the Spark
    engine (:mod:`.spark`) both finish here.

    >>> sums = pd.DataFrame({"account": ["a"], "account_y": ["b"], "weight": [2], "dt": [10], "tmin": [0],
    ...                      "tmax": [105], "modalities": [["url"]], "nx": [2], "ny": [1]})
    >>> edges_from_sums(sums, 60, 0.5, False)[["weight", "avg_time_delta", "edge_symmetry_score"]].values.tolist()
    [[2.0, 5.0, 0.5]]
    """
    if sums.empty:
        return _empty_edges(fast)
    nx, ny = sums["nx"].to_numpy(dtype="float64"), sums["ny"].to_numpy(dtype="float64")
    weight = sums["weight"].to_numpy()
    edges = pd.DataFrame(
        {
            "account": sums["account"].to_numpy(dtype=object),
            "account_y": sums["account_y"].to_numpy(dtype=object),
            "weight": weight.astype("int64"),
            "avg_time_delta": sums["dt"].to_numpy() / weight,
            "n_content_id": nx.astype("int64"),
            "n_content_id_y": ny.astype("int64"),
            "edge_symmetry_score": _symmetry(nx, ny),
            "modalities": list(sums["modalities"]),
            "first_time": sums["tmin"].to_numpy().astype("int64"),
            "last_time": sums["tmax"].to_numpy().astype("int64"),
            "window": int(window),
        }
    )
    threshold = np.quantile(weight, edge_weight)
    edges["weight_threshold"] = (weight > threshold).astype("int64")
    if fast:
        wf = sums["weight_fast"].to_numpy()
        has = wf > 0
        fx, fy = sums["fx"].to_numpy(dtype="float64"), sums["fy"].to_numpy(dtype="float64")
        edges["weight_fast"] = pd.array(np.where(has, wf, 0), dtype="Int64")
        edges.loc[~has, "weight_fast"] = pd.NA
        with np.errstate(invalid="ignore", divide="ignore"):
            edges["avg_time_delta_fast"] = np.where(has, sums["dt_fast"].to_numpy() / np.maximum(wf, 1), np.nan)
        edges["edge_symmetry_score_fast"] = np.where(has, _symmetry(fx, fy), np.nan)
        flag = pd.array(np.zeros(len(edges), dtype="int64"), dtype="Int64")
        if has.any():
            threshold_fast = np.quantile(wf[has], edge_weight)
            flag = pd.array((wf > threshold_fast).astype("int64"), dtype="Int64")
        flag[~has] = pd.NA
        edges["weight_threshold_fast"] = flag
    return edges


def _build_pairs(s, parts, fast) -> pd.DataFrame:
    if not parts:
        return empty_pairs(fast)
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    frame = pd.DataFrame(
        {
            "modality": s.modalities[cat["modality"]],
            "object": s.object_names(cat["object"]),
            "account": s.accounts[cat["account"]],
            "account_y": s.accounts[cat["account_y"]],
            "content": s.content_names(cat["content"]),
            "content_y": s.content_names(cat["content_y"]),
            "time": cat["time"].astype("int64"),
            "time_y": cat["time_y"].astype("int64"),
            "time_delta": cat["time_delta"].astype("int64"),
        }
    )
    if fast:
        frame["fast"] = cat["fast"].astype(bool)
    return frame
