"""Benchmark: graphinv's coordination detection vs the Coordination Network Toolkit.

Generates a share table of URL shares (Zipf-like URL popularity, shares spread over
30 days) with a planted group of accounts that share the same URLs seconds apart,
then, on the same rows and in the same run, times

- graphinv, CNT semantics, co-link (``detect_coordination_cnt``), against
- CNT 1.5 itself: ``preprocess_data`` into SQLite + ``compute_co_link_network``,

with the same window and minimum edge weight, and checks that both give the same
edges. graphinv's CooRTweet semantics on the same rows is timed too. Each side runs
in its own process so its peak RSS (``ru_maxrss``, CNT's workers included) is its own.

    .venv/bin/python bench/coordination.py                      # 1M rows
    .venv/bin/python bench/coordination.py --sizes 1000000 10000000 --skip-cnt-above 1000000
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
    args = parser.parse_args()
    print(f"window={args.window}s min_weight={args.min_weight} cores={os.cpu_count()}")
    for rows in args.sizes:
        ours = in_process(run_graphinv, rows, args.window, args.min_weight, "cnt")
        coort = in_process(run_graphinv, rows, args.window, args.min_weight, "coortweet")
        print(f"\n{rows:,} rows")
        print(f"  graphinv cnt co-link : {ours['seconds']:8.2f} s  peak RSS {ours['rss']:7.0f} MB "
              f"({ours['table_rss']:.0f} MB with the table alone)  edges={len(ours['edges'])} "
              f"planted nodes={ours['planted_nodes']} skipped objects={ours['capped']}")
        print(f"  graphinv coortweet   : {coort['seconds']:8.2f} s  peak RSS {coort['rss']:7.0f} MB "
              f"({coort['table_rss']:.0f} MB with the table alone)  {coort['summary']} "
              f"planted nodes={coort['planted_nodes']} skipped objects={coort['capped']}")
        join = in_process(run_selfjoin, rows, args.window, args.min_weight)
        if "skipped" in join:
            print(f"  pandas self-join     : skipped ({join['skipped']})")
        else:
            same = in_process(run_graphinv_edges, rows, args.window, args.min_weight)["edges"] == join["edges"]
            print(f"  pandas self-join     : {join['seconds']:8.2f} s  peak RSS {join['rss']:7.0f} MB  "
                  f"edges={len(join['edges'])}  {'same edges as graphinv coortweet' if same else 'EDGES DIFFER'}")
            print(f"  ratio self-join/graphinv coortweet: {join['seconds'] / coort['seconds']:8.1f}x")
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
