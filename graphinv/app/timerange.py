"""One time range per page, in its URL (``?from=2024-03-01&to=2024-03-01T02:00``), that
filters the page's graph, tables and timeline together; a link keeps it.

The control is two ISO text fields (a day, or a day and a time, UTC: never the
browser's month/day/year) and two buttons; a time on a page's timeline links to its
span (:func:`link`). Pages read it with :func:`from_params` and keep rows with
:func:`within`.

>>> span = from_params({"from": "2024-03-01", "to": "2024-03-01T02:00"})
>>> span.since, span.until, span.label
(1709251200, 1709258459, '2024-03-01 00:00Z → 2024-03-01 02:00Z')
>>> from_params({}).active
False
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode

import dash
import pandas as pd
from dash import Input, Output, State, dcc, html

from ..normalize import to_epoch
from . import ids

OPEN_START, OPEN_END = 0, 2**62
HOW = "a day, or a day and a time in UTC: 2024-03-01 or 2024-03-01T14:30"


@dataclass(frozen=True)
class Span:
    since: int = OPEN_START
    until: int = OPEN_END
    given: tuple[str, str] = ("", "")

    @property
    def active(self) -> bool:
        return self.since > OPEN_START or self.until < OPEN_END

    @property
    def label(self) -> str:
        def show(t, open_text):
            if t in (OPEN_START, OPEN_END):
                return open_text
            return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%d %H:%M") + "Z"
        return f"{show(self.since, 'the start')} → {show(self.until, 'the end')}"


ALL_TIME = Span()


def parse(text: str | None, end: bool = False) -> int | None:
    """``2024-03-01`` or ``2024-03-01T02:00`` (or with a space, seconds, a Z) as epoch
    seconds, UTC (read by :func:`graphinv.normalize.to_epoch`); with ``end``, a day's
    or a minute's last second. None when empty or unreadable."""
    text = (text or "").strip()
    seconds = to_epoch(text) if text else None
    if seconds is None or not end:
        return seconds
    if len(text.rstrip("Zz")) <= 10:
        return seconds + 86399
    return seconds + (59 if text.count(":") == 1 else 0)


def from_params(params: dict) -> Span:
    given = (params.get("from") or "", params.get("to") or "")
    since, until = parse(given[0]), parse(given[1], end=True)
    return Span(OPEN_START if since is None else since, OPEN_END if until is None else until, given)


def within(frame: pd.DataFrame, span: Span, column: str = "time") -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` (epoch seconds) is in ``span``; rows
    without a time are kept only when no range is set."""
    if not span.active or frame.empty or column not in frame.columns:
        return frame
    times = pd.to_numeric(frame[column], errors="coerce")
    return frame[(times >= span.since) & (times <= span.until)]


def control(span: Span, note: str = "") -> html.Div:
    """The page's time range: from, to, Apply, All time."""
    return html.Div(className="time-range", id=ids.TIME_RANGE, children=[
        html.Label("Time (UTC)", className="export-label", title=HOW, htmlFor=ids.TIME_FROM),
        dcc.Input(id=ids.TIME_FROM, type="text", value=span.given[0], placeholder="from YYYY-MM-DD",
                  className="input time-input", debounce=True),
        html.Span("→"),
        dcc.Input(id=ids.TIME_TO, type="text", value=span.given[1], placeholder="to YYYY-MM-DD",
                  className="input time-input", debounce=True),
        html.Button("Apply", id=ids.TIME_APPLY, className="btn btn-small", n_clicks=0),
        html.Button("All time", id=ids.TIME_CLEAR, className="btn btn-small", n_clicks=0, disabled=not span.active),
        html.Span(f"showing {span.label}" if span.active else note, className="note time-note"),
    ])


def _search_with(search: str | None, since: str, until: str) -> str:
    params = [(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k not in ("from", "to")]
    params += [(k, v) for k, v in (("from", since), ("to", until)) if v]
    return "?" + urlencode(params)


def link(href: str, since: int, until: int) -> str:
    """``href`` (a page and its query) narrowed to ``[since, until)``, to the minute.

    >>> link("/campaign?uid=c&from=2020-01-01", 1709251200, 1709254800)
    '/campaign?uid=c&from=2024-03-01T00%3A00&to=2024-03-01T00%3A59'
    """
    path, _, query = href.partition("?")
    minute = "%Y-%m-%dT%H:%M"
    return path + _search_with(query, datetime.fromtimestamp(since, tz=timezone.utc).strftime(minute),
                               datetime.fromtimestamp(until - 60, tz=timezone.utc).strftime(minute))


def register(app) -> None:
    """Apply and All time write the range into the page's URL."""

    @app.callback(Output(ids.URL, "search", allow_duplicate=True), Input(ids.TIME_APPLY, "n_clicks"),
                  Input(ids.TIME_FROM, "n_submit"), Input(ids.TIME_TO, "n_submit"), Input(ids.TIME_CLEAR, "n_clicks"),
                  State(ids.TIME_FROM, "value"), State(ids.TIME_TO, "value"), State(ids.URL, "search"),
                  prevent_initial_call=True)
    def _apply(_apply, _s1, _s2, _clear, since, until, search):
        if not (dash.ctx.triggered and dash.ctx.triggered[0]["value"]):
            return dash.no_update
        if dash.ctx.triggered_id == ids.TIME_CLEAR:
            return _search_with(search, "", "")
        return _search_with(search, (since or "").strip(), (until or "").strip())
