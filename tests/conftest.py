"""Fixtures: the store suite runs once per backend, against a real Neo4j server.

`store` is parametrised over ``embedded`` (a fresh LadybugDB in tmp_path) and ``neo4j``
(one local Neo4j 5.26 started for the whole session by graphinv.neo4j_local, emptied
before each test). A Neo4j that cannot start fails the run; it is never skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graphinv.store import open_store

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DATA = Path(os.environ.get("GRAPHINV_REFERENCE_DATA", ROOT.parent / "shared" / "reference-data"))
BACKENDS = ("embedded", "neo4j")


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    """A local Neo4j for the session: started once, stopped at the end."""
    from graphinv.neo4j_local import start

    server = start(data_dir=tmp_path_factory.mktemp("neo4j"))
    os.environ["GRAPHINV_NEO4J_USER"] = server.user
    os.environ["GRAPHINV_NEO4J_PASSWORD"] = server.password
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def store_uri(request, tmp_path):
    """A URI of an empty store of each backend."""
    if request.param == "embedded":
        yield f"embedded:{tmp_path / 'graph.lbug'}"
        return
    server = request.getfixturevalue("neo4j_server")
    with open_store(server.uri) as store:
        store.clear()
    yield server.uri


@pytest.fixture
def store(store_uri):
    """An open, empty store of each backend."""
    with open_store(store_uri) as opened:
        yield opened


@pytest.fixture(scope="session")
def reference_data() -> Path:
    if not REFERENCE_DATA.exists():
        pytest.fail(f"reference data not found at {REFERENCE_DATA}; set GRAPHINV_REFERENCE_DATA")
    return REFERENCE_DATA
