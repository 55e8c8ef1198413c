"""`graphinv watch add|list|remove|run` and `graphinv evidence ENTITY`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .base import main, store_option
from ..errors import InputError
from ..store import open_store
from .collect import CAPTURES, _Ticker, fetch_options, policy_from, read_list
from .query_export import FORMATS, render

CHANGED_EXIT = 3


def _every_finding(store_uri: str, verify: bool, fmt: str) -> None:
    """One line per finding: its captures, and with ``verify`` how many still hold."""
    import pandas as pd

    from ..capture.evidence import finding_captures, findings, store_folders, verify_capture

    rows = []
    with open_store(store_uri, read_only=True) as store:
        folders = store_folders(store)
        for finding in findings(store):
            captures = finding_captures(store, finding)
            row = {"finding": finding["finding"], "name": finding["name"], "captures": len(captures),
                   "time unknown": int((captures["time_source"] == "unknown").sum()) if len(captures) else 0}
            if verify:
                results = [verify_capture(c, folders) for c in captures.to_dict("records")]
                row["ok"] = results.count("ok")
                row["failed"] = ", ".join(f"{c['source_file']}@{c['offset']}: {r}"
                                          for c, r in zip(captures.to_dict("records"), results) if r != "ok")[:300]
            rows.append(row)
    if not rows:
        raise InputError("no findings in the store: run `graphinv analyze` first")
    frame = pd.DataFrame(rows)
    click.echo(render(frame, fmt))
    if verify and (frame["failed"] != "").any():
        raise InputError("some evidence no longer matches its captured bytes (see the failed column)")
    if verify:
        click.echo(f"all {int(frame['ok'].sum()):,} captures behind {len(frame)} findings hold", err=True)


def _where(row: dict) -> str:
    """A capture's place: ``file:line`` for a line, ``file@offset`` for a record."""
    source = row.get("source_file") if isinstance(row.get("source_file"), str) else row.get("warc_file")
    if not isinstance(source, str):
        return "-"
    line, offset = row.get("line"), row.get("offset") if row.get("offset") == row.get("offset") else None
    if line is not None and line == line:
        return f"{Path(source).name}:{int(line)}"
    if offset is None:
        offset = row.get("warc_offset")
    return f"{Path(source).name}@{int(offset)}" if offset is not None and offset == offset else Path(source).name


def _iso(value) -> str:
    from ..export.common import iso  # not at import: every graphinv command loads this module

    return iso(value) or "-"


@main.group()
def watch():
    """Keep a watchlist of sites and accounts and re-check it (e.g. daily from cron).

    \b
    graphinv watch add https://old-site.example/ https://t.me/somechannel
    graphinv watch run          # exit 0: nothing changed, 3: something changed
    graphinv watch list
    """


@watch.command("add")
@click.argument("entities", nargs=-1)
@click.option("--from", "from_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A file of URLs, domains or uids, one per line (# starts a comment).")
@click.option("--note", default="", help="Why it is watched (kept with the entry).")
@store_option
def watch_add(entities, from_file, note, store_uri):
    """Watch sites and accounts: URLs, bare domains or uids (site:…, account:…)."""
    from ..capture import watch as watchlist

    entities = list(entities) + read_list(from_file)
    if not entities:
        raise InputError("give URLs, domains or uids to watch, or --from FILE")
    with open_store(store_uri) as store:
        rows = watchlist.add(store, list(entities), note=note)
    for row in rows:
        click.echo(f"watching {row['entity']}  ({row['url']})")


@watch.command("remove")
@click.argument("entities", nargs=-1, required=True)
@store_option
def watch_remove(entities, store_uri):
    """Stop watching (the history of checks stays in the store)."""
    from ..capture import watch as watchlist

    with open_store(store_uri) as store:
        for uid in watchlist.remove(store, list(entities)):
            click.echo(f"no longer watching {uid[len('watch:'):]}")


@watch.command("list")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@store_option
def watch_list(fmt, store_uri):
    """The watchlist with the last check of each entry."""
    from .. import queries

    with open_store(store_uri, read_only=True) as store:
        frame = queries.run(store, "watchlist")
    if frame.empty and fmt == "table":
        click.echo("the watchlist is empty: graphinv watch add URL…")
        return
    if fmt == "table":
        for col in ("added_at", "last_checked"):
            if col in frame.columns:
                frame[col] = [_iso(v) for v in frame[col]]
        shown = ["entity", "url", "last_checked", "last_status", "last_change", "last_http_status",
                 "last_final_url", "checks", "successor", "note", "active", "added_at"]
        if "active" in frame.columns:
            frame["active"] = ["no" if v is False or v == 0 else "yes" for v in frame["active"]]
        frame = frame[[c for c in shown if c in frame.columns]].astype(object).where(frame.notna(), "-")
    click.echo(render(frame, fmt))


@watch.command("run")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=CAPTURES, show_default=True)
@click.option("--changes-only", is_flag=True, help="List only the entries that changed (quiet cron mail).")
@click.option("--no-follow", is_flag=True, help="Do not add the sites that watched ones moved to.")
@click.option("--due", is_flag=True, help="Only the noticed items whose next ledger check is due (0, 23, 25, 47, "
              "49, 72 and 168 h after their first notice; run it hourly from cron). Nothing due: exit 0.")
@fetch_options
@store_option
def watch_run(out_dir, changes_only, no_follow, due, delay, timeout, deadline, max_bytes, user_agent, resolve,
              allow_networks, store_uri):
    """Re-check every watched entry once: HTTP status, final URL, content fingerprint.

    Each check is written to a dated WARC.gz under data/captures/ and becomes an
    Observation. Exit status: 0 nothing changed, 3 something changed (taken down, moved,
    back, content changed, unreachable), 1 the run failed.
    """
    from ..capture import watch as watchlist

    policy = policy_from(timeout, deadline, max_bytes, user_agent, resolve, allow_networks)
    with open_store(store_uri) as store, _Ticker("checked") as ticker:
        only = set(watchlist.due(store)) if due else None
        if only is not None and not only:
            click.echo("no ledger check is due")
            return
        result = watchlist.run(store, policy, out_dir=out_dir, delay=delay, only=only,
                               on_check=lambda c: ticker.tick(c.url), follow_successors=not no_follow)
    checks = result.changed if changes_only else result.checks
    if checks:
        click.echo(f"{'entity':40} {'status':11} {'http':>4}  {'change':15} where")
        for c in checks:
            where = c.final_url if c.status == "moved" else (c.detail or c.url)
            click.echo(f"{c.entity[:40]:40} {c.status:11} {str(c.http_status or '-'):>4}  {c.change:15} {where}")
    for uid in result.added:
        click.echo(f"now watching {uid} as well (a watched entry moved there)")
    counts: dict[str, int] = {}
    for c in result.checks:
        counts[c.change] = counts.get(c.change, 0) + 1
    click.echo(f"checked {len(result.checks)}: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
               + f"; evidence in {result.path} (sha256 {result.sha256})")
    if result.changed:
        sys.exit(CHANGED_EXIT)


@main.command()
@click.argument("entity", required=False)
@click.option("--all", "every", is_flag=True, help="Every finding in the store (campaigns, lineages, "
              "impersonations, takedowns), one line each.")
@click.option("--verify", is_flag=True, help="Cut each capture's bytes out of its file again and check their sha256.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@store_option
def evidence(entity, every, verify, fmt, store_uri):
    """The captures behind ENTITY: a URL, domain or uid (site:, account:, post:, url:),
    or a campaign uid (campaign:0: its members' co-actions, each with the capture it was
    read from). Per capture: when it was captured (as the capture itself says), the file
    and where in it (line or offset), and the sha256 of those bytes. With --all: every
    finding and how many of its captures there are (and verify)."""
    from ..capture.evidence import (campaign_coactions, capture_rows, entity_uid, evidence as rows_of,
                                    store_folders, verify_row)

    if every == bool(entity):
        raise InputError("name one ENTITY, or give --all for every finding")
    if every:
        _every_finding(store_uri, verify, fmt)
        return
    with open_store(store_uri, read_only=True) as store:
        if entity.strip().startswith("campaign:"):
            uid = entity.strip()
            acts = campaign_coactions(store, uid)
            frame = acts.merge(capture_rows(store, acts["capture"].dropna().unique().tolist()),
                               on="capture", how="left")
            shown = ["time", "seconds_after_first", "handle", "modality", "shown"]
        else:
            uid = entity_uid(store, entity)
            frame = rows_of(store, uid)
            shown = ["time", "kind", "url", "http_status", "status", "change"]
        folders = store_folders(store)
    if frame.empty:
        raise InputError(f"no captures or observations of {uid} in the store")
    if verify:
        frame["verified"] = [verify_row(row, folders) for row in frame.to_dict("records")]
    if fmt == "table":
        frame = frame.copy()
        frame["time"] = [_iso(v) for v in frame["time"]]
        if "http_status" in frame:
            frame["http_status"] = [str(int(v)) if v == v and v is not None else "-" for v in frame["http_status"]]
        frame["captured"] = [f"{_iso(t)} ({s})" if s and s != "unknown" else "unknown" if isinstance(s, str) else "-"
                             for t, s in zip(frame["captured_at"], frame["time_source"])]
        frame["where"] = [_where(row) for row in frame.to_dict("records")]
        frame["sha256"] = [s[:16] + "…" if isinstance(s, str) and s else "-" for s in frame["bytes_sha256"]]
        frame = frame[shown + ["captured", "where", "sha256"] + (["verified"] if verify else [])].fillna("-")
    click.echo(render(frame, fmt))
    if verify and any(v in ("changed", "missing", "no record") for v in frame["verified"]):
        raise InputError("some evidence no longer matches the store (see the verified column)")
