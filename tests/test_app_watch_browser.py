"""The /watch page in a real browser (headless chromium via selenium), once per store.

The store holds the watch story of tests/test_watch_queries.py (a site that moved to
new-site.test, one taken down, one back, a Telegram channel whose handle is a
``<script>``, a paused watch). The app, the browser and the helpers are those of
tests/test_app_browser.py. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

from graphinv.store import open_store
from test_app_browser import (AppServer, _assert_no_script_ran, backend_uri, full_shot, make_driver, open_page,
                              severe_logs, wait_for, wait_rendered)
from test_watch_queries import (CHANNEL, FLAKY, GONE, HOSTILE_HANDLE, NEW, OLD, PAUSED, SHA_MOVED, WARC, WATCHED,
                                build_watch_graph)

pytestmark = pytest.mark.browser


def _build(uri: str) -> None:
    with open_store(uri) as store:
        store.clear()
        build_watch_graph(store)


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def watch_uri(request, tmp_path_factory):
    uri = backend_uri(request, tmp_path_factory, "watch-store")
    _build(uri)
    return request.param, uri


@pytest.fixture(scope="module")
def server(watch_uri):
    running = AppServer(watch_uri[1])
    yield running
    running.stop()


@pytest.fixture(scope="module")
def driver(server):
    opened = make_driver()
    yield opened
    opened.quit()


def watch_rows(driver) -> dict[str, dict]:
    """The rows of the watchlist table, by the entity uid of the name link."""
    from selenium.webdriver.common.by import By

    out = {}
    for tr in driver.find_elements(By.CSS_SELECTOR, "#watch-table tbody tr"):
        link = tr.find_element(By.CSS_SELECTOR, "a.watch-entity")
        cells = tr.find_elements(By.TAG_NAME, "td")
        status = cells[3].find_elements(By.CSS_SELECTOR, ".badge-status")
        out[link.get_attribute("title")] = {
            "name": link.text, "url": cells[1].text, "checked": cells[2].text,
            "status": status[0].get_attribute("data-value") if status else None,
            "change": cells[4].text, "final": cells[5].text, "row": tr}
    return out


def test_watch_page_lists_the_watched_with_their_statuses(driver, server, watch_uri):
    from selenium.webdriver.common.by import By

    driver.get_log("browser")  # drop what earlier tests left
    open_page(driver, server, "/watch")
    assert driver.find_element(By.CSS_SELECTOR, "#page h1").text == "Watchlist"
    assert driver.find_element(By.ID, "nav-watchlist").get_attribute("href").endswith("/watch")
    got = wait_for(driver, lambda d: len(watch_rows(d)) == len(WATCHED) and watch_rows(d))
    assert [uid for uid in got] == [CHANNEL, FLAKY, GONE, OLD, PAUSED]  # ordered by entity
    assert {uid: row["status"] for uid, row in got.items()} == {
        CHANNEL: "active", FLAKY: "active", GONE: "not_found", OLD: "moved", PAUSED: None}
    assert got[OLD]["checked"] == "2026-03-04 00:00Z" and got[OLD]["final"] == "https://new-site.test:8123/"
    assert got[GONE]["change"] == "unchanged" and got[GONE]["final"] == "dns: gone.test: no such host"
    assert got[FLAKY]["change"] == "back" and got[PAUSED]["checked"] == "not yet"
    summary = driver.find_element(By.ID, "watch-summary").text
    assert summary == "5 watched · 1 down · 1 moved · last run 2026-03-04 00:00Z"
    full_shot(driver, f"{watch_uri[0]}-watch")
    assert severe_logs(driver) == []


def test_timeline_draws_one_marker_per_check(driver, server):
    open_page(driver, server, "/watch")
    wait_for(driver, lambda d: d.find_elements("css selector", "#watch-timeline .strip-track"))
    checks = sum(len(c) for _url, c in WATCHED.values())
    points = wait_for(driver, lambda d: d.execute_script(
        "return document.querySelectorAll('#watch-timeline .strip-mark').length") == checks)
    assert points
    # one row per watched entity, the hostile handle as text
    labels = driver.execute_script(
        "return Array.from(document.querySelectorAll('#watch-timeline .strip-label')).map(t => t.textContent)")
    assert sorted(labels) == sorted([HOSTILE_HANDLE, "flaky.test", "gone.test", "old-site.test", "paused.test"])
    assert severe_logs(driver) == []


def test_a_moved_site_links_to_its_successor_and_lineage(driver, server):
    from selenium.webdriver.common.by import By

    open_page(driver, server, "/watch")
    row = wait_for(driver, lambda d: watch_rows(d)[OLD]["row"])
    successor = row.find_element(By.CSS_SELECTOR, "a.successor-link")
    assert successor.text == "new-site.test"
    assert successor.get_attribute("href").endswith("/watch?uid=" + quote(NEW, safe=""))
    lineage = row.find_element(By.CSS_SELECTOR, "a.lineage-link")
    assert lineage.get_attribute("href").endswith("/lineages?uid=" + quote(NEW, safe=""))
    # the Changes list, newest first: the move links to where it went
    changes = driver.find_elements(By.CSS_SELECTOR, "#watch-changes li.watch-change")
    assert [li.get_attribute("data-change") for li in changes] == ["moved", "content_changed", "back", "taken_down"]
    assert "https://new-site.test:8123/" in changes[0].text
    assert changes[0].find_element(By.CSS_SELECTOR, "a.successor-link").text == "new-site.test"
    assert "dns: gone.test: no such host" in changes[3].text
    # the lineage link opens the lineage through new-site.test
    changes[0].find_element(By.CSS_SELECTOR, "a.lineage-link").click()
    wait_for(driver, lambda d: "/lineages?uid=" in d.current_url)
    wait_rendered(driver)
    assert "old-site.test" in wait_for(driver, lambda d: d.find_element(By.ID, "lineage-steps").text)
    assert severe_logs(driver) == []


def test_evidence_of_one_entity_lists_its_observations_with_file_and_offset(driver, server, watch_uri):
    from selenium.webdriver.common.by import By

    open_page(driver, server, "/watch")
    wait_for(driver, lambda d: watch_rows(d)[OLD]["row"]).find_element(By.CSS_SELECTOR, "a.watch-entity").click()
    wait_for(driver, lambda d: d.current_url.endswith("/watch?uid=" + quote(OLD, safe="")))
    wait_rendered(driver)
    table = wait_for(driver, lambda d: d.find_element(By.ID, "watch-evidence-table"))
    assert "Evidence: old-site.test" in driver.find_element(By.ID, "watch-evidence").text
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    # three checks, and the about page's response record: the WARC observation of its URL
    # and the captured page are one capture, shown once
    assert len(rows) == 4
    cells = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")] for tr in rows]
    assert [c[0] for c in cells[:3]] == ["2026-03-04 00:00:00Z", "2026-03-03 00:00:00Z", "2026-03-01 00:00:00Z"]
    moved = cells[1]
    assert moved[1] == "observation" and moved[2] == "https://old-site.test/" and moved[3] == "301"
    assert moved[7] == f"{WARC}@1234"
    sha = rows[1].find_element(By.CSS_SELECTOR, ".sha")
    assert sha.text == SHA_MOVED[:12] + "…" and sha.get_attribute("title") == SHA_MOVED
    assert cells[3][1] == "observation" and cells[3][7] == "captures/sites.warc.gz@555"
    full_shot(driver, f"{watch_uri[0]}-watch-evidence")
    assert severe_logs(driver) == []


def test_a_hostile_handle_is_shown_as_text(driver, server):
    from selenium.webdriver.common.by import By

    open_page(driver, server, "/watch")
    got = wait_for(driver, lambda d: watch_rows(d))
    assert got[CHANNEL]["name"] == HOSTILE_HANDLE
    time.sleep(0.8)
    _assert_no_script_ran(driver)
    open_page(driver, server, "/watch?uid=" + quote(CHANNEL, safe=""))
    evidence = wait_for(driver, lambda d: d.find_element(By.ID, "watch-evidence"))
    assert f"Evidence: {HOSTILE_HANDLE}" in evidence.text
    assert len(evidence.find_elements(By.CSS_SELECTOR, "#watch-evidence-table tbody tr")) == 2
    time.sleep(0.5)
    _assert_no_script_ran(driver)
    assert severe_logs(driver) == []


def test_an_empty_store_says_how_to_start(driver, watch_uri, tmp_path):
    from selenium.webdriver.common.by import By

    backend, uri = watch_uri
    empty_uri = f"embedded:{tmp_path / 'empty.lbug'}" if backend == "embedded" else uri
    if backend == "embedded":
        open_store(empty_uri).close()  # create the empty database
    else:
        with open_store(uri) as store:
            store.clear()
    empty_server = AppServer(empty_uri)
    try:
        open_page(driver, empty_server, "/watch")
        message = wait_for(driver, lambda d: d.find_element(By.ID, "watch-empty")).text
        assert message == "Nothing is watched yet: `graphinv watch add URL…` then `graphinv watch run`"
        assert not driver.find_elements(By.ID, "watch-table")
        assert severe_logs(driver) == []
    finally:
        empty_server.stop()
        if backend == "neo4j":
            _build(uri)  # the module's other tests share this Neo4j
