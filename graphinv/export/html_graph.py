"""An interactive graph page (pyvis / vis-network) that works offline.

The vis-network library is inlined (pyvis ``cdn_resources="in_line"``); the links to
Bootstrap on a CDN that pyvis's template always adds are removed, and the page is
checked to load nothing from another host. Every label and tooltip is HTML-escaped,
because captured handles, titles and texts are hostile input.
"""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx

from ..errors import GraphinvError
from ..schema import SCHEMA
from .common import escape, iso

_EXTERNAL_TAG = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']?https?://[^>]*>|<script\b[^>]*\bsrc\s*=\s*[\"']?https?://[^>]*>\s*</script>",
    re.I | re.S)
EXTERNAL_REFERENCE = re.compile(r"\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.I)
TOOLTIP_KEYS = ("platform", "handle", "display_name", "domain", "title", "text", "url", "status", "created_at",
                "observed_at", "reported_at", "reported_to", "score", "weight", "signals", "modalities")
TRUNCATE = 200


def _short(value, n: int = TRUNCATE) -> str:
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= n else text[: n - 1] + "…"


def _tooltip(uid: str, data: dict) -> str:
    lines = [f"{data.get('kind', '')} {uid}"]
    for key in TOOLTIP_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if key.endswith("_at") and isinstance(value, (int, float)):
            value = iso(value)
        lines.append(f"{key}: {_short(value)}")
    return escape("\n".join(lines))


def render(G: nx.MultiDiGraph, title: str = "graphinv export") -> str:
    """The page as a string."""
    from pyvis.network import Network

    net = Network(height="85vh", width="100%", directed=True, cdn_resources="in_line", heading="")
    for node, data in G.nodes(data=True):
        kind = data.get("kind", "")
        colour = SCHEMA.nodes[kind].colour if kind in SCHEMA.nodes else "#999999"
        net.add_node(node, label=escape(_short(data.get("label", node), 40)), title=_tooltip(node, data),
                     color=colour, group=escape(kind), shape="dot", size=12 if kind != "Campaign" else 22)
    for src, dst, key, data in G.edges(keys=True, data=True):
        net.add_edge(src, dst, title=escape(f"{data.get('kind', '')} {key}"), label=escape(data.get("kind", "")),
                     value=float(data.get("weight") or 1.0), arrows="to", font={"size": 8})
    net.toggle_physics(True)
    page = net.generate_html()
    page = _EXTERNAL_TAG.sub("", page)
    # pyvis's template also keeps a commented-out link to a node_modules copy of vis.
    page = re.sub(r"<!--\s*<link[^>]*node_modules.*?-->", "", page, flags=re.S)
    legend = "".join(f'<span style="color:{SCHEMA.nodes[k].colour}">&#9679;</span> {escape(k)} &nbsp; '
                     for k in sorted({d.get("kind") for _, d in G.nodes(data=True)}) if k in SCHEMA.nodes)
    header = (f'<div style="font-family:sans-serif;margin:6px"><b>{escape(title)}</b> &mdash; '
              f'{G.number_of_nodes()} nodes, {G.number_of_edges()} edges<br>{legend}</div>')
    page = page.replace("<body>", "<body>\n" + header, 1)
    page = page.replace("<head>", '<head>\n<title>' + escape(title) + "</title>", 1)
    check_offline(page)
    return page


def check_offline(page: str) -> None:
    """Refuse a page that would load anything from another host."""
    found = EXTERNAL_REFERENCE.search(page)
    if found:
        start = max(0, found.start() - 40)
        raise GraphinvError(f"the HTML export would load from the network: {page[start:found.end() + 40]!r}")


def write(G: nx.MultiDiGraph, path: str | Path, title: str = "graphinv export") -> Path:
    path = Path(path)
    path.write_text(render(G, title), encoding="utf-8")
    return path
