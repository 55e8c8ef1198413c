"""CSV node and edge lists (``nodes.csv``: uid, kind, label, …; ``edges.csv``: uid,
src, dst, kind, weight, …). Times are ISO 8601 UTC (``created_at``, ``observed_at``,
``first_time``…: :func:`graphinv.export.common.readable_times`); only ``start`` and
``end`` stay epoch seconds, the numbers Gephi's timeline reads, with ``start_iso`` beside
them. Text cells that a spreadsheet would run as a formula start with an apostrophe
(``spreadsheet_safe``)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd

from .common import flat_graph, readable_times, spreadsheet_safe

NODE_FIRST = ["uid", "kind", "label", "start", "start_iso", "end"]
EDGE_FIRST = ["uid", "src", "dst", "kind", "weight", "start", "start_iso"]


def frames(G: nx.MultiDiGraph) -> tuple[pd.DataFrame, pd.DataFrame]:
    H = flat_graph(G)
    nodes = pd.DataFrame([{"uid": n, **d} for n, d in H.nodes(data=True)])
    edges = pd.DataFrame([{"uid": k, "src": s, "dst": t, **d} for s, t, k, d in H.edges(keys=True, data=True)])
    return (spreadsheet_safe(readable_times(_order(nodes, NODE_FIRST))),
            spreadsheet_safe(readable_times(_order(edges, EDGE_FIRST))))


def _order(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=first)
    for col in ("start", "end"):
        if col in frame.columns:
            frame[col] = frame[col].astype("Int64")
    head = [c for c in first if c in frame.columns]
    return frame[head + sorted(c for c in frame.columns if c not in head)]


def paths_for(out: str | Path) -> tuple[Path, Path]:
    """``DIR/nodes.csv`` and ``DIR/edges.csv``, or ``NAME-nodes.csv`` / ``NAME-edges.csv`` for NAME.csv."""
    out = Path(out)
    if out.suffix.lower() == ".csv":
        return out.with_name(out.stem + "-nodes.csv"), out.with_name(out.stem + "-edges.csv")
    return out / "nodes.csv", out / "edges.csv"


def write(G: nx.MultiDiGraph, out: str | Path) -> list[Path]:
    node_path, edge_path = paths_for(out)
    node_path.parent.mkdir(parents=True, exist_ok=True)
    nodes, edges = frames(G)
    nodes.to_csv(node_path, index=False)
    edges.to_csv(edge_path, index=False)
    return [node_path, edge_path]
