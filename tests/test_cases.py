"""Cases: pins, notes, tags and views written in the store, on both stores; a tag on a
campaign found again after re-analysis renumbers it; the app's read-only store writes
for a moment and is read-only again; a note never changes a finding's evidence."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pandas as pd
import pytest

from fixture_graph import ALICE, BOB, CAMPAIGN, CAROL, DAVE, NEW, build_fixture_graph
from graphinv import cases
from graphinv.errors import InputError, ReadOnlyError, StoreError
from graphinv.store import open_store


@pytest.fixture
def graph(store):
    build_fixture_graph(store)
    return store


def test_a_case_holds_what_was_written_in_order(graph):
    uid = cases.create(graph, "Jane Doe harassment", author="ana", now=100)
    cases.write(graph, uid, "pin", about=NEW, about_label="newnews.example", author="ana", now=101)
    cases.write(graph, uid, "pin", about=CAMPAIGN, author="ana", now=102)
    cases.write(graph, uid, "note", about=NEW, text="Same photo as the banned site.", author="ben", now=103)
    cases.write(graph, uid, "tag", about=NEW, tag="to check", author="ana", now=104)
    cases.write(graph, uid, "tag", about=NEW, tag="verified", author="ben", now=105)
    cases.write(graph, uid, "unpin", about=CAMPAIGN, author="ana", now=106)

    case = cases.load(graph, "jane doe HARASSMENT")
    assert case.name == "Jane Doe harassment" and case.created_by == "ana" and case.created_at == 100
    assert case.pins["about"].tolist() == [NEW]
    assert case.notes[["author", "text", "written_at"]].values.tolist() == [
        ["ben", "Same photo as the banned site.", 103]]
    assert case.tags[["about", "tag", "author"]].values.tolist() == [[NEW, "verified", "ben"]]
    assert len(case.entries) == 6  # nothing rewritten: every entry is still there
    listed = cases.cases(graph)
    assert listed[["uid", "entries"]].values.tolist() == [[uid, 6]]
    # The note is tied to the site it is about, for anyone reading the graph in Cypher.
    about = graph.query("MATCH (n:Note)-[:ABOUT]->(s:Site) WHERE n.entry = 'note' RETURN s.uid AS s")
    assert about["s"].tolist() == [NEW]
    # A tag taken off is gone from the tags, and kept in the entries.
    cases.write(graph, uid, "tag", about=NEW, tag="", author="ana", now=107)
    assert cases.load(graph, uid).tags.empty


def test_bad_entries_are_refused_with_what_to_do(graph):
    uid = cases.create(graph, "one", author="ana")
    with pytest.raises(InputError, match="exists already"):
        cases.create(graph, "ONE", author="ben")
    with pytest.raises(InputError, match="unknown tag"):
        cases.write(graph, uid, "tag", about=NEW, tag="guilty", author="ana")
    with pytest.raises(InputError, match="no case"):
        cases.write(graph, "case:nope", "note", text="x", author="ana")
    with pytest.raises(InputError, match="needs words"):
        cases.write(graph, uid, "note", text="  ", author="ana")
    with pytest.raises(InputError, match="author"):
        cases.write(graph, uid, "note", text="x", author=" ")


def _reanalyse(store, members_by_uid: dict[str, list[str]]) -> None:
    """What a new coordination run leaves: the campaigns replaced, numbered afresh."""
    store.delete_nodes("Campaign")
    store.upsert_nodes("Campaign", pd.DataFrame([{"uid": uid, "label": uid, "size": len(m)}
                                                 for uid, m in members_by_uid.items()]))
    store.upsert_edges("MEMBER_OF", pd.DataFrame([{"src": a, "dst": uid, "role": "member"}
                                                  for uid, m in members_by_uid.items() for a in m]))


def test_a_false_positive_tag_outlives_reanalysis(graph):
    uid = cases.create(graph, "checks", author="ana")
    cases.write(graph, uid, "tag", about=CAMPAIGN, tag="false positive", author="ana")
    cases.write(graph, uid, "note", about=CAMPAIGN, text="A newsroom's own accounts.", author="ana")
    assert list(cases.false_positives(graph)) == [CAMPAIGN]

    _reanalyse(graph, {"campaign:0": [DAVE, "account:twitter:x1", "account:twitter:x2"],
                       "campaign:1": [ALICE, BOB, CAROL, "account:twitter:x3"]})
    found = cases.false_positives(graph)
    assert list(found) == ["campaign:1"]
    assert found["campaign:1"]["note"] == "A newsroom's own accounts." and found["campaign:1"]["about"] == CAMPAIGN

    _reanalyse(graph, {"campaign:0": [DAVE, "account:twitter:x1"]})
    assert cases.false_positives(graph) == {}  # the latest analysis no longer finds it
    assert cases.load(graph, uid).tags["current"].tolist() == [None]


def test_a_note_never_changes_the_evidence(graph):
    from graphinv.capture.evidence import finding_captures

    before = finding_captures(graph, {"campaign": CAMPAIGN})
    uid = cases.create(graph, "c", author="ana")
    cases.write(graph, uid, "pin", about=CAMPAIGN, author="ana")
    cases.write(graph, uid, "tag", about=CAMPAIGN, tag="false positive", author="ana")
    cases.write(graph, uid, "note", about=ALICE, text="Her account.", author="ana")
    after = finding_captures(graph, {"campaign": CAMPAIGN})
    pd.testing.assert_frame_equal(before.reset_index(drop=True), after.reset_index(drop=True))


def test_a_read_only_store_writes_for_a_moment(store_uri):
    with open_store(store_uri) as store:
        build_fixture_graph(store)
    with open_store(store_uri, read_only=True) as reader:
        uid = cases.create(reader, "from the app", author="ana")
        view = {"source": "/campaign?uid=campaign:0",
                "elements": [{"data": {"id": ALICE}, "position": {"x": 1, "y": 2}}]}
        cases.write(reader, uid, "view", text=json.dumps(view), author="ana")
        assert cases.load(reader, uid).view == view
        with pytest.raises(ReadOnlyError):
            reader.upsert_nodes("Site", pd.DataFrame([{"uid": "site:x.example", "domain": "x.example"}]))
        assert reader.read_only


def test_reads_wait_while_the_store_swaps(tmp_path):
    uri = f"embedded:{tmp_path / 'g.lbug'}"
    with open_store(uri) as store:
        build_fixture_graph(store)
    errors, stop = [], threading.Event()

    def read():
        while not stop.is_set():
            try:
                reader.query("MATCH (a:Account) RETURN count(a) AS n")
            except Exception as exc:  # noqa: BLE001 - any failure of a concurrent read is the bug
                errors.append(exc)

    with open_store(uri, read_only=True) as reader:
        threads = [threading.Thread(target=read) for _ in range(3)]
        for thread in threads:
            thread.start()
        uid = cases.create(reader, "busy", author="ana")
        for i in range(5):
            cases.write(reader, uid, "note", text=f"note {i}", author="ana")
        stop.set()
        for thread in threads:
            thread.join()
        assert errors == [] and len(cases.load(reader, uid).notes) == 5


def test_another_process_holding_the_store_is_said_and_reads_go_on(tmp_path):
    """An ingest (a writer) in another process: the note is refused in one line, and the
    store is still read."""
    uri = f"embedded:{tmp_path / 'g.lbug'}"
    with open_store(uri) as store:
        build_fixture_graph(store)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from graphinv.store import open_store; "
                               f"s = open_store({uri!r}); print('open', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with open_store(uri, read_only=True) as reader:
            with pytest.raises(StoreError, match="another process"):
                cases.create(reader, "blocked", author="ana")
            assert reader.read_only and len(reader.query("MATCH (a:Account) RETURN a.uid AS a")) > 0
    finally:
        holder.kill()
        holder.wait()


def test_the_case_command_writes_and_shows_the_same_entries(tmp_path):
    from click.testing import CliRunner

    from graphinv.cli import main

    uri = f"embedded:{tmp_path / 'g.lbug'}"
    with open_store(uri) as store:
        build_fixture_graph(store)
    run = CliRunner().invoke
    steps = [["case", "new", "Jane", "--author", "ana"], ["case", "pin", "jane", CAMPAIGN, "--author", "ana"],
             ["case", "tag", "Jane", CAMPAIGN, "false positive", "--note", "newsroom staff", "--author", "ben"]]
    for args in steps:
        result = run(main, [*args, "--store", uri])
        assert result.exit_code == 0, result.output
    shown = run(main, ["case", "show", "Jane", "--store", uri]).output
    assert "pinned: 1" in shown and "ben  false positive: campaign:0" in shown and "newsroom staff" in shown
    refused = run(main, ["case", "pin", "nobody", CAMPAIGN, "--store", uri])
    assert refused.exit_code == 1
    assert refused.output.strip() == "Error: no case 'nobody': `graphinv case list` names them"
