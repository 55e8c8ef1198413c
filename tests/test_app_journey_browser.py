"""The journalist's path through the app, clicked in Chromium on both stores.

From the overview to a campaign, one of its members, one of that member's co-actions,
the post, its capture, and the captured page it links to replayed in a sandboxed frame
(whose text is the captured article's); and from a lineage to the two sites' captured
pages side by side. The store is the demo (tests/test_app_browser.py builds it) plus
a hostile captured page whose script would retitle it: replayed, it keeps its title.
Screenshots of every page on the way go to tests/artifacts/journey-*.png.
"""

from __future__ import annotations

import io
import time
from urllib.parse import quote

import pandas as pd
import pytest

from test_app_browser import AppServer, build_demo_store, full_shot, make_driver, severe_logs, wait_for, wait_rendered

pytestmark = pytest.mark.browser
HOSTILE_CAPTURE = "capture:hostile-journey:0"
HOSTILE_PAGE = (b"<html><head><title>Kept title</title><script>document.title = 'PWNED'; "
                b"document.body.innerHTML = '<h1>PWNED</h1>';</script></head>"
                b"<body><h1>Captured words</h1></body></html>")


def _add_hostile_page(uri: str, folder) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from graphinv.store import open_store

    path = folder / "hostile.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://hostile.example/", "response",
                                                      payload=io.BytesIO(HOSTILE_PAGE), http_headers=headers))
        length = handle.tell()
    with open_store(uri) as store:
        store.upsert_nodes("Capture", pd.DataFrame([{
            "uid": HOSTILE_CAPTURE, "format": "warc", "source_file": str(path), "offset": 0, "length": length,
            "url": "https://hostile.example/", "captured_at": 1774000000, "time_source": "WARC-Date"}]))


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def journey(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("journey")
    uri = f"embedded:{folder / 'graph.lbug'}" if request.param == "embedded" else \
        request.getfixturevalue("neo4j_server").uri
    build_demo_store(uri)
    _add_hostile_page(uri, folder)
    server = AppServer(uri)
    driver = make_driver()
    driver.set_window_size(1440, 900)
    yield request.param, server, driver
    driver.quit()
    server.stop()


def _go(driver, element) -> None:
    """Click a link or cell and wait for the next page."""
    before = driver.current_url
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()
    wait_for(driver, lambda d: d.current_url != before)
    wait_rendered(driver)
    time.sleep(0.5)


def _frame_text(driver, frame_id: str) -> tuple[str, str]:
    """The body text and title of the sandboxed frame ``frame_id``."""
    from selenium.webdriver.common.by import By

    frame = wait_for(driver, lambda d: d.find_element(By.ID, frame_id))
    driver.switch_to.frame(frame)
    try:
        body = wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "body").text.strip() and
                        d.find_element(By.TAG_NAME, "body").text)
        title = driver.find_element(By.TAG_NAME, "title").get_attribute("textContent")
        return body, title
    finally:
        driver.switch_to.default_content()


def test_from_the_overview_to_the_captured_page(journey):
    from selenium.webdriver.common.by import By

    backend, server, driver = journey
    driver.get(server.url + "/")
    wait_rendered(driver)
    _go(driver, wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#overview-campaigns tbody tr a")))
    assert "/campaign?uid=" in driver.current_url
    full_shot(driver, f"journey-{backend}-1-campaign")
    # a member that took part in the co-actions (amplified accounts only reposted them)
    roles = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR,
                                                       "#campaign-members td[data-dash-column='role']"))
    row = next(c.get_attribute("data-dash-row") for c in roles if c.text != "amplified")
    _go(driver, driver.find_element(By.CSS_SELECTOR, f"#campaign-members td[data-dash-column='handle']"
                                                     f"[data-dash-row='{row}']"))
    assert "/entity?uid=account" in driver.current_url
    full_shot(driver, f"journey-{backend}-2-member")
    post_link = wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR,
                                                          "#entity-coactions tbody tr td:nth-child(3) a"))
    _go(driver, post_link)
    assert "/entity?uid=post" in driver.current_url
    full_shot(driver, f"journey-{backend}-3-post")
    post_page = driver.current_url
    post_id = post_page.rsplit("%3A", 1)[-1]
    _go(driver, driver.find_element(By.ID, "entity-open-capture"))
    assert "/capture?uid=capture" in driver.current_url
    # the line or row the post was read from (indented JSON, or a CSV row under its header)
    assert post_id in driver.find_element(By.ID, "capture-content").text
    full_shot(driver, f"journey-{backend}-4-capture")
    driver.get(post_page)
    wait_rendered(driver)
    _go(driver, wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#entity-linked-pages a.linked-capture")))
    body, title = _frame_text(driver, "capture-frame")
    assert "harbour" in body.lower() and "2.4 million" in body
    full_shot(driver, f"journey-{backend}-5-replayed-page")
    assert severe_logs(driver) == []


def test_from_a_lineage_to_the_two_sites_side_by_side(journey):
    from selenium.webdriver.common.by import By

    backend, server, driver = journey
    site = server.app.server.config["GRAPHINV_CONTEXT"].store.query(
        "MATCH (a:Site)-[:REAPPEARS_AS]->(b:Site) RETURN a.uid AS uid ORDER BY uid LIMIT 1")["uid"].iloc[0]
    driver.get(server.url + "/lineages?uid=" + quote(site, safe=""))
    wait_rendered(driver)
    full_shot(driver, f"journey-{backend}-6-lineage")
    _go(driver, wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#lineage-steps a.compare-sites")))
    assert "/compare?" in driver.current_url
    assert driver.find_elements(By.CSS_SELECTOR, ".compare-text mark.shared")  # the passages both sites carry
    left, _ = _frame_text(driver, "compare-left-frame")
    right, _ = _frame_text(driver, "compare-right-frame")
    assert left.strip() and right.strip() and left != right
    full_shot(driver, f"journey-{backend}-7-side-by-side")
    assert severe_logs(driver) == []


def test_a_hostile_captured_page_keeps_its_title(journey):
    backend, server, driver = journey
    driver.get(server.url + "/capture?uid=" + quote(HOSTILE_CAPTURE, safe=""))
    wait_rendered(driver)
    body, title = _frame_text(driver, "capture-frame")
    assert title == "Kept title" and "Captured words" in body and "PWNED" not in body
    assert driver.execute_script("return document.title") != "PWNED"
    full_shot(driver, f"journey-{backend}-hostile-capture")
