"""Cases: a journalist's investigation, kept in the store beside the evidence.

A case is a ``CaseFile`` node and the ``Note`` entries written in it, each written once and
never changed: ``pin``/``unpin`` an entity or finding, a ``note``, a ``tag`` (verified,
to check, false positive; an empty tag takes it off) and a saved graph ``view``. What a
case holds now is those entries read in order. Entries are linked to their case
(IN_CASE) and to the entity they are about (ABOUT); they are never evidence: no capture,
finding or analysis reads them.

Campaigns and lineages are renumbered when the analyses run again, so an entry about
one keeps its members (``about_members``); :func:`current_findings` finds it again as
the finding that now shares most of those members (Jaccard ≥ 0.5), which is how a
"false positive" tag outlives re-analysis.

>>> from graphinv.store import open_store
>>> import tempfile, os
>>> with open_store(f"embedded:{tempfile.mkdtemp()}/g.lbug") as store:
...     uid = create(store, "Jane Doe harassment", author="ana")
...     _ = write(store, uid, "pin", about="site:example.org", author="ana")
...     _ = write(store, uid, "tag", about="site:example.org", tag="to check", author="ana")
...     load(store, uid).pins["about"].tolist(), load(store, uid).tags["tag"].tolist()
(['site:example.org'], ['to check'])
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import pandas as pd

from .errors import InputError, StoreError
from .records import PREFIX_KIND, case_uid
from .schema import SCHEMA

TAGS = ("verified", "to check", "false positive")
ENTRIES = ("pin", "unpin", "note", "tag", "view")
FINDING_PREFIXES = ("campaign:", "lineage:")
SAME_FINDING = 0.5  # Jaccard of members above which a re-analysed finding is the one written about
_ABOUT_KINDS = {dst for _, dst in SCHEMA.edges["ABOUT"].between}
_NOTE_COLUMNS = ["uid", "entry", "about", "about_label", "about_members", "author", "written_at", "text", "tag"]


@dataclass
class Case:
    """A case as its entries say now: ``pins`` (about, about_label, author, written_at,
    current), ``notes`` and ``tags`` (the latest tag per entity or finding), ``view``."""

    uid: str
    name: str
    description: str
    created_at: int | None
    created_by: str
    entries: pd.DataFrame

    @property
    def pins(self) -> pd.DataFrame:
        marks = self.entries[self.entries["entry"].isin(["pin", "unpin"])]
        latest = marks.drop_duplicates("about", keep="last")
        return latest[latest["entry"] == "pin"].reset_index(drop=True)

    @property
    def notes(self) -> pd.DataFrame:
        return self.entries[self.entries["entry"] == "note"].reset_index(drop=True)

    @property
    def tags(self) -> pd.DataFrame:
        latest = self.entries[self.entries["entry"] == "tag"].drop_duplicates("about", keep="last")
        return latest[latest["tag"].fillna("") != ""].reset_index(drop=True)

    @property
    def view(self) -> dict | None:
        """The last saved graph view: ``{"elements": [...], "source": page}``."""
        views = self.entries[self.entries["entry"] == "view"]
        return json.loads(views.iloc[-1]["text"]) if len(views) else None

    def summary(self) -> dict:
        """The case as plain data (the evidence package's case.json)."""
        return {"uid": self.uid, "name": self.name, "description": self.description,
                "created_at": self.created_at, "created_by": self.created_by,
                "entries": [{k: _plain(v) for k, v in row.items()} for row in self.entries.to_dict("records")]}


def _plain(value):
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and value != value:
        return None
    return value


def _missing_tables(exc: StoreError) -> bool:
    """A store made before cases existed, opened read-only, has no CaseFile or Note table."""
    text = str(exc)
    return "does not exist" in text and ("CaseFile" in text or "Note" in text or "IN_CASE" in text)


def _read(store, cypher: str, params: dict | None = None) -> pd.DataFrame | None:
    try:
        return store.query(cypher, params or {})
    except StoreError as exc:
        if _missing_tables(exc):
            return None
        raise


def cases(store) -> pd.DataFrame:
    """Every case: uid, name, created_at, created_by, entries, last_written."""
    columns = ["uid", "name", "description", "created_at", "created_by", "entries", "last_written"]
    found = _read(store, "MATCH (c:CaseFile) OPTIONAL MATCH (n:Note)-[:IN_CASE]->(c) "
                         "RETURN c.uid AS uid, c.name AS name, c.description AS description, "
                         "c.created_at AS created_at, c.created_by AS created_by, count(n) AS entries, "
                         "max(n.written_at) AS last_written ORDER BY name")
    return found if found is not None else pd.DataFrame(columns=columns)


def find(store, name_or_uid: str) -> str | None:
    """The uid of the case named or keyed ``name_or_uid``, or None."""
    uid = name_or_uid if name_or_uid.startswith("case:") else case_uid(name_or_uid)
    found = _read(store, "MATCH (c:CaseFile) WHERE c.uid = $u RETURN c.uid AS uid", {"u": uid})
    return uid if found is not None and len(found) else None


def create(store, name: str, *, author: str, description: str = "", now: int | None = None) -> str:
    """A new case named ``name``; InputError when the name is empty or taken."""
    name = " ".join(str(name or "").split())
    if not name:
        raise InputError("a case needs a name")
    if not author or not str(author).strip():
        raise InputError("say who opens the case (an author)")
    uid = case_uid(name)
    if find(store, uid):
        raise InputError(f"a case named {name!r} exists already: open it, or choose another name")
    row = {"uid": uid, "name": name, "description": description, "created_at": int(now or time.time()),
           "created_by": str(author).strip()}
    with store.writable():
        store.upsert_nodes("CaseFile", pd.DataFrame([row]))
    return uid


def write(store, case: str, entry: str, *, author: str, about: str = "", about_label: str = "", text: str = "",
          tag: str = "", now: int | None = None) -> str:
    """Add one entry to ``case`` and return its uid; the case's other entries and the
    evidence are untouched. ``about`` is an entity uid or a finding (campaign:N,
    lineage:…); a pin, unpin or tag needs one; a tag is one of TAGS or empty."""
    if entry not in ENTRIES:
        raise InputError(f"unknown case entry {entry!r}: one of {', '.join(ENTRIES)}")
    if not author or not str(author).strip():
        raise InputError("say who writes this (an author)")
    uid = find(store, case)
    if uid is None:
        raise InputError(f"no case {case!r}: `graphinv case list` names them")
    if entry in ("pin", "unpin", "tag") and not about:
        raise InputError(f"a {entry} is about an entity or a finding: say which")
    if entry == "tag" and tag not in (*TAGS, ""):
        raise InputError(f"unknown tag {tag!r}: one of {', '.join(TAGS)}")
    if entry in ("note", "view") and not str(text).strip():
        raise InputError("a note needs words" if entry == "note" else "a view needs its elements")
    moment = time.time_ns()
    note = f"note:{uid[len('case:'):]}:{moment:020d}"
    members = finding_members(store, about) if about.startswith(FINDING_PREFIXES) else []
    row = {"uid": note, "case_file": uid, "entry": entry, "about": about, "about_label": about_label or about,
           "about_members": members, "author": str(author).strip(), "written_at": int(now or moment // 10**9),
           "text": text, "tag": tag}
    kind = PREFIX_KIND.get(about.split(":", 1)[0]) if about else None
    with store.writable():
        store.upsert_nodes("Note", pd.DataFrame([row]))
        store.upsert_edges("IN_CASE", pd.DataFrame([{"src": note, "dst": uid}]))
        if kind in _ABOUT_KINDS and _exists(store, kind, about):
            store.upsert_edges("ABOUT", pd.DataFrame([{"src": note, "dst": about}]))
    return note


def _exists(store, kind: str, uid: str) -> bool:
    return len(store.query(f"MATCH (n:{kind}) WHERE n.uid = $u RETURN n.uid AS uid", {"u": uid})) > 0


def load(store, case: str) -> Case:
    """The case named or keyed ``case`` with its entries in the order written."""
    uid = find(store, case)
    if uid is None:
        raise InputError(f"no case {case!r}: `graphinv case list` names them")
    head = store.query("MATCH (c:CaseFile) WHERE c.uid = $u RETURN c.name AS name, c.description AS description, "
                       "c.created_at AS created_at, c.created_by AS created_by", {"u": uid}).iloc[0]
    entries = store.query("MATCH (n:Note)-[:IN_CASE]->(c:CaseFile) WHERE c.uid = $u RETURN "
                          + ", ".join(f"n.{c} AS {c}" for c in _NOTE_COLUMNS) + " ORDER BY uid", {"u": uid})
    entries = entries.sort_values(["written_at", "uid"], kind="stable").reset_index(drop=True)
    entries["current"] = resolve(store, entries)
    return Case(uid, str(head["name"]), _plain(head["description"]) or "", _plain(head["created_at"]),
                _plain(head["created_by"]) or "", entries)


# -- findings found again after re-analysis --------------------------------------------

def finding_members(store, uid: str) -> list[str]:
    """The accounts of a campaign or the sites and accounts of a lineage, sorted."""
    if uid.startswith("campaign:"):
        found = store.query("MATCH (a:Account)-[:MEMBER_OF]->(c:Campaign) WHERE c.uid = $u RETURN a.uid AS m",
                            {"u": uid})
    elif uid.startswith("lineage:"):
        found = store.query("MATCH (a)-[r:REAPPEARS_AS]->(b) WHERE r.lineage = $u "
                            "RETURN a.uid AS m UNION MATCH (a)-[r:REAPPEARS_AS]->(b) WHERE r.lineage = $u "
                            "RETURN b.uid AS m", {"u": uid})
    else:
        return []
    return sorted(set(found["m"].dropna()))


def current_findings(store) -> dict[str, set[str]]:
    """Every campaign and lineage the store holds now, with its members."""
    out: dict[str, set[str]] = {}
    campaigns = store.query("MATCH (a:Account)-[:MEMBER_OF]->(c:Campaign) RETURN c.uid AS f, a.uid AS m")
    steps = store.query("MATCH (a)-[r:REAPPEARS_AS]->(b) RETURN r.lineage AS f, a.uid AS m, b.uid AS m2")
    for row in campaigns.itertuples(index=False):
        out.setdefault(row.f, set()).add(row.m)
    for row in steps.itertuples(index=False):
        if row.f:
            out.setdefault(row.f, set()).update((row.m, row.m2))
    return out


def same_finding(members, findings: dict[str, set[str]], prefix: str) -> str | None:
    """The finding of ``findings`` (uid → members) with ``prefix`` that shares most of
    ``members``, when their Jaccard is at least SAME_FINDING.

    >>> same_finding(["a", "b", "c"], {"campaign:0": {"x"}, "campaign:1": {"a", "b", "c", "d"}}, "campaign:")
    'campaign:1'
    """
    members = set(members)
    best, score = None, 0.0
    for uid, now in findings.items():
        if not uid.startswith(prefix) or not members:
            continue
        jaccard = len(members & now) / len(members | now)
        if jaccard > score:
            best, score = uid, jaccard
    return best if score >= SAME_FINDING else None


def resolve(store, entries: pd.DataFrame) -> pd.Series:
    """What each entry's ``about`` is now: the entity itself, a finding found again by
    its members (maybe renumbered), or None when the latest analysis no longer finds it."""
    if entries.empty:
        return pd.Series([], dtype=object)
    findings = current_findings(store) if entries["about"].fillna("").str.startswith(FINDING_PREFIXES).any() else {}
    out = []
    for about, members in zip(entries["about"].fillna(""), entries["about_members"]):
        if not about.startswith(FINDING_PREFIXES):
            out.append(about or None)
        elif about in findings and not _plain(members):
            out.append(about)
        else:
            out.append(same_finding(_plain(members) or [], findings, about.split(":", 1)[0] + ":"))
    return pd.Series(out, index=entries.index, dtype=object)


def tags(store) -> pd.DataFrame:
    """The tag each case now gives each entity or finding: case_file, case_name, about,
    current (the uid it is now), tag, author, written_at, note (the latest note of that
    case about it). Reports and the app show these beside the findings."""
    columns = ["case_file", "case_name", "about", "current", "tag", "author", "written_at", "note"]
    found = _read(store, "MATCH (n:Note)-[:IN_CASE]->(c:CaseFile) WHERE n.entry IN ['tag', 'note'] "
                         "RETURN c.uid AS case_file, c.name AS case_name, n.uid AS uid, n.entry AS entry, "
                         "n.about AS about, n.about_members AS about_members, n.tag AS tag, n.author AS author, "
                         "n.written_at AS written_at, n.text AS text ORDER BY uid")
    if found is None or found.empty:
        return pd.DataFrame(columns=columns)
    found = found.sort_values(["written_at", "uid"], kind="stable")
    notes = found[found["entry"] == "note"].drop_duplicates(["case_file", "about"], keep="last")
    latest = found[found["entry"] == "tag"].drop_duplicates(["case_file", "about"], keep="last")
    latest = latest[latest["tag"].fillna("") != ""].copy()
    latest["current"] = resolve(store, latest)
    latest = latest.merge(notes[["case_file", "about", "text"]].rename(columns={"text": "note"}), how="left",
                          on=["case_file", "about"])
    return latest[columns].reset_index(drop=True)


def false_positives(store) -> dict[str, dict]:
    """current uid → the tag row, for every finding or entity tagged "false positive"."""
    found = tags(store)
    found = found[(found["tag"] == "false positive") & found["current"].notna()]
    return {row["current"]: row for row in found.to_dict("records")}
