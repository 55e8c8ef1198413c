"""What both coordination semantics share: the share frame as integer codes, the
pairs of shares within a window streamed in bounded chunks, the result record.

The algorithms themselves are in :mod:`.coortweet` and :mod:`.toolkit`; the share
frame's columns are described in :mod:`graphinv.analysis.coordination`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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

#: Per modality and account pair: co-share pairs and distinct objects co-acted on.
MODALITY_EDGE_COLUMNS = ["modality", "account", "account_y", "weight", "objects"]

NODE_COLUMNS = ["account", "degree", "strength"]

#: No object is skipped by default: its pairs are streamed like any other's. A cap
#: (objects over it skipped and listed in ``stats["capped_objects"]``) is opt-in.
MAX_PAIRS_PER_OBJECT = None

#: Pairs materialised at once while streaming; bounds peak memory (~100 bytes each).
CHUNK_PAIRS = 2_000_000


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
    modality_edges : DataFrame
        CooRTweet only: :data:`MODALITY_EDGE_COLUMNS`, the edges split by modality
        with the distinct objects each pair co-acted on (what the significance test
        of :mod:`.significance` reads, without the pair table).
    """

    pairs: pd.DataFrame
    edges: pd.DataFrame
    nodes: pd.DataFrame
    stats: dict = field(default_factory=dict)
    window: int = 0
    semantics: str = "coortweet"
    modality_edges: pd.DataFrame = field(default_factory=lambda: empty_modality_edges())

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


def empty_modality_edges() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="int64" if c in ("weight", "objects") else object)
                         for c in MODALITY_EDGE_COLUMNS})


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


def _strings(values: pd.Series) -> pa.Array:
    """A column as one Arrow string array, nulls kept (numbers and the like as text)."""
    arr = pa.array(values.astype("str"))
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _dictionary(arr: pa.Array, sort: bool = False) -> tuple[np.ndarray, pa.Array]:
    """Integer codes (-1 for null) and the distinct values, by Arrow's hash table.

    With ``sort`` the codes follow the values' order (UTF-8 byte order, which is code
    point order, the order Python compares strings in).
    """
    encoded = pc.dictionary_encode(arr)
    codes = encoded.indices.fill_null(-1).to_numpy().astype("int64")
    values = encoded.dictionary
    if sort and len(values):
        order = pc.array_sort_indices(values).to_numpy()
        rank = np.empty(len(order), dtype="int64")
        rank[order] = np.arange(len(order))
        codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)
        values = values.take(pa.array(order))
    return codes, values


def _names(values: pa.Array, codes: np.ndarray) -> np.ndarray:
    return values.take(pa.array(np.asarray(codes, dtype="int64"))).to_numpy(zero_copy_only=False)


@dataclass
class Shares:
    """Share frame as integer codes, the form both semantics work on.

    The strings stay in Arrow arrays and are looked up only for what is returned
    (:meth:`object_names`, :meth:`content_names`): a 10M-row table is never turned
    into Python strings.
    """

    account: np.ndarray  # int64 codes; code order is the accounts' string order
    accounts: np.ndarray  # code -> account string
    object: np.ndarray  # int64 codes of (modality, object)
    object_values: pa.Array  # distinct object strings
    object_index: np.ndarray  # object code -> position in object_values
    content: np.ndarray  # int64 codes, -1 for a missing content
    contents: pa.Array  # code -> content string
    time: np.ndarray  # int64
    modality: np.ndarray  # int64 codes
    modalities: np.ndarray  # code -> modality string
    object_is_content: np.ndarray  # bool: the row's content equals its object
    dropped_missing: int

    def object_names(self, codes: np.ndarray) -> np.ndarray:
        return _names(self.object_values, self.object_index[codes])

    def content_names(self, codes: np.ndarray) -> np.ndarray:
        return _names(self.contents, codes)

    @property
    def n_objects(self) -> int:
        return len(self.object_index)

    def subset(self, rows: np.ndarray) -> Shares:
        """The same codes for the rows ``rows`` (an index or a boolean mask)."""
        return replace(self, account=self.account[rows], object=self.object[rows], content=self.content[rows],
                       time=self.time[rows], modality=self.modality[rows],
                       object_is_content=self.object_is_content[rows])

    def multi_object_contents(self) -> np.ndarray:
        """Per content code: carried by more than one object (a post with two links, or
        seen as a URL and as a text). Its co-shares can recur in two objects' chunks."""
        has = self.content >= 0
        c, _ = distinct(self.content[has], self.object[has], self.n_objects)
        return np.bincount(c, minlength=len(self.contents)) > 1


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


def encode_shares(shares: pd.DataFrame | Shares) -> Shares:
    """The share frame as codes (a :class:`Shares` is returned as it is)."""
    if isinstance(shares, Shares):
        return shares
    frame = validate_shares(shares)
    # A share needs an account, an object and a time; a missing content still counts
    # for participation (as in CooRTweet) but never pairs.
    keep = frame["account"].notna() & frame["object"].notna() & frame["time"].notna()
    keep &= frame["modality"].notna()
    dropped = int((~keep).sum())
    if dropped:
        frame = frame[keep]
    time = as_epoch_seconds(frame["time"])
    object_str = _strings(frame["object"])
    content_str = _strings(frame["content"])
    # sorted so that comparing account codes compares account strings, which is how
    # CooRTweet orients an undirected edge (pmin/pmax, C-locale order here).
    account, accounts = _dictionary(_strings(frame["account"]), sort=True)
    modality, modalities = _dictionary(_strings(frame["modality"]), sort=True)
    obj_single, object_values = _dictionary(object_str)
    # (modality, object) as one key: the same string in two modalities is two objects
    width = max(len(object_values), 1)
    obj_code, uniq = pd.factorize(modality * width + obj_single)
    content, contents = _dictionary(content_str)
    object_is_content = pc.fill_null(pc.equal(content_str, object_str), False).to_numpy(zero_copy_only=False)
    return Shares(
        account=account,
        accounts=accounts.to_numpy(zero_copy_only=False).astype(object),
        object=obj_code.astype("int64"),
        object_values=object_values,
        object_index=(uniq % width).astype("int64"),
        content=content,
        contents=contents,
        time=time,
        modality=modality,
        modalities=modalities.to_numpy(zero_copy_only=False).astype(object),
        object_is_content=np.asarray(object_is_content, dtype=bool),
        dropped_missing=dropped,
    )


# ------------------------------------------------------------------- pair streaming


@dataclass
class SortedShares:
    """Rows of one modality sorted by (object, time), with forward partner counts."""

    order: np.ndarray  # index into the input arrays per sorted position
    forward: np.ndarray  # partners j > i within the window, per sorted position
    capped: list  # (object code, pairs) skipped by the cap
    object: np.ndarray = None  # object code per sorted position


def sort_and_count(
    obj: np.ndarray,
    time: np.ndarray,
    tiebreak: np.ndarray,
    window: int,
    max_pairs_per_object: int | None = None,
) -> SortedShares:
    if len(obj) == 0:
        return SortedShares(np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64"), [], obj)
    # One int64 key per share, key = object * stride + (time - tmin), so that one
    # stable sort orders by (object, time, tiebreak) and one searchsorted finds, for
    # every share, the end of its object's window (a three-key lexsort is 3x slower).
    t0 = time - time.min()
    stride = int(t0.max()) + int(window) + 1
    if int(obj.max()) + 1 > (2**62) // stride:
        raise InputError("time span times object count too large to index; split the input")
    first = np.arange(len(obj)) if np.all(tiebreak[1:] >= tiebreak[:-1]) else np.argsort(tiebreak, kind="stable")
    order = first[np.argsort((obj * stride + t0)[first], kind="stable")]
    o = obj[order]
    key = o * stride + t0[order]
    end = np.searchsorted(key, key + int(window), side="right")
    forward = end - np.arange(len(key)) - 1
    capped = []
    if max_pairs_per_object is not None:
        per_object = np.bincount(o, weights=forward, minlength=int(o.max()) + 1)
        over = np.flatnonzero(per_object > max_pairs_per_object)
        if len(over):
            forward = np.where(np.isin(o, over), 0, forward)
            capped = [(int(code), int(per_object[code])) for code in over]
    return SortedShares(order, forward.astype("int64"), capped, o)


def _expand(forward: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    counts = forward[lo:hi]
    m = int(counts.sum())
    i = np.repeat(np.arange(lo, hi, dtype="int64"), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    return i, i + 1 + (np.arange(m, dtype="int64") - first)


def iter_pairs(sorted_objects: np.ndarray, forward: np.ndarray,
               chunk_pairs: int) -> Iterator[tuple[np.ndarray, np.ndarray, bool]]:
    """Yield ``(i, j, whole)``: sorted positions of the forward pairs, about
    ``chunk_pairs`` at a time, in object order.

    Pair (i, j) exists for i < j <= i + forward[i]. Chunks end where an object ends,
    so ``whole`` chunks hold every pair of their objects and anything distinct within
    one object (the accounts that co-acted on it) is distinct within the chunk. An
    object with more pairs than ``chunk_pairs`` (a viral post) comes in pieces of its
    rows, flagged ``whole=False``; nothing is skipped.
    """
    n = len(forward)
    if n == 0:
        return
    before = np.concatenate([[0], np.cumsum(forward)])  # pairs before each row
    if before[-1] == 0:
        return
    bounds = np.r_[np.flatnonzero(np.r_[True, sorted_objects[1:] != sorted_objects[:-1]]), n]
    at = before[bounds]
    k = 0
    while k < len(bounds) - 1:
        far = int(np.searchsorted(at, at[k] + chunk_pairs, side="right")) - 1
        if far > k:
            lo, hi = int(bounds[k]), int(bounds[far])
            if before[hi] > before[lo]:
                yield (*_expand(forward, lo, hi), True)
            k = far
            continue
        row, end = int(bounds[k]), int(bounds[k + 1])
        while row < end:
            stop = int(np.searchsorted(before, before[row] + chunk_pairs, side="right")) - 1
            stop = min(max(stop, row + 1), end)
            yield (*_expand(forward, row, stop), False)
            row = stop
        k += 1


_REDUCE = {"sum": np.add, "min": np.minimum, "max": np.maximum}


def _reduce(key: np.ndarray, columns: dict, how: dict, kind: str | None = None) -> tuple[np.ndarray, dict]:
    """Sorted distinct keys and each column reduced per key (numpy's sort is several
    times faster than a hash group-by on tens of millions of int64 keys)."""
    order = np.argsort(key, kind=kind)
    ordered = key[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return ordered[starts], {name: _REDUCE[how[name]].reduceat(columns[name][order], starts) for name in how}


class KeyedSums:
    """Per-key sums, minima and maxima of streamed chunks, merged as they come, so
    memory follows the number of distinct keys (edges), not of pairs.

    >>> sums = KeyedSums({"weight": "sum", "first": "min"}, floor=2)
    >>> sums.add(np.array([7, 7, 3]), weight=np.array([1, 1, 1]), first=np.array([5, 2, 9]))
    >>> sums.add(np.array([3]), weight=np.array([1]), first=np.array([1]))
    >>> sums.result().to_dict("index")
    {3: {'weight': 2, 'first': 1}, 7: {'weight': 2, 'first': 2}}
    """

    def __init__(self, how: dict[str, str], floor: int = CHUNK_PAIRS):
        self.how, self.floor = how, floor
        self.parts: list[tuple[np.ndarray, dict]] = []
        self.base_rows = self.fresh_rows = 0

    def add(self, key: np.ndarray, presorted: bool = False, **columns: np.ndarray) -> None:
        """Add a chunk; ``presorted`` says its keys are already sorted and distinct."""
        if len(key) == 0:
            return
        self.parts.append((key, columns) if presorted else _reduce(key, columns, self.how))
        self.fresh_rows += len(self.parts[-1][0])
        # Merge when the new rows outgrow what is merged: each row is merged O(1) times.
        if self.fresh_rows > max(self.floor, self.base_rows):
            self._merge()

    def _merge(self) -> None:
        if len(self.parts) > 1:
            key = np.concatenate([k for k, _ in self.parts])
            columns = {name: np.concatenate([c[name] for _, c in self.parts]) for name in self.how}
            # The parts are sorted runs, which a stable (merge) sort takes nearly as they are.
            self.parts = [_reduce(key, columns, self.how, kind="stable")]
        self.base_rows, self.fresh_rows = len(self.parts[0][0]), 0

    def result(self) -> pd.DataFrame:
        """One row per key, sorted by key (index ``key``)."""
        if not self.parts:
            return pd.DataFrame({c: pd.Series([], dtype="int64") for c in self.how}).rename_axis("key")
        self._merge()
        key, columns = self.parts[0]
        return pd.DataFrame(columns, index=pd.Index(key, name="key"))


class DistinctCounter:
    """How many distinct values each key has seen across streamed chunks.

    A (key, value) marked ``safe`` is one that no other call to :meth:`add` can bring
    again (its object's pairs were all in this call, and the value belongs to that
    object only): it is counted at once. The others wait in a pool, deduplicated as
    it grows. Memory follows the keys plus the unsafe values, not the pairs.

    >>> counter = DistinctCounter(n_values=10)
    >>> counter.add(np.array([1, 1, 2]), np.array([4, 4, 5]), safe=np.array([True, True, False]))
    >>> counter.add(np.array([2]), np.array([5]), safe=np.array([False]))
    >>> counter.result().to_dict()
    {1: 1, 2: 1}
    """

    def __init__(self, n_values: int, floor: int = CHUNK_PAIRS):
        self.n_values, self.floor = max(int(n_values), 1), floor
        self.counts = KeyedSums({"n": "sum"}, floor)
        self.pool: list[tuple[np.ndarray, np.ndarray]] = []  # distinct (key, value) of unsafe rows
        self.pool_rows = self.pool_base = 0

    def add(self, key: np.ndarray, value: np.ndarray, safe: np.ndarray | bool = False) -> None:
        if len(key) == 0:
            return
        safe = np.broadcast_to(safe, key.shape)
        if safe.all():
            self._count(key, value)
        elif safe.any():
            self._count(key[safe], value[safe])
        if not safe.all():
            unsafe = ~safe
            self.pool.append(distinct(key[unsafe], value[unsafe], self.n_values))
            self.pool_rows += len(self.pool[-1][0])
            if self.pool_rows - self.pool_base > max(self.floor, self.pool_base):
                self._merge_pool()

    def _count(self, key: np.ndarray, value: np.ndarray) -> None:
        k, _ = distinct(key, value, self.n_values)  # sorted by key
        starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
        self.counts.add(k[starts], presorted=True, n=np.diff(np.r_[starts, len(k)]))

    def _merge_pool(self) -> None:
        self.pool = [distinct(np.concatenate([k for k, _ in self.pool]),
                              np.concatenate([v for _, v in self.pool]), self.n_values)]
        self.pool_rows = self.pool_base = len(self.pool[0][0])

    def result(self) -> pd.Series:
        """Distinct values per key, sorted by key."""
        if self.pool:
            self._merge_pool()
            self._count(*self.pool[0])
            self.pool = []
        return self.counts.result()["n"].astype("int64")


def distinct(key: np.ndarray, value: np.ndarray, n_values: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (key, value) pairs (values below ``n_values``), sorted by key then value."""
    if len(key) and int(key.max()) < (2**63 - 1) // max(n_values, 1):
        combined = np.sort(key * n_values + value)
        combined = combined[np.r_[True, combined[1:] != combined[:-1]]]
        return combined // n_values, combined % n_values
    return unique_pairs(key, value)


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
    if len(key) == 0:
        return key, value
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
