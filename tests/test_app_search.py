"""The search box: accounts, targets, sites, identifiers and post text, on both stores;
the text is a parameter (never spliced into Cypher) and hits link to entity pages."""

from __future__ import annotations

import pytest

from fixture_graph import ALICE, GA, HOSTILE_TEXT, NEW, P1, build_fixture_graph
from graphinv.app.links import entity_href
from graphinv.app.pages import search


@pytest.fixture
def graph(store):
    build_fixture_graph(store)
    return store


def _uids(found, label):
    return {row["uid"] for row in found.get(label, [])}


def test_search_finds_each_kind_case_insensitively(graph):
    assert ALICE in _uids(search.search(graph, "ALICE"), "Accounts")
    assert NEW in _uids(search.search(graph, "NewNews.Example"), "Sites")
    assert GA in _uids(search.search(graph, "ua-123"), "Tracking IDs")
    assert "target:jane doe" in _uids(search.search(graph, "jane"), "Targets")
    word = HOSTILE_TEXT.split()[0]
    assert P1 in _uids(search.search(graph, word), "Posts and pages")


def test_search_text_is_a_parameter_and_short_text_finds_nothing(graph):
    assert search.search(graph, "x") == {}  # one character would list the whole store
    assert search.search(graph, "' OR 1=1 RETURN n //") == {}
    assert search.search(graph, "}) MATCH (m) DETACH DELETE m //") == {}
    assert graph.counts()["Account"] > 0


def test_search_page_links_every_hit_to_its_entity_page(graph):
    from graphinv.app import AppContext

    page = search.layout(AppContext(graph, graph.uri, graph.backend), {"q": "newnews"})
    links = []

    def walk(node):
        if hasattr(node, "href") and getattr(node, "href", None):
            links.append(node.href)
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if child is not None and not isinstance(child, str):
                walk(child)

    walk(page)
    assert entity_href(NEW) in links and all(link.startswith(("/entity?uid=", "/campaign?uid=")) for link in links)
