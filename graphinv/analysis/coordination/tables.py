"""Share tables on disk (CooRTweet's, CNT's, or mapped by hand) as share frames, and
:func:`run_on_table`, what ``graphinv coordination`` runs.

The header is read by the CSV collector's reader (:func:`collectors.csv_tables.read_header`),
so the analysis and ingest see the same columns and delimiter in one file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from graphinv.errors import InputError

from .coortweet import detect_coordination, estimate_window
from .kernel import MAX_PAIRS_PER_OBJECT, SHARE_COLUMNS, CoordinationResult, as_epoch_seconds
from .toolkit import detect_coordination_cnt

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


def table_shape(header: Sequence[str], columns: Mapping[str, str | Sequence[str]] | str | None,
                name: str) -> tuple[str, Mapping[str, str | Sequence[str]] | None]:
    """The table's shape (``coortweet``, ``generic``, ``cnt`` or ``custom``) and its column
    mapping (None for CNT's positional table), from its header and what was asked;
    both engines read tables through it.

    >>> table_shape(["object_id", "account_id", "content_id", "timestamp_share"], None, "t.csv")[0]
    'coortweet'
    """
    if isinstance(columns, str):
        if columns != "cnt" and columns not in TABLE_SHAPES:
            raise InputError(f"unknown table shape {columns!r}; use one of coortweet, generic, cnt")
        return columns, None if columns == "cnt" else TABLE_SHAPES[columns]
    if columns is not None:
        return "custom", columns
    shape = next(
        (shape for shape, spec in TABLE_SHAPES.items() if set(spec.values()) <= set(header)),
        "cnt" if list(header[: len(CNT_COLUMNS)]) == CNT_COLUMNS else None,
    )
    if shape is None:
        raise InputError(f"cannot tell the shape of {name} from its header; pass a column mapping")
    return shape, None if shape == "cnt" else TABLE_SHAPES[shape]


def share_columns(columns: Mapping[str, str | Sequence[str]], available: Sequence[str], modality: str | None,
                  name: str) -> list[tuple[dict[str, str], str | None]]:
    """Per object column of a mapped table: our column -> the table's column, and the
    modality as a value when the table has no modality column (a listed object column
    names its own modality). Both engines build the share frame from it.

    >>> share_columns({"account": "a", "object": ["url", "img"], "content": "c", "time": "t"},
    ...               ["a", "url", "img", "c", "t"], None, "t.csv")[1]
    ({'account': 'a', 'content': 'c', 'time': 't', 'object': 'img'}, 'img')
    """
    spec = dict(columns)
    objects = spec.pop("object", None)
    objects = [objects] if isinstance(objects, str) else list(objects or [])
    missing = [c for c in [*objects, *spec.values()] if c not in available]
    if missing or not objects:
        raise InputError(f"{name} lacks column(s): {', '.join(missing) or 'object'}")
    if "modality" in spec:
        return [(spec | {"object": column}, None) for column in objects]
    return [(spec | {"object": column}, column if len(objects) > 1 else modality or "share") for column in objects]


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
    # Imported here: the collectors package loads every collector (seconds), which the
    # pure functions of this package do not need.
    from collectors.csv_tables import read_header

    found = read_header(path)
    # An empty or unreadable file has no header: its shape cannot be told, and
    # reading it below reports why.
    header, delimiter = found if found else ([], ",")
    shape, columns = table_shape(header, columns, path.name)
    try:
        table = pd.read_csv(path, sep=delimiter, dtype=str, keep_default_na=True)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    if shape == "cnt":
        frame = _cnt_shares(table)
    else:
        parts = []
        for spec, value in share_columns(columns, table.columns, modality, path.name):
            part = pd.DataFrame({ours: table[theirs] for ours, theirs in spec.items()})
            if value is not None:
                part["modality"] = value
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
    frame = frame.assign(time=as_epoch_seconds(time))
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
