"""snscrape JSONL ingest, each figure beside its anchor on the same generated data in
the same run: ``json.loads`` alone (and msgspec, and orjson when installed), parse only
(``collectors.snscrape.collect``, records discarded), end to end into the embedded
store in one process (``workers=1``) and with reader processes (one per core), with
peak RSS (the process and its children, sampled) and CPU seconds (tweets per CPU
second move less than wall-clock rates on a machine shared with other work).

    .venv/bin/python bench/ingest_jsonl.py [--tweets 200000]

Each phase runs in its own process, so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = ("council meeting town vote election mayor budget school park road police protest rally "
         "truth media lies people street night speech video photo share news").split()


def write_tweets(path: Path, n: int, seed: int = 3) -> None:
    """snscrape 0.7 Tweet lines with users, links, hashtags, mentions and retweets."""
    rng = random.Random(seed)
    n_users = max(10, n // 10)
    t0 = 1_772_323_200
    with open(path, "w") as out:
        for i in range(n):
            u = rng.randrange(n_users)
            user = {"_type": "snscrape.modules.twitter.User", "username": f"user{u}", "id": 10_000 + u,
                    "displayname": f"User {u}", "rawDescription": "local news and views",
                    "followersCount": rng.randrange(5000), "verified": False,
                    "created": "2020-01-01T00:00:00+00:00"}
            tid = 1_700_000_000_000_000_000 + i
            date = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t0 + rng.randrange(30 * 86400)))
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(8, 30)))
            tweet = {"_type": "snscrape.modules.twitter.Tweet", "id": tid,
                     "url": f"https://twitter.com/user{u}/status/{tid}", "date": date, "rawContent": text,
                     "user": user, "lang": "en", "likeCount": rng.randrange(50), "retweetCount": 0,
                     "hashtags": [rng.choice(WORDS) for _ in range(rng.randrange(3))],
                     "mentionedUsers": [], "links": []}
            if rng.random() < 0.3:
                link = f"https://site{rng.randrange(500)}.example/article/{rng.randrange(20000)}?utm_source=x"
                tweet["links"] = [{"_type": "snscrape.modules.twitter.TextLink", "text": link[:30],
                                   "url": link, "tcourl": f"https://t.co/{i:x}", "indices": [0, 23]}]
            if rng.random() < 0.3 and i > 0:
                oid = tid - rng.randrange(1, i + 1)
                orig = tweet | {"id": oid, "url": f"https://twitter.com/user{u}/status/{oid}"}
                tweet = tweet | {"retweetedTweet": orig, "rawContent": f"RT @user{u}: {text}"}
            out.write(json.dumps(tweet) + "\n")


# --------------------------------------------------------------------------- phases

def _lines(path: Path):
    with open(path, "rb") as handle:
        yield from handle


def _cpu() -> float:
    """CPU seconds of this process and of its children that ended (the readers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def phase(name: str, path: Path, store: str | None) -> dict:
    """One measurement in this process: wall and CPU seconds, and what it read."""
    import msgspec

    from collectors import snscrape
    from graphinv.ingest import ingest_paths
    from graphinv.store import open_store

    if name == "orjson":
        import orjson
    start, cpu = time.perf_counter(), _cpu()
    if name == "json":
        n = sum(1 for line in _lines(path) if json.loads(line))
    elif name == "msgspec":
        decode = msgspec.json.Decoder().decode
        n = sum(1 for line in _lines(path) if decode(line))
    elif name == "orjson":
        n = sum(1 for line in _lines(path) if orjson.loads(line))
    elif name == "parse":
        from graphinv.ingest import _fewer_collections

        with _fewer_collections():  # as ingest reads
            n = sum(1 for _ in snscrape.collect(path))
    elif name.startswith("ingest"):
        workers = 1 if name == "ingest1" else os.cpu_count()
        with open_store(f"embedded:{store}") as opened:
            start, cpu = time.perf_counter(), _cpu()
            summary = ingest_paths(opened, [path], workers=workers)
            seconds, cpu = time.perf_counter() - start, _cpu() - cpu
            counts = {k: v for k, v in opened.counts().items() if v}
        f = summary.files[0]
        return {"seconds": seconds, "cpu": cpu, "records": sum(counts.values()), "rejects": dict(f.rejects),
                "nodes": f.nodes, "edges": f.edges, "counts": counts}
    else:
        raise SystemExit(f"no phase {name}")
    return {"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu, "records": n}


def run_phase(name: str, path: Path, tmp: Path) -> dict | None:
    """``phase`` in a fresh process, its peak RSS (with its children) sampled by psutil."""
    import psutil

    store = tmp / f"{name}.lbug"
    proc = subprocess.Popen([sys.executable, __file__, "--phase", name, "--file", str(path), "--store", str(store)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        parent = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            done.wait(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, _ = proc.communicate()
    done.set()
    thread.join()
    if proc.returncode != 0:
        return None  # orjson not installed, say
    result = json.loads(out.strip().splitlines()[-1])
    result["rss_mb"] = peak / 2**20
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=200_000)
    parser.add_argument("--phase")
    parser.add_argument("--file")
    parser.add_argument("--store")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, Path(args.file), args.store)))
        return

    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as tmp:
        path = Path(tmp) / "tweets.jsonl"
        write_tweets(path, args.tweets)
        size = path.stat().st_size
        load_before = os.getloadavg()
        rows = {}
        for name in ("json", "msgspec", "orjson", "parse", "ingest1", "ingest"):
            rows[name] = run_phase(name, path, Path(tmp))
        load_after = os.getloadavg()
    n = args.tweets
    anchor = n / rows["json"]["seconds"]
    print(f"{datetime.now(timezone.utc).isoformat(timespec='seconds')}  {platform.node()}: {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; load (1/5/15 min) before {load_before[0]:.1f}/{load_before[1]:.1f}/"
          f"{load_before[2]:.1f}, after {load_after[0]:.1f}/{load_after[1]:.1f}/{load_after[2]:.1f}")
    print(f"{n:,} generated tweets, {size / 2**20:.0f} MB")
    print(f"{'':38} {'tweets/s':>10} {'x json.loads':>13} {'per CPU-s':>10} {'CPU s':>7} {'peak RSS':>10}")
    labels = {"json": "json.loads alone (the anchor)", "msgspec": "msgspec decode alone",
              "orjson": "orjson.loads alone", "parse": "parse only (collect, records dropped)",
              "ingest1": "end to end, embedded, workers=1", "ingest": "end to end, embedded, reader processes"}
    for name, label in labels.items():
        row = rows[name]
        if row is None:
            print(f"{label:38} {'(not installed)':>10}")
            continue
        rate = n / row["seconds"]
        print(f"{label:38} {rate:>10,.0f} {rate / anchor:>12.2f}x {n / row['cpu']:>10,.0f} {row['cpu']:>7.1f} "
              f"{row['rss_mb']:>7,.0f} MB")
    one, many = rows["ingest1"], rows["ingest"]
    same = {k: one[k] for k in ("counts", "rejects", "nodes", "edges")} == \
           {k: many[k] for k in ("counts", "rejects", "nodes", "edges")}
    print(f"records in the store: {one['records']:,} ({', '.join(f'{k}={v:,}' for k, v in one['counts'].items())}); "
          f"the same counts with reader processes: {same}")


if __name__ == "__main__":
    main()
