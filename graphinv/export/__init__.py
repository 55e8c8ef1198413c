"""Exports for analysts: one module per format, all over the networkx graph that
:func:`graph.selection_graph` builds from a store selection.

:data:`FORMATS` is the one registry of formats: one :class:`ExportFormat` record each
holds its writer, the suffix of its file, whether ``graphinv export`` offers it and
the label of its button in the app. The CLI's choices and the app's buttons are read
from it, so adding a format touches this file and the writer's module.

>>> [f.name for f in FORMATS.values() if f.button]
['gexf', 'csv', 'html', 'report-html']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..errors import InputError

# The CLI reads its choices from this registry on every command: the graph builder
# (networkx, pandas) loads only when a graph is built.
if TYPE_CHECKING:
    import networkx as nx


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


def _report(G, out):
    from . import report
    return report.write(G, out)


def _report_html(G, out):
    from . import report
    return report.write_html(G, out)


def _report_pdf(G, out):
    from . import report
    return report.write_pdf(G, out)


@dataclass(frozen=True)
class ExportFormat:
    """One export format.

    ``write(G, out)`` writes the graph to ``out`` and returns the files written;
    ``suffix`` is what a file of this format ends with (empty: ``out`` is a directory of
    several files, which the app sends as one zip); ``cli`` says whether
    ``graphinv export`` offers it; ``button`` is the label of its export button in the
    app (None: no button).
    """

    name: str
    write: Callable[[nx.MultiDiGraph, Path], list[Path]]
    suffix: str
    description: str
    cli: bool = True
    button: str | None = None


FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("gexf", _gexf, ".gexf", "GEXF 1.3 for Gephi (kinds, attributes, weights, start/end times)",
                 button="GEXF"),
    ExportFormat("graphml", _graphml, ".graphml", "GraphML (Gephi, yEd, Cytoscape, igraph)"),
    ExportFormat("csv", _csv, "", "CSV node and edge lists", button="CSV"),
    ExportFormat("html", _html, ".html", "interactive graph page (pyvis), works offline", button="HTML graph"),
    ExportFormat("report", _report, ".pdf", "written report, PDF or HTML as --out ends (with its .sha256 beside it)"),
    ExportFormat("report-html", _report_html, "-report.html", "written report as HTML", button="Report"),
    ExportFormat("report-pdf", _report_pdf, "-report.pdf", "written report as PDF"),
)}
CLI_FORMATS = tuple(f.name for f in FORMATS.values() if f.cli)


def write(G: nx.MultiDiGraph, fmt: str, out: str | Path) -> list[Path]:
    """Write ``G`` in format ``fmt`` to ``out``; returns the files written."""
    try:
        spec = FORMATS[fmt]
    except KeyError:
        raise InputError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}") from None
    out = Path(out)
    if spec.suffix or out.suffix:  # a directory output makes itself
        out.parent.mkdir(parents=True, exist_ok=True)
    return spec.write(G, out)


def export_selection(store, fmt: str, out: str | Path, *, campaign: str | None = None, lineage: str | None = None,
                     query: str | None = None, params: dict | None = None, pseudonymize: bool = False,
                     salt_file: str | Path | None = None,
                     notice: Callable[[str], None] | None = None) -> list[Path]:
    """Select from ``store``, optionally pseudonymise, and write ``fmt`` to ``out``."""
    from .graph import selection_graph

    G = selection_graph(store, campaign=campaign, lineage=lineage, query=query, params=params)
    if pseudonymize:
        from .pseudonym import load_salt, pseudonymize as pseudonymize_graph
        G = pseudonymize_graph(G, load_salt(salt_file, notice))
    return write(G, fmt, out)


__all__ = ["CLI_FORMATS", "FORMATS", "ExportFormat", "export_selection", "write"]
