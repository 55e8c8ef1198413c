"""`graphinv bank`: hash banks of known content (ThreatExchange / HMA CSV), matched
against every captured image."""

from __future__ import annotations

from pathlib import Path

import click

from ..store import open_store
from .base import main, store_option


@main.group()
def bank():
    """Hash banks: import known content, match it against captured images, export it.

    \b
    graphinv bank import gifct-sample.csv --name gifct
    graphinv bank list
    graphinv bank export --name gifct --out gifct.csv

    A bank CSV has one signal a row: signal_type (pdq, md5, sha256), signal_value,
    labels (space-separated), as ThreatExchange and HMA exchange them.
    """


@bank.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="The bank's name (signals of one name form one bank).")
@store_option
def import_(path, name, store_uri):
    """Import the bank CSV PATH as bank NAME, then match every bank against the captured images."""
    from ..analysis import banks
    from ..analysis.registry import BY_NAME

    with open_store(store_uri) as store:
        summary = banks.import_bank(store, path, name)
        matched = BY_NAME["banks"].run(store)
    by_type = ", ".join(f"{k}={v}" for k, v in summary["by_type"].items()) or "none"
    click.echo(f"bank {summary['bank']}: {summary['signals']} signals ({by_type})")
    if summary["rejected"]:
        click.echo("skipped rows: " + ", ".join(f"{k}={v}" for k, v in sorted(summary["rejected"].items())))
    click.echo(f"matches: {matched['matches']} ({matched['matched_media']} of {matched['media']} images, "
               f"all banks)")


@bank.command("list")
@store_option
def list_banks(store_uri):
    """Every bank: its signals and the captured images matching it."""
    from ..analysis import banks

    with open_store(store_uri, read_only=True) as store:
        table = banks.banks_summary(store)
    if table.empty:
        click.echo("no bank yet: graphinv bank import FILE --name NAME")
    for row in table.itertuples(index=False):
        click.echo(f"{row.bank}\t{row.signals} signals\t{row.matches} images matched")


@bank.command("export")
@click.option("--name", help="Export this bank only (default: every bank, with a bank column).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: stdout).")
@store_option
def export(name, out, store_uri):
    """Write a bank as ThreatExchange / HMA CSV (signal_type, signal_value, labels)."""
    from ..analysis import banks
    from ..errors import InputError

    with open_store(store_uri, read_only=True) as store:
        signals = banks.bank_signals(store, name)
    if name is not None and signals.empty:
        raise InputError(f"no bank named {name!r}: graphinv bank list")
    text = banks.export_rows(signals, with_bank=name is None)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"{len(signals)} signals written to {out}", err=True)
