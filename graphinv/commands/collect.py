"""`graphinv collect snscrape …`: capture with snscrape, then ingest what it wrote.

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

from ..cli import main, store_option
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
    """Capture live data (snscrape), then ingest it."""


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
