"""Two captured pages side by side: ``/compare?left=…&right=…`` with two posts or pages
(an article and its republished copy), or two sites (each shown by its most recently
captured page, its home page when it has one).

The texts are shown with the passages they share highlighted (runs of at least
``MIN_WORDS`` words in the same order), and both captured pages replayed below them,
sandboxed like every replay.
"""

from __future__ import annotations

from dash import dcc, html

from .. import entity_data, ids
from ..layout import empty, page_header, section
from ..links import capture_href, entity_link
from .capture import frame

PATH = "/compare"
TITLE = "Side by side"
MIN_WORDS = 6


def _marked(runs: list[tuple[str, bool]]) -> html.Div:
    return html.Div([html.Mark(t + " ", className="shared") if shared else html.Span(t + " ")
                     for t, shared in runs], className="compare-text")


def _column(page: dict | None, asked: str, runs) -> html.Div:
    if page is None:
        return html.Div([html.H3(asked), empty("No captured page of this in the store.")], className="compare-col")
    share = entity_data.share_of_shared(runs)
    return html.Div(className="compare-col", children=[
        html.H3(entity_link(page["uid"], entity_data.short(page["title"], 100))),
        html.P([html.Span(str(page.get("url") or ""), className="mono"), " · ",
                dcc.Link("capture", href=capture_href(page["capture"])) if page.get("capture") else "not captured",
                f" · {share:.0%} of its words shared"], className="note"),
        _marked(runs),
    ])


def _frame_column(page: dict | None, frame_id: str) -> html.Div:
    if not page or not page.get("capture"):
        return html.Div(empty("No capture to replay."), className="compare-col")
    return html.Div(frame(page["capture"], f"captured page of {page['uid']}", frame_id), className="compare-col")


def layout(ctx, params):
    left_uid, right_uid = (params.get("left") or "").strip(), (params.get("right") or "").strip()
    if not left_uid or not right_uid:
        return html.Div([page_header("Side by side", "Give two pages or sites: /compare?left=…&right=…")])
    left, right = entity_data.page_of(ctx.store, left_uid), entity_data.page_of(ctx.store, right_uid)
    runs_left, runs_right = entity_data.shared_passages((left or {}).get("text", ""), (right or {}).get("text", ""),
                                                        MIN_WORDS)
    return html.Div(id=ids.COMPARE_PAGE, className="compare-page", children=[
        page_header("Side by side", f"{left_uid} and {right_uid}"),
        section("Their text, shared passages highlighted", html.Div(className="compare", children=[
            _column(left, left_uid, runs_left),
            _column(right, right_uid, runs_right)]),
            note=f"Highlighted: runs of {MIN_WORDS} or more words that appear in the same order in both."),
        section("The captured pages", html.Div(className="compare", children=[
            _frame_column(left, ids.COMPARE_LEFT_FRAME), _frame_column(right, ids.COMPARE_RIGHT_FRAME)]),
            note="Each replayed from its capture with scripts off; nothing is loaded from the web."),
    ])
