"""`graphinv evaluate --truth FILE`: the detectors' precision, recall and F1 from the store."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .base import main, store_option
from ..store import open_store


@main.command()
@click.option("--truth", "truth_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A ground-truth JSON file in the format of data/demo/truth.json.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@store_option
def evaluate(truth_path, fmt, store_uri):
    """Score what the store holds (after `graphinv analyze`) against a truth file."""
    from ..analysis.evaluate import evaluate_store, load_truth, print_evaluation

    load_truth(truth_path)  # a bad file is one clear line before the store is opened
    with open_store(store_uri, read_only=True) as store:
        result = evaluate_store(store, truth_path)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, default=str))
    else:
        print_evaluation(result)
