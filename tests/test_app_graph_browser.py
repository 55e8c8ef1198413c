"""The drawn graphs in a real browser (headless Chromium): the Explorer opens on the
largest campaign instead of an empty canvas, edge labels are off until ticked, labels
show on hover, expanding a node keeps the others where they are, the legend is the
drawn colours, and PNG/SVG download the current view. Screenshots at 1440×900 and
390×844 go to tests/artifacts/graph-*.png.

The store, the server and the browser come from tests/test_app_browser.py.
"""

from __future__ import annotations

import time

import pytest

from test_app_browser import (AppServer, backend_uri, build_demo_store, make_driver, severe_logs, shot, wait_for,
                              wait_rendered)

pytestmark = pytest.mark.browser

EXPLORER, CAMPAIGN = "explorer-graph", "campaign-network"
# The Cytoscape instance drawing the graph whose element has this id.
CY = "const cy = document.getElementById(arguments[0])._cyreg.cy;"


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def served(request, tmp_path_factory):
    uri = backend_uri(request, tmp_path_factory, "graph-store")
    build_demo_store(uri)
    server = AppServer(uri)
    yield request.param, server
    server.stop()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("graph-downloads")


@pytest.fixture(scope="module")
def driver(served, downloads):
    opened = make_driver(downloads)
    yield opened
    opened.quit()


def _open(driver, server, path: str, graph: str, size=(1440, 900)) -> None:
    driver.set_window_size(*size)
    driver.get(server.url + path)
    wait_rendered(driver)
    wait_for(driver, lambda d: d.execute_script(
        CY + "return cy.nodes().length > 0 && cy.nodes()[0].renderedWidth() > 0", graph))
    driver.execute_script("document.getElementById(arguments[0]).scrollIntoView({block: 'center'})", graph)
    time.sleep(0.8)  # the fit and the first frame


def _nodes(driver, graph: str) -> list[dict]:
    return driver.execute_script(CY + """return cy.nodes().map(n => ({id: n.id(), data: n.data(),
        label: n.style('label'), x: n.position('x'), y: n.position('y'),
        screen: n.renderedPosition(), width: n.width()}));""", graph)


def _edge_labels(driver, graph: str) -> list[str]:
    return driver.execute_script(CY + "return cy.edges().map(e => e.style('label'));", graph)


def _inked_pixels(driver, graph: str) -> int:
    """How many pixels of the graph's canvases hold something drawn."""
    return driver.execute_script("""
        let inked = 0;
        for (const canvas of document.getElementById(arguments[0]).querySelectorAll('canvas')) {
            if (!canvas.width || !canvas.height) continue;
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked++;
        }
        return inked;""", graph)


def _legend(driver, graph: str, title: str) -> dict[str, str]:
    """label → colour (rgb(…) as the browser computes it) of one legend of a graph."""
    return driver.execute_script("""
        const out = {};
        for (const legend of document.getElementById(arguments[0] + '-legend').querySelectorAll('.legend')) {
            if (legend.querySelector('.legend-title').textContent !== arguments[1]) continue;
            for (const item of legend.querySelectorAll('.legend-item')) {
                const mark = item.firstElementChild;
                out[item.lastElementChild.textContent] = getComputedStyle(mark).color;
            }
        }
        return out;""", graph, title)


def _rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(value[i:i + 2], 16) for i in (0, 2, 4)))


def _click_node(driver, graph: str, node: dict, hover_only: bool = False) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    box = driver.find_element("id", graph)
    size = box.size
    # Selenium offsets are from the element's centre; Cytoscape's rendered ones from its corner.
    dx = int(node["screen"]["x"] - size["width"] / 2)
    dy = int(node["screen"]["y"] - size["height"] / 2)
    actions = ActionChains(driver).move_to_element(box).move_by_offset(dx, dy)
    (actions if hover_only else actions.click()).perform()


def test_explorer_opens_on_a_drawing_and_exports_the_view(driver, served, downloads):
    backend, server = served
    driver.get_log("browser")
    _open(driver, server, "/explorer", EXPLORER)
    note = driver.find_element("id", "explorer-note").text
    assert note.startswith("Nothing searched yet: the largest campaign")
    assert _inked_pixels(driver, EXPLORER) > 1000
    nodes = _nodes(driver, EXPLORER)
    campaign = [n for n in nodes if n["data"]["group"] == "Campaign"]
    assert len(campaign) == 1 and len(nodes) > 5
    # Size by degree: the campaign is linked to every account drawn, each account to it alone.
    assert campaign[0]["width"] == max(n["width"] for n in nodes) > min(n["width"] for n in nodes)
    # Only the labels that fit are drawn; the rest show on hover.
    assert {n["id"] for n in nodes if n["label"]} == {n["id"] for n in nodes if n["data"]["labelled"]}
    # Hovering a node adds a rule showing its full name; leaving it takes the rule away.
    hovered = campaign[0]["id"]

    def hover_rule(d):
        return d.execute_script(CY + "return cy.style().json().some(r => r.selector.includes(arguments[1]))",
                                EXPLORER, hovered)

    _click_node(driver, EXPLORER, campaign[0], hover_only=True)
    wait_for(driver, hover_rule)
    assert driver.execute_script(CY + "return cy.getElementById(arguments[1]).style('label')",
                                 EXPLORER, hovered) == campaign[0]["data"]["name"]
    _click_node(driver, EXPLORER, {"screen": {"x": 8, "y": 8}}, hover_only=True)  # an empty corner
    wait_for(driver, lambda d: not hover_rule(d))
    # The legend is what is drawn, in the colours drawn.
    legend = _legend(driver, EXPLORER, "Node kinds")
    assert legend == {n["data"]["group"]: _rgb(n["data"]["colour"]) for n in nodes}
    # Edge labels: off, then on with the box.
    assert set(_edge_labels(driver, EXPLORER)) == {""}
    driver.find_element("css selector", "#explorer-graph-edge-labels input").click()
    wait_for(driver, lambda d: set(_edge_labels(d, EXPLORER)) == {"MEMBER_OF"})
    shot(driver, f"graph-explorer-{backend}")
    # The view as it is now, as images made in the browser.
    driver.find_element("id", "explorer-graph-png").click()
    png = wait_for(driver, lambda d: [p for p in downloads.glob("graphinv-explorer*.png") if p.stat().st_size])
    assert png[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    driver.find_element("id", "explorer-graph-svg").click()
    svg = wait_for(driver, lambda d: [p for p in downloads.glob("graphinv-explorer*.svg") if p.stat().st_size])
    text = svg[0].read_text("utf-8")
    assert "<svg" in text and "MEMBER_OF" in text  # the edge labels were on: the image is the view
    assert severe_logs(driver) == []


def test_expanding_keeps_the_drawing_in_place(driver, served):
    backend, server = served
    _open(driver, server, "/explorer", EXPLORER)
    before = {n["id"]: (n["x"], n["y"]) for n in _nodes(driver, EXPLORER)}
    account = next(n for n in _nodes(driver, EXPLORER) if n["data"]["group"] == "Account")
    _click_node(driver, EXPLORER, account)
    wait_for(driver, lambda d: "neighbours match" in d.find_element("id", "explorer-note").text)
    wait_for(driver, lambda d: len(_nodes(d, EXPLORER)) > len(before))
    after = {n["id"]: (n["x"], n["y"]) for n in _nodes(driver, EXPLORER)}
    assert all(abs(after[uid][0] - x) < 1 and abs(after[uid][1] - y) < 1 for uid, (x, y) in before.items())
    assert severe_logs(driver) == []


def test_explorer_opens_on_an_entity_from_its_link(driver, served):
    from graphinv.app.links import explore_href

    backend, server = served
    store = server.app.server.config["GRAPHINV_CONTEXT"].store
    uid = store.query("MATCH (a:Account)-[:MEMBER_OF]->(:Campaign) RETURN a.uid AS uid ORDER BY uid LIMIT 1").iloc[0, 0]
    _open(driver, server, explore_href(uid), EXPLORER)
    assert "neighbours match the filters" in driver.find_element("id", "explorer-note").text
    assert uid in {n["id"] for n in _nodes(driver, EXPLORER)}
    assert uid in driver.find_element("id", "explorer-detail").text
    driver.set_window_size(390, 844)
    time.sleep(0.8)
    driver.execute_script("document.getElementById(arguments[0]).scrollIntoView({block: 'center'})", EXPLORER)
    time.sleep(0.5)
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
    assert _inked_pixels(driver, EXPLORER) > 500
    shot(driver, f"graph-explorer-{backend}-phone")


def test_campaign_network_sizes_and_legend(driver, served):
    backend, server = served
    _open(driver, server, "/campaign?uid=campaign%3A0", CAMPAIGN)
    nodes = _nodes(driver, CAMPAIGN)
    assert max(n["width"] for n in nodes) > min(n["width"] for n in nodes)  # members outsize amplified accounts
    assert _legend(driver, CAMPAIGN, "Fill: role") == {n["data"]["group"]: _rgb(n["data"]["colour"]) for n in nodes}
    assert _legend(driver, CAMPAIGN, "Ring: main modality") == {
        n["data"]["modality"]: _rgb(n["data"]["border"]) for n in nodes}
    assert set(_edge_labels(driver, CAMPAIGN)) == {""}
    shot(driver, f"graph-campaign-{backend}")
    _open(driver, server, "/campaign?uid=campaign%3A0", CAMPAIGN, size=(390, 844))
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
    shot(driver, f"graph-campaign-{backend}-phone")
    driver.set_window_size(1440, 1100)
    assert severe_logs(driver) == []
