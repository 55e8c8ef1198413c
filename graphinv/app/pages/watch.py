"""Watchlist: the sites, accounts and pages `graphinv watch run` re-checks, for the
question "when did it go down, and where did it come back?".

The page shows a summary (how many are watched, down, moved; the last run), the
watchlist with each entry's last check, every check on one time axis, the changes
newest first (a move links to the site it moved to, or to its lineage), and, for
``/watch?uid=…``, the evidence about one entity: its observations and captures with
the WARC file and offset that hold each response.

Captured strings (handles, URLs, details) only ever reach Dash as plain text children
or attributes, which React escapes; text in the plotly figure goes through plot_text.
"""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from ...vocabulary import STATUSES
from .. import data, ids
from ..layout import empty, iso, page_header, plot_text, section, to_datetime
from ..links import entity_link
from . import lineages

PATH = "/watch"
TITLE = "Watchlist"
EMPTY_MESSAGE = "Nothing is watched yet: `graphinv watch add URL…` then `graphinv watch run`"

STATUS_COLOURS = {status.name: status.colour for status in STATUSES.values()}
CHANGE_COLOURS = {"taken_down": "#c62828", "moved": "#e07b00", "back": "#2e7d32",
                  "content_changed": "#1565c0", "unreachable": "#757575", "status_changed": "#6d4c41",
                  "first_check": "#9aa5b1", "unchanged": "#9aa5b1"}
NEUTRAL = "#9aa5b1"

CELL = {"padding": "6px 10px", "borderBottom": "1px solid #e4e9f0", "verticalAlign": "top", "fontSize": "13px",
        "wordBreak": "break-word"}
HEAD = {**CELL, "fontWeight": "600", "backgroundColor": "#eef1f5", "borderBottom": "2px solid #c9d1db",
        "textAlign": "left", "whiteSpace": "nowrap"}
MONO = {"fontFamily": "ui-monospace, SFMono-Regular, Menlo, monospace", "fontSize": "12px"}


EVIDENCE_ROWS = 10  # rows of a watched entity's evidence shown here, newest first


def href(uid: str) -> str:
    return "/watch?uid=" + quote(uid, safe="")


def _text(value) -> str | None:
    value = data.plain(value)
    return None if value is None or value == "" else str(value)


def _int(value) -> int | None:
    value = data.plain(value)
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def badge(value, colours: dict[str, str] = STATUS_COLOURS, kind: str = "status") -> html.Span:
    text = _text(value)
    if text is None:
        return html.Span("—", className="muted")
    return html.Span(text.replace("_", " "), className=f"badge badge-{kind}", title=text,
                     **{"data-value": text},
                     style={"backgroundColor": colours.get(text, NEUTRAL), "color": "#fff",
                            "borderRadius": "10px", "padding": "1px 8px", "fontSize": "12px",
                            "fontWeight": "600", "whiteSpace": "nowrap"})


def _grid(id: str, headers: list[str], body: list[list], nowrap: tuple[int, ...] = ()) -> html.Div:
    """A plain HTML table (cells are components: links and badges, never HTML strings);
    the columns numbered in ``nowrap`` do not wrap."""
    tight = {**CELL, "whiteSpace": "nowrap"}
    # A floor on the width: on a phone the table scrolls sideways instead of wrapping
    # URLs one character per line.
    return html.Div(style={"overflowX": "auto"}, children=html.Table(id=id, style={
        "borderCollapse": "collapse", "width": "100%", "minWidth": f"{140 * len(headers)}px"}, children=[
        html.Thead(html.Tr([html.Th(h, style=HEAD) for h in headers])),
        html.Tbody([html.Tr([html.Td(cell, style=tight if j in nowrap else CELL) for j, cell in enumerate(row)],
                            style={"backgroundColor": "#f8fafc"} if i % 2 else None)
                    for i, row in enumerate(body)]),
    ]))


def _lineage_link(entity: str | None, successor: str | None, members: set[str]):
    """A link to the lineage through the successor, else through the entity, if either has one."""
    uid = next((u for u in (successor, entity) if u and u in members), None)
    if uid is None:
        return None
    return dcc.Link("lineage →", href=lineages.href(uid), className="lineage-link", title=f"lineage through {uid}")


def _successor_cell(row: dict, members: set[str]):
    successor, name = _text(row.get("successor")), _text(row.get("successor_name"))
    parts = []
    if successor:
        parts.append(dcc.Link(name or successor, href=href(successor), className="successor-link",
                              title=f"evidence about {successor}"))
    link = _lineage_link(_text(row.get("entity")), successor, members)
    if link is not None:
        parts.extend([" ", link])
    return parts or html.Span("—", className="muted")


def _summary(frame: pd.DataFrame) -> html.P:
    statuses = [_text(s) for s in frame["last_status"]] if not frame.empty else []
    down = sum(1 for s in statuses if s in data.WATCH_DOWN)
    moved = sum(1 for s in statuses if s == "moved")
    checked = [v for v in (_int(v) for v in frame["last_checked"]) if v is not None] if not frame.empty else []
    last_run = iso(max(checked)) if checked else "never"
    return html.P(id=ids.WATCH_SUMMARY, className="watch-summary", style={"fontSize": "15px"}, children=[
        html.Strong(f"{len(frame):,} watched"), " · ",
        html.Span(f"{down:,} down", style={"color": STATUS_COLOURS["not_found"]} if down else None), " · ",
        html.Span(f"{moved:,} moved", style={"color": STATUS_COLOURS["moved"]} if moved else None), " · ",
        f"last run {last_run}"])


def _watch_table(frame: pd.DataFrame, members: set[str], selected: str | None) -> html.Div:
    body = []
    for row in data.records(frame):
        entity = _text(row.get("entity")) or ""
        name = _text(row.get("name")) or entity
        note = _text(row.get("note"))
        inactive = row.get("active") is False
        body.append([
            html.Div([dcc.Link(name, href=href(entity), className="watch-entity", title=entity,
                               style={"fontWeight": "650" if entity == selected else "500"}), " ",
                      entity_link(entity, "page →", className="entity-page-link"),
                      html.Div(note, className="muted", style={"fontSize": "12px"}) if note else None,
                      html.Div("paused", className="muted", style={"fontSize": "12px"}) if inactive else None]),
            html.Span(_text(row.get("url")) or "—", style=MONO),
            iso(row.get("last_checked")) or html.Span("not yet", className="muted"),
            badge(row.get("last_status")),
            badge(row.get("last_change"), CHANGE_COLOURS, "change"),
            html.Span(_text(row.get("last_final_url")) or _text(row.get("last_detail")) or "—", style=MONO,
                      title=_text(row.get("last_detail")) or ""),
            _successor_cell(row, members),
            str(_int(row.get("checks")) or 0),
        ])
    return _grid(ids.WATCH_TABLE, ["Name", "URL", "Last checked (UTC)", "Status", "Change", "Final URL / detail",
                                   "Came back as", "Checks"], body, nowrap=(2, 3, 4))


def _timeline(frame: pd.DataFrame, checks: pd.DataFrame) -> go.Figure:
    names = {str(r["entity"]): plot_text(_text(r["name"]) or r["entity"]) for r in data.records(frame)}
    order = [names[e] for e in names]
    fig = go.Figure()
    if not checks.empty:
        checks = checks.assign(status=checks["status"].fillna("unknown"))
        for status, part in checks.groupby("status", sort=True):
            hover = [f"{names.get(str(e), plot_text(e))}<br>{plot_text(status)} · {plot_text(c or '')}"
                     f"{' · HTTP ' + str(_int(h)) if _int(h) is not None else ''}"
                     f"{'<br>→ ' + plot_text(f) if _text(f) and status == 'moved' else ''}"
                     for e, c, h, f in zip(part["entity"], part["change"], part["http_status"],
                                           part["final_url"])]
            fig.add_trace(go.Scatter(
                x=to_datetime(part["observed_at"]), y=[names.get(str(e), plot_text(e)) for e in part["entity"]],
                mode="markers", name=plot_text(status).replace("_", " "),
                marker=dict(size=12, color=STATUS_COLOURS.get(str(status), NEUTRAL), line=dict(width=1, color="#fff"),
                            symbol="x" if status in data.WATCH_DOWN else "circle"),
                text=hover, hovertemplate="%{text}<br>%{x}<extra></extra>"))
    fig.update_layout(height=140 + 38 * max(1, len(order)), margin=dict(l=10, r=20, t=10, b=30),
                      plot_bgcolor="#fff", paper_bgcolor="#fff", legend=dict(orientation="h", y=1.12),
                      xaxis=dict(type="date", gridcolor="#eef1f5"),
                      # every watched entity gets its row, also one not checked yet (top to bottom)
                      yaxis=dict(automargin=True, type="category", categoryorder="array", categoryarray=order,
                                 range=[len(order) - 0.5, -0.5], tickmode="array", tickvals=order, ticktext=order))
    return fig


def _changes(changes: pd.DataFrame, members: set[str]) -> html.Div:
    if changes.empty:
        return empty("No changes seen yet: every check so far found the same as the one before.")
    items = []
    for row in data.records(changes):
        entity = _text(row.get("entity")) or ""
        final, detail = _text(row.get("final_url")), _text(row.get("detail"))
        parts = [html.Span(iso(row.get("observed_at")) or "", className="muted", style=MONO), " ",
                 dcc.Link(_text(row.get("name")) or entity, href=href(entity), className="watch-entity",
                          title=entity, style={"fontWeight": "600"}), " ",
                 badge(row.get("change"), CHANGE_COLOURS, "change")]
        if _text(row.get("status")) != _text(row.get("change")):
            parts.extend([" ", badge(row.get("status"))])
        http = _int(row.get("http_status"))
        if http is not None:
            parts.append(html.Span(f" HTTP {http}", className="muted"))
        if _text(row.get("status")) == "moved":
            parts.extend([" → ", html.Span(final or "?", style=MONO)])
            successor = _text(row.get("successor"))
            if successor:
                parts.extend([" on ", dcc.Link(_text(row.get("successor_name")) or successor, href=href(successor),
                                               className="successor-link", title=f"evidence about {successor}")])
            link = _lineage_link(entity, successor, members)
            if link is not None:
                parts.extend([" · ", link])
        elif detail:
            parts.extend([" ", html.Span(detail, className="muted")])
        items.append(html.Li(parts, className="watch-change", **{"data-change": _text(row.get("change")) or ""},
                             style={"padding": "5px 0", "borderBottom": "1px solid #eef1f5"}))
    return html.Ul(items, id=ids.WATCH_CHANGES, style={"listStyle": "none", "paddingLeft": "0", "margin": "0"})


def _short_sha(value) -> html.Span:
    sha = _text(value)
    if sha is None:
        return html.Span("—", className="muted")
    return html.Span(sha[:12] + ("…" if len(sha) > 12 else ""), title=sha, className="sha", style=MONO)


def _record(row: dict):
    warc, offset = _text(row.get("warc_file")), _int(row.get("warc_offset"))
    if warc is None:
        return html.Span("—", className="muted")
    return html.Span(f"{warc}@{offset}" if offset is not None else warc, className="warc-record", style=MONO)


def evidence_view(ctx, uid: str, frame: pd.DataFrame) -> html.Section:
    named = frame[frame["entity"] == uid] if not frame.empty else frame
    name = _text(named.iloc[0]["name"]) if not named.empty else None
    found = data.evidence(ctx.store, uid)
    # The newest rows only: Dash draws a page in time quadratic in its components (seven
    # seconds for a site's 73 rows here); its entity page lists every capture.
    items = found.head(EVIDENCE_ROWS)
    if items.empty:
        body = empty("No observations or captures of this entity in the store.")
    else:
        rows = []
        for row in data.records(items):
            rows.append([
                html.Span(iso(row.get("time"), seconds=True) or "—", style=MONO),
                html.Span(_text(row.get("kind")) or "", className=f"kind-{_text(row.get('kind'))}"),
                html.Span(_text(row.get("url")) or "—", style=MONO),
                str(_int(row.get("http_status"))) if _int(row.get("http_status")) is not None else "—",
                badge(row.get("status")),
                html.Div([badge(row.get("change"), CHANGE_COLOURS, "change") if _text(row.get("change")) else None,
                          html.Div(_text(row.get("final_url")), style=MONO)
                          if _text(row.get("final_url")) and _text(row.get("final_url")) != _text(row.get("url"))
                          else None,
                          html.Div(_text(row.get("detail")), className="muted")
                          if _text(row.get("detail")) else None]),
                _short_sha(row.get("content_sha256")),
                _record(row),
                _text(row.get("source")) or "—",
            ])
        body = _grid(ids.WATCH_EVIDENCE_TABLE, ["Time (UTC)", "Kind", "URL", "HTTP", "Status", "Change / detail",
                                                "sha256", "File@offset", "Source"], rows, nowrap=(0, 1, 3, 4, 6))
    title = f"Evidence: {name}" if name and name != uid else f"Evidence: {uid}"
    title += f" (the newest {len(items)} of {len(found)})" if len(found) > len(items) else ""
    return section(title, entity_link(uid, "Its page, with every capture →", className="more-link"),
                   html.P(["Every observation of ", html.Code(uid),
                                  ", and for a site also of its URLs and its captured pages, newest first. "
                                  "File@offset is the WARC record that holds the response."], className="note"),
                   body, dcc.Link("← all watched", href=PATH, className="back-link"), className="watch-evidence")


def layout(ctx, params):
    frame = data.watchlist(ctx.store)
    uid = params.get("uid")
    header = page_header("Watchlist", "When did it go down, and where did it come back? Each `graphinv watch "
                         "run` checks every watched site, account and page and keeps the response in a WARC.")
    evidence = html.Div(evidence_view(ctx, uid, frame), id=ids.WATCH_EVIDENCE) if uid else None
    if frame.empty:
        return html.Div([header, section("Watched", html.Div(EMPTY_MESSAGE, className="empty", id=ids.WATCH_EMPTY)),
                         evidence])
    members = data.lineage_members(ctx.store)
    changes = data.watch_changes(ctx.store)
    checks = data.watch_checks(ctx.store)
    return html.Div([
        header,
        _summary(frame),
        evidence,
        section("Watched", _watch_table(frame, members, uid),
                note="Click a name for its evidence. “Came back as”: the site the last check was redirected to, "
                     "and its lineage when the analysis tied the two."),
        section("Checks over time",
                dcc.Graph(id=ids.WATCH_TIMELINE, figure=_timeline(frame, checks), config={"displaylogo": False}),
                note="One row per watched entity, one marker per check, coloured by the status seen (× = down)."),
        section("Changes", _changes(changes, members),
                note="Checks that saw something new (taken down, moved, back, content changed, unreachable), "
                     "newest first."),
    ])
