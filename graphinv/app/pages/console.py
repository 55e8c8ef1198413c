"""Cypher console: the named queries of ``queries/`` with a form for their parameters,
and free Cypher. Both run read-only: the store refuses a write, and its message is
shown inline. Results come as a table with a CSV download, times in ISO 8601 UTC in both
(:func:`graphinv.export.common.readable_times`)."""

from __future__ import annotations

import time

import dash
from dash import ALL, Input, Output, State, ctx as callback_ctx, dcc, html

from ... import queries
from ...errors import GraphinvError
from ...export.common import readable_times
from ...store.gate import default_limits
from .. import data, ids
from ..layout import error_box, export_bar, page_header, section, table

PATH = "/console"
TITLE = "Cypher console"
SHOWN_ROWS = 1000  # the table shows this many; the CSV has every row
EXAMPLE = ("MATCH (a:Account)-[:POSTED]->(p:Post)\nRETURN a.handle AS handle, count(p) AS posts\n"
           "ORDER BY posts DESC LIMIT 10")


def _limit_text() -> str:
    limits = default_limits()
    seconds = f"{limits.seconds:g} s" if limits.seconds else "no time limit"
    rows = f"{limits.rows:,} rows" if limits.rows else "no row limit"
    return f"{seconds} and returns at most {rows}"


def _query_options():
    return [{"label": f"{q.title} ({q.name})", "value": q.name} for q in queries.list_queries()]


def _form(name: str | None):
    if not name:
        return html.P("Choose a query.", className="muted"), []
    query = queries.get_query(name)
    fields = []
    for p in query.parameters:
        default = "" if p.default is None else (",".join(map(str, p.default)) if isinstance(p.default, list)
                                                else str(p.default))
        fields.append(html.Div(className="param", children=[
            html.Label([html.Span(p.name, className="param-name"),
                        html.Span(f" {p.type}{' · required' if p.required else ''}", className="muted")],
                       htmlFor=f"param-{p.name}"),
            dcc.Input(id={"type": ids.CONSOLE_PARAM, "name": p.name}, type="text", value=default,
                      placeholder=p.description or p.type, className="input", debounce=False),
            html.Small(p.description, className="muted") if p.description else None]))
    help_text = html.Div([html.P(query.description),
                          html.Code(", ".join(sorted({f.name for f in query.files.values()})), className="muted")])
    return help_text, fields or [html.P("No parameters.", className="muted")]


def layout(ctx, params):
    names = [q.name for q in queries.list_queries()]
    chosen = params.get("q") if params.get("q") in names else (names[0] if names else None)
    help_text, fields = _form(chosen)
    return html.Div([
        page_header("Cypher console", f"Read-only on this {ctx.backend} store: named queries from queries/ "
                    "and your own Cypher, one statement of read clauses at a time. A query stops after "
                    f"{_limit_text()}."),
        html.Div(className="grid-2", children=[
            section("Named query", dcc.Dropdown(id=ids.CONSOLE_QUERY, options=_query_options(), value=chosen,
                                                clearable=False, className="dropdown"),
                    html.Div(help_text, id=ids.CONSOLE_QUERY_HELP, className="query-help"),
                    html.Div(fields, id=ids.CONSOLE_PARAMS, className="params"),
                    html.Button("Run query", id=ids.CONSOLE_RUN_NAMED, className="btn btn-primary", n_clicks=0)),
            section("Cypher", dcc.Textarea(id=ids.CONSOLE_CYPHER, value=EXAMPLE, className="cypher",
                                           spellCheck=False),
                    html.Div([html.Button("Run Cypher", id=ids.CONSOLE_RUN_CYPHER, className="btn btn-primary",
                                          n_clicks=0),
                              html.Span(" Write values into the query here (a $name has no value); "
                                        "the dialect table below shows this store's spellings.",
                                        className="muted")])),
        ]),
        section("Cypher on this store", _dialect(ctx.backend), className="dialect",
                note="The two stores speak Cypher with a few differences; this store understands the "
                     + ("left" if ctx.backend == "neo4j" else "right") + " column."),
        section("Result",
                html.Div(id=ids.CONSOLE_ERROR),
                html.Div([html.P("Run a query to see its rows.", id=ids.CONSOLE_RESULT_NOTE, className="note"),
                          html.Button("Download CSV", id=ids.CONSOLE_CSV, className="btn btn-small",
                                      n_clicks=0, disabled=True)], className="result-head"),
                html.Div(id=ids.CONSOLE_RESULT),
                html.Div(export_bar(None, "the entities of this result"), id=ids.CONSOLE_EXPORT),
                dcc.Download(id=ids.CONSOLE_CSV_DOWNLOAD), dcc.Store(id=ids.CONSOLE_LAST)),
    ])


def _dialect(backend: str) -> html.Table:
    """The spellings that differ between Neo4j and the embedded store, this store's marked."""
    from ...store.dialect import SPELLINGS

    mine = 0 if backend == "neo4j" else 1
    head = html.Tr([html.Th("Neo4j" + (" (this store)" if mine == 0 else "")),
                    html.Th("Embedded, LadybugDB" + (" (this store)" if mine == 1 else "")), html.Th("")])
    rows = [html.Tr([html.Td(html.Code(neo4j), className="mine" if mine == 0 else ""),
                     html.Td(html.Code(ladybug), className="mine" if mine == 1 else ""),
                     html.Td(note, className="muted")]) for neo4j, ladybug, note in SPELLINGS]
    return html.Table([html.Thead(head), html.Tbody(rows)], id=ids.CONSOLE_DIALECT, className="dialect-table")


def _run(store, last: dict):
    if last["kind"] == "named":
        return data.run_named(store, last["name"], last["params"], limits=default_limits())
    return data.run_cypher(store, last["cypher"])


def register(app, ctx):
    @app.callback(Output(ids.CONSOLE_QUERY_HELP, "children"), Output(ids.CONSOLE_PARAMS, "children"),
                  Input(ids.CONSOLE_QUERY, "value"), prevent_initial_call=True)
    def choose(name):
        return _form(name)

    @app.callback(Output(ids.CONSOLE_ERROR, "children"), Output(ids.CONSOLE_RESULT, "children"),
                  Output(ids.CONSOLE_RESULT_NOTE, "children"), Output(ids.CONSOLE_CSV, "disabled"),
                  Output(ids.CONSOLE_LAST, "data"), Output(ids.CONSOLE_EXPORT, "children"),
                  Input(ids.CONSOLE_RUN_NAMED, "n_clicks"), Input(ids.CONSOLE_RUN_CYPHER, "n_clicks"),
                  State(ids.CONSOLE_QUERY, "value"), State({"type": ids.CONSOLE_PARAM, "name": ALL}, "value"),
                  State({"type": ids.CONSOLE_PARAM, "name": ALL}, "id"), State(ids.CONSOLE_CYPHER, "value"),
                  prevent_initial_call=True)
    def run(_named, _cypher, name, values, param_ids, cypher):
        if callback_ctx.triggered_id == ids.CONSOLE_RUN_NAMED:
            if not name:
                return error_box("Choose a query."), None, "", True, None, dash.no_update
            last = {"kind": "named", "name": name,
                    "params": {pid["name"]: value for pid, value in zip(param_ids, values)}}
        else:
            last = {"kind": "cypher", "cypher": cypher or ""}
        started = time.perf_counter()
        try:
            frame = _run(ctx.store, last)
        except GraphinvError as exc:
            return (error_box(str(exc), id=ids.CONSOLE_ERROR_MESSAGE), None, "No result.", True, None,
                    export_bar(None, "the entities of this result"))
        except Exception as exc:  # an unexpected driver error is still shown inline
            return (error_box(f"{type(exc).__name__}: {exc}", id=ids.CONSOLE_ERROR_MESSAGE), None, "No result.",
                    True, None, export_bar(None, "the entities of this result"))
        took = time.perf_counter() - started
        shown = frame.head(SHOWN_ROWS)
        note = (f"{len(frame):,} rows in {took * 1000:.0f} ms" +
                (f"; the first {SHOWN_ROWS:,} are shown, the CSV has them all" if len(frame) > SHOWN_ROWS else "") +
                (f". The query returned more: results stop at {frame.attrs['rows_cap']:,} rows "
                 "($GRAPHINV_QUERY_ROWS); add a LIMIT or narrow it" if frame.attrs.get("truncated") else ""))
        selection = ({"query": last["name"],
                      "params": {k: v for k, v in last["params"].items() if v not in ("", None)}}
                     if last["kind"] == "named" else None)
        return (None, table(ids.CONSOLE_TABLE, readable_times(shown, durations=True), page_size=20, wide=[]),
                note, False, last,
                export_bar(selection, "the entities of this result" if selection else
                           "(named queries only)"))

    @app.callback(Output(ids.CONSOLE_CSV_DOWNLOAD, "data"), Input(ids.CONSOLE_CSV, "n_clicks"),
                  State(ids.CONSOLE_LAST, "data"), prevent_initial_call=True)
    def download(clicks, last):
        if not clicks or not last:
            return dash.no_update
        frame = _run(ctx.store, last)
        return dcc.send_string(to_csv(frame), f"{last.get('name') or 'cypher'}.csv")


def to_csv(frame) -> str:
    """Rows as CSV, as ``graphinv query --format csv`` writes them: times in ISO 8601
    UTC, durations in seconds, list and map cells as JSON, formula-like text made inert."""
    import json

    import numpy as np

    from ...export.common import spreadsheet_safe

    out = readable_times(frame)
    for col in out.columns:
        out[col] = [json.dumps(v.tolist() if isinstance(v, np.ndarray) else v, ensure_ascii=False, default=str)
                    if isinstance(v, (list, dict, np.ndarray)) else v for v in out[col]]
    return spreadsheet_safe(out).to_csv(index=False)
