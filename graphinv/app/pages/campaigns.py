"""Campaigns: the list (sortable, filterable), and one campaign: its members' network,
the timeline of co-actions, the objects shared, the targets and the evidence."""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

from dash import dcc, html

from .. import data, graph_view, ids, strips, timerange
from ... import cases
from .cases import panel as case_panel, register_view_saver, save_view_button
from ..links import capture_href, entity_href, open_on_click
from ..layout import (MODALITY_COLOURS, ROLE_COLOURS, colour_for, empty, export_bar, iso, page_header, section,
                      stat, table)

PATH = "/campaigns"
TITLE = "Campaigns"
NETWORK_EDGES = 400  # more edges than this and the browser stalls; the heaviest are drawn


def href(uid: str) -> str:
    return "/campaign?uid=" + quote(uid, safe="")


def layout(ctx, params):
    uid = params.get("uid")
    if params.get("detail") and uid:
        return detail(ctx, uid, timerange.from_params(params))
    return listing(ctx)


def listing(ctx):
    frame = data.campaigns(ctx.store)
    if not frame.empty and "uid" in frame.columns:
        # The newsroom's tags (a "false positive" above all) beside each campaign they found again.
        tags = cases.tags(ctx.store).drop_duplicates("current", keep="last").set_index("current")["tag"]
        frame = frame.copy()  # the campaigns frame is memoised: not changed in place
        frame.insert(1, "tag", frame["uid"].map(tags).fillna(""))
    if frame.empty:
        body = empty("No campaigns in this store. `graphinv analyze` finds them.")
    else:
        body = table(ids.CAMPAIGN_TABLE, frame, page_size=20, wide=["top_urls", "label"])
    return html.Div([
        page_header("Campaigns", f"{len(frame):,} communities of coordinated accounts. Sort or filter a column "
                    "(type in the row under the headers, e.g. >10); click a row to open the campaign."),
        section("All campaigns", body),
    ])


# The campaign network's own look: a ring in the member's main modality, straight
# undirected edges (COORDINATED_WITH has no direction worth an arrow).
NETWORK_STYLE = [{"selector": "node", "style": {"border-color": "data(border)", "border-width": 3}},
                 {"selector": "edge", "style": {"curve-style": "straight", "opacity": 0.4}}]
EDGE_COLOURS = MODALITY_COLOURS | {"mixed": "#8a94a6"}
NETWORK_LEGENDS = (("Fill: role", {}),
                   ("Ring: main modality", {"key": "modality", "colour": "border", "shape": "ring"}),
                   ("Edges: modality (width = weight)", {"edges": True, "shape": "line"}))


def _network(ctx, uid, members):
    edges, total = data.campaign_network(ctx.store, uid, NETWORK_EDGES)
    # The main modality of each member: the most frequent one on its drawn edges.
    modality_of: dict[str, Counter] = {}
    for row in edges.itertuples(index=False):
        mods = list(row.modalities) if row.modalities is not None else []
        for end in (row.src, row.dst):
            modality_of.setdefault(end, Counter()).update(mods)
    max_weight = float(edges["weight"].max()) if not edges.empty else 1.0
    nodes = []
    for row in members.itertuples(index=False):
        role = str(row.role or "member")
        main = modality_of.get(row.account, Counter()).most_common(1)
        modality = main[0][0] if main else "none"
        nodes.append({"id": row.account, "label": str(row.handle or row.account), "group": role,
                      "colour": colour_for(role, ROLE_COLOURS), "modality": modality,
                      "border": colour_for(modality, MODALITY_COLOURS)})
    links = []
    for row in edges.itertuples(index=False):
        mods = [str(m) for m in (row.modalities if row.modalities is not None else [])]
        main = mods[0] if len(mods) == 1 else ("mixed" if mods else "none")
        weight = float(row.weight or 1)
        links.append({"id": f"{row.src}|{row.dst}", "source": row.src, "target": row.dst, "label": ", ".join(mods),
                      "weight": weight, "width": round(1 + 7 * weight / max_weight, 2), "group": main,
                      "colour": colour_for(main, EDGE_COLOURS), "arrow": "none"})
    note = (f"{total:,} coordination edges; the {NETWORK_EDGES} heaviest are drawn ({total - NETWORK_EDGES:,} more)"
            if total > NETWORK_EDGES else f"{total:,} coordination edges between {len(members):,} members")
    return html.Div([
        graph_view.panel(ids.CAMPAIGN_NETWORK, graph_view.elements(nodes, links), NETWORK_STYLE, NETWORK_LEGENDS,
                         filename=f"{uid}-network", height="460px"),
        html.P(note + ". Node size: partners drawn; hover a node for its name.", id=ids.CAMPAIGN_NETWORK_NOTE,
               className="note"),
    ])


def _timeline(uid: str, actions) -> html.Div:
    """Each member's co-actions on one time axis, the first to act on top; a dot's hover
    names the act, its time and the object; an axis time narrows the page to its span."""
    acts = actions.dropna(subset=["time"]).sort_values(["time", "handle"])
    rows = [(account, str(handle or account), entity_href(account)) for account, handle in
            acts.drop_duplicates("account")[["account", "handle"]].itertuples(index=False)]
    pushed = acts["shown"].fillna(acts["object"]) if "shown" in acts.columns else acts["object"]
    marks = [strips.Mark(row.account, int(row.time), colour=colour_for(str(row.action), MODALITY_COLOURS),
                         title=f"{row.handle} · {row.action} · {iso(row.time, seconds=True)} · {what}")
             for row, what in zip(acts.itertuples(index=False), pushed)]
    actions_drawn = sorted({str(a) for a in acts["action"]})
    return strips.strip(ids.CAMPAIGN_TIMELINE, rows, marks,
                        [(a, colour_for(a, MODALITY_COLOURS)) for a in actions_drawn], legend_title="Co-action",
                        narrow=lambda since, until: timerange.link(href(uid), since, until))


def _confidence(value) -> str:
    try:
        share = float(value)
    except (TypeError, ValueError):
        return "—"
    return "—" if share != share else f"{share:.0%}"  # NaN: not computed for this campaign


def detail(ctx, uid, window: timerange.Span = timerange.ALL_TIME):
    """The campaign; ``window`` narrows its co-actions, timeline, evidence and drawn
    members to a time range."""
    campaign = data.campaign(ctx.store, uid)
    if campaign is None:
        return html.Div([page_header("Campaign not found", f"No campaign {uid} in this store."),
                         dcc.Link("← all campaigns", href="/campaigns")])
    members = data.campaign_members(ctx.store, uid)
    actions = timerange.within(data.campaign_coactions(ctx.store, uid), window)
    objects = data.campaign_objects(ctx.store, uid)
    targets = data.campaign_targets(ctx.store, uid)
    evidence = data.campaign_evidence(ctx.store, uid, actions)
    span = f"{iso(campaign.get('first_time')) or '?'} → {iso(campaign.get('last_time')) or '?'}"
    return html.Div([
        dcc.Link("← all campaigns", href="/campaigns", className="back-link"),
        page_header(str(campaign.get("label") or uid), f"{uid} · {span}",
                    export_bar({"campaign": uid}, "this campaign")),
        timerange.control(window, "Narrow the network, timeline and evidence to a span, or click a time on "
                                  "the timeline."),
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
            section("Members' network", _network(ctx, uid, members if not window.active else
                                                 members[members["account"].isin(set(actions["account"]))]),
                    save_view_button(ids.CAMPAIGN_NETWORK, ids.CAMPAIGN_SAVE_VIEW),
                    note="Accounts of the campaign and their COORDINATED_WITH edges."),
            section("Members", table(ids.CAMPAIGN_MEMBERS, members, page_size=12,
                                     hidden=["platform", "account"]) if not members.empty else empty("No members."),
                    note="Click a member for its page: its co-actions, posts and captures."),
        ]),
        case_panel(ctx, uid, str(campaign.get("label") or uid)),
        section("Timeline of co-actions",
                _timeline(uid, actions) if actions["time"].notna().any() else empty("No dated co-actions."),
                note="Each dot is a member's repost or evidence post inside the campaign's time span (UTC); hover "
                     "a dot for what it pushed, click a member for its page, a time on the axis to see only "
                     "the span from it to the next."),
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
    graph_view.register(app, ids.CAMPAIGN_NETWORK)
    register_view_saver(app, ctx, ids.CAMPAIGN_SAVE_VIEW, ids.CAMPAIGN_NETWORK, "the campaign's network")
    open_on_click(app, ids.CAMPAIGN_MEMBERS, lambda row, _: entity_href(row["account"]) if row.get("account") else None)
    open_on_click(app, ids.CAMPAIGN_EVIDENCE, _evidence_href)
    open_on_click(app, ids.CAMPAIGN_OBJECTS, lambda row, _: entity_href(row["object"]) if row.get("object") else None)
    open_on_click(app, ids.CAMPAIGN_TARGETS, lambda row, _: entity_href(row["target"]) if row.get("target") else None)
    open_on_click(app, ids.CAMPAIGN_TABLE, lambda row, _: href(row["campaign"]) if row.get("campaign") else None)
