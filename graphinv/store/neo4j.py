"""The server store: Neo4j through the official driver, for teams and for scale.

Upserts are batched UNWIND statements. Rows whose key is not stored yet (found by a
batched index lookup first) are CREATEd; the others go through MERGE, whose SET
clauses are generated from the schema's merge rules, so the server applies the same
rules as the embedded store.
"""

from __future__ import annotations

import contextlib
import os
import threading

import numpy as np
import pandas as pd

from ..errors import ReadOnlyError, StoreError
from ..schema import neo4j_ddl
from .base import GraphStore
from .frames import to_params
from .gate import Limits

BATCH = 10_000
# Rows written per server transaction at most (see transaction()).
TX_ROWS = 20_000
# uids per existence check (index seeks only: larger batches than writes).
CHECK_BATCH = 50_000


def _merge_expression(target: str, name: str, rule: str) -> str:
    """Cypher for one property's merge rule (``row`` holds the incoming values)."""
    new, old = f"row.{name}", f"{target}.{name}"
    if rule == "min":
        return f"CASE WHEN {new} IS NULL THEN {old} WHEN {old} IS NULL OR {new} < {old} THEN {new} ELSE {old} END"
    if rule == "max":
        return f"CASE WHEN {new} IS NULL THEN {old} WHEN {old} IS NULL OR {new} > {old} THEN {new} ELSE {old} END"
    if rule == "union":
        return (f"CASE WHEN {new} IS NULL THEN {old} ELSE coalesce({old}, []) + "
                f"[x IN {new} WHERE NOT x IN coalesce({old}, [])] END")
    return f"coalesce({new}, {old})"


class Neo4jStore(GraphStore):
    """``bolt://``, ``neo4j://``, ``neo4j+s://`` URIs; credentials from the environment."""

    backend = "neo4j"

    def __init__(self, uri: str, user: str | None = None, password: str | None = None,
                 database: str | None = None, read_only: bool = False):
        import neo4j
        from neo4j import exceptions

        self.uri = uri
        self.read_only = read_only
        self.database = database
        user = user or os.environ.get("GRAPHINV_NEO4J_USER", "neo4j")
        password = password if password is not None else os.environ.get("GRAPHINV_NEO4J_PASSWORD")
        if not password:
            raise StoreError("no Neo4j password: set GRAPHINV_NEO4J_PASSWORD (and GRAPHINV_NEO4J_USER)")
        try:
            self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password),
                                                      notifications_min_severity="OFF")
            self._driver.verify_connectivity()
        except exceptions.AuthError:
            raise StoreError(f"Neo4j at {uri} refused user {user!r}: wrong GRAPHINV_NEO4J_USER or "
                             "GRAPHINV_NEO4J_PASSWORD") from None
        except (exceptions.ServiceUnavailable, OSError) as exc:
            raise StoreError(f"no Neo4j server answers at {uri} ({str(exc).splitlines()[0]}); "
                             "start one with `make neo4j` or check the URI") from None
        except (ValueError, exceptions.ConfigurationError) as exc:
            raise StoreError(f"bad Neo4j URI {uri!r}: {exc}") from None
        self._write_lock = threading.Lock()
        self._local = threading.local()  # the explicit transaction of this thread, if any
        self._constraints_made = not read_only
        if not read_only:
            for statement in neo4j_ddl(self.schema):
                self._run(statement, write=True)

    def kind_of(self, var: str, rel: bool = False) -> str:
        return f"type({var})" if rel else f"labels({var})[0]"

    def leaves(self, rel: str, node: str) -> str:
        return f"startNode({rel}) = {node}"

    def _run(self, cypher: str, params: dict | None = None, write: bool = False,
             limits: Limits | None = None) -> pd.DataFrame:
        import neo4j
        from neo4j import exceptions, graph

        cap = limits.rows if limits else None
        seconds = limits.seconds if limits else None

        def work(tx):
            result = tx.run(cypher, params or {})
            keys = list(result.keys())
            rows, truncated = [], False
            for record in result:
                if cap is not None and len(rows) >= cap:
                    truncated = True
                    break
                rows.append([_plain(v, graph) for v in record.values()])
            frame = pd.DataFrame(rows, columns=keys)
            if truncated:
                frame.attrs.update(truncated=True, rows_cap=cap)
            return frame

        open_tx = getattr(self._local, "tx", None)
        if seconds and open_tx is None:
            work = neo4j.unit_of_work(timeout=seconds)(work)
        try:
            if open_tx is not None:  # inside transaction(): one commit for the whole block
                return work(open_tx)
            with self._driver.session(database=self.database) as session:
                return (session.execute_write if write else session.execute_read)(work)
        except exceptions.Neo4jError as exc:
            code = exc.code or ""
            if "AccessMode" in code or "Forbidden" in code:
                raise ReadOnlyError("refused: this query writes to the store and the query is read-only "
                                    "(pass write=True / --write to allow writes)") from None
            if "TransactionTimedOut" in code or "Terminated" in code:
                raise StoreError(f"the query was stopped after {seconds:g} s (the time limit); narrow it "
                                 "(a LIMIT, fewer hops) or raise the limit (--timeout, "
                                 "$GRAPHINV_QUERY_SECONDS)" if seconds else f"Neo4j: {exc.message}") from None
            if "MemoryPoolOutOfMemory" in code:
                raise StoreError("the query needs more memory than the server allows one transaction; "
                                 "narrow it (a LIMIT, fewer hops)") from None
            if isinstance(exc, exceptions.ClientError):
                raise StoreError(f"Neo4j: {exc.message}") from None
            raise

    def _query(self, cypher: str, params: dict, write: bool, limits: Limits | None) -> pd.DataFrame:
        if write and getattr(self._local, "tx", None) is not None:
            # A Cypher write may add edges to nodes created in this transaction.
            self._local.created.clear()
        return self._run(cypher, params, write=write, limits=limits)

    @contextlib.contextmanager
    def transaction(self):
        """One explicit server transaction for the block (this thread's queries run in
        it): an analysis replacing its results, or a batch of ingest, commits whole or
        not at all, up to TX_ROWS written rows: a server bounds the memory of one
        transaction (the local one at half its heap), so a bigger block commits every
        TX_ROWS rows and goes on in a new transaction (writes are idempotent upserts: an
        ingest interrupted between two parts is completed by running it again). Nested
        blocks join the outer one."""
        if getattr(self._local, "tx", None) is not None:
            yield
            return
        with self._driver.session(database=self.database) as session:
            self._local.session = session
            self._local.tx = session.begin_transaction()
            self._local.rows = 0
            # Node uids CREATEd and edge kinds written in this block (see _new_edges).
            self._local.created, self._local.edge_kinds = set(), set()
            try:
                yield
            except BaseException:
                with contextlib.suppress(Exception):
                    self._local.tx.rollback()
                raise
            else:
                self._local.tx.commit()
            finally:
                self._local.tx.close()
                self._local.tx = self._local.session = None
                self._local.created, self._local.edge_kinds = set(), set()

    def _written(self, rows: int) -> None:
        """Count rows written in the open transaction; commit it and begin the next past TX_ROWS."""
        if getattr(self._local, "tx", None) is None:
            return
        self._local.rows += rows
        if self._local.rows >= TX_ROWS:
            self._local.tx.commit()
            self._local.tx.close()
            self._local.tx = self._local.session.begin_transaction()
            self._local.rows = 0

    @contextlib.contextmanager
    def writable(self):
        """Writes go through the server's own transactions; a store opened read-only only
        refuses them, so this lifts that for the block (one writer at a time), first
        making the constraints a read-only open did not."""
        with self._write_lock:
            if not self.read_only:
                with self.transaction():
                    yield self
                return
            self.read_only = False
            try:
                if not self._constraints_made:
                    for statement in neo4j_ddl(self.schema):
                        self._run(statement, write=True)
                    self._constraints_made = True
                with self.transaction():
                    yield self
            finally:
                self.read_only = True

    def close(self) -> None:
        self._driver.close()

    def clear(self) -> None:
        self._check_writable()
        while True:
            deleted = self._run("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS c", write=True)
            if int(deleted.iloc[0, 0]) == 0:
                return

    def _batches(self, cypher: str, rows: list[dict]) -> None:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            self._run(cypher, {"rows": chunk}, write=True)
            self._written(len(chunk))

    def _set_clause(self, target: str, columns, kind) -> str:
        parts = [f"{target}.{c} = {_merge_expression(target, c, kind.properties[c].merge)}"
                 for c in columns if c != "uid" and c in kind.properties]
        return ("SET " + ", ".join(parts)) if parts else ""

    def _existing(self, kind: str, uids: list[str]) -> set[str]:
        """The uids among ``uids`` that already have a ``kind`` node (index seeks, batched)."""
        found: set[str] = set()
        for start in range(0, len(uids), CHECK_BATCH):
            got = self._run(f"UNWIND $uids AS u MATCH (n:{kind} {{uid: u}}) RETURN u",
                            {"uids": uids[start:start + CHECK_BATCH]}, write=True)
            found.update(got["u"].tolist() if not got.empty else ())
        return found

    def _upsert_nodes(self, kind: str, frame: pd.DataFrame) -> int:
        # Rows whose uid is new are CREATEd (no MERGE match-and-lock per row); only the
        # rest go through MERGE with the merge rules.
        node_kind = self.schema.nodes[kind]
        is_old = frame["uid"].isin(self._existing(kind, frame["uid"].tolist())).to_numpy()
        self._create_nodes(kind, to_params(frame[~is_old], node_kind))
        cypher = (f"UNWIND $rows AS row MERGE (n:{kind} {{uid: row.uid}}) "
                  + self._set_clause("n", frame.columns, node_kind))
        self._batches(cypher, to_params(frame[is_old], node_kind))
        return len(frame)

    def _ensure_nodes(self, kind: str, uids: list[str]) -> None:
        # Edges are written between existing ends (MATCH, then CREATE or MERGE the edge).
        existing = self._existing(kind, uids)
        self._create_nodes(kind, [{"uid": u} for u in uids if u not in existing])

    def _create_nodes(self, kind: str, rows: list[dict]) -> None:
        self._batches(f"UNWIND $rows AS row CREATE (n:{kind}) SET n = row", rows)
        if getattr(self._local, "tx", None) is not None:
            self._local.created.update(row["uid"] for row in rows)

    def _new_edges(self, kind: str, rows: pd.DataFrame) -> np.ndarray:
        """Which ``rows`` cannot be stored yet, without asking row by row: all of them when
        no ``kind`` edge exists at all (a first load), else those with an end created in
        this transaction by a kind not written to earlier in it (nodes are written before
        edges in a batch, so a post new in the batch has none of its edges yet)."""
        if self._run(f"MATCH ()-[r:{kind}]->() RETURN count(r) AS c", write=True).iloc[0, 0] == 0:
            return np.ones(len(rows), dtype=bool)
        if getattr(self._local, "tx", None) is None or kind in self._local.edge_kinds:
            return np.zeros(len(rows), dtype=bool)
        created = self._local.created
        return (rows["src"].isin(created) | rows["dst"].isin(created)).to_numpy()

    def _upsert_edges(self, kind: str, frame: pd.DataFrame) -> int:
        edge_kind = self.schema.edges[kind]
        columns = [c for c in frame.columns if c in edge_kind.properties]
        for (src_kind, dst_kind), rows in frame.groupby(["src_kind", "dst_kind"]):
            ends = (f"UNWIND $rows AS row MATCH (a:{src_kind} {{uid: row.src}}) "
                    f"MATCH (b:{dst_kind} {{uid: row.dst}}) ")
            is_new = self._new_edges(kind, rows)
            new = rows[is_new]
            self._batches(ends + f"CREATE (a)-[r:{kind}]->(b) SET r = row.props",
                          [{"src": s, "dst": d, "props": p} for s, d, p in
                           zip(new["src"], new["dst"], to_params(new[columns], edge_kind))])
            cypher = ends + f"MERGE (a)-[r:{kind} {{uid: row.uid}}]->(b) " + self._set_clause("r", columns, edge_kind)
            self._batches(cypher, to_params(rows[~is_new][["src", "dst"] + columns], edge_kind))
        if getattr(self._local, "tx", None) is not None:
            self._local.edge_kinds.add(kind)
        return len(frame)


def _plain(value, graph):
    """Driver values as plain Python: nodes and relationships become property dicts."""
    if isinstance(value, (graph.Node, graph.Relationship)):
        out = dict(value)
        out["_label"] = next(iter(value.labels)) if isinstance(value, graph.Node) and value.labels else (
            value.type if isinstance(value, graph.Relationship) else None)
        return out
    if isinstance(value, graph.Path):
        return [_plain(n, graph) for n in value.nodes]
    if isinstance(value, list):
        return [_plain(v, graph) for v in value]
    return value
