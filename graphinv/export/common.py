"""Helpers shared by the exporters."""

from __future__ import annotations

import html
from datetime import datetime, timezone
from typing import Any

import networkx as nx

LIST_SEPARATOR = "; "


def flat_value(value: Any) -> Any:
    """A value GEXF/GraphML/CSV can hold: lists joined with '; ', None dropped by callers."""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool) or isinstance(value, (int, float, str)):
        return value
    return str(value)


def flat_graph(G: nx.MultiDiGraph, times: bool = True) -> nx.MultiDiGraph:
    """A copy with scalar attributes only and, for Gephi's timeline, ``start`` (and
    ``end`` for entities observed removed) as epoch seconds (float: GEXF timeformat
    "double"), plus ``start_iso`` for people reading the attribute table."""
    removed = G.graph.get("removed_at") or {}
    H = nx.MultiDiGraph()
    H.graph.update({k: flat_value(v) for k, v in G.graph.items()
                    if k in ("store",) and v is not None})
    for node, data in G.nodes(data=True):
        attrs = {k: flat_value(v) for k, v in data.items() if v is not None and k != "time"}
        if times and data.get("time") is not None:
            attrs["start"] = float(data["time"])
            attrs["start_iso"] = iso(data["time"])
            if node in removed and removed[node] >= data["time"]:
                attrs["end"] = float(removed[node])
        H.add_node(node, **attrs)
    for src, dst, key, data in G.edges(keys=True, data=True):
        attrs = {k: flat_value(v) for k, v in data.items() if v is not None and k != "time"}
        if "key" in attrs:  # the repeat discriminator; "key" is the edge id in the file formats
            attrs["repeat_key"] = attrs.pop("key")
        if times and data.get("time") is not None:
            attrs["start"] = float(data["time"])
            attrs["start_iso"] = iso(data["time"])
        H.add_edge(src, dst, key=key, **attrs)
    return H


def iso(seconds: Any) -> str:
    """Epoch seconds as ISO 8601 UTC (``2024-03-01T00:00:00Z``); '' for None."""
    if seconds is None:
        return ""
    try:
        return datetime.fromtimestamp(int(seconds), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError, OverflowError, OSError):
        return ""


def escape(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)
