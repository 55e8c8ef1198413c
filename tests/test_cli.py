"""The command line as a user meets it: the schema, the bare coordination command on
the published reference, and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def graphinv(*args):
    return subprocess.run([sys.executable, "-m", "graphinv", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ})


def test_schema_prints_every_kind():
    from graphinv.schema import SCHEMA

    done = graphinv("schema")
    assert done.returncode == 0
    for kind in list(SCHEMA.nodes) + list(SCHEMA.edges):
        assert f"  {kind}:" in done.stdout


def test_coordination_reproduces_coortweet_vignette(reference_data):
    # CooRTweet's vignette: window 60, min_participation 2 -> 2110 vertices, 3721 edges.
    done = graphinv("coordination", str(reference_data / "coortweet" / "russian_coord_tweets.csv.gz"),
                    "--window", "60", "--min-participation", "2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "nodes=2110 edges=3721"


def test_user_mistakes_are_one_line(tmp_path):
    bad = tmp_path / "shares.csv"
    bad.write_text("who,what\nx,y\n")
    done = graphinv("coordination", str(bad))
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("Error: ")
    done = graphinv("coordination", str(bad), "--window", "soon")
    assert done.returncode == 2 and "is not a number of seconds or 'auto'" in done.stderr


def test_ingest_applies_the_column_mapping_of_the_readme(tmp_path):
    """`graphinv ingest shares.csv --columns account_id=user --columns object_id=url`: the
    mapping reaches the CSV collector, so the two shares are read (it was once filed
    under another name and ignored: 0 shares and a missing_columns reject)."""
    shares = tmp_path / "shares.csv"
    shares.write_text("user,url,content_id,timestamp\n"
                      "alice,https://news.example/a,c1,2024-03-01T10:00:00Z\n"
                      "bob,https://news.example/a,c2,2024-03-01T10:00:20Z\n")
    store = f"embedded:{tmp_path / 'g.lbug'}"
    done = graphinv("ingest", str(shares), "--columns", "account_id=user", "--columns", "object_id=url",
                    "--store", store)
    assert done.returncode == 0, done.stderr
    counted = graphinv("counts", "--store", store)
    counts = dict(line.split() for line in counted.stdout.replace(",", "").splitlines())
    # Each share is a post by its account linking to the one shared URL.
    assert (counts["Account"], counts["Post"], counts["POSTED"], counts["Url"], counts["LINKS_TO"]) == \
        ("2", "2", "2", "1", "2")
    assert "missing_columns" not in done.stdout + done.stderr


def test_demo_reads_only_captures_and_scores_every_detector_at_one(tmp_path):
    """`make demo` without the server: no skipped-file noise (the scenario's README,
    generator and truth are not captures) and every detector at 1.000 on the truth."""
    done = graphinv("demo", "--no-serve", "--store", f"embedded:{tmp_path / 'demo.lbug'}")
    assert done.returncode == 0, done.stderr
    assert "skipped /" not in done.stdout + done.stderr and "no collector reads" not in done.stdout
    for detector in ("coordinated accounts", "site lineage", "account reappearance", "impersonation"):
        row = next(line for line in done.stdout.splitlines() if line.startswith(f"│ {detector} "))
        assert row.count("1.000") == 3, row
    # Every finding of the untouched demo rests on captures whose bytes still hold.
    verified = graphinv("evidence", "--all", "--verify", "--store", f"embedded:{tmp_path / 'demo.lbug'}")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "campaign:0" in verified.stdout and "site:ostervale-facts.example" in verified.stdout
    assert "captures behind" in verified.stderr
