"""Times and gaps as people read them (issue #14, point 5): ISO 8601 UTC wherever a
time leaves a store (CSV exports, ``graphinv query``, the console's CSV), one gap
(the stored one, in days and hours) on the lineage page and in the report, and
lineages read oldest → newest.

The small cases use tests/fixture_graph.py (P1 posted at T0 + 1 h = 2024-03-01T01:00:00Z;
oldnews → newnews after 2 h, newnews → newnews2 after 7 days); the lineage pages are
checked on the demo, where the steps' gaps run from 3 to 9 days.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixture_graph import CAMPAIGN, NEW, P1, build_fixture_graph
from graphinv.app import create_app, data
from graphinv.app.pages import lineages as lineage_page
from graphinv.app.pages.console import to_csv
from graphinv.export import write
from graphinv.export.graph import selection_graph
from graphinv.export.report import context
from graphinv.store import open_store
from graphinv.timefmt import format_gap

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
P1_TIME = "2024-03-01T01:00:00Z"


def _cli(args, uri):
    from graphinv.cli import main
    import graphinv.commands.query_export  # noqa: F401  (registers query and export)

    return CliRunner().invoke(main, [*args, "--store", uri], catch_exceptions=False)


def test_query_formats_write_iso_times_and_readable_gaps(store):
    build_fixture_graph(store)
    uri = store.uri
    post = store.query("MATCH (p:Post) WHERE p.uid = $u RETURN p.uid AS uid, p.created_at AS created_at",
                       {"u": P1})
    # the console's CSV download and `query --format csv` write the same cells
    assert list(csv.DictReader(io.StringIO(to_csv(post))))[0]["created_at"] == P1_TIME
    store.close()  # one process at a time on an embedded store: let the command open it
    cypher = ["query", "--cypher", "MATCH (p:Post) WHERE p.uid = $u RETURN p.uid AS uid, p.created_at AS "
              "created_at, p.created_at AS n", "--param", f"u={P1}"]
    as_csv = _cli([*cypher, "--format", "csv"], uri)
    assert as_csv.exit_code == 0, as_csv.output
    # a time column by its name; the same number under another name stays a number
    assert list(csv.DictReader(io.StringIO(as_csv.output))) == [{"uid": P1, "created_at": P1_TIME,
                                                                 "n": str(1709251200 + 3600)}]
    assert json.loads(_cli([*cypher, "--format", "json"], uri).output)[0]["created_at"] == P1_TIME
    assert P1_TIME in _cli(cypher, uri).output
    # the lineage query: gaps in days and hours in the table, seconds in the CSV
    table = _cli(["query", "lineage", "--param", f"uid={NEW}"], uri)
    assert "2 h 0 min" in table.output and "7 d 0 h" in table.output
    rows = list(csv.DictReader(io.StringIO(_cli(["query", "lineage", "--param", f"uid={NEW}", "--format", "csv"],
                                                uri).output)))
    assert [r["gap"] for r in rows] == ["7200", "604800"]  # oldest step first


def test_csv_export_writes_iso_times(store, tmp_path):
    build_fixture_graph(store)
    nodes_path, edges_path = write(selection_graph(store, campaign=CAMPAIGN), "csv", tmp_path / "c.csv")
    nodes = {row["uid"]: row for row in csv.DictReader(open(nodes_path, encoding="utf-8"))}
    # created_at as ISO; start stays the epoch number Gephi's timeline reads
    assert nodes[P1]["created_at"] == P1_TIME and nodes[P1]["start"] == "1709254800"
    edges = list(csv.DictReader(open(edges_path, encoding="utf-8")))
    coordinated = [e for e in edges if e["kind"] == "COORDINATED_WITH"]
    assert coordinated and all(e["first_time"].endswith("Z") for e in coordinated)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """The demo, ingested and its reappearances found, in an embedded store."""
    from graphinv.analysis import reappearance
    from graphinv.ingest import ingest_paths

    with open_store(f"embedded:{tmp_path_factory.mktemp('demo') / 'demo.lbug'}") as store:
        ingest_paths(store, [DEMO])
        reappearance.analyze(store)
        yield store


def _page_text(component) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda o: o.to_plotly_json()
                      if hasattr(o, "to_plotly_json") else str(o), ensure_ascii=False)


def test_demo_lineages_read_oldest_to_newest_with_the_reports_gaps(demo_store):
    frame = data.lineages(demo_store)
    assert "ostervale-truth.example → ostervale-facts.example → truth-ostervale.example" in set(frame["chain"])
    ctx = create_app(store=demo_store).server.config["GRAPHINV_CONTEXT"]
    for lineage in frame.itertuples(index=False):
        steps = data.steps_in_time_order(data.lineage_steps(demo_store, lineage.lineage))
        order = data.oldest_first(steps)
        # oldest → newest: each generation's first sign comes after the one before it
        since = dict(zip(steps["predecessor"], steps["predecessor_since"])) | \
            dict(zip(steps["successor"], steps["successor_since"]))
        assert [since[u] for u in order] == sorted(since[u] for u in order), lineage.chain
        assert order == list(lineage.members) and order[0] == lineage.lineage
        page = [(s.predecessor, s.successor, format_gap(s.gap)) for s in steps.itertuples(index=False)]
        assert [(a, b) for a, b, _ in page] == list(zip(order, order[1:])), lineage.chain

        # the report's lineage table: the same steps, in the same order, with the same gap text
        G = selection_graph(demo_store, lineage=lineage.lineage)
        label = {u: G.nodes[u]["label"] for u in order}
        assert [(s["from"], s["to"], s["gap"]) for s in context(G)["steps"]] == \
            [(label[a], label[b], gap) for a, b, gap in page]

        # the page: title oldest → newest, the step cards and chart labels with that gap
        shown = _page_text(lineage_page.detail(ctx, lineage.lineage))
        assert json.dumps(" → ".join(label[u] for u in order), ensure_ascii=False) in shown
        assert all(shown.count(f"gap {gap}") >= 2 for _, _, gap in page)  # the chart's label and the step card
        assert lineage.longest_gap in {gap for _, _, gap in page}
