"""GEXF 1.3 for Gephi: node kinds and properties as attributes, edge weights, and
``start``/``end`` times (epoch seconds, timeformat "double") for Gephi's timeline."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from .common import flat_graph, xml_text


def write(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``G`` as GEXF 1.3; ``nx.read_gexf(path)`` reads it back."""
    path = Path(path)
    nx.write_gexf(flat_graph(G, text=xml_text), path, version="1.3")
    return path
