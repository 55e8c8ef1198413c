"""The offline first load: an embedded store through Neo4j's own importer into a new
local Neo4j, which then holds the same graph, property for property."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from graphinv.errors import StoreError
from graphinv.neo4j_import import import_store
from graphinv.neo4j_local import start
from graphinv.records import account_uid, post_uid
from graphinv.schema import SCHEMA
from graphinv.store import open_store
from fixture_graph import build_fixture_graph


def _plain(value):
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list):
        # The importer reads an empty list as no value, as the union rule does.
        return [_plain(v) for v in value] or None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def dump(store) -> dict:
    """Every node and edge of every kind with every property, in uid order."""
    out = {}
    for kind in SCHEMA.nodes.values():
        props = list(kind.properties)
        rows = store.query(f"MATCH (n:{kind.name}) RETURN " + ", ".join(f"n.{p} AS {p}" for p in props)
                           + " ORDER BY uid")
        out[kind.name] = [{k: _plain(v) for k, v in row.items()} for row in rows.to_dict("records")]
    for kind in SCHEMA.edges.values():
        props = list(kind.properties)
        rows = store.query(f"MATCH (a)-[r:{kind.name}]->(b) RETURN a.uid AS src, b.uid AS dst, "
                           + ", ".join(f"r.{p} AS {p}" for p in props) + " ORDER BY uid")
        out[kind.name] = [{k: _plain(v) for k, v in row.items()} for row in rows.to_dict("records")]
    return out


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = tmp_path_factory.mktemp("source") / "graph.lbug"
    with open_store(f"embedded:{path}") as store:
        build_fixture_graph(store)
        # What CSV gets wrong when written by hand: separators, quotes, newlines, a
        # leading quote, an empty string beside a missing one, a list holding a comma.
        odd = [{"uid": post_uid("twitter", "odd1"), "text": 'a, "quoted"\nsecond line; third',
                "lang": "", "runs": ["r,1", "r;2"]},
               {"uid": post_uid("twitter", "odd2"), "text": '"starts with a quote', "runs": []}]
        store.upsert_nodes("Post", pd.DataFrame(odd))
        store.upsert_edges("POSTED", pd.DataFrame({"src": [account_uid("twitter", "odd")],
                                                   "dst": [odd[0]["uid"]], "time": [2**40]}))
    return f"embedded:{path}"


def test_an_embedded_store_imported_offline_is_the_same_graph_in_neo4j(source, tmp_path, monkeypatch):
    with open_store(source, read_only=True) as store:
        expected = dump(store)
        done = import_store(store, tmp_path / "neo4j")
    assert done.nodes["Post"] == len(expected["Post"]) and done.edges["POSTED"] == len(expected["POSTED"])
    with start(data_dir=tmp_path / "neo4j") as server:
        monkeypatch.setenv("GRAPHINV_NEO4J_USER", server.user)
        monkeypatch.setenv("GRAPHINV_NEO4J_PASSWORD", server.password)
        with open_store(server.uri) as neo4j:  # read-write: makes the constraints on the imported data
            got = dump(neo4j)
            # It is a working store afterwards: an upsert merges into the imported rows.
            neo4j.upsert_nodes("Post", pd.DataFrame({"uid": [post_uid("twitter", "odd2")], "lang": ["fr"]}))
            assert neo4j.counts()["Post"] == len(expected["Post"])
    for kind in expected:
        assert got[kind] == expected[kind], kind
    assert sum(len(rows) for rows in expected.values()) > 40


def test_the_offline_import_refuses_a_folder_that_holds_a_database(source, tmp_path):
    (tmp_path / "data" / "databases" / "neo4j").mkdir(parents=True)
    with open_store(source, read_only=True) as store, pytest.raises(StoreError, match="already holds"):
        import_store(store, tmp_path)
