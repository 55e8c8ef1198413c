"""Evaluate what the store holds against a ground-truth file (``data/demo/truth.json``).

Per detector, precision, recall and F1 of:

- **coordinated accounts**: accounts with a ``MEMBER_OF`` edge to a Campaign or a
  ``COORDINATED_WITH`` edge, against ``coordinated_accounts``;
- **site lineage** and **account reappearance**: unordered pairs of entities in the
  same lineage (the connected components of ``REAPPEARS_AS`` among sites, resp.
  accounts), against the pairs within each chain of ``site_lineages`` resp.
  ``account_reappearances`` (a chain A → B → C gives A–B, A–C, B–C);
- **impersonation**: (account, target) pairs of ``IMPERSONATES``, against
  ``impersonations``.

And the takedown figures (:mod:`.takedown`, per platform) next to the truth's
``takedowns.by_platform``, with whether they agree.

The pure part is :func:`score_sets`, :func:`lineage_pairs` and :func:`evaluate`
(predictions and truth as plain Python); :func:`evaluate_store` reads the predictions.

>>> score_sets({"a", "b", "c"}, {"a", "b", "d"})["f1"]
0.667
>>> sorted(lineage_pairs([["x", "y", "z"]]))
[('x', 'y'), ('x', 'z'), ('y', 'z')]
"""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pandas as pd

from ..errors import InputError
from . import takedown

DETECTORS = ("coordinated_accounts", "site_lineage", "account_reappearance", "impersonation")
TAKEDOWN_FIELDS = ("reported", "removed", "removed_48h", "median_hours")


def score_sets(predicted: set, truth: set) -> dict:
    """Precision, recall, F1 (rounded to 3 places) and the errors of two sets.

    With nothing predicted and nothing true every figure is 1; with nothing predicted
    precision is 0.
    """
    predicted, truth = set(predicted), set(truth)
    tp = len(predicted & truth)
    if not predicted and not truth:
        precision = recall = f1 = 1.0
    else:
        precision = tp / len(predicted) if predicted else 0.0
        recall = tp / len(truth) if truth else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
            "tp": tp, "fp": len(predicted - truth), "fn": len(truth - predicted),
            "predicted": len(predicted), "truth": len(truth),
            "false_positives": sorted(map(_show, predicted - truth)),
            "missed": sorted(map(_show, truth - predicted))}


def _show(item) -> str:
    return " ~ ".join(item) if isinstance(item, tuple) else str(item)


def lineage_pairs(groups) -> set[tuple[str, str]]:
    """Unordered pairs (sorted tuples) of members of the same group."""
    pairs = set()
    for group in groups:
        for a, b in combinations(sorted(set(group)), 2):
            pairs.add((a, b))
    return pairs


def components(edges) -> list[list[str]]:
    """Connected components of (src, dst) edges.

    >>> sorted(map(sorted, components([("a", "b"), ("b", "c"), ("d", "e")])))
    [['a', 'b', 'c'], ['d', 'e']]
    """
    parent: dict = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict = {}
    for node in list(parent):
        groups.setdefault(find(node), []).append(node)
    return list(groups.values())


def load_truth(path) -> dict:
    path = Path(path)
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"truth file {path} not found") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"truth file {path} is not readable JSON: {exc}") from None
    if not isinstance(truth, dict):
        raise InputError(f"truth file {path} must hold a JSON object (see data/demo/README.md)")
    return normalise_truth(truth, str(path))


DETECTOR_KEYS = ("coordinated_accounts", "site_lineages", "account_reappearances", "impersonations", "takedowns")
# Keys a truth file may carry besides the detectors' (descriptions, not scored).
OTHER_KEYS = ("seed", "params", "decoys", "campaigns", "targets", "description", "name")


class _Nodes(dict):
    def add(self, kind, uid, props, time=None):
        self[uid] = kind


def _entity(value, where: str, prefix: str) -> str:
    """A truth entry as a uid: a uid already, ``platform:handle``, a profile or page URL,
    or a bare domain (see :mod:`graphinv.resolve`)."""
    from ..resolve import account_ref, entity_of

    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: {value!r} is not an entity (a uid, platform:handle, URL or domain)")
    value = value.strip()
    if value.startswith(("account:", "site:", "post:", "url:", "target:")):
        uid = value
    elif prefix == "account":
        uid = account_ref(value, None, _Nodes())
    else:
        uid = entity_of(value, None, _Nodes())
    if uid and prefix == "site" and not uid.startswith("site:"):
        from urllib.parse import urlsplit

        from ..normalize import registered_domain
        from ..records import site_uid

        host = urlsplit(value if "//" in value else "//" + value).hostname or ""
        domain = registered_domain(host)
        uid = site_uid(domain) if domain else None
    if uid and prefix == "account" and (uid.startswith("account:unknown:") or " " in uid):
        uid = None  # a handle needs its platform, and has no spaces
    if not uid or not uid.startswith(prefix + ":"):
        raise InputError(f"{where}: cannot read {value!r} as {'an account' if prefix == 'account' else 'a site'} "
                         f"(write a uid such as {prefix}:…, "
                         f"{'twitter:handle or a profile URL' if prefix == 'account' else 'a domain or its URL'})")
    return uid


def _chains(value, where: str, prefix: str) -> list[list[str]]:
    """Chains (lists, old to new) or pairs ({"old": …, "new": …}) of entities."""
    if not isinstance(value, list):
        raise InputError(f"{where} must be a list of chains (lists of entities, old to new)")
    chains = []
    for i, chain in enumerate(value):
        if isinstance(chain, dict) and {"old", "new"} <= set(chain):
            chain = [chain["old"], chain["new"]]
        if not isinstance(chain, list) or len(chain) < 2:
            raise InputError(f"{where}[{i}] must be a chain of two or more entities, or {{\"old\": …, \"new\": …}}")
        chains.append([_entity(e, f"{where}[{i}]", prefix) for e in chain])
    return chains


def normalise_truth(truth: dict, where: str = "truth") -> dict:
    """A truth file in the documented shape (see data/demo/README.md, "Other truth files"), its
    entities as uids; anything it cannot read is one InputError naming the place.

    >>> normalise_truth({"site_lineages": [["old.example", "https://new.example/"]],
    ...                  "impersonations": [{"account": "twitter:clara_b", "target": "Clara B"}]})["impersonations"]
    [{'account': 'account:twitter:clara_b', 'target': 'target:clara b'}]
    >>> normalise_truth({"lineages": []})  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    graphinv.errors.InputError: truth: unknown key 'lineages'; a truth file has coordinated_accounts, site_lineages,
    account_reappearances, impersonations, takedowns
    """
    from ..records import target_uid

    unknown = [k for k in truth if k not in DETECTOR_KEYS + OTHER_KEYS]
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r}; a truth file has {', '.join(DETECTOR_KEYS)}")
    if not any(k in truth for k in DETECTOR_KEYS):
        raise InputError(f"{where}: none of {', '.join(DETECTOR_KEYS)}; nothing to evaluate")
    out = dict(truth)
    if "coordinated_accounts" in truth:
        accounts = truth["coordinated_accounts"]
        if not isinstance(accounts, list):
            raise InputError(f"{where}: coordinated_accounts must be a list of accounts")
        out["coordinated_accounts"] = [_entity(a, f"{where}: coordinated_accounts", "account") for a in accounts]
    if "site_lineages" in truth:
        out["site_lineages"] = _chains(truth["site_lineages"], f"{where}: site_lineages", "site")
    if "account_reappearances" in truth:
        out["account_reappearances"] = _chains(truth["account_reappearances"], f"{where}: account_reappearances",
                                               "account")
    if "impersonations" in truth:
        items = truth["impersonations"]
        if not isinstance(items, list) or not all(isinstance(i, dict) and {"account", "target"} <= set(i)
                                                  for i in items):
            raise InputError(f"{where}: impersonations must be a list of {{\"account\": …, \"target\": …}}")
        out["impersonations"] = [
            {"account": _entity(i["account"], f"{where}: impersonations", "account"),
             "target": i["target"] if str(i["target"]).startswith("target:") else target_uid(str(i["target"]))}
            for i in items]
    takedowns = truth.get("takedowns")
    if takedowns is not None and not (isinstance(takedowns, dict)
                                      and isinstance(takedowns.get("by_platform", {}), dict)):
        raise InputError(f"{where}: takedowns must be {{\"by_platform\": {{platform: figures}}}}")
    return out


def evaluate(predictions: dict, truth: dict) -> dict:
    """Score predictions against truth.

    ``predictions``: ``coordinated_accounts`` (set of uids), ``reappearance_edges``
    (list of (src, dst)), ``impersonations`` (set of (account, target)),
    ``takedowns`` (by platform, as :func:`takedown.by_platform_summary`).
    """
    edges = list(predictions.get("reappearance_edges", []))
    site_groups = components([(a, b) for a, b in edges if a.startswith("site:")])
    account_groups = components([(a, b) for a, b in edges if a.startswith("account:")])
    results = {
        "coordinated_accounts": score_sets(set(predictions.get("coordinated_accounts", ())),
                                           set(truth.get("coordinated_accounts", ()))),
        "site_lineage": score_sets(lineage_pairs(site_groups), lineage_pairs(truth.get("site_lineages", ()))),
        "account_reappearance": score_sets(lineage_pairs(account_groups),
                                           lineage_pairs(truth.get("account_reappearances", ()))),
        "impersonation": score_sets({tuple(p) for p in predictions.get("impersonations", ())},
                                    {(i["account"], i["target"]) for i in truth.get("impersonations", ())}),
    }
    found = predictions.get("takedowns", {})
    expected = (truth.get("takedowns") or {}).get("by_platform", {})
    rows = []
    for platform in sorted(set(found) | set(expected)):
        got, want = found.get(platform, {}), expected.get(platform, {})
        row = {"platform": platform}
        for key in TAKEDOWN_FIELDS:
            row[key], row[f"truth_{key}"] = got.get(key), want.get(key)
        row["match"] = all(_same(got.get(k), want.get(k)) for k in TAKEDOWN_FIELDS)
        rows.append(row)
    return {"detectors": results, "takedowns": rows,
            "takedowns_match": all(r["match"] for r in rows) if rows else True}


def _same(a, b) -> bool:
    if a is None or b is None or (isinstance(a, float) and a != a) or (isinstance(b, float) and b != b):
        return (a is None or a != a) and (b is None or b != b)
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) <= 0.051  # both are rounded to 0.1 h
    return a == b


# ----------------------------------------------------------------------- store step

_COORDINATED = ("MATCH (a:Account)-[:MEMBER_OF]->(:Campaign) RETURN DISTINCT a.uid AS uid "
                "UNION MATCH (a:Account)-[:COORDINATED_WITH]-(:Account) RETURN DISTINCT a.uid AS uid")
_REAPPEARS = "MATCH (a)-[r:REAPPEARS_AS]->(b) RETURN a.uid AS src, b.uid AS dst"
_IMPERSONATES = "MATCH (a:Account)-[r:IMPERSONATES]->(t:Target) RETURN a.uid AS account, t.uid AS target"


def store_predictions(store) -> dict:
    """What the store holds, in the shape :func:`evaluate` reads."""
    coordinated = store.query(_COORDINATED)
    reappears = store.query(_REAPPEARS)
    impersonates = store.query(_IMPERSONATES)
    table = takedown.compliance(*takedown.read_frames(store), by="platform")
    return {
        "coordinated_accounts": set(coordinated["uid"]) if not coordinated.empty else set(),
        "reappearance_edges": list(zip(reappears["src"], reappears["dst"])) if not reappears.empty else [],
        "impersonations": set(zip(impersonates["account"], impersonates["target"])) if not impersonates.empty
        else set(),
        "takedowns": takedown.by_platform_summary(table),
    }


def evaluate_store(store, truth_path) -> dict:
    """:func:`evaluate` of the store's results against the truth file at ``truth_path``."""
    truth = load_truth(truth_path)
    result = evaluate(store_predictions(store), truth)
    result["truth_file"] = str(truth_path)
    return result


def detector_frame(result: dict) -> pd.DataFrame:
    rows = [{"detector": name, **{k: v for k, v in scores.items() if not isinstance(v, list)}}
            for name, scores in result["detectors"].items()]
    return pd.DataFrame(rows)


def print_evaluation(result: dict, console=None) -> None:
    """The evaluation as two rich tables (detectors, takedowns) and the errors."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console(width=140)
    table = Table(title="Detectors against the truth")
    for column in ("detector", "precision", "recall", "F1", "TP", "FP", "FN"):
        table.add_column(column, justify="left" if column == "detector" else "right")
    for name, s in result["detectors"].items():
        table.add_row(name.replace("_", " "), f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}",
                      str(s["tp"]), str(s["fp"]), str(s["fn"]))
    console.print(table)
    takedowns = Table(title="Takedowns by platform (found / truth)")
    for column in ("platform", "reported", "removed", "removed ≤48 h", "median hours", "agrees"):
        takedowns.add_column(column, justify="left" if column == "platform" else "right")
    for row in result["takedowns"]:
        cells = [f"{_fmt(row[k])} / {_fmt(row['truth_' + k])}" for k in TAKEDOWN_FIELDS]
        takedowns.add_row(row["platform"], *cells, "yes" if row["match"] else "NO")
    console.print(takedowns)
    for name, s in result["detectors"].items():
        for label, key in (("false positive", "false_positives"), ("missed", "missed")):
            for item in s[key][:10]:
                console.print(f"{name.replace('_', ' ')}: {label}: {item}", markup=False, highlight=False)


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)
