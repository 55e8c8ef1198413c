"""Bar charts as plain HTML: counts per time bucket stacked by series (the overview's
activity) and shares as horizontal bars with their figures (its takedown compliance).

As with :mod:`graphinv.app.strips`, these replace plotly figures that were only to
be looked at: one component per bar (a stacked bar is one element whose background
is cut into its series), hover text in ``title``, sizes in percent so a phone draws
the same chart narrower.

>>> frame = pd.DataFrame({"bucket": [0, 0, 86400], "series": ["a", "b", "a"], "n": [3, 1, 2]})
>>> stacks(frame, {"a": "#111", "b": "#222"})[0]["background"]
'linear-gradient(to top, #111 0.00% 75.00%, #222 75.00% 100.00%)'
>>> bulk(pd.Series([10, 10, 10, 10, 1], index=[0, 1, 2, 3, 100]), 0.95)  # not the stray 100
(0, 3)
"""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
from dash import html

from .layout import legend
from .strips import axis


def bulk(per_bucket: pd.Series, share: float = 0.99) -> tuple[int, int]:
    """The first and last bucket of the span holding ``share`` of the items (a few
    stray timestamps, a page dated years off, would squash the chart)."""
    cumulative = per_bucket.sort_index().cumsum() / max(1, per_bucket.sum())
    tail = (1 - share) / 2
    return (int(cumulative.index[(cumulative >= tail).argmax()]),
            int(cumulative.index[(cumulative >= 1 - tail).argmax()]))


def stacks(frame: pd.DataFrame, colours: dict[str, str]) -> list[dict]:
    """Per bucket (in order): its ``bucket``, ``total``, ``parts`` {series: n} and the
    CSS ``background`` stacking the series bottom up in their colours."""
    out = []
    for bucket, part in frame.groupby("bucket", sort=True):
        parts = part.groupby("series", sort=True)["n"].sum()
        total, low, stops = int(parts.sum()), 0.0, []
        for series, n in parts.items():
            high = low + 100.0 * n / total if total else low
            stops.append(f"{colours[series]} {low:.2f}% {high:.2f}%")
            low = high
        out.append({"bucket": int(bucket), "total": total, "parts": {str(k): int(v) for k, v in parts.items()},
                    "background": f"linear-gradient(to top, {', '.join(stops)})"})
    return out


def _day(t: int, bucket: int) -> str:
    moment = datetime.fromtimestamp(t, tz=timezone.utc)
    return moment.strftime("%Y-%m-%d") if bucket >= 86400 else moment.strftime("%Y-%m-%d %H:%M")


def columns(id: str, frame: pd.DataFrame, colours: dict[str, str], bucket: int, unit: str) -> html.Div:
    """Stacked columns of ``frame`` (``bucket``: epoch seconds of its start, ``series``,
    ``n``) over the span holding 99% of the items; a note says what falls outside."""
    per_bucket = frame.groupby("bucket")["n"].sum()
    first, last = bulk(per_bucket)
    inside = frame[(frame["bucket"] >= first) & (frame["bucket"] <= last)]
    outside = int(per_bucket.sum() - inside["n"].sum())
    low, high = first, last + bucket
    bars = stacks(inside, colours)
    peak = max((b["total"] for b in bars), default=1) or 1
    drawn = [html.Div(className="bar-col", title=f"{_day(b['bucket'], bucket)}: {b['total']:,} ("
                      + ", ".join(f"{n:,} {s}" for s, n in b["parts"].items()) + ")",
                      style={"left": f"{100 * (b['bucket'] - low) / (high - low):.2f}%",
                             "width": f"{100 * bucket / (high - low):.2f}%",
                             "height": f"{100 * b['total'] / peak:.2f}%", "background": b["background"]})
             for b in bars]
    note = (f"{outside:,} items dated outside this span are not drawn." if outside else "")
    return html.Div(id=id, className="bar-chart", children=[
        legend("", sorted(colours.items())),
        html.Div([html.Span(f"{peak:,} {unit}", className="bar-peak"), *drawn], className="bar-plot"),
        html.Div(axis(low, high), className="strip-axis bar-axis"),
        html.P(note, className="note") if note else None,
    ])


def shares(id: str, rows: list[tuple[str, float | None, str]]) -> html.Div:
    """One horizontal bar per ``(label, share, text)``: its length the share (0–1;
    None: not known), the text written on it; a label may hold a line break."""
    drawn = []
    for label, value, text in rows:
        known = value is not None and value == value
        drawn += [html.Span(label, className="share-label"),
                  html.Div(text, className="share-bar" + ("" if known else " share-unknown"),
                           style={"width": f"{100 * value:.1f}%" if known else "0"})]
    return html.Div(drawn, id=id, className="share-chart")
