"""The drawn graphs (graphinv/app/graph_view.py over graphinv/export/layout.py): node
size by degree, labels that do not overlap, edge labels off, a legend of what is
drawn, a deterministic layout, saved positions, and where the Explorer opens.

The store tests use tests/fixture_graph.py: campaign:0 is alice, bob and carol."""

from __future__ import annotations

import itertools

import pytest

from fixture_graph import ALICE, BOB, CAMPAIGN, CAROL, build_fixture_graph
from graphinv.app import graph_view
from graphinv.app.layout import kind_colour
from graphinv.app.pages import explorer
from graphinv.export import layout


def _node(uid: str, kind: str = "Account", label: str | None = None) -> dict:
    return {"id": uid, "label": label or uid, "group": kind, "colour": kind_colour(kind)}


def _edge(src: str, dst: str, relation: str = "LINKS_TO") -> dict:
    return {"id": f"{src}>{dst}", "source": src, "target": dst, "label": relation}


def _star(leaves: int = 6) -> list[dict]:
    """A hub account linked to ``leaves`` sites, plus one lone hashtag."""
    nodes = [_node("hub")] + [_node(f"site{i}", "Site") for i in range(leaves)] + [_node("tag", "Hashtag")]
    return graph_view.elements(nodes, [_edge("hub", f"site{i}") for i in range(leaves)])


def _by_id(drawn: list[dict]) -> dict[str, dict]:
    return {e["data"]["id"]: e for e in drawn}


def test_node_size_grows_with_degree():
    # In a star the hub has 6 links, each site 1, the hashtag none: three sizes, in that order.
    data = {uid: e["data"] for uid, e in _by_id(_star()).items()}
    assert data["hub"]["size"] == layout.LARGEST and data["tag"]["size"] == layout.SMALLEST
    assert data["hub"]["size"] > data["site0"]["size"] > data["tag"]["size"]
    sizes = layout.node_sizes({"a": 0, "b": 1, "c": 4, "d": 9})
    assert sizes["a"] < sizes["b"] < sizes["c"] < sizes["d"]
    # a square-root scale: 4 links draw a disc of half the span, not 4/9 of it
    assert sizes["c"] == pytest.approx(layout.SMALLEST + (layout.LARGEST - layout.SMALLEST) * 2 / 3, abs=0.1)


def test_legend_names_only_what_is_drawn_in_its_colours():
    drawn = _star()
    items = graph_view.legend_items(drawn)
    assert [kind for kind, _ in items] == ["Account", "Hashtag", "Site"]  # no Post, Url…: none drawn
    assert all(colour == kind_colour(kind) for kind, colour in items)
    drawn_colours = {(e["data"]["group"], e["data"]["colour"]) for e in drawn if "source" not in e["data"]}
    assert set(items) == drawn_colours


def test_edge_labels_are_off_until_asked_for():
    def edge_labels(sheet):
        return [rule["style"]["label"] for rule in sheet if rule["selector"].startswith("edge") and
                "label" in rule["style"]]

    assert set(edge_labels(graph_view.stylesheet())) == {""}
    assert edge_labels(graph_view.stylesheet(edge_labels=True))[-1] == "data(label)"
    # the relation travels with the edge, for the toggle and the hover
    assert {e["data"]["label"] for e in _star() if "source" in e["data"]} == {"LINKS_TO"}


def test_the_layout_is_deterministic_and_ignores_input_order():
    nodes = [_node(f"n{i}") for i in range(12)]
    edges = [_edge(f"n{i}", f"n{(i * 5) % 12}") for i in range(12)]
    first = graph_view.positions(graph_view.elements(nodes, edges))
    again = graph_view.positions(graph_view.elements(list(reversed(nodes)), list(reversed(edges))))
    assert first == again and len(first) == 12


def test_nodes_and_labels_do_not_overlap():
    # A dense group (a campaign whose members all co-acted) and a chain hanging off it.
    nodes = [_node(f"member-{i}") for i in range(14)] + [_node(f"site-{i}", "Site") for i in range(10)]
    edges = [_edge(f"member-{a}", f"member-{b}") for a, b in itertools.combinations(range(14), 2)]
    edges += [_edge(f"member-{i}", f"site-{i}") for i in range(10)]
    drawn = graph_view.elements(nodes, edges)
    data = [e for e in drawn if "source" not in e["data"]]
    for a, b in itertools.combinations(data, 2):
        dx, dy = a["position"]["x"] - b["position"]["x"], a["position"]["y"] - b["position"]["y"]
        assert (dx * dx + dy * dy) ** 0.5 >= (a["data"]["size"] + b["data"]["size"]) / 2, (a, b)
    shown = [e for e in data if e["data"]["labelled"]]
    assert 1 <= len(shown) <= layout.TOP_LABELS

    def box(e):  # the label under the node, as graphinv.export.layout.labelled measures it
        width = 0.6 * layout.LABEL_FONT * len(e["data"]["label"]) + 4
        top = e["position"]["y"] + e["data"]["size"] / 2 + 2
        return e["position"]["x"] - width / 2, top, e["position"]["x"] + width / 2, top + 1.4 * layout.LABEL_FONT

    for a, b in itertools.combinations(map(box, shown), 2):
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_positions_round_trip_and_saved_ones_win():
    drawn = _star()
    where = graph_view.positions(drawn)
    assert graph_view.positions(graph_view.apply_positions(drawn, where)) == where
    moved = graph_view.apply_positions(drawn, {"hub": [500, -40], "not-drawn": [1, 1]})
    assert graph_view.positions(moved) == {**where, "hub": [500.0, -40.0]}
    assert graph_view.positions(drawn)["hub"] == where["hub"]  # the original is not changed
    assert len(moved) == len(drawn)


def test_a_growing_drawing_keeps_what_is_placed():
    before = _star(3)
    where = graph_view.positions(before)
    nodes = [_node("hub")] + [_node(f"site{i}", "Site") for i in range(6)] + [_node("tag", "Hashtag")]
    after = graph_view.positions(graph_view.elements(nodes, [_edge("hub", f"site{i}") for i in range(6)],
                                                     fixed=where))
    assert all(after[uid] == where[uid] for uid in where)
    hub = after["hub"]
    for new in ("site3", "site4", "site5"):  # placed near the node they hang on, not anywhere
        assert abs(after[new][0] - hub[0]) + abs(after[new][1] - hub[1]) < 6 * layout.SPACING


def test_the_panel_has_its_controls_and_a_preset_layout():
    panel = graph_view.panel("g", _star(), filename="campaign:0 network")
    found = {}

    def walk(component):
        if getattr(component, "id", None):
            found[component.id] = component
        children = getattr(component, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if child is not None and not isinstance(child, str):
                walk(child)

    walk(panel)
    names = graph_view.GraphIds("g")
    assert {names.edge_labels, names.png, names.svg, names.legend, "g"} <= set(found)
    assert found["g"].layout["name"] == "preset"
    assert found[names.filename].data == "campaign-0-network"
    sheets = found[names.stylesheets].data
    assert sheets["off"] == graph_view.stylesheet() and sheets["on"] == graph_view.stylesheet(True)


# -- where the Explorer opens (both stores) ------------------------------------------------------
@pytest.fixture
def graph(store):
    build_fixture_graph(store)
    return store


def test_explorer_opens_on_the_largest_campaign(graph):
    state, note, selection, focus = explorer.opening(graph, {})
    assert note.startswith("Nothing searched yet: the largest campaign, newnews.example push")
    assert {CAMPAIGN, ALICE, BOB, CAROL} <= set(state["nodes"]) and selection == {"campaign": CAMPAIGN}
    drawn = explorer._elements(state)
    assert graph_view.legend_items(drawn)[0] == ("Account", kind_colour("Account"))


def test_explorer_opens_on_an_entity(graph):
    state, note, selection, focus = explorer.opening(graph, {"uid": ALICE})
    assert focus == ALICE and "neighbours match the filters" in note and len(state["nodes"]) > 1
    assert explorer.opening(graph, {"uid": "account:twitter:nobody"})[1].startswith("account:twitter:nobody is not")
    # a search starts on an empty canvas: the results are what it is for
    assert explorer.opening(graph, {"q": "alice"})[0]["nodes"] == {}


def test_explorer_without_campaigns_opens_on_the_best_connected_entity(graph):
    graph.query("MATCH (c:Campaign) DETACH DELETE c", write=True)
    state, note, selection, focus = explorer.opening(graph, {})
    assert note.startswith("Nothing searched yet, and no campaign in this store: the best connected entity.")
    assert focus is not None and focus in state["nodes"]
