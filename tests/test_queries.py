"""The named query library on the fixture graph, once per store (see conftest.store).

Every query in queries/ is run here; the expected rows follow from the story told in
tests/fixture_graph.py and are explained next to each expectation.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from graphinv import queries
from graphinv.errors import InputError, ReadOnlyError
from graphinv.queries import coerce_params, get_query, list_queries, parse_header, parse_time
from fixture_graph import (ADSENSE, ALICE, BOB, CAMPAIGN, CAROL, DAVE, ERIN, GA, JANE, JANE_FAKE, JANE_REAL, NEW,
                                 NEW2, OLD, P1, P2, P3, P5, PATRIOT, PATRIOT2, T0, D, H, build_fixture_graph)

# Parameters each query is run with in test_every_query_runs (and compared across stores).
EXAMPLE_PARAMS = {
    "account_profile": {"uid": ALICE},
    "accounts_after_takedown": {},
    "campaign_evidence": {"campaign": CAMPAIGN},
    "campaign_members": {"campaign": CAMPAIGN},
    "campaigns": {},
    "coordination_partners": {"uid": ALICE},
    "lineage": {"uid": NEW},
    "neighbourhood": {"uid": ALICE},
    "shared_identifiers": {},
    "shortest_path": {"source": ADSENSE, "target": P2},
    "takedown_compliance": {},
    "targeting": {"target": "Jane Doe"},
    "top_domains": {},
    "top_urls": {},
    "evidence": {"uid": OLD},
    "watchlist": {},
    "watch_changes": {},
}


def plain(value):
    """Store values made comparable: NaN and None alike, whole floats as ints, arrays as lists."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return int(value) if float(value).is_integer() else round(float(value), 6)
    return value


def rows(frame, *columns):
    frame = frame[list(columns)] if columns else frame
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


@pytest.fixture
def graph(store):
    build_fixture_graph(store)
    return store


def test_library_has_every_query_with_a_header():
    names = {q.name for q in list_queries()}
    assert names == set(EXAMPLE_PARAMS), "add the new query to EXAMPLE_PARAMS and test it"
    for q in list_queries():
        assert q.title and q.description and q.writes is False
        assert set(q.texts) == {"embedded", "neo4j"}
        for p in q.parameters:
            assert p.required or p.default is not None, (q.name, p.name)


def test_variants_are_declared_where_the_dialects_differ():
    # type()/labels()/startNode() and shortestPath are spelled differently on Ladybug.
    assert {q.name for q in list_queries() if q.variants} == {"neighbourhood", "targeting", "shortest_path"}
    assert "label(r)" in get_query("targeting").text("embedded")
    assert "type(r)" in get_query("targeting").text("neo4j")


# Rows each query returns on the fixture graph with EXAMPLE_PARAMS; the tests below (and
# tests/test_watch_queries.py for watchlist, watch_changes and evidence) check what they hold.
EXPECTED_ROWS = {
    "account_profile": 1,           # alice
    "accounts_after_takedown": 2,   # patriot_news2 and erin, created within 7 days of the suspension
    "campaign_evidence": 3,         # P1, P2, P3
    "campaign_members": 3,          # alice, bob, carol
    "campaigns": 1,
    "coordination_partners": 2,     # alice's partners bob and carol
    "evidence": 2,                  # OLD's two observations: not_found, then moved
    "lineage": 2,                   # OLD -> NEW -> NEW2 seen from NEW
    "neighbourhood": 4,             # alice: 2 partners, her campaign, her post
    "shared_identifiers": 5,
    "shortest_path": 1,
    "takedown_compliance": 2,
    "targeting": 6,                 # the campaign, alice, bob, carol, jane_doe_real, newnews
    "top_domains": 2,
    "top_urls": 2,
    "watch_changes": 1,
    "watchlist": 1,
}


@pytest.mark.parametrize("name", sorted(EXAMPLE_PARAMS))
def test_every_query_returns_its_rows(graph, name):
    result = queries.run(graph, name, **EXAMPLE_PARAMS[name])
    assert len(result) == EXPECTED_ROWS[name], name


def test_variant_queries_return_the_same_rows_on_both_stores(tmp_path, request):
    """neighbourhood, targeting and shortest_path: the embedded text and the Neo4j text
    give the same rows on the same graph."""
    from graphinv.store import open_store

    server = request.getfixturevalue("neo4j_server")
    results = {}
    with open_store(f"embedded:{tmp_path / 'g.lbug'}") as embedded, open_store(server.uri) as neo:
        neo.clear()
        for backend, store in (("embedded", embedded), ("neo4j", neo)):
            build_fixture_graph(store)
            for name in EXAMPLE_PARAMS:
                results[backend, name] = rows(queries.run(store, name, **EXAMPLE_PARAMS[name]))
    for name in EXAMPLE_PARAMS:
        got_embedded, got_neo = results["embedded", name], results["neo4j", name]
        if name in ("account_profile",):  # collect() order is not defined: compare as sets
            for row in got_embedded + got_neo:
                for k, v in row.items():
                    if isinstance(v, list):
                        row[k] = sorted(v)
        assert got_embedded == got_neo, name


def test_account_profile(graph):
    # alice wrote one post (P1 at T0+1h), reposted nothing, coordinated with bob and carol.
    got = rows(queries.run(graph, "account_profile", uid=ALICE))
    assert len(got) == 1
    alice = got[0]
    assert (alice["handle"], alice["posts"], alice["first_post"], alice["reposts"], alice["partners"]) == (
        "alice", 1, T0 + H, 0, 2)
    assert alice["campaigns"] == [CAMPAIGN] and alice["reappears_as"] == []
    # patriot_news2 came back from patriot_news; bob reposted P1 once at T0+2h.
    assert rows(queries.run(graph, "account_profile", uid=PATRIOT2), "reappears_from")[0]["reappears_from"] == [PATRIOT]
    bob = rows(queries.run(graph, "account_profile", uid=BOB))[0]
    assert (bob["reposts"], bob["first_repost"]) == (1, T0 + 2 * H)


def test_neighbourhood(graph):
    # alice: COORDINATED_WITH bob and carol (she is the src of both), MEMBER_OF the
    # campaign, POSTED P1. Ordered by edge kind then neighbour.
    got = rows(queries.run(graph, "neighbourhood", uid=ALICE), "relation", "direction", "neighbour", "neighbour_kind")
    assert got == [
        {"relation": "COORDINATED_WITH", "direction": "out", "neighbour": BOB, "neighbour_kind": "Account"},
        {"relation": "COORDINATED_WITH", "direction": "out", "neighbour": CAROL, "neighbour_kind": "Account"},
        {"relation": "MEMBER_OF", "direction": "out", "neighbour": CAMPAIGN, "neighbour_kind": "Campaign"},
        {"relation": "POSTED", "direction": "out", "neighbour": P1, "neighbour_kind": "Post"},
    ]
    # Seen from bob, the alice edge comes in; the limit cuts the list.
    bob = rows(queries.run(graph, "neighbourhood", uid=BOB, limit=1), "relation", "direction", "neighbour")
    assert bob == [{"relation": "COORDINATED_WITH", "direction": "in", "neighbour": ALICE}]


def test_coordination_partners(graph):
    # bob co-shared with alice (weight 2) and carol (weight 1): heaviest first; a
    # min_weight of 1.5 leaves carol out.
    got = rows(queries.run(graph, "coordination_partners", uid=BOB), "partner", "weight", "co_shares")
    assert got == [{"partner": ALICE, "weight": 2, "co_shares": 2}, {"partner": CAROL, "weight": 1, "co_shares": 1}]
    assert len(queries.run(graph, "coordination_partners", uid=BOB, min_weight="1.5")) == 1


def test_campaigns_members_and_evidence(graph):
    assert rows(queries.run(graph, "campaigns"), "campaign", "size", "evidence_posts") == [
        {"campaign": CAMPAIGN, "size": 3, "evidence_posts": 3}]
    # alice's weight inside the campaign is 2 (bob) + 2 (carol) = 4; bob and carol 3.
    members = rows(queries.run(graph, "campaign_members", campaign=CAMPAIGN),
                   "account", "role", "evidence_posts", "partners_in_campaign", "weight_in_campaign")
    assert members == [
        {"account": ALICE, "role": "hub", "evidence_posts": 1, "partners_in_campaign": 2, "weight_in_campaign": 4},
        {"account": BOB, "role": "member", "evidence_posts": 1, "partners_in_campaign": 2, "weight_in_campaign": 3},
        {"account": CAROL, "role": "member", "evidence_posts": 1, "partners_in_campaign": 2, "weight_in_campaign": 3},
    ]
    # The three same-URL posts in time order, each once, with the line it was read from.
    evidence = rows(queries.run(graph, "campaign_evidence", campaign=CAMPAIGN),
                    "post", "account", "time", "source_file", "line")
    assert [e["post"] for e in evidence] == [P1, P2, P3]
    assert [e["time"] - T0 for e in evidence] == [H, H + 20, H + 45]
    assert [(e["source_file"], e["line"]) for e in evidence] == [("captures/tweets.jsonl", n) for n in (1, 2, 3)]


def test_lineage_both_directions(graph):
    # From the middle generation (newnews) the whole chain is found: old -> new -> new2.
    expected = [(OLD, NEW, 0.95), (NEW, NEW2, 0.7)]
    for start in (OLD, NEW, NEW2):
        got = rows(queries.run(graph, "lineage", uid=start), "predecessor", "successor", "score", "signals")
        assert [(r["predecessor"], r["successor"], r["score"]) for r in got] == expected, start
    first = queries.run(graph, "lineage", uid=NEW).iloc[0]
    assert json.loads(first["evidence"])["identifiers"] == ["ga:UA-123-1", "adsense:pub-999"]
    # An account lineage, and an entity with no lineage.
    assert rows(queries.run(graph, "lineage", uid=PATRIOT2), "predecessor", "successor") == [
        {"predecessor": PATRIOT, "successor": PATRIOT2}]
    assert queries.run(graph, "lineage", uid=DAVE).empty


def test_shared_identifiers(graph):
    # ga:UA-123-1 is on all three generations, adsense:pub-999 on old and new.
    got = rows(queries.run(graph, "shared_identifiers"), "identifier", "n_entities", "entity")
    assert got == [
        {"identifier": GA, "n_entities": 3, "entity": OLD},
        {"identifier": GA, "n_entities": 3, "entity": NEW},
        {"identifier": GA, "n_entities": 3, "entity": NEW2},
        {"identifier": ADSENSE, "n_entities": 2, "entity": OLD},
        {"identifier": ADSENSE, "n_entities": 2, "entity": NEW},
    ]
    # One ID by its bare value; with min_entities 3 adsense drops out.
    assert {r["identifier"] for r in rows(queries.run(graph, "shared_identifiers", identifier="pub-999"))} == {ADSENSE}
    assert {r["identifier"] for r in rows(queries.run(graph, "shared_identifiers", min_entities=3))} == {GA}


def test_targeting(graph):
    # One row per actor, most posts first, then by uid. Found by name, case-insensitively,
    # or by uid.
    columns = ("actor", "relation", "posts", "first_time", "last_time", "evidence", "score")
    expected = [
        # campaign:0 TARGETS her; its members posted P1 (mentions Jane), P2 (mentions
        # janedoe) and P3 (replies to janedoe's P6).
        {"actor": CAMPAIGN, "relation": "campaign", "posts": 3, "first_time": T0 + H, "last_time": T0 + H + 45,
         "evidence": [P1, P2, P3], "score": None},
        # alice's P1 mentions the Target itself.
        {"actor": ALICE, "relation": "mentions", "posts": 1, "first_time": T0 + H, "last_time": T0 + H,
         "evidence": [P1], "score": None},
        # bob's P2 mentions her real account janedoe (listed in Target.accounts).
        {"actor": BOB, "relation": "mentions", "posts": 1, "first_time": T0 + H + 20, "last_time": T0 + H + 20,
         "evidence": [P2], "score": None},
        # carol's P3 replies to P6, a post by janedoe.
        {"actor": CAROL, "relation": "replies", "posts": 1, "first_time": T0 + H + 45, "last_time": T0 + H + 45,
         "evidence": [P3], "score": None},
        # jane_doe_real impersonates her (score 0.88), and its one post P5 mentions janedoe.
        {"actor": JANE_FAKE, "relation": "impersonates, mentions", "posts": 1, "first_time": T0 + 3 * D,
         "last_time": T0 + 3 * D, "evidence": [P5], "score": 0.88},
        # the site newnews TARGETS her, with no posts of its own.
        {"actor": NEW, "relation": "targets", "posts": 0, "first_time": None, "last_time": None,
         "evidence": [], "score": None},
    ]
    assert rows(queries.run(graph, "targeting", target="jane DOE"), *columns) == expected
    assert rows(queries.run(graph, "targeting", target=JANE), *columns) == expected
    # Her own account janedoe is never an actor; an unknown name gives no rows.
    assert JANE_REAL not in set(queries.run(graph, "targeting", target=JANE)["actor"])
    assert queries.run(graph, "targeting", target="Nobody").empty


def _demo_attacks(demo) -> dict[str, int]:
    """Per Twitter account, its tweets that mention, reply to or quote @clarabenedek, read
    from the demo's JSONL with json alone (retweets are reposts, not posts of their own;
    a retweeted or quoted tweet counts for its author)."""
    posts: dict[str, set[str]] = {}

    def visit(tweet):
        if not isinstance(tweet, dict):
            return
        for nested in ("retweetedTweet", "quotedTweet"):
            visit(tweet.get(nested))
        if isinstance(tweet.get("retweetedTweet"), dict):
            return
        author = tweet["user"]["username"].lower()
        named = {u["username"].lower() for u in tweet.get("mentionedUsers") or []}
        named |= {(tweet.get("inReplyToUser") or {}).get("username", "").lower(),
                  ((tweet.get("quotedTweet") or {}).get("user") or {}).get("username", "").lower()}
        if "clarabenedek" in named and author != "clarabenedek":
            posts.setdefault(f"account:twitter:{author}", set()).add(str(tweet["id"]))

    for path in sorted((demo / "snscrape").glob("twitter-*.jsonl")):
        for line in path.read_text().splitlines():
            visit(json.loads(line))
    return {actor: len(ids) for actor, ids in posts.items()}


def test_targeting_on_the_demo(store):
    """Who attacks Clara Benedek on the demo: the accounts that mention, reply to or quote
    @clarabenedek, counted as the JSONL has them; then the campaigns that TARGET her, with
    their members' posts about her, in the query and on the campaign page."""
    from graphinv.analysis.coordination.analysis import analyze as analyze_coordination
    from graphinv.app import data
    from graphinv.ingest import ingest_paths

    demo = Path(__file__).resolve().parents[1] / "data" / "demo"
    ingest_paths(store, [demo])
    expected = _demo_attacks(demo)
    got = queries.run(store, "targeting", target="Clara Benedek")
    twitter = got[got.actor.str.startswith("account:twitter:")]
    assert dict(zip(twitter.actor, twitter.posts)) == expected
    # The three who attack her most (11, 10 and 9 posts), first in the ranking.
    top = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
    assert [c for _, c in top] == [11, 10, 9, 9]
    assert rows(got.head(4), "actor", "posts") == [{"actor": a, "posts": c} for a, c in top]
    first = got.iloc[0]
    assert first.first_time <= first.last_time and len(first.evidence) == 5
    assert set(first.relation.split(", ")) <= {"mentions", "replies", "quotes"}

    analyze_coordination(store)
    members = store.query("MATCH (a:Account)-[:MEMBER_OF]->(c:Campaign) RETURN c.uid AS c, a.uid AS a")
    campaigns = queries.run(store, "targeting", target="Clara Benedek")
    campaigns = campaigns[campaigns.relation == "campaign"]
    assert len(campaigns) == 2  # the raid and the copy-paste wave both TARGET her
    for campaign in campaigns.itertuples(index=False):
        mine = set(members[members.c == campaign.actor].a)
        posts = sum(n for actor, n in expected.items() if actor in mine)
        assert campaign.posts == posts > 0, campaign.actor
        page = data.campaign_targets(store, campaign.actor)
        row = page[(page.target == "target:clara benedek") & (page.how == "campaign targets")].iloc[0]
        assert (row.posts, row.accounts) == (posts, len([a for a in mine if a in expected]))


def test_top_urls_and_domains(graph):
    # The article: 3 posts + 2 reposts of P1 = 5 shares by 3 accounts; dave's link 1.
    urls = rows(queries.run(graph, "top_urls"), "url", "shares", "accounts", "posts")
    assert urls == [
        {"url": "https://newnews.example/a1", "shares": 5, "accounts": 3, "posts": 3},
        {"url": "https://other.example/x", "shares": 1, "accounts": 1, "posts": 1},
    ]
    # Only the first hour after T0+1h (ISO dates accepted): the 3 posts, not the reposts.
    first_hour = rows(queries.run(graph, "top_urls", since="2024-03-01T01:00:00Z", until="2024-03-01T02:00:00Z"),
                      "url", "shares")
    assert first_hour == [{"url": "https://newnews.example/a1", "shares": 3}]
    assert rows(queries.run(graph, "top_domains", limit=1), "domain", "shares", "urls") == [
        {"domain": "newnews.example", "shares": 5, "urls": 1}]


def test_takedown_compliance(graph):
    # twitter: r1 removed after 17 h, r2 after 24 h, r4 after 96 h, r5 never: 4 reports,
    # 3 removed, 2 within 48 h (share 0.5), median of 17/24/96 = 24 h.
    # hoster-x (web): r3 removed after 24 h.
    got = rows(queries.run(graph, "takedown_compliance"))
    assert got == [
        {"platform": "twitter", "reported_to": "twitter", "reports": 4, "removed": 3, "removed_within": 2,
         "share_within": 0.5, "median_hours": 24},
        {"platform": "web", "reported_to": "hoster-x", "reports": 1, "removed": 1, "removed_within": 1,
         "share_within": 1, "median_hours": 24},
    ]
    # With a 100 h deadline r4 counts too.
    assert rows(queries.run(graph, "takedown_compliance", hours=100), "removed_within")[0] == {"removed_within": 3}


def test_shortest_path(graph):
    # adsense:pub-999 <- newnews <- the article URL <- bob's post P2: the only 3-step path.
    got = rows(queries.run(graph, "shortest_path", source=ADSENSE, target=P2))
    assert got == [{"hops": 3, "nodes": [ADSENSE, NEW, "url:https://newnews.example/a1", P2],
                    "edges": [f"{NEW}>USES>{ADSENSE}", f"url:https://newnews.example/a1>ON_SITE>{NEW}",
                              f"{P2}>LINKS_TO>url:https://newnews.example/a1"]}]
    # dave's corner of the graph does not reach alice.
    assert queries.run(graph, "shortest_path", source=DAVE, target=ALICE).empty


def test_accounts_after_takedown(graph):
    # patriot_news is suspended at T0+2d; patriot_news2 (T0+3d, linked by REAPPEARS_AS)
    # and erin (T0+5d) are created within 7 days after. dave is older, so not listed.
    got = rows(queries.run(graph, "accounts_after_takedown"), "taken_down", "created", "hours_after",
               "reappearance_score")
    assert got == [
        {"taken_down": PATRIOT, "created": PATRIOT2, "hours_after": 24, "reappearance_score": 0.92},
        {"taken_down": PATRIOT, "created": ERIN, "hours_after": 72, "reappearance_score": None},
    ]
    assert [r["created"] for r in rows(queries.run(graph, "accounts_after_takedown", days=2))] == [PATRIOT2]


# -- parameters and errors -----------------------------------------------------------------
def test_parameter_coercion_and_errors():
    q = get_query("top_urls")
    assert coerce_params(q, {"since": "2024-03-01", "limit": "5"}) == {"since": T0, "until": 4102444800, "limit": 5}
    with pytest.raises(InputError,
                       match=r"query 'top_urls' has no parameter 'sinc' \(parameters: since, until, limit\)"):
        coerce_params(q, {"sinc": "1"})
    with pytest.raises(InputError, match=r"parameter limit='many' is not an integer"):
        coerce_params(q, {"limit": "many"})
    with pytest.raises(InputError, match=r"parameter since='yesterday' is not epoch seconds or an ISO date"):
        coerce_params(q, {"since": "yesterday"})
    with pytest.raises(InputError, match=r"query 'lineage' needs --param uid="):
        coerce_params(get_query("lineage"), {})
    with pytest.raises(InputError, match=r"unknown query 'nope'; `graphinv query --list`"):
        get_query("nope")
    assert parse_time("2024-03-01T01:00:00+01:00") == T0


def test_header_parsing_errors(tmp_path):
    with pytest.raises(InputError, match="no metadata header"):
        parse_header("MATCH (n) RETURN n", "x.cypher")
    (tmp_path / "a.cypher").write_text("// name: b\n// writes: false\nRETURN 1\n")
    with pytest.raises(InputError, match="must match the file name 'a'"):
        queries.load_library(tmp_path)
    (tmp_path / "a.cypher").unlink()
    (tmp_path / "c.neo4j.cypher").write_text("// name: c\n// title: C\nRETURN 1\n")
    with pytest.raises(InputError, match="no text for embedded"):
        queries.load_library(tmp_path)


def test_read_queries_run_read_only(graph):
    # Ad-hoc Cypher that writes is refused unless write=True.
    with pytest.raises(ReadOnlyError, match="refused"):
        queries.run_cypher(graph, "MATCH (a:Account) SET a.status = 'x' RETURN a.uid")
    queries.run_cypher(graph, "MATCH (a:Account) WHERE a.uid = $u SET a.status = 'x' RETURN a.uid", {"u": ALICE},
                       write=True)
    found = queries.run_cypher(graph, "MATCH (a:Account) WHERE a.status = 'x' RETURN a.uid AS u")
    assert found["u"].tolist() == [ALICE]


# -- CLI ---------------------------------------------------------------------------------------
def _cli(args, uri):
    from graphinv.cli import main
    import graphinv.commands.query_export  # noqa: F401  (registers query and export)

    return CliRunner().invoke(main, [*args, "--store", uri], catch_exceptions=False)


def test_cli_query(graph):
    uri = graph.uri
    graph.close()
    listed = _cli(["query", "--list"], uri)
    assert listed.exit_code == 0 and "lineage: Lineage of a site or account" in listed.output
    as_json = _cli(["query", "lineage", "--param", f"uid={NEW}", "--format", "json"], uri)
    assert as_json.exit_code == 0, as_json.output
    assert [r["successor"] for r in json.loads(as_json.output)] == [NEW, NEW2]
    as_csv = _cli(["query", "top_urls", "--param", "limit=1", "--format", "csv"], uri)
    assert as_csv.output.splitlines()[0].startswith("url,domain,shares")
    table = _cli(["query", "--cypher", "MATCH (a:Account) WHERE a.handle = $h RETURN a.uid AS uid",
                  "--param", "h=alice"], uri)
    assert table.exit_code == 0 and ALICE in table.output
    # Mistakes are one line and exit 1.
    bad = _cli(["query", "lineage", "--param", "limit=3"], uri)
    assert bad.exit_code == 1 and bad.output.strip().splitlines() == [
        "Error: query 'lineage' has no parameter 'limit' (parameters: uid)"]
    write = _cli(["query", "--cypher", "MATCH (a:Account) SET a.status = 'x'"], uri)
    assert write.exit_code == 1 and "refused" in write.output and "--write" in write.output
    assert _cli(["query", "--cypher", "MATCH (a:Account) SET a.status = 'y'", "--write"], uri).exit_code == 0
