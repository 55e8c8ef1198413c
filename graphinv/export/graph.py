"""The part of the store an export shows, as a networkx MultiDiGraph.

Nodes are keyed by uid and carry ``kind``, ``label`` (a readable name) and every
non-null schema property; edges are keyed by their edge uid and carry ``kind``,
``weight`` (COORDINATED_WITH weight, REAPPEARS_AS/IMPERSONATES score, else 1) and their
properties. ``G.graph`` holds what the report needs beside the graph: the selection,
the IngestRuns the selected items came from, the public accounts (Targets' real
accounts), and the first removal time of each selected entity.

The selection is one of: a campaign (its members, evidence posts and their authors,
the URLs and sites they link, the campaign's targets), a lineage (the REAPPEARS_AS chain
with the identifiers, observations and reports of its members), the entities a named
query returns (every uid in its result, edge uids split into their two ends), or the
whole graph. Edges are all stored edges between selected nodes.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

import networkx as nx
import numpy as np
import pandas as pd

from ..errors import InputError
from ..records import PREFIX_KIND, kind_of
from ..schema import SCHEMA
from ..vocabulary import GONE_STATUSES

_LABEL_PROPS = ("handle", "domain", "title", "name", "label", "value", "tag", "url", "status", "source", "report_id")
_EDGE_UID = re.compile(r"^(?P<src>.+?)>(?P<kind>[A-Z_]+)>(?P<dst>.+?)(?:#.*)?$")


def node_label(kind: str, props: dict) -> str:
    """A short readable name for a node: its handle, domain, title, name… or its uid."""
    if kind == "Observation" and props.get("status"):
        from .common import iso
        return f"{props['status']} {iso(props.get('observed_at'))}"
    if kind == "Report" and props.get("report_id"):
        return f"report {props['report_id']}"
    for key in _LABEL_PROPS:
        value = props.get(key)
        if value not in (None, "") and not _missing(value):
            return str(value)
    return str(props.get("uid", ""))


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return False


def _clean(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    return value


def _typed(values: dict, kind) -> dict:
    """``values`` with the schema's int properties as ints: a column holding a null comes
    back from the store as floats, and a file format typing an attribute from its first
    value (GraphML, GEXF) would then declare ``long`` and hold ``1709254800.0``."""
    for name, value in values.items():
        prop = kind.properties.get(name)
        if prop is not None and prop.type == "int" and isinstance(value, float) and value.is_integer():
            values[name] = int(value)
    return values


def _uids_in(values: Iterable[Any]) -> set[str]:
    """Node uids in query results; an edge uid (src>KIND>dst#key) gives both ends."""
    found: set[str] = set()
    for value in values:
        if isinstance(value, (list, tuple, np.ndarray)):
            found |= _uids_in(value)
            continue
        if not isinstance(value, str) or ":" not in value:
            continue
        edge = _EDGE_UID.match(value)
        if edge and edge["kind"] in SCHEMA.edges:
            found |= _uids_in([edge["src"], edge["dst"]])
        elif value.split(":", 1)[0] in PREFIX_KIND:
            found.add(value)
    return found


def _column(frame: pd.DataFrame, name: str) -> list:
    return [v for v in frame[name].tolist() if isinstance(v, str)] if name in frame.columns else []


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _json_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _selection_uids(store, campaign, lineage, query, params) -> set[str] | None:
    from .. import queries

    if campaign:
        found = store.query("MATCH (c:Campaign) WHERE c.uid = $c RETURN c.uid AS uid", {"c": campaign})
        if found.empty:
            raise InputError(f"no campaign {campaign!r} in the store; `graphinv query campaigns` lists them")
        uids = {campaign}
        uids |= set(_column(queries.run(store, "campaign_members", campaign=campaign), "account"))
        evidence = queries.run(store, "campaign_evidence", campaign=campaign)
        posts = set(_column(evidence, "post"))
        uids |= posts | set(_column(evidence, "account"))
        if posts:
            links = store.query("MATCH (p:Post)-[:LINKS_TO]->(u:Url) WHERE p.uid IN $p "
                                "OPTIONAL MATCH (u)-[:ON_SITE]->(s:Site) RETURN u.uid AS url, s.uid AS site",
                                {"p": sorted(posts)})
            uids |= set(_column(links, "url")) | set(_column(links, "site"))
        targets = store.query("MATCH (c:Campaign)-[:TARGETS]->(t:Target) WHERE c.uid = $c RETURN t.uid AS t",
                              {"c": campaign})
        return uids | set(_column(targets, "t"))
    if lineage:
        found = store.query("MATCH (n) WHERE n.uid = $u RETURN n.uid AS uid", {"u": lineage})
        if found.empty:
            raise InputError(f"no entity {lineage!r} in the store")
        steps = queries.run(store, "lineage", uid=lineage)
        members = {lineage} | set(_column(steps, "predecessor")) | set(_column(steps, "successor"))
        around = store.query(
            "MATCH (n)-[:USES]->(i:Identifier) WHERE n.uid IN $m RETURN i.uid AS uid "
            "UNION MATCH (o:Observation)-[:OBSERVED]->(n) WHERE n.uid IN $m RETURN o.uid AS uid "
            "UNION MATCH (r:Report)-[:REPORTED]->(n) WHERE n.uid IN $m RETURN r.uid AS uid "
            "UNION MATCH (p:Post)-[:ON_SITE]->(n:Site) WHERE n.uid IN $m RETURN p.uid AS uid",
            {"m": sorted(members)})
        # The articles and posts a step's evidence pairs, so the report can set them side by side.
        paired = {e[k] for text in _column(steps, "evidence") for name in ("articles", "posts")
                  for e in _json_list(_json_object(text).get(name)) if isinstance(e, dict) for k in ("old", "new")
                  if isinstance(e.get(k), str)}
        return members | set(_column(around, "uid")) | paired
    if query:
        result = queries.run(store, query, **(params or {}))
        uids = _uids_in(v for col in result.columns for v in result[col].tolist())
        if not uids:
            raise InputError(f"query {query!r} returned no entities to export")
        return uids
    return None


def _fetch_nodes(store, uids: set[str] | None) -> dict[str, tuple[str, dict]]:
    by_kind: dict[str, list[str]] = {}
    if uids is not None:
        for uid in uids:
            by_kind.setdefault(kind_of(uid), []).append(uid)
    nodes = {}
    for kind, node_kind in SCHEMA.nodes.items():
        if (uids is not None and kind not in by_kind) or (uids is None and not node_kind.drawn):
            continue  # a whole-graph export leaves captures to evidence packages, case notes to cases
        props = list(node_kind.properties)
        cols = ", ".join(f"n.{p} AS p_{p}" for p in props)
        if uids is None:
            frame = store.query(f"MATCH (n:{kind}) RETURN {cols}")
        else:
            frame = store.query(f"MATCH (n:{kind}) WHERE n.uid IN $uids RETURN {cols}", {"uids": sorted(by_kind[kind])})
        for row in frame.to_dict("records"):
            values = {k[2:]: _clean(v) for k, v in row.items() if not _missing(_clean(v))}
            nodes[values["uid"]] = (kind, _typed(values, node_kind))
    return nodes


def _fetch_edges(store, uids: set[str] | None) -> list[tuple[str, str, str, str, dict]]:
    edges = []
    for kind, edge_kind in SCHEMA.edges.items():
        if uids is None and not all(SCHEMA.nodes[a].drawn and SCHEMA.nodes[b].drawn for a, b in edge_kind.between):
            continue  # edges of kinds a whole-graph export leaves out
        props = list(edge_kind.properties)
        cols = ", ".join(f"r.{p} AS p_{p}" for p in props)
        where = "" if uids is None else "WHERE a.uid IN $uids AND b.uid IN $uids "
        frame = store.query(f"MATCH (a)-[r:{kind}]->(b) {where}RETURN a.uid AS src, b.uid AS dst, {cols}",
                            {} if uids is None else {"uids": sorted(uids)})
        for row in frame.to_dict("records"):
            values = _typed({k[2:]: _clean(v) for k, v in row.items()
                             if k.startswith("p_") and not _missing(_clean(v))}, edge_kind)
            edges.append((row["src"], row["dst"], kind, values.get("uid") or f"{row['src']}>{kind}>{row['dst']}",
                          values))
    return edges


def _weight(kind: str, props: dict) -> float:
    for key in ("weight", "score"):
        if props.get(key) is not None:
            return float(props[key])
    return 1.0


def _time(props: dict, *keys: str) -> int | None:
    for key in keys:
        value = props.get(key)
        if value is not None and not _missing(value):
            return int(value)
    return None


def selection_graph(store, campaign: str | None = None, lineage: str | None = None, query: str | None = None,
                    params: dict | None = None) -> nx.MultiDiGraph:
    """The selected part of ``store`` as a MultiDiGraph (see the module docstring)."""
    uids = _selection_uids(store, campaign, lineage, query, params)
    nodes = _fetch_nodes(store, uids)
    G = nx.MultiDiGraph()
    for uid, (kind, props) in sorted(nodes.items()):
        attrs = {k: v for k, v in props.items() if k not in ("uid", "label", "kind", "time")}
        if "kind" in props:  # Target.kind (person, group) must not hide the node kind
            attrs["target_kind"] = props["kind"]
        G.add_node(uid, kind=kind, label=node_label(kind, props), time=_time(
            props, "created_at", "observed_at", "reported_at", "first_time", "started_at", "first_seen"), **attrs)
    for src, dst, kind, uid, props in sorted(_fetch_edges(store, set(nodes) if uids is not None else None),
                                             key=lambda e: e[3]):
        if src not in G or dst not in G:
            continue
        attrs = {k: v for k, v in props.items() if k not in ("uid", "weight", "kind", "time", "key")}
        if props.get("key"):  # the discriminator of repeated edges; `key` is networkx's edge key
            attrs["repeat_key"] = props["key"]
        G.add_edge(src, dst, key=uid, kind=kind, weight=_weight(kind, props),
                   time=_time(props, "time", "first_time"), **attrs)
    G.graph.update(_context(store, G, campaign=campaign, lineage=lineage, query=query, params=params))
    if campaign or lineage:
        from ..capture.evidence import campaign_coactions, finding_captures

        G.graph["captures"] = finding_captures(store, {"campaign": campaign, "lineage": lineage})
        if campaign:
            G.graph["coactions"] = campaign_coactions(store, campaign)
    G.graph["case_tags"] = _case_tags(store, G, campaign, lineage)
    noticed = {d.get("report_id") for _, d in G.nodes(data=True) if d.get("kind") == "Report" and d.get("noticed_at")}
    if noticed:
        from ..analysis.ledger import ledger

        # The selection's noticed reports: their 48-hour ledger (the report's exhibit).
        items = ledger(store)["items"]
        G.graph["ledger"] = items[items["report_id"].isin(noticed)].reset_index(drop=True)
    return G


def _case_tags(store, G: nx.MultiDiGraph, campaign: str | None, lineage: str | None) -> list[dict]:
    """What the newsroom's cases say of the selection and its nodes: tags (a "false
    positive" above all) with who, when and their note; the report shows them."""
    from .. import cases

    tags = cases.tags(store)
    lineages = {d.get("lineage") for *_, d in G.edges(data=True) if d.get("lineage")}
    tags = tags[tags["current"].isin(set(G.nodes) | lineages | {campaign, lineage})]
    return [{k: (None if v != v else v) for k, v in row.items()} for row in tags.to_dict("records")]


def _context(store, G: nx.MultiDiGraph, **selection) -> dict:
    """Provenance and facts the report and the pseudonymiser need."""
    node_uids = sorted(G.nodes)
    run_uids = sorted({r for _, d in G.nodes(data=True) for r in (d.get("runs") or [])}
                      | {r for *_, d in G.edges(data=True) for r in (d.get("runs") or [])})
    runs = {}
    if run_uids:
        frame = store.query("MATCH (r:IngestRun) WHERE r.uid IN $runs RETURN r.uid AS uid, r.source AS source, "
                            "r.sha256 AS sha256, r.collector AS collector, r.started_at AS started_at, "
                            "r.finished_at AS finished_at, r.items AS items, r.rejected AS rejected",
                            {"runs": run_uids})
        runs = {row["uid"]: {k: _clean(v) for k, v in row.items() if not _missing(v)}
                for row in frame.to_dict("records")}
    public = store.query("MATCH (t:Target) RETURN t.accounts AS accounts")
    public_accounts = sorted({a for accounts in public["accounts"].tolist() if accounts is not None
                              and not (isinstance(accounts, float)) for a in _clean(accounts)})
    removed = {}
    if node_uids:
        frame = store.query("MATCH (o:Observation)-[:OBSERVED]->(e) WHERE e.uid IN $uids AND o.status IN $removed "
                            "RETURN e.uid AS uid, min(o.observed_at) AS removed_at",
                            {"uids": node_uids, "removed": list(GONE_STATUSES)})
        removed = {row["uid"]: int(row["removed_at"]) for row in frame.to_dict("records")}
    chosen = {k: v for k, v in selection.items() if v}
    return {"selection": chosen, "runs": runs, "public_accounts": public_accounts, "removed_at": removed,
            "store": store.uri}
