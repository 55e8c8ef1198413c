"""The first big load of a Neo4j database, offline: `neo4j-admin database import`.

A store's tables (an embedded store filled by `graphinv ingest` at its own speed) are
written as the importer's CSV files, one per node kind and per edge kind, with typed
headers, and Neo4j's own offline importer builds the database files of an empty
local Neo4j from them: no transactions, no MERGE, hundreds of thousands of rows a
second. `python -m graphinv.neo4j_local --data DIR` (or `make neo4j`) then serves it;
the first read-write open makes the constraints and indexes (``neo4j_ddl``).

    graphinv neo4j-import embedded:data/graph.lbug var/neo4j

Only an empty database is loaded this way; a database with data grows through
`graphinv ingest --store bolt://…` (CREATE for new rows, MERGE for the rest).
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .errors import StoreError
from .schema import SCHEMA, Schema
from .store import GraphStore
from .store.frames import ARROW_TYPES

# The importer's type names for the schema's property types.
_CSV_TYPES = {"string": "string", "int": "long", "float": "double", "bool": "boolean", "strings": "string[]"}
# Lists are joined with a character no captured text carries (a unit separator); an
# empty list arrives as no value, which the union merge rule reads the same way.
ARRAY_DELIMITER = "\x1f"
DATABASE = "neo4j"


@dataclass
class ImportResult:
    nodes: dict[str, int] = field(default_factory=dict)
    edges: dict[str, int] = field(default_factory=dict)
    csv_seconds: float = 0.0
    import_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.nodes.values()) + sum(self.edges.values())


def _typed_columns(table: pa.Table, kind, names: list[str]) -> tuple[list[pa.Array], list[str]]:
    arrays, headers = [], []
    for name in names:
        ptype = kind.properties[name].type
        column = table.column(name)
        if column.type != ARROW_TYPES[ptype]:
            column = column.cast(ARROW_TYPES[ptype])
        if ptype == "strings":
            column = pc.binary_join(column, ARRAY_DELIMITER)
        arrays.append(column)
        headers.append(name if ptype == "string" else f"{name}:{_CSV_TYPES[ptype]}")
    return arrays, headers


def _read(store: GraphStore, cypher: str) -> pa.Table:
    return pa.Table.from_pandas(store.query(cypher), preserve_index=False)


def _write_kind(store: GraphStore, kind, match: str, var: str, keys: dict[str, str], props: list[str],
                path: Path) -> int:
    """Write ``kind``'s rows (``match`` binds ``var`` to each) as one importer CSV: ``keys``
    (Cypher expression -> importer header) first, then the kind's own header (``:LABEL``
    for a node, ``:TYPE`` for an edge), then ``props`` typed. Returns the rows written
    (none: no file)."""
    names = [f"_k{i}" for i in range(len(keys))]
    table = _read(store, f"{match} RETURN " + ", ".join(f"{expr} AS {name}" for expr, name in zip(keys, names))
                  + "".join(f", {var}.{p} AS {p}" for p in props))
    if table.num_rows == 0:
        return 0
    arrays, headers = _typed_columns(table, kind, props)
    own = pa.array([kind.name] * table.num_rows, pa.string())
    columns = [table.column(name).cast(pa.string()) for name in names] + [own, *arrays]
    header = [*keys.values(), ":LABEL" if var == "n" else ":TYPE", *headers]
    pacsv.write_csv(pa.Table.from_arrays(columns, names=header), path, pacsv.WriteOptions(quoting_style="needed"))
    return table.num_rows


def write_csv(store: GraphStore, out: Path, schema: Schema = SCHEMA) -> tuple[list[Path], list[Path], ImportResult]:
    """One CSV per non-empty node kind and edge kind of ``store``, in the importer's format
    (``uid:ID``, ``:LABEL``; ``:START_ID``, ``:END_ID``, ``:TYPE``; typed property headers)."""
    out.mkdir(parents=True, exist_ok=True)
    result = ImportResult()
    nodes, edges = [], []
    for kind in schema.nodes.values():
        path = out / f"nodes_{kind.name}.csv"
        # The node's uid is its importer ID, which the importer stores as the property `uid`.
        props = [p for p in kind.properties if p != "uid"]
        if rows := _write_kind(store, kind, f"MATCH (n:{kind.name})", "n", {"n.uid": "uid:ID"}, props, path):
            nodes.append(path)
            result.nodes[kind.name] = rows
    for kind in schema.edges.values():
        path = out / f"edges_{kind.name}.csv"
        if rows := _write_kind(store, kind, f"MATCH (a)-[r:{kind.name}]->(b)", "r",
                               {"a.uid": ":START_ID", "b.uid": ":END_ID"}, list(kind.properties), path):
            edges.append(path)
            result.edges[kind.name] = rows
    return nodes, edges, result


def import_store(store: GraphStore, data_dir: str | Path, heap: str = "1g") -> ImportResult:
    """Load ``store`` into a new local Neo4j at ``data_dir`` with the offline importer.

    Raises StoreError, in one line, when ``data_dir`` already holds a database or the
    importer fails (its last line, and where its report is)."""
    from .neo4j_local import ensure_built, _java_info

    data_dir = Path(data_dir).resolve()
    if (data_dir / "data" / "databases" / DATABASE).exists():
        raise StoreError(f"{data_dir} already holds a Neo4j database: the offline import only loads an empty "
                         "one (ingest into a running server with --store bolt://…, or choose a new folder)")
    classpath = os.pathsep.join(ensure_built(quiet=True))
    java = _java_info()[0]
    start = time.perf_counter()
    nodes, edges, result = write_csv(store, data_dir / "import" / "graphinv")
    result.csv_seconds = time.perf_counter() - start
    if not nodes:
        raise StoreError(f"{store.uri} holds no nodes: nothing to import")
    report = data_dir / "import.report"
    cmd = [java, f"-Xmx{heap}", "-cp", classpath, "org.neo4j.cli.AdminTool", "database", "import", "full",
           *[f"--nodes={p}" for p in nodes], *[f"--relationships={p}" for p in edges],
           f"--array-delimiter={ARRAY_DELIMITER}", "--multiline-fields=true", f"--report-file={report}",
           DATABASE]
    env = dict(os.environ, NEO4J_HOME=str(data_dir), NEO4J_CONF=str(data_dir / "conf"))
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=data_dir)
    result.import_seconds = time.perf_counter() - start
    (data_dir / "import.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        raise StoreError(f"neo4j-admin import failed: {lines[-1] if lines else done.returncode} "
                         f"(log: {data_dir / 'import.log'})")
    return result
