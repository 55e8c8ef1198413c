"""Takedown compliance: the pure function on hand-made frames, and the store step."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from graphinv.analysis.takedown import by_platform_summary, compliance, platform_of_url, removals, takedown_compliance

H = 3600


def _reports(rows):
    return pd.DataFrame(rows, columns=["report", "entity", "url", "reported_at", "reported_to"])


def _obs(rows):
    return pd.DataFrame(rows, columns=["entity", "status", "observed_at", "http_status"])


@pytest.mark.parametrize("url, platform", [
    ("https://twitter.com/a/status/1", "twitter"), ("https://x.com/a", "twitter"),
    ("https://t.me/chan/4", "telegram"), ("https://t.me/s/chan/4", "telegram"),
    ("https://social.example/@bob/12", "mastodon"), ("https://www.site.example/", "web"),
    ("site.example/page", "web"),
])
def test_platform_of_url(url, platform):
    assert platform_of_url(url) == platform


def test_compliance_per_platform_and_recipient():
    reports = _reports([
        # removed after 36 h: within 48 h
        ("r1", "post:1", "https://twitter.com/a/status/1", 0, "twitter"),
        # the first "gone" observation comes at 72 h (the 6 h one says active): late
        ("r2", "post:2", "https://twitter.com/a/status/2", 0, "twitter"),
        # an observation of "gone" from *before* the report does not count; never removed
        ("r3", "post:3", "https://t.me/c/3", 100 * H, "telegram"),
        # a site answering HTTP 451 (no status word) 10 h later: removed
        ("r4", "site:s.example", "https://s.example/", 0, "hosting:h"),
        # a 5xx error is not a removal
        ("r5", "site:t.example", "https://t.example/", 0, "registrar:r"),
    ])
    obs = _obs([
        ("post:1", "deleted", 36 * H, None),
        ("post:2", "active", 6 * H, None),
        ("post:2", "suspended", 72 * H, None),
        ("post:3", "deleted", 50 * H, None),
        ("site:s.example", None, 10 * H, 451),
        ("site:t.example", "error", 5 * H, 503),
    ])
    items = removals(reports, obs).set_index("report")
    assert items.loc["r1", "hours"] == 36 and items.loc["r2", "hours"] == 72 and items.loc["r4", "hours"] == 10
    assert math.isnan(items.loc["r3", "hours"]) and math.isnan(items.loc["r5", "hours"])

    table = compliance(reports, obs, by="platform").set_index("platform")
    assert table.loc["twitter", ["reported", "removed", "removed_48h"]].tolist() == [2, 2, 1]
    assert table.loc["twitter", "median_hours"] == 54.0  # median of 36 and 72
    assert table.loc["twitter", "share_48h"] == 0.5
    assert table.loc["telegram", ["reported", "removed", "removed_48h"]].tolist() == [1, 0, 0]
    assert math.isnan(table.loc["telegram", "median_hours"])
    assert table.loc["web", ["reported", "removed", "removed_48h"]].tolist() == [2, 1, 1]

    by_recipient = compliance(reports, obs, by="reported_to").set_index("reported_to")
    assert by_recipient.loc["hosting:h", "removed_48h"] == 1
    assert by_recipient.loc["registrar:r", "removed"] == 0
    summary = by_platform_summary(table.reset_index())
    assert summary["telegram"] == {"reported": 1, "removed": 0, "removed_48h": 0, "median_hours": None}


def test_compliance_of_nothing():
    assert compliance(_reports([]), _obs([])).empty


def test_takedown_compliance_from_store(store):
    store.upsert_nodes("Report", pd.DataFrame([
        {"uid": "report:1", "report_id": "1", "url": "https://twitter.com/a/status/9", "reported_at": 1000,
         "reported_to": "twitter"}]))
    store.upsert_edges("REPORTED", pd.DataFrame([{"src": "report:1", "dst": "post:twitter:9", "time": 1000}]))
    store.upsert_nodes("Observation", pd.DataFrame([
        {"uid": "observation:a", "entity": "post:twitter:9", "status": "active", "observed_at": 2000},
        {"uid": "observation:b", "entity": "post:twitter:9", "status": "deleted", "observed_at": 1000 + 30 * H}]))
    store.upsert_edges("OBSERVED", pd.DataFrame([
        {"src": "observation:a", "dst": "post:twitter:9", "time": 2000},
        {"src": "observation:b", "dst": "post:twitter:9", "time": 1000 + 30 * H}]))
    table = takedown_compliance(store)
    assert table[["platform", "reported_to", "reported", "removed", "removed_48h", "median_hours"]].values.tolist() \
        == [["twitter", "twitter", 1, 1, 1, 30.0]]
