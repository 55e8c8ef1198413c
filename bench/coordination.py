"""Benchmark: graphinv's coordination detection vs the Coordination Network Toolkit.

Generates a share table of URL shares (Zipf-like URL popularity, shares spread over
30 days) with a planted group of accounts that share the same URLs seconds apart,
then, on the same rows and in the same run, times

- graphinv, CNT semantics, co-link (``detect_coordination_cnt``), against
- CNT 1.5 itself: ``preprocess_data`` into SQLite + ``compute_co_link_network``,

with the same window and minimum edge weight, and checks that both give the same
edges. graphinv's CooRTweet semantics on the same rows is timed too. Each side runs
in its own process so its peak RSS (``ru_maxrss``, CNT's workers included) is its own.

With ``--spark`` the Spark engine (``graphinv.analysis.coordination.spark``, local[N])
runs both semantics on the same rows read from Parquet, its edges compared with the
in-process engine's, its shuffle measured (Spark's own stage metrics); and
``--simulate-rows 1000000000`` projects the partitioned plan to that size: the table
cut by object into partitions the size of the measured one, per-partition cost (core
seconds, measured on several generated partitions) times partitions, shuffle bytes per
share times shares.

    .venv/bin/python bench/coordination.py                      # 1M rows
    .venv/bin/python bench/coordination.py --sizes 1000000 10000000 --skip-cnt-above 1000000
    .venv/bin/python bench/coordination.py --spark --simulate-rows 1000000000
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sqlite3
import tempfile
import time

import numpy as np
import pandas as pd


def generate(rows: int, seed: int = 0, planted_accounts: int = 40, planted_urls: int = 300) -> pd.DataFrame:
    """URL shares with one planted coordinated group (accounts ``planted*``)."""
    rng = np.random.default_rng(seed)
    n_accounts = max(rows // 20, 100)
    n_urls = max(rows // 5, 100)
    span = 30 * 86_400
    # Zipf-like popularity without a single 100k-share monster: rank^-0.8
    weights = 1.0 / np.arange(1, n_urls + 1) ** 0.8
    urls = rng.choice(n_urls, size=rows, p=weights / weights.sum())
    frame = pd.DataFrame(
        {
            "account": np.char.add("acc", rng.integers(0, n_accounts, rows).astype(str)),
            "object": np.char.add("https://site.example/", urls.astype(str)),
            "content": np.char.add("m", np.arange(rows).astype(str)),
            "time": rng.integers(0, span, rows),
        }
    )
    # planted: every planted account shares each planted URL within 10 s of the others
    starts = rng.integers(0, span, planted_urls)
    acc = np.repeat(np.arange(planted_accounts), planted_urls)
    url = np.tile(np.arange(planted_urls), planted_accounts)
    planted = pd.DataFrame(
        {
            "account": np.char.add("planted", acc.astype(str)),
            "object": np.char.add("https://campaign.example/", url.astype(str)),
            "content": np.char.add("p", np.arange(len(acc)).astype(str)),
            "time": starts[url] + rng.integers(0, 10, len(acc)),
        }
    )
    frame = pd.concat([frame.iloc[: rows - len(planted)], planted], ignore_index=True)
    frame["modality"] = "url"
    return frame


def _rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


def run_graphinv(rows: int, window: int, min_weight: int, semantics: str, queue) -> None:
    from graphinv.analysis.coordination import detect_coordination, detect_coordination_cnt

    shares = generate(rows)
    table_rss = max(_rss_mb())
    start = time.perf_counter()
    if semantics == "cnt":
        result = detect_coordination_cnt(shares, window, min_weight)
        edges = {(a, b, w) for a, b, w in result.edges[["account", "account_y", "weight"]].itertuples(index=False)}
    else:
        result = detect_coordination(shares, window, min_participation=min_weight, keep_pairs=False)
        edges = len(result.edges)
    seconds = time.perf_counter() - start
    planted = result.nodes["account"].str.startswith("planted").sum()
    queue.put({"seconds": seconds, "rss": max(_rss_mb()), "table_rss": table_rss, "edges": edges,
               "planted_nodes": int(planted),
               "summary": result.summary, "capped": len(result.stats["capped_objects"])})


def run_cnt(rows: int, window: int, min_weight: int, queue) -> None:
    from coordination_network_toolkit import compute_networks, preprocess

    shares = generate(rows)
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "cnt.db")
        messages = (
            (c, a, a, "", "", "", t, [o])
            for a, o, c, t in shares[["account", "object", "content", "time"]].itertuples(index=False)
        )
        start = time.perf_counter()
        preprocess.preprocess_data(db, messages)
        loaded = time.perf_counter()
        compute_networks.compute_co_link_network(db, window, n_threads=2, min_edge_weight=min_weight)
        done = time.perf_counter()
        with sqlite3.connect(db) as con:
            edges = {(a, b, w) for a, b, w in con.execute("select * from co_link_network where user_1 != user_2")}
    queue.put({"seconds": done - loaded, "load_seconds": loaded - start, "rss": max(_rss_mb()), "edges": edges})


def selfjoin_edges(shares: pd.DataFrame, window: int, min_participation: int) -> set:
    """A plain pandas self-join port of CooRTweet's ``detect_groups`` followed by
    ``generate_coordinated_network``: the way one would write it without streaming."""
    s = shares[["account", "object", "content", "time"]]
    s = s[s["account"].map(s["account"].value_counts()) >= min_participation].reset_index(drop=True)
    s = s.assign(row=np.arange(len(s)))
    pairs = s.merge(s, on="object", suffixes=("", "_y"))
    pairs = pairs[(pairs["row"] < pairs["row_y"]) & ((pairs["time_y"] - pairs["time"]).abs() <= window)
                  & (pairs["account"] != pairs["account_y"]) & (pairs["content"] != pairs["content_y"])
                  & (pairs["content"] != pairs["object"]) & (pairs["content_y"] != pairs["object"])]
    paired = set(pairs["content"]) | set(pairs["content_y"])
    active = s[s["content"].isin(paired)]["account"].value_counts()
    active = set(active[active >= min_participation].index)
    pairs = pairs[pairs["account"].isin(active) | pairs["account_y"].isin(active)]
    lo = np.minimum(pairs["account"].to_numpy(), pairs["account_y"].to_numpy())
    hi = np.maximum(pairs["account"].to_numpy(), pairs["account_y"].to_numpy())
    weights = pd.DataFrame({"a": lo, "b": hi}).value_counts()
    return {(a, b, int(w)) for (a, b), w in weights.items()}


def run_selfjoin(rows: int, window: int, min_weight: int, queue) -> None:
    shares = generate(rows)
    per_object = shares.groupby("object").size()
    joined = int((per_object.astype("int64") ** 2).sum())
    if joined > 200_000_000:
        queue.put({"skipped": f"the self-join would hold {joined:,} rows"})
        return
    start = time.perf_counter()
    edges = selfjoin_edges(shares, window, min_weight)
    queue.put({"seconds": time.perf_counter() - start, "rss": max(_rss_mb()), "edges": edges})


def run_graphinv_edges(rows: int, window: int, min_weight: int, queue) -> None:
    from graphinv.analysis.coordination import detect_coordination

    shares = generate(rows)
    result = detect_coordination(shares, window, min_participation=min_weight, keep_pairs=False)
    e = result.edges
    lo = np.minimum(e["account"].to_numpy(), e["account_y"].to_numpy())
    hi = np.maximum(e["account"].to_numpy(), e["account_y"].to_numpy())
    queue.put({"edges": {(a, b, int(w)) for a, b, w in zip(lo, hi, e["weight"])}})


def _spark_stages(spark) -> tuple[int, int]:
    """Shuffle bytes written and read by every stage so far (Spark's status store, which
    keeps the task metrics with the UI off too)."""
    store = spark.sparkContext._jsc.sc().statusStore()
    stages = store.stageList(None, False, False, getattr(store, "stageList$default$4")(),
                             getattr(store, "stageList$default$5")())
    written = read = 0
    for k in range(stages.length()):
        stage = stages.apply(k)
        written += stage.shuffleWriteBytes()
        read += stage.shuffleReadBytes()
    return written, read


def run_spark(rows: int, window: int, min_weight: int, cores: int, partitions: int, seeds: tuple, queue) -> None:
    """The Spark engine on ``seeds`` generated tables of ``rows`` (one session, so only the
    first pays the JVM's warm-up): seconds, shuffle bytes and edges per table, both semantics."""
    from graphinv.analysis.coordination import spark as engine

    start = time.perf_counter()
    spark = engine.session(f"local[{cores}]", shuffle_partitions=partitions, driver_memory="6g")
    spark.sparkContext.setLogLevel("ERROR")
    out = {"startup": time.perf_counter() - start, "runs": []}
    generic = {"account": "account_id", "object": "object_id", "content": "content_id", "time": "timestamp"}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            path = os.path.join(tmp, f"shares{seed}.parquet")
            generate(rows, seed=seed).drop(columns="modality").rename(columns=generic).to_parquet(path)
            run = {"seed": seed}
            for semantics in ("cnt", "coortweet"):
                before = _spark_stages(spark)
                began = time.perf_counter()
                frame, _, _ = engine.read_share_table(spark, path)
                if semantics == "cnt":
                    result = engine.detect_coordination_cnt(frame, window, min_weight, spark=spark)
                    edges = {(a, b, w) for a, b, w in
                             result.edges[["account", "account_y", "weight"]].itertuples(index=False)}
                else:
                    result = engine.detect_coordination(frame, window, min_weight, spark=spark)
                    edges = result.edges[["account", "account_y", "weight"]].copy()
                seconds = time.perf_counter() - began
                after = _spark_stages(spark)
                run[semantics] = {"seconds": seconds, "edges": edges, "summary": result.summary,
                                  "pairs": result.stats["pairs"], "shuffle_write": after[0] - before[0],
                                  "shuffle_read": after[1] - before[1]}
            out["runs"].append(run)
    out["rss"] = max(_rss_mb())
    spark.stop()
    queue.put(out)


def run_local_edges(rows: int, window: int, min_weight: int, seed: int, queue) -> None:
    """The in-process engine's edges on the same table, for the comparison."""
    from graphinv.analysis.coordination import detect_coordination, detect_coordination_cnt

    shares = generate(rows, seed=seed)
    cnt = detect_coordination_cnt(shares, window, min_weight).edges
    coort = detect_coordination(shares, window, min_participation=min_weight, keep_pairs=False).edges
    queue.put({"cnt": {(a, b, w) for a, b, w in cnt[["account", "account_y", "weight"]].itertuples(index=False)},
               "coortweet": coort[["account", "account_y", "weight"]].copy()})


def spark_section(rows: int, args) -> None:
    seeds = tuple(range(args.spark_partitions_measured))
    got = in_process(run_spark, rows, args.window, args.min_weight, args.spark_cores, args.shuffle_partitions,
                     seeds)
    local = in_process(run_local_edges, rows, args.window, args.min_weight, seeds[0])
    first = got["runs"][0]
    same_cnt = first["cnt"]["edges"] == local["cnt"]
    same_coort = first["coortweet"]["edges"].reset_index(drop=True).equals(local["coortweet"].reset_index(drop=True))
    print(f"  Spark engine local[{args.spark_cores}], {args.shuffle_partitions} shuffle partitions, "
          f"session start {got['startup']:.1f} s, driver peak RSS {got['rss']:.0f} MB")
    for semantics, same in (("cnt", same_cnt), ("coortweet", same_coort)):
        runs = [r[semantics] for r in got["runs"]]
        secs = ", ".join(f"{r['seconds']:.1f}" for r in runs)
        print(f"  spark {semantics:<10}: {secs} s (one per generated table)  {runs[0]['summary']}  "
              f"pairs={runs[0]['pairs']:,}  shuffle {runs[0]['shuffle_write'] / 1e6:.0f} MB written  "
              f"{'same edges as in-process' if same else 'EDGES DIFFER'}")
    if args.simulate_rows:
        parts = args.simulate_rows / rows
        print(f"\n  partitioned plan at {args.simulate_rows:,} shares = {parts:,.0f} object partitions of {rows:,}:")
        for semantics in ("cnt", "coortweet"):
            # the later runs: a warm executor, as on a cluster past its first tasks
            runs = [r[semantics] for r in got["runs"][1:]] or [got["runs"][0][semantics]]
            secs = np.array([r["seconds"] for r in runs])
            core_seconds = secs.mean() * args.spark_cores
            shuffle = np.mean([r["shuffle_write"] for r in runs]) / rows
            total = core_seconds * parts
            print(f"    {semantics:<10}: {core_seconds:.0f} core-s per partition "
                  f"(+-{secs.std() * args.spark_cores:.0f}) x {parts:,.0f} = {total / 3600:,.0f} core-hours; "
                  f"on 100 cores {total / 100 / 3600:.1f} h, on 1000 cores {total / 1000 / 60:.0f} min; "
                  f"shuffle {shuffle:.0f} B/share -> {shuffle * args.simulate_rows / 1e12:.2f} TB; "
                  f"edges returned to the driver ~{len(got['runs'][0][semantics]['edges']) * parts:,.0f} "
                  f"(if no edge repeats across partitions)")


def in_process(target, *args):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    out = queue.get()
    proc.join()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--window", type=int, default=60)
    parser.add_argument("--min-weight", type=int, default=2)
    parser.add_argument("--skip-cnt-above", type=int, default=2_000_000,
                        help="do not run CNT on tables larger than this (it is slow)")
    parser.add_argument("--spark", action="store_true", help="also run the Spark engine (needs graphinv[spark])")
    parser.add_argument("--spark-only", action="store_true",
                        help="the in-process engines and the Spark engine only (no self-join, no toolkit)")
    parser.add_argument("--spark-cores", type=int, default=2)
    parser.add_argument("--shuffle-partitions", type=int, default=8)
    parser.add_argument("--spark-partitions-measured", type=int, default=3,
                        help="generated tables the Spark engine runs on (per-partition cost and its spread)")
    parser.add_argument("--simulate-rows", type=int, help="project the partitioned plan to this many shares")
    args = parser.parse_args()
    print(f"window={args.window}s min_weight={args.min_weight} cores={os.cpu_count()}")
    for rows in args.sizes:
        ours = in_process(run_graphinv, rows, args.window, args.min_weight, "cnt")
        coort = in_process(run_graphinv, rows, args.window, args.min_weight, "coortweet")
        print(f"\n{rows:,} rows (load {os.getloadavg()[0]:.1f})")
        print(f"  graphinv cnt co-link : {ours['seconds']:8.2f} s  peak RSS {ours['rss']:7.0f} MB "
              f"({ours['table_rss']:.0f} MB with the table alone)  edges={len(ours['edges'])} "
              f"planted nodes={ours['planted_nodes']} skipped objects={ours['capped']}")
        print(f"  graphinv coortweet   : {coort['seconds']:8.2f} s  peak RSS {coort['rss']:7.0f} MB "
              f"({coort['table_rss']:.0f} MB with the table alone)  {coort['summary']} "
              f"planted nodes={coort['planted_nodes']} skipped objects={coort['capped']}")
        if args.spark_only:
            spark_section(rows, args)
            continue
        join = in_process(run_selfjoin, rows, args.window, args.min_weight)
        if "skipped" in join:
            print(f"  pandas self-join     : skipped ({join['skipped']})")
        else:
            same = in_process(run_graphinv_edges, rows, args.window, args.min_weight)["edges"] == join["edges"]
            print(f"  pandas self-join     : {join['seconds']:8.2f} s  peak RSS {join['rss']:7.0f} MB  "
                  f"edges={len(join['edges'])}  {'same edges as graphinv coortweet' if same else 'EDGES DIFFER'}")
            print(f"  ratio self-join/graphinv coortweet: {join['seconds'] / coort['seconds']:8.1f}x")
        if args.spark:
            spark_section(rows, args)
        if rows > args.skip_cnt_above:
            print("  CNT co-link          : skipped (--skip-cnt-above)")
            continue
        cnt = in_process(run_cnt, rows, args.window, args.min_weight)
        same = "same edges" if cnt["edges"] == ours["edges"] else "EDGES DIFFER"
        print(f"  CNT co-link compute  : {cnt['seconds']:8.2f} s  (+{cnt['load_seconds']:.2f} s preprocess)"
              f"  peak RSS {cnt['rss']:7.0f} MB  edges={len(cnt['edges'])}  {same}")
        print(f"  ratio CNT/graphinv   : {cnt['seconds'] / ours['seconds']:8.1f}x compute, "
              f"{(cnt['seconds'] + cnt['load_seconds']) / ours['seconds']:.1f}x with preprocess")


if __name__ == "__main__":
    main()
