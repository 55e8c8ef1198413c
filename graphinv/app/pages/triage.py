"""Triage: the open reports, most urgent first, each with its reasons and their weights
(:mod:`graphinv.triage`, the queue `graphinv triage` prints).

Filters are links (``/triage?reason=bank_match&platform=twitter&show=all``): by reason,
by platform, open reports only or every report with its decision. Each row links the
report and its item to their pages, the capture taken at intake, the item's author and
the campaigns and Targets its reasons name. Reviewers decide with
``graphinv triage decide``; the page shows the store as it was when the app started.

Captured text (the item's words, URLs) reaches Dash only as plain strings.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
from dash import dcc, html

from ... import triage as tri
from ..layout import empty, iso, page_header, section
from ..links import capture_link, entity_href, entity_link
from ..memo import memoised

PATH = "/triage"
TITLE = "Triage"
ROWS = 100  # rows drawn; the rest are counted (the app's renderer slows with the square of components)
EMPTY_MESSAGE = "No report yet: `graphinv ingest reports.csv` or `graphinv report add URL`, then `graphinv triage`"
REASON_COLOURS = {"threat_to_life": "#b71c1c", "call_to_violence": "#d84315", "bank_match": "#6a1b9a",
                  "campaign_against_target": "#c62828", "author_in_campaign": "#ef6c00",
                  "target_under_attack": "#ad1457", "recreated_account": "#4527a0", "site_lineage": "#283593",
                  "near_duplicate_actioned": "#00695c", "near_duplicate_removed": "#00838f",
                  "near_duplicate_reported": "#546e7a", "near_duplicate_not_illegal": "#9e9e9e",
                  "spread": "#1565c0", "reporters": "#5d4037"}


@memoised
def queue(store) -> pd.DataFrame:
    """Every report, open or decided, ranked (read once per app start on a read-only store)."""
    return tri.triage(store, include_closed=True)


def href(**params) -> str:
    kept = {k: v for k, v in params.items() if v}
    return PATH + ("?" + urlencode(kept) if kept else "")


def _chips(label: str, key: str, options: list[tuple[str, int]], params: dict) -> html.Div:
    current = params.get(key)
    chips = [dcc.Link("all", href=href(**{**params, key: None}), className="chip chip-strong" if not current
                      else "chip", id=f"triage-{key}-all")]
    for value, count in options:
        chips.append(dcc.Link(f"{value.replace('_', ' ')} {count}", href=href(**{**params, key: value}),
                              className="chip chip-strong" if current == value else "chip",
                              id=f"triage-{key}-{value}"))
    return html.Div(className="chips", children=[html.Span(label, className="legend-title"), *chips])


def _reasons(reasons: list[dict]) -> html.Ul | str:
    if not reasons:
        return "no reason found"
    return html.Ul(className="triage-reasons", children=[
        html.Li(className="triage-reason", **{"data-reason": r["reason"]}, children=[
            html.Span(f"{r['weight']:+g}", className="badge triage-weight",
                      style={"backgroundColor": REASON_COLOURS.get(r["reason"], "#607d8b")}),
            " " + r["why"]]) for r in reasons])


def _links(row: dict) -> list:
    """The evidence a row rests on, as links: capture, author, campaigns and Targets of its reasons."""
    out = []
    if isinstance(row.get("capture"), str) and row["capture"]:
        out.append(capture_link(row["capture"], "capture"))
    if isinstance(row.get("author"), str) and row["author"] and row["author"] != row.get("entity"):
        out.append(entity_link(row["author"], "author"))
    seen = set()
    for reason in row.get("reasons") or []:
        evidence = reason.get("evidence") or {}
        for uid in evidence.get("campaigns") or []:
            if uid not in seen:
                seen.add(uid)
                out.append(dcc.Link(uid, href=entity_href(uid), className="entity-link"))
        for target in evidence.get("targets") or []:
            uid = target.get("target") if isinstance(target, dict) else None
            if uid and uid not in seen:
                seen.add(uid)
                out.append(entity_link(uid, target.get("name") or uid))
        for match in evidence.get("matches") or []:
            if match["media"] not in seen:
                seen.add(match["media"])
                out.append(entity_link(match["media"], "matched image"))
    return [x for link in out for x in (link, " ")][:-1] or ["—"]


def _row(row: dict) -> html.Tr:
    item = row.get("url") if isinstance(row.get("url"), str) and row.get("url") else row["entity"]
    decided = (f"{row['decision']} by {row['decided_by']}, {iso(row['decided_at'])}"
               if isinstance(row.get("decision"), str) else "open")
    return html.Tr(className="triage-row", **{"data-report": row["report"]}, children=[
        html.Td(str(row["rank"]), className="nowrap"),
        html.Td(f"{row['score']:g}", className="nowrap triage-score"),
        html.Td([entity_link(row["report"], row["report"].removeprefix("report:")),
                 html.Div(decided, className="muted")], className="nowrap"),
        html.Td(entity_link(row["entity"], item, className="entity-link triage-item"), className="wide"),
        html.Td(str(row.get("platform") or "—"), className="nowrap"),
        html.Td(iso(row.get("reported_at")) or "—", className="nowrap"),
        html.Td(_reasons(row.get("reasons") or []), className="wide"),
        html.Td(_links(row), className="wide")])


def layout(ctx, params):
    table = queue(ctx.store)
    header = page_header("Triage", "Reports ranked by what the network says about them: each reason with its "
                                   "weight (graphinv/triage.yaml) and its evidence. Decide with "
                                   "`graphinv triage decide REPORT --decision … --by NAME`.")
    if table.empty:
        return html.Div([header, section("Queue", empty(EMPTY_MESSAGE), className="triage-empty")])
    show_all = params.get("show") == "all"
    shown = table if show_all else table[table["decision"].isna()]
    shown = shown.assign(rank=range(1, len(shown) + 1))  # the place in this queue (open, or all)
    counts = pd.Series([r["reason"] for rs in shown["reasons"] for r in rs], dtype=object).value_counts()
    platforms = shown["platform"].fillna("unknown").value_counts()
    reason, platform = params.get("reason"), params.get("platform")
    if reason:
        shown = shown[[any(r["reason"] == reason for r in rs) for rs in shown["reasons"]]]
    if platform:
        shown = shown[shown["platform"].fillna("unknown") == platform]
    status = html.Div(className="chips", children=[
        html.Span("Status", className="legend-title"),
        dcc.Link(f"open {int(table['decision'].isna().sum())}", href=href(**{**params, "show": None}),
                 className="chip" if show_all else "chip chip-strong", id="triage-show-open"),
        dcc.Link(f"decided too {len(table)}", href=href(**{**params, "show": "all"}),
                 className="chip chip-strong" if show_all else "chip", id="triage-show-all")])
    filters = html.Div(id="triage-filters", children=[
        status,
        _chips("Reason", "reason", [(k, int(v)) for k, v in counts.items()], params),
        _chips("Platform", "platform", [(k, int(v)) for k, v in platforms.items()], params)])
    open_count = int(table["decision"].isna().sum())
    title = (f"{len(shown)} of {open_count} open reports" if not show_all else
             f"{len(shown)} of {len(table)} reports, {len(table) - open_count} decided")
    if shown.empty:
        body = empty("No report matches these filters.")
    else:
        rows = [_row(row) for row in shown.head(ROWS).to_dict("records")]
        body = html.Div(className="grid-wrap", children=html.Table(id="triage-table", className="grid triage-grid",
                                                                   children=[
            html.Thead(html.Tr([html.Th(h) for h in ("#", "score", "report", "item", "platform", "reported",
                                                     "reasons (weight)", "evidence")])),
            html.Tbody(rows)]))
    more = (html.P(f"The first {ROWS} are shown; `graphinv triage --csv` writes them all.", className="note")
            if len(shown) > ROWS else None)
    return html.Div([header, section("Filters", filters), section(title, body, more, className="triage-queue")])

