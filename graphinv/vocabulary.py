"""The shared vocabulary, declared once as data in ``vocabulary.yaml``: the statuses of
an Observation (and which of them mean "gone"), the HTTP code → status map, and the
platforms with their hosts and profile URLs.

It sits at the lowest layer beside records and normalize and imports nothing from
graphinv, so collectors, analyses, queries, the app and exports all read it from here.

>>> GONE_STATUSES
('suspended', 'deleted', 'not_found', 'withheld')
>>> GONE_HTTP
(404, 410, 451)
>>> is_gone("deleted", None), is_gone(None, 451), is_gone("moved", 404), is_gone("error", 503)
(True, True, False, False)
>>> status_of_http(410), status_of_http(302), status_of_http(503), status_of_http(None)
('deleted', 'active', 'error', 'active')
>>> platform_of_host("www.x.com"), platform_of_host("T.me"), platform_of_host("example.org")
('twitter', 'telegram', None)
>>> profile_url("telegram", "chan"), profile_url("mastodon", "bob@social.example")
('https://t.me/chan', 'https://social.example/@bob')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources

import yaml


@dataclass(frozen=True)
class Status:
    """One Observation status (see ``vocabulary.yaml`` for the fields)."""

    name: str
    meaning: str
    gone: bool = False
    failed: bool = False
    colour: str = "#9aa5b1"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Platform:
    """A platform: its hosts (without ``www.``) and its profile URL template."""

    name: str
    hosts: tuple[str, ...]
    profile_url: str


_RAW = yaml.safe_load(resources.files("graphinv").joinpath("vocabulary.yaml").read_text("utf-8"))

STATUSES: dict[str, Status] = {
    name: Status(name, spec["meaning"], bool(spec.get("gone")), bool(spec.get("failed")),
                 spec.get("colour", Status.colour), tuple(spec.get("aliases") or ()))
    for name, spec in _RAW["statuses"].items()
}
GONE_STATUSES: tuple[str, ...] = tuple(s.name for s in STATUSES.values() if s.gone)
# Not serving its own content at a check: taken down, or the check failed.
DOWN_STATUSES: tuple[str, ...] = tuple(s.name for s in STATUSES.values() if s.gone or s.failed)
# Every spelling a table may use for a status (the name itself included) -> the status.
STATUS_SPELLINGS: dict[str, str] = {
    spelling: s.name for s in STATUSES.values() for spelling in (s.name, *s.aliases)
}

HTTP_STATUSES: dict[int, str] = {int(code): status for code, status in _RAW["http_statuses"].items()}
GONE_HTTP: tuple[int, ...] = tuple(code for code, status in HTTP_STATUSES.items() if status in GONE_STATUSES)

PLATFORMS: dict[str, Platform] = {
    name: Platform(name, tuple(spec.get("hosts") or ()), spec["profile_url"])
    for name, spec in _RAW["platforms"].items()
}
PLATFORM_OF_HOST: dict[str, str] = {host: p.name for p in PLATFORMS.values() for host in p.hosts}

# Named lists a query header can take as a parameter's default
# (``removed: {type: strings, vocabulary: gone_statuses}``).
LISTS: dict[str, tuple[str, ...]] = {
    "statuses": tuple(STATUSES),
    "gone_statuses": GONE_STATUSES,
    "down_statuses": DOWN_STATUSES,
}

for _status in (*HTTP_STATUSES.values(), *STATUS_SPELLINGS.values()):
    if _status not in STATUSES:
        raise ValueError(f"vocabulary.yaml: {_status!r} is not one of the statuses")


def status_of_http(code: int | None, other: str | None = "error") -> str | None:
    """The status an HTTP code says: ``active`` for 2xx/3xx and for a capture without
    HTTP (None), the mapped status for a gone code, else ``other``."""
    if code is None or 200 <= code < 400:
        return "active"
    return HTTP_STATUSES.get(code, other)


# "Gone" is one rule everywhere: a gone status, or a gone HTTP code when no known status
# was recorded. A known status is the collector's reading of the whole check and wins
# over the code: "moved" with a 404 is a redirect to another domain whose page is
# missing (the 404 speaks of the new place, not of this entity), and "active" or
# "error" already say what the check found. Only without a status is the code the
# evidence (a CSV table or a capture that recorded the code alone).
def _known(status) -> bool:
    return isinstance(status, str) and status in STATUSES


def is_gone(status: str | None, http_status: float | None) -> bool:
    """True when an observation says its entity is gone (the rule above)."""
    if _known(status):
        return status in GONE_STATUSES
    try:
        return not math.isnan(http_status) and int(http_status) in GONE_HTTP
    except (TypeError, ValueError):
        return False


def gone_mask(status, http_status):
    """:func:`is_gone` over two pandas Series (``http_status`` may be None: no codes).

    >>> import pandas as pd
    >>> gone_mask(pd.Series(["deleted", None, "moved", "", "active"]),
    ...           pd.Series([None, 451, 404, 410.0, 404])).tolist()
    [True, True, False, True, False]
    """
    import pandas as pd

    status = status.fillna("").astype(str)
    gone = status.isin(GONE_STATUSES)
    if http_status is None:
        return gone
    codes = pd.to_numeric(http_status, errors="coerce")
    return gone | (~status.isin(list(STATUSES)) & codes.isin(GONE_HTTP))


def platform_of_host(host: str | None) -> str | None:
    """The platform a host belongs to (``www.`` and case ignored), or None."""
    if not host:
        return None
    host = host.strip().lower().rstrip(".")
    return PLATFORM_OF_HOST.get(host) or PLATFORM_OF_HOST.get(host.removeprefix("www."))


def profile_url(platform: str, handle: str) -> str | None:
    """The profile URL of ``handle`` on ``platform``, or None when it has no shape for
    it (an unknown platform, or a federated handle without its instance)."""
    known = PLATFORMS.get(platform)
    if known is None:
        return None
    if "{instance}" in known.profile_url:
        user, at, instance = handle.partition("@")
        return known.profile_url.format(user=user, instance=instance) if at and user and instance else None
    return known.profile_url.format(handle=handle)


# -- pages that say their item is gone, and report categories ------------------------


@dataclass(frozen=True)
class RemovalNotice:
    """A page wording that means the item is gone (``removal_notices`` in vocabulary.yaml)."""

    platform: str
    status: str
    says: tuple[str, ...]
    path: str | None = None
    lacks: tuple[str, ...] = ()


def _plain(text: str) -> str:
    """Text compared in one spelling: lowercase, single spaces, straight quotes."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2026", "...")
    return " ".join(text.lower().split())


REMOVAL_NOTICES: tuple[RemovalNotice, ...] = tuple(
    RemovalNotice(spec["platform"], spec["status"], tuple(spec["says"]), spec.get("path"),
                  tuple(spec.get("lacks") or ()))
    for spec in _RAW.get("removal_notices") or ())

for _notice in REMOVAL_NOTICES:
    if _notice.status not in GONE_STATUSES:
        raise ValueError(f"vocabulary.yaml: removal notice status {_notice.status!r} is not a gone status")


def removal_notice(url: str, text: str, markup: str = "") -> tuple[str, str] | None:
    """(status, the wording found) when a page that answered 200 says its item is gone
    (the ``removal_notices`` rules), else None. ``text`` is the page's text (and title),
    ``markup`` its HTML (for the ``lacks`` markers).

    >>> removal_notice("https://x.com/a/status/1", "Hmm…this page doesn’t exist. Try searching for something else.")
    ('not_found', "Hmm...this page doesn't exist")
    >>> removal_notice("https://t.me/chan/7", "If you have Telegram, you can view and join Chan right away.",
    ...                '<div class="tgme_page_title">Chan</div>')
    ('deleted', 'If you have Telegram, you can')
    >>> removal_notice("https://example.org/a", "This Post was deleted by the Post author") is None
    True
    """
    import re
    from urllib.parse import urlsplit

    parts = urlsplit(url if "://" in url else "https://" + url)
    platform = platform_of_host(parts.hostname)
    if platform is None:
        return None
    plain = _plain(text)
    for rule in REMOVAL_NOTICES:
        if rule.platform != platform or (rule.path and not re.search(rule.path, parts.path or "/")):
            continue
        found = next((phrase for phrase in rule.says if _plain(phrase) in plain), None)
        if found and not any(marker in markup for marker in rule.lacks):
            return rule.status, found
    return None


@dataclass(frozen=True)
class ReportCategory:
    """What a report says the content is, with its legal grounds (``report_categories``)."""

    name: str
    label: str
    grounds: tuple[str, ...]
    why: str
    aliases: tuple[str, ...] = ()


REPORT_CATEGORIES: dict[str, ReportCategory] = {
    name: ReportCategory(name, spec["label"], tuple(spec["grounds"]), spec["why"], tuple(spec.get("aliases") or ()))
    for name, spec in (_RAW.get("report_categories") or {}).items()
}
_CATEGORY_SPELLINGS = {spelling: c.name for c in REPORT_CATEGORIES.values() for spelling in (c.name, *c.aliases)}


def report_category(text: str | None) -> ReportCategory | None:
    """The category a report's ``category`` names (its name or an alias; case, spaces
    and dashes ignored), or None.

    >>> report_category("Death threat").name, report_category("hate-speech").name, report_category("spam")
    ('threat', 'incitement', None)
    """
    if not isinstance(text, str):
        return None
    key = "_".join(text.strip().lower().replace("-", " ").split())
    name = _CATEGORY_SPELLINGS.get(key)
    return REPORT_CATEGORIES[name] if name else None
