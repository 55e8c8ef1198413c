"""The written report (issue #14, point 6): what an editor or a prosecutor reads.

Most tests use a small hand-made campaign (``_campaign``) with real captures: a JSONL
file in a case folder whose lines are the members' reposts, so every evidence item has
a real offset and sha256. The story (T = 2024-03-01T00:00:00Z):

* voice posts X, Y and Z; alice, bob and carol repost X at T, T+10 s, T+40 s, Y on
  day 4 (bob first, alice +5 s, carol +30 s) and Z on day 10 (alice, bob +8 s);
* so alice–bob co-acted on 3 posts, alice–carol and bob–carol on 2: "3 accounts
  reposted the same 3 posts within 40 seconds of each other, 2 to 3 times per pair";
* the last co-action (Z, day 10) is 10 days after the last post the graph holds, as in
  the demo, where the timeline used to stop 11 days before the campaign ended.

The store-backed tests run the fixture graph (tests/fixture_graph.py) once per store.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from fixture_graph import CAMPAIGN, HOSTILE_TITLE, NEW, NEW2, OLD, build_fixture_graph
from graphinv.analysis.registry import BY_NAME
from graphinv.export import write
from graphinv.export.graph import selection_graph
from graphinv.export.html_graph import external_loads
from graphinv.export.pseudonym import pseudonymize
from graphinv.export.report import context, render_html
from graphinv.export.svg import network_svg, timeline_svg
from graphinv.timefmt import iso
from graphinv.vocabulary import STATUSES

T = 1709251200  # 2024-03-01T00:00:00Z
D = 86400
MEMBERS = ("alice", "bob", "carol")
ACTS = [("X", "alice", T), ("X", "bob", T + 10), ("X", "carol", T + 40),
        ("Y", "bob", T + 4 * D), ("Y", "alice", T + 4 * D + 5), ("Y", "carol", T + 4 * D + 30),
        ("Z", "alice", T + 10 * D), ("Z", "bob", T + 10 * D + 8)]
LAST_ACT = T + 10 * D + 8


def _account(handle: str) -> str:
    return f"account:twitter:{handle}"


def _campaign(tmp_path: Path, captures: bool = True) -> nx.MultiDiGraph:
    """The hand-made campaign (see the module docstring), its JSONL in tmp_path/case."""
    case = tmp_path / "case" / "snscrape"
    case.mkdir(parents=True)
    source = case / "twitter-search-harbour.jsonl"
    lines = [json.dumps({"_type": "snscrape.modules.twitter.Tweet", "id": 100 + i, "date": iso(t),
                         "user": {"username": who}, "retweetedTweet": {"id": ord(obj)}}).encode() + b"\n"
             for i, (obj, who, t) in enumerate(ACTS)]
    source.write_bytes(b"".join(lines))
    file_sha = hashlib.sha256(source.read_bytes()).hexdigest()
    run = f"run:snscrape:{file_sha[:16]}"
    G = nx.MultiDiGraph()
    G.add_node(CAMPAIGN, kind="Campaign", label="harbour push", size=3, modalities=["repost"], objects=3,
               first_time=T, last_time=LAST_ACT, confidence=1.0,
               reasons=["3 accounts; 3 of their 3 pairs co-acted beyond chance"],
               params=json.dumps({"window": 60, "min_participation": 2, "min_objects": 2, "alpha": 0.2,
                                  "resolution": 1.0, "seed": 0, "min_campaign_size": 3, "min_cohesion": 0.5,
                                  "modalities": ["repost"]}))
    for handle in (*MEMBERS, "voice"):
        G.add_node(_account(handle), kind="Account", label=handle, handle=handle, platform="twitter",
                   display_name=handle.title() + " Example", time=T - 100 * D, created_at=T - 100 * D, runs=[run])
    for handle in MEMBERS:
        G.add_edge(_account(handle), CAMPAIGN, key=f"{handle}>MEMBER_OF", kind="MEMBER_OF", role="member", degree=2.0)
    G.add_edge(_account("voice"), CAMPAIGN, key="voice>MEMBER_OF", kind="MEMBER_OF", role="amplified", degree=0.0)
    for a, b, n in (("alice", "bob", 3), ("alice", "carol", 2), ("bob", "carol", 2)):
        G.add_edge(_account(a), _account(b), key=f"{a}>{b}", kind="COORDINATED_WITH", weight=float(n), objects=n,
                   window=60)
    for obj in "XYZ":
        post = f"post:twitter:{ord(obj)}"
        G.add_node(post, kind="Post", label=f"https://twitter.com/voice/status/{ord(obj)}", time=T - D,
                   created_at=T - D, text=f"Post {obj} about @alice", url=f"https://twitter.com/voice/status/{ord(obj)}",
                   runs=[run])
        G.add_edge(_account("voice"), post, key=f"voice>POSTED>{obj}", kind="POSTED", time=T - D)
        G.add_edge(CAMPAIGN, post, key=f"EVIDENCE>{obj}", kind="EVIDENCE", modality="repost")
    rows, coactions, offset = [], [], 0
    for i, ((obj, who, t), line) in enumerate(zip(ACTS, lines)):
        uid = f"capture:{file_sha[:16]}:{offset}"
        rows.append({"uid": uid, "entity": _account(who), "captured_at": None, "time_source": "unknown",
                     "format": "jsonl", "source_file": str(source), "source_sha256": file_sha, "offset": offset,
                     "length": len(line), "line": i + 1, "bytes_sha256": hashlib.sha256(line).hexdigest(),
                     "content_sha256": None, "url": f"https://twitter.com/{who}/status/{100 + i}",
                     "record_id": None, "run": run})
        first = min(t2 for o2, _, t2 in ACTS if o2 == obj)
        coactions.append({"account": _account(who), "handle": who, "object": f"post:twitter:{ord(obj)}",
                          "modality": "repost", "time": t, "seconds_after_first": t - first, "capture": uid})
        offset += len(line)
    G.graph.update(selection={"campaign": CAMPAIGN}, store=f"embedded:{tmp_path / 'var' / 'graph.lbug'}",
                   public_accounts=[], removed_at={},
                   runs={run: {"uid": run, "source": str(source), "sha256": file_sha, "collector": "snscrape",
                               "items": len(lines), "started_at": T + 30 * D}})
    if captures:
        G.graph["captures"] = pd.DataFrame(rows)
        G.graph["coactions"] = pd.DataFrame(coactions)
    return G


def test_summary_says_what_was_found_in_a_sentence(tmp_path):
    ctx = context(_campaign(tmp_path))
    assert ctx["what"][0] == ("3 accounts reposted the same 3 posts within 40 seconds of each other, "
                              "2 to 3 times per pair, between 2024-03-01 and 2024-03-11.")
    assert "written by voice, who are not counted as members" in ctx["what"][1]
    assert ctx["sure"][0].startswith("Confidence 100 %")
    assert "3 of their 3 pairs co-acted beyond chance" in ctx["sure"][1]


def test_coactions_and_evidence_items_point_to_the_captured_bytes(tmp_path):
    G = _campaign(tmp_path)
    ctx = context(G)
    groups = ctx["coactions"]
    assert [g["object"] for g in groups] == [G.nodes[f"post:twitter:{ord(o)}"]["label"] for o in "XYZ"]
    assert [(r["account"], r["after"]) for r in groups[0]["rows"]] == [("alice", 0), ("bob", 10), ("carol", 40)]
    # each act's evidence item holds the exact line: its offset, length and sha256
    source = (tmp_path / "case" / "snscrape" / "twitter-search-harbour.jsonl").read_bytes()
    items = {i["ref"]: i for i in ctx["items"]}
    first = items[groups[0]["rows"][0]["evidence"]]
    offset, length = (int(n) for n in re.search(r"offset (\d+), (\d+) bytes", first["location"]).groups())
    assert hashlib.sha256(source[offset:offset + length]).hexdigest() == first["bytes_sha256"]
    assert first["captured_at"] == "unknown"  # the source does not say; never the ingest time
    assert first["location"].startswith("S1, line 1")


def test_reads_the_evidence_modules_capture_rows(tmp_path):
    # graphinv.capture.evidence.capture_rows names the capture's uid "capture" and its
    # URL "capture_url", with no entity: every row is then cited.
    G = _campaign(tmp_path)
    expected = [(i["uid"], i["bytes_sha256"]) for i in context(G)["items"]]
    rows = G.graph["captures"].drop(columns=["entity"]).rename(columns={"uid": "capture", "url": "capture_url"})
    G.graph["captures"] = rows
    assert [(i["uid"], i["bytes_sha256"]) for i in context(G)["items"]] == expected


def test_without_capture_records_the_report_says_so(tmp_path):
    page = render_html(_campaign(tmp_path, captures=False))
    assert "No capture records in this store" in page and "no co-action records" in page
    assert "E1" not in page  # no invented evidence items


def test_no_absolute_path_anywhere(tmp_path):
    G = _campaign(tmp_path)
    page = render_html(G)
    assert str(tmp_path) not in page and "/case/" not in page
    # the file is listed once, relative to the folder holding the sources, with its sha256
    ctx = context(G)
    assert [(s["ref"], s["path"]) for s in ctx["sources"]] == [("S1", "twitter-search-harbour.jsonl")]
    assert ctx["sources_base"] == "snscrape"
    assert page.count(ctx["sources"][0]["sha256"]) == 1
    assert "the embedded store graph.lbug" in page


def test_pseudonymised_report_names_nobody_and_invents_no_url(tmp_path):
    P = pseudonymize(_campaign(tmp_path), b"0123456789abcdef-salt")
    page = render_html(P)
    for name in (*MEMBERS, "voice", "Alice Example"):
        assert not re.search(rf"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_])", page, re.I), name
    assert not re.search(r"(?:twitter|x)\.com/anon-", page)
    assert "(withheld)" in page and "anon-" in page


def test_timeline_covers_the_last_coaction(tmp_path):
    G = _campaign(tmp_path)
    svg = timeline_svg(G)
    ticks = re.findall(r'data-time="([^"]+)"', svg)
    assert ticks[-1] == iso(LAST_ACT) and ticks[0] == iso(T - D)  # from the first post to the last act
    # without the co-action table, the campaign's own span still ends the axis
    del G.graph["coactions"]
    assert re.findall(r'data-time="([^"]+)"', timeline_svg(G))[-1] == iso(LAST_ACT)


def test_network_figure_holds_the_members_only(tmp_path):
    svg = network_svg(_campaign(tmp_path))
    assert sorted(re.findall(r"<text[^>]*>([^<]+)</text>", svg)) == sorted(MEMBERS)


def test_methods_limitations_and_glossary_are_prose(tmp_path):
    page = render_html(_campaign(tmp_path))
    assert "Two accounts co-act when they repost the same post within 60 seconds of each other" in page
    assert "Leiden method (resolution 1.0, seed 0" in page
    assert "{" not in page.split("<h2>Methods and parameters</h2>")[1].split("<h2>Limitations")[0]
    assert BY_NAME["coordination"].limitations[:60] in page  # the registry's words, not a copy
    for status in STATUSES.values():
        assert f"status “{status.name}”" in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_pdf_pages_hold_every_part(tmp_path):
    path, digest = write(_campaign(tmp_path), "report", tmp_path / "r.pdf")
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    text = [subprocess.run(["pdftotext", "-layout", "-f", str(p), "-l", str(p), str(path), "-"], check=True,
                           capture_output=True, text=True).stdout for p in range(1, pages + 1)]
    whole = re.sub(r"\s+", " ", "\n".join(text))
    assert "3 accounts reposted the same 3 posts within 40 seconds" in re.sub(r"\s+", " ", text[0])
    for part in ("How sure", "Co-actions", "Figure 1.", "Figure 2.", "Evidence items", "Methods and parameters",
                 "Limitations", "Glossary", "Source files"):
        assert part in whole, part
    assert "r.pdf.sha256" in re.sub(r"\s+", " ", text[-1])
    assert digest.read_text() == f"{hashlib.sha256(path.read_bytes()).hexdigest()}  r.pdf\n"
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "page")], check=True)
        assert len(list(tmp_path.glob("page-*.png"))) == pages


def test_report_of_the_fixture_escapes_hostile_text(store, tmp_path):
    build_fixture_graph(store)
    page = write(selection_graph(store), "report-html", tmp_path / "r.html")[0].read_text()
    assert HOSTILE_TITLE not in page and "<script>alert" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert external_loads(page) == []


def test_lineage_report_sets_the_generations_side_by_side(store):
    build_fixture_graph(store)
    ctx = context(selection_graph(store, lineage=NEW2))
    steps = ctx["steps"]
    assert [(s["before"]["uid"], s["after"]["uid"], s["gap"]) for s in steps] == \
        [(OLD, NEW, "2 h 0 min"), (NEW, NEW2, "7 d 0 h")]
    assert steps[0]["before"]["removed"] == "2024-03-02T00:00:00Z"  # oldnews observed not_found at T0 + 1 d
    assert [p["url"] for p in steps[0]["after"]["pages"]] == ["https://newnews.example/a1"]
    assert ctx["what"][0].startswith("3 generations of one operation were found, oldest first: "
                                     "oldnews.example → newnews.example → newnews2.example")


def test_cli_prints_the_reports_sha256_last(store, tmp_path):
    from graphinv.cli import main
    import graphinv.commands.query_export  # noqa: F401

    build_fixture_graph(store)
    uri = store.uri
    store.close()
    out = tmp_path / "c.html"
    result = CliRunner().invoke(main, ["export", "report", "--campaign", CAMPAIGN, "--out", str(out), "--store", uri])
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert result.output.strip().splitlines()[-1] == f"sha256 {digest}  c.html"
    assert (tmp_path / "c.html.sha256").read_text() == f"{digest}  c.html\n"


def test_a_false_positive_tag_heads_the_report_and_other_tags_are_named(store, tmp_path):
    """A newsroom's "false positive" is said before the finding, with who, when and why;
    other tags are named as the newsroom's, not evidence."""
    from graphinv import cases

    build_fixture_graph(store)
    uid = cases.create(store, "checks", author="ana")
    cases.write(store, uid, "tag", about=CAMPAIGN, tag="false positive", author="ana", now=1764000000)
    cases.write(store, uid, "note", about=CAMPAIGN, text="Three staff of one newsroom.", author="ana")
    cases.write(store, uid, "tag", about=NEW, tag="verified", author="ben", now=1764000000)
    page = render_html(selection_graph(store, campaign=CAMPAIGN))
    summary = " ".join(page[page.index('id="summary"'):page.index("How sure")].split())
    assert "Tagged <b>false positive</b> in the case “checks” by ana on 2025-11-24" in summary
    assert "“Three staff of one newsroom”. Check it before publishing." in summary
    assert "“verified”" in summary and "they are not evidence" in summary
    untagged = render_html(selection_graph(store, lineage=NEW2))
    assert "false positive" not in untagged
