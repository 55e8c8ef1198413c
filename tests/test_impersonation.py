"""Impersonation: look-alikes of a Target that are not its real accounts nor declared fans."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from graphinv.analysis import impersonation
from graphinv.analysis.impersonation import disclaimer, find_impersonations, skeleton, target_lookalikes

TARGET = {"uid": "target:jane doe", "name": "Jane Doe", "aliases": ["Councillor Doe"],
          "accounts": ["account:twitter:janedoe", "account:mastodon:janedoe@town.example"]}
FACE = "f88570639f38c39c"


def _acc(handle, display_name=None, bio=None, platform="twitter", avatar=None, seen=True):
    return {"uid": f"account:{platform}:{handle.lower()}", "platform": platform, "handle": handle.lower(),
            "display_name": display_name, "bio": bio, "avatar_phash": avatar, "seen": seen}


@pytest.mark.parametrize("name, expected", [
    ("janedoe", "janedoe"), ("Jane_Doe", "janedoe"), ("jane.doe2", "janedoe"), ("JaneDoe_officiel", "janedoe"),
    ("realjanedoe", "janedoe"), ("the_real_jane_doe", "janedoe"), ("jane_d0e", "janedoe"),
    ("JANE DOE ✓", "janedoe"), ("jlanedoe", "jlanedoe"),
])
def test_skeleton(name, expected):
    assert skeleton(name) == skeleton(expected)


def test_homoglyph_capital_i_for_l():
    # "cIara" is stored lowercased as "ciara": i and l fold together
    assert skeleton("ciarabenedek") == skeleton("clarabenedek")


@pytest.mark.parametrize("handle, display_name, bio, word", [
    ("janedoefan", "Jane Doe Fan Club", "", "fan"),
    ("doeparody", "Jane Doe (Parody)", "", "parody"),
    ("doewatch", "Jane Doe Watch", "Tracking votes.", "watch"),
    ("janedoe_", "Jane Doe", "Not affiliated with the councillor.", "not affiliated"),
    ("jd_updates", "Jane Doe", "Critic of the council", "critic"),
    ("janedoe2", "Jane Doe", "Councillor. Views my own.", None),
])
def test_disclaimer(handle, display_name, bio, word):
    assert disclaimer(handle, display_name, bio) == word


def test_find_impersonations_on_a_small_cast():
    accounts = pd.DataFrame([
        _acc("janedoe", "Jane Doe", "Councillor for the east ward.", avatar=FACE),  # the real one
        _acc("janedoe@town.example", "Jane Doe", platform="mastodon"),  # the real one, elsewhere
        _acc("jane_doe", "Jane Doe", "Councillor for the east ward.", avatar=FACE),  # underscore: impostor
        _acc("janedoe_officiel", "Jane Doe", "Councillor for the east ward. DMs open."),  # "officiel": impostor
        _acc("janed0e", "J. D.", "hello"),  # 0 for o in the handle: impostor on the handle alone
        _acc("news4you", "Jane Doe"),  # same display name, other handle: impostor on the name alone
        _acc("jane_doe@free.example", "Jane Doe", platform="mastodon"),  # another instance: impostor
        _acc("janedoefan", "Jane Doe Fan Club", "Fan account. Not affiliated."),  # declared fan
        _acc("doeparody", "Jane Doe (Parody)", "Satire."),  # declared parody
        _acc("doewatch", "Jane Doe Watch", "Critic. Unofficial."),  # declared critic
        _acc("jane_dove", "Jane Dove", "Baker."),  # another person: "janedove" is 93 % of "janedoe", under 95
        _acc("jones", "Jones"),  # unrelated
        _acc("janedoe", None, None, platform="telegram", seen=False),  # only ever mentioned: not judged
    ])
    targets = pd.DataFrame([TARGET])
    found = find_impersonations(accounts, targets, name_threshold=95)
    assert sorted(found["src"]) == sorted([
        "account:twitter:jane_doe", "account:twitter:janedoe_officiel", "account:twitter:janed0e",
        "account:twitter:news4you", "account:mastodon:jane_doe@free.example"])
    scores = found.set_index("src")["score"]
    # the copied bio and face make the underscore account the most convincing impostor
    assert scores.idxmax() == "account:twitter:jane_doe"
    evidence = found.set_index("src").loc["account:twitter:jane_doe", "evidence"]
    assert evidence["avatar_hamming"] == 0 and evidence["handle_match"] == "name:Jane Doe"


def test_a_similar_name_of_another_person_is_not_an_impersonation():
    # "Clara Bennett" vs "Clara Benedek": ratio of skeletons ~75, below the default 90
    accounts = pd.DataFrame([_acc("clara_bennett", "Clara Bennett", "Baker, mother of two.")])
    targets = pd.DataFrame([{"uid": "target:clara benedek", "name": "Clara Benedek", "aliases": [],
                             "accounts": []}])
    assert find_impersonations(accounts, targets).empty


def test_lookalikes_include_real_accounts_and_fans():
    accounts = pd.DataFrame([_acc("janedoe", "Jane Doe"), _acc("janedoefan", "Jane Doe Fan Club"),
                             _acc("jones", "Jones")])
    found = target_lookalikes(accounts, pd.DataFrame([TARGET]))
    assert set(found) == {"account:twitter:janedoe", "account:twitter:janedoefan"}


def test_analyze_writes_and_replaces_edges(store):
    store.upsert_nodes("Target", pd.DataFrame([{k: v for k, v in TARGET.items()}]))
    store.upsert_nodes("Account", pd.DataFrame([
        {"uid": "account:twitter:janedoe", "platform": "twitter", "handle": "janedoe", "display_name": "Jane Doe"},
        {"uid": "account:twitter:jane_doe", "platform": "twitter", "handle": "jane_doe", "display_name": "Jane Doe"},
        {"uid": "account:twitter:doewatch", "platform": "twitter", "handle": "doewatch",
         "display_name": "Jane Doe Watch", "bio": "Critic."}]))
    for _ in range(2):  # idempotent: the second run replaces the first
        summary = impersonation.analyze(store)
        assert summary["impersonations"] == 1
    rows = store.query("MATCH (a:Account)-[r:IMPERSONATES]->(t:Target) "
                       "RETURN a.uid AS a, t.uid AS t, r.score AS score, r.evidence AS evidence, r.analysis_run AS run")
    assert rows[["a", "t"]].values.tolist() == [["account:twitter:jane_doe", "target:jane doe"]]
    evidence = json.loads(rows["evidence"].iloc[0])
    assert evidence["params"]["name_threshold"] == 90 and rows["run"].iloc[0].startswith("impersonation:")
