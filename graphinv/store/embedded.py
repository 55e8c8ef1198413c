"""The embedded store: LadybugDB on disk, in this process.

Writes take the bulk path: rows whose uid is new go in with COPY from an Arrow table
(hundreds of thousands of rows a second). Every row keeps the hash of the values last
merged into it (``_row_hash``, the store's own column); an incoming row with that same
hash would change nothing and is skipped without being read, so re-loading unchanged
input costs a scan of two columns. The other stored rows are read back by key (LOAD
FROM an Arrow table of keys, primary-key lookups), merged in pandas, and only those
whose values change are written back with LOAD FROM … SET. MERGE through UNWIND runs
at a few thousand rows a second, so it is not used. Each batch of writes is one
transaction: one commit, one fsync.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ReadOnlyError, StoreError
from ..schema import ladybug_ddl, ladybug_migrations
from .base import GraphStore
from .frames import merge_with_stored, row_hashes, to_arrow
from .dialect import hint, to_ladybug
from .gate import Limits

# Plan operators that change the database; a read query's plan has none of them.
_WRITE_OPERATORS = re.compile(
    r"^(SET_\w+|INSERT\w*|DELETE\w*|MERGE\w*|DROP\w*|CREATE_\w+|ALTER\w*|COPY\w*|INSTALL\w*|LOAD_EXTENSION|"
    r"UNINSTALL\w*|ATTACH\w*|DETACH_DATABASE|EXPORT\w*|IMPORT\w*|TRANSACTION|CHECKPOINT|STANDALONE_CALL\w*|"
    r"USE_DATABASE|CREATE_MACRO|PARTITIONER|BATCH_INSERT|INDEX_BUILDER)$")
_PLAN_OPERATOR = re.compile(r"([A-Z][A-Z_]{2,})\[\d+\]")
# Each row's hash of the values last merged into it (see frames.row_hashes): the store's
# own bookkeeping, not a property of the schema.
ROW_HASH = "_row_hash"
READERS = 4  # connections a read-only store opens at most, one per concurrent read


class EmbeddedStore(GraphStore):
    """``embedded:PATH`` — a LadybugDB database directory/file at PATH."""

    backend = "embedded"

    def __init__(self, path: str | Path, read_only: bool = False):
        self.path = Path(path)
        self.uri = f"embedded:{self.path}"
        if read_only and not self.path.exists():
            raise StoreError(f"no store at {self.path}: ingest something first (`graphinv ingest PATH`)")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        # Every query holds the gate while it runs; writable() waits on it for the running
        # queries to end before it reopens the database, and holds new ones until it is done.
        self._gate = threading.Condition()
        self._running = 0
        self._swapper: int | None = None
        self._conn = None
        self._open(read_only)

    def _open(self, read_only: bool) -> None:
        import ladybug

        self.read_only = read_only
        try:
            # A reader's memory is capped (the app, `query`, exports): a runaway query stops
            # with an error instead of taking the machine; writers keep the engine's default.
            self.buffer_pool = reader_memory() if read_only else 0
            self._db = ladybug.Database(str(self.path), read_only=read_only, buffer_pool_size=self.buffer_pool)
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as exc:
            message = str(exc).splitlines()[0]
            if "lock" in message.lower():
                raise StoreError(f"store {self.path} is open in another process ({message}); "
                                 "close it or open read-only") from None
            raise StoreError(f"cannot open embedded store {self.path}: {message}") from None
        # A read-only store serves several threads (the app): each read takes a connection
        # of its own from this pool, so a slow query does not hold up the others.
        self._readers: queue.LifoQueue = queue.LifoQueue()
        self._reader_conns = [self._conn]
        self._readers.put(self._conn)
        # uids per table, read once and kept in step with our own COPYs; any other write
        # (a Cypher write, a delete) drops the cache.
        self._uid_cache: dict[str, list[pa.Table]] = {}
        self._tx_depth = 0
        if not read_only:
            with self.transaction():
                for statement in ladybug_migrations(self._columns(), self.schema) + ladybug_ddl(self.schema):
                    self._execute(statement)
                for table in [*self.schema.nodes, *self.schema.edges]:
                    self._execute(f"ALTER TABLE {table} ADD IF NOT EXISTS {ROW_HASH} INT64")

    @contextlib.contextmanager
    def writable(self):
        """On a store opened read-only (the app), write for a moment: running queries end,
        the database is reopened read-write (migrated to the current schema), the block
        runs in one transaction, and the store is read-only again. Another process holding
        the store makes this a StoreError, and the store stays as it was."""
        if not self.read_only and self._swapper is None:
            with self.transaction():
                yield self
            return
        with self._gate:
            while self._swapper is not None:
                self._gate.wait()
            self._swapper = threading.get_ident()
            while self._running:
                self._gate.wait()
        try:
            self._reopen(read_only=False)
            try:
                with self.transaction():
                    yield self
            finally:
                self._reopen(read_only=True)
        finally:
            with self._gate:
                self._swapper = None
                self._gate.notify_all()

    def _reopen(self, read_only: bool) -> None:
        self._close_db()
        try:
            self._open(read_only)
        except StoreError:
            if read_only:
                raise
            self._open(True)  # the writer could not open: stay readable
            raise

    def kind_of(self, var: str, rel: bool = False) -> str:
        return f"label({var})"

    def leaves(self, rel: str, node: str) -> str:
        # Relationship uids start with their source's uid (see GraphStore.upsert_edges).
        return f"{rel}.uid STARTS WITH ({node}.uid + '>')"

    @property
    def label(self) -> str:
        return f"{self.path.name} · embedded"

    def _columns(self) -> dict[str, list[str]]:
        """The stored tables and their columns, in order."""
        tables = self._conn.execute("CALL show_tables() RETURN name").get_as_df()["name"].tolist()
        return {t: self._conn.execute(f"CALL table_info('{t}') RETURN name").get_as_df()["name"].tolist()
                for t in tables if t in self.schema.nodes or t in self.schema.edges}

    # -- queries -----------------------------------------------------------------------
    @contextlib.contextmanager
    def _connection(self):
        """The connection to run on: the writer's own (under its lock), or a reader's
        from the pool (made on demand, at most READERS). Waits while writable() swaps."""
        mine = self._swapper == threading.get_ident()
        if not mine:
            with self._gate:
                while self._swapper is not None:
                    self._gate.wait()
                self._running += 1
        try:
            if not self.read_only:
                with self._lock:
                    if self._conn is None:
                        raise StoreError(f"store {self.path} is closed")
                    yield self._conn
                return
            with self._reader() as conn:
                yield conn
        finally:
            if not mine:
                with self._gate:
                    self._running -= 1
                    self._gate.notify_all()

    @contextlib.contextmanager
    def _reader(self):
        try:
            conn = self._readers.get_nowait()
        except queue.Empty:
            conn = None
            with self._lock:
                if self._conn is None:
                    raise StoreError(f"store {self.path} is closed") from None
                if len(self._reader_conns) < READERS:
                    import ladybug

                    conn = ladybug.Connection(self._db)
                    self._reader_conns.append(conn)
            if conn is None:
                conn = self._readers.get()
        try:
            yield conn
        finally:
            self._readers.put(conn)

    def _execute(self, cypher: str, params: dict | None = None):
        with self._connection() as conn:
            try:
                return conn.execute(cypher, params or {})
            except RuntimeError as exc:
                raise StoreError(str(exc).strip().splitlines()[0]) from None

    @contextlib.contextmanager
    def transaction(self):
        with self._lock:
            if self._tx_depth:
                self._tx_depth += 1
                try:
                    yield
                finally:
                    self._tx_depth -= 1
                return
            self._execute("BEGIN TRANSACTION")
            self._tx_depth = 1
            try:
                yield
            except BaseException:
                self._tx_depth = 0
                self._uid_cache.clear()
                with contextlib.suppress(StoreError):
                    self._execute("ROLLBACK")
                raise
            self._tx_depth = 0
            self._execute("COMMIT")

    def _query(self, cypher: str, params: dict, write: bool, limits: Limits | None) -> pd.DataFrame:
        cypher = to_ladybug(cypher)  # labels(n)[0], type(r)… answer as on Neo4j
        if write:
            self._uid_cache.clear()
        seconds = limits.seconds if limits else None
        cap = limits.rows if limits else None
        with self._connection() as conn:
            if not write and _plan_writes(conn, cypher, params):
                raise ReadOnlyError("refused: this query writes to the store and the query is read-only "
                                    "(pass write=True / --write to allow writes)")
            if seconds:
                conn.set_query_timeout(max(1, int(seconds * 1000)))
            try:
                result = conn.execute(cypher, params)
            except RuntimeError as exc:
                raise self._query_error(str(exc).strip().splitlines()[0], seconds) from None
            finally:
                if seconds:
                    conn.set_query_timeout(0)
            if isinstance(result, list):  # only writes the caller asked for may hold several statements
                result = result[-1]
            if cap is not None and result.get_num_tuples() > cap:
                frame = pd.DataFrame([list(r.values()) if isinstance(r, dict) else r for r in result.get_n(cap)],
                                     columns=result.get_column_names())
                frame.attrs.update(truncated=True, rows_cap=cap)
                return frame
            return result.get_as_df()

    def _query_error(self, message: str, seconds: float | None) -> StoreError:
        if seconds and message.startswith("Interrupted"):
            return StoreError(f"the query was stopped after {seconds:g} s (the time limit); narrow it "
                              "(a LIMIT, fewer hops) or raise the limit (--timeout, $GRAPHINV_QUERY_SECONDS)")
        if "buffer pool is full" in message:
            return StoreError("the query needs more memory than the store allows readers "
                              f"({_gib(self.buffer_pool)}); narrow it or raise $GRAPHINV_QUERY_MEMORY")
        return _with_hint(message)

    def close(self) -> None:
        self._close_db()

    def _close_db(self) -> None:
        with self._lock:
            if self._conn is not None:
                for conn in self._reader_conns:
                    conn.close()
                self._db.close()
                self._conn = None

    def clear(self) -> None:
        self._check_writable()
        self._uid_cache.clear()
        for kind in list(self.schema.edges):
            self._execute(f"MATCH ()-[r:{kind}]->() DELETE r")
        for kind in list(self.schema.nodes):
            self._execute(f"MATCH (n:{kind}) DELETE n")

    # -- upserts ----------------------------------------------------------------------
    def _stored(self, table: str, uids: pd.Series, rel: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Which ``uids`` are stored in ``table``, and each one's row hash (0 where it has
        none): a hash lookup in Arrow against the table's uids and hashes, read once
        (two columns) and kept in step with our own COPYs; a SET drops them."""
        chunks = self._uid_cache.get(table)
        if chunks is None:
            pattern = f"MATCH ()-[n:{table}]->()" if rel else f"MATCH (n:{table})"
            read = self._execute(f"{pattern} RETURN n.uid AS uid, n.{ROW_HASH} AS h").get_as_arrow()
            chunks = self._uid_cache[table] = [_uid_hash_table(read.column("uid"), read.column("h"))]
        if len(chunks) > 1:
            chunks[:] = [pa.concat_tables(chunks).combine_chunks()]
        known = chunks[0]
        at = pc.index_in(pa.array(uids, type=pa.string(), from_pandas=True),
                         value_set=known.column("uid").combine_chunks())
        stored = at.is_valid().to_numpy(zero_copy_only=False)
        hashes = pc.fill_null(known.column("h").take(at), 0).to_numpy(zero_copy_only=False)
        return stored, hashes

    def _match(self, table: str, rel: bool, src_kind: str = "", dst_kind: str = "") -> str:
        """A pattern binding ``n`` to the stored row for each scanned row's key (primary-key
        lookups; for edges through their two ends, since rel tables have no index)."""
        if not rel:
            return f"MATCH (n:{table} {{uid: k_uid}})"
        return f"MATCH (a:{src_kind} {{uid: k_src}})-[n:{table}]->(b:{dst_kind} {{uid: k_dst}}) WHERE n.uid = k_uid"

    def _stored_rows(self, table: str, keys: pd.DataFrame, columns: list[str], rel: bool = False) -> pd.DataFrame:
        wanted = ", ".join(f"n.{c} AS {c}" for c in columns)
        frames = []
        groups = keys.groupby(["src_kind", "dst_kind"]) if rel else [((None, None), keys)]
        for (src_kind, dst_kind), part in groups:
            scan = _key_table(part, rel)
            frames.append(self._load(scan, f"{self._match(table, rel, src_kind, dst_kind)} RETURN {wanted}"))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)

    def _load(self, scan_table, statement: str):
        # Ladybug finds the LOAD source by the name of a local variable: `scan_table`.
        with self._lock:
            try:
                return self._conn.execute(f"LOAD FROM scan_table {statement}").get_as_df()
            except RuntimeError as exc:
                raise StoreError(str(exc).strip().splitlines()[0]) from None

    def _copy(self, table: str, arrow_table, options: str = "") -> None:
        """COPY ``arrow_table`` (its columns named as the table's; an edge table's first two
        are the ends) with each row's hash (:func:`row_hashes`) added."""
        arrow_table = arrow_table.append_column(ROW_HASH, pa.array(row_hashes(arrow_table), pa.int64()))
        names = ", ".join(n for n in arrow_table.column_names if n not in ("from", "to"))
        # Ladybug finds the COPY source by the name of a local variable: `arrow_table`.
        with self._lock:
            try:
                self._conn.execute(f"COPY {table}({names}) FROM arrow_table{options}")
            except RuntimeError as exc:
                self._uid_cache.pop(table, None)
                raise StoreError(f"bulk load into {table} failed: {str(exc).strip().splitlines()[0]}") from None
            cached = self._uid_cache.get(table)
            if cached is not None:
                cached.append(_uid_hash_table(arrow_table.column("uid"), arrow_table.column(ROW_HASH)))

    def _set_rows(self, table: str, rows: pd.DataFrame, kind, keys: pd.DataFrame | None = None) -> None:
        """Write merged values back (and their ``_row_hash`` when given); ``keys`` (uid,
        src, dst, kinds) marks an edge table."""
        columns = [c for c in rows.columns if c != "uid" and c in kind.properties]
        hashed = ROW_HASH in rows.columns
        if rows.empty or not (columns or hashed):
            return
        self._uid_cache.pop(table, None)
        rel = keys is not None
        if rel:
            rows = rows.merge(keys, on="uid", how="left")
        assignments = ", ".join([f"n.{c} = v_{c}" for c in columns] + ([f"n.{ROW_HASH} = v_h"] if hashed else []))
        groups = rows.groupby(["src_kind", "dst_kind"]) if rel else [((None, None), rows)]
        for (src_kind, dst_kind), part in groups:
            key_table = _key_table(part, rel)
            values = to_arrow(part, kind, columns)
            arrays = key_table.columns + values.columns
            names = key_table.column_names + [f"v_{c}" for c in columns]
            if hashed:
                arrays, names = arrays + [pa.array(part[ROW_HASH].to_numpy(), pa.int64())], names + ["v_h"]
            scan = pa.Table.from_arrays(arrays, names=names)
            self._load(scan, f"{self._match(table, rel, src_kind, dst_kind)} SET {assignments}")

    def _merge_old(self, table: str, kind, rows: pd.DataFrame, props: list[str], hashes: np.ndarray,
                   keys: pd.DataFrame | None = None) -> int:
        """Merge rows already stored whose hash differs from the stored one (the others are
        the rows last merged: nothing to do); returns the rows changed, which are written
        with their hash. A row that merges to no change keeps its hash: writing the new
        one would cost a write per row in every ingest batch that sees it again, for a
        re-load that this row's next sight would undo."""
        if rows.empty:
            return 0
        current = self._stored_rows(table, rows, props, rel=keys is not None)
        changed = merge_with_stored(rows[props], current, kind)
        if not changed.empty:
            changed[ROW_HASH] = pd.Series(hashes, index=rows["uid"].to_numpy()).loc[changed["uid"]].to_numpy()
            self._set_rows(table, changed, kind, keys=keys)
        return len(changed)

    def _upsert_nodes(self, kind: str, frame: pd.DataFrame) -> int:
        node_kind = self.schema.nodes[kind]
        stored, stored_hash = self._stored(kind, frame["uid"])
        props = [c for c in frame.columns if c in node_kind.properties]
        new_rows = frame[~stored]
        if not new_rows.empty:
            self._copy(kind, to_arrow(new_rows, node_kind, list(node_kind.properties)))
        old, hashes = _differing(frame, stored, stored_hash, node_kind, props)
        return len(new_rows) + self._merge_old(kind, node_kind, frame[old], props, hashes)

    def _ensure_nodes(self, kind: str, uids: list[str]) -> None:
        uids = pd.Series(uids, dtype=object)
        missing = uids[~self._stored(kind, uids)[0]].tolist()
        if missing:
            node_kind = self.schema.nodes[kind]
            self._copy(kind, to_arrow(pd.DataFrame({"uid": missing}), node_kind, list(node_kind.properties)))

    def _upsert_edges(self, kind: str, frame: pd.DataFrame) -> int:
        edge_kind = self.schema.edges[kind]
        stored, stored_hash = self._stored(kind, frame["uid"], rel=True)
        written = 0
        columns = list(edge_kind.properties)
        for (src_kind, dst_kind), rows in frame[~stored].groupby(["src_kind", "dst_kind"]):
            table = to_arrow(rows, edge_kind, columns)
            table = pa.Table.from_arrays(
                [pa.array(rows["src"].tolist(), pa.string()), pa.array(rows["dst"].tolist(), pa.string())]
                + table.columns, names=["from", "to"] + columns)
            options = f" (from='{src_kind}', to='{dst_kind}')" if len(edge_kind.between) > 1 else ""
            self._copy(kind, table, options)
            written += len(rows)
        props = [c for c in frame.columns if c in edge_kind.properties]
        old, hashes = _differing(frame, stored, stored_hash, edge_kind, props)
        old_rows = frame[old]
        return written + self._merge_old(kind, edge_kind, old_rows, props, hashes,
                                         keys=old_rows[["uid", "src", "dst", "src_kind", "dst_kind"]])


def _plan_writes(conn, cypher: str, params: dict | None) -> bool:
    """Whether ``cypher`` (one statement: the gate saw to it) would change the database,
    judged from its query plan: the second line behind the query gate."""
    try:
        plan = conn.execute("EXPLAIN " + cypher, params or {}).get_as_df().iloc[0, 0]
    except RuntimeError as exc:
        raise _with_hint(str(exc).strip().splitlines()[0]) from None
    return any(_WRITE_OPERATORS.match(op) for op in _PLAN_OPERATOR.findall(plan))


def _with_hint(message: str) -> StoreError:
    """The engine's message, with the Ladybug spelling when it names a Neo4j function."""
    advice = hint(message)
    return StoreError(f"{message.rstrip('.')}: {advice}" if advice else message)


def reader_memory() -> int:
    """Bytes a read-only open may use: $GRAPHINV_QUERY_MEMORY (e.g. ``4G``, ``512M``), 4 GiB by default."""
    text = os.environ.get("GRAPHINV_QUERY_MEMORY", "4G").strip().upper()
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    try:
        return int(float(text[:-1]) * units[text[-1]]) if text[-1:] in units else int(text)
    except ValueError:
        raise StoreError(f"GRAPHINV_QUERY_MEMORY={text!r} is not a size such as 4G or 512M") from None


def _gib(size: int) -> str:
    return f"{size / (1 << 30):.1f} GiB"


def _key_table(rows: pd.DataFrame, rel: bool) -> pa.Table:
    names = ["uid", "src", "dst"] if rel else ["uid"]
    return pa.Table.from_arrays([pa.array(rows[c].astype(str).tolist(), pa.string()) for c in names],
                                names=[f"k_{c}" for c in names])


def _differing(frame: pd.DataFrame, stored: np.ndarray, stored_hash: np.ndarray, kind,
               props: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The stored rows of ``frame`` whose hash differs from the stored one (to merge), and
    those hashes, in order."""
    old = stored.copy()
    if not stored.any():
        return old, np.zeros(0, dtype=np.int64)
    hashes = row_hashes(to_arrow(frame[stored], kind, props))
    differs = hashes != stored_hash[stored]
    old[stored] = differs
    return old, hashes[differs]


def _uid_hash_table(uids: pa.ChunkedArray, hashes: pa.ChunkedArray) -> pa.Table:
    return pa.table({"uid": uids.cast(pa.string()), "h": hashes.cast(pa.int64())})
