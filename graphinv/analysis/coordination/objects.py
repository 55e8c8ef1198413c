"""Share objects for fuzzy modalities: near-duplicate texts, look-alike images, the
same hashtag sequence on one day. Each function maps items to object ids (or None),
so that copies of one thing become one object of the share frame.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from graphinv.errors import InputError


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
