"""The written report, for an editor or a prosecutor: HTML and PDF (WeasyPrint) from
one autoescaped Jinja2 template (``templates/report.html.j2``).

In order: a plain-language summary (what was found, how sure); the findings, each
with its evidence items (excerpt, capture time, URL, sha256, WARC record or line),
the co-action table of a campaign and the reappearing sites side by side; a network
figure of the finding's actors and a timeline from its first to its last event;
methods and parameters in prose; limitations; a glossary; the source files, once,
relative to the folder holding them, with their sha256. The report's own sha256
cannot be inside it: :func:`write` writes it beside the file (``X.pdf.sha256``, in
``sha256sum`` format) and the CLI prints it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path, PurePath

import networkx as nx
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from .. import __version__
from ..timefmt import iso
from . import report_findings as findings
from . import report_lineage, report_text
from .svg import MAX_FIGURE_NODES, figure_nodes, network_svg, timeline_svg


def _env() -> Environment:
    env = Environment(loader=PackageLoader("graphinv.export", "templates"),
                      autoescape=select_autoescape(["html", "j2"], default=True))
    env.filters["iso"] = iso
    return env


def title_for(G: nx.MultiDiGraph) -> str:
    sel = G.graph.get("selection") or {}
    if sel.get("campaign"):
        label = G.nodes[sel["campaign"]].get("label") if sel["campaign"] in G else None
        return f"Campaign {sel['campaign']}" + (f": {label}" if label else "")
    if sel.get("lineage"):
        return f"Lineage of {findings.label(G, sel['lineage'])}"
    if sel.get("query"):
        return f"Query {sel['query']}"
    return "Whole graph"


def store_label(uri: str) -> str:
    """The store named without the folder it sits in (a path names the analyst's
    machine, not the evidence).

    >>> store_label("embedded:/home/ana/cases/x/var/demo.lbug"), store_label("bolt://127.0.0.1:7687")
    ('the embedded store demo.lbug', 'the Neo4j store at 127.0.0.1:7687')
    """
    if uri.startswith("embedded:"):
        return f"the embedded store {PurePath(uri.split(':', 1)[1]).name}"
    host = uri.split("://", 1)[-1].rsplit("@", 1)[-1].split("/", 1)[0]
    return f"the Neo4j store at {host}" if host else "a Neo4j store"


def _query_summary(G: nx.MultiDiGraph, sel: dict) -> list[str]:
    kinds: dict[str, int] = {}
    for _, d in G.nodes(data=True):
        kinds[d.get("kind", "?")] = kinds.get(d.get("kind", "?"), 0) + 1
    held = findings.join_words([f"{n} {k.lower()}{'s' if n != 1 else ''}" for k, n in sorted(kinds.items())]) \
        if kinds else "nothing"
    params = ", ".join(f"{k} = {v}" for k, v in (sel.get("params") or {}).items())
    if sel.get("query"):
        lines = [f"The named query {sel['query']}" + (f" ({params})" if params else "") + f" returned {held}."]
    else:
        lines = [f"The whole graph holds {held}."]
    campaigns = sorted((n, d) for n, d in G.nodes(data=True) if d.get("kind") == "Campaign")
    if campaigns:
        lines.append("Campaigns among them (a report of one, with its evidence: --campaign UID): " + "; ".join(
            f"{n}, {d.get('label', '')}" + (f", confidence {float(d['confidence']) * 100:.0f} %"
                                            if d.get("confidence") is not None else "") for n, d in campaigns) + ".")
    return lines


def context(G: nx.MultiDiGraph) -> dict:
    """Everything the template shows, computed from the selection graph."""
    sel = G.graph.get("selection") or {}
    src = findings.sources(G)
    campaign = sel.get("campaign") if sel.get("campaign") in G else None
    items = findings.evidence_items(G, src, *findings.cited(G, campaign))
    steps = report_lineage.lineage_steps(G, items)

    what, sure = [], []
    coactions, members = [], []
    campaign_node = None
    if campaign:
        campaign_node = dict(G.nodes[campaign])
        members = findings.members(G, campaign)
        coactions = findings.coaction_groups(G, items)
        what, sure = findings.campaign_summary(G, campaign)
    if steps:
        more_what, more_sure = report_lineage.lineage_summary(G, steps)
        what, sure = what + more_what, sure + more_sure
    impersonations = findings.impersonations(G)
    if not campaign and not sel.get("lineage"):
        what = _query_summary(G, sel) + what
    # A lineage shows its pages in the side-by-side cards, not again as a list of posts.
    posts = [] if sel.get("lineage") else findings.posts(G, campaign, items, src)
    if items:
        sure.append(f"The findings rest on {len(items)} capture{'s' if len(items) != 1 else ''} listed under "
                    "Evidence items, each with its capture time, location in its source file and sha256; "
                    f"the command graphinv evidence {campaign or sel.get('lineage') or 'ENTITY'} --verify "
                    "re-reads them and checks each hash.")

    campaign_params = findings.parse_json(campaign_node.get("params")) if campaign_node else None
    step_params = next((s["params"] for s in steps if isinstance(s.get("params"), dict)), None)
    methods = report_text.coordination_methods(campaign_params) + report_text.reappearance_methods(step_params)
    drawn = figure_nodes(G)
    return {
        "title": title_for(G),
        "generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "version": __version__,
        "store": store_label(str(G.graph.get("store", ""))),
        "selection": {k: v for k, v in sel.items() if k != "params"}, "params": sel.get("params") or {},
        "pseudonymized": bool(G.graph.get("pseudonymized")),
        "case_tags": G.graph.get("case_tags") or [],
        "what": what, "sure": sure,
        "campaign": campaign_node, "members": members,
        "coactions": coactions, "coactions_total": sum(len(g["rows"]) for g in coactions),
        "has_coactions": findings.frame(G, "coactions") is not None,
        "has_captures": findings.frame(G, "captures") is not None,
        "items_by_entity": findings.captures_table(G) is not None and "entity" in findings.captures_table(G).columns,
        "network_svg": Markup(network_svg(G)), "timeline_svg": Markup(timeline_svg(G)),
        "figure_count": len(drawn), "figure_cap": MAX_FIGURE_NODES,
        "figure_of": "campaign members" if campaign else ("generations" if steps else "accounts and sites"),
        "items": items[:findings.ROW_LIMIT], "items_total": len(items),
        "posts": posts[:findings.ROW_LIMIT], "posts_total": len(posts), "row_limit": findings.ROW_LIMIT,
        "steps": steps, "takedowns": findings.takedowns(G), "impersonations": impersonations,
        **ledger_context(G),
        "methods": methods, "recorded_campaign": report_text.recorded(campaign_params),
        "recorded_reappearance": report_text.recorded(step_params),
        "analysis_runs": sorted({d.get("analysis_run") for *_, d in G.edges(data=True) if d.get("analysis_run")}),
        "limitations": report_text.limitations(campaign is not None, bool(steps), bool(impersonations)),
        "glossary": report_text.glossary(),
        "sources": src.rows, "sources_base": src.base,
    }


def ledger_context(G: nx.MultiDiGraph) -> dict:
    """The 48-hour ledger of the selection's noticed reports (``G.graph["ledger"]``, see
    :mod:`graphinv.analysis.ledger`): the compliance per platform and recipient and the
    per-item exhibit, times in ISO."""
    from ..analysis.ledger import compliance, with_iso_times

    items = findings.frame(G, "ledger")
    if items is None:
        return {"ledger": [], "ledger_items": [], "ledger_limits": ""}
    table = compliance(items)
    shown = with_iso_times(items).astype(object)
    from ..analysis.registry import BY_NAME

    return {"ledger": table.astype(object).where(table.notna(), None).to_dict("records"),
            "ledger_items": shown.where(shown.notna(), None).to_dict("records"),
            "ledger_limits": BY_NAME["ledger"].limitations}


def render_html(G: nx.MultiDiGraph, digest_name: str = "") -> str:
    return _env().get_template("report.html.j2").render(**context(G), digest_name=digest_name)


def write_digest(path: Path) -> Path:
    """``path``'s sha256 written beside it as ``path.sha256`` in ``sha256sum`` format
    (``sha256sum -c`` checks it)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    out = path.with_name(path.name + ".sha256")
    out.write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return out


def write_html(G: nx.MultiDiGraph, path: str | Path) -> list[Path]:
    path = Path(path)
    path.write_text(render_html(G, path.name + ".sha256"), encoding="utf-8")
    return [path, write_digest(path)]


def render_pdf(html: str, path: str | Path) -> Path:
    """An HTML document as PDF (WeasyPrint); nothing is fetched from the network while
    rendering. The report and the notices (:mod:`.notice`) are rendered here."""
    import logging

    from weasyprint import HTML

    def no_network(url, *args, **kwargs):
        raise ValueError(f"the document does not load external resources ({url})")

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    path = Path(path)
    HTML(string=html, url_fetcher=no_network, base_url=str(path.parent)).write_pdf(str(path))
    return path


def write_pdf(G: nx.MultiDiGraph, path: str | Path) -> list[Path]:
    """The same report as PDF; nothing is fetched from the network while rendering."""
    path = Path(path)
    render_pdf(render_html(G, path.name + ".sha256"), path)
    return [path, write_digest(path)]


def write(G: nx.MultiDiGraph, path: str | Path) -> list[Path]:
    """The report as PDF when ``path`` ends in .pdf, else as HTML."""
    return write_pdf(G, path) if Path(path).suffix.lower() == ".pdf" else write_html(G, path)
