"""The entity, target, capture and side-by-side pages without a browser, and the replay
route that serves captured bytes sandboxed, on both stores.

The graph is tests/fixture_graph.py (campaign:0: alice, bob and carol push one URL and
repost alice's post; the target Jane Doe, her real account janedoe and the impersonator
jane_doe_real; reports on patriot_news and alice's post), plus a WARC written here with
a hostile page (a script that would change its title, a refresh to another site) that
shows an image captured in the same WARC, and a Capture node for each record.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from fixture_graph import ALICE, BOB, CAROL, JANE, JANE_FAKE, JANE_REAL, NEW, OLD, P1, PATRIOT, build_fixture_graph
from graphinv.app import create_app, entity_data
from graphinv.app.links import entity_href, replay_href
from graphinv.app.pages import capture as capture_page, compare, entity
from graphinv.app.replay import REPLAY_CSP
from graphinv.records import post_uid

PAGE_URL = "https://hostile.example/story"
IMAGE_URL = "https://hostile.example/img/a.png"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8"
                    "ffff3f0005fe02fea7d6a4a30000000049454e44ae426082")
HOSTILE_PAGE = (b"<!doctype html><html><head><title>Original title</title>"
                b"<meta http-equiv=\"refresh\" content=\"0; url=https://elsewhere.example/\">"
                b"<script>document.title = 'PWNED'; document.body.innerHTML = 'PWNED';</script></head>"
                b"<body><h1>Captured words</h1><img src=\"/img/a.png\"><img src=\"https://tracker.example/p.gif\">"
                b"</body></html>")
PAGE_CAPTURE, IMAGE_CAPTURE = "capture:hostile:page", "capture:hostile:image"
PAGE_POST = post_uid("web", PAGE_URL)


def _warc(path) -> list[tuple[int, int]]:
    """A WARC.gz with the hostile page and its image; (offset, length) of each record."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    places = []
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, mime, body in ((PAGE_URL, "text/html; charset=utf-8", HOSTILE_PAGE), (IMAGE_URL, "image/png", PNG)):
            start = handle.tell()
            headers = StatusAndHeaders("200 OK", [("Content-Type", mime)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))
            places.append((start, handle.tell() - start))
    return places


@pytest.fixture
def graph(store, tmp_path):
    build_fixture_graph(store)
    warc = tmp_path / "hostile.warc.gz"
    (page_at, page_len), (image_at, image_len) = _warc(warc)
    store.upsert_nodes("Capture", pd.DataFrame([
        {"uid": PAGE_CAPTURE, "format": "warc", "source_file": str(warc), "offset": page_at, "length": page_len,
         "url": PAGE_URL, "captured_at": 1709251200, "time_source": "WARC-Date", "bytes_sha256": "0" * 64},
        {"uid": IMAGE_CAPTURE, "format": "warc", "source_file": str(warc), "offset": image_at, "length": image_len,
         "url": IMAGE_URL, "captured_at": 1709251201, "time_source": "WARC-Date", "bytes_sha256": "1" * 64}]))
    store.upsert_nodes("Post", pd.DataFrame([{"uid": PAGE_POST, "platform": "web", "url": PAGE_URL,
                                              "title": "Original title", "text": "Captured words"}]))
    store.upsert_edges("CAPTURES", pd.DataFrame([{"src": PAGE_CAPTURE, "dst": PAGE_POST}]))
    return store


def _text(component) -> str:
    """Everything a built page says (its strings and attributes), as one JSON string."""
    return json.dumps(component.to_plotly_json(), default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def test_an_account_page_has_its_coactions_posts_captures_and_findings(graph):
    acts = entity_data.coactions(graph, BOB)
    # bob pushed the URL 20 s after alice (carol too), and reposted alice's post 10 s before carol
    together = {action: set(w) for action, w in zip(acts["action"], acts["with"])}
    assert together == {"url": {"alice", "carol"}, "repost": {"carol"}}
    assert acts["capture"].notna().all() and set(acts["post"]) >= {P1}
    page = _text(entity.layout(type("Ctx", (), {"store": graph})(), {"uid": BOB}))
    assert "Co-actions: 2" in page and entity_href(P1) in page and "/capture?uid=capture%3A" in page
    assert "Campaigns" in page and "/campaign?uid=campaign%3A0" in page


def test_a_target_page_ranks_attackers_and_sets_impersonators_beside_real_accounts(graph):
    assert list(entity_data.real_accounts(graph, JANE)["account"]) == [JANE_REAL]
    fakes = entity_data.impersonations(graph, JANE)
    assert list(fakes["impersonator"]) == [JANE_FAKE] and fakes["score"].iloc[0] == pytest.approx(0.88)
    attackers = entity_data.attackers(graph, JANE)
    assert {ALICE, JANE_FAKE} <= set(attackers["actor"])
    page = _text(entity.layout(type("Ctx", (), {"store": graph})(), {"uid": JANE}))
    for expected in ("Real accounts (1)", "Impersonating accounts (1)", "Who attacks Jane Doe", "Takedowns",
                     entity_href(JANE_FAKE), entity_href(JANE_REAL)):
        assert expected in page


def test_reports_say_what_became_of_each_item(graph):
    ledger = entity_data.reports(graph, [PATRIOT, ALICE])
    by_entity = dict(zip(ledger["entity"], ledger["status"]))
    # patriot_news: reported at T0+1d, suspended at T0+2d; alice's post P1 reported too
    assert by_entity[PATRIOT] == "removed" and P1 in by_entity
    assert ledger.loc[ledger["entity"] == PATRIOT, "hours"].iloc[0] == pytest.approx(24)


def test_unknown_uids_get_a_not_found_page(graph):
    ctx = type("Ctx", (), {"store": graph})()
    assert "Not in the store" in _text(entity.layout(ctx, {"uid": "account:twitter:nobody"}))
    assert "Capture not found" in _text(capture_page.layout(ctx, {"uid": "capture:nope:0"}))


def test_the_capture_page_frames_the_replay_sandboxed(graph):
    ctx = type("Ctx", (), {"store": graph})()
    page = capture_page.layout(ctx, {"uid": PAGE_CAPTURE})
    text = _text(page)
    assert replay_href(PAGE_CAPTURE) in text and '"sandbox": ""' in text and entity_href(PAGE_POST) in text
    # a JSONL line whose file is gone says so instead of failing
    line = capture_page.layout(ctx, {"uid": graph.query("MATCH (c:Capture) WHERE c.format = 'jsonl' "
                                                        "RETURN c.uid AS u ORDER BY u LIMIT 1")["u"].iloc[0]})
    assert "is not where the store says" in _text(line)


def test_the_replay_route_serves_captured_pages_sandboxed(graph):
    app = create_app(store=graph)
    client = app.server.test_client()
    answer = client.get(replay_href(PAGE_CAPTURE), headers={"Host": "127.0.0.1"})
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/html; charset=utf-8"
    csp = answer.headers["Content-Security-Policy"]
    assert csp == REPLAY_CSP and csp.startswith("sandbox;") and "default-src 'none'" in csp
    assert "script-src" not in csp and answer.headers["X-Frame-Options"] == "SAMEORIGIN"
    body = answer.get_data(as_text=True)
    # the script and the refresh are gone, the captured image is inlined, the tracker dropped
    assert "PWNED" not in body and "http-equiv" not in body and "elsewhere.example" not in body
    assert "<title>Original title</title>" in body and "Captured words" in body
    assert 'src="data:image/png;base64,' in body and "tracker.example" not in body
    image = client.get(replay_href(IMAGE_CAPTURE), headers={"Host": "127.0.0.1"})
    assert image.headers["Content-Type"] == "image/png" and image.data == PNG
    assert image.headers["Content-Security-Policy"] == REPLAY_CSP
    missing = client.get(replay_href("capture:nope:0"), headers={"Host": "127.0.0.1"})
    assert missing.status_code == 404 and missing.headers["Content-Security-Policy"] == REPLAY_CSP


def test_side_by_side_highlights_the_shared_passages(graph):
    left, right = entity_data.shared_passages("one two three four five six seven eight and more words here",
                                              "intro one two three four five six seven eight outro")
    assert [t for t, shared in left if shared] == ["one two three four five six seven eight"]
    assert [t for t, shared in right if not shared] == ["intro", "outro"]
    page = _text(compare.layout(type("Ctx", (), {"store": graph})(), {"left": OLD, "right": NEW}))
    assert "Side by side" in page


def test_a_post_page_links_its_capture(graph):
    page = _text(entity.layout(type("Ctx", (), {"store": graph})(), {"uid": PAGE_POST}))
    assert "See the captured page or line" in page and "/capture?uid=capture%3Ahostile%3Apage" in page
    assert entity_data.captures(graph, CAROL)["capture"].notna().any()
