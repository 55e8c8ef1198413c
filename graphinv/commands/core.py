"""`graphinv schema`, `ingest` and `counts`: the store's own commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..store import open_store
from .base import main, store_option


@main.command()
def schema():
    """Print the graph schema (node and edge kinds, properties, merge rules)."""
    from ..schema import describe
    click.echo(describe())


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Re-read files already ingested (idempotent).")
@click.option("--columns", multiple=True, metavar="FIELD=COLUMN",
              help="Column mapping for CSV share tables, e.g. --columns account_id=user_id")
@click.option("--strict", is_flag=True,
              help="Exit with an error when any file could not be read (no collector reads it, or it failed).")
@click.option("--capture", is_flag=True, help="Capture every report without a capture yet (a reports table's "
              "rows): its post's capture in the store, else the page fetched (graphinv report capture).")
@store_option
def ingest(paths, force, columns, strict, capture, store_uri):
    """Ingest captures (files or folders of mixed formats) into the store.

    Files no collector reads are listed and counted, and the rest is ingested: folders
    of captures usually hold notes, screenshots and hash lists too. With --strict any
    such file makes the exit status 1 (for scripts that must know all was read)."""
    from collectors import csv_tables

    from ..ingest import ingest_paths
    from ..report_cli import print_ingest_summary

    options = {}
    if columns:
        mapping = {}
        for item in columns:
            if "=" not in item:
                raise click.BadParameter(f"{item!r} is not FIELD=COLUMN", param_hint="--columns")
            field, column = item.split("=", 1)
            mapping[field.strip()] = column.strip()
        options[csv_tables.name] = {"columns": mapping}
    with open_store(store_uri) as store:
        summary = ingest_paths(store, paths, force=force, progress=sys.stderr.isatty(), options=options)
        print_ingest_summary(summary)
        if capture:
            from .reports import capture_after_ingest

            capture_after_ingest(store)
        counts = store.counts()
    if not summary.ingested and not any(f.skipped == "already ingested" for f in summary.files):
        raise click.ClickException("nothing could be read from the given paths "
                                   "(see the table above for what was skipped and why)")
    click.echo("store: " + ", ".join(f"{k}={v}" for k, v in counts.items() if v))
    if strict and summary.unread:
        raise click.ClickException(f"--strict: {len(summary.unread)} file(s) could not be read "
                                   "(listed above)")


@main.command()
@store_option
def counts(store_uri):
    """Print the number of nodes and edges of each kind in the store."""
    with open_store(store_uri, read_only=True) as store:
        for kind, n in store.counts().items():
            click.echo(f"{kind:18} {n:>10,}")


@main.command("neo4j-import")
@click.argument("source", metavar="STORE")
@click.argument("data_dir", type=click.Path(path_type=Path))
@click.option("--heap", default="1g", show_default=True, help="Java heap of the importer.")
def neo4j_import(source, data_dir, heap):
    """Load STORE (e.g. embedded:data/graph.lbug) into a new local Neo4j at DATA_DIR with
    Neo4j's offline importer: the fast first load of a big collection. Serve it with
    `python -m graphinv.neo4j_local --data DATA_DIR`."""
    from ..neo4j_import import import_store

    with open_store(source, read_only=True) as store:
        done = import_store(store, data_dir, heap=heap)
    click.echo(f"imported {sum(done.nodes.values()):,} nodes and {sum(done.edges.values()):,} edges into "
               f"{data_dir} (CSV {done.csv_seconds:.1f} s, import {done.import_seconds:.1f} s); serve it with "
               f"`python -m graphinv.neo4j_local --data {data_dir}`")
