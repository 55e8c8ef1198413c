"""The /report intake form in a real browser (headless chromium via selenium), once per
store: a tweet on a local x.com (tests/http_sites.py) fetched and recorded, a post
already in the store linked without fetching, a missing category refused; the page on a
desktop and a phone. Screenshots go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from http_sites import page, sites  # noqa: F401

from graphinv.ingest import ingest_paths
from graphinv.store import open_store
from test_app_browser import AppServer, backend_uri, full_shot, make_driver, severe_logs, shot, wait_for, wait_rendered

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
TWEET = ('<html><head><title>X</title></head><body><article><div data-testid="tweetText">'
         "Everyone meet at the mosque at 9 with what you need. No one leaves.</div></article></body></html>")


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def app(request, tmp_path_factory):
    uri = backend_uri(request, tmp_path_factory, "intake-store")
    with open_store(uri) as store:
        store.clear()
        ingest_paths(store, [ROOT / "tests" / "fixtures" / "social" / "snscrape.jsonl"])
    captures = tmp_path_factory.mktemp("intake-captures")
    saved = {k: os.environ.get(k) for k in ("GRAPHINV_RESOLVE", "GRAPHINV_ALLOW_NETWORKS", "GRAPHINV_CAPTURES")}
    os.environ.update({"GRAPHINV_RESOLVE": "x.com=127.0.0.1,*=none", "GRAPHINV_ALLOW_NETWORKS": "127.0.0.0/8",
                       "GRAPHINV_CAPTURES": str(captures)})
    server = AppServer(uri)
    driver = make_driver()
    yield request.param, server, driver, captures
    driver.quit()
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _open(driver, server) -> None:
    driver.get(server.url + "/report")
    wait_rendered(driver)


def _choose(driver, text: str) -> None:
    driver.find_element("id", "report-category").click()
    option = wait_for(driver, lambda d: next((o for o in d.find_elements("css selector", "[role=option]")
                                              if o.text.strip() == text), None))
    option.click()


def _fill(driver, url: str, category: str | None, note: str = "", reporter: str = "") -> str:
    driver.find_element("id", "report-url").send_keys(url)
    if category:
        _choose(driver, category)
    driver.find_element("id", "report-note").send_keys(note)
    if reporter:
        box = driver.find_element("id", "report-reporter")
        box.clear()
        box.send_keys(reporter)
    driver.find_element("id", "report-submit").click()
    return wait_for(driver, lambda d: d.find_element("id", "report-status").text.strip() or None, timeout=60)


def _report(server, where: str):
    store = server.app.server.config["GRAPHINV_CONTEXT"].store
    return store.query("MATCH (r:Report)-[:REPORTED]->(e) WHERE r.url CONTAINS $part RETURN r.uid AS uid, "
                       "r.capture AS capture, r.category AS category, r.note AS note, r.reporter AS reporter, "
                       "e.uid AS entity", {"part": where})


def test_a_report_is_captured_and_recorded_from_the_form(app, sites):
    backend, server, driver, captures = app
    sites.route("x.com", "/crew_lead/status/1880000000000000001", page(TWEET))
    url = sites.url("x.com", "/crew_lead/status/1880000000000000001")
    _open(driver, server)
    assert driver.find_element("css selector", "#page h1").text == "Report a URL"
    status = _fill(driver, url, "incitement to hatred, discrimination or violence (incitement)",
                   "Calls a crowd to the mosque at 9 'with what you need'.", "Hotline")
    assert "recorded" in status and "fetched now into report-" in status, status
    shot(driver, f"intake-{backend}-done")
    [row] = _report(server, "1880000000000000001").to_dict("records")
    assert (row["category"], row["note"], row["reporter"]) == (
        "incitement", "Calls a crowd to the mosque at 9 'with what you need'.", "Hotline")
    assert row["capture"] and list(captures.glob("report-*.warc.gz"))
    link = driver.find_element("css selector", "#report-status a")
    assert link.get_attribute("href").endswith("/capture?uid=" + row["capture"].replace(":", "%3A")) or \
        row["capture"] in link.get_attribute("href").replace("%3A", ":")
    link.click()
    wait_rendered(driver)
    assert "1880000000000000001" in driver.find_element("id", "page").text
    assert severe_logs(driver) == []


def test_a_post_already_in_the_store_keeps_its_capture(app, sites):
    backend, server, driver, _ = app
    _open(driver, server)
    status = _fill(driver, "https://x.com/Alice_1/status/100", "threat to life or of violence (threat)")
    assert "the capture already in the store" in status, status
    assert sites.requests == []
    [row] = _report(server, "Alice_1/status/100").to_dict("records")
    assert row["entity"] == "post:twitter:100" and row["capture"]


def test_a_report_without_a_category_is_refused(app):
    backend, server, driver, _ = app
    _open(driver, server)
    status = _fill(driver, "https://x.com/someone/status/5", None)
    assert "Choose what it is" in status
    assert _report(server, "someone/status/5").empty


def test_the_form_on_a_desktop_and_a_phone(app):
    backend, server, driver, _ = app
    for width, height, name in ((1440, 900, "desktop"), (390, 844, "phone")):
        driver.set_window_size(width, height)
        try:
            _open(driver, server)
            shot(driver, f"intake-{backend}-{name}")
            assert driver.execute_script("return document.documentElement.scrollWidth") <= width
            submit = driver.find_element("id", "report-submit")
            assert submit.is_displayed() and submit.rect["x"] + submit.rect["width"] <= width
            full_shot(driver, f"intake-{backend}-{name}-full", width=width)
        finally:
            driver.set_window_size(1440, 1100)
