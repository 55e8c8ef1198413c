"""The written report, as HTML and as PDF (WeasyPrint), from one Jinja2 template
(``templates/report.html.j2``, autoescaped).

Sections: summary; figures (the network and a timeline, as inline SVG); the evidence
table (posts with their author, time, source file / IngestRun and capture time); the
lineage steps and takedown record when the selection has them; and the methods and
parameters used (Campaign.params, REAPPEARS_AS signals and evidence, the query and its
parameters, the ingest runs). The Evidence and Methods sections start on new pages.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from .. import __version__
from ..timefmt import format_gap, iso
from .svg import network_svg, timeline_svg

EVIDENCE_LIMIT = 500
TEXT_LIMIT = 400


def _env() -> Environment:
    env = Environment(loader=PackageLoader("graphinv.export", "templates"),
                      autoescape=select_autoescape(["html", "j2"], default=True))
    env.filters["iso"] = iso
    return env


def _json(value: Any) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def _short(text: Any, n: int = TEXT_LIMIT) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def title_for(G: nx.MultiDiGraph) -> str:
    sel = G.graph.get("selection") or {}
    if sel.get("campaign"):
        label = G.nodes[sel["campaign"]].get("label") if sel["campaign"] in G else None
        return f"Campaign {sel['campaign']}" + (f": {label}" if label else "")
    if sel.get("lineage"):
        return f"Lineage of {sel['lineage']}"
    if sel.get("query"):
        return f"Query {sel['query']}"
    return "Whole graph"


def context(G: nx.MultiDiGraph) -> dict:
    """Everything the template shows, computed from the selection graph."""
    runs = G.graph.get("runs") or {}
    sel = G.graph.get("selection") or {}
    kinds = {}
    for _, d in G.nodes(data=True):
        kinds[d.get("kind", "?")] = kinds.get(d.get("kind", "?"), 0) + 1
    edge_kinds = {}
    for *_, d in G.edges(data=True):
        edge_kinds[d.get("kind", "?")] = edge_kinds.get(d.get("kind", "?"), 0) + 1
    times = [d["time"] for _, d in G.nodes(data=True) if d.get("time") is not None
             and d.get("kind") in ("Post", "Observation", "Report")]

    campaign = sel.get("campaign")
    evidence_posts = ([v for _, v, d in G.out_edges(campaign, data=True) if d.get("kind") == "EVIDENCE"]
                      if campaign in G else [n for n, d in G.nodes(data=True) if d.get("kind") == "Post"])
    modality = {v: d.get("modality") for _, v, d in (G.out_edges(campaign, data=True) if campaign in G else [])
                if d.get("kind") == "EVIDENCE"}
    evidence = []
    for post in evidence_posts:
        d = G.nodes[post]
        authors = [u for u, _, e in G.in_edges(post, data=True) if e.get("kind") == "POSTED"]
        author = G.nodes[authors[0]].get("label") if authors else (d.get("account") or "")
        sources = [runs[r] for r in (d.get("runs") or []) if r in runs]
        evidence.append({
            "uid": post, "time": d.get("created_at"), "author": author, "modality": modality.get(post, ""),
            "text": _short(d.get("title") or d.get("text")), "url": d.get("url") or "",
            "source": d.get("source_file") or (sources[0].get("source") if sources else ""),
            "warc": (f"{d['warc_file']} @ {d.get('warc_offset')}" if d.get("warc_file") else ""),
            "run": ", ".join(d.get("runs") or []),
            "captured": (sources[0].get("started_at") if sources else None) or d.get("first_seen"),
        })
    evidence.sort(key=lambda e: (e["time"] is None, e["time"] or 0, e["uid"]))

    members = []
    if campaign in G:
        for u, _, d in G.in_edges(campaign, data=True):
            if d.get("kind") == "MEMBER_OF":
                a = G.nodes[u]
                members.append({"uid": u, "label": a.get("label"), "platform": a.get("platform"),
                                "role": d.get("role"), "degree": d.get("degree")})
        members.sort(key=lambda m: (-(m["degree"] or 0), m["uid"]))

    steps = []
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "REAPPEARS_AS":
            steps.append({"from": G.nodes[u].get("label", u), "to": G.nodes[v].get("label", v),
                          "since": (G.nodes[v].get("time"), G.nodes[u].get("time")),
                          "score": d.get("score"), "gap": format_gap(d.get("gap")),
                          "signals": ", ".join(d.get("signals") or []), "evidence": _json(d.get("evidence")),
                          "lineage": d.get("lineage"), "analysis_run": d.get("analysis_run")})
    # oldest step first, as the lineage query and the app's lineage page order them
    steps.sort(key=lambda s: (tuple((t is None, t or 0) for t in s["since"]), s["from"], s["to"]))

    takedowns = []
    for _n, d in G.nodes(data=True):
        if d.get("kind") == "Report":
            takedowns.append({"time": d.get("reported_at"), "what": "report", "entity": d.get("entity"),
                              "detail": f"to {d.get('reported_to') or '?'} ({d.get('category') or ''})"})
        elif d.get("kind") == "Observation":
            takedowns.append({"time": d.get("observed_at"), "what": "observation", "entity": d.get("entity"),
                              "detail": d.get("status") or ""})
    takedowns.sort(key=lambda t: (t["time"] or 0, t["entity"] or ""))

    campaign_params = _json(G.nodes[campaign].get("params")) if campaign in G else None
    campaign_node = dict(G.nodes[campaign]) if campaign in G else None
    analysis_runs = sorted({d.get("analysis_run") for *_, d in G.edges(data=True) if d.get("analysis_run")})
    return {
        "title": title_for(G),
        "generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "version": __version__,
        "store": G.graph.get("store", ""),
        "selection": sel,
        "pseudonymized": bool(G.graph.get("pseudonymized")),
        "n_nodes": G.number_of_nodes(), "n_edges": G.number_of_edges(),
        "node_kinds": sorted(kinds.items()), "edge_kinds": sorted(edge_kinds.items()),
        "first_time": min(times) if times else None, "last_time": max(times) if times else None,
        "campaign": campaign_node, "members": members,
        "network_svg": Markup(network_svg(G)), "timeline_svg": Markup(timeline_svg(G)),
        "evidence": evidence[:EVIDENCE_LIMIT], "evidence_total": len(evidence), "evidence_limit": EVIDENCE_LIMIT,
        "steps": steps, "takedowns": takedowns,
        "campaign_params": campaign_params, "analysis_runs": analysis_runs,
        "limitations": _limitations(campaign_node is not None, bool(steps)),
        "runs": sorted(runs.values(), key=lambda r: r.get("started_at") or 0),
    }


def _limitations(campaign: bool, lineage: bool) -> list[tuple[str, str]]:
    """What the analyses behind the report's findings cannot see (their registry records)."""
    from ..analysis.registry import BY_NAME

    wanted = (["coordination"] if campaign else []) + (["reappearance"] if lineage else [])
    return [(BY_NAME[name].title, BY_NAME[name].limitations) for name in wanted]


def render_html(G: nx.MultiDiGraph) -> str:
    return _env().get_template("report.html.j2").render(**context(G))


def write_html(G: nx.MultiDiGraph, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(render_html(G), encoding="utf-8")
    return path


def write_pdf(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """The same report as PDF; nothing is fetched from the network while rendering."""
    import logging

    from weasyprint import HTML

    def no_network(url, *args, **kwargs):
        raise ValueError(f"the report does not load external resources ({url})")

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    path = Path(path)
    HTML(string=render_html(G), url_fetcher=no_network, base_url=str(path.parent)).write_pdf(str(path))
    return path
