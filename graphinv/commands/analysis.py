"""`graphinv coordination`, `graphinv analyze` and `graphinv demo`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .base import main, store_option
from ..errors import InputError
from ..store import open_store

ROOT = Path(__file__).resolve().parents[2]


def _window(value: str) -> int | str:
    if value == "auto":
        return value
    try:
        seconds = int(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a number of seconds or 'auto'") from None
    if seconds < 0:
        raise click.BadParameter("the window cannot be negative")
    return seconds


@main.command()
@click.argument("shares")
@click.option("--window", default="60", show_default=True, help="Seconds, or 'auto' (CooRnet's estimate).")
@click.option("--min-participation", default=2, show_default=True, type=int)
@click.option("--edge-weight", default=0.5, show_default=True, type=float,
              help="Quantile above which edges are flagged (weight_threshold).")
@click.option("--fast-window", type=int, help="A narrower window whose pairs are flagged (flag_speed_share).")
@click.option("--semantics", type=click.Choice(["coortweet", "cnt"]), default="coortweet", show_default=True)
@click.option("--loops", is_flag=True, help="cnt semantics: keep self loops.")
@click.option("--columns", multiple=True, metavar="FIELD=COLUMN",
              help="Map account_id/object_id/content_id/timestamp to this table's columns.")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="Where to compute: in this process, or on Apache Spark (same results; SHARES may then be "
                   "Parquet and any Hadoop URI; see docs/scale.md).")
@click.option("--spark-master", metavar="URL",
              help="Spark master, e.g. local[4] or spark://host:7077 (default: spark-submit's, else local[*]).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the edges here: Parquet when it ends .parquet, else CSV (default: print the summary only).")
def coordination(shares, window, min_participation, edge_weight, fast_window, semantics, loops, columns, engine,
                 spark_master, out):
    """Run coordination detection on a share table and print `nodes=N edges=M`."""
    mapping = dict(item.split("=", 1) for item in columns) if columns else None
    if engine == "spark":
        from ..analysis.coordination.spark import run_on_table
        result = run_on_table(shares, _window(window), min_participation, edge_weight, semantics=semantics,
                              columns=mapping, fast_window=fast_window, loops=loops, master=spark_master)
    else:
        from ..analysis.coordination import run_on_table
        result = run_on_table(shares, _window(window), min_participation, edge_weight, semantics=semantics,
                              columns=mapping, fast_window=fast_window, loops=loops)
    if out is not None:
        if out.suffix.lower() == ".parquet":
            result.edges.to_parquet(out, index=False)
        else:
            result.edges.to_csv(out, index=False)
        click.echo(f"edges written to {out}", err=True)
    capped = result.stats.get("capped_objects") or []
    if capped:
        click.echo(f"note: {len(capped)} objects exceeded the pair cap and were skipped", err=True)
    click.echo(result.summary)


@main.command()
@click.option("--window", default="60", show_default=True, help="Coordination window in seconds, or 'auto'.")
@click.option("--min-participation", default=2, show_default=True, type=int)
@click.option("--edge-weight", default=0.5, show_default=True, type=float)
@click.option("--seed", default=0, show_default=True, type=int, help="Leiden seed.")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="Where coordination is computed (spark: the same results on Apache Spark).")
@store_option
def analyze(window, min_participation, edge_weight, seed, engine, store_uri):
    """Run every analysis and replace its previous results in the store."""
    from ..analysis.registry import BY_NAME, analyze_all

    # The options are coordination's; the other analyses run with their defaults.
    params = {"coordination": BY_NAME["coordination"].params(
        window=_window(window), min_participation=min_participation, edge_weight=edge_weight, seed=seed,
        engine=engine)}
    with open_store(store_uri) as store:
        results = analyze_all(store, params, progress=lambda name: click.echo(f"· {name} …", err=True)
                              if sys.stderr.isatty() else None)
    for name, summary in results.items():
        shown = ", ".join(f"{k}={v}" for k, v in summary.items() if not isinstance(v, (dict, list)))
        click.echo(f"{name}: {shown}")


@main.command()
@click.option("--store", "store_uri", default="embedded:./var/demo.lbug", show_default=True)
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the app at the end.")
@click.option("--port", default=8050, show_default=True, type=int)
def demo(store_uri, serve, port):
    """Ingest data/demo into a fresh store, run every analysis, evaluate, serve the app."""
    from ..analysis.registry import analyze_all
    from ..ingest import ingest_paths
    from ..report_cli import print_ingest_summary

    data = ROOT / "data" / "demo"
    if serve:
        from ..app import port_busy, serving_graphinv

        # Rebuilding the store under a running app would pull the data from under it.
        if port_busy("127.0.0.1", port):
            if serving_graphinv("127.0.0.1", port):
                click.echo(f"The demo app already runs at http://127.0.0.1:{port}/: open it there. To rebuild "
                           "the demo, stop it first (Ctrl+C in its terminal).")
                return
            raise InputError(f"port {port} is taken by another program: stop it, or run "
                             f"`graphinv demo --port {port + 1}`")
    with open_store(store_uri) as store:
        store.clear()
        click.echo(f"Ingesting {data} into {store_uri} …")
        # The capture folders only: the scenario's README, generator and truth are not captures.
        captures = [data / name for name in ("snscrape", "telegram", "web", "csv")]
        print_ingest_summary(ingest_paths(store, captures, force=True, progress=sys.stderr.isatty()))
        click.echo("Analysing …")
        for name, summary in analyze_all(store).items():
            shown = ", ".join(f"{k}={v}" for k, v in summary.items() if not isinstance(v, (dict, list)))
            click.echo(f"  {name}: {shown}")
        try:
            from ..analysis.evaluate import evaluate_store, print_evaluation
        except ImportError:
            pass
        else:
            print_evaluation(evaluate_store(store, data / "truth.json"))
    if serve:
        from ..app import serve as serve_app
        click.echo(f"Open http://127.0.0.1:{port}/ in a browser to explore the demo (Ctrl+C stops it).")
        serve_app(store_uri, host="127.0.0.1", port=port)
