"""What both coordination semantics share: the share frame as integer codes, the
pairs of shares within a window streamed in bounded chunks, the result record.

The algorithms themselves are in :mod:`.coortweet` and :mod:`.toolkit`; the share
frame's columns are described in :mod:`graphinv.analysis.coordination`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

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


def empty_pairs(fast: bool) -> pd.DataFrame:
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


def _empty_nodes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account": pd.Series([], dtype=object),
            "degree": pd.Series([], dtype="int64"),
            "strength": pd.Series([], dtype="int64"),
        }
    )


def as_epoch_seconds(values: pd.Series) -> np.ndarray:
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
class Shares:
    """Share frame as integer codes, the form both semantics work on."""

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


def validate_shares(shares: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(shares, pd.DataFrame):
        raise InputError("shares must be a pandas DataFrame")
    missing = [c for c in ("account", "object", "content", "time") if c not in shares]
    if missing:
        raise InputError(f"share frame lacks column(s): {', '.join(missing)}")
    frame = shares[[c for c in SHARE_COLUMNS if c in shares]]
    if "modality" not in frame:
        frame = frame.assign(modality="share")
    return frame


def encode_shares(shares: pd.DataFrame) -> Shares:
    frame = validate_shares(shares)
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
    time = as_epoch_seconds(frame["time"])

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
    return Shares(
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
class SortedShares:
    """Rows of one modality sorted by (object, time), with forward partner counts."""

    order: np.ndarray  # index into the input arrays per sorted position
    forward: np.ndarray  # partners j > i within the window, per sorted position
    capped: list  # (object code, pairs) skipped by the cap


def sort_and_count(
    obj: np.ndarray,
    time: np.ndarray,
    tiebreak: np.ndarray,
    window: int,
    max_pairs_per_object: int | None,
) -> SortedShares:
    order = np.lexsort((tiebreak, time, obj))
    o = obj[order]
    t = time[order]
    if len(o) == 0:
        return SortedShares(order, np.zeros(0, dtype="int64"), [])
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
    return SortedShares(order, forward.astype("int64"), capped)


def iter_pairs(forward: np.ndarray, chunk_pairs: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
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


# --------------------------------------------------------------------- shared steps


def check_params(window, min_participation, edge_weight, fast_window):
    """Refuse parameters neither semantics can run with (an :class:`InputError` naming it)."""
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


def unique_pairs(key: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (key, value) pairs, sorted by key then value."""
    order = np.lexsort((value, key))
    k, v = key[order], value[order]
    first = np.r_[True, (k[1:] != k[:-1]) | (v[1:] != v[:-1])]
    return k[first], v[first]


def build_nodes(edges: pd.DataFrame) -> pd.DataFrame:
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
