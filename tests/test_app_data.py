"""The app's store queries (graphinv.app.data), pages built without a browser, exports,
and the serving rules (loopback by default, basic auth elsewhere), on both stores.

The graph is tests/fixture_graph.py: campaign:0 (alice, bob, carol pushing one URL),
the oldnews → newnews → newnews2 site lineage, patriot_news → patriot_news2, and
hostile strings in alice's post and a page title.
"""

from __future__ import annotations

import base64
import json
import zipfile
import io

import pytest
from click.testing import CliRunner

from fixture_graph import (ALICE, BOB, CAMPAIGN, CAROL, GA, HOSTILE_TEXT, NEW, NEW2, OLD, P1, PATRIOT,
                           PATRIOT2, T0, D, build_fixture_graph)
from graphinv.app import create_app, credentials_for, data, export_bytes
from graphinv.errors import InputError, ReadOnlyError


@pytest.fixture
def graph(store):
    build_fixture_graph(store)
    return store


def test_campaign_members_network_and_evidence(graph):
    members = data.campaign_members(graph, CAMPAIGN)
    assert set(members["account"]) == {ALICE, BOB, CAROL}
    edges, total = data.campaign_network(graph, CAMPAIGN)
    # three COORDINATED_WITH edges, alice's two (weight 2) first
    assert total == 3 and list(edges["weight"]) == [2.0, 2.0, 1.0]
    # The evidence is the members' co-actions, each with the line it was read from.
    evidence = data.campaign_evidence(graph, CAMPAIGN)
    assert list(evidence["handle"]) == ["alice", "bob", "carol", "bob", "carol"]
    assert list(evidence["after first (s)"]) == [0, 20, 45, 0, 10]
    assert list(evidence["file"]) == ["tweets.jsonl:1", "tweets.jsonl:2", "tweets.jsonl:3", "tweets.jsonl:100",
                                      "tweets.jsonl:101"]
    assert set(evidence["captured"]) == {"unknown"}  # snscrape lines do not say when they were scraped


def test_campaign_coactions_objects_and_targets(graph):
    actions = data.campaign_coactions(graph, CAMPAIGN)
    # bob's and carol's reposts of alice's post at T0+2h, and the three evidence posts
    assert sorted(actions["action"]) == ["repost", "repost", "url", "url", "url"]
    assert list(actions["time"]) == sorted(actions["time"])
    objects = data.campaign_objects(graph, CAMPAIGN)
    by_kind = {row.kind: row for row in objects.itertuples(index=False)}
    assert by_kind["reposted post"].object == P1 and by_kind["reposted post"].accounts == 2
    assert by_kind["url"].accounts == 3
    targets = data.campaign_targets(graph, CAMPAIGN)
    assert "target:jane doe" in set(targets["target"])


def test_activity_is_bucketed_in_the_store(graph):
    frame = data.activity(graph, bucket=D)
    posts = frame[frame["series"] == "twitter posts"]
    assert posts["n"].sum() == 5
    assert set(frame[frame["series"] == "reposts"]["bucket"]) == {T0}  # both reposts on day one


def test_lineages_group_chains(graph):
    frame = data.lineages(graph)
    chains = dict(zip(frame["first"], frame["generations"]))
    assert chains == {OLD: 3, PATRIOT: 2}
    site = frame[frame["first"] == OLD].iloc[0]
    assert site["chain"] == "oldnews.example → newnews.example → newnews2.example"
    assert site["max_gap_days"] == 7.0


def test_generations_show_takedowns(graph):
    gens = data.generations(graph, [OLD, NEW, NEW2]).set_index("uid")
    assert gens.loc[OLD, "taken_down_at"] == T0 + D and gens.loc[OLD, "takedown_status"] == "not_found"
    assert gens.loc[NEW, "taken_down_at"] != gens.loc[NEW, "taken_down_at"]  # NaN: never taken down
    accounts = data.generations(graph, [PATRIOT, PATRIOT2]).set_index("uid")
    assert accounts.loc[PATRIOT, "takedown_status"] == "suspended"


def test_evidence_json_is_parsed_or_kept():
    assert data.parse_evidence('{"identifiers": ["ga:UA-1"]}') == {"identifiers": ["ga:UA-1"]}
    assert data.parse_evidence("not json") == {"evidence": "not json"}
    assert data.parse_evidence(None) == {}


@pytest.mark.parametrize("text, kind, uid", [
    ("alice", "Account", ALICE),          # a handle
    ("@Alice", "Account", ALICE),         # with @ and capitals
    ("newnews2.example", "Site", NEW2),   # a domain, exact match first
    ("UA-123-1", "Identifier", GA),       # a tracking ID
])
def test_search_finds_entities(graph, text, kind, uid):
    found = data.search(graph, text)
    first = found[found["kind"] == kind].iloc[0]
    assert first["uid"] == uid


def test_search_time_filter(graph):
    # alice's post was first seen (captured) at T0+10d: a window ending before that leaves it out;
    # entities without times always pass
    assert set(data.search(graph, "alice/status", ["Post"])["uid"]) == {P1}
    assert data.search(graph, "alice/status", ["Post"], until=T0 + 9 * D).empty
    assert ALICE in set(data.search(graph, "alice", ["Account"], since=T0 + 5 * D)["uid"])


def test_neighbours_are_capped_and_counted(graph):
    rows, total = data.neighbours(graph, ALICE, limit=2)
    assert len(rows) == 2 and total > 2
    accounts, n = data.neighbours(graph, ALICE, kinds=["Account"])
    assert set(accounts["neighbour"]) == {BOB, CAROL} and n == len(accounts)
    directions = dict(zip(accounts["neighbour"], accounts["direction"]))
    assert directions == {BOB: "out", CAROL: "out"}  # alice-COORDINATED_WITH->bob, ->carol


def test_console_refuses_writes(graph):
    with pytest.raises(ReadOnlyError, match="refused"):
        data.run_cypher(graph, "CREATE (h:Hashtag {uid: 'hashtag:x'}) RETURN h.uid")
    assert data.run_named(graph, "campaigns", {})["campaign"].tolist() == [CAMPAIGN]
    assert len(data.run_named(graph, "coordination_partners", {"uid": ALICE, "min_weight": ""})) == 2


def test_every_page_builds_and_never_renders_html(graph):
    app = create_app(store=graph)
    ctx = app.server.config["GRAPHINV_CONTEXT"]
    from graphinv.app import _pages

    for path, params in [("/", {}), ("/campaigns", {}), ("/campaign", {"uid": CAMPAIGN, "detail": "1"}),
                         ("/lineages", {}), ("/lineages", {"uid": PATRIOT}), ("/explorer", {}), ("/console", {})]:
        page = _pages()[path].layout(ctx, params)
        text = json.dumps(page.to_plotly_json(), default=lambda o: o.to_plotly_json()
                          if hasattr(o, "to_plotly_json") else str(o))
        assert "dangerously_allow_html" not in text and '"presentation": "markdown"' not in text
        if path == "/campaign":
            # the hostile post is in the evidence table as data (a DataTable cell: text)
            assert json.dumps(HOSTILE_TEXT)[1:-1] in text


def test_export_bytes(graph):
    name, content = export_bytes(graph, "gexf", {"campaign": CAMPAIGN})
    assert name.endswith(".gexf") and b"<gexf" in content and b"alice" in content
    name, content = export_bytes(graph, "csv", {"lineage": OLD})
    assert name.endswith("-csv.zip")
    assert {"nodes.csv", "edges.csv"} <= set(zipfile.ZipFile(io.BytesIO(content)).namelist())
    with pytest.raises(InputError, match="nothing selected"):
        export_bytes(graph, "gexf", {})


def test_credentials_needed_off_loopback():
    assert credentials_for("127.0.0.1", {}) is None
    with pytest.raises(InputError, match="GRAPHINV_APP_USER and GRAPHINV_APP_PASSWORD"):
        credentials_for("0.0.0.0", {})
    assert credentials_for("0.0.0.0", {"GRAPHINV_APP_USER": "u", "GRAPHINV_APP_PASSWORD": "p"}) == ("u", "p")


def test_basic_auth_guards_every_route(graph):
    app = create_app(store=graph, auth=("analyst", "s3cret"))
    client = app.server.test_client()
    assert client.get("/").status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    bad = base64.b64encode(b"analyst:wrong").decode()
    assert client.get("/", headers={"Authorization": f"Basic {bad}"}).status_code == 401
    good = base64.b64encode(b"analyst:s3cret").decode()
    assert client.get("/", headers={"Authorization": f"Basic {good}"}).status_code == 200


def test_app_command_refuses_public_host_without_credentials(monkeypatch, tmp_path):
    import graphinv.commands.app  # noqa: F401  (registers `graphinv app`)
    from graphinv.cli import main

    monkeypatch.delenv("GRAPHINV_APP_USER", raising=False)
    monkeypatch.delenv("GRAPHINV_APP_PASSWORD", raising=False)
    result = CliRunner().invoke(main, ["app", "--host", "0.0.0.0", "--store", f"embedded:{tmp_path / 'x.lbug'}"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "GRAPHINV_APP_USER and GRAPHINV_APP_PASSWORD" in lines[0]
    assert not (tmp_path / "x.lbug").exists()  # refused before the store was touched


def test_warm_reads_the_first_pages_before_anyone_asks(tmp_path):
    """`graphinv app` builds the first pages in the background on a read-only embedded
    store, so a first visit is answered from the memo: the overview's counts, the lists
    and the largest campaign's members are there once warm() is done."""
    from graphinv.app import AppContext, warm
    from graphinv.store import open_store

    uri = f"embedded:{tmp_path / 'graph.lbug'}"
    with open_store(uri) as store:
        build_fixture_graph(store)
    with open_store(uri, read_only=True) as store:
        thread = warm(AppContext(store=store, store_uri=store.uri, backend=store.backend))
        thread.join(timeout=300)
        assert not thread.is_alive()
        kept = {(name, args) for _, name, args, _ in store.__dict__["_app_memo"]}
    names = {name for name, _ in kept}
    assert {"_counts", "campaigns", "lineages", "activity"} <= names
    assert ("campaign_members", (CAMPAIGN,)) in kept
    # a store whose reads may change under the app (writable, or Neo4j) is not warmed
    with open_store(uri) as store:
        assert warm(AppContext(store=store, store_uri=store.uri, backend=store.backend)) is None
