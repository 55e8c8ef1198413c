"""The shared vocabulary: one "gone" rule, one platform table, one export registry, and
the places that used to spell them read them from there."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from graphinv import queries
from graphinv.analysis.reappearance import timelines
from graphinv.analysis.takedown import platform_of_url, removals
from graphinv.app import ids
from graphinv.errors import InputError
from graphinv.export import CLI_FORMATS, FORMATS
from graphinv.normalize import canonical_url
from graphinv.vocabulary import (
    GONE_HTTP,
    GONE_STATUSES,
    STATUS_SPELLINGS,
    STATUSES,
    gone_mask,
    is_gone,
    platform_of_host,
    profile_url,
    status_of_http,
)

ROOT = Path(__file__).resolve().parent.parent

GONE_CASES = [
    ("suspended", None, True),
    ("withheld", 200, True),  # the status is the collector's reading of the check: it wins
    (None, 404, True),  # no status recorded: the HTTP code is the evidence
    ("", 410.0, True),
    ("some new word", 451, True),  # a status the vocabulary does not know counts as none
    ("moved", 404, False),  # the 404 is the page the redirect reached, on another domain
    ("active", 404, False),
    ("error", 503, False),
    ("unreachable", None, False),
    (None, None, False),
    (None, 503, False),
]


@pytest.mark.parametrize("status, http, expected", GONE_CASES)
def test_one_gone_rule(status, http, expected):
    assert is_gone(status, http) is expected


def test_gone_mask_is_the_same_rule():
    frame = pd.DataFrame(GONE_CASES, columns=["status", "http", "expected"])
    assert gone_mask(frame["status"], frame["http"]).tolist() == frame["expected"].tolist()
    assert gone_mask(frame["status"], None).tolist() == [s in GONE_STATUSES for s in frame["status"]]


def test_takedown_and_reappearance_read_gone_alike():
    # Before the vocabulary, takedown counted a 404 only without a status and reappearance
    # whenever the status was not "active": a "moved" check ending on a 404 split them.
    obs = [("e:moved", "moved", 100, 404), ("e:bare", None, 100, 404), ("e:said", "deleted", 100, None)]
    reports = pd.DataFrame({"report": [e for e, *_ in obs], "entity": [e for e, *_ in obs], "url": None,
                            "reported_at": 0, "reported_to": "x"})
    frame = pd.DataFrame(obs, columns=["entity", "status", "observed_at", "http_status"])
    removed = removals(reports, frame).set_index("report")["removed_at"].notna().to_dict()
    down = timelines(pd.DataFrame({"uid": frame["entity"]}), pd.DataFrame(columns=["uid", "time"]),
                     frame.rename(columns={"entity": "uid", "observed_at": "time"}))
    down = down.set_index("uid")["down"].notna().to_dict()
    assert removed == down == {"e:moved": False, "e:bare": True, "e:said": True}


def test_http_map():
    assert [status_of_http(c) for c in (200, 302, *GONE_HTTP, 403, 500, None)] == \
        ["active", "active", "not_found", "deleted", "withheld", "error", "error", "active"]
    assert status_of_http(418, other=None) is None  # the CSV reader rejects a code it cannot read


def test_statuses_have_a_meaning_and_spellings_name_one_status():
    assert all(s.meaning for s in STATUSES.values())
    spellings = [spelling for s in STATUSES.values() for spelling in (s.name, *s.aliases)]
    assert len(spellings) == len(set(spellings)) == len(STATUS_SPELLINGS)


@pytest.mark.parametrize("url, platform", [
    ("https://mobile.x.com/a", "twitter"), ("https://www.t.me/chan", "telegram"),
    ("https://www.tiktok.com/@someone", "tiktok"),  # an "@" path on a known host is not mastodon
    ("https://social.example/@bob", "mastodon"), ("https://example.org/", "web"),
])
def test_platform_hosts_are_one_table(url, platform):
    assert platform_of_url(url) == platform
    host = canonical_url(url).split("/")[2]
    assert platform_of_host(host) == (None if platform in ("mastodon", "web") else platform)


def test_profile_urls():
    assert profile_url("twitter", "alice") == "https://x.com/alice"
    assert profile_url("mastodon", "bob@social.example") == "https://social.example/@bob"
    assert profile_url("mastodon", "bob") is None and profile_url("myspace", "tom") is None


def test_queries_take_the_gone_statuses_from_the_vocabulary():
    for name in ("takedown_compliance", "accounts_after_takedown"):
        query = queries.get_query(name)
        assert query.parameter("removed").vocabulary == "gone_statuses"
        assert queries.coerce_params(query, {})["removed"] == list(GONE_STATUSES)
        assert queries.coerce_params(query, {"removed": "deleted"})["removed"] == ["deleted"]
    # no query spells the list itself
    spelled = re.compile(r"'(" + "|".join(GONE_STATUSES) + r")'")
    assert [p.name for p in (ROOT / "queries").glob("*.cypher") if spelled.search(p.read_text())] == []


def test_a_vocabulary_parameter_must_name_a_list(tmp_path):
    (tmp_path / "q.cypher").write_text("// name: q\n// parameters:\n//   s: {type: strings, vocabulary: colours}\n"
                                       "// writes: false\nRETURN $s AS s\n")
    with pytest.raises(InputError, match="parameter 's': vocabulary: takes a strings parameter"):
        queries.load_library(tmp_path)


def test_export_choices_and_buttons_come_from_the_registry():
    assert CLI_FORMATS == tuple(FORMATS)
    assert ids.EXPORT_BUTTONS == {"export-gexf": "gexf", "export-csv": "csv", "export-html": "html",
                                  "export-report-html": "report-html"}
    assert all(f.suffix or f.name == "csv" for f in FORMATS.values())
