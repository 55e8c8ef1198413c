"""`graphinv query` (named queries and ad-hoc Cypher) and `graphinv export` (GEXF,
GraphML, CSV, interactive HTML, HTML/PDF report)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pandas as pd

from .base import main, store_option
from graphinv.errors import InputError
from graphinv.export import CLI_FORMATS
from graphinv.store import open_store
from graphinv.store.gate import Limits, default_limits

FORMATS = ("table", "csv", "json")


def _plain(value):
    import numpy as np

    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def render(frame: pd.DataFrame, fmt: str) -> str:
    """A result frame as a text table, CSV or JSON (a list of row objects).

    Times (columns named as :func:`graphinv.timefmt.is_time_column` says) are ISO 8601
    UTC in all three, JSON included: a reader of any of them sees the same time, and an
    epoch number says neither its unit nor its zone. Durations (``gap``) read in days
    and hours in the table and stay seconds in CSV and JSON, where they are sorted and
    computed with."""
    from graphinv.export.common import readable_times

    frame = readable_times(frame, durations=fmt == "table")
    if fmt == "json":
        records = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
        return json.dumps(records, ensure_ascii=False, indent=2, default=str)
    if fmt == "csv":
        from graphinv.export.common import spreadsheet_safe

        out = frame.copy()
        for col in out.columns:
            out[col] = [json.dumps(_plain(v), ensure_ascii=False) if isinstance(_plain(v), (list, dict)) else v
                        for v in out[col]]
        return spreadsheet_safe(out).to_csv(index=False).rstrip("\n")
    if frame.empty:
        return "(no rows)" if len(frame.columns) == 0 else " | ".join(frame.columns) + "\n(no rows)"
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        return frame.to_string(index=False)


@main.command()
@click.argument("name", required=False)
@click.option("--cypher", "cypher", metavar="TEXT", help="Run this Cypher instead of a named query.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter (repeatable). Named queries type it from their header (times "
                   "accept ISO dates such as 2024-03-01); with --cypher, JSON numbers, booleans and "
                   "lists are typed, anything else is text.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--list", "list_", is_flag=True, help="List the named queries and their parameters.")
@click.option("--write", is_flag=True, help="Allow the query to write to the store.")
@click.option("--timeout", type=float, default=None, metavar="SECONDS",
              help="Stop a read after this long (0: never). Default for --cypher: 30, or "
                   "$GRAPHINV_QUERY_SECONDS; named queries run unbounded unless given.")
@click.option("--max-rows", type=int, default=None, metavar="N",
              help="Return at most N rows, saying so when there were more (0: all). Default for "
                   "--cypher: 100000, or $GRAPHINV_QUERY_ROWS.")
@store_option
def query(name, cypher, params, fmt, list_, write, timeout, max_rows, store_uri):
    """Run a named query from queries/ (or --cypher TEXT) and print the rows.

    \b
    graphinv query --list
    graphinv query lineage --param uid=site:oldnews.example
    graphinv query top_urls --param since=2024-03-01 --param until=2024-04-01 --format csv
    graphinv query --cypher 'MATCH (a:Account) WHERE a.handle = $h RETURN a.uid' --param h=alice
    """
    from graphinv import queries

    if list_:
        click.echo("\n\n".join(queries.describe(q) for q in queries.list_queries()))
        return
    if bool(name) == bool(cypher):
        raise InputError("give a query NAME or --cypher TEXT (one of the two); `graphinv query --list` "
                         "shows the names")
    given = queries.parse_param_options(params)
    limits = None
    if not write and (cypher or timeout is not None or max_rows is not None):
        base = default_limits() if cypher else Limits(seconds=None, rows=None)
        limits = Limits(seconds=base.seconds if timeout is None else (timeout or None),
                        rows=base.rows if max_rows is None else (max_rows or None))
    with open_store(store_uri, read_only=not write) as store:
        if cypher:
            typed = {k: queries.literal(v) for k, v in given.items()}
            frame = queries.run_cypher(store, cypher, typed, write=write, limits=limits)
        else:
            frame = queries.run(store, name, write=write, limits=limits, **given)
    click.echo(render(frame, fmt))
    if frame.attrs.get("truncated"):
        click.echo(f"graphinv: only the first {frame.attrs['rows_cap']:,} rows are shown (the row cap); "
                   "raise it with --max-rows N (0: all)", err=True)


@main.command()
@click.argument("fmt", metavar="FORMAT", type=click.Choice((*CLI_FORMATS, "package")))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Output file (csv: a directory, or NAME.csv for NAME-nodes.csv and NAME-edges.csv).")
@click.option("--campaign", metavar="UID", help="Export one campaign (e.g. campaign:0).")
@click.option("--lineage", metavar="UID", help="Export the REAPPEARS_AS lineage through a site or account.")
@click.option("--query", "query_name", metavar="NAME", help="Export the entities a named query returns.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Parameters of --query.")
@click.option("--pseudonymize", is_flag=True,
              help="Replace handles and names of private persons with stable keyed pseudonyms "
                   "(salt: $GRAPHINV_PSEUDONYM_SALT, --salt-file, or var/pseudonym.salt).")
@click.option("--salt-file", type=click.Path(path_type=Path), envvar="GRAPHINV_PSEUDONYM_SALT_FILE",
              help="File holding the pseudonym salt (created with a random salt if missing).")
@click.option("--case", metavar="NAME", help="package: the evidence of a case.")
@click.option("--tsa", "tsa_url", metavar="URL", envvar="GRAPHINV_TSA_URL",
              help="package: RFC 3161 time-stamping authority to stamp the package ($GRAPHINV_TSA_URL).")
@click.option("--key-dir", type=click.Path(file_okay=False, path_type=Path), envvar="GRAPHINV_KEY_DIR",
              help="package: folder of the signing key, made on first use ($GRAPHINV_KEY_DIR, "
                   "default ~/.config/graphinv/keys).")
@store_option
def export(fmt, out, campaign, lineage, query_name, params, pseudonymize, salt_file, case, tsa_url, key_dir,
           store_uri):
    """Export the whole graph or a selection for Gephi, spreadsheets, a browser or a report.

    \b
    graphinv export gexf --campaign campaign:0 --out campaign0.gexf
    graphinv export report --lineage site:oldnews.example --pseudonymize --out lineage.pdf
    graphinv export html --query targeting --param target="Jane Doe" --out jane.html
    graphinv export package --campaign campaign:0 --out campaign0.wacz   # signed evidence (WACZ)
    """
    from graphinv.export import export_selection

    if fmt == "package":
        from .package import export_package

        if query_name or pseudonymize:
            raise InputError("an evidence package holds the captures as they are: no --query or --pseudonymize")
        for path in export_package(store_uri, out, campaign=campaign, lineage=lineage, case=case,
                                   tsa_url=tsa_url, key_dir=key_dir):
            click.echo(str(path))
        return
    if case:
        raise InputError("--case goes with `graphinv export package`")

    chosen = [flag for flag, value in (("--campaign", campaign), ("--lineage", lineage),
                                       ("--query", query_name)) if value]
    if len(chosen) > 1:
        raise InputError(f"choose one selection, not {' and '.join(chosen)}")
    if params and not query_name:
        raise InputError("--param goes with --query NAME")
    from graphinv import queries

    given = queries.parse_param_options(params)
    with open_store(store_uri, read_only=True) as store:
        written = export_selection(store, fmt, out, campaign=campaign, lineage=lineage, query=query_name,
                                   params=given, pseudonymize=pseudonymize, salt_file=salt_file,
                                   notice=lambda text: click.echo(text, err=True))
    for path in written:
        click.echo(str(path))
    # A report's sha256 cannot be inside it: its writer puts it beside it, printed last.
    for path in written:
        if path.suffix == ".sha256":
            click.echo(f"sha256 {path.read_text(encoding='utf-8').strip()}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
