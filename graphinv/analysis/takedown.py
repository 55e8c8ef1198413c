"""Takedown tracking: how fast reported items disappear, per platform and per recipient.

A Report (``reported_at``, ``reported_to``, the reported URL) points at an entity (a
Post, Account, Site or Url) through ``REPORTED``. An item counts as **removed** at the
first Observation of that entity, at or after the report, whose status says it is gone:
``suspended``, ``deleted``, ``not_found`` or ``withheld`` (or an HTTP 404, 410 or 451
recorded without a status): :func:`graphinv.vocabulary.is_gone`. ``active`` and ``error``
(a 5xx) are not removals. Hours to
removal are ``(removed_at - reported_at) / 3600``; "within 48 h" means ``<= 48``.

Platform: from the reported URL, the way an analyst reads it (a host of the
vocabulary's platforms: ``twitter.com``/``x.com`` → twitter, ``t.me`` → telegram, …; a
``/@user/`` path on another host → mastodon, anything else → web),
falling back to the Report's own ``platform`` property when it has no URL.

:func:`compliance` is the pure function (frames in, a table out);
:func:`takedown_compliance` reads the frames from a store. In the analysis registry
(:mod:`graphinv.analysis.registry`) it is a report: :func:`read` and :func:`compute`,
nothing written to the store, so ``graphinv analyze`` does not run it.

>>> reports = pd.DataFrame({"report": ["r1", "r2"], "entity": ["post:a", "post:b"],
...     "url": ["https://twitter.com/x/status/1", "https://t.me/c/2"],
...     "reported_at": [0, 0], "reported_to": ["twitter", "telegram"]})
>>> obs = pd.DataFrame({"entity": ["post:a", "post:b"], "status": ["deleted", "active"],
...     "observed_at": [36 * 3600, 3600], "http_status": [None, None]})
>>> table = compliance(reports, obs, by="platform")
>>> table[["platform", "reported", "removed", "removed_48h", "median_hours"]].values.tolist()
[['telegram', 1, 0, 0, nan], ['twitter', 1, 1, 1, 36.0]]
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from ..vocabulary import gone_mask, platform_of_host

REPORT_COLUMNS = ("report", "entity", "url", "reported_at", "reported_to")
OBSERVATION_COLUMNS = ("entity", "status", "observed_at", "http_status")
TABLE_COLUMNS = ("reported", "removed", "removed_48h", "share_48h", "median_hours")


def platform_of_url(url: str | None, fallback: str | None = None) -> str:
    """The platform a reported URL belongs to.

    >>> platform_of_url("https://x.com/a/status/1"), platform_of_url("https://t.me/s/chan/4")
    ('twitter', 'telegram')
    >>> platform_of_url("https://social.example/@bob/1"), platform_of_url("https://site.example/")
    ('mastodon', 'web')
    """
    if not isinstance(url, str) or not url.strip():
        return fallback or "unknown"
    text = url.strip()
    parts = urlsplit(text if "://" in text else "https://" + text)
    known = platform_of_host(parts.hostname)
    if known:
        return known
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[0].startswith("@") and len(segments[0]) > 1:
        return "mastodon"
    return "web"


def removals(reports: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """One row per report: ``removed_at`` (or NaN) and ``hours`` to removal.

    ``reports`` has columns report, entity, url, reported_at, reported_to (and optionally
    platform); ``observations`` has entity, status, observed_at, http_status.
    """
    out = reports.copy()
    if out.empty:
        return out.assign(platform=pd.Series(dtype=object), removed_at=pd.Series(dtype=float),
                          hours=pd.Series(dtype=float))
    fallback = out["platform"] if "platform" in out.columns else pd.Series([None] * len(out), index=out.index)
    out["platform"] = [platform_of_url(u, f if isinstance(f, str) else None)
                       for u, f in zip(out["url"], fallback)]
    out["reported_to"] = out["reported_to"].fillna("unknown")
    obs = observations.copy()
    if obs.empty:
        out["removed_at"] = np.nan
    else:
        gone = gone_mask(obs["status"], obs.get("http_status"))
        obs = obs[gone & obs["observed_at"].notna()][["entity", "observed_at"]]
        joined = out[["report", "entity", "reported_at"]].merge(obs, on="entity", how="left")
        joined = joined[joined["observed_at"] >= joined["reported_at"]]
        first = joined.groupby("report")["observed_at"].min()
        out["removed_at"] = out["report"].map(first)
    out["hours"] = (out["removed_at"] - out["reported_at"]) / 3600.0
    return out


def compliance(reports: pd.DataFrame, observations: pd.DataFrame, by: str | list[str] = "platform",
               hours: float = 48) -> pd.DataFrame:
    """Per group (``platform``, ``reported_to`` or both): reported, removed, removed within
    ``hours``, their share of the reported, and the median hours to removal (over removed
    items; NaN when none was removed)."""
    keys = [by] if isinstance(by, str) else list(by)
    items = removals(reports, observations)
    if items.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in [*keys, *TABLE_COLUMNS]})
    rows = []
    for key, group in items.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        removed = group["hours"].dropna()
        within = int((removed <= hours).sum())
        rows.append({**dict(zip(keys, key)), "reported": len(group), "removed": len(removed),
                     "removed_48h": within, "share_48h": within / len(group),
                     "median_hours": round(float(removed.median()), 1) if len(removed) else np.nan})
    return pd.DataFrame(rows)


_REPORTS = ("MATCH (r:Report)-[:REPORTED]->(e) RETURN r.uid AS report, e.uid AS entity, r.url AS url, "
            "r.reported_at AS reported_at, r.reported_to AS reported_to, r.platform AS platform")
_OBSERVATIONS = ("MATCH (r:Report)-[:REPORTED]->(e)<-[:OBSERVED]-(o:Observation) "
                 "RETURN DISTINCT e.uid AS entity, o.status AS status, o.observed_at AS observed_at, "
                 "o.http_status AS http_status")


def read_frames(store) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The report and observation frames :func:`compliance` needs, from a store."""
    reports = store.query(_REPORTS)
    observations = store.query(_OBSERVATIONS)
    if reports.empty:
        reports = pd.DataFrame({c: pd.Series(dtype=object) for c in (*REPORT_COLUMNS, "platform")})
    if observations.empty:
        observations = pd.DataFrame({c: pd.Series(dtype=object) for c in OBSERVATION_COLUMNS})
    return reports, observations


@dataclass(frozen=True)
class TakedownParams:
    """How the compliance table is grouped, and its deadline in hours."""

    by: tuple[str, ...] = ("platform", "reported_to")
    hours: float = 48


def read(store, params: TakedownParams | None = None) -> dict:
    """The frames :func:`compute` needs: ``{"reports": …, "observations": …}``."""
    reports, observations = read_frames(store)
    return {"reports": reports, "observations": observations}


def compute(frames: dict, params: TakedownParams) -> pd.DataFrame:
    """The compliance table of ``frames`` (from :func:`read`); pure."""
    return compliance(frames["reports"], frames["observations"], by=list(params.by), hours=params.hours)


def takedown_compliance(store, by: str | list[str] = ("platform", "reported_to"), hours: float = 48) -> pd.DataFrame:
    """The compliance table of the reports in ``store`` (see :func:`compliance`)."""
    params = TakedownParams(by=(by,) if isinstance(by, str) else tuple(by), hours=hours)
    return compute(read(store, params), params)


def by_platform_summary(table: pd.DataFrame) -> dict[str, dict]:
    """A ``compliance(..., by="platform")`` table as truth.json's ``takedowns.by_platform``."""
    out = {}
    for row in table.itertuples(index=False):
        median = None if pd.isna(row.median_hours) else float(row.median_hours)
        out[row.platform] = {"reported": int(row.reported), "removed": int(row.removed),
                             "removed_48h": int(row.removed_48h), "median_hours": median}
    return out
