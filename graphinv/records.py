"""Normalised records: what collectors yield and what ingest writes to a store.

A collector turns one capture into a stream of :class:`Node`, :class:`Edge` and
:class:`Reject` records. Keys (``uid``) are built only by the functions below, so the
same account seen in a snscrape file and in a CSV becomes one node.

>>> account_uid("Twitter", "@Alice_2")
'account:twitter:alice_2'
>>> Edge("POSTED", account_uid("twitter", "alice"), post_uid("twitter", "1")).uid
'account:twitter:alice>POSTED>post:twitter:1'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The uid prefix names the node kind, so an edge's endpoint kinds follow from its uids.
PREFIX_KIND = {
    "account": "Account",
    "post": "Post",
    "site": "Site",
    "url": "Url",
    "media": "Media",
    "hashtag": "Hashtag",
    "identifier": "Identifier",
    "target": "Target",
    "report": "Report",
    "observation": "Observation",
    "run": "IngestRun",
    "campaign": "Campaign",
    "watch": "Watch",
    "capture": "Capture",
    "case": "CaseFile",
    "note": "Note",
    "takedown": "Notice",
    "banksignal": "BankSignal",
    "decision": "Decision",  # a takedown notice ("not" would be Note's first three letters)
}
KIND_PREFIX = {kind: prefix for prefix, kind in PREFIX_KIND.items()}


def kind_of(uid: str) -> str:
    """The node kind a uid belongs to.

    >>> kind_of("site:example.org")
    'Site'
    """
    prefix = uid.split(":", 1)[0]
    try:
        return PREFIX_KIND[prefix]
    except KeyError:
        raise ValueError(f"uid {uid!r} has no known kind prefix") from None


def _clean(part: Any) -> str:
    return str(part).strip()


def account_uid(platform: str, handle: str) -> str:
    """Accounts are keyed by platform and lowercased handle without a leading ``@``."""
    return f"account:{_clean(platform).lower()}:{_clean(handle).lstrip('@').lower()}"


def post_uid(platform: str, post_id: str) -> str:
    return f"post:{_clean(platform).lower()}:{_clean(post_id)}"


def site_uid(domain: str) -> str:
    return f"site:{_clean(domain).lower()}"


def url_uid(canonical_url: str) -> str:
    return f"url:{_clean(canonical_url)}"


def media_uid(sha256: str) -> str:
    return f"media:{_clean(sha256).lower()}"


def hashtag_uid(tag: str) -> str:
    return f"hashtag:{_clean(tag).lstrip('#').lower()}"


def identifier_uid(id_type: str, value: str) -> str:
    """Tracking and infrastructure IDs, e.g. ``identifier:adsense:pub-123``."""
    return f"identifier:{_clean(id_type).lower()}:{_clean(value)}"


def target_uid(name: str) -> str:
    return f"target:{' '.join(_clean(name).lower().split())}"


def report_uid(report_id: str) -> str:
    return f"report:{_clean(report_id)}"


def notice_uid(notice_id: str) -> str:
    """A takedown notice: ``takedown:twitter-20261203T190000Z``."""
    return f"takedown:{_clean(notice_id)}"


def bank_signal_uid(bank: str, signal_type: str, value: str) -> str:
    """One hash in one bank: the same hash in two banks is two signals (their labels differ).

    >>> bank_signal_uid("GIFCT test", "PDQ", "AB12")
    'banksignal:gifct test:pdq:ab12'
    """
    return f"banksignal:{_clean(bank).lower()}:{_clean(signal_type).lower()}:{_clean(value).lower()}"


def decision_uid(report: str, decided_at: int, decided_by: str) -> str:
    return f"decision:{_clean(report)}@{int(decided_at)}#{_clean(decided_by)}"


def observation_uid(entity_uid: str, observed_at: int, source: str = "") -> str:
    return f"observation:{entity_uid}@{int(observed_at)}" + (f"#{source}" if source else "")


def run_uid(sha256: str, collector: str) -> str:
    """An IngestRun is keyed by the content of its source, so a re-run completes it."""
    return f"run:{collector}:{sha256[:16]}"


def watch_uid(entity_uid: str) -> str:
    """One watchlist entry per entity: ``watch:site:example.org``."""
    return f"watch:{_clean(entity_uid)}"


def capture_uid(source_sha256: str, offset: int) -> str:
    """A capture is keyed by its file's content and its place in it, so re-reading the
    file (or a copy of it) gives the same captures.

    >>> capture_uid("ab" * 32, 120)
    'capture:abababababababab:120'
    """
    return f"capture:{source_sha256[:16]}:{int(offset)}"


def case_uid(name: str) -> str:
    """A case is keyed by its name, spaces and case folded like a Target's.

    >>> case_uid("  Jane  Doe harassment ")
    'case:jane doe harassment'
    """
    return f"case:{' '.join(_clean(name).lower().split())}"


def campaign_uid(index: int | str) -> str:
    return f"campaign:{index}"


@dataclass(slots=True)
class Node:
    """A node to upsert; ``props`` holds only properties declared in the schema."""

    kind: str
    uid: str
    props: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Edge:
    """A directed edge between two uids.

    ``key`` tells apart edges of one kind between the same two nodes that can repeat,
    such as two REPOSTED at different times; leave it empty when the edge cannot.
    """

    kind: str
    src: str
    dst: str
    props: dict[str, Any] = field(default_factory=dict)
    key: str = ""

    @property
    def uid(self) -> str:
        base = f"{self.src}>{self.kind}>{self.dst}"
        return f"{base}#{self.key}" if self.key else base


@dataclass(slots=True)
class Reject:
    """A line or item that could not be read, counted by ``reason`` in the IngestRun."""

    reason: str
    detail: str = ""
    where: str = ""


Record = Node | Edge | Reject
