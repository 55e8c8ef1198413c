"""Search: one box (in the header of every page) that finds accounts, sites, targets,
tracking IDs, posts and more by their handle, name, domain, ID value, bio or text.

The explorer's search (:func:`graphinv.app.data.search`: case-insensitive substring,
the same Cypher on both stores, exact matches first, ``LIMIT`` hits per kind), grouped
by kind; every hit links to its page.
"""

from __future__ import annotations

from dash import dcc, html

from .. import data, ids
from ..layout import empty, iso, page_header, section
from ..links import entity_href

PATH = "/search"
TITLE = "Search"
LIMIT = 25  # hits per kind drawn; the heading says when there are more
MIN_LENGTH = 2

# How each kind is headed on the page, in this order.
HEADINGS = (("Account", "Accounts"), ("Target", "Targets"), ("Site", "Sites"), ("Identifier", "Tracking IDs"),
            ("Post", "Posts and pages"), ("Url", "URLs"), ("Hashtag", "Hashtags"), ("Campaign", "Campaigns"),
            ("Report", "Reports"), ("Media", "Images and videos"))


def search(store, text: str) -> dict[str, list[dict]]:
    """Hits per kind heading for ``text`` (the explorer's search: case-insensitive
    substring over names, bios and post text, the text a query parameter); kinds
    without hits left out."""
    q = " ".join(str(text).split())
    if len(q) < MIN_LENGTH:
        return {}
    frame = data.search(store, q, limit=LIMIT)
    return {heading: part.to_dict("records") for kind, heading in HEADINGS
            for part in [frame[frame["kind"] == kind]] if not part.empty}


def _present(value) -> bool:
    """A value worth showing: not None, not NaN (a missing cell), not empty."""
    return value is not None and value == value and value != ""


def _facts(row: dict) -> str:
    """' · detail · seen 2026-03-01 10:00Z', what is known of a hit."""
    detail = f" · {row['detail']}" if _present(row.get("detail")) else ""
    return detail + (f" · seen {iso(row['last_seen'])}" if _present(row.get("last_seen")) else "")


def _snippet(text, q: str, width: int = 160) -> str:
    """The part of ``text`` around the first match."""
    text = " ".join(str(text).split())
    at = text.lower().find(q)
    if at < 0:
        return text[:width] + ("…" if len(text) > width else "")
    start = max(0, at - width // 3)
    piece = text[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def layout(ctx, params):
    text = (params.get("q") or "").strip()
    q = " ".join(text.split()).lower()
    header = page_header("Search", "Accounts, targets, sites, tracking IDs and the text of posts and pages, "
                                   "case-insensitive.")
    if len(q) < MIN_LENGTH:
        return html.Div([header, section("Search", empty(f"Type at least {MIN_LENGTH} characters in the box "
                                                         "at the top of the page."))])
    found = search(ctx.store, text)
    if not found:
        return html.Div([header, html.Div(id=ids.SEARCH_RESULTS, children=[
            section(f"Nothing found for “{text}”", empty("No account, target, site, ID or post holds that text."))])])
    sections = []
    for label, rows in found.items():
        # Few components per hit: the app's renderer slows with the square of their number.
        items = [html.Li(className="search-hit", children=[
            dcc.Link(str(row.get("name") or row["uid"]), href=entity_href(row["uid"]), className="search-name"),
            html.Span(_facts(row), className="muted"),
            html.Div(_snippet(row["text"], q), className="search-snippet") if _present(row.get("text")) else None,
        ]) for row in rows]
        more = " (the first {LIMIT}; narrow the search)".format(LIMIT=LIMIT) if len(rows) >= LIMIT else ""
        sections.append(section(f"{label}: {len(rows)}{more}", html.Ul(items, className="search-hits")))
    return html.Div([header, html.Div(id=ids.SEARCH_RESULTS, children=sections)])
