"""``graphinv collect web``: fetch pages and what they load into one WARC.gz file.

Breadth-first from the seed URLs: each page is fetched with its redirects, and when it
is HTML its images, scripts and stylesheets are fetched too (``max_resources`` per
page), then its links are queued while ``depth`` allows (``same_site``: only links on
the seeds' registered domains). At most ``max_pages`` pages are fetched; a resource or
page is fetched once per crawl. Every hop is a response record; a fetch that got no
response and a redirect loop are also written as graphinv ``metadata`` records, so that the web collector records them
as Observations: nothing that went wrong is left out of the evidence.

>>> import tempfile, pathlib
>>> from graphinv.capture.fetch import FetchPolicy
>>> policy = FetchPolicy(resolve={"*": None})
>>> result = crawl(["http://gone.example/"], pathlib.Path(tempfile.mkdtemp()) / "c.warc.gz", policy, delay=0)
>>> [(p.url, p.outcome["status"]) for p in result.pages]
[('http://gone.example/', 'not_found')]
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from ..normalize import registered_domain
from .fetch import Chain, Fetcher, FetchPolicy, chain_outcome, html_page
from .warc import WarcOut

MAX_PAGES = 50
MAX_RESOURCES = 40
CAPTURES = Path("data") / "captures"


@dataclass
class Fetched:
    """One URL of the crawl and how it went."""

    url: str
    role: str  # "page" or "resource"
    outcome: dict
    bytes: int = 0
    mime: str = ""
    offset: int | None = None


@dataclass
class CrawlResult:
    path: Path
    sha256: str
    pages: list[Fetched] = field(default_factory=list)
    resources: list[Fetched] = field(default_factory=list)
    contacted: list[tuple[str, int, str]] = field(default_factory=list)
    records: int = 0


def capture_name(kind: str, seeds: list[str], now: datetime | None = None) -> str:
    """A dated file name that says what was captured.

    >>> capture_name("web", ["https://Old-Site.example/a"], datetime(2026, 5, 1, 12, tzinfo=timezone.utc))
    'web-20260501T120000Z-old-site.example.warc.gz'
    """
    now = now or datetime.now(timezone.utc)
    first = registered_domain(seeds[0]) if seeds else None
    slug = re.sub(r"[^a-z0-9.]+", "-", (first or "capture").lower()).strip("-")[:60] or "capture"
    more = f"-and-{len(seeds) - 1}" if len(seeds) > 1 else ""
    return f"{kind}-{now:%Y%m%dT%H%M%S}Z-{slug}{more}.warc.gz"


def write_chain(out: WarcOut, chain: Chain, fields: dict | None = None,
                always: bool = False) -> tuple[dict, int | None]:
    """Write a chain's hops, and a metadata record when the hops alone do not say what
    happened (no response, a loop) or ``always``; (outcome, offset of the last response)."""
    outcome = chain_outcome(chain)
    offset, record_id = None, None
    for hop in chain.hops:
        hop_offset, hop_id = out.exchange(hop)
        if hop_offset is not None:
            offset, record_id = hop_offset, hop_id
    final = chain.final
    if always or outcome["status"] in ("unreachable", "error") or (final is not None and not final.ok):
        moment = final.started if final is not None else datetime.now(timezone.utc)
        out.metadata(chain.url, moment, {
            "outcome": outcome["status"], "http-status": outcome["http_status"],
            "final-url": outcome["final_url"], "redirects": " ".join(outcome["redirects"]),
            "detail": outcome["detail"], "response-record": record_id, **(fields or {})},
            concurrent_to=record_id)
    return outcome, offset


def crawl(seeds: list[str], path: Path, policy: FetchPolicy | None = None, *, depth: int = 0,
          same_site: bool = False, max_pages: int = MAX_PAGES, max_resources: int = MAX_RESOURCES,
          delay: float = 1.0, on_fetch: Callable[[Fetched], None] | None = None) -> CrawlResult:
    """Fetch ``seeds`` (and, up to ``depth`` links away, the pages they link to) into
    the WARC.gz at ``path``; see the module docstring."""
    policy = policy or FetchPolicy()
    domains = {registered_domain(s) for s in seeds} - {None}
    out = WarcOut(path, description=f"graphinv collect web: {' '.join(seeds)[:2000]}",
                  user_agent=policy.user_agent,
                  extra_info={"graphinv-crawl": f"depth={depth} same_site={same_site} max_pages={max_pages}"})
    result = CrawlResult(path=path, sha256="")
    queue: deque[tuple[str, int]] = deque((s, 0) for s in seeds)
    seen: set[str] = set(seeds)
    def fetch(url: str, role: str) -> Chain:
        chain = fetcher.follow(url)
        outcome, offset = write_chain(out, chain)
        final = chain.final
        item = Fetched(url, role, outcome, len(final.body) if final else 0, final.mime if final else "", offset)
        (result.pages if role == "page" else result.resources).append(item)
        if on_fetch:
            on_fetch(item)
        return chain

    try:
        with Fetcher(policy, delay=delay) as fetcher:
            while queue and len(result.pages) < max_pages:
                url, level = queue.popleft()
                final = fetch(url, "page").final
                parsed = html_page(final, policy.max_bytes)[1] if final is not None else None
                if parsed is None:
                    continue
                wanted = [u for u, _, _ in parsed.images if not u.startswith("data:")] + parsed.resources
                fetched_here = 0
                for resource in wanted:
                    if fetched_here >= max_resources:
                        break
                    if resource in seen or not resource.lower().startswith(("http://", "https://")):
                        continue
                    seen.add(resource)
                    fetched_here += 1
                    fetch(resource, "resource")
                if level >= depth:
                    continue
                for link, _ in parsed.links:
                    if not link.lower().startswith(("http://", "https://")):
                        continue
                    link = link.split("#", 1)[0]
                    if link in seen or (same_site and registered_domain(link) not in domains):
                        continue
                    seen.add(link)
                    queue.append((link, level + 1))
            result.contacted = fetcher.contacted
    finally:
        result.records = out.records
        result.path, result.sha256 = out.close()
    return result
