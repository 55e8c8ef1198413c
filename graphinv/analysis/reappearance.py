"""Reappearance: a site or account that goes quiet or is taken down, and its successor.

A banned site comes back under a new domain with the same AdSense and Analytics IDs
and the same articles; a suspended account is re-created as ``name2`` with the same
bio, link and face. This module finds such (old → new) pairs among sites and among the
accounts of one platform, scores them with the evidence for each signal, and groups
chains of several generations into one lineage.

Timing (a pair is a candidate only if it holds)
-----------------------------------------------
For every entity: ``start`` = its first activity (a captured page or an ``active``
observation for a site; a post or a repost for an account, or its ``first_seen``),
``down`` = the first Observation saying it is gone (status ``suspended``,
``deleted``, ``not_found``, ``withheld``, or HTTP 404/410/451 recorded without a
status: :func:`graphinv.vocabulary.is_gone`), ``quiet`` = its last
activity at or before ``down`` (its last activity at all when it was never seen gone;
activity after a takedown is ignored: a reinstated or mis-dated item does not make
the successor a contemporary). ``old → new`` is a candidate when both are sites, or
accounts of the same platform, and ``quiet(old) <= start(new)`` and
``start(new) - quiet(old) <= max_gap_days``. The ``gap`` written is that difference in
seconds. So two accounts active at the same time are never a reappearance, whatever
their names. An account's ``start`` includes its creation date (``created_at``), and a
site's the first capture of any page or post linking to it: a successor must first
appear after its predecessor went quiet, so an old account or a news site the old site
cited while it was up is a contemporary, not a successor.

Signals
-------
The weights below are ``SITE_WEIGHTS`` and ``ACCOUNT_WEIGHTS``; the tests keep this
table and the code in step.

Every shared thing is a *token* held by a number ``k`` of entities (of the same kind and
platform). Its **rarity** is ``r = 1 / (k - 1)``: a token shared by two entities links
them with certainty, one shared by ``k`` links each entity to ``k - 1`` others and is
worth ``1/(k-1)`` of a link (an AdSense ID on two sites: 1; a site-builder's GTM
container on 13 sites: 1/12). Tokens held by more than ``max_holders`` entities are
ignored. A signal's strength ``x`` in [0, 1] combines its tokens as a noisy OR,
``x = 1 - prod(1 - t_i * r_i)``, with ``t_i`` the token's type weight (1 except for
tracking IDs, below). The signals:

============== =============================================================== ========= ========
signal         tokens                                                          w sites   w accounts
============== =============================================================== ========= ========
ids            Identifier uids (``Site/Account -USES->``); type weight t:       0.9       0.9
               adsense, fb_pixel, yandex_metrika, google_ads, wallets, email,
               verification tokens 1.0; ga, ga4, matomo, hotjar, cf_beacon
               0.9; ga_property 0.8; gtm 0.6; ip 0.3; ns 0.2; others 0.5
articles/posts near-duplicate texts: MinHash (``Post.text_minhash``) Jaccard >=  0.8       0.7
               ``text_threshold``, grouped into clusters (one token each; t = 0.6)
images         the same image: equal sha256, or pHash Hamming distance <=       0.45      0.45
               ``phash_distance`` (clusters); for accounts the avatar too
profile_link   ``Account -PROFILE_LINK->`` Url                                  -         0.45
bio            the same bio (case and spacing folded); a bio that is not equal  -         0.45
               but within ``ratio >= 90`` (a sentence added) counts with the
               rarity of every bio that close to it, ``x = ratio/100 * r``
outlinks       Urls both link to (pages' outlinks, posts' links)                0.4       0.3
audience       accounts that link to both (sites), or repost, reply to, quote   0.35      0.35
               or mention both (accounts)
crosslink      one links to / redirects to / mentions the other: x = 1          0.45      0.3
display_name   the same display name (folded), as a token                      -         0.3
name           handle or domain similarity: rapidfuzz ``ratio`` of the          0.25      0.3
               skeletons (homoglyphs l/I/1 and 0/O folded, ``_ . -`` and
               trailing digits dropped; domains: ``token_set_ratio`` of the
               first label's words), ``x = ratio/100`` when >= 0.8, else 0
============== =============================================================== ========= ========

Score
-----
``score = 1 - prod_s (1 - w_s * x_s)`` over the signals (a noisy OR: independent
pieces of evidence each make a coincidence less likely). A pair is **accepted** when
``score >= min_score`` (0.5) **and** the signals other than the names (``name``,
``display_name``), combined the same way, reach ``min_evidence`` (0.3): names alone
reach at most ``1 - 0.7 * 0.7 = 0.51`` (both identical *and* rare) and are refused by
the second rule, so a look-alike name that follows a suspension is not a reappearance
without something the operator carried over (a bio, a link, a face, texts, IDs…).

Look-alikes of one Target (see :mod:`.impersonation`) resemble each other because they
copy the same person, not because one operator runs them: account pairs named like the
same Target are not candidates here; they are reported as impersonations.

Lineage
-------
Each new entity keeps one predecessor: of its accepted candidates, the one that went
quiet last (the smallest gap): in a chain A → B → C, C may share more with A than with
B, but it replaces B. The accepted edges' connected components are lineages, named
``lineage:<uid of the earliest member>``; every edge carries its lineage.

The pure function is :func:`find_reappearances` (frames in, edges out). As every
analysis (see :mod:`graphinv.analysis.registry`): :func:`read` takes the frames from a
store, :func:`compute` finds the edges, :func:`write` replaces the REAPPEARS_AS edges;
:func:`analyze` runs the three.

This module is over 600 lines on purpose: the signal table above, the scoring that
implements it and the store queries that feed it are one analysis, read together
(tests/test_signal_docs.py keeps the table and the code in step).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd
from rapidfuzz import fuzz

from ..vocabulary import gone_mask
from .impersonation import account_frame, skeleton, target_frame, target_lookalikes
from .runs import AnalysisRun, recorded_json, start_run, with_overrides

SITE_WEIGHTS = {"ids": 0.9, "articles": 0.8, "images": 0.45, "outlinks": 0.4, "audience": 0.35,
                "crosslink": 0.45, "name": 0.25}
ACCOUNT_WEIGHTS = {"ids": 0.9, "posts": 0.7, "images": 0.45, "profile_link": 0.45, "bio": 0.45, "outlinks": 0.3,
                   "audience": 0.35, "crosslink": 0.3, "display_name": 0.3, "name": 0.3}
TEXT_TOKEN_WEIGHT = 0.6  # one shared text is a hint; two or more make the text signal strong
BIO_FULL_CHARS = 40  # shorter bios ("Teacher.") are weaker evidence, in proportion
NAME_SIGNALS = ("name", "display_name")
ID_TYPE_WEIGHTS = {
    "adsense": 1.0, "fb_pixel": 1.0, "yandex_metrika": 1.0, "google_ads": 1.0, "btc": 1.0, "eth": 1.0, "xmr": 1.0,
    "email": 1.0, "google_site_verification": 1.0, "yandex_verification": 1.0,
    "facebook_domain_verification": 1.0, "bing_verification": 1.0, "pinterest_verification": 1.0,
    "amazon_tag": 1.0, "ga": 0.9, "ga4": 0.9, "matomo": 0.9, "hotjar": 0.9, "cf_beacon": 0.9,
    "ga_property": 0.8, "gtm": 0.6, "ip": 0.3, "ns": 0.2,
}
EDGE_COLUMNS = ["src", "dst", "score", "gap", "signals", "evidence", "lineage"]


@dataclass(frozen=True)
class ReappearanceParams:
    """Thresholds of the analysis; recorded with every edge it writes."""

    min_score: float = 0.5
    min_evidence: float = 0.3
    max_gap_days: float = 120.0
    text_threshold: float = 0.6
    min_text_chars: int = 60
    min_article_chars: int = 200
    phash_distance: int = 8
    name_threshold: float = 0.8
    max_holders: int = 200
    weights: dict = field(default_factory=dict)  # overrides of SITE_WEIGHTS / ACCOUNT_WEIGHTS


# ----------------------------------------------------------------------- helpers


def id_type_weight(token: str) -> float:
    """The type weight of an Identifier uid (``identifier:adsense:pub-1`` → 1.0)."""
    parts = token.split(":")
    id_type = parts[1] if len(parts) > 2 and parts[0] == "identifier" else parts[0]
    return ID_TYPE_WEIGHTS.get(id_type, 0.5)


def rarity(holders: int) -> float:
    """Worth of a token held by ``holders`` entities: ``1 / (holders - 1)``.

    >>> rarity(2), rarity(3), rarity(13)
    (1.0, 0.5, 0.08333333333333333)
    """
    return 1.0 / max(holders - 1, 1)


def domain_similarity(a: str, b: str) -> float:
    """Similarity of two domains' first labels, by their words.

    >>> domain_similarity("ostervale-truth.example", "truth-ostervale.example")
    1.0
    """
    def words(domain: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", (domain or "").split(".")[0].lower()).strip()
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    return max(fuzz.token_set_ratio(wa, wb), fuzz.ratio(wa.replace(" ", ""), wb.replace(" ", ""))) / 100.0


def handle_similarity(a: str, b: str) -> float:
    """Similarity of two handles: the better of the raw and the skeleton ``ratio``.

    >>> handle_similarity("heimat_bjorn", "heimat_bj0rn"), handle_similarity("eastgate_ingrid", "eastgate_lngrid")
    (1.0, 1.0)
    """
    a, b = (a or "").split("@", 1)[0].lower(), (b or "").split("@", 1)[0].lower()
    if not a or not b:
        return 0.0
    sa, sb = skeleton(a), skeleton(b)
    raw = fuzz.ratio(a, b)
    skel = 100.0 if sa and sa == sb else (fuzz.ratio(sa, sb) if sa and sb else 0.0)
    return max(raw, skel) / 100.0


def fold_text(value) -> str:
    if not isinstance(value, str):
        return ""
    return " ".join(value.casefold().split())


def _hamming(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


class _UnionFind:
    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


# ----------------------------------------------------------------------- clustering


def text_clusters(texts: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Group near-duplicate texts: ``texts`` has uid, item, minhash (hex, see
    :func:`graphinv.normalize.text_minhash`); returns it with a ``cluster`` column
    (items whose MinHash Jaccard estimate is >= ``threshold`` are joined, transitively)
    and ``members``: cluster -> {item: minhash} for the evidence."""
    from datasketch import MinHashLSH

    from ..normalize import minhash_from_hex

    texts = texts.dropna(subset=["minhash"])
    texts = texts[texts["minhash"].str.len() > 0].drop_duplicates(["uid", "item"])
    if texts.empty:
        return texts.assign(cluster=pd.Series(dtype=object))
    items = texts.drop_duplicates("item")
    hashes = {}
    num_perm = None
    for item, hexed in zip(items["item"], items["minhash"]):
        try:
            mh = minhash_from_hex(hexed)
        except ValueError:
            continue
        if num_perm is None:
            num_perm = len(mh.hashvalues)
        if len(mh.hashvalues) == num_perm:
            hashes[item] = mh
    uf = _UnionFind()
    if len(hashes) > 1:
        lsh = MinHashLSH(threshold=max(min(threshold, 0.99), 0.05), num_perm=num_perm)
        for item, mh in hashes.items():
            for other in lsh.query(mh):
                if mh.jaccard(hashes[other]) >= threshold:
                    uf.union(item, other)
            lsh.insert(item, mh)
    texts = texts[texts["item"].isin(hashes)]
    return texts.assign(cluster=["text:" + uf.find(i) for i in texts["item"]])


def image_clusters(images: pd.DataFrame, max_distance: int) -> pd.DataFrame:
    """Group copies of one image: equal sha256, or pHash within ``max_distance`` bits
    (found through 8 bands of 8 bits: two hashes within 7 bits share a band, and
    larger distances are mostly found too). Returns ``images`` with ``cluster``."""
    images = images.drop_duplicates(["uid", "item"]).copy()
    if images.empty:
        return images.assign(cluster=pd.Series(dtype=object))
    uf = _UnionFind()
    for _sha, group in images.dropna(subset=["sha256"]).groupby("sha256"):
        first = group["item"].iloc[0]
        for other in group["item"].iloc[1:]:
            uf.union(first, other)
    with_hash = images.dropna(subset=["phash"])
    with_hash = with_hash[with_hash["phash"].str.fullmatch(r"[0-9a-fA-F]{16}")]
    by_hash = with_hash.groupby("phash")["item"].apply(list).to_dict()
    for items in by_hash.values():
        for other in items[1:]:
            uf.union(items[0], other)
    hashes = list(by_hash)
    bands: dict = defaultdict(list)
    for h in hashes:
        for band in range(8):
            bands[(band, h[2 * band: 2 * band + 2].lower())].append(h)
    seen = set()
    for bucket in bands.values():
        if len(bucket) < 2:
            continue
        for i, a in enumerate(bucket):
            for b in bucket[i + 1:]:
                if (a, b) in seen:
                    continue
                seen.add((a, b))
                if _hamming(a, b) <= max_distance:
                    uf.union(by_hash[a][0], by_hash[b][0])
    return images.assign(cluster=["image:" + uf.find(i) for i in images["item"]])


# ----------------------------------------------------------------------- timeline


def timelines(entities: pd.DataFrame, activity: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """start, last, down, quiet per entity (see the module docstring).

    ``activity``: uid, time. ``observations``: uid, time, status, http_status.
    """
    act = activity.dropna(subset=["time"]).astype({"time": "int64"})
    obs = observations.dropna(subset=["time"]) if not observations.empty else observations
    if not obs.empty:
        gone = gone_mask(obs["status"], obs.get("http_status"))
        active = obs[obs["status"] == "active"][["uid", "time"]]
        act = pd.concat([act, active.astype({"time": "int64"})], ignore_index=True)
        down = obs[gone].groupby("uid")["time"].min()
    else:
        down = pd.Series(dtype="int64")
    down.index.name = "uid"
    out = entities[["uid"]].drop_duplicates().set_index("uid")
    grouped = act.groupby("uid")["time"]
    out["start"] = grouped.min()
    out["last"] = grouped.max()
    out["down"] = down
    merged = act.merge(down.rename("down").reset_index(), on="uid", how="inner")
    before = merged[merged["time"] <= merged["down"]].groupby("uid")["time"].max()
    out["quiet"] = out["last"]
    has_down = out["down"].notna()
    out.loc[has_down, "quiet"] = before.reindex(out.index[has_down])
    # Gone before any activity we saw: quiet at the takedown itself.
    out["quiet"] = out["quiet"].fillna(out["down"])
    return out.reset_index()


# ----------------------------------------------------------------------- the analysis


def find_reappearances(
    entities: pd.DataFrame,
    activity: pd.DataFrame,
    observations: pd.DataFrame,
    tokens: pd.DataFrame | None = None,
    texts: pd.DataFrame | None = None,
    images: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
    *,
    kind: str = "site",
    params: ReappearanceParams | None = None,
) -> pd.DataFrame:
    """Scored old → new reappearance edges among ``entities``.

    Frames (extra columns are ignored; missing ones may be None):

    - ``entities``: uid, group (the platform of an account; one group for sites), name
      (domain or handle), and for accounts display_name, bio, lookalike (a set of Target
      uids the account is named like, or empty).
    - ``activity``: uid, time. ``observations``: uid, time, status, http_status.
    - ``tokens``: uid, signal (ids, profile_link, outlinks, audience), token.
    - ``texts``: uid, item, minhash. ``images``: uid, item, sha256, phash.
    - ``links``: src, dst (entity uids), detail: one refers to the other.

    Returns EDGE_COLUMNS: src (old), dst (new), score, gap, signals (list), evidence
    (dict), lineage. ``kind`` is ``site`` or ``account`` (the weights).

    Two sites sharing a rare AdSense ID, one taken down (451) before the other appears:

    >>> entities = pd.DataFrame({"uid": ["site:a.org", "site:b.org", "site:c.org"], "group": "web",
    ...                          "name": ["a.org", "b.org", "c.org"]})
    >>> activity = pd.DataFrame({"uid": ["site:a.org", "site:b.org", "site:c.org"], "time": [0, 900, 0]})
    >>> observations = pd.DataFrame({"uid": ["site:a.org"], "time": [500], "status": ["withheld"],
    ...                              "http_status": [451]})
    >>> tokens = pd.DataFrame({"uid": ["site:a.org", "site:b.org", "site:c.org", "site:a.org", "site:b.org"],
    ...                        "signal": "ids", "token": ["identifier:gtm:GTM-1"] * 3 +
    ...                        ["identifier:adsense:pub-1"] * 2})
    >>> edges = find_reappearances(entities, activity, observations, tokens)
    >>> edges[["src", "dst", "gap", "signals"]].values.tolist()
    [['site:a.org', 'site:b.org', 900, ['ids']]]
    """
    params = params or ReappearanceParams()
    weights = dict(SITE_WEIGHTS if kind == "site" else ACCOUNT_WEIGHTS) | dict(params.weights or {})
    if entities.empty:
        return pd.DataFrame(columns=EDGE_COLUMNS)
    entities = entities.drop_duplicates("uid").copy()
    if "group" not in entities.columns:
        entities["group"] = kind
    entities["group"] = entities["group"].fillna("")
    times = timelines(entities, activity, observations if observations is not None else pd.DataFrame())
    times = times.dropna(subset=["start", "quiet"]).set_index("uid")
    info = entities.set_index("uid")
    known = set(times.index)

    # Every signal as tokens held by entities: (uid, signal, token, item)
    frames = []
    if tokens is not None and not tokens.empty:
        frames.append(tokens[["uid", "signal", "token"]].assign(item=tokens["token"]))
    if kind == "account":
        for column, signal in (("display_name", "display_name"), ("bio", "bio")):
            if column in entities.columns:
                folded = entities[["uid", column]].assign(token=entities[column].map(fold_text))
                folded = folded[folded["token"].str.len() >= (3 if signal == "display_name" else 8)]
                frames.append(pd.DataFrame({"uid": folded["uid"], "signal": signal,
                                            "token": signal + ":" + folded["token"], "item": folded[column]}))
    text_signal = "articles" if kind == "site" else "posts"
    if texts is not None and not texts.empty:
        clustered = text_clusters(texts, params.text_threshold)
        if not clustered.empty:
            frames.append(pd.DataFrame({"uid": clustered["uid"], "signal": text_signal,
                                        "token": clustered["cluster"], "item": clustered["item"]}))
    minhashes = {} if texts is None or texts.empty else dict(zip(texts["item"], texts["minhash"]))
    phashes = {}
    if images is not None and not images.empty:
        clustered = image_clusters(images, params.phash_distance)
        frames.append(pd.DataFrame({"uid": clustered["uid"], "signal": "images",
                                    "token": clustered["cluster"], "item": clustered["item"]}))
        phashes = dict(zip(images["item"], images["phash"]))
    all_tokens = pd.concat(frames, ignore_index=True) if frames else \
        pd.DataFrame(columns=["uid", "signal", "token", "item"])
    all_tokens = all_tokens[all_tokens["uid"].isin(known)]
    all_tokens = all_tokens.merge(entities[["uid", "group"]], on="uid")

    # Holders of each token within a group; each pair of holders is a candidate pair.
    shared: dict[tuple, dict] = defaultdict(lambda: defaultdict(list))
    token_items: dict[tuple, dict] = {}
    for (_group, signal, token), part in all_tokens.groupby(["group", "signal", "token"], sort=False):
        holders = sorted(set(part["uid"]))
        k = len(holders)
        if k < 2 or k > params.max_holders:
            continue
        items = part.groupby("uid")["item"].apply(list).to_dict()
        token_items[(signal, token)] = items
        r = rarity(k)
        for i, a in enumerate(holders):
            for b in holders[i + 1:]:
                shared[(a, b)][signal].append((token, k, r))
    link_pairs = set()
    if links is not None and not links.empty:
        for src, dst, detail in links[["src", "dst", "detail"]].itertuples(index=False):
            if src != dst and src in known and dst in known:
                key = tuple(sorted((src, dst)))
                link_pairs.add(key)
                shared[key]["crosslink"].append((f"{src} -> {dst}: {detail}", 2, 1.0))

    lookalike = info["lookalike"] if "lookalike" in info.columns else None
    max_gap = params.max_gap_days * 86400
    candidates = []
    for (a, b), signals in shared.items():
        if info.at[a, "group"] != info.at[b, "group"]:
            continue
        if lookalike is not None:
            la, lb = lookalike.get(a), lookalike.get(b)
            if la and lb and set(la) & set(lb):
                continue
        for old, new in ((a, b), (b, a)):
            t_old, t_new = times.loc[old], times.loc[new]
            gap = t_new["start"] - t_old["quiet"]
            if gap <= 0 or gap > max_gap or t_new["start"] <= t_old["start"]:
                continue
            candidates.append(_score_pair(old, new, int(gap), signals, info, kind, weights, params,
                                          token_items, minhashes, phashes))
    scored = pd.DataFrame(candidates)
    if scored.empty:
        return pd.DataFrame(columns=EDGE_COLUMNS)
    accepted = scored[(scored["score"] >= params.min_score) & (scored["evidence_strength"] >= params.min_evidence)]
    if accepted.empty:
        return pd.DataFrame(columns=EDGE_COLUMNS)
    # One predecessor per new entity: of the accepted ones, the last to go quiet (in a
    # chain A -> B -> C, C carries A's traits too, often more of them, but it replaces B).
    chosen = [group.sort_values(["gap", "score"], ascending=[True, False]).iloc[0]
              for _, group in accepted.groupby("dst", sort=False)]
    edges = pd.DataFrame(chosen).reset_index(drop=True)
    edges["lineage"] = _lineages(edges, times)
    return edges[EDGE_COLUMNS].sort_values(["lineage", "gap"]).reset_index(drop=True)


def _score_pair(old, new, gap, signals, info, kind, weights, params, token_items, minhashes, phashes) -> dict:
    strengths: dict[str, float] = {}
    evidence: dict[str, object] = {}
    for signal, entries in signals.items():
        if signal == "crosslink":
            strengths[signal] = 1.0
            evidence[signal] = sorted({e[0] for e in entries})[:10]
            continue
        keep = 1.0
        details = []
        for token, k, r in sorted(entries, key=lambda e: -e[2]):
            t = id_type_weight(token) if signal == "ids" else TEXT_TOKEN_WEIGHT if signal in ("articles", "posts") \
                else 1.0
            if signal == "bio":
                t = min(1.0, len(token.split(":", 1)[-1]) / BIO_FULL_CHARS)
            keep *= 1 - t * r
            detail = {"holders": k, "rarity": round(r, 3)}
            items = token_items.get((signal, token), {})
            if signal in ("articles", "posts"):
                detail |= _text_pair(items.get(old, []), items.get(new, []), minhashes)
            elif signal == "images":
                detail |= _image_pair(items.get(old, []), items.get(new, []), phashes)
            elif signal in ("display_name", "bio"):
                detail["value"] = (items.get(old) or [token])[0]
            else:
                detail["token"] = token
                if signal == "ids":
                    detail["type_weight"] = t
            details.append(detail)
        strengths[signal] = 1 - keep
        evidence[signal] = details[:10] + ([{"more": len(details) - 10}] if len(details) > 10 else [])
    if kind == "account":
        bio_old, bio_new = info.at[old, "bio"] if "bio" in info.columns else None, \
            info.at[new, "bio"] if "bio" in info.columns else None
        if "bio" not in strengths and isinstance(bio_old, str) and isinstance(bio_new, str) and bio_old and bio_new:
            # A whole-string ratio: a sentence appended ("Back again.") keeps it high, but one
            # bio's words being a subset of the other's (token_set_ratio = 100) does not.
            ratio = fuzz.ratio(fold_text(bio_old), fold_text(bio_new)) / 100.0
            if ratio >= 0.9:
                holders = max(_similar_bios(info, fold_text(bio_old)), 2)
                strengths["bio"] = ratio * rarity(holders) * min(1.0, len(bio_old) / BIO_FULL_CHARS)
                evidence["bio"] = [{"old": bio_old, "new": bio_new, "similarity": round(ratio, 3)}]
        sim = handle_similarity(str(info.at[old, "name"]), str(info.at[new, "name"]))
    else:
        sim = domain_similarity(str(info.at[old, "name"]), str(info.at[new, "name"]))
    if sim >= params.name_threshold:
        strengths["name"] = sim
        evidence["name"] = {"old": info.at[old, "name"], "new": info.at[new, "name"], "similarity": round(sim, 3)}
    keep = 1.0
    contributions = {}
    for signal, x in strengths.items():
        w = weights.get(signal, 0.0)
        contributions[signal] = w * x
        keep *= 1 - w * x
    score = 1 - keep
    strongest = 1 - math.prod(1 - c for s, c in contributions.items() if s not in NAME_SIGNALS)
    signals_list = sorted((s for s, c in contributions.items() if c > 0), key=lambda s: -contributions[s])
    evidence["contributions"] = {s: round(c, 4) for s, c in contributions.items()}
    return {"src": old, "dst": new, "score": round(score, 4), "gap": gap, "signals": signals_list,
            "evidence": evidence, "evidence_strength": strongest}


def _similar_bios(info: pd.DataFrame, folded: str) -> int:
    """How many accounts have a bio within ratio 90 of ``folded`` (a common interest
    bio, "Love hiking, dogs and coffee", is held by many and links nobody)."""
    cache = info.attrs.setdefault("_bio_holders", {})
    if folded not in cache:
        from rapidfuzz import process

        bios = info.attrs.get("_folded_bios")
        if bios is None:
            bios = info.attrs["_folded_bios"] = [b for b in info["bio"].map(fold_text) if b]
        cache[folded] = len(process.extract(folded, bios, scorer=fuzz.ratio, score_cutoff=90, limit=None))
    return cache[folded]


def _text_pair(old_items, new_items, minhashes) -> dict:
    from ..normalize import minhash_from_hex

    best = None
    for a in old_items[:20]:
        for b in new_items[:20]:
            try:
                j = minhash_from_hex(minhashes[a]).jaccard(minhash_from_hex(minhashes[b]))
            except (KeyError, ValueError):
                continue
            if best is None or j > best[2]:
                best = (a, b, j)
    if best is None:
        return {"old": old_items[:3], "new": new_items[:3]}
    return {"old": best[0], "new": best[1], "jaccard": round(float(best[2]), 3)}


def _image_pair(old_items, new_items, phashes) -> dict:
    best = None
    for a in old_items[:20]:
        for b in new_items[:20]:
            if a == b:
                best = (a, b, 0)
                break
            pa, pb = phashes.get(a), phashes.get(b)
            if isinstance(pa, str) and isinstance(pb, str):
                try:
                    d = _hamming(pa, pb)
                except ValueError:
                    continue
                if best is None or d < best[2]:
                    best = (a, b, d)
    if best is None:
        return {"old": old_items[:3], "new": new_items[:3]}
    return {"old": best[0], "new": best[1], "hamming": best[2]}


def _lineages(edges: pd.DataFrame, times: pd.DataFrame) -> list[str]:
    uf = _UnionFind()
    for src, dst in zip(edges["src"], edges["dst"]):
        uf.union(src, dst)
    members: dict = defaultdict(list)
    for uid in set(edges["src"]) | set(edges["dst"]):
        members[uf.find(uid)].append(uid)
    name = {}
    for root, uids in members.items():
        first = min(uids, key=lambda u: (times.at[u, "start"], u))
        name[root] = f"lineage:{first}"
    return [name[uf.find(src)] for src in edges["src"]]


# ----------------------------------------------------------------------- store step

_SITE_QUERIES = {
    "entities": "MATCH (s:Site) RETURN s.uid AS uid, s.domain AS name",
    "pages": ("MATCH (p:Post)-[:ON_SITE]->(s:Site) WHERE p.platform = 'web' "
              "RETURN s.uid AS uid, p.uid AS item, p.created_at AS time, p.text AS text, p.text_minhash AS minhash"),
    "observations": ("MATCH (o:Observation)-[:OBSERVED]->(s:Site) RETURN s.uid AS uid, o.observed_at AS time, "
                     "o.status AS status, o.http_status AS http_status"),
    "ids": "MATCH (s:Site)-[:USES]->(i:Identifier) RETURN DISTINCT s.uid AS uid, i.uid AS token",
    "images": ("MATCH (s:Site)<-[:ON_SITE]-(p:Post)-[:HAS_MEDIA]->(m:Media) WHERE p.platform = 'web' "
               "RETURN DISTINCT s.uid AS uid, m.uid AS item, m.sha256 AS sha256, m.phash AS phash"),
    "outlinks": ("MATCH (s:Site)<-[:ON_SITE]-(p:Post)-[:LINKS_TO]->(u:Url) WHERE p.platform = 'web' "
                 "RETURN DISTINCT s.uid AS uid, u.uid AS token"),
    "linked": ("MATCH (p:Post)-[:LINKS_TO]->(u:Url)-[:ON_SITE]->(s:Site) WHERE p.created_at IS NOT NULL "
               "RETURN s.uid AS uid, min(p.created_at) AS time"),
    "crosslinks": ("MATCH (s:Site)<-[:ON_SITE]-(p:Post)-[:LINKS_TO]->(u:Url)-[:ON_SITE]->(t:Site) "
                   "WHERE p.platform = 'web' RETURN DISTINCT s.uid AS src, t.uid AS dst, u.uid AS detail"),
    "redirects": ("MATCH (s:Site)<-[:ON_SITE]-(a:Url)-[l:LINKS_TO]->(b:Url)-[:ON_SITE]->(t:Site) "
                  "RETURN DISTINCT s.uid AS src, t.uid AS dst, l.anchor AS detail"),
    "audience": ("MATCH (a:Account)-[:POSTED]->(p:Post)-[:LINKS_TO]->(u:Url)-[:ON_SITE]->(s:Site) "
                 "RETURN DISTINCT s.uid AS uid, a.uid AS token"),
}
_ACCOUNT_QUERIES = {
    "entities": ("MATCH (a:Account) RETURN a.uid AS uid, a.platform AS grp, a.handle AS name, "
                 "a.display_name AS display_name, a.bio AS bio, a.first_seen AS first_seen, a.last_seen AS last_seen, "
                 "a.created_at AS created_at"),
    "posts": ("MATCH (a:Account)-[:POSTED]->(p:Post) WHERE p.created_at IS NOT NULL "
              "RETURN a.uid AS uid, p.uid AS item, p.created_at AS time, p.text AS text, p.text_minhash AS minhash"),
    "reposts": ("MATCH (a:Account)-[r:REPOSTED]->(p:Post) WHERE r.time IS NOT NULL "
                "RETURN a.uid AS uid, r.time AS time"),
    "observations": ("MATCH (o:Observation)-[:OBSERVED]->(a:Account) RETURN a.uid AS uid, o.observed_at AS time, "
                     "o.status AS status, o.http_status AS http_status"),
    "ids": "MATCH (a:Account)-[:USES]->(i:Identifier) RETURN DISTINCT a.uid AS uid, i.uid AS token",
    "profile_links": "MATCH (a:Account)-[:PROFILE_LINK]->(u) RETURN DISTINCT a.uid AS uid, u.uid AS token",
    "post_images": ("MATCH (a:Account)-[:POSTED]->(p:Post)-[:HAS_MEDIA]->(m:Media) WHERE m.phash IS NOT NULL "
                    "RETURN DISTINCT a.uid AS uid, m.uid AS item, m.sha256 AS sha256, m.phash AS phash"),
    "outlinks": ("MATCH (a:Account)-[:POSTED]->(p:Post)-[:LINKS_TO]->(u:Url) "
                 "RETURN DISTINCT a.uid AS uid, u.uid AS token"),
    "audience_reposts": ("MATCH (x:Account)-[:REPOSTED]->(p:Post)<-[:POSTED]-(a:Account) "
                         "RETURN DISTINCT a.uid AS uid, x.uid AS token"),
    "audience_replies": ("MATCH (x:Account)-[:POSTED]->(q:Post)-[:REPLIED_TO]->(p:Post)<-[:POSTED]-(a:Account) "
                         "RETURN DISTINCT a.uid AS uid, x.uid AS token"),
    "audience_quotes": ("MATCH (x:Account)-[:POSTED]->(q:Post)-[:QUOTED]->(p:Post)<-[:POSTED]-(a:Account) "
                        "RETURN DISTINCT a.uid AS uid, x.uid AS token"),
    "audience_mentions": ("MATCH (x:Account)-[:POSTED]->(q:Post)-[:MENTIONS]->(a:Account) "
                          "RETURN DISTINCT a.uid AS uid, x.uid AS token"),
}


def _q(store, cypher: str, columns: list[str]) -> pd.DataFrame:
    frame = store.query(cypher)
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return frame


def site_frames(store, params: ReappearanceParams) -> dict:
    """The frames :func:`find_reappearances` needs for sites, read from ``store``."""
    q = _SITE_QUERIES
    entities = _q(store, q["entities"], ["uid", "name"]).assign(group="web")
    entities["name"] = entities["name"].fillna(entities["uid"].str.slice(5))
    pages = _q(store, q["pages"], ["uid", "item", "time", "text", "minhash"])
    observations = _q(store, q["observations"], ["uid", "time", "status", "http_status"])
    articles = pages[pages["text"].fillna("").str.len() >= params.min_article_chars]
    tokens = pd.concat([
        _q(store, q["ids"], ["uid", "token"]).assign(signal="ids"),
        _q(store, q["outlinks"], ["uid", "token"]).assign(signal="outlinks"),
        _q(store, q["audience"], ["uid", "token"]).assign(signal="audience"),
    ], ignore_index=True)
    links = pd.concat([_q(store, q["crosslinks"], ["src", "dst", "detail"]),
                       _q(store, q["redirects"], ["src", "dst", "detail"])], ignore_index=True)
    links = links[links["src"] != links["dst"]]
    # A site existed as soon as a captured page or post linked to it: the news site the old
    # site cited while it was up cannot be its successor, even if crawled only later.
    linked = _q(store, q["linked"], ["uid", "time"])
    activity = pd.concat([pages[["uid", "time"]], linked], ignore_index=True)
    return {"entities": entities, "activity": activity, "observations": observations,
            "tokens": tokens, "texts": articles[["uid", "item", "minhash"]],
            "images": _q(store, q["images"], ["uid", "item", "sha256", "phash"]), "links": links}


def account_frames(store, params: ReappearanceParams) -> dict:
    """The frames :func:`find_reappearances` needs for accounts, read from ``store``."""
    q = _ACCOUNT_QUERIES
    entities = _q(store, q["entities"], ["uid", "grp", "name", "display_name", "bio", "first_seen", "last_seen",
                                         "created_at"])
    entities = entities.rename(columns={"grp": "group"})
    entities["group"] = entities["group"].fillna(entities["uid"].str.split(":").str[1])
    entities["name"] = entities["name"].fillna(entities["uid"].str.split(":", n=2).str[2])
    posts = _q(store, q["posts"], ["uid", "item", "time", "text", "minhash"])
    reposts = _q(store, q["reposts"], ["uid", "time"])
    # The account's creation date is its start: an account made years before another went
    # quiet is a contemporary, not a re-creation, however alike the two look.
    seen = pd.concat([entities[["uid", "first_seen"]].rename(columns={"first_seen": "time"}),
                      entities[["uid", "last_seen"]].rename(columns={"last_seen": "time"}),
                      entities[["uid", "created_at"]].rename(columns={"created_at": "time"})])
    activity = pd.concat([posts[["uid", "time"]], reposts, seen], ignore_index=True).dropna(subset=["time"])
    texts = posts[posts["text"].fillna("").str.len() >= params.min_text_chars]
    # Avatars are images of the account (joined to the captured image by URL).
    accounts = account_frame(store)
    avatars = accounts.dropna(subset=["avatar_phash"])
    images = pd.concat([
        _q(store, q["post_images"], ["uid", "item", "sha256", "phash"]),
        pd.DataFrame({"uid": avatars["uid"], "item": "avatar:" + avatars["uid"], "sha256": None,
                      "phash": avatars["avatar_phash"]}),
    ], ignore_index=True)
    audience = pd.concat([_q(store, q[name], ["uid", "token"]) for name in
                          ("audience_reposts", "audience_replies", "audience_quotes", "audience_mentions")],
                         ignore_index=True)
    audience = audience[audience["uid"] != audience["token"]].drop_duplicates()
    tokens = pd.concat([
        _q(store, q["ids"], ["uid", "token"]).assign(signal="ids"),
        _q(store, q["profile_links"], ["uid", "token"]).assign(signal="profile_link"),
        _q(store, q["outlinks"], ["uid", "token"]).assign(signal="outlinks"),
        audience.assign(signal="audience"),
    ], ignore_index=True)
    # Cross-links: one account mentions the other ("follow my new account @x").
    mentions = _q(store, q["audience_mentions"], ["uid", "token"])
    links = pd.DataFrame({"src": mentions["token"], "dst": mentions["uid"], "detail": "mentions"})
    targets = target_frame(store)
    lookalikes = target_lookalikes(accounts, targets) if not targets.empty else {}
    entities["lookalike"] = entities["uid"].map(lambda u: sorted(lookalikes.get(u, ())))
    return {"entities": entities, "activity": activity, "observations": _q(store, q["observations"],
            ["uid", "time", "status", "http_status"]), "tokens": tokens,
            "texts": texts[["uid", "item", "minhash"]], "images": images, "links": links}


@dataclass(frozen=True)
class ReappearanceResult:
    """The accepted site and account edges of one run (see :func:`find_reappearances`)."""

    sites: pd.DataFrame
    accounts: pd.DataFrame
    run: AnalysisRun


def read(store, params: ReappearanceParams) -> dict:
    """The frames :func:`compute` needs: ``{"sites": …, "accounts": …}``."""
    return {"sites": site_frames(store, params), "accounts": account_frames(store, params)}


def compute(frames: dict, params: ReappearanceParams) -> ReappearanceResult:
    """Site and account reappearances among ``frames`` (from :func:`read`); pure."""
    return ReappearanceResult(find_reappearances(**frames["sites"], kind="site", params=params),
                              find_reappearances(**frames["accounts"], kind="account", params=params),
                              start_run("reappearance", params))


def write(store, result: ReappearanceResult) -> dict:
    """Replace the REAPPEARS_AS edges in ``store``; the run's summary."""
    sites, accounts, run = result.sites, result.accounts, result.run
    store.delete_edges("REAPPEARS_AS")
    edges = pd.concat([sites, accounts], ignore_index=True)
    if not edges.empty:
        store.upsert_edges("REAPPEARS_AS", pd.DataFrame({
            "src": edges["src"], "dst": edges["dst"], "score": edges["score"].astype(float),
            "gap": edges["gap"].astype("int64"), "signals": edges["signals"],
            "evidence": [recorded_json(run, e) for e in edges["evidence"]],
            "lineage": edges["lineage"], "analysis_run": run.id}))
    return {"site_edges": len(sites), "account_edges": len(accounts),
            "site_lineages": int(sites["lineage"].nunique()) if not sites.empty else 0,
            "account_lineages": int(accounts["lineage"].nunique()) if not accounts.empty else 0,
            "analysis_run": run.id}


def analyze(store, params: ReappearanceParams | None = None, **overrides) -> dict:
    """Find site and account reappearances and replace the REAPPEARS_AS edges in ``store``."""
    params = with_overrides(ReappearanceParams, params, overrides, "reappearance")
    return write(store, compute(read(store, params), params))
