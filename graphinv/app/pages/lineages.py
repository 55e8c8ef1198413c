"""Lineages: entities that came back after a takedown, as chains of REAPPEARS_AS steps.

A lineage shows each generation's active span and its takedown on one time axis, the
gap before the next generation, and, per step, the signals that tie the two: shared
IDs, article pairs, image hashes side by side (the store keeps hashes, not image bytes,
so hashes are what is shown), names, links.
"""

from __future__ import annotations

from urllib.parse import quote

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html
import pandas as pd

from .. import data, ids
from ..layout import (empty, export_bar, kind_colour, page_header, plot_text, section, stat, table,
                      to_datetime)

PATH = "/lineages"
QUIET = ("params", "analysis_run")  # bookkeeping, not evidence: folded away
TITLE = "Lineages"


def href(uid: str) -> str:
    return "/lineages?uid=" + quote(uid, safe="")


def layout(ctx, params):
    frame = data.lineages(ctx.store)
    uid = params.get("uid")
    shown = frame.drop(columns=["members", "lineage_id"], errors="ignore")[
        ["chain", "kind", "generations", "min_score", "max_gap_days", "lineage"]] if not frame.empty else frame
    parts = [page_header("Lineages", "Sites and accounts that reappeared after a takedown. Click a row to see "
                         "the chain, the gaps and the signals that tie each step.")]
    parts.append(section("All lineages", table(ids.LINEAGE_TABLE, shown, page_size=10, wide=["chain"],
                                               hidden=["lineage"])
                         if not frame.empty else empty("No REAPPEARS_AS links in this store: `graphinv analyze` "
                                                       "finds reappearing sites and accounts.")))
    if uid is None and not frame.empty:
        uid = frame.iloc[0]["lineage"]
    if uid:
        parts.append(detail(ctx, uid))
    return html.Div(parts)


def _num(value):
    value = data.plain(value)
    return None if value is None else int(value)


def _chain_figure(gens: pd.DataFrame, steps: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    names = [plot_text(n) for n in gens["name"]]
    spans = {}
    for i, row in enumerate(gens.itertuples(index=False)):
        start, end, down = _num(row.active_from), _num(row.active_to), _num(row.taken_down_at)
        if down is not None:
            end = min(end, down) if end is not None else down
            start = min(start, down) if start is not None else down
        spans[row.uid] = (names[i], start, end, down)
        if start is None:
            continue
        fig.add_trace(go.Scatter(x=to_datetime([start, max(end or start, start)]), y=[names[i], names[i]],
                                 mode="lines", line=dict(width=18, color=kind_colour(row.kind or "Account")),
                                 showlegend=i == 0, name="active", legendgroup="active",
                                 hovertemplate=f"{names[i]}<br>active %{{x}}<extra></extra>"))
        if down is not None:
            fig.add_trace(go.Scatter(x=to_datetime([down]), y=[names[i]], mode="markers",
                                     marker=dict(symbol="x-thin", size=16, line=dict(width=3, color="#d62728")),
                                     name="takedown", legendgroup="takedown", showlegend=i == 0,
                                     hovertemplate=plot_text(row.takedown_status or "removed") +
                                     " %{x}<extra></extra>"))
    for step in steps.itertuples(index=False):
        a, b = spans.get(step.predecessor), spans.get(step.successor)
        if a is None or b is None or b[1] is None:
            continue
        gone = a[3] if a[3] is not None else a[2]
        if gone is None:
            continue
        days = (b[1] - gone) / 86400
        fig.add_trace(go.Scatter(x=to_datetime([gone, b[1]]), y=[a[0], b[0]], mode="lines+text",
                                 line=dict(dash="dot", color="#6b7280"), name="gap", legendgroup="gap",
                                 text=["", f"gap {days:.1f} d"], textposition="middle left",
                                 showlegend=False, hoverinfo="skip"))
    fig.update_layout(height=120 + 50 * len(gens), margin=dict(l=10, r=20, t=10, b=30), plot_bgcolor="#fff",
                      xaxis=dict(type="date", gridcolor="#eef1f5"), legend=dict(orientation="h", y=1.15),
                      yaxis=dict(automargin=True, autorange="reversed", categoryorder="array",
                                 categoryarray=names))
    return fig


def _signal_block(name: str, value, ctx) -> html.Div:
    """One signal's evidence, as chips (lists of values) or a table (pairs, records)."""
    title = html.H4(name.replace("_", " "))
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        frame = pd.DataFrame(value)
        return html.Div([title, table({"type": "signal", "name": name}, frame.astype(str), page_size=6,
                                      filter=False)], className="signal")
    if isinstance(value, dict):
        if value and all(isinstance(v, dict) for v in value.values()):
            frame = pd.DataFrame(value).T.reset_index(names="side")
        else:
            frame = pd.DataFrame([{"item": k, "value": data.plain(v)} for k, v in value.items()])
        return html.Div([title, table({"type": "signal", "name": name}, frame.astype(str), page_size=6,
                                      filter=False)], className="signal")
    if isinstance(value, list):
        return html.Div([title, html.Div([html.Span(str(data.plain(v)), className="chip") for v in value],
                                         className="chips")], className="signal")
    return html.Div([title, html.P(str(data.plain(value)))], className="signal")


def _step_card(step, ctx) -> html.Div:
    evidence = data.parse_evidence(step.evidence)
    signals = [str(s) for s in (step.signals if step.signals is not None else [])]
    gap = step.gap if step.gap is not None and step.gap == step.gap else None
    blocks = [_signal_block(name, value, ctx) for name, value in evidence.items() if name not in QUIET]
    quiet = [f"{name}: {data.plain(evidence[name])}" for name in QUIET if name in evidence]
    return html.Div(className="step", children=[
        html.Div(className="step-head", children=[
            html.Span(str(step.predecessor_name or step.predecessor), className="step-name"),
            html.Span("→", className="step-arrow"),
            html.Span(str(step.successor_name or step.successor), className="step-name"),
            html.Span(f"score {float(step.score):.2f}" if step.score == step.score and step.score is not None
                      else "score —", className="chip chip-strong"),
            html.Span(f"gap {gap / 86400:.1f} days" if gap is not None else "gap —", className="chip"),
        ]),
        html.Div([html.Span("signals: ", className="muted")] +
                 [html.Span(s.replace("_", " "), className="chip chip-signal") for s in signals],
                 className="chips"),
        html.Div(blocks or [html.P("No per-signal evidence recorded.", className="muted")], className="signals"),
        html.Details([html.Summary("analysis parameters"), html.P(" · ".join(quiet), className="muted")])
        if quiet else None,
    ])


def detail(ctx, uid):
    steps = data.lineage_steps(ctx.store, uid)
    if steps.empty:
        return section(f"Lineage of {uid}", empty("No REAPPEARS_AS steps through this entity."))
    order: list[str] = []
    for row in steps.itertuples(index=False):
        for member in (row.predecessor, row.successor):
            if member not in order:
                order.append(member)
    gens = data.generations(ctx.store, order)
    gens_table = gens[["name", "kind", "active_from", "active_to", "taken_down_at", "takedown_status", "posts",
                       "uid"]].copy()
    first, last = gens_table.iloc[0]["name"], gens_table.iloc[-1]["name"]
    return html.Div(id=ids.LINEAGE_TITLE, children=[
        page_header(f"{first} → {last}", f"{len(order)} generations · lineage through {uid}",
                    export_bar({"lineage": uid}, "this lineage")),
        html.Div(className="stats", children=[
            stat("generations", len(order)), stat("steps", len(steps)),
            stat("longest gap", f"{steps['gap'].max() / 86400:.1f} d" if steps["gap"].notna().any() else "—"),
            stat("lowest score", f"{steps['score'].min():.2f}" if steps["score"].notna().any() else "—")]),
        section("Chain over time", dcc.Graph(id=ids.LINEAGE_TIMELINE, figure=_chain_figure(gens, steps),
                                             config={"displaylogo": False}),
                note="Bars: each generation's active span (creation, posts, pages, 'active' observations). "
                     "Red ×: its takedown (first suspended/deleted/not found/withheld observation). "
                     "Dotted: the gap before the next generation."),
        section("Generations", table("lineage-generations", gens_table, page_size=10, filter=False)),
        section("What ties each step", html.Div([_step_card(s, ctx) for s in steps.itertuples(index=False)],
                                                id=ids.LINEAGE_STEPS),
                note="Per step, the signals the analysis found and their evidence. Images are compared by "
                     "their hashes (sha256 and perceptual hash); the store does not keep image bytes."),
    ])


def register(app, ctx):
    for table_id in (ids.LINEAGE_TABLE, ids.OVERVIEW_LINEAGES):
        @app.callback(Output(ids.URL, "href", allow_duplicate=True), Input(table_id, "active_cell"),
                      State(table_id, "derived_viewport_data"), prevent_initial_call=True)
        def open_lineage(cell, rows):
            if not cell or not rows or cell.get("row", -1) >= len(rows):
                return dash.no_update
            uid = rows[cell["row"]].get("lineage")
            return href(uid) if uid else dash.no_update
