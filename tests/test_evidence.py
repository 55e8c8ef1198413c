"""Evidence per capture: every finding rests on captures whose bytes are still where the
store says, on scenarios we did not hand-write into the store, on both stores; one
flipped byte in a source file is caught and named."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner

from graphinv.analysis.registry import analyze_all
from graphinv.capture.evidence import campaign_coactions, finding_captures, findings, verify_capture
from graphinv.ingest import ingest_paths


def _verify_every_finding(store) -> dict[str, int]:
    """Captures per finding kind, after checking that every one of them holds."""
    counted: dict[str, int] = {}
    for finding in findings(store):
        rows = finding_captures(store, finding).to_dict("records")
        assert rows, f"{finding['name']}: a finding without captures"
        failed = [(r["source_file"], r["offset"], verify_capture(r)) for r in rows if verify_capture(r) != "ok"]
        assert failed == [], f"{finding['name']}: {failed[:3]}"
        counted[finding["finding"]] = counted.get(finding["finding"], 0) + len(rows)
    return counted


def _flip(path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_every_finding_of_a_generated_scenario_verifies_and_a_flipped_byte_is_caught(store, tmp_path):
    from scripts.scenario import generate

    generate(tmp_path / "data", seed=5, scale=1.0)
    ingest_paths(store, [tmp_path / "data"])
    analyze_all(store)
    counted = _verify_every_finding(store)
    assert {"campaign", "lineage", "impersonation", "takedown"} <= set(counted), counted

    # Each capture is its own record: a page crawled on several days has a capture per
    # crawl, each with the WARC-Date of that crawl (not one merged set of properties).
    # (A crawl and a watch check in the same second share a time: hence "some".)
    pages = store.query("MATCH (c:Capture)-[:CAPTURES]->(p:Post) WHERE p.platform = 'web' "
                        "RETURN p.uid AS page, count(c) AS captures, count(DISTINCT c.captured_at) AS times")
    assert (pages["times"] > 1).any()

    # A campaign's evidence is its members' acts, seconds apart, each read from a line.
    acts = campaign_coactions(store, "campaign:0")
    members = set(store.query("MATCH (a:Account)-[:MEMBER_OF]->(c:Campaign) WHERE c.uid = 'campaign:0' "
                              "RETURN a.uid AS uid")["uid"])
    assert len(acts) >= 3 and set(acts["account"]) <= members and acts["capture"].notna().all()
    assert (acts.groupby("object")["seconds_after_first"].min() == 0).all()

    # One flipped byte inside a WARC record and one inside a JSONL line: both named.
    captures = finding_captures(store, {"campaign": "campaign:0"}).to_dict("records")
    line = captures[0]
    site = next(f for f in findings(store) if f["finding"] == "lineage" and f["name"].startswith("site:"))
    record = next(r for r in finding_captures(store, site).to_dict("records") if r["format"] == "warc")
    from pathlib import Path

    _flip(Path(line["source_file"]), line["offset"] + line["length"] // 2)
    _flip(Path(record["source_file"]), record["offset"] + record["length"] // 2)
    assert verify_capture(line) == "changed" and verify_capture(record) == "changed"
    others = [r for r in captures if r["source_file"] != line["source_file"]]
    assert all(verify_capture(r) == "ok" for r in others)  # the other files still hold


def test_capture_times_come_from_the_captures_never_from_the_clock(store, tmp_path):
    """A saved page without a saved date, a JSONL line from snscrape: time unknown; a
    WARC record: its WARC-Date; a twarc line: its retrieved_at; whatever the file's mtime."""
    import io
    import os

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    (tmp_path / "saved.html").write_text("<!-- saved from url=(0022)https://gone-site.test/ --><p>hi</p>")
    with open(tmp_path / "crawl.warc.gz", "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://gone-site.test/a", "response", payload=io.BytesIO(b"<html><p>page</p></html>"),
            http_headers=headers, warc_headers_dict={"WARC-Date": "2026-03-02T10:00:00Z"}))
    tweet = {"_type": "snscrape.modules.twitter.Tweet", "id": 7, "url": "https://x.com/a/status/7",
             "date": "2026-03-01T00:00:00+00:00", "rawContent": "hello",
             "user": {"username": "a", "id": 1}}
    (tmp_path / "search.jsonl").write_text(json.dumps(tweet) + "\n" + json.dumps(
        {**tweet, "id": 8, "url": "https://x.com/a/status/8", "__twarc": {"retrieved_at": "2026-03-05T08:00:00Z"}})
        + "\n")
    for name in ("saved.html", "crawl.warc.gz", "search.jsonl"):
        os.utime(tmp_path / name, (2_000_000_000, 2_000_000_000))  # a copy made in 2033
    ingest_paths(store, [tmp_path])
    got = store.query("MATCH (c:Capture) RETURN c.format AS format, c.url AS url, c.captured_at AS at, "
                      "c.time_source AS source ORDER BY format, url")
    rows = {(r["format"], r["url"]): (r["at"], r["source"]) for r in got.to_dict("records")}

    def at(value):
        return None if value != value else value  # NaN from a missing int

    assert {k: (at(v[0]), v[1]) for k, v in rows.items()} == {
        ("html", "https://gone-site.test/"): (None, "unknown"),
        ("jsonl", "https://x.com/a/status/7"): (None, "unknown"),
        ("jsonl", "https://x.com/a/status/8"): (1772697600, "retrieved_at"),
        ("warc", "https://gone-site.test/a"): (1772445600, "WARC-Date"),
    }
    assert store.query("MATCH (n) WHERE n.last_seen >= 2000000000 RETURN count(n) AS n").iloc[0, 0] == 0


def test_gzipped_line_captures_are_cut_from_the_gunzipped_stream(tmp_path):
    import gzip

    from collectors import snscrape

    lines = [json.dumps({"_type": "snscrape.modules.twitter.Tweet", "id": i, "url": f"https://x.com/é/status/{i}",
                         "date": "2026-03-01T00:00:00+00:00", "rawContent": "naïve " * i,
                         "user": {"username": "é", "id": 1}}, ensure_ascii=False) for i in range(1, 40)]
    path = tmp_path / "t.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    captures = [r.props for r in snscrape.collect(path) if getattr(r, "kind", "") == "Capture"]
    assert len(captures) == 39
    assert all(verify_capture(c) == "ok" for c in captures)
    assert hashlib.sha256(lines[5].encode()).hexdigest() == captures[5]["bytes_sha256"]


def test_telegram_message_captures_hold_across_read_chunks(tmp_path):
    """Messages after the first 1 MB (the reader's chunk) and with multi-byte text still
    point at their exact bytes."""
    from collectors import telegram_export

    folder = tmp_path / "ChatExport_2026-04-30"
    folder.mkdir()
    messages = [{"id": i, "type": "message", "date": "2026-04-01T10:00:00", "date_unixtime": str(1775037600 + i),
                 "from": "Kanal", "from_id": "channel9", "text": "Grüße " * 300 + str(i)} for i in range(1, 1200)]
    (folder / "result.json").write_text(json.dumps({"name": "Kanal", "type": "public_channel", "id": 9,
                                                    "messages": messages}, ensure_ascii=False, indent=1),
                                        encoding="utf-8-sig")
    assert (folder / "result.json").stat().st_size > 2 * (1 << 20)
    captures = [r.props for r in telegram_export.collect(folder / "result.json") if getattr(r, "kind", "") == "Capture"]
    assert len(captures) == len(messages)
    assert {verify_capture(c) for c in captures} == {"ok"}
    assert {(c["captured_at"], c["time_source"]) for c in captures} == {(1777507200, "export folder")}


@pytest.mark.parametrize("store_uri", ["embedded"], indirect=True)
def test_evidence_all_verify_names_a_tampered_file(store_uri, tmp_path):
    import graphinv.commands.watch  # noqa: F401 - registers `evidence`
    from graphinv.cli import main
    from graphinv.store import open_store
    from scripts.scenario import generate

    generate(tmp_path / "data", seed=6, scale=0.6)
    with open_store(store_uri) as store:
        ingest_paths(store, [tmp_path / "data"])
        analyze_all(store)
        row = finding_captures(store, {"campaign": "campaign:0"}).iloc[0]
    runner = CliRunner()
    ok = runner.invoke(main, ["evidence", "--all", "--verify", "--store", store_uri])
    assert ok.exit_code == 0, ok.output
    assert "campaign:0" in ok.output and "lineage" in ok.output
    from pathlib import Path

    _flip(Path(row["source_file"]), int(row["offset"]))
    bad = runner.invoke(main, ["evidence", "--all", "--verify", "--store", store_uri])
    assert bad.exit_code != 0 and f"{row['source_file']}@{row['offset']}: changed" in bad.output
