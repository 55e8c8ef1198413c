"""The Spark engine of coordination equals the in-process engine: both published
CooRTweet references (2110/3721 through the command line, 671/1732), the Coordination
Network Toolkit's own tables, generated tables of 100k shares (every edge column, the
nodes and the per-modality edges), Parquet in and out, and ``analyze``'s step on the
demo. One Spark session on local[2] serves the whole test session (Spark starts slowly).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from graphinv.analysis.coordination import detect_coordination, detect_coordination_cnt, read_share_table
from graphinv.errors import InputError
from test_coordination import _random_cnt_table

ROOT = Path(__file__).resolve().parents[1]
TEST_CONF = {"spark.sql.codegen.wholeStage": "false", "spark.sql.adaptive.enabled": "false",
             "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}
# the same settings for the command line's own session
SUBMIT_ARGS = " ".join(f"--conf {key}='{value}'" for key, value in TEST_CONF.items()) + " pyspark-shell"


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'graphinv[spark]')")
    from graphinv.analysis.coordination.spark import session

    # Small and quick for tests: two cores, few shuffle partitions, a small driver; on
    # tables this small, compiling code per query and re-planning adaptively cost more
    # than they save (10k shares: 45 s -> 30 s, and the JVM starts in half the time).
    spark = session("local[2]", shuffle_partitions=2, driver_memory="1g", conf=TEST_CONF)
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


@pytest.fixture
def engine(spark):
    from graphinv.analysis.coordination import spark as engine

    return engine


def same(local, on_spark):
    """Every table of two results equal, column by column (pairs are not kept by either)."""
    assert_frame_equal(local.edges, on_spark.edges)
    assert_frame_equal(local.nodes, on_spark.nodes)
    if local.semantics == "coortweet":
        assert_frame_equal(local.modality_edges, on_spark.modality_edges)
    assert local.window == on_spark.window
    assert local.stats["pairs"] == on_spark.stats["pairs"]


def graphinv(*args, env=None):
    return subprocess.run([sys.executable, "-m", "graphinv", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})})


# ------------------------------------------------------------- published results


def test_russian_coord_tweets_on_spark_from_the_command_line(reference_data, tmp_path, spark):
    # CooRTweet's vignette (window 60, min_participation 2 -> 2110 vertices, 3721 edges),
    # read by Spark from the gzipped CSV, written as Parquet, equal to the local engine.
    path = reference_data / "coortweet" / "russian_coord_tweets.csv.gz"
    out = tmp_path / "edges.parquet"
    done = graphinv("coordination", str(path), "--window", "60", "--min-participation", "2", "--engine", "spark",
                    "--spark-master", "local[2]", "--out", str(out), env={"PYSPARK_SUBMIT_ARGS": SUBMIT_ARGS})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "nodes=2110 edges=3721"
    local = detect_coordination(read_share_table(path), 60, 2, 0.5, keep_pairs=False).edges
    written = pd.read_parquet(out)
    assert len(written) == 3721
    assert_frame_equal(written.drop(columns="modalities"), local.drop(columns="modalities"))
    assert [list(m) for m in written["modalities"]] == list(local["modalities"])


def test_german_elections_url_and_image_stacked_on_spark(reference_data, engine, spark):
    # reproduce_examples.Rmd: url_id and phash_id as objects, unique rows, window 30,
    # min_participation 2 -> 671 vertices, 1732 edges; read and deduplicated by Spark.
    from pyspark.sql import functions as F

    path = reference_data / "coortweet" / "german_elections.csv.gz"
    mapping = {"account": "account_id", "object": ["url_id", "phash_id"], "content": "post_id", "time": "timestamp"}
    frame, dropped, shape = engine.read_share_table(spark, path, mapping, dedupe=True)
    prefix = F.when(F.col("modality") == "url_id", F.lit("url_")).otherwise(F.lit("hash_"))
    frame = frame.withColumn("object", F.concat(prefix, F.col("object")))
    on_spark = engine.detect_coordination(frame, window=30, min_participation=2, spark=spark)
    assert on_spark.summary == "nodes=671 edges=1732"

    table = read_share_table(path, mapping, dedupe=True)
    assert dropped == table.attrs["dropped"] and shape == "custom"
    table = table.assign(object=table["modality"].map({"url_id": "url_", "phash_id": "hash_"}) + table["object"])
    same(detect_coordination(table, window=30, min_participation=2, keep_pairs=False), on_spark)


# --------------------------------------------------------------------- CNT


@pytest.mark.parametrize(("window", "min_weight"), [(60, 1), (5, 2)])
def test_cnt_on_spark_matches_the_toolkit_itself(tmp_path, engine, spark, window, min_weight):
    # CNT's message table (reposts, links, texts with a line break in quotes) read by
    # Spark; every network equals the toolkit's own SQLite tables and the local engine.
    from coordination_network_toolkit import compute_networks, preprocess

    csv = tmp_path / "messages.csv"
    _random_cnt_table(csv, last_text="Other\nline")
    db = str(tmp_path / "cnt.db")
    preprocess.preprocess_csv_files(db, [str(csv)])
    compute_networks.compute_co_link_network(db, window, n_threads=1, min_edge_weight=min_weight)
    compute_networks.compute_co_retweet_parallel(db, window, n_threads=1, min_edge_weight=min_weight)
    compute_networks.compute_co_tweet_network(db, window, n_threads=1, min_edge_weight=min_weight)

    on_spark = engine.run_on_table(csv, window, min_weight, 0.5, semantics="cnt", loops=True, spark=spark)
    edges = on_spark.edges
    with sqlite3.connect(db) as con:
        for network in ("co_link", "co_retweet", "co_tweet"):
            theirs = {(str(a), str(b), int(w)) for a, b, w in con.execute(f"select * from {network}_network")}
            mine = {(r.account, r.account_y, r.weight) for r in edges[edges["network"] == network].itertuples()}
            assert theirs and mine == theirs, network
    same(detect_coordination_cnt(read_share_table(csv), window, min_weight, loops=True), on_spark)


# ------------------------------------------------------------ generated tables


def generated_shares(rows: int, seed: int = 3) -> pd.DataFrame:
    """Shares in three modalities with what the semantics must get right: same-second
    bursts (pair orientation, symmetry), a post carrying a URL and a text (one content
    in two objects), contents equal to their object, missing contents, light accounts
    below the participation minimum, and a planted group."""
    rng = np.random.default_rng(seed)
    n_acc, n_obj, span = max(rows // 25, 50), max(rows // 6, 50), 86_400
    account = rng.integers(0, n_acc, rows)
    weights = 1.0 / np.arange(1, n_obj + 1) ** 0.8  # popular objects, none holding a tenth of the table
    obj = rng.choice(n_obj, rows, p=weights / weights.sum())
    time = rng.integers(0, span, rows)
    burst = rng.random(rows) < 0.1  # a tenth of the shares land in one second per object
    time = np.where(burst, obj * 37 % span, time)
    modality = rng.choice(["url", "repost", "text"], rows, p=[0.5, 0.3, 0.2])
    content = np.char.add("p", rng.integers(0, rows, rows).astype(str)).astype(object)
    content[rng.random(rows) < 0.01] = None
    objects = np.char.add("o", obj.astype(str)).astype(object)
    itself = rng.random(rows) < 0.01
    content[itself] = objects[itself]
    frame = pd.DataFrame({"account": np.char.add("a", account.astype(str)), "object": objects,
                          "content": content, "time": time, "modality": modality})
    # one post as a URL and as a text: the same content in two objects and modalities
    twice = frame.sample(frac=0.05, random_state=seed).assign(modality="text")
    twice["object"] = "t" + twice["object"].astype(str)
    planted = pd.DataFrame({"account": [f"planted{k}" for k in range(12) for _ in range(20)],
                            "object": [f"camp{j}" for _ in range(12) for j in range(20)],
                            "content": [f"c{k}_{j}" for k in range(12) for j in range(20)],
                            "time": [j * 1000 + (k * 7) % 50 for k in range(12) for j in range(20)],
                            "modality": "repost"})
    return pd.concat([frame, twice, planted], ignore_index=True).sample(frac=1.0, random_state=seed,
                                                                       ignore_index=True)


def test_generated_100k_coortweet_equal_on_both_engines(engine, spark):
    shares = generated_shares(100_000)
    local = detect_coordination(shares, 60, 2, 0.5, fast_window=10, keep_pairs=False)
    on_spark = engine.detect_coordination(shares, 60, 2, 0.5, fast_window=10, spark=spark)
    assert len(local.edges) > 1000 and local.edges["weight_fast"].notna().sum() > 100
    assert local.edges["avg_time_delta"].eq(0).any()  # same-second pairs were oriented
    same(local, on_spark)


def test_generated_100k_cnt_equal_on_both_engines(engine, spark, tmp_path):
    # through Parquet this time: the table as Spark reads it from a columnar file
    shares = generated_shares(100_000, seed=5)
    path = tmp_path / "shares.parquet"
    shares.rename(columns={"account": "account_id", "object": "object_id", "content": "content_id",
                           "time": "timestamp"}).drop(columns="modality").to_parquet(path)
    frame, dropped, shape = engine.read_share_table(spark, path)
    assert shape == "generic" and dropped == {}
    on_spark = engine.detect_coordination_cnt(frame, 60, 2, loops=False, spark=spark)
    local = detect_coordination_cnt(shares.assign(modality="share"), 60, 2)
    assert len(local.edges) > 1000
    same(local, on_spark)


# ------------------------------------------------------------------- analyze


def test_analyze_step_on_spark_finds_the_same_campaigns(tmp_path, spark):
    from graphinv.analysis.coordination.analysis import CoordinationParams, compute, read
    from graphinv.ingest import ingest_paths
    from graphinv.store import open_store

    with open_store(f"embedded:{tmp_path / 'demo.lbug'}") as store:
        ingest_paths(store, [ROOT / "data" / "demo"])
        frames = read(store, CoordinationParams())
    local = compute(frames, CoordinationParams())
    on_spark = compute(frames, CoordinationParams(engine="spark"))
    assert len(local.summary) >= 2  # the demo's planted campaigns
    assert_frame_equal(local.coordination.edges, on_spark.coordination.edges)
    assert_frame_equal(local.communities, on_spark.communities)
    assert_frame_equal(local.amplified, on_spark.amplified)
    assert on_spark.run.params["engine"] == "spark"


# -------------------------------------------------------------------- errors


def test_engine_without_pyspark_is_a_one_line_error(tmp_path):
    # pyspark made unimportable for the child process only
    fake = tmp_path / "site" / "pyspark"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no pyspark here')\n")
    table = tmp_path / "shares.csv"
    table.write_text("account_id,object_id,content_id,timestamp\na,u,c1,0\nb,u,c2,5\n")
    done = graphinv("coordination", str(table), "--engine", "spark",
                    env={"PYTHONPATH": os.pathsep.join([str(fake.parent), str(ROOT)])})
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == "Error: the Spark engine needs pyspark: pip install 'graphinv[spark]'"
    # the local engine does not need it
    assert graphinv("coordination", str(table), "--min-participation", "1",
                    env={"PYTHONPATH": os.pathsep.join([str(fake.parent), str(ROOT)])}).returncode == 0


def test_bad_input_on_spark_is_refused_like_locally(engine, spark, tmp_path):
    with pytest.raises(InputError, match="whole epoch seconds"):
        engine.detect_coordination(pd.DataFrame({"account": ["a"], "object": ["u"], "content": ["c"],
                                                 "time": [1.5]}), 60, spark=spark)
    with pytest.raises(InputError, match="share table not found"):
        engine.read_share_table(spark, tmp_path / "absent.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("who,what\nx,y\n")
    with pytest.raises(InputError, match="cannot tell the shape"):
        engine.read_share_table(spark, bad)
