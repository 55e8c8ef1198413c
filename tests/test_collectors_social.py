"""snscrape JSONL and Telegram Desktop exports, on small hand-made fixtures.

tests/fixtures/social/snscrape.jsonl holds, line by line:
 1. a tweet by Alice_1 (snscrape 0.7 names) linking news.example.com/a through t.co
    (with utm/fbclid), a photo, mentioning bob, hashtags [Rally, rally], profile link;
 2. bob's retweet (id 101) of tweet 1;
 3. carol's tweet 102 quoting Dave's tweet 90 and replying to tweet 99 by Alice_1,
    with a video (three variants);
 4. erin's tweet in snscrape 0.4 names (content, outlinks/tcooutlinks, user.description,
    user.linkUrl);
 5. an item of an unknown _type (reddit);
 6. tweet 1 cut off after 80 characters;
 7. a TelegramPost (t.me/s/NewsChan/55) with views as [value, granularity];
 8. a TelegramPost with views as int + views.granularity;
 9. a Mastodon toot by @Frank@mastodon.social; 10. gina's boost of it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

import collectors
from collectors import COLLECTORS, find_collector, get_collector, iter_inputs, snscrape, telegram_export
from collectors.base import MAX_LINE_BYTES, iter_lines, validate_record
from graphinv.records import Edge, Node, Reject, account_uid, post_uid

FIXTURES = Path(__file__).parent / "fixtures" / "social"
SNSCRAPE = FIXTURES / "snscrape.jsonl"
TG_SINGLE = FIXTURES / "tg_single" / "result.json"
TG_FULL = FIXTURES / "tg_full" / "result.json"


def split(records):
    nodes = {}
    edges = {}
    rejects = []
    for r in records:
        assert not validate_record(r), validate_record(r)
        if isinstance(r, Node):
            assert r.uid not in nodes or r.kind == "Post", f"{r.uid} emitted twice"
            nodes.setdefault(r.uid, r)
        elif isinstance(r, Edge):
            edges[r.uid] = r
        else:
            rejects.append(r)
    return nodes, edges, rejects


@pytest.fixture(scope="module")
def sns():
    return split(snscrape.collect(SNSCRAPE))


def test_table_and_detection():
    assert [c.name for c in COLLECTORS] == ["snscrape", "twarc", "telegram_export", "telegram_html",
                                            "mastodon_outbox", "web", "wacz", "csv_tables"]
    assert get_collector("web").name == "web"  # in the table even before it is imported
    assert find_collector(SNSCRAPE) is snscrape
    assert find_collector(TG_SINGLE) is telegram_export
    assert find_collector(TG_FULL) is telegram_export
    assert find_collector(FIXTURES / "tg_single" / "photos_note.txt") is None
    with pytest.raises(KeyError, match="no collector 'nope'"):
        get_collector("nope")


def test_iter_inputs_walks_sorted_and_skips_hidden(tmp_path):
    (tmp_path / "b").mkdir()
    shutil.copy(SNSCRAPE, tmp_path / "b" / "x.jsonl")
    shutil.copy(SNSCRAPE, tmp_path / "a.jsonl")
    (tmp_path / ".hidden").mkdir()
    shutil.copy(SNSCRAPE, tmp_path / ".hidden" / "y.jsonl")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    (tmp_path / "notes.md").write_text("hi")
    found = [(p.relative_to(tmp_path).as_posix(), c.name if c else None) for p, c in iter_inputs([tmp_path])]
    assert found == [("a.jsonl", "snscrape"), ("b/x.jsonl", "snscrape"), ("notes.md", None)]


def test_tweet(sns):
    nodes, edges, _ = sns
    alice = account_uid("twitter", "Alice_1")
    post = nodes[post_uid("twitter", "100")]
    assert post.props["account"] == alice
    assert post.props["created_at"] == 1682942400  # 2023-05-01T12:00:00Z
    assert post.props["views"] == 1000 and post.props["reposts"] == 5 and post.props["likes"] == 7
    assert post.props["text"].startswith("Join the rally!")
    assert len(post.props["text_hash"]) == 40 and len(post.props["text_minhash"]) == 512
    assert post.props["first_seen"] == post.props["last_seen"] == 1682942400
    # the line it came from is its capture: offset, length and sha256 of those bytes
    posted = edges[f"{alice}>POSTED>{post.uid}"].props
    capture = nodes[posted["capture"]].props
    assert posted == {"time": 1682942400, "capture": posted["capture"]}
    assert f"{posted['capture']}>CAPTURES>{post.uid}" in edges and f"{posted['capture']}>CAPTURES>{alice}" in edges
    data = SNSCRAPE.read_bytes()[capture["offset"]:capture["offset"] + capture["length"]]
    assert json.loads(data)["id"] == 100 and hashlib.sha256(data).hexdigest() == capture["bytes_sha256"]
    assert capture["source_file"] == str(SNSCRAPE.absolute()) and capture["format"] == "jsonl"
    assert capture["line"] == 1 + SNSCRAPE.read_bytes()[:capture["offset"]].count(b"\n")
    assert capture["time_source"] == "unknown" and "captured_at" not in capture  # snscrape writes no scrape time
    # the t.co link becomes its canonical expansion, on its registered domain
    link = edges[f"{post.uid}>LINKS_TO>url:https://news.example.com/a"]
    assert link.props["anchor"] == "news.example.com/a"
    assert nodes["url:https://news.example.com/a"].props["domain"] == "example.com"
    assert "url:https://news.example.com/a>ON_SITE>site:example.com" in edges
    # mentions, hashtags (the second "rally" is the same tag: first position kept)
    assert f"{post.uid}>MENTIONS>{account_uid('twitter', 'bob')}" in edges
    assert edges[f"{post.uid}>TAGGED>hashtag:rally"].props["position"] == 0
    # the photo is keyed by its URL, without Twitter's size parameter
    photos = [e for e in edges.values() if e.kind == "HAS_MEDIA" and e.src == post.uid]
    assert len(photos) == 1 and photos[0].dst.startswith("media:url-") and photos[0].props["role"] == "photo"
    # account: profile, profile link, first/last activity
    account = nodes[alice].props
    assert account["handle"] == "alice_1" and account["display_name"] == "Alice"
    assert account["bio"].startswith("Patriot") and account["followers"] == 150 and account["verified"] is False
    assert account["created_at"] == 1577836800
    assert f"{alice}>PROFILE_LINK>url:https://example.org/" in edges
    assert account["first_seen"] == account["last_seen"] == 1682942400


def test_retweet_quote_reply(sns):
    nodes, edges, _ = sns
    bob = account_uid("twitter", "bob")
    # the retweet is an edge to the original, keyed by the retweet id, not a post
    repost = edges[f"{bob}>REPOSTED>{post_uid('twitter', '100')}#101"]
    assert repost.props == {"time": 1682942430, "repost_uid": post_uid("twitter", "101"),
                            "capture": repost.props["capture"]}
    assert f"{repost.props['capture']}>CAPTURES>{bob}" in edges
    assert post_uid("twitter", "101") not in nodes
    assert nodes[bob].props["first_seen"] == 1682942430  # retweeting is activity; being mentioned is not
    quote = post_uid("twitter", "102")
    assert f"{quote}>QUOTED>{post_uid('twitter', '90')}" in edges
    assert nodes[post_uid("twitter", "90")].props["account"] == account_uid("twitter", "dave")
    stub = nodes[post_uid("twitter", "99")]
    assert stub.props == {"platform": "twitter", "post_id": "99", "account": account_uid("twitter", "alice_1")}
    assert f"{quote}>REPLIED_TO>{stub.uid}" in edges
    video = [e for e in edges.values() if e.kind == "HAS_MEDIA" and e.src == quote][0]
    assert nodes[video.dst].props["url"] == "https://video.twimg.com/v_high.mp4"  # best mp4


def test_deprecated_aliases(sns):
    nodes, edges, _ = sns
    post = nodes[post_uid("twitter", "103")]
    assert post.props["text"] == "Old style https://t.co/xyz"  # `content`
    assert f"{post.uid}>LINKS_TO>url:https://example.net/p" in edges  # `outlinks`
    erin = nodes[account_uid("twitter", "erin")].props
    assert erin["display_name"] == "Erin E" and erin["bio"] == "bio (rendered)" and erin["verified"] is True
    assert f"{account_uid('twitter', 'erin')}>PROFILE_LINK>url:https://erin.example.net/" in edges  # `linkUrl`


def test_telegram_posts_and_views(sns):
    nodes, edges, _ = sns
    chan = account_uid("telegram", "NewsChan")
    first = nodes[post_uid("telegram", "newschan/55")]
    assert first.props["views"] == 1200  # [1200, 100]
    assert nodes[post_uid("telegram", "newschan/56")].props["views"] == 3400  # int + views.granularity
    assert first.props["account"] == chan and first.props["url"] == "https://t.me/NewsChan/55"
    assert f"{first.uid}>LINKS_TO>url:https://news.example.com/a" in edges
    assert nodes[chan].props["first_seen"] == 1682942405 and nodes[chan].props["last_seen"] == 1682946000


def test_mastodon(sns):
    nodes, edges, _ = sns
    frank = account_uid("mastodon", "frank@mastodon.social")
    toot = nodes[post_uid("mastodon", "mastodon.social/1090")]
    assert toot.props["account"] == frank and nodes[frank].props["handle"] == "frank@mastodon.social"
    gina = account_uid("mastodon", "gina@other.example")
    assert f"{toot.uid}>MENTIONS>{gina}" in edges
    assert f"{gina}>REPOSTED>{toot.uid}#boost" in edges
    assert f"{toot.uid}>TAGGED>hashtag:rally" in edges


def test_bad_lines_are_counted_and_reading_goes_on(sns):
    _, _, rejects = sns
    assert Counter(r.reason for r in rejects) == {"unknown_type": 1, "bad_json": 1}
    unknown = next(r for r in rejects if r.reason == "unknown_type")
    assert "reddit" in unknown.detail and unknown.where.endswith(":5")
    assert next(r for r in rejects if r.reason == "bad_json").where.endswith(":6")


def test_same_account_in_two_files_has_one_uid(tmp_path):
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({
        "_type": "snscrape.modules.twitter.Tweet", "id": 5, "url": "https://twitter.com/ALICE_1/status/5",
        "date": "2023-06-01T00:00:00+00:00", "rawContent": "hi", "user": {"username": "ALICE_1"},
    }) + "\n")
    first = {r.uid for r in snscrape.collect(SNSCRAPE) if isinstance(r, Node) and r.kind == "Account"}
    second = {r.uid for r in snscrape.collect(other) if isinstance(r, Node) and r.kind == "Account"}
    assert first & second == {account_uid("twitter", "alice_1")}


def test_gzip_input_and_truncated_gzip(tmp_path):
    data = SNSCRAPE.read_bytes() * 40
    whole = tmp_path / "tweets.jsonl.gz"
    whole.write_bytes(gzip.compress(data))
    assert find_collector(whole) is snscrape
    complete = [r for r in snscrape.collect(whole) if isinstance(r, Node) and r.kind == "Post"]
    cut = tmp_path / "cut.jsonl.gz"
    blob = gzip.compress(data)
    cut.write_bytes(blob[: len(blob) // 2])
    records = list(snscrape.collect(cut))
    rejects = Counter(r.reason for r in records if isinstance(r, Reject))
    assert rejects["truncated_gzip"] == 1
    posts = [r for r in records if isinstance(r, Node) and r.kind == "Post"]
    assert 0 < len(posts) <= len(complete)  # what was readable before the cut


def test_fifty_megabyte_single_line(tmp_path):
    """One 50 MB line: rejected as too long, read in 1 MB chunks, the next line still read."""
    big = tmp_path / "big.jsonl"
    with open(big, "wb") as handle:
        handle.write(b'{"_type": "snscrape.modules.twitter.Tweet", "rawContent": "')
        block = b"x" * (1 << 20)
        for _ in range(50):
            handle.write(block)
        handle.write(b'"}\n')
        handle.write(SNSCRAPE.read_bytes().split(b"\n", 1)[0] + b"\n")
    assert find_collector(big) is snscrape
    records = list(snscrape.collect(big))
    rejects = [r for r in records if isinstance(r, Reject)]
    assert [(r.reason, r.where.rsplit(":", 1)[1]) for r in rejects] == [("line_too_long", "1")]
    assert any(isinstance(r, Node) and r.uid == post_uid("twitter", "100") for r in records)
    # the line reader never buffers more than the limit
    assert all(raw is None or len(raw) <= MAX_LINE_BYTES for _, _, raw, _ in iter_lines(big))


def test_line_without_newline_at_end(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_bytes(SNSCRAPE.read_bytes().split(b"\n", 1)[0])  # no trailing newline
    assert any(isinstance(r, Node) and r.kind == "Post" for r in snscrape.collect(path))


# ------------------------------------------------------------------ Telegram export


def test_telegram_single_chat():
    nodes, edges, rejects = split(telegram_export.collect(TG_SINGLE))
    chan = account_uid("telegram", "channel1500")
    assert nodes[chan].props["display_name"] == "Patriot News"
    assert [r.reason for r in rejects] == ["skipped_service"]  # counted, not silent
    post = nodes[post_uid("telegram", "channel1500/2")]
    assert post.props["created_at"] == 1682942400  # from date_unixtime
    # text given as a list of strings and entities is flattened
    assert post.props["text"].startswith("Rally at noon #Rally see https://www.example.org/event")
    assert f"{post.uid}>LINKS_TO>url:https://example.org/event" in edges  # link entity
    assert edges[f"{post.uid}>LINKS_TO>url:https://news.example.com/a"].props["anchor"] == "this"  # text_link
    assert f"{post.uid}>TAGGED>hashtag:rally" in edges
    assert f"{post.uid}>MENTIONS>{account_uid('telegram', 'otherchan')}" in edges
    # the photo file is not next to the export: no media, no error
    assert not [e for e in edges.values() if e.kind == "HAS_MEDIA"]
    reply = post_uid("telegram", "channel1500/4")
    assert f"{reply}>REPLIED_TO>{post.uid}" in edges
    assert f"{reply}>MENTIONS>{account_uid('telegram', 'user77')}" in edges  # mention_name
    # the forward: the channel reposted a stub of the source's message
    forwards = [e for e in edges.values() if e.kind == "REPOSTED"]
    assert len(forwards) == 1 and forwards[0].src == chan and forwards[0].key == "channel1500/3"
    stub = nodes[forwards[0].dst]
    assert stub.props["account"] == account_uid("telegram", "name:Source Channel")
    assert stub.props["text"] == "Forwarded words here"


def test_telegram_full_export_and_media_hash():
    nodes, edges, rejects = split(telegram_export.collect(TG_FULL))
    assert rejects == []
    assert nodes[post_uid("telegram", "channel2000/10")].props["text"] == 'Hello {group} "quoted" ]'
    assert nodes[post_uid("telegram", "channel3000/1")].props["account"] == account_uid("telegram", "channel3000")
    # photos/p.jpg exists: keyed by the sha256 of its bytes
    import hashlib

    sha = hashlib.sha256((TG_FULL.parent / "photos" / "p.jpg").read_bytes()).hexdigest()
    assert nodes[f"media:{sha}"].props["sha256"] == sha
    # the same forwarded message in two exports meets on one stub post
    single_stub = [e.dst for e in split(telegram_export.collect(TG_SINGLE))[1].values() if e.kind == "REPOSTED"]
    full_stub = [e.dst for e in edges.values() if e.kind == "REPOSTED"]
    assert single_stub == full_stub


def test_telegram_username_option():
    nodes, _, _ = split(telegram_export.collect(TG_SINGLE, username="PatriotNews"))
    post = nodes[post_uid("telegram", "patriotnews/2")]
    assert post.props["account"] == account_uid("telegram", "patriotnews")
    assert post.props["url"] == "https://t.me/PatriotNews/2"


def test_telegram_corrupt_json_is_one_reject(tmp_path):
    text = TG_FULL.read_text()
    cut = tmp_path / "result.json"
    cut.write_text(text[: text.index('"B post"')])  # ends inside the last message
    records = list(telegram_export.collect(cut))
    rejects = [r for r in records if isinstance(r, Reject)]
    assert [r.reason for r in rejects] == ["truncated_json"]
    assert "ends inside" in rejects[0].detail
    # the messages before the damage were read
    assert any(isinstance(r, Node) and r.uid == post_uid("telegram", "channel2000/10") for r in records)

    broken = tmp_path / "broken" / "result.json"
    broken.parent.mkdir()
    broken.write_text(text.replace('"from": "Ben"', '"from": Ben'))
    rejects = [r for r in telegram_export.collect(broken) if isinstance(r, Reject)]
    assert [r.reason for r in rejects] == ["bad_json"]

    other = tmp_path / "other" / "result.json"
    other.parent.mkdir()
    other.write_text('{"about": "Telegram", "nothing": []}')
    rejects = [r for r in telegram_export.collect(other) if isinstance(r, Reject)]
    assert len(rejects) == 1 and "no \"messages\" list" in rejects[0].detail


def test_telegram_streams_across_chunks(tmp_path, monkeypatch):
    """Tiny read chunks: every message and header straddles buffer boundaries."""
    monkeypatch.setattr(telegram_export, "_CHUNK", 7)
    expected = split(telegram_export.collect(TG_FULL))
    shutil.copytree(TG_FULL.parent, tmp_path / "x")
    got = split(telegram_export.collect(tmp_path / "x" / "result.json"))
    assert set(got[0]) == set(expected[0]) and set(got[1]) == set(expected[1])


def test_lazy_web_collector_is_listed():
    web = collectors.get_collector("web")
    assert web.name == "web" and web.description
