"""The 48-hour ledger against real HTTP servers on 127.0.0.1 playing x.com and t.me:
reports captured on intake, notices recorded 30 h and 60 h ago (simulated: the notice
time is set in the past, the checks are real fetches now), `watch run --due` picking the
noticed items, X and Telegram pages that answer 200 while saying the item is gone read
as removed, then the compliance table, the per-item exhibit (library, CSV through the
CLI, and the report export); on both stores."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time

import pandas as pd
import pytest
from http_sites import page, sites  # noqa: F401

from graphinv.analysis.ledger import ledger
from graphinv.capture import intake, watch
from graphinv.capture.evidence import read_record
from graphinv.capture.fetch import FetchPolicy
from graphinv.export.notice import Notifier, parse_selection, write_notices

NOTIFIER = Notifier("Ana Martin", "ana@example.org")
HOUR = 3600


def policy() -> FetchPolicy:
    return FetchPolicy(resolve={"x.com": "127.0.0.1", "t.me": "127.0.0.1", "*": None},
                       allow_networks=["127.0.0.0/8"], timeout=1.0, deadline=3.0)


# The pages as the platforms serve them (all with HTTP 200).
def x_post(text: str, quoted: str = "") -> str:
    quote = f'<div role="link"><span>{quoted}</span></div>' if quoted else ""
    return (f'<html><head><title>X</title></head><body><main><article><div data-testid="tweetText">{text}</div>'
            f"{quote}</article></main></body></html>")


def x_notice(*lines: str) -> str:
    body = "".join(f"<span>{line}</span>" for line in lines)
    return (f'<html><head><title>X</title></head><body><main><div data-testid="error-detail">{body}</div></main>'
            "</body></html>")


X_DELETED = x_notice("This Post was deleted by the Post author. <a href='/help'>Learn more</a>")
X_NO_PAGE = x_notice("Hmm\u2026this page doesn\u2019t exist. Try searching for something else.", "Search")
X_NO_ACCOUNT = x_notice("This account doesn\u2019t exist", "Try searching for another.")


def tg_message(channel: str, n: int, text: str) -> str:
    return (f'<html><head><meta property="og:title" content="{channel}"></head><body><div class="tgme_page_title">'
            f'{channel}</div><div class="tgme_widget_message" data-telegram-post="{channel}/{n}">'
            f'<div class="tgme_widget_message_text">{text}</div></div></body></html>')


def tg_card(channel: str) -> str:
    # A message that is gone: the channel's card, no message.
    return (f'<html><head><meta property="og:title" content="{channel}"></head><body><div class="tgme_page">'
            f'<div class="tgme_page_title"><span dir="auto">{channel}</span></div>'
            '<div class="tgme_page_extra">2 345 subscribers</div>'
            f'<div class="tgme_page_description">If you have <strong>Telegram</strong>, you can view and join '
            f'<strong>{channel}</strong> right away.</div></div></body></html>')


def tg_nobody(name: str) -> str:
    return ('<html><head><meta property="og:title" content="Telegram: Contact @' + name + '"></head><body>'
            '<div class="tgme_page"><div class="tgme_page_description">If you have <strong>Telegram</strong>, you '
            f'can contact <a class="tgme_username_link" href="tg://resolve?domain={name}">@{name}</a> right away.'
            '</div></div></body></html>')


THREAT = "We know where the mayor sleeps. Tonight."
# path -> (host, category, hours since the notice, page at intake, page at the check, expected check status)
ITEMS = {
    "/ost_patriot/status/1870000000000000001": ("x.com", "threat", 30, x_post(THREAT), X_DELETED, "deleted"),
    "/ost_patriot/status/1870000000000000002": ("x.com", "threat", 60, x_post(THREAT), X_NO_PAGE, "not_found"),
    "/ost_patriot2": ("x.com", "harassment", 30, x_post(THREAT), X_NO_ACCOUNT, "not_found"),
    # Up, quoting a deleted post: the tombstone inside a live post is not a removal.
    "/ost_patriot/status/1870000000000000004": ("x.com", "incitement", 60, x_post(THREAT),
                                                x_post(THREAT, "This Post was deleted by the Post author."),
                                                "active"),
    "/ost_front/501": ("t.me", "terrorism", 30, tg_message("ost_front", 501, THREAT), tg_card("ost_front"),
                       "deleted"),
    "/ost_front/502": ("t.me", "terrorism", 30, tg_message("ost_front", 502, THREAT),
                       tg_message("ost_front", 502, THREAT), "active"),
    "/ost_nobody": ("t.me", "threat", 30, tg_card("ost_nobody"), tg_nobody("ost_nobody"), "not_found"),
}


@pytest.fixture
def noticed(sites, store, tmp_path):
    """The items reported, captured and noticed; the pages now say what the check finds."""
    now = int(time.time())
    by_age: dict[int, list[str]] = {}
    for path, (host, category, age, before, _after, _status) in ITEMS.items():
        sites.route(host, path, page(before))
        result = intake.add(store, sites.url(host, path), category=category, note="names a person and a place",
                            policy=policy(), out_dir=tmp_path / "captures", delay=0, now=now - (age + 1) * HOUR)
        assert result.items[0].how == "fetched"
        by_age.setdefault(age, []).append(result.items[0].report.split(":", 1)[1])
    for age, ids in by_age.items():
        write_notices(store, parse_selection([f"report={','.join(ids)}"]), NOTIFIER, tmp_path / "notices",
                      now=now - age * HOUR)
    for path, (host, _c, _a, _before, after, _s) in ITEMS.items():
        sites.route(host, path, page(after))
    return now


def test_due_checks_read_tombstones_and_the_ledger_counts(noticed, sites, store, tmp_path):
    entities = set(store.query("MATCH (r:Report) RETURN r.entity AS e")["e"])
    due = watch.due(store)
    assert set(due) == entities  # noticed, never checked since
    result = watch.run(store, policy(), out_dir=tmp_path / "checks", delay=0, only=set(due))
    found = {c.url.split(f":{sites.port}", 1)[1]: c for c in result.checks}
    assert {p: c.status for p, c in found.items()} == {p: spec[5] for p, spec in ITEMS.items()}
    assert all(c.http_status == 200 for c in result.checks)
    assert "This Post was deleted by the Post author" in found["/ost_patriot/status/1870000000000000001"].detail
    assert "If you have Telegram, you can" in found["/ost_front/501"].detail
    # Checked just now, after every mark passed: nothing is due until the next mark.
    assert watch.due(store) == []
    assert set(watch.due(store, now=noticed + 24 * HOUR)) == entities  # the 47/49 h (or 72 h) mark

    result = ledger(store)
    items = result["items"].set_index("url")
    outcome = {u.split(f":{sites.port}", 1)[1]: o for u, o in items["outcome"].items()}
    assert outcome == {
        "/ost_patriot/status/1870000000000000001": "removed_48h", "/ost_patriot/status/1870000000000000002":
        "removed_later", "/ost_patriot2": "removed_48h", "/ost_patriot/status/1870000000000000004": "still_up",
        "/ost_front/501": "removed_48h", "/ost_front/502": "still_up", "/ost_nobody": "removed_48h"}
    table = result["compliance"].set_index("platform")
    assert table.loc["twitter", "summary"] == "2 of 4 removed within 48 h, 1 later, 1 still up"
    assert table.loc["telegram", "summary"] == "2 of 3 removed within 48 h, 0 later, 1 still up"
    assert table.loc["twitter", "recipient"] == "twitter" and table.loc["telegram", "recipient"] == "telegram"

    # Each removal rests on its check's WARC record: the 200 page that says it is gone.
    for row in result["items"][result["items"]["removal_evidence"].notna()].to_dict("records"):
        where, _, sha = row["removal_evidence"].partition(" sha256 ")
        name, offset = where.rsplit("@", 1)
        [warc] = (tmp_path / "checks").glob(name)
        rec_type, target, payload_sha = read_record(warc, int(offset))
        assert (rec_type, target, payload_sha) == ("response", row["url"].replace("https://", "http://"), sha)
    checks = result["checks"]
    assert len(checks) == len(ITEMS) and set(checks["status"]) == {"deleted", "not_found", "active"}
    # The web collector reads the same WARC records alike: the tombstones' responses are removals too.
    read = store.query("MATCH (o:Observation) WHERE o.source = 'warc' AND o.observed_at >= $t "
                       "RETURN o.entity AS entity, o.status AS status, o.detail AS detail", {"t": noticed})
    gone = read[read["status"] != "active"]
    assert sorted(gone["status"]) == sorted(s[5] for s in ITEMS.values() if s[5] != "active")
    assert gone["detail"].str.startswith("the page says: ").all()


def test_ledger_csv_and_report(noticed, sites, store_uri, store, tmp_path):
    watch.run(store, policy(), out_dir=tmp_path / "checks", delay=0, only=set(watch.due(store)))
    store.close()
    env = {**os.environ, "GRAPHINV_STORE": store_uri}
    run = [sys.executable, "-m", "graphinv"]
    done = subprocess.run([*run, "ledger", "--csv", "-"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    exhibit = pd.read_csv(io.StringIO(done.stdout))
    assert len(exhibit) == len(ITEMS)
    assert {"report_id", "url", "noticed_at", "checks", "removed_at", "outcome"} <= set(exhibit.columns)
    assert exhibit["noticed_at"].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$").all()
    deleted = exhibit[exhibit["url"].str.endswith("/1870000000000000001")].iloc[0]
    assert "deleted 200 (the page says: This Post was deleted by the Post author)" in deleted["checks"]
    assert deleted["removed_at"] == deleted["checks"].split(" ")[0]  # the removal is the check that saw it

    summary = subprocess.run([*run, "ledger", "--platform", "telegram"], capture_output=True, text=True, env=env,
                             timeout=120)
    assert "telegram (telegram): 2 of 3 removed within 48 h, 0 later, 1 still up" in summary.stdout
    assert "twitter" not in summary.stdout

    out = tmp_path / "report.html"
    exported = subprocess.run([*run, "export", "report", "--out", str(out)], capture_output=True, text=True, env=env,
                              timeout=300)
    assert exported.returncode == 0, exported.stderr
    html = out.read_text("utf-8")
    assert "Notices and the 48-hour ledger" in html
    assert "twitter (notified to twitter): 2 of 4 removed within 48 h, 1 later, 1 still up." in html
    assert all(rid in html for rid in exhibit["report_id"])
    assert "removed later" in html and "still up" in html


def test_watch_run_due_cli_with_nothing_due(store_uri, tmp_path):
    env = {**os.environ, "GRAPHINV_STORE": store_uri}
    done = subprocess.run([sys.executable, "-m", "graphinv", "watch", "run", "--due"], capture_output=True, text=True,
                          env=env, timeout=120, cwd=tmp_path)
    assert done.returncode == 0 and "no ledger check is due" in done.stdout
    assert not (tmp_path / "data").exists()  # no WARC written
