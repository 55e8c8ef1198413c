"""Notices read back: reports captured on intake from a local x.com and t.me, notices
written per recipient, then the text, the .eml (parsed with the email package) and the
PDF (its text through pdftotext) checked for every element the EU DSA art. 16 and the
French LCEN art. 6 ask for, plus each item's capture time and sha256; on both stores."""

from __future__ import annotations

import email
import email.policy
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from http_sites import page, sites  # noqa: F401

from graphinv.capture import intake
from graphinv.capture.evidence import capture_rows
from graphinv.capture.fetch import FetchPolicy
from graphinv.errors import InputError
from graphinv.export.notice import Notifier, parse_selection, write_notices
from graphinv.timefmt import iso
from graphinv.vocabulary import report_category

ROOT = Path(__file__).resolve().parents[1]
NOTIFIER = Notifier("Ana Martin", "ana.martin@observatoire.example", "Observatoire de la haine en ligne")


def policy() -> FetchPolicy:
    return FetchPolicy(resolve={"x.com": "127.0.0.1", "t.me": "127.0.0.1", "*": None},
                       allow_networks=["127.0.0.0/8"], timeout=1.0, deadline=3.0)


def tweet(text: str) -> str:
    return (f"<html><head><title>X</title></head><body><article><div data-testid=\"tweetText\">{text}</div>"
            "</article></body></html>")


REPORTS = [  # path, host, category, note, reporter
    ("x.com", "/ostervale_patriot/status/1860000000000000001", "threat",
     "Names the mayor of Ostervale and says he will be hanged tonight.", "Pharos hotline"),
    ("x.com", "/ostervale_patriot/status/1860000000000000002", "incitement",
     "Calls on readers to drive 'them' out of the Saint-Roch quarter, with the meeting point.", None),
    ("t.me", "/ostervale_front/412", "terrorism", "Praises the Christchurch attacker and asks who will be next.",
     "Pharos hotline"),
]


def flat(text: str) -> str:
    """Text without any whitespace: a PDF breaks long URLs and hashes across lines."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def reported(sites, store, tmp_path):
    for host, path, *_ in REPORTS:
        sites.route(host, path, page(tweet("We know where you live. Tonight you hang.")))
    uids = {}
    for host, path, category, note, reporter in REPORTS:
        result = intake.add(store, sites.url(host, path), category=category, note=note, reporter=reporter,
                            policy=policy(), out_dir=tmp_path / "captures", delay=0)
        uids[path] = result.items[0]
    # One the intake could not capture: a notice leaves it out and says why.
    missing = intake.add(store, "http://x.com:9/gone/status/1", category="threat", policy=policy(),
                         out_dir=tmp_path / "captures", delay=0)
    return uids, missing.items[0]


def test_notice_holds_every_element_in_text_eml_and_pdf(reported, store, tmp_path):
    uids, missing = reported
    written, skipped = write_notices(store, parse_selection([], platform="twitter"), NOTIFIER, tmp_path / "notices")
    assert skipped == {missing.report.split(":", 1)[1]: f"no capture: graphinv report capture "
                                                          f"{missing.report.split(':', 1)[1]}"}
    [notice] = written
    assert notice.notice["recipient"] == "twitter" and len(notice.notice["items"]) == 2
    txt, eml, pdf = notice.files
    assert (txt.suffix, eml.suffix, pdf.suffix) == (".txt", ".eml", ".pdf")
    assert notice.sha256s == [hashlib.sha256(p.read_bytes()).hexdigest() for p in notice.files]

    text = txt.read_text("utf-8")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    body = message.get_body(("plain",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf" and attachment.get_filename() == pdf.name
    assert attachment.get_content() == pdf.read_bytes()
    assert message["From"].addresses[0].display_name == NOTIFIER.name
    assert message["From"].addresses[0].addr_spec == NOTIFIER.email
    assert "DSA art. 16" in message["Subject"] and "2 item(s)" in message["Subject"]
    pdf_text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout

    noticed = store.query("MATCH (n:Notice)-[:NOTICE_OF]->(r:Report) RETURN n.uid AS notice, n.written_at AS at, "
                          "n.files AS files, n.sha256s AS sha256s, r.uid AS report, r.noticed_at AS noticed_at, "
                          "r.url AS url, r.capture AS capture, r.category AS category, r.note AS note")
    assert sorted(noticed["report"]) == sorted(uids[p].report for _, p, *_ in REPORTS[:2])
    assert set(noticed["notice"]) == {notice.notice["uid"]}
    assert list(noticed["files"].iloc[0]) == [str(p.resolve()) for p in notice.files]
    assert list(noticed["sha256s"].iloc[0]) == notice.sha256s
    assert (noticed["noticed_at"] == noticed["at"]).all()
    date = iso(int(noticed["at"].iloc[0]))
    captures = capture_rows(store, noticed["capture"].tolist()).set_index("capture")

    for name, document in (("text", text), ("eml body", body), ("pdf", pdf_text)):
        doc = flat(document)
        # LCEN art. 6: the date of the notice; the notifier (DSA: name and email).
        assert flat(date) in doc, name
        assert flat(NOTIFIER.name) in doc and flat(NOTIFIER.email) in doc, name
        assert flat(NOTIFIER.organisation) in doc, name
        # DSA art. 16(2)(d): the statement of good faith.
        assert flat("declare in good faith that the information and allegations in this notice are accurate and "
                    "complete") in doc, name
        for row in noticed.to_dict("records"):
            category = report_category(row["category"])
            capture = captures.loc[row["capture"]]
            # DSA (b) / LCEN: the exact location, as reported and as captured.
            assert flat(row["url"]) in doc and flat(capture["capture_url"]) in doc, name
            # DSA (a): a substantiated explanation; LCEN: the description and the legal grounds.
            assert flat(category.why) in doc and flat(row["note"]) in doc, name
            assert flat(category.label) in doc, name
            assert all(flat(g) in doc for g in category.grounds), name
            assert flat("We know where you live. Tonight you hang.") in doc, name
            # The capture: its time as the capture says, and the sha256 of its bytes.
            assert flat(iso(int(capture["captured_at"]))) in doc and capture["bytes_sha256"] in doc, name
            assert flat(Path(capture["source_file"]).name) in doc, name
        # The Telegram report goes to another recipient: not in the Twitter notice.
        assert "ostervale_front" not in doc, name
    assert text == body

    # The noticed URLs are on the watchlist for the ledger; the unnoticed one is not.
    watched = set(store.query("MATCH (w:Watch) RETURN w.entity AS entity")["entity"])
    assert watched == set(noticed.merge(store.query("MATCH (r:Report) RETURN r.uid AS report, r.entity AS entity"),
                                        on="report")["entity"])

    # Noticed reports are not selected again unless asked for; the uncaptured one alone
    # is refused by name.
    with pytest.raises(InputError, match="none of the 1 selected report"):
        write_notices(store, parse_selection([], platform="twitter"), NOTIFIER, tmp_path / "notices")
    again, _ = write_notices(store, parse_selection(["noticed=yes"], platform="twitter"), NOTIFIER,
                             tmp_path / "reminder", now=int(noticed["at"].iloc[0]) + 3600)
    first = store.query("MATCH (r:Report) WHERE r.uid IN $uids RETURN r.noticed_at AS t, r.notices AS notices",
                        {"uids": noticed["report"].tolist()})
    assert (first["t"] == noticed["at"].iloc[0]).all()  # the clock is the first notice
    assert all(len(list(n)) == 2 for n in first["notices"]) and again[0].notice["uid"] != notice.notice["uid"]


def test_selection_terms_and_bad_input(reported, store, tmp_path):
    with pytest.raises(InputError, match="not a selection key"):
        parse_selection(["colour=red"])
    with pytest.raises(InputError, match="not a time"):
        parse_selection(["since=last tuesday"])
    with pytest.raises(InputError, match="not an address"):
        Notifier("Ana", "ana at example")
    with pytest.raises(InputError, match="no report matches"):
        write_notices(store, parse_selection(["category=doxxing"]), NOTIFIER, tmp_path)
    written, skipped = write_notices(store, parse_selection(["category=terrorism,incitement"]), NOTIFIER, tmp_path)
    assert sorted(w.notice["recipient"] for w in written) == ["telegram", "twitter"] and skipped == {}
    assert [len(w.notice["items"]) for w in sorted(written, key=lambda w: w.notice["recipient"])] == [1, 1]


def test_notice_cli(sites, store_uri, tmp_path):
    sites.route("x.com", "/troll/status/1860000000000000009", page(tweet("Burn their mosque down.")))
    env = {**os.environ, "GRAPHINV_STORE": store_uri, "GRAPHINV_RESOLVE": "x.com=127.0.0.1,*=none",
           "GRAPHINV_ALLOW_NETWORKS": "127.0.0.0/8", "GRAPHINV_NOTIFIER_NAME": "Ana Martin",
           "GRAPHINV_NOTIFIER_EMAIL": "ana@example.org"}
    run = [sys.executable, "-m", "graphinv"]
    added = subprocess.run([*run, "report", "add", sites.url("x.com", "/troll/status/1860000000000000009"),
                            "--category", "spam", "--note", "Calls for arson", "--delay", "0"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert added.returncode == 0 and "fetched: capture:" in added.stdout, added.stderr
    refused = subprocess.run([*run, "notice", "--platform", "twitter"], capture_output=True, text=True, env=env,
                             cwd=tmp_path, timeout=120)
    assert refused.returncode == 1 and "no legal grounds for the category 'spam'" in refused.stderr
    assert "Traceback" not in refused.stderr
    done = subprocess.run([*run, "notice", "--platform", "twitter", "--grounds", "Code pénal, art. 322-6-1",
                           "--to-email", "dsa-notices@x.example"], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=180)
    assert done.returncode == 0, done.stderr
    [eml] = (tmp_path / "notices").glob("notice-twitter-*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"] == "dsa-notices@x.example"
    assert "Code pénal, art. 322-6-1" in message.get_body(("plain",)).get_content()
    assert "1 item(s) in 1 notice(s); nothing was sent" in done.stdout
