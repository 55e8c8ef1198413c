"""Where each thing of the store has its page: one stable URL per entity, capture and
comparison, and the links and click handlers the pages use to reach them.

>>> entity_href("account:twitter:x")
'/entity?uid=account%3Atwitter%3Ax'
>>> capture_href("capture:ab:12"), replay_href("capture:ab:12")
('/capture?uid=capture%3Aab%3A12', '/replay/capture%3Aab%3A12')
>>> explore_href("site:example.org")
'/explorer?uid=site%3Aexample.org'
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import quote, urlencode

from dash import dcc, html

ENTITY_PATH = "/entity"
CAPTURE_PATH = "/capture"
COMPARE_PATH = "/compare"
EXPLORER_PATH = "/explorer"
REPLAY_PREFIX = "/replay/"


def entity_href(uid: str) -> str:
    """The page of any node by uid; a campaign has its own page."""
    if str(uid).startswith("campaign:"):
        return "/campaign?uid=" + quote(str(uid), safe="")
    return f"{ENTITY_PATH}?uid={quote(str(uid), safe='')}"


def explore_href(uid: str) -> str:
    """The Explorer opened on ``uid``'s neighbourhood."""
    return f"{EXPLORER_PATH}?uid={quote(str(uid), safe='')}"


def capture_href(uid: str) -> str:
    return f"{CAPTURE_PATH}?uid={quote(str(uid), safe='')}"


def replay_href(uid: str) -> str:
    """The captured bytes themselves, served sandboxed (see :mod:`graphinv.app.replay`)."""
    return REPLAY_PREFIX + quote(str(uid), safe="")


def compare_href(left: str, right: str) -> str:
    """Two sites or two pages side by side."""
    return f"{COMPARE_PATH}?{urlencode({'left': left, 'right': right})}"


def entity_link(uid, text=None, className: str = "entity-link") -> dcc.Link | html.Span:
    """A link to ``uid``'s page showing ``text`` (captured text stays a plain string)."""
    if uid is None or uid != uid or uid == "":
        return html.Span("—", className="muted")
    label = str(text) if text is not None and text == text and text != "" else str(uid)
    return dcc.Link(label, href=entity_href(str(uid)), className=className, title=str(uid))


def capture_link(uid, text: str = "capture") -> dcc.Link | html.Span:
    if not isinstance(uid, str) or not uid:
        return html.Span("—", className="muted")
    return dcc.Link(text, href=capture_href(uid), className="capture-link", title=uid)


def open_on_click(app, table_id: str, href_of: Callable[[dict, str], str | None]) -> None:
    """Clicking a cell of the DataTable ``table_id`` opens ``href_of(row, column)`` (no
    navigation when it returns None): how a row of a table leads to its page."""
    import dash
    from dash import Input, Output, State

    from . import ids

    @app.callback(Output(ids.URL, "href", allow_duplicate=True), Input(table_id, "active_cell"),
                  State(table_id, "derived_viewport_data"), prevent_initial_call=True)
    def _open(cell, rows):
        if not cell or not rows or cell.get("row", -1) >= len(rows):
            return dash.no_update
        href = href_of(rows[cell["row"]], cell.get("column_id") or "")
        return href or dash.no_update


def thumbnail(capture: str | None, alt: str, className: str = "thumb") -> html.Component:
    """An image shown from the capture holding it (served sandboxed by /replay)."""
    if not capture:
        return html.Span("image not captured", className="muted thumb-missing")
    return dcc.Link(html.Img(src=replay_href(capture), alt=alt, className=className),
                    href=capture_href(capture), title="open the capture of this image")
