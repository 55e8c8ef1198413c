"""`graphinv ingest` end to end: the demo data on both stores, idempotence, provenance,
exit codes, and an ingest killed half-way that a re-run completes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from graphinv.ingest import ingest_paths
from graphinv.store import open_store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
# Kinds the capture formats carry; Campaign is written by analysis only.
CAPTURED_KINDS = ["Account", "Post", "Site", "Url", "Media", "Hashtag", "Identifier", "Target", "Report",
                  "Observation", "IngestRun"]


def graphinv(*args, env=None, check=False):
    return subprocess.run([sys.executable, "-m", "graphinv", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, check=check, cwd=ROOT)


def test_demo_fills_every_captured_kind_and_reingest_changes_nothing(store):
    summary = ingest_paths(store, [DEMO])
    counts = store.counts()
    for kind in CAPTURED_KINDS:
        assert counts[kind] > 0, f"no {kind} from data/demo"
    by = summary.by_collector()
    assert set(by) >= {"snscrape", "telegram_export", "web", "csv_tables"}
    # A second ingest skips files already complete; a forced one rewrites them: both
    # leave counts and properties as they were.
    sample = ("MATCH (a:Account) RETURN a.uid AS uid, a.first_seen AS f, a.last_seen AS l, a.bio AS bio "
              "ORDER BY uid")
    before = store.query(sample)
    again = ingest_paths(store, [DEMO])
    assert all(f.skipped for f in again.files)
    ingest_paths(store, [DEMO], force=True)
    assert store.counts() == counts
    assert store.query(sample).equals(before)


def test_provenance_traces_a_post_to_its_file(store):
    ingest_paths(store, [DEMO / "snscrape" / "twitter-search-ostervale.jsonl"])
    runs = store.query("MATCH (r:IngestRun) RETURN r.uid AS uid, r.source AS source, r.state AS state, "
                       "r.sha256 AS sha, r.items AS n_items")
    assert len(runs) == 1 and runs.state[0] == "complete" and runs.n_items[0] > 0
    assert runs.source[0].endswith("twitter-search-ostervale.jsonl") and len(runs.sha[0]) == 64
    traced = store.query("MATCH (p:Post) WHERE p.text IS NOT NULL RETURN p.runs AS runs, p.source_file AS f LIMIT 5")
    assert all(list(r) == [runs.uid[0]] for r in traced.runs)


def test_cli_summary_and_exit_codes(tmp_path):
    uri = f"embedded:{tmp_path / 'g.lbug'}"
    done = graphinv("ingest", str(DEMO / "csv"), "--store", uri)
    assert done.returncode == 0, done.stderr
    assert "Ingest summary" in done.stdout and "csv_tables" in done.stdout
    junk = tmp_path / "notes.txt"
    junk.write_text("nothing graphinv reads")
    done = graphinv("ingest", str(junk), "--store", uri)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("Error: nothing could be read")
    done = graphinv("ingest", str(tmp_path / "missing.jsonl"), "--store", uri)
    assert done.returncode != 0 and "missing.jsonl" in done.stderr


def _tweets(path: Path, n: int) -> None:
    with open(path, "w") as out:
        for i in range(n):
            user = {"_type": "snscrape.modules.twitter.User", "username": f"user{i % 3000}", "id": 10 + i % 3000,
                    "displayname": f"User {i % 3000}"}
            out.write(json.dumps({"_type": "snscrape.modules.twitter.Tweet", "id": 1_000_000 + i,
                                  "url": f"https://twitter.com/user{i % 3000}/status/{1_000_000 + i}",
                                  "date": f"2026-03-0{1 + i % 9}T10:{i % 60:02d}:00+00:00",
                                  "rawContent": f"post number {i} about the council meeting and more words",
                                  "user": user, "hashtags": ["ostervale"]}) + "\n")


def test_killed_ingest_is_completed_by_a_rerun(tmp_path):
    capture = tmp_path / "tweets.jsonl"
    _tweets(capture, 40_000)
    clean_uri = f"embedded:{tmp_path / 'clean.lbug'}"
    assert graphinv("ingest", str(capture), "--store", clean_uri).returncode == 0
    with open_store(clean_uri, read_only=True) as store:
        expected = store.counts()

    uri = f"embedded:{tmp_path / 'killed.lbug'}"
    trace = tmp_path / "trace"
    # Read by a reader process (graphinv/ingest.py) while the killed process writes.
    proc = subprocess.Popen([sys.executable, "-m", "graphinv", "ingest", str(capture), "--store", uri],
                            cwd=ROOT, env={**os.environ, "GRAPHINV_INGEST_BATCH": "5000",
                                           "GRAPHINV_INGEST_TRACE": str(trace), "GRAPHINV_INGEST_WORKERS": "2"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill it once it has written two batches, long before it is done.
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None and \
            len(trace.read_text().splitlines() if trace.exists() else []) < 2:
        time.sleep(0.02)
    assert proc.poll() is None, "the ingest finished before it could be interrupted"
    readers = psutil.Process(proc.pid).children(recursive=True)
    assert readers, "no reader process"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # Its readers see that nobody reads them any more and exit.
    gone, alive = psutil.wait_procs(readers, timeout=30)
    assert not alive, f"reader processes left running: {alive}"

    with open_store(uri, read_only=True) as store:
        partial = store.counts()
        state = store.query("MATCH (r:IngestRun) RETURN r.state AS state")
    # The file's IngestRun is not complete, so the next ingest reads the file again.
    assert list(state.state) in ([], ["running"])
    assert partial != expected
    done = graphinv("ingest", str(capture), "--store", uri)
    assert done.returncode == 0, done.stderr
    with open_store(uri, read_only=True) as store:
        assert store.counts() == expected
        assert list(store.query("MATCH (r:IngestRun) RETURN r.state AS s").s) == ["complete"]


def test_collect_snscrape_runs_the_program_and_ingests_its_output(tmp_path):
    # snscrape is GPL and never imported: graphinv runs whatever program GRAPHINV_SNSCRAPE
    # names. This one replays a real snscrape output file and records its arguments.
    source = DEMO / "snscrape" / "telegram-channel-ostervaletruth.jsonl"
    fake = tmp_path / "snscrape"
    fake.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path / 'args'}\ncat {source}\n")
    fake.chmod(0o755)
    uri = f"embedded:{tmp_path / 'g.lbug'}"
    done = graphinv("collect", "snscrape", "--max-results", "5", "telegram-channel", "ostervaletruth",
                    "--store", uri, "--out-dir", str(tmp_path / "captures"), env={"GRAPHINV_SNSCRAPE": str(fake)})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "args").read_text().split() == ["--jsonl", "--max-results", "5", "telegram-channel",
                                                       "ostervaletruth"]
    written = Path(done.stdout.strip().splitlines()[-1])
    assert written.parent == tmp_path / "captures" and written.read_bytes() == source.read_bytes()
    with open_store(uri, read_only=True) as store:
        assert store.counts()["Post"] > 0
    failing = tmp_path / "failing"
    failing.write_text("#!/bin/sh\necho 'snscrape: error: scraping failed' >&2\nexit 4\n")
    failing.chmod(0o755)
    done = graphinv("collect", "snscrape", "telegram-channel", "x", "--store", uri,
                    "--out-dir", str(tmp_path / "captures"), env={"GRAPHINV_SNSCRAPE": str(failing)})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == "Error: snscrape failed (exit 4): snscrape: error: scraping failed"
