"""Reports in: ``graphinv report add URL`` and the capture step of reports read from tables.

A report is captured when it comes in, so that the evidence exists before anyone asks
for its removal. What it names is resolved as everywhere else
(:func:`graphinv.resolve.entity_of`: a tweet is ``post:twitter:ID``, a t.me message
``post:telegram:chan/N``, a profile an Account, a home page a Site, any other page a
Url), then:

- a Post or Url the store already holds a capture of (a snscrape JSONL line, a WARC
  response, a Telegram export message…) keeps that capture: the latest is linked, and
  nothing is fetched;
- anything else is fetched as ``graphinv collect web`` fetches (the page with its
  redirects and the images, scripts and stylesheets it loads) into one dated WARC.gz
  under ``data/captures/``, which is ingested; the Capture of the page's response record
  is linked.

The link is ``Report.capture`` (a Capture uid); ``graphinv evidence`` and the notices
read the capture time and sha256 from there. A fetch that got no response (timeout,
refused, no such host) leaves the report without a capture and says so; the WARC keeps
the failed attempt.

>>> new_report("https://x.com/someone/status/123", category="threat", note="death threat", reporter="Ana",
...            now=1764806400)[0]["entity"]
'post:twitter:123'
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..normalize import canonical_url, registered_domain
from ..records import capture_uid, kind_of, report_uid
from .crawl import CAPTURES, capture_name, crawl
from .fetch import FetchPolicy

REUSED_KINDS = ("Post", "Url")  # a profile or a site is fetched again: its state is what is reported


@dataclass
class Intake:
    """What happened to one report at intake."""

    report: str
    url: str
    entity: str
    capture: str | None
    how: str  # linked (a capture already in the store), fetched, failed
    detail: str = ""


@dataclass
class IntakeRun:
    items: list[Intake] = field(default_factory=list)
    warc: Path | None = None
    sha256: str | None = None


def new_report(url: str, *, category: str | None = None, note: str | None = None, reporter: str | None = None,
               reported_to: str | None = None, now: int | None = None) -> tuple[dict, list[tuple[str, str, dict]]]:
    """The Report row for a URL reported now, and the entity nodes it names (kind, uid, props)."""
    from collectors.base import Accumulator

    from ..analysis.takedown import platform_of_url
    from ..resolve import entity_of

    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise InputError(f"{url!r} is not an http(s) URL (write it with https://)")
    acc = Accumulator()
    entity = entity_of(url, None, acc)
    if entity is None:
        raise InputError(f"{url!r} is not a usable URL")
    now = int(now if now is not None else time.time())
    platform = platform_of_url(url)
    rid = hashlib.sha1(f"{url}|{now}|{reporter or ''}".encode()).hexdigest()[:16]
    row = {"uid": report_uid(rid), "report_id": rid, "url": canonical_url(url) or url, "entity": entity,
           "reported_at": now, "platform": platform,
           "reported_to": reported_to or (platform if platform != "web" else registered_domain(url)),
           "category": category or None, "note": note or None, "reporter": reporter or None}
    return row, [(node.kind, node.uid, node.props) for node in acc.drain()]


def existing_capture(store, entity: str) -> str | None:
    """The latest capture the store holds of a Post or Url (None for other kinds or none)."""
    from .evidence import evidence

    if kind_of(entity) not in REUSED_KINDS:
        return None
    rows = evidence(store, entity)
    # graphinv's own outcome records (a fetch that got no answer, a watch check) say what
    # happened, not what was there: the bytes are the response records beside them.
    rows = rows[rows["capture"].notna() & ~rows["source"].isin(["fetch", "watch"])]
    if rows.empty:
        return None
    # The post's own capture first: a line that only quotes or reposts it holds it too,
    # but under another post's URL. Then the latest.
    rows = rows.assign(_own=[_names(u, entity) for u in rows["capture_url"]],
                       _item=rows["kind"] == "capture", _t=pd.to_numeric(rows["captured_at"], errors="coerce"))
    rows = rows.sort_values(["_own", "_item", "_t"], kind="stable", na_position="first")
    return str(rows.iloc[-1]["capture"])


def _names(url, entity: str) -> bool:
    """Whether a capture's URL names ``entity`` (x.com and twitter.com spellings alike)."""
    from collectors.base import Accumulator

    from ..resolve import entity_of

    return isinstance(url, str) and entity_of(url, None, Accumulator()) == entity


def add(store, url: str, *, category: str | None = None, note: str | None = None, reporter: str | None = None,
        reported_to: str | None = None, policy: FetchPolicy | None = None, out_dir: Path = CAPTURES,
        delay: float = 1.0, now: int | None = None, writing=None) -> IntakeRun:
    """Record a report of ``url`` and capture it (see the module docstring). ``writing``:
    the context the writes run in (the app's ``store.writable``: the fetch happens
    before, while the store stays readable)."""
    row, nodes = new_report(url, category=category, note=note, reporter=reporter, reported_to=reported_to, now=now)
    pending = {"report": row["uid"], "url": row["url"], "entity": row["entity"], "fetch": url.strip()}
    return _capture(store, [pending], policy=policy, out_dir=out_dir, delay=delay, writing=writing,
                    new=(row, nodes))


def _write_report(store, row: dict, nodes: list[tuple[str, str, dict]]) -> None:
    by_kind: dict[str, list[dict]] = {}
    for kind, uid, props in nodes:
        by_kind.setdefault(kind, []).append({"uid": uid, **props})
    for kind, rows in by_kind.items():
        store.upsert_nodes(kind, pd.DataFrame(rows))
    store.upsert_nodes("Report", pd.DataFrame([{**row, "first_seen": row["reported_at"],
                                                "last_seen": row["reported_at"]}]))
    store.upsert_edges("REPORTED", pd.DataFrame([{"src": row["uid"], "dst": row["entity"],
                                                  "time": row["reported_at"]}]))


def _uncaptured(store, uids: list[str] | None) -> pd.DataFrame:
    where = "r.uid IN $uids" if uids is not None else "r.capture IS NULL"
    found = store.query(f"MATCH (r:Report)-[:REPORTED]->(e) WHERE {where} "
                        "RETURN r.uid AS report, r.url AS url, e.uid AS entity, e.original AS original "
                        "ORDER BY report", {"uids": uids} if uids is not None else None)
    return found if not found.empty else pd.DataFrame(columns=["report", "url", "entity", "original"])


def capture_reports(store, uids: list[str] | None = None, *, policy: FetchPolicy | None = None,
                    out_dir: Path = CAPTURES, delay: float = 1.0, on_fetch=None) -> IntakeRun:
    """Capture reports: these ``uids``, or every report without a capture (the ones read
    from a table). One WARC.gz for all the fetches of the call."""
    pending = []
    for row in _uncaptured(store, uids).to_dict("records"):
        # Fetch the URL as read (the stored one is canonical: https, no www.), else as stored.
        original = row.get("original") if isinstance(row.get("original"), str) else None
        pending.append({**row, "fetch": original or row["url"]})
    return _capture(store, pending, policy=policy, out_dir=out_dir, delay=delay, on_fetch=on_fetch)


def _capture(store, pending: list[dict], *, policy: FetchPolicy | None, out_dir: Path, delay: float,
             on_fetch=None, writing=None, new: tuple[dict, list] | None = None) -> IntakeRun:
    """Link or fetch the captures of ``pending`` reports (report, url, entity, fetch);
    reads and fetches first, then every write inside ``writing()``."""
    from ..ingest import ingest_paths

    result = IntakeRun()
    to_fetch: dict[str, list[dict]] = {}
    for row in pending:
        capture = existing_capture(store, row["entity"])
        if capture:
            result.items.append(Intake(row["report"], row["url"], row["entity"], capture, "linked"))
        else:
            to_fetch.setdefault(row["fetch"], []).append(row)
    crawled = None
    if to_fetch:
        seeds = list(to_fetch)
        path = Path(out_dir) / capture_name("report", seeds)
        crawled = crawl(seeds, path, policy or FetchPolicy(), depth=0, max_pages=len(seeds), delay=delay,
                        on_fetch=on_fetch)
        result.warc, result.sha256 = crawled.path, crawled.sha256
    with (writing or contextlib.nullcontext)():
        if new is not None:
            _write_report(store, *new)
        if crawled is not None:
            ingest_paths(store, [crawled.path])
            pages = {p.url: p for p in crawled.pages}
            for fetch, rows in to_fetch.items():
                page = pages.get(fetch)
                capture = capture_uid(crawled.sha256, page.offset) if page is not None and page.offset is not None \
                    else None
                if capture and store.query("MATCH (c:Capture) WHERE c.uid = $uid RETURN c.uid AS uid",
                                           {"uid": capture}).empty:
                    capture = None
                detail = "" if capture else \
                    (page.outcome.get("detail") or page.outcome["status"]) if page else "not fetched"
                for row in rows:
                    result.items.append(Intake(row["report"], row["url"], row["entity"], capture,
                                               "fetched" if capture else "failed", detail))
        found = [{"uid": i.report, "capture": i.capture} for i in result.items if i.capture]
        if found:
            store.upsert_nodes("Report", pd.DataFrame(found))
    return result
