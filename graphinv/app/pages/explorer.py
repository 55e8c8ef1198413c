"""Explorer: find any entity (handle, domain, URL, tracking ID, hashtag, hash) and
grow its neighbourhood a step at a time, filtered by node kind and time.

It opens on something: ``?uid=`` draws that entity's neighbourhood (entity pages link
here with :func:`graphinv.app.links.explore_href`); with no query it draws the largest
campaign's members, or in a store without campaigns the best connected entity.

Drawing is capped at MAX_ELEMENTS nodes plus edges: a hub with 100,000 neighbours
shows what fits and says how many more there are, instead of freezing the browser.
"""

from __future__ import annotations


import dash
from dash import Input, Output, State, ctx as callback_ctx, dcc, html

from ...schema import SCHEMA
from .. import data, graph_view, ids, timerange
from ..layout import empty, error_box, export_bar, iso, kind_colour, page_header, table, table_records
from .cases import picker as case_picker, register_view_saver, save_view_button
from ..links import entity_link

PATH = "/explorer"
TITLE = "Explorer"
MAX_ELEMENTS = 200
RESULT_TABLE = ids.EXPLORER_RESULT_TABLE
PER_EXPANSION = 60  # at most this many new neighbours per click
# The opening drawing takes at most this much of the cap, leaving room to expand it.
OPENING_ELEMENTS = MAX_ELEMENTS // 2
# The kinds drawn unless the user ticks others: what investigators look at, without
# the provenance and status records every entity has.
DEFAULT_KINDS = [k for k in SCHEMA.drawn if k not in ("Observation", "IngestRun")]

GRAPH = graph_view.GraphIds(ids.EXPLORER_GRAPH)
# The Explorer's own marks: a dark ring on the nodes already expanded, a dashed red one
# on those with neighbours not drawn.
EXPLORER_STYLE = [
    {"selector": "node[?expanded]", "style": {"border-width": 3, "border-color": "#1f2933"}},
    {"selector": "node[more > 0]", "style": {"border-width": 3, "border-style": "dashed", "border-color": "#d62728"}},
]
LEGENDS = (("Node kinds", {}),)


def _epoch(value, end: bool = False) -> int:
    """A YYYY-MM-DD day as epoch seconds (its start, or with ``end`` its last second);
    empty or unreadable text leaves that side of the range open."""
    seconds = timerange.parse(value, end)
    return (data.NEVER if end else 0) if seconds is None else seconds


def layout(ctx, params):
    query = params.get("q", "")
    kinds = list(SCHEMA.nodes)
    state, note, selection, focus = opening(ctx.store, params)
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
                              value=DEFAULT_KINDS,
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
                graph_view.panel(ids.EXPLORER_GRAPH, _elements(state), EXPLORER_STYLE, LEGENDS,
                                 filename="graphinv-explorer"),
                html.P(note, id=ids.EXPLORER_NOTE, className="note"),
                html.Div(className="case-save", children=[
                    save_view_button(ids.EXPLORER_GRAPH, ids.EXPLORER_SAVE_VIEW), case_picker(ctx)]),
                html.Div(id=ids.EXPLORER_EXPORT, children=export_bar(selection, "this neighbourhood")),
                html.Div(id=ids.EXPLORER_DETAIL, className="detail",
                         children=_detail(ctx.store, focus) if focus else None),
                dcc.Store(id=ids.EXPLORER_ELEMENTS, data=state),
            ]),
        ]),
    ])


def _empty_state() -> dict:
    return {"nodes": {}, "edges": {}, "more": {}, "expanded": []}


def _elements(state: dict, fixed: dict | None = None) -> list[dict]:
    """The drawing of ``state``; nodes named in ``fixed`` ({uid: [x, y]}) stay where they are."""
    expanded = set(state.get("expanded", []))
    nodes = []
    for uid, node in state["nodes"].items():
        more = state["more"].get(uid, 0)
        nodes.append({"id": uid, "label": str(node["name"] or uid) + (f"  (+{more:,})" if more else ""),
                      "group": node["kind"], "colour": kind_colour(node["kind"]), "kind": node["kind"],
                      "expanded": uid in expanded, "more": more})
    edges = [{"id": e, "source": d["source"], "target": d["target"], "label": d["label"]}
             for e, d in state["edges"].items()]
    return graph_view.elements(nodes, edges, fixed=fixed)


def opening(store, params: dict) -> tuple[dict, str, dict | None, str | None]:
    """What the Explorer draws before anyone clicks, as (state, note, export selection,
    focused uid): ``?uid=``'s neighbourhood; with no search, the largest campaign's
    members and their coordination, or the best connected entity of a store without
    campaigns. A search (``?q=``) starts on an empty canvas."""
    state = _empty_state()
    cap = f"At most {MAX_ELEMENTS} nodes and edges are drawn."
    uid = params.get("uid")
    if not uid and params.get("q"):
        return state, f"Click a result to draw it. {cap}", None, None
    if not uid:
        campaigns = data.campaigns(store)
        if not campaigns.empty:
            return _campaign_opening(store, campaigns.iloc[0])
        uid = data.best_connected(store)
        if uid is None:
            return state, "The store holds no linked entities yet: ingest captures, then search here.", None, None
    found = data.node(store, uid)
    if found is None:
        return state, f"{uid} is not in the store. Search for it by name.", None, None
    name = next((found[f] for f in data.NAME_FIELDS if found.get(f)), uid)
    state["nodes"][uid] = {"kind": found["kind"], "name": str(name)}
    note = expand(store, state, uid, DEFAULT_KINDS, 0, data.NEVER)
    if not params.get("uid"):
        note = f"Nothing searched yet, and no campaign in this store: the best connected entity. {note}"
    return state, note, {"query": "neighbourhood", "params": {"uid": uid}}, uid


def _campaign_opening(store, campaign) -> tuple[dict, str, dict, None]:
    """The largest campaign and its accounts (the most coordinated first, within the
    opening's share of the cap), one MEMBER_OF edge each: a star to expand from, where
    their coordination edges would be a clique (the campaign's page draws those)."""
    uid = str(campaign["campaign"])
    name = str(data.plain(campaign.get("label")) or uid)
    state = {**_empty_state(), "opening": True, "nodes": {uid: {"kind": "Campaign", "name": name}}}
    members = data.campaign_members(store, uid)
    for row in members.itertuples(index=False):
        if _count(state) + 2 > OPENING_ELEMENTS:
            break
        state["nodes"][row.account] = {"kind": "Account", "name": str(data.plain(row.handle) or row.account)}
        state["edges"][f"{row.account}>MEMBER_OF>{uid}"] = {"source": row.account, "target": uid,
                                                           "label": "MEMBER_OF"}
    drawn = len(state["nodes"]) - 1
    state["more"][uid] = len(members) - drawn
    more = f" ({len(members) - drawn:,} more not drawn)" if drawn < len(members) else ""
    note = (f"Nothing searched yet: the largest campaign, {name}, and its {drawn:,} accounts{more}. "
            "Click an account to expand it, or search for anything.")
    return state, note, {"campaign": uid}, None


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
    graph_view.register(app, ids.EXPLORER_GRAPH)
    register_view_saver(app, ctx, ids.EXPLORER_SAVE_VIEW, ids.EXPLORER_GRAPH, "the Explorer's neighbourhood")

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
                  Output(ids.EXPLORER_EXPORT, "children"), Output(GRAPH.legend, "children"),
                  Input(RESULT_TABLE, "active_cell"), Input(ids.EXPLORER_GRAPH, "tapNodeData"),
                  Input(ids.EXPLORER_CLEAR, "n_clicks"),
                  State(RESULT_TABLE, "derived_viewport_data"), State(ids.EXPLORER_ELEMENTS, "data"),
                  State(ids.EXPLORER_KINDS, "value"), State(ids.EXPLORER_SINCE, "value"),
                  State(ids.EXPLORER_UNTIL, "value"), State(ids.EXPLORER_GRAPH, "elements"),
                  prevent_initial_call=True)
    def grow(cell, tapped, _clear, rows, state, kinds, since, until, drawn):
        trigger = callback_ctx.triggered_id
        state = state or _empty_state()
        if trigger == ids.EXPLORER_CLEAR:
            return _empty_state(), [], "Cleared.", None, export_bar(None, "this neighbourhood"), []
        if trigger == RESULT_TABLE:
            if not cell or not rows or cell.get("row", -1) >= len(rows):
                return (dash.no_update,) * 6
            if state.get("opening"):  # a result found replaces the drawing the page opened on
                state, drawn = _empty_state(), []
            row = rows[cell["row"]]
            uid = row["uid"]
            state["nodes"].setdefault(uid, {"kind": row["kind"], "name": row["name"] or uid})
        elif trigger == ids.EXPLORER_GRAPH and tapped:
            uid = tapped["id"]
            state.pop("opening", None)  # grown by hand now: a search result adds to it
        else:
            return (dash.no_update,) * 6
        try:
            note = expand(ctx.store, state, uid, kinds or list(SCHEMA.nodes), _epoch(since), _epoch(until, True))
        except Exception as exc:
            note = f"Could not expand {uid}: {exc}"
        selection = {"query": "neighbourhood", "params": {"uid": uid}}
        # What is drawn stays where it is (the user may have arranged it); the new
        # neighbours are placed around it.
        view = _elements(state, fixed=graph_view.positions(drawn))
        return (state, view, note, _detail(ctx.store, uid),
                export_bar(selection, f"the neighbourhood of {state['nodes'].get(uid, {}).get('name', uid)}"),
                graph_view.legends(view, *LEGENDS))
