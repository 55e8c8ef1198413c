"""Triage: phrase lists, near-duplicates, the explained score on hand-made frames, and the
done-when scenario (scripts/triagescenario.py) ranked on both stores, with reviewers'
decisions fed back."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from graphinv import triage as tri
from graphinv.analysis import banks
from graphinv.analysis.registry import analyze_all
from graphinv.commands import main
from graphinv.errors import InputError
from graphinv.ingest import ingest_paths
from graphinv.normalize import text_minhash
from graphinv.store import open_store
from scripts import triagescenario


# ---------------------------------------------------------------- phrase lists


@pytest.mark.parametrize("text, reason, lang", [
    ("@x Je vais te tuer.", "threat_to_life", "fr"),
    ("I'm going to kill you", "threat_to_life", "en"),
    ("I’m going to kill you", "threat_to_life", "en"),  # a typographic apostrophe
    ("Ich weiß wo du wohnst", "threat_to_life", "de"),  # ß folded
    ("On sait où tu habites", "threat_to_life", "fr"),  # accents folded
    ("Brûlez-les tous", "call_to_violence", "fr"),  # hyphen read as a space
    ("Tomorrow we storm the townhall", "call_to_violence", "en"),  # `storm the *`
    ("Zu den Waffen, Brüder", "call_to_violence", "de"),
])
def test_phrases_match_on_normalised_text(text, reason, lang):
    hits = tri.phrase_hits(text)
    assert [(h["reason"], h["lang"], h["quoted"]) for h in hits][:1] == [(reason, lang, False)]


@pytest.mark.parametrize("text", [
    "I hate this council, they should all resign!",
    "Ce gouvernement est une honte.",
    "Killing it at the gym today",  # no phrase: "kill" alone is not one
    "Diese Entscheidung ist tot und begraben.",  # "tot" without "du bist"
])
def test_angry_but_legal_text_matches_nothing(text):
    assert tri.phrase_hits(text) == []


def test_a_phrase_inside_quotation_marks_is_quoted_speech():
    for text in ("Le suspect avait écrit « je vais te tuer » à l'élue.", 'He wrote "you will die" to her.',
                 "Er schrieb „ich bringe dich um“ an sie."):
        assert [h["quoted"] for h in tri.phrase_hits(text)] == [True], text
    # the same words outside the quotes are a threat again
    assert [h["quoted"] for h in tri.phrase_hits('"Listen": je vais te tuer')] == [False]


def test_phrase_lists_are_data_and_extensible():
    text = tri.load_rules().phrases
    assert set(text) == {"threat_to_life", "call_to_violence"}
    assert all(set(langs) == {"fr", "en", "de"} for langs in text.values())
    extra = """
weights: {threat_to_life: 100, call_to_violence: 60}
settings: {quoted_factor: 0.2}
phrases:
  threat_to_life:
    es: [te voy a matar]
"""
    custom = tri.load_rules(extra)
    assert [(h["lang"], h["found"]) for h in tri.phrase_hits("¡Te voy a matar!", custom)] == [("es", "te voy a matar")]
    assert tri.phrase_hits("je vais te tuer", custom) == []


# ---------------------------------------------------------------- near-duplicates


def test_near_duplicates_find_edited_copies_and_not_other_texts():
    base = "the council will pay for what it did to our harbour and everyone knows it"
    queries = pd.DataFrame({"item": ["q1", "q2"], "minhash": [text_minhash(base + "!!"), text_minhash("hello there")]})
    refs = pd.DataFrame({"item": ["r1", "r2", "q1"], "minhash": [text_minhash(base), text_minhash("a b c d e"),
                                                                  text_minhash(base + "!!")],
                         "status": ["actioned", "reported", "reported"]})
    found = tri.near_duplicates(queries, refs, 0.8)
    assert found[["query", "reference", "status"]].values.tolist() == [["q1", "r1", "actioned"]]  # never itself
    assert found["jaccard"].iloc[0] >= 0.8


# ---------------------------------------------------------------- the score on frames


def _frames(**overrides) -> dict:
    empty = {name: pd.DataFrame(columns=cols) for name, cols in tri._COLUMNS.items()}
    frames = {k: v for k, v in empty.items() if k not in ("gone",)}
    frames.update(overrides)
    return frames


def _reports(*rows):
    return pd.DataFrame([{"report": r, "entity": e, "url": None, "reported_at": t, "reported_to": "x",
                          "platform": "twitter", "category": None, "reporter": who, "capture": None}
                         for r, e, t, who in rows])


def test_the_score_is_the_sum_of_explained_reasons():
    text = "we will never forgive the councillor for the harbour deal, never, not ever, remember it"
    frames = _frames(
        reports=_reports(("report:1", "post:t:1", 10, None), ("report:2", "post:t:2", 5, None),
                         ("report:3", "post:t:2", 6, "ana"), ("report:4", "post:t:3", 1, None)),
        posts=pd.DataFrame({"post": ["post:t:1", "post:t:2", "post:t:3"],
                            "text": ["Je vais te tuer.", text, "nice weather"],
                            "minhash": [None, text_minhash(text), text_minhash("nice weather")],
                            "created_at": [0, 0, 0], "author": ["account:t:a", "account:t:b", "account:t:c"],
                            "site": [None, None, None]}),
        campaigns=pd.DataFrame({"account": ["account:t:b"], "campaign": ["campaign:0"], "label": ["c0"],
                                "target": ["target:m"], "target_name": ["M"]}),
        spread=pd.DataFrame({"post": ["post:t:3"], "reposts": [7]}),
    )
    table = tri.queue(frames)
    assert table["report"].tolist()[:1] == ["report:1"]
    first = table.iloc[0]
    assert [(r["reason"], r["weight"]) for r in first["reasons"]] == [("threat_to_life", 100.0)]
    assert first["score"] == 100.0 and first["platform"] == "twitter"
    by_report = table.set_index("report")
    two = {r["reason"]: r for r in by_report.loc["report:2", "reasons"]}
    # two reports of post 2, by two reporters (one unnamed): campaign + reporters
    assert set(two) == {"campaign_against_target", "reporters"}
    assert two["reporters"]["evidence"] == {"reporters": 2} and two["reporters"]["weight"] == 5
    assert by_report.loc["report:2", "score"] == 65.0
    spread = by_report.loc["report:4", "reasons"][0]
    assert spread["reason"] == "spread" and spread["evidence"] == {"reposts_first_hour": 7}
    assert spread["weight"] == 12.0  # 4 per doubling: log2(8) = 3 doublings
    # oldest first among equals: report 2 (t=5) before report 3 (t=6)
    assert table["report"].tolist().index("report:2") < table["report"].tolist().index("report:3")


def test_an_actioned_item_raises_its_near_duplicates_and_a_not_illegal_one_lowers_them():
    text = "everyone go to the councillor's office on friday and show her what we think of her"
    edited = text + " tonight"
    frames = _frames(
        reports=_reports(("report:a", "post:t:a", 1, None), ("report:b", "post:t:b", 2, None)),
        posts=pd.DataFrame({"post": ["post:t:a", "post:t:b"], "text": [text, edited],
                            "minhash": [text_minhash(text), text_minhash(edited)], "created_at": [0, 0],
                            "author": ["account:t:a", "account:t:b"], "site": [None, None]}))
    before = tri.queue(frames).set_index("report").loc["report:b"]
    assert [r["reason"] for r in before["reasons"]] == ["near_duplicate_reported"]
    for decision, reason, weight in (("actioned", "near_duplicate_actioned", 45.0),
                                     ("not-illegal", "near_duplicate_not_illegal", -20.0)):
        frames["decisions"] = pd.DataFrame([{"uid": "decision:1", "report": "report:a", "decision": decision,
                                             "decided_by": "ana", "decided_at": 100, "note": None}])
        after = tri.queue(frames)
        assert after["report"].tolist() == ["report:b"]  # the decided report left the queue
        reasons = after.iloc[0]["reasons"]
        assert [(r["reason"], r["weight"]) for r in reasons] == [(reason, weight)]
        assert reasons[0]["evidence"]["items"][0]["item"] == "post:t:a"
    closed = tri.queue(frames, include_closed=True).set_index("report")
    assert closed.loc["report:a", "decision"] == "not-illegal" and closed.loc["report:a", "decided_by"] == "ana"


def test_the_latest_decision_counts():
    decisions = pd.DataFrame({"uid": ["d1", "d2"], "report": ["r", "r"], "decision": ["actioned", "duplicate"],
                              "decided_by": ["a", "b"], "decided_at": [20, 10]})
    assert tri.latest_decisions(decisions)[["decision", "decided_by"]].values.tolist() == [["actioned", "a"]]


# ---------------------------------------------------------------- the scenario on both stores


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("triage-scenario")
    truth = triagescenario.generate(out, seed=11, background=30)
    return out, truth


def _load(store, out):
    ingest_paths(store, [out / "snscrape", out / "web", out / "csv"])
    summary = banks.import_bank(store, out / "bank" / "known.csv", "gifct-sample")
    assert summary["signals"] == 7 and summary["rejected"] == {}
    analyze_all(store)


def test_triage_ranks_the_planted_urgent_reports_first(store, scenario):
    out, truth = scenario
    _load(store, out)
    table = tri.triage(store)
    urgent = set(truth["urgent"])
    assert len(urgent) == 8
    ranked = [r.removeprefix("report:") for r in table["report"]]
    assert set(ranked[:len(urgent)]) == urgent, table[["report", "score", "why"]].head(12).to_string()
    # ... each with the reason it was planted for
    planted = {"threat_to_life": "threat_to_life", "campaign": "campaign_against_target", "bank_match": "bank_match"}
    for row in table.head(len(urgent)).itertuples():
        kind = truth["kinds"][row.report.removeprefix("report:")]
        assert planted[kind] in [r["reason"] for r in row.reasons], (row.report, row.why)
    # the decoys rank below with their own, weaker reasons
    reasons_of = {r.removeprefix("report:"): {x["reason"]: x for x in rs}
                  for r, rs in zip(table["report"], table["reasons"])}
    news = [r for r, k in truth["kinds"].items() if k == "news_quote"]
    assert all(reasons_of[r]["threat_to_life"]["weight"] == 20.0 for r in news)  # quoted: a fifth
    popular = next(r for r, k in truth["kinds"].items() if k == "popular")
    assert reasons_of[popular]["spread"]["evidence"]["reposts_first_hour"] >= 20
    multi = [r for r, k in truth["kinds"].items() if k == "multi_reported"]
    assert all(reasons_of[r]["reporters"]["evidence"] == {"reporters": 3} for r in multi)
    angry = [r for r, k in truth["kinds"].items() if k == "angry_legal"]
    assert all("threat_to_life" not in reasons_of[r] and "call_to_violence" not in reasons_of[r] for r in angry)
    bank = next(r for r, k in truth["kinds"].items() if k == "bank_match")
    match = reasons_of[bank]["bank_match"]["evidence"]
    assert match["matches"][0]["signal_type"] == "pdq" and 0 < match["matches"][0]["distance"] <= 31
    assert "terrorist_content" in match["labels"]

    # a reviewer actions one crew post: it leaves the queue, its copies rise by 45
    crew = [r for r, k in truth["kinds"].items() if k == "campaign"]
    before = table.set_index("report")["score"]
    tri.decide(store, crew[0], "actioned", "ana", now=2_000_000_000)
    after = tri.triage(store)
    assert f"report:{crew[0]}" not in set(after["report"])
    scores = after.set_index("report")["score"]
    reasons_after = after.set_index("report")["reasons"]
    copies = [f"report:{r}" for r in crew[1:]
              if "near_duplicate_actioned" in {x["reason"] for x in reasons_after[f"report:{r}"]}]
    assert copies, "an actioned crew post has near-duplicates among the other crew reports"
    assert all(scores[c] > before[c] for c in copies)
    history = store.query("MATCH (d:Decision)-[:DECIDES]->(r:Report) RETURN d.decision AS d, d.decided_by AS by, "
                          "d.decided_at AS at, r.uid AS r")
    assert history.values.tolist() == [["actioned", "ana", 2_000_000_000, f"report:{crew[0]}"]]
    with pytest.raises(InputError, match="not one of"):
        tri.decide(store, crew[1], "deleted", "ana")
    with pytest.raises(InputError, match="no report"):
        tri.decide(store, "nope", "actioned", "ana")


def test_triage_command_prints_the_queue_and_records_decisions(store_uri, scenario):
    out, truth = scenario
    with open_store(store_uri) as store:
        _load(store, out)
    runner = CliRunner()
    shown = runner.invoke(main, ["triage", "--store", store_uri, "--limit", "5"])
    assert shown.exit_code == 0, shown.output
    assert "threat to life" in shown.output and "32 more" not in shown.output
    as_json = json.loads(runner.invoke(main, ["triage", "--store", store_uri, "--json"]).output)
    assert {r["report"].removeprefix("report:") for r in as_json[:8]} == set(truth["urgent"])
    assert as_json[0]["reported_at"].endswith("Z") and as_json[0]["reasons"][0]["weight"] > 0
    as_csv = runner.invoke(main, ["triage", "--store", store_uri, "--csv", "--reason", "bank_match"]).output
    lines = as_csv.strip().splitlines()
    assert lines[0].startswith("rank,report,score,reasons") and len(lines) == 2 and "bank_match" in lines[1]
    report = truth["urgent"][0]
    done = runner.invoke(main, ["triage", "decide", report, "--decision", "duplicate", "--by", "ana",
                                "--store", store_uri])
    assert done.exit_code == 0 and done.output.startswith("duplicate by ana at 20"), done.output
    after = json.loads(runner.invoke(main, ["triage", "--store", store_uri, "--json"]).output)
    assert f"report:{report}" not in {r["report"] for r in after}
    closed = json.loads(runner.invoke(main, ["triage", "--store", store_uri, "--json", "--all"]).output)
    decided = next(r for r in closed if r["report"] == f"report:{report}")
    assert decided["decision"] == "duplicate" and decided["decided_by"] == "ana" and decided["decided_at"].endswith("Z")
    bad = runner.invoke(main, ["triage", "decide", "no-such", "--decision", "actioned", "--by", "a",
                               "--store", store_uri])
    assert bad.exit_code == 1 and bad.output.strip().splitlines()[-1] == \
        "Error: no report 'no-such': `graphinv triage` lists the open ones"
    unknown = runner.invoke(main, ["triage", "--store", store_uri, "--reason", "vibes"])
    assert unknown.exit_code == 1 and "no reason named vibes" in unknown.output


def test_every_network_reason_on_hand_made_frames():
    """A re-created author, a site in a lineage, a Target named by three reports, a bank
    match, a campaign without a Target, and an account reported for its bio."""
    page = "https://mirror.example/a"
    frames = _frames(
        reports=pd.DataFrame([
            {"report": "report:p", "entity": "post:t:p", "url": "https://x.com/r/status/1", "reported_at": 1},
            {"report": "report:u", "entity": f"url:{page}", "url": page, "reported_at": 2},
            {"report": "report:a", "entity": "account:t:bob2", "url": "https://x.com/bob2", "reported_at": 3},
            {"report": "report:q", "entity": "post:t:q", "url": None, "reported_at": 4},
            {"report": "report:r", "entity": "post:t:r", "url": None, "reported_at": 5},
        ]).assign(reported_to="x", platform=None, category=None, reporter=None, capture="capture:c1"),
        posts=pd.DataFrame({"post": ["post:t:p", f"post:web:{page}", "post:t:q", "post:t:r"],
                            "text": ["nice day", "Zu den Waffen!", "hello", "hi"], "minhash": [None] * 4,
                            "created_at": [0] * 4, "author": ["account:t:re", None, "account:t:m", "account:t:m"],
                            "site": [None, "site:mirror.example", None, None]}),
        accounts=pd.DataFrame({"entity": ["account:t:bob2"], "text": ["We know where you live."]}),
        recreated=pd.DataFrame({"account": ["account:t:re"], "predecessor": ["account:t:old"],
                                "status": ["suspended"], "score": [0.9]}),
        lineages=pd.DataFrame({"site": ["site:mirror.example"], "predecessor": ["site:banned.example"],
                               "status": [None], "score": [0.8], "lineage": ["lineage:1"]}),
        targets=pd.DataFrame({"post": ["post:t:p", "post:t:q", "post:t:r"], "target": ["target:m"] * 3,
                              "name": ["M"] * 3}),
        campaigns=pd.DataFrame({"account": ["account:t:m"], "campaign": ["campaign:4"], "label": ["c4"],
                                "target": [None], "target_name": [None]}),
        bank=pd.DataFrame({"post": [f"post:web:{page}"], "media": ["media:x"], "bank": ["gifct"],
                           "labels": [["terror"]], "signal_type": ["pdq"], "distance": [12]}),
    )
    table = tri.queue(frames).set_index("report")
    reasons = {r: {x["reason"]: x for x in rs} for r, rs in table["reasons"].items()}
    assert set(reasons["report:p"]) == {"recreated_account", "target_under_attack"}
    assert reasons["report:p"]["recreated_account"]["evidence"]["predecessors"] == ["account:t:old"]
    assert reasons["report:p"]["target_under_attack"]["evidence"]["targets"][0]["reports"] == 3
    assert set(reasons["report:u"]) == {"bank_match", "call_to_violence", "site_lineage"}  # the page's post
    assert reasons["report:u"]["bank_match"]["evidence"]["labels"] == ["terror"]
    assert table.loc["report:u", "platform"] == "web" and table.loc["report:p", "platform"] == "twitter"
    assert set(reasons["report:a"]) == {"threat_to_life"}  # an account reported for its bio
    assert table.loc["report:a", "author"] == "account:t:bob2"
    assert set(reasons["report:q"]) == {"author_in_campaign", "target_under_attack"}
    assert table.index[0] == "report:u" and table.loc["report:u", "score"] == 80 + 60 + 30
