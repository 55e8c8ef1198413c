"""The graphs the app draws (a campaign's network, the Explorer's neighbourhood): their
elements, one stylesheet, the legend, the controls under each graph and the positions
a saved view keeps.

A graph is drawn where :mod:`graphinv.export.layout` puts it (Cytoscape's "preset"
layout), so the same graph looks the same on every visit and in the HTML export. Node
size says how many drawn nodes a node is linked to; only labels that overlap nothing
are drawn, the others show on hover or selection; edge labels are off until the
"Show edge labels" box is ticked. The legend is read from the drawn elements
themselves, so it lists what is drawn, in the colours it is drawn in.

>>> drawn = elements([{"id": "a", "label": "alice", "group": "Account", "colour": "#123456"},
...                   {"id": "b", "label": "bob", "group": "Account", "colour": "#123456"}],
...                  [{"id": "a>b", "source": "a", "target": "b", "label": "FOLLOWS"}])
>>> legend_items(drawn)
[('Account', '#123456')]
>>> moved = apply_positions(drawn, {"a": [0, 0]})
>>> positions(moved)["a"]
[0.0, 0.0]
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

import dash_cytoscape as cyto
from dash import Input, Output, State, dcc, html

from ..export.layout import LABEL_FONT, degrees, labelled, node_sizes, positions as layout_positions, short_label
from .layout import legend

EDGE_COLOUR = "#b8c2cc"
EDGE_WIDTH = 1.5
LABEL_STYLE = {"label": "data(label)", "text-background-color": "#ffffff", "text-background-opacity": 0.85,
               "text-background-padding": "2px", "text-background-shape": "roundrectangle",
               "min-zoomed-font-size": 7}
# What the image buttons export: the whole drawing as it is now (the user's moves
# included), at twice the screen's resolution for a PNG, on white.
IMAGE_OPTIONS = {"png": {"full": True, "scale": 2, "bg": "#ffffff"}, "svg": {"full": True, "bg": "#ffffff"}}


@dataclass(frozen=True)
class GraphIds:
    """The ids of one drawn graph and of its controls, all named after the graph's id."""

    graph: str

    @property
    def edge_labels(self) -> str:
        return f"{self.graph}-edge-labels"

    @property
    def png(self) -> str:
        return f"{self.graph}-png"

    @property
    def svg(self) -> str:
        return f"{self.graph}-svg"

    @property
    def stylesheets(self) -> str:
        return f"{self.graph}-stylesheets"

    @property
    def filename(self) -> str:
        return f"{self.graph}-filename"

    @property
    def legend(self) -> str:
        return f"{self.graph}-legend"


# -- elements ------------------------------------------------------------------------
def elements(nodes: Iterable[dict], edges: Iterable[dict], fixed: Mapping | None = None) -> list[dict]:
    """Cytoscape elements with their positions. ``nodes`` are data dicts with ``id``,
    ``label`` (the full name), ``group`` (what the colour stands for: a kind, a role)
    and ``colour``, plus anything a page's stylesheet reads; ``edges`` have ``id``,
    ``source``, ``target`` and ``label`` (the relation, shown when edge labels are on),
    and optionally ``weight``, ``width``, ``colour`` and ``arrow``. Edges whose ends are
    not drawn are left out. Nodes named in ``fixed`` ({id: [x, y]}) stay there."""
    nodes = {str(n["id"]): dict(n) for n in nodes}
    edges = [dict(e) for e in edges if e["source"] in nodes and e["target"] in nodes]
    links = [(e["source"], e["target"], e.get("weight")) for e in edges]
    degree = degrees(nodes, links)
    size = node_sizes(degree)
    where = layout_positions(nodes, links, fixed=fixed, sizes=size)
    drawn = []
    for uid, data in nodes.items():
        name = str(data.get("label") or uid)
        data.update(id=uid, name=name, label=short_label(name), degree=degree[uid], size=size[uid])
        drawn.append({"data": data, "position": {"x": where[uid][0], "y": where[uid][1]}})
    for edge in edges:
        edge.setdefault("width", EDGE_WIDTH)
        edge.setdefault("colour", EDGE_COLOUR)
        edge.setdefault("arrow", "triangle")
        edge["label"] = str(edge.get("label") or "")
        drawn.append({"data": edge})
    return _choose_labels(drawn)


def _is_node(element: dict) -> bool:
    return "source" not in element.get("data", {})


def _choose_labels(drawn: list[dict]) -> list[dict]:
    """Mark the nodes whose label is drawn (``labelled``), for the positions they have."""
    nodes = [e for e in drawn if _is_node(e) and "position" in e]
    where = {e["data"]["id"]: (e["position"]["x"], e["position"]["y"]) for e in nodes}
    chosen = labelled(where, {e["data"]["id"]: e["data"]["size"] for e in nodes},
                      {e["data"]["id"]: e["data"]["label"] for e in nodes},
                      {e["data"]["id"]: e["data"]["degree"] for e in nodes})
    for e in nodes:
        e["data"]["labelled"] = e["data"]["id"] in chosen
    return drawn


def positions(drawn: Iterable[dict]) -> dict[str, list[float]]:
    """Where each node of a drawing is now, ``{uid: [x, y]}``: Cytoscape writes a node
    the user dragged back into the ``elements`` it holds, so this is the view as the
    user left it (what a case saves)."""
    return {str(e["data"]["id"]): [float(e["position"]["x"]), float(e["position"]["y"])]
            for e in drawn or () if _is_node(e) and e.get("position")}


def apply_positions(drawn: Iterable[dict], where: Mapping) -> list[dict]:
    """A copy of ``drawn`` whose nodes named in ``where`` ({uid: [x, y]}) are there
    (the saved view wins over the computed layout); labels are chosen again for the
    new positions."""
    out = []
    for element in drawn:
        element = {**element, "data": dict(element["data"])}
        uid = element["data"].get("id")
        if _is_node(element) and uid in where:
            x, y = where[uid]
            element["position"] = {"x": float(x), "y": float(y)}
        out.append(element)
    return _choose_labels(out)


# -- style and legend ----------------------------------------------------------------------
def stylesheet(edge_labels: bool = False, extra: Iterable[dict] = ()) -> list[dict]:
    """The stylesheet of every drawn graph; ``extra`` rules (a page's own) come after
    the base ones and before selection, so a selected node always stands out."""
    rules = [
        {"selector": "node", "style": {"background-color": "data(colour)", "width": "data(size)",
                                       "height": "data(size)", "label": "", "font-size": LABEL_FONT,
                                       "color": "#1f2933", "text-valign": "bottom", "text-margin-y": 2,
                                       "text-max-width": 180, "text-wrap": "ellipsis", "border-width": 0}},
        {"selector": "node[?labelled]", "style": LABEL_STYLE},
        {"selector": "edge", "style": {"width": "data(width)", "line-color": "data(colour)", "opacity": 0.55,
                                       "target-arrow-color": "data(colour)", "target-arrow-shape": "data(arrow)",
                                       "arrow-scale": 0.7, "curve-style": "bezier", "label": ""}},
        *extra,
        {"selector": "node:selected", "style": {**LABEL_STYLE, "border-color": "#111111", "border-width": 3,
                                                "z-index": 20}},
        {"selector": "edge:selected", "style": {"opacity": 1, "line-color": "#1f2933"}},
    ]
    if edge_labels:
        rules.append({"selector": "edge", "style": {
            "label": "data(label)", "font-size": 8, "color": "#52606d", "text-rotation": "autorotate",
            "text-background-color": "#ffffff", "text-background-opacity": 0.8, "text-background-padding": "1px",
            "min-zoomed-font-size": 6}})
    return rules


def legend_items(drawn: Iterable[dict], key: str = "group", colour: str = "colour",
                 edges: bool = False) -> list[tuple[str, str]]:
    """(value, colour) of each ``key`` drawn on the nodes (or the edges), read from the
    elements: the legend names what is drawn, in the colours it is drawn in."""
    found = {}
    for element in drawn:
        data = element["data"]
        if _is_node(element) != edges and data.get(key) is not None:
            found.setdefault(str(data[key]), data[colour])
    return sorted(found.items())


def legends(drawn: list[dict], *parts: tuple[str, dict]) -> list[html.Div]:
    """One legend per ``(title, legend_items keyword arguments)``, those with items."""
    out = []
    for title, how in parts:
        items = legend_items(drawn, **{k: v for k, v in how.items() if k != "shape"})
        if items:
            out.append(legend(title, items, shape=how.get("shape", "dot")))
    return out


# -- the panel and its controls ----------------------------------------------------------------
def panel(graph_id: str, drawn: list[dict], extra_styles: Iterable[dict] = (), legend_parts=(),
          filename: str = "graph", height: str = "520px") -> html.Div:
    """The graph with its controls (edge labels, PNG, SVG) and its legend; callbacks
    come from :func:`register`, once per graph id."""
    names = GraphIds(graph_id)
    extra_styles = list(extra_styles)
    return html.Div(className="graph-panel", children=[
        html.Div(className="graph-controls", children=[
            dcc.Checklist(id=names.edge_labels, options=[{"label": "Show edge labels", "value": "on"}], value=[],
                          className="edge-label-toggle", inputClassName="kind-box"),
            html.Span("Download this view:", className="export-label"),
            html.Button("PNG", id=names.png, className="btn btn-small", n_clicks=0,
                        title="the drawing as it is now, as a PNG image"),
            html.Button("SVG", id=names.svg, className="btn btn-small", n_clicks=0,
                        title="the drawing as it is now, as an SVG image"),
        ]),
        cyto.Cytoscape(id=graph_id, elements=drawn, stylesheet=stylesheet(False, extra_styles),
                       layout={"name": "preset", "fit": True, "padding": 24, "animate": False},
                       className="cyto", style={"width": "100%", "height": height}, minZoom=0.15, maxZoom=1.6,
                       clearOnUnhover=True),
        dcc.Store(id=names.stylesheets, data={"off": stylesheet(False, extra_styles),
                                              "on": stylesheet(True, extra_styles)}),
        dcc.Store(id=names.filename, data=safe_filename(filename)),
        html.Div(legends(drawn, *legend_parts), id=names.legend, className="legends"),
    ])


def safe_filename(name: str) -> str:
    """A download name made of letters, digits, dots, dashes and underscores.

    >>> safe_filename("campaign:0 network")
    'campaign-0-network'
    """
    return re.sub(r"[^A-Za-z0-9._-]+", "-", str(name)).strip("-.") or "graph"


def register(app, graph_id: str) -> None:
    """The browser-side callbacks of one graph: the edge-label box and the hovered node
    pick the stylesheet; the PNG and SVG buttons ask Cytoscape for the image of the
    drawing as it is now (generated and downloaded in the browser)."""
    names = GraphIds(graph_id)
    app.clientside_callback(
        """function(hovered, shown, sheets) {
            if (!sheets) { return window.dash_clientside.no_update; }
            const sheet = (shown && shown.length) ? sheets.on : sheets.off;
            if (!hovered || !hovered.id) { return sheet; }
            return sheet.concat([{selector: 'node[id = ' + JSON.stringify(String(hovered.id)) + ']',
                                  style: {label: 'data(name)', 'text-background-color': '#ffffff',
                                          'text-background-opacity': 0.95, 'text-background-padding': '2px',
                                          'text-max-width': 320, 'z-index': 30}}]);
        }""",
        Output(graph_id, "stylesheet"), Input(graph_id, "mouseoverNodeData"), Input(names.edge_labels, "value"),
        # Not on load: the graph is drawn with the "off" sheet already, and a second sheet
        # makes Cytoscape restyle every element again (a quarter second on a campaign).
        State(names.stylesheets, "data"), prevent_initial_call=True)
    app.clientside_callback(
        """function(png, svg, name) {
            const fired = (window.dash_clientside.callback_context.triggered || [])[0];
            if (!fired || !fired.value) { return window.dash_clientside.no_update; }
            const type = fired.prop_id.startsWith(%s + '.') ? 'svg' : 'png';
            const options = %s;
            return {type: type, action: 'download', filename: name || 'graph', options: options[type]};
        }""" % (json.dumps(names.svg), json.dumps(IMAGE_OPTIONS)),
        Output(graph_id, "generateImage"), Input(names.png, "n_clicks"), Input(names.svg, "n_clicks"),
        State(names.filename, "data"), prevent_initial_call=True)
