"""Reports in, captured on intake: `report add` fetches a page the store does not hold
(a real HTTP server on 127.0.0.1 playing x.com), links the capture of a post it already
holds without fetching, and a reports table ingested with --capture gets the same step;
on both stores."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
from http_sites import page, sites, status  # noqa: F401

from graphinv.capture import intake
from graphinv.capture.evidence import capture_rows, read_capture, verify_capture
from graphinv.capture.fetch import FetchPolicy
from graphinv.ingest import ingest_paths

ROOT = Path(__file__).resolve().parents[1]
HOSTS = ("x.com", "t.me", "hate-site.test")
TWEET = ('<html><head><title>Post on X</title></head><body><article><div data-testid="tweetText">'
         "We know where the mayor lives. Tonight we finish this, bring the rope.</div></article></body></html>")


def policy() -> FetchPolicy:
    return FetchPolicy(resolve={h: "127.0.0.1" for h in HOSTS} | {"*": None}, allow_networks=["127.0.0.0/8"],
                       timeout=1.0, deadline=3.0)


def report_row(store, uid):
    return store.query("MATCH (r:Report)-[:REPORTED]->(e) WHERE r.uid = $uid RETURN r.capture AS capture, "
                       "r.category AS category, r.note AS note, r.reporter AS reporter, r.reported_to AS reported_to, "
                       "r.platform AS platform, e.uid AS entity", {"uid": uid}).iloc[0]


def test_report_add_fetches_the_page_into_a_warc_and_links_its_capture(sites, store, tmp_path):
    sites.route("x.com", "/mob_leader/status/1850000000000000001", page(TWEET))
    url = sites.url("x.com", "/mob_leader/status/1850000000000000001")
    result = intake.add(store, url, category="threat", note="a death threat naming the mayor's home",
                        reporter="hotline", policy=policy(), out_dir=tmp_path, delay=0)
    [item] = result.items
    assert item.how == "fetched" and item.capture and result.warc.exists()
    row = report_row(store, item.report)
    assert row["capture"] == item.capture
    assert (row["category"], row["note"], row["reporter"], row["platform"], row["reported_to"]) == (
        "threat", "a death threat naming the mayor's home", "hotline", "twitter", "twitter")
    # The capture is the page's response record: its bytes hold the post and hash as stored.
    [capture] = capture_rows(store, [item.capture]).to_dict("records")
    assert capture["capture_url"] == url and capture["format"] == "warc"
    assert verify_capture(capture) == "ok"
    assert b"bring the rope" in gzip.decompress(read_capture(capture))  # one gzip member per record

    # A page that is already gone at intake is captured too (its 404 is the evidence).
    sites.route("hate-site.test", "/doxx", status(404))
    gone = intake.add(store, sites.url("hate-site.test", "/doxx"), category="doxxing", policy=policy(),
                      out_dir=tmp_path, delay=0)
    assert gone.items[0].how == "fetched" and report_row(store, gone.items[0].report)["reported_to"] == "hate-site.test"

    # No answer at all: the report stays, without a capture, and says why.
    failed = intake.add(store, "http://nowhere.test/x", category="threat", policy=policy(), out_dir=tmp_path, delay=0)
    assert failed.items[0].how == "failed" and failed.items[0].capture is None and failed.items[0].detail
    assert pd.isna(report_row(store, failed.items[0].report)["capture"])


def test_report_add_links_the_capture_of_a_post_already_in_the_store(sites, store, tmp_path):
    ingest_paths(store, [ROOT / "tests" / "fixtures" / "social" / "snscrape.jsonl"])
    result = intake.add(store, "https://x.com/Alice_1/status/100", category="incitement", policy=policy(),
                        out_dir=tmp_path, delay=0)
    [item] = result.items
    assert (item.how, item.entity, result.warc) == ("linked", "post:twitter:100", None)
    assert sites.requests == [] and not list(tmp_path.glob("*.warc.gz"))
    [capture] = capture_rows(store, [item.capture]).to_dict("records")
    assert capture["format"] == "jsonl" and capture["source_file"].endswith("snscrape.jsonl")
    assert verify_capture(capture) == "ok"


def test_reports_table_ingested_with_capture(sites, store_uri, tmp_path):
    sites.route("t.me", "/hatechan/812", page("<html><body><div class='tgme_widget_message_text' "
                                              "data-telegram-post='hatechan/812'>Find him and burn the house</div>"
                                              "</body></html>"))
    table = tmp_path / "reports.csv"
    table.write_text("report_id,url,reported_at,reported_to,category\n"
                     f"R-1,{sites.url('t.me', '/hatechan/812')},2026-11-30T10:00:00Z,telegram,threat\n"
                     "R-2,https://x.com/Alice_1/status/100,2026-11-30T11:00:00Z,twitter,incitement\n")
    env = {**os.environ, "GRAPHINV_STORE": store_uri, "GRAPHINV_RESOLVE": "t.me=127.0.0.1,*=none",
           "GRAPHINV_ALLOW_NETWORKS": "127.0.0.0/8"}
    run = [sys.executable, "-m", "graphinv"]
    done = subprocess.run([*run, "ingest", str(ROOT / "tests" / "fixtures" / "social" / "snscrape.jsonl"),
                           str(table), "--capture"], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    # (the test server's port makes the t.me URL a Url, not a Telegram post)
    assert f"report:R-1  url:https://t.me:{sites.port}/hatechan/812  fetched: capture:" in done.stdout
    assert "report:R-2  post:twitter:100  linked: capture:" in done.stdout
    assert list((tmp_path / "data" / "captures").glob("report-*.warc.gz"))
    # Nothing left to capture: a second pass fetches nothing.
    again = subprocess.run([*run, "report", "capture"], capture_output=True, text=True, env=env, cwd=tmp_path,
                           timeout=120)
    assert again.returncode == 0 and "every report has its capture" in again.stdout
    assert sum(1 for host, *_ in sites.requests if host == "t.me") == 1
