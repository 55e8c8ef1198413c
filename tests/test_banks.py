"""Hash banks: the ThreatExchange / HMA CSV read and written back, PDQ / MD5 / SHA-256 of
captured images, and matches recorded with their distance on both stores."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from click.testing import CliRunner

from graphinv.analysis import banks
from graphinv.analysis.registry import BY_NAME
from graphinv.commands import main
from graphinv.errors import InputError
from graphinv.fingerprint import image_fingerprint, pdq_distance
from graphinv.records import media_uid
from graphinv.store import open_store
from scripts.triagescenario import _picture


def test_pdq_survives_resizing_and_reencoding_and_tells_pictures_apart():
    original, copy, other = (image_fingerprint(_picture(1, 256, 95)), image_fingerprint(_picture(1, 180, 60)),
                             image_fingerprint(_picture(2, 256, 95)))
    assert original["md5"] == hashlib.md5(_picture(1, 256, 95)).hexdigest() != copy["md5"]
    assert original["pdq_quality"] == 100 and len(original["pdq"]) == 64
    assert pdq_distance(original["pdq"], copy["pdq"]) <= 31 < pdq_distance(original["pdq"], other["pdq"])


def test_bank_csv_reads_the_threatexchange_shape_and_counts_bad_rows():
    text = ("\ufeffType,Hash,Tags\n"  # other spellings of the columns, a BOM
            f"PDQ,{'A' * 64},terror;gifct\n"
            f"video_md5,{'0' * 32},\n"
            f"sha256,{'1' * 64},x\n"
            "tmk,abcd,\n"  # a signal type graphinv cannot match
            f"md5,{'z' * 32},\n"  # not hex
            "pdq\n")  # too short a row
    found = banks.read_bank_csv(text)
    assert found.signals.values.tolist() == [["pdq", "a" * 64, ["terror", "gifct"]], ["md5", "0" * 32, []],
                                             ["sha256", "1" * 64, ["x"]]]
    assert dict(found.rejected) == {"bad_type": 1, "bad_value": 1, "bad_row": 1}
    with pytest.raises(InputError, match="needs a signal type and a value column"):
        banks.read_bank_csv("name,colour\na,b\n")
    with pytest.raises(InputError, match="empty"):
        banks.read_bank_csv("\n\n")


def test_match_frames_exact_and_pdq_with_quality_floor():
    media = pd.DataFrame({"uid": ["media:a", "media:b", "media:c"], "md5": ["0" * 32, None, None],
                          "sha256": [None, "2" * 64, None], "pdq": ["f" * 64, None, "f" * 64],
                          "pdq_quality": [100, None, 10]})
    signals = pd.DataFrame({"uid": ["s:pdq", "s:md5", "s:sha", "s:far"], "signal_type": ["pdq", "md5", "sha256", "pdq"],
                            "value": ["f" * 56 + "0" * 8, "0" * 32, "2" * 64, "0" * 64]})
    got = banks.match_frames(media, signals)
    # s:pdq is 32 bits from media:a's PDQ: one more than HMA's 31, so no PDQ match
    assert got.values.tolist() == [["media:a", "s:md5", "md5", 0], ["media:b", "s:sha", "sha256", 0]]
    near = signals.assign(value=["f" * 60 + "0" * 4, "0" * 32, "2" * 64, "0" * 64])
    got = banks.match_frames(media, near)
    # media:c has the same PDQ as media:a but of quality 10 (a flat image): not matched
    assert got.query("signal_type == 'pdq'").values.tolist() == [["media:a", "s:pdq", "pdq", 16]]
    assert banks.match_frames(media, near, max_pdq_distance=15).query("signal_type == 'pdq'").empty


def _media_rows(pictures: dict[str, bytes]) -> pd.DataFrame:
    rows = []
    for name, data in pictures.items():
        fp = image_fingerprint(data)
        rows.append({"uid": media_uid(fp["sha256"]), "url": f"https://site.example/{name}.jpg",
                     **{k: fp[k] for k in ("sha256", "md5", "pdq", "pdq_quality", "phash", "width", "height", "mime")}})
    return pd.DataFrame(rows)


def test_import_match_and_export_on_the_store(store, tmp_path):
    known, exact = _picture(7, 256, 95), _picture(9, 200, 90)
    media = _media_rows({"copy": _picture(7, 190, 65), "exact": exact, "other": _picture(8, 256, 95)})
    store.upsert_nodes("Media", media)
    bank = tmp_path / "bank.csv"
    bank.write_text("signal_type,signal_value,labels\n"
                    f"pdq,{image_fingerprint(known)['pdq']},propaganda\n"
                    f"md5,{hashlib.md5(exact).hexdigest()},terrorist_content gifct\n"
                    "md5,nothex,\n", encoding="utf-8")
    summary = banks.import_bank(store, bank, "hotline")
    assert summary == {"bank": "hotline", "signals": 2, "by_type": {"md5": 1, "pdq": 1}, "rejected": {"bad_value": 1}}
    result = BY_NAME["banks"].run(store)
    assert (result["signals"], result["media"], result["matches"], result["matched_media"]) == (2, 3, 2, 2)
    found = store.query("MATCH (m:Media)-[x:MATCHES]->(s:BankSignal) RETURN m.url AS url, s.signal_type AS type, "
                        "x.distance AS distance, x.analysis_run AS run, s.labels AS labels ORDER BY url")
    assert found["url"].tolist() == ["https://site.example/copy.jpg", "https://site.example/exact.jpg"]
    copy, exact_row = found.iloc[0], found.iloc[1]
    assert copy["type"] == "pdq" and 0 < copy["distance"] <= 31 and copy["run"].startswith("banks:")
    assert exact_row["type"] == "md5" and exact_row["distance"] == 0
    assert sorted(exact_row["labels"]) == ["gifct", "terrorist_content"]
    # re-importing changes nothing; labels of a second import are merged
    bank.write_text(f"signal_type,signal_value,labels\nmd5,{hashlib.md5(exact).hexdigest()},extra\n")
    banks.import_bank(store, bank, "hotline")
    assert sorted(banks.bank_signals(store, "hotline")["labels"].iloc[0]) == ["extra", "gifct", "terrorist_content"]
    assert BY_NAME["banks"].run(store)["matches"] == 2  # replaced, not doubled
    assert banks.banks_summary(store).values.tolist() == [["hotline", 2, 2]]
    # exported, it reads back as the same signals
    text = banks.export_rows(banks.bank_signals(store, "hotline"), with_bank=False)
    again = banks.read_bank_csv(text).signals
    assert sorted(map(tuple, again[["signal_type", "value"]].values.tolist())) == \
        sorted(map(tuple, banks.bank_signals(store, "hotline")[["signal_type", "value"]].values.tolist()))


def test_bank_commands(store_uri, tmp_path):
    with open_store(store_uri) as store:
        store.upsert_nodes("Media", _media_rows({"a": _picture(3, 200, 80)}))
    bank = tmp_path / "known.csv"
    bank.write_text(f"signal_type,signal_value,labels\npdq,{image_fingerprint(_picture(3, 256, 95))['pdq']},x y\n")
    runner = CliRunner()
    done = runner.invoke(main, ["bank", "import", str(bank), "--name", "gifct", "--store", store_uri])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == ["bank gifct: 1 signals (pdq=1)", "matches: 1 (1 of 1 images, all banks)"]
    assert runner.invoke(main, ["bank", "list", "--store", store_uri]).output == "gifct\t1 signals\t1 images matched\n"
    out = tmp_path / "out.csv"
    exported = runner.invoke(main, ["bank", "export", "--name", "gifct", "--out", str(out), "--store", store_uri])
    assert exported.exit_code == 0 and out.read_text().splitlines()[1].endswith(",x y")
    every = runner.invoke(main, ["bank", "export", "--store", store_uri]).output.splitlines()
    assert every[0] == "signal_type,signal_value,labels,bank" and every[1].endswith(",gifct")
    missing = runner.invoke(main, ["bank", "export", "--name", "nope", "--store", store_uri])
    assert missing.exit_code == 1 and "no bank named 'nope'" in missing.output
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    bad = runner.invoke(main, ["bank", "import", str(empty), "--name", "x", "--store", store_uri])
    assert bad.exit_code == 1 and bad.output.strip().splitlines()[-1] == "Error: the bank file is empty"
