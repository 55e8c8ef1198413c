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
    return truth


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
