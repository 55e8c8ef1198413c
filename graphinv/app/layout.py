"""The shell of the app (header, navigation, page slot) and the small building blocks
the pages share: sections, tables, legends, the export bar, time formatting.

Captured text (posts, handles, page titles) is only ever passed to Dash components as
plain strings, which React escapes; no component here renders HTML or Markdown.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

import pandas as pd
from dash import dash_table, dcc, html

from ..export import FORMATS
from ..export.layout import kind_colour
from ..schema import SCHEMA
from ..timefmt import is_time_column
from . import ids
from .data import plain

NAV_ITEMS = (("/", "Overview"), ("/campaigns", "Campaigns"), ("/lineages", "Lineages"),
             ("/watch", "Watchlist"), ("/triage", "Triage"), ("/explorer", "Explorer"), ("/cases", "Cases"),
             ("/console", "Cypher"))

# Colours for what the schema does not colour: member roles and coordination modalities.
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac")
ROLE_COLOURS = {"core": "#d62728", "leader": "#d62728", "seed": "#d62728", "member": "#4e79a7",
                "amplifier": "#f28e2b", "peripheral": "#9aa5b1"}
MODALITY_COLOURS = {"repost": "#e15759", "url": "#4e79a7", "text": "#59a14f", "near_text": "#76b7b2",
                    "image": "#b07aa1", "hashtags": "#edc948"}


def colour_for(value: str, known: dict[str, str]) -> str:
    if value in known:
        return known[value]
    return PALETTE[sum(map(ord, str(value))) % len(PALETTE)]


def iso(value: Any, seconds: bool = False) -> str | None:
    """Epoch seconds as an ISO 8601 UTC string ('2026-03-16 10:16Z'), None stays None."""
    value = plain(value)
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromtimestamp(int(value), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return str(value)
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + "Z"


def shell(store_label: str) -> html.Div:
    return html.Div(className="shell", children=[
        dcc.Location(id=ids.URL, refresh="callback-nav"),
        html.Header(className="topbar", children=[
            html.Div(className="brand", children=[html.Span("graphinv", className="brand-name"),
                                                  html.Span("investigation", className="brand-sub")]),
            html.Nav(id=ids.NAV, className="nav", children=[
                dcc.Link(label, href=href, className="nav-link", id=f"nav-{label.split()[0].lower()}")
                for href, label in NAV_ITEMS]),
            search_box(),
            html.Span(store_label, id=ids.STORE_BADGE, className="store-badge", title=f"store: {store_label}"),
        ]),
        dcc.Download(id=ids.EXPORT_DOWNLOAD),
        dcc.Loading(type="dot", delay_show=300, children=html.Main(id=ids.PAGE, className="page")),
    ])


def search_box() -> html.Form:
    """The header's search form: a plain GET to /search (the Search page), from any page."""
    return html.Form(action="/search", method="get", className="search-form", role="search", children=[
        dcc.Input(id=ids.SEARCH_BOX, name="q", type="search", placeholder="Search accounts, sites, IDs, posts…",
                  className="search-input", autoComplete="off")])


def page_header(title: str, subtitle: str | None = None, *extra) -> html.Div:
    return html.Div(className="page-header", children=[
        html.Div([html.H1(title), html.P(subtitle, className="subtitle") if subtitle else None]),
        html.Div(list(extra), className="page-header-extra"),
    ])


def section(title: str, *children, note: str | None = None, className: str = "") -> html.Section:
    return html.Section(className=f"card {className}".strip(), children=[
        html.H2(title), html.P(note, className="note") if note else None, *children])


def stat(label: str, value: Any, colour: str | None = None) -> html.Div:
    return html.Div(className="stat", style={"borderTopColor": colour} if colour else None, children=[
        html.Div(f"{value:,}" if isinstance(value, int) else str(value), className="stat-value"),
        html.Div(label, className="stat-label")])


def legend(title: str, items: Iterable[tuple[str, str]], shape: str = "dot") -> html.Div:
    return html.Div(className="legend", children=[
        html.Span(title, className="legend-title"),
        *[html.Span(className="legend-item", children=[
            # the ring shape draws in currentColor, the others fill with the background
            html.Span(className=f"legend-{shape}", style={"backgroundColor": colour, "color": colour}),
            html.Span(label)])
          for label, colour in items]])


def kinds_legend(kinds: Iterable[str] | None = None) -> html.Div:
    kinds = list(kinds) if kinds is not None else list(SCHEMA.nodes)
    return legend("Node kinds", [(k, kind_colour(k)) for k in kinds])


def empty(message: str) -> html.Div:
    return html.Div(message, className="empty")


def error_box(message: str, id: str | None = None) -> html.Div:
    kwargs = {"id": id} if id else {}
    return html.Div(message, className="error-box", role="alert", **kwargs)


def table_records(frame: pd.DataFrame) -> list[dict]:
    rows = []
    for row in frame.to_dict("records"):
        out = {}
        for key, value in row.items():
            value = plain(value)
            if is_time_column(str(key)) and value is not None:
                value = iso(value)
            elif isinstance(value, float):
                value = round(value, 2) if abs(value) >= 1 else round(value, 3)
            out[key] = value
        rows.append(out)
    return rows


def table(id: str | dict, frame: pd.DataFrame, page_size: int = 15, filter: bool = True,
          wide: Iterable[str] = (), hidden: Iterable[str] = (), row_select: bool = False,
          **kwargs) -> dash_table.DataTable:
    """A sortable, filterable table; cells are text (never markdown or HTML)."""
    hidden = set(hidden)
    columns = [{"name": c.replace("_", " "), "id": c} for c in frame.columns if c not in hidden]
    wide = set(wide)
    return dash_table.DataTable(
        id=id, columns=columns, data=table_records(frame), page_size=page_size,
        sort_action="native", filter_action="native" if filter else "none", page_action="native",
        style_table={"overflowX": "auto"}, cell_selectable=True,
        style_cell={"textAlign": "left", "padding": "6px 10px", "fontSize": "13px",
                    "fontFamily": "inherit", "maxWidth": "420px", "overflow": "hidden",
                    "textOverflow": "ellipsis", "whiteSpace": "normal", "height": "auto"},
        style_cell_conditional=[{"if": {"column_id": c}, "minWidth": "280px", "maxWidth": "560px"} for c in wide],
        style_header={"fontWeight": "600", "backgroundColor": "#eef1f5", "borderBottom": "2px solid #c9d1db"},
        style_data_conditional=[{"if": {"row_index": "odd"}, "backgroundColor": "#f8fafc"},
                                {"if": {"state": "active"}, "backgroundColor": "#e3edf9",
                                 "border": "1px solid #4e79a7"}],
        style_filter={"backgroundColor": "#fbfcfd"},
        tooltip_delay=300, tooltip_duration=None,
        **kwargs)


SHORT_TABLE = 25  # rows up to which a list is a plain table: a DataTable costs ~0.3 s to load


def link_table(id: str, frame: pd.DataFrame, links: dict | None = None, hidden: Iterable[str] = (),
               wide: Iterable[str] = ()) -> html.Div:
    """A short table as plain HTML (no sorting or filtering; times in ISO as in
    :func:`table`): ``links`` maps a column to ``href(row)``, which makes its cells
    links (None: no link), ``wide`` columns may wrap, the others do not. For the few
    rows of a finding, where a DataTable's cost buys nothing."""
    links, hidden, wide = links or {}, set(hidden), set(wide)
    columns = [c for c in frame.columns if c not in hidden]
    body = []
    for row in table_records(frame):
        cells = []
        for column in columns:
            value = row.get(column)
            text = "" if value is None else str(value)
            href = links[column](row) if column in links and text else None
            cells.append(html.Td(dcc.Link(text, href=href) if href else text,
                                 className="wide" if column in wide else "nowrap"))
        body.append(html.Tr(cells))
    return html.Div(className="grid-wrap", children=html.Table(id=id, className="grid", children=[
        html.Thead(html.Tr([html.Th(c.replace("_", " ")) for c in columns])), html.Tbody(body)]))


def export_bar(selection: dict | None, what: str = "this view") -> html.Div:
    """Buttons that export the current selection through graphinv.export."""
    disabled = not selection
    return html.Div(className="export-bar", children=[
        dcc.Store(id=ids.EXPORT_SELECTION, data=selection),
        html.Span(f"Export {what}:", className="export-label"),
        *[html.Button(FORMATS[fmt].button, id=button, className="btn btn-small", disabled=disabled, n_clicks=0)
          for button, fmt in ids.EXPORT_BUTTONS.items()],
        html.Span(id=ids.EXPORT_STATUS, className="export-status"),
    ])
