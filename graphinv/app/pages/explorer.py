"""Explorer: find any entity (handle, domain, URL, tracking ID, hashtag, hash) and
grow its neighbourhood a step at a time, filtered by node kind and time.

Drawing is capped at MAX_ELEMENTS nodes plus edges: a hub with 100,000 neighbours
shows what fits and says how many more there are, instead of freezing the browser.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import dash
import dash_cytoscape as cyto
from dash import Input, Output, State, ctx as callback_ctx, dcc, html

from ...schema import SCHEMA
from .. import data, ids
from ..layout import empty, error_box, export_bar, iso, kind_colour, kinds_legend, page_header, table, table_records
from ..links import entity_link

PATH = "/explorer"
TITLE = "Explorer"
MAX_ELEMENTS = 200
RESULT_TABLE = ids.EXPLORER_RESULT_TABLE
PER_EXPANSION = 60  # at most this many new neighbours per click

STYLESHEET = [
    {"selector": "node", "style": {"label": "data(label)", "background-color": "data(colour)", "font-size": 9,
                                   "color": "#1f2933", "text-valign": "bottom", "text-margin-y": 3,
                                   "width": 16, "height": 16, "text-wrap": "ellipsis", "text-max-width": 140}},
    {"selector": "node[?expanded]", "style": {"width": 24, "height": 24, "border-width": 3,
                                              "border-color": "#1f2933"}},
    {"selector": "node[more > 0]", "style": {"border-width": 3, "border-style": "dashed",
                                             "border-color": "#d62728"}},
    {"selector": "edge", "style": {"width": 1.5, "line-color": "#b8c2cc", "target-arrow-color": "#b8c2cc",
                                   "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.7,
                                   "label": "data(label)", "font-size": 7, "color": "#7b8794",
                                   "text-rotation": "autorotate"}},
    {"selector": ":selected", "style": {"border-color": "#111", "border-width": 4}},
]


def _epoch(value, end: bool = False) -> int:
    """A YYYY-MM-DD day as epoch seconds (its start, or with ``end`` its last second);
    empty or unreadable text leaves that side of the range open."""
    try:
        day = date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return data.NEVER if end else 0
    moment = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    return int(moment.timestamp()) + (86399 if end else 0)


def layout(ctx, params):
    query = params.get("q", "")
    kinds = list(SCHEMA.nodes)
    return html.Div([
        page_header("Explorer", "Search an account, domain, URL, tracking ID, hashtag or hash; click a result to "
                    "place it, then click nodes to expand their neighbours one step at a time."),
        html.Div(className="grid-explorer", children=[
            html.Div(className="card", children=[
                html.H2("Search"),
                html.Div(className="search-row", children=[
                    dcc.Input(id=ids.EXPLORER_SEARCH, type="search", value=query, debounce=True,
                              placeholder="handle, domain, URL, UA-…, #tag…", className="input"),
                    html.Button("Search", id=ids.EXPLORER_SEARCH_BUTTON, className="btn", n_clicks=0)]),
                html.H4("Kinds"),
                dcc.Checklist(id=ids.EXPLORER_KINDS, options=[{"label": k, "value": k} for k in kinds],
                              value=[k for k in kinds if k not in ("Observation", "IngestRun", "Capture")],
                              className="kinds", inputClassName="kind-box"),
                html.H4("Time (edges and entities seen)"),
                html.Div(className="dates", children=[
                    # Text, not the browser's date field: that one shows the locale's
                    # month/day/year; here a day is written 2026-03-01 everywhere.
                    dcc.Input(id=ids.EXPLORER_SINCE, type="text", placeholder="YYYY-MM-DD", debounce=True,
                              pattern=r"\d{4}-\d{2}-\d{2}", className="input"),
                    html.Span("to"),
                    dcc.Input(id=ids.EXPLORER_UNTIL, type="text", placeholder="YYYY-MM-DD", debounce=True,
                              pattern=r"\d{4}-\d{2}-\d{2}", className="input")]),
                html.Div(className="results", children=[
                    html.Div(id=ids.EXPLORER_RESULTS),
                    table(RESULT_TABLE, data.search(ctx.store, "")[["name", "kind", "detail", "uid"]],
                          page_size=10, filter=False, hidden=["uid"])]),
            ]),
            html.Div(className="card", children=[
                html.Div(className="graph-head", children=[
                    html.H2("Neighbourhood"),
                    html.Button("Clear", id=ids.EXPLORER_CLEAR, className="btn btn-small", n_clicks=0)]),
                kinds_legend(),
                cyto.Cytoscape(id=ids.EXPLORER_GRAPH, elements=[], stylesheet=STYLESHEET,
                               layout={"name": "cose", "animate": False}, className="cyto",
                               style={"width": "100%", "height": "520px"}, minZoom=0.2, maxZoom=1.6),
                html.P(f"Nothing drawn yet. At most {MAX_ELEMENTS} nodes and edges are drawn.",
                       id=ids.EXPLORER_NOTE, className="note"),
                html.Div(id=ids.EXPLORER_EXPORT, children=export_bar(None, "this neighbourhood")),
                html.Div(id=ids.EXPLORER_DETAIL, className="detail"),
                dcc.Store(id=ids.EXPLORER_ELEMENTS, data={"nodes": {}, "edges": {}, "more": {}}),
            ]),
        ]),
    ])


def _node_element(uid: str, kind: str, name: str, state: dict) -> dict:
    more = state["more"].get(uid, 0)
    label = str(name or uid)
    if len(label) > 40:
        label = label[:39] + "…"
    return {"data": {"id": uid, "label": label + (f"  (+{more:,})" if more else ""), "kind": kind,
                     "colour": kind_colour(kind), "expanded": uid in state.get("expanded", []), "more": more}}


def _elements(state: dict) -> list[dict]:
    nodes = [_node_element(uid, n["kind"], n["name"], state) for uid, n in state["nodes"].items()]
    edges = [{"data": {"id": e, "source": d["source"], "target": d["target"], "label": d["label"]}}
             for e, d in state["edges"].items()]
    return nodes + edges


def _count(state: dict) -> int:
    return len(state["nodes"]) + len(state["edges"])


def expand(store, state: dict, uid: str, kinds, since: int, until: int) -> str:
    """Add ``uid``'s neighbours to ``state`` within the element cap; returns a note."""
    capacity = MAX_ELEMENTS - _count(state)
    if capacity <= 1:
        return f"The drawing is full ({MAX_ELEMENTS} elements): clear it or filter by kind and time."
    rows, total = data.neighbours(store, uid, kinds, since, until, limit=min(PER_EXPANSION, capacity))
    added = 0
    for row in rows.itertuples(index=False):
        new_node = row.neighbour not in state["nodes"]
        cost = 1 + (1 if new_node else 0)
        if _count(state) + cost > MAX_ELEMENTS:
            break
        if new_node:
            state["nodes"][row.neighbour] = {"kind": str(row.kind), "name": str(data.plain(row.name) or row.neighbour)}
        source, target = (uid, row.neighbour) if row.direction == "out" else (row.neighbour, uid)
        edge_id = str(row.edge or f"{source}>{row.relation}>{target}")
        state["edges"][edge_id] = {"source": source, "target": target, "label": str(row.relation)}
        added += 1
    state.setdefault("expanded", [])
    if uid not in state["expanded"]:
        state["expanded"].append(uid)
    more = max(0, total - added)
    state["more"][uid] = more
    name = state["nodes"].get(uid, {}).get("name", uid)
    text = f"{name}: {total:,} neighbours match the filters, {added:,} drawn"
    return text + (f"; {more:,} more not drawn (narrow the kinds or the time to see others)." if more else ".")


def _detail(store, uid: str) -> html.Div:
    props = data.node(store, uid)
    if not props:
        return empty(f"{uid} is not in the store.")
    rows = [html.Tr([html.Th(k), html.Td(iso(v) if k in ("first_seen", "last_seen", "created_at", "observed_at",
                                                            "reported_at", "started_at", "finished_at") else str(v))])
            for k, v in props.items() if k != "kind"]
    return html.Div([html.H4(f"{props['kind']} {uid}"),
                     entity_link(uid, "Open its page →", className="more-link entity-page-link"),
                     html.Table(rows, className="props")])


def register(app, ctx):
    @app.callback(Output(ids.EXPLORER_RESULTS, "children"), Output(RESULT_TABLE, "data"),
                  Output(RESULT_TABLE, "active_cell"),
                  Input(ids.EXPLORER_SEARCH_BUTTON, "n_clicks"), Input(ids.EXPLORER_SEARCH, "value"),
                  State(ids.EXPLORER_KINDS, "value"), State(ids.EXPLORER_SINCE, "value"),
                  State(ids.EXPLORER_UNTIL, "value"))
    def search(_, text, kinds, since, until):
        if not text or not text.strip():
            return html.P("Type a handle, domain, URL or ID and press Enter.", className="muted"), [], None
        try:
            found = data.search(ctx.store, text, kinds, _epoch(since), _epoch(until, end=True), limit=50)
        except Exception as exc:  # a store error is shown, not raised into the browser
            return error_box(f"Search failed: {exc}"), [], None
        if found.empty:
            return html.P(f"Nothing matches {text!r}.", className="muted"), [], None
        return (html.P(f"{len(found):,} matches; click one to draw it.", className="note"),
                table_records(found), None)

    @app.callback(Output(ids.EXPLORER_ELEMENTS, "data"), Output(ids.EXPLORER_GRAPH, "elements"),
                  Output(ids.EXPLORER_NOTE, "children"), Output(ids.EXPLORER_DETAIL, "children"),
                  Output(ids.EXPLORER_EXPORT, "children"),
                  Input(RESULT_TABLE, "active_cell"), Input(ids.EXPLORER_GRAPH, "tapNodeData"),
                  Input(ids.EXPLORER_CLEAR, "n_clicks"),
                  State(RESULT_TABLE, "derived_viewport_data"), State(ids.EXPLORER_ELEMENTS, "data"),
                  State(ids.EXPLORER_KINDS, "value"), State(ids.EXPLORER_SINCE, "value"),
                  State(ids.EXPLORER_UNTIL, "value"), prevent_initial_call=True)
    def grow(cell, tapped, _clear, rows, state, kinds, since, until):
        trigger = callback_ctx.triggered_id
        state = state or {"nodes": {}, "edges": {}, "more": {}}
        if trigger == ids.EXPLORER_CLEAR:
            state = {"nodes": {}, "edges": {}, "more": {}}
            return state, [], "Cleared.", None, export_bar(None, "this neighbourhood")
        if trigger == RESULT_TABLE:
            if not cell or not rows or cell.get("row", -1) >= len(rows):
                return (dash.no_update,) * 5
            row = rows[cell["row"]]
            uid = row["uid"]
            state["nodes"].setdefault(uid, {"kind": row["kind"], "name": row["name"] or uid})
        elif trigger == ids.EXPLORER_GRAPH and tapped:
            uid = tapped["id"]
        else:
            return (dash.no_update,) * 5
        try:
            note = expand(ctx.store, state, uid, kinds or list(SCHEMA.nodes), _epoch(since), _epoch(until, True))
        except Exception as exc:
            note = f"Could not expand {uid}: {exc}"
        selection = {"query": "neighbourhood", "params": {"uid": uid}}
        return (state, _elements(state), note, _detail(ctx.store, uid),
                export_bar(selection, f"the neighbourhood of {state['nodes'].get(uid, {}).get('name', uid)}"))
