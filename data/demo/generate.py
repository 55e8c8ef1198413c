"""Regenerate the demo scenario in this folder (seed 7): ``python data/demo/generate.py``.

Options write a different scenario elsewhere, e.g.
``python data/demo/generate.py --out /tmp/scn --seed 11 --scale 2 --knob gap_days=3``.
The generator lives in :mod:`scripts.scenario` (not installed); see README.md here for the story.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from scripts.scenario import DEFAULTS, generate  # noqa: E402

GENERATED = ["snscrape", "telegram", "web", "csv", "truth.json"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: this folder)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--knob", action="append", default=[], metavar="NAME=INT",
                    help=f"override a scenario knob: {', '.join(DEFAULTS)}")
    args = ap.parse_args(argv)
    knobs = {}
    for kv in args.knob:
        name, _, value = kv.partition("=")
        if name not in DEFAULTS or not value.lstrip("-").isdigit():
            ap.error(f"bad --knob {kv!r}: expected NAME=INT with NAME one of {', '.join(DEFAULTS)}")
        knobs[name] = int(value)
    out = args.out.resolve()
    for name in GENERATED:  # remove stale outputs so the folder holds exactly one scenario
        p = out / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    truth = generate(out, seed=args.seed, scale=args.scale, **knobs)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"wrote {out} (seed {truth['seed']}, {size / 1e6:.2f} MB): "
          f"{len(truth['coordinated_accounts'])} coordinated accounts, "
          f"{len(truth['account_reappearances'])} account lineages, "
          f"{len(truth['impersonations'])} impersonations, {truth['takedowns']['reports']} reports")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
