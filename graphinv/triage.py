"""Triage: the open reports ranked by what the network says about them, each reason
with its weight and its evidence.

A report is **open** until a reviewer decides on it (:func:`decide`: ``actioned``,
``not-illegal`` or ``duplicate``, stored as a ``Decision`` node with its author and
time; the latest one counts). Each open report's item (the reported post; for a
reported page, the page's post; for an account, its bio) is scored by the reasons of
``graphinv/triage.yaml``, where the weights and the FR/EN/DE phrase lists live as data:

===========================  ==================================================================
reason                       holds when
===========================  ==================================================================
threat_to_life               a threat phrase is in the item's normalised text
call_to_violence             a call-to-violence phrase is in it
bank_match                   one of its captured images matches a hash bank (``MATCHES``)
campaign_against_target      its author is a member of a campaign that targets a Target
author_in_campaign           its author is a member of a campaign (no Target known)
target_under_attack          it names a Target that a campaign, or several reports, attack
recreated_account            its author re-appeared (``REAPPEARS_AS``) after a takedown
site_lineage                 its site is the successor of a taken-down site
near_duplicate_*             its text is a near-duplicate (MinHash) of an item a reviewer
                             actioned, one found removed, another reported one; or (a negative
                             weight) of one judged not illegal: the reviewers' feedback
spread                       reposts within its first hour (per doubling, capped)
reporters                    more than one report, or reporter, for the same item
===========================  ==================================================================

A phrase found only inside quotation marks counts ``quoted_factor`` of its weight: a
news report that quotes a threat is not the threat. :func:`queue` is the pure step
(frames in, the ranked queue out); :func:`read` the store step; :func:`triage` both.

>>> hits = phrase_hits("Je vais te tuer, tu m'entends ?")
>>> [(h["reason"], h["lang"], h["quoted"]) for h in hits]
[('threat_to_life', 'fr', False)]
>>> [h["quoted"] for h in phrase_hits('The suspect wrote "I will kill you" to the MP, police said.')]
[True]
>>> phrase_hits("I hate this council, they should all resign.")
[]
"""

from __future__ import annotations

import json
import math
import re
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import yaml

from .errors import InputError, StoreError
from .normalize import normalise_text
from .records import PREFIX_KIND, decision_uid, kind_of, post_uid
from .vocabulary import GONE_STATUSES, platform_of_host

DECISIONS = ("actioned", "not-illegal", "duplicate")
QUEUE_COLUMNS = ["rank", "report", "score", "reasons", "why", "entity", "kind", "url", "platform", "reported_to",
                 "category", "reported_at", "reporter", "capture", "post", "author", "site", "text", "decision",
                 "decided_by", "decided_at"]


@dataclass(frozen=True)
class Rules:
    """``triage.yaml``: weights, settings and the compiled phrase lists."""

    weights: dict
    settings: dict
    phrases: dict  # reason -> language -> [phrase]
    patterns: tuple  # (reason, language, phrase) in the order of the file
    combined: re.Pattern | None  # one alternation of them all: group p<i> is patterns[i]


_HYPHEN = re.compile(r"(?<=\w)[-\u2010\u2011](?=\w)")


def fold(text) -> str:
    """The text phrases are matched on: :func:`graphinv.normalize.normalise_text`, then
    accents, ``ß`` and typographic apostrophes folded and hyphens made spaces.

    >>> fold("Brûlez-les ! Ich weiß wo du wohnst… https://x.org @bob")
    'brulez les ! ich weiss wo du wohnst...'
    """
    text = normalise_text(text)
    if not text.isascii():
        text = text.replace("ß", "ss").replace("\u2019", "'").replace("\u2018", "'")
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _HYPHEN.sub(" ", text) if "-" in text or "\u2010" in text or "\u2011" in text else text


def _pattern(phrase: str) -> str:
    words = fold(phrase).split()
    parts = [r"[^\s\"«»“”„]+" if w == "*" else re.escape(w) for w in words]
    return r"\s+".join(parts)


def load_rules(text: str | None = None) -> Rules:
    """The rules of ``text`` (YAML), or of the packaged ``triage.yaml``. Every phrase is
    one branch of a single regular expression (one pass over a text, not one per phrase)."""
    raw = yaml.safe_load(text if text is not None else
                         resources.files("graphinv").joinpath("triage.yaml").read_text("utf-8"))
    patterns = tuple((reason, lang, phrase)
                     for reason, langs in (raw.get("phrases") or {}).items()
                     for lang, phrases in (langs or {}).items() for phrase in (phrases or []))
    branches = "|".join(f"(?P<p{i}>{_pattern(phrase)})" for i, (_, _, phrase) in enumerate(patterns))
    combined = re.compile(r"(?<![\w'])(?:" + branches + r")(?![\w'])") if patterns else None
    return Rules(dict(raw["weights"]), dict(raw["settings"]), raw.get("phrases") or {}, patterns, combined)


@lru_cache(maxsize=1)
def rules() -> Rules:
    return load_rules()


_QUOTES = re.compile(r"«[^»]*»|“[^”]*”|„[^“”]*[“”]|\"[^\"]*\"")


def phrase_hits(text, rules_: Rules | None = None) -> list[dict]:
    """Every phrase of the lists found in ``text``: reason, lang, phrase, the words as
    written in the folded text, and ``quoted`` (inside quotation marks)."""
    folded = fold(text)
    if not folded:
        return []
    rules_ = rules_ or rules()
    if rules_.combined is None:
        return []
    spans = None
    out = []
    for m in rules_.combined.finditer(folded):
        reason, lang, phrase = rules_.patterns[int(m.lastgroup[1:])]
        if spans is None:
            spans = [q.span() for q in _QUOTES.finditer(folded)]
        quoted = any(a < m.start() and m.end() < b for a, b in spans)
        out.append({"reason": reason, "lang": lang, "phrase": phrase, "found": m.group(0), "quoted": quoted})
    return out


# ------------------------------------------------------------------ near-duplicates

_CHUNK = 262_144  # candidate pairs checked at a time (bounds the memory of the check)
_BANDS, _ROWS = 16, 4  # 64 MinHash values as 16 bands of 4: a pair at Jaccard 0.8 shares a band 99.98 % of the time


def _minhash_matrix(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(rows kept, an (n, 64) uint32 matrix) of the 512-hex MinHash strings of ``values``."""
    keep = np.array([isinstance(v, str) and len(v) == 512 for v in values], dtype=bool)
    kept = [v for v, k in zip(values, keep) if k]
    if not kept:
        return keep, np.zeros((0, 64), dtype=np.uint32)
    raw = bytes.fromhex("".join(kept))
    return keep, np.frombuffer(raw, dtype=">u4").astype(np.uint32).reshape(len(kept), 64)


def _band_keys(matrix: np.ndarray) -> np.ndarray:
    """(n, 16) uint64 keys, one per band: its 4 values read as two 64-bit words, mixed."""
    words = np.ascontiguousarray(matrix, dtype=np.uint32).view(np.uint64).reshape(len(matrix), _BANDS, 2)
    keys = words[:, :, 0] * np.uint64(0x9E3779B97F4A7C15) ^ words[:, :, 1]  # wraps mod 2^64, as intended
    return keys ^ (np.arange(_BANDS, dtype=np.uint64) * np.uint64(0x100000001B3))


def near_duplicates(queries: pd.DataFrame, references: pd.DataFrame, threshold: float,
                    per_band: int = 10) -> pd.DataFrame:
    """Pairs (query, reference, jaccard) of items whose MinHash Jaccard estimate is at least
    ``threshold``. ``queries`` has item, minhash; ``references`` item, minhash, status.
    Candidates come from shared bands (LSH: 16 bands of 4 values); each is checked on
    the low byte of all 64 values. A band shared by more than ``per_band`` references of
    one status keeps that many of it (a text copied ten thousand times needs only a few
    as evidence), so the counts of a large family are lower bounds.

    >>> from graphinv.normalize import text_minhash
    >>> a = text_minhash("we will all meet at the town hall on friday night to protest")
    >>> b = text_minhash("we will all meet at the town hall on friday night to protest!!")
    >>> q = pd.DataFrame({"item": ["p1"], "minhash": [a]})
    >>> r = pd.DataFrame({"item": ["p2", "p3"], "minhash": [b, text_minhash("something else entirely here")],
    ...                   "status": ["removed", "reported"]})
    >>> near_duplicates(q, r, 0.8)[["query", "reference", "status"]].values.tolist()
    [['p1', 'p2', 'removed']]
    """
    columns = ["query", "reference", "status", "jaccard"]
    q_keep, q_matrix = _minhash_matrix(queries["minhash"])
    r_keep, r_matrix = _minhash_matrix(references["minhash"])
    if not len(q_matrix) or not len(r_matrix):
        return pd.DataFrame(columns=columns)
    q_items = queries["item"].to_numpy()[q_keep]
    r_items, r_status = references["item"].to_numpy()[r_keep], references["status"].to_numpy()[r_keep]
    q_keys, r_keys = _band_keys(q_matrix), _band_keys(r_matrix)
    refs = pd.DataFrame({"key": r_keys.ravel(), "r": np.repeat(np.arange(len(r_matrix)), _BANDS)})
    refs["status"] = np.repeat(r_status, _BANDS)
    refs = refs.groupby(["key", "status"], sort=False).head(per_band)[["key", "r"]]
    cands = pd.DataFrame({"key": q_keys.ravel(), "q": np.repeat(np.arange(len(q_matrix)), _BANDS)})
    pairs = cands.merge(refs, on="key")[["q", "r"]].drop_duplicates()
    pairs = pairs[q_items[pairs["q"].to_numpy()] != r_items[pairs["r"].to_numpy()]]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    qi, ri = pairs["q"].to_numpy(), pairs["r"].to_numpy()
    # Checked on the low byte of each value (b-bit MinHash): a quarter of the memory
    # traffic; two values agree by chance 1 time in 256, which the estimate takes out.
    q_low, r_low = q_matrix.astype(np.uint8), r_matrix.astype(np.uint8)
    same = np.empty(len(qi), dtype=np.int64)
    for start in range(0, len(qi), _CHUNK):
        part = slice(start, start + _CHUNK)
        same[part] = np.count_nonzero(q_low[qi[part]] == r_low[ri[part]], axis=1)
    jaccard = np.clip((same / 64 - 1 / 256) / (1 - 1 / 256), 0, 1)
    ok = jaccard >= threshold
    return pd.DataFrame({"query": q_items[qi[ok]], "reference": r_items[ri[ok]], "status": r_status[ri[ok]],
                         "jaccard": np.round(jaccard[ok], 2)}).reset_index(drop=True)


# ------------------------------------------------------------------------- scoring

_NEAR_STATUS = ("actioned", "not_illegal", "removed", "reported")  # a reference's status, strongest first


def latest_decisions(decisions: pd.DataFrame) -> pd.DataFrame:
    """The latest decision per report (report, decision, decided_by, decided_at)."""
    cols = ["report", "decision", "decided_by", "decided_at"]
    if decisions is None or decisions.empty:
        return pd.DataFrame(columns=cols)
    ordered = decisions.sort_values(["decided_at", "uid"] if "uid" in decisions else ["decided_at"])
    return ordered.drop_duplicates("report", keep="last")[cols]


def platform_of(url, given=None) -> str:
    """The platform a reported URL is on (the vocabulary's hosts), else the report's own
    ``platform``, else ``web``.

    >>> platform_of("https://x.com/a/status/1"), platform_of("https://site.example/a"), platform_of(None)
    ('twitter', 'web', 'unknown')
    """
    if isinstance(given, str) and given:
        return given
    if not isinstance(url, str) or not url:
        return "unknown"
    return platform_of_host(urlsplit(url if "://" in url else "https://" + url).hostname) or "web"


_HOST = r"^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[^/?#@\s]*@)?([^/:?#\s]+)"


def platforms(urls: pd.Series, given: pd.Series) -> list[str]:
    """:func:`platform_of` for a column of URLs at once (each host looked up once).

    >>> platforms(pd.Series(["https://t.me/c/1", None, "x.org/a"]), pd.Series([None, None, "mastodon"]))
    ['telegram', 'unknown', 'mastodon']
    """
    hosts = urls.astype(object).str.extract(_HOST, expand=False).str.lower().tolist()
    known = {h: platform_of_host(h) or "web" for h in set(hosts) if isinstance(h, str)}
    return [g if isinstance(g, str) and g else known.get(h, "unknown") if isinstance(h, str) else "unknown"
            for h, g in zip(hosts, given.tolist())]


def _items(frames: dict) -> pd.DataFrame:
    """One row per report: its item's post, author, site, text and MinHash."""
    reports = frames["reports"].copy()
    reports["platform"] = platforms(reports["url"], reports["platform"])
    entities = reports["entity"].tolist()
    kinds = [PREFIX_KIND.get(e.split(":", 1)[0]) if isinstance(e, str) else None for e in entities]
    reports["kind"] = kinds
    reports["post"] = [e if k == "Post" else ("post:web:" + e[4:] if k == "Url" else None)
                       for e, k in zip(entities, kinds)]
    posts = frames["posts"].drop_duplicates("post")
    items = reports.merge(posts, on="post", how="left")
    known = set(posts["post"].tolist())
    items["post"] = [p if p in known else None for p in items["post"].tolist()]
    accounts = frames["accounts"].drop_duplicates("entity").set_index("entity")
    is_account = items["kind"] == "Account"
    if is_account.any():
        items.loc[is_account, "author"] = items.loc[is_account, "entity"]
        items.loc[is_account, "text"] = items.loc[is_account, "entity"].map(accounts["text"]) \
            if len(accounts) else None
    if len(frames["url_sites"]):
        url_sites = frames["url_sites"].drop_duplicates("entity").set_index("entity")["site"]
        items["site"] = items["site"].where(items["site"].notna(), items["entity"].map(url_sites))
    items.loc[items["kind"] == "Site", "site"] = items["entity"]
    return items


def _reason(name: str, weight: float, evidence: dict, why: str) -> dict:
    return {"reason": name, "weight": round(float(weight), 1), "evidence": evidence, "why": why}


def _by(frame: pd.DataFrame, key: str) -> dict[str, list[dict]]:
    """``frame``'s rows as plain dicts, grouped by ``key`` in the frame's order (lookups
    per report in a loop: pandas per row would be most of the time)."""
    out: dict[str, list[dict]] = {}
    for row in frame.to_dict("records"):
        out.setdefault(row[key], []).append(row)
    return out


def _number(value) -> float | None:
    return None if value is None or value != value else float(value)


def _names(values) -> str:
    return ", ".join(sorted({str(v) for v in values if isinstance(v, str)}))


def _phrase_reasons(text, rules_: Rules) -> list[dict]:
    by_reason: dict[str, list] = {}
    for hit in phrase_hits(text, rules_) if isinstance(text, str) else []:
        by_reason.setdefault(hit["reason"], []).append(hit)
    out = []
    for name, hits in by_reason.items():
        quoted = all(h["quoted"] for h in hits)
        said = "; ".join(dict.fromkeys(f"“{h['found']}” ({h['lang']})" for h in hits))
        out.append(_reason(name, rules_.weights.get(name, 0) * (rules_.settings["quoted_factor"] if quoted else 1),
                           {"phrases": [{k: h[k] for k in ("phrase", "lang", "found", "quoted")} for h in hits]},
                           f"{name.replace('_', ' ')}: {said}" + (" (only quoted)" if quoted else "")))
    return out


def _bank_reason(hits: list[dict], w: dict) -> dict:
    first = hits[0]  # the closest
    labels = sorted({x for h in hits for x in (list(h["labels"]) if h["labels"] is not None else [])})
    return _reason("bank_match", w["bank_match"], {
        "matches": [{"media": h["media"], "bank": h["bank"], "signal_type": h["signal_type"],
                     "distance": int(h["distance"])} for h in hits], "labels": labels},
        f"image matches bank {first['bank']} ({first['signal_type']}, distance {int(first['distance'])})"
        + (f": {', '.join(labels)}" if labels else ""))


def _campaign_reason(member: list[dict], w: dict) -> dict:
    against = [m for m in member if isinstance(m["target"], str)]
    if against:
        campaigns = sorted({m["campaign"] for m in against})
        return _reason("campaign_against_target", w["campaign_against_target"],
                       {"campaigns": campaigns, "targets": sorted({m["target_name"] for m in against})},
                       f"author in {', '.join(campaigns)} against {_names(m['target_name'] for m in against)}")
    campaigns = sorted({m["campaign"] for m in member})
    return _reason("author_in_campaign", w["author_in_campaign"], {"campaigns": campaigns},
                   f"author in {', '.join(campaigns)}")


def _target_reason(targets: list[dict], by_target: dict, attack: dict, w: dict, s: dict) -> list[dict]:
    attacked = []
    for t in targets:
        campaigns, n_reports = by_target.get(t["target"], []), int(attack.get(t["target"], 0))
        if campaigns or n_reports >= s["attack_min_reports"]:
            attacked.append({"target": t["target"], "name": t["name"], "campaigns": campaigns, "reports": n_reports})
    if not attacked:
        return []
    said = ", ".join(f"{a['name']} (attacked by {', '.join(a['campaigns'])})" if a["campaigns"]
                     else f"{a['name']} ({a['reports']} reports)" for a in attacked)
    return [_reason("target_under_attack", w["target_under_attack"], {"targets": attacked}, "names " + said)]


def _near_reasons(found: list[dict], w: dict) -> list[dict]:
    """One reason per status of the near-duplicates found (most similar first); a
    "reported" one only when no stronger positive one holds."""
    out = []
    for kind in _NEAR_STATUS:
        same = [f for f in found if f["status"] == kind]
        if not same or (kind == "reported" and any(r["weight"] > 0 for r in out)):
            continue
        count = int(same[0].get("count", len(same)))
        out.append(_reason(f"near_duplicate_{kind}", w[f"near_duplicate_{kind}"], {
            "items": [{"item": f["reference"], "jaccard": float(f["jaccard"])} for f in same[:5]], "count": count},
            f"near-duplicate of {count} item(s) {kind.replace('_', ' ')}"
            f" ({same[0]['reference']}, Jaccard {same[0]['jaccard']:.2f})"))
    return out


def queue(frames: dict, rules_: Rules | None = None, include_closed: bool = False) -> pd.DataFrame:
    """The ranked queue of the reports in ``frames`` (from :func:`read`): one row per open
    report (every report with ``include_closed``), best first, with ``score``,
    ``reasons`` (a list of {reason, weight, evidence, why}) and ``why`` (their words)."""
    rules_ = rules_ or rules()
    w, s = rules_.weights, rules_.settings
    if frames["reports"].empty:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    items = _items(frames)
    decided = latest_decisions(frames["decisions"])
    items = items.merge(decided, on="report", how="left")
    open_ = items["decision"].isna()

    # near-duplicates: every reported item and every removed post is a reference
    status = pd.Series("reported", index=items.index)
    status[items["decision"] == "not-illegal"] = "not_illegal"
    status[items["decision"] == "actioned"] = "actioned"
    refs = pd.concat([
        pd.DataFrame({"item": items["post"], "minhash": items["minhash"], "status": status}),
        pd.DataFrame({"item": frames["removed"]["post"], "minhash": frames["removed"]["minhash"],
                      "status": "removed"})], ignore_index=True).dropna(subset=["item"])
    refs["order"] = refs["status"].map({v: i for i, v in enumerate(_NEAR_STATUS)})
    refs = refs.sort_values("order").drop_duplicates("item")
    wanted = items[open_ | include_closed].dropna(subset=["post"]).drop_duplicates("post")
    near = near_duplicates(wanted.rename(columns={"post": "item"}), refs, s["near_duplicate_jaccard"])
    # per report and status: how many, and the five most similar as evidence
    near = near.sort_values(["query", "status", "jaccard"], ascending=[True, True, False])
    near["count"] = near.groupby(["query", "status"])["reference"].transform("size")
    near = near.groupby(["query", "status"]).head(5)

    reporters = items.assign(who=items["reporter"].where(items["reporter"].notna(), items["report"])) \
        .groupby("entity")["who"].nunique().to_dict()
    targets = frames["targets"].drop_duplicates(["post", "target"])
    attack = targets.merge(items[["post", "report"]], on="post").groupby("target")["report"].nunique().to_dict()
    by_target = {t: sorted(set(g)) for t, g in frames["target_campaigns"].groupby("target")["campaign"]} \
        if len(frames["target_campaigns"]) else {}
    look = {"campaigns": _by(frames["campaigns"], "account"), "recreated": _by(frames["recreated"], "account"),
            "lineages": _by(frames["lineages"], "site"), "bank": _by(frames["bank"].sort_values("distance"), "post"),
            "targets": _by(targets, "post"), "near": _by(near, "query"),
            "spread": dict(zip(frames["spread"]["post"], frames["spread"]["reposts"]))}

    rows = []
    for item in items[open_ | include_closed].to_dict("records"):
        post, author, site = (v if isinstance(v, str) else None for v in (item["post"], item["author"], item["site"]))
        reasons = _phrase_reasons(item["text"], rules_)
        if post in look["bank"]:
            reasons.append(_bank_reason(look["bank"][post], w))
        if author in look["campaigns"]:
            reasons.append(_campaign_reason(look["campaigns"][author], w))
        if post in look["targets"]:
            reasons += _target_reason(look["targets"][post], by_target, attack, w, s)
        if author in look["recreated"]:
            preds = look["recreated"][author]
            reasons.append(_reason("recreated_account", w["recreated_account"], {
                "predecessors": [p["predecessor"] for p in preds], "score": _number(preds[0]["score"])},
                f"author re-created after {preds[0]['predecessor']} was taken down"))
        if site in look["lineages"]:
            preds = look["lineages"][site]
            reasons.append(_reason("site_lineage", w["site_lineage"], {
                "predecessors": [p["predecessor"] for p in preds], "lineage": preds[0].get("lineage")},
                f"site succeeds {preds[0]['predecessor']}, taken down"))
        if post in look["near"]:
            reasons += _near_reasons(look["near"][post], w)
        n = int(look["spread"].get(post, 0)) if post else 0
        if n >= s["spread_min_reposts"]:
            reasons.append(_reason("spread", min(w["spread_max"], w["spread_per_doubling"] * math.log2(1 + n)),
                                   {"reposts_first_hour": n}, f"{n} reposts in its first hour"))
        m = int(reporters.get(item["entity"], 1))
        if m > 1:
            reasons.append(_reason("reporters", min(w["reporters_max"], w["reporters_per_extra"] * (m - 1)),
                                   {"reporters": m}, f"reported by {m}"))
        reasons.sort(key=lambda r: -r["weight"])
        item.update(score=round(sum(r["weight"] for r in reasons), 1), reasons=reasons,
                    why="; ".join(f"{r['why']} [{r['weight']:+g}]" for r in reasons))
        rows.append(item)
    out = pd.DataFrame(rows)
    out = out.sort_values(["score", "reported_at", "report"], ascending=[False, True, True], na_position="last")
    out["rank"] = np.arange(1, len(out) + 1)
    return out.reindex(columns=QUEUE_COLUMNS).reset_index(drop=True)


# ------------------------------------------------------------------------ the store

_Q = {
    "reports": ("MATCH (r:Report)-[:REPORTED]->(e) RETURN r.uid AS report, e.uid AS entity, r.url AS url, "
                "r.reported_at AS reported_at, r.reported_to AS reported_to, r.platform AS platform, "
                "r.category AS category, r.reporter AS reporter, r.capture AS capture"),
    "decisions": ("MATCH (d:Decision) RETURN d.uid AS uid, d.report AS report, d.decision AS decision, "
                  "d.decided_by AS decided_by, d.decided_at AS decided_at, d.note AS note"),
    "posts": ("UNWIND $m AS member MATCH (p:Post) WHERE p.uid = member OPTIONAL MATCH (a:Account)-[:POSTED]->(p) "
              "OPTIONAL MATCH (p)-[:ON_SITE]->(s:Site) RETURN p.uid AS post, p.text AS text, "
              "p.text_minhash AS minhash, p.created_at AS created_at, a.uid AS author, s.uid AS site"),
    "minhashes": ("UNWIND $m AS member MATCH (p:Post) WHERE p.uid = member "
                  "RETURN p.uid AS post, p.text_minhash AS minhash"),
    "accounts": "UNWIND $m AS member MATCH (a:Account) WHERE a.uid = member RETURN a.uid AS entity, a.bio AS text",
    "url_sites": ("UNWIND $m AS member MATCH (u:Url)-[:ON_SITE]->(s:Site) WHERE u.uid = member "
                  "RETURN u.uid AS entity, s.uid AS site"),
    "campaigns": ("UNWIND $m AS member MATCH (a:Account)-[:MEMBER_OF]->(c:Campaign) WHERE a.uid = member "
                  "OPTIONAL MATCH (c)-[:TARGETS]->(t:Target) RETURN a.uid AS account, c.uid AS campaign, "
                  "c.label AS label, t.uid AS target, t.name AS target_name"),
    "recreated": ("UNWIND $m AS member MATCH (p:Account)-[e:REAPPEARS_AS]->(a:Account) WHERE a.uid = member "
                  "RETURN a.uid AS account, p.uid AS predecessor, p.status AS status, e.score AS score"),
    "lineages": ("UNWIND $m AS member MATCH (p:Site)-[e:REAPPEARS_AS]->(s:Site) WHERE s.uid = member "
                 "RETURN s.uid AS site, p.uid AS predecessor, p.status AS status, e.score AS score, "
                 "e.lineage AS lineage"),
    "gone": ("UNWIND $m AS member MATCH (o:Observation)-[:OBSERVED]->(n) WHERE n.uid = member "
             "AND o.status IN $removed RETURN DISTINCT n.uid AS entity"),
    "targets_direct": ("UNWIND $m AS member MATCH (p:Post)-[:TARGETS]->(t:Target) WHERE p.uid = member "
                       "RETURN p.uid AS post, t.uid AS target, t.name AS name"),
    "targets_mentioned": ("UNWIND $m AS member MATCH (p:Post)-[:MENTIONS]->(t:Target) WHERE p.uid = member "
                          "RETURN p.uid AS post, t.uid AS target, t.name AS name"),
    "targets_accounts": ("UNWIND $m AS member MATCH (p:Post)-[:MENTIONS]->(a:Account) WHERE p.uid = member "
                         "MATCH (t:Target) WHERE a.uid IN t.accounts RETURN p.uid AS post, t.uid AS target, "
                         "t.name AS name"),
    "target_campaigns": "MATCH (c:Campaign)-[:TARGETS]->(t:Target) RETURN t.uid AS target, c.uid AS campaign",
    "bank": ("UNWIND $m AS member MATCH (p:Post)-[:HAS_MEDIA]->(x:Media)-[h:MATCHES]->(s:BankSignal) "
             "WHERE p.uid = member RETURN p.uid AS post, x.uid AS media, s.bank AS bank, s.labels AS labels, "
             "h.signal_type AS signal_type, h.distance AS distance"),
    "spread": ("UNWIND $m AS member MATCH (a:Account)-[r:REPOSTED]->(p:Post) WHERE p.uid = member "
               "AND p.created_at IS NOT NULL AND r.time <= p.created_at + $window "
               "RETURN p.uid AS post, count(DISTINCT a) AS reposts"),
    "removed": ("MATCH (o:Observation)-[:OBSERVED]->(p:Post) WHERE o.status IN $removed "
                "AND p.text_minhash IS NOT NULL RETURN DISTINCT p.uid AS post, p.text_minhash AS minhash"),
}
_COLUMNS = {
    "reports": ["report", "entity", "url", "reported_at", "reported_to", "platform", "category", "reporter", "capture"],
    "decisions": ["uid", "report", "decision", "decided_by", "decided_at", "note"],
    "posts": ["post", "text", "minhash", "created_at", "author", "site"], "accounts": ["entity", "text"],
    "minhashes": ["post", "minhash"],
    "url_sites": ["entity", "site"], "campaigns": ["account", "campaign", "label", "target", "target_name"],
    "recreated": ["account", "predecessor", "status", "score"],
    "lineages": ["site", "predecessor", "status", "score", "lineage"], "gone": ["entity"],
    "targets": ["post", "target", "name"], "target_campaigns": ["target", "campaign"],
    "bank": ["post", "media", "bank", "labels", "signal_type", "distance"], "spread": ["post", "reposts"],
    "removed": ["post", "minhash"],
}


def _read(store, name: str, params: dict | None = None, columns: str | None = None) -> pd.DataFrame:
    """One read; an empty frame where a store made before triage lacks the table."""
    empty = pd.DataFrame(columns=_COLUMNS[columns or name])
    try:
        found = store.query(_Q[name], params or {})
    except StoreError as exc:
        if "does not exist" in str(exc):
            return empty
        raise
    return found if not found.empty else empty


def read(store, rules_: Rules | None = None, include_closed: bool = False) -> dict:
    """The frames :func:`queue` needs, from ``store``: every report and decision, the
    MinHash of every reported post (near-duplicates look at all of them), and the rest
    (text, author, site, campaigns, Targets, bank matches, reposts) for the open reports
    only, or for every report with ``include_closed``."""
    s = (rules_ or rules()).settings
    removed = list(GONE_STATUSES)
    reports = _read(store, "reports")
    frames = {"reports": reports, "decisions": _read(store, "decisions")}
    kinds = pd.Series([kind_of(e) for e in reports["entity"]], dtype=object, index=reports.index)
    post_of = pd.Series([e if k == "Post" else post_uid("web", e[4:]) if k == "Url" else None
                         for e, k in zip(reports["entity"], kinds)], dtype=object, index=reports.index)
    wanted = (pd.Series(True, index=reports.index) if include_closed
              else ~reports["report"].isin(latest_decisions(frames["decisions"])["report"]))
    detail = list(dict.fromkeys(post_of[wanted].dropna()))
    rest = list(dict.fromkeys(post_of[~wanted].dropna()))
    frames["posts"] = pd.concat([_read(store, "posts", {"m": detail}),
                                 _read(store, "minhashes", {"m": rest}, "posts")], ignore_index=True)
    posts = frames["posts"]["post"][frames["posts"]["post"].isin(detail)].unique().tolist()
    entities = reports["entity"][wanted]
    kinds = kinds[wanted]
    frames["accounts"] = _read(store, "accounts", {"m": list(dict.fromkeys(entities[kinds == "Account"]))})
    frames["url_sites"] = _read(store, "url_sites", {"m": list(dict.fromkeys(entities[kinds == "Url"]))})
    authors = list(dict.fromkeys([*frames["posts"]["author"].dropna(), *entities[kinds == "Account"]]))
    sites = list(dict.fromkeys([*frames["posts"]["site"].dropna(), *frames["url_sites"]["site"].dropna(),
                                *entities[kinds == "Site"]]))
    frames["campaigns"] = _read(store, "campaigns", {"m": authors})
    recreated = _read(store, "recreated", {"m": authors})
    lineages = _read(store, "lineages", {"m": sites})
    preds = list(dict.fromkeys([*recreated["predecessor"], *lineages["predecessor"]]))
    gone = set(_read(store, "gone", {"m": preds, "removed": removed})["entity"]) if preds else set()
    # a predecessor counts when it was taken down: observed gone, or its status says so
    frames["recreated"] = recreated[recreated["predecessor"].isin(gone) | recreated["status"].isin(removed)]
    frames["lineages"] = lineages[lineages["predecessor"].isin(gone) | lineages["status"].isin(removed)]
    frames["targets"] = pd.concat([_read(store, q, {"m": posts}, "targets") for q in
                                   ("targets_direct", "targets_mentioned", "targets_accounts")], ignore_index=True)
    frames["target_campaigns"] = _read(store, "target_campaigns")
    frames["bank"] = _read(store, "bank", {"m": posts})
    frames["spread"] = _read(store, "spread", {"m": posts, "window": int(s["spread_window_seconds"])})
    frames["removed"] = _read(store, "removed", {"removed": removed})
    return frames


def triage(store, include_closed: bool = False, rules_: Rules | None = None) -> pd.DataFrame:
    """The ranked queue of ``store``'s reports (see :func:`queue`)."""
    return queue(read(store, rules_, include_closed), rules_, include_closed=include_closed)


def decide(store, report: str, decision: str, decided_by: str, note: str = "", now: int | None = None) -> str:
    """Record a reviewer's decision on ``report`` (its uid or report id); the Decision uid.
    Decisions are never changed: a later one supersedes, and the history stays."""
    if decision not in DECISIONS:
        raise InputError(f"decision {decision!r} is not one of {', '.join(DECISIONS)}")
    if not decided_by or not decided_by.strip():
        raise InputError("a decision needs its author (--by NAME)")
    uid = report if report.startswith("report:") else f"report:{report.strip()}"
    if store.query("MATCH (r:Report) WHERE r.uid = $u RETURN r.uid AS uid", {"u": uid}).empty:
        raise InputError(f"no report {report!r}: `graphinv triage` lists the open ones")
    now = int(time.time()) if now is None else int(now)
    return write_decisions(store, pd.DataFrame([{"report": uid, "decision": decision, "decided_by": decided_by.strip(),
                                                 "decided_at": now, "note": note or None}]))[0]


def write_decisions(store, decisions: pd.DataFrame) -> list[str]:
    """Write many decisions at once (report uid, decision, decided_by, decided_at, note),
    as :func:`decide` writes one, in one transaction; their uids. The reports must exist."""
    uids = [decision_uid(r, t, b) for r, t, b in zip(decisions["report"], decisions["decided_at"],
                                                     decisions["decided_by"])]
    nodes = decisions.assign(uid=uids, first_seen=decisions["decided_at"], last_seen=decisions["decided_at"])
    with store.transaction():
        store.upsert_nodes("Decision", nodes[["uid", "report", "decision", "decided_by", "decided_at", "note",
                                              "first_seen", "last_seen"]])
        store.upsert_edges("DECIDES", pd.DataFrame({"src": uids, "dst": decisions["report"],
                                                    "time": decisions["decided_at"]}))
    return uids


def as_records(table: pd.DataFrame) -> list[dict]:
    """The queue as plain JSON-able rows, times in ISO 8601."""
    from .timefmt import iso

    out = []
    for row in table.to_dict("records"):
        clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for key in ("reported_at", "decided_at"):
            clean[key] = iso(clean.get(key)) or None
        clean["reasons"] = json.loads(json.dumps(clean["reasons"], default=_plain))
        out.append(clean)
    return out


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return str(value)
