"""Frame-level merge rules shared by both stores.

A batch may hold the same uid several times (an account seen in many tweets); it is
collapsed here with the schema's merge rules before any store sees it, so each store
only has to merge one incoming row with at most one stored row.

>>> import pandas as pd
>>> from graphinv.schema import SCHEMA
>>> df = pd.DataFrame({"uid": ["a", "a"], "first_seen": [5, 3], "last_seen": [5, 9],
...                    "handle": ["x", None], "runs": [["r1"], ["r2"]]})
>>> combine_rows(df, SCHEMA.nodes["Account"]).to_dict("records")
[{'uid': 'a', 'first_seen': 3, 'last_seen': 9, 'handle': 'x', 'runs': ['r1', 'r2']}]
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import GraphinvError
from ..normalize import INT64_MAX, INT64_MIN, clean_text
from ..schema import NodeKind, EdgeKind

ARROW_TYPES = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(),
               "bool": pa.bool_(), "strings": pa.list_(pa.string())}


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return value is pd.NA or value is pd.NaT


def union_lists(values: Iterable) -> list | None:
    """Set union of lists in order of first appearance; None when all are missing."""
    out: list = []
    seen: set = set()
    anything = False
    for value in values:
        if value is None or (not isinstance(value, (list, tuple, np.ndarray)) and is_missing(value)):
            continue
        anything = True
        for item in value:
            if item not in seen:
                seen.add(item)
                out.append(item)
    return out if anything else None


def rows_to_frame(rows: list[dict]) -> pd.DataFrame:
    """A frame of record rows. pandas keeps strings in Arrow, which refuses a lone
    surrogate that a collector let through: such strings get U+FFFD (the slow path
    runs only then).

    >>> rows_to_frame([{"uid": "a", "handle": "x\\udfff"}]).to_dict("records")
    [{'uid': 'a', 'handle': 'x�'}]
    """
    try:
        return pd.DataFrame(rows)
    except UnicodeEncodeError:
        return pd.DataFrame([{key: _clean_value(value) for key, value in row.items()} for row in rows])


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_text(v) if isinstance(v, str) else v for v in value]
    return value


def check_columns(df: pd.DataFrame, kind: NodeKind | EdgeKind, extra: Iterable[str] = ()) -> None:
    unknown = set(df.columns) - set(kind.properties) - set(extra)
    if unknown:
        raise GraphinvError(f"{kind.name} has no properties {sorted(unknown)}; "
                            f"declare them in graphinv/schema.yaml")


def combine_rows(df: pd.DataFrame, kind: NodeKind | EdgeKind, by: str = "uid") -> pd.DataFrame:
    """Collapse rows with the same ``by`` key using each property's merge rule."""
    if df.empty or not df[by].duplicated().any():
        return df.reset_index(drop=True)
    aggs = {}
    for col in df.columns:
        if col == by:
            continue
        prop = kind.properties.get(col)
        merge = prop.merge if prop is not None else "latest"
        if merge == "min":
            aggs[col] = "min"
        elif merge == "max":
            aggs[col] = "max"
        elif merge == "union":
            aggs[col] = union_lists
        else:
            aggs[col] = "last"  # GroupBy.last skips nulls: the newest known value wins
    out = df.groupby(by, sort=False, dropna=False).agg(aggs).reset_index()
    return out[list(df.columns)]


def merge_with_stored(incoming: pd.DataFrame, stored: pd.DataFrame, kind: NodeKind | EdgeKind,
                      by: str = "uid") -> pd.DataFrame:
    """The rows of ``incoming`` (keyed like ``stored``) whose merged values differ from
    what is stored, with the merged values. Rows that change nothing are dropped, which
    is what makes re-ingesting the same input cheap.

    >>> from graphinv.schema import SCHEMA
    >>> old = pd.DataFrame({"uid": ["a", "b"], "first_seen": [5, 1], "handle": ["x", "y"]})
    >>> new = pd.DataFrame({"uid": ["a", "b"], "first_seen": [3, 4], "handle": [None, "y"]})
    >>> merge_with_stored(new, old, SCHEMA.nodes["Account"]).to_dict("records")
    [{'uid': 'a', 'first_seen': 3, 'handle': 'x'}]
    """
    if incoming.empty or stored.empty:
        return incoming.iloc[0:0]
    inc = incoming.set_index(by)
    stored = stored.set_index(by).reindex(inc.index)
    merged = {}
    changed = np.zeros(len(inc), dtype=bool)
    for col in inc.columns:
        new = inc[col]
        old = stored[col] if col in stored.columns else pd.Series(None, index=inc.index, dtype=object)
        rule = kind.properties[col].merge if col in kind.properties else "latest"
        if rule == "union":
            old_values, new_values = old.tolist(), new.tolist()
            values, col_changed = [], []
            for o, n in zip(old_values, new_values):
                if _as_list(n) == _as_list(o) or not _as_list(n):
                    values.append(o)
                    col_changed.append(False)
                    continue
                v = union_lists([o, n])
                values.append(v)
                col_changed.append(_list_differs(o, v))
            merged[col] = pd.Series(values, index=inc.index, dtype=object)
            changed |= np.array(col_changed, dtype=bool)
            continue
        new_missing, old_missing = new.isna().to_numpy(), old.isna().to_numpy()
        new_obj, old_obj = new.astype(object), old.astype(object)
        if rule in ("min", "max"):
            both = ~new_missing & ~old_missing
            pick_new = old_missing.copy()
            if both.any():
                n_num = pd.to_numeric(new_obj[both])
                o_num = pd.to_numeric(old_obj[both])
                better = (n_num < o_num) if rule == "min" else (n_num > o_num)
                pick_new[both] = better.to_numpy()
            pick_new &= ~new_missing
        else:
            pick_new = ~new_missing
        value = old_obj.where(~pick_new, new_obj)
        value = value.where(~(new_missing & old_missing), None)
        same = (new_missing | (old_obj.where(~old_missing, None) == new_obj.where(~new_missing, None)).to_numpy())
        differs = pick_new & ~same
        if rule == "latest":
            # Equal numbers of different dtypes (1 vs 1.0) are the same value.
            numeric = differs & ~old_missing
            if numeric.any():
                a = pd.to_numeric(old_obj[numeric], errors="coerce")
                b = pd.to_numeric(new_obj[numeric], errors="coerce")
                equal = (a == b).to_numpy() & a.notna().to_numpy()
                differs[np.flatnonzero(numeric)[equal]] = False
        merged[col] = value
        changed |= differs
    out = pd.DataFrame(merged, index=inc.index)
    return out[changed].reset_index()


def _as_list(value: Any) -> list:
    if value is None or (not isinstance(value, (list, tuple, np.ndarray)) and is_missing(value)):
        return []
    return list(value)


def _list_differs(old: Any, new: Any) -> bool:
    old_list = [] if old is None or (not isinstance(old, (list, np.ndarray)) and is_missing(old)) else list(old)
    new_list = [] if new is None else list(new)
    return old_list != new_list


def to_arrow(df: pd.DataFrame, kind: NodeKind | EdgeKind, columns: list[str]) -> pa.Table:
    """A typed Arrow table with ``columns`` in order; absent columns become nulls.

    The last guard before the stores, which refuse what collectors should have cleaned
    (and count): a lone surrogate in a string becomes U+FFFD, an int beyond 64 bits
    is left empty.

    >>> from graphinv.schema import SCHEMA
    >>> df = pd.DataFrame({"handle": pd.Series(["a\\ud800"], dtype=object), "followers": [2**70]})
    >>> to_arrow(df, SCHEMA.nodes["Account"], ["handle", "followers"]).to_pylist()
    [{'handle': 'a�', 'followers': None}]
    """
    arrays = []
    for col in columns:
        ptype = ARROW_TYPES[kind.properties[col].type]
        if col not in df.columns:
            arrays.append(pa.nulls(len(df), type=ptype))
            continue
        series = df[col]
        if ptype == pa.list_(pa.string()):
            values = [None if (v is None or (not isinstance(v, (list, np.ndarray)) and is_missing(v)))
                      else [str(x) for x in v] for v in series.tolist()]
            try:
                arrays.append(pa.array(values, type=ptype))
            except UnicodeEncodeError:
                arrays.append(pa.array([None if v is None else [clean_text(x) for x in v] for v in values],
                                       type=ptype))
        elif ptype == pa.string():
            try:
                arrays.append(pa.array(series, type=ptype, from_pandas=True))
            except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
                # Mixed values (numbers among strings), or a lone surrogate: one by one.
                values = [None if is_missing(v) else clean_text(str(v)) for v in series.tolist()]
                arrays.append(pa.array(values, type=ptype))
        elif ptype == pa.int64() and series.dtype == object:
            # Python ints of any size: those beyond 64 bits are left empty.
            values = [None if is_missing(v) or (isinstance(v, int) and not INT64_MIN <= v <= INT64_MAX) else v
                      for v in series.tolist()]
            try:
                arrays.append(pa.array(values, type=ptype, from_pandas=True))
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
                raise GraphinvError(f"{kind.name}.{col}: values are not int: {exc}") from None
        else:
            try:
                arrays.append(pa.array(series, type=ptype, from_pandas=True))
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
                raise GraphinvError(f"{kind.name}.{col}: values are not {kind.properties[col].type}: {exc}") from None
    return pa.Table.from_arrays(arrays, names=columns)


def to_params(df: pd.DataFrame, kind: NodeKind | EdgeKind) -> list[dict]:
    """Rows as plain Python values (None for missing) for Cypher parameters."""
    table = to_arrow(df, kind, [c for c in df.columns if c in kind.properties])
    extra = [c for c in df.columns if c not in kind.properties]
    rows = table.to_pylist()
    if extra:
        for row, values in zip(rows, df[extra].to_dict("records")):
            row.update({k: (None if is_missing(v) else v) for k, v in values.items()})
    return rows


_MIX = np.uint64(0x9E3779B97F4A7C15)


def row_hashes(table: pa.Table, skip: Iterable[str] = ("uid", "from", "to")) -> np.ndarray:
    """A 64-bit hash of each row's values (int64), the same for the same values whatever
    the columns' order, and a missing column the same as a column of nulls (an empty
    list counts as missing, as the union rule reads it). The embedded store keeps it
    per row to see, without reading a row back, that an incoming row is the one it last
    merged (merging it again would change nothing).

    >>> from graphinv.schema import SCHEMA
    >>> account = SCHEMA.nodes["Account"]
    >>> a = to_arrow(pd.DataFrame({"handle": ["x"], "followers": [3]}), account, ["handle", "followers"])
    >>> b = to_arrow(pd.DataFrame({"followers": [3], "handle": ["x"], "runs": [[]]}), account,
    ...              ["followers", "handle", "runs"])
    >>> bool(row_hashes(a)[0] == row_hashes(b)[0])
    True
    """
    total = np.zeros(table.num_rows, dtype=np.uint64)
    for name in table.column_names:
        if name in skip:
            continue
        column = table.column(name).combine_chunks()
        valid = column.is_valid().to_numpy(zero_copy_only=False)
        if pa.types.is_list(column.type):
            valid &= pc.fill_null(pc.list_value_length(column), 0).to_numpy(zero_copy_only=False) > 0
            column = pc.binary_join(column, "\x1f")
        if not valid.any():
            continue
        if pa.types.is_string(column.type):
            values = column.fill_null("").to_numpy(zero_copy_only=False)
        else:
            values = column.fill_null(0 if not pa.types.is_boolean(column.type) else False).to_numpy(
                zero_copy_only=False)
        name_hash = np.uint64(int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little"))
        with np.errstate(over="ignore"):
            mixed = (pd.util.hash_array(values, categorize=False) ^ name_hash) * _MIX
            total += np.where(valid, mixed, np.uint64(0))
    return total.view(np.int64)
