"""Time to first render of each app page, in headless Chromium, on the demo store and
on a generated store of 1M posts.

    .venv/bin/python bench/app.py                 # demo + 1M posts (stores cached in bench/out/)
    .venv/bin/python bench/app.py --only demo     # just the demo store
    .venv/bin/python bench/app.py --posts 200000  # a smaller generated store

Every page is measured, each at a real uid picked from the store (:func:`pages_of`), and
beside them the floor: a page that reads nothing from the store, what Dash itself costs.
A page's time runs from navigation until its heading is drawn and Dash has no callback
in flight (the figures and tables of the page are in the DOM by then). Each page is
loaded `--repeat` times; the table shows the first load (nothing of it memoised yet, see
graphinv/app/memo.py) and the median of the rest.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import os
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

from graphinv.app.links import capture_href, compare_href, entity_href  # noqa: E402
from graphinv.records import capture_uid  # noqa: E402
from graphinv.store import open_store  # noqa: E402
from graphinv.timefmt import iso  # noqa: E402


def generate_store(uri: str, posts: int, seed: int = 7) -> None:
    """A synthetic store: posts/10 accounts, `posts` posts over 60 days, one repost per
    five posts, links to 1,000 URLs on 100 sites, and 20 campaigns of 10–60 members with
    coordination edges, evidence, a few lineages and takedown reports; the campaigns'
    evidence posts and 2,000 more captured (JSONL lines), a target with impersonators
    and 2,000 posts mentioning her, and three sites in a lineage captured in a WARC and
    watched (beside the store, in app-N.captures/)."""
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
        evidence_posts = sorted({e["dst"] for e in evidence})
        _captured_lines(store, Path(uri.split(":", 1)[1]).with_suffix(".captures"),
                        evidence_posts + post_uids[:2000], {u: i for i, u in enumerate(post_uids)}, accounts,
                        authors, times)
        _target(store, accounts, post_uids, rng, t0)
        _site_lineage(store, Path(uri.split(":", 1)[1]).with_suffix(".captures"), t0)


def _captured_lines(store, folder: Path, posts: list[str], index: dict, accounts, authors, times) -> None:
    """One snscrape-like JSONL line per post in ``posts``, written to a file, each a
    Capture of its post (and of the POSTED edge), as the JSONL collector records them."""
    folder.mkdir(parents=True, exist_ok=True)
    path = (folder / "generated.jsonl").resolve()
    lines, places, offset = [], [], 0
    for uid in dict.fromkeys(posts):
        i = index[uid]
        line = (json.dumps({"_type": "snscrape.modules.twitter.Tweet", "id": int(uid.rsplit(":", 1)[1]),
                            "date": iso(int(times[i])), "rawContent": f"post number {i}",
                            "user": {"username": accounts[authors[i]].rsplit(":", 1)[1]}}) + "\n").encode()
        lines.append(line)
        places.append((uid, offset, len(line), len(lines)))
        offset += len(line)
    path.write_bytes(b"".join(lines))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    captures = pd.DataFrame([{
        "uid": capture_uid(sha, at), "captured_at": int(times[index[uid]]) + 600, "time_source": "JSONL date",
        "format": "jsonl", "source_file": str(path), "source_sha256": sha, "offset": at, "length": length,
        "line": line_no, "bytes_sha256": hashlib.sha256(lines[line_no - 1]).hexdigest()}
        for uid, at, length, line_no in places])
    store.upsert_nodes("Capture", captures)
    store.upsert_edges("CAPTURES", pd.DataFrame({"src": captures["uid"], "dst": [p[0] for p in places]}))
    store.upsert_edges("POSTED", pd.DataFrame({
        "src": [accounts[authors[index[p[0]]]] for p in places], "dst": [p[0] for p in places],
        "time": [int(times[index[p[0]]]) for p in places], "capture": captures["uid"]}))


def _target(store, accounts: list[str], post_uids: list[str], rng, t0: int) -> None:
    """A Target with a real account, five impersonators posing as her, 2,000 posts that
    mention her account, and the largest campaign targeting her."""
    real = "account:twitter:ava_lindqvist"
    fakes = [f"account:twitter:ava_lindqvist{i}" for i in range(1, 6)]
    store.upsert_nodes("Account", pd.DataFrame({
        "uid": [real, *fakes], "platform": "twitter", "handle": [u.rsplit(":", 1)[1] for u in [real, *fakes]],
        "display_name": "Ava Lindqvist", "created_at": t0}))
    target = "target:ava lindqvist"
    store.upsert_nodes("Target", pd.DataFrame([{"uid": target, "name": "Ava Lindqvist", "kind": "person",
                                                "aliases": ["A. Lindqvist"], "accounts": [real]}]))
    store.upsert_edges("IMPERSONATES", pd.DataFrame({
        "src": fakes, "dst": target, "score": 0.9,
        "evidence": [json.dumps({"handle": u.rsplit(":", 1)[1], "handle_match": "name:Ava Lindqvist",
                                 "display_name": "Ava Lindqvist"}) for u in fakes]}))
    mentioning = rng.choice(len(post_uids), 2000, replace=False)
    store.upsert_edges("MENTIONS", pd.DataFrame({"src": [post_uids[p] for p in mentioning], "dst": real}))
    store.upsert_edges("TARGETS", pd.DataFrame([{"src": "campaign:0", "dst": target}]))


SITE_GENERATIONS = ("nordic-truth.example", "nordictruth.example", "truth-nordic.example")


def _site_lineage(store, folder: Path, t0: int) -> None:
    """Three sites, each the comeback of the one before (the same tracking ID and
    articles), captured in a WARC the web collector reads, and the REAPPEARS_AS steps
    between them; each site on the watchlist, checked weekly."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from graphinv.ingest import ingest_paths

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sites.warc.gz"
    article = " ".join(f"The harbour money went to a shell firm, paragraph {i}, say people who saw the papers."
                       for i in range(12))
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for g, domain in enumerate(SITE_GENERATIONS):
            date = iso(t0 + g * 20 * 86400)
            for page in ("", "p/harbour-money", "p/council-lies", "p/who-we-are"):
                body = (f"<html><head><title>{domain} {page or 'home'}</title>"
                        f"<script>gtag('config', 'UA-4411-{g + 1}'); ga('create', 'UA-777-1');</script></head>"
                        f"<body><h1>{page or domain}</h1><p>Generation {g}. {article}</p>"
                        + "".join(f'<a href="https://{domain}/p/{link}">{link}</a>'
                                  for link in ("harbour-money", "council-lies"))
                        + "</body></html>").encode()
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                           protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    f"https://{domain}/{page}", "response", payload=io.BytesIO(body), http_headers=headers,
                    warc_headers_dict={"WARC-Date": date}))
    ingest_paths(store, [path])
    sites = [f"site:{d}" for d in SITE_GENERATIONS]
    store.upsert_edges("REAPPEARS_AS", pd.DataFrame({
        "src": sites[:-1], "dst": sites[1:], "score": 0.95, "gap": 20 * 86400,
        "signals": [["identifiers", "articles"]] * 2, "lineage": f"lineage:{sites[0]}",
        "evidence": json.dumps({"identifiers": ["ga:UA-777-1"], "articles": ["harbour-money"]})}))
    watches = pd.DataFrame({"uid": [f"watch:{s}" for s in sites], "entity": sites,
                            "url": [f"https://{d}/" for d in SITE_GENERATIONS], "added_at": t0, "active": True})
    store.upsert_nodes("Watch", watches)
    store.upsert_edges("WATCHES", pd.DataFrame({"src": watches["uid"], "dst": sites}))
    checks = [{"uid": f"observation:{s}@{t0 + w * 7 * 86400}#watch", "entity": s, "source": "watch",
               "observed_at": t0 + w * 7 * 86400, "status": "active" if w < 3 * (g + 1) else "not_found",
               "http_status": 200 if w < 3 * (g + 1) else 404}
              for g, s in enumerate(sites) for w in range(9)]
    store.upsert_nodes("Observation", pd.DataFrame(checks))
    store.upsert_edges("OBSERVED", pd.DataFrame({"src": [c["uid"] for c in checks],
                                                 "dst": [c["entity"] for c in checks]}))


def _first(store, cypher: str, params: dict | None = None) -> dict | None:
    found = store.query(cypher, params or {})
    return None if found.empty else found.iloc[0].to_dict()


def pages_of(store) -> dict[str, str]:
    """Every page of the app, each at a real uid of ``store`` (a page whose uid the store
    lacks is left out): the listings, and the pages a journalist clicks through."""
    # The floor: an unknown path, answered by the app's shell and routing callback with a
    # "Not found" heading and no store query: what every page pays for Dash itself.
    pages = {"floor (no store query)": "/bench-floor", "overview": "/", "campaigns": "/campaigns",
             "lineages": "/lineages", "explorer": "/explorer", "console": "/console", "watch": "/watch"}
    top = _first(store, "MATCH (c:Campaign) RETURN c.uid AS uid ORDER BY c.size DESC, uid LIMIT 1")
    if top:
        pages["campaign"] = "/campaign?uid=" + quote(top["uid"], safe="")
        member = _first(store, "MATCH (a:Account)-[:MEMBER_OF]->(c:Campaign) WHERE c.uid = $c "
                               "RETURN a.uid AS uid, a.handle AS handle ORDER BY uid LIMIT 1", {"c": top["uid"]})
        if member:
            pages["entity: account (member)"] = entity_href(member["uid"])
            pages["search: a handle"] = "/search?q=" + quote(member["handle"])
        post = _first(store, "MATCH (c:Campaign)-[:EVIDENCE]->(p:Post)<-[:CAPTURES]-(k:Capture) WHERE c.uid = $c "
                             "RETURN p.uid AS uid, k.uid AS capture ORDER BY uid LIMIT 1", {"c": top["uid"]})
        if post:
            pages["entity: post"] = entity_href(post["uid"])
            pages["capture: a post's line"] = capture_href(post["capture"])
    common = _first(store, "UNWIND ['ostervale', 'number'] AS w MATCH (p:Post) WHERE p.text CONTAINS w "
                           "RETURN w, count(*) AS n ORDER BY n DESC LIMIT 1")
    if common:
        pages["search: a common word"] = "/search?q=" + quote(common["w"])
    step = _first(store, "MATCH (x:Site)-[:REAPPEARS_AS]->(y:Site) RETURN x.uid AS a, y.uid AS b ORDER BY a, b LIMIT 1")
    if step:
        pages["entity: site"] = entity_href(step["a"])
        pages["lineage"] = "/lineages?uid=" + quote(step["a"], safe="")
        pages["compare: two sites"] = compare_href(step["a"], step["b"])
        page = _first(store, "MATCH (k:Capture)-[:CAPTURES]->(p:Post)-[:ON_SITE]->(s:Site) WHERE s.uid = $s "
                             "AND p.platform = 'web' RETURN k.uid AS capture ORDER BY capture LIMIT 1",
                      {"s": step["a"]})
        if page:
            pages["capture: a web page"] = capture_href(page["capture"])
    watched = _first(store, "MATCH (w:Watch)-[:WATCHES]->(s:Site) RETURN s.uid AS uid ORDER BY uid LIMIT 1")
    if watched:
        pages["watch: a site's evidence"] = "/watch?uid=" + quote(watched["uid"], safe="")
    target = _first(store, "MATCH (t:Target) OPTIONAL MATCH (i)-[:IMPERSONATES]->(t) "
                           "RETURN t.uid AS uid, count(i) AS n ORDER BY n DESC, uid LIMIT 1")
    if target:
        pages["entity: target"] = entity_href(target["uid"])
    return pages


def measure(uri: str, repeat: int, warmed: bool = False) -> list[dict]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = AppServer(uri)
    driver = make_driver()
    try:
        if warmed:  # as `graphinv app` does when it starts (graphinv.app.warm)
            from graphinv.app import warm

            started = time.perf_counter()
            warm(server.app.server.config["GRAPHINV_CONTEXT"]).join()
            print(f"  warmed the first pages in {time.perf_counter() - started:.1f} s", flush=True)
        pages = pages_of(server.app.server.config["GRAPHINV_CONTEXT"].store)
        rows = []
        for name, path in pages.items():
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                driver.get(server.url + path)
                wait_rendered(driver, timeout=300)
                times.append(time.perf_counter() - started)
            # The machine may be shared: the 1-minute load average beside each page says
            # how far to trust its times (compare with the floor's row of the same run).
            rows.append({"page": name, "first_s": round(times[0], 2),
                         "median_s": round(statistics.median(times[1:] or times), 2), "load": os.getloadavg()[0]})
            print(f"  {name}: {rows[-1]['first_s']} / {rows[-1]['median_s']} s (load {rows[-1]['load']:.1f})",
                  flush=True)
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
    parser.add_argument("--warm", action="store_true",
                        help="let the app read its first pages before timing, as `graphinv app` does")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    if args.only in (None, "demo"):
        path = OUT / "app-demo.lbug"
        if args.fresh or not path.exists():
            print("building the demo store …", flush=True)
            build_demo_store(f"embedded:{path}")
        results += [{"store": "demo", **row} for row in measure(f"embedded:{path}", args.repeat, args.warm)]
    if args.only in (None, "generated"):
        path = OUT / f"app-{args.posts}.lbug"
        if args.fresh or not path.exists():
            print(f"generating a store of {args.posts:,} posts …", flush=True)
            started = time.perf_counter()
            generate_store(f"embedded:{path}", args.posts)
            print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
        results += [{"store": f"{args.posts:,} posts", **row}
                    for row in measure(f"embedded:{path}", args.repeat, args.warm)]
    print()
    print(pd.DataFrame(results).to_string(index=False))


if __name__ == "__main__":
    main()
