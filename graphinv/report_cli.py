"""Terminal tables for command results (rich when on a terminal, plain in pipes)."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from .normalize import printable


def print_ingest_summary(summary) -> None:
    """One row per collector: files, items, nodes, edges and rejects by reason."""
    table = Table(title="Ingest summary", show_lines=False)
    for col in ("collector", "files", "items", "nodes", "edges", "rejects by reason"):
        table.add_column(col, justify="left" if col in ("collector", "rejects by reason") else "right")
    for name, row in summary.by_collector().items():
        rejects = ", ".join(f"{reason}: {n}" for reason, n in sorted(row["rejects"].items())) or "-"
        files = f"{row['files']}" + (f" ({row['skipped']} skipped)" if row["skipped"] else "")
        shown = "not read (no collector)" if name == "(none)" else name
        table.add_row(shown, files, f"{row['items']:,}", f"{row['nodes']:,}", f"{row['edges']:,}", rejects)
    unread = len(summary.unread)
    if unread:
        table.caption = (f"{unread} file{'s' if unread > 1 else ''} not read (listed below); "
                         "--strict makes that an error")
    Console(width=140).print(table)
    for f in summary.files:
        if f.skipped and f.skipped != "already ingested":
            click.echo(f"skipped {printable(f.path)}: {f.skipped}")  # a name may hold escape codes
