"""The demo scenario generator: deterministic, readable in its real formats, truth consistent."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from graphinv.records import kind_of
from scripts.scenario import generate

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
SMALL = dict(seed=11, scale=0.35, gap_days=3, n_decoys=4, n_background=60, crawl_every_days=10)


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("scenario")
    truth = generate(out, **SMALL)
    return out, truth


def test_deterministic(tmp_path, scenario):
    out, truth = scenario
    again = generate(tmp_path, **SMALL)
    assert again == truth
    assert _hashes(tmp_path) == _hashes(out)


def test_other_seed_differs(tmp_path, scenario):
    out, _ = scenario
    generate(tmp_path, **{**SMALL, "seed": 12})
    assert _hashes(tmp_path)["truth.json"] != _hashes(out)["truth.json"]


def test_unknown_knob_rejected(tmp_path):
    with pytest.raises(TypeError):
        generate(tmp_path, no_such_knob=1)



@pytest.fixture(params=["small", "demo"])
def root(request, scenario):
    if request.param == "small":
        return scenario
    if not (DEMO / "truth.json").exists():
        pytest.skip("data/demo not generated")
    return DEMO, json.loads((DEMO / "truth.json").read_text())


def test_demo_is_current_and_small():
    truth = json.loads((DEMO / "truth.json").read_text())
    assert truth["seed"] == 7
    size = sum(p.stat().st_size for p in DEMO.rglob("*") if p.is_file())
    assert size < 2.8e6, size


def test_warc_records_read_back(root):
    from warcio.archiveiterator import ArchiveIterator

    out, _ = root
    warcs = sorted((out / "web").glob("*.warc.gz"))
    assert len(warcs) >= 3
    statuses = set()
    for w in warcs:
        with open(w, "rb") as fh:
            kinds = []
            for rec in ArchiveIterator(fh):
                kinds.append(rec.rec_type)
                body = rec.content_stream().read()
                if rec.rec_type == "response":
                    statuses.add(rec.http_headers.get_statuscode())
                    assert int(rec.http_headers.get_header("Content-Length")) == len(body)
                    assert rec.rec_headers.get_header("WARC-Date").endswith("Z")
        assert kinds[0] == "warcinfo"
        assert kinds.count("request") == kinds.count("response")
        with gzip.open(w) as g:  # plain gzip members too
            assert g.read(8) == b"WARC/1.0"
    assert {"200", "404", "451"} <= statuses


def test_jsonl_lines_parse(root):
    out, _ = root
    types = set()
    for f in sorted((out / "snscrape").glob("*.jsonl")):
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines()):
            obj = json.loads(line)
            types.add(obj["_type"])
            assert "_snscrape" in obj, (f, i)
            if obj["_type"].endswith("twitter.Tweet"):
                assert obj["rawContent"] == obj["content"]
                assert obj["user"]["_type"] == "snscrape.modules.twitter.User"
                datetime.fromisoformat(obj["date"])
    assert {"snscrape.modules.twitter.Tweet", "snscrape.modules.telegram.TelegramPost",
            "snscrape.modules.mastodon.Toot", "snscrape.modules.mastodon.Boost"} <= types


def test_telegram_export_and_csv(root):
    out, _ = root
    exports = list((out / "telegram").rglob("result.json"))
    assert len(exports) == 1
    d = json.loads(exports[0].read_text(encoding="utf-8"))
    msgs = [m for m in d["messages"] if m["type"] == "message"]
    assert msgs and all(m["from_id"].startswith(("user", "channel")) for m in msgs)
    assert any(isinstance(m["text"], list) for m in msgs)
    assert any(e["type"] == "text_link" and e["href"] for m in msgs for e in m["text_entities"])
    heads = {"observations.csv": ["entity", "platform", "status", "observed_at", "source"],
             "reports.csv": ["report_id", "url", "reported_at", "reported_to", "category"],
             "targets.csv": ["name", "aliases", "accounts"],
             "shares.csv": ["account_id", "object_id", "content_id", "timestamp"]}
    for name, head in heads.items():
        rows = list(csv.reader(io.StringIO((out / "csv" / name).read_text(encoding="utf-8"))))
        assert rows[0] == head and len(rows) > 1
        assert all(len(r) == len(head) for r in rows)
    latin = (out / "web" / "saved" / "truth-ostervale_de_hafen-akten.html").read_bytes()
    assert b"charset=iso-8859-1" in latin and "Überweisung".encode("latin-1") in latin


def _all_uids(truth: dict) -> list[str]:
    uids = list(truth["coordinated_accounts"])
    for c in truth["campaigns"]:
        uids += c["members"]
    for chain in truth["site_lineages"] + truth["account_reappearances"]:
        uids += chain
    for imp in truth["impersonations"]:
        uids += [imp["account"], imp["target"]]
    d = truth["decoys"]
    uids += d["sites"] + d["accounts"] + d["impersonation"] + [d["viral_post"]]
    return uids


def test_truth_uids_well_formed(root):
    _, truth = root
    for uid in _all_uids(truth):
        kind = kind_of(uid)
        assert uid == uid.strip() and uid.split(":", 1)[1]
        if kind == "Account":
            assert uid == uid.lower() and uid.count(":") == 2 and "@" not in uid.split(":")[2][:1]
    assert {kind_of(u) for u in truth["coordinated_accounts"]} == {"Account"}
    assert {kind_of(u) for chain in truth["site_lineages"] for u in chain} == {"Site"}
    assert all(kind_of(i["target"]) == "Target" for i in truth["impersonations"])
    # The coordinated accounts are the campaigns' members and the voices they amplify.
    members = {u for c in truth["campaigns"] for u in c["members"] + c.get("amplified", [])}
    assert members == set(truth["coordinated_accounts"])
    assert not members & set(truth["decoys"]["accounts"])
    assert not {u for ch in truth["site_lineages"] for u in ch} & set(truth["decoys"]["sites"])
    tk = truth["takedowns"]
    assert tk["reports"] == sum(p["reported"] for p in tk["by_platform"].values())
    for p in tk["by_platform"].values():
        assert 0 <= p["removed_48h"] <= p["removed"] <= p["reported"]


def test_truth_entities_appear_in_files(root):
    out, truth = root
    text = []
    for f in sorted(out.rglob("*")):
        if f.is_file() and f.name != "truth.json":
            data = f.read_bytes()
            if f.suffix == ".gz":
                data = gzip.decompress(data)
            text.append(data.decode("utf-8", "replace").lower())
    blob = "\n".join(text)
    for uid in _all_uids(truth):
        kind = kind_of(uid)
        if kind == "Account":
            _, platform, handle = uid.split(":", 2)
            if platform == "twitter":
                assert f'"username": "{handle}"' in blob, uid
            elif platform == "telegram":
                assert f"t.me/{handle}" in blob or f"t.me/s/{handle}/" in blob, uid
            else:
                assert f'"account": "@{handle}"' in blob, uid
        elif kind == "Site":
            assert f"warc-target-uri: https://{uid[5:]}/" in blob or \
                f"warc-target-uri: https://www.{uid[5:]}/" in blob, uid
        elif kind == "Post":
            assert f'"id": {uid.split(":")[2]},' in blob, uid
        elif kind == "Target":
            assert uid.split(":", 1)[1] in blob, uid
    for chain in truth["account_reappearances"]:
        assert len(chain) >= 2 and len(set(chain)) == len(chain)


def test_demo_matches_generator(tmp_path):
    """data/demo is exactly what `python data/demo/generate.py` writes today."""
    if not (DEMO / "truth.json").exists():
        pytest.skip("data/demo not generated")
    generate(tmp_path, seed=7)
    committed = {k: v for k, v in _hashes(DEMO).items() if not k.endswith((".py", ".md")) and "__pycache__" not in k}
    assert committed == _hashes(tmp_path)
