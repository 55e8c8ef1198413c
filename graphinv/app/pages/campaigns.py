"""Campaigns: the list (sortable, filterable), and one campaign: its members' network,
the timeline of co-actions, the objects shared, the targets and the evidence."""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

import dash
import dash_cytoscape as cyto
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html

from .. import data, ids
from ..links import capture_href, entity_href, open_on_click
from ..layout import (MODALITY_COLOURS, ROLE_COLOURS, colour_for, empty, export_bar, iso, legend, page_header,
                      plot_text, section, stat, table, to_datetime)

PATH = "/campaigns"
TITLE = "Campaigns"
NETWORK_EDGES = 400  # more edges than this and the browser stalls; the heaviest are drawn


def href(uid: str) -> str:
    return "/campaign?uid=" + quote(uid, safe="")


def layout(ctx, params):
    uid = params.get("uid")
    if params.get("detail") and uid:
        return detail(ctx, uid)
    return listing(ctx)


def listing(ctx):
    frame = data.campaigns(ctx.store)
    if frame.empty:
        body = empty("No campaigns in this store. `graphinv analyze` finds them.")
    else:
        body = table(ids.CAMPAIGN_TABLE, frame, page_size=20, wide=["top_urls", "label"])
    return html.Div([
        page_header("Campaigns", f"{len(frame):,} communities of coordinated accounts. Sort or filter a column "
                    "(type in the row under the headers, e.g. >10); click a row to open the campaign."),
        section("All campaigns", body),
    ])


def _network(ctx, uid, members):
    edges, total = data.campaign_network(ctx.store, uid, NETWORK_EDGES)
    # The main modality of each member: the most frequent one on its drawn edges.
    modality_of: dict[str, Counter] = {}
    for row in edges.itertuples(index=False):
        mods = list(row.modalities) if row.modalities is not None else []
        for end in (row.src, row.dst):
            modality_of.setdefault(end, Counter()).update(mods)
    max_weight = float(edges["weight"].max()) if not edges.empty else 1.0
    elements, roles, modalities = [], set(), set()
    for row in members.itertuples(index=False):
        role = str(row.role or "member")
        main = modality_of.get(row.account, Counter()).most_common(1)
        modality = main[0][0] if main else "none"
        roles.add(role)
        modalities.add(modality)
        elements.append({"data": {"id": row.account, "label": str(row.handle or row.account),
                                  "role": role, "modality": modality,
                                  "colour": colour_for(role, ROLE_COLOURS),
                                  "border": colour_for(modality, MODALITY_COLOURS)}})
    present = {row.account for row in members.itertuples(index=False)}
    for row in edges.itertuples(index=False):
        if row.src not in present or row.dst not in present:
            continue
        mods = [str(m) for m in (row.modalities if row.modalities is not None else [])]
        main = mods[0] if len(mods) == 1 else ("mixed" if mods else "none")
        modalities.update(mods)
        weight = float(row.weight or 1)
        elements.append({"data": {"id": f"{row.src}|{row.dst}", "source": row.src, "target": row.dst,
                                  "weight": weight, "width": 1 + 7 * weight / max_weight,
                                  "colour": colour_for(main, MODALITY_COLOURS | {"mixed": "#8a94a6"}),
                                  "modalities": ", ".join(mods)}})
    stylesheet = [
        {"selector": "node", "style": {"label": "data(label)", "background-color": "data(colour)",
                                       "border-color": "data(border)", "border-width": 3, "font-size": 10,
                                       "color": "#1f2933", "text-valign": "bottom", "text-margin-y": 3,
                                       "width": 18, "height": 18}},
        {"selector": "edge", "style": {"line-color": "data(colour)", "width": "data(width)", "opacity": 0.35,
                                       "curve-style": "haystack"}},
        {"selector": ":selected", "style": {"border-color": "#111", "border-width": 4}},
    ]
    note = (f"{total:,} coordination edges; the {NETWORK_EDGES} heaviest are drawn ({total - NETWORK_EDGES:,} more)"
            if total > NETWORK_EDGES else f"{total:,} coordination edges between {len(members):,} members")
    return html.Div([
        cyto.Cytoscape(id=ids.CAMPAIGN_NETWORK, elements=elements, stylesheet=stylesheet,
                       layout=_layout_for(len(members), len(edges)),
                       style={"width": "100%", "height": "460px"}, minZoom=0.2, maxZoom=1.6,
                       className="cyto"),
        html.Div([
            legend("Fill: role", [(r, colour_for(r, ROLE_COLOURS)) for r in sorted(roles)]),
            legend("Ring: main modality", [(m, colour_for(m, MODALITY_COLOURS)) for m in sorted(modalities)],
                   shape="ring"),
            legend("Edges: modality (width = weight)",
                   [(m, colour_for(m, MODALITY_COLOURS | {"mixed": "#8a94a6"}))
                    for m in sorted(modalities | {"mixed"})], shape="line"),
        ], className="legends"),
        html.P(note, id=ids.CAMPAIGN_NETWORK_NOTE, className="note"),
    ])


def _layout_for(n_nodes: int, n_edges: int) -> dict:
    """A circle for dense campaigns (everyone co-shared with everyone: a force layout
    piles them up), a force layout otherwise."""
    density = 2 * n_edges / max(1, n_nodes * (n_nodes - 1))
    if density > 0.5 or n_nodes <= 4:
        return {"name": "circle", "animate": False, "padding": 30}
    return {"name": "cose", "animate": False, "randomize": False, "nodeRepulsion": 12000,
            "idealEdgeLength": 90, "padding": 30}


def _timeline(actions) -> go.Figure:
    fig = go.Figure()
    handles = sorted({str(h) for h in actions["handle"].fillna("")})
    for action, part in actions.groupby("action", sort=True):
        fig.add_trace(go.Scatter(
            x=to_datetime(part["time"]), y=[plot_text(h) for h in part["handle"].fillna("")],
            mode="markers", name=plot_text(action),
            marker=dict(size=8, color=colour_for(str(action), MODALITY_COLOURS), opacity=0.8,
                        line=dict(width=0.5, color="#fff")),
            text=[plot_text(o) for o in part["object"]], hovertemplate="%{y}<br>%{x}<br>%{text}<extra></extra>"))
    fig.update_layout(height=max(260, 18 * len(handles) + 80), margin=dict(l=10, r=10, t=10, b=30),
                      legend=dict(orientation="h", y=1.06), plot_bgcolor="#fff", xaxis=dict(type="date"),
                      yaxis=dict(automargin=True, categoryorder="category descending"))
    fig.update_xaxes(gridcolor="#eef1f5")
    return fig


def _confidence(value) -> str:
    try:
        return f"{float(value):.0%}"
    except (TypeError, ValueError):
        return "—"


def detail(ctx, uid):
    campaign = data.campaign(ctx.store, uid)
    if campaign is None:
        return html.Div([page_header("Campaign not found", f"No campaign {uid} in this store."),
                         dcc.Link("← all campaigns", href="/campaigns")])
    members = data.campaign_members(ctx.store, uid)
    actions = data.campaign_coactions(ctx.store, uid)
    objects = data.campaign_objects(ctx.store, uid)
    targets = data.campaign_targets(ctx.store, uid)
    evidence = data.campaign_evidence(ctx.store, uid, actions)
    span = f"{iso(campaign.get('first_time')) or '?'} → {iso(campaign.get('last_time')) or '?'}"
    return html.Div([
        dcc.Link("← all campaigns", href="/campaigns", className="back-link"),
        page_header(str(campaign.get("label") or uid), f"{uid} · {span}",
                    export_bar({"campaign": uid}, "this campaign")),
        html.Div(className="stats", children=[
            stat("members", int(campaign.get("size") or len(members))),
            stat("objects", int(campaign.get("objects") or 0)),
            stat("co-actions", len(evidence)),
            stat("modalities", ", ".join(campaign.get("modalities") or []) or "—"),
            stat("confidence", _confidence(campaign.get("confidence"))),
        ]),
        section("Why this is a campaign",
                html.Ul([html.Li(reason) for reason in campaign.get("reasons") or []] or
                        [html.Li("No reasons recorded: run `graphinv analyze` again.")], id=ids.CAMPAIGN_REASONS),
                html.P(["Limitations. ", data.limitations("coordination")], className="note",
                       id=ids.CAMPAIGN_LIMITATIONS)),
        html.Div(className="grid-2 grid-wide-left", children=[
            section("Members' network", _network(ctx, uid, members),
                    note="Accounts of the campaign and their COORDINATED_WITH edges."),
            section("Members", table(ids.CAMPAIGN_MEMBERS, members, page_size=12,
                                     hidden=["platform", "account"]) if not members.empty else empty("No members."),
                    note="Click a member for its page: its co-actions, posts and captures."),
        ]),
        section("Timeline of co-actions",
                dcc.Graph(id=ids.CAMPAIGN_TIMELINE, figure=_timeline(actions), config={"displaylogo": False})
                if not actions.empty else empty("No dated co-actions."),
                note="Each dot is a member's repost or evidence post inside the campaign's time span (UTC)."),
        html.Div(className="grid-2", children=[
            section("Objects shared", table(ids.CAMPAIGN_OBJECTS, objects, page_size=8, wide=["content"],
                                            hidden=["object"])
                    if not objects.empty else empty("No shared objects recorded.")),
            section("Targets attacked", table(ids.CAMPAIGN_TARGETS, targets, page_size=8)
                    if not targets.empty else empty("No targets recorded for this campaign.")),
        ]),
        section("Evidence: the co-actions", table(ids.CAMPAIGN_EVIDENCE, evidence, page_size=10,
                                                  wide=["object", "text"], hidden=["capture", "account", "post"])
                if not evidence.empty else
                empty("No co-actions recorded: run `graphinv analyze` again."),
                note="Each member's act on an object another member acted on within the campaign's window: "
                     "seconds after the first, when it was captured (as the capture says; unknown when it does "
                     "not), the file and line or offset it was read from, and the sha256 of those bytes "
                     "(`graphinv evidence campaign:… --verify` re-checks them). Click a handle for the account, "
                     "the object for the post, any other cell for the capture."),
    ])


def _evidence_href(row: dict, column: str) -> str | None:
    """A co-action row leads to its account (handle), its post (object) or its capture."""
    if column == "handle" and row.get("account"):
        return entity_href(row["account"])
    if column == "object" and row.get("post"):
        return entity_href(row["post"])
    return capture_href(row["capture"]) if row.get("capture") else None


def register(app, ctx):
    open_on_click(app, ids.CAMPAIGN_MEMBERS, lambda row, _: entity_href(row["account"]) if row.get("account") else None)
    open_on_click(app, ids.CAMPAIGN_EVIDENCE, _evidence_href)
    open_on_click(app, ids.CAMPAIGN_OBJECTS, lambda row, _: entity_href(row["object"]) if row.get("object") else None)
    open_on_click(app, ids.CAMPAIGN_TARGETS, lambda row, _: entity_href(row["target"]) if row.get("target") else None)
    for table_id in (ids.CAMPAIGN_TABLE, ids.OVERVIEW_CAMPAIGNS):
        @app.callback(Output(ids.URL, "href", allow_duplicate=True), Input(table_id, "active_cell"),
                      State(table_id, "derived_viewport_data"), prevent_initial_call=True)
        def open_campaign(cell, rows):
            if not cell or not rows or cell.get("row", -1) >= len(rows):
                return dash.no_update
            uid = rows[cell["row"]].get("campaign")
            return href(uid) if uid else dash.no_update
