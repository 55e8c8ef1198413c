"""Coordinated behaviour: accounts acting on the same object within a time window.

Input is a *share frame*, one row per action on an object::

    account   str   who acted
    object    str   what was acted on (the retweeted post, the URL, the text, ...)
    content   str   the post that carried the action (its id)
    time      int   epoch seconds UTC
    modality  str   kind of object: "repost", "url", "text", "near_text", "image",
                    "hashtags", ... (optional; defaults to "share")

An object is keyed by ``(modality, object)``: the same string seen as a URL and as a
hashtag sequence is two objects.

Two semantics are reproduced exactly:

``coortweet`` (:func:`detect_coordination`)
    CooRTweet 2.x, ``detect_groups`` + ``flag_speed_share`` +
    ``generate_coordinated_network`` (Righetti & Balluff), run once per modality and
    stacked, as its multi-modal example does:

    1. per modality, accounts with fewer than ``min_participation`` shares are dropped;
    2. for each object every pair of shares at most ``window`` seconds apart (``<=``)
       is a co-share;
    3. pairs from one account, with equal contents, or where a content equals the
       object are removed (a missing content never pairs);
    4. per modality, the participation filter runs again on the contents left in
       the pairs: an account keeps counting only rows whose content is in some pair,
       and a pair survives when either of its contents belongs to an account with
       at least ``min_participation`` such rows;
    5. one undirected edge per account pair, ``weight`` = number of co-share pairs,
       ``weight_threshold`` = 1 when the weight is strictly above the
       ``edge_weight`` quantile of all weights (R's default type 7, the same as
       numpy's ``linear``); the flag never removes an edge.

    With ``fast_window`` the pairs at most that many seconds apart are flagged after
    their own participation filter (``flag_speed_share``) and the edges gain
    ``weight_fast``, ``avg_time_delta_fast``, ``edge_symmetry_score_fast`` and
    ``weight_threshold_fast`` (quantile over the edges that have fast pairs).

``cnt`` (:func:`detect_coordination_cnt`)
    The Coordination Network Toolkit 1.5 (QUT Digital Observatory): directed edges
    ``user_1 -> user_2`` whose weight is the number of *distinct messages* of
    ``user_1`` that have a share of the same object by ``user_2`` within
    ``[t - window, t + window]`` (inclusive); a message matches itself, so loops
    exist and weigh the user's message count; edges below ``min_weight`` are
    dropped, loops are dropped unless ``loops=True``. One network per modality
    (co-retweet for ``repost``, co-link for ``url``, co-tweet for ``text``).

Memory stays bounded: shares are sorted by (object, time), the partner range of
each share is found with ``searchsorted``, and pairs are generated and aggregated in
chunks of at most ``chunk_pairs``. An object whose co-share pairs exceed
``max_pairs_per_object`` (one viral URL shared by 100k accounts in a minute would
give 5e9 pairs) is skipped as a whole and listed in ``result.stats["capped_objects"]``;
skipping rather than truncating keeps every reported edge exact for the objects it
covers. Set ``max_pairs_per_object=None`` to reproduce the references without a cap.
"""

from __future__ import annotations

import gzip
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from graphinv.errors import InputError

SHARE_COLUMNS = ["account", "object", "content", "time", "modality"]

PAIR_COLUMNS = [
    "modality",
    "object",
    "account",
    "account_y",
    "content",
    "content_y",
    "time",
    "time_y",
    "time_delta",
]

EDGE_COLUMNS = [
    "account",
    "account_y",
    "weight",
    "avg_time_delta",
    "n_content_id",
    "n_content_id_y",
    "edge_symmetry_score",
    "modalities",
    "first_time",
    "last_time",
    "window",
    "weight_threshold",
]

FAST_EDGE_COLUMNS = [
    "weight_fast",
    "avg_time_delta_fast",
    "edge_symmetry_score_fast",
    "weight_threshold_fast",
]

CNT_EDGE_COLUMNS = ["account", "account_y", "weight", "modality", "network"]

NODE_COLUMNS = ["account", "degree", "strength"]

#: Default bound on the co-share pairs one object may produce before it is skipped.
MAX_PAIRS_PER_OBJECT = 5_000_000

#: Pairs materialised at once while streaming; bounds peak memory (~40 bytes each).
CHUNK_PAIRS = 4_000_000

#: CNT's network names per modality; other modalities keep their own name.
CNT_NETWORKS = {"repost": "co_retweet", "url": "co_link", "text": "co_tweet"}


@dataclass
class CoordinationResult:
    """What a coordination run returns.

    Attributes
    ----------
    pairs : DataFrame
        The co-share pairs (:data:`PAIR_COLUMNS`, plus ``fast`` with a fast window);
        empty when the run was asked not to keep them. ``account``/``content``/
        ``time`` is the earlier share of the pair.
    edges : DataFrame
        One row per edge (:data:`EDGE_COLUMNS`, or :data:`CNT_EDGE_COLUMNS`).
    nodes : DataFrame
        Accounts on at least one edge, with degree and strength (sum of weights).
    stats : dict
        Counts of what was read, dropped, capped and produced.
    """

    pairs: pd.DataFrame
    edges: pd.DataFrame
    nodes: pd.DataFrame
    stats: dict = field(default_factory=dict)
    window: int = 0
    semantics: str = "coortweet"

    @property
    def summary(self) -> str:
        """One line for the CLI, ``nodes=N edges=M``."""
        return f"nodes={len(self.nodes)} edges={len(self.edges)}"


# --------------------------------------------------------------------------- input


def _empty_pairs(fast: bool) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "modality": pd.Series([], dtype=object),
            "object": pd.Series([], dtype=object),
            "account": pd.Series([], dtype=object),
            "account_y": pd.Series([], dtype=object),
            "content": pd.Series([], dtype=object),
            "content_y": pd.Series([], dtype=object),
            "time": pd.Series([], dtype="int64"),
            "time_y": pd.Series([], dtype="int64"),
            "time_delta": pd.Series([], dtype="int64"),
        }
    )
    if fast:
        frame["fast"] = pd.Series([], dtype=bool)
    return frame


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


def _empty_nodes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account": pd.Series([], dtype=object),
            "degree": pd.Series([], dtype="int64"),
            "strength": pd.Series([], dtype="int64"),
        }
    )


def _as_time(values: pd.Series) -> np.ndarray:
    """Epoch seconds as int64; fractional seconds are refused rather than rounded."""
    if pd.api.types.is_integer_dtype(values.dtype):
        return values.to_numpy(dtype="int64")
    try:
        as_float = pd.to_numeric(values, errors="raise").to_numpy(dtype="float64")
    except (ValueError, TypeError) as exc:
        raise InputError(f"column 'time' must be epoch seconds: {exc}") from None
    if np.any(as_float != np.floor(as_float)):
        raise InputError("column 'time' must be whole epoch seconds, found fractions")
    return as_float.astype("int64")


@dataclass
class _Shares:
    """Share frame as integer codes, the form every algorithm below works on."""

    account: np.ndarray  # int64 codes; code order is the accounts' string order
    accounts: np.ndarray  # code -> account string
    object: np.ndarray  # int64 codes of (modality, object)
    objects: np.ndarray  # code -> object string
    content: np.ndarray  # int64 codes, -1 for a missing content
    contents: np.ndarray  # code -> content string
    time: np.ndarray  # int64
    modality: np.ndarray  # int64 codes
    modalities: np.ndarray  # code -> modality string
    object_is_content: np.ndarray  # bool: the row's content equals its object
    dropped_missing: int


def _validate(shares: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(shares, pd.DataFrame):
        raise InputError("shares must be a pandas DataFrame")
    missing = [c for c in ("account", "object", "content", "time") if c not in shares]
    if missing:
        raise InputError(f"share frame lacks column(s): {', '.join(missing)}")
    frame = shares[[c for c in SHARE_COLUMNS if c in shares]]
    if "modality" not in frame:
        frame = frame.assign(modality="share")
    return frame


def _encode(shares: pd.DataFrame) -> _Shares:
    frame = _validate(shares)
    # A share needs an account, an object and a time; a missing content still counts
    # for participation (as in CooRTweet) but never pairs.
    keep = frame["account"].notna() & frame["object"].notna() & frame["time"].notna()
    keep &= frame["modality"].notna()
    dropped = int((~keep).sum())
    if dropped:
        frame = frame[keep]
    account_str = frame["account"].astype(str).to_numpy(dtype=object)
    object_str = frame["object"].astype(str).to_numpy(dtype=object)
    modality_str = frame["modality"].astype(str).to_numpy(dtype=object)
    content_na = frame["content"].isna().to_numpy()
    content_str = frame["content"].astype(str).to_numpy(dtype=object)
    time = _as_time(frame["time"])

    # sort=True so that comparing account codes compares account strings, which is
    # how CooRTweet orients an undirected edge (pmin/pmax, C-locale order here).
    account, accounts = pd.factorize(account_str, sort=True)
    modality, modalities = pd.factorize(modality_str, sort=True)
    obj_single, objects = pd.factorize(object_str)
    # (modality, object) as one key: the same string in two modalities is two objects
    pair_key = modality.astype("int64") * max(len(objects), 1) + obj_single
    obj_code, uniq = pd.factorize(pair_key)
    object_names = objects[uniq % max(len(objects), 1)] if len(uniq) else objects[:0]
    content, contents = pd.factorize(np.where(content_na, None, content_str))
    object_is_content = (~content_na) & (content_str == object_str)
    return _Shares(
        account=account.astype("int64"),
        accounts=np.asarray(accounts, dtype=object),
        object=obj_code.astype("int64"),
        objects=np.asarray(object_names, dtype=object),
        content=content.astype("int64"),
        contents=np.asarray(contents, dtype=object),
        time=time,
        modality=modality.astype("int64"),
        modalities=np.asarray(modalities, dtype=object),
        object_is_content=object_is_content,
        dropped_missing=dropped,
    )


# ------------------------------------------------------------------- pair streaming


@dataclass
class _Sorted:
    """Rows of one modality sorted by (object, time), with forward partner counts."""

    order: np.ndarray  # index into the input arrays per sorted position
    forward: np.ndarray  # partners j > i within the window, per sorted position
    capped: list  # (object code, pairs) skipped by the cap


def _sort_and_count(
    obj: np.ndarray,
    time: np.ndarray,
    tiebreak: np.ndarray,
    window: int,
    max_pairs_per_object: int | None,
) -> _Sorted:
    order = np.lexsort((tiebreak, time, obj))
    o = obj[order]
    t = time[order]
    if len(o) == 0:
        return _Sorted(order, np.zeros(0, dtype="int64"), [])
    # One int64 key per share so that a single searchsorted finds, for every share,
    # the end of its object's window: key = object * stride + (time - tmin).
    t0 = t - t.min()
    stride = int(t0.max()) + int(window) + 1
    if int(o.max()) + 1 > (2**62) // stride:
        raise InputError("time span times object count too large to index; split the input")
    key = o * stride + t0
    end = np.searchsorted(key, key + int(window), side="right")
    forward = end - np.arange(len(key)) - 1
    capped = []
    if max_pairs_per_object is not None:
        per_object = np.bincount(o, weights=forward, minlength=int(o.max()) + 1)
        over = np.flatnonzero(per_object > max_pairs_per_object)
        if len(over):
            forward = np.where(np.isin(o, over), 0, forward)
            capped = [(int(code), int(per_object[code])) for code in over]
    return _Sorted(order, forward.astype("int64"), capped)


def _iter_pairs(forward: np.ndarray, chunk_pairs: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (i, j) sorted positions of all forward pairs, ``chunk_pairs`` at a time.

    Pair (i, j) exists for i < j <= i + forward[i]. Rows are cut into chunks whose
    pair total stays near ``chunk_pairs``; a single row never exceeds the per-object
    cap, so a chunk is bounded by max(chunk_pairs, cap).
    """
    if len(forward) == 0:
        return
    csum = np.cumsum(forward)
    total = int(csum[-1])
    if total == 0:
        return
    start_row = 0
    n = len(forward)
    done = 0
    while start_row < n and done < total:
        stop_row = int(np.searchsorted(csum, done + chunk_pairs, side="right"))
        stop_row = max(stop_row, start_row + 1)
        stop_row = min(stop_row, n)
        counts = forward[start_row:stop_row]
        m = int(counts.sum())
        if m:
            i = np.repeat(np.arange(start_row, stop_row, dtype="int64"), counts)
            first = np.repeat(np.cumsum(counts) - counts, counts)
            j = i + 1 + (np.arange(m, dtype="int64") - first)
            yield i, j
        done += m
        start_row = stop_row


# --------------------------------------------------------------------- CooRTweet


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
    s = _encode(shares)
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


def _check_params(window, min_participation, edge_weight, fast_window):
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 0:
        raise InputError(f"window must be a non-negative number of seconds, got {window!r}")
    if isinstance(min_participation, bool) or not isinstance(min_participation, (int, np.integer)):
        raise InputError(f"min_participation must be an integer, got {min_participation!r}")
    if not isinstance(edge_weight, (int, float)) or not 0 <= edge_weight <= 1:
        raise InputError(f"edge_weight must be a quantile between 0 and 1, got {edge_weight!r}")
    if fast_window is not None:
        if not isinstance(fast_window, (int, np.integer)) or fast_window < 0:
            raise InputError(f"fast_window must be a non-negative integer, got {fast_window!r}")
        if fast_window > window:
            raise InputError(f"fast_window ({fast_window}) must not exceed window ({window})")


def detect_coordination(
    shares: pd.DataFrame,
    window: int | str = 60,
    min_participation: int = 2,
    edge_weight: float = 0.5,
    *,
    fast_window: int | None = None,
    max_pairs_per_object: int | None = MAX_PAIRS_PER_OBJECT,
    keep_pairs: bool = True,
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
        Objects producing more pairs are skipped and reported in
        ``stats["capped_objects"]``; None disables the cap.
    keep_pairs : bool
        Return the pair table (can be large); edges are computed either way.
    chunk_pairs : int
        Pairs materialised at once.

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
    if isinstance(window, str):
        if window != "auto":
            raise InputError(f"window must be seconds or 'auto', got {window!r}")
        window = estimate_window(shares)
    _check_params(window, min_participation, edge_weight, fast_window)
    s = _encode(shares)
    fast = fast_window is not None
    n_acc = max(len(s.accounts), 1)
    n_content = len(s.contents)
    stats: dict = {
        "semantics": "coortweet",
        "rows": int(len(s.time) + s.dropped_missing),
        "dropped_missing": s.dropped_missing,
        "window": int(window),
        "fast_window": fast_window,
        "min_participation": int(min_participation),
        "edge_weight": float(edge_weight),
        "max_pairs_per_object": max_pairs_per_object,
        "capped_objects": [],
        "pairs": 0,
        "pairs_fast": 0,
    }

    agg_parts: list[pd.DataFrame] = []
    side_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # key, content, fast?
    pair_parts: list[dict] = []

    if len(s.modalities) > 62:
        raise InputError("at most 62 modalities are supported in one run")
    for mod_code in range(len(s.modalities)):
        rows = np.flatnonzero(s.modality == mod_code)
        # 1. pre-filter on participation within the modality
        counts = np.bincount(s.account[rows], minlength=n_acc)
        rows = rows[counts[s.account[rows]] >= min_participation]
        if len(rows) < 2:
            continue
        acc = s.account[rows]
        rank = _coortweet_rank(acc)
        srt = _sort_and_count(s.object[rows], s.time[rows], rank, window, max_pairs_per_object)
        for code, n_pairs in srt.capped:
            stats["capped_objects"].append(
                {"modality": s.modalities[mod_code], "object": s.objects[code], "pairs": n_pairs}
            )
        sr = rows[srt.order]  # original row index per sorted position
        a = s.account[sr]
        c = s.content[sr]
        t = s.time[sr]
        r = rank[srt.order]
        bad = s.object_is_content[sr] | (c < 0)

        def candidates():
            for i, j in _iter_pairs(srt.forward, chunk_pairs):
                ok = (a[i] != a[j]) & (c[i] != c[j]) & ~bad[i] & ~bad[j]
                yield i[ok], j[ok]

        # 2-3. pairs; pass 1 marks the contents they involve
        in_result = np.zeros(n_content, dtype=bool)
        for i, j in candidates():
            in_result[c[i]] = True
            in_result[c[j]] = True
        # 4. post-filter on participation
        good = _participation_filter(s.account[rows], s.content[rows], in_result, n_acc, min_participation)
        good_fast = None
        if fast:
            in_fast = np.zeros(n_content, dtype=bool)
            for i, j in candidates():
                keep = (good[c[i]] | good[c[j]]) & (t[j] - t[i] <= fast_window)
                in_fast[c[i[keep]]] = True
                in_fast[c[j[keep]]] = True
            good_fast = _participation_filter(
                s.account[rows], s.content[rows], in_fast, n_acc, min_participation
            )
        # 5. aggregate surviving pairs per account pair, chunk by chunk
        for i, j in candidates():
            keep = good[c[i]] | good[c[j]]
            i, j = i[keep], j[keep]
            if len(i) == 0:
                continue
            dt = t[j] - t[i]
            lo = np.minimum(a[i], a[j])
            hi = np.maximum(a[i], a[j])
            key = lo * n_acc + hi
            # CooRTweet's content_id side: the later-ranked row's content when the
            # times differ (its swap), else the earlier-ranked row's.
            later_first = r[j] > r[i]
            hi_rank_c = np.where(later_first, c[j], c[i])
            lo_rank_c = np.where(later_first, c[i], c[j])
            side_x = np.where(dt > 0, hi_rank_c, lo_rank_c)
            side_y = np.where(dt > 0, lo_rank_c, hi_rank_c)
            part = {
                "key": key,
                "weight": np.ones(len(key), dtype="int64"),
                "dt": dt,
                "tmin": t[i],
                "tmax": t[j],
                "mod": np.full(len(key), 1 << mod_code, dtype="int64"),
            }
            isfast = None
            if fast:
                isfast = (dt <= fast_window) & (good_fast[c[i]] | good_fast[c[j]])
                part["weight_fast"] = isfast.astype("int64")
                part["dt_fast"] = np.where(isfast, dt, 0)
                stats["pairs_fast"] += int(isfast.sum())
            stats["pairs"] += len(key)
            agg_parts.append(_reduce_chunk(pd.DataFrame(part), fast))
            side_parts.append(_unique_sides(key, side_x, side_y, isfast))
            if keep_pairs:
                pair_parts.append(
                    {
                        "modality": np.full(len(key), mod_code),
                        "object": s.object[sr[i]],
                        "account": a[i],
                        "account_y": a[j],
                        "content": c[i],
                        "content_y": c[j],
                        "time": t[i],
                        "time_y": t[j],
                        "time_delta": dt,
                        **({"fast": isfast} if fast else {}),
                    }
                )

    pairs = _build_pairs(s, pair_parts, fast) if keep_pairs else _empty_pairs(fast)
    edges = _build_edges(s, agg_parts, side_parts, n_acc, window, edge_weight, fast)
    nodes = _build_nodes(edges)
    stats["edges"] = len(edges)
    stats["nodes"] = len(nodes)
    return CoordinationResult(pairs, edges, nodes, stats, int(window), "coortweet")


def _reduce_chunk(part: pd.DataFrame, fast: bool) -> pd.DataFrame:
    spec = {
        "weight": ("weight", "sum"),
        "dt": ("dt", "sum"),
        "tmin": ("tmin", "min"),
        "tmax": ("tmax", "max"),
        "mod": ("mod", "max"),  # one modality per chunk; OR-ed across chunks later
    }
    if fast:
        spec |= {"weight_fast": ("weight_fast", "sum"), "dt_fast": ("dt_fast", "sum")}
    return part.groupby("key", sort=False).agg(**spec).reset_index()


def _unique_pairs(key: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((value, key))
    k, v = key[order], value[order]
    first = np.r_[True, (k[1:] != k[:-1]) | (v[1:] != v[:-1])]
    return k[first], v[first]


def _unique_sides(key, side_x, side_y, isfast):
    """Distinct (edge, content) per side, kept small so chunks can be merged later."""
    out = {"x": _unique_pairs(key, side_x), "y": _unique_pairs(key, side_y)}
    if isfast is not None:
        out["fx"] = _unique_pairs(key[isfast], side_x[isfast])
        out["fy"] = _unique_pairs(key[isfast], side_y[isfast])
    return out


def _count_distinct(parts: list[tuple[np.ndarray, np.ndarray]]) -> pd.Series:
    if not parts:
        return pd.Series([], dtype="int64")
    k, v = _unique_pairs(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    keys, counts = np.unique(k, return_counts=True)
    return pd.Series(counts, index=keys)


def _modality_lists(masks: np.ndarray, modalities: np.ndarray) -> list:
    uniq, inverse = np.unique(masks, return_inverse=True)
    names = [[str(modalities[b]) for b in range(len(modalities)) if int(m) >> b & 1] for m in uniq]
    return [names[k] for k in inverse]


def _symmetry(nx: np.ndarray, ny: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.minimum(nx, ny) / np.maximum(nx, ny)


def _build_edges(s, agg_parts, side_parts, n_acc, window, edge_weight, fast) -> pd.DataFrame:
    if not agg_parts:
        return _empty_edges(fast)
    allp = pd.concat(agg_parts, ignore_index=True)
    spec = {
        "weight": ("weight", "sum"),
        "dt": ("dt", "sum"),
        "tmin": ("tmin", "min"),
        "tmax": ("tmax", "max"),
    }
    if fast:
        spec |= {"weight_fast": ("weight_fast", "sum"), "dt_fast": ("dt_fast", "sum")}
    g = allp.groupby("key", sort=True)
    agg = g.agg(**spec)
    agg["mod"] = g["mod"].agg(np.bitwise_or.reduce)
    keys = agg.index.to_numpy()
    nx = _count_distinct([p["x"] for p in side_parts]).reindex(keys).to_numpy()
    ny = _count_distinct([p["y"] for p in side_parts]).reindex(keys).to_numpy()
    weight = agg["weight"].to_numpy()
    edges = pd.DataFrame(
        {
            "account": s.accounts[keys // n_acc],
            "account_y": s.accounts[keys % n_acc],
            "weight": weight.astype("int64"),
            "avg_time_delta": agg["dt"].to_numpy() / weight,
            "n_content_id": nx.astype("int64"),
            "n_content_id_y": ny.astype("int64"),
            "edge_symmetry_score": _symmetry(nx, ny),
            "modalities": _modality_lists(agg["mod"].to_numpy(), s.modalities),
            "first_time": agg["tmin"].to_numpy().astype("int64"),
            "last_time": agg["tmax"].to_numpy().astype("int64"),
            "window": int(window),
        }
    )
    threshold = np.quantile(weight, edge_weight)
    edges["weight_threshold"] = (weight > threshold).astype("int64")
    if fast:
        wf = agg["weight_fast"].to_numpy()
        has = wf > 0
        fx = _count_distinct([p["fx"] for p in side_parts]).reindex(keys).to_numpy()
        fy = _count_distinct([p["fy"] for p in side_parts]).reindex(keys).to_numpy()
        edges["weight_fast"] = pd.array(np.where(has, wf, 0), dtype="Int64")
        edges.loc[~has, "weight_fast"] = pd.NA
        with np.errstate(invalid="ignore", divide="ignore"):
            edges["avg_time_delta_fast"] = np.where(has, agg["dt_fast"].to_numpy() / np.maximum(wf, 1), np.nan)
        edges["edge_symmetry_score_fast"] = np.where(has, _symmetry(fx, fy), np.nan)
        flag = pd.array(np.zeros(len(edges), dtype="int64"), dtype="Int64")
        if has.any():
            threshold_fast = np.quantile(wf[has], edge_weight)
            flag = pd.array((wf > threshold_fast).astype("int64"), dtype="Int64")
        flag[~has] = pd.NA
        edges["weight_threshold_fast"] = flag
    return edges.reset_index(drop=True)


def _build_pairs(s, parts, fast) -> pd.DataFrame:
    if not parts:
        return _empty_pairs(fast)
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    frame = pd.DataFrame(
        {
            "modality": s.modalities[cat["modality"]],
            "object": s.objects[cat["object"]],
            "account": s.accounts[cat["account"]],
            "account_y": s.accounts[cat["account_y"]],
            "content": s.contents[cat["content"]],
            "content_y": s.contents[cat["content_y"]],
            "time": cat["time"].astype("int64"),
            "time_y": cat["time_y"].astype("int64"),
            "time_delta": cat["time_delta"].astype("int64"),
        }
    )
    if fast:
        frame["fast"] = cat["fast"].astype(bool)
    return frame


def _build_nodes(edges: pd.DataFrame) -> pd.DataFrame:
    """Accounts on any edge (a loop counts), degree = distinct other accounts."""
    if edges.empty:
        return _empty_nodes()
    ends = pd.concat(
        [
            edges[["account", "account_y", "weight"]].set_axis(["node", "other", "weight"], axis=1),
            edges[["account_y", "account", "weight"]].set_axis(["node", "other", "weight"], axis=1),
        ]
    )
    ends = ends[ends["node"] != ends["other"]]
    nodes = pd.unique(pd.concat([edges["account"], edges["account_y"]]).to_numpy())
    grouped = ends.groupby("node").agg(degree=("other", "nunique"), strength=("weight", "sum"))
    out = grouped.reindex(nodes).fillna(0).astype("int64")
    out.index.name = "account"
    return out.reset_index().sort_values("account", ignore_index=True)


# -------------------------------------------------------------------------- CNT

_MENTION = re.compile(r"@.*?(?=(?:\s|$))")


def cnt_normalise_text(text: str) -> str:
    """CNT's ``message_preprocessor``: drop @mentions, lowercase, squeeze whitespace.

    >>> cnt_normalise_text("Vote  NOW @bob  please")
    'vote now please'
    """
    return " ".join(_MENTION.sub("", text.lower()).split())


def detect_coordination_cnt(
    shares: pd.DataFrame,
    window: int = 60,
    min_weight: int = 1,
    *,
    loops: bool = False,
    text_modalities: Sequence[str] = ("text",),
    max_pairs_per_object: int | None = MAX_PAIRS_PER_OBJECT,
    chunk_pairs: int = CHUNK_PAIRS,
) -> CoordinationResult:
    """Directed co-action networks with the Coordination Network Toolkit's semantics.

    For each modality separately, edge ``account -> account_y`` weighs the number of
    distinct contents (messages) of ``account`` that have a share of the same object
    by ``account_y`` with ``|dt| <= window``. A message matches itself, so each
    account has a loop weighing its distinct messages in that modality; loops are
    returned only with ``loops=True``. Edges with weight below ``min_weight`` are
    dropped. Objects of ``text_modalities`` are first normalised with
    :func:`cnt_normalise_text` (CNT's co-tweet). As in CNT's tables, a (content,
    object) pair counts once, and for ``repost``/text modalities a content carries
    only its first object (CNT keys messages by id).

    Returns
    -------
    CoordinationResult
        ``edges`` has :data:`CNT_EDGE_COLUMNS` (``network`` is CNT's table name:
        co_retweet, co_link, co_tweet or the modality); ``nodes`` are the accounts on
        the returned edges; ``pairs`` is empty.

    Examples
    --------
    >>> shares = pd.DataFrame({"account": ["a", "b", "a"], "object": ["u", "u", "v"],
    ...     "content": ["m1", "m2", "m3"], "time": [0, 1, 5], "modality": "url"})
    >>> detect_coordination_cnt(shares, window=10).edges[["account", "account_y", "weight"]].values.tolist()
    [['a', 'b', 1], ['b', 'a', 1]]
    """
    _check_params(window, 1, 0.5, None)
    if min_weight < 1:
        raise InputError(f"min_weight must be at least 1, got {min_weight!r}")
    frame = _validate(shares)
    frame = frame[frame["content"].notna()]
    text_mask = frame["modality"].isin(list(text_modalities)) & frame["object"].notna()
    if text_mask.any():
        frame = frame.copy()
        frame.loc[text_mask, "object"] = frame.loc[text_mask, "object"].astype(str).map(cnt_normalise_text)
    frame = frame.drop_duplicates(["modality", "content", "object"])
    one_object = frame["modality"].isin(["repost", *text_modalities])
    frame = frame[~(one_object & frame.duplicated(["modality", "content"]))]
    s = _encode(frame)
    n_acc = max(len(s.accounts), 1)
    stats = {
        "semantics": "cnt",
        "rows": int(len(shares)),
        "window": int(window),
        "min_weight": int(min_weight),
        "loops": bool(loops),
        "max_pairs_per_object": max_pairs_per_object,
        "capped_objects": [],
        "pairs": 0,
    }
    out = []
    for mod_code in range(len(s.modalities)):
        rows = np.flatnonzero(s.modality == mod_code)
        srt = _sort_and_count(s.object[rows], s.time[rows], rows, window, max_pairs_per_object)
        for code, n_pairs in srt.capped:
            stats["capped_objects"].append(
                {"modality": s.modalities[mod_code], "object": s.objects[code], "pairs": n_pairs}
            )
        sr = rows[srt.order]
        a, c = s.account[sr], s.content[sr]
        # Self matches: every message matches itself (CNT's join has e_1 = e_2).
        keys = [a * n_acc + a]
        vals = [c]
        for i, j in _iter_pairs(srt.forward, chunk_pairs):
            stats["pairs"] += len(i)
            k = np.concatenate([a[i] * n_acc + a[j], a[j] * n_acc + a[i]])
            v = np.concatenate([c[i], c[j]])
            keys.append(k)
            vals.append(v)
            if sum(len(x) for x in keys) > 4 * chunk_pairs:
                uk, uv = _unique_pairs(np.concatenate(keys), np.concatenate(vals))
                keys, vals = [uk], [uv]
        uk, _ = _unique_pairs(np.concatenate(keys), np.concatenate(vals))
        ek, weight = np.unique(uk, return_counts=True)
        src, dst = ek // n_acc, ek % n_acc
        keep = weight >= min_weight
        if not loops:
            keep &= src != dst
        modality = str(s.modalities[mod_code])
        out.append(
            pd.DataFrame(
                {
                    "account": s.accounts[src[keep]],
                    "account_y": s.accounts[dst[keep]],
                    "weight": weight[keep].astype("int64"),
                    "modality": modality,
                    "network": CNT_NETWORKS.get(modality, modality),
                }
            )
        )
    if out:
        edges = pd.concat(out, ignore_index=True)
    else:
        edges = pd.DataFrame({c: pd.Series([], dtype="int64" if c == "weight" else object) for c in CNT_EDGE_COLUMNS})
    # loops make a node too, as in CNT's networkx graph
    nodes = _build_nodes(edges)
    stats["edges"] = len(edges)
    stats["nodes"] = len(nodes)
    return CoordinationResult(_empty_pairs(False), edges, nodes, stats, int(window), "cnt")


# ------------------------------------------------------------ fuzzy share objects


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected-component label per item, from candidate links (single linkage)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(left), dtype=bool), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _word_shingles(text: str, size: int) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[k : k + size]) for k in range(len(words) - size + 1)}


def near_duplicate_objects(
    texts: Sequence[str | None],
    threshold: float = 0.8,
    *,
    num_perm: int = 128,
    shingle_size: int = 3,
    seed: int = 1,
) -> list[str | None]:
    """Object ids for near-duplicate texts (MinHash LSH on word shingles).

    Texts whose estimated Jaccard similarity of word ``shingle_size``-grams is at
    least ``threshold`` are linked; linked texts (transitively) share one object id
    ``near:<k>``. Candidates from the LSH index are confirmed with the MinHash
    estimate, so both false positives and negatives are rare but possible.
    Missing or empty texts get None (they never co-share).

    Examples
    --------
    >>> near_duplicate_objects(["Vote for X today friends", "vote for x today, friends!",
    ...     "something else entirely here"])
    ['near:0', 'near:0', 'near:1']
    """
    from datasketch import MinHash, MinHashLSH

    if not 0 < threshold <= 1:
        raise InputError(f"threshold must be in (0, 1], got {threshold!r}")
    hashes: list = []
    usable = []
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for k, text in enumerate(texts):
        shingles = _word_shingles(text, shingle_size) if isinstance(text, str) else set()
        if not shingles:
            hashes.append(None)
            continue
        m = MinHash(num_perm=num_perm, seed=seed)
        m.update_batch([w.encode("utf8") for w in shingles])
        hashes.append(m)
        usable.append(k)
        lsh.insert(k, m, check_duplication=False)
    left, right = [], []
    for k in usable:
        for other in lsh.query(hashes[k]):
            if other > k and hashes[k].jaccard(hashes[other]) >= threshold:
                left.append(k)
                right.append(other)
    labels = _components(len(texts), np.array(left, dtype="int64"), np.array(right, dtype="int64"))
    return _relabel(labels, [h is not None for h in hashes], "near")


def _relabel(labels: np.ndarray, usable: Sequence[bool], prefix: str) -> list[str | None]:
    """Number clusters by first appearance so ids are stable for a given input."""
    names: dict[int, str] = {}
    out: list[str | None] = []
    for label, ok in zip(labels, usable):
        if not ok:
            out.append(None)
            continue
        if label not in names:
            names[label] = f"{prefix}:{len(names)}"
        out.append(names[label])
    return out


def image_hash_objects(phashes: Sequence[str | None], max_distance: int = 6) -> list[str | None]:
    """Object ids for images whose 64-bit perceptual hashes are within a Hamming distance.

    Hashes are hex strings (as ``imagehash`` prints them). Pairs at most
    ``max_distance`` bits apart are linked and linked images (transitively) share
    ``image:<k>``. Candidates come from the pigeonhole principle: split into
    ``max_distance + 1`` bit blocks, two hashes within the distance agree on at least
    one block, so only hashes sharing a block are compared (exact, no misses).

    Examples
    --------
    >>> image_hash_objects(["ffff0000ffff0000", "ffff0000ffff0001", "0000ffff0000ffff"], 2)
    ['image:0', 'image:0', 'image:1']
    """
    if not 0 <= max_distance < 64:
        raise InputError(f"max_distance must be between 0 and 63, got {max_distance!r}")
    values = np.zeros(len(phashes), dtype="uint64")
    usable = np.zeros(len(phashes), dtype=bool)
    for k, h in enumerate(phashes):
        if isinstance(h, str) and h.strip():
            try:
                v = int(h.strip(), 16)
            except ValueError:
                raise InputError(f"not a hex perceptual hash: {h!r}") from None
            if v >= 1 << 64:
                raise InputError(f"perceptual hash longer than 64 bits: {h!r}")
            values[k] = v
            usable[k] = True
    idx = np.flatnonzero(usable)
    vals = values[idx]
    blocks = max_distance + 1
    bounds = np.linspace(0, 64, blocks + 1).astype(int)
    left, right = [], []
    for b in range(blocks):
        width = int(bounds[b + 1] - bounds[b])
        part = (vals >> np.uint64(bounds[b])) & np.uint64((1 << width) - 1)
        order = np.argsort(part, kind="stable")
        p = part[order]
        starts = np.flatnonzero(np.r_[True, p[1:] != p[:-1]])
        ends = np.r_[starts[1:], len(p)]
        for st, en in zip(starts, ends):
            if en - st < 2:
                continue
            members = order[st:en]
            mv = vals[members]
            dist = np.bitwise_count(mv[:, None] ^ mv[None, :])
            x, y = np.nonzero(np.triu(dist <= max_distance, k=1))
            left.append(idx[members[x]])
            right.append(idx[members[y]])
    lf = np.concatenate(left) if left else np.zeros(0, dtype="int64")
    rt = np.concatenate(right) if right else np.zeros(0, dtype="int64")
    labels = _components(len(phashes), lf, rt)
    return _relabel(labels, usable.tolist(), "image")


def hashtag_sequence_objects(hashtags: Sequence, times: Sequence[int]) -> list[str | None]:
    """Object ids for "the same hashtag sequence on the same UTC calendar day".

    ``hashtags`` holds a list of tags or a whitespace-separated string per post; tags
    are lowercased, a leading ``#`` dropped, order kept (a sequence, not a set).
    Posts without hashtags get None.

    >>> hashtag_sequence_objects([["#Vote", "#X"], "#vote #x", ["#x", "#vote"]],
    ...     [0, 86399, 10])
    ['1970-01-01|vote x', '1970-01-01|vote x', '1970-01-01|x vote']
    """
    if len(hashtags) != len(times):
        raise InputError("hashtags and times must have the same length")
    days = pd.to_datetime(np.asarray(times, dtype="int64"), unit="s", utc=True).strftime("%Y-%m-%d")
    out: list[str | None] = []
    for tags, day in zip(hashtags, days):
        if isinstance(tags, str):
            tags = tags.split()
        if tags is None or (not isinstance(tags, Iterable)):
            out.append(None)
            continue
        clean = [str(t).strip().lstrip("#").lower() for t in tags]
        clean = [t for t in clean if t]
        out.append(f"{day}|{' '.join(clean)}" if clean else None)
    return out


# ---------------------------------------------------------------------- tables

#: Known table shapes: our column -> the table's column.
TABLE_SHAPES: dict[str, dict[str, str]] = {
    "coortweet": {
        "object": "object_id",
        "account": "account_id",
        "content": "content_id",
        "time": "timestamp_share",
    },
    "generic": {
        "account": "account_id",
        "object": "object_id",
        "content": "content_id",
        "time": "timestamp",
    },
}

#: CNT's CSV header, in its positional order.
CNT_COLUMNS = ["message_id", "user_id", "username", "repost_id", "reply_id", "message", "timestamp", "urls"]


def _open_header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            line = handle.readline()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    return [c.strip().strip('"') for c in line.rstrip("\r\n").split(",")]


def _cnt_shares(table: pd.DataFrame) -> pd.DataFrame:
    """CNT's message table as shares: repost, url and text modalities.

    As in CNT's preprocessing, URLs and text of reposts are not used, and a message
    id seen twice keeps its first row. One deliberate difference: CNT records an
    empty URL for messages without URLs, which co-links all of them; we skip it.
    """
    table = table.iloc[:, : len(CNT_COLUMNS)]
    table.columns = CNT_COLUMNS
    table = table.drop_duplicates("message_id")  # CNT: "insert or ignore" on message_id
    time = table["timestamp"]
    is_repost = table["repost_id"].fillna("").astype(str) != ""
    repost = pd.DataFrame(
        {
            "account": table["user_id"],
            "object": table["repost_id"],
            "content": table["message_id"],
            "time": time,
            "modality": "repost",
        }
    )[is_repost]
    original = table[~is_repost]
    text = pd.DataFrame(
        {
            "account": original["user_id"],
            "object": original["message"].fillna(""),
            "content": original["message_id"],
            "time": original["timestamp"],
            "modality": "text",
        }
    )
    urls = original.assign(url=original["urls"].fillna("").astype(str).str.split(" ")).explode("url")
    # CNT itself stores "" as a URL for a message without one (``"".split(" ")``),
    # which co-links every such message; an empty URL is not an object here.
    urls = urls[urls["url"].notna() & (urls["url"] != "")]
    url = pd.DataFrame(
        {
            "account": urls["user_id"],
            "object": urls["url"],
            "content": urls["message_id"],
            "time": urls["timestamp"],
            "modality": "url",
        }
    )
    return pd.concat([repost, url, text], ignore_index=True)


def read_share_table(
    path: str | Path,
    columns: Mapping[str, str | Sequence[str]] | str | None = None,
    *,
    modality: str | None = None,
    dedupe: bool = False,
) -> pd.DataFrame:
    """Read a share table (CSV or CSV.gz) into a share frame.

    Parameters
    ----------
    path : str or Path
    columns : mapping, str or None
        Our column -> the table's column (``account``, ``object``, ``content``,
        ``time``, optional ``modality``). ``object`` may list several columns, e.g.
        ``["url_id", "phash_id"]``: each becomes a modality named after its column.
        A string names a known shape (``"coortweet"``, ``"generic"``, ``"cnt"``).
        None detects the shape from the header.
    modality : str, optional
        Modality for every row when the table has none (default "share"; for the
        CooRTweet shape, "object").
    dedupe : bool
        Drop rows repeating (modality, object, account, content, time), as
        CooRTweet's multi-modal example does with ``unique()``.

    Rows with a missing object are dropped; ``frame.attrs["dropped"]`` counts what
    was dropped and why.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"share table not found: {path}")
    header = _open_header(path)
    if isinstance(columns, str):
        shape = columns
        if shape != "cnt" and shape not in TABLE_SHAPES:
            raise InputError(f"unknown table shape {shape!r}; use one of coortweet, generic, cnt")
        columns = None if shape == "cnt" else TABLE_SHAPES[shape]
    elif columns is None:
        shape = next(
            (name for name, spec in TABLE_SHAPES.items() if set(spec.values()) <= set(header)),
            "cnt" if header[: len(CNT_COLUMNS)] == CNT_COLUMNS else None,
        )
        if shape is None:
            raise InputError(
                f"cannot tell the shape of {path.name} from its header; pass a column mapping"
            )
        columns = None if shape == "cnt" else TABLE_SHAPES[shape]
    else:
        shape = "custom"
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=True)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    if shape == "cnt":
        frame = _cnt_shares(table)
    else:
        spec = dict(columns)
        objects = spec.pop("object", None)
        objects = [objects] if isinstance(objects, str) else list(objects or [])
        needed = [*objects, *spec.values()]
        missing = [c for c in needed if c not in table.columns]
        if missing or not objects:
            raise InputError(f"{path.name} lacks column(s): {', '.join(missing) or 'object'}")
        parts = []
        for column in objects:
            part = pd.DataFrame(
                {
                    "account": table[spec["account"]],
                    "object": table[column],
                    "content": table[spec["content"]],
                    "time": table[spec["time"]],
                }
            )
            if "modality" in spec:
                part["modality"] = table[spec["modality"]]
            elif len(objects) > 1:
                part["modality"] = column
            else:
                part["modality"] = modality or "share"
            parts.append(part)
        frame = pd.concat(parts, ignore_index=True)
    dropped = {}
    missing_object = frame["object"].isna()
    if missing_object.any():
        dropped["missing object"] = int(missing_object.sum())
        frame = frame[~missing_object]
    time = pd.to_numeric(frame["time"], errors="coerce")
    if time.isna().any():
        dropped["missing or bad time"] = int(time.isna().sum())
        frame, time = frame[time.notna()], time[time.notna()]
    frame = frame.assign(time=_as_time(time))
    if dedupe:
        before = len(frame)
        frame = frame.drop_duplicates(["modality", "object", "account", "content", "time"])
        if before - len(frame):
            dropped["duplicate"] = before - len(frame)
    frame = frame.reset_index(drop=True)[SHARE_COLUMNS]
    frame.attrs["dropped"] = dropped
    frame.attrs["shape"] = shape
    return frame


def run_on_table(
    path: str | Path,
    window: int | str,
    min_participation: int,
    edge_weight: float,
    semantics: str = "coortweet",
    columns: Mapping[str, str | Sequence[str]] | str | None = None,
    *,
    fast_window: int | None = None,
    loops: bool = False,
    dedupe: bool = False,
    max_pairs_per_object: int | None = MAX_PAIRS_PER_OBJECT,
) -> CoordinationResult:
    """Read a share table and detect coordination; what ``graphinv coordination`` runs.

    With ``semantics="cnt"`` ``min_participation`` is CNT's minimum edge weight.
    The result's ``summary`` is ``nodes=N edges=M``; pairs are not kept.
    """
    shares = read_share_table(path, columns, dedupe=dedupe)
    if semantics == "coortweet":
        result = detect_coordination(
            shares,
            window,
            min_participation,
            edge_weight,
            fast_window=fast_window,
            max_pairs_per_object=max_pairs_per_object,
            keep_pairs=False,
        )
    elif semantics == "cnt":
        if window == "auto":
            window = estimate_window(shares)
        result = detect_coordination_cnt(
            shares, window, min_participation, loops=loops, max_pairs_per_object=max_pairs_per_object
        )
    else:
        raise InputError(f"unknown semantics {semantics!r}; use coortweet or cnt")
    result.stats["dropped_on_read"] = shares.attrs.get("dropped", {})
    return result
