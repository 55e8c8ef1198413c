"""The watchlist: sites and accounts re-checked by ``graphinv watch run``.

A watched entity is a ``Watch`` node (``watch:<entity uid>``, with the URL to check)
and ``Watch -WATCHES-> entity``. ``run`` fetches each URL with its redirects into one
WARC.gz file, writes a graphinv metadata record per check (outcome, change since the
last check, content fingerprint, the response record holding the bytes), and ingests
the file with the web collector: every check is an Observation (``source='watch'``)
pointing at the exact record in the file, and the redirect hops are Url ``LINKS_TO``
edges that the reappearance analysis reads as a link from the old site to the new.

Changes (``Observation.change``), from the previous check of the same entity:

============== ============================================================
first_check    nothing to compare with yet
taken_down     now not_found (404, or the host no longer exists), deleted
               (410), withheld (451) or suspended; it was not before
moved          its redirects now end on another registered domain (a
               candidate successor: it is added to the watchlist)
back           reachable and serving its own content again after being gone,
               moved, unreachable or in error
content_changed the content fingerprint differs (HTML: the hash of the page's
               extracted text, so a rotating ad or token does not count; other
               payloads: their sha256)
unreachable    timeout, refused connection or TLS failure (not a takedown:
               it may pass)
status_changed another status than before that none of the above names
unchanged      the same status (and for active pages the same fingerprint)
============== ============================================================

A page that answers 200 while saying its item is gone (X's "This Post was deleted by the
Post author", a t.me card without its message: ``removal_notices`` in
``graphinv/vocabulary.yaml``) is a check with that status, the wording in its detail.

Noticed items (``graphinv notice`` sets ``Report.noticed_at``) are re-checked on a
cadence: :func:`due` gives those whose next mark (:data:`DUE_HOURS` after the notice)
has passed since their last check, and ``graphinv watch run --due`` checks only them;
the checks are the 48-hour ledger's (:mod:`graphinv.analysis.ledger`).

>>> classify_change({"status": "active", "fingerprint": "a"}, {"status": "withheld"}, None)
'taken_down'
>>> classify_change({"status": "withheld"}, {"status": "active"}, "b")
'back'
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import pandas as pd

from ..errors import InputError
from ..normalize import canonical_url, registered_domain, text_hash
from ..records import kind_of, site_uid, watch_uid
from ..vocabulary import GONE_STATUSES as GONE
from ..vocabulary import profile_url, removal_notice
from .crawl import CAPTURES, write_chain
from .fetch import MAX_BYTES, Chain, Fetcher, FetchPolicy, chain_outcome, html_page
from .warc import WarcOut

CHANGES = ("taken_down", "moved", "back", "content_changed", "unreachable", "status_changed")


def classify_change(previous: dict | None, outcome: dict, fingerprint: str | None) -> str:
    """The change from the previous check (see the module docstring)."""
    status = outcome["status"]
    if not previous:
        return "first_check"
    before = previous.get("status")
    if status in GONE:
        if before in GONE:
            return "unchanged" if status == before else "status_changed"
        return "taken_down"
    if status == "moved":
        same_place = before == "moved" and (registered_domain(previous.get("final_url") or "")
                                            == registered_domain(outcome.get("final_url") or ""))
        return "unchanged" if same_place else "moved"
    if status == "unreachable":
        return "unchanged" if before == "unreachable" else "unreachable"
    if status == "error":
        return "unchanged" if before == "error" else "status_changed"
    if before in GONE or before in ("moved", "unreachable", "error"):
        return "back"
    old = previous.get("fingerprint")
    if fingerprint and old and fingerprint != old:
        return "content_changed"
    return "unchanged"


def fingerprint_of(chain: Chain, max_bytes: int = MAX_BYTES) -> str | None:
    """``text:<hash>`` of an HTML page's extracted text, else ``sha256:<hex>`` of the
    decoded body; None without a 2xx body."""
    return read_final(chain, max_bytes)[0]


def read_final(chain: Chain, max_bytes: int = MAX_BYTES) -> tuple[str | None, tuple[str, str] | None]:
    """(fingerprint, removal notice) of a chain's last page: the notice is the
    (status, wording) of a page that answered 2xx while saying its item is gone
    (:func:`graphinv.vocabulary.removal_notice`: X's "This Post was deleted by the Post
    author", a t.me card without its message), else None."""
    if chain.final is None:
        return None, None
    body, page = html_page(chain.final, max_bytes)
    if not body:
        return None, None
    if page is None:
        return "sha256:" + hashlib.sha256(body).hexdigest(), None
    said = removal_notice(chain.final.url, f"{page.title}\n{page.full_text or page.text}",
                          body.decode("utf-8", "replace"))
    if page.text:
        return "text:" + text_hash(page.text), said
    return "sha256:" + hashlib.sha256(body).hexdigest(), said


# ---------------------------------------------------------------------- the list


def resolve_entity(store, text: str) -> tuple[str, str, list[tuple[str, str, dict]]]:
    """What ``text`` (a URL, a bare domain, or a uid such as ``site:x.org`` or
    ``account:telegram:name``) names: (entity uid, URL to check, nodes to upsert as
    (kind, uid, props)).

    >>> resolve_entity(None, "https://t.me/Some_Channel")[:2]
    ('account:telegram:some_channel', 'https://t.me/Some_Channel')
    >>> resolve_entity(None, "old-site.example")[:2]
    ('site:old-site.example', 'https://old-site.example/')
    """
    from collectors.base import Accumulator

    from ..resolve import entity_of

    text = text.strip()
    if as_uid(text, ("Site", "Account", "Url", "Post")):
        return text, _url_of_uid(store, text), []
    acc = Accumulator()
    entity = entity_of(text, "web", acc)
    if entity is None:
        raise InputError(f"{text!r} is not a URL, a domain or a uid (site:…, account:…, url:…)")
    url = text if "://" in text else canonical_url(text)
    nodes = [(node.kind, node.uid, node.props) for node in acc.drain()]
    return entity, url, nodes


def as_uid(text: str, kinds: tuple[str, ...]) -> str | None:
    """``text`` when it is a uid of one of ``kinds`` (not a URL), else None.

    >>> as_uid("site:x.org", ("Site",)), as_uid("https://x.org/", ("Site", "Url"))
    ('site:x.org', None)
    """
    if "://" in text:
        return None
    try:
        return text if kind_of(text) in kinds else None
    except ValueError:
        return None


def _url_of_uid(store, uid: str) -> str:
    kind = kind_of(uid)
    if kind == "Site":
        return f"https://{uid[len('site:'):]}/"
    if kind == "Url":
        return uid[len("url:"):]
    found = store.query(f"MATCH (n:{kind}) WHERE n.uid = $uid RETURN n.url AS url, "
                        + ("n.platform AS platform, n.handle AS handle" if kind == "Account" else
                           "n.platform AS platform, n.post_id AS handle"), {"uid": uid}) if store else pd.DataFrame()
    if not found.empty and isinstance(found.iloc[0]["url"], str) and found.iloc[0]["url"]:
        return found.iloc[0]["url"]
    if kind == "Account":
        _, platform, handle = uid.split(":", 2)
        url = profile_url(platform, handle)
        if url:
            return url
    raise InputError(f"no URL known for {uid}: add it by its URL instead (graphinv watch add https://…)")


def add(store, items: list[str], note: str = "", now: int | None = None) -> list[dict]:
    """Put entities on the watchlist (again: re-activated, URL and note updated)."""
    return _put(store, [resolve_entity(store, item) for item in items], note, now)


def _put(store, resolved: list[tuple[str, str, list]], note: str = "", now: int | None = None) -> list[dict]:
    now = int(now if now is not None else time.time())
    watches, edges, entities = [], [], {}
    for entity, url, nodes in resolved:
        for kind, uid, props in nodes:
            entities.setdefault(kind, []).append({"uid": uid, **props})
        watches.append({"uid": watch_uid(entity), "entity": entity, "url": url, "added_at": now,
                        "note": note or None, "active": True})
        edges.append({"src": watch_uid(entity), "dst": entity, "time": now})
    with store.transaction():
        for kind, rows in entities.items():
            store.upsert_nodes(kind, pd.DataFrame(rows))
        # added_at merges by min (schema): re-adding keeps the first time it was watched.
        store.upsert_nodes("Watch", pd.DataFrame(watches))
        store.upsert_edges("WATCHES", pd.DataFrame(edges))
    return watches


def remove(store, items: list[str]) -> list[str]:
    """Stop watching (the Watch stays, inactive, with the history of its checks)."""
    uids = [watch_uid(resolve_entity(store, item)[0]) for item in items]
    known = _watch_rows(store)
    missing = [u[len("watch:"):] for u in uids if u not in known]
    if missing:
        raise InputError(f"not on the watchlist: {', '.join(missing)} (graphinv watch list shows it)")
    store.upsert_nodes("Watch", pd.DataFrame([{"uid": u, "active": False} for u in uids]))
    return uids


def _watch_rows(store, active_only: bool = False) -> dict[str, dict]:
    frame = store.query("MATCH (w:Watch) RETURN w.uid AS uid, w.entity AS entity, w.url AS url, "
                        "w.added_at AS added_at, w.note AS note, w.active AS active ORDER BY uid")
    rows = {r["uid"]: r for r in frame.to_dict("records")} if not frame.empty else {}
    if active_only:
        rows = {k: v for k, v in rows.items() if v.get("active") is not False}
    return rows


def previous_checks(store) -> dict[str, dict]:
    """The latest watch Observation of each entity."""
    frame = store.query("MATCH (o:Observation) WHERE o.source = 'watch' RETURN o.entity AS entity, "
                        "o.observed_at AS observed_at, o.status AS status, o.fingerprint AS fingerprint, "
                        "o.final_url AS final_url")
    if frame.empty:
        return {}
    frame = frame.sort_values("observed_at", kind="stable").drop_duplicates("entity", keep="last")
    return {r["entity"]: r for r in frame.to_dict("records")}


# ---------------------------------------------------------------------- the ledger's cadence

# Hours after a notice at which a noticed item is checked again (graphinv watch run
# --due): at once, then on each side of the 24 h and 48 h marks, so the ledger can say
# whether it was still up just before a deadline and gone just after; then 3 and 7 days.
DUE_HOURS = (0, 23, 25, 47, 49, 72, 168)


def due_entities(noticed: pd.DataFrame, last_checks: pd.DataFrame, now: int,
                 marks: tuple[float, ...] = DUE_HOURS) -> list[str]:
    """The noticed entities a check is due for at ``now``: the latest mark passed since
    their first notice (``noticed``: entity, noticed_at) has no check at or after it
    (``last_checks``: entity, last, the latest watch check). Marks missed while nothing
    ran are made up by one check, not one each; pure.

    >>> noticed = pd.DataFrame({"entity": ["a", "b", "c"], "noticed_at": [0, 0, 0]})
    >>> last = pd.DataFrame({"entity": ["a", "b"], "last": [10, 24 * 3600]})
    >>> due_entities(noticed, last, now=24 * 3600)  # a: 23 h passed since its last check; c: never checked
    ['a', 'c']
    >>> due_entities(noticed, last, now=200 * 3600)  # after the last mark, the 168 h check is still owed
    ['a', 'b', 'c']
    """
    last = dict(zip(last_checks["entity"], last_checks["last"])) if not last_checks.empty else {}
    out = []
    for entity, start in zip(noticed["entity"], noticed["noticed_at"]):
        passed = [start + m * 3600 for m in marks if start + m * 3600 <= now]
        if not passed:
            continue
        checked = last.get(entity)
        if checked is None or checked != checked or checked < max(passed):
            out.append(entity)
    return sorted(out)


def due(store, now: int | None = None, marks: tuple[float, ...] = DUE_HOURS) -> list[str]:
    """The watched entities of noticed reports whose next check is due (:func:`due_entities`)."""
    now = int(now if now is not None else time.time())
    noticed = store.query("MATCH (r:Report)-[:REPORTED]->(e) WHERE r.noticed_at IS NOT NULL "
                          "RETURN e.uid AS entity, min(r.noticed_at) AS noticed_at")
    if noticed.empty:
        return []
    checks = store.query("MATCH (o:Observation) WHERE o.source = 'watch' "
                         "RETURN o.entity AS entity, max(o.observed_at) AS last")
    watched = {w["entity"] for w in _watch_rows(store, active_only=True).values()}
    return [e for e in due_entities(noticed, checks, now, marks) if e in watched]


# ---------------------------------------------------------------------- the run


@dataclass
class Check:
    entity: str
    url: str
    status: str
    change: str
    http_status: int | None = None
    final_url: str | None = None
    detail: str = ""
    successor: str | None = None  # site uid a moved entity now redirects to

    @property
    def changed(self) -> bool:
        return self.change in CHANGES


@dataclass
class WatchRun:
    path: Path
    sha256: str
    checks: list[Check] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # successors put on the watchlist
    ingest: object = None

    @property
    def changed(self) -> list[Check]:
        return [c for c in self.checks if c.changed]


def _platform(entity: str) -> str:
    return entity.split(":")[1] if entity.startswith("account:") else "web"


def run(store, policy: FetchPolicy | None = None, out_dir: Path = CAPTURES, delay: float = 1.0,
        on_check: Callable[[Check], None] | None = None, follow_successors: bool = True,
        only: set[str] | None = None) -> WatchRun:
    """Check every active watch once (``only``: the watches of these entities); see the
    module docstring."""
    from ..ingest import ingest_paths

    policy = policy or FetchPolicy()
    watches = _watch_rows(store, active_only=True)
    if not watches:
        raise InputError("the watchlist is empty: graphinv watch add URL… first")
    if only is not None:
        watches = {k: w for k, w in watches.items() if w["entity"] in only}
        if not watches:
            raise InputError("none of the entries to check is on the active watchlist")
    previous = previous_checks(store)
    now = datetime.now(timezone.utc)
    path = Path(out_dir) / f"watch-{now:%Y%m%dT%H%M%S}Z.warc.gz"
    out = WarcOut(path, description=f"graphinv watch run: {len(watches)} entities",
                  user_agent=policy.user_agent)
    checks: list[Check] = []
    try:
        with Fetcher(policy, delay=delay) as fetcher:
            for watch in watches.values():
                entity, url = watch["entity"], watch["url"]
                chain = fetcher.follow(url)
                fingerprint, said = read_final(chain, policy.max_bytes)
                outcome = chain_outcome(chain)
                if said and outcome["status"] == "active":
                    # A 200 that says the item is gone (a platform's tombstone page) is a removal.
                    outcome = {**outcome, "status": said[0], "detail": f"the page says: {said[1]}"}
                change = classify_change(previous.get(entity), outcome, fingerprint)
                write_chain(out, chain, {"entity": entity, "source": "watch", "change": change,
                                         "fingerprint": fingerprint, "platform": _platform(entity),
                                         # the status read from the page, when it says it is gone
                                         "outcome": outcome["status"], "detail": outcome["detail"]}, always=True)
                successor = None
                if outcome["status"] == "moved" and outcome["final_url"]:
                    domain = registered_domain(outcome["final_url"])
                    successor = site_uid(domain) if domain else None
                check = Check(entity, url, outcome["status"], change, outcome["http_status"],
                              outcome["final_url"], outcome["detail"], successor)
                checks.append(check)
                if on_check:
                    on_check(check)
    finally:
        path, sha = out.close()
    result = WatchRun(path, sha, checks)
    result.ingest = ingest_paths(store, [path])
    if follow_successors:
        known = _watch_rows(store)
        new = {c.successor: c for c in checks if c.successor and watch_uid(c.successor) not in known}
        for successor, check in new.items():
            parts = urlsplit(check.final_url)
            home = f"{parts.scheme}://{parts.netloc}/"
            _put(store, [(successor, home, [("Site", successor, {"domain": successor[len("site:"):]})])],
                 note=f"successor of {check.entity}: it redirected here on {now:%Y-%m-%d %H:%M} UTC")
            result.added.append(successor)
    return result
