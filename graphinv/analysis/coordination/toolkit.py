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
    DistinctCounter,
    build_nodes,
    check_params,
    empty_pairs,
    encode_shares,
    iter_pairs,
    distinct,
    sort_and_count,
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
    s = encode_shares(frame)
    # As in CNT's tables, a (content, object) pair counts once, and a repost or text
    # content carries only its first object; deduplicated on codes, not strings.
    s = s.subset(~pd.Series(s.object * max(len(s.contents), 1) + s.content).duplicated().to_numpy())
    one_object = np.isin(s.modalities, ["repost", *text_modalities])[s.modality]
    again = pd.Series(s.content * max(len(s.modalities), 1) + s.modality).duplicated().to_numpy()
    s = s.subset(~(one_object & again))
    multi = s.multi_object_contents()
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
        if srt.capped:
            names = s.object_names(np.array([code for code, _ in srt.capped]))
            stats["capped_objects"] += [{"modality": s.modalities[mod_code], "object": name, "pairs": n_pairs}
                                        for name, (_, n_pairs) in zip(names, srt.capped)]
        sr = rows[srt.order]
        a, c = s.account[sr], s.content[sr]
        # A directed edge's weight: its first account's distinct messages with a match.
        counter = DistinctCounter(len(s.contents), chunk_pairs)
        for i, j, whole in iter_pairs(srt.object, srt.forward, chunk_pairs):
            stats["pairs"] += len(i)
            other = a[i] != a[j]  # an account's own messages are its loop, counted below
            i, j = i[other], j[other]
            # Both directions in one call: a value counted "safe" must be whole in it.
            value = np.concatenate([c[i], c[j]])
            counter.add(np.concatenate([a[i] * n_acc + a[j], a[j] * n_acc + a[i]]), value, whole & ~multi[value])
        weights = counter.result()
        ek, weight = weights.index.to_numpy(), weights.to_numpy()
        # Self matches: every message matches itself (CNT's join has e_1 = e_2), so an
        # account's loop weighs its distinct messages in the modality.
        own, _ = distinct(a, c, len(s.contents))
        loop_acc, loop_weight = np.unique(own, return_counts=True)
        ek = np.concatenate([ek, loop_acc * n_acc + loop_acc])
        weight = np.concatenate([weight, loop_weight])
        order = np.argsort(ek, kind="stable")
        ek, weight = ek[order], weight[order]
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
