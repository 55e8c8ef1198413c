"""`graphinv report add|capture`, `graphinv notice` and `graphinv ledger`: reports in,
notices out, and the 48-hour record of what the platforms did."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
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


@main.command()
@click.option("--platform", default=None, help="Only reports of this platform (twitter, telegram, web, …).")
@click.option("--selection", "terms", multiple=True, metavar="KEY=VALUE",
              help="Narrow the reports (repeatable): report=ID[,ID…], category=NAME[,…], to=RECIPIENT, "
                   "since=TIME, until=TIME (on the report's time; a day counts whole), noticed=no|yes|any "
                   "(default no: reports not noticed yet).")
@click.option("--name", envvar="GRAPHINV_NOTIFIER_NAME", show_envvar=True, help="The notifier's name.")
@click.option("--email", envvar="GRAPHINV_NOTIFIER_EMAIL", show_envvar=True, help="The notifier's email.")
@click.option("--organisation", envvar="GRAPHINV_NOTIFIER_ORGANISATION", default="", help="The notifier's "
              "organisation, if any.")
@click.option("--to-email", default=None, help="The recipient's notice address, put in the .eml's To.")
@click.option("--grounds", multiple=True, help="Legal grounds added to every item (required for a category the "
              "vocabulary does not know).")
@click.option("--at", "at", default=None, help="The notice time to record (default: now), e.g. when the notice "
              "goes out later the same day.")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("notices"),
              show_default=True)
@store_option
def notice(platform, terms, name, email, organisation, to_email, grounds, at, out_dir, store_uri):
    """Write notices of illegal content, one per recipient, as text, .eml and PDF
    (nothing is sent): the exact URLs, why each is illegal and on which legal grounds,
    the notifier, a good-faith statement, and each item's capture time and sha256
    (EU DSA art. 16, French LCEN art. 6). The notice time is recorded on each report
    and the URLs join the watchlist for the 48-hour ledger (graphinv watch run --due).

    \b
    graphinv notice --platform twitter --selection category=threat --selection since=2026-11-01 \\
        --name "Ana Martin" --email ana@example.org
    """
    from ..export.notice import Notifier, parse_selection, write_notices
    from ..normalize import to_epoch

    when = None
    if at:
        when = to_epoch(at)
        if when is None:
            raise InputError(f"--at {at!r} is not a time (write 2026-12-03T09:30:00Z)")
    notifier = Notifier(name or "", email or "", organisation)
    selection = parse_selection(terms, platform)
    with open_store(store_uri) as store:
        written, skipped = write_notices(store, selection, notifier, out_dir, now=when, grounds=tuple(grounds),
                                         to_email=to_email)
    for w in written:
        n = w.notice
        click.echo(f"{n['uid']}  to {n['recipient']}: {len(n['items'])} item(s), noticed at {n['date']}")
        for path, sha in zip(w.files, w.sha256s):
            click.echo(f"  {path}  sha256 {sha}")
    click.echo(f"{sum(len(w.notice['items']) for w in written)} item(s) in {len(written)} notice(s); nothing was "
               "sent. The URLs are on the watchlist: run `graphinv watch run --due` hourly.")
    for rid, reason in skipped.items():
        click.echo(f"left out report {rid}: {reason}", err=True)
    if skipped:
        click.echo(f"{len(skipped)} selected report(s) left out (listed above)", err=True)


@main.command("ledger")
@click.option("--hours", type=click.FloatRange(min=0, min_open=True), default=48, show_default=True,
              help="The deadline after the notice.")
@click.option("--platform", default=None, help="Only this platform's items.")
@click.option("--recipient", default=None, help="Only the items noticed to this recipient.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None,
              help="Write the per-item exhibit (report, notice time, each check, removal time) as CSV; - for "
                   "the standard output.")
@click.option("--checks-csv", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write every check after a notice, one row each with its WARC record, as CSV.")
@store_option
def ledger_command(hours, platform, recipient, csv_path, checks_csv, store_uri):
    """The 48-hour ledger of noticed items: per platform and recipient how many were
    removed within the deadline, later, or are still up, and the per-item exhibit.

    \b
    graphinv watch run --due          # hourly: the checks around the 24 h and 48 h marks
    graphinv ledger                   # "28 of 70 removed within 48 h, 4 later, 38 still up"
    graphinv ledger --csv exhibit.csv
    """
    from ..analysis.ledger import compliance, ledger, with_iso_times
    from .query_export import render

    with open_store(store_uri, read_only=True) as store:
        result = ledger(store, hours=hours)
    items, checks = result["items"], result["checks"]
    if platform:
        items, checks = items[items["platform"] == platform], checks[checks["platform"] == platform]
    if recipient:
        items = items[items["recipient"].str.lower() == recipient.lower()]
        checks = checks[checks["report_id"].isin(items["report_id"])]
    if items.empty:
        raise InputError("no noticed item in the store" + (" for that selection" if platform or recipient else "")
                         + ": graphinv notice writes notices and records them")
    if csv_path is not None:
        text = with_iso_times(items).to_csv(index=False)
        if str(csv_path) == "-":
            click.echo(text, nl=False)
            return
        csv_path.write_text(text, encoding="utf-8")
    if checks_csv is not None:
        checks_csv.write_text(with_iso_times(checks).to_csv(index=False), encoding="utf-8")
    table = compliance(items, hours=hours)
    for row in table.itertuples(index=False):
        click.echo(f"{row.platform} ({row.recipient}): {row.summary}")
    shown = with_iso_times(items)[["report_id", "platform", "recipient", "noticed_at", "n_checks", "last_up_at",
                                   "removed_at", "hours_to_removal", "outcome"]]
    click.echo(render(shown.astype(object).where(shown.notna(), "-"), "table"))
    if csv_path is not None:
        click.echo(f"exhibit: {csv_path} ({len(items)} items)")
    if checks_csv is not None:
        click.echo(f"checks: {checks_csv} ({len(checks)} checks)")
