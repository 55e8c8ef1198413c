"""The 48-hour ledger: for each noticed item, the notice, every check after it and when
it was first seen removed; per platform and recipient, how many were removed in time.

A report is in the ledger once a notice named it (``Report.noticed_at``, written by
``graphinv notice``, :mod:`graphinv.export.notice`): its clock starts at the first
notice. Its checks are the Observations of the reported entity at or after that time,
other than what a page capture itself says (``warc``/``html`` sources) or a fetch that got
no answer: the re-checks of ``graphinv watch run`` (``--due`` keeps their cadence around
the 24 h and 48 h marks, :data:`graphinv.capture.watch.DUE_HOURS`), each with its WARC
record, and observation tables (a bailiff's findings). A 200 page that says the item is
gone (X's "This Post was deleted by the Post author", a t.me card without its message)
is a removal (``removal_notices`` in ``graphinv/vocabulary.yaml``).

Removed at: the first check that says it is gone (:func:`graphinv.vocabulary.is_gone`),
through :func:`graphinv.analysis.takedown.removals` with the notice as the clock.
Outcome of each item:

=================== =================================================================
removed_48h         first seen gone at most ``hours`` (48) after the notice
removed_later       first seen gone after that (``last_up_at``: the last check that
                    still saw it, which bounds when it went)
still_up            never seen gone; seen up after the notice
not_checked         no check after the notice, or only failed ones (unreachable)
=================== =================================================================

>>> reports = pd.DataFrame({"report": ["r1", "r2", "r3", "r4"], "report_id": ["1", "2", "3", "4"],
...     "entity": ["a", "b", "c", "d"], "url": ["https://x.com/u/status/1", "https://x.com/u/status/2",
...     "https://t.me/c/3", "https://t.me/c/4"], "noticed_at": [0, 0, 0, 0],
...     "recipient": ["twitter"] * 2 + ["telegram"] * 2, "notice": ["n1"] * 4})
>>> checks = pd.DataFrame({"entity": ["a", "b", "b", "c"], "observed_at": [30 * 3600, 47 * 3600, 49 * 3600, 3600],
...     "status": ["deleted", "active", "suspended", "active"], "http_status": [200, 200, 200, 200]})
>>> items = exhibit(reports, checks)
>>> items[["report_id", "outcome", "hours_to_removal"]].values.tolist()
[['3', 'still_up', nan], ['4', 'not_checked', nan], ['1', 'removed_48h', 30.0], ['2', 'removed_later', 49.0]]
>>> [row.summary for row in compliance(items).itertuples()]
['0 of 2 removed within 48 h, 0 later, 1 still up, 1 not checked', '1 of 2 removed within 48 h, 1 later, 0 still up']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..timefmt import iso
from ..vocabulary import DOWN_STATUSES
from .takedown import removals

OUTCOMES = ("removed_48h", "removed_later", "still_up", "not_checked")
NOT_CHECKS = ("warc", "html", "fetch")  # what a capture says of itself, not a re-check
EXHIBIT_COLUMNS = ("report_id", "url", "platform", "recipient", "notice", "noticed_at", "category", "checks",
                   "n_checks", "last_up_at", "removed_at", "hours_to_removal", "removal_status", "removal_evidence",
                   "outcome")
CHECK_COLUMNS = ("report_id", "url", "platform", "recipient", "noticed_at", "observed_at", "hours_after_notice",
                 "status", "http_status", "detail", "source", "warc_file", "warc_offset", "content_sha256")


@dataclass(frozen=True)
class LedgerParams:
    """The deadline, in hours after the notice."""

    hours: float = 48


_NOTICED = ("MATCH (r:Report)-[:REPORTED]->(e) WHERE r.noticed_at IS NOT NULL "
            "RETURN r.uid AS report, r.report_id AS report_id, r.url AS url, e.uid AS entity, "
            "r.reported_to AS reported_to, r.platform AS stated_platform, r.noticed_at AS noticed_at, "
            "r.category AS category")
_NOTICES = ("MATCH (n:Notice)-[:NOTICE_OF]->(r:Report) "
            "RETURN r.uid AS report, n.uid AS notice, n.recipient AS recipient, n.written_at AS written_at")
_CHECKS = ("MATCH (o:Observation)-[:OBSERVED]->(e) WHERE e.uid IN $entities "
           "RETURN DISTINCT e.uid AS entity, o.uid AS check, o.observed_at AS observed_at, o.status AS status, "
           "o.http_status AS http_status, o.detail AS detail, o.source AS source, o.warc_file AS warc_file, "
           "o.warc_offset AS warc_offset, o.content_sha256 AS content_sha256")


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def read(store, params: LedgerParams | None = None) -> dict:
    """The noticed reports (with their first notice and its recipient) and the checks of
    their entities: ``{"reports": …, "checks": …}``."""
    reports = store.query(_NOTICED)
    if reports.empty:
        return {"reports": _empty(["report", "report_id", "url", "entity", "noticed_at", "recipient", "notice",
                                   "category", "stated_platform"]),
                "checks": _empty(["entity", "observed_at", "status", "http_status"])}
    notices = store.query(_NOTICES)
    if not notices.empty:
        first = notices.sort_values(["written_at", "notice"], kind="stable").drop_duplicates("report")
        reports = reports.merge(first[["report", "notice", "recipient"]], on="report", how="left")
    else:
        reports = reports.assign(notice=None, recipient=None)
    # A notice recorded without its Notice node (another tool's): the report's own recipient.
    reports["recipient"] = reports["recipient"].where(reports["recipient"].notna(), reports["reported_to"])
    checks = store.query(_CHECKS, {"entities": sorted(set(reports["entity"]))})
    if checks.empty:
        checks = _empty(["entity", "check", "observed_at", "status", "http_status", "detail", "source"])
    return {"reports": reports, "checks": checks}


def _checks_after(reports: pd.DataFrame, checks: pd.DataFrame) -> pd.DataFrame:
    """Each report's checks at or after its notice, in time order."""
    if checks.empty or reports.empty:
        return _empty(["report", "entity", "observed_at", "status", "http_status"])
    checks = checks[~checks.get("source", pd.Series(index=checks.index, dtype=object)).isin(NOT_CHECKS)]
    joined = reports[["report", "entity", "noticed_at"]].merge(checks, on="entity")
    joined = joined[pd.to_numeric(joined["observed_at"]) >= pd.to_numeric(joined["noticed_at"])]
    return joined.sort_values(["report", "observed_at"], kind="stable").reset_index(drop=True)


def _check_text(row: dict, noticed_at) -> str:
    hours = (row["observed_at"] - noticed_at) / 3600
    code = f" {int(row['http_status'])}" if row.get("http_status") == row.get("http_status") \
        and row.get("http_status") is not None else ""
    detail = f" ({row['detail']})" if isinstance(row.get("detail"), str) and row["detail"] else ""
    return f"{iso(row['observed_at'])} +{hours:.1f} h {row['status']}{code}{detail}"


def _evidence(row: dict) -> str:
    warc = row.get("warc_file")
    if not isinstance(warc, str) or not warc:
        return str(row.get("source") or "")
    where = f"{warc.rsplit('/', 1)[-1]}@{int(row['warc_offset'])}" if row.get("warc_offset") == row.get(
        "warc_offset") and row.get("warc_offset") is not None else warc.rsplit("/", 1)[-1]
    sha = row.get("content_sha256")
    return where + (f" sha256 {sha}" if isinstance(sha, str) and sha else "")


def exhibit(reports: pd.DataFrame, checks: pd.DataFrame, hours: float = 48) -> pd.DataFrame:
    """The per-item exhibit (columns ``EXHIBIT_COLUMNS``, times as epoch seconds): the
    notice, every check after it, when it was first seen gone and the outcome; pure."""
    if reports.empty:
        return _empty(EXHIBIT_COLUMNS)
    after = _checks_after(reports, checks)
    clock = reports.assign(reported_at=reports["noticed_at"],
                           reported_to=reports["recipient"],
                           platform=reports.get("stated_platform"))
    gone = removals(clock[["report", "entity", "url", "reported_at", "reported_to", "platform"]],
                    after[["entity", "observed_at", "status", "http_status"]] if not after.empty
                    else _empty(["entity", "observed_at", "status", "http_status"]))
    by_report: dict[str, list[dict]] = {}
    for check in after.to_dict("records"):  # one pass (a frame per group costs ms each)
        by_report.setdefault(check["report"], []).append(check)
    rows = []
    for item, removal in zip(reports.to_dict("records"), gone.to_dict("records")):
        seen = by_report.get(item["report"], [])
        noticed = item["noticed_at"]
        removed_at = removal["removed_at"]
        removed = removed_at == removed_at and removed_at is not None
        first_gone = next((c for c in seen if c["observed_at"] == removed_at), None) if removed else None
        up = [c["observed_at"] for c in seen if c["status"] not in DOWN_STATUSES
              and (not removed or c["observed_at"] < removed_at)]
        if removed:
            outcome = "removed_48h" if removal["hours"] <= hours else "removed_later"
        elif any(c["status"] not in DOWN_STATUSES for c in seen):
            outcome = "still_up"
        else:
            outcome = "not_checked"
        rows.append({
            "report_id": item.get("report_id") or item["report"], "url": item["url"], "platform": removal["platform"],
            "recipient": item.get("recipient") or removal["platform"], "notice": item.get("notice"),
            "noticed_at": noticed, "category": item.get("category"),
            "checks": " | ".join(_check_text(c, noticed) for c in seen), "n_checks": len(seen),
            "last_up_at": max(up) if up else np.nan, "removed_at": removed_at if removed else np.nan,
            "hours_to_removal": round(float(removal["hours"]), 1) if removed else np.nan,
            "removal_status": first_gone["status"] if first_gone else None,
            "removal_evidence": _evidence(first_gone) if first_gone else None, "outcome": outcome})
    return pd.DataFrame(rows, columns=list(EXHIBIT_COLUMNS)).sort_values(
        ["platform", "recipient", "noticed_at", "report_id"], kind="stable").reset_index(drop=True)


def checks_table(reports: pd.DataFrame, checks: pd.DataFrame) -> pd.DataFrame:
    """One row per check after a notice (columns ``CHECK_COLUMNS``): the long form of the
    exhibit, each check with its WARC record and the sha256 of what it saw; pure."""
    from .takedown import platform_of_url

    after = _checks_after(reports, checks)
    if after.empty:
        return _empty(CHECK_COLUMNS)
    after = after.merge(reports.drop(columns=["entity", "noticed_at"]), on="report")
    after["platform"] = [platform_of_url(u) for u in after["url"]]
    after["hours_after_notice"] = ((after["observed_at"] - after["noticed_at"]) / 3600).round(1)
    for column in CHECK_COLUMNS:
        if column not in after.columns:
            after[column] = None
    return after[list(CHECK_COLUMNS)]


def compliance(items: pd.DataFrame, by: tuple[str, ...] = ("platform", "recipient"), hours: float = 48) -> pd.DataFrame:
    """Per group of the exhibit: noticed, each outcome's count, the share removed in time,
    the median hours to removal and the sentence a brief quotes; pure."""
    columns = [*by, "noticed", *OUTCOMES, "share_48h", "median_hours", "summary"]
    if items.empty:
        return _empty(columns)
    rows = []
    for key, group in items.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        counts = {o: int((group["outcome"] == o).sum()) for o in OUTCOMES}
        removed = group["hours_to_removal"].dropna()
        summary = (f"{counts['removed_48h']} of {len(group)} removed within {hours:g} h, "
                   f"{counts['removed_later']} later, {counts['still_up']} still up")
        if counts["not_checked"]:
            summary += f", {counts['not_checked']} not checked"
        rows.append({**dict(zip(by, key)), "noticed": len(group), **counts,
                     "share_48h": round(counts["removed_48h"] / len(group), 3),
                     "median_hours": round(float(removed.median()), 1) if len(removed) else np.nan,
                     "summary": summary})
    return pd.DataFrame(rows, columns=columns)


def compute(frames: dict, params: LedgerParams) -> dict:
    """The exhibit, the checks and the compliance table of ``frames`` (from :func:`read`)."""
    items = exhibit(frames["reports"], frames["checks"], params.hours)
    return {"items": items, "checks": checks_table(frames["reports"], frames["checks"]),
            "compliance": compliance(items, hours=params.hours)}


def ledger(store, hours: float = 48) -> dict:
    """:func:`compute` on what :func:`read` finds in ``store``."""
    params = LedgerParams(hours=hours)
    return compute(read(store, params), params)


TIME_COLUMNS = ("noticed_at", "last_up_at", "removed_at", "observed_at")


def with_iso_times(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its times as ISO 8601 UTC (for CSV and the console)."""
    frame = frame.copy()
    for column in TIME_COLUMNS:
        if column in frame.columns:
            frame[column] = [iso(v) for v in frame[column]]
    return frame
