"""Figures for the report as inline SVG drawn here (no plotting library needed, and
WeasyPrint renders inline SVG into the PDF). Every text is escaped.

The network figure shows the finding's actors only (a campaign's members, a lineage's
generations), labelled, without edge labels: a reader must be able to name every
node. The timeline runs from the first to the last event the report cites, the
co-actions included, so its axis ends where the finding ends.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

import networkx as nx
import pandas as pd

from ..timefmt import format_gap
from ..vocabulary import is_gone
from .common import escape, iso
from .layout import kind_colour

FONT = "font-family:DejaVu Sans,Arial,sans-serif"
LABEL_FONT_SIZE = 8
LABEL_LINE = 11  # the vertical room one label takes, in px
AMPLIFIED = "amplified"  # the MEMBER_OF role of an account whose posts a campaign pushed: not a member
MAX_FIGURE_NODES = 60  # more labels than this do not fit a page; the rest are named in the tables


def _short(text: str, n: int = 24) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def figure_nodes(G: nx.MultiDiGraph) -> list[str]:
    """The nodes the network figure draws: a campaign's members (not the accounts it
    amplified), a lineage's generations, else the accounts and sites of the selection;
    at most :data:`MAX_FIGURE_NODES`, the best connected first."""
    campaign = (G.graph.get("selection") or {}).get("campaign")
    if campaign in G:
        chosen = {u for u, _, d in G.in_edges(campaign, data=True)
                  if d.get("kind") == "MEMBER_OF" and d.get("role") != AMPLIFIED}
    else:
        chosen = {n for u, v, d in G.edges(data=True) if d.get("kind") == "REAPPEARS_AS" for n in (u, v)}
        if not chosen:
            chosen = {n for n, d in G.nodes(data=True) if d.get("kind") in ("Account", "Site")}
    ranked = sorted(chosen, key=lambda n: (-G.degree(n), str(n)))
    return sorted(ranked[:MAX_FIGURE_NODES])


def _figure_graph(G: nx.MultiDiGraph, nodes: list[str]) -> nx.Graph:
    """The figure's nodes with one undirected edge per linked pair, weights summed."""
    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    wanted = set(nodes)
    for u, v, d in G.edges(data=True):
        if u in wanted and v in wanted and u != v and d.get("kind") in ("COORDINATED_WITH", "REAPPEARS_AS"):
            w = float(d.get("weight") or 1.0)
            if simple.has_edge(u, v):
                simple[u][v]["weight"] += w
            else:
                simple.add_edge(u, v, weight=w, kind=d.get("kind"), src=u)
    return simple


def _circle_order(simple: nx.Graph, seed: int) -> list[str]:
    """Nodes in the order a seeded spring layout puts them around its centre: linked
    nodes stay neighbours on the circle, which keeps crossings down."""
    if simple.number_of_nodes() < 3:
        return sorted(simple.nodes)
    pos = nx.spring_layout(simple, seed=seed, weight="weight")
    cx = sum(p[0] for p in pos.values()) / len(pos)
    cy = sum(p[1] for p in pos.values()) / len(pos)
    return sorted(simple.nodes, key=lambda n: (math.atan2(pos[n][1] - cy, pos[n][0] - cx), str(n)))


def spread_labels(ys: list[float], gap: float, lo: float, hi: float) -> list[float]:
    """Label heights moved as little as possible so that no two are closer than
    ``gap``, all within [lo, hi] (when they fit); the input order is kept.

    >>> spread_labels([10, 12, 13, 50], gap=10, lo=0, hi=100)
    [1.7, 11.7, 21.7, 50.0]
    """
    if not ys:
        return []
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    # Clusters of labels stacked ``gap`` apart, each centred on the mean of its wishes;
    # a cluster that runs into the one above merges with it.
    clusters: list[list[float]] = []  # [count, sum of wishes]

    def top(cluster):
        return cluster[1] / cluster[0] - gap * (cluster[0] - 1) / 2

    for i in order:
        clusters.append([1, float(ys[i])])
        while len(clusters) > 1 and top(clusters[-2]) + gap * clusters[-2][0] > top(clusters[-1]):
            count, total = clusters.pop()
            clusters[-1][0] += count
            clusters[-1][1] += total
    placed = [top(c) + k * gap for c in clusters for k in range(int(c[0]))]
    shift = max(0.0, lo - placed[0]) or -max(0.0, placed[-1] - hi)
    out = [0.0] * len(ys)
    for k, i in enumerate(order):
        out[i] = round(placed[k] + shift, 1)
    return out


def network_svg(G: nx.MultiDiGraph, width: int = 680, height: int = 440, seed: int = 0) -> str:
    """The finding's actors (:func:`figure_nodes`) on a circle (a lineage: in a row,
    oldest left), labelled with their handle or domain; labels are spread so none
    overlaps another and joined to their node by a thin line when moved. Line width
    grows with coordination weight or reappearance score; no edge labels."""
    nodes = figure_nodes(G)
    if not nodes:
        return _empty(width, 60, "no accounts or sites to draw in the selection")
    simple = _figure_graph(G, nodes)
    lineage = any(d.get("kind") == "REAPPEARS_AS" for *_, d in simple.edges(data=True))
    if lineage and not any(d.get("kind") == "MEMBER_OF" for *_, d in G.edges(data=True)):
        return _lineage_row(G, simple, width)
    order = _circle_order(simple, seed)
    cx, cy = width / 2, height / 2
    radius = min(height / 2 - 24, width / 2 - 150)
    pos = {}
    for i, node in enumerate(order):
        angle = 2 * math.pi * i / len(order) - math.pi / 2
        pos[node] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    parts = [_svg_open(width, height)]
    top_weight = max([d["weight"] for *_, d in simple.edges(data=True)] or [1.0])
    for u, v, d in sorted(simple.edges(data=True), key=lambda e: e[2]["weight"]):
        w = 0.4 + 3.2 * d["weight"] / top_weight
        parts.append(f'<line x1="{pos[u][0]:.1f}" y1="{pos[u][1]:.1f}" x2="{pos[v][0]:.1f}" y2="{pos[v][1]:.1f}" '
                     f'stroke="#7f8c99" stroke-opacity="0.45" stroke-width="{w:.2f}"/>')
    # Labels sit left or right of the circle, spread apart per side.
    for side in ("left", "right"):
        names = [n for n in order if (pos[n][0] < cx) == (side == "left")]
        wished = [pos[n][1] + 3 for n in names]
        ys = spread_labels(wished, LABEL_LINE, LABEL_LINE, height - 4)
        for node, y, wish in zip(names, ys, wished):
            x, ny = pos[node]
            tx = x - 9 if side == "left" else x + 9
            if abs(y - wish) > 1.5:
                tx = cx - radius - 14 if side == "left" else cx + radius + 14
                parts.append(f'<line x1="{x:.1f}" y1="{ny:.1f}" x2="{tx:.1f}" y2="{y - 3:.1f}" '
                             'stroke="#bbbbbb" stroke-width="0.5"/>')
            parts.append(f'<text x="{tx:.1f}" y="{y:.1f}" font-size="{LABEL_FONT_SIZE}" style="{FONT}" '
                         f'fill="#222222" text-anchor="{"end" if side == "left" else "start"}">'
                         f'{escape(_short(G.nodes[node].get("label", node)))}</text>')
    for node in order:
        x, y = pos[node]
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{kind_colour(G.nodes[node].get("kind", ""))}" '
                     'stroke="#333333" stroke-width="0.6"/>')
    parts.append("</svg>")
    return "\n".join(parts)


def _lineage_row(G: nx.MultiDiGraph, simple: nx.Graph, width: int) -> str:
    """A lineage as generations left to right, oldest first, each arrow with its gap."""
    since = {n: G.nodes[n].get("time") for n in simple.nodes}
    order = sorted(simple.nodes, key=lambda n: (since[n] is None, since[n] or 0, str(n)))
    per_row = 4
    rows = math.ceil(len(order) / per_row)
    height = 30 + 70 * rows
    step = (width - 40) / per_row
    pos = {n: (20 + step * (i % per_row) + step / 2, 35 + 70 * (i // per_row)) for i, n in enumerate(order)}
    parts = [_svg_open(width, height),
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555555"/></marker></defs>']
    for u, v, d in G.edges(data=True):
        if d.get("kind") != "REAPPEARS_AS" or u not in pos or v not in pos:
            continue
        (x1, y1), (x2, y2) = pos[u], pos[v]
        parts.append(f'<line x1="{x1 + 8:.1f}" y1="{y1:.1f}" x2="{x2 - 8:.1f}" y2="{y2:.1f}" stroke="#555555" '
                     f'stroke-width="{0.6 + 2 * float(d.get("weight") or 0):.2f}" marker-end="url(#arrow)"/>')
        parts.append(f'<text x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2 - 6:.1f}" font-size="8" style="{FONT}" '
                     f'text-anchor="middle" fill="#555555">gap {escape(format_gap(d.get("gap")))}</text>')
    for node in order:
        x, y = pos[node]
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{kind_colour(G.nodes[node].get("kind", ""))}" '
                     'stroke="#333333" stroke-width="0.6"/>'
                     f'<text x="{x:.1f}" y="{y + 20:.1f}" font-size="{LABEL_FONT_SIZE}" style="{FONT}" '
                     f'text-anchor="middle">{escape(_short(G.nodes[node].get("label", node), 30))}</text>'
                     f'<text x="{x:.1f}" y="{y + 31:.1f}" font-size="7" style="{FONT}" fill="#666666" '
                     f'text-anchor="middle">{escape(iso(since[node])[:10])}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def timeline_events(G: nx.MultiDiGraph) -> list[tuple[int, str, str]]:
    """(time, lane, label) for what the timeline shows: account creations, posts,
    reposts, co-actions (``G.graph["coactions"]``), reports, observations (by status),
    tracking IDs seen, and the campaign's first and last co-action."""
    events = []
    for node, d in G.nodes(data=True):
        kind = d.get("kind")
        if kind == "Account" and d.get("created_at") is not None:
            events.append((int(d["created_at"]), "account created", d.get("label", node)))
        elif kind == "Post" and d.get("created_at") is not None:
            events.append((int(d["created_at"]), "post", d.get("label", node)))
        elif kind == "Report" and d.get("reported_at") is not None:
            events.append((int(d["reported_at"]), "report", d.get("label", node)))
        elif kind == "Observation" and d.get("observed_at") is not None:
            lane = "observed " + ("removed" if is_gone(d.get("status"), d.get("http_status")) else "active")
            events.append((int(d["observed_at"]), lane, d.get("status", "")))
        elif kind == "Campaign":
            # The campaign's own span: its co-actions reach beyond its evidence posts.
            for key in ("first_time", "last_time"):
                if d.get(key) is not None:
                    events.append((int(d[key]), "campaign active", key.replace("_", " ")))
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "REPOSTED" and d.get("time") is not None:
            events.append((int(d["time"]), "repost", G.nodes[u].get("label", u)))
        elif d.get("kind") == "USES" and d.get("time") is not None:
            events.append((int(d["time"]), "tracking ID seen", f"{G.nodes[u].get('label', u)} uses "
                                                               f"{G.nodes[v].get('label', v)}"))
    coactions = G.graph.get("coactions")
    if isinstance(coactions, pd.DataFrame) and not coactions.empty:
        for row in coactions.dropna(subset=["time"]).itertuples(index=False):
            events.append((int(row.time), "co-action", str(getattr(row, "handle", "") or row.account)))
    # Account creations long before the activity would squash it into one point: keep
    # those within 30 days of the other events (the members table has the rest).
    activity = [t for t, lane, _ in events if lane != "account created"]
    if activity:
        lo, hi = min(activity) - 30 * 86400, max(activity) + 30 * 86400
        events = [e for e in events if e[1] != "account created" or lo <= e[0] <= hi]
    return sorted(events)


LANE_COLOURS = {"account created": "#1f77b4", "tracking ID seen": "#8c564b", "post": "#ff7f0e", "repost": "#ffbb78",
                "co-action": "#17becf", "campaign active": "#0b5e6b", "report": "#e377c2",
                "observed active": "#2ca02c", "observed removed": "#d62728"}


def axis_ticks(t0: int, t1: int, count: int = 5) -> list[int]:
    """``count`` tick times from ``t0`` to ``t1``, both ends included: the axis ends
    at the last event, never before it.

    >>> axis_ticks(0, 400, 5)
    [0, 100, 200, 300, 400]
    """
    span = t1 - t0
    return [t0 + round(span * i / (count - 1)) for i in range(count)]


def timeline_svg(G: nx.MultiDiGraph, width: int = 680) -> str:
    """One lane per kind of event on a shared UTC time axis from the first event to
    the last; a campaign's active span is drawn as a bar."""
    events = timeline_events(G)
    if not events:
        return _empty(width, 60, "no timed events in the selection")
    lanes = [lane for lane in LANE_COLOURS if any(e[1] == lane for e in events)]
    left, right, top, lane_h = 120, 24, 16, 24
    height = top + lane_h * len(lanes) + 44
    t0, t1 = events[0][0], events[-1][0]
    span = (t1 - t0) or 3600

    def sx(t):
        return left + (t - t0) / span * (width - left - right)

    parts = [_svg_open(width, height)]
    for i, lane in enumerate(lanes):
        y = top + i * lane_h + lane_h / 2
        parts.append(f'<text x="6" y="{y + 3:.1f}" font-size="9" style="{FONT}">{escape(lane)}</text>'
                     f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#eeeeee"/>')
        times = [t for t, ev_lane, _ in events if ev_lane == lane]
        if lane == "campaign active":
            start, end = sx(min(times)), sx(max(times))
            parts.append(f'<rect x="{start:.1f}" y="{y - 4:.1f}" width="{max(2.0, end - start):.1f}" height="8" '
                         f'fill="{LANE_COLOURS[lane]}" fill-opacity="0.6"/>')
            continue
        for t, ev_lane, label in events:
            if ev_lane == lane:
                parts.append(f'<circle cx="{sx(t):.1f}" cy="{y:.1f}" r="3.5" fill="{LANE_COLOURS[lane]}" '
                             f'fill-opacity="0.7"><title>{escape(iso(t))} {escape(label)}</title></circle>')
    axis_y = top + lane_h * len(lanes) + 6
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="#555555"/>')
    ticks = axis_ticks(t0, t0 + span)
    for i, t in enumerate(ticks):
        x = sx(t)
        stamp = datetime.fromtimestamp(t, tz=timezone.utc)
        text = stamp.strftime("%Y-%m-%d %H:%M") if span < 3 * 86400 else stamp.strftime("%Y-%m-%d")
        anchor = "start" if i == 0 else ("end" if i == len(ticks) - 1 else "middle")
        parts.append(f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}" stroke="#555555"/>'
                     f'<text x="{x:.1f}" y="{axis_y + 16}" font-size="9" text-anchor="{anchor}" style="{FONT}" '
                     f'data-time="{escape(iso(t))}">{escape(text)}</text>')
    parts.append(f'<text x="{width - right}" y="{axis_y + 32}" font-size="8" text-anchor="end" style="{FONT}">'
                 f"time (UTC), {escape(iso(t0))} to {escape(iso(t1))}</text>")
    parts.append("</svg>")
    return "\n".join(parts)


def _svg_open(width: int, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img">'
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff" stroke="#dddddd"/>')


def _empty(width: int, height: int, message: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
            f'<text x="10" y="{height // 2}" font-size="11" style="{FONT}">{escape(message)}</text></svg>')
