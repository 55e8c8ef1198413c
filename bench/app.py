"""Time to first render of each app page, in headless Chromium, on the demo store and
on a generated store of 1M posts.

    .venv/bin/python bench/app.py                 # demo + 1M posts (stores cached in bench/out/)
    .venv/bin/python bench/app.py --only demo     # just the demo store
    .venv/bin/python bench/app.py --posts 200000  # a smaller generated store

A page's time runs from navigation until its heading is drawn and Dash has no callback
in flight (the figures and tables of the page are in the DOM by then). Each page is
loaded `--repeat` times; the table shows the first (cold) load and the median of the rest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from test_app_browser import AppServer, build_demo_store, make_driver, wait_rendered  # noqa: E402

from graphinv.store import open_store  # noqa: E402


def generate_store(uri: str, posts: int, seed: int = 7) -> None:
    """A synthetic store: posts/10 accounts, `posts` posts over 60 days, one repost per
    five posts, links to 1,000 URLs on 100 sites, and 20 campaigns of 10–60 members with
    coordination edges, evidence, a few lineages and takedown reports."""
    rng = np.random.default_rng(seed)
    n_accounts, t0, span = max(100, posts // 10), 1772323200, 60 * 86400
    accounts = [f"account:twitter:user{i}" for i in range(n_accounts)]
    with open_store(uri) as store:
        store.upsert_nodes("Account", pd.DataFrame({
            "uid": accounts, "platform": "twitter", "handle": [a.rsplit(":", 1)[1] for a in accounts],
            "display_name": [f"User {i}" for i in range(n_accounts)],
            "created_at": t0 - rng.integers(0, 800 * 86400, n_accounts)}))
        authors = rng.integers(0, n_accounts, posts)
        times = t0 + rng.integers(0, span, posts)
        post_uids = [f"post:twitter:{10**12 + i}" for i in range(posts)]
        chunk = 250_000
        for start in range(0, posts, chunk):
            part = slice(start, start + chunk)
            store.upsert_nodes("Post", pd.DataFrame({
                "uid": post_uids[part], "platform": "twitter",
                "post_id": [u.rsplit(":", 1)[1] for u in post_uids[part]],
                "account": [accounts[a] for a in authors[part]],
                "text": [f"post number {i}" for i in range(start, min(posts, start + chunk))],
                "created_at": times[part], "source_file": "bench/generated.jsonl"}))
            store.upsert_edges("POSTED", pd.DataFrame({
                "src": [accounts[a] for a in authors[part]], "dst": post_uids[part], "time": times[part]}))
            print(f"  posts {min(posts, start + chunk):,}/{posts:,}", flush=True)
        n_reposts = posts // 5
        reposters, reposted = rng.integers(0, n_accounts, n_reposts), rng.integers(0, posts, n_reposts)
        repost_times = times[reposted] + rng.integers(10, 86400, n_reposts)
        store.upsert_edges("REPOSTED", pd.DataFrame({
            "src": [accounts[a] for a in reposters], "dst": [post_uids[p] for p in reposted], "time": repost_times,
            "key": [str(t) for t in repost_times]}))
        urls = [f"url:https://site{i % 100}.example/a/{i}" for i in range(1000)]
        store.upsert_nodes("Url", pd.DataFrame({"uid": urls, "url": [u[4:] for u in urls],
                                                "domain": [f"site{i % 100}.example" for i in range(1000)]}))
        linking = rng.choice(posts, posts // 4, replace=False)
        store.upsert_edges("LINKS_TO", pd.DataFrame({"src": [post_uids[p] for p in linking],
                                                     "dst": [urls[i] for i in rng.integers(0, 1000, len(linking))],
                                                     "time": times[linking]}))
        campaigns, members, coordinated, evidence = [], [], [], []
        for c in range(20):
            size = int(rng.integers(10, 61))
            who = rng.choice(n_accounts, size, replace=False)
            first = int(t0 + rng.integers(0, span - 86400))
            campaigns.append({"uid": f"campaign:{c}", "label": f"{size} accounts · url", "size": size,
                              "modalities": ["url"], "first_time": first, "last_time": first + 3600, "objects": 5})
            members += [{"src": accounts[a], "dst": f"campaign:{c}", "role": "member", "degree": 1.0} for a in who]
            for i, a in enumerate(who):
                for b in who[i + 1: i + 4]:
                    coordinated.append({"src": accounts[a], "dst": accounts[b], "weight": float(rng.integers(1, 9)),
                                        "co_shares": 3, "modalities": ["url"], "first_time": first,
                                        "last_time": first + 3600, "window": 60})
            picked = rng.choice(posts, 30, replace=False)
            evidence += [{"src": f"campaign:{c}", "dst": post_uids[p], "time": int(times[p]), "modality": "url"}
                         for p in picked]
        store.upsert_nodes("Campaign", pd.DataFrame(campaigns))
        store.upsert_edges("MEMBER_OF", pd.DataFrame(members))
        store.upsert_edges("COORDINATED_WITH", pd.DataFrame(coordinated).drop_duplicates(["src", "dst"]))
        store.upsert_edges("EVIDENCE", pd.DataFrame(evidence))
        steps = [{"src": accounts[i], "dst": accounts[i + 1], "score": 0.9, "gap": 2 * 86400,
                  "signals": ["name", "bio"], "evidence": '{"name": {"old": "a", "new": "b"}}',
                  "lineage": f"lineage:{accounts[i]}"} for i in range(0, 40, 2)]
        store.upsert_edges("REAPPEARS_AS", pd.DataFrame(steps))
        reports = [{"uid": f"report:r{i}", "report_id": f"r{i}", "entity": post_uids[i], "reported_at": int(times[i]),
                    "reported_to": "twitter", "platform": "twitter"} for i in range(200)]
        store.upsert_nodes("Report", pd.DataFrame(reports))
        store.upsert_edges("REPORTED", pd.DataFrame({"src": [r["uid"] for r in reports],
                                                     "dst": [r["entity"] for r in reports]}))
        observations = [{"uid": f"observation:{post_uids[i]}@{int(times[i]) + 30 * 3600}", "entity": post_uids[i],
                         "status": "deleted", "observed_at": int(times[i]) + 30 * 3600, "platform": "twitter"}
                        for i in range(0, 200, 2)]
        store.upsert_nodes("Observation", pd.DataFrame(observations))
        store.upsert_edges("OBSERVED", pd.DataFrame({"src": [o["uid"] for o in observations],
                                                     "dst": [o["entity"] for o in observations]}))


def measure(uri: str, repeat: int) -> list[dict]:
    server = AppServer(uri)
    driver = make_driver()
    try:
        store = server.app.server.config["GRAPHINV_CONTEXT"].store
        top = store.query("MATCH (c:Campaign) RETURN c.uid AS uid ORDER BY c.size DESC, uid LIMIT 1")
        pages = {"overview": "/", "campaigns": "/campaigns", "lineages": "/lineages", "explorer": "/explorer",
                 "console": "/console"}
        if not top.empty:
            pages["campaign"] = "/campaign?uid=" + quote(top.iloc[0]["uid"], safe="")
        rows = []
        for name, path in pages.items():
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                driver.get(server.url + path)
                wait_rendered(driver, timeout=300)
                times.append(time.perf_counter() - started)
            rows.append({"page": name, "first_s": round(times[0], 2),
                         "median_s": round(statistics.median(times[1:] or times), 2)})
        return rows
    finally:
        driver.quit()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["demo", "generated"])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached stores")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    if args.only in (None, "demo"):
        path = OUT / "app-demo.lbug"
        if args.fresh or not path.exists():
            print("building the demo store …", flush=True)
            build_demo_store(f"embedded:{path}")
        results += [{"store": "demo", **row} for row in measure(f"embedded:{path}", args.repeat)]
    if args.only in (None, "generated"):
        path = OUT / f"app-{args.posts}.lbug"
        if args.fresh or not path.exists():
            print(f"generating a store of {args.posts:,} posts …", flush=True)
            started = time.perf_counter()
            generate_store(f"embedded:{path}", args.posts)
            print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
        results += [{"store": f"{args.posts:,} posts", **row} for row in measure(f"embedded:{path}", args.repeat)]
    print()
    print(pd.DataFrame(results).to_string(index=False))


if __name__ == "__main__":
    main()
