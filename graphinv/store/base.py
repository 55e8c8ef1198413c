"""The one store interface both backends implement."""

from __future__ import annotations

import abc
import contextlib
from typing import Any

import pandas as pd

from ..errors import GraphinvError, InputError
from ..records import PREFIX_KIND
from ..schema import SCHEMA, Schema
from .frames import check_columns, combine_rows
from .gate import Limits, check_read, parameters

EDGE_ENDPOINTS = ("src", "dst")


class GraphStore(abc.ABC):
    """A graph store: idempotent bulk upserts, Cypher queries, counts.

    Node frames have a ``uid`` column and schema properties. Edge frames have ``src``
    and ``dst`` (node uids; their kinds follow from the uid prefix), an optional ``key``
    (for edges that repeat) and schema properties; the edge ``uid`` is derived.
    Endpoints that are not in the store yet are created as bare nodes, so no edge is
    ever dropped for want of its ends.
    """

    uri: str
    backend: str  # "embedded" or "neo4j": the dialect of Cypher it speaks
    schema: Schema = SCHEMA
    read_only: bool = False

    # -- writes --------------------------------------------------------------------
    def upsert_nodes(self, kind: str, frame: pd.DataFrame) -> int:
        """Insert or merge nodes of ``kind``; returns the number of rows written."""
        node_kind = self.schema.nodes.get(kind)
        if node_kind is None:
            raise GraphinvError(f"unknown node kind {kind!r}; `graphinv schema` lists them")
        if frame.empty:
            return 0
        self._check_writable()
        check_columns(frame, node_kind)
        if "uid" not in frame.columns or frame["uid"].isna().any():
            raise GraphinvError(f"{kind} rows need a uid")
        with self.transaction():
            return self._upsert_nodes(node_kind.name, combine_rows(frame, node_kind))

    def upsert_edges(self, kind: str, frame: pd.DataFrame) -> int:
        """Insert or merge edges of ``kind``; returns the number of rows written."""
        edge_kind = self.schema.edges.get(kind)
        if edge_kind is None:
            raise GraphinvError(f"unknown edge kind {kind!r}; `graphinv schema` lists them")
        if frame.empty:
            return 0
        self._check_writable()
        check_columns(frame, edge_kind, extra=EDGE_ENDPOINTS)
        frame = frame.copy()
        if "key" not in frame.columns:
            frame["key"] = ""
        frame["key"] = frame["key"].fillna("").astype(str)
        frame["uid"] = (frame["src"] + ">" + kind + ">" + frame["dst"]).where(
            frame["key"] == "", frame["src"] + ">" + kind + ">" + frame["dst"] + "#" + frame["key"])
        for end in EDGE_ENDPOINTS:
            frame[f"{end}_kind"] = endpoint_kinds(frame[end], f"{kind} {end}")
        pairs = set(edge_kind.between)
        allowed = {f"{a}>{b}" for a, b in pairs}
        bad = frame[~(frame["src_kind"] + ">" + frame["dst_kind"]).isin(allowed)]
        if not bad.empty:
            row = bad.iloc[0]
            raise GraphinvError(f"{kind} cannot go from {row.src_kind} to {row.dst_kind} "
                                f"({row.src} -> {row.dst}); allowed: {sorted(pairs)}")
        frame = combine_rows(frame, edge_kind)
        with self.transaction():
            for end in EDGE_ENDPOINTS:
                for node_kind, uids in frame.groupby(f"{end}_kind")[end]:
                    self._ensure_nodes(node_kind, uids.unique().tolist())
            return self._upsert_edges(edge_kind.name, frame)

    def delete_edges(self, kind: str, where: str = "", params: dict | None = None) -> None:
        """Delete edges of ``kind`` (analysis results being replaced)."""
        self._check_writable()
        self.schema.kind(kind)
        self.query(f"MATCH ()-[r:{kind}]->() {where} DELETE r", params or {}, write=True)

    def delete_nodes(self, kind: str, where: str = "", params: dict | None = None) -> None:
        self._check_writable()
        self.schema.kind(kind)
        self.query(f"MATCH (n:{kind}) {where} DETACH DELETE n", params or {}, write=True)

    # -- dialect: where the two stores spell Cypher differently ------------------------
    @abc.abstractmethod
    def kind_of(self, var: str, rel: bool = False) -> str:
        """Cypher for the kind (label or type) of node or relationship variable ``var``."""

    @abc.abstractmethod
    def leaves(self, rel: str, node: str) -> str:
        """Cypher that is true when relationship ``rel`` starts at node ``node``."""

    @property
    def label(self) -> str:
        """How the app and reports name this store, e.g. ``demo.lbug · embedded``."""
        return f"{self.uri} · {self.backend}"

    @contextlib.contextmanager
    def transaction(self):
        """Group writes into one commit: all of them or none (an analysis replacing its
        results, a batch of ingest). Each store says how."""
        yield

    @contextlib.contextmanager
    def writable(self):
        """Write for a moment through a store opened read-only (the app saving a case
        note): ``with store.writable(): store.upsert_nodes(...)``. Each backend says how."""
        self._check_writable()
        with self.transaction():
            yield self

    # -- reads -----------------------------------------------------------------------
    def query(self, cypher: str, params: dict | None = None, write: bool = False,
              limits: Limits | None = None) -> pd.DataFrame:
        """Run Cypher. A read (``write`` False) passes the query gate first (one statement
        of read clauses, see :mod:`graphinv.store.gate`) and is refused with ReadOnlyError
        otherwise; ``limits`` bound its run time and rows (a capped frame has
        ``attrs["truncated"]``)."""
        if write:
            self._check_writable()
        else:
            cypher = check_read(cypher)
        missing = sorted(parameters(cypher) - set(params or {}))
        if missing:
            # Unbound, a parameter is null on one store and an error on the other; say so here.
            raise InputError(f"the query uses ${missing[0]} but no value was given for it "
                             f"(--param {missing[0]}=VALUE on the command line, or in the console's parameters)")
        return self._query(cypher, params or {}, write, limits)

    @abc.abstractmethod
    def _query(self, cypher: str, params: dict, write: bool, limits: Limits | None) -> pd.DataFrame:
        """Run one statement that the gate let through (or a write the caller asked for)."""

    def counts(self) -> dict[str, int]:
        """Number of nodes and edges per kind, every kind of the schema included."""
        out = {}
        for kind in self.schema.nodes:
            out[kind] = int(self.query(f"MATCH (n:{kind}) RETURN count(n) AS c").iloc[0, 0])
        for kind in self.schema.edges:
            out[kind] = int(self.query(f"MATCH ()-[r:{kind}]->() RETURN count(r) AS c").iloc[0, 0])
        return out

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- backend parts -----------------------------------------------------------------
    @abc.abstractmethod
    def _upsert_nodes(self, kind: str, frame: pd.DataFrame) -> int: ...

    @abc.abstractmethod
    def _upsert_edges(self, kind: str, frame: pd.DataFrame) -> int: ...

    @abc.abstractmethod
    def _ensure_nodes(self, kind: str, uids: list[str]) -> None: ...

    @abc.abstractmethod
    def clear(self) -> None:
        """Delete everything (tests and `--fresh` ingests)."""

    def _check_writable(self) -> None:
        if self.read_only:
            from ..errors import ReadOnlyError
            raise ReadOnlyError(f"store {self.uri} is open read-only")


# The three first letters of every uid prefix differ, so a vectorised slice finds the kind.
_PREFIX3 = {prefix[:3]: prefix for prefix in PREFIX_KIND}
assert len(_PREFIX3) == len(PREFIX_KIND)


def endpoint_kinds(uids: pd.Series, what: str) -> pd.Series:
    """The node kind of each uid, from its prefix; an unknown prefix is an error."""
    prefixes = uids.str.slice(0, 3).map(_PREFIX3)
    for prefix, part in uids.groupby(prefixes, dropna=False):
        if pd.isna(prefix) or not part.str.startswith(prefix + ":").all():
            bad = part[~part.str.startswith(f"{prefix}:")] if not pd.isna(prefix) else part
            raise GraphinvError(f"{what} {bad.iloc[0]!r} has no known kind prefix")
    return prefixes.map(PREFIX_KIND)
