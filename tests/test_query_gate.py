"""The query gate on both stores: a "read" never writes, never reads a file or a URL,
never administers the server, and stops within its time and row limits.

Each hostile text below was a working attack before the gate (two statements joined by
``;`` ran the second for real on LadybugDB; LOAD FROM / LOAD CSV read /etc/passwd;
SHOW / TERMINATE TRANSACTIONS reached other sessions). Each is sent through the three
doors a user has (the Python API, `graphinv query --cypher` and the app's console
function) and must be refused with nothing changed and no file written.
"""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from graphinv import queries
from graphinv.app import data as app_data
from graphinv.cli import main
from graphinv.errors import ReadOnlyError, StoreError
from graphinv.store import open_store
from graphinv.store.gate import Limits, check_read

ACCOUNTS = [f"account:twitter:user{i}" for i in range(5)]


def hostile(out: str) -> list[str]:
    """Texts that must be refused; ``out`` is a path none of them may create."""
    return [
        "MATCH (n:Hashtag) RETURN count(n); MATCH (a:Account) DETACH DELETE a",
        f"RETURN 1; COPY (MATCH (a:Account) RETURN a.uid) TO '{out}'",
        f"RETURN 1; COPY (RETURN 'echo pwned' AS line) TO '{out}' (header=false)",
        f"return 1 ;\n copy (return 1) to '{out}'",
        f"RETURN 1 /* ; */ ; COPY (RETURN 1) TO '{out}'",
        f"RETURN ';' AS a; COPY (RETURN 1) TO '{out}'",
        f"COPY (MATCH (a:Account) RETURN a.uid) TO '{out}'",
        f"EXPLAIN COPY (RETURN 1) TO '{out}'",
        "LOAD FROM '/etc/passwd' (file_format='csv', header=false, delim=':') RETURN *",
        "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
        "LOAD CSV FROM 'file:///../../../../etc/passwd' AS line RETURN line",
        "LOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS line RETURN line",
        "MATCH (a:Account) SET a.handle = 'x' RETURN a",
        "MATCH (a:Account) DETACH DELETE a",
        "CREATE (h:Hashtag {uid: 'hashtag:x'})",
        "MERGE (h:Hashtag {uid: 'hashtag:x'}) RETURN h",
        "CALL { MATCH (a:Account) DETACH DELETE a }",
        "SHOW TRANSACTIONS",
        "SHOW TRANSACTIONS YIELD transactionId TERMINATE TRANSACTIONS transactionId",
        "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
        "SHOW USERS",
        "USE system SHOW USERS",
        "CALL db.clearQueryCaches()",
        "CALL dbms.listConfig() YIELD name RETURN name",
        "CALL threads=1",
        "INSTALL json",
        "LOAD EXTENSION json",
        f"ATTACH '{out}' AS other (dbtype lbug)",
        f"EXPORT DATABASE '{out}'",
        "CHECKPOINT",
        "BEGIN TRANSACTION",
        "DROP TABLE Account",
        "RETURN apoc.util.md5(['x']) AS h",
        "WITH 'file:///etc/passwd' AS u RETURN dbms.components() AS c",
        "RETURN 'unterminated",
    ]


READS = [
    # Keywords inside strings, comments, map keys and labels are text, not clauses.
    ("RETURN 'CREATE; COPY; LOAD FROM' AS t", [["CREATE; COPY; LOAD FROM"]]),
    ("RETURN {load: 1, copy: 2}.load AS t // ; MATCH (a) DETACH DELETE a", [[1]]),
    ("MATCH (a:Account) WHERE a.handle = 'set' RETURN count(a) AS n;", [[0]]),
    ("/* SHOW USERS */ MATCH (a:Account) RETURN count(a) AS n", [[5]]),
]


@pytest.fixture
def five_accounts(store):
    store.upsert_nodes("Account", pd.DataFrame({"uid": ACCOUNTS, "handle": [u.rsplit(":", 1)[1] for u in ACCOUNTS]}))
    return store


def _accounts(store) -> int:
    return int(store.query("MATCH (a:Account) RETURN count(a) AS n").iloc[0, 0])


def test_every_hostile_text_is_refused_through_the_api_and_the_console(five_accounts, tmp_path):
    out = tmp_path / "written.csv"
    for text in hostile(str(out)):
        for door in (lambda t: queries.run_cypher(five_accounts, t), lambda t: app_data.run_cypher(five_accounts, t),
                     lambda t: five_accounts.query(t)):
            with pytest.raises(ReadOnlyError, match="^refused: "):
                door(text)
        assert not out.exists(), text
        assert _accounts(five_accounts) == 5, text


@pytest.mark.parametrize("text,rows", READS)
def test_reads_that_mention_write_words_as_text_still_run(five_accounts, text, rows):
    assert queries.run_cypher(five_accounts, text).values.tolist() == rows


def test_the_stores_catalogue_calls_are_allowed(five_accounts):
    if five_accounts.backend == "embedded":
        tables = queries.run_cypher(five_accounts, "CALL show_tables() RETURN name")
    else:
        tables = queries.run_cypher(five_accounts, "CALL db.labels() YIELD label RETURN label AS name")
    assert "Account" in set(tables["name"])


def test_the_cli_refuses_a_second_statement_in_one_line_and_writes_no_file(five_accounts, store_uri, tmp_path):
    out = tmp_path / "x.csv"
    five_accounts.close()
    result = CliRunner().invoke(main, ["query", "--store", store_uri, "--cypher",
                                       f"RETURN 1; COPY (MATCH (a:Account) RETURN a.uid) TO '{out}'"])
    assert result.exit_code == 1
    assert result.output.strip() == ("Error: refused: one statement at a time, and this text holds 2 "
                                     "(split at ';')")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists()


def test_a_result_over_the_row_cap_is_cut_and_says_so(five_accounts, store_uri):
    frame = queries.run_cypher(five_accounts, "UNWIND range(1, 50) AS x RETURN x", limits=Limits(rows=7))
    assert frame["x"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert frame.attrs == {"truncated": True, "rows_cap": 7}
    whole = queries.run_cypher(five_accounts, "UNWIND range(1, 50) AS x RETURN x", limits=Limits(rows=50))
    assert len(whole) == 50 and not whole.attrs.get("truncated")
    five_accounts.close()
    result = CliRunner().invoke(main, ["query", "--store", store_uri, "--format", "csv", "--max-rows", "3",
                                       "--cypher", "UNWIND range(1, 50) AS x RETURN x"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["x", "1", "2", "3"]
    assert "only the first 3 rows are shown (the row cap)" in result.stderr


def _dense(store, nodes: int = 400, degree: int = 12) -> None:
    """A random-ish graph where paths of six hops explode combinatorially."""
    uids = [f"account:twitter:n{i}" for i in range(nodes)]
    store.upsert_nodes("Account", pd.DataFrame({"uid": uids}))
    edges = [{"src": uids[i], "dst": uids[(i * 7 + k * 31 + 1) % nodes], "weight": 1.0}
             for i in range(nodes) for k in range(degree)]
    store.upsert_edges("COORDINATED_WITH", pd.DataFrame(edges).drop_duplicates(["src", "dst"]))


def test_a_runaway_read_is_stopped_at_the_time_limit(store):
    _dense(store)
    with pytest.raises(StoreError, match=r"stopped after 1 s \(the time limit\)"):
        queries.run_cypher(store, "MATCH (a:Account)-[*1..8]-(b) RETURN count(*) AS n", limits=Limits(seconds=1))
    # The store still answers afterwards, on the same connection.
    assert queries.run_cypher(store, "MATCH (a:Account) RETURN count(a) AS n").iloc[0, 0] == 400


def test_a_reader_with_little_memory_fails_in_one_line(tmp_path, monkeypatch):
    path = tmp_path / "g.lbug"
    with open_store(f"embedded:{path}") as writer:
        _dense(writer)
    monkeypatch.setenv("GRAPHINV_QUERY_MEMORY", "64M")
    with open_store(f"embedded:{path}", read_only=True) as reader:
        with pytest.raises(StoreError, match=r"needs more memory than the store allows readers \(0.1 GiB\)"):
            reader.query("MATCH (a:Account)-[*1..6]-(b) RETURN a.uid, b.uid", limits=Limits(seconds=60, rows=10))


def test_a_read_only_store_answers_a_small_query_while_a_slow_one_runs(tmp_path):
    import threading
    import time

    path = tmp_path / "g.lbug"
    with open_store(f"embedded:{path}") as writer:
        _dense(writer)
    with open_store(f"embedded:{path}", read_only=True) as reader:
        slow = threading.Thread(target=lambda: pytest.raises(StoreError, reader.query,
                                                             "MATCH (a:Account)-[*1..8]-(b) RETURN count(*)",
                                                             limits=Limits(seconds=3)))
        slow.start()
        time.sleep(0.3)
        started = time.monotonic()
        assert reader.query("MATCH (a:Account) RETURN count(a) AS n").iloc[0, 0] == 400
        waited = time.monotonic() - started
        still_running = slow.is_alive()
        slow.join()
    # Answered on a connection of its own, not after the slow query's 3 s.
    assert still_running, "the slow query ended before the small one was sent; make it slower"
    assert waited < 2.5


@pytest.mark.neo4j
def test_the_local_neo4j_reads_no_files_even_past_the_gate(neo4j_server):
    """The launcher's own settings: LOAD CSV of a file URL fails on the server itself."""
    import neo4j

    with neo4j.GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)) as driver:
        with driver.session() as session:
            with pytest.raises(neo4j.exceptions.ClientError, match="file URLs are disabled|Cannot load from URL"):
                session.run("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line").consume()


def test_check_read_keeps_one_statement_and_drops_the_trailing_semicolons():
    assert check_read("MATCH (n) RETURN n ;; ") == "MATCH (n) RETURN n"
    with pytest.raises(ReadOnlyError, match="starts with CALL, EXPLAIN, MATCH"):
        check_read("FINISH")


def test_an_unbound_parameter_is_named_not_read_as_null(five_accounts):
    """Unbound, $handle is null on Ladybug (0 rows, silently) and an error on Neo4j: both
    now say which parameter lacks a value."""
    from graphinv.errors import InputError

    with pytest.raises(InputError, match=r"uses \$handle but no value was given"):
        five_accounts.query("MATCH (a:Account) WHERE a.handle = $handle RETURN a.uid")
    assert len(five_accounts.query("MATCH (a:Account) WHERE a.handle = $handle RETURN a.uid",
                                   {"handle": "a1"})) <= 1
    # A dollar sign inside a string is text, not a parameter.
    assert five_accounts.query("RETURN '$handle' AS text").iloc[0, 0] == "$handle"


@pytest.mark.parametrize("store_uri", ["embedded"], indirect=True)
def test_a_neo4j_spelling_on_the_embedded_store_gets_the_ladybug_one(five_accounts):
    from graphinv.errors import StoreError

    # type(r) and toString(x) are rewritten (tests/test_real_social_inputs.py); others get the hint.
    with pytest.raises(StoreError, match=r"write timestamp\(\) instead of datetime\(\)"):
        five_accounts.query("RETURN datetime() AS now")
    with pytest.raises(StoreError, match=r"lists count from 1"):
        five_accounts.query("RETURN [1, 2][0] AS x")
