"""The findings of a report and the evidence each rests on, from the selection graph.

Everything here reads :func:`graph.selection_graph`'s graph and the two frames the
selection may carry in ``G.graph``:

- ``captures``: one row per capture (a WARC record, a JSONL line, a CSV row, a
  Telegram message, a saved page) with ``uid, captured_at, time_source, format,
  source_file, source_sha256, offset, length, line, bytes_sha256, content_sha256, url,
  record_id, run`` and, when known, ``entity`` (the uid captured);
- ``coactions`` (a campaign): ``account, handle, object, modality, time,
  seconds_after_first, capture``, one row per member action within the window.

A capture is cited once as an evidence item ``E1``, ``E2``… and a source file once as
``S1``, ``S2``… (path relative to the folder that holds every source, and sha256); the
tables point to those numbers. No absolute path leaves this module: a path names the
investigator's machine, not the evidence. The reappearance steps are :mod:`.report_lineage`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import networkx as nx
import pandas as pd

from ..timefmt import iso
from .svg import AMPLIFIED

TEXT_LIMIT = 280
ROW_LIMIT = 500  # rows of one table; the rest are counted, not dropped silently


def short(text: Any, n: int = TEXT_LIMIT) -> str:
    """``text`` cut to ``n`` characters with an ellipsis.

    >>> short("abcdef", 4)
    'abc…'
    """
    text = "" if text is None else str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def parse_json(value: Any) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def frame(G: nx.MultiDiGraph, name: str) -> pd.DataFrame | None:
    """``G.graph[name]`` when it is a non-empty frame, else None."""
    value = G.graph.get(name)
    return value if isinstance(value, pd.DataFrame) and not value.empty else None


def captures_table(G: nx.MultiDiGraph) -> pd.DataFrame | None:
    """``G.graph["captures"]`` with the capture's uid in ``uid`` and the captured
    entity in ``entity``. :func:`graphinv.capture.evidence.capture_rows` names them
    ``capture`` (and the capture's URL ``capture_url``) beside an entity's own ``uid``
    and ``url``; both shapes are read."""
    table = frame(G, "captures")
    if table is None or "capture" not in table.columns:
        return table
    table = table.rename(columns={"uid": "entity"}).rename(columns={"capture": "uid"})
    if "capture_url" in table.columns:
        own = table["url"] if "url" in table.columns else pd.Series([None] * len(table), index=table.index)
        table["url"] = table["capture_url"].where(table["capture_url"].notna(), own)
    return table


def label(G: nx.MultiDiGraph, uid: Any) -> str:
    if uid is None or (isinstance(uid, float) and uid != uid):
        return ""
    return str(G.nodes[uid].get("label", uid)) if uid in G else str(uid)


# -- sources -----------------------------------------------------------------------


@dataclass
class Sources:
    """The source files the report cites, each once: ``S1``… with a path relative to
    the folder holding them all, its sha256, collector and IngestRuns."""

    rows: list[dict] = field(default_factory=list)
    by_key: dict[str, dict] = field(default_factory=dict)
    base: str = ""

    def ref(self, path: Any, sha256: Any = None) -> str:
        """The ``S…`` number of a file (by sha256, else by path); '' when unknown."""
        for key in (sha256, path):
            if isinstance(key, str) and key in self.by_key:
                return self.by_key[key]["ref"]
        return ""


def relative_paths(paths: list[str]) -> tuple[str, dict[str, str]]:
    """The folder name every absolute path shares and each path relative to it;
    relative paths stay as they are.

    >>> relative_paths(["/home/x/case/a/t.jsonl", "/home/x/case/web/c.warc.gz", "captures/r.csv"])
    ('case', {'/home/x/case/a/t.jsonl': 'a/t.jsonl', '/home/x/case/web/c.warc.gz': 'web/c.warc.gz', \
'captures/r.csv': 'captures/r.csv'})
    """
    absolute = [p for p in paths if os.path.isabs(p)]
    base = os.path.commonpath([os.path.dirname(p) for p in absolute]) if absolute else ""
    out = {p: (os.path.relpath(p, base) if os.path.isabs(p) else p) for p in paths}
    return PurePath(base).name if base else "", out


def sources(G: nx.MultiDiGraph) -> Sources:
    """Every source file of the selection: its IngestRuns' files and its captures'."""
    found: dict[str, dict] = {}
    for run in (G.graph.get("runs") or {}).values():
        path = run.get("source")
        if not path:
            continue
        key = run.get("sha256") or path
        entry = found.setdefault(key, {"path": path, "sha256": run.get("sha256") or "", "collector":
                                       run.get("collector") or "", "runs": [], "items": 0})
        entry["runs"].append(run.get("uid", ""))
        entry["items"] += int(run.get("items") or 0)
    captures = captures_table(G)
    if captures is not None and "source_file" in captures.columns:
        for row in captures.drop_duplicates("source_file").to_dict("records"):
            if not text(row.get("source_file")):
                continue
            key = text(row.get("source_sha256")) or row["source_file"]
            found.setdefault(key, {"path": row["source_file"], "sha256": text(row.get("source_sha256")),
                                   "collector": text(row.get("format")), "runs": [text(row.get("run"))],
                                   "items": 0})
    base, rel = relative_paths([e["path"] for e in found.values()])
    result = Sources(base=base)
    for i, (key, entry) in enumerate(sorted(found.items(), key=lambda kv: rel[kv[1]["path"]]), start=1):
        row = dict(entry, ref=f"S{i}", path=rel[entry["path"]], runs=sorted(set(filter(None, entry["runs"]))))
        result.rows.append(row)
        result.by_key[key] = row
        result.by_key[entry["path"]] = row
    return result


# -- evidence items (captures) --------------------------------------------------------


def _int(value: Any) -> int | None:
    try:
        if value is None or value != value:
            return None
        return int(value)
    except (TypeError, ValueError):
        return None


PER_ENTITY = 2  # captures cited per entity: its first and its last


def cited(G: nx.MultiDiGraph, campaign: str | None) -> tuple[set[str], set[str]]:
    """The entities and the captures the findings rest on: a campaign's evidence posts,
    co-acted objects and co-action captures; each lineage step's two sides, their
    pages and article pairs; takedown reports and observations; impersonators."""
    entities: set[str] = set()
    captures: set[str] = set()
    if campaign in G:
        entities |= {v for _, v, d in G.out_edges(campaign, data=True) if d.get("kind") == "EVIDENCE"}
    coactions = frame(G, "coactions")
    if coactions is not None:
        entities |= {o for o in coactions["object"] if isinstance(o, str)}
        captures |= {c for c in coactions.get("capture", pd.Series(dtype=object)) if isinstance(c, str)}
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "REAPPEARS_AS":
            entities |= step_entities(G, u, v, parse_json(d.get("evidence")))
        elif d.get("kind") == "IMPERSONATES":
            entities.add(u)
    entities |= {n for n, d in G.nodes(data=True) if d.get("kind") in ("Observation", "Report")}
    if campaign not in G and not entities:  # a query or the whole graph: its posts
        entities = {n for n, d in G.nodes(data=True) if d.get("kind") == "Post"}
    return entities, captures


def text(value: Any) -> str:
    """A cell as text: '' for None and NaN (frames from the stores hold both).

    >>> text(float("nan")), text(None), text("x")
    ('', '', 'x')
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def step_entities(G: nx.MultiDiGraph, before: str, after: str, evidence: Any) -> set[str]:
    """What a reappearance step rests on: both sides, their captured pages, the
    observations and reports of them, and the articles or posts its evidence pairs."""
    found = {before, after}
    for side in (before, after):
        found |= {n for n, _, e in G.in_edges(side, data=True) if e.get("kind") in ("ON_SITE", "OBSERVED", "REPORTED")}
    for name in ("articles", "posts"):
        entries = evidence.get(name) if isinstance(evidence, dict) else None
        for e in entries if isinstance(entries, list) else []:
            if isinstance(e, dict):
                found |= {e[k] for k in ("old", "new") if isinstance(e.get(k), str)}
    return found


def evidence_items(G: nx.MultiDiGraph, src: Sources, entities: set[str], captures: set[str]) -> list[dict]:
    """One item per cited capture, numbered ``E1``… in capture-time order (unknown
    last, in file order): what was captured, when (and read from what), where its bytes are, their
    sha256. An entity captured many times (a post inside every repost of it) is cited
    by its first and last capture; the co-actions' own captures are all cited."""
    table = captures_table(G)
    if table is None:
        return []
    if "entity" not in table.columns or table["entity"].isna().all():
        # Rows not tied to entities were chosen for the findings already: cite them all.
        captures = captures | set(table["uid"].dropna())
    rows = table.drop_duplicates("uid").to_dict("records")
    # Capture time first; captures without one in file order (their place in the file).
    rows.sort(key=lambda r: (_int(r.get("captured_at")) is None, _int(r.get("captured_at")) or 0,
                             text(r.get("source_file")), _int(r.get("offset")) or 0, str(r["uid"])))
    by_entity: dict[str, list[dict]] = {}
    chosen = {r["uid"]: r for r in rows if r["uid"] in captures}
    for row in rows:
        if isinstance(row.get("entity"), str) and row["entity"] in entities:
            by_entity.setdefault(row["entity"], []).append(row)
    for entity_rows in by_entity.values():
        picks = entity_rows if len(entity_rows) <= PER_ENTITY else [entity_rows[0], entity_rows[-1]]
        for row in picks:
            chosen.setdefault(row["uid"], dict(row, others=len(entity_rows) - len(picks)))
    ordered = [chosen[r["uid"]] for r in rows if r["uid"] in chosen]
    acts = _acts_by_capture(G)
    items, described = [], set()
    for i, row in enumerate(ordered, start=1):
        entity = text(row.get("entity"))
        node = G.nodes[entity] if entity in G else {}
        where = [src.ref(text(row.get("source_file")), text(row.get("source_sha256"))) or "source ?"]
        if _int(row.get("line")) is not None:
            where.append(f"line {_int(row['line'])}")
        if _int(row.get("offset")) is not None:
            where.append(f"offset {_int(row['offset'])}" + (f", {_int(row['length'])} bytes"
                                                            if _int(row.get("length")) is not None else ""))
        captured = _int(row.get("captured_at"))
        # A text is quoted once, at the entity's first item; later items name it.
        excerpt = "" if entity in described else short(node.get("title") or node.get("text"), 200)
        described.add(entity)
        items.append({
            "ref": f"E{i}", "uid": row["uid"], "entity": entity,
            "what": acts.get(row["uid"]) or _what(G, entity), "excerpt": excerpt,
            "captured_at": iso(captured) if captured is not None else "unknown",
            "time_source": text(row.get("time_source")) or "unknown", "format": text(row.get("format")),
            "url": text(row.get("url")) or text(node.get("url")), "location": ", ".join(where),
            "record_id": text(row.get("record_id")), "bytes_sha256": text(row.get("bytes_sha256")),
            "run": text(row.get("run")), "others": int(row.get("others") or 0),
        })
    return items


def _what(G: nx.MultiDiGraph, entity: str) -> str:
    """An entity as an evidence item names it; an observation with what it observed."""
    if entity in G and G.nodes[entity].get("kind") in ("Observation", "Report"):
        d = G.nodes[entity]
        observed = label(G, d.get("entity"))
        if d.get("kind") == "Observation":
            return f"check of {observed}: {d.get('status') or '?'}"
        return f"report of {observed} to {d.get('reported_to') or '?'}"
    return label(G, entity) if entity else ""


def _acts_by_capture(G: nx.MultiDiGraph) -> dict[str, str]:
    """Capture uid → the co-action it records, in words ("ida_dahl: repost of …")."""
    coactions = frame(G, "coactions")
    if coactions is None or "capture" not in coactions.columns:
        return {}
    return {row["capture"]: f"{text(row.get('handle')) or label(G, row.get('account'))}: {row.get('modality')} of "
            f"{short(_object(G, row), 80)}"
            for row in coactions.to_dict("records") if isinstance(row.get("capture"), str)}


def items_of(items: list[dict], entities: set[str] | None = None, uids: set[str] | None = None) -> list[dict]:
    """The evidence items about ``entities`` or with capture ``uids``."""
    return [i for i in items if (entities and i["entity"] in entities) or (uids and i["uid"] in uids)]


# -- campaign ---------------------------------------------------------------------------


def members(G: nx.MultiDiGraph, campaign: str) -> list[dict]:
    rows = []
    for u, _, d in G.in_edges(campaign, data=True):
        if d.get("kind") == "MEMBER_OF":
            a = G.nodes[u]
            rows.append({"uid": u, "label": a.get("label"), "platform": a.get("platform"),
                         "role": d.get("role") or "member", "degree": d.get("degree")})
    rows.sort(key=lambda m: (m["role"] == AMPLIFIED, -(m["degree"] or 0), m["uid"]))
    return rows


def _object(G: nx.MultiDiGraph, act: dict) -> str:
    """What a co-action acted on, as a reader knows it: the node's label, else the
    ``shown`` text the co-action table carries (a post's URL), else its uid."""
    obj = act.get("object")
    if act.get("modality") in ("text", "near_text") and text(act.get("text")):
        return f"“{short(act['text'], 100)}”"  # a text is known by its words, not its hash
    if obj in G:
        return label(G, obj)
    return text(act.get("shown")) or text(obj)


def coaction_groups(G: nx.MultiDiGraph, items: list[dict]) -> list[dict]:
    """The co-action table, one group per object in order of its first action: who
    acted when, how many seconds after the first, and the evidence item of each act."""
    coactions = frame(G, "coactions")
    if coactions is None:
        return []
    by_capture = {i["uid"]: i["ref"] for i in items}
    data = coactions.copy()
    data["first"] = data.groupby(["modality", "object"])["time"].transform("min")
    data = data.sort_values(["first", "modality", "object", "time", "account"])
    groups = []
    for (first, modality, _obj), group in data.groupby(["first", "modality", "object"], sort=False):
        acts = group.to_dict("records")
        rows = [{"account": text(act.get("handle")) or label(G, act.get("account")), "time": iso(act.get("time")),
                 "after": _int(act.get("seconds_after_first")), "evidence": by_capture.get(act.get("capture"), "")}
                for act in acts]
        groups.append({"object": _object(G, acts[0]), "modality": modality, "first": iso(first), "rows": rows})
    return groups


_VERBS = {"repost": ("reposted the same {n} post{s}", "post"),
          "url": ("shared the same {n} link{s}", "link"),
          "text": ("posted the same {n} text{s}", "text"),
          "near_text": ("posted {n} near-identical text{s}", "text"),
          "image": ("posted the same {n} image{s}", "image"),
          "hashtags": ("used the same {n} hashtag sequence{s}", "hashtag sequence")}


def join_words(words: list[str]) -> str:
    """Words as a sentence lists them.

    >>> join_words(["a"]), join_words(["a", "b", "c"]), join_words([])
    ('a', 'a, b and c', '')
    """
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def day(seconds: Any) -> str:
    return iso(seconds)[:10] or "an unknown date"


def campaign_summary(G: nx.MultiDiGraph, campaign: str) -> tuple[list[str], list[str]]:
    """Sentences saying what the campaign is and how sure the analysis is of it."""
    c = G.nodes[campaign]
    crew = [m for m in members(G, campaign) if m["role"] != AMPLIFIED]
    amplified = [m["label"] for m in members(G, campaign) if m["role"] == AMPLIFIED]
    names = {m["uid"] for m in crew}
    pairs = [d for u, v, d in G.edges(data=True)
             if d.get("kind") == "COORDINATED_WITH" and u in names and v in names]
    per_pair = [int(d.get("objects") or d.get("co_shares") or d.get("weight") or 0) for d in pairs]
    windows = sorted({int(d["window"]) for d in pairs if d.get("window") is not None})
    coactions = frame(G, "coactions")
    if coactions is not None:
        counts = coactions.groupby("modality")["object"].nunique().to_dict()
        acts = [_VERBS.get(m, ("acted on the same {n} object{s}", ""))[0].format(n=n, s="s" if n != 1 else "")
                for m, n in sorted(counts.items(), key=lambda kv: -kv[1])]
        spread = int(coactions["seconds_after_first"].max()) if "seconds_after_first" in coactions else None
        first, last = coactions["time"].min(), coactions["time"].max()
        within = f"within {spread} seconds of each other" if spread is not None else ""
    else:
        modalities = list(c.get("modalities") or [])
        n = int(c.get("objects") or 0)
        if len(modalities) == 1 and modalities[0] in _VERBS:
            acts = [_VERBS[modalities[0]][0].format(n=n, s="s" if n != 1 else "")]
        else:
            kinds = join_words([_VERBS[m][1] + "s" for m in modalities if m in _VERBS]) or "objects"
            acts = [f"acted on the same {n} objects ({kinds})"]
        within = f"within {windows[-1]} seconds of each other" if windows else ""
        first, last = c.get("first_time"), c.get("last_time")
    found = f"{len(crew)} accounts {join_words(acts)}"
    found += f" {within}" if within else ""
    if per_pair:
        lo, hi = min(per_pair), max(per_pair)
        found += f", {lo} time{'s' if lo != 1 else ''} per pair" if lo == hi else f", {lo} to {hi} times per pair"
    found += f", between {day(first)} and {day(last)}."
    what = [found]
    if amplified:
        what.append(f"The posts they pushed were written by {join_words(sorted(amplified))}, "
                    "who are not counted as members.")
    targets = [label(G, v) for _, v, d in G.out_edges(campaign, data=True) if d.get("kind") == "TARGETS"]
    if targets:
        what.append(f"The campaign targets {join_words(sorted(targets))}.")
    sure = []
    if c.get("confidence") is not None:
        sure.append(f"Confidence {float(c['confidence']) * 100:.0f} %: the share of the members' pairs that "
                    "co-acted on more distinct objects than two accounts as active would by chance.")
    reasons = list(c.get("reasons") or [])
    if reasons:
        sure.append("The analysis records these reasons: " + "; ".join(reasons) + ".")
    return what, sure


def ref_ranges(refs: list[str]) -> str:
    """Item numbers as ranges.

    >>> ref_ranges(["E1", "E2", "E3", "E5", "E7", "E8"])
    'E1–E3, E5, E7–E8'
    """
    numbers = sorted(int(r[1:]) for r in refs)
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"E{a}" if a == b else f"E{a}–E{b}" for a, b in spans)


# -- other findings ------------------------------------------------------------------------


def takedowns(G: nx.MultiDiGraph) -> list[dict]:
    rows = []
    for _n, d in G.nodes(data=True):
        if d.get("kind") == "Report":
            rows.append({"time": d.get("reported_at"), "what": "report", "entity": label(G, d.get("entity")),
                         "detail": f"to {d.get('reported_to') or '?'} ({d.get('category') or ''})"})
        elif d.get("kind") == "Observation":
            rows.append({"time": d.get("observed_at"), "what": "observation", "entity": label(G, d.get("entity")),
                         "detail": d.get("status") or ""})
    rows.sort(key=lambda t: (t["time"] or 0, t["entity"] or ""))
    return rows


def impersonations(G: nx.MultiDiGraph) -> list[dict]:
    rows = []
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "IMPERSONATES":
            evidence = parse_json(d.get("evidence"))
            rows.append({"who": label(G, u), "target": label(G, v), "score": d.get("score"),
                         "why": ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in evidence.items())
                         if isinstance(evidence, dict) else short(evidence, 200)})
    return sorted(rows, key=lambda r: (-(r["score"] or 0), r["who"]))


def posts(G: nx.MultiDiGraph, campaign: str | None, items: list[dict], src: Sources) -> list[dict]:
    """The posts the findings cite (a campaign's evidence posts, else every post), each
    with its evidence items; a post without a capture record says so."""
    if campaign in G:
        chosen = {v: d.get("modality") for _, v, d in G.out_edges(campaign, data=True) if d.get("kind") == "EVIDENCE"}
    else:
        chosen = {n: None for n, d in G.nodes(data=True) if d.get("kind") == "Post"}
    rows = []
    for post, modality in chosen.items():
        d = G.nodes[post]
        authors = [u for u, _, e in G.in_edges(post, data=True) if e.get("kind") == "POSTED"]
        own = items_of(items, entities={post})
        rows.append({"uid": post, "time": d.get("created_at"), "modality": modality or "",
                     "author": label(G, authors[0]) if authors else label(G, d.get("account")),
                     "text": short(d.get("title") or d.get("text")), "url": d.get("url") or "",
                     "refs": ref_ranges([i["ref"] for i in own]),
                     # a post read before captures were recorded still names its file
                     "source": "" if own else src.ref(d.get("source_file"))})
    rows.sort(key=lambda e: (e["time"] is None, e["time"] or 0, e["uid"]))
    return rows
