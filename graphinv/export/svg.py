"""Figures for the report as inline SVG drawn here (no plotting library needed, and
WeasyPrint renders inline SVG into the PDF). Every text is escaped."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import networkx as nx

from ..schema import SCHEMA
from ..vocabulary import is_gone
from .common import escape, iso

FONT = "font-family:DejaVu Sans,Arial,sans-serif"


def _colour(kind: str) -> str:
    return SCHEMA.nodes[kind].colour if kind in SCHEMA.nodes else "#999999"


def _short(text: str, n: int = 22) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def network_svg(G: nx.MultiDiGraph, width: int = 680, height: int = 460, seed: int = 0) -> str:
    """The graph drawn with a seeded spring layout: nodes coloured by kind, edges by
    weight, a legend of kinds."""
    if G.number_of_nodes() == 0:
        return _empty(width, 80, "no nodes in the selection")
    simple = nx.Graph()
    simple.add_nodes_from(G.nodes)
    for u, v, data in G.edges(data=True):
        w = float(data.get("weight") or 1.0)
        if simple.has_edge(u, v):
            simple[u][v]["weight"] += w
        else:
            simple.add_edge(u, v, weight=w)
    pos = nx.spring_layout(simple, seed=seed, k=1.6 / math.sqrt(max(1, simple.number_of_nodes())))
    legend_h = 22
    pad = 40
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)

    def sx(x):
        return pad + (x - x0) / ((x1 - x0) or 1) * (width - 2 * pad)

    def sy(y):
        return legend_h + pad + (y - y0) / ((y1 - y0) or 1) * (height - legend_h - 2 * pad)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff" stroke="#dddddd"/>']
    for u, v, data in simple.edges(data=True):
        w = min(4.0, 0.6 + 0.5 * data["weight"])
        parts.append(f'<line x1="{sx(pos[u][0]):.1f}" y1="{sy(pos[u][1]):.1f}" x2="{sx(pos[v][0]):.1f}" '
                     f'y2="{sy(pos[v][1]):.1f}" stroke="#9aa4ad" stroke-width="{w:.1f}"/>')
    show_labels = G.number_of_nodes() <= 60
    for node in sorted(G.nodes):
        data = G.nodes[node]
        kind = data.get("kind", "")
        r = 9 if kind == "Campaign" else 6
        x, y = sx(pos[node][0]), sy(pos[node][1])
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{_colour(kind)}" stroke="#333333" '
                     f'stroke-width="0.6"/>')
        if show_labels:
            # Labels on the right half point left, so none runs off the figure.
            right_half = x > width * 0.6
            tx = x - r - 2 if right_half else x + r + 2
            parts.append(f'<text x="{tx:.1f}" y="{y + 3:.1f}" font-size="8" style="{FONT}" fill="#222222" '
                         f'text-anchor="{"end" if right_half else "start"}">'
                         f'{escape(_short(data.get("label", node)))}</text>')
    kinds = sorted({d.get("kind", "") for _, d in G.nodes(data=True)})
    x = 8
    for kind in kinds:
        parts.append(f'<circle cx="{x + 5}" cy="12" r="5" fill="{_colour(kind)}"/>'
                     f'<text x="{x + 13}" y="15" font-size="9" style="{FONT}">{escape(kind)}</text>')
        x += 18 + 6 * len(kind)
    parts.append("</svg>")
    return "\n".join(parts)


def timeline_events(G: nx.MultiDiGraph) -> list[tuple[int, str, str]]:
    """(time, lane, label) for what the timeline shows: account creations, posts,
    reposts, reports, observations (by status) and reappearance gaps."""
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
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "REPOSTED" and d.get("time") is not None:
            events.append((int(d["time"]), "repost", G.nodes[u].get("label", u)))
        elif d.get("kind") == "USES" and d.get("time") is not None:
            events.append((int(d["time"]), "tracking ID seen", f"{G.nodes[u].get('label', u)} uses "
                                                               f"{G.nodes[v].get('label', v)}"))
    # Account creations long before the activity would squash it into one point: keep
    # those within 30 days of the other events (the members table has the rest).
    activity = [t for t, lane, _ in events if lane != "account created"]
    if activity:
        lo, hi = min(activity) - 30 * 86400, max(activity) + 30 * 86400
        events = [e for e in events if e[1] != "account created" or lo <= e[0] <= hi]
    return sorted(events)


LANE_COLOURS = {"account created": "#1f77b4", "tracking ID seen": "#8c564b", "post": "#ff7f0e", "repost": "#ffbb78",
                "report": "#e377c2", "observed active": "#2ca02c", "observed removed": "#d62728"}


def timeline_svg(G: nx.MultiDiGraph, width: int = 680) -> str:
    """One lane per kind of event on a shared UTC time axis."""
    events = timeline_events(G)
    if not events:
        return _empty(width, 60, "no timed events in the selection")
    lanes = [lane for lane in LANE_COLOURS if any(e[1] == lane for e in events)]
    left, right, top, lane_h = 120, 20, 16, 26
    height = top + lane_h * len(lanes) + 40
    t0, t1 = events[0][0], events[-1][0]
    span = (t1 - t0) or 3600

    def sx(t):
        return left + (t - t0) / span * (width - left - right)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff" stroke="#dddddd"/>']
    for i, lane in enumerate(lanes):
        y = top + i * lane_h + lane_h / 2
        parts.append(f'<text x="6" y="{y + 3:.1f}" font-size="9" style="{FONT}">{escape(lane)}</text>'
                     f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#eeeeee"/>')
        for t, ev_lane, label in events:
            if ev_lane == lane:
                parts.append(f'<circle cx="{sx(t):.1f}" cy="{y:.1f}" r="4" fill="{LANE_COLOURS[lane]}" '
                             f'fill-opacity="0.8"><title>{escape(iso(t))} {escape(label)}</title></circle>')
    axis_y = top + lane_h * len(lanes) + 6
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="#555555"/>')
    for i in range(5):
        t = t0 + span * i / 4
        x = sx(t)
        stamp = datetime.fromtimestamp(t, tz=timezone.utc)
        text = stamp.strftime("%Y-%m-%d %H:%M") if span < 3 * 86400 else stamp.strftime("%Y-%m-%d")
        anchor = "start" if i == 0 else ("end" if i == 4 else "middle")
        parts.append(f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}" stroke="#555555"/>'
                     f'<text x="{x:.1f}" y="{axis_y + 16}" font-size="9" text-anchor="{anchor}" style="{FONT}">'
                     f'{escape(text)}</text>')
    parts.append(f'<text x="{width - right}" y="{axis_y + 30}" font-size="8" text-anchor="end" style="{FONT}">'
                 "time (UTC)</text>")
    parts.append("</svg>")
    return "\n".join(parts)


def _empty(width: int, height: int, message: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
            f'<text x="10" y="{height // 2}" font-size="11" style="{FONT}">{escape(message)}</text></svg>')
