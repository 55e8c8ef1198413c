"""Hostile inputs never abort an ingest (issue 20): each bad record or file is counted by
reason in its IngestRun (or skipped with a reason in the summary), the rest is ingested,
no traceback escapes, and a re-run completes with no IngestRun left "running".

Inputs are small and hand-made in tmp_path; every test that writes runs on both stores.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphinv.errors import InputError
from graphinv.ingest import ingest_paths
from graphinv.report_cli import print_ingest_summary

ROOT = Path(__file__).resolve().parents[1]
TWEET = "snscrape.modules.twitter.Tweet"


def tweet(n: int, **fields) -> dict:
    item = {"_type": TWEET, "id": n, "url": f"https://twitter.com/u{n}/status/{n}",
            "date": "2023-01-01T00:00:00+00:00", "rawContent": f"message number {n} here",
            "user": {"username": f"u{n}", "displayname": f"User {n}"}, "likeCount": 1}
    item.update(fields)
    return item


def jsonl(path: Path, lines: list) -> Path:
    """Items as JSON lines; a str is written as it is (to hold what json.dumps won't write)."""
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def runs(store) -> list[dict]:
    return store.query("MATCH (r:IngestRun) RETURN r.source AS source, r.state AS state, "
                       "r.rejects AS rejects ORDER BY source").to_dict("records")


def post_count(store) -> int:
    return int(store.query("MATCH (p:Post) WHERE p.text IS NOT NULL RETURN count(p) AS n").n[0])


def assert_rerun_completes(store, paths) -> None:
    ingest_paths(store, paths, force=True)
    assert all(run["state"] == "complete" for run in runs(store)), runs(store)


# ------------------------------------------------------------------ bad values


def test_lone_surrogates_are_replaced_and_counted(store, tmp_path):
    good = json.dumps(tweet(1))
    lines = [
        good,
        json.dumps(tweet(2, user={"username": "u2", "displayname": "cut \ud83d"})),  # json.dumps escapes it
        json.dumps(tweet(3, user={"username": "evil\ud800", "rawDescription": "bio \udfff"})),
        json.dumps(tweet(4, hashtags=["tag\udc00"], rawContent="a tweet cut inside an emoji \ud83d")),
    ]
    path = tmp_path / "tweets.jsonl"
    path.write_bytes("\n".join(lines).encode() + b"\n"
                     # the raw UTF-8 bytes of a surrogate, which json.loads lets through
                     + json.dumps(tweet(5, rawContent="X")).replace('"X"', '"raw \xed\xa0\x80"').encode("latin-1")
                     + b"\n")
    summary = ingest_paths(store, [path])
    result = summary.files[0]
    assert result.rejects == {"bad_unicode": 4} and result.items == 5
    assert post_count(store) == 5
    names = set(store.query("MATCH (a:Account) RETURN a.display_name AS d, a.handle AS h, a.bio AS b")
                .fillna("").sum(axis=1))
    assert any("\ufffd" in name for name in names)
    tags = set(store.query("MATCH (h:Hashtag) RETURN h.tag AS t").t)
    assert tags == {"tag\ufffd"}
    assert json.loads(runs(store)[0]["rejects"]) == {"bad_unicode": 4}
    assert_rerun_completes(store, [path])


def test_non_finite_and_huge_numbers_are_left_empty(store, tmp_path):
    path = tmp_path / "numbers.jsonl"
    jsonl(path, [
        tweet(1),
        json.dumps(tweet(2)).replace('"likeCount": 1', '"likeCount": Infinity'),
        json.dumps(tweet(3)).replace('"likeCount": 1', '"likeCount": 1e400'),
        json.dumps(tweet(4)).replace('"likeCount": 1', '"likeCount": NaN'),
        tweet(5, viewCount=2**70, retweetCount=-(2**64)),
        tweet(6, user={"username": "u6", "followersCount": 10**30}),
    ])
    summary = ingest_paths(store, [path])
    assert summary.files[0].rejects == {"bad_number": 5}
    likes = store.query("MATCH (p:Post) RETURN p.post_id AS id, p.likes AS likes, p.views AS views ORDER BY id")
    assert list(likes.id) == ["1", "2", "3", "4", "5", "6"]
    assert likes.likes.tolist()[0] == 1 and likes.likes.isna().tolist()[1:4] == [True, True, True]
    assert likes.views.isna().all()
    assert_rerun_completes(store, [path])


def test_ints_beyond_64_bits_never_reach_the_store(store):
    """The store-side guard, for a collector that did not clean a value."""
    import pandas as pd

    store.upsert_nodes("Account", pd.DataFrame({"uid": ["account:twitter:a"], "followers": [2**70],
                                                "handle": pd.Series(["a\ud800"], dtype=object)}))
    found = store.query("MATCH (a:Account) RETURN a.followers AS f, a.handle AS h")
    assert found.f.isna().all() and found.h.tolist() == ["a\ufffd"]


def test_csv_status_codes_beyond_64_bits_or_not_ascii(store, tmp_path):
    path = tmp_path / "observations.csv"
    path.write_text("entity,status,observed_at,http_status\n"
                    "https://a.example/x,ok,2023-01-01T00:00:00Z,99999999999999999999999\n"
                    "https://b.example/x,404,2023-01-01T00:00:00Z,²\n"
                    "https://c.example/x,ok,2023-01-01T00:00:00Z,200\n", encoding="utf-8")
    summary = ingest_paths(store, [path])
    assert summary.files[0].collector == "csv_tables" and not summary.files[0].skipped
    codes = store.query("MATCH (o:Observation) RETURN o.entity AS e, o.http_status AS s ORDER BY e")
    assert len(codes) == 3 and codes.s.tolist()[2] == 200 and codes.s.isna().tolist()[0]


# ------------------------------------------------------------------ deep JSON


def test_deep_json_line_is_rejected_too_deep(store, tmp_path):
    deep = json.dumps(tweet(2))[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = jsonl(tmp_path / "deep.jsonl", [tweet(1), deep, tweet(3)])
    summary = ingest_paths(store, [path])
    assert summary.files[0].rejects == {"too_deep": 1} and summary.files[0].items == 2
    assert_rerun_completes(store, [path])


def test_deeply_nested_html_in_a_warc_is_flattened_and_counted(store, tmp_path):
    """200,000 nested tags (parsing time grows with the square of the depth): tags beyond
    the depth browsers build are dropped, the page and its text kept, the cut counted."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    n = 200_000
    page = (b"<html><head><title>Deep</title></head><body>" + b"<div>" * n + b"buried words" + b"</div>" * n
            + b"<a href='https://elsewhere.example/x'>out</a></body></html>")
    path = tmp_path / "deep.warc.gz"
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://deep.example/", "response",
                                                      payload=io.BytesIO(page), http_headers=http))
    summary = ingest_paths(store, [path], options={"web": {"max_payload": 4 << 20}})
    assert summary.files[0].rejects == {"too_deep": 1}
    found = store.query("MATCH (p:Post) WHERE p.url = 'https://deep.example/' RETURN p.title AS t, p.text AS x")
    assert found["t"].tolist() == ["Deep"] and "buried words" in found["x"].iloc[0]
    assert len(store.query("MATCH (:Post)-[:LINKS_TO]->(u:Url) RETURN u.url AS u")) == 1
    assert_rerun_completes(store, [path])


def test_a_lone_carriage_return_spoils_its_row_only(store, tmp_path):
    """A CR inside an unquoted field is one bad row at its line (lines end at LF); a file
    whose lines all end with CR alone (Excel for Mac) is read by CR."""
    header = b"report_id,url,reported_at,reported_to,category"
    rows = [b"r1,https://x.example/a,2024-03-01T00:00:00Z,pharos,hate",
            b"r2,https://x.example/b\rsneaky,2024-03-01T00:00:00Z,pharos,hate",
            b"r3,https://x.example/c,2024-03-01T00:00:00Z,pharos,hate"]
    path = tmp_path / "reports.csv"
    path.write_bytes(b"\n".join([header, *rows]) + b"\n")
    summary = ingest_paths(store, [path])
    assert summary.files[0].rejects == {"bad_row": 1}
    lines = store.query("MATCH (c:Capture)-[:CAPTURES]->(r:Report) "
                        "RETURN r.uid AS report, c.line AS line ORDER BY report")
    assert lines.values.tolist() == [["report:r1", 2], ["report:r3", 4]]
    mac = tmp_path / "mac.csv"
    mac.write_bytes(b"\r".join([header, rows[0], rows[2].replace(b"r3,", b"r4,")]) + b"\r")
    assert ingest_paths(store, [mac]).files[0].rejects == {}
    assert store.query("MATCH (r:Report) WHERE r.uid = 'report:r4' RETURN count(r) AS n").iloc[0, 0] == 1


def test_a_gzip_bomb_line_in_a_csv_is_skipped_in_bounded_memory(store, tmp_path):
    """12 MB without a line end (the limit is 10 MB) inside a small .csv.gz: counted as
    line_too_long at its line, read past in chunks, the rows after it kept and verifiable."""
    import gzip

    from graphinv.capture.evidence import capture_rows, verify_capture

    path = tmp_path / "reports.csv.gz"
    with gzip.open(path, "wb") as out:
        out.write(b"report_id,url,reported_at,reported_to,category\n"
                  b"r1,https://x.example/a,2024-03-01T00:00:00Z,pharos,hate\n")
        for _ in range(12):
            out.write(b"A" * (1 << 20))
        out.write(b"\nr2,https://x.example/b,2024-03-01T00:00:00Z,pharos,hate\n")
    assert path.stat().st_size < 100_000
    summary = ingest_paths(store, [path])
    assert summary.files[0].rejects == {"line_too_long": 1}
    found = store.query("MATCH (c:Capture)-[:CAPTURES]->(r:Report) RETURN r.uid AS report, c.uid AS capture, "
                        "c.line AS line ORDER BY report")
    assert found[["report", "line"]].values.tolist() == [["report:r1", 2], ["report:r2", 4]]
    assert {verify_capture(row) for row in capture_rows(store, found["capture"].tolist()).to_dict("records")} \
        == {"ok"}


def telegram_message(n: int, text: str) -> dict:
    return {"id": n, "type": "message", "date": "2023-01-01T00:00:00", "date_unixtime": "1672531200",
            "from": "Someone", "from_id": "user7", "text": text}


def test_deep_telegram_message_is_skipped_and_the_rest_read(store, tmp_path):
    before = json.dumps(telegram_message(1, "first message of the chat"))
    # Brackets inside a string must not count when the message is skipped.
    deep = '{"id": 2, "type": "message", "text": ["]}\\"[", ' + "[" * 100_000 + "]" * 100_000 + "]}"
    after = json.dumps(telegram_message(3, "third message with \ud800 inside"))
    export = tmp_path / "result.json"
    export.write_text('{"name": "Chat", "type": "public_channel", "id": 42, "messages": ['
                      + ",".join([before, deep, after]) + "]}")
    summary = ingest_paths(store, [export])
    result = summary.files[0]
    assert result.collector == "telegram_export"
    assert result.rejects == {"too_deep": 1, "bad_unicode": 1}, result.rejects
    assert post_count(store) == 2
    assert_rerun_completes(store, [export])


# ------------------------------------------------------------------ files


def test_file_name_with_non_utf8_bytes(store, tmp_path):
    path = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9\xff.jsonl"))
    jsonl(path, [tweet(1)])
    summary = ingest_paths(store, [tmp_path])
    assert summary.ingested == 1
    (run,) = runs(store)
    assert run["source"].endswith("caf\\xe9\\xff.jsonl") and run["state"] == "complete"
    stored = store.query("MATCH (c:Capture)-[:CAPTURES]->(p:Post) RETURN c.source_file AS s").s[0]
    assert stored.endswith("caf\\xe9\\xff.jsonl")
    assert_rerun_completes(store, [tmp_path])


def _deny(monkeypatch, denied: set[str]) -> None:
    """Make files unreadable even for root (who ignores chmod): hashing and opening fail."""
    import builtins

    import graphinv.ingest as ingest

    real_hash, real_open = ingest.file_sha256, builtins.open

    def file_sha256(path, *args, **kwargs):
        if os.path.basename(path) in denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_hash(path, *args, **kwargs)

    def guarded_open(path, *args, **kwargs):
        if isinstance(path, (str, os.PathLike)) and os.path.basename(path) in denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(ingest, "file_sha256", file_sha256)
    monkeypatch.setattr(builtins, "open", guarded_open)


def test_unreadable_html_in_a_folder_is_skipped_with_its_reason(store, tmp_path, monkeypatch):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "locked.html").write_text("<html><body>secret</body></html>")
    (folder / "locked.html").chmod(0)
    jsonl(folder / "tweets.jsonl", [tweet(1)])
    _deny(monkeypatch, {"locked.html"})
    summary = ingest_paths(store, [folder])
    reasons = {Path(f.path).name: f.skipped for f in summary.files}
    assert reasons == {"locked.html": "unreadable: Permission denied", "tweets.jsonl": ""}
    assert post_count(store) == 1
    assert_rerun_completes(store, [folder])


def test_every_skipped_file_has_its_real_reason(store, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "locked_dir").mkdir()
    jsonl(folder / "ok.jsonl", [tweet(1)])
    (folder / "utf16.jsonl").write_bytes(json.dumps(tweet(2)).encode("utf-16"))
    (folder / "utf16be.txt").write_bytes("hello".encode("utf-16-be"))
    (folder / "notes.txt").write_text("just notes")
    (folder / "locked.txt").write_text("secret")
    (folder / "loop").symlink_to(folder / "loop")
    (folder / "broken").symlink_to(folder / "missing")
    (folder / "to_sub").symlink_to(folder / "sub")
    os.mkfifo(folder / "pipe")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock"))
        import graphinv.ingest as ingest  # noqa: F401  (its os.scandir is os's)

        real_scandir = os.scandir

        def scandir(path="."):
            if os.path.basename(os.fspath(path)) == "locked_dir":
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
        _deny(monkeypatch, {"locked.txt"})
        summary = ingest_paths(store, [folder])
    reasons = {Path(f.path).name: f.skipped for f in summary.files}
    assert reasons == {
        "ok.jsonl": "",
        "utf16.jsonl": "",  # snscrape output saved on Windows is read (issue #16)
        "utf16be.txt": "UTF-16 text: no collector reads it; save it as UTF-8",
        "notes.txt": "no collector reads this file",
        "locked.txt": "unreadable: Permission denied",
        "loop": "a broken symlink or a symlink loop",
        "broken": "a broken symlink or a symlink loop",
        "to_sub": "a link to a folder (not followed)",
        "pipe": "a FIFO, not a regular file",
        "sock": "a socket, not a regular file",
        "locked_dir": "unreadable folder: Permission denied",
    }
    assert post_count(store) == 2 and [r["state"] for r in runs(store)] == ["complete", "complete"]


def test_control_characters_in_names_are_escaped_when_printed(store, tmp_path, capsys):
    (tmp_path / "evil\x1b[2J\x07\u202egnp.txt").write_text("not a capture")
    summary = ingest_paths(store, [tmp_path])
    print_ingest_summary(summary)
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "evil\\x1b[2J\\x07\\u202egnp.txt" in out


def test_fifo_named_on_the_command_line_is_refused(store, tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="a FIFO, not a file or folder"):
        ingest_paths(store, [fifo])
    assert runs(store) == []


def test_fifo_on_the_cli_is_one_line_and_does_not_hang(tmp_path):
    fifo = tmp_path / "pipe\x1b.jsonl"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "graphinv", "ingest", str(fifo),
                           "--store", f"embedded:{tmp_path / 'graph.lbug'}"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "FIFO" in done.stderr and "\x1b" not in done.stderr


def test_a_warc_header_line_of_80_mb_is_read_past_and_the_next_record_kept(tmp_path):
    """warcio's line reader was quadratic (40 MB: a minute, 80 MB: four); the record after
    the huge header line is still read. Run apart, with a hang guard, not a timing."""
    path = tmp_path / "big-header.warc"
    page = (b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: https://y.example/\r\n"
            b"WARC-Date: 2024-01-01T00:00:00Z\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n")
    with open(path, "wb") as out:
        out.write(b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: https://x.example/\r\nX-Big: ")
        for _ in range(80):
            out.write(b"A" * (1 << 20))
        out.write(b"\r\nContent-Length: 2\r\n\r\nhi\r\n\r\n" + page)
    done = subprocess.run([sys.executable, "-c", "import sys; from collectors.web import collect; "
                           "print(sorted(r.uid for r in collect(sys.argv[1]) if getattr(r, 'kind', '') == 'Post'))",
                           str(path)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "post:web:https://y.example/" in done.stdout


# ------------------------------------------------------------------ fuzz

# A bounded run for `make test`; GRAPHINV_FUZZ_EXAMPLES=5000 digs deeper. No example
# database: nothing is written into the checkout.
FUZZ = settings(max_examples=int(os.environ.get("GRAPHINV_FUZZ_EXAMPLES", 50)), deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
# Strings hostile to the stores: lone surrogates, controls, NUL, bidi overrides.
_nasty = st.sampled_from(["\ud800", "cut \ud83d", "\udfff", "\x00", "\x1b[2J", "\u202e", "", " ", "#"])
_text = st.text(max_size=20) | _nasty
_numbers = (st.integers() | st.floats() | st.sampled_from([2**64, -(2**63) - 1, 10**30]))
_scalars = st.none() | st.booleans() | _numbers | _text
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(_text, inner, max_size=3), max_leaves=8)
_deep = "[" * 5000 + "]" * 5000


def _maybe(plausible):
    return plausible | _json


_user = st.fixed_dictionaries({}, optional={
    "username": _maybe(st.sampled_from(["alice", "Bob_2"]) | _text), "displayname": _json,
    "rawDescription": _json, "followersCount": _json, "verified": _json, "link": _json,
    "profileImageUrl": _maybe(st.just("https://pbs.twimg.com/a.jpg"))})
_urls = st.sampled_from(["https://twitter.com/a/status/1", "https://t.me/chan/5", "https://mastodon.social/@a/9",
                         "https://t.me/s/chan/x", "javascript:alert(1)", "http://[::1", "//evil.example/x.js"])
_item = st.fixed_dictionaries(
    {"_type": st.sampled_from([TWEET, "snscrape.modules.twitter.User", "snscrape.modules.twitter.TweetRef",
                               "snscrape.modules.telegram.TelegramPost", "snscrape.modules.telegram.Channel",
                               "snscrape.modules.mastodon.Toot", "snscrape.modules.mastodon.Boost",
                               "snscrape.modules.mastodon.User"]),
     "id": _maybe(st.integers(1, 10**6)), "url": _maybe(_urls),
     "username": _maybe(st.sampled_from(["chan", "carol"])), "account": _maybe(st.just("dave@mastodon.social")),
     "toot": _maybe(st.fixed_dictionaries({"id": st.just(9), "url": st.just("https://mastodon.social/@a/9"),
                                           "content": _json}))},
    optional={"date": _maybe(st.just("2023-01-01")),
              "rawContent": _json, "content": _json, "user": _maybe(_user), "likeCount": _json,
              "viewCount": _json, "retweetCount": _json, "hashtags": _json, "links": _json, "outlinks": _json,
              "media": _json, "mentionedUsers": _json, "quotedTweet": _json, "retweetedTweet": _json,
              "inReplyToTweetId": _json, "forwardedUrl": _maybe(_urls),
              "views": _json, "members": _json, "linkPreview": _json, "mentions": _json, "attachments": _json})
_line = (_item.map(lambda item: json.dumps(item)) | _json.map(json.dumps) | _text.map(lambda t: t.replace("\n", " "))
         | st.just('{"_type": "snscrape.modules.twitter.Tweet", "id": 1, "x": ' + _deep + "}"))


class _ArrowStore:
    """Stands in for a store: upserts go through the same frame conversion as the real ones."""

    def transaction(self):
        import contextlib

        return contextlib.nullcontext()

    def upsert_nodes(self, kind, df):
        from graphinv.schema import SCHEMA

        self._check(df, SCHEMA.nodes[kind])

    def upsert_edges(self, kind, df):
        from graphinv.schema import SCHEMA

        self._check(df, SCHEMA.edges[kind])

    @staticmethod
    def _check(df, kind):
        from graphinv.store.frames import combine_rows, to_arrow

        df = combine_rows(df, kind, "uid" if "uid" in df.columns else "src")
        to_arrow(df, kind, [c for c in df.columns if c in kind.properties])


# Reasons that count a value in a kept item, not a rejected unit.
_VALUE_REASONS = {"bad_unicode", "bad_number"}


def _read(collector, path: Path) -> tuple[int, int]:
    """(records, unit rejects) of one file; every record valid and storable."""
    from collectors.base import validate_record
    from graphinv.ingest import _Batch
    from graphinv.records import Reject

    batch = _Batch(_ArrowStore(), "run:fuzz:0")
    records = rejects = 0
    for record in collector.collect(path, hash_media=False):
        assert not validate_record(record), (record, validate_record(record))
        if isinstance(record, Reject):
            rejects += record.reason not in _VALUE_REASONS
        else:
            records += 1
            batch.add(record)
    batch.flush()
    return records, rejects


@FUZZ
@given(lines=st.lists(_line, min_size=1, max_size=4))
def test_fuzz_snscrape_jsonl(lines):
    import tempfile

    from collectors import snscrape

    with tempfile.TemporaryDirectory() as folder:
        whole = Path(folder, "all.jsonl")
        whole.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
        _read(snscrape, whole)
        for n, line in enumerate(lines):
            if not line.strip():
                continue
            one = Path(folder, f"{n}.jsonl")
            one.write_text(line + "\n", encoding="utf-8", errors="surrogatepass")
            records, rejects = _read(snscrape, one)
            assert records or rejects, f"line neither ingested nor rejected: {line!r}"


_message = st.fixed_dictionaries(
    {"id": _maybe(st.integers(1, 10**6)), "type": _maybe(st.sampled_from(["message", "service"]))},
    optional={"date_unixtime": _maybe(st.just("1672531200")), "date": _json, "from": _json,
              "from_id": _maybe(st.sampled_from(["user1", "channel2"])), "text": _json,
              "text_entities": _json, "forwarded_from": _json, "forwarded_from_id": _json,
              "reply_to_message_id": _json, "photo": _json, "file": _json, "media_type": _json})


@FUZZ
@given(messages=st.lists(_message.map(json.dumps) | _json.map(json.dumps) | st.just(_deep), min_size=1, max_size=4),
       name=_text)
def test_fuzz_telegram_export(messages, name):
    import tempfile

    from collectors import telegram_export

    def export(path: Path, items: list[str]) -> Path:
        head = json.dumps({"name": name, "type": "public_channel", "id": 42})[:-1]
        path.write_text(head + ', "messages": [' + ",".join(items) + "]}", encoding="utf-8",
                        errors="surrogatepass")
        return path

    with tempfile.TemporaryDirectory() as folder:
        _read(telegram_export, export(Path(folder, "result.json"), messages))
        for n, message in enumerate(messages):
            records, rejects = _read(telegram_export, export(Path(folder, f"{n}.json"), [message]))
            assert records or rejects, f"message neither ingested nor rejected: {message!r}"


_cell = _text.map(lambda t: t.replace("\r", " ").replace("\n", " ")) | st.sampled_from(
    ["2023-01-01T00:00:00Z", "https://a.example/x", "1e400", "99999999999999999999999", "²", '"', ","])


@FUZZ
@given(rows=st.lists(st.lists(_cell, min_size=3, max_size=5), min_size=1, max_size=4),
       header=st.sampled_from(["account_id,object_id,content_id,timestamp",
                               "entity,status,observed_at,http_status",
                               "message_id,user_id,timestamp,message"]))
def test_fuzz_csv_tables(rows, header):
    import csv
    import io
    import tempfile

    from collectors import csv_tables

    def table(path: Path, body: list[list[str]]) -> Path:
        out = io.StringIO()
        csv.writer(out).writerows(body)
        path.write_text(header + "\n" + out.getvalue(), encoding="utf-8", errors="surrogatepass")
        return path

    with tempfile.TemporaryDirectory() as folder:
        _read(csv_tables, table(Path(folder, "all.csv"), rows))
        for n, row in enumerate(rows):
            if not any(cell.strip() for cell in row):
                continue
            records, rejects = _read(csv_tables, table(Path(folder, f"{n}.csv"), [row]))
            assert records or rejects, f"row neither ingested nor rejected: {row!r}"


# WARC: real records written by warcio, then cut, spliced or flipped at random places.
_http_body = st.binary(max_size=300) | st.sampled_from([b"<html><title>t</title><p>x</p></html>",
                                                       b"<" * 200, b"\x00\xff" * 50, b""])


@FUZZ
@given(bodies=st.lists(_http_body, min_size=1, max_size=3), cut=st.integers(0, 4000),
       flips=st.lists(st.integers(0, 4000), max_size=3), gz=st.booleans())
def test_fuzz_warc(bodies, cut, flips, gz):
    """Whatever happens to a WARC's bytes, reading it never raises: records come out
    valid and storable, or a Reject says why reading stopped."""
    import io
    import tempfile

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from collectors import web

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    for n, body in enumerate(bodies):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            f"https://fuzz.example/{n}", "response", payload=io.BytesIO(body), http_headers=headers,
            warc_headers_dict={"WARC-Date": "2026-03-01T00:00:00Z"}))
    data = bytearray(buffer.getvalue())
    for at in flips:
        if data:
            data[at % len(data)] ^= 0x5A
    data = bytes(data[: max(1, cut)]) if cut < len(data) else bytes(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "f.warc.gz" if gz else "f.warc")
        path.write_bytes(data)
        _read(web, path)


# HTML: random markup, unclosed and deeply nested tags, odd charsets.
_tag = st.sampled_from(["div", "p", "a", "script", "style", "main", "article", "title", "meta", "img", "!--", "svg"])
_markup = st.lists(st.one_of(_tag.map(lambda t: f"<{t}>"), _tag.map(lambda t: f"</{t}>"), _text,
                             st.sampled_from(["<a href='javascript:x'>", "<img src='data:image/png;base64,!!'>",
                                              "<meta charset='x-unknown'>", "<base href='//evil/'>", "&#0;",
                                              "<!-- saved from url=(0005)abc -->"])), max_size=30)


@FUZZ
@given(parts=_markup, depth=st.integers(0, 3000))
def test_fuzz_saved_html(parts, depth):
    import tempfile

    from collectors import web

    page = "<html><body>" + "<div>" * depth + "".join(parts) + "</body></html>"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "page.html")
        path.write_text(page, encoding="utf-8", errors="surrogatepass")
        records, rejects = _read(web, path)
        assert records or rejects


@FUZZ
@given(text=st.text(max_size=80) | st.lists(st.sampled_from(
    ["MATCH", "(n)", "RETURN", "n", ";", "CALL", "db.labels()", "COPY", "'", '"', "`", "//", "/*", "*/", "$x",
     "LOAD", "FROM", "apoc", ".", "{", "}", "WITH", "CREATE", "\n"]), max_size=12).map(" ".join))
def test_fuzz_query_gate(text):
    """The gate answers every text with the statement to run or a ReadOnlyError; what it
    lets through starts with a read clause and holds no write or file word outside strings."""
    from graphinv.errors import ReadOnlyError
    from graphinv.store.gate import FIRST_WORDS, FORBIDDEN, _tokens, check_read

    try:
        statement = check_read(text)
    except ReadOnlyError:
        return
    words = [(kind, value) for kind, value in _tokens(statement)]
    assert words and words[0][1].upper() in FIRST_WORDS
    plain = [value.upper() for i, (kind, value) in enumerate(words) if kind == "word"
             and (i == 0 or words[i - 1][1] not in (".", ":", "$"))
             and (i + 1 == len(words) or words[i + 1][1] != ":")]
    assert not FORBIDDEN & set(plain), statement
    assert ";" not in [value for kind, value in words if kind == "semicolon"]


def test_a_reader_opens_a_store_whose_writer_was_killed(tmp_path):
    """kill -9 after a write, before any clean close: the app (a read-only open) still
    opens the store and sees what was committed."""
    import subprocess
    import sys

    path = tmp_path / "killed.lbug"
    script = ("import os, pandas as pd\n"
              "from graphinv.store import open_store\n"
              f"store = open_store('embedded:{path}')\n"
              "store.upsert_nodes('Account', pd.DataFrame({'uid': [f'account:twitter:a{i}' for i in range(500)],"
              " 'handle': [f'a{i}' for i in range(500)]}))\n"
              "os.kill(os.getpid(), 9)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    from graphinv.store import open_store

    with open_store(f"embedded:{path}", read_only=True) as store:
        assert int(store.query("MATCH (a:Account) RETURN count(a) AS n").iloc[0, 0]) == 500


def test_an_analysis_stopped_while_writing_leaves_the_previous_results_whole(store, tmp_path, monkeypatch):
    from graphinv.analysis.registry import BY_NAME
    from scripts.scenario import generate

    generate(tmp_path / "data", seed=2, scale=0.5)
    ingest_paths(store, [tmp_path / "data"])
    coordination = BY_NAME["coordination"]
    coordination.run(store)
    before = store.query("MATCH (a:Account)-[:MEMBER_OF]->(c:Campaign) RETURN c.uid AS c, count(a) AS n "
                         "ORDER BY c")
    assert len(before) and (before["n"] > 0).all()
    real = store.upsert_edges

    def fail_on_members(kind, frame):
        if kind == "MEMBER_OF":
            raise KeyboardInterrupt("stopped while writing members")
        return real(kind, frame)

    monkeypatch.setattr(store, "upsert_edges", fail_on_members)
    with pytest.raises(KeyboardInterrupt):
        coordination.run(store)
    monkeypatch.undo()
    after = store.query("MATCH (a:Account)-[:MEMBER_OF]->(c:Campaign) RETURN c.uid AS c, count(a) AS n ORDER BY c")
    assert after.equals(before)
    assert int(store.query("MATCH (c:Campaign) RETURN count(c) AS n").iloc[0, 0]) == len(before)


def test_a_swarm_is_analysed_whole_not_capped_and_found(store, tmp_path):
    """The swarm probe: a crowd posts each of its links within the same second. Every
    object's pairs are streamed (none skipped, no pair table is built) and the crowd is
    one campaign; ordinary accounts sharing the same links a bit later are not in it."""
    import numpy as np

    from graphinv.analysis.coordination.analysis import analyze

    crowd, links, start = 20, 8, 1_700_000_000
    items = [tweet(o * 1000 + k, user={"username": f"s{k:02d}", "displayname": "S"},
                   date=_iso(start + o * 3600), links=[{"url": f"https://x.example/{o}"}],
                   url=f"https://twitter.com/s{k:02d}/status/{o * 1000 + k}") for o in range(links)
             for k in range(crowd)]
    # a background of ordinary accounts through the day, some of them on the crowd's links
    rng = np.random.default_rng(0)
    for n in range(300):
        link = f"https://x.example/{n % links}" if n % 10 == 0 else f"https://news.example/{int(rng.integers(60))}"
        user = f"b{int(rng.integers(40))}"
        items.append(tweet(900_000 + n, user={"username": user, "displayname": "B"}, links=[{"url": link}],
                           date=_iso(start + int(rng.integers(0, 86_400))),
                           url=f"https://twitter.com/{user}/status/{900_000 + n}"))
    ingest_paths(store, [jsonl(tmp_path / "swarm.jsonl", items)])
    summary = analyze(store, modalities=("url",), window=60)
    assert summary["capped_objects"] == 0 and summary["campaigns"] == 1
    members = store.query("MATCH (a:Account)-[m:MEMBER_OF]->(:Campaign) WHERE m.role = 'member' "
                          "RETURN a.handle AS handle")["handle"]
    assert sorted(members) == [f"s{k:02d}" for k in range(crowd)]


def _iso(epoch: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).isoformat()
