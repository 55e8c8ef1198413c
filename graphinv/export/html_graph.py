"""An interactive graph page (pyvis / vis-network) that works offline.

The page is drawn as the app draws a graph (:mod:`graphinv.export.layout`): nodes placed
by the shared deterministic layout with the physics off (a reader sees the same
drawing every time, not a hairball settling), sized by their links in this graph,
labelled only where a label overlaps nothing (every name is in the node's tooltip),
no edge labels (the relation is in the edge's tooltip), and coloured as the schema
says, with a legend of the kinds present in exactly the colours drawn.

The vis-network library is inlined (pyvis ``cdn_resources="in_line"``); the links to
Bootstrap on a CDN that pyvis's template always adds are removed, and the page is
checked to load nothing from another host. Every label and tooltip is HTML-escaped,
because captured handles, titles and texts are hostile input. The check reads the page
as a browser does (tags and their attributes), so captured text, which is escaped
text or data inside a script, is never mistaken for something the page loads.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx

from ..errors import GraphinvError
from . import layout
from .common import escape, iso

_EXTERNAL_TAG = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']?https?://[^>]*>|<script\b[^>]*\bsrc\s*=\s*[\"']?https?://[^>]*>\s*</script>",
    re.I | re.S)
# Attributes through which a tag makes the browser fetch something.
URL_ATTRIBUTES = frozenset({"src", "href", "srcset", "data", "poster", "background", "action", "formaction",
                            "xlink:href", "manifest", "ping", "imagesrcset"})
URL_LISTS = frozenset({"srcset", "imagesrcset", "ping"})
# Another host: scheme-relative (//host) or with a scheme and an authority (https://host).
_OTHER_HOST = re.compile(r"\s*(?:[a-z][a-z0-9+.-]*:)?\s*[/\\]{2}", re.I)
_CSS_OTHER_HOST = re.compile(r"(?:url\(|@import)\s*[\"']?\s*(?:[a-z][a-z0-9+.-]*:)?\s*[/\\]{2}", re.I)

TOOLTIP_KEYS = ("platform", "handle", "display_name", "domain", "title", "text", "url", "status", "created_at",
                "observed_at", "reported_at", "reported_to", "score", "weight", "signals", "modalities")
TRUNCATE = 200


def _names_other_host(attribute: str, value: str) -> bool:
    if attribute == "style":
        return bool(_CSS_OTHER_HOST.search(value))
    if attribute in URL_LISTS:
        return any(_OTHER_HOST.match(url) for url in re.split(r"[\s,]+", value) if url)
    return attribute in URL_ATTRIBUTES and bool(_OTHER_HOST.match(value))


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
    links = [(u, v, d.get("weight")) for u, v, d in G.edges(data=True)]
    degree = layout.degrees(G.nodes, links)
    size = layout.node_sizes(degree)
    where = layout.positions(G.nodes, links, sizes=size)
    names = {n: layout.short_label(d.get("label", n)) for n, d in G.nodes(data=True)}
    shown = layout.labelled(where, size, names, degree)
    colour = {n: layout.kind_colour(d.get("kind", "")) for n, d in G.nodes(data=True)}
    for node, data in G.nodes(data=True):
        # No `group`: pyvis drops a node's colour when it has one, and vis-network then
        # paints the group's own colour, which no legend names.
        net.add_node(node, label=escape(names[node]) or " ", title=_tooltip(node, data), color=colour[node],
                     shape="dot", size=size[node] / 2, x=where[node][0], y=where[node][1], physics=False,
                     font={"size": layout.LABEL_FONT, "background": "rgba(255,255,255,0.85)"})
        if node not in shown:
            net.node_map[node]["label"] = ""  # pyvis puts the node id in place of an empty label
    heaviest = max((float(w or 1.0) for *_, w in links), default=1.0)
    for src, dst, key, data in G.edges(keys=True, data=True):
        weight = float(data.get("weight") or 1.0)
        net.add_edge(src, dst, title=escape(f"{data.get('kind', '')} {key}"), smooth=False,
                     arrows={"to": {"enabled": True, "scaleFactor": 0.4}},
                     color={"color": "#9aa5b1", "opacity": 0.45}, width=round(0.5 + 2 * weight / heaviest, 2))
    net.toggle_physics(False)
    page = net.generate_html()
    page = _EXTERNAL_TAG.sub("", page)
    # pyvis's template also keeps a commented-out link to a node_modules copy of vis.
    page = re.sub(r"<!--\s*<link[^>]*node_modules.*?-->", "", page, flags=re.S)
    page = page.replace("<body>", "<body>\n" + _header(G, title, legend_items(G, colour)), 1)
    page = page.replace("<head>", '<head>\n<title>' + escape(title) + "</title>", 1)
    check_offline(page)
    return page


def legend_items(G: nx.MultiDiGraph, colour: dict) -> list[tuple[str, str]]:
    """(kind, colour) of each kind of node in ``G``, in the colours its nodes are drawn in."""
    return sorted({str(d.get("kind", "")): colour[n] for n, d in G.nodes(data=True)}.items())


def _header(G: nx.MultiDiGraph, title: str, items: list[tuple[str, str]]) -> str:
    legend = "".join(f'<span class="legend-item" data-kind="{escape(kind)}" data-colour="{escape(c)}">'
                     f'<span style="color:{escape(c)}">&#9679;</span> {escape(kind or "unknown")}</span> &nbsp; '
                     for kind, c in items)
    return (f'<div style="font-family:sans-serif;margin:6px"><b>{escape(title)}</b> &mdash; '
            f'{G.number_of_nodes()} nodes, {G.number_of_edges()} edges. Node size: links in this graph; '
            f'hover a node or an edge for its name and relation.<br><span class="legend">{legend}</span></div>')


class _Loads(HTMLParser):
    """Collects what the tags of a page would fetch from another host."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        for name, value in attrs:
            if value and _names_other_host(name, value):
                self.found.append(f"<{tag} {name}={value[:80]!r}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.found += [f"<style> {m.group()!r}" for m in _CSS_OTHER_HOST.finditer(data)]


def external_loads(page: str) -> list[str]:
    """The tags of ``page`` that would load something from another host (tag attributes
    and stylesheets, not text nor script data).

    >>> external_loads('<p>src=//evil.example/x.js</p><script src="//cdn.example/v.js"></script>')
    ["<script src='//cdn.example/v.js'>"]
    """
    parser = _Loads()
    parser.feed(page)
    parser.close()
    return parser.found


def check_offline(page: str) -> None:
    """Refuse a page that would load anything from another host."""
    found = external_loads(page)
    if found:
        raise GraphinvError(f"the HTML export would load from the network: {', '.join(found[:3])}")


def write(G: nx.MultiDiGraph, path: str | Path, title: str = "graphinv export") -> Path:
    path = Path(path)
    path.write_text(render(G, title), encoding="utf-8")
    return path
