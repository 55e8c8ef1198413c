"""Watchlist: the sites, accounts and pages `graphinv watch run` re-checks, for the
question "when did it go down, and where did it come back?".

The page shows a summary (how many are watched, down, moved; the last run), the
watchlist with each entry's last check, every check on one time axis, the changes
newest first (a move links to the site it moved to, or to its lineage); and, for
``/watch?uid=…``, the evidence about one entity (its observations and captures with
the WARC file and offset that hold each response) with its own checks and changes.

Captured strings (handles, URLs, details) only ever reach Dash as plain text children
or attributes, which React escapes (the timeline too: :mod:`graphinv.app.strips`).
"""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
from dash import dcc, html

from ...vocabulary import STATUSES
from .. import data, ids, strips
from ..layout import empty, iso, page_header, section
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
                     **{"data-value": text}, style={"backgroundColor": colours.get(text, NEUTRAL)})


def _cell(content, className: str = "", title: str | None = None) -> html.Td:
    """A table cell holding text or a few components; its look comes from classes
    (app.css), not a span or a style per cell: Dash draws a page in time quadratic in
    its components."""
    return html.Td("—" if content is None or content == "" else content, className=className or None,
                   title=title)


def _grid(id: str, headers: list[str], body: list[list]) -> html.Div:
    """A plain HTML table of rows of cells (:func:`_cell`; text and components, never
    HTML strings)."""
    # A floor on the width (.watch-grid): on a phone the table scrolls sideways instead
    # of wrapping URLs one character per line.
    return html.Div(className="grid-wrap", children=html.Table(id=id, className="grid watch-grid", style={
        "minWidth": f"{140 * len(headers)}px"}, children=[
        html.Thead(html.Tr([html.Th(h) for h in headers])),
        html.Tbody([html.Tr(row) for row in body]),
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


def _watch_table(frame: pd.DataFrame, members: set[str]) -> html.Div:
    body = []
    for row in data.records(frame):
        entity = _text(row.get("entity")) or ""
        name = _text(row.get("name")) or entity
        note = _text(row.get("note"))
        inactive = row.get("active") is False
        final = _text(row.get("last_final_url")) or _text(row.get("last_detail"))
        body.append([
            _cell([dcc.Link(name, href=href(entity), className="watch-entity", title=entity), " ",
                   entity_link(entity, "page →", className="entity-page-link"),
                   html.Div(note, className="muted small") if note else None,
                   html.Div("paused", className="muted small") if inactive else None]),
            _cell(_text(row.get("url")), "mono"),
            _cell(iso(row.get("last_checked")) or "not yet", "nowrap"),
            _cell(badge(row.get("last_status")), "nowrap"),
            _cell(badge(row.get("last_change"), CHANGE_COLOURS, "change"), "nowrap"),
            _cell(final, "mono", title=_text(row.get("last_detail"))),
            _cell(_successor_cell(row, members)),
            _cell(str(_int(row.get("checks")) or 0)),
        ])
    return _grid(ids.WATCH_TABLE, ["Name", "URL", "Last checked (UTC)", "Status", "Change", "Final URL / detail",
                                   "Came back as", "Checks"], body)


def _timeline(frame: pd.DataFrame, checks: pd.DataFrame) -> html.Div:
    """One row per watched entity (also one not checked yet), one mark per check in the
    colour of the status seen, a cross when it was down; hover for the details."""
    names = {str(r["entity"]): _text(r["name"]) or str(r["entity"]) for r in data.records(frame)}
    rows = [(entity, name, href(entity)) for entity, name in names.items()]
    marks, seen = [], set()
    for row in data.records(checks):
        status, entity, at = _text(row.get("status")) or "unknown", str(row.get("entity")), _int(row.get("observed_at"))
        if at is None:
            continue
        http, final = _int(row.get("http_status")), _text(row.get("final_url"))
        seen.add(status)
        marks.append(strips.Mark(
            entity, at, colour=STATUS_COLOURS.get(status, NEUTRAL),
            shape="cross" if status in data.WATCH_DOWN else "dot",
            title=" · ".join(part for part in (
                names.get(entity, entity), iso(at), status.replace("_", " "), _text(row.get("change")),
                f"HTTP {http}" if http is not None else None, f"→ {final}" if final and status == "moved" else None)
                if part)))
    return strips.strip(ids.WATCH_TIMELINE, rows, marks,
                        [(s.replace("_", " "), STATUS_COLOURS.get(s, NEUTRAL)) for s in sorted(seen)], "Status")


def _changes(changes: pd.DataFrame, members: set[str]) -> html.Div:
    if changes.empty:
        return empty("No changes seen yet: every check so far found the same as the one before.")
    items = []
    for row in data.records(changes):
        entity = _text(row.get("entity")) or ""
        final, detail = _text(row.get("final_url")), _text(row.get("detail"))
        parts = [html.Span(iso(row.get("observed_at")) or "", className="muted mono"), " ",
                 dcc.Link(_text(row.get("name")) or entity, href=href(entity), className="watch-entity",
                          title=entity), " ",
                 badge(row.get("change"), CHANGE_COLOURS, "change")]
        if _text(row.get("status")) != _text(row.get("change")):
            parts.extend([" ", badge(row.get("status"))])
        http = _int(row.get("http_status"))
        if http is not None:
            parts.append(f" HTTP {http}")
        if _text(row.get("status")) == "moved":
            parts.extend([" → ", html.Span(final or "?", className="mono")])
            successor = _text(row.get("successor"))
            if successor:
                parts.extend([" on ", dcc.Link(_text(row.get("successor_name")) or successor, href=href(successor),
                                               className="successor-link", title=f"evidence about {successor}")])
            link = _lineage_link(entity, successor, members)
            if link is not None:
                parts.extend([" · ", link])
        elif detail:
            parts.extend([" ", html.Span(detail, className="muted")])
        items.append(html.Li(parts, className="watch-change", **{"data-change": _text(row.get("change")) or ""}))
    return html.Ul(items, id=ids.WATCH_CHANGES, className="watch-changes")


def _short_sha(value) -> html.Td:
    sha = _text(value)
    if sha is None:
        return _cell(None)
    return _cell(sha[:12] + ("…" if len(sha) > 12 else ""), "sha mono nowrap", title=sha)


def _record(row: dict) -> html.Td:
    warc, offset = _text(row.get("warc_file")), _int(row.get("warc_offset"))
    return _cell(f"{warc}@{offset}" if warc and offset is not None else warc, "warc-record mono")


def _change_detail(row: dict) -> list:
    """What the check saw besides the status: the change, where it was sent, the detail."""
    final, detail = _text(row.get("final_url")), _text(row.get("detail"))
    parts = [badge(row.get("change"), CHANGE_COLOURS, "change")] if _text(row.get("change")) else []
    if final and final != _text(row.get("url")):
        parts.append(f" → {final}")
    if detail:
        parts.append(f" · {detail}" if parts else detail)
    return parts


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
            http = _int(row.get("http_status"))
            rows.append([
                _cell(iso(row.get("time"), seconds=True), "mono nowrap"),
                _cell(_text(row.get("kind")), f"nowrap kind-{_text(row.get('kind'))}"),
                _cell(_text(row.get("url")), "mono"),
                _cell(str(http) if http is not None else None, "nowrap"),
                _cell(badge(row.get("status")), "nowrap"),
                _cell(_change_detail(row), "mono"),
                _short_sha(row.get("content_sha256")),
                _record(row),
                _cell(_text(row.get("source"))),
            ])
        body = _grid(ids.WATCH_EVIDENCE_TABLE, ["Time (UTC)", "Kind", "URL", "HTTP", "Status", "Change / detail",
                                                "sha256", "File@offset", "Source"], rows)
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
    if uid:
        # One entity's evidence with its own checks and changes (when it is watched): the
        # whole watchlist is a click away, and drawing it too doubled the page's
        # components (Dash's renderer slows with the square of their number).
        watched = frame[frame["entity"] == uid]
        return html.Div([header, evidence] + ([
            section("Its checks over time", _timeline(watched, checks),
                    note="One marker per check, coloured by the status seen (✕ = down); hover a marker for the "
                         "check."),
            section("Its changes", _changes(changes[changes["entity"] == uid] if not changes.empty else changes,
                                            members),
                    note="Checks that saw something new, newest first."),
        ] if not watched.empty else []))
    return html.Div([
        header,
        _summary(frame),
        section("Watched", _watch_table(frame, members),
                note="Click a name for its evidence. “Came back as”: the site the last check was redirected to, "
                     "and its lineage when the analysis tied the two."),
        section("Checks over time",
                _timeline(frame, checks),
                note="One row per watched entity, one marker per check, coloured by the status seen (✕ = down); "
                     "hover a marker for the check."),
        section("Changes", _changes(changes, members),
                note="Checks that saw something new (taken down, moved, back, content changed, unreachable), "
                     "newest first."),
    ])
