"""``graphinv evidence ENTITY``: the captures behind an entity or a finding, and a
re-check that their bytes are still where the store says.

Evidence is per capture (``Capture`` nodes, written by the collectors: a WARC record, a
JSONL line, a Telegram message, a CSV row, a saved page): each names its file, the
file's sha256, the offset and length of its bytes and their sha256, and when it was
captured as the capture itself says (``time_source``; unknown when it does not).

- :func:`evidence`: the observations and captures of a Site, Account, Url or Post, one
  row per item and capture, newest first.
- :func:`campaign_coactions`: what a campaign's members did to the same objects, who,
  when, seconds after the first, and the capture each act was read from.
- :func:`finding_captures`: the capture rows a finding rests on (a campaign, a lineage).
- :func:`verify_capture`: cut the bytes out of the file again and compare their
  sha256: ``ok``, ``changed`` (the bytes differ), ``missing`` (no such file) or ``no
  record`` (the file ends before them). ``-``: nothing to check (an item without a capture).

Ingest stores absolute paths. Stores ingested before that hold paths relative to the
folder the ingest ran in, which verify looks for in the current folder and around the
store (:func:`store_folders`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from ..errors import InputError

# The capture columns every evidence frame carries (see the Capture kind in schema.yaml).
CAPTURE_COLUMNS = ["capture", "captured_at", "time_source", "format", "source_file", "source_sha256", "offset",
                   "length", "line", "bytes_sha256", "capture_url", "record_id", "member", "run"]
COLUMNS = ["time", "kind", "url", "status", "http_status", "change", "content_sha256", "warc_file",
           "warc_offset", "source", "detail", "final_url", "uid", *CAPTURE_COLUMNS]
_CAPTURE = ("c.uid AS capture, c.captured_at AS captured_at, c.time_source AS time_source, c.format AS format, "
            "c.source_file AS source_file, c.source_sha256 AS source_sha256, c.offset AS offset, "
            "c.length AS length, c.line AS line, c.bytes_sha256 AS bytes_sha256, c.url AS capture_url, "
            "c.record_id AS record_id, c.member AS member, c.runs AS runs")
# Observations of the entity (and of a site's URLs), each with the capture it was read from.
_OBSERVATIONS = (
    "MATCH (o:Observation)-[:OBSERVED]->(x) WHERE x.uid IN $targets "
    "OPTIONAL MATCH (c:Capture)-[:CAPTURES]->(o) "
    "OPTIONAL MATCH (w:Watch)-[:WATCHES]->(x) "
    "RETURN DISTINCT o.uid AS uid, 'observation' AS kind, o.observed_at AS time, o.entity AS entity, "
    "coalesce(x.url, w.url) AS entity_url, "
    "o.status AS status, o.http_status AS http_status, o.change AS change, o.detail AS detail, "
    "o.final_url AS final_url, o.content_sha256 AS content_sha256, o.warc_file AS warc_file, "
    "o.warc_offset AS warc_offset, o.source AS source, " + _CAPTURE)
# Captures of the items themselves: a site's pages, a post, an account's lines.
_CAPTURED = (
    "MATCH (c:Capture)-[:CAPTURES]->(i) WHERE i.uid IN $items "
    "RETURN DISTINCT i.uid AS uid, 'capture' AS kind, c.captured_at AS time, i.url AS item_url, "
    "c.content_sha256 AS content_sha256, " + _CAPTURE)
_SITE_URLS = "MATCH (u:Url)-[:ON_SITE]->(s:Site) WHERE s.uid = $uid RETURN u.uid AS uid"
_SITE_PAGES = "MATCH (p:Post)-[:ON_SITE]->(s:Site) WHERE s.uid = $uid AND p.platform = 'web' RETURN p.uid AS uid"
_URL_PAGES = "MATCH (p:Post) WHERE p.platform = 'web' AND p.post_id = $url RETURN p.uid AS uid"


def entity_uid(store, text: str) -> str:
    """The uid ``text`` names (a uid, a URL or a domain), checked against the store."""
    from .watch import as_uid, resolve_entity

    text = text.strip()
    uid = as_uid(text, ("Site", "Account", "Url", "Post", "Observation")) or resolve_entity(None, text)[0]
    found = store.query("MATCH (n) WHERE n.uid = $uid RETURN count(n) AS c", {"uid": uid})
    if found.empty or int(found.iloc[0, 0]) == 0:
        raise InputError(f"{uid} is not in the store (graphinv query --cypher 'MATCH (n) WHERE n.uid "
                         "CONTAINS \"…\" RETURN n.uid' finds uids)")
    return uid


def evidence(store, uid: str) -> pd.DataFrame:
    """Observations and captures of ``uid``, newest first (columns: ``COLUMNS``); an
    item read from several captures (a page crawled weekly) has a row per capture."""
    targets, items = [uid], [uid]
    if uid.startswith("site:"):
        targets += _uids(store, _SITE_URLS, uid=uid)
        items += _uids(store, _SITE_PAGES, uid=uid)
    elif uid.startswith("url:"):
        items += _uids(store, _URL_PAGES, url=uid[len("url:"):])
    observed = store.query(_OBSERVATIONS, {"targets": targets})
    captured = store.query(_CAPTURED, {"items": items})
    if not observed.empty:
        # A home page's observation observes both its Url and its Site: one row, with the URL.
        observed = observed.assign(_site=observed["entity"].astype(str).str.startswith("site:"))
        observed = observed.sort_values("_site", kind="stable").drop_duplicates(["uid", "capture"])
        # The URL the capture holds; without one (a watch check, a CSV status list), the
        # entity's own URL or the one it is watched at.
        observed["url"] = observed["capture_url"].fillna(observed["entity_url"]).fillna(observed["entity"])
    if not captured.empty:
        # A WARC response is both a page and an observation: its observation row shows it.
        shown = set(observed["capture"].dropna()) if not observed.empty else set()
        captured = captured[~captured["uid"].str.startswith("observation:") & ~captured["capture"].isin(shown)]
        captured["url"] = captured["capture_url"].where(captured["capture_url"].notna(), captured["item_url"])
    frame = pd.concat([f for f in (observed, captured) if not f.empty], ignore_index=True) \
        if not (observed.empty and captured.empty) else pd.DataFrame(columns=COLUMNS)
    return _with_capture_columns(frame).sort_values(["time", "uid"], ascending=[False, True], kind="stable",
                                                    na_position="last")[COLUMNS].reset_index(drop=True)


def _uids(store, cypher: str, **params) -> list[str]:
    found = store.query(cypher, params)
    return found["uid"].tolist() if not found.empty else []


def _with_capture_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill the columns every evidence frame has; a WARC capture names its record."""
    frame = frame.copy()
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    frame["run"] = [next(iter(r), None) if r is not None and not isinstance(r, (str, float)) else None
                    for r in frame.get("runs", pd.Series([None] * len(frame)))]
    # A watch check's observation names the response it saw; other WARC rows their record.
    # (Object columns: a column of only nulls comes back as floats from some stores.)
    frame = frame.astype({"warc_file": object, "warc_offset": object, "source": object})
    warc = (frame["format"] == "warc") & frame["warc_file"].isna()
    frame.loc[warc, "warc_file"] = frame.loc[warc, "source_file"]
    frame.loc[warc, "warc_offset"] = frame.loc[warc, "offset"]
    frame["source"] = frame["source"].where(frame["source"].notna(), frame["format"])
    return frame


def capture_rows(store, uids: list[str]) -> pd.DataFrame:
    """The Capture rows of these uids (columns ``CAPTURE_COLUMNS``), in file order."""
    if not uids:
        return pd.DataFrame(columns=CAPTURE_COLUMNS)
    frame = store.query(f"MATCH (c:Capture) WHERE c.uid IN $uids RETURN {_CAPTURE}", {"uids": list(uids)})
    frame = _with_capture_columns(frame)[CAPTURE_COLUMNS]
    return frame.sort_values(["source_file", "offset"], kind="stable").reset_index(drop=True)


# The acts coordination reads, each with the capture it was read from: reposting a post,
# posting a link, posting a text (by its hash), posting an image.
_ACTS = {
    "repost": ("MATCH (a:Account)-[r:REPOSTED]->(p:Post) WHERE a.uid IN $members AND r.time IS NOT NULL "
               "RETURN a.uid AS account, a.handle AS handle, p.uid AS object, r.time AS time, "
               "r.capture AS capture, coalesce(p.url, p.uid) AS shown, p.text AS text, p.uid AS post"),
    "url": ("MATCH (a:Account)-[e:POSTED]->(p:Post)-[:LINKS_TO]->(u:Url) "
            "WHERE a.uid IN $members AND p.created_at IS NOT NULL "
            "RETURN a.uid AS account, a.handle AS handle, u.uid AS object, p.created_at AS time, "
            "e.capture AS capture, u.url AS shown, p.text AS text, p.uid AS post"),
    "text": ("MATCH (a:Account)-[e:POSTED]->(p:Post) "
             "WHERE a.uid IN $members AND p.created_at IS NOT NULL AND p.text_hash IS NOT NULL "
             "RETURN a.uid AS account, a.handle AS handle, 'text:' + p.text_hash AS object, p.created_at AS time, "
             "e.capture AS capture, p.url AS shown, p.text AS text, p.uid AS post"),
    "image": ("MATCH (a:Account)-[e:POSTED]->(p:Post)-[:HAS_MEDIA]->(m:Media) "
              "WHERE a.uid IN $members AND p.created_at IS NOT NULL "
              "RETURN a.uid AS account, a.handle AS handle, m.uid AS object, p.created_at AS time, "
              "e.capture AS capture, m.url AS shown, p.text AS text, p.uid AS post"),
}
# post: the post the act is (a repost: the post reposted), for a link to it
COACTION_COLUMNS = ["account", "handle", "modality", "object", "shown", "text", "time", "seconds_after_first",
                    "capture", "post"]


def campaign_coactions(store, campaign: str) -> pd.DataFrame:
    """What a campaign's members did to the same object within the campaign's window:
    one row per act (account, object, time, seconds after the first member's act on that
    object, and the capture it was read from), by object then time.

    These acts are the campaign's evidence: who pushed what, when, seconds apart."""
    found = store.query("MATCH (a:Account)-[m:MEMBER_OF]->(c:Campaign) WHERE c.uid = $uid AND m.role <> 'amplified' "
                        "RETURN a.uid AS uid, c.params AS params", {"uid": campaign})
    if found.empty:
        return pd.DataFrame(columns=COACTION_COLUMNS)
    window = _window(found["params"].iloc[0])
    members = found["uid"].tolist()
    parts = []
    for modality, cypher in _ACTS.items():
        acts = store.query(cypher, {"members": members})
        if not acts.empty:
            parts.append(acts.assign(modality=modality))
    if not parts:
        return pd.DataFrame(columns=COACTION_COLUMNS)
    acts = pd.concat(parts, ignore_index=True).sort_values(["modality", "object", "time", "account"], kind="stable")
    acts["time"] = acts["time"].astype("int64")
    rows = []
    for _, group in acts.groupby(["modality", "object"], sort=False):
        if group["account"].nunique() < 2:
            continue
        times = group["time"].to_numpy()
        # An act counts when another member acted on the object within the window of it.
        others = [((abs(times - t) <= window) & (group["account"].to_numpy() != a)).any()
                  for t, a in zip(times, group["account"])]
        kept = group[others]
        if kept.empty:
            continue
        rows.append(kept.assign(seconds_after_first=kept["time"] - kept["time"].min()))
    if not rows:
        return pd.DataFrame(columns=COACTION_COLUMNS)
    return pd.concat(rows, ignore_index=True)[COACTION_COLUMNS].reset_index(drop=True)


def _window(params) -> int:
    """The coordination window a campaign was found with (seconds; 60 when unsaid)."""
    try:
        value = json.loads(params).get("window", 60) if isinstance(params, str) else 60
        return int(value)
    except (TypeError, ValueError, AttributeError):
        return 60


def lineage_entities(store, uid: str) -> list[str]:
    """Every Site or Account in the REAPPEARS_AS lineage through ``uid`` (itself first)."""
    found = store.query("MATCH (a)-[r:REAPPEARS_AS]->(b) RETURN a.uid AS a, b.uid AS b, r.lineage AS lineage")
    if found.empty:
        return [uid]
    lineages = set(found.loc[(found["a"] == uid) | (found["b"] == uid), "lineage"].dropna())
    chain = found[found["lineage"].isin(lineages)] if lineages else found[(found["a"] == uid) | (found["b"] == uid)]
    return list(dict.fromkeys([uid, *chain["a"], *chain["b"]]))


def case_selections(store, name: str) -> list[dict] | None:
    """The findings a saved case pins, each as a selection of :func:`finding_captures`
    (a campaign or lineage as the latest analysis finds it again), or None when no case
    has that name. Notes and tags are not evidence: they select nothing."""
    from .. import cases

    if cases.find(store, name) is None:
        return None
    selections = []
    for row in cases.load(store, name).pins.to_dict("records"):
        current = row["current"]
        if not isinstance(current, str):
            continue  # a finding the latest analysis no longer makes
        kind = current.split(":", 1)[0]
        selections.append({kind: current} if kind in ("campaign", "lineage") else {"entity": current})
    return selections


def _case_captures(store, name: str) -> pd.DataFrame:
    """A saved case (by name or uid): the captures behind what it pins. Otherwise a
    Target (a person or group attacked, by name or uid): its record, the accounts
    impersonating it and the co-actions of the campaigns that attack it."""
    from ..records import target_uid

    pinned = case_selections(store, name)
    if pinned is not None:
        if not pinned:
            raise InputError(f"the case {name!r} pins nothing the store still holds: pin entities or findings "
                             "from their pages first")
        parts = [finding_captures(store, selection) for selection in pinned]
        return pd.concat(parts, ignore_index=True).drop_duplicates("capture").reset_index(drop=True)
    uid = name if name.startswith("target:") else target_uid(name)
    if _uids(store, "MATCH (t:Target) WHERE t.uid = $uid RETURN t.uid AS uid", uid=uid) == []:
        raise InputError(f"no Target {uid} in the store (graphinv query --cypher 'MATCH (t:Target) RETURN t.name' "
                         "lists them)")
    entities = [uid, *_uids(store, "MATCH (a)-[:IMPERSONATES]->(t:Target) WHERE t.uid = $uid RETURN a.uid AS uid",
                            uid=uid)]
    captures = [c for e in entities for c in evidence(store, e)["capture"].dropna()]
    for campaign in _uids(store, "MATCH (c:Campaign)-[:TARGETS]->(t:Target) WHERE t.uid = $uid RETURN c.uid AS uid",
                          uid=uid):
        captures += campaign_coactions(store, campaign)["capture"].dropna().tolist()
    return capture_rows(store, list(dict.fromkeys(captures)))


# Every finding the analyses wrote, as a selection for finding_captures.
_FINDINGS = (
    ("campaign", "MATCH (c:Campaign) RETURN c.uid AS uid, c.label AS label ORDER BY uid"),
    ("lineage", "MATCH (a)-[r:REAPPEARS_AS]->(b) RETURN r.lineage AS lineage, min(a.uid) AS uid, "
                "count(*) AS steps ORDER BY uid"),
    ("impersonation", "MATCH (a)-[i:IMPERSONATES]->(t:Target) RETURN a.uid AS uid, t.uid AS target ORDER BY uid"),
    ("takedown", "MATCH (r:Report)-[:REPORTED]->(x) RETURN r.uid AS uid, x.uid AS entity ORDER BY uid"),
)


def findings(store) -> list[dict]:
    """Every finding in the store as ``{"finding": kind, "name": …, selection…}``: each
    campaign, each lineage (by its first member), each impersonating account (with the
    Target's record) and each reported item (the report and the observations of the
    reported entity)."""
    out = []
    for kind, cypher in _FINDINGS:
        for row in store.query(cypher).to_dict("records"):
            if kind == "campaign":
                out.append({"finding": kind, "name": row["uid"], "campaign": row["uid"]})
            elif kind == "lineage":
                out.append({"finding": kind, "name": row["uid"], "lineage": row["uid"]})
            elif kind == "impersonation":
                out.append({"finding": kind, "name": row["uid"], "entities": [row["uid"], row["target"]]})
            else:
                out.append({"finding": kind, "name": row["uid"], "entities": [row["uid"], row["entity"]]})
    return out


def finding_captures(store, selection: dict) -> pd.DataFrame:
    """The capture rows a finding rests on: ``{"campaign": uid}`` (its members' co-actions),
    ``{"lineage": uid}`` (the pages, lines and observations of every generation),
    ``{"case": target name}`` (see :func:`_case_captures`), or
    ``{"entities": [uid, …]}`` / ``{"entity": uid}`` (those entities' evidence)."""
    if selection.get("campaign"):
        acts = campaign_coactions(store, selection["campaign"]).dropna(subset=["capture"])
        owner = dict(zip(acts["capture"], acts["account"]))
        return _tied(capture_rows(store, list(owner)), owner)
    if selection.get("case"):
        return _case_captures(store, selection["case"])
    if selection.get("lineage"):
        entities = lineage_entities(store, selection["lineage"])
    elif selection.get("entities") or selection.get("entity"):
        entities = list(selection.get("entities") or [selection["entity"]])
    else:
        raise InputError("say which finding: a campaign, a lineage or an entity")
    owner: dict[str, str] = {}
    for entity in entities:
        for capture in evidence(store, entity)["capture"].dropna():
            owner.setdefault(capture, entity)
    return _tied(capture_rows(store, list(owner)), owner)


def _tied(rows: pd.DataFrame, owner: dict[str, str]) -> pd.DataFrame:
    """``rows`` with ``entity``: the entity of the finding each capture belongs to (a
    lineage's site or account, a campaign member)."""
    return rows.assign(entity=rows["capture"].map(owner))


def store_folders(store) -> list[Path]:
    """Where a legacy relative path may start, beside the current folder: the embedded
    store's folder and the one above it (the default store is ``./var/graphinv.lbug``
    under the folder ingests ran from). None for a server store."""
    path = getattr(store, "path", None)
    if path is None:
        return []
    folder = Path(path).absolute().parent
    return [folder, folder.parent]


def locate(stored: str, folders=()) -> Path:
    """The file a stored path names: itself when absolute or found from the current
    folder, else the first of ``folders`` holding it (the path as stored if none does).

    >>> str(locate("/captures/a.warc.gz", [Path("/elsewhere")]))
    '/captures/a.warc.gz'
    """
    path = Path(stored)
    if path.is_absolute() or path.exists():
        return path
    for folder in folders:
        if (Path(folder) / path).exists():
            return Path(folder) / path
    return path


def verify_row(row: dict, folders=()) -> str:
    """Re-read the bytes a row points at; see the module docstring for the answers.
    ``folders``: where relative paths of older stores may start (:func:`store_folders`)."""
    if isinstance(row.get("bytes_sha256"), str) and row["bytes_sha256"]:
        return verify_capture(row, folders)
    # Stores made before captures: an observation names its WARC record and payload hash.
    warc, offset, sha = row.get("warc_file"), row.get("warc_offset"), row.get("content_sha256")
    if isinstance(warc, str) and warc and offset is not None and not pd.isna(offset):
        return _verify_warc(locate(warc, folders), int(offset), sha if isinstance(sha, str) else None)
    return "-"


def read_capture(row: dict, folders=()) -> bytes | None:
    """The bytes of a capture, cut out of its file again; None when the file is missing.
    A .gz source other than a WARC is read gunzipped (its offsets are in that stream), as
    is a WARC gzipped whole (format ``warc-gunzipped``); a capture naming a ``member``
    (a WACZ's deflated WARC) is read from that zip member."""
    import gzip
    import zipfile

    from collectors.base import open_binary

    path = locate(row["source_file"], folders)
    if not path.is_file():
        return None
    offset, length = int(row["offset"]), int(row["length"])
    member = row.get("member") if isinstance(row.get("member"), str) else None
    gunzip = row.get("format") == "warc-gunzipped" or (
        row.get("format") != "warc" and not member and path.name.lower().endswith(".gz"))
    if member:
        with zipfile.ZipFile(path) as package, package.open(member) as stored:
            handle = gzip.GzipFile(fileobj=stored) if gunzip else stored
            _skip(handle, offset)
            return handle.read(length)
    if gunzip and not path.name.lower().endswith(".gz"):
        handle = gzip.open(path, "rb")  # a gzipped WARC named .warc
    else:
        handle = open_binary(path) if gunzip else open(path, "rb")
    with handle:
        if gunzip:
            _skip(handle, offset)
        else:
            handle.seek(offset)
        return handle.read(length)


def _skip(handle, count: int) -> None:
    while count > 0:
        block = handle.read(min(count, 1 << 20))
        if not block:
            return
        count -= len(block)


def verify_capture(row: dict, folders=()) -> str:
    """``ok`` when the capture's bytes still hash to its ``bytes_sha256``; else
    ``changed`` (other or fewer bytes there), ``missing`` (no file) or ``no record``
    (the file ends before the capture's offset)."""
    try:
        data = read_capture(row, folders)
    except Exception:  # noqa: BLE001 - an unreadable or damaged file is a failed check, said as such
        return "no record"
    if data is None:
        return "missing"
    if not data and int(row["length"]):
        return "no record"  # the file now ends before the capture
    return "ok" if hashlib.sha256(data).hexdigest() == row["bytes_sha256"] else "changed"


def read_record(path: Path, offset: int):
    """(record type, target URI, sha256 of the decoded payload) of the WARC record at
    ``offset``, or None when nothing readable is there."""
    from warcio.archiveiterator import ArchiveIterator

    from ..web.warc import read_payload

    with open(path, "rb") as handle:
        handle.seek(offset)
        try:
            record = next(iter(ArchiveIterator(handle)))
        except Exception:  # noqa: BLE001 - any failure means no record at this offset
            return None
        _, sha, _ = read_payload(record, 0)  # hashed as the web collector hashes it
        return record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), sha


def _verify_warc(path: Path, offset: int, sha: str | None) -> str:
    if not path.is_file():
        return "missing"
    found = read_record(path, offset)
    if found is None:
        return "no record"
    _, _, actual = found
    if not sha:
        return "record"
    return "ok" if actual == sha else "changed"
