"""The Dash app in a real browser: Debian's chromium, headless, driven by selenium.

One store per backend is built from the demo data (data/demo ingested, then every
analysis; where an analysis step is not ready, coordination alone plus the truth's
lineages as REAPPEARS_AS steps), plus a hostile campaign whose posts, display name
and page title carry ``<script>`` and ``<img src=x onerror=…>``. The app serves it
read-only from a thread; each test opens pages and reads what the browser shows and
logs. Screenshots go to tests/artifacts/ (git-ignored).

Needs ``chromium`` and ``chromium-driver`` (Debian); a missing browser fails the run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from graphinv.records import account_uid, campaign_uid, post_uid, run_uid, site_uid
from graphinv.store import open_store

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
DOCS_SCREENSHOT = ROOT / "docs" / "img" / "app-campaign.png"
CHROMIUM = os.environ.get("GRAPHINV_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("GRAPHINV_CHROMEDRIVER", shutil.which("chromedriver") or "/usr/bin/chromedriver")

XSS_SCRIPT = "<script>window.__xss = 1; alert('xss-script')</script>"
XSS_IMG = "<img src=x onerror=\"window.__xss = 2; alert('xss-img')\">"
HOSTILE_CAMPAIGN = campaign_uid("hostile")
HOSTILE_ACCOUNT = account_uid("twitter", "xss_probe")
HOSTILE_SITE = site_uid("xss-probe.example")
pytestmark = pytest.mark.browser

PAGES = {"overview": "/", "campaigns": "/campaigns", "lineages": "/lineages", "explorer": "/explorer",
         "console": "/console", "watch": "/watch", "search": "/search?q=ostervale",
         "campaign": "/campaign?uid=campaign:0", "cases": "/cases"}


# -- the store ----------------------------------------------------------------------------
def _analyse(store) -> str:
    """Every analysis if it runs; otherwise coordination and the truth's lineages."""
    try:
        from graphinv.analysis.registry import analyze_all
        analyze_all(store)
        return "analyze_all"
    except Exception as exc:  # another module of the project is not ready: fall back, loudly
        warnings.warn(f"analyze_all failed ({type(exc).__name__}: {exc}); using coordination + truth lineages",
                      stacklevel=1)
    from graphinv.analysis.coordination.analysis import analyze as analyze_coordination
    analyze_coordination(store)
    if int(store.query("MATCH ()-[r:REAPPEARS_AS]->() RETURN count(r) AS n").iloc[0, 0]) == 0:
        write_truth_lineages(store)
    return "coordination+truth"


def write_truth_lineages(store) -> None:
    """REAPPEARS_AS steps for the demo truth's chains, with evidence like the analysis writes."""
    truth = json.loads((ROOT / "data" / "demo" / "truth.json").read_text())
    rows = []
    for chain in truth["site_lineages"]:
        for a, b in zip(chain, chain[1:]):
            rows.append({"src": a, "dst": b, "score": 0.93, "gap": 6 * 86400,
                         "signals": ["tracking_ids", "articles", "images"],
                         "evidence": json.dumps({
                             "tracking_ids": ["ga:UA-48213907-1", "ga4:G-7QX2M4KD9P",
                                              "adsense:ca-pub-5930418276354012"],
                             "articles": [{"before": f"https://{a[5:]}/harbour-files", "after": f"https://{b[5:]}/harbour-files",
                                           "similarity": 0.91}],
                             "images": [{"before_sha256": "3f2a…", "after_sha256": "9b1c…", "phash": "c3c3e1f0f0e1c3c3",
                                         "distance": 0}]}),
                         "lineage": f"lineage:{chain[0]}", "analysis_run": "test-fixture"})
    for chain in truth["account_reappearances"]:
        for a, b in zip(chain, chain[1:]):
            rows.append({"src": a, "dst": b, "score": 0.88, "gap": 2 * 86400, "signals": ["name", "bio", "avatar"],
                         "evidence": json.dumps({"name": {"before": a.rsplit(":", 1)[1], "after": b.rsplit(":", 1)[1]},
                                                 "avatar": {"phash_distance": 2}}),
                         "lineage": f"lineage:{chain[0]}", "analysis_run": "test-fixture"})
    store.upsert_edges("REAPPEARS_AS", pd.DataFrame(rows))


def write_hostile_campaign(store) -> None:
    """A campaign whose captured strings try to run script in the app."""
    run = run_uid("d" * 64, "snscrape")
    members = store.query("MATCH (a:Account)-[:POSTED]->(:Post) RETURN DISTINCT a.uid AS uid ORDER BY uid LIMIT 2")
    others = members["uid"].tolist()
    t0 = 1774000000
    store.upsert_nodes("IngestRun", pd.DataFrame([{"uid": run, "source": "captures/hostile <b>.jsonl",
                                                   "collector": "snscrape", "started_at": t0 + 86400,
                                                   "state": "complete", "items": 2}]))
    store.upsert_nodes("Account", pd.DataFrame([{"uid": HOSTILE_ACCOUNT, "platform": "twitter", "handle": "xss_probe",
                                                 "display_name": XSS_IMG, "bio": XSS_SCRIPT, "runs": [run]}]))
    # Two members post the same two hostile texts seconds apart, each post read from its
    # own line of a capture file whose name is hostile too.
    authors = [HOSTILE_ACCOUNT, *others[:1]]
    texts = [f"Look {XSS_SCRIPT} here", f"And {XSS_IMG} there"]
    posts = [{"uid": post_uid("twitter", f"99000{a}{i}"), "platform": "twitter", "post_id": f"99000{a}{i}",
              "account": author, "text": text, "text_hash": f"{i:040x}", "url": "https://twitter.com/xss_probe/status/1",
              "created_at": t0 + 10 * i + 3 * a, "runs": [run]}
             for a, author in enumerate(authors) for i, text in enumerate(texts)]
    store.upsert_nodes("Post", pd.DataFrame(posts))
    captures = [{"uid": f"capture:{'d' * 16}:{100 * n}", "format": "jsonl", "source_file": "captures/hostile <b>.jsonl",
                 "offset": 100 * n, "length": 90, "line": n + 1, "bytes_sha256": f"{n:064x}", "time_source": "unknown",
                 "runs": [run]} for n in range(len(posts))]
    store.upsert_nodes("Capture", pd.DataFrame(captures))
    store.upsert_nodes("Site", pd.DataFrame([{"uid": HOSTILE_SITE, "domain": "xss-probe.example",
                                              "title": f"{XSS_IMG} probe page", "runs": [run]}]))
    store.upsert_nodes("Campaign", pd.DataFrame([{
        "uid": HOSTILE_CAMPAIGN, "label": "hostile strings probe", "size": 1 + len(others),
        "modalities": ["text"], "first_time": t0, "last_time": t0 + 10, "objects": 1}]))
    store.upsert_edges("POSTED", pd.DataFrame([{"src": p["account"], "dst": p["uid"], "time": p["created_at"],
                                                "capture": c["uid"]} for p, c in zip(posts, captures)]))
    store.upsert_edges("MEMBER_OF", pd.DataFrame([{"src": a, "dst": HOSTILE_CAMPAIGN, "role": "member",
                                                   "degree": 1.0} for a in [HOSTILE_ACCOUNT, *others]]))
    store.upsert_edges("EVIDENCE", pd.DataFrame([{"src": HOSTILE_CAMPAIGN, "dst": p["uid"], "time": p["created_at"],
                                                  "modality": "text"} for p in posts]))
    store.upsert_edges("COORDINATED_WITH", pd.DataFrame([{
        "src": HOSTILE_ACCOUNT, "dst": a, "weight": 2.0, "co_shares": 2, "modalities": ["text"],
        "first_time": t0, "last_time": t0 + 10, "window": 60} for a in others]))


def build_demo_store(uri: str) -> str:
    """Ingest data/demo into the (empty) store at ``uri``, analyse, add the hostile campaign."""
    from graphinv.ingest import ingest_paths

    with open_store(uri) as store:
        store.clear()
        ingest_paths(store, [ROOT / "data" / "demo"])
        how = _analyse(store)
        write_hostile_campaign(store)
    return how


# -- the server and the browser -----------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """The app's Flask server on a free loopback port, in a thread."""

    def __init__(self, store_uri: str):
        from werkzeug.serving import make_server

        from graphinv.app import create_app

        self.app = create_app(store_uri)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = make_server("127.0.0.1", self.port, self.app.server, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self.app.server.config["GRAPHINV_CONTEXT"].store.close()


def make_driver(download_dir: Path | None = None, extra_arguments: list[str] | None = None):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("browser tests need Debian's chromium and chromium-driver: "
                    "apt-get install -y chromium chromium-driver (or set GRAPHINV_CHROMIUM/GRAPHINV_CHROMEDRIVER)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-dev-shm-usage", "--window-size=1440,1100",
                "--hide-scrollbars", "--force-device-scale-factor=1", *(extra_arguments or [])):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if download_dir is not None:
        options.add_experimental_option("prefs", {"download.default_directory": str(download_dir),
                                                  "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    if download_dir is not None:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)})
    return driver


def wait_for(driver, condition, timeout: float = 30):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # Dash re-renders components: an element found a moment ago may be gone; look again.
    return WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=(
        NoSuchElementException, StaleElementReferenceException)).until(condition)


def wait_rendered(driver, timeout: float = 30) -> None:
    """Wait until the page slot holds a heading and Dash has no callback in flight."""
    wait_for(driver, lambda d: d.execute_script(
        "const page = document.getElementById('page');"
        "return !!(page && page.querySelector('h1')) && !document.querySelector('[data-dash-is-loading=\"true\"]');"),
        timeout)


def severe_logs(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def shot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def full_shot(driver, name: str, width: int = 1440) -> Path:
    """A screenshot of the whole page height."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height + 40, 800), 6000))
    time.sleep(0.6)
    try:
        return shot(driver, name)
    finally:
        driver.set_window_size(width, 1100)


def backend_uri(request, tmp_path_factory, name: str) -> str:
    """The store a module-scoped browser fixture parametrised over ["embedded", "neo4j"]
    runs on: a fresh embedded store, or the session's Neo4j."""
    if request.param == "embedded":
        return f"embedded:{tmp_path_factory.mktemp(name) / 'graph.lbug'}"
    return request.getfixturevalue("neo4j_server").uri


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def demo_uri(request, tmp_path_factory):
    uri = backend_uri(request, tmp_path_factory, "demo-store")
    started = time.perf_counter()
    how = build_demo_store(uri)
    print(f"demo store ({request.param}) built in {time.perf_counter() - started:.0f} s ({how})")
    return request.param, uri


@pytest.fixture(scope="module")
def server(demo_uri):
    running = AppServer(demo_uri[1])
    yield running
    running.stop()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def driver(server, downloads):
    opened = make_driver(downloads)
    yield opened
    opened.quit()


def open_page(driver, server, path: str) -> None:
    driver.get(server.url + path)
    wait_rendered(driver)


# -- the tests ----------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_every_page_loads_without_console_errors(driver, server, demo_uri, page):
    driver.get_log("browser")  # drop what earlier tests left
    open_page(driver, server, PAGES[page])
    time.sleep(0.8)  # late callbacks and figure rendering
    heading = driver.find_element("css selector", "#page h1").text
    assert heading, f"{page} has no heading"
    full_shot(driver, f"{demo_uri[0]}-{page}")
    assert severe_logs(driver) == []
    assert "Error" not in driver.title


@pytest.mark.parametrize("page", PAGES)
def test_every_page_fits_a_phone(driver, server, demo_uri, page):
    """390 px wide: no sideways scroll of the page, and every navigation link reachable
    (the link row scrolls on its own)."""
    driver.set_window_size(390, 844)
    try:
        open_page(driver, server, PAGES[page])
        time.sleep(0.8)
        shot(driver, f"phone-{demo_uri[0]}-{page}")
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
        nav = driver.find_element("id", "nav")
        links = nav.find_elements("css selector", "a")
        assert len(links) >= 6 and all(link.is_displayed() or link.size["width"] > 0 for link in links)
        assert driver.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth "
                                     "|| arguments[0].getBoundingClientRect().right <= 390", nav)
    finally:
        driver.set_window_size(1440, 1100)


def test_the_header_search_box_finds_and_links(driver, server):
    open_page(driver, server, "/")
    box = driver.find_element("id", "search-box")
    box.send_keys("ostervale\n")
    wait_for(driver, lambda d: d.find_elements("css selector", ".search-hit"))
    assert "/search?q=ostervale" in driver.current_url
    first = driver.find_element("css selector", ".search-hit a")
    assert first.get_attribute("href").split("/", 3)[3].startswith("entity?uid=")


def test_clicking_a_campaign_shows_its_members(driver, server, demo_uri):
    from selenium.webdriver.common.by import By

    open_page(driver, server, "/campaigns")
    expected = server.app.server.config["GRAPHINV_CONTEXT"].store.query(
        "MATCH (c:Campaign) RETURN c.uid AS uid, c.size AS size ORDER BY size DESC, uid LIMIT 1").iloc[0]
    cell = wait_for(driver, lambda d: d.find_element(
        By.CSS_SELECTOR, "#campaign-table td[data-dash-column='campaign'][data-dash-row='0']"))
    assert cell.text == expected["uid"]
    cell.click()
    wait_for(driver, lambda d: "/campaign?uid=" in d.current_url)
    wait_rendered(driver)
    rows = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR,
                                                      "#campaign-members td[data-dash-column='handle']"))
    assert len(rows) >= min(int(expected["size"]), 12)
    wait_for(driver, lambda d: d.execute_script(
        "return document.querySelectorAll('#campaign-network canvas').length > 0"))
    time.sleep(1.5)  # the cose layout settles
    assert "coordination edges" in driver.find_element(By.ID, "campaign-network-note").text
    # Why it is a campaign (the analysis' reasons) and what the detector cannot see.
    reasons = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#campaign-reasons li")]
    assert reasons[0].startswith(f"{int(expected['size'])} accounts; ") and "co-acted beyond chance" in reasons[0]
    assert "pairs co-acted" not in reasons[-1] and "expected by chance" in " ".join(reasons)
    assert driver.find_element(By.ID, "campaign-limitations").text.startswith("Limitations. ")
    path = full_shot(driver, f"{demo_uri[0]}-campaign")
    if demo_uri[0] == "embedded":
        _save_docs_screenshot(driver)
    assert path.exists()
    assert severe_logs(driver) == []


def _save_docs_screenshot(driver) -> None:
    """The top of the campaign page, as a small PNG for the README."""
    from PIL import Image

    driver.set_window_size(1280, 1000)
    driver.execute_script("window.scrollTo(0, 0)")
    time.sleep(1.5)
    raw = ARTIFACTS / "campaign-docs-raw.png"
    driver.save_screenshot(str(raw))
    driver.set_window_size(1440, 1100)
    image = Image.open(raw).convert("RGB")
    image = image.resize((1024, int(image.height * 1024 / image.width)), Image.LANCZOS)
    DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(DOCS_SCREENSHOT, optimize=True)
    assert DOCS_SCREENSHOT.stat().st_size < 300_000


def test_export_from_campaign_page_downloads_gexf(driver, server, downloads):
    from selenium.webdriver.common.by import By

    open_page(driver, server, "/campaign?uid=" + HOSTILE_CAMPAIGN.replace(":", "%3A"))
    driver.find_element(By.ID, "export-gexf").click()
    found = wait_for(driver, lambda d: list(downloads.glob("*.gexf")), timeout=60)
    text = found[0].read_text("utf-8")
    assert "<gexf" in text and "xss_probe" in text


def test_console_runs_a_named_query(driver, server):
    from selenium.webdriver.common.by import By

    open_page(driver, server, "/console?q=campaigns")
    driver.find_element(By.ID, "console-run-named").click()
    cells = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR,
                                                       "#console-table td[data-dash-column='campaign']"))
    assert HOSTILE_CAMPAIGN in [c.text for c in cells] or len(cells) >= 2
    assert "rows in" in driver.find_element(By.ID, "console-result-note").text
    shot(driver, "console-named")
    assert severe_logs(driver) == []


def test_console_shows_store_errors_inline(driver, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(driver, server, "/console")
    box = driver.find_element(By.ID, "console-cypher")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys("CREATE (h:Hashtag {uid: 'hashtag:written-from-the-app'}) RETURN h.uid")
    driver.find_element(By.ID, "console-run-cypher").click()
    error = wait_for(driver, lambda d: d.find_element(By.ID, "console-error-message"))
    assert error.text.startswith("refused: CREATE is not allowed in a read-only query")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys("MATCH (n RETURN n")
    driver.find_element(By.ID, "console-run-cypher").click()
    wait_for(driver, lambda d: "refused" not in d.find_element(By.ID, "console-error-message").text)
    shot(driver, "console-error")
    store = server.app.server.config["GRAPHINV_CONTEXT"].store
    assert store.query("MATCH (h:Hashtag) WHERE h.uid = 'hashtag:written-from-the-app' RETURN count(h)").iloc[0, 0] == 0
    # A second statement after a harmless one: once executed for real (COPY wrote a file).
    target = ARTIFACTS / f"console-wrote-{server.port}.txt"
    target.unlink(missing_ok=True)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(f"RETURN 1; COPY (RETURN 'echo pwned' AS line) TO '{target}' (header=false)")
    driver.find_element(By.ID, "console-run-cypher").click()
    wait_for(driver, lambda d: "one statement at a time" in d.find_element(By.ID, "console-error-message").text)
    assert not target.exists()


def test_search_finds_a_handle_and_expands_it(driver, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(driver, server, "/explorer")
    search = driver.find_element(By.ID, "explorer-search")
    search.send_keys("nordwatch_klaus", Keys.ENTER)
    cell = wait_for(driver, lambda d: [c for c in d.find_elements(
        By.CSS_SELECTOR, "#explorer-result-table td[data-dash-column='name']") if c.text == "nordwatch_klaus"])
    cell[0].click()
    note = wait_for(driver, lambda d: "neighbours match" in d.find_element(By.ID, "explorer-note").text and
                    d.find_element(By.ID, "explorer-note").text)
    assert "nordwatch_klaus" in note
    time.sleep(1.0)
    shot(driver, "explorer")
    assert severe_logs(driver) == []


def _assert_no_script_ran(driver) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        alert = driver.switch_to.alert
        text = alert.text
        alert.dismiss()
        pytest.fail(f"an alert fired: {text!r}")
    except NoAlertPresentException:
        pass
    assert driver.execute_script("return window.__xss === undefined")
    assert driver.execute_script("return document.querySelectorAll('img[src=\"x\"], #page script').length") == 0


def test_hostile_strings_render_as_text(driver, server, demo_uri):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(driver, server, "/campaign?uid=" + HOSTILE_CAMPAIGN.replace(":", "%3A"))
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#campaign-evidence td[data-dash-column='text']"))
    time.sleep(1.0)
    evidence = driver.find_element(By.ID, "campaign-evidence").text
    assert XSS_SCRIPT in evidence and XSS_IMG in evidence
    assert "hostile <b>.jsonl:1" in evidence
    _assert_no_script_ran(driver)
    full_shot(driver, f"{demo_uri[0]}-hostile-campaign")

    open_page(driver, server, "/explorer")
    driver.find_element(By.ID, "explorer-search").send_keys("xss", Keys.ENTER)
    details = wait_for(driver, lambda d: [c.text for c in d.find_elements(
        By.CSS_SELECTOR, "#explorer-result-table td[data-dash-column='detail']") if "probe" in c.text])
    assert any(XSS_IMG in text for text in details)  # the hostile page title, as text
    cell = [c for c in driver.find_elements(By.CSS_SELECTOR, "#explorer-result-table td[data-dash-column='name']")
            if c.text == "xss_probe"]
    cell[0].click()
    detail = wait_for(driver, lambda d: XSS_SCRIPT in d.find_element(By.ID, "explorer-detail").text and
                      d.find_element(By.ID, "explorer-detail").text)
    assert XSS_IMG in detail
    time.sleep(1.0)
    _assert_no_script_ran(driver)
    assert severe_logs(driver) == []


def test_lineage_page_shows_steps_and_signals(driver, server, demo_uri):
    from selenium.webdriver.common.by import By

    open_page(driver, server, "/lineages")
    steps = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#lineage-steps .step"))
    assert steps
    assert "signals" in steps[0].text
    # the chain: a bar per generation's active span
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#lineage-timeline .strip-bar"))
    full_shot(driver, f"{demo_uri[0]}-lineage")
    assert severe_logs(driver) == []
