"""End-to-end ingest of generated snscrape tweets into the embedded store.

Prints the parse-only rate (collectors.snscrape.collect, records discarded), the rate
without text MinHash, and the end-to-end rate (parse, normalise, store).

    .venv/bin/python bench/ingest_jsonl.py [--tweets 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=1_000_000)
    args = parser.parse_args()

    from collectors import snscrape
    from graphinv.ingest import ingest_paths
    from graphinv.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tweets.jsonl"
        write_tweets(path, args.tweets)
        size = path.stat().st_size
        start = time.perf_counter()
        records = sum(1 for _ in snscrape.collect(path))
        parse = time.perf_counter() - start
        start = time.perf_counter()
        sum(1 for _ in snscrape.collect(path, minhash=False))
        parse_plain = time.perf_counter() - start
        with open_store(f"embedded:{tmp}/bench.lbug") as store:
            start = time.perf_counter()
            ingest_paths(store, [path])
            total = time.perf_counter() - start
            counts = {k: v for k, v in store.counts().items() if v}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")
    print(f"{args.tweets:,} tweets ({size / 2**20:.0f} MB, {records:,} records)")
    print(f"parse only:            {args.tweets / parse:>9,.0f} tweets/s")
    print(f"parse, no MinHash:     {args.tweets / parse_plain:>9,.0f} tweets/s")
    print(f"end to end (embedded): {args.tweets / total:>9,.0f} tweets/s; peak RSS {rss:.0f} MB")
    print("store:", ", ".join(f"{k}={v:,}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
