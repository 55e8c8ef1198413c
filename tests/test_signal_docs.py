"""The signal weights documented in reappearance.py's docstring and in the README are
the ones the code uses."""

from __future__ import annotations

import re
from pathlib import Path

from graphinv.analysis import reappearance

README = Path(__file__).resolve().parents[1] / "README.md"


def documented_weights(text: str) -> tuple[dict, dict]:
    sites, accounts = {}, {}
    for line in (raw.strip() for raw in text.splitlines()):
        m = re.match(r"^\|?\s*`?([a-z_/]+)`?\s.*?\s(-|\d\.\d+)\s*\|?\s*(-|\d\.\d+)\s*\|?\s*$", line)
        if not m or m.group(1) == "signal":
            continue
        names = m.group(1).split("/")
        site_name, account_name = names[0], names[-1]
        if m.group(2) != "-":
            sites[site_name] = float(m.group(2))
        if m.group(3) != "-":
            accounts[account_name] = float(m.group(3))
    return sites, accounts


def test_docstring_table_matches_code():
    sites, accounts = documented_weights(reappearance.__doc__)
    assert sites == reappearance.SITE_WEIGHTS
    assert accounts == reappearance.ACCOUNT_WEIGHTS


def test_readme_table_matches_code():
    text = README.read_text()
    section = text[text.index("| signal |"):]
    section = section[:section.index("\n\n")]
    sites, accounts = documented_weights(section)
    assert sites == reappearance.SITE_WEIGHTS
    assert accounts == reappearance.ACCOUNT_WEIGHTS
