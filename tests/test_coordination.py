"""Coordination detection: published CooRTweet results, CNT's own table, edge cases."""

import sqlite3

import numpy as np
import pandas as pd
import pytest

from graphinv.analysis.coordination import (
    EDGE_COLUMNS,
    PAIR_COLUMNS,
    CNT_EDGE_COLUMNS,
    cnt_normalise_text,
    detect_coordination,
    detect_coordination_cnt,
    estimate_window,
    hashtag_sequence_objects,
    image_hash_objects,
    near_duplicate_objects,
    read_share_table,
    run_on_table,
)
from graphinv.errors import InputError


@pytest.fixture
def coortweet(reference_data):
    """CooRTweet's published tables; missing reference data fails (conftest), never skips."""
    return reference_data / "coortweet"


def shares(rows, modality="url"):
    """rows: (account, object, content, time[, modality])."""
    frame = pd.DataFrame([r if len(r) == 5 else (*r, modality) for r in rows],
                         columns=["account", "object", "content", "time", "modality"])
    return frame


def edge_set(result):
    return {(r.account, r.account_y, r.weight) for r in result.edges.itertuples()}


# ------------------------------------------------------------- published results


def test_russian_coord_tweets_matches_coortweet_vignette(coortweet):
    # CooRTweet vignette: detect_groups(time_window=60, min_participation=2) then
    # generate_coordinated_network(edge_weight=0.5) -> 2110 vertices, 3721 edges.
    table = read_share_table(coortweet / "russian_coord_tweets.csv.gz")
    result = detect_coordination(table, window=60, min_participation=2, edge_weight=0.5,
                                 max_pairs_per_object=None)
    assert (len(result.nodes), len(result.edges)) == (2110, 3721)
    assert result.summary == "nodes=2110 edges=3721"
    assert list(result.edges.columns) == EDGE_COLUMNS
    # weight = number of co-share pairs; the flag marks weights above the median only
    assert result.edges["weight"].sum() == len(result.pairs)
    median = np.quantile(result.edges["weight"], 0.5)
    assert (result.edges["weight_threshold"] == (result.edges["weight"] > median)).all()
    assert result.edges["edge_symmetry_score"].between(0, 1).all()
    # the default cap does not touch this data
    capped = detect_coordination(table, window=60, min_participation=2, keep_pairs=False)
    assert capped.stats["capped_objects"] == [] and capped.summary == result.summary


def test_german_elections_url_and_image_stacked_matches_coortweet(coortweet):
    # reproduce_examples.Rmd: url_id and phash_id as objects (post_id content,
    # unique rows, NA objects dropped, prefixed "url_"/"hash_"), time_window=30,
    # min_participation=2, each detected separately, stacked -> 671 vertices, 1732 edges.
    table = read_share_table(
        coortweet / "german_elections.csv.gz",
        {"account": "account_id", "object": ["url_id", "phash_id"], "content": "post_id", "time": "timestamp"},
        dedupe=True,
    )
    prefix = table["modality"].map({"url_id": "url_", "phash_id": "hash_"})
    table = table.assign(object=prefix + table["object"])
    result = detect_coordination(table, window=30, min_participation=2, max_pairs_per_object=None)
    assert (len(result.nodes), len(result.edges)) == (671, 1732)
    assert set(result.pairs["modality"]) == {"url_id", "phash_id"}


def test_run_on_table_gives_the_cli_summary(coortweet):
    result = run_on_table(coortweet / "russian_coord_tweets.csv.gz", 60, 2, 0.5)
    assert result.summary == "nodes=2110 edges=3721"
    assert result.pairs.empty  # the CLI path does not keep pairs


# --------------------------------------------------------------------- CNT

# CNT's tests/data/coretweet_test_input.csv (QUT Digital Observatory, MIT licence).
CNT_TEST_INPUT = """message_id,user_id,username,repost_id,reply_id,message,timestamp,urls
0,uid0,username0,rtid0,,"Example tweet from uid0",0,""
1,uid1,username1,rtid0,,"Example tweet from uid1",59,""
2,uid2,username2,rtid1,,"Example tweet from uid2",60,""
3,uid3,username3,rtid1,,"Example tweet from uid3",70,""
4,uid2,username2,rtid2,,"Example tweet from uid2",70,""
5,uid3,username3,rtid2,,"Example tweet from uid3",131,""
6,uid4,username4,rtid3,,"Example tweet from uid4",30,""
7,uid5,username5,rtid3,,"Example tweet from uid5",89,""
8,uid4,username4,rtid4,,"Example tweet from uid4",40,""
9,uid5,username5,rtid4,,"Example tweet from uid5",41,""
10,uid10,username10,rtid5,,"Example tweet from uid10",42,""
11,uid10,username10,rtid5,,"Example tweet from uid10",52,""
12,uid11,username11,rtid6,,"Example tweet from uid11",42,""
13,uid12,username12,rtid6,,"Example tweet from uid12",300,""
"""


@pytest.mark.parametrize(
    ("window", "min_weight", "loops", "nodes"),
    [
        # CNT's own grid (tests/test_graph_construction.py)
        (1, 1, False, 2),  # only uid4/uid5 retweet rtid4 one second apart
        (1, 1, True, 9),  # every account has a loop: its own retweet matches itself
        (1, 2, False, 0),  # no pair reaches weight 2
        (1, 2, True, 5),  # loops of accounts with two retweets (uid10 retweets rtid5 twice)
        (60, 1, False, 6),
        (60, 1, True, 9),
    ],
)
def test_cnt_hand_made_table(tmp_path, window, min_weight, loops, nodes):
    path = tmp_path / "cnt.csv"
    path.write_text(CNT_TEST_INPUT)
    table = read_share_table(path)
    assert table.attrs["shape"] == "cnt"
    repost = table[table["modality"] == "repost"]
    result = detect_coordination_cnt(repost, window, min_weight, loops=loops)
    assert len(result.nodes) == nodes
    assert list(result.edges.columns) == CNT_EDGE_COLUMNS


def _random_cnt_table(path, seed=7, n=600, last_text="Other"):
    """A CNT message table with reposts, links and near-equal texts (also read by test_spark)."""
    rng = np.random.default_rng(seed)
    users = [f"u{k}" for k in range(25)]
    rows = []
    for m in range(n):
        repost = f"rt{rng.integers(0, 30)}" if rng.random() < 0.4 else ""
        urls = " ".join(f"https://s{rng.integers(0, 6)}.org/{rng.integers(0, 12)}"
                        for _ in range(rng.integers(1, 3)))
        text = ["Vote now @x", "vote NOW", "Read this", "read  this @y @z", last_text][rng.integers(0, 5)]
        rows.append([str(m), users[rng.integers(0, 25)], "name", repost, "", text,
                     int(rng.integers(0, 3600)), urls])
    frame = pd.DataFrame(rows, columns=["message_id", "user_id", "username", "repost_id", "reply_id",
                                        "message", "timestamp", "urls"])
    frame.to_csv(path, index=False)


@pytest.mark.parametrize(("window", "min_weight"), [(60, 1), (120, 2), (5, 1)])
def test_cnt_semantics_match_the_toolkit_itself(tmp_path, window, min_weight):
    from coordination_network_toolkit import compute_networks, preprocess

    csv = tmp_path / "messages.csv"
    _random_cnt_table(csv)
    db = str(tmp_path / "cnt.db")
    preprocess.preprocess_csv_files(db, [str(csv)])
    compute_networks.compute_co_link_network(db, window, n_threads=1, min_edge_weight=min_weight)
    compute_networks.compute_co_retweet_parallel(db, window, n_threads=1, min_edge_weight=min_weight)
    compute_networks.compute_co_tweet_network(db, window, n_threads=1, min_edge_weight=min_weight)

    ours = detect_coordination_cnt(read_share_table(csv), window, min_weight, loops=True).edges
    with sqlite3.connect(db) as con:
        for network in ("co_link", "co_retweet", "co_tweet"):
            theirs = {(str(a), str(b), int(w)) for a, b, w in con.execute(f"select * from {network}_network")}
            mine = {(r.account, r.account_y, r.weight) for r in ours[ours["network"] == network].itertuples()}
            assert theirs, network
            assert mine == theirs, network


def test_cnt_text_normalisation_matches_the_toolkit():
    from coordination_network_toolkit.similarity import message_preprocessor

    for text in ["Vote NOW @bob please", "  a\tb  @c", "@only", "x@y z"]:
        assert cnt_normalise_text(text) == message_preprocessor(text)


# -------------------------------------------------------------- hand-made cases


def test_identical_timestamps_pair_once_per_share_pair():
    # a, b, c share u at the same second: 3 pairs (ab, ac, bc), each weight 1;
    # they repeat on v so each account has 2 shares and passes min_participation.
    rows = [("a", "u", "1", 10), ("b", "u", "2", 10), ("c", "u", "3", 10),
            ("a", "v", "4", 50), ("b", "v", "5", 50), ("c", "v", "6", 50)]
    result = detect_coordination(shares(rows), window=0, min_participation=2)
    assert edge_set(result) == {("a", "b", 2), ("a", "c", 2), ("b", "c", 2)}
    assert (result.pairs["time_delta"] == 0).all()
    assert (result.edges["avg_time_delta"] == 0).all()


def test_account_co_sharing_with_itself_is_no_edge():
    # a shares u twice 5 s apart (a loop, removed); b shares u once, so a-b pairs
    # twice: weight 2. b has only one share: min_participation=1 keeps it.
    rows = [("a", "u", "1", 0), ("a", "u", "2", 5), ("b", "u", "3", 8)]
    result = detect_coordination(shares(rows), window=60, min_participation=1)
    assert edge_set(result) == {("a", "b", 2)}
    assert not (result.pairs["account"] == result.pairs["account_y"]).any()


def test_content_equal_to_object_never_pairs():
    # b's content "u" is the object itself (the original post, not a share of it)
    rows = [("a", "u", "p1", 0), ("b", "u", "u", 3), ("c", "u", "p3", 4)]
    result = detect_coordination(shares(rows, "repost"), window=60, min_participation=1)
    assert edge_set(result) == {("a", "c", 1)}


def test_equal_contents_never_pair():
    # the same post id recorded for two accounts (bad data): that pair is dropped
    rows = [("a", "u", "p1", 0), ("b", "u", "p1", 3), ("c", "u", "p3", 4)]
    result = detect_coordination(shares(rows), window=60, min_participation=1)
    assert edge_set(result) == {("a", "c", 1), ("b", "c", 1)}


def test_window_is_inclusive():
    rows = [("a", "u", "1", 0), ("b", "u", "2", 60), ("c", "u", "3", 121)]
    result = detect_coordination(shares(rows), window=60, min_participation=1)
    # a-b exactly 60 s: in; b-c 61 s: out
    assert edge_set(result) == {("a", "b", 1)}


def test_min_participation_before_and_after():
    # c has two shares, but only one co-shares in time, so after pairing c counts
    # one row: its pair with a survives only through a's contents (a has 2 rows).
    # d has one share overall: dropped before pairing.
    rows = [("a", "u", "1", 0), ("a", "v", "2", 100), ("b", "u", "3", 1), ("b", "v", "4", 101),
            ("c", "v", "5", 102), ("c", "w", "6", 500), ("d", "u", "7", 2)]
    result = detect_coordination(shares(rows), window=10, min_participation=2)
    assert edge_set(result) == {("a", "b", 2), ("a", "c", 1), ("b", "c", 1)}
    assert "d" not in set(result.nodes["account"])


def test_pair_dropped_when_neither_side_reaches_participation():
    # c and d co-share w only once each (their other shares are far apart), so
    # neither account has 2 rows in pairs: the c-d pair is dropped after pairing.
    rows = [("c", "w", "1", 0), ("d", "w", "2", 1), ("c", "x", "3", 1000), ("d", "y", "4", 5000)]
    result = detect_coordination(shares(rows), window=10, min_participation=2)
    assert result.edges.empty and result.pairs.empty


def test_empty_input_returns_empty_frames_with_columns():
    empty = pd.DataFrame(columns=["account", "object", "content", "time", "modality"])
    result = detect_coordination(empty, window=60)
    assert result.edges.empty and list(result.edges.columns) == EDGE_COLUMNS
    assert result.pairs.empty and list(result.pairs.columns) == PAIR_COLUMNS
    assert result.nodes.empty and list(result.nodes.columns) == ["account", "degree", "strength"]
    assert result.summary == "nodes=0 edges=0"
    cnt = detect_coordination_cnt(empty, window=60)
    assert cnt.edges.empty and list(cnt.edges.columns) == CNT_EDGE_COLUMNS


def test_viral_object_is_capped_and_reported():
    # 100k accounts share "viral" within 60 s: ~5e9 pairs, far above the cap, so the
    # object is skipped and reported; a small planted pair on "x" still shows.
    n = 100_000
    viral = pd.DataFrame({"account": [f"acc{k}" for k in range(n)], "object": "viral",
                          "content": [f"c{k}" for k in range(n)], "time": np.arange(n) % 60,
                          "modality": "url"})
    planted = shares([("acc1", "x", "p1", 1000), ("acc2", "x", "p2", 1001)])
    result = detect_coordination(pd.concat([viral, planted]), window=60, min_participation=1,
                                 max_pairs_per_object=1_000_000)
    assert edge_set(result) == {("acc1", "acc2", 1)}
    [capped] = result.stats["capped_objects"]
    assert capped["object"] == "viral" and capped["modality"] == "url"
    assert capped["pairs"] > 4_000_000_000


def test_object_seen_in_two_modalities_is_two_objects():
    # "abc" as a URL (a, b) and as a hashtag sequence (c) 1 s apart: no a-c or b-c edge,
    # and the a-b edge lists the url modality only.
    rows = [("a", "abc", "1", 0, "url"), ("b", "abc", "2", 1, "url"), ("c", "abc", "3", 1, "hashtags")]
    result = detect_coordination(shares(rows), window=60, min_participation=1)
    assert edge_set(result) == {("a", "b", 1)}
    assert result.edges["modalities"].tolist() == [["url"]]


def test_edge_stacks_modalities_and_times():
    rows = [("a", "u", "1", 100, "url"), ("b", "u", "2", 110, "url"),
            ("a", "img", "1", 500, "image"), ("b", "img", "3", 530, "image")]
    result = detect_coordination(shares(rows), window=60, min_participation=1)
    [edge] = result.edges.itertuples()
    assert edge.weight == 2 and edge.modalities == ["image", "url"]
    assert (edge.first_time, edge.last_time) == (100, 530)
    assert edge.avg_time_delta == 20.0
    assert edge.weight_threshold == 0  # a single weight is never above its own median


def test_fast_window_flags_pairs_and_edges():
    # a-b co-share twice within 5 s; a-c twice but 40 s apart: only a-b is fast.
    rows = [("a", "u", "1", 0), ("b", "u", "2", 5), ("c", "u", "3", 40),
            ("a", "v", "4", 1000), ("b", "v", "5", 1003), ("c", "v", "6", 1040)]
    result = detect_coordination(shares(rows), window=60, min_participation=2, fast_window=10)
    fast = result.edges.set_index(["account", "account_y"])["weight_fast"]
    assert fast[("a", "b")] == 2
    assert pd.isna(fast[("a", "c")]) and pd.isna(fast[("b", "c")])
    assert result.pairs["fast"].sum() == 2


def test_symmetry_score_counts_distinct_contents_per_side():
    # a's one post pairs with three posts of b: weight 3, a contributes 1 content,
    # b 3 -> symmetry 1/3.
    rows = [("a", "u", "1", 10), ("b", "u", "2", 0), ("b", "u", "3", 5), ("b", "u", "4", 20),
            ("a", "z", "9", 9999)]
    result = detect_coordination(shares(rows), window=60, min_participation=1)
    [edge] = result.edges.itertuples()
    assert edge.weight == 3
    assert sorted([edge.n_content_id, edge.n_content_id_y]) == [1, 3]
    assert edge.edge_symmetry_score == pytest.approx(1 / 3)


def test_window_auto_uses_coornet_estimate():
    # Two objects shared four times. Second shares come after 2 s and 50 s; with
    # q=0.1 only the quicker object is kept; its first share past half (rank 3 of 4)
    # is 30 s after the first, so the window is 30.
    rows = [("a", "u", "1", 0), ("b", "u", "2", 2), ("c", "u", "3", 30), ("d", "u", "4", 90),
            ("a", "v", "5", 0), ("b", "v", "6", 50), ("c", "v", "7", 60), ("d", "v", "8", 70)]
    frame = shares(rows)
    assert estimate_window(frame) == 30
    assert detect_coordination(frame, window="auto", min_participation=1).window == 30


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window": -1}, "window must be a non-negative"),
        ({"window": "soon"}, "window must be seconds or 'auto'"),
        ({"edge_weight": 1.5}, "edge_weight must be a quantile"),
        ({"fast_window": 90}, r"fast_window \(90\) must not exceed window \(60\)"),
    ],
)
def test_bad_parameters_raise_input_error(kwargs, message):
    frame = shares([("a", "u", "1", 0)])
    with pytest.raises(InputError, match=message):
        detect_coordination(frame, **{"window": 60, **kwargs})


def test_bad_frames_raise_input_error():
    with pytest.raises(InputError, match="lacks column"):
        detect_coordination(pd.DataFrame({"account": ["a"]}))
    with pytest.raises(InputError, match="whole epoch seconds"):
        detect_coordination(shares([("a", "u", "1", 0.5)]))


# ------------------------------------------------------ fuzzy objects and tables


def test_near_duplicate_texts_share_an_object():
    texts = ["Breaking: the election was stolen, share before they delete it",
             "BREAKING the election was stolen - share before they delete it!!",
             "A recipe for lentil soup with carrots and cumin", None]
    ids = near_duplicate_objects(texts, threshold=0.7)
    assert ids[0] == ids[1] and ids[2] != ids[0] and ids[3] is None


def test_image_hashes_cluster_within_distance():
    base = 0xF0F0F0F0F0F0F0F0
    hashes = [f"{base:016x}", f"{base ^ 0b111:016x}", f"{base ^ (0xFF << 40):016x}", "", None]
    ids = image_hash_objects(hashes, max_distance=4)
    # 3 bits apart: same image; 8 bits apart: another; blanks: none
    assert ids[0] == ids[1] and ids[2] not in (ids[0], None) and ids[3] is None and ids[4] is None
    with pytest.raises(InputError, match="not a hex perceptual hash"):
        image_hash_objects(["zz"])


def test_hashtag_sequence_is_per_utc_day_and_ordered():
    day2 = 86_400
    ids = hashtag_sequence_objects([["#A", "#b"], "#a #B", "#a #b", "#b #a", []], [5, 80_000, day2, 6, 7])
    assert ids[0] == ids[1] != ids[2]  # next UTC day is another object
    assert ids[3] != ids[0] and ids[4] is None


def test_read_share_table_shapes_and_errors(tmp_path):
    generic = tmp_path / "generic.csv"
    generic.write_text("account_id,object_id,content_id,timestamp\na,u,1,10\nb,u,2,12\nc,,3,13\n")
    frame = read_share_table(generic)
    assert frame.attrs["shape"] == "generic" and frame.attrs["dropped"] == {"missing object": 1}
    assert frame["time"].dtype == "int64" and len(frame) == 2
    odd = tmp_path / "odd.csv"
    odd.write_text("who,what\na,b\n")
    with pytest.raises(InputError, match="cannot tell the shape"):
        read_share_table(odd)
    with pytest.raises(InputError, match="lacks column"):
        read_share_table(odd, {"account": "who", "object": "what", "content": "c", "time": "t"})
    with pytest.raises(InputError, match="not found"):
        read_share_table(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="unknown semantics"):
        run_on_table(generic, 60, 1, 0.5, semantics="other")


def test_results_do_not_depend_on_the_order_the_store_returns_rows():
    """Two runs over the same rows read in another order write the same edges, symmetry
    scores included (pair orientation follows row order)."""
    from graphinv.analysis.coordination.analysis import CoordinationParams, compute

    rng = np.random.default_rng(3)
    accounts = [f"account:twitter:a{i}" for i in range(12)]
    rows = [{"account": accounts[int(rng.integers(12))], "object": f"url:https://x.example/{int(rng.integers(8))}",
             "content": f"post:twitter:{n}", "time": 1_700_000_000 + int(rng.integers(0, 600))} for n in range(300)]
    url = pd.DataFrame(rows)
    empty = pd.DataFrame(columns=["account", "object", "content", "time"])
    frames = {"url": url, "repost": empty, "campaign_posts": pd.DataFrame(columns=["content", "text", "url"]),
              "authors": pd.DataFrame(columns=["object", "author"])}
    params = CoordinationParams(modalities=("url",), window=60)
    first = compute(frames, params).coordination.edges
    shuffled = frames | {"url": url.sample(frac=1, random_state=7).reset_index(drop=True)}
    second = compute(shuffled, params).coordination.edges
    assert len(first) > 0
    pd.testing.assert_frame_equal(first.reset_index(drop=True), second.reset_index(drop=True))


def _chunked_table(seed=5, rows=1500):
    """URL shares where posts carry one or two links, a few objects far larger than a
    small chunk, so chunks split objects and contents recur across objects. Each post
    has its own second, so the two sides of a pair are its two accounts."""
    rng = np.random.default_rng(seed)
    obj = np.where(rng.random(rows) < 0.3, "viral", np.char.add("u", rng.integers(0, 300, rows).astype(str)))
    post = rng.integers(0, rows // 2, rows)
    frame = pd.DataFrame({"account": np.char.add("a", rng.integers(0, 60, rows).astype(str)), "object": obj,
                          "content": np.char.add("p", post.astype(str)),
                          "time": rng.permutation(rows // 2)[post] * 4, "modality": "url"})
    frame = frame.drop_duplicates("content").merge(frame[["content", "object"]], on="content",
                                                   suffixes=("_first", ""))
    frame = frame.drop(columns="object_first")[["account", "object", "content", "time", "modality"]]
    # the same posts matched by their text too: one content in two modalities
    text = frame.sample(frac=0.3, random_state=seed).assign(modality="text", object=lambda f: "t" + f["content"])
    return pd.concat([frame, text], ignore_index=True)


@pytest.mark.parametrize("chunk_pairs", [50, 700])
def test_results_do_not_depend_on_the_chunk_size(chunk_pairs):
    """Pairs are streamed in chunks that end where an object ends, or cut a large
    object in pieces: weights, distinct contents per side, objects per modality and
    CNT's distinct messages are the same whatever the cut, and equal to what the
    pair table says."""
    table = _chunked_table()
    whole = detect_coordination(table, 60, 2, fast_window=20, chunk_pairs=10**9)
    cut = detect_coordination(table, 60, 2, fast_window=20, keep_pairs=False, chunk_pairs=chunk_pairs)
    assert len(whole.edges) > 100 and whole.stats["pairs"] > 5 * chunk_pairs
    pd.testing.assert_frame_equal(whole.edges, cut.edges)
    pd.testing.assert_frame_equal(whole.modality_edges, cut.modality_edges)
    # from the pair table: each side is one account's distinct posts (every post has its
    # own second), and objects are distinct per modality
    pairs = whole.pairs
    sides = pd.concat([pairs[["account", "account_y", "account", "content"]].set_axis(["a", "b", "who", "c"], axis=1),
                       pairs[["account", "account_y", "account_y", "content_y"]].set_axis(["a", "b", "who", "c"],
                                                                                         axis=1)])
    sides[["a", "b"]] = np.sort(sides[["a", "b"]].to_numpy(), axis=1)
    per_side = sides.drop_duplicates().groupby(["a", "b", "who"]).size()
    for edge in cut.edges.itertuples():
        assert sorted([edge.n_content_id, edge.n_content_id_y]) == \
            sorted(per_side.loc[(edge.account, edge.account_y)].tolist())
    objects = pairs.assign(a=np.minimum(pairs["account"], pairs["account_y"]),
                           b=np.maximum(pairs["account"], pairs["account_y"])) \
        .groupby(["modality", "a", "b"])["object"].nunique()
    assert cut.modality_edges.set_index(["modality", "account", "account_y"])["objects"].to_dict() == \
        objects.to_dict()
    cnt_whole = detect_coordination_cnt(table, 60, 1, loops=True, chunk_pairs=10**9)
    cnt_cut = detect_coordination_cnt(table, 60, 1, loops=True, chunk_pairs=chunk_pairs)
    pd.testing.assert_frame_equal(cnt_whole.edges, cnt_cut.edges)


def test_modality_edges_count_distinct_objects_per_modality():
    table = shares([("a", "u1", "p1", 0), ("b", "u1", "p2", 5), ("a", "u1", "p3", 9), ("b", "u2", "p4", 100),
                    ("a", "u2", "p5", 101), ("a", "p1", "p6", 0, "text"), ("b", "p1", "p7", 3, "text")])
    found = detect_coordination(table, 60, 1).modality_edges
    assert found.to_dict("records") == [
        {"modality": "text", "account": "a", "account_y": "b", "weight": 1, "objects": 1},
        {"modality": "url", "account": "a", "account_y": "b", "weight": 3, "objects": 2},
    ]


def test_a_viral_object_is_streamed_not_skipped():
    """Without a cap (the default) an object with far more pairs than a chunk is read
    in pieces and counted exactly: 400 accounts in one second, every pair once."""
    n = 400
    viral = pd.DataFrame({"account": [f"acc{k:03d}" for k in range(n)], "object": "viral",
                          "content": [f"c{k}" for k in range(n)], "time": 0, "modality": "url"})
    result = detect_coordination(viral, 60, 1, keep_pairs=False, chunk_pairs=1000)
    assert result.stats["capped_objects"] == [] and result.stats["pairs"] == n * (n - 1) // 2
    assert len(result.edges) == n * (n - 1) // 2 and (result.edges["weight"] == 1).all()
