"""The /triage page in a real browser (headless chromium via selenium), once per store.

The store holds the triage scenario (scripts/triagescenario.py: threats, a coordinated
crew against a Target, a bank match, and decoys), its bank imported, analysed, one
report decided. The app, the browser and the helpers are those of
tests/test_app_browser.py; screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
import time

import pytest

from graphinv import triage as tri
from graphinv.analysis import banks
from graphinv.analysis.registry import analyze_all
from graphinv.ingest import ingest_paths
from graphinv.store import open_store
from scripts import triagescenario
from test_app_browser import (AppServer, backend_uri, full_shot, make_driver, open_page, severe_logs, shot, wait_for,
                              wait_rendered)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def triage_store(request, tmp_path_factory):
    uri = backend_uri(request, tmp_path_factory, "triage-store")
    out = tmp_path_factory.mktemp("triage-scenario")
    truth = triagescenario.generate(out, seed=5, background=30)
    with open_store(uri) as store:
        store.clear()
        ingest_paths(store, [out / "snscrape", out / "web", out / "csv"])
        banks.import_bank(store, out / "bank" / "known.csv", "gifct-sample")
        analyze_all(store)
        decided = next(r for r, k in truth["kinds"].items() if k == "background")
        tri.decide(store, decided, "not-illegal", "ana", now=1_780_000_000)
    return request.param, uri, truth, decided


@pytest.fixture(scope="module")
def server(triage_store):
    running = AppServer(triage_store[1])
    yield running
    running.stop()


@pytest.fixture(scope="module")
def driver(server):
    opened = make_driver()
    yield opened
    opened.quit()


def rows(driver) -> list[dict]:
    from selenium.webdriver.common.by import By

    out = []
    for tr in driver.find_elements(By.CSS_SELECTOR, "#triage-table tbody tr"):
        out.append({"report": tr.get_attribute("data-report").removeprefix("report:"),
                    "reasons": [li.get_attribute("data-reason") for li in tr.find_elements(By.CSS_SELECTOR, "li")],
                    "cells": [td.text for td in tr.find_elements(By.TAG_NAME, "td")], "row": tr})
    return out


def test_the_queue_shows_the_urgent_reports_first_with_their_reasons(driver, server, triage_store):
    backend, _, truth, decided = triage_store
    driver.get_log("browser")
    open_page(driver, server, "/triage")
    found = wait_for(driver, lambda d: rows(d) or None)
    urgent = set(truth["urgent"])
    assert {r["report"] for r in found[:len(urgent)]} == urgent
    planted = {"threat_to_life": "threat_to_life", "campaign": "campaign_against_target", "bank_match": "bank_match"}
    for row in found[:len(urgent)]:
        assert planted[truth["kinds"][row["report"]]] in row["reasons"], row
    assert decided not in {r["report"] for r in found}  # decided: out of the open queue
    heading = driver.find_element("css selector", ".triage-queue h2").text
    assert heading == f"{len(truth['kinds']) - 1} of {len(truth['kinds']) - 1} open reports"
    first = found[0]["cells"]
    assert first[0] == "1" and float(first[1]) >= 100 and first[5].endswith("Z")
    full_shot(driver, f"{backend}-triage")
    assert severe_logs(driver) == []


def test_filters_narrow_the_queue(driver, server, triage_store):
    from selenium.webdriver.common.by import By

    _, _, truth, decided = triage_store
    open_page(driver, server, "/triage")
    driver.find_element(By.ID, "triage-reason-bank_match").click()
    wait_for(driver, lambda d: "reason=bank_match" in d.current_url and len(rows(d)) == 1)
    only = rows(driver)[0]
    assert truth["kinds"][only["report"]] == "bank_match" and "bank_match" in only["reasons"]
    assert "matched image" in only["cells"][7]
    open_page(driver, server, "/triage?platform=web")
    assert {truth["kinds"][r["report"]] for r in rows(driver)} <= {"bank_match", "background"}
    open_page(driver, server, "/triage?show=all")
    every = rows(driver)
    assert len(every) == len(truth["kinds"])
    mine = next(r for r in every if r["report"] == decided)
    assert re.fullmatch(r"not-illegal by ana, \d{4}-\d\d-\d\d \d\d:\d\dZ", mine["cells"][2].splitlines()[1])
    open_page(driver, server, "/triage?reason=threat_to_life&platform=web")
    assert driver.find_element(By.CSS_SELECTOR, ".triage-queue .empty").text == "No report matches these filters."


def test_rows_link_to_the_item_the_campaign_and_the_target(driver, server, triage_store):
    from selenium.webdriver.common.by import By

    _, _, truth, _ = triage_store
    crew = next(r for r, k in truth["kinds"].items() if k == "campaign")
    open_page(driver, server, "/triage?reason=campaign_against_target")
    row = next(r for r in rows(driver) if r["report"] == crew)["row"]
    links = {a.text: a.get_attribute("href") for a in row.find_elements(By.CSS_SELECTOR, "td:last-child a")}
    assert any(h.endswith("/campaign?uid=campaign%3A0") for h in links.values()), links
    assert links["Mara Lindqvist"].endswith("/entity?uid=target%3Amara%20lindqvist")
    assert links["author"].split("uid=")[1].startswith("account%3Atwitter%3Apatriot_")
    item = row.find_element(By.CSS_SELECTOR, "a.triage-item")
    assert item.text.startswith("https://twitter.com/patriot_")
    item.click()
    wait_for(driver, lambda d: "/entity?uid=post%3Atwitter%3A" in d.current_url)
    wait_rendered(driver)
    assert driver.find_element(By.CSS_SELECTOR, "#page h1").text


def test_the_page_fits_a_phone(driver, server, triage_store):
    driver.set_window_size(390, 844)
    try:
        open_page(driver, server, "/triage")
        time.sleep(0.5)
        shot(driver, f"phone-{triage_store[0]}-triage")
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
        # each report is a block that fits: no sideways scroll inside the table either
        assert driver.execute_script("const t = document.getElementById('triage-table');"
                                     "return t.scrollWidth <= t.parentElement.clientWidth")
        full_shot(driver, f"phone-{triage_store[0]}-triage-full", width=390)
    finally:
        driver.set_window_size(1440, 1100)


def test_an_empty_store_says_how_to_start(tmp_path):
    from selenium.webdriver.common.by import By

    empty_uri = f"embedded:{tmp_path / 'empty.lbug'}"
    open_store(empty_uri).close()
    empty_server, driver = AppServer(empty_uri), make_driver()
    try:
        open_page(driver, empty_server, "/triage")
        message = driver.find_element(By.CSS_SELECTOR, ".triage-empty .empty").text
        assert message.startswith("No report yet")
        assert severe_logs(driver) == []
    finally:
        driver.quit()
        empty_server.stop()
