"""Live capture speed: `graphinv collect web` against `wget --warc-file` on one local site.

A generated site of N pages (each page links the next ten and loads a PNG, a script
and a stylesheet) is served on 127.0.0.1 by the test fixture server; both tools crawl
all of it with page requisites and no delay, writing WARC.gz. Prints pages/s, records
and file size for each, and the ratio. Both files are then read back by the web
collector (records counted), so a fast but unreadable capture would show.

    .venv/bin/python bench/capture.py [--pages 300]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from http_sites import Sites, image, page  # noqa: E402


def build_site(sites: Sites, host: str, pages: int) -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buf, "PNG")
    sites.route(host, "/logo.png", image(buf.getvalue()))
    sites.route(host, "/app.js", page("console.log('x')", "application/javascript"))
    sites.route(host, "/site.css", page("body{margin:0}", "text/css"))
    for i in range(pages):
        links = "".join(f"<a href='/p/{j}'>page {j}</a> " for j in range(i + 1, min(pages, i + 11)))
        body = (f"<html><head><title>Page {i}</title><script src='/app.js'></script>"
                f"<link rel='stylesheet' href='/site.css'></head><body><main><h1>Page {i}</h1>"
                f"<p>{'Some article text about the harbour contracts. ' * 40}</p><img src='/logo.png'>{links}"
                "</main></body></html>")
        sites.route(host, "/" if i == 0 else f"/p/{i}", page(body))


def count_records(path: Path) -> tuple[int, int]:
    import collectors.web as web
    from graphinv.records import Reject

    posts = rejects = 0
    for record in web.collect(path):
        if isinstance(record, Reject):
            rejects += 1
        elif getattr(record, "kind", "") == "Post":
            posts += 1
    return posts, rejects


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    from graphinv.capture.crawl import crawl
    from graphinv.capture.fetch import FetchPolicy

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load {os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d')}")
    out = Path(tempfile.mkdtemp(prefix="graphinv-bench-capture-"))
    with Sites() as sites:
        host = "127.0.0.1"
        build_site(sites, host, args.pages)
        seed = f"http://{host}:{sites.port}/"
        rows = []

        start = time.perf_counter()
        result = crawl([seed], out / "graphinv.warc.gz", FetchPolicy(allow_networks=["127.0.0.0/8"]), depth=10_000,
                       same_site=True, max_pages=args.pages, max_resources=10, delay=0)
        seconds = time.perf_counter() - start
        rows.append(("graphinv collect web", len(result.pages), seconds, result.path))

        wget = shutil.which("wget")
        if wget:
            start = time.perf_counter()
            subprocess.run([wget, "--quiet", "--recursive", "--level=inf", "--page-requisites", "-e", "robots=off",
                            "--no-verbose", "--delete-after", "--warc-file", str(out / "wget"),
                            "--directory-prefix", str(out / "wget-files"), seed], check=False)
            seconds = time.perf_counter() - start
            rows.append(("wget --warc-file", None, seconds, out / "wget.warc.gz"))

    print(f"{'tool':22} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'MB':>6} {'posts read back':>16} {'rejects':>8}")
    rates = {}
    for name, pages, seconds, path in rows:
        posts, rejects = count_records(path)
        pages = pages if pages is not None else posts
        rates[name] = pages / seconds
        print(f"{name:22} {pages:>6} {seconds:>8.2f} {pages / seconds:>8.1f} {path.stat().st_size / 1e6:>6.2f} "
              f"{posts:>16} {rejects:>8}")
    if len(rates) == 2:
        print(f"ratio graphinv / wget: {rates['graphinv collect web'] / rates['wget --warc-file']:.2f}")
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
