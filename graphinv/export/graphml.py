"""GraphML (Gephi, yEd, Cytoscape, igraph): the same attributes as GEXF, edge ids are
edge uids; lists are joined with '; '."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from .common import flat_graph, xml_text


def write(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``G`` as GraphML; ``nx.read_graphml(path, force_multigraph=True)`` reads it back."""
    path = Path(path)
    nx.write_graphml(flat_graph(G, text=xml_text), path, edge_id_from_attribute=None, named_key_ids=True)
    return path
