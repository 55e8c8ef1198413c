"""The `graphinv` command. Library errors become one line and exit status 1 here, and
only here."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import GraphinvError
from .store import default_store_uri, open_store


class Group(click.Group):
    """Turns GraphinvError into a one-line message instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except GraphinvError as exc:
            raise click.ClickException(str(exc)) from None


def store_option(fn):
    return click.option("--store", "store_uri", default=default_store_uri, show_default="$GRAPHINV_STORE or embedded:./var/graphinv.lbug",
                        help="embedded:PATH or bolt://HOST:PORT (neo4j://, neo4j+s:// too)")(fn)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="graphinv")
def main():
    """Investigate extremist online networks: reappearing sites and accounts,
    coordinated campaigns, and the evidence for each finding."""


@main.command()
def schema():
    """Print the graph schema (node and edge kinds, properties, merge rules)."""
    from .schema import describe
    click.echo(describe())


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Re-read files already ingested (idempotent).")
@click.option("--columns", multiple=True, metavar="FIELD=COLUMN",
              help="Column mapping for CSV share tables, e.g. --columns account_id=user_id")
@store_option
def ingest(paths, force, columns, store_uri):
    """Ingest captures (files or folders of mixed formats) into the store."""
    from .ingest import ingest_paths
    from .report_cli import print_ingest_summary

    options = {}
    if columns:
        mapping = {}
        for item in columns:
            if "=" not in item:
                raise click.BadParameter(f"{item!r} is not FIELD=COLUMN", param_hint="--columns")
            field, column = item.split("=", 1)
            mapping[field.strip()] = column.strip()
        options["csv"] = {"columns": mapping}
    with open_store(store_uri) as store:
        summary = ingest_paths(store, paths, force=force, progress=sys.stderr.isatty(), options=options)
        print_ingest_summary(summary)
        counts = store.counts()
    if not summary.ingested and not any(f.skipped == "already ingested" for f in summary.files):
        raise click.ClickException("nothing could be read from the given paths "
                                   "(see the table above for what was skipped and why)")
    click.echo("store: " + ", ".join(f"{k}={v}" for k, v in counts.items() if v))


@main.command()
@store_option
def counts(store_uri):
    """Print the number of nodes and edges of each kind in the store."""
    with open_store(store_uri, read_only=store_uri.startswith("embedded:")) as store:
        for kind, n in store.counts().items():
            click.echo(f"{kind:18} {n:>10,}")


def _load_commands() -> None:
    """Commands that live beside their feature register themselves on ``main``."""
    import importlib

    for module in ("graphinv.commands",):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


_load_commands()

if __name__ == "__main__":  # pragma: no cover
    # Run the module-level group so that commands registered by graphinv.commands
    # (which import graphinv.cli, not __main__) are there.
    from graphinv.cli import main as _main
    _main()
