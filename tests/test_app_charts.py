"""The app's charts drawn as HTML (graphinv.app.strips and bars) instead of plotly: what
each page's timeline holds, on the fixture graph and on both stores, so a change that
drops a mark, a member link or an axis link fails here, not only in a screenshot.

The fixture (tests/fixture_graph.py): campaign:0 is alice, bob and carol pushing one
URL within a minute of T0; patriot_news is suspended at T0+2d and comes back as
patriot_news2; the site oldnews.example goes down at T0+1d.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from dash import dcc

from fixture_graph import ALICE, BOB, CAMPAIGN, CAROL, PATRIOT, PATRIOT2, T0, build_fixture_graph
from graphinv.app import bars, create_app, data, strips, timerange
from graphinv.app.links import entity_href
from graphinv.app.pages import campaigns, lineages, overview


@pytest.fixture
def ctx(store):
    build_fixture_graph(store)
    return create_app(store=store).server.config["GRAPHINV_CONTEXT"]


def _walk(component):
    """Every component under ``component``, itself included."""
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def _find(page, id: str):
    return next(c for c in _walk(page) if getattr(c, "id", None) == id)


def _classes(component) -> set[str]:
    return set((getattr(component, "className", None) or "").split())


def test_the_campaign_timeline_has_a_dot_per_coaction_and_links_to_its_members(ctx):
    page = campaigns.layout(ctx, {"uid": CAMPAIGN, "detail": "1"})
    timeline = _find(page, "campaign-timeline")
    actions = data.campaign_coactions(ctx.store, CAMPAIGN)
    marks = [c for c in _walk(timeline) if "strip-mark" in _classes(c)]
    assert len(marks) == len(actions.dropna(subset=["time"])) > 0
    # one row per member who acted, first to act on top, each a link to the member's page
    links = [c for c in _walk(timeline) if "strip-label" in _classes(c)]
    assert all(isinstance(link, dcc.Link) for link in links)
    assert {link.href for link in links} == {entity_href(a) for a in (ALICE, BOB, CAROL)}
    first = actions.sort_values("time").iloc[0]
    assert links[0].href == entity_href(first["account"])
    # a dot says who did what when
    assert any(str(first["handle"]) in m.title and "Z" in m.title for m in marks)
    # no plotly figure left on the page
    assert not [c for c in _walk(page) if isinstance(c, dcc.Graph)]


def test_an_axis_time_of_the_campaign_timeline_narrows_the_page_to_its_span(ctx):
    timeline = _find(campaigns.layout(ctx, {"uid": CAMPAIGN, "detail": "1"}), "campaign-timeline")
    ticks = [c for c in _walk(timeline) if "strip-tick" in _classes(c)]
    assert ticks and all(isinstance(t, dcc.Link) for t in ticks)
    query = parse_qs(urlsplit(ticks[0].href).query)
    span = timerange.from_params({k: v[0] for k, v in query.items()})
    assert query["uid"] == [CAMPAIGN] and span.active and span.since < span.until
    # the narrowed page keeps the co-actions of that span only
    narrowed = campaigns.layout(ctx, {"uid": CAMPAIGN, "detail": "1", "from": query["from"][0],
                                      "to": query["to"][0]})
    kept = [c for c in _walk(_find(narrowed, "campaign-timeline")) if "strip-mark" in _classes(c)]
    times = data.campaign_coactions(ctx.store, CAMPAIGN)["time"]
    assert len(kept) == int(((times >= span.since) & (times <= span.until)).sum())


def test_the_lineage_chain_draws_spans_takedowns_and_the_gap(ctx):
    chain = _find(lineages.layout(ctx, {"uid": PATRIOT}), "lineage-timeline")
    by_shape = {}
    for mark in (c for c in _walk(chain) if "strip-mark" in _classes(c)):
        by_shape.setdefault(next(k for k in _classes(mark) if k != "strip-mark"), []).append(mark)
    assert len(by_shape["strip-bar"]) == 2  # patriot_news and patriot_news2 were active
    assert "suspended" in by_shape["strip-cross"][0].title  # patriot_news's takedown
    (gap,) = by_shape["strip-gap"]
    assert gap.to_plotly_json()["props"]["data-label"].startswith("gap ")
    rows = [c for c in _walk(chain) if "strip-label" in _classes(c)]
    assert [r.href for r in rows] == [entity_href(PATRIOT), entity_href(PATRIOT2)]


def test_strip_marks_sit_where_their_time_is():
    marks = [strips.Mark("a", T0), strips.Mark("a", T0 + 100), strips.Mark("b", T0 + 50, T0 + 100, shape="bar")]
    low, high = strips.domain(marks)
    where = strips.place(marks, low, high)
    assert [w["left"] for w in where] == ["2.83%", "97.17%", "50.00%"]  # 3% of the span each side
    assert where[2]["width"] == "47.17%"
    drawn = strips.strip("s", [("a", "A", "/a"), ("b", "B", None)], marks)
    tracks = [c for c in _walk(drawn) if "strip-track" in _classes(c)]
    assert [len(t.children) for t in tracks] == [2, 1]


def test_the_overview_draws_activity_and_takedowns_without_plotly(ctx):
    page = overview.layout(ctx, {})
    assert not [c for c in _walk(page) if isinstance(c, dcc.Graph)]
    columns = [c for c in _walk(_find(page, "overview-timeline")) if "bar-col" in _classes(c)]
    activity = data.activity(ctx.store)
    assert 0 < len(columns) <= activity["bucket"].nunique()
    assert sum(int(c.title.split(": ")[1].split(" ")[0].replace(",", "")) for c in columns) <= activity["n"].sum()
    shares = [c for c in _walk(_find(page, "overview-takedown-chart")) if "share-bar" in _classes(c)]
    assert len(shares) == len(data.takedowns(ctx.store))
    # the top campaign links to its page
    top = [c for c in _walk(_find(page, "overview-campaigns")) if isinstance(c, dcc.Link)]
    assert top[0].href == entity_href(CAMPAIGN)


def test_bars_stack_the_series_of_a_bucket_in_one_column():
    frame = pd.DataFrame({"bucket": [0, 0, 86400], "series": ["posts", "reposts", "posts"], "n": [3, 1, 2]})
    chart = bars.columns("c", frame, {"posts": "#111111", "reposts": "#222222"}, 86400, "items per day")
    columns = [c for c in _walk(chart) if "bar-col" in _classes(c)]
    assert [c.title for c in columns] == ["1970-01-01: 4 (3 posts, 1 reposts)", "1970-01-02: 2 (2 posts)"]
    assert [c.style["height"] for c in columns] == ["100.00%", "50.00%"]
