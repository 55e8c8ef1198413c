"""Overview: what is in the store, activity over time, the top campaigns and
lineages, and how fast each platform removed what was reported."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import dcc, html

from ...schema import SCHEMA
from .. import data, ids
from ..layout import (empty, kind_colour, page_header, section, stat, table, to_datetime, PALETTE)

PATH = "/"
TITLE = "Overview"
TOP = 5


def _timeline(frame) -> go.Figure:
    fig = go.Figure()
    for i, (series, part) in enumerate(frame.groupby("series", sort=True)):
        fig.add_trace(go.Bar(x=to_datetime(part["bucket"]), y=part["n"], name=str(series),
                             marker_color=PALETTE[i % len(PALETTE)]))
    # A few stray timestamps (a page dated years off) would squash the chart: show the
    # span holding 99% of the items; zooming out shows the rest.
    order = frame.groupby("bucket")["n"].sum().sort_index()
    share = order.cumsum() / max(1, order.sum())
    low, high = order.index[(share >= 0.005).argmax()], order.index[(share >= 0.995).argmax()]
    fig.update_xaxes(range=list(to_datetime([low - 86400, high + 2 * 86400])))
    fig.update_layout(barmode="stack", height=300, margin=dict(l=40, r=10, t=10, b=30),
                      legend=dict(orientation="h", y=1.12), plot_bgcolor="#fff", paper_bgcolor="#fff",
                      yaxis_title="items per day", xaxis=dict(type="date"))
    fig.update_yaxes(gridcolor="#eef1f5")
    return fig


def _takedown_chart(frame) -> go.Figure:
    labels = [f"{p} → {r}" if p != r else str(p) for p, r in zip(frame["platform"], frame["reported_to"])]
    share = [0 if v is None or v != v else round(100 * float(v), 1) for v in frame["share_within"]]
    fig = go.Figure(go.Bar(x=share, y=labels, orientation="h", marker_color="#4e79a7",
                           text=[f"{s:.0f}%" for s in share], textposition="auto"))
    fig.update_layout(height=60 + 36 * len(labels), margin=dict(l=10, r=10, t=10, b=30),
                      xaxis=dict(range=[0, 100], title="% removed within 48 h"), plot_bgcolor="#fff",
                      yaxis=dict(automargin=True))
    return fig


def layout(ctx, params):
    counts = data.counts(ctx.store)
    nodes = [stat(kind, counts.get(kind, 0), kind_colour(kind)) for kind in SCHEMA.nodes
             if kind not in ("IngestRun",)]
    analysis = [stat(kind.replace("_", " ").lower(), counts.get(kind, 0))
                for kind, edge in SCHEMA.edges.items() if edge.analysis]
    bucket = 86400
    first, last = data.time_span(ctx.store)
    if first is not None and last - first > 400 * 86400:
        bucket = 7 * 86400
    activity = data.activity(ctx.store, bucket)
    campaigns = data.campaigns(ctx.store)
    lineages = data.lineages(ctx.store)
    takedowns = data.takedowns(ctx.store)

    top_campaigns = campaigns.head(TOP)[[c for c in ("campaign", "label", "size", "first_time", "last_time",
                                                     "evidence_posts") if c in campaigns.columns]]
    top_lineages = lineages.head(TOP)[["lineage", "kind", "chain", "generations", "min_score", "longest_gap"]] \
        if not lineages.empty else lineages
    return html.Div([
        page_header("Overview", f"{counts.get('Post', 0):,} posts from {counts.get('IngestRun', 0):,} ingested "
                    f"files · {counts.get('Campaign', 0):,} campaigns · "
                    f"{len(lineages):,} lineages"),
        html.Div(nodes, id=ids.OVERVIEW_COUNTS, className="stats"),
        html.Div([html.Span("Analysis results: ", className="muted"), *analysis], className="stats stats-small"),
        section("Activity", dcc.Graph(id=ids.OVERVIEW_TIMELINE, figure=_timeline(activity),
                                      config={"displaylogo": False}) if not activity.empty
                else empty("No dated posts in the store."),
                note="Posts per platform and reposts, per " + ("day" if bucket == 86400 else "week") + " (UTC)."),
        html.Div(className="grid-2", children=[
            section("Top campaigns",
                    table(ids.OVERVIEW_CAMPAIGNS, top_campaigns, page_size=TOP, filter=False)
                    if not top_campaigns.empty else empty("No campaigns: run `graphinv analyze`."),
                    dcc.Link("All campaigns →", href="/campaigns", className="more-link")),
            section("Top lineages",
                    table(ids.OVERVIEW_LINEAGES, top_lineages, page_size=TOP, filter=False, wide=["chain"],
                          hidden=["lineage"])
                    if not top_lineages.empty else empty("No reappearances found (yet)."),
                    dcc.Link("All lineages →", href="/lineages", className="more-link")),
        ]),
        section("Takedown compliance",
                html.Div(className="grid-2", children=[
                    table(ids.OVERVIEW_TAKEDOWNS, takedowns, page_size=10, filter=False),
                    dcc.Graph(id=ids.OVERVIEW_TAKEDOWN_CHART, figure=_takedown_chart(takedowns),
                              config={"displaylogo": False}),
                ]) if not takedowns.empty else empty("No takedown reports in the store."),
                note="Per platform and recipient: reports, items removed, removed within 48 hours of the "
                     "report, and the median hours to removal (first later observation as suspended, "
                     "deleted, not found or withheld)."),
    ])
