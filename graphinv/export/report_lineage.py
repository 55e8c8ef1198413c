"""The reappearance findings of a report: each REAPPEARS_AS step with both sides set
side by side (their captured pages, shared IDs, article pairs), its signals in words,
and the sentences of the summary. See :mod:`.report_findings` for the evidence items
the steps point to."""

from __future__ import annotations

from typing import Any

import networkx as nx

from ..timefmt import format_gap, iso
from .report_findings import day, items_of, join_words, parse_json, ref_ranges, short, step_entities

_SIGNAL_WORDS = {"ids": "tracking ID", "articles": "near-identical article", "posts": "near-identical post",
                 "images": "image", "outlinks": "outbound link", "audience": "account of their audience",
                 "profile_link": "profile link"}


def _count(entries: Any) -> int:
    if not isinstance(entries, list):
        return 1
    return sum(int(e.get("more", 0)) if isinstance(e, dict) and "more" in e else 1 for e in entries)


def signal_phrase(signal: str, entries: Any) -> str:
    """One signal's evidence in words.

    >>> signal_phrase("ids", [{"token": "a"}, {"token": "b"}, {"more": 3}])
    '5 tracking IDs'
    >>> signal_phrase("name", {"old": "klaus", "new": "klaus2", "similarity": 1.0})
    'a similar name (klaus, klaus2)'
    """
    if signal == "name" and isinstance(entries, dict):
        return f"a similar name ({entries.get('old')}, {entries.get('new')})"
    if signal in ("bio", "display_name"):
        return f"the same {signal.replace('_', ' ')}"
    if signal == "crosslink":
        return "a link between them"
    n = _count(entries)
    word = _SIGNAL_WORDS.get(signal, signal)
    if signal == "audience":
        return f"{n} account{'s' if n != 1 else ''} of their audience"
    return f"{n} {word}{'s' if n != 1 else ''}"


def _card(G: nx.MultiDiGraph, uid: str) -> dict:
    """One side of a step: the entity, its first sign, its removal, its captured pages."""
    d = G.nodes[uid]
    pages = sorted(({"title": short(G.nodes[p].get("title"), 120), "text": short(G.nodes[p].get("text"), 160),
                     "url": G.nodes[p].get("url") or "", "time": iso(G.nodes[p].get("created_at"))}
                    for p, _, e in G.in_edges(uid, data=True) if e.get("kind") == "ON_SITE"
                    and G.nodes[p].get("kind") == "Post"), key=lambda p: (p["time"], p["url"]))
    return {"uid": uid, "label": d.get("label", uid), "kind": d.get("kind", ""), "title": d.get("title") or
            d.get("display_name") or "", "since": iso(d.get("time")), "status": d.get("status") or "",
            "removed": iso((G.graph.get("removed_at") or {}).get(uid)), "pages": pages[:6],
            "more_pages": max(0, len(pages) - 6)}


def _pairs(G: nx.MultiDiGraph, entries: Any) -> list[dict]:
    """The article (or post) pairs of a step: each side's title and URL, and how alike."""
    def side(uid):
        d = G.nodes[uid] if uid in G else {}
        return {"title": short(d.get("title") or d.get("text"), 120), "url": d.get("url") or uid}

    pairs = [e for e in (entries if isinstance(entries, list) else [])
             if isinstance(e, dict) and "old" in e and "new" in e]
    return [{"old": side(e["old"]), "new": side(e["new"]), "similarity": e.get("jaccard", e.get("hamming"))}
            for e in pairs]


def lineage_steps(G: nx.MultiDiGraph, items: list[dict]) -> list[dict]:
    """The REAPPEARS_AS steps oldest first, each with both sides, its signals in words,
    shared IDs, article pairs and the evidence items of the entities involved."""
    steps = []
    for u, v, d in G.edges(data=True):
        if d.get("kind") != "REAPPEARS_AS":
            continue
        evidence = parse_json(d.get("evidence"))
        evidence = evidence if isinstance(evidence, dict) else {}
        signals = list(d.get("signals") or [])
        pairs = _pairs(G, evidence.get("articles")) + _pairs(G, evidence.get("posts"))
        involved = step_entities(G, u, v, evidence)
        steps.append({
            "from": G.nodes[u].get("label", u), "to": G.nodes[v].get("label", v),
            "since": (G.nodes[v].get("time"), G.nodes[u].get("time")),
            "score": d.get("score"), "gap": format_gap(d.get("gap")), "gap_seconds": d.get("gap"),
            "signals": ", ".join(signals),
            "phrases": [signal_phrase(s, evidence.get(s)) for s in signals if s in evidence],
            "ids": [e.get("token", "").removeprefix("identifier:") for e in evidence.get("ids") or []
                    if isinstance(e, dict) and e.get("token")],
            "pairs": pairs, "before": _card(G, u), "after": _card(G, v),
            "refs": ref_ranges([i["ref"] for i in items_of(items, entities=involved)]), "lineage": d.get("lineage"),
            "analysis_run": d.get("analysis_run"), "params": evidence.get("params"),
        })
    # Oldest step first, as the lineage query and the app's lineage page order them: by
    # generation (a successor's step after its predecessor's, whatever the times say),
    # then by the first signs.
    steps.sort(key=lambda s: (str(s["lineage"] or ""), _generation(G, s["before"]["uid"]),
                              tuple((t is None, t or 0) for t in s["since"]), s["from"], s["to"]))
    return steps


def _generation(G: nx.MultiDiGraph, uid: str) -> int:
    """How many REAPPEARS_AS steps lead to ``uid`` (0: the first generation)."""
    seen = {uid}
    depth = 0
    while True:
        earlier = [u for u, _, d in G.in_edges(uid, data=True) if d.get("kind") == "REAPPEARS_AS" and u not in seen]
        if not earlier:
            return depth
        uid = earlier[0]
        seen.add(uid)
        depth += 1


def lineage_summary(G: nx.MultiDiGraph, steps: list[dict]) -> tuple[list[str], list[str]]:
    if not steps:
        return [], []
    removed = G.graph.get("removed_at") or {}
    lineages: dict[str, list[str]] = {}
    for s in steps:  # in generation order already: each lineage's chain reads oldest first
        chain = lineages.setdefault(str(s["lineage"] or s["from"]), [s["from"]])
        chain.append(s["to"])
    chains = [" → ".join(chain) for chain in lineages.values()]
    if len(chains) == 1:
        what = [f"{len(next(iter(lineages.values())))} generations of one operation were found, oldest first: "
                f"{chains[0]}."]
    else:
        what = [f"{len(chains)} lineages were found, each oldest first: {'; '.join(chains)}."]
    for s in steps:
        gone = removed.get(s["before"]["uid"])
        line = f"{s['from']}" + (f" was observed gone on {day(gone)}; " if gone else " went quiet; ")
        line += f"{s['to']} appeared {s['gap']} after its last activity"
        line += f", sharing {join_words(s['phrases'])}." if s["phrases"] else "."
        what.append(line)
    scores = [float(s["score"]) for s in steps if s["score"] is not None]
    sure = []
    if scores:
        sure.append(f"Each step's score (0 to 1) combines its signals as independent pieces of evidence; "
                    f"the steps score {join_words([f'{x:.2f}' for x in scores])}. A step is accepted only when its "
                    "score reaches the threshold and evidence other than a similar name supports it.")
    return what, sure
