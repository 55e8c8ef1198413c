"""The graph schema as data (``schema.yaml``) and what is generated from it.

>>> SCHEMA.nodes["Account"].properties["handle"].type
'string'
>>> [pair for pair in SCHEMA.edges["MENTIONS"].between]
[('Post', 'Account'), ('Post', 'Target')]
>>> SCHEMA.nodes["Account"].properties["first_seen"].merge
'min'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from .errors import GraphinvError

TYPES = ("string", "int", "float", "bool", "strings")
MERGES = ("latest", "min", "max", "union")

# Properties every node and edge carries; the merge rules are the contract of upserts.
COMMON = {
    "uid": ("string", "latest"),
    "first_seen": ("int", "min"),
    "last_seen": ("int", "max"),
    "runs": ("strings", "union"),
}
EDGE_COMMON = {"key": ("string", "latest")}


@dataclass(frozen=True)
class Property:
    name: str
    type: str
    merge: str = "latest"


@dataclass(frozen=True)
class NodeKind:
    name: str
    description: str
    colour: str
    properties: dict[str, Property]
    # False for provenance and working notes (Capture, CaseFile, Note): left out of graphs,
    # neighbourhoods and whole-graph exports unless asked for by name.
    drawn: bool = True


@dataclass(frozen=True)
class EdgeKind:
    name: str
    between: tuple[tuple[str, str], ...]
    properties: dict[str, Property]
    repeats: bool = False
    analysis: bool = False


@dataclass(frozen=True)
class Schema:
    nodes: dict[str, NodeKind]
    edges: dict[str, EdgeKind] = field(default_factory=dict)

    def kind(self, name: str) -> NodeKind | EdgeKind:
        if name in self.nodes:
            return self.nodes[name]
        if name in self.edges:
            return self.edges[name]
        raise GraphinvError(f"unknown kind {name!r}; `graphinv schema` lists the kinds")

    @property
    def drawn(self) -> list[str]:
        """The node kinds graphs show by default (not captures nor case notes)."""
        return [name for name, kind in self.nodes.items() if kind.drawn]


def _property(name: str, spec: Any) -> Property:
    if isinstance(spec, str):
        spec = {"type": spec}
    ptype = spec.get("type")
    merge = spec.get("merge", "union" if ptype == "strings" else "latest")
    if ptype not in TYPES or merge not in MERGES:
        raise GraphinvError(f"schema property {name!r}: bad type {ptype!r} or merge {merge!r}")
    return Property(name, ptype, merge)


def _properties(spec: dict, common: dict) -> dict[str, Property]:
    props = {name: Property(name, t, m) for name, (t, m) in common.items()}
    for name, pspec in (spec or {}).items():
        props[name] = _property(name, pspec)
    return props


def load_schema(text: str | None = None) -> Schema:
    """Parse the schema; ``text`` defaults to the packaged ``schema.yaml``."""
    if text is None:
        text = resources.files("graphinv").joinpath("schema.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    nodes = {
        name: NodeKind(name, spec.get("description", ""), spec.get("colour", "#999999"),
                       _properties(spec.get("properties"), COMMON), bool(spec.get("drawn", True)))
        for name, spec in raw["nodes"].items()
    }
    edges = {}
    for name, spec in raw["edges"].items():
        between = tuple((a, b) for a, b in spec["between"])
        for a, b in between:
            if a not in nodes or b not in nodes:
                raise GraphinvError(f"schema edge {name}: unknown endpoint in {a}->{b}")
        edges[name] = EdgeKind(name, between, _properties(spec.get("properties"), COMMON | EDGE_COMMON),
                               bool(spec.get("repeats")), bool(spec.get("analysis")))
    return Schema(nodes, edges)


SCHEMA = load_schema()

_LADYBUG_TYPES = {"string": "STRING", "int": "INT64", "float": "DOUBLE", "bool": "BOOLEAN",
                  "strings": "STRING[]"}


def ladybug_ddl(schema: Schema = SCHEMA) -> list[str]:
    """CREATE statements for the embedded store: one node table per kind, one rel table per edge kind."""
    ddl = []
    for kind in schema.nodes.values():
        cols = ", ".join(f"{p.name} {_LADYBUG_TYPES[p.type]}" for p in kind.properties.values())
        ddl.append(f"CREATE NODE TABLE IF NOT EXISTS {kind.name}({cols}, PRIMARY KEY (uid))")
    for kind in schema.edges.values():
        pairs = ", ".join(f"FROM {a} TO {b}" for a, b in kind.between)
        cols = ", ".join(f"{p.name} {_LADYBUG_TYPES[p.type]}" for p in kind.properties.values())
        ddl.append(f"CREATE REL TABLE IF NOT EXISTS {kind.name}({pairs}, {cols})")
    return ddl


def ladybug_migrations(stored: dict[str, list[str]], schema: Schema = SCHEMA) -> list[str]:
    """ALTER statements that bring tables made by an earlier schema up to this one.

    ``stored`` maps each existing table to its column names in order. Bulk loads are
    positional, so properties may only have been added at the end of a kind; anything
    else cannot be migrated in place and raises StoreError.

    >>> ladybug_migrations({"Watch": ["uid", "first_seen", "last_seen", "runs", "entity", "url"]})[:1]
    ['ALTER TABLE Watch ADD IF NOT EXISTS added_at INT64']
    """
    from .errors import StoreError

    out = []
    for kind in [*schema.nodes.values(), *schema.edges.values()]:
        have = stored.get(kind.name)
        if have is None:
            continue  # a new table: CREATE makes it
        want = list(kind.properties)
        have = [name for name in have if not name.startswith("_")]  # a store's own bookkeeping
        if want[: len(have)] != have:
            raise StoreError(f"the store's {kind.name} table was made by an incompatible version of graphinv "
                             f"(columns {', '.join(have)}); ingest into a new store")
        out += [f"ALTER TABLE {kind.name} ADD IF NOT EXISTS {name} {_LADYBUG_TYPES[kind.properties[name].type]}"
                for name in want[len(have):]]
    return out


def neo4j_ddl(schema: Schema = SCHEMA) -> list[str]:
    """Uniqueness constraints on node uids and indexes on the properties queries filter on."""
    ddl = []
    for kind in schema.nodes.values():
        ddl.append(f"CREATE CONSTRAINT {kind.name.lower()}_uid IF NOT EXISTS "
                   f"FOR (n:{kind.name}) REQUIRE n.uid IS UNIQUE")
    for name, prop in (("Post", "created_at"), ("Account", "handle"), ("Site", "domain"),
                       ("Observation", "entity"), ("Report", "url"), ("Identifier", "value")):
        ddl.append(f"CREATE INDEX {name.lower()}_{prop} IF NOT EXISTS FOR (n:{name}) ON (n.{prop})")
    # No index on relationship uids: with one, Neo4j 5.26 plans MERGE (a)-[r {uid}]->(b)
    # between bound nodes as an index seek that ran at ~60 rows/s instead of ~8k rows/s
    # expanding from `a` (bench/ingest.py). Stores made before this are cleaned up here.
    for kind in schema.edges.values():
        ddl.append(f"DROP INDEX {kind.name.lower()}_uid IF EXISTS")
    return ddl


def describe(schema: Schema = SCHEMA) -> str:
    """The schema as readable text, for `graphinv schema`."""
    lines = ["Nodes (key: uid; every node and edge also has first_seen, last_seen, runs)", ""]
    for kind in schema.nodes.values():
        lines.append(f"  {kind.name}: {kind.description}")
        props = [f"{p.name} {p.type}" + ("" if p.merge == "latest" or p.name in COMMON else f" [{p.merge}]")
                 for p in kind.properties.values() if p.name not in COMMON]
        lines.append("      " + ", ".join(props))
    lines += ["", "Edges", ""]
    for kind in schema.edges.values():
        ends = ", ".join(f"{a}->{b}" for a, b in kind.between)
        tags = (("  (repeats: keyed by `key`)" if kind.repeats else "")
                + ("  (written by analysis)" if kind.analysis else ""))
        lines.append(f"  {kind.name}: {ends}{tags}")
        props = [f"{p.name} {p.type}" for p in kind.properties.values()
                 if p.name not in COMMON and p.name not in EDGE_COMMON]
        if props:
            lines.append("      " + ", ".join(props))
    return "\n".join(lines)
