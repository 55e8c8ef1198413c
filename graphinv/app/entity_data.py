"""What the entity, capture, target and comparison pages read from a store.

Kept beside :mod:`graphinv.app.data` (which would pass 600 lines with these) under the
same rules: values from the browser travel as query parameters, and every function
returns a DataFrame or a dict. An entity's page is its properties, its captures, the
findings it takes part in (campaigns, lineages, impersonation, reports and their
takedown status) and its neighbours; a target's page adds who attacks it.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pandas as pd

from .. import queries
from ..capture.evidence import capture_rows, evidence, read_capture, store_folders
from ..records import post_uid
from ..vocabulary import GONE_STATUSES
from . import data
from .memo import memoised

CAPTURE_LIMIT = 200  # rows of captures shown on one page; the count says how many more
POST_LIMIT = 50


def place(row: dict) -> str:
    """``file:line`` or ``file@offset`` of a capture row ("—" without a file).

    >>> place({"source_file": "/x/a.jsonl", "line": 3, "offset": 10})
    'a.jsonl:3'
    >>> place({"source_file": "/x/c.warc.gz", "line": None, "offset": 2999})
    'c.warc.gz@2999'
    """
    source = row.get("source_file")
    if not isinstance(source, str) or not source:
        return "—"
    line, offset = row.get("line"), row.get("offset")
    if line is not None and line == line:
        return f"{Path(source).name}:{int(line)}"
    return f"{Path(source).name}@{int(offset)}" if offset is not None and offset == offset else Path(source).name


@memoised
def captures(store, uid: str) -> pd.DataFrame:
    """The captures and observations of an entity, newest first, one row per capture:
    ``time`` (as the capture says), ``what`` (a page, a line, a status seen), ``url``,
    ``place`` (file:line or file@offset), ``sha256`` of the captured bytes, ``capture``."""
    rows = evidence(store, uid)
    if uid.startswith(("media:", "target:", "report:")) and rows.empty:
        rows = _direct_captures(store, uid)
    if rows.empty:
        return pd.DataFrame(columns=["time", "what", "url", "place", "sha256", "capture", "time_source"])
    rows = rows.drop_duplicates(subset=["capture"], keep="first") if rows["capture"].notna().any() else rows
    out = pd.DataFrame({
        "time": [c if c == c and c is not None else t for c, t in zip(rows["captured_at"], rows["time"])],
        "what": [_what(r) for r in rows.to_dict("records")],
        "url": rows["url"], "place": [place(r) for r in rows.to_dict("records")],
        "sha256": rows["bytes_sha256"], "capture": rows["capture"], "time_source": rows["time_source"]})
    return out.reset_index(drop=True)


def _direct_captures(store, uid: str) -> pd.DataFrame:
    found = store.query("MATCH (c:Capture)-[:CAPTURES]->(x) WHERE x.uid = $u RETURN c.uid AS uid", {"u": uid})
    rows = capture_rows(store, found["uid"].tolist() if not found.empty else [])
    return rows.assign(time=rows["captured_at"], kind="capture", status=None, url=rows["capture_url"])


# What each capture format is, for people.
FORMAT_NAMES = {"warc": "WARC record", "warc-gunzipped": "WARC record", "jsonl": "JSONL line",
                "telegram": "Telegram message", "telegram_html": "Telegram message (HTML export)",
                "csv": "CSV row", "activitystreams": "Mastodon archive activity", "html": "saved page"}


def _what(row: dict) -> str:
    fmt = FORMAT_NAMES.get(row.get("format"), row.get("format") or "no capture file")
    if row.get("kind") == "observation" and isinstance(row.get("status"), str):
        http = row.get("http_status")
        code = f" (HTTP {int(http)})" if http is not None and http == http else ""
        return f"seen {row['status'].replace('_', ' ')}{code} · {fmt}"
    return fmt


@memoised
def posts(store, uid: str, limit: int = POST_LIMIT) -> pd.DataFrame:
    """An account's posts and reposts, or a site's pages, newest first, each with the
    capture it was read from."""
    if uid.startswith("account:"):
        cypher = ("MATCH (a:Account)-[e:POSTED]->(p:Post) WHERE a.uid = $u "
                  "RETURN p.uid AS post, 'posted' AS how, coalesce(p.title, p.text, p.url) AS text, "
                  "p.created_at AS time, e.capture AS capture "
                  "UNION ALL MATCH (a:Account)-[e:REPOSTED]->(p:Post) WHERE a.uid = $u "
                  "RETURN p.uid AS post, 'reposted' AS how, coalesce(p.title, p.text, p.url) AS text, "
                  "e.time AS time, e.capture AS capture")
    elif uid.startswith("site:"):
        cypher = ("MATCH (p:Post)-[:ON_SITE]->(s:Site) WHERE s.uid = $u "
                  "RETURN p.uid AS post, 'page' AS how, coalesce(p.title, p.text, p.url) AS text, "
                  "p.created_at AS time, CAST(NULL AS STRING) AS capture")
    elif uid.startswith(("identifier:", "media:", "hashtag:", "url:")):
        cypher = ("MATCH (p:Post)-[r]->(x) WHERE x.uid = $u "
                  "RETURN p.uid AS post, 'uses' AS how, coalesce(p.title, p.text, p.url) AS text, "
                  "p.created_at AS time, CAST(NULL AS STRING) AS capture")
    else:
        return pd.DataFrame(columns=["post", "how", "text", "time", "capture"])
    frame = store.query(cypher, {"u": uid})
    if frame.empty:
        return frame
    frame = frame.sort_values("time", ascending=False, na_position="last", kind="stable")
    return frame.drop_duplicates(["post", "how", "time"]).head(limit).reset_index(drop=True)


@memoised
def memberships(store, uid: str) -> pd.DataFrame:
    """The campaigns an account is a member of, with its role and the campaign's
    confidence and reasons."""
    return store.query(
        "MATCH (a:Account)-[m:MEMBER_OF]->(c:Campaign) WHERE a.uid = $u "
        "RETURN c.uid AS campaign, c.label AS label, m.role AS role, c.size AS size, c.confidence AS confidence, "
        "c.reasons AS reasons, c.first_time AS first_time, c.last_time AS last_time ORDER BY campaign", {"u": uid})


@memoised
def coactions(store, uid: str) -> pd.DataFrame:
    """An account's co-actions in its campaigns: what it did, when, the post and the
    capture, and the other members who did the same within the window."""
    columns = ["campaign", "time", "action", "shown", "text", "post", "capture", "seconds_after_first", "with"]
    parts = []
    for campaign in memberships(store, uid)["campaign"].tolist():
        acts = data.campaign_coactions(store, campaign)
        if acts.empty:
            continue
        together = acts.groupby(["action", "object"])["handle"].agg(lambda h: sorted({str(x) for x in h}))
        mine = acts[acts["account"] == uid]
        if mine.empty:
            continue
        me = str(mine["handle"].iloc[0])
        mine = mine.assign(campaign=campaign, **{"with": [
            [h for h in together.get((a, o), []) if h != me] for a, o in zip(mine["action"], mine["object"])]})
        parts.append(mine)
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True).sort_values("time", kind="stable")[columns].reset_index(drop=True)


@memoised
def reappearances(store, uid: str) -> pd.DataFrame:
    """The REAPPEARS_AS steps into and out of ``uid``: what it came back as, or was."""
    kind = "Site" if uid.startswith("site:") else "Account"
    name = "domain" if kind == "Site" else "handle"
    return store.query(
        f"MATCH (a:{kind})-[r:REAPPEARS_AS]->(b:{kind}) WHERE a.uid = $u OR b.uid = $u "
        f"RETURN CASE WHEN a.uid = $u THEN 'came back as' ELSE 'came back from' END AS how, "
        f"CASE WHEN a.uid = $u THEN b.uid ELSE a.uid END AS other, "
        f"CASE WHEN a.uid = $u THEN b.{name} ELSE a.{name} END AS other_name, r.score AS score, r.gap AS gap, "
        f"r.signals AS signals, r.lineage AS lineage ORDER BY how, other", {"u": uid}) \
        if uid.startswith(("site:", "account:")) else pd.DataFrame()


@memoised
def impersonations(store, uid: str) -> pd.DataFrame:
    """IMPERSONATES edges of an account or site (which target, how sure, why), or of a
    target (who impersonates it), highest score first."""
    where = "t.uid = $u" if uid.startswith("target:") else "i.uid = $u"
    frame = store.query(
        f"MATCH (i)-[m:IMPERSONATES]->(t:Target) WHERE {where} "
        "RETURN i.uid AS impersonator, coalesce(i.handle, i.domain) AS name, i.display_name AS display_name, "
        "i.status AS status, t.uid AS target, t.name AS target_name, m.score AS score, m.evidence AS evidence "
        "ORDER BY score DESC, impersonator", {"u": uid})
    if not frame.empty:
        frame["reasons"] = [impersonation_reasons(e) for e in frame["evidence"]]
    return frame


def impersonation_reasons(evidence_text) -> list[str]:
    """The evidence of an IMPERSONATES edge in plain words.

    >>> impersonation_reasons('{"handle": "clara_b", "handle_match": "name:Clara B.", "display_name": "Clara", '
    ...                       '"bio_similarity": "0.92", "avatar_hamming": 0}')
    ... # doctest: +NORMALIZE_WHITESPACE
    ['handle “clara_b” is like the name “Clara B.”', 'display name “Clara”', 'bio similarity 92%',
     'avatar: the same picture']
    """
    found = data.parse_evidence(evidence_text)
    reasons = []
    match = found.get("handle_match")
    if isinstance(match, str) and found.get("handle"):
        what, _, value = match.partition(":")
        reasons.append(f"handle “{found['handle']}” is like the {what.replace('_', ' ')} “{value}”")
    for key, value in found.items():
        if key in ("handle", "handle_match", "params", "analysis_run") or value in (None, "", [], {}):
            continue
        words = key.replace("_", " ")
        number = _number(value)
        if number is not None and key.endswith("similarity"):
            reasons.append(f"{words} {number:.0%}")
        elif number is not None and key.endswith("hamming"):
            reasons.append(f"{words[:-len(' hamming')]}: " + ("the same picture" if number == 0
                                                              else f"{number:.0f} of 64 bits differ"))
        else:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            reasons.append(f"{words} “{text}”")
    return reasons


def _number(value) -> float | None:
    try:
        return float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


@memoised
def reports(store, uids: list[str]) -> pd.DataFrame:
    """Reports about these entities (and about the posts of these accounts), each with
    its takedown status: removed (when, hours after the report) or still up as last seen."""
    from ..analysis.takedown import removals

    # UNWIND and one uid at a time: `x.uid IN $u` with a long list (a target's two thousand
    # attackers) scans every node on the embedded store (40 s on 1M posts, 0.1 s this way).
    found = store.query(
        "UNWIND $u AS uid MATCH (r:Report)-[:REPORTED]->(x) WHERE x.uid = uid "
        "RETURN r.uid AS report, x.uid AS entity, r.url AS url, r.reported_at AS reported_at, "
        "r.reported_to AS reported_to, r.platform AS platform, r.category AS category "
        "UNION UNWIND $u AS uid MATCH (a:Account)-[:POSTED]->(p:Post)<-[:REPORTED]-(r:Report) WHERE a.uid = uid "
        "RETURN r.uid AS report, p.uid AS entity, r.url AS url, r.reported_at AS reported_at, "
        "r.reported_to AS reported_to, r.platform AS platform, r.category AS category",
        {"u": list(dict.fromkeys(uids))})
    if found.empty:
        return pd.DataFrame(columns=["report", "entity", "url", "reported_at", "reported_to", "category",
                                     "status", "removed_at", "hours", "last_status", "last_seen"])
    observed = store.query(
        "UNWIND $e AS uid MATCH (o:Observation)-[:OBSERVED]->(x) WHERE x.uid = uid "
        "RETURN x.uid AS entity, o.status AS status, o.observed_at AS observed_at, o.http_status AS http_status",
        {"e": found["entity"].unique().tolist()})
    ledger = removals(found, observed)
    last = observed.sort_values("observed_at").drop_duplicates("entity", keep="last") \
        .rename(columns={"status": "last_status", "observed_at": "last_seen"})[["entity", "last_status", "last_seen"]] \
        if not observed.empty else pd.DataFrame(columns=["entity", "last_status", "last_seen"])
    ledger = ledger.merge(last, on="entity", how="left")
    ledger["status"] = ["removed" if r == r and r is not None else ("gone" if s in GONE_STATUSES else "still up")
                        for r, s in zip(ledger["removed_at"], ledger["last_status"])]
    return ledger.sort_values("reported_at", kind="stable").reset_index(drop=True)


@memoised
def attackers(store, uid: str) -> pd.DataFrame:
    """Who attacks a target, ranked by posts (the ``targeting`` query)."""
    return queries.run(store, "targeting", target=uid)


@memoised
def real_accounts(store, uid: str) -> pd.DataFrame:
    """A target's own accounts (Target.accounts) with their name and status."""
    listed = store.query("MATCH (t:Target) WHERE t.uid = $u RETURN t.accounts AS a", {"u": uid})
    accounts = [str(a) for a in (listed["a"].iloc[0] if not listed.empty and listed["a"].iloc[0] is not None
                                 else [])]
    if not accounts:
        return pd.DataFrame(columns=["account", "handle", "display_name", "status"])
    found = store.query("UNWIND $a AS uid MATCH (a:Account) WHERE a.uid = uid RETURN a.uid AS account, "
                        "a.handle AS handle, a.display_name AS display_name, a.status AS status",
                        {"a": list(dict.fromkeys(accounts))})
    missing = [a for a in accounts if a not in set(found["account"])]
    extra = pd.DataFrame({"account": missing, "handle": [a.rsplit(":", 1)[-1] for a in missing]})
    return pd.concat([f for f in (found, extra) if not f.empty], ignore_index=True)


# -- captures ------------------------------------------------------------------------
@memoised
def capture(store, uid: str) -> dict | None:
    """One capture's row (see CAPTURE_COLUMNS) and the items read from it."""
    rows = capture_rows(store, [uid])
    if rows.empty:
        return None
    row = {k: data.plain(v) for k, v in rows.iloc[0].to_dict().items()}
    items = store.query("MATCH (c:Capture)-[:CAPTURES]->(x) WHERE c.uid = $u "
                        f"RETURN x.uid AS uid, {store.kind_of('x')} AS kind, "
                        "coalesce(x.handle, x.title, x.domain, x.name, x.url, x.entity, x.uid) AS name "
                        "ORDER BY kind, uid", {"u": uid})
    row["items"] = data.records(items)
    row["place"] = place(row)
    return row


def capture_bytes(store, row: dict) -> bytes | None:
    """The capture's bytes cut out of its file again (None when the file is gone)."""
    try:
        return read_capture(row, store_folders(store))
    except OSError:
        return None


@memoised
def post_capture(store, post: str) -> str | None:
    """The newest capture of a post or page (its WARC response, its JSONL line)."""
    found = store.query("MATCH (c:Capture)-[:CAPTURES]->(p:Post) WHERE p.uid = $u "
                        "RETURN c.uid AS uid, c.captured_at AS t ORDER BY t DESC LIMIT 1", {"u": post})
    return None if found.empty else str(found["uid"].iloc[0])


@memoised
def linked_pages(store, post: str) -> pd.DataFrame:
    """The pages a post links to that the store captured: url, page, title, newest capture."""
    links = store.query("MATCH (p:Post)-[:LINKS_TO]->(u:Url) WHERE p.uid = $u RETURN u.uid AS url", {"u": post})
    if links.empty:
        return pd.DataFrame(columns=["url", "page", "title", "capture"])
    # A captured page is the web Post whose post_id is the canonical URL (the Url's uid
    # without "url:"), keyed post_uid("web", that URL): looked up by its uid, one at a time.
    by_id = {u[len("url:"):]: u for u in links["url"]}
    found = store.query(
        "UNWIND $pages AS uid MATCH (c:Capture)-[:CAPTURES]->(w:Post) WHERE w.uid = uid AND w.platform = 'web' "
        "RETURN w.post_id AS post_id, w.uid AS page, w.title AS title, c.uid AS capture, c.captured_at AS t "
        "ORDER BY t DESC", {"pages": [post_uid("web", i) for i in by_id]})
    if found.empty:
        return pd.DataFrame(columns=["url", "page", "title", "capture"])
    found = found.drop_duplicates("page").assign(url=lambda f: f["post_id"].map(by_id))
    return found[["url", "page", "title", "capture"]].reset_index(drop=True)


@memoised
def page_of(store, uid: str) -> dict | None:
    """What :mod:`graphinv.app.pages.compare` shows of a page or a site: the page (a
    site's most recently captured page: its home page when it has one), its title and
    text, and its newest capture."""
    if uid.startswith("site:"):
        found = store.query(
            "MATCH (p:Post)-[:ON_SITE]->(s:Site) WHERE s.uid = $u AND p.platform = 'web' "
            "MATCH (c:Capture)-[:CAPTURES]->(p) RETURN p.uid AS post, p.url AS url, max(c.captured_at) AS t",
            {"u": uid})
        if found.empty:
            return None
        found["home"] = found["url"].fillna("").str.count("/") <= 3
        uid = str(found.sort_values(["home", "t"], ascending=False).iloc[0]["post"])
    props = data.node(store, uid)
    if props is None:
        return None
    return {"uid": uid, "title": props.get("title") or props.get("url") or uid, "url": props.get("url"),
            "text": props.get("text") or "", "capture": post_capture(store, uid)}


def shared_passages(left: str, right: str, min_words: int = 6, max_words: int = 4000) -> tuple[list, list]:
    """Both texts as runs of ``(text, shared)``: ``shared`` marks runs of at least
    ``min_words`` words found in the same order in the other text.

    >>> a, b = shared_passages("new intro the harbour money went to a shell firm end", "the harbour money "
    ...                        "went to a shell firm say sources", min_words=4)
    >>> [t for t, s in a if s], [t for t, s in b if s]
    (['the harbour money went to a shell firm'], ['the harbour money went to a shell firm'])
    """
    words_a, words_b = _words(left)[:max_words], _words(right)[:max_words]
    keys_a, keys_b = [w.lower() for w in words_a], [w.lower() for w in words_b]
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    marks_a, marks_b = [False] * len(words_a), [False] * len(words_b)
    for block in matcher.get_matching_blocks():
        if block.size >= min_words:
            marks_a[block.a:block.a + block.size] = [True] * block.size
            marks_b[block.b:block.b + block.size] = [True] * block.size
    return _runs(words_a, marks_a), _runs(words_b, marks_b)


def _words(text: str) -> list[str]:
    return re.findall(r"\S+", text or "")


def _runs(words: list[str], marks: list[bool]) -> list[tuple[str, bool]]:
    runs: list[tuple[str, bool]] = []
    for word, mark in zip(words, marks):
        if runs and runs[-1][1] == mark:
            runs[-1] = (runs[-1][0] + " " + word, mark)
        else:
            runs.append((word, mark))
    return runs


def share_of_shared(runs: list[tuple[str, bool]]) -> float:
    words = [(len(t.split()), s) for t, s in runs]
    total = sum(n for n, _ in words)
    return sum(n for n, s in words if s) / total if total else 0.0


@memoised
def names(store, uids: list[str]) -> dict[str, str]:
    """The readable name of each uid (a post: its title or the start of its text)."""
    uids = [u for u in dict.fromkeys(uids) if isinstance(u, str)]
    if not uids:
        return {}
    found = store.query(
        "UNWIND $u AS wanted MATCH (n) WHERE n.uid = wanted RETURN n.uid AS uid, "
        "coalesce(n.title, n.handle, n.domain, n.name, n.label, n.value, n.tag, n.text, n.url, n.uid) AS name",
        {"u": uids})
    return {r["uid"]: short(r["name"]) for r in found.to_dict("records")}


def short(text, limit: int = 140) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@memoised
def image_capture(store, media: list[str]) -> dict[str, str]:
    """The newest capture holding each Media (by uid), for its thumbnail; an avatar
    token ``avatar:account:…`` maps to the account's avatar image."""
    wanted = {}
    accounts = [m[len("avatar:"):] for m in media if m.startswith("avatar:")]
    if accounts:
        found = store.query("UNWIND $a AS account MATCH (a:Account) WHERE a.uid = account "
                            "AND a.avatar_sha256 IS NOT NULL RETURN a.uid AS uid, a.avatar_sha256 AS sha",
                            {"a": list(dict.fromkeys(accounts))})
        wanted.update({"avatar:" + r["uid"]: "media:" + r["sha"] for r in found.to_dict("records")})
    wanted.update({m: m for m in media if m.startswith("media:")})
    if not wanted:
        return {}
    found = store.query("UNWIND $m AS media MATCH (c:Capture)-[:CAPTURES]->(m:Media) WHERE m.uid = media "
                        "RETURN m.uid AS media, c.uid AS capture, c.captured_at AS t ORDER BY t DESC",
                        {"m": list(set(wanted.values()))})
    newest = found.drop_duplicates("media").set_index("media")["capture"].to_dict() if not found.empty else {}
    return {token: newest[m] for token, m in wanted.items() if m in newest}
