"""`graphinv report add|capture`, `graphinv notice` and `graphinv ledger`: reports in,
notices out, and the 48-hour record of what the platforms did."""

from __future__ import annotations

from pathlib import Path

import click

from ..store import open_store
from .base import main, store_option
from .collect import CAPTURES, fetch_options, policy_from


@main.group()
def report():
    """Reports of illegal content, captured as they come in.

    \b
    graphinv report add https://x.com/someone/status/123 --category threat --note "names the mayor's address"
    graphinv ingest reports.csv --capture     # a table of reports, each captured
    graphinv report capture                   # capture the reports still without a capture
    """


def _print_intake(result) -> None:
    for item in result.items:
        where = item.capture or f"not captured ({item.detail})"
        click.echo(f"{item.report}  {item.entity}  {item.how}: {where}")
    if result.warc:
        click.echo(f"evidence in {result.warc} (sha256 {result.sha256})")
    failed = [i for i in result.items if not i.capture]
    if failed:
        click.echo(f"{len(failed)} of {len(result.items)} report(s) could not be captured: "
                   "graphinv report capture tries again", err=True)


@report.command("add")
@click.argument("url")
@click.option("--category", required=True, help="What it is: threat, incitement, terrorism, harassment, doxxing, "
              "denial (graphinv/vocabulary.yaml, report_categories) or your own word.")
@click.option("--note", default="", help="Why it is illegal, in the reporter's words (goes into the notice).")
@click.option("--reporter", default=None, help="Who reported it (a person, a hotline).")
@click.option("--to", "reported_to", default=None, help="Who is to be notified (default: the platform of the URL, "
              "or the site's domain).")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=CAPTURES, show_default=True)
@fetch_options
@store_option
def report_add(url, category, note, reporter, reported_to, out_dir, delay, timeout, deadline, max_bytes, user_agent,
               resolve, allow_networks, store_uri):
    """Record a report of URL and capture it now: its capture in the store when the
    post is already there, else the page fetched into a dated WARC.gz and ingested."""
    from ..capture import intake

    policy = policy_from(timeout, deadline, max_bytes, user_agent, resolve, allow_networks)
    with open_store(store_uri) as store:
        result = intake.add(store, url, category=category, note=note, reporter=reporter, reported_to=reported_to,
                            policy=policy, out_dir=out_dir, delay=delay)
    _print_intake(result)


@report.command("capture")
@click.argument("reports", nargs=-1)
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=CAPTURES, show_default=True)
@fetch_options
@store_option
def report_capture(reports, out_dir, delay, timeout, deadline, max_bytes, user_agent, resolve, allow_networks,
                   store_uri):
    """Capture REPORTS (uids report:… or ids), or every report without a capture yet."""
    from ..capture import intake

    policy = policy_from(timeout, deadline, max_bytes, user_agent, resolve, allow_networks)
    uids = [r if r.startswith("report:") else f"report:{r}" for r in reports] or None
    with open_store(store_uri) as store:
        result = intake.capture_reports(store, uids, policy=policy, out_dir=out_dir, delay=delay)
    if not result.items:
        click.echo("every report has its capture" if uids is None else "no such report")
        return
    _print_intake(result)


def capture_after_ingest(store) -> None:
    """`graphinv ingest … --capture`: the fetch settings come from the environment
    (GRAPHINV_RESOLVE, GRAPHINV_ALLOW_NETWORKS), as `collect web` reads them."""
    import os

    from ..capture import intake

    policy = policy_from(20.0, 60.0, 10 * 1024 * 1024, None, [os.environ.get("GRAPHINV_RESOLVE", "")],
                         [os.environ.get("GRAPHINV_ALLOW_NETWORKS", "")])
    result = intake.capture_reports(store, None, policy=policy, out_dir=CAPTURES)
    if result.items:
        _print_intake(result)
