"""Exports of the fixture graph (tests/fixture_graph.py), once per store."""

from __future__ import annotations

import json
import re

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from fixture_graph import (ALICE, BOB, CAMPAIGN, CAROL, HOSTILE_TEXT, HOSTILE_TITLE, JANE, JANE_REAL, NEW, NEW2, OLD,
                           P1, PAGE, T0, H, build_fixture_graph)
from graphinv.errors import InputError
from graphinv.export import FORMATS, write
from graphinv.export.graph import selection_graph
from graphinv.export.html_graph import external_loads
from graphinv.export.pseudonym import load_salt, pseudonym, pseudonymize
from graphinv.schema import SCHEMA


@pytest.fixture
def graph(store):
    build_fixture_graph(store)
    return store


def test_campaign_selection(graph):
    # The campaign, its 3 members, their 3 evidence posts, the article URL and its site,
    # and the target the campaign TARGETS: 10 nodes.
    G = selection_graph(graph, campaign=CAMPAIGN)
    assert set(G.nodes) == {CAMPAIGN, ALICE, BOB, CAROL, P1, "post:twitter:2", "post:twitter:3",
                            "url:https://newnews.example/a1", NEW, JANE}
    kinds = [d["kind"] for *_, d in G.edges(data=True)]
    # 3 MEMBER_OF, 3 EVIDENCE, 3 COORDINATED_WITH, 3 POSTED, 3 LINKS_TO, 2 REPOSTED
    # (bob and carol repost P1), ON_SITE, MENTIONS (P1 -> Jane), 2 TARGETS (campaign
    # and newnews -> Jane).
    assert len(kinds) == 21 and kinds.count("REPOSTED") == 2
    assert G.edges[ALICE, BOB, f"{ALICE}>COORDINATED_WITH>{BOB}"]["weight"] == 2.0
    assert G.nodes[P1]["text"] == HOSTILE_TEXT and G.nodes[P1]["time"] == T0 + H
    assert G.graph["runs"]["run:snscrape:aaaaaaaaaaaaaaaa"]["source"] == "captures/tweets.jsonl"
    assert G.graph["public_accounts"] == [JANE_REAL]


def test_lineage_and_query_selections(graph):
    # The three generations, their two tracking IDs, the takedown observation, the
    # report of oldnews and the captured page of newnews (the report sets pages side by side).
    G = selection_graph(graph, lineage=NEW2)
    assert {n for n, d in G.nodes(data=True) if d["kind"] == "Site"} == {OLD, NEW, NEW2}
    assert {d["kind"] for _, d in G.nodes(data=True)} == {"Site", "Identifier", "Observation", "Report", "Post"}
    assert {n for n, d in G.nodes(data=True) if d["kind"] == "Post"} == {PAGE}
    assert G.graph["removed_at"] == {OLD: T0 + 86400}
    # The entities of a query's rows: who targets Jane Doe.
    Q = selection_graph(graph, query="targeting", params={"target": "Jane Doe"})
    assert JANE in Q and ALICE in Q and P1 in Q
    with pytest.raises(InputError, match="no campaign 'campaign:9'"):
        selection_graph(graph, campaign="campaign:9")


def test_gexf_round_trip(graph, tmp_path):
    G = selection_graph(graph, campaign=CAMPAIGN)
    path = write(G, "gexf", tmp_path / "c.gexf")[0]
    text = path.read_text()
    assert 'xmlns="http://gexf.net/1.3"' in text and 'version="1.3"' in text
    assert 'mode="dynamic"' in text and 'timeformat="double"' in text
    back = nx.read_gexf(path)
    assert set(back.nodes) == set(G.nodes) and back.number_of_edges() == G.number_of_edges()
    assert back.nodes[ALICE]["kind"] == "Account" and back.nodes[ALICE]["label"] == "alice"
    assert float(back.nodes[P1]["start"]) == T0 + H
    weights = {(u, v): d["weight"] for u, v, d in back.edges(data=True) if d.get("kind") == "COORDINATED_WITH"}
    assert weights[ALICE, BOB] == 2.0 and weights["account:twitter:bob", CAROL] == 1.0
    # Lists become '; '-joined strings (GEXF has no list type).
    assert back.nodes[CAMPAIGN]["modalities"] == "same_url; repost"
    assert back.nodes[P1]["text"] == HOSTILE_TEXT  # XML-escaped in the file, intact when read


def test_graphml_round_trip(graph, tmp_path):
    G = selection_graph(graph, lineage=NEW)
    path = write(G, "graphml", tmp_path / "l.graphml")[0]
    back = nx.read_graphml(path, force_multigraph=True)
    assert set(back.nodes) == set(G.nodes)
    steps = {(u, v): d for u, v, d in back.edges(data=True) if d["kind"] == "REAPPEARS_AS"}
    assert steps[OLD, NEW]["weight"] == 0.95 and steps[OLD, NEW]["signals"] == "tracking_id; articles"
    # oldnews was taken down at T0+1d: its interval ends there (Gephi timeline).
    assert back.nodes[OLD].get("end") is None or back.nodes[OLD]["end"] == T0 + 86400


def test_csv_lists(graph, tmp_path):
    G = selection_graph(graph, campaign=CAMPAIGN)
    nodes_path, edges_path = write(G, "csv", tmp_path / "campaign.csv")
    assert nodes_path.name == "campaign-nodes.csv" and edges_path.name == "campaign-edges.csv"
    nodes, edges = pd.read_csv(nodes_path), pd.read_csv(edges_path)
    assert list(nodes.columns[:3]) == ["uid", "kind", "label"] and len(nodes) == 10
    assert list(edges.columns[:5]) == ["uid", "src", "dst", "kind", "weight"] and len(edges) == 21
    assert nodes.set_index("uid").loc[P1, "start_iso"] == "2024-03-01T01:00:00Z"


def test_html_is_offline_and_escaped(graph, tmp_path):
    G = selection_graph(graph)  # the whole graph holds both hostile strings
    path = write(G, "html", tmp_path / "g.html")[0]
    page = path.read_text()
    assert "vis.Network" in page and "new vis.DataSet" in page  # the library is inlined
    assert external_loads(page) == []
    assert not re.search(r"<(?:link|script)\b[^>]*(?:href|src)\s*=\s*[\"']?(?:https?:)?//", page, re.I)
    # Neither hostile string appears as markup anywhere in the page.
    for hostile in ("<script>alert(1)</script>", HOSTILE_TITLE, "<img src=x"):
        assert hostile not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page or "\\u0026lt;img src=x" in page


def _vis_data(page: str, name: str) -> list[dict]:
    """The ``nodes`` or ``edges`` vis.DataSet of a pyvis page, as written into its script."""
    found = re.search(name + r" = new vis\.DataSet\(\s*(\[.*?\])\s*\);", page, re.S)
    assert found, f"no {name} DataSet in the page"
    return json.loads(found.group(1))


def test_html_graph_is_laid_out_with_the_legend_colours(graph, tmp_path):
    G = selection_graph(graph, campaign=CAMPAIGN)
    page = write(G, "html", tmp_path / "c.html")[0].read_text()
    nodes, edges = _vis_data(page, "nodes"), _vis_data(page, "edges")
    # Placed by the shared layout and left there: no physics to shake it into a hairball.
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) and n["physics"] is False for n in nodes)
    assert re.search(r'"physics":\s*\{\s*"enabled":\s*false', page)
    assert page == write(G, "html", tmp_path / "again.html")[0].read_text()  # the same drawing each time
    # No edge labels; the relation is in the edge's tooltip.
    assert edges and not any(e.get("label") for e in edges)
    assert all(e["title"].startswith(("MEMBER_OF", "COORDINATED_WITH", "POSTED", "LINKS_TO", "ON_SITE",
                                      "REPOSTED", "MENTIONS", "TARGETS", "EVIDENCE", "REPLIED_TO", "USES"))
               for e in edges)
    # The legend lists the kinds drawn, in the very colours of their nodes.
    legend = dict(re.findall(r'data-kind="([^"]*)" data-colour="([^"]*)"', page))
    kinds = {G.nodes[n["id"]]["kind"]: n["color"] for n in nodes}
    assert legend == kinds and set(legend) == {d["kind"] for _, d in G.nodes(data=True)}
    assert legend["Account"] == SCHEMA.nodes["Account"].colour and "group" not in nodes[0]
    # Node size grows with links in this graph: the campaign's hub alice outsizes the target.
    size = {n["id"]: n["size"] for n in nodes}
    assert size[ALICE] > size[JANE]
    # Labels drawn only where they fit; every name is still in the tooltip.
    assert any(n["label"] for n in nodes) and all(n["title"] for n in nodes)


def test_pseudonymize(graph, tmp_path):
    G = selection_graph(graph, campaign=CAMPAIGN)
    P = pseudonymize(G, b"0123456789abcdef-salt")
    alice = f"account:twitter:{pseudonym(ALICE, b'0123456789abcdef-salt')}"
    assert alice in P and ALICE not in P
    assert P.nodes[alice]["handle"].startswith("anon-") and P.nodes[alice]["display_name"] == P.nodes[alice]["handle"]
    # Posts lose the handle in URLs; the target's real account name stays (public).
    assert "alice" not in P.nodes[P1]["url"] and P.nodes[P1]["account"] == alice
    assert "@janedoe" in P.nodes[P1]["text"]
    everything = repr(list(P.nodes(data=True))) + repr(list(P.edges(keys=True, data=True)))
    for private in ("alice", "Alice Example", "Bob B", "twitter:bob", "Carol C"):
        assert private not in everything, private
    # Stable: the same salt, the same pseudonyms; another salt, others.
    assert set(pseudonymize(G, b"0123456789abcdef-salt").nodes) == set(P.nodes)
    assert set(pseudonymize(G, b"another-salt-0123456").nodes) != set(P.nodes)


def test_salt_sources(tmp_path, monkeypatch):
    monkeypatch.delenv("GRAPHINV_PSEUDONYM_SALT", raising=False)
    monkeypatch.delenv("GRAPHINV_PSEUDONYM_SALT_FILE", raising=False)
    created = []
    salt = load_salt(tmp_path / "s.salt", created.append)
    assert created and load_salt(tmp_path / "s.salt") == salt and len(salt) == 64
    assert oct((tmp_path / "s.salt").stat().st_mode & 0o777) == "0o600"
    monkeypatch.setenv("GRAPHINV_PSEUDONYM_SALT", "from-the-environment")
    assert load_salt(tmp_path / "s.salt") == b"from-the-environment"


def test_cli_export(graph, tmp_path, monkeypatch):
    from graphinv.cli import main
    import graphinv.commands.query_export  # noqa: F401

    uri = graph.uri
    graph.close()
    monkeypatch.setenv("GRAPHINV_PSEUDONYM_SALT", "cli-test-salt-0123456789")
    runner = CliRunner()
    for fmt, name in (("gexf", "c.gexf"), ("graphml", "c.graphml"), ("html", "c.html"),
                      ("report-html", "c.report.html")):
        result = runner.invoke(main, ["export", fmt, "--campaign", CAMPAIGN, "--pseudonymize",
                                      "--out", str(tmp_path / name), "--store", uri])
        assert result.exit_code == 0, result.output
        text = (tmp_path / name).read_text()
        for private in ("account:twitter:alice", "Alice Example", "twitter.com/alice/"):
            assert private not in text, (fmt, private)  # (the inlined vis library names "aliceblue")
    result = runner.invoke(main, ["export", "csv", "--query", "lineage", "--param", f"uid={NEW}",
                                  "--out", str(tmp_path / "csv"), "--store", uri])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "csv" / "nodes.csv")) == 3
    bad = runner.invoke(main, ["export", "gexf", "--campaign", "x", "--lineage", "y", "--out", "z", "--store", uri])
    assert bad.exit_code == 1 and bad.output.strip() == "Error: choose one selection, not --campaign and --lineage"
    assert set(FORMATS) == {"gexf", "graphml", "csv", "html", "report", "report-html", "report-pdf"}
