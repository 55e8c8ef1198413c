"""`graphinv triage`: the open reports ranked by explained reasons, and the reviewers'
decisions that close them."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

import click

from ..store import open_store
from .base import main, store_option


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the queue as JSON (reasons with their evidence).")
@click.option("--csv", "as_csv", is_flag=True, help="Print the queue as CSV (one line per report).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON or CSV here.")
@click.option("--limit", type=int, default=50, show_default=True, help="Rows in the table (0: all).")
@click.option("--reason", "reasons", multiple=True, help="Only reports with this reason (repeatable).")
@click.option("--all", "include_closed", is_flag=True, help="Decided reports too, with their decision.")
@click.option("--explain", is_flag=True, help="Print the reasons and their weights (graphinv/triage.yaml).")
@store_option
@click.pass_context
def triage(ctx, as_json, as_csv, out, limit, reasons, include_closed, explain, store_uri):
    """The open reports, most urgent first, each with its reasons and their weights.

    \b
    graphinv triage
    graphinv triage --json --out queue.json
    graphinv triage decide REPORT_ID --decision actioned --by ana

    Reasons (weights in graphinv/triage.yaml): threat to life or call to violence
    (FR/EN/DE phrases), a hash-bank match, an author in a campaign (against a Target),
    a Target under attack, a re-created account, a site in a lineage, a near-duplicate
    of actioned, removed or reported items, spread in the first hour, several reporters.
    """
    if ctx.invoked_subcommand is not None:
        return
    from .. import triage as tri

    if explain:
        for name, weight in tri.rules().weights.items():
            click.echo(f"{name}\t{weight}")
        return
    with open_store(store_uri, read_only=True) as store:
        table = tri.triage(store, include_closed=include_closed)
    if reasons:
        unknown = set(reasons) - _reason_names(tri)
        if unknown:
            from ..errors import InputError
            raise InputError(f"no reason named {', '.join(sorted(unknown))}; graphinv triage --explain lists them")
        table = table[[bool(set(reasons) & {r["reason"] for r in rs}) for rs in table["reasons"]]]
    if as_json or as_csv:
        text = (json.dumps(tri.as_records(table), ensure_ascii=False, indent=1) + "\n" if as_json
                else _csv(tri, table))
        if out:
            out.write_text(text, encoding="utf-8")
            click.echo(f"{len(table)} reports written to {out}", err=True)
        else:
            click.echo(text, nl=False)
        return
    _print_table(table, limit)


def _reason_names(tri) -> set[str]:
    names = set(tri.rules().weights) - {"spread_per_doubling", "spread_max", "reporters_per_extra", "reporters_max"}
    return names | {"spread", "reporters"}


def _csv(tri, table) -> str:
    import io

    import pandas as pd

    rows = tri.as_records(table)
    frame = pd.DataFrame(rows, columns=tri.QUEUE_COLUMNS)
    frame["reasons"] = [" ".join(r["reason"] for r in rs) for rs in frame["reasons"]]
    buf = io.StringIO()
    frame.drop(columns=["text"]).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _print_table(table, limit: int) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..timefmt import iso

    if table.empty:
        click.echo("no open report: graphinv ingest reports.csv, or graphinv report add URL")
        return
    shown = table if not limit else table.head(limit)
    grid = Table(title=f"Triage: {len(table)} open reports, most urgent first", show_lines=True)
    for name, just in (("#", "right"), ("score", "right"), ("report", "left"), ("item", "left"),
                       ("reported", "left"), ("reasons (weight)", "left")):
        grid.add_column(name, justify=just, overflow="fold")
    for row in shown.itertuples(index=False):
        reasons = "\n".join(f"{r['why']} [{r['weight']:+g}]" for r in row.reasons) or "no reason found"
        decision = f"\n{row.decision} by {row.decided_by}" if isinstance(row.decision, str) else ""
        grid.add_row(str(row.rank), f"{row.score:g}", str(row.report).removeprefix("report:") + decision,
                     str(row.url if isinstance(row.url, str) else row.entity),
                     iso(row.reported_at), reasons)
    Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160).print(grid)
    if limit and len(table) > limit:
        click.echo(f"… {len(table) - limit} more (--limit 0 shows all, --csv or --json writes all)")


@triage.command("decide")
@click.argument("report")
@click.option("--decision", required=True, type=click.Choice(["actioned", "not-illegal", "duplicate"]))
@click.option("--by", "decided_by", help="Who decides (default: your login name).")
@click.option("--note", default="", help="Why, in a few words.")
@store_option
def decide(report, decision, decided_by, note, store_uri):
    """Record a reviewer's DECISION on REPORT (its id or uid): it leaves the queue, and
    near-duplicates of an actioned item rise (of a not-illegal one, fall)."""
    from .. import triage as tri
    from ..timefmt import iso

    who = decided_by or getpass.getuser()
    with open_store(store_uri) as store:
        uid = tri.decide(store, report, decision, who, note=note)
    at = uid.split("@", 1)[1].split("#", 1)[0]
    click.echo(f"{decision} by {who} at {iso(int(at))}: {uid}")
