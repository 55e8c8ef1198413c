"""Overview: what is in the store, activity over time, the top campaigns and
lineages, and how fast each platform removed what was reported."""

from __future__ import annotations

from dash import dcc, html

from ...schema import SCHEMA
from .. import bars, data, ids
from ..layout import PALETTE, empty, kind_colour, link_table, page_header, section, stat
from ..links import entity_href
from .lineages import href as lineage_href

PATH = "/"
TITLE = "Overview"
TOP = 5


def _timeline(frame, bucket: int) -> html.Div:
    colours = {series: PALETTE[i % len(PALETTE)] for i, series in enumerate(sorted(set(frame["series"])))}
    return bars.columns(ids.OVERVIEW_TIMELINE, frame, colours, bucket,
                        "items per " + ("day" if bucket == 86400 else "week"))


def _takedown_chart(frame) -> html.Div:
    """Per platform and recipient, the share removed within 48 h as a bar, and the
    reports, removals and median hours to removal written beside it."""
    rows = []
    for row in frame.to_dict("records"):
        share, median = data.plain(row["share_within"]), data.plain(row["median_hours"])
        label = f"{row['platform']} → {row['reported_to']}" if row["platform"] != row["reported_to"] \
            else str(row["platform"])
        figures = f"{int(row['removed'] or 0)} of {int(row['reports'] or 0)} removed" + (
            f", median {median:.0f} h" if median is not None else "")
        within = int(row["removed_within"] or 0)
        rows.append((f"{label}\n{figures}", share,
                     f"{share:.0%} · {within} within 48 h" if share is not None else "no reports"))
    return bars.shares(ids.OVERVIEW_TAKEDOWN_CHART, rows)


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
        section("Activity", _timeline(activity, bucket) if not activity.empty
                else empty("No dated posts in the store."),
                note="Posts per platform and reposts, per " + ("day" if bucket == 86400 else "week") + " (UTC); "
                     "hover a column for its counts."),
        html.Div(className="grid-2", children=[
            section("Top campaigns",
                    link_table(ids.OVERVIEW_CAMPAIGNS, top_campaigns,
                               {"campaign": lambda row: entity_href(row["campaign"]),
                                "label": lambda row: entity_href(row["campaign"])}, wide=["label"])
                    if not top_campaigns.empty else empty("No campaigns: run `graphinv analyze`."),
                    dcc.Link("All campaigns →", href="/campaigns", className="more-link")),
            section("Top lineages",
                    link_table(ids.OVERVIEW_LINEAGES, top_lineages, {"chain": lambda row: lineage_href(row["lineage"])},
                               hidden=["lineage"], wide=["chain"])
                    if not top_lineages.empty else empty("No reappearances found (yet)."),
                    dcc.Link("All lineages →", href="/lineages", className="more-link")),
        ]),
        section("Takedown compliance",
                _takedown_chart(takedowns) if not takedowns.empty else empty("No takedown reports in the store."),
                note="Per platform and recipient: the share of reported items removed within 48 hours of the "
                     "report (the bar), items removed in all and the median hours to removal (first later "
                     "observation as suspended, deleted, not found or withheld)."),
    ])
