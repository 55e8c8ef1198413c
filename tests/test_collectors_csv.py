"""CSV tables (tests/fixtures/csv), each with the expected records explained."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

from collectors import csv_tables, find_collector
from collectors.base import validate_record
from graphinv.records import Edge, Node, Reject, account_uid, post_uid, report_uid, target_uid

FIXTURES = Path(__file__).parent / "fixtures" / "csv"


def split(records):
    nodes, edges, rejects = {}, {}, []
    for r in records:
        assert not validate_record(r), validate_record(r)
        if isinstance(r, Node):
            nodes[r.uid] = r
        elif isinstance(r, Edge):
            edges[r.uid] = r
        else:
            rejects.append(r)
    return nodes, edges, rejects


def test_detection():
    for name in ("shares.csv", "cnt.csv", "observations.csv", "reports.csv", "targets.csv",
                 "observations_missing.csv"):
        assert find_collector(FIXTURES / name) is csv_tables, name


def test_coortweet_shares():
    """Rows 1-2: two accounts post the same URL (two spellings) -> Post -LINKS_TO-> one Url.
    Rows 3-4: two accounts re-share post 900 -> REPOSTED keyed by their content ids."""
    nodes, edges, rejects = split(csv_tables.collect(FIXTURES / "shares.csv"))
    assert rejects == []
    alice, bob = account_uid("twitter", "alice_1"), account_uid("twitter", "bob")
    url = "url:https://example.org/story"
    assert edges[f"{post_uid('twitter', 'c1')}>LINKS_TO>{url}"].props == {"time": 1682942400}
    assert edges[f"{post_uid('twitter', 'c2')}>LINKS_TO>{url}"].props == {"time": 1682942420}  # ISO time
    assert f"{alice}>POSTED>{post_uid('twitter', 'c1')}" in edges
    assert f"{bob}>POSTED>{post_uid('twitter', 'c2')}" in edges
    assert f"{url}>ON_SITE>site:example.org" in edges
    carol = edges[f"{account_uid('twitter', 'carol')}>REPOSTED>{post_uid('twitter', '900')}#c3"]
    assert carol.props == {"time": 1682942410, "repost_uid": post_uid("twitter", "c3"),
                           "capture": carol.props["capture"]}
    row = nodes[carol.props["capture"]].props  # the CSV row the repost was read from
    raw = Path(row["source_file"]).read_bytes()[row["offset"]:row["offset"] + row["length"]]
    assert raw == b"900,carol,c3,1682942410\n" and row["format"] == "csv" and row["time_source"] == "unknown"
    assert f"{account_uid('twitter', 'dave')}>REPOSTED>{post_uid('twitter', '900')}#c4" in edges
    assert nodes[alice].props["first_seen"] == 1682942400


def test_column_mapping_and_platform():
    path = FIXTURES / "shares_mapped.csv"
    # without the mapping the table cannot be read: one reject naming what is missing
    rejects = list(csv_tables.collect(path))
    assert len(rejects) == 1 and rejects[0].reason == "missing_columns"
    assert "account_id" in rejects[0].detail and "found: user, tweet, object, when" in rejects[0].detail
    mapped = {"account_id": "user", "content_id": "tweet", "object_id": "object", "timestamp": "when"}
    nodes, edges, rejects = split(csv_tables.collect(path, columns=mapped, platform="telegram"))
    assert rejects == []
    assert f"{account_uid('telegram', 'alice_1')}>REPOSTED>{post_uid('telegram', '777')}#r9" in edges


def test_coordination_network_toolkit_shape():
    nodes, edges, rejects = split(csv_tables.collect(FIXTURES / "cnt.csv"))
    assert rejects == []
    m1 = nodes[post_uid("twitter", "m1")]
    assert m1.props["text"] == "Vote now https://t.co/q" and m1.props["account"] == account_uid("twitter", "alice_1")
    # two spellings of one URL: one LINKS_TO
    assert [e.dst for e in edges.values() if e.kind == "LINKS_TO"] == ["url:https://example.org/vote"]
    # m2 is a repost of m1: an edge, not a post of its own
    assert f"{account_uid('twitter', 'bob')}>REPOSTED>{m1.uid}#m2" in edges and post_uid("twitter", "m2") not in nodes
    assert f"{post_uid('twitter', 'm3')}>REPLIED_TO>{m1.uid}" in edges


def test_observations():
    nodes, edges, rejects = split(csv_tables.collect(FIXTURES / "observations.csv"))
    observed = {e.dst: nodes[e.src].props["status"] for e in edges.values() if e.kind == "OBSERVED"}
    assert observed == {
        "site:example.org": "active",  # a home page is the site
        "site:example.net": "not_found",  # a bare domain; HTTP 404
        account_uid("twitter", "alice_1"): "suspended",  # a handle with a platform
        account_uid("telegram", "newschan"): "withheld",  # a profile URL
        "url:https://news.example.com/a": "deleted",  # any other URL
        post_uid("twitter", "100"): "deleted",  # a tweet URL; "removed"
    }
    # line 8: unknown status; 9: unreadable time; 10: a field too few; 11: a field too many
    assert Counter(r.reason for r in rejects) == {"bad_status": 1, "bad_time": 1, "bad_row": 2}
    assert "on vacation" in next(r for r in rejects if r.reason == "bad_status").detail
    by_line = {r.where.rsplit(":", 1)[1]: r.reason for r in rejects}
    assert by_line == {"8": "bad_status", "9": "bad_time", "10": "bad_row", "11": "bad_row"}
    obs = nodes[next(e.src for e in edges.values() if e.dst == "site:example.net")]
    assert obs.props["http_status"] == 404 and obs.props["observed_at"] == 1682985600
    assert obs.uid == "observation:site:example.net@1682985600#watch"


def test_observations_expected_entities():
    nodes, edges, _ = split(csv_tables.collect(FIXTURES / "observations.csv"))
    assert {e.dst for e in edges.values() if e.kind == "OBSERVED"} == {
        "site:example.org",
        "site:example.net",
        account_uid("twitter", "alice_1"),
        account_uid("telegram", "newschan"),
        "url:https://news.example.com/a",
        post_uid("twitter", "100"),
    }


def test_reports():
    nodes, edges, rejects = split(csv_tables.collect(FIXTURES / "reports.csv"))
    assert rejects == []
    r1 = nodes[report_uid("R1")]
    assert r1.props["entity"] == post_uid("twitter", "100") and r1.props["reported_to"] == "twitter"
    assert r1.props["category"] == "hate" and r1.props["reported_at"] == 1682946000
    assert f"{r1.uid}>REPORTED>{post_uid('twitter', '100')}" in edges
    # no report_id: a stable id from the row
    generated = [n for n in nodes.values() if n.kind == "Report" and n.uid != r1.uid]
    assert len(generated) == 1 and len(generated[0].props["report_id"]) == 16
    assert f"{generated[0].uid}>REPORTED>url:https://example.org/story" in edges


def test_targets():
    nodes, _, rejects = split(csv_tables.collect(FIXTURES / "targets.csv"))
    assert rejects == []
    target = nodes[target_uid("Jane Doe")]
    assert target.props["name"] == "Jane Doe"
    assert target.props["aliases"] == ["J. Doe", "JD"]
    assert target.props["accounts"] == [account_uid("twitter", "janedoe"), account_uid("telegram", "janedoe_official")]
    assert target.props["kind"] == "person"


def test_missing_required_columns_is_one_reject():
    records = list(csv_tables.collect(FIXTURES / "observations_missing.csv"))
    assert len(records) == 1 and records[0].reason == "missing_columns"
    assert "observations table needs column(s) status" in records[0].detail


def test_forced_table_and_bad_options():
    records = list(csv_tables.collect(FIXTURES / "targets.csv", table="reports"))
    assert records[0].reason == "missing_columns" and "url, reported_at" in records[0].detail
    assert list(csv_tables.collect(FIXTURES / "targets.csv", table="nope"))[0].reason == "bad_option"


def test_same_account_in_two_files_has_one_uid():
    def accounts(name):
        return {r.uid for r in csv_tables.collect(FIXTURES / name) if isinstance(r, Node) and r.kind == "Account"}

    assert account_uid("twitter", "alice_1") in (accounts("shares.csv") & accounts("cnt.csv")
                                                 & accounts("observations.csv"))


def test_gzip_and_tab_separated(tmp_path):
    text = (FIXTURES / "shares.csv").read_text()
    tsv = tmp_path / "shares.tsv.gz"
    tsv.write_bytes(gzip.compress(text.replace(",", "\t").encode()))
    assert find_collector(tsv) is csv_tables
    edges = [r for r in csv_tables.collect(tsv) if isinstance(r, Edge) and r.kind == "REPOSTED"]
    assert len(edges) == 2

    blob = gzip.compress((text + "".join(f"900,acc{i},x{i},1682942400\n" for i in range(5000))).encode())
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(blob[: len(blob) // 2])
    records = list(csv_tables.collect(cut))
    assert Counter(r.reason for r in records if isinstance(r, Reject)) == {"truncated_gzip": 1}
    assert sum(1 for r in records if isinstance(r, Edge) and r.kind == "REPOSTED") > 2


def test_observations_with_watch_statuses(tmp_path):
    """What `graphinv watch run` records reads back from a CSV export."""
    path = tmp_path / "observations.csv"
    path.write_text("entity,platform,status,observed_at\n"
                    "https://old.example/,web,moved,2026-03-01T00:00:00Z\n"
                    "https://slow.example/,web,unreachable,2026-03-01T00:00:00Z\n"
                    "https://broken.example/,web,error,2026-03-01T00:00:00Z\n")
    nodes, edges, rejects = split(csv_tables.collect(path))
    observed = {e.dst: nodes[e.src].props["status"] for e in edges.values() if e.kind == "OBSERVED"}
    assert rejects == [] and observed == {"site:old.example": "moved", "site:slow.example": "unreachable",
                                          "site:broken.example": "error"}
