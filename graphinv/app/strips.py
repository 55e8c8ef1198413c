"""Time strips: rows (a member, a generation, a watched site) of marks on one time axis,
drawn as plain HTML positioned in percent of the row's width.

Why not plotly: a page with a plotly figure pays ~1 s for loading and drawing
plotly.js, and these figures were only dots and bars to look at. A strip is a few
components per row (Dash's renderer slows with the square of their number), keeps its
hover text as ``title`` attributes, and fits any width: a phone draws the same strip
narrower. Row labels are links; the axis's times can be links too (``narrow``), which
is how a page's time range is set from its timeline.

>>> marks = [Mark("a", 0, colour="#f00", title="first"), Mark("b", 3600, 7200, shape="bar")]
>>> ticks(0, 7200)[:3]
[(0, '1970-01-01 00:00'), (1800, '00:30'), (3600, '01:00')]
>>> place(marks, *domain(marks))[1]
{'left': '50.00%', 'width': '47.17%'}
>>> len(merged([Mark("a", t) for t in range(0, 7200, 10)], 0, 7200, limit=10))  # one per 72 s
100
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable, Iterable

from dash import dcc, html

from .layout import legend

# Steps between axis times, seconds: the smallest that gives at most MAX_TICKS ticks.
STEPS = (60, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400,
         7 * 86400, 14 * 86400, 30 * 86400, 91 * 86400, 182 * 86400, 365 * 86400)
MAX_TICKS = 6
PAD = 0.03  # of the span, each side: no mark sits on the edge of a row
ROW_PX, ROW_PX_TALL = 21, 41  # a row's height in app.css, its border included
MARK_LIMIT = 400  # more point marks than this and near ones of a row merge (the renderer's cost)


@dataclass(frozen=True)
class Mark:
    """One mark on a row: a point at ``start`` (``shape`` dot or cross), or a bar or a
    dotted gap from ``start`` to ``end``; ``title`` is its hover text, ``label`` the
    text a gap shows above its line."""

    row: str
    start: int
    end: int | None = None
    colour: str = "#4e79a7"
    title: str = ""
    shape: str = "dot"
    label: str = ""


def domain(marks: Iterable[Mark]) -> tuple[float, float]:
    """The time span the strip shows: the marks' span with a margin each side (an hour
    each side of a single moment)."""
    times = [t for m in marks for t in (m.start, m.end) if t is not None]
    if not times:
        return 0.0, 1.0
    low, high = min(times), max(times)
    pad = (high - low) * PAD if high > low else 3600
    return low - pad, high + pad


def ticks(low: float, high: float) -> list[tuple[int, str]]:
    """Round times inside ``[low, high]`` and their labels (ISO, UTC), at most
    MAX_TICKS; a label repeats the day only when it changes."""
    span = max(high - low, 1)
    step = next((s for s in STEPS if span / s <= MAX_TICKS), STEPS[-1] * (int(span // (STEPS[-1] * MAX_TICKS)) + 1))
    first = int(-(-low // step) * step)
    out, day = [], None
    for t in range(first, int(high) + 1, step):
        moment = datetime.fromtimestamp(t, tz=timezone.utc)
        if step >= 86400:
            text = moment.strftime("%Y-%m-%d")
        elif day is None:
            text = moment.strftime("%Y-%m-%d %H:%M")
        else:
            text = moment.strftime("%H:%M" if moment.date() == day else "%m-%d %H:%M")
        day = moment.date()
        out.append((t, text))
    return out


def _percent(t: float, low: float, high: float) -> float:
    return 100.0 * (t - low) / (high - low)


def place(marks: list[Mark], low: float, high: float) -> list[dict]:
    """Each mark's CSS position: ``left`` (and ``width`` for a bar or a gap), in percent."""
    out = []
    for m in marks:
        where = {"left": f"{_percent(m.start, low, high):.2f}%"}
        if m.end is not None:
            where["width"] = f"{max(_percent(m.end, low, high) - _percent(m.start, low, high), 0.0):.2f}%"
        out.append(where)
    return out


def merged(marks: list[Mark], low: float, high: float, limit: int = MARK_LIMIT) -> list[Mark]:
    """``marks``, with the points of a row that fall in the same hundredth of the span
    and have the same colour and shape drawn as one (its title says how many), when
    there are more than ``limit``."""
    points = [m for m in marks if m.end is None]
    if len(points) <= limit:
        return marks
    width = (high - low) / 100
    groups: dict[tuple, list[Mark]] = {}
    for m in points:
        groups.setdefault((m.row, int((m.start - low) // width), m.colour, m.shape), []).append(m)
    out = [m for m in marks if m.end is not None]
    for group in groups.values():
        first = group[0]
        out.append(first if len(group) == 1 else replace(first, title=f"{len(group)} marks, the first: {first.title}"))
    return out


def axis(low: float, high: float, narrow: Callable[[int, int], str] | None = None) -> list:
    """The axis times of ``[low, high]`` placed in percent, as text, or with ``narrow``
    as links to the span from each to the next."""
    times = ticks(low, high)
    out = []
    for i, (t, text) in enumerate(times):
        where = _percent(t, low, high)
        # labels near an edge hang inside the chart instead of out of the card
        edge = " tick-start" if where < 8 else " tick-end" if where > 92 else ""
        style = {"left": f"{where:.2f}%"}
        if narrow is not None:
            until = times[i + 1][0] if i + 1 < len(times) else int(high)
            out.append(dcc.Link(text, href=narrow(t, until), className="strip-tick" + edge, style=style,
                                title="show only this span"))
        else:
            out.append(html.Span(text, className="strip-tick" + edge, style=style))
    return out


def strip(id: str, rows: list[tuple[str, str, str | None]], marks: list[Mark],
          legend_items: Iterable[tuple[str, str]] = (), legend_title: str = "",
          narrow: Callable[[int, int], str] | None = None, tall: bool = False) -> html.Div:
    """The strip ``id``: one row per ``(key, label, href)`` in that order (the label a
    link to ``href`` unless it is None), the marks whose ``row`` is a key, the axis
    above them and a legend of ``(name, colour)``. With ``narrow(since, until) -> href`` each
    axis time links to the span from it to the next one. ``tall`` rows leave room for
    a gap's label."""
    low, high = domain(marks)
    keys = {key for key, _, _ in rows}
    shown = merged([m for m in marks if m.row in keys], low, high)
    by_row: dict[str, list] = {key: [] for key in keys}
    for mark, where in zip(shown, place(shown, low, high)):
        by_row[mark.row].append(html.Div(
            className=f"strip-mark strip-{mark.shape}", title=mark.title, **({"data-label": mark.label} if mark.label
                                                                              else {}),
            style={**where, ("borderTopColor" if mark.shape == "gap" else
                             "color" if mark.shape == "cross" else "backgroundColor"): mark.colour}))
    # Each axis time draws its grid line down through the rows (app.css), this long.
    lines = {"--strip-rows": f"{len(rows) * (ROW_PX_TALL if tall else ROW_PX)}px"}
    body = [html.Span("UTC", className="strip-corner"),
            html.Div(axis(low, high, narrow) if shown else [], className="strip-axis", style=lines)]
    for key, label, href in rows:
        # the label itself is the grid cell: no wrapper (each component costs)
        body.append(dcc.Link(label, href=href, className="strip-label", title=f"{label} ({key})") if href
                    else html.Span(label, className="strip-label", title=label))
        body.append(html.Div(by_row[key], className="strip-track"))
    items = list(legend_items)
    return html.Div([
        legend(legend_title, items) if items else None,
        html.Div(body, className="strip" + (" strip-tall" if tall else "")),
    ], id=id, className="strip-panel")
