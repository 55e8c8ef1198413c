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
