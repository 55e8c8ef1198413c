"""Triage at a year's scale: 150k reports ingested, scored, and the queue of the open ones
rebuilt.

A year of reports (as France's Pharos platform receives): ``--reports`` tweets in
snscrape JSONL (chatter, angry posts, 1 % threats, families of copy-pasted texts, a
share of them retweeted within the hour) and a reports CSV naming each, ingested
through the real collectors; then all but ``--open`` reports decided (written as
:func:`graphinv.triage.write_decisions` writes them). Measured, each store in its own
child process so that peak RSS is its own:

* ingest of the tweets and of the reports table;
* the queue rebuilt (store read + scoring) for the ``--open`` open reports, twice (the
  second is what a reviewer waits for after a decision);
* every report scored (``include_closed``), the 150k at once;
* peak RSS of the ingest, and of the triage (read and scoring) in a process of its own.

    .venv/bin/python bench/triage.py [--reports 150000] [--open 10000] [--only embedded|neo4j]
        [--workdir DIR [--reuse]]
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

T0 = 1_767_225_600  # 2026-01-01
YEAR = 365 * 86400
CHATTER = ["the ferry is late again", "council meets on thursday about the harbour", "great match last night",
           "who is selling a bike", "the new parking rules are ridiculous", "lovely morning at the market",
           "they should all resign, what a disgrace", "this town deserves better leaders"]
THREATS = ["@{t} je vais te tuer, on sait ou tu habites", "@{t} I will kill you", "@{t} ich bringe dich um"]
FAMILIES = 400  # copy-paste texts, each posted by many accounts


def write_inputs(out: Path, n: int, seed: int = 1) -> dict:
    """The tweets JSONL and the reports CSV; counts of what was planted."""
    rng = random.Random(seed)
    users = [f"user{i}" for i in range(max(100, n // 20))]
    families = [f"share this before they delete it: case {i} proves the council lied about "
                f"the harbour money {rng.randrange(10**6)}" for i in range(FAMILIES)]
    planted = {"threats": 0, "copies": 0, "retweets": 0}
    tid = 1_800_000_000_000_000_000
    (out / "snscrape").mkdir(parents=True)
    (out / "csv").mkdir()
    with open(out / "snscrape" / "tweets.jsonl", "w", encoding="utf-8") as tweets, \
            open(out / "csv" / "reports.csv", "w", encoding="utf-8", newline="") as table:
        reports = csv.writer(table, lineterminator="\n")
        reports.writerow(["report_id", "url", "reported_at", "reported_to", "category"])
        for i in range(n):
            tid += 1
            user = rng.choice(users)
            at = T0 + rng.randrange(YEAR)
            roll = rng.random()
            if roll < 0.01:
                text, planted["threats"] = rng.choice(THREATS).format(t=rng.choice(users)), planted["threats"] + 1
            elif roll < 0.21:
                text, planted["copies"] = rng.choice(families), planted["copies"] + 1
            else:
                text = f"{rng.choice(CHATTER)} {rng.randrange(10**9)}"
            url = f"https://twitter.com/{user}/status/{tid}"
            tweet = {"_type": "snscrape.modules.twitter.Tweet", "url": url, "id": tid,
                     "date": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(at)), "rawContent": text,
                     "user": {"_type": "snscrape.modules.twitter.User", "username": user, "id": hash(user) % 10**9}}
            tweets.write(json.dumps(tweet) + "\n")
            if rng.random() < 0.05:  # a burst of retweets within the hour
                for _ in range(rng.randrange(3, 12)):
                    tid += 1
                    fan = rng.choice(users)
                    tweets.write(json.dumps({
                        "_type": "snscrape.modules.twitter.Tweet", "url": f"https://twitter.com/{fan}/status/{tid}",
                        "id": tid, "date": time.strftime("%Y-%m-%dT%H:%M:%S+00:00",
                                                         time.gmtime(at + rng.randrange(60, 3600))),
                        "rawContent": f"RT @{user}: {text}", "retweetedTweet": tweet,
                        "user": {"_type": "snscrape.modules.twitter.User", "username": fan,
                                 "id": hash(fan) % 10**9}}) + "\n")
                    planted["retweets"] += 1
            reported = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at + rng.randrange(600, 2 * 86400)))
            reports.writerow([f"r{i:06d}", url, reported, "twitter", "hate"])
    return planted


def load(uri: str, out: str, n_open: int, queue) -> None:
    """Ingest the inputs and decide all but ``n_open`` reports (one child process)."""
    import pandas as pd

    from graphinv import triage as tri
    from graphinv.ingest import ingest_paths
    from graphinv.store import open_store

    result = {}
    with open_store(uri) as store:
        started = time.perf_counter()
        ingest_paths(store, [Path(out) / "snscrape"])
        result["ingest_tweets_s"] = time.perf_counter() - started
        started = time.perf_counter()
        ingest_paths(store, [Path(out) / "csv"])
        result["ingest_reports_s"] = time.perf_counter() - started
        reports = store.query("MATCH (r:Report) RETURN r.uid AS report ORDER BY report")["report"]
        decided = reports.iloc[n_open:]
        rng = random.Random(3)
        started = time.perf_counter()
        tri.write_decisions(store, pd.DataFrame({
            "report": decided.to_numpy(), "decision": [rng.choice(tri.DECISIONS) for _ in range(len(decided))],
            "decided_by": "bench", "decided_at": T0 + YEAR, "note": None}))
        result["decisions"] = len(decided)
        result["decide_s"] = time.perf_counter() - started
        result["reports"] = len(reports)
        result["counts"] = {k: v for k, v in store.counts().items() if v and k in ("Post", "Report", "REPOSTED")}
    result["ingest_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(result)


def score(uri: str, queue) -> None:
    """Rebuild the open queue twice and score every report (another child: its own RSS)."""
    import pandas as pd

    from graphinv import triage as tri
    from graphinv.store import open_store

    result = {}
    with open_store(uri, read_only=True) as store:
        for attempt in ("first", "again"):
            started = time.perf_counter()
            frames = tri.read(store)
            read_s = time.perf_counter() - started
            table = tri.queue(frames)
            result[f"queue_{attempt}"] = {"read_s": read_s, "score_s": time.perf_counter() - started - read_s,
                                          "rows": len(table)}
        result["queue_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        reasons = pd.Series([r["reason"] for rs in table["reasons"] for r in rs]).value_counts()
        result["reasons"] = {k: int(v) for k, v in reasons.items()}
        result["top"] = table["why"].head(3).tolist()
        started = time.perf_counter()
        every = tri.queue(tri.read(store, include_closed=True), include_closed=True)
        result["score_all"] = {"seconds": time.perf_counter() - started, "rows": len(every)}
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(result)


def _child(target, *args) -> dict:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, q))
    proc.start()
    result = q.get()
    proc.join()
    return result


def child(uri: str, out: str, n_open: int, reuse: bool) -> dict:
    loaded = {} if reuse else _child(load, uri, out, n_open)
    return {**loaded, **_child(score, uri)}


def report(name: str, r: dict) -> None:
    first, again = r["queue_first"], r["queue_again"]
    if "reports" in r:
        print(f"{name}: {r['reports']:,} reports ({r['counts']}); ingest tweets {r['ingest_tweets_s']:.1f} s, "
              f"reports {r['ingest_reports_s']:.1f} s; {r['decisions']:,} decisions written in "
              f"{r['decide_s']:.1f} s; ingest peak RSS {r['ingest_rss_mb']:.0f} MB", flush=True)
    print(f"  queue of {first['rows']:,} open: read {first['read_s']:.1f} s + score {first['score_s']:.1f} s; "
          f"again {again['read_s']:.1f} + {again['score_s']:.1f} s; all {r['score_all']['rows']:,} scored in "
          f"{r['score_all']['seconds']:.1f} s (read and scored); peak RSS {r['queue_rss_mb']:.0f} MB for the queue, "
          f"{r['rss_mb']:.0f} MB after scoring all", flush=True)
    print(f"  reasons in the open queue: {r['reasons']}", flush=True)
    print(f"  top 3: {r['top']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=150_000)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--only", choices=["embedded", "neo4j"])
    parser.add_argument("--workdir", type=Path, help="Keep the inputs and the embedded store here "
                        "(default: a temporary folder); run again with --reuse to time the queue alone.")
    parser.add_argument("--reuse", action="store_true", help="The embedded store of --workdir is loaded: "
                        "only rebuild the queue.")
    args = parser.parse_args()
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}; {args.reports:,} reports, {args.open:,} open", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.workdir or Path(scratch)
        reuse = args.reuse and args.workdir is not None and (tmp / "bench.lbug").exists()
        if not reuse:
            started = time.perf_counter()
            planted = write_inputs(tmp / "in", args.reports)
            print(f"inputs written in {time.perf_counter() - started:.1f} s: {planted}", flush=True)
        if args.only in (None, "embedded"):
            report("embedded", child(f"embedded:{tmp}/bench.lbug", str(tmp / "in"), args.open, reuse))
        if args.only in (None, "neo4j"):
            from graphinv.neo4j_local import start

            with start(data_dir=Path(scratch) / "neo4j", heap="2g", pagecache="1g") as server:
                os.environ["GRAPHINV_NEO4J_USER"] = server.user
                os.environ["GRAPHINV_NEO4J_PASSWORD"] = server.password
                report("neo4j", child(server.uri, str(tmp / "in"), args.open, False))
    print(f"load at the end {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
