"""`graphinv collect snscrape|web …`: capture, then ingest what was written.

``collect web`` fetches pages into a WARC.gz file with graphinv's own careful client
(:mod:`graphinv.capture`) and ingests it with the web collector.

snscrape is GPL-3.0+, so it is run as a separate program (never imported): it writes
``snscrape --jsonl`` output into a dated file under ``data/captures/``, and that file is
ingested like any other capture. The file stays, as the evidence of what was captured.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click

from .base import main, store_option
from ..errors import InputError
from ..store import open_store

CAPTURES = Path("data") / "captures"


def snscrape_command(args: list[str], executable: str | None = None) -> list[str]:
    """The snscrape command line for ``args``, with ``--jsonl`` placed before the scraper.

    >>> snscrape_command(["twitter-search", "from:someone"], executable="snscrape")
    ['snscrape', '--jsonl', 'twitter-search', 'from:someone']
    >>> snscrape_command(["--max-results", "10", "telegram-channel", "x"], executable="snscrape")
    ['snscrape', '--jsonl', '--max-results', '10', 'telegram-channel', 'x']
    """
    if not args:
        raise InputError("say what to scrape, e.g. `graphinv collect snscrape telegram-channel NAME`")
    args = [a for a in args if a != "--jsonl"]
    exe = executable or shutil.which("snscrape")
    if exe is None:
        raise InputError("snscrape is not installed (it is GPL-3.0+ and not bundled): "
                         "`pipx install snscrape`, or put it on PATH")
    return [exe, "--jsonl", *args]


def capture_path(args: list[str], now: dt.datetime | None = None, folder: Path = CAPTURES) -> Path:
    """A dated file name that says what was scraped.

    >>> capture_path(["telegram-channel", "Some Channel!"], dt.datetime(2026, 5, 1, 12, 0, 0)).name
    'snscrape-20260501T120000Z-telegram-channel-some-channel.jsonl'
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    words = [a for a in args if not a.startswith("-")][:2]
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(words).lower()).strip("-")[:60] or "capture"
    return folder / f"snscrape-{now:%Y%m%dT%H%M%S}Z-{slug}.jsonl"


@main.group()
def collect():
    """Capture live data (snscrape, web pages), then ingest it."""


@collect.command("snscrape", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=CAPTURES, show_default=True)
@store_option
def collect_snscrape(args, out_dir, store_uri):
    """Run `snscrape --jsonl ARGS…` into a dated file under data/captures/, then ingest it.

    Example: graphinv collect snscrape --max-results 500 telegram-channel somechannel
    """
    from ..ingest import ingest_paths
    from ..report_cli import print_ingest_summary

    command = snscrape_command(list(args), os.environ.get("GRAPHINV_SNSCRAPE"))
    out = capture_path(list(args), folder=out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    click.echo(f"capturing: {' '.join(command[1:])} -> {out}", err=True)
    with open(out, "wb") as handle:
        done = subprocess.run(command, stdout=handle, stderr=subprocess.PIPE)
    if done.returncode != 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        if out.stat().st_size == 0:
            out.unlink()
            raise InputError(f"snscrape failed (exit {done.returncode}): {last}")
        click.echo(f"snscrape stopped early (exit {done.returncode}: {last}); ingesting what it wrote", err=True)
    if out.stat().st_size == 0:
        out.unlink()
        raise InputError("snscrape found nothing to capture")
    with open_store(store_uri) as store:
        print_ingest_summary(ingest_paths(store, [out], progress=sys.stderr.isatty()))
    click.echo(str(out))


def fetch_options(fn):
    """The options every command that fetches shares (collect web, watch run)."""
    options = [
        click.option("--delay", type=float, default=1.0, show_default=True,
                     help="Seconds between two requests to the same host."),
        click.option("--timeout", type=float, default=20.0, show_default=True,
                     help="Seconds to wait for a connection or for each read."),
        click.option("--deadline", type=float, default=60.0, show_default=True,
                     help="Seconds one response may take in all (slow trickles are cut off)."),
        click.option("--max-bytes", type=int, default=10 * 1024 * 1024, show_default=True,
                     help="Bytes kept of one body; the rest is not read (the record says so)."),
        click.option("--user-agent", default=None, help="User-Agent to send (default: names graphinv)."),
        click.option("--resolve", "resolve", multiple=True, metavar="HOST=IP",
                     envvar="GRAPHINV_RESOLVE", show_envvar=True,
                     help="Connect to IP for HOST (HOST=none: treat as non-existent; *=… for every "
                          "other host). Repeatable, or comma-separated."),
        click.option("--allow-network", "allow_networks", multiple=True, metavar="CIDR",
                     envvar="GRAPHINV_ALLOW_NETWORKS", show_envvar=True,
                     help="Networks that may be contacted (default: public addresses only, never "
                          "loopback or private ones). Repeatable, or comma-separated."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def policy_from(timeout, deadline, max_bytes, user_agent, resolve, allow_networks):
    from ..capture.fetch import USER_AGENT, FetchPolicy, parse_resolve

    if max_bytes <= 0 or timeout <= 0 or deadline <= 0:
        raise InputError("--max-bytes, --timeout and --deadline must be positive")
    networks = [n.strip() for item in allow_networks for n in item.split(",") if n.strip()]
    return FetchPolicy(timeout=timeout, deadline=deadline, max_bytes=max_bytes,
                       user_agent=user_agent or USER_AGENT, resolve=parse_resolve(resolve),
                       allow_networks=networks or None)


def read_list(path: Path | None) -> list[str]:
    """Entries of a list file: one per line, blank lines and ``# comments`` ignored."""
    if path is None:
        return []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the list ({exc})") from None
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


class _Ticker:
    """A spinner with a count on a terminal; nothing in a pipe."""

    def __init__(self, what: str):
        self.what, self.count, self._progress = what, 0, None

    def __enter__(self):
        if sys.stderr.isatty():
            from rich.progress import Progress, SpinnerColumn, TextColumn

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True)
            self._progress.__enter__()
            self._task = self._progress.add_task(self.what)
        return self

    def tick(self, text: str) -> None:
        self.count += 1
        if self._progress is not None:
            self._progress.update(self._task, description=f"{self.what} {self.count}: {text[:100]}")

    def __exit__(self, *exc):
        if self._progress is not None:
            self._progress.__exit__(*exc)


@collect.command("web")
@click.argument("urls", nargs=-1)
@click.option("--from", "from_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A file of URLs, one per line (# starts a comment).")
@click.option("--depth", type=click.IntRange(0, 10), default=0, show_default=True,
              help="Follow links this many steps from the given pages (0: the pages themselves).")
@click.option("--same-site", is_flag=True, help="Follow only links on the given sites' domains.")
@click.option("--max-pages", type=click.IntRange(1), default=50, show_default=True,
              help="Pages to fetch at most (the images, scripts and stylesheets they load come on top).")
@click.option("--max-resources", type=click.IntRange(0), default=40, show_default=True,
              help="Images, scripts and stylesheets fetched per page at most.")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=CAPTURES, show_default=True)
@fetch_options
@store_option
def collect_web(urls, from_file, depth, same_site, max_pages, max_resources, out_dir, delay, timeout, deadline,
                max_bytes, user_agent, resolve, allow_networks, store_uri):
    """Fetch pages (and the images and scripts they load) into a dated WARC.gz under
    data/captures/, then ingest it.

    Redirects, timeouts, TLS errors and failed look-ups are recorded in the WARC and
    as Observations, never fatal. Example:

    graphinv collect web https://old-site.example/ --depth 1 --same-site
    """
    from ..capture.crawl import capture_name, crawl
    from ..ingest import ingest_paths
    from ..report_cli import print_ingest_summary

    urls = list(urls) + read_list(from_file)
    if not urls:
        raise InputError("give URLs to capture, or --from FILE")
    bad = [u for u in urls if not u.lower().startswith(("http://", "https://"))]
    if bad:
        raise InputError(f"{bad[0]!r} is not an http(s) URL (write it with http:// or https://)")
    policy = policy_from(timeout, deadline, max_bytes, user_agent, resolve, allow_networks)
    path = out_dir / capture_name("web", list(urls))
    with _Ticker("fetched") as ticker:
        result = crawl(list(urls), path, policy, depth=depth, same_site=same_site, max_pages=max_pages,
                       max_resources=max_resources, delay=delay, on_fetch=lambda f: ticker.tick(f.url))
    print_fetch_table(result.pages, result.resources)
    click.echo(f"wrote {result.path} ({result.records} records), sha256 {result.sha256}")
    with open_store(store_uri) as store:
        print_ingest_summary(ingest_paths(store, [result.path], progress=sys.stderr.isatty()))


def print_fetch_table(pages, resources) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Fetched {len(pages)} pages, {len(resources)} resources")
    for col in ("url", "http", "outcome", "bytes", "detail"):
        table.add_column(col, justify="right" if col in ("http", "bytes") else "left", overflow="fold")
    shown = pages + [r for r in resources if r.outcome["status"] not in ("active",)]
    for item in shown:
        o = item.outcome
        table.add_row(item.url, str(o["http_status"] or "-"), o["status"], f"{item.bytes:,}",
                      o["detail"] or (f"-> {o['final_url']}" if o["final_url"] else ""))
    hidden = len(pages) + len(resources) - len(shown)
    if hidden:
        table.caption = f"{hidden} resources fetched fine are not listed"
    Console(width=160).print(table)
