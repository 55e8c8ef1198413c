"""The `graphinv` group and what every command shares; commands import it, never the CLI
module. Library errors become one line and exit status 1 here, and only here."""

from __future__ import annotations

import click

from .. import __version__
from ..errors import GraphinvError
from ..store import default_store_uri


class Group(click.Group):
    """Turns GraphinvError into a one-line message instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except GraphinvError as exc:
            raise click.ClickException(str(exc)) from None


def store_option(fn):
    return click.option("--store", "store_uri", default=default_store_uri,
                        show_default="$GRAPHINV_STORE or embedded:./var/graphinv.lbug",
                        help="embedded:PATH or bolt://HOST:PORT (neo4j://, neo4j+s:// too)")(fn)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="graphinv")
def main():
    """Investigate extremist online networks: reappearing sites and accounts,
    coordinated campaigns, and the evidence for each finding."""
