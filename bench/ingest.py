"""Bulk load benchmark: the embedded store against a local Neo4j, on the same frames.

Generates 100k accounts, 1M posts, 1M reposts and 0.5M links (a Url per link), loads
them through GraphStore.upsert_* into each store, and prints rows/s and peak RSS. Beside
the Neo4j figure it prints the rate of one row per transaction, to show what batching
buys. Each store loads in its own child process so that peak RSS is its own.

    .venv/bin/python bench/ingest.py [--scale 1.0] [--only embedded|neo4j]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphinv.records import account_uid, post_uid, url_uid  # noqa: E402


def frames(scale: float, seed: int = 1):
    rng = np.random.default_rng(seed)
    n_acc, n_post, n_rep, n_link = (int(x * scale) for x in (100_000, 1_000_000, 1_000_000, 500_000))
    acc = np.array([account_uid("twitter", f"user{i}") for i in range(n_acc)], dtype=object)
    accounts = pd.DataFrame({"uid": acc, "platform": "twitter", "handle": [u.rsplit(":", 1)[1] for u in acc],
                             "followers": rng.integers(0, 10_000, n_acc)})
    t0 = 1_767_225_600
    times = t0 + rng.integers(0, 30 * 86400, n_post)
    pid = np.array([post_uid("twitter", str(i)) for i in range(n_post)], dtype=object)
    author = acc[rng.integers(0, n_acc, n_post)]
    posts = pd.DataFrame({"uid": pid, "platform": "twitter", "post_id": [p.rsplit(":", 1)[1] for p in pid],
                          "account": author, "text": "lorem ipsum", "created_at": times,
                          "first_seen": times, "last_seen": times})
    posted = pd.DataFrame({"src": author, "dst": pid, "time": times})
    rep_src = acc[rng.integers(0, n_acc, n_rep)]
    rep_dst = rng.integers(0, n_post, n_rep)
    reposts = pd.DataFrame({"src": rep_src, "dst": pid[rep_dst], "key": [str(n_post + i) for i in range(n_rep)],
                            "time": times[rep_dst] + rng.integers(1, 3600, n_rep)})
    n_urls = max(1, n_link // 5)
    urls = np.array([url_uid(f"https://site{i % 997}.example/a/{i}") for i in range(n_urls)], dtype=object)
    url_frame = pd.DataFrame({"uid": urls, "url": [u[4:] for u in urls]})
    links = pd.DataFrame({"src": pid[rng.integers(0, n_post, n_link)], "dst": urls[rng.integers(0, n_urls, n_link)]})
    links = links.drop_duplicates(["src", "dst"])
    return [("nodes", "Account", accounts), ("nodes", "Post", posts), ("nodes", "Url", url_frame),
            ("edges", "POSTED", posted), ("edges", "REPOSTED", reposts), ("edges", "LINKS_TO", links)]


def load(uri: str, scale: float, queue) -> None:
    from graphinv.store import open_store

    data = frames(scale)
    rows = sum(len(f) for _, _, f in data)
    with open_store(uri) as store:
        start = time.perf_counter()
        for what, kind, frame in data:
            (store.upsert_nodes if what == "nodes" else store.upsert_edges)(kind, frame)
        elapsed = time.perf_counter() - start
    # The same frames again through a store opened afresh (what re-running an interrupted
    # ingest does): an idempotent re-load writes nothing new.
    with open_store(uri) as store:
        start = time.perf_counter()
        for what, kind, frame in data:
            (store.upsert_nodes if what == "nodes" else store.upsert_edges)(kind, frame)
        again = time.perf_counter() - start
        counts = store.counts()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({"rows": rows, "seconds": elapsed, "reload_seconds": again, "rss_mb": rss,
               "counts": {k: v for k, v in counts.items() if v}})


def copy_floor(path: str, scale: float, queue) -> None:
    """The anchor: LadybugDB's own COPY of the same rows (typed Arrow tables made
    beforehand, not timed), into the same tables, with nothing else around it."""
    import ladybug
    import pyarrow as pa

    from graphinv.schema import SCHEMA, ladybug_ddl
    from graphinv.store.base import endpoint_kinds
    from graphinv.store.frames import to_arrow

    tables = []
    for what, kind, frame in frames(scale):
        if what == "nodes":
            tables.append((kind, to_arrow(frame, SCHEMA.nodes[kind], list(SCHEMA.nodes[kind].properties)), ""))
            continue
        edge = SCHEMA.edges[kind]
        key = ("#" + frame["key"]) if "key" in frame.columns else ""
        frame = frame.assign(uid=frame["src"] + ">" + kind + ">" + frame["dst"] + key)
        typed = to_arrow(frame, edge, list(edge.properties))
        ends = [pa.array(frame["src"].tolist(), pa.string()), pa.array(frame["dst"].tolist(), pa.string())]
        src, dst = (endpoint_kinds(frame[end].iloc[:1], kind).iloc[0] for end in ("src", "dst"))
        options = f" (from='{src}', to='{dst}')" if len(edge.between) > 1 else ""
        tables.append((kind, pa.Table.from_arrays(ends + typed.columns, names=["from", "to"] + typed.column_names),
                       options))
    conn = ladybug.Connection(ladybug.Database(path))
    for statement in ladybug_ddl(SCHEMA):
        conn.execute(statement)
    start = time.perf_counter()
    for kind, arrow_table, options in tables:  # noqa: B007 (COPY reads the local `arrow_table`)
        conn.execute(f"COPY {kind} FROM arrow_table{options}")
    queue.put({"seconds": time.perf_counter() - start})


def offline_import(tmp: str, scale: float, queue) -> None:
    """The same rows through the offline importer into an empty Neo4j: an embedded store
    is filled first (not timed), then its tables are written as CSV and imported."""
    from graphinv.neo4j_import import import_store
    from graphinv.store import open_store

    with open_store(f"embedded:{tmp}/source.lbug") as store:
        for what, kind, frame in frames(scale):
            (store.upsert_nodes if what == "nodes" else store.upsert_edges)(kind, frame)
    with open_store(f"embedded:{tmp}/source.lbug", read_only=True) as store:
        done = import_store(store, f"{tmp}/neo4j", heap="2g")
    queue.put({"rows": done.rows, "csv_seconds": done.csv_seconds, "import_seconds": done.import_seconds})


def one_row_per_transaction(uri: str, n: int = 2000) -> float:
    """Rows/s when every account is its own MERGE transaction (the naive client)."""
    import neo4j

    driver = neo4j.GraphDatabase.driver(uri, auth=(os.environ["GRAPHINV_NEO4J_USER"],
                                                   os.environ["GRAPHINV_NEO4J_PASSWORD"]))
    start = time.perf_counter()
    with driver.session() as session:
        for i in range(n):
            session.execute_write(lambda tx, i=i: tx.run(
                "MERGE (a:Account {uid: $uid}) SET a.handle = $h", uid=f"account:naive:{i}", h=f"n{i}").consume())
    driver.close()
    return n / (time.perf_counter() - start)


def run_child(uri: str, scale: float, target=None) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target or load, args=(uri, scale, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def report(name: str, r: dict) -> None:
    rate = r["rows"] / r["seconds"]
    line = (f"{name:9} {r['rows']:>10,} rows in {r['seconds']:7.1f} s = {rate:>9,.0f} rows/s; "
            f"re-load {r['reload_seconds']:.1f} s; peak RSS {r['rss_mb']:.0f} MB")
    if "server_rss_mb" in r:
        line += (f" (+ server {r['server_rss_mb']:.0f} MB); one row per transaction "
                 f"{r['one_row_per_tx_rows_s']:,.0f} rows/s -> batching x{rate / r['one_row_per_tx_rows_s']:.0f}")
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", choices=["embedded", "neo4j"])
    args = parser.parse_args()
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}; scale {args.scale}", flush=True)
    results = {}
    if args.only in (None, "embedded"):
        with tempfile.TemporaryDirectory() as tmp:
            results["embedded"] = run_child(f"embedded:{tmp}/bench.lbug", args.scale)
        report("embedded", results["embedded"])
        with tempfile.TemporaryDirectory() as tmp:
            floor = run_child(f"{tmp}/floor.lbug", args.scale, target=copy_floor)["seconds"]
        results["embedded"]["copy_floor_seconds"] = floor
        r = results["embedded"]
        print(f"  anchor: LadybugDB COPY alone {floor:.1f} s = {r['rows'] / floor:,.0f} rows/s "
              f"(graphinv's load x{r['seconds'] / floor:.1f} of it); re-load "
              f"{100 * r['reload_seconds'] / r['seconds']:.0f} % of the first load", flush=True)
    if args.only in (None, "neo4j"):
        import psutil

        from graphinv.neo4j_local import start

        with tempfile.TemporaryDirectory() as tmp, start(data_dir=tmp, heap="2g", pagecache="1g") as server:
            os.environ["GRAPHINV_NEO4J_USER"] = server.user
            os.environ["GRAPHINV_NEO4J_PASSWORD"] = server.password
            results["neo4j"] = run_child(server.uri, args.scale)
            results["neo4j"]["server_rss_mb"] = psutil.Process(server.process.pid).memory_info().rss / 2**20
            results["neo4j"]["one_row_per_tx_rows_s"] = one_row_per_transaction(server.uri)
        report("neo4j", results["neo4j"])
        with tempfile.TemporaryDirectory() as tmp:
            offline = run_child(tmp, args.scale, target=offline_import)
        results["neo4j"]["offline"] = offline
        seconds = offline["csv_seconds"] + offline["import_seconds"]
        print(f"  offline first load (graphinv neo4j-import: CSV {offline['csv_seconds']:.1f} s + neo4j-admin "
              f"import {offline['import_seconds']:.1f} s): {offline['rows'] / seconds:,.0f} rows/s", flush=True)
    if len(results) == 2:
        e, n = (results[k]["rows"] / results[k]["seconds"] for k in ("embedded", "neo4j"))
        print(f"embedded / neo4j rows/s ratio: {e / n:.1f}")
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
