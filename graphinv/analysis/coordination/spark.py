"""Coordination on Apache Spark: both semantics of the in-process engine, for share
tables that do not fit one machine (``graphinv coordination --engine spark``).

The plan, per modality and object:

1. shares are keyed by ``(modality, object, bucket)`` with buckets of the window's
   width, so two shares at most a window apart sit in the same or the adjacent bucket;
2. each share is joined with the shares of its own and of the next bucket (a shuffle on
   the key: the data is partitioned on the object), pairs within one bucket once;
3. the exact ``|dt| <= window`` filter, then the semantics' own filters and the
   per-edge aggregates (weights, times, distinct contents per side, modalities, and the
   distinct objects per modality that the significance test reads), all on Spark;
4. only the edge list comes back to the driver, where the in-process engine's own
   finishing step (:func:`~.coortweet.edges_from_sums`, :func:`~.kernel.build_nodes`)
   makes the same tables; communities run on it as they do today.

The results equal the in-process engine's, to the symmetry score (CooRTweet orients a
pair by input row order, kept here as a row id). pyspark is imported inside the
functions, so graphinv runs without it; asking for the engine without it is a one-line
error naming ``pip install 'graphinv[spark]'``.

    >>> import pandas as pd
    >>> shares = pd.DataFrame({"account": ["a", "b", "a", "b"], "object": ["u1", "u1", "u2", "u2"],
    ...     "content": ["p1", "p2", "p3", "p4"], "time": [0, 5, 100, 105], "modality": "url"})
    >>> r = detect_coordination(shares, window=60, spark=session("local[1]"))  # doctest: +SKIP
    >>> r.summary  # doctest: +SKIP
    'nodes=2 edges=1'
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from graphinv.errors import InputError

from .coortweet import _empty_edges, edges_from_sums, estimate_window
from .kernel import (
    CNT_EDGE_COLUMNS,
    SHARE_COLUMNS,
    CoordinationResult,
    build_nodes,
    check_params,
    empty_modality_edges,
    empty_pairs,
    validate_shares,
)
from .tables import CNT_COLUMNS, share_columns, table_shape
from .toolkit import CNT_NETWORKS, cnt_normalise_text

INSTALL_HINT = "the Spark engine needs pyspark: pip install 'graphinv[spark]'"


def _pyspark():
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import functions as F
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    return F


def session(master: str | None = None, *, shuffle_partitions: int | None = None, driver_memory: str | None = None,
            conf: Mapping[str, str] | None = None):
    """A Spark session for graphinv: the one spark-submit made, else a new one.

    ``master`` is e.g. ``local[2]`` or ``spark://host:7077``; None leaves it to
    spark-submit (or Spark's default, ``local[*]``). Arrow carries frames between
    pandas and Spark; the workers run this Python.
    """
    _pyspark()
    from pyspark.sql import SparkSession

    # The workers run this Python (its packages: graphinv, pandas, pyarrow) unless told otherwise.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("graphinv coordination")
    if master:
        builder = builder.master(master)
    settings = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                "spark.sql.execution.arrow.pyspark.enabled": "true"}
    if shuffle_partitions:
        settings["spark.sql.shuffle.partitions"] = str(shuffle_partitions)
    if driver_memory:
        settings["spark.driver.memory"] = driver_memory
    for key, value in {**settings, **(conf or {})}.items():
        builder = builder.config(key, value)
    with _quiet_pandas():
        return builder.getOrCreate()


@contextmanager
def _quiet_pandas():
    # pyspark warns that it does not fully support pandas 3 (and calls a pandas keyword
    # pandas 3 deprecates); the tests compare every column this module moves through
    # Arrow with the in-process engine's.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*PySpark does not yet fully support pandas.*")
        warnings.filterwarnings("ignore", message="The copy keyword is deprecated")
        yield


def _to_pandas(frame) -> pd.DataFrame:
    with _quiet_pandas():
        return frame.toPandas()


# ------------------------------------------------------------------------ input


def shares_from_pandas(spark, shares: pd.DataFrame):
    """A share frame on Spark (``account, object, content, time, modality, rid``); ``rid``
    is the row's position, the order CooRTweet orients same-second pairs by."""
    frame = validate_shares(shares)
    try:
        time = pd.to_numeric(frame["time"]).astype("float64")
    except (ValueError, TypeError) as exc:
        raise InputError(f"column 'time' must be epoch seconds: {exc}") from None
    if np.any(time.notna() & (time != np.floor(time))):
        raise InputError("column 'time' must be whole epoch seconds, found fractions")

    def text(column: str) -> pd.Series:  # as the in-process engine reads it: text, nulls kept
        values = frame[column]
        return values.astype("str").astype(object).where(values.notna(), None)

    out = pd.DataFrame({"account": text("account"), "object": text("object"), "content": text("content"),
                        "time": time.to_numpy(), "modality": text("modality"),
                        "rid": np.arange(len(frame), dtype="int64")})
    from pyspark.sql import types as T

    F = _pyspark()
    schema = T.StructType([T.StructField(c, T.StringType()) for c in ("account", "object", "content")]
                          + [T.StructField("time", T.DoubleType()), T.StructField("modality", T.StringType()),
                             T.StructField("rid", T.LongType())])
    with _quiet_pandas():
        sdf = spark.createDataFrame(out, schema=schema)
    return sdf.withColumn("time", F.col("time").cast("long"))


def _is_parquet(path: str) -> bool:
    """Parquet: a ``.parquet`` file, or a folder (a dataset as Spark writes it, here or
    at a URI); a file of another name is read as CSV."""
    name = path.rstrip("/").lower()
    if name.endswith((".parquet", ".pq")):
        return True
    if Path(path).exists():
        return Path(path).is_dir()
    return not name.endswith((".csv", ".tsv", ".txt", ".gz", ".bz2"))


def _csv_header(spark, path: str) -> tuple[list[str], str]:
    """The header and delimiter, read as the in-process reader does (a remote file's
    first line is fetched through Spark)."""
    from collectors.csv_tables import read_header

    local = Path(path)
    if not local.exists():
        rows = spark.read.text(path).limit(1).collect()
        if not rows:
            raise InputError(f"share table not found or empty: {path}")
        with tempfile.TemporaryDirectory() as tmp:
            local = Path(tmp) / "header.csv"
            local.write_text(rows[0][0] + "\n", encoding="utf-8")
            found = read_header(local)
    else:
        found = read_header(local)
    if not found:
        raise InputError(f"cannot read {path}: no header")
    return found


def _null_na_strings(frame):
    """pandas' default missing-value strings (``NA``, ``null``, empty, ...) as nulls, as
    the in-process reader's ``read_csv`` reads them."""
    from pandas._libs.parsers import STR_NA_VALUES

    F = _pyspark()
    na = sorted(STR_NA_VALUES)
    return frame.select([F.when(F.col(f"`{c}`").isin(na), F.lit(None)).otherwise(F.col(f"`{c}`")).alias(c)
                         for c in frame.columns])


def _cnt_shares(table):
    """CNT's message table as shares, on Spark (see :func:`.tables._cnt_shares`)."""
    from pyspark.sql import Window

    F = _pyspark()
    table = table.select([F.col(f"`{c}`").alias(name) for c, name in zip(table.columns, CNT_COLUMNS)] + ["rid"])
    first = Window.partitionBy("message_id").orderBy("rid")
    table = table.withColumn("_n", F.row_number().over(first)).filter("_n = 1").drop("_n")
    is_repost = F.coalesce(F.col("repost_id"), F.lit("")) != ""
    common = [F.col("user_id").alias("account"), F.col("message_id").alias("content"),
              F.col("timestamp").alias("time")]
    repost = table.filter(is_repost).select(*common, F.col("repost_id").alias("object"),
                                            F.lit("repost").alias("modality"), "rid")
    original = table.filter(~is_repost)
    text = original.select(*common, F.coalesce(F.col("message"), F.lit("")).alias("object"),
                           F.lit("text").alias("modality"), "rid")
    url = original.select(*common, F.explode(F.split(F.coalesce(F.col("urls"), F.lit("")), " ")).alias("object"),
                          F.lit("url").alias("modality"), "rid").filter(F.col("object") != "")
    return repost.unionByName(url).unionByName(text)


def read_share_table(spark, path: str | Path, columns: Mapping[str, str | Sequence[str]] | str | None = None, *,
                     modality: str | None = None, dedupe: bool = False):
    """Read a share table (CSV, CSV.gz or Parquet; a local path or any Hadoop URI) into
    a share frame on Spark, as :func:`.tables.read_share_table` reads it in process.

    Returns ``(frame, dropped, shape)``: the Spark frame (``account, object, content,
    time, modality, rid``), what was dropped and why, and the table's shape.
    """
    F = _pyspark()
    path = str(path)
    if "://" not in path and not Path(path).exists():
        raise InputError(f"share table not found: {path}")
    parquet = _is_parquet(path)
    if parquet:
        table = spark.read.parquet(path)
        header = table.columns
    else:
        header, delimiter = _csv_header(spark, path)
    shape, mapping = table_shape(header, columns, Path(path).name)
    if not parquet:
        # CNT's messages may hold quoted line breaks, which a split file cannot hold;
        # the other shapes read in parallel splits (an uncompressed CSV or Parquet).
        table = spark.read.options(header=True, sep=delimiter, inferSchema=False, escape='"',
                                   multiLine=shape == "cnt", mode="PERMISSIVE").csv(path)
        table = _null_na_strings(table.toDF(*[c.strip() for c in table.columns]))
    # the row's place in the file, in which CooRTweet orients same-second pairs
    table = table.withColumn("rid", F.monotonically_increasing_id())
    if shape == "cnt":
        frame = _cnt_shares(table)
    else:
        parts = []
        for spec, value in share_columns(mapping, table.columns, modality, Path(path).name):
            cols = [F.col(f"`{theirs}`").cast("string").alias(ours) if ours != "time" else
                    F.col(f"`{theirs}`").alias("time") for ours, theirs in spec.items()]
            part = table.select(*cols, "rid")
            if value is not None:
                part = part.withColumn("modality", F.lit(value))
            parts.append(part.select("account", "object", "content", "time", "modality", "rid"))
        frame = parts[0]
        for part in parts[1:]:
            frame = frame.unionByName(part)
    frame = frame.withColumn("time", F.col("time").cast("double"))
    counts = frame.agg(
        F.sum(F.col("object").isNull().cast("long")).alias("missing object"),
        F.sum((F.col("object").isNotNull() & F.col("time").isNull()).cast("long")).alias("missing or bad time"),
        F.sum((F.col("object").isNotNull() & (F.col("time") != F.floor("time"))).cast("long")).alias("fractions"),
    ).collect()[0].asDict()
    if counts["fractions"]:
        raise InputError("column 'time' must be whole epoch seconds, found fractions")
    dropped = {k: int(v) for k, v in counts.items() if k != "fractions" and v}
    frame = frame.filter(F.col("object").isNotNull() & F.col("time").isNotNull()) \
        .withColumn("time", F.col("time").cast("long"))
    if dedupe:
        from pyspark.sql import Window

        first = Window.partitionBy("modality", "object", "account", "content", "time").orderBy("rid")
        marked = frame.withColumn("_n", F.row_number().over(first))
        duplicates = marked.filter("_n > 1").count()
        frame = marked.filter("_n = 1").drop("_n")
        if duplicates:
            dropped["duplicate"] = int(duplicates)
    return frame.select(*SHARE_COLUMNS, "rid"), dropped, shape


def _as_spark(spark, shares):
    if isinstance(shares, pd.DataFrame):
        return shares_from_pandas(spark, shares)
    missing = [c for c in (*SHARE_COLUMNS, "rid") if c not in shares.columns]
    if missing:
        raise InputError(f"share frame lacks column(s): {', '.join(missing)}")
    return shares


def _valid(frame):
    """Rows a share needs (account, object, time, modality) and how many lacked one."""
    F = _pyspark()
    ok = F.col("account").isNotNull() & F.col("object").isNotNull() & F.col("time").isNotNull() \
        & F.col("modality").isNotNull()
    counted = frame.agg(F.count(F.lit(1)).alias("rows"), F.sum((~ok).cast("long")).alias("dropped")).collect()[0]
    return frame.filter(ok), int(counted["rows"]), int(counted["dropped"] or 0)


# ------------------------------------------------------------------------ pairs


def _pairs(shares, window: int, columns: Sequence[str]):
    """Every pair of shares of one (modality, object) at most ``window`` seconds apart,
    once, as ``<column>_1`` and ``<column>_2``: a join on (modality, object, bucket)
    of each share with the shares of its bucket and of the next one."""
    F = _pyspark()
    width = max(int(window), 1)
    keyed = shares.withColumn("bucket", F.floor(F.col("time") / F.lit(width)).cast("long"))
    left = keyed.select("modality", "object", "bucket", *[F.col(c).alias(f"{c}_1") for c in columns])
    # the right side is met in its own bucket and, shifted, from the bucket before
    right = keyed.select("modality", "object", F.col("bucket").alias("home"),
                         F.explode(F.array(F.col("bucket"), F.col("bucket") - 1)).alias("bucket"),
                         *[F.col(c).alias(f"{c}_2") for c in columns])
    joined = left.join(right, ["modality", "object", "bucket"])
    # within one bucket each pair once (the row ids in order); across buckets it is met once
    once = (F.col("home") != F.col("bucket")) | (F.col("rid_1") < F.col("rid_2"))
    return joined.filter(once & (F.abs(F.col("time_1") - F.col("time_2")) <= F.lit(int(window)))) \
        .drop("home", "bucket")


def _cut(frame):
    """``frame`` computed once and kept (memory, then disk) with its plan cut: the later
    steps reuse it, and Spark plans each step on a short lineage (planning a plan that
    repeats the pair join is slower than running it)."""
    from pyspark import StorageLevel

    return frame.localCheckpoint(eager=True, storageLevel=StorageLevel.MEMORY_AND_DISK)


# -------------------------------------------------------------------- CooRTweet


def _good_contents(rows, in_result, minimum: int):
    """CooRTweet's ``filter_min_participation`` (see :func:`.coortweet._participation_filter`):
    of the (modality, content) in some pair, those of an account with at least
    ``minimum`` rows whose content is in some pair."""
    F = _pyspark()
    marked = rows.join(in_result, ["modality", "content"], "left_semi")
    active = marked.groupBy("modality", "account").count().filter(F.col("count") >= minimum).drop("count")
    return marked.join(active, ["modality", "account"], "left_semi").select("modality", "content").distinct()


def _flag(pairs, good, name: str):
    """``name`` is true where either content of the pair is in ``good``."""
    F = _pyspark()
    marks = good.withColumn("_g", F.lit(True))
    for side in ("1", "2"):
        pairs = pairs.join(marks.withColumnRenamed("content", f"content_{side}")
                           .withColumnRenamed("_g", f"_g{side}"), ["modality", f"content_{side}"], "left")
    return pairs.withColumn(name, F.coalesce(F.col("_g1"), F.lit(False)) | F.coalesce(F.col("_g2"), F.lit(False))) \
        .drop("_g1", "_g2")


def detect_coordination(shares, window: int | str = 60, min_participation: int = 2, edge_weight: float = 0.5, *,
                        fast_window: int | None = None, spark=None, stats: dict | None = None) -> CoordinationResult:
    """CooRTweet's network computed on Spark; equal to :func:`.coortweet.detect_coordination`
    (``keep_pairs=False``). ``shares`` is a pandas share frame or a Spark one from
    :func:`read_share_table`; ``spark`` a session (default: :func:`session`)."""
    F = _pyspark()
    spark = spark or session()
    if isinstance(window, str):
        if window != "auto":
            raise InputError(f"window must be seconds or 'auto', got {window!r}")
        window = estimate_window(shares if isinstance(shares, pd.DataFrame) else
                                 _to_pandas(shares.select(*SHARE_COLUMNS)))
    check_params(window, min_participation, edge_weight, fast_window)
    fast = fast_window is not None
    frame, rows, dropped = _valid(_as_spark(spark, shares))
    stats = {"semantics": "coortweet", "engine": "spark", "rows": rows, "dropped_missing": dropped,
             "window": int(window), "fast_window": fast_window, "min_participation": int(min_participation),
             "max_pairs_per_object": None, "capped_objects": [], "pairs": 0, "pairs_fast": 0} | (stats or {})

    # 1. per modality, accounts with fewer than min_participation shares are dropped; an
    # account's first row in the modality ranks its rows (CooRTweet's regrouping).
    per_account = frame.groupBy("modality", "account").agg(F.count(F.lit(1)).alias("n"), F.min("rid").alias("first"))
    rows_kept = frame.join(per_account.filter(F.col("n") >= min_participation).drop("n"), ["modality", "account"])
    rows_kept = _cut(rows_kept)
    # 2-3. pairs of pairable shares (a content, not the object itself), other account, other content
    pairable = rows_kept.filter(F.col("content").isNotNull() & (F.col("content") != F.col("object")))
    pairs = _pairs(pairable, window, ["account", "content", "time", "rid", "first"])
    pairs = pairs.filter((F.col("account_1") != F.col("account_2")) & (F.col("content_1") != F.col("content_2")))
    pairs = _cut(pairs)
    # 4. the participation filter on the contents left in the pairs
    in_result = pairs.select("modality", F.col("content_1").alias("content")) \
        .union(pairs.select("modality", F.col("content_2").alias("content"))).distinct()
    good = _cut(_good_contents(rows_kept, in_result, min_participation))
    pairs = _cut(_flag(pairs, good, "good").filter("good"))
    if fast:
        near = F.abs(F.col("time_1") - F.col("time_2")) <= F.lit(int(fast_window))
        quick = pairs.filter(near)
        in_fast = quick.select("modality", F.col("content_1").alias("content")) \
            .union(quick.select("modality", F.col("content_2").alias("content"))).distinct()
        good_fast = _cut(_good_contents(rows_kept, in_fast, min_participation))
        pairs = _flag(pairs, good_fast, "fast_good").withColumn("fast", near & F.col("fast_good"))
    # Orientation: the earlier share by (time, rank), rank = (account's first row, row).
    lower_1 = (F.col("first_1") < F.col("first_2")) | ((F.col("first_1") == F.col("first_2"))
                                                      & (F.col("rid_1") < F.col("rid_2")))
    earlier_1 = (F.col("time_1") < F.col("time_2")) | ((F.col("time_1") == F.col("time_2")) & lower_1)
    dt = F.abs(F.col("time_1") - F.col("time_2"))
    # CooRTweet's content_id side: the higher-ranked row's content when the times differ,
    # else the lower-ranked row's (see .coortweet's Notes)
    hi_c = F.when(lower_1, F.col("content_2")).otherwise(F.col("content_1"))
    lo_c = F.when(lower_1, F.col("content_1")).otherwise(F.col("content_2"))
    oriented = pairs.select(
        "modality", "object",
        F.least("account_1", "account_2").alias("account"), F.greatest("account_1", "account_2").alias("account_y"),
        dt.alias("dt"),
        F.when(earlier_1, F.col("time_1")).otherwise(F.col("time_2")).alias("t_first"),
        F.when(earlier_1, F.col("time_2")).otherwise(F.col("time_1")).alias("t_second"),
        F.when(dt > 0, hi_c).otherwise(lo_c).alias("side_x"), F.when(dt > 0, lo_c).otherwise(hi_c).alias("side_y"),
        *([F.col("fast")] if fast else []),
    )
    oriented = _cut(oriented)

    # 5. per modality: pairs and distinct objects (the significance test's input)
    modality_edges = _to_pandas(oriented.groupBy("modality", "account", "account_y").agg(
        F.count(F.lit(1)).alias("weight"), F.countDistinct("object").alias("objects")))
    # per edge, across modalities
    aggs = [F.count(F.lit(1)).alias("weight"), F.sum("dt").alias("dt"), F.min("t_first").alias("tmin"),
            F.max("t_second").alias("tmax"), F.array_sort(F.collect_set("modality")).alias("modalities"),
            F.countDistinct("side_x").alias("nx"), F.countDistinct("side_y").alias("ny")]
    if fast:
        aggs += [F.sum(F.col("fast").cast("long")).alias("weight_fast"),
                 F.sum(F.when(F.col("fast"), F.col("dt")).otherwise(0)).alias("dt_fast"),
                 F.countDistinct(F.when(F.col("fast"), F.col("side_x"))).alias("fx"),
                 F.countDistinct(F.when(F.col("fast"), F.col("side_y"))).alias("fy")]
    sums = _to_pandas(oriented.groupBy("account", "account_y").agg(*aggs))

    sums = sums.sort_values(["account", "account_y"], ignore_index=True)
    sums["modalities"] = [[str(m) for m in ms] for ms in sums["modalities"]]
    edges = edges_from_sums(sums, window, edge_weight, fast) if len(sums) else _empty_edges(fast)
    if modality_edges.empty:
        modality_edges = empty_modality_edges()
    else:
        modality_edges = modality_edges.sort_values(["modality", "account", "account_y"], ignore_index=True)
        modality_edges = modality_edges.astype({"weight": "int64", "objects": "int64"})
        for c in ("modality", "account", "account_y"):
            modality_edges[c] = modality_edges[c].to_numpy(dtype=object)
    nodes = build_nodes(edges)
    stats["pairs"] = int(sums["weight"].sum()) if len(sums) else 0
    stats["pairs_fast"] = int(sums["weight_fast"].sum()) if fast and len(sums) else 0
    stats["edges"], stats["nodes"] = len(edges), len(nodes)
    return CoordinationResult(empty_pairs(fast), edges, nodes, stats, int(window), "coortweet", modality_edges)


# -------------------------------------------------------------------------- CNT


def _cnt_normalise_udf():
    from pyspark.sql.functions import pandas_udf

    def normalise(texts: pd.Series) -> pd.Series:
        # the in-process engine's own function, so both normalise alike
        return texts.map(cnt_normalise_text)

    with _quiet_pandas():
        return pandas_udf(normalise, "string")


def detect_coordination_cnt(shares, window: int = 60, min_weight: int = 1, *, loops: bool = False,
                            text_modalities: Sequence[str] = ("text",), spark=None,
                            stats: dict | None = None) -> CoordinationResult:
    """The Coordination Network Toolkit's directed networks computed on Spark; equal to
    :func:`.toolkit.detect_coordination_cnt`."""
    from pyspark.sql import Window

    F = _pyspark()
    spark = spark or session()
    check_params(window, 1, 0.5, None)
    if min_weight < 1:
        raise InputError(f"min_weight must be at least 1, got {min_weight!r}")
    frame = _as_spark(spark, shares)
    rows = frame.count() if stats is None or "rows" not in stats else stats["rows"]
    frame = frame.filter(F.col("content").isNotNull())
    if text_modalities:
        is_text = F.col("modality").isin(list(text_modalities)) & F.col("object").isNotNull()
        frame = frame.withColumn("object", F.when(is_text, _cnt_normalise_udf()("object")).otherwise(F.col("object")))
    frame = frame.filter(F.col("account").isNotNull() & F.col("object").isNotNull() & F.col("time").isNotNull()
                         & F.col("modality").isNotNull())
    # As in CNT's tables, a (content, object) pair counts once, and a repost or text
    # content carries only its first object.
    once = Window.partitionBy("modality", "object", "content").orderBy("rid")
    frame = frame.withColumn("_n", F.row_number().over(once)).filter("_n = 1")
    first = Window.partitionBy("modality", "content").orderBy("rid")
    one_object = F.col("modality").isin(["repost", *text_modalities])
    frame = frame.withColumn("_n", F.row_number().over(first)).filter(~one_object | (F.col("_n") == 1)).drop("_n")
    frame = _cut(frame)
    pairs = _cut(_pairs(frame, window, ["account", "content", "time", "rid"]))
    n_pairs = pairs.count()
    other = pairs.filter(F.col("account_1") != F.col("account_2"))
    # a directed edge's weight: its first account's distinct messages with a match
    directed = other.select("modality", F.col("account_1").alias("account"), F.col("account_2").alias("account_y"),
                            F.col("content_1").alias("content")) \
        .union(other.select("modality", F.col("account_2"), F.col("account_1"), F.col("content_2")))
    weights = directed.groupBy("modality", "account", "account_y").agg(F.countDistinct("content").alias("weight"))
    # every message matches itself: an account's loop weighs its distinct messages
    own = frame.groupBy("modality", "account").agg(F.countDistinct("content").alias("weight")) \
        .select("modality", "account", F.col("account").alias("account_y"), "weight")
    edges = weights.unionByName(own).filter(F.col("weight") >= min_weight)
    if not loops:
        edges = edges.filter(F.col("account") != F.col("account_y"))
    edges = _to_pandas(edges)
    if edges.empty:
        edges = pd.DataFrame({c: pd.Series([], dtype="int64" if c == "weight" else object) for c in CNT_EDGE_COLUMNS})
    else:
        edges = edges.sort_values(["modality", "account", "account_y"], ignore_index=True)
        edges = pd.DataFrame({
            "account": edges["account"].to_numpy(dtype=object), "account_y": edges["account_y"].to_numpy(dtype=object),
            "weight": edges["weight"].to_numpy(dtype="int64"), "modality": edges["modality"].to_numpy(dtype=object),
            "network": [CNT_NETWORKS.get(m, m) for m in edges["modality"]]})
    nodes = build_nodes(edges)
    stats = {"semantics": "cnt", "engine": "spark", "rows": int(rows), "window": int(window),
             "min_weight": int(min_weight), "loops": bool(loops), "max_pairs_per_object": None,
             "capped_objects": [], "pairs": int(n_pairs)} | (stats or {})
    stats["edges"], stats["nodes"] = len(edges), len(nodes)
    return CoordinationResult(empty_pairs(False), edges, nodes, stats, int(window), "cnt")


# ------------------------------------------------------------------------ table


def run_on_table(path: str | Path, window: int | str, min_participation: int, edge_weight: float,
                 semantics: str = "coortweet", columns: Mapping[str, str | Sequence[str]] | str | None = None, *,
                 fast_window: int | None = None, loops: bool = False, dedupe: bool = False,
                 spark=None, master: str | None = None) -> CoordinationResult:
    """:func:`.tables.run_on_table` on Spark: what ``graphinv coordination --engine spark`` runs."""
    if semantics not in ("coortweet", "cnt"):
        raise InputError(f"unknown semantics {semantics!r}; use coortweet or cnt")
    spark = spark or session(master)
    frame, dropped, _shape = read_share_table(spark, path, columns, dedupe=dedupe)
    if semantics == "coortweet":
        result = detect_coordination(frame, window, min_participation, edge_weight, fast_window=fast_window,
                                     spark=spark)
    else:
        if window == "auto":
            window = estimate_window(_to_pandas(frame.select(*SHARE_COLUMNS)))
        result = detect_coordination_cnt(frame, window, min_participation, loops=loops, spark=spark)
    result.stats["dropped_on_read"] = dropped
    return result
