"""Helpers shared by the exporters."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any, Callable

from ..timefmt import format_gap, is_duration_column, is_time_column, iso, iso_cell

if TYPE_CHECKING:  # `graphinv query --format csv` uses the CSV helpers without a graph
    import networkx as nx
    import pandas as pd

LIST_SEPARATOR = "; "
# What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold, even escaped: C0 controls but tab, LF and CR, lone
# surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def spreadsheet_text(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet shows rather than runs: a string starting
    with = + - @ tab or CR gets a leading apostrophe; anything else (numbers, negative
    ones included) is returned as it is.

    >>> [spreadsheet_text(v) for v in ("=HYPERLINK(1)", "-1", -1, "a-b")]
    ["'=HYPERLINK(1)", "'-1", -1, 'a-b']
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells went through :func:`spreadsheet_text`; every
    CSV graphinv writes (exports, the console's download, ``query --format csv``) does."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind not in "biufcmM":  # numbers, booleans and times hold no text
            out[col] = [spreadsheet_text(v) for v in out[col]]
    return out


def readable_times(frame: pd.DataFrame, durations: bool = False) -> pd.DataFrame:
    """A copy of ``frame`` whose time columns (:func:`graphinv.timefmt.is_time_column`)
    hold ISO 8601 UTC text instead of epoch seconds and, with ``durations``, whose
    duration columns (``gap``) read in days and hours. Every CSV and results table made
    from a store does this (the stores keep epoch seconds); CSV and JSON keep durations
    in seconds, a number a spreadsheet sorts, and only text tables format them."""
    out = frame.copy()
    for col in out.columns:
        if is_time_column(str(col)):
            out[col] = [iso_cell(v) for v in out[col]]
        elif durations and is_duration_column(str(col)):
            out[col] = [format_gap(v) for v in out[col]]
    return out


def xml_text(text: str) -> str:
    """``text`` without the characters XML cannot hold (captured text carries control
    characters and broken surrogates); every XML export passes its strings through it.

    >>> xml_text("bell" + chr(7) + ", nul" + chr(0) + ", lone surrogate" + chr(0xD800) + ", ok")
    'bell, nul, lone surrogate, ok'
    """
    return _NOT_XML.sub("", text)


def flat_value(value: Any) -> Any:
    """A value GEXF/GraphML/CSV can hold: lists joined with '; ', None dropped by callers."""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool) or isinstance(value, (int, float, str)):
        return value
    return str(value)


def flat_graph(G: nx.MultiDiGraph, times: bool = True,
               text: Callable[[str], str] | None = None) -> nx.MultiDiGraph:
    """A copy with scalar attributes only and, for Gephi's timeline, ``start`` (and
    ``end`` for entities observed removed) as epoch seconds (float: GEXF timeformat
    "double"), plus ``start_iso`` for people reading the attribute table. ``text``, when
    given, rewrites every string: node and edge ids and attribute values."""
    import networkx as nx

    def flat(value):
        value = flat_value(value)
        return text(value) if text is not None and isinstance(value, str) else value

    removed = G.graph.get("removed_at") or {}
    H = nx.MultiDiGraph()
    H.graph.update({k: flat(v) for k, v in G.graph.items()
                    if k in ("store",) and v is not None})
    for node, data in G.nodes(data=True):
        attrs = {k: flat(v) for k, v in data.items() if v is not None and k != "time"}
        if times and data.get("time") is not None:
            attrs["start"] = float(data["time"])
            attrs["start_iso"] = iso(data["time"])
            if node in removed and removed[node] >= data["time"]:
                attrs["end"] = float(removed[node])
        H.add_node(flat(node), **attrs)
    for src, dst, key, data in G.edges(keys=True, data=True):
        attrs = {k: flat(v) for k, v in data.items() if v is not None and k != "time"}
        if "key" in attrs:  # the repeat discriminator; "key" is the edge id in the file formats
            attrs["repeat_key"] = attrs.pop("key")
        if times and data.get("time") is not None:
            attrs["start"] = float(data["time"])
            attrs["start_iso"] = iso(data["time"])
        H.add_edge(flat(src), flat(dst), key=flat(key), **attrs)
    return H


def escape(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)
