"""The watchlist queries (watchlist, watch_changes, evidence) on a small watch graph,
once per store (see conftest.store).

The story (times are epoch seconds; T = 2026-03-01T00:00:00Z, one check a day):

* old-site.test is watched from T-1d. It answers at T (first check), then at T+2d its
  home redirects (301) to https://new-site.test:8123/ (moved, WARC record at offset
  1234), and at T+3d still does (unchanged). The store links the two homes
  (LINKS_TO 'redirect 301', each Url ON_SITE its Site) and the analysis found
  old-site.test REAPPEARS_AS new-site.test. Before the watch, a WARC capture saw its
  /about page (an Observation of the Url, source 'warc') and the page itself (a web
  Post, captured at T-10d).
* gone.test answers at T, and at T+1d its name no longer resolves (not_found,
  taken_down, detail 'dns: gone.test: no such host'); at T+2d still gone.
* flaky.test is unreachable at T (first check) and back at T+1d.
* A Telegram channel whose handle is ``<script>…</script>`` changes its content at T+1d.
* paused.test was watched once and the watch switched off; it was never checked.
* A CSV status list says gone.test was not_found at T+5d (source 'csv', no change).
"""

from __future__ import annotations

import pandas as pd
import pytest

from graphinv import queries
from graphinv.records import account_uid, observation_uid, post_uid, site_uid, url_uid, watch_uid
from test_queries import rows

T = 1772323200  # 2026-03-01T00:00:00Z
D = 86400

OLD, NEW = site_uid("old-site.test"), site_uid("new-site.test")
GONE, FLAKY, PAUSED = site_uid("gone.test"), site_uid("flaky.test"), site_uid("paused.test")
HOSTILE_HANDLE = "<script>window.__xss = 3; alert('xss-watch')</script>"
CHANNEL = account_uid("telegram", HOSTILE_HANDLE)
OLD_HOME, NEW_HOME = "https://old-site.test/", "https://new-site.test:8123/"
OLD_ABOUT = "https://old-site.test/about"
ABOUT_PAGE = post_uid("web", "old-site.test/about")
WARC = "captures/watch/watch-20260303.warc.gz"
SHA_MOVED = "9" * 64
SHA_ABOUT = "a" * 64

# entity -> its watch, URL and checks (offset from T in days, status, change, http, final URL, detail)
WATCHED = {
    OLD: (OLD_HOME, [(0, "active", "first_check", 200, OLD_HOME, None),
                     (2, "moved", "moved", 301, NEW_HOME, "redirected to https://new-site.test:8123/"),
                     (3, "moved", "unchanged", 301, NEW_HOME, "redirected to https://new-site.test:8123/")]),
    GONE: ("https://gone.test/", [(0, "active", "first_check", 200, "https://gone.test/", None),
                                  (1, "not_found", "taken_down", None, None, "dns: gone.test: no such host"),
                                  (2, "not_found", "unchanged", None, None, "dns: gone.test: no such host")]),
    FLAKY: ("https://flaky.test/", [(0, "unreachable", "first_check", None, None, "timeout after 20 s"),
                                    (1, "active", "back", 200, "https://flaky.test/", None)]),
    CHANNEL: ("https://t.me/s/evil", [(0, "active", "first_check", 200, "https://t.me/s/evil", None),
                                      (1, "active", "content_changed", 200, "https://t.me/s/evil", None)]),
    PAUSED: ("https://paused.test/", []),
}


def watch_observations() -> list[dict]:
    out = []
    for entity, (_url, checks) in WATCHED.items():
        for day, status, change, http, final, detail in checks:
            at = T + day * D
            out.append({"uid": observation_uid(entity, at, "watch"), "entity": entity, "status": status,
                        "change": change, "observed_at": at, "http_status": http, "final_url": final,
                        "detail": detail, "source": "watch", "platform": "web" if entity != CHANNEL else "telegram",
                        "content_sha256": SHA_MOVED if status == "moved" else ("b" * 64 if http == 200 else None),
                        "fingerprint": f"fp-{entity}-{status}",
                        "redirects": [WATCHED[entity][0], final] if status == "moved" else None,
                        "warc_file": WARC, "warc_offset": 1234 if (entity, day) == (OLD, 2) else 100 * day + 7,
                        "first_seen": at})
    return out


ABOUT_CAPTURE = f"capture:{'e' * 16}:555"


def build_watch_graph(store) -> None:
    """Write the watch story into an (empty) store."""
    observations = watch_observations() + [
        {"uid": observation_uid(url_uid(OLD_ABOUT), T - 10 * D, "warc"), "entity": url_uid(OLD_ABOUT),
         "status": "active", "observed_at": T - 10 * D, "http_status": 200, "source": "warc",
         "content_sha256": SHA_ABOUT, "warc_file": "captures/sites.warc.gz", "warc_offset": 555},
        {"uid": observation_uid(GONE, T + 5 * D, "csv"), "entity": GONE, "status": "not_found",
         "observed_at": T + 5 * D, "source": "csv"},
    ]
    store.upsert_nodes("Site", pd.DataFrame([
        {"uid": OLD, "domain": "old-site.test", "title": "Old site"},
        {"uid": NEW, "domain": "new-site.test", "title": "New site"},
        {"uid": GONE, "domain": "gone.test"}, {"uid": FLAKY, "domain": "flaky.test"},
        {"uid": PAUSED, "domain": "paused.test"}]))
    store.upsert_nodes("Account", pd.DataFrame([
        {"uid": CHANNEL, "platform": "telegram", "handle": HOSTILE_HANDLE, "display_name": HOSTILE_HANDLE}]))
    store.upsert_nodes("Url", pd.DataFrame([
        {"uid": url_uid(u), "url": u, "domain": d} for u, d in
        ((OLD_HOME, "old-site.test"), (NEW_HOME, "new-site.test"), (OLD_ABOUT, "old-site.test"))]))
    store.upsert_nodes("Post", pd.DataFrame([
        {"uid": ABOUT_PAGE, "platform": "web", "post_id": "old-site.test/about", "title": "About us",
         "url": OLD_ABOUT, "http_status": 200, "content_sha256": SHA_ABOUT, "source_file": "captures/sites.warc.gz",
         "warc_file": "captures/sites.warc.gz", "warc_offset": 555, "first_seen": T - 10 * D + 60}]))
    store.upsert_nodes("Watch", pd.DataFrame([
        {"uid": watch_uid(entity), "entity": entity, "url": url, "added_at": T - D,
         "note": "asked by the desk" if entity == OLD else None, "active": entity != PAUSED}
        for entity, (url, _checks) in WATCHED.items()]))
    store.upsert_nodes("Observation", pd.DataFrame(observations))
    store.upsert_edges("WATCHES", pd.DataFrame([{"src": watch_uid(e), "dst": e, "time": T - D} for e in WATCHED]))
    store.upsert_edges("OBSERVED", pd.DataFrame([{"src": o["uid"], "dst": o["entity"], "time": o["observed_at"]}
                                                 for o in observations]))
    store.upsert_edges("ON_SITE", pd.DataFrame([
        {"src": url_uid(OLD_HOME), "dst": OLD}, {"src": url_uid(NEW_HOME), "dst": NEW},
        {"src": url_uid(OLD_ABOUT), "dst": OLD}, {"src": ABOUT_PAGE, "dst": OLD}]))
    store.upsert_edges("LINKS_TO", pd.DataFrame([
        {"src": url_uid(OLD_HOME), "dst": url_uid(NEW_HOME), "anchor": "redirect 301", "time": T + 2 * D}]))
    # The about page's response record: one capture, the page and the observation of its URL.
    store.upsert_nodes("Capture", pd.DataFrame([
        {"uid": ABOUT_CAPTURE, "format": "warc", "source_file": "captures/sites.warc.gz", "offset": 555,
         "length": 900, "bytes_sha256": "e" * 64, "content_sha256": SHA_ABOUT, "captured_at": T - 10 * D,
         "time_source": "WARC-Date", "url": OLD_ABOUT}]))
    store.upsert_edges("CAPTURES", pd.DataFrame([
        {"src": ABOUT_CAPTURE, "dst": ABOUT_PAGE},
        {"src": ABOUT_CAPTURE, "dst": observation_uid(url_uid(OLD_ABOUT), T - 10 * D, "warc")}]))
    store.upsert_edges("REAPPEARS_AS", pd.DataFrame([
        {"src": OLD, "dst": NEW, "score": 0.9, "gap": 2 * D, "signals": ["redirect"],
         "evidence": '{"redirect": ["https://old-site.test/", "https://new-site.test:8123/"]}',
         "lineage": "lineage:old-site.test", "analysis_run": "test"}]))


@pytest.fixture
def graph(store):
    build_watch_graph(store)
    return store


def test_watchlist_one_row_per_watch_with_its_last_check(graph):
    got = rows(queries.run(graph, "watchlist"), "watch", "entity", "name", "url", "last_checked", "last_status",
               "last_change", "last_http_status", "last_final_url", "last_detail", "checks", "successor")
    assert got == [
        {"watch": watch_uid(CHANNEL), "entity": CHANNEL, "name": HOSTILE_HANDLE, "url": "https://t.me/s/evil",
         "last_checked": T + D, "last_status": "active", "last_change": "content_changed", "last_http_status": 200,
         "last_final_url": "https://t.me/s/evil", "last_detail": None, "checks": 2, "successor": None},
        {"watch": watch_uid(FLAKY), "entity": FLAKY, "name": "flaky.test", "url": "https://flaky.test/",
         "last_checked": T + D, "last_status": "active", "last_change": "back", "last_http_status": 200,
         "last_final_url": "https://flaky.test/", "last_detail": None, "checks": 2, "successor": None},
        # the CSV observation at T+5d is not a watch check: the last check stays T+2d
        {"watch": watch_uid(GONE), "entity": GONE, "name": "gone.test", "url": "https://gone.test/",
         "last_checked": T + 2 * D, "last_status": "not_found", "last_change": "unchanged",
         "last_http_status": None, "last_final_url": None, "last_detail": "dns: gone.test: no such host",
         "checks": 3, "successor": None},
        {"watch": watch_uid(OLD), "entity": OLD, "name": "old-site.test", "url": OLD_HOME,
         "last_checked": T + 3 * D, "last_status": "moved", "last_change": "unchanged", "last_http_status": 301,
         "last_final_url": NEW_HOME, "last_detail": "redirected to https://new-site.test:8123/", "checks": 3,
         "successor": NEW},
        {"watch": watch_uid(PAUSED), "entity": PAUSED, "name": "paused.test", "url": "https://paused.test/",
         "last_checked": None, "last_status": None, "last_change": None, "last_http_status": None,
         "last_final_url": None, "last_detail": None, "checks": 0, "successor": None},
    ]
    old = rows(queries.run(graph, "watchlist"), "entity", "added_at", "note", "successor_name")[3]
    assert old == {"entity": OLD, "added_at": T - D, "note": "asked by the desk", "successor_name": "new-site.test"}
    # paused.test's watch is switched off
    assert [r["entity"] for r in rows(queries.run(graph, "watchlist", active_only=True), "entity")] == [
        CHANNEL, FLAKY, GONE, OLD]


def test_watchlist_empty_store(store):
    assert queries.run(store, "watchlist").empty
    assert queries.run(store, "watch_changes").empty


def test_watch_changes_newest_first_with_the_successor_of_a_move(graph):
    got = rows(queries.run(graph, "watch_changes"), "entity", "name", "observed_at", "status", "change",
               "http_status", "final_url", "detail", "successor")
    assert got == [
        {"entity": OLD, "name": "old-site.test", "observed_at": T + 2 * D, "status": "moved", "change": "moved",
         "http_status": 301, "final_url": NEW_HOME, "detail": "redirected to https://new-site.test:8123/",
         "successor": NEW},
        {"entity": CHANNEL, "name": HOSTILE_HANDLE, "observed_at": T + D, "status": "active",
         "change": "content_changed", "http_status": 200, "final_url": "https://t.me/s/evil", "detail": None,
         "successor": None},
        {"entity": FLAKY, "name": "flaky.test", "observed_at": T + D, "status": "active", "change": "back",
         "http_status": 200, "final_url": "https://flaky.test/", "detail": None, "successor": None},
        {"entity": GONE, "name": "gone.test", "observed_at": T + D, "status": "not_found", "change": "taken_down",
         "http_status": None, "final_url": None, "detail": "dns: gone.test: no such host", "successor": None},
    ]
    moved = rows(queries.run(graph, "watch_changes"), "warc_file", "warc_offset", "content_sha256", "uid")[0]
    assert moved == {"warc_file": WARC, "warc_offset": 1234, "content_sha256": SHA_MOVED,
                     "uid": observation_uid(OLD, T + 2 * D, "watch")}
    # since: only the move is at or after T+2d (ISO dates work too)
    assert [r["entity"] for r in rows(queries.run(graph, "watch_changes", since=T + 2 * D), "entity")] == [OLD]
    assert [r["entity"] for r in rows(queries.run(graph, "watch_changes", since="2026-03-03"), "entity")] == [OLD]


def test_evidence_of_a_site_has_its_checks_its_urls_and_its_captures(graph):
    got = rows(queries.run(graph, "evidence", uid=OLD), "kind", "time", "url", "status", "http_status", "change",
               "final_url", "warc_file", "warc_offset", "source")
    assert got == [
        {"kind": "observation", "time": T + 3 * D, "url": OLD_HOME, "status": "moved", "http_status": 301,
         "change": "unchanged", "final_url": NEW_HOME, "warc_file": WARC, "warc_offset": 307, "source": "watch"},
        {"kind": "observation", "time": T + 2 * D, "url": OLD_HOME, "status": "moved", "http_status": 301,
         "change": "moved", "final_url": NEW_HOME, "warc_file": WARC, "warc_offset": 1234, "source": "watch"},
        {"kind": "observation", "time": T, "url": OLD_HOME, "status": "active", "http_status": 200,
         "change": "first_check", "final_url": OLD_HOME, "warc_file": WARC, "warc_offset": 7, "source": "watch"},
        # the web page captured at T-10d+60, then the WARC observation of its URL at T-10d
        {"kind": "capture", "time": T - 10 * D + 60, "url": OLD_ABOUT, "status": None, "http_status": 200,
         "change": None, "final_url": None, "warc_file": "captures/sites.warc.gz", "warc_offset": 555,
         "source": "captures/sites.warc.gz"},
        {"kind": "observation", "time": T - 10 * D, "url": OLD_ABOUT, "status": "active", "http_status": 200,
         "change": None, "final_url": None, "warc_file": "captures/sites.warc.gz", "warc_offset": 555,
         "source": "warc"},
    ]
    full = rows(queries.run(graph, "evidence", uid=OLD), "uid", "content_sha256", "detail")
    assert full[1] == {"uid": observation_uid(OLD, T + 2 * D, "watch"), "content_sha256": SHA_MOVED,
                       "detail": "redirected to https://new-site.test:8123/"}
    assert full[3] == {"uid": ABOUT_PAGE, "content_sha256": SHA_ABOUT, "detail": None}


def test_evidence_of_other_entities(graph):
    # gone.test: its watch checks and the CSV status list, newest first
    gone = rows(queries.run(graph, "evidence", uid=GONE), "kind", "time", "status", "source", "detail")
    assert [(r["time"] - T) // D for r in gone] == [5, 2, 1, 0]
    assert [r["source"] for r in gone] == ["csv", "watch", "watch", "watch"]
    assert gone[2]["detail"] == "dns: gone.test: no such host"
    # an account, and an entity nothing observed
    assert [r["status"] for r in rows(queries.run(graph, "evidence", uid=CHANNEL), "status")] == ["active", "active"]
    assert queries.run(graph, "evidence", uid=NEW).empty
    assert queries.run(graph, "evidence", uid="site:nowhere.test").empty
