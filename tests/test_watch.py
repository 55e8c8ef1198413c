"""The watchlist against real HTTP servers on 127.0.0.1: sites that go down, return
451, move to a new domain name (a Host-header virtual host of the same server), change
their content and come back; on both stores, through the library and the CLI."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from http_sites import hang, page, redirect, sites, status  # noqa: F401
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from graphinv.analysis import reappearance
from graphinv.capture import watch
from graphinv.capture.evidence import evidence, read_record, verify_row
from graphinv.capture.fetch import FetchPolicy
from graphinv.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
HOSTS = ("old-site.test", "new-site.test", "other-site.test", "censored.test", "t.me", "slow.test")
ARTICLE = ("The harbour contracts were signed in secret, and the council never published the minutes "
           "of the meeting where the marina was sold to a friend of the mayor. ") * 4


def policy() -> FetchPolicy:
    return FetchPolicy(resolve={h: "127.0.0.1" for h in HOSTS} | {"gone.test": None, "*": None},
                       allow_networks=["127.0.0.0/8"], timeout=1.0, deadline=3.0)


def site_page(title: str, text: str = ARTICLE) -> str:
    return (f"<html><head><title>{title}</title></head><body><main><h1>{title}</h1><p>{text}</p></main>"
            "<script>var ads = 'ca-pub-5930418276354012';</script></body></html>")


def next_second() -> None:
    """Observation times are whole seconds: two checks of one entity are told apart in
    time only a second later (they stay two observations either way)."""
    start = int(time.time())
    while int(time.time()) == start:
        time.sleep(0.05)


def checks_by_entity(result) -> dict:
    return {c.entity: (c.status, c.change) for c in result.checks}


def test_watch_records_takedowns_moves_and_changes(sites, store, tmp_path):
    sites.route("old-site.test", "/", page(site_page("Ostervale Truth")))
    sites.route("other-site.test", "/", page(site_page("Other", "first version of the page " * 10)))
    sites.route("censored.test", "/", page(site_page("Censored")))
    sites.route("t.me", "/ostervaletruth", page(site_page("Ostervale Truth channel")))
    store.upsert_nodes("Account", pd.DataFrame([{"uid": "account:telegram:ostervaletruth", "platform": "telegram",
                                                 "handle": "ostervaletruth",
                                                 "url": sites.url("t.me", "/ostervaletruth")}]))
    watch.add(store, [sites.url("old-site.test"), sites.url("other-site.test"), sites.url("censored.test"),
                      "account:telegram:ostervaletruth", "http://gone.test/"], note="reported 2026-11-30")
    assert set(watch._watch_rows(store)) == {"watch:site:old-site.test", "watch:site:other-site.test",
                                             "watch:site:censored.test", "watch:account:telegram:ostervaletruth",
                                             "watch:site:gone.test"}

    first = watch.run(store, policy(), out_dir=tmp_path, delay=0)
    assert checks_by_entity(first) == {
        "site:old-site.test": ("active", "first_check"), "site:other-site.test": ("active", "first_check"),
        "site:censored.test": ("active", "first_check"),
        "account:telegram:ostervaletruth": ("active", "first_check"),
        "site:gone.test": ("not_found", "first_check")}
    assert first.changed == [] and first.ingest.files[0].rejects == {}

    next_second()
    # The next day: old-site moved to a new name, one changed, one is withheld, the channel is gone.
    sites.route("old-site.test", "/", redirect(sites.url("new-site.test", "/"), 301))
    sites.route("new-site.test", "/", page(site_page("Ostervale Truth (new home)")))
    sites.route("other-site.test", "/", page(site_page("Other", "second version, all rewritten " * 10)))
    sites.route("censored.test", "/", status(451))
    sites.route("t.me", "/ostervaletruth", status(404))
    second = watch.run(store, policy(), out_dir=tmp_path, delay=0)
    assert checks_by_entity(second) == {
        "site:old-site.test": ("moved", "moved"), "site:other-site.test": ("active", "content_changed"),
        "site:censored.test": ("withheld", "taken_down"),
        "account:telegram:ostervaletruth": ("not_found", "taken_down"),
        "site:gone.test": ("not_found", "unchanged")}
    assert second.added == ["site:new-site.test"]
    moved = next(c for c in second.checks if c.entity == "site:old-site.test")
    assert moved.final_url == sites.url("new-site.test", "/") and moved.successor == "site:new-site.test"

    # Stored: one Observation per check with the evidence of its bytes.
    rows = store.query("MATCH (o:Observation)-[:OBSERVED]->(s:Site) WHERE s.uid = 'site:old-site.test' "
                       "AND o.source = 'watch' RETURN o.observed_at AS t, o.status AS status, o.change AS change, "
                       "o.final_url AS final, o.http_status AS http, o.warc_file AS file, o.warc_offset AS off, "
                       "o.content_sha256 AS sha, o.redirects AS redirects ORDER BY t")
    assert rows["status"].tolist() == ["active", "moved"] and rows["change"].tolist() == ["first_check", "moved"]
    last = rows.iloc[1]
    assert last["final"] == f"https://new-site.test:{sites.port}/" and last["http"] == 200
    assert list(last["redirects"]) == [sites.url("old-site.test"), sites.url("new-site.test")]
    record_type, target, sha = read_record(Path(last["file"]), int(last["off"]))
    assert (record_type, target, sha) == ("response", sites.url("new-site.test"), last["sha"])

    # The move is a link the reappearance analysis reads: old-site -> new-site.
    reappearance.analyze(store)
    edge = store.query("MATCH (a:Site)-[r:REAPPEARS_AS]->(b:Site) RETURN a.uid AS a, b.uid AS b, r.signals AS s")
    assert edge[["a", "b"]].values.tolist() == [["site:old-site.test", "site:new-site.test"]]
    assert "crosslink" in list(edge.iloc[0]["s"])

    next_second()
    # Day three: the channel is back; the new site is watched too now.
    sites.route("t.me", "/ostervaletruth", page(site_page("Ostervale Truth channel")))
    third = watch.run(store, policy(), out_dir=tmp_path, delay=0)
    changes = checks_by_entity(third)
    assert changes["account:telegram:ostervaletruth"] == ("active", "back")
    assert changes["site:new-site.test"] == ("active", "first_check")
    assert changes["site:old-site.test"] == ("moved", "unchanged")

    # The captures alone rebuild the watchlist and its history in another store.
    from graphinv.ingest import ingest_paths
    from graphinv.store import open_store

    with open_store(f"embedded:{tmp_path / 'elsewhere.lbug'}") as elsewhere:
        ingest_paths(elsewhere, sorted(tmp_path.glob("watch-*.warc.gz")))
        rebuilt = elsewhere.query("MATCH (w:Watch)-[:WATCHES]->(e) RETURN e.uid AS uid ORDER BY uid")["uid"].tolist()
        assert rebuilt == sorted(checks_by_entity(third))
        assert watch.previous_checks(elsewhere)["site:censored.test"]["status"] == "withheld"

    listed = evidence(store, "site:old-site.test")
    watch_rows = listed[listed["source"] == "watch"]
    assert len(watch_rows) == 3
    assert {verify_row(r) for r in watch_rows.to_dict("records")} == {"ok"}


def test_evidence_verify_catches_altered_bytes(sites, store, tmp_path):
    sites.route("old-site.test", "/", page(site_page("Ostervale Truth")))
    watch.add(store, [sites.url("old-site.test")])
    result = watch.run(store, policy(), out_dir=tmp_path, delay=0)
    rows = evidence(store, "site:old-site.test").to_dict("records")
    checked = [r for r in rows if r["source"] == "watch"]
    assert [verify_row(r) for r in checked] == ["ok"]
    # The check's outcome record names the response it saw, itself a capture.
    offset = int(checked[0]["warc_offset"])
    (response,) = [r for r in rows if r["format"] == "warc" and r["offset"] == offset]
    assert verify_row(response) == "ok" and checked[0]["offset"] > offset
    # Someone rewrites the response in the file: same place, other bytes.
    data = result.path.read_bytes()
    with open(result.path, "rb") as handle:
        handle.seek(offset)
        original = next(iter(ArchiveIterator(handle)))
        http_headers = original.http_headers
    forged = io.BytesIO()
    writer = WARCWriter(forged, gzip=True)
    writer.write_record(writer.create_warc_record(
        sites.url("old-site.test"), "response", payload=io.BytesIO(b"<html><body>nothing to see</body></html>"),
        http_headers=http_headers, warc_headers_dict={"WARC-Date": original.rec_headers.get_header("WARC-Date")}))
    result.path.write_bytes(data[:offset] + forged.getvalue())
    assert verify_row(response) == "changed"
    assert verify_row(checked[0]) == "no record"  # the outcome record after it is gone with the rewrite
    result.path.unlink()
    assert verify_row(checked[0]) == verify_row(response) == "missing"


def test_timeouts_are_unreachable_not_taken_down(sites, store, tmp_path):
    sites.route("slow.test", "/", page(site_page("Slow")))
    watch.add(store, [sites.url("slow.test")])
    watch.run(store, policy(), out_dir=tmp_path, delay=0)
    next_second()
    sites.route("slow.test", "/", hang(30))
    result = watch.run(store, policy(), out_dir=tmp_path, delay=0)
    (check,) = result.checks
    assert (check.status, check.change) == ("unreachable", "unreachable")
    assert check.detail.startswith("timeout")


def test_watch_add_refuses_what_it_cannot_check(store):
    with pytest.raises(InputError, match="not a URL"):
        watch.add(store, ["no such thing here"])
    with pytest.raises(InputError, match="no URL known"):
        watch.add(store, ["account:someplatform:alice"])
    with pytest.raises(InputError, match="empty"):
        watch.run(store, policy())
    with pytest.raises(InputError, match="not on the watchlist"):
        watch.remove(store, ["https://never-added.example/"])


# --------------------------------------------------------------------------- CLI (embedded store)


def graphinv(*args, env):
    return subprocess.run([sys.executable, "-m", "graphinv", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, cwd=ROOT, timeout=120)


def test_watch_cli_for_cron(sites, tmp_path):
    sites.route("old-site.test", "/", page(site_page("Ostervale Truth")))
    env = {"GRAPHINV_STORE": f"embedded:{tmp_path / 'g.lbug'}",
           "GRAPHINV_RESOLVE": ",".join(f"{h}=127.0.0.1" for h in HOSTS) + ",*=none",
           "GRAPHINV_ALLOW_NETWORKS": "127.0.0.0/8"}
    out_dir = str(tmp_path / "captures")
    listed_sites = tmp_path / "sites.txt"
    listed_sites.write_text(f"# sites to watch\n{sites.url('old-site.test')}  # the first one\n\n")
    done = graphinv("watch", "add", "--from", str(listed_sites), "--note", "the site that doxxed C.", env=env)
    assert done.returncode == 0 and "watching site:old-site.test" in done.stdout

    first = graphinv("watch", "run", "--delay", "0", "--out-dir", out_dir, env=env)
    assert first.returncode == 0, first.stderr
    assert "first_check" in first.stdout and "sha256" in first.stdout

    sites.route("old-site.test", "/", redirect(sites.url("new-site.test", "/")))
    sites.route("new-site.test", "/", page(site_page("Ostervale Truth, again")))
    second = graphinv("watch", "run", "--delay", "0", "--out-dir", out_dir, "--changes-only", env=env)
    assert second.returncode == 3, second.stderr
    lines = second.stdout.splitlines()
    assert any(line.startswith("site:old-site.test") and " moved " in line and "new-site.test" in line
               for line in lines)
    assert "now watching site:new-site.test" in second.stdout

    listed = graphinv("watch", "list", "--format", "json", env=env)
    rows = {r["entity"]: r for r in json.loads(listed.stdout)}
    assert rows["site:old-site.test"]["last_status"] == "moved"
    assert rows["site:old-site.test"]["note"] == "the site that doxxed C."
    assert rows["site:new-site.test"]["checks"] == 0

    changes = graphinv("query", "watch_changes", "--format", "json", env=env)
    assert [(r["entity"], r["change"], r["successor"]) for r in json.loads(changes.stdout)] == [
        ("site:old-site.test", "moved", "site:new-site.test")]

    shown = graphinv("evidence", sites.url("old-site.test"), "--verify", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "moved" in shown.stdout and ".warc.gz@" in shown.stdout and " ok" in shown.stdout

    captures = sorted(Path(out_dir).glob("watch-*.warc.gz"))
    assert len(captures) == 2 and all((c.parent / (c.name + ".sha256")).exists() for c in captures)
    with open(captures[-1], "rb") as handle:
        kinds = [r.rec_type for r in ArchiveIterator(handle)]
    assert kinds[0] == "warcinfo" and kinds.count("metadata") == 1

    bad = graphinv("watch", "run", "--resolve", "nonsense", env=env)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "HOST=IP" in bad.stderr
