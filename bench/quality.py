"""Detector quality on scenarios nobody tuned for: the hard scenario (scripts/hardscenario)
at several seeds and background scales, and the demo, each ingested into a fresh
embedded store, analysed with every analysis, and scored against its truth.

Prints, per detector and scale, precision and recall (min and median over the seeds),
with progress as it goes; ``--write`` appends the table, dated, with the machine, to
bench/RESULTS.md.

    .venv/bin/python bench/quality.py [--seeds 1,2,3,4,5] [--scales 1,10,100] [--large-seeds 1] [--no-demo] [--write]

At scales of 100 and more only ``--large-seeds`` run (one seed by default: minutes each).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphinv.analysis.evaluate import DETECTORS  # noqa: E402

LABELS = {"coordinated_accounts": "coordinated accounts", "site_lineage": "site lineage",
          "account_reappearance": "account reappearance", "impersonation": "impersonation"}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def score_folder(folder: Path, truth_path: Path, work: Path) -> dict:
    """Ingest ``folder`` into a fresh embedded store in ``work``, analyse, evaluate.

    Returns the evaluation's ``detectors`` plus ``seconds`` per step.
    """
    from graphinv.analysis.evaluate import evaluate_store
    from graphinv.analysis.registry import analyze_all
    from graphinv.ingest import ingest_paths
    from graphinv.store import open_store

    seconds = {}
    with open_store(f"embedded:{work / 'graph.lbug'}") as store:
        started = time.perf_counter()
        ingest_paths(store, [folder])
        seconds["ingest"] = time.perf_counter() - started
        started = time.perf_counter()
        analyze_all(store)
        seconds["analyze"] = time.perf_counter() - started
        result = evaluate_store(store, truth_path)
    return {"detectors": result["detectors"], "seconds": seconds}


def run_hard(seed: int, scale: int) -> dict:
    from scripts.hardscenario import generate

    with tempfile.TemporaryDirectory(prefix=f"hard-s{seed}-x{scale}-") as tmp:
        data, work = Path(tmp) / "data", Path(tmp) / "work"
        work.mkdir()
        started = time.perf_counter()
        generate(data, seed=seed, scale=scale)
        generated = time.perf_counter() - started
        out = score_folder(data, data / "truth.json", work)
        out["seconds"]["generate"] = generated
        return out


def run_demo() -> dict:
    with tempfile.TemporaryDirectory(prefix="demo-") as tmp:
        return score_folder(ROOT / "data" / "demo", ROOT / "data" / "demo" / "truth.json", Path(tmp))


def summary_line(label: str, out: dict) -> str:
    d = out["detectors"]
    figures = "  ".join(f"{LABELS[k].split()[0]} P={d[k]['precision']:.2f} R={d[k]['recall']:.2f} "
                        f"(fp {d[k]['fp']}, fn {d[k]['fn']})" for k in DETECTORS)
    times = ", ".join(f"{k} {v:.0f}s" for k, v in out["seconds"].items())
    return f"{label}: {figures}  [{times}]"


def table(results: dict[str, list[dict]]) -> str:
    """A markdown table: one row per detector, P and R (min / median) per scenario column."""
    columns = list(results)
    head = "| detector | " + " | ".join(f"{c} P min / med | {c} R min / med" for c in columns) + " |"
    rule = "|---|" + "---|---|" * len(columns)
    rows = [head, rule]
    for key in DETECTORS:
        cells = []
        for c in columns:
            for metric in ("precision", "recall"):
                values = [r["detectors"][key][metric] for r in results[c]]
                cells.append(f"{min(values):.2f} / {statistics.median(values):.2f}")
        rows.append(f"| {LABELS[key]} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def errors(results: dict[str, list[dict]], limit: int = 4) -> str:
    """A few false positives and misses per detector and scenario: what goes wrong."""
    lines = []
    for c, runs in results.items():
        for key in DETECTORS:
            fps = sorted({x for r in runs for x in r["detectors"][key]["false_positives"]})
            missed = sorted({x for r in runs for x in r["detectors"][key]["missed"]})
            if fps or missed:
                lines.append(f"- {c}, {LABELS[key]}: {len(fps)} distinct false positives"
                             f"{' (e.g. ' + '; '.join(fps[:limit]) + ')' if fps else ''}, {len(missed)} distinct missed"
                             f"{' (e.g. ' + '; '.join(missed[:limit]) + ')' if missed else ''}")
    return "\n".join(lines)


def machine() -> str:
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = float("nan")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}, "
            f"load {load:.1f} at the start")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="1,2,3,4,5", help="comma-separated seeds of the hard scenario")
    ap.add_argument("--scales", default="1,10", help="comma-separated background scales (1, 10, 100)")
    ap.add_argument("--large-seeds", default="1", help="the seeds used at scales of 100 and more (minutes each)")
    ap.add_argument("--no-demo", action="store_true", help="skip the demo scenario")
    ap.add_argument("--write", action="store_true", help="append the results to bench/RESULTS.md")
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",") if s]
    scales = [int(s) for s in args.scales.split(",") if s]
    host = machine()
    started = time.perf_counter()
    results: dict[str, list[dict]] = {}
    if not args.no_demo:
        log("demo (data/demo) ...")
        out = run_demo()
        log("  " + summary_line("demo", out))
        results["demo"] = [out]
    for scale in scales:
        column = f"hard x{scale}"
        results[column] = []
        for seed in seeds if scale < 100 else [int(s) for s in args.large_seeds.split(",") if s]:
            log(f"{column}, seed {seed} ...")
            out = run_hard(seed, scale)
            log("  " + summary_line(f"seed {seed}", out))
            results[column].append(out)
    text = table(results)
    print(text)
    print()
    print(errors(results))
    total = time.perf_counter() - started
    log(f"done in {total:.0f} s")
    if args.write:
        date = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        rerun = (f".venv/bin/python bench/quality.py --seeds {args.seeds} --scales {args.scales} "
                 f"--large-seeds {args.large_seeds} --write")
        section = (f"\n## Detector quality: `bench/quality.py` (issue #13: precision you can publish)\n\n"
                   f"{date}, {host}; {total:.0f} s in all. The hard scenario (`scripts/hardscenario`, seeds "
                   f"{args.seeds}, at scale 100 and more {args.large_seeds}; scale multiplies the ordinary crowd "
                   f"only) and the demo, each ingested into a fresh embedded store, every analysis run, scored "
                   f"with `graphinv evaluate`'s pairs and sets. Re-run: `{rerun}`.\n\n{text}\n\n"
                   f"What goes wrong:\n\n{errors(results)}\n")
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write(section)
        log("appended to bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
