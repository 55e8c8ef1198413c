"""Reader processes change nothing: the same store, field for field, from the serial
path (``workers=1``) and from reader processes (``workers=2``), on the real social
fixtures (snscrape of several versions, UTF-16 and BOM files, twarc, Telegram and
Mastodon exports read in this process between them) and on the bench generator's
tweets (retweets of earlier tweets, links, hashtags), with rejects counted alike."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from graphinv import ingest
from graphinv.ingest import ingest_paths
from graphinv.schema import SCHEMA

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from ingest_jsonl import write_tweets  # noqa: E402 - the bench's generator, shared

SOCIAL = ROOT / "tests" / "fixtures" / "social"
# When a file was ingested: differs between any two runs.
RUN_TIMES = {"started_at", "finished_at"}


def dump(store) -> dict[str, list[dict]]:
    """Every node and edge of every kind with every declared property, by uid."""
    out = {}
    for kinds, pattern in ((SCHEMA.nodes, "(x:{kind})"), (SCHEMA.edges, "()-[x:{kind}]->()")):
        for kind, spec in kinds.items():
            props = sorted(set(spec.properties) - RUN_TIMES - {"uid"})
            columns = ", ".join(["x.uid AS uid", *(f"x.{p} AS {p}" for p in props)])
            frame = store.query(f"MATCH {pattern.format(kind=kind)} RETURN {columns}")
            rows = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
            out[kind] = sorted(rows, key=lambda row: row["uid"])
    return out


def _plain(value):
    """One spelling of a value as either store returns it (NaN and None alike)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    shutil.copytree(SOCIAL, folder / "social", ignore=shutil.ignore_patterns("*.py"))
    write_tweets(folder / "generated.jsonl", 6000)
    # A bad line, a line that is not an object and a number beyond 64 bits: counted alike.
    with open(folder / "generated.jsonl", "a") as out:
        out.write("{not json\n[1, 2]\n")
        out.write(json.dumps({"_type": "snscrape.modules.twitter.Tweet", "id": 5, "date": "2026-03-01T00:00:00Z",
                              "url": "https://twitter.com/x/status/5", "user": {"username": "x"},
                              "likeCount": 2**70, "rawContent": "big numbers"}) + "\n")
    return folder


def test_reader_processes_write_the_same_store_as_one_process(store, tmp_path, monkeypatch):
    folder = _inputs(tmp_path)
    # Small batches: several per file, so batches are cut, sent and merged many times.
    monkeypatch.setenv("GRAPHINV_INGEST_BATCH", "8000")
    monkeypatch.setattr(ingest, "BATCH_RECORDS", 8000)

    serial = ingest_paths(store, [folder], workers=1)
    expected = dump(store)
    store.clear()
    parallel = ingest_paths(store, [folder], workers=2)
    got = dump(store)

    assert sum(len(rows) for rows in expected.values()) > 30_000
    assert {f.collector for f in serial.files} >= {"snscrape", "twarc", "telegram_export", "mastodon_outbox"}
    for kind in expected:
        assert got[kind] == expected[kind], f"{kind} differs"
    # The same files, rejects and counts, in the same order.
    describe = [(f.path, f.collector, f.items, f.nodes, f.edges, dict(f.rejects), f.skipped) for f in serial.files]
    assert [(f.path, f.collector, f.items, f.nodes, f.edges, dict(f.rejects), f.skipped)
            for f in parallel.files] == describe
    generated = next(f for f in parallel.files if f.path.endswith("generated.jsonl"))
    assert generated.rejects == {"bad_json": 2, "bad_number": 1}
    # Evidence per line: where it is and the sha256 of its bytes, for every capture.
    lines = [c for c in expected["Capture"] if c["format"] == "jsonl"]
    assert len(lines) > 6000
    assert all(c["line"] and c["offset"] is not None and len(c["bytes_sha256"]) == 64 for c in lines)
    assert any(c["text_minhash"] for c in expected["Post"])


def test_a_reader_that_fails_fails_the_ingest(store, tmp_path):
    """An error while a reader process reads is raised by the ingest, as it would be
    in one process, and the file's run is not marked complete."""
    folder = tmp_path / "in"
    folder.mkdir()
    write_tweets(folder / "a.jsonl", 50)
    with pytest.raises(Exception, match="dictionary update sequence"):
        ingest_paths(store, [folder], workers=2, options={"snscrape": {"expansions": ["not", "a", "dict"]}})
    states = store.query("MATCH (r:IngestRun) RETURN r.state AS state")
    assert "complete" not in set(states.state)
