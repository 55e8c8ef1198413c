"""The store contract, run once per backend (see conftest.store)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from graphinv.errors import GraphinvError, ReadOnlyError, StoreError
from graphinv.records import account_uid, post_uid
from graphinv.store import open_store

ALICE, BOB = account_uid("twitter", "alice"), account_uid("twitter", "bob")
P1 = post_uid("twitter", "1")


def accounts(rows):
    return pd.DataFrame(rows)


def node(store, kind, uid, *props):
    cols = ", ".join(f"n.{p} AS {p}" for p in props)
    found = store.query(f"MATCH (n:{kind}) WHERE n.uid = $uid RETURN {cols}", {"uid": uid})
    assert len(found) == 1, found
    return found.iloc[0].to_dict()


def test_merge_rules(store):
    # Within one batch alice appears twice: first_seen takes the minimum (3), last_seen
    # the maximum (9), handle the newest known value ("alice": None does not erase it),
    # runs the union in order of first appearance.
    store.upsert_nodes("Account", accounts([
        {"uid": ALICE, "handle": "alice", "followers": 10, "first_seen": 5, "last_seen": 5, "runs": ["r1"]},
        {"uid": ALICE, "handle": None, "followers": 12, "first_seen": 3, "last_seen": 9, "runs": ["r2"]},
    ]))
    assert node(store, "Account", ALICE, "handle", "followers", "first_seen", "last_seen") == {
        "handle": "alice", "followers": 12, "first_seen": 3, "last_seen": 9}
    # A later batch: an earlier first_seen wins, a smaller last_seen does not, and a new
    # display name replaces nothing but fills the empty property.
    store.upsert_nodes("Account", accounts([
        {"uid": ALICE, "display_name": "Alice A.", "first_seen": 1, "last_seen": 4, "runs": ["r3", "r1"]}]))
    got = node(store, "Account", ALICE, "handle", "display_name", "first_seen", "last_seen", "runs")
    assert got["handle"] == "alice" and got["display_name"] == "Alice A."
    assert (got["first_seen"], got["last_seen"]) == (1, 9)
    assert list(got["runs"]) == ["r1", "r2", "r3"]


def test_repeated_edges_keep_their_discriminator(store):
    # Bob reposts the same post twice at different times: two REPOSTED edges, told
    # apart by `key`; the same key again merges into the existing edge.
    reposts = pd.DataFrame({"src": [BOB, BOB, BOB], "dst": [P1, P1, P1], "key": ["10", "11", "10"],
                            "time": [100, 200, 100]})
    store.upsert_edges("REPOSTED", reposts)
    store.upsert_edges("REPOSTED", reposts)
    got = store.query("MATCH (a:Account)-[r:REPOSTED]->(p:Post) RETURN r.key AS key, r.time AS time ORDER BY key")
    assert got.to_dict("records") == [{"key": "10", "time": 100}, {"key": "11", "time": 200}]
    # The endpoints did not exist: they were created as bare nodes, not dropped.
    assert store.counts()["Account"] == 1 and store.counts()["Post"] == 1


def test_second_upsert_changes_nothing(store):
    frame = accounts([{"uid": account_uid("twitter", f"user{i}"), "handle": f"user{i}", "followers": i,
                       "first_seen": 1000 + i, "last_seen": 2000 + i, "runs": ["r1"]} for i in range(500)])
    posts = pd.DataFrame({"uid": [post_uid("twitter", str(i)) for i in range(500)],
                          "text": [f"text {i}" for i in range(500)], "created_at": list(range(500))})
    edges = pd.DataFrame({"src": frame["uid"], "dst": posts["uid"], "time": list(range(500))})
    for _ in range(2):
        store.upsert_nodes("Account", frame)
        store.upsert_nodes("Post", posts)
        store.upsert_edges("POSTED", edges)
        if _ == 0:
            first_counts = store.counts()
            first_rows = store.query("MATCH (a:Account)-[r:POSTED]->(p:Post) "
                                     "RETURN a.uid AS account, a.followers AS f, "
                                     "a.first_seen AS s, a.last_seen AS l, r.time AS t, p.text AS x ORDER BY account")
    assert store.counts() == first_counts
    again = store.query("MATCH (a:Account)-[r:POSTED]->(p:Post) RETURN a.uid AS account, a.followers AS f, "
                        "a.first_seen AS s, a.last_seen AS l, r.time AS t, p.text AS x ORDER BY account")
    pd.testing.assert_frame_equal(first_rows, again)
    assert first_counts["Account"] == 500 and first_counts["POSTED"] == 500


def test_batches_in_transactions_neither_duplicate_nor_lose_edges(store):
    # The ingest's shape: each batch writes its nodes, then its edges, in one
    # transaction. New posts' edges take the fast path on Neo4j (CREATE: their post is
    # new in this transaction); an edge to an old post, an edge kind written twice in
    # the same transaction and a Cypher write in between must still merge.
    p2, p3 = post_uid("twitter", "2"), post_uid("twitter", "3")
    with store.transaction():
        store.upsert_nodes("Post", pd.DataFrame({"uid": [P1], "text": ["one"]}))
        store.upsert_edges("POSTED", pd.DataFrame({"src": [ALICE], "dst": [P1], "time": [10]}))
    with store.transaction():
        store.upsert_nodes("Post", pd.DataFrame({"uid": [p2, p3], "text": ["two", "three"]}))
        store.upsert_edges("POSTED", pd.DataFrame({"src": [ALICE, ALICE], "dst": [P1, p2], "time": [5, 20]}))
        store.upsert_edges("POSTED", pd.DataFrame({"src": [ALICE, BOB], "dst": [p2, p3], "time": [30, 40]}))
        store.query("MATCH (a:Account), (p:Post) WHERE a.uid = $a AND p.uid = $p "
                    "CREATE (a)-[:REPOSTED {uid: $a + '>REPOSTED>' + $p, time: 1}]->(p)",
                    {"a": BOB, "p": p3}, write=True)
        store.upsert_edges("REPOSTED", pd.DataFrame({"src": [BOB], "dst": [p3], "time": [2]}))
    got = store.query("MATCH (a:Account)-[r:POSTED]->(p:Post) RETURN a.uid AS who, p.text AS what, "
                      "r.time AS t ORDER BY what")
    assert got.to_dict("records") == [{"who": ALICE, "what": "one", "t": 5}, {"who": BOB, "what": "three", "t": 40},
                                      {"who": ALICE, "what": "two", "t": 30}]
    assert store.counts()["REPOSTED"] == 1 and store.counts()["Post"] == 3


def test_a_block_bigger_than_a_server_transaction_commits_in_parts(store, monkeypatch):
    # Neo4j bounds one transaction's memory: a block is committed every TX_ROWS rows
    # (made tiny here) and goes on in the next transaction, nothing lost or doubled.
    import graphinv.store.neo4j as server

    monkeypatch.setattr(server, "BATCH", 3)
    monkeypatch.setattr(server, "TX_ROWS", 4)
    posts = pd.DataFrame({"uid": [post_uid("twitter", str(i)) for i in range(20)], "text": "t"})
    edges = pd.DataFrame({"src": [account_uid("twitter", f"a{i % 5}") for i in range(20)], "dst": posts["uid"],
                          "time": list(range(20))})
    with store.transaction():
        store.upsert_nodes("Post", posts)
        if store.backend == "neo4j":
            # Parts already committed are there for another session to read.
            with open_store(store.uri) as other:
                assert 16 <= other.counts()["Post"] < 20
        store.upsert_edges("POSTED", edges)
        store.upsert_edges("POSTED", edges.assign(time=edges["time"] - 1))
    counts = store.counts()
    assert (counts["Post"], counts["Account"], counts["POSTED"]) == (20, 5, 20)
    times = store.query("MATCH ()-[r:POSTED]->() RETURN min(r.time) AS lo, max(r.time) AS hi")
    assert times.iloc[0].tolist() == [-1, 18]


def test_a_reload_after_reopening_writes_only_what_changed(store_uri):
    # The embedded store skips a row whose hash is the one it last merged without
    # reading it back; one int, one list and one string changed must still be merged.
    frame = accounts([{"uid": account_uid("twitter", f"u{i}"), "handle": f"u{i}", "followers": i,
                       "runs": ["r1"]} for i in range(50)])
    edges = pd.DataFrame({"src": frame["uid"], "dst": [P1] * 50, "time": list(range(50)), "runs": [["r1"]] * 50})
    with open_store(store_uri) as store:
        store.upsert_nodes("Account", frame)
        store.upsert_edges("POSTED", edges)
    with open_store(store_uri) as store:
        # Rows written, as the embedded store counts them (Neo4j counts the rows sent).
        exact = store.backend == "embedded"
        written = store.upsert_nodes("Account", frame), store.upsert_edges("POSTED", edges)
        assert written == ((0, 0) if exact else (50, 50))
        changed = frame.copy()
        changed.loc[3, "followers"] = 1000
        changed.loc[4, "runs"] = ["r1", "r2"]
        changed.loc[5, "handle"] = "renamed"
        assert store.upsert_nodes("Account", changed) == (3 if exact else 50)
        moved = edges.copy()
        moved.loc[7, "time"] = 99
        assert store.upsert_edges("POSTED", moved) == (1 if exact else 50)
        got = store.query("MATCH (a:Account)-[r:POSTED]->() RETURN a.handle AS h, a.followers AS f, "
                          "a.runs AS runs, r.time AS t ORDER BY h").set_index("h")
    assert got.loc["u3", "f"] == 1000 and list(got.loc["u4", "runs"]) == ["r1", "r2"]
    assert "renamed" in got.index and got.loc["u7", "t"] == 99 and got.loc["u8", "t"] == 8
    # And back to the first values: `latest` takes them again, min/max/union keep theirs.
    with open_store(store_uri) as store:
        assert store.upsert_nodes("Account", frame) == (2 if exact else 50)  # followers, handle; runs keep r2
        back = store.query("MATCH (a:Account) WHERE a.uid = $u RETURN a.followers AS f, a.runs AS runs",
                           {"u": account_uid("twitter", "u3")})
    assert back.iloc[0]["f"] == 3


def test_upsert_100k_rows(store):
    n = 100_000
    uids = [post_uid("twitter", str(i)) for i in range(n)]
    posts = pd.DataFrame({"uid": uids, "created_at": range(n), "text": ["x"] * n, "runs": [["r1"]] * n})
    store.upsert_nodes("Post", posts)
    # Half of them again with a later last_seen, half new: 150k posts, updates applied.
    more = pd.DataFrame({"uid": [post_uid("twitter", str(i)) for i in range(n // 2, n + n // 2)],
                         "last_seen": 7, "runs": [["r2"]] * n})
    store.upsert_nodes("Post", more)
    assert store.counts()["Post"] == n + n // 2
    got = store.query("MATCH (p:Post) WHERE p.last_seen = 7 RETURN count(p) AS c").iloc[0, 0]
    assert got == n
    assert node(store, "Post", uids[-1], "created_at", "last_seen")["created_at"] == n - 1


@pytest.mark.parametrize("cypher", [
    "CREATE (n:Account {uid: 'account:x:y'})",
    "MATCH (n:Account) SET n.handle = 'changed'",
    "MATCH (n:Account) DETACH DELETE n",
    "MERGE (n:Site {uid: 'site:x.example'})",
])
def test_read_query_refuses_writes(store, cypher):
    store.upsert_nodes("Account", accounts([{"uid": ALICE, "handle": "alice"}]))
    with pytest.raises(ReadOnlyError, match="writes to the store"):
        store.query(cypher)
    assert store.counts()["Account"] == 1 and store.counts()["Site"] == 0
    assert node(store, "Account", ALICE, "handle") == {"handle": "alice"}
    # The same text with write=True runs.
    store.query(cypher, write=True)


def test_reads_with_write_words_in_strings_run(store):
    store.upsert_nodes("Post", pd.DataFrame([{"uid": P1, "text": "CREATE a DELETE b"}]))
    got = store.query("MATCH (p:Post) WHERE p.text = 'CREATE a DELETE b' RETURN count(p) AS c")
    assert got.iloc[0, 0] == 1


def test_schema_is_enforced(store):
    with pytest.raises(GraphinvError, match="no properties \\['colour'\\]"):
        store.upsert_nodes("Account", accounts([{"uid": ALICE, "colour": "red"}]))
    with pytest.raises(GraphinvError, match="POSTED cannot go from Post to Account"):
        store.upsert_edges("POSTED", pd.DataFrame({"src": [P1], "dst": [ALICE]}))
    with pytest.raises(GraphinvError, match="unknown node kind 'Tweet'"):
        store.upsert_nodes("Tweet", accounts([{"uid": ALICE}]))


def test_bad_store_uri_is_one_line():
    with pytest.raises(StoreError, match="unknown store URI 'sqlite:x'"):
        open_store("sqlite:x")
    result = subprocess.run([sys.executable, "-m", "graphinv", "counts", "--store", "sqlite:x"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: unknown store URI 'sqlite:x': use embedded:PATH or bolt://HOST:PORT (also neo4j://, neo4j+s://)"]


def test_wrong_password_is_one_line(neo4j_server, monkeypatch):
    monkeypatch.setenv("GRAPHINV_NEO4J_PASSWORD", "not-the-password")
    with pytest.raises(StoreError, match="refused user 'neo4j': wrong GRAPHINV_NEO4J_USER or GRAPHINV_NEO4J_PASSWORD"):
        open_store(neo4j_server.uri)
    result = subprocess.run([sys.executable, "-m", "graphinv", "counts", "--store", neo4j_server.uri],
                            capture_output=True, text=True)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "refused user 'neo4j'" in result.stderr


def test_nobody_listening_is_one_line(monkeypatch):
    monkeypatch.setenv("GRAPHINV_NEO4J_PASSWORD", "whatever")
    with pytest.raises(StoreError, match="no Neo4j server answers at bolt://127.0.0.1:9"):
        open_store("bolt://127.0.0.1:9")


def test_embedded_read_only_open(tmp_path):
    path = tmp_path / "g.lbug"
    with open_store(f"embedded:{path}") as store:
        store.upsert_nodes("Account", accounts([{"uid": ALICE, "handle": "alice"}]))
    with open_store(f"embedded:{path}", read_only=True) as store:
        assert store.counts()["Account"] == 1
        with pytest.raises(ReadOnlyError):
            store.upsert_nodes("Account", accounts([{"uid": BOB}]))
    with pytest.raises(StoreError, match="no store at"):
        open_store(f"embedded:{tmp_path / 'missing.lbug'}", read_only=True)


def test_embedded_store_made_by_an_earlier_schema_gains_the_new_columns(tmp_path):
    """Properties added at the end of a kind are added to an existing store on open;
    anything else is refused with a one-line error."""
    import ladybug

    path = tmp_path / "old.lbug"
    with open_store(f"embedded:{path}"):
        pass
    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    for column in ("redirects", "fingerprint", "change", "detail"):
        conn.execute(f"ALTER TABLE Observation DROP {column}")
    conn.execute("ALTER TABLE Watch DROP active")
    del conn, db
    with open_store(f"embedded:{path}") as store:
        store.upsert_nodes("Observation", pd.DataFrame([{"uid": "observation:x", "status": "moved",
                                                         "detail": "to new.example", "redirects": ["a", "b"]}]))
        store.upsert_nodes("Watch", pd.DataFrame([{"uid": "watch:site:x.example", "active": False}]))
        row = store.query("MATCH (o:Observation) RETURN o.detail AS d, o.redirects AS r").iloc[0]
        assert row["d"] == "to new.example" and list(row["r"]) == ["a", "b"]
    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    conn.execute("ALTER TABLE Observation DROP status")  # a middle column: bulk loads would shift
    del conn, db
    with pytest.raises(StoreError, match="incompatible version"):
        open_store(f"embedded:{path}")
