"""`graphinv case`: the cases of the store from the command line (the app's Cases page
writes the same entries)."""

from __future__ import annotations

import getpass

import click

from ..store import open_store
from .base import main, store_option


def _author(value: str | None) -> str:
    return value or getpass.getuser()


@main.group()
def case():
    """Keep an investigation: pin entities and findings, note, tag, list.

    \b
    graphinv case new "Harassment of J. Doe"
    graphinv case pin "Harassment of J. Doe" campaign:0
    graphinv case tag "Harassment of J. Doe" campaign:0 "false positive" --note "A newsroom's staff"
    graphinv case show "Harassment of J. Doe"
    graphinv export package --case "Harassment of J. Doe" --out case.wacz
    """


_author_option = click.option("--author", help="Who writes it (default: your login name).")


@case.command("list")
@store_option
def list_cases(store_uri):
    """Every case: name, who opened it and when, its entries."""
    from .. import cases
    from ..timefmt import iso

    with open_store(store_uri, read_only=True) as store:
        found = cases.cases(store)
    if found.empty:
        click.echo("no case yet: graphinv case new NAME")
    for row in found.to_dict("records"):
        click.echo(f"{row['name']}\topened {iso(row['created_at'])} by {row['created_by']}\t"
                   f"{int(row['entries'])} entries")


@case.command("new")
@click.argument("name")
@click.option("--description", default="", help="What it is about.")
@_author_option
@store_option
def new_case(name, description, author, store_uri):
    """Open a case named NAME."""
    from .. import cases

    with open_store(store_uri) as store:
        click.echo(cases.create(store, name, author=_author(author), description=description))


def _write(store_uri: str, name: str, entry: str, **fields) -> None:
    from .. import cases

    with open_store(store_uri) as store:
        click.echo(cases.write(store, name, entry, **fields))


@case.command("pin")
@click.argument("name")
@click.argument("about")
@click.option("--unpin", is_flag=True, help="Take it out of the case.")
@_author_option
@store_option
def pin(name, about, unpin, author, store_uri):
    """Pin ABOUT (an entity uid, campaign:N or lineage:…) in the case NAME."""
    _write(store_uri, name, "unpin" if unpin else "pin", about=about, author=_author(author))


@case.command("note")
@click.argument("name")
@click.argument("text")
@click.option("--about", default="", help="The entity or finding the note is about.")
@_author_option
@store_option
def note(name, text, about, author, store_uri):
    """Add a note to the case NAME."""
    _write(store_uri, name, "note", about=about, text=text, author=_author(author))


@case.command("tag")
@click.argument("name")
@click.argument("about")
@click.argument("tag", type=click.Choice(["verified", "to check", "false positive", "none"]))
@click.option("--note", "text", default="", help="Why (written as a note beside the tag).")
@_author_option
@store_option
def tag(name, about, tag, text, author, store_uri):
    """Tag ABOUT in the case NAME (none takes the tag off)."""
    _write(store_uri, name, "tag", about=about, tag="" if tag == "none" else tag, author=_author(author))
    if text:
        _write(store_uri, name, "note", about=about, text=text, author=_author(author))


@case.command("show")
@click.argument("name")
@store_option
def show(name, store_uri):
    """What the case NAME holds now: pins, tags, notes in the order written."""
    from .. import cases
    from ..timefmt import iso

    with open_store(store_uri, read_only=True) as store:
        found = cases.load(store, name)
    click.echo(f"{found.name} (opened {iso(found.created_at)} by {found.created_by})")

    def what(row) -> str:
        now = row["current"]
        if not isinstance(now, str):
            return f"{row['about']} (no longer found by the latest analysis)"
        return now if now == row["about"] else f"{row['about']} (now {now})"

    for title, rows in (("pinned", found.pins), ("tags", found.tags), ("notes", found.notes)):
        click.echo(f"{title}: {len(rows)}")
        for row in rows.to_dict("records"):
            head = f"  {iso(row['written_at'])}  {row['author']}"
            if title == "pinned":
                click.echo(f"{head}  {what(row)}")
            elif title == "tags":
                click.echo(f"{head}  {row['tag']}: {what(row)}")
            else:
                about = f" on {what(row)}" if row["about"] else ""
                click.echo(f"{head}{about}: {row['text']}")
