"""A journalist keeps a case, clicked in Chromium on both stores: she opens a case,
pins a campaign, tags it "false positive" with a note, saves the network as she
arranged it, reloads and finds all of it, on the campaign page and the case's page.
The app holds the store read-only throughout; each entry is written for a moment.
Screenshots: tests/artifacts/case-*.png at 1440×900 and 390×844.
"""

from __future__ import annotations

import time

import pytest

from fixture_graph import CAMPAIGN, build_fixture_graph
from graphinv import cases
from graphinv.store import open_store
from test_app_browser import AppServer, backend_uri, make_driver, severe_logs, shot, wait_for, wait_rendered

pytestmark = pytest.mark.browser
NAME = "Harassment of Jane Doe"
NOTE = "Same newsroom: these three share an office. <b>not bold</b>"


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def app(request, tmp_path_factory):
    uri = backend_uri(request, tmp_path_factory, "cases")
    with open_store(uri) as store:
        store.clear()
        build_fixture_graph(store)
    server = AppServer(uri)
    driver = make_driver()
    driver.set_window_size(1440, 900)
    yield request.param, server, driver
    driver.quit()
    server.stop()


def _open(driver, server, path: str) -> None:
    driver.get(server.url + path)
    wait_rendered(driver)


def _choose(driver, dropdown: str, text: str) -> None:
    """Pick ``text`` in the dcc.Dropdown ``dropdown`` as a user does: open it, click the option."""
    driver.find_element("id", dropdown).click()
    option = wait_for(driver, lambda d: next((o for o in d.find_elements("css selector", "[role=option]")
                                              if o.text.strip() == text), None))
    option.click()


def _status(driver) -> str:
    return wait_for(driver, lambda d: d.find_element("id", "case-status").text.strip() or None)


def test_a_case_with_a_pin_a_tag_a_note_and_a_view_survives_a_reload(app):
    backend, server, driver = app
    _open(driver, server, "/cases")
    driver.find_element("id", "case-new-name").send_keys(NAME)
    driver.find_element("id", "case-author").send_keys("ana")
    driver.find_element("id", "case-create").click()
    wait_for(driver, lambda d: "/case?uid=" in d.current_url)
    wait_rendered(driver)
    assert driver.find_element("css selector", "#page h1").text == NAME

    _open(driver, server, "/campaign?uid=campaign%3A0")
    # The name typed on the cases page is remembered by this browser.
    assert driver.find_element("id", "case-author").get_attribute("value") == "ana"
    _choose(driver, "case-pick", NAME)
    driver.find_element("id", "case-pin").click()
    assert _status(driver).startswith("Pinned")
    _choose(driver, "case-tag", "false positive")
    driver.find_element("id", "case-tag-button").click()
    wait_for(driver, lambda d: "Tagged" in d.find_element("id", "case-status").text)
    driver.find_element("id", "case-note").send_keys(NOTE)
    driver.find_element("id", "case-note-button").click()
    wait_for(driver, lambda d: "Note added" in d.find_element("id", "case-status").text)
    driver.find_element("id", "campaign-save-view").click()
    wait_for(driver, lambda d: "Saved" in d.find_element("id", "campaign-save-view-status").text)

    driver.refresh()
    wait_rendered(driver)
    said = wait_for(driver, lambda d: d.find_element("css selector", ".case-existing").text)
    assert "false positive" in said and NAME in said and NOTE in said
    shot(driver, f"case-campaign-{backend}")

    _open(driver, server, "/cases")
    driver.find_element("link text", NAME).click()
    wait_for(driver, lambda d: "/case?uid=" in d.current_url)
    wait_rendered(driver)
    page = driver.find_element("id", "case-page").text
    assert "newnews.example push" in page and "false positive" in page
    notes = driver.find_element("id", "case-notes").text
    assert NOTE in notes and "ana" in notes  # the note as written: text, not HTML
    assert driver.find_elements("css selector", "#case-notes b") == []
    view = wait_for(driver, lambda d: d.find_element("id", "case-view"))
    assert view.size["height"] > 300
    assert severe_logs(driver) == []
    shot(driver, f"case-page-{backend}")
    driver.set_window_size(390, 844)
    try:
        time.sleep(0.6)
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
        shot(driver, f"case-page-phone-{backend}")
    finally:
        driver.set_window_size(1440, 900)

    # What the browser did is in the store, as entries of the case.
    store = server.app.server.config["GRAPHINV_CONTEXT"].store
    case = cases.load(store, NAME)
    assert case.pins["about"].tolist() == [CAMPAIGN]
    assert case.tags[["about", "tag", "author"]].values.tolist() == [[CAMPAIGN, "false positive", "ana"]]
    positions = {e["data"]["id"]: e.get("position") for e in case.view["elements"] if "source" not in e["data"]}
    assert positions and all(p and {"x", "y"} <= set(p) for p in positions.values())
    assert store.read_only


def _stat(driver, label: str) -> str | None:
    """The value of the stat box ``label``; None while the page is not drawn yet."""
    for box in driver.find_elements("css selector", ".stat"):
        if box.find_element("css selector", ".stat-label").text == label:
            return box.find_element("css selector", ".stat-value").text
    return None


def test_a_time_range_narrows_the_campaign_page_and_stays_in_its_link(app):
    """From and To narrow the co-actions, the timeline and the evidence together; the
    range is in the URL, so a reload or a shared link shows the same span."""
    backend, server, driver = app
    _open(driver, server, "/campaign?uid=campaign%3A0")
    wait_for(driver, lambda d: _stat(d, "co-actions") == "5")
    driver.find_element("id", "time-from").send_keys("2024-03-01T00:30")
    driver.find_element("id", "time-to").send_keys("2024-03-01 01:30")
    driver.find_element("id", "time-apply").click()
    wait_for(driver, lambda d: "from=2024-03-01T00" in d.current_url and _stat(d, "co-actions") == "3")
    points = driver.execute_script("return document.getElementById('campaign-timeline')"
                                   ".querySelectorAll('.strip-mark').length")
    assert points == 3
    assert "showing 2024-03-01 00:30Z → 2024-03-01 01:30Z" in driver.find_element("id", "time-range").text
    shot(driver, f"time-range-{backend}")
    driver.refresh()
    wait_rendered(driver)
    wait_for(driver, lambda d: _stat(d, "co-actions") == "3")
    driver.find_element("id", "time-clear").click()
    wait_for(driver, lambda d: "from=" not in d.current_url and _stat(d, "co-actions") == "5")
