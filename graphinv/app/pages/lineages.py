"""Lineages: entities that came back after a takedown, as chains of REAPPEARS_AS steps.

A lineage reads oldest → newest. It shows each generation's active span and its
takedown on one time axis, the gap before the next generation (the one the analysis
stored, in days and hours: :func:`graphinv.timefmt.format_gap`, as in the report), and,
per step, the signals that tie the two: shared
IDs, article pairs, image hashes side by side (the store keeps hashes, not image bytes,
so hashes are what is shown), names, links.
"""

from __future__ import annotations

from urllib.parse import quote

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html
import pandas as pd

from ...timefmt import format_gap
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
        ["chain", "kind", "generations", "min_score", "longest_gap", "lineage"]] if not frame.empty else frame
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
        spans[row.uid] = (names[i], start, end, down, i)
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
        # The stored gap, drawn where the analysis measured it: from the predecessor's
        # last activity to the successor's first sign.
        a, b, gap = spans.get(step.predecessor), spans.get(step.successor), _num(step.gap)
        arrived = _num(step.successor_since)
        arrived = arrived if arrived is not None else (b[1] if b is not None else None)
        if a is None or b is None or gap is None or arrived is None:
            continue
        label = f"gap {format_gap(gap)}"
        fig.add_trace(go.Scatter(x=to_datetime([arrived - gap, arrived]), y=[a[0], b[0]], mode="lines",
                                 line=dict(dash="dot", color="#6b7280"), name="gap", legendgroup="gap",
                                 showlegend=False, hovertemplate=label + "<extra></extra>"))
        # Halfway between the two rows (a category axis places annotations by row index),
        # where neither the bars nor the axis labels are.
        fig.add_annotation(x=to_datetime([arrived - gap / 2]).iloc[0], y=(a[4] + b[4]) / 2, text=label,
                           showarrow=False, xanchor="left", xshift=6, font=dict(size=11, color="#374151"),
                           bgcolor="rgba(255,255,255,0.85)")
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
    blocks = [_signal_block(name, value, ctx) for name, value in evidence.items() if name not in QUIET]
    quiet = [f"{name}: {data.plain(evidence[name])}" for name in QUIET if name in evidence]
    return html.Div(className="step", children=[
        html.Div(className="step-head", children=[
            html.Span(str(step.predecessor_name or step.predecessor), className="step-name"),
            html.Span("→", className="step-arrow"),
            html.Span(str(step.successor_name or step.successor), className="step-name"),
            html.Span(f"score {float(step.score):.2f}" if step.score == step.score and step.score is not None
                      else "score —", className="chip chip-strong"),
            html.Span(f"gap {format_gap(step.gap)}", className="chip"),
        ]),
        html.Div([html.Span("signals: ", className="muted")] +
                 [html.Span(s.replace("_", " "), className="chip chip-signal") for s in signals],
                 className="chips"),
        html.Div(blocks or [html.P("No per-signal evidence recorded.", className="muted")], className="signals"),
        html.Details([html.Summary("analysis parameters"), html.P(" · ".join(quiet), className="muted")])
        if quiet else None,
    ])


def detail(ctx, uid):
    steps = data.steps_in_time_order(data.lineage_steps(ctx.store, uid))
    if steps.empty:
        return section(f"Lineage of {uid}", empty("No REAPPEARS_AS steps through this entity."))
    order = data.oldest_first(steps)
    gens = data.generations(ctx.store, order)
    gens_table = gens[["name", "kind", "active_from", "active_to", "taken_down_at", "takedown_status", "posts",
                       "uid"]].copy()
    names = [str(n) for n in gens_table["name"]]
    chain = " → ".join(names) if len(names) <= 4 else f"{names[0]} → … → {names[-1]}"
    return html.Div(id=ids.LINEAGE_TITLE, children=[
        page_header(chain, f"{len(order)} generations, oldest first · lineage through {uid}",
                    export_bar({"lineage": uid}, "this lineage")),
        html.Div(className="stats", children=[
            stat("generations", len(order)), stat("steps", len(steps)),
            stat("longest gap", format_gap(steps["gap"].max())),
            stat("lowest score", f"{steps['score'].min():.2f}" if steps["score"].notna().any() else "—")]),
        section("Chain over time", dcc.Graph(id=ids.LINEAGE_TIMELINE, figure=_chain_figure(gens, steps),
                                             config={"displaylogo": False}),
                note="Bars: each generation's active span (creation, posts, pages, 'active' observations). "
                     "Red ×: its takedown (first suspended/deleted/not found/withheld observation). "
                     "Dotted: the gap, from a generation's last activity to the next one's first sign."),
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
