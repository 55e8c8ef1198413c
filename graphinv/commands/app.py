"""`graphinv app`: serve the Dash investigation app over a store (read-only)."""

from __future__ import annotations

import click

from .base import main, store_option


@main.command("app")
@store_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind. Anything but loopback needs GRAPHINV_APP_USER and GRAPHINV_APP_PASSWORD "
                   "(HTTP basic auth).")
@click.option("--port", default=8050, show_default=True, type=int, help="Port to listen on.")
@click.option("--debug", is_flag=True, help="Dash debug mode (reloader, error pop-ups); loopback only.")
def app_command(store_uri, host, port, debug):
    """Serve the investigation app (campaigns, lineages, explorer, Cypher console)."""
    from graphinv.app import LOOPBACK, serve

    if debug and host not in LOOPBACK:
        raise click.ClickException("--debug is for loopback only: it runs code sent from the browser")
    serve(store_uri, host=host, port=port, debug=debug)
