"""What a piece of text names: the uid of an account, post, site or URL.

Investigators write entities the way they meet them: ``@handle``, a profile URL, a link
to a post, a bare domain, a page URL. :func:`entity_of` turns each into one uid, the
same whether it comes from a CSV table (``collectors/csv_tables.py``), the watchlist
(``graphinv watch add``) or the evidence command:

- an **Account** for a handle (``@x``, or any value without a space and with a
  platform) or a profile URL (``twitter.com/x``, ``x.com/x``, ``t.me/x``,
  ``host/@user`` for Mastodon; the hosts are :mod:`graphinv.vocabulary`'s);
- a **Post** for a tweet URL (``x.com/user/status/123``) or a Telegram post URL
  (``t.me/channel/45``, ``t.me/s/channel/45``);
- a **Site** for a bare domain (platform empty or ``web``) or a home page;
- a **Url** (with its Site) for any other URL.

Every node the uid stands for is registered in a node sink (``collectors.base.Accumulator``
or anything with its ``add``), so the caller writes it with the rest of its records.

>>> class Nodes(dict):
...     def add(self, kind, uid, props, time=None):
...         self[uid] = kind
>>> nodes = Nodes()
>>> [entity_of(v, None, nodes) for v in ("https://x.com/Alice", "https://t.me/s/chan/45", "Example.org")]
['account:twitter:alice', 'post:telegram:chan/45', 'site:example.org']
>>> entity_of("@bob", "telegram", nodes), entity_of("not a handle", "telegram", nodes)
('account:telegram:bob', None)
"""

from __future__ import annotations

from typing import Protocol

from .normalize import canonical_url, normalise_handle, registered_domain
from .records import account_uid, post_uid, site_uid, url_uid
from .vocabulary import platform_of_host

# Paths on a platform's host that are pages of the platform, not profiles.
_NOT_PROFILES = ("search", "home", "explore", "i", "share")


class NodeSink(Protocol):
    """Where resolved nodes are registered (``collectors.base.Accumulator`` is one)."""

    def add(self, kind: str, uid: str, props: dict, time: int | None = None) -> None: ...


def is_urlish(value: str) -> bool:
    """The value is written as a URL (with or without its scheme), not a handle or a domain.

    >>> is_urlish("www.example.org"), is_urlish("example.org/page"), is_urlish("example.org")
    (True, True, False)
    """
    low = value.lower()
    if "://" in low or low.startswith("www."):
        return True
    return "/" in low and "." in low.split("/", 1)[0] and " " not in low


def _is_domain(value: str) -> bool:
    if " " in value or "@" in value or "/" in value or "." not in value:
        return False
    return registered_domain(value) is not None


def entity_of(value: str, platform: str | None, acc: NodeSink) -> str | None:
    """The uid of what ``value`` names (see the module docstring), registered in ``acc``;
    None for an empty value, an unusable URL or a "handle" with a space in it."""
    value = value.strip()
    if not value:
        return None
    if is_urlish(value) or (not platform or platform == "web") and _is_domain(value):
        canon = canonical_url(value)
        if canon is None:
            return None
        rest = canon.split("://", 1)[1]
        host, _, path = rest.partition("/")
        path = path.split("?", 1)[0]
        parts = [p for p in path.split("/") if p]
        service = platform_of_host(host)
        if service == "twitter" and len(parts) >= 3 and parts[1] == "status" and parts[2].isdigit():
            uid = post_uid("twitter", parts[2])
            acc.add("Post", uid, {"platform": "twitter", "post_id": parts[2], "url": canon})
            return uid
        if service == "telegram" and parts and parts[0] == "s":
            parts = parts[1:]
        if service == "telegram" and len(parts) == 2 and parts[1].isdigit():
            pid = f"{parts[0].lower()}/{parts[1]}"
            uid = post_uid("telegram", pid)
            acc.add("Post", uid, {"platform": "telegram", "post_id": pid, "url": canon})
            return uid
        if service and len(parts) == 1 and parts[0] not in _NOT_PROFILES:
            return account_of(acc, service, parts[0])
        if service is None and len(parts) == 1 and parts[0].startswith("@"):
            return account_of(acc, "mastodon", f"{parts[0].lstrip('@')}@{host}")
        if not parts and "?" not in canon:
            domain = registered_domain(canon)
            if domain is None:
                return None
            uid = site_uid(domain)
            acc.add("Site", uid, {"domain": domain})
            return uid
        return url_records(acc, value)
    if " " in value:
        return None
    return account_of(acc, platform or "unknown", value)


def account_of(acc: NodeSink, platform: str, handle: str) -> str:
    """The Account uid of ``handle`` on ``platform``, registered in ``acc``."""
    uid = account_uid(platform, handle)
    acc.add("Account", uid, {"platform": platform.strip().lower(), "handle": normalise_handle(handle)})
    return uid


def account_ref(value: str, platform: str | None, acc: NodeSink) -> str | None:
    """An account written as ``platform:handle``, a profile URL or ``@handle``; None when
    ``value`` is empty or a URL of something other than an account.

    >>> class Nodes(dict):
    ...     def add(self, kind, uid, props, time=None):
    ...         self[uid] = kind
    >>> account_ref("telegram:Chan", None, Nodes()), account_ref("https://example.org/a", None, Nodes())
    ('account:telegram:chan', None)
    """
    value = value.strip()
    if not value:
        return None
    if is_urlish(value):
        uid = entity_of(value, platform, acc)
        return uid if uid and uid.startswith("account:") else None
    if ":" in value:
        service, handle = value.split(":", 1)
        return account_of(acc, service, handle)
    return account_of(acc, platform or "unknown", value)


def url_records(acc: NodeSink, raw: str, expansions: dict | None = None, time: int | None = None) -> str | None:
    """Register a Url (and its Site) in ``acc``; its uid, or None when ``raw`` is not a
    usable URL. The ``Url -ON_SITE-> Site`` edge is given by ``collectors.base.site_edges``
    when the accumulator is drained.
    """
    canon = canonical_url(raw, expansions)
    if canon is None:
        return None
    uid = url_uid(canon)
    domain = registered_domain(canon)
    acc.add("Url", uid, {"url": canon, "domain": domain, "original": raw.strip()}, time)
    if domain is not None:
        acc.add("Site", site_uid(domain), {"domain": domain}, time)
    return uid
