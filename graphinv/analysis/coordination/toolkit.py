"""The Coordination Network Toolkit's semantics (:func:`detect_coordination_cnt`).

See :mod:`graphinv.analysis.coordination` for the rules reproduced.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from graphinv.errors import InputError

from .kernel import (
    CHUNK_PAIRS,
    CNT_EDGE_COLUMNS,
    MAX_PAIRS_PER_OBJECT,
    CoordinationResult,
    build_nodes,
    check_params,
    empty_pairs,
    encode_shares,
    iter_pairs,
    sort_and_count,
    unique_pairs,
    validate_shares,
)

#: CNT's network names per modality; other modalities keep their own name.
CNT_NETWORKS = {"repost": "co_retweet", "url": "co_link", "text": "co_tweet"}

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
    check_params(window, 1, 0.5, None)
    if min_weight < 1:
        raise InputError(f"min_weight must be at least 1, got {min_weight!r}")
    frame = validate_shares(shares)
    frame = frame[frame["content"].notna()]
    text_mask = frame["modality"].isin(list(text_modalities)) & frame["object"].notna()
    if text_mask.any():
        frame = frame.copy()
        frame.loc[text_mask, "object"] = frame.loc[text_mask, "object"].astype(str).map(cnt_normalise_text)
    frame = frame.drop_duplicates(["modality", "content", "object"])
    one_object = frame["modality"].isin(["repost", *text_modalities])
    frame = frame[~(one_object & frame.duplicated(["modality", "content"]))]
    s = encode_shares(frame)
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
        srt = sort_and_count(s.object[rows], s.time[rows], rows, window, max_pairs_per_object)
        for code, n_pairs in srt.capped:
            stats["capped_objects"].append(
                {"modality": s.modalities[mod_code], "object": s.objects[code], "pairs": n_pairs}
            )
        sr = rows[srt.order]
        a, c = s.account[sr], s.content[sr]
        # Self matches: every message matches itself (CNT's join has e_1 = e_2).
        keys = [a * n_acc + a]
        vals = [c]
        for i, j in iter_pairs(srt.forward, chunk_pairs):
            stats["pairs"] += len(i)
            k = np.concatenate([a[i] * n_acc + a[j], a[j] * n_acc + a[i]])
            v = np.concatenate([c[i], c[j]])
            keys.append(k)
            vals.append(v)
            if sum(len(x) for x in keys) > 4 * chunk_pairs:
                uk, uv = unique_pairs(np.concatenate(keys), np.concatenate(vals))
                keys, vals = [uk], [uv]
        uk, _ = unique_pairs(np.concatenate(keys), np.concatenate(vals))
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
    nodes = build_nodes(edges)
    stats["edges"] = len(edges)
    stats["nodes"] = len(nodes)
    return CoordinationResult(empty_pairs(False), edges, nodes, stats, int(window), "cnt")
