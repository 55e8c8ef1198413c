"""Exports for analysts: one module per format, all over the networkx graph that
:func:`graph.selection_graph` builds from a store selection.

=============  ==================================  =====================================
format         module                              output
=============  ==================================  =====================================
gexf           :mod:`graphinv.export.gexf`         GEXF 1.3 (Gephi, with timeline times)
graphml        :mod:`graphinv.export.graphml`      GraphML
csv            :mod:`graphinv.export.csv_lists`    nodes.csv + edges.csv
html           :mod:`graphinv.export.html_graph`   interactive graph page, works offline
report-html    :mod:`graphinv.export.report`       written report (HTML)
report-pdf     :mod:`graphinv.export.report`       written report (PDF, WeasyPrint)
=============  ==================================  =====================================
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import networkx as nx

from ..errors import InputError
from .graph import selection_graph


def _gexf(G, out):
    from . import gexf
    return [gexf.write(G, out)]


def _graphml(G, out):
    from . import graphml
    return [graphml.write(G, out)]


def _csv(G, out):
    from . import csv_lists
    return csv_lists.write(G, out)


def _html(G, out):
    from . import html_graph
    from .report import title_for
    return [html_graph.write(G, out, title=title_for(G))]


def _report_html(G, out):
    from . import report
    return [report.write_html(G, out)]


def _report_pdf(G, out):
    from . import report
    return [report.write_pdf(G, out)]


# name -> (writer, description); the CLI's choices come from here.
FORMATS: dict[str, tuple[Callable[[nx.MultiDiGraph, Path], list[Path]], str]] = {
    "gexf": (_gexf, "GEXF 1.3 for Gephi (kinds, attributes, weights, start/end times)"),
    "graphml": (_graphml, "GraphML (Gephi, yEd, Cytoscape, igraph)"),
    "csv": (_csv, "CSV node and edge lists"),
    "html": (_html, "interactive graph page (pyvis), works offline"),
    "report-html": (_report_html, "written report as HTML"),
    "report-pdf": (_report_pdf, "written report as PDF"),
}


def write(G: nx.MultiDiGraph, fmt: str, out: str | Path) -> list[Path]:
    """Write ``G`` in format ``fmt`` to ``out``; returns the files written."""
    try:
        writer = FORMATS[fmt][0]
    except KeyError:
        raise InputError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}") from None
    out = Path(out)
    if fmt != "csv" or out.suffix:
        out.parent.mkdir(parents=True, exist_ok=True)
    return writer(G, out)


def export_selection(store, fmt: str, out: str | Path, *, campaign: str | None = None, lineage: str | None = None,
                     query: str | None = None, params: dict | None = None, pseudonymize: bool = False,
                     salt_file: str | Path | None = None,
                     notice: Callable[[str], None] | None = None) -> list[Path]:
    """Select from ``store``, optionally pseudonymise, and write ``fmt`` to ``out``."""
    G = selection_graph(store, campaign=campaign, lineage=lineage, query=query, params=params)
    if pseudonymize:
        from .pseudonym import load_salt, pseudonymize as pseudonymize_graph
        G = pseudonymize_graph(G, load_salt(salt_file, notice))
    return write(G, fmt, out)


__all__ = ["FORMATS", "export_selection", "selection_graph", "write"]
