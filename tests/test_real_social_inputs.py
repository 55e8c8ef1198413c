"""Issue #16, the social half: files as investigators hold them.

Fixtures (tests/fixtures/social, remade by make_real_inputs.py; tests/fixtures/csv):
a Telegram channel exported as HTML and JSON together, a group's HTML page, snscrape
output saved on Windows (UTF-16, UTF-8 with a BOM) and by snscrape 0.4 (no ``_type``),
twarc v1.1 / twarc2 raw / twarc2 flat lines, a Mastodon archive's outbox, the
Coordination Network Toolkit's CSV with list-valued ``urls``. Exports whose shape
matters (old peer ids, polls…) are written by the tests themselves, as Telegram Desktop
writes them.
"""

from __future__ import annotations

import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from collectors import (
    csv_tables,
    find_collector,
    mastodon_outbox,
    snscrape,
    telegram_export,
    telegram_html,
    twarc,
)
from collectors.base import validate_record
from graphinv.capture.evidence import verify_capture
from graphinv.records import Edge, Node, Reject, account_uid, post_uid

SOCIAL = Path(__file__).parent / "fixtures" / "social"
BOTH = SOCIAL / "tg_both" / "ChatExport_2024-03-02"
GROUP_HTML = SOCIAL / "tg_group_html" / "ChatExport_2021-06-01" / "messages.html"
CHANNEL = account_uid("telegram", "channel1292077344")  # "Example Channel" of tg_both
NORDIC_ID = 1403112233
NORDIC = account_uid("telegram", f"channel{NORDIC_ID}")


def read(records) -> tuple[dict, set, list, list]:
    """Nodes (props merged), edges (kind, src, dst, props without ``capture``), rejects
    and capture props; every record valid against the schema."""
    nodes: dict[str, dict] = {}
    edges: set = set()
    rejects: list[Reject] = []
    captures: list[dict] = []
    for record in records:
        assert not validate_record(record), validate_record(record)
        if isinstance(record, Node):
            if record.kind == "Capture":
                captures.append(record.props)
            else:
                nodes.setdefault(record.uid, {}).update(record.props)
        elif isinstance(record, Edge):
            if record.kind != "CAPTURES":
                props = tuple(sorted((k, v) for k, v in record.props.items() if k != "capture"))
                edges.add((record.kind, record.src, record.dst, props))
        else:
            rejects.append(record)
    return nodes, edges, rejects, captures


def all_ok(captures: list[dict]) -> bool:
    return bool(captures) and all(verify_capture(c) == "ok" for c in captures)


# ------------------------------------------------------------------ item 2: Telegram HTML


def test_telegram_html_export_gives_the_records_of_the_json_export():
    """The same channel exported in both formats (one folder): every post, author,
    forward, reply (also across pages), link, hashtag, mention, photo and poll is the
    same record; only what each file's captures hold differs."""
    assert find_collector(BOTH / "messages.html") is telegram_html
    assert find_collector(BOTH / "messages2.html") is telegram_html
    json_nodes, json_edges, json_rejects, _ = read(telegram_export.collect(BOTH / "result.json"))
    html_records = [*telegram_html.collect(BOTH / "messages.html"), *telegram_html.collect(BOTH / "messages2.html")]
    html_nodes, html_edges, html_rejects, captures = read(html_records)
    ignore = {"first_seen", "last_seen"}  # an account's span is per file: two pages, two spans
    assert {u: {k: v for k, v in p.items() if k not in ignore} for u, p in html_nodes.items()} == \
           {u: {k: v for k, v in p.items() if k not in ignore} for u, p in json_nodes.items()}
    assert html_edges == json_edges
    assert [r.reason for r in html_rejects] == [r.reason for r in json_rejects] == ["skipped_service"]
    # What the records hold, read from HTML: the joined message 3 is the channel's; the
    # forward is a repost of Source Channel's words; message 10 on page two replies to 4.
    assert html_nodes[post_uid("telegram", "channel1292077344/3")]["account"] == CHANNEL
    assert ("REPLIED_TO", post_uid("telegram", "channel1292077344/10"),
            post_uid("telegram", "channel1292077344/4"), (("time", 1709370600),)) in html_edges
    reposted = [e for e in html_edges if e[0] == "REPOSTED"]
    assert len(reposted) == 1 and html_nodes[reposted[0][2]]["text"] == "Forwarded words here"
    assert html_nodes[post_uid("telegram", "channel1292077344/6")]["text"] == "Poll: Will you come?\n- Yes\n- No"
    text = html_nodes[post_uid("telegram", "channel1292077344/2")]["text"]
    assert text.endswith('\nask @otherchan & bring "flags"')  # <br>, entities and &amp; decoded
    # Captures: each message div, verifiable, timed by the export folder's day.
    assert all_ok(captures) and {c["time_source"] for c in captures} == {"export folder"}
    assert all(c["format"] == "telegram_html" for c in captures)


def test_telegram_html_group_page_keeps_authors_joined_messages_and_members():
    nodes, edges, rejects, captures = read(telegram_html.collect(GROUP_HTML))
    assert rejects == [] and all_ok(captures)
    alice, bob = account_uid("telegram", "name:alice example"), account_uid("telegram", "name:bob example")
    chat = "name:rally group"  # no result.json beside: the chat is keyed by its name
    assert nodes[post_uid("telegram", f"{chat}/3")]["account"] == alice
    assert nodes[post_uid("telegram", f"{chat}/4")]["account"] == bob
    # "Alice created group «Rally Group» with members Bob, Carol and Dan": kept.
    members = {account_uid("telegram", f"name:{n}") for n in ("bob example", "carol", "dan")}
    assert members | {alice} <= set(nodes)


# ------------------------------------------------------------------ item 3: peer ids


def _export(folder: Path, chat: dict, messages: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "result.json"
    path.write_text(json.dumps({**chat, "messages": messages}, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _channel_posts(from_id, count: int = 8) -> list[dict]:
    """A channel's posts, each linking its own article, seconds apart."""
    return [{"id": i, "type": "message", "date": "2024-01-05T10:00:00", "date_unixtime": str(1704448800 + 30 * i),
             "from": "Nordic Watch", "from_id": from_id,
             "text": [f"Read article {i} ", {"type": "link", "text": f"https://news.example.com/article/{i}"}]}
            for i in range(1, count + 1)]


def write_channel_exports(root: Path) -> tuple[Path, Path]:
    """One channel exported in 2020 (id written as 2**33 + id) and in 2024 (bare id), and
    a big group whose members share other links: the background against which the
    coordination analysis judges what is more than chance."""
    shifted = 2**33 + NORDIC_ID
    old = _export(root / "ChatExport_2020-06-01", {"name": "Nordic Watch", "type": "public_channel", "id": shifted},
                  _channel_posts(f"channel{shifted}"))
    new = _export(root / "ChatExport_2024-02-01", {"name": "Nordic Watch", "type": "public_channel",
                                                   "id": NORDIC_ID}, _channel_posts(f"channel{NORDIC_ID}"))
    background = [{"id": 100 * k + i, "type": "message", "date_unixtime": str(1704448800 + 3600 * k + 400 * i),
                   "from": f"Member {k}", "from_id": f"user{k + 1}",
                   "text": ["see ", {"type": "link", "text": f"https://blog{k}.example.org/{i}"}]}
                  for k in range(20) for i in range(1, 9)]
    _export(root / "ChatExport_2024-02-03", {"name": "Big group", "type": "public_supergroup", "id": 777}, background)
    return old, new


def test_two_exports_of_one_channel_are_one_account(tmp_path):
    old, new = write_channel_exports(tmp_path)
    old_nodes, *_ = read(telegram_export.collect(old))
    new_nodes, *_ = read(telegram_export.collect(new))
    posts = {u for u, p in old_nodes.items() if u.startswith("post:")}
    assert posts == {u for u in new_nodes if u.startswith("post:")}
    assert {p["account"] for u, p in old_nodes.items() if u in posts} == {NORDIC}
    # -100… (the Bot API's spelling, written by other tools) is the same channel too.
    minus = _export(tmp_path / "bot", {"name": "Nordic Watch", "type": "public_channel", "id": -1001403112233},
                    _channel_posts(-1001403112233, 1))
    assert read(telegram_export.collect(minus))[0][post_uid("telegram", f"channel{NORDIC_ID}/1")]["account"] == NORDIC


def test_group_export_with_integer_from_id_is_keyed_by_id(tmp_path):
    """2019 group exports write from_id as a number: two members both called "Max" stay
    two accounts, and a member who renamed stays one."""
    messages = [
        {"id": 1, "type": "message", "date_unixtime": "1560000000", "from": "Max", "from_id": 501, "text": "a"},
        {"id": 2, "type": "message", "date_unixtime": "1560000060", "from": "Max", "from_id": 502, "text": "b"},
        {"id": 3, "type": "message", "date_unixtime": "1560000120", "from": "Max B.", "from_id": 502, "text": "c"},
    ]
    path = _export(tmp_path / "ChatExport_2019-06-09", {"name": "Group", "type": "private_group", "id": 4294967396},
                   messages)
    nodes, *_ = read(telegram_export.collect(path))
    authors = [nodes[post_uid("telegram", f"chat100/{i}")]["account"] for i in (1, 2, 3)]
    assert authors == [account_uid("telegram", "user501"), account_uid("telegram", "user502"),
                       account_uid("telegram", "user502")]
    assert nodes[account_uid("telegram", "user502")]["display_name"] == "Max B."  # the latest name


# ------------------------------------------------------------------ item 8: kept, not dropped


def _jpeg(quality: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (160, 120), "white")
    ImageDraw.Draw(image).ellipse((20, 20, 120, 100), fill="darkred")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def test_telegram_polls_contacts_venues_games_forward_details_and_photo_hashes(tmp_path):
    folder = tmp_path / "ChatExport_2025-08-01"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / "a.jpg").write_bytes(_jpeg(95))
    (folder / "photos" / "b.jpg").write_bytes(_jpeg(40))  # the same picture, re-encoded

    def msg(mid, **fields):
        return {"id": mid, "type": "message", "date_unixtime": str(1754000000 + mid), "from": "G",
                "from_id": "user7", "text": "", **fields}
    messages = [
        msg(1, poll={"question": [{"type": "bold", "text": "Go?"}], "closed": False, "total_voters": 2,
                     "answers": [{"text": "Yes", "voters": 2, "chosen": True}]}),
        msg(2, todo_list={"title": "Bring", "others_can_append": False, "answers": [{"text": "flags", "id": 1}]}),
        msg(3, contact_information={"first_name": "Ann", "last_name": "Lee", "phone_number": "+1 555"}),
        msg(4, place_name="Hall", address="Road 1", location_information={"latitude": 1.5, "longitude": 2.5}),
        msg(5, location_information={"latitude": 3.5, "longitude": 4.5}),
        msg(6, game_title="Raid", game_description="a game", game_link="https://t.me/gamebot?game=raid"),
        msg(7, text="fwd", forwarded_from="Src", forwarded_from_id="channel9882011936", reply_to_message_id=1,
            edited_unixtime="1754009999", via_bot="@helperbot"),
        msg(8, text="photo", photo="photos/a.jpg"),
        msg(9, text="photo again", photo="photos/b.jpg"),
        {"id": 10, "type": "service", "date_unixtime": "1754000010", "actor": "G", "actor_id": "user7",
         "action": "invite_members", "members": ["Newcomer", "Other One"], "text": ""},
    ]
    nodes, edges, rejects, captures = read(telegram_export.collect(_export(
        folder, {"name": "G chat", "type": "private_supergroup", "id": 77}, messages)))
    assert rejects == [] and all_ok(captures) and len(captures) == len(messages)
    text = {i: nodes[post_uid("telegram", f"channel77/{i}")].get("text") for i in (1, 2, 3, 4, 5, 6)}
    assert text == {1: "Poll: Go?\n- Yes", 2: "To-do list: Bring\n- flags", 3: "Contact: Ann Lee +1 555",
                    4: "Venue: Hall, Road 1, 1.5, 2.5", 5: "Location: 3.5, 4.5", 6: "Game: Raid a game"}
    # The forward: a repost of channel 1292077344's words (its 2**33 id normalised), and
    # the forward's own reply, edit time and bot kept.
    forward = post_uid("telegram", "channel77/7")
    assert any(e[0] == "REPOSTED" and nodes[e[2]]["account"] == CHANNEL for e in edges)
    assert nodes[forward]["edited_at"] == 1754009999
    assert ("REPLIED_TO", forward, post_uid("telegram", "channel77/1"), (("time", 1754000007),)) in edges
    assert any(e[0] == "MENTIONS" and e[2] == account_uid("telegram", "helperbot") for e in edges)
    assert {account_uid("telegram", "name:newcomer"), account_uid("telegram", "name:other one")} <= set(nodes)
    # Photos: sha256 and a perceptual hash; the re-encoded copy differs in bytes, not in looks.
    import imagehash

    a, b = (next(p for p in nodes.values() if p.get("url") == f"photos/{n}.jpg") for n in "ab")
    assert a["sha256"] != b["sha256"] and a["mime"] == "image/jpeg" and a["width"] == 160
    assert imagehash.hex_to_hash(a["phash"]) - imagehash.hex_to_hash(b["phash"]) <= 4


# ------------------------------------------------------------------ item 7: snscrape, twarc, Mastodon


def test_snscrape_saved_on_windows_and_by_old_versions():
    plain = [json.dumps(line, ensure_ascii=False) for line in
             (json.loads(x) for x in (SOCIAL / "snscrape_utf8bom.jsonl").read_text("utf-8-sig").splitlines())]
    for name in ("snscrape_utf16.jsonl", "snscrape_utf8bom.jsonl", "snscrape_04.jsonl"):
        assert find_collector(SOCIAL / name) is snscrape, name
    utf16 = read(snscrape.collect(SOCIAL / "snscrape_utf16.jsonl"))
    bom = read(snscrape.collect(SOCIAL / "snscrape_utf8bom.jsonl"))
    assert utf16[0] == bom[0] and utf16[1] == bom[1] and utf16[2] == bom[2] == []
    assert utf16[0][post_uid("twitter", "501")]["text"] == "Saved on Windows \u00e9\u00e8 \U0001f600"
    assert all_ok(utf16[3]) and all_ok(bom[3]) and len(plain) == len(utf16[3]) == 2
    assert utf16[3][0]["offset"] == 2  # after the byte-order mark
    old, edges, rejects, captures = read(snscrape.collect(SOCIAL / "snscrape_04.jsonl"))
    assert rejects == [] and all_ok(captures)
    assert old[post_uid("twitter", "601")]["account"] == account_uid("twitter", "olduser")
    assert ("LINKS_TO", post_uid("twitter", "601"), "url:https://news.example.com/old",
            (("time", 1588327200),)) in edges
    assert old[post_uid("telegram", "oldchan/7")]["account"] == account_uid("telegram", "oldchan")


def test_twarc_v1_and_twarc2_raw_and_flat():
    for name in ("twarc_v1.jsonl", "twarc2_raw.jsonl", "twarc2_flat.jsonl"):
        assert find_collector(SOCIAL / name) is twarc, name
    v1, v1_edges, v1_rejects, v1_captures = read(twarc.collect(SOCIAL / "twarc_v1.jsonl"))
    assert [r.reason for r in v1_rejects] == ["unknown_type"]  # the "delete" notice
    assert v1[post_uid("twitter", "701")]["text"] == "v1.1 tweet https://t.co/abc #Rally @other"
    assert ("REPOSTED", account_uid("twitter", "rt_user"), post_uid("twitter", "701"),
            (("repost_uid", post_uid("twitter", "702")), ("time", 1667387100))) in v1_edges
    assert any(e[:3] == ("LINKS_TO", post_uid("twitter", "701"), "url:https://news.example.com/v1") for e in v1_edges)
    raw = read(twarc.collect(SOCIAL / "twarc2_raw.jsonl"))
    flat = read(twarc.collect(SOCIAL / "twarc2_flat.jsonl"))
    # The same tweets through the API's two shapes: the same records.
    assert {u for u in raw[0] if u.startswith("post:")} == {u for u in flat[0] if u.startswith("post:")} == {
        post_uid("twitter", "801"), post_uid("twitter", "803")}
    assert {e[:3] for e in raw[1]} == {e[:3] for e in flat[1]}
    assert ("REPLIED_TO", post_uid("twitter", "803"), post_uid("twitter", "801")) in {e[:3] for e in raw[1]}
    assert raw[0][post_uid("twitter", "801")]["views"] == 99
    assert account_uid("twitter", "rt_two") in raw[0]  # the users line
    for captures in (v1_captures, raw[3], flat[3]):
        assert all_ok(captures) and {(c["captured_at"], c["time_source"]) for c in captures} == {
            (1667390400, "retrieved_at")}


def test_mastodon_outbox():
    path = SOCIAL / "mastodon_archive" / "outbox.json"
    assert find_collector(path) is mastodon_outbox
    nodes, edges, rejects, captures = read(mastodon_outbox.collect(path))
    frank = account_uid("mastodon", "frank@mastodon.example")
    toot = post_uid("mastodon", "mastodon.example/1001")  # as snscrape keys the same toot
    assert nodes[toot]["account"] == frank and nodes[toot]["created_at"] == 1680343200
    assert nodes[toot]["text"] == "Toot from the archive #Rally @gina see news.example.com/toot"
    kinds = {(e[0], e[2]) for e in edges if e[1] == toot}
    assert {("LINKS_TO", "url:https://news.example.com/toot"), ("TAGGED", "hashtag:rally"),
            ("MENTIONS", account_uid("mastodon", "gina@other.example")),
            ("REPLIED_TO", post_uid("mastodon", "other.example/55"))} <= kinds
    assert any(k == "HAS_MEDIA" for k, _ in kinds)
    boost = [e for e in edges if e[0] == "REPOSTED"]
    assert boost == [("REPOSTED", frank, post_uid("mastodon", "other.example/56"), (("time", 1680346800),))]
    assert [r.reason for r in rejects] == ["unknown_type"]  # the Like
    assert all_ok(captures) and len(captures) == 2


# ------------------------------------------------------------------ item 9: the toolkit's CSV


def test_toolkit_csv_with_list_valued_urls(tmp_path):
    path = tmp_path / "cnt_sample.csv"
    path.write_text("message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n"
                    "1,10,u10,,,first,1600000000,\"['http://example.com/a', 'http://example.com/b']\"\n"
                    "2,11,u11,,,second,1600000005,['http://example.com/a']\n"
                    "3,12,u12,,,third,1600000009,\"['not a url']\"\n"
                    "4,13,u13,,,fourth,1600000010,[]\n")
    nodes, edges, rejects, captures = read(csv_tables.collect(path))
    links = Counter(e[2] for e in edges if e[0] == "LINKS_TO")
    assert links == {"url:https://example.com/a": 2, "url:https://example.com/b": 1}  # canonical: https
    assert [(r.reason, r.where.endswith(":4")) for r in rejects] == [("bad_url", True)]
    assert all_ok(captures) and len(captures) == 4  # every row kept


# ------------------------------------------------------------------ item 11: one dialect


def test_common_functions_answer_the_same_on_both_stores(store):
    """labels(n)[0] gave '' on the embedded store (Ladybug's labels(n) is a string, and a
    string's [0] is empty): the embedded store now rewrites the common Neo4j spellings."""
    import pandas as pd

    store.upsert_nodes("Account", pd.DataFrame([{"uid": account_uid("telegram", "a"), "handle": "a"}]))
    store.upsert_nodes("Post", pd.DataFrame([{"uid": post_uid("telegram", "a/1"), "post_id": "a/1"}]))
    store.upsert_edges("POSTED", pd.DataFrame([{"src": account_uid("telegram", "a"),
                                                "dst": post_uid("telegram", "a/1"), "time": 5}]))
    got = store.query("MATCH (n:Account)-[r]->(p) WHERE 'Post' IN labels(p) "
                      "RETURN labels(n)[0] AS first, head(labels(p)) AS head, type(r) AS kind, "
                      "size(labels(n)) AS count, toString(r.time) AS time, toInteger('7') AS seven, "
                      "'labels(n)[0]' AS quoted").to_dict("records")
    assert got == [{"first": "Account", "head": "Post", "kind": "POSTED", "count": 1, "time": "5", "seven": 7,
                    "quoted": "labels(n)[0]"}]


# ------------------------------------------------------------------ done when: one folder of each kind


def _folder_of_each_kind(root: Path) -> Path:
    folder = root / "held"
    shutil.copytree(SOCIAL / "tg_both", folder / "tg_both")
    shutil.copytree(SOCIAL / "tg_group_html", folder / "tg_group_html")
    shutil.copytree(SOCIAL / "mastodon_archive", folder / "mastodon_archive")
    for name in ("snscrape_utf16.jsonl", "snscrape_utf8bom.jsonl", "snscrape_04.jsonl", "twarc_v1.jsonl",
                 "twarc2_raw.jsonl", "twarc2_flat.jsonl"):
        shutil.copy(SOCIAL / name, folder / name)
    (folder / "cnt_sample.csv").write_text(
        "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n"
        "1,10,u10,,,first,1600000000,\"['http://example.com/a', 'http://example.com/b']\"\n")
    write_channel_exports(folder / "channel")
    return folder


def test_a_folder_of_each_kind_is_accounted_for_and_one_channel_is_no_campaign(store, tmp_path):
    from graphinv.analysis.registry import analyze_all
    from graphinv.ingest import ingest_paths

    summary = ingest_paths(store, [_folder_of_each_kind(tmp_path)])
    read_by = {Path(f.path).relative_to(tmp_path / "held").as_posix(): (f.collector, dict(f.rejects))
               for f in summary.files if not f.skipped}
    assert read_by == {
        "channel/ChatExport_2020-06-01/result.json": ("telegram_export", {}),
        "channel/ChatExport_2024-02-01/result.json": ("telegram_export", {}),
        "channel/ChatExport_2024-02-03/result.json": ("telegram_export", {}),
        "cnt_sample.csv": ("csv_tables", {}),
        "mastodon_archive/outbox.json": ("mastodon_outbox", {"unknown_type": 1}),
        "snscrape_04.jsonl": ("snscrape", {}),
        "snscrape_utf16.jsonl": ("snscrape", {}),
        "snscrape_utf8bom.jsonl": ("snscrape", {}),
        "tg_both/ChatExport_2024-03-02/messages.html": ("telegram_html", {"skipped_service": 1}),
        "tg_both/ChatExport_2024-03-02/messages2.html": ("telegram_html", {}),
        "tg_both/ChatExport_2024-03-02/result.json": ("telegram_export", {"skipped_service": 1}),
        "tg_group_html/ChatExport_2021-06-01/messages.html": ("telegram_html", {}),
        "twarc2_flat.jsonl": ("twarc", {}),
        "twarc2_raw.jsonl": ("twarc", {}),
        "twarc_v1.jsonl": ("twarc", {"unknown_type": 1}),
    }
    # Only the export's photo is left to the web reader; the Telegram readers hash it.
    assert {f.path for f in summary.unread} <= {str(tmp_path / "held" / "tg_both" / "ChatExport_2024-03-02" /
                                                 "photos" / "photo_1@02-03-2024_10-00-00.jpg")}
    captures = store.query("MATCH (c:Capture) RETURN c.source_file AS source_file, c.offset AS offset, "
                           "c.length AS length, c.bytes_sha256 AS bytes_sha256, c.format AS format")
    assert all(verify_capture(row) == "ok" for row in captures.to_dict("records"))
    assert len(captures) >= 40

    analyze_all(store)
    # The 2020 and 2024 exports of Nordic Watch are one account, which coordinates with nobody.
    accounts = store.query("MATCH (a:Account) WHERE a.display_name = 'Nordic Watch' RETURN a.uid AS uid")
    assert accounts["uid"].tolist() == [NORDIC]
    pairs = store.query("MATCH (a:Account)-[:COORDINATED_WITH]-(b:Account) WHERE a.uid = $uid RETURN b.uid AS b",
                        {"uid": NORDIC})
    assert pairs.empty


@pytest.mark.parametrize("store_uri", ["embedded"], indirect=True)
def test_two_channels_posting_the_same_links_together_are_found(store, tmp_path):
    """The control of the test above: had the two exports stayed two accounts, the
    analysis would have found them coordinating (same links, seconds apart)."""
    from graphinv.analysis.registry import analyze_all
    from graphinv.ingest import ingest_paths

    write_channel_exports(tmp_path)
    _export(tmp_path / "ChatExport_2024-02-05", {"name": "Copycat", "type": "public_channel", "id": 555},
            _channel_posts("channel555"))
    ingest_paths(store, [tmp_path])
    analyze_all(store)
    pairs = store.query("MATCH (a:Account)-[:COORDINATED_WITH]-(b:Account) WHERE a.uid = $uid RETURN b.uid AS b",
                        {"uid": NORDIC})
    assert pairs["b"].tolist() == [account_uid("telegram", "channel555")]
